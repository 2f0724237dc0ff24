"""Run a script in a fresh Python process at the repository root and read the JSON it prints:
for what only shows in a new process (what a module declares at import, in which language)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def json_from_fresh_python(script: str, *args: str, timeout: float = 120) -> dict:
    """The JSON `script` prints on stdout, run with `args` as sys.argv[1:]; fails on an error."""
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=timeout,
    )
    return json.loads(done.stdout)
