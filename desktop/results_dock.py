"""The results dock: the latest analysis result as sortable tables, exportable and mappable."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from analysis.base import Algorithm, AnalysisResult
from analysis.result_labels import Measure, measure
from cartography.result_styles import result_style
from desktop.labels import analysis_short_name, category_label
from desktop.workbench import Workbench
from layers import numbers
from layers.i18n import tr
from layers.layer import Layer
from layers.roles import Role
from layers.style import default_style

# Displacement figures worth reading first, in this order.
# Area treated around a picked eradication point when the layer has no footprints.
POINT_TARGET_RADIUS_M = 1000.0
DISPLACEMENT_KEYS = ("wdq", "tne", "wdd", "wdd_z", "success_measure", "buffer_measure")


def show(value: Any, unit: str = "") -> str:
    """A value as the panel shows it, through the one formatter (layers/numbers.py) with the
    unit of its measure: '3,933,442', '17,470 ha', '3.7 %' (shares), '–' (missing)."""
    if isinstance(value, dict):
        return ", ".join(f"{measure(str(k)).label}: {show(v, unit)}" for k, v in value.items())
    if isinstance(value, list | tuple | np.ndarray):
        return ", ".join(show(v, unit) for v in value)
    if isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        return tr("yes") if value else tr("no")
    if numbers.is_missing(value) or isinstance(value, int | float | np.number):
        return numbers.quantity(value, unit)
    return numbers.cell(value)


# Columns and summary keys that hold a year: shown as typed ('2014'), never grouped like a
# quantity ('2.014' in Spanish). Data columns are named in the data's language (anio, año).
YEAR_KEY = re.compile(r"(^|_)(year|anio|año|first|last)(_|$)", re.IGNORECASE)


def as_year(key: str, value: Any) -> str | None:
    """'2014' for a whole number of 1900–2100 under a year-like key, else None."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.number):
        return None
    v = float(value)
    if not (v.is_integer() and 1900 <= v <= 2100 and YEAR_KEY.search(key)):
        return None
    return str(int(v))


def _is_table(value: Any) -> bool:
    """A list of records, or a mapping of records (classes, categories): shown as a table."""
    if isinstance(value, list):
        return bool(value) and all(isinstance(v, dict) for v in value)
    if isinstance(value, dict):
        return bool(value) and all(isinstance(v, dict) for v in value.values())
    return False


def summary_parts(summary: dict) -> tuple[pd.DataFrame, list[Measure], dict[str, pd.DataFrame]]:
    """The summary as (label/value rows, each row's measure, {key: table}): nested blocks become
    'Window · Before' rows, lists of records (rings, operations) tables of their own."""
    labels: list[str] = []
    values: list[Any] = []
    measures: list[Measure] = []
    tables: dict[str, pd.DataFrame] = {}

    def walk(block: dict, path: list[str]) -> None:
        for raw, value in block.items():
            key = str(raw)
            if _is_table(value):
                frame = (
                    pd.DataFrame(value)
                    if isinstance(value, list)
                    else pd.DataFrame.from_dict(value, orient="index").rename_axis(key)
                )
                tables[key] = frame.reset_index() if isinstance(value, dict) else frame
            elif isinstance(value, dict) and 0 < len(value) <= 40:
                walk(value, [*path, key])
            else:
                m = measure(key, path[-1] if path else None)
                labels.append(" · ".join([*(measure(k).label for k in path), m.label]))
                values.append(as_year(key, value) or value)
                measures.append(m)

    walk(summary, [])
    frame = pd.DataFrame({tr("Measure"): labels, tr("Value"): values})
    return frame, measures, tables


def flatten_summary(summary: dict, prefix: str = "") -> list[tuple[str, Any]]:
    """Nested summaries (rings, per-period blocks) as flat key/value rows."""
    rows: list[tuple[str, Any]] = []
    for key, value in summary.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and len(value) <= 40:
            rows += flatten_summary(value, name + " · ")
        else:
            rows.append((name, value))
    return rows


