"""Raster layers (layers/raster.py): metadata, windowed reads, overviews, mosaics, bad files."""

from __future__ import annotations

import struct
from pathlib import Path

import fixtures_factory as ff
import numpy as np
import pytest
import rasterio
from affine import Affine
from rasterio.enums import Resampling

from layers import raster as raster_module
from layers.errors import LayerLoadError
from layers.feedback import Canceled, Feedback
from layers.raster import (
    loss_year,
    loss_year_mask,
    loss_year_values,
    open_raster,
)
from layers.timefilter import TimeFilter

ORIGIN = Affine(30.0, 0.0, 500_000.0, 0.0, -30.0, 200_000.0)


def write(path: Path, data: np.ndarray, transform: Affine = ORIGIN, crs="EPSG:32618", **extra):
    return ff.geotiff(path, data, transform, crs, **extra)


def bounds_of(shape: tuple[int, int], transform: Affine = ORIGIN) -> tuple[float, ...]:
    rows, cols = shape
    x0, y1 = transform @ (0, 0)
    x1, y0 = transform @ (cols, rows)
    return x0, y0, x1, y1


def test_metadata(tmp_path) -> None:
    data = np.arange(64 * 80, dtype=np.uint16).reshape(64, 80)
    path = write(
        tmp_path / "pop.tif",
        data,
        nodata=0,
        compress="deflate",
        tiled=True,
        blockxsize=16,
        blockysize=16,
    )
    with rasterio.open(path, "r+") as dst:
        dst.scales, dst.offsets = (0.5,), (10.0,)
    layer = open_raster(path)
    info = layer.info
    assert (info.width, info.height, info.band_count, info.dtype) == (80, 64, 1, "uint16")
    assert info.resolution == (30.0, 30.0)
    assert info.crs.to_epsg() == 32618
    assert info.nodata == 0 and info.scale == 0.5 and info.offset == 10.0
    assert info.bounds == (500_000.0, 200_000.0 - 64 * 30, 500_000.0 + 80 * 30, 200_000.0)
    assert info.overviews == () and info.compression == "deflate"
    assert not info.categorical  # a plain integer grid reads as continuous values
    assert info.describe()["size"] == "80 x 64" and layer.kind == "raster"


def test_raster_name_visible_opacity_are_evented_like_a_vector_layer(tmp_path) -> None:
    layer, seen = open_raster(write(tmp_path / "pop.tif", np.ones((4, 4), np.uint8))), []
    layer.changed.connect(seen.append)
    layer.opacity = 0.5
    layer.visible = False
    layer.visible = False  # unchanged: no event
    layer.name = "  forest  "
    assert seen == ["opacity", "visible", "name"] and layer.name == "forest"
    with pytest.raises(ValueError):
        layer.opacity = 1.5
    with pytest.raises(ValueError):
        layer.name = " "


def test_read_window_at_reduced_resolution_is_a_decimation(tmp_path) -> None:
    rng = np.random.default_rng(1)
    data = rng.random((64, 96)).astype(np.float32)
    layer = open_raster(write(tmp_path / "dem.tif", data))
    full = bounds_of(data.shape)
    nearest = layer.read_window(full, (16, 24), resampling=Resampling.nearest)
    # GDAL's nearest takes the source pixel under each output pixel's centre: 4i + 2.
    np.testing.assert_array_equal(nearest.filled(np.nan), data[2::4, 2::4])
    average = layer.read_window(full, (16, 24))  # continuous: average by default
    blocks = data.reshape(16, 4, 24, 4).mean(axis=(1, 3))
    np.testing.assert_allclose(average.filled(np.nan), blocks, rtol=1e-6)
    # A window of the top-left quarter at full resolution is exactly those pixels.
    x0, _, _, y1 = full
    part = layer.read_window((x0, y1 - 32 * 30, x0 + 48 * 30, y1), (32, 48))
    np.testing.assert_array_equal(part.filled(np.nan), data[:32, :48])


def test_read_whole_keeps_the_aspect_within_the_side_and_never_upsamples(tmp_path) -> None:
    data = np.random.default_rng(2).random((64, 96)).astype(np.float32)
    layer = open_raster(write(tmp_path / "dem.tif", data))
    coarse = layer.read_whole(24, resampling=Resampling.nearest)
    assert coarse.shape == (16, 24)
    np.testing.assert_array_equal(coarse.filled(np.nan), data[2::4, 2::4])
    np.testing.assert_array_equal(layer.read_whole(500).filled(np.nan), data)  # own size


