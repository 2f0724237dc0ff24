"""Draw and edit in the desktop (issue 18): the Edit menu's editing entries, the editing
toolbar, snapping, the live measure, the History panel, and the one EditSession of the open
project through which every edit goes.

Every edit is an operation of layers/edit_ops.py, applied by the session (which journals it
before returning) and then pushed on the window's QUndoStack as one EditCommand
(desktop/undo.py): the model refuses bad input before anything reaches the stack. The canvas
tools (desktop/map_tools.py) only turn mouse events into those operations. Installed as a
plugin: `install(window)`; the window's save, quit and recovery go through `window.edits`.
Docs: docs/editing.md ("The desktop").
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import CRS
from PySide6.QtCore import QObject
from PySide6.QtGui import QActionGroup
from PySide6.QtWidgets import QDialog, QMessageBox
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from desktop.coordinate_dialog import ask_point
from desktop.edit_actions import ADD_TEXTS, add_icon, build
from desktop.edit_forms import AttributeForm, NewLayerDialog
from desktop.edit_recovery import EditRecovery
from desktop.map_tools import DrawTool, MapTool, MoveTool, VertexTool, measure_text, nearest_row
from desktop.undo import EditCommand
from layers.coordinates import outside_area_warning
from layers.edit_fields import EditError, layer_fields
from layers.edit_geometry import reproject
from layers.edit_ops import (
    AddFeatures,
    Clipboard,
    CreateLayer,
    DeleteFeatures,
    DeleteVertex,
    EditOp,
    EditResult,
    InsertVertex,
    MergeFeatures,
    MoveFeatures,
    MoveVertex,
    SplitPolygon,
    copy_features,
    layer_kind,
    paste_features,
)
from layers.edit_session import EditSession
from layers.edit_snap import SnapHit, snap
from layers.i18n import tr, tr_noop, trn
from layers.layer import Layer, is_raster
from layers.project import Project
from layers.roles import Role

DEFAULT_TOLERANCE_PX = 12
SOURCE_SUFFIXES = (".gpkg", ".geojson", ".json", ".shp")
NEEDED = {
    "point": tr_noop("Click the map to place the point."),
    "line": tr_noop(
        "A line needs at least 2 vertices: click on the map, then right-click or Enter."
    ),
    "polygon": tr_noop(
        "A polygon needs at least 3 vertices: click its corners, then right-click or Enter."
    ),
}


class EditController(QObject, EditRecovery):
    """The open project's EditSession and everything the desktop edits with."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.canvas = window.canvas
        self.state = window.state
        self.undo_stack = window.undo_stack
        self.session: EditSession | None = None
        self.editing: set[int] = set()  # ids of the layers being edited
        self.snapping = True
        self.tolerance_px = DEFAULT_TOLERANCE_PX
        self.show_form = True
        self.clipboard: Clipboard | None = None
        self.tool: MapTool | None = None
        self._added: list[Callable[[Layer, list[int]], None]] = []  # "draw it now" waiting
        # Filled by desktop.edit_actions.build: the actions by id, the tools' group, tolerance.
        self.actions: dict = {}
        self.tool_group = None
        self.tolerance_box = None
        self.state.events.project.connect(self._project_shown)
        self.state.events.current_layer.connect(self._current_changed)
        self.canvas.tool_changed.connect(self._tool_changed)
        if self.state.project is not None:
            self._project_shown(self.state.project)

    # --- the session --------------------------------------------------------------------------
    def _project_shown(self, project: Project | None) -> None:
        if self.session is not None and self.session.project is project:
            return
        if self.session is not None:
            self.session.close()
            self.session = None
        self.editing.clear()
        self.canvas.set_map_tool(None)
        self.tool = None
        if project is not None:
            self.session = self._open_session(project)  # edit_recovery.py: journal, lock
            self.session.applied.connect(self._applied)
            self.session.saved.connect(self._saved)
        self.update_actions()

    @property
    def unsaved(self) -> bool:
        return self.session is not None and self.session.unsaved

    def save(self, path: str | Path | None = None) -> Path:
        """The project and its edits, atomically (File ▸ Save and Edit ▸ Save edits)."""
        assert self.session is not None
        return self.session.save(path)

    def _saved(self, _path: object) -> None:
        # Edits before a save cannot be undone (as in QGIS): their commands leave the stack.
        def has_edit(command) -> bool:
            return isinstance(command, EditCommand) or any(
                has_edit(command.child(i)) for i in range(command.childCount())
            )

        stack = self.undo_stack
        if any(has_edit(stack.command(i)) for i in range(stack.count())):
            stack.clear()

    def _applied(self, op: EditOp, action: str, _result: object) -> None:
        layer = self._layer_named(op.layer)
        if action == "undo" and layer is not None:
            self.state.clear_selection(layer, source="edit")  # its row numbers may be gone
        if isinstance(self.tool, VertexTool):
            self.tool.refresh()
        self.canvas.request_redraw()
        self.update_actions()

    # --- applying -----------------------------------------------------------------------------
    def push(self, op: EditOp) -> EditResult | None:
        """Apply `op` (the model checks it first) and put it on the undo stack; a refused
        edit is explained and nothing changes."""
        if self.session is None:
            return None
        if self.elsewhere:  # another Harm Atlas edits this project
            self.refuse(self.elsewhere)
            return None
        try:
            result = self.session.apply(op)
        except EditError as exc:
            self.refuse(str(exc))
            return None
        self.undo_stack.push(EditCommand(self.session, op, True, self.refuse))
        for text in result.messages:
            self.window.messages.repair(f"{op.layer}: {text}")
            self.window.statusBar().showMessage(text, 8000)
        layer = self._layer_named(op.layer)
        if layer is not None and not isinstance(op, CreateLayer):
            self.state.select(layer, np.asarray(result.rows, dtype=np.int64), "edit")
        return result

    def refuse(self, message: str) -> None:
        self.window.messages.warning(message)
        QMessageBox.warning(self.window, tr("Edit not made"), message)

    def _layer_named(self, name: str) -> Layer | None:
        project = self.state.project
        if project is None or name not in project.layers.names():
            return None
        return project.layers[name]

    # --- which layer ------------------------------------------------------------------------
    def edit_layer(self) -> Layer | None:
        """The current layer when it is being edited."""
        layer = self.state.current_layer
        if layer is None or is_raster(layer) or layer.id not in self.editing:
            return None
        return layer

    def set_editing(self, layer: Layer, on: bool) -> None:
        if on:
            self.editing.add(layer.id)
        else:
            self.editing.discard(layer.id)
            if self.tool is not None and self.state.current_layer is layer:
                self.window.action("tool_pan").trigger()
        self.update_actions()

    def toggle_editing(self) -> None:
        layer = self.state.current_layer
        if layer is None or is_raster(layer):
            self.window.statusBar().showMessage(tr("Pick a vector layer to edit first."), 5000)
            self.update_actions()
            return
        project = self.state.project
        in_memory = not layer.source.path and not layer.metadata.get("scratch")
        if in_memory and project is not None and layer.id not in project.edits:
            # No file to replay a journal onto (an analysis result): its edits could be lost.
            message = tr(
                "{l} exists only in this session (an analysis result): export it to a file and "
                "add that file to edit it."
            ).format(l=layer.name)
            self.window.messages.warning(message)
            self.window.statusBar().showMessage(message, 8000)
            self.update_actions()
            return
        self.set_editing(layer, layer.id not in self.editing)
        if layer.id in self.editing:
            self.window.statusBar().showMessage(
                tr("Editing {l}: edits are kept in the project, never in the source file.").format(
                    l=layer.name
                ),
                6000,
            )

    def update_actions(self) -> None:
        actions = getattr(self, "actions", None)
        if not actions:
            return
        current = self.state.current_layer
        vector = current is not None and not is_raster(current)
        layer = self.edit_layer()
        kind = layer_kind(layer) if layer is not None else ""
        selected = self.state.selected(layer).size if layer is not None else 0
        actions["edit_toggle"].setEnabled(vector)
        actions["edit_toggle"].setChecked(layer is not None)
        for name in ("edit_add", "edit_move", "edit_vertex", "edit_paste"):
            actions[name].setEnabled(layer is not None)
        actions["edit_add"].setText(tr(ADD_TEXTS.get(kind, ADD_TEXTS["polygon"])))
        actions["edit_add"].setIcon(add_icon(kind or "polygon"))  # the shape it will add
        actions["edit_add_coordinates"].setEnabled(kind == "point")
        actions["edit_split"].setEnabled(kind == "polygon")
        actions["edit_merge"].setEnabled(kind == "polygon" and selected >= 2)
        actions["edit_delete"].setEnabled(layer is not None)
        actions["edit_copy"].setEnabled(vector)
        actions["edit_save_source"].setEnabled(
            vector and bool(current.source.path) and current.id in self._savable_ids()
        )

    def _savable_ids(self) -> set[int]:
        if self.session is None:
            return set()
        return {
            layer.id
            for layer in self.session.edited_layers()
            if Path(layer.source.path or "").suffix.lower() in SOURCE_SUFFIXES
            and not layer.metadata.get("scratch")
        }

    def _current_changed(self, _layer: object) -> None:
        """A tool follows the current layer when it is edited too, else it stops: clicks on
        the map must never add nothing without a word."""
        self._added.clear()  # "draw it now" waits for a polygon of the layer it made
        tool = self.tool
        if tool is not None and self.canvas.map_tool is tool:
            layer = self.edit_layer()
            if layer is None or (tool.name == "edit_split" and layer_kind(layer) != "polygon"):
                current = self.state.current_layer
                self.leave_tool()
                self.window.statusBar().showMessage(
                    tr(
                        "Editing tool stopped: {l} is not being edited (Edit ▸ Toggle editing)."
                    ).format(l=current.name if current is not None else "—"),
                    8000,
                )
            else:
                restart = {
                    "edit_move": self.start_move,
                    "edit_vertex": self.start_vertex,
                    "edit_split": self.start_split,
                }
                restart.get(tool.name, self.start_add)()
        self.update_actions()

    # --- tools --------------------------------------------------------------------------------
    def leave_tool(self) -> None:
        """Back to panning the map (Esc with nothing left to cancel, as in QGIS)."""
        self.window.action("tool_pan").trigger()
        self.canvas.setFocus()

    def back_to_map(self) -> None:
        """After a dialog: the keys (Enter, Esc, Backspace, Ctrl+Z) go to the map again."""
        self.window.activateWindow()
        self.canvas.setFocus()

    def activate(self, tool: MapTool | None) -> None:
        self.tool = tool
        self.canvas.set_map_tool(tool)
        self.canvas.setFocus()
        # The navigation tool no longer has the mouse: its button is not shown pressed.
        for action in self.window.actions.values():
            group = action.actionGroup()
            if (
                action.isChecked()
                and group is not None
                and group is not getattr(self, "tool_group", None)
            ):
                if action.objectName().startswith("action_tool_"):
                    group.setExclusionPolicy(QActionGroup.ExclusionPolicy.ExclusiveOptional)
                    action.setChecked(False)

    def _tool_changed(self, name: str) -> None:
        if self.tool is not None and name != self.tool.name:
            self.tool = None
        group = getattr(self, "tool_group", None)
        if group is not None and self.tool is None and group.checkedAction() is not None:
            group.checkedAction().setChecked(False)

    def start_add(self) -> None:
        layer = self.edit_layer()
        if layer is None:
            return self._need_editing()
        kind = layer_kind(layer)
        self.activate(DrawTool(self, kind, f"edit_add_{kind}", self.add_drawn))
        self.actions["edit_add"].setChecked(True)
        self.window.statusBar().showMessage(tr(NEEDED[kind]), 8000)

    def start_move(self) -> None:
        if self.edit_layer() is None:
            return self._need_editing()
        self.activate(MoveTool(self))
        self.actions["edit_move"].setChecked(True)

    def start_vertex(self) -> None:
        if self.edit_layer() is None:
            return self._need_editing()
        self.activate(VertexTool(self))
        self.actions["edit_vertex"].setChecked(True)

    def start_split(self) -> None:
        layer = self.edit_layer()
        if layer is None or layer_kind(layer) != "polygon":
            return self._need_editing()
        self.activate(DrawTool(self, "line", "edit_split", self.split_with))
        self.actions["edit_split"].setChecked(True)
        self.window.statusBar().showMessage(
            tr("Draw a line across the polygon; right-click or Enter cuts it."), 8000
        )

    def _need_editing(self) -> None:
        self.update_actions()
        self.window.statusBar().showMessage(
            tr("Turn on editing for the current layer first (Edit ▸ Toggle editing)."), 6000
        )

    def tell_needed(self, kind: str, _count: int) -> None:
        self.window.statusBar().showMessage(tr(NEEDED[kind]), 6000)

    def snap(self, x: float, y: float) -> SnapHit | None:
        if not self.snapping or self.state.project is None:
            return None
        tolerance = self.tolerance_px * self.canvas.map_units_per_pixel
        return snap(self.state.project.layers.vectors(), x, y, tolerance, self.canvas.crs)

    def show_measure(self, geometry: BaseGeometry | None) -> None:
        """The live read-out while drawing: length in metres, area in hectares."""
        if geometry is None:
            self.show_readout("")
            return
        self.show_readout(measure_text(geometry, self.canvas.crs))

    def show_readout(self, text: str) -> None:
        if text:  # a hint in the status bar would hide the read-out beside it
            self.window.statusBar().clearMessage()
        self.canvas.measured.emit(text)

    # --- map shapes of the edited layer -----------------------------------------------------
    def _map_shapes(self, layer: Layer) -> np.ndarray:
        return np.asarray(layer.to_metric(self.canvas.crs).geometry.values)

    def map_shapes(self, rows: list[int]) -> list[BaseGeometry]:
        layer = self.edit_layer()
        if layer is None:
            return []
        shapes = self._map_shapes(layer)
        return [shapes[r] for r in rows if 0 <= r < len(shapes)]

    def feature_near(self, x: float, y: float, pixels: float) -> tuple[int, BaseGeometry] | None:
        layer = self.edit_layer()
        if layer is None or layer.data.empty:
            return None
        tolerance = pixels * self.canvas.map_units_per_pixel
        # Candidates from the layer's search tree, then the time filter, then the nearest.
        gdf = layer.to_metric(self.canvas.crs)
        near = gdf.sindex.query(
            shapely.box(x - tolerance, y - tolerance, x + tolerance, y + tolerance)
        )
        shown = np.zeros(len(gdf), dtype=bool)
        shown[self.canvas.visible_rows(layer)] = True
        rows = np.sort(near[shown[near]])
        shapes = np.asarray(gdf.geometry.values)[rows]
        found = nearest_row(shapes, x, y, tolerance)
        return None if found is None else (int(rows[found]), shapes[found])

    def rows_to_move(self, x: float, y: float) -> list[int]:
        layer = self.edit_layer()
        found = self.feature_near(x, y, 5)
        if layer is None or found is None:
            return []
        selected = [int(r) for r in self.state.selected(layer)]
        return selected if found[0] in selected else [found[0]]

    def _to_layer(self, geometry: BaseGeometry, layer: Layer) -> BaseGeometry:
        return reproject(geometry, self.canvas.crs, layer.crs)

    def _layer_xy(self, layer: Layer, x: float, y: float) -> tuple[float, float]:
        point = self._to_layer(Point(x, y), layer)
        return point.x, point.y

    # --- edits from the tools -------------------------------------------------------------
    def add_drawn(self, geometry: BaseGeometry) -> None:
        layer = self.edit_layer()
        if layer is None:
            return
        values = self.ask_values(layer)
        if values is None:
            return
        self.add_feature(layer, self._to_layer(geometry, layer), values)

    def add_feature(self, layer: Layer, geometry: BaseGeometry, values: dict) -> bool:
        result = self.push(AddFeatures(layer.name, [geometry], [values]))
        if result is None:
            return False
        self._tell_if_filtered(layer, result.rows)
        waiting, self._added = self._added, []
        for done in waiting:
            done(layer, result.rows)
        return True

    def _tell_if_filtered(self, layer: Layer, rows: list[int]) -> None:
        """A feature dated outside the time filter is added but not drawn: say why."""
        period = self.state.project.time_filter if self.state.project is not None else None
        if period is None or not rows:
            return
        if set(rows) <= set(self.canvas.visible_rows(layer).tolist()):
            return
        message = tr(
            "Added to {l}, but its date is outside the time filter ({p}): it is hidden on the "
            "map until the filter includes it."
        ).format(l=layer.name, p=period.label)
        self.window.messages.info(message)
        self.window.statusBar().showMessage(message, 10000)

    def ask_values(self, layer: Layer, values: dict | None = None) -> dict | None:
        """The attribute form for a new feature (None: cancelled, nothing is added)."""
        fields = layer_fields(layer)
        if not self.show_form or not fields:
            return dict(values or {})
        form = AttributeForm(layer.name, fields, values, self.window)
        try:
            if form.exec() != QDialog.DialogCode.Accepted:
                return None
            return {k: v for k, v in form.values().items() if v is not None}
        finally:
            form.deleteLater()
            self.back_to_map()

    def edit_attributes(self) -> None:
        """The form for the selected features of the edited layer (one step for all)."""
        layer = self.edit_layer()
        rows = [int(r) for r in self.state.selected(layer)] if layer is not None else []
        if layer is None or not rows:
            return
        fields = layer_fields(layer)
        first = {f.name: layer.data[f.name].iloc[rows[0]] for f in fields if f.name in layer.data}
        form = AttributeForm(layer.name, fields, first, self.window)
        try:
            if form.exec() != QDialog.DialogCode.Accepted:
                return
            changed = {
                name: value
                for name, value in form.values().items()
                if not _same(value, first.get(name))
            }
        finally:
            form.deleteLater()
            self.back_to_map()
        if changed:
            from layers.edit_ops import SetAttributes

            self.push(SetAttributes(layer.name, rows, changed))

    def move_rows(self, rows: list[int], start: tuple, end: tuple) -> None:
        layer = self.edit_layer()
        if layer is None:
            return
        # The shift measured in the layer's CRS at the point grabbed (exact when the layer is
        # in the map's CRS, as drawn layers are).
        (x0, y0), (x1, y1) = self._layer_xy(layer, *start), self._layer_xy(layer, *end)
        self.push(MoveFeatures(layer.name, rows, x1 - x0, y1 - y0))

    def move_vertex(self, row: int, vertex, x: float, y: float) -> None:
        layer = self.edit_layer()
        if layer is not None:
            self.push(MoveVertex(layer.name, row, vertex, *self._layer_xy(layer, x, y)))

    def insert_vertex(self, row: int, vertex, x: float, y: float) -> None:
        layer = self.edit_layer()
        if layer is not None:
            self.push(InsertVertex(layer.name, row, vertex, *self._layer_xy(layer, x, y)))

    def delete_vertex(self, row: int, vertex) -> None:
        layer = self.edit_layer()
        if layer is not None:
            self.push(DeleteVertex(layer.name, row, vertex))

    def split_with(self, line: BaseGeometry) -> None:
        """Cut the selected polygons (else every polygon the line crosses) along `line`."""
        layer = self.edit_layer()
        if layer is None:
            return
        shapes = self._map_shapes(layer)
        selected = [int(r) for r in self.state.selected(layer)]
        rows = selected or [int(r) for r in np.flatnonzero(shapely.intersects(shapes, line))]
        ops = [SplitPolygon(layer.name, r, self._to_layer(line, layer)) for r in rows]
        self._push_all(ops, tr("Split polygons of {l}").format(l=layer.name))

    def _push_all(self, ops: list[EditOp], text: str) -> None:
        """Several operations as one undo step; the ones the model refuses are told."""
        assert self.session is not None
        if self.elsewhere:
            return self.refuse(self.elsewhere)
        refused: list[str] = []
        done: list[EditOp] = []
        for op in ops:
            try:
                self.session.apply(op)
            except EditError as exc:
                refused.append(str(exc))
            else:
                done.append(op)
        if done:
            self.undo_stack.beginMacro(text)
            for op in done:
                self.undo_stack.push(EditCommand(self.session, op, True, self.refuse))
            self.undo_stack.endMacro()
        if refused and not done:
            self.refuse(refused[0])
        elif refused:
            self.window.messages.warning("; ".join(refused))

    def merge_selected(self) -> None:
        layer = self.edit_layer()
        rows = [int(r) for r in self.state.selected(layer)] if layer is not None else []
        if layer is not None:
            self.push(MergeFeatures(layer.name, rows))

    def delete_selected(self) -> None:
        if isinstance(self.tool, VertexTool) and self.tool.delete_chosen():
            return  # Delete with the vertex tool removes the vertex clicked
        layer = self.edit_layer()
        rows = [int(r) for r in self.state.selected(layer)] if layer is not None else []
        if layer is None:
            return self._need_editing()
        if not rows:
            self.window.statusBar().showMessage(tr("Select the features to delete first."), 5000)
            return
        if self.push(DeleteFeatures(layer.name, rows)) is not None:
            self.state.clear_selection(layer, source="edit")

    def copy(self) -> None:
        layer = self.state.current_layer
        if layer is None or is_raster(layer):
            return
        rows = [int(r) for r in self.state.selected(layer)]
        if not rows:
            self.window.statusBar().showMessage(tr("Select the features to copy first."), 5000)
            return
        self.clipboard = copy_features(layer, rows)
        self.window.statusBar().showMessage(
            trn("Copied {n} feature of {l}.", "Copied {n} features of {l}.", len(rows)).format(
                n=len(rows), l=layer.name
            ),
            5000,
        )
        self.update_actions()

    def paste(self) -> None:
        layer = self.edit_layer()
        if layer is None:
            return self._need_editing()
        if self.clipboard is None:
            self.window.statusBar().showMessage(tr("Copy features first (Ctrl+C)."), 5000)
            return
        try:
            op, messages = paste_features(self.clipboard, layer)
        except EditError as exc:
            self.refuse(str(exc))
            return
        if self.push(op) is not None:
            for text in messages:
                self.window.messages.warning(f"{layer.name}: {text}")

    def add_by_coordinates(self) -> None:
        layer = self.edit_layer()
        if layer is None or layer_kind(layer) != "point":
            self.window.statusBar().showMessage(
                tr("Edit a point layer to add a point by its coordinates."), 6000
            )
            return
        project = self.state.project
        area = project.lonlat_bounds() if project is not None else None
        point = ask_point(self.window, area)
        self.back_to_map()
        if point is None:
            return
        lon, lat = point
        warning = outside_area_warning(lon, lat, area)
        if warning:
            self.window.messages.warning(warning)
            self.window.statusBar().showMessage(warning, 8000)
        try:
            geometry = reproject(Point(lon, lat), CRS.from_epsg(4326), layer.crs)
        except Exception as exc:  # noqa: BLE001 - outside the layer CRS's domain
            self.refuse(str(exc))
            return
        values = self.ask_values(layer)
        if values is not None:
            self.add_feature(layer, geometry, values)

    # --- layers -------------------------------------------------------------------------------
    def new_layer(
        self, name: str = "", kind: str = "polygon", role: Role | str = Role.OTHER, ask: bool = True
    ) -> Layer | None:
        """A new drawn layer in the project's metric CRS, edited and current."""
        fields = None
        if ask:
            dialog = NewLayerDialog(self.window, name, kind, role)
            try:
                if dialog.exec() != QDialog.DialogCode.Accepted:
                    return None
                name, kind, role, fields = (
                    dialog.name(),
                    dialog.kind(),
                    dialog.role(),
                    dialog.fields(),
                )
            finally:
                dialog.deleteLater()
                self.back_to_map()
        project = self.state.project
        if project is None:
            return None
        op = CreateLayer(name, kind, role, fields, crs=project.metric_crs)
        if self.push(op) is None or op.created is None:
            return None
        self.set_editing(op.created, True)  # before it is current: a running tool follows it
        self.state.set_current_layer(op.created)
        return op.created

    def draw_for_parameter(self, name: str, role: str, done: Callable[[Layer], None]) -> None:
        """Analysis dialog ▸ Draw it now…: a new polygon layer and the add tool; `done`
        gets the layer once its first polygon is drawn."""
        layer = self.new_layer(name, "polygon", role or Role.OTHER, ask=False)
        if layer is None:
            return
        self._added.append(lambda added, _rows: done(added))
        self.start_add()
        self.window.activateWindow()

    def save_to_source(self) -> None:
        layer = self.state.current_layer
        if layer is None or self.session is None or not layer.source.path:
            return
        source = Path(layer.source.path)
        answer = QMessageBox.question(
            self.window,
            tr("Save edits to source"),
            tr(
                "Write the edits of {l} into {f}?\n\nA backup copy of the file is made beside it "
                "first; the file is replaced only once the new one is complete."
            ).format(l=layer.name, f=source),
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Save:
            return
        try:
            backup = self.session.save_to_source(layer)
        except (EditError, OSError) as exc:
            self.refuse(str(exc))
            return
        self.window.messages.info(
            tr("Saved the edits of {l} into {f}; the old file is kept as {b}.").format(
                l=layer.name, f=source.name, b=Path(backup).name
            )
        )

    def save_edits(self) -> None:
        self.window.save_project()


def _same(a: Any, b: Any) -> bool:
    try:
        if a is None or (not isinstance(a, str) and bool(np.all(np.isnan(a)))):
            return b is None or (not isinstance(b, str) and bool(np.all(np.isnan(b))))
    except TypeError:
        pass
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def install(window) -> None:
    """The editing toolbar and Edit menu entries; `window.edits` is the controller."""
    editor = EditController(window)
    build(window, editor)
    window.edits = editor
