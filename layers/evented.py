"""What every layer kind shares in the model: a name, visibility, opacity and style, evented.

Setters validate, store, then emit `changed(attribute_name)` (name, visibility and opacity only
when the value changes), so a view can subscribe to vector and raster layers alike.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

from psygnal import Signal

from layers.report import LoadReport

T = TypeVar("T")
StyleT = TypeVar("StyleT")


class Evented(Generic[T]):
    """A layer attribute kept in `_<attr>`: a set value goes through `convert` (which may raise
    ValueError) and `changed(attr)` is emitted when it differs from the stored one."""

    def __init__(self, convert: Callable[[Any], T]) -> None:
        self.convert = convert
        self.attr = ""

    def __set_name__(self, owner: type, attr: str) -> None:
        self.attr = attr

    @overload
    def __get__(self, layer: None, owner: type | None = None) -> Evented[T]: ...
    @overload
    def __get__(self, layer: object, owner: type | None = None) -> T: ...
    def __get__(self, layer, owner=None):
        return self if layer is None else getattr(layer, "_" + self.attr)

    def __set__(self, layer: EventedLayer, value: Any) -> None:
        layer._set(self.attr, self.convert(value))


def valid_name(value: object) -> str:
    name = str(value).strip()
    if not name:
        raise ValueError("A layer name cannot be empty.")
    return name


def valid_opacity(value: object) -> float:
    value = float(value)
    if not 0.0 <= value <= 1.0:
        raise ValueError("Opacity must be between 0 and 1.")
    return value


class EventedLayer(Generic[StyleT]):
    """Base of layers.layer.Layer and layers.raster.RasterLayer: the name, visibility, opacity
    and style a view edits, and the load report and metadata every layer carries. Each kind
    sets its own default `_style` (layers.style.Style or layers.raster_style.RasterStyle)."""

    changed = Signal(str)
    name = Evented(valid_name)
    visible = Evented(bool)
    opacity = Evented(valid_opacity)
    _style: StyleT

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
    def style(self) -> StyleT:
        return self._style

    @style.setter
    def style(self, value: StyleT) -> None:
        # Always announced: an edited style may compare equal to the one it replaces.
        self._style = value
        self.changed.emit("style")
