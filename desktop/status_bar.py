"""The main window's status bar (a mixin of MainWindow): task progress, "drawing", the
measurement, the cursor's coordinates, an editable scale, the CRS and the synthetic-data flag."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLabel

from desktop.workers import TaskProgress
from layers import numbers
from layers.i18n import tr
from layers.project import SYNTHETIC_NOTE

COMMON_SCALES = (10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000)


class MapStatusBar:
    """Builds the status bar's widgets and keeps them in step with the canvas."""

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.progress = TaskProgress()
        self.measure_label = QLabel()
        self.measure_label.setStyleSheet("color:#b0003a; font-weight:600")
        self.coords_label = QLabel()
        self.coords_label.setMinimumWidth(300)
        self.scale_box = QComboBox()
        self.scale_box.setObjectName("scale_box")
        self.scale_box.setEditable(True)
        self.scale_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.scale_box.setMinimumContentsLength(10)
        self.scale_box.lineEdit().returnPressed.connect(self._scale_entered)
        self.scale_box.activated.connect(lambda _i: self._scale_entered())
        self.crs_label = QLabel()
        self.synthetic_label = QLabel()
        self.synthetic_label.setStyleSheet(
            "color:#7a4b00; background:#fff1c9; border:1px solid #e0c070; padding:0 6px"
        )
        self.drawing_label = QLabel()
        self.translated(self._status_texts)  # and again on a language switch
        self.drawing_label.setStyleSheet("color:#666")
        self.drawing_label.hide()
        bar.addWidget(self.progress)
        bar.addWidget(self.drawing_label)
        bar.addWidget(self.measure_label)
        for widget in (self.coords_label, self.scale_box, self.crs_label, self.synthetic_label):
            bar.addPermanentWidget(widget)

    def _status_texts(self) -> None:
        # Scales grouped the language's way (1:960,000 / 1:960.000), the current one too.
        self.scale_box.blockSignals(True)
        self.scale_box.clear()
        self.scale_box.addItems([f"1:{numbers.number(n)}" for n in COMMON_SCALES])
        self.scale_box.blockSignals(False)
        if getattr(self, "canvas", None) is not None:
            self._show_scale()
        self.scale_box.setToolTip(tr("Map scale on this screen: pick one or type 1:50000"))
        self.synthetic_label.setText(tr("Synthetic data"))
        # layers.project may have made the note before the language was set: tr it here.
        self.synthetic_label.setToolTip(tr(SYNTHETIC_NOTE))
        self.drawing_label.setText(tr("Drawing map…"))

    def _connect_status_bar(self) -> None:
        canvas = self.canvas
        canvas.cursor_moved.connect(self._show_coordinates)
        canvas.view_changed.connect(self._show_scale)
        canvas.measured.connect(self.measure_label.setText)
        canvas.drawing.connect(self.drawing_label.setVisible)

    def _show_coordinates(self, x: float, y: float) -> None:
        try:
            lon, lat = self.canvas.lonlat(x, y)
        except Exception:  # noqa: BLE001 - outside the projection's domain
            lon = lat = float("nan")
        n = numbers.number
        self.coords_label.setText(f"{n(lat, 5)}°, {n(lon, 5)}°   E {n(x, 0)}  N {n(y, 0)} m")

    def _show_scale(self, *_args) -> None:
        denominator = round_scale(self.canvas.scale_denominator())
        self.scale_box.setEditText(f"1:{numbers.number(denominator)}")

    def _scale_entered(self) -> None:
        text = self.scale_box.currentText().replace(",", "").replace(" ", "").replace(".", "")
        try:
            denominator = float(text.split(":", 1)[-1])
            if denominator <= 0:
                raise ValueError
        except ValueError:
            self.statusBar().showMessage(tr("Type a scale like 1:50000."), 4000)
            self._show_scale()
            return
        self.canvas.set_scale_denominator(denominator)


def round_scale(n: float) -> int:
    """The scale denominator to two significant digits (1:48,731 shows as 1:49,000)."""
    if not n or n != n or n == float("inf"):
        return 0
    digits = max(0, len(str(int(n))) - 2)
    return int(round(n / 10**digits) * 10**digits)