class DataFrameModel(QAbstractTableModel):
    """Read-only pandas table; sorts on the underlying numbers, not their text.

    Columns show their measure's full label (tooltip: label, unit, column name and help) and
    cells their measure's unit; `row_measures` gives each row its own (the summary's values).
    """

    def __init__(self, frame: pd.DataFrame | None = None) -> None:
        super().__init__()
        self.frame = pd.DataFrame() if frame is None else frame
        self.columns: list[Measure] = [measure(str(c)) for c in self.frame.columns]
        self.row_measures: list[Measure] | None = None

    def set_frame(self, frame: pd.DataFrame, row_measures: list[Measure] | None = None) -> None:
        self.beginResetModel()
        self.frame = frame.drop(columns=["geometry"], errors="ignore").reset_index(drop=True)
        self.columns = [measure(str(c)) for c in self.frame.columns]
        self.row_measures = row_measures
        self.endResetModel()

    def unit(self, row: int, column: int) -> str:
        if self.row_measures is not None:
            return self.row_measures[row].unit if column > 0 else ""
        return self.columns[column].unit

    def text(self, row: int, column: int) -> str:
        value = self.frame.iat[row, column]
        name = str(self.frame.columns[column])
        named = category_label(name, value) or as_year(name, value)
        return named or show(value, self.unit(row, column))

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.frame)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.frame.columns)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        value = self.frame.iat[index.row(), index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(index.row(), index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            if self.row_measures is not None and index.column() == 0:
                return self.row_measures[index.row()].help or self.text(index.row(), 0)
            return self.text(index.row(), index.column())
        if role == Qt.ItemDataRole.UserRole:  # sort key
            if isinstance(value, int | float | np.number) and not pd.isna(value):
                return float(value)
            return str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(value, int | float | np.number):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        horizontal = orientation == Qt.Orientation.Horizontal
        if role == Qt.ItemDataRole.DisplayRole:
            if not horizontal:
                return str(section + 1)
            if self.row_measures is not None:  # the summary's own 'Measure' / 'Value'
                return str(self.frame.columns[section])
            return self.columns[section].label
        if role == Qt.ItemDataRole.ToolTipRole and horizontal:
            m, name = self.columns[section], str(self.frame.columns[section])
            unit = f" ({m.unit})" if m.unit else ""
            return "\n".join(t for t in (f"{m.label}{unit}", f"[{name}]", m.help) if t)
        return None


def _sortable_view(model: QAbstractTableModel) -> QTableView:
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.setSortRole(Qt.ItemDataRole.UserRole)
    view = QTableView()
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    proxy.sort(-1)  # the analysis' own order until the user clicks a header
    view.setAlternatingRowColors(True)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.horizontalHeader().setStretchLastSection(True)
    view.verticalHeader().setVisible(False)
    return view


def export_result(result: AnalysisResult, path: Path) -> list[Path]:
    """GeoPackage: every result layer (and the table); GeoJSON/CSV: the main layer or table."""
    from cartography.results_export import export_result as write_one

    suffix = path.suffix.lower()
    if suffix == ".gpkg" and len(result.layers) + (result.table is not None) > 1:
        # One file, one GeoPackage table per result layer (results_export writes one).
        path.unlink(missing_ok=True)
        for name, gdf in result.layers.items():
            table = "".join(c if c.isalnum() else "_" for c in name)
            gdf.to_file(path, layer=table, driver="GPKG", engine="pyogrio")
        if result.table is not None:
            frame = result.table.drop(columns=["geometry"], errors="ignore")
            gpd.GeoDataFrame(frame, geometry=[None] * len(frame)).to_file(
                path, layer="table", driver="GPKG", engine="pyogrio"
            )
        return [path]
    if suffix == ".csv":
        frame = result.table
        if frame is None and result.layers:
            frame = next(iter(result.layers.values()))
        if frame is None:
            frame = pd.DataFrame(flatten_summary(result.summary), columns=["measure", "value"])
    else:
        if not result.layers:
            raise ValueError(tr("This result has no map layer; export it as CSV."))
        frame = next(iter(result.layers.values()))
    return [Path(write_one(frame, path))]


def region_code_column(frame: pd.DataFrame, regions: Layer) -> tuple[str, str] | None:
    """(table column, regions column) to join a table onto the regions layer by code."""
    region_col = regions.field("region_code")
    candidates = [c for c in ("region_code", "pcode", "code", region_col) if c]
    for c in candidates:
        if c in frame.columns:
            target = region_col if region_col in regions.data.columns else c
            if target in regions.data.columns:
                return c, target
    return None


def choropleth_layer(
    frame: pd.DataFrame, column: str, regions: Layer, result_layers: list[Layer]
) -> Layer | None:
    """A graduated layer of `column`: restyles a result layer that has it, else joins on codes."""
    for layer in result_layers:
        if column in layer.data.columns and layer.geometry_kind in ("polygon", "mixed"):
            return layer
    keys = region_code_column(frame, regions)
    if keys is None:
        return None
    left, right = keys
    values = frame[[left, column]].drop_duplicates(left)
    gdf = regions.data[[right, regions.data.geometry.name]].merge(
        values, left_on=right, right_on=left, how="left"
    )
    style = default_style(Role.RESULT)
    return Layer(gpd.GeoDataFrame(gdf, crs=regions.data.crs), column, role=Role.RESULT, style=style)


class ResultsPanel(QWidget):
    """Summary and table of the latest result, with export and 'Map this column'."""

    map_column_requested = Signal(str)
    pick_eradication_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.algorithm: Algorithm | None = None
        self.result: AnalysisResult | None = None
        self.params: dict = {}
        self.layers: list[Layer] = []
        self.title = QLabel(tr("No result yet: run an analysis from the Analysis menu."))
        self.title.setWordWrap(True)
        self.headline = QLabel()
        self.headline.setWordWrap(True)
        self.headline.setTextFormat(Qt.TextFormat.RichText)
        self.summary_model = DataFrameModel()
        self.summary_view = _sortable_view(self.summary_model)
        # Values always in view; full measure names wrap onto more lines in a narrow dock.
        header = self.summary_view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)  # half each, text wraps
        self.summary_view.setWordWrap(True)
        self.summary_view.setTextElideMode(Qt.TextElideMode.ElideNone)
        header.sectionResized.connect(lambda *_: self.summary_view.resizeRowsToContents())
        self.table_model = DataFrameModel()
        self.table_view = _sortable_view(self.table_model)
        # The result's table, then one tab per list in the summary (rings, operations…).
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.table_view, tr("Table"))
        self.list_tables: dict[str, DataFrameModel] = {}
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.summary_view)
        split.addWidget(self.tabs)
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.export_button = QPushButton(tr("Export results…"))
        self.export_button.clicked.connect(self._export_clicked)
        self.column_combo = QComboBox()
        self.column_combo.setToolTip(tr("A column of the table to draw on the regions layer."))
        self.map_button = QPushButton(tr("Map this column"))
        self.map_button.clicked.connect(
            lambda: self.map_column_requested.emit(self.column_combo.currentData() or "")
        )
        self.pick_button = QPushButton(tr("Pick an eradication on the map…"))
        self.pick_button.setToolTip(
            tr("Click an eradication operation on the map to study displacement around it.")
        )
        self.pick_button.setCheckable(True)
        self.pick_button.clicked.connect(lambda: self.pick_eradication_requested.emit())
        # Column and its button on one row, export on the next: one row of three made the
        # dock at least 322 px wide and took the map's room (issue 14: 17).
        self.column_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.column_combo.setMinimumContentsLength(8)
        row = QHBoxLayout()
        row.addWidget(self.column_combo, 1)
        row.addWidget(self.map_button)
        export_row = QHBoxLayout()
        export_row.addWidget(self.export_button)
        export_row.addStretch(1)
        box = QVBoxLayout(self)
        box.setContentsMargins(4, 4, 4, 4)
        box.addWidget(self.title)
        box.addWidget(self.headline)
        box.addWidget(split, 1)
        box.addWidget(self.notes)
        box.addLayout(row)
        box.addLayout(export_row)
        box.addWidget(self.pick_button)
        self._refresh_buttons()

    def retranslate(self) -> None:
        """The panel's own texts in the active language (built with it; again on a switch)."""
        if self.result is None:
            self.title.setText(tr("No result yet: run an analysis from the Analysis menu."))
        self.tabs.setTabText(0, tr("Table"))
        self.export_button.setText(tr("Export results…"))
        self.column_combo.setToolTip(tr("A column of the table to draw on the regions layer."))
        self.map_button.setText(tr("Map this column"))
        self.pick_button.setText(tr("Pick an eradication on the map…"))
        self.pick_button.setToolTip(
            tr("Click an eradication operation on the map to study displacement around it.")
        )

    def show_result(
        self,
        algorithm: Algorithm,
        result: AnalysisResult,
        params: dict | None = None,
        layers: list[Layer] | None = None,
    ) -> None:
        self.algorithm, self.result, self.params = algorithm, result, dict(params or {})
        self.layers = list(layers or [])
        title = tr(algorithm.title) if algorithm.title else algorithm.id  # follows a switch
        self.title.setText(f"<b>{title}</b>")
        rows, row_measures, lists = summary_parts(result.summary)
        self.summary_model.set_frame(rows, row_measures)
        self.summary_view.setVisible(len(rows) > 0)
        self.summary_view.resizeRowsToContents()
        table = result.table
        if table is None and result.layers:
            table = next(iter(result.layers.values()))
        self.table_model.set_frame(table if table is not None else pd.DataFrame())
        self._show_lists(lists, table)
        self.tabs.setVisible(table is not None or bool(self.list_tables))
        self.tabs.setTabVisible(0, table is not None)
        self.table_view.resizeColumnsToContents()
        self.headline.setText(self._headline(result))
        self.notes.setText("\n".join(result.notes))
        self.column_combo.clear()
        if table is not None:
            for c in table.columns:
                if c != "geometry" and pd.api.types.is_numeric_dtype(table[c]):
                    m = measure(str(c))
                    self.column_combo.addItem(m.label, str(c))
                    self.column_combo.setItemData(
                        self.column_combo.count() - 1, m.label, Qt.ItemDataRole.ToolTipRole
                    )
        self._refresh_buttons()

    def _show_lists(self, lists: dict[str, pd.DataFrame], table: pd.DataFrame | None) -> None:
        """A tab per list in the summary; one repeating the result's table is left out."""
        while self.tabs.count() > 1:
            self.tabs.removeTab(1)
        self.list_tables = {}
        shown = [] if table is None else [str(c) for c in table.columns if c != "geometry"]
        for key, frame in lists.items():
            if [str(c) for c in frame.columns] == shown:
                continue
            model = DataFrameModel()
            model.set_frame(frame)
            view = _sortable_view(model)
            view.resizeColumnsToContents()
            self.list_tables[key] = model
            m = measure(key)
            self.tabs.addTab(view, m.label)
            self.tabs.setTabToolTip(self.tabs.count() - 1, m.help or m.label)

    def _headline(self, result: AnalysisResult) -> str:
        """WDQ / TNE / WDD first for displacement: the figures analysts quote."""
        lowered = {str(k).lower(): v for k, v in result.summary.items()}
        parts = [
            f"<b>{k.upper()}</b> {show(lowered[k], measure(k).unit)}"
            for k in DISPLACEMENT_KEYS[:3]
            if k in lowered
        ]
        return " &nbsp;·&nbsp; ".join(parts)

    def _refresh_buttons(self) -> None:
        has = self.result is not None
        self.export_button.setEnabled(has)
        mappable = has and self.column_combo.count() > 0
        self.map_button.setEnabled(mappable)
        self.column_combo.setEnabled(mappable)
        is_displacement = bool(self.algorithm and "displacement" in self.algorithm.id)
        self.pick_button.setVisible(is_displacement or self.algorithm is None)

    def _export_clicked(self) -> None:
        if self.result is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self,
            tr("Export results"),
            f"{self.algorithm.id if self.algorithm else 'result'}.gpkg",
            tr("GeoPackage (*.gpkg);;GeoJSON (*.geojson);;CSV table (*.csv)"),
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> list[Path]:
        try:
            written = export_result(self.result, path)
        except Exception as exc:  # noqa: BLE001 - disk full, bad name...: tell, don't crash
            QMessageBox.warning(
                self,
                tr("Export results"),
                tr("Could not write {p}: {e}. Choose another folder or name.").format(
                    p=path.name, e=exc
                ),
            )
            return []
        return written


