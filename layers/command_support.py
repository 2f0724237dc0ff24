"""What every sub-command shares: opening a project and saying what did not load."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from layers.i18n import tr
from layers.project import Project


def open_project(
    path: str | Path | None, *, sample_when_missing: bool = True, stream: TextIO | None = None
) -> Project | None:
    """The project at `path` (else the sample, or None); each layer that failed is a warning.

    Raises ProjectError when the project file itself cannot be read.
    """
    if not path:
        if not sample_when_missing:
            return None
        from sample_maps import SAMPLE_PROJECT

        path = SAMPLE_PROJECT
    project = Project.load(path)
    for err in project.load_errors:  # a missing layer must never vanish silently
        print(tr("Warning: {e}").format(e=err.one_line()), file=stream or sys.stderr)
    return project
