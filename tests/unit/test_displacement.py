"""Displacement measures against the published reference values (docs/methods.md), and the areas,
windows and cohorts of the analysis on layers built to known counts."""

from __future__ import annotations

import math
from datetime import date

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import box

from analysis.base import Canceled, Feedback
from analysis.displacement import Displacement
from analysis.displacement_measures import displacement_measures, wdd
from analysis.inputs import InputError, execute
from layers.layer import Layer
from layers.roles import FieldMapping

CRS = "EPSG:32618"
X0, Y0 = 500000.0, 100000.0
TARGET = box(X0, Y0, X0 + 1000, Y0 + 1000)
CONTROL = box(X0 + 10000, Y0, X0 + 12000, Y0 + 2000)
REGION = box(X0 - 3000, Y0 - 3000, X0 + 16000, Y0 + 5000)
# Where events are planted: well inside each area, away from every edge.
PLACES = {
    "R": box(X0 + 100, Y0 + 100, X0 + 900, Y0 + 900),
    "D": box(X0 + 1300, Y0, X0 + 1700, Y0 + 1000),
    "C": box(X0 + 10200, Y0 + 200, X0 + 11800, Y0 + 1800),
    "Dc": box(X0 + 12300, Y0, X0 + 12700, Y0 + 2000),
}
BEFORE, AFTER, DAY = "2020-01-15", "2020-09-01", date(2020, 6, 1)


def planted_events(counts: dict[str, tuple[int, int]], seed: int = 0) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    geoms, dates, areas = [], [], []
    for name, (before, after) in counts.items():
        xmin, ymin, xmax, ymax = PLACES[name].bounds
        for n, when in ((before, BEFORE), (after, AFTER)):
            geoms += list(shapely.points(rng.uniform(xmin, xmax, n), rng.uniform(ymin, ymax, n)))
            dates += [when] * n
            areas += [name] * n
    return gpd.GeoDataFrame({"event_date": dates, "area": areas}, geometry=geoms, crs=CRS)


def polygons(*geoms: shapely.Geometry, **columns) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(columns, geometry=list(geoms), crs=CRS)


def layer(gdf: gpd.GeoDataFrame, name: str, **mapping) -> Layer:
    return Layer(gdf, name, mapping=FieldMapping(fields=mapping))


WHEELER = {"R": (207, 110), "D": (178, 157), "C": (308, 318), "Dc": (150, 140)}


def inputs(
    events: dict[str, tuple[int, int]] | gpd.GeoDataFrame,
    *,
    targets: gpd.GeoDataFrame | None = None,
    control: bool = True,
    region: bool = False,
) -> dict[str, Layer]:
    """The usual layers: events (planted counts or a frame) by their date, the target box
    (or `targets`), and the control and region boxes when asked for."""
    frame = planted_events(events) if isinstance(events, dict) else events
    layers = {
        "events": layer(frame, "events", date="event_date"),
        "targets": layer(polygons(TARGET) if targets is None else targets, "targets"),
    }
    if control:
        layers["control"] = layer(polygons(CONTROL), "control")
    if region:
        layers["region"] = layer(polygons(REGION), "region")
    return layers


def run(feedback: Feedback | None = None, **params):
    algorithm = Displacement()
    return execute(algorithm, params, None, feedback or Feedback())


# --- the formulas -------------------------------------------------------------------------
def test_hand_fixture() -> None:
    m = displacement_measures(100, 50, 100, 150, 100, 100)
    assert m["success_measure"] == pytest.approx(-0.5)
    assert m["buffer_measure"] == pytest.approx(0.5)
    assert m["wdq"] == pytest.approx(-1.0)
    assert m["tne"] == pytest.approx(0.0)


