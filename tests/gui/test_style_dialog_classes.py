"""The style dialog as an analyst uses it: graduated by population at once, categorized by the
role's category field, one class edited by double-clicking it (undoable, saved with the
project, drawn on the map and in the legend)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from matplotlib.figure import Figure
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from shapely.geometry import Point

from layers.layer import Layer
from layers.roles import FieldMapping, Role
from layers.style import Style, default_style

pytestmark = pytest.mark.gui


def _points(columns: dict, role: Role, mapping: dict | None = None, n: int = 60) -> Layer:
    rng = np.random.default_rng(3)
    gdf = gpd.GeoDataFrame(
        columns,
        geometry=[Point(x, y) for x, y in rng.uniform([-75.5, 1.0], [-75.0, 1.5], (n, 2))],
        crs="EPSG:4326",
    )
    return Layer(gdf, "points", role=role, mapping=FieldMapping(mapping or {}))


def _settlements() -> Layer:
    n = 40
    return _points(
        {"name": [f"Place {i}" for i in range(n)], "population": np.arange(n) * 100 + 50},
        Role.SETTLEMENTS,
        {"name": "name", "population": "population"},
        n,
    )


def _events(n: int = 300) -> Layer:
    rng = np.random.default_rng(5)
    return _points(
        {
            "event_id_cnty": [f"XAA{i}" for i in range(n)],
            "event_type": rng.choice(["Battles", "Riots", "Protests"], n),
            "fatalities": rng.integers(0, 4, n),
        },
        Role.VIOLENCE,
        {"event_type": "event_type", "fatalities": "fatalities"},
        n,
    )


def _choose(combo, data) -> None:
    """Pick an entry as a user does (the box emits activated and currentIndexChanged)."""
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def _dialog(qtbot, layer: Layer):
    from desktop.style_dialog import StyleDialog

    dialog = StyleDialog(layer)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _rows(dialog) -> list[str]:
    table = dialog.classes_table
    return [table.item(r, 0).text() for r in range(table.rowCount())]


def test_graduated_classifies_population_at_once(qtbot) -> None:
    """Issue #14.5: switching to Graduated said 'no numbers' for population until another
    field was chosen and population again."""
    dialog = _dialog(qtbot, _settlements())
    _choose(dialog.kind, "graduated")
    assert dialog.field.currentData() == "population"
    assert dialog.message.text() == ""
    assert dialog.classes_table.rowCount() == 5
    counts = [int(dialog.classes_table.item(r, 1).text()) for r in range(5)]
    assert sum(counts) == 40


def test_categorized_starts_from_the_roles_category_field(qtbot) -> None:
    """Issue #14.6: Categorized started from the ID field (one class per event)."""
    events = _events()
    dialog = _dialog(qtbot, events)
    _choose(dialog.kind, "categorized")
    assert dialog.field.currentData() == "event_type"
    assert sorted(_rows(dialog)) == ["Battles", "Protests", "Riots"]

    eradication = _points(
        {"id": list(range(30)), "method": ["manual", "aerial"] * 15, "hectares": [1.5] * 30},
        Role.ERADICATION,
        {"method": "method", "hectares": "hectares"},
        30,
    )
    dialog = _dialog(qtbot, eradication)
    _choose(dialog.kind, "categorized")
    assert dialog.field.currentData() == "method"

    health = _points(
        {"osm_id": list(range(20)), "amenity": ["clinic", "hospital"] * 10},
        Role.HEALTH_SERVICES,
        {"facility_type": "amenity"},
        20,
    )
    dialog = _dialog(qtbot, health)
    _choose(dialog.kind, "categorized")
    assert dialog.field.currentData() == "amenity"

    # No role field: the one with the fewest distinct values from 2 to 12.
    other = _points(
        {
            "fid": list(range(40)),
            "zone": ["a", "b", "c", "d"] * 10,
            "flag": ["yes", "no"] * 20,
            "const": ["x"] * 40,
        },
        Role.OTHER,
        n=40,
    )
    dialog = _dialog(qtbot, other)
    _choose(dialog.kind, "categorized")
    assert dialog.field.currentData() == "flag"

    # A field the analyst picks stays picked across a kind switch.
    _choose(dialog.field, "zone")
    _choose(dialog.kind, "single")
    _choose(dialog.kind, "categorized")
    assert dialog.field.currentData() == "zone"


