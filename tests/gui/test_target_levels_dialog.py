"""The target-level editor of an enforcement layer: distinct values with their level, counts and
persons, unclassified ones highlighted and listed; choices stored as the layer's overrides,
undone and redone with the layer panel's undo stack, kept in the saved project."""

from __future__ import annotations

import geopandas as gpd
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QDialogButtonBox
from shapely.geometry import Point

from desktop.layers_dock import LayersPanel
from desktop.target_levels_dialog import (
    COL_HOW,
    COL_PERSONS,
    COL_RECORDS,
    UNCLASSIFIED_BRUSH,
    TargetLevelsDialog,
)
from layers.enforcement_levels import TargetLevel
from layers.layer import Layer, LayerList
from layers.project import Project
from layers.readers import read_layers
from layers.roles import FieldMapping, Role


def _layer() -> Layer:
    delito = ["Porte de estupefacientes", "Porte de estupefacientes", "Port. estupef.",
              "Concierto para delinquir", "Hurto calificado", None]  # fmt: skip
    data = gpd.GeoDataFrame(
        {"delito": delito, "capturas": [1, 2, 1, 12, 1, 1], "tipo_accion": ["CAPTURA"] * 6},
        geometry=[Point(-76 + i * 0.01, 1) for i in range(6)],
        crs="EPSG:4326",
    )
    mapping = FieldMapping(fields={"offence": "delito", "persons": "capturas"})
    return Layer(data, "Capturas", role=Role.ENFORCEMENT, mapping=mapping)


def test_values_counts_and_unclassified_are_shown(qtbot):
    layer = _layer()
    dialog = TargetLevelsDialog(layer, QUndoStack().push)
    qtbot.addWidget(dialog)
    assert dialog.column.currentText() == "delito"
    row = dialog.row_of("Porte de estupefacientes")
    assert dialog.table.item(row, COL_RECORDS).text() == "2"
    assert dialog.table.item(row, COL_PERSONS).text() == "3"
    assert dialog.chosen(row) == TargetLevel.PERSONAL_USE
    assert dialog.chosen(dialog.row_of("Concierto para delinquir")) == TargetLevel.ORGANISED_CRIME
    # The abbreviation, the theft and the empty value are unclassified, listed and tinted.
    unclassified = {dialog.table.item(i, 0).data(256) for i in dialog.unclassified_rows()}
    assert unclassified == {"Port. estupef.", "Hurto calificado", ""}
    abbreviation = dialog.row_of("Port. estupef.")
    assert dialog.table.item(abbreviation, 0).background() == UNCLASSIFIED_BRUSH
    assert dialog.table.item(row, 0).background() != UNCLASSIFIED_BRUSH
    assert "3 values (3 of 6 records) are unclassified" in dialog.summary.text()
    assert not dialog.combo(dialog.row_of("")).isEnabled()
    dialog.only_unclassified.setChecked(True)
    assert dialog.table.isRowHidden(row) and not dialog.table.isRowHidden(abbreviation)


def test_a_choice_is_an_override_undone_and_redone(qtbot):
    layer = _layer()
    stack = QUndoStack()
    dialog = TargetLevelsDialog(layer, stack.push)
    qtbot.addWidget(dialog)
    row = dialog.row_of("Port. estupef.")
    combo = dialog.combo(row)
    combo.setCurrentIndex(combo.findData(TargetLevel.PERSONAL_USE.value))
    assert dialog.table.item(row, COL_HOW).text() == "Your reading"
    assert dialog.table.item(row, 0).background() != UNCLASSIFIED_BRUSH
    assert "2 values (2 of 6 records)" in dialog.summary.text()
    dialog.buttons.button(QDialogButtonBox.StandardButton.Apply).click()
    assert layer.mapping.values_for("target_level") == {"Port. estupef.": "personal_use"}
    assert layer.mapping.fields == {"offence": "delito", "persons": "capturas"}
    assert stack.count() == 1 and stack.undoText() == "Target levels of Capturas"
    stack.undo()
    assert layer.mapping.values_for("target_level") == {}
    stack.redo()
    assert layer.mapping.values_for("target_level") == {"Port. estupef.": "personal_use"}
    # A fresh editor shows the reading; "use the vocabulary" and OK take it back.
    again = TargetLevelsDialog(layer, stack.push)
    qtbot.addWidget(again)
    assert again.chosen(again.row_of("Port. estupef.")) == TargetLevel.PERSONAL_USE
    again.use_vocabulary()
    again.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert layer.mapping.values_for("target_level") == {} and stack.count() == 2


def test_overrides_are_saved_with_the_project_and_old_projects_open(qtbot, tmp_path):
    path = tmp_path / "capturas.geojson"
    _layer().data.to_file(path)
    project = Project()
    read = read_layers(path)[0]
    read.role = Role.ENFORCEMENT
    read.mapping = FieldMapping(fields={"offence": "delito"}).with_values(
        "target_level", {"Port. estupef.": "personal_use"}
    )
    project.add(read)
    saved = project.save(tmp_path / "p.hatlas.json")
    reopened = Project.load(saved).layers[0]
    assert reopened.role == Role.ENFORCEMENT
    assert reopened.mapping.values_for("target_level") == {"Port. estupef.": "personal_use"}
    text = saved.read_text(encoding="utf-8").replace('"value_maps"', '"unused"')
    saved.write_text(text, encoding="utf-8")  # as a project saved before overrides existed
    assert Project.load(saved).layers[0].mapping.values_for("target_level") == {}


def test_the_layer_panel_offers_the_editor_for_enforcement_layers(qtbot):
    layer = _layer()
    stack = QUndoStack()
    panel = LayersPanel(LayerList([layer]), stack.push)
    qtbot.addWidget(panel)
    dialog = panel.edit_target_levels(layer)
    assert dialog.isVisible()
    row = dialog.row_of("Hurto calificado")
    dialog.combo(row).setCurrentIndex(dialog.combo(row).findData("small_supply"))
    dialog.accept()
    assert layer.mapping.values_for("target_level") == {"Hurto calificado": "small_supply"}
    stack.undo()
    assert layer.mapping.values_for("target_level") == {}


def test_seizure_records_are_left_out_and_said_so(qtbot):
    layer = _layer()
    data = layer.data.copy()
    data.loc[5, "tipo_accion"] = "INCAUTACIÓN"  # the row with no offence: a seizure
    layer.data = data
    layer.mapping = FieldMapping(
        fields={"offence": "delito", "persons": "capturas", "action_type": "tipo_accion"}
    )
    dialog = TargetLevelsDialog(layer, QUndoStack().push)
    qtbot.addWidget(dialog)
    assert dialog.row_of("") == -1 and dialog.tally.total_persons == 1 + 2 + 1 + 12 + 1
    assert "2 values (2 of 5 records) are unclassified" in dialog.summary.text()
    assert "1 seizure record is left out" in dialog.summary.text()
