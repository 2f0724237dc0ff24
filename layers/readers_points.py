"""A point layer read as coordinates only, for analyses that use no attribute.

`read_point_coordinates(path, sublayer)` reads the x and y of a GeoPackage point layer without
its attributes and without building a shapely point per feature (1M points: ~0.2 s instead of
~1.4 s with attributes, repairs and role detection; docs/performance.md). It asks SQLite for the
geometry blobs first (no GDAL, pyogrio or GeoPandas to import: ~0.5 s of start-up saved) and
takes the fixed 29-byte GeoPackage points apart with numpy; anything else there (envelopes,
big-endian, 3-D, other shapes, unusual tables or CRS) goes through GDAL's Arrow read. It keeps exactly the points the full reader (layers/readers.py) keeps:
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
_SQLITE_HEAD = b"SQLite format 3\x00"  # layers/formats.py: such a file is read as a GeoPackage
# A GeoPackage 2-D point without envelope: "GP", version 0, flags, srs_id, then its WKB point.
_GPKG_POINT = np.dtype(
    [
        ("magic", "S2"),
        ("version", "u1"),
        ("flags", "u1"),
        ("srs_id", "<i4"),
        ("order", "u1"),
        ("kind", "<u4"),
        ("x", "<f8"),
        ("y", "<f8"),
    ]
)
# Header flags: bit 0 little-endian, bits 1-3 envelope (0: none), bit 4 empty, bit 5 extended.
_FLAGS_POINT, _FLAGS_EMPTY = 0x01, 0x11
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
    path = Path(path)
    try:
        with path.open("rb") as f:
            if f.read(16) == _SQLITE_HEAD:
                found = _read_gpkg_sqlite(path, sublayer)
                if found is not None:
                    return found
    except Exception:  # noqa: BLE001 - anything unexpected: GDAL's read below decides
        pass
    from layers.readers import reader_for

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
    return _coordinates(path, sublayer, name, xy[0], xy[1], CRS.from_user_input(meta["crs"]))


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


def _read_gpkg_sqlite(path: Path, sublayer: str | None) -> PointCoordinates | None:
    """The points of a GeoPackage layer straight from SQLite, or None for anything unusual."""
    import sqlite3

    uri = path.resolve().as_uri() + "?mode=ro"  # read-only: never a journal or a lock left
    with sqlite3.connect(uri, uri=True) as db:
        db.text_factory = bytes  # group_concat of blobs comes back as text: keep its bytes
        tables = db.execute(
            "SELECT c.table_name, g.column_name, g.geometry_type_name, g.srs_id, g.z, g.m"
            " FROM gpkg_contents c JOIN gpkg_geometry_columns g ON c.table_name = g.table_name"
            " WHERE c.data_type = 'features'"
        ).fetchall()
        layers = {bytes(t[0]).decode(): t for t in tables}
        if sublayer is None:
            if len(layers) != 1:
                return None  # several layers: the full reader names them
            name = next(iter(layers))
        elif sublayer in layers:
            name = sublayer
        else:
            lowered = {n.lower(): n for n in layers}
            if sublayer.lower() not in lowered:
                return None  # the full reader says which layers there are
            name = lowered[sublayer.lower()]
        _, column, kind, srs_id, z, m = layers[name]
        if bytes(kind).upper() != b"POINT" or z != 0 or m != 0:
            return None
        crs = _gpkg_crs(db, srs_id)
        if crs is None:
            return None
        table = '"' + name.replace('"', '""') + '"'
        geom = '"' + bytes(column).decode().replace('"', '""') + '"'
        blobs, rows, shapes = db.execute(
            f"SELECT group_concat({geom}, ''), count(*), count({geom}) FROM {table}"
        ).fetchone()
    xy = _xy_from_gpkg_blobs(blobs, rows, shapes, srs_id)
    if xy is None:
        return None
    return _coordinates(path, sublayer, name, xy[0], xy[1], crs)


def _gpkg_crs(db, srs_id: int) -> CRS | None:
    """The layer's CRS as GDAL gives it (its EPSG code), or None when that is less than sure."""
    row = db.execute(
        "SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys"
        " WHERE srs_id = ?",
        (srs_id,),
    ).fetchone()
    if row is None or srs_id <= 0 or bytes(row[0]).upper() != b"EPSG":
        return None  # no CRS, or a custom one: the full reader's messages and reading
    crs = CRS.from_epsg(int(row[1]))
    if not crs.equals(CRS.from_wkt(bytes(row[2]).decode())):
        return None  # code and definition disagree: GDAL decides
    return crs


def _xy_from_gpkg_blobs(
    blobs: bytes | None, rows: int, shapes: int, srs_id: int
) -> tuple[np.ndarray, np.ndarray] | None:
    """x and y of `rows` concatenated GeoPackage 2-D points without envelope, else None.

    Each such blob is exactly 29 bytes, so `rows` of them joined are 29 * rows bytes; each is
    checked where it should start (magic, flags, srs_id, WKB order and type). A record whose
    header says "2-D point, no envelope" cannot be longer or shorter unless the file is damaged,
    so a first blob of another length would shift every later record out of its checks.
    """
    if rows == 0 or shapes != rows or blobs is None:
        return None  # empty layer or null shapes: the full reader reports them
    if len(blobs) != rows * _GPKG_POINT.itemsize:
        return None  # envelopes, other shapes: not this layout
    records = np.frombuffer(blobs, dtype=_GPKG_POINT)
    flags = records["flags"]
    empty = flags == _FLAGS_EMPTY
    if not (
        (records["magic"] == b"GP").all()
        and (records["version"] == 0).all()
        and ((flags == _FLAGS_POINT) | empty).all()
        and (records["srs_id"] == srs_id).all()
        and (records["order"] == 1).all()
        and (records["kind"] == 1).all()
    ):
        return None
    x, y = records["x"].copy(), records["y"].copy()
    if empty.any():
        if np.isfinite(x[empty]).any() or np.isfinite(y[empty]).any():
            return None  # an "empty" point with coordinates: GDAL decides
    return x, y


def _coordinates(
    path: Path, sublayer: str | None, name: str, x: np.ndarray, y: np.ndarray, crs: CRS
) -> PointCoordinates | None:
    """The usable points (empty and NaN ones dropped, as the full reader drops them)."""
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


def _plain_lonlat(x: np.ndarray, y: np.ndarray) -> bool:
    """Every point on the globe and nothing the full reader would swap back (layers/repair.py)."""
    if np.abs(x).max() > 180 or np.abs(y).max() > 90:
        return False  # out of range: the full reader drops and reports them
    return True  # |y| <= 90 everywhere: its swapped-columns test cannot fire
