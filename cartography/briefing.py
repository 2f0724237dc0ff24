"""Briefing pack: a multi-page PDF a ministry can put on the table.

Pages: cover; overview map; regions ranked by harm; one page per region (map zoomed to
the region beside its indicator table: enforcement outputs vs community outcomes); a
side-by-side comparison of two regions; trends of violence, cultivation and eradication.
Indicators come from analysis/indicators.py, their labels, units and directions from the
one catalogue (analysis/indicator_catalogue.py). Progress and cancel go through
analysis.base.Feedback. The data behind the pages is in cartography/briefing_data.py, the
page furniture and tables in cartography/briefing_page.py; this module draws the pages
and writes the pack.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import matplotlib
import matplotlib.ticker
import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from analysis.base import Feedback
from analysis.indicator_catalogue import INDICATOR_BY_COLUMN
from cartography.briefing_data import (
    BriefingError,
    comparison_pair,
    comparison_reading,
    compute_table,
    indicator_columns,
    units_layer_of,
    yearly_series,
)
from cartography.briefing_enforcement import TITLE as ENFORCEMENT_TITLE
from cartography.briefing_enforcement import (
    enforcement_figures,
    enforcement_page,
    has_enforcement,
)
from cartography.briefing_page import (
    NEUTRAL,
    PAGE,
    compact_legend,
    draw_table,
    new_page,
    page_header,
    scaled,
    shorten,
    shorten_name,
    wrap_all,
)
from cartography.export import PRINT_RC, ExportError, find_region
from cartography.layout import (
    INK,
    MUTED,
    add_footer,
    add_legend,
    add_synthetic_badge,
    draw_map,
    map_layout,
    page_size,
)
from cartography.render import MapRenderer
from cartography.text import plain
from layers.i18n import tr
from layers.numbers import change, compact, day, number
from layers.project import SYNTHETIC_NOTE
from layers.timefilter import TimeFilter

# Map artists below this z-order (the layers, drawn at 10 + their order) become one image per
# map in the PDF, so a page costs the same however many features its region holds; labels
# (1000), the region outline (1500) and the furniture stay vector (docs/performance.md).
MAP_RASTER_BELOW = 999
# Progress when the units' and the parents' indicator tables are done, then the pages: their
# shares of a national pack's time (docs/performance.md); the parents' table is not a blip.
UNITS_DONE, TABLES_DONE = 40, 65


def cover_page(project, title: str, tf: TimeFilter | None, contents: Sequence[str]) -> Figure:
    fig = new_page()
    w, h = fig.get_figwidth(), fig.get_figheight()
    fig.add_artist(
        matplotlib.patches.Rectangle((0, 1 - 2.6 / h), 1, 2.6 / h, facecolor="#2b3a4a",
                                     edgecolor="none", transform=fig.transFigure)
    )  # fmt: skip
    fig.text(0.7 / w, 1 - 1.0 / h, plain(title), fontsize=24, fontweight="bold", color="white",
             va="top", wrap=True)  # fmt: skip
    period = tf.label if tf else tr("all years")
    fig.text(0.7 / w, 1 - 1.85 / h, tr("Briefing pack · period {p}").format(p=period),
             fontsize=14, color="#dfe6ee", va="top")  # fmt: skip
    y = 1 - 3.3 / h
    fig.text(0.7 / w, y, tr("What this pack shows"), fontsize=13, fontweight="bold", color=INK)
    intro = tr(
        "For each region, the figures that enforcement has always reported (hectares "
        "eradicated, operations) stand beside what communities live with: violence, "
        "fatalities, displacement of cultivation and violence, environmental damage and "
        "access to health care. Outcomes, not outputs, say whether a policy works."
    )
    import textwrap

    intro = "\n".join(textwrap.wrap(intro, int((w - 1.4) * 11)))
    fig.text(0.7 / w, y - 0.25 / h, intro, fontsize=10.5, color=INK, va="top")
    fig.text(0.7 / w, y - 1.35 / h, tr("Contents"), fontsize=13, fontweight="bold", color=INK)
    # Columns of lines between the heading and the footer: 33 department pages fit too.
    step, first = 0.24, (1 - y) * h + 1.65  # inches: line height, first line below the top
    rows = max(1, int((h - 1.15 - first) / step) + 1)
    columns = math.ceil(len(contents) / rows)
    width = (w - 1.6) / max(columns, 1)
    chars = int(width * 72 / (9.5 * 0.55))  # DejaVu Sans: ~0.55 em a character
    for i, line in enumerate(contents):
        col, row = divmod(i, rows)
        fig.text((0.9 + col * width) / w, y - (1.65 + step * row) / h,
                 plain(shorten_name(f"{i + 2}.  {line}", chars)), fontsize=9.5, color=INK,
                 va="top")  # fmt: skip
    fig.text(0.7 / w, 0.75 / h, tr("Prepared with Harm Atlas on {d}").format(
        d=day(date.today(), long=True)), fontsize=9, color=MUTED)  # fmt: skip
    if project.is_synthetic:
        fig.text(1 - 0.7 / w, 0.75 / h, tr(SYNTHETIC_NOTE), ha="right", fontsize=11,
                 fontweight="bold", color="#b2182b",
                 bbox={"boxstyle": "round,pad=0.4", "facecolor": "#fff5f0",
                       "edgecolor": "#b2182b"})  # fmt: skip
    return fig


def ranking_page(table: pd.DataFrame, tf: TimeFilter | None, page_no: int, limit: int = 20):
    """Regions ranked by the composite harm index, with the key outputs and outcomes."""
    fig = new_page()
    page_header(fig, tr("Regions ranked by harm"),
            tr("Composite harm index (higher = more harm) · {p}").format(
                p=tf.label if tf else tr("all years")), page_no)  # fmt: skip
    order_col = next((c for c in ("harm_index", "violent_events") if c in table.columns), None)
    ranked = table.sort_values(order_col, ascending=False) if order_col else table
    ranked = ranked.head(limit)
    catalogue = INDICATOR_BY_COLUMN
    wanted = [
        c
        for c in (
            "harm_index",
            "eradicated_ha",
            "violent_events",
            "fatalities_per_100k",
            "violence_trend",
            "wdq_violence",
            "protected_eradicated_ha",
        )
        if c in ranked.columns
    ]
    headers = [tr("Region")] + [
        tr(catalogue[c].label) if c in catalogue else c.replace("_", " ") for c in wanted
    ]
    name_col = next((c for c in ("name", "region_name") if c in ranked.columns), None)
    scale = {c: catalogue[c].display_scale if c in catalogue else 1.0 for c in wanted}
    rows = []
    for code, row in ranked.iterrows():
        label = f"{row[name_col]} ({code})" if name_col else str(code)
        rows.append([label] + [number(scaled(row[c], scale[c])) for c in wanted])
    ax = fig.add_axes((0.04, 0.08, 0.92, 0.78))
    ax.set_axis_off()
    if not rows:
        ax.text(0.5, 0.5, tr("No regions"), ha="center")
        return fig
    widths = [0.28] + [0.72 / (len(headers) - 1)] * (len(headers) - 1)
    draw_table(ax, wrap_all(headers, 16), rows, widths, fontsize=7.5, row_height=0.036,
               header_height=3.4)  # fmt: skip
    return fig


def region_page(
    project,
    code: str,
    table: pd.DataFrame,
    tf: TimeFilter | None,
    renderer: MapRenderer,
    page_no: int,
) -> Figure:
    """The region's map on the left, its indicators (region vs median of all) on the right."""
    region = find_region(project, code)
    fig = new_page()
    period = tf.label if tf else tr("all years")
    page_header(fig, f"{region.name} ({region.code})", tr("Region profile · {p}").format(p=period),
            page_no)  # fmt: skip
    w, h = fig.get_figwidth(), fig.get_figheight()
    ax = fig.add_axes((0.45 / w, 1.25 / h, 5.6 / w, 1 - 2.6 / h))
    layers = [layer for layer in project.layers if layer.visible]
    entries = draw_map(ax, project, layers, region.bounds, time_filter=tf, renderer=renderer,
                       highlight=region.geometry, dpi=150)  # fmt: skip
    ax.set_rasterization_zorder(MAP_RASTER_BELOW)
    legend_ax = fig.add_axes((0.45 / w, 0.3 / h, 5.6 / w, 0.85 / h))
    compact_legend(legend_ax, entries)
    table_ax = fig.add_axes((6.3 / w, 1.1 / h, 1 - 6.75 / w, 1 - 2.45 / h))
    indicator_table(table_ax, table, region.code)
    if project.is_synthetic:
        add_synthetic_badge(fig, margin=0.45)
        fig.texts[-1].set_position((6.45 / w, 0.3 / h))
    return fig


