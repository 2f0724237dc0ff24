"""What the briefing pack shows, before any drawing: the indicator table per region (one
computation for every page), the regions and their parents, the pair the comparison page
sets side by side and its reading, and the yearly series of the trends page.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from analysis.base import Feedback
from analysis.indicator_catalogue import INDICATORS, Indicator
from cartography.export import ExportError
from layers.i18n import tr
from layers.numbers import number, quantity
from layers.roles import Role
from layers.timefilter import TimeFilter, layer_dates


class BriefingError(ExportError):
    """A user-fixable briefing problem (unknown region, no admin layer, bad period)."""


def compute_table(
    project, tf: TimeFilter | None, feedback: Feedback, regions_layer=None
) -> pd.DataFrame:
    """Indicators per region (default: the finest admin layer), indexed by upper-case code."""
    from analysis.base import Canceled
    from analysis.indicators import compute_indicators

    try:
        frame = compute_indicators(project, regions_layer, years=tf, feedback=feedback)
    except Canceled:
        raise
    except (ValueError, KeyError) as exc:  # InputError is a ValueError: missing layer/field
        raise BriefingError(tr("Could not compute the indicators: {e}").format(e=exc)) from None
    if hasattr(frame, "geometry") and "geometry" in frame.columns:
        frame = pd.DataFrame(frame.drop(columns="geometry"))
    code_col = next((c for c in ("code", "region_code") if c in frame.columns), None)
    if code_col is None:
        raise BriefingError(tr("The indicator table has no region code column."))
    frame = frame.copy()
    frame.index = frame[code_col].astype(str).str.strip().str.upper()
    return frame


def units_layer_of(project):
    """Regions (finest admin layer with codes) for the overview choropleth and pages."""
    from cartography.export import admin_layers

    layers = admin_layers(project)
    if not layers:
        raise BriefingError(
            tr(
                "The project has no administrative regions layer with a region code field: "
                "load one (role 'admin_boundaries') and map its code column."
            )
        )
    return layers[0]


def indicator_columns(table: pd.DataFrame, group: str) -> list[Indicator]:
    """The table's indicators of `group` with values: the catalogue's and the project's own
    from joined tables (the table's attrs list both, in order)."""
    shown = table.attrs.get("indicators") or INDICATORS
    return [
        i
        for i in shown
        if i.group == group and i.column in table.columns and table[i.column].notna().any()
    ]


def yearly_series(project, tf: TimeFilter | None) -> dict[str, pd.Series]:
    """Totals per year: violent events, cultivation hectares, hectares eradicated."""
    out: dict[str, pd.Series] = {}
    counts: dict[int, float] = {}
    from analysis.indicators import violent_mask

    for layer in project.layers.by_role(Role.VIOLENCE):
        dates = layer_dates(layer)
        if dates is not None:  # violence only, as the indicators count it (no protests)
            dates = dates[violent_mask(layer)]
            for year, n in dates.dt.year.dropna().astype(int).value_counts().items():
                counts[int(year)] = counts.get(int(year), 0) + float(n)
    if counts:
        out["violence"] = pd.Series(counts).sort_index()
    ha: dict[int, float] = {}
    for layer in project.layers.by_role(Role.CULTIVATION):
        for year, col in layer.mapping.year_columns.items():
            if col in layer.data.columns:
                ha[year] = ha.get(year, 0.0) + float(
                    pd.to_numeric(layer.data[col], errors="coerce").fillna(0).sum()
                )
        hcol, dates = layer.field("hectares"), layer_dates(layer)
        if not layer.mapping.year_columns and hcol in layer.data.columns and dates is not None:
            vals = pd.to_numeric(layer.data[hcol], errors="coerce")
            for year, total in vals.groupby(dates.dt.year).sum().items():
                ha[int(year)] = ha.get(int(year), 0.0) + float(total)
    if ha:
        out["cultivation"] = pd.Series(ha).sort_index()
    erad: dict[int, float] = {}
    for layer in project.layers.by_role(Role.ERADICATION):
        dates, hcol = layer_dates(layer), layer.field("hectares")
        if dates is None:
            continue
        if hcol in layer.data.columns:
            vals = pd.to_numeric(layer.data[hcol], errors="coerce").fillna(0)
        else:
            vals = pd.Series(1.0, index=layer.data.index)
        for year, total in vals.groupby(dates.dt.year.to_numpy()).sum().items():
            erad[int(year)] = erad.get(int(year), 0.0) + float(total)
    if erad:
        out["eradication"] = pd.Series(erad).sort_index()
    if tf is not None:
        lo = tf.start.year if tf.start else -math.inf
        hi = tf.end.year if tf.end else math.inf
        out = {k: s[(s.index >= lo) & (s.index <= hi)] for k, s in out.items()}
    return out


def parent_layer(project):
    """The admin layer one level above the units (its codes are the units' parent codes)."""
    from cartography.compare import units_layer

    units = units_layer(project)
    col = units.field("parent_code") if units is not None else None
    if not col or col not in units.data.columns:
        return None
    wanted = set(units.data[col].astype(str).str.strip().str.upper())
    best, found = 1, None
    for layer in project.layers.by_role(Role.ADMIN_BOUNDARIES):
        code = layer.field("region_code")
        if layer is units or not code or code not in layer.data.columns:
            continue
        hits = len(wanted & set(layer.data[code].astype(str).str.strip().str.upper()))
        if hits > best:
            best, found = hits, layer
    return found


def comparison_pair(
    project, table: pd.DataFrame, codes: Sequence[str], tf: TimeFilter | None, feedback: Feedback
) -> tuple[list[str], pd.DataFrame]:
    """The two regions the comparison page sets side by side, and the indicator table of
    their level (computed once over ALL regions of that level, so every page agrees).

    Regions named by the user: the first two. Otherwise the two parent regions (departments)
    with the most and the fewest hectares eradicated; without parents, the two most harmed.
    """
    parent = parent_layer(project)
    if codes:
        pair = list(codes[:2]) if len(codes) >= 2 else []
        if parent is not None and not set(pair) <= set(table.index):  # departments named
            level = compute_table(project, tf, feedback, regions_layer=parent)
            if set(pair) <= set(level.index):
                return pair, level
        return pair, table
    if parent is not None:
        level = compute_table(project, tf, feedback, regions_layer=parent)
        by = next(
            (c for c in ("eradicated_ha", "harm_index") if c in level and level[c].notna().any()),
            None,
        )
        if by is not None and len(level) >= 2:
            ordered = level.sort_values(by, ascending=False, kind="stable")
            return [str(ordered.index[0]), str(ordered.index[-1])], level
    rank = next((c for c in ("harm_index", "violent_events") if c in table.columns), None)
    ordered = table.sort_values(rank, ascending=False) if rank else table
    return [str(c) for c in ordered.index[:2]] if len(ordered) >= 2 else [], table


def comparison_reading(names: Sequence[str], rows: Sequence[pd.Series]) -> str:
    """Two or three sentences setting enforcement outputs against community outcomes."""

    def val(row: pd.Series, key: str) -> float:
        v = pd.to_numeric(pd.Series([row.get(key)]), errors="coerce").iloc[0]
        return float(v) if pd.notna(v) else math.nan  # as stored: quantity() shows shares as %

    a, b = names
    lines = []
    ha = [val(r, "eradicated_ha") for r in rows]
    if all(math.isfinite(v) for v in ha):
        lines.append(tr("Enforcement: {a} eradicated {x} ha, {b} {y} ha.").format(
            a=a, b=b, x=number(ha[0]), y=number(ha[1])))  # fmt: skip
    outcomes = []
    for key, what, unit in (
        ("violent_events_per_100k", tr("violent events per 100,000 a year"), ""),
        ("fatalities_per_100k", tr("fatalities per 100,000 a year"), ""),
        ("beyond_15km_share", tr("people beyond 15 km of a health service"), "%"),
        ("harm_reduction_coverage", tr("people within 15 km of harm reduction"), "%"),
    ):
        v = [val(r, key) for r in rows]
        if all(math.isfinite(x) for x in v):
            outcomes.append(tr("{what}: {x} against {y}").format(
                what=what, x=quantity(v[0], unit), y=quantity(v[1], unit)))  # fmt: skip
    if outcomes:
        lines.append(tr("Community outcomes ({a} against {b}): ").format(a=a, b=b)
                     + "; ".join(outcomes) + ".")  # fmt: skip
    lines.append(tr("Map: one colour scale for both sides; a colour is the same value."))
    return "\n".join(lines)