def _double_click_class(qtbot, dialog, row: int) -> None:
    table = dialog.classes_table
    table.scrollToItem(table.item(row, 0))
    rect = table.visualItemRect(table.item(row, 0))
    # A press first, as a real double-click has (the view opens what it pressed).
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _answer_class_editor(monkeypatch, colour: str, label: str, marker: str | None) -> list:
    from desktop.class_editor import ClassEditor

    seen = []

    def exec_(editor) -> int:
        seen.append((editor.colour, editor.label, editor.marker))
        editor.colour_button.set_colour(colour)
        editor.label_edit.setText(label)
        if marker is not None:
            editor.marker_box.setCurrentIndex(editor.marker_box.findData(marker))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ClassEditor, "exec", exec_)
    return seen


def test_one_class_edited_by_double_click_draws_undoes_and_saves(
    qtbot, monkeypatch, small_project, tmp_path
) -> None:
    """Issue #14.7: a single class's colour, symbol and label can be edited."""
    from PySide6.QtGui import QUndoStack

    from cartography.render import MapRenderer, MapView
    from desktop.style_dialog import StyleDialog
    from desktop.undo import SetLayerAttribute
    from layers.project import Project

    project = Project.load(small_project)
    events = next(ly for ly in project.layers if ly.geometry_kind == "point")
    dialog = _dialog(qtbot, events)
    _choose(dialog.kind, "categorized")
    assert dialog.field.currentData() == "event_type"
    before = dialog.style().categories
    row = _rows(dialog).index("Riots")
    seen = _answer_class_editor(monkeypatch, "#123456", "Riots and unrest", "^")
    _double_click_class(qtbot, dialog, row)
    assert seen and seen[0][0] == before["Riots"] and seen[0][1] == "Riots"
    assert _rows(dialog)[row] == "Riots and unrest"
    style = dialog.style()
    assert style.categories["Riots"] == "#123456"
    others = {k: v for k, v in before.items() if k != "Riots"}
    assert {k: style.categories[k] for k in others} == others  # the others keep their colours
    assert style.class_labels == {"Riots": "Riots and unrest"}
    assert style.class_markers == {"Riots": "^"}

    # Applied as the main window applies a dialog's style: one command on the undo stack.
    stack = QUndoStack()
    old = events.style
    stack.push(SetLayerAttribute(events, "style", style))
    assert events.style.class_labels == {"Riots": "Riots and unrest"}

    # The map and its legend draw the edit (the same code draws every export).
    fig = Figure(figsize=(6, 4), dpi=80)
    ax = fig.add_axes((0, 0, 1, 1))
    crs = project.metric_crs
    extent = tuple(events.to_metric(crs).total_bounds)
    entries = MapRenderer().render(ax, [events], MapView(crs, extent), labels=False)
    riots = next(c for c in entries[0].children if c.label == "Riots and unrest")
    assert (riots.color, riots.marker) == ("#123456", "^")
    markers = {line.get_marker() for line in ax.lines}
    assert "^" in markers and events.style.marker in markers

    # One undo step takes the whole style edit back; redo brings it again.
    stack.undo()
    assert events.style == old
    stack.redo()
    assert events.style.class_markers == {"Riots": "^"}

    # Saved with the project and reopened the same; the dialog shows the edit again.
    path = project.save(tmp_path / "edited.hatlas.json")
    again = next(ly for ly in Project.load(path).layers if ly.name == events.name)
    assert again.style.class_labels == {"Riots": "Riots and unrest"}
    assert again.style.class_markers == {"Riots": "^"}
    assert again.style.categories["Riots"] == "#123456"
    reopened = StyleDialog(again)
    qtbot.addWidget(reopened)
    assert "Riots and unrest" in _rows(reopened)
    assert reopened.style().class_labels == again.style.class_labels


