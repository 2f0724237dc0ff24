"""lonlat_bounds transforms vertex arrays: the same numbers as to_crs(WGS84).total_bounds."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import shapely

from layers.crs import WGS84, lonlat_bounds


def test_same_bounds_as_reprojecting_every_shape():
    rng = np.random.default_rng(4)
    xy = rng.uniform([300_000, 0], [700_000, 400_000], size=(5_000, 2))
    points = gpd.GeoDataFrame(geometry=shapely.points(xy), crs=32618)
    shapes = gpd.GeoDataFrame(geometry=points.buffer(3_000).to_numpy(), crs=32618)
    for gdf in (points, shapes, points.to_crs(3857)):
        expected = tuple(float(v) for v in gdf.to_crs(WGS84).total_bounds)
        assert lonlat_bounds(gdf) == expected


def test_empty_shapes_give_nan_bounds():
    gdf = gpd.GeoDataFrame(geometry=[shapely.Point()], crs=32618)
    assert all(math.isnan(v) for v in lonlat_bounds(gdf))
