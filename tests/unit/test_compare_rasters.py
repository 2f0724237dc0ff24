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
from decade_fixture import MIDDLE
from loss_fixture import (
    OUTSIDE_EDGE,
    assert_each_side_shows_its_own_loss,
    assert_legend_has_both_periods,
    loss_project,
    loss_raster,
    near,
    pixel_at,
)
from matplotlib.backends.backend_agg import FigureCanvasAgg

from cartography import compare as cmp
from layers.layer import Layer
from layers.raster import open_raster
from layers.raster_style import RasterStyle


@pytest.fixture
def project(tmp_path):
    return loss_project(tmp_path)


def test_loss_pixels_only_in_the_side_whose_period_holds_them(project) -> None:
    before, after, notes = cmp.before_after_sides(project, "CO52", date.fromisoformat(MIDDLE), 2)
    fig = cmp.compare_figure(project, before, after, "violent_events")
    FigureCanvasAgg(fig)
    fig.canvas.draw()
    left, right = fig.axes[0], fig.axes[1]
    crs = project.metric_crs
    assert_each_side_shows_its_own_loss((fig, left), (fig, right), crs)
    # Beyond the region's edge the paper is blank, as around the other context.
    assert near(pixel_at(fig, right, crs, *OUTSIDE_EDGE), np.full(3, 255.0))
    assert_legend_has_both_periods(fig.axes[2].get_legend())


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
