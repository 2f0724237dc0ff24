"""Offline basemaps: MBTiles, GeoPackage tiles and XYZ tile folders the user prepared.

A basemap is a picture, not data: it is drawn under the other layers (a RasterLayer of kind
"rgb" whose `read_window` mosaics the tiles covering the asked window at the zoom fitting
the output's pixel size; never all tiles) and credited in printed maps from its attribution.
Tile grids are read generically (origin, tile span, matrix size per zoom level), so a
GeoPackage in any CRS works on paper; the web map embeds only Web Mercator grids
(cartography/webmap_basemap.py). See docs/cartography.md, "Basemaps".
"""

from __future__ import annotations

import io
import json
import math
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from affine import Affine
from pyproj import CRS

from layers.errors import LayerLoadError
from layers.i18n import tr
from layers.raster import RasterInfo, RasterLayer, RasterSource
from layers.raster_style import RasterStyle
from layers.report import LoadReport

WEB_MERCATOR = CRS.from_epsg(3857)
HALF_WORLD = 20037508.342789244  # Web Mercator's half width in metres
BASEMAP_SUFFIXES = (".mbtiles", ".gpkg")
TILE_FORMATS = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp"}
# Tiles decoded for one view at most (a 1600x1000 view at the right zoom needs ~40): more means
# the source has no zoom level coarse enough, and decoding them would freeze the canvas.
MAX_VIEW_TILES = 400
# Decoded tiles kept per source (256 KB each): a pan re-reads mostly the same tiles, and
# decoding was most of a pan's basemap time. 96 cover a 1600x1000 view twice over.
CACHED_TILES = 96


@dataclass(frozen=True)
class TileLevel:
    """One zoom level's grid: origin is the top-left corner, tiles counted right and down."""

    zoom: int
    origin_x: float
    origin_y: float
    span_x: float  # one tile's width in CRS units
    span_y: float
    cols: int
    rows: int
    tile_px: int = 256

    @property
    def pixel_size(self) -> float:
        return self.span_x / self.tile_px

    def tile_range(self, bounds: tuple[float, float, float, float]) -> tuple[int, int, int, int]:
        """(col0, row0, col1, row1) inclusive of the tiles meeting `bounds`; empty when col1 < col0."""
        x0, y0, x1, y1 = bounds
        eps = 1e-9 * self.span_x
        c0 = max(0, math.floor((x0 - self.origin_x) / self.span_x))
        c1 = min(self.cols - 1, math.floor((x1 - self.origin_x - eps) / self.span_x))
        r0 = max(0, math.floor((self.origin_y - y1) / self.span_y))
        r1 = min(self.rows - 1, math.floor((self.origin_y - y0 - eps) / self.span_y))
        return c0, r0, c1, r1

    def tile_bounds(self, c0: int, r0: int, c1: int, r1: int) -> tuple[float, float, float, float]:
        return (
            self.origin_x + c0 * self.span_x,
            self.origin_y - (r1 + 1) * self.span_y,
            self.origin_x + (c1 + 1) * self.span_x,
            self.origin_y - r0 * self.span_y,
        )


def web_mercator_level(zoom: int, tile_px: int = 256) -> TileLevel:
    n = 2**zoom
    span = 2 * HALF_WORLD / n
    return TileLevel(zoom, -HALF_WORLD, HALF_WORLD, span, span, n, n, tile_px)


@dataclass
class Mosaic:
    """Tiles joined into one RGBA image; `bounds` (CRS units) are its outer edges."""

    rgba: np.ndarray  # (rows, cols, 4) uint8, alpha 0 where no tile
    bounds: tuple[float, float, float, float]
    zoom: int
    tiles: int  # tiles found and decoded
    bad_tiles: int = 0


