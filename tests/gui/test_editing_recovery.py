"""Unsaved edits of a project never saved (issue 18): drawing in a new project and quitting
without saving, or losing power, loses nothing; the next start offers the autosave and the
edit journal back together, in one question."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from canvas_clicks import draw_polygon, map_xy, pixel
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QMessageBox

from desktop.recovery import leftover_untitled, untitled_journal
from layers.edit_lock import holder, lock_path
from layers.edit_session import journal_edits
from layers.edit_store import journal_path

ROOT = Path(__file__).resolve().parents[2]
YES = QMessageBox.StandardButton.Yes
NO = QMessageBox.StandardButton.No


def _draw_in_a_new_project(window, qtbot, regions=None) -> list[tuple[float, float]]:
    """A new project (with `regions` added from its file, if given), a drawn polygon layer
    and one polygon drawn by clicks, undone and redone; returns the ring drawn (lon/lat)."""
    assert window.project.path is None
    if regions is not None:
        worker = window.add_layers_from([regions])
        qtbot.waitUntil(lambda: worker.done and not window.tasks.active, timeout=30000)
    canvas = window.canvas
    canvas.set_extent((*map_xy(canvas, -74.02, 1.98), *map_xy(canvas, -73.78, 2.12)))
    canvas.redraw_now()
    window.action("edit_form").setChecked(False)
    layer = window.edits.new_layer("Área objetivo", "polygon", "eradication", ask=False)
    assert layer is not None
    window.action("edit_add").trigger()
    corners: list[QPoint] = [
        pixel(canvas, *map_xy(canvas, lon, lat))
        for lon, lat in ((-73.99, 2.01), (-73.93, 2.01), (-73.93, 2.07), (-73.99, 2.07))
    ]
    draw_polygon(qtbot, window, corners)
    assert len(layer.data) == 1
    window.undo_stack.undo()
    window.undo_stack.redo()
    return _restored_ring(window)


def _restored_ring(window) -> list[tuple[float, float]]:
    """The drawn polygon's corners in lon/lat (each window's map CRS follows its layers)."""
    drawn = window.project.layers["Área objetivo"]
    return list(drawn.data.to_crs(4326).geometry.iloc[0].exterior.coords)[:-1]


def _start_again(make_window, qtbot):
    """A new window offering what the last one left, as the app does on a start with no
    project named (desktop/app.py)."""
    second = make_window()
    worker = second.offer_recovery(None)
    assert worker is not None  # something is restored: the sample project is not opened
    qtbot.waitUntil(lambda: worker.done and not second.tasks.active, timeout=30000)
    assert worker.ok, worker.error
    return second


def test_new_project_quit_with_no_then_next_start_restores_layers_and_drawing(
    make_window, qtbot, small_project, no_dialogs
):
    window = make_window()
    expected = _draw_in_a_new_project(window, qtbot, small_project.parent / "data/regions.geojson")
    no_dialogs["question"] = NO  # quit without saving, keep the edits
    assert window.maybe_save()
    assert "next time Harm Atlas starts" in no_dialogs["shown"][-1][2]
    no_dialogs["shown"].clear()
    no_dialogs["question"] = YES
    second = _start_again(make_window, qtbot)
    assert sorted(second.project.layers.names()) == ["regions", "Área objetivo"]
    np.testing.assert_allclose(_restored_ring(second), expected, atol=1e-9)
    # One question for the autosave and the edits together.
    questions = [(t, text) for kind, t, text in no_dialogs["shown"] if kind == "question"]
    assert len(questions) == 1 and "2 unsaved edits" in questions[0][1]
    assert second.project.path is None and second.isWindowModified()
    # The restored edits can be undone, and the journal goes on: a second crash loses nothing.
    second.undo_stack.undo()
    assert len(second.project.layers["Área objetivo"].data) == 0
    second.undo_stack.redo()
    third = _start_again(make_window, qtbot)
    np.testing.assert_allclose(_restored_ring(third), expected, atol=1e-9)


def test_new_project_power_cut_before_any_autosave_restores_the_drawing(
    make_window, qtbot, tmp_path, no_dialogs
):
    window = make_window()
    expected = _draw_in_a_new_project(window, qtbot)
    assert not list((tmp_path / "recovery").glob("*.recovery.hatlas.json"))  # no autosave yet
    # Power cut: the window never closes. The next start finds the journal alone.
    no_dialogs["question"] = YES
    second = _start_again(make_window, qtbot)
    np.testing.assert_allclose(_restored_ring(second), expected, atol=1e-9)
    assert second.undo_stack.count() == 2  # the layer and the polygon, undoable


def test_new_project_edits_declined_at_the_next_start_are_deleted(
    make_window, qtbot, tmp_path, no_dialogs
):
    window = make_window()
    _draw_in_a_new_project(window, qtbot)
    no_dialogs["question"] = NO
    assert window.maybe_save()
    second = make_window()
    assert second.offer_recovery(None) is None  # "No": keep nothing, open the usual project
    assert not (tmp_path / "recovery" / "untitled.edits.jsonl").exists()
    assert make_window().offer_recovery(None) is None
    assert len([s for s in no_dialogs["shown"] if s[1] == "Recover unsaved work?"]) == 1


# --- Nothing lost across starts, File ▸ New and several Harm Atlas at once ----------------------
def _open(window, qtbot, path) -> None:
    worker = window.open_project(path, ask=False)
    qtbot.waitUntil(lambda: worker.done and not window.tasks.active, timeout=30000)
    assert worker.ok, worker.error


def _hold_in_child(code: str) -> subprocess.Popen:
    """Another Harm Atlas: a child process running `code` (an EditSession, its journal
    locked), alive until its stdin closes; returns once it says it is ready."""
    child = subprocess.Popen(
        [sys.executable, "-c", code + "\nprint('ready', flush=True)\nsys.stdin.read()"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout.readline().strip() == "ready"
    return child


def _kill(child: subprocess.Popen) -> None:
    child.kill()  # a crash: its lock stays on disk, naming a process that is gone
    child.wait(10)


def test_untitled_work_left_when_the_next_start_opens_a_project_comes_back_with_file_new(
    make_window, qtbot, small_project, no_dialogs
):
    window = make_window()
    expected = _draw_in_a_new_project(window, qtbot)
    no_dialogs["question"] = NO
    assert window.maybe_save()
    no_dialogs["shown"].clear()
    # The next start names a project: it opens, and the untitled work is kept, and said so.
    second = make_window()
    _open(second, qtbot, small_project)
    assert not [s for s in no_dialogs["shown"] if s[1] == "Recover unsaved work?"]
    assert any("File ▸ New project offers it back" in t for t in second.messages.texts())
    # File ▸ New asks the start's question, and Yes gives the drawing back.
    no_dialogs["question"] = YES
    second.new_project()
    qtbot.waitUntil(lambda: "Área objetivo" in second.project.layers.names(), timeout=30000)
    qtbot.waitUntil(lambda: not second.tasks.active, timeout=30000)
    np.testing.assert_allclose(_restored_ring(second), expected, atol=1e-9)
    assert len([s for s in no_dialogs["shown"] if s[1] == "Recover unsaved work?"]) == 1


def test_drawing_in_a_new_untitled_project_never_overwrites_work_not_restored(
    make_window, qtbot, tmp_path, no_dialogs
):
    folder = tmp_path / "recovery"
    window = make_window()
    expected = _draw_in_a_new_project(window, qtbot)
    no_dialogs["question"] = NO
    assert window.maybe_save()
    first = window.edits.untitled_name
    # A window not offered the work (or one where the analyst said nothing yet) draws too.
    second = make_window()
    _draw_in_a_new_project(second, qtbot)
    assert second.edits.untitled_name != first
    kept = journal_edits(untitled_journal(folder, first))
    assert kept is not None and kept.edits == 2  # the first drawing is still on disk, whole
    # Both are offered, newest first; the older one stays until it is its turn.
    assert second.maybe_save()
    assert leftover_untitled(folder) == [second.edits.untitled_name, first]
    no_dialogs["question"] = YES
    third = _start_again(make_window, qtbot)
    assert leftover_untitled(folder, {third.edits.untitled_name}) == [first]
    no_dialogs["question"] = QMessageBox.StandardButton.Discard  # this one is not wanted
    assert third.maybe_save()
    no_dialogs["question"] = YES
    fourth = _start_again(make_window, qtbot)
    np.testing.assert_allclose(_restored_ring(fourth), expected, atol=1e-9)


def test_another_running_harm_atlas_keeps_its_untitled_work_until_it_is_gone(
    make_window, qtbot, tmp_path, no_dialogs
):
    folder = tmp_path / "recovery"
    child = _hold_in_child(
        "import sys\n"
        "from layers.edit_ops import CreateLayer\n"
        "from layers.edit_session import EditSession\n"
        "from layers.project import Project\n"
        "from desktop.recovery import new_untitled_name, untitled_journal\n"
        f"journal = untitled_journal({str(folder)!r}, new_untitled_name())\n"
        "session = EditSession(Project(), journal=journal)\n"
        "session.apply(CreateLayer('Observaciones', 'point', 'other', crs='EPSG:3116'))\n"
    )
    try:
        (theirs,) = list(folder.glob("untitled-*.edits.jsonl"))
        no_dialogs["question"] = YES
        window = make_window()
        assert window.offer_recovery(None) is None  # theirs is in use: not offered
        _draw_in_a_new_project(window, qtbot)
        assert untitled_journal(folder, window.edits.untitled_name) != theirs
        assert journal_edits(theirs).edits == 1  # untouched
    finally:
        _kill(child)
    # Gone without saving (its lock names a dead process): File ▸ New here offers its work.
    no_dialogs["question"] = lambda title: NO if title == "Unsaved changes" else YES
    window.new_project()
    qtbot.waitUntil(lambda: "Observaciones" in window.project.layers.names(), timeout=30000)
    assert untitled_journal(folder, window.edits.untitled_name) == theirs  # goes on there
    assert (
        holder(theirs) is None and json.loads(lock_path(theirs).read_text())["pid"] == os.getpid()
    )


def test_a_project_edited_in_another_harm_atlas_is_shown_with_editing_off(
    make_window, qtbot, small_project, no_dialogs
):
    child = _hold_in_child(
        "import sys\n"
        "from layers.edit_ops import CreateLayer\n"
        "from layers.edit_session import EditSession\n"
        "from layers.project import Project\n"
        f"session = EditSession(Project.load({str(small_project)!r}))\n"
        "session.apply(CreateLayer('Obs', 'point', crs='EPSG:4326'))\n"  # editing takes it
    )
    try:
        window = make_window()
        _open(window, qtbot, small_project)
        warned = [s for s in no_dialogs["shown"] if s[1] == "Project being edited elsewhere"]
        assert len(warned) == 1 and f"(process {child.pid})" in warned[0][2]
        assert window.edits.new_layer("Área objetivo", "polygon", "eradication", ask=False) is None
        assert "Área objetivo" not in window.project.layers.names()
        assert holder(journal_path(small_project)) == child.pid  # its lock is left alone
    finally:
        _kill(child)
    # The other Harm Atlas died: its stale lock is taken over on the next open.
    no_dialogs["shown"].clear()
    second = make_window()
    _open(second, qtbot, small_project)
    assert not [s for s in no_dialogs["shown"] if s[1] == "Project being edited elsewhere"]
    assert second.edits.new_layer("Área objetivo", "polygon", "eradication", ask=False)
    lock = json.loads(lock_path(journal_path(small_project)).read_text())
    assert lock["pid"] == os.getpid()