def indicator_table(ax, table: pd.DataFrame, code: str) -> None:
    """Enforcement outputs, then community outcomes, then the composite, as a table."""
    ax.set_axis_off()
    key = str(code).strip().upper()
    if key not in table.index:
        ax.text(0, 1, tr("No indicators for region {c}.").format(c=code), va="top", fontsize=10)
        return
    row = table.loc[key]
    if isinstance(row, pd.DataFrame):
        row = row.iloc[0]
    rows, colours, section_rows = [], [], []
    sections = (
        ("enforcement", tr("Enforcement outputs")),
        ("outcome", tr("Community outcomes")),
        ("composite", tr("Overall")),
    )
    for group, title in sections:
        infos = indicator_columns(table, group)
        if not infos:
            continue
        section_rows.append(len(rows))
        rows.append([title, "", ""])
        colours.append(["#2b3a4a"] * 3)
        for info in infos:
            value = row.get(info.column)
            median = pd.to_numeric(table[info.column], errors="coerce").median()
            colour = NEUTRAL
            v = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
            if info.higher_is_worse is not None and pd.notna(v) and pd.notna(median):
                worse = v > median if info.higher_is_worse else v < median
                better = v < median if info.higher_is_worse else v > median
                colour = "#fbd7d4" if worse else ("#d9f0d3" if better else NEUTRAL)
            typical = number(scaled(median, info.display_scale))
            if info.column == "priority_rank":  # the median rank says nothing; the count does
                typical = tr("of {n}").format(n=int(table[info.column].notna().sum()))
            rows.append([shorten(info.label_with_unit, 60), number(scaled(value, info.display_scale)),
                         typical])  # fmt: skip
            colours.append(["white", colour, "white"])
    if not rows:
        ax.text(0, 1, tr("No indicators computed."), va="top")
        return
    size = 7.5 if len(rows) <= 28 else max(5.5, 7.5 * 28 / len(rows))
    bottom = draw_table(
        ax,
        [tr("Indicator"), tr("Region"), tr("Median, all")],
        rows,
        [0.66, 0.16, 0.18],
        fills=colours,
        sections=section_rows,
        fontsize=size,
    )
    ax.text(0, bottom - 0.02, tr("Red: worse than the median region; green: better. "
                         "Enforcement outputs are shown without a judgement."),
            transform=ax.transAxes, fontsize=7, color=MUTED, va="top")  # fmt: skip


