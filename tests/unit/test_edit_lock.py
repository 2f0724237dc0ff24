"""One writer per edit journal (layers/edit_lock.py): another live process's lock refuses
the session, a dead process's lock is taken over, this process's own is reused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from layers.edit_fields import EditError
from layers.edit_lock import EditedElsewhere, acquire, holder, lock_path, release
from layers.edit_ops import CreateLayer
from layers.edit_session import EditSession
from layers.edit_store import journal_path
from layers.project import Project

ROOT = Path(__file__).resolve().parents[2]


def _child_holding(journal: Path) -> subprocess.Popen:
    """Another process that takes the journal's lock and waits for its stdin to close."""
    code = (
        "import sys\nfrom layers.edit_lock import acquire\n"
        f"acquire({str(journal)!r})\nprint('ready', flush=True)\nsys.stdin.read()\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert child.stdout.readline().strip() == b"ready"
    return child


def test_a_journal_locked_by_a_live_process_refuses_a_session_until_it_dies(tmp_path):
    project = Project()
    project.save(tmp_path / "study.hatlas.json")
    journal = journal_path(project.path)
    child = _child_holding(journal)
    try:
        assert holder(journal) == child.pid
        with pytest.raises(EditedElsewhere, match=f"process {child.pid}"):
            EditSession(Project.load(project.path))
    finally:
        child.kill()
        child.wait(10)
    assert holder(journal) is None  # stale: its process is gone
    session = EditSession(Project.load(project.path))
    session.apply(CreateLayer("Obs", "point", crs="EPSG:4326"))  # the first edit takes it
    assert json.loads(lock_path(journal).read_text())["pid"] == os.getpid()
    session.close()
    assert not lock_path(journal).exists()


def test_a_project_only_looked_at_leaves_no_lock_and_the_first_editor_wins(tmp_path):
    project = Project()
    project.save(tmp_path / "study.hatlas.json")
    journal = journal_path(project.path)
    viewer = EditSession(Project.load(project.path))
    assert not lock_path(journal).exists()  # opening writes nothing beside the project
    child = _child_holding(journal)  # another Harm Atlas starts editing it meanwhile
    try:
        with pytest.raises(EditError, match=f"process {child.pid}"):
            viewer.apply(CreateLayer("Obs", "point", crs="EPSG:4326"))
        assert "Obs" not in viewer.project.layers.names()  # refused, nothing changed
    finally:
        child.kill()
        child.wait(10)


def test_save_as_onto_a_project_another_process_edits_is_refused(tmp_path):
    other = Project()
    other.save(tmp_path / "other.hatlas.json")
    child = _child_holding(journal_path(other.path))
    try:
        session = EditSession(Project(), journal=tmp_path / "untitled-x.edits.jsonl")
        with pytest.raises(EditedElsewhere):
            session.save(other.path)
    finally:
        child.kill()
        child.wait(10)


def test_this_process_reuses_its_own_lock(tmp_path):
    journal = tmp_path / "a.edits.jsonl"
    assert acquire(journal) == lock_path(journal)
    assert acquire(journal) == lock_path(journal)  # one process shows one project: ours
    release(journal)
    assert not lock_path(journal).exists()
