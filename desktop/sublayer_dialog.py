"""Pick the layers of a multi-layer file before reading them, as QGIS's sublayer chooser does:
each layer with its geometry type and feature count, all ticked, Select all / none."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from layers.i18n import tr
from layers.numbers import number

# Files that can hold several vector layers; one layer, or none listed, needs no question.
MULTI_LAYER_SUFFIXES = frozenset({".gpkg", ".sqlite", ".kml", ".gml", ".gdb"})
SPEC_SEPARATOR = "::"  # 'data.gpkg::rivers', as the command line names a sublayer


@dataclass(frozen=True)
class Sublayer:
    name: str
    geometry: str
    features: int | None


def sublayers(path: str | Path) -> list[Sublayer]:
    """The vector layers of `path` with geometry type and count; [] when it cannot say."""
    import pyogrio

    if Path(path).suffix.lower() not in MULTI_LAYER_SUFFIXES:
        return []
    try:
        listed = pyogrio.list_layers(path)
    except Exception:  # noqa: BLE001 - the reader reports a broken file properly later
        return []
    found = []
    for name, geometry in listed:
        if geometry is None:
            continue  # a table without geometry is not a map layer
        try:
            count = int(pyogrio.read_info(path, layer=name)["features"])
        except Exception:  # noqa: BLE001 - a count the driver cannot give is shown as unknown
            count = None
        found.append(
            Sublayer(str(name), str(geometry), count if count is not None and count >= 0 else None)
        )
    return found


class SublayerDialog(QDialog):
    """Ticked list of a file's layers; `chosen()` gives the names to read."""

    def __init__(self, path: str | Path, layers: list[Sublayer], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("sublayer_dialog")
        self.setWindowTitle(tr("Select layers to add"))
        self.tree = QTreeWidget()
        self.tree.setRootIsDecorated(False)
        self.tree.setHeaderLabels([tr("Layer"), tr("Geometry"), tr("Features")])
        for layer in layers:
            count = number(layer.features) if layer.features is not None else tr("unknown")
            item = QTreeWidgetItem([layer.name, layer.geometry, count])
            item.setCheckState(0, Qt.CheckState.Checked)
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.tree.addTopLevelItem(item)
        for column in range(3):
            self.tree.resizeColumnToContents(column)
        everything = QPushButton(tr("Select all"))
        everything.clicked.connect(lambda: self._tick_all(Qt.CheckState.Checked))
        nothing = QPushButton(tr("Select none"))
        nothing.clicked.connect(lambda: self._tick_all(Qt.CheckState.Unchecked))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.addButton(everything, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(nothing, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.tree.itemChanged.connect(self._refresh)
        box = QVBoxLayout(self)
        box.addWidget(QLabel(tr("{f} holds several layers:").format(f=Path(path).name)))
        box.addWidget(self.tree)
        box.addWidget(self.buttons)
        self.resize(520, 360)
        self._refresh()

    def _tick_all(self, state: Qt.CheckState) -> None:
        for i in range(self.tree.topLevelItemCount()):
            self.tree.topLevelItem(i).setCheckState(0, state)

    def _refresh(self, *_args) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.chosen()))  # nothing ticked: nothing to add

    def chosen(self) -> list[str]:
        return [
            self.tree.topLevelItem(i).text(0)
            for i in range(self.tree.topLevelItemCount())
            if self.tree.topLevelItem(i).checkState(0) == Qt.CheckState.Checked
        ]


def choose_sublayers(parent: QWidget, paths: list[str]) -> list[str] | None:
    """`paths` with each multi-layer file replaced by the layers the user ticks
    ('file.gpkg::name'); None when the user cancels."""
    specs: list[str] = []
    for path in paths:
        layers = sublayers(path)
        if len(layers) < 2:
            specs.append(path)
            continue
        dialog = SublayerDialog(path, layers, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        specs += [f"{path}{SPEC_SEPARATOR}{name}" for name in dialog.chosen()]
    return specs
