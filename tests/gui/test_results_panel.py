"""The results panel reads like a report: full names, units, one number format and a table per
list of results (issue 14: 3)."""

from __future__ import annotations

import pytest
from analysis_runs import run_dialog
from PySide6.QtCore import QModelIndex, Qt

from sample_maps import SAMPLE_PROJECT

pytestmark = [
    pytest.mark.gui,
    pytest.mark.skipif(not SAMPLE_PROJECT.exists(), reason="sample project not generated"),
]
DISPLAY, TIP = Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole


def run_from_dialog(qtbot, window, algorithm_id: str, **values):
    """The results panel once the analysis ran from its dialog."""
    run_dialog(qtbot, window, algorithm_id, **values)
    return window.results_dock.panel


def cells(model) -> dict[str, str]:
    """Summary rows as {measure shown: value shown}."""
    return {
        model.index(r, 0).data(DISPLAY): model.index(r, 1).data(DISPLAY)
        for r in range(model.rowCount())
    }


def every_text(model) -> list[str]:
    return [
        model.index(r, c).data(DISPLAY)
        for r in range(model.rowCount())
        for c in range(model.columnCount())
    ]


def minus(text: str) -> str:
    return text.replace("\u2212", "-")  # the locale may print a true minus sign


def headers(model) -> list[str]:
    return [
        model.headerData(c, Qt.Orientation.Horizontal, DISPLAY) for c in range(model.columnCount())
    ]


def test_access_summary_in_words_units_and_percent(qtbot, sample_window) -> None:
    panel = run_from_dialog(qtbot, sample_window, "access")
    shown = cells(panel.summary_model)
    # A share as a percentage, people and metres with their units, thousands grouped.
    assert shown["Share of the population beyond the catchment"] == "3.7 %"
    assert shown["Population"] == "243,590 people"
    assert shown["Catchment"] == "15,000 m"
    assert shown["Median distance to the nearest service"].endswith(" m")
    # Full names, never the raw key cut off; the tooltip of a column says its key and unit.
    table = panel.table_model
    names = headers(table)
    assert "Distance to the nearest service" in names and "nearest_m" not in names
    column = names.index("Distance to the nearest service")
    tip = table.headerData(column, Qt.Orientation.Horizontal, TIP)
    assert "nearest_m" in tip and "(m)" in tip
    texts = every_text(panel.summary_model) + every_text(table)
    assert not [t for t in texts if "e+" in t or "e-0" in t], "no scientific notation"
    # The measure column is wide enough for its names, the value column in view.
    view = panel.summary_view
    assert view.horizontalHeader().sectionViewportPosition(1) < view.viewport().width()


def test_displacement_rings_get_a_table_of_their_own(qtbot, sample_window) -> None:
    layers = sample_window.project.layers
    panel = run_from_dialog(
        qtbot,
        sample_window,
        "displacement",
        events=layers["Cultivos de coca 1 km (SIMCI)"],
        targets=layers["Erradicación manual"],
        targets_where="campana=Operación Tacuré",
        date="2018-06-01",
        window_years=1,
        target_radius_m=2000.0,
        buffer_m=3000.0,
        rings=3,
    )
    shown = cells(panel.summary_model)
    assert "Buffer rings" not in shown, "rings are a table, not one squeezed cell"
    assert not [v for v in shown.values() if "Ring" in v or "{" in v]
    assert minus(shown["WDQ (weighted displacement quotient)"]) == "-1.57"
    rings = panel.list_tables["rings"]
    assert rings.rowCount() == 3
    assert headers(rings)[:3] == ["Ring", "Before", "After"]
    tabs = [panel.tabs.tabText(i) for i in range(panel.tabs.count())]
    assert "Buffer rings" in tabs
    wdq = headers(rings).index("WDQ (weighted displacement quotient)")
    ring_wdq = [float(minus(rings.index(r, wdq).data(DISPLAY))) for r in range(3)]
    assert ring_wdq == pytest.approx([-1.57, -0.19, -0.08], abs=0.006)
    assert "wdq" in rings.headerData(wdq, Qt.Orientation.Horizontal, TIP)
    assert not rings.index(0, 0).parent().isValid() and rings.index(0, 0) != QModelIndex()
