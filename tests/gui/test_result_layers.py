"""Result layers keep the map readable and their legend is what is drawn (issue 14: 4)."""

from __future__ import annotations

import numpy as np
import pytest
from analysis_runs import run_dialog
from matplotlib.colors import to_rgb
from PySide6.QtGui import QImage

from layers.layer import is_raster
from sample_maps import SAMPLE_PROJECT

pytestmark = [
    pytest.mark.gui,
    pytest.mark.skipif(not SAMPLE_PROJECT.exists(), reason="sample project not generated"),
]


def run_from_dialog(qtbot, window, algorithm_id: str):
    """The layers the analysis added, run from its dialog."""
    run_dialog(qtbot, window, algorithm_id)
    return [layer for layer in window.project.layers if layer.metadata.get("analysis")]


def map_pixels(window) -> np.ndarray:
    """The canvas as the user sees it, (rows, cols, 3) RGB."""
    window.canvas.redraw_now()
    image = window.canvas.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), -1)
    return rows[:, : image.width() * 3].reshape(image.height(), image.width(), 3).copy()


def legend_of(window, name: str):
    return next(e for e in window.canvas.legend if e.layer_name == name)


def test_displacement_areas_leave_the_map_visible(qtbot, sample_window) -> None:
    """The control area is most of the region: drawn as an outline, not an orange tint."""
    window = sample_window
    before = map_pixels(window)
    added = run_from_dialog(qtbot, window, "displacement")
    after = map_pixels(window)
    changed = np.abs(after.astype(int) - before.astype(int)).max(axis=2) > 12
    assert changed.mean() < 0.10, f"{changed.mean():.0%} of the map changed colour"
    names = {layer.name for layer in added}
    assert names == {
        f"{n} (displacement)" for n in ("Target areas", "Buffer rings", "Control areas")
    }
    layers = list(window.project.layers)
    for layer in added:  # outlines on top of every input, labels still above (renderer)
        assert layer.style.no_fill and layers.index(layer) >= len(layers) - len(added)
        entry = legend_of(window, layer.name)
        assert entry.color == "none" and entry.edge == layer.style.edge and not entry.children
    assert len({layer.style.edge for layer in added}) == 3, "each study area its own colour"


def test_access_colours_are_their_legend_colours(qtbot, sample_window) -> None:
    """Classed areas are opaque, so each drawn colour is a legend swatch, and they sit above
    the areas but below rivers and points, which stay visible."""
    window = sample_window
    (access,) = run_from_dialog(qtbot, window, "access")
    layers = list(window.project.layers)
    position = layers.index(access)
    # Rasters (the sample's relief, people and forest loss) have pixels, not geometry kinds.
    below = [layer.geometry_kind for layer in layers[:position] if not is_raster(layer)]
    above = [layer.geometry_kind for layer in layers[position + 1 :] if not is_raster(layer)]
    assert "polygon" in below and all(k in ("point", "line") for k in above), (below, above)
    pixels = map_pixels(window).reshape(-1, 3).astype(int)
    entry = legend_of(window, access.name)
    assert entry.alpha == 1.0 and len(entry.children) >= 3
    swatches = np.array([[round(255 * c) for c in to_rgb(e.color)] for e in entry.children])
    distance = np.abs(pixels[:, None, :] - swatches[None, :, :]).max(axis=2).min(axis=1)
    shown = distance <= 3
    assert shown.mean() > 0.3, f"only {shown.mean():.0%} of the canvas shows a legend colour"
    # Every class in the legend is on the map.
    for swatch in swatches:
        assert (np.abs(pixels - swatch).max(axis=1) <= 3).any(), swatch
    services = window.project.layers["Servicios de salud"]
    assert layers.index(services) > position


def test_result_layers_undo_and_redo_in_place(qtbot, sample_window) -> None:
    window = sample_window
    (access,) = run_from_dialog(qtbot, window, "access")
    position = list(window.project.layers).index(access)
    window.undo_stack.undo()
    assert access not in window.project.layers
    window.undo_stack.redo()
    assert list(window.project.layers).index(access) == position
