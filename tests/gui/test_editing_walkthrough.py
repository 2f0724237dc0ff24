"""What an analyst walking issue 18 through met in the real window: the keyboard stays on the
map after a dialog, Esc leaves a tool once nothing is left to cancel, a tool follows the
current layer (or stops), a new feature hidden by the time filter is told, the toolbar's add
icon follows the layer's geometry, and the restore question counts edits as the History
panel lists them."""

from __future__ import annotations

import pytest
from canvas_clicks import click, map_xy, pixel
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog

pytestmark = pytest.mark.gui


def _accept(monkeypatch, dialog_class, fill=None) -> None:
    def run(dialog):
        if fill is not None:
            fill(dialog)
        dialog.accept()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(dialog_class, "exec", run)


def test_keyboard_is_back_on_the_map_after_the_forms(small_window, monkeypatch, qtbot):
    from desktop.coordinate_dialog import CoordinateDialog
    from desktop.edit_forms import AttributeForm

    window = small_window
    window.edits.new_layer("Observaciones", "point", "violence", ask=False)
    _accept(monkeypatch, CoordinateDialog, lambda d: d.entry.setText("2.05, -73.95"))
    _accept(monkeypatch, AttributeForm)
    window.menuBar().setFocus()  # as a dialog leaves it: somewhere else than the map
    window.action("edit_add_coordinates").trigger()
    assert len(window.state.current_layer.data) == 1
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.canvas, timeout=2000)


def test_escape_cancels_the_shape_then_leaves_the_tool(drawing, qtbot):
    window, layer = drawing
    canvas = window.canvas
    window.action("edit_add").trigger()
    for lon, lat in ((-73.99, 2.01), (-73.93, 2.01)):
        click(qtbot, canvas, pixel(canvas, *map_xy(canvas, lon, lat)))
    tool = canvas.map_tool
    qtbot.keyClick(canvas, Qt.Key.Key_Escape)
    assert tool.points == [] and canvas.map_tool is tool  # first Esc: the shape goes
    qtbot.keyClick(canvas, Qt.Key.Key_Escape)
    assert canvas.map_tool is None  # second Esc: back to panning the map
    assert window.action("tool_pan").isChecked()
    assert not window.action("edit_add").isChecked()
    assert len(layer.data) == 0
    window.action("edit_vertex").trigger()
    qtbot.keyClick(canvas, Qt.Key.Key_Escape)  # nothing chosen: Esc leaves at once
    assert canvas.map_tool is None and window.action("tool_pan").isChecked()


def test_the_add_tool_follows_the_current_layer_or_stops(drawing, qtbot):
    window, polygons = drawing
    canvas = window.canvas
    points = window.edits.new_layer("Puntos", "point", "other", ask=False)
    window.state.set_current_layer(polygons)
    window.action("edit_add").trigger()
    assert canvas.map_tool.name == "edit_add_polygon"
    window.state.set_current_layer(points)  # edited too: the tool now adds points
    assert canvas.map_tool is not None and canvas.map_tool.name == "edit_add_point"
    click(qtbot, canvas, pixel(canvas, *map_xy(canvas, -73.95, 2.05)))
    assert len(points.data) == 1
    regions = window.project.layers["regions"]
    window.state.set_current_layer(regions)  # not edited: clicks must not vanish silently
    assert canvas.map_tool is None and window.action("tool_pan").isChecked()
    assert "regions" in window.statusBar().currentMessage()


def test_a_new_feature_outside_the_time_filter_is_told(small_window):
    from shapely.geometry import Point

    window = small_window
    window.state.set_period("2016-2018")
    layer = window.edits.new_layer("Observaciones", "point", "violence", ask=False)
    inside = Point(*map_xy(window.canvas, -73.95, 2.05))
    assert window.edits.add_feature(layer, inside, {"date": "2017-05-01"})
    assert "time filter" not in window.statusBar().currentMessage()
    assert window.edits.add_feature(layer, inside, {"date": "2021-03-04"})
    message = window.statusBar().currentMessage()
    assert "time filter" in message and "2016" in message


def test_the_add_icon_follows_the_layer_geometry(small_window):
    window = small_window
    keys = {}
    for kind in ("point", "line", "polygon"):
        window.edits.new_layer(f"Capa {kind}", kind, "other", ask=False)
        keys[kind] = window.action("edit_add").icon().cacheKey()
    assert len(set(keys.values())) == 3
    for name in ("edit_toggle", "edit_add", "edit_move", "edit_vertex", "edit_split"):
        assert not window.action(name).icon().isNull(), name


def test_the_restore_question_counts_edits_as_the_history_lists_them(drawing, small_project):
    from shapely.geometry import box

    from layers.edit_session import unsaved_edits

    window, layer = drawing
    for i in range(3):
        x = 600000 + 2000 * i
        assert window.edits.add_feature(layer, box(x, 200000, x + 1000, 201000), {})
    window.undo_stack.undo()
    window.undo_stack.redo()
    window.undo_stack.undo()  # the history: create + 3 adds, the last one undone
    pending = unsaved_edits(small_project)
    assert pending.edits == window.undo_stack.count() == 4 and pending.actions == 7
    assert "T" not in pending.describe().split("last at ")[-1]  # a time people read


def test_draw_it_now_buttons_are_not_cut_off(sample_window, qtbot):
    from PySide6.QtWidgets import QScrollArea

    from desktop.analysis_dialog import open_analysis

    dialog = open_analysis(sample_window, "displacement")
    qtbot.addWidget(dialog)
    qtbot.waitExposed(dialog)
    qtbot.wait(200)  # the form's layout settles after the first show
    viewport = dialog.findChild(QScrollArea).viewport()
    for name in ("targets", "control", "region"):
        button = dialog.widgets[name].draw_button
        right = button.mapTo(viewport, button.rect().topRight()).x()
        assert 0 < right <= viewport.width(), (name, right, viewport.width())


def test_the_readout_rounds_as_people_read_areas_and_lengths(small_window):
    from shapely.geometry import LineString, box

    window = small_window
    x, y = map_xy(window.canvas, -73.95, 2.05)
    shown = window.measure_label.text
    window.edits.show_measure(box(x, y, x + 30_000, y + 30_000))  # 90,000 ha
    assert shown().startswith("Area 9") and " ha · perimeter 120" in shown()
    assert shown().endswith(" km") and "." not in shown().split(" ha")[0]  # no 0.01 ha
    window.edits.show_measure(box(x, y, x + 50, y + 50))  # a quarter of a hectare
    assert shown() == "Area 0.25 ha · perimeter 200 m"
    window.edits.show_measure(LineString([(x, y), (x + 800, y)]))
    assert shown() == "Length 800 m"
    window.edits.show_measure(LineString([(x, y), (x + 25_000, y)]))
    assert shown().startswith("Length 25") and shown().endswith(" km")
