"""Count on a Dask cluster (`analyze count --engine dask`): the same counts as the local engine,
partition by partition.

The events are a partitioned GeoParquet (python main.py convert; a CSV or GeoPackage is
converted first to a temporary folder beside it). The regions, projected once on the client,
are scattered to every worker once; each task reads its own partition from storage, keeps the
regions whose box meets the partition's points, pairs points and regions with the local
engine's own code (analysis/count.py point_polygon_pairs: a point on a shared boundary counts
once, in the first region) and returns per-region counts (and weight sums). The client adds
them up and builds the result with the local engine's builder (count_result), so the table
and the summary are the same, and `--out` goes through the same writer. A point lies in one
partition only, so the partition sums are the whole counts, exactly; float weight sums are
added in another order (to about 1e-15 relative).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from analysis.base import AnalysisResult, Feedback
from analysis.engine import cluster, run_parts
from analysis.inputs import InputError, in_metric, run_crs
from analysis.partitioned_inputs import partitioned_events
from layers.i18n import tr, trn
from layers.partitioned import PartitionedDataset, PartitionedSource


@dataclass(frozen=True)
class CountTask:
    """What one task needs besides the regions: its file and how to read it."""

    path: str
    geometry: str  # the geometry column's name
    points_crs: str | None  # WKT of the events' CRS (None: lon/lat)
    target_crs: str  # WKT of the regions' CRS, where the counting happens
    weight: str | None = None
    date: str | None = None
    start: Any = None
    end: Any = None


def count_part(task: CountTask, regions: np.ndarray) -> dict[str, Any]:
    """Runs on a worker: per-region counts (and weight sums) of one partition's events."""
    import geopandas as gpd
    import pandas as pd
    import shapely

    from analysis.count import filter_by_dates, point_polygon_pairs
    from analysis.inputs import feature_dates

    columns = [c for c in (task.weight, task.date) if c]
    gdf = gpd.read_parquet(task.path, columns=[*columns, task.geometry])
    gdf = gdf.set_crs(task.points_crs or "EPSG:4326", allow_override=True)
    shapes = np.asarray(gdf.geometry.values)
    gdf = gdf[~(shapely.is_missing(shapes) | shapely.is_empty(shapes))]
    if not gdf.crs.equals(task.target_crs):
        gdf = gdf.to_crs(task.target_crs)
    read = len(gdf)
    if task.date:
        mask = filter_by_dates(feature_dates(gdf, task.date), task.start, task.end)
        gdf = gdf[mask]
    n = len(regions)
    out: dict[str, Any] = {"read": read, "points": len(gdf), "inside": 0, "numeric": 0, "given": 0}
    out["counts"] = np.zeros(n, dtype=np.int64)
    out["sums"] = np.zeros(n) if task.weight else None
    if len(gdf) == 0:
        return out
    # Only the regions whose box meets these points can hold one (a conservative cut).
    x0, y0, x1, y1 = gdf.total_bounds
    boxes = shapely.bounds(regions)
    near = np.flatnonzero(
        (boxes[:, 0] <= x1) & (boxes[:, 2] >= x0) & (boxes[:, 1] <= y1) & (boxes[:, 3] >= y0)
    )
    poly_idx, point_idx = point_polygon_pairs(gdf.geometry, regions[near])
    poly_idx = near[poly_idx]
    out["counts"] = np.bincount(poly_idx, minlength=n).astype(np.int64)
    out["inside"] = int(np.count_nonzero(np.bincount(point_idx, minlength=len(gdf))))
    if task.weight:
        raw = gdf[task.weight]
        values = pd.to_numeric(raw, errors="coerce")
        out["numeric"], out["given"] = int(values.notna().sum()), int(raw.notna().sum())
        w = values.fillna(0.0).to_numpy()
        out["sums"] = np.bincount(poly_idx, weights=w[point_idx], minlength=n)
    return out


def run_on_cluster(params: dict[str, Any], feedback: Feedback) -> AnalysisResult:
    """The count analysis with --engine dask (CountPointsInPolygons.run hands over here,
    through analysis.engine.run_on_cluster)."""
    source: PartitionedSource = params["points"]
    polygons_layer = params["polygons"]
    start, end = params.get("from"), params.get("to")
    if start is not None and end is not None and start > end:
        raise InputError(tr("--from {a} is after --to {b}.").format(a=start, b=end))
    crs = polygons_layer.crs or run_crs(params, polygons_layer)
    feedback.set_progress(1, tr("Projecting layers"))
    polygons = in_metric(polygons_layer, crs)
    notes: list[str] = []
    with partitioned_events(source, feedback.part(2, 30), notes) as dataset:
        tasks = _tasks(dataset, params, crs)
        with cluster(params, feedback) as client:
            parts = run_parts(
                client,
                count_part,
                tasks,
                feedback.part(30, 98),
                broadcast={"regions": np.asarray(polygons.geometry.values)},
                message=tr("Counting points"),
            )
    return _combine(params, polygons, parts, crs, feedback, notes, source.path)


def _tasks(dataset: PartitionedDataset, params: dict[str, Any], crs: Any) -> list[CountTask]:
    weight = params.get("weight_field") or None
    date = params.get("date_field") or None
    period = params.get("from") is not None or params.get("to") is not None
    if period and not date:
        raise InputError(
            tr(
                "--engine dask needs --date-field with --from/--to (the events' columns: {c})."
            ).format(c=", ".join(dataset.columns))
        )
    for flag, column in (("--weight-field", weight), ("--date-field", date)):
        if column and column not in dataset.columns:
            raise InputError(
                tr("{flag}: layer {name!r} has no field {col!r}. Fields: {fields}.").format(
                    flag=flag,
                    name=Path(dataset.path).stem,
                    col=column,
                    fields=", ".join(dataset.columns),
                )
            )
    points_crs = dataset.crs.to_wkt() if dataset.crs is not None else None
    target = crs.to_wkt()
    return [
        CountTask(
            str(Path(p.path).resolve()),
            dataset.geometry,
            points_crs,
            target,
            weight,
            date,
            params.get("from"),
            params.get("to"),
        )
        for p in dataset.partitions
        if p.rows
    ]


def _combine(
    params: dict[str, Any],
    polygons: Any,
    parts: list[dict[str, Any]],
    crs: Any,
    feedback: Feedback,
    notes: list[str],
    source: str,
) -> AnalysisResult:
    """The partitions' counts added up into the local engine's result."""
    from analysis.count import count_result

    counts = np.zeros(len(polygons), dtype=np.int64)
    for part in parts:
        counts += part["counts"]
    n_points = sum(part["points"] for part in parts)
    inside = sum(part["inside"] for part in parts)
    if params.get("date_field"):
        read = sum(part["read"] for part in parts)
        notes.append(
            tr("{k} of {n} events fall in the period ({c}).").format(
                k=n_points, n=read, c=params["date_field"]
            )
        )
    sums = None
    weight = params.get("weight_field")
    if weight:
        if sum(p["numeric"] for p in parts) == 0 and sum(p["given"] for p in parts):
            raise InputError(tr("--weight-field {w} is not numeric.").format(w=weight))
        total = np.zeros(len(polygons))
        for part in parts:
            total += part["sums"]
        sums = (weight, total)
    notes.append(
        trn(
            "Run on a Dask cluster: {n} partition of {p}.",
            "Run on a Dask cluster: {n} partitions of {p}.",
            len(parts),
        ).format(n=len(parts), p=source)
    )
    return count_result(params, polygons, counts, inside, n_points, crs, feedback, notes, sums)
