"""Offline web map: one self-contained HTML file that opens with no network.

Leaflet's script, stylesheet and images are inlined from XStatic-Leaflet (cartography/
assets.py); folium's CDN lists are emptied so it writes no links. Colours, filters and
the legend come from the same renderer as the printed map. Every value that reaches the page
is escaped and the page is checked for addresses (cartography/webmap_safe.py).

Layers are packed for a whole country (cartography/webmap_pack.py, docs/webmap.md) and
drawn by cartography/webmap_js.py on one canvas. Point layers over AGGREGATE_OVER features
are shown as counts per km cell (the legend says which cell) until the view is close
enough to draw every point.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cartography.assets import leaflet_css, leaflet_js, marker_icons, script_tag, style_tag
from cartography.render import LegendEntry, MapRenderer
from cartography.webmap_pack import (
    COORD_ZOOM,
    EARTH_CIRCUMFERENCE_M,
    WORLD,
    aggregate_counts,
    encode_deltas,
    encode_ints,
    fit_zoom,
    nice_refs,
    pack_shapes,
    shape_geometry,
    spatial_order,
    to_world,
    world_coords,
    world_xy,
)
from cartography.webmap_safe import NOT_A_COLOUR, css_colour, escape, page_addresses, script_json
from layers.basemap import is_basemap
from layers.crs import WGS84
from layers.i18n import tr
from layers.layer import Layer, is_raster
from layers.numbers import compact, day, number
from layers.project import SYNTHETIC_NOTE, write_atomic
from layers.timefilter import TimeFilter

# Attribute columns shown in tooltips, in this order of canonical keys.
_TOOLTIP_KEYS = (
    "name",
    "region_code",
    "date",
    "year",
    "event_type",
    "actor_type",
    "fatalities",
    "hectares",
    "method",
    "facility_type",
    "capacity",
    "population",
    "status",
    "iucn_category",
)
MAX_FIELDS = 8
# Point layers with more features than this are drawn as counts per cell until zoomed in:
# 150,000 single dots are one purple blot at country scale.
AGGREGATE_OVER = 20_000
CELL_KM = (100, 50, 20, 10, 5)
MIN_CELL_PX = 10  # the finest cell at least this wide on screen is shown
POINTS_PX = 30  # single points once the finest cell is this wide
# Point layers with more features than this and a population field show the most populous
# at country scale, FIRST_VIEW_DOTS at the first view and four times more per zoom level
# (the same density on screen), with the legend saying so.
SELECT_OVER = 5_000
FIRST_VIEW_DOTS = 1_500
# Shapes are simplified to half a pixel this many zoom levels closer than the first view.
DETAIL_ZOOMS = 4
AGGREGATE_FILL_OPACITY = 0.55


def _value_text(v: object) -> str:
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return ""
    if isinstance(v, pd.Timestamp | date):
        return day(v)
    if isinstance(v, float | np.floating):
        return compact(v)
    return str(v)  # whole numbers as stored: codes and years are never grouped


def _tooltip_columns(layer: Layer, extra: Sequence[str | None]) -> list[str]:
    cols = layer.data.columns
    chosen: list[str] = []
    for col in [*extra, *(layer.field(k) for k in _TOOLTIP_KEYS)]:
        if col and col in cols and col != layer.data.geometry.name and col not in chosen:
            chosen.append(col)
    if not chosen:  # nothing mapped: the first few text/number columns
        chosen = [c for c in cols if c != layer.data.geometry.name][:4]
    return chosen[:MAX_FIELDS]


def _pack_attributes(frame: pd.DataFrame, rows: np.ndarray, columns: Sequence[str]) -> dict:
    """Tooltip values: per column the distinct texts (escaped) and one index per feature."""
    out = []
    for col in columns:
        codes, uniques = pd.factorize(frame[col].to_numpy()[rows], use_na_sentinel=True)
        texts = [escape(_value_text(u)) for u in uniques]
        codes = np.where(codes < 0, len(texts), codes)
        out.append([[*texts, ""], encode_ints(codes)])
    return {"f": [escape(c) for c in columns], "c": out}


def _style_spec(layer: Layer, kind: str, palette: Sequence[str]) -> dict:
    """How webmap_js.py fills and strokes a class: the folium styles the map used before."""
    st, opacity = layer.style, layer.opacity
    edge = css_colour(st.edge)
    fills = [css_colour(c) or "transparent" for c in palette]
    if kind == "line":
        single = edge or css_colour(st.fill) or NOT_A_COLOUR
        colours = fills if st.kind != "single" else [single] * len(fills)
        return {
            "fc": colours,
            "fo": 0,
            "sc": None,
            "so": opacity,
            "w": max(st.line_width, 0.8) * 1.5,
        }
    fill_opacity = 0.0 if st.no_fill else opacity * st.fill_alpha
    if kind == "point":
        radius = max(2.5, min(8.0, (st.marker_size**0.5) * 0.9))
        return {
            "fc": fills,
            "fo": fill_opacity,
            "sc": edge,
            "so": opacity,
            "w": 0.6,
            "r": radius,
            "afo": AGGREGATE_FILL_OPACITY,
        }
    return {
        "fc": fills,
        "fo": fill_opacity,
        "sc": edge,
        "so": opacity if edge else 0.0,
        "w": st.line_width if edge else 0.5,
    }


def _noun(layer: Layer) -> str:
    role = str(getattr(layer, "role", ""))
    if role == "violence":
        return tr("events")
    if role == "eradication":
        return tr("eradication records")
    return tr("points")


def _aggregate_levels(layer: Layer, coords: np.ndarray, crs, metric_crs) -> list[dict]:
    """Counts per cell for each of CELL_KM, in the project's metric CRS, ready for the page;
    `coords` are the points in `crs`."""
    from pyproj import Transformer

    to_metric = Transformer.from_crs(crs or WGS84, metric_crs, always_xy=True)
    to_lonlat = Transformer.from_crs(metric_crs, WGS84, always_xy=True)
    mx, my = to_metric.transform(coords[:, 0], coords[:, 1])
    lat = to_lonlat.transform(mx, my)[1]
    # metres on the ground per stored pixel, at the points' middle latitude
    metres = EARTH_CIRCUMFERENCE_M * math.cos(math.radians(float(np.median(lat)))) / WORLD
    noun, total = _noun(layer), len(mx)
    levels = []
    for km in CELL_KM:
        cx, cy, counts = aggregate_counts(mx, my, km * 1000.0)
        order = np.argsort(-counts, kind="stable")  # small circles drawn last, on top
        cx, cy, counts = cx[order], cy[order], counts[order]
        wx, wy = world_xy(*to_lonlat.transform(cx, cy))
        top = int(counts.max())
        note = tr("{layer}: {n} {noun} shown as counts per {km} km cell (circle area ∝ count).")
        tip = tr("{count} {noun} in this {km} km cell")
        levels.append(
            {
                "m": int(len(counts)),
                "xy": encode_deltas(np.column_stack([np.rint(wx), np.rint(wy)])),
                "c": encode_ints(counts),
                "q": km * 1000.0 / metres,
                "max": top,
                "note": escape(note.format(layer=layer.name, n=number(total), noun=noun, km=km)),
                "tip": escape(tip.format(count="{n}", noun=noun, km=km)),
                "refs": [[r, escape(number(r))] for r in nice_refs(top)],
            }
        )
    return levels


def _population_steps(layer: Layer, population: np.ndarray, z0: float) -> tuple[np.ndarray, dict]:
    """Most populous first, and per zoom step from the first view how many are shown."""
    pop = pd.to_numeric(pd.Series(population), errors="coerce").to_numpy(dtype=float)
    order = np.argsort(-np.nan_to_num(pop, nan=-np.inf), kind="stable")
    ranked, n, steps = pop[order], len(pop), []
    while True:
        k = min(n, FIRST_VIEW_DOTS * 4 ** len(steps))
        if k == n:
            note = tr("{layer}: all {n} shown.").format(layer=layer.name, n=number(n))
            steps.append([k, escape(note)])
            break
        least = ranked[k - 1]
        note = tr(
            "{layer}: the {k} most populous of {n} shown at this zoom "
            "(population {p} or more); zoom in for more."
        ).format(
            layer=layer.name,
            k=number(k),
            n=number(n),
            p=number(int(least) if np.isfinite(least) else 0),
        )
        steps.append([k, escape(note)])
    return order, {"z0": z0, "steps": steps}


def _layer_specs(
    layer: Layer,
    renderer: MapRenderer,
    time_filter: TimeFilter | None,
    tolerance: float,
    metric_crs,
    legend_id: str,
    zoom: float = 0.0,
) -> tuple[list[dict], LegendEntry, bool]:
    """What webmap_js.py needs to draw `layer` (one spec per geometry kind it holds), its
    legend entry, and whether the legend gets a note that changes with the zoom (points
    counted per cell, or the most populous selected); `zoom` is the first view's."""
    import shapely

    gdf = layer.data
    colours, drawn, entry = renderer.feature_styles(layer, layer.crs or WGS84, time_filter)
    rows = np.flatnonzero(drawn)
    geoms = np.asarray(gdf.geometry.values, dtype=object)[rows]
    value_col = renderer.value_column(layer, time_filter) if layer.style.kind != "single" else None
    columns = _tooltip_columns(layer, [value_col, layer.style.field, layer.style.label_field])
    types = shapely.get_type_id(geoms)
    coverage = str(getattr(layer, "role", "")) == "admin_boundaries"
    specs: list[dict] = []
    aggregated = False
    selection = None
    for kind, type_ids in (("polygon", (3, 6)), ("line", (1, 2, 5)), ("point", (0, 4))):
        sel = np.flatnonzero(np.isin(types, type_ids))
        if not sel.size:
            continue
        if kind == "point":
            coords, part = shapely.get_coordinates(geoms[sel], return_index=True)
            feature_rows = rows[sel[part]]
            x, y = to_world(coords, gdf.crs).T
            population = layer.field("population")
            selection = None
            if SELECT_OVER < len(feature_rows) <= AGGREGATE_OVER and population in gdf.columns:
                order, selection = _population_steps(
                    layer, gdf[population].to_numpy()[feature_rows], zoom
                )
            else:
                order = spatial_order(x, y)
            feature_rows, x, y = feature_rows[order], x[order], y[order]
            geometry = {"xy": encode_deltas(np.column_stack([np.rint(x), np.rint(y)]))}
            spec_n = len(feature_rows)
        else:
            box = shapely.bounds(geoms[sel])
            order = spatial_order((box[:, 0] + box[:, 2]) / 2, (box[:, 1] + box[:, 3]) / 2)
            feature_rows = rows[sel[order]]
            geometry = shape_geometry(
                geoms[sel[order]], gdf.crs, kind, tolerance, coverage and kind == "polygon"
            )
            spec_n = len(feature_rows)
        classes, palette = pd.factorize(colours[feature_rows])
        spec: dict = {
            "k": kind,
            "n": int(spec_n),
            "g": geometry,
            "s": _style_spec(layer, kind, [str(c) for c in palette]),
            "legend": legend_id,
            "name": escape(layer.name),
        }
        if len(palette) > 1:
            spec["c"] = encode_ints(classes)
        if columns:
            spec["a"] = _pack_attributes(gdf, feature_rows, columns)
        if kind == "point" and selection is not None:
            aggregated = True
            spec["sel"] = selection
            spec["note"] = legend_id + "-note"
        if kind == "point" and spec_n > AGGREGATE_OVER:
            aggregated = True
            # one colour for the circles: the class colour, or the layer's when it has classes
            spec["s"]["ac"] = (
                spec["s"]["fc"][0] if len(palette) == 1 else css_colour(layer.style.fill)
            ) or NOT_A_COLOUR
            spec["agg"] = _aggregate_levels(layer, coords[order], gdf.crs, metric_crs)
            spec["note"] = legend_id + "-note"
            spec["single"] = escape(
                tr("{layer}: {n} {noun}, each drawn as a point.").format(
                    layer=layer.name, n=number(spec_n), noun=_noun(layer)
                )
            )
        specs.append(spec)
    return specs, entry, aggregated


