"""The attribute form of a new or selected feature, and the "New scratch layer" dialog.

The form is built from the layer's fields (layers.edit_fields.layer_fields): a line for text
and numbers, a date picker for dates, a list of the role's known values for choices. Every
value is checked by the model's own `FieldSpec.validate` before the form is accepted, and
what is wrong is shown under its field. Docs: docs/editing.md.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.dialog_parts import remove_selected_rows
from layers import numbers
from layers.edit_fields import FIELD_TYPE_LABELS, FIELD_TYPES, EditError, FieldSpec, role_fields
from layers.i18n import tr, tr_noop
from layers.roles import Role

BLANK_DATE = QDate(1800, 1, 1)  # the date picker's "no date" (shown as a dash)
NUMBER_EXAMPLES = {"integer": 0, "real": 0.0}  # in the interface's number format (0,0)
KINDS = {"point": tr_noop("Points"), "line": tr_noop("Lines"), "polygon": tr_noop("Polygons")}


def _text(value: Any) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return str(value)


class AttributeForm(QDialog):
    """One input per field, a message under each; `values()` once accepted."""

    def __init__(
        self,
        layer_name: str,
        fields: list[FieldSpec],
        values: dict[str, Any] | None = None,
        parent: QWidget | None = None,
        title: str = "",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("attribute_form")
        self.setWindowTitle(title or tr("Attributes — {l}").format(l=layer_name))
        self.fields = list(fields)
        self.inputs: dict[str, QWidget] = {}
        self.problems: dict[str, QLabel] = {}
        self._values: dict[str, Any] = {}
        values = values or {}
        form = QFormLayout()
        for spec in self.fields:
            widget = self._input(spec, values.get(spec.name))
            widget.setObjectName(f"field_{spec.name}")
            problem = QLabel()
            problem.setStyleSheet("color:#b0003a")
            problem.setWordWrap(True)
            problem.hide()
            cell = QWidget()
            box = QVBoxLayout(cell)
            box.setContentsMargins(0, 0, 0, 0)
            box.setSpacing(1)
            box.addWidget(widget)
            box.addWidget(problem)
            kind = tr(FIELD_TYPE_LABELS[spec.type])
            label = QLabel(f"{spec.name} <span style='color:#777'>({kind})</span>")
            form.addRow(label, cell)
            self.inputs[spec.name], self.problems[spec.name] = widget, problem
        if not self.fields:
            form.addRow(QLabel(tr("This layer has no fields.")))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        outer = QVBoxLayout(self)
        outer.addLayout(form)
        outer.addWidget(buttons)
        self.setMinimumWidth(380)

    def _input(self, spec: FieldSpec, value: Any) -> QWidget:
        if spec.type == "date":
            edit = QDateEdit()
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setMinimumDate(BLANK_DATE)
            edit.setSpecialValueText("—")  # shown at the minimum: no date
            text = _text(value)
            date = QDate.fromString(text[:10], "yyyy-MM-dd") if text else QDate()
            edit.setDate(date if date.isValid() else BLANK_DATE)
            return edit
        if spec.type == "choice":
            combo = QComboBox()
            combo.addItem("", "")
            for choice in spec.choices:
                combo.addItem(choice, choice)
            text = _text(value)
            if text and combo.findData(text) < 0:
                combo.addItem(text, text)  # a value the data already had: shown, then checked
            combo.setCurrentIndex(max(0, combo.findData(text)))
            return combo
        edit = QLineEdit(_text(value))
        example = NUMBER_EXAMPLES.get(spec.type)
        if example is not None:  # a number is expected: shown as 0 or 0.0 ('0,0' in Spanish)
            decimals = 1 if spec.type == "real" else 0
            edit.setPlaceholderText(numbers.number(example, decimals=decimals))
        return edit

    def raw(self, name: str) -> Any:
        """What the field's input holds, as typed (None for no date)."""
        widget = self.inputs[name]
        if isinstance(widget, QDateEdit):
            date = widget.date()
            return None if date == BLANK_DATE else date.toString("yyyy-MM-dd")
        if isinstance(widget, QComboBox):
            return widget.currentData() or widget.currentText()
        return widget.text()

    def set_value(self, name: str, value: Any) -> None:
        """Fill a field as the user would (tests and pre-filled values)."""
        widget = self.inputs[name]
        text = _text(value)
        if isinstance(widget, QDateEdit):
            date = QDate.fromString(text[:10], "yyyy-MM-dd")
            widget.setDate(date if date.isValid() else BLANK_DATE)
        elif isinstance(widget, QComboBox):
            index = widget.findData(text)
            if index < 0:
                widget.addItem(text, text)
                index = widget.count() - 1
            widget.setCurrentIndex(index)
        else:
            widget.setText(text)

    def check(self) -> bool:
        """Validate every field with the model; show what is wrong under it."""
        ok = True
        self._values = {}
        for spec in self.fields:
            problem = self.problems[spec.name]
            try:
                self._values[spec.name] = spec.validate(self.raw(spec.name))
                problem.hide()
            except EditError as exc:
                problem.setText(str(exc))
                problem.show()
                ok = False
        return ok

    def accept(self) -> None:
        if self.check():
            super().accept()

    def values(self) -> dict[str, Any]:
        """The validated values (blanks as None)."""
        return dict(self._values)


