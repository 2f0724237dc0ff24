"""Errors a user can cause, with what is wrong and what to do."""

from __future__ import annotations

from pathlib import Path


class LayerLoadError(Exception):
    """A file could not be read as a layer. `problem` says what, `remedy` what to do."""

    def __init__(self, path: str | Path, problem: str, remedy: str = "") -> None:
        self.path = str(path)
        self.problem = problem
        self.remedy = remedy
        super().__init__(self.one_line())

    def one_line(self) -> str:
        name = Path(self.path).name or self.path
        text = f"{name}: {self.problem}"
        if self.remedy:
            text += f" {self.remedy}"
        return text


class ProjectError(Exception):
    """A project file could not be read or written."""
