"""Loss-year rasters zoomed out: every clearing under a map pixel stays visible, and the
period is applied to the raster's own pixels before they are reduced to the map's, so a
later year outside the period cannot hide an earlier one inside it (cartography/raster_draw.py
loss_values; docs/performance.md). Checked against a brute force on random rasters."""

from __future__ import annotations

import numpy as np
import pytest
from affine import Affine
from pyproj import CRS
from test_raster_project import write_tif

from cartography import raster_draw
from layers.raster import open_raster
from layers.timefilter import TimeFilter

UTM = CRS.from_epsg(32618)
ORIGIN = Affine(30.0, 0.0, 500_000.0, 0.0, -30.0, 200_000.0)


def sparse_loss(rng, side: int, share: float = 0.004) -> np.ndarray:
    """Scattered single-pixel clearings (years 1-23) over intact forest (0)."""
    lost = rng.random((side, side)) < share
    return np.where(lost, rng.integers(1, 24, (side, side)), 0).astype(np.uint8)


def brute(data: np.ndarray, k: int, first: int, last: int) -> np.ndarray:
    kept = np.where((data >= first) & (data <= last), data, 0)
    r, c = data.shape[0] // k, data.shape[1] // k
    return kept.reshape(r, k, c, k).max(axis=(1, 3)).astype(float)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("period", [None, "2005-2012", "2019"])