def test_wheeler_ratcliffe_worked_example() -> None:
    out = wdd(207, 110, 308, 318, 178, 157, 150, 140)
    assert out["wdd"] == -118
    assert out["wdd_se"] == pytest.approx(math.sqrt(1568))
    assert out["wdd_se"] == pytest.approx(39.6, abs=0.01)
    assert out["wdd_z"] == pytest.approx(-2.98, abs=0.005)
    assert out["wdd_ci_low"] == pytest.approx(-196, abs=0.5)
    assert out["wdd_ci_high"] == pytest.approx(-40, abs=0.5)


def test_wheeler_ratcliffe_counts_as_wdq() -> None:
    m = displacement_measures(207, 110, 178, 157, 308, 318, Dcb=150, Dca=140)
    assert m["success_measure"] == pytest.approx(-0.32617, abs=5e-6)
    assert m["buffer_measure"] == pytest.approx(-0.08421, abs=5e-6)
    assert m["wdq"] == pytest.approx(0.2582, abs=5e-5)
    assert m["tne"] == pytest.approx(130.5, abs=0.05)
    assert m["wdd"] == -118


def test_zero_control_is_undefined_with_reason() -> None:
    m = displacement_measures(10, 5, 10, 10, 0, 4)
    assert m["success_measure"] is None and m["wdq"] is None and m["tne"] is None
    assert any("control area has no events before" in n for n in m["notes"])


def test_no_success_means_no_wdq() -> None:
    m = displacement_measures(50, 100, 100, 150, 100, 100)
    assert m["success_measure"] == pytest.approx(0.5)
    assert m["wdq"] is None
    assert any("meaningful only when" in n for n in m["notes"])


def test_wdd_refused_for_weights() -> None:
    m = displacement_measures(207, 110, 178, 157, 308, 318, counts=False, Dcb=150, Dca=140)
    assert m["wdd"] is None and m["wdq"] == pytest.approx(0.2582, abs=5e-5)
    assert any("not for weights or hectares" in n for n in m["notes"])


# --- the analysis on planted layers --------------------------------------------------------
def test_run_reproduces_wheeler_counts_with_control_layer() -> None:
    result = run(**inputs(WHEELER, region=True), date=DAY, window_days=365, buffer_m=1000.0)
    s = result.summary
    assert s["target"] == {"before": 207, "after": 110}
    assert s["buffer"] == {"before": 178, "after": 157}
    assert s["control"] == {"before": 308, "after": 318}
    assert s["displacement_control"] == {"before": 150, "after": 140}
    assert s["wdq"] == pytest.approx(0.2582, abs=5e-5)
    assert s["wdd"] == -118 and s["wdd_z"] == pytest.approx(-2.98, abs=0.005)
    assert set(result.layers) == {"target", "buffer", "control"}
    assert result.layers["control"]["before"].tolist() == [308, 150]


def test_window_excludes_events_outside_it() -> None:
    events = planted_events({"R": (100, 50), "D": (100, 150), "C": (100, 100)})
    late = events.iloc[:30].copy()
    late["event_date"] = "2022-01-01"  # outside a 365-day window
    events = gpd.pd.concat([events, late])
    result = run(**inputs(events), date=DAY, window_days=365, buffer_m=1000.0)
    s = result.summary
    assert (s["target"], s["buffer"], s["control"]) == (
        {"before": 100, "after": 50},
        {"before": 100, "after": 150},
        {"before": 100, "after": 100},
    )
    assert s["wdq"] == pytest.approx(-1.0) and s["tne"] == pytest.approx(0.0)


def test_default_control_is_region_minus_targets_buffers_and_its_ring() -> None:
    events = planted_events(WHEELER)
    layers = inputs(events, control=False, region=True)
    result = run(**layers, date=DAY, window_days=365, buffer_m=1000.0)
    s = result.summary
    # Control and Dc events lie far from the target: all in the default control.
    assert s["control"] == {"before": 308 + 150, "after": 318 + 140}
    assert s["displacement_control"] == {"before": 0, "after": 0}
    total = sum(s[k]["before"] + s[k]["after"] for k in ("target", "buffer", "control"))
    assert total == len(events)
    areas = s["areas_ha"]
    assert areas["target"] == pytest.approx(100.0)
    assert areas["control"] + areas["displacement_control"] + areas["buffer"] + 100 == (
        pytest.approx(REGION.area / 1e4, rel=1e-3)
    )


