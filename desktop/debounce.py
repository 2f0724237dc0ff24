"""One single-shot timer for work that should wait until changes stop coming (a redraw, a
preview, a recomputation): each change calls `start()`, which restarts the wait, and the slot
runs once, `ms` after the last change."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer


def debounce_timer(parent: QObject, ms: int, slot: Callable[[], object]) -> QTimer:
    """A single-shot timer owned by `parent` that calls `slot` `ms` milliseconds after its
    last `start()` (0: on the next turn of the event loop)."""
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.setInterval(ms)
    timer.timeout.connect(slot)
    return timer
