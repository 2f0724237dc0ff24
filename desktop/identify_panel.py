"""Identify results: the attributes of the features under the cursor, layer by layer."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.state import AppState
from desktop.attribute_table import format_cell
from desktop.raster_desktop import RasterHit
from layers.i18n import tr
from layers.layer import Layer

MAX_FEATURES_PER_LAYER = 50


class IdentifyPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._first_hint = tr(
            "Choose Identify (I) and click the map: the attributes of the features there "
            "appear here."
        )
        self.hint = QLabel(self._first_hint)
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color:#666; padding:6px")
        self.tree = QTreeWidget()
        self.tree.setObjectName("identify_view")
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        box = QVBoxLayout(self)
        box.setContentsMargins(2, 2, 2, 2)
        box.addWidget(self.hint)
        box.addWidget(self.tree)
        self.tree.hide()  # an empty table looks broken: show the hint until there are results
        self.retranslate()

    def retranslate(self, *_args) -> None:
        """Headers and the first hint in the active language (again on a language switch)."""
        first = self.hint.text() == self._first_hint
        self._first_hint = tr(
            "Choose Identify (I) and click the map: the attributes of the features there "
            "appear here."
        )
        if first:
            self.hint.setText(self._first_hint)
        self.tree.setHeaderLabels([tr("Feature / field"), tr("Value")])
        self.results: list[tuple[Layer, list[int]]] = []
        self.pixels: list[RasterHit] = []  # raster layers' values at the click

    def follow(self, state: AppState) -> None:
        """Results belong to one project and period: drop them when either changes."""
        state.events.project.connect(lambda _project: self._outdated(""))
        state.events.period.connect(
            lambda period: self._outdated(
                tr("The period is now {p}: click the map again to identify.").format(
                    p=period.label if period is not None else tr("all dates")
                )
            )
        )

    def _outdated(self, hint: str) -> None:
        if not self.results and not self.pixels:
            return  # nothing shown is out of date
        self.results = []
        self.pixels = []
        self.tree.clear()
        self.tree.hide()
        self.hint.setText(hint or self._first_hint)

    def show_results(
        self,
        lon: float,
        lat: float,
        hits: list[tuple[Layer, list[int]]],
        pixels: Sequence[RasterHit] = (),
    ) -> None:
        """Features under the click, layer by layer, then the rasters' pixel values there."""
        self.results = hits
        self.pixels = list(pixels)
        self.tree.clear()
        where = f"{lat:.5f}°, {lon:.5f}°"
        self.tree.setVisible(bool(hits or pixels))
        if not hits and not pixels:
            self.hint.setText(tr("Nothing at {w}.").format(w=where))
            return
        n = sum(len(rows) for _layer, rows in hits)
        if hits:
            self.hint.setText(tr("{n} feature(s) at {w}").format(n=n, w=where))
        else:
            self.hint.setText(tr("Pixel values at {w}").format(w=where))
        for pixel in pixels:  # the layer's name over both columns, then value and class
            item = QTreeWidgetItem([pixel.layer.name, ""])
            self.tree.addTopLevelItem(item)
            item.setFirstColumnSpanned(True)
            item.addChild(QTreeWidgetItem([tr("Pixel value"), pixel.text(with_meaning=False)]))
            if pixel.meaning:
                item.addChild(QTreeWidgetItem([tr("Class"), pixel.meaning]))
            item.setExpanded(True)
        for layer, rows in hits:
            layer_item = QTreeWidgetItem([layer.name, tr("{n} feature(s)").format(n=len(rows))])
            self.tree.addTopLevelItem(layer_item)
            geom = layer.data.geometry.name
            columns = [c for c in layer.data.columns if c != geom]
            name_col = layer.field("name")
            for row in rows[:MAX_FEATURES_PER_LAYER]:
                record = layer.data.iloc[row]
                title = f"#{row + 1}"
                if name_col and name_col in layer.data.columns:
                    title += f"  {format_cell(record[name_col])}"
                feature = QTreeWidgetItem([title, ""])
                layer_item.addChild(feature)
                for column in columns:
                    feature.addChild(QTreeWidgetItem([str(column), format_cell(record[column])]))
            if len(rows) > MAX_FEATURES_PER_LAYER:
                layer_item.addChild(
                    QTreeWidgetItem(
                        [tr("… {n} more").format(n=len(rows) - MAX_FEATURES_PER_LAYER), ""]
                    )
                )
        self.tree.expandToDepth(1)

    def values(self) -> dict[str, list[dict]]:
        """Layer name -> attribute dicts of the identified features (tests and copy)."""
        out: dict[str, list[dict]] = {}
        for layer, rows in self.results:
            geom = layer.data.geometry.name
            out[layer.name] = [layer.data.drop(columns=geom).iloc[r].to_dict() for r in rows]
        for pixel in self.pixels:
            out[pixel.layer.name] = [{"value": pixel.value, "class": pixel.meaning}]
        return out
