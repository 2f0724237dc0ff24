"""Harm-focused indicators per region, beside the old enforcement figures (docs/methods.md).

One row per region (P-code, name, parent P-code), side by side:
- enforcement outputs: hectares eradicated (manual / aerial), eradication operations, arrests
  and seizures where a layer has them (an enforcement layer's seizure records), people
  arrested per 100,000 and the share of them who use drugs or supply at small scale
  (enforcement actions; outside the harm index by default);
- outcomes: violent events and fatalities per 100,000 people and their trend, Gi* hot spots,
  displacement (WDQ) of violence and cultivation around eradication, population beyond 15 km
  of a health service, 2SFCA access per 1,000 people, harm-reduction coverage, eradication in
  protected areas and near water, new cultivation in protected areas;
- a composite harm index and a priority rank.

The columns, labels, units, directions and weights are declared once in
analysis/indicator_catalogue.py. A missing layer makes its indicators null (with a note),
never 0.
"""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from analysis import access as access_mod
from analysis import hotspots
from analysis.base import Algorithm, AnalysisResult, Feedback, Output, Parameter, register
from analysis.common_parameters import ENGINE, PERIOD_YEARS, REPORT_REGIONS, SCHEDULER
from analysis.count import point_polygon_pairs
from analysis.custom_indicators import add_table_indicators, with_table_indicators
from analysis.enforcement_records import (
    add_enforcement_indicators,
    indicator_records,
    seizures_per_region,
)
from analysis.engine import run_on_cluster
from analysis.environment_indicators import forest_loss, new_cultivation
from analysis.indicator_catalogue import (
    ENFORCEMENT_WEIGHTS,
    INDICATOR_BY_COLUMN,
    INDICATORS,
    harm_index,
    parse_weights,
    per_100k,
    priority_rank,
    yearly_slope,
)
from analysis.inputs import PROJECT_KEY, InputError, execute
from analysis.outputs import to_json
from analysis.population_raster import optional_raster, raster_demand_points, raster_population
from analysis.region_counts import VIOLENT_EVENT_TYPES, violence_sums  # noqa: F401 (a name of this module)
from analysis.region_counts import feature_dates_of as _dates
from analysis.region_counts import violent as _violent
from analysis.region_displacement import StudyWindows, region_targets
from analysis.regions import choose_regions, region_identity
from layers.enforcement_levels import ActionType
from layers.i18n import tr, tr_noop
from layers.layer import Layer, is_raster
from layers.roles import Role
from layers.timefilter import TimeFilter

ACCESS_THRESHOLD_M = 15_000.0  # "beyond 15 km of a health service"; also the 2SFCA catchment
HOTSPOT_CELL_M = 5_000.0
DISPLACEMENT_BUFFER_M = 5_000.0
DISPLACEMENT_WINDOW_DAYS = 730
DISPLACEMENT_WINDOW_YEARS = 2
# The treated area: within 1 km of an operation (the SIMCI grid's cell size).
TARGET_REACH_M = 1_000.0
POINT_TARGET_RADIUS_M = 250.0  # manual eradication points treated as a 250 m patch
WATER_DRIFT_M = 10.0
ARREST_COLUMNS = ("arrests", "arrestos", "capturas", "detenidos", "arrested")
SEIZURE_COLUMNS = ("seizures", "seizures_kg", "incautaciones", "incautacion_kg", "seized_kg")
HARM_REDUCTION = "harm_reduction"
VIOLENCE_SUMS = "_violence_sums"  # set by analysis/indicators_cluster.py