def test_point_targets_need_a_radius_and_use_it() -> None:
    events = planted_events({"R": (40, 10), "D": (20, 30), "C": (50, 50)})
    centre = polygons(shapely.Point(X0 + 500, Y0 + 500))
    common = dict(**inputs(events, targets=centre), date=DAY, buffer_m=1000.0)
    with pytest.raises(InputError, match="--target-radius-m"):
        run(**common)
    s = run(target_radius_m=800.0, **common).summary
    assert s["target"] == {"before": 40, "after": 10}


def test_rings_report_wdq_per_ring() -> None:
    events = planted_events({"R": (100, 50), "D": (100, 150), "C": (100, 100)})
    far = events[events["area"] == "D"].copy()
    far["geometry"] = far.geometry.translate(1000, 0)  # 1.3–1.7 km from the target: ring 2
    far = far.iloc[::2]
    result = run(**inputs(gpd.pd.concat([events, far])), date=DAY, buffer_m=1000.0, rings=3)
    rings = result.summary["rings"]
    assert [r["ring"] for r in rings] == [1, 2, 3]
    assert (rings[0]["before"], rings[0]["after"]) == (100, 150)
    assert (rings[1]["before"], rings[1]["after"]) == (50, 75)
    assert rings[0]["wdq"] == pytest.approx(-1.0) and rings[1]["wdq"] == pytest.approx(-0.5)
    assert rings[2]["wdq"] is None or rings[2]["wdq"] == 0
    assert result.summary["buffer"] == {"before": 100, "after": 150}


def test_target_dates_form_cohorts_with_their_own_windows() -> None:
    # Two targets: one treated on 2020-06-01, one a year later 8 km away.
    second = shapely.affinity.translate(TARGET, 0, 8000)
    targets = polygons(TARGET, second, treated=["2020-06-01", "2021-06-01"])
    events = planted_events({"R": (10, 4), "C": (20, 20)})
    moved = planted_events({"R": (6, 2)}, seed=2)
    moved["geometry"] = moved.geometry.translate(0, 8000)
    moved["event_date"] = moved["event_date"].map({BEFORE: "2021-01-15", AFTER: "2021-09-01"})
    result = run(
        **inputs(gpd.pd.concat([events, moved]), targets=targets),
        region=layer(polygons(box(X0 - 3000, Y0 - 3000, X0 + 16000, Y0 + 12000)), "region"),
        date_field="treated",
        window_days=200,
        buffer_m=500.0,
    )
    s = result.summary
    assert s["cohorts"] == 2
    assert s["target"] == {"before": 16, "after": 6}
    # The control is counted in each cohort's windows: 2020 events once, none in 2021.
    assert s["control"] == {"before": 20, "after": 20}
    assert result.layers["target"]["date"].tolist() == ["2020-06-01", "2021-06-01"]


