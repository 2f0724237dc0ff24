"""Desktop responsiveness while a big layer loads (thread vs child process).

benchmarks/ must not import Qt or desktop/ (tests/unit/test_architecture.py), so this
launches desktop/load_benchmark.py in its own interpreter.
Run: python -m benchmarks.bench_desktop_load [N polygons, default 400000]
     python -m benchmarks.bench_desktop_load --project PATH [--screenshot PNG]  (open a project
     in the main window: per-layer load times, load -> first image, GUI gaps)
"""

from __future__ import annotations

import sys

from benchmarks.desktop_launch import launch

if __name__ == "__main__":
    sys.exit(launch("desktop.load_benchmark"))
