"""Events per polygon (QGIS "Count points in polygon"), optionally weighted and dated.

Points on a boundary are counted once: a point inside several overlapping polygons counts
in each of them, but a point only touching boundaries (a shared edge or vertex) counts in
the first of those polygons, so the counts of a partition add up to the points inside it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analysis.base import Algorithm, AnalysisResult, Feedback, Output, Parameter, register
from analysis.common_parameters import ENGINE, EVENT_DATE_FIELD, REGIONS, SCHEDULER, WEIGHT_FIELD
from analysis.engine import run_on_cluster
from analysis.inputs import (
    InputError,
    date_column,
    feature_dates,
    in_metric,
    require_field,
    run_crs,
    split_layer_spec,
)
from layers.i18n import tr, tr_noop
from layers.layer import Layer
from layers.partitioned import PartitionedSource, is_partitioned, read_all
from layers.readers_points import PointCoordinates

# Polygons are handled in chunks so cancel and progress respond on big inputs.
CHUNK = 20
# Below this many points in a polygon's box its interior disc saves less than it costs.
DISC_MIN_POINTS = 64


class PointIndex:
    """Plain points sorted by x, for fast 'which points lie in this polygon' questions.

    Each polygon takes the slab of points inside its bounding box (two binary searches and a
    y test) and tests their coordinates against the prepared polygon: no tree and no point
    objects, 3x faster than an STRtree query on a million points.
    """

    def __init__(self, points: gpd.GeoSeries | np.ndarray) -> None:
        pts = np.asarray(getattr(points, "values", points))
        self.simple = shapely.get_type_id(pts) == 0
        x = np.full(len(pts), np.nan)
        y = np.full(len(pts), np.nan)
        x[self.simple] = shapely.get_x(pts[self.simple])
        y[self.simple] = shapely.get_y(pts[self.simple])
        self._sort(x, y)

    @classmethod
    def from_xy(cls, x: np.ndarray, y: np.ndarray) -> PointIndex:
        """An index of plain points given as coordinates (no shapely objects made)."""
        index = cls.__new__(cls)
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        index.simple = np.ones(len(x), dtype=bool)
        index._sort(x, y)
        return index

    def _sort(self, x: np.ndarray, y: np.ndarray) -> None:
        usable = np.isfinite(x) & np.isfinite(y)
        self.order = np.flatnonzero(usable)[np.argsort(x[usable])]
        self.xs, self.ys = x[self.order], y[self.order]

    def inside(
        self, polygon: shapely.Geometry | None, disc: tuple[float, float, float] | None = None
    ) -> np.ndarray:
        """Positions of the plain points inside or on `polygon` (unsorted).

        `disc` (x, y, r²): a disc wholly inside the polygon's interior (interior_disc): points
        in it need no GEOS test."""
        if polygon is None or polygon.is_empty:
            return np.empty(0, dtype=np.intp)
        if polygon.geom_type in ("MultiPolygon", "GeometryCollection"):
            # Scattered parts (rings around many targets): each part's own box is far smaller.
            parts = [self.inside(part) for part in shapely.get_parts(polygon)]
            return np.unique(np.concatenate(parts)) if parts else np.empty(0, dtype=np.intp)
        x0, y0, x1, y1 = polygon.bounds
        lo = np.searchsorted(self.xs, x0, "left")
        hi = np.searchsorted(self.xs, x1, "right")
        ys = self.ys[lo:hi]
        band = np.flatnonzero((ys >= y0) & (ys <= y1)) + lo
        if len(band) == 0:
            return np.empty(0, dtype=np.intp)
        xs, ys = self.xs[band], self.ys[band]
        shapely.prepare(polygon)
        if disc is None or len(band) < DISC_MIN_POINTS:
            return self.order[band[shapely.intersects_xy(polygon, xs, ys)]]
        cx, cy, r2 = disc
        hit = (xs - cx) ** 2 + (ys - cy) ** 2 < r2
        rest = np.flatnonzero(~hit)
        hit[rest] = shapely.intersects_xy(polygon, xs[rest], ys[rest])
        return self.order[band[hit]]


def point_polygon_pairs(
    points: gpd.GeoSeries | np.ndarray,
    polygons: gpd.GeoSeries | np.ndarray,
    feedback: Feedback | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(polygon index, point index) for every point inside or on a polygon, boundary once.

    Plain points go through a PointIndex; multipoints through an STRtree of them.
    """
    pts = np.asarray(getattr(points, "values", points))
    polys = np.asarray(getattr(polygons, "values", polygons))
    index = PointIndex(pts)
    poly_parts, point_parts = _pairs_in(index, polys, feedback)
    others = np.flatnonzero(~index.simple)
    others = others[~shapely.is_missing(pts[others]) & ~shapely.is_empty(pts[others])]
    if len(others):  # multipoints: a tree over them, queried by the polygons
        pi, qi = shapely.STRtree(pts[others]).query(polys, predicate="intersects")
        poly_parts.append(pi)
        point_parts.append(others[qi])
    poly_idx = np.concatenate(poly_parts) if poly_parts else np.empty(0, dtype=np.intp)
    point_idx = np.concatenate(point_parts) if point_parts else np.empty(0, dtype=np.intp)
    return _boundary_once(poly_idx, point_idx, polys, len(pts), lambda idx: pts[idx])


