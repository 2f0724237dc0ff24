"""Background work: errors become messages, finished always fires, cancel works, and the
app's own worker pool can load files again and again (the pyproj-on-Qt-threads trap)."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QCoreApplication

from desktop.workers import TaskProgress, TaskRunner, Worker

pytestmark = pytest.mark.gui


def _record(worker: Worker) -> list:
    events: list = []
    s = worker.signals
    s.started.connect(lambda: events.append(("started",)))
    s.progress.connect(lambda p, m: events.append(("progress", p, m)))
    s.errored.connect(lambda m: events.append(("errored", m)))
    s.canceled.connect(lambda: events.append(("canceled",)))
    s.finished.connect(lambda r: events.append(("finished", r)))
    return events


def test_result_error_and_cancel_always_finish(qtbot, pool):
    def good(feedback):
        for i in range(5):
            feedback.set_progress(i * 25, f"step {i}")
        return 42

    def bad(feedback):
        raise ValueError("The layer has no 'year' field: map one in Layer ▸ Field mapping.")

    def crash(feedback):
        return {}["missing"]

    def slow(feedback):
        for _ in range(500):
            feedback.check()
            time.sleep(0.01)
        return "never"

    runs = {}
    for name, fn in (("good", good), ("bad", bad), ("crash", crash), ("slow", slow)):
        worker = Worker(fn, name)
        runs[name] = (worker, _record(worker))
        pool.start(worker)
    runs["slow"][0].cancel()
    qtbot.waitUntil(lambda: all(w.done for w, _ in runs.values()), timeout=10000)
    QCoreApplication.processEvents()

    w, ev = runs["good"]
    assert w.ok and ev[0] == ("started",) and ev[-1] == ("finished", 42)
    assert any(e[0] == "progress" for e in ev)
    w, ev = runs["bad"]
    assert not w.ok and ev[-1] == ("finished", None)
    assert ("errored", "The layer has no 'year' field: map one in Layer ▸ Field mapping.") in ev
    w, ev = runs["crash"]
    message = next(e[1] for e in ev if e[0] == "errored")
    assert "KeyError" in message and "Traceback" not in message
    w, ev = runs["slow"]
    assert ("canceled",) in ev and ev[-1] == ("finished", None)


def test_progress_widget_tracks_and_cancels(qtbot, pool):
    runner = TaskRunner(pool)
    progress = TaskProgress()
    qtbot.addWidget(progress)

    def slow(feedback):
        for i in range(300):
            feedback.check()
            feedback.set_progress(i / 3, "reading")
            time.sleep(0.01)

    worker = runner.start(slow, "Loading")
    progress.track(worker)
    assert progress.isVisibleTo(progress.parentWidget() or progress) or not progress.isHidden()
    qtbot.waitUntil(lambda: progress.bar.maximum() == 100, timeout=5000)
    progress.cancel_button.click()
    qtbot.waitUntil(lambda: worker.done, timeout=5000)
    qtbot.waitUntil(lambda: progress.isHidden() and not runner.active, timeout=5000)


def test_repeated_loads_in_the_worker_pool(qtbot, pool, small_project):
    """docs/traps.md: pyproj 3.7 segfaulted making CRS objects on Qt threads; keep this running."""
    from desktop.loading import load_files
    from layers.project import Project

    data = small_project.parent / "data"
    paths = [data / "regions.geojson", data / "rivers.gpkg", data / "acled_events.csv"]
    runner = TaskRunner(pool)
    crs = Project.load(small_project).metric_crs
    results = []
    for _ in range(20):
        runner.start(lambda fb: load_files(paths, fb, crs), "load", results.append)
    qtbot.waitUntil(lambda: len(results) == 20, timeout=120000)
    assert all(len(r.layers) == 3 and not r.errors for r in results)


def test_big_files_are_read_in_a_child_process(qtbot, pool, small_project, tmp_path):
    """Above the size threshold the same reader runs in a spawned process (GIL-free GUI)."""
    from analysis.base import Feedback
    from desktop.loading import load_files

    data = small_project.parent / "data"
    paths = [data / "regions.geojson", data / "acled_events.csv"]
    broken = tmp_path / "roto.geojson"
    broken.write_text("{ definitely not geojson", encoding="utf-8")
    in_thread = load_files(paths, Feedback())
    in_child = load_files([*paths, broken], Feedback(), process_threshold=0)
    assert [lay.name for lay in in_child.layers] == [lay.name for lay in in_thread.layers]
    for a, b in zip(in_child.layers, in_thread.layers, strict=True):
        assert a.role == b.role and a.mapping == b.mapping and a.style == b.style
        assert a.source.path == b.source.path
        assert a.data.crs == b.data.crs
        assert a.data.drop(columns="geometry").equals(b.data.drop(columns="geometry"))
        assert a.data.geometry.geom_equals(b.data.geometry).all()
    assert len(in_child.errors) == 1 and in_child.errors[0].path.endswith("roto.geojson")
    assert in_child.errors[0].problem and "Traceback" not in in_child.errors[0].problem
