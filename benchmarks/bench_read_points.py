"""How long read_layers takes on 1,000,000 points from a GeoPackage, and how much memory.

    python -m benchmarks.bench_read_points [--points N] [--repeat 3] [--format gpkg|csv]

Times the whole reader (Arrow read, validity checks, CRS rules, role detection, date
parsing); peak memory twice: Python-tracked allocations (tracemalloc, includes NumPy) and
the process's peak resident size (getrusage, includes GDAL and Arrow buffers).
"""

from __future__ import annotations

import argparse
import gc
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pandas as pd
import pyogrio

from layers.readers import read_layers


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024**2 if sys.platform == "darwin" else peak / 1024  # bytes vs KiB


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/data"))
    parser.add_argument(
        "--format", choices=("gpkg", "csv"), default="gpkg", help="csv: ACLED-style table"
    )
    args = parser.parse_args(argv)

    path = args.out / f"points_{args.points}.{args.format}"
    if not path.exists():
        # Generate in a child process so its memory does not inflate this one's peak RSS.
        maker = "points_file" if args.format == "gpkg" else "points_csv"
        code = f"from benchmarks.generate import {maker}; {maker}({args.points}, {str(args.out)!r})"
        subprocess.run([sys.executable, "-c", code], check=True)
    print(f"file: {path} ({path.stat().st_size / 1e6:.1f} MB, {args.points:,} points)")
    gc.collect()
    rss_before = _peak_rss_mb()

    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        layers = read_layers(path)
        times.append(time.perf_counter() - start)
        layer = layers[0]
        assert len(layer.data) == args.points, len(layer.data)
        del layers, layer
        gc.collect()
    rss_after = _peak_rss_mb()

    # The floor: the bare library read, without the reader's checks, repairs and detection.
    start = time.perf_counter()
    if args.format == "gpkg":
        pyogrio.read_dataframe(path, use_arrow=True)
    else:
        pd.read_csv(path, low_memory=False)
    floor = time.perf_counter() - start
    gc.collect()

    tracemalloc.start()
    layer = read_layers(path)[0]
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    print(
        f"role detected: {layer.role.value} ({layer.role_confidence:.2f}), "
        f"mapping {layer.mapping.fields}"
    )
    print(
        f"read_layers: best {min(times):.2f} s, median {statistics.median(times):.2f} s "
        f"over {args.repeat} runs ({args.points / min(times) / 1e6:.2f} M points/s)"
    )
    bare = "pyogrio.read_dataframe(use_arrow)" if args.format == "gpkg" else "pandas.read_csv"
    print(f"{bare} alone: {floor:.2f} s")
    print(f"peak Python-tracked memory during one read: {traced_peak / 1e6:.0f} MB")
    print(f"peak process RSS: {rss_after:.0f} MB (was {rss_before:.0f} MB before reading)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
