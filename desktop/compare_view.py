"""View → Compare: two maps side by side with one classification, one legend and a panel.

Each side picks a region and a period; pan/zoom can be linked. The heavy part
(indicators per unit and per side, trends) is cartography.comparison.compute_comparison,
run in a Worker; the canvases (desktop/compare_canvases.py) only redraw what it returned.
Export writes what is shown through the 'compare' export (core/runner.run_export).
"""

from __future__ import annotations

import html
import math
from pathlib import Path

import numpy as np
import pandas as pd
from PySide6.QtCore import Qt, QThreadPool, Signal
from PySide6.QtGui import QAction, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
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
from core.runner import run_export
from desktop.compare_canvases import CompareCanvas, LegendCanvas, TrendCanvas
from desktop.compare_sides import SidePicker, operation_date, operation_label, run_displacement
from desktop.debounce import debounce_timer
from desktop.export_dialog import export_folder, remember_export_folder
from desktop.task_row import ERROR_STYLE
from desktop.workbench import Workbench
from desktop.workers import Worker
from layers.i18n import tr, tr_noop
from layers.roles import Role
from layers.timefilter import TimeFilter

RECOMPUTE_DEBOUNCE_MS = 150
# What the compare window's Export writes (the 'compare' export's files). English (tr_noop),
# shown through tr where used, so a language switched after import reaches them.
EXPORT_FILTERS = tr_noop("PDF document (*.pdf);;PNG image (*.png);;SVG drawing (*.svg)")
# Display names of the two modes (tr_noop, as above); the keys are what tests and code use.
MODES = {
    "regions": tr_noop("Two regions or periods"),
    "before_after": tr_noop("Before / after an operation"),
}


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
        self.catalogue = cmp.indicator_catalogue(project)  # with the joined tables' own
        self.mode = QComboBox()
        for key, label in MODES.items():
            self.mode.addItem(tr(label), key)
        self.indicator = QComboBox()
        self.indicator.addItem(tr("Best available (harm first)"), None)
        for key, info in self.catalogue.items():
            self.indicator.addItem(cmp.with_unit(info), key)
        self.indicator.setCurrentIndex(0)
        self.link = QCheckBox(tr("Link pan and zoom"))
        self.link.setChecked(True)
        self.home_button = QPushButton(tr("Zoom to regions"))
        self.export_button = QPushButton(tr("Export…"))
        self.export_button.setToolTip(tr("Write what is shown as PDF, PNG or SVG."))
        self.export_worker: Worker | None = None
        self.written: Path | None = None
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
        top.addWidget(self.export_button)
        pickers = QHBoxLayout()
        pickers.addWidget(self.pickers[0])
        pickers.addWidget(self.pickers[1])
        pickers.addWidget(self.ba_box)

        self.canvases = (CompareCanvas(0), CompareCanvas(1))
        self.titles = (QLabel(), QLabel())
        for t in self.titles:
            t.setAlignment(Qt.AlignmentFlag.AlignCenter)
            t.setTextFormat(Qt.TextFormat.PlainText)  # region names are data, never markup
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

        self._recompute_timer = debounce_timer(self, RECOMPUTE_DEBOUNCE_MS, self.recompute)
        for p in self.pickers:
            p.changed.connect(self.schedule)
        self.mode.currentIndexChanged.connect(self._mode_changed)
        self.ba_region.currentIndexChanged.connect(self._fill_operations)
        # Any input of the comparison changed: compute it again once the changes stop.
        for signal in (
            self.indicator.currentIndexChanged,
            self.ba_region.currentIndexChanged,
            self.operation.currentIndexChanged,
            self.window_years.valueChanged,
        ):
            signal.connect(self.schedule)
        for i, c in enumerate(self.canvases):
            c.view_changed.connect(lambda i=i: self._view_changed(i))
            c.unit_clicked.connect(self.select_unit)
        self.link.toggled.connect(lambda on: on and self._view_changed(0))
        self.home_button.clicked.connect(self.zoom_home)
        self.export_button.clicked.connect(lambda: self.export())
        # A window of its own: Esc and Ctrl+W close it like any document window.
        for keys in (QKeySequence(Qt.Key.Key_Escape), QKeySequence("Ctrl+W")):
            QShortcut(keys, self, self.close)
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
        return self.sides_and_notes()[:2]

    def sides_and_notes(self) -> tuple[cmp.Side, cmp.Side, list[str]]:
        """Both sides, and notes on before/after windows cut to the data's years."""
        if self.mode.currentData() == "before_after":
            return self._before_after_sides()
        return self.pickers[0].side(), self.pickers[1].side(), []

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

    def _before_after_sides(self) -> tuple[cmp.Side, cmp.Side, list[str]]:
        code = self.ba_region.currentData() or cmp.ALL
        op = self._current_operation()
        when = operation_date(*op) if op else None
        if when is None:
            raise ValueError(tr("Pick an eradication operation with a date."))
        # Windows clipped to the data's years; the notes say so under the maps.
        return cmp.before_after_sides(self.project, code, when, self.window_years.value())

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
            left, right, notes = self.sides_and_notes()
        except ValueError as exc:
            self._error(str(exc))
            return
        project, indicator = self.project, self.indicator.currentData()
        before_after = self.mode.currentData() == "before_after"
        op = self._current_operation() if before_after else None
        window = self.window_years.value()

        def work(feedback):
            comparison = cmp.compute_comparison(
                project, left, right, indicator, feedback=feedback, notes=notes
            )
            if op is not None:
                point = op[0].to_metric(project.metric_crs).geometry.iloc[op[1]]
                point = point.representative_point()
                comparison.extra["operation_xy"] = (point.x, point.y)
                comparison.extra["displacement"] = run_displacement(
                    project, op[0], op[1], window, feedback
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
        self.status.setStyleSheet(ERROR_STYLE)
        self.status.setText(message)

    @property
    def busy(self) -> bool:
        return self.worker is not None or self._recompute_timer.isActive()

    # --- export ---------------------------------------------------------------------------------
    def export(self, path: str | Path | None = None) -> Worker | None:
        """Write what is shown (both sides, their periods, the mapped indicator) through the
        'compare' export; asks for the file, starting in the last export folder."""
        if self.comparison is None or self.busy or self.export_worker is not None:
            self.status.setText(tr("Wait until the comparison is drawn, then export it."))
            return None
        if path is None:
            start = export_folder() / "comparison.pdf"
            path, _ = QFileDialog.getSaveFileName(
                self, tr("Export comparison"), str(start), tr(EXPORT_FILTERS)
            )
            if not path:
                return None
        out = Path(path)
        if not out.suffix:
            out = out.with_suffix(".pdf")
        remember_export_folder(out.parent)
        shown, project, title = self.comparison, self.project, self.export_title()

        def work(feedback):
            return run_export(
                "compare",
                out,
                project,
                feedback,
                left=shown.left,
                right=shown.right,
                indicator=shown.indicator,
                title=title,
                comparison=shown,  # what the window shows, not a second computation
            )

        self.export_worker = worker = Worker(work, tr("Export"))
        worker.signals.progress.connect(lambda p, _m: self.progress.setValue(int(p)))
        worker.signals.errored.connect(
            lambda m: self._error(tr("Could not export: {m}").format(m=m))
        )
        worker.signals.finished.connect(lambda r: self._exported(worker, r))
        self.export_button.setEnabled(False)
        self.status.setStyleSheet("")
        self.status.setText(tr("Writing {p}…").format(p=out.name))
        self.progress.setValue(0)
        self.progress.show()
        self.thread_pool.start(worker)
        return worker

    def export_title(self) -> str | None:
        """The printed title: the operation in before/after mode, else the figure's own."""
        op = self._current_operation() if self.mode.currentData() == "before_after" else None
        when = operation_date(*op) if op else None
        if when is None or self.comparison is None:
            return None
        return tr("{i}: before and after the eradication of {d}").format(
            i=self.comparison.indicator_label, d=when.isoformat()
        )

    def _exported(self, worker: Worker, result) -> None:
        self.export_worker = None
        self.export_button.setEnabled(True)
        self.progress.hide()
        if worker.ok and result is not None:
            self.written = Path(result)
            self.status.setStyleSheet("color: #555;")
            self.status.setText(tr("Wrote {p}").format(p=result))

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
        rasters = cmp.merged_raster_entries([c.raster_entries for c in self.canvases])
        self.legend.show_classes(comparison, rasters, cmp.units_fill_alpha(self.project))
        self._fill_table(comparison)
        self.trends.show_trends(comparison, self.side_names(comparison))
        self._show_displacement(comparison.extra.get("displacement"))
        if self.link.isChecked():
            self._view_changed(0)
        self.computed.emit()

    def _fill_table(self, comparison: cmp.Comparison) -> None:
        t = cmp.table_rows(comparison, len(comparison.table))
        scales = cmp.display_scales(comparison.catalogue)  # shares 0–1 shown as percent
        names = list(self.side_names(comparison))
        self.table.setHorizontalHeaderLabels(
            [tr("Indicator"), names[0], names[1], tr("Difference"), tr("Change")]
        )
        self.table.setRowCount(len(t))
        for i, r in enumerate(t.itertuples()):
            cells = [r.indicator, *cmp.table_cells(r, scales.get(r.key, 1.0))]
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
        return tuple(cmp.shorten(lab.split(" · ")[0], 24) for lab in comparison.labels)

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
        for worker in (self.worker, self.export_worker):
            if worker is not None:
                worker.cancel()
        self._recompute_timer.stop()
        super().closeEvent(event)


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
    action = QAction(window)
    action.setObjectName("action_compare")
    window.translated(  # again after View ▸ Language
        lambda: (
            action.setText(tr("Compare…")),
            action.setStatusTip(tr("Two regions or two periods side by side, with one legend.")),
        )
    )
    action.triggered.connect(lambda: open_compare(window))
    window.menu("view").addAction(action)
    window.compare_action = action