class TileSource:
    """A basemap file or folder: its grid per zoom, attribution, and tiles by (zoom, col, row),
    rows counted from the top (XYZ order) whatever the file stores."""

    kind = ""
    path: Path
    name: str
    attribution: str
    crs: CRS
    tile_format: str
    levels: dict[int, TileLevel]
    bounds: tuple[float, float, float, float]  # data extent in `crs`

    def tiles(
        self, zoom: int, c0: int, r0: int, c1: int, r1: int
    ) -> Iterator[tuple[int, int, bytes]]:
        """(col, row, encoded image) of each stored tile in the range."""
        raise NotImplementedError

    def tile_sizes(
        self, zoom: int, c0: int, r0: int, c1: int, r1: int
    ) -> Iterator[tuple[int, int, int]]:
        """(col, row, bytes) of each stored tile in the range, without reading the images."""
        for c, r, data in self.tiles(zoom, c0, r0, c1, r1):
            yield c, r, len(data)

    @property
    def web_mercator(self) -> bool:
        """The grid is the web map's (Web Mercator, 2^z tiles a side from the world's corner)."""
        if not self.crs.equals(WEB_MERCATOR):
            return False
        for z, level in self.levels.items():
            std = web_mercator_level(z)
            if level.cols != std.cols or abs(level.span_x - std.span_x) > 1e-3 * std.span_x:
                return False
            if abs(level.origin_x - std.origin_x) > 1.0 or abs(level.origin_y - std.origin_y) > 1.0:
                return False
        return True

    def level_for(self, pixel_size: float) -> TileLevel:
        """The coarsest level at least as fine as `pixel_size`, else the finest there is."""
        ordered = sorted(self.levels.values(), key=lambda lv: lv.zoom)
        for level in ordered:
            if level.pixel_size <= pixel_size * 1.0001:
                return level
        return ordered[-1]

    def mosaic(self, bounds: tuple[float, float, float, float], pixel_size: float) -> Mosaic:
        """The tiles covering `bounds` (source CRS) at the zoom fitting `pixel_size`, joined."""
        level = self.level_for(pixel_size)
        c0, r0, c1, r1 = level.tile_range(bounds)
        if c1 < c0 or r1 < r0:
            return Mosaic(np.zeros((1, 1, 4), np.uint8), tuple(bounds), level.zoom, 0)  # type: ignore[arg-type]
        count = (c1 - c0 + 1) * (r1 - r0 + 1)
        if count > MAX_VIEW_TILES:
            raise LayerLoadError(
                self.path,
                tr("has no zoom level coarse enough for this view ({n} tiles).").format(n=count),
                tr("Zoom in, or add a basemap with lower zoom levels."),
            )
        px = level.tile_px
        rgba = np.zeros(((r1 - r0 + 1) * px, (c1 - c0 + 1) * px, 4), dtype=np.uint8)
        found = bad = 0
        for c, r, data in self.tiles(level.zoom, c0, r0, c1, r1):
            image = self._decoded(level.zoom, c, r, data, px)
            if image is None:
                bad += 1  # one broken tile leaves a hole, not a dead basemap
                continue
            y, x = (r - r0) * px, (c - c0) * px
            rgba[y : y + px, x : x + px] = image
            found += 1
        return Mosaic(rgba, level.tile_bounds(c0, r0, c1, r1), level.zoom, found, bad)

    def _decoded(self, zoom: int, c: int, r: int, data: bytes, px: int) -> np.ndarray | None:
        """The tile's pixels, decoded once while recently used (views come from two threads)."""
        if "_cache" not in self.__dict__:
            self._cache: OrderedDict[tuple, np.ndarray | None] = OrderedDict()
            self._cache_lock = threading.Lock()
        key = (zoom, c, r, len(data), px)
        with self._cache_lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        image = decode_tile(data, px)
        with self._cache_lock:
            self._cache[key] = image
            while len(self._cache) > CACHED_TILES:
                self._cache.popitem(last=False)
        return image


