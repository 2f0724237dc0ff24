"""The edit journal (issue 18): a process killed mid-edit loses at most the action it was
writing; the next start finds the unsaved edits and replays them; saving clears them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point

from layers.edit_journal import read_journal
from layers.edit_ops import AddFeatures, CreateLayer, SetAttributes
from layers.edit_session import EditSession, UndoStack, discard_unsaved, unsaved_edits
from layers.edit_store import journal_path
from layers.project import Project
from layers.readers import read_layers

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def project_file(tmp_path) -> Path:
    sites = gpd.GeoDataFrame(
        {"name": ["A", "B"], "n": [1, 2]},
        geometry=[Point(-76.5, 0.9), Point(-76.4, 1.0)],
        crs="EPSG:4326",
    )
    sites.to_file(tmp_path / "sites.geojson")
    project = Project()
    project.add(read_layers(tmp_path / "sites.geojson")[0])
    return project.save(tmp_path / "field.hatlas.json")


CHILD = textwrap.dedent(
    """
    import sys, time
    from shapely.geometry import Point
    from layers.edit_ops import AddFeatures, CreateLayer, SetAttributes
    from layers.edit_session import EditSession, UndoStack
    from layers.project import Project

    project = Project.load(sys.argv[1])
    stack = UndoStack(EditSession(project))
    steps = [
        lambda: stack.push(CreateLayer("Obs", "point", "violence", crs="EPSG:4326")),
        lambda: stack.push(AddFeatures("Obs", [Point(-76.3, 1.1)], [{"fatalities": 1}])),
        lambda: stack.push(AddFeatures("Obs", [Point(-76.2, 1.2)], [{"fatalities": 2}])),
        stack.undo,
        lambda: stack.push(AddFeatures("Obs", [Point(-76.1, 1.3)], [{"fatalities": 3}])),
        lambda: stack.push(SetAttributes("sites", [0], {"n": 10})),
    ]
    for i, step in enumerate(steps, 1):
        step()
        print("done", i, flush=True)
    i = len(steps)
    while True:  # more observations until the parent kills this process
        i += 1
        stack.push(AddFeatures("Obs", [Point(-76.0, 1.0 + i / 1000)], [{"fatalities": i}]))
        print("done", i, flush=True)
        time.sleep(0.05)
    """
)


def test_killed_mid_edit_then_restored(project_file):
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(project_file)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    seen = 0
    deadline = time.monotonic() + 120
    while seen < 9 and time.monotonic() < deadline:
        line = child.stdout.readline()
        if not line:
            break
        seen = int(line.split()[1])
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert seen >= 9, "the child never got that far"

    pending = unsaved_edits(project_file)
    assert pending is not None and pending.actions >= seen  # every finished action is on disk
    assert pending.layers[:2] == ["Obs", "sites"]
    assert "unsaved edit" in pending.describe()

    project = Project.load(project_file)  # as saved: none of the edits
    assert "Obs" not in project.layers.names()
    stack = UndoStack(EditSession(project))
    messages = stack.restore()
    assert messages == []
    obs = project.layers["Obs"].data
    fatalities = list(obs["fatalities"])
    # Point 2 was undone before the crash; observations 7.. follow in order.
    assert fatalities[:2] == [1, 3]
    assert fatalities[2:] == list(range(7, 7 + len(fatalities) - 2))
    assert len(fatalities) - 2 >= seen - 6
    assert project.layers["sites"].data["n"].iloc[0] == 10
    # The undone point is redo-able? No: a new action followed it, so it is gone for good.
    assert stack.index == len(stack.ops)

    # Work goes on in the same journal, then a save clears it and the edits open from disk.
    stack.push(AddFeatures("Obs", [Point(-75.9, 1.5)], [{"fatalities": 99}]))
    assert unsaved_edits(project_file).actions == pending.actions + 1
    stack.session.save()
    assert unsaved_edits(project_file) is None and not journal_path(project_file).exists()
    again = Project.load(project_file)
    assert list(again.layers["Obs"].data["fatalities"]) == fatalities + [99]
    assert again.layers["sites"].data["n"].iloc[0] == 10
    assert str(again.layers["Obs"].data["fatalities"].dtype) == "Int64"


def test_undo_and_redo_are_journalled(project_file):
    project = Project.load(project_file)
    stack = UndoStack(EditSession(project))
    stack.push(SetAttributes("sites", [1], {"n": 5}))
    stack.push(SetAttributes("sites", [1], {"n": 6}))
    stack.undo()
    stack.undo()
    stack.redo()
    kinds = [next(k for k in ("do", "undo", "redo") if k in r) for r in
             read_journal(journal_path(project_file)).records]  # fmt: skip
    assert kinds == ["do", "do", "undo", "undo", "redo"]
    stack.session.close()
    restored = Project.load(project_file)
    again = UndoStack(EditSession(restored))
    again.restore()
    assert restored.layers["sites"].data["n"].iloc[1] == 5
    assert (again.index, len(again.ops)) == (1, 2)  # the second edit can still be redone
    again.redo()
    assert restored.layers["sites"].data["n"].iloc[1] == 6


def test_a_torn_last_line_is_ignored(project_file):
    project = Project.load(project_file)
    session = EditSession(project)
    session.apply(SetAttributes("sites", [0], {"n": 7}))
    session.close()
    with open(journal_path(project_file), "a", encoding="utf-8") as fh:
        fh.write('{"seq": 2, "at": "2026-01-01", "do": {"op": "set_attr')  # power cut here
    pending = unsaved_edits(project_file)
    assert pending.actions == 1 and pending.contents.torn
    restored = Project.load(project_file)
    UndoStack(EditSession(restored)).restore()
    assert restored.layers["sites"].data["n"].iloc[0] == 7


def test_a_journal_already_saved_is_not_offered(project_file):
    project = Project.load(project_file)
    session = EditSession(project)
    session.apply(CreateLayer("Obs", "point", crs="EPSG:4326"))
    session.apply(AddFeatures("Obs", [Point(-76.3, 1.1)]))
    old = journal_path(project_file).read_text()
    session.save()
    # A crash between writing the edits GeoPackage and removing the journal leaves it behind:
    journal_path(project_file).write_text(old)
    assert unsaved_edits(project_file) is None
    discard_unsaved(project_file)
    assert not journal_path(project_file).exists()


def test_journal_lines_are_json_with_a_header(project_file):
    session = EditSession(Project.load(project_file))
    session.apply(SetAttributes("sites", [0], {"n": 3}))
    lines = journal_path(project_file).read_text().splitlines()
    header, record = (json.loads(line) for line in lines)
    assert header["journal"] == "harm-atlas-edits" and header["base"] == "none"
    assert record["seq"] == 1 and record["do"]["op"] == "set_attributes"
    assert record["do"]["values"] == {"n": 3}


def test_a_rename_is_journalled_so_later_edits_find_the_layer(project_file):
    project = Project.load(project_file)
    stack = UndoStack(EditSession(project))
    stack.push(SetAttributes("sites", [0], {"n": 3}))
    project.layers["sites"].name = "Puestos"
    stack.push(SetAttributes("Puestos", [1], {"n": 4}))
    stack.session.close()
    restored = Project.load(project_file)
    assert UndoStack(EditSession(restored)).restore() == []
    assert list(restored.layers["Puestos"].data["n"]) == [3, 4]


def test_saving_ends_the_undo_history(project_file):
    project = Project.load(project_file)
    session = EditSession(project)
    stack = UndoStack(session)
    op = SetAttributes("sites", [0], {"n": 3})
    stack.push(op)
    session.save()
    assert not stack.can_undo()  # cleared on `saved`
    with pytest.raises(Exception, match="saved"):
        session.revert(op)  # a desktop stack that kept it is refused, nothing changes
    assert project.layers["sites"].data["n"].iloc[0] == 3


def test_a_journal_that_stops_replaying_is_rewritten_as_restored(project_file):
    project = Project.load(project_file)
    session = EditSession(project)
    session.apply(SetAttributes("sites", [0], {"n": 3}))
    session.apply(SetAttributes("sites", [1], {"n": 4}))
    session.close()
    path = journal_path(project_file)
    lines = path.read_text().splitlines()
    lines[2] = lines[2].replace('"rows": [1]', '"rows": [7]')  # no row 7: cannot be replayed
    path.write_text("\n".join(lines) + "\n")
    restored = Project.load(project_file)
    messages = UndoStack(EditSession(restored)).restore()
    assert len(messages) == 1 and "Restored 1 of 2" in messages[0]
    assert list(restored.layers["sites"].data["n"]) == [3, 2]
    assert unsaved_edits(project_file).actions == 1  # the next restore does not stop again


def test_an_edit_the_journal_cannot_hold_is_not_made(project_file, tmp_path):
    (tmp_path / "a_file").write_text("")
    project = Project.load(project_file)
    session = EditSession(project, journal=tmp_path / "a_file" / "j.jsonl")  # cannot exist
    with pytest.raises(Exception, match="journal .* cannot be written"):
        session.apply(SetAttributes("sites", [0], {"n": 3}))
    assert project.layers["sites"].data["n"].iloc[0] == 1
