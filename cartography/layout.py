"""Print map layouts on a matplotlib Figure: title, map, legend, scale bar, north arrow,
inset locator, CRS, sources, date and the synthetic-data note.

Maps are drawn in the project's metric CRS so the scale bar is true (docs/traps.md). The pieces
are separate functions so the briefing pack can place a map beside a table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch, Polygon, Rectangle
from pyproj import CRS, Transformer

from cartography.raster_draw import raster_extent
from cartography.render import LegendEntry, MapRenderer, MapView, polygon_path
from cartography.text import plain
from layers.basemap import is_basemap
from layers.crs import crs_label
from layers.i18n import tr
from layers.layer import Layer, is_raster
from layers.numbers import compact, day
from layers.roles import Role
from layers.timefilter import TimeFilter

# Page sizes in inches (ISO A4/A3; a 16:9 slide at PowerPoint's 13.33 x 7.5 in).
PAGES: dict[str, tuple[float, float]] = {
    "a4-landscape": (11.69, 8.27),
    "a4-portrait": (8.27, 11.69),
    "a3-landscape": (16.54, 11.69),
    "a3-portrait": (11.69, 16.54),
    "slide": (13.333, 7.5),
}
PAGE_ALIASES = {"a4": "a4-landscape", "a3": "a3-landscape", "16:9": "slide", "slide-16x9": "slide"}
# Artists with more vertices than this are rasterized in PDF/SVG (15 s and 12 MB otherwise).
RASTERIZE_OVER = 20_000
INK = "#1f1f1f"
MUTED = "#5a5a5a"
HIGHLIGHT = "#d7301f"
FONT = "DejaVu Sans"


def page_size(name: str) -> tuple[float, float]:
    """Inches of a page preset; raises ValueError naming the presets."""
    key = PAGE_ALIASES.get(name.lower(), name.lower())
    if key not in PAGES:
        raise ValueError(
            tr("Unknown page {p!r}: use one of {all}.").format(p=name, all=", ".join(PAGES))
        )
    return PAGES[key]


@dataclass
class MapLayoutResult:
    figure: Figure
    map_ax: Axes
    legend: list[LegendEntry]
    extent: tuple[float, float, float, float]


# --- extent helpers ------------------------------------------------------------------------
def fit_extent(
    extent: Sequence[float], width_in: float, height_in: float, margin: float = 0.04
) -> tuple[float, float, float, float]:
    """Grow `extent` (plus a margin) to the box's aspect so equal-aspect maps fill it."""
    minx, miny, maxx, maxy = (float(v) for v in extent)
    w, h = max(maxx - minx, 1.0), max(maxy - miny, 1.0)
    minx, maxx = minx - w * margin, maxx + w * margin
    miny, maxy = miny - h * margin, maxy + h * margin
    w, h = maxx - minx, maxy - miny
    target = width_in / max(height_in, 1e-6)
    if w / h < target:
        grow = (h * target - w) / 2
        minx, maxx = minx - grow, maxx + grow
    else:
        grow = (w / target - h) / 2
        miny, maxy = miny - grow, maxy + grow
    return (minx, miny, maxx, maxy)


def project_extent(project, layers: Sequence[Layer] | None = None) -> tuple[float, ...]:
    """Extent of the given (or all) layers in the project's metric CRS."""
    crs = project.metric_crs
    chosen = layers if layers is not None else list(project.layers)
    boxes = [
        layer.to_metric(crs).total_bounds
        for layer in chosen
        if not is_raster(layer) and not layer.data.empty
    ]
    # A basemap's tiles may cover the world: the map frames the data, not the picture.
    boxes += [
        raster_extent(layer, crs) for layer in chosen if is_raster(layer) and not is_basemap(layer)
    ]
    boxes = [b for b in boxes if np.all(np.isfinite(b))]
    if not boxes:
        if project.extent:
            return tuple(project.extent)
        raise ValueError(tr("The project has no layers with data to map."))
    arr = np.array(boxes)
    return (arr[:, 0].min(), arr[:, 1].min(), arr[:, 2].max(), arr[:, 3].max())


# --- map furniture ---------------------------------------------------------------------------
def _nice_length(target: float) -> float:
    """Largest 1-2-5 × 10^n not above `target`."""
    if target <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(target))
    for m in (5, 2, 1):
        if m * exp <= target:
            return m * exp
    return exp


