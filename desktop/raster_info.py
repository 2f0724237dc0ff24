"""What the panels show of a raster layer: its size, resolution, CRS, nodata, data type and
overviews (the layer panel's tooltip and Properties…)."""

from __future__ import annotations

import math

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.task_row import ERROR_STYLE
from layers.crs import crs_label
from layers.i18n import tr
from layers.numbers import number
from layers.raster import RasterLayer


def fine(value: float) -> str:
    """Six significant digits in the app's language: a pixel of 0.000269495° keeps its size."""
    v = abs(float(value))
    if v == 0 or v >= 1 or not math.isfinite(v):
        return number(value)
    return number(value, decimals=min(12, 5 - math.floor(math.log10(v))))


def raster_summary(layer: RasterLayer) -> list[tuple[str, str]]:
    """(label, value) rows: size, resolution, CRS, nodata, data type, overviews, source."""
    info = layer.info
    rx, ry = info.resolution
    units = "°" if info.crs is not None and info.crs.is_geographic else " m"
    overviews = ", ".join(f"1:{f}" for f in info.overviews) if info.overviews else tr("none")
    rows = [
        (tr("Size"), tr("{w} × {h} pixels").format(w=number(info.width), h=number(info.height))),
        (tr("Resolution"), f"{fine(rx)} × {fine(ry)}{units}"),
        (tr("CRS"), crs_label(info.crs) if info.crs is not None else tr("unknown")),
        (tr("Nodata"), number(info.nodata) if info.nodata is not None else tr("none")),
        (tr("Data type"), info.dtype),
        (tr("Bands"), str(info.band_count)),
        (tr("Overviews"), overviews),
    ]
    if info.scale != 1.0 or info.offset != 0.0:
        rows.append((tr("Scale / offset"), f"{info.scale:g} / {info.offset:g}"))
    if info.tiles > 1:
        rows.append((tr("Tiles"), number(info.tiles)))
    if info.crs_assumed:
        rows.append((tr("Note"), tr("no CRS in the file: WGS 84 assumed")))
    rows.append((tr("Source"), layer.source.path))
    return rows


def raster_tooltip(layer: RasterLayer, problem: str = "") -> str:
    """The layer panel's tooltip of a raster; `problem`: why its last view drew nothing."""
    lines = [f"<b>{layer.name}</b>"]
    lines += [f"{label}: {value}" for label, value in raster_summary(layer)]
    lines.append(tr("Opacity: {o:.0%}").format(o=layer.opacity))
    if problem:
        lines.append(f"<span style='{ERROR_STYLE}'>{problem}</span>")
    return "<br>".join(lines)


class RasterPropertiesDialog(QDialog):
    """A raster's metadata as a two-column table (the layer panel's Properties…)."""

    def __init__(self, layer: RasterLayer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Properties — {n}").format(n=layer.name))
        rows = raster_summary(layer)
        self.table = QTableWidget(len(rows), 2)
        self.table.setObjectName("raster_properties")
        self.table.setHorizontalHeaderLabels([tr("Property"), tr("Value")])
        for i, (label, value) in enumerate(rows):
            self.table.setItem(i, 0, QTableWidgetItem(label))
            self.table.setItem(i, 1, QTableWidgetItem(value))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents
        )
        self.table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addWidget(self.table)
        box.addWidget(buttons)
        self.resize(520, 340)

    def values(self) -> dict[str, str]:
        return {
            self.table.item(r, 0).text(): self.table.item(r, 1).text()
            for r in range(self.table.rowCount())
        }
