"""Getis-Ord Gi* on a regular grid as a convolution: no weights matrix, memory O(cells).

With binary distance-band weights on the centres of a regular grid, cell i's neighbours are
the same disc of row/column offsets everywhere (cut at the grid's edges). So the
neighbourhood sum Σ_j w_ij y_j is the 2-D window sum of the count raster with that disc,
and the neighbour count w_i (self included) is the window sum of a raster of ones. esda's
`G_Local(y, w, transform="B", star=True)` statistics then follow cell by cell
(docs/methods.md, "Gi* on a grid"):

    G*_i = S_i / Σy                    S_i = Σ_j w_ij y_j (self included)
    E_i  = w_i / n                     n = every cell of the grid
    V_i  = w_i (n − w_i) / (n − 1) / n² · s² / ȳ²,   ȳ = Σy/n,  s² = Σy²/n − ȳ²
    Z_i  = (G*_i − E_i) / √V_i

The window sum adds one cumulative-sum box per distinct half-width of the disc's rows, so
it costs a few passes over the raster whatever the band. Sums of whole numbers (event
counts) are exact; the tests compare with esda on random grids to 1e-9.
"""

from __future__ import annotations

import math

import numpy as np

# A neighbour exactly on the band (e.g. radius = 1 cell) counts, as libpysal's `d <= band`;
# the tolerance absorbs the rounding of centre coordinates.
BAND_TOLERANCE = 1e-9


def band_kernel(radius: float, cell: float) -> np.ndarray:
    """Boolean disc of row/column offsets whose centres lie within `radius` of the middle."""
    reach = int(math.floor(radius / cell + BAND_TOLERANCE))
    offsets = np.arange(-reach, reach + 1)
    dr, dc = np.meshgrid(offsets, offsets, indexing="ij")
    return (dr**2 + dc**2) * cell**2 <= (radius * (1.0 + BAND_TOLERANCE)) ** 2


def window_sum(values: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Σ of `values` over the kernel's cells around every cell (zero outside the grid).

    The disc is symmetric, so this is both the convolution and the correlation.
    """
    values = np.asarray(values, dtype=float)
    rows, cols = values.shape
    reach = kernel.shape[0] // 2
    half_widths = kernel.sum(axis=1) // 2  # each row of a disc is one centred run
    out = np.zeros((rows, cols))
    # Row prefix sums with a zero column in front and `reach` zeros padded on both sides.
    padded = np.zeros((rows, cols + 2 * reach + 1))
    np.cumsum(values, axis=1, out=padded[:, reach + 1 : reach + 1 + cols])
    padded[:, reach + 1 + cols :] = padded[:, reach + cols : reach + 1 + cols]
    for h in np.unique(half_widths):
        # box[r, c] = Σ values[r, c-h .. c+h]
        start = reach - h
        box = (
            padded[:, start + 2 * h + 1 : start + 2 * h + 1 + cols]
            - padded[:, start : start + cols]
        )
        for dr in np.flatnonzero(half_widths == h) - reach:
            # out[r] += box[r + dr] for the rows that exist
            if dr >= 0:
                out[: rows - dr] += box[dr:]
            else:
                out[-dr:] += box[: rows + dr]
    return out


def neighbour_counts(shape: tuple[int, int], kernel: np.ndarray) -> np.ndarray:
    """w_i: the cells of the grid within the band of each cell, itself included."""
    return window_sum(np.ones(shape), kernel)


def gi_star_grid(
    y: np.ndarray, kernel: np.ndarray, counts: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """esda's Gi* (binary weights, self included) of a (rows, cols) raster: (G*_i, Z_i).

    `counts` are the neighbour counts of `kernel` on this grid (computed when None; pass
    them to reuse across years). A constant raster has no z: G*=NaN, Z=0 as in `gi_star`.
    """
    y = np.asarray(y, dtype=float)
    if counts is None:
        counts = neighbour_counts(y.shape, kernel)
    n = y.size
    total = y.sum()
    mean = total / n
    variance = (y * y).sum() / n - mean * mean
    if n < 2 or np.allclose(y, y.flat[0]) or total == 0:
        return np.full(y.shape, np.nan), np.zeros(y.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        g = window_sum(y, kernel) / total
        expected = counts / n
        v = counts * (n - counts)
        v /= n - 1
        v *= 1.0 / n**2
        v *= variance / mean**2
        z = (g - expected) / np.sqrt(v)
    return g, z
