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
  N years before it, and some in the N years after it (their peak hectares in those years);
- forest loss (with --loss-raster, a loss-year raster): hectares lost in the N calendar years
  before and after the footprint's year (that year in neither) inside the footprint, in the
  ring of --nearby-m around it, and in protected areas within --nearby-m of it; the summary
  adds the hectares lost per year inside all protected areas.
Totals use the union of the footprints, so overlapping footprints are not counted twice;
it is measured cluster by cluster of nearby footprints (docs/performance.md).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from analysis.base import Algorithm, AnalysisResult, Feedback, Output, Parameter, register
from analysis.common_parameters import CULTIVATION_GRID, ERADICATION_FOOTPRINTS
from analysis.inputs import (
    InputError,
    areas_around_points,
    date_column,
    feature_dates,
    in_metric,
    require_field,
    require_positive,
    run_crs,
)
from layers.i18n import tr, tr_noop
from layers.layer import Layer

M2_PER_HA = 10_000.0
UNKNOWN_CATEGORY = "not reported"
RULES = ("near_water", "near_settlement", "in_protected", "near_border")
PIECE_VERTICES = 17  # rivers and borders are indexed in pieces of 16 segments
# Keys of run()'s params for callers that need only the per-footprint hectares and rules
# (analysis/indicators.py): False skips the totals of the union of all footprints...
TOTALS_KEY = "totals"
# ...and the distance of each footprint to the border (border_km).
BORDER_KM_KEY = "border_km"


