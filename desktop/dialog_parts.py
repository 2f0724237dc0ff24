"""Pieces the dialogs build alike: the OK/Apply/Cancel row, number boxes, grey hints, a
low–high pair of boxes and the "remove the selected rows" of an editable table."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QWidget,
)

Button = QDialogButtonBox.StandardButton


def ok_apply_cancel(
    dialog: QDialog, on_ok: Callable[[], object]
) -> tuple[QDialogButtonBox, QPushButton, QPushButton]:
    """The row of OK (runs on_ok), Apply (the caller wires it) and Cancel (rejects the
    dialog); returns the row, its OK button and its Apply button."""
    buttons = QDialogButtonBox(Button.Ok | Button.Apply | Button.Cancel)
    buttons.accepted.connect(on_ok)
    buttons.rejected.connect(dialog.reject)
    return buttons, buttons.button(Button.Ok), buttons.button(Button.Apply)


def number_box(
    low: float, high: float, value: float, *, step: float = 1.0, decimals: int = 2
) -> QDoubleSpinBox:
    """A decimal spin box from low to high showing value."""
    spin = QDoubleSpinBox()
    spin.setRange(low, high)
    spin.setDecimals(decimals)
    spin.setSingleStep(step)
    spin.setValue(float(value))
    return spin


def hint_label(text: str) -> QLabel:
    """A grey, wrapped line that explains the boxes around it."""
    hint = QLabel(text)
    hint.setWordWrap(True)
    hint.setStyleSheet("color:#666666")
    return hint


def low_high_row(low: QWidget, high: QWidget, before: QWidget | None = None) -> QHBoxLayout:
    """Two boxes side by side with a dash between, after an optional widget (a check box)."""
    row = QHBoxLayout()
    if before is not None:
        row.addWidget(before)
    row.addWidget(low)
    row.addWidget(QLabel("–"))
    row.addWidget(high)
    return row


def remove_selected_rows(table: QTableWidget) -> None:
    """Remove the selected rows, or the last row when none is selected (bottom up, so the
    row numbers still to remove stay valid)."""
    rows = sorted({i.row() for i in table.selectedIndexes()}, reverse=True)
    for row in rows or [table.rowCount() - 1]:
        if row >= 0:
            table.removeRow(row)
