"""Files in the desktop: add layers (dialog-free and by drop), broken files, save and reopen,
autosave and crash recovery, and the unsaved-changes prompt."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QMessageBox

pytestmark = pytest.mark.gui


def _wait(qtbot, window, worker) -> None:
    qtbot.waitUntil(lambda: worker.done and not window.tasks.active, timeout=60000)


def test_broken_file_shows_a_clear_message_and_keeps_everything(
    make_window, small_project, open_and_wait, no_dialogs, tmp_path, qtbot
):
    window = make_window()
    open_and_wait(window, small_project)
    before = window.project.layers.names()
    broken = tmp_path / "cultivo_2020.shp"
    broken.write_bytes(b"\x00\x00\x27\x0a not a shapefile at all" * 10)
    garbage = tmp_path / "municipios.geojson"
    garbage.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    good = small_project.parent / "data" / "rivers.gpkg"

    worker = window.add_layers_from([broken, good, garbage])
    _wait(qtbot, window, worker)

    warnings = [s for s in no_dialogs["shown"] if s[0] == "warning"]
    assert len(warnings) == 1
    _kind, title, text = warnings[0]
    assert "could not be opened" in title.lower() or "could not be opened" in text.lower()
    assert "cultivo_2020.shp" in text and "municipios.geojson" in text
    assert "Traceback" not in text
    # The good file still loaded, nothing before was lost, and the app is up.
    names = window.project.layers.names()
    assert names[: len(before)] == before
    assert len(names) == len(before) + 1
    assert window.isVisible()
    errors = [t for t in window.messages.texts() if "cultivo_2020.shp" in t]
    assert errors
    # Adding is one undo step.
    window.undo_stack.undo()
    assert window.project.layers.names() == before


def test_missing_or_corrupt_project_keeps_the_open_one(
    make_window, small_project, open_and_wait, no_dialogs, tmp_path, qtbot
):
    window = make_window()
    open_and_wait(window, small_project)
    before = window.project
    bad = tmp_path / "broken.hatlas.json"
    bad.write_text("{ not json", encoding="utf-8")
    worker = window.open_project(bad, ask=False)
    _wait(qtbot, window, worker)
    assert not worker.ok
    critical = [s for s in no_dialogs["shown"] if s[0] == "critical"]
    assert critical and "broken.hatlas.json" in critical[-1][2]
    assert "unchanged" in critical[-1][2]
    assert window.project is before

    # A project whose layer file vanished opens with the rest and names the missing file.
    data = json.loads(small_project.read_text(encoding="utf-8"))
    data["layers"][0]["source"]["path"] = "data/gone.geojson"
    partial = small_project.with_name("partial.hatlas.json")
    partial.write_text(json.dumps(data), encoding="utf-8")
    worker = window.open_project(partial, ask=False)
    _wait(qtbot, window, worker)
    assert len(window.project.layers) == len(data["layers"]) - 1
    assert any("gone.geojson" in s[2] for s in no_dialogs["shown"] if s[0] == "warning")


def test_save_close_reopen_finds_the_same_state(
    make_window, small_project, open_and_wait, no_dialogs, tmp_path, qtbot, settings
):
    window = make_window()
    open_and_wait(window, small_project)
    layers = window.project.layers
    events = next(lay for lay in layers if lay.geometry_kind == "point")
    regions = next(lay for lay in layers if lay.geometry_kind == "polygon")
    window.undo_stack.push(
        __import__("desktop.undo", fromlist=["x"]).SetLayerAttribute(regions, "visible", False)
    )
    window.apply_style(events, dataclasses.replace(events.style, fill="#0072B2", marker_size=9.0))
    window.layers_panel.set_current_layer(events)
    window.actions["layer_down"].trigger()
    window.time_panel.set_year(2019, span=2)
    window.canvas.zoom_by(2.0)
    extent = window.canvas.extent
    order = layers.names()
    assert window.isWindowModified()

    target = tmp_path / "saved" / "analysis.hatlas.json"
    assert window.save_project(target)
    assert not window.isWindowModified()
    saved = json.loads(target.read_text(encoding="utf-8"))
    assert all(not Path(e["source"]["path"]).is_absolute() for e in saved["layers"])
    window.close()
    assert not window.isVisible()
    assert str(target.resolve()) == window.recent_projects()[0]

    again = make_window()
    open_and_wait(again, target)
    assert again.project.layers.names() == order
    ev = again.project.layers[events.name]
    assert ev.style.fill == "#0072B2" and ev.style.marker_size == 9.0
    assert not again.project.layers[regions.name].visible
    assert again.project.time_filter.label == "2018–2019"
    assert again.time_panel.enabled.isChecked() and again.time_panel.span.value() == 2
    assert again.canvas.extent == pytest.approx(extent, rel=1e-6)
    assert not again.isWindowModified()


def test_crash_mid_edit_recovers_from_autosave(
    make_window, small_project, open_and_wait, no_dialogs, tmp_path, qtbot
):
    window = make_window()
    open_and_wait(window, small_project)
    regions = next(lay for lay in window.project.layers if lay.geometry_kind == "polygon")
    window.apply_style(regions, dataclasses.replace(regions.style, fill="#CC79A7"))
    window.layers_panel.model.setData(
        window.layers_panel.model.index_of(regions), "Municipios", Qt.ItemDataRole.EditRole
    )
    recovery = window.autosave_now()
    assert recovery is not None and recovery.exists()
    assert recovery.parent == tmp_path / "recovery"
    # "Crash": the window is never closed or saved; a new session starts.
    window._autosave.stop()

    no_dialogs["question"] = QMessageBox.StandardButton.Yes
    fresh = make_window()
    open_and_wait(fresh, small_project)
    qtbot.waitUntil(lambda: "Municipios" in fresh.project.layers.names(), timeout=30000)
    assert any(s[1].startswith("Recover") for s in no_dialogs["shown"] if s[0] == "question")
    restored = fresh.project.layers["Municipios"]
    assert restored.style.fill == "#CC79A7"
    assert fresh.project.path == small_project.resolve()
    assert fresh.isWindowModified()  # restored work is not saved yet
    assert fresh.save_project()
    assert not recovery.exists()  # saving retires the autosave


def test_recovery_declined_keeps_saved_project_and_deletes_autosave(
    make_window, small_project, open_and_wait, no_dialogs, qtbot
):
    window = make_window()
    open_and_wait(window, small_project)
    window.time_panel.set_year(2017)
    recovery = window.autosave_now()
    assert recovery is not None
    no_dialogs["question"] = QMessageBox.StandardButton.No
    fresh = make_window()
    open_and_wait(fresh, small_project)
    assert fresh.project.time_filter is None
    assert not recovery.exists()


def test_autosave_keeps_in_memory_layers(
    make_window, small_project, open_and_wait, qtbot, no_dialogs
):
    from layers.layer import Layer

    window = make_window()
    open_and_wait(window, small_project)
    events = next(lay for lay in window.project.layers if lay.geometry_kind == "point")
    result = Layer(events.data.head(12).copy(), "Result of an analysis")
    window.add_layer(result)
    recovery = window.autosave_now()
    assert recovery is not None
    no_dialogs["question"] = QMessageBox.StandardButton.Yes
    fresh = make_window()
    open_and_wait(fresh, small_project)
    qtbot.waitUntil(lambda: "Result of an analysis" in fresh.project.layers.names(), timeout=30000)
    assert len(fresh.project.layers["Result of an analysis"].data) == 12


def test_unsaved_changes_prompt_on_close(
    make_window, small_project, open_and_wait, no_dialogs, qtbot
):
    window = make_window()
    open_and_wait(window, small_project)
    window.toggle_current_layer()
    no_dialogs["question"] = QMessageBox.StandardButton.Cancel
    window.close()
    assert window.isVisible()  # Cancel keeps the work open
    no_dialogs["question"] = QMessageBox.StandardButton.Save
    window.close()
    assert not window.isVisible()
    assert not window.is_modified


def test_drop_files_on_the_window(make_window, small_project, open_and_wait, qtbot):
    window = make_window()
    open_and_wait(window, small_project)
    n = len(window.project.layers)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(small_project.parent / "data" / "rivers.gpkg"))])
    event = QDropEvent(
        QPointF(100, 100),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)
    qtbot.waitUntil(lambda: len(window.project.layers) == n + 1, timeout=30000)
    assert window.project.layers.names()[-1].startswith("rivers")


def test_window_state_and_settings_persist(make_window, settings):
    window = make_window()
    window.messages_dock.raise_()
    window.identify_dock.hide()
    window.close()
    assert settings.value("window/state") is not None
    again = make_window()
    assert not again.identify_dock.isVisible()


def test_add_layer_and_save_as_through_the_dialogs(
    make_window, small_project, open_and_wait, monkeypatch, tmp_path, qtbot
):
    from PySide6.QtWidgets import QFileDialog

    window = make_window()
    open_and_wait(window, small_project)
    n = len(window.project.layers)
    river = str(small_project.parent / "data" / "rivers.gpkg")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([river], ""))
    window.actions["add_layer"].trigger()
    qtbot.waitUntil(lambda: len(window.project.layers) == n + 1, timeout=30000)
    assert window.settings.value("paths/last_layer_dir") == str(Path(river).parent)

    target = tmp_path / "copia de trabajo"  # the suffix is added for the analyst
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    window.actions["save_as"].trigger()
    saved = target.with_name(target.name + ".hatlas.json")
    assert saved.exists()
    assert window.project.path == saved.resolve()
    assert "copia de trabajo" in window.windowTitle()
    # Canceling the dialog changes nothing.
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([], ""))
    window.actions["add_layer"].trigger()
    assert len(window.project.layers) == n + 1
