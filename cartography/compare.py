"""Compare two regions or two periods: shared classes, indicator differences, small trends.

Qt-free: the desktop compare view, the `compare` command and the briefing pack all call
these functions, so a colour means the same number everywhere the comparison appears.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch, PathPatch

from cartography.classify import NO_DATA_COLOUR, Classification, classify_shared
from cartography.density import PointDensity
from cartography.render import MapRenderer, MapView, polygon_path
from cartography.text import plain
from layers.i18n import tr
from layers.layer import Layer
from layers.roles import Role
from layers.style import Style
from layers.timefilter import TimeFilter, layer_years

ALL = "all"
_ADM_NAME = re.compile(r"^adm(\d)_(?:es|en|name)$", re.IGNORECASE)
# Context layers drawn over the choropleth: where enforcement actually happened.
CONTEXT_ROLES = (Role.ERADICATION,)
# Trend lines: left and right (purple/green stay apart under colour-vision deficiencies).
SIDE_COLOURS = ("#1b7837", "#762a83")


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
    spans = [layer_years(layer) for layer in project.layers]
    spans = [s for s in spans if s]
    if not spans:
        return None
    return min(s[0] for s in spans), max(s[1] for s in spans)


# --- indicators ------------------------------------------------------------------------------
@dataclass
class IndicatorInfo:
    key: str
    label: str
    unit: str = ""
    higher_is_worse: bool | None = True  # None: an enforcement output, neither good nor bad
    group: str = "outcome"


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


def indicator_catalogue() -> dict[str, IndicatorInfo]:
    """Indicators the comparison can show: analysis.indicators.INDICATORS, in its order."""
    from analysis.indicators import INDICATORS

    return {
        i.key: IndicatorInfo(i.key, i.label, i.unit or "", i.higher_is_worse, i.group)
        for i in INDICATORS
        if i.key != "priority_rank"
    }


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
    left: pd.Series, right: pd.Series, catalogue: dict[str, IndicatorInfo]
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


def trend_years(project, side: Side, span: int = 6) -> list[int]:
    """Years up to the side's period end, within the data's years (at most `span`)."""
    years = project_years(project)
    if years is None:
        return []
    first, last = years
    if side.period and side.period.end:
        last = min(last, max(side.period.end.year, first))
    first = max(first, last - span + 1)
    return list(range(first, last + 1))


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

    kept = LayerList(lyr for lyr in project.layers if lyr.role != Role.ERADICATION)
    light = Project(
        layers=kept,
        title=project.title,
        path=project.path,
        time_filter=project.time_filter,
        metadata=project.metadata,
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
    """Yearly values of `key` for each side's whole region (one run per year)."""
    years = sorted(set().union(*(trend_years(project, s) for s in sides)))
    wholes = [dissolved(project, s, u) for s, u in zip(sides, units, strict=True)]
    values: list[dict[int, float]] = [{} for _ in sides]
    same_regions = len({s.region for s in sides}) == 1
    for year in years:
        if feedback is not None:
            feedback.check()
        batch = wholes[:1] if same_regions else wholes
        both = gpd.GeoDataFrame(pd.concat(batch, ignore_index=True), crs=units[0].crs)
        with layers_for(project, key) as subset:
            frame = indicators_for(subset, both, TimeFilter.years(year))
        for i in range(len(sides)):
            values[i][year] = _num(frame.iloc[0 if same_regions else i].get(key))
    out = []
    for side, vals in zip(sides, values, strict=True):
        wanted = set(trend_years(project, side))
        out.append(pd.Series({y: v for y, v in vals.items() if y in wanted}, name=key, dtype=float))
    return out


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


def with_unit(info: IndicatorInfo) -> str:
    """'Violent events (events)'; no unit where the label already says it (per 100,000)."""
    if not info.unit or (info.unit.startswith("per ") and " per " in info.label):
        return info.label
    if info.unit.isalpha() and info.unit.lower() in info.label.lower().split():
        return info.label  # 'Violent events', not 'Violent events (events)'
    return f"{info.label} ({info.unit})"


def default_indicator(catalogue: dict[str, IndicatorInfo]) -> str:
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
) -> Comparison:
    """The heavy part (indicators per unit and per side); run it in a worker from the desktop.

    indicator None: the first of DEFAULT_INDICATORS that has values on either side.
    unit_indicators: indicators already computed for ALL the units (indexed by code), so the
    map shows the same harm index as every other page (an index recomputed over the two
    sides' units alone would rescale it). side_indicators: each side's row, likewise.
    """
    catalogue = indicator_catalogue()
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
    if with_trends:
        a, b = trends(project, sides, units, indicator, feedback)
        series[indicator] = (a, b)
        tick(tr("Trends"))
    notes = sorted({n for f in frames for n in f.attrs.get("notes", [])})
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
    )


