"""Compare (Qt-free): the project's raster layers in each side's map (issue #15, "Drawing ...
in the compare view"). A loss-year raster is context over the units, filtered by each side's
period and clipped to the region; basemaps and relief go under the units; each raster's ramp
is in the shared legend. Checked on the rendered figure's pixels."""

from __future__ import annotations

from datetime import date

import fixtures_factory as ff
import numpy as np
import pytest
from affine import Affine
from decade_fixture import MIDDLE, decade_project
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg

from cartography import compare as cmp
from layers.layer import Layer
from layers.raster import open_raster
from layers.raster_style import RasterStyle

STYLE = RasterStyle(kind="loss_year", ramp="RdPu", vmin=2010.0, vmax=2023.0)
PIXEL = 0.001  # degrees (~111 m)
ORIGIN = (-78.1, 1.6)  # the raster's top-left corner; CO52's municipality is -78..-77.5, 1..1.5
# Square clearings (centre lon, lat, loss-year code). The before/after windows around the
# MIDDLE operation (2019-07-01, two years) take whole years: 2017–2019 and 2019–2021.
BEFORE_ONLY = (-77.85, 1.35, 17)  # loss in 2017
AFTER_ONLY = (-77.65, 1.15, 21)  # loss in 2021
OUTSIDE = (-77.45, 1.25, 21)  # loss in 2021, east of the region compared
HALF = 0.015  # half a clearing's side in degrees (~1.7 km)


def loss_raster(tmp_path):
    rows, cols = 700, 700
    data = np.zeros((rows, cols), np.uint8)
    for x, y, code in (BEFORE_ONLY, AFTER_ONLY, OUTSIDE):
        c0, c1 = (round((v - ORIGIN[0]) / PIXEL) for v in (x - HALF, x + HALF))
        r0, r1 = (round((ORIGIN[1] - v) / PIXEL) for v in (y + HALF, y - HALF))
        data[r0:r1, c0:c1] = code
    transform = Affine(PIXEL, 0, ORIGIN[0], 0, -PIXEL, ORIGIN[1])
    path = ff.geotiff(tmp_path / "test_lossyear.tif", data, transform, crs="EPSG:4326")
    layer = open_raster(path, name="Forest loss")
    assert layer.is_loss_year
    layer.style = STYLE
    return layer


@pytest.fixture
def project(tmp_path):
    project = decade_project()
    project.layers.insert(1, loss_raster(tmp_path))  # over the units, under the eradication
    return project


def loss_colour(code: int) -> np.ndarray:
    t = (code - (STYLE.vmin - 2000)) / (STYLE.vmax - STYLE.vmin)
    return np.asarray(colormaps[STYLE.ramp](t)[:3]) * 255


def pixel_at(fig, ax, lon: float, lat: float) -> np.ndarray:
    """The rendered colour (RGB 0-255) at a lon/lat point of a side's map."""
    from pyproj import Transformer

    x, y = Transformer.from_crs(4326, ax.crs, always_xy=True).transform(lon, lat)
    px, py = ax.transData.transform((x, y))
    rgba = np.asarray(fig.canvas.buffer_rgba())
    return rgba[rgba.shape[0] - 1 - round(py), round(px), :3].astype(float)


def near(a: np.ndarray, b: np.ndarray, tol: float = 6.0) -> bool:
    return bool(np.abs(a - b).max() <= tol)


def test_loss_pixels_only_in_the_side_whose_period_holds_them(project) -> None:
    before, after, notes = cmp.before_after_sides(project, "CO52", date.fromisoformat(MIDDLE), 2)
    fig = cmp.compare_figure(project, before, after, "violent_events")
    FigureCanvasAgg(fig)
    fig.canvas.draw()
    left, right = fig.axes[0], fig.axes[1]
    for ax in (left, right):
        ax.crs = project.metric_crs
    early, late = loss_colour(BEFORE_ONLY[2]), loss_colour(AFTER_ONLY[2])
    # 2017 loss: on the before map, not on the after map; 2021 loss the other way round.
    assert near(pixel_at(fig, left, *BEFORE_ONLY[:2]), early)
    assert not near(pixel_at(fig, right, *BEFORE_ONLY[:2]), early)
    assert near(pixel_at(fig, right, *AFTER_ONLY[:2]), late)
    assert not near(pixel_at(fig, left, *AFTER_ONLY[:2]), late)
    # Loss outside the region compared is cut off like the other context.
    outside = pixel_at(fig, right, *OUTSIDE[:2])
    assert not near(outside, late) and near(outside, np.full(3, 255.0))
    # The shared legend has the raster's ramp with both sides' years.
    legend = fig.axes[2].get_legend()
    texts = [t.get_text() for t in legend.get_texts()]
    assert any("Forest loss" in t and "2017–2019" in t and "2019–2021" in t for t in texts)


