"""How analysis results are drawn so the map under them stays readable and the legend says
what is on the map.

- Areas that frame a study (displacement's targets, buffer rings and control area) are
  outlines: a control area is most of the region and a fill would tint everything under it.
- Classed areas (a value per region, cell or footprint) are opaque, so each colour is exactly
  its legend swatch (a see-through fill mixes with what lies below and matches no class), and
  they go just above the topmost area layer: rivers, borders and points stay visible on them.
- Classed points are opaque symbols with a light edge, on top.
- Labels are drawn above every layer by the renderer, so results never cover them.

Styling hints come from the analysis (AnalysisResult.styles: field, kind, ramp, …); the look
per kind of geometry is decided here, once, for the desktop and anything else that adds results.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import shapely

from layers.layer import Layer, is_raster
from layers.roles import Role
from layers.style import Style, default_style

# Study areas drawn as outlines: (analysis id, output name) -> edge colour and width.
OUTLINED: dict[tuple[str, str], tuple[str, float]] = {
    ("displacement", "target"): ("#b2182b", 1.6),
    ("displacement", "buffer"): ("#6a3d9a", 1.1),
    ("displacement", "control"): ("#e08214", 1.4),
    # Groups' convex hulls overlap and reach past the regions: filled, they hid every layer.
    ("actors", "activity_areas"): ("#54278f", 1.2),
}
AREA_EDGE = ("#4d4d4d", 0.3)  # thin dark edge between opaque classed areas
POINT_EDGE = ("white", 0.5)  # a light ring keeps opaque symbols apart from what is below
_HINT_ATTRS = ("ramp", "scheme", "classes", "fill", "edge", "marker", "marker_size")
# Classes that mean "nothing here" (no pattern, not significant) are left unfilled: on a grid
# they are most cells, and filled they would cover the whole map.
NOTHING = "none"
# A "diverging" hint: bins -3…3 around 0 (Gi* confidence), cold blue to hot red, 0 unfilled.
DIVERGING = {
    "-3": "#2166ac",
    "-2": "#67a9cf",
    "-1": "#d1e5f0",
    "0": NOTHING,
    "1": "#fddbc7",
    "2": "#ef8a62",
    "3": "#b2182b",
}
GRID_MIN_CELLS = 50  # a layer of this many equal cells is a grid: no edges (a mesh otherwise)


def _kind(gdf: gpd.GeoDataFrame) -> str:
    types = set(gdf.geom_type.dropna().unique()) if not gdf.empty else set()
    if types and all("Polygon" in t for t in types):
        return "polygon"
    if types and all("Point" in t for t in types):
        return "point"
    if types and all("LineString" in t for t in types):
        return "line"
    return "mixed"


def result_style(
    gdf: gpd.GeoDataFrame, hint: dict | None = None, analysis: str = "", output: str = ""
) -> Style:
    """The style of one result layer from the analysis' hint and its geometry."""
    hint = dict(hint or {})
    style = default_style(Role.RESULT)
    kind = _kind(gdf)
    outline = OUTLINED.get((analysis, output))
    if outline is not None and kind == "polygon":
        style.kind, style.field, style.no_fill = "single", None, True
        style.edge, style.line_width = outline
        style.fill_alpha = 1.0
        return style
    field = hint.get("field")
    if field and field in gdf.columns:
        style.field = field
        style.kind = hint.get("kind", "graduated")
        if style.kind == "diverging":
            style.kind, style.categories = "categorized", dict(DIVERGING)
        elif style.kind == "categorical":
            style.kind = "categorized"
        if style.kind == "categorized":
            style.categories = dict(hint.get("categories", style.categories))
            if NOTHING in set(gdf[field].astype(str)):
                style.categories.setdefault(NOTHING, NOTHING)
    else:
        style.kind = "single"
        if kind == "polygon":  # an area without classes: its outline, nothing hidden
            style.no_fill = True
            style.edge, style.line_width = hint.get("edge", "#b2182b"), 1.2
    for attr in _HINT_ATTRS:
        if attr in hint:
            setattr(style, attr, hint[attr])
    style.fill_alpha = 1.0  # a colour on the map is its legend swatch
    if kind == "point":
        style.edge, style.line_width = POINT_EDGE
        style.marker_size = max(style.marker_size, 24.0)
    elif kind == "polygon" and not style.no_fill:
        style.edge, style.line_width = ("none", 0.0) if _is_grid(gdf) else AREA_EDGE
    return style


def _is_grid(gdf: gpd.GeoDataFrame) -> bool:
    """Many cells of one size (a density, hot-spot or cultivation grid)."""
    if len(gdf) < GRID_MIN_CELLS:
        return False
    areas = shapely.area(np.asarray(gdf.geometry.values))  # ratios only: any CRS will do
    return bool(areas.mean() > 0 and areas.std() / areas.mean() < 0.05)


def is_filled_area(layer: Layer) -> bool:
    if is_raster(layer):  # a raster or basemap has pixels, not polygons
        return False
    return layer.geometry_kind == "polygon" and not layer.style.no_fill


def result_position(layers: Sequence[Layer], new: Layer) -> int:
    """Where `new` goes in the drawing order (0 = bottom): a filled area just above the
    topmost area layer, so lines and points above it stay visible; anything else on top."""
    if not is_filled_area(new):
        return len(layers)
    areas = [i for i, layer in enumerate(layers) if is_filled_area(layer)]
    return areas[-1] + 1 if areas else 0
