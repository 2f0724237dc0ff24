"""Loaded geometries are kept out of the cycle collector's walks, and removed ones are not kept."""

from __future__ import annotations

import gc

import geopandas as gpd
import numpy as np
import pytest

from layers.layer import Layer

pytestmark = pytest.mark.gui


def test_loaded_layers_are_frozen_and_removed_ones_freed(make_window, qtbot) -> None:
    window = make_window()
    qtbot.waitUntil(lambda: gc.get_freeze_count() > 0, timeout=5000)  # the empty window settled
    baseline = gc.get_freeze_count()
    rng = np.random.default_rng(0)
    points = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(rng.uniform(-75, -74, 60_000), rng.uniform(1, 2, 60_000)),
        crs=4326,
    )
    window.project.add(Layer(points, "many points"))
    del points  # the window alone holds the layer now
    window.canvas.redraw_now()  # the renderer caches a metric copy of the layer
    # The 60,000 shapely points and their metric copy no longer cost a full collection.
    qtbot.waitUntil(lambda: gc.get_freeze_count() >= baseline + 2 * 60_000, timeout=5000)
    window.project.layers.remove(window.project.layers[0])
    assert gc.get_freeze_count() == 0  # released at once
    qtbot.waitUntil(lambda: gc.get_freeze_count() > 0, timeout=5000)  # settled again
    # Collected, not frozen for good, and the renderer let go of its copy too.
    assert gc.get_freeze_count() < baseline + 20_000
    assert not window.canvas.renderer.map_renderer._caches
    window.canvas.shutdown()


def test_a_layer_kept_only_by_a_cycle_is_collected_not_frozen() -> None:
    import weakref

    from desktop.memory import release_removed_layers, settle_loaded_layers

    layer = Layer(gpd.GeoDataFrame(geometry=gpd.points_from_xy([0.0], [0.0]), crs=4326), "cyclic")
    holder: dict = {"layer": layer}
    holder["self"] = holder  # garbage only the cycle collector can free
    settle_loaded_layers()  # frozen with the rest, as after a load
    gone = weakref.ref(layer)
    release_removed_layers([layer])
    del layer, holder
    settle_loaded_layers()
    assert gone() is None
    release_removed_layers()
