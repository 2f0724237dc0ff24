"""The main window driven as an analyst would: open, toggle, reorder, restyle, undo,
filter by time, identify, and select in the table and on the map."""

from __future__ import annotations

import dataclasses
from datetime import date

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage

from layers.timefilter import TimeFilter

pytestmark = pytest.mark.gui


def _ink(image: QImage, tol: int = 30) -> int:
    """How many canvas pixels differ from the background (features drawn on the map)."""
    from desktop.canvas import BACKGROUND

    colour = tuple(int(BACKGROUND[i : i + 2], 16) for i in (1, 3, 5))
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    w, h = image.width(), image.height()
    arr = np.frombuffer(image.constBits(), np.uint8, count=image.bytesPerLine() * h)
    arr = arr.reshape(h, image.bytesPerLine())[:, : w * 3].reshape(h, w, 3).astype(int)
    return int((np.abs(arr - np.array(colour)).sum(axis=2) > tol).sum())


def _canvas_image(window) -> QImage:
    window.canvas.redraw_now()
    return window.canvas._image.copy()


def _layer(window, kind: str):
    return next(layer for layer in window.project.layers if layer.geometry_kind == kind)


def test_open_project_shows_layers_top_first(small_window):
    window = small_window
    model = window.layers_panel.model
    shown = [model.index(r, 0).data() for r in range(model.rowCount())]
    # Top of the panel is drawn last (QGIS order): the last LayerList entry.
    assert shown == list(reversed(window.project.layers.names()))
    assert window.canvas.render_count >= 1
    assert "small" in window.windowTitle().lower() or "Small" in window.windowTitle()
    assert window.attribute_table.layer_box.count() == len(window.project.layers)


