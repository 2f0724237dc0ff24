"""The style dialog of a raster layer: continuous ramp and stretch, class table, loss-year
range, hillshade light, RGB bands, and the layer's opacity.

It edits a layers.raster_style.RasterStyle (validated through RasterStyle.from_dict, as a
project file is) and the layer's opacity; the main window applies both as one undo step.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.colour_button import ColourButton
from desktop.dialog_parts import (
    hint_label,
    low_high_row,
    number_box,
    ok_apply_cancel,
    remove_selected_rows,
)
from desktop.layers_dock import ramp_icon
from desktop.task_row import ERROR_STYLE
from layers.errors import LayerLoadError, ProjectError
from layers.i18n import tr, tr_noop
from layers.raster import LOSS_YEAR_BASE, RasterLayer
from layers.raster_style import CLASS_COLOURS, MAX_CLASSES, RasterClass, RasterStyle
from layers.style import SEQUENTIAL_RAMPS

KIND_LABELS = {
    "continuous": tr_noop("Continuous values (colour ramp)"),
    "classified": tr_noop("Classes (one colour per value)"),
    "loss_year": tr_noop("Forest loss year"),
    "hillshade": tr_noop("Hillshade (relief from elevation)"),
    "rgb": tr_noop("RGB image (three bands)"),
}
# Hansen's loss years; later products extend it (the spin boxes allow to 2100).
FIRST_LOSS_YEAR, LAST_LOSS_YEAR = 2001, 2023
SAMPLE_SIDE = 256  # pixels per side read to list a raster's values for its classes


def _ramps(current: str) -> QComboBox:
    box = QComboBox()
    box.setIconSize(QSize(64, 14))  # the ramp itself, not a squeezed square
    ramps = SEQUENTIAL_RAMPS if current in SEQUENTIAL_RAMPS else (*SEQUENTIAL_RAMPS, current)
    for ramp in ramps:
        box.addItem(ramp_icon(ramp, 64, 14), ramp, ramp)
    box.setCurrentIndex(max(0, box.findData(current)))
    return box


class RasterStyleDialog(QDialog):
    """Pick how a raster draws; `style()` and `opacity()` are what OK or Apply apply."""

    def __init__(self, layer: RasterLayer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layer = layer
        st = layer.style
        self.setWindowTitle(tr("Raster style — {n}").format(n=layer.name))
        self.kind = QComboBox()
        self.kind.setObjectName("raster_kind")
        for kind, label in KIND_LABELS.items():
            if kind == "rgb" and layer.info.band_count < 3:
                continue  # a single-band raster has no red, green and blue
            self.kind.addItem(tr(label), kind)
        self.pages = QStackedWidget()
        self._page_of: dict[str, int] = {}
        for kind in (self.kind.itemData(i) for i in range(self.kind.count())):
            self._page_of[kind] = self.pages.addWidget(getattr(self, f"_{kind}_page")(st))
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.kind.setCurrentIndex(max(0, self.kind.findData(st.kind)))
        self._kind_changed()

        self.opacity_slider = QSlider(Qt.Orientation.Horizontal)
        self.opacity_slider.setObjectName("raster_opacity")
        self.opacity_slider.setRange(0, 100)
        self.opacity_slider.setValue(round(layer.opacity * 100))
        self.problem = QLabel()
        self.problem.setStyleSheet(ERROR_STYLE)
        self.problem.setWordWrap(True)
        buttons, self.ok_button, self.apply_button = ok_apply_cancel(self, self._accept)
        form = QFormLayout()
        form.addRow(tr("Draw as"), self.kind)
        form.addRow(tr("Opacity"), self.opacity_slider)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(self.pages, 1)
        box.addWidget(self.problem)
        box.addWidget(buttons)
        self.resize(480, 440)

    # --- pages ----------------------------------------------------------------------------
    def _continuous_page(self, st: RasterStyle) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.ramp = _ramps(st.ramp if st.kind == "continuous" else "viridis")
        self.stretch = QComboBox()
        self.stretch.addItem(tr("Minimum to maximum"), "minmax")
        self.stretch.addItem(tr("Percentiles"), "percentile")
        self.stretch.setCurrentIndex(max(0, self.stretch.findData(st.stretch)))
        self.low_percentile = number_box(0.0, 100.0, st.percentiles[0], decimals=1)
        self.high_percentile = number_box(0.0, 100.0, st.percentiles[1], decimals=1)
        percentiles = low_high_row(self.low_percentile, self.high_percentile)
        self.fixed_range = QCheckBox(tr("Fixed values"))
        fixed = st.kind == "continuous" and st.vmin is not None and st.vmax is not None
        self.fixed_range.setChecked(fixed)
        self.vmin = number_box(-1e12, 1e12, st.vmin if fixed else 0.0, decimals=4)
        self.vmax = number_box(-1e12, 1e12, st.vmax if fixed else 1.0, decimals=4)
        values = low_high_row(self.vmin, self.vmax, before=self.fixed_range)
        for w in (self.vmin, self.vmax):
            w.setEnabled(fixed)
            self.fixed_range.toggled.connect(w.setEnabled)
        form.addRow(tr("Colour ramp"), self.ramp)
        form.addRow(tr("Stretch"), self.stretch)
        form.addRow(tr("Percentiles"), percentiles)
        form.addRow(tr("Values"), values)
        return page

    def _classified_page(self, st: RasterStyle) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        self.class_table = QTableWidget(0, 3)
        self.class_table.setObjectName("raster_classes")
        self.class_table.setHorizontalHeaderLabels([tr("Value"), tr("Colour"), tr("Label")])
        self.class_table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.class_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        for c in st.classes:
            self.add_class(c.value, c.colour, c.label)
        add = QPushButton(tr("Add class"))
        add.clicked.connect(lambda: self.add_class(self._next_value(), None, ""))
        remove = QPushButton(tr("Remove class"))
        remove.clicked.connect(lambda: remove_selected_rows(self.class_table))
        found = QPushButton(tr("Classes from the raster's values"))
        found.clicked.connect(self.classes_from_values)
        buttons = QHBoxLayout()
        for b in (add, remove, found):
            buttons.addWidget(b)
        box.addWidget(self.class_table)
        box.addLayout(buttons)
        box.addWidget(
            hint_label(
                tr(
                    "Values not listed are not drawn; with no classes, each value found gets a colour."
                )
            )
        )
        return page

    def _loss_year_page(self, st: RasterStyle) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.loss_ramp = _ramps(st.ramp if st.kind == "loss_year" else "YlOrRd")
        first = int(st.vmin) if st.kind == "loss_year" and st.vmin is not None else FIRST_LOSS_YEAR
        last = int(st.vmax) if st.kind == "loss_year" and st.vmax is not None else LAST_LOSS_YEAR
        self.first_year = QSpinBox()
        self.last_year = QSpinBox()
        for spin, value in ((self.first_year, first), (self.last_year, last)):
            spin.setRange(LOSS_YEAR_BASE + 1, 2100)
            spin.setValue(value)
        years = low_high_row(self.first_year, self.last_year)
        form.addRow(tr("Colour ramp"), self.loss_ramp)
        form.addRow(tr("Years on the ramp"), years)
        form.addRow(hint_label(tr("The time bar chooses which years of loss are drawn.")))
        return page

    def _hillshade_page(self, st: RasterStyle) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.azimuth = number_box(0.0, 360.0, st.azimuth, step=15.0, decimals=0)
        self.altitude = number_box(0.0, 90.0, st.altitude, step=5.0, decimals=0)
        self.z_factor = number_box(1e-6, 1e6, st.z_factor, step=0.1, decimals=6)
        form.addRow(tr("Light from (azimuth, °)"), self.azimuth)
        form.addRow(tr("Light height (altitude, °)"), self.altitude)
        form.addRow(tr("Z factor (vertical exaggeration)"), self.z_factor)
        return page

    def _rgb_page(self, st: RasterStyle) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.band_boxes = []
        for label, band in zip(
            (tr_noop("Red band"), tr_noop("Green band"), tr_noop("Blue band")),
            st.bands,
            strict=True,
        ):
            spin = QSpinBox()
            spin.setRange(1, self.layer.info.band_count)
            spin.setValue(min(band, self.layer.info.band_count))
            self.band_boxes.append(spin)
            form.addRow(tr(label), spin)
        return page

    # --- classes --------------------------------------------------------------------------
    def add_class(self, value: float, colour: str | None, label: str) -> None:
        row = self.class_table.rowCount()
        self.class_table.insertRow(row)
        self.class_table.setItem(row, 0, QTableWidgetItem(f"{value:g}"))
        button = ColourButton(colour or CLASS_COLOURS[row % len(CLASS_COLOURS)])
        self.class_table.setCellWidget(row, 1, button)
        self.class_table.setItem(row, 2, QTableWidgetItem(label))

    def _next_value(self) -> float:
        values = [v for v, _c, _l in self._class_rows(strict=False)]
        return max(values) + 1 if values else 1.0

    def classes_from_values(self) -> None:
        """One class per value found in a coarse read of the whole raster (nearest)."""
        from rasterio.enums import Resampling

        info = self.layer.info
        factor = max(info.width, info.height) / SAMPLE_SIDE
        shape = (
            max(1, round(info.height / max(factor, 1))),
            max(1, round(info.width / max(factor, 1))),
        )
        try:
            sample = self.layer.read_window(info.bounds, shape, resampling=Resampling.nearest)
        except LayerLoadError as exc:
            self.problem.setText(exc.one_line())
            return
        found = np.unique(np.ma.compressed(sample))[:MAX_CLASSES]
        known = {v for v, _c, _l in self._class_rows(strict=False)}
        for v in found:
            if float(v) not in known:
                self.add_class(float(v), None, "")

    def _class_rows(self, strict: bool = True) -> list[tuple[float, str, str]]:
        rows = []
        for r in range(self.class_table.rowCount()):
            text = (
                self.class_table.item(r, 0).text() if self.class_table.item(r, 0) else ""
            ).strip()
            try:
                value = float(text.replace(",", "."))
            except ValueError:
                if strict:
                    raise ValueError(
                        tr("Class {r}: “{t}” is not a number.").format(r=r + 1, t=text)
                    ) from None
                continue
            label_item = self.class_table.item(r, 2)
            colour = self.class_table.cellWidget(r, 1).colour
            rows.append((value, colour, label_item.text() if label_item else ""))
        return rows

    # --- the result -----------------------------------------------------------------------
    def _kind_changed(self, *_args) -> None:
        self.pages.setCurrentIndex(self._page_of.get(self.kind.currentData(), 0))

    def style(self) -> RasterStyle:
        """The style the dialog shows, checked as a project file's would be (ValueError/
        ProjectError naming the wrong value)."""
        kind = self.kind.currentData()
        base = self.layer.style.to_dict()
        data = dict(base, kind=kind)
        if kind == "continuous":
            data.update(
                ramp=self.ramp.currentData(),
                stretch=self.stretch.currentData(),
                percentiles=[self.low_percentile.value(), self.high_percentile.value()],
                vmin=self.vmin.value() if self.fixed_range.isChecked() else None,
                vmax=self.vmax.value() if self.fixed_range.isChecked() else None,
            )
        elif kind == "classified":
            data["classes"] = [
                RasterClass(v, c, label).to_dict() for v, c, label in self._class_rows()
            ]
        elif kind == "loss_year":
            data.update(
                ramp=self.loss_ramp.currentData(),
                vmin=float(self.first_year.value()),
                vmax=float(self.last_year.value()),
            )
        elif kind == "hillshade":
            data.update(
                azimuth=self.azimuth.value(),
                altitude=self.altitude.value(),
                z_factor=self.z_factor.value(),
            )
        elif kind == "rgb":
            data["bands"] = [b.value() for b in self.band_boxes]
        if kind not in ("continuous", "loss_year"):
            data.update(vmin=base["vmin"], vmax=base["vmax"])
        return RasterStyle.from_dict(data, layer=self.layer.name)

    def opacity(self) -> float:
        return self.opacity_slider.value() / 100

    def checked_style(self) -> RasterStyle | None:
        """style(), or None with the problem shown in the dialog."""
        try:
            style = self.style()
        except (ValueError, ProjectError) as exc:
            self.problem.setText(str(exc))
            return None
        self.problem.setText("")
        return style

    def _accept(self) -> None:
        if self.checked_style() is not None:
            self.accept()