def _spec_json(specs: list[dict]) -> str:
    return script_json(specs)


def _legend_html(
    entries: Sequence[tuple[LegendEntry, str, bool]], notes: Sequence[str] = ()
) -> str:
    """Legend rows per (entry, block id, counted per cell?); webmap_js.py hides a layer's
    block when the layer is switched off and writes the per-cell note for the zoom."""
    rows: list[str] = []

    def swatch(e: LegendEntry) -> str:
        colour = css_colour(e.color) or "transparent"
        edge = css_colour(e.edge) or "#777"
        if e.kind == "point":
            return (
                f'<span class="ha-sw" style="border-radius:50%;background:{colour};'
                f'border:1px solid {edge};width:10px;height:10px;margin:2px 4px"></span>'
            )
        if e.kind == "ramp" and e.ramp:  # a raster's colour ramp, low to high
            stops = ",".join(css_colour(c) or "transparent" for c in e.ramp)
            return (
                f'<span class="ha-sw" style="width:36px;'
                f'background:linear-gradient(to right,{stops});border:1px solid #777"></span>'
            )
        if e.kind == "line":
            return (
                f'<span class="ha-sw" style="height:3px;background:{colour};margin:7px 0"></span>'
            )
        return f'<span class="ha-sw" style="background:{colour};border:1px solid {edge}"></span>'

    for e, block, counted in reversed(list(entries)):
        rows.append(f'<div id="{block}">')
        if e.children:
            rows.append(f'<div class="ha-h">{escape(e.label)}</div>')
            rows.extend(f"<div>{swatch(c)}{escape(c.label)}</div>" for c in e.children)
        else:
            rows.append(f"<div>{swatch(e)}{escape(e.label)}</div>")
        if counted:
            rows.append(f'<div class="ha-note" id="{block}-note"></div>')
        rows.append("</div>")
    rows.extend(f'<div class="ha-note">{escape(n)}</div>' for n in notes)
    return (
        '<div id="ha-legend" class="ha-box"><div class="ha-title">'
        + escape(tr("Legend"))
        + "</div>"
        + "".join(rows)
        + "</div>"
    )


