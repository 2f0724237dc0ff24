"""Raster layers beside the vector ones: GeoTIFF/COG, VRT mosaics, ASCII grids, read in windows.

A RasterLayer never holds its pixels: `read_window(bounds, out_shape)` reads only the part
of the file a view or an analysis asks for, at the resolution asked (GDAL picks the file's
overviews when the request is coarser than the pixels). A folder of tiles (e.g. Hansen
`lossyear` tiles) opens as one layer through a VRT mosaic. Library errors become one-line
LayerLoadErrors saying what is wrong and what to do (docs/methods.md, "Raster layers").
"""

from __future__ import annotations

import hashlib
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

import numpy as np
from affine import Affine
from pyproj import CRS

from layers.crs import WGS84, looks_like_lonlat
from layers.errors import LayerLoadError
from layers.evented import EventedLayer
from layers.feedback import Feedback
from layers.i18n import tr
from layers.layer import _ids as _layer_ids
from layers.raster_style import RasterStyle, default_raster_style
from layers.read_errors import ASK_FOR_CRS, check_options
from layers.report import LoadReport
from layers.timefilter import TimeFilter

if TYPE_CHECKING:  # rasterio loads on first read: `analyze --list` and --help never need it
    import rasterio
    from rasterio.enums import Resampling

RASTER_SUFFIXES = (".tif", ".tiff", ".vrt", ".asc", ".img")
TILE_SUFFIXES = (".tif", ".tiff")
# A view that would decode more source pixels than this (no overview coarse enough) is refused:
# about 10 s of deflate decoding on this machine, a frozen canvas. Zonal statistics stream instead.
MAX_VIEW_READ_PIXELS = 64_000_000
# Hansen Global Forest Change `lossyear`: 0 = no loss, n = loss in 2000 + n (1..23 = 2001-2023).
LOSS_YEAR_BASE = 2000
LOSS_YEAR_LAST_CODE = 23  # Hansen GFC v1.11: loss to 2023
LOSS_YEARS_SAMPLE_SIDE = 1024  # pixels a side of the read that finds a raster's latest year


# --- what a raster is ----------------------------------------------------------------------
@dataclass
class RasterSource:
    """Where a raster came from, enough to open it again (projects store this).

    `path` is a file or a folder of tiles; `options` may hold `crs` (for a file without one)
    and `categorical` (True/False, overriding the guess from the file).
    """

    path: str = ""
    options: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"path": self.path, "options": dict(self.options)}

    @classmethod
    def from_dict(cls, data: dict | None) -> RasterSource:
        data = data or {}
        return cls(data.get("path", ""), dict(data.get("options", {})))


@dataclass(frozen=True)
class RasterInfo:
    """What the layer panel shows: size, resolution, CRS, nodata, scale/offset, overviews."""

    width: int
    height: int
    band_count: int
    dtype: str
    crs: CRS | None
    transform: Affine
    nodata: float | None
    scale: float
    offset: float
    overviews: tuple[int, ...]  # decimation factors of band 1's overviews, finest first
    driver: str
    compression: str | None
    categorical: bool
    tiles: int = 1  # files behind a mosaic
    crs_assumed: bool = False  # no CRS in the file; lon/lat numbers taken as WGS 84

    @property
    def resolution(self) -> tuple[float, float]:
        return abs(self.transform.a), abs(self.transform.e)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(minx, miny, maxx, maxy) in the raster's CRS."""
        x0, y0 = self.transform @ (0, 0)
        x1, y1 = self.transform @ (self.width, self.height)
        return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)

    @property
    def pixels(self) -> int:
        return self.width * self.height

    def describe(self) -> dict[str, Any]:
        """Plain values for `inspect`, the layer panel and JSON."""
        rx, ry = self.resolution
        return {
            "size": f"{self.width} x {self.height}",
            "bands": self.band_count,
            "dtype": self.dtype,
            "resolution": [rx, ry],
            "crs": self.crs.to_string() if self.crs is not None else None,
            "nodata": self.nodata,
            "scale": self.scale,
            "offset": self.offset,
            "overviews": list(self.overviews),
            "driver": self.driver,
            "compression": self.compression,
            "categorical": self.categorical,
            "tiles": self.tiles,
        }


