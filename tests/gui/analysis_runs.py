"""Running an analysis from its dialog as a user does, for the GUI tests."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.analysis_dialog import AnalysisDialog, open_analysis


def click_run(qtbot, dialog: AnalysisDialog, timeout: int = 60000) -> None:
    """Click Run and wait until the run has finished (with a result or not)."""
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.running, timeout=timeout)


def run_dialog(qtbot, window, algorithm_id: str, **values) -> AnalysisDialog:
    """Open the analysis's dialog, set `values` by parameter name, run it and close it once
    it has a result (the test fails with the dialog's status when it has none)."""
    dialog = open_analysis(window, algorithm_id)
    qtbot.addWidget(dialog)
    for name, value in values.items():
        dialog.widgets[name].set_value(value)
    click_run(qtbot, dialog)
    assert dialog.last_result is not None, dialog.status.text()
    dialog.close()
    return dialog
