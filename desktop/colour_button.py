"""A button that shows a colour and opens the colour chooser (style and class dialogs)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QColorDialog, QPushButton

from desktop.labels import colour_name
from layers.i18n import tr


def _swatch(colour: str, size: int = 16) -> QPixmap:
    """A square of the colour with a grey edge, so white shows on a white button too."""
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(colour))
    painter = QPainter(pixmap)
    painter.setPen(QColor("#808080"))
    painter.drawRect(0, 0, size - 1, size - 1)
    painter.end()
    return pixmap


class ColourButton(QPushButton):
    colour_changed = Signal(str)

    def __init__(self, colour: str, allow_none: bool = False) -> None:
        super().__init__()
        self._allow_none = allow_none
        self.set_colour(colour)
        self.clicked.connect(self._choose)

    def set_colour(self, colour: str) -> None:
        self.colour = colour
        # A swatch beside the colour's name in the user's language (or its #rrggbb).
        if colour == "none":
            self.setText(tr("none"))
            self.setIcon(QIcon())
        else:
            self.setText(colour_name(colour))
            self.setIcon(QIcon(_swatch(colour)))
        self.setToolTip(colour)

    def _choose(self) -> None:
        start = QColor(self.colour if self.colour != "none" else "#808080")
        chosen = QColorDialog.getColor(start, self, tr("Choose a colour"))
        if chosen.isValid():
            self.set_colour(chosen.name())
            self.colour_changed.emit(self.colour)
