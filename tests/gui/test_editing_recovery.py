"""Unsaved edits of a project never saved (issue 18): drawing in a new project and quitting
without saving, or losing power, loses nothing; the next start offers the autosave and the
edit journal back together, in one question."""

from __future__ import annotations

import numpy as np
from canvas_clicks import draw_polygon, map_xy, pixel
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QMessageBox

YES = QMessageBox.StandardButton.Yes
NO = QMessageBox.StandardButton.No


def _draw_in_a_new_project(window, qtbot, regions=None) -> list[tuple[float, float]]:
    """A new project (with `regions` added from its file, if given), a drawn polygon layer
    and one polygon drawn by clicks, undone and redone; returns the ring drawn (lon/lat)."""
    assert window.project.path is None
    if regions is not None:
        worker = window.add_layers_from([regions])
        qtbot.waitUntil(lambda: worker.done and not window.tasks.active, timeout=30000)
    canvas = window.canvas
    canvas.set_extent((*map_xy(canvas, -74.02, 1.98), *map_xy(canvas, -73.78, 2.12)))
    canvas.redraw_now()
    window.action("edit_form").setChecked(False)
    layer = window.edits.new_layer("Área objetivo", "polygon", "eradication", ask=False)
    assert layer is not None
    window.action("edit_add").trigger()
    corners: list[QPoint] = [
        pixel(canvas, *map_xy(canvas, lon, lat))
        for lon, lat in ((-73.99, 2.01), (-73.93, 2.01), (-73.93, 2.07), (-73.99, 2.07))
    ]
    draw_polygon(qtbot, window, corners)
    assert len(layer.data) == 1
    window.undo_stack.undo()
    window.undo_stack.redo()
    return _restored_ring(window)


def _restored_ring(window) -> list[tuple[float, float]]:
    """The drawn polygon's corners in lon/lat (each window's map CRS follows its layers)."""
    drawn = window.project.layers["Área objetivo"]
    return list(drawn.data.to_crs(4326).geometry.iloc[0].exterior.coords)[:-1]


def _start_again(make_window, qtbot):
    """A new window offering what the last one left, as the app does on a start with no
    project named (desktop/app.py)."""
    second = make_window()
    worker = second.offer_recovery(None)
    assert worker is not None  # something is restored: the sample project is not opened
    qtbot.waitUntil(lambda: worker.done and not second.tasks.active, timeout=30000)
    assert worker.ok, worker.error
    return second


def test_new_project_quit_with_no_then_next_start_restores_layers_and_drawing(
    make_window, qtbot, small_project, no_dialogs
):
    window = make_window()
    expected = _draw_in_a_new_project(window, qtbot, small_project.parent / "data/regions.geojson")
    no_dialogs["question"] = NO  # quit without saving, keep the edits
    assert window.maybe_save()
    assert "next time Harm Atlas starts" in no_dialogs["shown"][-1][2]
    no_dialogs["shown"].clear()
    no_dialogs["question"] = YES
    second = _start_again(make_window, qtbot)
    assert sorted(second.project.layers.names()) == ["regions", "Área objetivo"]
    np.testing.assert_allclose(_restored_ring(second), expected, atol=1e-9)
    # One question for the autosave and the edits together.
    questions = [(t, text) for kind, t, text in no_dialogs["shown"] if kind == "question"]
    assert len(questions) == 1 and "2 unsaved edits" in questions[0][1]
    assert second.project.path is None and second.isWindowModified()
    # The restored edits can be undone, and the journal goes on: a second crash loses nothing.
    second.undo_stack.undo()
    assert len(second.project.layers["Área objetivo"].data) == 0
    second.undo_stack.redo()
    third = _start_again(make_window, qtbot)
    np.testing.assert_allclose(_restored_ring(third), expected, atol=1e-9)


def test_new_project_power_cut_before_any_autosave_restores_the_drawing(
    make_window, qtbot, tmp_path, no_dialogs
):
    window = make_window()
    expected = _draw_in_a_new_project(window, qtbot)
    assert not list((tmp_path / "recovery").glob("*.recovery.hatlas.json"))  # no autosave yet
    # Power cut: the window never closes. The next start finds the journal alone.
    no_dialogs["question"] = YES
    second = _start_again(make_window, qtbot)
    np.testing.assert_allclose(_restored_ring(second), expected, atol=1e-9)
    assert second.undo_stack.count() == 2  # the layer and the polygon, undoable


def test_new_project_edits_declined_at_the_next_start_are_deleted(
    make_window, qtbot, tmp_path, no_dialogs
):
    window = make_window()
    _draw_in_a_new_project(window, qtbot)
    no_dialogs["question"] = NO
    assert window.maybe_save()
    second = make_window()
    assert second.offer_recovery(None) is None  # "No": keep nothing, open the usual project
    assert not (tmp_path / "recovery" / "untitled.edits.jsonl").exists()
    assert make_window().offer_recovery(None) is None
    assert len([s for s in no_dialogs["shown"] if s[1] == "Recover unsaved work?"]) == 1
