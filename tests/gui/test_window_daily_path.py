"""The analyst's daily path through the main window (issue 14, items 12, 13 and 17): QGIS's
shortcuts, file dialogs that start where the project's data is, and a map that gets the room
(the attribute table opens when asked, and the layout is remembered)."""

from __future__ import annotations

import geopandas as gpd
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QTableWidget
from shapely.geometry import Point

pytestmark = pytest.mark.gui

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def _focus_map(window, qtbot) -> None:
    """Shortcuts reach only the active window (offscreen too): the analyst clicked on it."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    window.canvas.setFocus()


def _record_file_dialogs(monkeypatch, answers: dict | None = None) -> list[tuple[str, str, str]]:
    """Every file dialog the window opens: (which, caption, starting folder); answers by which."""
    answers = answers if answers is not None else {}
    asked: list[tuple[str, str, str]] = []

    def fake(which, empty):
        def ask(_parent, caption="", folder="", _filter="", *args, **kwargs):
            asked.append((which, caption, folder))
            return answers.get(which, empty), ""

        return ask

    monkeypatch.setattr(QFileDialog, "getOpenFileName", fake("open", ""))
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", fake("open_many", []))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", fake("save", ""))
    return asked


def test_qgis_shortcuts_open_a_project_and_add_layers(make_window, qtbot, monkeypatch):
    """Ctrl+O opens a project (it added a layer); Ctrl+L and Ctrl+Shift+V add layers; the
    menus and Help show them; Ctrl+Shift+R adds raster layers (as in QGIS), nothing else."""
    window = make_window()
    asked = _record_file_dialogs(monkeypatch)
    _focus_map(window, qtbot)

    qtbot.keyClick(window.canvas, Qt.Key.Key_O, CTRL)
    assert [(which, caption) for which, caption, _ in asked] == [("open", "Open project")]
    qtbot.keyClick(window.canvas, Qt.Key.Key_L, CTRL)
    qtbot.keyClick(window.canvas, Qt.Key.Key_V, CTRL | SHIFT)
    assert [(which, caption) for which, caption, _ in asked[1:]] == [
        ("open_many", "Add layers"),
        ("open_many", "Add layers"),
    ]

    # The menus show the keys: File ▸ Open project… Ctrl+O, Layer ▸ Add layer… Ctrl+Shift+V.
    def shortcut_in(menu_id: str, object_name: str) -> str:
        action = next(a for a in window.menus[menu_id].actions() if a.objectName() == object_name)
        return action.shortcut().toString()

    assert shortcut_in("file", "action_open_project") == "Ctrl+O"
    assert shortcut_in("layer", "action_add_layer") == "Ctrl+Shift+V"
    assert shortcut_in("layer", "action_add_raster") == "Ctrl+Shift+R"
    taken = [
        a.objectName()
        for a in window.findChildren(type(window.actions["quit"]))
        for s in a.shortcuts()
        if s.toString() == "Ctrl+Shift+R"
    ]
    assert taken == ["action_add_raster"]

    # Help lists them, as the analyst reads them.
    window.actions["help"].trigger()
    table = window._help_dialog.findChild(QTableWidget, "shortcut_table")
    rows = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}
    window._help_dialog.close()
    assert rows["Open project…"] == "Ctrl+O"
    assert rows["Add layer…"] == "Ctrl+Shift+V, Ctrl+L"
    assert "Ctrl+L" not in rows.get("Zoom to layer", "")


def test_file_dialogs_start_in_the_project_data_then_the_last_folder(
    make_window, small_project, open_and_wait, qtbot, monkeypatch, tmp_path
):
    window = make_window()
    open_and_wait(window, small_project)
    data = small_project.parent / "data"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    wells = elsewhere / "wells.geojson"
    gpd.GeoDataFrame({"name": ["a"]}, geometry=[Point(-73.95, 2.05)], crs=4326).to_file(wells)

    # First time: the project's data folder, not the home folder.
    asked = _record_file_dialogs(monkeypatch)
    window.actions["add_layer"].trigger()
    assert asked[-1][2] == str(data)
    window.actions["open_project"].trigger()
    assert asked[-1][2] == str(small_project.parent)

    # The analyst adds a file from another folder: the next dialog starts there.
    n = len(window.project.layers)
    _record_file_dialogs(monkeypatch, {"open_many": [str(wells)]})
    window.actions["add_layer"].trigger()
    qtbot.waitUntil(lambda: len(window.project.layers) == n + 1, timeout=30000)
    asked = _record_file_dialogs(monkeypatch)
    window.actions["add_layer"].trigger()
    assert asked[-1][2] == str(elsewhere)

    # Remembered across restarts (QSettings) for the same project...
    again = make_window()
    open_and_wait(again, small_project)
    again.actions["add_layer"].trigger()
    assert asked[-1][2] == str(elsewhere)

    # ...while another project starts in its own data folder.
    from layers.project import Project
    from layers.readers import read_layers

    other = tmp_path / "other"
    (other / "datos").mkdir(parents=True)
    regions = other / "datos" / "regions.gpkg"
    gpd.read_file(data / "regions.geojson").to_file(regions)
    project = Project(title="Other")
    for layer in read_layers(regions):
        project.add(layer)
    saved = project.save(other / "other.hatlas.json")
    open_and_wait(again, saved)
    again.actions["add_layer"].trigger()
    assert asked[-1][2] == str(other / "datos")


def test_attribute_table_opens_on_demand_and_the_layout_is_remembered(
    make_window, small_project, open_and_wait, qtbot
):
    window = make_window()
    window.resize(1440, 900)
    open_and_wait(window, small_project)
    qtbot.wait(50)  # the first layout is sized once the window is on screen

    # The map gets the room: no table under it until asked (was 830x540 of 1440x900).
    assert not window.table_dock.isVisible()
    assert window.canvas.width() >= 850 and window.canvas.height() >= 700, window.canvas.size()

    # F6, as in QGIS: the current layer's table opens under the map.
    events = next(layer for layer in window.project.layers if layer.geometry_kind == "point")
    window.layers_panel.set_current_layer(events)
    _focus_map(window, qtbot)
    qtbot.keyClick(window.canvas, Qt.Key.Key_F6)
    assert window.table_dock.isVisible()
    assert window.attribute_table.model.layer is events
    assert window.canvas.height() < 700

    # The layout is remembered: a restart shows the table as it was left...
    window.close()
    again = make_window()
    assert again.table_dock.isVisible()
    # ...and once closed, it stays closed.
    again.table_dock.close()
    again.close()
    third = make_window()
    assert not third.table_dock.isVisible()


def test_views_follow_the_state(make_window, small_project, open_and_wait, qtbot):
    """A period, selection or current layer set on window.state (as a script or a plugin
    does) reaches the time bar, the map, the table and the layer panel with no relay."""
    window = make_window()
    open_and_wait(window, small_project)
    state = window.state
    events = next(layer for layer in window.project.layers if layer.geometry_kind == "point")

    renders = window.canvas.render_count
    state.set_period("2018")
    assert window.time_panel.label.text() == "2018" and window.time_panel.enabled.isChecked()
    assert window.project.time_filter.label == "2018"
    assert window.isWindowModified()
    qtbot.waitUntil(lambda: window.canvas.render_count > renders, timeout=5000)
    window.actions["clear_period"].trigger()
    assert state.period is None and not window.time_panel.enabled.isChecked()

    state.set_current_layer(events)
    assert window.layers_panel.current_layer() is events
    window.open_table(events)
    state.select(events, [1, 4])
    rows = window.attribute_table.view.selectionModel().selectedRows()
    assert sorted(window.attribute_table.model.positions_of_rows([i.row() for i in rows])) == [1, 4]
    assert list(window.selection.rows(events)) == [1, 4]

    window.undo_stack.clear()
    window.layers_panel.remove_current()
    assert state.current_layer is not events and not state.selection

    # A project opened through the core's action (a script) is shown, unmodified.
    from core.registry import ACTIONS

    state.set_period("2019")  # the project on disk has none: opening it changes the period
    ACTIONS.call("project.open", state, small_project)
    assert window.project.path == small_project.resolve() and window.project is not None
    assert window.layers_panel.model.rowCount() == len(window.project.layers)
    assert window.time_panel.period() == window.project.time_filter
    assert not window.isWindowModified() and window.undo_stack.count() == 0