# --- the computation ---------------------------------------------------------------------------
class _Context:
    """The project, the regions in metric CRS, the period, and the notes gathered on the way."""

    def __init__(
        self, project, regions: Layer, period: TimeFilter | None, feedback: Feedback
    ) -> None:
        self.project = project
        # Rasters (no role, no features) come in only as --population-raster/--loss-raster.
        self.layers = [layer for layer in project.layers if not is_raster(layer)]
        self.crs: CRS = project.metric_crs
        self.period = period
        self.feedback = feedback
        self.notes: list[str] = []
        self.regions_layer = regions
        self.regions = _to_crs(regions, self.crs).reset_index(drop=True)
        self.polys = np.asarray(self.regions.geometry.values)
        self.n = len(self.regions)
        self.population_raster = self.loss_raster = None  # RasterLayers, when given
        self.violence_sums = None  # --engine dask: analysis/indicators_cluster.py

    def by_role(self, role: Role) -> list[Layer]:
        return [layer for layer in self.layers if layer.role == role and not layer.data.empty]

    def in_period(self, layer: Layer) -> np.ndarray:
        """Mask of features inside the period (undated layers: all; undated features: out)."""
        if self.period is None:
            return np.ones(len(layer.data), dtype=bool)
        dates = _dates(layer)
        if dates is None:
            return np.ones(len(layer.data), dtype=bool)
        mask = dates.notna().to_numpy()
        if self.period.start is not None:
            mask &= (dates >= pd.Timestamp(self.period.start)).to_numpy()
        if self.period.end is not None:
            mask &= (dates < pd.Timestamp(self.period.end) + pd.Timedelta(days=1)).to_numpy()
        return mask

    def region_of(self, gdf: gpd.GeoDataFrame) -> np.ndarray:
        """Region index of each feature's representative point (−1 outside every region)."""
        geom = gdf.geometry
        if set(geom.geom_type.dropna()) - {"Point"}:
            geom = geom.representative_point()
        poly_idx, pt_idx = point_polygon_pairs(geom, self.polys)
        out = np.full(len(gdf), -1, dtype=np.int64)
        out[pt_idx] = poly_idx
        return out

    def sum_by_region(self, region: np.ndarray, values: np.ndarray | None = None) -> np.ndarray:
        ok = region >= 0
        w = None if values is None else np.asarray(values, dtype=float)[ok]
        return np.bincount(region[ok], weights=w, minlength=self.n).astype(float)

    def missing(self, columns: list[str], out: pd.DataFrame, why: str) -> None:
        for c in columns:
            out[c] = np.nan
        self.notes.append(why)


def _to_crs(layer: Layer, crs: CRS) -> gpd.GeoDataFrame:
    return hotspots.layer_in_crs(layer, crs)


def _population(ctx: _Context, out: pd.DataFrame) -> tuple[np.ndarray, gpd.GeoDataFrame | None]:
    """Population per region, and the demand points (settlements) if they carry population."""
    settlements = None
    for layer in ctx.by_role(Role.SETTLEMENTS):
        col = layer.field("population")
        if col and col in layer.data.columns:
            gdf = _to_crs(layer, ctx.crs)
            pop = pd.to_numeric(layer.data[col], errors="coerce").fillna(0.0).to_numpy()
            settlements = gpd.GeoDataFrame(
                {"population": pop}, geometry=gdf.geometry.values, crs=ctx.crs
            )
            break
    region_pop_col = ctx.regions_layer.field("population")
    if region_pop_col and region_pop_col in ctx.regions_layer.data.columns:
        pop = pd.to_numeric(ctx.regions_layer.data[region_pop_col], errors="coerce").to_numpy()
        return pop.astype(float), settlements
    if settlements is not None:
        region = ctx.region_of(settlements)
        pop = ctx.sum_by_region(region, settlements["population"].to_numpy())
        ctx.notes.append(tr("Population per region: sum of the settlements' population."))
        return pop, settlements
    if ctx.population_raster is not None:
        return raster_population(ctx), settlements
    ctx.notes.append(
        tr(
            "No population: map a population field on the regions or the settlements. "
            "Rates per 100,000 and access are left empty."
        )
    )
    return np.full(ctx.n, np.nan), None


def _method_kind(values: pd.Series) -> np.ndarray:
    """'manual', 'aerial' or '' from eradication method values (Spanish or English)."""
    text = values.astype(str).str.lower()
    out = np.full(len(values), "", dtype=object)
    out[text.str.contains("manual|terrestre|forzos", regex=True).to_numpy()] = "manual"
    out[text.str.contains("aer|aér|spray|aspers|fumig", regex=True).to_numpy()] = "aerial"
    return out


