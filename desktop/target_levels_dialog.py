"""The target-level editor of an enforcement layer: every distinct value of its level field (or
offence field) with the level the vocabulary reads, the records and people it counts, and a
combo to read it otherwise. Unclassified values are highlighted and counted, never dropped.
Applying stores the choices as the layer's overrides (FieldMapping.value_maps), one undo step.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QUndoCommand
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.undo import SetLayerAttribute
from layers.enforcement_levels import (
    ActionType,
    TargetLevel,
    classify_action,
    classify_level,
    tally_levels,
)
from layers.i18n import tr, trn
from layers.layer import Layer
from layers.numbers import number

LEVEL_KEY = "target_level"  # FieldMapping.value_maps key of the overrides
UNCLASSIFIED_BRUSH = QBrush(QColor("#fde0c5"))  # a warm tint that reads as "look at me"
COL_VALUE, COL_RECORDS, COL_PERSONS, COL_LEVEL, COL_HOW = range(5)
RAW = Qt.ItemDataRole.UserRole


def level_column(layer: Layer) -> str | None:
    """The column whose values say whom an action hit: the level field, else the offence."""
    for key in ("target_level", "offence"):
        column = layer.field(key)
        if column and column in layer.data.columns:
            return column
    return None


class TargetLevelsDialog(QDialog):
    """Read each raw value of an enforcement layer's level field into a target level."""

    def __init__(
        self,
        layer: Layer,
        push: Callable[[QUndoCommand], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.layer = layer
        self._push = push
        self.setWindowTitle(tr("Target levels — {n}").format(n=layer.name))
        box = QVBoxLayout(self)
        self.column = QComboBox()
        self.column.setObjectName("level_column")
        text_columns = [
            str(c)
            for c in layer.data.columns
            if c != "geometry" and not pd.api.types.is_numeric_dtype(layer.data[c])
        ]
        self.column.addItems(text_columns)
        start = level_column(layer)
        if start in text_columns:
            self.column.setCurrentText(start)
        row = QHBoxLayout()
        row.addWidget(QLabel(tr("Values of")))
        row.addWidget(self.column, 1)
        box.addLayout(row)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        box.addWidget(self.summary)
        self.only_unclassified = QCheckBox(tr("Show only unclassified values"))
        self.only_unclassified.toggled.connect(self._filter)
        box.addWidget(self.only_unclassified)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(
            [
                tr("Value in the data"),
                tr("Records"),
                tr("Persons"),
                tr("Target level"),
                tr("Read by"),
            ]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(COL_VALUE, QHeaderView.ResizeMode.Stretch)
        for col in (COL_RECORDS, COL_PERSONS, COL_LEVEL):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_HOW, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(COL_HOW, 150)
        box.addWidget(self.table, 1)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Apply
            | QDialogButtonBox.StandardButton.Cancel
        )
        self.reset = QPushButton(tr("Use the vocabulary for all"))
        self.reset.setToolTip(tr("Forget this layer's own readings: every value as docs/enforcement.md reads it"))  # fmt: skip
        self.reset.clicked.connect(self.use_vocabulary)
        buttons.addButton(self.reset, QDialogButtonBox.ButtonRole.ResetRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Apply).clicked.connect(self.apply)
        box.addWidget(buttons)
        self.buttons = buttons
        self._overrides = layer.mapping.values_for(LEVEL_KEY)
        self.column.currentTextChanged.connect(lambda _text: self._fill())
        self._fill()
        self.resize(1000, 520)

    # --- the table ---------------------------------------------------------------------------
    def _fill(self) -> None:
        column = self.column.currentText()
        self.table.setRowCount(0)
        if not column:
            self.summary.setText(tr("This layer has no text column to read levels from."))
            return
        data = self.layer.data
        action = self.layer.field("action_type")
        self.seizures_left_out = 0
        if action in data.columns:  # seizures say what was taken, not whom: levels are arrests'
            seizure = data[action].map(lambda v: classify_action(v) == ActionType.SEIZURE)
            self.seizures_left_out = int(seizure.sum())
            data = data.loc[~seizure.to_numpy(dtype=bool)]
        persons_col = self.layer.field("persons")
        persons = data[persons_col] if persons_col in data.columns else None
        self.tally = tally_levels(data[column], self._overrides, persons)
        self.table.setRowCount(len(self.tally.values))
        for i, value in enumerate(self.tally.values):
            item = QTableWidgetItem(value.raw or tr("(empty)"))
            item.setData(RAW, value.raw)  # the raw value an override keys on
            self.table.setItem(i, COL_VALUE, item)
            self.table.setItem(i, COL_RECORDS, _number_item(value.count))
            self.table.setItem(i, COL_PERSONS, _number_item(value.persons))
            combo = QComboBox()
            for level in TargetLevel:
                combo.addItem(level.label, level.value)
            combo.setCurrentIndex(combo.findData(value.level.value))
            combo.setEnabled(bool(value.raw))  # an empty value has nothing to read
            combo.currentIndexChanged.connect(lambda _i, r=i: self._row_changed(r))
            self.table.setCellWidget(i, COL_LEVEL, combo)
            self.table.setItem(i, COL_HOW, QTableWidgetItem())
            self._paint_row(i)
        self._update_summary()
        self._filter()

    def combo(self, row: int) -> QComboBox:
        return self.table.cellWidget(row, COL_LEVEL)

    def row_of(self, raw: str) -> int:
        """The table row of a raw value (-1 when the column has no such value)."""
        for i in range(self.table.rowCount()):
            if self.table.item(i, COL_VALUE).data(RAW) == raw:
                return i
        return -1

    def chosen(self, row: int) -> TargetLevel:
        return TargetLevel(self.combo(row).currentData())

    def _row_changed(self, row: int) -> None:
        self._paint_row(row)
        self._update_summary()

    def _paint_row(self, row: int) -> None:
        raw = self.table.item(row, COL_VALUE).data(RAW)
        level = self.chosen(row)
        vocabulary = classify_level(raw)
        if not raw:
            how = tr("Empty: counted as unclassified")
        elif level != vocabulary:
            how = tr("Your reading")
        elif level == TargetLevel.UNCLASSIFIED:
            how = tr("Not in the vocabulary")
        else:
            how = tr("Vocabulary")
        self.table.item(row, COL_HOW).setText(how)
        brush = UNCLASSIFIED_BRUSH if level == TargetLevel.UNCLASSIFIED else QBrush()
        for col in (COL_VALUE, COL_RECORDS, COL_PERSONS, COL_HOW):
            self.table.item(row, col).setBackground(brush)

    def unclassified_rows(self) -> list[int]:
        return [
            i for i in range(self.table.rowCount()) if self.chosen(i) == TargetLevel.UNCLASSIFIED
        ]

    def _update_summary(self) -> None:
        rows = self.unclassified_rows()
        records = sum(int(self.tally.values[i].count) for i in rows)
        total = sum(v.count for v in self.tally.values)
        seizures = ""
        if self.seizures_left_out:
            seizures = " " + trn(
                "{n} seizure record is left out: it says what was seized, not whom.",
                "{n} seizure records are left out: they say what was seized, not whom.",
                self.seizures_left_out,
            ).format(n=number(self.seizures_left_out))
        if not rows:
            self.summary.setText(
                trn("Every value is read into a level ({n} record).",
                    "Every value is read into a level ({n} records).", total).format(n=number(total))
                + seizures
            )  # fmt: skip
            return
        self.summary.setText(
            trn(
                "{k} value ({r} of {n} records) is unclassified: counted as such and listed "
                "here, never dropped. Choose a level to read it otherwise.",
                "{k} values ({r} of {n} records) are unclassified: counted as such and listed "
                "here, never dropped. Choose a level to read them otherwise.",
                len(rows),
            ).format(k=number(len(rows)), r=number(records), n=number(total))
            + seizures
        )

    def _filter(self, *_args) -> None:
        only = self.only_unclassified.isChecked()
        for i in range(self.table.rowCount()):
            hide = only and self.chosen(i) != TargetLevel.UNCLASSIFIED
            self.table.setRowHidden(i, hide)

    # --- applying ----------------------------------------------------------------------------
    def overrides(self) -> dict[str, str]:
        """This layer's readings: the values read otherwise than the vocabulary, plus those
        kept from earlier for values this column does not hold."""
        shown = {self.table.item(i, COL_VALUE).data(RAW) for i in range(self.table.rowCount())}
        out = {raw: level for raw, level in self._overrides.items() if raw not in shown}
        for i in range(self.table.rowCount()):
            raw = self.table.item(i, COL_VALUE).data(RAW)
            if raw and self.chosen(i) != classify_level(raw):
                out[raw] = self.chosen(i).value
        return out

    def use_vocabulary(self) -> None:
        for i in range(self.table.rowCount()):
            raw = self.table.item(i, COL_VALUE).data(RAW)
            combo = self.combo(i)
            combo.setCurrentIndex(combo.findData(classify_level(raw).value))

    def apply(self) -> None:
        overrides = self.overrides()
        if overrides == self.layer.mapping.values_for(LEVEL_KEY):
            return
        mapping = self.layer.mapping.with_values(LEVEL_KEY, overrides)
        self._push(
            SetLayerAttribute(
                self.layer, "mapping", mapping, tr("Target levels of {n}").format(n=self.layer.name)
            )
        )
        self._overrides = overrides

    def accept(self) -> None:
        self.apply()
        super().accept()


def _number_item(value: float) -> QTableWidgetItem:
    item = QTableWidgetItem(number(value))
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item
