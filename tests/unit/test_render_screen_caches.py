"""Screen-only caches of the renderer: label sprites and mosaics composed round a view.

Both must draw what the uncached path draws; exports (tiles=False) never use them.
"""

from __future__ import annotations

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import shapely  # noqa: E402
from canvas_draw import blobs, draw_like_the_canvas  # noqa: E402
from pyproj import CRS  # noqa: E402

import cartography.layer_cache as layer_cache  # noqa: E402
import cartography.render as render  # noqa: E402
import cartography.tiles as tiles  # noqa: E402
from cartography.render import MapRenderer, MapView  # noqa: E402
from layers.layer import Layer  # noqa: E402
from layers.roles import FieldMapping, Role  # noqa: E402
from layers.style import Style  # noqa: E402

CRS_M = CRS.from_epsg(32618)


def _draw(renderer: MapRenderer, layers, extent, tiles: bool, idle: bool = False) -> np.ndarray:
    """Draw like the desktop canvas (1000 x 750 px); with `idle`, run the warm-up after."""
    view = MapView(CRS_M, extent, pixel_size=(extent[2] - extent[0]) / 1000)
    return draw_like_the_canvas(renderer, layers, view, tiles=tiles, idle=idle)


def test_a_pan_at_the_same_scale_is_cut_from_the_mosaic_composed_round_the_view(
    monkeypatch,
) -> None:
    monkeypatch.setattr(render, "TILE_MIN_ROWS", 500)
    monkeypatch.setattr(layer_cache, "STORE_MIN_ROWS", 500)
    layer = blobs(seed=7)
    renderer = MapRenderer()
    extent = (10_000.0, 8_000.0, 90_000.0, 68_000.0)
    _draw(renderer, [layer], extent, tiles=True, idle=True)  # vectors, then tiles
    _draw(renderer, [layer], extent, tiles=True, idle=True)  # tiles, then the wide mosaic
    (key, wide), *_ = renderer._views.images.items()
    assert wide.image.shape[:2] == (750 + 2 * 188, 1000 + 2 * 250)
    # Pans here are cut from the view drawn ahead (test_render_snapshots); set it aside to
    # test the mosaic beneath, which pans use until it is drawn.
    renderer._snapshots.clear()
    composed = []
    original = tiles.TileMosaic.compose
    monkeypatch.setattr(
        tiles.TileMosaic,
        "compose",
        lambda self, *a: composed.append(a) or original(self, *a),
    )
    pixel = 80.0
    for dx, dy in ((37, 0), (-120, 55), (200, -150)):
        moved = (
            extent[0] + dx * pixel,
            extent[1] + dy * pixel,
            extent[2] + dx * pixel,
            extent[3] + dy * pixel,
        )
        cut = _draw(renderer, [layer], moved, tiles=True)
        assert renderer.last_tiled == {layer.id} and not composed  # a crop, no resample
        renderer._views.images.clear()  # the same view composed afresh
        fresh = _draw(renderer, [layer], moved, tiles=True)
        assert len(composed) == 1
        composed.clear()
        assert np.abs(cut - fresh).max() <= 1
        renderer._views.keep(key, wide)
    # Half a pixel off the phase, or another scale: composed for the view, not cut.
    _draw(renderer, [layer], (extent[0] + 40, extent[1], extent[2] + 40, extent[3]), tiles=True)
    assert len(composed) == 1


def _places(n: int = 400) -> Layer:
    rng = np.random.default_rng(3)
    gdf = gpd.GeoDataFrame(
        {
            "name": [f"Vereda {i} $x$" for i in range(n)],
            "population": rng.integers(100, 100_000, n),
        },
        geometry=shapely.points(rng.uniform(0, 100_000, n), rng.uniform(0, 75_000, n)),
        crs=CRS_M,
    )
    style = Style(fill="#252525", edge="white", marker="s", marker_size=10, label_field="name")
    return Layer(
        gdf,
        "places",
        role=Role.SETTLEMENTS,
        style=style,
        mapping=FieldMapping({"population": "population"}),
    )


def test_label_sprites_draw_what_text_draws_and_are_drawn_once() -> None:
    layer = _places()
    extent = (0.0, 0.0, 100_000.0, 75_000.0)  # 1:378,000 on screen: names shown
    text = _draw(MapRenderer(), [layer], extent, tiles=False)
    renderer = MapRenderer()
    sprites = _draw(renderer, [layer], extent, tiles=True)
    drawn = renderer._sprites.drawn
    assert drawn > 20
    dark_text, dark_sprites = (text.sum(axis=2) < 300), (sprites.sum(axis=2) < 300)
    assert abs(dark_text.mean() - dark_sprites.mean()) < 0.1 * dark_text.mean()
    # Each name lands where its text was, within the half pixel the blit rounds to.
    diff = np.abs(text - sprites).max(axis=2)
    assert diff.mean() < 4
    again = _draw(renderer, [layer], extent, tiles=True)
    assert renderer._sprites.drawn == drawn and np.array_equal(again, sprites)