def _eradication(ctx: _Context, out: pd.DataFrame) -> list[gpd.GeoDataFrame]:
    """Enforcement outputs per region; returns the eradication features in the period."""
    layers = ctx.by_role(Role.ERADICATION)
    cols = ["eradicated_ha", "eradicated_manual_ha", "eradicated_aerial_ha", "eradication_events"]
    if not layers:
        ctx.missing(cols, out, tr("No eradication layer: enforcement outputs are empty."))
        return []
    for c in cols:
        out[c] = 0.0
    kept = []
    unknown_method = 0
    for layer in layers:
        ctx.feedback.check()
        gdf = _to_crs(layer, ctx.crs)
        mask = ctx.in_period(layer) & gdf.geometry.notna().to_numpy()
        gdf = gdf[mask]
        ha_col = layer.field("hectares")
        if ha_col and ha_col in gdf.columns:
            ha = pd.to_numeric(gdf[ha_col], errors="coerce").fillna(0.0).to_numpy()
        elif layer.geometry_kind == "polygon":
            ha = gdf.geometry.area.to_numpy() / 1e4
        else:
            ha = np.full(len(gdf), np.nan)
            ctx.notes.append(
                tr(
                    "Layer {n!r} has no hectares field: its operations are counted, not its area."
                ).format(n=layer.name)
            )
        method_col = layer.field("method")
        if method_col and method_col in gdf.columns:
            kind = _method_kind(gdf[method_col])
        else:
            guess = _method_kind(pd.Series([f"{layer.name} {layer.source.sublayer or ''}"]))[0]
            kind = np.full(len(gdf), guess, dtype=object)
        unknown_method += int((kind == "").sum())
        region = ctx.region_of(gdf)
        ha0 = np.nan_to_num(ha)
        out["eradicated_ha"] += ctx.sum_by_region(region, ha0)
        out["eradicated_manual_ha"] += ctx.sum_by_region(region, np.where(kind == "manual", ha0, 0))
        out["eradicated_aerial_ha"] += ctx.sum_by_region(region, np.where(kind == "aerial", ha0, 0))
        out["eradication_events"] += ctx.sum_by_region(region)
        dates = _dates(layer)
        frame = gpd.GeoDataFrame(
            {
                "ha": ha,
                "kind": kind,
                "region": region,
                "date": dates[mask].to_numpy() if dates is not None else pd.NaT,
            },
            geometry=gdf.geometry.values,
            crs=ctx.crs,
        )
        kept.append(frame)
    if unknown_method:
        ctx.notes.append(
            tr(
                "{n} eradication operations have no manual/aerial method: in the total only."
            ).format(n=unknown_method)
        )
    return kept


def _arrests_and_seizures(ctx: _Context, out: pd.DataFrame) -> None:
    for column, names, label in (
        ("arrests", ARREST_COLUMNS, tr("arrests")),
        ("seizures", SEIZURE_COLUMNS, tr("seizures")),
    ):
        total = np.zeros(ctx.n)
        found = False
        records = indicator_records(ctx, out) if column == "seizures" else None
        if records is not None:  # seizure records, counted as the enforcement analysis does
            total += seizures_per_region(records, ctx.n)
            # A layer of arrests only (or no action type) says nothing about seizures.
            found = bool((records["action"] == ActionType.SEIZURE.value).any())
        for layer in ctx.layers:
            if layer.role == Role.ADMIN_BOUNDARIES or layer.data.empty:
                continue
            if records is not None and layer.role == Role.ENFORCEMENT:
                continue  # its seizures are its records, counted above
            col = next((c for c in layer.data.columns if str(c).lower() in names), None)
            if col is None:
                continue
            found = True
            gdf = _to_crs(layer, ctx.crs)[ctx.in_period(layer)]
            values = pd.to_numeric(gdf[col], errors="coerce").fillna(0.0).to_numpy()
            total += ctx.sum_by_region(ctx.region_of(gdf), values)
        if found:
            out[column] = total
        else:
            ctx.missing(
                [column],
                out,
                tr("No layer has {what}: that column is empty (not zero).").format(what=label),
            )


def violent_mask(layer: Layer) -> np.ndarray:
    """Events that are violence (ACLED battles, explosions, violence against civilians)."""
    return _violent(layer)