class RasterLayer(EventedLayer[RasterStyle]):
    """A raster in the layer model: name, visibility and opacity evented like a vector Layer."""

    kind = "raster"

    def __init__(
        self,
        source: RasterSource,
        info: RasterInfo,
        name: str,
        *,
        dataset_path: str | None = None,
        visible: bool = True,
        opacity: float = 1.0,
        report: LoadReport | None = None,
        metadata: dict | None = None,
        style: RasterStyle | None = None,
    ) -> None:
        super().__init__(name, visible=visible, opacity=opacity, report=report, metadata=metadata)
        self.id = next(_layer_ids)  # one counter with vector layers: ids key caches and selections
        self.source = source
        self.info = info
        # What GDAL opens: the file itself, or the VRT standing for a folder of tiles.
        self.dataset_path = dataset_path or source.path
        self._style = style or default_raster_style(self)

    def __repr__(self) -> str:
        return f"<RasterLayer {self._name!r} {self.info.width}x{self.info.height}>"

    # --- evented attributes: name, visible, opacity and style come from EventedLayer ------
    @property
    def crs(self) -> CRS | None:
        return self.info.crs

    @property
    def categorical(self) -> bool:
        return self.info.categorical

    @property
    def is_loss_year(self) -> bool:
        """A Hansen loss-year raster (the time filter then applies to it)."""
        return looks_like_loss_year(self.source.path, self.info.dtype)

    def loss_years(self) -> tuple[int, int] | None:
        """The calendar years a raster drawn as forest loss can show, for the time bar:
        2001 to the latest loss code found in a coarse read of the whole raster (kept once;
        Hansen's 2023 when it cannot be read coarsely); None for any other look."""
        if self.style.kind != "loss_year":
            return None
        key = (self.dataset_path, self.info.overviews)
        if getattr(self, "_loss_years", (None,))[0] != key:
            top = LOSS_YEAR_LAST_CODE
            try:
                codes = np.ma.compressed(self.read_whole(LOSS_YEARS_SAMPLE_SIDE))
                if codes.size and int(codes.max()) > 0:
                    top = int(codes.max())
            except LayerLoadError:
                pass  # no overviews on a huge mosaic: Hansen's own range
            self._loss_years = (key, (LOSS_YEAR_BASE + 1, LOSS_YEAR_BASE + min(top, 255)))
        return self._loss_years[1]

    # --- reading ------------------------------------------------------------------------
    def open(self) -> rasterio.io.DatasetReader:
        """The GDAL dataset (the caller closes it); `info.crs` holds the CRS to use."""
        import rasterio
        from rasterio.errors import RasterioError

        try:
            return rasterio.open(self.dataset_path)
        except (RasterioError, OSError) as exc:
            raise explain_raster(Path(self.source.path), exc) from None

    def read_whole(
        self, side: int, *, band: int = 1, resampling: Resampling | None = None
    ) -> np.ma.MaskedArray:
        """The whole raster read coarsely, at most `side` pixels along its longer edge (its
        own size when smaller), as `read_window` reads it."""
        info = self.info
        factor = max(max(info.width, info.height) / side, 1.0)
        shape = (max(1, round(info.height / factor)), max(1, round(info.width / factor)))
        return self.read_window(info.bounds, shape, band=band, resampling=resampling)

    def read_window(
        self,
        bounds: tuple[float, float, float, float],
        out_shape: tuple[int, int],
        *,
        band: int = 1,
        resampling: Resampling | None = None,
    ) -> np.ma.MaskedArray:
        """The pixels of `bounds` (raster CRS) as an (rows, cols) grid of `out_shape`.

        Only that window is read, at that resolution: GDAL takes the coarsest overview still
        at least as fine as asked. Nearest for classes, average for continuous values unless
        `resampling` says otherwise. Nodata and the area outside the raster are masked;
        values are as stored (apply `scaled()` for the physical quantity).
        """
        from rasterio.errors import RasterioError
        from rasterio.windows import Window, from_bounds

        rows, cols = (int(v) for v in out_shape)
        x0, y0, x1, y1 = (float(v) for v in bounds)
        if rows <= 0 or cols <= 0 or not x1 > x0 or not y1 > y0:
            raise ValueError("read_window needs bounds with area and a positive out_shape.")
        info = self.info
        out = np.ma.masked_all((rows, cols), dtype=info.dtype)
        rx0, ry0, rx1, ry1 = info.bounds
        ix0, iy0, ix1, iy1 = max(x0, rx0), max(y0, ry0), min(x1, rx1), min(y1, ry1)
        if ix1 <= ix0 or iy1 <= iy0:
            return out  # the view misses the raster: all masked
        px, py = (x1 - x0) / cols, (y1 - y0) / rows
        # The part of the output grid the raster covers, snapped to whole output pixels.
        c0 = max(0, int(math.floor((ix0 - x0) / px + 1e-9)))
        c1 = min(cols, int(math.ceil((ix1 - x0) / px - 1e-9)))
        r0 = max(0, int(math.floor((y1 - iy1) / py + 1e-9)))
        r1 = min(rows, int(math.ceil((y1 - iy0) / py - 1e-9)))
        if c1 <= c0 or r1 <= r0:
            return out
        window = from_bounds(
            x0 + c0 * px, y1 - r1 * py, x0 + c1 * px, y1 - r0 * py, transform=info.transform
        )
        whole = Window(0, 0, info.width, info.height)
        window = window.intersection(whole)
        source_pixels = window.width * window.height
        factor = max(window.width / (c1 - c0), window.height / (r1 - r0), 1.0)
        usable = [f for f in info.overviews if f <= factor]
        read_pixels = source_pixels / (max(usable) ** 2 if usable else 1.0)
        if read_pixels > MAX_VIEW_READ_PIXELS:
            raise LayerLoadError(
                self.source.path,
                tr(
                    "this view would read {n:,} pixels: the raster has no overviews coarse "
                    "enough for it."
                ).format(n=int(read_pixels)),
                tr("Build overviews (Layer > Build overviews, or gdaladdo -r average) or zoom in."),
            )
        method = _resampling(resampling, info.categorical)
        with self.open() as src:
            try:
                part = src.read(
                    band,
                    window=window,
                    out_shape=(r1 - r0, c1 - c0),
                    resampling=method,
                    masked=True,
                )
            except (RasterioError, OSError) as exc:
                raise explain_raster(Path(self.source.path), exc) from None
        if (r0, c0, r1, c1) == (0, 0, rows, cols):
            return part  # the view inside the raster: no copy into the masked frame
        out[r0:r1, c0:c1] = part
        return out

    def scaled(self, values: np.ndarray) -> np.ndarray:
        """Stored values as the physical quantity (scale and offset from the file), float64."""
        data = np.ma.asarray(values).astype(np.float64)
        return data * self.info.scale + self.info.offset

    # --- overviews ----------------------------------------------------------------------
    def build_overviews(
        self,
        factors: tuple[int, ...] | None = None,
        *,
        resampling: Resampling | None = None,
        feedback: Feedback | None = None,
    ) -> tuple[int, ...]:
        """Build overviews (2, 4, 8 … until the coarsest fits in 256 pixels) one level at a
        time, so progress moves and a cancel stops between levels; returns the factors now
        in the file. Inside a GeoTIFF; in a .vrt.ovr beside a mosaic's VRT.
        """
        import rasterio
        from rasterio.errors import RasterioError

        feedback = feedback or Feedback()
        if factors is None:
            factors, f = [], 2
            while max(self.info.width, self.info.height) / f >= 256:
                factors.append(f)
                f *= 2
            factors = tuple(factors) or (2,)
        method = _resampling(resampling, self.categorical)
        path = Path(self.dataset_path)
        if not os.access(path, os.W_OK):
            raise LayerLoadError(
                self.source.path,
                tr("is read-only, so overviews cannot be added to it."),
                tr("Copy it to a folder you may write to, or run gdaladdo -ro -r average on it."),
            )
        with rasterio.Env(COMPRESS_OVERVIEW="DEFLATE"):
            for i, factor in enumerate(sorted(factors)):
                feedback.check()
                feedback.set_progress(
                    100.0 * i / len(factors),
                    tr("Building overview 1:{f} of {name}").format(f=factor, name=self.name),
                )
                try:
                    # GeoTIFFs get them inside; a VRT (a mosaic) gets a .vrt.ovr beside it.
                    with rasterio.open(path, "r+") as dst:
                        dst.build_overviews([factor], method)
                except (RasterioError, OSError) as exc:
                    raise LayerLoadError(
                        self.source.path,
                        tr("overviews could not be built ({d}).").format(d=_detail(exc)),
                        tr("Check that the folder is writable, or run gdaladdo -r average on it."),
                    ) from None
        feedback.set_progress(100.0, tr("Overviews built"))
        self.info = read_info(self.dataset_path, self.source, self.info.tiles)
        self.changed.emit("overviews")
        return self.info.overviews


