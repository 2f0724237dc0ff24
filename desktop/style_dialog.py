"""Layer style dialog: single symbol, categorized, graduated, labels by field, and the
scales at which the layer and its labels show (QGIS's "scale dependent visibility").

It edits a copy of the layer's Style and returns it; the caller applies it through the
undo stack. Class previews come from cartography.classify, the same code that draws.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QColorDialog,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cartography.classify import SCHEMES, categorize, classify_values
from desktop.layers_dock import ramp_icon, swatch
from layers.i18n import tr
from layers.layer import Layer
from layers.style import SEQUENTIAL_RAMPS, ScaleRange, Style, scale_ranges

KIND_LABELS = {
    "single": tr("Single symbol"),
    "categorized": tr("Categorized"),
    "graduated": tr("Graduated"),
}
SCHEME_LABELS = {
    "quantiles": tr("Quantiles (equal count)"),
    "natural_breaks": tr("Natural breaks (Jenks)"),
    "equal_interval": tr("Equal interval"),
}
MARKERS = {
    "o": tr("Circle"),
    "s": tr("Square"),
    "^": tr("Triangle"),
    "P": tr("Plus"),
    "D": tr("Diamond"),
}
# Shown in the field box when a wide year grid follows the time filter's year.
YEAR_OF_PERIOD = "\u2039year of the time filter\u203a"


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


class StyleDialog(QDialog):
    """Edit a layer's style; `style()` gives the result."""

    def __init__(self, layer: Layer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layer = layer
        self.setWindowTitle(tr("Style — {n}").format(n=layer.name))
        st = dataclasses.replace(layer.style, categories=dict(layer.style.categories))
        self._base = st
        frame = layer.data.drop(columns=layer.data.geometry.name)
        self._frame = frame
        numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]

        self.kind = QComboBox()
        for key, label in KIND_LABELS.items():
            self.kind.addItem(label, key)
        self.kind.setCurrentIndex(list(KIND_LABELS).index(st.kind))

        # Symbol
        self.fill = ColourButton(st.fill)
        self.edge = ColourButton(st.edge, allow_none=True)
        self.no_fill = QCheckBox(tr("Outline only"))
        self.no_fill.setChecked(st.no_fill)
        self.line_width = _spin(0.0, 10.0, st.line_width, 0.1)
        self.marker_size = _spin(1.0, 200.0, st.marker_size, 1.0)
        self.marker = QComboBox()
        for key, label in MARKERS.items():
            self.marker.addItem(label, key)
        self.marker.setCurrentIndex(max(0, self.marker.findData(st.marker)))
        self.fill_alpha = _spin(0.0, 1.0, st.fill_alpha, 0.05)
        symbol = QGroupBox(tr("Symbol"))
        sf = QFormLayout(symbol)
        sf.addRow(tr("Fill"), self.fill)
        sf.addRow("", self.no_fill)
        sf.addRow(tr("Outline"), self.edge)
        sf.addRow(tr("Outline width"), self.line_width)
        if layer.geometry_kind == "point":
            sf.addRow(tr("Marker"), self.marker)
            sf.addRow(tr("Marker size"), self.marker_size)
        sf.addRow(tr("Fill transparency (1 = opaque)"), self.fill_alpha)

        # Classes
        self.field = QComboBox()
        if layer.mapping.year_columns:
            self.field.addItem(tr("Year of the time filter"), YEAR_OF_PERIOD)
        self._numeric = numeric
        self._all_fields = [str(c) for c in frame.columns]
        self.scheme = QComboBox()
        for key in SCHEMES:
            self.scheme.addItem(SCHEME_LABELS.get(key, key), key)
        self.scheme.setCurrentIndex(max(0, self.scheme.findData(st.scheme)))
        self.classes = QSpinBox()
        self.classes.setRange(2, 9)
        self.classes.setValue(st.classes)
        self.ramp = QComboBox()
        for ramp in SEQUENTIAL_RAMPS:
            self.ramp.addItem(ramp_icon(ramp, 64, 14), ramp, ramp)
        self.ramp.setCurrentIndex(max(0, self.ramp.findData(st.ramp)))
        self.classes_table = QTableWidget(0, 2)
        self.classes_table.setHorizontalHeaderLabels([tr("Class"), tr("Features")])
        self.classes_table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.Stretch
        )
        self.classes_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.classes_table.verticalHeader().hide()
        self.classes_box = QGroupBox(tr("Classes"))
        cf = QFormLayout(self.classes_box)
        cf.addRow(tr("Field"), self.field)
        self.scheme_label = QLabel(tr("Method"))
        cf.addRow(self.scheme_label, self.scheme)
        self.classes_label = QLabel(tr("Classes"))
        cf.addRow(self.classes_label, self.classes)
        self.ramp_label = QLabel(tr("Colour ramp"))
        cf.addRow(self.ramp_label, self.ramp)
        cf.addRow(self.classes_table)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color:#a40000")
        cf.addRow(self.message)

        # Labels
        self.label_field = QComboBox()
        self.label_field.addItem(tr("No labels"), None)
        for c in self._all_fields:
            self.label_field.addItem(c, c)
        self.label_field.setCurrentIndex(max(0, self.label_field.findData(st.label_field)))
        self.label_size = _spin(4.0, 24.0, st.label_size, 0.5)
        # What the role gives when the style sets no range (None); kept unless edited.
        self._ranges = scale_ranges(st, layer.role, layer.mapping)
        self.layer_scales = ScaleBox(tr("Scale dependent visibility"), self._ranges[0])
        self.label_scales = ScaleBox(tr("Scale dependent labels"), self._ranges[1], hint=False)
        labels = QGroupBox(tr("Labels"))
        lf = QFormLayout(labels)
        lf.addRow(tr("Label by"), self.label_field)
        lf.addRow(tr("Text size"), self.label_size)
        lf.addRow(self.label_scales)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.Apply
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.apply_button = buttons.button(QDialogButtonBox.StandardButton.Apply)

        top = QFormLayout()
        top.addRow(tr("Style"), self.kind)
        box = QVBoxLayout(self)
        box.addLayout(top)
        box.addWidget(symbol)
        box.addWidget(self.classes_box)
        box.addWidget(labels)
        box.addWidget(self.layer_scales)
        box.addWidget(buttons)

        self._fill_fields(st.field)
        for w in (self.kind, self.field, self.scheme, self.ramp):
            w.currentIndexChanged.connect(self._refresh)
        self.classes.valueChanged.connect(self._refresh)
        self.kind.currentIndexChanged.connect(lambda *_: self._fill_fields(self._current_field()))
        self._refresh()
        self.resize(440, 640)

    def _current_field(self) -> str | None:
        data = self.field.currentData()
        return None if data in (None, YEAR_OF_PERIOD) else str(data)

    def _fill_fields(self, keep: str | None) -> None:
        kind = self.kind.currentData()
        fields = self._numeric if kind == "graduated" else self._all_fields
        self.field.blockSignals(True)
        self.field.clear()
        if kind == "graduated" and self.layer.mapping.year_columns:
            self.field.addItem(tr("Year of the time filter"), YEAR_OF_PERIOD)
        for c in fields:
            self.field.addItem(str(c), str(c))
        index = self.field.findData(keep) if keep else 0
        self.field.setCurrentIndex(max(0, index))
        self.field.blockSignals(False)

    def _values(self) -> pd.Series | None:
        name = self._current_field()
        if name is None and self.layer.mapping.year_columns:
            years = self.layer.mapping.year_columns
            name = years[max(years)]
        return None if name is None or name not in self._frame.columns else self._frame[name]

    def _refresh(self, *_args) -> None:
        kind = self.kind.currentData()
        self.classes_box.setEnabled(kind != "single")
        graduated = kind == "graduated"
        for w in (
            self.scheme,
            self.classes,
            self.ramp,
            self.scheme_label,
            self.classes_label,
            self.ramp_label,
        ):
            w.setVisible(graduated)
        self.fill.setEnabled(kind == "single")
        self.message.clear()
        self.classes_table.setRowCount(0)
        values = self._values()
        if kind == "single" or values is None:
            if kind != "single":
                self.message.setText(tr("Choose a field to classify by."))
            return
        rows: list[tuple[str, str, int]] = []
        if graduated:
            numeric = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
            if not np.isfinite(numeric).any():
                self.message.setText(tr("This field has no numbers to classify."))
                return
            try:
                classes = classify_values(
                    numeric,
                    self.scheme.currentData(),
                    self.classes.value(),
                    self.ramp.currentData(),
                )
            except ValueError as exc:
                self.message.setText(str(exc))
                return
            counts = np.bincount(
                classes.classify(numeric)[np.isfinite(numeric)], minlength=classes.k
            )
            rows = [
                (lab, col, int(n))
                for lab, col, n in zip(classes.labels, classes.colours, counts, strict=False)
            ]
        else:
            cats = categorize(
                values.tolist(),
                self._base.categories
                if self._base.kind == "categorized" and self._base.field == self._current_field()
                else None,
            )
            keys = values.astype(str)
            rows = [
                (v, c, int((keys == v).sum()))
                for v, c in zip(cats.values, cats.colours, strict=True)
            ]
            self._categories = dict(zip(cats.values, cats.colours, strict=True))
            if values.nunique() > len(cats.values):
                self.message.setText(
                    tr(
                        "{n} distinct values: the {k} most frequent get colours, the rest grey."
                    ).format(n=values.nunique(), k=len(cats.values))
                )
        kind_geom = self.layer.geometry_kind
        self.classes_table.setRowCount(len(rows))
        for i, (label, colour, count) in enumerate(rows):
            item = QTableWidgetItem(swatch(kind_geom, colour, "#555555"), label)
            self.classes_table.setItem(i, 0, item)
            n = QTableWidgetItem(f"{count:,}")
            n.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.classes_table.setItem(i, 1, n)

    def style(self) -> Style:
        kind = self.kind.currentData()
        st = dataclasses.replace(
            self._base,
            kind=kind,
            fill=self.fill.colour,
            edge=self.edge.colour,
            no_fill=self.no_fill.isChecked(),
            line_width=self.line_width.value(),
            marker_size=self.marker_size.value(),
            marker=self.marker.currentData() or self._base.marker,
            fill_alpha=self.fill_alpha.value(),
            field=self._current_field() if kind != "single" else self._base.field,
            scheme=self.scheme.currentData(),
            classes=self.classes.value(),
            ramp=self.ramp.currentData(),
            label_field=self.label_field.currentData(),
            label_size=self.label_size.value(),
        )
        # An untouched range stays as the style had it (None follows the role's default).
        layer_range, label_range = self.layer_scales.range(), self.label_scales.range()
        if layer_range != self._ranges[0]:
            st.min_scale, st.max_scale = layer_range.min_scale, layer_range.max_scale
        if label_range != self._ranges[1]:
            st.label_min_scale, st.label_max_scale = label_range.min_scale, label_range.max_scale
        if kind == "categorized":
            st.categories = dict(getattr(self, "_categories", {}))
        return st


