"""One class of a categorized or graduated style: its colour, symbol and legend label.

Opened by double-clicking a class in the style dialog (desktop/style_dialog.py), as in QGIS.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QWidget,
)

from desktop.colour_button import ColourButton
from layers.i18n import tr, tr_noop

MARKERS = {
    "o": tr_noop("Circle"),
    "s": tr_noop("Square"),
    "^": tr_noop("Triangle"),
    "v": tr_noop("Triangle down"),
    "P": tr_noop("Plus"),
    "D": tr_noop("Diamond"),
    "*": tr_noop("Star"),
    "X": tr_noop("Cross"),
}


class ClassEditor(QDialog):
    """Edit one class; `colour`, `marker` and `label` give the result after exec()."""

    def __init__(
        self,
        name: str,
        colour: str,
        label: str,
        marker: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Class — {n}").format(n=name))
        self.setMinimumWidth(320)
        self.colour_button = ColourButton(colour)
        self.label_edit = QLineEdit(label)
        self.label_edit.setMaxLength(200)  # what a project file accepts (layers/style.py)
        self.label_edit.setPlaceholderText(name)
        self.marker_box = QComboBox()
        for key, text in MARKERS.items():
            self.marker_box.addItem(tr(text), key)
        if marker is not None and self.marker_box.findData(marker) < 0:
            self.marker_box.addItem(marker, marker)
        self.marker_box.setCurrentIndex(max(0, self.marker_box.findData(marker)))
        form = QFormLayout(self)
        form.addRow(tr("Colour"), self.colour_button)
        if marker is not None:  # points only: lines and regions have no marker
            form.addRow(tr("Symbol"), self.marker_box)
        form.addRow(tr("Legend label"), self.label_edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    @property
    def colour(self) -> str:
        return self.colour_button.colour

    @property
    def marker(self) -> str:
        return str(self.marker_box.currentData())

    @property
    def label(self) -> str:
        return self.label_edit.text().strip()