def test_toggle_reorder_restyle_rename_remove_and_undo(small_window, qtbot):
    window = small_window
    model = window.layers_panel.model
    stack = window.undo_stack
    top = model.layer_at(model.index(0, 0))

    # Untick the top layer in the panel: hidden; Ctrl+Z brings it back.
    model.setData(model.index(0, 0), Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole)
    assert not top.visible
    assert window.isWindowModified()
    window.canvas.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert top.visible
    qtbot.keyClick(window, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert not top.visible
    stack.undo()

    # Drag the bottom layer to the top (the panel's drop handler).
    before = window.project.layers.names()
    bottom = model.layer_at(model.index(model.rowCount() - 1, 0))
    mime = model.mimeData([model.index(model.rowCount() - 1, 0)])
    model.dropMimeData(mime, Qt.DropAction.MoveAction, 0, 0, model.index(-1, 0).parent())
    assert window.project.layers.names()[-1] == bottom.name
    assert model.index(0, 0).data() == bottom.name
    stack.undo()
    assert window.project.layers.names() == before

    # Move with the keyboard action (Ctrl+Down moves the current layer down the panel).
    window.layers_panel.set_current_layer(top)
    window.actions["layer_down"].trigger()
    assert model.index(1, 0).data() == top.name
    stack.undo()
    assert model.index(0, 0).data() == top.name

    # Restyle and undo.
    old_style = top.style
    new_style = dataclasses.replace(old_style, fill="#123456", edge="#000000")
    window.apply_style(top, new_style)
    assert top.style.fill == "#123456"
    stack.undo()
    assert top.style == old_style

    # Rename through the panel, opacity through the slider (one undo step), remove.
    model.setData(model.index(0, 0), "Eventos de violencia", Qt.ItemDataRole.EditRole)
    assert top.name == "Eventos de violencia"
    window.layers_panel.set_current_layer(top)
    for value in (80, 60, 40):
        window.layers_panel.opacity.setValue(value)
    assert top.opacity == pytest.approx(0.4)
    stack.undo()
    assert top.opacity == pytest.approx(1.0)
    stack.undo()
    assert top.name != "Eventos de violencia"
    window.layers_panel.remove_current()
    assert top not in window.project.layers
    stack.undo()
    assert top in window.project.layers
    assert stack.isClean()
    assert not window.isWindowModified()


def test_style_dialog_graduated_and_categorized(small_window):
    from desktop.style_dialog import StyleDialog

    window = small_window
    regions = _layer(window, "polygon")
    dialog = StyleDialog(regions, window)
    dialog.kind.setCurrentIndex(dialog.kind.findData("graduated"))
    dialog.field.setCurrentIndex(dialog.field.findData("population"))
    dialog.scheme.setCurrentIndex(dialog.scheme.findData("natural_breaks"))
    dialog.classes.setValue(3)
    dialog.ramp.setCurrentIndex(dialog.ramp.findData("viridis"))
    assert dialog.classes_table.rowCount() == 3
    counts = [int(dialog.classes_table.item(r, 1).text()) for r in range(3)]
    assert sum(counts) == len(regions.data)
    style = dialog.style()
    assert (style.kind, style.field, style.scheme, style.classes, style.ramp) == (
        "graduated",
        "population",
        "natural_breaks",
        3,
        "viridis",
    )
    window.apply_style(regions, style)
    window.canvas.redraw_now()
    assert regions.style.kind == "graduated"

    events = _layer(window, "point")
    dialog = StyleDialog(events, window)
    dialog.kind.setCurrentIndex(dialog.kind.findData("categorized"))
    dialog.field.setCurrentIndex(dialog.field.findData("event_type"))
    dialog.label_field.setCurrentIndex(dialog.label_field.findData("fatalities"))
    style = dialog.style()
    assert set(style.categories) == set(events.data["event_type"].unique())
    assert style.label_field == "fatalities"
    # Okabe-Ito colours: distinct per category.
    assert len(set(style.categories.values())) == len(style.categories)
    dialog.kind.setCurrentIndex(dialog.kind.findData("graduated"))
    assert dialog.field.findData("event_type") == -1  # text fields cannot be graduated


def test_time_filter_filters_the_canvas(small_window):
    window = small_window
    events = _layer(window, "point")
    for layer in window.project.layers:
        layer.visible = layer is events  # count only the events' ink on the canvas
    all_years = _ink(_canvas_image(window))
    assert all_years > 200

    panel = window.time_panel
    assert (panel.slider.minimum(), panel.slider.maximum()) == (2016, 2021)
    panel.set_year(2018)
    assert window.project.time_filter.label == "2018"
    one_year = _ink(_canvas_image(window))
    assert 0 < one_year < all_years * 0.45  # ~1/6 of the events remain

    # Identify honours the period: an event of 2019 is not found while 2018 is shown.
    row = int(np.flatnonzero(events.data["year"].to_numpy() == 2019)[0])
    geom = events.to_metric(window.canvas.crs).geometry.iloc[row]
    hits = dict((lay.name, rows) for lay, rows in window.canvas.hits_at(geom.x, geom.y))
    assert row not in hits.get(events.name, [])
    panel.set_year(2019)
    hits = dict((lay.name, rows) for lay, rows in window.canvas.hits_at(geom.x, geom.y))
    assert row in hits[events.name]

    panel.enabled.setChecked(False)
    assert window.project.time_filter is None
    assert _ink(_canvas_image(window)) == all_years

    # A typed date range filters every dated layer too; the slider takes over again.
    panel.dates.setText("2018-01-01..2018-06-30")
    panel.dates.editingFinished.emit()
    assert window.project.time_filter == TimeFilter(date(2018, 1, 1), date(2018, 6, 30))
    half_year = _ink(_canvas_image(window))
    assert 0 < half_year < one_year
    panel.dates.setText("not a period")
    panel.dates.editingFinished.emit()
    assert "fde2e1" in panel.dates.styleSheet()  # flagged, and the period kept
    assert window.project.time_filter == TimeFilter(date(2018, 1, 1), date(2018, 6, 30))
    panel.set_year(2019)
    assert panel.dates.text() == "" and window.project.time_filter.label == "2019"

    # Play steps through the years and stops at the last one.
    panel.set_year(2020)
    panel._step()
    assert window.project.time_filter.label == "2021"
    panel.play.setChecked(True)
    panel._step()
    assert not panel.play.isChecked()


def test_identify_by_clicking_the_map(small_window, qtbot):
    window = small_window
    regions = _layer(window, "polygon")
    window.actions["tool_identify"].trigger()
    assert window.canvas.tool == "identify"
    # Click inside the "Río Claro" region, away from events (hide them so only regions answer).
    events = _layer(window, "point")
    events.visible = False
    target = regions.to_metric(window.canvas.crs).geometry.iloc[1].representative_point()
    pos = window.canvas.to_pixel(target.x, target.y).toPoint()
    qtbot.mouseClick(window.canvas, Qt.MouseButton.LeftButton, pos=pos)
    values = window.identify_panel.values()
    assert regions.name in values
    assert [r["ADM2_ES"] for r in values[regions.name]] == ["Río Claro"]
    assert window.identify_panel.tree.topLevelItemCount() >= 1


def test_selection_links_table_and_map(small_window, qtbot):
    window = small_window
    events = _layer(window, "point")
    table = window.attribute_table
    window.open_table(events)
    assert table.model.layer is events
    assert table.model.rowCount() == len(events.data)

    # Table -> map: select three rows; the canvas highlight set follows.
    view = table.view
    view.selectRow(2)
    sel = view.selectionModel()
    from PySide6.QtCore import QItemSelectionModel

    for r in (5, 7):
        sel.select(
            table.model.index(r, 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )
    assert list(window.selection.rows(events)) == [2, 5, 7]
    renders = window.canvas.render_count
    qtbot.waitUntil(lambda: window.canvas.render_count > renders, timeout=2000)

    # Sorting keeps the link right: rows are frame positions, not view rows.
    table.model.sort(table.model.columns.index("fatalities"), Qt.SortOrder.DescendingOrder)
    shown = sorted(table.model.positions_of_rows([i.row() for i in sel.selectedRows()]).tolist())
    assert shown == [2, 5, 7]

    # Map -> table: drag a box with the select tool over the west half.
    window.layers_panel.set_current_layer(events)
    window.actions["tool_select"].trigger()
    canvas = window.canvas
    data = events.to_metric(canvas.crs)
    xs, ys = data.geometry.x.to_numpy(), data.geometry.y.to_numpy()
    a = canvas.to_pixel(xs.min() - 10, ys.max() + 10).toPoint()
    b = canvas.to_pixel(np.median(xs), ys.min() - 10).toPoint()
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=a)
    qtbot.mouseMove(canvas, b)
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=b)
    expected = set(np.flatnonzero(xs <= canvas.to_map(b)[0]).tolist())
    got = set(window.selection.rows(events).tolist())
    assert len(got) > 10
    assert len(got ^ expected) <= 2  # points on the box edge may go either way
    table_rows = set(table.model.positions_of_rows([i.row() for i in sel.selectedRows()]).tolist())
    assert table_rows == got
    assert "selected" in table.status.text()

    # Zoom to selection frames the selected points.
    canvas.zoom_to_selection()
    minx, miny, maxx, maxy = canvas.extent
    assert minx <= xs[list(got)].min() and maxx >= xs[list(got)].max()

    window.actions["clear_selection"].trigger()
    assert window.selection.count() == 0
    assert sel.selectedRows() == []


