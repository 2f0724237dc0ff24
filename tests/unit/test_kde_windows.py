"""The kernel density's split windows (moments where every point is well inside r, skipped
where none reaches, point by point elsewhere) against the previous point-by-point sum."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.kde import _window_parts, quartic_kde


def _clustered(rng: np.random.Generator, n: int, size: float) -> np.ndarray:
    """Dense clusters (thousands of points a cell: the moments' rounding) and a sparse rest."""
    centres = rng.uniform(600_000, 600_000 + size, (5, 2))
    packed = centres[rng.integers(0, 5, n // 2)] + rng.normal(0, size / 100, (n // 2, 2))
    return np.vstack([packed, rng.uniform(600_000, 600_000 + size, (n - n // 2, 2))])


@pytest.mark.parametrize("sampling", ["centres", "qgis"])
@pytest.mark.parametrize(
    ("radius", "cell"), [(5000.0, 1000.0), (2300.0, 700.0), (950.0, 400.0), (450.0, 1000.0)]
)
@pytest.mark.parametrize("size", [60_000.0, 12_000.0])  # fewer points than cells, and more
def test_split_windows_equal_the_point_by_point_sum(sampling, radius, cell, size):
    rng = np.random.default_rng(int(radius + size))
    xy = _clustered(rng, 20_000, size)
    w = rng.uniform(0, 3, len(xy))
    for weights in (None, w):
        grid, fast = quartic_kde(xy, radius, cell, weights=weights, sampling=sampling)
        _, before = quartic_kde(
            xy, radius, cell, weights=weights, sampling=sampling, split_windows=False
        )
        np.testing.assert_allclose(fast, before, rtol=1e-11, atol=1e-12 * before.max())
        assert ((fast == 0) == (before == 0)).all()  # the same cells written to the layer


def test_window_parts_never_call_a_reached_cell_unreached():
    rng = np.random.default_rng(2)
    span = np.arange(-4, 5)
    for _ in range(50):
        reach = rng.uniform(0.3, 4.0)
        u, v = rng.uniform(-0.9, 1.0, 40), rng.uniform(-0.9, 1.0, 40)
        sure, rest = _window_parts(span, reach, u, v)
        d2 = ((span[None, None, :] + 0.5 - u[:, None, None]) ** 2) + (
            (span[None, :, None] + 0.5 - v[:, None, None]) ** 2
        )
        reached = (d2 < reach**2).any(axis=0).ravel()
        inside_all = (d2 <= reach**2 * (1 - 1e-3)).all(axis=0).ravel()
        assert not (sure & rest).any()
        assert (reached <= (sure | rest)).all()  # every cell a point reaches is summed
        assert (sure <= inside_all).all()  # moments only where every kernel is well above 0
