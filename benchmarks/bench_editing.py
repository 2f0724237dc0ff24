"""Following the mouse while editing the national project (issue 18): process time per mouse
move of the add tool with snapping and of the vertex tool, on the real canvas.

benchmarks/ must not import Qt or desktop/, so this launches desktop/edit_benchmark.py in its
own interpreter (offscreen). Run: python -m benchmarks.bench_editing [--moves 200] [--profile]
"""

from __future__ import annotations

import sys

from benchmarks.desktop_launch import launch

if __name__ == "__main__":
    sys.exit(launch("desktop.edit_benchmark"))
