"""Indicators the analyst adds from a joined region table: a numeric column of a layer, its
direction (higher is worse or better), unit and weight in the harm index. The project keeps
them (`indicators` in the project file: absent in older projects, which open unchanged); the
indicators analysis reads them (analysis/custom_indicators.py, docs/region_tables.md).
"""

from __future__ import annotations

import math
import weakref
from dataclasses import asdict, dataclass
from typing import Any

from layers.errors import ProjectError
from layers.i18n import tr


@dataclass
class CustomIndicator:
    """A column of a layer used as an indicator per region."""

    layer: str  # the layer's name in the project
    column: str
    label: str = ""  # shown in tables and the briefing; the column's name when empty
    higher_is_worse: bool = True  # False for goods (school attendance, coverage)
    unit: str = ""
    weight: float = 1.0  # in the harm index; 0 = shown, not summed
    code_column: str = ""  # the layer's region code column; empty: its mapped region_code

    @property
    def title(self) -> str:
        return self.label or self.column

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict, where: str = "indicators[0]") -> CustomIndicator:
        """The indicator `data` describes; ProjectError naming the field when it is wrong."""
        if not isinstance(data, dict):
            raise _wrong(where, tr("an object {…}"), data)
        for key in ("layer", "column"):
            if not isinstance(data.get(key), str) or not data[key]:
                raise _wrong(f"{where}.{key}", tr("text"), data.get(key))
        for key in ("label", "unit", "code_column"):
            if data.get(key) is not None and not isinstance(data[key], str):
                raise _wrong(f"{where}.{key}", tr("text"), data[key])
        worse = data.get("higher_is_worse", True)
        if not isinstance(worse, bool):
            raise _wrong(f"{where}.higher_is_worse", tr("true or false"), worse)
        weight = data.get("weight", 1.0)
        if (
            isinstance(weight, bool)
            or not isinstance(weight, int | float)
            or not math.isfinite(weight)
            or weight < 0
        ):
            raise _wrong(f"{where}.weight", tr("a number from 0"), weight)
        return cls(
            layer=data["layer"],
            column=data["column"],
            label=data.get("label") or "",
            higher_is_worse=worse,
            unit=data.get("unit") or "",
            weight=float(weight),
            code_column=data.get("code_column") or "",
        )


def _wrong(where: str, expected: str, value: Any) -> ProjectError:
    got = repr(value)[:40]
    return ProjectError(
        tr(
            "The project file is damaged or was edited by hand: {where} should be {expected}, "
            "not {got}. Open a backup or its autosave, or fix that field."
        ).format(where=where, expected=expected, got=got)
    )


def indicators_from(data: Any) -> list[CustomIndicator]:
    """The project file's `indicators` list (none in older projects)."""
    if data is None:
        return []
    if not isinstance(data, list):
        raise _wrong("indicators", tr("a list […]"), data)
    return [CustomIndicator.from_dict(item, f"indicators[{i}]") for i, item in enumerate(data)]


def follow_layers(project: Any) -> None:
    """Keep the project's indicators linked to their layers, which they name: a rename (and its
    undo) carries them along; a removed layer takes its indicators with it and brings them back
    when it is put back (an undone addition, an undone removal). Without this a renamed joined
    layer left its indicators empty with a note, and an undone join left indicators of nothing."""
    layers = project.layers
    names: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary({x: x.name for x in layers})
    stash: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def named_elsewhere(layer: Any, name: str) -> bool:
        return any(other is not layer and other.name == name for other in layers)

    def renamed(layer: Any, attribute: str) -> None:
        if attribute != "name":
            return
        old, names[layer] = names.get(layer), layer.name
        if old is None or old == layer.name or named_elsewhere(layer, old):
            return
        for indicator in project.indicators:
            if indicator.layer == old:
                indicator.layer = layer.name

    def removed(_index: int, layer: Any) -> None:
        names.pop(layer, None)
        if named_elsewhere(layer, layer.name):
            return
        mine = [i for i in project.indicators if i.layer == layer.name]
        if mine:
            stash[layer] = mine
            project.indicators[:] = [i for i in project.indicators if i.layer != layer.name]

    def inserted(_index: int, layer: Any) -> None:
        names[layer] = layer.name
        for indicator in stash.pop(layer, []):
            indicator.layer = layer.name  # AddLayers' redo may have made the name unique
            if indicator not in project.indicators:
                project.indicators.append(indicator)

    layers.layer_changed.connect(renamed)
    layers.removed.connect(removed)
    layers.inserted.connect(inserted)
