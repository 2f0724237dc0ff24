"""Screen labels as cached images: each name drawn once (text and halo), then blitted.

A haloed label costs ~2 ms of matplotlib text layout and stroking every time it is drawn,
so 150 names took ~200 ms of every pan. The name's pixels do not depend on the map's scale
or position, only on its text, size, alignment, look (colour, halo) and dpi: a sprite drawn
once is reused by
every later view that shows the name (docs/performance.md). Only the canvas uses this;
exports keep real text (selectable in PDF and SVG).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator

import numpy as np
from matplotlib.artist import Artist, allow_rasterization
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import IdentityTransform

from cartography.labels import LabelLook, Placed
from cartography.pixels import device_grid

# Scratch canvas a sprite is drawn on, anchor in the middle; longer names draw as text.
SCRATCH_W, SCRATCH_H = 1400, 160
MAX_SPRITES = 4096  # a few KB each


class Sprite:
    """A label's straight-alpha RGBA pixels (row 0 at the bottom) and where its anchor is."""

    __slots__ = ("image", "dx", "dy")

    def __init__(self, image: np.ndarray, dx: int, dy: int) -> None:
        self.image, self.dx, self.dy = image, dx, dy


class SpriteBook:
    """Sprites by (text, size, alignment, dpi, look), least recently used dropped past
    MAX_SPRITES."""

    def __init__(self) -> None:
        self._sprites: OrderedDict[tuple, Sprite | None] = OrderedDict()
        self._figure: Figure | None = None
        self.drawn = 0  # sprites drawn so far (misses)

    def sprite(
        self, text: str, size: float, ha: str, va: str, dpi: float, look: LabelLook | None = None
    ) -> Sprite | None:
        """The label's sprite, drawn now if new; None when too long for the scratch canvas."""
        look = look or LabelLook()
        key = (text, size, ha, va, dpi, look)
        hit = self._sprites.get(key, False)
        if hit is not False:
            self._sprites.move_to_end(key)
            return hit
        sprite = self._draw(text, size, ha, va, dpi, look)
        while len(self._sprites) >= MAX_SPRITES:
            self._sprites.popitem(last=False)
        self._sprites[key] = sprite
        self.drawn += 1
        return sprite

    def _draw(
        self, text: str, size: float, ha: str, va: str, dpi: float, look: LabelLook
    ) -> Sprite | None:
        if self._figure is None or self._figure.dpi != dpi:
            self._figure = Figure(figsize=(SCRATCH_W / dpi, SCRATCH_H / dpi), dpi=dpi)
            self._figure.patch.set_alpha(0.0)
            FigureCanvasAgg(self._figure)
        fig = self._figure
        renderer = fig.canvas.get_renderer()
        renderer.clear()
        cx, cy = SCRATCH_W // 2, SCRATCH_H // 2
        artist = Text(
            cx, cy, text, fontsize=size, color=look.colour, ha=ha, va=va, parse_math=False,
            transform=IdentityTransform(), path_effects=look.effects(),
        )  # fmt: skip
        artist.set_figure(fig)
        artist.draw(renderer)
        rgba = np.asarray(renderer.buffer_rgba())
        alpha = rgba[..., 3]
        cols = np.flatnonzero(alpha.any(axis=0))
        rows = np.flatnonzero(alpha.any(axis=1))
        if not cols.size:
            return Sprite(np.zeros((1, 1, 4), dtype=np.uint8), 0, 0)
        c0, c1, r0, r1 = cols[0], cols[-1] + 1, rows[0], rows[-1] + 1
        if c0 == 0 or r0 == 0 or c1 == SCRATCH_W or r1 == SCRATCH_H:
            return None  # touches the edge: cut off, draw it as text instead
        image = np.ascontiguousarray(rgba[r0:r1, c0:c1][::-1])
        # Anchor (display y up) relative to the sprite's bottom-left pixel.
        return Sprite(image, cx - c0, cy - (SCRATCH_H - r1))


class LabelSprites(Artist):
    """The placed labels of one view, each blitted from its sprite at its anchor pixel."""

    def __init__(
        self, placed: list[Placed], size: float, book: SpriteBook, look: LabelLook | None = None
    ) -> None:
        super().__init__()
        self._placed, self._size, self._book = placed, size, book
        self._look = look or LabelLook()
        self.set_zorder(1000)

    def prepare_steps(self, dpi: float, per_step: int = 8) -> Iterator[None]:
        """Draw the sprites this view will blit, a few per step (idle time, a view ahead)."""
        for first in range(0, len(self._placed), per_step):
            for p in self._placed[first : first + per_step]:
                self._book.sprite(p.text, self._size, p.ha, p.va, dpi, self._look)
            yield

    @allow_rasterization
    def draw(self, renderer) -> None:
        if not self.get_visible() or self.axes is None or not self._placed:
            return
        ax, grid = self.axes, device_grid(self.axes)
        gc = renderer.new_gc()
        gc.set_clip_rectangle(ax.bbox.frozen())
        look = self._look
        for p in self._placed:
            sprite = self._book.sprite(p.text, self._size, p.ha, p.va, renderer.dpi, look)
            if sprite is None:  # too long for a sprite: real text, as exports draw it
                text = Text(
                    p.x, p.y, p.text, fontsize=self._size, path_effects=look.effects(), ha=p.ha,
                    va=p.va, color=look.colour, parse_math=False, transform=ax.transData,
                )  # fmt: skip
                text.set_figure(ax.figure)
                text.set_clip_box(ax.bbox)
                text.draw(renderer)
                continue
            u = grid.x0 + round(grid.sx * p.x + grid.ox) - sprite.dx
            v = grid.y0 + round(grid.sy * p.y + grid.oy) - sprite.dy
            renderer.draw_image(gc, u, v, sprite.image)
        gc.restore()
