"""A point layer read as coordinates only, for analyses that use no attribute.

`read_point_coordinates(path, sublayer)` reads the x and y of a GeoPackage point layer through Arrow without its attributes and without building a shapely point per
feature (1M points: ~0.2 s instead of ~1.4 s with attributes, repairs and role detection;
docs/performance.md). It keeps exactly the points the full reader (layers/readers.py) keeps:
empty and NaN points are dropped as its repairs drop them. Whenever the file could need
anything more (no CRS, lon/lat that looks swapped or off the globe, null or non-point or 3-D
shapes, several layers, another format) it returns None and the caller reads the whole layer,
so every message and repair stays the full reader's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pyproj import CRS, Transformer

from layers.crs import WGS84

# Lon/lat margin around a transformed box's densified edges (its curved sides bulge a little
# between the sampled points): a wider box only makes a quick decision less likely.
OUTER_MARGIN_DEG = 0.01
# The formats read this way. Not FlatGeobuf: GDAL 3.12's Arrow read of an FGB holding an empty
# point aborts the process now and then (std::length_error), with or without attributes.
FAST_FORMATS = ("GeoPackage",)
# A 2-D WKB point: 21 packed bytes (1 little-endian, 1 Point).
_WKB_POINT = np.dtype([("order", "u1"), ("kind", "<u4"), ("x", "<f8"), ("y", "<f8")])


@dataclass(frozen=True, eq=False)
class PointCoordinates:
    """x and y of every usable point of a layer, in the file's CRS, in file order."""

    name: str
    x: np.ndarray
    y: np.ndarray
    crs: CRS
    path: str = ""
    sublayer: str | None = None
    dropped: int = 0  # empty or NaN points left out (the full reader drops them too)

    def __len__(self) -> int:
        return len(self.x)

    def in_crs(self, crs: CRS) -> tuple[np.ndarray, np.ndarray]:
        """x and y in `crs`: the numbers GeoDataFrame.to_crs gives (same pyproj call)."""
        if self.crs.equals(crs):
            return self.x, self.y
        to = Transformer.from_crs(self.crs, crs, always_xy=True)
        x, y = to.transform(self.x, self.y)
        return np.asarray(x, dtype=float), np.asarray(y, dtype=float)

    def lonlat_bounds(self) -> tuple[float, float, float, float]:
        """Bounds in lon/lat, as layers.crs.lonlat_bounds gives them for the read layer."""
        x, y = self.in_crs(WGS84)
        return (float(np.nanmin(x)), float(np.nanmin(y)), float(np.nanmax(x)), float(np.nanmax(y)))

    def lonlat_bounds_between(self) -> tuple[tuple[float, ...], tuple[float, ...]]:
        """Two lon/lat boxes, inner ⊆ lonlat_bounds() ⊆ outer, without transforming every
        point (1M points: ~0.2 s less): inner from the points at the extremes of x and y,
        outer from the edges of their box, densified, plus a margin of OUTER_MARGIN_DEG."""
        if self.crs.equals(WGS84):
            exact = self.lonlat_bounds()
            return exact, exact
        extremes = np.array(
            [np.argmin(self.x), np.argmax(self.x), np.argmin(self.y), np.argmax(self.y)]
        )
        to = Transformer.from_crs(self.crs, WGS84, always_xy=True)
        lon, lat = to.transform(self.x[extremes], self.y[extremes])
        inner = (float(np.min(lon)), float(np.min(lat)), float(np.max(lon)), float(np.max(lat)))
        box = to.transform_bounds(
            float(self.x.min()),
            float(self.y.min()),
            float(self.x.max()),
            float(self.y.max()),
            densify_pts=101,
        )
        m = OUTER_MARGIN_DEG
        outer = (box[0] - m, box[1] - m, box[2] + m, box[3] + m)
        return inner, outer


def read_point_coordinates(
    path: str | Path, sublayer: str | None = None
) -> PointCoordinates | None:
    """The layer's points as coordinates, or None when the full reader must decide."""
    from layers.readers import reader_for

    path = Path(path)
    try:
        if reader_for(path).name not in FAST_FORMATS:
            return None
        return _read(path, sublayer)
    except Exception:  # noqa: BLE001 - any doubt: the full read decides and reports
        return None


def _read(path: Path, sublayer: str | None) -> PointCoordinates | None:
    import pyogrio

    from layers.vector_io import _lift_geojson_limit, pick, vector_layer_names

    _lift_geojson_limit()
    names = vector_layer_names(str(path))
    if sublayer is None and len(names) != 1:
        return None  # several layers: the full reader names them
    name = pick(path, names, sublayer)[0]
    info = pyogrio.read_info(str(path), layer=name)
    if info.get("geometry_type") != "Point" or not info.get("crs"):
        return None
    meta, table = pyogrio.read_arrow(str(path), layer=name, columns=[])
    if table.num_columns != 1 or table.num_rows == 0:
        return None
    xy = _xy_from_wkb(table.column(0).combine_chunks())
    if xy is None:
        return None
    x, y = xy
    crs = CRS.from_user_input(meta["crs"])
    usable = np.isfinite(x) & np.isfinite(y)  # POINT EMPTY is NaN NaN in WKB
    if not usable.any():
        return None
    if not usable.all():
        x, y = x[usable], y[usable]
    if crs.is_geographic and not _plain_lonlat(x, y):
        return None
    single = sublayer is None and name.lower() == path.stem.lower()
    return PointCoordinates(
        path.stem if single else name,
        x,
        y,
        crs,
        str(path),
        None if single else name,
        int((~usable).sum()),
    )


def _xy_from_wkb(column) -> tuple[np.ndarray, np.ndarray] | None:
    """x and y of an Arrow column of little-endian 2-D WKB points, else None."""
    import pyarrow as pa

    wide = pa.types.is_large_binary(column.type)
    if column.null_count or not (wide or pa.types.is_binary(column.type)):
        return None
    offsets = np.frombuffer(column.buffers()[1], dtype=np.int64 if wide else np.int32)
    offsets = offsets[column.offset : column.offset + len(column) + 1]
    if not (np.diff(offsets) == 21).all():
        return None
    raw = np.frombuffer(column.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    records = raw.view(_WKB_POINT)  # byte order, type, x, y: fields read in place
    if not ((records["order"] == 1).all() and (records["kind"] == 1).all()):
        return None
    return records["x"].astype(float), records["y"].astype(float)


def _plain_lonlat(x: np.ndarray, y: np.ndarray) -> bool:
    """Every point on the globe and nothing the full reader would swap back (layers/repair.py)."""
    if np.abs(x).max() > 180 or np.abs(y).max() > 90:
        return False  # out of range: the full reader drops and reports them
    return True  # |y| <= 90 everywhere: its swapped-columns test cannot fire