def _card(xy: tuple[float, float], width: float, height: float, transform=None) -> Rectangle:
    """The translucent white card the scale bar and the north arrow sit on, under their marks
    (zorder 3001+) so they read over any layer."""
    extra = {} if transform is None else {"transform": transform}
    return Rectangle(
        xy, width, height, facecolor="white", edgecolor="none", alpha=0.85, zorder=3000, **extra
    )


def add_scale_bar(ax: Axes, fontsize: float = 7.5) -> float:
    """Alternating black/white bar in km at the lower left; returns its length in metres."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = _nice_length((x1 - x0) * 0.22)
    segments = 4 if str(int(length / 10 ** math.floor(math.log10(length))))[0] in "24" else 5
    seg = length / segments
    bx, by = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.045
    bh = (y1 - y0) * 0.009
    pad_x, pad_y = (x1 - x0) * 0.012, (y1 - y0) * 0.012
    ax.add_patch(
        _card(
            (bx - pad_x, by - pad_y),
            length + 2 * pad_x + (x1 - x0) * 0.06,
            bh + pad_y * 2 + (y1 - y0) * 0.03,
        )
    )
    for i in range(segments):
        ax.add_patch(
            Rectangle(
                (bx + i * seg, by),
                seg,
                bh,
                facecolor=INK if i % 2 == 0 else "white",
                edgecolor=INK,
                linewidth=0.6,
                zorder=3001,
            )
        )
    km = length / 1000.0

    for x, text in (
        (bx, "0"),
        (bx + length / 2, compact(km / 2)),
        (bx + length, compact(km) + " km"),
    ):
        ax.text(
            x,
            by + bh + pad_y * 0.35,
            text,
            ha="left" if text.endswith("km") else "center",
            va="bottom",
            fontsize=fontsize,
            color=INK,
            zorder=3002,
        )
    return length


def grid_convergence(crs: CRS, x: float, y: float) -> float:
    """Degrees from grid north to true north at (x, y) (positive: true north is to the left)."""
    try:
        to_ll = Transformer.from_crs(crs, 4326, always_xy=True)
        to_xy = Transformer.from_crs(4326, crs, always_xy=True)
        lon, lat = to_ll.transform(x, y)
        nx, ny = to_xy.transform(lon, min(lat + 0.05, 89.9))
    except Exception:  # a CRS pyproj cannot invert: assume grid north
        return 0.0
    return math.degrees(math.atan2(-(nx - x), ny - y))


def add_north_arrow(ax: Axes, crs: CRS, size: float = 0.07) -> float:
    """North arrow at the upper right, rotated to true north when it differs by > 1°."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    angle = grid_convergence(crs, (x0 + x1) / 2, (y0 + y1) / 2)
    shown = angle if abs(angle) > 1.0 else 0.0
    bbox = ax.get_window_extent()
    aspect = bbox.width / max(bbox.height, 1)
    cx, cy = 0.94, 0.86
    rad = math.radians(shown)
    dx, dy = -math.sin(rad) * size / aspect, math.cos(rad) * size
    # Two half-heads (black and white) make the classic printable arrow.
    tip = (cx + dx / 2, cy + dy / 2)
    tail = (cx - dx / 2, cy - dy / 2)
    px, py = math.cos(rad) * size * 0.32 / aspect, math.sin(rad) * size * 0.32
    left = Polygon([tip, tail, (tail[0] - px, tail[1] - py)], closed=True, transform=ax.transAxes)
    right = Polygon([tip, tail, (tail[0] + px, tail[1] + py)], closed=True, transform=ax.transAxes)
    left.set(facecolor=INK, edgecolor=INK, linewidth=0.7, zorder=3001)
    right.set(facecolor="white", edgecolor=INK, linewidth=0.7, zorder=3001)
    ax.add_patch(_card((cx - 0.035, cy - size / 2 - 0.02), 0.07, size + 0.075, ax.transAxes))
    ax.add_patch(left)
    ax.add_patch(right)
    ax.text(
        tip[0] + dx * 0.25,
        tip[1] + dy * 0.25 + 0.005,
        "N",
        transform=ax.transAxes,
        ha="center",
        va="bottom",
        fontsize=9,
        fontweight="bold",
        color=INK,
        zorder=3002,
        rotation=shown,
    )
    return shown


