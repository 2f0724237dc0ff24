"""The desktop in Spanish, polished (issue 16): Qt's own buttons and number format, the
toolbox's zonal group, the analysis dialog's labels and options, the field mapping's meanings,
colour names, the scale and other numbers and dates, and dock tabs that can be read."""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point, box

from layers.i18n import set_language


def _texts(widget) -> list[str]:
    """Every label, button and option text the user sees in `widget`."""
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel

    out = [w.text() for w in widget.findChildren(QLabel) + widget.findChildren(QAbstractButton)]
    for combo in widget.findChildren(QComboBox):
        out += [combo.itemText(i) for i in range(combo.count())]
    return out


def test_qt_buttons_and_spin_boxes_follow_the_language(make_window, spanish, qtbot) -> None:
    from PySide6.QtCore import QLocale
    from PySide6.QtWidgets import QDialogButtonBox, QDoubleSpinBox

    from desktop.analysis_dialog import open_analysis

    window = make_window()
    assert QLocale().language() == QLocale.Language.Spanish
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    qtbot.addWidget(buttons)
    assert buttons.button(QDialogButtonBox.StandardButton.Ok).text() == "Aceptar"
    assert buttons.button(QDialogButtonBox.StandardButton.Cancel).text() == "Cancelar"

    open_analysis(window, "cultivation")
    dialog = window.analysis_dialogs[-1]
    spin = dialog.widgets["threshold_ha"].input
    assert isinstance(spin, QDoubleSpinBox) and spin.decimals() == 2
    spin.setValue(2.2)
    assert spin.text() == "2,20"
    # Typed the Spanish way, read as the number meant; the command line keeps Python's form.
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), "3,5")
    spin.interpretText()
    assert spin.value() == pytest.approx(3.5)
    assert "--threshold-ha 3.5" in dialog.command_view.toPlainText()

    # View ▸ Language ▸ English: open widgets follow, Qt's buttons included.
    window.actions["language_en"].trigger()
    assert buttons.button(QDialogButtonBox.StandardButton.Ok).text() == "OK"
    assert spin.text() == "3.50"
    dialog.close()


def test_toolbox_names_the_zonal_group(make_window, spanish) -> None:
    window = make_window()
    tree = window.toolbox.tree
    groups = [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]
    assert "Ráster" in groups and "Zonal" not in groups, groups
    window.actions["language_en"].trigger()
    groups = [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]
    assert "Raster" in groups and "Zonal" not in groups, groups


def test_analysis_dialog_labels_and_options_in_spanish(make_window, spanish) -> None:
    from desktop.analysis_dialog import open_analysis

    window = make_window()
    open_analysis(window, "access")
    dialog = window.analysis_dialogs[-1]
    texts = _texts(dialog)
    assert "Demanda (dónde vive la gente) *" in texts
    assert "Campo de población" in texts
    assert not {"Demand *", "Demand field", "Catchment m", "Method"} & set(texts)
    assert not {"nearest", "2sfca", "e2sfca"} & set(texts)  # no raw option value shown
    method = dialog.widgets["method"].input
    method.setCurrentIndex(method.findData("nearest"))
    assert method.currentText() == "Distancia al servicio más cercano"
    method.setCurrentIndex(method.findData("e2sfca"))
    assert method.currentText() == "E2SFCA (bandas de distancia)"
    assert dialog.widgets["method"].value() == "e2sfca"
    assert "--method e2sfca" in dialog.command_view.toPlainText()  # the raw value runs
    dialog.widgets["method"].set_value("2sfca")
    assert method.currentText() == "2SFCA" and method.currentData() == "2sfca"
    dialog.close()


def test_field_mapping_names_the_meanings(spanish, small_window) -> None:
    from desktop.layers_dock import FieldMappingDialog

    events = next(layer for layer in small_window.project.layers if layer.field("event_type"))
    dialog = FieldMappingDialog(events)
    meanings = [dialog.table.item(i, 0).text() for i in range(dialog.table.rowCount())]
    assert "Tipo de evento" in meanings and "Fecha" in meanings, meanings
    assert not {"event_type", "date", "year", "fatalities"} & set(meanings)
    close = dialog.findChild(__import__("PySide6.QtWidgets").QtWidgets.QDialogButtonBox)
    assert close.buttons()[0].text() == "Cerrar"  # Qt's own button, Spanish too


