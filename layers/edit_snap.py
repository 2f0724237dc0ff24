"""Snapping, without Qt: the vertex or segment of a visible layer nearest to the cursor.

The canvas turns its tolerance in pixels into map units (pixels × map units per pixel) and
asks `snap` in the map's CRS (the project's metric CRS); the hit comes back in that CRS with
the layer and feature it came from. A vertex within the tolerance wins over a nearer point on
a segment, as in QGIS. Each layer's shapes in the map CRS and their search tree are cached
until its data changes. Docs: docs/editing.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import CRS

from layers.edit_geometry import Vertex, nearest_segment, nearest_vertex_point
from layers.layer import Layer, is_raster


@dataclass(frozen=True)
class SnapHit:
    """Where the cursor snaps: the point, the layer and row, 'vertex' or 'segment', and the
    vertex address (the vertex itself, or the insert position on a segment)."""

    x: float
    y: float
    layer: str
    row: int
    kind: str
    vertex: Vertex
    distance: float


_trees: dict[int, tuple[int, str, shapely.STRtree, np.ndarray]] = {}


def _tree(layer: Layer, crs: CRS) -> tuple[shapely.STRtree, np.ndarray]:
    key = crs.to_wkt()
    cached = _trees.get(layer.id)
    if cached is not None and cached[0] == id(layer.data) and cached[1] == key:
        return cached[2], cached[3]
    shapes = (
        np.asarray(layer.to_metric(crs).geometry.values)
        if layer.crs
        else np.asarray(layer.data.geometry.values)
    )
    tree = shapely.STRtree(shapes)
    if len(_trees) > 64:  # layers long closed keep no tree
        _trees.clear()
    _trees[layer.id] = (id(layer.data), key, tree, shapes)
    return tree, shapes


def snap(
    layers: Iterable[Layer],
    x: float,
    y: float,
    tolerance: float,
    crs: CRS | str,
    *,
    vertices: bool = True,
    segments: bool = True,
) -> SnapHit | None:
    """The snap target within `tolerance` (map units) of (x, y) in `crs`, or None."""
    crs = CRS.from_user_input(crs)
    cursor = shapely.Point(x, y)
    best_vertex: SnapHit | None = None
    best_segment: SnapHit | None = None
    for layer in layers:
        if is_raster(layer) or not layer.visible or layer.data.empty:
            continue
        tree, shapes = _tree(layer, crs)
        # Shapes within the tolerance only: a river's or a border's box holds most clicks.
        for row in tree.query(cursor, predicate="dwithin", distance=tolerance):
            shape = shapes[int(row)]
            if shape is None or shape.is_empty:
                continue
            if vertices:
                vid, (vx, vy), d = nearest_vertex_point(shape, x, y)
                if d <= tolerance and (best_vertex is None or d < best_vertex.distance):
                    best_vertex = SnapHit(vx, vy, layer.name, int(row), "vertex", vid, d)
            if segments and shape.geom_type not in ("Point", "MultiPoint"):
                vid, (sx, sy), d = nearest_segment(shape, x, y)
                if d <= tolerance and (best_segment is None or d < best_segment.distance):
                    best_segment = SnapHit(sx, sy, layer.name, int(row), "segment", vid, d)
    return best_vertex or best_segment
