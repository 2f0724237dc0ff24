"""The headless core: AppState's events, the runner by id, the registries, and the whole
flow (open the sample, set a period, select, run an analysis, write it, export a map) in a
process where Qt is never imported."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point
from two_regions import save_with_layers, two_regions

from analysis.inputs import InputError, resolve_params
from core.registry import ACTIONS, EXPORTS, Entry, NotRegistered, Registry, analyses, analysis
from core.runner import protected_paths, run_analysis, run_export
from core.state import AppState
from layers.errors import ProjectError
from layers.layer import Layer, LayerList
from layers.project import Project
from layers.timefilter import TimeFilter

ROOT = Path(__file__).resolve().parents[2]


def small_project(tmp_path: Path | None = None) -> Project:
    """Two regions and 30 dated points (UTM 18N); saved beside tmp_path when given."""
    rng = np.random.default_rng(7)
    xy = rng.uniform([500_000, 100_000], [520_000, 110_000], size=(30, 2))
    points = gpd.GeoDataFrame(
        {"event_date": [f"{2014 + i % 6}-05-01" for i in range(30)]},
        geometry=[Point(x, y) for x, y in xy],
        crs=32618,
    )
    project = Project(LayerList([Layer(two_regions(), "Regions"), Layer(points, "Events")]))
    if tmp_path is not None:
        save_with_layers(project, tmp_path, "small.hatlas.json")
    return project


def recorder(state: AppState) -> list[tuple]:
    seen: list[tuple] = []
    state.events.connect(lambda info: seen.append((info.signal.name, *info.args)))
    return seen


# --- the whole flow, with no Qt in the process ----------------------------------------------
FLOW = """
import json, sys
from core.registry import ACTIONS
from core.runner import protected_paths, run_analysis, run_export, write_outputs
from core.state import AppState
from analysis.base import Feedback
from sample_maps import SAMPLE_PROJECT

