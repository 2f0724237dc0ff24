"""The web map's packing (cartography/webmap_pack.py) against brute-force versions: the integer
text encoding, counts per cell, rings and their winding, coverage simplification keeping
shared borders, and the most-populous selection."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, MultiPolygon, Polygon, box

from cartography import webmap_pack
from cartography.webmap import _population_steps
from cartography.webmap_pack import (
    aggregate_counts,
    encode_ints,
    fit_zoom,
    pack_ragged,
    pack_shapes,
    simplify_shapes,
    spatial_order,
    world_xy,
)
from cartography.webmap_safe import escape


def reference_encode(values) -> str:
    """Google's encoded-polyline varints, one value at a time."""
    out = []
    for v in values:
        z = (-v << 1) - 1 if v < 0 else v << 1
        while z >= 32:
            out.append(chr((32 | (z & 31)) + 63))
            z >>= 5
        out.append(chr(z + 63))
    return "".join(out)


def decode(text: str) -> list[int]:
    """What webmap_js.py's `ints` does, in Python."""
    values, result, shift = [], 0, 0
    for ch in text:
        b = ord(ch) - 63
        result |= (b & 31) << shift
        shift += 5
        if b < 32:
            values.append(~(result >> 1) if result & 1 else result >> 1)
            result, shift = 0, 0
    return values


def deltas(text: str) -> np.ndarray:
    return np.cumsum(np.array(decode(text), dtype=np.int64).reshape(-1, 2), axis=0)


def test_encode_ints_matches_the_polyline_algorithm() -> None:
    rng = np.random.default_rng(1)
    edges = [0, 1, -1, 15, 16, -16, -17, 511, 512, 2**15, -(2**15), 2**30 - 1, -(2**30)]
    values = np.concatenate(
        [edges, rng.integers(-(2**30), 2**30, 5_000), rng.integers(-40, 40, 5_000)]
    )
    text = encode_ints(values)
    assert text == reference_encode(values.tolist())
    assert decode(text) == values.tolist()
    assert set(text) <= {chr(c) for c in range(63, 127)}  # never a quote, <, $ or backtick
    assert encode_ints(np.array([], dtype=int)) == ""
    with pytest.raises(ValueError):
        encode_ints(np.array([2**31]))


def test_aggregate_counts_match_a_dictionary() -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(0, 30_000, 20_000)
    y = rng.normal(500_000, 20_000, 20_000)
    cx, cy, counts = aggregate_counts(x, y, 10_000.0)
    expected = Counter(
        (math.floor(a / 10_000), math.floor(b / 10_000)) for a, b in zip(x, y, strict=True)
    )
    got = {
        (math.floor(a / 10_000), math.floor(b / 10_000)): int(c)
        for a, b, c in zip(cx, cy, counts, strict=True)
    }
    assert got == dict(expected)
    assert counts.sum() == len(x)
    assert np.allclose(cx % 10_000, 5_000) and np.allclose(cy % 10_000, 5_000)  # centres


def _brute_rings(geom, polygon: bool) -> list[list[tuple[int, int]]]:
    """Each ring (or line part) as rounded vertices, no closing vertex, no repeats."""
    if polygon:
        parts = getattr(geom, "geoms", [geom])
        rings = [r for p in parts for r in (p.exterior, *p.interiors)]
    else:
        rings = list(getattr(geom, "geoms", [geom]))
    out = []
    for ring in rings:
        pts = [(round(x), round(y)) for x, y in ring.coords]
        if polygon:
            pts = pts[:-1]
        pts = [p for i, p in enumerate(pts) if i == 0 or p != pts[i - 1]]
        if len(pts) >= (3 if polygon else 2):
            out.append(pts)
    return out


def _unpack(packed: dict, n: int) -> list[list[np.ndarray]]:
    xy = deltas(packed["xy"])
    lengths = decode(packed["rl"])
    per_feature = decode(packed["fp"])
    assert len(xy) == packed["nv"] == sum(lengths) and len(per_feature) == n
    starts = np.r_[0, np.cumsum(lengths)]
    features, ring = [], 0
    for count in per_feature:
        features.append([xy[starts[r] : starts[r + 1]] for r in range(ring, ring + count)])
        ring += count
    return features


def _signed_area(ring: np.ndarray) -> float:
    x, y = ring[:, 0].astype(float), ring[:, 1].astype(float)
    return 0.5 * float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))


def test_pack_polygons_and_lines_against_shapely() -> None:
    rng = np.random.default_rng(3)
    polys = []
    for _ in range(60):
        cx, cy = rng.uniform(1e5, 2e5, 2)
        outer = shapely.buffer(shapely.Point(cx, cy), rng.uniform(50, 400), quad_segs=6)
        hole = shapely.buffer(shapely.Point(cx, cy), 20, quad_segs=3)
        shape = outer.difference(hole) if rng.random() < 0.5 else outer
        if rng.random() < 0.3:  # clockwise input: winding must still come out right
            shape = shapely.orient_polygons(shape, exterior_cw=True)
        polys.append(shape)
    polys.append(MultiPolygon([box(0, 0, 10, 10), box(20, 0, 30, 10)]))
    polys.append(Polygon([(0, 0), (0.2, 0), (0.4, 0.1), (0, 0.3)]))  # rounds to nothing
    geoms = np.array(polys, dtype=object)
    features = _unpack(pack_shapes(geoms, polygon=True), len(geoms))
    for geom, rings in zip(geoms, features, strict=True):
        # exteriors counter-clockwise, holes clockwise, as shapely orients them
        want = _brute_rings(shapely.orient_polygons(geom), True)
        assert [r.tolist() for r in rings] == [[list(p) for p in w] for w in want]
        if len(rings) == 2 and not isinstance(geom, MultiPolygon):  # outer ring and hole
            assert _signed_area(rings[0]) > 0 > _signed_area(rings[1])
    assert features[-1] == []  # a polygon smaller than the stored pixel draws nothing
    lines = np.array(
        [LineString(rng.uniform(0, 1e4, (rng.integers(2, 30), 2))) for _ in range(40)],
        dtype=object,
    )
    features = _unpack(pack_shapes(lines, polygon=False), len(lines))
    for geom, rings in zip(lines, features, strict=True):
        want = _brute_rings(geom, False)
        assert [r.tolist() for r in rings] == [[list(p) for p in w] for w in want]