def test_colour_buttons_export_dpi_and_autosave_message(
    spanish, small_window, qtbot, caplog, monkeypatch
) -> None:
    from desktop.colour_button import ColourButton
    from desktop.export_dialog import ExportDialog

    white = ColourButton("white")
    qtbot.addWidget(white)
    assert white.text() == "blanco" and not white.icon().isNull()
    odd = ColourButton("#123456")
    qtbot.addWidget(odd)
    assert odd.text() == "#123456" and not odd.icon().isNull()
    assert ColourButton("none", allow_none=True).text() == "ninguno"

    dialog = ExportDialog(small_window.project, thread_pool=small_window.thread_pool)
    qtbot.addWidget(dialog)
    assert dialog.dpi.suffix() == " ppp"

    def fail(*_args):
        raise OSError("disco lleno")

    small_window._dirty = True
    monkeypatch.setattr(small_window._recovery, "write", fail)
    with caplog.at_level(logging.WARNING, logger="harm_atlas.desktop"):
        assert small_window.autosave_now() is None
    assert "disco lleno" in caplog.text and "Autosave failed" not in caplog.text


def test_scale_counts_and_operation_dates_the_spanish_way(spanish, small_window) -> None:
    from desktop.compare_sides import operation_label
    from desktop.style_dialog import StyleDialog
    from layers.layer import Layer
    from layers.roles import FieldMapping, Role

    window = small_window
    window.canvas.set_scale_denominator(960_000)
    assert window.scale_box.currentText() == "1:960.000"
    items = [window.scale_box.itemText(i) for i in range(window.scale_box.count())]
    assert "1:250.000" in items and "1:250,000" not in items
    window.scale_box.setEditText("1:50.000")  # typed the Spanish way, still a scale
    window.scale_box.lineEdit().returnPressed.emit()
    assert window.canvas.scale_denominator() == pytest.approx(50_000)
    window.actions["language_en"].trigger()
    assert window.scale_box.currentText() == "1:50,000"
    window.actions["language_es"].trigger()

    rng = np.random.default_rng(3)
    points = gpd.GeoDataFrame(
        {"kind": ["a"] * 12_000 + ["b"] * 3},
        geometry=[Point(x, y) for x, y in rng.uniform(0, 1, (12_003, 2))],
        crs=4326,
    )
    dialog = StyleDialog(Layer(points, "Puntos"), window)
    dialog.kind.setCurrentIndex(dialog.kind.findData("categorized"))
    dialog.field.setCurrentIndex(dialog.field.findData("kind"))
    counts = {dialog.classes_table.item(i, 1).text() for i in range(2)}
    assert counts == {"12.000", "3"}, counts
    dialog.close()

    operations = Layer(
        gpd.GeoDataFrame(
            {"fecha": ["2014-12-29"], "ha": [174.2]}, geometry=[box(0, 0, 1, 1)], crs=4326
        ),
        "Erradicación",
        role=Role.ERADICATION,
        mapping=FieldMapping({"date": "fecha", "hectares": "ha"}),
    )
    # Hectares the Spanish way; the date stays ISO as in every list and table (a year-only
    # operation is dated 1 July, which a prose date would present as the real day).
    assert operation_label(operations, 0) == "2014-12-29, 174,2 ha (#0)"


@pytest.mark.parametrize("size", [(1440, 900), (1280, 800)])
@pytest.mark.parametrize("language", ["es", "en"])
def test_dock_tabs_show_whole_titles(make_window, spanish, size, language) -> None:
    from PySide6.QtWidgets import QTabBar

    set_language(language)
    window = make_window()
    window.resize(*size)
    window._size_docks()
    bars = [bar for bar in window.findChildren(QTabBar) if bar.isVisible() and bar.count() > 1]
    assert bars, "the right-hand docks are tabbed"
    for bar in bars:
        metrics = bar.fontMetrics()
        vertical = bar.shape() in (
            QTabBar.Shape.RoundedEast,
            QTabBar.Shape.RoundedWest,
            QTabBar.Shape.TriangularEast,
            QTabBar.Shape.TriangularWest,
        )
        for i in range(bar.count()):
            rect = bar.tabRect(i)
            room = rect.height() if vertical else rect.width()
            text = bar.tabText(i)
            assert room >= metrics.horizontalAdvance(text), (language, size, text, room)
