"""The basemap inside the offline web map: its tiles over the exported extent as data.

Tiles covering the page's area at each zoom from the source's coarsest to the user's
`max_zoom` are written into the page as base64 text and drawn by a Leaflet GridLayer that
sets each tile image's `src` to a data: URI, so the page fetches nothing (the address check
of cartography/webmap_safe.py still runs on the whole page). Past `max_zoom` Leaflet scales
the finest embedded tiles. The size is known before anything is read (`plan_embed`), and a
page above MAX_EMBED_BYTES is refused unless the user confirms. See docs/webmap.md.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass, field

from cartography.webmap_safe import escape, script_json
from layers.basemap import TILE_FORMATS, BasemapLayer, web_mercator_level
from layers.i18n import tr

# Above this the page is slow to open on an analyst's laptop: ask before writing it.
MAX_EMBED_BYTES = 40_000_000
# Zoom levels embedded past the first view when the user sets none.
DEFAULT_EXTRA_ZOOMS = 2


@dataclass
class EmbedPlan:
    """The tiles a page would hold: (zoom, col, row) and their bytes once base64."""

    layer: BasemapLayer
    zooms: tuple[int, ...]
    tiles: list[tuple[int, int, int]] = field(default_factory=list)
    encoded_bytes: int = 0

    def describe(self) -> str:
        return tr("Basemap {name}: {n} tiles, zoom {a}-{b}, about {mb:.1f} MB in the page.").format(
            name=self.layer.name,
            n=len(self.tiles),
            a=self.zooms[0] if self.zooms else 0,
            b=self.zooms[-1] if self.zooms else 0,
            mb=self.encoded_bytes / 1e6,
        )


def _mercator_box(lonlat: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    from pyproj import Transformer

    w, s, e, n = lonlat
    to_merc = Transformer.from_crs(4326, 3857, always_xy=True)
    x0, y0 = to_merc.transform(w, max(s, -85.05))
    x1, y1 = to_merc.transform(e, min(n, 85.05))
    return x0, y0, x1, y1


def plan_embed(
    layer: BasemapLayer, lonlat: tuple[float, float, float, float], max_zoom: int
) -> EmbedPlan:
    """Which tiles cover `lonlat` at the source's zooms up to `max_zoom`, and their size
    (stored lengths only: no image is read). ValueError when the grid is not the web map's."""
    source = layer.tiles
    if not source.web_mercator:
        raise ValueError(
            tr(
                "{name} is not on the Web Mercator tile grid, so the web map cannot show it. "
                "Export it as MBTiles or XYZ tiles (EPSG:3857), or hide it for the web map."
            ).format(name=layer.name)
        )
    zooms = tuple(z for z in sorted(source.levels) if z <= max_zoom)
    if not zooms:
        zooms = (min(source.levels),)  # the coarsest there is beats a blank page
    plan = EmbedPlan(layer, zooms)
    box = _mercator_box(lonlat)
    for z in zooms:
        c0, r0, c1, r1 = web_mercator_level(z).tile_range(box)
        if c1 < c0 or r1 < r0:
            continue
        for c, r, size in source.tile_sizes(z, c0, r0, c1, r1):
            plan.tiles.append((z, c, r))
            plan.encoded_bytes += 4 * math.ceil(size / 3) + len(f'"{z}/{c}/{r}":"",')
    return plan


def check_size(plan: EmbedPlan, confirmed: bool) -> None:
    """ValueError (the size, and what to do) when the page would exceed MAX_EMBED_BYTES."""
    if plan.encoded_bytes > MAX_EMBED_BYTES and not confirmed:
        raise ValueError(
            tr(
                "{plan} That is over {limit} MB: lower --basemap-max-zoom, or pass "
                "--basemap-confirm to write it anyway."
            ).format(plan=plan.describe(), limit=MAX_EMBED_BYTES // 1_000_000)
        )


def default_max_zoom(view_zoom: float) -> int:
    return int(math.floor(view_zoom)) + DEFAULT_EXTRA_ZOOMS


def tile_data_script(plan: EmbedPlan) -> str:
    """`<script>` holding the tiles as base64 by "z/x/y" (read back by basemap_layer_js)."""
    tiles = set(plan.tiles)
    data: dict[str, str] = {}
    source = plan.layer.tiles
    for z in plan.zooms:
        cols = [c for zz, c, _ in tiles if zz == z]
        rows = [r for zz, _, r in tiles if zz == z]
        if not cols:
            continue
        for c, r, blob in source.tiles(z, min(cols), min(rows), max(cols), max(rows)):
            if (z, c, r) in tiles:
                data[f"{z}/{c}/{r}"] = base64.b64encode(blob).decode("ascii")
    mime = TILE_FORMATS.get(source.tile_format, "image/png")
    payload = {"mime": mime, "t": data}
    return "<script>var haTiles = " + script_json(payload) + ";</script>"


def basemap_layer_js(plan: EmbedPlan) -> str:
    """A line of map script (`{map}` is the folium map's name) adding the embedded tiles in
    Leaflet's tile pane, under every other layer, credited in the attribution control."""
    options = {
        "minNativeZoom": plan.zooms[0],
        "maxNativeZoom": plan.zooms[-1],
        "attribution": escape(plan.layer.attribution or plan.layer.name),
        "opacity": float(plan.layer.opacity),
    }
    return (
        "var haBase = L.GridLayer.extend({{createTile: function(c) {{"
        "var d = haTiles.t[c.z + '/' + c.x + '/' + c.y];"
        # A tile the source lacks is an empty box: an <img> without src draws a border.
        "if (!d) {{ return document.createElement('div'); }}"
        "var img = document.createElement('img'); img.alt = '';"
        "img.src = 'data:' + haTiles.mime + ';base64,' + d; return img; }}}});"
        f"var haBaseLayer = new haBase({script_json(options).replace('{', '{{').replace('}', '}}')})"
        ".addTo({map});"
    )


__all__ = [
    "MAX_EMBED_BYTES",
    "EmbedPlan",
    "basemap_layer_js",
    "check_size",
    "default_max_zoom",
    "plan_embed",
    "tile_data_script",
]
