"""The fast paths for large layers draw exactly what the plain paths draw.

PointDensity counts on the device's pixel grid; RingStore cuts paths from flat arrays;
warm_up builds them in idle time. Each is checked against the straightforward result.
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

import cartography.render as render  # noqa: E402
from cartography.density import PointDensity  # noqa: E402
from cartography.render import (  # noqa: E402
    MapRenderer,
    MapView,
    RingStore,
    _ring_part,
    polygon_path,
)
from layers.layer import Layer  # noqa: E402
from layers.roles import FieldMapping, Role  # noqa: E402
from layers.style import Style  # noqa: E402

CRS_M = CRS.from_epsg(32618)


def _mixed_polygons(n: int, seed: int = 0) -> np.ndarray:
    """Boxes, polygons with holes and multipolygons, in random order."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        x, y = rng.uniform(0, 1000, 2)
        kind = i % 3
        if kind == 0:
            out.append(shapely.box(x, y, x + 10, y + 7))
        elif kind == 1:
            out.append(
                shapely.box(x, y, x + 20, y + 20).difference(
                    shapely.box(x + 5, y + 5, x + 9, y + 9)
                )
            )
        else:
            out.append(
                shapely.MultiPolygon(
                    [shapely.box(x, y, x + 3, y + 3), shapely.box(x + 6, y, x + 9, y + 4)]
                )
            )
    return np.array(out, dtype=object)


def test_ring_store_paths_equal_shapely_paths_for_any_rows() -> None:
    geoms = _mixed_polygons(300)
    rows = np.arange(40, 340)  # row positions of a layer with other rows before them
    parts = [_ring_part(geoms[i : i + 70]) for i in range(0, 300, 70)]  # built in chunks
    store = RingStore(rows, parts, 400)
    rng = np.random.default_rng(1)
    for size in (1, 7, 150, 300):
        pick = np.sort(rng.choice(rows, size, replace=False))
        cut, plain = store.path(pick), polygon_path(geoms[pick - 40])
        assert np.array_equal(cut.vertices, plain.vertices)
        assert np.array_equal(cut.codes, plain.codes)


def _grid_layer(n_side: int) -> Layer:
    """n_side² adjacent 1 km cells with a hectares value (a SIMCI-like grid)."""
    xs, ys = np.meshgrid(np.arange(n_side) * 1000.0, np.arange(n_side) * 1000.0)
    cells = shapely.box(xs.ravel(), ys.ravel(), xs.ravel() + 1000, ys.ravel() + 1000)
    rng = np.random.default_rng(3)
    gdf = gpd.GeoDataFrame(
        {"hectares": rng.gamma(2.0, 20.0, cells.size)}, geometry=cells, crs=CRS_M
    )
    return Layer(gdf, "grid", role=Role.CULTIVATION, mapping=FieldMapping({"hectares": "hectares"}))


