"""Hot spots on a Dask cluster (`analyze hotspots --engine dask`, kde and gi_star): the local
engine's grid, kernel and cell assignment, partition by partition (docs/cluster.md).

The events are a partitioned GeoParquet (python main.py convert; another file is converted
first to a temporary folder beside it, as count does). Each task reads its own partition and
keeps the events the local engine keeps (usable shapes, --period by the layer's date or year
field, finite coordinates in the run's CRS; analysis/hotspots.py's own helpers). Then:

- the grid depends on every event's extent, so a first pass returns each partition's extent
  and the client builds the local engine's grid from their union (grid_for_extent, gi_grid);
- kde: each task sums its events' kernels on that grid with the local quartic_kde (the same
  grid, so the same cell places; "qgis" sampling measures from the whole set's bottom edge)
  and returns only the block of rows and columns its kernels reach; the client adds the
  blocks. The density is a sum over events, so the total is the local one up to the order of
  the additions (~1e-15 relative);
- gi_star: each task counts (or sums the weight of) its events per cell with the grid's own
  cell_index and returns the cells it touched; the client adds them and runs the local Gi*
  (gi_grid_result) on the summed grid. With --polygons, each task joins its events to the
  polygons as the local engine does (within) and Gi* runs on the summed counts;
- the result is built by the local engine's code (kde_result, gi_grid_result,
  gi_polygons_result), so tables, rasters, summaries and --out are the same.

Emerging hot spots stay on the local engine for now.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from pyproj import CRS

from analysis.base import AnalysisResult, Feedback
from analysis.engine import cluster, run_parts
from analysis.inputs import METRIC_CRS_KEY, InputError
from analysis.partitioned_inputs import partitioned_events
from layers.crs import WGS84, choose_metric_crs, lonlat_bounds
from layers.i18n import tr, trn
from layers.partitioned import (
    PartitionedDataset,
    PartitionedSource,
    read_partition,
)
from layers.roles import FieldMapping
from layers.timefilter import TimeFilter


@dataclass(frozen=True)
class EventsTask:
    """One partition and how the local engine would read it."""

    path: str
    geometry: str
    points_crs: str | None  # WKT of the events' CRS (None: lon/lat)
    target_crs: str  # WKT of the run's metric CRS
    weight: str | None = None
    mapping: FieldMapping | None = None  # the layer's date/year fields (for --period)
    period: TimeFilter | None = None
    finite_weights: bool = False  # kde also drops events whose weight is not finite


@dataclass(frozen=True)
class KdeGrid:
    """What every kde task shares (scattered once to every worker)."""

    grid: Any  # analysis.cell_grid.CellGrid
    radius: float
    sampling: str
    scaled: bool
    weighted: bool
    y_bottom: float  # the whole set's grown bottom edge ("qgis" sampling measures from it)


def part_events(task: EventsTask) -> tuple[np.ndarray, np.ndarray]:
    """Runs on a worker: the partition's events as the local engine keeps them: (xy, w)."""
    import geopandas as gpd
    import shapely

    from analysis.hotspots import event_weights, layer_in_crs, point_coordinates
    from layers.dates import parse_date_column
    from layers.layer import Layer
    from layers.report import LoadReport
    from layers.timefilter import time_mask

    mapping = task.mapping or FieldMapping()
    dated = [mapping.get(k) for k in ("date", "year")] if task.period else []
    columns = list(dict.fromkeys(c for c in (task.weight, *dated) if c))
    gdf = gpd.read_parquet(task.path, columns=[*columns, task.geometry])
    gdf = gdf.set_crs(task.points_crs or WGS84, allow_override=True)
    parse_date_column(gdf, mapping.get("date"), LoadReport())  # as the layer readers do
    layer = Layer(gdf, "events", mapping=mapping)
    shapes = np.asarray(gdf.geometry.values)
    keep = ~(shapely.is_missing(shapes) | shapely.is_empty(shapes))
    if task.period is not None:
        mask = time_mask(layer, task.period)
        if mask is not None:
            keep &= mask
    target = CRS.from_wkt(task.target_crs)
    xy = point_coordinates(np.asarray(layer_in_crs(layer, target).geometry.values)[keep])
    w = event_weights(layer, task.weight)[keep]
    ok = np.isfinite(xy).all(axis=1)
    if task.finite_weights:
        ok &= np.isfinite(w)
    return xy[ok], w[ok]


def part_extent(task: EventsTask) -> tuple[int, tuple[float, float, float, float] | None]:
    """Runs on a worker: the partition's kept events and their extent in the run's CRS."""
    xy, _ = part_events(task)
    if not len(xy):
        return 0, None
    return len(xy), (xy[:, 0].min(), xy[:, 1].min(), xy[:, 0].max(), xy[:, 1].max())


