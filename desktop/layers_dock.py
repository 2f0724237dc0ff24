"""The layers panel: a Qt item model over the evented LayerList, plus its legend classes.

Display order is QGIS's: the top row is drawn last (on top), so display row r is
LayerList index n-1-r. The model keeps a shadow list so it can tell views *before* it
changes (Qt's rule) while LayerList only tells after.
"""

from __future__ import annotations

from collections.abc import Callable

import matplotlib as mpl
from PySide6.QtCore import (
    QAbstractItemModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QPointF,
    QRectF,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QBrush, QColor, QIcon, QLinearGradient, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMenu,
    QSlider,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from cartography.render import LegendEntry
from core.state import AppState
from desktop.frame_memo import FrameMemo
from desktop.labels import GEOMETRY_KINDS, field_key_label
from desktop.raster_info import RasterPropertiesDialog, raster_tooltip
from desktop.target_levels_dialog import TargetLevelsDialog
from desktop.undo import MoveLayer, RemoveLayer, SetLayerAttribute
from layers import numbers
from layers.crs import crs_label
from layers.i18n import tr, trn
from layers.layer import Layer, LayerList, is_raster
from layers.roles import ROLE_LABELS, Role
from layers.style import Style

MIME = "application/x-harm-atlas-layer-ids"
LayerRole = Qt.ItemDataRole.UserRole + 1


def _qcolor(colour: str, alpha: float = 1.0) -> QColor:
    if not colour or colour == "none":
        return QColor(0, 0, 0, 0)
    r, g, b, a = mpl.colors.to_rgba(colour)
    return QColor.fromRgbF(r, g, b, a * alpha)


def swatch(
    kind: str, fill: str, edge: str = "none", marker: str = "o", alpha: float = 1.0
) -> QIcon:
    """A 16×16 legend symbol for a point, line or polygon style."""
    pixmap = QPixmap(16, 16)
    pixmap.fill(Qt.GlobalColor.transparent)
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    if kind == "line":
        p.setPen(QPen(_qcolor(edge if edge != "none" else fill), 2.2))
        p.drawLine(QPointF(1, 12), QPointF(6, 5))
        p.drawLine(QPointF(6, 5), QPointF(15, 9))
    elif kind == "point":
        p.setPen(QPen(_qcolor(edge), 1) if edge != "none" else Qt.PenStyle.NoPen)
        p.setBrush(_qcolor(fill, alpha))
        if marker in ("^", "v"):
            from PySide6.QtGui import QPolygonF

            p.drawPolygon(QPolygonF([QPointF(8, 2), QPointF(14, 13), QPointF(2, 13)]))
        elif marker in ("s", "P", "+"):
            p.drawRect(QRectF(3, 3, 10, 10))
        else:
            p.drawEllipse(QRectF(3, 3, 10, 10))
    else:
        p.setPen(QPen(_qcolor(edge), 1) if edge != "none" else Qt.PenStyle.NoPen)
        p.setBrush(_qcolor(fill, alpha) if fill != "none" else Qt.BrushStyle.NoBrush)
        p.drawRect(QRectF(1.5, 2.5, 13, 11))
    p.end()
    return QIcon(pixmap)


def ramp_icon(ramp: str, width: int = 16, height: int = 16) -> QIcon:
    pixmap = QPixmap(width, height)
    pixmap.fill(Qt.GlobalColor.transparent)
    p = QPainter(pixmap)
    gradient = QLinearGradient(0, 0, width, 0)
    cmap = mpl.colormaps[ramp]
    for i in range(6):
        t = i / 5
        r, g, b, _ = cmap(t)
        gradient.setColorAt(t, QColor.fromRgbF(r, g, b))
    p.setBrush(QBrush(gradient))
    p.setPen(QPen(QColor("#666666"), 0.5))
    p.drawRect(QRectF(0.5, 2.5, width - 1, height - 5))
    p.end()
    return QIcon(pixmap)


# The icon is asked for on every repaint; the kind scans every geometry (~5 ms per 150k).
geometry_kind = FrameMemo(lambda layer: layer.geometry_kind)


def raster_icon(layer) -> QIcon:
    """A raster's symbol: its ramp, or its first class colours, or an RGB square."""
    st = layer.style
    if st.kind in ("continuous", "loss_year"):
        return ramp_icon(st.ramp)
    if st.kind == "hillshade":
        return ramp_icon("Greys_r")
    if st.kind == "classified" and st.classes:
        return swatch("polygon", st.classes[0].colour, "#666666")
    return ramp_icon("hsv")


def layer_icon(layer: Layer) -> QIcon:
    if is_raster(layer):
        return raster_icon(layer)
    st: Style = layer.style
    if st.kind == "graduated":
        return ramp_icon(st.ramp)
    kind = geometry_kind(layer)
    fill = "none" if st.no_fill else st.fill
    return swatch(kind, fill, st.edge, st.marker, st.fill_alpha)


class LayerTreeModel(QAbstractItemModel):
    """Top-level rows are layers (top = drawn last); children are legend classes."""

    layer_rename_failed = Signal(str)

    def __init__(self, layers: LayerList, push: Callable) -> None:
        super().__init__()
        self._push = push  # undo_stack.push: every edit is undoable
        self._shadow: list[Layer] = []
        self._legend: dict[int, list[LegendEntry]] = {}
        # layer.id -> why its last view drew nothing (a raster without overviews, say).
        self.problems: dict[int, str] = {}
        self._list: LayerList | None = None
        self.set_layers(layers)

    # --- wiring to the evented list ------------------------------------------------------
    def set_layers(self, layers: LayerList) -> None:
        if self._list is not None:
            for signal, slot in self._connections():
                signal.disconnect(slot)
        self.beginResetModel()
        self._list = layers
        self._shadow = list(reversed(list(layers)))
        self._legend = {}
        self.endResetModel()
        for signal, slot in self._connections():
            signal.connect(slot)

    def _connections(self):
        lst = self._list
        return [
            (lst.inserted, self._on_inserted),
            (lst.removed, self._on_removed),
            (lst.moved, self._on_moved),
            (lst.layer_changed, self._on_changed),
        ]

    @property
    def layers(self) -> LayerList:
        assert self._list is not None
        return self._list

    def _on_inserted(self, index: int, layer: Layer) -> None:
        row = len(self._shadow) - index
        self.beginInsertRows(QModelIndex(), row, row)
        self._shadow.insert(row, layer)
        self.endInsertRows()

    def _on_removed(self, _index: int, layer: Layer) -> None:
        row = self._shadow.index(layer)
        self.beginRemoveRows(QModelIndex(), row, row)
        self._shadow.pop(row)
        self._legend.pop(layer.id, None)
        self.endRemoveRows()

    def _on_moved(self, old: int, new: int) -> None:
        n = len(self._shadow)
        src, dst = n - 1 - old, n - 1 - new
        dest_child = dst + 1 if dst > src else dst
        self.beginMoveRows(QModelIndex(), src, src, QModelIndex(), dest_child)
        self._shadow.insert(dst, self._shadow.pop(src))
        self.endMoveRows()

    def _on_changed(self, layer: Layer, _attribute: str) -> None:
        if layer in self._shadow:
            idx = self.index(self._shadow.index(layer), 0)
            self.dataChanged.emit(idx, idx)

    def layer_problem_changed(self, layer: Layer) -> None:
        """Its warning icon and tooltip follow `problems`."""
        self._on_changed(layer, "problem")

    def set_legend(self, entries: list[LegendEntry]) -> None:
        """Show each layer's legend classes (from the last render) as its children."""
        by_name: dict[str, list[LegendEntry]] = {}
        for entry in entries:
            by_name.setdefault(entry.layer_name, []).extend(entry.children)
        for row, layer in enumerate(self._shadow):
            new = by_name.get(layer.name, [])
            old = self._legend.get(layer.id, [])
            if [(e.label, e.color) for e in new] == [(e.label, e.color) for e in old]:
                continue
            parent = self.index(row, 0)
            if old:
                self.beginRemoveRows(parent, 0, len(old) - 1)
                self._legend[layer.id] = []
                self.endRemoveRows()
            if new:
                self.beginInsertRows(parent, 0, len(new) - 1)
                self._legend[layer.id] = list(new)
                self.endInsertRows()

    # --- tree structure ---------------------------------------------------------------------
    def layer_at(self, index: QModelIndex) -> Layer | None:
        if not index.isValid():
            return None
        if index.internalId():  # a legend child: its parent's layer
            return self._layer_by_id(index.internalId())
        return self._shadow[index.row()] if index.row() < len(self._shadow) else None

    def _layer_by_id(self, layer_id: int) -> Layer | None:
        return next((lay for lay in self._shadow if lay.id == layer_id), None)

    def index_of(self, layer: Layer) -> QModelIndex:
        return self.index(self._shadow.index(layer), 0) if layer in self._shadow else QModelIndex()

    def index(self, row: int, column: int, parent: QModelIndex = QModelIndex()) -> QModelIndex:
        if column != 0 or row < 0:
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, 0, 0) if row < len(self._shadow) else QModelIndex()
        if parent.internalId():
            return QModelIndex()
        layer = self._shadow[parent.row()]
        if row < len(self._legend.get(layer.id, [])):
            return self.createIndex(row, 0, layer.id)
        return QModelIndex()

    def parent(self, index: QModelIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid() or not index.internalId():
            return QModelIndex()
        layer = self._layer_by_id(index.internalId())
        return self.index_of(layer) if layer is not None else QModelIndex()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        if not parent.isValid():
            return len(self._shadow)
        if parent.internalId():
            return 0
        return len(self._legend.get(self._shadow[parent.row()].id, []))

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 1

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if index.internalId():
            layer = self._layer_by_id(index.internalId())
            entry = self._legend[layer.id][index.row()] if layer else None
            if entry is None:
                return None
            if role == Qt.ItemDataRole.DisplayRole:
                return entry.label
            if role == Qt.ItemDataRole.DecorationRole:
                return swatch(entry.kind, entry.color, entry.edge, entry.marker)
            return None
        layer = self._shadow[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return layer.name
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if layer.visible else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.DecorationRole:
            if layer.id in self.problems:
                warning = QStyle.StandardPixmap.SP_MessageBoxWarning
                return QApplication.style().standardIcon(warning)
            return layer_icon(layer)
        if role == Qt.ItemDataRole.ToolTipRole:
            if is_raster(layer):
                return raster_tooltip(layer, self.problems.get(layer.id, ""))
            return self._tooltip(layer)
        if role == Qt.ItemDataRole.ForegroundRole and not layer.visible:
            return QColor("#8a8a8a")
        if role == LayerRole:
            return layer
        return None

    @staticmethod
    def _tooltip(layer: Layer) -> str:
        source = layer.source.path or tr("in memory (saved with the project)")
        lines = [
            f"<b>{layer.name}</b>",
            tr("Role: {r}").format(r=tr(ROLE_LABELS.get(layer.role, layer.role.value))),
            trn("{n} feature", "{n} features", len(layer.data)).format(
                n=numbers.number(len(layer.data))
            ),
            tr("Geometry: {k}").format(
                k=tr(GEOMETRY_KINDS.get(layer.geometry_kind, layer.geometry_kind))
            ),
            tr("CRS: {c}").format(c=crs_label(layer.crs)),
            tr("Source: {s}").format(s=source),
            tr("Opacity: {o:.0%}").format(o=layer.opacity),
        ]
        return "<br>".join(lines)

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        if index.internalId():
            return Qt.ItemFlag.ItemIsEnabled
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsUserCheckable
            | Qt.ItemFlag.ItemIsEditable
            | Qt.ItemFlag.ItemIsDragEnabled
            | Qt.ItemFlag.ItemIsDropEnabled
        )

    def setData(self, index: QModelIndex, value, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        layer = self.layer_at(index)
        if layer is None or index.internalId():
            return False
        if role == Qt.ItemDataRole.CheckStateRole:
            visible = Qt.CheckState(value) == Qt.CheckState.Checked
            if visible != layer.visible:
                verb = tr("Show {n}") if visible else tr("Hide {n}")
                self._push(SetLayerAttribute(layer, "visible", visible, verb.format(n=layer.name)))
            return True
        if role == Qt.ItemDataRole.EditRole:
            name = str(value).strip()
            if not name:
                self.layer_rename_failed.emit(tr("A layer name cannot be empty."))
                return False
            if name != layer.name:
                self._push(
                    SetLayerAttribute(layer, "name", name, tr("Rename {n}").format(n=layer.name))
                )
            return True
        return False

    # --- drag to reorder ---------------------------------------------------------------------
    def supportedDropActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [MIME]

    def mimeData(self, indexes) -> QMimeData:  # noqa: N802
        data = QMimeData()
        ids = [str(self._shadow[i.row()].id) for i in indexes if i.isValid() and not i.internalId()]
        data.setData(MIME, QByteArray(",".join(ids).encode()))
        return data

    def dropMimeData(self, data, action, row, column, parent) -> bool:  # noqa: N802
        if not data.hasFormat(MIME):
            return False
        ids = [int(t) for t in bytes(data.data(MIME)).decode().split(",") if t]
        if parent.isValid():  # dropped onto a layer: go above it
            target = (
                parent.row()
                if not parent.internalId()
                else self.index_of(self.layer_at(parent)).row()
            )
        else:
            target = row if row >= 0 else len(self._shadow)
        for layer_id in ids:
            layer = self._layer_by_id(layer_id)
            if layer is not None:
                self.move_to_display_row(layer, target)
        return False  # the move is done; stop the view from also removing the dragged rows

    def move_to_display_row(self, layer: Layer, target: int) -> None:
        """Move `layer` so it sits before display row `target` (0 = top of the panel)."""
        src = self._shadow.index(layer)
        final = target if target <= src else target - 1
        final = max(0, min(final, len(self._shadow) - 1))
        if final == src:
            return
        n = len(self._shadow)
        self._push(MoveLayer(self.layers, n - 1 - src, n - 1 - final))


class FieldMappingDialog(QDialog):
    """What each canonical field reads from (and the year columns of a wide grid)."""

    def __init__(self, layer: Layer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Field mapping — {n}").format(n=layer.name))
        box = QVBoxLayout(self)
        box.addWidget(
            QLabel(
                tr("Role: {r} (detected with {c:.0%} confidence)").format(
                    r=tr(ROLE_LABELS.get(layer.role, layer.role.value)), c=layer.role_confidence
                )
            )
        )
        # The canonical keys named in the user's words (event_type -> "Event type").
        rows = [(field_key_label(k), col) for k, col in layer.mapping.fields.items()] + [
            (tr("year {y}").format(y=y), col)
            for y, col in sorted(layer.mapping.year_columns.items())
        ]
        table = QTableWidget(len(rows), 2)
        table.setHorizontalHeaderLabels([tr("Meaning"), tr("Column in the file")])
        for i, (key, column) in enumerate(rows):
            table.setItem(i, 0, QTableWidgetItem(key))
            table.setItem(i, 1, QTableWidgetItem(column))
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        box.addWidget(table)
        if not rows:
            box.addWidget(QLabel(tr("No fields mapped: analyses will ask for them.")))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        box.addWidget(buttons)
        self.table = table
        self.resize(420, 320)


class LayersPanel(QWidget):
    """Tree of layers with visibility, drag order, opacity and a context menu."""

    current_layer_changed = Signal(object)
    open_table_requested = Signal(object)
    style_requested = Signal(object)
    zoom_requested = Signal(object)
    overviews_requested = Signal(object)

    def __init__(self, layers: LayerList, push: Callable, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._push = push
        self.model = LayerTreeModel(layers, push)
        self.view = QTreeView()
        self.view.setObjectName("layers_view")
        self.view.setModel(self.model)
        self.view.setHeaderHidden(True)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.view.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.view.setDragEnabled(True)
        self.view.setAcceptDrops(True)
        self.view.setDropIndicatorShown(True)
        self.view.setEditTriggers(
            QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.view.doubleClicked.connect(self._double_clicked)
        self.view.selectionModel().currentChanged.connect(self._current_changed)
        self.view.setIndentation(14)
        self.view.setUniformRowHeights(True)

        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setRange(0, 100)
        self.opacity.valueChanged.connect(self._opacity_moved)
        self.opacity_label = QLabel()
        self.retranslate()
        row = QHBoxLayout()
        row.addWidget(self.opacity_label)
        row.addWidget(self.opacity)
        box = QVBoxLayout(self)
        box.setContentsMargins(2, 2, 2, 2)
        box.addWidget(self.view)
        box.addLayout(row)
        self.model.rowsInserted.connect(lambda *_: self.view.expandAll())
        self.model.modelReset.connect(self.view.expandAll)
        self._sync_opacity()

    def set_layers(self, layers: LayerList) -> None:
        self.model.set_layers(layers)
        if self.model.rowCount():
            self.view.setCurrentIndex(self.model.index(0, 0))
        self._sync_opacity()

    def retranslate(self, *_args) -> None:
        """Texts in the active language (built with it; again on a language switch)."""
        self.opacity.setToolTip(tr("Opacity of the selected layer"))
        self.opacity_label.setText(tr("Opacity"))
        self.view.viewport().update()  # tooltips and legend rows are read from the model anew

    def follow(self, state: AppState) -> None:
        """Show the state's project; the current row is the state's current layer, both ways."""
        state.events.project.connect(
            lambda project: self.set_layers(project.layers if project is not None else LayerList())
        )
        state.events.language.connect(self.retranslate)
        state.events.current_layer.connect(self._state_current_changed)
        self.current_layer_changed.connect(
            lambda layer: state.set_current_layer(
                layer if layer is not None and layer in self.model.layers else None
            )
        )

    def _state_current_changed(self, layer: Layer | None) -> None:
        if layer is not None and layer is not self.current_layer():
            self.set_current_layer(layer)

    def current_layer(self) -> Layer | None:
        return self.model.layer_at(self.view.currentIndex())

    def set_current_layer(self, layer: Layer) -> None:
        self.view.setCurrentIndex(self.model.index_of(layer))

    def _current_changed(self, *_args) -> None:
        self._sync_opacity()
        self.current_layer_changed.emit(self.current_layer())

    def _sync_opacity(self) -> None:
        layer = self.current_layer()
        self.opacity.setEnabled(layer is not None)
        self.opacity.blockSignals(True)
        self.opacity.setValue(round((layer.opacity if layer else 1.0) * 100))
        self.opacity.blockSignals(False)

    def _opacity_moved(self, value: int) -> None:
        layer = self.current_layer()
        if layer is not None and abs(layer.opacity - value / 100) > 1e-9:
            self._push(
                SetLayerAttribute(
                    layer, "opacity", value / 100, tr("Opacity of {n}").format(n=layer.name)
                )
            )

    def _double_clicked(self, index: QModelIndex) -> None:
        layer = self.model.layer_at(index)
        if layer is not None:
            self.style_requested.emit(layer)

    # --- actions a menu or a shortcut triggers -----------------------------------------------
    def move_current(self, steps: int) -> None:
        """steps > 0 moves the current layer up the panel (drawn later, on top)."""
        layer = self.current_layer()
        if layer is None:
            return
        row = self.model.index_of(layer).row()
        target = row - steps if steps > 0 else row - steps + 1
        self.model.move_to_display_row(layer, max(0, target))
        self.set_current_layer(layer)

    def remove_current(self) -> None:
        layer = self.current_layer()
        if layer is not None:
            self._push(RemoveLayer(self.model.layers, layer))

    def rename_current(self) -> None:
        index = self.view.currentIndex()
        if index.isValid() and not index.internalId():
            self.view.edit(index)

    def set_role(self, layer: Layer, role: Role) -> None:
        if role != layer.role:
            self._push(
                SetLayerAttribute(layer, "role", role, tr("Role of {n}").format(n=layer.name))
            )

    def edit_target_levels(self, layer: Layer) -> TargetLevelsDialog:
        """Read an enforcement layer's offences or levels otherwise (undoable on Apply/OK)."""
        dialog = TargetLevelsDialog(layer, self._push, self)
        dialog.open()
        self._levels_dialog = dialog  # kept alive while open (open() does not block)
        return dialog

    def ask_opacity(self, layer: Layer) -> None:
        value, ok = QInputDialog.getInt(
            self,
            tr("Opacity"),
            tr("Opacity of {n} (%)").format(n=layer.name),
            round(layer.opacity * 100),
            0,
            100,
        )
        if ok:
            self._push(SetLayerAttribute(layer, "opacity", value / 100, tr("Opacity")))
            self._sync_opacity()

    def _context_menu(self, pos) -> None:
        layer = self.model.layer_at(self.view.indexAt(pos))
        if layer is None:
            return
        menu = QMenu(self)

        def add(text: str, slot) -> QAction:
            action = menu.addAction(text)
            action.triggered.connect(slot)
            return action

        if is_raster(layer):
            self._raster_menu(menu, add, layer)
            menu.exec(self.view.viewport().mapToGlobal(pos))
            return
        add(tr("Zoom to layer"), lambda: self.zoom_requested.emit(layer))
        add(tr("Open attribute table"), lambda: self.open_table_requested.emit(layer))
        add(tr("Style…"), lambda: self.style_requested.emit(layer))
        add(tr("Opacity…"), lambda: self.ask_opacity(layer))
        menu.addSeparator()
        roles = menu.addMenu(tr("Role"))
        for role in Role:
            action = roles.addAction(tr(ROLE_LABELS.get(role, role.value)))
            action.setCheckable(True)
            action.setChecked(role == layer.role)
            action.triggered.connect(lambda _=False, r=role: self.set_role(layer, r))
        add(tr("Field mapping…"), lambda: FieldMappingDialog(layer, self).exec())
        if layer.role == Role.ENFORCEMENT:
            add(tr("Target levels…"), lambda: self.edit_target_levels(layer))
        menu.addSeparator()
        add(tr("Rename"), self.rename_current)
        add(tr("Remove"), lambda: self._confirm_remove(layer))
        menu.exec(self.view.viewport().mapToGlobal(pos))

    def _raster_menu(self, menu: QMenu, add, layer) -> None:
        """A raster has no table, role or fields: its metadata and overviews instead."""
        add(tr("Zoom to layer"), lambda: self.zoom_requested.emit(layer))
        add(tr("Style…"), lambda: self.style_requested.emit(layer))
        add(tr("Opacity…"), lambda: self.ask_opacity(layer))
        add(tr("Properties…"), lambda: self.show_properties(layer))
        build = add(tr("Build overviews…"), lambda: self.overviews_requested.emit(layer))
        if layer.id in self.model.problems:
            menu.setDefaultAction(build)  # the remedy for what the map could not draw
        menu.addSeparator()
        add(tr("Rename"), self.rename_current)
        add(tr("Remove"), lambda: self._confirm_remove(layer))

    def show_properties(self, layer) -> RasterPropertiesDialog:
        dialog = RasterPropertiesDialog(layer, self)
        dialog.open()
        self._properties_dialog = dialog
        return dialog

    def _confirm_remove(self, layer: Layer) -> None:
        self.set_current_layer(layer)
        self.remove_current()  # undoable, so no confirmation dialog