def _violence(ctx: _Context, out: pd.DataFrame, population: np.ndarray) -> list[Layer]:
    cols = [
        "violent_events",
        "fatalities",
        "violent_events_per_100k",
        "fatalities_per_100k",
        "violence_trend",
    ]
    layers = [layer for layer in ctx.by_role(Role.VIOLENCE) if layer.geometry_kind == "point"]
    if not layers:
        ctx.missing(cols, out, tr("No violence events layer: violence outcomes are empty."))
        return []
    events = np.zeros(ctx.n)
    deaths = np.zeros(ctx.n)
    yearly: dict[int, np.ndarray] = {}
    has_fatalities = False
    for layer in layers:  # per region; --engine dask: per partition (analysis/region_counts.py)
        ctx.feedback.check()
        found, dead, per_year = (ctx.violence_sums or violence_sums)(ctx, layer)
        events += found
        if dead is not None:
            has_fatalities = True
            deaths += dead
        for y, counts in per_year.items():
            yearly[y] = yearly.get(y, np.zeros(ctx.n)) + counts
    if ctx.period is not None and ctx.period.start and ctx.period.end:
        all_years = np.arange(ctx.period.start.year, ctx.period.end.year + 1)
        span = ((ctx.period.end - ctx.period.start).days + 1) / 365.25
    elif yearly:
        all_years = np.arange(min(yearly), max(yearly) + 1)
        span = float(len(all_years))
    else:
        all_years = np.array([], dtype=int)
        span = float("nan")
        ctx.notes.append(tr("Violence events are undated: yearly rates cannot be computed."))
    span = round(span, 2)  # whole years stay whole (2014–2023 is 10.0, not 9.9986)
    out["violent_events"] = events
    out["violent_events_per_100k"] = per_100k(events / span, population)
    if has_fatalities:
        out["fatalities"] = deaths
        out["fatalities_per_100k"] = per_100k(deaths / span, population)
    else:
        ctx.missing(
            ["fatalities", "fatalities_per_100k"],
            out,
            tr("The violence layer has no fatalities field mapped."),
        )
    if len(all_years) >= 2:
        table = np.column_stack([yearly.get(int(y), np.zeros(ctx.n)) for y in all_years])
        rates = per_100k(table, population[:, None])
        out["violence_trend"] = yearly_slope(rates, all_years)
    else:
        ctx.missing(
            ["violence_trend"],
            out,
            tr("The violence trend needs dated events over at least two years."),
        )
    return layers


def _hot_spots(ctx: _Context, out: pd.DataFrame, violence: list[Layer]) -> None:
    if not violence:
        ctx.missing(["hot_spot_share"], out, tr("No violence events: no hot spots."))
        return
    xy = []
    for layer in violence:
        gdf = _to_crs(layer, ctx.crs)
        mask = ctx.in_period(layer) & _violent(layer) & gdf.geometry.notna().to_numpy()
        xy.append(hotspots.point_coordinates(gdf[mask]))
    xy = np.vstack(xy) if xy else np.empty((0, 2))
    xy = xy[np.isfinite(xy).all(axis=1)]
    if len(xy) < 3:
        ctx.missing(["hot_spot_share"], out, tr("Fewer than three violent events: no hot spots."))
        return
    bounds = tuple(ctx.regions.total_bounds)
    cell = HOTSPOT_CELL_M  # the grid path needs no weights matrix: a country stays at 5 km
    grid = hotspots.grid_for_extent(bounds, cell)
    idx = grid.cell_index(xy[:, 0], xy[:, 1])
    y = np.bincount(idx[idx >= 0], minlength=grid.rows * grid.cols)
    centres = grid.centre_points()
    ctx.feedback.check()
    res = hotspots.grid_gi_star(grid, y, 1.5 * cell)
    hot = res["gi_bin"].to_numpy() >= 2
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(centres[:, 0], centres[:, 1]), crs=ctx.crs)
    region = ctx.region_of(pts)
    cells = ctx.sum_by_region(region)
    hot_cells = ctx.sum_by_region(region, hot.astype(float))
    with np.errstate(invalid="ignore", divide="ignore"):
        out["hot_spot_share"] = np.where(cells > 0, hot_cells / cells, np.nan)


