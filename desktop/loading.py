"""Loading files and projects off the GUI thread: the work functions the workers run.

Each function takes a Feedback, reports progress, and returns plain objects; the window
adds the layers on the GUI thread. Per-file errors are collected, never raised, so one
broken file does not stop the others.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pyproj import CRS

from analysis.base import Feedback
from layers.errors import LayerLoadError
from layers.i18n import tr
from layers.layer import Layer
from layers.project import Project

LAYER_FILE_FILTER = tr(
    "Vector layers (*.gpkg *.shp *.geojson *.json *.fgb *.csv *.xlsx *.kml *.gml *.zip);;"
    "All files (*)"
)


def layer_reader() -> Callable[..., list[Layer]]:
    """The readers helper's read_layers (the one reader for every front end)."""
    from layers.readers import read_layers

    return read_layers


def warm(layers: Sequence[Layer], crs: CRS | None, feedback: Feedback | None = None) -> None:
    """Reproject and index on the worker so the first draw on the GUI thread is cheap."""
    if crs is None:
        return
    for layer in layers:
        if feedback is not None:
            feedback.check()
        try:
            metric = layer.to_metric(crs)
            if not metric.empty:
                metric.sindex  # noqa: B018 - build the spatial index now, not at first identify
        except Exception:  # noqa: BLE001 - warming is an optimisation; drawing reports real errors
            pass


@dataclass
class LoadOutcome:
    layers: list[Layer] = field(default_factory=list)
    errors: list[LayerLoadError] = field(default_factory=list)


def load_files(
    paths: Sequence[str | Path], feedback: Feedback, crs: CRS | None = None
) -> LoadOutcome:
    """Read every path; a broken file becomes a LayerLoadError in the outcome."""
    reader = layer_reader()
    outcome = LoadOutcome()
    for i, path in enumerate(paths):
        feedback.check()
        feedback.set_progress(100.0 * i / max(1, len(paths)), Path(path).name)
        try:
            outcome.layers.extend(reader(Path(path)))
        except LayerLoadError as exc:
            outcome.errors.append(exc)
        except Exception as exc:  # noqa: BLE001 - the reader boundary: any failure is a message
            outcome.errors.append(
                LayerLoadError(
                    path,
                    tr("could not be read ({e}).").format(e=f"{type(exc).__name__}: {exc}"),
                    tr("Check that the file opens in another GIS; if it does, report this."),
                )
            )
    warm(outcome.layers, crs, feedback)
    feedback.set_progress(100.0, "")
    return outcome


def load_project(path: str | Path, feedback: Feedback) -> Project:
    """Read a project and its layers (missing layers land in project.load_errors)."""

    def progress(i: int, n: int, name: str) -> None:
        feedback.check()
        feedback.set_progress(100.0 * i / max(1, n), name)

    project = Project.load(path, reader=layer_reader(), on_progress=progress)
    warm(list(project.layers), project.metric_crs, feedback)
    return project