def part_lonlat(task: EventsTask) -> tuple[float, float, float, float] | None:
    """Runs on a worker: the lon/lat bounds of every shape of the partition (the local engine
    picks its metric CRS from the whole layer's lon/lat bounds)."""
    import geopandas as gpd

    gdf = gpd.read_parquet(task.path, columns=[task.geometry])
    gdf = gdf.set_crs(task.points_crs or WGS84, allow_override=True)
    bounds = lonlat_bounds(gdf)
    return bounds if all(math.isfinite(v) for v in bounds) else None


def part_kde(task: EventsTask, kde: KdeGrid) -> tuple[int, int, np.ndarray] | None:
    """Runs on a worker: the partition's kernel sums on the whole grid, cut to the block of
    rows and columns they reach: (first row, first column, block), None when nothing."""
    from analysis.kde import quartic_kde

    xy, w = part_events(task)
    if not len(xy):
        return None
    _, values = quartic_kde(
        xy,
        kde.radius,
        kde.grid.cell,
        weights=w if kde.weighted else None,
        grid=kde.grid,
        scaled=kde.scaled,
        sampling=kde.sampling,
        y_bottom=kde.y_bottom,
    )
    rows = np.flatnonzero(values.any(axis=1))
    if not len(rows):
        return None
    cols = np.flatnonzero(values.any(axis=0))
    block = values[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    return int(rows[0]), int(cols[0]), np.ascontiguousarray(block)


def part_cells(task: EventsTask, grid: Any) -> tuple[np.ndarray, np.ndarray]:
    """Runs on a worker: the cells holding the partition's events and their weight sums."""
    xy, w = part_events(task)
    idx = grid.cell_index(xy[:, 0], xy[:, 1])
    inside = idx >= 0
    cells, where = np.unique(idx[inside], return_inverse=True)
    return cells, np.bincount(where, weights=w[inside], minlength=len(cells))


def part_polygons(task: EventsTask, polygons: Any) -> np.ndarray:
    """Runs on a worker: the partition's weight sums per polygon (the local engine's join)."""
    import geopandas as gpd

    xy, w = part_events(task)
    pts = gpd.GeoDataFrame(
        {"w": w}, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=polygons.crs
    )
    joined = gpd.sjoin(pts, polygons[[polygons.geometry.name]], predicate="within", how="inner")
    return np.bincount(
        joined["index_right"].to_numpy(), weights=joined["w"], minlength=len(polygons)
    )


# --- the client ------------------------------------------------------------------------------
def run_on_cluster(params: dict[str, Any], feedback: Feedback) -> AnalysisResult:
    """The hotspots analysis with --engine dask (HotSpots.run hands over here)."""
    method = params["method"]
    if method == "emerging":
        raise InputError(
            tr("Emerging hot spots run on the local engine only: leave out --engine dask.")
        )
    source: PartitionedSource = params["events"]
    try:
        period = TimeFilter.parse(params.get("period"))
    except ValueError as exc:
        raise InputError(f"--period: {exc}") from None
    cell = float(params["cell_m"])
    notes: list[str] = []
    with partitioned_events(source, feedback.part(0, 20), notes) as dataset:
        with cluster(params, feedback) as client:
            result = _run(client, dataset, params, period, cell, feedback)
    result.notes.extend(notes)
    result.notes.append(
        trn(
            "Run on a Dask cluster: {n} partition of {p}.",
            "Run on a Dask cluster: {n} partitions of {p}.",
            len(dataset.partitions),
        ).format(n=len(dataset.partitions), p=source.path)
    )
    return result


def _run(
    client: Any,
    dataset: PartitionedDataset,
    params: dict[str, Any],
    period: TimeFilter | None,
    cell: float,
    feedback: Feedback,
) -> AnalysisResult:
    from analysis.cell_grid import grid_for_extent
    from analysis.hotspots import (
        band_radius,
        gi_grid,
        gi_grid_result,
        gi_polygons_result,
        kde_result,
        layer_in_crs,
    )
    from analysis.kde import KDE_SAMPLINGS

    method = params["method"]
    polygons = params.get("polygons") if method == "gi_star" else None
    weight = params.get("weight_field") or None
    if weight and weight not in dataset.columns:
        raise InputError(
            tr("The events layer has no field {f!r}. Fields: {fields}.").format(
                f=weight, fields=", ".join(dataset.columns)
            )
        )
    parts = [p for p in dataset.partitions if p.rows]
    points_crs = dataset.crs.to_wkt() if dataset.crs is not None else None
    base = EventsTask(parts[0].path if parts else "", dataset.geometry, points_crs, "", weight)
    crs = _metric_crs(client, dataset, parts, base, params, polygons, feedback)
    mapping = _date_fields(dataset, parts) if period is not None else None
    kde = method == "kde"
    tasks = [
        EventsTask(
            str(_absolute(p.path)),
            dataset.geometry,
            points_crs,
            crs.to_wkt(),
            weight,
            mapping,
            period,
            finite_weights=kde,
        )
        for p in parts
    ]
    if polygons is not None:
        poly = layer_in_crs(polygons, crs).reset_index(drop=True)
        sums = run_parts(
            client, part_polygons, tasks, feedback.part(20, 80),
            broadcast={"polygons": poly}, message=tr("Counting events per polygon"),
        )  # fmt: skip
        y = np.sum(sums, axis=0) if sums else np.zeros(len(poly))
        return gi_polygons_result(poly, y, params, crs, feedback.part(80, 100))
    extents = run_parts(
        client, part_extent, tasks, feedback.part(20, 40), message=tr("Finding the extent")
    )
    boxes = np.array([box for n, box in extents if n], dtype=float).reshape(-1, 4)
    n_events = int(sum(n for n, _ in extents))
    if not n_events:
        raise InputError(tr("No events to analyse (empty layer or period)."))
    bounds = (*boxes[:, :2].min(axis=0), *boxes[:, 2:].max(axis=0))
    if kde:
        radius = float(params.get("radius_m") or 5 * cell)
        sampling = params.get("sampling") or "centres"
        if sampling not in KDE_SAMPLINGS:
            raise ValueError(f"sampling must be one of {KDE_SAMPLINGS}, not {sampling!r}")
        if not radius > 0:
            raise InputError(tr("The radius must be a positive number of metres."))
        grid = grid_for_extent(bounds, cell, grow=radius)
        shared = KdeGrid(grid, radius, sampling, bool(params.get("scaled")), bool(weight),
                         bounds[1] - radius)  # fmt: skip
        blocks = run_parts(
            client, part_kde, tasks, feedback.part(40, 90),
            broadcast={"kde": shared}, message=tr("Kernel density"),
        )  # fmt: skip
        values = np.zeros(grid.shape)
        for block in blocks:
            if block is not None:
                r0, c0, part = block
                values[r0 : r0 + part.shape[0], c0 : c0 + part.shape[1]] += part
        return kde_result(grid, values, n_events, radius, cell, params, crs, feedback)
    radius = band_radius(params, cell)
    grid = gi_grid(bounds, cell, radius, n_events)
    cells = run_parts(
        client, part_cells, tasks, feedback.part(40, 80),
        broadcast={"grid": grid}, message=tr("Counting events per cell"),
    )  # fmt: skip
    y = np.zeros(grid.rows * grid.cols)
    has_event = np.zeros(grid.rows * grid.cols, dtype=bool)
    for idx, sums in cells:
        y[idx] += sums
        has_event[idx] = True
    return gi_grid_result(grid, y, has_event, radius, params, crs, feedback.part(80, 100))


def _metric_crs(client, dataset, parts, base, params, polygons, feedback) -> CRS:
    """The local engine's CRS: the project's, else chosen from the lon/lat bounds of every
    event (and the polygons), as analysis.inputs.metric_crs_for does."""
    from dataclasses import replace

    given = params.get(METRIC_CRS_KEY)
    if given is not None:
        return CRS.from_user_input(given)
    lonlat = dataset.crs is None or dataset.crs.equals(WGS84)
    if lonlat and all(all(math.isfinite(v) for v in p.bounds) for p in parts):
        boxes = [p.bounds for p in parts]  # the parts' own bounds are lon/lat already
    else:
        tasks = [replace(base, path=str(_absolute(p.path))) for p in parts]
        found = run_parts(client, part_lonlat, tasks, feedback.part(0, 10),
                          message=tr("Finding the extent"))  # fmt: skip
        boxes = [b for b in found if b is not None]
    if polygons is not None and not polygons.data.empty:
        boxes.append(lonlat_bounds(polygons.data))
    if not boxes:
        raise InputError(tr("No features to work on: every input layer is empty."))
    b = np.array(boxes, dtype=float)
    return choose_metric_crs((b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()))


def _date_fields(dataset: PartitionedDataset, parts: list) -> FieldMapping:
    """The events' date and year fields, detected as the layer readers detect them (from the
    first partition), so --period keeps the events the local engine keeps."""
    from layers.detect import detect_role

    if not parts:
        return FieldMapping()
    sample = read_partition(parts[0])
    mapping = detect_role(sample, name_hint=str(dataset.path)).mapping
    if not (mapping.get("date") or mapping.get("year")):
        raise InputError(
            tr("--period needs dated events: the events have no date or year field ({c}).").format(
                c=", ".join(dataset.columns)
            )
        )
    return FieldMapping({k: v for k, v in mapping.fields.items() if k in ("date", "year")})


def _absolute(path: str) -> Any:
    from pathlib import Path

    return Path(path).resolve()
