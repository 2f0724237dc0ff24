"""Kernel density of 1,000,000 events: Harm Atlas's CLI against QGIS's heatmap, same file, same run.

    .venv/bin/python benchmarks/bench_kde.py [--points 1000000] [--cell 1000] [--radius 5000]
                                             [--repeat 3] [--keep DIR]

Both are timed as whole processes (start-up, reading, density, writing), taken in turn, after
one warm-up run each and with the project's bytecode compiled (as installed); medians and the
median of the pairs' ratios (QGIS / ours) in CPU (user + system) and wall time:
- `python main.py analyze hotspots --method kde --events events.gpkg --out density.tif`
  (and `--out density.gpkg`, the polygon layer of the non-zero cells);
- `qgis_process.bin run qgis:heatmapkerneldensityestimation` (QGIS 3.22 from Debian:
  `apt-get install -y qgis`; run offscreen), quartic kernel, raw values.
The events are benchmarks/bench_count.py's (clustered, six attributes) in UTM 18N, so both
tools work in the file's own metres. The rasters are then compared cell by cell: ours with
`--sampling qgis` (QGIS's placement of the kernel) and with the default `--sampling centres`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: make `benchmarks` importable

from benchmarks.bench_count import (  # noqa: E402
    QGIS,
    _qgis_version,
    compile_bytecode,
    make_events,
    paired,
    timed,
)


def ours(events: Path, out: Path, args, sampling: str = "centres") -> list[str]:
    return [
        sys.executable,
        "main.py",
        "analyze",
        "hotspots",
        "--events",
        str(events),
        "--method",
        "kde",
        "--cell-m",
        str(args.cell),
        "--radius-m",
        str(args.radius),
        "--sampling",
        sampling,
        "--out",
        str(out),
        "--json",
        "--quiet",
    ]


def read_tif(path: Path) -> np.ndarray:
    import rasterio

    with rasterio.open(path) as ds:
        values = ds.read(1).astype(float)
        if ds.nodata is not None:  # QGIS leaves cells no kernel reached as nodata
            values[values == ds.nodata] = 0.0
        return values


def differences(a: np.ndarray, reference: np.ndarray) -> dict:
    diff = np.abs(a - reference)
    reached = reference > 0
    relative = diff[reached] / reference[reached]
    return {
        "largest_of_peak": float(diff.max() / reference.max()),
        "median_relative": float(np.median(relative)),
        "p95_relative": float(np.percentile(relative, 95)),
        "total_relative": float(a.sum() / reference.sum() - 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--cell", type=float, default=1000.0)
    parser.add_argument("--radius", type=float, default=5000.0)
    parser.add_argument("--repeat", type=int, default=5, help="Runs of each tool (medians).")
    parser.add_argument("--keep", help="Folder to keep the data and outputs in.")
    args = parser.parse_args()

    folder = Path(args.keep or tempfile.mkdtemp(prefix="bench_kde_"))
    folder.mkdir(parents=True, exist_ok=True)
    events = folder / "events_utm.gpkg"
    if not events.exists():
        make_events(args.points).to_crs(32618).to_file(events, engine="pyogrio")
    runs: dict[str, list] = {"tif": [], "gpkg": [], "qgis": []}
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    qgis_out = folder / "density_qgis.tif"
    qgis_cmd = [
        QGIS,
        "run",
        "qgis:heatmapkerneldensityestimation",
        "--",
        f"INPUT={events}",
        f"RADIUS={args.radius}",
        f"PIXEL_SIZE={args.cell}",
        "KERNEL=0",
        "OUTPUT_VALUE=0",
        f"OUTPUT={qgis_out}",
    ]
    have_qgis = Path(QGIS).exists()
    compile_bytecode()
    timed(ours(events, folder / "density.tif", args))  # warm-up: the file in the page cache
    if have_qgis:
        timed(qgis_cmd, env)
    for _ in range(args.repeat):  # in turn, so a change in the machine's load hits all alike
        runs["tif"].append(timed(ours(events, folder / "density.tif", args)))
        runs["gpkg"].append(timed(ours(events, folder / "density.gpkg", args)))
        if have_qgis:
            runs["qgis"].append(timed(qgis_cmd, env))
    for name, done in runs.items():
        for run in done:
            if run[2].returncode != 0:
                print(name, run[2].stdout[-2000:], run[2].stderr[-2000:])
                return 1
    result: dict = {"points": args.points, "cell_m": args.cell, "radius_m": args.radius}
    for name, done in runs.items():
        if done:
            result[f"{name}_wall_s"] = statistics.median(r[0] for r in done)
            result[f"{name}_cpu_s"] = statistics.median(r[1] for r in done)
            print(f"{name}: median {result[f'{name}_wall_s']:.2f} s wall, "
                  f"{result[f'{name}_cpu_s']:.2f} s CPU")  # fmt: skip
    if have_qgis:
        print(f"QGIS {_qgis_version()}")
        for name in ("tif", "gpkg"):
            pairs = paired(runs[name], runs["qgis"])
            for kind in ("wall", "cpu"):
                result[f"speedup_{name}_{kind}"] = pairs[f"speedup_{kind}"]
                result[f"speedup_{name}_{kind}_range"] = pairs[f"speedup_{kind}_range"]
            print(f"{name}: QGIS / ours, median of pairs: {pairs['speedup_cpu']:.1f}x CPU, "
                  f"{pairs['speedup_wall']:.1f}x wall")  # fmt: skip
        reference = read_tif(qgis_out)
        timed(ours(events, folder / "density_qgis_sampling.tif", args, "qgis"))
        result["qgis_sampling_vs_qgis"] = differences(
            read_tif(folder / "density_qgis_sampling.tif"), reference
        )
        result["centres_vs_qgis"] = differences(read_tif(folder / "density.tif"), reference)
    print(json.dumps(result, indent=1))
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
