"""The row a dialog that runs one task at a time (an analysis, an export) ends with: the task's
progress, its action button, Cancel and Close, which of them can be pressed while it runs, and
how the dialog's status line shows a start and a failure."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QProgressBar, QPushButton

from layers.i18n import tr

ERROR_STYLE = "color: #b00020;"


class TaskRow(QHBoxLayout):
    """Progress bar (0–100), the action (the default button), Cancel (enabled only while the
    task runs) and Close (closes `dialog`); `status` is the dialog's status line."""

    def __init__(
        self,
        dialog: QDialog,
        action: str,
        on_action: Callable[[], object],
        on_cancel: Callable[[], object],
        status: QLabel,
    ) -> None:
        super().__init__()
        self.status = status
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.action_button = QPushButton(action)
        self.action_button.setDefault(True)
        self.cancel_button = QPushButton(tr("Cancel"))
        self.cancel_button.setEnabled(False)
        self.close_button = QPushButton(tr("Close"))
        self.action_button.clicked.connect(on_action)
        self.cancel_button.clicked.connect(on_cancel)
        self.close_button.clicked.connect(dialog.close)
        self.addWidget(self.progress, 1)
        for button in (self.action_button, self.cancel_button, self.close_button):
            self.addWidget(button)

    def set_running(self, running: bool) -> None:
        """A task started (its progress from 0; only Cancel stops it) or ended."""
        self.action_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        if running:
            self.progress.setValue(0)

    def started(self, message: str) -> None:
        """A task started: `message` in the status, in the normal colour again after a failure."""
        self.set_running(True)
        self.status.setStyleSheet("")
        self.status.setText(message)

    def failed(self, message: str) -> None:
        """`message` in the status in the error colour, until the next start."""
        self.status.setStyleSheet(ERROR_STYLE)
        self.status.setText(message)
