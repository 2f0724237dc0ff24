"""Snapping for the drawing tools (issue 18): vertices first, then segments, within the
tolerance, in the map's CRS whatever the layer's."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import LineString, Point, box

from layers.edit_geometry import reproject
from layers.edit_snap import snap
from layers.layer import Layer

UTM = "EPSG:32618"


@pytest.fixture
def layers() -> list[Layer]:
    square = box(500_000, 100_000, 501_000, 101_000)
    lonlat = reproject(square, UTM, "EPSG:4326")  # the same square, stored in lon/lat
    river = LineString([(499_000, 102_000), (503_000, 102_000)])
    return [
        Layer(gpd.GeoDataFrame({"k": [1]}, geometry=[lonlat], crs="EPSG:4326"), "Zona"),
        Layer(gpd.GeoDataFrame({"k": [1]}, geometry=[river], crs=UTM), "Río"),
    ]


def test_a_vertex_wins_within_the_tolerance(layers):
    hit = snap(layers, 500_004.0, 100_003.0, 10.0, UTM)
    assert (hit.kind, hit.layer, hit.row, hit.vertex) == (
        "vertex",
        "Zona",
        0,
        (0, 0, 3),
    )  # box() starts at its SE corner
    assert hit.x == pytest.approx(500_000.0, abs=1e-6) and hit.y == pytest.approx(100_000, abs=1e-6)


def test_a_segment_when_no_vertex_is_near(layers):
    hit = snap(layers, 500_500.0, 101_006.0, 10.0, UTM)
    assert hit.kind == "segment" and hit.layer == "Zona"
    assert hit.y == pytest.approx(101_000.0, abs=0.5)  # on the edge (curved a little in UTM)
    hit = snap(layers, 502_000.0, 102_004.0, 10.0, UTM)
    assert (hit.kind, hit.layer, hit.vertex) == ("segment", "Río", (0, 0, 1))
    assert (hit.x, hit.y) == pytest.approx((502_000.0, 102_000.0))


def test_nothing_beyond_the_tolerance_or_on_hidden_layers(layers):
    assert snap(layers, 500_500.0, 100_500.0, 10.0, UTM) is None
    layers[0].visible = False
    assert snap(layers, 500_004.0, 100_003.0, 10.0, UTM) is None
    assert snap(layers, 500_004.0, 100_003.0, 10.0, UTM, vertices=False) is None
    hit = snap(layers, 499_000.0, 102_003.0, 10.0, UTM, segments=False)
    assert hit.kind == "vertex" and hit.layer == "Río"
    assert Point(hit.x, hit.y).equals(Point(499_000, 102_000))


# --- the ring arrays behind snapping and the vertex tool, against the list-based reading ----
def _listed_vertices(geometry):
    from layers.edit_geometry import _parts

    return [
        ((p, r, i), x, y)
        for p, rings in enumerate(_parts(geometry))
        for r, ring in enumerate(rings)
        for i, (x, y) in enumerate(ring)
    ]


def _segments(geometry):
    """Every segment with the vertex address a point inserted on it gets, from the lists."""
    from layers.edit_geometry import _parts, kind_of

    closed = kind_of(geometry) == "polygon"
    for p, rings in enumerate(_parts(geometry)):
        for r, ring in enumerate(rings):
            pts = [tuple(v) for v in ring]
            ends = pts[1:] + pts[:1] if closed else pts[1:]
            for i, (start, end) in enumerate(zip(pts, ends, strict=False)):
                yield (p, r, i + 1), start, end


def _check_nearest_segment(geometry, x, y, found) -> None:
    """Shapely's own distance to every segment (a reading independent of the numpy one)."""
    from shapely.geometry import LineString, Point

    at, (ox, oy), d = found
    best = min(LineString([s, e]).distance(Point(x, y)) for _, s, e in _segments(geometry))
    assert abs(d - best) <= 1e-9 * max(1.0, best)
    where = {v: LineString([s, e]) for v, s, e in _segments(geometry)}[at]
    assert (
        where.distance(Point(ox, oy)) <= 1e-9
        and abs(Point(ox, oy).distance(Point(x, y)) - d) <= 1e-9
    )


def _random_shapes(rng):
    import shapely
    from shapely.geometry import MultiLineString, MultiPoint, MultiPolygon, Polygon

    shapes = []
    for _ in range(40):
        c = rng.uniform(0, 1000, 2)
        outer = Point(*c).buffer(rng.uniform(20, 80), quad_segs=int(rng.integers(2, 12)))
        hole = Point(*(c + rng.uniform(-5, 5, 2))).buffer(rng.uniform(2, 10))
        other = Point(*(c + 200)).buffer(15)
        line = LineString(rng.uniform(0, 1000, (int(rng.integers(2, 30)), 2)))
        shapes += [
            outer.difference(hole),  # a polygon with a hole
            MultiPolygon([outer, other]),
            line,
            LineString([*line.coords, line.coords[0]]),  # a closed line keeps its last point
            MultiLineString([line, LineString(rng.uniform(0, 1000, (5, 2)))]),
            Point(*c),
            MultiPoint(rng.uniform(0, 1000, (6, 2))),
            Polygon([(*xy, 7.0) for xy in rng.uniform(0, 1000, (3, 2))]),  # with Z
            shapely.force_3d(line, 2.0),
        ]
    return shapes


def test_ring_arrays_read_the_same_vertices_as_the_lists():
    import numpy as np

    from layers.edit_geometry import nearest_segment, nearest_vertex_point, vertices

    rng = np.random.default_rng(18)
    for shape in _random_shapes(rng):
        listed = _listed_vertices(shape)
        assert vertices(shape) == listed
        for x, y in rng.uniform(-100, 1100, (5, 2)):
            xy = np.array([(vx, vy) for _, vx, vy in listed])
            d = np.hypot(xy[:, 0] - x, xy[:, 1] - y)  # brute force over every vertex
            i = int(np.argmin(d))
            assert nearest_vertex_point(shape, x, y) == (
                listed[i][0],
                (listed[i][1], listed[i][2]),
                float(d[i]),
            )
            if shape.geom_type not in ("Point", "MultiPoint"):
                _check_nearest_segment(shape, x, y, nearest_segment(shape, x, y))
