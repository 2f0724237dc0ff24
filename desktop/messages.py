"""Messages panel: a time-stamped log of warnings, repairs and errors the analyst can review."""

from __future__ import annotations

import logging
from datetime import datetime

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from layers.i18n import tr, tr_noop

LEVEL_COLOURS = {"info": "#303030", "repair": "#0b5e9c", "warning": "#8a5a00", "error": "#a40000"}
LEVEL_LABELS = {
    "info": tr_noop("Info"),
    "repair": tr_noop("Repair"),
    "warning": tr_noop("Warning"),
    "error": tr_noop("Error"),
}


class _Bridge(QObject):
    """Carries log records from any thread to the GUI thread (queued signal)."""

    record = Signal(str, str, str)


class MessagesPanel(QWidget):
    """log(level, text) / info / warning / repair / error; newest at the bottom."""

    message_added = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tree = QTreeWidget()
        self.tree.setObjectName("messages_view")
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setWordWrap(False)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        clear = self._clear = QToolButton()
        clear.clicked.connect(self.tree.clear)
        self.retranslate()
        column = QVBoxLayout()
        column.addWidget(clear)
        column.addStretch(1)
        box = QHBoxLayout(self)
        box.setContentsMargins(2, 2, 2, 2)
        box.addWidget(self.tree, 1)
        box.addLayout(column)
        self._bridge = _Bridge()
        self._bridge.record.connect(self._add, Qt.ConnectionType.QueuedConnection)

    def retranslate(self, *_args) -> None:
        """Headers and buttons in the active language (again on a language switch); the
        messages already shown stay as they were written."""
        self.tree.setHeaderLabels([tr("Time"), tr("Kind"), tr("Message")])
        self._clear.setText(tr("Clear"))
        self._clear.setToolTip(tr("Clear the messages"))

    def log(self, level: str, text: str, details: str = "") -> None:
        self._add(level, text, details)

    def info(self, text: str) -> None:
        self.log("info", text)

    def warning(self, text: str) -> None:
        self.log("warning", text)

    def repair(self, text: str) -> None:
        self.log("repair", text)

    def error(self, text: str, details: str = "") -> None:
        self.log("error", text, details)

    def texts(self) -> list[str]:
        return [self.tree.topLevelItem(i).text(2) for i in range(self.tree.topLevelItemCount())]

    def _add(self, level: str, text: str, details: str = "") -> None:
        first, _, rest = text.partition("\n")
        item = QTreeWidgetItem(
            [
                datetime.now().strftime("%H:%M:%S"),
                tr(LEVEL_LABELS[level]) if level in LEVEL_LABELS else level,
                first,
            ]
        )
        item.setForeground(1, QColor(LEVEL_COLOURS.get(level, "#303030")))
        item.setToolTip(2, "\n".join(t for t in (text, details or rest) if t))
        self.tree.addTopLevelItem(item)
        self.tree.scrollToItem(item)
        self.message_added.emit(level, text)

    def handler(self) -> logging.Handler:
        """A logging handler that shows WARNING and above here, from any thread."""
        bridge = self._bridge

        class Handler(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                level = "error" if record.levelno >= logging.ERROR else "warning"
                message = record.getMessage()
                first = message.splitlines()[0] if message else record.name
                bridge.record.emit(level, first, message)

        handler = Handler(logging.WARNING)
        return handler
