"""The main window's actions, menus, toolbars, shortcuts and help (a mixin of MainWindow).

Actions are kept by id in `window.actions` and menus by id in `window.menus`
(desktop/workbench.py); an id that names a headless action in core/actions.py
('project.open', 'project.save', 'period.clear', 'selection.clear') is the same id here, so a
menu entry, its shortcut and a script all mean one thing. Shortcuts follow QGIS where QGIS
has one (Ctrl+O opens a project, Ctrl+L / Ctrl+Shift+V add a layer, F6 the attribute table).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QMessageBox,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QToolBar,
    QVBoxLayout,
)

from core.registry import ACTIONS
from desktop import icons
from desktop.basemap_menu import BasemapMenu
from desktop.language import language_names, remember_language
from layers.i18n import tr, tr_noop

# Window action id -> the core/actions.py id it runs (the registry's name for the same thing).
CORE_ACTION_IDS = {
    "open_project": "project.open",
    "save": "project.save",
    "clear_selection": "selection.clear",
    "clear_period": "period.clear",
}

FILE_MENU = ("new_project", "open_project", "recent", None, "save", "save_as", None)
FILE_MENU_END = ("add_layer", "add_raster", None, "quit")
EDIT_MENU = ("undo", "redo", None, "clear_selection")
# The map toolbar shows the View menu's navigation and map tools, in the same order.
NAVIGATION = ("tool_pan", "tool_zoom_box", "zoom_in", "zoom_out", "zoom_full")
MAP_TOOLS = ("tool_identify", "tool_select", "tool_measure_line", "tool_measure_area")
VIEW_MENU = (
    *NAVIGATION,
    "zoom_layer",
    "zoom_selection",
    None,
    *MAP_TOOLS,
    None,
    "time_filter",
    "clear_period",
    "refresh",
    None,
    "panels",
    "language",
)
LAYER_MENU = (
    "add_layer",
    "add_raster",
    "add_raster_folder",
    None,
    "layer_style",
    "attribute_table",
    "layer_rename",
    "layer_toggle",
    "layer_up",
    "layer_down",
    "zoom_layer",
    "build_overviews",
    None,
    "layer_remove",
)
PROJECT_TOOLBAR = ("open_project", "save", "add_layer", "undo", "redo")
MAP_TOOLBAR = (*NAVIGATION, None, *MAP_TOOLS, None, "attribute_table")


class WindowActions:
    """Builds and fills MainWindow's actions, menus and toolbars; shows help."""

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
        """`text` and `tip` are English (tr_noop): shown through tr, again on a language switch."""
        action = QAction(self)
        action.setObjectName(f"action_{name}")
        if name in CORE_ACTION_IDS:
            action.setData(CORE_ACTION_IDS[name])
        if icon is not None:
            action.setIcon(icon)
        if shortcut is not None:
            keys = shortcut if isinstance(shortcut, list) else [shortcut]
            action.setShortcuts([QKeySequence(k) for k in keys])

        def show() -> None:
            # Key names in the language of now too (Qt's catalogue: 'Mayúsculas+M').
            keys = ", ".join(
                s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts()
            )
            shown = tr(text)
            action.setText(shown)
            if tip:
                action.setStatusTip(tr(tip))
            action.setToolTip(
                shown.replace("&", "").replace("…", "") + (f" ({keys})" if keys else "")
            )

        self.translated(show)
        action.setCheckable(checkable)
        action.triggered.connect(lambda checked=False: slot())
        self.addAction(action)  # shortcuts work even when menus are hidden
        self.actions[name] = action
        return action

    def _build_actions(self) -> None:
        a = self._action
        std = self.style().standardIcon
        sp = QStyle.StandardPixmap
        a("new_project", tr_noop("&New project"), self.new_project, QKeySequence.StandardKey.New)
        a(
            "open_project",
            tr_noop("&Open project…"),
            self.open_project_dialog,
            "Ctrl+O",
            std(sp.SP_DialogOpenButton),
            tr_noop("Open a Harm Atlas project"),
        )
        a(
            "add_layer",
            tr_noop("&Add layer…"),
            self.add_layer_dialog,
            # QGIS: Ctrl+Shift+V adds a vector layer, Ctrl+L opens its data source manager.
            ["Ctrl+Shift+V", "Ctrl+L"],
            icons.add_layer(),
            tr_noop("Add layers from files (GeoPackage, Shapefile, GeoJSON, CSV, Excel…)"),
        )
        a(
            "add_raster",
            tr_noop("Add &Raster Layer…"),
            self.add_raster_dialog,
            "Ctrl+Shift+R",  # as in QGIS
            icons.add_layer(),
            tr_noop("Add raster layers from files (GeoTIFF, VRT mosaic, ASCII grid)"),
        )
        a(
            "add_raster_folder",
            tr_noop("Add Raster &Tile Folder…"),
            self.add_raster_folder_dialog,
            tip=tr_noop("Add a folder of GeoTIFF tiles (e.g. Hansen loss-year tiles) as one layer"),
        )
        a(
            "build_overviews",
            tr_noop("Build &overviews"),
            self.build_overviews_for_current,
            tip=tr_noop("Build the current raster's overviews so every zoom draws quickly"),
        )
        a(
            "save",
            tr_noop("&Save project"),
            lambda: self.save_project(),
            "Ctrl+S",
            std(sp.SP_DialogSaveButton),
        )
        a("save_as", tr_noop("Save project &as…"), self.save_project_as, "Ctrl+Shift+S")
        a("quit", tr_noop("&Quit"), self.close, "Ctrl+Q")
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
        # QUndoStack keeps the prefix it was made with; after Qt's own update, ours in the
        # active language (the stack's signals run Qt's connection first).
        self.undo_stack.undoTextChanged.connect(lambda _t="": self._undo_texts())
        self.undo_stack.redoTextChanged.connect(lambda _t="": self._undo_texts())
        self.translated(self._undo_texts)
        a(
            "clear_selection",
            tr_noop("&Clear selection"),
            lambda: ACTIONS.call("selection.clear", self.state),
            "Ctrl+Shift+A",
        )
        a("zoom_in", tr_noop("Zoom &in"), lambda: self.canvas.zoom_by(2.0), ["+", "=", "Ctrl++"])
        a("zoom_out", tr_noop("Zoom &out"), lambda: self.canvas.zoom_by(0.5), ["-", "Ctrl+-"])
        self.actions["zoom_in"].setIcon(icons.zoom_in())
        self.actions["zoom_out"].setIcon(icons.zoom_out())
        a(
            "zoom_full",
            tr_noop("Zoom to &full extent"),
            self.canvas.zoom_full,
            ["Ctrl+0", "Ctrl+Shift+F"],
            icons.full_extent(),
        )
        a("zoom_layer", tr_noop("Zoom to &layer"), self.zoom_to_current_layer)
        a("zoom_selection", tr_noop("Zoom to &selection"), self.canvas.zoom_to_selection, "Ctrl+J")
        a("refresh", tr_noop("&Refresh map"), self.canvas.request_redraw, "F5")
        self._tool_group = QActionGroup(self)
        tools = (
            ("pan", tr_noop("&Pan"), "P", icons.pan(), tr_noop("Drag to move the map")),
            (
                "zoom_box",
                tr_noop("&Zoom to box"),
                "Z",
                icons.zoom_box(),
                tr_noop("Drag a box to zoom in"),
            ),
            (
                "identify",
                tr_noop("&Identify features"),
                ["I", "Ctrl+Shift+I"],
                icons.identify(),
                tr_noop("Click a feature to see its attributes"),
            ),
            (
                "select",
                tr_noop("&Select features"),
                "S",
                icons.select(),
                tr_noop(
                    "Click or drag a box on the map to select features of the current layer (Ctrl adds)"
                ),
            ),
            (
                "measure_line",
                tr_noop("&Measure distance"),
                ["M", "Ctrl+Shift+M"],
                icons.measure_line(),
                tr_noop("Click points; double-click to finish; right-click to restart"),
            ),
            (
                "measure_area",
                tr_noop("Measure &area"),
                ["Shift+M", "Ctrl+Shift+J"],
                icons.measure_area(),
                tr_noop("Click the corners of an area; double-click to finish"),
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
            tr_noop("Open &attribute table"),
            self.open_table_for_current,
            "F6",
            icons.table(),
        )
        a("layer_style", tr_noop("&Style…"), self.style_current_layer, "Ctrl+Shift+L")
        a("layer_rename", tr_noop("&Rename"), self.layers_panel.rename_current, "F2")
        a("layer_remove", tr_noop("Re&move"), self.layers_panel.remove_current, "Ctrl+Delete")
        a("layer_up", tr_noop("Move &up"), lambda: self.layers_panel.move_current(1), "Ctrl+Up")
        a(
            "layer_down",
            tr_noop("Move &down"),
            lambda: self.layers_panel.move_current(-1),
            "Ctrl+Down",
        )
        a("layer_toggle", tr_noop("Show/&hide"), self.toggle_current_layer, "Ctrl+H")
        a("time_filter", tr_noop("&Time filter on/off"), self.time_panel.enabled.toggle, "Ctrl+T")
        a(
            "clear_period",
            tr_noop("Show &all dates"),
            lambda: ACTIONS.call("period.clear", self.state),
        )
        a("help", tr_noop("&Help"), self.show_help, "F1")
        a("about", tr_noop("&About Harm Atlas"), self.show_about)

    def _fill(self, menu_id: str, names: Sequence[str | None]) -> None:
        menu = self.menu(menu_id)
        for name in names:
            if name is None:
                menu.addSeparator()
            elif name == "recent":
                self.recent_menu = menu.addMenu("")
                self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
                self.translated(lambda: self.recent_menu.setTitle(tr("Open &recent")))
            elif name == "panels":
                self.panels_menu = menu.addMenu("")
                self.panels_menu.aboutToShow.connect(self._fill_panels_menu)
                self.translated(lambda: self.panels_menu.setTitle(tr("&Panels")))
            elif name == "language":
                self._build_language_menu(menu)
            else:
                menu.addAction(self.actions[name])

    def _build_menus_and_toolbar(self) -> None:
        self.build_menus()
        self._fill("file", FILE_MENU + FILE_MENU_END)
        self._fill("edit", EDIT_MENU)
        self._fill("view", VIEW_MENU)
        self._fill("layer", LAYER_MENU)
        self._fill("help", ("help", "about"))
        self.file_menu, self.edit_menu = self.menus["file"], self.menus["edit"]
        self.view_menu, self.layer_menu = self.menus["view"], self.menus["layer"]
        self.basemap_menu = BasemapMenu(self, self.view_menu)  # View ▸ Basemap (issue 15)
        self.analysis_menu = self.menus["analysis"]
        bars = []
        for name, title, names in (
            ("project_toolbar", tr_noop("Project"), PROJECT_TOOLBAR),
            ("map_toolbar", tr_noop("Map navigation"), MAP_TOOLBAR),
        ):
            bar = self.addToolBar(tr(title))
            bar.setObjectName(name)
            self.translated(lambda b=bar, t=title: b.setWindowTitle(tr(t)))
            for action in names:
                bar.addSeparator() if action is None else bar.addAction(self.actions[action])
            bar.setMovable(True)
            bar.setIconSize(bar.iconSize().scaled(22, 22, Qt.AspectRatioMode.KeepAspectRatio))
            bars.append(bar)
        self.toolbar = bars[-1]

    def _finish_menus(self) -> None:
        """After the plugins: say so when no analysis is installed."""
        if self.analysis_menu.isEmpty():
            empty = self.analysis_menu.addAction("")
            empty.setEnabled(False)
            self.translated(lambda: empty.setText(tr("No analyses installed")))

    def _undo_texts(self) -> None:
        try:
            pairs = (
                (self.actions["undo"], tr("&Undo"), self.undo_stack.undoText()),
                (self.actions["redo"], tr("&Redo"), self.undo_stack.redoText()),
            )
            for action, prefix, text in pairs:
                action.setText(f"{prefix} {text}" if text else prefix)
        except RuntimeError:  # the stack signals while the window is being destroyed
            pass

    # --- language ------------------------------------------------------------------------------
    def _build_language_menu(self, menu) -> None:
        """View ▸ Language: every language with a catalogue, each named in itself (English,
        Español), so a user lost in a language they do not read still finds their own."""
        self.language_menu = menu.addMenu("")
        self.language_menu.setObjectName("menu_language")
        self.translated(lambda: self.language_menu.setTitle(tr("&Language")))
        group = QActionGroup(self)
        group.setExclusive(True)
        for code, name in language_names().items():
            action = self.language_menu.addAction(name)
            action.setObjectName(f"action_language_{code}")
            action.setData(code)
            action.setCheckable(True)
            action.setChecked(code == self.state.language.split("_")[0])
            action.triggered.connect(lambda _=False, c=code: self.choose_language(c))
            group.addAction(action)
            self.actions[f"language_{code}"] = action

    def choose_language(self, code: str) -> None:
        """Switch the open window to `code` now and start in it next time (QSettings)."""
        remember_language(self.settings, code)
        self.state.set_language(code)  # every view re-translates on state.events.language
        self.actions[f"language_{code.split('_')[0]}"].setChecked(True)

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

    # --- help ----------------------------------------------------------------------------------
    def shortcut_rows(self) -> list[tuple[str, str]]:
        """(action, its shortcuts) for every action that has one, as Help lists them."""
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
                "<p>Drag to pan, use the wheel to zoom. Open a project with <b>Ctrl+O</b>; add "
                "layers with <b>Ctrl+Shift+V</b> or <b>Ctrl+L</b> (as in QGIS) or drop files on "
                "the window. Tick a layer to show it; drag it up to draw it on top; double-click "
                "it to style it; <b>F6</b> opens its attribute table. The time bar under the map "
                "filters every dated layer: press ▶ to watch the years go by.</p><p>Every layer "
                "edit can be undone (<b>Ctrl+Z</b>). Your work is autosaved; after a crash Harm "
                "Atlas offers to restore it. The panels stay where you put them.</p>"
            )
        )
        table = QTableWidget(0, 2)
        table.setObjectName("shortcut_table")
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
