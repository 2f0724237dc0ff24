"""Dense point layers drawn as a count raster on the renderer's own pixel grid.

Counting at draw time, in device pixels, lets the raster go straight to
`renderer.draw_image`: matplotlib's image pipeline (imshow resampling) costs 60–90 ms for
one screen-sized image on Agg here, this path about 10 ms for a million points.
"""

from __future__ import annotations

import math
import sys

import numpy as np
from matplotlib.artist import Artist, allow_rasterization
from matplotlib.colors import to_rgba

from cartography.pixels import DeviceGrid, device_grid, draw_pixels

# Cell side at 100 dpi; scaled with the dpi so screen and print show the same grain (0.5 mm).
CELL_PX_AT_100_DPI = 2.0


class PointDensity(Artist):
    """Counts of points per cell, shaded on a log scale in one colour.

    Always rasterized: vector backends (PDF, SVG) draw it with Agg at the export dpi.
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, colour: str, alpha: float, zorder: float):
        super().__init__()
        self._x = np.asarray(x, dtype=float)
        self._y = np.asarray(y, dtype=float)
        self._rgb = tuple(round(c * 255) for c in to_rgba(colour)[:3])
        self._alpha = float(alpha)
        self.set_zorder(zorder)
        self.set_rasterized(True)

    def cell_pixels(self, dpi: float) -> int:
        return max(1, round(CELL_PX_AT_100_DPI * dpi / 100.0))

    def counts(self, renderer) -> tuple[np.ndarray, int, DeviceGrid]:
        """(counts per cell with row 0 at the bottom, cell size, device grid)."""
        grid = device_grid(self.axes)
        cell = self.cell_pixels(renderer.dpi)
        nx, ny = math.ceil(grid.width / cell), math.ceil(grid.height / cell)
        ix = _cell_index(self._x, grid.sx / cell, grid.ox / cell, nx)
        iy = _cell_index(self._y, grid.sy / cell, grid.oy / cell, ny)
        # Unsigned view: negative (left or below) and too large (right or above) fail one test.
        keep = (ix.view(np.uint32) < nx) & (iy.view(np.uint32) < ny)
        iy *= nx
        iy += ix
        counts = np.bincount(iy[keep], minlength=nx * ny).reshape(ny, nx)
        return counts, cell, grid

    @allow_rasterization
    def draw(self, renderer) -> None:
        if not self.get_visible() or self.axes is None or not self._x.size:
            return
        counts, cell, grid = self.counts(renderer)
        top = int(counts.max())
        if top <= 0:
            return
        # Log shading, the busiest cell opaque; a lone point is faint (a tenth), so the scattered
        # background of a national layer reads as a light tint and its hot spots stand out.
        steps = np.log1p(np.arange(top + 1, dtype=np.float64)) / math.log1p(top)
        lut = np.round((0.1 + 0.9 * steps) * (255 * self._alpha)).astype(np.uint32) << 24
        lut[0] = 0
        r, g, b = self._rgb
        lut |= np.uint32(r | (g << 8) | (b << 16))  # RGBA bytes of a little-endian uint32
        packed = lut[counts] if sys.byteorder == "little" else lut[counts].byteswap()
        ny, nx = counts.shape
        image = np.empty((ny, cell, nx, cell), dtype=np.uint32)
        image[...] = packed[:, None, :, None]  # each cell fills cell x cell device pixels
        image = image.reshape(ny * cell, nx * cell).view(np.uint8).reshape(ny * cell, nx * cell, 4)
        draw_pixels(renderer, self.axes, grid, image)


def _cell_index(values: np.ndarray, scale: float, offset: float, size: int) -> np.ndarray:
    """Cell numbers of map coordinates as int32 (values off the grid come out < 0 or >= size)."""
    f = values * scale
    f += offset + 1.0
    # fmax/fmin also turn NaN into 0 (off the grid) and keep the int32 cast defined far out.
    np.fmax(f, 0.0, out=f)
    np.fmin(f, size + 1.0, out=f)
    out = f.astype(np.int32)
    out -= 1
    return out
