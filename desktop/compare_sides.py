"""What each side of the compare view shows: the region and period pickers, the eradication
operations a before/after comparison can centre on, and the displacement (WDQ/TNE) around one,
from the registered displacement analysis."""

from __future__ import annotations

from datetime import date

import pandas as pd
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QGroupBox, QLabel, QLineEdit, QSpinBox

from analysis.base import Canceled
from analysis.result_labels import measure
from cartography import compare as cmp
from core.registry import NotRegistered, analysis
from layers import numbers
from layers.i18n import tr
from layers.timefilter import TimeFilter


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
    size = (
        f", {numbers.number(float(feature[ha]), 1)} ha" if ha and not pd.isna(feature[ha]) else ""
    )
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


# --- displacement beside the maps ----------------------------------------------------------------------
DISPLACEMENT_FIGURES = ("wdq", "tne", "wdd", "wdd_z", "success_measure", "buffer_measure")
# The headline figures go by their short names beside the maps; the others take the label every
# results view gives them (analysis/result_labels.py), in the language in force when shown.
SHORT_NAMES = {"wdq": "WDQ", "tne": "TNE", "wdd": "WDD", "wdd_z": "WDD z"}


def run_displacement(project, layer, row: int, window: int, feedback) -> dict | None:
    """WDQ/TNE around one operation, from the analysis registered as 'displacement'."""
    from core.runner import run_analysis
    from desktop.results_dock import displacement_initial

    try:
        algorithm = analysis("displacement")
    except NotRegistered:
        return None
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
        result = run_analysis("displacement", params, project, feedback)
    except Canceled:
        raise
    except Exception as exc:  # noqa: BLE001 - shown beside the maps, the view stays up
        return {"error": str(exc)}
    lowered = {str(k).lower(): v for k, v in result.summary.items()}
    reading = lowered.get("reading") or " ".join(result.notes[:2])
    return {"figures": displacement_figures(lowered), "reading": reading, "summary": result.summary}


def displacement_figures(summary: dict) -> list[tuple[str, str]]:
    """(label, number) of the displacement figures the summary holds, in DISPLACEMENT_FIGURES
    order."""
    return [
        (SHORT_NAMES.get(k) or measure(k).label, numbers.number(summary[k]))
        for k in DISPLACEMENT_FIGURES
        if k in summary
    ]
