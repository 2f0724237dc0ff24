"""Idle time readies nearby zoom levels; a new render always goes first."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from PySide6.QtCore import QPointF

import cartography.layer_cache as layer_cache
import cartography.render as render
from layers.layer import Layer
from layers.project import Project
from layers.roles import FieldMapping, Role

pytestmark = pytest.mark.gui


def _grid_project(n_side: int) -> Project:
    xs, ys = np.meshgrid(np.arange(n_side) * 0.01 - 75.0, np.arange(n_side) * 0.01 + 1.0)
    cells = shapely.box(xs.ravel(), ys.ravel(), xs.ravel() + 0.01, ys.ravel() + 0.01)
    rng = np.random.default_rng(3)
    gdf = gpd.GeoDataFrame({"hectares": rng.gamma(2.0, 20.0, cells.size)}, geometry=cells, crs=4326)
    project = Project(title="grid")
    project.add(
        Layer(gdf, "grid", role=Role.CULTIVATION, mapping=FieldMapping({"hectares": "hectares"}))
    )
    return project


@pytest.fixture
def canvas(show, monkeypatch):
    from desktop.canvas import MapCanvas
    from desktop.selection import FeatureSelection

    monkeypatch.setattr(layer_cache, "STORE_MIN_ROWS", 500)
    monkeypatch.setattr(render, "TILE_MIN_ROWS", 500)
    monkeypatch.setattr(layer_cache, "WARM_CHUNK", 200)  # many small steps to interrupt
    project = _grid_project(40)  # 1,600 cells
    widget = show(MapCanvas(project, FeatureSelection(), lambda: None), 640, 480)
    widget.set_project(project)
    yield widget
    widget.shutdown()


def _stores(canvas) -> dict:
    layer = canvas.project.layers[0]
    hit = canvas.renderer.map_renderer._caches.get(layer.id)
    return {} if hit is None else hit[1].ring_stores


def test_idle_canvas_builds_stores_and_tiles_then_draws_from_them(canvas, qtbot) -> None:
    qtbot.waitUntil(lambda: canvas.render_count >= 1 and not canvas.is_rendering, timeout=10000)
    before = canvas._image.copy()
    qtbot.waitUntil(lambda: len(_stores(canvas)) == 3, timeout=10000)
    assert canvas.renderer.warm_steps_done >= 3 * 2 * 8  # three levels of 8 chunks, 2 steps each
    qtbot.waitUntil(lambda: not canvas.renderer.warming, timeout=20000)
    renderer = canvas.renderer.map_renderer
    assert len(renderer._tiles) > 0
    canvas.redraw_now()  # all tiles made: the grid is now composited from them
    assert renderer.last_tiled == {canvas.project.layers[0].id}
    after = canvas._image.convertToFormat(before.format())
    differing = sum(
        after.pixel(x, y) != before.pixel(x, y)
        for x in range(0, after.width(), 7)
        for y in range(0, after.height(), 7)
    )
    assert differing < 0.25 * (after.width() // 7) * (after.height() // 7)  # same map, resampled


def test_a_render_interrupts_the_warm_up(canvas, qtbot) -> None:
    qtbot.waitUntil(lambda: canvas.renderer.warm_steps_done > 0, timeout=10000)
    renders = canvas.render_count
    canvas.zoom_by(1.25)  # the user acts while the canvas warms up
    qtbot.waitUntil(lambda: canvas.render_count > renders, timeout=10000)
    # The zoom rendered, then warm-up went on for the new view and finished.
    qtbot.waitUntil(lambda: not canvas.is_rendering and len(_stores(canvas)) >= 3, timeout=10000)


def test_shutdown_during_warm_up_is_clean(canvas, qtbot) -> None:
    qtbot.waitUntil(lambda: canvas.renderer.warm_steps_done > 0, timeout=10000)
    canvas.shutdown()  # must neither hang nor raise while steps are queued
    steps = canvas.renderer.warm_steps_done
    qtbot.wait(100)
    assert canvas.renderer.warm_steps_done == steps


def test_a_stand_in_image_is_sharpened_once_the_level_is_warm(canvas, qtbot) -> None:
    qtbot.waitUntil(lambda: canvas.render_count >= 1 and not canvas.renderer.warming, timeout=20000)
    soft: list[bool] = []  # stand_in of every render delivered from now on
    canvas.renderer.done.connect(lambda result: soft.append(result.stand_in))
    # Four notches in at a corner: the warm-up readied the level of one notch in, not this
    # one's, so stand-in tiles.
    canvas.zoom_by(1.25**4, QPointF(0, 0))
    qtbot.waitUntil(lambda: soft[:1] == [True], timeout=10000)  # drawn at once, soft
    # Then, by itself once the warm-up made this level's tiles, drawn again sharp.
    qtbot.waitUntil(lambda: soft[1:2] == [False] and not canvas.is_rendering, timeout=20000)
    assert not canvas._soft and not canvas.renderer.map_renderer.last_stand_in
