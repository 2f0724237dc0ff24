"""The national-scale environment functions against references on random footprints,
meandering rivers and parks with holes: hectares and river km must agree to 1e-6 relative.

Areas are checked against their plain definitions (a footprint intersected with the union of
the parks, or of the buffered water), which share none of the pair search and grouping the
fast functions use; the other references are the straightforward code they replaced."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from analysis.environment import (
    _area_by_group,
    _boundaries,
    _labels,
    _line_pieces,
    _total,
    dissolve,
    distance_km,
    footprint_clusters,
    new_cultivation_hectares,
    protected_hectares,
    river_km_in_drift,
    union_hectares,
    water_drift_hectares,
    within_distance,
)

M2_PER_HA = 10_000.0
RTOL, ATOL = 1e-6, 1e-9


# --- the previous definitions (reference) --------------------------------------------------
def old_pairs(tree_geoms, query_geoms, predicate, distance=None):
    if len(tree_geoms) == 0 or len(query_geoms) == 0:
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    tree = shapely.STRtree(tree_geoms)
    if predicate == "dwithin":
        return tree.query(query_geoms, predicate="dwithin", distance=distance)
    return tree.query(query_geoms, predicate=predicate)


def defined_area_by_group(pieces, groups, n):
    """Area of the union of each group's pieces, one union per group."""
    return np.array([shapely.union_all(pieces[groups == g]).area for g in range(n)])


def defined_protected_hectares(footprints, protected, categories=None):
    """Hectares of each footprint inside the union of the parks (of each category, where any
    park of the category meets a footprint): the definition, one intersection per footprint."""

    def inside(parks):
        return shapely.area(shapely.intersection(footprints, shapely.union_all(parks))) / M2_PER_HA

    by_category = {}
    for cat in pd.unique(categories) if categories is not None else []:
        parks = protected[categories == cat]
        if shapely.intersects(footprints[:, None], parks[None, :]).any():
            by_category[str(cat)] = inside(parks)
    return inside(protected), by_category


def defined_water_drift_hectares(footprints, water, drift):
    """Hectares of each footprint within `drift` metres of water: inside the buffered union."""
    reach = shapely.union_all(shapely.buffer(water, drift))
    return shapely.area(shapely.intersection(footprints, reach)) / M2_PER_HA


def old_river_km_in_drift(footprints, rivers, drift):
    lines = rivers[np.isin(shapely.get_type_id(rivers), (1, 2, 5))]
    q, t = old_pairs(lines, footprints, "dwithin", drift)
    out = np.zeros(len(footprints))
    if len(q):
        reach = shapely.buffer(footprints[q], drift)
        np.add.at(out, q, shapely.length(shapely.intersection(lines[t], reach)))
    return out / 1000.0


def old_distance_km(geoms, others):
    tree = shapely.STRtree(others)
    return shapely.distance(geoms, others[tree.nearest(geoms)]) / 1000.0


def old_new_cultivation(q, cells, fp_years, ha, years, n_after, n):
    per_fp = np.zeros(n)
    best: dict[int, float] = {}
    yarr = np.asarray(years)
    for i, cell in zip(q, cells, strict=True):
        y0 = fp_years[i]
        if not np.isfinite(y0):
            continue
        before = (yarr >= y0 - n_after) & (yarr <= y0)
        after = (yarr > y0) & (yarr <= y0 + n_after)
        if not after.any() or not before.any():
            continue
        if ha[cell, before].sum() == 0 and ha[cell, after].max() > 0:
            value = float(ha[cell, after].max())
            per_fp[i] += value
            best[int(cell)] = max(best.get(int(cell), 0.0), value)
    return per_fp, float(sum(best.values()))


# --- random data ---------------------------------------------------------------------------
def walk(rng, start, n, step, turn):
    heading = rng.uniform(0, 2 * np.pi) + np.cumsum(rng.normal(0, turn, n - 1))
    steps = np.column_stack([np.cos(heading), np.sin(heading)]) * step
    return np.vstack([start, start + np.cumsum(steps, axis=0)])


