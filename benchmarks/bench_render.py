"""Redraw times of the map renderer at scale: 100,000 polygons and 1,000,000 points.

Run: .venv/bin/python -m benchmarks.bench_render [--polygons N] [--points N]
Measures, on Agg at 1600x1200: the first full-extent draw (caches cold), a repeat
full-extent redraw, and pan/zoom redraws at 10 % of the extent (new view each time).
"""

from __future__ import annotations

import argparse
import statistics
import time

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import shapely  # noqa: E402
from pyproj import CRS  # noqa: E402

from cartography.render import MapRenderer, MapView  # noqa: E402
from layers.layer import Layer  # noqa: E402
from layers.roles import FieldMapping, Role  # noqa: E402
from layers.style import default_style  # noqa: E402

CRS_M = CRS.from_epsg(32618)
SIZE = 400_000.0  # a 400 km square in UTM 18N


def make_polygons(n: int, seed: int = 1) -> gpd.GeoDataFrame:
    """n irregular 12-gon polygons (one in ten with a hole) with a hectares value."""
    rng = np.random.default_rng(seed)
    cx = rng.uniform(0, SIZE, n) + 300_000
    cy = rng.uniform(0, SIZE, n) + 200_000
    r = rng.uniform(200, 1500, n)
    ang = np.linspace(0, 2 * np.pi, 13)[:-1]
    jitter = rng.uniform(0.7, 1.0, (n, 12))
    xs = cx[:, None] + r[:, None] * jitter * np.cos(ang)
    ys = cy[:, None] + r[:, None] * jitter * np.sin(ang)
    rings = np.stack([xs, ys], axis=-1)
    rings = np.concatenate([rings, rings[:, :1]], axis=1)
    shells = shapely.linearrings(rings)
    polys = shapely.polygons(shells)
    holed = np.arange(n) % 10 == 0
    hole = shapely.buffer(shapely.points(cx[holed], cy[holed]), r[holed] * 0.3, quad_segs=2)
    polys[holed] = shapely.polygons(shells[holed], holes=shapely.get_exterior_ring(hole)[:, None])
    return gpd.GeoDataFrame(
        {"hectares": rng.gamma(2.0, 20.0, n), "name": [f"cell {i}" for i in range(n)]},
        geometry=polys,
        crs=CRS_M,
    )


def make_points(n: int, seed: int = 2) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(SIZE / 2, SIZE / 6, n) + 300_000
    y = rng.normal(SIZE / 2, SIZE / 6, n) + 200_000
    kinds = np.array(["battle", "riot", "explosion", "violence against civilians"])
    return gpd.GeoDataFrame(
        {"event_type": kinds[rng.integers(0, 4, n)]},
        geometry=gpd.points_from_xy(x, y),
        crs=CRS_M,
    )


def layers(n_poly: int, n_pts: int) -> list[Layer]:
    polys = Layer(
        make_polygons(n_poly),
        "cultivation",
        role=Role.CULTIVATION,
        mapping=FieldMapping({"hectares": "hectares"}),
    )
    pts_style = default_style(Role.VIOLENCE)
    pts_style.kind = "categorized"
    pts = Layer(
        make_points(n_pts),
        "violence",
        role=Role.VIOLENCE,
        mapping=FieldMapping({"event_type": "event_type"}),
        style=pts_style,
    )
    return [polys, pts]


def timed_draw(renderer: MapRenderer, lyrs: list[Layer], extent) -> float:
    fig = plt.figure(figsize=(16, 12), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    t0 = time.perf_counter()
    view = MapView(CRS_M, extent, pixel_size=(extent[2] - extent[0]) / 1600)
    renderer.render(ax, lyrs, view)
    fig.canvas.draw()
    dt = time.perf_counter() - t0
    plt.close(fig)
    return dt


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--polygons", type=int, default=100_000)
    parser.add_argument("--points", type=int, default=1_000_000)
    args = parser.parse_args()
    t0 = time.perf_counter()
    lyrs = layers(args.polygons, args.points)
    print(
        f"data: {args.polygons:,} polygons, {args.points:,} points ({time.perf_counter() - t0:.1f} s)"
    )
    renderer = MapRenderer()
    x0, y0 = 300_000.0, 200_000.0
    full = (x0, y0, x0 + SIZE, y0 + SIZE * 0.75)
    print(f"full extent, cold caches: {timed_draw(renderer, lyrs, full) * 1000:.0f} ms")
    warm = [timed_draw(renderer, lyrs, full) for _ in range(3)]
    print(f"full extent, warm:        {statistics.median(warm) * 1000:.0f} ms (median of 3)")
    w, h = SIZE * 0.1, SIZE * 0.075
    rng = np.random.default_rng(5)
    zoom = []
    for _ in range(10):  # a new view each time: pans and zooms the user makes
        cx, cy = rng.uniform(x0 + w, x0 + SIZE - w), rng.uniform(y0 + h, y0 + SIZE * 0.75 - h)
        zoom.append(timed_draw(renderer, lyrs, (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)))
    print(
        f"10% zoom, new views:      median {statistics.median(zoom) * 1000:.0f} ms, "
        f"max {max(zoom) * 1000:.0f} ms (10 views)"
    )


if __name__ == "__main__":
    main()