def test_read_window_uses_overviews_it_builds(tmp_path) -> None:
    rng = np.random.default_rng(2)
    data = rng.random((256, 256)).astype(np.float32)
    layer = open_raster(write(tmp_path / "dem.tif", data, tiled=True, blockxsize=64, blockysize=64))
    seen: list[float] = []
    factors = layer.build_overviews(feedback=Feedback(lambda p, m: seen.append(p)))
    assert factors == (2,)  # 256 / 2 = 128 < 256: one level
    assert seen[-1] == 100.0
    read = layer.read_window(bounds_of(data.shape), (128, 128))
    np.testing.assert_allclose(
        read.filled(np.nan), data.reshape(128, 2, 128, 2).mean(axis=(1, 3)), rtol=1e-6
    )


def test_build_overviews_can_be_canceled(tmp_path) -> None:
    layer = open_raster(write(tmp_path / "a.tif", np.zeros((600, 600), np.float32)))
    feedback = Feedback()
    feedback.cancel()
    with pytest.raises(Canceled):
        layer.build_overviews(feedback=feedback)
    assert open_raster(tmp_path / "a.tif").info.overviews == ()


def test_outside_and_nodata_are_masked_and_scaled_applies(tmp_path) -> None:
    data = np.array([[1, 2], [255, 4]], dtype=np.uint8)
    path = write(tmp_path / "x.tif", data, nodata=255)
    with rasterio.open(path, "r+") as dst:
        dst.scales, dst.offsets = (2.0,), (1.0,)
    layer = open_raster(path)
    x0, y0, x1, y1 = bounds_of(data.shape)
    # One pixel-wide margin to the left: a masked column.
    read = layer.read_window((x0 - 30, y0, x1, y1), (2, 3), resampling=Resampling.nearest)
    assert read.mask.tolist() == [[True, False, False], [True, True, False]]
    assert read[0, 1] == 1 and read[1, 2] == 4
    assert layer.scaled(read)[0, 1] == 3.0 and layer.scaled(read)[1, 2] == 9.0
    missed = layer.read_window((0, 0, 10, 10), (4, 4))
    assert missed.mask.all()


def test_view_too_big_without_overviews_says_what_to_do(tmp_path, monkeypatch) -> None:
    layer = open_raster(write(tmp_path / "big.tif", np.zeros((200, 200), np.uint8)))
    monkeypatch.setattr(raster_module, "MAX_VIEW_READ_PIXELS", 10_000)
    with pytest.raises(LayerLoadError, match="Build overviews"):
        layer.read_window(bounds_of((200, 200)), (10, 10))
    layer.build_overviews((2, 4, 8))
    assert layer.info.overviews == (2, 4, 8)
    assert layer.read_window(bounds_of((200, 200)), (10, 10)).shape == (10, 10)