def _resampling(asked: Resampling | None, categorical: bool) -> Resampling:
    """Nearest keeps class codes whole; average suits continuous values (Resampling.nearest
    is 0, so `asked or ...` would drop it)."""
    from rasterio.enums import Resampling

    if asked is not None:
        return asked
    return Resampling.nearest if categorical else Resampling.average


# --- opening -------------------------------------------------------------------------------
def open_raster(
    path: str | Path, *, name: str | None = None, options: dict | None = None
) -> RasterLayer:
    """A RasterLayer for a GeoTIFF/COG, VRT, ASCII grid, or a folder of GeoTIFF tiles."""
    path = Path(path)
    options = dict(options or {})
    check_options(path, options)
    if not path.exists():
        raise LayerLoadError(path, tr("does not exist."), tr("Check the path and file name."))
    report = LoadReport()
    tiles = 1
    dataset_path = str(path)
    if path.is_dir():
        tile_paths = sorted(p for p in path.iterdir() if p.suffix.lower() in TILE_SUFFIXES)
        if not tile_paths:
            raise LayerLoadError(
                path,
                tr("is a folder without GeoTIFF tiles (.tif)."),
                tr("Open a folder holding the tiles themselves, or one raster file."),
            )
        dataset_path = str(mosaic_vrt(tile_paths, folder=path))
        tiles = len(tile_paths)
        report.warn(tr("{n} tiles opened as one mosaic.").format(n=tiles))
    elif not path.is_file():
        raise LayerLoadError(
            path,
            tr("is not a regular file (a named pipe, device or socket)."),
            tr("Save the data to a file first and open that file."),
        )
    source = RasterSource(str(path), options)
    info = read_info(dataset_path, source, tiles)
    _check_readable(path, dataset_path, info)
    if info.crs_assumed:
        report.crs_assumed = True
        report.warn(tr("No CRS in the file; its numbers fit lon/lat, so WGS 84 is assumed."))
    report.driver = info.driver
    layer = RasterLayer(source, info, name or path.stem, dataset_path=dataset_path, report=report)
    if info.pixels > MAX_VIEW_READ_PIXELS and not info.overviews:
        report.warn(
            tr(
                "{n:,} pixels and no overviews: the whole extent cannot be drawn until overviews "
                "are built (Layer > Build overviews)."
            ).format(n=info.pixels)
        )
    return layer


