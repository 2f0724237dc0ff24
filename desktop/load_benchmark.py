"""How responsive the desktop stays while a big layer loads: thread vs child process.

Writes N polygons (default 400,000, the docs/traps.md case) to a GeoPackage, then loads it with
desktop.loading.load_files on a QThreadPool worker, once on the thread itself and once
through the child process, while a 10 ms QTimer counts ticks on the GUI thread.
Prints the share of expected ticks that fired and the longest gap.

Run: python -m benchmarks.bench_desktop_load [N]  (benchmarks/ stays Qt-free: it launches this)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely


def make_file(n: int, folder: Path) -> Path:
    side = int(np.ceil(np.sqrt(n)))
    xs, ys = np.meshgrid(np.arange(side) * 100.0 + 500_000, np.arange(side) * 100.0 + 200_000)
    x, y = xs.ravel()[:n], ys.ravel()[:n]
    cells = shapely.box(x, y, x + 90, y + 90)
    rng = np.random.default_rng(1)
    gdf = gpd.GeoDataFrame(
        {"coca_ha_2020": rng.gamma(1.5, 4.0, n), "cell_id": np.arange(n)}, geometry=cells, crs=32618
    )
    path = folder / "big_grid.gpkg"
    gdf.to_file(path, layer="grid", driver="GPKG", engine="pyogrio")
    return path


def measure(path: Path, threshold: int) -> tuple[float, int, float]:
    from PySide6.QtCore import QCoreApplication, QElapsedTimer, QThreadPool, QTimer

    from desktop.loading import load_files
    from desktop.workers import TaskRunner

    app = QCoreApplication.instance() or QCoreApplication([])
    gaps: list[int] = []
    clock = QElapsedTimer()
    clock.start()
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: gaps.append(clock.restart()))
    pool = QThreadPool()
    runner = TaskRunner(pool)
    done: list = []
    start = time.perf_counter()
    runner.start(lambda fb: load_files([path], fb, None, threshold), "load", done.append)
    timer.start()
    while not done:
        app.processEvents()
        time.sleep(0.001)
    timer.stop()
    seconds = time.perf_counter() - start
    pool.waitForDone()
    fired = len(gaps) / max(1.0, seconds * 100)
    return fired, max(gaps[1:] or [0]), seconds


def main() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no window is shown
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 400_000
    with tempfile.TemporaryDirectory() as tmp:
        path = make_file(n, Path(tmp))
        print(f"{n:,} polygons, {path.stat().st_size / 1e6:.0f} MB")
        for label, threshold in (("worker thread", 1 << 62), ("child process", 0)):
            fired, worst, seconds = measure(path, threshold)
            print(
                f"{label:14s}: {seconds:5.1f} s, {fired:4.0%} of timer ticks fired, longest gap {worst} ms"
            )


if __name__ == "__main__":
    main()
