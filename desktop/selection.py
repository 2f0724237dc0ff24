"""Selected features per layer, for the canvas and the attribute table: a Qt face on the
selection that core.state.AppState holds, so every view hears one event from one place."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Signal

from core.state import AppState
from layers.layer import Layer

_NO_ROWS = np.empty(0, dtype=np.int64)


class FeatureSelection(QObject):
    """Reads and writes `state`'s selection; emits changed(layer_id, source) on every change
    of it (`source` names the view that made the change, so it can ignore its own echo)."""

    changed = Signal(int, str)

    def __init__(self, state: AppState | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = state or AppState()  # a canvas on its own (benchmarks): nothing selected
        self.state.events.selection.connect(self._state_changed)

    def _state_changed(self, layer_name: str, _rows: np.ndarray, source: str) -> None:
        project = self.state.project
        if project is None:
            return
        for layer in project.layers:
            if layer.name == layer_name:
                self.changed.emit(layer.id, source)
                return
        # A removed layer: no view shows it any more, but their counts change.
        self.changed.emit(-1, source)

    def _open(self, layer: Layer) -> bool:
        project = self.state.project
        return project is not None and layer in project.layers

    def rows(self, layer: Layer) -> np.ndarray:
        """The layer's selected row positions, sorted (none for a layer no longer open)."""
        return self.state.selected(layer) if self._open(layer) else _NO_ROWS

    def set(self, layer: Layer, positions, source: str = "") -> None:
        if self._open(layer):  # a view still showing a closed layer changes nothing
            self.state.select(layer, np.asarray(positions, dtype=np.int64), source)

    def clear(self, source: str = "") -> None:
        self.state.clear_selection(source=source)

    def as_dict(self) -> dict[int, np.ndarray]:
        """The renderer's `selection` argument: layer.id -> selected rows."""
        return {
            layer.id: rows
            for layer in self.state.layers
            if (rows := self.state.selected(layer)).size
        }

    def count(self) -> int:
        return int(sum(rows.size for rows in self.state.selection.values()))
