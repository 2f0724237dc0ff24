"""Every analysis from its dialog, as a user runs it on the sample project (issue 14: 1-2)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
from affine import Affine
from analysis_runs import click_run
from PySide6.QtCore import Qt

from core.registry import analyses
from desktop.analysis_dialog import open_analysis
from sample_maps import SAMPLE_PROJECT

pytestmark = [
    pytest.mark.gui,
    pytest.mark.skipif(not SAMPLE_PROJECT.exists(), reason="sample project not generated"),
]


def loss_year_raster(project, folder: Path) -> Path:
    """A small Hansen-style loss-year GeoTIFF over the project's vector layers."""
    vectors = project.layers.vectors()
    west, south, east, north = vectors[0].data.to_crs(4326).total_bounds
    for layer in vectors:
        w, s, e, n = layer.data.to_crs(4326).total_bounds
        west, south, east, north = min(west, w), min(south, s), max(east, e), max(north, n)
    values = np.random.default_rng(7).integers(0, 24, size=(200, 200), dtype=np.uint8)
    path = folder / "lossyear.tif"
    profile = {"driver": "GTiff", "width": 200, "height": 200, "count": 1, "dtype": "uint8"}
    transform = Affine((east - west) / 200, 0, west, 0, -(north - south) / 200, north)
    with rasterio.open(path, "w", crs="EPSG:4326", transform=transform, nodata=255, **profile) as f:
        f.write(values, 1)
    return path


def test_every_analysis_runs_from_its_dialog_with_only_required_fields(
    qtbot, sample_window, tmp_path
) -> None:
    """What the dialog shows on opening is what runs: no value it filled in by itself may
    stop the run, for every registered analysis, through the worker as in the app."""
    window = sample_window
    for algorithm_id, algorithm in sorted(analyses().items()):
        dialog = open_analysis(window, algorithm_id)
        qtbot.addWidget(dialog)
        for p in algorithm.parameters:  # the required ones are preselected from the roles
            if p.required and p.kind == "path":  # a file the project lacks: the user names it
                assert not dialog.widgets[p.name].has_value(), (algorithm_id, p.name)
                dialog.widgets[p.name].set_value(str(loss_year_raster(window.project, tmp_path)))
            elif p.required:
                assert dialog.widgets[p.name].has_value(), (algorithm_id, p.name)
        layers_before = len(window.project.layers)
        click_run(qtbot, dialog)
        assert dialog.last_result is not None, f"{algorithm_id}: {dialog.status.text()}"
        assert window.results_dock.panel.result is dialog.last_result
        assert len(window.project.layers) == layers_before + len(dialog.last_result.layers)
        dialog.close()


def test_typing_a_date_runs_the_readme_displacement_example(qtbot, sample_window) -> None:
    """README's example typed into the dialog: the date the user types wins over the date
    field the dialog had filled from the targets' mapping (was: 'not both')."""
    dialog = open_analysis(sample_window, "displacement")
    qtbot.addWidget(dialog)
    w, layers = dialog.widgets, sample_window.project.layers
    w["events"].set_value(layers["Cultivos de coca 1 km (SIMCI)"])
    w["targets"].set_value(layers["Erradicación manual"])
    assert w["date_field"].value() == "fecha"  # each target's own date: runs as shown
    assert w["targets"].value() is layers["Erradicación manual"]
    w["targets_where"].input.setText("campana=Operación Tacuré")  # keyClicks: ASCII only
    qtbot.keyClicks(w["date"].input, "2018-06-01")
    assert w["date_field"].value() is None, "the typed date replaces the per-target dates"
    for name, value in (("window_years", 1), ("target_radius_m", 2000), ("buffer_m", 3000)):
        w[name].input.setValue(value)
    w["rings"].input.setValue(3)
    command = dialog.command_view.toPlainText()
    assert "--date 2018-06-01" in command and "--date-field" not in command
    click_run(qtbot, dialog)
    result = dialog.last_result
    assert result is not None, dialog.status.text()
    summary = result.summary
    assert summary["wdq"] == pytest.approx(-1.57, abs=0.01)
    assert [round(r["wdq"], 2) for r in summary["rings"]][1:] == [-0.19, -0.08]
    # Picking a date field again clears the typed date: one or the other.
    w["date_field"].set_value("fecha")
    assert w["date"].value() is None
    # Changing the targets keeps the user's date (no new guess of the date field).
    w["date"].set_value("2018-06-01")
    w["targets"].set_value(layers["Aspersión aérea 2014–2015"])
    assert w["date"].value() == "2018-06-01" and w["date_field"].value() is None


def test_first_step_from_default_starts_at_the_first_value(qtbot, sample_window) -> None:
    """Window years shows '(default)'; one arrow up gives 1 year (days / 365), never 0."""
    dialog = open_analysis(sample_window, "displacement")
    qtbot.addWidget(dialog)
    spin = dialog.widgets["window_years"].input
    assert spin.text() == "(default)" and dialog.widgets["window_years"].value() is None
    spin.setFocus()
    qtbot.keyClick(spin, Qt.Key.Key_Up)
    assert dialog.widgets["window_years"].value() == 1
    assert "--window-years 1" in dialog.command_view.toPlainText()
    qtbot.keyClick(spin, Qt.Key.Key_Up)
    assert dialog.widgets["window_years"].value() == 2
    qtbot.keyClick(spin, Qt.Key.Key_Down)
    qtbot.keyClick(spin, Qt.Key.Key_Down)  # below the first value: back to the default
    assert spin.text() == "(default)" and dialog.widgets["window_years"].value() is None
    radius = dialog.widgets["target_radius_m"].input
    radius.setFocus()
    qtbot.keyClick(radius, Qt.Key.Key_Up)
    assert dialog.widgets["target_radius_m"].value() > 0
