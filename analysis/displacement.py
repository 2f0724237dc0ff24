"""Displacement and diffusion around an intervention: WDQ and TNE (Bowers & Johnson 2003), WDD
(Wheeler & Ratcliffe 2018). Formulas and reference values: docs/methods.md ("Displacement").

Areas, all disjoint, in the metric CRS:
- target R: the targets (footprint polygons, or points buffered by --target-radius-m);
- buffer D: the ring of width M around the targets, targets excluded; with --rings K there are
  K concentric rings of width M, the headline buffer is the first, each ring gets its own WDQ;
- control C: the --control polygons, or by default the study region minus the targets, all K
  rings and the displacement-control ring;
- displacement-control Dc (for WDD): the ring of width M around the control, inside the study
  region, outside targets and buffers. For the default control that is the ring just beyond the
  last buffer ring (it is cut out of the default control so every area stays disjoint).
An event lying on the edge between two areas goes to the first in that order (R, D, Dc, C).

Windows: `before` is the N days up to the day before the intervention, `after` the N days from
the day after it; the intervention day itself is in neither. With --date-field each target has
its own date: targets sharing a date form a cohort with its own R and D and its own windows,
and counts (target, buffer, control, displacement-control) are summed over the cohorts, so the
control is always compared over the same days as the targets (a pooled before/after design).
Annual cultivation grids (hectares per cell per year, wide year columns) use years instead of
days: each cell's centroid is an event weighted by that year's hectares, `before` is the N
years before the intervention year and `after` the N years after it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from shapely.geometry import box

from analysis.base import Algorithm, AnalysisResult, Feedback, Output, Parameter, register
from analysis.count import PointIndex
from analysis.inputs import (
    PROJECT_KEY,
    InputError,
    date_column,
    feature_dates,
    in_metric,
    require_field,
    require_positive,
    run_crs,
    where_mask,
)
from layers.i18n import tr
from layers.layer import Layer

Z95 = 1.959963984540054


# --- the maths --------------------------------------------------------------------------
def wdd(
    t_before: float,
    t_after: float,
    c_before: float,
    c_after: float,
    d_before: float,
    d_after: float,
    dc_before: float,
    dc_after: float,
) -> dict[str, float | None]:
    """Weighted displacement difference with its Poisson standard error, z and 95% CI.

    t = treated, c = control, d = displacement area around the treated, dc = displacement
    area around the control (Wheeler & Ratcliffe 2018).
    """
    value = (t_after - t_before) - (c_after - c_before) + (d_after - d_before)
    value -= dc_after - dc_before
    variance = t_before + t_after + c_before + c_after + d_before + d_after
    variance += dc_before + dc_after
    se = math.sqrt(variance)
    z = value / se if se > 0 else None
    return {
        "wdd": float(value),
        "wdd_se": se if se > 0 else None,
        "wdd_z": z,
        "wdd_ci_low": value - Z95 * se if se > 0 else None,
        "wdd_ci_high": value + Z95 * se if se > 0 else None,
        "wdd_p": math.erfc(abs(z) / math.sqrt(2)) if z is not None else None,
    }


def displacement_measures(
    Rb: float,
    Ra: float,
    Db: float,
    Da: float,
    Cb: float,
    Ca: float,
    *,
    counts: bool = True,
    Dcb: float | None = None,
    Dca: float | None = None,
) -> dict[str, Any]:
    """Success and buffer measures, WDQ, TNE and (for counts with Dc) WDD; None when undefined.

    `notes` says why a value is undefined (zero control counts, success >= 0, weights for WDD).
    """
    out: dict[str, Any] = {
        "success_measure": None,
        "buffer_measure": None,
        "wdq": None,
        "tne": None,
        "reading": None,
    }
    notes: list[str] = []
    if Cb > 0 and Ca > 0:
        success = Ra / Ca - Rb / Cb
        buffer = Da / Ca - Db / Cb
        out["success_measure"], out["buffer_measure"] = success, buffer
        out["tne"] = (Rb * Ca / Cb - Ra) + (Db * Ca / Cb - Da)
        if success < 0:
            out["wdq"] = buffer / success
            out["reading"] = wdq_reading(out["wdq"])
        else:
            notes.append(
                tr(
                    "WDQ undefined: the success measure is {s:.4g} (>= 0), so the target area "
                    "did not fall relative to the control; WDQ is meaningful only when it is < 0."
                ).format(s=success)
            )
    else:
        which = tr("before") if Cb <= 0 else tr("after")
        notes.append(
            tr(
                "Success, buffer, WDQ and TNE undefined: the control area has no events {w} "
                "the intervention, so its ratios divide by zero. Widen the window or the control."
            ).format(w=which)
        )
    out.update(
        {"wdd": None, "wdd_se": None, "wdd_z": None, "wdd_ci_low": None, "wdd_ci_high": None}
    )
    out["wdd_p"] = None
    if not counts:
        notes.append(
            tr(
                "WDD undefined: its Poisson variance holds for event counts only, not for "
                "weights or hectares."
            )
        )
    elif Dcb is None or Dca is None:
        notes.append(tr("WDD undefined: no displacement-control area."))
    else:
        out.update(wdd(Rb, Ra, Cb, Ca, Db, Da, Dcb, Dca))
    out["notes"] = notes
    return out


def wdq_reading(value: float | None) -> str | None:
    """The Bowers & Johnson reading of a WDQ value, in words."""
    if value is None:
        return None
    if value > 1:
        return tr("diffusion of benefits larger than the direct effect")
    if value > 0:
        return tr("diffusion of benefits")
    if value == 0:
        return tr("no change in the buffer")
    if value >= -1:
        return tr("some displacement, net benefit")
    return tr("displacement outweighs the benefit")


def ring_measures(
    Rb: float, Ra: float, Cb: float, Ca: float, rings: list[tuple[float, float]]
) -> list[dict[str, Any]]:
    """WDQ of each concentric ring [(before, after), ...] against the same target and control."""
    out = []
    for k, (b, a) in enumerate(rings, start=1):
        m = displacement_measures(Rb, Ra, b, a, Cb, Ca, counts=False)
        out.append(
            {"ring": k, "before": b, "after": a, "buffer_measure": m["buffer_measure"]}
            | {"wdq": m["wdq"]}
        )
    return out


# --- areas and events ---------------------------------------------------------------------
@dataclass
class Observations:
    """Events as locations plus (location, time, weight) rows; time in days or years."""

    locations: np.ndarray  # shapely points
    loc: np.ndarray  # location index of each observation
    time: np.ndarray  # integer day number or year
    weight: np.ndarray | None  # None = plain counts
    unit: str  # "days" or "years"
    label: str  # what a count means: "events", "hectares", "sum of fatalities"

    def __post_init__(self) -> None:
        # Sorted by time, so each window is one slice found by binary search.
        order = np.argsort(self.time, kind="stable")
        self.loc, self.time = self.loc[order], self.time[order]
        if self.weight is not None:
            self.weight = self.weight[order]


def _day_numbers(dates: pd.Series) -> np.ndarray:
    """Whole days since 1970 (NaT -> a huge negative so no window ever takes it)."""
    values = pd.to_datetime(dates).dt.normalize()
    days = (values - pd.Timestamp("1970-01-01")).dt.days
    return days.fillna(-(10**9)).to_numpy(dtype=np.int64)


def grid_observations(grid: gpd.GeoDataFrame, year_columns: dict[int, str]) -> Observations:
    """A SIMCI-style grid as events: each cell centroid, each year, weighted by its hectares."""
    years = sorted(year_columns)
    centroids = np.asarray(grid.geometry.centroid.values)
    values = np.column_stack(
        [pd.to_numeric(grid[year_columns[y]], errors="coerce").fillna(0.0) for y in years]
    )
    n = len(grid)
    loc = np.repeat(np.arange(n), len(years))
    time = np.tile(np.asarray(years, dtype=np.int64), n)
    weight = values.reshape(-1)
    keep = weight > 0
    return Observations(centroids, loc[keep], time[keep], weight[keep], "years", "hectares")


def point_observations(
    points: gpd.GeoDataFrame, dates: pd.Series, weight: str | None
) -> Observations:
    locations = np.asarray(points.geometry.values)
    w = None
    if weight:
        w = pd.to_numeric(points[weight], errors="coerce").fillna(0.0).to_numpy(dtype=float)
    label = tr("events") if not weight else tr("sum of {w}").format(w=weight)
    return Observations(locations, np.arange(len(points)), _day_numbers(dates), w, "days", label)


def _union(geoms: Any) -> shapely.Geometry:
    arr = np.asarray(getattr(geoms, "values", geoms))
    arr = arr[~shapely.is_empty(arr) & ~shapely.is_missing(arr)]
    if len(arr) == 0:
        return shapely.Polygon()
    return shapely.make_valid(shapely.union_all(arr))


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """Keep only the areal parts (differences can leave slivers of lines or points)."""
    if geom.is_empty or geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


@dataclass
class Cohort:
    time: int
    targets: shapely.Geometry
    rings: list[shapely.Geometry]
    n_targets: int


@dataclass
class _Study:
    """What every measurement of one run shares: the events, where they are, the targets'
    shapes and the study region. Built once, so a run per operation costs only its own areas."""

    obs: Observations
    index: PointIndex
    shapes: np.ndarray  # every target's treated area
    region: shapely.Geometry
    control_layer: Layer | None
    crs: CRS
    window: int
    buffer_m: float
    rings: int

    def __post_init__(self) -> None:
        self._inside_region: np.ndarray | None = None

    def when(self, t: int) -> str:
        if self.obs.unit == "years":
            return str(t)
        return (pd.Timestamp("1970-01-01") + pd.Timedelta(days=int(t))).date().isoformat()

    def _mask(self, area: shapely.Geometry) -> np.ndarray:
        out = np.zeros(len(self.obs.locations), dtype=bool)
        out[self.index.inside(area)] = True
        return out

    @property
    def inside_region(self) -> np.ndarray:
        if self._inside_region is None:  # the one costly point-in-polygon: a whole country
            self._inside_region = self._mask(self.region)
        return self._inside_region

    def _area_in_region(self, area: shapely.Geometry) -> float:
        """Area of `area` inside the region, cutting the region to its box first (fast)."""
        if area.is_empty:
            return 0.0
        near = shapely.clip_by_rect(self.region, *area.bounds)
        return float(shapely.intersection(near, area).area)

    def measure(
        self,
        cohorts_src: list[tuple[int, np.ndarray]],
        feedback: Feedback | None,
        progress: tuple[float, float] | None,
        with_layers: bool = True,
    ) -> tuple[dict[str, Any], dict[str, gpd.GeoDataFrame], list[str]]:
        """Summary, result layers and notes for the targets in `cohorts_src`."""
        buffer_m, rings = self.buffer_m, self.rings
        rows_used = np.concatenate([rows for _, rows in cohorts_src])
        all_targets = _union(self.shapes[rows_used])

        def step(fraction: float, message: str) -> None:
            if feedback is not None:
                feedback.check()
                if progress is not None:
                    lo, hi = progress
                    feedback.set_progress(lo + (hi - lo) * fraction, message)

        step(0.0, tr("Building target, buffer and control areas"))
        cohorts = []
        for time_value, rows in cohorts_src:
            if feedback is not None:
                feedback.check()
            shapes = _union(self.shapes[rows])
            cohorts.append(
                Cohort(
                    int(time_value), shapes, _rings(shapes, all_targets, buffer_m, rings), len(rows)
                )
            )
        # Buffering each target then uniting is ~30x faster than buffering their union.
        outer = _union(shapely.buffer(self.shapes[rows_used], buffer_m * rings))
        k_dc, k_c = rings + 1, rings + 2
        n_loc = len(self.obs.locations)
        static = np.full(n_loc, -1, dtype=np.int64)
        notes: list[str] = []
        control = dcontrol = None
        step(0.2, tr("Placing events"))
        if self.control_layer is not None:
            region = self.region
            control_raw = _union(in_metric(self.control_layer, self.crs).geometry)
            control = _polygonal(control_raw.intersection(region).difference(outer))
            if control.area < 0.999 * control_raw.intersection(region).area:
                notes.append(
                    tr("Parts of the control inside the targets or buffers were left out.")
                )
            dcontrol = shapely.buffer(control, buffer_m).intersection(region)
            dcontrol = _polygonal(dcontrol.difference(control).difference(outer))
            control_ha, dcontrol_ha = control.area / 1e4, dcontrol.area / 1e4
            for code, area in ((k_dc, dcontrol), (k_c, control)):
                idx = self.index.inside(area)
                static[idx[static[idx] == -1]] = code
        else:
            # Default control: the region beyond the guard, found by masks, not by cutting
            # the guard out of a country-sized polygon for every operation.
            guard = _union(shapely.buffer(self.shapes[rows_used], buffer_m * (rings + 1)))
            in_guard, in_outer = self._mask(guard), self._mask(outer)
            static[self.inside_region & in_guard & ~in_outer] = k_dc
            static[self.inside_region & ~in_guard] = k_c
            guard_in, outer_in = self._area_in_region(guard), self._area_in_region(outer)
            control_ha = (self.region.area - guard_in) / 1e4
            dcontrol_ha = (guard_in - outer_in) / 1e4
            if with_layers:
                control = _polygonal(self.region.difference(guard))
                dcontrol = _polygonal(guard.difference(outer).intersection(self.region))
        if control_ha <= 0:
            raise InputError(
                tr(
                    "The control area is empty: the buffers cover the study region. Give --region "
                    "or --control, or a smaller --buffer-m."
                )
            )
        # counts[k] = (before, after) for area code k, summed over cohorts.
        totals = np.zeros((rings + 3, 2))
        per_cohort = []
        for i, cohort in enumerate(cohorts):
            step(0.25 + 0.7 * i / max(len(cohorts), 1), tr("Counting events"))
            labels = static.copy()
            for code, area in [(0, cohort.targets)] + list(enumerate(cohort.rings, start=1)):
                if area.is_empty:
                    continue
                idx = self.index.inside(area)
                free = idx[(labels[idx] == -1) | (labels[idx] > code)]
                labels[free] = code
            counts = _window_counts(self.obs, labels, cohort.time, self.window, rings + 3)
            totals += counts
            per_cohort.append(counts)
        step(1.0, tr("Computing measures"))

        (Rb, Ra), (Db, Da) = totals[0], totals[1]
        (Dcb, Dca), (Cb, Ca) = totals[k_dc], totals[k_c]
        is_count = self.obs.weight is None
        measures = displacement_measures(Rb, Ra, Db, Da, Cb, Ca, counts=is_count, Dcb=Dcb, Dca=Dca)
        ring_rows = ring_measures(Rb, Ra, Cb, Ca, [tuple(totals[k]) for k in range(1, rings + 1)])
        for row in ring_rows:
            row["inner_m"] = buffer_m * (row["ring"] - 1)
            row["outer_m"] = buffer_m * row["ring"]
        notes = notes + measures.pop("notes")
        summary: dict[str, Any] = {
            "target": _pair(Rb, Ra, is_count),
            "buffer": _pair(Db, Da, is_count),
            "control": _pair(Cb, Ca, is_count),
            "displacement_control": _pair(Dcb, Dca, is_count),
            **measures,
            "rings": [
                {k: (_num(v, is_count) if k in ("before", "after") else v) for k, v in r.items()}
                for r in ring_rows
            ]
            if rings > 1
            else None,
            "measure": self.obs.label,
            "window": {"before": self.window, "after": self.window, "unit": self.obs.unit},
            "buffer_m": buffer_m,
            "cohorts": len(cohorts),
            "targets": int(sum(c.n_targets for c in cohorts)),
            "areas_ha": {
                "target": all_targets.area / 1e4,
                # The union of every cohort's ring is costly; a table per operation omits it.
                "buffer": _union([c.rings[0] for c in cohorts]).area / 1e4 if with_layers else None,
                "control": control_ha,
                "displacement_control": dcontrol_ha,
            },
            "crs": self.crs.to_string(),
        }
        if summary["rings"] is None:
            del summary["rings"]
        if not with_layers:
            return summary, {}, notes
        layers = Displacement._result_layers(
            cohorts, per_cohort, control, dcontrol, totals, self.crs, self.obs
        )
        # Each ring's WDQ pooled over the cohorts (ring 1 is the headline WDQ).
        layers["buffer"]["wdq"] = [ring_rows[k - 1]["wdq"] for k in layers["buffer"]["ring"]]
        return summary, layers, notes


# --- the analysis -------------------------------------------------------------------------
@register
class Displacement(Algorithm):
    id = "displacement"
    project_roles = ("admin_boundaries",)  # the default study region
    title = tr("Displacement and diffusion (WDQ, TNE, WDD)")
    help = tr(
        "Did enforcement push cultivation or violence next door? Compares events before and "
        "after an intervention in the target, a buffer around it and a control area."
    )
    parameters = (
        Parameter(
            "events",
            "layer",
            tr("Events to count: violence points, or an annual cultivation grid (hectares)."),
            required=True,
            roles=("violence", "cultivation"),
            geometry=("point", "polygon"),
        ),
        Parameter(
            "targets",
            "layer",
            tr("Where the intervention happened: eradication footprints or points."),
            required=True,
            roles=("eradication",),
            geometry=("polygon", "point"),
        ),
        Parameter(
            "control",
            "layer",
            tr("Control polygons (default: the study region outside targets and buffers)."),
            geometry=("polygon",),
        ),
        Parameter(
            "region",
            "layer",
            tr("Study region (default: the project's regions, else the extent of the data)."),
            roles=("admin_boundaries",),
            geometry=("polygon",),
        ),
        Parameter(
            "targets_where",
            "string",
            tr("Use only targets whose FIELD equals VALUE: FIELD=VALUE or FIELD=V1|V2."),
        ),
        Parameter("date", "date", tr("Intervention date for every target (YYYY-MM-DD).")),
        Parameter(
            "date_field",
            "field",
            tr("Or: each target's own date in this field (targets of a date form a cohort)."),
            parent="targets",
        ),
        Parameter(
            "event_date_field",
            "field",
            tr("Date field of point events (default: the layer's mapped date)."),
            parent="events",
        ),
        Parameter("window_days", "integer", tr("Days counted before and after."), default=365),
        Parameter(
            "window_years",
            "integer",
            tr("For annual cultivation grids: years before and after (default: days / 365)."),
        ),
        Parameter("buffer_m", "number", tr("Width of the buffer ring in metres."), default=2000.0),
        Parameter("rings", "integer", tr("Concentric buffer rings of that width."), default=1),
        Parameter(
            "weight_field",
            "field",
            tr("Sum this field (e.g. fatalities) instead of counting events."),
            parent="events",
        ),
        Parameter(
            "target_radius_m",
            "number",
            tr("For point targets: radius of the area treated around each point, in metres."),
        ),
        Parameter(
            "per_field",
            "field",
            tr(
                "One run per operation: each distinct value of this targets field (e.g. the "
                "campaign) is measured on its own; the result is a table with a row per operation."
            ),
            parent="targets",
        ),
    )
    outputs = (
        Output("target", "layer", tr("Target areas with their before/after counts.")),
        Output("buffer", "layer", tr("Buffer rings with counts and WDQ per ring.")),
        Output("control", "layer", tr("Control and displacement-control areas with counts.")),
        Output("summary", "summary", tr("WDQ, TNE, WDD and the counts behind them.")),
        Output(
            "operations", "layer", tr("With --per-field: each operation's targets and measures.")
        ),
        Output("table", "table", tr("With --per-field: one row per operation.")),
    )

    def run(self, params: dict[str, Any], feedback: Feedback) -> AnalysisResult:
        events_layer: Layer = params["events"]
        targets_layer: Layer = params["targets"]
        control_layer: Layer | None = params.get("control")
        region_layer: Layer | None = params.get("region") or _project_region(params)
        buffer_m = params.get("buffer_m") or 0.0
        rings = int(params.get("rings") or 1)
        require_positive(buffer_m, "--buffer-m")
        require_positive(rings, "--rings")
        if params.get("date") is None and not params.get("date_field"):
            raise InputError(tr("Give the intervention --date, or --date-field on the targets."))
        if params.get("date") is not None and params.get("date_field"):
            raise InputError(tr("Give --date or --date-field, not both."))
        crs = run_crs(params, events_layer, targets_layer, control_layer)
        feedback.set_progress(2, tr("Projecting layers"))
        events = in_metric(events_layer, crs)
        targets = in_metric(targets_layer, crs)
        notes: list[str] = []
        chosen = where_mask(targets_layer, params.get("targets_where"), "--targets-where")
        if chosen is not None:
            targets = targets[targets.index.isin(targets_layer.data.index[chosen])]
            notes.append(
                tr("{k} of {n} targets chosen by {w}.").format(
                    k=len(targets), n=len(targets_layer.data), w=params["targets_where"]
                )
            )

        # Events: a dated point layer, or an annual grid of hectares.
        grid_years = events_layer.mapping.year_columns
        if events_layer.geometry_kind == "polygon":
            if not grid_years:
                raise InputError(
                    tr(
                        "--events layer {n!r} has polygons but no year columns: give points, or "
                        "an annual cultivation grid with one hectares column per year."
                    ).format(n=events_layer.name)
                )
            obs = grid_observations(events, grid_years)
            window = params.get("window_years") or max(1, round((params["window_days"]) / 365))
            if params.get("weight_field"):
                notes.append(tr("--weight-field ignored: grid cells are weighted by hectares."))
        else:
            column = date_column(events_layer, params.get("event_date_field"), "--event-date-field")
            if column is None:
                raise InputError(
                    tr(
                        "--events layer {n!r} has no mapped date: name it with --event-date-field."
                    ).format(n=events_layer.name)
                )
            weight = require_field(events_layer, params.get("weight_field"), "--weight-field")
            dates = feature_dates(events, column)
            obs = point_observations(events, dates, weight)
            window = int(params.get("window_days") or 0)
        require_positive(window, "--window-days")

        cohorts_src = self._target_times(params, targets_layer, targets, obs.unit, notes)
        shapes = self._target_shapes(targets, params.get("target_radius_m"))
        study = _Study(
            obs=obs,
            index=PointIndex(obs.locations),
            shapes=shapes,
            region=self._region(region_layer, crs, obs, shapes, buffer_m * (rings + 1)),
            control_layer=control_layer,
            crs=crs,
            window=window,
            buffer_m=buffer_m,
            rings=rings,
        )
        per_field = params.get("per_field")
        if per_field:
            return self._per_operation(
                study, targets_layer, targets, per_field, cohorts_src, notes, feedback
            )
        summary, layers, more_notes = study.measure(cohorts_src, feedback, (10, 96))
        feedback.set_progress(100, tr("Done"))
        return AnalysisResult(
            summary=summary,
            layers=layers,
            notes=notes + more_notes,
            styles={
                "target": {"field": "after", "kind": "graduated"},
                "buffer": {"field": "ring", "kind": "categorized"},
                "control": {"field": "area", "kind": "categorized"},
            },
        )

    @staticmethod
    def _per_operation(
        study: _Study,
        layer: Layer,
        targets: gpd.GeoDataFrame,
        field: str,
        cohorts_src: list[tuple[int, np.ndarray]],
        notes: list[str],
        feedback: Feedback,
    ) -> AnalysisResult:
        """One row per operation (each distinct value of `field`), measured as a run of its own."""
        column = require_field(layer, field, "--per-field")
        names = targets[column].astype("string").str.strip().fillna("").to_numpy(dtype=object)
        operations = [v for v in pd.unique(names) if v]
        if not operations:
            raise InputError(
                tr("--per-field {c}: no target has a value in that field.").format(c=column)
            )
        unnamed = int((names == "").sum())
        if unnamed:
            notes.append(
                tr("{n} targets without a {c} value belong to no operation.").format(
                    n=unnamed, c=column
                )
            )

        def one(name: str) -> tuple[dict, shapely.Geometry] | None:
            mine = names == name
            cohorts = [(t, pos[mine[pos]]) for t, pos in cohorts_src]
            cohorts = [(t, pos) for t, pos in cohorts if len(pos)]
            if not cohorts:
                return None
            summary, _, op_notes = study.measure(cohorts, None, None, with_layers=False)
            times = [t for t, _ in cohorts]
            row = {
                "operation": name,
                "targets": summary["targets"],
                "first": study.when(min(times)),
                "last": study.when(max(times)),
            }
            for key in ("wdq", "reading", "tne", "wdd", "wdd_z", "success_measure"):
                row[key] = summary.get(key)
            for ring in summary.get("rings") or []:
                row[f"wdq_ring_{ring['ring']}"] = ring["wdq"]
            for area in ("target", "buffer", "control", "displacement_control"):
                row[f"{area}_before"] = summary[area]["before"]
                row[f"{area}_after"] = summary[area]["after"]
            for key in ("buffer_measure", "wdd_se", "wdd_ci_low", "wdd_ci_high", "wdd_p"):
                row[key] = summary.get(key)
            row["cohorts"] = summary["cohorts"]
            row["notes"] = " ".join(op_notes)
            used = np.concatenate([pos for _, pos in cohorts])
            return row, _union(study.shapes[used])

        rows, shapes = [], []
        # One operation at a time: threads gained nothing (measured: CPU time = wall time).
        for k, name in enumerate(operations):
            feedback.check()
            feedback.set_progress(
                10 + 88 * k / len(operations),
                tr("Operation {k} of {n}").format(k=k + 1, n=len(operations)),
            )
            done = one(name)
            if done is not None:
                rows.append(done[0])
                shapes.append(done[1])
        table = pd.DataFrame(rows)
        layer_out = gpd.GeoDataFrame(table.drop(columns=["notes"]), geometry=shapes, crs=study.crs)
        defined = table["wdq"].notna()
        summary = {
            "per_field": column,
            "operations": len(table),
            "wdq_defined": int(defined.sum()),
            "displacement_outweighs_benefit": int((table.loc[defined, "wdq"] < -1).sum()),
            "diffusion_of_benefits": int((table.loc[defined, "wdq"] > 0).sum()),
            "measure": study.obs.label,
            "window": {"before": study.window, "after": study.window, "unit": study.obs.unit},
            "buffer_m": study.buffer_m,
            "per_operation": [
                {
                    k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                    for k, v in r.items()
                }
                for r in rows
            ],
            "crs": study.crs.to_string(),
        }
        feedback.set_progress(100, tr("Done"))
        return AnalysisResult(
            summary=summary,
            layers={"operations": layer_out},
            table=table,
            notes=notes,
            styles={"operations": {"field": "wdq", "kind": "graduated"}},
        )

    # --- pieces ---------------------------------------------------------------------------
    @staticmethod
    def _target_times(
        params: dict, layer: Layer, targets: gpd.GeoDataFrame, unit: str, notes: list[str]
    ) -> list[tuple[int, np.ndarray]]:
        """[(intervention time, target row positions)]: one cohort per distinct date."""
        if params.get("date") is not None:
            stamp = pd.Timestamp(params["date"])
            t = stamp.year if unit == "years" else int(_day_numbers(pd.Series([stamp]))[0])
            return [(t, np.arange(len(targets)))]
        column = require_field(layer, params["date_field"], "--date-field")
        dates = feature_dates(targets, column)
        valid = dates.notna().to_numpy()
        if not valid.any():
            raise InputError(
                tr("--date-field {c}: no target has a readable date.").format(c=column)
            )
        if not valid.all():
            notes.append(
                tr("{n} targets without a readable date were left out.").format(
                    n=int((~valid).sum())
                )
            )
        times = pd.to_datetime(dates).dt.year.to_numpy() if unit == "years" else _day_numbers(dates)
        positions = np.flatnonzero(valid)
        frame = pd.DataFrame({"t": times[positions], "pos": positions})
        return [(int(t), g["pos"].to_numpy()) for t, g in frame.groupby("t")]

    @staticmethod
    def _target_shapes(targets: gpd.GeoDataFrame, radius: float | None) -> np.ndarray:
        geoms = np.asarray(targets.geometry.values)
        kinds = set(shapely.get_type_id(geoms))
        if kinds & {0, 4}:  # points
            if not radius:
                raise InputError(
                    tr(
                        "The targets are points: give --target-radius-m, the radius treated "
                        "around each point."
                    )
                )
            require_positive(radius, "--target-radius-m")
            geoms = shapely.buffer(geoms, radius)
        return geoms

    @staticmethod
    def _region(
        region_layer: Layer | None,
        crs: CRS,
        obs: Observations,
        shapes: np.ndarray,
        reach: float,
    ) -> shapely.Geometry:
        if region_layer is not None:
            return _union(in_metric(region_layer, crs).geometry)
        # Default: the extent of the events and of the targets with their buffers.
        x0, y0, x1, y1 = shapely.total_bounds(shapes)
        reach_box = box(x0 - reach, y0 - reach, x1 + reach, y1 + reach)
        return box(*shapely.total_bounds(np.concatenate([obs.locations, [reach_box]])))

    @staticmethod
    def _result_layers(
        cohorts: list[Cohort],
        per_cohort: list[np.ndarray],
        control: shapely.Geometry,
        dcontrol: shapely.Geometry,
        totals: np.ndarray,
        crs: CRS,
        obs: Observations,
    ) -> dict[str, gpd.GeoDataFrame]:
        def when(t: int) -> str:
            if obs.unit == "years":
                return str(t)
            return (pd.Timestamp("1970-01-01") + pd.Timedelta(days=int(t))).date().isoformat()

        target_rows, ring_rows = [], []
        for cohort, counts in zip(cohorts, per_cohort, strict=True):
            target_rows.append(
                {"date": when(cohort.time), "targets": cohort.n_targets}
                | {"before": counts[0][0], "after": counts[0][1], "geometry": cohort.targets}
            )
            for k, ring in enumerate(cohort.rings, start=1):
                ring_rows.append(
                    {"date": when(cohort.time), "ring": k, "before": counts[k][0]}
                    | {"after": counts[k][1], "geometry": ring}
                )
        k_dc, k_c = len(totals) - 2, len(totals) - 1
        control_rows = [
            {"area": "control", "before": totals[k_c][0], "after": totals[k_c][1]}
            | {"geometry": control},
            {"area": "displacement_control", "before": totals[k_dc][0]}
            | {"after": totals[k_dc][1], "geometry": dcontrol},
        ]
        return {
            "target": gpd.GeoDataFrame(target_rows, geometry="geometry", crs=crs),
            "buffer": gpd.GeoDataFrame(ring_rows, geometry="geometry", crs=crs),
            "control": gpd.GeoDataFrame(control_rows, geometry="geometry", crs=crs),
        }


def _rings(
    shapes: shapely.Geometry, all_targets: shapely.Geometry, width: float, k: int
) -> list[shapely.Geometry]:
    """K rings of `width` around `shapes`, outside every target."""
    out, inner = [], shapes
    for i in range(1, k + 1):
        outer = shapely.buffer(shapes, width * i)
        out.append(_polygonal(outer.difference(inner).difference(all_targets)))
        inner = outer
    return out


def _window_counts(
    obs: Observations, labels: np.ndarray, t0: int, window: int, n_codes: int
) -> np.ndarray:
    """[(before, after)] per area code for one intervention time."""
    out = np.zeros((n_codes, 2))
    for j, (lo, hi) in enumerate(((t0 - window, t0 - 1), (t0 + 1, t0 + window))):
        start, stop = np.searchsorted(obs.time, [lo, hi + 1], "left")  # time is sorted
        codes = labels[obs.loc[start:stop]]
        placed = codes >= 0
        w = None if obs.weight is None else obs.weight[start:stop][placed]
        out[:, j] = np.bincount(codes[placed], weights=w, minlength=n_codes)
    return out


def _num(value: float, is_count: bool) -> float | int:
    return int(round(value)) if is_count else round(float(value), 4)


def _pair(before: float, after: float, is_count: bool) -> dict[str, float | int]:
    return {"before": _num(before, is_count), "after": _num(after, is_count)}


def _project_region(params: dict) -> Layer | None:
    """From a project: its administrative regions are the default study region."""
    project = params.get(PROJECT_KEY)
    if project is None:
        return None
    return project.layers.first("admin_boundaries")