def trends_page(project, tf: TimeFilter | None, page_no: int) -> Figure:
    fig = new_page()
    page_header(fig, tr("Trends"), tr("Whole project area, per year"), page_no)
    series = yearly_series(project, tf)
    panels = (
        ("violence", tr("Violent events"), tr("events"), "#6a3d9a"),
        ("cultivation", tr("Coca cultivation"), tr("hectares"), "#e31a1c"),
        ("eradication", tr("Eradication"), tr("hectares eradicated"), "#7f0000"),
    )
    w, h = fig.get_figwidth(), fig.get_figheight()
    for i, (key, title, unit, colour) in enumerate(panels):
        ax = fig.add_axes(((0.7 + i * 3.65) / w, 1.75 / h, 2.9 / w, 1 - 3.3 / h))
        s = series.get(key)
        ax.set_title(title, fontsize=11, fontweight="bold", loc="left", color=INK)
        if s is None or s.empty:
            ax.text(0.5, 0.5, tr("No data in the project"), ha="center", va="center",
                    transform=ax.transAxes, color=MUTED)  # fmt: skip
            ax.set_xticks([])
            ax.set_yticks([])
            continue
        kind_bar = key == "eradication"
        if kind_bar:
            ax.bar(s.index, s.to_numpy(), color=colour, alpha=0.85, width=0.7)
        else:
            ax.plot(s.index, s.to_numpy(), color=colour, linewidth=2.0, marker="o", markersize=4)
            ax.fill_between(s.index, s.to_numpy(), color=colour, alpha=0.12)
        ax.set_ylabel(unit, fontsize=8.5, color=MUTED)
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda x, _: compact(x)))
        ax.tick_params(labelsize=8)
        ax.set_xticks(list(s.index)[:: max(1, math.ceil(len(s) / 5))])
        ax.set_ylim(bottom=0)
        ax.grid(axis="y", color="#e5e5e5", linewidth=0.6)
        for spine in ("top", "right"):
            ax.spines[spine].set_visible(False)
        first, last = float(s.iloc[0]), float(s.iloc[-1])
        rise = (last - first) / first * 100 if first else float("nan")
        note = (tr("{a}: {x} → {b}: {y} ({c})").format(
            a=s.index[0], x=number(first), b=s.index[-1], y=number(last), c=change(rise))
            if math.isfinite(rise) else "")  # fmt: skip
        ax.text(0, -0.09, note, transform=ax.transAxes, fontsize=8, color=MUTED, va="top")
    fig.text(0.7 / w, 0.55 / h, tr(
        "Read together: eradication that is followed by stable or rising cultivation and "
        "violence moved the market rather than shrinking it."), fontsize=9, color=INK)  # fmt: skip
    if project.is_synthetic:
        add_synthetic_badge(fig, margin=0.45)
        fig.texts[-1].set_position((0.7 / w, 0.3 / h))
    return fig


