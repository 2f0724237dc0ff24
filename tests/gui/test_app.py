"""The app start main.py uses: names for QSettings, the window, the given project opened.

run_app itself only adds QApplication.exec() on top of start_window; running a second
event loop inside pytest-qt would disturb the tests after it, so it is not called here.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication

pytestmark = pytest.mark.gui


def test_start_window_opens_the_given_project(qtbot, small_project, isolated_settings, no_dialogs):
    from desktop.app import run_app, start_window

    window = start_window(str(small_project))
    qtbot.addWidget(window)
    qtbot.waitUntil(
        lambda: len(window.project.layers) == 3 and not window.tasks.active, timeout=30000
    )
    assert window.project.layers.names() == ["regions", "rivers", "acled_events"]
    assert window.project.path == small_project.resolve()
    assert QCoreApplication.organizationName() == "Harm Atlas"
    assert "Harm Atlas" in str(window.recovery_dir)
    assert callable(run_app)
    window.canvas.shutdown()


def test_missing_project_is_a_message_not_a_crash(qtbot, tmp_path, isolated_settings, no_dialogs):
    from desktop.app import start_window

    window = start_window(str(tmp_path / "nowhere.hatlas.json"))
    qtbot.addWidget(window)
    assert any(
        "does not exist" in text for kind, _t, text in no_dialogs["shown"] if kind == "critical"
    )
    assert window.isVisible() and len(window.project.layers) == 0
    window.canvas.shutdown()
