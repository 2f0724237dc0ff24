"""A raster layer in the desktop canvas: drawn by the shared renderer, under vectors, and
clicks, zooms and selections pass over it (it has no features)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from affine import Affine
from PySide6.QtCore import QPointF, Qt
from shapely.geometry import box

from layers.layer import Layer
from layers.project import Project
from layers.raster import open_raster
from layers.raster_style import RasterClass, RasterStyle
from layers.roles import Role
from layers.style import Style

pytestmark = pytest.mark.gui
ORIGIN = Affine(30.0, 0.0, 500_000.0, 0.0, -30.0, 200_000.0)


@pytest.fixture
def canvas(show, tmp_path):
    from desktop.canvas import MapCanvas
    from desktop.selection import FeatureSelection

    data = np.ones((200, 200), np.uint8)
    with rasterio.open(
        tmp_path / "cover.tif", "w", driver="GTiff", width=200, height=200, count=1,
        dtype="uint8", crs="EPSG:32618", transform=ORIGIN,
    ) as dst:  # fmt: skip
        dst.write(data, 1)
    raster = open_raster(tmp_path / "cover.tif")
    raster.style = RasterStyle(kind="classified", classes=(RasterClass(1, "#0000ff", "water"),))
    square = box(501_500, 195_500, 502_500, 196_500)
    vector = Layer(
        gpd.GeoDataFrame({"n": [1]}, geometry=[square], crs=32618),
        "Square",
        role=Role.OTHER,
        style=Style(fill="#ff0000", edge="none"),
    )
    project = Project(title="raster")
    project.add(raster)
    project.add(vector)
    project.metric_crs = "EPSG:32618"
    widget = show(MapCanvas(project, FeatureSelection(), lambda: None), 400, 400)
    widget.set_project(project)
    yield widget
    widget.shutdown()


def colour_at(canvas, x: float, y: float) -> tuple[int, int, int]:
    point = canvas.to_pixel(x, y)
    c = canvas._image.pixelColor(int(point.x()), int(point.y()))
    return c.red(), c.green(), c.blue()


def test_canvas_draws_the_raster_under_vectors_and_clicks_pass_over_it(canvas, qtbot) -> None:
    raster = canvas.project.layers[0]
    canvas.zoom_to_layer(raster)
    qtbot.waitUntil(lambda: canvas.render_count >= 1 and not canvas.is_rendering, timeout=10000)
    qtbot.waitUntil(lambda: canvas._image_extent == canvas.extent, timeout=10000)
    assert colour_at(canvas, 500_600, 199_400) == (0, 0, 255)  # the raster's class colour
    assert colour_at(canvas, 502_000, 196_000) == (255, 0, 0)  # the vector drawn above it
    hits = canvas.identify(502_000, 196_000)
    assert [layer.name for layer, _ in hits] == ["Square"]
    assert canvas.identify(500_600, 199_400) == []  # raster pixels are not features
    canvas.zoom_to_selection()  # nothing selected: no raster reached for its features
    point = canvas.to_pixel(500_600, 199_400)
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=QPointF(point).toPoint())
    assert canvas.isVisible()  # a click on raster pixels selects nothing and breaks nothing
