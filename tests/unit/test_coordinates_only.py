"""Point layers read as coordinates only (count and kde with no attribute asked for): the same
points, counts and densities as the full read, and the full read whenever in doubt."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import CRS
from shapely.geometry import Point, Polygon

from analysis.count import (
    CountPointsInPolygons,
    PointIndex,
    _pairs_in,
    interior_discs,
    point_polygon_pairs,
    xy_polygon_pairs,
)
from analysis.hotspots import HotSpots
from analysis.inputs import execute, metric_crs_for, resolve_params
from layers.crs import choose_metric_crs
from layers.layer import Layer
from layers.readers import read_layers
from layers.readers_points import PointCoordinates, read_point_coordinates


def _random_points(rng, n, box=(-75.9, 0.9, -75.1, 1.6)):
    x = rng.uniform(box[0], box[2], n)
    y = rng.uniform(box[1], box[3], n)
    return x, y


def _regions() -> gpd.GeoDataFrame:
    """A 4 x 3 partition, one multipolygon with a hole and a far island, one overlap."""
    cells = [
        shapely.box(-75.8 + 0.15 * i, 1.0 + 0.15 * j, -75.65 + 0.15 * i, 1.15 + 0.15 * j)
        for i in range(4)
        for j in range(3)
    ]
    holed = Polygon(
        [(-75.2, 1.0), (-75.1, 1.0), (-75.1, 1.3), (-75.2, 1.3)],
        [[(-75.17, 1.1), (-75.13, 1.1), (-75.13, 1.2), (-75.17, 1.2)]],
    )
    multi = shapely.MultiPolygon([holed, shapely.box(-75.9, 1.5, -75.85, 1.55)])
    overlap = shapely.box(-75.7, 1.05, -75.5, 1.2)
    return gpd.GeoDataFrame(
        {"code": [f"R{i:02d}" for i in range(len(cells) + 2)]},
        geometry=[*cells, multi, overlap],
        crs=4326,
    )


def _awkward_points(rng, regions: gpd.GeoDataFrame, n: int = 3000) -> gpd.GeoDataFrame:
    """Random points plus points on edges and vertices, in the hole, outside all, and empty."""
    x, y = _random_points(rng, n)
    edges = shapely.get_coordinates(shapely.segmentize(regions.geometry.boundary, 0.01))
    vertices = shapely.get_coordinates(regions.geometry.values)
    hole = np.array([[-75.15, 1.15], [-75.17, 1.1]])  # inside the hole, on its corner
    outside = np.array([[-75.95, 0.95], [-75.0, 1.65]])
    xy = np.vstack([np.column_stack([x, y]), edges, vertices, hole, outside])
    shapes = list(shapely.points(xy)) + [Point(), Point()]
    order = rng.permutation(len(shapes))
    return gpd.GeoDataFrame(
        {"fatalities": rng.integers(0, 4, len(shapes))},
        geometry=[shapes[i] for i in order],
        crs=4326,
    )


@pytest.fixture()
def files(tmp_path):
    rng = np.random.default_rng(5)
    regions = _regions()
    points = _awkward_points(rng, regions)
    regions.to_file(tmp_path / "regions.gpkg", engine="pyogrio")
    points.to_file(tmp_path / "events.gpkg", engine="pyogrio")
    return tmp_path


def test_coordinates_are_the_points_the_full_reader_keeps(files):
    name = "events.gpkg"
    full = read_layers(files / name)[0]
    fast = read_point_coordinates(files / name)
    assert fast is not None and fast.dropped == 2  # the two empty points, as the full read
    xy = shapely.get_coordinates(full.data.geometry.values)
    np.testing.assert_array_equal(np.column_stack([fast.x, fast.y]), xy)
    assert fast.crs.equals(full.crs) and fast.name == full.name == "events"


def test_count_from_coordinates_equals_the_full_count(files):
    raw = {"points": str(files / "events.gpkg"), "polygons": str(files / "regions.gpkg")}
    algorithm = CountPointsInPolygons()
    assert isinstance(resolve_params(algorithm, dict(raw))["points"], PointCoordinates)
    fast = execute(algorithm, raw)
    full_points = read_layers(files / "events.gpkg")[0]
    previous = execute(algorithm, raw | {"points": full_points})
    np.testing.assert_array_equal(
        fast.layers["counts"]["events"].to_numpy(), previous.layers["counts"]["events"].to_numpy()
    )
    assert fast.summary == previous.summary
    assert fast.summary["points_outside"] > 0


def test_a_weight_or_a_period_reads_the_whole_layer(files):
    algorithm = CountPointsInPolygons()
    raw = {"points": str(files / "events.gpkg"), "polygons": str(files / "regions.gpkg")}
    for extra in ({"weight_field": "fatalities"}, {"from": "2019-01-01"}):
        assert isinstance(resolve_params(algorithm, raw | extra)["points"], Layer)
    weighted = execute(algorithm, raw | {"weight_field": "fatalities"})
    assert weighted.summary["weight_total"] > 0


def test_xy_pairs_equal_shape_pairs_on_random_data():
    rng = np.random.default_rng(9)
    regions = _regions()
    for _ in range(3):
        points = _awkward_points(rng, regions, 2000)
        shapes = np.asarray(points.geometry.values)
        xy = shapely.get_coordinates(shapes[~shapely.is_empty(shapes)])
        fast = xy_polygon_pairs(xy[:, 0], xy[:, 1], regions.geometry)
        before = point_polygon_pairs(shapely.points(xy), regions.geometry)
        assert sorted(zip(*fast, strict=True)) == sorted(zip(*before, strict=True))


def test_kde_from_coordinates_equals_the_full_kde(tmp_path):
    rng = np.random.default_rng(4)
    xy = np.vstack([rng.normal(520_000, 3000, (3000, 2)), rng.uniform(500_000, 540_000, (500, 2))])
    gdf = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs="EPSG:32618")
    gdf.to_file(tmp_path / "ev.gpkg", engine="pyogrio")
    raw = {"events": str(tmp_path / "ev.gpkg"), "method": "kde", "cell_m": 1000.0}
    assert isinstance(resolve_params(HotSpots(), dict(raw))["events"], PointCoordinates)
    for sampling in ("centres", "qgis"):
        fast = execute(HotSpots(), raw | {"sampling": sampling})
        full = execute(
            HotSpots(), raw | {"sampling": sampling, "events": read_layers(tmp_path / "ev.gpkg")[0]}
        )
        np.testing.assert_array_equal(
            fast.rasters["density"].values, full.rasters["density"].values
        )
        assert fast.summary == full.summary
    gi = resolve_params(HotSpots(), raw | {"method": "gi_star"})
    assert isinstance(gi["events"], Layer)


def _coords(x, y, crs) -> PointCoordinates:
    return PointCoordinates(
        "p", np.asarray(x, float), np.asarray(y, float), CRS.from_user_input(crs)
    )


@pytest.mark.parametrize("seed", range(12))
def test_metric_crs_from_boxes_is_the_one_from_every_point(seed):
    rng = np.random.default_rng(seed)
    zone = int(rng.integers(1, 61))
    south = bool(rng.integers(0, 2))
    crs = CRS.from_epsg((32700 if south else 32600) + zone)
    # Sometimes straddling a zone edge or the equator, sometimes wider than 12 degrees.
    width = float(rng.choice([2e4, 3e5, 9e5, 2e6]))
    x = rng.uniform(500_000 - width, 500_000 + width, 5000) + rng.choice([0.0, 2.5e5])
    y = rng.uniform(1e5, 9e6 - width) + rng.uniform(0, width, 5000)
    points = _coords(x, y, crs)
    exact = choose_metric_crs(points.lonlat_bounds())
    assert metric_crs_for(points).equals(exact)


def test_a_layer_without_a_crs_or_swapped_lonlat_goes_the_full_way(tmp_path):
    gpd.GeoDataFrame(geometry=[Point(1, 2), Point(3, 4)]).to_file(tmp_path / "a.gpkg")
    assert read_point_coordinates(tmp_path / "a.gpkg") is None
    swapped = gpd.GeoDataFrame(geometry=[Point(45.5, -120.1), Point(44.2, -121.3)], crs=4326)
    swapped.to_file(tmp_path / "b.gpkg")
    assert read_point_coordinates(tmp_path / "b.gpkg") is None
    both = tmp_path / "c.gpkg"
    gpd.GeoDataFrame(geometry=[Point(1, 2)], crs=4326).to_file(both, layer="one")
    gpd.GeoDataFrame(geometry=[Point(1, 2)], crs=4326).to_file(both, layer="two")
    assert read_point_coordinates(both) is None
    assert read_point_coordinates(both, "two").name == "two"
    z = gpd.GeoDataFrame(geometry=[Point(1, 2, 3)], crs=4326)
    z.to_file(tmp_path / "z.gpkg")
    assert read_point_coordinates(tmp_path / "z.gpkg") is None
    (tmp_path / "e.csv").write_text("latitude,longitude\n1,-75\n")
    assert read_point_coordinates(tmp_path / "e.csv") is None
    assert math.isfinite(read_point_coordinates(both, "one").lonlat_bounds()[0])
    result = execute(
        HotSpots(), {"events": str(tmp_path / "b.gpkg"), "method": "kde", "cell_m": 1000.0}
    )
    assert result.summary["events"] == 2  # swapped back by the full reader, then counted


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_pairs_with_interior_discs_equal_every_pair_tested(seed):
    """The interior-disc shortcut (points near a polygon's centroid need no GEOS test) gives
    the pairs a test of every point against every polygon gives: lattice points on edges and
    corners, holes, circles (nearly all disc), a ring (centroid in the hole: no disc)."""
    rng = np.random.default_rng(seed)
    n = 6000
    xs, ys = rng.uniform(0, 10_000, n), rng.uniform(0, 10_000, n)
    snap = rng.random(n) < 0.3
    xs[snap], ys[snap] = np.round(xs[snap], -3), np.round(ys[snap], -3)
    cells = [
        shapely.box(x, y, x + 2000, y + 2000) for x in range(0, 10_000, 2000) for y in (0, 4000)
    ]
    holed = Polygon(
        [(0, 6000), (4000, 6000), (4000, 10_000), (0, 10_000)],
        [[(1000, 7000), (3000, 7000), (3000, 9000), (1000, 9000)]],
    )
    ring = Point(7000, 8000).buffer(1800).difference(Point(7000, 8000).buffer(1200))
    blobs = [Point(*rng.uniform(0, 10_000, 2)).buffer(rng.uniform(500, 2500)) for _ in range(8)]
    polys = np.array([*cells, holed, ring, *blobs], dtype=object)
    discs = interior_discs(polys)
    assert discs[0] is not None and discs[10] is None and discs[11] is None  # centres in holes
    index = PointIndex.from_xy(xs, ys)
    parts = _pairs_in(index, polys, None)
    got = sorted(zip(np.concatenate(parts[0]), np.concatenate(parts[1]), strict=True))
    every = shapely.intersects(polys[:, None], shapely.points(xs, ys)[None, :])
    assert got == sorted(zip(*np.nonzero(every), strict=True))
