"""Layer style dialog: single symbol, categorized, graduated (a class edited on its own by
double-clicking it), labels by field with their placement, colour and halo, and the scales
at which the layer and its labels show (QGIS's "scale dependent visibility").

It edits a copy of the layer's Style and returns it; the caller applies it through the
undo stack (so per-class edits undo with the rest). Class previews come from
cartography.classify, the same code that draws, with layers.style.edited_classes on top.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from cartography.classify import SCHEMES, categorize, classify_values
from desktop.class_editor import ClassEditor
from desktop.colour_button import ColourButton
from desktop.dialog_parts import hint_label, number_box, ok_apply_cancel
from desktop.layers_dock import ramp_icon, swatch
from layers import numbers
from layers.i18n import tr, tr_noop
from layers.layer import Layer
from layers.style import (
    LABEL_PLACEMENTS,
    SEQUENTIAL_RAMPS,
    ScaleRange,
    Style,
    category_field,
    scale_ranges,
)

KIND_LABELS = {
    "single": tr_noop("Single symbol"),
    "categorized": tr_noop("Categorized"),
    "graduated": tr_noop("Graduated"),
}
SCHEME_LABELS = {
    "quantiles": tr_noop("Quantiles (equal count)"),
    "natural_breaks": tr_noop("Natural breaks (Jenks)"),
    "equal_interval": tr_noop("Equal interval"),
}
MARKERS = {
    "o": tr_noop("Circle"),
    "s": tr_noop("Square"),
    "^": tr_noop("Triangle"),
    "P": tr_noop("Plus"),
    "D": tr_noop("Diamond"),
}
PLACEMENT_LABELS = {
    "auto": tr_noop("Around the point / centred on the region"),
    "centre": tr_noop("Centred"),
    "above": tr_noop("Above"),
    "below": tr_noop("Below"),
    "left": tr_noop("Left"),
    "right": tr_noop("Right"),
}
# Shown in the field box when a wide year grid follows the time filter's year.
YEAR_OF_PERIOD = "\u2039year of the time filter\u203a"
# Fields a graduated style starts from, by the layer's mapping (the renderer's value fields).
VALUE_KEYS = ("hectares", "fatalities", "population", "capacity")


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
            self.kind.addItem(tr(label), key)
        self.kind.setCurrentIndex(list(KIND_LABELS).index(st.kind))

        # Symbol
        self.fill = ColourButton(st.fill)
        self.edge = ColourButton(st.edge, allow_none=True)
        self.no_fill = QCheckBox(tr("Outline only"))
        self.no_fill.setChecked(st.no_fill)
        self.line_width = number_box(0.0, 10.0, st.line_width, step=0.1)
        self.marker_size = number_box(1.0, 200.0, st.marker_size, step=1.0)
        self.marker = QComboBox()
        for key, label in MARKERS.items():
            self.marker.addItem(tr(label), key)
        self.marker.setCurrentIndex(max(0, self.marker.findData(st.marker)))
        self.fill_alpha = number_box(0.0, 1.0, st.fill_alpha, step=0.05)
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
            self.scheme.addItem(tr(SCHEME_LABELS[key]) if key in SCHEME_LABELS else key, key)
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
        self.classes_table.setMinimumHeight(150)  # about six classes in view
        self.classes_table.setToolTip(tr("Double-click a class to change its colour or label"))
        self.classes_table.cellDoubleClicked.connect(lambda row, _col: self.edit_class(row))
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
        hint = QLabel(tr("Double-click a class to change its colour, symbol or label."))
        hint.setStyleSheet("color:#666666")
        cf.addRow(hint)
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
        self.label_size = number_box(4.0, 24.0, st.label_size, step=0.5)
        self.label_placement = QComboBox()
        for key in LABEL_PLACEMENTS:
            self.label_placement.addItem(tr(PLACEMENT_LABELS[key]), key)
        self.label_placement.setCurrentIndex(
            max(0, self.label_placement.findData(st.label_placement))
        )
        self.label_colour = ColourButton(st.label_colour)
        self.halo_colour = ColourButton(st.label_halo if st.label_halo != "none" else "#ffffff")
        self.halo_width = number_box(
            0.0, 10.0, st.label_halo_width if st.label_halo != "none" else 0, step=0.2
        )
        self.halo_width.setSpecialValueText(tr("no halo"))  # shown for 0
        # What the role gives when the style sets no range (None); kept unless edited.
        self._ranges = scale_ranges(st, layer.role, layer.mapping)
        self.layer_scales = ScaleBox(tr("Scale dependent visibility"), self._ranges[0])
        self.label_scales = ScaleBox(tr("Scale dependent labels"), self._ranges[1], hint=False)
        labels = QGroupBox(tr("Labels"))
        lf = QFormLayout(labels)
        lf.addRow(tr("Label by"), self.label_field)
        lf.addRow(tr("Text size"), self.label_size)
        lf.addRow(tr("Placement"), self.label_placement)
        lf.addRow(tr("Text colour"), self.label_colour)
        lf.addRow(tr("Halo colour"), self.halo_colour)
        lf.addRow(tr("Halo width (points)"), self.halo_width)
        lf.addRow(self.label_scales)

        buttons, self.ok_button, self.apply_button = ok_apply_cancel(self, self.accept)
        self.scale_message = QLabel()
        self.scale_message.setWordWrap(True)
        self.scale_message.setStyleSheet("color:#a40000")
        self.scale_message.hide()

        # Three tabs as in QGIS's layer properties: a dialog that fits an 800-pixel screen.
        self.tabs = QTabWidget()
        self.symbology_tab = QWidget()
        sym = QVBoxLayout(self.symbology_tab)
        top = QFormLayout()
        top.addRow(tr("Style"), self.kind)
        sym.addLayout(top)
        sym.addWidget(symbol)
        sym.addWidget(self.classes_box, 1)
        self.labels_tab = QWidget()
        lab = QVBoxLayout(self.labels_tab)
        lab.addWidget(labels)
        lab.addStretch(1)
        self.rendering_tab = QWidget()
        ren = QVBoxLayout(self.rendering_tab)
        ren.addWidget(self.layer_scales)
        ren.addStretch(1)
        self.tabs.addTab(self.symbology_tab, tr("Symbology"))
        self.tabs.addTab(self.labels_tab, tr("Labels"))
        self.tabs.addTab(self.rendering_tab, tr("Rendering"))
        box = QVBoxLayout(self)
        box.addWidget(self.tabs)
        box.addWidget(self.scale_message)
        box.addWidget(buttons)

        # Per-class edits (layers.style.edited_classes), keyed by value or class number.
        self._class_colours = dict(st.class_colours)
        self._class_labels = dict(st.class_labels)
        self._class_markers = dict(st.class_markers)
        self._categories: dict[str, str] = {}
        self._fixed = dict(st.categories) if st.kind == "categorized" else None
        self._keys: list[str] = []  # the classes shown, as edits name them
        self._rows: list[tuple[str, str]] = []  # their label before edits and colour
        self._picked: str | None = None  # a field the analyst chose in the box
        self._fill_fields(st.field if st.kind != "single" else None)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.field.activated.connect(self._field_picked)
        for w in (self.field, self.scheme, self.ramp):
            w.currentIndexChanged.connect(self._classes_changed)
        self.classes.valueChanged.connect(self._classes_changed)
        for scales in (self.layer_scales, self.label_scales):
            scales.toggled.connect(self._check_scales)
            scales.minimum.valueChanged.connect(self._check_scales)
            scales.maximum.valueChanged.connect(self._check_scales)
        self._refresh()
        self.resize(480, 640)

    def _current_field(self) -> str | None:
        data = self.field.currentData()
        return None if data in (None, YEAR_OF_PERIOD) else str(data)

    def _fill_fields(self, keep: str | None) -> None:
        """Offer the fields the kind classifies by, keeping `keep` or else the kind's default."""
        kind = self.kind.currentData()
        fields = self._numeric if kind == "graduated" else self._all_fields
        self.field.blockSignals(True)
        self.field.clear()
        if kind == "graduated" and self.layer.mapping.year_columns:
            self.field.addItem(tr("Year of the time filter"), YEAR_OF_PERIOD)
        for c in fields:
            self.field.addItem(str(c), str(c))
        index = self.field.findData(keep) if keep else -1
        if index < 0:
            index = max(0, self.field.findData(self._default_field(kind)))
        self.field.setCurrentIndex(index)
        self.field.blockSignals(False)

    def _default_field(self, kind: str) -> str | None:
        """The role's category field for categorized styles (event_type, method, amenity …),
        else one with few values; a graduated style starts from the role's quantity."""
        layer = self.layer
        if kind == "categorized":
            return category_field(self._frame, layer.role, layer.mapping)
        if kind == "graduated" and not layer.mapping.year_columns:
            wanted = (layer.field(k) for k in VALUE_KEYS)
            return next((f for f in wanted if f in self._numeric), None)
        return None

    def _kind_changed(self, *_args) -> None:
        kind = self.kind.currentData()
        base = self._base
        keep = self._picked or (base.field if base.kind == kind else None)
        self._fill_fields(keep)
        self._forget_class_edits()
        self._refresh()

    def _field_picked(self, *_args) -> None:
        self._picked = self._current_field()

    def _classes_changed(self, *_args) -> None:
        """Another field, method, number of classes or ramp: earlier class edits no longer fit."""
        self._forget_class_edits()
        self._refresh()

    def _forget_class_edits(self) -> None:
        kind, field = self.kind.currentData(), self._current_field()
        same = self._base.kind == kind and self._base.field == field
        base = self._base
        if kind == "graduated":
            now = (self.scheme.currentData(), self.classes.value(), self.ramp.currentData())
            same = same and (base.scheme, base.classes, base.ramp) == now
        self._class_colours = dict(base.class_colours) if same else {}
        self._class_labels = dict(base.class_labels) if same else {}
        self._class_markers = dict(base.class_markers) if same else {}
        self._fixed = dict(base.categories) if same and kind == "categorized" else None

    def _check_scales(self, *_args) -> None:
        """A minimum (zoomed out) at or below the maximum would never show: say so, no OK."""
        problems = []
        for name, box in ((tr("Layer"), self.layer_scales), (tr("Labels"), self.label_scales)):
            r = box.range()
            if r.min_scale and r.max_scale and r.min_scale <= r.max_scale:
                problems.append(
                    tr(
                        "{n}: the minimum (zoomed out) must be 1:N with N above the maximum's "
                        "{m}, or it never shows."
                    ).format(n=name, m=numbers.number(r.max_scale, decimals=0))
                )
        self.scale_message.setText(" ".join(problems))
        self.scale_message.setVisible(bool(problems))
        self.ok_button.setEnabled(not problems)
        self.apply_button.setEnabled(not problems)

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
        self._keys = []
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
                (str(i), lab, self._class_colours.get(str(i), col), int(n))
                for i, (lab, col, n) in enumerate(
                    zip(classes.labels, classes.colours, counts, strict=False)
                )
            ]
        else:
            cats = categorize(values.tolist(), self._fixed)
            keys = values.astype(str)
            rows = [
                (v, v, c, int((keys == v).sum()))
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
        self._keys = [key for key, *_ in rows]
        self._rows = [(label, colour) for _key, label, colour, _n in rows]
        for i, (key, label, colour, count) in enumerate(rows):
            marker = self._class_markers.get(key, self.marker.currentData() or "o")
            text = self._class_labels.get(key, label)
            item = QTableWidgetItem(swatch(kind_geom, colour, "#555555", marker), text)
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.classes_table.setItem(i, 0, item)
            n = QTableWidgetItem(numbers.number(int(count)))
            n.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.classes_table.setItem(i, 1, n)

    def edit_class(self, row: int) -> bool:
        """Edit one class's colour, symbol (points) and legend label; True when changed."""
        if not 0 <= row < len(self._keys):
            return False
        key, graduated = self._keys[row], self.kind.currentData() == "graduated"
        default_label, colour = self._rows[row]  # colour with earlier edits
        point = self.layer.geometry_kind == "point"
        marker = self._class_markers.get(key, self.marker.currentData() or "o")
        editor = ClassEditor(
            default_label,
            colour,
            self._class_labels.get(key, default_label),
            marker if point else None,
            self,
        )
        if editor.exec() != QDialog.DialogCode.Accepted:
            return False
        if editor.colour != colour:
            if graduated:
                self._class_colours[key] = editor.colour
            else:  # every category fixed: one edit must not reshuffle the others' colours
                self._fixed = {**self._categories, key: editor.colour}
        _set_or_drop(self._class_labels, key, editor.label, default_label)
        if point:
            _set_or_drop(self._class_markers, key, editor.marker, self.marker.currentData())
        self._refresh()
        return True

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
            label_colour=self.label_colour.colour,
            label_halo=self.halo_colour.colour if self.halo_width.value() > 0 else "none",
            label_halo_width=self.halo_width.value(),
            label_placement=self.label_placement.currentData(),
            class_colours=dict(self._class_colours) if kind == "graduated" else {},
            class_labels=dict(self._class_labels) if kind != "single" else {},
            class_markers=dict(self._class_markers) if kind != "single" else {},
        )
        # An untouched range stays as the style had it (None follows the role's default).
        layer_range, label_range = self.layer_scales.range(), self.label_scales.range()
        if layer_range != self._ranges[0]:
            st.min_scale, st.max_scale = layer_range.min_scale, layer_range.max_scale
        if label_range != self._ranges[1]:
            st.label_min_scale, st.label_max_scale = label_range.min_scale, label_range.max_scale
        if kind == "categorized":
            st.categories = dict(self._categories)
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
            form.addRow(
                hint_label(
                    tr("Hidden when zoomed out beyond the minimum or in beyond the maximum.")
                )
            )

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


def _set_or_drop(edits: dict[str, str], key: str, value: str, default: object) -> None:
    """Keep an edit only where it differs from what the class has anyway."""
    if value and value != default:
        edits[key] = value
    else:
        edits.pop(key, None)
