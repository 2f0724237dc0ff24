"""The briefing pack's page "Where enforcement hits and where the harm is": the quadrant chart
of enforcement intensity against the harm index (regions labelled by name, labels kept apart),
the share of people arrested per target level in each department, and the most harmful
groups per region with their evidence and the operations near them.

The figures come from analysis/enforcement.py on the pack's own indicator table, so the harm
index is the one every other page shows.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import shapely
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from analysis.enforcement import QUADRANT_COLOURS, QUADRANTS, Enforcement, compute_enforcement
from analysis.enforcement_records import LEVEL_KEYS, enforcement_layers
from cartography.briefing_page import draw_table, new_page, page_header, shorten, wrap_all
from cartography.layout import INK, MUTED, add_synthetic_badge
from cartography.text import plain
from layers.enforcement_levels import TargetLevel
from layers.i18n import tr, tr_noop
from layers.numbers import number, percent
from layers.timefilter import TimeFilter

TITLE = tr_noop("Where enforcement hits and where the harm is")
# A light backing keeps a region's name readable where a median line runs under it (a stroke
# path effect would draw the name as outlines, and the PDF's text could not be searched).
HALO = {"boxstyle": "square,pad=0.08", "facecolor": "white", "edgecolor": "none", "alpha": 0.75}
LEVEL_COLOURS = {
    "personal_use": "#d6604d",
    "small_supply": "#f4a582",
    "trafficking": "#92c5de",
    "organised_crime": "#2166ac",
    "unclassified": "#d9d9d9",
}
MAX_DEPARTMENTS = 12
MAX_GROUP_ROWS = 8
MAX_LABELS = 40  # regions named on the chart, the misaligned and most harmed first


def has_enforcement(project: Any) -> bool:
    return bool(enforcement_layers(project))


def enforcement_figures(project: Any, table: pd.DataFrame, tf: TimeFilter | None) -> Enforcement:
    """The enforcement analysis on the pack's regions, reusing its indicator table."""
    return compute_enforcement(project, None, tf, indicators=table)


def enforcement_page(
    project: Any, e: Enforcement, departments: dict, tf: TimeFilter | None, page_no: int
) -> Figure:
    """departments: parent code -> name, for the arrest-level bars."""
    fig = new_page()
    period = tf.label if tf else tr("all years")
    page_header(fig, tr(TITLE),
                tr("Enforcement intensity against the harm index, per region · {p}").format(
                    p=period), page_no)  # fmt: skip
    w, h = fig.get_figwidth(), fig.get_figheight()
    # Top: the chart and the bars side by side; below, the groups across the page.
    chart = fig.add_axes((0.85 / w, 3.65 / h, 5.0 / w, 1 - 5.0 / h))
    placed, shown = quadrant_chart(chart, e.table, e.thresholds)
    bars = fig.add_axes((7.75 / w, 4.2 / h, 3.45 / w, 1 - 6.2 / h))
    level_bars(bars, e.table, departments)
    groups = fig.add_axes((0.45 / w, 0.85 / h, 1 - 0.9 / w, 2.05 / h))
    group_table(groups, e)
    rho = e.spearman.get("rho")
    reading = (
        tr(
            "Spearman's rank correlation of intensity and harm: {r} over {n} regions ({what})."
        ).format(r=number(rho, decimals=2), n=e.spearman.get("n"), what=_reading(rho))  # fmt: skip
        if rho is not None
        else tr("Too few regions with both figures for a rank correlation.")
    )
    note = tr(
        "Intensity: mean of people arrested, operations and hectares eradicated per 100,000 "
        "a year, each scaled 0–1. Lines at the median region."
    )
    if placed < shown:
        note += " " + tr("{k} of {n} regions labelled (no room for the rest).").format(
            k=placed, n=shown
        )
    # The note is wrapped short of the synthetic-data badge at the bottom right.
    fig.text(0.45 / w, 0.74 / h, _wrap(reading, 8.5, 10.5), fontsize=8.5, color=INK, va="top")
    fig.text(0.45 / w, 0.47 / h, _wrap(note, 7.5, 6.9), fontsize=7.5, color=MUTED, va="top")
    if project.is_synthetic:
        add_synthetic_badge(fig, margin=0.45)
        fig.texts[-1].set_position((1 - 0.75 / w, 0.25 / h))  # beside the page number
        fig.texts[-1].set_horizontalalignment("right")
        fig.texts[-1].set_verticalalignment("bottom")
    return fig


