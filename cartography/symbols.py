"""How a point layer draws at one map scale: its markers, smaller markers, dots, or density.

A cartographer generalises a point layer when its symbols would bury the map. The rule here
is measured, not guessed. The layer's points are counted in square cells of CELL_PT (on
paper or screen, ~4 mm); a cell holding k markers of diameter d is inked about
1 - exp(-k d² / cell²) (markers dropped at random). `ink` is the share of the layer's area
(its bounding box) inked that way. While it stays under INK_OK the style's markers are drawn
as they are: a few tight clusters of overlapping markers are a pattern, not a blot.

Above it the layer is generalised:

- A layer with a population field (settlements) keeps only its most populous places, as
  many as full-size markers can show within INK_OK, sized by the square root of their
  population (proportional symbols); smaller places appear as the user zooms in.
- Other layers (records: events, eradication, services) keep every point: markers shrink
  until the ink is back at INK_OK, down to MIN_DOT_PT dots; when even dots ink more than
  INK_OK and a typical point shares its cell with so many others that dots merge
  (COVER_DENSE), the layer becomes a density raster (cartography/density.py).

The measure covers the whole layer in the period, not the view, so panning at one scale
never changes the look; it is cached per zoom level. docs/cartography.md says why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# Side of the cell the crowding is measured in, in points (~4 mm).
CELL_PT = 12.0
# Share of the layer's area its markers may ink before they are generalised.
INK_OK = 0.15
# Marker area x points in a typical point's cell / cell area above which dots merge.
COVER_DENSE = 1.0
# Smallest dot, in points (0.4 mm: still visible in print and on screen).
MIN_DOT_PT = 1.2
# Markers smaller than this lose their outline (a white edge on a 2 pt dot is a grey smudge).
OUTLINE_MIN_PT = 3.5
# Layers with fewer points are always drawn as styled (they cannot bury a map).
MIN_POINTS = 200
# Layers with fewer points never become a density raster (it would be faint specks).
DENSITY_MIN_POINTS = 2_000
# The crowding is measured on at most this many points (a fixed sample), a few ms a level.
SAMPLE = 50_000
# Size classes drawn for proportional symbols (one marker artist each).
SIZE_STEPS = 6


@dataclass(frozen=True)
class PointLook:
    """The form points take at one scale; diameters in points."""

    form: str  # "markers" (maybe smaller than styled) | "density"
    diameter: float  # marker diameter for every point, or the biggest one when proportional
    outline: bool = True
    proportional_from: float | None = None  # value at and above which a point is full size
    shown_from: float | None = None  # points with a smaller value are left out at this scale


@dataclass(frozen=True)
class Crowd:
    """A layer's points on the CELL_PT grid of one scale."""

    cell_of: np.ndarray  # cell number of each (sampled) point
    counts: np.ndarray  # points per occupied cell, scaled up for the sample
    cells: float  # cells in the layer's area (the denominator of the ink share)
    fraction: float  # share of the layer's points that were counted

    def ink(self, diameter: float, counts: np.ndarray | None = None) -> float:
        """Share of the layer's area inked by markers `diameter` points wide."""
        k = self.counts if counts is None else counts
        return float(-np.expm1(-k * (diameter / CELL_PT) ** 2).sum() / self.cells)

    def per_point(self) -> float:
        """Points in the cell of a typical point, itself included (point-weighted mean)."""
        k = self.counts
        total = k.sum()
        if not total:
            return 0.0
        mean = float((k * k).sum() / total)
        # A sample keeps each point with probability f: E[(k'/f)²] = k² + k (1 - f) / f.
        return max(1.0, mean - (1.0 - self.fraction) / self.fraction)