def test_zoomed_out_loss_equals_the_brute_force_block_maximum(tmp_path, seed, period) -> None:
    rng = np.random.default_rng(seed)
    side, k = 400, 8  # 8 raster pixels per map pixel a side
    data = sparse_loss(rng, side)
    layer = open_raster(write_tif(tmp_path / "Hansen_lossyear_t.tif", data))
    assert layer.style.kind == "loss_year"
    tf = TimeFilter.parse(period) if period else None
    extent = layer.info.bounds
    got = raster_draw.loss_values(layer, UTM, extent, (side // k, side // k), tf)
    first, last = raster_draw.loss_year_values(tf)
    want = brute(data, k, first, last)
    assert np.array_equal(got, want)
    # the old nearest read kept only the pixels its samples hit: most clearings vanished
    nearest = layer.read_window(extent, (side // k, side // k)).filled(0)
    kept = np.where((nearest >= first) & (nearest <= last), nearest, 0)
    assert (kept > 0).sum() < 0.5 * (want > 0).sum()


def test_the_period_is_applied_before_the_reduction(tmp_path) -> None:
    data = np.zeros((40, 40), np.uint8)
    data[3, 4] = 12  # 2012, inside the period
    data[5, 6] = 20  # 2020, same map pixel, later than the period
    layer = open_raster(write_tif(tmp_path / "Hansen_lossyear_p.tif", data))
    values = raster_draw.loss_values(
        layer, UTM, layer.info.bounds, (4, 4), TimeFilter.years(2010, 2015)
    )
    assert values[0, 0] == 12  # not hidden by the 2020 pixel next to it
    assert (values > 0).sum() == 1
    everything = raster_draw.loss_values(layer, UTM, layer.info.bounds, (4, 4), None)
    assert everything[0, 0] == 20  # no period: the latest loss


def test_a_single_clearing_shows_in_a_drawn_image_and_in_a_lon_lat_map(tmp_path) -> None:
    data = np.zeros((600, 600), np.uint8)
    data[301, 299] = 18
    layer = open_raster(write_tif(tmp_path / "Hansen_lossyear_one.tif", data))
    painter = raster_draw.RasterPainter()
    rgba, entry = painter.image(layer, UTM, layer.info.bounds, (75, 75))
    assert entry.count == 1 and (rgba[..., 3] > 0).sum() == 1
    lonlat = CRS.from_epsg(4326)
    box = raster_draw.raster_extent(layer, lonlat)
    rgba, entry = painter.image(layer, lonlat, tuple(box), (60, 60))
    assert entry.count >= 1  # reprojected: still there
    later, _ = painter.image(layer, UTM, layer.info.bounds, (75, 75), TimeFilter.years(2001, 2010))
    assert (later[..., 3] > 0).sum() == 0


def test_zoomed_in_reads_the_pixels_as_they_are(tmp_path) -> None:
    rng = np.random.default_rng(9)
    data = sparse_loss(rng, 64, share=0.2)
    layer = open_raster(write_tif(tmp_path / "Hansen_lossyear_in.tif", data))
    got = raster_draw.loss_values(layer, UTM, layer.info.bounds, (128, 128), None)
    assert np.array_equal(got, np.repeat(np.repeat(data, 2, 0), 2, 1).astype(float))


def test_nodata_is_nan_only_where_a_whole_map_pixel_is_nodata(tmp_path) -> None:
    data = np.zeros((40, 40), np.uint8)
    data[:10, :10] = 255  # nodata: the first map pixel entirely
    data[10:12, :10] = 255  # part of the next one down
    data[11, 3] = 7
    path = write_tif(tmp_path / "Hansen_lossyear_nd.tif", data, nodata=255)
    layer = open_raster(path)
    values = raster_draw.loss_values(layer, UTM, layer.info.bounds, (4, 4), None)
    assert np.isnan(values[0, 0]) and np.isfinite(values[1:, :]).all()
    assert values[1, 0] == 7
    with_period = raster_draw.loss_values(
        layer, UTM, layer.info.bounds, (4, 4), TimeFilter.years(2010, 2020)
    )
    assert np.isnan(with_period[0, 0]) and with_period[1, 0] == 0


def test_in_another_crs_every_clearing_and_only_the_periods_show(tmp_path) -> None:
    data = np.zeros((800, 800), np.uint8)
    spots = [(r, c) for r in range(40, 800, 90) for c in range(30, 800, 90)]
    for i, (r, c) in enumerate(spots):
        data[r, c] = 12 if i % 2 else 20
    data[40, 121] = 20  # next to the 2012 clearing at (40, 120): it must not hide it
    layer = open_raster(write_tif(tmp_path / "Hansen_lossyear_merc.tif", data))
    merc = CRS.from_epsg(3857)
    box = tuple(raster_draw.raster_extent(layer, merc))
    values = raster_draw.loss_values(layer, merc, box, (80, 80), TimeFilter.years(2010, 2015))
    from scipy import ndimage

    shown = np.nan_to_num(values) > 0
    assert ndimage.label(shown)[1] == sum(1 for i in range(len(spots)) if i % 2)
    assert set(np.unique(values[shown])) == {12.0}
    everything = raster_draw.loss_values(layer, merc, box, (80, 80), None)
    assert ndimage.label(np.nan_to_num(everything) > 0)[1] == len(spots)


def test_a_classified_raster_zoomed_out_shows_each_map_pixels_commonest_class(tmp_path) -> None:
    from layers.raster_style import RasterClass, RasterStyle

    block = np.full((8, 8), 2, np.uint8)
    block[::2, ::2] = 1  # a quarter of each block, where a nearest read samples
    block[1::4, 1::2] = 3  # an eighth
    data = np.tile(block, (50, 50))
    layer = open_raster(write_tif(tmp_path / "cover.tif", data))
    layer.style = RasterStyle(
        kind="classified",
        classes=(RasterClass(1, "#ff0000"), RasterClass(2, "#00ff00"), RasterClass(3, "#0000ff")),
    )
    (values,) = raster_draw.window_values(layer, UTM, layer.info.bounds, (50, 50))
    assert (values == 2).all()
    (inside,) = raster_draw.window_values(layer, UTM, layer.info.bounds, (400, 400))
    assert np.array_equal(inside, data.astype(float))  # zoomed in: the pixels as they are


def test_a_classified_raster_in_another_crs_zoomed_out_shows_the_commonest_class(tmp_path):
    from layers.raster_style import RasterStyle

    block = np.full((8, 8), 2, np.uint8)
    block[::2, ::2] = 1
    lonlat = Affine(0.0005, 0.0, -75.4, 0.0, -0.0005, 4.8)
    path = write_tif(
        tmp_path / "c.tif", np.tile(block, (50, 50)), transform=lonlat, crs="EPSG:4326"
    )
    layer = open_raster(path)
    layer.style = RasterStyle(kind="classified")
    box = tuple(raster_draw.raster_extent(layer, UTM))
    (values,) = raster_draw.window_values(layer, UTM, box, (40, 40))
    shown = values[np.isfinite(values)]
    assert shown.size > 1000 and (shown == 2).mean() > 0.95
