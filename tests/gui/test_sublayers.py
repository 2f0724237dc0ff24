"""A GeoPackage with several layers asks which to add, as QGIS's sublayer chooser does
(issue 14: 14): each layer with its geometry type and feature count, all ticked."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from shapely.geometry import LineString, Point, box

from desktop.sublayer_dialog import SublayerDialog

pytestmark = pytest.mark.gui


@pytest.fixture
def three_layers(tmp_path: Path) -> Path:
    path = tmp_path / "campo.gpkg"
    crs = "EPSG:4326"
    points = gpd.GeoDataFrame(
        {"n": range(7)}, geometry=[Point(-75 + i / 100, 1) for i in range(7)], crs=crs
    )
    areas = gpd.GeoDataFrame(
        {"n": [1, 2]}, geometry=[box(-75, 1, -74.9, 1.1), box(-74.9, 1, -74.8, 1.1)], crs=crs
    )
    lines = gpd.GeoDataFrame({"n": [1]}, geometry=[LineString([(-75, 1), (-74.8, 1.1)])], crs=crs)
    for name, frame in (("puntos", points), ("zonas", areas), ("vias", lines)):
        frame.to_file(path, layer=name, driver="GPKG", engine="pyogrio")
    return path


def _added(qtbot, window, worker) -> list[str]:
    """The names the worker's file adds to the project, once it has finished."""
    before = len(window.project.layers)
    qtbot.waitUntil(lambda: worker.done and not window.tasks.active, timeout=60000)
    return window.project.layers.names()[before:]


def test_the_chooser_lists_layers_with_type_and_count_and_adds_only_the_ticked(
    small_window, three_layers, monkeypatch, qtbot
):
    window = small_window
    shown: list[SublayerDialog] = []

    def untick_the_lines(dialog: SublayerDialog) -> QDialog.DialogCode:
        shown.append(dialog)
        rows = {dialog.tree.topLevelItem(i).text(0): dialog.tree.topLevelItem(i) for i in range(3)}
        kinds = [rows[n].text(1) for n in ("puntos", "zonas", "vias")]
        assert kinds == ["Point", "Polygon", "LineString"]
        assert [rows[n].text(2) for n in ("puntos", "zonas", "vias")] == ["7", "2", "1"]
        assert all(r.checkState(0) == Qt.CheckState.Checked for r in rows.values())
        rows["vias"].setCheckState(0, Qt.CheckState.Unchecked)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(SublayerDialog, "exec", untick_the_lines)
    added = _added(qtbot, window, window.add_layers_from([three_layers]))
    assert len(shown) == 1
    assert sorted(added) == ["puntos", "zonas"], added
    sources = {layer.name: layer.source.sublayer for layer in window.project.layers}
    assert [sources[name] for name in added] == added


def test_cancel_adds_nothing_and_none_ticked_cannot_be_confirmed(
    small_window, three_layers, monkeypatch, qtbot
):
    window = small_window
    before = window.project.layers.names()
    monkeypatch.setattr(SublayerDialog, "exec", lambda dialog: QDialog.DialogCode.Rejected)
    assert window.add_layers_from([three_layers]) is None
    assert window.project.layers.names() == before

    from desktop.sublayer_dialog import sublayers

    dialog = SublayerDialog(three_layers, sublayers(three_layers))
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert ok.isEnabled()
    dialog._tick_all(Qt.CheckState.Unchecked)
    assert not ok.isEnabled() and dialog.chosen() == []


def test_a_single_layer_file_is_added_without_asking(small_window, monkeypatch, qtbot, tmp_path):
    one = tmp_path / "solo.gpkg"
    gpd.GeoDataFrame({"n": [1]}, geometry=[Point(-75, 1)], crs="EPSG:4326").to_file(
        one, layer="solo", driver="GPKG", engine="pyogrio"
    )
    monkeypatch.setattr(SublayerDialog, "exec", lambda d: pytest.fail("asked for one layer"))
    assert _added(qtbot, small_window, small_window.add_layers_from([one])) == ["solo"]