def test_table_filter_expression_and_bad_expression(small_window):
    window = small_window
    events = _layer(window, "point")
    table = window.attribute_table
    window.open_table(events)
    table.filter_edit.setText("year >= 2019 and fatalities > 2")
    table.apply_filter()
    expected = ((events.data.year >= 2019) & (events.data.fatalities > 2)).sum()
    assert table.model.rowCount() == expected
    assert not table.error.isVisible() or table.error.text() == ""

    table.filter_edit.setText("year >>= 2019")
    table.apply_filter()
    assert table.model.rowCount() == expected  # the last good filter stays
    assert "Cannot filter" in table.error.text()
    assert any("Cannot filter" in t for t in window.messages.texts())


def test_zoom_pan_keyboard_and_scale(small_window, qtbot):
    window = small_window
    canvas = window.canvas
    full = canvas.extent
    scale = canvas.scale_denominator()
    window.actions["zoom_in"].trigger()
    assert canvas.scale_denominator() == pytest.approx(scale / 2)
    window.actions["zoom_out"].trigger()
    window.actions["zoom_out"].trigger()
    assert canvas.scale_denominator() == pytest.approx(scale * 2)
    window.actions["zoom_full"].trigger()
    assert canvas.extent == pytest.approx(full)
    assert window.scale_box.currentText().startswith("1:")

    # Drag to pan: the map point under the mouse follows it.
    start, end = QPoint(300, 200), QPoint(360, 240)
    before = canvas.to_map(start)
    window.actions["tool_pan"].trigger()
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(canvas, end)
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=end)
    assert canvas.to_map(end) == pytest.approx(before, abs=canvas.map_units_per_pixel)

    # Status bar shows lon/lat and metric coordinates of the cursor.
    qtbot.mouseMove(canvas, QPoint(200, 150))
    x, y = canvas.to_map(QPoint(200, 150))
    canvas.cursor_moved.emit(x, y)
    assert "°" in window.coords_label.text() and "E " in window.coords_label.text()
    lon, lat = canvas.lonlat(x, y)
    assert -75 < lon < -73 and 1.5 < lat < 2.5


