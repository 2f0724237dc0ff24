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
