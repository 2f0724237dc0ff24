"""run_app: the entry main.py calls with no arguments opens the sample (or the given project)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

pytestmark = pytest.mark.gui


@pytest.fixture
def isolated_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    QSettings.setPath(
        QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path / "config")
    )
    QSettings.setPath(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "config")
    )


def test_run_app_opens_the_given_project_and_quits_cleanly(
    qapp, small_project, isolated_settings, no_dialogs
):
    from desktop.app import run_app
    from desktop.main_window import MainWindow

    seen = {}

    def check_and_quit():
        windows = [
            w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()
        ]
        window = windows[-1]
        if window.tasks.active or not len(window.project.layers):
            QTimer.singleShot(100, check_and_quit)
            return
        seen["layers"] = window.project.layers.names()
        seen["org"] = QApplication.organizationName()
        seen["path"] = window.project.path
        window.close()
        window.canvas.shutdown()
        qapp.quit()

    QTimer.singleShot(200, check_and_quit)
    assert run_app(str(small_project)) == 0
    assert seen["layers"] == ["regions", "rivers", "acled_events"]
    assert seen["org"] == "Harm Atlas"
    assert seen["path"] == small_project.resolve()
