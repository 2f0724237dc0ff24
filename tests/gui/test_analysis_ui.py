"""Analysis UI: dialogs generated from every declaration, a run to a new layer, cancel."""

from __future__ import annotations

import time
from pathlib import Path

import fixtures_factory as ff
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from analysis.base import Algorithm, AnalysisResult, Feedback, Parameter, load_all
from desktop.analysis_dialog import AnalysisDialog, open_analysis
from desktop.analysis_wording import for_desktop
from desktop.results_dock import displacement_initial
from layers.project import Project
from layers.roles import Role

pytestmark = pytest.mark.gui
ROOT = Path(__file__).resolve().parents[2]


def dates_from(rng, start: str, days: int, n: int) -> pd.Index:
    """n days drawn uniformly from the `days` after `start`, as YYYY-MM-DD text."""
    offsets = pd.to_timedelta(rng.integers(0, days, n), unit="D")
    return (pd.Timestamp(start) + offsets).strftime("%Y-%m-%d")


def points_across(rng, n: int) -> gpd.array.GeometryArray:
    """n points drawn uniformly across the four municipalities."""
    return gpd.points_from_xy(rng.uniform(-78, -76, n), rng.uniform(1.0, 1.5, n))


def make_project() -> Project:
    """Four municipalities in two departments, dated violence and eradication points."""
    rng = np.random.default_rng(3)
    admin = gpd.GeoDataFrame(
        {
            "ADM2_PCODE": ["CO52001", "CO52002", "CO86001", "CO86002"],
            "ADM2_ES": ["Pasto", "Tumaco", "Mocoa", "Puerto Asís"],
            "ADM1_PCODE": ["CO52", "CO52", "CO86", "CO86"],
            "population": [390000, 260000, 60000, 65000],
        },
        geometry=[box(-78 + 0.5 * i, 1.0, -77.5 + 0.5 * i, 1.5) for i in range(4)],
        crs=4326,
    )
    n = 300
    violence = gpd.GeoDataFrame(
        {
            "event_date": dates_from(rng, "2016-01-01", 2000, n),
            "fatalities": rng.integers(0, 4, n),
            "event_type": rng.choice(["Battles", "Violence against civilians"], n),
        },
        geometry=points_across(rng, n),
        crs=4326,
    )
    m = 40
    eradication = gpd.GeoDataFrame(
        {
            "fecha": dates_from(rng, "2017-01-01", 900, m),
            "hectares": rng.uniform(1, 40, m).round(1),
        },
        geometry=points_across(rng, m),
        crs=4326,
    )
    return ff.harm_project(
        "Analysis UI fixture",
        admin,
        violence,
        eradication,
        violence_fields={
            "date": "event_date",
            "fatalities": "fatalities",
            "event_type": "event_type",
        },
    )


@pytest.fixture
def window(make_window):
    window = make_window(project=make_project())
    yield window
    # QUndoStack's destructor emits indexChanged when it still holds commands, which the
    # MainWindow's title slot then receives half-destroyed: empty the stack first.
    window.undo_stack.clear()


@pytest.mark.parametrize("algorithm_id", sorted(load_all()))
def test_dialog_is_generated_for_every_analysis(qtbot, pool, algorithm_id) -> None:
    algorithm = load_all()[algorithm_id]
    project = make_project()
    dialog = AnalysisDialog(algorithm, project, thread_pool=pool)
    qtbot.addWidget(dialog)
    assert list(dialog.widgets) == [p.name for p in algorithm.parameters]
    for p in algorithm.parameters:
        widget = dialog.widgets[p.name]
        # The help, with other parameters' flags named by their labels.
        assert widget.input.toolTip() == for_desktop(p.help, algorithm)
        if p.kind == "layer" and p.roles:
            fitting = [
                lyr
                for lyr in project.layers
                if lyr.role.value in p.roles and (not p.geometry or lyr.geometry_kind in p.geometry)
            ]
            if fitting:  # the layer whose role fits is preselected
                assert widget.value() is fitting[0]
        if p.kind in ("integer", "number"):  # no default: unset, left to the analysis
            expected = p.default
            assert widget.value() == (None if expected is None else pytest.approx(expected))
    command = dialog.command_view.toPlainText()
    assert command.startswith(f"python main.py analyze {algorithm_id}")
    assert " '' " not in command + " ", "layers without a file are named, not left empty"
    assert dialog.values() == {n: w.value() for n, w in dialog.widgets.items()}
    assert algorithm.help[:40] in dialog.help_view.toPlainText().replace("\n", " ")