def decode_tile(data: bytes, px: int) -> np.ndarray | None:
    """A tile's PNG/JPEG/WebP bytes as (px, px, 4) uint8 RGBA; None when undecodable."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image = image.convert("RGBA")
            if image.size != (px, px):
                image = image.resize((px, px))
            return np.asarray(image, dtype=np.uint8)
    except (UnidentifiedImageError, OSError, ValueError):
        return None


# --- SQLite sources: MBTiles and GeoPackage ------------------------------------------------
def _connect(path: Path) -> sqlite3.Connection:
    """Read-only, by URI (a path with spaces, %, # or ? opens as the file it names)."""
    con = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    con.execute("SELECT name FROM sqlite_master LIMIT 1")  # "file is not a database" here
    return con


def _not_sqlite(path: Path, what: str) -> LayerLoadError:
    return LayerLoadError(
        path,
        tr("is not a readable {what} file (corrupt or not SQLite).").format(what=what),
        tr("Export the tiles again, or add another basemap."),
    )


class _SQLiteTiles(TileSource):
    """A tile source in an SQLite file: one read-only connection per thread (the canvas
    draws on a worker thread, and sqlite3 connections stay on the thread that made them)."""

    def _open(self, path: Path) -> sqlite3.Connection:
        self.path = path
        self._local = threading.local()
        return self._con

    @property
    def _con(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = self._local.con = _connect(self.path)
        return con

    # The table of tiles, and whether it stores rows bottom up (TMS) rather than as XYZ.
    _table = "tiles"
    _flip = False

    def _rows(self, zoom: int, r0: int, r1: int) -> tuple[int, int]:
        return ((2**zoom - 1 - r1), (2**zoom - 1 - r0)) if self._flip else (r0, r1)

    def _row(self, zoom: int, stored: int) -> int:
        return 2**zoom - 1 - stored if self._flip else stored

    def _stored(
        self, zoom: int, c0: int, r0: int, c1: int, r1: int, column: str
    ) -> Iterator[tuple[int, int, Any]]:
        """(col, XYZ row, `column`) of each stored tile in the range."""
        s0, s1 = self._rows(zoom, r0, r1)
        rows = self._con.execute(
            f'SELECT tile_column, tile_row, {column} FROM "{self._table}" WHERE zoom_level=? '
            "AND tile_column BETWEEN ? AND ? AND tile_row BETWEEN ? AND ?",
            (zoom, c0, c1, s0, s1),
        )
        for c, r, value in rows:
            yield int(c), self._row(zoom, int(r)), value

    def tiles(self, zoom, c0, r0, c1, r1):
        for c, r, data in self._stored(zoom, c0, r0, c1, r1, "tile_data"):
            yield c, r, bytes(data)

    def tile_sizes(self, zoom, c0, r0, c1, r1):
        # length() in SQLite: the sizes without reading the images.
        for c, r, n in self._stored(zoom, c0, r0, c1, r1, "length(tile_data)"):
            yield c, r, int(n)


class MBTilesSource(_SQLiteTiles):
    """An .mbtiles file: `metadata` (name, attribution, format, bounds, min/maxzoom, scheme)
    and `tiles` (zoom_level, tile_column, tile_row, tile_data); rows are TMS (bottom up)
    unless the metadata says scheme=xyz."""

    kind = "mbtiles"

    def __init__(self, path: Path) -> None:
        try:
            self._open(path)
            tables = {r[0] for r in self._con.execute("SELECT name FROM sqlite_master")}
            if "tiles" not in tables:
                raise LayerLoadError(
                    path,
                    tr("has no tiles table: it is not an MBTiles tile set."),
                    tr("Export the basemap as MBTiles again (e.g. gdal_translate -of MBTILES)."),
                )
            meta = {}
            if "metadata" in tables:
                meta = {
                    str(k): str(v) for k, v in self._con.execute("SELECT name, value FROM metadata")
                }
            zooms = [int(r[0]) for r in self._con.execute("SELECT DISTINCT zoom_level FROM tiles")]
        except sqlite3.DatabaseError:
            raise _not_sqlite(path, "MBTiles") from None
        scheme = meta.get("scheme", "tms").strip().lower() or "tms"
        if scheme not in ("tms", "xyz"):
            raise LayerLoadError(
                path,
                tr("uses the tile scheme {s!r}; only tms and xyz are read.").format(s=scheme),
                tr("Export the basemap again with the standard MBTiles (tms) scheme."),
            )
        self._flip = scheme == "tms"
        if not zooms:
            raise LayerLoadError(path, tr("holds no tiles."), tr("Export the basemap again."))
        lo, hi = _meta_int(meta, "minzoom", min(zooms)), _meta_int(meta, "maxzoom", max(zooms))
        self.levels = {z: web_mercator_level(z) for z in sorted(zooms) if lo <= z <= hi}
        if not self.levels:
            raise LayerLoadError(
                path,
                tr("has no tiles between its minzoom {a} and maxzoom {b}.").format(a=lo, b=hi),
                tr("Fix minzoom/maxzoom in its metadata table or export it again."),
            )
        self.name = meta.get("name") or path.stem
        self.attribution = meta.get("attribution", "")
        self.tile_format = (meta.get("format") or "png").lower()
        self.crs = WEB_MERCATOR
        self.bounds = self._bounds(meta.get("bounds"))

    def _bounds(self, text: str | None) -> tuple[float, float, float, float]:
        from pyproj import Transformer

        try:
            w, s, e, n = (float(v) for v in (text or "").split(","))
            if not (w < e and s < n):
                raise ValueError
        except ValueError:  # no usable bounds: the stored tiles' extent at the finest level
            z = max(self.levels)
            c0, c1, r0, r1 = self._con.execute(
                "SELECT MIN(tile_column), MAX(tile_column), MIN(tile_row), MAX(tile_row) "
                "FROM tiles WHERE zoom_level=?",
                (z,),
            ).fetchone()
            if self._flip:
                r0, r1 = (2**z - 1 - r1), (2**z - 1 - r0)
            return self.levels[z].tile_bounds(c0, r0, c1, r1)
        to_merc = Transformer.from_crs(4326, 3857, always_xy=True)
        s, n = max(s, -85.05), min(n, 85.05)
        x0, y0 = to_merc.transform(w, s)
        x1, y1 = to_merc.transform(e, n)
        return x0, y0, x1, y1


def _meta_int(meta: dict, key: str, default: int) -> int:
    try:
        return int(float(meta[key]))
    except (KeyError, ValueError):
        return default


class GeoPackageTiles(_SQLiteTiles):
    """The first tile table of a GeoPackage (gpkg_contents data_type 'tiles'), its grid from
    gpkg_tile_matrix_set and gpkg_tile_matrix; rows counted from the top, as XYZ."""

    kind = "gpkg"

    def __init__(self, path: Path) -> None:
        try:
            con = self._open(path)
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
            need = {"gpkg_contents", "gpkg_tile_matrix_set", "gpkg_tile_matrix"}
            found = []
            if need <= tables:
                found = con.execute(
                    "SELECT table_name, identifier FROM gpkg_contents WHERE data_type='tiles' "
                    "ORDER BY table_name"
                ).fetchall()
            if not found:
                raise LayerLoadError(
                    path,
                    tr("has no tile table (a GeoPackage of vector layers only?)."),
                    tr(
                        "Add it as a layer instead, or export the basemap into a GeoPackage tile table."
                    ),
                )
            table, ident = found[0]
            self._table = str(table)
            srs_id, mx0, my0, mx1, my1 = con.execute(
                "SELECT srs_id, min_x, min_y, max_x, max_y FROM gpkg_tile_matrix_set "
                "WHERE table_name=?",
                (table,),
            ).fetchone()
            self.crs = _gpkg_crs(con, int(srs_id), path)
            self.levels = {}
            for z, mw, mh, tw, th, psx, psy in con.execute(
                "SELECT zoom_level, matrix_width, matrix_height, tile_width, tile_height, "
                "pixel_x_size, pixel_y_size FROM gpkg_tile_matrix WHERE table_name=?",
                (table,),
            ):
                self.levels[int(z)] = TileLevel(
                    int(z), float(mx0), float(my1), tw * psx, th * psy, int(mw), int(mh), int(tw)
                )
            stored = {int(r[0]) for r in con.execute(f'SELECT DISTINCT zoom_level FROM "{table}"')}
            extent = con.execute(
                "SELECT min_x, min_y, max_x, max_y FROM gpkg_contents WHERE table_name=?", (table,)
            ).fetchone()
        except sqlite3.DatabaseError:
            raise _not_sqlite(path, "GeoPackage") from None
        except TypeError:  # a matrix set row missing
            raise LayerLoadError(
                path,
                tr("has a tile table without its tile matrix set."),
                tr("Export the basemap into the GeoPackage again."),
            ) from None
        self.levels = {z: lv for z, lv in self.levels.items() if z in stored}
        if not self.levels:
            raise LayerLoadError(path, tr("holds no tiles."), tr("Export the basemap again."))
        self.name = str(ident or table)
        self.attribution = ""
        self.tile_format = "png"
        if extent and None not in extent:
            self.bounds = tuple(float(v) for v in extent)  # type: ignore[assignment]
        else:
            self.bounds = (float(mx0), float(my0), float(mx1), float(my1))


def _gpkg_crs(con: sqlite3.Connection, srs_id: int, path: Path) -> CRS:
    row = con.execute(
        "SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys "
        "WHERE srs_id=?",
        (srs_id,),
    ).fetchone()
    try:
        if row and str(row[0]).upper() == "EPSG":
            return CRS.from_epsg(int(row[1]))
        if row and row[2] and str(row[2]).strip().lower() != "undefined":
            return CRS.from_user_input(row[2])
        return CRS.from_epsg(srs_id)
    except Exception:  # noqa: BLE001 - pyproj raises several kinds for an unknown CRS
        raise LayerLoadError(
            path,
            tr("has tiles in a CRS that cannot be read (srs_id {n}).").format(n=srs_id),
            tr("Export the basemap in Web Mercator (EPSG:3857)."),
        ) from None


# --- XYZ folders -----------------------------------------------------------------------------
class XYZFolder(TileSource):
    """A folder laid out {z}/{x}/{y}.png|jpg|jpeg|webp (rows from the top), with an optional
    metadata.json (name, attribution, bounds) as tile tools write beside the tiles."""

    kind = "xyz"

    def __init__(self, path: Path) -> None:
        self.path = path
        zooms = sorted(int(p.name) for p in path.iterdir() if p.is_dir() and p.name.isdigit())
        if not zooms:
            raise LayerLoadError(
                path,
                tr("has no zoom folders (0, 1, 2, ...) of {z}/{x}/{y} tiles."),
                tr("Choose the folder that holds the zoom-level folders."),
            )
        self.levels = {z: web_mercator_level(z) for z in zooms}
        meta: dict = {}
        if (path / "metadata.json").is_file():
            try:
                meta = json.loads((path / "metadata.json").read_text(encoding="utf-8"))
            except (ValueError, UnicodeDecodeError, OSError):
                meta = {}
            meta = meta if isinstance(meta, dict) else {}
        self.name = str(meta.get("name") or path.name)
        self.attribution = str(meta.get("attribution") or "")
        self.crs = WEB_MERCATOR
        self.tile_format = self._format(zooms[0])
        self.bounds = self._extent(zooms[-1] if len(zooms) == 1 else zooms[0])

    def _format(self, zoom: int) -> str:
        for column in (self.path / str(zoom)).iterdir():
            for tile in column.iterdir() if column.is_dir() else ():
                ext = tile.suffix.lower().lstrip(".")
                if ext in TILE_FORMATS:
                    return ext
        raise LayerLoadError(
            self.path,
            tr("has no .png, .jpg or .webp tiles at zoom {z}.").format(z=zoom),
            tr("Choose the folder that holds the zoom-level folders."),
        )

    def _extent(self, zoom: int) -> tuple[float, float, float, float]:
        """The extent of the tiles at the coarsest zoom (few files to list)."""
        cols = [int(p.name) for p in (self.path / str(zoom)).iterdir() if p.name.isdigit()]
        rows = [
            int(t.stem)
            for c in cols
            for t in (self.path / str(zoom) / str(c)).iterdir()
            if t.stem.isdigit()
        ]
        if not cols or not rows:
            return self.levels[zoom].tile_bounds(
                0, 0, self.levels[zoom].cols - 1, self.levels[zoom].rows - 1
            )
        return self.levels[zoom].tile_bounds(min(cols), min(rows), max(cols), max(rows))

    def _file(self, zoom: int, c: int, r: int) -> Path | None:
        base = self.path / str(zoom) / str(c)
        for ext in (self.tile_format, *TILE_FORMATS):
            f = base / f"{r}.{ext}"
            if f.is_file():
                return f
        return None

    def tiles(self, zoom, c0, r0, c1, r1):
        for c in range(c0, c1 + 1):
            if not (self.path / str(zoom) / str(c)).is_dir():
                continue
            for r in range(r0, r1 + 1):
                f = self._file(zoom, c, r)
                if f is not None:
                    yield c, r, f.read_bytes()

    def tile_sizes(self, zoom, c0, r0, c1, r1):
        for c in range(c0, c1 + 1):
            for r in range(r0, r1 + 1):
                f = self._file(zoom, c, r)
                if f is not None:
                    yield c, r, f.stat().st_size


def open_tile_source(path: str | Path) -> TileSource:
    """The tile source at `path` (.mbtiles, .gpkg or a {z}/{x}/{y} folder); LayerLoadError
    with what to do when it is none of these or unreadable."""
    path = Path(path)
    if not path.exists():
        raise LayerLoadError(path, tr("does not exist."), tr("Check the path and file name."))
    if path.is_dir():
        return XYZFolder(path)
    suffix = path.suffix.lower()
    if suffix == ".mbtiles":
        return MBTilesSource(path)
    if suffix == ".gpkg":
        return GeoPackageTiles(path)
    raise LayerLoadError(
        path,
        tr("is not a basemap source."),
        tr("Add an .mbtiles file, a GeoPackage with tiles, or a folder of {z}/{x}/{y} tiles."),
    )


# --- the layer --------------------------------------------------------------------------------
class BasemapLayer(RasterLayer):
    """A tile source in the layer model: drawn like an RGB raster (window by window), saved as
    "kind": "basemap", never analysed (a picture has no values)."""

    basemap = True

    def __init__(self, tiles: TileSource, name: str | None = None, **kwargs) -> None:
        finest = tiles.levels[max(tiles.levels)]
        x0, y0, x1, y1 = tiles.bounds
        px = finest.pixel_size
        width, height = max(1, round((x1 - x0) / px)), max(1, round((y1 - y0) / px))
        info = RasterInfo(
            width=width,
            height=height,
            band_count=4,
            dtype="uint8",
            crs=tiles.crs,
            transform=Affine(px, 0, x0, 0, -px, y1),
            nodata=None,
            scale=1.0,
            offset=0.0,
            overviews=tuple(
                2 ** (max(tiles.levels) - z) for z in sorted(tiles.levels, reverse=True)[1:]
            ),
            driver=tiles.kind,
            compression=tiles.tile_format,
            categorical=False,
            tiles=len(tiles.levels),
        )
        metadata = dict(kwargs.pop("metadata", None) or {})
        if tiles.attribution:
            metadata.setdefault("attribution", tiles.attribution)
        kwargs.setdefault("style", RasterStyle(kind="rgb", bands=(1, 2, 3)))
        super().__init__(
            RasterSource(str(tiles.path)), info, name or tiles.name, metadata=metadata, **kwargs
        )
        self.tiles = tiles
        self._last: tuple[tuple, np.ndarray] | None = None

    def __repr__(self) -> str:
        return f"<BasemapLayer {self.name!r} {self.tiles.kind} z{min(self.tiles.levels)}-{max(self.tiles.levels)}>"

    @property
    def attribution(self) -> str:
        return str(self.metadata.get("attribution") or self.tiles.attribution or "")

    @property
    def is_loss_year(self) -> bool:
        return False

    def open(self):
        raise LayerLoadError(
            self.source.path,
            tr("is a basemap (a picture): it has no values to analyse."),
            tr("Choose a raster layer of values instead."),
        )

    def build_overviews(self, *args, **kwargs):  # tiles are their own overviews
        return None

    def read_window(
        self, bounds, out_shape, *, band: int = 1, resampling=None
    ) -> np.ma.MaskedArray:
        """Band `band` (1-3 colour, 4 alpha) of the tiles over `bounds` (source CRS) resampled
        onto `out_shape`; masked where no tile. The RGBA grid is kept for the next band."""
        rows, cols = (int(v) for v in out_shape)
        key = (tuple(round(float(v), 6) for v in bounds), rows, cols)
        last = self._last  # one read: the canvas's worker and the main thread may both ask
        if last is None or last[0] != key:
            last = self._last = (key, self.window_rgba(bounds, (rows, cols)))
        rgba = last[1]
        return np.ma.MaskedArray(rgba[..., band - 1], mask=rgba[..., 3] == 0)

    def window_rgba(self, bounds, out_shape: tuple[int, int]) -> np.ndarray:
        """The tiles over `bounds` as an (rows, cols, 4) uint8 image on that exact grid."""
        rows, cols = out_shape
        x0, y0, x1, y1 = (float(v) for v in bounds)
        mosaic = self.tiles.mosaic((x0, y0, x1, y1), (x1 - x0) / cols)
        out = np.zeros((rows, cols, 4), dtype=np.uint8)
        if mosaic.tiles:
            paste_resampled(out, (x0, y0, x1, y1), mosaic.rgba, mosaic.bounds)
        return out


def paste_resampled(out: np.ndarray, bounds, rgba: np.ndarray, src_bounds) -> None:
    """Resample `rgba` (covering `src_bounds`) onto the part of `out` (covering `bounds`, same
    CRS) they share. Pillow's bilinear resize with a box: filtered when shrinking, alpha
    premultiplied, ~10x faster than rasterio.warp.reproject for this axis-aligned case
    (docs/cartography.md, "Basemaps")."""
    from PIL import Image

    rows, cols = out.shape[:2]
    x0, y0, x1, y1 = bounds
    mx0, my0, mx1, my1 = src_bounds
    mh, mw = rgba.shape[:2]
    px, py = (x1 - x0) / cols, (y1 - y0) / rows
    mpx, mpy = (mx1 - mx0) / mw, (my1 - my0) / mh
    # The output pixels whose area lies within the source, as a whole-pixel rectangle.
    c0 = max(0, math.ceil((mx0 - x0) / px - 1e-6))
    c1 = min(cols, math.floor((mx1 - x0) / px + 1e-6))
    r0 = max(0, math.ceil((y1 - my1) / py - 1e-6))
    r1 = min(rows, math.floor((y1 - my0) / py + 1e-6))
    if c1 <= c0 or r1 <= r0:
        return
    box = (
        max(0.0, (x0 + c0 * px - mx0) / mpx),
        max(0.0, (my1 - (y1 - r0 * py)) / mpy),
        min(float(mw), (x0 + c1 * px - mx0) / mpx),
        min(float(mh), (my1 - (y1 - r1 * py)) / mpy),
    )
    image = Image.fromarray(np.ascontiguousarray(rgba), "RGBA")
    part = image.resize((c1 - c0, r1 - r0), Image.Resampling.BILINEAR, box=box)
    out[r0:r1, c0:c1] = np.asarray(part)


def is_basemap(layer: object) -> bool:
    return bool(getattr(layer, "basemap", False))


def open_basemap(path: str | Path, *, name: str | None = None) -> BasemapLayer:
    """A BasemapLayer for an .mbtiles file, a GeoPackage tile table or an XYZ folder."""
    tiles = open_tile_source(path)
    report = LoadReport()
    report.driver = tiles.kind
    if not tiles.attribution:
        report.warn(tr("No attribution in the basemap: printed maps credit its file name."))
    return BasemapLayer(tiles, name=name, report=report)


def check_overlap(layer: BasemapLayer, lonlat: tuple[float, float, float, float] | None) -> None:
    """LayerLoadError when the basemap's tiles lie wholly outside the project's lon/lat extent."""
    if lonlat is None:
        return
    from pyproj import Transformer

    to_lonlat = Transformer.from_crs(layer.tiles.crs, 4326, always_xy=True)
    w, s, e, n = to_lonlat.transform_bounds(*layer.tiles.bounds, densify_pts=11)
    if e < lonlat[0] or w > lonlat[2] or n < lonlat[1] or s > lonlat[3]:
        raise LayerLoadError(
            layer.source.path,
            tr(
                "covers {w:.2f}..{e:.2f}° E, {s:.2f}..{n:.2f}° N, outside the project's area."
            ).format(w=w, e=e, s=s, n=n),
            tr("Add a basemap prepared for this area."),
        )


__all__ = [
    "BASEMAP_SUFFIXES",
    "BasemapLayer",
    "Mosaic",
    "TileLevel",
    "TileSource",
    "check_overlap",
    "decode_tile",
    "is_basemap",
    "open_basemap",
    "open_tile_source",
    "web_mercator_level",
]
