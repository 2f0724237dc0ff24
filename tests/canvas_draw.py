"""Draw a map as the desktop canvas does, headless, and a layer that tiles: for the render
tests."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import geopandas as gpd  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import shapely  # noqa: E402

from cartography.render import MapRenderer, MapView  # noqa: E402
from layers.layer import Layer  # noqa: E402
from layers.roles import FieldMapping, Role  # noqa: E402


def draw_like_the_canvas(
    renderer: MapRenderer,
    layers,
    view: MapView,
    *,
    tiles: bool,
    idle: bool = False,
    size_px: tuple[int, int] = (1000, 750),
    facecolor: str | None = None,
    fill_view: bool = False,
) -> np.ndarray:
    """The RGB pixels of `view` drawn on a size_px figure at 100 dpi; with `idle`, the
    warm-up runs after; with `fill_view`, the axes span the view's extent exactly (as the
    canvas's own axes do, whatever the aspect)."""
    fig = plt.figure(figsize=(size_px[0] / 100, size_px[1] / 100), dpi=100, facecolor=facecolor)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    renderer.render(ax, layers, view, tiles=tiles)
    if fill_view:
        ax.set_aspect("auto")
        ax.set_xlim(view.extent[0], view.extent[2])
        ax.set_ylim(view.extent[1], view.extent[3])
    fig.canvas.draw()
    img = np.asarray(fig.canvas.buffer_rgba())[:, :, :3].astype(int)
    plt.close(fig)
    if idle:
        for _ in renderer.warm_up(layers, view):
            pass
    return img


def blobs(n: int = 6000, seed: int = 4) -> Layer:
    """Overlapping irregular polygons a few pixels across (EPSG:32618, 100 x 75 km),
    graduated in five classes: a layer that tiles."""
    rng = np.random.default_rng(seed)
    centres = shapely.points(rng.uniform(0, 100_000, n), rng.uniform(0, 75_000, n))
    shapes = shapely.buffer(centres, rng.uniform(150, 900, n), quad_segs=3)
    gdf = gpd.GeoDataFrame({"hectares": rng.gamma(2.0, 20.0, n)}, geometry=shapes, crs=32618)
    mapping = FieldMapping({"hectares": "hectares"})
    return Layer(gdf, "blobs", role=Role.CULTIVATION, mapping=mapping)
