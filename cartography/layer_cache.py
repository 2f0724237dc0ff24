"""What the renderer derives from one layer's data in one CRS (docs/traps.md, "Drawing with
matplotlib"): metric geometries and their STRtree, kinds and areas, numbers of a column,
pixel-level simplifications and the RingStores warm_up builds, and the features near a
point. Rebuilt when the layer's data or the CRS changes (cartography/render.py).
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import pandas as pd
import shapely
from matplotlib.path import Path
from pyproj import CRS

from cartography.layer_draw import _bounded, _Classes
from cartography.paths import RingStore, _ring_part, polygon_path
from cartography.symbols import SAMPLE, PointLook
from layers.layer import Layer

# shapely geometry type ids of points, lines and polygons (multi-parts included)
_POINT_T, _LINE_T, _POLY_T = (0, 4), (1, 2, 5), (3, 6)


class LayerCache:
    """Everything derived from one layer's data in one CRS; rebuilt when either changes."""

    def __init__(self, layer: Layer, crs: CRS) -> None:
        gdf = layer.to_metric(crs)
        self.source = layer.data  # pinned so its id() (the cache key) cannot be reused
        self.frame = gdf
        geoms = np.asarray(gdf.geometry.values, dtype=object)
        geoms = np.where(shapely.is_missing(geoms), shapely.from_wkt("POLYGON EMPTY"), geoms)
        self.geoms = geoms
        self.n = len(geoms)
        types = shapely.get_type_id(geoms)
        empty = shapely.is_empty(geoms)
        self.point_rows = np.flatnonzero(np.isin(types, _POINT_T) & ~empty)
        self.line_rows = np.flatnonzero(np.isin(types, _LINE_T) & ~empty)
        self.poly_rows = np.flatnonzero(np.isin(types, _POLY_T) & ~empty)
        if self.point_rows.size:
            xy, owner = shapely.get_coordinates(geoms[self.point_rows], return_index=True)
            self.point_xy = xy
            self.point_owner = self.point_rows[owner]
            self.point_bounds = (*xy.min(axis=0), *xy.max(axis=0))
        else:
            self.point_xy = np.empty((0, 2))
            self.point_owner = np.empty(0, dtype=np.int64)
            self.point_bounds = (0.0, 0.0, 0.0, 0.0)
        present = [
            kind
            for kind, rows in (
                ("point", self.point_rows),
                ("line", self.line_rows),
                ("polygon", self.poly_rows),
            )
            if rows.size
        ]
        self.kind = present[0] if len(present) == 1 else ("polygon" if present else "empty")
        shaped = np.concatenate([self.line_rows, self.poly_rows])
        self.shaped_rows = np.sort(shaped)
        self.tree = shapely.STRtree(geoms[self.shaped_rows]) if shaped.size else None
        self.simplified: dict[float, np.ndarray] = {}
        self.masks: dict[object, np.ndarray | None] = {}
        self.classes: dict[tuple, _Classes] = {}
        self.full_paths: dict[tuple, list[tuple[int, Path]]] = {}
        self.ring_stores: dict[float, RingStore] = {}
        self._areas: np.ndarray | None = None
        self._by_x: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self.looks: dict[tuple, PointLook | None] = {}
        self._numbers: dict[str, np.ndarray] = {}
        self._sample: np.ndarray | None = None

    def numbers(self, column: str | None) -> np.ndarray | None:
        """A column as floats per row (NaN where not a number), converted once."""
        if not column or column not in self.frame.columns:
            return None
        if column not in self._numbers:
            values = pd.to_numeric(self.frame[column], errors="coerce")
            self._numbers[column] = np.asarray(values, dtype=float)
        return self._numbers[column]

    def point_sample(self) -> np.ndarray:
        """Positions in point_xy of a fixed random sample of at most SAMPLE points."""
        if self._sample is None:
            n = len(self.point_xy)
            self._sample = (
                np.arange(n)
                if n <= SAMPLE
                else np.sort(np.random.default_rng(0).choice(n, SAMPLE, replace=False))
            )
        return self._sample

    def points_by_x(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Point x, y and owning row, sorted by x once (a view's columns are then one slice)."""
        if self._by_x is None:
            order = np.argsort(self.point_xy[:, 0], kind="stable")
            self._by_x = (self.point_xy[order, 0], self.point_xy[order, 1], self.point_owner[order])
        return self._by_x

    @property
    def areas(self) -> np.ndarray:
        if self._areas is None:
            self._areas = shapely.area(self.geoms)
        return self._areas

    def simplified_rows(self, rows: np.ndarray, tolerance: float) -> np.ndarray:
        """Geometries of `rows` simplified to `tolerance`, computed once per row and level."""
        if tolerance <= 0:
            return self.geoms[rows]
        store = self.simplified.get(tolerance)
        if store is None:
            store = self.simplified[tolerance] = np.full(self.n, None, dtype=object)
        todo = rows[shapely.is_missing(store[rows])]
        if todo.size:
            simple = shapely.simplify(self.geoms[todo], tolerance, preserve_topology=False)
            # Sub-pixel features collapse to empty: their envelope keeps them visible cheaply.
            gone = shapely.is_empty(simple)
            simple[gone] = shapely.envelope(self.geoms[todo][gone])
            store[todo] = simple
        return store[rows]

    def polygon_path(self, rows: np.ndarray, tolerance: float) -> Path:
        """One compound Path of polygon `rows` (sorted) simplified to `tolerance`.

        Cut from the level's RingStore once warm_up has built it (a numpy gather), else
        built from the rows' own simplified geometries.
        """
        store = self.ring_stores.get(tolerance)
        if store is not None:
            self.ring_stores[tolerance] = self.ring_stores.pop(tolerance)  # most recent last
            return store.path(rows)
        return polygon_path(self.simplified_rows(rows, tolerance))

    def ring_store_steps(self, tolerance: float) -> Iterator[None]:
        """Build the RingStore of one level in steps of WARM_CHUNK rows, yielding between."""
        if tolerance in self.ring_stores or self.poly_rows.size < STORE_MIN_ROWS:
            return
        parts = []
        for first in range(0, self.poly_rows.size, WARM_CHUNK):
            rows = self.poly_rows[first : first + WARM_CHUNK]
            geoms = self.simplified_rows(rows, tolerance)
            yield
            parts.append(_ring_part(geoms))
            yield
        _bounded(self.ring_stores, MAX_STORES)
        self.ring_stores[tolerance] = RingStore(self.poly_rows, parts, self.n)


# Polygon layers this large get RingStores from warm_up; 4 levels of 100k polygons ~100 MB.
STORE_MIN_ROWS = 5_000
MAX_STORES = 4
WARM_CHUNK = 5_000  # rows per warm-up step: ~10-20 ms, so a waiting redraw starts soon


def features_near(cache: LayerCache, x: float, y: float, tolerance: float) -> list[int]:
    probe = shapely.Point(x, y)
    found: list[tuple[float, int]] = []
    if cache.point_rows.size:
        d = np.hypot(cache.point_xy[:, 0] - x, cache.point_xy[:, 1] - y)
        near = d <= tolerance
        for dist, row in zip(d[near], cache.point_owner[near], strict=True):
            found.append((float(dist), int(row)))
    if cache.tree is not None:
        hits = cache.tree.query(probe.buffer(tolerance), predicate="intersects")
        rows = cache.shaped_rows[np.asarray(hits, dtype=np.int64)]
        dists = shapely.distance(cache.geoms[rows], probe)
        found.extend((float(dd), int(r)) for dd, r in zip(dists, rows, strict=True))
    best: dict[int, float] = {}
    for dist, row in found:
        best[row] = min(dist, best.get(row, math.inf))
    return [row for row, _ in sorted(best.items(), key=lambda kv: kv[1])]
