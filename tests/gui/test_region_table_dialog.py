"""Layer ▸ Join region table… driven as a user would: pick an XLSX and the regions, check the
join (detected columns, matched and unmatched codes with the reason), choose an indicator and a
column to map, add the layer; the indicator reaches the harm indicators; undo removes it."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from analysis.indicators import compute_indicators
from desktop.region_table_dialog import RegionTableDialog

pytestmark = pytest.mark.gui


def _table(tmp_path: Path) -> Path:
    """Statistics for the small project's regions CO001…CO004: codes as an office sends them."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "municipios"
    sheet.append(["Estadísticas municipales (sintético)"])  # a title row above the header
    sheet.append(["codigo", "municipio", "pobreza", "asistencia_escolar"])
    sheet.append(["001", "Bogotá Norte", 0.10, 0.95])
    sheet.append([2, "Río Claro", 0.40, 0.70])  # an Excel number: 002
    sheet.append(["003", "San José", 0.25, 0.80])
    sheet.append(["099", "Otra", 0.90, 0.10])  # no such region
    book.create_sheet("notas").append(["fuente", "sintético"])
    path = tmp_path / "estadisticas.xlsx"
    book.save(path)
    return path


def _open(qtbot, window) -> RegionTableDialog:
    window.action("join_region_table").trigger()
    qtbot.waitUntil(lambda: _dialog() is not None, timeout=5000)
    return _dialog()


def _dialog() -> RegionTableDialog | None:
    found = [w for w in QApplication.topLevelWidgets() if isinstance(w, RegionTableDialog)]
    return found[-1] if found and found[-1].isVisible() else None


def _check(qtbot, dialog: RegionTableDialog) -> None:
    qtbot.mouseClick(dialog.task.action_button, Qt.MouseButton.LeftButton)
    assert dialog.task.cancel_button.isEnabled()  # running in the background
    qtbot.waitUntil(lambda: not dialog.task.cancel_button.isEnabled(), timeout=20000)


def test_join_from_the_layer_menu(qtbot, small_window, tmp_path):
    window = small_window
    assert window.action("join_region_table") in window.menu("layer").actions()
    dialog = _open(qtbot, window)
    assert dialog.regions().name == "regions"  # the boundary layer is offered first
    dialog.table_edit.setFocus()
    qtbot.keyClicks(dialog.table_edit, str(_table(tmp_path)))
    qtbot.keyClick(dialog.table_edit, Qt.Key.Key_Return)
    assert dialog.sheet_combo.isEnabled() and dialog.sheet_combo.count() == 2
    _check(qtbot, dialog)
    report = dialog.result.report
    assert report.table_code_column == "codigo" and report.region_code_column == "ADM2_PCODE"
    assert "codigo" in dialog.table_code_combo.itemText(0)  # the detected column is shown
    text = dialog.report_label.text()
    assert "Matched: 3 of 4 regions" in text and "2 → CO002" in text
    cells = [
        dialog.unmatched.item(r, c).text()
        for r in range(dialog.unmatched.rowCount())
        for c in range(4)
    ]
    assert "099" in cells and "no region has this code" in cells
    assert any("CO004" in c for c in cells) and "not in the table" in cells
    assert dialog.indicators.rowCount() == 2  # pobreza, asistencia_escolar (not the names)
    dialog.set_indicator("pobreza", unit="%", weight=2.0, label="Índice de pobreza")
    dialog.set_indicator("asistencia_escolar", worse=False)
    dialog.map_combo.setCurrentIndex(dialog.map_combo.findData("asistencia_escolar"))
    assert dialog.classes_label.text().startswith("Classes:")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    layer = dialog.added
    assert layer is not None and layer in window.project.layers
    assert layer.style.kind == "graduated" and layer.style.field == "asistencia_escolar"
    assert layer.style.ramp == "RdYlGn"  # a good: low values red
    assert [i.column for i in window.project.indicators] == ["pobreza", "asistencia_escolar"]
    assert window.project.indicators[0].weight == 2.0
    assert window.project.indicators[0].title == "Índice de pobreza"
    assert window.project.indicators[1].title == "asistencia_escolar"  # no label typed
    # Drawn just above the regions it joins, not over every point layer; one undo step.
    layers = window.project.layers
    assert layers.index(layer) == layers.index(layers["regions"]) + 1
    assert window.project.indicators[1].higher_is_worse is False
    frame = compute_indicators(window.project, "regions")
    by_code = frame.set_index("code")
    assert by_code.loc["CO002", "pobreza"] == pytest.approx(0.40)
    assert by_code["asistencia_escolar"].isna().sum() == 1  # CO004: no row, left empty
    # Renamed in the layer panel, the indicators follow it; undoing the rename too.
    model = window.layers_panel.model
    old_name = layer.name
    assert model.setData(model.index_of(layer), "Municipios con pobreza")
    assert {i.layer for i in window.project.indicators} == {"Municipios con pobreza"}
    notes: list[str] = []
    frame = compute_indicators(window.project, "regions", notes=notes)
    assert frame.set_index("code").loc["CO002", "pobreza"] == pytest.approx(0.40)
    assert not any("Indicator " in n for n in notes), notes
    window.undo_stack.undo()
    assert layer.name == old_name and {i.layer for i in window.project.indicators} == {old_name}
    window.undo_stack.undo()  # the join itself: its indicators go with the layer
    assert layer not in window.project.layers
    assert window.project.indicators == []
    window.undo_stack.redo()
    assert [i.column for i in window.project.indicators] == ["pobreza", "asistencia_escolar"]


def test_a_table_matching_nothing_says_so_and_adds_nothing(qtbot, small_window, tmp_path):
    path = tmp_path / "otra.csv"
    path.write_text("codigo,valor\n76001,1\n76002,2\n", encoding="utf-8")
    dialog = _open(qtbot, small_window)
    dialog.set_table(path)
    _check(qtbot, dialog)
    assert dialog.result is None
    assert "76001" in dialog.status.text() and "CO001" in dialog.status.text()
    assert not dialog.add_button.isEnabled()
    dialog.close()
