"""Compare two regions or two periods: the computing half (sides, regions, indicators per
unit and per side, the difference table, yearly trends, before/after windows).

Qt-free. cartography/compare.py draws what `compute_comparison` returns; the desktop compare
view, the `compare` command and the briefing pack all go through both, so a colour means the
same number everywhere the comparison appears.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import geopandas as gpd
import numpy as np
import pandas as pd

from analysis.custom_indicators import project_catalogue
from analysis.indicator_catalogue import INDICATOR_BY_COLUMN, Indicator
from cartography.classify import Classification, classify_shared
from layers.i18n import tr
from layers.layer import Layer, is_raster
from layers.roles import Role
from layers.timefilter import TimeFilter, layer_years

ALL = "all"
_ADM_NAME = re.compile(r"^adm(\d)_(?:es|en|name)$", re.IGNORECASE)
# A trend needs at least this many yearly points: fewer is a rate, not a trend (issue #14).
MIN_TREND_YEARS = 3


# --- what each side shows -------------------------------------------------------------------
@dataclass(frozen=True)
class Side:
    """One side of a comparison: a region (P-code or 'all') and a period."""

    region: str = ALL
    period: TimeFilter | None = None

    @classmethod
    def parse(cls, text: str) -> Side:
        """'CO52', 'CO52:2016-2020', 'all:2019', 'CO52:2019-03-01..2020-02-29'."""
        text = (text or "").strip()
        if not text:
            raise ValueError(tr("Give a region (a P-code or 'all'), optionally :PERIOD."))
        region, _, period = text.partition(":")
        return cls(region.strip() or ALL, TimeFilter.parse(period) if period else None)

    @property
    def spec(self) -> str:
        if self.period is None:
            return self.region
        p = self.period
        text = (
            p.label.replace("–", "-")
            if "…" not in p.label and " " not in p.label
            else (f"{p.start or ''}..{p.end or ''}")
        )
        return f"{self.region}:{text}"

    @property
    def is_all(self) -> bool:
        return self.region.lower() == ALL


@dataclass(frozen=True)
class RegionChoice:
    code: str
    name: str
    level: int  # 0 the whole extent, 1 a parent region (department), 2 a unit (municipality)

    @property
    def label(self) -> str:
        if self.level == 0:
            return self.name
        return f"{self.name} ({self.code})" if self.name and self.name != self.code else self.code


# --- regions ---------------------------------------------------------------------------------
def units_layer(project) -> Layer | None:
    """The finest admin layer (the most features with region codes): the map's units."""
    admins = [
        layer
        for layer in project.layers.by_role(Role.ADMIN_BOUNDARIES)
        if layer.geometry_kind in ("polygon", "mixed") and not layer.data.empty
    ]
    if not admins:
        return None
    return max(admins, key=lambda layer: (bool(layer.field("region_code")), len(layer.data)))


def _code_col(layer: Layer) -> str | None:
    col = layer.field("region_code")
    return col if col and col in layer.data.columns else None


def _name_col(layer: Layer) -> str | None:
    col = layer.field("name")
    return col if col and col in layer.data.columns else None


def _parent_name_col(layer: Layer) -> str | None:
    """ADM1_ES beside ADM2_PCODE: the parent's name, when the file carries it."""
    code = _code_col(layer) or ""
    m = re.match(r"^adm(\d)_pcode$", code, re.IGNORECASE)
    if not m:
        return None
    wanted = int(m.group(1)) - 1
    for c in layer.data.columns:
        n = _ADM_NAME.match(str(c))
        if n and int(n.group(1)) == wanted:
            return str(c)
    return None


