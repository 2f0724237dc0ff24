"""Start the desktop app: QApplication, the main window, and the project to show."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from layers.i18n import set_language, tr

ORGANISATION = "Harm Atlas"
APPLICATION = "Harm Atlas"


def start_window(project_path: str | None):
    """Name the app (QSettings and AppDataLocation use it), show the main window and open
    `project_path` or the sample project once the window is on screen."""
    from PySide6.QtCore import QCoreApplication, QSettings, QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from desktop.language import startup_language
    from desktop.main_window import MainWindow
    from layers.command_support import default_project

    QCoreApplication.setOrganizationName(ORGANISATION)
    QCoreApplication.setApplicationName(APPLICATION)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationDisplayName(APPLICATION)
    # --lang, else the language chosen last time (View ▸ Language), else the system's.
    set_language(startup_language(QSettings(), sys.argv[1:]))

    window = MainWindow()
    window.show()
    path = Path(project_path) if project_path else default_project()

    def start() -> None:
        # Unsaved work from a never-saved project comes first; otherwise open the project.
        if not project_path and window.offer_recovery(None) is not None:
            return
        window.open_project(path, ask=False)

    if path is not None and path.exists():
        # Open after the window is on screen, so the analyst sees progress, not a blank wait.
        QTimer.singleShot(0, start)
    elif project_path:
        QMessageBox.critical(
            window,
            tr("Project not found"),
            tr("{p} does not exist. Open another project with File ▸ Open project.").format(p=path),
        )
    else:
        window.messages.warning(
            tr("The sample project is missing ({p}); run `make sample` to build it.").format(p=path)
        )
        QTimer.singleShot(0, lambda: window.offer_recovery(None))
    return window


def run_app(project_path: str | None) -> int:
    """Open `project_path` (or the sample project) in the main window; returns the exit code."""
    from PySide6.QtWidgets import QApplication

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    window = start_window(project_path)
    code = int(QApplication.instance().exec())
    del window
    return code
