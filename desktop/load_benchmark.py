"""How responsive the desktop stays while a big layer loads: thread vs child process.

Writes N polygons (default 400,000, the docs/traps.md case) to a GeoPackage, then loads it with
desktop.loading.load_files on a QThreadPool worker, once on the thread itself and once
through the child process, while a 10 ms QTimer counts ticks on the GUI thread.
Prints the share of expected ticks that fired and the longest gap.

With --project PATH it opens that project in the main window instead, as File > Open does
(e.g. the national one, benchmarks/data/national/national.hatlas.json), and prints the time
each layer took to read, the time from "layers loaded" to the first image on the canvas,
the idle warm-up after it, and the longest event-loop gap in each phase; --screenshot PNG
saves the window once the warm-up is done.

Run: python -m benchmarks.bench_desktop_load [N]  (benchmarks/ stays Qt-free: it launches this)
     python -m benchmarks.bench_desktop_load --project PATH [--screenshot PNG]
"""

from __future__ import annotations

import os
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

    from desktop.event_wait import until
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
    until(app, lambda: done, timeout=300, what="the load")
    timer.stop()
    seconds = time.perf_counter() - start
    pool.waitForDone()
    fired = len(gaps) / max(1.0, seconds * 100)
    return fired, max(gaps[1:] or [0]), seconds


def open_in_window(project: Path, screenshot: Path | None, size: tuple[int, int]) -> None:
    """Open `project` in a MainWindow of `size` and print where the time and GUI stalls go."""
    from PySide6.QtCore import QElapsedTimer, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from desktop.event_wait import spin, until
    from desktop.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings=settings, recovery_dir=Path(tmp), autosave_seconds=3600)
        window.resize(*size)
        window.show()
        spin(app, 0.5)  # laid out, the empty canvas drawn
        ticks: list[tuple[float, int]] = []  # (seconds since open, gap before this tick in ms)
        clock = QElapsedTimer()
        timer = QTimer()
        timer.setInterval(10)
        began = time.perf_counter()
        timer.timeout.connect(lambda: ticks.append((time.perf_counter() - began, clock.restart())))
        marks: dict[str, float] = {}
        window.project_changed.connect(lambda _p: marks.setdefault("loaded", since(began)))
        canvas = window.canvas
        clock.start()
        timer.start()
        cpu = time.process_time()
        window.open_project(project, ask=False)
        until(app, lambda: "loaded" in marks, timeout=300)
        cpu_loading = time.process_time() - cpu
        drawn = canvas.render_count
        until(app, lambda: canvas.render_count > drawn and not canvas.is_rendering, timeout=300)
        marks["first image"] = since(began)
        first_render, first_cpu = canvas.last_render_ms, canvas.last_render_cpu_ms
        until(app, lambda: not canvas.renderer.warming, timeout=600)
        marks["warm"] = since(began)
        spin(app, 1.0)
        timer.stop()

        print(f"{project.name}: {len(window.project.layers)} layers, window {size[0]}x{size[1]}")
        for name, seconds in window.last_load_seconds.items():
            print(f"   {name:<40} {seconds:6.2f} s")
        print(
            f"layers loaded and shown         {marks['loaded']:6.2f} s after Open "
            f"(CPU of all threads {cpu_loading:.1f} s)"
        )
        print(
            f"first image                     {marks['first image'] - marks['loaded']:6.2f} s after "
            f"that (its render {first_render:.0f} ms, {first_cpu:.0f} ms CPU)"
        )
        print(
            f"idle warm-up done               {marks['warm'] - marks['first image']:6.2f} s later"
        )
        phases = (
            ("while loading", 0.0, marks["loaded"]),
            ("loaded -> first image", marks["loaded"], marks["first image"]),
            ("during the warm-up", marks["first image"], marks["warm"]),
            ("idle after it", marks["warm"], float("inf")),
        )
        for label, start, end in phases:
            # A tick at t reports the gap that ended at t: it belongs to the phase it ended in.
            gaps = [gap for at, gap in ticks if start < at <= end]
            fired = len(gaps) / max(1.0, (min(end, ticks[-1][0]) - start) * 100)
            print(
                f"longest GUI gap {label:<22} {max(gaps or [0]):5d} ms "
                f"({fired:4.0%} of 10 ms ticks fired)"
            )
        if screenshot is not None:
            window.grab().save(str(screenshot))
            print(f"screenshot: {screenshot}")
        window.wait_for_tasks(5000)
        canvas.shutdown()
        window._dirty = False
        window.undo_stack.setClean()
        window.close()


def since(began: float) -> float:
    return time.perf_counter() - began


def main() -> None:
    import argparse

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no window is shown
    # One parser for both modes, so --help (or any option) is never read as N.
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_desktop_load",
        description="Desktop responsiveness while a big layer loads, or opening a project.",
    )
    parser.add_argument(
        "n", nargs="?", type=int, default=400_000, help="polygons in the written GeoPackage"
    )
    parser.add_argument("--project", type=Path, help="open this project in the main window")
    parser.add_argument("--screenshot", type=Path, help="with --project: save the window")
    parser.add_argument("--size", default="1600x1000", help="window WIDTHxHEIGHT")
    args = parser.parse_args()
    if args.project is not None:
        width, height = (int(v) for v in args.size.split("x"))
        open_in_window(args.project, args.screenshot, (width, height))
        return
    n = args.n
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
