"""Views drawn ahead at the next wheel step (cartography/view_snapshots.py).

A wheel zoom drawn from a snapshot must look like the same view drawn without one; anything
that changes the content drops it; exports (tiles=False) never use one.
"""

from __future__ import annotations

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import shapely  # noqa: E402
from canvas_draw import draw_like_the_canvas  # noqa: E402
from pyproj import CRS  # noqa: E402

import cartography.render as render  # noqa: E402
from cartography.density import PointDensity  # noqa: E402
from cartography.render import MapRenderer, MapView  # noqa: E402
from layers.layer import Layer  # noqa: E402
from layers.roles import FieldMapping, Role  # noqa: E402
from layers.style import Style  # noqa: E402

CRS_M = CRS.from_epsg(32618)
# Half the canvas times a quarter is whole pixels (as 1600 x 1200 is): a wheel step about
# the centre lands on the snapshot's pixel grid exactly.
W, H = 1000, 800
CENTRE, SCALE = (50_000.0, 40_000.0), 100.0  # map units per pixel: the whole area in view


def _extent(centre, scale):
    return (
        centre[0] - W / 2 * scale,
        centre[1] - H / 2 * scale,
        centre[0] + W / 2 * scale,
        centre[1] + H / 2 * scale,
    )


def _draw(renderer: MapRenderer, layers, extent, scale, tiles=True, idle=False) -> np.ndarray:
    """Draw like the desktop canvas (1000 x 800 px); with `idle`, run the warm-up after."""
    view = MapView(CRS_M, extent, pixel_size=scale)
    return draw_like_the_canvas(
        renderer,
        layers,
        view,
        tiles=tiles,
        idle=idle,
        size_px=(W, H),
        facecolor="#f4f1ea",
        fill_view=True,
    )


def _wheel(anchor, factor):
    """The view after a wheel step about `anchor`, as desktop/canvas.py zoom_by computes it."""
    scale = SCALE / factor
    ratio = scale / SCALE
    centre = tuple(a - (a - c) * ratio for a, c in zip(anchor, CENTRE, strict=True))
    return _extent(centre, scale), scale


def _layers(n_points: int = 3000) -> list[Layer]:
    rng = np.random.default_rng(11)
    centres = shapely.points(rng.uniform(0, 100_000, 800), rng.uniform(0, 75_000, 800))
    areas = gpd.GeoDataFrame(
        {"kind": rng.choice(["a", "b", "c"], 800)},
        geometry=shapely.buffer(centres, rng.uniform(300, 1500, 800), quad_segs=4),
        crs=CRS_M,
    )
    outlined = Layer(
        areas,
        "footprints",
        role=Role.ERADICATION,
        style=Style(fill="#c6dbef", edge="#08306b", line_width=0.6, fill_alpha=0.6),
    )
    xs = rng.uniform(0, 100_000, (300, 2))
    lines = gpd.GeoDataFrame(
        geometry=[
            shapely.LineString([(x0, y), (x1, y + 9_000)])
            for (x0, x1), y in zip(xs, rng.uniform(0, 70_000, 300), strict=True)
        ],
        crs=CRS_M,
    )
    rivers = Layer(lines, "rivers", role=Role.WATER, style=Style(edge="#4a90d9", line_width=0.8))
    pts = shapely.points(rng.normal(50_000, 15_000, n_points), rng.normal(37_000, 12_000, n_points))
    events = Layer(
        gpd.GeoDataFrame(geometry=pts, crs=CRS_M),
        "events",
        role=Role.VIOLENCE,
        style=Style(fill="#d7301f", marker="o", marker_size=9),
    )
    places = gpd.GeoDataFrame(
        {"population": rng.integers(100, 50_000, 300)},
        geometry=shapely.points(rng.uniform(0, 100_000, 300), rng.uniform(0, 75_000, 300)),
        crs=CRS_M,
    )
    settlements = Layer(
        places,
        "places",
        role=Role.SETTLEMENTS,
        style=Style(fill="#252525", edge="white", marker="s", marker_size=12),
        mapping=FieldMapping({"population": "population"}),
    )
    return [outlined, rivers, events, settlements]


def _ahead(layers) -> MapRenderer:
    """A renderer that drew the full view and had its idle time (snapshots made)."""
    renderer = MapRenderer()
    _draw(renderer, layers, _extent(CENTRE, SCALE), SCALE, idle=True)
    assert len(renderer._snapshots.kept) == 3  # the current scale (pans), one wheel step in, out
    return renderer


@pytest.mark.parametrize("factor", [1.25, 0.8])
def test_a_wheel_step_about_the_centre_is_cut_from_a_snapshot_and_looks_like_the_vectors(
    factor,
) -> None:
    layers = _layers()
    renderer = _ahead(layers)
    extent, scale = _wheel(CENTRE, factor)
    cut = _draw(renderer, layers, extent, scale)
    assert renderer.last_snapshot
    fresh = _draw(MapRenderer(), layers, extent, scale, tiles=False)
    diff = np.abs(cut - fresh).max(axis=2)
    assert diff.mean() < 0.5 and (diff > 32).mean() < 0.002


