"""Views drawn ahead at the next wheel step's scale and at the current one, so a wheel zoom
or a pan is a crop (screen only).

A wheel step changes the scale by a fixed factor (1.25 in the canvas) about the cursor.
Every view one step in lies inside the current view; every view one step out lies inside
the current view plus a quarter of it on each side. In idle time (MapRenderer.warm_up) the
renderer draws the layers at that exact scale over that whole area, without labels, into
a snapshot; a wheel zoom to that scale, about any point, is then the snapshot cropped at
the nearest whole pixel (≤ 0.5 px off, as label sprites are) plus the labels and selection
drawn as usual. Pans are the same at the current scale: the snapshot covers the view plus
a quarter of it on each side, on the view's own pixel grid, so a pan by whole pixels within
that margin is an exact crop. The layers' pixels depend only on the scale, never on the
view's extent, except for two things the snapshot keeps live:

- density rasters shade by the busiest cell *in the view*: they are drawn afresh, and the
  snapshot is cut into segments below and above each of them (z-order kept);
- a point layer switches from markers to a density raster above DENSE_POINTS visible
  points: a layer drawn as markers in the snapshot that the view would draw as a density
  raster makes the view render from vectors (cannot happen for a view inside the area
  drawn: it holds at least as many points).

Exports never use snapshots: they draw vectors.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
from matplotlib.artist import Artist, allow_rasterization
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from cartography.density import PointDensity
from cartography.label_sprites import LabelSprites
from cartography.layer_draw import _token, clear_map
from cartography.pixels import DeviceGrid, device_grid, draw_pixels
from cartography.tiles import TileMosaic

# Snapshots kept: the current scale for pans (17 MB a segment at 1600x1200) and the wheel
# step in and out (12 MB a segment each): ~120 MB for three on the national project, whose
# two density layers cut each into three segments.
MAX_SNAPSHOTS = 3


@dataclass
class Snapshot:
    """The layers drawn at one scale over a larger area, cut at live (density) layers."""

    content: tuple  # MapRenderer's content key: layers, styles, period, figure look
    sx: float  # device pixels per map unit
    sy: float
    left: float  # map x of the images' left edge
    bottom: float  # map y of their bottom edge
    live: tuple[int, ...]  # layer ids drawn live, in z order (density rasters)
    live_z: tuple[float, ...]  # their z-orders
    segments: list[np.ndarray] = field(default_factory=list)  # straight RGBA, row 0 at bottom
    # The offset of the view a pan snapshot was drawn round: that view re-rendered (a new
    # selection) keeps its own pixels rather than change by an antialiasing shade.
    skip: tuple[int, int] | None = None

    def offset(self, grid: DeviceGrid) -> tuple[int, int] | None:
        """Where a view's device grid starts in the images, or None if scale or cover differ."""
        if not math.isclose(grid.sx, self.sx, rel_tol=1e-9) or not math.isclose(
            grid.sy, self.sy, rel_tol=1e-9
        ):
            return None
        # Map point of the view's pixel corner (0, 0), in the snapshot's pixels.
        i = round((-grid.ox / grid.sx - self.left) * self.sx)
        j = round((-grid.oy / grid.sy - self.bottom) * self.sy)
        h, w = self.segments[0].shape[:2] if self.segments else (0, 0)
        if i < 0 or j < 0 or i + grid.width > w or j + grid.height > h or (i, j) == self.skip:
            return None
        return i, j

    @property
    def nbytes(self) -> int:
        return sum(s.nbytes for s in self.segments)


def area_ahead(extent: tuple, width: int, height: int, factor: float) -> tuple:
    """(area, snapshot extent, its pixel size) for the views one wheel step `factor` from a
    width x height view of `extent`: in, the view itself; out, a quarter more on every side;
    at factor 1 (pans), a quarter more on every side on the view's own pixel grid."""
    minx, miny, maxx, maxy = extent
    w, h = maxx - minx, maxy - miny
    sx, sy = width / w * factor, height / h * factor  # device pixels per map unit
    if factor == 1:  # whole-pixel margins: a pan by whole pixels is an exact crop
        mx, my = math.ceil(width / 4), math.ceil(height / 4)
        area = (minx - mx / sx, miny - my / sy, maxx + mx / sx, maxy + my / sy)
        return area, area, (width + 2 * mx, height + 2 * my)
    if factor < 1:
        minx, miny, maxx, maxy = minx - w / 4, miny - h / 4, maxx + w / 4, maxy + h / 4
    size = (math.ceil((maxx - minx) * sx) + 2, math.ceil((maxy - miny) * sy) + 2)
    left, bottom = minx - 1 / sx, miny - 1 / sy  # a pixel's margin for the rounding
    drawn = (left, bottom, left + size[0] / sx, bottom + size[1] / sy)
    return (minx, miny, maxx, maxy), drawn, size


def predicted_grid(width: int, height: int, extent: tuple[float, float, float, float]):
    """The device grid of an axes filling a width x height figure showing `extent`."""
    sx = width / (extent[2] - extent[0])
    sy = height / (extent[3] - extent[1])
    return DeviceGrid(0, 0, width, height, sx, sy, -extent[0] * sx, -extent[1] * sy)


class SnapshotSegment(Artist):
    """One segment of a snapshot, cropped to the axes' device pixels at draw time."""

    def __init__(self, snapshot: Snapshot, index: int, zorder: float) -> None:
        super().__init__()
        self._snapshot, self._index = snapshot, index
        self.set_zorder(zorder)

    @allow_rasterization
    def draw(self, renderer) -> None:
        if not self.get_visible() or self.axes is None:
            return
        grid = device_grid(self.axes)
        where = self._snapshot.offset(grid)
        if where is None:  # render() checked the same grid; a resized figure lands here
            return
        i, j = where
        image = self._snapshot.segments[self._index][j : j + grid.height, i : i + grid.width]
        draw_pixels(renderer, self.axes, grid, np.ascontiguousarray(image))


