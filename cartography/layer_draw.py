"""Drawing one layer's artists for one render call (cartography.render's per-layer half).

MapRenderer (cartography/render.py) decides what a view needs (caches, classes, period
mask, level); LayerDraw turns the visible rows into matplotlib artists: one compound path
per style class, marker artists or a density raster for points, labels and the selection.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass

import numpy as np
import shapely
from matplotlib import patheffects
from matplotlib.colors import to_rgba
from matplotlib.patches import PathPatch

from cartography.classify import NO_DATA_COLOUR, Categories, Classification
from cartography.density import PointDensity
from cartography.label_sprites import LabelSprites, SpriteBook
from cartography.labels import LabelBoard, LabelLook, draw_labels, place_labels
from cartography.paths import line_path, polygon_path
from cartography.symbols import OUTLINE_MIN_PT, PointLook, proportional_sizes, step_diameter
from cartography.tiles import TileMosaic

SELECTION_COLOUR = "#00e5ff"
# Per-layer memo sizes: periods and path sets are many as the time slider moves.
MAX_CACHED = 8


_tokens: dict[int, tuple[weakref.ref, int]] = {}
_next_token = iter(range(1, 1 << 62))


def _bounded(store: dict, limit: int) -> None:
    """Drop the oldest entries so `store` has room for one more."""
    while len(store) >= limit:
        store.pop(next(iter(store)))


def _token(obj: object) -> int:
    """A number unique to `obj` for as long as it lives (id() can be reused after GC)."""
    if obj is None:
        return 0
    hit = _tokens.get(id(obj))
    if hit is None or hit[0]() is not obj:  # weak: evicted masks are freed, not kept here
        _bounded(_tokens, 4096)
        hit = (weakref.ref(obj), next(_next_token))
        _tokens[id(obj)] = hit
    return hit[1]


@dataclass
class _Classes:
    """Class index per row plus what the legend shows for each class."""

    index: np.ndarray  # -1: no data (drawn grey), -2: not drawn
    colours: tuple[str, ...]
    labels: tuple[str, ...]
    title: str = ""
    scheme: Classification | Categories | None = None
    markers: tuple[str, ...] = ()  # per class (the style's per-class edits); () the style's


def _kept(rows: np.ndarray, mask: np.ndarray | None, classes: _Classes | None) -> np.ndarray:
    """The rows the period keeps and the style draws (class -2 is "not drawn")."""
    if mask is not None:
        rows = rows[mask[rows]]
    if classes is not None:
        rows = rows[classes.index[rows] > -2]
    return rows


class LayerDraw:
    """Draws one layer's artists for one render call."""

    def __init__(
        self,
        ax,
        layer,
        cache,
        classes,
        mask,
        z,
        rasterize_over,
        *,
        dense_points: int = 100_000,
        tile_min_rows: int = 20_000,
    ) -> None:
        self.ax, self.layer, self.cache, self.classes = ax, layer, cache, classes
        # Thresholds the renderer passes (cartography.render's DENSE_POINTS, TILE_MIN_ROWS).
        self.dense_points, self.tile_min_rows = dense_points, tile_min_rows
        self.mask, self.z, self.rasterize_over = mask, z, rasterize_over
        self.count = 0
        self.look: PointLook | None = None  # set by points(): their look at this scale
        self.sprites: SpriteBook | None = None  # screen only: labels blitted from sprites
        # A view snapshot (cartography.view_snapshots) holds this layer's pixels: count the
        # rows and decide markers or density as usual, add no artists.
        self.count_only = False
        self.dense = False  # points() drew (or, counting only, would draw) a density raster
        st = layer.style
        self.alpha = layer.opacity
        self.fill_alpha = layer.opacity * st.fill_alpha

    def _keep(self, rows: np.ndarray) -> np.ndarray:
        return _kept(rows, self.mask, self.classes)

    def _groups(self, rows: np.ndarray):
        """(colour, rows) per style class, in class order."""
        st = self.layer.style
        if self.classes is None:
            yield st.fill, rows
            return
        idx = self.classes.index[rows]
        for c in range(-1, len(self.classes.colours)):
            sub = rows[idx == c]
            if sub.size:
                yield (NO_DATA_COLOUR if c < 0 else self.classes.colours[c]), sub

    def _heavy(self, artist, size: int) -> None:
        if self.rasterize_over is not None and size > self.rasterize_over:
            artist.set_rasterized(True)

    def shapes(
        self, rows: np.ndarray, tol: float, all_rows: bool, mosaic: TileMosaic | None = None
    ) -> bool:
        """Draw lines and polygons; returns True when drawn from level tiles (`mosaic`)."""
        cache, st = self.cache, self.layer.style
        if all_rows:
            rows = cache.shaped_rows
        rows = self._keep(rows)
        self.count += int(rows.size)
        if not rows.size or self.count_only:
            return False
        if mosaic is not None and rows.size >= self.tile_min_rows:
            self.ax.add_artist(mosaic)
            return True
        key = (tol, _token(self.classes), _token(self.mask)) if all_rows else None
        groups = cache.full_paths.get(key) if key else None
        if groups is None:
            groups = []
            for colour, sub in self._groups(rows):
                poly = sub[np.isin(sub, cache.poly_rows, assume_unique=True)]
                line = sub[np.isin(sub, cache.line_rows, assume_unique=True)]
                if poly.size:
                    groups.append((colour, "polygon", cache.polygon_path(poly, tol)))
                if line.size:
                    groups.append((colour, "line", line_path(cache.simplified_rows(line, tol))))
            if key:
                _bounded(cache.full_paths, MAX_CACHED)
                cache.full_paths[key] = groups
        edge = st.edge if st.edge and st.edge != "none" and st.line_width > 0 else "none"
        for colour, kind, path in groups:
            if kind == "polygon":
                face = "none" if st.no_fill else to_rgba(colour, self.fill_alpha)
                artist = PathPatch(
                    path,
                    facecolor=face,
                    edgecolor=to_rgba(edge, self.alpha) if edge != "none" else "none",
                    linewidth=st.line_width if edge != "none" else 0,
                    zorder=self.z,
                )
            else:
                line_colour = (
                    colour
                    if self.classes is not None
                    else (st.edge if st.edge and st.edge != "none" else st.fill)
                )
                artist = PathPatch(
                    path,
                    facecolor="none",
                    edgecolor=to_rgba(line_colour, self.alpha),
                    linewidth=max(st.line_width, 0.3),
                    zorder=self.z,
                    capstyle="round",
                    joinstyle="round",
                )
            self._heavy(artist, len(path.vertices))
            self.ax.add_artist(artist)
        return False

    def points(self, bbox: tuple, look_of=lambda: None) -> bool:
        """Draw points; returns True when they were aggregated into a density raster.

        look_of() gives their look at this scale (asked only when the count allows markers).
        """
        cache, st = self.cache, self.layer.style
        x, y, owner = cache.points_by_x()
        # The view's columns are one slice of the x-sorted points: no mask over all of them.
        first = int(np.searchsorted(x, bbox[0], side="left"))
        last = int(np.searchsorted(x, bbox[2], side="right"))
        x, y, owner = x[first:last], y[first:last], owner[first:last]
        pb = cache.point_bounds
        inside = None if bbox[1] <= pb[1] and pb[3] <= bbox[3] else (y >= bbox[1]) & (y <= bbox[3])
        keep = None if self.mask is None else self.mask[owner]
        if self.classes is not None and (self.classes.index < -1).any():
            drawn = self.classes.index[owner] > -2
            keep = drawn if keep is None else keep & drawn
        if keep is not None:
            inside = keep if inside is None else inside & keep
        count = x.size if inside is None else int(np.count_nonzero(inside))
        self.count += count
        self.look = look = look_of() if count <= self.dense_points else None
        self.dense = count > self.dense_points or (look is not None and look.form == "density")
        if self.count_only:
            return self.dense
        if self.dense:
            # The raster clips to the view itself: only the period and class filters copy.
            chosen = (x, y) if keep is None else (x[keep], y[keep])
            self.ax.add_artist(PointDensity(*chosen, st.fill, self.alpha, self.z))
            return True
        sel = np.arange(x.size) if inside is None else np.flatnonzero(inside)
        ms = math.sqrt(max(st.marker_size, 1.0)) if look is None else look.diameter
        edge = st.edge if st.edge and st.edge != "none" else "none"
        values = None
        if look is not None:
            edge = edge if look.outline else "none"
            if look.proportional_from is not None:
                values = self.cache.numbers(self.layer.field("population"))
        marker = st.marker or "o"
        if self.classes is None:
            groups = [(st.fill, sel, marker)]
        else:
            idx = self.classes.index[owner[sel]]
            shapes = self.classes.markers
            groups = [
                (
                    NO_DATA_COLOUR if c < 0 else self.classes.colours[c],
                    sel[idx == c],
                    shapes[c] if 0 <= c < len(shapes) else marker,
                )
                for c in range(-1, len(self.classes.colours))
            ]
        if values is not None:  # places too small for this scale are left out
            shown = values[owner[sel]] >= (look.shown_from or -np.inf)
            groups = [(c, rows[shown[np.searchsorted(sel, rows)]], m) for c, rows, m in groups]
        for colour, rows, marker in groups:
            if not rows.size:
                continue
            if values is None:
                self._markers(x[rows], y[rows], colour, ms, edge, marker)
                continue
            # Proportional symbols: one artist per size class, biggest first (underneath).
            steps = proportional_sizes(values[owner[rows]], look)
            for step in range(int(steps.max()), -1, -1):
                sub = rows[steps == step]
                if sub.size:
                    size = step_diameter(step, look)
                    outline = edge if size >= OUTLINE_MIN_PT else "none"
                    self._markers(x[sub], y[sub], colour, size, outline, marker)
        return False

    def _markers(
        self, x: np.ndarray, y: np.ndarray, colour: str, size: float, edge: str, marker: str = "o"
    ) -> None:
        """One marker artist: `size` is the diameter in points."""
        artist = self.ax.plot(
            x,
            y,
            linestyle="none",
            marker=marker,
            markersize=size,
            markerfacecolor=to_rgba(colour, self.fill_alpha),
            markeredgecolor=to_rgba(edge, self.alpha) if edge != "none" else "none",
            markeredgewidth=0.4 if edge != "none" else 0,
            zorder=self.z,
        )[0]
        self._heavy(artist, x.size)

    def labels(self, bbox: tuple, tol: float, point: float, board: LabelBoard) -> None:
        """Labels by field, most important first (population, else area), none overlapping.

        `board` holds the labels already placed by layers below; `point` is map units per
        typographic point as drawn. See cartography/labels.py.
        """
        cache, st = self.cache, self.layer.style
        points = bool(cache.point_rows.size)
        if points:
            x, y, owner = cache.points_by_x()
            first = int(np.searchsorted(x, bbox[0], side="left"))
            last = int(np.searchsorted(x, bbox[2], side="right"))
            inside = (y[first:last] >= bbox[1]) & (y[first:last] <= bbox[3])
            rows = np.unique(owner[first:last][inside])
        else:
            hits = cache.tree.query(shapely.box(*bbox)) if cache.tree is not None else []
            rows = cache.shaped_rows[np.asarray(hits, dtype=np.int64)]
        rows = self._keep(rows)
        if not rows.size:
            return
        weight = cache.numbers(self.layer.field("population"))
        weight = cache.areas[rows] if weight is None else np.nan_to_num(weight[rows], nan=-1.0)
        if self.look is not None and self.look.shown_from is not None:
            rows, weight = (
                rows[weight >= self.look.shown_from],
                weight[weight >= self.look.shown_from],
            )
        rows = rows[np.argsort(-weight, kind="stable")]
        texts = cache.frame[st.label_field].to_numpy()[rows]
        em = st.label_size * point
        look = LabelLook.of(st)
        if points:
            # First point of each row (multipoints are labelled once).
            where = np.searchsorted(cache.point_owner, rows)
            px, py = cache.point_xy[where, 0], cache.point_xy[where, 1]
            marker = self.look.diameter if self.look else math.sqrt(max(st.marker_size, 1.0))
            placed = place_labels(
                board,
                texts,
                lambda i: (px[i], py[i]),
                em=em,
                gap=(marker / 2 + 1.0) * point,
                placement=look.placement,
            )
        else:
            bounds = shapely.bounds(cache.geoms[rows])
            sizes = np.column_stack([bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1]])

            def anchors(i: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
                spots = shapely.point_on_surface(cache.simplified_rows(rows[i], tol))
                return shapely.get_x(spots), shapely.get_y(spots)

            placed = place_labels(
                board, texts, anchors, em=em, sizes=sizes, placement=look.placement
            )
        if self.sprites is not None:
            self.ax.add_artist(LabelSprites(placed, st.label_size, self.sprites, look))
        else:
            draw_labels(self.ax, placed, st.label_size, look)

    def selection(self, rows: np.ndarray, tol: float) -> None:
        cache = self.cache
        rows = rows[(rows >= 0) & (rows < cache.n)]
        if not rows.size:
            return
        poly = rows[np.isin(rows, cache.poly_rows)]
        line = rows[np.isin(rows, cache.line_rows)]
        halo = [patheffects.withStroke(linewidth=4.0, foreground="#202020")]
        for chosen, make_path, width in ((poly, polygon_path, 2.0), (line, line_path, 2.5)):
            if chosen.size:
                self.ax.add_artist(
                    PathPatch(
                        make_path(cache.simplified_rows(chosen, tol)),
                        facecolor="none",
                        edgecolor=SELECTION_COLOUR,
                        linewidth=width,
                        zorder=2000,
                        path_effects=halo,
                    )
                )
        pts = np.isin(cache.point_owner, rows)
        if pts.any():
            ms = math.sqrt(max(self.layer.style.marker_size, 1.0)) + 5
            self.ax.plot(
                cache.point_xy[pts, 0],
                cache.point_xy[pts, 1],
                linestyle="none",
                marker="o",
                markersize=ms,
                markerfacecolor="none",
                markeredgecolor=SELECTION_COLOUR,
                markeredgewidth=2.0,
                zorder=2000,
            )


def clear_map(ax) -> None:
    """Remove the last map's artists from a reused Axes (ax.clear() also rebuilds ticks, ~10 ms)."""
    for artist in (*ax.patches, *ax.lines, *ax.collections, *ax.images, *ax.texts, *ax.artists):
        artist.remove()
