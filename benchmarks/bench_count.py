"""Count 1,000,000 events in 1,000 regions: Harm Atlas's CLI against QGIS, same files, same run.

    .venv/bin/python benchmarks/bench_count.py [--points 1000000] [--regions 1000] [--keep DIR]
                                               [--repeat 5]

Both are timed as whole processes (start-up, reading, counting, writing a GeoPackage), taken
in turn (ours, QGIS, ours, ...) so a change in the machine's load hits both alike; the
medians and the median of the pairs' ratios are reported, for CPU (user + system) and wall
time. The project's bytecode is compiled first, as an installed package has it.
- `python main.py analyze count --points events.gpkg --polygons regions.gpkg --out ...`
- `qgis_process.bin run native:countpointsinpolygon -- POLYGONS=... POINTS=... OUTPUT=...`
  (QGIS 3.22 from Debian: `apt-get install -y qgis`; run offscreen).
The counts of the two outputs are compared region by region. Regions are Voronoi cells of
random seeds (municipality-like, about 200 vertices each) over the events' box; the events come
from benchmarks/generate.py (the readers' benchmark data: clustered, dated, six attributes).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

QGIS = "/usr/bin/qgis_process.bin"
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: make `benchmarks` importable
try:  # the shared generator (readers' benchmarks use the same events)
    from benchmarks.generate import SAMPLE_BOUNDS, synthetic_points
except ImportError:  # the generator is gone: make events here
    SAMPLE_BOUNDS, synthetic_points = (-77.0, 0.0, -75.0, 2.0), None
# Regions cover the events' box grown a little: the generator clips stray events onto its
# edge, and those must lie inside a region (QGIS's "contains" drops points on a boundary).
EXTENT = (
    SAMPLE_BOUNDS[0] - 0.05,
    SAMPLE_BOUNDS[1] - 0.05,
    SAMPLE_BOUNDS[2] + 0.05,
    SAMPLE_BOUNDS[3] + 0.05,
)


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
    if synthetic_points is not None:
        return synthetic_points(n, seed)
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = SAMPLE_BOUNDS
    # Clustered like conflict events: half around 200 hot spots, half spread out.
    # Points outside the box are redrawn, not clipped: clipping would pile them on its edge.
    xy = np.empty((0, 2))
    while len(xy) < n:
        k = n // 2
        centres = np.column_stack([rng.uniform(minx, maxx, 200), rng.uniform(miny, maxy, 200)])
        clustered = centres[rng.integers(0, 200, k)] + rng.normal(0, 0.03, (k, 2))
        spread = np.column_stack([rng.uniform(minx, maxx, n - k), rng.uniform(miny, maxy, n - k)])
        more = np.vstack([clustered, spread])
        inside = (more[:, 0] > minx) & (more[:, 0] < maxx) & (more[:, 1] > miny)
        xy = np.vstack([xy, more[inside & (more[:, 1] < maxy)]])
    xy = xy[rng.permutation(len(xy))[:n]]
    days = rng.integers(0, 365 * 8, n)
    dates = (np.datetime64("2016-01-01") + days.astype("timedelta64[D]")).astype(str)
    return gpd.GeoDataFrame(
        {"event_date": dates, "fatalities": rng.poisson(0.6, n).astype(np.int32)},
        geometry=shapely.points(xy),
        crs=4326,
    )


def timed(
    cmd: list[str], env: dict | None = None
) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall-clock and CPU seconds (user + system) of one whole process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done


def compile_bytecode() -> None:
    """The project's .pyc files, as pip writes them at install (PYTHONDONTWRITEBYTECODE set in
    a shell would otherwise make every run compile ~40 modules again: ~0.07 s)."""
    packages = ["layers", "analysis", "core", "cartography", "main.py"]
    subprocess.run([sys.executable, "-m", "compileall", "-q", *packages], cwd=ROOT, check=True)


def paired(ours: list, theirs: list) -> dict:
    """Medians of each tool's wall and CPU seconds, and the median of the pairs' ratios
    (QGIS / ours: how many times faster), from runs taken in turn."""
    out: dict = {}
    for k, name in ((0, "wall"), (1, "cpu")):
        out[f"harm_atlas_{name}_s"] = statistics.median(r[k] for r in ours)
        out[f"qgis_{name}_s"] = statistics.median(r[k] for r in theirs)
        ratios = [q[k] / o[k] for o, q in zip(ours, theirs, strict=False)]
        out[f"speedup_{name}"] = statistics.median(ratios)
        out[f"speedup_{name}_range"] = [min(ratios), max(ratios)]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--regions", type=int, default=1_000)
    parser.add_argument("--keep", help="Folder to keep the data and outputs in.")
    parser.add_argument("--repeat", type=int, default=5, help="Runs of each tool (medians).")
    args = parser.parse_args()
    compile_bytecode()

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
    timed(ours_cmd)  # warm-up: the files in the page cache, for both tools alike
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
    have_qgis = Path(QGIS).exists()
    ours, theirs = [], []
    for _ in range(args.repeat):  # in turn, so a change in the machine's load hits both alike
        ours.append(timed(ours_cmd))
        if ours[-1][2].returncode != 0:
            print(ours[-1][2].stderr)
            return 1
        if have_qgis:
            qgis_out.unlink(missing_ok=True)
            theirs.append(timed(qgis_cmd, env))
            if theirs[-1][2].returncode != 0:
                print(theirs[-1][2].stdout[-2000:], theirs[-1][2].stderr[-2000:])
                return 1
    summary = json.loads(ours[-1][2].stdout)
    load = os.getloadavg()[0]
    print(f"load average {load:.1f} on {os.cpu_count()} cores")
    print(_line("Harm Atlas analyze count", ours))
    print(f"  {summary['points_inside']:,} points inside a region")
    result = {
        "points": args.points,
        "regions": args.regions,
        "harm_atlas_wall_s": statistics.median(r[0] for r in ours),
        "harm_atlas_cpu_s": statistics.median(r[1] for r in ours),
        "load_average": load,
    }
    if not have_qgis:
        print("QGIS not installed (apt-get install -y qgis): no comparison.")
        print(json.dumps(result))
        return 0
    print(_line(f"QGIS {_qgis_version()} native:countpointsinpolygon", theirs))
    ours_counts = gpd.read_file(ours_out).set_index("ADM2_PCODE")["events"]
    qgis_counts = gpd.read_file(qgis_out).set_index("ADM2_PCODE")["NUMPOINTS"]
    differ = int((ours_counts.sort_index() != qgis_counts.sort_index()).sum())
    result |= paired(ours, theirs) | {"differ": differ}
    print(
        f"speed-up (median of pairs) {result['speedup_wall']:.1f}x wall-clock, "
        f"{result['speedup_cpu']:.1f}x CPU; regions whose counts differ: {differ}"
    )
    print(json.dumps(result))
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


def _line(label: str, runs: list) -> str:
    walls = ", ".join(f"{r[0]:.2f}" for r in runs)
    return (
        f"{label}: median {statistics.median(r[0] for r in runs):.2f} s wall-clock, "
        f"{statistics.median(r[1] for r in runs):.2f} s CPU (runs: {walls})"
    )


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
