"""Rasters inside the other analyses (issue 15): every number goes through
analysis.zonal.zonal_table, so planted hectares and people come back exactly."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import rasterio
import shapely
from affine import Affine

from analysis.loss_windows import loss_by_year, window_sum, windows
from analysis.zonal import zonal_table
from layers.raster import open_raster
from layers.timefilter import TimeFilter

CRS = "EPSG:32618"
X0, Y1 = 500_000.0, 200_000.0
PIXEL = 30.0
PIXEL_HA = PIXEL * PIXEL / 10_000.0


def write_raster(path, data, pixel=PIXEL, nodata=None):
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=data.shape[1],
        height=data.shape[0],
        count=1,
        dtype=data.dtype.name,
        crs=CRS,
        transform=Affine(pixel, 0.0, X0, 0.0, -pixel, Y1),
        nodata=nodata,
    ) as dst:
        dst.write(data, 1)
    return path


def box_px(c0, r0, c1, r1, pixel=PIXEL):
    """A polygon on whole pixels: columns c0..c1-1, rows r0..r1-1."""
    return shapely.box(X0 + c0 * pixel, Y1 - r1 * pixel, X0 + c1 * pixel, Y1 - r0 * pixel)


def test_zonal_table_gives_planted_loss_per_year_and_period(tmp_path) -> None:
    data = np.zeros((100, 100), dtype=np.uint8)
    data[10:20, 10:20] = 17  # 100 px lost in 2017
    data[10:15, 30:40] = 19  # 50 px lost in 2019
    data[60:70, 60:70] = 19  # outside the zone
    raster = open_raster(str(write_raster(tmp_path / "lossyear.tif", data)))
    zones = gpd.GeoDataFrame(geometry=[box_px(0, 0, 50, 50), box_px(50, 50, 80, 80)], crs=CRS)
    table = zonal_table(raster, zones, ("classes",), period=TimeFilter.years(2018, 2020))
    assert table["loss_ha"].tolist() == [50 * PIXEL_HA, 100 * PIXEL_HA]
    by_year = loss_by_year(table)
    assert by_year.columns.tolist() == [2017, 2019]
    assert by_year.loc[0].tolist() == [100 * PIXEL_HA, 50 * PIXEL_HA]
    before, after = windows(2018, 2)
    assert before == (2016, 2017) and after == (2019, 2020)
    assert window_sum(by_year, *before).tolist() == [100 * PIXEL_HA, 0.0]
    assert window_sum(by_year, *after).tolist() == [50 * PIXEL_HA, 100 * PIXEL_HA]


def test_zonal_table_coverage_sum_splits_a_pixel_exactly(tmp_path) -> None:
    data = np.full((10, 10), 40.0, dtype=np.float32)
    raster = open_raster(str(write_raster(tmp_path / "pop.tif", data, pixel=100.0)))
    # Two halves split through the middle of column 4: 4.5 and 5.5 pixels wide, 10 rows.
    x = X0 + 450.0
    left = shapely.box(X0, Y1 - 1000.0, x, Y1)
    right = shapely.box(x, Y1 - 1000.0, X0 + 1000.0, Y1)
    zones = gpd.GeoDataFrame(geometry=[left, right], crs=CRS)
    table = zonal_table(raster, zones, ("sum",))
    np.testing.assert_allclose(table["sum"], [45 * 40.0, 55 * 40.0], rtol=1e-9)