class ResultsDock(QDockWidget):
    """The dock the window keeps; `show_result` is what the analysis dialog calls."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.setObjectName("results_dock")
        self.window_ = window
        self.panel = ResultsPanel(self)
        self.setWidget(self.panel)
        self.panel.map_column_requested.connect(self.map_column)
        self.panel.pick_eradication_requested.connect(self.start_pick)
        self._picking = False

    def show_result(self, algorithm, result, params=None, layers=None) -> None:
        self.panel.show_result(algorithm, result, params, layers)
        self.show()
        self.raise_()

    def retranslate(self, *_args) -> None:
        """A language switch: the result on show again, its labels and units in the new one
        (the notes stay as the analysis wrote them)."""
        panel = self.panel
        panel.retranslate()
        if panel.result is not None and panel.algorithm is not None:
            panel.show_result(panel.algorithm, panel.result, panel.params, panel.layers)

    # --- Map this column ---------------------------------------------------------------
    def map_column(self, column: str) -> Layer | None:
        panel = self.panel
        if not column or panel.result is None:
            return None
        table = panel.result.table
        if table is None and panel.result.layers:
            table = next(iter(panel.result.layers.values()))
        project = self.window_.project
        regions = project.layers.first(Role.ADMIN_BOUNDARIES)
        target = choropleth_layer(table, column, regions, panel.layers) if regions else None
        if target is None:
            QMessageBox.information(
                self,
                tr("Map this column"),
                tr(
                    "No regions layer to draw {c} on: add administrative boundaries with "
                    "region codes (e.g. ADM2_PCODE)."
                ).format(c=column),
            )
            return None
        # Opaque classes as every result area (cartography/result_styles.py).
        target.style = result_style(
            target.data, {"field": column, "kind": "graduated", "ramp": "YlOrRd"}
        )
        if target not in project.layers:
            from desktop.analysis_dialog import add_result_layers

            # Generated text, in the language of now: the column's label, the analysis' name.
            named = measure(column).label
            target.name = (
                f"{named} ({analysis_short_name(panel.algorithm.id)})" if panel.algorithm else named
            )
            add_result_layers(self.window_, [target], tr("Map {c}").format(c=named))
        return target

    # --- pick an eradication operation on the map ------------------------------------------
    def start_pick(self) -> None:
        """Arm the canvas' identify tool; the next eradication clicked opens displacement."""
        canvas = getattr(self.window_, "canvas", None)
        if canvas is None or not hasattr(canvas, "identified"):
            self.panel.pick_button.setChecked(False)
            return
        if not self.panel.pick_button.isChecked():
            return
        if not self._picking:
            canvas.identified.connect(self._picked)
            self._picking = True
        canvas.set_tool("identify")
        self.window_.statusBar().showMessage(tr("Click an eradication operation on the map."), 8000)

    def _picked(self, _x: float, _y: float, hits: list) -> None:
        if not self.panel.pick_button.isChecked():
            return
        for layer, rows in hits:
            if layer.role == Role.ERADICATION and rows:
                self.panel.pick_button.setChecked(False)
                open_displacement_for(self.window_, layer, int(rows[0]))
                return
        self.window_.statusBar().showMessage(
            tr("No eradication operation there; click one of its symbols."), 6000
        )