def _wrap(text: str, fontsize: float, inches: float) -> str:
    """Lines of at most `inches` at `fontsize` (DejaVu Sans: under 0.6 em a character)."""
    import textwrap

    return "\n".join(textwrap.wrap(plain(text), max(20, int(inches * 72 / (0.6 * fontsize)))))


def _reading(rho: float) -> str:
    if rho >= 0.5:
        return tr("effort largely follows the harm")
    if rho >= 0.2:
        return tr("effort follows the harm only loosely")
    return tr("effort does not follow the harm")


# --- the quadrant chart ---------------------------------------------------------------------
def quadrant_chart(ax, table: pd.DataFrame, thresholds: dict) -> tuple[int, int]:
    """The chart; returns (regions labelled, regions drawn)."""
    x = table["enforcement_intensity"].to_numpy(float)
    y = table["harm_index"].to_numpy(float)
    ok = np.isfinite(x) & np.isfinite(y)
    # Limits from the points (room on the right for names, above and below for the quadrants'
    # names): a cluster near one corner gets the whole chart.
    xr = np.ptp(x[ok]) if ok.any() and np.ptp(x[ok]) > 0 else 1.0
    yr = np.ptp(y[ok]) if ok.any() and np.ptp(y[ok]) > 0 else 1.0
    if ok.any():
        ax.set_xlim(x[ok].min() - 0.08 * xr, x[ok].max() + 0.3 * xr)
        ax.set_ylim(y[ok].min() - 0.14 * yr, y[ok].max() + 0.14 * yr)
    (lx0, lx1), (ly0, ly1) = ax.get_xlim(), ax.get_ylim()
    mx, my = thresholds.get("enforcement_intensity_median"), thresholds.get("harm_index_median")
    if not ok.any() or mx is None or my is None or not (math.isfinite(mx) and math.isfinite(my)):
        ax.text(0.5, 0.5, tr("No region has both an enforcement intensity and a harm index."),
                ha="center", va="center", transform=ax.transAxes, color=MUTED, wrap=True)  # fmt: skip
        return 0, 0
    corners = {
        "high_enforcement_low_harm": (mx, lx1, ly0, my, "right", "bottom"),
        "low_enforcement_high_harm": (lx0, mx, my, ly1, "left", "top"),
        "high_enforcement_high_harm": (mx, lx1, my, ly1, "right", "top"),
        "low_enforcement_low_harm": (lx0, mx, ly0, my, "left", "bottom"),
    }
    for key, (x0, x1, y0, y1, ha, va) in corners.items():
        colour = QUADRANT_COLOURS[key]
        ax.fill_between([x0, x1], y0, y1, color=colour, alpha=0.07, linewidth=0, zorder=0)
        tx = x1 - 0.015 * (lx1 - lx0) if ha == "right" else x0 + 0.015 * (lx1 - lx0)
        ty = y1 - 0.015 * (ly1 - ly0) if va == "top" else y0 + 0.015 * (ly1 - ly0)
        ax.text(tx, ty, plain(tr(QUADRANTS[key])), ha=ha, va=va, fontsize=8, fontweight="bold",
                color=colour, zorder=1)  # fmt: skip
    names = _corner_boxes(ax, corners)
    ax.axvline(mx, color="#555555", linewidth=0.9, linestyle="--", zorder=1)
    ax.axhline(my, color="#555555", linewidth=0.9, linestyle="--", zorder=1)
    colours = [QUADRANT_COLOURS.get(q, "#8c8c8c") for q in table["quadrant"][ok]]
    ax.scatter(x[ok], y[ok], s=30, c=colours, edgecolors="white", linewidths=0.7, zorder=3)
    ax.set_xlabel(tr("Enforcement intensity (0 = least, 1 = most)"), fontsize=9, color=INK)
    ax.set_ylabel(tr("Harm index (0 = least harm, 1 = most)"), fontsize=9, color=INK)
    ax.tick_params(labelsize=8)
    for axis in (ax.xaxis, ax.yaxis):  # '0,5' in Spanish, as every other figure of the page
        axis.set_major_formatter(FuncFormatter(_tick_label(axis)))
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    # Off-diagonal regions first (the misalignment a meeting looks for), the farthest from
    # the medians first, so both kinds of misalignment get named; then the rest likewise.
    off = np.isin(table["quadrant"].to_numpy(object),
                  ["high_enforcement_low_harm", "low_enforcement_high_harm"])  # fmt: skip
    far = np.abs(x - mx) / xr + np.abs(y - my) / yr
    order = np.lexsort((-np.nan_to_num(far), ~off))
    order = [i for i in order if ok[i]]
    placed = place_point_labels(
        ax, x[order], y[order], [str(table["name"].iat[i]) for i in order], 7, names
    )
    return placed, len(order)