def test_ragged_multipolygon_rings_belong_to_their_feature() -> None:
    geoms = np.array(
        [
            MultiPolygon([box(0, 0, 100, 100), box(200, 0, 300, 100)]),
            box(0, 200, 100, 300).difference(box(40, 240, 60, 260)),
            box(500, 500, 600, 600),
        ],
        dtype=object,
    )
    _kind, coords, offsets = shapely.to_ragged_array(geoms)
    features = _unpack(pack_ragged(coords, offsets, 3, polygon=True), 3)
    assert [len(f) for f in features] == [2, 2, 1]
    assert features[0][1][:, 0].min() == 200 and features[2][0][:, 0].min() == 500


def test_coverage_simplification_keeps_shared_borders() -> None:
    # two municipalities sharing a wiggly border of 400 vertices
    t = np.linspace(0, 1, 400)
    border = np.column_stack([5_000 + 300 * np.sin(t * 40) + 80 * np.sin(t * 333), t * 10_000])
    west = Polygon([(0, 0), *border.tolist(), (0, 10_000)])
    east = Polygon([(10_000, 0), (10_000, 10_000), *border[::-1].tolist()])
    geoms = np.array([west, east], dtype=object)
    kept = simplify_shapes(geoms, "polygon", 50.0, coverage=True)
    assert shapely.get_num_coordinates(kept).sum() < shapely.get_num_coordinates(geoms).sum() / 2
    assert shapely.intersection(kept[0], kept[1]).area == pytest.approx(0, abs=1e-6)
    assert shapely.union_all(kept).area == pytest.approx(1e8, rel=1e-9)  # no gap either
    # simplifying each on its own opens gaps and overlaps: what the coverage path avoids
    apart = simplify_shapes(geoms, "polygon", 50.0, coverage=False)
    assert shapely.intersection(apart[0], apart[1]).area > 1


def test_world_pixels_and_fit_zoom_follow_leaflet() -> None:
    x, y = world_xy(np.array([0.0, -180.0, 180.0]), np.array([0.0, 85.0511287798, 0.0]))
    assert x.tolist() == [webmap_pack.WORLD / 2, 0.0, webmap_pack.WORLD]
    assert y[0] == pytest.approx(webmap_pack.WORLD / 2) and y[1] == pytest.approx(0, abs=1e-3)
    assert fit_zoom((-180, -85.05, 180, 85.05), (256, 256)) == 0.0
    # 2 degrees of longitude in 1,200 px: 360/2 * 1200/256 = 843.75 -> log2 = 9.72 -> 9.5
    assert fit_zoom((-77, 0, -75, 0.001), (1200, 800)) == 9.5


def test_spatial_order_is_a_permutation_that_groups_neighbours() -> None:
    rng = np.random.default_rng(4)
    x, y = rng.uniform(0, 1e6, 5_000), rng.uniform(0, 1e6, 5_000)
    order = spatial_order(x, y)
    assert sorted(order.tolist()) == list(range(5_000))
    step = np.hypot(np.diff(x[order]), np.diff(y[order]))
    assert np.median(step) < np.median(np.hypot(np.diff(x), np.diff(y))) / 5


def test_most_populous_selection_steps() -> None:
    class Named:
        name = "Centros <b>"

    population = np.arange(10_000)[::-1].astype(float)
    population[5] = np.nan  # unknown population goes last
    order, sel = _population_steps(Named(), population, 6.25)
    assert order[0] == 0 and order[-1] == 5
    assert [k for k, _ in sel["steps"]] == [1_500, 6_000, 10_000] and sel["z0"] == 6.25
    assert "(population 8,499 or more)" in sel["steps"][0][1]
    assert "Centros &lt;b&gt;" in sel["steps"][0][1] and "all 10,000" in sel["steps"][2][1]


def test_escape_breaks_web_addresses_and_template_openers() -> None:
    assert escape("see https://healthsites.io/x") == "see https&#58;&#47;&#47;healthsites.io/x"
    assert (
        escape("HTTP://a //b javascript:x") == "HTTP&#58;&#47;&#47;a &#47;&#47;b javascript&#58;x"
    )
    assert "{{" not in escape("{{ 7*7 }}") and "{%" not in escape("{% x %}")
    assert escape("{y}") == "{y}"  # single braces are plain text


@pytest.mark.timeout(30)
def test_address_check_is_linear_on_long_packed_runs() -> None:
    """A national page's packed coordinates are long letter runs: the check once took minutes."""
    from cartography.webmap_safe import page_addresses

    run = "abcdefghij0123456789" * 20_000  # 400,000 scheme-like characters, no address
    assert page_addresses(f"<script>var d='{run}';</script>") == []
    assert page_addresses(f"x {run}https://host/y") == [f"{run}https://host/y"[:80]]