def star(rng, centre, radius, n, hole=False):
    a = np.linspace(0, 2 * np.pi, n, endpoint=False)
    wobble = sum(rng.normal(0, 0.2 / k) * np.cos(k * a + rng.uniform(0, 6)) for k in range(1, 12))
    r = radius * np.clip(1 + wobble + rng.normal(0, 0.01, n), 0.4, None)
    ring = np.column_stack([centre[0] + r * np.cos(a), centre[1] + r * np.sin(a)])
    holes = []
    if hole:
        h = np.linspace(0, 2 * np.pi, 40, endpoint=False)
        holes.append(
            np.column_stack(
                [centre[0] + 0.2 * radius * np.cos(h), centre[1] + 0.2 * radius * np.sin(h)]
            )
        )
    return shapely.make_valid(shapely.Polygon(ring, holes))


@pytest.fixture(scope="module")
def world():
    rng = np.random.default_rng(20240613)
    size = 30_000.0
    rivers = [
        shapely.linestrings(walk(rng, rng.uniform(0, size, 2), 160, rng.uniform(60, 200), 0.4))
        for _ in range(14)
    ]
    rivers.append(
        shapely.multilinestrings(
            [walk(rng, rng.uniform(0, size, 2), 80, 120, 0.4) for _ in range(2)]
        )
    )
    lake = star(rng, rng.uniform(0, size, 2), 1500, 300)
    water = np.array([*rivers, lake], dtype=object)
    parks = np.array(
        [
            star(rng, rng.uniform(0, size, 2), rng.uniform(2000, 9000), 600, hole=i % 2 == 0)
            for i in range(8)
        ],
        dtype=object,
    )
    categories = np.array(["II", "VI", "II", "Ia", "not reported", "VI", "V", "II"], dtype=object)
    # Footprints clustered on rivers, park edges and the lake shore, so they overlap and
    # cross edges, and a few clusters anywhere.
    hot = np.vstack(
        [
            shapely.get_coordinates(water[rng.integers(0, 15, 5)])[::97][:5],
            [shapely.get_coordinates(g)[0] for g in (*parks[:3], lake)],
            rng.uniform(0, size, (2, 2)),
        ]
    )
    n = 320
    xy = hot[rng.integers(0, len(hot), n)] + rng.normal(0, 1200, (n, 2))
    ha = np.exp(rng.uniform(0, np.log(50), n))
    aspect = rng.uniform(1, 6, n)
    width = np.sqrt(ha * 1e4 / aspect)
    boxes = shapely.box(-aspect * width / 2, -width / 2, aspect * width / 2, width / 2)
    shapes = []
    for i in range(n):
        g = boxes[i]
        if i % 3 == 1:  # irregular, along a short walk
            g = shapely.buffer(
                shapely.linestrings(walk(rng, (0, 0), 6, aspect[i] * width[i] / 5, 0.6)),
                width[i] / 2,
                quad_segs=3,
            )
        elif i % 7 == 2:  # a field with an unsprayed hole
            g = shapely.difference(g, shapely.buffer(shapely.Point(0, 0), width[i] / 4))
        angle = rng.uniform(0, 180)
        shapes.append(
            shapely.affinity.translate(shapely.affinity.rotate(g, angle, origin=(0, 0)), *xy[i])
        )
    shapes += [shapes[5], shapes[40]]  # sprayed twice: exact duplicates
    shapes.append(
        shapely.MultiPolygon([shapes[7], shapely.box(*(xy[8] - 100), *(xy[8] + 100))]).buffer(0)
    )
    footprints = np.array(shapes, dtype=object)
    border = shapely.linestrings(
        np.column_stack(
            [
                np.linspace(-5000, size + 5000, 2500),
                size + 3000 + np.cumsum(rng.normal(0, 40, 2500)),
            ]
        )
    )
    return {
        "footprints": footprints,
        "water": water,
        "parks": parks,
        "categories": categories,
        "border": border,
    }


def close(new, old):
    np.testing.assert_allclose(new, old, rtol=RTOL, atol=ATOL)


