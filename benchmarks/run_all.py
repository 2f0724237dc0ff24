"""Run every benchmark in turn and print its figures (`make bench`); never part of `make test`."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# Order: cheap first, so a partial run still says something.
BENCHMARKS: list[tuple[str, list[str]]] = [
    ("bench_exports", []),
    ("bench_access", []),
    ("bench_render", []),
    ("bench_read_points", []),
    ("bench_count", []),  # compares with QGIS when qgis_process.bin is installed
    ("bench_desktop_load", []),
    ("bench_desktop_render", []),
    ("bench_webmap", []),  # the national web map: size, memory, Chromium draw time
    ("bench_kde", []),  # compares with QGIS when qgis_process.bin is installed
    ("bench_national", []),  # a whole country: every analysis, exports, briefing (minutes)
]


def main() -> int:
    failed = []
    for name, args in BENCHMARKS:
        if (
            name in ("bench_count", "bench_kde")
            and not shutil.which("qgis_process.bin")
            and not Path("/usr/bin/qgis_process.bin").exists()
        ):
            print(f"== {name}: QGIS is not installed (apt-get install qgis) — Harm Atlas alone:")
        else:
            print(f"== {name}")
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", f"benchmarks.{name}", *args], cwd=ROOT)
        print(f"   ({time.perf_counter() - start:.1f} s wall)\n")
        if done.returncode != 0:
            failed.append(name)
    if failed:
        print("Failed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
