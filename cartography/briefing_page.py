"""The briefing pack's page furniture: the page, its header, the tables and their text
(shortened to fit), the compact legend beside a region's map.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from cartography.layout import INK, MUTED, page_size
from cartography.text import plain

PAGE = "a4-landscape"
GOOD, BAD, NEUTRAL = "#1a9850", "#d73027", "#f0f0f0"


def new_page(width_height: tuple[float, float] | None = None) -> Figure:
    fig = Figure(figsize=width_height or page_size(PAGE), dpi=150)  # raster layers' dpi
    fig.patch.set_facecolor("white")
    return fig


def page_header(fig: Figure, title: str, subtitle: str = "", page_no: int | None = None) -> None:
    w, h = fig.get_figwidth(), fig.get_figheight()
    m = 0.45
    fig.text(m / w, 1 - m / h, plain(title), ha="left", va="top", fontsize=17, fontweight="bold",
             color=INK)  # fmt: skip
    if subtitle:
        fig.text(m / w, 1 - (m + 0.4) / h, plain(subtitle), ha="left", va="top", fontsize=10.5,
                 color=MUTED)  # fmt: skip
    fig.add_artist(
        Line2D([m / w, 1 - m / w], [1 - (m + 0.78) / h] * 2, color=INK, linewidth=0.9,
               transform=fig.transFigure)
    )  # fmt: skip
    if page_no is not None:
        fig.text(1 - m / w, 0.25 / h, str(page_no), ha="right", va="bottom", fontsize=8,
                 color=MUTED)  # fmt: skip


def draw_table(
    ax,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    *,
    fills: Sequence[Sequence[str]] | None = None,
    sections: Sequence[int] = (),
    fontsize: float = 7.5,
    row_height: float | None = None,
    header_height: float = 1.0,
    left_columns: Sequence[int] = (0,),
) -> float:
    """A plain table in axes coordinates: one text per cell, no per-cell layout passes.

    matplotlib.table measures every cell's text on each draw (about 1 s per page here).
    Returns the table's bottom in axes coordinates. left_columns: columns of text (names),
    aligned left; the others hold numbers, aligned right.
    """
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Rectangle

    ax.set_axis_off()
    n = len(rows)
    rh = row_height or min(1.0 / (n + header_height), 0.045)
    hh = rh * header_height
    lefts = np.concatenate([[0.0], np.cumsum(widths)[:-1]])
    boxes, colours, texts = [], [], []
    for r in range(-1, n):
        top = 1.0 if r < 0 else 1.0 - hh - r * rh
        height = hh if r < 0 else rh
        section = r >= 0 and r in sections
        cells = header if r < 0 else rows[r]
        for c, (x, wd) in enumerate(zip(lefts, widths, strict=True)):
            if r < 0:
                colour = "#e8ecf0"
            elif section:
                colour = "#2b3a4a"
            else:
                colour = fills[r][c] if fills else "white"
            boxes.append(Rectangle((x, top - height), wd, height))
            colours.append(colour)
            text = cells[c] if c < len(cells) else ""
            if not text:
                continue
            if r < 0 and c > 0:
                tx, ha = x + wd / 2, "center"
            elif c in left_columns or section:
                tx, ha = x + 0.01, "left"
            else:
                tx, ha = x + wd - 0.01, "right"
            texts.append((tx, top - height / 2, text, ha, section, r < 0))
    ax.add_collection(
        PatchCollection(boxes, facecolors=colours, edgecolors="#d0d0d0", linewidths=0.5,
                        transform=ax.transAxes)
    )  # fmt: skip
    for tx, ty, text, ha, section, head in texts:
        ax.text(
            tx, ty, plain(text), transform=ax.transAxes, va="center", ha=ha, fontsize=fontsize,
            color="white" if section else INK,
            fontweight="bold" if (head or section) else "normal",
        )  # fmt: skip
    return 1.0 - hh - n * rh


def scaled(value: object, scale: float) -> object:
    v = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return value if scale == 1.0 or pd.isna(v) else float(v) * scale


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def shorten_name(text: str, limit: int) -> str:
    """'Region: San José del Guav… (PS07)': shortened before a closing '(CODE)', which stays."""
    head, sep, tail = text.rpartition(" (")
    if len(text) <= limit or not sep or not tail.endswith(")"):
        return shorten(text, limit)
    return shorten(head, max(limit - len(tail) - 2, 8)) + sep + tail


def wrap_all(texts: Sequence[str], width: int) -> list[str]:
    import textwrap

    return ["\n".join(textwrap.wrap(t, width)) or t for t in texts]


def compact_legend(ax, entries) -> None:
    """One-row-per-layer legend under a region map (no class breakdown)."""
    from cartography.render import LegendEntry

    entries = [e for e in entries if e.count != 0]
    flat = [
        LegendEntry(e.layer_name, e.layer_name, e.kind,
                    e.children[-1].color if e.children else e.color, e.edge, e.marker, e.size,
                    alpha=e.alpha, line_width=e.line_width)
        for e in entries
    ]  # fmt: skip
    ax.set_axis_off()
    from cartography.layout import _legend_handle

    handles = [_legend_handle(e) for e in reversed(flat)]
    labels = [plain(e.label) for e in reversed(flat)]
    if handles:
        ax.legend(handles, labels, loc="upper left", ncols=3, frameon=False, fontsize=7,
                  handlelength=1.4, columnspacing=1.0, borderaxespad=0)  # fmt: skip