def _displacement(
    ctx: _Context, out: pd.DataFrame, targets: list[gpd.GeoDataFrame], violence: list[Layer]
) -> None:
    """WDQ of violence and of cultivation around each region's eradication.

    Target R = within 1 km of the region's eradication, buffer D = the next 5 km, control C =
    the rest of the study area (all regions) beyond a further 5 km; windows of 2 years (730 days)
    either side of the date. The measures are analysis.displacement_measures.displacement_measures.
    """
    from analysis.displacement_areas import grid_observations, point_observations
    from analysis.displacement_measures import displacement_measures

    per_region = region_targets(targets, POINT_TARGET_RADIUS_M) if targets else {}
    jobs = []
    viol = violence[0] if violence else None
    if viol is not None and _dates(viol) is not None:
        gdf = _to_crs(viol, ctx.crs)
        keep = _violent(viol) & gdf.geometry.notna().to_numpy()
        obs = point_observations(gdf[keep], _dates(viol)[keep], None)
        jobs.append(("wdq_violence", obs, DISPLACEMENT_WINDOW_DAYS))
    else:
        jobs.append(("wdq_violence", None, 0))
    grids = [layer for layer in ctx.by_role(Role.CULTIVATION) if layer.mapping.year_columns]
    if grids:
        grid = _to_crs(grids[0], ctx.crs)
        jobs.append(
            (
                "wdq_cultivation",
                grid_observations(grid, grids[0].mapping.year_columns),
                DISPLACEMENT_WINDOW_YEARS,
            )
        )
    else:
        jobs.append(("wdq_cultivation", None, 0))
    for column, obs, window in jobs:
        out[column] = np.nan
        if obs is None or not per_region:
            ctx.notes.append(
                tr("{c}: needs dated events and dated eradication; left empty.").format(c=column)
            )
            continue
        region = np.full(len(obs.locations), -1, dtype=np.int64)
        poly_idx, pt_idx = point_polygon_pairs(obs.locations, ctx.polys)
        region[pt_idx] = poly_idx
        study = StudyWindows(obs, region >= 0)
        undefined = 0
        for r, (shapes, date) in per_region.items():
            ctx.feedback.check()
            t0 = (
                date.year
                if obs.unit == "years"
                else (pd.Timestamp(date) - pd.Timestamp("1970-01-01")).days
            )
            totals = study.totals(shapes, TARGET_REACH_M, DISPLACEMENT_BUFFER_M, t0, window)
            (rb, ra), (db, da), (cb, ca) = totals
            m = displacement_measures(rb, ra, db, da, cb, ca, counts=obs.weight is None)
            if m["wdq"] is None:
                undefined += 1
            else:
                out.loc[r, column] = float(m["wdq"])
        if undefined:
            ctx.notes.append(
                tr(
                    "{c}: undefined in {n} of {m} regions with eradication (no fall in the "
                    "target area relative to the control, or no events in the control)."
                ).format(c=tr(INDICATOR_BY_COLUMN[column].label), n=undefined, m=len(per_region))
            )


def _access(
    ctx: _Context, out: pd.DataFrame, population: np.ndarray, settlements: gpd.GeoDataFrame | None
) -> None:
    cols = ["beyond_15km_share", "access_per_1000", "harm_reduction_coverage"]
    services = [layer for layer in ctx.by_role(Role.HEALTH_SERVICES)]
    if not services:
        ctx.missing(cols, out, tr("No health services layer: access outcomes are empty."))
        return
    if settlements is not None and len(settlements):
        demand = settlements
        demand_xy = access_mod.locations(demand)
        demand_pop = demand["population"].to_numpy(dtype=float)
        region = ctx.region_of(demand)
    elif ctx.population_raster is not None:
        demand_xy, demand_pop, region = raster_demand_points(ctx)
    elif np.isfinite(population).any():
        demand_xy = access_mod.locations(ctx.regions)
        demand_pop = np.nan_to_num(population)
        region = np.arange(ctx.n)
        ctx.notes.append(tr("Access measured from region centroids (no settlements layer)."))
    else:
        ctx.missing(cols, out, tr("No population: access outcomes are empty."))
        return
    layer = services[0]
    gdf = _to_crs(layer, ctx.crs)
    ok = gdf.geometry.notna().to_numpy()
    supply_xy = access_mod.locations(gdf[ok])
    table, notes = access_mod.accessibility(
        demand_xy, demand_pop, supply_xy, np.ones(len(supply_xy)), ACCESS_THRESHOLD_M, "2sfca"
    )
    pop_region = ctx.sum_by_region(region, demand_pop)
    beyond = ctx.sum_by_region(
        region, demand_pop * (table["nearest_m"].to_numpy() > ACCESS_THRESHOLD_M)
    )
    weighted = ctx.sum_by_region(region, demand_pop * table["access_per_1000"].to_numpy())
    with np.errstate(invalid="ignore", divide="ignore"):
        out["beyond_15km_share"] = np.where(pop_region > 0, beyond / pop_region, np.nan)
        out["access_per_1000"] = np.where(pop_region > 0, weighted / pop_region, np.nan)
    try:
        hr = access_mod.facility_mask(layer, HARM_REDUCTION) & ok
    except InputError:
        ctx.missing(
            ["harm_reduction_coverage"],
            out,
            tr("Services have no type field: harm-reduction coverage is empty."),
        )
        return
    if hr.any():
        d, _ = access_mod.nearest_service(demand_xy, access_mod.locations(gdf[hr]))
    else:
        d = np.full(len(demand_xy), np.inf)
        ctx.notes.append(tr("No harm-reduction service in the services layer: coverage is 0."))
    covered = ctx.sum_by_region(region, demand_pop * (d <= ACCESS_THRESHOLD_M))
    with np.errstate(invalid="ignore", divide="ignore"):
        out["harm_reduction_coverage"] = np.where(pop_region > 0, covered / pop_region, np.nan)


