"""Hot spots: QGIS quartic kernel by hand, esda's Gi* fixture, FDR bins, emerging categories."""

from __future__ import annotations

import math
import threading

import geopandas as gpd
import numpy as np
import pytest

from analysis import hotspots
from analysis.base import Canceled, Feedback
from analysis.gi_grid import band_kernel, gi_star_grid, window_sum
from analysis.hotspot_stats import (
    confidence_bins,
    emerging_categories,
    fdr_significant,
    mann_kendall,
)
from analysis.hotspots import (
    CellGrid,
    HotSpots,
    gi_star,
    grid_for_extent,
    grid_gi_star,
    grid_weights,
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


# --- Gi* on a grid as window sums, against esda and brute force -------------------------------
def _small_grid(rows=30, cols=40, cell=1000.0) -> CellGrid:
    return CellGrid(500_000.0, 9_000_000.0, cell, rows, cols)


@pytest.mark.parametrize("radius_cells", [1.0, 1.5, 2.3, 3.7])
@pytest.mark.parametrize("kind", ["counts", "weights"])
def test_grid_gi_star_equals_esda_g_local(radius_cells, kind):
    grid = _small_grid()
    rng = np.random.default_rng(int(radius_cells * 10))
    n = grid.rows * grid.cols
    y = rng.poisson(0.4, n).astype(float) if kind == "counts" else rng.gamma(0.3, 2.0, n)
    radius = radius_cells * grid.cell
    fast = grid_gi_star(grid, y, radius)
    esda = gi_star(y, grid_weights(grid.centre_points(), radius), permutations=0)
    np.testing.assert_allclose(fast["z"], esda["z"], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(fast["gi"], esda["gi"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(fast["p_norm"], esda["p_norm"], rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(fast["gi_bin"], esda["gi_bin"])


def test_grid_gi_star_takes_esda_permutations_on_small_grids():
    grid = _small_grid(12, 15)
    y = np.random.default_rng(5).poisson(0.5, grid.rows * grid.cols).astype(float)
    fast = grid_gi_star(grid, y, 1500.0, permutations=99, p_value="permutation")
    esda = gi_star(
        y, grid_weights(grid.centre_points(), 1500.0), permutations=99, p_value="permutation"
    )
    np.testing.assert_array_equal(fast["p_sim"], esda["p_sim"])
    np.testing.assert_array_equal(fast["gi_bin"], esda["gi_bin"])


def test_grid_gi_star_of_a_constant_grid_has_no_z():
    grid = _small_grid(5, 6)
    res = grid_gi_star(grid, np.zeros(30), 1500.0)
    assert (res["z"] == 0).all() and res["gi"].isna().all() and (res["gi_bin"] == 0).all()


@pytest.mark.parametrize("radius_cells", [0.5, 1.0, 1.5, 2.9, 6.0])
def test_window_sum_is_a_brute_force_disc_sum(radius_cells):
    rng = np.random.default_rng(1)
    values = rng.normal(size=(17, 23))
    kernel = band_kernel(radius_cells * 100.0, 100.0)
    reach = kernel.shape[0] // 2
    expected = np.zeros_like(values)
    for r in range(values.shape[0]):
        for c in range(values.shape[1]):
            for dr in range(-reach, reach + 1):
                for dc in range(-reach, reach + 1):
                    rr, cc = r + dr, c + dc
                    inside = 0 <= rr < values.shape[0] and 0 <= cc < values.shape[1]
                    if inside and math.hypot(dr, dc) <= radius_cells + 1e-12:
                        expected[r, c] += values[rr, cc]
    np.testing.assert_allclose(window_sum(values, kernel), expected, atol=1e-12)


def _fdr_by_argsort(p, alpha):
    """The previous implementation: a full stable sort of every p-value."""
    m = np.isfinite(p).sum()
    out = np.zeros(p.shape, dtype=bool)
    order = np.argsort(np.where(np.isfinite(p), p, np.inf), kind="stable")
    passed = p[order] <= alpha * np.arange(1, len(p) + 1) / m
    if passed.any():
        out[order[: np.flatnonzero(passed).max() + 1]] = True
    return out


def test_fdr_matches_a_full_sort_with_ties_and_nans():
    rng = np.random.default_rng(7)
    for trial in range(20):
        p = np.round(rng.beta(0.3, 3.0, 5000), 3 if trial % 2 else 6)  # rounding makes ties
        p[rng.random(5000) < 0.05] = np.nan
        for alpha in (0.01, 0.05, 0.10):
            np.testing.assert_array_equal(fdr_significant(p, alpha), _fdr_by_argsort(p, alpha))


def test_mann_kendall_matches_the_pairwise_formula():
    rng = np.random.default_rng(3)
    x = np.round(rng.normal(size=(500, 9)), 1)  # rounding makes ties
    i, j = np.triu_indices(9, k=1)
    s = np.sign(x[:, j] - x[:, i]).sum(axis=1)
    sd = math.sqrt(9 * 8 * 23 / 18.0)
    expected = np.where(s > 0, (s - 1) / sd, np.where(s < 0, (s + 1) / sd, 0))
    z, p = mann_kendall(x)
    np.testing.assert_allclose(z, expected, atol=1e-12)
    assert ((p > 0) & (p <= 1)).all()


def test_algorithm_gi_star_grid_equals_esda_and_writes_only_cells_near_events():
    xy = _cluster_points()
    res = HotSpots().run(
        {"events": _events_layer(xy), "method": "gi_star", "cell_m": 2000, "permutations": 0},
        Feedback(),
    )
    s = res.summary
    grid = CellGrid(s["geotransform"][0], s["geotransform"][3], 2000.0, s["rows"], s["cols"])
    y = np.bincount(grid.cell_index(xy[:, 0], xy[:, 1]), minlength=s["n"])
    esda = gi_star(y, grid_weights(grid.centre_points(), 3000.0), permutations=0)
    cells = res.layers["hotspots"]
    flat = cells["row"].to_numpy() * grid.cols + cells["col"].to_numpy()
    np.testing.assert_allclose(cells["z"], esda["z"].to_numpy()[flat], rtol=1e-9, atol=1e-9)
    # Left out: exactly the cells without an event within 3 km (none of them significant).
    has = (y > 0).reshape(grid.shape).astype(float)
    near = window_sum(has, band_kernel(3000.0, 2000.0)).ravel() > 0
    assert set(flat) == set(np.flatnonzero(near | (esda["gi_bin"].to_numpy() != 0)))
    assert s["cells_written"] == len(cells) < s["n"]
    assert sum(s["bins"].values()) == s["n"] == grid.rows * grid.cols
    assert any("left out of the layer" in note for note in res.notes)


def test_large_grids_skip_or_refuse_permutations(monkeypatch):
    monkeypatch.setattr(hotspots, "PERMUTATION_MAX_CELLS", 50)
    layer = _events_layer(_cluster_points())
    params = {"events": layer, "method": "gi_star", "cell_m": 2000, "permutations": 99}
    res = HotSpots().run(params, Feedback())
    assert res.layers["hotspots"]["p_sim"].isna().all()
    assert any("No permutation p-values" in note for note in res.notes)
    with pytest.raises(ValueError, match=r"--p-value normal.*--cell-m \d+"):
        HotSpots().run({**params, "p_value": "permutation"}, Feedback())


def test_emerging_reuses_one_band_and_matches_esda_per_year():
    xy = _cluster_points()
    years = np.r_[np.repeat(np.arange(2015, 2021), 50), np.repeat(np.arange(2015, 2021), 50)]
    res = HotSpots().run(
        {"events": _events_layer(xy, years), "method": "emerging", "cell_m": 2000}, Feedback()
    )
    s = res.summary
    grid = CellGrid(s["geotransform"][0], s["geotransform"][3], 2000.0, s["rows"], s["cols"])
    last = years == 2020
    y = np.bincount(grid.cell_index(xy[last, 0], xy[last, 1]), minlength=s["n"])
    esda = gi_star(y, grid_weights(grid.centre_points(), 3000.0), permutations=0)
    cells = res.layers["hotspots"]
    flat = cells["row"].to_numpy() * grid.cols + cells["col"].to_numpy()
    np.testing.assert_allclose(cells["z_last"], esda["z"].to_numpy()[flat], rtol=1e-9, atol=1e-9)
    assert sum(s["categories"].values()) == s["n"] and s["cells_written"] == len(cells)


def test_a_grid_too_big_for_memory_says_how_much_and_which_cell_fits():
    bounds = (200_000.0, -300_000.0, 1_200_000.0, 1_000_000.0)
    with pytest.raises(ValueError, match="larger cell") as err:
        grid_for_extent(bounds, 100.0, bytes_per_cell=hotspots.GI_BYTES_PER_CELL)
    message = str(err.value)
    assert "GB of memory" in message
    fits = float(message.split("--cell-m ")[1].split()[0])
    grid = grid_for_extent(bounds, fits, bytes_per_cell=hotspots.GI_BYTES_PER_CELL)
    assert grid.rows * grid.cols > 1_000_000  # a national 1 km grid is no longer refused
    assert grid_for_extent(bounds, 1000.0, bytes_per_cell=100, written_at_most=10**6)


def test_gi_star_grid_uses_the_neighbour_counts_it_is_given():
    y = np.random.default_rng(2).poisson(0.3, (20, 25)).astype(float)
    kernel = band_kernel(1500.0, 1000.0)
    counts = window_sum(np.ones(y.shape), kernel)
    np.testing.assert_array_equal(gi_star_grid(y, kernel, counts)[1], gi_star_grid(y, kernel)[1])


def test_a_negative_neighbour_distance_is_a_clear_message():
    layer = _events_layer(_cluster_points(), years=np.repeat(np.arange(2015, 2021), 100))
    for method in ("gi_star", "emerging"):
        with pytest.raises(ValueError, match="radius-m"):
            HotSpots().run(
                {"events": layer, "method": method, "cell_m": 2000, "radius_m": -5}, Feedback()
            )
