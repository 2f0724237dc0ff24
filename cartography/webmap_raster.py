"""Raster layers (forest loss, population, a KDE GeoTIFF…) inside the offline web map.

Each visible raster that is not a basemap becomes one image over the exported area,
painted by cartography/raster_draw.py's RasterPainter exactly as the printed maps are (same
colours, the period's loss only, any clearing under a pixel kept) on a Web Mercator grid,
so Leaflet's ImageOverlay places it without distortion. The image is a PNG written into the
page as a data: URI (the page fetches nothing; cartography/webmap_safe.py still checks it).
Its resolution is the exported view's zoom plus OVERLAY_EXTRA_ZOOMS, never finer than the
raster's own pixels, within MAX_OVERLAY_PIXELS (docs/webmap.md). Overlays sit in their own
pane between the basemap and the vector layers, each with a legend block and a toggle.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from pyproj import CRS, Transformer

from cartography.legend import LegendEntry
from cartography.raster_draw import RasterPainter, raster_extent
from cartography.webmap_safe import script_json
from layers.errors import LayerLoadError
from layers.i18n import tr
from layers.raster import RasterLayer
from layers.timefilter import TimeFilter

WEB_MERCATOR = CRS.from_epsg(3857)
# Pixels of one raster image at most (~2,000 x 2,000): a few hundred kB of PNG for sparse
# loss, a few MB for a dense continuous grid; the page stays quick to open.
MAX_OVERLAY_PIXELS = 4_000_000
# Zoom levels past the first view painted at full sharpness (Leaflet scales beyond them).
OVERLAY_EXTRA_ZOOMS = 2
# Web Mercator metres per pixel at zoom 0 (256-pixel tiles).
ZOOM0_METRES = 2 * math.pi * 6_378_137.0 / 256
# Panes of rasters and of the vector canvases between them, stacked from here up (Leaflet:
# tiles 200, overlays 400, markers 600, tooltips 650).
PANE_BASE_Z = 410


@dataclass
class RasterOverlay:
    """One raster's image for the page: PNG bytes, lon/lat corners, legend entry."""

    layer: RasterLayer
    png: bytes
    south_west: tuple[float, float]  # (lat, lon)
    north_east: tuple[float, float]
    shape: tuple[int, int]  # (rows, cols) painted
    entry: LegendEntry

    def data(self) -> dict:
        """What the page's script reads: the image as a data: URI, bounds and opacity."""
        uri = "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")
        return {
            "src": uri,
            "b": [list(self.south_west), list(self.north_east)],
            "o": float(self.layer.opacity),
        }


def overlay_shape(
    box: tuple[float, float, float, float], zoom: float, native: tuple[float, float]
) -> tuple[int, int]:
    """(rows, cols) of a Web Mercator `box` at `zoom` + OVERLAY_EXTRA_ZOOMS, no finer than
    the raster's `native` pixel size there (metres), within MAX_OVERLAY_PIXELS."""
    x0, y0, x1, y1 = box
    pixel = ZOOM0_METRES / 2 ** (math.floor(zoom) + OVERLAY_EXTRA_ZOOMS)
    pixel = max(pixel, min(native))
    cols, rows = (x1 - x0) / pixel, (y1 - y0) / pixel
    factor = math.sqrt(rows * cols / MAX_OVERLAY_PIXELS)
    if factor > 1:
        cols, rows = cols / factor, rows / factor
    return max(1, round(rows)), max(1, round(cols))


def raster_overlays(
    layers: Sequence[RasterLayer],
    view: tuple[float, float, float, float],
    zoom: float,
    time_filter: TimeFilter | None,
    painter: RasterPainter | None = None,
) -> tuple[list[RasterOverlay], list[str]]:
    """The images of `layers` over the lon/lat `view` (the page's first view, zoom `zoom`),
    and one line per layer that could not be read (the page's legend says it). A raster
    outside the area is simply left out."""
    from PIL import Image

    painter = painter or RasterPainter()
    to_merc = Transformer.from_crs(4326, 3857, always_xy=True)
    to_lonlat = Transformer.from_crs(3857, 4326, always_xy=True)
    w, s, e, n = view
    area = to_merc.transform_bounds(w, max(s, -85.05), e, min(n, 85.05), densify_pts=21)
    overlays, problems = [], []
    for layer in layers:
        whole = raster_extent(layer, WEB_MERCATOR)
        box = (
            max(area[0], whole[0]),
            max(area[1], whole[1]),
            min(area[2], whole[2]),
            min(area[3], whole[3]),
        )
        if not (box[2] > box[0] and box[3] > box[1]):
            continue
        native = (
            (whole[2] - whole[0]) / layer.info.width,
            (whole[3] - whole[1]) / layer.info.height,
        )
        shape = overlay_shape(box, zoom, native)
        try:
            rgba, entry = painter.image(layer, WEB_MERCATOR, box, shape, time_filter)
        except LayerLoadError as exc:
            problems.append(
                tr("{name} is not in this page: {why}").format(name=layer.name, why=exc.one_line())
            )
            continue
        painter.forget(layer)  # one image per layer: nothing to keep for a next view
        buffer = io.BytesIO()
        Image.fromarray(np.ascontiguousarray(rgba), "RGBA").save(buffer, "PNG", optimize=True)
        west, south = to_lonlat.transform(box[0], box[1])
        east, north = to_lonlat.transform(box[2], box[3])
        overlays.append(
            RasterOverlay(
                layer, buffer.getvalue(), (south, west), (north, east), rgba.shape[:2], entry
            )
        )
    return overlays, problems


def overlay_data_script(overlays: Sequence[RasterOverlay]) -> str:
    """`<script>` holding every overlay's image and bounds (read by overlay_layer_js)."""
    return "<script>var haRasters = " + script_json([o.data() for o in overlays]) + ";</script>"


def pane_js(name: str, level: int) -> str:
    """A line of map script (`{map}`: the folium map's name) making pane `name` at stacking
    `level` over Leaflet's overlay pane (400) and under its markers (600), unless it exists."""
    quoted = script_json(name)
    return (
        f"if (!{{map}}.getPane({quoted})) {{{{ var p = {{map}}.createPane({quoted});"
        f"p.style.zIndex = {PANE_BASE_Z + level}; p.style.pointerEvents = 'none'; }}}}"
    )


def overlay_js(index: int, legend_id: str, pane: str) -> str:
    """Script making overlay `index` a Leaflet image layer in `pane` (a layer-control
    entry) whose legend block `legend_id` shows only while the layer is on."""
    legend = script_json(legend_id)
    return (
        f"L.imageOverlay(haRasters[{index}].src, haRasters[{index}].b, "
        f"{{opacity: haRasters[{index}].o, pane: {script_json(pane)}, interactive: false, "
        "className: 'ha-raster'})"
        ".on('add remove', function (e) {"
        f"var el = document.getElementById({legend});"
        "if (el) { el.style.display = e.type === 'add' ? '' : 'none'; } })"
    )


__all__ = [
    "MAX_OVERLAY_PIXELS",
    "OVERLAY_EXTRA_ZOOMS",
    "RasterOverlay",
    "overlay_data_script",
    "overlay_js",
    "overlay_shape",
    "pane_js",
    "raster_overlays",
]