def read_info(dataset_path: str, source: RasterSource, tiles: int = 1) -> RasterInfo:
    """The raster's metadata; a missing CRS is taken from `source.options['crs']` or asked."""
    import rasterio
    from rasterio.errors import RasterioError

    path = Path(source.path)
    try:
        with rasterio.open(dataset_path) as src:
            crs = CRS.from_user_input(src.crs.to_wkt()) if src.crs else None
            transform = src.transform
            if src.crs is None and transform.is_identity and src.driver != "AAIGrid":
                raise LayerLoadError(
                    path,
                    tr("has no georeferencing (no coordinates for its pixels)."),
                    tr("Georeference it in QGIS (Raster > Georeferencer) or use the world file."),
                )
            band = 1
            overviews = tuple(src.overviews(band))
            dtype = src.dtypes[0]
            colormap = _has_colormap(src)
            tags = src.tags(band)
            info = dict(
                width=src.width,
                height=src.height,
                band_count=src.count,
                dtype=dtype,
                transform=transform,
                nodata=None if src.nodata is None else float(src.nodata),
                scale=float(src.scales[0] if src.scales else 1.0),
                offset=float(src.offsets[0] if src.offsets else 0.0),
                overviews=overviews,
                driver=src.driver,
                compression=src.compression.value.lower() if src.compression else None,
            )
    except LayerLoadError:
        raise
    except (RasterioError, OSError) as exc:
        raise explain_raster(path, exc) from None
    given, assumed = source.options.get("crs"), False
    if given:
        crs = CRS.from_user_input(given)
    elif crs is None:
        crs = _crs_when_missing(path, info["transform"], info["width"], info["height"])
        assumed = True
    categorical = source.options.get("categorical")
    if categorical is None:
        categorical = np.issubdtype(np.dtype(dtype), np.integer) and (
            colormap
            or str(tags.get("LAYER_TYPE", "")).lower() == "thematic"
            or looks_like_loss_year(source.path, dtype)
        )
    return RasterInfo(
        crs=crs, categorical=bool(categorical), tiles=tiles, crs_assumed=assumed, **info
    )


