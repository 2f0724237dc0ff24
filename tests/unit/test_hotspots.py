"""Hot spots: QGIS quartic kernel by hand, esda's Gi* fixture, FDR bins, emerging categories."""

from __future__ import annotations

import math
import threading

import geopandas as gpd
import numpy as np
import pytest

from analysis.base import Canceled, Feedback
from analysis.hotspots import (
    HotSpots,
    confidence_bins,
    emerging_categories,
    fdr_significant,
    gi_star,
    grid_for_extent,
    grid_weights,
    mann_kendall,
    quartic_kde,
    quartic_kernel,
)
from layers.layer import Layer
from layers.roles import FieldMapping, Role

ESDA_POINTS = [(10, 10), (20, 10), (40, 10), (15, 20), (30, 20), (30, 30)]
ESDA_Y = [2, 3, 3.2, 5, 8, 7]
ESDA_ZS = [-1.397, -0.289, 0.651, -0.289, 1.235, 2.024]


def test_quartic_kernel_values():
    assert quartic_kernel(np.array([0.0, 5.0, 10.0, 10.0001]), 10.0).tolist() == pytest.approx(
        [1.0, 0.5625, 0.0, 0.0]
    )


def test_kde_matches_a_hand_computation_on_a_small_grid():
    # Two points 10 m apart, r = 10, cell = 5: extent (0,0)-(10,0) grown by 10 -> 30 x 20 m,
    # cols = ceil(30/5)+1 = 7, rows = ceil(20/5)+1 = 5, top-left corner (-10, 10).
    pts = np.array([[0.0, 0.0], [10.0, 0.0]])
    grid, kde = quartic_kde(pts, radius=10.0, cell=5.0)
    assert (grid.rows, grid.cols) == (5, 7)
    assert grid.geotransform == (-10.0, 5.0, 0.0, 10.0, 0.0, -5.0)
    xs, ys = grid.centres()
    expected = np.zeros((5, 7))
    for r, cy in enumerate(ys):
        for c, cx in enumerate(xs):
            for px, py in pts:
                d = math.hypot(cx - px, cy - py)
                if d <= 10.0:
                    expected[r, c] += (1 - (d / 10.0) ** 2) ** 2
    np.testing.assert_allclose(kde, expected, rtol=0, atol=1e-12)
    # cell centred at (2.5, -2.5): d to (0,0) = d to (10,0)? no: sqrt(12.5) and sqrt(62.5)
    r, c = 2, 2  # centre x = -10 + 12.5 = 2.5, y = 10 - 12.5 = -2.5
    assert (xs[c], ys[r]) == (2.5, -2.5)
    hand = (1 - 12.5 / 100) ** 2 + (1 - 62.5 / 100) ** 2
    assert kde[r, c] == pytest.approx(hand)
    assert hand == pytest.approx(0.765625 + 0.140625)


def test_kde_weights_and_scaling():
    pts = np.array([[0.0, 0.0]])
    _, raw = quartic_kde(pts, radius=100.0, cell=10.0, weights=np.array([3.0]))
    _, scaled = quartic_kde(pts, radius=100.0, cell=10.0, weights=np.array([3.0]), scaled=True)
    assert raw.max() == pytest.approx(3 * (1 - (math.hypot(5, 5) / 100) ** 2) ** 2)
    k = 116.0 / (5.0 * math.pi * 100.0**2) * 15.0 / 16.0
    np.testing.assert_allclose(scaled, raw * k)


def test_kde_is_fast_and_stamps_everything(benchmark_points=20_000):
    rng = np.random.default_rng(1)
    pts = rng.uniform(0, 50_000, size=(benchmark_points, 2))
    grid, kde = quartic_kde(pts, radius=2000.0, cell=500.0)
    # Interior total mass: each point contributes Σ kernel over its window (≈ π r²/3 / cell²).
    per_point = math.pi * 2000.0**2 / 3 / 500.0**2
    assert kde.sum() / benchmark_points == pytest.approx(per_point, rel=0.02)
    assert grid.rows * grid.cols == kde.size


