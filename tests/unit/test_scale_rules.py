"""Scale rules: layers and labels by scale range, crowded points generalised, labels thinned.

The national case (12,000 settlements, tens of thousands of records) must read as a pattern
at 1:8,000,000 and in full detail when zoomed in; the fast label index must decide exactly
as the brute-force overlap test does.
"""

from __future__ import annotations

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import shapely  # noqa: E402
from pyproj import CRS  # noqa: E402

from cartography import symbols  # noqa: E402
from cartography.density import PointDensity  # noqa: E402
from cartography.labels import MAX_LABELS, LabelBoard, place_labels  # noqa: E402
from cartography.render import MapRenderer, MapView, map_scale  # noqa: E402
from layers.layer import Layer  # noqa: E402
from layers.roles import FieldMapping, Role  # noqa: E402
from layers.style import (  # noqa: E402
    SETTLEMENT_LABELS_FROM,
    ScaleRange,
    Style,
    admin_level,
    default_style,
    scale_ranges,
)

CRS_M = CRS.from_epsg(32618)
COUNTRY = 1_000_000.0  # a 1,000 km square
DPI = 100


def _view(extent, scale: float, px: int = 800) -> tuple[MapView, tuple[float, float]]:
    """A square view of `extent` whose pixel size gives 1:`scale` at DPI, and its figure size."""
    pixel = scale * 0.0254 / DPI
    side = (extent[2] - extent[0]) / pixel / DPI
    return MapView(CRS_M, extent, pixel_size=pixel, dpi=DPI), (side, side)


def _render(layers, extent, scale):
    view, size = _view(extent, scale)
    fig = plt.figure(figsize=size, dpi=DPI)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    renderer = MapRenderer()
    entries = renderer.render(ax, layers, view)
    return fig, ax, entries, renderer


def _settlements(n: int = 12_000, seed: int = 0) -> Layer:
    """Clustered places over the country with lognormal populations and a few cities."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, COUNTRY, (300, 2))
    xy = centres[rng.integers(0, 300, n)] + rng.normal(0, 15_000, (n, 2))
    xy = np.clip(xy, 0, COUNTRY)
    pop = rng.lognormal(6.5, 1.2, n).round()
    pop[:40] = rng.lognormal(11.5, 1.0, 40).round()
    gdf = gpd.GeoDataFrame(
        {"name": [f"Place {i}" for i in range(n)], "population": pop},
        geometry=shapely.points(xy),
        crs=CRS_M,
    )
    return Layer(
        gdf,
        "settlements",
        role=Role.SETTLEMENTS,
        mapping=FieldMapping({"name": "name", "population": "population"}),
        style=Style.from_dict({**default_style(Role.SETTLEMENTS).to_dict(), "label_field": "name"}),
    )


def _records(n: int, role: Role, seed: int = 1) -> Layer:
    """Records clustered in 40 zones with a scattered background (events, eradication)."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, COUNTRY, (40, 2))
    hot = centres[rng.integers(0, 40, int(n * 0.8))] + rng.normal(0, 20_000, (int(n * 0.8), 2))
    xy = np.clip(np.vstack([hot, rng.uniform(0, COUNTRY, (n - len(hot), 2))]), 0, COUNTRY)
    gdf = gpd.GeoDataFrame(geometry=shapely.points(xy), crs=CRS_M)
    return Layer(gdf, role.value, role=role)


def _ink_share(fig) -> float:
    """Share of pixels clearly darker than the paper (the renderer before these rules: 0.81)."""
    fig.canvas.draw()
    img = np.asarray(fig.canvas.buffer_rgba())[:, :, :3].astype(float)
    return float((img.mean(axis=2) < 200).mean())


# --- the style model ------------------------------------------------------------------
def test_scale_range_follows_qgis_minimum_and_maximum() -> None:
    r = ScaleRange(min_scale=500_000, max_scale=10_000)
    assert r.shows(499_999) and r.shows(10_000)
    assert not r.shows(500_000)  # the minimum (zoomed-out) limit is exclusive, as in QGIS
    assert not r.shows(9_999)
    assert ScaleRange().shows(1e9) and r.shows(None)  # no limit; an unknown scale shows