def test_measure_distance_and_area_are_geodesic(small_window, qtbot):
    from pyproj import Transformer

    window = small_window
    canvas = window.canvas
    window.actions["tool_measure_line"].trigger()
    p1, p2 = QPoint(100, 100), QPoint(500, 300)
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=p1)
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=p2)
    (x1, y1), (x2, y2) = canvas.to_map(p1), canvas.to_map(p2)
    length, _ = canvas.measure_values()
    planar = float(np.hypot(x2 - x1, y2 - y1))
    # UTM near its central meridian: geodesic and grid distance agree within 0.1 %.
    assert length == pytest.approx(planar, rel=1e-3)
    assert "km" in window.measure_label.text() or " m" in window.measure_label.text()

    window.actions["tool_measure_area"].trigger()
    corners = [QPoint(100, 100), QPoint(500, 100), QPoint(500, 400), QPoint(100, 400)]
    for p in corners:
        qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=p)
    _, area = canvas.measure_values()
    to_map = [canvas.to_map(p) for p in corners]
    planar_area = abs(to_map[1][0] - to_map[0][0]) * abs(to_map[2][1] - to_map[1][1])
    assert area == pytest.approx(planar_area, rel=2e-3)
    assert "ha" in window.measure_label.text()
    canvas.clear_measure()
    assert window.measure_label.text() == ""
    Transformer  # noqa: B018 - imported to document the CRS dependency


def test_help_and_shortcuts_cover_common_actions(make_window):
    window = make_window()
    keys = dict(window.shortcut_rows())
    for action, key in (
        ("Add layer…", "Ctrl+Shift+V"),
        ("Open project…", "Ctrl+O"),
        ("Save project", "Ctrl+S"),
        ("Save project as…", "Ctrl+Shift+S"),
        ("Zoom to full extent", "Ctrl+0"),
        ("Identify features", "I"),
        ("Measure distance", "M"),
        ("Help", "F1"),
    ):
        assert keys.get(action, "").split(", ")[0] == key, (action, keys.get(action))
    assert "Ctrl+Z" in keys["Undo"] and "Ctrl+Y" in keys["Redo"]
    assert "+" in keys["Zoom in"] and "-" in keys["Zoom out"]
    window.actions["help"].trigger()
    assert window._help_dialog.isVisible()
    window._help_dialog.close()
    titles = [
        m.title().replace("&", "")
        for m in window.menuBar().findChildren(type(window.menus["file"]))
        if m.parent() is window.menuBar()
    ]
    for name in ("File", "Edit", "View", "Layer", "Analysis", "Help"):
        assert name in titles


def test_role_override_field_mapping_and_tool_keys(small_window, qtbot):
    from desktop.layers_dock import FieldMappingDialog
    from layers.roles import Role

    window = small_window
    events = _layer(window, "point")
    assert events.role == Role.VIOLENCE
    window.layers_panel.set_role(events, Role.ERADICATION)
    assert events.role == Role.ERADICATION
    window.undo_stack.undo()
    assert events.role == Role.VIOLENCE

    dialog = FieldMappingDialog(events, window)
    rows = {
        dialog.table.item(r, 0).text(): dialog.table.item(r, 1).text()
        for r in range(dialog.table.rowCount())
    }
    # Meanings named in the user's words (test_language_polish has them in Spanish).
    assert rows["Date"] == "event_date" and rows["Fatalities"] == "fatalities"
    dialog.close()

    window.canvas.setFocus()
    for key, tool in (
        (Qt.Key.Key_I, "identify"),
        (Qt.Key.Key_M, "measure_line"),
        (Qt.Key.Key_P, "pan"),
    ):
        qtbot.keyClick(window.canvas, key)
        assert window.canvas.tool == tool
    # The layer list's selection follows the panel's current layer (analyses read it).
    window.layers_panel.set_current_layer(events)
    assert window.project.layers.selection == [events]


