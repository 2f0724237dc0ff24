"""A button that shows a colour and opens the colour chooser (style and class dialogs)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QColorDialog, QPushButton

from layers.i18n import tr


class ColourButton(QPushButton):
    colour_changed = Signal(str)

    def __init__(self, colour: str, allow_none: bool = False) -> None:
        super().__init__()
        self._allow_none = allow_none
        self.set_colour(colour)
        self.clicked.connect(self._choose)

    def set_colour(self, colour: str) -> None:
        self.colour = colour
        if colour == "none":
            self.setText(tr("none"))
            self.setStyleSheet("")
        else:
            self.setText(colour)
            text = "#000000" if QColor(colour).lightness() > 140 else "#ffffff"
            self.setStyleSheet(f"background:{colour}; color:{text};")

    def _choose(self) -> None:
        start = QColor(self.colour if self.colour != "none" else "#808080")
        chosen = QColorDialog.getColor(start, self, tr("Choose a colour"))
        if chosen.isValid():
            self.set_colour(chosen.name())
            self.colour_changed.emit(self.colour)