def xy_polygon_pairs(
    x: np.ndarray,
    y: np.ndarray,
    polygons: gpd.GeoSeries | np.ndarray,
    feedback: Feedback | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """point_polygon_pairs for points given as coordinates (NaN rows are in no polygon)."""
    polys = np.asarray(getattr(polygons, "values", polygons))
    poly_parts, point_parts = _pairs_in(PointIndex.from_xy(x, y), polys, feedback)
    poly_idx = np.concatenate(poly_parts) if poly_parts else np.empty(0, dtype=np.intp)
    point_idx = np.concatenate(point_parts) if point_parts else np.empty(0, dtype=np.intp)
    return _boundary_once(
        poly_idx, point_idx, polys, len(x), lambda idx: shapely.points(x[idx], y[idx])
    )


def _pairs_in(
    index: PointIndex, polys: np.ndarray, feedback: Feedback | None
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(polygon, point) index parts of the plain points in or on each polygon."""
    poly_parts, point_parts = [], []
    discs = interior_discs(polys)
    for i, poly in enumerate(polys):
        if feedback is not None and i % CHUNK == 0:
            feedback.check()
            feedback.set_progress(100.0 * i / max(len(polys), 1), tr("Counting points"))
        hit = index.inside(poly, discs[i])
        if len(hit):
            poly_parts.append(np.full(len(hit), i, dtype=np.intp))
            point_parts.append(hit)
    return poly_parts, point_parts


def interior_discs(polys: np.ndarray) -> list[tuple[float, float, float] | None]:
    """For each polygon, a disc wholly inside its interior: about its centroid, with a radius
    just under the centroid's distance to the boundary (holes included); None for a centroid
    not strictly inside (or a multipolygon). On municipality-like regions it holds about half
    the points, which then need no point-in-polygon test."""
    polys = np.asarray(polys)
    discs: list[tuple[float, float, float] | None] = [None] * len(polys)
    plain = np.flatnonzero(shapely.get_type_id(polys) == 3)  # Polygon
    if len(plain) == 0:
        return discs
    shapes = polys[plain]
    centres = shapely.centroid(shapes)
    inner = shapely.contains_properly(shapes, centres)
    radius = shapely.distance(centres, shapely.boundary(shapes)) * (1.0 - 1e-9)
    cx, cy = shapely.get_x(centres), shapely.get_y(centres)
    for k in np.flatnonzero(inner & (radius > 0)):
        discs[plain[k]] = (float(cx[k]), float(cy[k]), float(radius[k]) ** 2)
    return discs


def _boundary_once(
    poly_idx: np.ndarray,
    point_idx: np.ndarray,
    polys: np.ndarray,
    n_points: int,
    shapes: Callable[[np.ndarray], np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """Drop duplicate pairs made only by touching a boundary (rare: checked on duplicates).

    `shapes(idx)` gives the points at those positions as shapely points."""
    if len(point_idx) == 0:
        return poly_idx, point_idx
    counts = np.bincount(point_idx, minlength=n_points)
    multi = counts[point_idx] > 1
    if not multi.any():
        return poly_idx, point_idx
    m_poly, m_point = poly_idx[multi], point_idx[multi]
    interior = shapely.contains_properly(polys[m_poly], shapes(m_point))
    frame = pd.DataFrame({"poly": m_poly, "point": m_point, "interior": interior})
    has_interior = frame.groupby("point")["interior"].transform("any")
    keep_interior = frame[frame["interior"]]
    # Only boundary contacts: keep the first polygon, so the point still counts once.
    boundary_only = frame[~has_interior].sort_values(["point", "poly"]).drop_duplicates("point")
    kept = pd.concat([keep_interior, boundary_only])
    poly_idx = np.concatenate([poly_idx[~multi], kept["poly"].to_numpy()])
    point_idx = np.concatenate([point_idx[~multi], kept["point"].to_numpy()])
    return poly_idx, point_idx


def count_points_in_polygons(
    points_gdf: gpd.GeoDataFrame | gpd.GeoSeries,
    polygons_gdf: gpd.GeoDataFrame | gpd.GeoSeries,
    weight: str | np.ndarray | pd.Series | None = None,
    feedback: Feedback | None = None,
) -> np.ndarray:
    """Points (or their summed weights) per polygon, in polygon order; same CRS assumed.

    `weight` is a column of `points_gdf` or an array aligned with it; missing weights are 0.
    """
    points = points_gdf.geometry if hasattr(points_gdf, "geometry") else points_gdf
    polygons = polygons_gdf.geometry if hasattr(polygons_gdf, "geometry") else polygons_gdf
    poly_idx, point_idx = point_polygon_pairs(points, polygons, feedback)
    if weight is None:
        return np.bincount(poly_idx, minlength=len(polygons)).astype(np.int64)
    if isinstance(weight, str):
        weight = points_gdf[weight]
    w = pd.to_numeric(pd.Series(np.asarray(weight)), errors="coerce").fillna(0.0).to_numpy()
    return np.bincount(poly_idx, weights=w[point_idx], minlength=len(polygons))


def filter_by_dates(dates: pd.Series, start: Any = None, end: Any = None) -> np.ndarray:
    """Mask of dates inside [start, end] (whole days, inclusive); undated rows are out."""
    mask = dates.notna().to_numpy()
    if start is not None:
        mask &= (dates >= pd.Timestamp(start)).to_numpy()
    if end is not None:
        mask &= (dates < pd.Timestamp(end) + pd.Timedelta(days=1)).to_numpy()
    return mask


@register
class CountPointsInPolygons(Algorithm):
    id = "count"
    # Its --engine dask version (analysis/engine.py run_on_cluster loads it by name).
    cluster_module = "analysis.count_cluster"
    title = tr_noop("Count events per region")
    help = tr_noop(
        "Counts events (or sums a weight such as fatalities) in each polygon, like QGIS "
        "'Count points in polygon'. A point on a shared boundary counts once."
    )
    parameters = (
        Parameter(
            "points",
            "layer",
            tr_noop("Events: a point layer (violence events, eradication points, services)."),
            required=True,
            roles=("violence", "eradication", "health_services"),
            geometry=("point",),
        ),
        replace(
            REGIONS,
            name="polygons",
            help=tr_noop("Regions to count in (administrative regions, grid cells, buffers)."),
            required=True,
        ),
        replace(WEIGHT_FIELD, parent="points"),
        replace(EVENT_DATE_FIELD, parent="points"),
        Parameter("from", "date", tr_noop("First day counted (YYYY-MM-DD), inclusive.")),
        Parameter("to", "date", tr_noop("Last day counted (YYYY-MM-DD), inclusive.")),
        Parameter(
            "field_name",
            "string",
            tr_noop("Name of the result column."),
            default="events",
        ),
        ENGINE,
        SCHEDULER,
    )
    outputs = (
        Output("counts", "layer", tr_noop("The polygons with the count (and weight sum) column.")),
        Output(
            "summary", "summary", tr_noop("Totals: points read, counted, outside every polygon.")
        ),
    )

    def run(self, params: dict[str, Any], feedback: Feedback) -> AnalysisResult:
        if params.get("engine") == "dask":  # partition by partition (analysis/count_cluster.py)
            return run_on_cluster(self, params, feedback)
        points_layer, polygons_layer = params["points"], params["polygons"]
        if isinstance(points_layer, PartitionedSource):  # a convert folder, read whole
            feedback.set_progress(1, tr("Reading {p}").format(p=points_layer.path))
            points_layer = Layer(read_all(points_layer.path), points_layer.name)
        # Counting needs no metric CRS: work in the polygons' own CRS, where their edges are
        # straight (as QGIS does), and reproject only the points if they differ.
        crs = polygons_layer.crs or run_crs(params, points_layer, polygons_layer)
        feedback.set_progress(2, tr("Projecting layers"))
        polygons = in_metric(polygons_layer, crs)
        start, end = params.get("from"), params.get("to")
        if start is not None and end is not None and start > end:
            raise InputError(tr("--from {a} is after --to {b}.").format(a=start, b=end))
        if isinstance(points_layer, PointCoordinates):  # no weight, no period: points only
            x, y = points_layer.in_crs(crs)
            feedback.check()
            poly_idx, point_idx = xy_polygon_pairs(x, y, polygons.geometry, feedback)
            counts, inside, _ = pair_tallies(len(polygons), poly_idx, point_idx, len(x))
            return count_result(params, polygons, counts, inside, len(x), crs, feedback)
        points = in_metric(points_layer, crs)
        notes: list[str] = []
        if start is not None or end is not None or params.get("date_field"):
            column = date_column(points_layer, params.get("date_field"), "--date-field")
            if column is None:
                raise InputError(
                    tr("Layer {n!r} has no mapped date; name it with --date-field.").format(
                        n=points_layer.name
                    )
                )
            dates = feature_dates(points, column)
            mask = filter_by_dates(dates, start, end)
            notes.append(
                tr("{k} of {n} events fall in the period ({c}).").format(
                    k=int(mask.sum()), n=len(points), c=column
                )
            )
            points = points[mask]
        weight = require_field(points_layer, params.get("weight_field"), "--weight-field")
        feedback.check()
        poly_idx, point_idx = point_polygon_pairs(points.geometry, polygons.geometry, feedback)
        weighted = (weight, points[weight]) if weight else None
        counts, inside, sums = pair_tallies(
            len(polygons), poly_idx, point_idx, len(points), weighted
        )
        return count_result(
            params, polygons, counts, inside, len(points), crs, feedback, notes, sums
        )

    def partitioned_inputs(self, params: dict[str, Any]) -> tuple[str, ...]:
        """With --engine dask the events stay on disk: the workers read them partition by
        partition (analysis.inputs.resolve_params asks; analysis/engine.py)."""
        if params.get("engine") == "dask":
            return ("points",)
        value = params.get("points")
        # A partitioned GeoParquet (python main.py convert) is read whole by the local engine.
        path = split_layer_spec(value)[0] if isinstance(value, str) else ""
        return ("points",) if path and Path(path).is_dir() and is_partitioned(path) else ()

    def coordinates_only(self, params: dict[str, Any]) -> tuple[str, ...]:
        """Without a weight or a period only the events' coordinates are read (1M points:
        ~1 s less; analysis.inputs.resolve_params asks)."""
        attributes = ("weight_field", "date_field", "from", "to")
        return () if any(params.get(k) not in (None, "") for k in attributes) else ("points",)


def pair_tallies(
    n_polygons: int,
    poly_idx: np.ndarray,
    point_idx: np.ndarray,
    n_points: int,
    weighted: tuple[str, pd.Series] | None = None,
) -> tuple[np.ndarray, int, tuple[str, np.ndarray] | None]:
    """Per-polygon counts, how many points fell in some polygon, and per-polygon sums of the
    weight field's values, from the (polygon, point) pairs."""
    counts = np.bincount(poly_idx, minlength=n_polygons).astype(np.int64)
    inside = int(np.count_nonzero(np.bincount(point_idx, minlength=n_points)))
    sums = None
    if weighted:
        weight, raw = weighted
        values = pd.to_numeric(raw, errors="coerce")
        if values.notna().sum() == 0 and raw.notna().any():
            raise InputError(tr("--weight-field {w} is not numeric.").format(w=weight))
        w = values.fillna(0.0).to_numpy()
        sums = (weight, np.bincount(poly_idx, weights=w[point_idx], minlength=n_polygons))
    return counts, inside, sums


def count_result(
    params: dict[str, Any],
    polygons: gpd.GeoDataFrame,
    counts: np.ndarray,
    inside: int,
    n_points: int,
    crs: Any,
    feedback: Feedback,
    notes: list[str] | None = None,
    sums: tuple[str, np.ndarray] | None = None,
) -> AnalysisResult:
    """The count's result from per-polygon counts (and weight sums): one builder for the
    local and the cluster engines (analysis/count_cluster.py), so both give the same table."""
    column = str(params.get("field_name") or "events").strip()
    _check_new_column(column, polygons, sums[0] if sums else None)
    out = polygons.copy()
    out[column] = counts
    summary: dict[str, Any] = {
        "points": int(n_points),
        "polygons": int(len(polygons)),
        "points_inside": inside,
        "points_outside": int(n_points) - inside,
        "max_per_polygon": int(counts.max()) if len(counts) else 0,
        "polygons_with_none": int((counts == 0).sum()),
        "crs": crs.to_string(),
    }
    if sums:
        weight, total = sums
        out[f"{column}_{weight}"] = total
        summary["weight_field"] = weight
        summary["weight_total"] = float(total.sum())
    return AnalysisResult(
        summary=summary,
        layers={"counts": out},
        notes=notes or [],
        styles={"counts": {"field": column, "kind": "graduated"}},
    )


def _check_new_column(column: str, polygons: gpd.GeoDataFrame, weight: str | None) -> None:
    """The result column must not replace a column of the regions, nor their geometry."""
    names = [column] + ([f"{column}_{weight}"] if weight else [])
    existing = {str(c).lower() for c in polygons.columns} | {"geometry", "geom", "fid"}
    for name in names:
        if not name or name.lower() in existing:
            raise InputError(
                tr(
                    "--field-name {n!r} is already a column of the polygons (or reserved): "
                    "choose a new name, e.g. events_count."
                ).format(n=name)
            )
