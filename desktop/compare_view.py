"""View → Compare: two maps side by side with one classification, one legend and a panel.

Each side picks a region and a period; pan/zoom can be linked. The heavy part
(indicators per unit and per side, trends) is cartography.compare.compute_comparison,
run in a Worker; the canvases only redraw what it returned.
"""

from __future__ import annotations

import html
import math
from datetime import date, timedelta

import numpy as np
import pandas as pd
import shapely
from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from PySide6.QtCore import QPointF, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from cartography import compare as cmp
from cartography.render import MapRenderer
from desktop.workbench import Workbench
from desktop.workers import Worker
from layers.i18n import tr
from layers.roles import Role
from layers.timefilter import TimeFilter

BACKGROUND = "#fbfbf8"
WHEEL_STEP = 1.25
RECOMPUTE_DEBOUNCE_MS = 150
# Display names of the two modes; the keys are what tests and code use.
MODES = {"regions": tr("Two regions or periods"), "before_after": tr("Before / after an operation")}


# --- one side's map -----------------------------------------------------------------------------
class CompareCanvas(FigureCanvasQTAgg):
    """A light map of one side: wheel zooms, drag pans, click selects a unit."""

    view_changed = Signal()
    unit_clicked = Signal(str, bool)  # region code, add to selection

    def __init__(self, which: int) -> None:
        self.figure = Figure(facecolor=BACKGROUND)
        super().__init__(self.figure)
        self.which = which
        self.ax = self.figure.add_axes((0.0, 0.0, 1.0, 1.0))
        self.map_renderer = MapRenderer()  # `renderer` is matplotlib's
        self.project = None
        self.comparison: cmp.Comparison | None = None
        self.home: tuple[float, float, float, float] | None = None
        self.extent: tuple[float, float, float, float] | None = None
        self.selected: tuple[str, ...] = ()
        self.draw_count = 0
        self._press: QPointF | None = None
        self._press_extent = None
        self._moved = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(30)
        self._timer.timeout.connect(self.redraw)
        self.setMinimumSize(280, 240)
        self.setCursor(Qt.CursorShape.OpenHandCursor)

    def set_comparison(self, project, comparison: cmp.Comparison, keep_view: bool = False) -> None:
        self.project, self.comparison = project, comparison
        units = comparison.units[self.which]
        minx, miny, maxx, maxy = units.total_bounds
        pad = 0.04 * max(maxx - minx, maxy - miny, 1.0)
        new_home = (minx - pad, miny - pad, maxx + pad, maxy + pad)
        if not keep_view or self.home != new_home or self.extent is None:
            self.extent = self._fit(new_home)
        self.home = new_home
        self.redraw()

    def _fit(self, extent):
        """Grow `extent` to the widget's aspect so the map is not stretched."""
        minx, miny, maxx, maxy = extent
        w, h = max(self.width(), 1), max(self.height(), 1)
        cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
        scale = max((maxx - minx) / w, (maxy - miny) / h)
        return (cx - scale * w / 2, cy - scale * h / 2, cx + scale * w / 2, cy + scale * h / 2)

    def redraw(self) -> None:
        self.ax.clear()
        self.ax.set_axis_off()
        if self.comparison is None or self.extent is None:
            self.draw_idle()
            return
        cmp.draw_side(
            self.ax,
            self.project,
            self.comparison,
            self.which,
            renderer=self.map_renderer,
            extent=self.extent,
            selected_codes=self.selected,
        )
        self.ax.set_xlim(self.extent[0], self.extent[2])
        self.ax.set_ylim(self.extent[1], self.extent[3])
        self.ax.set_aspect("auto")
        self.ax.set_axis_off()
        self.draw_count += 1
        self.draw_idle()

    # --- view ----------------------------------------------------------------------------
    def set_extent(self, extent, emit: bool = True) -> None:
        self.extent = tuple(float(v) for v in extent)
        self._timer.start()
        if emit:
            self.view_changed.emit()

    def relative_view(self) -> tuple[float, float, float]:
        """Centre (as a fraction of the home extent) and zoom, for linking different regions."""
        hx0, hy0, hx1, hy1 = self.home
        x0, y0, x1, y1 = self.extent
        return (
            ((x0 + x1) / 2 - hx0) / (hx1 - hx0),
            ((y0 + y1) / 2 - hy0) / (hy1 - hy0),
            (x1 - x0) / (hx1 - hx0),
        )

    def apply_relative_view(self, fx: float, fy: float, zoom: float) -> None:
        if self.home is None or self.extent is None:
            return
        hx0, hy0, hx1, hy1 = self.home
        x0, y0, x1, y1 = self.extent
        width = zoom * (hx1 - hx0)
        height = width * (y1 - y0) / max(x1 - x0, 1e-9)
        cx, cy = hx0 + fx * (hx1 - hx0), hy0 + fy * (hy1 - hy0)
        self.set_extent((cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2), False)

    def zoom_by(self, factor: float, anchor: tuple[float, float] | None = None) -> None:
        x0, y0, x1, y1 = self.extent
        ax_, ay_ = anchor or ((x0 + x1) / 2, (y0 + y1) / 2)
        self.set_extent(
            (
                ax_ - (ax_ - x0) / factor,
                ay_ - (ay_ - y0) / factor,
                ax_ + (x1 - ax_) / factor,
                ay_ + (y1 - ay_) / factor,
            )
        )

    def pan_by(self, dx: float, dy: float) -> None:
        x0, y0, x1, y1 = self.extent
        self.set_extent((x0 + dx, y0 + dy, x1 + dx, y1 + dy))

    def zoom_home(self) -> None:
        if self.home is not None:
            self.set_extent(self._fit(self.home))

    def to_map(self, pos: QPointF) -> tuple[float, float]:
        x0, y0, x1, y1 = self.extent
        return (
            x0 + pos.x() / max(self.width(), 1) * (x1 - x0),
            y1 - pos.y() / max(self.height(), 1) * (y1 - y0),
        )

    def unit_at(self, x: float, y: float) -> str | None:
        if self.comparison is None:
            return None
        units = self.comparison.units[self.which]
        hits = units.sindex.query(shapely.Point(x, y), predicate="intersects")
        return str(units["code"].iloc[int(hits[0])]) if len(hits) else None

    def set_selected(self, codes) -> None:
        codes = tuple(codes)
        if codes != self.selected:
            self.selected = codes
            self._timer.start()

    # --- mouse -----------------------------------------------------------------------------
    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.MouseButton.LeftButton and self.extent is not None:
            self._press, self._press_extent, self._moved = event.position(), self.extent, False
            self.setCursor(Qt.CursorShape.ClosedHandCursor)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self._press is None:
            return
        delta = event.position() - self._press
        if abs(delta.x()) + abs(delta.y()) < 3 and not self._moved:
            return
        self._moved = True
        x0, y0, x1, y1 = self._press_extent
        sx = (x1 - x0) / max(self.width(), 1)
        sy = (y1 - y0) / max(self.height(), 1)
        dx, dy = -delta.x() * sx, delta.y() * sy
        self.set_extent((x0 + dx, y0 + dy, x1 + dx, y1 + dy))

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self._press is None:
            return
        self._press = None
        self.setCursor(Qt.CursorShape.OpenHandCursor)
        if not self._moved:
            code = self.unit_at(*self.to_map(event.position()))
            add = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
            self.unit_clicked.emit(code or "", add)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.zoom_by(2.0, self.to_map(event.position()))

    def wheelEvent(self, event) -> None:  # noqa: N802 - Qt override
        steps = event.angleDelta().y() / 120.0
        if steps and self.extent is not None:
            self.zoom_by(WHEEL_STEP**steps, self.to_map(event.position()))

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if self.extent is not None:
            self.extent = self._fit(self.extent)
            self._timer.start()


