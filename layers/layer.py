"""Layer and LayerList: the Qt-free, evented data model every view subscribes to."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from psygnal import Signal
from pyproj import CRS

from layers.evented import Evented, EventedLayer
from layers.report import LoadReport
from layers.roles import FieldMapping, Role
from layers.style import Style, default_style

if TYPE_CHECKING:
    import geopandas as gpd

_ids = itertools.count(1)


@dataclass
class LayerSource:
    """Where a layer came from, enough to read it again (projects store this)."""

    path: str = ""
    sublayer: str | None = None
    options: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"path": self.path, "sublayer": self.sublayer, "options": dict(self.options)}

    @classmethod
    def from_dict(cls, data: dict | None) -> LayerSource:
        data = data or {}
        return cls(data.get("path", ""), data.get("sublayer"), dict(data.get("options", {})))


class Layer(EventedLayer[Style]):
    """A GeoDataFrame with what the analyst knows about it.

    Setters validate, store, then emit `changed(attribute_name)`; the model never holds a widget.
    """

    role = Evented(Role)  # a Role or its value

    def __init__(
        self,
        data: gpd.GeoDataFrame,
        name: str,
        *,
        source: LayerSource | None = None,
        role: Role = Role.OTHER,
        role_confidence: float = 0.0,
        mapping: FieldMapping | None = None,
        style: Style | None = None,
        visible: bool = True,
        opacity: float = 1.0,
        report: LoadReport | None = None,
        metadata: dict | None = None,
    ) -> None:
        super().__init__(name, visible=visible, opacity=opacity, report=report, metadata=metadata)
        self.id = next(_ids)
        self._data = data
        self.source = source or LayerSource()
        self._role = Role(role)
        self.role_confidence = role_confidence
        self._mapping = mapping or FieldMapping()
        self._style = style or default_style(self._role)
        self._metric_cache: tuple[str, gpd.GeoDataFrame] | None = None

    def __repr__(self) -> str:
        return f"<Layer {self._name!r} role={self._role.value} n={len(self._data)}>"

    # --- data -------------------------------------------------------------------------
    @property
    def data(self) -> gpd.GeoDataFrame:
        return self._data

    @data.setter
    def data(self, value: gpd.GeoDataFrame) -> None:
        self._data = value
        self._metric_cache = None
        self.changed.emit("data")

    @property
    def crs(self) -> CRS | None:
        return None if self._data.crs is None else CRS.from_user_input(self._data.crs)

    def to_metric(self, crs: CRS) -> gpd.GeoDataFrame:
        """The data in the project's metric CRS, cached until the data changes."""
        key = crs.to_wkt()
        if self._metric_cache is None or self._metric_cache[0] != key:
            gdf = (
                self._data
                if self.crs is not None and self.crs.equals(crs)
                else self._data.to_crs(crs)
            )
            self._metric_cache = (key, gdf)
        return self._metric_cache[1]

    @property
    def geometry_types(self) -> list[str]:
        return sorted(set(self._data.geom_type.dropna().unique()))

    @property
    def geometry_kind(self) -> str:
        """'point', 'line', 'polygon' or 'mixed' (drawing and analyses branch on this)."""
        kinds = {t.replace("Multi", "").lower() for t in self.geometry_types}
        kinds = {"line" if k == "linestring" else k for k in kinds}
        return kinds.pop() if len(kinds) == 1 else ("mixed" if kinds else "empty")

    # --- evented attributes (name, visible, opacity and style come from EventedLayer) --
    @property
    def mapping(self) -> FieldMapping:
        return self._mapping

    @mapping.setter
    def mapping(self, value: FieldMapping) -> None:
        missing = [c for c in value.fields.values() if c not in self._data.columns]
        if missing:
            raise ValueError(f"Fields not in layer {self._name!r}: {', '.join(missing)}")
        self._mapping = value
        self.changed.emit("mapping")

    def field(self, key: str) -> str | None:
        """The source column mapped to canonical `key`, if any."""
        return self._mapping.get(key)