def test_annual_grid_uses_years_and_hectares() -> None:
    cells, rows = [], []
    for x, y, ha_by_year in (
        (X0 + 250, Y0 + 250, {2016: 5.0, 2017: 5.0, 2019: 1.0, 2020: 1.0}),  # in the target
        (X0 + 1500, Y0 + 250, {2016: 2.0, 2017: 2.0, 2019: 7.0, 2020: 7.0}),  # in the buffer
        (X0 + 11000, Y0 + 1000, {2016: 4.0, 2017: 4.0, 2019: 4.0, 2020: 4.0}),  # control
    ):
        cells.append(box(x - 100, y - 100, x + 100, y + 100))
        rows.append({f"coca_{y}": ha_by_year.get(y, 0.0) for y in range(2016, 2021)})
    grid = gpd.GeoDataFrame(rows, geometry=cells, crs=CRS)
    events = Layer(
        grid, "grid", mapping=FieldMapping(year_columns={y: f"coca_{y}" for y in range(2016, 2021)})
    )
    result = run(
        events=events,
        targets=layer(polygons(TARGET), "targets"),
        control=layer(polygons(CONTROL), "control"),
        date=date(2018, 6, 1),
        window_years=2,
        buffer_m=1000.0,
    )
    s = result.summary
    assert s["window"] == {"before": 2, "after": 2, "unit": "years"}
    assert s["target"] == {"before": 10.0, "after": 2.0}
    assert s["buffer"] == {"before": 4.0, "after": 14.0}
    assert s["wdq"] == pytest.approx(
        -1.25
    )  # the cultivation moved next door and outweighs the benefit
    assert s["wdd"] is None


def test_cancel_stops_the_run() -> None:
    feedback = Feedback()
    feedback.cancel()
    with pytest.raises(Canceled):
        run(feedback, **inputs(WHEELER, control=False), date=DAY, buffer_m=1000.0)


def test_missing_date_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="--date"):
        run(**inputs(WHEELER, control=False), buffer_m=1000.0)


# --- the planted effects of the sample project (sample_maps/ground_truth.json) -------------
@pytest.fixture(scope="module")
def sample():
    import json

    from layers.project import Project
    from sample_maps import SAMPLE_DIR, SAMPLE_PROJECT

    truth = json.loads((SAMPLE_DIR / "ground_truth.json").read_text(encoding="utf-8"))
    return Project.load(SAMPLE_PROJECT), truth["effects"]


def run_on(project, **raw):
    from analysis.inputs import resolve_params

    algorithm = Displacement()
    return algorithm.run(resolve_params(algorithm, raw, project), Feedback()).summary


def test_sample_cultivation_displaced_by_the_campaign(sample) -> None:
    project, effects = sample
    truth = effects["cultivation_displacement"]
    s = run_on(
        project,
        events="Cultivos de coca 1 km (SIMCI)",
        targets="Erradicación manual",
        targets_where=f"campana={truth['campaign']}",
        date="2018-06-01",
        window_years=1,
        target_radius_m=2000,
        buffer_m=3000,
    )
    w = truth["realised"]["wdq"]
    assert s["targets"] == truth["realised"]["campaign_points"]
    assert (s["target"]["before"], s["target"]["after"]) == (
        pytest.approx(w["Rb"], abs=0.01),
        pytest.approx(w["Ra"], abs=0.01),
    )
    assert (s["buffer"]["before"], s["buffer"]["after"]) == (
        pytest.approx(w["Db"], abs=0.01),
        pytest.approx(w["Da"], abs=0.01),
    )
    assert s["success_measure"] < 0 and s["buffer_measure"] > 0
    low, high = truth["expected"]["wdq_range"]
    assert low <= s["wdq"] <= high < -1  # displacement outweighs the benefit
    assert s["measure"] == "hectares" and s["wdd"] is None


def violence_run(sample, effect: str, targets: str, where: str, **more) -> tuple[dict, dict]:
    """The sample's violence two years either side of a planted effect's date, on the
    targets `where` picks (filled from the effect's truth): the summary and the truth."""
    project, effects = sample
    truth = effects[effect]
    s = run_on(
        project,
        events="Eventos de violencia (ACLED)",
        targets=targets,
        targets_where=where.format(**truth),
        date=truth["date"],
        window_days=730,
        **more,
    )
    return s, truth


