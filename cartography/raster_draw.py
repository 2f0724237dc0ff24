"""Raster layers drawn into the map: only the view's window, at the output's pixel size.

The canvas and every export go through MapRenderer.render, which hands each raster layer to
RasterPainter.draw: it reads the window of the view (layers.raster.RasterLayer.read_window,
overviews when coarser), reprojects it onto the map's pixel grid when the raster's CRS is not
the map's (rasterio.warp.reproject), colours it by its RasterStyle and adds one image under
the vector layers above it. Images are kept per window, so a redraw of the same view (and a
hillshade, which needs its neighbours' heights) is not computed twice. See docs/cartography.md.
"""

from __future__ import annotations

import math
from collections import OrderedDict

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.colors import to_rgba_array
from pyproj import CRS

from cartography.legend import LegendEntry
from layers.errors import LayerLoadError
from layers.i18n import tr
from layers.raster import LOSS_YEAR_BASE, RasterLayer, loss_year_mask, loss_year_values
from layers.raster_style import CLASS_COLOURS, RasterClass
from layers.timefilter import TimeFilter

# Output pixels per side at most: a 300-dpi A3 page is ~4,900 px wide; more adds nothing.
MAX_SIDE = 5000
# Longest side of the whole-raster read that fixes stretches and class lists once per layer
# (so colours do not change as the view pans); served by overviews on large rasters.
SAMPLE_SIDE = 512
MAX_IMAGES = 16  # kept windows (a 1600x1000 view is 6.4 MB of RGBA)
MAX_AUTO_CLASSES = 24
METRES_PER_DEGREE = 111_320.0
# Loss-year windows are read up to this many finer pixels (then reduced to the map's pixels
# by the latest in-period year), at most LOSS_MAX_FACTOR raster pixels per map pixel a side:
# a zoomed-out view keeps every clearing without blowing the 150 ms redraw (docs/performance.md).
LOSS_FINE_PIXELS = 8_000_000
LOSS_MAX_FACTOR = 8