def test_gi_star_matches_the_esda_docstring_fixture():
    w = grid_weights(np.array(ESDA_POINTS, dtype=float), 15.0)
    res = gi_star(np.array(ESDA_Y), w, permutations=99)
    np.testing.assert_allclose(res["z"], ESDA_ZS, atol=5e-4)
    again = gi_star(np.array(ESDA_Y), w, permutations=99)
    np.testing.assert_array_equal(res["p_sim"], again["p_sim"])  # fixed seed


def test_fdr_is_benjamini_hochberg():
    p = np.array([0.01, 0.04, 0.03, 0.20])
    # sorted 0.01, 0.03, 0.04, 0.20 vs 0.05 * k/4 = 0.0125, 0.025, 0.0375, 0.05
    assert fdr_significant(p, 0.05).tolist() == [True, False, False, False]
    assert fdr_significant(np.array([0.01, 0.02, 0.03, 0.04]), 0.05).all()


def test_confidence_bins_use_sign_of_z():
    z = np.array([3.0, -3.0, 2.0, 0.1])
    p = np.array([0.001, 0.001, 0.04, 0.9])
    assert confidence_bins(z, p, fdr=False).tolist() == [3, -3, 2, 0]


def test_mann_kendall_and_emerging_categories():
    years = 6
    z = np.array(
        [
            [2, 3, 4, 5, 6, 7],  # rising -> intensifying
            [3, 3.1, 2.9, 3, 3.05, 2.95],  # flat -> persistent
            [6, 5, 4, 3, 2.5, 2.1],  # falling -> diminishing
            [0, 0, 0, 0, 0, 3],  # new
            [3, 3, 3, 3, 3, 0],  # historical
            [0, 0, 0, 0, 0, 0],
        ],
        dtype=float,
    )
    hot = z >= 1.96
    mk_z, mk_p = mann_kendall(z)
    assert mk_z[0] > 0 and mk_p[0] < 0.05
    assert mk_z[2] < 0 and mk_p[2] < 0.05
    cat, _, _ = emerging_categories(z, hot, np.zeros(len(z), dtype=bool))
    assert cat.tolist() == [
        "intensifying",
        "persistent",
        "diminishing",
        "new",
        "historical",
        "none",
    ]
    assert z.shape[1] == years


def _events_layer(xy, years=None, crs="EPSG:32618") -> Layer:
    data = {"fatalities": np.ones(len(xy))}
    mapping = FieldMapping()
    if years is not None:
        data["year"] = years
        mapping = FieldMapping({"year": "year", "fatalities": "fatalities"})
    gdf = gpd.GeoDataFrame(data, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=crs)
    return Layer(gdf, "events", role=Role.VIOLENCE, mapping=mapping)


def _cluster_points(seed=3):
    rng = np.random.default_rng(seed)
    background = rng.uniform(500_000, 540_000, size=(300, 2))
    cluster = rng.normal(520_000, 800, size=(300, 2))
    return np.vstack([background, cluster])


def test_algorithm_gi_star_finds_the_planted_cluster():
    layer = _events_layer(_cluster_points())
    res = HotSpots().run(
        {"events": layer, "method": "gi_star", "cell_m": 2000, "permutations": 199}, Feedback()
    )
    cells = res.layers["hotspots"]
    centre = cells[cells.contains(gpd.points_from_xy([520_000], [520_000], crs=cells.crs)[0])]
    assert int(centre["gi_bin"].iloc[0]) == 3
    assert res.summary["hot"] >= 1
    assert res.summary["fdr"] == "Benjamini-Hochberg"