_FOOTPRINT_HARM: dict[tuple, gpd.GeoDataFrame] = {}


def _environment(ctx: _Context, out: pd.DataFrame, targets: list[gpd.GeoDataFrame]) -> None:
    from analysis.environment import BORDER_KM_KEY, TOTALS_KEY, EnvironmentalHarm

    cols = ["protected_eradicated_ha", "water_drift_ha", "rule_breaking_operations"]
    if not targets or not any(len(t) for t in targets):  # e.g. a period without operations
        ctx.missing(cols, out, tr("No eradication: no environmental harm from it."))
        return
    frame = pd.concat(targets, ignore_index=True)
    geom = frame.geometry.values
    radius = np.sqrt(np.nan_to_num(frame["ha"].to_numpy(), nan=0.0) * 1e4 / math.pi)
    radius = np.where(radius > 0, radius, POINT_TARGET_RADIUS_M)
    is_point = shapely.get_type_id(geom) == 0
    shapes = np.where(is_point, shapely.buffer(geom, radius), geom)
    footprints = Layer(
        gpd.GeoDataFrame({"region": frame["region"].to_numpy()}, geometry=shapes, crs=ctx.crs),
        "footprints",
    )
    first = {
        role: (ctx.by_role(role) or [None])[0]
        for role in (Role.PROTECTED_AREAS, Role.WATER, Role.SETTLEMENTS, Role.BORDER)
    }
    params = {
        "footprints": footprints,
        "protected": first[Role.PROTECTED_AREAS],
        "water": first[Role.WATER],
        "settlements": first[Role.SETTLEMENTS],
        "border": first[Role.BORDER],
        "drift_m": WATER_DRIFT_M,
        "rule_distance_m": 100.0,
        "border_distance_m": 10_000.0,
        "metric_crs": ctx.crs,
        **{TOTALS_KEY: False, BORDER_KM_KEY: False},  # per footprint only: no set totals
    }
    # Depends on the layers and period only: reused for another level of regions (briefing).
    key = (
        ctx.crs.to_string(),
        (ctx.period.start, ctx.period.end) if ctx.period is not None else None,
        tuple(
            (layer.id, id(layer.data), len(layer.data)) for layer in ctx.by_role(Role.ERADICATION)
        ),
        tuple((r.value, None if v is None else (v.id, id(v.data))) for r, v in first.items()),
    )
    fp = _FOOTPRINT_HARM.get(key)
    if fp is None or len(fp) != len(frame):
        fp = execute(EnvironmentalHarm(), params, None, _child(ctx.feedback)).layers["footprints"]
        _FOOTPRINT_HARM.clear()  # one entry: the last project and period
        _FOOTPRINT_HARM[key] = fp
    region = frame["region"].to_numpy()
    for column, source, role in (
        ("protected_eradicated_ha", "protected_ha", tr("protected areas")),
        ("water_drift_ha", "water_drift_ha", tr("rivers and water")),
    ):
        if source in fp.columns:
            out[column] = ctx.sum_by_region(region, fp[source].to_numpy(dtype=float))
        else:
            ctx.missing(
                [column], out, tr("No layer of {what}: {c} is empty.").format(what=role, c=column)
            )
    if "rules_broken" in fp.columns:
        out["rule_breaking_operations"] = ctx.sum_by_region(
            region, (fp["rules_broken"].to_numpy() > 0).astype(float)
        )
    else:
        ctx.missing(
            ["rule_breaking_operations"],
            out,
            tr("No water, settlements, protected areas or border: no rule checked."),
        )
    ctx.notes.append(
        tr(
            "Environmental harm sums each operation's hectares; overlapping operations count "
            "each time. Manual points are circles of their reported hectares."
        )
    )


