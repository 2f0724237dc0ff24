"""Level tiles: a large polygon layer drawn once per zoom level, composited into views.

At small scales Agg spends 100-150 ms filling 100,000 polygons of a few pixels each on
every pan or zoom. A tile holds the same drawing (same artists, same styles) at twice the
screen resolution of its level, premultiplied; a view at any scale of that level is the
tiles' mosaic resampled to device pixels (bilinear, 1.4x-2.8x down) in ~50 ms. Tiles are
made in idle time (MapRenderer.warm_up) and only used when every one a view needs exists,
so a view never waits for them. Exports never use them: they draw vectors.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from matplotlib import _image  # the resampler imshow uses, minus its float conversions
from matplotlib.artist import Artist, allow_rasterization
from matplotlib.transforms import Affine2D

from cartography.pixels import device_grid, draw_pixels

TILE_PX = 512
BLEED = 2  # extra pixels drawn round each tile, so the bilinear filter never sees an edge
OVERSAMPLE = 2.0  # level pixels per screen pixel at the level's own scale


def tile_resolution(tolerance: float) -> float:
    """Map units per tile pixel for a simplification level (its screen pixel size)."""
    return tolerance / OVERSAMPLE


def tile_indices(bbox: tuple[float, float, float, float], res: float) -> Iterator[tuple]:
    """(i, j) of the tiles that cover `bbox` (plus a pixel for the bilinear filter)."""
    side = TILE_PX * res
    i0, i1 = math.floor((bbox[0] - res) / side), math.floor((bbox[2] + res) / side)
    j0, j1 = math.floor((bbox[1] - res) / side), math.floor((bbox[3] + res) / side)
    for j in range(j0, j1 + 1):
        for i in range(i0, i1 + 1):
            yield (i, j)


def tile_bounds(i: int, j: int, res: float) -> tuple[float, float, float, float]:
    """Map box a tile image covers: its 512 level pixels plus the bleed on every side."""
    side, bleed = TILE_PX * res, BLEED * res
    return (i * side - bleed, j * side - bleed, (i + 1) * side + bleed, (j + 1) * side + bleed)


def premultiplied(buffer_rgba: np.ndarray) -> np.ndarray:
    """Agg's straight-alpha buffer (row 0 at the top) as premultiplied RGBA, row 0 at the bottom."""
    rgba = np.ascontiguousarray(buffer_rgba[::-1])
    alpha = rgba[..., 3:4].astype(np.uint16)
    rgba[..., :3] = (rgba[..., :3] * alpha + 127) // 255
    return rgba


# 255 / alpha in 16.16 fixed point: undoing premultiplication is a multiply and a shift.
_UNPREMULTIPLY = np.zeros(256, dtype=np.uint32)
_UNPREMULTIPLY[1:] = np.round(255 * 65536 / np.arange(1, 256))


def straight(rgba: np.ndarray) -> None:
    """Premultiplied RGBA back to straight alpha in place (what draw_image expects)."""
    factor = _UNPREMULTIPLY[rgba[..., 3]]
    for channel in range(3):  # dense, one channel at a time: ~10 ms for 1600x1200
        value = (rgba[..., channel] * factor + 32768) >> 16
        rgba[..., channel] = np.minimum(value, 255)


# Extra view pixels composed round a view in idle time, as a share of its width and height.
AROUND = 0.25
STRAIGHT_ROWS = 256  # rows converted per warm-up step


@dataclass
class Composed:
    """A straight-alpha mosaic at one exact scale: view pixel (u, v) is image pixel (u, v)
    shifted by whole pixels when the view's offset differs by whole pixels (a pan)."""

    sx: float
    sy: float
    ox: float
    oy: float
    image: np.ndarray  # row 0 at the bottom

    def crop(self, width: int, height: int, sx: float, sy: float, ox: float, oy: float):
        """The view's pixels cut from the image, or None when scale, phase or cover differ."""
        if abs(sx - self.sx) > 1e-9 * abs(sx) or abs(sy - self.sy) > 1e-9 * abs(sy):
            return None
        di, dj = self.ox - ox, self.oy - oy
        i, j = round(di), round(dj)
        if abs(di - i) > 1e-3 or abs(dj - j) > 1e-3:
            return None  # a pan by a fraction of a pixel: the resample would differ
        h, w = self.image.shape[:2]
        if i < 0 or j < 0 or i + width > w or j + height > h:
            return None
        return self.image[j : j + height, i : i + width]


