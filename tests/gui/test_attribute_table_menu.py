"""The attribute table's context menu as an analyst uses it (issue #14.16): copy a cell or
rows, zoom the map to a feature, select all shown or the inverse, export the selection
through the one writer (never over the project or an input, formulas neutralised)."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu

pytestmark = pytest.mark.gui


@pytest.fixture
def table_window(make_window, small_project, open_and_wait):
    window = make_window()
    open_and_wait(window, small_project)
    events = next(ly for ly in window.project.layers if ly.geometry_kind == "point")
    window.open_table(events)
    return window, window.attribute_table, events


def _right_click(table, row: int, column: str, choose: str) -> list[str]:
    """Right-click a cell and pick `choose` in the menu that opens (arrow keys to it, Return);
    returns the menu's items."""
    seen: list[str] = []
    tries = iter(range(50))

    def pick() -> None:
        menu = QApplication.activePopupWidget()
        if not isinstance(menu, QMenu):  # not open yet: the event loop is still starting it
            if next(tries, None) is not None:
                QTimer.singleShot(10, pick)
            return
        actions = [a for a in menu.actions() if not a.isSeparator()]
        seen.extend(a.text() for a in actions)
        action = next((a for a in actions if a.text().startswith(choose)), None)
        if action is None or not action.isEnabled():
            menu.close()
            return
        menu.setActiveAction(action)
        QTest.keyClick(menu, Qt.Key.Key_Return)

    QTimer.singleShot(0, pick)
    index = table.model.index(row, table.model.columns.index(column))
    table.view.scrollTo(index)
    pos = table.view.visualRect(index).center()
    event = QContextMenuEvent(
        QContextMenuEvent.Reason.Mouse, pos, table.view.viewport().mapToGlobal(pos)
    )
    QApplication.sendEvent(table.view.viewport(), event)
    assert seen, "no context menu opened"
    assert any(text.startswith(choose) for text in seen), (choose, seen)
    return seen


def _select_rows(table, rows: list[int]) -> None:
    """Ctrl-click the rows' headers, as a user picks scattered rows."""
    header = table.view.verticalHeader()
    for row in rows:
        table.view.scrollTo(table.model.index(row, 0))
        y = header.sectionViewportPosition(row) + header.sectionSize(row) // 2
        QTest.mouseClick(
            header.viewport(),
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.ControlModifier,
            QPoint(5, y),
        )


def test_copy_cell_and_rows(table_window) -> None:
    _window, table, events = table_window
    items = _right_click(table, 3, "fatalities", "Copy cell")
    assert {"Copy cell", "Copy selected rows", "Zoom to feature", "Invert selection"} <= set(items)
    expected = str(events.data["fatalities"].iloc[int(table.model.rows[3])])
    assert QApplication.clipboard().text() == expected

    _select_rows(table, [1, 4, 6])
    assert table.selection.rows(events).size == 3
    _right_click(table, 4, "event_type", "Copy selected rows")
    lines = QApplication.clipboard().text().splitlines()
    assert lines[0].split("\t") == table.model.columns
    assert len(lines) == 4
    first = dict(zip(lines[0].split("\t"), lines[1].split("\t"), strict=True))
    row = events.data.iloc[int(table.model.rows[1])]
    assert first["event_type"] == row["event_type"]
    assert first["fatalities"] == str(row["fatalities"])

    QApplication.clipboard().clear()
    table.view.setFocus()
    QTest.keyClick(table.view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert len(QApplication.clipboard().text().splitlines()) == 4  # Ctrl+C: the same rows


def test_zoom_to_feature_moves_the_map(table_window) -> None:
    window, table, events = table_window
    canvas = window.canvas
    before = canvas.extent
    _right_click(table, 7, "event_type", "Zoom to feature")
    x, y = events.to_metric(canvas.crs).geometry.iloc[int(table.model.rows[7])].coords[0]
    minx, miny, maxx, maxy = canvas.extent
    assert minx < x < maxx and miny < y < maxy
    assert maxx - minx < (before[2] - before[0]) / 2  # zoomed in around the point
    assert math.isclose((minx + maxx) / 2, x, abs_tol=1.0)


def test_select_all_shown_and_invert(table_window) -> None:
    _window, table, events = table_window
    table.filter_edit.setText("fatalities >= 3")
    table.apply_filter()
    wanted = np.flatnonzero(events.data["fatalities"].to_numpy() >= 3)
    _right_click(table, 0, "fatalities", "Select all shown")
    assert np.array_equal(table.selection.rows(events), wanted)
    assert len(table.view.selectionModel().selectedRows()) == wanted.size  # the table follows

    table.filter_edit.clear()
    table.apply_filter()
    _right_click(table, 0, "fatalities", "Invert selection")
    rest = np.setdiff1d(np.arange(len(events.data)), wanted)
    assert np.array_equal(table.selection.rows(events), rest)


def test_export_selection_through_the_one_writer(table_window, monkeypatch, tmp_path) -> None:
    window, table, events = table_window
    events.data.loc[events.data.index[2], "event_type"] = '=HYPERLINK("http://x")'
    _select_rows(table, [0, 2, 5])
    positions = table.selection.rows(events)
    assert positions.size == 3

    chosen = {"path": str(tmp_path / "picked"), "filter": "CSV table (*.csv)"}
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *a, **k: (chosen["path"], chosen["filter"])
    )
    items = _right_click(table, 0, "event_type", "Export 3 selected")
    assert "Export 3 selected…" in items
    written = tmp_path / "picked.csv"
    with written.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 3 and "geometry_wkt" in rows[0]
    formula = [r["event_type"] for r in rows if "HYPERLINK" in r["event_type"]]
    assert formula == ['\'=HYPERLINK("http://x")']  # a spreadsheet shows it, never runs it
    assert "Exported 3" in table.error.text()

    chosen.update(path=str(tmp_path / "picked2"), filter="GeoPackage (*.gpkg)")
    _right_click(table, 0, "event_type", "Export 3 selected")
    import geopandas as gpd

    assert len(gpd.read_file(tmp_path / "picked2.gpkg")) == 3

    # Never over the project file or a layer's own file.
    project_file = Path(window.project.path)
    saved = project_file.read_bytes()
    chosen.update(path=str(project_file), filter="GeoJSON (*.geojson)")
    _right_click(table, 0, "event_type", "Export 3 selected")
    assert project_file.read_bytes() == saved
    assert "Will not write over" in table.error.text()
    source = Path(next(ly for ly in window.project.layers if ly.source.path).source.path)
    before = source.read_bytes()
    chosen.update(path=str(source))
    _right_click(table, 0, "event_type", "Export 3 selected")
    assert source.read_bytes() == before and "Will not write over" in table.error.text()


def test_nothing_selected_greys_export(table_window) -> None:
    _window, table, events = table_window
    table.selection.clear()
    items = _right_click(table, 0, "event_type", "Export 0 selected")
    assert any(i.startswith("Export 0") for i in items)
    assert not table.export_action.isEnabled()
    assert table.error.isHidden()  # nothing was written or said