# --- the shared legend ---------------------------------------------------------------------------
class LegendCanvas(FigureCanvasQTAgg):
    """The ONE legend both maps use."""

    def __init__(self) -> None:
        self.figure = Figure(figsize=(2.0, 2.4), facecolor=BACKGROUND)
        super().__init__(self.figure)
        self.setMinimumWidth(170)
        self.setMaximumWidth(240)

    def show_classes(self, comparison: cmp.Comparison | None) -> None:
        self.figure.clear()
        if comparison is not None:
            self.figure.legend(
                handles=cmp.legend_handles(comparison.classification),
                title=cmp._wrap(comparison.indicator_label, 22),
                loc="center",
                frameon=False,
                fontsize=8,
                title_fontsize=8.5,
            )
            self.figure.text(
                0.5,
                0.03,
                tr("Same colour, same value\non both maps"),
                ha="center",
                fontsize=7,
                color="#555555",
            )
        self.draw_idle()


class TrendCanvas(FigureCanvasQTAgg):
    """Small trend chart per side of the mapped indicator (one y axis for both)."""

    def __init__(self) -> None:
        self.figure = Figure(figsize=(4.5, 1.8), facecolor="white", layout="constrained")
        super().__init__(self.figure)
        self.setMinimumHeight(150)

    def show_trends(self, comparison: cmp.Comparison | None, names=None) -> None:
        self.figure.clear()
        if comparison is None or not comparison.trends:
            self.draw_idle()
            return
        a, b = comparison.trends[comparison.indicator]
        axes = self.figure.subplots(1, 2, sharey=True)
        for ax, series, label, colour in zip(
            axes, (a, b), names or comparison.labels, cmp.SIDE_COLOURS, strict=True
        ):
            ax.plot(series.index, series.to_numpy(), marker="o", ms=3, color=colour)
            ax.set_title(cmp._shorten(label, 34), fontsize=8)
            ax.tick_params(labelsize=7)
            ax.spines[["top", "right"]].set_visible(False)
            ax.xaxis.set_major_locator(cmp._year_locator())
        # Say what the lines measure: the mapped indicator, year by year.
        self.figure.suptitle(comparison.indicator_label, fontsize=8, color="#444444")
        self.draw_idle()


