"""Waiting in a script that drives the app without pytest-qt (the desktop benchmarks): keep the
Qt event loop turning for a while, or until something is done."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication


def spin(app: QCoreApplication, seconds: float) -> None:
    """Process events for `seconds` (timers fire, renders land), sleeping briefly between."""
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.002)


def until(
    app: QCoreApplication, done: Callable[[], object], timeout: float, what: str = "the window"
) -> float:
    """Process events until `done()` is true; the seconds that took. TimeoutError past `timeout`."""
    start = time.perf_counter()
    while not done():
        if time.perf_counter() - start > timeout:
            raise TimeoutError(f"{what} did not get there in time ({timeout:.0f} s)")
        app.processEvents()
        time.sleep(0.001)
    return time.perf_counter() - start
