"""Attribute table: a lazy Qt table over a layer's GeoDataFrame, linked to the map selection.

The model never copies the frame: `rows` is an array of row positions (sorted and
filtered) and data() reads one cell on demand from per-column numpy views. Its context
menu (desktop/table_actions.py) copies cells and rows, zooms to a feature, selects all or
the inverse and exports the selection.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop import table_actions
from layers.i18n import tr
from layers.layer import Layer
from layers.numbers import number

MISSING = "NULL"


def format_cell(value) -> str:
    if value is None:
        return MISSING
    if isinstance(value, float):
        if math.isnan(value):
            return MISSING
        return f"{value:,.4g}" if abs(value) < 1e6 else f"{value:,.0f}"
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    if value is pd.NaT:
        return MISSING
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d") if value == value.normalize() else str(value)
    return str(value)


class AttributeModel(QAbstractTableModel):
    """Columns of the layer (geometry left out); rows in `self.rows` order."""

    def __init__(self, layer: Layer | None = None) -> None:
        super().__init__()
        self.layer: Layer | None = None
        self.columns: list[str] = []
        self.rows = np.empty(0, dtype=np.int64)
        self._arrays: dict[int, np.ndarray] = {}
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._filter_mask: np.ndarray | None = None
        if layer is not None:
            self.set_layer(layer)

    def set_layer(self, layer: Layer | None) -> None:
        self.beginResetModel()
        self.layer = layer
        self._arrays = {}
        self._sort = None
        self._filter_mask = None
        if layer is None:
            self.columns = []
            self.rows = np.empty(0, dtype=np.int64)
        else:
            geom = layer.data.geometry.name
            self.columns = [str(c) for c in layer.data.columns if c != geom]
            self.rows = np.arange(len(layer.data), dtype=np.int64)
        self.endResetModel()

    def _column(self, col: int) -> np.ndarray:
        if col not in self._arrays:  # one array per column, read once; never per cell
            assert self.layer is not None
            self._arrays[col] = self.layer.data[self.columns[col]].to_numpy()
        return self._arrays[col]

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else int(self.rows.size)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return format_cell(self._column(index.column())[self.rows[index.row()]])
        if role == Qt.ItemDataRole.TextAlignmentRole:
            value = self._column(index.column())[self.rows[index.row()]]
            if isinstance(value, int | float | np.number):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.columns[section] if section < len(self.columns) else None
        return str(int(self.rows[section]) + 1) if section < self.rows.size else None

    # --- order and filter -----------------------------------------------------------------
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort = (column, order)
        self._rebuild()

    def set_filter(self, expression: str) -> str:
        """Keep rows matching a pandas query expression; returns an error message or ''."""
        expression = expression.strip()
        if not expression or self.layer is None:
            self._filter_mask = None
            self._rebuild()
            return ""
        frame = self.layer.data.drop(columns=self.layer.data.geometry.name)
        try:
            result = frame.eval(expression, engine="python")
            mask = np.asarray(result, dtype=bool)
            if mask.shape != (len(frame),):
                raise ValueError(tr("the expression does not give one true/false per row"))
        except Exception as exc:  # noqa: BLE001 - any bad expression becomes a message
            return tr(
                "Cannot filter by {e!r}: {problem}. Write a condition on column names, for "
                "example: year >= 2019 and hectares > 10 (names with spaces in `backticks`)."
            ).format(e=expression, problem=_short(exc))
        self._filter_mask = mask
        self._rebuild()
        return ""

    def _rebuild(self) -> None:
        if self.layer is None:
            return
        self.layoutAboutToBeChanged.emit()
        n = len(self.layer.data)
        rows = np.arange(n, dtype=np.int64)
        if self._sort is not None:
            col, order = self._sort
            series = self.layer.data[self.columns[col]]
            rows = _argsort(series)
            if order == Qt.SortOrder.DescendingOrder:
                rows = rows[::-1]
        if self._filter_mask is not None:
            rows = rows[self._filter_mask[rows]]
        # Keep selections and the current cell on the same features (Qt's layout contract).
        old_rows, persistent = self.rows, self.persistentIndexList()
        self.rows = rows
        new_row_of = np.full(n, -1, dtype=np.int64)
        new_row_of[rows] = np.arange(rows.size)
        moved = []
        for index in persistent:
            old = index.row()
            new = int(new_row_of[old_rows[old]]) if 0 <= old < old_rows.size else -1
            moved.append(self.index(new, index.column()) if new >= 0 else QModelIndex())
        self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()

    def positions_of_rows(self, rows: list[int]) -> np.ndarray:
        return self.rows[np.asarray(rows, dtype=np.int64)] if rows else np.empty(0, np.int64)

    def rows_of_positions(self, positions: np.ndarray) -> np.ndarray:
        """Table rows showing the given frame positions (those filtered out are skipped)."""
        if positions.size == 0:
            return np.empty(0, np.int64)
        return np.flatnonzero(np.isin(self.rows, positions))


def _argsort(series: pd.Series) -> np.ndarray:
    """Stable order with missing values last, for numbers, dates or text."""
    try:
        order = np.argsort(series.to_numpy(), kind="stable")
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_datetime64_any_dtype(series):
            missing = series.isna().to_numpy()[order]
            order = np.concatenate([order[~missing], order[missing]])
        return order.astype(np.int64)
    except TypeError:  # mixed types: compare as text
        return np.argsort(series.astype(str).to_numpy(), kind="stable").astype(np.int64)


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]


class AttributeTable(QWidget):
    """Layer picker, filter box and the table; selection follows the map both ways."""

    filter_failed = Signal(str)

    def __init__(self, selection, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.selection = selection
        self.model = AttributeModel()
        self.view = QTableView()
        self.view.setObjectName("attribute_view")
        self.view.setModel(self.model)
        self.view.setSortingEnabled(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setDefaultSectionSize(22)
        self.view.horizontalHeader().setHighlightSections(False)
        self.view.setWordWrap(False)
        self.layer_box = QComboBox()
        self.layer_box.setMinimumContentsLength(18)
        self.filter_edit = QLineEdit()
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.returnPressed.connect(self.apply_filter)
        apply = self._apply_button = QPushButton()
        apply.clicked.connect(self.apply_filter)
        self.status = QLabel()
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color:#a40000")
        self.error.hide()
        top = QHBoxLayout()
        self._layer_label = QLabel()
        top.addWidget(self._layer_label)
        top.addWidget(self.layer_box)
        top.addWidget(self.filter_edit, 1)
        top.addWidget(apply)
        top.addWidget(self.status)
        box = QVBoxLayout(self)
        box.setContentsMargins(2, 2, 2, 2)
        box.addLayout(top)
        box.addWidget(self.error)
        box.addWidget(self.view)
        self._layers: list[Layer] = []
        self._syncing = False
        self.layer_box.currentIndexChanged.connect(self._layer_chosen)
        self.view.selectionModel().selectionChanged.connect(self._table_selection_changed)
        selection.changed.connect(self._map_selection_changed)
        self._make_actions()
        self.retranslate()

    def retranslate(self, *_args) -> None:
        """Texts in the active language (built with it; again on a language switch)."""
        self.filter_edit.setPlaceholderText(tr("Filter, e.g.  year >= 2019 and hectares > 10"))
        self._apply_button.setText(tr("Filter"))
        self._layer_label.setText(tr("Layer"))
        for action, text in (
            (self.copy_cell_action, tr("Copy cell")),
            (self.copy_rows_action, tr("Copy selected rows")),
            (self.zoom_action, tr("Zoom to feature")),
            (self.select_all_action, tr("Select all shown")),
            (self.invert_action, tr("Invert selection")),
            (self.export_action, tr("Export selection…")),
        ):
            action.setText(text)
        self._update_status()  # '0 seleccionados · 83 de 83 mostrados'

    # --- context menu -----------------------------------------------------------------------
    def _make_actions(self) -> None:
        def action(text: str, slot, shortcut: str | None = None) -> QAction:
            made = QAction(text, self.view)
            made.triggered.connect(lambda _checked=False: slot())  # not the checked flag
            if shortcut:
                made.setShortcut(QKeySequence(shortcut))
                made.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                self.view.addAction(made)  # the shortcut works while the table has focus
            return made

        self.copy_cell_action = action(tr("Copy cell"), self.copy_cell)
        self.copy_rows_action = action(tr("Copy selected rows"), self.copy_rows, "Ctrl+C")
        self.zoom_action = action(tr("Zoom to feature"), self.zoom_to_feature)
        self.select_all_action = action(tr("Select all shown"), self.select_all)
        self.invert_action = action(tr("Invert selection"), self.invert_selection, "Ctrl+I")
        self.export_action = action(tr("Export selection…"), self.export_selection)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._show_menu)
        self._menu_index = QModelIndex()
        self.view.installEventFilter(self)  # Ctrl+C: the view would copy one cell itself

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt override
        if (
            watched is self.view
            and event.type() == QEvent.Type.KeyPress
            and event.matches(QKeySequence.StandardKey.Copy)
        ):
            self._menu_index = QModelIndex()
            self.copy_rows()
            return True
        return super().eventFilter(watched, event)

    def _show_menu(self, pos) -> None:
        self.context_menu(self.view.indexAt(pos)).exec(self.view.viewport().mapToGlobal(pos))

    def context_menu(self, index: QModelIndex):
        """The menu for a right-click on `index` (invalid: beside the rows)."""
        return table_actions.build_menu(self, index)

    def copy_cell(self) -> None:
        table_actions.copy_cell(self)

    def copy_rows(self) -> None:
        table_actions.copy_rows(self)

    def zoom_to_feature(self) -> None:
        table_actions.zoom_to_feature(self)

    def select_all(self) -> None:
        table_actions.select_all(self)

    def invert_selection(self) -> None:
        table_actions.invert_selection(self)

    def export_selection(self, path: str | None = None) -> None:
        table_actions.export_selection(self, path)

    def say(self, text: str, problem: bool = False) -> None:
        """A line above the table: red for a problem, grey for what was done."""
        self.error.setStyleSheet("color:#a40000" if problem else "color:#444444")
        self.error.setText(text)
        self.error.show()

    # --- layers -----------------------------------------------------------------------------
    def set_layers(self, layers: list[Layer]) -> None:
        """Offer these layers (top of the map first); keep the shown one if still there."""
        current = self.model.layer
        self._layers = list(layers)
        self.layer_box.blockSignals(True)
        self.layer_box.clear()
        for layer in self._layers:
            self.layer_box.addItem(layer.name, layer.id)
        self.layer_box.blockSignals(False)
        if current in self._layers:
            self.layer_box.blockSignals(True)
            self.layer_box.setCurrentIndex(self._layers.index(current))
            self.layer_box.blockSignals(False)
        else:
            self.show_layer(self._layers[0] if self._layers else None)

    def show_layer(self, layer: Layer | None) -> None:
        if layer is not None and layer in self._layers:
            self.layer_box.blockSignals(True)
            self.layer_box.setCurrentIndex(self._layers.index(layer))
            self.layer_box.blockSignals(False)
        self.model.set_layer(layer)
        self.filter_edit.clear()
        self.error.hide()
        self._select_from_map()
        self._update_status()
        if layer is not None and len(layer.data) < 5000:  # sizing reads every cell: only small
            self.view.resizeColumnsToContents()

    def _layer_chosen(self, index: int) -> None:
        if 0 <= index < len(self._layers):
            self.show_layer(self._layers[index])

    def apply_filter(self) -> None:
        message = self.model.set_filter(self.filter_edit.text())
        if message:
            self.say(message, problem=True)
            self.filter_failed.emit(message)
        else:
            self.error.hide()
            self._select_from_map()
        self._update_status()

    def _update_status(self) -> None:
        layer = self.model.layer
        if layer is None:
            self.status.setText(tr("No layer"))
            return
        shown, total = self.model.rowCount(), len(layer.data)
        selected = self.selection.rows(layer).size
        self.status.setText(
            tr("{s} selected · {n} of {t} shown").format(
                s=number(selected), n=number(shown), t=number(total)
            )
        )

    # --- selection both ways ------------------------------------------------------------------
    def _table_selection_changed(self, *_args) -> None:
        if self._syncing or self.model.layer is None:
            return
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        self.selection.set(self.model.layer, self.model.positions_of_rows(rows), "table")
        self._update_status()

    def _map_selection_changed(self, layer_id: int, source: str) -> None:
        layer = self.model.layer
        if layer is None or layer.id != layer_id or source == "table":
            self._update_status()
            return
        self._select_from_map()
        self._update_status()

    def _select_from_map(self) -> None:
        layer = self.model.layer
        if layer is None:
            return
        rows = self.model.rows_of_positions(self.selection.rows(layer))
        selection = QItemSelection()
        last = self.model.columnCount() - 1
        for start, stop in _runs(rows):
            selection.select(self.model.index(start, 0), self.model.index(stop, max(last, 0)))
        self._syncing = True
        try:
            self.view.selectionModel().select(
                selection,
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
            if rows.size:
                self.view.scrollTo(self.model.index(int(rows[0]), 0))
        finally:
            self._syncing = False


def _runs(rows: np.ndarray):
    """Consecutive runs (start, stop) in sorted row numbers: few ranges, fast selection."""
    if rows.size == 0:
        return
    breaks = np.flatnonzero(np.diff(rows) != 1)
    starts = np.concatenate([[rows[0]], rows[breaks + 1]])
    stops = np.concatenate([rows[breaks], [rows[-1]]])
    yield from zip(starts.tolist(), stops.tolist(), strict=True)
