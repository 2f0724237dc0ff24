"""Background work: a QRunnable that runs `fn(feedback)` and reports through Qt signals.

Signal order is fixed so callers can rely on it: `started`, any number of `progress`,
then exactly one of `errored(message)` / `canceled()` / nothing, and ALWAYS `finished(result)`
last (result is None after an error or a cancel; `worker.ok` says which).
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QToolButton, QWidget

from analysis.base import Canceled, Feedback
from layers.errors import LayerLoadError, ProjectError
from layers.i18n import tr

log = logging.getLogger("harm_atlas.desktop")

# At most one progress signal per interval: a chatty loop must not flood the GUI thread.
PROGRESS_INTERVAL_S = 0.05


class WorkerSignals(QObject):
    started = Signal()
    progress = Signal(float, str)
    finished = Signal(object)
    errored = Signal(str)
    canceled = Signal()


def user_message(exc: BaseException) -> str:
    """What a user should read for an exception: problem and remedy, never a traceback."""
    if isinstance(exc, LayerLoadError):
        return exc.one_line()
    if isinstance(exc, ProjectError | ValueError | OSError):
        return str(exc)
    return tr("Unexpected error: {e}. Details are in the Messages panel.").format(
        e=f"{type(exc).__name__}: {exc}"
    )


class Worker(QRunnable):
    """Runs `fn(feedback)` on a pool thread; never lets an exception escape run()."""

    def __init__(self, fn: Callable[[Feedback], Any], title: str = "") -> None:
        super().__init__()
        self.setAutoDelete(False)  # Python owns the object; the pool must not free it under us
        self.fn = fn
        self.title = title or tr("Working")
        self.signals = WorkerSignals()
        self.feedback = Feedback(on_progress=self._on_progress)
        self.result: Any = None
        self.error: BaseException | None = None
        self.ok = False
        self.done = False
        self._last_emit = 0.0

    def _on_progress(self, percent: float, message: str) -> None:
        now = time.monotonic()
        if now - self._last_emit >= PROGRESS_INTERVAL_S or percent >= 100.0:
            self._last_emit = now
            self.signals.progress.emit(float(percent), message)

    def cancel(self) -> None:
        self.feedback.cancel()

    def run(self) -> None:  # noqa: D401 - Qt override
        try:
            self.signals.started.emit()
            self.result = self.fn(self.feedback)
            self.ok = True
        except Canceled:
            self.signals.canceled.emit()
        except BaseException as exc:  # noqa: BLE001 - the boundary: report, never crash
            self.error = exc
            log.error("%s failed:\n%s", self.title, traceback.format_exc())
            try:
                self.signals.errored.emit(user_message(exc))
            except BaseException:  # noqa: BLE001
                pass
        finally:
            self.done = True
            self.signals.finished.emit(self.result if self.ok else None)


class TaskRunner(QObject):
    """Starts workers on one pool and keeps them alive until they finish."""

    count_changed = Signal(int)

    def __init__(self, pool: QThreadPool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = pool
        self.active: list[Worker] = []

    def start(
        self,
        fn: Callable[[Feedback], Any],
        title: str = "",
        on_finished: Callable[[Any], None] | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> Worker:
        worker = Worker(fn, title)
        if on_error is not None:
            worker.signals.errored.connect(on_error)
        if on_finished is not None:
            worker.signals.finished.connect(
                lambda result: on_finished(result) if worker.ok else None
            )
        worker.signals.finished.connect(lambda _r: self._forget(worker))
        self.active.append(worker)
        self.count_changed.emit(len(self.active))
        self.pool.start(worker)
        return worker

    def _forget(self, worker: Worker) -> None:
        if worker in self.active:
            self.active.remove(worker)
        self.count_changed.emit(len(self.active))

    def cancel_all(self) -> None:
        for worker in list(self.active):
            worker.cancel()


class TaskProgress(QWidget):
    """Status-bar progress: what runs, how far, and a Cancel button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setRange(0, 100)
        self.bar.setMaximumWidth(160)
        self.bar.setMaximumHeight(16)
        self.bar.setTextVisible(False)
        self.cancel_button = QToolButton()
        self._name_cancel()
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self.cancel_button.clicked.connect(self._cancel)
        self.worker: Worker | None = None
        self.hide()

    def track(self, worker: Worker) -> None:
        """Show `worker`'s progress until it finishes (the newest task wins the bar)."""
        self.worker = worker
        self.label.setText(worker.title)
        self._name_cancel()  # in the language of now (View ▸ Language may have switched)
        self.bar.setRange(0, 0)  # busy until the first progress report
        self.cancel_button.setEnabled(True)
        worker.signals.progress.connect(self._progress)
        worker.signals.finished.connect(lambda _r, w=worker: self._finished(w))
        self.show()

    def _name_cancel(self) -> None:
        self.cancel_button.setText(tr("Cancel"))
        self.cancel_button.setToolTip(tr("Stop this task (Esc in the progress bar)"))

    def _progress(self, percent: float, message: str) -> None:
        self.bar.setRange(0, 100)
        self.bar.setValue(int(percent))
        if message and self.worker is not None:
            self.label.setText(f"{self.worker.title}: {message}")

    def _cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
            self.cancel_button.setEnabled(False)
            self.label.setText(tr("Canceling…"))

    def _finished(self, worker: Worker) -> None:
        if worker is self.worker:
            self.worker = None
            self.hide()
