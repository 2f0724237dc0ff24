"""nearest_segment works on whole rings with numpy (snapping asks it on every mouse move):
the same answers as the segment-by-segment shapely version it replaced, on random shapes."""

from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import LineString, MultiPolygon, Point, Polygon

from layers.edit_geometry import _parts, kind_of, nearest_segment


def brute_force(geometry, x, y):
    """The previous implementation: one shapely LineString per segment."""
    best = None
    for p, rings in enumerate(_parts(geometry)):
        for r, ring in enumerate(rings):
            closed = kind_of(geometry) == "polygon"
            pairs = list(zip(ring, ring[1:] + ring[:1] if closed else ring[1:], strict=False))
            for i, (a, b) in enumerate(pairs):
                seg = LineString([a, b])
                point = seg.interpolate(seg.project(Point(x, y)))
                d = point.distance(Point(x, y))
                if best is None or d < best[2]:
                    best = ((p, r, i + 1), (point.x, point.y), d)
    return best


def shapes(rng):
    for _ in range(60):
        n = int(rng.integers(3, 40))
        angles = np.sort(rng.uniform(0, 2 * np.pi, n))
        radius = rng.uniform(50, 500, n)
        cx, cy = rng.uniform(-1e5, 1e5, 2)
        ring = np.c_[cx + radius * np.cos(angles), cy + radius * np.sin(angles)]
        hole = np.c_[cx + 10 * np.cos(angles[::-1]), cy + 10 * np.sin(angles[::-1])]
        yield Polygon(ring, [hole])
        yield LineString(ring)
        yield MultiPolygon([Polygon(ring), Polygon(ring + 5000)])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_same_as_segment_by_segment(seed):
    rng = np.random.default_rng(seed)
    for shape in shapes(rng):
        minx, miny, maxx, maxy = shape.bounds
        for x, y in zip(
            rng.uniform(minx - 200, maxx + 200, 5),
            rng.uniform(miny - 200, maxy + 200, 5),
            strict=True,
        ):
            vertex, point, d = nearest_segment(shape, x, y)
            old_vertex, old_point, old_d = brute_force(shape, x, y)
            assert d == pytest.approx(old_d, rel=1e-9, abs=1e-7)
            assert point == pytest.approx(old_point, rel=1e-9, abs=1e-6)
            assert vertex == old_vertex


def test_a_segment_of_no_length_and_a_single_point_line():
    square = Polygon([(0, 0), (0, 0), (10, 0), (10, 10), (0, 10)])
    assert nearest_segment(square, -1, -1) == brute_force(square, -1, -1)
    assert nearest_segment(LineString([(0, 0), (0, 0), (5, 0)]), 2, 3)[2] == pytest.approx(3)