def region_choices(project) -> list[RegionChoice]:
    """'All' first, then every parent region, then every unit (sorted by name)."""
    out = [RegionChoice(ALL, tr("Whole extent"), 0)]
    seen: set[str] = set()
    parents: dict[str, str] = {}
    units: dict[str, str] = {}
    for layer in project.layers.by_role(Role.ADMIN_BOUNDARIES):
        code, name = _code_col(layer), _name_col(layer)
        if code is None:
            continue
        gdf = layer.data
        codes = gdf[code].astype(str)
        names = gdf[name].astype(str) if name else codes
        target = units if layer is units_layer(project) else parents
        for c, n in zip(codes, names, strict=False):
            target.setdefault(c, n)
        parent = layer.field("parent_code")
        # Parents of the units only: the ADM1 layer's own parent is the whole country.
        if target is units and parent and parent in gdf.columns:
            pname = _parent_name_col(layer)
            pnames = gdf[pname].astype(str) if pname else gdf[parent].astype(str)
            for c, n in zip(gdf[parent].astype(str), pnames, strict=False):
                if c and c != "nan":
                    parents.setdefault(c, n)
    for c in list(parents):
        if c in units and len(units) > len(parents):
            parents.pop(c)
    for level, found in ((1, parents), (2, units)):
        for c, n in sorted(found.items(), key=lambda kv: (kv[1], kv[0])):
            if c not in seen:
                seen.add(c)
                out.append(RegionChoice(c, n, level))
    return out


def region_name(project, code: str) -> str:
    if code.lower() == ALL:
        return tr("Whole extent")
    for choice in region_choices(project):
        if choice.code == code:
            return choice.name
    return code


def side_units(project, side: Side) -> gpd.GeoDataFrame:
    """The units inside the side's region, in the project's metric CRS, with code and name."""
    layer = units_layer(project)
    if layer is None:
        raise ValueError(
            tr(
                "No administrative regions in the project: add a boundaries layer (HDX "
                "ADM1/ADM2 with P-codes) to compare regions."
            )
        )
    gdf = layer.to_metric(project.metric_crs)
    code_col, name_col = _code_col(layer), _name_col(layer)
    codes = gdf[code_col].astype(str) if code_col else pd.Series(gdf.index.astype(str))
    if side.is_all:
        mask = np.ones(len(gdf), dtype=bool)
    else:
        parent = layer.field("parent_code")
        mask = (codes == side.region).to_numpy()
        if parent and parent in gdf.columns:
            mask |= (gdf[parent].astype(str) == side.region).to_numpy()
        if not mask.any():
            mask = codes.str.startswith(side.region).to_numpy()
        if not mask.any():
            mask = _inside_other_admin(project, layer, gdf, side.region)
    if not mask.any():
        known = ", ".join(c.code for c in region_choices(project)[1:8])
        raise ValueError(
            tr("No region with code {c!r}. Use 'all' or a P-code such as {k}.").format(
                c=side.region, k=known
            )
        )
    columns = {
        "code": codes[mask].to_numpy(),
        "name": (gdf[name_col].astype(str) if name_col else codes)[mask].to_numpy(),
    }
    pop_col = layer.field("population")
    if pop_col and pop_col in gdf.columns:  # rates per 100,000 need it
        columns["population"] = pd.to_numeric(gdf[pop_col], errors="coerce")[mask].to_numpy()
    return gpd.GeoDataFrame(columns, geometry=gdf.geometry[mask].to_numpy(), crs=gdf.crs)


def _inside_other_admin(project, units: Layer, gdf: gpd.GeoDataFrame, code: str) -> np.ndarray:
    """Units whose centre falls in the region `code` of another admin layer."""
    for layer in project.layers.by_role(Role.ADMIN_BOUNDARIES):
        col = _code_col(layer)
        if layer is units or col is None:
            continue
        other = layer.to_metric(project.metric_crs)
        hit = other[other[col].astype(str) == code]
        if len(hit):
            shape = hit.geometry.union_all()
            return gdf.geometry.representative_point().within(shape).to_numpy()
    return np.zeros(len(gdf), dtype=bool)


def side_label(project, side: Side) -> str:
    name = region_name(project, side.region)
    # No period given: the indicators use the project's period, so the label says it too.
    shown = side.period or getattr(project, "time_filter", None)
    period = shown.label if shown else tr("all years")
    return f"{name} · {period}"