def test_the_random_world_exercises_every_case(world) -> None:
    fps = world["footprints"]
    total, _ = defined_protected_hectares(fps, world["parks"], None)
    area = shapely.area(fps) / M2_PER_HA
    assert ((total > 0) & (total < area - 1e-6)).sum() > 10  # footprints crossing a park's edge
    assert (np.abs(total - area) < 1e-9).sum() > 10  # footprints wholly inside
    assert (defined_water_drift_hectares(fps, world["water"], 10.0) > 0).sum() > 10
    assert (defined_water_drift_hectares(fps, world["water"][-1:], 0.0) > 0).sum() > 3  # the lake
    clusters = footprint_clusters(fps, 20.0)
    assert np.bincount(clusters).max() > 10  # overlapping footprints chain into clusters


def test_protected_hectares_as_before(world) -> None:
    fps, parks, cats = world["footprints"], world["parks"], world["categories"]
    total, by_cat = protected_hectares(fps, parks, cats)
    old_total, old_by_cat = defined_protected_hectares(fps, parks, cats)
    close(total, old_total)
    assert by_cat.keys() == old_by_cat.keys()
    for cat in by_cat:
        close(by_cat[cat], old_by_cat[cat])


@pytest.mark.parametrize("drift", [0.0, 10.0, 60.0])
def test_water_drift_and_river_km_as_before(world, drift) -> None:
    fps, water = world["footprints"], world["water"]
    close(water_drift_hectares(fps, water, drift), defined_water_drift_hectares(fps, water, drift))
    close(river_km_in_drift(fps, water, drift), old_river_km_in_drift(fps, water, drift))


@pytest.mark.parametrize("distance", [0.0, 100.0, 4000.0])
def test_within_distance_as_before(world, distance) -> None:
    fps = world["footprints"]
    towns = shapely.points(np.random.default_rng(3).uniform(0, 30_000, (200, 2)))
    for others in (world["water"], np.array([world["border"]]), towns):
        q, _ = old_pairs(others, fps, "dwithin", distance)
        expected = np.isin(np.arange(len(fps)), q)
        assert (within_distance(fps, others, distance) == expected).all()


@pytest.mark.parametrize("drift", [0.0, 10.0, 60.0])
def test_totals_by_cluster_as_on_the_union_of_all(world, drift) -> None:
    fps, water, parks, cats = (world[k] for k in ("footprints", "water", "parks", "categories"))
    union = np.array([shapely.union_all(fps)])
    clusters = footprint_clusters(fps, 2 * drift)
    dissolved = dissolve(fps, clusters)
    alone, unions = dissolved.alone, dissolved.unions
    assert 0 < alone.sum() < len(fps)
    area = union[0].area / M2_PER_HA
    assert union_hectares(fps, clusters) == pytest.approx(area, rel=RTOL)
    assert union_hectares(fps, clusters, dissolved=dissolved) == pytest.approx(area, rel=RTOL)
    total, by_cat = protected_hectares(fps, parks, cats)
    on_unions, by_cat_unions = protected_hectares(unions, parks, cats)
    old_total, old_by_cat = defined_protected_hectares(union, parks, cats)
    assert _total(total, alone, on_unions) == pytest.approx(old_total[0], rel=RTOL)
    for cat, old in old_by_cat.items():
        assert _total(by_cat[cat], alone, by_cat_unions[cat]) == pytest.approx(old[0], rel=RTOL)
    for new, old in (
        (water_drift_hectares, defined_water_drift_hectares),
        (river_km_in_drift, old_river_km_in_drift),
    ):
        mine = _total(new(fps, water, drift), alone, new(unions, water, drift))
        assert mine == pytest.approx(old(union, water, drift)[0], rel=RTOL)
    # and on a subset (the footprints breaking a rule): clusters chosen whole, partly, not at all
    some = np.arange(len(fps)) % 3 == 0
    some |= np.isin(clusters, dissolved.labels[:3])
    some &= ~np.isin(clusters, dissolved.labels[3:5])
    expected = shapely.union_all(fps[some]).area / M2_PER_HA
    assert union_hectares(fps, clusters, some, dissolved) == pytest.approx(expected, rel=RTOL)
    assert union_hectares(fps[some], clusters[some]) == pytest.approx(expected, rel=RTOL)