def test_folder_of_tiles_opens_as_one_mosaic(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    rng = np.random.default_rng(3)
    data = rng.integers(0, 24, (40, 60)).astype(np.uint8)
    tiles = tmp_path / "Hansen_GFC-2023-v1.11_lossyear"
    tiles.mkdir()
    for r in (0, 20):
        for c in (0, 30):
            write(
                tiles / f"tile_{r}_{c}.tif",
                data[r : r + 20, c : c + 30],
                transform=ORIGIN @ Affine.translation(c, r),
            )
    layer = open_raster(tiles)
    assert (layer.info.width, layer.info.height, layer.info.tiles) == (60, 40, 4)
    assert layer.is_loss_year and layer.categorical
    read = layer.read_window(bounds_of(data.shape), (40, 60))
    np.testing.assert_array_equal(read.filled(0), data)
    assert not list(tiles.glob("*.vrt"))  # nothing written into the data folder
    assert layer.build_overviews((2,)) == (2,)  # beside the mosaic's VRT, in the cache
    assert not list(tiles.glob("*.ovr"))
    coarse = layer.read_window(bounds_of(data.shape), (20, 30))
    np.testing.assert_array_equal(coarse.filled(0), data[::2, ::2])


def test_tiles_that_do_not_match_are_refused(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    tiles = tmp_path / "tiles"
    tiles.mkdir()
    write(tiles / "a.tif", np.zeros((4, 4), np.uint8))
    write(tiles / "b.tif", np.zeros((4, 4), np.uint8), crs="EPSG:32617")
    with pytest.raises(LayerLoadError, match="tiles differ") as err:
        open_raster(tiles)
    assert "\n" not in str(err.value)


def test_a_vrt_whose_tiles_are_gone_says_so(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    tiles = tmp_path / "tiles"
    tiles.mkdir()
    write(tiles / "a.tif", np.zeros((4, 4), np.uint8))
    vrt = Path(open_raster(tiles).dataset_path)
    moved = tmp_path / "mosaic.vrt"
    moved.write_text(vrt.read_text())
    (tiles / "a.tif").unlink()
    text = one_line_error(moved)
    assert "missing" in text and "truncated" not in text


def test_ascii_grid(tmp_path) -> None:
    path = tmp_path / "dem.asc"
    path.write_text(
        "ncols 3\nnrows 2\nxllcorner -75.5\nyllcorner 1.0\ncellsize 0.01\nNODATA_value -9999\n"
        "1 2 3\n4 -9999 6\n"
    )
    layer = open_raster(path)
    assert layer.info.crs_assumed and layer.info.crs.to_epsg() == 4326
    assert layer.report.warnings  # told that WGS 84 was assumed
    read = layer.read_window(layer.info.bounds, (2, 3))
    assert read.mask.tolist() == [[False, False, False], [False, True, False]]
    assert read[1, 2] == 6


def one_line_error(path: Path, **options) -> str:
    with pytest.raises(LayerLoadError) as err:
        open_raster(path, options=options or None)
    text = str(err.value)
    assert "\n" not in text and "Traceback" not in text
    return text


def test_no_crs_gets_the_vector_question(tmp_path) -> None:
    path = write(tmp_path / "utm.tif", np.zeros((4, 4), np.uint8), crs=None)
    assert "no coordinate reference system" in one_line_error(path)
    assert "--crs EPSG" in one_line_error(path)
    layer = open_raster(path, options={"crs": "EPSG:32618"})
    assert layer.crs.to_epsg() == 32618


def test_truncated_and_garbage_files(tmp_path) -> None:
    rng = np.random.default_rng(4)
    path = write(
        tmp_path / "t.tif",
        rng.integers(0, 255, (512, 512)).astype(np.uint8),
        compress="deflate",
        tiled=True,
        blockxsize=128,
        blockysize=128,
    )
    # Tiles are written in order: cutting the file loses the last ones.
    size = path.stat().st_size
    path.write_bytes(path.read_bytes()[: size * 2 // 3])
    assert "truncated or damaged" in one_line_error(path)
    garbage = tmp_path / "g.tif"
    garbage.write_bytes(b"not a tiff at all" * 10)
    assert "not a raster Harm Atlas knows" in one_line_error(garbage)
    assert "does not exist" in one_line_error(tmp_path / "missing.tif")
    (tmp_path / "empty").mkdir()
    assert "without GeoTIFF tiles" in one_line_error(tmp_path / "empty")


def test_unsupported_compression(tmp_path) -> None:
    path = write(tmp_path / "c.tif", np.ones((8, 8), np.uint8), compress="deflate")
    raw = bytearray(path.read_bytes())
    # Rewrite the Compression tag (259) to a scheme no GDAL decodes.
    offset = struct.unpack_from("<I", raw, 4)[0]
    (count,) = struct.unpack_from("<H", raw, offset)
    for i in range(count):
        entry = offset + 2 + 12 * i
        if struct.unpack_from("<H", raw, entry)[0] == 259:
            struct.pack_into("<H", raw, entry + 8, 50_999)
    path.write_bytes(bytes(raw))
    text = one_line_error(path)
    assert "compressed with a method" in text and "gdal_translate" in text


def test_loss_year_semantics() -> None:
    codes = np.arange(0, 25, dtype=np.uint8)
    assert loss_year(0) is None and loss_year(1) == 2001 and loss_year(23) == 2023
    period = TimeFilter.parse("2016-2020")
    assert loss_year_values(period) == (16, 20)
    assert codes[loss_year_mask(codes, period)].tolist() == [16, 17, 18, 19, 20]
    assert codes[loss_year_mask(codes, None)].tolist() == list(range(1, 25))
    from_june = TimeFilter.parse("2018-06-01..")
    assert codes[loss_year_mask(codes, from_june)].tolist() == list(range(18, 25))
    assert not loss_year_mask(codes, TimeFilter.parse("1995-1999")).any()