def crowd(x: np.ndarray, y: np.ndarray, cell: float, area: float, fraction: float = 1.0) -> Crowd:
    """Count points `x`, `y` (a sample of `fraction` of the layer) in cells `cell` map units wide.

    area: the layer's area in map units² (at least one cell is assumed).
    """
    if not x.size or not cell > 0:
        return Crowd(np.empty(0, np.int64), np.empty(0), 1.0, 1.0)
    ix = np.floor(x / cell).astype(np.int64)
    iy = np.floor(y / cell).astype(np.int64)
    key = (ix - ix.min()) * (int(iy.max() - iy.min()) + 1) + (iy - iy.min())
    _, cell_of, counts = np.unique(key, return_inverse=True, return_counts=True)
    cells = max(area / cell**2, 1.0)
    return Crowd(cell_of, counts / fraction, cells, fraction)


def point_look(
    counted: Crowd, marker_pt: float, n_points: int, values: np.ndarray | None = None
) -> PointLook | None:
    """The look at this scale, or None: the style's markers as they are.

    marker_pt: the style's marker diameter in points. values: population of each counted
    point (NaN where unknown) for proportional symbols, or None.
    """
    if n_points < MIN_POINTS or counted.ink(marker_pt) <= INK_OK:
        return None
    outline = marker_pt >= OUTLINE_MIN_PT
    if values is not None and np.isfinite(values).any():
        floor = _population_floor(counted, marker_pt, values)
        finite = values[np.isfinite(values) & (values >= floor)]
        top = float(np.quantile(finite, 0.9)) if finite.size else floor
        if top > 0:
            return PointLook("markers", marker_pt, outline, max(top, floor), floor)
    diameter = _shrink(counted, marker_pt)
    if diameter > MIN_DOT_PT:
        return PointLook("markers", diameter, diameter >= OUTLINE_MIN_PT)
    merged = counted.per_point() * (MIN_DOT_PT / CELL_PT) ** 2 > COVER_DENSE
    if merged and counted.ink(MIN_DOT_PT) > INK_OK and n_points >= DENSITY_MIN_POINTS:
        return PointLook("density", MIN_DOT_PT, False)
    return PointLook("markers", MIN_DOT_PT, False)


def _shrink(counted: Crowd, marker_pt: float) -> float:
    """The largest diameter (down to MIN_DOT_PT) whose ink stays within INK_OK: bisection."""
    lo, hi = MIN_DOT_PT, marker_pt
    if counted.ink(lo) > INK_OK:
        return lo
    for _ in range(12):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if counted.ink(mid) <= INK_OK else (lo, mid)
    return lo


def _population_floor(counted: Crowd, marker_pt: float, values: np.ndarray) -> float:
    """The smallest population shown: as many of the most populous as ink INK_OK at full size."""
    order = np.sort(values[np.isfinite(values)])[::-1]
    n_cells = len(counted.counts)

    def ink_of_top(count: int) -> float:
        chosen = np.isfinite(values) & (values >= order[count - 1])
        counts = np.bincount(counted.cell_of[chosen], minlength=n_cells) / counted.fraction
        return counted.ink(marker_pt, counts)

    lo, hi = 1, order.size  # bisection on how many places are shown
    while lo < hi:
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if ink_of_top(mid) <= INK_OK else (lo, mid - 1)
    return float(order[lo - 1])


def proportional_sizes(values: np.ndarray, look: PointLook) -> np.ndarray:
    """Diameter class (0 smallest .. SIZE_STEPS - 1 full size) of each value: area ~ value."""
    top = look.proportional_from or 1.0
    diameter = look.diameter * np.sqrt(np.clip(np.nan_to_num(values) / top, 0.0, 1.0))
    diameter = np.maximum(diameter, MIN_DOT_PT)
    ratio = math.log(max(look.diameter / MIN_DOT_PT, 1.0 + 1e-9))
    steps = np.log(diameter / MIN_DOT_PT) / ratio * (SIZE_STEPS - 1)
    return np.clip(np.round(steps), 0, SIZE_STEPS - 1).astype(np.int64)


def step_diameter(step: int, look: PointLook) -> float:
    """Diameter in points drawn for a size class of proportional_sizes()."""
    ratio = max(look.diameter / MIN_DOT_PT, 1.0)
    return MIN_DOT_PT * ratio ** (step / (SIZE_STEPS - 1))
