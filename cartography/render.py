"""Draw layers onto a matplotlib Axes: the one drawing path for canvas and exports.

Fast path (docs/traps.md, "Drawing with matplotlib"): per layer we cache the metric
geometries, an STRtree and pixel-level simplifications (cartography/layer_cache.py); each
redraw queries the view extent, builds one compound Path per style class from shapely's
ragged arrays (holes are sub-paths of opposite winding), draws points as one marker artist
per class and aggregates dense points into a density raster. GeoDataFrame.plot is never used.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from pyproj import CRS

from cartography import layer_cache
from cartography.classify import (
    NO_DATA_COLOUR,
    Categories,
    Classification,
    categorize,
    classify_values,
)
from cartography.label_sprites import SpriteBook
from cartography.labels import LabelBoard
from cartography.layer_cache import LayerCache, features_near
from cartography.layer_draw import (  # noqa: F401 - SELECTION_COLOUR, clear_map: also from here
    MAX_CACHED,
    SELECTION_COLOUR,
    LayerDraw,
    _bounded,
    _Classes,
    _kept,
    _token,
    clear_map,
)
from cartography.legend import LegendEntry, legend_entry, reduced_legend
from cartography.paths import (  # noqa: F401 - polygon_path, RingStore: also imported from here
    RingStore,
    line_path,
    polygon_path,
)
from cartography.raster_draw import RasterPainter
from cartography.symbols import (
    CELL_PT,
    PointLook,
    crowd,
    point_look,
)
from cartography.tiles import (
    AROUND,
    BLEED,
    OVERSAMPLE,
    STRAIGHT_ROWS,
    TILE_PX,
    Composed,
    ComposedViews,
    TileMosaic,
    compose_steps,
    premultiplied,
    straight,
    tile_bounds,
    tile_indices,
    tile_resolution,
)
from cartography.view_snapshots import (  # noqa: F401 - predicted_grid: also from here
    Snapshots,
    SnapshotSegment,
    area_ahead,
    content_key,
    draw_snapshot_steps,
    predicted_grid,
    segment_zorders,
    snapshot_axes,
    snapshot_figure,
)
from layers.i18n import current_language
from layers.layer import Layer, is_raster
from layers.style import class_edits_key, edited_classes, scale_ranges
from layers.timefilter import TimeFilter, grid_year_column, time_mask

# Above this many visible points, a density raster instead of markers (100k markers: ~30 ms).
DENSE_POINTS = 100_000
# Dots per inch of MapView.pixel_size's pixels when the view does not say: a screen's logical
# dpi, as the canvas's scale box assumes (Qt's logicalDpiX is 96 on common screens).
SCREEN_DPI = 96.0
METRES_PER_INCH = 0.0254
# Keys a graduated style falls back to when it names no field.
_VALUE_KEYS = ("hectares", "fatalities", "weight", "population", "capacity")


@dataclass
class MapView:
    """What to draw: CRS of the axes (the project's metric CRS), extent, period, pixel size."""

    crs: CRS
    extent: tuple[float, float, float, float]
    time_filter: TimeFilter | None = None
    pixel_size: float | None = None  # map units per screen pixel, for simplification
    dpi: float | None = None  # pixels per inch of pixel_size (None: SCREEN_DPI)


def map_scale(pixel_size: float, dpi: float, crs: CRS | None = None) -> float:
    """N of the map's 1:N scale: ground metres per metre of screen or paper."""
    metres = pixel_size
    if crs is not None and crs.is_geographic:
        metres *= 111_320.0  # one degree of latitude; a small-scale map's scale is approximate
    elif crs is not None and crs.axis_info:
        metres *= crs.axis_info[0].unit_conversion_factor or 1.0
    return metres * dpi / METRES_PER_INCH


# Views drawing this many polygons of one layer use its level tiles (cartography.tiles).
TILE_MIN_ROWS = 20_000
# The canvas's wheel step (desktop/canvas.py takes it from here): warm_up draws views ahead at it.
WHEEL_STEP = 1.25
VIEW_READY = "view-ready"  # what warm_up yields once the view's own level is ready
MAX_TILES = 256  # ~1 MB each: a 1600x1200 view needs 20-60 a level; warm_up makes 3 levels
MAX_CACHED_LAYERS = 64


def _level(pixel_size: float) -> float:
    """Simplification tolerance snapped to powers of two so nearby zooms share a cache."""
    if not pixel_size or not math.isfinite(pixel_size) or pixel_size <= 0:
        return 0.0
    return float(2.0 ** round(math.log2(pixel_size)))


class MapRenderer:
    """Keeps per-layer caches (metric copies, spatial indexes) between redraws."""

    def __init__(self) -> None:
        self._caches: dict[int, tuple[tuple, LayerCache]] = {}
        self._tiles: OrderedDict[tuple, np.ndarray | None] = OrderedDict()
        self._tile_figure: Figure | None = None
        self._tile_images = 0  # tiles in _tiles that hold an image (empty tiles are None)
        self.last_tiled: set[int] = set()  # layer ids the last render drew from tiles
        self.last_stand_in: set[int] = set()  # ... from the coarser level's: soft until warm
        self._sprites = SpriteBook()  # screen labels drawn once, blitted after (tiles=True)
        self._views = ComposedViews()  # tiled layers' mosaics at the last view's exact scale
        self._snapshots = Snapshots()  # views drawn ahead at the next wheel step's scales
        self._snapshot_figure: Figure | None = None
        self._building = False  # drawing a snapshot: render() neither uses nor records them
        self._warming: object | None = None  # the latest warm_up's token
        self._screen: tuple | None = None  # last screen render: width, height, look, content
        self.last_snapshot = False  # the last render drew its layers from a snapshot
        self._rasters = RasterPainter()  # raster layers' window images (cartography.raster_draw)

    # --- caches -----------------------------------------------------------------------
    def _cache(self, layer: Layer, crs: CRS) -> LayerCache:
        key = (id(layer.data), crs.to_wkt())
        hit = self._caches.pop(layer.id, None)
        if hit is None or hit[0] != key:
            _bounded(self._caches, MAX_CACHED_LAYERS)
            hit = (key, LayerCache(layer, crs))
        self._caches[layer.id] = hit  # most recently used last
        return hit[1]

    def forget(self, layer: Layer) -> None:
        """Drop a removed layer's caches and level tiles."""
        if is_raster(layer):
            self._rasters.forget(layer)  # type: ignore[arg-type]
            return
        hit = self._caches.pop(layer.id, None)
        if hit is not None:
            token = _token(hit[1])
            for key in [k for k in self._tiles if k[0] == token]:
                self._tile_images -= self._tiles.pop(key) is not None
            self._views.forget(lambda key: key[0] != token)

    def _mask(self, layer: Layer, cache: LayerCache, tf: TimeFilter | None) -> np.ndarray | None:
        key = (tf, layer.field("date"), layer.field("year"))
        if key not in cache.masks:
            _bounded(cache.masks, MAX_CACHED)
            cache.masks[key] = time_mask(layer, tf)
        return cache.masks[key]

    def value_column(self, layer: Layer, tf: TimeFilter | None = None) -> str | None:
        """The column a graduated style colours by (the period's year for SIMCI grids)."""
        st, cols = layer.style, layer.data.columns
        year_cols = set(layer.mapping.year_columns.values())
        # On year grids the period picks the column, unless the style names another field.
        if st.field and st.field in cols and st.field not in year_cols:
            return st.field
        year_col = grid_year_column(layer, tf)
        if year_col and year_col in cols:
            return year_col
        for key in _VALUE_KEYS:
            col = layer.field(key)
            if col and col in cols:
                return col
        return None

    def classification_for(
        self, layer: Layer, view: MapView | None = None
    ) -> Classification | Categories | None:
        """The classes the layer's style gives (share a Classification between two maps)."""
        crs = view.crs if view else layer.crs or CRS.from_epsg(4326)
        classes = self._classes(layer, self._cache(layer, crs), view.time_filter if view else None)
        return classes.scheme if classes else None

    def _classes(
        self,
        layer: Layer,
        cache: LayerCache,
        tf: TimeFilter | None,
        shared: Classification | Categories | None = None,
    ) -> _Classes | None:
        st = layer.style
        if st.kind == "single":
            return None
        gdf = cache.frame
        if st.kind == "categorized":
            col = st.field if st.field in gdf.columns else None
            col = col or next(
                (
                    layer.field(k)
                    for k in ("event_type", "method", "facility_type", "status")
                    if layer.field(k) in gdf.columns
                ),
                None,
            )
            if col is None:
                return None
            key = ("cat", col, class_edits_key(st), id(shared), current_language())
            if key not in cache.classes:
                cats = (
                    shared
                    if isinstance(shared, Categories)
                    else categorize(gdf[col].to_numpy(), st.categories)
                )
                idx = cats.classify(gdf[col].to_numpy())
                idx[idx < 0] = -1
                cache.classes[key] = _Classes(
                    idx, title=col, scheme=cats, **edited_classes(st, cats)
                )
            return cache.classes[key]
        col = self.value_column(layer, tf)
        if col is None:
            return None
        # The class labels are numbers written in the language of the moment ("7,8" / "7.8").
        key = ("grad", col, st.scheme, st.classes, st.ramp, class_edits_key(st), id(shared))
        key += (current_language(),)
        if key not in cache.classes:
            import pandas as pd

            values = pd.to_numeric(gdf[col], errors="coerce").to_numpy(dtype=float)
            grid = bool(layer.mapping.year_columns)
            if isinstance(shared, Classification):
                scheme = shared
            elif grid:
                # Classify all years together so a cell keeps its colour as the slider moves.
                pooled = np.concatenate(
                    [
                        pd.to_numeric(gdf[c], errors="coerce").to_numpy(dtype=float)
                        for c in layer.mapping.year_columns.values()
                        if c in gdf.columns
                    ]
                )
                scheme = classify_values(pooled[pooled > 0], st.scheme, st.classes, st.ramp)
            else:
                scheme = classify_values(values, st.scheme, st.classes, st.ramp)
            idx = scheme.classify(values)
            if grid:  # grid cells without the crop that year are not drawn
                idx[~(values > 0)] = -2
            year = {c: y for y, c in layer.mapping.year_columns.items()}.get(col)
            title = str(year) if year is not None else col
            cache.classes[key] = _Classes(
                idx, title=title, scheme=scheme, **edited_classes(st, scheme)
            )
        return cache.classes[key]

    # --- drawing ----------------------------------------------------------------------
    def render(
        self,
        ax: Axes,
        layers: Iterable[Layer],
        view: MapView,
        *,
        selection: dict[int, np.ndarray] | None = None,
        rasterize_over: int | None = None,
        classifications: dict[int, Classification | Categories] | None = None,
        labels: bool = True,
        set_extent: bool = True,
        tiles: bool = False,
    ) -> list[LegendEntry]:
        """Draw visible layers bottom to top; `selection` maps layer.id -> selected row positions.

        rasterize_over: rasterize any artist with more vertices than this (vector PDFs of
        100k polygons take 15 s and 12 MB). classifications: layer.id -> shared classes.
        tiles: draw large polygon layers from level tiles that warm_up made (screen only),
        and a view at a scale warm_up drew ahead from that snapshot (cartography.view_snapshots).
        """
        layers = list(layers)
        selection = selection or {}
        classifications = classifications or {}
        snapshot = None
        if tiles and not self._building:
            width, height = round(ax.bbox.width), round(ax.bbox.height)
            look = (tuple(ax.figure.get_facecolor()), float(ax.figure.dpi))
            content = _content_key(layers, view, look, classifications)
            self._screen = (width, height, look, content)
            snapshot = self._snapshots.find(content, predicted_grid(width, height, view.extent))
        draw = partial(
            self._draw_layers, ax, layers, view, selection, rasterize_over, classifications, labels
        )
        entries, baked_dense = draw(tiles, set(snapshot.live) if snapshot else None)
        if snapshot is not None and baked_dense:  # a layer baked as markers wants density
            clear_map(ax)
            snapshot = None
            entries, _ = draw(tiles, None)
        for index, z in enumerate(segment_zorders(snapshot.live_z) if snapshot else ()):
            ax.add_artist(SnapshotSegment(snapshot, index, z))
        self.last_snapshot = snapshot is not None
        if set_extent:
            ax.set_xlim(view.extent[0], view.extent[2])
            ax.set_ylim(view.extent[1], view.extent[3])
            ax.set_aspect("equal")
        return entries

    def _draw_layers(
        self, ax, layers, view, selection, rasterize_over, classifications, labels, tiles, live
    ) -> tuple[list[LegendEntry], bool]:
        """Add every visible layer's artists; with `live` (a snapshot's live layer ids) the
        other layers are only counted. Also says whether such a layer would draw density."""
        entries: list[LegendEntry] = []
        baked_dense = False
        pixel = view.pixel_size or _pixel_size(ax, view.extent)
        # The dpi of pixel_size's pixels: the view's, a screen's, or the figure's own.
        dpi = view.dpi or (SCREEN_DPI if view.pixel_size else float(ax.figure.dpi))
        self.last_scale = scale = map_scale(pixel, dpi, view.crs)
        # Map units per typographic point as drawn here (markers and labels are sized in points).
        point = _pixel_size(ax, view.extent) * float(ax.figure.dpi) / 72.0
        tol = _level(pixel)
        minx, miny, maxx, maxy = view.extent
        pad = 0.02 * max(maxx - minx, maxy - miny)
        bbox = (minx - pad, miny - pad, maxx + pad, maxy + pad)
        # One board for all layers: no label over another's. Cells ~ a few label heights.
        board = LabelBoard(cell=8 * 7.0 * point)
        # The thresholds are read per render: tests and benchmarks set them on this module.
        layer_draw = partial(LayerDraw, dense_points=DENSE_POINTS, tile_min_rows=TILE_MIN_ROWS)
        self.last_tiled, self.last_stand_in = set(), set()
        for order, layer in enumerate(layers):
            if is_raster(layer):  # the view's window at this output's pixels, under later layers
                if layer.visible:
                    entries.append(self._raster(ax, layer, view, 10 + order, live))
                continue
            if not layer.visible or layer.data.empty:
                continue
            shown, labelled = scale_ranges(layer.style, layer.role, layer.mapping)
            cache = self._cache(layer, view.crs)
            mask = self._mask(layer, cache, view.time_filter)
            classes = self._classes(layer, cache, view.time_filter, classifications.get(layer.id))
            z = 10 + order
            entry = legend_entry(layer, classes, cache.kind)
            if not shown.shows(scale):
                entry.count = 0  # out of its scale range: nothing drawn, nothing in the legend
                entries.append(entry)
                continue
            drawn = layer_draw(ax, layer, cache, classes, mask, z, rasterize_over)
            drawn.sprites = self._sprites if tiles else None
            drawn.count_only = live is not None and layer.id not in live
            if cache.shaped_rows.size:
                rows = self._visible_shaped(cache, bbox)
                all_rows = rows.size > 0.6 * cache.shaped_rows.size
                mosaic = (
                    self._mosaic(layer, cache, classes, mask, tol, view.extent, z)
                    if tiles and not drawn.count_only
                    else None
                )
                if drawn.shapes(rows, tol, all_rows, mosaic):
                    self.last_tiled.add(layer.id)
            if cache.point_rows.size:
                look_of = partial(self._look, layer, cache, classes, mask, point)
                if drawn.points(bbox, look_of):
                    entry.kind = "density"
                elif drawn.look is not None:
                    reduced_legend(entry, drawn.look, classes is None)
            if labels and layer.style.label_field in cache.frame.columns and labelled.shows(scale):
                drawn.labels(bbox, tol, point, board)
            entry.count = drawn.count
            baked_dense |= drawn.count_only and drawn.dense
            if layer.id in selection:
                drawn.selection(np.asarray(selection[layer.id], dtype=np.int64), tol)
            entries.append(entry)
        return entries, baked_dense

    @property
    def raster_errors(self) -> dict[int, str]:
        """layer.id -> why a raster layer showed nothing in its last draw (one line)."""
        return self._rasters.errors

    def _raster(self, ax: Axes, layer, view: MapView, z: float, live) -> LegendEntry:
        """Draw a raster layer's window; in a snapshot-drawn view only its legend entry."""
        size = _pixel_size(ax, view.extent)
        minx, miny, maxx, maxy = view.extent
        shape = (max(1, round((maxy - miny) / size)), max(1, round((maxx - minx) / size)))
        return self._rasters.draw(
            ax,
            layer,
            view.crs,
            view.extent,
            shape,
            z,
            view.time_filter,
            count_only=live is not None and layer.id not in live,
        )

    def _look(self, layer, cache, classes, mask, point: float) -> PointLook | None:
        """How the layer's points draw at this zoom level (cartography.symbols), or None: as styled.

        Measured once per level, period and style on the whole layer (a fixed sample of its
        points), so a pan at one scale keeps the look and costs nothing.
        """
        st = layer.style
        pop = layer.field("population")
        level = _level(point)  # one look per zoom level: stable while panning or nudging
        key = (level, _token(mask), _token(classes), st.marker_size, pop)
        if key not in cache.looks:
            pick = cache.point_sample()
            owner = cache.point_owner[pick]
            keep = np.ones(pick.size, dtype=bool) if mask is None else mask[owner]
            if classes is not None:
                keep &= classes.index[owner] > -2
            xy = cache.point_xy[pick[keep]]
            fraction = pick.size / max(len(cache.point_xy), 1)
            b = cache.point_bounds
            area = (b[2] - b[0]) * (b[3] - b[1])
            counted = crowd(xy[:, 0], xy[:, 1], CELL_PT * level, area, fraction)
            values = cache.numbers(pop)
            values = None if values is None else values[owner[keep]]
            marker = math.sqrt(max(st.marker_size, 1.0))
            n_kept = round(int(keep.sum()) / fraction)
            _bounded(cache.looks, MAX_CACHED)
            cache.looks[key] = point_look(counted, marker, n_kept, values) if level else None
        return cache.looks[key]

    def warm_up(self, layers: Iterable[Layer], view: MapView) -> Iterator[str | None]:
        """Work for idle time, in short steps: ready this zoom level and its neighbours.

        For every large polygon layer already drawn: RingStores for the view's level and the
        levels one zoom step finer and coarser (~0.5 s a level for 100,000 polygons, done
        once), then level tiles around the view, for its centre one level finer and for a
        wider area one level coarser. A caller runs one step at a time (each ~5-40 ms) and
        stops when work arrives; render(tiles=True) uses tiles only once a view has all.
        Yields VIEW_READY once the view's own level is done. A warm-up started later (a view
        shown again starts one) stops this one: they would share the snapshot figure.
        """
        token = self._warming = object()
        for said in self._warm_up_steps(layers, view):
            yield said
            if self._warming is not token:  # checked before this one's next step runs
                return

    def _warm_up_steps(self, layers: Iterable[Layer], view: MapView) -> Iterator[str | None]:
        tol = _level(view.pixel_size or 0.0)
        if tol <= 0:
            return
        minx, miny, maxx, maxy = view.extent
        w, h = maxx - minx, maxy - miny
        around = (minx - w / 4, miny - h / 4, maxx + w / 4, maxy + h / 4)  # pans
        centre = (minx + w * 0.15, miny + h * 0.15, maxx - w * 0.15, maxy - h * 0.15)  # zoom in
        wider = (minx - w / 2, miny - h / 2, maxx + w / 2, maxy + h / 2)  # zooming out
        drawn = []
        layers = list(layers)
        for layer in layers:
            hit = self._caches.get(layer.id)
            if not layer.visible or hit is None or hit[0] != (id(layer.data), view.crs.to_wkt()):
                continue
            cache = hit[1]
            if cache.poly_rows.size < layer_cache.STORE_MIN_ROWS:  # read here: tests lower it
                continue  # small layers draw fast as they are
            mask = self._mask(layer, cache, view.time_filter)
            drawn.append((layer, cache, self._classes(layer, cache, view.time_filter), mask))
        for level, bbox in ((tol, around), (tol / 2, centre), (tol * 2, wider)) if drawn else ():
            for layer, cache, classes, mask in drawn:
                yield from cache.ring_store_steps(level)
                yield from self._tile_steps(layer, cache, classes, mask, level, bbox)
            if level == tol:
                yield VIEW_READY  # a view drawn from stand-in tiles can now be drawn sharp
                yield from self._snapshot_steps(layers, view, drawn, 1.0)  # pans
                yield from self._snapshot_steps(layers, view, drawn, WHEEL_STEP)  # wheel in
                for layer, cache, classes, mask in drawn:
                    yield from self._around_steps(self._tile_key(layer, cache, classes, mask, tol))
        if not drawn:
            yield from self._snapshot_steps(layers, view, drawn, 1.0)
            yield from self._snapshot_steps(layers, view, drawn, WHEEL_STEP)
        yield from self._snapshot_steps(layers, view, drawn, 1 / WHEEL_STEP)  # wheel out

    # --- snapshots (cartography.view_snapshots) ---------------------------------------
    def _snapshot_steps(self, layers, view: MapView, drawn, factor: float) -> Iterator[None]:
        """Draw the layers (no labels) at the scale one wheel step `factor` from `view` (1:
        its own, for pans), over every view that step can reach (cartography.view_snapshots)."""
        if self._screen is None or not view.pixel_size:
            return
        width, height, look, content = self._screen
        if content != _content_key(layers, view, look, {}):
            return  # the last screen render showed other content (or shared classes)
        area, extent, size = area_ahead(view.extent, width, height, factor)
        if self._snapshots.holds(content, area, width, height, size[0] / (extent[2] - extent[0])):
            return  # drawn already
        pixel = view.pixel_size / factor
        for layer, cache, classes, mask in drawn:  # its level's tiles over the whole area
            level = _level(pixel)
            yield from cache.ring_store_steps(level)
            yield from self._tile_steps(layer, cache, classes, mask, level, area)
        if self._snapshot_figure is None:
            self._snapshot_figure = snapshot_figure()
        ax = self._snapshot_figure.axes[0]
        snapshot_axes(ax, size, look)

        def draw_layers() -> bool:
            """The layers as a screen render draws them; False if stand-in tiles were used."""
            saved = (self.last_tiled, self.last_stand_in, getattr(self, "last_scale", 0.0))
            self._building, views, self._views = True, self._views, ComposedViews()
            try:
                snap_view = MapView(view.crs, extent, view.time_filter, pixel, view.dpi)
                # Labels placed only to draw their sprites ahead; the snapshot holds none.
                self.render(ax, layers, snap_view, set_extent=False, tiles=True)
                return not self.last_stand_in
            finally:
                self._building, self._views = False, views  # the pan mosaics kept as they were
                self.last_tiled, self.last_stand_in, self.last_scale = saved

        z_layer = {10 + order: layer.id for order, layer in enumerate(layers)}
        # A pan snapshot leaves out the view itself (drawn already): its margin is the offset.
        skip = ((size[0] - width) // 2, (size[1] - height) // 2) if factor == 1 else None
        yield from draw_snapshot_steps(
            ax, extent, content, draw_layers, z_layer, self._snapshots, skip
        )

    # --- level tiles (cartography.tiles) ----------------------------------------------
    def _tile_key(self, layer: Layer, cache: LayerCache, classes, mask, tol: float):
        """What a layer's tiles at one level look like, or None if it is not drawn from tiles.

        Outlines and lines are not: their widths would follow the level, not the view.
        """
        st = layer.style
        outlined = st.edge and st.edge != "none" and st.line_width > 0
        if outlined or st.no_fill or cache.line_rows.size or cache.poly_rows.size < TILE_MIN_ROWS:
            return None
        look = (st.fill, layer.opacity, st.fill_alpha)
        return (_token(cache), tol, _token(classes), _token(mask), look)

    def _mosaic(self, layer, cache, classes, mask, tol, extent, z) -> TileMosaic | None:
        """Tiles of the view's level; else, as a stand-in, the next coarser level's."""
        for level in (tol, tol * 2):
            key = self._tile_key(layer, cache, classes, mask, level)
            if key is None:
                return None
            res = tile_resolution(level)
            indices = list(tile_indices(extent, res))
            if all(key + index in self._tiles for index in indices):
                for index in indices:
                    self._tiles.move_to_end(key + index)
                if level != tol:
                    self.last_stand_in.add(layer.id)
                tiles = {i: self._tiles[key + i] for i in indices}
                return TileMosaic(tiles, res, z, self._views, key)
        return None  # not made yet: draw vectors, warm_up makes the rest

    def _around_steps(self, key: tuple | None) -> Iterator[None]:
        """Compose the level's tiles for the last view drawn plus AROUND on every side, at
        its exact scale and pixel phase, so pans within it are crops (cartography.tiles)."""
        place = self._views.grids.get(key) if key is not None else None
        if place is None:
            return
        width, height, sx, sy, ox, oy = place
        mx, my = round(width * AROUND), round(height * AROUND)
        wide = (width + 2 * mx, height + 2 * my, sx, sy, ox + mx, oy + my)
        kept = self._views.images.get(key)
        if kept is not None and kept.crop(*wide) is not None:
            return  # done for this view already
        res = tile_resolution(key[1])
        bbox = (-wide[4] / sx * res, -wide[5] / sy * res)
        bbox = (*bbox, (wide[0] - wide[4]) / sx * res, (wide[1] - wide[5]) / sy * res)
        indices = list(tile_indices(bbox, res))
        if not all(key + index in self._tiles for index in indices):
            return  # tiles not made yet (or evicted): renders compose the view itself
        tiles = {index: self._tiles[key + index] for index in indices}
        out = np.zeros((wide[1], wide[0], 4), dtype=np.uint8)
        yield from compose_steps(tiles, out, *wide[2:])
        for first in range(0, wide[1], STRAIGHT_ROWS):
            straight(out[first : first + STRAIGHT_ROWS])
            yield
        self._views.keep(key, Composed(*wide[2:], out))

    def _tile_steps(self, layer, cache, classes, mask, tol, bbox) -> Iterator[None]:
        key = self._tile_key(layer, cache, classes, mask, tol)
        if key is None or cache.tree is None:
            return
        if _kept(self._visible_shaped(cache, bbox), mask, classes).size < TILE_MIN_ROWS // 4:
            return  # views here draw few polygons: vectors are fast enough
        res = tile_resolution(tol)
        for index in tile_indices(bbox, res):
            if key + index in self._tiles:
                continue
            self._keep_tile(
                key + index,
                self._render_tile(layer, cache, classes, mask, tol, tile_bounds(*index, res)),
            )
            yield

    def _keep_tile(self, key: tuple, tile: np.ndarray | None) -> None:
        """Store a tile; past MAX_TILES images the least recently used go (empty ones are free)."""
        if tile is not None:
            while self._tile_images >= MAX_TILES and self._tiles:
                self._tile_images -= self._tiles.popitem(last=False)[1] is not None
            self._tile_images += 1
        self._tiles[key] = tile

    def _render_tile(self, layer, cache, classes, mask, tol, bounds) -> np.ndarray | None:
        """One tile drawn with the layer's own artists, premultiplied; None when empty."""
        if self._tile_figure is None:
            dpi = 100 * OVERSAMPLE  # the canvas draws at 100 dpi
            side = (TILE_PX + 2 * BLEED) / dpi
            self._tile_figure = Figure(figsize=(side, side), dpi=dpi)
            self._tile_figure.patch.set_alpha(0.0)
            FigureCanvasAgg(self._tile_figure)
            self._tile_figure.add_axes((0.0, 0.0, 1.0, 1.0))
        fig = self._tile_figure
        ax = fig.axes[0]
        clear_map(ax)
        ax.set_axis_off()
        rows = self._visible_shaped(cache, bounds)
        draw = LayerDraw(ax, layer, cache, classes, mask, 1, None, tile_min_rows=TILE_MIN_ROWS)
        draw.shapes(rows, tol, all_rows=False)
        if not draw.count:
            return None
        ax.set_xlim(bounds[0], bounds[2])
        ax.set_ylim(bounds[1], bounds[3])
        fig.canvas.draw()
        return premultiplied(np.asarray(fig.canvas.buffer_rgba()))

    def _visible_shaped(self, cache: LayerCache, bbox: tuple) -> np.ndarray:
        hits = cache.tree.query(shapely.box(*bbox)) if cache.tree is not None else []
        return np.sort(cache.shaped_rows[np.asarray(hits, dtype=np.int64)])

    def feature_styles(
        self, layer: Layer, crs: CRS, time_filter: TimeFilter | None = None
    ) -> tuple[np.ndarray, np.ndarray, LegendEntry]:
        """Per-row fill colour, which rows the map draws, and the legend entry.

        The web map uses this so its colours, filters and legend match the printed map.
        """
        cache = self._cache(layer, crs)
        mask = self._mask(layer, cache, time_filter)
        classes = self._classes(layer, cache, time_filter)
        drawn = np.ones(cache.n, dtype=bool) if mask is None else mask.copy()
        drawn &= ~shapely.is_empty(cache.geoms)
        if classes is None:
            colours = np.full(cache.n, layer.style.fill, dtype=object)
        else:
            palette = np.array([*classes.colours, NO_DATA_COLOUR], dtype=object)
            idx = classes.index.copy()
            drawn &= idx > -2
            idx[idx < 0] = len(classes.colours)
            colours = palette[idx]
        return colours, drawn, legend_entry(layer, classes, cache.kind)

    def features_at(
        self, layer: Layer, crs: CRS, x: float, y: float, tolerance: float
    ) -> Sequence[int]:
        """Row positions near (x, y), nearest first, using the renderer's cached index."""
        cache = self._cache(layer, crs)
        return features_near(cache, x, y, tolerance)


def _content_key(layers, view: MapView, look: tuple, classifications: dict) -> tuple:
    """view_snapshots.content_key of the vector layers, plus each raster's place and look."""
    layers = list(layers)
    vectors = [layer for layer in layers if not is_raster(layer)]
    rasters = tuple(
        (i, layer.id, layer.dataset_path, layer.visible, layer.opacity, layer.style.key())
        for i, layer in enumerate(layers)
        if is_raster(layer)
    )
    return (content_key(vectors, view, look, classifications), rasters)


def _pixel_size(ax: Axes, extent: tuple[float, float, float, float]) -> float:
    """Map units per device pixel of `ax` for `extent` (aspect kept equal)."""
    try:
        box = ax.get_window_extent()
        w, h = max(box.width, 1.0), max(box.height, 1.0)
    except Exception:  # axes not laid out yet
        w, h = 1000.0, 800.0
    return max((extent[2] - extent[0]) / w, (extent[3] - extent[1]) / h)


_SHARED = MapRenderer()


def features_at(layer: Layer, crs: CRS, x: float, y: float, tolerance: float) -> Sequence[int]:
    """Row positions of features within `tolerance` map units of (x, y) (identify tool)."""
    return _SHARED.features_at(layer, crs, x, y, tolerance)
