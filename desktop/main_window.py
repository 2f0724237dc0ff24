"""The main window an analyst works in all day: map, layers, table, time, messages.

Public surface used by the analysis/export widgets and the tests: `project`, `canvas`,
`layers_dock`/`layers_panel`, `table_dock`/`attribute_table`, `messages`, `undo_stack`,
`thread_pool`, `tasks`, `selection`, `menus`, `open_project(path)`,
`save_project(path=None)`, `add_layers_from(paths)`, `run_task(fn, title, on_finished)`,
and the `project_changed` signal.
"""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, QStandardPaths, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from analysis.base import Feedback
from cartography.render import MapRenderer
from desktop import icons
from desktop.attribute_table import AttributeTable
from desktop.canvas import MapCanvas
from desktop.identify_panel import IdentifyPanel
from desktop.layers_dock import LayersPanel
from desktop.loading import (
    LAYER_FILE_FILTER,
    LoadOutcome,
    OpenedProject,
    load_files,
    open_project_for_map,
)
from desktop.memory import release_removed_layers, settle_loaded_layers
from desktop.messages import MessagesPanel
from desktop.recovery import RecoveryWriter, discard, find_recovery, recovery_path
from desktop.selection import FeatureSelection
from desktop.style_dialog import StyleDialog
from desktop.time_panel import TimePanel
from desktop.undo import AddLayers, SetLayerAttribute
from desktop.workers import TaskProgress, TaskRunner, Worker
from layers.crs import crs_label
from layers.errors import LayerLoadError
from layers.i18n import tr
from layers.layer import Layer
from layers.project import PROJECT_SUFFIX, SYNTHETIC_NOTE, Project
from layers.timefilter import TimeFilter

log = logging.getLogger("harm_atlas.desktop")

APP_NAME = "Harm Atlas"
DEFAULT_AUTOSAVE_SECONDS = 60
MAX_RECENT = 10
COMMON_SCALES = (10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000)
PROJECT_FILTER = tr("Harm Atlas projects (*{s});;All files (*)").format(s=PROJECT_SUFFIX)
# Widgets built by the analysis helper; each exposes install(window). Missing ones are skipped.
PLUGIN_MODULES = (
    "desktop.analysis_dialog",
    "desktop.toolbox",
    "desktop.results_dock",
    "desktop.export_dialog",
    "desktop.compare_view",
)


def default_recovery_dir() -> Path:
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base or Path.home() / ".harm-atlas") / "recovery"