@pytest.mark.parametrize("max_vertices", [2, 3, 17])
def test_line_pieces_add_up_to_the_lines(world, max_vertices) -> None:
    water = world["water"]
    geoms = np.array(
        [*water, None, shapely.LineString(), shapely.Point(1, 2), shapely.box(0, 0, 1, 1)],
        dtype=object,
    )
    geoms[3] = shapely.LineString([(0, 0), (5, 0)])  # two vertices: one piece
    pieces, owner = _line_pieces(geoms, max_vertices)
    lines = np.isin(shapely.get_type_id(pieces), (1, 2))
    assert (shapely.get_num_coordinates(pieces[lines]) <= max_vertices).all()
    lengths = np.bincount(owner, shapely.length(pieces) * lines, minlength=len(geoms))
    kind = shapely.get_type_id(geoms)
    expected = np.where(np.isin(kind, (1, 5)), shapely.length(geoms), 0.0)
    close(lengths, np.nan_to_num(expected))
    assert sorted(owner[~lines]) == [len(water) - 1, len(geoms) - 2, len(geoms) - 1]
    assert len(_line_pieces(geoms[-2:])[0]) == 2  # points and polygons only
    assert len(_line_pieces(geoms[:0])[0]) == 0


@pytest.mark.parametrize("distance", [0.0, 20.0, 150.0])
def test_clusters_are_the_footprints_connected_within_the_distance(world, distance) -> None:
    fps = np.append(world["footprints"], None)  # a record without geometry stays alone
    q, t = old_pairs(fps, fps, "dwithin" if distance else "intersects", distance)
    graph = coo_matrix((np.ones(len(q)), (q, t)), shape=(len(fps), len(fps)))
    expected = connected_components(graph, directed=False)[1]
    labels = footprint_clusters(fps, distance)
    assert (pd.factorize(labels)[0] == pd.factorize(expected)[0]).all()
    assert len(np.unique(labels)) < len(fps) - 20


def test_area_by_group_unions_overlapping_pieces(world) -> None:
    fps = world["footprints"]
    rng = np.random.default_rng(1)
    groups = rng.integers(0, 60, len(fps))  # groups of every size, some with one piece
    groups[:5] = 70
    close(_area_by_group(fps, groups, 80), defined_area_by_group(fps, groups, 80))


@pytest.mark.parametrize("as_polygon", [False, True])
def test_border_distance_as_before(world, as_polygon) -> None:
    fps, line = world["footprints"], world["border"]
    border = np.array([line])
    if as_polygon:  # the neighbouring country given as a polygon
        x0, y0, x1, y1 = shapely.bounds(line)
        ring = np.vstack([shapely.get_coordinates(line), [[x1 + 9000, y1], [x1 + 9000, y0]]])
        border = np.array([shapely.Polygon(ring)])
    lines = _boundaries(border)
    np.testing.assert_allclose(distance_km(fps, lines), old_distance_km(fps, lines), atol=1e-9)


def test_new_cultivation_as_before() -> None:
    rng = np.random.default_rng(5)
    n_fp, n_cells, years = 400, 300, np.arange(2014, 2024)
    ha = np.where(
        rng.random((n_cells, len(years))) < 0.4, rng.uniform(0, 5, (n_cells, len(years))), 0.0
    )
    fp_years = rng.integers(2012, 2026, n_fp).astype(float)
    fp_years[::37] = np.nan  # undated footprints
    q = rng.integers(0, n_fp, 5000)
    cells = rng.integers(0, n_cells, 5000)
    for n_after in (1, 2, 3):
        per_fp, total = new_cultivation_hectares(q, cells, fp_years, ha, years, n_after)
        old_per_fp, old_total = old_new_cultivation(q, cells, fp_years, ha, years, n_after, n_fp)
        close(per_fp, old_per_fp)
        assert total == pytest.approx(old_total, rel=1e-12)
        assert per_fp.sum() > 0


def test_labels_as_before() -> None:
    rng = np.random.default_rng(2)
    flags = {name: rng.random(50) < 0.4 for name in ("II", "Ia", "VI")}
    old = [", ".join(c for c in flags if flags[c][i]) for i in range(50)]
    assert _labels(flags, 50) == old
