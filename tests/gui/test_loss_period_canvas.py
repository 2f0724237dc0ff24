"""The time bar drives loss-year rasters in the canvas (issue 15): the bar's years reach
back to the loss raster's first year, and with a period set only loss of that period is
drawn, with (nearly) every clearing under a screen pixel kept. Checked on the sample against
a brute force over the raster file's own pixels."""

from __future__ import annotations

import numpy as np
import pytest
import rasterio
from affine import Affine
from PySide6.QtGui import QImage
from scipy import ndimage

from layers.raster import loss_year_values
from layers.timefilter import TimeFilter

pytestmark = pytest.mark.gui


def _pixels(canvas) -> np.ndarray:
    img = canvas._image.convertToFormat(QImage.Format.Format_RGBA8888)
    rows = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine())
    return rows[:, : img.width() * 4].reshape(img.height(), img.width(), 4)[..., :3].copy()


def _brute(path, extent, shape, period: TimeFilter | None) -> np.ndarray:
    """Per canvas pixel: does any raster pixel under it hold loss of the period?"""
    first, last = loss_year_values(period)
    with rasterio.open(path) as src:
        data, t = src.read(1), src.transform
    lost = (data >= first) & (data <= last)
    rows, cols = shape
    x0, y0, x1, y1 = extent
    edges_c = np.clip(
        ((np.linspace(x0, x1, cols + 1) - t.c) / t.a).round().astype(int), 0, data.shape[1]
    )
    edges_r = np.clip(
        ((np.linspace(y1, y0, rows + 1) - t.f) / t.e).round().astype(int), 0, data.shape[0]
    )
    cum = np.pad(lost.cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    r0, r1, c0, c1 = edges_r[:-1, None], edges_r[1:, None], edges_c[None, :-1], edges_c[None, 1:]
    return (cum[r1, c1] - cum[r0, c1] - cum[r1, c0] + cum[r0, c0]) > 0


def _draw(window, qtbot, year: int, span: int) -> np.ndarray:
    canvas = window.canvas
    window.time_panel.set_year(year, span)
    qtbot.waitUntil(lambda: window.state.period == TimeFilter.years(year - span + 1, year))
    canvas.redraw_now()
    return _pixels(canvas)


def test_the_time_bar_filters_the_samples_loss_raster_in_the_canvas(sample_window, qtbot):
    window, canvas = sample_window, sample_window.canvas
    loss = next(lyr for lyr in window.project.layers if getattr(lyr, "is_loss_year", False))
    assert window.time_panel._years[0] == 2001  # the loss raster's years, not only features'
    for layer in window.project.layers:
        layer.visible = layer is loss
    canvas.request_redraw()
    canvas.redraw_now()
    background = _pixels(canvas)[2, 2]
    for year, span in ((2017, 4), (2023, 5)):
        image = _draw(window, qtbot, year, span)
        drawn = (image != background).any(axis=2)
        extent = canvas._image_extent
        want = _brute(loss.dataset_path, extent, drawn.shape, window.state.period)
        # a pixel's edge may round either way: one pixel of slack
        near = ndimage.binary_dilation(want, np.ones((3, 3), bool))
        print(f"period {window.state.period}: drawn {drawn.sum()}, brute force {want.sum()}")
        assert drawn.sum() > 50
        assert (drawn & ~near).sum() <= 0.01 * drawn.sum()  # nothing out of the period
        assert drawn.sum() >= 0.6 * want.sum()  # most clearings of the period kept
    other = _draw(window, qtbot, 2010, 1)  # a period with other loss draws other pixels
    assert ((other != background).any(axis=2) != drawn).any()


def test_a_project_of_only_a_loss_raster_gets_a_time_bar(
    make_window, open_and_wait, tmp_path, qtbot
):
    from layers.project import Project
    from layers.raster import open_raster

    data = np.zeros((300, 300), np.uint8)
    data[20:120, 20:120] = 12
    data[180:280, 180:280] = 20
    path = tmp_path / "Hansen_GFC-2023-v1.11_lossyear_10N_080W.tif"
    profile = dict(
        driver="GTiff", width=300, height=300, count=1, dtype="uint8", crs="EPSG:32618",
        transform=Affine(30, 0, 500_000, 0, -30, 200_000),
    )  # fmt: skip
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data, 1)
    project = Project(title="loss only")
    project.add(open_raster(path))
    project.metric_crs = "EPSG:32618"
    window = make_window()
    open_and_wait(window, project.save(tmp_path / "loss.hatlas.json"))
    assert window.time_panel._years == (2001, 2020)  # from 2001 to its latest loss
    assert window.time_panel.enabled.isEnabled()
    canvas = window.canvas
    canvas.zoom_full()
    canvas.redraw_now()
    background = _pixels(canvas)[1, 1]

    def shown(x: float, y: float) -> bool:
        point = canvas.to_pixel(x, y)
        return tuple(_pixels(canvas)[int(point.y()), int(point.x())]) != tuple(background)

    assert shown(502_000, 198_000) and shown(506_900, 193_100)  # all years
    _draw(window, qtbot, 2012, 1)
    assert shown(502_000, 198_000) and not shown(506_900, 193_100)
