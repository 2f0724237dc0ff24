"""What every sub-command shares: opening a project and saying what did not load."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from layers.errors import ProjectError
from layers.i18n import tr
from layers.project import Project

# The project opened when none is named. The entry point (main.py) sets it to the sample, so
# no package imports sample_maps (the import contracts in pyproject.toml forbid it).
_default_project: Path | None = None


def set_default_project(path: str | Path | None) -> None:
    """Name the project that commands and the desktop open when given none (main: the sample)."""
    global _default_project
    _default_project = Path(path) if path else None


def default_project() -> Path | None:
    """The project opened when none is named; None when the entry point named none."""
    return _default_project


def open_project(
    path: str | Path | None,
    *,
    sample_when_missing: bool = True,
    stream: TextIO | None = None,
    wanted: Callable[[dict], bool] | None = None,
) -> Project | None:
    """The project at `path` (else the default project, the sample, or None); each layer that
    failed is a warning.

    Raises ProjectError when the project file itself cannot be read, or when no project is
    named and there is no default.
    """
    if not path:
        if not sample_when_missing:
            return None
        if _default_project is None:
            raise ProjectError(tr("No project given: name one with --project FILE."))
        path = _default_project
    project = Project.load(path, wanted=wanted)
    for err in project.load_errors:  # a missing layer must never vanish silently
        print(tr("Warning: {e}").format(e=err.one_line()), file=stream or sys.stderr)
    return project