class MainWindow(QMainWindow):
    project_changed = Signal(object)

    def __init__(
        self,
        project: Project | None = None,
        *,
        settings: QSettings | None = None,
        thread_pool: QThreadPool | None = None,
        recovery_dir: Path | str | None = None,
        autosave_seconds: int | None = None,
        install_plugins: bool = True,
    ) -> None:
        super().__init__()
        self.setObjectName("main_window")
        self.settings = settings or QSettings()
        self.thread_pool = thread_pool or QThreadPool(self)
        if thread_pool is None:
            self.thread_pool.setMaxThreadCount(2)
        self.tasks = TaskRunner(self.thread_pool, self)
        self.undo_stack = QUndoStack(self)
        self.selection = FeatureSelection(self)
        self.project = project or Project()
        self.recovery_dir = Path(recovery_dir) if recovery_dir else default_recovery_dir()
        self._recovery = RecoveryWriter()
        self.busy = False  # a background task is running
        self.last_load_seconds: dict[str, float] = {}  # the last project opened: per layer, map
        self._sized = False
        self._dirty = False  # changes outside the undo stack (time filter, view)
        self._layer_connections: list = []
        # Keeps loaded geometries out of GC walks (memory.py); as soon as the change that
        # asked for it is done, so its one collection is part of that action, not a later drag.
        self._settle_timer = QTimer(self)
        self._settle_timer.setSingleShot(True)
        self._settle_timer.setInterval(0)
        self._settle_timer.timeout.connect(settle_loaded_layers)
        self.menus: dict[str, QMenu] = {}
        self.actions: dict[str, QAction] = {}

        self.canvas = MapCanvas(
            self.project, self.selection, lambda: self.layers_panel.current_layer()
        )
        self.canvas.setObjectName("map_canvas")
        self.time_panel = TimePanel()
        self.time_panel.setObjectName("time_panel")
        central = QWidget()
        box = QVBoxLayout(central)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(self.canvas, 1)
        box.addWidget(self.time_panel)
        self.setCentralWidget(central)

        self.layers_panel = LayersPanel(self.project.layers, self.undo_stack.push)
        self.layers_dock = self._dock(
            "layers_dock", tr("Layers"), self.layers_panel, Qt.DockWidgetArea.LeftDockWidgetArea
        )
        self.attribute_table = AttributeTable(self.selection)
        self.table_dock = self._dock(
            "table_dock",
            tr("Attribute table"),
            self.attribute_table,
            Qt.DockWidgetArea.BottomDockWidgetArea,
        )
        self.messages = MessagesPanel()
        self.messages_dock = self._dock(
            "messages_dock", tr("Messages"), self.messages, Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.tabifyDockWidget(self.table_dock, self.messages_dock)
        self.table_dock.raise_()
        self.identify_panel = IdentifyPanel()
        self.identify_dock = self._dock(
            "identify_dock",
            tr("Identify results"),
            self.identify_panel,
            Qt.DockWidgetArea.RightDockWidgetArea,
        )
        self._log_handler = self.messages.handler()
        logging.getLogger("harm_atlas").addHandler(self._log_handler)

        self._build_status_bar()
        self._build_actions()
        self._build_menus_and_toolbar()
        if install_plugins:
            self._install_plugins()
        self._finish_menus()
        self._connect()
        self.setAcceptDrops(True)
        self.resize(1440, 900)
        self._restore_state()

        self._autosave = QTimer(self)
        seconds = autosave_seconds or int(
            self.settings.value("autosave/seconds", DEFAULT_AUTOSAVE_SECONDS)
        )
        self._autosave.setInterval(max(5, seconds) * 1000)
        self._autosave.timeout.connect(self.autosave_now)
        self._autosave.start()
        self.set_project(self.project)

    # --- construction ------------------------------------------------------------------------
    def _dock(self, name: str, title: str, widget: QWidget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.progress = TaskProgress()
        self.measure_label = QLabel()
        self.measure_label.setStyleSheet("color:#b0003a; font-weight:600")
        self.coords_label = QLabel()
        self.coords_label.setMinimumWidth(300)
        self.scale_box = QComboBox()
        self.scale_box.setObjectName("scale_box")
        self.scale_box.setEditable(True)
        self.scale_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.scale_box.addItems([f"1:{n:,}" for n in COMMON_SCALES])
        self.scale_box.setMinimumContentsLength(10)
        self.scale_box.setToolTip(tr("Map scale on this screen: pick one or type 1:50000"))
        self.scale_box.lineEdit().returnPressed.connect(self._scale_entered)
        self.scale_box.activated.connect(lambda _i: self._scale_entered())
        self.crs_label = QLabel()
        self.synthetic_label = QLabel(tr("Synthetic data"))
        self.synthetic_label.setToolTip(SYNTHETIC_NOTE)
        self.synthetic_label.setStyleSheet(
            "color:#7a4b00; background:#fff1c9; border:1px solid #e0c070; padding:0 6px"
        )
        self.drawing_label = QLabel(tr("Drawing map…"))
        self.drawing_label.setStyleSheet("color:#666")
        self.drawing_label.hide()
        bar.addWidget(self.progress)
        bar.addWidget(self.drawing_label)
        bar.addWidget(self.measure_label)
        for widget in (self.coords_label, self.scale_box, self.crs_label, self.synthetic_label):
            bar.addPermanentWidget(widget)

    def _action(
        self,
        name: str,
        text: str,
        slot: Callable,
        shortcut=None,
        icon=None,
        tip: str = "",
        checkable: bool = False,
    ) -> QAction:
        action = QAction(text, self)
        action.setObjectName(f"action_{name}")
        if icon is not None:
            action.setIcon(icon)
        if shortcut is not None:
            keys = shortcut if isinstance(shortcut, list) else [shortcut]
            action.setShortcuts([QKeySequence(k) for k in keys])
        if tip:
            action.setStatusTip(tip)
        sc = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{text.replace('&', '').replace('…', '')}" + (f" ({sc})" if sc else ""))
        action.setCheckable(checkable)
        action.triggered.connect(lambda checked=False: slot())
        self.addAction(action)  # shortcuts work even when menus are hidden
        self.actions[name] = action
        return action

    def _build_actions(self) -> None:
        a = self._action
        std = self.style().standardIcon
        from PySide6.QtWidgets import QStyle

        sp = QStyle.StandardPixmap
        a("new_project", tr("&New project"), self.new_project, QKeySequence.StandardKey.New)
        a(
            "open_project",
            tr("&Open project…"),
            self.open_project_dialog,
            "Ctrl+Shift+O",
            std(sp.SP_DialogOpenButton),
            tr("Open a Harm Atlas project"),
        )
        a(
            "add_layer",
            tr("&Add layer…"),
            self.add_layer_dialog,
            "Ctrl+O",
            icons.add_layer(),
            tr("Add layers from files (GeoPackage, Shapefile, GeoJSON, CSV, Excel…)"),
        )
        a(
            "save",
            tr("&Save project"),
            lambda: self.save_project(),
            "Ctrl+S",
            std(sp.SP_DialogSaveButton),
        )
        a("save_as", tr("Save project &as…"), self.save_project_as, "Ctrl+Shift+S")
        a("quit", tr("&Quit"), self.close, "Ctrl+Q")
        undo = self.undo_stack.createUndoAction(self, tr("&Undo"))
        undo.setShortcuts([QKeySequence("Ctrl+Z")])
        undo.setIcon(std(sp.SP_ArrowBack))
        redo = self.undo_stack.createRedoAction(self, tr("&Redo"))
        redo.setShortcuts([QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")])
        redo.setIcon(std(sp.SP_ArrowForward))
        for name, action in (("undo", undo), ("redo", redo)):
            action.setObjectName(f"action_{name}")
            self.addAction(action)
            self.actions[name] = action
        a(
            "clear_selection",
            tr("&Clear selection"),
            lambda: self.selection.clear("window"),
            "Ctrl+Shift+A",
        )
        a(
            "zoom_in",
            tr("Zoom &in"),
            lambda: self.canvas.zoom_by(2.0),
            ["+", "=", "Ctrl++"],
            icons.zoom_in(),
        )
        a(
            "zoom_out",
            tr("Zoom &out"),
            lambda: self.canvas.zoom_by(0.5),
            ["-", "Ctrl+-"],
            icons.zoom_out(),
        )
        a(
            "zoom_full",
            tr("Zoom to &full extent"),
            self.canvas.zoom_full,
            "Ctrl+0",
            icons.full_extent(),
        )
        a("zoom_layer", tr("Zoom to &layer"), self.zoom_to_current_layer, "Ctrl+L")
        a("zoom_selection", tr("Zoom to &selection"), self.canvas.zoom_to_selection, "Ctrl+J")
        a("refresh", tr("&Refresh map"), self.canvas.request_redraw, "F5")
        self._tool_group = QActionGroup(self)
        tools = (
            ("pan", tr("&Pan"), "P", icons.pan(), tr("Drag to move the map")),
            ("zoom_box", tr("&Zoom to box"), "Z", icons.zoom_box(), tr("Drag a box to zoom in")),
            (
                "identify",
                tr("&Identify features"),
                "I",
                icons.identify(),
                tr("Click a feature to see its attributes"),
            ),
            (
                "select",
                tr("&Select features"),
                "S",
                icons.select(),
                tr(
                    "Click or drag a box on the map to select features of the current layer (Ctrl adds)"
                ),
            ),
            (
                "measure_line",
                tr("&Measure distance"),
                "M",
                icons.measure_line(),
                tr("Click points; double-click to finish; right-click to restart"),
            ),
            (
                "measure_area",
                tr("Measure &area"),
                "Shift+M",
                icons.measure_area(),
                tr("Click the corners of an area; double-click to finish"),
            ),
        )
        for name, text, key, icon, tip in tools:
            action = a(
                f"tool_{name}", text, lambda n=name: self.canvas.set_tool(n), key, icon, tip, True
            )
            self._tool_group.addAction(action)
        self.actions["tool_pan"].setChecked(True)
        a(
            "attribute_table",
            tr("Open &attribute table"),
            self.open_table_for_current,
            "F6",
            icons.table(),
        )
        a("layer_style", tr("&Style…"), self.style_current_layer, "Ctrl+Shift+L")
        a("layer_rename", tr("&Rename"), self.layers_panel.rename_current, "F2")
        a("layer_remove", tr("Re&move"), self.layers_panel.remove_current, "Ctrl+Delete")
        a("layer_up", tr("Move &up"), lambda: self.layers_panel.move_current(1), "Ctrl+Up")
        a("layer_down", tr("Move &down"), lambda: self.layers_panel.move_current(-1), "Ctrl+Down")
        a("layer_toggle", tr("Show/&hide"), self.toggle_current_layer, "Ctrl+H")
        a("time_filter", tr("&Time filter on/off"), self.time_panel.enabled.toggle, "Ctrl+T")
        a("help", tr("&Help"), self.show_help, "F1")
        a("about", tr("&About Harm Atlas"), self.show_about)

    def _build_menus_and_toolbar(self) -> None:
        bar = self.menuBar()
        act = self.actions

        def menu(key: str, title: str, names: Sequence[str | None]) -> QMenu:
            m = bar.addMenu(title)
            m.setObjectName(f"menu_{key}")
            for name in names:
                if name is None:
                    m.addSeparator()
                else:
                    m.addAction(act[name])
            self.menus[key] = m
            return m

        file_menu = menu("file", tr("&File"), ["new_project", "open_project"])
        self.recent_menu = file_menu.addMenu(tr("Open &recent"))
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        for name in (None, "save", "save_as", None, "add_layer", None, "quit"):
            file_menu.addSeparator() if name is None else file_menu.addAction(act[name])
        menu("edit", tr("&Edit"), ["undo", "redo", None, "clear_selection"])
        view = menu(
            "view",
            tr("&View"),
            [
                "tool_pan",
                "tool_zoom_box",
                "zoom_in",
                "zoom_out",
                "zoom_full",
                "zoom_layer",
                "zoom_selection",
                None,
                "tool_identify",
                "tool_select",
                "tool_measure_line",
                "tool_measure_area",
                None,
                "time_filter",
                "refresh",
                None,
            ],
        )
        self.panels_menu = view.addMenu(tr("&Panels"))
        self.panels_menu.aboutToShow.connect(self._fill_panels_menu)
        menu(
            "layer",
            tr("&Layer"),
            [
                "add_layer",
                None,
                "layer_style",
                "attribute_table",
                "layer_rename",
                "layer_toggle",
                "layer_up",
                "layer_down",
                "zoom_layer",
                None,
                "layer_remove",
            ],
        )
        self.file_menu, self.edit_menu = self.menus["file"], self.menus["edit"]
        self.view_menu, self.layer_menu = self.menus["view"], self.menus["layer"]

        tb = self.addToolBar(tr("Project"))
        tb.setObjectName("project_toolbar")
        for name in ("open_project", "save", "add_layer", "undo", "redo"):
            tb.addAction(act[name])
        nav = self.addToolBar(tr("Map navigation"))
        nav.setObjectName("map_toolbar")
        for name in (
            "tool_pan",
            "tool_zoom_box",
            "zoom_in",
            "zoom_out",
            "zoom_full",
            None,
            "tool_identify",
            "tool_select",
            "tool_measure_line",
            "tool_measure_area",
            None,
            "attribute_table",
        ):
            nav.addSeparator() if name is None else nav.addAction(act[name])
        self.toolbar = nav
        for t in (tb, nav):
            t.setMovable(True)
            t.setIconSize(t.iconSize().scaled(22, 22, Qt.AspectRatioMode.KeepAspectRatio))

    def _install_plugins(self) -> None:
        for name in PLUGIN_MODULES:
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name == name:
                    continue  # not built yet: the window works without it
                self.messages.error(tr("Could not load {m}: {e}").format(m=name, e=exc))
                continue
            except Exception as exc:  # noqa: BLE001 - a broken add-on must not stop the app
                log.exception("Import of %s failed", name)
                self.messages.error(tr("Could not load {m}: {e}").format(m=name, e=exc))
                continue
            install = getattr(module, "install", None)
            if install is None:
                continue
            try:
                install(self)
            except Exception as exc:  # noqa: BLE001
                log.exception("install() of %s failed", name)
                self.messages.error(tr("Could not set up {m}: {e}").format(m=name, e=exc))

    def _finish_menus(self) -> None:
        if getattr(self, "analysis_menu", None) is None:
            self.analysis_menu = self.menuBar().addMenu(tr("&Analysis"))
            empty = self.analysis_menu.addAction(tr("No analyses installed"))
            empty.setEnabled(False)
        self.menus["analysis"] = self.analysis_menu
        if getattr(self, "results_dock", None) is None:
            hint = QLabel(
                tr("Run an analysis from the Analysis menu: its tables and notes appear here.")
            )
            hint.setWordWrap(True)
            hint.setAlignment(Qt.AlignmentFlag.AlignTop)
            hint.setStyleSheet("color:#666; padding:6px")
            self.results_placeholder = self._dock(
                "results_dock", tr("Analysis results"), hint, Qt.DockWidgetArea.RightDockWidgetArea
            )
        self._arrange_docks()
        help_menu = self.menuBar().addMenu(tr("&Help"))
        help_menu.setObjectName("menu_help")
        help_menu.addAction(self.actions["help"])
        help_menu.addAction(self.actions["about"])
        self.menus["help"] = help_menu

    def _arrange_docks(self) -> None:
        """Default layout (QSettings may restore the user's own): map gets the most room."""
        # Right column: toolbox, identify and results as tabs (results needs ~280 px of
        # height, too much for the bottom row on a 800 px laptop screen).
        right = [
            d
            for d in (
                getattr(self, "toolbox_dock", None),
                self.identify_dock,
                getattr(self, "results_dock", None) or getattr(self, "results_placeholder", None),
            )
            if isinstance(d, QDockWidget)
        ]
        for dock in right[1:]:
            if self.dockWidgetArea(dock) != Qt.DockWidgetArea.RightDockWidgetArea:
                self.removeDockWidget(dock)
                self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
                dock.show()
            self.tabifyDockWidget(right[0], dock)
        right[0].raise_()
        self.table_dock.raise_()
        self._right_docks = right[:1]

    def _size_docks(self) -> None:
        """Give the map most of the room (runs once shown, when sizes are real)."""
        self.resizeDocks([self.layers_dock], [250], Qt.Orientation.Horizontal)
        self.resizeDocks(self._right_docks, [270], Qt.Orientation.Horizontal)
        self.resizeDocks([self.table_dock], [max(170, self.height() // 4)], Qt.Orientation.Vertical)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if not self._sized:
            self._sized = True
            if self.settings.value("window/state") is None:  # the user's own layout wins
                QTimer.singleShot(0, self._size_docks)

    def _connect(self) -> None:
        canvas = self.canvas
        canvas.cursor_moved.connect(self._show_coordinates)
        canvas.view_changed.connect(self._show_scale)
        canvas.identified.connect(self._show_identify)
        canvas.measured.connect(self.measure_label.setText)
        canvas.render_failed.connect(self.messages.error)
        canvas.drawing.connect(self.drawing_label.setVisible)
        canvas.legend_changed.connect(self.layers_panel.model.set_legend)
        self.selection.changed.connect(canvas.request_redraw)
        self.time_panel.period_changed.connect(self.set_time_filter)
        self.undo_stack.cleanChanged.connect(self._update_title)
        self.undo_stack.indexChanged.connect(self._update_title)
        self.tasks.count_changed.connect(self._tasks_changed)
        self.layers_panel.open_table_requested.connect(self.open_table)
        self.layers_panel.style_requested.connect(self.edit_style)
        self.layers_panel.zoom_requested.connect(canvas.zoom_to_layer)
        self.layers_panel.model.layer_rename_failed.connect(self.messages.warning)
        self.layers_panel.current_layer_changed.connect(self._current_layer_changed)
        self.attribute_table.filter_failed.connect(self.messages.warning)

    # --- project -----------------------------------------------------------------------------
    def set_project(self, project: Project, prepared: MapRenderer | None = None) -> None:
        """Show `project` (the previous one is dropped; callers asked about unsaved work).

        `prepared`: a MapRenderer the loader built for it (desktop.loading.prepare_map).
        """
        for signal, slot in self._layer_connections:
            signal.disconnect(slot)
        release_removed_layers(self.project.layers if project is not self.project else ())
        self.project = project
        self.selection.clear("window")
        self.undo_stack.clear()
        self._dirty = False
        lst = project.layers
        self._layer_connections = [
            (lst.inserted, self._layers_structure_changed),
            (lst.removed, self._layer_removed),
            (lst.moved, self._layers_structure_changed),
            (lst.layer_changed, self._layer_changed),
        ]
        for signal, slot in self._layer_connections:
            signal.connect(slot)
        self.layers_panel.set_layers(lst)
        self.canvas.set_project(project, prepared)
        self.time_panel.set_layers(list(lst), project.time_filter)
        self._refresh_table_layers()
        self.crs_label.setText(crs_label(project.metric_crs) if len(lst) else "")
        self.synthetic_label.setVisible(project.is_synthetic)
        self._update_title()
        self._show_scale()
        self._settle_timer.start()
        self.project_changed.emit(project)

    def _layers_structure_changed(self, *_args) -> None:
        first_layers = len(self.project.layers) and not self.canvas._has_view
        self.canvas._to_lonlat = None
        self.canvas.request_redraw()
        self._refresh_table_layers()
        self.time_panel.set_layers(list(self.project.layers), self.project.time_filter)
        self.synthetic_label.setVisible(self.project.is_synthetic)
        self.crs_label.setText(crs_label(self.project.metric_crs))
        if first_layers:
            self.canvas.zoom_full()
        # Not inside this slot: a removed layer is still referenced by the signal that said so.
        self._settle_timer.start()

    def _current_layer_changed(self, layer: Layer | None) -> None:
        # The model's selection is what analyses and exports read as "the current layer".
        self.project.layers.selection = [layer] if layer is not None else []

    def _layer_removed(self, _index: int, layer: Layer) -> None:
        release_removed_layers([layer])
        self.canvas.renderer.forget(layer)
        self.selection.forget(layer)
        if self.attribute_table.model.layer is layer:
            self.attribute_table.show_layer(None)
        self._layers_structure_changed()

    def _layer_changed(self, layer: Layer, attribute: str) -> None:
        self.canvas.request_redraw()
        if attribute == "name":
            self._refresh_table_layers()
        elif attribute in ("mapping", "data"):
            self.time_panel.set_layers(list(self.project.layers), self.project.time_filter)
            if attribute == "data" and self.attribute_table.model.layer is layer:
                self.attribute_table.show_layer(layer)

    def _refresh_table_layers(self) -> None:
        self.attribute_table.set_layers(list(reversed(list(self.project.layers))))

    def set_time_filter(self, period: TimeFilter | None) -> None:
        if period == self.project.time_filter:
            return
        self.project.time_filter = period
        self._dirty = True
        self.canvas.request_redraw()
        self._update_title()

    @property
    def is_modified(self) -> bool:
        return self._dirty or not self.undo_stack.isClean()

    def _update_title(self, *_args) -> None:
        parts = [self.project.title, self.project.path.name if self.project.path else ""]
        name = " · ".join(p for p in parts if p) or tr("Untitled project")
        try:
            self.setWindowTitle(f"{name}[*] — {APP_NAME}")
            self.setWindowModified(self.is_modified)
        except RuntimeError:  # the undo stack signals while the window is being destroyed
            pass

    # --- tasks -------------------------------------------------------------------------------
    def run_task(
        self,
        fn: Callable[[Feedback], Any],
        title: str,
        on_finished: Callable[[Any], None] | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> Worker:
        """Run `fn(feedback)` in the pool with progress and Cancel in the status bar."""
        worker = self.tasks.start(fn, title, on_finished, on_error or self._task_failed(title))
        worker.signals.canceled.connect(
            lambda: self.messages.info(tr("{t}: canceled.").format(t=title))
        )
        self.progress.track(worker)
        return worker

    def _task_failed(self, title: str) -> Callable[[str], None]:
        def show(message: str) -> None:
            self.messages.error(f"{title}: {message}")
            QMessageBox.warning(self, title, message)

        return show

    def _tasks_changed(self, count: int) -> None:
        self.busy = count > 0

    def wait_for_tasks(self, timeout_ms: int = 30000) -> bool:
        """Block until background tasks finish (tests and shutdown)."""
        from PySide6.QtCore import QCoreApplication, QElapsedTimer

        clock = QElapsedTimer()
        clock.start()
        while self.tasks.active and clock.elapsed() < timeout_ms:
            self.thread_pool.waitForDone(20)
            QCoreApplication.processEvents()
        return not self.tasks.active

    # --- files -------------------------------------------------------------------------------
    def add_layer_dialog(self) -> None:
        start = self.settings.value("paths/last_layer_dir", str(Path.home()))
        paths, _ = QFileDialog.getOpenFileNames(self, tr("Add layers"), start, LAYER_FILE_FILTER)
        if paths:
            self.settings.setValue("paths/last_layer_dir", str(Path(paths[0]).parent))
            self.add_layers_from(paths)

    def add_layers_from(self, paths: Sequence[str | Path]) -> Worker:
        """Read files in the background; good ones are added (one undo step), bad ones explained."""
        paths = [str(p) for p in paths]
        crs = self.project.metric_crs if len(self.project.layers) else None
        title = (
            tr("Loading {n} file(s)").format(n=len(paths))
            if len(paths) > 1
            else tr("Loading {f}").format(f=Path(paths[0]).name)
        )
        return self.run_task(lambda fb: load_files(paths, fb, crs), title, self._files_loaded)

    def _files_loaded(self, outcome: LoadOutcome) -> None:
        if outcome.layers:
            self.undo_stack.push(AddLayers(self.project.layers, outcome.layers))
            for layer in outcome.layers:
                self._report_load(layer)
            self.layers_panel.set_current_layer(outcome.layers[-1])
        if outcome.errors:
            self.show_load_errors(outcome.errors)

    def _report_load(self, layer: Layer) -> None:
        report = layer.report
        self.messages.info(
            tr("Loaded {n}: {c:,} features, role {r}.").format(
                n=layer.name, c=len(layer.data), r=layer.role.label
            )
        )
        for text in report.repairs:
            self.messages.repair(f"{layer.name}: {text}")
        for text in report.warnings:
            self.messages.warning(f"{layer.name}: {text}")

    def show_load_errors(self, errors: Sequence[LayerLoadError]) -> None:
        """One clear box per batch: which file, what is wrong, what to do. Nothing else changes."""
        for err in errors:
            self.messages.error(err.one_line())
        details = "\n\n".join(
            f"{Path(e.path).name}\n{e.problem}" + (f"\n{e.remedy}" if e.remedy else "")
            for e in errors
        )
        QMessageBox.warning(
            self,
            tr("Some files could not be opened"),
            tr("{n} file(s) could not be opened. Everything already loaded is unchanged.").format(
                n=len(errors)
            )
            + "\n\n"
            + details,
        )

    def open_project_dialog(self) -> None:
        if not self.maybe_save():
            return
        start = self.settings.value("paths/last_project_dir", str(Path.home()))
        path, _ = QFileDialog.getOpenFileName(self, tr("Open project"), start, PROJECT_FILTER)
        if path:
            self.open_project(path, ask=False)

    def open_project(
        self, path: str | Path, ask: bool = True, offer_recovery: bool = True
    ) -> Worker | None:
        """Load a project in the background; the current one stays until the new one is read."""
        if ask and not self.maybe_save():
            return None
        path = Path(path)
        self.settings.setValue("paths/last_project_dir", str(path.parent))

        def loaded(opened: OpenedProject) -> None:
            project = opened.project
            self.last_load_seconds = opened.seconds
            self.set_project(project, opened.renderer)
            self.add_recent(project.path or path)
            self.messages.info(
                tr("Opened {p} ({n} layers) in {s:.1f} s.").format(
                    p=path.name, n=len(project.layers), s=sum(opened.seconds.values())
                )
            )
            for layer in project.layers:
                for text in layer.report.repairs:
                    self.messages.repair(f"{layer.name}: {text}")
            if project.load_errors:
                self.show_load_errors(project.load_errors)
            if offer_recovery:
                self.offer_recovery(project.path)

        def failed(message: str) -> None:
            self.messages.error(message)
            QMessageBox.critical(
                self,
                tr("Could not open the project"),
                tr("{m}\n\nThe project that was open is unchanged.").format(m=message),
            )

        size = self.canvas.view_size()
        return self.run_task(
            lambda fb: open_project_for_map(path, fb, size),
            tr("Opening {p}").format(p=path.name),
            loaded,
            failed,
        )

    def new_project(self) -> None:
        if self.maybe_save():
            self.set_project(Project())

    def save_project(self, path: str | Path | None = None) -> bool:
        """Save (atomically) to `path` or the project's own path; asks where if it has none."""
        if path is None and self.project.path is None:
            return self.save_project_as()
        old_path = self.project.path
        self.project.extent = tuple(self.canvas.extent)
        try:
            saved = self.project.save(path)
        except Exception as exc:  # noqa: BLE001 - disk full, permissions, bad layer: say so
            log.exception("Save failed")
            QMessageBox.critical(
                self,
                tr("Could not save the project"),
                tr("{e}\n\nYour work is still open; try another folder.").format(e=exc),
            )
            return False
        self.undo_stack.setClean()
        self._dirty = False
        discard(self.recovery_dir, old_path)
        discard(self.recovery_dir, saved)
        self.add_recent(saved)
        self._update_title()
        self.messages.info(tr("Saved {p}.").format(p=saved))
        self.statusBar().showMessage(tr("Saved {p}").format(p=saved.name), 4000)
        return True

    def save_project_as(self) -> bool:
        start = str(
            self.project.path
            or Path(self.settings.value("paths/last_project_dir", str(Path.home())))
            / ("project" + PROJECT_SUFFIX)
        )
        path, _ = QFileDialog.getSaveFileName(self, tr("Save project as"), start, PROJECT_FILTER)
        if not path:
            return False
        if not path.endswith(PROJECT_SUFFIX):
            path = path.removesuffix(".json") + PROJECT_SUFFIX
        return self.save_project(path)

    def maybe_save(self) -> bool:
        """Ask about unsaved changes; False means the user chose Cancel."""
        if not self.is_modified:
            return True
        answer = QMessageBox.question(
            self,
            tr("Unsaved changes"),
            tr("Save the changes to {p} first?").format(
                p=self.project.path.name if self.project.path else tr("the untitled project")
            ),
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.save_project()
        if answer == QMessageBox.StandardButton.Discard:
            discard(self.recovery_dir, self.project.path)
            return True
        return False

    # --- recent projects ---------------------------------------------------------------------
    def recent_projects(self) -> list[str]:
        value = self.settings.value("recent_projects", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or [])]

    def add_recent(self, path: str | Path) -> None:
        path = str(Path(path).resolve())
        recent = [p for p in self.recent_projects() if p != path]
        self.settings.setValue("recent_projects", [path, *recent][:MAX_RECENT])

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.recent_projects()
        if not recent:
            self.recent_menu.addAction(tr("No recent projects")).setEnabled(False)
        for i, path in enumerate(recent):
            action = self.recent_menu.addAction(f"&{i + 1}  {Path(path).name}")
            action.setToolTip(path)
            action.setEnabled(Path(path).exists())
            action.triggered.connect(lambda _=False, p=path: self.open_project(p))

    def _fill_panels_menu(self) -> None:
        self.panels_menu.clear()
        for dock in sorted(self.findChildren(QDockWidget), key=lambda d: d.windowTitle()):
            self.panels_menu.addAction(dock.toggleViewAction())
        for bar in self.findChildren(QToolBar):
            self.panels_menu.addAction(bar.toggleViewAction())

    # --- autosave and recovery -----------------------------------------------------------------
    def autosave_now(self) -> Path | None:
        """Write the recovery file if there is unsaved work (runs every N seconds)."""
        if not self.is_modified or not len(self.project.layers):
            return None
        self.project.extent = tuple(self.canvas.extent)
        target = recovery_path(self.recovery_dir, self.project.path)
        try:
            return self._recovery.write(self.project, target)
        except Exception as exc:  # noqa: BLE001 - autosave must never interrupt work
            log.warning("Autosave failed: %s", exc)
            return None

    def offer_recovery(self, project_path: Path | None) -> Worker | None:
        found = find_recovery(self.recovery_dir, project_path)
        if found is None:
            return None
        answer = QMessageBox.question(
            self,
            tr("Recover unsaved work?"),
            tr(
                "Harm Atlas closed without saving {p}. An autosave from {t} is newer than the "
                "saved file.\n\nRestore the autosave? (No keeps the saved project and deletes the autosave.)"
            ).format(
                p=Path(project_path).name if project_path else tr("an untitled project"),
                t=_mtime(found),
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        if answer != QMessageBox.StandardButton.Yes:
            discard(self.recovery_dir, project_path)
            return None

        def restored(opened: OpenedProject) -> None:
            project = opened.project
            project.path = Path(project_path) if project_path else None
            project.metadata.pop("recovery_of", None)
            project.metadata.pop("saved_at", None)
            self.set_project(project, opened.renderer)
            self._dirty = True  # restored work is unsaved until the analyst saves it
            self._update_title()
            self.messages.info(tr("Restored unsaved work from the autosave."))

        size = self.canvas.view_size()
        return self.run_task(
            lambda fb: open_project_for_map(found, fb, size), tr("Restoring autosave"), restored
        )

    # --- layers ------------------------------------------------------------------------------
    def add_layer(self, layer: Layer) -> None:
        self.undo_stack.push(AddLayers(self.project.layers, [layer]))

    def zoom_to_current_layer(self) -> None:
        layer = self.layers_panel.current_layer()
        if layer is not None:
            self.canvas.zoom_to_layer(layer)

    def toggle_current_layer(self) -> None:
        layer = self.layers_panel.current_layer()
        if layer is not None:
            self.undo_stack.push(
                SetLayerAttribute(
                    layer, "visible", not layer.visible, tr("Show/hide {n}").format(n=layer.name)
                )
            )

    def open_table_for_current(self) -> None:
        layer = self.layers_panel.current_layer()
        if layer is not None:
            self.open_table(layer)

    def open_table(self, layer: Layer) -> None:
        self.table_dock.show()
        self.table_dock.raise_()
        self.attribute_table.show_layer(layer)

    def style_current_layer(self) -> None:
        layer = self.layers_panel.current_layer()
        if layer is not None:
            self.edit_style(layer)

    def edit_style(self, layer: Layer) -> None:
        dialog = StyleDialog(layer, self)
        dialog.apply_button.clicked.connect(lambda: self.apply_style(layer, dialog.style()))
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.apply_style(layer, dialog.style())

    def apply_style(self, layer: Layer, style) -> None:
        if style != layer.style:
            self.undo_stack.push(
                SetLayerAttribute(layer, "style", style, tr("Style of {n}").format(n=layer.name))
            )

    # --- status ------------------------------------------------------------------------------
    def _show_coordinates(self, x: float, y: float) -> None:
        try:
            lon, lat = self.canvas.lonlat(x, y)
        except Exception:  # noqa: BLE001 - outside the projection's domain
            lon = lat = float("nan")
        self.coords_label.setText(f"{lat:.5f}°, {lon:.5f}°   E {x:,.0f}  N {y:,.0f} m")

    def _show_scale(self, *_args) -> None:
        self.scale_box.setEditText(f"1:{_round_scale(self.canvas.scale_denominator()):,}")

    def _scale_entered(self) -> None:
        text = self.scale_box.currentText().replace(",", "").replace(" ", "").replace(".", "")
        try:
            denominator = float(text.split(":", 1)[-1])
            if denominator <= 0:
                raise ValueError
        except ValueError:
            self.statusBar().showMessage(tr("Type a scale like 1:50000."), 4000)
            self._show_scale()
            return
        self.canvas.set_scale_denominator(denominator)

    def _show_identify(self, x: float, y: float, hits: list) -> None:
        lon, lat = self.canvas.lonlat(x, y)
        self.identify_panel.show_results(lon, lat, hits)
        self.identify_dock.show()
        self.identify_dock.raise_()

    # --- help ----------------------------------------------------------------------------------
    def shortcut_rows(self) -> list[tuple[str, str]]:
        rows = []
        for action in self.actions.values():
            keys = ", ".join(
                s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts()
            )
            if keys:
                rows.append((action.text().replace("&", ""), keys))
        return rows

    def show_help(self) -> None:
        dialog = QDialog(self)
        dialog.setWindowTitle(tr("Harm Atlas help"))
        text = QTextBrowser()
        text.setHtml(
            tr(
                "<h3>Working with the map</h3>"
                "<p>Drag to pan, use the wheel to zoom. Add layers with <b>Ctrl+O</b> or drop files "
                "on the window. Tick a layer to show it; drag it up to draw it on top; double-click it "
                "to style it. The time bar under the map filters every dated layer: press ▶ to watch "
                "the years go by.</p><p>Every layer edit can be undone (<b>Ctrl+Z</b>). Your work is "
                "autosaved; after a crash Harm Atlas offers to restore it.</p>"
            )
        )
        table = QTableWidget(0, 2)
        table.setHorizontalHeaderLabels([tr("Action"), tr("Shortcut")])
        for action, keys in self.shortcut_rows():
            r = table.rowCount()
            table.insertRow(r)
            table.setItem(r, 0, QTableWidgetItem(action))
            table.setItem(r, 1, QTableWidgetItem(keys))
        table.resizeColumnsToContents()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(dialog.reject)
        box = QVBoxLayout(dialog)
        box.addWidget(text)
        box.addWidget(table)
        box.addWidget(buttons)
        dialog.resize(560, 620)
        dialog.open()
        self._help_dialog = dialog

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            tr("About Harm Atlas"),
            tr(
                "<b>Harm Atlas</b><p>Judge drug-law enforcement by what it does to communities: "
                "displacement of cultivation, violence, access to health services and harm to "
                "protected areas, beside the old enforcement figures.</p><p>Works fully offline.</p>"
            ),
        )

    # --- drag and drop --------------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt override
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        self.drop_paths(paths)
        event.acceptProposedAction()

    def drop_paths(self, paths: Sequence[str]) -> None:
        projects = [p for p in paths if p.endswith(PROJECT_SUFFIX)]
        layers = [p for p in paths if not p.endswith(PROJECT_SUFFIX)]
        if projects:
            self.open_project(projects[0])
        if layers:
            self.add_layers_from(layers)

    # --- state -----------------------------------------------------------------------------------
    def _restore_state(self) -> None:
        geometry = self.settings.value("window/geometry")
        state = self.settings.value("window/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)

    def save_state(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.sync()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        if not self.maybe_save():
            event.ignore()
            return
        self.save_state()
        self._autosave.stop()
        self.tasks.cancel_all()
        self.wait_for_tasks(5000)
        self.canvas.shutdown()
        logging.getLogger("harm_atlas").removeHandler(self._log_handler)
        event.accept()


def _round_scale(n: float) -> int:
    if not n or n != n or n == float("inf"):
        return 0
    digits = max(0, len(str(int(n))) - 2)
    return int(round(n / 10**digits) * 10**digits)


def _mtime(path: Path) -> str:
    from datetime import datetime

    return datetime.fromtimestamp(os.path.getmtime(path)).strftime("%Y-%m-%d %H:%M")