def compare_page(
    project,
    left: str,
    right: str,
    tf: TimeFilter | None,
    page_no: int,
    renderer: MapRenderer,
    feedback: Feedback | None = None,
    *,
    unit_table: pd.DataFrame | None = None,
    side_table: pd.DataFrame | None = None,
) -> Figure:
    """Two regions side by side: the compare view's figure (one shared classification),
    else two maps of our own. The pack has its own trends page, so none are recomputed.

    unit_table (indicators of every unit) and side_table (of every region at the sides'
    level) are the pack's own tables: the harm index is then the same on every page.
    """
    try:
        from cartography.compare import Side, compare_figure, compute_comparison

        spec = f":{tf.start.year}-{tf.end.year}" if tf and tf.start and tf.end else ""
        sides = Side.parse(left + spec), Side.parse(right + spec)
        rows = None
        if side_table is not None and {left, right} <= set(side_table.index):
            rows = [side_table.loc[left], side_table.loc[right]]
        mapped = None
        if unit_table is not None and "harm_index" in unit_table:
            mapped = "harm_index" if unit_table["harm_index"].notna().any() else None
        comparison = compute_comparison(
            project, *sides, mapped, with_trends=False, unit_indicators=unit_table,
            side_indicators=rows,
        )  # fmt: skip
        names = [find_region(project, c).name for c in (left, right)]
        fig = compare_figure(
            project, *sides, comparison=comparison,
            title=tr("Comparison: {a} ({x}) and {b} ({y})").format(
                a=names[0], x=left, b=names[1], y=right),
            figsize=page_size(PAGE), max_rows=24,
            reading=comparison_reading(names, rows) if rows is not None else "", raster_maps=True,
        )  # fmt: skip
        fig.set_dpi(150)  # its maps' image at the other pages' resolution, not the view's 100
        w, h = fig.get_figwidth(), fig.get_figheight()
        fig.text(1 - 0.3 / w, 0.1 / h, str(page_no), ha="right", fontsize=8, color=MUTED)
        return fig
    except Exception as exc:  # noqa: BLE001 - the own page below still compares the two
        if feedback is not None:
            feedback.info(tr("Comparison view unavailable ({e}); drawing two maps.").format(e=exc))
    fig = new_page()
    page_header(fig, tr("Comparison"), f"{left} · {right}", page_no)
    w, h = fig.get_figwidth(), fig.get_figheight()
    layers = [layer for layer in project.layers if layer.visible]
    entries = []
    for i, code in enumerate((left, right)):
        region = find_region(project, code)
        ax = fig.add_axes(((0.45 + i * 4.0) / w, 1.2 / h, 3.8 / w, 1 - 2.5 / h))
        entries = draw_map(ax, project, layers, region.bounds, time_filter=tf, renderer=renderer,
                           highlight=region.geometry)  # fmt: skip
        ax.set_rasterization_zorder(MAP_RASTER_BELOW)
        ax.set_title(plain(f"{region.name} ({region.code})"), fontsize=10, fontweight="bold")
    add_legend(fig.add_axes((8.6 / w, 1.2 / h, 2.8 / w, 1 - 2.5 / h)), entries)
    return fig


