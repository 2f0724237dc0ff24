"""Environmental harm from eradication: protected areas, water, the spraying rules broken, and
new cultivation in protected areas after nearby eradication (docs/methods.md).

Per footprint:
- protected_ha: hectares inside protected areas (overlapping areas counted once), and by
  IUCN category in the summary;
- water_drift_ha: hectares within the drift distance of water (rivers, lakes);
- river_km_in_drift: kilometres of river within the drift distance of the footprint;
- the rules (Decree 1843 of 1991, art. 87; the PECIG plan): within --rule-distance-m of water
  or of settlements, inside a protected area, within --border-distance-m of the border;
- new_cultivation_protected_ha (with --cultivation): cultivation grid cells inside protected
  areas within --nearby-m of the footprint that had none in the footprint's year and the
  N years before it, and some in the N years after it (their peak hectares in those years).
Totals use the union of the footprints, so overlapping footprints are not counted twice.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analysis.base import Algorithm, AnalysisResult, Feedback, Output, Parameter, register
from analysis.inputs import (
    InputError,
    date_column,
    feature_dates,
    in_metric,
    require_field,
    require_positive,
    resolve_params,
    run_crs,
)
from layers.i18n import tr
from layers.layer import Layer

M2_PER_HA = 10_000.0
UNKNOWN_CATEGORY = "not reported"
RULES = ("near_water", "near_settlement", "in_protected", "near_border")


# --- pure functions on metric geometries ---------------------------------------------------
def _pairs(
    tree_geoms: np.ndarray, query_geoms: np.ndarray, predicate: str, distance: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(query index, tree index) pairs; a tree over the smaller side is not worth the code."""
    if len(tree_geoms) == 0 or len(query_geoms) == 0:
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    tree = shapely.STRtree(tree_geoms)
    if predicate == "dwithin":
        q, t = tree.query(query_geoms, predicate="dwithin", distance=distance)
    else:
        q, t = tree.query(query_geoms, predicate=predicate)
    return q, t


def _area_by_group(pieces: np.ndarray, groups: np.ndarray, n: int) -> np.ndarray:
    """Area of the union of the pieces in each group (pieces of one group may overlap)."""
    out = np.zeros(n)
    if len(pieces) == 0:
        return out
    single = np.bincount(groups, minlength=n) == 1
    simple = single[groups]
    np.add.at(out, groups[simple], shapely.area(pieces[simple]))
    for g in np.unique(groups[~simple]):
        out[g] = shapely.union_all(pieces[groups == g]).area
    return out


def within_distance(geoms: np.ndarray, others: np.ndarray, distance: float) -> np.ndarray:
    """True where a geometry lies within `distance` metres of any of `others`."""
    q, _ = _pairs(others, geoms, "dwithin", distance)
    out = np.zeros(len(geoms), dtype=bool)
    out[q] = True
    return out


