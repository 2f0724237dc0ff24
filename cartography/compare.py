"""Compare two regions or two periods: the drawing half (two maps with one shared legend, the
indicator table with differences, the trends) of what cartography/comparison.py computes.

Qt-free: the desktop compare view, the `compare` command and the briefing pack draw through
here. The computing names are re-exported so `from cartography.compare import Side,
compute_comparison` keeps working.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.patches import Patch, PathPatch
from matplotlib.ticker import MaxNLocator

from cartography.classify import NO_DATA_COLOUR, Classification
from cartography.comparison import (
    ALL,
    DEFAULT_INDICATORS,
    MIN_TREND_YEARS,
    Comparison,
    RegionChoice,
    Side,
    before_after_sides,
    compute_comparison,
    indicator_catalogue,
    project_years,
    region_choices,
    side_units,
    units_layer,
    with_unit,
)
from cartography.density import PointDensity
from cartography.layout import _legend_handle, _RampHandle, _RampHandler
from cartography.legend import LegendEntry
from cartography.raster_draw import METRES_PER_DEGREE
from cartography.render import MapRenderer, MapView, polygon_path
from cartography.text import plain
from layers import numbers
from layers.i18n import tr
from layers.layer import Layer, is_raster
from layers.roles import Role
from layers.style import Style

__all__ = [  # the computing names callers import from here, then the drawing
    "ALL",
    "DEFAULT_INDICATORS",
    "MIN_TREND_YEARS",
    "Comparison",
    "RegionChoice",
    "Side",
    "before_after_sides",
    "compute_comparison",
    "indicator_catalogue",
    "project_years",
    "region_choices",
    "side_units",
    "units_layer",
    "with_unit",
    "compare_figure",
    "display_scales",
    "draw_side",
    "draw_table",
    "draw_trends",
    "is_before_after",
    "legend_handles",
    "legend_labels",
    "LEGEND_HANDLERS",
    "units_fill_alpha",
    "mark_loss_pixels",
    "merged_raster_entries",
    "shorten",
    "side_layers",
    "style_trend_axis",
    "table_cells",
    "table_rows",
    "too_short",
    "wrap",
]

# Context layers drawn over the choropleth: where enforcement actually happened.
CONTEXT_ROLES = (Role.ERADICATION,)
# Units' fill opacity over a basemap, relief or continuous raster: the relief shows through.
OVER_BASEMAP_ALPHA = 0.75
# Trend lines: left and right (purple/green stay apart under colour-vision deficiencies).
SIDE_COLOURS = ("#1b7837", "#762a83")


# --- drawing -----------------------------------------------------------------------------------
def draw_side(
    ax: Axes,
    project,
    comparison: Comparison,
    which: int,
    *,
    renderer: MapRenderer | None = None,
    extent: tuple[float, float, float, float] | None = None,
    selected_codes: Sequence[str] = (),
    context: bool = True,
    legend: list[LegendEntry] | None = None,
) -> tuple[float, float, float, float]:
    """One side's map: the project's basemaps and relief under the units coloured by the
    SHARED classes, loss-year rasters (the side's period) and eradication on top, all clipped
    to the region. legend: gets the raster layers' entries (colour ramps) drawn here."""
    units = comparison.units[which]
    side = (comparison.left, comparison.right)[which]
    alpha = units_fill_alpha(project)
    style = Style(kind="graduated", field="value", edge="#6d6d6d", line_width=0.4, ramp="YlOrRd",
                  fill_alpha=alpha)  # fmt: skip
    layer = Layer(units, comparison.indicator, role=Role.RESULT, style=style)
    layers = side_layers(project, layer, context)
    full = side_extent(units)
    extent = extent or full
    view = MapView(project.metric_crs, extent, side.period)
    selection = {}
    if selected_codes:
        rows = np.flatnonzero(units["code"].isin(list(selected_codes)).to_numpy())
        selection[layer.id] = rows
    drawn_before = set(ax.get_children())
    entries = (renderer or MapRenderer()).render(
        ax,
        layers,
        view,
        selection=selection,
        classifications={layer.id: comparison.classification},
        labels=False,
    )
    if legend is not None:
        names = {lyr.name for lyr in layers if is_raster(lyr)}
        legend.extend(e for e in entries if e.layer_name in names and e.kind == "ramp")
    # The region's outline, which also clips the context layers to the region compared.
    shape = units.geometry.union_all()
    outline = PathPatch(
        polygon_path(shapely.get_parts(shape)),
        transform=ax.transData,
        facecolor="none",
        edgecolor="#222222",
        linewidth=1.1,
        zorder=50,
    )
    ax.add_patch(outline)
    drawn = set(ax.get_children()) - drawn_before
    mark_loss_pixels(drawn, layers, project.metric_crs)
    # Raster images (AxesImage) honour the clip path like the polygons; the density raster not.
    for artist in drawn:
        if artist is not outline and hasattr(artist, "set_clip_path"):
            artist.set_clip_path(outline)
    if any(isinstance(a, PointDensity) for a in drawn):
        # The density raster draws its own pixels and ignores clip paths: cover the rest.
        x0, y0, x1, y1 = extent
        pad = 10 * max(x1 - x0, y1 - y0)
        rest = shapely.difference(shapely.box(x0 - pad, y0 - pad, x1 + pad, y1 + pad), shape)
        ax.add_patch(
            PathPatch(
                polygon_path(shapely.get_parts(rest)),
                facecolor=ax.get_facecolor(),
                edgecolor="none",
                zorder=49,
            )
        )
    if "operation_xy" in comparison.extra:  # before/after: the operation compared around
        x, y = comparison.extra["operation_xy"]
        ax.plot(x, y, marker="*", ms=18, color="#00e5ff", mec="#111111", mew=1.0, zorder=60)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor("#bbbbbb")
    return full


def side_layers(project, units: Layer, context: bool = True) -> list:
    """A side's layers bottom to top, in the project's draw order within each group: the
    visible basemap, relief and continuous rasters, then the units, then the context over
    them (loss-year rasters, filtered to the side's period, and eradication)."""
    under, over = [], []
    for lyr in project.layers:
        if not lyr.visible:
            continue
        if is_raster(lyr):
            if lyr.style.kind != "loss_year":
                under.append(lyr)
            elif context:
                over.append(lyr)
        elif context and lyr.role in CONTEXT_ROLES:
            over.append(lyr)
    return [*under, units, *over]


def mark_loss_pixels(drawn, layers: Sequence, crs) -> None:
    """Loss-year pixels finer than the map's pixels grown to 3 map pixels with a white rim,
    so single clearings read over the choropleth's dark classes (docs/compare.md)."""
    for order, lyr in enumerate(layers):
        if not (is_raster(lyr) and lyr.style.kind == "loss_year"):
            continue
        for image in (a for a in drawn if isinstance(a, AxesImage) and a.zorder == 10 + order):
            rgba = np.asarray(image.get_array())
            x0, x1, _, _ = image.get_extent()
            step = abs(x1 - x0) / max(rgba.shape[1], 1)  # map pixel, then both in metres
            step *= METRES_PER_DEGREE if crs.is_geographic else 1.0
            geographic = lyr.crs is not None and lyr.crs.is_geographic
            res = lyr.info.resolution[0] * (METRES_PER_DEGREE if geographic else 1.0)
            if step <= 1.5 * res:  # zoomed in: the pixels are already big enough to see
                continue
            core = _grown(rgba, 1)
            rim = _grown(rgba, 2)
            ring = (rim[..., 3] > 0) & (core[..., 3] == 0)
            rim[ring] = (255, 255, 255, 255)
            rim[core[..., 3] > 0] = core[core[..., 3] > 0]
            image.set_data(rim)


def _grown(rgba: np.ndarray, r: int) -> np.ndarray:
    """Drawn pixels spread by `r` pixels into undrawn neighbours (each takes a neighbour's
    colour; drawn pixels keep theirs)."""
    rows, cols = rgba.shape[:2]
    padded = np.pad(rgba, ((r, r), (r, r), (0, 0)))
    out = rgba.copy()
    for dy in range(-r, r + 1):
        for dx in range(-r, r + 1):
            shifted = padded[r + dy : r + dy + rows, r + dx : r + dx + cols]
            fill = (out[..., 3] == 0) & (shifted[..., 3] > 0)
            out[fill] = shifted[fill]
    return out


def units_fill_alpha(project) -> float:
    """The units' fill opacity: see-through over a visible basemap, relief or continuous
    raster (it would hide them), opaque otherwise."""
    under = any(
        is_raster(lyr) and lyr.visible and lyr.style.kind != "loss_year" for lyr in project.layers
    )
    return OVER_BASEMAP_ALPHA if under else 1.0


def merged_raster_entries(sides: Sequence[Sequence[LegendEntry]]) -> list[LegendEntry]:
    """One legend entry per raster layer of both sides' maps; a loss-year layer whose
    period differs per side says both (\"forest loss 2016–2018 / 2019–2021\")."""
    merged: dict[str, LegendEntry] = {}
    for entries in sides:
        for entry in entries:
            kept = merged.get(entry.layer_name)
            if kept is None:
                merged[entry.layer_name] = replace(entry)  # the sides' own stay as drawn
            elif entry.label != kept.label:
                kept.label += " / " + _after_common_words(kept.label, entry.label)
    return list(merged.values())


def _after_common_words(first: str, second: str) -> str:
    """`second` without the words it starts with in common with `first` ("forest loss
    2019–2021" after "…: forest loss 2016–2018" is "2019–2021")."""
    a, b = first.split(": ", 1)[-1].split(" "), second.split(": ", 1)[-1].split(" ")
    n = 0
    while n < min(len(a), len(b)) - 1 and a[n] == b[n]:
        n += 1
    return " ".join(b[n:])


def label_units(ax: Axes, units: gpd.GeoDataFrame, most: int = 30) -> None:
    """Unit names on a printed side (a reader finds the regions of the other pages);
    left off when there are too many to read."""
    if len(units) < 2 or len(units) > most or "name" not in units.columns:
        return
    from matplotlib import patheffects

    halo = [patheffects.withStroke(linewidth=2.0, foreground="white")]
    for name, point in zip(units["name"], units.geometry.representative_point(), strict=True):
        ax.text(point.x, point.y, plain(wrap(str(name), 14)), fontsize=6, ha="center", va="center",
                color="#222222", zorder=70, path_effects=halo, clip_on=True)  # fmt: skip


def side_extent(units: gpd.GeoDataFrame) -> tuple[float, float, float, float]:
    """The units' box with a 4 % margin."""
    minx, miny, maxx, maxy = units.total_bounds
    pad = 0.04 * max(maxx - minx, maxy - miny, 1.0)
    return (minx - pad, miny - pad, maxx + pad, maxy + pad)


def same_shape_extents(
    extents: Sequence[tuple[float, float, float, float]],
) -> list[tuple[float, float, float, float]]:
    """Each extent grown about its centre to one height/width ratio: equal-aspect maps of
    two regions then get boxes of the same size, so their titles line up."""
    ratio = max((y1 - y0) / max(x1 - x0, 1e-9) for x0, y0, x1, y1 in extents)
    out = []
    for x0, y0, x1, y1 in extents:
        w, h = x1 - x0, y1 - y0
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        if h < w * ratio:
            h = w * ratio
        else:
            w = h / ratio
        out.append((cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2))
    return out


def legend_handles(
    classification: Classification,
    rasters: Sequence[LegendEntry] = (),
    alpha: float = 1.0,
) -> list:
    """The shared classes (at the units' fill opacity), then each raster's colour ramp
    (draw with handler_map=LEGEND_HANDLERS)."""
    handles = [
        Patch(facecolor=c, edgecolor="#6d6d6d", linewidth=0.4, label=lab, alpha=alpha)
        for c, lab in zip(classification.colours, classification.labels, strict=True)
    ]
    if tr("no data") not in classification.labels:
        handles.append(
            Patch(facecolor=NO_DATA_COLOUR, edgecolor="#6d6d6d", label=tr("no data"), alpha=alpha)
        )
    for entry in rasters:
        handle = _legend_handle(entry)
        label = plain(wrap(entry.label, 30))  # layer names: never mathtext
        if isinstance(handle, _RampHandle):
            handle.label = label
        else:
            handle.set_label(label)
        handles.append(handle)
    return handles


def legend_labels(handles: Sequence) -> list[str]:
    """Each handle's label (a raster ramp handle keeps its own)."""
    return [h.label if isinstance(h, _RampHandle) else h.get_label() for h in handles]


# The legend's handler for raster colour ramps (cartography/layout.py draws them in prints).
LEGEND_HANDLERS = {_RampHandle: _RampHandler()}


def table_cells(row, scale: float = 1.0) -> list[str]:
    """Left, right, difference and change of one table row as printed (layers/numbers.py);
    shares are shown as percent; values, differences and changes share one minus sign."""
    return [
        numbers.printed(row.left * scale),
        numbers.printed(row.right * scale),
        numbers.signed(row.difference * scale),
        numbers.change(row.percent_change),
    ]


def table_rows(comparison: Comparison, max_rows: int) -> pd.DataFrame:
    """Outcomes and the harm index first, then enforcement outputs, then context."""
    t = comparison.table
    order = {"composite": 0, "outcome": 1, "enforcement": 2, "context": 3}
    catalogue = comparison.catalogue
    rank = [order.get(catalogue[k].group, 4) if k in catalogue else 4 for k in t["key"]]
    return t.assign(_rank=rank).sort_values("_rank", kind="stable").head(max_rows)


def side_headers(comparison: Comparison) -> tuple[str, str]:
    """Column names for the two sides: the regions, or the periods when the regions match."""
    left, right = comparison.left, comparison.right
    if left.region == right.region:
        if is_before_after(comparison):  # two dates each would not fit a column
            return tr("Before"), tr("After")
        return tuple(
            shorten(s.period.label if s.period else tr("all years"), 22) for s in (left, right)
        )
    return tuple(shorten(lab.split(" · ")[0], 22) for lab in comparison.labels)


def is_before_after(comparison: Comparison) -> bool:
    """One region, the right period starting the day after the left one ends."""
    left, right = comparison.left.period, comparison.right.period
    return (
        comparison.left.region == comparison.right.region
        and bool(left and right and left.end and right.start)
        and right.start - left.end == timedelta(days=1)
    )


def draw_table(ax: Axes, comparison: Comparison, max_rows: int = 18) -> None:
    """The indicator comparison, fitted into `ax` (red: worse on the right, blue: better)."""
    ax.axis("off")
    t = table_rows(comparison, max_rows)
    if t.empty:
        ax.text(0.5, 0.5, tr("No indicators to compare."), ha="center", va="center")
        return
    scale = display_scales(comparison.catalogue)
    cells = [
        [plain(shorten(r.indicator, 58)), *table_cells(r, scale.get(r.key, 1.0))]
        for r in t.itertuples()
    ]
    heads = side_headers(comparison)
    table = ax.table(
        cellText=cells,
        colLabels=[
            tr("Indicator"),
            plain(heads[0]),
            plain(heads[1]),
            tr("Difference"),
            tr("Change"),
        ],
        colWidths=[0.44, 0.15, 0.15, 0.14, 0.12],
        bbox=[0.0, 0.06, 1.0, 0.94],
        cellLoc="right",
    )
    table.auto_set_font_size(False)
    table.set_fontsize(6.5 if len(t) > 14 else 7)
    for (row, col), cell in table.get_celld().items():
        cell.set_edgecolor("#dddddd")
        cell.set_linewidth(0.5)
        if row == 0:
            cell.set_facecolor("#eeeeee")
            cell.set_text_props(weight="bold")
        if col == 0:
            cell.set_text_props(ha="left")
            cell._loc = "left"
        if row > 0 and col == 4:
            r = t.iloc[row - 1]
            worse = r.difference > 0 if r.higher_is_worse else r.difference < 0
            neutral = r.higher_is_worse is None or pd.isna(r.higher_is_worse)
            if not neutral and not math.isnan(r.percent_change) and r.difference != 0:
                cell.get_text().set_color("#b2182b" if worse else "#2166ac")


def display_scales(catalogue: dict | None = None) -> dict[str, float]:
    """Shown value = stored value × scale (shares 0–1 are shown as %)."""
    catalogue = indicator_catalogue() if catalogue is None else catalogue
    return {key: i.display_scale for key, i in catalogue.items()}


def shorten(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def draw_trends(axes: Sequence[Axes], comparison: Comparison) -> None:
    """Both sides' yearly values of each trended indicator on one chart per indicator."""
    catalogue = comparison.catalogue
    names = [shorten(lab.split(" · ")[0], 18) for lab in comparison.labels]
    if names[0] == names[1]:
        names = [shorten(lab, 22) for lab in comparison.labels]
    for ax, (key, pair) in zip(axes, comparison.trends.items(), strict=False):
        for series, name, colour, marker in zip(pair, names, SIDE_COLOURS, "os", strict=True):
            if len(series) >= MIN_TREND_YEARS:  # region names in the legend: never mathtext
                ax.plot(series.index, series.to_numpy(), marker=marker, ms=3, color=colour,
                        label=plain(name))  # fmt: skip
        info = catalogue.get(key)
        ax.set_title(plain(tr(info.label) if info else key), fontsize=8)
        style_trend_axis(ax, [r for r in comparison.trend_ranges if r])
        if not any(len(s) >= MIN_TREND_YEARS for s in pair):
            too_short(ax)
            ax.set_yticks([])  # no values drawn: no value axis either
    if comparison.trends and axes[0].lines:
        axes[0].legend(fontsize=7, frameon=False, loc="best")


def style_trend_axis(ax: Axes, ranges: Sequence[tuple[float, float]]) -> None:
    """Whole years on a fixed x axis: the period asked for, never matplotlib's guess."""
    ax.tick_params(labelsize=7)
    ax.spines[["top", "right"]].set_visible(False)
    if ranges:
        x0, x1 = min(r[0] for r in ranges), max(r[1] for r in ranges)
        ax.set_xlim(x0, x1)
        years = list(range(math.ceil(x0), math.floor(x1) + 1))
        ax.set_xticks(years[:: max(1, math.ceil(len(years) / 6))])  # at most ~6 labels
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
    ax.xaxis.set_major_formatter("{x:.0f}")  # 2018, never 2,018 or an offset


def too_short(ax: Axes) -> None:
    """Say why there is no line: one or two points are a rate, not a trend."""
    ax.text(0.5, 0.5, tr("Fewer than {n} years: no trend drawn.").format(n=MIN_TREND_YEARS),
            transform=ax.transAxes, ha="center", va="center", fontsize=7,
            color="#777777")  # fmt: skip


def compare_figure(
    project,
    left: Side | str,
    right: Side | str,
    indicator: str | None = None,
    *,
    comparison: Comparison | None = None,
    title: str | None = None,
    figsize: tuple[float, float] = (11.69, 8.27),
    feedback=None,
    max_rows: int = 18,
    reading: str = "",
    raster_maps: bool = False,
    dpi: float = 150.0,
) -> Figure:
    """Two maps with one shared legend, the indicator table and small trends (A4 landscape).

    reading: a few sentences shown where the trends go when there are none (the briefing).
    raster_maps: the maps' layers become one image each in PDF/SVG (the briefing pack);
    the outline and the unit names stay vector.
    dpi: the raster layers are painted at the figure's pixels when the maps are drawn: pass
    the print's resolution (exports do); the default is the briefing pack's 150 (loss-year
    reads keep every clearing at any resolution, docs/compare.md).
    """
    left = Side.parse(left) if isinstance(left, str) else left
    right = Side.parse(right) if isinstance(right, str) else right
    if comparison is None:
        comparison = compute_comparison(project, left, right, indicator, feedback=feedback)
    fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
    fig.get_layout_engine().set(rect=(0.0, 0.025, 1.0, 0.975))  # a strip for the footer
    grid = fig.add_gridspec(2, 3, height_ratios=[3.0, 2.2], width_ratios=[1, 1, 0.75])
    renderer = MapRenderer()
    extents = same_shape_extents([side_extent(u) for u in comparison.units])
    rasters: list[list[LegendEntry]] = [[], []]
    for which in (0, 1):
        ax = fig.add_subplot(grid[0, which])
        draw_side(ax, project, comparison, which, renderer=renderer, extent=extents[which],
                  legend=rasters[which])  # fmt: skip
        if raster_maps:
            ax.set_rasterization_zorder(48)  # layers draw at 10 + order; the mask at 49
        ax.set_title(plain(comparison.labels[which]), fontsize=10, fontweight="bold")
        label_units(ax, comparison.units[which])
    legend_ax = fig.add_subplot(grid[0, 2])
    legend_ax.axis("off")
    handles = legend_handles(
        comparison.classification, merged_raster_entries(rasters), units_fill_alpha(project)
    )
    legend_ax.legend(
        handles,
        legend_labels(handles),
        handler_map=LEGEND_HANDLERS,
        title=wrap(comparison.indicator_label, 28),
        loc="center left",
        frameon=False,
        fontsize=8,
        title_fontsize=9,
    )
    legend_ax.text(
        0.0,
        0.02,
        tr("One classification for both maps:\nthe same colour is the same value."),
        fontsize=7,
        color="#555555",
        transform=legend_ax.transAxes,
    )
    table_ax = fig.add_subplot(grid[1, 0:2])
    draw_table(table_ax, comparison, max_rows)
    sub = grid[1, 2].subgridspec(max(len(comparison.trends), 1), 1)
    trend_axes = [fig.add_subplot(sub[i, 0]) for i in range(max(len(comparison.trends), 1))]
    if comparison.trends:
        draw_trends(trend_axes, comparison)
    else:
        trend_axes[0].axis("off")
        if reading:
            text = "\n\n".join(wrap(part, 44) for part in reading.split("\n") if part)
            trend_axes[0].text(0.02, 0.98, plain(text), va="top", ha="left",
                               fontsize=8, color="#333333", linespacing=1.35,
                               transform=trend_axes[0].transAxes)  # fmt: skip
    heading = title or tr("{i}: comparison").format(i=comparison.indicator_label)
    fig.suptitle(plain(heading), fontsize=13, fontweight="bold")
    # The date as the briefing's cover writes it ('3 de diciembre de 2026'), not ISO.
    footer = tr("Harm Atlas · generated {d}").format(d=numbers.day(date.today(), long=True))
    if getattr(project, "is_synthetic", False):
        from layers.project import SYNTHETIC_NOTE

        footer = f"{tr(SYNTHETIC_NOTE)}   {footer}"
    fig.text(0.01, 0.008, footer, fontsize=7, color="#777777")
    return fig


def wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text
