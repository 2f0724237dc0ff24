"""Quartic kernel density (QGIS heatmap, raw or scaled) on a CellGrid: exact at cell centres
or QGIS 3.22's own sampling, cell for cell (docs/methods.md, "Kernel density").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from analysis.base import Feedback
from analysis.cell_grid import CellGrid, grid_for_extent
from analysis.inputs import InputError
from layers.i18n import tr


# --- kernel density -------------------------------------------------------------------------
def quartic_kernel(distance: np.ndarray, radius: float) -> np.ndarray:
    """Raw quartic kernel (1 − (d/r)²)² for d ≤ r, 0 beyond (QGIS 'raw' output)."""
    d = np.asarray(distance, dtype=float)
    k = (1.0 - (d / radius) ** 2) ** 2
    return np.where(d <= radius, k, 0.0)


KDE_SAMPLINGS = ("centres", "qgis")


def quartic_kde(
    xy: np.ndarray,
    radius: float,
    cell: float,
    weights: np.ndarray | None = None,
    grid: CellGrid | None = None,
    scaled: bool = False,
    feedback: Feedback | None = None,
    chunk: int | None = None,
    sampling: str = "centres",
    split_windows: bool = True,
    y_bottom: float | None = None,
) -> tuple[CellGrid, np.ndarray]:
    """Quartic kernel density of points on a grid: the sum over points of
    w · (1 − (d/r)²)² for d ≤ r, with d from the point to the cell.

    sampling="centres": d to each cell's centre, exactly. sampling="qgis": QGIS 3.22's
    heatmap sampling, which takes a point's position across its cell from the extent's
    bottom edge while the rows run from its top, so when the extent's height is a whole
    number of cells each point's kernel is mirrored vertically inside its cell
    (docs/methods.md, "Kernel density"). `scaled=True` multiplies by QGIS's normalising
    constant 116/(5πr²)·15/16. Returns the grid and a (rows, cols) float64 array.

    Vectorised per point over its window of cells, in chunks. Points outside a given `grid`
    are left out; a window reaching past the grid's edge is cut there (QGIS drops such a
    point whole: possible only when r is not a whole number of cells).

    split_windows (default): window cells that every point reaches well inside r are summed
    per source cell from moments of the points' places (the kernel is a polynomial there),
    cells no point reaches are skipped, and only the rest are evaluated point by point
    (r = 5 cells: 40 of 121). False evaluates every window cell point by point (the previous
    way, kept to test against).

    y_bottom: the grown extent's bottom that "qgis" sampling measures from, when these points
    are one part of a larger set on `grid` (analysis/hotspots_cluster.py); else from `xy`.
    """
    if sampling not in KDE_SAMPLINGS:
        raise ValueError(f"sampling must be one of {KDE_SAMPLINGS}, not {sampling!r}")
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    if not radius > 0:
        raise InputError(tr("The radius must be a positive number of metres."))
    w = np.ones(len(xy)) if weights is None else np.asarray(weights, dtype=float)
    ok = np.isfinite(xy).all(axis=1) & np.isfinite(w)
    if not ok.all():  # no copy of a million points when all are usable
        xy, w = xy[ok], w[ok]
    # QGIS measures a point's place in its cell from the bottom of the grown data extent.
    if y_bottom is None:
        y_bottom = (xy[:, 1].min() - radius) if len(xy) else math.nan
    if grid is None:
        if len(xy) == 0:
            raise InputError(tr("No points to compute a density from."))
        grid = grid_for_extent(_extent(xy), cell, grow=radius)
    else:  # a given grid may not hold them all
        inside = grid.cell_index(xy[:, 0], xy[:, 1]) >= 0
        xy, w = xy[inside], w[inside]
    size = grid.cell
    reach = radius / size
    half = _qgis_window(radius, size) if sampling == "qgis" else int(math.ceil(reach))
    # A padded grid takes whole windows without edge tests; the pad is cut off at the end.
    pcols = grid.cols + 2 * half
    span = np.arange(-half, half + 1)
    offsets = (span[:, None] * pcols + span[None, :]).ravel()  # row-major (dy, dx)
    out = np.zeros((grid.rows + 2 * half) * pcols)
    col, row, u, v, w = _window_origins(xy, w, grid, half, y_bottom, sampling)
    base = (row + half) * pcols + col + half
    w = None if weights is None else w  # unweighted: no products
    points = _Points(
        _Window(span, offsets, reach), base, u, v, w, chunk, _Progress(feedback, len(base))
    )
    if split_windows:
        _add_split(out, points)
    else:
        _add_point_by_point(out, points, np.ones(len(offsets), dtype=bool))
    values = out.reshape(grid.rows + 2 * half, pcols)[
        half : half + grid.rows, half : half + grid.cols
    ]
    values = np.ascontiguousarray(values)
    if scaled:
        values *= 116.0 / (5.0 * math.pi * radius**2) * 15.0 / 16.0
    return grid, values


@dataclass(frozen=True)
class _Window:
    """A point's window of cells: its cells' centres (s, t) in cells from the window's origin
    cell, their flat offsets on the padded grid (row-major dy, dx), and r in cells."""

    span: np.ndarray
    offsets: np.ndarray
    reach: float

    @property
    def s(self) -> np.ndarray:
        return np.tile(self.span + 0.5, len(self.span))

    @property
    def t(self) -> np.ndarray:
        return np.repeat(self.span + 0.5, len(self.span))


class _Progress:
    """Cancel checks and progress over all the point-by-point steps of one density."""

    def __init__(self, feedback: Feedback | None, total: int) -> None:
        self.feedback, self.total, self.done = feedback, max(total, 1), 0

    def step(self, points: int) -> None:
        """Before `points` more points are evaluated: check for cancel, report the share done."""
        if self.feedback is not None:
            self.feedback.check()
            self.feedback.set_progress(100.0 * self.done / self.total, tr("Kernel density"))
        self.done += points


@dataclass(frozen=True)
class _Points:
    """Points whose kernels are added: their window origin's flat index on the padded grid
    (base), their place in that cell (u, v, in cells), their weights (None: 1 each), with the
    window, the chunk size (None: chosen per call) and the progress they are summed with."""

    win: _Window
    base: np.ndarray
    u: np.ndarray
    v: np.ndarray
    w: np.ndarray | None
    chunk: int | None
    progress: _Progress

    def take(self, idx: np.ndarray) -> _Points:
        """The points at `idx`, with the same window, chunk and progress."""
        w = None if self.w is None else self.w[idx]
        return replace(self, base=self.base[idx], u=self.u[idx], v=self.v[idx], w=w)


# Points of a dense grid are split by their place in the cell into SUBCELLS x SUBCELLS groups:
# the ring of window cells that must be evaluated point by point is thinner for each (r = 5
# cells: ~11 cells instead of 40). A power of two: u * SUBCELLS is exact.
SUBCELLS = 4


def _add_split(out: np.ndarray, points: _Points) -> None:
    """quartic_kde's sum with split windows: moments where every point of a group is well
    inside r, nothing where none reaches, point by point in the ring between."""
    if len(points.base) == 0:
        return
    u, v = points.u, points.v
    typical = (u >= 0) & (u < 1) & (v >= 0) & (v < 1)
    if not typical.all():  # qgis sampling, points by the grid's left or bottom edge
        _add_group(out, points.take(np.flatnonzero(~typical)), None)
        points = points.take(np.flatnonzero(typical))
        u, v = points.u, points.v
        if len(points.base) == 0:
            return
    if len(points.base) < out.size:  # sparse points: one split for all
        _add_group(out, points, None)
        return
    win = points.win
    whole = np.array([0.0, 1.0])
    shared, _ = _window_parts(win.span, win.reach, whole, whole)  # sure for every group
    if shared.any():
        points.progress.step(0)
        _add_by_moments(out, points.base, u, v, points.w, win.s[shared], win.t[shared],
                        win.offsets[shared], win.reach)  # fmt: skip
    n = SUBCELLS
    key = (u * n).astype(np.int16) * n + (v * n).astype(np.int16)
    order = np.argsort(key, kind="stable")
    ends = np.cumsum(np.bincount(key, minlength=n * n))
    for g in range(n * n):
        idx = order[(ends[g - 1] if g else 0) : ends[g]]
        if len(idx):
            _add_group(out, points.take(idx), shared)


def _add_group(out: np.ndarray, points: _Points, done: np.ndarray | None) -> None:
    """One group's sum, split by the range of its points' places; window cells in `done`
    were summed already (by moments over several groups)."""
    win = points.win
    sure, rest = _window_parts(win.span, win.reach, points.u, points.v)
    if done is not None:  # the group's own extra sure cells: few, point by point is cheaper
        _add_point_by_point(out, points, rest | (sure & ~done))
        return
    if sure.any():
        _add_by_moments(out, points.base, points.u, points.v, points.w, win.s[sure],
                        win.t[sure], win.offsets[sure], win.reach)  # fmt: skip
    _add_point_by_point(out, points, rest)


def _add_point_by_point(out: np.ndarray, points: _Points, cells: np.ndarray) -> None:
    """Add each point's kernel at the window cells in mask `cells`, in chunks of points."""
    win, base, u, v, w, chunk = points.win, points.base, points.u, points.v, points.w, points.chunk
    if not cells.any() or len(base) == 0:
        return
    # Small chunks stay in cache (4,096 points x 121 cells: 0.8 s for 1M, 16,384: 0.94 s),
    # but each one adds a whole grid's bincount: on large grids take more points per chunk.
    chunk = max(1, chunk or max(4096 * len(cells) // int(cells.sum()), out.size // 32))
    dx0, dy0, offs = win.s[cells], win.t[cells], win.offsets[cells]
    inv_r = 1.0 / win.reach
    for start in range(0, len(base), chunk):
        part = slice(start, start + chunk)
        points.progress.step(len(base[part]))
        # Squared distance to each window cell's centre, in units of r: (dx² + dy²) / r².
        k = ((dy0[None, :] - v[part, None]) * inv_r) ** 2
        k += ((dx0[None, :] - u[part, None]) * inv_r) ** 2
        np.subtract(1.0, k, out=k)
        np.maximum(k, 0.0, out=k)  # beyond r: 0 (clip before squaring)
        np.square(k, out=k)
        if w is not None:
            k *= w[part, None]
        flat = (base[part, None] + offs[None, :]).ravel()
        out += np.bincount(flat, weights=k.ravel(), minlength=out.size)


# A window cell is summed by moments only where every point's kernel is at least this (so
# the polynomial's rounding, ~1e-16 of the cell's points, stays far below each value).
MOMENT_KERNEL_FLOOR = 1e-3


def _window_parts(
    span: np.ndarray, reach: float, u: np.ndarray, v: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Flat masks over the window (row-major dy, dx): cells inside r for every point with a
    kernel of at least MOMENT_KERNEL_FLOOR, and cells some point may reach (the others: none).

    From the range of the points' places (u, v): the distance from a point to a window cell's
    centre is largest and smallest at the corners of that range (or 0 across it)."""
    centre = span + 0.5
    far_x = np.maximum(np.abs(centre - u.min()), np.abs(centre - u.max()))
    far_y = np.maximum(np.abs(centre - v.min()), np.abs(centre - v.max()))
    across_x = (centre >= u.min()) & (centre <= u.max())
    across_y = (centre >= v.min()) & (centre <= v.max())
    near_x = np.where(across_x, 0.0, np.minimum(np.abs(centre - u.min()), np.abs(centre - u.max())))
    near_y = np.where(across_y, 0.0, np.minimum(np.abs(centre - v.min()), np.abs(centre - v.max())))
    far = (far_y[:, None] ** 2 + far_x[None, :] ** 2).ravel()
    near = (near_y[:, None] ** 2 + near_x[None, :] ** 2).ravel()
    sure = far <= reach**2 * (1.0 - MOMENT_KERNEL_FLOOR)
    # Cells at or beyond r for every point add 0 (with a margin: rounding decides nothing).
    reached = near < reach**2 * (1.0 + 1e-9)
    return sure, reached & ~sure


def _add_by_moments(
    out: np.ndarray,
    base: np.ndarray,
    u: np.ndarray,
    v: np.ndarray,
    w: np.ndarray | None,
    s: np.ndarray,
    t: np.ndarray,
    offsets: np.ndarray,
    reach: float,
) -> None:
    """Add Σ w·(1 − ((s − u)² + (t − v)²)/reach²)² to cell base + offset for window cells whose
    centre is (s, t) cells from the window's origin, all inside r for every point (w None: 1).

    There the kernel is a polynomial in (u, v): (A + a·P)² with a = 1/reach², A = 1 − a(s² + t²),
    P = 2su + 2tv − ρ, ρ = u² + v². So each source cell needs only the sums of w times
    1, u, v, ρ, u², v², uv, ρ², ρu, ρv over its points, and each window cell a fixed
    combination of those ten."""
    a = 1.0 / reach**2
    cells = np.flatnonzero(np.bincount(base, minlength=out.size))
    rho = u * u
    rho += v * v
    factors = [(None, None), (u, None), (v, None), (rho, None), (u, u), (v, v), (u, v),
               (rho, rho), (rho, u), (rho, v)]  # fmt: skip
    moments = np.empty((len(factors), len(cells)))
    term = np.empty_like(u)
    for m, (first, second) in enumerate(factors):
        if first is None:
            values = w
        elif second is None and w is None:
            values = first
        else:
            values = np.multiply(first, second if second is not None else w, out=term)
            if second is not None and w is not None:
                values *= w
        moments[m] = np.bincount(base, values, minlength=out.size)[cells]
    big_a = 1.0 - a * (s * s + t * t)
    a2 = a * a
    coef = np.column_stack(  # rows: window cells; columns: the moments above, in order
        [
            big_a**2,
            4 * big_a * a * s,
            4 * big_a * a * t,
            -2 * big_a * a,
            4 * a2 * s * s,
            4 * a2 * t * t,
            8 * a2 * s * t,
            np.full_like(s, a2),
            -4 * a2 * s,
            -4 * a2 * t,
        ]
    )
    block = max(1, 4_000_000 // max(len(offsets), 1))  # window cells x source cells per step
    for start in range(0, len(cells), block):
        part = slice(start, start + block)
        values = coef @ moments[:, part]  # (window cells, source cells)
        flat = (cells[part][None, :] + offsets[:, None]).ravel()
        out += np.bincount(flat, weights=values.ravel(), minlength=out.size)


def _window_origins(
    xy: np.ndarray, w: np.ndarray, grid: CellGrid, half: int, y_bottom: float, sampling: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each point's window centre (col, row) and its place (u, v) from that cell's left and
    top edges in cells, so window cell (row + j, col + i) is at (i + 0.5 − u, j + 0.5 − v).

    "qgis" follows qgskde.cpp: window starts truncated toward zero as it converts them to
    unsigned pixels, dy taken from the bottom-based start, and a point whose window leaves
    the raster dropped (its raster read and write fail there).
    """
    fx = (xy[:, 0] - grid.x_min) / grid.cell
    fy = (grid.y_max - xy[:, 1]) / grid.cell
    if sampling == "centres":
        col, row = np.floor(fx), np.floor(fy)
        fx -= col  # in place: u and v (a million points: fewer fresh arrays)
        fy -= row
        return col.astype(np.int64), row.astype(np.int64), fx, fy, w
    from_bottom = (xy[:, 1] - y_bottom) / grid.cell
    col0, row0 = np.trunc(fx - half), np.trunc(fy - half)
    bottom0 = np.trunc(from_bottom - half)
    fits = (
        (fx - half > -1)
        & (fy - half > -1)
        & (col0 + 2 * half < grid.cols)
        & (row0 + 2 * half < grid.rows)
    )
    col, row = col0[fits] + half, row0[fits] + half
    u = fx[fits] - col
    # dy is measured upwards from the bottom-based start while the rows run downwards.
    v = from_bottom[fits] - (bottom0[fits] + half)
    return col.astype(np.int64), row.astype(np.int64), u, v, w[fits]


def _extent(xy: np.ndarray) -> tuple[float, float, float, float]:
    return (xy[:, 0].min(), xy[:, 1].min(), xy[:, 0].max(), xy[:, 1].max())


def _qgis_window(radius: float, cell: float) -> int:
    """QGIS's radiusSizeInPixels: whole cells in r, plus one if the rest exceeds 0.5 map units."""
    half = int(radius / cell)
    return half + 1 if radius - cell * half > 0.5 else half