state = AppState()
seen = []
state.events.connect(lambda info: seen.append(info.signal.name))
state.open_project(SAMPLE_PROJECT)
state.set_period("2016-2020")
state.select("Municipios (ADM2)", [3, 0, 3])
state.set_current_layer("Eventos de violencia (ACLED)")
raw = {"points": "Eventos de violencia (ACLED)", "polygons": "Municipios (ADM2)"}
progress = []
result = run_analysis("count", raw, state, Feedback(lambda p, m: progress.append(p)))
written = write_outputs(result, sys.argv[1] + "/counts.gpkg", protected_paths(state, "count", raw))
png = ACTIONS.call("export.run", state, "map", sys.argv[1] + "/map.png", dpi=40)
print(json.dumps({
    "qt": sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6", "desktop")),
    "events": seen,
    "selection": {k: v.tolist() for k, v in state.selection.items()},
    "period": state.project.time_filter.label,
    "inside": result.summary["points_inside"],
    "counted": int(result.layers["counts"]["events"].sum()),
    "progress": bool(progress),
    "written": [str(p) for p in written],
    "png": str(png),
}))
"""


def test_the_whole_flow_runs_headless_without_qt(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(FLOW), str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["qt"] == []
    assert out["events"] == ["project", "period", "period", "selection", "current_layer"]
    assert out["selection"] == {"Municipios (ADM2)": [0, 3]}
    assert out["period"] == "2016–2020"
    assert out["inside"] == out["counted"] > 0 and out["progress"]
    counts = gpd.read_file(out["written"][0], layer="counts")
    assert int(counts["events"].sum()) == out["counted"]
    png = Path(out["png"])
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --- AppState ---------------------------------------------------------------------------------
def test_period_is_validated_stored_on_the_project_and_emitted_once() -> None:
    project = small_project()
    state = AppState(project)
    seen = recorder(state)
    state.set_period("2016-2018")
    state.set_period(TimeFilter.years(2016, 2018))  # the same period: no event
    assert seen == [("period", TimeFilter.years(2016, 2018))]
    assert project.time_filter == state.period == TimeFilter.years(2016, 2018)
    with pytest.raises(ValueError, match="Not a period"):
        state.set_period("sometime")
    from datetime import date

    with pytest.raises(ValueError, match="before it starts"):
        state.set_period(TimeFilter(date(2020, 1, 1), date(2019, 1, 1)))
    state.set_period(None)
    assert seen[-1] == ("period", None) and project.time_filter is None


def test_selection_by_layer_name_sorted_checked_and_echoed_with_its_source() -> None:
    state = AppState(small_project())
    seen = recorder(state)
    state.select("Events", [5, 2, 5], source="canvas")
    assert state.selection["Events"].tolist() == [2, 5]
    name, rows, source = seen[-1][1:]
    assert (name, rows.tolist(), source) == ("Events", [2, 5], "canvas")
    state.select("Events", [2, 5])  # unchanged: no event
    assert len(seen) == 1
    with pytest.raises(ValueError, match="no feature 30"):
        state.select("Events", [1, 30])
    with pytest.raises(ProjectError, match="No layer named 'Nope'"):
        state.select("Nope", [0])
    assert state.selection["Events"].tolist() == [2, 5]  # a refused change changes nothing
    state.clear_selection()
    assert state.selection == {} and seen[-1][1] == "Events" and seen[-1][2].size == 0


def test_selection_follows_renames_and_removals_of_layers() -> None:
    project = small_project()
    state = AppState(project)
    events = project.layers["Events"]
    state.select(events, [1])
    state.set_current_layer(events)
    events.name = "Violence"
    assert state.selection == {"Violence": np.array([1])}
    seen = recorder(state)
    project.layers.remove(events)
    assert state.selection == {} and state.current_layer is None
    assert [s[0] for s in seen] == ["selection", "current_layer"]


def test_a_new_project_starts_with_no_selection_and_its_own_period() -> None:
    first = small_project()
    state = AppState(first)
    state.select("Events", [0])
    state.set_current_layer("Regions")
    second = small_project()
    second.time_filter = TimeFilter.years(2019)
    seen = recorder(state)
    state.set_project(second)
    assert [s[0] for s in seen] == ["selection", "current_layer", "project", "period"]
    assert state.selection == {} and state.current_layer is None
    assert state.period == TimeFilter.years(2019)
    with pytest.raises(ProjectError, match="not in the open project"):
        state.set_current_layer(first.layers["Events"])


def test_language_is_checked_switched_and_emitted() -> None:
    from layers import i18n

    state = AppState()
    seen = recorder(state)
    with pytest.raises(ValueError, match="Not a language code"):
        state.set_language("Spanish please")
    try:
        state.set_language("es")
        assert seen == [("language", "es")] and state.language == "es"
    finally:
        state.set_language("en")
    assert i18n.tr("Canceled.") == "Canceled."


def test_open_project_goes_through_the_one_loader_and_reports_a_bad_file(tmp_path) -> None:
    small_project(tmp_path)
    state = AppState()
    project = state.open_project(tmp_path / "small.hatlas.json")
    assert state.project is project and project.layers.names() == ["Regions", "Events"]
    (tmp_path / "broken.hatlas.json").write_text("{not json")
    with pytest.raises(ProjectError, match="not a readable project file"):
        state.open_project(tmp_path / "broken.hatlas.json")
    assert state.project is project  # a failed open keeps what was open


# --- the runner ---------------------------------------------------------------------------
def test_runner_runs_by_id_with_resolved_params_like_the_algorithm_itself() -> None:
    from analysis.base import Feedback

    project = small_project()
    state = AppState(project)
    raw = {"points": "Events", "polygons": "Regions"}
    result = run_analysis("count", raw, state)
    direct = analysis("count").run(resolve_params(analysis("count"), raw, project), Feedback())
    assert result.layers["counts"]["events"].tolist() == direct.layers["counts"]["events"].tolist()
    assert sum(result.layers["counts"]["events"]) == 30
    with pytest.raises(InputError, match="missing --polygons"):
        run_analysis("count", {"points": "Events"}, state)
    with pytest.raises(NotRegistered, match="Known: access, actors, count, cultivation"):
        run_analysis("counts", raw, state)


@pytest.mark.parametrize(
    ("algorithm_id", "raw"),
    [
        (
            "count",
            {"points": "Events", "polygons": "Regions", "date_field": "event_date", "from": "2015"},
        ),
        ("hotspots", {"events": "Events", "cell_m": "1000", "radius_m": "2500", "method": "kde"}),
    ],
)
def test_resolving_twice_gives_the_same_values(algorithm_id: str, raw: dict) -> None:
    # Analyses still resolve inside run (the dialog hands raw values): after the runner's
    # resolution that second pass must change nothing.
    project = small_project()
    algorithm = analysis(algorithm_id)
    once = resolve_params(algorithm, raw, project)
    twice = resolve_params(algorithm, once, project)
    assert once.keys() == twice.keys()
    for key, value in once.items():
        assert twice[key] is value or twice[key] == value, key


def test_protected_paths_name_the_project_its_layers_and_files_given_directly(tmp_path) -> None:
    project = small_project(tmp_path)
    other = tmp_path / "other.gpkg"
    raw = {"points": f"{other}::events", "polygons": "Regions"}
    paths = {p.resolve() for p in protected_paths(project, "count", raw)}
    assert paths == {
        (tmp_path / "small.hatlas.json").resolve(),
        (tmp_path / "Regions.gpkg").resolve(),
        (tmp_path / "Events.gpkg").resolve(),
        other.resolve(),
    }


def test_run_export_checks_the_file_kind_and_never_writes_over_the_project(
    tmp_path, monkeypatch
) -> None:
    import core.runner

    project = small_project(tmp_path)
    state = AppState(project)
    with pytest.raises(InputError, match="the map export writes .png, .svg, .pdf"):
        run_export("map", tmp_path / "map.html", state)
    with pytest.raises(NotRegistered, match="Known: briefing, compare, map, webmap"):
        run_export("poster", tmp_path / "x.pdf", state)
    # An export that writes any kind of file (a raster, later) still spares the inputs.
    anything = Registry("export")
    anything.register(Entry("any", "Any file", "core.exports:map_file"))
    monkeypatch.setattr(core.runner, "EXPORTS", anything)
    before = (tmp_path / "Events.gpkg").read_bytes()
    for target in ("Events.gpkg", "small.hatlas.json"):
        with pytest.raises(InputError, match="Will not write over"):
            run_export("any", tmp_path / target, state)
    assert (tmp_path / "Events.gpkg").read_bytes() == before


# --- registries -----------------------------------------------------------------------------
def test_registries_look_up_by_exact_id_and_refuse_duplicates() -> None:
    assert set(analyses()) == {
        "access",
        "actors",
        "count",
        "cultivation",
        "displacement",
        "enforcement",
        "environment",
        "hotspots",
        "indicators",
        "zonal",
    }
    assert EXPORTS.ids() == ["map", "webmap", "briefing", "compare"]
    for entry in [*EXPORTS, *ACTIONS]:
        assert callable(entry.load()), entry.id
    with pytest.raises(NotRegistered, match="No action 'selection.clearall'"):
        ACTIONS.get("selection.clearall")
    registry = Registry("export")
    registry.register(Entry("x", "X", "core.exports:map_file"))
    with pytest.raises(ValueError, match="already registered"):
        registry.register(Entry("x", "X again", "core.exports:map_file"))


def test_actions_drive_the_state_by_id() -> None:
    state = AppState(small_project())
    state.select("Events", [0, 1])
    ACTIONS.call("period.set", state, "2019")
    assert state.period == TimeFilter.years(2019)
    ACTIONS.call("period.clear", state)
    ACTIONS.call("selection.clear", state)
    assert state.period is None and state.selection == {}
    result = ACTIONS.call(
        "analysis.run", state, "count", {"points": "Events", "polygons": "Regions"}
    )
    assert result.summary["points_inside"] == 30