def _child(feedback: Feedback) -> Feedback:
    """A feedback for a sub-analysis that shares the parent's cancel but not its progress."""
    child = Feedback()
    child._canceled = feedback._canceled  # noqa: SLF001 (one cancel button for the whole run)
    return child


def compute_indicators(
    project,
    regions_layer: Layer | str | None = None,
    years: str | TimeFilter | None = None,
    weights: str | dict | None = None,
    feedback: Feedback | None = None,
    *,
    regions: Layer | None = None,
    period: TimeFilter | None = None,
    notes: list[str] | None = None,
    population_raster: Any = None,
    loss_raster: Any = None,
    violence_sums: Any = None,
) -> pd.DataFrame:
    """One row per region: code, name, parent_code, then every column of INDICATORS.

    `regions`/`period` are aliases of `regions_layer`/`years` (the compare view's names).
    Notes on missing layers and undefined values are appended to `notes` when given.
    `population_raster`/`loss_raster`: paths (or RasterLayers) of the optional rasters.
    """
    feedback = feedback or Feedback()
    regions_layer = regions if regions is not None else regions_layer
    tf = years if isinstance(years, TimeFilter) else TimeFilter.parse(years)
    tf = period if period is not None else tf
    if tf is None:
        tf = project.time_filter
    ctx = _Context(project, choose_regions(project, regions_layer), tf, feedback)
    ctx.population_raster = optional_raster(population_raster, "--population-raster")
    ctx.loss_raster = optional_raster(loss_raster, "--loss-raster")
    ctx.violence_sums = violence_sums
    out = region_identity(ctx.regions_layer).reset_index(drop=True)
    own, own_weights = add_table_indicators(project, out, ctx.notes)  # joined tables' columns
    weights_used = parse_weights(weights, ENFORCEMENT_WEIGHTS | own_weights)
    steps = [
        tr("Population"),
        tr("Eradication"),
        tr("Violence"),
        tr("Hot spots"),
        tr("Health access"),
        tr("Environmental harm"),
        tr("New cultivation"),
        tr("Displacement"),
    ]

    def step(k: int) -> None:
        feedback.check()
        feedback.set_progress(100.0 * k / (len(steps) + 1), steps[k])

    step(0)
    population, settlements = _population(ctx, out)
    out["population"] = population
    step(1)
    targets = _eradication(ctx, out)
    _arrests_and_seizures(ctx, out)
    add_enforcement_indicators(ctx, out, population)  # whom arrests hit
    step(2)
    violence = _violence(ctx, out, population)
    step(3)
    _hot_spots(ctx, out, violence)
    step(4)
    _access(ctx, out, population, settlements)
    step(5)
    _environment(ctx, out, targets)
    step(6)
    new_cultivation(ctx, out)
    forest_loss(ctx, out)
    step(7)
    _displacement(ctx, out, targets, violence)
    feedback.check()
    index, used = harm_index(out, weights_used, {i.column: i.higher_is_worse for i in own})
    out["harm_index"] = index
    out["priority_rank"] = priority_rank(index)
    if not used:
        ctx.notes.append(tr("No outcome available: the harm index is empty."))
    shown = with_table_indicators(own)  # the index and rank stay last
    out = out[["code", "name", "parent_code"] + [i.column for i in shown]]
    out.attrs["indicators"] = shown
    out.attrs["weights"] = weights_used
    out.attrs["index_uses"] = used
    out.attrs["period"] = tf.label if tf is not None else None
    out.attrs["notes"] = ctx.notes
    if notes is not None:
        notes.extend(ctx.notes)
    return out