def test_role_defaults_and_explicit_values() -> None:
    adm2 = FieldMapping({"region_code": "ADM2_PCODE"})
    adm1 = FieldMapping({"region_code": "adm1_pcode"})
    assert admin_level(adm2) == 2 and admin_level(adm1) == 1 and admin_level(None) is None
    style = Style(label_field="name")
    _, labels = scale_ranges(style, Role.SETTLEMENTS)
    assert labels.min_scale == SETTLEMENT_LABELS_FROM
    assert not labels.shows(8_700_000) and labels.shows(500_000)
    _, municipality = scale_ranges(style, Role.ADMIN_BOUNDARIES, adm2)
    _, department = scale_ranges(style, Role.ADMIN_BOUNDARIES, adm1)
    assert not municipality.shows(8_700_000) and municipality.shows(1_000_000)
    assert department.shows(8_700_000)
    # 0 is "no limit" and overrides the role; None falls back to it.
    layer, labels = scale_ranges(Style(label_min_scale=0, min_scale=250_000), Role.SETTLEMENTS)
    assert labels.shows(8_700_000) and not layer.shows(300_000) and layer.shows(100_000)


def test_scale_ranges_round_trip_through_a_project_dict() -> None:
    style = Style(min_scale=2_000_000, max_scale=5_000, label_min_scale=0)
    again = Style.from_dict(style.to_dict())
    assert again == style
    old = {k: v for k, v in style.to_dict().items() if "scale" not in k}  # a project from before
    assert Style.from_dict(old).label_min_scale is None  # -> the role's default


def test_map_scale_is_ground_metres_per_metre_of_paper() -> None:
    # 1 pixel = 100 m at 254 dpi: 1 m of paper is 10,000 pixels = 1,000 km.
    assert map_scale(100.0, 254.0, CRS_M) == pytest.approx(1_000_000)
    assert map_scale(100.0, 254.0) == pytest.approx(1_000_000)


def test_exports_rule_by_the_paper_scale_whatever_the_dpi() -> None:
    from cartography.layout import draw_map

    layer = _records(500, Role.VIOLENCE)

    class _Project:
        metric_crs = CRS_M

    scales = []
    for dpi in (100, 300):
        fig = plt.figure(figsize=(8, 8), dpi=dpi)
        ax = fig.add_axes((0.1, 0.1, 0.5, 0.5))  # 4 x 4 inches
        renderer = MapRenderer()
        draw_map(ax, _Project(), [layer], (0, 0, COUNTRY, COUNTRY), renderer=renderer, dpi=dpi)
        plt.close(fig)
        scales.append(renderer.last_scale)
    expected = COUNTRY * 1.04 / (4 * 0.0254)  # fit_extent adds a 2 % margin on each side
    assert scales[0] == pytest.approx(scales[1]) == pytest.approx(expected, rel=0.01)