class NewLayerDialog(QDialog):
    """Name, geometry, role and fields of a new drawn layer (fields start as the role's)."""

    def __init__(
        self,
        parent: QWidget | None = None,
        name: str = "",
        kind: str = "polygon",
        role: Role | str = Role.OTHER,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("new_layer_dialog")
        self.setWindowTitle(tr("New scratch layer"))
        self.name_edit = QLineEdit(name or tr("Drawn layer"))
        self.kind_box = QComboBox()
        for value, label in KINDS.items():
            self.kind_box.addItem(tr(label), value)
        self.kind_box.setCurrentIndex(max(0, self.kind_box.findData(kind)))
        self.role_box = QComboBox()
        for r in Role:
            if r is not Role.RESULT:
                self.role_box.addItem(r.label, r.value)
        self.role_box.setCurrentIndex(max(0, self.role_box.findData(Role(role).value)))
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(
            [tr("Field"), tr("Type"), tr("Values (for a list, separated by |)")]
        )
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        add, remove = QPushButton(tr("Add field")), QPushButton(tr("Remove field"))
        add.clicked.connect(lambda: self._add_row(FieldSpec(tr("field"), "text")))
        remove.clicked.connect(lambda: remove_selected_rows(self.table))
        self.problem = QLabel()
        self.problem.setStyleSheet("color:#b0003a")
        self.problem.setWordWrap(True)
        self.problem.hide()
        form = QFormLayout()
        form.addRow(tr("Name"), self.name_edit)
        form.addRow(tr("Geometry"), self.kind_box)
        form.addRow(tr("Role"), self.role_box)
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch(1)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        outer = QVBoxLayout(self)
        outer.addLayout(form)
        outer.addWidget(
            QLabel(tr("Fields (the role's fields let the analyses find dates, methods…)"))
        )
        outer.addWidget(self.table, 1)
        outer.addLayout(row)
        outer.addWidget(self.problem)
        outer.addWidget(buttons)
        self.role_box.currentIndexChanged.connect(lambda _i: self._fill_role_fields())
        self._fill_role_fields()
        self.resize(560, 420)
        self._fields: list[FieldSpec] = []

    def _fill_role_fields(self) -> None:
        self.table.setRowCount(0)
        for spec in role_fields(self.role()):
            self._add_row(spec)

    def _add_row(self, spec: FieldSpec) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        name = QTableWidgetItem(spec.name)
        name.setData(Qt.ItemDataRole.UserRole, spec.key)  # the canonical key it fills
        self.table.setItem(row, 0, name)
        kind = QComboBox()
        for value in FIELD_TYPES:
            kind.addItem(tr(FIELD_TYPE_LABELS[value]), value)
        kind.setCurrentIndex(kind.findData(spec.type))
        self.table.setCellWidget(row, 1, kind)
        self.table.setItem(row, 2, QTableWidgetItem("|".join(spec.choices)))

    def role(self) -> Role:
        return Role(self.role_box.currentData())

    def kind(self) -> str:
        return str(self.kind_box.currentData())

    def name(self) -> str:
        return self.name_edit.text().strip()

    def fields(self) -> list[FieldSpec]:
        return list(self._fields)

    def _read_fields(self) -> list[FieldSpec]:
        out = []
        for row in range(self.table.rowCount()):
            name_item = self.table.item(row, 0)
            name = name_item.text().strip() if name_item else ""
            kind = self.table.cellWidget(row, 1).currentData()
            values_item = self.table.item(row, 2)
            choices = tuple(
                v.strip() for v in (values_item.text() if values_item else "").split("|")
            )
            choices = tuple(v for v in choices if v) if kind == "choice" else ()
            key = str(name_item.data(Qt.ItemDataRole.UserRole) or "") if name_item else ""
            out.append(FieldSpec(name, kind, choices, key))
        names = [f.name for f in out]
        if len(set(names)) != len(names):
            raise EditError(tr("Two fields have the same name: {n}.").format(n=", ".join(names)))
        return out

    def accept(self) -> None:
        if not self.name():
            self.problem.setText(tr("Give the layer a name."))
            self.problem.show()
            return
        try:
            self._fields = self._read_fields()
        except EditError as exc:
            self.problem.setText(str(exc))
            self.problem.show()
            return
        super().accept()