_CSS = """
.ha-box{position:fixed;z-index:1000;background:rgba(255,255,255,.93);padding:8px 10px;
 border:1px solid #999;border-radius:4px;font:12px/1.35 "DejaVu Sans",Arial,sans-serif;
 color:#222;box-shadow:0 1px 4px rgba(0,0,0,.25)}
#ha-legend{right:10px;bottom:24px;max-height:60%;overflow:auto;max-width:260px}
#ha-header{left:54px;top:10px;max-width:60%}
#ha-header h1{font-size:17px;margin:0 0 2px 0}
.ha-sub{color:#555}.ha-synth{color:#b2182b;font-weight:bold;margin-top:3px}
.ha-title{font-weight:bold;margin-bottom:4px}.ha-h{font-weight:bold;margin-top:4px}
.ha-note{color:#555;font-style:italic;margin-top:4px;max-width:240px}
.ha-sw{display:inline-block;width:14px;height:11px;margin-right:6px;vertical-align:middle}
.ha-bubbles{display:flex;align-items:flex-end;gap:10px;margin-top:4px;font-style:normal}
.ha-bub-row{display:inline-flex;flex-direction:column;align-items:center;color:#333}
.ha-bub{display:inline-block;border:1px solid;border-radius:50%;opacity:.8;margin-bottom:2px}
.ha-tt th{text-align:left;padding-right:8px;font-weight:bold}.ha-tt td{text-align:left}
.ha-tt{border-collapse:collapse;font-size:12px}
.ha-raster{image-rendering:pixelated}
.ha-tip-layer{color:#666;font-size:11px;margin-top:3px;border-top:1px solid #ddd}
.ha-tip-layer:first-child{margin-top:0;border-top:0}
"""