def test_canvas_views_without_a_dpi_use_the_screen_scale() -> None:
    fig = plt.figure(figsize=(4, 3), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    renderer = MapRenderer()
    renderer.render(ax, [_records(10, Role.VIOLENCE)], MapView(CRS_M, (0, 0, 4000, 3000), None, 10))
    plt.close(fig)
    assert renderer.last_scale == pytest.approx(10 * 96 / 0.0254)


# --- layers and labels by scale ---------------------------------------------------------
def test_a_layer_out_of_its_scale_range_draws_nothing_and_leaves_the_legend() -> None:
    layer = _records(300, Role.HEALTH_SERVICES)
    layer.style.min_scale = 1_000_000
    extent = (0, 0, COUNTRY, COUNTRY)
    fig, ax, entries, _ = _render([layer], extent, 8_000_000)
    assert not ax.lines and entries[0].count == 0
    plt.close(fig)
    x, y = layer.data.geometry.iloc[0].coords[0]
    zoomed = (x - 25_000, y - 25_000, x + 25_000, y + 25_000)
    fig, ax, entries, _ = _render([layer], zoomed, 500_000)
    assert ax.lines and entries[0].count > 0
    plt.close(fig)


def test_settlement_labels_wait_for_their_scale_and_go_biggest_first() -> None:
    places = _settlements()
    fig, ax, _, _ = _render([places], (0, 0, COUNTRY, COUNTRY), 8_700_000)
    assert not ax.texts  # the role's default: no settlement names at national scale
    plt.close(fig)
    pop = places.data["population"].to_numpy()
    biggest = int(np.argmax(pop))
    x, y = places.data.geometry.iloc[biggest].coords[0]
    zoomed = (x - 60_000, y - 60_000, x + 60_000, y + 60_000)
    fig, ax, _, _ = _render([places], zoomed, 1_000_000)
    names = [t.get_text() for t in ax.texts]
    assert names and names[0] == f"Place {biggest}"  # the biggest place is named first
    plt.close(fig)


def test_region_names_only_where_they_fit() -> None:
    big = shapely.box(0, 0, 600_000, 600_000)
    small = shapely.box(700_000, 700_000, 710_000, 710_000)
    regions = gpd.GeoDataFrame(
        {"name": ["Big Department", "Tiny"]}, geometry=[big, small], crs=CRS_M
    )
    layer = Layer(regions, "regions", role=Role.ADMIN_BOUNDARIES, style=Style(label_field="name"))
    fig, ax, _, _ = _render([layer], (0, 0, COUNTRY, COUNTRY), 8_000_000)
    assert [t.get_text() for t in ax.texts] == ["Big Department"]
    plt.close(fig)
    fig, ax, _, _ = _render([layer], (690_000, 690_000, 720_000, 720_000), 100_000)
    assert "Tiny" in [t.get_text() for t in ax.texts]
    plt.close(fig)


# --- the label index ---------------------------------------------------------------------
def _brute_force(boxes_in_order) -> list[int]:
    placed: list[tuple] = []
    kept = []
    for i, box in enumerate(boxes_in_order):
        if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in placed):
            continue
        placed.append(box)
        kept.append(i)
    return kept


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_label_board_decides_as_the_brute_force_test(seed) -> None:
    rng = np.random.default_rng(seed)
    x0, y0 = rng.uniform(-500, 1500, 3000), rng.uniform(-500, 1500, 3000)
    w, h = rng.uniform(1, 120, 3000), rng.uniform(1, 30, 3000)
    boxes = [(a, b, a + c, b + d) for a, b, c, d in zip(x0, y0, w, h, strict=True)]
    board = LabelBoard(cell=rng.uniform(5, 80), limit=10**9)
    kept = []
    for i, box in enumerate(boxes):
        if board.free(box):
            board.add(box)
            kept.append(i)
    assert kept == _brute_force(boxes)


def test_twelve_thousand_candidates_fill_the_view_without_overlap() -> None:
    rng = np.random.default_rng(4)
    xy = rng.uniform(0, 100_000, (12_000, 2))
    texts = np.array([f"Town {i}" for i in range(12_000)], dtype=object)
    board = LabelBoard(cell=5_000.0)
    placed = place_labels(board, texts, lambda i: (xy[i, 0], xy[i, 1]), em=700.0, gap=300.0)
    assert len(placed) == MAX_LABELS == len(board.boxes)
    assert _brute_force(board.boxes) == list(range(len(board.boxes)))  # none overlaps
    # Most important first: a label is skipped only when no corner beside it was free.
    assert placed[0].text == "Town 0"


def test_only_the_most_important_candidates_are_tried() -> None:
    from cartography.labels import MAX_TRIES

    n = MAX_TRIES + 10
    xy = np.zeros((n, 2))
    xy[-1] = (1e6, 1e6)  # free room, but for the least important candidate only
    texts = np.array([f"T{i}" for i in range(n)], dtype=object)
    board = LabelBoard(cell=5_000.0)
    placed = place_labels(board, texts, lambda i: (xy[i, 0], xy[i, 1]), em=700.0, gap=300.0)
    assert [p.text for p in placed] == ["T0", "T1", "T2", "T3"]  # one per corner, then full


def test_drawn_labels_never_overlap_on_the_page() -> None:
    places = _settlements()
    x, y = 500_000, 500_000
    fig, ax, _, _ = _render([places], (x - 150_000, y - 150_000, x + 150_000, y + 150_000), 1e6)
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ax.texts]
    plt.close(fig)
    assert 10 < len(boxes) <= MAX_LABELS
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b)


