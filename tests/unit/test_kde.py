"""Kernel density: 'centres' against a brute-force evaluation at every cell centre, 'qgis'
against QGIS 3.22's own raster and a line-by-line transcription of its loop (qgskde.cpp),
and the density written as a GeoTIFF with its CRS and transform."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from shapely.geometry import box

from analysis.base import AnalysisResult, Feedback
from analysis.hotspots import HotSpots, quartic_kde
from analysis.inputs import InputError
from analysis.outputs import write_frame, write_result
from layers.layer import Layer
from layers.roles import Role

# QGIS 3.22.16 `qgis:heatmapkerneldensityestimation` (quartic, raw, RADIUS=3000,
# PIXEL_SIZE=1000) on these three points in EPSG:32618; its -9999 (never touched) as 0.
THREE = np.array([[500123.4, 100456.7], [501890.2, 101234.9], [503377.7, 99890.1]])
QGIS_THREE_GEOTRANSFORM = (497123.4, 1000.0, 0.0, 104234.9, 0.0, -1000.0)
QGIS_THREE = np.array(
    [
        [0, 0, 0, 0, 0.008626916, 0.001685839, 0, 0, 0, 0, 0],
        [0, 0.075879708, 0.250283718, 0.444424987, 0.452811688, 0.374712378, 0.17230086,
         0.017725417, 0, 0, 0],
        [0.032095298, 0.388872027, 0.837747693, 1.266554952, 1.388564944, 1.245033264,
         0.896965265, 0.341819197, 0.035966344, 0, 0],
        [0.093063258, 0.561760962, 1.126068354, 1.631765127, 1.937942624, 1.798429966,
         1.372514248, 0.667668641, 0.169637039, 0, 0],
        [0.043577231, 0.426665068, 0.845201433, 1.236566544, 1.535928488, 1.497116446,
         1.200488448, 0.640155733, 0.169637039, 0, 0],
        [0, 0.111999132, 0.310120821, 0.403507471, 0.505070925, 0.651588798, 0.575021267,
         0.333600134, 0.035966344, 0, 0],
        [0, 0, 0.000260157, 0.000260157, 0, 0.058727141, 0.089310095, 0.017725417, 0, 0, 0],
        [0] * 11,
        [0] * 11,
    ]
)  # fmt: skip


def brute_centres(xy, w, grid, radius):
    """Σ w·(1 − (d/r)²)² over points, d from every cell centre: no window, no shortcut."""
    xs, ys = grid.centres()
    gx, gy = np.meshgrid(xs, ys)
    out = np.zeros(grid.shape)
    for (px, py), wi in zip(xy, w, strict=True):
        d = np.hypot(gx - px, gy - py)
        out += wi * np.where(d <= radius, (1 - (d / radius) ** 2) ** 2, 0.0)
    return out


def qgis_loop(xy, w, radius, pixel):
    """qgskde.cpp (QGIS 3.22) transcribed: addFeature per point, block read/add/write."""
    xmin, ymin = xy[:, 0].min() - radius, xy[:, 1].min() - radius
    xmax, ymax = xy[:, 0].max() + radius, xy[:, 1].max() + radius
    rows = max(math.ceil((ymax - ymin) / pixel) + 1, 1)
    cols = max(math.ceil((xmax - xmin) / pixel) + 1, 1)
    buffer = int(radius / pixel)  # radiusSizeInPixels
    if radius - pixel * buffer > 0.5:
        buffer += 1
    block = 2 * buffer + 1
    raster = np.zeros((rows, cols))

    def unsigned(value):  # C++ double -> unsigned int: truncation; -1 or less wraps around
        return int(value) if value > -1 else 2**32 + int(value)

    for (x, y), weight in zip(xy, w, strict=True):
        x_pos = unsigned((x - xmin) / pixel - buffer)
        y_pos = unsigned((y - ymin) / pixel - buffer)
        y_pos_io = unsigned((ymax - y) / pixel - buffer)
        if x_pos + block > cols or y_pos_io + block > rows:
            continue  # GDALRasterIO refuses a window outside the raster: the point is lost
        for xp in range(block):
            for yp in range(block):
                cx = (x_pos + xp + 0.5) * pixel + xmin
                cy = (y_pos + yp + 0.5) * pixel + ymin
                distance = math.sqrt((cx - x) ** 2 + (cy - y) ** 2)
                if distance > radius:
                    continue
                raster[y_pos_io + yp, x_pos + xp] += weight * (1 - (distance / radius) ** 2) ** 2
    return raster


def test_qgis_sampling_reproduces_qgis_322_raster():
    grid, kde = quartic_kde(THREE, radius=3000.0, cell=1000.0, sampling="qgis")
    assert grid.geotransform == pytest.approx(QGIS_THREE_GEOTRANSFORM)
    assert kde.shape == QGIS_THREE.shape
    np.testing.assert_allclose(kde, QGIS_THREE, rtol=0, atol=1e-6)  # QGIS keeps float32
    # Exact centres differ from QGIS by up to 7 % of the peak here (the kernel's mirror).
    _, centres = quartic_kde(THREE, radius=3000.0, cell=1000.0)
    assert np.abs(centres - QGIS_THREE).max() / QGIS_THREE.max() > 0.05


@pytest.mark.parametrize(("radius", "cell"), [(5000.0, 1000.0), (2300.0, 700.0), (950.0, 400.0)])
def test_qgis_sampling_matches_its_loop_transcribed(radius, cell):
    rng = np.random.default_rng(7)
    xy = np.column_stack([rng.uniform(0, 9000, 80), rng.uniform(0, 7000, 80)]) + 600_000
    w = rng.uniform(0, 3, len(xy))
    _, kde = quartic_kde(xy, radius, cell, weights=w, sampling="qgis", chunk=17)
    np.testing.assert_allclose(kde, qgis_loop(xy, w, radius, cell), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("radius", "cell"), [(5000.0, 1000.0), (2300.0, 700.0), (450.0, 1000.0)])
def test_centres_sampling_equals_brute_force_at_cell_centres(radius, cell):
    rng = np.random.default_rng(11)
    xy = np.column_stack([rng.uniform(0, 12_000, 150), rng.uniform(0, 9_000, 150)]) + 400_000
    w = rng.uniform(0, 2, len(xy))
    grid, kde = quartic_kde(xy, radius, cell, weights=w, chunk=33)
    np.testing.assert_allclose(kde, brute_centres(xy, w, grid, radius), rtol=0, atol=1e-12)


def test_points_outside_a_given_grid_are_left_out():
    _, kde = quartic_kde(THREE, radius=3000.0, cell=1000.0)
    grid, _ = quartic_kde(THREE[:2], radius=3000.0, cell=1000.0)
    _, on_grid = quartic_kde(THREE, radius=3000.0, cell=1000.0, grid=grid)
    inside = grid.cell_index(THREE[:, 0], THREE[:, 1]) >= 0
    expected = brute_centres(THREE[inside], np.ones(int(inside.sum())), grid, 3000.0)
    np.testing.assert_allclose(on_grid, expected, atol=1e-12)


def _kde_result(tmp_path, sampling="centres") -> AnalysisResult:
    rng = np.random.default_rng(3)
    xy = np.vstack([rng.normal(520_000, 900, (400, 2)), rng.uniform(505_000, 535_000, (200, 2))])
    gdf = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs="EPSG:32618")
    layer = Layer(gdf, "events", role=Role.VIOLENCE)
    params = {"events": layer, "method": "kde", "cell_m": 1000.0, "radius_m": 3000.0}
    return HotSpots().run(params | {"sampling": sampling}, Feedback())


def test_kde_density_is_written_as_a_float32_geotiff(tmp_path):
    result = _kde_result(tmp_path)
    raster = result.rasters["density"]
    out = tmp_path / "density.tif"
    assert write_result(result, out) == [out]
    with rasterio.open(out) as ds:
        assert (ds.count, ds.dtypes[0]) == (1, "float32")
        assert ds.crs.to_epsg() == 32618
        assert ds.transform.to_gdal() == pytest.approx(tuple(result.summary["geotransform"]))
        assert (ds.height, ds.width) == (result.summary["rows"], result.summary["cols"])
        values = ds.read(1)
    np.testing.assert_allclose(values, raster.values.astype(np.float32))
    assert values.max() == pytest.approx(result.summary["max_density"], rel=1e-6)
    # The polygon layer holds the non-zero cells only, with the same values.
    cells = result.layers["hotspots"]
    assert len(cells) == int((values != 0).sum()) == result.summary["cells_with_density"]
    np.testing.assert_allclose(
        cells["density"].to_numpy(), raster.values[cells["row"], cells["col"]]
    )


def test_tif_refused_where_there_is_no_grid(tmp_path):
    cells = gpd.GeoDataFrame({"v": [1.0]}, geometry=[box(0, 0, 1, 1)], crs=32618)
    with pytest.raises(InputError, match="no grid"):
        write_result(AnalysisResult(layers={"cells": cells}), tmp_path / "x.tif")
    with pytest.raises(InputError, match="not .tif"):
        write_frame(cells, tmp_path / "x.tif")
    assert not list(tmp_path.iterdir())


def test_qgis_sampling_is_a_parameter_of_the_analysis(tmp_path):
    centres, qgis = _kde_result(tmp_path), _kde_result(tmp_path, "qgis")
    assert (centres.summary["sampling"], qgis.summary["sampling"]) == ("centres", "qgis")
    a, b = centres.rasters["density"].values, qgis.rasters["density"].values
    assert a.sum() == pytest.approx(b.sum(), rel=1e-3)
    assert not np.allclose(a, b)