def test_algorithm_kde_layer_and_summary():
    layer = _events_layer(_cluster_points())
    res = HotSpots().run(
        {
            "events": layer,
            "method": "kde",
            "cell_m": 1000,
            "radius_m": 3000,
            "weight_field": "fatalities",
        },
        Feedback(),
    )
    cells = res.layers["hotspots"]
    assert (cells["density"] > 0).all()
    assert res.summary["radius_m"] == 3000
    top = cells.loc[cells["density"].idxmax()].geometry.centroid
    assert abs(top.x - 520_000) < 3000 and abs(top.y - 520_000) < 3000


def test_algorithm_gi_star_on_polygons_uses_queen_weights():
    import shapely

    boxes = [
        shapely.box(
            500_000 + i * 10_000, 500_000 + j * 10_000, 510_000 + i * 10_000, 510_000 + j * 10_000
        )
        for i in range(4)
        for j in range(4)
    ] + [shapely.box(600_000, 600_000, 601_000, 601_000)]  # an island touching nothing
    polys = Layer(
        gpd.GeoDataFrame({"code": range(17)}, geometry=boxes, crs="EPSG:32618"),
        "regions",
        role=Role.ADMIN_BOUNDARIES,
    )
    res = HotSpots().run(
        {
            "events": _events_layer(_cluster_points()),
            "method": "gi_star",
            "polygons": polys,
            "permutations": 99,
        },
        Feedback(),
    )
    out = res.layers["hotspots"]
    assert len(out) == 17 and "queen" in res.summary["weights"]
    assert out["events"].sum() == pytest.approx(600, abs=5)
    assert np.isnan(out["z"].iloc[16]) and out["gi_bin"].iloc[16] == 0
    assert any("touch no other" in n for n in res.notes)
    # The hottest polygon is one of the four meeting at the cluster's centre
    hottest = out.geometry.iloc[int(out["z"].iloc[:16].idxmax())]
    assert hottest.intersects(shapely.Point(520_000, 520_000))


def test_algorithm_emerging_runs_and_needs_dates():
    xy = _cluster_points()
    years = np.r_[np.repeat(np.arange(2015, 2021), 50), np.repeat(np.arange(2015, 2021), 50)]
    res = HotSpots().run(
        {"events": _events_layer(xy, years), "method": "emerging", "cell_m": 2000}, Feedback()
    )
    assert set(res.summary["categories"]) >= {"new", "persistent", "none"}
    assert res.summary["years"] == [2015, 2020]
    with pytest.raises(ValueError, match="dated"):
        HotSpots().run({"events": _events_layer(xy), "method": "emerging"}, Feedback())


def test_cancel_stops_the_kde():
    fb = Feedback()
    fb.cancel()
    with pytest.raises(Canceled):
        quartic_kde(_cluster_points(), radius=1000.0, cell=100.0, feedback=fb)


def test_cancel_from_another_thread_during_the_algorithm():
    rng = np.random.default_rng(0)
    layer = _events_layer(rng.uniform(0, 400_000, size=(200_000, 2)) + 300_000)
    fb = Feedback(on_progress=lambda p, m: fb.cancel() if p > 0 else None)
    errors: list[BaseException] = []

    def work():
        try:
            HotSpots().run({"events": layer, "method": "kde", "cell_m": 1000}, fb)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    t = threading.Thread(target=work)
    t.start()
    t.join(60)
    assert errors and isinstance(errors[0], Canceled)


def test_too_fine_a_grid_is_a_clear_message():
    with pytest.raises(ValueError, match="larger cell"):
        grid_for_extent((0, 0, 1e7, 1e7), 1.0)


def test_permutation_p_values_are_floored_by_the_number_of_permutations():
    w = grid_weights(np.array(ESDA_POINTS, dtype=float), 15.0)
    res = gi_star(np.array(ESDA_Y), w, permutations=99, p_value="permutation")
    assert (res["p_sim"] >= 1 / 100).all()
    np.testing.assert_allclose(
        res["p_norm"], 2 * (1 - __import__("scipy").stats.norm.cdf(np.abs(res["z"])))
    )
    with pytest.raises(ValueError, match="permutations"):
        gi_star(np.array(ESDA_Y), w, permutations=0, p_value="permutation")
