"""View ▸ Basemap: add an MBTiles source through the file dialog, pick None and back, and a
bad file said in one line in Messages with the window up."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QFileDialog

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
from test_basemap import ATTRIBUTION, colour, write_mbtiles  # noqa: E402


def _menu_actions(window) -> dict[str, object]:
    window.basemap_menu.menu.aboutToShow.emit()  # filled as the user opens it
    return {a.text(): a for a in window.basemap_menu.menu.actions() if a.text()}


def test_add_pick_and_hide_a_basemap(small_window, qtbot, monkeypatch, tmp_path):
    window = small_window
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
    # The map shows the tiles where no data layer covers them: the project lies in the
    # zoom-3 tile (2, 3) (lon -74..-73.6, lat 2..2.1).
    canvas = window.canvas
    qtbot.waitUntil(lambda: _tile_pixels(canvas) > 500, timeout=15000)
    actions["None"].trigger()
    assert not layers[0].visible
    qtbot.waitUntil(lambda: _tile_pixels(canvas) == 0, timeout=15000)
    _menu_actions(window)["Relief"].trigger()
    assert layers[0].visible
    qtbot.waitUntil(lambda: _tile_pixels(canvas) > 500, timeout=15000)


def _tile_pixels(canvas) -> int:
    """Pixels of the canvas's last image in the colour of the tile under the project."""
    import numpy as np

    if canvas.is_rendering or canvas._image_extent != canvas.extent:
        return -1
    image = canvas._image.convertToFormat(canvas._image.Format.Format_RGB888)
    width, height = image.width(), image.height()
    rgb = np.frombuffer(image.constBits(), np.uint8, image.bytesPerLine() * height)
    rgb = rgb.reshape(height, image.bytesPerLine())[:, : width * 3].reshape(height, width, 3)
    return int((np.abs(rgb.astype(int) - colour(3, 2, 3)).sum(axis=2) <= 9).sum())


def test_a_bad_basemap_is_one_line_in_messages(small_window, monkeypatch, tmp_path):
    window = small_window
    junk = tmp_path / "junk.mbtiles"
    junk.write_bytes(b"nope" * 200)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(junk), ""))
    before = len(window.project.layers)
    _menu_actions(window)["Add basemap source…"].trigger()
    assert len(window.project.layers) == before
    assert any("junk.mbtiles: is not a readable MBTiles" in t for t in window.messages.texts())