def project_years(project) -> tuple[int, int] | None:
    # Rasters have no dated features (a loss-year raster's years follow the period).
    spans = [layer_years(layer) for layer in project.layers if not is_raster(layer)]
    spans = [s for s in spans if s]
    if not spans:
        return None
    return min(s[0] for s in spans), max(s[1] for s in spans)


# --- indicators ------------------------------------------------------------------------------
# Composite columns rank regions against each other: meaningless for one region alone.
NOT_COMPARABLE_ALONE = ("harm_index", "priority_rank")
# Indicators mapped by default, best first; the first with values on either side wins.
DEFAULT_INDICATORS = (
    "violent_events_per_100k",
    "harm_index",
    "violent_events",
    "eradicated_ha",
    "eradication_events",
)


def indicator_catalogue(project=None) -> dict[str, Indicator]:
    """Indicators the comparison can show: the one catalogue's INDICATORS, in its order, with
    the project's own indicators from joined tables (label, unit, direction) before the harm
    index (a rank among the units compared means nothing side by side)."""
    return {i.key: i for i in project_catalogue(project) if i.key != "priority_rank"}


def yearless(catalogue: dict[str, Indicator]) -> set[str]:
    """Keys of the project's own indicators: one value per region from a table without
    years, so no yearly trend to draw."""
    return {key for key in catalogue if key not in INDICATOR_BY_COLUMN}


def _regions_layer(units: gpd.GeoDataFrame) -> Layer:
    from layers.roles import FieldMapping

    keep = [c for c in ("code", "name", "population") if c in units.columns]
    layer = Layer(units[[*keep, "geometry"]].copy(), "regions", role=Role.ADMIN_BOUNDARIES)
    fields = {"region_code": "code", "name": "name"}
    if "population" in keep:
        fields["population"] = "population"
    layer.mapping = FieldMapping(fields)
    return layer


def indicators_for(
    project, units: gpd.GeoDataFrame, period: TimeFilter | None, feedback=None
) -> pd.DataFrame:
    """analysis.indicators for `units` (rows in the same order) over `period`."""
    from analysis.indicators import compute_indicators

    frame = compute_indicators(
        project, regions=_regions_layer(units), period=period, feedback=feedback
    )
    frame = pd.DataFrame(frame)
    return frame.set_index(frame["code"].astype(str)).reindex(units["code"].astype(str))