def _corner_boxes(ax, corners: dict) -> list[tuple[float, float, float, float]]:
    """Display boxes of the quadrant names, so that no region's label covers one."""
    scale = ax.figure.dpi / 72.0
    boxes = []
    for key, (x0, x1, y0, y1, ha, va) in corners.items():
        px, py = ax.transData.transform((x1 if ha == "right" else x0, y1 if va == "top" else y0))
        width = (0.62 * len(tr(QUADRANTS[key])) + 1.5) * 8 * scale
        height = 1.6 * 8 * scale
        bx = px - width if ha == "right" else px
        by = py - height if va == "top" else py
        boxes.append((bx, by, bx + width, by + height))
    return boxes


def _tick_label(axis):
    """Tick labels in the page's language, with the decimals the tick step needs."""

    def label(value: float, _pos) -> str:
        locs = axis.get_majorticklocs()
        step = float(np.min(np.diff(locs))) if len(locs) > 1 else 1.0
        decimals = max(0, -math.floor(math.log10(step))) if step > 0 else 1
        return number(value, decimals=decimals)

    return label


def place_point_labels(ax, xs, ys, texts, fontsize: float = 7.0, avoid: list | None = None) -> int:
    """Label the points in order beside them where a label overlaps no other label, point or
    the axes' edge: eight places around it, then farther out with a leader line; a label with
    no free place, and every label after MAX_LABELS, is left out. Returns how many were placed.
    Candidates are tested against every box at once (numpy): 1,100 regions take no time."""
    fig = ax.figure
    scale = fig.dpi / 72.0
    height = 1.25 * fontsize * scale
    points = ax.transData.transform(np.column_stack([xs, ys]))
    bbox = ax.get_window_extent()
    r = 3.5 * scale  # a marker's radius
    boxes = np.vstack([np.column_stack([points - r, points + r]),
                       np.asarray(avoid or [], float).reshape(-1, 4)])  # fmt: skip
    first_label = len(points)
    # Beside the point first, then the diagonals, above and below; then every 30° farther out.
    near = [(1, 0), (-1, 0), (1, 1), (-1, 1), (1, -1), (-1, -1), (0, 1), (0, -1)]
    around = [(math.cos(a), math.sin(a)) for a in np.radians(np.arange(0, 360, 30))]
    steps = (1.0, 2.2, 3.6, 5.0, 6.5, 8.0, 10.0, 12.5)
    cand = np.array([(dx, dy, step) for step in steps
                     for dx, dy in (near if step <= 2.2 else around)])  # fmt: skip
    dx, dy, step = np.round(cand[:, 0], 3), np.round(cand[:, 1], 3), cand[:, 2]
    placed = 0
    for (px, py), text in zip(points[:MAX_LABELS], texts[:MAX_LABELS], strict=False):
        label = plain(shorten(text, 28))
        width = (0.56 * len(label) + 0.4) * fontsize * scale
        ax_, ay_ = px + dx * 4.5 * scale * step, py + dy * 4.5 * scale * step
        x0 = np.where(dx > 0, ax_, np.where(dx < 0, ax_ - width, ax_ - width / 2))
        y0 = np.where(dy > 0, ay_, np.where(dy < 0, ay_ - height, ay_ - height / 2))
        x1, y1 = x0 + width, y0 + height
        inside = (x0 >= bbox.x0) & (x1 <= bbox.x1) & (y0 >= bbox.y0) & (y1 <= bbox.y1)
        clash = (
            (x0[:, None] < boxes[None, :, 2]) & (boxes[None, :, 0] < x1[:, None])
            & (y0[:, None] < boxes[None, :, 3]) & (boxes[None, :, 1] < y1[:, None])
        ).any(axis=1)  # fmt: skip
        for k in np.flatnonzero(inside & ~clash):
            box = (x0[k], y0[k], x1[k], y1[k])
            if step[k] > 1.0 and _crosses(px, py, box, boxes[first_label:]):
                continue  # the leader line would run through another label
            boxes = np.vstack([boxes, box])
            tx, ty = ax.transData.inverted().transform(
                ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
            )
            ax.text(tx, ty, label, ha="center", va="center", fontsize=fontsize, color=INK,
                    zorder=4, bbox=HALO)  # fmt: skip
            if step[k] > 1.0:
                end = ax.transData.inverted().transform(
                    (min(max(px, box[0]), box[2]), min(max(py, box[1]), box[3]))
                )
                start = ax.transData.inverted().transform((px, py))
                ax.plot([start[0], end[0]], [start[1], end[1]], color="#999999", linewidth=0.5,
                        zorder=2)  # fmt: skip
            placed += 1
            break
    return placed


