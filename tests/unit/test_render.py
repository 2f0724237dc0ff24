"""The renderer draws what the styles say: holes stay empty, filters and classes apply."""

from __future__ import annotations

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from pyproj import CRS  # noqa: E402
from shapely.geometry import LineString, Point, Polygon, box  # noqa: E402

from cartography.density import PointDensity  # noqa: E402
from cartography.render import MapRenderer, MapView, features_at  # noqa: E402
from layers.layer import Layer  # noqa: E402
from layers.roles import FieldMapping, Role  # noqa: E402
from layers.style import Style  # noqa: E402
from layers.timefilter import TimeFilter  # noqa: E402

CRS_M = CRS.from_epsg(32618)


def _pixels(layers, extent, **kwargs):
    fig = plt.figure(figsize=(2, 2), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    entries = MapRenderer().render(ax, layers, MapView(CRS_M, extent), **kwargs)
    fig.canvas.draw()
    img = np.asarray(fig.canvas.buffer_rgba())[:, :, :3].copy()
    plt.close(fig)
    return img, entries


def _at(img, extent, x, y):
    """RGB of the pixel at map coordinates (x, y)."""
    h, w = img.shape[:2]
    col = int((x - extent[0]) / (extent[2] - extent[0]) * w)
    row = int((extent[3] - y) / (extent[3] - extent[1]) * h)
    return tuple(int(v) for v in img[row, col])


def test_polygon_hole_stays_empty_and_fill_is_drawn() -> None:
    shell = [(0, 0), (100, 0), (100, 100), (0, 100)]
    hole = [(30, 30), (70, 30), (70, 70), (30, 70)]
    gdf = gpd.GeoDataFrame(geometry=[Polygon(shell, [hole])], crs=CRS_M)
    layer = Layer(gdf, "p", style=Style(fill="#ff0000", edge="none", line_width=0))
    extent = (-10, -10, 110, 110)
    img, entries = _pixels([layer], extent)
    assert _at(img, extent, 10, 10) == (255, 0, 0)
    assert _at(img, extent, 50, 50) == (255, 255, 255)
    assert entries[0].kind == "polygon" and entries[0].color == "#ff0000"


def test_time_filter_visibility_and_opacity() -> None:
    gdf = gpd.GeoDataFrame(
        {"year": [2015, 2020]}, geometry=[box(0, 0, 40, 100), box(60, 0, 100, 100)], crs=CRS_M
    )
    layer = Layer(
        gdf,
        "dated",
        mapping=FieldMapping({"year": "year"}),
        style=Style(fill="#0000ff", edge="none"),
    )
    extent = (0, 0, 100, 100)
    img, _ = _pixels([layer], extent)
    assert _at(img, extent, 20, 50) == (0, 0, 255) and _at(img, extent, 80, 50) == (0, 0, 255)
    view = MapView(CRS_M, extent, time_filter=TimeFilter.years(2019, 2021))
    fig = plt.figure(figsize=(2, 2), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    MapRenderer().render(ax, [layer], view)
    fig.canvas.draw()
    img = np.asarray(fig.canvas.buffer_rgba())[:, :, :3]
    assert _at(img, extent, 20, 50) == (255, 255, 255)
    assert _at(img, extent, 80, 50) == (0, 0, 255)
    plt.close(fig)
    layer.opacity = 0.5
    img, _ = _pixels([layer], extent)
    r, g, b = _at(img, extent, 20, 50)
    assert 120 <= r <= 135 and b == 255
    layer.visible = False
    img, entries = _pixels([layer], extent)
    assert entries == [] and _at(img, extent, 20, 50) == (255, 255, 255)


def test_graduated_classes_one_artist_each_and_legend_children() -> None:
    n = 50
    gdf = gpd.GeoDataFrame(
        {"ha": np.arange(n, dtype=float)},
        geometry=[box(i * 10, 0, i * 10 + 9, 9) for i in range(n)],
        crs=CRS_M,
    )
    layer = Layer(gdf, "coca", style=Style(kind="graduated", field="ha", classes=5, edge="none"))
    fig = plt.figure(figsize=(4, 2), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    entries = MapRenderer().render(ax, [layer], MapView(CRS_M, (0, 0, 500, 10)))
    assert len(ax.patches) == 5  # one compound path per class, not one patch per feature
    assert [c.label for c in entries[0].children][0].startswith("0")
    assert len(entries[0].children) == 5
    plt.close(fig)


def test_categorized_points_and_dense_points_aggregate() -> None:
    rng = np.random.default_rng(0)
    pts = gpd.GeoDataFrame(
        {"kind": rng.choice(["battle", "riot"], 300)},
        geometry=gpd.points_from_xy(rng.uniform(0, 100, 300), rng.uniform(0, 100, 300)),
        crs=CRS_M,
    )
    layer = Layer(pts, "events", style=Style(kind="categorized", field="kind"))
    fig = plt.figure(figsize=(2, 2), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    entries = MapRenderer().render(ax, [layer], MapView(CRS_M, (0, 0, 100, 100)))
    assert len(ax.lines) == 2
    assert sorted(c.label for c in entries[0].children) == ["battle", "riot"]
    plt.close(fig)
    import cartography.render as render

    old, render.DENSE_POINTS = render.DENSE_POINTS, 100
    try:
        fig = plt.figure(figsize=(2, 2), dpi=100)
        ax = fig.add_axes((0, 0, 1, 1))
        entries = MapRenderer().render(ax, [layer], MapView(CRS_M, (0, 0, 100, 100)))
        dense = [a for a in ax.get_children() if isinstance(a, PointDensity)]
        assert len(dense) == 1 and not ax.lines and entries[0].kind == "density"
        plt.close(fig)
    finally:
        render.DENSE_POINTS = old


def test_only_visible_features_are_built_and_selection_on_top() -> None:
    gdf = gpd.GeoDataFrame(geometry=[box(i * 10, 0, i * 10 + 5, 5) for i in range(1000)], crs=CRS_M)
    layer = Layer(gdf, "cells", style=Style(edge="none"))
    fig = plt.figure(figsize=(2, 2), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    MapRenderer().render(ax, [layer], MapView(CRS_M, (0, 0, 50, 50)), selection={layer.id: [2]})
    fill, highlight = ax.patches
    # 5 visible boxes (+ the padding's neighbour) of 5 vertices each, not 1000 boxes
    assert len(fill.get_path().vertices) <= 7 * 5
    assert highlight.get_zorder() > fill.get_zorder()
    plt.close(fig)


def test_year_grid_draws_period_column() -> None:
    gdf = gpd.GeoDataFrame(
        {"c2018": [0.0, 5.0], "c2020": [7.0, 0.0]},
        geometry=[box(0, 0, 40, 100), box(60, 0, 100, 100)],
        crs=CRS_M,
    )
    layer = Layer(
        gdf,
        "simci",
        role=Role.CULTIVATION,
        mapping=FieldMapping(year_columns={2018: "c2018", 2020: "c2020"}),
    )
    extent = (0, 0, 100, 100)
    fig = plt.figure(figsize=(2, 2), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    MapRenderer().render(ax, [layer], MapView(CRS_M, extent, time_filter=TimeFilter.years(2018)))
    fig.canvas.draw()
    img = np.asarray(fig.canvas.buffer_rgba())[:, :, :3]
    assert _at(img, extent, 20, 50) == (255, 255, 255)  # 0 ha in 2018: not drawn
    assert _at(img, extent, 80, 50) != (255, 255, 255)
    plt.close(fig)


@pytest.mark.parametrize(
    "geom", [Point(50, 50), LineString([(0, 50), (100, 50)]), box(40, 40, 60, 60)]
)
def test_features_at_finds_nearest(geom) -> None:
    gdf = gpd.GeoDataFrame(geometry=[Point(0, 0), geom], crs=CRS_M)
    layer = Layer(gdf, "x")
    assert features_at(layer, CRS_M, 50, 51, 3) == [1]
    assert features_at(layer, CRS_M, 500, 500, 3) == []


def test_layout_helpers_scale_north_and_pages() -> None:
    from cartography.layout import (
        _nice_length,
        add_north_arrow,
        fit_extent,
        grid_convergence,
        page_size,
    )

    assert page_size("A4-landscape") == (11.69, 8.27) and page_size("16:9") == (13.333, 7.5)
    with pytest.raises(ValueError, match="a4-portrait"):
        page_size("letter")
    ext = fit_extent((0, 0, 100, 50), 4, 4, margin=0)
    assert ext[2] - ext[0] == pytest.approx(ext[3] - ext[1])  # grown to a square box
    assert [_nice_length(v) for v in (0.9, 3.2, 7.9, 180_000)] == [0.5, 2, 5, 100_000]
    # UTM 18N at its central meridian: grid north is true north
    assert abs(grid_convergence(CRS_M, 500_000, 200_000)) < 0.01
    # 3° east of the central meridian at 45°N: convergence ≈ 3·sin(45°) ≈ 2.1°, true north
    # leaning left (west) of grid north
    from pyproj import Transformer

    x, y = Transformer.from_crs(4326, CRS_M, always_xy=True).transform(-72, 45)
    assert grid_convergence(CRS_M, x, y) == pytest.approx(2.12, abs=0.1)
    fig = plt.figure(figsize=(4, 4))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(x - 5e4, x + 5e4)
    ax.set_ylim(y - 5e4, y + 5e4)
    assert abs(add_north_arrow(ax, CRS_M)) > 1.0  # rotated where it differs by more than 1°
    ax.set_xlim(450_000, 550_000)
    ax.set_ylim(100_000, 200_000)
    assert add_north_arrow(ax, CRS_M) == 0.0
    plt.close(fig)


def test_labels_of_different_layers_never_overlap() -> None:
    """A settlement named where a region's label sits is skipped, not printed over it."""
    region = gpd.GeoDataFrame(
        {"name": ["Llanura del Guaimaró"]}, geometry=[box(0, 0, 1000, 1000)], crs=CRS_M
    )
    town = gpd.GeoDataFrame(
        {"name": ["Piñuña Alta", "Far Away"]},
        geometry=[Point(500, 500), Point(50, 950)],  # the first under the region's name
        crs=CRS_M,
    )
    layers = [
        Layer(region, "regions", role=Role.ADMIN_BOUNDARIES, style=Style(label_field="name")),
        Layer(town, "towns", role=Role.SETTLEMENTS, style=Style(label_field="name")),
    ]
    fig = plt.figure(figsize=(4, 4), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    MapRenderer().render(ax, layers, MapView(CRS_M, (0, 0, 1000, 1000)))
    texts = sorted(t.get_text() for t in ax.texts)
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ax.texts]
    plt.close(fig)
    assert texts == ["Far Away", "Llanura del Guaimaró"]  # no corner beside it is free
    assert not boxes[0].overlaps(boxes[1])


def test_class_labels_follow_a_language_switch_between_redraws() -> None:
    from layers.i18n import language

    gdf = gpd.GeoDataFrame(
        {"ha": np.linspace(0.05, 307.1, 40)},
        geometry=[box(i * 10, 0, i * 10 + 9, 9) for i in range(40)],
        crs=CRS_M,
    )
    layer = Layer(gdf, "coca", style=Style(kind="graduated", field="ha", classes=5, edge="none"))
    renderer = MapRenderer()  # one renderer, as the canvas keeps it: its caches live on
    fig = plt.figure(figsize=(4, 2), dpi=100)
    labels = {}
    for lang in ("en", "es"):
        ax = fig.add_axes((0, 0, 1, 1))
        with language(lang):
            entries = renderer.render(ax, [layer], MapView(CRS_M, (0, 0, 400, 10)))
        labels[lang] = [c.label for c in entries[0].children]
        fig.clear()
    plt.close(fig)
    assert labels["en"][0].startswith("0.05 – ")
    assert labels["es"][0].startswith("0,05 – ")  # not the English labels kept in the cache