class ScaleBox(QGroupBox):
    """Checkable minimum (zoomed out, exclusive) and maximum (zoomed in) scale, as 1:N."""

    def __init__(self, title: str, current: ScaleRange, hint: bool = True) -> None:
        super().__init__(title)
        self.setCheckable(True)
        self.setChecked(bool(current.min_scale or current.max_scale))
        self.minimum = _scale_spin(current.min_scale)
        self.maximum = _scale_spin(current.max_scale)
        form = QFormLayout(self)
        form.addRow(tr("Minimum (exclusive)"), self.minimum)
        form.addRow(tr("Maximum (inclusive)"), self.maximum)
        if hint:
            note = QLabel(tr("Hidden when zoomed out beyond the minimum or in beyond the maximum."))
            note.setWordWrap(True)
            note.setStyleSheet("color:#666666")
            form.addRow(note)

    def range(self) -> ScaleRange:
        if not self.isChecked():
            return ScaleRange()
        return ScaleRange(float(self.minimum.value()), float(self.maximum.value()))


def _scale_spin(value: float) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(0, 1_000_000_000)
    spin.setPrefix("1:")
    spin.setSpecialValueText(tr("no limit"))  # shown for 0
    spin.setGroupSeparatorShown(True)
    spin.setStepType(QSpinBox.StepType.AdaptiveDecimalStepType)
    spin.setValue(round(value))
    return spin


def _spin(lo: float, hi: float, value: float, step: float) -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setRange(lo, hi)
    spin.setSingleStep(step)
    spin.setDecimals(2)
    spin.setValue(float(value))
    return spin