class _RampHandle:
    """A raster's colour bar in the print legend (drawn by _RampHandler)."""

    def __init__(self, colours: Sequence[str]) -> None:
        self.colours = tuple(colours)


class _RampHandler:
    def legend_artist(self, legend, handle: _RampHandle, fontsize, box):
        x0, y0 = box.xdescent, box.ydescent
        step = box.width / len(handle.colours)
        for i, colour in enumerate(handle.colours):
            box.add_artist(
                Rectangle(
                    (x0 + i * step, y0), step, box.height, facecolor=colour, edgecolor="none",
                    transform=box.get_transform(),
                )
            )  # fmt: skip
        frame = Rectangle(
            (x0, y0), box.width, box.height, facecolor="none", edgecolor="#4d4d4d",
            linewidth=0.4, transform=box.get_transform(),
        )  # fmt: skip
        box.add_artist(frame)
        return frame


def _legend_handle(entry: LegendEntry):
    alpha = max(min(entry.alpha, 1.0), 0.15)
    if entry.kind == "ramp" and entry.ramp:
        return _RampHandle(entry.ramp)
    if entry.kind == "point":
        face = entry.color if entry.color != "none" else "none"
        return Line2D(
            [],
            [],
            linestyle="none",
            marker=entry.marker or "o",
            markersize=max(4.0, min(math.sqrt(max(entry.size, 1.0)) + 2, 9.0)),
            markerfacecolor=face,
            markeredgecolor=entry.edge if entry.edge not in ("none", "", None) else face,
            markeredgewidth=0.5,
            alpha=alpha,
        )
    if entry.kind == "line":
        return Line2D([], [], color=entry.color, linewidth=max(entry.line_width, 1.0) + 0.6)
    if entry.kind == "density":
        return Patch(facecolor=entry.color, edgecolor="none", alpha=0.8)
    edge = entry.edge if entry.edge not in ("none", "", None) else "none"
    face = entry.color if entry.color not in ("none", "", None) else "none"
    return Patch(facecolor=face, edgecolor=edge, linewidth=0.6, alpha=alpha)


def add_legend(
    ax: Axes, entries: Sequence[LegendEntry], title: str | None = None, fontsize: float = 8.0
) -> None:
    """A print legend in its own (axis-less) axes; classes are indented under their layer."""
    ax.set_axis_off()
    # Layers with nothing in this view and period would only confuse the reader.
    entries = [e for e in entries if e.count != 0]
    handles, labels, headers = [], [], set()
    blank = Patch(facecolor="none", edgecolor="none")
    for entry in reversed(list(entries)):  # top layer first, as on the map
        label = entry.label + (f"  ({tr('density')})" if entry.kind == "density" else "")
        if entry.children:
            headers.add(len(labels))
            handles.append(blank)
            labels.append(label)
            for child in entry.children:
                handles.append(_legend_handle(child))
                labels.append(child.label)
        else:
            handles.append(_legend_handle(entry))
            labels.append(label)
    rows = max(len(labels), 1)
    # Shrink the type on long legends so it still fits the panel (a row is ~1.5 em).
    pos = ax.get_position()
    avail_pt = pos.height * ax.figure.get_figheight() * 72.0
    size = max(4.5, min(fontsize, avail_pt / ((rows + 2.0) * 1.5)))
    legend = ax.legend(
        handles,
        [plain(label) for label in labels],  # layer names and classes: never mathtext
        loc="upper left",
        bbox_to_anchor=(0.0, 1.0),
        frameon=False,
        fontsize=size,
        title=plain(title if title is not None else tr("Legend")),
        title_fontproperties={"weight": "bold", "size": size + 1.5},
        alignment="left",
        handlelength=1.6,
        handleheight=1.0,
        labelspacing=0.45,
        borderaxespad=0.0,
        handler_map={_RampHandle: _RampHandler()},
    )
    for i, text in enumerate(legend.get_texts()):
        if i in headers:
            text.set_fontweight("bold")


