"""Regression tests for the pins in pyproject.toml (docs/traps.md, "Pins").

- PySide6 6.12.0 on Python 3.11 drops a reference to True on every Signal.emit() and aborts
  after a few hundred emits: 10,000 emits must pass and True's refcount must hold.
- pyproj 3.7 segfaults creating CRS objects on threads Qt created: 3 × 60 reads in QRunnables
  on the app's kind of pool must all succeed. Lift a pin only when these pass on the new version.
"""

from __future__ import annotations

import sys
import threading

import fixtures_factory as ff
import geopandas as gpd
import pytest
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from layers.readers import read_layers

pytestmark = pytest.mark.gui

EMITS = 10_000
RUNNABLES = 3
READS_EACH = 60


class Flag(QObject):
    toggled = Signal(bool)


def test_ten_thousand_bool_emits_do_not_abort(qtbot):
    flag = Flag()
    received: list[bool] = []
    flag.toggled.connect(received.append)
    before = sys.getrefcount(True)
    for i in range(EMITS):
        flag.toggled.emit(i % 2 == 0)
    after = sys.getrefcount(True)
    assert len(received) == EMITS
    assert received[:4] == [True, False, True, False]
    # The 6.12 bug lost one reference per emit; a healthy build keeps True's count steady.
    assert after >= before - 10, f"True lost {before - after} references over {EMITS} emits"


class ReadSignals(QObject):
    done = Signal(int)
    failed = Signal(str)


class RepeatedRead(QRunnable):
    """Reads the same files `times` times; exceptions become a signal, never escape run()."""

    def __init__(self, paths, times: int) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.paths, self.times = paths, times
        self.signals = ReadSignals()
        self.thread_name = ""

    def run(self) -> None:
        self.thread_name = threading.current_thread().name
        try:
            layers = 0
            for i in range(self.times):
                layers += len(read_layers(self.paths[i % len(self.paths)]))
            self.signals.done.emit(layers)
        except BaseException as exc:  # noqa: BLE001 - report, or the test would hang
            self.signals.failed.emit(f"{type(exc).__name__}: {exc}")


@pytest.fixture
def pool():
    own = QThreadPool()
    own.setMaxThreadCount(RUNNABLES)
    yield own
    own.clear()
    assert own.waitForDone(5000), "worker threads did not finish"


@pytest.fixture
def files(tmp_path):
    # Each read makes CRS objects (EPSG:4326 and a projected CRS) on the Qt thread.
    projected = tmp_path / "utm.gpkg"
    gpd.read_file(ff.eradication_points(tmp_path)).to_crs(32618).to_file(projected)
    return [ff.wdpa_shapefile(tmp_path), projected, ff.hdx_boundaries(tmp_path)]


def test_reads_on_qt_created_threads_do_not_crash(qtbot, pool, files):
    tasks = [RepeatedRead(files, READS_EACH) for _ in range(RUNNABLES)]
    results: list[int] = []
    errors: list[str] = []
    for task in tasks:
        task.signals.done.connect(results.append)
        task.signals.failed.connect(errors.append)
        pool.start(task)
    assert pool.waitForDone(120_000)
    qtbot.waitUntil(lambda: len(results) + len(errors) == RUNNABLES, timeout=5000)
    assert errors == []
    assert results == [READS_EACH] * RUNNABLES
    assert all(t.thread_name != threading.main_thread().name for t in tasks)


def test_app_worker_reports_a_load_error_as_a_signal(qtbot, pool, tmp_path):
    """The desktop's Worker on the same kind of pool: a bad file is a message, not a crash."""
    from desktop.workers import Worker

    bad = tmp_path / "broken.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [')
    worker = Worker(lambda feedback: read_layers(bad), "load")
    messages: list[str] = []
    worker.signals.errored.connect(messages.append)
    with qtbot.waitSignal(worker.signals.finished, timeout=10_000):
        pool.start(worker)
    assert not worker.ok
    assert len(messages) == 1 and messages[0].startswith("broken.geojson:")
