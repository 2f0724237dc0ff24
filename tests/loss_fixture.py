"""A Hansen-style loss-year GeoTIFF over the decade project's CO52 municipality (tests of the
compare view's rasters, issue #15): one clearing lost in 2017, one in 2021 and one in 2021
across the region's edge, and how to read a rendered map's colour at a lon/lat point."""

from __future__ import annotations

import fixtures_factory as ff
import numpy as np
from affine import Affine
from decade_fixture import decade_project
from matplotlib import colormaps

from layers.raster import open_raster
from layers.raster_style import RasterStyle

STYLE = RasterStyle(kind="loss_year", ramp="RdPu", vmin=2010.0, vmax=2023.0)
PIXEL = 0.001  # degrees (~111 m)
ORIGIN = (-78.1, 1.6)  # the raster's top-left corner; CO52's municipality is -78..-77.5, 1..1.5
# Square clearings (centre lon, lat, loss-year code). The before/after windows around the
# MIDDLE operation (2019-07-01, two years) take whole years: 2017–2019 and 2019–2021.
BEFORE_ONLY = (-77.85, 1.35, 17)  # loss in 2017
AFTER_ONLY = (-77.65, 1.15, 21)  # loss in 2021
EDGE = (-77.5, 1.25, 21)  # loss in 2021 across the region's east edge (x = -77.5)
INSIDE_EDGE, OUTSIDE_EDGE = (-77.51, 1.25), (-77.49, 1.25)  # either side of that edge
HALF = 0.015  # half a clearing's side in degrees (~1.7 km)


def loss_raster(tmp_path):
    rows, cols = 700, 700
    data = np.zeros((rows, cols), np.uint8)
    for x, y, code in (BEFORE_ONLY, AFTER_ONLY, EDGE):
        c0, c1 = (round((v - ORIGIN[0]) / PIXEL) for v in (x - HALF, x + HALF))
        r0, r1 = (round((ORIGIN[1] - v) / PIXEL) for v in (y + HALF, y - HALF))
        data[r0:r1, c0:c1] = code
    transform = Affine(PIXEL, 0, ORIGIN[0], 0, -PIXEL, ORIGIN[1])
    path = ff.geotiff(tmp_path / "test_lossyear.tif", data, transform, crs="EPSG:4326")
    layer = open_raster(path, name="Forest loss")
    assert layer.is_loss_year
    layer.style = STYLE
    return layer


def loss_project(tmp_path):
    """The decade project with the loss raster over the units, under the eradication."""
    project = decade_project()
    project.layers.insert(1, loss_raster(tmp_path))
    return project


def loss_colour(code: int) -> np.ndarray:
    t = (code - (STYLE.vmin - 2000)) / (STYLE.vmax - STYLE.vmin)
    return np.asarray(colormaps[STYLE.ramp](t)[:3]) * 255


def pixel_at(fig, ax, crs, lon: float, lat: float) -> np.ndarray:
    """The rendered colour (RGB 0-255) at a lon/lat point of a side's map drawn in `crs`;
    `fig` must have been drawn."""
    from pyproj import Transformer

    x, y = Transformer.from_crs(4326, crs, always_xy=True).transform(lon, lat)
    px, py = ax.transData.transform((x, y))
    rgba = np.asarray(fig.canvas.buffer_rgba())
    return rgba[rgba.shape[0] - 1 - round(py), round(px), :3].astype(float)


def near(a: np.ndarray, b: np.ndarray, tol: float = 6.0) -> bool:
    return bool(np.abs(a - b).max() <= tol)


def assert_each_side_shows_its_own_loss(before: tuple, after: tuple, crs) -> None:
    """`before`, `after`: (figure, axes) of the two drawn maps. The 2017 clearing is on the
    before map only, the 2021 one on the after map only, and the one across the region's edge
    is cut there like the other context."""
    early, late = loss_colour(BEFORE_ONLY[2]), loss_colour(AFTER_ONLY[2])
    assert near(pixel_at(*before, crs, *BEFORE_ONLY[:2]), early)
    assert not near(pixel_at(*after, crs, *BEFORE_ONLY[:2]), early)
    assert near(pixel_at(*after, crs, *AFTER_ONLY[:2]), late)
    assert not near(pixel_at(*before, crs, *AFTER_ONLY[:2]), late)
    assert near(pixel_at(*after, crs, *INSIDE_EDGE), late)
    assert not near(pixel_at(*after, crs, *OUTSIDE_EDGE), late)


def assert_legend_has_both_periods(legend) -> None:
    """The shared legend has the raster's ramp with both sides' years."""
    texts = [t.get_text() for t in legend.get_texts()]
    assert any("Forest loss" in t and "2017–2019" in t and "2019–2021" in t for t in texts)