def test_zoom_box_zoom_to_layer_and_selection_highlight(small_window, qtbot):
    window = small_window
    canvas = window.canvas
    window.actions["tool_zoom_box"].trigger()
    a, b = QPoint(200, 150), QPoint(400, 300)
    corner_a, corner_b = canvas.to_map(a), canvas.to_map(b)
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=a)
    qtbot.mouseMove(canvas, b)
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=b)
    minx, miny, maxx, maxy = canvas.extent
    # The box fits inside the new view and fills it along one axis.
    assert minx <= corner_a[0] + 1 and maxx >= corner_b[0] - 1
    assert miny <= corner_b[1] + 1 and maxy >= corner_a[1] - 1
    assert min(
        (maxx - minx) / (corner_b[0] - corner_a[0]), (maxy - miny) / (corner_a[1] - corner_b[1])
    ) == pytest.approx(1.0, rel=0.02)

    river = _layer(window, "line")
    window.layers_panel.set_current_layer(river)
    window.actions["zoom_layer"].trigger()
    bounds = river.to_metric(canvas.crs).total_bounds
    minx, miny, maxx, maxy = canvas.extent
    assert minx <= bounds[0] and maxx >= bounds[2] and miny <= bounds[1] and maxy >= bounds[3]

    # Selecting features changes what the canvas draws (the highlight).
    events = _layer(window, "point")
    window.actions["zoom_full"].trigger()
    before = _canvas_image(window)
    window.selection.set(events, range(0, 60), "test")
    after = _canvas_image(window)
    assert before != after


def test_autosave_timer_writes_the_recovery_file(small_window, qtbot, tmp_path):
    window = small_window
    target = tmp_path / "recovery"
    assert not list(target.glob("*.json")) if target.exists() else True
    window.toggle_current_layer()
    window._autosave.setInterval(50)
    qtbot.waitUntil(
        lambda: target.exists() and any(target.glob("*.recovery.hatlas.json")), timeout=5000
    )


def test_typing_a_scale_zooms_the_map(small_window, qtbot):
    window = small_window
    box = window.scale_box
    centre = window.canvas.to_map(window.canvas.rect().center())
    box.setEditText("1:50,000")
    box.lineEdit().returnPressed.emit()
    assert window.canvas.scale_denominator() == pytest.approx(50_000)
    assert box.currentText() == "1:50,000"
    assert window.canvas.to_map(window.canvas.rect().center()) == pytest.approx(centre, abs=200)
    box.setEditText("big")
    box.lineEdit().returnPressed.emit()
    assert window.canvas.scale_denominator() == pytest.approx(50_000)
    assert box.currentText() == "1:50,000"


def test_plugins_see_the_typed_workbench(make_window):
    """Every plugin installs through the workbench: menus in order by id, docks by id, the
    export before Quit and Compare in View, without a menu found by its title."""
    from desktop.workbench import DOCKS, MENUS, Workbench

    window = make_window()
    assert isinstance(window, Workbench)
    assert [a.text() for a in window.menuBar().actions()] == list(MENUS.values())
    assert window.menu("analysis") is window.analysis_menu
    assert "analysis_count" in [a.objectName() for a in window.menu("analysis").actions()]
    assert set(window.docks) == set(DOCKS)
    assert window.dock("results") is window.results_dock
    assert window.toolbox is window.dock("toolbox").widget()
    with pytest.raises(KeyError, match="analysis"):
        window.menu("Análisis")
    names = [a.objectName() for a in window.menu("file").actions()]
    assert names.index("action_export_map") < names.index("action_quit")
    assert "action_compare" in [a.objectName() for a in window.menu("view").actions()]
