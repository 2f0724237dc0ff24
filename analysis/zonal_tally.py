"""The pixel tally under zones, one strip of raster rows at a time: the accumulator (zone ×
value histograms or sums, counts and classes), reading a strip, and tallying it by pixel-centre
labels, with the pixels on a zone's edge weighted by their coverage (exactextract).

analysis/zonal.py drives the strips on this machine, analysis/zonal_cluster.py on a cluster;
both tally with these functions, so a strip counts the same wherever it runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from affine import Affine

from analysis.inputs import InputError
from analysis.zonal_exact import STAND_IN_WKT, WkbFeatures
from layers.i18n import tr
from layers.raster import RasterLayer

# Tiles (pixels a side) that zones are cut into before exactextract weighs boundary pixels.
EDGE_TILE = 64
# Distinct values `classes` accepts (one column pair each).
MAX_CLASSES = 1000


@dataclass
class ZonalTotals:
    """Per zone (in input order): weighted pixel counts, sums of stored values, classes."""

    count: np.ndarray
    sum: np.ndarray
    class_values: np.ndarray  # the raster values seen (classes only; else empty)
    class_counts: np.ndarray  # zones × class_values weighted pixel counts
    pixels_read: int
    nodata: np.ndarray | None = None  # nodata pixels per zone (weighted under `coverage`)
    fallback_zones: int = 0  # centre rule: zones measured by coverage (< 2 centres)


class Accumulator:
    """Histograms of zone × value (1-byte rasters) or sums, counts and class tallies."""

    def __init__(self, n: int, small_ints: bool, classes: bool, signed: bool = False) -> None:
        self.n, self.small_ints, self.classes, self.signed = n, small_ints, classes, signed
        self.hist = np.zeros((n + 1) * 256, dtype=np.float64) if small_ints else None
        self.count = np.zeros(n + 1)
        self.sum = np.zeros(n + 1)
        self.nodata = np.zeros(n + 1)
        self.class_index: dict[float, int] = {}
        self.class_parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.pixels_read = 0

    def add(self, zone: np.ndarray, values: np.ndarray, weight: np.ndarray | None) -> None:
        """Pixels of `values` in zones `zone` (1-based; 0 = none), weighted or counting 1."""
        if self.small_ints:
            # zone * 256 + value in place: one 8-byte array per strip, no temporaries.
            key = zone.astype(np.intp)
            key <<= 8
            key |= values.view(np.uint8) if values.dtype == np.int8 else values
            self.hist += np.bincount(key, weights=weight, minlength=len(self.hist))
            return
        values = values.astype(np.float64)
        self.count += np.bincount(zone, weights=weight, minlength=self.n + 1)
        w = values if weight is None else values * weight
        self.sum += np.bincount(zone, weights=w, minlength=self.n + 1)
        if self.classes:
            kinds, inverse = np.unique(values, return_inverse=True)
            codes = self.class_codes(kinds)[inverse]
            ones = np.ones(len(zone)) if weight is None else weight
            self.class_parts.append((zone, codes, ones))

    def class_codes(self, kinds: np.ndarray) -> np.ndarray:
        """Each distinct value's column in the class table (new values get the next one); a
        raster with too many distinct values is no raster of classes."""
        codes = np.array(
            [self.class_index.setdefault(float(v), len(self.class_index)) for v in kinds],
            dtype=np.int64,
        )
        if len(self.class_index) > MAX_CLASSES:
            raise InputError(
                tr(
                    "--stats classes needs a raster of classes: this one has over {m} "
                    "distinct values. Use sum,mean,count."
                ).format(m=MAX_CLASSES)
            )
        return codes

    def add_nodata(self, zone: np.ndarray, weight: np.ndarray | None = None) -> None:
        self.nodata += np.bincount(zone, weights=weight, minlength=self.n + 1)

    def totals(self) -> ZonalTotals:
        if self.small_ints:
            hist = self.hist.reshape(self.n + 1, 256)[1:]
            codes = np.arange(256)
            # An int8 raster's codes 128..255 are its negative values (read as & 0xFF).
            value_of = codes.astype(np.int8) if self.signed else codes
            seen = np.flatnonzero(hist.sum(axis=0) > 0)
            seen = seen[np.argsort(value_of[seen], kind="stable")]
            return ZonalTotals(
                count=hist.sum(axis=1),
                sum=hist @ value_of.astype(np.float64),
                class_values=value_of[seen].astype(np.float64) if self.classes else np.empty(0),
                class_counts=hist[:, seen] if self.classes else np.empty((self.n, 0)),
                pixels_read=self.pixels_read,
                nodata=self.nodata[1:],
            )
        values = np.array(sorted(self.class_index), dtype=np.float64)
        table = np.zeros((self.n + 1, len(self.class_index)))
        for zone, codes, weight in self.class_parts:
            np.add.at(table, (zone, codes), weight)
        order = [self.class_index[v] for v in values]
        return ZonalTotals(
            count=self.count[1:],
            sum=self.sum[1:],
            class_values=values,
            class_counts=table[1:, order] if self.classes else np.empty((self.n, 0)),
            pixels_read=self.pixels_read,
            nodata=self.nodata[1:],
        )


def pixel_extent(info: Any, zones: np.ndarray) -> tuple[int, int, int, int]:
    """(first col, first row, end col, end row) of the pixels the zones' bounds touch, one
    pixel wider on each side, inside the raster; empty (0, 0, 0, 0) without zones."""
    usable = zones[~(shapely.is_missing(zones) | shapely.is_empty(zones))]
    if not len(usable):
        return 0, 0, 0, 0
    x0, y0, x1, y1 = shapely.total_bounds(usable)
    inverse = ~info.transform
    ca, ra = inverse @ (x0, y1)
    cb, rb = inverse @ (x1, y0)
    c0 = min(max(int(np.floor(min(ca, cb))) - 1, 0), info.width)
    r0 = min(max(int(np.floor(min(ra, rb))) - 1, 0), info.height)
    c1 = max(min(int(np.ceil(max(ca, cb))) + 1, info.width), c0)
    r1 = max(min(int(np.ceil(max(ra, rb))) + 1, info.height), r0)
    return c0, r0, c1, r1


def read_strip(
    raster: RasterLayer, src: Any, band: int, row: int, height: int, col: int = 0, width: int = -1
) -> np.ndarray:
    from rasterio.errors import RasterioError
    from rasterio.windows import Window

    width = raster.info.width - col if width < 0 else width
    try:
        return src.read(band, window=Window(col, row, width, height))
    except (RasterioError, OSError) as exc:
        from layers.raster import explain_raster

        raise explain_raster(Path(raster.source.path), exc) from None


def valid_pixels(values: np.ndarray, nodata: float | None) -> np.ndarray | None:
    """Pixels with a value (None: all of them)."""
    mask = None
    if nodata is not None and not np.isnan(nodata):
        mask = values != np.array(nodata).astype(values.dtype)
    if np.issubdtype(values.dtype, np.floating):
        finite = np.isfinite(values)
        mask = finite if mask is None else mask & finite
    return mask


def tally_strip(
    acc: Accumulator,
    zones: np.ndarray,
    group: np.ndarray,
    values: np.ndarray,
    valid: np.ndarray | None,
    transform: Affine,
    rule: str,
) -> None:
    """One strip, one group of non-overlapping zones: centre labels and one bincount; under
    `coverage`, pixels on a zone boundary are taken out and weighted by exactextract."""
    from rasterio.features import rasterize

    height, width = values.shape
    x0, y1 = transform.c, transform.f
    x1, y0 = x0 + width * transform.a, y1 + height * transform.e
    pieces, ids = _clip(zones[group], group, (x0, y0, x1, y1), abs(transform.e))
    if not len(pieces):
        return
    dtype = np.uint16 if len(zones) < 65535 else np.int32
    polygons, rings = _burn_shapes(pieces, ids + 1)
    if not polygons:  # only slivers reduced to lines in this strip
        return
    labels = rasterize(
        polygons,
        out_shape=(height, width),
        transform=transform,
        fill=0,
        all_touched=False,
        dtype=dtype,
    )
    if rule == "coverage":
        edges = rasterize(
            ((ring, 1) for ring, _ in rings),
            out_shape=(height, width),
            transform=transform,
            fill=0,
            all_touched=True,
            dtype=np.uint8,
        ).view(bool)
        labels[edges] = 0  # wholly-inside pixels only (coverage 1)
        _add_edges(acc, pieces, ids, values, valid, edges, transform)
    if valid is not None:  # nodata pixels: counted apart (QGIS's histogram has a column)
        missing = labels[~valid]
        acc.add_nodata(missing[missing > 0])
        labels[~valid] = 0
    inside = labels.ravel()
    flat = values.ravel()
    if acc.small_ints:
        acc.add(inside, flat, None)
    else:
        keep = inside > 0
        acc.add(inside[keep], flat[keep], None)


def _burn_shapes(
    geoms: np.ndarray, values: np.ndarray
) -> tuple[list[tuple[dict, int]], list[tuple[dict, int]]]:
    """(polygon, value) and (boundary ring, value) pairs as GeoJSON-like dicts of lists.

    rasterio turns shapely objects into GDAL geometries through __geo_interface__, a Python
    tuple per vertex (~3x the rasterising itself here); lists cut from one coordinate array
    cost a fraction of that.
    """
    parts, part_of = shapely.get_parts(geoms, return_index=True)
    is_polygon = shapely.get_type_id(parts) == 3  # make_valid/clip may leave lines or points
    parts, part_of = parts[is_polygon], part_of[is_polygon]
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    coords = shapely.get_coordinates(rings)
    sizes = shapely.get_num_coordinates(rings)
    flat = coords.tolist()
    ends = np.cumsum(sizes).tolist()
    starts = [0, *ends[:-1]]
    ring_lists = [flat[a:b] for a, b in zip(starts, ends, strict=True)]
    polygons: list[tuple[dict, int]] = []
    first = np.searchsorted(ring_of, np.arange(len(parts)))
    last = np.append(first[1:], len(rings))
    for p, (a, b) in enumerate(zip(first.tolist(), last.tolist(), strict=True)):
        value = int(values[part_of[p]])
        polygons.append(({"type": "Polygon", "coordinates": ring_lists[a:b]}, value))
    lines = [
        ({"type": "LineString", "coordinates": ring}, int(values[part_of[ring_of[r]]]))
        for r, ring in enumerate(ring_lists)
    ]
    return polygons, lines


def _clip(
    geoms: np.ndarray, ids: np.ndarray, box: tuple[float, float, float, float], margin: float
) -> tuple[np.ndarray, np.ndarray]:
    """The zones' parts inside a strip (less to rasterise than whole polygons)."""
    bounds = shapely.bounds(geoms)
    x0, y0, x1, y1 = box
    hit = (bounds[:, 0] < x1) & (bounds[:, 2] > x0) & (bounds[:, 1] < y1) & (bounds[:, 3] > y0)
    inside = hit & (bounds[:, 1] >= y0) & (bounds[:, 3] <= y1)
    geoms, ids, inside = geoms[hit], ids[hit], inside[hit]
    parts = geoms.copy()
    if (~inside).any():
        # Clipped a pixel beyond the strip: the cut is no zone boundary inside the strip.
        parts[~inside] = shapely.clip_by_rect(
            geoms[~inside], x0 - margin, y0 - margin, x1 + margin, y1 + margin
        )
    keep = ~shapely.is_empty(parts)
    return parts[keep], ids[keep]


