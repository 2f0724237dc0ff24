"""AppState: the application's headless, evented state (napari's ViewerModel, glue's Application).

The project, its period, the selected features, the current layer and the language live here,
not in widgets. Every change goes through a method or setter that validates, stores, then
emits one named event on `state.events`; views subscribe to the events and never relay a
change to each other by hand. Nothing here imports Qt: the CLI and the tests drive it as the
desktop does.

    state = AppState()
    state.events.period.connect(canvas.redraw)
    state.open_project("sample.hatlas.json")
    state.set_period("2016-2020")
    state.select("Municipios (ADM2)", [0, 3])
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TextIO

import numpy as np
from psygnal import Signal, SignalGroup

from layers.command_support import open_project
from layers.errors import ProjectError
from layers.i18n import set_language, tr
from layers.layer import Layer, is_raster
from layers.project import Project
from layers.timefilter import TimeFilter

_LANGUAGE = re.compile(r"[a-z]{2,3}([_-][A-Za-z]{2,4})?")
_NO_ROWS = np.empty(0, dtype=np.int64)


class StateEvents(SignalGroup):
    """One signal per part of the state; `state.events.connect(cb)` hears all of them."""

    project = Signal(object)  # the new Project, or None when closed
    period = Signal(object)  # the TimeFilter, or None for all dates
    selection = Signal(str, object, str)  # layer name, its selected rows, who changed it
    current_layer = Signal(object)  # the Layer, or None
    language = Signal(str)  # the language code


class AppState:
    """What the user has open and chosen; Qt-free, evented through `events`."""

    def __init__(self, project: Project | None = None, language: str = "en") -> None:
        self.events = StateEvents()
        self._project: Project | None = None
        self._period: TimeFilter | None = None
        self._selection: dict[int, np.ndarray] = {}  # layer.id: sorted row positions
        self._current: Layer | None = None
        self._language = language
        if project is not None:
            self.set_project(project)

    # --- project ------------------------------------------------------------------------
    @property
    def project(self) -> Project | None:
        return self._project

    @property
    def layers(self) -> list[Layer]:
        return list(self._project.layers) if self._project is not None else []

    def open_project(
        self,
        path: str | Path | None,
        *,
        stream: TextIO | None = None,
        wanted: Callable[[dict], bool] | None = None,
    ) -> Project:
        """Open the project at `path` (None: the default project) through the one loader.

        Raises layers.errors.ProjectError when the file cannot be read; layers that failed
        are warnings on `stream` (stderr) and stay in `project.load_errors`.
        """
        project = open_project(path, stream=stream, wanted=wanted)
        if project is None:  # only when asked not to fall back on the default: never here
            raise ProjectError(tr("No project given: name one with --project FILE."))
        self.set_project(project)
        return project

    def set_project(self, project: Project | None) -> None:
        """Make `project` the open one: selection and current layer start empty, the period
        is the project's own."""
        if project is not None and not isinstance(project, Project):
            raise TypeError(f"Not a project: {project!r}")  # a programming error, not the user's
        if project is self._project:
            return
        self.clear_selection(source="project")
        self.set_current_layer(None)
        if self._project is not None:
            self._project.layers.removed.disconnect(self._layer_removed)
        self._project = project
        if project is not None:
            project.layers.removed.connect(self._layer_removed)
        self.events.project.emit(project)
        self._store_period(project.time_filter if project is not None else None)

    def save_project(self, path: str | Path | None = None) -> Path:
        """Save the open project atomically (to `path`, else where it was opened)."""
        if self._project is None:
            raise ProjectError(tr("No project is open."))
        return self._project.save(path)

    def _layer_removed(self, _index: int, layer: Layer) -> None:
        # A removed layer takes its selection with it, and stops being current.
        if self._selection.pop(layer.id, None) is not None:
            self.events.selection.emit(layer.name, _NO_ROWS, "")
        if self._current is layer:
            self.set_current_layer(None)

    # --- period -------------------------------------------------------------------------
    @property
    def period(self) -> TimeFilter | None:
        return self._period

    def set_period(self, period: TimeFilter | str | None) -> None:
        """The period every dated layer is shown and exported for: a TimeFilter, text such as
        '2019', '2016-2020' or '2019-03-01..2020-02-29', or None for all dates."""
        if isinstance(period, str):
            period = TimeFilter.parse(period)  # ValueError saying how to write it
        if period is not None and not isinstance(period, TimeFilter):
            raise TypeError(f"Not a period: {period!r}")
        if period is not None and period.start and period.end and period.start > period.end:
            raise ValueError(
                tr("The period ends ({e}) before it starts ({s}).").format(
                    e=period.end, s=period.start
                )
            )
        self._store_period(period)

    def _store_period(self, period: TimeFilter | None) -> None:
        if self._project is not None:
            self._project.time_filter = period  # saved with the project
        if period != self._period:
            self._period = period
            self.events.period.emit(period)

    # --- selection ----------------------------------------------------------------------
    @property
    def selection(self) -> dict[str, np.ndarray]:
        """Layer name -> selected feature ids (row positions in `layer.data`, sorted)."""
        return {
            layer.name: self._selection[layer.id]
            for layer in self.layers
            if layer.id in self._selection
        }

    def selected(self, layer: Layer | str) -> np.ndarray:
        """The selected rows of one layer (empty when none)."""
        return self._selection.get(self._layer(layer).id, _NO_ROWS)

    def select(self, layer: Layer | str, ids: Iterable[int], source: str = "") -> None:
        """Select exactly these features of `layer` (row positions); [] clears the layer's.

        `source` names the view that made the change, so it can ignore its own echo.
        """
        target = self._layer(layer)
        if is_raster(target):  # pixels, no features: nothing to select, clearing is a no-op
            if (ids.size if isinstance(ids, np.ndarray) else len(list(ids))) == 0:
                return
            raise ValueError(
                tr("Layer {name!r} is a raster: it has no features to select.").format(
                    name=target.name
                )
            )
        if isinstance(ids, np.ndarray) and ids.dtype.kind in "iu":  # 500k rows: no Python loop
            rows = np.unique(ids.astype(np.int64, copy=False))
        else:
            rows = np.unique(np.fromiter((int(i) for i in ids), dtype=np.int64))
        outside = rows[(rows < 0) | (rows >= len(target.data))]
        if outside.size:
            raise ValueError(
                tr(
                    "Layer {name!r} has {n} features (0 to {last}); there is no feature {ids}."
                ).format(
                    name=target.name,
                    n=len(target.data),
                    last=len(target.data) - 1,
                    ids=", ".join(map(str, outside[:5])),
                )
            )
        if np.array_equal(rows, self._selection.get(target.id, _NO_ROWS)):
            return
        if rows.size:
            self._selection[target.id] = rows
        else:
            self._selection.pop(target.id, None)
        self.events.selection.emit(target.name, rows, source)

    def clear_selection(self, layer: Layer | str | None = None, source: str = "") -> None:
        """Deselect one layer's features, or every layer's."""
        targets = [self._layer(layer)] if layer is not None else self.layers
        for target in (t for t in targets if not is_raster(t)):
            self.select(target, [], source)

    # --- current layer ------------------------------------------------------------------
    @property
    def current_layer(self) -> Layer | None:
        return self._current

    def set_current_layer(self, layer: Layer | str | None) -> None:
        """The layer the user works on (the layer panel's current row), by object or name."""
        target = None if layer is None else self._layer(layer)
        if target is not self._current:
            self._current = target
            self.events.current_layer.emit(target)

    # --- language -----------------------------------------------------------------------
    @property
    def language(self) -> str:
        return self._language

    def set_language(self, code: str) -> None:
        """Switch the interface language ('en', 'es', 'pt_BR'); unknown catalogues fall back
        to English."""
        code = str(code).strip()
        if not _LANGUAGE.fullmatch(code):
            raise ValueError(
                tr("Not a language code: {c!r}. Use e.g. 'en' or 'es'.").format(c=code)
            )
        if code != self._language:
            set_language(code)
            self._language = code
            self.events.language.emit(code)

    # --- helpers ------------------------------------------------------------------------
    def _layer(self, layer: Layer | str) -> Layer:
        """The open project's layer, by object or name; ProjectError naming the layers."""
        if self._project is None:
            raise ProjectError(tr("No project is open."))
        if isinstance(layer, Layer) or is_raster(layer):
            if layer not in self._project.layers:
                raise ProjectError(
                    tr("Layer {name!r} is not in the open project.").format(name=layer.name)
                )
            return layer
        return self._project.layer(str(layer))
