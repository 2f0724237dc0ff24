"""Redraw times of the map renderer at scale: 100,000 polygons and 1,000,000 points.

Run: .venv/bin/python -m benchmarks.bench_render [--polygons N] [--points N]
Measures, on one reused Agg figure at 1600x1200 as the desktop canvas draws: the first
full-extent draw (caches cold), the same view again, pans at the full-extent scale, a run
of wheel zooms in and back out, and views at 10 % of the extent (new view each time).
Between gestures the canvas is idle and runs MapRenderer.warm_up; so does this benchmark,
except in the fast wheel spin, which gives the caches no idle time at all.
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


class Canvas:
    """One Agg figure reused for every redraw, as the desktop canvas does (1600x1200)."""

    def __init__(self, renderer: MapRenderer) -> None:
        self.renderer = renderer
        self.fig = plt.figure(figsize=(16, 12), dpi=100)
        self.ax = self.fig.add_axes((0, 0, 1, 1))
        self.tiled = 0  # redraws that used level tiles

    def draw(self, lyrs: list[Layer], extent, idle: bool = True) -> float:
        """Seconds for one redraw; then, with `idle`, the warm-up the idle canvas runs."""
        t0 = time.perf_counter()
        self.ax.clear()
        self.ax.set_axis_off()
        view = MapView(CRS_M, extent, pixel_size=(extent[2] - extent[0]) / 1600)
        self.renderer.render(self.ax, lyrs, view, tiles=True)
        self.tiled += bool(self.renderer.last_tiled)
        self.fig.canvas.draw()
        seconds = time.perf_counter() - t0
        if idle:
            for _ in self.renderer.warm_up(lyrs, view):
                pass
        return seconds


def _report(label: str, seconds: list[float]) -> None:
    ms = [s * 1000 for s in seconds]
    print(
        f"{label:<34} median {statistics.median(ms):4.0f} ms, max {max(ms):4.0f} ms ({len(ms)} views)"
    )


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
    canvas = Canvas(MapRenderer())
    x0, y0 = 300_000.0, 200_000.0
    full = (x0, y0, x0 + SIZE, y0 + SIZE * 0.75)
    cx, cy = x0 + SIZE / 2, y0 + SIZE * 0.375
    w, h = full[2] - full[0], full[3] - full[1]
    print(f"{'full extent, cold caches':<34} {canvas.draw(lyrs, full) * 1000:4.0f} ms")
    _report("full extent, same view again", [canvas.draw(lyrs, full) for _ in range(5)])
    rng = np.random.default_rng(5)
    pans = []
    for _ in range(10):  # drags at the full-extent scale, up to a quarter of the window
        dx, dy = rng.uniform(-0.25, 0.25) * w, rng.uniform(-0.25, 0.25) * h
        pans.append(canvas.draw(lyrs, (full[0] + dx, full[1] + dy, full[2] + dx, full[3] + dy)))
    _report("pans at full-extent scale", pans)
    zooms = []
    for step in (*range(1, 11), *range(9, -1, -1)):  # ten wheel notches in (x1.25), then out
        f = 1.25**-step
        zooms.append(
            canvas.draw(lyrs, (cx - w * f / 2, cy - h * f / 2, cx + w * f / 2, cy + h * f / 2))
        )
    _report("wheel zooms in and out (x1.25)", zooms)
    fresh = Canvas(MapRenderer())
    fresh.draw(lyrs, full)
    spin = []
    for step in range(1, 11):  # a fast wheel spin: no idle time between notches
        f = 1.25**-step
        box = (cx - w * f / 2, cy - h * f / 2, cx + w * f / 2, cy + h * f / 2)
        spin.append(fresh.draw(lyrs, box, idle=False))
    _report("fast wheel spin in, no idle time", spin)
    vw, vh = SIZE * 0.1, SIZE * 0.075
    zoom = []
    for _ in range(10):  # a new view each time: pans and zooms the user makes
        zx = rng.uniform(x0 + vw, x0 + SIZE - vw)
        zy = rng.uniform(y0 + vh, y0 + SIZE * 0.75 - vh)
        zoom.append(canvas.draw(lyrs, (zx - vw / 2, zy - vh / 2, zx + vw / 2, zy + vh / 2)))
    _report("10% of the extent, new views", zoom)


if __name__ == "__main__":
    main()