# --- pickers -----------------------------------------------------------------------------------
class SidePicker(QGroupBox):
    """Region and period of one side."""

    changed = Signal()

    def __init__(self, title: str, choices: list[cmp.RegionChoice], years) -> None:
        super().__init__(title)
        self.region = QComboBox()
        for c in choices:
            prefix = "" if c.level <= 1 else "    "
            self.region.addItem(prefix + c.label, c.code)
        first, last = years or (2000, date.today().year)
        self.first = QSpinBox()
        self.last = QSpinBox()
        for spin in (self.first, self.last):
            spin.setRange(first, last)
        self.first.setValue(first)
        self.last.setValue(last)
        self.dates = QLineEdit()
        self.dates.setPlaceholderText(tr("or dates: 2019-03-01..2020-02-29"))
        self.dates.setToolTip(tr("An exact date range overrides the years when filled."))
        grid = QGridLayout(self)
        grid.addWidget(QLabel(tr("Region")), 0, 0)
        grid.addWidget(self.region, 0, 1, 1, 3)
        grid.addWidget(QLabel(tr("Years")), 1, 0)
        grid.addWidget(self.first, 1, 1)
        grid.addWidget(QLabel("–"), 1, 2)
        grid.addWidget(self.last, 1, 3)
        grid.addWidget(self.dates, 2, 1, 1, 3)
        self.region.currentIndexChanged.connect(self.changed)
        self.first.valueChanged.connect(self._years_changed)
        self.last.valueChanged.connect(self._years_changed)
        self.dates.editingFinished.connect(self.changed)

    def _years_changed(self) -> None:
        if self.first.value() > self.last.value():
            sender = self.sender()
            other = self.last if sender is self.first else self.first
            other.blockSignals(True)
            other.setValue(sender.value())
            other.blockSignals(False)
        self.changed.emit()

    def side(self) -> cmp.Side:
        text = self.dates.text().strip()
        if text:
            period = TimeFilter.parse(text if ".." in text else text)
        else:
            period = TimeFilter.years(self.first.value(), self.last.value())
        return cmp.Side(self.region.currentData() or cmp.ALL, period)

    def set_side(self, side: cmp.Side) -> None:
        widgets = (self.region, self.first, self.last, self.dates)
        for w in widgets:
            w.blockSignals(True)
        i = self.region.findData(side.region)
        if i >= 0:
            self.region.setCurrentIndex(i)
        p = side.period
        if p and p.start and p.end and p.label.replace("–", "-").replace("-", "").isdigit():
            self.first.setValue(p.start.year)
            self.last.setValue(p.end.year)
            self.dates.clear()
        elif p:
            self.dates.setText(f"{p.start or ''}..{p.end or ''}")
        for w in widgets:
            w.blockSignals(False)
        self.changed.emit()


