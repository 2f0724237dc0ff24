"""The desktop canvas at scale: time from a pan or zoom to the new image, and GUI gaps.

benchmarks/ must not import Qt or desktop/ (tests/unit/test_architecture.py), so this
launches desktop/render_benchmark.py in its own interpreter.
Run: python -m benchmarks.bench_desktop_render [--pause MS] [--each]
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    command = [sys.executable, "-m", "desktop.render_benchmark", *sys.argv[1:]]
    return subprocess.run(command, cwd=ROOT, env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