def _bulk_layers_js() -> str:
    from cartography.webmap_js import BULK_LAYERS_JS

    return (
        BULK_LAYERS_JS.replace("__COORD_ZOOM__", str(COORD_ZOOM))
        .replace("__MIN_CELL_PX__", str(MIN_CELL_PX))
        .replace("__POINTS_PX__", str(POINTS_PX))
    )


def _folium_classes():
    """folium elements for a packed canvas layer (listed in the layer control) and a line
    of script run in order with the map's own; made here so folium loads only when used."""
    from branca.element import MacroElement
    from folium.map import Layer as FoliumLayer
    from jinja2 import Template

    class CanvasLayer(FoliumLayer):
        # folium parses a macro's output again as a template, so the packed data (which can
        # hold "{{") stays out of it: it is written once, verbatim, by `Verbatim` below.
        _template = Template(
            "{% macro script(this, kwargs) %}"
            "var {{ this.get_name() }} = haAtlas.layer(haData[{{ this.index }}]);"
            "{% endmacro %}"
        )

        def __init__(self, index: int, name: str) -> None:
            super().__init__(name=name, overlay=True, control=True, show=True)
            self._name = "CanvasLayer"
            self.index = index

    class Script(MacroElement):
        _template = Template("{% macro script(this, kwargs) %}{{ this.code }}{% endmacro %}")

        def __init__(self, code: str) -> None:
            super().__init__()
            self._code = code

        @property
        def code(self) -> str:
            return self._code.format(map=self._parent.get_name())

    return CanvasLayer, Script


