"""'Add point by coordinates': one line to type a coordinate as field notes and military maps
give it (decimal degrees, degrees-minutes-seconds, UTM, MGRS), the point read back in every
form as you type, or what is wrong under the field; OK only while the entry is a point.

The reading is layers/coordinates.py; this is only the widget around it.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.task_row import ERROR_STYLE
from layers.coordinates import (
    EXAMPLES,
    FORMAT_NAMES,
    FORMATS,
    Bounds,
    CoordinateError,
    ParsedPoint,
    format_all,
    outside_area_warning,
    parse_coordinate,
)
from layers.i18n import tr
from layers.numbers import number

ECHO_FORMATS = ("dd", "dms", "utm", "mgrs")
FORMAT_KEY = "coordinate_dialog/format"  # an analyst keeps to the form of their field notes


class CoordinateDialog(QDialog):
    """The dialog; `area` (the project's lon/lat extent) orders bare numbers and warns when the
    point falls outside it."""

    def __init__(self, parent: QWidget | None = None, area: Bounds | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("coordinate_dialog")
        self.setWindowTitle(tr("Add point by coordinates"))
        self._area = area
        self._parsed: ParsedPoint | None = None

        self.entry = QLineEdit()
        self.entry.setObjectName("coordinate_entry")
        self.entry.setClearButtonEnabled(True)
        self.format_box = QComboBox()
        self.format_box.setObjectName("coordinate_format")
        for fmt in FORMATS:
            self.format_box.addItem(tr(FORMAT_NAMES[fmt]), fmt)
        row = QHBoxLayout()
        row.addWidget(self.entry, 1)
        row.addWidget(self.format_box)

        self.problem = QLabel()
        self.problem.setObjectName("coordinate_problem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(ERROR_STYLE)
        self.note = QLabel()
        self.note.setObjectName("coordinate_note")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color:#666666")
        self.warning = QLabel()
        self.warning.setObjectName("coordinate_warning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color:#8a5300")

        self.echo: dict[str, QLabel] = {}
        echo_form = QFormLayout()
        for fmt in ECHO_FORMATS:
            label = QLabel()
            label.setObjectName(f"coordinate_echo_{fmt}")
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.echo[fmt] = label
            echo_form.addRow(tr(FORMAT_NAMES[fmt]) + ":", label)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(tr("Coordinate (WGS 84):")))
        layout.addLayout(row)
        layout.addWidget(self.problem)
        layout.addLayout(echo_form)
        layout.addWidget(self.note)
        layout.addWidget(self.warning)
        layout.addWidget(self.buttons)

        self.entry.textChanged.connect(self._refresh)
        self.format_box.currentIndexChanged.connect(self._refresh)
        self.setMinimumWidth(460)
        self._refresh()

    def chosen_format(self) -> str:
        return str(self.format_box.currentData())

    def set_format(self, fmt: str) -> None:
        self.format_box.setCurrentIndex(FORMATS.index(fmt))

    def point(self) -> tuple[float, float] | None:
        """(lon, lat) of the entry on WGS 84, or None while it is not a point."""
        return (self._parsed.lon, self._parsed.lat) if self._parsed else None

    def accept(self) -> None:
        if self._parsed is not None:  # Enter in the field with a bad entry does nothing
            super().accept()

    def _refresh(self, *_args: object) -> None:
        fmt = self.chosen_format()
        self.entry.setPlaceholderText(
            tr("e.g. {example}").format(example=EXAMPLES["dd" if fmt == "auto" else fmt])
        )
        text = self.entry.text()
        self._parsed = None
        problem = note = warning = ""
        if text.strip():
            try:
                self._parsed = parse_coordinate(text, fmt, self._area)
            except CoordinateError as error:
                problem = error.one_line()
        if self._parsed is not None:
            forms = format_all(self._parsed.lon, self._parsed.lat)
            notes = [self._parsed.note] if self._parsed.note else []
            size = self._parsed.precision_m
            if self._parsed.format == "mgrs" and size and size > 1:
                notes.append(
                    tr("An MGRS square of {size} m: the point is its middle.").format(
                        size=number(size, 0)
                    )
                )
            note = " ".join(notes)
            warning = outside_area_warning(self._parsed.lon, self._parsed.lat, self._area)
        else:
            forms = dict.fromkeys(ECHO_FORMATS, "")
        for fmt_id, label in self.echo.items():
            label.setText(forms[fmt_id])
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        self.note.setText(note)
        self.note.setVisible(bool(note))
        self.warning.setText(warning)
        self.warning.setVisible(bool(warning))
        self.ok_button.setEnabled(self._parsed is not None)


def ask_point(parent: QWidget | None, area: Bounds | None = None) -> tuple[float, float] | None:
    """Ask for a point by typed coordinates: (lon, lat) on WGS 84 (EPSG:4326), or None when the
    user cancels. `area`, the project's lon/lat extent, orders bare numbers and adds a warning
    when the point lies outside it (the point is still accepted). The format chosen last is
    offered again."""
    dialog = CoordinateDialog(parent, area)
    settings = QSettings()
    last = str(settings.value(FORMAT_KEY, "auto"))
    dialog.set_format(last if last in FORMATS else "auto")
    try:
        if dialog.exec() == QDialog.DialogCode.Accepted:
            settings.setValue(FORMAT_KEY, dialog.chosen_format())
            return dialog.point()
        return None
    finally:
        dialog.deleteLater()
