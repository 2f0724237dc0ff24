"""The desktop canvas at scale: time from a pan or zoom to the new image, and GUI gaps.

benchmarks/ must not import Qt or desktop/ (tests/unit/test_architecture.py), so this
launches desktop/render_benchmark.py in its own interpreter.
Run: python -m benchmarks.bench_desktop_render [--pause MS] [--each]
"""

from __future__ import annotations

import sys

from benchmarks.desktop_launch import launch

if __name__ == "__main__":
    sys.exit(launch("desktop.render_benchmark"))