def _crs_when_missing(path: Path, transform: Affine, width: int, height: int) -> CRS:
    """As for vectors: numbers in lon/lat range are taken as WGS 84, anything else is asked."""
    x0, y0 = transform @ (0, 0)
    x1, y1 = transform @ (width, height)
    bounds = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
    if looks_like_lonlat(bounds) and abs(transform.a) < 1.0:
        return WGS84
    raise LayerLoadError(path, tr("has no coordinate reference system (CRS)."), tr(ASK_FOR_CRS))


def _has_colormap(src: rasterio.io.DatasetReader) -> bool:
    try:
        src.colormap(1)
    except ValueError:  # "NULL color table"
        return False
    return True


def _check_readable(path: Path, dataset_path: str, info: RasterInfo) -> None:
    """Read the first and the last block: a truncated or corrupt file says so at once, not
    in the middle of a drawing or an analysis."""
    import rasterio
    from rasterio.errors import RasterioError
    from rasterio.windows import Window

    try:
        with rasterio.open(dataset_path) as src:
            bh, bw = src.block_shapes[0]
            last_row = max(0, info.height - bh)
            last_col = max(0, info.width - bw)
            for row, col in ((0, 0), (last_row, last_col)):
                src.read(
                    1,
                    window=Window(col, row, min(bw, info.width - col), min(bh, info.height - row)),
                )
    except (RasterioError, OSError) as exc:
        raise explain_raster(path, exc) from None


def explain_raster(path: Path, exc: Exception) -> LayerLoadError:
    """A GDAL error as one sentence of problem and one of remedy."""
    from rasterio.errors import RasterioError, RasterioIOError

    detail = _detail(exc)
    low = detail.lower()
    if isinstance(exc, PermissionError) or "permission denied" in low:
        return LayerLoadError(
            path,
            tr("cannot be opened (permission denied)."),
            tr("Check that you may read it, or copy it locally."),
        )
    if "not recognized as" in low or "not recognised as" in low or "not a supported" in low:
        return LayerLoadError(
            path,
            tr("is not a raster Harm Atlas knows."),
            tr(
                "Harm Atlas reads GeoTIFF (also Cloud-Optimised), VRT, ASCII grid (.asc) and "
                "folders of GeoTIFF tiles."
            ),
        )
    if "no such file" in low or "does not exist" in low:
        return LayerLoadError(
            path,
            tr("refers to a file that is missing ({d}).").format(d=detail),
            tr("Keep a mosaic's tiles where it points to, or open the folder of tiles itself."),
        )
    if "compression" in low or "codec" in low or "not configured" in low:
        return LayerLoadError(
            path,
            tr("is compressed with a method this GDAL cannot decode ({d}).").format(d=detail),
            tr("Convert it, e.g. gdal_translate -co COMPRESS=DEFLATE in.tif out.tif."),
        )
    if isinstance(exc, RasterioIOError | RasterioError) or "tiff" in low or "read" in low:
        return LayerLoadError(
            path,
            tr("could not be read: it looks truncated or damaged ({d}).").format(d=detail),
            tr("Copy or download it again, or export it again from the source program."),
        )
    return LayerLoadError(
        path,
        tr("could not be read ({d}).").format(d=detail),
        tr("Check the file, or copy it locally."),
    )


