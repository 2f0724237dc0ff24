"""Health access: the docs/methods.md toy fixture, invariants, and PySAL `access` on random data."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pysal_peer import pysal_2sfca, pysal_access, pysal_e2sfca, reached

from analysis.access import (
    HealthAccess,
    accessibility,
    band_weight,
    pair_distances,
    population_beyond,
    two_step_fca,
)
from analysis.base import Canceled, Feedback
from analysis.inputs import execute
from layers.layer import Layer
from layers.roles import FieldMapping, Role

INF = np.inf


def toy():
    # rows P1..P3, columns S1, S2 (docs/methods.md "Toy fixture")
    d = np.array([[10, INF], [20, 25], [INF, 15]], dtype=float)
    return d, np.array([2.0, 1.0]), np.array([1000.0, 500.0, 500.0])


def test_toy_fixture_is_exact():
    d, s, p = toy()
    res = two_step_fca(d, s, p, catchment=30)
    assert res.ratio.tolist() == [2 / 1500, 1 / 1000]
    assert res.access == pytest.approx([2 / 1500, 2 / 1500 + 1 / 1000, 1 / 1000], rel=1e-15)
    assert res.access[1] == pytest.approx(0.0023333333333333335)


def test_catchment_includes_the_threshold_distance():
    d, s, p = toy()
    # d0 = 25: P2–S2 at exactly 25 stays in reach (≤), P2–S1 at 20 too.
    on = two_step_fca(d, s, p, catchment=25).access
    off = two_step_fca(d, s, p, catchment=24.999).access
    assert on[1] == pytest.approx(2 / 1500 + 1 / 1000)
    assert off[1] == pytest.approx(2 / 1500)


def test_e2sfca_bands_apply_in_both_steps():
    d, s, p = toy()
    edges, w = np.array([10.0, 20.0, 30.0]), np.array([1.0, 0.68, 0.22])
    assert band_weight(np.array([0, 10, 10.5, 20, 25, 30, 31]), edges, w).tolist() == [
        1.0,
        1.0,
        0.68,
        0.68,
        0.22,
        0.22,
        0.0,
    ]
    res = two_step_fca(d, s, p, catchment=30, edges=edges, weights=w)
    r1 = 2 / (1000 * 1.0 + 500 * 0.68)
    r2 = 1 / (500 * 0.22 + 500 * 0.68)
    assert res.ratio == pytest.approx([r1, r2])
    assert res.access == pytest.approx([r1, 0.68 * r1 + 0.22 * r2, 0.68 * r2])


def _random(n_demand=600, n_supply=50, seed=7):
    rng = np.random.default_rng(seed)
    dxy = rng.uniform(0, 100_000, size=(n_demand, 2))
    sxy = rng.uniform(0, 100_000, size=(n_supply, 2))
    pop = rng.integers(50, 5000, size=n_demand).astype(float)
    cap = rng.integers(1, 20, size=n_supply).astype(float)
    return dxy, pop, sxy, cap


def test_unlimited_catchment_gives_supply_over_population_everywhere():
    dxy, pop, sxy, cap = _random()
    table, _ = accessibility(dxy, pop, sxy, cap, catchment=1e9)
    np.testing.assert_allclose(table["access"], cap.sum() / pop.sum(), rtol=1e-12)


def test_total_access_equals_total_supply_when_every_service_has_demand():
    dxy, pop, sxy, cap = _random()
    for method in ("2sfca", "e2sfca"):
        table, notes = accessibility(dxy, pop, sxy, cap, catchment=20_000, method=method)
        assert not notes  # every service has people in reach with 600 random villages
        assert (table["access"] * pop).sum() == pytest.approx(cap.sum(), rel=1e-12)


def test_matches_pysal_access_on_random_data():
    dxy, pop, sxy, cap = _random(n_demand=600, n_supply=50)
    dist = np.hypot(dxy[:, None, 0] - sxy[None, :, 0], dxy[:, None, 1] - sxy[None, :, 1])
    catchment = 20_000.0
    edges = [catchment / 3, 2 * catchment / 3, catchment]
    for e in edges:  # PySAL filters with ≤ (1.1.10; older releases <): keep both readings equal
        assert np.abs(dist - e).min() > 1e-3
    oi, dj = np.meshgrid(np.arange(len(pop)), np.arange(len(cap)), indexing="ij")
    cost_df = pd.DataFrame({"origin": oi.ravel(), "dest": dj.ravel(), "cost": dist.ravel()})
    acc = pysal_access(pop, cap, cost_df)
    weights = [1.0, 0.68, 0.22]
    theirs, theirs_e = pysal_2sfca(acc, catchment), pysal_e2sfca(acc, edges, weights)
    ours, _ = accessibility(dxy, pop, sxy, cap, catchment, "2sfca")
    ours_e, _ = accessibility(
        dxy, pop, sxy, cap, catchment, "e2sfca", np.array(edges), np.array(weights)
    )
    for mine, peer in ((ours, theirs), (ours_e, theirs_e)):
        have, peer_access = reached(peer, len(pop))
        assert have.sum() >= 500
        np.testing.assert_allclose(mine["access"].to_numpy()[have], peer_access, rtol=1e-9)
        assert (mine["access"].to_numpy()[~have] == 0).all()  # PySAL leaves them missing


def test_pair_distances_keep_zero_and_threshold_pairs():
    m = pair_distances(np.array([[0.0, 0.0]]), np.array([[0.0, 0.0], [30.0, 0.0], [31, 0]]), 30)
    assert len(m.d) == 2 and m.to_sparse()[0, 1] == 30.0


def test_population_beyond():
    assert population_beyond(np.array([1, 20, 30]), np.array([10, 30, 60]), 15) == 0.9
    assert np.isnan(population_beyond(np.array([1.0]), np.array([0.0]), 15))


def _layers(crs="EPSG:32618"):
    villages = gpd.GeoDataFrame(
        {"pueblo": ["A", "B", "C"], "poblacion": [1000, 500, "nan"]},
        geometry=gpd.points_from_xy([500_000, 510_000, 560_000], [500_000, 500_000, 500_000]),
        crs=crs,
    )
    services = gpd.GeoDataFrame(
        {
            "name": ["Hospital", "Harm reduction hub"],
            "amenity": ["hospital", "clinic"],
            "facility_type": ["hospital", "harm-reduction"],
            "beds": [10, "nan"],
        },
        geometry=gpd.points_from_xy([501_000, 512_000], [500_000, 500_000]),
        crs=crs,
    )
    demand = Layer(
        villages,
        "villages",
        role=Role.SETTLEMENTS,
        mapping=FieldMapping({"population": "poblacion", "name": "pueblo"}),
    )
    supply = Layer(
        services,
        "services",
        role=Role.HEALTH_SERVICES,
        mapping=FieldMapping({"facility_type": "facility_type", "name": "name"}),
    )
    return demand, supply


def test_algorithm_on_layers_reports_nearest_name_and_beyond_share():
    demand, supply = _layers()
    res = execute(
        HealthAccess(),
        {"demand": demand, "supply": supply, "method": "2sfca", "catchment_m": 15_000},
        feedback=Feedback(),
    )
    out = res.layers["access"]
    assert out["nearest_name"].tolist() == ["Hospital", "Harm reduction hub", "Harm reduction hub"]
    assert out["nearest_m"].tolist() == pytest.approx([1000, 2000, 48_000])
    assert out["beyond_reach"].tolist() == [False, False, True]
    assert res.summary["share_beyond_catchment"] == 0.0  # C has no population (counted as 0)
    assert any("no population" in n for n in res.notes)
    # A and B both reach both services: R = 1/1500 each, A = 2/1500 -> 1.333 per 1,000
    assert out["access_per_1000"].iloc[0] == pytest.approx(2000 / 1500)
    assert res.summary["mean_access_per_1000"] == pytest.approx(2 * 1000 / 1500)


def test_facility_type_filter_and_capacity_field():
    demand, supply = _layers()
    res = execute(
        HealthAccess(),
        {
            "demand": demand,
            "supply": supply,
            "facility_type": "Harm reduction",
            "catchment_m": 5000,
            "method": "nearest",
        },
        feedback=Feedback(),
    )
    out = res.layers["access"]
    assert set(out["nearest_name"]) == {"Harm reduction hub"}
    assert out["beyond_reach"].tolist() == [True, False, True]
    assert res.summary["share_beyond_catchment"] == pytest.approx(1000 / 1500)
    res = execute(
        HealthAccess(),
        {"demand": demand, "supply": supply, "supply_field": "beds", "catchment_m": 15000},
        feedback=Feedback(),
    )
    assert any("no beds" in n for n in res.notes)
    assert res.summary["supply_total"] == 10


def test_polygons_as_demand_use_centroids():
    import shapely

    demand, supply = _layers()
    regions = gpd.GeoDataFrame(
        {"pop": [100, 200]},
        geometry=[
            shapely.box(499_000, 499_000, 501_000, 501_000),
            shapely.box(590_000, 590_000, 592_000, 592_000),
        ],
        crs="EPSG:32618",
    )
    res = execute(
        HealthAccess(),
        {
            "demand": Layer(regions, "r"),
            "demand_field": "pop",
            "supply": supply,
            "method": "e2sfca",
            "bands": "5000,10000,15000",
            "band_weights": [1, 0.5, 0.25],
        },
        feedback=Feedback(),
    )
    out = res.layers["access"]
    assert out["nearest_m"].iloc[0] == pytest.approx(1000)
    assert res.summary["share_beyond_catchment"] == pytest.approx(200 / 300)
    assert res.summary["bands_m"] == [5000, 10000, 15000]


def test_bad_input_is_a_clear_message():
    demand, supply = _layers()
    with pytest.raises(ValueError, match="demand-field"):
        execute(
            HealthAccess(),
            {"demand": Layer(demand.data, "x"), "supply": supply},
            feedback=Feedback(),
        )
    with pytest.raises(ValueError, match="bands"):
        execute(
            HealthAccess(),
            {"demand": demand, "supply": supply, "method": "e2sfca", "bands": "3,2,1"},
            feedback=Feedback(),
        )
    with pytest.raises(ValueError, match="facility type"):
        execute(
            HealthAccess(),
            {
                "demand": demand,
                "supply": Layer(supply.data[["geometry"]], "s"),
                "facility_type": "clinic",
            },
            feedback=Feedback(),
        )


def test_cancel():
    demand, supply = _layers()
    fb = Feedback()
    fb.cancel()
    with pytest.raises(Canceled):
        execute(HealthAccess(), {"demand": demand, "supply": supply}, feedback=fb)
