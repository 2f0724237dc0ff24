"""Selected features per layer: one object the canvas and the attribute table both follow."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Signal

from layers.layer import Layer


class FeatureSelection(QObject):
    """layer.id -> sorted row positions; emits changed(layer_id, source) on every change.

    `source` names the view that made the change, so it can ignore its own echo.
    """

    changed = Signal(int, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: dict[int, np.ndarray] = {}

    def rows(self, layer: Layer) -> np.ndarray:
        return self._rows.get(layer.id, np.empty(0, dtype=np.int64))

    def set(self, layer: Layer, positions, source: str = "") -> None:
        rows = np.unique(
            np.asarray(
                list(positions) if not hasattr(positions, "__array__") else positions,
                dtype=np.int64,
            )
        )
        if np.array_equal(rows, self.rows(layer)):
            return
        if rows.size:
            self._rows[layer.id] = rows
        else:
            self._rows.pop(layer.id, None)
        self.changed.emit(layer.id, source)

    def clear(self, source: str = "") -> None:
        for layer_id in list(self._rows):
            del self._rows[layer_id]
            self.changed.emit(layer_id, source)

    def forget(self, layer: Layer) -> None:
        if self._rows.pop(layer.id, None) is not None:
            self.changed.emit(layer.id, "")

    def as_dict(self) -> dict[int, np.ndarray]:
        """The renderer's `selection` argument."""
        return dict(self._rows)

    def count(self) -> int:
        return int(sum(r.size for r in self._rows.values()))