class ComposedViews:
    """Per tiled layer and level: the last view drawn (its device grid) and the mosaic
    composed for it, or for a wider area round it in idle time, so a pan at the same
    scale is a crop (~5 ms) instead of a resample of every tile (~50 ms)."""

    def __init__(self, limit: int = 4) -> None:
        self.limit = limit
        self.grids: dict[tuple, tuple[int, int, float, float, float, float]] = {}
        self.images: dict[tuple, Composed] = {}

    def keep(self, key: tuple, composed: Composed) -> None:
        self.images.pop(key, None)
        while len(self.images) >= self.limit:
            self.images.pop(next(iter(self.images)))
        self.images[key] = composed

    def forget(self, keep) -> None:
        """Drop entries whose key keep(key) refuses (a removed layer)."""
        for store in (self.grids, self.images):
            for key in [k for k in store if not keep(k)]:
                del store[key]


def compose_steps(
    tiles: dict[tuple, np.ndarray | None],
    out: np.ndarray,
    sx: float,
    sy: float,
    ox: float,
    oy: float,
) -> Iterator[None]:
    """Resample `tiles` into premultiplied `out`, one tile per step: level pixel (c, r)
    lands at (sx c + ox, sy r + oy)."""
    height, width = out.shape[:2]
    for (i, j), tile in tiles.items():
        if tile is None:
            continue
        # Output pixels whose centres lie in this tile's own 512 x 512 (not its bleed).
        u0, u1 = (_first_pixel(sx * c * TILE_PX + ox, width) for c in (i, i + 1))
        v0, v1 = (_first_pixel(sy * r * TILE_PX + oy, height) for r in (j, j + 1))
        if u0 >= u1 or v0 >= v1:
            continue
        part = np.zeros((v1 - v0, u1 - u0, 4), dtype=np.uint8)
        to_part = (
            Affine2D()
            .scale(sx, sy)
            .translate(sx * (i * TILE_PX - BLEED) + ox - u0, sy * (j * TILE_PX - BLEED) + oy - v0)
        )
        _image.resample(tile, part, to_part, _image.BILINEAR, False, 1.0)
        out[v0:v1, u0:u1] = part
        yield


class TileMosaic(Artist):
    """The tiles of one layer at one level, drawn into the axes' device pixels."""

    def __init__(
        self,
        tiles: dict[tuple, np.ndarray | None],
        res: float,
        zorder: float,
        views: ComposedViews | None = None,
        key: tuple | None = None,
    ) -> None:
        super().__init__()
        self._tiles = tiles
        self._res = res
        self._views, self._key = views, key
        self.set_zorder(zorder)

    def compose(
        self, width: int, height: int, sx: float, sy: float, ox: float, oy: float
    ) -> np.ndarray:
        """Premultiplied width x height image: level pixel (c, r) lands at (sx c + ox, sy r + oy)."""
        out = np.zeros((height, width, 4), dtype=np.uint8)
        for _ in compose_steps(self._tiles, out, sx, sy, ox, oy):
            pass
        return out

    def draw_steps(self, renderer) -> Iterator[None]:
        """draw() in steps of one tile, kept nowhere (idle time: a view drawn ahead)."""
        grid, res = device_grid(self.axes), self._res
        out = np.zeros((grid.height, grid.width, 4), dtype=np.uint8)
        yield from compose_steps(self._tiles, out, grid.sx * res, grid.sy * res, grid.ox, grid.oy)
        for first in range(0, grid.height, STRAIGHT_ROWS):
            straight(out[first : first + STRAIGHT_ROWS])
            yield
        draw_pixels(renderer, self.axes, grid, out)

    @allow_rasterization
    def draw(self, renderer) -> None:
        if not self.get_visible() or self.axes is None:
            return
        grid, res = device_grid(self.axes), self._res
        place = (grid.width, grid.height, grid.sx * res, grid.sy * res, grid.ox, grid.oy)
        views, key = self._views, self._key
        kept = views.images.get(key) if views is not None else None
        out = kept.crop(*place) if kept is not None else None
        if out is None:
            out = self.compose(*place)
            straight(out)
            if views is not None:
                views.keep(key, Composed(*place[2:], out))
        if views is not None:
            views.grids[key] = place  # what warm-up composes round (MapRenderer.warm_up)
        draw_pixels(renderer, self.axes, grid, out)


def _first_pixel(edge: float, size: int) -> int:
    """The first output pixel whose centre is at or past `edge`, kept within 0..size."""
    return min(max(math.ceil(edge - 0.5), 0), size)
