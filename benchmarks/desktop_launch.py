"""Run a desktop benchmark in its own interpreter: benchmarks/ never imports Qt or desktop/."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def launch(module: str, args: Sequence[str] = ()) -> int:
    """`python -m module` with `args`, then this script's arguments, offscreen unless told
    otherwise."""
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    return subprocess.run(
        [sys.executable, "-m", module, *args, *sys.argv[1:]], cwd=ROOT, env=env
    ).returncode
