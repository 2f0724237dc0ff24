"""Harm indicators: arithmetic on a hand-made project, the index, and the sample's planted effects."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from admin_layers import municipalities

from analysis.base import Canceled, Feedback
from analysis.indicator_catalogue import (
    DEFAULT_WEIGHTS,
    INDICATORS,
    harm_index,
    min_max,
    parse_weights,
    per_100k,
    priority_rank,
    yearly_slope,
)
from analysis.indicators import HarmIndicators, compute_indicators
from analysis.inputs import InputError
from layers.layer import Layer, LayerList
from layers.project import Project
from layers.roles import FieldMapping, Role
from sample_maps import SAMPLE_PROJECT

CRS = "EPSG:32618"
X0, Y0 = 500_000.0, 100_000.0


def tiny_project() -> Project:
    """Region A (10,000 people) beside region B (50,000), 40 km squares."""
    regions = gpd.GeoDataFrame(
        {
            "ADM2_PCODE": ["XX001", "XX002"],
            "ADM2_ES": ["Alta", "Baja"],
            "ADM1_PCODE": ["XX0", "XX0"],
            "pop": [10_000, 50_000],
        },
        geometry=[
            shapely.box(X0, Y0, X0 + 40_000, Y0 + 40_000),
            shapely.box(X0 + 40_000, Y0, X0 + 80_000, Y0 + 40_000),
        ],
        crs=CRS,
    )
    events = gpd.GeoDataFrame(
        {
            "event_date": [
                "2019-02-01",
                "2019-05-01",
                "2019-09-01",
                "2020-03-01",
                "2019-04-04",
                "2020-06-06",
                "2020-07-07",
                "2018-01-01",
            ],
            "event_type": [
                "Battles",
                "Violence against civilians",
                "Battles",
                "Battles",
                "Battles",
                "Explosions/Remote violence",
                "Protests",
                "Battles",
            ],
            "fatalities": [2, 0, 1, 3, 5, 1, 0, 9],
        },
        geometry=gpd.points_from_xy(
            [
                X0 + 5000,
                X0 + 6000,
                X0 + 7000,
                X0 + 8000,
                X0 + 60_000,
                X0 + 61_000,
                X0 + 62_000,
                X0 + 5000,
            ],
            [Y0 + 5000] * 8,
        ),
        crs=CRS,
    )
    settlements = gpd.GeoDataFrame(
        {"name": ["a", "b"], "habitantes": [10_000, 50_000]},
        geometry=gpd.points_from_xy([X0 + 20_000, X0 + 75_000], [Y0 + 20_000, Y0 + 35_000]),
        crs=CRS,
    )
    services = gpd.GeoDataFrame(
        {"name": ["Puesto A"], "amenity": ["clinic"]},
        geometry=gpd.points_from_xy([X0 + 21_000], [Y0 + 20_000]),
        crs=CRS,
    )
    layers = LayerList(
        [
            municipalities(regions, parent_code="ADM1_PCODE", population="pop"),
            Layer(
                events,
                "ACLED",
                role=Role.VIOLENCE,
                mapping=FieldMapping(
                    {"date": "event_date", "event_type": "event_type", "fatalities": "fatalities"}
                ),
            ),
            Layer(
                settlements,
                "Centros",
                role=Role.SETTLEMENTS,
                mapping=FieldMapping({"population": "habitantes"}),
            ),
            Layer(services, "Salud", role=Role.HEALTH_SERVICES),
        ]
    )
    project = Project(layers=layers, title="tiny")
    project.metric_crs = CRS
    return project


def test_per_100k_rates_trend_and_access_on_a_hand_made_project():
    notes: list[str] = []
    df = compute_indicators(tiny_project(), years="2019-2020", notes=notes)
    a, b = df.iloc[0], df.iloc[1]
    assert (a["code"], a["name"], a["parent_code"]) == ("XX001", "Alta", "XX0")
    # A: 4 violent events in 2019–2020 (the 2018 one is outside), 6 deaths; 2 years, 10,000 people
    assert a["violent_events"] == 4 and a["fatalities"] == 6
    assert a["violent_events_per_100k"] == pytest.approx(4 / 2 / 10_000 * 1e5)  # 20
    assert a["fatalities_per_100k"] == pytest.approx(6 / 2 / 10_000 * 1e5)  # 30
    # B: the protest is not violence -> 2 events, 6 deaths among 50,000
    assert b["violent_events"] == 2
    assert b["violent_events_per_100k"] == pytest.approx(2 / 2 / 50_000 * 1e5)  # 2
    # A: 30 per 100k in 2019, 10 in 2020 -> slope −20 per year; B: 1 and 1 -> 0
    assert a["violence_trend"] == pytest.approx(-20.0)
    assert b["violence_trend"] == pytest.approx(0.0)
    # Access: A's settlement is 1 km from the only service, B's ~57 km away
    assert a["beyond_15km_share"] == 0.0 and b["beyond_15km_share"] == 1.0
    assert a["access_per_1000"] == pytest.approx(1 / 10_000 * 1000)
    assert b["access_per_1000"] == 0.0
    # No eradication, arrests or seizures layer: empty, never zero, and said so.
    for col in (
        "eradicated_ha",
        "eradication_events",
        "arrests",
        "seizures",
        "protected_eradicated_ha",
        "wdq_violence",
    ):
        assert math.isnan(df.loc[0, col]), col
    assert any("eradication" in n.lower() for n in notes)
    assert any("arrests" in n for n in notes)
    # The services say their type and none is harm reduction: coverage is truly 0.
    assert a["harm_reduction_coverage"] == 0 and any("harm-reduction" in n for n in notes)


def test_harm_reduction_coverage_unknown_without_a_type_field():
    project = tiny_project()
    services = project.layers["Salud"]
    services.data = services.data.drop(columns=["amenity"])
    df = compute_indicators(project, years="2019-2020")
    assert df["harm_reduction_coverage"].isna().all()
    services.data = services.data.assign(amenity=["harm reduction"])
    df = compute_indicators(project, years="2019-2020")
    assert df["harm_reduction_coverage"].tolist() == [1.0, 0.0]


def test_harm_index_is_the_weighted_mean_of_min_max_outcomes():
    df = compute_indicators(tiny_project(), years="2019-2020")
    used = df.attrs["index_uses"]
    # Two regions: each used outcome scales to 0/1 (goods reversed), so the index is the
    # weighted share of outcomes where the region is the worse one.
    score = {0: 0.0, 1: 0.0}
    total = 0.0
    for col in used:
        values = df[col].to_numpy(dtype=float)
        scaled = min_max(values)
        if next(i for i in INDICATORS if i.column == col).higher_is_worse is False:
            scaled = 1 - scaled
        for r in (0, 1):
            score[r] += DEFAULT_WEIGHTS[col] * scaled[r]
        total += DEFAULT_WEIGHTS[col]
    assert df["harm_index"].tolist() == pytest.approx([score[0] / total, score[1] / total])
    assert set(df["priority_rank"]) == {1.0, 2.0}
    assert "violent_events_per_100k" in used and "eradicated_ha" not in used


def test_weights_change_the_index_and_bad_weights_are_clear():
    only_access = {k: 0.0 for k in DEFAULT_WEIGHTS} | {"beyond_15km_share": 1.0}
    df = compute_indicators(tiny_project(), years="2019-2020", weights=only_access)
    assert df["harm_index"].tolist() == [0.0, 1.0]
    assert df["priority_rank"].tolist() == [2.0, 1.0]
    assert parse_weights("fatalities_per_100k=2, access_per_1000=0")["fatalities_per_100k"] == 2
    with pytest.raises(InputError, match="not a weighted indicator"):
        parse_weights("arrests=1")
    with pytest.raises(InputError, match="key=value"):
        parse_weights("fatalities_per_100k")
    with pytest.raises(InputError, match="zero or more"):
        parse_weights("fatalities_per_100k=-1")


def test_pure_pieces():
    assert per_100k(np.array([5, 1]), np.array([50_000, 0]))[0] == 10.0
    assert np.isnan(per_100k(np.array([1]), np.array([0]))[0])
    assert yearly_slope(np.array([[1.0, 3.0, 5.0]]), np.array([2019, 2020, 2021]))[0] == 2.0
    idx, used = harm_index(
        pd.DataFrame(
            {"violent_events_per_100k": [0.0, 10.0, np.nan], "access_per_1000": [1.0, 0.0, 0.5]}
        ),
        {"violent_events_per_100k": 1.0, "access_per_1000": 1.0},
    )
    # region 3 has no violence figure: scored on access alone (reversed: 0.5)
    assert idx.tolist() == pytest.approx([0.0, 1.0, 0.5])
    assert priority_rank(np.array([0.2, np.nan, 0.9])).tolist()[::2] == [2.0, 1.0]


def test_indicator_declarations_are_complete():
    columns = [i.column for i in INDICATORS]
    assert len(columns) == len(set(columns))
    assert set(DEFAULT_WEIGHTS) <= set(columns)
    assert {i.group for i in INDICATORS} <= {"context", "enforcement", "outcome", "composite"}
    assert all(i.higher_is_worse is None for i in INDICATORS if i.group == "enforcement")


def test_cancel_and_missing_project():
    fb = Feedback()
    fb.cancel()
    with pytest.raises(Canceled):
        compute_indicators(tiny_project(), feedback=fb)
    with pytest.raises(InputError, match="--project"):
        HarmIndicators().run({}, Feedback())


def test_catalogue_labels_carry_their_unit_once():
    """The briefing and the compare view label columns from the one catalogue."""
    from analysis.indicator_catalogue import INDICATOR_BY_COLUMN as by

    assert by["eradicated_ha"].label_with_unit == "Hectares eradicated (ha)"
    assert by["violent_events"].label_with_unit == "Violent events"  # the label says it
    assert by["violent_events_per_100k"].label_with_unit == by["violent_events_per_100k"].label
    assert by["beyond_15km_share"].label_with_unit.endswith("(%)")


def test_indicators_parameters_are_validated_like_every_analysis():
    """Through the one runner a wrong regions layer is a one-line InputError, not a crash."""
    from core.runner import run_analysis

    project = tiny_project()
    events = next(layer for layer in project.layers if layer.geometry_kind == "point")
    with pytest.raises(InputError, match="polygon"):
        run_analysis("indicators", {"regions_layer": events.name}, project)
    with pytest.raises(InputError, match="neither a layer of the project"):
        run_analysis("indicators", {"regions_layer": "No such layer"}, project)
    res = run_analysis("indicators", {"years": "2019-2020"}, project)
    assert res.summary["regions"][0]["code"] == "XX001"


def test_algorithm_result_layer_and_json_shape():
    res = HarmIndicators().run({"project": tiny_project(), "years": "2019-2020"}, Feedback())
    layer = res.layers["regions"]
    assert len(layer) == 2 and "harm_index" in layer.columns and layer.crs is not None
    assert set(res.summary) >= {"regions", "weights", "notes"}
    row = res.summary["regions"][0]
    assert row["code"] == "XX001" and row["eradicated_ha"] is None
    json.dumps(res.summary)  # JSON-able as it stands


# --- the sample project ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    path = SAMPLE_PROJECT
    if not path.exists():  # the generated sample is not committed yet: build it
        out = tmp_path_factory.mktemp("sample")
        subprocess.run(
            [sys.executable, "-m", "sample_maps.generate", "--out", str(out)],
            check=True,
            capture_output=True,
        )
        path = out / "sample.hatlas.json"
    truth = json.loads((path.parent / "ground_truth.json").read_text(encoding="utf-8"))
    return Project.load(path), truth


def test_sample_departments_contrast_as_planted(sample):
    project, truth = sample
    planted = truth["effects"]["department_contrast"]["realised"]
    adm1 = next(lay for lay in project.layers.by_role(Role.ADMIN_BOUNDARIES) if len(lay.data) == 2)
    df = compute_indicators(project, regions_layer=adm1.name).set_index("code")
    xa01, xa02 = df.loc["XA01"], df.loc["XA02"]
    for code, row in (("XA01", xa01), ("XA02", xa02)):
        assert row["population"] == planted[code]["population"]
        assert row["eradicated_manual_ha"] == pytest.approx(
            planted[code]["manual_eradication_ha"], abs=0.1
        )
        assert row["eradicated_aerial_ha"] == pytest.approx(
            planted[code]["aerial_spraying_ha"], abs=0.1
        )
        assert row["beyond_15km_share"] == pytest.approx(
            planted[code]["population_share_beyond_15km"], abs=0.001
        )
    # Judged by hectares, XA01 "wins"; judged by outcomes it is the harmful one.
    assert xa01["eradicated_ha"] > 10 * xa02["eradicated_ha"]
    assert xa01["violence_trend"] > 0 > xa02["violence_trend"]
    assert xa01["violent_events_per_100k"] > xa02["violent_events_per_100k"]
    assert xa01["harm_reduction_coverage"] == 0 < xa02["harm_reduction_coverage"]
    assert xa01["harm_index"] > xa02["harm_index"] and xa01["priority_rank"] == 1


def test_sample_health_gap_municipality(sample):
    project, truth = sample
    gap = truth["effects"]["health_gap"]
    df = compute_indicators(project).set_index("code")
    assert len(df) == 16
    assert df.loc[gap["municipality"], "beyond_15km_share"] == pytest.approx(1.0)
    shares = gap["all_municipalities"]["share_beyond_15km"]
    for code, share in shares.items():
        assert df.loc[code, "beyond_15km_share"] == pytest.approx(share, abs=0.001), code
    assert df.loc[gap["municipality"], "priority_rank"] == 1
    assert (
        df["violent_events_per_100k"].idxmax() == gap["all_municipalities"]["rank_by_event_rate"][0]
    )


def test_region_displacement_labels_and_windows_give_the_hand_wdq():
    from analysis.displacement_areas import Observations
    from analysis.displacement_measures import displacement_measures
    from analysis.region_displacement import area_labels, window_totals

    shapes = np.array([shapely.Point(0, 0).buffer(100)])
    # target (in the shape), buffer (3 km), displacement-control ring (8 km), control (20 km)
    locations = shapely.points([(0, 0), (3000, 0), (8000, 0), (20_000, 0)])
    labels = area_labels(locations, shapes, 1000.0, 5000.0, np.ones(4, dtype=bool))
    assert labels.tolist() == [0, 1, -1, 2]
    # docs/methods.md hand fixture: R 100 -> 50, D 100 -> 150, C 100 -> 100 (days −10 and +10)
    counts = {0: (100, 50), 1: (100, 150), 2: (7, 7), 3: (100, 100)}
    loc, time = [], []
    for k, (before, after) in counts.items():
        loc += [k] * (before + after)
        time += [-10] * before + [10] * after
    obs = Observations(locations, np.array(loc), np.array(time), None, "days", "events")
    (rb, ra), (db, da), (cb, ca) = window_totals(obs, labels, 0, 30)
    assert (rb, ra, db, da, cb, ca) == (100, 50, 100, 150, 100, 100)
    m = displacement_measures(rb, ra, db, da, cb, ca)
    assert m["wdq"] == pytest.approx(-1.0) and m["tne"] == pytest.approx(0.0)


@pytest.mark.parametrize("weighted", [False, True])
def test_study_windows_equal_labels_and_window_totals_on_random_data(weighted):
    """The national fast path (near locations only, prefix sums) against the plain definition."""
    from analysis.displacement_areas import Observations
    from analysis.region_displacement import StudyWindows, area_labels, window_totals

    rng = np.random.default_rng(7)
    locations = shapely.points(rng.uniform(0, 60_000, (3_000, 2)))
    inside = rng.random(3_000) < 0.9
    n_obs = 12_000
    loc = rng.integers(0, 3_000, n_obs)
    time = rng.integers(0, 40, n_obs)
    weight = rng.gamma(2.0, 1.5, n_obs) if weighted else None
    obs = Observations(locations, loc, time, weight, "years", "hectares")
    study = StudyWindows(obs, inside)
    for k in range(12):
        centre = rng.uniform(5_000, 55_000, 2)
        shapes = shapely.buffer(shapely.points(centre + rng.normal(0, 3_000, (5, 2))), 300.0)
        t0 = int(rng.integers(5, 35))
        labels = area_labels(locations, shapes, 1_000.0, 5_000.0, inside)
        expected = window_totals(obs, labels, t0, 3 + k % 3)
        got = study.totals(shapes, 1_000.0, 5_000.0, t0, 3 + k % 3)
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-9)


def test_second_region_level_reuses_the_operations_harm_and_equals_a_fresh_run():
    """Departments after municipalities (the briefing's order) reuse the environmental step."""
    from analysis import indicators as ind

    project = Project.load(SAMPLE_PROJECT)
    ind._FOOTPRINT_HARM.clear()
    compute_indicators(project, "Municipios (ADM2)")
    assert len(ind._FOOTPRINT_HARM) == 1
    reused = compute_indicators(project, "Departamentos (ADM1)")
    ind._FOOTPRINT_HARM.clear()
    fresh = compute_indicators(project, "Departamentos (ADM1)")
    pd.testing.assert_frame_equal(reused, fresh)
    other_period = compute_indicators(project, "Departamentos (ADM1)", years="2016-2018")
    assert not other_period["protected_eradicated_ha"].equals(fresh["protected_eradicated_ha"])
