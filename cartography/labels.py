"""Map labels: most important first, never over another label, at most MAX_LABELS a view.

Candidates come sorted by priority (population for settlements, area for regions); each
is tried at its anchor and kept only if its box is free. Boxes already placed (by this
layer or a layer below) live in a grid of cells, so a test looks at a few neighbours
instead of every placed label: 12,000 candidates cost a few milliseconds. A region's name
is only written when it fits inside the region as drawn, so municipalities stay unnamed at
national scale while departments are named (docs/cartography.md).

A name already written nearby is not written again: a settlement named like the
municipality it lies in is labelled once, by whichever layer places it first (the lower one).
How a label looks and where it sits beside its anchor come from the layer's style (LabelLook).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from matplotlib import patheffects
from matplotlib.axes import Axes

from layers.style import Style

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
HALO_COLOUR = "white"
HALO_PT = 2.2
# The same name within this many ems of a placed one (beyond the region it names) is that
# place again, not another place of the same name.
DUPLICATE_EMS = 12.0


@dataclass(frozen=True)
class LabelLook:
    """How a layer's labels look: text colour, halo (colour, width in points), placement."""

    colour: str = TEXT_COLOUR
    halo: str = HALO_COLOUR
    halo_width: float = HALO_PT
    placement: str = "auto"

    @classmethod
    def of(cls, style: Style) -> LabelLook:
        return cls(
            style.label_colour, style.label_halo, style.label_halo_width, style.label_placement
        )

    def effects(self) -> list:
        """The halo as matplotlib path effects (none when its width is 0 or colour "none")."""
        if self.halo == "none" or self.halo_width <= 0:
            return []
        return [patheffects.withStroke(linewidth=self.halo_width, foreground=self.halo)]


# Fixed placements: (side x, side y) of the anchor the text hangs on, and its alignment.
_SIDES = {
    "centre": (0, 0, "center", "center"),
    "above": (0, 1, "center", "bottom"),
    "below": (0, -1, "center", "top"),
    "left": (-1, 0, "right", "center"),
    "right": (1, 0, "left", "center"),
}


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
        # name (folded) -> [(x, y, reach)] of labels placed: reach is the named region's size.
        self._names: dict[str, list[tuple[float, float, float]]] = {}

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

    def written_near(self, name: str, x: float, y: float, reach: float, em: float) -> bool:
        """True when `name` is already written near (x, y): within the larger of the two
        places' reach (a region's diagonal, 0 for a point) plus DUPLICATE_EMS ems."""
        for px, py, preach in self._names.get(_fold(name), ()):
            if math.hypot(x - px, y - py) <= max(reach, preach) + DUPLICATE_EMS * em:
                return True
        return False

    def name(self, name: str, x: float, y: float, reach: float) -> None:
        self._names.setdefault(_fold(name), []).append((x, y, reach))


def _fold(name: str) -> str:
    """Names compared as a reader would: case and spacing aside (accents kept: they differ)."""
    return " ".join(name.split()).casefold()


def place_labels(
    board: LabelBoard,
    texts: np.ndarray,
    anchors: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
    *,
    em: float,
    gap: float | None = None,
    sizes: np.ndarray | None = None,
    placement: str = "auto",
) -> list[Placed]:
    """Labels for candidates in priority order (`texts[i]` for candidate i), none overlapping.

    anchors(positions) gives x, y of candidate positions (called per chunk, so polygon
    anchors are only computed for candidates that get a chance). em: the text size in map
    units. gap: points are labelled beside their marker, this far from its centre, at the
    first free corner (upper right, upper left, lower right, lower left); None: centred on
    the anchor (regions). sizes: (width, height) per candidate of the region a centred label
    must fit in, or None. placement: "auto" (as above) or a side of the anchor (LabelLook), at
    `gap` (points) or half an em (regions) from it. A name already written nearby is skipped.
    """
    out: list[Placed] = []
    half_h = EM_HEIGHT * em / 2
    side = _SIDES.get(placement)
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
            reach = 0.0 if sizes is None else float(math.hypot(sizes[i, 0], sizes[i, 1]))
            if board.written_near(label, x, y, reach, em):
                continue  # this place is already named (by a layer below or a twin row)
            if side is not None:
                if (
                    gap is None
                    and sizes is not None
                    and (width > sizes[i, 0] or 2 * half_h > sizes[i, 1])
                ):
                    continue
                sx, sy, ha, va = side
                offset = gap if gap is not None else (0.5 * em if (sx or sy) else 0.0)
                ax, ay = x + sx * offset, y + sy * offset
                x0 = {"left": ax, "right": ax - width}.get(ha, ax - width / 2)
                y0 = {"bottom": ay, "top": ay - 2 * half_h}.get(va, ay - half_h)
                box = (x0, y0, x0 + width, y0 + 2 * half_h)
                if board.free(box):
                    board.add(box)
                    board.name(label, x, y, reach)
                    out.append(Placed(ax, ay, label, ha, va))
            elif gap is None:
                if sizes is not None and (width > sizes[i, 0] or 2 * half_h > sizes[i, 1]):
                    continue  # the name would spill over the region: too small at this scale
                box = (x - width / 2, y - half_h, x + width / 2, y + half_h)
                if board.free(box):
                    board.add(box)
                    board.name(label, x, y, reach)
                    out.append(Placed(x, y, label, "center", "center"))
            else:
                for sx, sy in ((1, 1), (-1, 1), (1, -1), (-1, -1)):
                    ax, ay = x + sx * gap, y + sy * gap
                    x0, x1 = (ax, ax + width) if sx > 0 else (ax - width, ax)
                    y0, y1 = (ay, ay + 2 * half_h) if sy > 0 else (ay - 2 * half_h, ay)
                    box = (x0, y0, x1, y1)
                    if board.free(box):
                        board.add(box)
                        board.name(label, x, y, reach)
                        ha = "left" if sx > 0 else "right"
                        out.append(Placed(ax, ay, label, ha, "bottom" if sy > 0 else "top"))
                        break
            if board.full:
                break
    return out


def draw_labels(ax: Axes, placed: list[Placed], size: float, look: LabelLook | None = None) -> None:
    """Text artists in the layer's colour and halo (real text: exports keep selectable fonts)."""
    look = look or LabelLook()
    halo = look.effects()
    for p in placed:
        ax.text(
            p.x, p.y, p.text, fontsize=size, zorder=1000, path_effects=halo, ha=p.ha, va=p.va,
            clip_on=True, color=look.colour, parse_math=False,
        )  # fmt: skip
