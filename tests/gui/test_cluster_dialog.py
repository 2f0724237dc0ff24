"""The count dialog with --engine dask (issue 19): the same counts as the local engine, progress
from the cluster's tasks in the dialog, and its Cancel stops the run (a LocalCluster here; the
picked layer is converted to a temporary partitioned GeoParquet beside it and removed)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from analysis_runs import click_run
from PySide6.QtCore import Qt

from analysis.inputs import read_layer
from desktop.analysis_dialog import open_analysis
from layers.i18n import tr
from layers.layer import Layer, LayerSource
from layers.partitioned import convert_to_partitioned, read_all
from sample_maps import SAMPLE_PROJECT

pytest.importorskip("distributed")

pytestmark = [
    pytest.mark.gui,
    pytest.mark.skipif(not SAMPLE_PROJECT.exists(), reason="sample project not generated"),
]

EVENTS = "Eventos de violencia (ACLED)"
REGIONS = "Municipios (ADM2)"


def listen(dialog, hear) -> None:
    """Hear every progress report the dialog shows (its own handler still runs first)."""
    show = dialog._on_progress

    def both(percent: float, message: str) -> None:
        show(percent, message)
        hear(percent, message)

    dialog._on_progress = both  # connected when Run is clicked


def test_count_on_a_local_cluster_from_the_dialog_and_cancel(qtbot, sample_window, tmp_path):
    window = sample_window
    # A copy of the sample's events, picked as a layer: the dask run converts it beside it.
    source = window.project.layer(EVENTS).source.path
    copy = tmp_path / Path(source).name
    shutil.copy(source, copy)
    events = read_layer(str(copy))

    def dialog_with(engine: str, points: Layer = events):
        dialog = open_analysis(window, "count")
        qtbot.addWidget(dialog)
        dialog.widgets["polygons"].set_value(window.project.layer(REGIONS))
        dialog.widgets["points"].set_value(points)
        dialog.widgets["engine"].set_value(engine)
        assert dialog.values()["engine"] == engine and dialog.values()["points"] is points
        return dialog

    local = dialog_with("local")
    click_run(qtbot, local)
    assert local.last_result is not None, local.status.text()
    remote = dialog_with("dask")
    messages: list[str] = []
    listen(remote, lambda percent, message: messages.append(message))
    click_run(qtbot, remote, timeout=120_000)
    assert remote.last_result is not None, remote.status.text()
    assert remote.last_result.summary == local.last_result.summary
    np.testing.assert_array_equal(
        remote.last_result.layers["counts"]["events"], local.last_result.layers["counts"]["events"]
    )
    assert "Counting points: 1 of 1 parts" in messages, messages
    assert not list(tmp_path.glob(".*parts*"))  # the temporary conversion is gone
    # Cancel mid-run, on a layer read from a partitioned folder of many small parts.
    folder = convert_to_partitioned(copy, tmp_path / "events.parquet", 40).path
    again = dialog_with("dask", Layer(read_all(folder), "parts", source=LayerSource(folder)))
    canceled: list[bool] = []

    def cancel_once(percent: float, text: str) -> None:
        if " parts" in text and not canceled:
            canceled.append(True)
            qtbot.mouseClick(again.cancel_button, Qt.MouseButton.LeftButton)

    listen(again, cancel_once)
    click_run(qtbot, again, timeout=120_000)
    assert canceled and again.last_result is None
    assert again.status.text() == tr("Canceled: nothing was added.")
    assert not list(tmp_path.glob(".*parts*"))
