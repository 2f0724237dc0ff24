"""What every layer kind shares in the model: a name, visibility and opacity, evented.

Setters validate, store, then emit `changed(attribute_name)` only when the value changes, so a
view can subscribe to vector and raster layers alike.
"""

from __future__ import annotations

from psygnal import Signal

from layers.report import LoadReport


class EventedLayer:
    """Base of layers.layer.Layer and layers.raster.RasterLayer: the name, visibility and
    opacity a view edits, and the load report and metadata every layer carries."""

    changed = Signal(str)

    def __init__(
        self,
        name: str,
        *,
        visible: bool = True,
        opacity: float = 1.0,
        report: LoadReport | None = None,
        metadata: dict | None = None,
    ) -> None:
        self._name = name
        self._visible = bool(visible)
        self._opacity = float(opacity)
        self.report = report or LoadReport()
        self.metadata: dict = dict(metadata or {})

    def _set(self, attr: str, value: object) -> None:
        if getattr(self, "_" + attr) != value:
            setattr(self, "_" + attr, value)
            self.changed.emit(attr)

    @property
    def name(self) -> str:
        return self._name

    @name.setter
    def name(self, value: str) -> None:
        value = str(value).strip()
        if not value:
            raise ValueError("A layer name cannot be empty.")
        self._set("name", value)

    @property
    def visible(self) -> bool:
        return self._visible

    @visible.setter
    def visible(self, value: bool) -> None:
        self._set("visible", bool(value))

    @property
    def opacity(self) -> float:
        return self._opacity

    @opacity.setter
    def opacity(self, value: float) -> None:
        value = float(value)
        if not 0.0 <= value <= 1.0:
            raise ValueError("Opacity must be between 0 and 1.")
        self._set("opacity", value)