def operation_label(layer, row: int) -> str:
    feature = layer.data.iloc[row]
    when = operation_date(layer, row)
    ha = layer.field("hectares")
    size = f", {float(feature[ha]):,.1f} ha" if ha and not pd.isna(feature[ha]) else ""
    return f"{when.isoformat() if when else '?'}{size} (#{row})"


def operation_date(layer, row: int) -> date | None:
    col = layer.field("date")
    if col and col in layer.data.columns:
        ts = pd.to_datetime(layer.data[col].iloc[row], errors="coerce")
        return None if pd.isna(ts) else ts.date()
    col = layer.field("year")
    if col and col in layer.data.columns and not pd.isna(layer.data[col].iloc[row]):
        return date(int(layer.data[col].iloc[row]), 7, 1)
    return None


# --- the view --------------------------------------------------------------------------------
class CompareView(QWidget):
    """Two synchronised maps, one legend, the comparison panel and a before/after mode."""

    computed = Signal()

    def __init__(self, project, *, thread_pool: QThreadPool | None = None, parent=None) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.setWindowTitle(tr("Compare regions and periods"))
        self.resize(1280, 860)
        self.project = project
        self.thread_pool = thread_pool or QThreadPool.globalInstance()
        self.comparison: cmp.Comparison | None = None
        self.displacement: dict | None = None
        self.worker: Worker | None = None
        self._pending = False
        self._generation = 0
        self._syncing = False
        self.selected: set[str] = set()
        self.errors: list[str] = []

        choices = cmp.region_choices(project)
        years = cmp.project_years(project)
        self.catalogue = cmp.indicator_catalogue()
        self.mode = QComboBox()
        for key, label in MODES.items():
            self.mode.addItem(label, key)
        self.indicator = QComboBox()
        self.indicator.addItem(tr("Best available (harm first)"), None)
        for key, info in self.catalogue.items():
            self.indicator.addItem(cmp.with_unit(info), key)
        self.indicator.setCurrentIndex(0)
        self.link = QCheckBox(tr("Link pan and zoom"))
        self.link.setChecked(True)
        self.home_button = QPushButton(tr("Zoom to regions"))
        self.pickers = (
            SidePicker(tr("Left"), choices, years),
            SidePicker(tr("Right"), choices, years),
        )
        self._initial_sides(choices, years)

        # before/after controls
        self.ba_box = QGroupBox(tr("Before / after"))
        self.ba_region = QComboBox()
        for c in choices:
            self.ba_region.addItem(c.label, c.code)
        self.operation = QComboBox()
        self.window_years = QSpinBox()
        self.window_years.setRange(1, 10)
        self.window_years.setValue(2)
        self.window_years.setSuffix(tr(" years each side"))
        ba = QGridLayout(self.ba_box)
        ba.addWidget(QLabel(tr("Region")), 0, 0)
        ba.addWidget(self.ba_region, 0, 1)
        ba.addWidget(QLabel(tr("Eradication")), 1, 0)
        ba.addWidget(self.operation, 1, 1)
        ba.addWidget(QLabel(tr("Window")), 2, 0)
        ba.addWidget(self.window_years, 2, 1)
        self._fill_operations()

        top = QHBoxLayout()
        top.addWidget(QLabel(tr("Mode")))
        top.addWidget(self.mode)
        top.addSpacing(12)
        top.addWidget(QLabel(tr("Map")))
        top.addWidget(self.indicator, 1)
        top.addWidget(self.link)
        top.addWidget(self.home_button)
        pickers = QHBoxLayout()
        pickers.addWidget(self.pickers[0])
        pickers.addWidget(self.pickers[1])
        pickers.addWidget(self.ba_box)

        self.canvases = (CompareCanvas(0), CompareCanvas(1))
        self.titles = (QLabel(), QLabel())
        for t in self.titles:
            t.setAlignment(Qt.AlignmentFlag.AlignCenter)
            t.setStyleSheet("font-weight: bold; padding: 2px;")
        self.legend = LegendCanvas()
        maps = QHBoxLayout()
        for t, c in zip(self.titles, self.canvases, strict=True):
            col = QVBoxLayout()
            col.addWidget(t)
            col.addWidget(c, 1)
            maps.addLayout(col, 1)
        maps.addWidget(self.legend)
        self.displacement_box = QTextBrowser()
        self.displacement_box.setMinimumWidth(210)
        self.displacement_box.setMaximumWidth(270)
        self.displacement_box.setStyleSheet("background: #f4f1ea; border: 1px solid #ccc;")
        maps.addWidget(self.displacement_box)
        maps_host = QWidget()
        maps_host.setLayout(maps)

        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(
            [tr("Indicator"), tr("Left"), tr("Right"), tr("Difference"), tr("Change")]
        )
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(False)
        self.trends = TrendCanvas()
        panel = QSplitter(Qt.Orientation.Horizontal)
        panel.addWidget(self.table)
        panel.addWidget(self.trends)
        panel.setStretchFactor(0, 3)
        panel.setStretchFactor(1, 2)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(maps_host)
        split.addWidget(panel)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([560, 240])

        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setMaximumHeight(14)
        self.progress.setTextVisible(False)
        self.status = QLabel()
        self.status.setWordWrap(True)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.progress)

        outer = QVBoxLayout(self)
        outer.addLayout(top)
        outer.addLayout(pickers)
        outer.addWidget(split, 1)
        outer.addLayout(bottom)

        self._recompute_timer = QTimer(self)
        self._recompute_timer.setSingleShot(True)
        self._recompute_timer.setInterval(RECOMPUTE_DEBOUNCE_MS)
        self._recompute_timer.timeout.connect(self.recompute)
        for p in self.pickers:
            p.changed.connect(self.schedule)
        self.indicator.currentIndexChanged.connect(self.schedule)
        self.mode.currentIndexChanged.connect(self._mode_changed)
        self.ba_region.currentIndexChanged.connect(self._fill_operations)
        self.ba_region.currentIndexChanged.connect(self.schedule)
        self.operation.currentIndexChanged.connect(self.schedule)
        self.window_years.valueChanged.connect(self.schedule)
        for i, c in enumerate(self.canvases):
            c.view_changed.connect(lambda i=i: self._view_changed(i))
            c.unit_clicked.connect(self.select_unit)
        self.link.toggled.connect(lambda on: on and self._view_changed(0))
        self.home_button.clicked.connect(self.zoom_home)
        self._mode_changed()

    # --- sides ---------------------------------------------------------------------------------
    def _initial_sides(self, choices, years) -> None:
        """Start on two contrasting parent regions (the first two departments) if any."""
        parents = [c for c in choices if c.level == 1] or [c for c in choices if c.level == 2]
        codes = [c.code for c in parents[:2]]
        while len(codes) < 2:
            codes.append(cmp.ALL)
        period = TimeFilter.years(*years) if years else None
        for picker, code in zip(self.pickers, codes, strict=True):
            picker.set_side(cmp.Side(code, period))

    def sides(self) -> tuple[cmp.Side, cmp.Side]:
        if self.mode.currentData() == "before_after":
            return self._before_after_sides()
        return self.pickers[0].side(), self.pickers[1].side()

    def set_sides(self, left: cmp.Side, right: cmp.Side) -> None:
        self.mode.setCurrentIndex(self.mode.findData("regions"))
        self.pickers[0].set_side(left)
        self.pickers[1].set_side(right)

    def _operations(self):
        return [lyr for lyr in self.project.layers.by_role(Role.ERADICATION) if not lyr.data.empty]

    def _fill_operations(self) -> None:
        """Eradication operations inside the before/after region, largest first."""
        self.operation.blockSignals(True)
        self.operation.clear()
        code = self.ba_region.currentData() or cmp.ALL
        try:
            units = cmp.side_units(self.project, cmp.Side(code))
            area = units.geometry.union_all()
        except ValueError:
            area = None
        for layer in self._operations():
            if layer.mapping.year_columns:
                continue
            gdf = layer.to_metric(self.project.metric_crs)
            rows = np.arange(len(gdf))
            if area is not None:
                rows = rows[gdf.geometry.intersects(area).to_numpy()]
            ha = layer.field("hectares")
            if ha and ha in gdf.columns:
                order = np.argsort(-pd.to_numeric(gdf[ha].iloc[rows], errors="coerce").fillna(0))
                rows = rows[order.to_numpy()]
            for row in rows[:200]:
                if operation_date(layer, int(row)) is not None:
                    self.operation.addItem(operation_label(layer, int(row)), (layer.id, int(row)))
        self.operation.blockSignals(False)

    def _current_operation(self):
        data = self.operation.currentData()
        if not data:
            return None
        layer_id, row = data
        layer = next((lyr for lyr in self.project.layers if lyr.id == layer_id), None)
        return None if layer is None else (layer, row)

    def set_operation(self, layer, row: int) -> None:
        """Before/after around this operation (e.g. picked on the main map)."""
        self.mode.setCurrentIndex(self.mode.findData("before_after"))
        i = self.operation.findData((layer.id, row))
        if i < 0:
            self.ba_region.setCurrentIndex(0)
            i = self.operation.findData((layer.id, row))
        if i < 0:
            self.operation.addItem(operation_label(layer, row), (layer.id, row))
            i = self.operation.count() - 1
        self.operation.setCurrentIndex(i)

    def _before_after_sides(self) -> tuple[cmp.Side, cmp.Side]:
        code = self.ba_region.currentData() or cmp.ALL
        op = self._current_operation()
        when = operation_date(*op) if op else None
        if when is None:
            raise ValueError(tr("Pick an eradication operation with a date."))
        n = self.window_years.value()
        before = TimeFilter(_years_before(when, n), when - timedelta(days=1))
        after = TimeFilter(when, _years_before(when, -n) - timedelta(days=1))
        return cmp.Side(code, before), cmp.Side(code, after)

    def _mode_changed(self) -> None:
        before_after = self.mode.currentData() == "before_after"
        for p in self.pickers:
            p.setVisible(not before_after)
        self.ba_box.setVisible(before_after)
        self.displacement_box.setVisible(before_after)
        self.schedule()

    # --- computing ----------------------------------------------------------------------------------
    def schedule(self) -> None:
        self._recompute_timer.start()

    def recompute(self) -> None:
        """Start the worker; a change while it runs cancels it and queues a fresh run."""
        if self.worker is not None:
            self.worker.cancel()
            self._pending = True
            return
        try:
            left, right = self.sides()
        except ValueError as exc:
            self._error(str(exc))
            return
        project, indicator = self.project, self.indicator.currentData()
        before_after = self.mode.currentData() == "before_after"
        op = self._current_operation() if before_after else None
        region = self.ba_region.currentData() if before_after else None
        window = self.window_years.value()

        def work(feedback):
            comparison = cmp.compute_comparison(project, left, right, indicator, feedback=feedback)
            if op is not None:
                point = op[0].to_metric(project.metric_crs).geometry.iloc[op[1]]
                point = point.representative_point()
                comparison.extra["operation_xy"] = (point.x, point.y)
                comparison.extra["displacement"] = run_displacement(
                    project, op[0], op[1], region, window, feedback
                )
            return comparison

        self._generation += 1
        generation = self._generation
        self.worker = worker = Worker(work, tr("Comparing"))
        worker.signals.progress.connect(lambda p, _m: self.progress.setValue(int(p)))
        worker.signals.errored.connect(self._error)
        worker.signals.finished.connect(lambda r: self._finished(worker, r, generation))
        self.status.setText(tr("Computing indicators…"))
        self.status.setStyleSheet("")
        self.progress.setValue(0)
        self.progress.show()
        self.thread_pool.start(worker)

    def _finished(self, worker: Worker, comparison, generation: int) -> None:
        self.worker = None
        if self._pending:
            self._pending = False
            self.recompute()
            return
        if not worker.ok or comparison is None or generation != self._generation:
            return
        self.progress.setValue(100)
        self.progress.hide()
        self.status.setStyleSheet("color: #555;")
        self.status.setText(" ".join(comparison.notes[:3]))
        self.status.setToolTip("\n".join(comparison.notes))
        self.show_comparison(comparison)

    def _error(self, message: str) -> None:
        self.errors.append(message)
        self.status.setStyleSheet("color: #b00020;")
        self.status.setText(message)

    @property
    def busy(self) -> bool:
        return self.worker is not None or self._recompute_timer.isActive()

    # --- showing --------------------------------------------------------------------------------
    def show_comparison(self, comparison: cmp.Comparison) -> None:
        same_regions = (
            self.comparison is not None
            and self.comparison.left.region == comparison.left.region
            and self.comparison.right.region == comparison.right.region
        )
        self.comparison = comparison
        codes = [set(u["code"]) for u in comparison.units]
        self.selected &= codes[0] | codes[1]
        for canvas, title, label in zip(self.canvases, self.titles, comparison.labels, strict=True):
            canvas.selected = tuple(sorted(self.selected))
            canvas.set_comparison(self.project, comparison, keep_view=same_regions)
            title.setText(label)
        self.legend.show_classes(comparison)
        self._fill_table(comparison)
        self.trends.show_trends(comparison, self.side_names(comparison))
        self._show_displacement(comparison.extra.get("displacement"))
        if self.link.isChecked():
            self._view_changed(0)
        self.computed.emit()

    def _fill_table(self, comparison: cmp.Comparison) -> None:
        t = cmp.table_rows(comparison, len(comparison.table))
        names = list(self.side_names(comparison))
        self.table.setHorizontalHeaderLabels(
            [tr("Indicator"), names[0], names[1], tr("Difference"), tr("Change")]
        )
        self.table.setRowCount(len(t))
        for i, r in enumerate(t.itertuples()):
            cells = [
                r.indicator,
                cmp.format_number(r.left),
                cmp.format_number(r.right),
                cmp.format_number(r.difference),
                cmp.format_percent(r.percent_change),
            ]
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if j:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if j == 4 and not math.isnan(r.percent_change) and r.difference:
                    if r.higher_is_worse is not None and not pd.isna(r.higher_is_worse):
                        worse = (r.difference > 0) == bool(r.higher_is_worse)
                        item.setForeground(QColor("#b2182b" if worse else "#2166ac"))
                self.table.setItem(i, j, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for j in range(1, 5):
            header.setSectionResizeMode(j, QHeaderView.ResizeMode.ResizeToContents)

    def side_names(self, comparison: cmp.Comparison) -> tuple[str, str]:
        """Short column names: Before/After, the region, or the period when regions match."""
        if self.mode.currentData() == "before_after":
            return tr("Before"), tr("After")
        left, right = comparison.left, comparison.right
        if left.region == right.region:
            return tuple(s.period.label if s.period else tr("all years") for s in (left, right))
        return tuple(cmp._shorten(lab.split(" · ")[0], 24) for lab in comparison.labels)

    def _show_displacement(self, result) -> None:
        if self.mode.currentData() != "before_after":
            return
        if not result:
            self.displacement_box.setText(
                tr("<b>Displacement</b><br>Not available: {why}").format(
                    why=tr("the displacement analysis is not installed.")
                )
            )
            return
        if "error" in result:
            self.displacement_box.setText(
                tr("<b>Displacement</b><br>{e}").format(e=html.escape(result["error"]))
            )
            return
        rows = "".join(
            f"<tr><td><b>{k}</b></td><td align='right'>{v}</td></tr>" for k, v in result["figures"]
        )
        self.displacement_box.setText(
            f"<b>{tr('Displacement around the operation')}</b><table>{rows}</table>"
            f"<p style='color:#555'>{html.escape(str(result.get('reading') or ''))}</p>"
        )

    # --- linked views and selection --------------------------------------------------------------
    def _view_changed(self, source: int) -> None:
        if self._syncing or not self.link.isChecked():
            return
        a, b = self.canvases[source], self.canvases[1 - source]
        if a.home is None or b.home is None or a.extent is None:
            return
        self._syncing = True
        try:
            b.apply_relative_view(*a.relative_view())
        finally:
            self._syncing = False

    def zoom_home(self) -> None:
        self._syncing = True
        for c in self.canvases:
            c.zoom_home()
        self._syncing = False

    def select_unit(self, code: str, add: bool = False) -> None:
        """Highlight a unit on both sides wherever it exists."""
        if not add:
            self.selected = {code} if code else set()
        elif code:
            self.selected ^= {code}
        for c in self.canvases:
            c.set_selected(sorted(self.selected))

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self.worker is not None:
            self.worker.cancel()
        self._recompute_timer.stop()
        super().closeEvent(event)


def _years_before(when: date, n: int) -> date:
    try:
        return when.replace(year=when.year - n)
    except ValueError:  # 29 February
        return when.replace(year=when.year - n, day=28)


# --- displacement beside the maps ----------------------------------------------------------------------
DISPLACEMENT_FIGURES = (
    ("wdq", "WDQ"),
    ("tne", "TNE"),
    ("wdd", "WDD"),
    ("wdd_z", "WDD z"),
    ("success_measure", tr("Success measure")),
    ("buffer_measure", tr("Buffer measure")),
)


def run_displacement(project, layer, row: int, region, window: int, feedback) -> dict | None:
    """WDQ/TNE around one operation, from the registered displacement analysis."""
    from analysis.base import load_all

    registry = load_all()
    algorithm_id = next((a for a in registry if "displacement" in a), None)
    if algorithm_id is None:
        return None
    from desktop.results_dock import displacement_initial

    algorithm = registry[algorithm_id]
    params = displacement_initial(algorithm, layer, row)
    for p in algorithm.parameters:
        if p.name in params:
            continue
        if p.kind == "layer" and p.roles:
            found = next(
                (lyr for r in p.roles for lyr in project.layers.by_role(r) if lyr is not layer),
                None,
            )
            if found is not None:
                params[p.name] = found
        elif p.kind == "project":
            params[p.name] = str(project.path) if project.path else None
        elif p.name == "window_days":
            params[p.name] = 365 * window
        elif p.name == "window_years":
            params[p.name] = window
    try:
        result = algorithm.run(algorithm.validate(params), feedback)
    except Exception as exc:  # noqa: BLE001 - shown beside the maps, the view stays up
        if type(exc).__name__ == "Canceled":
            raise
        return {"error": str(exc)}
    lowered = {str(k).lower(): v for k, v in result.summary.items()}
    from desktop.results_dock import format_value

    figures = [
        (label, format_value(lowered[k])) for k, label in DISPLACEMENT_FIGURES if k in lowered
    ]
    reading = lowered.get("reading") or " ".join(result.notes[:2])
    return {"figures": figures, "reading": reading, "summary": result.summary}


# --- window integration --------------------------------------------------------------------------
def open_compare(window: Workbench) -> CompareView:
    view = window.compare_view
    if not isinstance(view, CompareView) or view.project is not window.project:
        view = CompareView(window.project, thread_pool=window.thread_pool, parent=window)
        window.compare_view = view
    view.show()
    view.raise_()
    view.schedule()
    return view


def install(window: Workbench) -> None:
    action = QAction(tr("Compare…"), window)
    action.setObjectName("action_compare")
    action.setStatusTip(tr("Two regions or two periods side by side, with one legend."))
    action.triggered.connect(lambda: open_compare(window))
    window.menu("view").addAction(action)
    window.compare_action = action