def write_briefing(
    project,
    out: str | Path,
    *,
    regions: Sequence[str] | None = None,
    years: str | TimeFilter | None = None,
    title: str | None = None,
    max_regions: int = 6,
    feedback: Feedback | None = None,
    indicators: pd.DataFrame | None = None,
) -> int:
    """Write the pack to `out` (PDF); returns the number of pages. Cancel with feedback."""
    feedback = feedback or Feedback()
    out = Path(out)
    try:
        tf = years if isinstance(years, TimeFilter) else TimeFilter.parse(years)
    except ExportError as exc:
        raise BriefingError(str(exc)) from None
    tf = tf if tf is not None else project.time_filter
    units_layer_of(project)
    codes = [c.strip().upper() for c in (regions or []) if c.strip()]
    for code in codes:  # fail before the long work, naming the bad code
        try:
            find_region(project, code)
        except ExportError as exc:
            raise BriefingError(str(exc)) from None
    feedback.set_progress(1, tr("Computing indicators"))
    if indicators is None:
        inner = feedback.part(1, UNITS_DONE)
        table = compute_table(project, tf, inner)
    else:
        table = indicators
    feedback.check()
    pair, side_table = comparison_pair(
        project, table, codes, tf, feedback.part(UNITS_DONE, TABLES_DONE)
    )
    if not codes:
        rank = next((c for c in ("harm_index", "violent_events") if c in table.columns), None)
        ordered = table.sort_values(rank, ascending=False) if rank else table
        codes = [str(c) for c in ordered.index[: max(1, max_regions)]]
    title = title or project.title or tr("Harm Atlas briefing")
    renderer = MapRenderer()
    contents = [tr("Overview map"), tr("Regions ranked by harm")]
    enforcement = _enforcement(project, table, tf, feedback)
    if enforcement is not None:
        contents.append(tr(ENFORCEMENT_TITLE))
    names = {c: find_region(project, c).name for c in [*codes, *pair]}
    contents += [tr("Region: {n} ({c})").format(n=names[c], c=c) for c in codes]
    if pair:
        contents.append(tr("Comparison: {a} and {b}").format(a=names[pair[0]], b=names[pair[1]]))
    contents.append(tr("Trends"))
    total = len(contents) + 1
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".pdf", dir=out.parent)
    os.close(fd)
    pages = 0
    try:
        with matplotlib.rc_context(PRINT_RC), PdfPages(tmp, metadata={
            "Title": title, "Creator": "Harm Atlas", "Subject": tr(SYNTHETIC_NOTE)
            if project.is_synthetic else tr("Briefing pack")}) as pdf:  # fmt: skip

            def emit(fig: Figure, what: str) -> None:
                nonlocal pages
                feedback.check()
                pdf.savefig(fig)
                pages += 1
                feedback.set_progress(TABLES_DONE + (100 - TABLES_DONE) * pages / total, what)

            emit(cover_page(project, title, tf, contents), tr("Cover"))
            drawn = map_layout(project, title=tr("Overview"), page=PAGE, dpi=150,
                               time_filter=tf, renderer=renderer)  # fmt: skip
            drawn.map_ax.set_rasterization_zorder(MAP_RASTER_BELOW)
            overview = drawn.figure
            overview.text(1 - 0.45 / overview.get_figwidth(), 0.25 / overview.get_figheight(),
                          "2", ha="right", fontsize=8, color=MUTED)  # fmt: skip
            emit(overview, tr("Overview map"))
            emit(ranking_page(table, tf, pages + 1), tr("Ranking"))
            if enforcement is not None:
                emit(enforcement_page(project, *enforcement, tf, pages + 1), tr(ENFORCEMENT_TITLE))
            for code in codes:  # a department named: its page compares departments
                own = side_table if code not in table.index and code in side_table.index else table
                emit(region_page(project, code, own, tf, renderer, pages + 1),
                     tr("Region {c}").format(c=code))  # fmt: skip
            if pair:
                emit(compare_page(project, pair[0], pair[1], tf, pages + 1, renderer, feedback,
                                  unit_table=table, side_table=side_table),
                     tr("Comparison"))  # fmt: skip
            emit(trends_page(project, tf, pages + 1), tr("Trends"))
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    feedback.finish()
    return pages


def _enforcement(project, table: pd.DataFrame, tf: TimeFilter | None, feedback: Feedback):
    """(figures, department names) for the enforcement page; None without enforcement records
    or when they cannot be read (said through feedback, the pack goes on)."""
    if not has_enforcement(project):
        return None
    try:
        figures = enforcement_figures(project, table, tf)
    except (ValueError, KeyError) as exc:  # InputError: nothing usable in the records
        feedback.info(tr("No enforcement page: {e}").format(e=exc))
        return None
    names = {}
    for code in pd.unique(figures.table["parent_code"].dropna().astype(str)):
        try:
            names[code] = find_region(project, code).name
        except ExportError:
            names[code] = code
    return figures, names


__all__ = [
    "BriefingError",
    "add_footer",
    "compute_table",
    "cover_page",
    "indicator_table",
    "region_page",
    "trends_page",
    "write_briefing",
]