def _draw(renderer: MapRenderer, layers, extent, size=(4, 3)) -> np.ndarray:
    fig = plt.figure(figsize=size, dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    view = MapView(CRS_M, extent, pixel_size=(extent[2] - extent[0]) / (size[0] * 100))
    renderer.render(ax, layers, view)
    fig.canvas.draw()
    img = np.asarray(fig.canvas.buffer_rgba()).copy()
    plt.close(fig)
    return img


def test_warm_up_builds_level_stores_and_changes_no_pixel(monkeypatch) -> None:
    monkeypatch.setattr(render, "STORE_MIN_ROWS", 100)
    monkeypatch.setattr(render, "WARM_CHUNK", 1000)  # several chunks: parts are joined right
    layer = _grid_layer(60)  # 3,600 cells
    views = [
        (0, 0, 60_000, 45_000),
        (10_000, 5_000, 40_000, 27_500),
        (20_000, 20_000, 28_000, 26_000),
    ]
    plain = [_draw(MapRenderer(), [layer], v) for v in views]
    warmed = MapRenderer()
    _draw(warmed, [layer], views[0])
    view = MapView(CRS_M, views[0], pixel_size=60_000 / 400)
    steps = sum(1 for _ in warmed.warm_up([layer], view))
    cache = warmed._caches[layer.id][1]
    assert steps >= 2 * 4 and len(cache.ring_stores) == 3  # its level, one finer, one coarser
    for v, expected in zip(views, plain, strict=True):
        assert np.array_equal(_draw(warmed, [layer], v), expected)


def test_warm_up_skips_small_hidden_and_unrendered_layers() -> None:
    layer = _grid_layer(10)  # 100 cells: below STORE_MIN_ROWS
    hidden = _grid_layer(80)
    hidden.visible = False
    renderer = MapRenderer()
    _draw(renderer, [layer, hidden], (0, 0, 80_000, 60_000))
    view = MapView(CRS_M, (0, 0, 80_000, 60_000), pixel_size=200.0)
    assert list(renderer.warm_up([layer, hidden, _grid_layer(80)], view)) == []


def _density_image(x, y, extent, size=(2, 1), dpi=100):
    fig = plt.figure(figsize=size, dpi=dpi, facecolor="white")
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_xlim(extent[0], extent[2])
    ax.set_ylim(extent[1], extent[3])
    artist = PointDensity(np.asarray(x, float), np.asarray(y, float), "#ff0000", 1.0, 10)
    ax.add_artist(artist)
    fig.canvas.draw()
    img = np.asarray(fig.canvas.buffer_rgba())[:, :, :3].copy()
    counts, cell, _, _ = artist.counts(fig.canvas.get_renderer())
    plt.close(fig)
    return img, counts, cell


def test_point_density_puts_each_point_in_its_own_cell() -> None:
    # 200 x 100 px at 100 dpi: 2 px cells, so a 100 x 50 grid over a 0..200 x 0..100 extent
    img, counts, cell = _density_image(
        [1.0, 199.0, 1.0, 101.0], [99.0, 1.0, 1.0, 51.0], (0, 0, 200, 100)
    )
    assert cell == 2 and counts.shape == (50, 100) and counts.sum() == 4
    assert counts[49, 0] == counts[0, 99] == counts[0, 0] == counts[25, 50] == 1  # row 0 bottom
    red = (img[:, :, 0] > 200) & (img[:, :, 1] < 120)
    assert red[0:2, 0:2].all()  # top-left point at the top-left of the image
    assert red[98:100, 198:200].all()  # bottom-right point
    assert red.sum() == 4 * 4  # nothing else drawn: each point fills one 2 x 2 px cell


def test_point_density_ignores_points_outside_and_shades_by_count() -> None:
    x = [50.0] * 9 + [150.0] + [-5.0, 205.0, 100.0, 100.0, np.nan]
    y = [50.0] * 9 + [50.0] + [50.0, 50.0, -3.0, 103.0, 50.0]
    img, counts, _ = _density_image(x, y, (0, 0, 200, 100))
    assert counts.sum() == 10  # the four points off the view and the NaN are not counted
    busy, lone = img[49, 51], img[49, 151]  # rows 50-51 from the bottom
    assert tuple(busy) == (255, 0, 0)  # the busiest cell is opaque
    assert 255 > lone[1] > 0 and lone[0] == 255  # a single point: lighter, but drawn


@pytest.mark.parametrize("dpi, cell", [(100, 2), (200, 4), (300, 6)])
def test_point_density_cells_keep_their_size_on_paper(dpi, cell) -> None:
    _, counts, got = _density_image([10.0], [10.0], (0, 0, 200, 100), dpi=dpi)
    assert got == cell and counts.shape == (100 * dpi // 100 // cell, 200 * dpi // 100 // cell)


def test_dense_points_are_an_embedded_image_in_vector_exports(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(render, "DENSE_POINTS", 100)
    rng = np.random.default_rng(0)
    pts = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(rng.uniform(0, 100, 500), rng.uniform(0, 100, 500)), crs=CRS_M
    )
    layer = Layer(pts, "events", style=Style(fill="#6a3d9a"))
    fig = plt.figure(figsize=(3, 3), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    entries = MapRenderer().render(ax, [layer], MapView(CRS_M, (0, 0, 100, 100)))
    assert entries[0].kind == "density" and entries[0].count == 500
    fig.savefig(tmp_path / "map.svg")
    fig.savefig(tmp_path / "map.png", dpi=200)
    plt.close(fig)
    assert "<image" in (tmp_path / "map.svg").read_text()
    png = plt.imread(tmp_path / "map.png")
    assert png.shape[:2] == (600, 600) and (png[:, :, 1] < 0.5).sum() > 500  # purple drawn
