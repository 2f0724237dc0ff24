"""Legend entries: what the map shows for each layer, built from its style and classes.

The print legend (cartography/layout.py), the layer panel and the web map all read these.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from cartography.classify import NO_DATA_COLOUR
from cartography.symbols import MIN_DOT_PT, OUTLINE_MIN_PT, PointLook
from layers.i18n import tr
from layers.layer import Layer


@dataclass
class LegendEntry:
    layer_name: str
    label: str
    kind: str  # 'point' | 'line' | 'polygon' | 'density' | 'ramp' (a raster's colour bar)
    color: str
    edge: str = "none"
    marker: str = "o"
    size: float = 6.0
    children: list[LegendEntry] = field(default_factory=list)
    alpha: float = 1.0
    line_width: float = 0.6
    count: int | None = None  # features drawn in the view and period (None: not counted)
    ramp: tuple[str, ...] = ()  # kind 'ramp': colours from low to high (raster layers)


def legend_entry(layer: Layer, classes, kind: str) -> LegendEntry:
    """The layer's legend entry: its symbol, and one child per class of `classes` (or None)."""
    st = layer.style
    kind = kind if kind in ("point", "line", "polygon") else "polygon"
    fill = "none" if st.no_fill else st.fill
    base = LegendEntry(
        layer.name,
        layer.name,
        kind,
        st.edge if kind == "line" else fill,
        st.edge,
        st.marker,
        st.marker_size,
        alpha=layer.opacity * st.fill_alpha,
        line_width=st.line_width,
    )
    if classes is not None:
        base.label = f"{layer.name} ({classes.title})" if classes.title else layer.name
        markers = getattr(classes, "markers", ()) or (st.marker,) * len(classes.colours)
        for colour, label, marker in zip(classes.colours, classes.labels, markers, strict=False):
            base.children.append(
                LegendEntry(
                    layer.name,
                    label,
                    kind,
                    colour,
                    st.edge,
                    marker,
                    st.marker_size,
                    alpha=base.alpha,
                    line_width=st.line_width,
                )
            )
        if (classes.index == -1).any():
            base.children.append(
                LegendEntry(
                    layer.name,
                    tr("no data"),
                    kind,
                    NO_DATA_COLOUR,
                    st.edge,
                    st.marker,
                    st.marker_size,
                    alpha=base.alpha,
                )
            )
    return base


def reduced_legend(entry: LegendEntry, look: PointLook, sizes_shown: bool) -> None:
    """The legend shows the markers as this scale draws them (smaller, maybe by population)."""
    entry.size = look.diameter**2
    if not look.outline:
        entry.edge = "none"
    if look.proportional_from is None or not sizes_shown:
        return
    entry.label = f"{entry.label} ({tr('population')})"  # what the sizes stand for
    top, floor = look.proportional_from, look.shown_from or look.proportional_from / 100
    middle = math.sqrt(top * floor)  # halfway on the log scale
    for value in (top, middle, floor):
        diameter = max(look.diameter * math.sqrt(value / top), MIN_DOT_PT)
        label = tr("{v} and more").format(v=f"{value:,.0f}") if value == top else f"{value:,.0f}"
        entry.children.append(
            LegendEntry(
                entry.layer_name,
                label,
                "point",
                entry.color,
                entry.edge if diameter >= OUTLINE_MIN_PT else "none",
                entry.marker,
                diameter**2,
                alpha=entry.alpha,
            )
        )
