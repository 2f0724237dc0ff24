"""Draw a map as the desktop canvas does, headless, for the render tests."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from cartography.render import MapRenderer, MapView  # noqa: E402


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