def test_a_wheel_step_about_any_point_is_cut_at_the_nearest_whole_pixel() -> None:
    layers = _layers()
    renderer = _ahead(layers)
    for anchor in ((13_371.0, 60_123.0), (97_000.0, 2_345.0), (50_001.3, 37_499.2)):
        for factor in (1.25, 0.8):
            extent, scale = _wheel(anchor, factor)
            cut = _draw(renderer, layers, extent, scale)
            assert renderer.last_snapshot
            # The snapshot's pixels are the view moved by at most half a pixel each way (a
            # shift no one sees, though thin lines' antialiased pixels all change with it).
            kept = renderer._snapshots.find(
                renderer._screen[3], render.predicted_grid(W, H, extent)
            )
            i, j = kept.offset(render.predicted_grid(W, H, extent))
            x0, y0 = kept.left + i / kept.sx, kept.bottom + j / kept.sy
            assert abs(x0 - extent[0]) <= 0.5 * scale + 1e-6
            assert abs(y0 - extent[1]) <= 0.5 * scale + 1e-6
            snapped = (x0, y0, x0 + W * scale, y0 + H * scale)
            fresh = _draw(MapRenderer(), layers, snapped, scale, tiles=False)
            diff = np.abs(cut - fresh).max(axis=2)
            assert diff.mean() < 0.5 and (diff > 32).mean() < 0.002


def _pan(dx: int, dy: int) -> tuple:
    """The view after dragging the map by (dx, dy) pixels, as desktop/canvas.py pan_by_pixels."""
    return _extent((CENTRE[0] - dx * SCALE, CENTRE[1] + dy * SCALE), SCALE)


def test_a_pan_within_a_quarter_view_is_cut_from_a_snapshot_and_looks_like_the_vectors() -> None:
    layers = _layers()
    renderer = _ahead(layers)
    # A quarter of 1000 x 800 is 250 x 200 pixels: the corners of the margin included.
    for dx, dy in ((250, 200), (-250, -200), (-137, 41), (3, -199), (1, 0)):
        extent = _pan(dx, dy)
        cut = _draw(renderer, layers, extent, SCALE)
        assert renderer.last_snapshot
        kept = renderer._snapshots.find(renderer._screen[3], render.predicted_grid(W, H, extent))
        i, j = kept.offset(render.predicted_grid(W, H, extent))
        # On the view's own pixel grid: no shift at all, unlike a wheel step.
        assert abs(kept.left + i / kept.sx - extent[0]) < 1e-6 * SCALE
        assert abs(kept.bottom + j / kept.sy - extent[1]) < 1e-6 * SCALE
        fresh = _draw(MapRenderer(), layers, extent, SCALE, tiles=False)
        diff = np.abs(cut - fresh).max(axis=2)
        assert diff.mean() < 0.05 and (diff > 32).mean() < 0.0001, (dx, dy)
    # Beyond the margin: drawn from vectors; the view itself keeps its own pixels.
    for dx, dy in ((251, 0), (0, -201), (0, 0)):
        _draw(renderer, layers, _pan(dx, dy), SCALE)
        assert not renderer.last_snapshot


def test_a_warm_up_started_later_stops_the_one_running() -> None:
    layers = _layers()
    renderer = MapRenderer()
    extent = _extent(CENTRE, SCALE)
    _draw(renderer, layers, extent, SCALE)
    view = MapView(CRS_M, extent, pixel_size=SCALE)
    older, newer = renderer.warm_up(layers, view), renderer.warm_up(layers, view)
    for _ in range(3):  # the older one mid-way through its first snapshot
        next(older)
    next(newer)  # shares the snapshot figure: the older one must not draw on
    assert list(older) == []
    for _ in newer:
        pass
    assert len(renderer._snapshots.kept) == 3


def test_density_rasters_stay_live_and_a_layer_baked_as_markers_that_turns_dense_is_redrawn(
    monkeypatch,
) -> None:
    layers = _layers(n_points=3000)
    monkeypatch.setattr(render, "DENSE_POINTS", 2000)  # the events draw as a density raster
    renderer = _ahead(layers)
    assert all(s.live == (layers[2].id,) for s in renderer._snapshots.kept)
    extent, scale = _wheel(CENTRE, 1.25)
    fig = plt.figure(figsize=(W / 100, H / 100), dpi=100, facecolor="#f4f1ea")
    ax = fig.add_axes((0, 0, 1, 1))
    renderer.render(ax, layers, MapView(CRS_M, extent, pixel_size=scale), tiles=True)
    assert renderer.last_snapshot
    assert [type(a) for a in ax.artists if isinstance(a, PointDensity)] == [PointDensity]
    plt.close(fig)
    cut = _draw(renderer, layers, extent, scale)
    fresh = _draw(MapRenderer(), layers, extent, scale, tiles=False)
    assert np.abs(cut - fresh).max(axis=2).mean() < 0.5
    # Snapshots with the events baked as markers; then the view wants a density raster.
    monkeypatch.setattr(render, "DENSE_POINTS", 100_000)
    renderer = _ahead(layers)
    assert all(s.live == () for s in renderer._snapshots.kept)
    monkeypatch.setattr(render, "DENSE_POINTS", 2000)
    redrawn = _draw(renderer, layers, extent, scale)
    assert not renderer.last_snapshot
    assert np.array_equal(redrawn, _draw(MapRenderer(), layers, extent, scale))


def test_new_content_or_an_export_never_uses_a_snapshot() -> None:
    layers = _layers()
    renderer = _ahead(layers)
    extent, scale = _wheel(CENTRE, 1.25)
    layers[0].style.fill = "#ff0000"  # a style edited in place
    _draw(renderer, layers, extent, scale)
    assert not renderer.last_snapshot
    layers = _layers()
    renderer = _ahead(layers)
    layers[1].visible = False
    _draw(renderer, layers, extent, scale)
    assert not renderer.last_snapshot
    layers[1].visible = True
    _draw(renderer, layers, extent, scale, tiles=False)  # an export
    assert not renderer.last_snapshot
    _draw(renderer, layers, extent, scale)
    assert renderer.last_snapshot


def test_the_canvas_wheel_step_is_the_one_drawn_ahead() -> None:
    canvas = pytest.importorskip("desktop.canvas")
    assert canvas.WHEEL_ZOOM_STEP == render.WHEEL_STEP
