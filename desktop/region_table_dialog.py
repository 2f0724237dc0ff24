"""Layer ▸ Join region table…: a per-region table (CSV, XLSX) joined to a boundary layer by
code (layers/region_join.py). The dialog shows the detected code columns and the join's report
(matched; unmatched codes with the likely reason) before anything is added; then each numeric
column can become an indicator (direction, unit, weight in the harm index) and one column
can be mapped as a choropleth in the same click that adds the layer.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cartography.classify import classify_values
from desktop.task_row import TaskRow
from desktop.undo import MoveLayer
from desktop.workbench import Workbench
from desktop.workers import Worker, user_message
from layers.custom_indicators import CustomIndicator
from layers.i18n import tr, tr_noop
from layers.layer import Layer, is_raster
from layers.region_join import JoinResult, join_region_table, summary_lines
from layers.region_table import TABLE_SUFFIXES, read_region_table
from layers.roles import Role
from layers.style import Style

TABLE_FILTER = tr_noop("Tables (*.csv *.tsv *.txt *.xlsx *.xlsm)")
AUTOMATIC = tr_noop("Automatic")
DIRECTIONS = (tr_noop("Higher is worse"), tr_noop("Higher is better"))
# Columns of the indicator table after the column's name and its Use box.
LABEL, DIRECTION, UNIT, WEIGHT = 2, 3, 4, 5
# Ramps of the one-click map: red is harm either way (goods from red, low, to green, high).
RAMP_WORSE, RAMP_BETTER = "YlOrRd", "RdYlGn"


def choropleth_style(base: Style, column: str, higher_is_worse: bool = True) -> Style:
    """`base` as a 5-class quantile map of `column` (edits of an older class scheme dropped)."""
    return replace(
        base,
        kind="graduated",
        field=column,
        scheme="quantiles",
        classes=5,
        ramp=RAMP_WORSE if higher_is_worse else RAMP_BETTER,
        class_colours={},
        class_labels={},
        class_markers={},
    )


class RegionTableDialog(QDialog):
    """Pick the table and the regions, check the join, choose indicators, add the layer."""

    def __init__(self, window: Workbench, parent: QWidget | None = None) -> None:
        super().__init__(parent or window)  # type: ignore[arg-type]
        self.setObjectName("region_table_dialog")
        self.window_ = window
        self.result: JoinResult | None = None
        self.added: Layer | None = None
        self._worker: Worker | None = None
        self.setWindowTitle(tr("Join region table"))
        self.resize(760, 640)
        outer = QVBoxLayout(self)
        form = QFormLayout()
        self.table_edit = QLineEdit()
        self.table_edit.setPlaceholderText(tr("A CSV or XLSX with one row per region code"))
        browse = QPushButton(tr("Browse…"))
        browse.setObjectName("browse_table")
        browse.clicked.connect(self.browse)
        row = QHBoxLayout()
        row.addWidget(self.table_edit, 1)
        row.addWidget(browse)
        form.addRow(tr("Table"), row)
        self.sheet_combo = QComboBox()
        form.addRow(tr("Sheet"), self.sheet_combo)
        self.regions_combo = QComboBox()
        form.addRow(tr("Regions"), self.regions_combo)
        self.table_code_combo = QComboBox()
        self.region_code_combo = QComboBox()
        form.addRow(tr("Table code column"), self.table_code_combo)
        form.addRow(tr("Regions' code column"), self.region_code_combo)
        outer.addLayout(form)
        self.report_label = QLabel(tr("Choose a table, then Check join."))
        self.report_label.setObjectName("join_report")
        self.report_label.setWordWrap(True)
        self.report_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        outer.addWidget(self.report_label)
        self.unmatched = QTableWidget(0, 4)
        self.unmatched.setObjectName("unmatched_codes")
        self.unmatched.setHorizontalHeaderLabels(
            [tr("Side"), tr("Code"), tr("Likely reason"), tr("Detail")]
        )
        self.unmatched.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        outer.addWidget(self.unmatched, 1)
        box = QGroupBox(tr("Indicators and map"))
        inner = QVBoxLayout(box)
        self.indicators = QTableWidget(0, 6)
        self.indicators.setObjectName("indicator_columns")
        self.indicators.setHorizontalHeaderLabels(
            [
                tr("Column"),
                tr("Use as indicator"),
                tr("Label"),
                tr("Direction"),
                tr("Unit"),
                tr("Weight"),
            ]
        )
        header = self.indicators.horizontalHeader()
        # The names, the tick box, the directions and weights as wide as they need; the label
        # the analyst types takes the rest.
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(LABEL, QHeaderView.ResizeMode.Stretch)
        inner.addWidget(self.indicators, 1)
        map_row = QHBoxLayout()
        map_row.addWidget(QLabel(tr("Map column")))
        self.map_combo = QComboBox()
        self.map_combo.setObjectName("map_column")
        self.map_combo.currentIndexChanged.connect(self._preview_classes)
        map_row.addWidget(self.map_combo, 1)
        inner.addLayout(map_row)
        self.classes_label = QLabel()
        self.classes_label.setWordWrap(True)
        inner.addWidget(self.classes_label)
        outer.addWidget(box, 1)
        self.status = QLabel()
        self.status.setWordWrap(True)
        outer.addWidget(self.status)
        self.task = TaskRow(self, tr("Check join"), self.check, self.cancel, self.status)
        self.add_button = QPushButton(tr("Add to project"))
        self.add_button.setObjectName("add_joined_layer")
        self.add_button.setEnabled(False)
        self.add_button.clicked.connect(self.add_to_project)
        self.task.insertWidget(1, self.add_button)
        outer.addLayout(self.task)
        self._fill_regions()
        self.table_edit.editingFinished.connect(self._table_chosen)
        self.regions_combo.currentIndexChanged.connect(self._regions_chosen)
        self._regions_chosen()

    # --- choosing -----------------------------------------------------------------------
    def region_layers(self) -> list[Layer]:
        """Polygon layers, administrative boundaries first."""
        layers = [
            layer
            for layer in self.window_.project.layers
            if not is_raster(layer) and layer.geometry_kind == "polygon"
        ]
        return sorted(layers, key=lambda layer: layer.role != Role.ADMIN_BOUNDARIES)

    def _fill_regions(self) -> None:
        self.regions_combo.clear()
        for layer in self.region_layers():
            self.regions_combo.addItem(layer.name, layer)

    def regions(self) -> Layer | None:
        return self.regions_combo.currentData()

    def browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, tr("Region table"), str(self.window_.start_folder("table")), tr(TABLE_FILTER)
        )
        if path:
            self.window_.remember_folder("table", Path(path).parent)
            self.set_table(path)

    def set_table(self, path: str | Path) -> None:
        """Choose the table file (as typing it or browsing does)."""
        self.table_edit.setText(str(path))
        self._table_chosen()

    def _table_chosen(self) -> None:
        """Fill the sheets and the table's columns; any earlier report no longer holds."""
        self._forget_result()
        self.sheet_combo.clear()
        self.table_code_combo.clear()
        self.table_code_combo.addItem(tr(AUTOMATIC), None)
        path = Path(self.table_edit.text().strip())
        if not path.is_file() or path.suffix.lower() not in TABLE_SUFFIXES:
            self.sheet_combo.setEnabled(False)
            return
        try:
            table = read_region_table(path)
        except Exception as exc:  # noqa: BLE001 - a message in the dialog, never a traceback
            self.task.failed(user_message(exc))
            return
        self.sheet_combo.setEnabled(len(table.sheets) > 1)
        for sheet in table.sheets:
            self.sheet_combo.addItem(sheet, sheet)
        if table.sheet:
            self.sheet_combo.setCurrentIndex(max(0, self.sheet_combo.findData(table.sheet)))
        for column in table.columns:
            self.table_code_combo.addItem(column, column)

    def _regions_chosen(self) -> None:
        self._forget_result()
        self.region_code_combo.clear()
        self.region_code_combo.addItem(tr(AUTOMATIC), None)
        layer = self.regions()
        if layer is None:
            return
        geometry = layer.data.geometry.name
        for column in layer.data.columns:
            if column != geometry:
                self.region_code_combo.addItem(str(column), str(column))

    def _forget_result(self) -> None:
        self.result = None
        self.add_button.setEnabled(False)
        self.unmatched.setRowCount(0)
        self.indicators.setRowCount(0)
        self.map_combo.clear()
        self.classes_label.clear()

    # --- checking (a worker: a national table must not freeze the window) ----------------
    def check(self) -> Worker | None:
        """Read the table and join it in the background; the report shows when done."""
        path, regions = self.table_edit.text().strip(), self.regions()
        if not path or regions is None:
            self.task.failed(tr("Choose a table and a regions layer first."))
            return None
        sheet = self.sheet_combo.currentData() if self.sheet_combo.isEnabled() else None
        table_code = self.table_code_combo.currentData()
        region_code = self.region_code_combo.currentData()

        def work(feedback):
            def progress(percent: float, message: str) -> None:
                feedback.check()
                feedback.set_progress(percent, message)

            table = read_region_table(path, sheet=sheet)
            return join_region_table(table, regions, table_code, region_code, progress)

        self._forget_result()
        worker = Worker(work, tr("Join region table"))
        worker.signals.progress.connect(lambda p, _m: self.task.progress.setValue(int(p)))
        worker.signals.errored.connect(self.task.failed)
        worker.signals.finished.connect(self._checked)
        self._worker = worker
        self.task.started(tr("Joining…"))
        self.window_.thread_pool.start(worker)
        return worker

    def cancel(self) -> None:
        if self._worker is not None:
            self._worker.cancel()

    def _checked(self, result: JoinResult | None) -> None:
        self.task.set_running(False)
        worker, self._worker = self._worker, None
        if result is None:
            if worker is not None and not worker.ok and worker.error is None:
                self.status.setText(tr("Canceled."))
            return
        self.result = result
        report = result.report
        self.task.progress.setValue(100)
        self.status.setText("")
        self.report_label.setText("\n".join(summary_lines(report)))
        self._select(self.table_code_combo, report.table_code_column)
        self._select(self.region_code_combo, report.region_code_column)
        rows = [(tr("Table"), e) for e in report.unmatched_table["examples"]]
        rows += [(tr("Regions"), e) for e in report.unmatched_regions["examples"]]
        self.unmatched.setRowCount(len(rows))
        for r, (side, example) in enumerate(rows):
            code = example["code"] or ""
            if example.get("name"):
                code = f"{code} ({example['name']})"
            for c, text in enumerate((side, code, example["why"], example.get("detail", ""))):
                self.unmatched.setItem(r, c, QTableWidgetItem(str(text)))
        self._fill_indicators(report.numeric_columns)
        self.add_button.setEnabled(report.matched["count"] > 0)

    def _select(self, combo: QComboBox, column: str) -> None:
        """Show the detected column (still 'Automatic' underneath: nothing was overridden)."""
        index = combo.findData(column)
        if index >= 0 and combo.currentData() is None:
            combo.setItemText(0, tr("Automatic: {c}").format(c=column))

    def _fill_indicators(self, columns: list[str]) -> None:
        self.indicators.setRowCount(len(columns))
        self.map_combo.clear()
        self.map_combo.addItem(tr("None"), None)
        for r, column in enumerate(columns):
            name = QTableWidgetItem(column)
            name.setFlags(name.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.indicators.setItem(r, 0, name)
            use = QCheckBox()
            self.indicators.setCellWidget(r, 1, use)
            direction = QComboBox()
            for text in DIRECTIONS:
                direction.addItem(tr(text))
            direction.currentIndexChanged.connect(self._preview_classes)
            # The name tables, the briefing and the comparison show (the column's when empty).
            label = QLineEdit()
            label.setPlaceholderText(column)
            self.indicators.setCellWidget(r, LABEL, label)
            self.indicators.setCellWidget(r, DIRECTION, direction)
            self.indicators.setCellWidget(r, UNIT, QLineEdit())
            weight = QDoubleSpinBox()
            weight.setRange(0.0, 10.0)
            weight.setSingleStep(0.25)
            weight.setValue(1.0)
            self.indicators.setCellWidget(r, WEIGHT, weight)
            self.map_combo.addItem(column, column)
        if columns:
            self.map_combo.setCurrentIndex(1)

    def _row(self, column: str) -> int:
        for r in range(self.indicators.rowCount()):
            if self.indicators.item(r, 0).text() == column:
                return r
        return -1

    def set_indicator(
        self,
        column: str,
        use: bool = True,
        worse: bool = True,
        unit: str = "",
        weight: float = 1.0,
        label: str = "",
    ) -> None:
        """Fill one column's row as a user would (tests and scripts)."""
        r = self._row(column)
        self.indicators.cellWidget(r, 1).setChecked(use)
        self.indicators.cellWidget(r, LABEL).setText(label)
        self.indicators.cellWidget(r, DIRECTION).setCurrentIndex(0 if worse else 1)
        self.indicators.cellWidget(r, UNIT).setText(unit)
        self.indicators.cellWidget(r, WEIGHT).setValue(weight)

    def higher_is_worse(self, column: str) -> bool:
        r = self._row(column)
        return r < 0 or self.indicators.cellWidget(r, DIRECTION).currentIndex() == 0

    def chosen_indicators(self, layer_name: str) -> list[CustomIndicator]:
        out = []
        for r in range(self.indicators.rowCount()):
            if not self.indicators.cellWidget(r, 1).isChecked():
                continue
            out.append(
                CustomIndicator(
                    layer=layer_name,
                    column=self.indicators.item(r, 0).text(),
                    label=self.indicators.cellWidget(r, LABEL).text().strip(),
                    higher_is_worse=self.indicators.cellWidget(r, DIRECTION).currentIndex() == 0,
                    unit=self.indicators.cellWidget(r, UNIT).text().strip(),
                    weight=float(self.indicators.cellWidget(r, WEIGHT).value()),
                    code_column=self.result.report.region_code_column if self.result else "",
                )
            )
        return out

    def _preview_classes(self, *_args) -> None:
        """The map's classes before it is made (the same classification the map draws)."""
        column = self.map_combo.currentData()
        if self.result is None or not column:
            self.classes_label.clear()
            return
        worse = self.higher_is_worse(column)
        classes = classify_values(
            self.result.data[column].to_numpy(dtype=float),
            "quantiles",
            5,
            RAMP_WORSE if worse else RAMP_BETTER,
        )
        self.classes_label.setText(tr("Classes: {c}").format(c="; ".join(classes.labels)))

    # --- adding -------------------------------------------------------------------------
    def add_to_project(self) -> Layer | None:
        """Add the joined layer (undoable), its indicators and, if chosen, its map."""
        regions = self.regions()
        if self.result is None or regions is None:
            return None
        table = Path(self.table_edit.text().strip())
        project = self.window_.project
        name = project.layers.unique_name(f"{regions.name} + {table.stem}")
        style = regions.style
        column = self.map_combo.currentData()
        if column:
            style = choropleth_style(style, column, self.higher_is_worse(column))
        report = self.result.report
        layer = Layer(
            self.result.data,
            name,
            role=regions.role,
            mapping=regions.mapping,
            style=style,
            metadata={
                "joined_table": str(table),
                "join": {
                    "table_code_column": report.table_code_column,
                    "region_code_column": report.region_code_column,
                    "matched": report.matched["count"],
                    "unmatched_table": report.unmatched_table["count"],
                    "unmatched_regions": report.unmatched_regions["count"],
                },
            },
        )
        stack = self.window_.undo_stack  # type: ignore[attr-defined]
        layers = project.layers
        stack.beginMacro(tr("Join {t} to {r}").format(t=table.name, r=regions.name))
        self.window_.add_layer(layer)  # type: ignore[attr-defined]
        if regions in layers:  # drawn just above its regions: points and lines stay visible
            stack.push(MoveLayer(layers, layers.index(layer), layers.index(regions) + 1))
        stack.endMacro()
        project.indicators.extend(self.chosen_indicators(layer.name))
        self.window_.messages.info(
            tr("Joined {t} to {r}: {m} of {n} regions matched.").format(
                t=table.name, r=regions.name, m=report.matched["count"], n=report.regions
            )
        )
        self.added = layer
        self.accept()
        return layer


def open_join_dialog(window: Workbench) -> RegionTableDialog:
    dialog = RegionTableDialog(window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog


def install(window: Workbench) -> None:
    """Layer ▸ Join region table… (id 'join_region_table'), after the layer-adding actions."""
    action = QAction(tr("Join region table…"), window)  # type: ignore[arg-type]
    action.setObjectName("action_join_region_table")
    action.triggered.connect(lambda: open_join_dialog(window))
    menu = window.menu("layer")
    try:
        menu.insertAction(window.action("layer_style"), action)  # with the adding actions
    except KeyError:
        menu.addAction(action)
    window.actions["join_region_table"] = action  # type: ignore[attr-defined]
    window.translated(
        lambda: (
            action.setText(tr("Join region table…")),
            action.setStatusTip(
                tr("Join a table of statistics per region (CSV, XLSX) to boundaries by code.")
            ),
        )
    )
