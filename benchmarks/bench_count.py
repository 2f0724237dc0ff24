"""Count 1,000,000 events in 1,000 regions: Harm Atlas's CLI against QGIS, same files, same run.

    .venv/bin/python benchmarks/bench_count.py [--points 1000000] [--regions 1000] [--keep DIR]

Both are timed as whole processes (start-up, reading, counting, writing a GeoPackage):
- `python main.py analyze count --points events.gpkg --polygons regions.gpkg --out ...`
- `qgis_process.bin run native:countpointsinpolygon -- POLYGONS=... POINTS=... OUTPUT=...`
  (QGIS 3.22 from Debian: `apt-get install -y qgis`; run offscreen).
The counts of the two outputs are compared region by region. Regions are Voronoi cells of
random seeds (municipality-like, about 200 vertices each) over a Colombia-sized lon/lat box.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

ROOT = Path(__file__).resolve().parents[1]
QGIS = "/usr/bin/qgis_process.bin"
EXTENT = (-79.0, -4.2, -67.0, 12.5)  # lon/lat box around Colombia


def make_regions(n: int, seed: int = 1) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = EXTENT
    seeds = shapely.multipoints(
        np.column_stack([rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)])
    )
    cells = shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=shapely.box(*EXTENT)))
    cells = shapely.intersection(cells, shapely.box(*EXTENT))
    # Municipality-like detail: densify the edges to ~200 vertices per region.
    step = float(np.sqrt((maxx - minx) * (maxy - miny) / n)) * 4 / 200
    cells = shapely.segmentize(cells, step)
    codes = [f"CO{i:05d}" for i in range(len(cells))]
    return gpd.GeoDataFrame({"ADM2_PCODE": codes}, geometry=cells, crs=4326)


def make_events(n: int, seed: int = 2) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = EXTENT
    # Clustered like conflict events: half around 200 hot spots, half spread out.
    k = n // 2
    centres = np.column_stack([rng.uniform(minx, maxx, 200), rng.uniform(miny, maxy, 200)])
    pick = rng.integers(0, 200, k)
    clustered = centres[pick] + rng.normal(0, 0.15, (k, 2))
    spread = np.column_stack([rng.uniform(minx, maxx, n - k), rng.uniform(miny, maxy, n - k)])
    xy = np.vstack([clustered, spread])
    xy[:, 0] = np.clip(xy[:, 0], minx, maxx)
    xy[:, 1] = np.clip(xy[:, 1], miny, maxy)
    days = rng.integers(0, 365 * 8, n)
    dates = (np.datetime64("2016-01-01") + days.astype("timedelta64[D]")).astype(str)
    return gpd.GeoDataFrame(
        {"event_date": dates, "fatalities": rng.poisson(0.6, n).astype(np.int32)},
        geometry=shapely.points(xy),
        crs=4326,
    )


def timed(cmd: list[str], env: dict | None = None) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env)
    return time.perf_counter() - start, done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--regions", type=int, default=1_000)
    parser.add_argument("--keep", help="Folder to keep the data and outputs in.")
    parser.add_argument("--repeat", type=int, default=1, help="Runs of each tool (best kept).")
    args = parser.parse_args()

    folder = Path(args.keep or tempfile.mkdtemp(prefix="bench_count_"))
    folder.mkdir(parents=True, exist_ok=True)
    events_path, regions_path = folder / "events.gpkg", folder / "regions.gpkg"
    if not events_path.exists() or not regions_path.exists():
        t = time.perf_counter()
        make_regions(args.regions).to_file(regions_path, engine="pyogrio")
        make_events(args.points).to_file(events_path, engine="pyogrio")
        print(
            f"generated {args.points:,} events and {args.regions:,} regions "
            f"in {time.perf_counter() - t:.1f} s -> {folder}"
        )

    ours_out = folder / "counts_harm_atlas.gpkg"
    ours_cmd = [
        sys.executable,
        "main.py",
        "analyze",
        "count",
        "--points",
        str(events_path),
        "--polygons",
        str(regions_path),
        "--out",
        str(ours_out),
        "--json",
        "--quiet",
    ]
    ours = []
    for _ in range(args.repeat):
        seconds, done = timed(ours_cmd)
        if done.returncode != 0:
            print(done.stderr)
            return 1
        ours.append(seconds)
    summary = json.loads(done.stdout)
    print(
        f"Harm Atlas  analyze count: {min(ours):6.2f} s  (runs: "
        f"{', '.join(f'{s:.2f}' for s in ours)}; {summary['points_inside']:,} points inside)"
    )

    result = {"points": args.points, "regions": args.regions, "harm_atlas_s": min(ours)}
    if not Path(QGIS).exists():
        print("QGIS not installed (apt-get install -y qgis): no comparison.")
        print(json.dumps(result))
        return 0
    qgis_out = folder / "counts_qgis.gpkg"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    qgis_cmd = [
        QGIS,
        "run",
        "native:countpointsinpolygon",
        "--",
        f"POLYGONS={regions_path}",
        f"POINTS={events_path}",
        "FIELD=NUMPOINTS",
        f"OUTPUT={qgis_out}",
    ]
    theirs = []
    for _ in range(args.repeat):
        if qgis_out.exists():
            qgis_out.unlink()
        seconds, done = timed(qgis_cmd, env)
        if done.returncode != 0:
            print(done.stdout[-2000:], done.stderr[-2000:])
            return 1
        theirs.append(seconds)
    print(
        f"QGIS {_qgis_version()} countpointsinpolygon: {min(theirs):6.2f} s  (runs: "
        f"{', '.join(f'{s:.2f}' for s in theirs)})"
    )
    ours_counts = gpd.read_file(ours_out).set_index("ADM2_PCODE")["events"]
    qgis_counts = gpd.read_file(qgis_out).set_index("ADM2_PCODE")["NUMPOINTS"]
    differ = int((ours_counts.sort_index() != qgis_counts.sort_index()).sum())
    print(f"speed-up {min(theirs) / min(ours):.1f}x; regions whose counts differ: {differ}")
    result |= {"qgis_s": min(theirs), "speedup": min(theirs) / min(ours), "differ": differ}
    print(json.dumps(result))
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


def _qgis_version() -> str:
    done = subprocess.run(
        [QGIS, "--version"],
        capture_output=True,
        text=True,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
    )
    for line in done.stdout.splitlines():
        if line.startswith("QGIS "):
            return line.split()[1]
    return "?"


if __name__ == "__main__":
    sys.exit(main())