def add_inset(
    fig: Figure,
    rect: Sequence[float],
    project,
    extent: Sequence[float],
    renderer: MapRenderer | None = None,
) -> Axes:
    """Locator map: the whole project area with the main map's extent outlined in red."""
    ax = fig.add_axes(rect)
    crs = project.metric_crs
    vectors = [layer for layer in project.layers if not is_raster(layer)]
    base = [
        layer
        for layer in vectors
        if layer.role in (Role.ADMIN_BOUNDARIES, Role.BORDER) and not layer.data.empty
    ]
    full = project_extent(project, base or None)
    bbox = ax.get_position()
    w_in, h_in = bbox.width * fig.get_figwidth(), bbox.height * fig.get_figheight()
    view_ext = fit_extent(full, w_in, h_in, margin=0.05)
    for layer in base or vectors[:1]:
        gdf = layer.to_metric(crs)
        geoms = gdf.geometry.values
        import shapely

        geoms = np.asarray(geoms, dtype=object)
        geoms = geoms[~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)]
        polys = geoms[np.isin(shapely.get_type_id(geoms), (3, 6))]
        tol = (view_ext[2] - view_ext[0]) / 300
        if polys.size:
            simple = shapely.simplify(polys, tol, preserve_topology=True)
            ax.add_artist(
                PathPatch(
                    polygon_path(simple),
                    facecolor="#efece5",
                    edgecolor="#8c8c8c",
                    linewidth=0.3,
                    zorder=1,
                )
            )
        lines = geoms[np.isin(shapely.get_type_id(geoms), (1, 5))]
        if lines.size:
            from cartography.render import line_path

            ax.add_artist(
                PathPatch(
                    line_path(shapely.simplify(lines, tol)),
                    facecolor="none",
                    edgecolor="#4d4d4d",
                    linewidth=0.8,
                    zorder=2,
                )
            )
    ex = extent
    ax.add_patch(
        Rectangle(
            (ex[0], ex[1]),
            ex[2] - ex[0],
            ex[3] - ex[1],
            facecolor=HIGHLIGHT,
            alpha=0.18,
            edgecolor=HIGHLIGHT,
            linewidth=1.2,
            zorder=5,
        )
    )
    ax.set_xlim(view_ext[0], view_ext[2])
    ax.set_ylim(view_ext[1], view_ext[3])
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor("#8c8c8c")
        spine.set_linewidth(0.6)
    ax.set_facecolor("#f7fbff")
    return ax


def draw_highlight(ax: Axes, geometry, *, dim_outside: bool = True) -> None:
    """Outline a region (metric CRS geometry) and wash out everything around it."""
    import shapely

    geoms = np.array([geometry], dtype=object)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    if dim_outside:
        outside = shapely.difference(shapely.box(x0, y0, x1, y1), geometry)
        if not outside.is_empty:
            ax.add_artist(
                PathPatch(
                    polygon_path(np.array([outside], dtype=object)),
                    facecolor="white",
                    edgecolor="none",
                    alpha=0.55,
                    zorder=1500,
                )
            )
    ax.add_artist(
        PathPatch(
            polygon_path(geoms), facecolor="none", edgecolor=HIGHLIGHT, linewidth=1.8, zorder=1501
        )
    )


def layer_sources(layers: Sequence[Layer], project=None) -> list[str]:
    """Data source credits: a layer's `source`/`attribution` metadata, the project's
    `sources` list entry for it, else its file name."""
    listed = {}
    if project is not None:
        for item in project.metadata.get("sources", []) or []:
            if isinstance(item, dict) and item.get("layer") and item.get("source"):
                listed[str(item["layer"])] = str(item["source"])
    out: list[str] = []
    # Basemap credits first: a long list is cut at the end, and the tiles' licence asks for them.
    for layer in sorted(layers, key=lambda lay: not is_basemap(lay)):
        text = (
            layer.metadata.get("attribution")
            or layer.metadata.get("source")
            or listed.get(layer.name)
        )
        if not text and layer.source.path:
            text = Path(layer.source.path).name
        if text and str(text) not in out:
            out.append(str(text))
    return out


