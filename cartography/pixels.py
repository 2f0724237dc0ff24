"""The device pixels an Axes covers, for artists that draw their own images pixel for pixel."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes


@dataclass(frozen=True)
class DeviceGrid:
    """Whole device pixels under the axes; map x lands at sx * x + ox pixels from x0."""

    x0: int
    y0: int
    width: int
    height: int
    sx: float
    sy: float
    ox: float
    oy: float


def device_grid(ax: Axes) -> DeviceGrid:
    box = ax.bbox
    x0, y0 = math.floor(box.x0), math.floor(box.y0)
    m = ax.transData.get_affine().get_matrix()  # linear axes: scale and offset only
    return DeviceGrid(
        x0,
        y0,
        max(1, math.ceil(box.x1) - x0),
        max(1, math.ceil(box.y1) - y0),
        m[0, 0],
        m[1, 1],
        m[0, 2] - x0,
        m[1, 2] - y0,
    )


def draw_pixels(renderer, ax: Axes, grid: DeviceGrid, image: np.ndarray) -> None:
    """Straight-alpha RGBA uint8, row 0 at the bottom, at the grid's corner, clipped to ax."""
    gc = renderer.new_gc()
    gc.set_clip_rectangle(ax.bbox.frozen())  # an image may overhang the axes by a pixel
    renderer.draw_image(gc, grid.x0, grid.y0, image)  # Agg (also when rasterizing)
    gc.restore()