def is_raster(layer: object) -> bool:
    """A raster layer (layers.raster.RasterLayer): pixels read in windows, no features."""
    return getattr(layer, "kind", None) == "raster"


class LayerList:
    """Ordered layers (index 0 is drawn first, at the bottom) with a selection.

    Vector Layers and RasterLayers share one draw order; code that needs features takes
    `vectors()` (rasters have no `.data`, role or mapping).

    Emits inserted(index, layer), removed(index, layer), moved(old, new),
    layer_changed(layer, attribute) and selection_changed(list_of_layers).
    """

    inserted = Signal(int, object)
    removed = Signal(int, object)
    moved = Signal(int, int)
    layer_changed = Signal(object, str)
    selection_changed = Signal(list)

    def __init__(self, layers: Iterable[Layer] = ()) -> None:
        self._layers: list[Layer] = []
        self._selection: list[Layer] = []
        self._relays: dict[int, object] = {}
        for layer in layers:
            self.append(layer)

    def __len__(self) -> int:
        return len(self._layers)

    def __iter__(self) -> Iterator[Layer]:
        return iter(list(self._layers))

    def __getitem__(self, key: int | str) -> Layer:
        if isinstance(key, str):
            for layer in self._layers:
                if layer.name == key:
                    return layer
            raise KeyError(key)
        return self._layers[key]

    def __contains__(self, layer: object) -> bool:
        return layer in self._layers

    def index(self, layer: Layer) -> int:
        return self._layers.index(layer)

    def names(self) -> list[str]:
        return [layer.name for layer in self._layers]

    def unique_name(self, name: str) -> str:
        names, candidate, n = set(self.names()), name, 2
        while candidate in names:
            candidate, n = f"{name} ({n})", n + 1
        return candidate

    def insert(self, index: int, layer: Layer) -> None:
        if layer in self._layers:
            raise ValueError(f"Layer {layer.name!r} is already in the list.")
        index = max(0, min(index, len(self._layers)))
        self._layers.insert(index, layer)
        self._relays[layer.id] = relay = self._relay(layer)
        layer.changed.connect(relay)
        self.inserted.emit(index, layer)

    def append(self, layer: Layer) -> None:
        self.insert(len(self._layers), layer)

    def remove(self, layer: Layer) -> None:
        index = self._layers.index(layer)
        del self._layers[index]
        layer.changed.disconnect(self._relays.pop(layer.id))
        if layer in self._selection:
            self._selection.remove(layer)
            self.selection_changed.emit(list(self._selection))
        self.removed.emit(index, layer)

    def clear(self) -> None:
        for layer in reversed(list(self._layers)):
            self.remove(layer)

    def move(self, old: int, new: int) -> None:
        if old == new:
            return
        layer = self._layers.pop(old)
        new = max(0, min(new, len(self._layers)))
        self._layers.insert(new, layer)
        self.moved.emit(old, new)

    def vectors(self) -> list[Layer]:
        """The vector layers, in draw order (every layer with features)."""
        return [layer for layer in self._layers if not is_raster(layer)]

    def rasters(self) -> list:
        """The raster layers (layers.raster.RasterLayer), in draw order."""
        return [layer for layer in self._layers if is_raster(layer)]

    def by_role(self, role: Role | str) -> list[Layer]:
        role = Role(role)
        return [layer for layer in self.vectors() if layer.role == role]

    def first(self, role: Role | str) -> Layer | None:
        found = self.by_role(role)
        return found[0] if found else None

    @property
    def selection(self) -> list[Layer]:
        return list(self._selection)

    @selection.setter
    def selection(self, layers: Iterable[Layer]) -> None:
        chosen = [layer for layer in layers if layer in self._layers]
        if chosen != self._selection:
            self._selection = chosen
            self.selection_changed.emit(list(chosen))

    def _relay(self, layer: Layer):
        def relay(attribute: str) -> None:
            self.layer_changed.emit(layer, attribute)

        return relay