def test_graduated_class_colour_and_label_edit(qtbot, monkeypatch) -> None:
    from cartography.render import MapRenderer, MapView

    layer = _settlements()
    dialog = _dialog(qtbot, layer)
    _choose(dialog.kind, "graduated")
    first = _rows(dialog)[0]
    _answer_class_editor(monkeypatch, "#00ff00", "Hamlets", None)
    _double_click_class(qtbot, dialog, 0)
    style = dialog.style()
    assert style.class_colours == {"0": "#00ff00"}
    assert style.class_labels == {"0": "Hamlets"}
    assert _rows(dialog)[0] == "Hamlets" and first != "Hamlets"
    # Another number of classes: the old class 0 is another class, its edits go.
    dialog.classes.setValue(4)
    assert dialog.style().class_colours == {} and _rows(dialog)[0] != "Hamlets"

    layer.style = style
    fig = Figure(figsize=(6, 4), dpi=80)
    ax = fig.add_axes((0, 0, 1, 1))
    crs = layer.crs
    entries = MapRenderer().render(
        ax, [layer], MapView(crs, tuple(layer.data.total_bounds)), labels=False
    )
    child = entries[0].children[0]
    assert (child.label, child.color) == ("Hamlets", "#00ff00")


def test_style_dialog_reads_well(qtbot, tmp_path) -> None:
    """The dialog laid out with every section (grabbed for a look: docs/img is not touched)."""
    layer = _events()
    layer.style = Style.from_dict({**default_style(Role.VIOLENCE).to_dict(), "label_field": None})
    dialog = _dialog(qtbot, layer)
    _choose(dialog.kind, "categorized")
    image = dialog.grab()
    assert image.width() > 300 and image.height() > 500
    assert image.save(str(tmp_path / "style_dialog.png"))


def test_label_placement_colour_halo_and_scales_are_set_and_kept(qtbot, monkeypatch) -> None:
    """Issue #14.7: labels offered only a field and a size."""
    from PySide6.QtGui import QColor
    from PySide6.QtWidgets import QColorDialog

    from desktop.style_dialog import StyleDialog

    layer = _settlements()
    dialog = _dialog(qtbot, layer)
    dialog.tabs.setCurrentWidget(dialog.labels_tab)
    _choose(dialog.label_field, "name")
    _choose(dialog.label_placement, "above")
    monkeypatch.setattr(QColorDialog, "getColor", lambda *a, **k: QColor("#aa0000"))
    qtbot.mouseClick(dialog.label_colour, Qt.MouseButton.LeftButton)
    monkeypatch.setattr(QColorDialog, "getColor", lambda *a, **k: QColor("#ffffcc"))
    qtbot.mouseClick(dialog.halo_colour, Qt.MouseButton.LeftButton)
    dialog.halo_width.setValue(1.5)
    dialog.label_scales.setChecked(True)
    dialog.label_scales.minimum.setValue(500_000)
    dialog.label_scales.maximum.setValue(1_000)
    style = dialog.style()
    assert (style.label_placement, style.label_colour, style.label_halo) == (
        "above",
        "#aa0000",
        "#ffffcc",
    )
    assert style.label_halo_width == 1.5
    assert (style.label_min_scale, style.label_max_scale) == (500_000, 1_000)

    # A minimum (zoomed out) under the maximum would never show: said, and OK refused.
    dialog.label_scales.minimum.setValue(500)
    assert not dialog.ok_button.isEnabled() and not dialog.apply_button.isEnabled()
    assert "never shows" in dialog.scale_message.text()
    dialog.label_scales.minimum.setValue(500_000)
    assert dialog.ok_button.isEnabled() and dialog.scale_message.isHidden()

    # No halo: width 0.
    dialog.halo_width.setValue(0)
    assert dialog.style().label_halo == "none"
    dialog.halo_width.setValue(1.5)

    # Saved and reopened: the dialog shows what was set.
    again = Style.from_dict(dialog.style().to_dict())
    reopened = StyleDialog(Layer(layer.data, "again", role=Role.SETTLEMENTS, style=again))
    qtbot.addWidget(reopened)
    assert reopened.label_placement.currentData() == "above"
    assert reopened.label_colour.colour == "#aa0000" and reopened.halo_colour.colour == "#ffffcc"
    assert reopened.halo_width.value() == 1.5
    assert reopened.style() == again
