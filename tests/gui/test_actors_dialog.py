"""The actor profile from its dialog on the sample project, as a user runs it (issue 17)."""

from __future__ import annotations

import pytest
from analysis_runs import click_run

from desktop.analysis_dialog import open_analysis
from sample_maps import SAMPLE_PROJECT

pytestmark = [
    pytest.mark.gui,
    pytest.mark.skipif(not SAMPLE_PROJECT.exists(), reason="sample project not generated"),
]


def test_actor_profile_runs_from_its_dialog_by_department(qtbot, sample_window) -> None:
    """The dialog preselects the ACLED layer; the user picks the departments and a period;
    the result shows each department's groups and adds the regions and activity areas."""
    window = sample_window
    layers = window.project.layers
    dialog = open_analysis(window, "actors")
    qtbot.addWidget(dialog)
    w = dialog.widgets
    assert w["events"].value() is layers["Eventos de violencia (ACLED)"]
    w["regions_layer"].set_value(layers["Departamentos (ADM1)"])
    w["years"].set_value("2016-2020")
    command = dialog.command_view.toPlainText()
    assert "analyze actors" in command and "--years 2016-2020" in command
    before = len(layers)
    click_run(qtbot, dialog)
    result = dialog.last_result
    assert result is not None, dialog.status.text()
    summary = result.summary
    assert summary["period"] == "2016–2020"
    assert [r["code"] for r in summary["regions"]] == ["XA01", "XA02"]
    for region in summary["regions"]:
        ranks = [g["rank"] for g in region["groups"]]
        assert ranks == list(range(1, len(ranks) + 1))
        assert region["most_harmful"] and not any(
            g["unidentified"] for g in region["groups"] if g["actor"] in region["most_harmful"]
        )
    assert window.results_dock.panel.result is result
    assert len(layers) == before + 2  # regions with their worst group, groups' activity areas
    dialog.close()