def _detail(exc: BaseException) -> str:
    """The first line of GDAL's message; rasterio's "Read failed. See previous exception"
    points at the cause, which says what actually went wrong."""
    text = str(exc).strip()
    cause = exc.__cause__ or exc.__context__
    if cause is not None and (not text or "previous exception" in text):
        return _detail(cause)
    return text.splitlines()[0][:160] if text else type(exc).__name__


# --- mosaics -------------------------------------------------------------------------------
def mosaic_vrt(tiles: list[Path], *, folder: Path, out: Path | None = None) -> Path:
    """One VRT over GeoTIFF tiles (the mosaic is a small XML file; no pixel is copied).

    GDAL's BuildVRT when the GDAL Python bindings are installed; otherwise the same VRT is
    written here for tiles that share CRS, resolution, bands and data type (as BuildVRT
    requires by default). Written to the user's cache, never into the data folder.
    """
    out = out or _cache_path(tiles)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists():
        return out
    try:
        from osgeo import gdal  # the GDAL bindings, when installed
    except ImportError:
        gdal = None
    tmp = out.with_suffix(".tmp.vrt")
    if gdal is not None:
        gdal.UseExceptions()
        try:
            gdal.BuildVRT(str(tmp), [str(p) for p in tiles]).FlushCache()
        except RuntimeError as exc:
            raise LayerLoadError(
                folder,
                tr("its tiles could not be joined into one mosaic ({d}).").format(d=_detail(exc)),
                tr(
                    "Keep only tiles of one product (same CRS, resolution and bands) in the folder."
                ),
            ) from None
    else:
        tmp.write_text(_vrt_xml(tiles, folder), encoding="utf-8")
    os.replace(tmp, out)
    return out