def _crosses(px: float, py: float, box: tuple, labels: list) -> bool:
    """Whether the leader from (px, py) to `box` runs through any of `labels`' boxes."""
    if not len(labels):
        return False
    end = (min(max(px, box[0]), box[2]), min(max(py, box[1]), box[3]))
    line = shapely.LineString([(px, py), end])
    return bool(shapely.intersects(line, shapely.box(*np.asarray(labels).T)).any())


# --- whom arrests hit, per department -------------------------------------------------------
def level_bars(ax, table: pd.DataFrame, departments: dict) -> None:
    levels = table.groupby(table["parent_code"].astype(str))[
        [f"arrests_{k}" for k in LEVEL_KEYS]
    ].sum()
    levels = levels[levels.sum(axis=1) > 0]
    w, h = ax.figure.get_figwidth(), ax.figure.get_figheight()
    top = ax.get_position().y1
    ax.figure.text(6.4 / w, top + 0.12 / h, tr("Whom arrests hit, per department"), fontsize=9.5,
                   fontweight="bold", color=INK, va="bottom")  # fmt: skip
    ax.figure.text(6.4 / w, top + 0.02 / h,
                   tr("Share of the people arrested by target level; in brackets, people arrested"),
                   fontsize=7.5, color=MUTED, va="bottom")  # fmt: skip
    if levels.empty:
        ax.set_axis_off()
        ax.text(0, 0.5, tr("No arrests in the period."), fontsize=9, color=MUTED)
        return
    totals = levels.sum(axis=1)
    shown = levels.loc[totals.sort_values(ascending=False).index[:MAX_DEPARTMENTS]]
    shares = shown.div(shown.sum(axis=1), axis=0)
    rows = np.arange(len(shares))[::-1]
    left = np.zeros(len(shares))
    for key in LEVEL_KEYS:
        v = shares[f"arrests_{key}"].to_numpy()
        ax.barh(rows, v, left=left, color=LEVEL_COLOURS[key], height=0.62,
                label=TargetLevel(key).short_label, edgecolor="white", linewidth=0.4)  # fmt: skip
        for row, lo, value in zip(rows, left, v, strict=True):
            if value >= 0.12:
                ax.text(lo + value / 2, row, percent(value, decimals=0), ha="center",
                        va="center", fontsize=6.5, color="white" if key in
                        ("personal_use", "organised_crime") else INK)  # fmt: skip
        left += v
    labels = [
        f"{shorten(str(departments.get(c, c)), 22)} ({number(totals[c])})" for c in shares.index
    ]
    ax.set_yticks(rows, [plain(t) for t in labels], fontsize=7)
    ax.set_xlim(0, 1)
    ax.xaxis.set_visible(False)
    for spine in ("top", "right", "bottom"):
        ax.spines[spine].set_visible(False)
    ax.legend(loc="upper left", bbox_to_anchor=(-0.02, 0.0), ncols=3, fontsize=6.5,
              frameon=False, handlelength=1.0, columnspacing=0.8)  # fmt: skip
    if len(levels) > len(shown):
        ax.text(1.0, 1.0, tr("{k} of {n}").format(k=len(shown), n=len(levels)), ha="right",
                va="bottom", transform=ax.transAxes, fontsize=7, color=MUTED)  # fmt: skip


