"""The compare maps keep every forest-loss clearing at the briefing's 150 dpi (issue 15): on
the sample's XA01, each clearing of a side's period inside the region (connected loss pixels
of the file) has a drawn map pixel under it, before mark_loss_pixels grows the marks. The old
nearest-neighbour read kept about a third of them even at 200 dpi (docs/compare.md)."""

from __future__ import annotations

import numpy as np
import pytest
import rasterio
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.image import AxesImage
from rasterio.features import geometry_mask
from rasterio.windows import from_bounds
from scipy import ndimage

from cartography import compare as cmp
from cartography.export import find_region
from layers.project import Project
from layers.raster import LOSS_YEAR_BASE
from sample_maps import SAMPLE_PROJECT

REGION, PERIODS = "XA01", ("2015-2017", "2018-2020")


@pytest.fixture(scope="module")
def sample():
    return Project.load(SAMPLE_PROJECT)


def clearings_kept(rgba: np.ndarray, extent, path: str, region, years: str) -> tuple[int, int]:
    """(clearings, kept): the file's in-period loss inside the region, in connected groups,
    and how many of those groups have a drawn pixel in the map image `rgba` over `extent`."""
    first, last = (int(y) - LOSS_YEAR_BASE for y in years.split("-"))
    x0, x1, ya, yb = extent
    bottom, top = min(ya, yb), max(ya, yb)
    with rasterio.open(path) as src:
        window = from_bounds(x0, bottom, x1, top, src.transform)
        codes = src.read(1, window=window, boundless=True, fill_value=0)
        transform = src.window_transform(window)
    inside = ~geometry_mask([region], codes.shape, transform)
    groups, n = ndimage.label((codes >= first) & (codes <= last) & inside)
    rows, cols = np.nonzero(groups)
    xs = transform.c + transform.a * (cols + 0.5)  # pixel centres (north up, no rotation)
    ys = transform.f + transform.e * (rows + 0.5)
    h, w = rgba.shape[:2]
    mc = np.clip(((xs - x0) / (x1 - x0) * w).astype(int), 0, w - 1)
    mr = np.clip(((top - ys) / (top - bottom) * h).astype(int), 0, h - 1)
    drawn = rgba[mr, mc, 3] > 0
    return n, len(np.unique(groups[rows[drawn], cols[drawn]]))


def test_every_clearing_of_each_period_is_drawn_at_150_dpi(sample, monkeypatch) -> None:
    loss = next(lyr for lyr in sample.layers if getattr(lyr.style, "kind", "") == "loss_year")
    painted: dict[object, np.ndarray] = {}
    grow = cmp.mark_loss_pixels

    def before_growing(drawn, layers, crs) -> None:
        for image in drawn:
            if isinstance(image, AxesImage):
                painted[image] = np.asarray(image.get_array()).copy()
        grow(drawn, layers, crs)

    monkeypatch.setattr(cmp, "mark_loss_pixels", before_growing)
    fig = cmp.compare_figure(
        sample, f"{REGION}:{PERIODS[0]}", f"{REGION}:{PERIODS[1]}", "violent_events"
    )
    assert fig.get_dpi() == 150  # the default: the briefing pack's resolution
    FigureCanvasAgg(fig)
    fig.canvas.draw()
    order = [lyr.name for lyr in cmp.side_layers(sample, sample.layers[0])].index(loss.name)
    region = find_region(sample, REGION).geometry  # in the project's metric CRS
    for ax, years in zip(fig.axes[:2], PERIODS, strict=True):
        image = next(i for i in painted if i.axes is ax and i.zorder == 10 + order)
        assert image.origin == "upper"
        n, kept = clearings_kept(
            painted[image], image.get_extent(), loss.dataset_path, region, years
        )
        assert n > 100 and kept == n, (years, n, kept)