class RasterPainter:
    """Draws raster layers; keeps recent windows' images and each layer's value statistics."""

    def __init__(self) -> None:
        self._images: OrderedDict[tuple, tuple[np.ndarray, LegendEntry]] = OrderedDict()
        self._stats: dict[tuple, np.ndarray | None] = {}
        # layer.id -> why its last draw showed nothing (one line; the view stays up).
        self.errors: dict[int, str] = {}

    def forget(self, layer: RasterLayer) -> None:
        for key in [k for k in self._images if k[0] == layer.id]:
            del self._images[key]
        for key in [k for k in self._stats if k[0] == layer.id]:
            del self._stats[key]

    def draw(
        self,
        ax: Axes,
        layer: RasterLayer,
        crs: CRS,
        extent: tuple[float, float, float, float],
        shape: tuple[int, int],
        z: float,
        time_filter: TimeFilter | None = None,
        *,
        count_only: bool = False,
    ) -> LegendEntry:
        """Add the layer's image for `extent` (map CRS `crs`) on a grid of `shape` (rows,
        cols) at z-order `z`; returns its legend entry (count: pixels drawn)."""
        self.errors.pop(layer.id, None)
        try:
            rgba, entry = self.image(layer, crs, extent, shape, time_filter)
        except LayerLoadError as exc:  # e.g. a view too big for a raster without overviews
            self.errors[layer.id] = exc.one_line()
            entry = LegendEntry(layer.name, layer.name, "polygon", "#b0b0b0")
            entry.count = 0
            return entry
        if not count_only and entry.count:
            x0, y0, x1, y1 = extent
            ax.imshow(
                rgba,
                extent=(x0, x1, y0, y1),
                origin="upper",
                interpolation="nearest",
                alpha=layer.opacity,
                zorder=z,
                resample=False,
            )
            ax.set_autoscale_on(False)  # imshow would reset the limits the view chose
        return entry

    def image(
        self,
        layer: RasterLayer,
        crs: CRS,
        extent: tuple[float, float, float, float],
        shape: tuple[int, int],
        time_filter: TimeFilter | None = None,
    ) -> tuple[np.ndarray, LegendEntry]:
        """The layer's RGBA image (rows, cols, 4; uint8; alpha 0 where nothing is drawn)
        for `extent` on a grid of `shape` (capped at MAX_SIDE a side), coloured by its style
        and period, and a fresh legend entry; kept per window, so a repeat costs nothing.
        The canvas, every export and the web map colour rasters through here.
        LayerLoadError when the window cannot be read."""
        st = layer.style
        rows, cols = _capped(shape)
        period = _period_key(time_filter) if st.kind == "loss_year" else None
        key = (
            layer.id,
            layer.dataset_path,
            tuple(round(v, 6) for v in extent),
            rows,
            cols,
            crs.to_wkt(),
            st.key(),
            period,
        )
        hit = self._images.pop(key, None)
        if hit is None:
            hit = self._paint(layer, crs, extent, (rows, cols), time_filter)
            while len(self._images) >= MAX_IMAGES:
                self._images.popitem(last=False)
        self._images[key] = hit  # most recently used last
        return hit[0], _copy(hit[1])

    # --- reading ------------------------------------------------------------------------
    def _paint(self, layer, crs, extent, shape, time_filter) -> tuple[np.ndarray, LegendEntry]:
        st = layer.style
        rows, cols = shape
        px, py = (extent[2] - extent[0]) / cols, (extent[3] - extent[1]) / rows
        if st.kind == "hillshade":  # one pixel more on each side: the edge needs neighbours
            x0, y0, x1, y1 = extent
            grown = (x0 - px, y0 - py, x1 + px, y1 + py)
            heights = window_values(layer, crs, grown, (rows + 2, cols + 2))[0]
            scale = METRES_PER_DEGREE if crs.is_geographic else 1.0
            shade = hillshade(
                np.ma.asarray(layer.scaled(heights)).filled(np.nan),
                px * scale,
                py * scale,
                azimuth=st.azimuth,
                altitude=st.altitude,
                z_factor=st.z_factor,
            )[1:-1, 1:-1]
            return _hillshade_image(layer, shade)
        if st.kind == "loss_year":  # the period first, then any loss under a map pixel shows
            codes = loss_values(layer, crs, extent, shape, time_filter)
            return _loss_year_image(layer, codes, time_filter, self._sample(layer, 1))
        bands = st.bands if st.kind == "rgb" else (1,)
        values = window_values(layer, crs, extent, shape, bands)
        if st.kind == "rgb":
            return self._rgb(layer, values)
        if st.kind == "classified":
            return _classified_image(layer, values[0], self._classes(layer))
        return self._continuous(layer, values[0])

    def _sample(self, layer: RasterLayer, band: int) -> np.ndarray | None:
        """Band values over the whole raster at <= SAMPLE_SIDE px (NaN for nodata), once;
        None when the raster is too large to sample without overviews."""
        from rasterio.enums import Resampling

        whole = layer.categorical or layer.style.kind in ("classified", "loss_year")
        key = (layer.id, layer.dataset_path, band, whole)
        if key not in self._stats:
            try:
                method = Resampling.nearest if whole else None
                part = layer.read_whole(SAMPLE_SIDE, band=band, resampling=method)
                self._stats[key] = np.ma.asarray(part).astype(np.float64).filled(np.nan)
            except LayerLoadError:
                self._stats[key] = None
        return self._stats[key]

    def _range(self, layer: RasterLayer, values: np.ndarray, band: int = 1) -> tuple[float, float]:
        """Stretch limits in stored values: the style's, else the raster's min/max or
        percentiles (from the whole-raster sample; the window's when there is none)."""
        st = layer.style
        sample = self._sample(layer, band)
        pool = sample if sample is not None and np.isfinite(sample).any() else values
        finite = pool[np.isfinite(pool)]
        if finite.size == 0:
            return 0.0, 1.0
        if st.stretch == "percentile" and st.kind != "rgb":
            lo, hi = (float(v) for v in np.percentile(finite, st.percentiles))
        else:
            lo, hi = float(finite.min()), float(finite.max())
        scale, offset = layer.info.scale or 1.0, layer.info.offset
        # vmin/vmax are physical values (after scale/offset), as the legend shows them.
        if st.vmin is not None:
            lo = (st.vmin - offset) / scale
        if st.vmax is not None:
            hi = (st.vmax - offset) / scale
        if hi == lo:
            hi = lo + 1.0
        return (lo, hi) if lo < hi else (hi, lo)

    def _continuous(self, layer: RasterLayer, values: np.ndarray):
        st = layer.style
        lo, hi = self._range(layer, values)
        norm = np.clip((values - lo) / (hi - lo), 0.0, 1.0)
        cmap = colormaps[st.ramp]
        rgba = cmap(np.nan_to_num(norm), bytes=True)
        shown = np.isfinite(values)
        rgba[..., 3] = np.where(shown, 255, 0)
        low, high = (float(v) * layer.info.scale + layer.info.offset for v in (lo, hi))
        entry = ramp_entry(layer.name, cmap, f"{_number(low)} – {_number(high)}")
        entry.count = int(shown.sum())
        return rgba, entry

    def _rgb(self, layer: RasterLayer, values: list[np.ndarray]):
        rgba = np.zeros((*values[0].shape, 4), dtype=np.uint8)
        shown = np.ones(values[0].shape, dtype=bool)
        for i, (band, v) in enumerate(zip(layer.style.bands, values, strict=True)):
            shown &= np.isfinite(v)
            if layer.info.dtype == "uint8":
                rgba[..., i] = np.nan_to_num(v).astype(np.uint8)
            else:
                lo, hi = self._range(layer, v, band)
                rgba[..., i] = (np.clip((np.nan_to_num(v) - lo) / (hi - lo), 0, 1) * 255).astype(
                    np.uint8
                )
        rgba[..., 3] = np.where(shown, 255, 0)
        entry = LegendEntry(layer.name, layer.name, "polygon", "#b0b0b0", alpha=layer.opacity)
        entry.count = int(shown.sum())
        return rgba, entry

    def _classes(self, layer: RasterLayer) -> tuple[RasterClass, ...]:
        """The style's classes; else the file's colour table, else the values the raster
        holds (from the whole-raster sample), coloured in turn."""
        if layer.style.classes:
            return layer.style.classes
        key = (layer.id, layer.dataset_path, "classes")
        if key not in self._stats:
            table = _colour_table(layer)
            sample = self._sample(layer, 1)
            found = np.unique(sample[np.isfinite(sample)]) if sample is not None else []
            if table:
                classes = [
                    RasterClass(float(v), table[int(v)], _number(float(v)))
                    for v in found
                    if int(v) in table
                ]
            else:
                classes = [
                    RasterClass(float(v), CLASS_COLOURS[i % len(CLASS_COLOURS)], _number(float(v)))
                    for i, v in enumerate(found[:MAX_AUTO_CLASSES])
                ]
            self._stats[key] = tuple(classes)  # type: ignore[assignment]
        return self._stats[key]  # type: ignore[return-value]


