"""Raster layers in the main window, driven as an analyst does: Add Raster Layer… (and a tile
folder), undo/redo of the add, identify of a pixel's value and class, the raster style
dialog (what the canvas draws, undo, save and reopen), the panel's metadata, and Build
overviews from the layer panel when a view cannot be served."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
from affine import Affine
from pyproj import Transformer
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from layers.layer import is_raster

pytestmark = pytest.mark.gui
UTM = Affine(30.0, 0.0, 500_000.0, 0.0, -30.0, 200_000.0)


def write_tif(path: Path, data: np.ndarray, transform=UTM, crs="EPSG:32618", **kw) -> Path:
    with rasterio.open(
        path, "w", driver="GTiff", width=data.shape[1], height=data.shape[0], count=1,
        dtype=data.dtype, crs=crs, transform=transform, **kw,
    ) as dst:  # fmt: skip
        dst.write(data, 1)
    return path


@pytest.fixture
def loss_tif(tmp_path) -> Path:
    """A Hansen-like loss-year raster in lon/lat: loss in 2019 (19) on the west half."""
    data = np.zeros((80, 80), np.uint8)
    data[:, :40] = 19
    lonlat = Affine(0.00025, 0.0, -74.0, 0.0, -0.00025, 2.1)
    return write_tif(tmp_path / "Hansen_GFC_lossyear_test.tif", data, lonlat, "EPSG:4326")


@pytest.fixture
def cover_tif(tmp_path) -> Path:
    """Two land-cover codes: 1 in the west half, 2 in the east (UTM 18N, 30 m)."""
    data = np.ones((100, 100), np.uint8)
    data[:, 50:] = 2
    return write_tif(tmp_path / "cover.tif", data)


def add_by_action(window, qtbot, monkeypatch, paths) -> None:
    from PySide6.QtWidgets import QFileDialog

    asked = {}

    def answer(parent, title, folder, filters, *args, **kwargs):
        asked["filter"] = filters
        return [str(p) for p in paths], ""

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", answer)
    window.actions["add_raster"].trigger()
    qtbot.waitUntil(lambda: not window.tasks.active, timeout=20000)
    assert "*.tif" in asked["filter"] and "*.vrt" in asked["filter"] and "*.asc" in asked["filter"]


def colour_at(canvas, x: float, y: float) -> tuple[int, int, int]:
    point = canvas.to_pixel(x, y)
    c = canvas._image.pixelColor(int(point.x()), int(point.y()))
    return c.red(), c.green(), c.blue()


def test_add_raster_by_its_action_is_one_undo_step(make_window, qtbot, monkeypatch, cover_tif):
    window = make_window()
    action = window.actions["add_raster"]
    assert QKeySequence("Ctrl+Shift+R") in action.shortcuts()  # as in QGIS
    assert action in window.menus["layer"].actions()
    add_by_action(window, qtbot, monkeypatch, [cover_tif])
    layers = list(window.project.layers)
    assert [lay.name for lay in layers] == ["cover"] and is_raster(layers[0])
    assert any("cover" in t and "100 × 100" in t for t in window.messages.texts())
    window.undo_stack.undo()
    assert len(window.project.layers) == 0
    window.undo_stack.redo()
    assert list(window.project.layers) == layers
    window.canvas.redraw_now()
    assert colour_at(window.canvas, 500_300, 199_700) != (255, 255, 255)  # drawn


def test_add_raster_tile_folder(make_window, qtbot, monkeypatch, tmp_path):
    from PySide6.QtWidgets import QFileDialog

    folder = tmp_path / "tiles"
    folder.mkdir()
    for i in range(2):  # two 50x50 tiles side by side
        t = Affine(30.0, 0.0, 500_000.0 + i * 1500, 0.0, -30.0, 200_000.0)
        write_tif(folder / f"tile_{i}.tif", np.full((50, 50), i + 1, np.uint8), t)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    window = make_window()
    window.actions["add_raster_folder"].trigger()
    qtbot.waitUntil(lambda: not window.tasks.active, timeout=20000)
    (layer,) = list(window.project.layers)
    assert (layer.info.width, layer.info.height, layer.info.tiles) == (100, 50, 2)


def test_identify_shows_pixel_value_and_class_name(make_window, qtbot, monkeypatch, loss_tif):
    window = make_window()
    add_by_action(window, qtbot, monkeypatch, [loss_tif])
    (layer,) = list(window.project.layers)
    assert layer.style.kind == "loss_year"
    assert window.canvas.crs.to_epsg() != 4326  # the click is reprojected into the raster's CRS
    to_map = Transformer.from_crs(4326, window.canvas.crs, always_xy=True)
    window.canvas.redraw_now()
    window.actions["tool_identify"].trigger()
    x, y = to_map.transform(-73.995, 2.09)  # the west half: loss in 2019
    point = window.canvas.to_pixel(x, y).toPoint()
    qtbot.mouseClick(window.canvas, Qt.MouseButton.LeftButton, pos=point)
    assert window.identify_panel.values() == {
        layer.name: [{"value": 19.0, "class": "Loss in 2019"}]
    }
    shown = window.identify_panel.tree.topLevelItem(0)
    assert shown.text(0) == layer.name
    assert [(shown.child(i).text(0), shown.child(i).text(1)) for i in range(2)] == [
        ("Pixel value", "19"),
        ("Class", "Loss in 2019"),
    ]
    window.canvas.identify(*to_map.transform(-73.985, 2.09))  # the east half: no loss
    assert window.identify_panel.values()[layer.name] == [{"value": 0.0, "class": "No loss"}]
    window.canvas.identify(*to_map.transform(-73.5, 2.09))  # off the raster
    assert window.identify_panel.values() == {}


def test_style_dialog_draws_classes_undoes_and_survives_reopen(
    make_window, qtbot, monkeypatch, cover_tif, tmp_path, open_and_wait
):
    window = make_window()
    add_by_action(window, qtbot, monkeypatch, [cover_tif])
    (layer,) = list(window.project.layers)
    before = layer.style
    window.state.set_current_layer(layer)
    window.actions["layer_style"].trigger()
    dialog = window._raster_style_dialog
    dialog.kind.setCurrentIndex(dialog.kind.findData("classified"))
    dialog.classes_from_values()
    assert dialog.class_table.rowCount() == 2
    for row, (colour, label) in enumerate((("#ff0000", "forest"), ("#0000ff", "water"))):
        dialog.class_table.cellWidget(row, 1).set_colour(colour)
        dialog.class_table.item(row, 2).setText(label)
    dialog.opacity_slider.setValue(80)
    dialog.ok_button.click()
    assert layer.style.kind == "classified" and layer.opacity == pytest.approx(0.8)
    assert [c.label for c in layer.style.classes] == ["forest", "water"]
    window.canvas.redraw_now()
    red = colour_at(window.canvas, 500_300, 198_500)
    blue = colour_at(window.canvas, 502_700, 198_500)
    assert red[0] > 200 and red[2] < 80 and blue[2] > 200 and blue[0] < 80
    window.undo_stack.undo()  # style and opacity: one step
    assert layer.style == before and layer.opacity == 1.0
    window.undo_stack.redo()
    window.canvas.redraw_now()
    assert colour_at(window.canvas, 500_300, 198_500) == red
    assert window.save_project(tmp_path / "raster.hatlas.json")
    again = make_window()
    open_and_wait(again, tmp_path / "raster.hatlas.json")
    (reopened,) = list(again.project.layers)
    assert reopened.style == layer.style and reopened.opacity == pytest.approx(0.8)
    again.canvas.set_extent(window.canvas.extent)
    again.canvas.redraw_now()
    assert colour_at(again.canvas, 500_300, 198_500) == red


def test_style_dialog_refuses_a_class_value_that_is_not_a_number(
    make_window, qtbot, monkeypatch, cover_tif
):
    window = make_window()
    add_by_action(window, qtbot, monkeypatch, [cover_tif])
    (layer,) = list(window.project.layers)
    before = layer.style
    dialog = window.edit_raster_style(layer)
    dialog.kind.setCurrentIndex(dialog.kind.findData("classified"))
    dialog.add_class(1, "#ff0000", "forest")
    dialog.class_table.item(0, 0).setText("one")
    dialog.ok_button.click()
    assert dialog.isVisible() and "one" in dialog.problem.text()
    assert layer.style == before and window.undo_stack.count() == 1  # only the add


def test_panel_shows_metadata_and_builds_overviews(
    make_window, qtbot, monkeypatch, tmp_path, no_dialogs
):
    from PySide6.QtWidgets import QMenu

    big = write_tif(
        tmp_path / "elevation.tif", np.full((3000, 3000), 7, np.uint8),
        nodata=255, tiled=True, blockxsize=256, blockysize=256, compress="deflate",
    )  # fmt: skip
    # The view needs ~9 M pixels without overviews, ~0.6 M with 1:4: refused, then served.
    monkeypatch.setattr("layers.raster.MAX_VIEW_READ_PIXELS", 1_000_000)
    window = make_window()
    add_by_action(window, qtbot, monkeypatch, [big])
    (layer,) = list(window.project.layers)
    model = window.layers_panel.model
    tip = model.data(model.index_of(layer), Qt.ItemDataRole.ToolTipRole)
    for text in ("3,000 × 3,000 pixels", "30 × 30 m", "32618", "Nodata: 255", "uint8"):
        assert text in tip
    assert "Overviews: none" in tip
    props = window.layers_panel.show_properties(layer).values()
    assert props["Size"] == "3,000 × 3,000 pixels" and props["Overviews"] == "none"

    window.canvas.redraw_now()
    window.canvas.redraw_now()  # the same failure again: told once, not on every redraw
    told = [t for t in window.messages.texts() if "this view would read" in t]
    assert len(told) == 1, window.messages.texts()
    assert layer.id in model.problems

    chosen = {}

    class Menu(QMenu):  # the analyst picks Build overviews… in the layer's context menu
        def exec(self, *args):
            chosen["names"] = [a.text() for a in self.actions()]
            next(a for a in self.actions() if a.text() == "Build overviews…").trigger()

    monkeypatch.setattr("desktop.layers_dock.QMenu", Menu)
    view = window.layers_panel.view
    view.customContextMenuRequested.emit(view.visualRect(model.index_of(layer)).center())
    assert "Open attribute table" not in chosen["names"]  # a raster has no table
    assert window.progress.isVisible() or window.tasks.active or layer.info.overviews
    qtbot.waitUntil(lambda: not window.tasks.active, timeout=30000)
    assert layer.info.overviews == (2, 4, 8)
    window.canvas.redraw_now()
    assert layer.id not in window.canvas.renderer.map_renderer.raster_errors
    assert layer.id not in model.problems
    x0, _y0, _x1, y1 = layer.info.bounds
    assert colour_at(window.canvas, x0 + 45_000, y1 - 45_000) != (255, 255, 255)


def test_build_overviews_can_be_canceled(make_window, qtbot, monkeypatch, tmp_path):
    from layers.feedback import Feedback

    big = write_tif(tmp_path / "dem.tif", np.zeros((3000, 3000), np.uint8), tiled=True)
    window = make_window()
    add_by_action(window, qtbot, monkeypatch, [big])
    (layer,) = list(window.project.layers)
    real_check = Feedback.check
    calls = []

    def slow_check(self):
        calls.append(1)
        if len(calls) == 2:
            self.cancel()  # what the Cancel button does (worker.cancel), after the first level
        return real_check(self)

    monkeypatch.setattr(Feedback, "check", slow_check)
    worker = window.build_overviews(layer)
    qtbot.waitUntil(lambda: not window.tasks.active, timeout=30000)
    assert worker.done and not worker.ok
    qtbot.waitUntil(lambda: any("canceled" in t for t in window.messages.texts()))
    assert layer.info.overviews == ()  # the layer is unchanged until a build finishes


def test_style_dialog_pages_give_their_styles(qtbot, tmp_path):
    """Each page's controls land in the RasterStyle it returns (as saved in projects)."""
    from desktop.raster_style_dialog import RasterStyleDialog
    from layers.raster import open_raster

    rgb = tmp_path / "image.tif"
    with rasterio.open(
        rgb, "w", driver="GTiff", width=20, height=20, count=3, dtype="uint8",
        crs="EPSG:32618", transform=UTM,
    ) as dst:  # fmt: skip
        dst.write(np.zeros((3, 20, 20), np.uint8))
    dialog = RasterStyleDialog(open_raster(rgb))
    qtbot.addWidget(dialog)

    def as_kind(kind: str):
        dialog.kind.setCurrentIndex(dialog.kind.findData(kind))
        assert dialog.pages.currentIndex() == dialog._page_of[kind]
        return dialog.style()

    dialog.ramp.setCurrentIndex(dialog.ramp.findData("magma"))
    dialog.stretch.setCurrentIndex(dialog.stretch.findData("percentile"))
    dialog.low_percentile.setValue(5)
    dialog.high_percentile.setValue(95)
    st = as_kind("continuous")
    assert (st.ramp, st.stretch, st.percentiles, st.vmin) == ("magma", "percentile", (5, 95), None)
    dialog.fixed_range.setChecked(True)
    dialog.vmin.setValue(10)
    dialog.vmax.setValue(250)
    assert (as_kind("continuous").vmin, as_kind("continuous").vmax) == (10, 250)
    dialog.first_year.setValue(2010)
    dialog.last_year.setValue(2020)
    st = as_kind("loss_year")
    assert (st.kind, st.vmin, st.vmax) == ("loss_year", 2010, 2020)
    dialog.azimuth.setValue(270)
    dialog.altitude.setValue(30)
    dialog.z_factor.setValue(2.5)
    st = as_kind("hillshade")
    assert (st.azimuth, st.altitude, st.z_factor) == (270, 30, 2.5)
    for box, band in zip(dialog.band_boxes, (3, 2, 1), strict=True):
        box.setValue(band)
    assert as_kind("rgb").bands == (3, 2, 1)
    dialog.first_year.setValue(2020)
    dialog.last_year.setValue(2010)  # a range upside down is refused, saying which value
    dialog.kind.setCurrentIndex(dialog.kind.findData("loss_year"))
    assert dialog.checked_style() is None
    said = dialog.problem.text()  # in the dialog's words, not the file's field names
    assert "last year" in said and "2010" in said and "2020" in said and "vmax" not in said
