"""Drawing and editing on the real canvas (issue 18): mouse clicks at the pixels of given map
coordinates, snapping, the vertex tool, undo/redo, save and reopen, typed coordinates with the
attribute form, restoring unsaved edits in a new window, and "Draw it now…" for displacement."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from canvas_clicks import click, clicked_map, draw_polygon, map_xy, pixel
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QDialog, QMessageBox
from shapely.geometry import Polygon

YES = QMessageBox.StandardButton.Yes


def test_draw_with_snapping_move_vertex_undo_redo_save_reopen(
    drawing, qtbot, make_window, open_and_wait, small_project
):
    window, layer = drawing
    canvas = window.canvas
    window.action("edit_add").trigger()
    assert canvas.map_tool is not None and canvas.map_tool.name == "edit_add_polygon"
    # The first click lands 4 pixels off the corner of region CO002 (-73.9, 2.0): it snaps.
    corner = map_xy(canvas, -73.9, 2.0)
    near = pixel(canvas, *corner) + QPoint(4, -3)
    others = [
        pixel(canvas, *map_xy(canvas, lon, lat)) for lon, lat in ((-73.86, 2.075), (-73.95, 2.08))
    ]
    draw_polygon(qtbot, window, [near, *others])
    assert len(layer.data) == 1
    expected = [corner, *(clicked_map(canvas, p) for p in others)]
    ring = list(layer.data.geometry.iloc[0].exterior.coords)[:-1]
    np.testing.assert_allclose(ring, expected, atol=1e-6)  # the first vertex IS the corner
    assert canvas.map_tool.points == []  # finished, ready for the next polygon

    # Vertex tool: drag the second vertex 30 pixels right: one operation.
    window.action("edit_vertex").trigger()
    start = pixel(canvas, *expected[1])
    qtbot.mouseMove(canvas, start)
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=start)
    for step in (10, 20, 30):
        qtbot.mouseMove(canvas, start + QPoint(step, 0))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=start + QPoint(30, 0))
    moved = list(layer.data.geometry.iloc[0].exterior.coords)[1]
    assert moved[0] == pytest.approx(expected[1][0] + 30 * canvas.map_units_per_pixel, abs=0.5)
    texts = [window.undo_stack.text(i) for i in range(window.undo_stack.count())]
    assert texts == [
        "Create layer Área objetivo",
        "Add 1 feature to Área objetivo",
        "Move a vertex in Área objetivo",
    ]

    window.undo_stack.undo()
    window.undo_stack.undo()
    assert len(layer.data) == 0
    window.undo_stack.redo()
    ring = list(layer.data.geometry.iloc[0].exterior.coords)[:-1]
    np.testing.assert_allclose(ring, expected, atol=1e-6)  # as drawn, before the move

    assert window.save_project()
    assert window.undo_stack.count() == 0  # saved edits leave the history, as in QGIS
    reopened = make_window()
    open_and_wait(reopened, small_project)
    drawn = reopened.project.layers["Área objetivo"]
    ring = list(drawn.to_metric(reopened.canvas.crs).geometry.iloc[0].exterior.coords)[:-1]
    np.testing.assert_allclose(ring, expected, atol=1e-6)


def test_history_panel_lists_the_edits(drawing, qtbot):
    window, _layer = drawing
    window.action("edit_history").trigger()
    assert window.dock("history").isVisible()
    view = window.dock("history").widget()
    assert view.stack() is window.undo_stack
    assert window.undo_stack.text(0) == "Create layer Área objetivo"


def test_three_points_by_typed_coordinates_with_attributes(small_window, monkeypatch):
    from desktop.coordinate_dialog import CoordinateDialog
    from desktop.edit_forms import AttributeForm

    window = small_window
    layer = window.edits.new_layer("Observaciones", "point", "violence", ask=False)
    typed = iter(["2.05, -73.95", "2°03'00\"N 73°52'30\"W", "18N 625672 222210"])
    values = iter(
        [
            {"date": "2021-03-04", "event_type": "Battles", "fatalities": "many"},  # refused
            {"date": "2021-03-04", "event_type": "Battles", "fatalities": "2"},
            {"date": "2021-03-05", "event_type": "Riots", "fatalities": "0"},
            {"date": "2021-03-06", "event_type": "Battles", "fatalities": "1"},
        ]
    )
    problems: list[str] = []

    def type_point(dialog):
        dialog.entry.setText(next(typed))
        assert dialog.ok_button.isEnabled(), dialog.problem.text()
        return QDialog.DialogCode.Accepted

    def fill_form(form):
        while True:
            for name, value in next(values).items():
                form.set_value(name, value)
            form.accept()
            if form.result() == QDialog.DialogCode.Accepted:
                return QDialog.DialogCode.Accepted
            problems.append(form.problems["fatalities"].text())

    monkeypatch.setattr(CoordinateDialog, "exec", type_point)
    monkeypatch.setattr(AttributeForm, "exec", fill_form)
    for _ in range(3):
        window.action("edit_add_coordinates").trigger()
    assert problems == ["fatalities: 'many' is not a number."]
    assert len(layer.data) == 3
    lonlat = layer.data.to_crs(4326).geometry
    np.testing.assert_allclose(
        [(p.x, p.y) for p in lonlat],
        [(-73.95, 2.05), (-73.875, 2.05), (-73.87, 2.01)],
        atol=2e-4,
    )
    assert list(layer.data["fatalities"]) == [2, 0, 1]
    assert list(layer.data["event_type"]) == ["Battles", "Riots", "Battles"]
    assert [d.date() for d in layer.data["date"]] == [
        date(2021, 3, 4),
        date(2021, 3, 5),
        date(2021, 3, 6),
    ]
    assert window.undo_stack.count() == 4  # the layer, then one step per point
    window.undo_stack.undo()
    assert len(layer.data) == 2


def test_quit_without_saving_then_restore_in_a_new_window(
    drawing, qtbot, make_window, open_and_wait, small_project, no_dialogs
):
    window, layer = drawing
    canvas = window.canvas
    window.action("edit_add").trigger()
    corners = [
        pixel(canvas, *map_xy(canvas, lon, lat))
        for lon, lat in ((-73.99, 2.01), (-73.93, 2.01), (-73.93, 2.07), (-73.99, 2.07))
    ]
    draw_polygon(qtbot, window, corners)
    expected = [clicked_map(canvas, p) for p in corners]
    window.undo_stack.undo()  # undone before the "crash": restored as redo-able
    window.undo_stack.redo()
    window.autosave_now()  # the autosave of the same moment must not give the layer twice
    # The analyst quits without saving ("No"), as after a crash or a power cut: the next
    # start offers the edits back.
    no_dialogs["question"] = QMessageBox.StandardButton.No
    assert window.maybe_save()
    assert "offered back" in no_dialogs["shown"][-1][2]
    no_dialogs["question"] = YES
    second = make_window()
    open_and_wait(second, small_project)
    qtbot.waitUntil(lambda: "Área objetivo" in second.project.layers.names(), timeout=20000)
    second.wait_for_tasks()
    qtbot.waitUntil(lambda: not second.tasks.active, timeout=20000)
    assert [n for n in second.project.layers.names() if n.startswith("Área")] == ["Área objetivo"]
    restored = second.project.layers["Área objetivo"]
    ring = list(restored.data.geometry.iloc[0].exterior.coords)[:-1]
    np.testing.assert_allclose(ring, expected, atol=1e-6)
    titles = [t for kind, t, _ in no_dialogs["shown"] if kind == "question"]
    assert "Restore unsaved edits?" in titles
    # The rest of the unsaved work (here: the events layer hidden) comes back with the edits.
    assert second.project.layers["acled_events"].visible is False
    assert second.isWindowModified()
    # Undo works on what was restored, and a save keeps it.
    second.undo_stack.undo()
    assert len(restored.data) == 0
    second.undo_stack.redo()
    assert second.save_project()
    from layers.edit_session import unsaved_edits

    assert unsaved_edits(small_project) is None


def test_draw_it_now_for_displacement(drawing, qtbot):
    from desktop.analysis_dialog import open_analysis

    window, _scratch = drawing
    canvas = window.canvas
    dialog = open_analysis(window, "displacement")
    qtbot.addWidget(dialog)
    button = dialog.widgets["targets"].draw_button
    assert button is not None and button.isVisibleTo(dialog)
    assert dialog.widgets["control"].draw_button.isVisibleTo(dialog)
    assert dialog.widgets["events"].draw_button is None  # points too: no drawing offered
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert canvas.map_tool is not None and canvas.map_tool.name == "edit_add_polygon"
    target_layer = window.state.current_layer
    assert target_layer.role.value == "eradication"
    corners = [
        pixel(canvas, *map_xy(canvas, lon, lat))
        for lon, lat in ((-73.98, 2.02), (-73.92, 2.02), (-73.92, 2.08), (-73.98, 2.08))
    ]
    draw_polygon(qtbot, window, corners)
    assert dialog.widgets["targets"].input.currentData() is target_layer
    assert len(target_layer.data) == 1
    qtbot.mouseClick(dialog.widgets["control"].draw_button, Qt.MouseButton.LeftButton)
    control_layer = window.state.current_layer
    corners = [
        pixel(canvas, *map_xy(canvas, lon, lat))
        for lon, lat in ((-73.78, 2.02), (-73.72, 2.02), (-73.72, 2.08), (-73.78, 2.08))
    ]
    draw_polygon(qtbot, window, corners)
    assert dialog.widgets["control"].input.currentData() is control_layer
    events = window.project.layers["acled_events"]
    dialog.widgets["events"].set_value(events)
    dialog.widgets["date"].set_value("2018-06-01")
    dialog.run()
    qtbot.waitUntil(lambda: not dialog.running, timeout=60000)
    assert dialog.last_result is not None, dialog.status.text()
    summary = dialog.last_result.summary
    target = Polygon([clicked_map(canvas, p) for p in corners])  # the control, as drawn
    inside = events.to_metric(canvas.crs).within(target)
    assert summary["control"]["before"] + summary["control"]["after"] <= int(inside.sum())


def test_grab_while_drawing_shows_rubber_band_vertices_and_readout(drawing, qtbot, tmp_path):
    window, layer = drawing
    canvas = window.canvas
    window.action("edit_add").trigger()
    corners = [
        pixel(canvas, *map_xy(canvas, lon, lat))
        for lon, lat in ((-73.99, 2.01), (-73.93, 2.012), (-73.935, 2.07))
    ]
    for at in corners:
        click(qtbot, canvas, at)
    qtbot.mouseMove(canvas, pixel(canvas, *map_xy(canvas, -73.985, 2.065)))
    readout = window.measure_label.text()
    assert readout.startswith("Area ") and " ha · perimeter " in readout
    image = window.grab().toImage()
    path = tmp_path / "drawing.png"
    assert image.save(str(path))
    # The rubber band's vertex markers are drawn where the clicks were.
    offset = canvas.mapTo(window, QPoint(0, 0))
    colour = image.pixelColor(corners[1] + offset)
    assert (colour.red(), colour.green(), colour.blue()) == (0xD6, 0x00, 0x4C)
    qtbot.keyClick(canvas, Qt.Key.Key_Backspace)
    assert len(canvas.map_tool.points) == 2
    qtbot.keyClick(canvas, Qt.Key.Key_Escape)
    assert canvas.map_tool.points == [] and len(layer.data) == 0


def test_split_merge_copy_paste_delete(drawing, qtbot, monkeypatch):
    from desktop.edit_forms import NewLayerDialog

    window, layer = drawing
    canvas = window.canvas
    window.action("edit_add").trigger()
    square = [(-73.99, 2.01), (-73.93, 2.01), (-73.93, 2.07), (-73.99, 2.07)]
    draw_polygon(qtbot, window, [pixel(canvas, *map_xy(canvas, *c)) for c in square])
    area = layer.data.geometry.iloc[0].area
    # Split along a line across the square: two pieces, one undo step.
    window.action("edit_split").trigger()
    for lon, lat in ((-73.96, 2.0), (-73.96, 2.08)):
        click(qtbot, canvas, pixel(canvas, *map_xy(canvas, lon, lat)))
    qtbot.keyClick(canvas, Qt.Key.Key_Return)
    assert len(layer.data) == 2
    assert layer.data.geometry.area.sum() == pytest.approx(area, rel=1e-9)
    window.state.select(layer, np.array([0, 1]))
    window.action("edit_merge").trigger()
    assert len(layer.data) == 1
    assert layer.data.geometry.iloc[0].area == pytest.approx(area, rel=1e-6)
    # Copy it into a new layer made with the dialog (fields from the role), then delete it.
    window.state.select(layer, np.array([0]))
    canvas.setFocus()
    window.action("edit_copy").trigger()

    def fill(dialog):
        dialog.name_edit.setText("Copia")
        dialog.role_box.setCurrentIndex(dialog.role_box.findData("protected_areas"))
        assert dialog.table.item(1, 0).text() == "iucn_category"
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(NewLayerDialog, "exec", fill)
    window.action("edit_new_layer").trigger()
    copy = window.state.current_layer
    assert copy.name == "Copia" and copy.role.value == "protected_areas"
    window.action("edit_paste").trigger()
    assert len(copy.data) == 1
    assert copy.data.geometry.iloc[0].equals_exact(layer.data.geometry.iloc[0], 1e-6)
    window.state.select(copy, np.array([0]))
    window.action("edit_delete").trigger()
    assert len(copy.data) == 0
    window.undo_stack.undo()
    assert len(copy.data) == 1


def test_untitled_project_journals_in_the_recovery_folder_until_saved(
    make_window, qtbot, tmp_path, no_dialogs
):
    from shapely.geometry import Point

    window = make_window()
    assert window.project.path is None
    layer = window.edits.new_layer("Puntos", "point", "other", ask=False)
    assert window.edits.add_feature(layer, Point(500000, 500000), {"name": "uno"})
    journal = tmp_path / "recovery" / f"{window.edits.untitled_name}.edits.jsonl"
    assert journal.exists() and "add_features" in journal.read_text(encoding="utf-8")
    assert window.isWindowModified()
    target = tmp_path / "nuevo.hatlas.json"
    assert window.save_project(target)
    assert not journal.exists() and (tmp_path / "nuevo.edits.gpkg").exists()
    assert not list((tmp_path / "recovery").glob("untitled*"))  # its lock went with it
    assert not window.isWindowModified()
    # Quitting now asks nothing: everything is on disk.
    assert window.maybe_save()
    assert not [s for s in no_dialogs["shown"] if s[0] == "question"]


def test_quit_with_unsaved_edits_asks_and_discard_drops_the_journal(
    drawing, small_project, no_dialogs
):
    from shapely.geometry import box

    from layers.edit_session import unsaved_edits

    window, layer = drawing
    assert window.edits.add_feature(layer, box(600000, 200000, 601000, 201000), {})
    assert unsaved_edits(small_project) is not None
    no_dialogs["question"] = QMessageBox.StandardButton.Cancel
    assert not window.maybe_save()  # Cancel: the window stays, the edits too
    assert unsaved_edits(small_project) is not None
    no_dialogs["question"] = QMessageBox.StandardButton.Discard
    assert window.maybe_save()
    assert unsaved_edits(small_project) is None
    assert [t for kind, t, _ in no_dialogs["shown"] if kind == "question"] == [
        "Unsaved changes"
    ] * 2


def test_move_feature_insert_and_delete_vertex_by_mouse(drawing, qtbot):
    from shapely.geometry import box

    window, layer = drawing
    canvas = window.canvas
    x0, y0 = map_xy(canvas, -73.98, 2.02)
    square = box(x0, y0, x0 + 4000, y0 + 4000)
    assert window.edits.add_feature(layer, square, {})
    window.state.clear_selection()
    # Move: press inside, drag 40 px right and 20 px down, release: one MoveFeatures.
    window.action("edit_move").trigger()
    start = pixel(canvas, x0 + 2000, y0 + 2000)
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(canvas, start + QPoint(20, 10))
    qtbot.mouseMove(canvas, start + QPoint(40, 20))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=start + QPoint(40, 20))
    step = canvas.map_units_per_pixel
    moved = layer.data.geometry.iloc[0]
    assert moved.bounds[0] == pytest.approx(x0 + 40 * step, abs=1e-6)
    assert moved.bounds[1] == pytest.approx(y0 - 20 * step, abs=1e-6)
    assert window.undo_stack.undoText() == "Move 1 feature of Área objetivo"
    # Vertex tool: double-click the middle of the bottom edge adds a vertex there.
    window.action("edit_vertex").trigger()
    minx, miny, maxx, _maxy = moved.bounds
    middle = pixel(canvas, (minx + maxx) / 2, miny)
    qtbot.mouseMove(canvas, middle)
    qtbot.mouseDClick(canvas, Qt.MouseButton.LeftButton, pos=middle)
    ring = list(layer.data.geometry.iloc[0].exterior.coords)[:-1]
    assert len(ring) == 5
    assert any(
        x == pytest.approx((minx + maxx) / 2, abs=step) and y == pytest.approx(miny, abs=step)
        for x, y in ring
    )
    # Click that vertex and press Delete: the square again.
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=middle)
    qtbot.keyClick(canvas, Qt.Key.Key_Delete)
    assert len(list(layer.data.geometry.iloc[0].exterior.coords)[:-1]) == 4
    assert layer.data.geometry.iloc[0].equals_exact(moved, 1e-6)
    texts = [window.undo_stack.text(i) for i in range(window.undo_stack.count())][-3:]
    assert texts == [
        "Move 1 feature of Área objetivo",
        "Add a vertex in Área objetivo",
        "Delete a vertex in Área objetivo",
    ]


def test_attributes_of_the_selection_and_save_to_source(
    small_window, small_project, monkeypatch, no_dialogs
):
    import geopandas as gpd

    from desktop.edit_forms import AttributeForm

    window = small_window
    regions = window.project.layers["regions"]
    window.state.set_current_layer(regions)
    window.action("edit_toggle").trigger()
    assert window.action("edit_toggle").isChecked()
    window.state.select(regions, np.array([1, 2]))

    def fill(form):
        assert form.raw("ADM2_PCODE") == "CO002"  # the first selected feature's values
        form.set_value("population", "9100")
        form.accept()
        return form.result()

    monkeypatch.setattr(AttributeForm, "exec", fill)
    window.action("edit_attributes").trigger()
    assert list(regions.data["population"]) == [12000, 9100, 9100, 5000]
    assert window.undo_stack.undoText() == "Change population in regions"
    no_dialogs["question"] = QMessageBox.StandardButton.Save
    window.action("edit_save_source").trigger()
    source = small_project.parent / "data" / "regions.geojson"
    assert list(gpd.read_file(source)["population"]) == [12000, 9100, 9100, 5000]
    backups = list(source.parent.glob("regions.backup-*.geojson"))
    assert len(backups) == 1
    assert list(gpd.read_file(backups[0])["population"]) == [12000, 8000, 15000, 5000]
    asked = [text for kind, _t, text in no_dialogs["shown"] if kind == "question"]
    assert str(source) in asked[0] or source.name in asked[0]


def test_a_typed_point_outside_the_project_is_added_with_a_warning(small_window, monkeypatch):
    from desktop.coordinate_dialog import CoordinateDialog

    window = small_window
    window.action("edit_form").setChecked(False)
    layer = window.edits.new_layer("Lejos", "point", "other", ask=False)

    def type_point(dialog):
        dialog.entry.setText("4.5981, -74.0760")  # Bogotá, 270 km north of the project
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(CoordinateDialog, "exec", type_point)
    window.action("edit_add_coordinates").trigger()
    assert len(layer.data) == 1
    warnings = [t for t in window.messages.texts() if "of the project's area" in t]
    assert warnings == ["The point is 276.4 km north-west of the project's area."]


def test_a_result_layer_that_lives_only_in_memory_is_not_edited(small_window):
    from layers.layer import Layer

    window = small_window
    regions = window.project.layers["regions"]
    result = Layer(regions.data.copy(), "Resultado", role="result")
    window.add_layer(result)
    window.state.set_current_layer(result)
    window.action("edit_toggle").trigger()
    assert not window.action("edit_toggle").isChecked()
    assert window.edits.edit_layer() is None
    assert any("exists only in this session" in t for t in window.messages.texts())


def test_draw_a_line_with_enter_and_its_length_readout(small_window, qtbot):
    window = small_window
    window.project.layers["acled_events"].visible = False
    window.action("edit_form").setChecked(False)
    canvas = window.canvas
    layer = window.edits.new_layer("Ruta", "line", "other", ask=False)
    window.action("edit_add").trigger()
    assert window.action("edit_add").text() == "Add &line feature"
    points = [pixel(canvas, *map_xy(canvas, lon, 2.13)) for lon in (-73.95, -73.85, -73.75)]
    for at in points[:2]:
        click(qtbot, canvas, at)
    qtbot.mouseMove(canvas, points[2])
    assert window.measure_label.text().startswith("Length ")
    click(qtbot, canvas, points[2])
    qtbot.keyClick(canvas, Qt.Key.Key_Return)
    line = layer.data.geometry.iloc[0]
    assert line.geom_type == "LineString"
    np.testing.assert_allclose(list(line.coords), [clicked_map(canvas, p) for p in points])