# --- crowded points ----------------------------------------------------------------------
def test_ink_and_crowding_match_a_brute_force_count() -> None:
    rng = np.random.default_rng(5)
    x, y = rng.normal(0, 3000, 4000), rng.normal(0, 3000, 4000)
    cell = 1000.0
    counted = symbols.crowd(x, y, cell, area=20_000.0**2)
    cells = {}
    for a, b in zip(np.floor(x / cell), np.floor(y / cell), strict=True):
        cells[(a, b)] = cells.get((a, b), 0) + 1
    k = np.array(list(cells.values()), dtype=float)
    d = 5.0
    ink = (1 - np.exp(-k * (d / symbols.CELL_PT) ** 2)).sum() / (20.0**2)
    assert counted.ink(d) == pytest.approx(ink)
    assert counted.per_point() == pytest.approx((k * k).sum() / k.sum())
    # From a 20 % sample the typical point's crowding is estimated within a few percent.
    pick = rng.random(4000) < 0.2
    sampled = symbols.crowd(x[pick], y[pick], cell, 20_000.0**2, pick.mean())
    assert sampled.per_point() == pytest.approx(counted.per_point(), rel=0.1)


def test_population_floor_shows_as_many_places_as_fit() -> None:
    rng = np.random.default_rng(6)
    x, y = rng.uniform(0, 50_000, 3000), rng.uniform(0, 50_000, 3000)
    pop = rng.lognormal(7, 1.5, 3000)
    counted = symbols.crowd(x, y, 2_000.0, 50_000.0**2)
    look = symbols.point_look(counted, 4.0, 3000, pop)
    assert look is not None and look.shown_from is not None
    shown = pop >= look.shown_from

    def ink(chosen):
        counts = np.bincount(counted.cell_of[chosen], minlength=len(counted.counts))
        return counted.ink(4.0, counts.astype(float))

    assert ink(shown) <= symbols.INK_OK
    one_more = shown | (pop == pop[~shown].max())
    assert ink(one_more) > symbols.INK_OK


def test_a_few_clustered_markers_stay_as_styled() -> None:
    """The sample's eradication campaigns: tight piles of triangles are a pattern, not a blot."""
    rng = np.random.default_rng(7)
    centres = rng.uniform(0, 200_000, (10, 2))
    xy = centres[rng.integers(0, 10, 1100)] + rng.normal(0, 1500, (1100, 2))
    layer = Layer(
        gpd.GeoDataFrame(geometry=shapely.points(xy), crs=CRS_M), "e", role=Role.ERADICATION
    )
    fig, ax, entries, renderer = _render([layer], (0, 0, 200_000, 200_000), 1_200_000)
    assert len(ax.lines) == 1 and ax.lines[0].get_markersize() == pytest.approx(4.0)  # 16 pt²
    plt.close(fig)


def test_national_layers_read_as_patterns_not_ink() -> None:
    places = _settlements()
    services = _records(6_000, Role.HEALTH_SERVICES, seed=2)
    eradication = _records(80_000, Role.ERADICATION, seed=3)
    layers = [eradication, services, places]
    extent = (0, 0, COUNTRY, COUNTRY)
    fig, ax, entries, _ = _render(layers, extent, 8_700_000)
    by_name = {e.layer_name: e for e in entries}
    assert by_name["eradication"].kind == "density"
    assert any(isinstance(a, PointDensity) for a in ax.get_children())
    # Services keep every point, as dots smaller than their 40 pt² markers.
    service_sizes = {line.get_markersize() for line in ax.lines if line.get_zorder() == 11}
    assert service_sizes and max(service_sizes) < np.sqrt(40)
    assert sum(len(line.get_xdata()) for line in ax.lines if line.get_zorder() == 11) == 6_000
    # Settlements: the most populous only, biggest drawn at the style's size, legend by size.
    drawn = sum(len(line.get_xdata()) for line in ax.lines if line.get_zorder() == 12)
    assert 30 < drawn < 3_000
    assert by_name["settlements"].children[0].label.endswith("and more")
    assert by_name["settlements"].label == "settlements (population)"
    assert by_name["settlements"].count == 12_000  # counted in view, whether drawn or not
    ink = _ink_share(fig)
    plt.close(fig)
    assert ink < 0.4, ink
    # Zoomed in, every place is drawn as styled.
    fig, ax, entries, _ = _render([places], (480_000, 480_000, 520_000, 520_000), 200_000)
    inside = places.data.cx[479_200:520_800, 479_200:520_800]  # the view and its 2 % pad
    assert sum(len(line.get_xdata()) for line in ax.lines) == len(inside)
    assert [line.get_markersize() for line in ax.lines] == [pytest.approx(np.sqrt(14))]
    plt.close(fig)
