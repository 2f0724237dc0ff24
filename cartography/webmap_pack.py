"""The web map's layers packed for a whole country (docs/webmap.md).

Coordinates become integer Web Mercator pixels at zoom COORD_ZOOM, polygons and lines are
simplified to the pixel a few zoom levels below the first view (shared borders through
coverage simplification), and everything is written as delta-encoded text that
cartography/webmap_js.py draws on one canvas; dense point layers become counts per cell.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from layers.crs import WGS84

# Coordinates are stored as integer Web Mercator pixels at this zoom: 2.4 m at the equator,
# finer than a screen pixel up to zoom 16.
COORD_ZOOM = 16
WORLD = 256.0 * 2**COORD_ZOOM
EARTH_CIRCUMFERENCE_M = 2 * math.pi * 6378137.0
_MAX_LAT = 85.0511287798
NOMINAL_VIEW_PX = (1200, 800)  # the window the first view's zoom is estimated for


def encode_ints(values: np.ndarray) -> str:
    """Integers as polyline-style text (zigzag sign, 5-bit groups, characters 63-126).

    The same varints Google's encoded polylines use: no quote, `<`, `$` or backtick can
    appear, and webmap_js.py's `ints` reads them back. Values must fit in 31 bits.
    """
    v = np.asarray(values, dtype=np.int64).ravel()
    z = np.where(v < 0, ((-v) << 1) - 1, v << 1)
    if z.size and int(z.max()) >= 2**31:
        raise ValueError("value too large for the web map's integer encoding")
    groups = np.ones(z.size, dtype=np.int64)
    for k in range(1, 7):
        groups += z >= (1 << (5 * k))
    end = np.cumsum(groups)
    start = end - groups
    out = np.empty(int(end[-1]) if z.size else 0, dtype=np.uint8)
    for k in range(7):
        sel = np.flatnonzero(groups > k)
        if not sel.size:
            break
        more = np.where(groups[sel] > k + 1, 32, 0)
        out[start[sel] + k] = ((z[sel] >> (5 * k)) & 31) + more + 63
    return out.tobytes().decode("ascii")


def encode_deltas(xy: np.ndarray) -> str:
    """(N, 2) integer vertices as x/y differences from the previous vertex, interleaved."""
    xy = np.asarray(xy, dtype=np.int64).reshape(-1, 2)
    if not len(xy):
        return ""
    return encode_ints(np.vstack([xy[:1], np.diff(xy, axis=0)]))


def world_xy(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Leaflet's Web Mercator pixel coordinates at zoom COORD_ZOOM (y grows southwards)."""
    lat = np.clip(lat, -_MAX_LAT, _MAX_LAT)
    sin = np.sin(np.radians(lat))
    x = (np.asarray(lon) + 180.0) / 360.0 * WORLD
    y = (0.5 - np.log((1 + sin) / (1 - sin)) / (4 * math.pi)) * WORLD
    return x, y


def world_coords(coords: np.ndarray) -> np.ndarray:
    x, y = world_xy(coords[:, 0], coords[:, 1])
    return np.column_stack([x, y])


def fit_zoom(bounds: Sequence[float], view_px: tuple[int, int] = NOMINAL_VIEW_PX) -> float:
    """The zoom Leaflet's fitBounds picks for lon/lat `bounds` (0.25 snap) in `view_px`."""
    x0, y1 = world_xy(np.array([bounds[0]]), np.array([bounds[1]]))
    x1, y0 = world_xy(np.array([bounds[2]]), np.array([bounds[3]]))
    span_x = max(float(x1[0] - x0[0]), 1e-9) / 2**COORD_ZOOM
    span_y = max(float(y1[0] - y0[0]), 1e-9) / 2**COORD_ZOOM
    zoom = math.log2(min(view_px[0] / span_x, view_px[1] / span_y))
    return max(0.0, min(18.0, math.floor(zoom / 0.25) * 0.25))


