"""What the attribute table's context menu does: copy a cell or the selected rows, zoom the
map to a feature, select all shown rows or the inverse, export the selection.

Selection changes go through the table's FeatureSelection (desktop/selection.py); the map
zooms through the main window's canvas (its public set_extent); exports are written by
analysis.outputs.write_frame, the one atomic writer, which refuses the project's and the
layers' own files and neutralises spreadsheet formulas in CSV.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu, QWidget

from analysis.inputs import InputError
from analysis.outputs import write_frame
from core.runner import protected_paths
from layers import numbers
from layers.i18n import tr, tr_noop

# `table` below is a desktop.attribute_table.AttributeTable (not imported: it imports this).
AttributeTable = QWidget

# A point or a short line has no area: show this many metres around it.
POINT_MARGIN_M = 500.0
SOURCE = "table menu"  # the selection's source: the table re-reads it like a map change
EXPORT_FILTERS = {
    "csv": tr_noop("CSV table (*.csv)"),
    "gpkg": tr_noop("GeoPackage (*.gpkg)"),
    "geojson": tr_noop("GeoJSON (*.geojson)"),
}


def build_menu(table: AttributeTable, index: QModelIndex) -> QMenu:
    """The menu for a right-click on `index`; actions that cannot apply are greyed out."""
    table._menu_index = index
    layer = table.model.layer
    on_row = index.isValid() and layer is not None
    selected = table.selection.rows(layer).size if layer is not None else 0
    table.copy_cell_action.setEnabled(on_row)
    table.copy_rows_action.setEnabled(on_row or selected > 0)
    table.zoom_action.setEnabled(on_row and _canvas(table) is not None)
    table.select_all_action.setEnabled(layer is not None and table.model.rowCount() > 0)
    table.invert_action.setEnabled(layer is not None)
    table.export_action.setEnabled(selected > 0)
    table.export_action.setText(tr("Export {n} selected…").format(n=numbers.number(selected)))
    menu = QMenu(table.view)
    for action in (table.copy_cell_action, table.copy_rows_action, None, table.zoom_action):
        menu.addAction(action) if action else menu.addSeparator()
    menu.addSeparator()
    menu.addAction(table.select_all_action)
    menu.addAction(table.invert_action)
    menu.addSeparator()
    menu.addAction(table.export_action)
    return menu


def plain(value) -> str:
    """A cell as text to paste: full precision, empty for missing, one line."""
    if value is None or value is pd.NaT:
        return ""
    if isinstance(value, float | np.floating):
        return "" if math.isnan(value) else repr(float(value))
    if isinstance(value, np.datetime64 | pd.Timestamp):
        stamp = pd.Timestamp(value)
        if stamp is pd.NaT:
            return ""
        return stamp.strftime("%Y-%m-%d") if stamp == stamp.normalize() else stamp.isoformat(" ")
    if isinstance(value, np.generic):
        value = value.item()
    return " ".join(str(value).split())  # tabs and line breaks would break the pasted grid


def _index(table: AttributeTable) -> QModelIndex:
    """The cell the menu was opened on, else the table's current cell."""
    index = table._menu_index
    return index if index.isValid() else table.view.currentIndex()


def copy_cell(table: AttributeTable) -> None:
    index = _index(table)
    if not index.isValid() or table.model.layer is None:
        return
    column = table.model.columns[index.column()]
    value = table.model.layer.data[column].iloc[int(table.model.rows[index.row()])]
    QApplication.clipboard().setText(plain(value))


def copy_rows(table: AttributeTable) -> None:
    """The selected rows (else the one under the menu), tab-separated with a header line:
    pastes into a spreadsheet as a table, in the order the table shows them."""
    layer = table.model.layer
    if layer is None:
        return
    rows = sorted({i.row() for i in table.view.selectionModel().selectedRows()})
    if not rows and _index(table).isValid():
        rows = [_index(table).row()]
    if not rows:
        return
    positions = table.model.positions_of_rows(rows)
    columns = table.model.columns
    frame = layer.data.iloc[positions][columns]
    lines = ["\t".join(plain(c) for c in columns)]
    lines += ["\t".join(plain(v) for v in values) for values in frame.itertuples(index=False)]
    QApplication.clipboard().setText("\n".join(lines) + "\n")
    table.say(tr("Copied {n} row(s).").format(n=numbers.number(len(rows))))


def _canvas(table: AttributeTable):
    """The main window's map canvas (its public `canvas`), or None outside the main window."""
    canvas = getattr(table.window(), "canvas", None)
    return canvas if canvas is not None and hasattr(canvas, "set_extent") else None


def zoom_to_feature(table: AttributeTable) -> None:
    index, layer, canvas = _index(table), table.model.layer, _canvas(table)
    if not index.isValid() or layer is None or canvas is None:
        return
    position = int(table.model.rows[index.row()])
    geometry = layer.to_metric(canvas.crs).geometry.iloc[position]
    if geometry is None or geometry.is_empty:
        table.say(tr("Feature {n} has no geometry to zoom to.").format(n=position + 1), True)
        return
    minx, miny, maxx, maxy = geometry.bounds
    pad_x = POINT_MARGIN_M if maxx - minx < 1 else 0.0
    pad_y = POINT_MARGIN_M if maxy - miny < 1 else 0.0
    canvas.set_extent((minx - pad_x, miny - pad_y, maxx + pad_x, maxy + pad_y), 0.1)


def select_all(table: AttributeTable) -> None:
    """Every row the table shows (all of them, or those the filter keeps)."""
    layer = table.model.layer
    if layer is not None:
        table.selection.set(layer, np.sort(table.model.rows), SOURCE)


def invert_selection(table: AttributeTable) -> None:
    """Shown rows swap selected and not; rows the filter hides keep their state."""
    layer = table.model.layer
    if layer is not None:
        inverted = np.setxor1d(table.selection.rows(layer), table.model.rows)
        table.selection.set(layer, inverted, SOURCE)


def export_selection(table: AttributeTable, path: str | None = None) -> Path | None:
    """Write the layer's selected features to .csv, .gpkg or .geojson (asks where)."""
    layer = table.model.layer
    if layer is None:
        return None
    positions = table.selection.rows(layer)
    if not positions.size:
        table.say(tr("Select features first: nothing is selected in {n}.").format(n=layer.name))
        return None
    filters = {k: tr(v) for k, v in EXPORT_FILTERS.items()}  # in the language shown now
    if path is None:
        path, chosen = QFileDialog.getSaveFileName(
            table,
            tr("Export the selection of {n}").format(n=layer.name),
            _safe_name(layer.name) + ".csv",
            ";;".join(filters.values()),
        )
        if not path:
            return None
        if not Path(path).suffix:  # the filter chosen gives the format
            path += "." + next((k for k, v in filters.items() if v == chosen), "csv")
    state = getattr(table.selection, "state", None)
    protect = protected_paths(getattr(state, "project", None))
    protect += [Path(ly.source.path) for ly in table._layers if ly.source.path]
    try:
        written = write_frame(
            layer.data.iloc[positions], path, layer=_safe_name(layer.name), protect=protect
        )
    except (InputError, OSError, ValueError) as exc:
        table.say(tr("Could not export the selection: {e}").format(e=exc), problem=True)
        return None
    table.say(
        tr("Exported {n} feature(s) to {p}.").format(n=numbers.number(positions.size), p=written)
    )
    return written


def _safe_name(name: str) -> str:
    """A layer name as a file or table name: letters, digits, - and _."""
    kept = "".join(c if c.isalnum() or c in "-_" else "_" for c in name).strip("_")
    return kept or "selection"