# --- the analysis -------------------------------------------------------------------------------
@register
class HarmIndicators(Algorithm):
    id = "indicators"
    cluster_module = "analysis.indicators_cluster"  # --engine dask: events per region there
    project_roles = ("*",)  # every layer, found by its role
    title = tr_noop("Harm indicators per region")
    help = tr_noop(
        "Per region, side by side: enforcement outputs (hectares eradicated, operations, "
        "arrests, seizures) and outcomes for people (violence and fatalities per 100,000 and "
        "their trend, hot spots, displacement, distance to health services, harm-reduction "
        "coverage, environmental harm), a harm index with weights you can change, and a "
        "priority rank. Needs a project; its layers are found by their roles."
    )
    parameters = (
        REPORT_REGIONS,
        PERIOD_YEARS,
        Parameter(
            "weights",
            "string",
            # The defaults written out, not formatted in: tr(help) where shown must find this
            # msgid (a test checks it lists DEFAULT_WEIGHTS).
            tr_noop(
                "Harm index weights as key=value,... over the defaults "
                "(violent_events_per_100k=1, fatalities_per_100k=1, beyond_15km_share=1, "
                "violence_trend=0.5, hot_spot_share=0.5, access_per_1000=0.5, "
                "harm_reduction_coverage=0.5, protected_eradicated_ha=0.5, water_drift_ha=0.5, "
                "new_cultivation_protected_ha=0.5, forest_loss_per_1000ha=0.5, "
                "rule_breaking_operations=0.25, wdq_violence=0, wdq_cultivation=0)."
            ),
        ),
        Parameter(
            "population_raster",
            "path",
            tr_noop(
                "Population raster (people per pixel): people per region and the access "
                "demand when neither the regions nor the settlements carry a population."
            ),
        ),
        Parameter(
            "loss_raster",
            "path",
            tr_noop(
                "Forest loss-year raster (Hansen lossyear: n = loss in 2000 + n): forest lost "
                "per region in the period, in the harm index."
            ),
        ),
        ENGINE,
        SCHEDULER,
    )
    outputs = (
        Output("regions", "layer", tr_noop("Regions with one column per indicator.")),
        Output("table", "table", tr_noop("The indicator table.")),
        Output("summary", "summary", tr_noop("Indicators per region, weights and notes.")),
    )

    def run(self, params: dict, feedback: Feedback) -> AnalysisResult:
        if params.get("engine") == "dask" and VIOLENCE_SUMS not in params:
            return run_on_cluster(self, params, feedback)  # comes back with VIOLENCE_SUMS set
        project = params.get(PROJECT_KEY)
        if project is None:
            raise InputError(
                tr("The indicators need a project: give --project PATH (e.g. the sample).")
            )
        regions = params.get("regions_layer")
        frame = compute_indicators(
            project,
            regions,
            params.get("years"),
            params.get("weights"),
            feedback,
            population_raster=params.get("population_raster"),
            loss_raster=params.get("loss_raster"),
            violence_sums=params.get(VIOLENCE_SUMS),
        )
        notes = list(frame.attrs.get("notes", []))
        chosen = choose_regions(project, regions)
        layer = _to_crs(chosen, project.metric_crs).reset_index(drop=True)
        result_layer = gpd.GeoDataFrame(
            frame.reset_index(drop=True), geometry=layer.geometry.values, crs=layer.crs
        )
        records = []
        for row in frame.to_dict(orient="records"):
            records.append({k: to_json(v) for k, v in row.items()})
        summary = {
            "regions": records,
            "weights": frame.attrs.get("weights"),
            "index_uses": frame.attrs.get("index_uses"),
            "period": frame.attrs.get("period"),
            "indicators": [
                {
                    "column": i.column,
                    "label": tr(i.label),
                    "group": i.group,
                    "unit": tr(i.unit) if i.unit else "",
                    "higher_is_worse": i.higher_is_worse,
                }
                for i in frame.attrs.get("indicators", INDICATORS)
            ],
            "notes": notes,
        }
        return AnalysisResult(
            summary=summary,
            layers={"regions": result_layer},
            table=frame.reset_index(drop=True),
            notes=notes,
            styles={"regions": {"field": "harm_index", "kind": "graduated"}},
        )