def raster_extent(layer: RasterLayer, crs: CRS) -> np.ndarray:
    """A raster layer's extent (minx, miny, maxx, maxy) in the map CRS, edges densified."""
    bounds = layer.info.bounds
    if layer.crs is None or layer.crs.equals(crs):
        return np.asarray(bounds, dtype=float)
    from pyproj import Transformer

    to_map = Transformer.from_crs(layer.crs, crs, always_xy=True)
    return np.asarray(to_map.transform_bounds(*bounds, densify_pts=21), dtype=float)


def window_values(
    layer: RasterLayer,
    crs: CRS,
    extent: tuple[float, float, float, float],
    shape: tuple[int, int],
    bands: tuple[int, ...] = (1,),
    *,
    loss_codes: tuple[int, int] | None = None,
) -> list[np.ndarray]:
    """Each band's stored values on the map grid of `extent` (map CRS) x `shape`, float64
    with NaN for nodata and outside the raster. Only the view's window is read; a raster in
    another CRS is read over the view's footprint in its own CRS and reprojected.
    `loss_codes` (first, last), for a loss-year raster in another CRS: the source is read
    finer (within LOSS_FINE_PIXELS), codes outside the range become 0, and each map pixel
    takes the maximum of the source pixels under it (GDAL's warp 'max')."""
    from rasterio.enums import Resampling

    rows, cols = shape
    src_crs = layer.crs
    # Class codes stay whole (nearest) whatever the file says; values average, then blend.
    classes = layer.categorical or layer.style.kind in ("classified", "loss_year")
    read = Resampling.nearest if classes else None
    if layer.style.kind == "classified":  # zoomed out: each map pixel's commonest class
        read = Resampling.mode
    if layer.style.kind == "hillshade":  # blocks of a zoomed-in DEM would shade as steps
        read = Resampling.bilinear
    if src_crs is None or src_crs.equals(crs):
        return [
            np.ma.asarray(layer.read_window(extent, shape, band=b, resampling=read))
            .astype(np.float64)
            .filled(np.nan)
            for b in bands
        ]
    from rasterio.crs import CRS as RioCRS
    from rasterio.transform import from_bounds
    from rasterio.warp import reproject, transform_bounds

    empty = [np.full(shape, np.nan) for _ in bands]
    try:
        sx0, sy0, sx1, sy1 = transform_bounds(
            RioCRS.from_wkt(crs.to_wkt()),
            RioCRS.from_wkt(src_crs.to_wkt()),
            *extent,
            densify_pts=21,
        )
    except Exception:  # noqa: BLE001 - a view outside the raster CRS's domain shows nothing
        return empty
    if not math.isfinite(sx0 + sy0 + sx1 + sy1) or not (sx1 > sx0 and sy1 > sy0):
        return empty
    # Source pixels about as fine as the output's over the view's footprint (a little finer:
    # resampling twice blurs), then only the part the raster covers is read.
    side = math.sqrt((sx1 - sx0) * (sy1 - sy0) / (rows * cols)) / 1.5
    if loss_codes is not None:  # finer, so a clearing under a map pixel reaches the max
        side = max(side / LOSS_MAX_FACTOR, math.sqrt((sx1 - sx0) * (sy1 - sy0) / LOSS_FINE_PIXELS))
    rx0, ry0, rx1, ry1 = layer.info.bounds
    resx, resy = layer.info.resolution
    # Snapped to the raster's own pixels, and never finer than them: a zoomed-in view reads
    # the pixels as they are, so nearest lands each map pixel in its own source pixel.
    sx0 = rx0 + math.floor((max(sx0, rx0) - rx0) / resx) * resx
    sx1 = rx0 + math.ceil((min(sx1, rx1) - rx0) / resx) * resx
    sy1 = ry1 - math.floor((ry1 - min(sy1, ry1)) / resy) * resy
    sy0 = ry1 - math.ceil((ry1 - max(sy0, ry0)) / resy) * resy
    if not (sx1 > sx0 and sy1 > sy0 and side > 0):
        return empty
    src_shape = (
        min(MAX_SIDE, max(1, round((sy1 - sy0) / max(side, resy)))),
        min(MAX_SIDE, max(1, round((sx1 - sx0) / max(side, resx)))),
    )
    src_transform = from_bounds(sx0, sy0, sx1, sy1, src_shape[1], src_shape[0])
    dst_transform = from_bounds(*extent, cols, rows)
    method = Resampling.nearest if classes else Resampling.bilinear
    if layer.style.kind == "classified" and side * 1.5 > 1.5 * max(resx, resy):
        method = Resampling.mode  # zoomed out only: warp's mode blurs class edges zoomed in
    if loss_codes is not None:
        method = Resampling.max
    out = []
    for b in bands:
        part = layer.read_window((sx0, sy0, sx1, sy1), src_shape, band=b, resampling=read)
        source = np.ma.asarray(part).astype(np.float64).filled(np.nan)
        if loss_codes is not None:  # the period before the reduction: later years hide none
            outside = (source < loss_codes[0]) | (source > loss_codes[1])
            source[outside & np.isfinite(source)] = 0.0
        target = np.full(shape, np.nan)
        reproject(
            source,
            target,
            src_transform=src_transform,
            src_crs=RioCRS.from_wkt(src_crs.to_wkt()),
            dst_transform=dst_transform,
            dst_crs=RioCRS.from_wkt(crs.to_wkt()),
            src_nodata=np.nan,
            dst_nodata=np.nan,
            resampling=method,
        )
        out.append(target)
    return out