def spatial_order(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Row order along a Z-order curve: neighbours on the map become neighbours in the file,
    so the coordinate differences written are small."""

    def spread(v: np.ndarray) -> np.ndarray:
        v = (v | (v << 8)) & 0x00FF00FF
        v = (v | (v << 4)) & 0x0F0F0F0F
        v = (v | (v << 2)) & 0x33333333
        return (v | (v << 1)) & 0x55555555

    if len(x) < 2:
        return np.arange(len(x))

    def scaled(v: np.ndarray) -> np.ndarray:
        span = float(np.ptp(v)) or 1.0
        return ((v - v.min()) / span * 65535).astype(np.uint64)

    code = spread(scaled(x)) | (spread(scaled(y)) << np.uint64(1))
    return np.argsort(code, kind="stable")


def aggregate_counts(
    x: np.ndarray, y: np.ndarray, cell: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cells of side `cell` (metres, aligned on the CRS origin) holding points: centres, counts."""
    ix = np.floor(np.asarray(x) / cell).astype(np.int64)
    iy = np.floor(np.asarray(y) / cell).astype(np.int64)
    if not len(ix):
        return np.empty(0), np.empty(0), np.empty(0, dtype=np.int64)
    span = int(iy.max() - iy.min()) + 1
    key = (ix - ix.min()) * span + (iy - iy.min())
    keys, counts = np.unique(key, return_counts=True)
    cx = (keys // span + ix.min() + 0.5) * cell
    cy = (keys % span + iy.min() + 0.5) * cell
    return cx, cy, counts


def nice_refs(top: int) -> list[int]:
    """Up to three round counts (1, 2 or 5 × 10^k) for the circle legend, largest first."""
    out: list[int] = []
    for target in (top, top / 10, top / 100):
        if target < 1:
            break
        power = 10 ** math.floor(math.log10(target))
        nice = next(m * power for m in (5, 2, 1) if m * power <= target)
        if int(nice) not in out:
            out.append(int(nice))
    return out or [1]


def pack_shapes(geoms: np.ndarray, polygon: bool) -> dict:
    """Rings (or line parts) of world-pixel `geoms`, packed as `pack_ragged` does."""
    import shapely

    if not len(geoms):
        return pack_ragged(np.empty((0, 2)), [np.zeros(1, dtype=np.int64)], 0, polygon)
    _kind, coords, offsets = shapely.to_ragged_array(geoms)
    return pack_ragged(coords, offsets, len(geoms), polygon)


def _rings(offsets: Sequence[np.ndarray], n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """From shapely's ragged offsets: vertex start of each ring (or line part, plus the
    end), the feature each ring belongs to, and whether it is a polygon's exterior."""
    starts = np.asarray(offsets[0], dtype=np.int64)
    n_rings = len(starts) - 1
    if len(offsets) == 1:  # LineString: one part per feature
        return starts, np.arange(n_rings), np.ones(n_rings, dtype=bool)
    inner = np.asarray(offsets[1], dtype=np.int64)  # rings per polygon, or parts per feature
    owner = np.repeat(np.arange(len(inner) - 1), np.diff(inner))
    first = np.zeros(n_rings, dtype=bool)
    first[inner[:-1][np.diff(inner) > 0]] = True
    if len(offsets) == 3:  # MultiPolygon: polygons per feature
        outer = np.asarray(offsets[2], dtype=np.int64)
        owner = np.repeat(np.arange(n), np.diff(outer))[owner]
    return starts, owner, first


def pack_ragged(coords: np.ndarray, offsets: Sequence[np.ndarray], n: int, polygon: bool) -> dict:
    """Rings (or line parts) in world pixels: vertices, ring lengths, rings per feature.

    Polygon rings lose their closing vertex and wind one way (holes the other), so one
    canvas path per class fills with the non-zero rule. Works on shapely's ragged arrays:
    a 120,000-cell grid never becomes 120,000 new shapely objects on the way.
    """
    starts, ring_feature, exterior = _rings(offsets, n)
    lengths = np.diff(starts)
    vertex_ring = np.repeat(np.arange(len(lengths)), lengths)
    xy = np.asarray(coords, dtype=float)
    if polygon and len(xy):
        # signed area of each ring (shoelace over its closed vertex list)
        same = vertex_ring[1:] == vertex_ring[:-1]
        cross = xy[:-1, 0] * xy[1:, 1] - xy[1:, 0] * xy[:-1, 1]
        area = np.bincount(vertex_ring[:-1][same], cross[same], minlength=len(lengths))
        flip = (area > 0) != exterior
        if flip.any():
            i = np.arange(len(xy))
            lo, hi = starts[vertex_ring], starts[vertex_ring + 1]
            xy = xy[np.where(flip[vertex_ring], lo + hi - 1 - i, i)]
    xy = np.rint(xy).astype(np.int64)
    keep = np.ones(len(xy), dtype=bool)
    if len(xy):
        same_ring = vertex_ring[1:] == vertex_ring[:-1]
        if polygon:  # the closing vertex repeats the first
            keep &= np.r_[same_ring, False]
        # vertices that round onto the previous one draw nothing
        keep[1:] &= ~(same_ring & (np.diff(xy, axis=0) == 0).all(axis=1))
    xy, vertex_ring = xy[keep], vertex_ring[keep]
    lengths = np.bincount(vertex_ring, minlength=len(lengths))
    usable = lengths >= (3 if polygon else 2)
    xy = xy[usable[vertex_ring]]
    lengths, ring_feature = lengths[usable], ring_feature[usable]
    return {
        "nv": int(len(xy)),
        "nr": int(len(lengths)),
        "xy": encode_deltas(xy),
        "rl": encode_ints(lengths),
        "fp": encode_ints(np.bincount(ring_feature, minlength=n)),
    }


def to_world(coords: np.ndarray, crs) -> np.ndarray:
    """(N, 2) coordinates in `crs` as world pixels (EPSG:4326 when `crs` is None)."""
    if len(coords) and crs is not None and not WGS84.equals(crs):
        from pyproj import Transformer

        lon, lat = Transformer.from_crs(crs, WGS84, always_xy=True).transform(
            coords[:, 0], coords[:, 1]
        )
        coords = np.column_stack([lon, lat])
    return world_coords(coords) if len(coords) else np.empty((0, 2))


def shape_geometry(geoms: np.ndarray, crs, kind: str, tolerance: float, coverage: bool) -> dict:
    """Packed rings of polygon or line `geoms` (in `crs`), simplified where it pays."""
    import shapely

    if kind == "line" and (shapely.get_type_id(geoms) == 2).any():  # rings as lines
        geoms = np.array([shapely.LineString(g.coords) if g.geom_type == "LinearRing" else g
                          for g in geoms], dtype=object)  # fmt: skip
    _gt, coords, offsets = shapely.to_ragged_array(geoms)
    world = to_world(coords, crs)
    n = len(geoms)
    if kind == "line" or shapely.get_num_coordinates(geoms).mean() >= 12:
        # only shapes with detail to lose become shapely objects again (not grid squares)
        shapes = shapely.from_ragged_array(_gt, world, offsets)
        shapes = simplify_shapes(shapes, kind, tolerance, coverage)
        return pack_shapes(shapes, kind == "polygon")
    return pack_ragged(world, offsets, n, kind == "polygon")


def simplify_shapes(geoms: np.ndarray, kind: str, tolerance: float, coverage: bool) -> np.ndarray:
    """Shapes simplified to `tolerance` (world pixels); a coverage keeps its shared borders."""
    import shapely

    if tolerance <= 0 or not len(geoms):
        return geoms
    if kind == "line":
        return shapely.simplify(geoms, tolerance, preserve_topology=False)
    if coverage:
        try:
            # Visvalingam areas: a tolerance t drops bumps of about t x t
            return shapely.coverage_simplify(geoms, tolerance)
        except shapely.errors.GEOSException:
            pass  # not a clean coverage: simplify each polygon on its own
    return shapely.simplify(geoms, tolerance, preserve_topology=True)
