"""A Spanish export on the desktop's worker pool (issue 16): the export runs on a Qt pool
thread in its own language while the English app's thread goes on in English, and the next
task on that same pool thread is back in the app's language."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication

from desktop.workers import Worker
from layers import i18n
from layers.numbers import number

pytestmark = pytest.mark.gui

NOTE = "Synthetic demonstration data: not real observations."
NOTA = "Datos sintéticos de demostración: no son observaciones reales."


@pytest.fixture
def english_app(qapp):
    before = i18n.app_language()
    i18n.set_language("en")
    yield
    i18n.set_language(before)


def wait_for(worker: Worker, seconds: float = 30) -> None:
    """Until the worker is done, letting the event loop run (not QTest.qWait: it holds the
    GIL and the worker would crawl, docs/compare.md)."""
    end = time.monotonic() + seconds
    while not worker.done and time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.005)
    assert worker.done


def test_an_export_on_the_pool_is_spanish_and_the_app_stays_english(english_app) -> None:
    from core.exports import written_in

    pool = QThreadPool()
    pool.setMaxThreadCount(1)  # one pool thread: the second task reuses the first's
    inside, checked = threading.Event(), threading.Event()
    threads: list[int] = []

    def export(_feedback) -> list[str]:
        with written_in("es"):
            threads.append(threading.get_ident())
            inside.set()
            assert checked.wait(10)
            return [i18n.current_language(), i18n.tr(NOTE), number(1234.5, 1)]

    def after(_feedback) -> list[str]:
        threads.append(threading.get_ident())
        return [i18n.current_language(), i18n.tr(NOTE)]

    first = Worker(export, "export")
    pool.start(first)
    assert inside.wait(10)
    # The app's thread builds its text now, while the Spanish export is inside.
    assert [i18n.current_language(), i18n.tr(NOTE), number(1234.5, 1)] == [
        "en",
        NOTE,
        "1,234.5",
    ]
    checked.set()
    wait_for(first)
    assert first.ok and first.result == ["es", NOTA, "1.234,5"]

    second = Worker(after, "next")
    pool.start(second)
    wait_for(second)
    assert threads[0] == threads[1]  # the same pool thread
    assert second.ok and second.result == ["en", NOTE]
    pool.waitForDone(5000)