# --- drawing -----------------------------------------------------------------------------------
def draw_side(
    ax: Axes,
    project,
    comparison: Comparison,
    which: int,
    *,
    renderer: MapRenderer | None = None,
    extent: tuple[float, float, float, float] | None = None,
    selected_codes: Sequence[str] = (),
    context: bool = True,
) -> tuple[float, float, float, float]:
    """One side's map: units coloured by the SHARED classes, eradication on top."""
    units = comparison.units[which]
    side = (comparison.left, comparison.right)[which]
    style = Style(kind="graduated", field="value", edge="#6d6d6d", line_width=0.4, ramp="YlOrRd")
    layer = Layer(units, comparison.indicator, role=Role.RESULT, style=style)
    layers = [layer]
    if context:
        layers += [
            lyr for role in CONTEXT_ROLES for lyr in project.layers.by_role(role) if lyr.visible
        ]
    full = side_extent(units)
    extent = extent or full
    view = MapView(project.metric_crs, extent, side.period)
    selection = {}
    if selected_codes:
        rows = np.flatnonzero(units["code"].isin(list(selected_codes)).to_numpy())
        selection[layer.id] = rows
    drawn_before = set(ax.get_children())
    (renderer or MapRenderer()).render(
        ax,
        layers,
        view,
        selection=selection,
        classifications={layer.id: comparison.classification},
        labels=False,
    )
    # The region's outline, which also clips the context layers to the region compared.
    shape = units.geometry.union_all()
    outline = PathPatch(
        polygon_path(shapely.get_parts(shape)),
        transform=ax.transData,
        facecolor="none",
        edgecolor="#222222",
        linewidth=1.1,
        zorder=50,
    )
    ax.add_patch(outline)
    drawn = set(ax.get_children()) - drawn_before
    for artist in drawn:
        if artist is not outline and hasattr(artist, "set_clip_path"):
            artist.set_clip_path(outline)
    if any(isinstance(a, PointDensity) for a in drawn):
        # The density raster draws its own pixels and ignores clip paths: cover the rest.
        x0, y0, x1, y1 = extent
        pad = 10 * max(x1 - x0, y1 - y0)
        rest = shapely.difference(shapely.box(x0 - pad, y0 - pad, x1 + pad, y1 + pad), shape)
        ax.add_patch(
            PathPatch(
                polygon_path(shapely.get_parts(rest)),
                facecolor=ax.get_facecolor(),
                edgecolor="none",
                zorder=49,
            )
        )
    if "operation_xy" in comparison.extra:  # before/after: the operation compared around
        x, y = comparison.extra["operation_xy"]
        ax.plot(x, y, marker="*", ms=18, color="#00e5ff", mec="#111111", mew=1.0, zorder=60)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor("#bbbbbb")
    return full


def label_units(ax: Axes, units: gpd.GeoDataFrame, most: int = 30) -> None:
    """Unit names on a printed side (a reader finds the regions of the other pages);
    left off when there are too many to read."""
    if len(units) < 2 or len(units) > most or "name" not in units.columns:
        return
    from matplotlib import patheffects

    halo = [patheffects.withStroke(linewidth=2.0, foreground="white")]
    for name, point in zip(units["name"], units.geometry.representative_point(), strict=True):
        ax.text(point.x, point.y, plain(_wrap(str(name), 14)), fontsize=6, ha="center", va="center",
                color="#222222", zorder=70, path_effects=halo, clip_on=True)  # fmt: skip


def side_extent(units: gpd.GeoDataFrame) -> tuple[float, float, float, float]:
    """The units' box with a 4 % margin."""
    minx, miny, maxx, maxy = units.total_bounds
    pad = 0.04 * max(maxx - minx, maxy - miny, 1.0)
    return (minx - pad, miny - pad, maxx + pad, maxy + pad)


