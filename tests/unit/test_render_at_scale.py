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
from canvas_draw import blobs, draw_like_the_canvas  # noqa: E402
from pyproj import CRS  # noqa: E402

import cartography.layer_cache as layer_cache  # noqa: E402
import cartography.render as render  # noqa: E402
from cartography.density import PointDensity  # noqa: E402
from cartography.paths import _ring_part  # noqa: E402
from cartography.render import (  # noqa: E402
    MapRenderer,
    MapView,
    RingStore,
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
    monkeypatch.setattr(layer_cache, "STORE_MIN_ROWS", 100)
    monkeypatch.setattr(layer_cache, "WARM_CHUNK", 1000)  # several chunks: parts are joined right
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
    counts, cell, _ = artist.counts(fig.canvas.get_renderer())
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


# --- level tiles ---------------------------------------------------------------------------
def _canvas_draw(renderer: MapRenderer, layers, extent, tiles: bool, idle: bool = False):
    """Draw like the desktop canvas (1000 x 750 px); with `idle`, run the warm-up after."""
    view = MapView(CRS_M, extent, pixel_size=(extent[2] - extent[0]) / 1000)
    return draw_like_the_canvas(renderer, layers, view, tiles=tiles, idle=idle)


@pytest.fixture
def small_tiles(monkeypatch):
    """Tile a layer from 500 polygons on (the real threshold is 20,000)."""
    monkeypatch.setattr(render, "TILE_MIN_ROWS", 500)
    monkeypatch.setattr(layer_cache, "STORE_MIN_ROWS", 500)


@pytest.mark.parametrize("extent", [(0, 0, 100_000, 75_000), (13_000, 9_000, 93_000, 69_000)])
def test_tiles_look_like_the_vectors(small_tiles, extent) -> None:
    layer = blobs(seed=4)
    vectors = _canvas_draw(MapRenderer(), [layer], extent, tiles=False)
    renderer = MapRenderer()
    first = _canvas_draw(renderer, [layer], extent, tiles=True, idle=True)
    assert renderer.last_tiled == set()  # no tiles yet: the first view draws vectors
    assert np.array_equal(first, vectors)
    tiled = _canvas_draw(renderer, [layer], extent, tiles=True)
    assert renderer.last_tiled == {layer.id}
    diff = np.abs(tiled - vectors).max(axis=2)
    # Same drawing, resampled from twice the resolution: edges soften by a shade, no more.
    assert diff.mean() < 3 and np.percentile(diff, 99) < 60
    assert abs((tiled.sum(axis=2) < 600).mean() - (vectors.sum(axis=2) < 600).mean()) < 0.01


def test_tiles_have_no_seams(small_tiles) -> None:
    n = 40  # a 40 x 40 grid of touching 2 km cells, all one colour
    xs, ys = np.meshgrid(np.arange(n) * 2000.0, np.arange(n) * 2000.0)
    cells = shapely.box(xs.ravel(), ys.ravel(), xs.ravel() + 2000, ys.ravel() + 2000)
    gdf = gpd.GeoDataFrame(geometry=cells, crs=CRS_M)
    layer = Layer(gdf, "grid", style=Style(fill="#3366cc", edge="none", line_width=0))
    renderer = MapRenderer()
    extent = (10_000, 10_000, 70_000, 55_000)  # inside the grid: every pixel covered
    _canvas_draw(renderer, [layer], extent, tiles=True, idle=True)
    img = _canvas_draw(renderer, [layer], extent, tiles=True)
    assert renderer.last_tiled == {layer.id}
    assert (img == np.array([0x33, 0x66, 0xCC])).all()  # tile borders and cell edges alike


def test_a_new_look_or_period_draws_vectors_until_warmed_again(small_tiles) -> None:
    layer = blobs(seed=4)
    renderer = MapRenderer()
    extent = (0, 0, 100_000, 75_000)
    _canvas_draw(renderer, [layer], extent, tiles=True, idle=True)
    _canvas_draw(renderer, [layer], extent, tiles=True)
    assert renderer.last_tiled == {layer.id}
    layer.style.ramp = "viridis"  # new classes: the old tiles show the old colours
    vectors = _canvas_draw(MapRenderer(), [layer], extent, tiles=False)
    assert np.array_equal(_canvas_draw(renderer, [layer], extent, tiles=True, idle=True), vectors)
    assert renderer.last_tiled == set()
    _canvas_draw(renderer, [layer], extent, tiles=True)
    assert renderer.last_tiled == {layer.id}
    layer.opacity = 0.5
    _canvas_draw(renderer, [layer], extent, tiles=True)
    assert renderer.last_tiled == set()


def test_outlined_layers_and_exports_never_use_tiles(small_tiles) -> None:
    layer = blobs(seed=4)
    layer.style.edge, layer.style.line_width = "#333333", 0.4  # widths follow the view
    renderer = MapRenderer()
    extent = (0, 0, 100_000, 75_000)
    _canvas_draw(renderer, [layer], extent, tiles=True, idle=True)
    _canvas_draw(renderer, [layer], extent, tiles=True)
    assert renderer.last_tiled == set() and not renderer._tiles
    layer.style.edge = "none"
    _canvas_draw(renderer, [layer], extent, tiles=True, idle=True)
    _canvas_draw(renderer, [layer], extent, tiles=False)  # what every export does
    assert renderer._tiles and renderer.last_tiled == set()


def test_tile_memory_stays_bounded(small_tiles, monkeypatch) -> None:
    monkeypatch.setattr(render, "MAX_TILES", 12)
    layer = blobs(seed=4)
    renderer = MapRenderer()
    for k in range(4):  # pans and zooms, each followed by idle time
        f = 1.0 / (1 + k)
        _canvas_draw(renderer, [layer], (0, 0, 100_000 * f, 75_000 * f), tiles=True, idle=True)
        images = sum(tile is not None for tile in renderer._tiles.values())
        assert images == renderer._tile_images <= 12


@pytest.mark.parametrize(
    "sx, ox, oy", [(0.5, -100.3, -57.8), (0.37, 11.6, -3.2), (0.71, -640.1, -402.5)]
)
def test_tile_mosaic_equals_one_resample_of_the_whole_image(sx, ox, oy) -> None:
    from matplotlib import _image
    from matplotlib.transforms import Affine2D

    from cartography.tiles import BLEED, TILE_PX, TileMosaic

    rng = np.random.default_rng(5)
    side = 3 * TILE_PX
    whole = rng.integers(0, 256, (side, side, 4)).astype(np.uint8)  # rows bottom-first
    whole[..., :3] = whole[..., :3] * (whole[..., 3:4] / 255.0)  # premultiplied, as tiles are
    # Tile (1, 2) is empty: nothing is drawn in it or its bleed (else it would hold an image).
    whole[2 * TILE_PX - BLEED :, TILE_PX - BLEED : 2 * TILE_PX + BLEED] = 0
    padded = np.zeros((side + 2 * BLEED, side + 2 * BLEED, 4), dtype=np.uint8)
    padded[BLEED:-BLEED, BLEED:-BLEED] = whole
    size = TILE_PX + 2 * BLEED
    tiles = {
        (i, j): np.ascontiguousarray(
            padded[j * TILE_PX : j * TILE_PX + size, i * TILE_PX : i * TILE_PX + size]
        )
        for i in range(3)
        for j in range(3)
    }
    tiles[(1, 2)] = None  # an empty tile is stored as None and drawn transparent
    width, height = 600, 500
    got = TileMosaic(tiles, 1.0, 1).compose(width, height, sx, sx, ox, oy)
    expected = np.zeros((height, width, 4), dtype=np.uint8)
    to_out = Affine2D().scale(sx, sx).translate(ox, oy)
    _image.resample(whole, expected, to_out, _image.BILINEAR, False, 1.0)
    # Tile borders must be invisible. Agg's fixed-point span interpolation rounds a shade
    # differently per call, and the whole image's own edges have no neighbours: compare
    # pixels at least 3 px inside it, allowing that rounding.
    u = np.arange(width) + 0.5
    v = np.arange(height) + 0.5
    inside_u = (u > ox + 3) & (u < ox + sx * side - 3)
    inside_v = (v > oy + 3) & (v < oy + sx * side - 3)
    diff = np.abs(got.astype(int) - expected.astype(int)).max(axis=2)[np.ix_(inside_v, inside_u)]
    assert diff.size > 100_000 and diff.max() <= 2


def test_a_new_finer_level_is_drawn_from_the_coarser_tiles_until_warm(small_tiles) -> None:
    layer = blobs(seed=4)
    renderer = MapRenderer()
    full = (0, 0, 100_000, 75_000)
    _canvas_draw(renderer, [layer], full, tiles=True, idle=True)
    # Four wheel notches in at a corner: the warm-up readied the next finer level (for the
    # view one notch in), not this view's own level (a quarter of the pixel size).
    zoomed = (0, 0, 40_960, 30_720)
    vectors = _canvas_draw(MapRenderer(), [layer], zoomed, tiles=False)
    soft = _canvas_draw(renderer, [layer], zoomed, tiles=True)
    assert renderer.last_stand_in == {layer.id} == renderer.last_tiled
    diff = np.abs(soft - vectors).max(axis=2)
    assert diff.mean() < 15  # the coarser level: simplified twice as much, a little soft
    view = MapView(CRS_M, zoomed, pixel_size=(zoomed[2] - zoomed[0]) / 1000)
    said = list(renderer.warm_up([layer], view))
    assert said.count(render.VIEW_READY) == 1
    sharp = _canvas_draw(renderer, [layer], zoomed, tiles=True)
    assert renderer.last_tiled == {layer.id} and not renderer.last_stand_in
    assert np.abs(sharp - vectors).max(axis=2).mean() < diff.mean()


@pytest.mark.parametrize("dense_over", [100, 10_000])  # density raster, then markers
def test_points_in_part_of_the_view_are_counted_as_by_brute_force(monkeypatch, dense_over) -> None:
    from layers.timefilter import TimeFilter

    monkeypatch.setattr(render, "DENSE_POINTS", dense_over)
    rng = np.random.default_rng(8)
    n = 3000
    x, y = rng.uniform(0, 1000, n), rng.uniform(0, 1000, n)
    year = rng.integers(2015, 2021, n)
    gdf = gpd.GeoDataFrame({"year": year}, geometry=gpd.points_from_xy(x, y), crs=CRS_M)
    layer = Layer(gdf, "events", mapping=FieldMapping({"year": "year"}))
    extent = (200.0, 100.0, 700.0, 475.0)
    view = MapView(CRS_M, extent, TimeFilter.years(2017, 2018))
    fig = plt.figure(figsize=(4, 3), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    entries = MapRenderer().render(ax, [layer], view)
    plt.close(fig)
    pad = 0.02 * 500  # the renderer's bbox pads the view by 2 % of its larger side
    expected = (
        (
            (x >= extent[0] - pad)
            & (x <= extent[2] + pad)
            & (y >= extent[1] - pad)
            & (y <= extent[3] + pad)
        )
        & (year >= 2017)
        & (year <= 2018)
    )
    assert entries[0].count == int(expected.sum())
    assert entries[0].kind == ("density" if dense_over == 100 else "point")
