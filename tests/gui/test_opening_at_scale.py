"""Opening a big project stays off the GUI thread and the first map is drawn from caches the
loader built; views drawn before come back at once; removing a layer never waits for a render.
"""

from __future__ import annotations

import gc
import time
import weakref
from datetime import date

import geopandas as gpd
import numpy as np
import pytest
import shapely

from analysis.base import Feedback
from layers.layer import Layer
from layers.project import Project
from layers.timefilter import TimeFilter, layer_years

pytestmark = pytest.mark.gui


@pytest.fixture
def canvas(show, small_project):
    from desktop.canvas import MapCanvas
    from desktop.selection import FeatureSelection

    project = Project.load(small_project)
    project.time_filter = TimeFilter(date(2017, 1, 1), date(2019, 12, 31))  # masks too
    rng = np.random.default_rng(5)
    x, y = rng.uniform(-74.0, -73.6, 400), rng.uniform(2.0, 2.1, 400)
    cells = gpd.GeoDataFrame(
        {"hectares": rng.gamma(2.0, 3.0, 400)}, geometry=shapely.box(x, y, x + 0.01, y + 0.01)
    )
    project.add(Layer(cells.set_crs(4326), "cells"))
    widget = show(MapCanvas(project, FeatureSelection(), lambda: None), 640, 480)
    yield widget
    widget.shutdown()


def _drawn(qtbot, canvas, renders: int) -> None:
    qtbot.waitUntil(
        lambda: canvas.render_count > renders and not canvas.is_rendering, timeout=20000
    )


def test_prepared_map_draws_the_first_view_as_a_cold_render_does(canvas) -> None:
    from desktop.canvas import opening_view
    from desktop.loading import prepare_map

    project = canvas.project
    prepared = prepare_map(project, Feedback(), canvas.view_size())
    caches = {layer.id: prepared._caches[layer.id][1] for layer in project.layers}
    canvas.set_project(project, prepared)
    # The loader laid out the very view the canvas opens on.
    assert canvas.extent == pytest.approx(opening_view(project, 640, 480).extent)
    canvas.redraw_now()
    from_prepared = canvas._image.copy()
    assert canvas.renderer.map_renderer is prepared
    assert all(prepared._caches[key][1] is cache for key, cache in caches.items())  # reused
    canvas.set_project(project)  # a cold renderer builds everything itself
    canvas.redraw_now()
    assert canvas.renderer.map_renderer is not prepared
    assert canvas._image == from_prepared


def test_a_view_drawn_before_comes_back_until_the_content_changes(canvas, qtbot) -> None:
    canvas.set_project(canvas.project)
    _drawn(qtbot, canvas, 0)
    first = canvas._image.copy()
    renders = canvas.render_count
    canvas.zoom_by(2.0)
    _drawn(qtbot, canvas, renders)
    zoomed = canvas._image.copy()
    reused, renders = canvas.views_reused, canvas.render_count
    canvas.zoom_by(0.5)  # back where it was (within float error)
    _drawn(qtbot, canvas, renders)
    assert canvas.views_reused == reused + 1
    assert canvas._image == first
    # The content changes (as the window says on any layer edit): nothing old is shown again.
    canvas.project.layers[-1].visible = False
    canvas.request_redraw()
    renders = canvas.render_count
    _drawn(qtbot, canvas, renders)
    renders = canvas.render_count
    canvas.zoom_by(2.0)
    _drawn(qtbot, canvas, renders)
    assert canvas.views_reused == reused + 1
    assert canvas._image != zoomed
    canvas.redraw_now()  # and what is kept now is what a render gives
    assert canvas._image != zoomed


def test_a_render_under_way_when_the_content_changes_is_not_shown_again(canvas, qtbot) -> None:
    canvas.set_project(canvas.project)
    _drawn(qtbot, canvas, 0)
    renders = canvas.render_count
    canvas.renderer._lock.acquire()  # hold the render that is about to start
    try:
        canvas.zoom_by(2.0)
        qtbot.waitUntil(lambda: canvas._rendering, timeout=5000)
        canvas.project.layers[-1].visible = False  # meanwhile the content changes...
        canvas.request_redraw()
        canvas.zoom_by(0.5)  # ...and the user moves on
    finally:
        canvas.renderer._lock.release()
    qtbot.waitUntil(lambda: canvas.render_count >= renders + 2 and not canvas.is_rendering)
    reused, renders = canvas.views_reused, canvas.render_count
    canvas.zoom_by(2.0)  # the image of this view with the old content was never kept
    _drawn(qtbot, canvas, renders)
    assert canvas.views_reused == reused
    shown = canvas._image.copy()
    canvas.redraw_now()
    assert shown == canvas._image


def test_removing_a_layer_does_not_wait_for_the_render_under_way(canvas) -> None:
    canvas.set_project(canvas.project)
    canvas.redraw_now()
    layer = canvas.project.layers[-1]
    gone = weakref.ref(layer)
    canvas.project.layers.remove(layer)
    renderer = canvas.renderer.map_renderer
    assert layer.id in renderer._caches
    layer_id = layer.id
    canvas.renderer._lock.acquire()  # a long render holds the renderer
    try:
        began = time.perf_counter()
        canvas.renderer.forget(layer)
        assert time.perf_counter() - began < 0.5
        del layer
        gc.collect()  # not timed: a full collection under load can take longer than the bound
        assert gone() is None  # the queued forget does not keep the layer alive
        began = time.perf_counter()
        canvas.renderer.reset()  # nor does a new project wait
        assert time.perf_counter() - began < 0.5
    finally:
        canvas.renderer._lock.release()
    canvas.renderer.shutdown()  # runs what was queued
    assert layer_id not in renderer._caches


def test_frame_memo_recomputes_only_for_new_data_or_fields(small_project) -> None:
    from desktop.frame_memo import FrameMemo
    from desktop.time_panel import years_of

    project = Project.load(small_project)
    events = next(layer for layer in project.layers if layer.field("date"))
    assert years_of(events) == layer_years(events) == (2016, 2021)
    calls: list[int] = []
    memo = FrameMemo(lambda layer: calls.append(1) or len(layer.data), lambda layer: layer.name)
    assert memo(events) == memo(events) == len(events.data) and len(calls) == 1
    events.name = "renamed"
    assert memo(events) == len(events.data) and len(calls) == 2
    events.data = events.data.iloc[:10].copy()
    assert memo(events) == 10 and len(calls) == 3
    assert years_of(events) == layer_years(events)


def test_opening_a_project_reports_each_layer_and_hands_over_its_caches(small_window) -> None:
    from desktop.loading import PREPARING, REPROJECTING

    window = small_window
    names = window.project.layers.names()
    assert set(window.last_load_seconds) == {*names, REPROJECTING, PREPARING}
    assert all(seconds >= 0 for seconds in window.last_load_seconds.values())
    renderer = window.canvas.renderer.map_renderer
    assert {layer.id for layer in window.project.layers} <= set(renderer._caches)
    assert any("Opened small.hatlas.json (3 layers) in" in t for t in window.messages.texts())