def draw_map(
    ax: Axes,
    project,
    layers: Sequence[Layer],
    extent: Sequence[float],
    *,
    time_filter: TimeFilter | None = None,
    renderer: MapRenderer | None = None,
    highlight=None,
    selection: dict[int, np.ndarray] | None = None,
    dpi: float = 150,
    furniture: bool = True,
) -> list[LegendEntry]:
    """The map itself in `ax`, extent grown to the axes' shape, with scale bar and arrow."""
    fig = ax.figure
    pos = ax.get_position()
    w_in, h_in = pos.width * fig.get_figwidth(), pos.height * fig.get_figheight()
    ext = fit_extent(extent, w_in, h_in, margin=0.02)
    pixel = (ext[2] - ext[0]) / max(w_in * dpi, 1.0)
    # The dpi tells the renderer the paper scale (its scale-dependent rules use it).
    view = MapView(project.metric_crs, ext, time_filter=time_filter, pixel_size=pixel, dpi=dpi)
    entries = (renderer or MapRenderer()).render(
        ax, layers, view, selection=selection, rasterize_over=RASTERIZE_OVER
    )
    ax.set_xlim(ext[0], ext[2])
    ax.set_ylim(ext[1], ext[3])
    ax.set_aspect("equal", adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_facecolor("#ffffff")
    for spine in ax.spines.values():
        spine.set_edgecolor("#4d4d4d")
        spine.set_linewidth(0.8)
    if highlight is not None:
        draw_highlight(ax, highlight)
    if furniture:
        add_scale_bar(ax)
        add_north_arrow(ax, project.metric_crs)
    return entries


def map_layout(
    project,
    *,
    layers: Sequence[Layer] | None = None,
    extent: Sequence[float] | None = None,
    title: str | None = None,
    subtitle: str | None = None,
    page: str = "a4-landscape",
    dpi: int = 150,
    time_filter: TimeFilter | None = None,
    highlight=None,
    selection: dict[int, np.ndarray] | None = None,
    renderer: MapRenderer | None = None,
    sources: Sequence[str] | None = None,
    today: date | None = None,
) -> MapLayoutResult:
    """A complete, print-ready map page for `project` (visible layers unless `layers`)."""
    width, height = page_size(page)
    fig = Figure(figsize=(width, height), dpi=dpi)
    fig.patch.set_facecolor("white")
    layers = [layer for layer in (layers or list(project.layers)) if layer.visible]
    tf = time_filter if time_filter is not None else project.time_filter
    title = title or project.title or tr("Harm Atlas map")
    if subtitle is None:
        subtitle = tr("Period: {p}").format(p=tf.label) if tf else tr("All years")
    renderer = renderer or MapRenderer()
    portrait = height > width
    m = 0.45  # page margin, inches
    header, footer = 0.95, 0.95
    fx, fy = 1 / width, 1 / height
    if portrait:
        panel_h = min(3.3, height * 0.3)
        map_rect = (m * fx, (m + footer + panel_h) * fy, 1 - 2 * m * fx, 0)
        map_rect = (
            map_rect[0],
            map_rect[1],
            map_rect[2],
            1 - (m + header) * fy - map_rect[1],
        )
        legend_rect = (m * fx, (m + footer) * fy, 0.58, (panel_h - 0.15) * fy)
        inset_w = 1 - 2 * m * fx - 0.62
        inset_rect = (1 - m * fx - inset_w, (m + footer + 0.1) * fy, inset_w, (panel_h - 0.3) * fy)
    else:
        panel_w = min(3.1, width * 0.26)
        map_rect = (
            m * fx,
            (m + footer) * fy,
            1 - (2 * m + panel_w + 0.2) * fx,
            1 - (2 * m + header + footer) * fy,
        )
        panel_x = 1 - (m + panel_w) * fx
        inset_h = min(panel_w * 0.85, height * 0.26)
        inset_rect = (panel_x, (m + footer) * fy, panel_w * fx, inset_h * fy)
        legend_rect = (
            panel_x,
            (m + footer + inset_h + 0.25) * fy,
            panel_w * fx,
            map_rect[1] + map_rect[3] - (m + footer + inset_h + 0.25) * fy,
        )
    # Title block.
    fig.text(
        m * fx,
        1 - m * fy,
        plain(title),
        ha="left",
        va="top",
        fontsize=18 if width > 9 else 15,
        fontweight="bold",
        color=INK,
    )
    fig.text(
        m * fx, 1 - (m + 0.42) * fy, plain(subtitle), ha="left", va="top", fontsize=11, color=MUTED
    )
    fig.add_artist(
        Line2D(
            [m * fx, 1 - m * fx],
            [1 - (m + header - 0.12) * fy] * 2,
            color=INK,
            linewidth=1.0,
            transform=fig.transFigure,
        )
    )
    ax = fig.add_axes(map_rect)
    if extent is None:
        extent = project_extent(project, layers or None)
    entries = draw_map(
        ax,
        project,
        layers,
        extent,
        time_filter=tf,
        renderer=renderer,
        highlight=highlight,
        selection=selection,
        dpi=dpi,
    )
    used = (ax.get_xlim()[0], ax.get_ylim()[0], ax.get_xlim()[1], ax.get_ylim()[1])
    full = project_extent(project)
    zoomed = (used[2] - used[0]) * (used[3] - used[1]) < 0.5 * (full[2] - full[0]) * (
        full[3] - full[1]
    )
    if zoomed:  # a locator only helps when the map shows part of the area
        add_inset(fig, inset_rect, project, used, renderer)
    elif portrait:
        legend_rect = (legend_rect[0], legend_rect[1], 1 - 2 * m * fx, legend_rect[3])
    else:
        top = legend_rect[1] + legend_rect[3]
        legend_rect = (legend_rect[0], map_rect[1], legend_rect[2], top - map_rect[1])
    # A basemap shows no data: it is credited in the footer, not keyed in the legend.
    backdrops = {layer.name for layer in layers if is_basemap(layer)}
    entries = [entry for entry in entries if entry.layer_name not in backdrops]
    add_legend(fig.add_axes(legend_rect), entries)
    add_footer(fig, project, layers, sources=sources, today=today, margin=m)
    return MapLayoutResult(fig, ax, entries, used)


def add_footer(
    fig: Figure,
    project,
    layers: Sequence[Layer],
    *,
    sources: Sequence[str] | None = None,
    today: date | None = None,
    margin: float = 0.45,
) -> None:
    """CRS, sources, date and (for demonstration data) the synthetic note under the map."""

    width, height = fig.get_figwidth(), fig.get_figheight()
    fx, fy = 1 / width, 1 / height
    today = today or date.today()
    srcs = list(sources) if sources is not None else layer_sources(layers, project)
    src_text = ", ".join(srcs) if srcs else tr("project layers")
    max_chars = int((width - 2 * margin) * 16)
    if len(src_text) > max_chars:
        src_text = src_text[: max_chars - 1] + "…"
    line1 = tr("Projection: {crs}   ·   Made with Harm Atlas on {d}").format(
        crs=crs_label(project.metric_crs),
        d=day(today, long=True),  # prose: '12 de mayo de 2021'
    )
    line2 = tr("Sources: {s}").format(s=src_text)
    for y, line in ((0.36, line1), (0.16, line2)):  # sources name the user's layers and files
        fig.text(
            margin * fx, (margin + y) * fy, plain(line), fontsize=7.5, color=MUTED, va="bottom"
        )
    if project.is_synthetic:
        add_synthetic_badge(fig, margin)


def add_synthetic_badge(fig: Figure, margin: float = 0.45) -> None:
    """The synthetic-data warning in bold red on the footer's top line."""
    from layers.project import SYNTHETIC_NOTE

    fx, fy = 1 / fig.get_figwidth(), 1 / fig.get_figheight()
    fig.text(
        margin * fx + 0.04 * fx,
        (margin + 0.6) * fy,
        tr(SYNTHETIC_NOTE),
        ha="left",
        va="bottom",
        fontsize=8.5,
        fontweight="bold",
        color="#b2182b",
        bbox={"boxstyle": "round,pad=0.25", "facecolor": "#fff5f0", "edgecolor": "#b2182b"},
    )


__all__ = [
    "PAGES",
    "MapLayoutResult",
    "add_footer",
    "add_inset",
    "add_legend",
    "add_north_arrow",
    "add_scale_bar",
    "draw_highlight",
    "draw_map",
    "fit_extent",
    "grid_convergence",
    "layer_sources",
    "map_layout",
    "page_size",
    "project_extent",
]