# --- pure functions on metric geometries ---------------------------------------------------
def _pairs(
    tree_geoms: np.ndarray, query_geoms: np.ndarray, predicate: str, distance: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(query index, tree index) pairs. The query side is prepared once per geometry, so put
    the big or long geometries (parks, rivers) on the query side when they are few."""
    if len(tree_geoms) == 0 or len(query_geoms) == 0:
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    tree = shapely.STRtree(tree_geoms)
    if predicate == "dwithin":
        q, t = tree.query(query_geoms, predicate="dwithin", distance=distance)
    else:
        q, t = tree.query(query_geoms, predicate=predicate)
    return q, t


def _by_first(first: np.ndarray, second: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs ordered by their first index, then the second (a reproducible order of pieces)."""
    order = np.lexsort((second, first))
    return first[order], second[order]


def _union_by_group(geoms: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(group, union of its geometries) for each group of two or more geometries.

    GEOS unions the rows of a table padded with None in one vectorised call per size class
    (sizes up to 2, 4, 8, ...), so there is no Python loop over groups and padding at most
    doubles the table."""
    sizes = np.bincount(groups) if len(groups) else np.zeros(0, dtype=np.intp)
    multi = np.flatnonzero(sizes > 1)
    unions = np.empty(len(multi), dtype=object)
    if len(multi) == 0:
        return multi, unions
    order = np.argsort(groups, kind="stable")
    members = order[sizes[groups[order]] > 1]
    row = np.searchsorted(multi, groups[members])
    first = np.cumsum(sizes[multi]) - sizes[multi]
    col = np.arange(len(members)) - first[row]
    size_class = np.ceil(np.log2(sizes[multi])).astype(int)
    for c in np.unique(size_class):
        rows = np.flatnonzero(size_class == c)
        local = np.full(len(multi), -1)
        local[rows] = np.arange(len(rows))
        chosen = size_class[row] == c
        table = np.full((len(rows), int(sizes[multi[rows]].max())), None, dtype=object)
        table[local[row[chosen]], col[chosen]] = geoms[members[chosen]]
        unions[rows] = shapely.union_all(table, axis=1)
    return multi, unions


def _area_by_group(pieces: np.ndarray, groups: np.ndarray, n: int) -> np.ndarray:
    """Area of the union of the pieces in each group (pieces of one group may overlap)."""
    out = np.zeros(n)
    if len(pieces) == 0:
        return out
    single = np.bincount(groups, minlength=n)[groups] == 1
    np.add.at(out, groups[single], shapely.area(pieces[single]))
    multi, unions = _union_by_group(pieces, groups)
    out[multi] = shapely.area(unions)
    return out


def within_distance(geoms: np.ndarray, others: np.ndarray, distance: float) -> np.ndarray:
    """True where a geometry lies within `distance` metres of any of `others`."""
    q, _ = _pairs(_line_pieces(others)[0], geoms, "dwithin", distance)
    out = np.zeros(len(geoms), dtype=bool)
    out[q] = True
    return out


def protected_hectares(
    footprints: np.ndarray, protected: np.ndarray, categories: np.ndarray | None = None
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Hectares of each footprint inside protected areas, in total and per category.

    A footprint that a park covers is inside it whole; only footprints crossing a park's edge
    are intersected with the park (each park prepared once: detailed WDPA outlines)."""
    t, q = _pairs(footprints, protected, "intersects")
    q, t = _by_first(q, t)
    pieces = footprints[q].copy()
    if len(q):
        with _prepared(protected):
            crossing = ~shapely.covers(protected[t], footprints[q])
        pieces[crossing] = shapely.intersection(footprints[q[crossing]], protected[t[crossing]])
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
    pieces, owner = _line_pieces(water)
    q, t = _pairs(pieces, footprints, "dwithin", drift)
    if len(q) == 0:
        return np.zeros(len(footprints))
    pair = np.unique(q * len(water) + owner[t])  # footprint-water pairs, by footprint
    q, t = pair // len(water), pair % len(water)
    near, which = np.unique(t, return_inverse=True)
    zones = shapely.buffer(water[near], drift)  # each river once, not once per footprint
    pieces = shapely.intersection(footprints[q], zones[which])
    return _area_by_group(pieces, q, len(footprints)) / M2_PER_HA


def river_km_in_drift(footprints: np.ndarray, rivers: np.ndarray, drift: float) -> np.ndarray:
    """Kilometres of river line within `drift` metres of each footprint."""
    lines = _line_pieces(rivers[np.isin(shapely.get_type_id(rivers), (1, 2, 5))])[0]
    q, t = _pairs(lines, footprints, "dwithin", drift)
    out = np.zeros(len(footprints))
    if len(q):
        near, which = np.unique(q, return_inverse=True)
        reach = shapely.buffer(footprints[near], drift)  # each footprint once
        np.add.at(out, q, shapely.length(shapely.intersection(lines[t], reach[which])))
    return out / 1000.0


def distance_km(geoms: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Distance from each geometry to the nearest of `others` (e.g. the border), km.

    Lines are cut into their two-point segments first: the nearest-neighbour search then
    measures a few short segments per geometry instead of a whole border (docs/performance.md)."""
    out = np.full(len(geoms), np.nan)
    pieces = _line_pieces(others, 2)[0]
    if len(pieces) == 0:
        return out
    # Leaves of two segments: the nearest search then measures fewer segments per geometry
    # (2.5x faster than the default 10 for 80k footprints and a 10k-vertex border).
    tree = shapely.STRtree(pieces, node_capacity=2)
    (q, _), d = tree.query_nearest(geoms, return_distance=True, all_matches=False)
    out[q] = d / 1000.0  # geometries without coordinates stay NaN
    return out


def _line_pieces(
    geoms: np.ndarray, max_vertices: int = PIECE_VERTICES
) -> tuple[np.ndarray, np.ndarray]:
    """(pieces, the geometry each comes from): lines cut into consecutive pieces of at most
    `max_vertices` vertices (sharing their end vertices, so lengths add up exactly); points
    and polygons as they are. Short pieces have tight envelopes, so a tree query tests few
    of them per footprint instead of every long river whose envelope it falls in."""
    parts, owner = shapely.get_parts(geoms, return_index=True)
    usable = ~shapely.is_missing(parts) & ~shapely.is_empty(parts)
    parts, owner = parts[usable], owner[usable]
    is_line = np.isin(shapely.get_type_id(parts), (1, 2))
    xy, line = shapely.get_coordinates(parts[is_line], return_index=True)
    first = np.r_[0, np.flatnonzero(np.diff(line)) + 1] if len(line) else np.zeros(0, int)
    n = np.diff(np.r_[first, len(line)])  # vertices per line
    step = max_vertices - 1
    n_pieces = np.maximum(1, -(-(n - 1) // step))
    at = np.arange(len(line)) - np.repeat(first, n)  # vertex position along its line
    piece = np.repeat(np.cumsum(n_pieces) - n_pieces, n) + np.minimum(
        at // step, np.repeat(n_pieces - 1, n)
    )
    shared = (at % step == 0) & (at > 0) & (at < np.repeat(n - 1, n))  # ends one, starts next
    rows = np.r_[piece, piece[shared] - 1]
    vertex = np.r_[np.arange(len(line)), np.flatnonzero(shared)]
    order = np.lexsort((vertex, rows))
    pieces = shapely.linestrings(xy[vertex[order]], indices=rows[order])
    return (
        np.concatenate([pieces, parts[~is_line]]),
        np.concatenate([np.repeat(owner[is_line], n_pieces), owner[~is_line]]),
    )


def footprint_clusters(footprints: np.ndarray, distance: float) -> np.ndarray:
    """Cluster label of each footprint: footprints within `distance` of each other, directly or
    through others, share a label; different clusters lie farther apart than `distance`."""
    n = len(footprints)
    if n == 0:
        return np.zeros(0, dtype=np.intp)
    usable = ~shapely.is_missing(footprints) & ~shapely.is_empty(footprints)
    reach = shapely.bounds(footprints) + np.array([-distance, -distance, distance, distance])
    boxes = np.where(usable, shapely.box(*np.nan_to_num(reach).T), None)
    # Candidates by envelope, then one vectorised test per unordered pair: three times
    # cheaper than a predicate query, which tests every pair both ways.
    a, b = shapely.STRtree(footprints).query(boxes)
    a, b = a[a < b], b[a < b]
    if distance > 0:
        near = shapely.dwithin(footprints[a], footprints[b], distance)
    else:
        near = shapely.intersects(footprints[a], footprints[b])
    graph = coo_matrix((np.ones(int(near.sum()), dtype=np.int8), (a[near], b[near])), (n, n))
    return connected_components(graph, directed=False)[1]


class Dissolved(NamedTuple):
    """The footprints merged cluster by cluster (see dissolve)."""

    alone: np.ndarray  # per footprint: alone in its cluster, so its own union
    labels: np.ndarray  # the cluster of each union
    unions: np.ndarray  # the union of each cluster of two or more footprints


def dissolve(footprints: np.ndarray, clusters: np.ndarray) -> Dissolved:
    """The union of each cluster of two or more footprints.

    The footprints alone and these unions cover the union of all footprints without overlap,
    so a measure of that union is the sum of the measure over both: no giant union of a whole
    country (docs/performance.md)."""
    size = np.bincount(clusters) if len(clusters) else np.zeros(0, dtype=np.intp)
    labels, unions = _union_by_group(footprints, clusters)
    return Dissolved(size[clusters] == 1, labels, unions)


def union_hectares(
    footprints: np.ndarray,
    clusters: np.ndarray,
    chosen: np.ndarray | None = None,
    dissolved: Dissolved | None = None,
) -> float:
    """Hectares of the union of the chosen footprints (all by default), overlaps counted once.
    A cluster chosen whole reuses its union from `dissolved`."""
    if chosen is None:
        chosen = np.ones(len(footprints), dtype=bool)
    n_clusters = int(clusters.max()) + 1 if len(clusters) else 0
    count = np.bincount(clusters[chosen], minlength=n_clusters)
    one = chosen & (count[clusters] == 1)
    total = np.nansum(shapely.area(footprints[one]))
    many = chosen & (count[clusters] > 1)
    if dissolved is not None and len(dissolved.labels):
        size = np.bincount(clusters, minlength=n_clusters)
        whole = count[dissolved.labels] == size[dissolved.labels]
        total += shapely.area(dissolved.unions[whole]).sum()
        many &= ~np.isin(clusters, dissolved.labels[whole])
    total += shapely.area(_union_by_group(footprints[many], clusters[many])[1]).sum()
    return float(total / M2_PER_HA)


def new_cultivation_hectares(
    footprint: np.ndarray,
    cell: np.ndarray,
    footprint_years: np.ndarray,
    cell_ha: np.ndarray,
    years: np.ndarray,
    n_years: int,
    feedback: Feedback | None = None,
) -> tuple[np.ndarray, float]:
    """New cultivation near each footprint, and in total (each cell once, at its largest).

    (footprint[k], cell[k]) are the footprint-cell pairs near each other; cell_ha[c, j] the
    hectares of cell c in years[j]. A cell is new after a footprint of year Y when it had none
    in Y and the n_years before and some in the n_years after; it counts its peak after Y."""
    per_fp = np.zeros(len(footprint_years))
    best = np.zeros(len(cell_ha))  # per cell, its largest new hectares after any footprint
    pair_years = footprint_years[footprint]
    # One pass per eradication year, not per footprint-cell pair (millions nationally)
    for y0 in np.unique(pair_years[np.isfinite(pair_years)]):
        if feedback is not None:
            feedback.check()
        before = (years >= y0 - n_years) & (years <= y0)
        after = (years > y0) & (years <= y0 + n_years)
        if not after.any() or not before.any():
            continue
        peak = cell_ha[:, after].max(axis=1)
        new = (cell_ha[:, before].sum(axis=1) == 0) & (peak > 0)
        chosen = (pair_years == y0) & new[cell]
        np.add.at(per_fp, footprint[chosen], peak[cell[chosen]])
        np.maximum.at(best, cell[chosen], peak[cell[chosen]])
    return per_fp, float(best.sum())


class _prepared:
    """Geometries prepared for fast predicates while in the block, as they were after it."""

    def __init__(self, geoms: np.ndarray) -> None:
        self.geoms = geoms
        self.fresh = geoms[~shapely.is_prepared(geoms) & ~shapely.is_missing(geoms)]

    def __enter__(self) -> np.ndarray:
        shapely.prepare(self.fresh)
        return self.geoms

    def __exit__(self, *exc: object) -> None:
        shapely.destroy_prepared(self.fresh)


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
    title = tr_noop("Environmental harm from eradication")
    help = tr_noop(
        "Per eradication footprint: hectares in protected areas and near water, river length "
        "within the drift distance, the spraying rules broken, and new cultivation in "
        "protected areas after nearby eradication."
    )
    parameters = (
        ERADICATION_FOOTPRINTS,
        Parameter(
            "protected",
            "layer",
            tr_noop("Protected areas (WDPA or national parks)."),
            roles=("protected_areas",),
            geometry=("polygon",),
        ),
        Parameter(
            "water",
            "layer",
            tr_noop("Rivers and water bodies."),
            roles=("water",),
            geometry=("line", "polygon", "mixed"),
        ),
        Parameter(
            "settlements",
            "layer",
            tr_noop("Population centres (points or polygons)."),
            roles=("settlements",),
            geometry=("point", "polygon", "mixed"),
        ),
        Parameter(
            "border",
            "layer",
            tr_noop("International border (lines, or the neighbouring country's polygon)."),
            roles=("border",),
            geometry=("line", "polygon", "mixed"),
        ),
        Parameter(
            "drift_m",
            "number",
            tr_noop(
                "Pesticide drift distance in metres (the 2021 plan assumed 10 m; studies of "
                "earlier spraying report wider drift)."
            ),
            default=10.0,
        ),
        Parameter(
            "rule_distance_m",
            "number",
            tr_noop("No-spray distance from water and settlements (Decree 1843/1991: 100 m)."),
            default=100.0,
        ),
        Parameter(
            "border_distance_m",
            "number",
            tr_noop("No-spray strip along the border, metres."),
            default=10000.0,
        ),
        Parameter(
            "footprint_radius_m",
            "number",
            tr_noop("For point footprints: radius of the area eradicated around each point."),
        ),
        Parameter(
            "category_field",
            "field",
            tr_noop("IUCN category field of the protected areas (default: IUCN_CAT if present)."),
            parent="protected",
        ),
        replace(CULTIVATION_GRID, geometry=("polygon",)),
        Parameter(
            "years_after",
            "integer",
            tr_noop("Years after eradication in which new cultivation is looked for."),
            default=2,
        ),
        Parameter(
            "nearby_m",
            "number",
            tr_noop("How near new cultivation must be to a footprint, metres."),
            default=5000.0,
        ),
        Parameter(
            "date_field",
            "field",
            tr_noop("Date (or year) of each footprint (default: the layer's mapped date)."),
            parent="footprints",
        ),
        Parameter(
            "loss_raster",
            "path",
            tr_noop(
                "Forest loss-year raster (Hansen lossyear: n = loss in 2000 + n): hectares "
                "lost before and after each operation in its footprint, the ring of "
                "--nearby-m around it and protected areas near it."
            ),
        ),
        Parameter(
            "loss_window_years",
            "integer",
            tr_noop(
                "Calendar years of forest loss counted before and after the operation's year "
                "(the year itself is in neither window)."
            ),
            default=2,
        ),
    )
    outputs = (
        Output(
            "footprints", "layer", tr_noop("Footprints with hectares, river km and rules broken.")
        ),
        Output(
            "summary", "summary", tr_noop("Totals and counts of footprints breaking each rule.")
        ),
    )

    def run(self, params: dict[str, Any], feedback: Feedback) -> AnalysisResult:
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
        shapes = areas_around_points(
            shapes,
            params.get("footprint_radius_m"),
            "--footprint-radius-m",
            tr(
                "The footprints are points: give --footprint-radius-m, the radius "
                "eradicated around each point."
            ),
        )
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
        totals = params.get(TOTALS_KEY, True)
        if totals:
            # Totals measure the union of the footprints cluster by cluster (docs/performance.md)
            feedback.set_progress(4, tr("Merging overlapping footprints"))
            clusters = footprint_clusters(shapes, 2 * drift)
            dissolved = dissolve(shapes, clusters)
            alone, unions = dissolved.alone, dissolved.unions
            summary["footprint_ha"] = union_hectares(shapes, clusters, dissolved=dissolved)
        feedback.check()
        feedback.set_progress(10, tr("Protected areas"))
        if geo["protected"] is not None:
            cats = _categories(others["protected"], params.get("category_field"), crs)
            total, by_cat = protected_hectares(shapes, geo["protected"], cats)
            out["protected_ha"] = total
            out["protected_categories"] = _labels(
                {c: by_cat[c] > 0 for c in sorted(by_cat)}, len(fp)
            )
            for cat, hectares in sorted(by_cat.items()):
                out[f"protected_ha_{cat}"] = hectares
            out["in_protected"] = total > 0
            if totals:
                in_all, by_union = protected_hectares(unions, geo["protected"], cats)
                summary["protected_ha"] = _total(total, alone, in_all)
                summary["protected_ha_by_category"] = {
                    k: _total(by_cat.get(k, np.zeros(len(fp))), alone, by_union.get(k, np.zeros(0)))
                    for k in sorted(by_cat.keys() | by_union.keys())
                }
        feedback.check()
        feedback.set_progress(35, tr("Water and drift"))
        if geo["water"] is not None:
            out["water_drift_ha"] = water_drift_hectares(shapes, geo["water"], drift)
            out["river_km_in_drift"] = river_km_in_drift(shapes, geo["water"], drift)
            out["near_water"] = within_distance(shapes, geo["water"], rule_m)
            if totals:
                summary["water_drift_ha"] = _total(
                    out["water_drift_ha"].to_numpy(),
                    alone,
                    water_drift_hectares(unions, geo["water"], drift),
                )
                summary["river_km_in_drift"] = _total(
                    out["river_km_in_drift"].to_numpy(),
                    alone,
                    river_km_in_drift(unions, geo["water"], drift),
                )
        feedback.check()
        feedback.set_progress(55, tr("Settlements and border"))
        if geo["settlements"] is not None:
            out["near_settlement"] = within_distance(shapes, geo["settlements"], rule_m)
        if geo["border"] is not None:
            out["near_border"] = within_distance(shapes, _boundaries(geo["border"]), border_m)
            if params.get(BORDER_KM_KEY, True):
                out["border_km"] = distance_km(shapes, _boundaries(geo["border"]))
        checked = [r for r in RULES if r in out.columns]
        if checked:
            broken = out[checked].to_numpy(dtype=bool)
            out["rules_broken"] = broken.sum(axis=1)
            out["rules"] = _labels(dict(zip(checked, broken.T, strict=True)), len(out))
            summary["footprints_breaking"] = {r: int(out[r].sum()) for r in checked}
            summary["footprints_breaking_any"] = int((out["rules_broken"] > 0).sum())
            summary["share_breaking_any"] = float((out["rules_broken"] > 0).mean())
            if totals:
                breaking = out["rules_broken"].to_numpy() > 0
                summary["hectares_breaking_any"] = union_hectares(
                    shapes, clusters, breaking, dissolved
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
        if params.get("loss_raster"):
            feedback.set_progress(85, tr("Forest loss"))
            years = _footprint_years(params, fp_layer, fp)
            columns, summary["forest_loss"] = forest_loss_around(
                params["loss_raster"],
                shapes,
                years,
                geo["protected"],
                params.get("nearby_m") or 0.0,
                int(params.get("loss_window_years") or 0),
                crs,
            )
            for name, values in columns.items():
                out[name] = values
            if np.isnan(years).any():
                notes.append(
                    tr("{n} footprints without a date have no forest loss before/after.").format(
                        n=int(np.isnan(years).sum())
                    )
                )
        summary["crs"] = crs.to_string()
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
        fp_years = _footprint_years(params, fp_layer, fp)
        grid = in_metric(culture, crs)
        centroids = np.asarray(grid.geometry.centroid.values)
        inside = np.zeros(len(grid), dtype=bool)
        inside[_pairs(centroids, protected, "intersects")[1]] = True  # each park prepared once
        years = sorted(years_cols)
        ha = np.column_stack(
            [pd.to_numeric(grid[years_cols[y]], errors="coerce").fillna(0.0) for y in years]
        )
        n_after = int(params.get("years_after") or 1)
        q, cells = _pairs(centroids[inside], shapes, "dwithin", params.get("nearby_m") or 0.0)
        per_fp, total = new_cultivation_hectares(
            q, cells, fp_years, ha[inside], np.asarray(years), n_after, feedback
        )
        missing = int(np.isnan(fp_years).sum())
        if missing:
            notes.append(
                tr("{n} footprints without a date were not checked for new cultivation.").format(
                    n=missing
                )
            )
        return per_fp, total


def _footprint_years(params: dict, fp_layer: Layer, fp: gpd.GeoDataFrame) -> np.ndarray:
    """Calendar year of each footprint (NaN without a readable date)."""
    column = date_column(fp_layer, params.get("date_field"), "--date-field")
    if column is None:
        raise InputError(
            tr(
                "New cultivation and forest loss need each footprint's date: name it with "
                "--date-field."
            )
        )
    return pd.to_datetime(feature_dates(fp, column)).dt.year.to_numpy(dtype=float)


def forest_loss_around(
    raster_path: Any,
    shapes: np.ndarray,
    years: np.ndarray,
    protected: np.ndarray | None,
    nearby_m: float,
    window: int,
    crs,
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Per footprint, hectares of forest lost in the `window` calendar years before and after
    its year, inside it, in the ring of `nearby_m` around it, and in protected areas within
    `nearby_m` of it; and per year inside all protected areas (docs/methods.md)."""
    from analysis.loss_windows import loss_by_year
    from analysis.zonal import open_raster_input, zonal_table

    require_positive(window, "--loss-window-years")
    raster = open_raster_input(raster_path, "--loss-raster")
    reach = shapely.buffer(shapes, nearby_m)
    zones = {"loss": shapes, "loss_around": shapely.difference(reach, shapes)}
    parks = None
    if protected is not None and len(protected):
        parks = shapely.union_all(shapely.make_valid(protected))
        zones["loss_protected"] = shapely.intersection(reach, parks)
    n = len(shapes)
    geoms = np.concatenate([*zones.values(), [parks] if parks is not None else []])
    frame = gpd.GeoDataFrame(geometry=geoms, crs=crs)
    by_year = loss_by_year(zonal_table(raster, frame, ("classes",), metric=crs))
    table = by_year.to_numpy()
    calendar = by_year.columns.to_numpy(dtype=float)
    y = years[:, None]
    before = (calendar >= y - window) & (calendar <= y - 1)
    after = (calendar >= y + 1) & (calendar <= y + window)
    columns: dict[str, np.ndarray] = {}
    summary: dict[str, Any] = {"window_years": window, "nearby_m": nearby_m}
    dated = ~np.isnan(years)
    for k, name in enumerate(zones):
        part = table[k * n : (k + 1) * n]
        for label, chosen in (("before", before), ("after", after)):
            values = np.where(dated, (part * chosen).sum(axis=1), np.nan)
            columns[f"{name}_{label}_ha"] = values
            summary[f"{name}_{label}_ha"] = float(np.nansum(values))
    if parks is not None:
        summary["protected_loss_by_year"] = {
            int(year): float(ha) for year, ha in zip(calendar, table[-1], strict=True)
        }
    return columns, summary


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


def _labels(flags: dict[str, np.ndarray], n: int) -> list[str]:
    """Per row, the names whose flag is set, comma-separated in the order given."""
    labels = np.full(n, "", dtype=object)
    for name, on in flags.items():
        labels = np.where(on, np.where(labels == "", name, labels + ", " + name), labels)
    return labels.tolist()


def _total(per_footprint: np.ndarray, alone: np.ndarray, on_unions: np.ndarray) -> float:
    """A measure of the union of all footprints: footprints alone in their cluster as measured
    one by one, plus the measure of each other cluster's union."""
    return float(np.sum(per_footprint[alone]) + np.sum(on_unions))
