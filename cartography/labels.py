"""Map labels: most important first, never over another label, at most MAX_LABELS a view.

Candidates come sorted by priority (population for settlements, area for regions); each
is tried at its anchor and kept only if its box is free. Boxes already placed (by this
layer or a layer below) live in a grid of cells, so a test looks at a few neighbours
instead of every placed label: 12,000 candidates cost a few milliseconds. A region's name
is only written when it fits inside the region as drawn, so municipalities stay unnamed at
national scale while departments are named (docs/cartography.md).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from matplotlib import patheffects
from matplotlib.axes import Axes

# Labels beyond this many in one view clutter the map and cost a text artist each (~2 ms).
MAX_LABELS = 150
# Candidates are anchored and tested in chunks, most important first, until the view is full
# or this many were tried (each ~15 µs; the rest are the least important and rarely fit).
CHUNK = 256
MAX_TRIES = 2_048
# Text box of a label in ems: width per character, fixed padding, and height (DejaVu Sans).
EM_PER_CHAR = 0.62
EM_PAD = 0.4
EM_HEIGHT = 1.3
TEXT_COLOUR = "#222222"


@dataclass(frozen=True)
class Placed:
    """One label kept: where its anchor is, its text and how it hangs from the anchor."""

    x: float
    y: float
    text: str
    ha: str
    va: str


class LabelBoard:
    """Boxes of the labels placed on one map, across layers, bucketed in square cells."""

    def __init__(self, cell: float, limit: int = MAX_LABELS) -> None:
        self.cell = float(cell) if cell > 0 and math.isfinite(cell) else 1.0
        self.limit = limit
        self.boxes: list[tuple[float, float, float, float]] = []
        self._grid: dict[tuple[int, int], list[int]] = {}

    @property
    def full(self) -> bool:
        return len(self.boxes) >= self.limit

    def _cells(self, box: tuple[float, float, float, float]):
        c = self.cell
        for i in range(math.floor(box[0] / c), math.floor(box[2] / c) + 1):
            for j in range(math.floor(box[1] / c), math.floor(box[3] / c) + 1):
                yield i, j

    def free(self, box: tuple[float, float, float, float]) -> bool:
        """True when `box` (x0, y0, x1, y1) overlaps no placed box."""
        boxes = self.boxes
        for key in self._cells(box):
            for k in self._grid.get(key, ()):
                b = boxes[k]
                if box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3]:
                    return False
        return True

    def add(self, box: tuple[float, float, float, float]) -> None:
        k = len(self.boxes)
        self.boxes.append(box)
        for key in self._cells(box):
            self._grid.setdefault(key, []).append(k)


def place_labels(
    board: LabelBoard,
    texts: np.ndarray,
    anchors: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
    *,
    em: float,
    gap: float | None = None,
    sizes: np.ndarray | None = None,
) -> list[Placed]:
    """Labels for candidates in priority order (`texts[i]` for candidate i), none overlapping.

    anchors(positions) gives x, y of candidate positions (called per chunk, so polygon
    anchors are only computed for candidates that get a chance). em: the text size in map
    units. gap: points are labelled beside their marker, this far from its centre, at the
    first free corner (upper right, upper left, lower right, lower left); None: centred on
    the anchor (regions). sizes: (width, height) per candidate of the region a centred label
    must fit in, or None.
    """
    out: list[Placed] = []
    half_h = EM_HEIGHT * em / 2
    for first in range(0, min(len(texts), MAX_TRIES), CHUNK):
        if board.full:
            break
        chunk = np.arange(first, min(first + CHUNK, len(texts)))
        xs, ys = anchors(chunk)
        for i, x, y in zip(chunk, xs, ys, strict=True):
            text = texts[i]
            if text is None or (isinstance(text, float) and math.isnan(text)):
                continue
            label = str(text)
            if not label or not (math.isfinite(x) and math.isfinite(y)):
                continue
            width = (EM_PER_CHAR * len(label) + EM_PAD) * em
            if gap is None:
                if sizes is not None and (width > sizes[i, 0] or 2 * half_h > sizes[i, 1]):
                    continue  # the name would spill over the region: too small at this scale
                box = (x - width / 2, y - half_h, x + width / 2, y + half_h)
                if board.free(box):
                    board.add(box)
                    out.append(Placed(x, y, label, "center", "center"))
            else:
                for sx, sy in ((1, 1), (-1, 1), (1, -1), (-1, -1)):
                    ax, ay = x + sx * gap, y + sy * gap
                    x0, x1 = (ax, ax + width) if sx > 0 else (ax - width, ax)
                    y0, y1 = (ay, ay + 2 * half_h) if sy > 0 else (ay - 2 * half_h, ay)
                    box = (x0, y0, x1, y1)
                    if board.free(box):
                        board.add(box)
                        ha = "left" if sx > 0 else "right"
                        out.append(Placed(ax, ay, label, ha, "bottom" if sy > 0 else "top"))
                        break
            if board.full:
                break
    return out


def draw_labels(ax: Axes, placed: list[Placed], size: float) -> None:
    """Text artists with a white halo (real text: exports keep selectable fonts)."""
    halo = [patheffects.withStroke(linewidth=2.2, foreground="white")]
    for p in placed:
        ax.text(
            p.x, p.y, p.text, fontsize=size, zorder=1000, path_effects=halo, ha=p.ha, va=p.va,
            clip_on=True, color=TEXT_COLOUR, parse_math=False,
        )  # fmt: skip
