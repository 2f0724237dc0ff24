"""The toolbox dock: a searchable tree of every registered analysis, grouped by module."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDockWidget,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from analysis.base import Algorithm, load_all
from desktop.workbench import Workbench
from layers.i18n import tr, tr_noop

# Group titles in the user's words, keyed by the analysis module that declares them.
GROUPS: dict[str, str] = {
    "count": tr_noop("Counts per region"),
    "displacement": tr_noop("Displacement (balloon effect)"),
    "environment": tr_noop("Environmental harm"),
    "hotspots": tr_noop("Hot spots"),
    "access": tr_noop("Health access"),
    "cultivation": tr_noop("Cultivation dynamics"),
    "indicators": tr_noop("Harm indicators"),
    "actors": tr_noop("Armed actors"),
    "enforcement": tr_noop("Enforcement actions"),
    "zonal": tr_noop("Raster"),
}


def group_of(algorithm: Algorithm) -> str:
    module = type(algorithm).__module__.rsplit(".", 1)[-1]
    return tr(GROUPS[module]) if module in GROUPS else module.replace("_", " ").capitalize()


def _title(algorithm: Algorithm) -> str:
    # The analyses declare their text in English; tr again where shown follows a switch.
    return tr(algorithm.title) if algorithm.title else ""


def _help(algorithm: Algorithm) -> str:
    return tr(algorithm.help) if algorithm.help else ""


class Toolbox(QWidget):
    """Search box over a tree; double-click (or Enter) opens the analysis dialog."""

    def __init__(self, open_analysis, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._open = open_analysis
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.itemActivated.connect(self._activated)
        self.search.textChanged.connect(self.filter)
        box = QVBoxLayout(self)
        box.setContentsMargins(2, 2, 2, 2)
        box.addWidget(self.search)
        box.addWidget(self.tree)
        self.retranslate()

    def retranslate(self, *_args) -> None:
        """Groups, titles and help in the active language (again on a language switch)."""
        self.search.setPlaceholderText(tr("Search analyses…"))
        self.populate()
        self.filter(self.search.text())

    def populate(self) -> None:
        self.tree.clear()
        groups: dict[str, QTreeWidgetItem] = {}
        for algorithm_id, algorithm in sorted(
            load_all().items(), key=lambda kv: (group_of(kv[1]), _title(kv[1]) or kv[0])
        ):
            group = group_of(algorithm)
            if group not in groups:
                groups[group] = QTreeWidgetItem(self.tree, [group])
                groups[group].setFlags(Qt.ItemFlag.ItemIsEnabled)
            item = QTreeWidgetItem(groups[group], [_title(algorithm) or algorithm_id])
            item.setData(0, Qt.ItemDataRole.UserRole, algorithm_id)
            item.setToolTip(0, f"{algorithm_id}: {_help(algorithm)}")
        self.tree.expandAll()

    def filter(self, text: str) -> None:
        """Show analyses whose title, id or help contains every word typed."""
        words = text.lower().split()
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            shown = 0
            for j in range(group.childCount()):
                item = group.child(j)
                haystack = f"{item.text(0)} {item.toolTip(0)} {group.text(0)}".lower()
                hit = all(w in haystack for w in words)
                item.setHidden(not hit)
                shown += hit
            group.setHidden(shown == 0)

    def visible_ids(self) -> list[str]:
        out = []
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            for j in range(group.childCount()):
                item = group.child(j)
                if not item.isHidden() and not group.isHidden():
                    out.append(item.data(0, Qt.ItemDataRole.UserRole))
        return out

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        algorithm_id = item.data(0, Qt.ItemDataRole.UserRole)
        if algorithm_id:
            self._open(algorithm_id)


def install(window: Workbench) -> None:
    from desktop.analysis_dialog import open_analysis

    dock = QDockWidget(window)
    dock.setObjectName("toolbox_dock")
    window.toolbox = Toolbox(lambda a: open_analysis(window, a))
    window.translated(lambda: dock.setWindowTitle(tr("Toolbox")))
    window.state.events.language.connect(window.toolbox.retranslate)
    dock.setWidget(window.toolbox)
    window.add_dock("toolbox", dock, Qt.DockWidgetArea.RightDockWidgetArea)
    menu = window.menu("analysis")
    menu.addSeparator()
    menu.addAction(dock.toggleViewAction())
