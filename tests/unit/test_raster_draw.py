"""Raster layers drawn by the one renderer (canvas and exports): windows, colours, CRS."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
from affine import Affine
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from pyproj import CRS
from shapely.geometry import box
from test_raster_project import write_tif

from cartography import raster_draw
from cartography.layout import map_layout
from cartography.render import MapRenderer, MapView
from layers.layer import Layer
from layers.project import Project
from layers.raster import RasterLayer, open_raster
from layers.raster_style import RasterClass, RasterStyle
from layers.roles import Role
from layers.style import Style
from layers.timefilter import TimeFilter

UTM = CRS.from_epsg(32618)
ORIGIN = Affine(30.0, 0.0, 500_000.0, 0.0, -30.0, 200_000.0)
SIDE = 100  # pixels of the test rasters and of the drawn view
EXTENT = (500_000.0, 200_000.0 - SIDE * 30, 500_000.0 + SIDE * 30, 200_000.0)


def draw(layers, extent=EXTENT, period=None, size=(SIDE, SIDE), renderer=None):
    """The layers drawn on a figure of `size` device pixels; RGBA pixels and legend."""
    fig = Figure(figsize=(size[0] / 100, size[1] / 100), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    view = MapView(UTM, extent, time_filter=period)
    entries = (renderer or MapRenderer()).render(ax, layers, view)
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(int), entries


def at(image, fx: float, fy: float) -> tuple[int, ...]:
    """The pixel at a fraction of the width (from the left) and height (from the top)."""
    h, w = image.shape[:2]
    return tuple(image[min(h - 1, int(fy * h)), min(w - 1, int(fx * w))])


def rgb(colour) -> tuple[int, ...]:
    return tuple(int(round(255 * v)) for v in colour[:3])


def close(a, b, tol=3) -> bool:
    return all(abs(x - y) <= tol for x, y in zip(a, b, strict=True))


def halves(tmp_path, left, right, name="values.tif", dtype=np.float32) -> RasterLayer:
    data = np.full((SIDE, SIDE), left, dtype=dtype)
    data[:, SIDE // 2 :] = right
    return open_raster(write_tif(tmp_path / name, data))


def test_continuous_ramp_with_vectors_on_top(tmp_path) -> None:
    raster = halves(tmp_path, 0.0, 100.0)
    raster.style = RasterStyle(kind="continuous", ramp="viridis", stretch="minmax")
    square = gpd.GeoDataFrame(
        geometry=[box(500_000 + 1200, 200_000 - 1800, 500_000 + 1800, 200_000 - 1200)], crs=UTM
    )
    vector = Layer(square, "Square", role=Role.OTHER, style=Style(fill="#ff0000", edge="none"))
    image, entries = draw([raster, vector])
    viridis = colormaps["viridis"]
    assert close(at(image, 0.1, 0.1), rgb(viridis(0.0)))  # low end of the ramp on the left
    assert close(at(image, 0.9, 0.9), rgb(viridis(1.0)))  # high end on the right
    assert close(at(image, 0.5, 0.5), (255, 0, 0))  # the vector drawn over the raster
    ramp = entries[0]
    assert ramp.kind == "ramp" and ramp.ramp[0] == "#440154" and "0 – 100" in ramp.label
    assert ramp.count == SIDE * SIDE


def test_opacity_and_draw_order_under_a_vector_drawn_first(tmp_path) -> None:
    raster = halves(tmp_path, 1.0, 1.0)
    raster.style = RasterStyle(kind="classified", classes=(RasterClass(1.0, "#0000ff"),))
    raster.opacity = 0.5
    image, _ = draw([raster])
    assert close(at(image, 0.5, 0.5), (128, 128, 255), tol=2)  # half blue over white


def test_loss_year_shows_only_the_period(tmp_path) -> None:
    data = np.zeros((SIDE, SIDE), np.uint8)
    data[:, :33] = 17  # loss in 2017
    data[:, 33:66] = 19  # loss in 2019
    raster = open_raster(write_tif(tmp_path / "hansen_lossyear_10N_080W.tif", data))
    assert raster.style.kind == "loss_year"
    period = TimeFilter.parse("2018-2020")
    image, entries = draw([raster], period=period)
    assert at(image, 0.15, 0.5) == (255, 255, 255)  # 2017: outside the period
    ramp = colormaps[raster.style.ramp]
    assert close(at(image, 0.5, 0.5), rgb(ramp((19 - 1) / (23 - 1))))
    assert at(image, 0.85, 0.5) == (255, 255, 255)  # no loss
    assert entries[0].count == SIDE * 33 and "2018–2020" in entries[0].label
    everything, entries = draw([raster])
    assert everything[50, 15].tolist() != [255, 255, 255]
    assert entries[0].count == SIDE * 66


def test_hillshade_of_a_plane_matches_the_formula(tmp_path) -> None:
    # Height rises 1 m per metre eastwards: dz/dx = 1, a slope of 45° facing west.
    xs = 500_000.0 + 30.0 * (np.arange(SIDE) + 0.5)
    dem = np.tile(xs - 500_000.0, (SIDE, 1)).astype(np.float32)
    raster = open_raster(write_tif(tmp_path / "dem.tif", dem))
    raster.style = RasterStyle(kind="hillshade")
    zen, sun, slope, aspect = math.radians(45), math.radians(135), math.atan(1.0), math.pi
    expected = 255 * (
        math.cos(zen) * math.cos(slope) + math.sin(zen) * math.sin(slope) * math.cos(sun - aspect)
    )
    assert expected == pytest.approx(217.66, abs=0.01)
    direct = raster_draw.hillshade(dem, 30.0, 30.0)
    assert np.allclose(direct[1:-1, 1:-1], expected) and np.isnan(direct[0]).all()
    image, _ = draw([raster])
    assert close(at(image, 0.5, 0.5), (round(expected),) * 3, tol=1)
    # The view's edge pixels get their neighbours from outside the view: shaded too.
    inner = (EXTENT[0] + 900, EXTENT[1] + 900, EXTENT[2] - 900, EXTENT[3] - 900)
    image, _ = draw([raster], extent=inner)
    assert close(at(image, 0.0, 0.5), (round(expected),) * 3, tol=1)
    steeper = RasterStyle(kind="hillshade", z_factor=2.0)
    assert steeper.key() != raster.style.key()


def test_raster_in_another_crs_is_reprojected(tmp_path) -> None:
    # A lon/lat raster: west half class 1 (red), east half class 2 (blue).
    lonlat = Affine(0.001, 0.0, -75.05, 0.0, -0.001, 4.55)
    data = np.ones((100, 100), np.uint8)
    data[:, 50:] = 2
    raster = open_raster(
        write_tif(tmp_path / "lonlat.tif", data, transform=lonlat, crs="EPSG:4326")
    )
    raster.style = RasterStyle(
        kind="classified", classes=(RasterClass(1, "#ff0000"), RasterClass(2, "#0000ff"))
    )
    from pyproj import Transformer

    to_utm = Transformer.from_crs(4326, UTM, always_xy=True)
    x0, y0 = to_utm.transform(-75.04, 4.46)
    x1, y1 = to_utm.transform(-74.96, 4.54)
    image, entries = draw([raster], extent=(x0, y0, x1, y1))
    assert close(at(image, 0.2, 0.5), (255, 0, 0)) and close(at(image, 0.8, 0.5), (0, 0, 255))
    # The class border (lon -75.0) lands where the map CRS puts it, not at the middle column.
    border_x, _ = to_utm.transform(-75.0, 4.5)
    column = (border_x - x0) / (x1 - x0)
    assert close(at(image, column - 0.04, 0.5), (255, 0, 0))
    assert close(at(image, column + 0.04, 0.5), (0, 0, 255))
    assert [c.count > 0 for c in entries[0].children] == [True, True]


def test_reading_stays_windowed(tmp_path, monkeypatch) -> None:
    big = 2000
    data = np.arange(big * big, dtype=np.float32).reshape(big, big)
    raster = open_raster(write_tif(tmp_path / "big.tif", data))
    raster.style = RasterStyle(kind="continuous", vmin=0.0, vmax=float(big * big))
    reads = []
    real = RasterLayer.read_window

    def recording(self, bounds, out_shape, **kwargs):
        reads.append((tuple(bounds), tuple(out_shape)))
        return real(self, bounds, out_shape, **kwargs)

    monkeypatch.setattr(RasterLayer, "read_window", recording)
    x0, y1 = 500_000.0, 200_000.0
    zoomed = (x0 + 3000, y1 - 6000, x0 + 6000, y1 - 3000)  # 100 x 100 source pixels
    draw([raster], extent=zoomed, size=(300, 300))
    assert reads, "the raster was not read"
    for _bounds, shape in reads:
        assert shape != (big, big)
        assert max(shape) <= max(raster_draw.SAMPLE_SIDE, 300)
    assert (zoomed, (300, 300)) in reads  # the view's window at the output's pixels
    again = len(reads)
    renderer = MapRenderer()
    draw([raster], extent=zoomed, size=(300, 300), renderer=renderer)
    n = len(reads)
    draw([raster], extent=zoomed, size=(300, 300), renderer=renderer)
    assert len(reads) == n and n > again  # the same window is drawn from the kept image


def test_export_with_a_raster_has_a_ramp_legend(tmp_path) -> None:
    raster = halves(tmp_path, 0.0, 100.0)
    project = Project(title="Raster export")
    project.add(raster)
    vector = Layer(
        gpd.GeoDataFrame(geometry=[box(*EXTENT).buffer(-900)], crs=UTM),
        "Region",
        role=Role.ADMIN_BOUNDARIES,
    )
    project.add(vector)
    project.metric_crs = UTM
    result = map_layout(project, dpi=60)
    kinds = [entry.kind for entry in result.legend]
    assert kinds == ["ramp", "polygon"]
    out = tmp_path / "map.png"
    result.figure.savefig(out, dpi=60)
    assert out.stat().st_size > 1000


def test_a_view_the_raster_cannot_serve_leaves_the_map_up(tmp_path, monkeypatch) -> None:
    from layers import raster as raster_module

    raster = halves(tmp_path, 0.0, 100.0)
    monkeypatch.setattr(raster_module, "MAX_VIEW_READ_PIXELS", 10)
    renderer = MapRenderer()
    image, entries = draw([raster], renderer=renderer)
    assert entries[0].count == 0 and at(image, 0.5, 0.5) == (255, 255, 255)
    assert "overviews" in renderer.raster_errors[raster.id]


def test_screen_renders_with_snapshots_keep_the_raster(tmp_path) -> None:
    from canvas_draw import draw_like_the_canvas

    raster = halves(tmp_path, 0.0, 100.0)
    raster.style = RasterStyle(kind="continuous", ramp="viridis")
    renderer = MapRenderer()
    view = MapView(UTM, EXTENT, pixel_size=30.0)
    first = draw_like_the_canvas(
        renderer, [raster], view, tiles=True, idle=True, size_px=(100, 100)
    )
    again = draw_like_the_canvas(renderer, [raster], view, tiles=True, size_px=(100, 100))
    assert close(at(first, 0.1, 0.5), rgb(colormaps["viridis"](0.0)))
    assert np.abs(first - again).max() <= 2  # from a snapshot or live: the same pixels
    raster.style = RasterStyle(kind="continuous", ramp="magma")  # a new look is not a stale one
    third = draw_like_the_canvas(renderer, [raster], view, tiles=True, size_px=(100, 100))
    assert close(at(third, 0.1, 0.5), rgb(colormaps["magma"](0.0)))


def test_reprojected_values_match_a_pixel_by_pixel_lookup(tmp_path) -> None:
    # Random classes on 0.01° cells: each map pixel must carry the class of the lon/lat cell
    # its centre falls in (nearest), except on a sliver along cell borders.
    rng = np.random.default_rng(7)
    data = rng.integers(1, 6, (60, 80)).astype(np.uint8)
    lonlat = Affine(0.01, 0.0, -75.4, 0.0, -0.01, 4.8)
    raster = open_raster(write_tif(tmp_path / "cells.tif", data, transform=lonlat, crs="EPSG:4326"))
    raster.style = RasterStyle(kind="classified")
    from pyproj import Transformer

    to_utm = Transformer.from_crs(4326, UTM, always_xy=True)
    x0, y0 = to_utm.transform(-75.3, 4.3)
    x1, y1 = to_utm.transform(-74.9, 4.7)
    rows, cols = 200, 220
    (values,) = raster_draw.window_values(raster, UTM, (x0, y0, x1, y1), (rows, cols))
    xs = x0 + (np.arange(cols) + 0.5) * (x1 - x0) / cols
    ys = y1 - (np.arange(rows) + 0.5) * (y1 - y0) / rows
    gx, gy = np.meshgrid(xs, ys)
    lon, lat = Transformer.from_crs(UTM, 4326, always_xy=True).transform(gx, gy)
    c = np.floor((lon + 75.4) / 0.01).astype(int)
    r = np.floor((4.8 - lat) / 0.01).astype(int)
    inside = (c >= 0) & (c < 80) & (r >= 0) & (r < 60)
    expected = np.where(inside, data[r.clip(0, 59), c.clip(0, 79)], np.nan)
    agree = (values == expected) | (np.isnan(values) & np.isnan(expected))
    assert agree.mean() > 0.995, agree.mean()