# --- the most harmful groups ----------------------------------------------------------------
def group_table(ax, e: Enforcement) -> None:
    ax.set_axis_off()
    ax.text(0, 1.0, tr("Most harmful groups and the operations near them"), fontsize=9.5,
            fontweight="bold", color=INK, va="bottom", transform=ax.transAxes)  # fmt: skip
    order = e.table["harm_index"].fillna(-1).to_numpy().argsort()[::-1]
    rows = []
    km = number(e.distance_km)
    for i in order:
        groups = e.details[i]["groups"]
        if not groups:
            continue
        g = groups[0]
        share = g.get("operations_within_share")
        ops = "–" if share is None else f"{percent(share, decimals=0)} ({number(g['operations'])})"
        evidence = "; ".join(
            tr("{id}, {d}, {k} dead").format(
                id=x["event_id"], d=x["date"], k=number(x["fatalities"])
            )
            for x in g["examples"][:2]
        )
        rows.append(
            [
                shorten(str(e.table["name"].iat[i]), 26),
                shorten(str(g["actor"]), 32),
                number(g["harm_score"]),
                percent(g["civilian_share"], decimals=0)
                if g["civilian_share"] is not None
                else "–",
                ops,
                shorten(evidence, 84),
            ]
        )
        if len(rows) >= MAX_GROUP_ROWS:
            break
    if not rows:
        ax.text(0, 0.9, tr("No violence events with actors: no groups to show."), fontsize=9,
                color=MUTED, va="top")  # fmt: skip
        return
    header = [
        tr("Region"),
        tr("Most harmful group"),
        tr("Harm score"),
        tr("Against civilians"),
        tr("Operations within {k} km").format(k=km),
        tr("Evidence (deadliest events)"),
    ]
    widths = [0.15, 0.19, 0.08, 0.09, 0.11, 0.38]
    bottom = draw_table(ax, [*wrap_all(header[:-1], 13), header[-1]], rows, widths, fontsize=7, row_height=0.085,
                        header_height=2.0, left_columns=(0, 1, 5))  # fmt: skip
    ax.text(0, bottom - 0.03, _wrap(tr(
        "Regions by harm index, most harmful first. Harm score = fatalities + attacks on "
        "civilians (ACLED, state forces left out). Operations: share of the region's "
        "operations within {k} km of the group's violent events (–: no operations).").format(
        k=km), 7, 10.7),
        transform=ax.transAxes, fontsize=7, color=MUTED, va="top")  # fmt: skip