def loss_values(
    layer: RasterLayer,
    crs: CRS,
    extent: tuple[float, float, float, float],
    shape: tuple[int, int],
    period: TimeFilter | None = None,
) -> np.ndarray:
    """Loss-year codes on the map grid of `extent` x `shape`: per map pixel the latest year
    of the period among the raster pixels under it (0: none lost in the period; NaN: nodata
    or outside the raster). The window is read up to LOSS_MAX_FACTOR times finer than the
    map (within LOSS_FINE_PIXELS), the period applied to those pixels, then each block
    reduced by its maximum: a single 30 m clearing stays one visible map pixel at country
    scale, and a later year outside the period cannot hide an earlier one inside it.
    Nearest reads (the old way) dropped most clearings once a map pixel held many."""
    rows, cols = shape
    first, last = loss_year_values(period)
    if (layer.crs is None or layer.crs.equals(crs)) and layer.info.dtype == "uint8":
        from rasterio.enums import Resampling

        k = _loss_factor(layer, extent, shape)

        part = layer.read_window(extent, (rows * k, cols * k), resampling=Resampling.nearest)
        keep = np.zeros(256, np.uint8)  # code -> itself inside the period, else 0: one pass
        keep[first : last + 1] = np.arange(first, last + 1, dtype=np.uint8)
        codes = keep[np.ma.getdata(part)]
        valid = ~np.ma.getmaskarray(part) if np.ma.is_masked(part) else None
        if valid is not None:
            codes[~valid] = 0
    else:  # another CRS: the period on the source pixels, then GDAL's warp takes the max
        codes = window_values(layer, crs, extent, shape, loss_codes=(first, last))[0]
        valid = np.isfinite(codes)
        k = 1
    if k > 1:
        codes = _block_max(codes, k)
        valid = _block_max(valid, k) if valid is not None else None
    codes = codes.astype(np.float64)
    return codes if valid is None else np.where(valid, codes, np.nan)


