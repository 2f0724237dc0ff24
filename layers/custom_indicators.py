"""Indicators the analyst adds from a joined region table: a numeric column of a layer, its
direction (higher is worse or better), unit and weight in the harm index. The project keeps
them (`indicators` in the project file: absent in older projects, which open unchanged); the
indicators analysis reads them (analysis/custom_indicators.py, docs/region_tables.md).
"""

from __future__ import annotations

import math
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