def dissolved(project, side: Side, units: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The side's region as one polygon, with its summed population."""
    data = {"code": [side.region], "name": [region_name(project, side.region)]}
    if "population" in units.columns:
        data["population"] = [units["population"].sum(min_count=1)]
    return gpd.GeoDataFrame(data, geometry=[units.geometry.union_all()], crs=units.crs)


def side_totals(
    project, sides: Sequence[Side], units: Sequence[gpd.GeoDataFrame], feedback=None
) -> list[pd.Series]:
    """Each side's indicators for its whole region; one run when the periods match."""
    wholes = [dissolved(project, s, u) for s, u in zip(sides, units, strict=True)]
    same_period = all(s.period == sides[0].period for s in sides)
    distinct = len({s.region for s in sides}) == len(sides)
    if same_period and distinct:
        both = pd.concat(wholes, ignore_index=True)
        frame = indicators_for(
            project, gpd.GeoDataFrame(both, crs=units[0].crs), sides[0].period, feedback
        )
        return [frame.iloc[i] for i in range(len(sides))]
    out = []
    for side, whole in zip(sides, wholes, strict=True):
        row = indicators_for(project, whole, side.period, feedback).iloc[0].copy()
        for key in NOT_COMPARABLE_ALONE:
            row[key] = math.nan
        out.append(row)
    return out


def comparison_table(
    left: pd.Series, right: pd.Series, catalogue: dict[str, Indicator]
) -> pd.DataFrame:
    """Indicator, left, right, difference and percent change (undefined when left is 0)."""
    rows = []
    for key, info in catalogue.items():
        a, b = _num(left.get(key)), _num(right.get(key))
        if math.isnan(a) and math.isnan(b):
            continue  # no layer for it on either side: the note says why, the table skips it
        diff = b - a if not (math.isnan(a) or math.isnan(b)) else math.nan
        pct = diff / abs(a) * 100.0 if a and not math.isnan(diff) else math.nan
        if key in NOT_COMPARABLE_ALONE:  # a min-max index: its percent change means nothing
            pct = math.nan
        rows.append(
            {
                "key": key,
                "indicator": with_unit(info),
                "left": a,
                "right": b,
                "difference": diff,
                "percent_change": pct,
                "higher_is_worse": info.higher_is_worse,
            }
        )
    columns = ["key", "indicator", "left", "right", "difference", "percent_change"]
    return pd.DataFrame(rows, columns=[*columns, "higher_is_worse"])


def _num(v) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def data_span(project) -> tuple[date, date] | None:
    """First and last day of the years the project's layers have data for."""
    years = project_years(project)
    return None if years is None else (date(years[0], 1, 1), date(years[1], 12, 31))


def shift_years(when: date, n: int) -> date:
    """`when` n years later (earlier when n < 0); 29 February becomes the 28th."""
    try:
        return when.replace(year=when.year + n)
    except ValueError:
        return when.replace(year=when.year + n, day=28)


def side_span(project, side: Side) -> tuple[date, date] | None:
    """The side's period (or the project's, or all the data's years) clipped to the data."""
    data = data_span(project)
    if data is None:
        return None
    period = side.period or getattr(project, "time_filter", None)
    start = max(data[0], period.start) if period and period.start else data[0]
    end = min(data[1], period.end) if period and period.end else data[1]
    return (start, end) if start <= end else None


def year_x(day: date) -> float:
    """A date as a fractional year on a trend chart's axis (1 January is the year itself)."""
    first = date(day.year, 1, 1).toordinal()
    return day.year + (day.toordinal() - first) / (date(day.year + 1, 1, 1).toordinal() - first)


def trend_windows(project, side: Side) -> list[TimeFilter]:
    """Whole years (12 months from the period's start) inside the side's period and the data:
    one point each on the trend chart. Calendar periods give calendar years."""
    span = side_span(project, side)
    if span is None:
        return []
    start, end = span
    out = []
    while (stop := shift_years(start, 1) - timedelta(days=1)) <= end:
        out.append(TimeFilter(start, stop))
        start = stop + timedelta(days=1)
    return out


def trend_x_range(project, side: Side) -> tuple[float, float] | None:
    """The trend chart's fixed x range for the side: its period's years, whatever is drawn."""
    span = side_span(project, side)
    if span is None:
        return None
    last = max(span[0], shift_years(span[1] + timedelta(days=1), -1))
    return year_x(span[0]) - 0.4, year_x(last) + 0.4


# Indicators that need the eradication layers (the slow displacement and environment steps).
NEEDS_ERADICATION = (
    "eradicated_ha",
    "eradicated_manual_ha",
    "eradicated_aerial_ha",
    "eradication_events",
    "wdq_violence",
    "wdq_cultivation",
    "protected_eradicated_ha",
    "water_drift_ha",
    "rule_breaking_operations",
    "new_cultivation_protected_ha",
    "harm_index",
)


@contextmanager
def layers_for(project, key: str):
    """The project, minus eradication layers when `key` does not need them (6x faster trends)."""
    if key in NEEDS_ERADICATION:
        yield project
        return
    from layers.layer import LayerList
    from layers.project import Project

    kept = LayerList(
        lyr for lyr in project.layers if is_raster(lyr) or lyr.role != Role.ERADICATION
    )
    light = Project(
        layers=kept,
        title=project.title,
        path=project.path,
        time_filter=project.time_filter,
        metadata=project.metadata,
        # Copies: clearing `kept` below takes a layer's indicators out of light's list.
        indicators=[replace(i) for i in getattr(project, "indicators", [])],
    )
    light.metric_crs = project.metric_crs
    try:
        yield light
    finally:
        kept.clear()  # disconnects the list from the shared layers' signals


def trends(
    project,
    sides: Sequence[Side],
    units: Sequence[gpd.GeoDataFrame],
    key: str,
    feedback=None,
) -> list[pd.Series]:
    """Yearly values of `key` for each side's whole region over the side's own period (one
    run per year; regions sharing a year run together). A side with fewer than
    MIN_TREND_YEARS years gets an empty series: one or two points are not a trend."""
    wholes = [dissolved(project, s, u) for s, u in zip(sides, units, strict=True)]
    wanted = []
    for side in sides:
        windows = trend_windows(project, side)
        wanted.append(windows if len(windows) >= MIN_TREND_YEARS else [])
    values: list[dict[float, float]] = [{} for _ in sides]
    for window in sorted(set().union(*wanted), key=lambda w: w.start):
        if feedback is not None:
            feedback.check()
        needing = [i for i, windows in enumerate(wanted) if window in windows]
        first_of: dict[str, int] = {}  # one row per region, whichever sides need it
        for i in needing:
            first_of.setdefault(sides[i].region, i)
        batch = [wholes[i] for i in first_of.values()]
        both = gpd.GeoDataFrame(pd.concat(batch, ignore_index=True), crs=units[0].crs)
        with layers_for(project, key) as subset:
            frame = indicators_for(subset, both, window)
        rows = {region: n for n, region in enumerate(first_of)}
        for i in needing:
            value = _num(frame.iloc[rows[sides[i].region]].get(key))
            values[i][year_x(window.start)] = value
    return [pd.Series(v, name=key, dtype=float).sort_index() for v in values]


def before_after_sides(
    project, region: str, when: date, years: int
) -> tuple[Side, Side, list[str]]:
    """The `years` before the operation on `when` and the `years` from it, each clipped to
    the data's years; the notes say where a window was cut and why."""
    before = TimeFilter(shift_years(when, -years), when - timedelta(days=1))
    after = TimeFilter(when, shift_years(when, years) - timedelta(days=1))
    notes: list[str] = []
    data = data_span(project)
    if data is not None:
        first, last = data
        if when <= first or when > last:
            raise ValueError(
                tr("The operation on {d} is outside the data's years ({a}–{b}): nothing to "
                   "compare on one side of it.").format(d=when, a=first.year, b=last.year)
            )  # fmt: skip
        if before.start < first:
            notes.append(
                tr("Before: from {d}, when the data begin (asked from {a}).").format(
                    d=first.isoformat(), a=before.start.isoformat()
                )
            )
            before = TimeFilter(first, before.end)
        if after.end > last:
            notes.append(
                tr("After: to {d}, when the data end (asked to {a}).").format(
                    d=last.isoformat(), a=after.end.isoformat()
                )
            )
            after = TimeFilter(after.start, last)
    return Side(region, before), Side(region, after), notes


# --- one comparison, computed once and drawn anywhere ------------------------------------------
@dataclass
class Comparison:
    """Everything both views draw: units with values, one shared classification, the table."""

    left: Side
    right: Side
    indicator: str
    units: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]
    classification: Classification
    table: pd.DataFrame
    labels: tuple[str, str]
    indicator_label: str
    trends: dict[str, tuple[pd.Series, pd.Series]] = field(default_factory=dict)
    extra: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # Each side's trend chart x range (fractional years), fixed whatever points it has.
    trend_ranges: tuple[tuple[float, float] | None, ...] = ()
    # The indicators it was computed with (the project's own from joined tables included).
    catalogue: dict[str, Indicator] = field(default_factory=indicator_catalogue)


