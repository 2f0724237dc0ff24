"""Feedback: the one progress, message and cancel protocol of long work, Qt-free.

Analyses, exports, the briefing pack, project loading and saving all report through a
Feedback; the desktop adapts it to its progress bar and cancel button, the CLI to its
terminal bar. A sub-task gets `feedback.part(lo, hi)`: its 0–100 % fills [lo, hi] of the
parent's bar and it stops when the parent is canceled.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from layers.i18n import tr


class Canceled(Exception):
    """Raised inside long work when the user pressed cancel."""


class Feedback:
    """Progress and cancel; `on_progress(percent, message)` hears every step."""

    def __init__(self, on_progress: Callable[[float, str], None] | None = None) -> None:
        self._canceled = threading.Event()
        self._on_progress = on_progress
        self.messages: list[str] = []
        self.progress = 0.0

    def set_progress(self, percent: float, message: str = "") -> None:
        self.progress = max(0.0, min(100.0, float(percent)))
        if self._on_progress:
            self._on_progress(self.progress, message)

    def finish(self) -> None:
        """The work is done: the bar at 100 % with the one word every task ends on."""
        self.set_progress(100, tr("Done"))

    def info(self, message: str) -> None:
        self.messages.append(message)
        if self._on_progress:
            self._on_progress(self.progress, message)

    def cancel(self) -> None:
        self._canceled.set()

    @property
    def canceled(self) -> bool:
        return self._canceled.is_set()

    def check(self) -> None:
        """Call often in long loops: raises Canceled once the user cancels."""
        if self._canceled.is_set():
            raise Canceled()

    def part(
        self, lo: float, hi: float, on_progress: Callable[[float, str], None] | None = None
    ) -> Feedback:
        """A sub-task's feedback: its 0–100 % maps onto [lo, hi] here; cancel is shared."""
        return _Part(self, lo, hi, on_progress)


class _Part(Feedback):
    def __init__(
        self,
        parent: Feedback,
        lo: float,
        hi: float,
        on_progress: Callable[[float, str], None] | None,
    ) -> None:
        super().__init__(on_progress)
        self._parent, self._lo, self._hi = parent, lo, hi
        self._canceled = parent._canceled  # one cancel button stops every part

    def set_progress(self, percent: float, message: str = "") -> None:
        super().set_progress(percent, message)
        self._parent.set_progress(self._lo + (self._hi - self._lo) * self.progress / 100, message)

    def info(self, message: str) -> None:
        super().info(message)
        self._parent.info(message)
