"""The results dock: the latest analysis result as sortable tables, exportable and mappable."""

from __future__ import annotations

import math
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
    QVBoxLayout,
    QWidget,
)

from analysis.base import Algorithm, AnalysisResult
from desktop.workbench import Workbench
from layers.i18n import tr
from layers.layer import Layer
from layers.roles import Role
from layers.style import default_style

# Displacement figures worth reading first, in this order.
# Area treated around a picked eradication point when the layer has no footprints.
POINT_TARGET_RADIUS_M = 1000.0
DISPLACEMENT_KEYS = ("wdq", "tne", "wdd", "wdd_z", "success_measure", "buffer_measure")


def format_value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return tr("undefined")
        return f"{value:,.4g}" if abs(value) < 1e6 else f"{value:,.0f}"
    if isinstance(value, dict | list):
        return (
            ", ".join(f"{k}: {format_value(v)}" for k, v in value.items())
            if isinstance(value, dict)
            else ", ".join(format_value(v) for v in value)
        )
    return str(value)


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
    """Read-only pandas table; sorts on the underlying numbers, not their text."""

    def __init__(self, frame: pd.DataFrame | None = None) -> None:
        super().__init__()
        self.frame = pd.DataFrame() if frame is None else frame

    def set_frame(self, frame: pd.DataFrame) -> None:
        self.beginResetModel()
        self.frame = frame.drop(columns=["geometry"], errors="ignore").reset_index(drop=True)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.frame)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.frame.columns)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        value = self.frame.iat[index.row(), index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return format_value(value)
        if role == Qt.ItemDataRole.UserRole:  # sort key
            if isinstance(value, int | float | np.number) and not pd.isna(value):
                return float(value)
            return str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(value, int | float | np.number):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return str(self.frame.columns[section])
        return str(section + 1)


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
        header = self.summary_view.horizontalHeader()  # values stay in view, never off-screen
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table_model = DataFrameModel()
        self.table_view = _sortable_view(self.table_model)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.summary_view)
        split.addWidget(self.table_view)
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.export_button = QPushButton(tr("Export results…"))
        self.export_button.clicked.connect(self._export_clicked)
        self.column_combo = QComboBox()
        self.column_combo.setToolTip(tr("A column of the table to draw on the regions layer."))
        self.map_button = QPushButton(tr("Map this column"))
        self.map_button.clicked.connect(
            lambda: self.map_column_requested.emit(self.column_combo.currentText())
        )
        self.pick_button = QPushButton(tr("Pick an eradication on the map…"))
        self.pick_button.setToolTip(
            tr("Click an eradication operation on the map to study displacement around it.")
        )
        self.pick_button.setCheckable(True)
        self.pick_button.clicked.connect(lambda: self.pick_eradication_requested.emit())
        row = QHBoxLayout()
        row.addWidget(self.export_button)
        row.addStretch(1)
        row.addWidget(self.column_combo)
        row.addWidget(self.map_button)
        box = QVBoxLayout(self)
        box.setContentsMargins(4, 4, 4, 4)
        box.addWidget(self.title)
        box.addWidget(self.headline)
        box.addWidget(split, 1)
        box.addWidget(self.notes)
        box.addLayout(row)
        box.addWidget(self.pick_button)
        self._refresh_buttons()

    def show_result(
        self,
        algorithm: Algorithm,
        result: AnalysisResult,
        params: dict | None = None,
        layers: list[Layer] | None = None,
    ) -> None:
        self.algorithm, self.result, self.params = algorithm, result, dict(params or {})
        self.layers = list(layers or [])
        self.title.setText(f"<b>{algorithm.title or algorithm.id}</b>")
        rows = flatten_summary(result.summary)
        self.summary_model.set_frame(pd.DataFrame(rows, columns=[tr("Measure"), tr("Value")]))
        self.summary_view.setVisible(bool(rows))
        table = result.table
        if table is None and result.layers:
            table = next(iter(result.layers.values()))
        self.table_model.set_frame(table if table is not None else pd.DataFrame())
        self.table_view.setVisible(table is not None)
        self.table_view.resizeColumnsToContents()
        self.headline.setText(self._headline(result))
        self.notes.setText("\n".join(result.notes))
        self.column_combo.clear()
        if table is not None:
            numeric = [
                str(c)
                for c in table.columns
                if c != "geometry" and pd.api.types.is_numeric_dtype(table[c])
            ]
            self.column_combo.addItems(numeric)
        self._refresh_buttons()

    def _headline(self, result: AnalysisResult) -> str:
        """WDQ / TNE / WDD first for displacement: the figures analysts quote."""
        lowered = {str(k).lower(): v for k, v in result.summary.items()}
        parts = [
            f"<b>{k.upper()}</b> {format_value(lowered[k])}"
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
        super().__init__(tr("Results"), window)
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
        style = default_style(Role.RESULT)
        style.kind, style.field, style.ramp = "graduated", column, "YlOrRd"
        target.style = style
        if target not in project.layers:
            from desktop.analysis_dialog import add_result_layers

            target.name = f"{column} ({panel.algorithm.title if panel.algorithm else ''})".strip()
            add_result_layers(self.window_, [target], tr("Map {c}").format(c=column))
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
    window.add_dock("results", dock, Qt.DockWidgetArea.BottomDockWidgetArea)
    window.menu("analysis").addAction(dock.toggleViewAction())


__all__ = ["ResultsDock", "ResultsPanel", "DataFrameModel", "export_result", "install"]