def _cache_path(tiles: list[Path]) -> Path:
    key = hashlib.sha256()
    for p in tiles:
        stat = p.stat()
        key.update(f"{p.resolve()}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "harm-atlas" / "mosaics" / f"{key.hexdigest()[:24]}.vrt"


def _vrt_xml(tiles: list[Path], folder: Path) -> str:
    """A VRTDataset placing each tile by its geotransform (what gdalbuildvrt writes)."""
    import rasterio
    from rasterio.errors import RasterioError

    metas = []
    for p in tiles:
        try:
            with rasterio.open(p) as src:
                metas.append(
                    (
                        p,
                        src.crs,
                        src.transform,
                        src.width,
                        src.height,
                        src.count,
                        src.dtypes[0],
                        src.nodata,
                        src.block_shapes[0],
                    )
                )
        except (RasterioError, OSError) as exc:
            raise explain_raster(p, exc) from None
    _, crs, t0, *_rest = metas[0]
    count, dtype = metas[0][5], metas[0][6]
    for p, c, t, _w, _h, n, d, *_ in metas[1:]:
        same_grid = math.isclose(t.a, t0.a, rel_tol=1e-9) and math.isclose(t.e, t0.e, rel_tol=1e-9)
        if c != crs or n != count or d != dtype or not same_grid or t.b or t.d:
            raise LayerLoadError(
                folder,
                tr(
                    "its tiles differ ({p} has another CRS, resolution, band count or data "
                    "type than {q})."
                ).format(p=p.name, q=metas[0][0].name),
                tr(
                    "Keep only tiles of one product in the folder, or build the VRT with "
                    "gdalbuildvrt -resolution highest."
                ),
            )
    px, py = t0.a, t0.e
    minx = min(t.c for _, _, t, *_ in metas)
    maxy = max(t.f for _, _, t, *_ in metas)
    maxx = max(t.c + w * px for _, _, t, w, *_ in metas)
    miny = min(t.f + h * py for _, _, t, _w, h, *_ in metas)
    width = int(round((maxx - minx) / px))
    height = int(round((maxy - miny) / -py))
    nodata = metas[0][7]
    gt = f"{minx!r}, {px!r}, 0.0, {maxy!r}, 0.0, {py!r}"
    vrt_type = {"uint8": "Byte", "int8": "Int8"}.get(dtype, dtype.capitalize())
    vrt_type = {"Uint16": "UInt16", "Uint32": "UInt32", "Uint64": "UInt64"}.get(vrt_type, vrt_type)
    lines = [f'<VRTDataset rasterXSize="{width}" rasterYSize="{height}">']
    if crs is not None:
        lines.append(f"  <SRS>{escape(crs.to_wkt())}</SRS>")
    lines.append(f"  <GeoTransform>{gt}</GeoTransform>")
    for b in range(1, count + 1):
        lines.append(f'  <VRTRasterBand dataType="{vrt_type}" band="{b}">')
        if nodata is not None:
            lines.append(f"    <NoDataValue>{nodata!r}</NoDataValue>")
        for p, _c, t, w, h, _n, _d, _nd, (bh, bw) in metas:
            xoff = int(round((t.c - minx) / px))
            yoff = int(round((maxy - t.f) / -py))
            src_nodata = f"<NODATA>{nodata!r}</NODATA>" if nodata is not None else ""
            lines += [
                "    <ComplexSource>" if nodata is not None else "    <SimpleSource>",
                f'      <SourceFilename relativeToVRT="0">{escape(str(p.resolve()))}'
                "</SourceFilename>",
                f"      <SourceBand>{b}</SourceBand>",
                f'      <SourceProperties RasterXSize="{w}" RasterYSize="{h}" '
                f'DataType="{vrt_type}" BlockXSize="{bw}" BlockYSize="{bh}" />',
                f'      <SrcRect xOff="0" yOff="0" xSize="{w}" ySize="{h}" />',
                f'      <DstRect xOff="{xoff}" yOff="{yoff}" xSize="{w}" ySize="{h}" />',
                f"      {src_nodata}" if src_nodata else "",
                "    </ComplexSource>" if nodata is not None else "    </SimpleSource>",
            ]
        lines.append("  </VRTRasterBand>")
    lines.append("</VRTDataset>")
    return "\n".join(line for line in lines if line) + "\n"


# --- Hansen loss year ----------------------------------------------------------------------
def looks_like_loss_year(path: str | Path, dtype: str) -> bool:
    """Hansen GFC `lossyear` tiles keep that word in their names (…_lossyear_10N_080W.tif)."""
    name = Path(str(path)).name.lower().replace("-", "_")
    return dtype == "uint8" and ("lossyear" in name or "loss_year" in name)


def loss_year_values(period: TimeFilter | None) -> tuple[int, int]:
    """The loss-year codes (first, last) of a period; (1, 255) with no period (any loss)."""
    if period is None:
        return 1, 255
    first = 1 if period.start is None else max(1, period.start.year - LOSS_YEAR_BASE)
    last = 255 if period.end is None else min(255, period.end.year - LOSS_YEAR_BASE)
    return first, last


def loss_year_mask(values: np.ndarray, period: TimeFilter | None) -> np.ndarray:
    """Pixels with forest loss in the period: code n means loss in 2000 + n; 0 is no loss.

    A period is taken by whole years (a pixel's loss has no date finer than its year), so a
    period from 2018-06-01 includes 2018.
    """
    first, last = loss_year_values(period)
    values = np.asarray(values)
    return (values >= first) & (values <= last) & (values > 0)


def loss_year(value: int) -> int | None:
    """The calendar year of a loss-year code, None for 0 (no loss)."""
    return None if int(value) <= 0 else LOSS_YEAR_BASE + int(value)