def same_shape_extents(
    extents: Sequence[tuple[float, float, float, float]],
) -> list[tuple[float, float, float, float]]:
    """Each extent grown about its centre to one height/width ratio: equal-aspect maps of
    two regions then get boxes of the same size, so their titles line up."""
    ratio = max((y1 - y0) / max(x1 - x0, 1e-9) for x0, y0, x1, y1 in extents)
    out = []
    for x0, y0, x1, y1 in extents:
        w, h = x1 - x0, y1 - y0
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        if h < w * ratio:
            h = w * ratio
        else:
            w = h / ratio
        out.append((cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2))
    return out


def legend_handles(classification: Classification) -> list[Patch]:
    handles = [
        Patch(facecolor=c, edgecolor="#6d6d6d", linewidth=0.4, label=lab)
        for c, lab in zip(classification.colours, classification.labels, strict=True)
    ]
    if tr("no data") not in classification.labels:
        handles.append(Patch(facecolor=NO_DATA_COLOUR, edgecolor="#6d6d6d", label=tr("no data")))
    return handles


def format_number(v: float) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if abs(v) >= 1000 or float(v).is_integer():
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:,.1f}"
    return f"{v:.2f}"


def format_percent(v: float) -> str:
    if v is None or math.isnan(v):
        return tr("n/a")
    return f"{v:+.0f} %"


def table_rows(comparison: Comparison, max_rows: int) -> pd.DataFrame:
    """Outcomes and the harm index first, then enforcement outputs, then context."""
    t = comparison.table
    order = {"composite": 0, "outcome": 1, "enforcement": 2, "context": 3}
    catalogue = indicator_catalogue()
    rank = [order.get(catalogue[k].group, 4) if k in catalogue else 4 for k in t["key"]]
    return t.assign(_rank=rank).sort_values("_rank", kind="stable").head(max_rows)


def side_headers(comparison: Comparison) -> tuple[str, str]:
    """Column names for the two sides: the regions, or the periods when the regions match."""
    left, right = comparison.left, comparison.right
    if left.region == right.region:
        return tuple(s.period.label if s.period else tr("all years") for s in (left, right))
    return tuple(_shorten(lab.split(" · ")[0], 22) for lab in comparison.labels)


def draw_table(ax: Axes, comparison: Comparison, max_rows: int = 18) -> None:
    """The indicator comparison, fitted into `ax` (red: worse on the right, blue: better)."""
    ax.axis("off")
    t = table_rows(comparison, max_rows)
    if t.empty:
        ax.text(0.5, 0.5, tr("No indicators to compare."), ha="center", va="center")
        return
    scale = display_scales()
    cells = [
        [
            _shorten(r.indicator, 58),
            format_number(r.left * scale.get(r.key, 1.0)),
            format_number(r.right * scale.get(r.key, 1.0)),
            format_number(r.difference * scale.get(r.key, 1.0)),
            format_percent(r.percent_change),
        ]
        for r in t.itertuples()
    ]
    heads = side_headers(comparison)
    table = ax.table(
        cellText=cells,
        colLabels=[
            tr("Indicator"),
            plain(heads[0]),
            plain(heads[1]),
            tr("Difference"),
            tr("Change"),
        ],
        colWidths=[0.44, 0.15, 0.15, 0.14, 0.12],
        bbox=[0.0, 0.06, 1.0, 0.94],
        cellLoc="right",
    )
    table.auto_set_font_size(False)
    table.set_fontsize(6.5 if len(t) > 14 else 7)
    for (row, col), cell in table.get_celld().items():
        cell.set_edgecolor("#dddddd")
        cell.set_linewidth(0.5)
        if row == 0:
            cell.set_facecolor("#eeeeee")
            cell.set_text_props(weight="bold")
        if col == 0:
            cell.set_text_props(ha="left")
            cell._loc = "left"
        if row > 0 and col == 4:
            r = t.iloc[row - 1]
            worse = r.difference > 0 if r.higher_is_worse else r.difference < 0
            neutral = r.higher_is_worse is None or pd.isna(r.higher_is_worse)
            if not neutral and not math.isnan(r.percent_change) and r.difference != 0:
                cell.get_text().set_color("#b2182b" if worse else "#2166ac")


def display_scales() -> dict[str, float]:
    """Shown value = stored value × scale (shares 0–1 are shown as %)."""
    from analysis.indicators import INDICATORS

    return {i.column: i.display_scale for i in INDICATORS}


