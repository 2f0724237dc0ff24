"""The enforcement analysis from its dialog on the sample project, as a user runs it (issue
17): departments, a distance typed in, the result in the results panel and a layer added."""

from __future__ import annotations

import pytest
from analysis_runs import click_run

from desktop.analysis_dialog import open_analysis
from sample_maps import SAMPLE_PROJECT

pytestmark = [
    pytest.mark.gui,
    pytest.mark.skipif(not SAMPLE_PROJECT.exists(), reason="sample project not generated"),
]


def test_enforcement_runs_from_its_dialog_by_department(qtbot, sample_window) -> None:
    window = sample_window
    layers = window.project.layers
    dialog = open_analysis(window, "enforcement")
    qtbot.addWidget(dialog)
    w = dialog.widgets
    w["regions_layer"].set_value(layers["Departamentos (ADM1)"])
    w["distance_km"].set_value(5)
    command = dialog.command_view.toPlainText()
    assert "analyze enforcement" in command and "--regions-layer" in command
    before = len(layers)
    click_run(qtbot, dialog, timeout=120000)
    result = dialog.last_result
    assert result is not None, dialog.status.text()
    regions = {r["code"]: r for r in result.summary["regions"]}
    assert list(regions) == ["XA01", "XA02"]
    # XA01 arrests people who use drugs; XA02 traffickers and organised crime (the sample).
    assert regions["XA01"]["low_level_share"] > 0.6 > regions["XA02"]["low_level_share"]
    assert regions["XA02"]["high_level_share"] > 0.6
    assert regions["XA02"]["seizures_by_band"]["over_1t"] >= 1
    assert window.results_dock.panel.result is result
    assert len(layers) == before + 1  # the regions with their figures and quadrant
    dialog.close()
