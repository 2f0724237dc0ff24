"""The project's own indicators (layers/custom_indicators.py): columns of joined region tables
(poverty, homicide rate, school attendance…) put beside the harm indicators per region and,
with their weight and direction, into the harm index (docs/region_tables.md).

Values reach the indicator table's regions by region code, never by name or row order, so a
table joined to the municipalities also feeds a run on a copy of them.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from analysis.indicator_catalogue import INDICATOR_BY_COLUMN, Indicator
from layers.custom_indicators import CustomIndicator
from layers.i18n import tr
from layers.layer import Layer, is_raster
from layers.region_codes import RegionCodes, parse_code
from layers.region_join import region_code_columns

# Columns of the indicator table a project's indicator may not take.
_RESERVED = frozenset({"code", "name", "parent_code", "geometry"})


def indicator_key(indicator: CustomIndicator, taken: set[str]) -> str:
    """The indicator's column in the table and its --weights key: the column's name, made
    safe, prefixed with table_ when it would clash with a built-in one."""
    key = re.sub(r"\W+", "_", indicator.column.strip()).strip("_").lower() or "indicator"
    if key in _RESERVED or key in INDICATOR_BY_COLUMN or key in taken:
        key = f"table_{key}"
    base, k = key, 2
    while key in taken:
        key, k = f"{base}_{k}", k + 1
    taken.add(key)
    return key


def add_table_indicators(
    project, out: pd.DataFrame, notes: list[str]
) -> tuple[list[Indicator], dict[str, float]]:
    """Add a column to `out` (one row per region, its `code`) for each of the project's own
    indicators; returns their catalogue entries and harm-index weights."""
    entries: list[Indicator] = []
    weights: dict[str, float] = {}
    taken: set[str] = set(out.columns)
    for indicator in getattr(project, "indicators", []) or []:
        key = indicator_key(indicator, taken)
        out[key] = _values(project, indicator, out["code"], notes)
        entries.append(
            Indicator(
                key,
                indicator.title,
                "outcome",
                indicator.unit,
                indicator.higher_is_worse,
                tr("From the joined table in layer {l!r}, column {c!r}.").format(
                    l=indicator.layer, c=indicator.column
                ),
            )
        )
        weights[key] = indicator.weight
    return entries, weights


def _values(project, indicator: CustomIndicator, codes: pd.Series, notes: list[str]) -> np.ndarray:
    """The indicator's value per region of `codes`; NaN (with a note) where none is known."""
    empty = np.full(len(codes), np.nan)
    layer = _layer(project, indicator.layer)
    if layer is None or indicator.column not in layer.data.columns:
        notes.append(
            tr("Indicator {i!r}: layer {l!r} or its column {c!r} is missing; left empty.").format(
                i=indicator.title, l=indicator.layer, c=indicator.column
            )
        )
        return empty
    code_column = indicator.code_column or next(iter(region_code_columns(layer)), None)
    if not code_column or code_column not in layer.data.columns:
        notes.append(
            tr("Indicator {i!r}: layer {l!r} has no region code column; left empty.").format(
                i=indicator.title, l=indicator.layer
            )
        )
        return empty
    values = pd.to_numeric(layer.data[indicator.column], errors="coerce").to_numpy(dtype=float)
    regions = RegionCodes(codes.tolist())
    out = empty.copy()
    filled = np.zeros(len(codes), dtype=bool)
    for value, raw in zip(values, layer.data[code_column].tolist(), strict=True):
        code = parse_code(raw)
        region = None if code is None else regions.match(code).region
        if region is not None and not filled[region]:  # the first row of a region counts
            out[region], filled[region] = value, True
    if not filled.any():
        notes.append(
            tr("Indicator {i!r}: no region code of layer {l!r} matches the regions.").format(
                i=indicator.title, l=indicator.layer
            )
        )
    return out


def _layer(project, name: str) -> Layer | None:
    try:
        layer = project.layers[name]
    except KeyError:
        return None
    return None if is_raster(layer) else layer