def test_field_combos_follow_their_layer(qtbot, pool) -> None:
    project = make_project()
    dialog = AnalysisDialog(load_all()["count"], project, thread_pool=pool)
    qtbot.addWidget(dialog)
    points, weight = dialog.widgets["points"], dialog.widgets["weight_field"]
    items = lambda: [weight.input.itemText(i) for i in range(weight.input.count())]  # noqa: E731
    assert "fatalities" in items()
    points.set_value(project.layers["Eradication"])
    assert "hectares" in items() and "fatalities" not in items()
    weight.set_value("hectares")
    assert "--weight-field hectares" in dialog.command_view.toPlainText()


def test_count_runs_in_a_worker_to_a_new_undoable_layer(qtbot, window) -> None:
    ids = [a.objectName() for a in window.analysis_menu.actions()]
    assert {f"analysis_{a}" for a in load_all()} <= set(ids)
    before = len(window.project.layers)
    dialog = open_analysis(window, "count")
    qtbot.addWidget(dialog)
    assert dialog.widgets["points"].value().name == "Violence events"
    assert dialog.widgets["polygons"].value().name == "Municipalities"
    dialog.widgets["weight_field"].set_value("fatalities")
    dialog.run_button.click()
    assert dialog.running
    qtbot.waitUntil(lambda: not dialog.running, timeout=20000)
    assert dialog.last_result is not None, dialog.status.text()
    assert len(window.project.layers) == before + 1
    # Filled result areas go above the areas, below points (cartography/result_styles.py).
    (result_layer,) = [lyr for lyr in window.project.layers if lyr.metadata.get("analysis")]
    assert result_layer.role == Role.RESULT
    assert result_layer.geometry_kind == "polygon"
    violence = window.project.layers["Violence events"].data  # every event is inside a box
    assert result_layer.data["events"].sum() == len(violence)
    assert result_layer.data["events_fatalities"].sum() == violence["fatalities"].sum()
    assert result_layer.style.kind == "graduated" and result_layer.style.field == "events"
    panel = window.results_dock.panel
    assert panel.result is dialog.last_result
    assert panel.summary_model.rowCount() > 0 and panel.table_model.rowCount() == 4
    window.undo_stack.undo()
    assert len(window.project.layers) == before
    window.undo_stack.redo()
    assert result_layer in window.project.layers


def test_indicators_run_from_the_dialog_on_the_open_project(qtbot, window) -> None:
    """Project-wide analyses get the window's project: no --project to type in the app."""
    dialog = open_analysis(window, "indicators")
    qtbot.addWidget(dialog)
    dialog.run_button.click()
    qtbot.waitUntil(lambda: not dialog.running, timeout=60000)
    assert dialog.last_result is not None, dialog.status.text()
    codes = {r["code"] for r in dialog.last_result.summary["regions"]}
    assert codes == {"CO52001", "CO52002", "CO86001", "CO86002"}
    (result_layer,) = [lyr for lyr in window.project.layers if lyr.metadata.get("analysis")]
    assert result_layer.role == Role.RESULT and "harm_index" in result_layer.data.columns


class SlowCount(Algorithm):
    """Not registered: a long loop that honours cancel, to test the dialog's Cancel."""

    id = "slow_test"
    title = "Slow test"
    help = "Counts slowly."
    parameters = (Parameter("steps", "integer", "How many steps.", default=400),)

    def run(self, params, feedback: Feedback) -> AnalysisResult:
        for i in range(params["steps"]):
            feedback.check()
            feedback.set_progress(100 * i / params["steps"], f"step {i}")
            time.sleep(0.01)
        return AnalysisResult(
            summary={"steps": params["steps"]},
            layers={"slow": gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)], crs=4326)},
        )


