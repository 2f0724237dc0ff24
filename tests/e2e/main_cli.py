"""Run `python main.py ...` as an analyst types it, for the end-to-end tests."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def run_main(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """`python main.py ARGS...` from the repository root; output captured as text."""
    return subprocess.run(
        [sys.executable, "main.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def words(line: str, **values: Any) -> list[str]:
    """A command line split as a shell would, each {name} then filled from `values`.

    Filling after the split keeps a path or layer name with spaces one argument.
    """
    filled = {name: str(value) for name, value in values.items()}
    return [word.format(**filled) for word in shlex.split(line)]


def summary_of(done: subprocess.CompletedProcess) -> Any:
    """The --json output of a run that must have succeeded."""
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