def test_sample_crackdown_pushes_violence_next_door(sample) -> None:
    where = "ADM2_PCODE={target_municipality}"
    s, truth = violence_run(
        sample, "violence_crackdown", "Municipios (ADM2)", where, buffer_m=10000
    )
    ring = truth["realised"]["ring"]
    assert s["target"] == {"before": ring["Rb"], "after": ring["Ra"]}
    assert s["buffer"] == {"before": ring["Db"], "after": ring["Da"]}
    low, high = truth["expected"]["wdq_range"]
    assert low <= s["wdq"] <= high < -1
    assert s["wdd"] > 0 and s["wdd_ci_low"] > 0  # more events overall than the control predicts


def test_sample_harm_reduction_diffuses_benefits(sample) -> None:
    s, truth = violence_run(
        sample,
        "violence_diffusion",
        "Servicios de salud",
        "name={programme}",
        target_radius_m=5000,
        buffer_m=5000,
    )
    r = truth["realised"]
    assert s["target"] == {"before": r["Rb"], "after": r["Ra"]}
    assert s["buffer"] == {"before": r["Db"], "after": r["Da"]}
    low, high = truth["expected"]["wdq_range"]
    assert 0 < low <= s["wdq"] <= high
    assert s["reading"] == "diffusion of benefits"


def test_raw_dialog_values_are_accepted() -> None:
    """The desktop dialog hands text and empty strings, not parsed values: execute parses
    them once, before run."""
    algorithm = Displacement()
    s = execute(
        algorithm,
        {
            **inputs(WHEELER, region=True),
            "date": "2020-06-01",
            "date_field": "",
            "window_days": "365",
            "buffer_m": "1000",
            "target_radius_m": "",
            "targets_where": "",
        },
    ).summary
    assert s["wdd"] == -118 and s["window"]["before"] == 365


def test_cancel_mid_run() -> None:

    def on_progress(percent: float, message: str) -> None:
        if percent >= 25:
            feedback.cancel()

    feedback = Feedback(on_progress)  # the callback cancels the run it reports on
    with pytest.raises(Canceled):
        run(feedback, **inputs(WHEELER, control=False), date=DAY, buffer_m=1000.0)
    assert 25 <= feedback.progress < 100


def test_per_field_rows_equal_one_run_per_operation(sample) -> None:
    """A batch over every operation gives each the numbers of its own run (issue 13)."""
    from analysis.inputs import resolve_params

    project, _ = sample
    common = dict(
        events="Eventos de violencia (ACLED)",
        targets="Erradicación manual",
        date_field="fecha",
        target_radius_m=500,
        buffer_m=2000,
        rings=2,
    )
    algorithm = Displacement()
    params = resolve_params(algorithm, {**common, "per_field": "campana"}, project)
    result = algorithm.run(params, Feedback())
    table = result.table
    assert len(table) >= 1 and list(result.layers) == ["operations"]
    assert len(result.layers["operations"]) == len(table)
    for row in table.to_dict(orient="records"):
        one = run_on(project, **common, targets_where=f"campana={row['operation']}")
        assert row["targets"] == one["targets"]
        for area in ("target", "buffer", "control", "displacement_control"):
            assert row[f"{area}_before"] == one[area]["before"]
            assert row[f"{area}_after"] == one[area]["after"]
        for key in ("wdq", "tne", "wdd"):
            assert row[key] == pytest.approx(one[key], nan_ok=True) or (
                row[key] is None and one[key] is None
            )
        assert row["wdq_ring_2"] == pytest.approx(one["rings"][1]["wdq"], nan_ok=True) or (
            row["wdq_ring_2"] is None and one["rings"][1]["wdq"] is None
        )
    assert result.summary["operations"] == len(table)
    assert any("belong to no operation" in n for n in result.notes)


def test_per_field_needs_values() -> None:
    events = planted_events({"R": (3, 1), "D": (3, 3), "C": (5, 5)})
    targets = polygons(TARGET, op=[""])
    with pytest.raises(InputError, match="no target has a value"):
        run(**inputs(events, targets=targets, control=False), date="2020-01-01", per_field="op")
