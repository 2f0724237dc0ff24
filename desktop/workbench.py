"""The workbench: what the analysis, toolbox, results, export and compare widgets may use
from the main window, as typed attributes and registries keyed by stable ids.

A widget module's `install(window: Workbench)` adds its actions to `window.menu("analysis")`
(never a menu found by its translated title), registers its dock with `window.add_dock(...)`,
runs work on `window.thread_pool`, pushes undoable changes on `window.undo_stack`, reads and
changes what the user has open through `window.state` (core.state.AppState) and says what
happened in `window.messages`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtGui import QAction, QUndoStack
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QMenuBar, QStatusBar, QWidget

from core.state import AppState
from desktop.messages import MessagesPanel
from desktop.qt_language import apply_qt_language
from layers.i18n import current_language, tr, tr_noop
from layers.project import Project

# Menu ids, in menu-bar order, with their titles (English, shown through tr so a language
# switch retitles them); plugins name a menu by id.
MENUS: dict[str, str] = {
    "file": tr_noop("&File"),
    "edit": tr_noop("&Edit"),
    "view": tr_noop("&View"),
    "layer": tr_noop("&Layer"),
    "analysis": tr_noop("&Analysis"),
    "help": tr_noop("&Help"),
}
# Dock ids the window and its plugins register (QSettings keeps each by its objectName).
DOCKS = ("layers", "attribute_table", "messages", "identify", "toolbox", "results", "history")


@runtime_checkable
class Workbench(Protocol):
    """The main window as plugins see it."""

    state: AppState
    thread_pool: QThreadPool
    undo_stack: QUndoStack
    messages: MessagesPanel
    results_dock: QDockWidget | None  # desktop.results_dock.ResultsDock once installed
    toolbox: QWidget | None  # desktop.toolbox.Toolbox once installed
    compare_view: QWidget | None  # desktop.compare_view.CompareView once opened
    analysis_dialogs: list[QWidget]  # open analysis dialogs, newest last
    edits: Any  # desktop.edit_tools.EditController once installed (save, quit, recovery)

    @property
    def project(self) -> Project: ...

    def menu(self, menu_id: str) -> QMenu: ...

    def action(self, action_id: str) -> QAction: ...

    def dock(self, dock_id: str) -> QDockWidget: ...

    def add_dock(self, dock_id: str, dock: QDockWidget, area: Qt.DockWidgetArea) -> None: ...

    def keep(self, obj: object) -> None: ...

    def translated(self, apply: Callable[[], None]) -> None: ...

    def start_folder(self, kind: str) -> Path: ...

    def remember_folder(self, kind: str, path: str | Path) -> None: ...

    def statusBar(self) -> QStatusBar: ...  # noqa: N802 - Qt's name

    def menuBar(self) -> QMenuBar: ...  # noqa: N802 - Qt's name


class WorkbenchWindow(QMainWindow):
    """The registries behind `Workbench`: menus, actions and docks by id."""

    def __init__(self) -> None:
        super().__init__()
        # The language main() or the saved choice set before the window was built.
        self.state = AppState(language=current_language())
        # Qt's own buttons, dialogs and number format follow first, then our text.
        apply_qt_language(self.state.language)
        self.state.events.language.connect(apply_qt_language)
        self._retranslators: list[Callable[[], None]] = []
        self.state.events.language.connect(self._retranslate)
        self.menus: dict[str, QMenu] = {}
        self.actions: dict[str, QAction] = {}
        self.docks: dict[str, QDockWidget] = {}
        self.results_dock: QDockWidget | None = None
        self.toolbox: QWidget | None = None
        self.compare_view: QWidget | None = None
        self.analysis_dialogs: list[QWidget] = []
        self.edits: Any = None
        self._kept: list[object] = []

    @property
    def project(self) -> Project:
        project = self.state.project
        assert project is not None  # the window always shows a project (maybe an empty one)
        return project

    def build_menus(self) -> None:
        """Every menu of MENUS, empty, in order: the window and plugins fill them by id."""
        for menu_id, title in MENUS.items():
            menu = self.menuBar().addMenu(tr(title))
            menu.setObjectName(f"menu_{menu_id}")
            self.menus[menu_id] = menu
            self.translated(lambda m=menu, t=title: m.setTitle(tr(t)))

    def menu(self, menu_id: str) -> QMenu:
        if menu_id not in self.menus:
            raise KeyError(f"No menu {menu_id!r}; menus: {', '.join(self.menus)}")
        return self.menus[menu_id]

    def action(self, action_id: str) -> QAction:
        if action_id not in self.actions:
            raise KeyError(f"No action {action_id!r}; actions: {', '.join(self.actions)}")
        return self.actions[action_id]

    def dock(self, dock_id: str) -> QDockWidget:
        if dock_id not in self.docks:
            raise KeyError(f"No dock {dock_id!r}; docks: {', '.join(self.docks)}")
        return self.docks[dock_id]

    def add_dock(self, dock_id: str, dock: QDockWidget, area: Qt.DockWidgetArea) -> None:
        """Add `dock` under `dock_id`; its objectName is the id QSettings restores it by."""
        if dock_id in self.docks and self.docks[dock_id] is not dock:
            raise KeyError(f"Dock {dock_id!r} is already registered")
        if not dock.objectName():
            dock.setObjectName(f"{dock_id}_dock")
        self.docks[dock_id] = dock
        self.addDockWidget(area, dock)

    def keep(self, obj: object) -> None:
        """Hold a reference for as long as the window lives (a worker, a progress dialog)."""
        self._kept.append(obj)

    def translated(self, apply: Callable[[], None]) -> None:
        """Run `apply` now and again after every language switch (View ▸ Language): it sets a
        widget's text with tr() from the English source, so the open window follows."""
        apply()
        self._retranslators.append(apply)

    def _retranslate(self, _code: str) -> None:
        alive = []
        for apply in self._retranslators:
            try:
                apply()
            except RuntimeError:  # its widget is gone (a closed dialog): forget it
                continue
            alive.append(apply)
        self._retranslators = alive