def test_loss_is_context_over_the_units_and_relief_under_them(project, tmp_path) -> None:
    """Draw order: continuous/relief rasters under the units (which then let them show
    through), loss-year rasters and eradication over them; hidden rasters not at all."""
    heights = np.tile(np.linspace(0, 500, 200, dtype=np.float32), (200, 1))
    transform = Affine(0.0035, 0, -78.1, 0, -0.0035, 1.6)
    dem = open_raster(ff.geotiff(tmp_path / "dem.tif", heights, transform, crs="EPSG:4326"))
    dem.style = RasterStyle(kind="hillshade")
    project.layers.append(dem)  # on top in the project: still a basemap under the units
    hidden = open_raster(ff.geotiff(tmp_path / "pop.tif", heights, transform, crs="EPSG:4326"))
    hidden.visible = False
    project.layers.append(hidden)
    units = Layer(project.layers[0].data, "units")
    names = [lyr.name for lyr in cmp.side_layers(project, units)]
    assert names == ["dem", "units", "Forest loss", "Eradication"]
    assert cmp.units_fill_alpha(project) < 1.0
    dem.visible = False
    assert cmp.units_fill_alpha(project) == 1.0
    assert [lyr.name for lyr in cmp.side_layers(project, units, context=False)] == ["units"]


def test_both_periods_merge_into_one_legend_line() -> None:
    entry = cmp.LegendEntry("Loss", "Loss: forest loss 2016–2018", "ramp", "#ffffff")
    other = cmp.LegendEntry("Loss", "Loss: forest loss 2019–2021", "ramp", "#ffffff")
    same = cmp.LegendEntry("Loss", "Loss: forest loss 2016–2018", "ramp", "#ffffff")
    (merged,) = cmp.merged_raster_entries([[entry], [other]])
    assert merged.label == "Loss: forest loss 2016–2018 / 2019–2021"
    (kept,) = cmp.merged_raster_entries([[same], [same]])
    assert kept.label == "Loss: forest loss 2016–2018"
    assert entry.label == "Loss: forest loss 2016–2018"  # the sides' own entries unchanged


def test_a_loss_pixel_finer_than_the_map_is_drawn_three_pixels_wide_with_a_rim(
    tmp_path,
) -> None:
    """At a region's scale one 100 m clearing is a fraction of a map pixel: grown to 3x3 map
    pixels in its colour with a white rim, so it reads over a dark class; zoomed in, not."""
    from matplotlib.figure import Figure
    from pyproj import CRS

    layer = loss_raster(tmp_path)
    rgba = np.zeros((9, 9, 4), np.uint8)
    rgba[4, 4] = (200, 0, 100, 255)
    for metres_per_map_pixel, grown in ((1000.0, True), (50.0, False)):
        ax = Figure().add_subplot()
        side = 9 * metres_per_map_pixel
        image = ax.imshow(rgba, extent=(0, side, 0, side), zorder=10)
        cmp.mark_loss_pixels({image}, [layer], CRS.from_epsg(32618))
        out = np.asarray(image.get_array())
        if grown:
            assert (out[3:6, 3:6] == (200, 0, 100, 255)).all()
            assert (out[2, 2:7] == 255).all() and (out[6, 2:7] == 255).all()  # the rim
            assert (out[0:2, :, 3] == 0).all()  # beyond it nothing
        else:
            assert (out == rgba).all()