def with_unit(info: Indicator) -> str:
    """The indicator's label and unit in the active language (Indicator.label_with_unit)."""
    return info.label_with_unit


def default_indicator(catalogue: dict[str, Indicator]) -> str:
    return next((k for k in DEFAULT_INDICATORS if k in catalogue), next(iter(catalogue)))


def compute_comparison(
    project,
    left: Side,
    right: Side,
    indicator: str | None = None,
    *,
    scheme: str = "quantiles",
    k: int = 5,
    ramp: str = "YlOrRd",
    with_trends: bool = True,
    feedback=None,
    unit_indicators: pd.DataFrame | None = None,
    side_indicators: Sequence[pd.Series] | None = None,
    notes: Sequence[str] = (),
) -> Comparison:
    """The heavy part (indicators per unit and per side); run it in a worker from the desktop.

    indicator None: the first of DEFAULT_INDICATORS that has values on either side.
    unit_indicators: indicators already computed for ALL the units (indexed by code), so the
    map shows the same harm index as every other page (an index recomputed over the two
    sides' units alone would rescale it). side_indicators: each side's row, likewise.
    """
    catalogue = indicator_catalogue(project)
    if indicator is not None and indicator not in catalogue:
        raise ValueError(
            tr("Unknown indicator {i!r}. Known: {k}.").format(i=indicator, k=", ".join(catalogue))
        )
    steps, done = (5 if with_trends else 3), 0

    def tick(message: str) -> None:
        nonlocal done
        done += 1
        if feedback is not None:
            feedback.check()
            feedback.set_progress(100.0 * done / steps, message)

    sides = (left, right)
    units = [side_units(project, s) for s in sides]

    def unit_frames(light: bool) -> list[pd.DataFrame]:
        # The map needs one column: skip the slow eradication steps when it allows.
        out = []
        for side, u in zip(sides, units, strict=True):
            with layers_for(project, "" if light else "harm_index") as subset:
                out.append(indicators_for(subset, u, side.period))
            tick(tr("Indicators per region"))
        return out

    def has_values(frames: list[pd.DataFrame], key: str) -> bool:
        return any(pd.to_numeric(f.get(key), errors="coerce").notna().any() for f in frames)

    if unit_indicators is not None:
        index = unit_indicators.index.astype(str).str.strip().str.upper()
        table_by_code = unit_indicators.set_axis(index)
        frames = [
            table_by_code.reindex(u["code"].astype(str).str.strip().str.upper()) for u in units
        ]
        done += 2
        if indicator is None:
            indicator = next(
                (k for k in DEFAULT_INDICATORS if k in catalogue and has_values(frames, k)),
                default_indicator(catalogue),
            )
    elif indicator is None:
        frames = unit_frames(light=True)
        light_keys = [
            k for k in DEFAULT_INDICATORS if k in catalogue and k not in NEEDS_ERADICATION
        ]
        indicator = next((k for k in light_keys if has_values(frames, k)), None)
        if indicator is None:
            done -= 2
            frames = unit_frames(light=False)
            indicator = next(
                (k for k in DEFAULT_INDICATORS if k in catalogue and has_values(frames, k)),
                default_indicator(catalogue),
            )
    else:
        frames = unit_frames(light=indicator not in NEEDS_ERADICATION)
    for u, f in zip(units, frames, strict=True):
        u["value"] = pd.to_numeric(f[indicator], errors="coerce").to_numpy()
    shared = classify_shared(units[0]["value"], units[1]["value"], scheme, k, ramp)
    if side_indicators is not None:
        totals = list(side_indicators)
    else:
        totals = side_totals(project, sides, units)
    tick(tr("Indicators per side"))
    table = comparison_table(totals[0], totals[1], catalogue)
    series: dict[str, tuple[pd.Series, pd.Series]] = {}
    if with_trends and indicator in yearless(catalogue):
        notes = [*notes, tr("{i}: one value per region from a table without years, no trend.")
                 .format(i=catalogue[indicator].label)]  # fmt: skip
        tick(tr("Trends"))
    elif with_trends:
        a, b = trends(project, sides, units, indicator, feedback)
        series[indicator] = (a, b)
        tick(tr("Trends"))
    found = sorted({n for f in frames for n in f.attrs.get("notes", [])})
    notes = [*notes, *(n for n in found if n not in notes)]
    info = catalogue[indicator]
    return Comparison(
        left,
        right,
        indicator,
        (units[0], units[1]),
        shared,
        table,
        (side_label(project, left), side_label(project, right)),
        with_unit(info),
        series,
        notes=notes,
        trend_ranges=tuple(trend_x_range(project, s) for s in sides),
        catalogue=catalogue,
    )