def test_cancel_stops_the_run_and_adds_nothing(qtbot, window) -> None:
    before = len(window.project.layers)
    dialog = AnalysisDialog(SlowCount(), window.project, thread_pool=window.thread_pool)
    qtbot.addWidget(dialog)
    received = []
    dialog.result_ready.connect(lambda r, p: received.append(r))
    dialog.run_button.click()
    qtbot.waitUntil(lambda: dialog.progress.value() > 0, timeout=10000)
    qtbot.wait(30)  # the dialog stays responsive while the worker runs
    assert dialog.cancel_button.isEnabled()
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: not dialog.running, timeout=10000)
    assert "Canceled" in dialog.status.text()
    assert received == [] and len(window.project.layers) == before
    assert dialog.run_button.isEnabled()


def test_errors_are_shown_not_raised(qtbot, pool) -> None:
    project = make_project()
    dialog = AnalysisDialog(load_all()["count"], project, thread_pool=pool)
    qtbot.addWidget(dialog)
    dialog.widgets["from"].input.setText("yesterday")
    dialog.run_button.click()
    assert not dialog.running
    assert "YYYY-MM-DD" in dialog.status.text()


def test_toolbox_search(qtbot, window) -> None:
    toolbox = window.toolbox
    assert set(toolbox.visible_ids()) == set(load_all())
    toolbox.search.setText("count")
    assert "count" in toolbox.visible_ids()
    assert len(toolbox.visible_ids()) < len(load_all()) or len(load_all()) == 1


def test_picked_eradication_prefills_displacement(qtbot, window) -> None:
    if "displacement" not in load_all():
        pytest.skip("displacement analysis not installed")
    from desktop.results_dock import open_displacement_for

    layer = window.project.layers["Eradication"]
    dialog = open_displacement_for(window, layer, 5)
    qtbot.addWidget(dialog)
    target = dialog.widgets["targets"].value()
    assert len(target.data) == 1
    assert target.data.geometry.iloc[0].equals(layer.data.geometry.iloc[5])
    assert dialog.widgets["date"].value() == layer.data["fecha"].iloc[5]
    initial = displacement_initial(load_all()["displacement"], layer, 5)
    assert initial["target_radius_m"] > 0


def test_map_this_column_and_export(qtbot, window, tmp_path) -> None:
    dialog = open_analysis(window, "count")
    qtbot.addWidget(dialog)
    dialog.run_button.click()
    qtbot.waitUntil(lambda: not dialog.running, timeout=20000)
    panel = window.results_dock.panel
    column = panel.column_combo.currentData()
    assert column
    layer = window.results_dock.map_column(column)
    assert layer is not None and layer.style.field == column and layer.style.kind == "graduated"
    out = panel.export_to(tmp_path / "counts.csv")
    assert out and pd.read_csv(out[0]).shape[0] == 4
    gpkg = panel.export_to(tmp_path / "counts.gpkg")
    assert gpkg and gpd.read_file(gpkg[0]).shape[0] == 4


def test_dialog_screenshot(
    qtbot, make_window, open_and_wait, sample_or_small, save_screenshot
) -> None:
    """The displacement dialog on the sample project, as an analyst first sees it."""
    window = make_window()
    open_and_wait(window, sample_or_small)
    dialog = open_analysis(window, "displacement" if "displacement" in load_all() else "count")
    qtbot.addWidget(dialog)
    dialog.resize(1000, 660)
    qtbot.wait(100)
    save_screenshot(dialog.grab(), "analysis_dialog.png")


def test_pick_an_eradication_on_the_map(qtbot, window) -> None:
    """Results dock → pick, click an operation on the canvas → displacement dialog prefilled."""
    if "displacement" not in load_all():
        pytest.skip("displacement analysis not installed")
    panel = window.results_dock.panel
    assert panel.pick_button.isVisible()
    panel.pick_button.click()
    assert panel.pick_button.isChecked() and window.canvas.tool == "identify"
    layer = window.project.layers["Eradication"]
    point = layer.to_metric(window.canvas.crs).geometry.iloc[7]
    before = len(window.analysis_dialogs)
    window.canvas.identify(point.x, point.y)
    dialogs = window.analysis_dialogs
    assert len(dialogs) == before + 1 and not panel.pick_button.isChecked()
    dialog = dialogs[-1]
    qtbot.addWidget(dialog)
    target = dialog.widgets["targets"].value()
    assert len(target.data) == 1 and target.role == Role.ERADICATION
    row = target.metadata["row"]
    assert dialog.widgets["date"].value() == layer.data["fecha"].iloc[row]
    assert target.data.geometry.iloc[0].distance(layer.data.geometry.iloc[7]) < 0.05