def _verbatim(text: str):
    """A page element written as is: its text is substituted, never parsed as a template."""
    from branca.element import Element
    from jinja2 import Template

    element = Element()
    element._template = Template("{{ this.text }}")
    element.text = text
    return element


def _raster_overlays(m, script, chosen, rasters, view, zoom, time_filter, entries, notes):
    """Each raster (not a basemap) as an image layer with a legend block and a layer-control
    entry (cartography/webmap_raster.py), stacked in the project's order: the vector layers
    between two rasters share one canvas pane. Returns the overlays and layer.id -> pane of
    the vector layers ("top": the topmost), {} without rasters (one shared canvas, as ever)."""
    if not rasters:
        return [], {}
    from cartography.webmap_raster import overlay_js, pane_js, raster_overlays

    overlays, problems = raster_overlays(rasters, view, zoom, time_filter)
    notes.extend(problems)  # said under the legend: the page stays up without that raster
    if not overlays:
        return [], {}
    drawn = {o.layer.id: i for i, o in enumerate(overlays)}
    panes: dict = {}
    level = 0
    for layer in chosen:  # bottom to top
        if layer.id in drawn:
            if level % 2 == 0:
                level += 1  # a raster pane above the vectors so far
            script(pane_js(f"haP{level}", level)).add_to(m)
            i = drawn[layer.id]
            _image_layer(overlay_js(i, f"ha-leg-r{i}", f"haP{level}"), escape(layer.name)).add_to(m)
            entries.append((overlays[i].entry, f"ha-leg-r{i}", False))
        elif not is_raster(layer):
            if level % 2 == 1:
                level += 1  # a vector pane above the last raster
            panes[layer.id] = f"haP{level}"
    top = level if level % 2 == 0 else level + 1
    panes["top"] = f"haP{top}"
    for n in range(0, top + 1, 2):
        script(pane_js(f"haP{n}", n)).add_to(m)
    return overlays, panes


def _image_layer(code: str, name: str):
    """A folium layer (listed in the layer control) made by a line of Leaflet script."""
    from folium.map import Layer as FoliumLayer
    from jinja2 import Template

    class ImageLayer(FoliumLayer):
        _template = Template(
            "{% macro script(this, kwargs) %}"
            "var {{ this.get_name() }} = {{ this.code }}.addTo({{ this._parent.get_name() }});"
            "{% endmacro %}"
        )

    layer = ImageLayer(name=name, overlay=True, control=True, show=True)
    layer._name = "ImageLayer"
    layer.code = code
    return layer