def protected_hectares(
    footprints: np.ndarray, protected: np.ndarray, categories: np.ndarray | None = None
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Hectares of each footprint inside protected areas, in total and per category."""
    q, t = _pairs(protected, footprints, "intersects")
    pieces = shapely.intersection(footprints[q], protected[t])
    total = _area_by_group(pieces, q, len(footprints)) / M2_PER_HA
    by_category: dict[str, np.ndarray] = {}
    if categories is not None:
        for cat in pd.unique(categories[t]) if len(t) else []:
            chosen = categories[t] == cat
            by_category[str(cat)] = (
                _area_by_group(pieces[chosen], q[chosen], len(footprints)) / M2_PER_HA
            )
    return total, by_category


def water_drift_hectares(footprints: np.ndarray, water: np.ndarray, drift: float) -> np.ndarray:
    """Hectares of each footprint within `drift` metres of water."""
    q, t = _pairs(water, footprints, "dwithin", drift)
    pieces = shapely.intersection(footprints[q], shapely.buffer(water[t], drift))
    return _area_by_group(pieces, q, len(footprints)) / M2_PER_HA


def river_km_in_drift(footprints: np.ndarray, rivers: np.ndarray, drift: float) -> np.ndarray:
    """Kilometres of river line within `drift` metres of each footprint."""
    lines = rivers[np.isin(shapely.get_type_id(rivers), (1, 2, 5))]
    q, t = _pairs(lines, footprints, "dwithin", drift)
    out = np.zeros(len(footprints))
    if len(q):
        reach = shapely.buffer(footprints[q], drift)
        np.add.at(out, q, shapely.length(shapely.intersection(lines[t], reach)))
    return out / 1000.0


def _boundaries(geoms: np.ndarray) -> np.ndarray:
    """A border given as country polygons: its outline is the border."""
    polys = np.isin(shapely.get_type_id(geoms), (3, 6))
    out = geoms.copy()
    out[polys] = shapely.boundary(geoms[polys])
    return out


# --- the analysis -------------------------------------------------------------------------
@register
class EnvironmentalHarm(Algorithm):
    id = "environment"
    title = tr("Environmental harm from eradication")
    help = tr(
        "Per eradication footprint: hectares in protected areas and near water, river length "
        "within the drift distance, the spraying rules broken, and new cultivation in "
        "protected areas after nearby eradication."
    )
    parameters = (
        Parameter(
            "footprints",
            "layer",
            tr("Eradication footprints (polygons) or points with --footprint-radius-m."),
            required=True,
            roles=("eradication",),
            geometry=("polygon", "point"),
        ),
        Parameter(
            "protected",
            "layer",
            tr("Protected areas (WDPA or national parks)."),
            roles=("protected_areas",),
            geometry=("polygon",),
        ),
        Parameter(
            "water",
            "layer",
            tr("Rivers and water bodies."),
            roles=("water",),
            geometry=("line", "polygon", "mixed"),
        ),
        Parameter(
            "settlements",
            "layer",
            tr("Population centres (points or polygons)."),
            roles=("settlements",),
            geometry=("point", "polygon", "mixed"),
        ),
        Parameter(
            "border",
            "layer",
            tr("International border (lines, or the neighbouring country's polygon)."),
            roles=("border",),
            geometry=("line", "polygon", "mixed"),
        ),
        Parameter(
            "drift_m",
            "number",
            tr(
                "Pesticide drift distance in metres (the 2021 plan assumed 10 m; studies of "
                "earlier spraying report wider drift)."
            ),
            default=10.0,
        ),
        Parameter(
            "rule_distance_m",
            "number",
            tr("No-spray distance from water and settlements (Decree 1843/1991: 100 m)."),
            default=100.0,
        ),
        Parameter(
            "border_distance_m",
            "number",
            tr("No-spray strip along the border, metres."),
            default=10000.0,
        ),
        Parameter(
            "footprint_radius_m",
            "number",
            tr("For point footprints: radius of the area eradicated around each point."),
        ),
        Parameter(
            "category_field",
            "field",
            tr("IUCN category field of the protected areas (default: IUCN_CAT if present)."),
            parent="protected",
        ),
        Parameter(
            "cultivation",
            "layer",
            tr("Annual cultivation grid (hectares per cell, one column per year)."),
            roles=("cultivation",),
            geometry=("polygon",),
        ),
        Parameter(
            "years_after",
            "integer",
            tr("Years after eradication in which new cultivation is looked for."),
            default=2,
        ),
        Parameter(
            "nearby_m",
            "number",
            tr("How near new cultivation must be to a footprint, metres."),
            default=5000.0,
        ),
        Parameter(
            "date_field",
            "field",
            tr("Date (or year) of each footprint (default: the layer's mapped date)."),
            parent="footprints",
        ),
    )
    outputs = (
        Output("footprints", "layer", tr("Footprints with hectares, river km and rules broken.")),
        Output("summary", "summary", tr("Totals and counts of footprints breaking each rule.")),
    )

    def run(self, params: dict[str, Any], feedback: Feedback) -> AnalysisResult:
        params = resolve_params(self, params)  # the dialog hands raw widget values
        fp_layer: Layer = params["footprints"]
        others = {k: params.get(k) for k in ("protected", "water", "settlements", "border")}
        culture: Layer | None = params.get("cultivation")
        drift = params.get("drift_m")
        rule_m, border_m = params.get("rule_distance_m"), params.get("border_distance_m")
        require_positive(drift, "--drift-m", allow_zero=True)
        require_positive(rule_m, "--rule-distance-m", allow_zero=True)
        require_positive(border_m, "--border-distance-m", allow_zero=True)
        crs = run_crs(params, fp_layer, *others.values())
        feedback.set_progress(2, tr("Projecting layers"))
        fp = in_metric(fp_layer, crs)
        shapes = np.asarray(fp.geometry.values)
        if set(shapely.get_type_id(shapes)) & {0, 4}:
            radius = params.get("footprint_radius_m")
            if not radius:
                raise InputError(
                    tr(
                        "The footprints are points: give --footprint-radius-m, the radius "
                        "eradicated around each point."
                    )
                )
            require_positive(radius, "--footprint-radius-m")
            shapes = shapely.buffer(shapes, radius)
        geo = {
            k: (None if v is None else np.asarray(in_metric(v, crs).geometry.values))
            for k, v in others.items()
        }
        out = fp.copy()
        out["area_ha"] = shapely.area(shapes) / M2_PER_HA
        notes: list[str] = []
        summary: dict[str, Any] = {
            "footprints": len(fp),
            "drift_m": drift,
            "rule_distance_m": rule_m,
            "border_distance_m": border_m,
        }
        union_fp = shapely.union_all(shapes)
        summary["footprint_ha"] = union_fp.area / M2_PER_HA

        feedback.check()
        feedback.set_progress(10, tr("Protected areas"))
        if geo["protected"] is not None:
            cats = _categories(others["protected"], params.get("category_field"), crs)
            total, by_cat = protected_hectares(shapes, geo["protected"], cats)
            out["protected_ha"] = total
            out["protected_categories"] = _category_labels(by_cat, len(fp))
            for cat, hectares in sorted(by_cat.items()):
                out[f"protected_ha_{cat}"] = hectares
            out["in_protected"] = total > 0
            in_all, by_union = protected_hectares(np.array([union_fp]), geo["protected"], cats)
            summary["protected_ha"] = float(in_all[0])
            summary["protected_ha_by_category"] = {
                k: float(v[0]) for k, v in sorted(by_union.items())
            }
        feedback.check()
        feedback.set_progress(35, tr("Water and drift"))
        if geo["water"] is not None:
            out["water_drift_ha"] = water_drift_hectares(shapes, geo["water"], drift)
            out["river_km_in_drift"] = river_km_in_drift(shapes, geo["water"], drift)
            out["near_water"] = within_distance(shapes, geo["water"], rule_m)
            summary["water_drift_ha"] = float(
                water_drift_hectares(np.array([union_fp]), geo["water"], drift)[0]
            )
            summary["river_km_in_drift"] = float(
                river_km_in_drift(np.array([union_fp]), geo["water"], drift)[0]
            )
        feedback.check()
        feedback.set_progress(55, tr("Settlements and border"))
        if geo["settlements"] is not None:
            out["near_settlement"] = within_distance(shapes, geo["settlements"], rule_m)
        if geo["border"] is not None:
            out["near_border"] = within_distance(shapes, _boundaries(geo["border"]), border_m)
            out["border_km"] = _distance_km(shapes, _boundaries(geo["border"]))
        checked = [r for r in RULES if r in out.columns]
        if checked:
            broken = out[checked].to_numpy(dtype=bool)
            out["rules_broken"] = broken.sum(axis=1)
            out["rules"] = [
                ", ".join(r for r, b in zip(checked, row, strict=True) if b) for row in broken
            ]
            summary["footprints_breaking"] = {r: int(out[r].sum()) for r in checked}
            summary["footprints_breaking_any"] = int((out["rules_broken"] > 0).sum())
            summary["share_breaking_any"] = float((out["rules_broken"] > 0).mean())
            summary["hectares_breaking_any"] = float(
                shapely.union_all(shapes[out["rules_broken"].to_numpy() > 0]).area / M2_PER_HA
            )
        else:
            notes.append(
                tr("No rule checked: give --water, --settlements, --protected or --border.")
            )
        feedback.check()
        feedback.set_progress(70, tr("New cultivation in protected areas"))
        if culture is not None:
            if geo["protected"] is None:
                raise InputError(
                    tr(
                        "--cultivation needs --protected: new cultivation is "
                        "looked for inside protected areas."
                    )
                )
            per_fp, total = self._new_cultivation(
                params, fp_layer, fp, shapes, culture, geo["protected"], crs, notes, feedback
            )
            out["new_cultivation_protected_ha"] = per_fp
            summary["new_cultivation_protected_ha"] = total
            summary["years_after"] = params.get("years_after")
        summary["crs"] = crs.to_string()
        feedback.set_progress(100, tr("Done"))
        if "rules_broken" in out.columns:
            style = {"field": "rules_broken", "kind": "graduated"}
        else:
            style = {"field": "area_ha", "kind": "graduated"}
        return AnalysisResult(
            summary=summary,
            layers={"footprints": out},
            notes=notes,
            styles={"footprints": style},
        )

    @staticmethod
    def _new_cultivation(
        params: dict,
        fp_layer: Layer,
        fp: gpd.GeoDataFrame,
        shapes: np.ndarray,
        culture: Layer,
        protected: np.ndarray,
        crs,
        notes: list[str],
        feedback: Feedback,
    ) -> tuple[np.ndarray, float]:
        years_cols = culture.mapping.year_columns
        if not years_cols:
            raise InputError(
                tr("--cultivation layer {n!r} has no year columns (hectares per year).").format(
                    n=culture.name
                )
            )
        column = date_column(fp_layer, params.get("date_field"), "--date-field")
        if column is None:
            raise InputError(
                tr("New cultivation needs each footprint's date: name it with --date-field.")
            )
        fp_years = pd.to_datetime(feature_dates(fp, column)).dt.year.to_numpy(dtype=float)
        grid = in_metric(culture, crs)
        centroids = np.asarray(grid.geometry.centroid.values)
        inside = np.zeros(len(grid), dtype=bool)
        inside[_pairs(protected, centroids, "intersects")[0]] = True
        years = sorted(years_cols)
        ha = np.column_stack(
            [pd.to_numeric(grid[years_cols[y]], errors="coerce").fillna(0.0) for y in years]
        )
        n_after = int(params.get("years_after") or 1)
        q, t = _pairs(centroids[inside], shapes, "dwithin", params.get("nearby_m") or 0.0)
        cells = np.flatnonzero(inside)[t]
        per_fp = np.zeros(len(fp))
        best: dict[int, float] = {}
        yarr = np.asarray(years)
        for i, cell in zip(q, cells, strict=True):
            feedback.check()
            y0 = fp_years[i]
            if not np.isfinite(y0):
                continue
            before = (yarr >= y0 - n_after) & (yarr <= y0)
            after = (yarr > y0) & (yarr <= y0 + n_after)
            if not after.any() or not before.any():
                continue
            if ha[cell, before].sum() == 0 and ha[cell, after].max() > 0:
                value = float(ha[cell, after].max())
                per_fp[i] += value
                best[int(cell)] = max(best.get(int(cell), 0.0), value)
        missing = int(np.isnan(fp_years).sum())
        if missing:
            notes.append(
                tr("{n} footprints without a date were not checked for new cultivation.").format(
                    n=missing
                )
            )
        return per_fp, float(sum(best.values()))


def _categories(layer: Layer, field: str | None, crs) -> np.ndarray | None:
    column = require_field(layer, field, "--category-field") if field else None
    if column is None:
        column = layer.field("iucn_category")
        if column is None:
            for name in ("IUCN_CAT", "iucn_cat", "IUCN", "iucn_category"):
                if name in layer.data.columns:
                    column = name
                    break
    if column is None:
        return None
    values = in_metric(layer, crs)[column].astype("string").fillna(UNKNOWN_CATEGORY)
    return values.str.strip().replace("", UNKNOWN_CATEGORY).to_numpy(dtype=object)


def _category_labels(by_cat: dict[str, np.ndarray], n: int) -> list[str]:
    labels = []
    for i in range(n):
        labels.append(", ".join(sorted(c for c, v in by_cat.items() if v[i] > 0)))
    return labels


def _distance_km(geoms: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Distance to the nearest of `others`, km."""
    if len(others) == 0:
        return np.full(len(geoms), np.nan)
    tree = shapely.STRtree(others)
    idx = tree.nearest(geoms)
    return shapely.distance(geoms, others[idx]) / 1000.0
