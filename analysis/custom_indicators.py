"""The project's own indicators (layers/custom_indicators.py): columns of joined region tables
(poverty, homicide rate, school attendance…) put beside the harm indicators per region and,
with their weight and direction, into the harm index (docs/region_tables.md).

Values reach the indicator table's regions by region code, never by name or row order, so a
table joined to the municipalities also feeds a run on a copy of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.indicator_catalogue import INDICATOR_BY_COLUMN, INDICATORS, Indicator
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


# The columns of the indicator table before the project's own indicators are added.
IDENTITY_COLUMNS = ("code", "name", "parent_code")


@dataclass(frozen=True)
class TableIndicator(Indicator):
    """A project's own indicator: its unit is the analyst's text, so a '%' column is shown ×100
    only when its values are shares (0–1); a poverty index of 51.0 % stays 51.0."""

    shares: bool = False

    @property
    def display_scale(self) -> float:
        return 100.0 if self.unit.strip() == "%" and self.shares else 1.0


# The entries last built, by key: the results panel labels a run's own columns with them
# (analysis/result_labels.measure), as it labels the catalogue's.
SEEN: dict[str, TableIndicator] = {}


def table_entries(project, taken: set[str]) -> list[tuple[CustomIndicator, TableIndicator]]:
    """Each of the project's own indicators with its catalogue entry (key, label, unit,
    direction), the keys made unique against `taken` (which grows)."""
    out = []
    for indicator in getattr(project, "indicators", []) or []:
        key = indicator_key(indicator, taken)
        entry = TableIndicator(
            key,
            indicator.title,
            "outcome",
            indicator.unit,
            indicator.higher_is_worse,
            tr("From the joined table in layer {l!r}, column {c!r}.").format(
                l=indicator.layer, c=indicator.column
            ),
            shares=_shares(project, indicator),
        )
        out.append((indicator, entry))
        SEEN[key] = entry
    return out


def _shares(project, indicator: CustomIndicator) -> bool:
    """Whether every value of the indicator's column lies in 0–1 (a share, not a percent)."""
    layer = _layer(project, indicator.layer)
    if layer is None or indicator.column not in layer.data.columns:
        return False
    values = pd.to_numeric(layer.data[indicator.column], errors="coerce").to_numpy(float)
    values = values[np.isfinite(values)]
    return bool(len(values)) and bool(((values >= 0) & (values <= 1)).all())


def with_table_indicators(own: list[Indicator]) -> list[Indicator]:
    """The catalogue with the project's own indicators before the harm index and rank, the
    order the indicator table has."""
    return [*INDICATORS[:-2], *own, *INDICATORS[-2:]]


def project_catalogue(project) -> list[Indicator]:
    """The indicators a run on `project` shows, in the table's order, with the keys it gives
    the project's own indicators: for views that list indicators before any run."""
    if project is None:
        return list(INDICATORS)
    return with_table_indicators([e for _, e in table_entries(project, set(IDENTITY_COLUMNS))])


def add_table_indicators(
    project, out: pd.DataFrame, notes: list[str]
) -> tuple[list[Indicator], dict[str, float]]:
    """Add a column to `out` (one row per region, its `code`) for each of the project's own
    indicators; returns their catalogue entries and harm-index weights."""
    entries: list[Indicator] = []
    weights: dict[str, float] = {}
    for indicator, entry in table_entries(project, set(out.columns)):
        out[entry.column] = _values(project, indicator, out["code"], notes)
        entries.append(entry)
        weights[entry.column] = indicator.weight
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
