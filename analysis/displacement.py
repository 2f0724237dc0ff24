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
A loss-year raster (--loss-raster) is an outcome in hectares on the same yearly windows:
each area's hectares of forest lost per calendar year, measured by analysis.zonal.zonal_table
(pixels weighted by their share inside the area); the default study region is then the
raster's extent.
"""

# The measures are in analysis/displacement_measures.py, the areas and counts in
# analysis/displacement_areas.py; this module declares the analysis and builds its study.
from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from shapely.geometry import box

from analysis.base import Algorithm, AnalysisResult, Feedback, Output, Parameter, register
from analysis.common_parameters import (
    ERADICATION_FOOTPRINTS,
    EVENT_DATE_FIELD,
    REGIONS,
    WEIGHT_FIELD,
)
from analysis.displacement_areas import (
    Observations,
    Study,
    day_numbers,
    grid_observations,
    loss_observations,
    point_observations,
    raster_region,
    union_of,
)
from analysis.inputs import (
    PROJECT_KEY,
    InputError,
    areas_around_points,
    date_column,
    feature_dates,
    in_metric,
    require_field,
    require_positive,
    run_crs,
    where_mask,
)
from layers.i18n import tr, tr_noop
from layers.layer import Layer


# --- the analysis -------------------------------------------------------------------------
@register
class Displacement(Algorithm):
    id = "displacement"
    project_roles = ("admin_boundaries",)  # the default study region
    title = tr_noop("Displacement and diffusion (WDQ, TNE, WDD)")
    help = tr_noop(
        "Did enforcement push cultivation or violence next door? Compares events before and "
        "after an intervention in the target, a buffer around it and a control area."
    )
    parameters = (
        Parameter(
            "events",
            "layer",
            tr_noop(
                "Events to count: violence points, or an annual cultivation grid (hectares). "
                "Required unless --loss-raster is the outcome."
            ),
            roles=("violence", "cultivation"),
            geometry=("point", "polygon"),
        ),
        replace(
            ERADICATION_FOOTPRINTS,
            name="targets",
            help=tr_noop("Where the intervention happened: eradication footprints or points."),
        ),
        Parameter(
            "control",
            "layer",
            tr_noop("Control polygons (default: the study region outside targets and buffers)."),
            geometry=("polygon",),
        ),
        replace(
            REGIONS,
            name="region",
            help=tr_noop(
                "Study region (default: the project's regions, else the extent of the data)."
            ),
        ),
        Parameter(
            "targets_where",
            "string",
            tr_noop("Use only targets whose FIELD equals VALUE: FIELD=VALUE or FIELD=V1|V2."),
        ),
        Parameter("date", "date", tr_noop("Intervention date for every target (YYYY-MM-DD).")),
        Parameter(
            "date_field",
            "field",
            tr_noop("Or: each target's own date in this field (targets of a date form a cohort)."),
            parent="targets",
        ),
        replace(EVENT_DATE_FIELD, name="event_date_field"),
        Parameter("window_days", "integer", tr_noop("Days counted before and after."), default=365),
        Parameter(
            "window_years",
            "integer",
            tr_noop("For annual cultivation grids: years before and after (default: days / 365)."),
        ),
        Parameter(
            "buffer_m", "number", tr_noop("Width of the buffer ring in metres."), default=2000.0
        ),
        Parameter("rings", "integer", tr_noop("Concentric buffer rings of that width."), default=1),
        WEIGHT_FIELD,
        Parameter(
            "target_radius_m",
            "number",
            tr_noop("For point targets: radius of the area treated around each point, in metres."),
        ),
        Parameter(
            "per_field",
            "field",
            tr_noop(
                "One run per operation: each distinct value of this targets field (e.g. the "
                "campaign) is measured on its own; the result is a table with a row per operation."
            ),
            parent="targets",
        ),
        Parameter(
            "loss_raster",
            "path",
            tr_noop(
                "Forest loss-year raster (Hansen lossyear: n = loss in 2000 + n) as the "
                "outcome instead of --events: hectares lost per window of --window-years."
            ),
        ),
    )
    outputs = (
        Output("target", "layer", tr_noop("Target areas with their before/after counts.")),
        Output("buffer", "layer", tr_noop("Buffer rings with counts and WDQ per ring.")),
        Output("control", "layer", tr_noop("Control and displacement-control areas with counts.")),
        Output("summary", "summary", tr_noop("WDQ, TNE, WDD and the counts behind them.")),
        Output(
            "operations",
            "layer",
            tr_noop("With --per-field: each operation's targets and measures."),
        ),
        Output("table", "table", tr_noop("With --per-field: one row per operation.")),
    )

    def run(self, params: dict[str, Any], feedback: Feedback) -> AnalysisResult:
        events_layer: Layer | None = params.get("events")
        targets_layer: Layer = params["targets"]
        loss = None
        if params.get("loss_raster"):
            from analysis.zonal import open_raster_input

            loss = open_raster_input(params["loss_raster"], "--loss-raster")
        elif events_layer is None:
            raise InputError(
                tr("Give --events (points or a cultivation grid) or --loss-raster as the outcome.")
            )
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
        targets = in_metric(targets_layer, crs)
        notes: list[str] = []
        if loss is not None and events_layer is not None:
            notes.append(tr("--events not counted: the loss-year raster is the outcome."))
        chosen = where_mask(targets_layer, params.get("targets_where"), "--targets-where")
        if chosen is not None:
            targets = targets[targets.index.isin(targets_layer.data.index[chosen])]
            notes.append(
                tr("{k} of {n} targets chosen by {w}.").format(
                    k=len(targets), n=len(targets_layer.data), w=params["targets_where"]
                )
            )

        # Events: a dated point layer, an annual grid of hectares, or a loss-year raster.
        grid_years = None if events_layer is None else events_layer.mapping.year_columns
        if loss is not None:
            obs = loss_observations()
            window = params.get("window_years") or max(1, round((params["window_days"]) / 365))
            if region_layer is None:
                region_layer = raster_region(loss, crs)
        elif events_layer.geometry_kind == "polygon":
            if not grid_years:
                raise InputError(
                    tr(
                        "--events layer {n!r} has polygons but no year columns: give points, or "
                        "an annual cultivation grid with one hectares column per year."
                    ).format(n=events_layer.name)
                )
            obs = grid_observations(in_metric(events_layer, crs), grid_years)
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
            events = in_metric(events_layer, crs)
            dates = feature_dates(events, column)
            obs = point_observations(events, dates, weight)
            window = int(params.get("window_days") or 0)
        require_positive(window, "--window-days")

        cohorts_src = self._target_times(params, targets_layer, targets, obs.unit, notes)
        shapes = self._target_shapes(targets, params.get("target_radius_m"))
        study = Study(
            obs=obs,
            shapes=shapes,
            region=self._region(region_layer, crs, obs, shapes, buffer_m * (rings + 1)),
            control_layer=control_layer,
            crs=crs,
            window=window,
            buffer_m=buffer_m,
            rings=rings,
            loss=loss,
        )
        per_field = params.get("per_field")
        if per_field:
            return self._per_operation(
                study, targets_layer, targets, per_field, cohorts_src, notes, feedback
            )
        summary, layers, more_notes = study.measure(cohorts_src, feedback, (10, 96))
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
        study: Study,
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
            return row, union_of(study.shapes[used])

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
            t = stamp.year if unit == "years" else int(day_numbers(pd.Series([stamp]))[0])
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
        times = pd.to_datetime(dates).dt.year.to_numpy() if unit == "years" else day_numbers(dates)
        positions = np.flatnonzero(valid)
        frame = pd.DataFrame({"t": times[positions], "pos": positions})
        return [(int(t), g["pos"].to_numpy()) for t, g in frame.groupby("t")]

    @staticmethod
    def _target_shapes(targets: gpd.GeoDataFrame, radius: float | None) -> np.ndarray:
        return areas_around_points(
            np.asarray(targets.geometry.values),
            radius,
            "--target-radius-m",
            tr(
                "The targets are points: give --target-radius-m, the radius treated around "
                "each point."
            ),
        )

    @staticmethod
    def _region(
        region_layer: Layer | None,
        crs: CRS,
        obs: Observations,
        shapes: np.ndarray,
        reach: float,
    ) -> shapely.Geometry:
        if region_layer is not None:
            return union_of(in_metric(region_layer, crs).geometry)
        # Default: the extent of the events and of the targets with their buffers.
        x0, y0, x1, y1 = shapely.total_bounds(shapes)
        reach_box = box(x0 - reach, y0 - reach, x1 + reach, y1 + reach)
        return box(*shapely.total_bounds(np.concatenate([obs.locations, [reach_box]])))


def _project_region(params: dict) -> Layer | None:
    """From a project: its administrative regions are the default study region."""
    project = params.get(PROJECT_KEY)
    if project is None:
        return None
    return project.layers.first("admin_boundaries")
