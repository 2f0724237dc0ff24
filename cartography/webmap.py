"""Offline web map: one self-contained folium HTML file that opens with no network.

Leaflet's script, stylesheet and images are inlined from XStatic-Leaflet (cartography/
assets.py); folium's CDN lists are emptied so it writes no links. Colours, filters and
the legend come from the same renderer as the printed map. Every attribute value, alias,
layer name and title is escaped (HTML plus backtick and `$`, docs/traps.md): GeoJsonTooltip
puts values into innerHTML and layer names go into the layer control as HTML.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from cartography.assets import leaflet_css, leaflet_js, marker_icons, script_tag, style_tag
from cartography.render import LegendEntry, MapRenderer
from layers.crs import WGS84
from layers.i18n import tr
from layers.layer import Layer
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
# Beyond this many features a layer's points are sampled (with a note in the legend):
# a browser struggles with more SVG/canvas markers than this in one file.
MAX_FEATURES = 50_000
_MARKER_RADIUS = {"point": 4}


def escape(value: object) -> str:
    """Text safe in HTML, in JS template literals and in innerHTML (docs/traps.md)."""
    return html.escape(str(value), quote=True).replace("`", "&#96;").replace("$", "&#36;")


def _value_text(v: object) -> str:
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return ""
    if isinstance(v, pd.Timestamp | date):
        return v.isoformat()[:10]
    if isinstance(v, float | np.floating):
        return f"{float(v):,.2f}".rstrip("0").rstrip(".")
    return str(v)


def _tooltip_columns(layer: Layer, extra: Sequence[str | None]) -> list[str]:
    cols = layer.data.columns
    chosen: list[str] = []
    for col in [*extra, *(layer.field(k) for k in _TOOLTIP_KEYS)]:
        if col and col in cols and col != layer.data.geometry.name and col not in chosen:
            chosen.append(col)
    if not chosen:  # nothing mapped: the first few text/number columns
        chosen = [c for c in cols if c != layer.data.geometry.name][:4]
    return chosen[:MAX_FIELDS]


def _layer_geojson(
    layer: Layer,
    renderer: MapRenderer,
    time_filter: TimeFilter | None,
    tolerance: float,
) -> tuple[dict, list[str], LegendEntry, int]:
    """FeatureCollection (EPSG:4326, escaped text), aliases, legend entry, features dropped."""
    import shapely

    gdf = layer.data
    crs = layer.crs or WGS84
    colours, drawn, entry = renderer.feature_styles(layer, crs, time_filter)
    rows = np.flatnonzero(drawn)
    dropped = 0
    if rows.size > MAX_FEATURES:
        dropped = rows.size - MAX_FEATURES
        rows = np.sort(np.random.default_rng(0).choice(rows, MAX_FEATURES, replace=False))
    sub = gdf.iloc[rows]
    if sub.crs is not None and not WGS84.equals(sub.crs):
        sub = sub.to_crs(WGS84)
    geoms = np.asarray(sub.geometry.values, dtype=object)
    if tolerance > 0:
        geoms = shapely.simplify(geoms, tolerance, preserve_topology=True)
    geoms = shapely.set_precision(geoms, 1e-6)
    value_col = renderer.value_column(layer, time_filter) if layer.style.kind != "single" else None
    columns = _tooltip_columns(layer, [value_col, layer.style.field, layer.style.label_field])
    aliases = [escape(c) for c in columns]
    # Property keys are fixed ("f0".."f7"): column names never reach the page unescaped.
    values = {
        f"f{i}": [escape(_value_text(v)) for v in sub[c].to_numpy()] for i, c in enumerate(columns)
    }
    features = []
    shapes = shapely.to_geojson(geoms)
    for i, (shape, colour) in enumerate(zip(shapes, colours[rows], strict=True)):
        if shape is None:
            continue
        props = {key: vals[i] for key, vals in values.items()}
        props["_c"] = str(colour)
        features.append({"type": "Feature", "geometry": json.loads(shape), "properties": props})
    return {"type": "FeatureCollection", "features": features}, aliases, entry, dropped


def _style_for(layer: Layer, kind: str):
    st, opacity = layer.style, layer.opacity
    edge = st.edge if st.edge and st.edge != "none" else None

    def style(feature: dict) -> dict:
        colour = feature["properties"].get("_c", st.fill)
        if kind == "line":
            return {
                "color": colour if st.kind != "single" else (edge or st.fill),
                "weight": max(st.line_width, 0.8) * 1.5,
                "opacity": opacity,
            }
        return {
            "fill": not st.no_fill,
            "fillColor": colour,
            "fillOpacity": 0.0 if st.no_fill else opacity * st.fill_alpha,
            "color": edge or colour,
            "weight": (st.line_width if edge else 0.5) if kind != "point" else 0.6,
            "opacity": opacity if (edge or kind == "point") else 0.0,
        }

    return style


def _legend_html(entries: Sequence[LegendEntry], notes: Sequence[str]) -> str:
    rows: list[str] = []

    def swatch(e: LegendEntry) -> str:
        colour = escape(e.color if e.color not in ("none", "", None) else "transparent")
        edge = escape(e.edge if e.edge not in ("none", "", None) else "#777")
        if e.kind == "point":
            return (
                f'<span class="ha-sw" style="border-radius:50%;background:{colour};'
                f'border:1px solid {edge};width:10px;height:10px;margin:2px 4px"></span>'
            )
        if e.kind == "line":
            return (
                f'<span class="ha-sw" style="height:3px;background:{colour};margin:7px 0"></span>'
            )
        return f'<span class="ha-sw" style="background:{colour};border:1px solid {edge}"></span>'

    for e in reversed(list(entries)):
        if e.children:
            rows.append(f'<div class="ha-h">{escape(e.label)}</div>')
            rows.extend(f"<div>{swatch(c)}{escape(c.label)}</div>" for c in e.children)
        else:
            rows.append(f"<div>{swatch(e)}{escape(e.label)}</div>")
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
"""


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
) -> str:
    """The complete offline HTML page as text."""
    import folium
    from branca.element import Element

    layers = [layer for layer in (layers or list(project.layers)) if layer.visible]
    bounds = project.lonlat_bounds() or (-180.0, -60.0, 180.0, 75.0)
    m = folium.Map(
        location=[(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2],
        zoom_start=8,
        tiles=None,
        control_scale=True,
        prefer_canvas=True,
        zoom_snap=0.25,  # fit the area snugly instead of jumping a whole zoom level out
    )
    # No CDN links: Leaflet is inlined below; nothing else is needed (CircleMarker, GeoJson*).
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
    width = max(bounds[2] - bounds[0], 1e-6)
    tolerance = width / 4000.0  # about a screen pixel at the full extent
    entries: list[LegendEntry] = []
    notes: list[str] = []
    renderer = MapRenderer()
    for layer in layers:
        if layer.data.empty:
            continue
        data, aliases, entry, dropped = _layer_geojson(layer, renderer, time_filter, tolerance)
        if not data["features"]:
            continue
        kind = entry.kind if entry.kind in ("point", "line") else "polygon"
        fields = [f"f{i}" for i in range(len(aliases))]
        radius = max(2.5, min(8.0, (layer.style.marker_size**0.5) * 0.9))
        gj = folium.GeoJson(
            data,
            name=escape(layer.name),
            style_function=_style_for(layer, kind),
            marker=folium.CircleMarker(radius=radius) if kind == "point" else None,
            tooltip=folium.GeoJsonTooltip(fields=fields, aliases=aliases, sticky=True)
            if fields
            else None,
            popup=folium.GeoJsonPopup(fields=fields, aliases=aliases) if fields else None,
            zoom_on_click=False,
            embed=True,
        )
        gj.add_to(m)
        entries.append(entry)
        if dropped:
            notes.append(
                tr("{layer}: {n:,} of {t:,} features shown (sampled).").format(
                    layer=layer.name, n=len(data["features"]), t=len(data["features"]) + dropped
                )
            )
    if region is not None:
        import geopandas as gpd
        from shapely.geometry import mapping

        outline = gpd.GeoSeries([region.geometry], crs=project.metric_crs).to_crs(WGS84)
        folium.GeoJson(
            {"type": "Feature", "properties": {}, "geometry": mapping(outline.iloc[0])},
            name=escape(tr("Selected region: {n}").format(n=region.name)),
            style_function=lambda _f: {"fill": False, "color": "#d7301f", "weight": 3},
        ).add_to(m)
        b = outline.total_bounds
    else:
        b = bounds
    m.fit_bounds([[b[1], b[0]], [b[3], b[2]]])
    folium.LayerControl(collapsed=False).add_to(m)
    tf_label = time_filter.label if time_filter else tr("all years")
    header = (
        '<div id="ha-header" class="ha-box"><h1>'
        + escape(title or project.title or tr("Harm Atlas map"))
        + '</h1><div class="ha-sub">'
        + escape(tr("Period: {p}").format(p=tf_label))
        + " · "
        + escape(tr("Made with Harm Atlas on {d}").format(d=date.today().isoformat()))
        + "</div>"
        + (f'<div class="ha-synth">{escape(SYNTHETIC_NOTE)}</div>' if project.is_synthetic else "")
        + "</div>"
    )
    root.html.add_child(Element(header + _legend_html(entries, notes)))
    icons = marker_icons()
    icon_js = (
        "L.Icon.Default.imagePath='';"
        + "Object.assign(L.Icon.Default.prototype.options,"
        + json.dumps(icons)
        + ");"
    )
    root.header.add_child(
        Element(
            style_tag(leaflet_css())
            + style_tag(_CSS)
            + script_tag(leaflet_js())
            + script_tag(icon_js)
        ),
        name="ha_offline_assets",
        index=0,
    )
    page = root.render()
    leftover = re.findall(r"https?://[^\s\"'<>)]+", page)
    if leftover:  # a folium feature pulled a CDN asset: refuse rather than ship a broken file
        raise RuntimeError(f"web map would load from the network: {sorted(set(leftover))[:5]}")
    return page


def export_webmap(
    project,
    out: str | Path,
    *,
    layers: Sequence[Layer] | None = None,
    title: str | None = None,
    time_filter: TimeFilter | None = None,
    region=None,
    tiles: str | Path | None = None,
) -> Path:
    """Write the offline web map to `out` atomically; returns the path."""
    from cartography.errors import ExportError

    out = Path(out)
    try:
        page = build_webmap(
            project,
            out,
            layers=layers,
            title=title,
            time_filter=time_filter,
            region=region,
            tiles=tiles,
        )
    except ValueError as exc:
        raise ExportError(str(exc)) from None
    write_atomic(out, page)
    os.chmod(out, 0o644)  # the atomic writer's temporary file is private
    return out
