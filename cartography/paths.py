"""Shapely geometries as matplotlib Paths: compound paths per style class, and RingStores.

One compound Path per class is what keeps the renderer fast (traps: one PathPatch per
polygon costs seconds); a RingStore cuts any set of rows' paths from flat arrays.
"""

from __future__ import annotations

import numpy as np
import shapely
from matplotlib.path import Path


def polygon_path(geoms: np.ndarray) -> Path:
    """One compound Path of all polygons; holes wind opposite so the nonzero rule cuts them."""
    coords, codes, _ = _polygon_rings(geoms)
    return Path(coords, codes)


def _polygon_rings(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, tuple]:
    """Coordinates, Path codes and shapely's ragged offsets of oriented polygons."""
    _, coords, offsets = shapely.to_ragged_array(shapely.orient_polygons(geoms))
    rings = np.asarray(offsets[0])
    codes = np.full(len(coords), Path.LINETO, dtype=Path.code_type)
    starts, ends = rings[:-1], rings[1:]
    keep = ends > starts
    codes[starts[keep]] = Path.MOVETO
    codes[ends[keep] - 1] = Path.CLOSEPOLY
    return coords, codes, offsets


def line_path(geoms: np.ndarray) -> Path:
    """One compound Path of all lines (LineString/MultiLineString/LinearRing)."""
    geoms = _as_lines(geoms)
    _, coords, offsets = shapely.to_ragged_array(geoms)
    parts = np.asarray(offsets[0])
    codes = np.full(len(coords), Path.LINETO, dtype=Path.code_type)
    starts = parts[:-1][parts[1:] > parts[:-1]]
    codes[starts] = Path.MOVETO
    return Path(coords, codes)


def _as_lines(geoms: np.ndarray) -> np.ndarray:
    rings = shapely.get_type_id(geoms) == 2
    if rings.any():
        geoms = geoms.copy()
        geoms[rings] = [shapely.LineString(g.coords) for g in geoms[rings]]
    return geoms


def _ring_part(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Coordinates, codes and each geometry's coordinate bounds (len(geoms) + 1 offsets)."""
    coords, codes, offsets = _polygon_rings(geoms)
    # Coordinate range of each geometry: compose the offsets from geometries down to rings.
    bounds = np.asarray(offsets[-1])
    for level in reversed(offsets[:-1]):
        bounds = np.asarray(level)[bounds]
    return coords, codes, bounds


class RingStore:
    """Oriented rings of every polygon row at one simplification level, as flat arrays.

    A Path for any set of rows is then a numpy gather of their coordinate ranges: a few ms
    for 50,000 polygons, against ~100 ms through shapely's ragged arrays each redraw.
    """

    def __init__(self, rows: np.ndarray, parts: list[tuple], n_rows: int) -> None:
        """`parts`: _ring_part() of consecutive chunks of `rows`, in order."""
        sizes = np.cumsum([0, *(len(coords) for coords, _, _ in parts)])
        self.coords = np.concatenate([coords for coords, _, _ in parts]).reshape(-1, 2)
        self.codes = np.concatenate([codes for _, codes, _ in parts])
        shifted = [b + shift for (_, _, b), shift in zip(parts, sizes[:-1], strict=True)]
        self.start = np.concatenate([b[:-1] for b in shifted])
        self.end = np.concatenate([b[1:] for b in shifted])
        self.position = np.full(n_rows, -1, dtype=np.int64)
        self.position[rows] = np.arange(rows.size)

    def path(self, rows: np.ndarray) -> Path:
        at = self.position[rows]
        start, lengths = self.start[at], self.end[at] - self.start[at]
        # Output slot j of row k reads coordinate start_k + (j - first slot of row k).
        shift = start - (np.cumsum(lengths) - lengths)
        take = np.repeat(shift, lengths) + np.arange(int(lengths.sum()))
        return Path(self.coords[take], self.codes[take])