def _block_max(a: np.ndarray, k: int) -> np.ndarray:
    """The maximum of each k x k block (a's sides are multiples of k); k*k strided passes,
    ten times faster here than reshape(...).max(axis=(1, 3))."""
    out = a[::k, ::k].copy()
    for i in range(k):
        for j in range(k):
            if i or j:
                np.maximum(out, a[i::k, j::k], out=out)
    return out


def _loss_factor(layer: RasterLayer, extent, shape: tuple[int, int]) -> int:
    """Raster pixels per map pixel a side to read a loss window at (1 when zoomed in)."""
    rows, cols = shape
    ratio = (extent[2] - extent[0]) / cols / layer.info.resolution[0]
    budget = math.isqrt(max(1, LOSS_FINE_PIXELS // max(rows * cols, 1)))
    return max(1, min(math.ceil(ratio - 1e-6), LOSS_MAX_FACTOR, budget))


# --- colouring -------------------------------------------------------------------------------
def hillshade(
    heights: np.ndarray,
    xres: float,
    yres: float,
    *,
    azimuth: float = 315.0,
    altitude: float = 45.0,
    z_factor: float = 1.0,
) -> np.ndarray:
    """Shaded relief 0-255 (Horn's slope, the ESRI/GDAL formula; docs/cartography.md) of a
    height grid whose rows run north to south; the outer ring and NaN neighbours are NaN."""
    z = np.asarray(heights, dtype=np.float64)
    out = np.full(z.shape, np.nan)
    if z.shape[0] < 3 or z.shape[1] < 3:
        return out
    a, b, c = z[:-2, :-2], z[:-2, 1:-1], z[:-2, 2:]
    d, f = z[1:-1, :-2], z[1:-1, 2:]
    g, h, i = z[2:, :-2], z[2:, 1:-1], z[2:, 2:]
    dzdx = ((c + 2 * f + i) - (a + 2 * d + g)) / (8.0 * xres)
    dzdy = ((g + 2 * h + i) - (a + 2 * b + c)) / (8.0 * yres)
    slope = np.arctan(z_factor * np.hypot(dzdx, dzdy))
    aspect = np.arctan2(dzdy, -dzdx)
    zenith = math.radians(90.0 - altitude)
    sun = math.radians((360.0 - azimuth + 90.0) % 360.0)
    shade = 255.0 * (
        math.cos(zenith) * np.cos(slope) + math.sin(zenith) * np.sin(slope) * np.cos(sun - aspect)
    )
    out[1:-1, 1:-1] = np.clip(shade, 0.0, 255.0)
    return out


def _hillshade_image(layer: RasterLayer, shade: np.ndarray):
    shown = np.isfinite(shade)
    grey = np.nan_to_num(shade).astype(np.uint8)
    rgba = np.dstack([grey, grey, grey, np.where(shown, 255, 0).astype(np.uint8)])
    entry = ramp_entry(layer.name, colormaps["gray"], tr("hillshade"))
    entry.count = int(shown.sum())
    return rgba, entry


def _loss_year_image(layer, values: np.ndarray, time_filter, sample):
    """Forest loss coloured by year on a ramp fixed for the layer (colours stay as the period
    moves); only loss inside the period is drawn (whole years)."""
    st = layer.style
    codes = np.nan_to_num(values, nan=0.0)
    shown = loss_year_mask(codes, time_filter) & np.isfinite(values)
    top = 23.0
    if sample is not None and np.isfinite(sample).any():
        top = max(top, float(np.nanmax(sample)))
    lo = st.vmin - LOSS_YEAR_BASE if st.vmin is not None else 1.0
    hi = st.vmax - LOSS_YEAR_BASE if st.vmax is not None else top
    cmap = colormaps[st.ramp]
    rgba = cmap(np.clip((codes - lo) / max(hi - lo, 1.0), 0.0, 1.0), bytes=True)
    rgba[..., 3] = np.where(shown, 255, 0)
    first, last = loss_year_values(time_filter)
    first, last = max(first, int(lo)), min(last, int(hi))
    a, b = LOSS_YEAR_BASE + first, LOSS_YEAR_BASE + last
    # One year reads as itself: 'forest loss 2016', not '2016–2016'.
    label = (
        tr("forest loss {y}").format(y=a) if a == b else tr("forest loss {a}–{b}").format(a=a, b=b)
    )
    if a > b:  # the period lies outside the ramp's years: never 'forest loss 2030–2023'
        label = tr("forest loss (none in the period)")
    entry = ramp_entry(layer.name, cmap, label)
    entry.count = int(shown.sum())
    return rgba, entry


def _classified_image(layer, values: np.ndarray, classes: tuple[RasterClass, ...]):
    """One colour per class value; values no class lists are not drawn."""
    rgba = np.zeros((*values.shape, 4), dtype=np.uint8)
    entry = LegendEntry(layer.name, layer.name, "polygon", "#b0b0b0", alpha=layer.opacity)
    entry.count = 0
    if not classes:
        return rgba, entry
    order = np.argsort([c.value for c in classes])
    keys = np.array([classes[k].value for k in order], dtype=np.float64)
    colours = (to_rgba_array([classes[k].colour for k in order]) * 255).round().astype(np.uint8)
    finite = np.isfinite(values)
    pos = np.clip(np.searchsorted(keys, np.where(finite, values, keys[0])), 0, len(keys) - 1)
    hit = finite & (keys[pos] == values)
    rgba[hit] = colours[pos[hit]]
    present = np.bincount(pos[hit], minlength=len(keys))
    for k, n in zip(order, present, strict=True):
        c = classes[k]
        child = LegendEntry(layer.name, c.label or _number(c.value), "polygon", c.colour)
        child.alpha = layer.opacity
        child.count = int(n)
        entry.children.append(child)
    entry.count = int(hit.sum())
    return rgba, entry


def ramp_entry(name: str, cmap, label: str) -> LegendEntry:
    """A legend entry drawn as a colour-ramp bar (kind 'ramp'), `label` giving its range."""
    stops = tuple(
        "#{:02x}{:02x}{:02x}".format(*(int(round(255 * v)) for v in cmap(t)[:3]))
        for t in np.linspace(0.0, 1.0, 9)
    )
    entry = LegendEntry(name, f"{name}: {label}", "ramp", stops[len(stops) // 2])
    entry.ramp = stops
    return entry


def _colour_table(layer: RasterLayer) -> dict[int, str]:
    """The file's colour table (a land-cover GeoTIFF's), value -> colour; {} when none."""
    try:
        with layer.open() as src:
            table = src.colormap(1)
    except (ValueError, LayerLoadError, OSError):
        return {}
    return {
        int(v): "#{:02x}{:02x}{:02x}{:02x}".format(*rgba)
        for v, rgba in table.items()
        if len(rgba) == 4
    }


def _capped(shape: tuple[int, int]) -> tuple[int, int]:
    rows, cols = (max(1, int(v)) for v in shape)
    factor = max(rows, cols) / MAX_SIDE
    if factor > 1:
        rows, cols = max(1, round(rows / factor)), max(1, round(cols / factor))
    return rows, cols


def _period_key(tf: TimeFilter | None) -> tuple[int, int]:
    return loss_year_values(tf)


def _number(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() or abs(v) >= 100 else f"{v:,.3g}"


def _copy(entry: LegendEntry) -> LegendEntry:
    """A fresh entry (callers set count and kind on theirs; the kept one stays as painted)."""
    import copy

    return copy.deepcopy(entry)


__all__ = ["RasterPainter", "hillshade", "ramp_entry", "raster_extent", "window_values"]
