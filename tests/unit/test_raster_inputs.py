"""Rasters inside the other analyses (issue 15): every number goes through
analysis.zonal.zonal_table, so planted hectares and people come back exactly."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from affine import Affine

from analysis.loss_windows import loss_by_year, window_sum, windows
from analysis.zonal import zonal_table
from core.runner import run_analysis
from layers.layer import Layer
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


# --- access: the population raster's cells are the 2SFCA demand ------------------------------
def population_raster(tmp_path):
    """100 m cells over 4 x 2 km: 10 people per cell in the west half, 30 in the east; nodata
    in the first row's first cell."""
    data = np.full((20, 40), 10.0, dtype=np.float32)
    data[:, 20:] = 30.0
    data[0, 0] = -1.0
    return write_raster(tmp_path / "population.tif", data, pixel=100.0, nodata=-1.0)


def halves():
    west = shapely.box(X0, Y1 - 2000.0, X0 + 2000.0, Y1)
    east = shapely.box(X0 + 2000.0, Y1 - 2000.0, X0 + 4000.0, Y1)
    return gpd.GeoDataFrame({"code": ["W", "E"]}, geometry=[west, east], crs=CRS)


def test_access_takes_people_and_demand_from_the_raster(tmp_path) -> None:
    path = population_raster(tmp_path)
    clinic = gpd.GeoDataFrame(geometry=[shapely.Point(X0 + 500.0, Y1 - 1000.0)], crs=CRS)
    result = run_analysis(
        "access",
        {
            "demand": Layer(halves(), "regions"),
            "supply": Layer(clinic, "clinics"),
            "population_raster": str(path),
            "catchment_m": 2600.0,
        },
    )
    out = result.layers["access"]
    # 399 cells of 10 (one is nodata) and 400 of 30: the planted people, exactly.
    assert out["population"].tolist() == [3990.0, 12000.0]
    # One clinic, in reach of every cell whose centre is within 2.6 km: each reached person
    # gets 1 / (people in reach); the east's far cells are beyond it.
    cx = X0 + 50.0 + 100.0 * np.arange(40)
    cy = Y1 - 50.0 - 100.0 * np.arange(20)
    gx, gy = np.meshgrid(cx, cy)
    people = np.where(gx < X0 + 2000.0, 10.0, 30.0)
    people[0, 0] = 0.0
    near = np.hypot(gx - (X0 + 500.0), gy - (Y1 - 1000.0)) <= 2600.0
    ratio = 1.0 / people[near].sum()
    west, east = gx < X0 + 2000.0, gx >= X0 + 2000.0
    for row, side in zip(out.itertuples(), (west, east), strict=True):
        expected = (people * near * ratio)[side].sum() / people[side].sum()
        assert row.access == pytest.approx(expected, rel=1e-12)
        far = (people * ~near)[side].sum() / people[side].sum()
        assert row.share_beyond_reach == pytest.approx(far, rel=1e-12)
    assert result.summary["population_beyond_catchment"] == pytest.approx((people * ~near).sum())


def test_access_with_settlement_points_gives_each_the_people_nearest_it(tmp_path) -> None:
    path = population_raster(tmp_path)
    towns = gpd.GeoDataFrame(
        {"name": ["w", "e"]},
        geometry=[shapely.Point(X0 + 1000.0, Y1 - 1000.0), shapely.Point(X0 + 3000.0, Y1 - 1000.0)],
        crs=CRS,
    )
    clinic = gpd.GeoDataFrame(geometry=[shapely.Point(X0 + 1000.0, Y1 - 1000.0)], crs=CRS)
    result = run_analysis(
        "access",
        {
            "demand": Layer(towns, "towns"),
            "supply": Layer(clinic, "clinics"),
            "population_raster": str(path),
        },
    )
    # Cells within the catchment (15 km) of the towns' box: the whole raster; each cell's
    # people go to the nearer town (x < 2 km: the west one), so the halves come back.
    assert result.layers["access"]["population"].tolist() == [3990.0, 12000.0]
    assert result.summary["population"] == 15990.0