def segment_zorders(live_z: tuple[float, ...]) -> list[float]:
    """z of each segment: just below each live layer, and the last just above the top one."""
    return [z - 0.5 for z in live_z] + [(live_z[-1] if live_z else 0.0) + 0.5]


class Snapshots:
    """The few snapshots kept, most recent last."""

    def __init__(self, limit: int = MAX_SNAPSHOTS) -> None:
        self.limit = limit
        self.kept: list[Snapshot] = []

    def add(self, snapshot: Snapshot) -> None:
        self.kept = [s for s in self.kept if s.content == snapshot.content][-(self.limit - 1) :]
        self.kept.append(snapshot)

    def find(self, content: tuple, grid: DeviceGrid) -> Snapshot | None:
        for snapshot in reversed(self.kept):
            if snapshot.content == content and snapshot.offset(grid) is not None:
                return snapshot
        return None

    def holds(self, content: tuple, area: tuple, width: int, height: int, sx: float) -> bool:
        """Whether one snapshot holds every view of width x height pixels at sx in `area`
        (both opposite corners of the area are inside it)."""
        w, h = width / sx, height / sx
        corners = (
            (area[0], area[1], area[0] + w, area[1] + h),
            (area[2] - w, area[3] - h, *area[2:]),
        )
        found = [self.find(content, predicted_grid(width, height, c)) for c in corners]
        return found[0] is not None and found[0] is found[1]

    def clear(self) -> None:
        self.kept.clear()


def content_key(layers, view, look: tuple, classifications: dict) -> tuple:
    """Everything a view's layer pixels depend on besides its scale and extent: the layers
    (data, order, visibility, style, role, fields), period, CRS, dpi and figure look."""
    return (
        tuple(
            (
                layer.id,
                _token(layer.data),
                layer.visible,
                layer.opacity,
                repr(layer.style),
                repr(layer.role),
                repr(layer.mapping),
            )
            for layer in layers
        ),
        repr(view.time_filter),
        _token(view.crs),
        view.dpi,
        look,
        tuple(sorted((k, _token(v)) for k, v in classifications.items())),
    )


def snapshot_figure() -> Figure:
    """The renderer's own figure for snapshots (the canvas's is busy with views)."""
    fig = Figure()
    FigureCanvasAgg(fig)
    fig.add_axes((0.0, 0.0, 1.0, 1.0))
    return fig


def snapshot_axes(ax, size: tuple[int, int], look: tuple) -> None:
    """Size the snapshot figure in device pixels with the screen's dpi and background."""
    fig, dpi = ax.figure, look[1]
    fig.set_dpi(dpi)
    fig.set_size_inches(size[0] / dpi, size[1] / dpi)
    fig.set_facecolor(look[0])
    clear_map(ax)
    ax.set_axis_off()


def draw_snapshot_steps(
    ax,
    extent: tuple[float, float, float, float],
    content: tuple,
    draw_layers: Callable[[], bool],
    z_layer: dict[float, int],
    store: Snapshots,
    skip: tuple[int, int] | None = None,
) -> Iterator[None]:
    """Add the layers to `ax` (draw_layers, False: not good enough to keep), then draw them
    one artist per step into segments cut at each density raster; then draw ahead the
    sprites of the labels placed (the view's own labels are drawn with it)."""
    if not draw_layers():
        clear_map(ax)
        return  # stand-in tiles look soft: a later warm-up draws it once the level is ready
    ax.set_aspect("auto")
    ax.set_xlim(extent[0], extent[2])
    ax.set_ylim(extent[1], extent[3])
    yield
    artists = sorted(
        (*ax.patches, *ax.lines, *ax.collections, *ax.images, *ax.artists),
        key=lambda a: a.get_zorder(),
    )
    names = [a for a in artists if isinstance(a, LabelSprites)]
    artists = [a for a in artists if not isinstance(a, LabelSprites)]
    live = [a for a in artists if isinstance(a, PointDensity)]
    grid = device_grid(ax)
    snapshot = Snapshot(
        content,
        grid.sx,
        grid.sy,
        -grid.ox / grid.sx,
        -grid.oy / grid.sy,
        tuple(z_layer[a.get_zorder()] for a in live),
        tuple(a.get_zorder() for a in live),
        skip=skip,
    )
    renderer = ax.figure.canvas.get_renderer()
    renderer.clear()
    ax.apply_aspect()
    ax.figure.patch.draw(renderer)  # the background, under the first segment
    for artist in artists:
        if artist in live:  # a density raster is drawn with each view: cut here
            snapshot.segments.append(_rows_up(renderer))
            renderer.clear()
        elif isinstance(artist, TileMosaic):  # a few hundred ms at this size: in steps
            yield from artist.draw_steps(renderer)
        else:
            artist.draw(renderer)
        yield
    snapshot.segments.append(_rows_up(renderer))
    store.add(snapshot)
    for artist in names:
        yield from artist.prepare_steps(float(ax.figure.dpi))
    clear_map(ax)


def _rows_up(renderer) -> np.ndarray:
    """A copy of Agg's straight-alpha buffer with row 0 at the bottom (as draw_pixels wants)."""
    return np.ascontiguousarray(np.asarray(renderer.buffer_rgba())[::-1])