def _add_edges(
    acc: Accumulator,
    pieces: np.ndarray,
    ids: np.ndarray,
    values: np.ndarray,
    valid: np.ndarray | None,
    edges: np.ndarray,
    transform: Affine,
) -> None:
    """Boundary pixels weighted by the fraction of their area in each zone (exactextract)."""
    from exactextract import exact_extract
    from exactextract.raster import NumPyRasterSource

    height, width = values.shape
    # Only boundary pixels keep a value: exactextract then reports just those cells.
    # Boundary pixels without data keep a code of their own, outside the data's range.
    if np.issubdtype(values.dtype, np.floating):
        masked = np.where(edges, values.astype(np.float64), np.nan)
        nodata, missing_code = np.nan, np.inf  # valid_pixels() counts no infinite value as data
    else:
        # A sentinel outside the data's range: one more byte per pixel than the values.
        wide = np.int16 if values.dtype.itemsize == 1 else np.int64
        nodata = np.iinfo(wide).min
        missing_code = nodata + 1
        masked = np.full(values.shape, nodata, dtype=wide)
        masked[edges] = values[edges]
    if valid is not None:
        masked[edges & ~valid] = missing_code
    x0, y1 = transform.c, transform.f
    source = NumPyRasterSource(
        masked,
        x0,
        y1 + height * transform.e,
        x0 + width * transform.a,
        y1,
        nodata=nodata,
        srs_wkt=STAND_IN_WKT,
    )
    pieces, ids = _edge_pieces(pieces, ids, edges, transform)
    if not len(pieces):
        return
    out = exact_extract(
        source,
        WkbFeatures(pieces, ids + 1),
        ["coverage", "values"],
        output="pandas",
        include_cols=["zid"],
    )
    sizes = out["coverage"].map(len).to_numpy()
    if sizes.sum() == 0:
        return
    zone = np.repeat(out["zid"].to_numpy(), sizes)
    weight = np.concatenate(out["coverage"].to_list()).astype(np.float64)
    cells = np.concatenate(out["values"].to_list())
    missing = cells == missing_code
    if missing.any():
        acc.add_nodata(zone[missing], weight[missing])
        zone, weight, cells = zone[~missing], weight[~missing], cells[~missing]
    acc.add(zone, cells.astype(values.dtype), weight)


