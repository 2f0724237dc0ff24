"""The main window an analyst works in all day: map, layers, table, time, messages.

What the user has open and chosen (project, period, selection, current layer) lives in one
core.state.AppState, `window.state`; the canvas, the time bar, the layer panel, the table and
the identify panel follow its events instead of being told by the window. What plugins may use
is the typed workbench (desktop/workbench.py). The window's other jobs have their own modules:
actions, menus and help (window_actions.py), the project's life and files (project_files.py),
the status bar (status_bar.py).

Public surface used by the widgets and the tests: `state`, `project`, `canvas`,
`layers_dock`/`layers_panel`, `table_dock`/`attribute_table`, `messages`, `undo_stack`,
`thread_pool`, `tasks`, `selection`, `menus`, `actions`, `docks`, `open_project(path)`,
`save_project(path=None)`, `add_layers_from(paths)`, `run_task(fn, title, on_finished)`,
and the `project_changed` signal.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QElapsedTimer,
    QSettings,
    QStandardPaths,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
)
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QDialog,
    QDockWidget,
    QLabel,
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from analysis.base import Feedback
from cartography.render import MapRenderer
from desktop.attribute_table import AttributeTable
from desktop.canvas import MapCanvas
from desktop.debounce import debounce_timer
from desktop.identify_panel import IdentifyPanel
from desktop.layers_dock import LayersPanel
from desktop.memory import release_removed_layers, settle_loaded_layers
from desktop.messages import MessagesPanel
from desktop.project_files import ProjectFiles
from desktop.raster_desktop import RasterWindow, raster_hits_at
from desktop.recovery import RecoveryWriter
from desktop.selection import FeatureSelection
from desktop.status_bar import MapStatusBar
from desktop.style_dialog import StyleDialog
from desktop.time_panel import TimePanel
from desktop.undo import AddLayers, SetLayerAttribute
from desktop.window_actions import WindowActions
from desktop.workbench import WorkbenchWindow
from desktop.workers import TaskRunner, Worker
from layers.crs import crs_label
from layers.i18n import tr, tr_noop
from layers.layer import Layer, is_raster
from layers.project import Project
from layers.timefilter import TimeFilter

log = logging.getLogger("harm_atlas.desktop")

APP_NAME = "Harm Atlas"
DEFAULT_AUTOSAVE_SECONDS = 60
# Widgets built by the analysis helper; each exposes install(window: Workbench).
PLUGIN_MODULES = (
    "desktop.analysis_dialog",
    "desktop.toolbox",
    "desktop.results_dock",
    "desktop.export_dialog",
    "desktop.compare_view",
    "desktop.region_table_dialog",  # Layer ▸ Join region table… (issue 17)
    "desktop.edit_tools",  # Edit ▸ drawing and editing, the editing toolbar (issue 18)
)


def default_recovery_dir() -> Path:
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base or Path.home() / ".harm-atlas") / "recovery"


class MainWindow(ProjectFiles, RasterWindow, WindowActions, MapStatusBar, WorkbenchWindow):
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
        project = project or Project()
        self.settings = settings or QSettings()
        self.thread_pool = thread_pool or QThreadPool(self)
        if thread_pool is None:
            self.thread_pool.setMaxThreadCount(2)
        self.tasks = TaskRunner(self.thread_pool, self)
        self.undo_stack = QUndoStack(self)
        self.selection = FeatureSelection(self.state, self)
        self.recovery_dir = Path(recovery_dir) if recovery_dir else default_recovery_dir()
        self._recovery = RecoveryWriter()
        self.busy = False  # a background task is running
        self.last_load_seconds: dict[str, float] = {}  # the last project opened: per layer, map
        self._sized = False
        self._table_sized = False
        self._dirty = False  # changes outside the undo stack (period, view)
        self._clean_period: TimeFilter | None = None  # the period as last opened or saved
        self._shown: Project | None = None
        self._prepared: MapRenderer | None = None
        self._layer_connections: list = []
        # Keeps loaded geometries out of GC walks (memory.py); as soon as the change that
        # asked for it is done, so its one collection is part of that action, not a later drag.
        self._settle_timer = debounce_timer(self, 0, settle_loaded_layers)

        self.canvas = MapCanvas(project, self.selection, lambda: self.state.current_layer)
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
        self._build_docks(project)

        self._build_status_bar()
        self._build_actions()
        self._build_menus_and_toolbar()
        if install_plugins:
            self._install_plugins()
        self._finish_menus()
        self._arrange_docks()
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
        self.set_project(project)

    # --- construction ------------------------------------------------------------------------
    def _dock(self, dock_id: str, name: str, title: str, widget: QWidget, area) -> QDockWidget:
        """`title` is English (tr_noop): shown through tr, again on a language switch."""
        dock = QDockWidget(tr(title), self)
        self.translated(lambda: dock.setWindowTitle(tr(title)))
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.add_dock(dock_id, dock, area)
        return dock

    def _build_docks(self, project: Project) -> None:
        left, right = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea
        self.layers_panel = LayersPanel(project.layers, self.undo_stack.push)
        self.layers_dock = self._dock(
            "layers", "layers_dock", tr_noop("Layers"), self.layers_panel, left
        )
        self.attribute_table = AttributeTable(self.selection)
        self.table_dock = self._dock(
            "attribute_table",
            "table_dock",
            tr_noop("Attribute table"),
            self.attribute_table,
            Qt.DockWidgetArea.BottomDockWidgetArea,
        )
        self.messages = MessagesPanel()
        self.messages_dock = self._dock(
            "messages", "messages_dock", tr_noop("Messages"), self.messages, right
        )
        self.identify_panel = IdentifyPanel()
        self.identify_dock = self._dock(
            "identify", "identify_dock", tr_noop("Identify results"), self.identify_panel, right
        )
        self._log_handler = self.messages.handler()
        logging.getLogger("harm_atlas").addHandler(self._log_handler)

    def _install_plugins(self) -> None:
        for name in PLUGIN_MODULES:
            try:
                module = importlib.import_module(name)
                module.install(self)
            except Exception as exc:  # noqa: BLE001 - a broken add-on must not stop the app
                log.exception("Setting up %s failed", name)
                self.messages.error(tr("Could not set up {m}: {e}").format(m=name, e=exc))

    def _arrange_docks(self) -> None:
        """Default layout (QSettings restores the user's own): the map gets the most room.

        Layers on the left; toolbox, identify, results and messages as tabs on the right; the
        attribute table under the map only when asked for (F6, the layer's menu)."""
        if "results" not in self.docks:
            hint = QLabel()
            self.translated(
                lambda: hint.setText(
                    tr("Run an analysis from the Analysis menu: its tables and notes appear here.")
                )
            )
            hint.setWordWrap(True)
            hint.setAlignment(Qt.AlignmentFlag.AlignTop)
            hint.setStyleSheet("color:#666; padding:6px")
            self._dock(
                "results",
                "results_dock",
                tr_noop("Analysis results"),
                hint,
                Qt.DockWidgetArea.RightDockWidgetArea,
            )
        right = [
            self.docks[d] for d in ("toolbox", "identify", "results", "messages") if d in self.docks
        ]
        # Side tabs run down the docks' height, where every title fits in either language
        # (four tabs under a 270-pixel dock cut "Caja de herramientas" to "Caja de herra…").
        self.setTabPosition(Qt.DockWidgetArea.RightDockWidgetArea, QTabWidget.TabPosition.East)
        self.setTabPosition(Qt.DockWidgetArea.LeftDockWidgetArea, QTabWidget.TabPosition.West)
        for dock in right[1:]:
            if self.dockWidgetArea(dock) != Qt.DockWidgetArea.RightDockWidgetArea:
                self.removeDockWidget(dock)
                self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
                dock.show()
            self.tabifyDockWidget(right[0], dock)
        right[0].raise_()
        self.table_dock.hide()
        self._right_docks = right[:1]

    def _size_docks(self) -> None:
        """Give the map most of the room (runs once shown, when sizes are real)."""
        self.resizeDocks([self.layers_dock], [250], Qt.Orientation.Horizontal)
        self.resizeDocks(self._right_docks, [270], Qt.Orientation.Horizontal)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if not self._sized:
            self._sized = True
            if self.settings.value("window/state") is None:  # the user's own layout wins
                QTimer.singleShot(0, self._size_docks)

    def _connect(self) -> None:
        canvas, state = self.canvas, self.state
        self._connect_status_bar()
        canvas.identified.connect(self._show_identify)
        canvas.render_failed.connect(self.messages.error)
        canvas.rendered.connect(self._check_raster_errors)
        canvas.legend_changed.connect(self.layers_panel.model.set_legend)
        state.events.project.connect(self._show_project)
        state.events.period.connect(self._period_changed)
        state.events.current_layer.connect(self._current_layer_changed)
        # A language switch: the title and the panels' texts (the map redraws by canvas.follow).
        state.events.language.connect(self._update_title)
        for view in (self.messages, self.identify_panel, self.attribute_table):
            state.events.language.connect(view.retranslate)
        canvas.follow(state)
        self.time_panel.follow(state)
        self.layers_panel.follow(state)
        self.identify_panel.follow(state)
        self.undo_stack.cleanChanged.connect(self._update_title)
        self.undo_stack.indexChanged.connect(self._update_title)
        self.tasks.count_changed.connect(self._tasks_changed)
        self.layers_panel.open_table_requested.connect(self.open_table)
        self.layers_panel.style_requested.connect(self.edit_style)
        self.layers_panel.zoom_requested.connect(canvas.zoom_to_layer)
        self.layers_panel.overviews_requested.connect(self.build_overviews)
        self.layers_panel.model.layer_rename_failed.connect(self.messages.warning)
        self.attribute_table.filter_failed.connect(self.messages.warning)

    # --- project -----------------------------------------------------------------------------
    def set_project(self, project: Project, prepared: MapRenderer | None = None) -> None:
        """Show `project` (the previous one is dropped; callers asked about unsaved work).

        `prepared`: a MapRenderer the loader built for it (desktop.loading.prepare_map).
        """
        self._prepared = prepared
        if project is self.state.project:
            self._show_project(project)
        else:
            self.state.set_project(project)  # every view follows its project event
        self._mark_clean()

    def _show_project(self, project: Project | None) -> None:
        """The state's project changed: the window's own part of showing it."""
        if project is None:  # the window always shows a project, maybe an empty one
            self.state.set_project(Project())
            return
        for signal, slot in self._layer_connections:
            signal.disconnect(slot)
        if self._shown is not None and self._shown is not project:
            release_removed_layers(self._shown.layers)
        self._shown = project
        self.undo_stack.clear()
        lst = project.layers
        self._layer_connections = [
            (lst.inserted, self._layers_structure_changed),
            (lst.removed, self._layer_removed),
            (lst.moved, self._layers_structure_changed),
            (lst.layer_changed, self._layer_changed),
        ]
        for signal, slot in self._layer_connections:
            signal.connect(slot)
        prepared, self._prepared = self._prepared, None
        self.canvas.set_project(project, prepared)
        self._refresh_table_layers()
        self.crs_label.setText(crs_label(project.metric_crs) if len(lst) else "")
        self.synthetic_label.setVisible(project.is_synthetic)
        self._mark_clean()
        self._clean_period = project.time_filter  # the state announces it just after this
        self._show_scale()
        self._settle_timer.start()
        self.project_changed.emit(project)

    def _layers_structure_changed(self, *_args) -> None:
        first_layers = len(self.project.layers) and not self.canvas.has_view
        self.canvas.layers_changed()
        self._refresh_table_layers()
        # Dates come from features and from rasters drawn as forest loss (years of loss).
        self.time_panel.set_layers(list(self.project.layers), self.state.period)
        self.synthetic_label.setVisible(self.project.is_synthetic)
        self.crs_label.setText(crs_label(self.project.metric_crs))
        if first_layers:
            self.canvas.zoom_full()
        # Not inside this slot: a removed layer is still referenced by the signal that said so.
        self._settle_timer.start()

    def _current_layer_changed(self, layer: Layer | None) -> None:
        # The layer list's selection is what analyses and exports read as "the current layer".
        self.project.layers.selection = [layer] if layer is not None else []

    def _layer_removed(self, _index: int, layer: Layer) -> None:
        release_removed_layers([layer])
        self.canvas.renderer.forget(layer)
        if self.attribute_table.model.layer is layer:
            self.attribute_table.show_layer(None)
        self._layers_structure_changed()

    def _layer_changed(self, layer: Layer, attribute: str) -> None:
        self.canvas.request_redraw()
        if attribute == "name":
            self._refresh_table_layers()
        elif attribute in ("mapping", "data", "style"):  # a raster restyled as forest loss
            self.time_panel.set_layers(list(self.project.layers), self.state.period)
            if attribute == "data" and self.attribute_table.model.layer is layer:
                self.attribute_table.show_layer(layer)

    def _refresh_table_layers(self) -> None:
        self.attribute_table.set_layers(list(reversed(self.project.layers.vectors())))

    def _period_changed(self, period: TimeFilter | None) -> None:
        if period != self._clean_period:  # saved with the project: unsaved until then
            self._dirty = True
        self._update_title()

    def _mark_clean(self) -> None:
        """What is open now is what is on disk (just opened or saved)."""
        self._dirty = False
        self._clean_period = self.state.period
        self.undo_stack.setClean()
        self._update_title()

    @property
    def is_modified(self) -> bool:
        return self._dirty or not self.undo_stack.isClean()

    def _update_title(self, *_args) -> None:
        project = self.state.project
        if project is None:
            return
        parts = [project.title, project.path.name if project.path else ""]
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
        clock = QElapsedTimer()
        clock.start()
        while self.tasks.active and clock.elapsed() < timeout_ms:
            self.thread_pool.waitForDone(20)
            QCoreApplication.processEvents()
        return not self.tasks.active

    # --- layers ------------------------------------------------------------------------------
    def add_layer(self, layer: Layer) -> None:
        self.undo_stack.push(AddLayers(self.project.layers, [layer]))

    def zoom_to_current_layer(self) -> None:
        layer = self.state.current_layer
        if layer is not None:
            self.canvas.zoom_to_layer(layer)

    def toggle_current_layer(self) -> None:
        layer = self.state.current_layer
        if layer is not None:
            self.undo_stack.push(
                SetLayerAttribute(
                    layer, "visible", not layer.visible, tr("Show/hide {n}").format(n=layer.name)
                )
            )

    def open_table_for_current(self) -> None:
        """F6: the attribute table of the current layer (the top layer when none is)."""
        layers = self.project.layers
        layer = self.state.current_layer or (layers[len(layers) - 1] if len(layers) else None)
        self.open_table(layer)

    def open_table(self, layer: Layer | None) -> None:
        """Show the attribute table under the map with `layer`; it opens only when asked."""
        self.table_dock.show()
        self.table_dock.raise_()
        if not self._table_sized and self.settings.value("window/state") is None:
            self._table_sized = True  # first opening without a saved layout: a third of the map
            self.resizeDocks(
                [self.table_dock], [max(170, self.height() // 3)], Qt.Orientation.Vertical
            )
        if layer is not None:
            self.attribute_table.show_layer(layer)

    def style_current_layer(self) -> None:
        layer = self.state.current_layer
        if layer is not None:
            self.edit_style(layer)

    def edit_style(self, layer: Layer) -> None:
        if is_raster(layer):
            self.edit_raster_style(layer)
            return
        dialog = StyleDialog(layer, self)
        dialog.apply_button.clicked.connect(lambda: self.apply_style(layer, dialog.style()))
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.apply_style(layer, dialog.style())

    def apply_style(self, layer: Layer, style) -> None:
        if style != layer.style:
            self.undo_stack.push(
                SetLayerAttribute(layer, "style", style, tr("Style of {n}").format(n=layer.name))
            )

    def _show_identify(self, x: float, y: float, hits: list) -> None:
        lon, lat = self.canvas.lonlat(x, y)
        pixels = raster_hits_at(self.project.layers, self.canvas.crs, x, y)
        self.identify_panel.show_results(lon, lat, hits, pixels)
        self.identify_dock.show()
        self.identify_dock.raise_()

    # --- window layout -----------------------------------------------------------------------
    def _restore_state(self) -> None:
        geometry = self.settings.value("window/geometry")
        state = self.settings.value("window/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)

    def save_state(self) -> None:
        """Remember the window's size and where its panels are (open, closed, sizes)."""
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
