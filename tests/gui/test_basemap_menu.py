"""View ▸ Basemap: add an MBTiles source through the file dialog, pick None and back, and a
bad file said in one line in Messages with the window up."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QFileDialog

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
from test_basemap import ATTRIBUTION, write_mbtiles  # noqa: E402


def _menu_actions(window) -> dict[str, object]:
    window.basemap_menu.menu.aboutToShow.emit()  # filled as the user opens it
    return {a.text(): a for a in window.basemap_menu.menu.actions() if a.text()}


def test_add_pick_and_hide_a_basemap(make_window, small_project, qtbot, monkeypatch, tmp_path):
    window = make_window()
    window.open_project(small_project)
    tiles = write_mbtiles(tmp_path / "relief.mbtiles")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(tiles), ""))
    actions = _menu_actions(window)
    assert list(actions) == ["None", "Add basemap source…", "Add basemap tile folder…"]
    assert actions["None"].isChecked()
    actions["Add basemap source…"].trigger()
    layers = window.project.layers
    assert layers[0].name == "Relief" and layers[0].visible
    assert any(ATTRIBUTION in t for t in window.messages.texts())
    actions = _menu_actions(window)
    assert actions["Relief"].isChecked() and not actions["None"].isChecked()
    actions["None"].trigger()
    assert not layers[0].visible
    _menu_actions(window)["Relief"].trigger()
    assert layers[0].visible


def test_a_bad_basemap_is_one_line_in_messages(make_window, small_project, monkeypatch, tmp_path):
    window = make_window()
    window.open_project(small_project)
    junk = tmp_path / "junk.mbtiles"
    junk.write_bytes(b"nope" * 200)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(junk), ""))
    before = len(window.project.layers)
    _menu_actions(window)["Add basemap source…"].trigger()
    assert len(window.project.layers) == before
    assert any("junk.mbtiles: is not a readable MBTiles" in t for t in window.messages.texts())