def _shorten(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def draw_trends(axes: Sequence[Axes], comparison: Comparison) -> None:
    catalogue = indicator_catalogue()
    for ax, (key, (a, b)) in zip(axes, comparison.trends.items(), strict=False):
        names = [_shorten(lab.split(" · ")[0], 18) for lab in comparison.labels]
        if names[0] == names[1]:
            names = [_shorten(lab, 22) for lab in comparison.labels]
        names = [plain(n) for n in names]  # region names in the legend: never mathtext
        ax.plot(a.index, a.to_numpy(), marker="o", ms=3, color=SIDE_COLOURS[0], label=names[0])
        ax.plot(b.index, b.to_numpy(), marker="s", ms=3, color=SIDE_COLOURS[1], label=names[1])
        info = catalogue.get(key)
        ax.set_title(info.label if info else key, fontsize=8)
        ax.tick_params(labelsize=7)
        ax.spines[["top", "right"]].set_visible(False)
        ax.xaxis.set_major_locator(_year_locator())
    if comparison.trends:
        axes[0].legend(fontsize=7, frameon=False, loc="best")


def _year_locator():
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(integer=True, nbins=5)


def compare_figure(
    project,
    left: Side | str,
    right: Side | str,
    indicator: str | None = None,
    *,
    comparison: Comparison | None = None,
    title: str | None = None,
    figsize: tuple[float, float] = (11.69, 8.27),
    feedback=None,
    max_rows: int = 18,
    reading: str = "",
    raster_maps: bool = False,
) -> Figure:
    """Two maps with one shared legend, the indicator table and small trends (A4 landscape).

    reading: a few sentences shown where the trends go when there are none (the briefing).
    raster_maps: the maps' layers become one image each in PDF/SVG (the briefing pack);
    the outline and the unit names stay vector.
    """
    left = Side.parse(left) if isinstance(left, str) else left
    right = Side.parse(right) if isinstance(right, str) else right
    if comparison is None:
        comparison = compute_comparison(project, left, right, indicator, feedback=feedback)
    fig = Figure(figsize=figsize, dpi=100, layout="constrained")
    fig.get_layout_engine().set(rect=(0.0, 0.025, 1.0, 0.975))  # a strip for the footer
    grid = fig.add_gridspec(2, 3, height_ratios=[3.0, 2.2], width_ratios=[1, 1, 0.75])
    renderer = MapRenderer()
    extents = same_shape_extents([side_extent(u) for u in comparison.units])
    for which in (0, 1):
        ax = fig.add_subplot(grid[0, which])
        draw_side(ax, project, comparison, which, renderer=renderer, extent=extents[which])
        if raster_maps:
            ax.set_rasterization_zorder(48)  # layers draw at 10 + order; the mask at 49
        ax.set_title(plain(comparison.labels[which]), fontsize=10, fontweight="bold")
        label_units(ax, comparison.units[which])
    legend_ax = fig.add_subplot(grid[0, 2])
    legend_ax.axis("off")
    legend_ax.legend(
        handles=legend_handles(comparison.classification),
        title=_wrap(comparison.indicator_label, 28),
        loc="center left",
        frameon=False,
        fontsize=8,
        title_fontsize=9,
    )
    legend_ax.text(
        0.0,
        0.02,
        tr("One classification for both maps:\nthe same colour is the same value."),
        fontsize=7,
        color="#555555",
        transform=legend_ax.transAxes,
    )
    table_ax = fig.add_subplot(grid[1, 0:2])
    draw_table(table_ax, comparison, max_rows)
    sub = grid[1, 2].subgridspec(max(len(comparison.trends), 1), 1)
    trend_axes = [fig.add_subplot(sub[i, 0]) for i in range(max(len(comparison.trends), 1))]
    if comparison.trends:
        draw_trends(trend_axes, comparison)
    else:
        trend_axes[0].axis("off")
        if reading:
            text = "\n\n".join(_wrap(part, 44) for part in reading.split("\n") if part)
            trend_axes[0].text(0.02, 0.98, plain(text), va="top", ha="left",
                               fontsize=8, color="#333333", linespacing=1.35,
                               transform=trend_axes[0].transAxes)  # fmt: skip
    heading = title or tr("{i}: comparison").format(i=comparison.indicator_label)
    fig.suptitle(plain(heading), fontsize=13, fontweight="bold")
    footer = tr("Harm Atlas · generated {d}").format(d=date.today().isoformat())
    if getattr(project, "is_synthetic", False):
        from layers.project import SYNTHETIC_NOTE

        footer = f"{SYNTHETIC_NOTE}   {footer}"
    fig.text(0.01, 0.008, footer, fontsize=7, color="#777777")
    return fig


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text


ProgressFn = Callable[[float, str], None]