def _edge_pieces(
    pieces: np.ndarray, ids: np.ndarray, edges: np.ndarray, transform: Affine
) -> tuple[np.ndarray, np.ndarray]:
    """Each zone cut into the tiles of EDGE_TILE pixels that hold boundary pixels of any zone.

    exactextract visits every cell of a polygon's bounding box; a municipality's box is
    mostly interior, already counted. Cut at whole pixels, a piece's coverage of a cell is
    the zone's, so only boundary cells (the others carry nodata) are ever weighed."""
    height, width = edges.shape
    t = EDGE_TILE
    ty, tx = -(-height // t), -(-width // t)
    padded = np.zeros((ty * t, tx * t), dtype=bool)
    padded[:height, :width] = edges
    busy = padded.reshape(ty, t, tx, t).any(axis=(1, 3))
    rows, cols = np.nonzero(busy)
    if not len(rows):
        return pieces[:0], ids[:0]
    px, py = transform.a, transform.e
    x0 = transform.c + cols * t * px
    x1 = transform.c + np.minimum((cols + 1) * t, width) * px
    y1 = transform.f + rows * t * py
    y0 = transform.f + np.minimum((rows + 1) * t, height) * py
    tiles = shapely.box(x0, y0, x1, y1)
    tree = shapely.STRtree(tiles)
    zone_i, tile_i = tree.query(pieces, predicate="intersects")
    cut = shapely.clip_by_rect  # vectorised only over geometries: loop over the pairs' tiles
    out = np.empty(len(zone_i), dtype=object)
    for k in np.unique(tile_i):
        sel = tile_i == k
        out[sel] = cut(pieces[zone_i[sel]], x0[k], y0[k], x1[k], y1[k])
    keep = ~shapely.is_empty(out)
    return out[keep], ids[zone_i[keep]]


def non_overlapping_groups(zones: np.ndarray) -> list[np.ndarray]:
    """Zones split into groups whose members never overlap (one label raster per group).

    A partition (municipalities) is one group, checked with GEOS's coverage test; otherwise
    zones are coloured greedily so that no two intersecting zones share a group.
    """
    idx = np.arange(len(zones))
    usable = ~(shapely.is_missing(zones) | shapely.is_empty(zones))
    idx = idx[usable]
    if len(idx) == 0:
        return []
    if shapely.coverage_is_valid(zones[idx]):
        return [idx]
    left, right = shapely.STRtree(zones[idx]).query(zones[idx], predicate="intersects")
    neighbours: dict[int, set[int]] = {}
    for a, b in zip(left, right, strict=True):
        if a != b:
            neighbours.setdefault(int(a), set()).add(int(b))
    colour = np.full(len(idx), -1)
    for i in range(len(idx)):
        taken = {colour[j] for j in neighbours.get(i, ())}
        c = 0
        while c in taken:
            c += 1
        colour[i] = c
    return [idx[colour == c] for c in range(colour.max() + 1)]