def _tiles_url(tiles: str | Path, out: Path) -> str:
    folder = Path(tiles)
    if re.match(r"^[a-z]+://", str(tiles), re.I):
        raise ValueError(
            tr("--tiles takes a local folder of {z}/{x}/{y}.png tiles, not a web address.")
        )
    if not folder.is_dir():
        raise ValueError(tr("Tile folder not found: {p}").format(p=folder))
    rel = os.path.relpath(folder.resolve(), out.resolve().parent)
    return Path(rel).as_posix().rstrip("/") + "/{z}/{x}/{y}.png"


def build_webmap(
    project,
    out: Path,
    *,
    layers: Sequence[Layer] | None = None,
    title: str | None = None,
    time_filter: TimeFilter | None = None,
    region=None,
    tiles: str | Path | None = None,
    basemap_max_zoom: int | None = None,
    basemap_confirm: bool = False,
    on_basemap_plan=None,
) -> str:
    """The complete offline HTML page as text. A visible basemap's tiles are embedded up to
    `basemap_max_zoom` (cartography/webmap_basemap.py); `on_basemap_plan(plan)` hears their
    size before they are read, and a page over the limit needs `basemap_confirm`."""
    import folium
    from branca.element import Element

    chosen = [layer for layer in (layers or list(project.layers)) if layer.visible]
    basemaps = [layer for layer in chosen if is_basemap(layer)]
    # A basemap's tiles are embedded (below); other rasters as images (webmap_raster.py).
    rasters = [layer for layer in chosen if is_raster(layer) and not is_basemap(layer)]
    layers = [layer for layer in chosen if not is_raster(layer)]
    bounds = project.lonlat_bounds() or (-180.0, -60.0, 180.0, 75.0)
    outline = None
    view = bounds
    if region is not None:
        import geopandas as gpd

        outline = gpd.GeoSeries([region.geometry], crs=project.metric_crs).to_crs(WGS84)
        view = tuple(outline.total_bounds)
    zoom = fit_zoom(view)
    m = folium.Map(
        location=[(view[1] + view[3]) / 2, (view[0] + view[2]) / 2],
        zoom_start=round(zoom),
        tiles=None,
        control_scale=True,
        prefer_canvas=True,
        zoom_snap=0.25,  # fit the area snugly instead of jumping a whole zoom level out
    )
    # No CDN links: Leaflet is inlined below; nothing else is needed.
    m.default_js = []
    m.default_css = []
    root = m.get_root()
    root.title = escape(title or project.title or "Harm Atlas")
    if tiles:
        folium.TileLayer(
            tiles=_tiles_url(tiles, out),
            attr=escape(tr("Local tiles")),
            name=escape(tr("Basemap (local tiles)")),
            max_zoom=19,
        ).add_to(m)
    canvas_layer, script = _folium_classes()
    base_plan = None
    if basemaps:  # the bottom one: the picker shows one basemap at a time
        from cartography.webmap_basemap import check_size, default_max_zoom, plan_embed

        top = basemap_max_zoom if basemap_max_zoom is not None else default_max_zoom(zoom)
        base_plan = plan_embed(basemaps[0], view, top)
        if on_basemap_plan is not None:
            on_basemap_plan(base_plan)
        check_size(base_plan, basemap_confirm)
    # Fit before any layer is added, without animation: every layer is projected once, at
    # the zoom it is first drawn at.
    view_js = script_json([[view[1], view[0]], [view[3], view[2]]])
    script(f"{{map}}.fitBounds({view_js}, {{{{animate: false}}}});").add_to(m)
    if base_plan is not None:
        from cartography.webmap_basemap import basemap_layer_js

        script(basemap_layer_js(base_plan)).add_to(m)
    tolerance = 0.5 * 2 ** (COORD_ZOOM - zoom - DETAIL_ZOOMS)
    entries: list[tuple[LegendEntry, str, bool]] = []
    notes: list[str] = []
    overlays, panes = _raster_overlays(
        m, script, chosen, rasters, view, zoom, time_filter, entries, notes
    )
    packed: list[str] = []
    renderer = MapRenderer()
    for index, layer in enumerate(layers):
        if layer.data.empty:
            continue
        block = f"ha-leg-{index}"
        specs, entry, counted = _layer_specs(
            layer, renderer, time_filter, tolerance, project.metric_crs, block, zoom
        )
        renderer.forget(layer)  # its metric copy and index are not needed again here
        if not specs:
            continue
        for spec in specs:  # the canvas between the rasters under and over it (project order)
            if panes:
                spec["p"] = panes[layer.id]
        packed.append(_spec_json(specs))
        canvas_layer(len(packed) - 1, escape(layer.name)).add_to(m)
        entries.append((entry, block, counted))
    if overlays:  # the legend lists rasters and vectors in the project's order
        order = {layer.name: i for i, layer in enumerate(chosen)}
        entries.sort(key=lambda item: order.get(item[0].layer_name, -1))
    if outline is not None:
        import shapely

        ring = shapely.transform(shapely.boundary(outline.to_numpy()), world_coords)
        spec = {
            "k": "line",
            "n": 1,
            "g": pack_shapes(ring, polygon=False),
            "s": {"fc": ["#d7301f"], "fo": 0, "sc": None, "so": 1.0, "w": 3},
        }
        if panes:
            spec["p"] = panes["top"]
        name = escape(tr("Selected region: {n}").format(n=region.name))
        packed.append(_spec_json([spec]))
        canvas_layer(len(packed) - 1, name).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    script("haAtlas.ready({map});").add_to(m)  # tooltips; marks the page once drawn
    tf_label = time_filter.label if time_filter else tr("all years")
    header = (
        '<div id="ha-header" class="ha-box"><h1>'
        + escape(title or project.title or tr("Harm Atlas map"))
        + '</h1><div class="ha-sub">'
        + escape(tr("Period: {p}").format(p=tf_label))
        + " · "
        + escape(tr("Made with Harm Atlas on {d}").format(d=day(date.today(), long=True)))
        + "</div>"
        + (
            f'<div class="ha-synth">{escape(tr(SYNTHETIC_NOTE))}</div>'
            if project.is_synthetic
            else ""
        )
        + "</div>"
    )
    root.html.add_child(Element(header + _legend_html(entries, notes)))
    icons = marker_icons()
    icon_js = (
        "L.Icon.Default.imagePath='';"
        + "Object.assign(L.Icon.Default.prototype.options,"
        + script_json(icons)
        + ");"
    )
    root.header.add_child(
        Element(
            style_tag(leaflet_css())
            + style_tag(_CSS)
            + script_tag(leaflet_js())
            + script_tag(icon_js)
            + script_tag(_bulk_layers_js())
        ),
        name="ha_offline_assets",
        index=0,
    )
    root.header.add_child(
        _verbatim("<script>var haData = [" + ",".join(packed) + "];</script>"), name="ha_data"
    )
    del packed
    if base_plan is not None:
        from cartography.webmap_basemap import tile_data_script

        root.header.add_child(_verbatim(tile_data_script(base_plan)), name="ha_tiles")
    if overlays:
        from cartography.webmap_raster import overlay_data_script

        root.header.add_child(_verbatim(overlay_data_script(overlays)), name="ha_rasters")
    page = root.render()
    leftover = page_addresses(page)
    if leftover:  # our code or folium wrote one (data cannot): refuse to ship a networked file
        raise RuntimeError(f"web map would load from the network: {leftover[:5]}")
    return page


def export_webmap(project, out: str | Path, **options: Any) -> Path:
    """Write the offline web map to `out` atomically; returns the path. `options` are
    build_webmap's (layers, title, time_filter, region, tiles)."""
    from cartography.errors import ExportError

    out = Path(out)
    try:
        page = build_webmap(project, out, **options)
    except ValueError as exc:
        raise ExportError(str(exc)) from None
    write_atomic(out, page)
    os.chmod(out, 0o644)  # the atomic writer's temporary file is private
    return out