def operation_layer(layer: Layer, row: int) -> Layer:
    """One eradication operation as its own layer: the displacement target."""
    feature = layer.data.iloc[[row]]
    label = layer.data.index[row]
    return Layer(
        feature,
        tr("{n} operation {i}").format(n=layer.name, i=label),
        role=Role.ERADICATION,
        mapping=layer.mapping,
        style=layer.style,
        source=layer.source,
        metadata={"picked_from": layer.name, "row": int(row)},
    )


def displacement_initial(algorithm: Algorithm, layer: Layer, row: int) -> dict[str, Any]:
    """Dialog values for one eradication operation: it as the target, and its date."""
    initial: dict[str, Any] = {}
    feature = layer.data.iloc[row]
    date_col, year_col = layer.field("date"), layer.field("year")
    when = None
    if date_col and date_col in layer.data.columns and not pd.isna(feature[date_col]):
        when = pd.Timestamp(feature[date_col]).date().isoformat()
    elif year_col and year_col in layer.data.columns and not pd.isna(feature[year_col]):
        when = f"{int(feature[year_col])}-07-01"
    for p in algorithm.parameters:
        if p.kind == "layer" and "eradication" in p.roles:
            initial[p.name] = operation_layer(layer, row)
        elif p.kind == "date" and when and p.name in ("date", "intervention_date"):
            initial[p.name] = when
        elif p.name == "target_radius_m" and layer.geometry_kind == "point":
            initial[p.name] = POINT_TARGET_RADIUS_M
    return initial


def open_displacement_for(window, layer: Layer, row: int):
    from analysis.base import load_all
    from desktop.analysis_dialog import open_analysis

    registry = load_all()
    algorithm_id = next((a for a in registry if "displacement" in a), None)
    if algorithm_id is None:
        window.statusBar().showMessage(tr("The displacement analysis is not available."), 6000)
        return None
    initial = displacement_initial(registry[algorithm_id], layer, row)
    return open_analysis(window, algorithm_id, initial)


def install(window: Workbench) -> None:
    dock = ResultsDock(window)
    window.results_dock = dock
    window.translated(lambda: dock.setWindowTitle(tr("Results")))
    window.state.events.language.connect(dock.retranslate)
    window.add_dock("results", dock, Qt.DockWidgetArea.BottomDockWidgetArea)
    window.menu("analysis").addAction(dock.toggleViewAction())


__all__ = ["ResultsDock", "ResultsPanel", "DataFrameModel", "export_result", "install"]
