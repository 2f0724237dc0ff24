"""The map canvas: matplotlib (Agg) drawn by cartography.render.MapRenderer, driven like a GIS.

Why it stays fluid: the view (centre + map units per pixel) changes instantly, the last
rendered image is shifted/scaled with QPainter while the user drags or wheels, and the real
render runs debounced on a background thread (one at a time, newest request wins), so even
a slow first classification or many halo labels never freeze the window
(desktop/background_renderer.py). Tool overlays
(rubber bands, measure lines) are painted by Qt on top and never trigger a render.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import numpy as np
import shapely
from pyproj import CRS, Geod, Transformer
from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QRubberBand, QWidget

from cartography.raster_draw import raster_extent
from cartography.render import (
    WHEEL_STEP,
    LegendEntry,
    MapRenderer,
    MapView,
    features_at,
)
from core.state import AppState
from desktop.background_renderer import BACKGROUND, BackgroundRenderer, RenderResult
from desktop.debounce import debounce_timer
from layers import numbers
from layers.i18n import tr
from layers.layer import Layer, is_raster
from layers.project import Project
from layers.timefilter import time_mask

REDRAW_DEBOUNCE_MS = 16  # one frame: wheel bursts still coalesce into one render
# Recent views kept to show again at once (~8 MB each at 1600x1200): back to full extent.
MAX_DRAWN_BYTES = 64 * 1024**2
WHEEL_ZOOM_STEP = WHEEL_STEP  # the renderer draws views one wheel step ahead at this factor
PICK_TOLERANCE_PX = 5
GEOD = Geod(ellps="WGS84")
METRES_PER_INCH = 0.0254

TOOLS = ("pan", "zoom_box", "identify", "select", "measure_line", "measure_area")


def fit_extent(
    bounds, width: int, height: int, margin: float = 0.0
) -> tuple[tuple[float, float], float] | None:
    """Centre and map units per pixel that show `bounds` (plus `margin` each side) in a
    width x height view; None if the bounds are not finite."""
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    if not all(math.isfinite(v) for v in (minx, miny, maxx, maxy)):
        return None
    scale = max(max(maxx - minx, 1.0) / width, max(maxy - miny, 1.0) / height) * (1 + 2 * margin)
    return ((minx + maxx) / 2, (miny + maxy) / 2), scale


def opening_bounds(project: Project) -> tuple[tuple[float, ...], float] | None:
    """What a canvas shows when `project` opens: its saved extent, else all layers (and the
    margin to add); None when there is nothing to show."""
    if project.extent:
        return project.extent, 0.0
    extent = project.full_extent()
    return (extent, 0.03) if extent is not None else None


def opening_view(project: Project, width: int, height: int) -> MapView | None:
    """The MapView a width x height canvas renders first for `project` (set_project's view)."""
    opening = opening_bounds(project)
    fitted = fit_extent(opening[0], width, height, opening[1]) if opening else None
    if fitted is None:
        return None
    (cx, cy), scale = fitted
    half_w, half_h = width * scale / 2, height * scale / 2
    extent = (cx - half_w, cy - half_h, cx + half_w, cy + half_h)
    return MapView(project.metric_crs, extent, project.time_filter, scale)


class MapCanvas(QWidget):
    """Pan, zoom, identify, select and measure over the project's layers."""

    view_changed = Signal()
    rendered = Signal(float)  # milliseconds the last render took
    cursor_moved = Signal(float, float)  # map coordinates in the project's metric CRS
    identified = Signal(float, float, list)  # x, y, [(layer, row positions)]
    measured = Signal(str)
    legend_changed = Signal(list)
    render_failed = Signal(str)
    tool_changed = Signal(str)
    drawing = Signal(bool)  # a background render started (True) or the map is up to date

    def __init__(self, project: Project, selection, current_layer: Callable[[], Layer | None]):
        super().__init__()
        self.renderer = BackgroundRenderer(self)
        self.renderer.done.connect(self._render_done)
        self.renderer.view_ready.connect(self._sharpen)
        self._soft = False  # the image on screen used stand-in tiles
        self._job = 0
        self._last_view: MapView | None = None
        self._installed_job = -1
        self._rendering = False
        self._pending = False
        self.project = project
        self.selection = selection
        self.current_layer = current_layer
        self.legend: list[LegendEntry] = []
        self.tool = "pan"
        self.last_render_ms = 0.0
        self.last_render_cpu_ms = 0.0
        self.render_count = 0
        # Sharp images of recent views with the current content (newest last), and the first
        # job whose image may join them: _keep_drawn, request_redraw.
        self._drawn: list[RenderResult] = []
        self._reusable_from = 0
        self.views_reused = 0
        self._center = (0.0, 0.0)
        self._scale = 1.0  # map units per logical pixel
        self._has_view = False
        self._image: QImage | None = None
        self._image_extent: tuple[float, float, float, float] | None = None
        self._drag: tuple[QPointF, tuple[float, float]] | None = None
        self._press_pos: QPoint | None = None
        self._measure: list[tuple[float, float]] = []
        self._hover: tuple[float, float] | None = None
        self._identify_mark: tuple[float, float] | None = None
        self._rubber = QRubberBand(QRubberBand.Shape.Rectangle, self)
        self._timer = debounce_timer(self, REDRAW_DEBOUNCE_MS, self._start_render)
        self._to_lonlat: Transformer | None = None
        # A drawing/editing tool (desktop/map_tools.py) gets the mouse and keys first.
        self.map_tool = None
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(200, 150)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setAcceptDrops(False)  # the window takes file drops

    # --- project --------------------------------------------------------------------------
    def set_project(self, project: Project, prepared: MapRenderer | None = None) -> None:
        """Show `project`; `prepared`: a MapRenderer whose caches were built for it off the GUI
        thread (desktop.loading.prepare_map), so the first render does not build them."""
        self.project = project
        self.renderer.reset(prepared)
        self._drawn.clear()
        self._reusable_from = self._job + 1
        self._image = None
        self._to_lonlat = None
        self._has_view = False
        opening = opening_bounds(project)
        if opening is not None:
            self.set_extent(*opening)
        else:
            self.request_redraw()

    def view_size(self) -> tuple[int, int, float]:
        """Logical width and height of the map and the device pixels per logical pixel: what
        desktop.loading.prepare_map needs to lay out this canvas's first view."""
        size = self._size()
        return size.width(), size.height(), float(self.devicePixelRatioF())

    @property
    def crs(self) -> CRS:
        return self.project.metric_crs

    @property
    def has_view(self) -> bool:
        """True once the map shows a chosen extent (a zoom, a pan or the first layers)."""
        return self._has_view

    def layers_changed(self) -> None:
        """Layers were added, removed or moved: the project's CRS may differ; draw again."""
        self._to_lonlat = None
        self.request_redraw()

    def lonlat(self, x: float, y: float) -> tuple[float, float]:
        if self._to_lonlat is None:
            self._to_lonlat = Transformer.from_crs(self.crs, "EPSG:4326", always_xy=True)
        lon, lat = self._to_lonlat.transform(x, y)
        return float(lon), float(lat)

    # --- view -----------------------------------------------------------------------------
    def _size(self) -> QSize:
        size = self.size()
        return size if size.width() > 1 and size.height() > 1 else QSize(800, 600)

    @property
    def extent(self) -> tuple[float, float, float, float]:
        size = self._size()
        half_w = size.width() * self._scale / 2
        half_h = size.height() * self._scale / 2
        cx, cy = self._center
        return (cx - half_w, cy - half_h, cx + half_w, cy + half_h)

    @property
    def map_units_per_pixel(self) -> float:
        return self._scale

    def scale_denominator(self) -> float:
        """N of the 1:N scale on this screen (metric CRS units are metres)."""
        dpi = self.logicalDpiX() or 96
        return self._scale / (METRES_PER_INCH / dpi)

    def set_scale_denominator(self, denominator: float) -> None:
        """Zoom to 1:`denominator` on this screen, keeping the centre."""
        dpi = self.logicalDpiX() or 96
        self._scale = float(denominator) * METRES_PER_INCH / dpi
        self._view_moved()

    def set_extent(self, bounds, margin: float = 0.0) -> None:
        size = self._size()
        fitted = fit_extent(bounds, size.width(), size.height(), margin)
        if fitted is None:
            return
        self._center, self._scale = fitted
        self._view_moved()

    def zoom_full(self) -> None:
        extent = self.project.full_extent()
        if extent is not None:
            self.set_extent(extent, margin=0.03)
        else:
            self.request_redraw()

    def zoom_to_layer(self, layer: Layer) -> None:
        if is_raster(layer):
            self.set_extent(_padded(raster_extent(layer, self.crs)), margin=0.05)
            return
        gdf = layer.to_metric(self.crs)
        if not gdf.empty:
            self.set_extent(_padded(gdf.total_bounds), margin=0.05)

    def zoom_to_selection(self) -> None:
        boxes = []
        for layer in self.project.layers.vectors():
            rows = self.selection.rows(layer)
            if rows.size:
                boxes.append(layer.to_metric(self.crs).geometry.iloc[rows].total_bounds)
        if boxes:
            b = np.array(boxes)
            self.set_extent(
                _padded((b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max())), 0.1
            )

    def zoom_by(self, factor: float, anchor: QPointF | None = None) -> None:
        """factor > 1 zooms in, keeping the map point under `anchor` fixed."""
        if anchor is None:
            anchor = QPointF(self._size().width() / 2, self._size().height() / 2)
        px, py = self.to_map(anchor)
        new_scale = self._scale / factor
        cx, cy = self._center
        ratio = new_scale / self._scale
        self._center = (px - (px - cx) * ratio, py - (py - cy) * ratio)
        self._scale = new_scale
        self._view_moved()

    def pan_by_pixels(self, dx: float, dy: float) -> None:
        cx, cy = self._center
        self._center = (cx - dx * self._scale, cy + dy * self._scale)
        self._view_moved()

    def to_map(self, pos: QPointF | QPoint) -> tuple[float, float]:
        minx, _miny, _maxx, maxy = self.extent
        return (minx + pos.x() * self._scale, maxy - pos.y() * self._scale)

    def to_pixel(self, x: float, y: float) -> QPointF:
        minx, _miny, _maxx, maxy = self.extent
        return QPointF((x - minx) / self._scale, (maxy - y) / self._scale)

    def _view_moved(self) -> None:
        self._has_view = True
        self.update()  # preview: the cached image, shifted and scaled
        self.view_changed.emit()
        self._timer.start()

    # --- rendering ------------------------------------------------------------------------
    def follow(self, state: AppState) -> None:
        """Draw again when the period, the selection or the language (legend text) changes."""
        for event in (state.events.period, state.events.selection, state.events.language):
            event.connect(self.request_redraw)

    def request_redraw(self, *_args) -> None:
        """What the map shows changed (layers, styles, period, selection): draw it again.

        Debounced: many changes within one frame (16 ms) cost one render. Views drawn
        before the change are no longer reused.
        """
        self._drawn.clear()
        self._reusable_from = self._job + 1  # renders already under way show the old content
        self._timer.start()

    def _render_args(self) -> tuple:
        if not self._has_view:
            extent = self.project.full_extent()
            if extent is not None:
                self.set_extent(extent, margin=0.03)
        self._job += 1
        view = MapView(self.crs, self.extent, self.project.time_filter, self._scale)
        self._last_view = view
        return (
            self._job,
            list(self.project.layers),
            view,
            self.selection.as_dict(),
            self._size(),
            float(self.devicePixelRatioF()),
        )

    def _start_render(self) -> None:
        """Render in the background; if one is running, render again once it ends.

        A view drawn before with the same content (back to the full extent, a zoom out
        after a zoom in) is shown again at once instead.
        """
        if self._rendering:
            self._pending = True
            return
        drawn = self._drawn_before()
        if drawn is not None:
            self._job += 1
            self._last_view = MapView(self.crs, self.extent, self.project.time_filter, self._scale)
            self.views_reused += 1
            self._install(dataclasses.replace(drawn, job=self._job, milliseconds=0.0, cpu_ms=0.0))
            self.drawing.emit(False)
            self.renderer.warm_up(self.project.layers, self._last_view)
            return
        self._rendering = True
        self.drawing.emit(True)
        if not self.renderer.submit(*self._render_args()):
            self._rendering = False

    def redraw_now(self) -> None:
        """Render on this thread and show it (tests, screenshots, exports of the view)."""
        self._timer.stop()
        self._install(self.renderer.render(*self._render_args()))

    def _render_done(self, result: RenderResult) -> None:
        self._rendering = False
        self._install(result)
        if self._pending:
            self._pending = False
            self._start_render()
        else:
            self.drawing.emit(False)
            if not self._timer.isActive() and self._last_view is not None:
                self.renderer.warm_up(self.project.layers, self._last_view)

    def _drawn_before(self) -> RenderResult | None:
        """A sharp image of exactly this view and content, if one is kept."""
        size, dpr = self._size(), float(self.devicePixelRatioF())
        pixels = (max(1, round(size.width() * dpr)), max(1, round(size.height() * dpr)), dpr)
        close = 1e-3 * self._scale  # a zoom in and out again lands within float error
        for result in reversed(self._drawn):
            image = result.image
            if (image.width(), image.height(), image.devicePixelRatio()) == pixels and all(
                abs(a - b) <= close for a, b in zip(result.extent, self.extent, strict=True)
            ):
                return result
        return None

    def _keep_drawn(self, result: RenderResult) -> None:
        if (
            result.image is None
            or result.error
            or result.stand_in
            or result.job < self._reusable_from
        ):
            return
        self._drawn.append(result)
        while sum(r.image.sizeInBytes() for r in self._drawn) > MAX_DRAWN_BYTES:
            self._drawn.pop(0)

    def _install(self, result: RenderResult) -> None:
        if result.job < self._installed_job:
            return  # an older render finished late: keep the newer image
        self._installed_job = result.job
        self._keep_drawn(result)
        self._soft = result.stand_in
        if result.image is not None:
            self._image = result.image
            self._image_extent = result.extent
        self.legend = result.legend
        self.last_render_ms = result.milliseconds
        self.last_render_cpu_ms = result.cpu_ms
        self.render_count += 1
        self.update()
        if result.error:
            self.render_failed.emit(result.error)
        self.rendered.emit(self.last_render_ms)
        self.legend_changed.emit(self.legend)

    def _sharpen(self) -> None:
        """The warm-up made this view's own tiles: replace the soft stand-in image."""
        if self._soft and not self.is_rendering:
            self._soft = False
            self._timer.start()

    @property
    def is_rendering(self) -> bool:
        return self._rendering or self._timer.isActive()

    def shutdown(self) -> None:
        self._timer.stop()
        self.renderer.shutdown()

    def visible_rows(self, layer: Layer) -> np.ndarray:
        """Row positions the time filter keeps (all rows for undated layers)."""
        mask = time_mask(layer, self.project.time_filter)
        return np.arange(len(layer.data)) if mask is None else np.flatnonzero(mask)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(BACKGROUND))
        if self._image is not None and self._image_extent is not None:
            if self._image_extent == self.extent:
                painter.drawImage(QPointF(0, 0), self._image)
            else:  # preview while the view moves: the last image, shifted and scaled
                a = self._image_extent
                target = QRectF(self.to_pixel(a[0], a[3]), self.to_pixel(a[2], a[1]))
                painter.drawImage(target, self._image)
        elif not len(self.project.layers):
            painter.setPen(QColor("#777777"))
            painter.drawText(
                self.rect(),
                Qt.AlignmentFlag.AlignCenter,
                tr("Add layers with Ctrl+O, or drop files here."),
            )
        painter.end()
        self._paint_overlays()

    def _paint_overlays(self) -> None:
        if not self._measure and self._identify_mark is None and self.map_tool is None:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self.map_tool is not None:
            self.map_tool.paint(painter)
        if self._measure:
            points = [self.to_pixel(x, y) for x, y in self._measure]
            if self._hover is not None:
                points.append(self.to_pixel(*self._hover))
            pen = QPen(QColor("#d6004c"), 2)
            painter.setPen(pen)
            if self.tool == "measure_area" and len(points) >= 3:
                painter.setBrush(QColor(214, 0, 76, 50))
                painter.drawPolygon(QPolygonF(points))
            else:
                painter.drawPolyline(QPolygonF(points))
            painter.setBrush(QColor("#d6004c"))
            for p in points[: len(self._measure)]:
                painter.drawEllipse(p, 3, 3)
        if self._identify_mark is not None:
            p = self.to_pixel(*self._identify_mark)
            painter.setPen(QPen(QColor("#d6004c"), 2))
            painter.drawLine(p + QPointF(-7, 0), p + QPointF(7, 0))
            painter.drawLine(p + QPointF(0, -7), p + QPointF(0, 7))
        painter.end()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._timer.start()  # a new view, same content

    # --- tools ----------------------------------------------------------------------------
    def set_tool(self, tool: str) -> None:
        if tool not in TOOLS:
            raise ValueError(f"Unknown map tool {tool!r}")
        self.set_map_tool(None)
        self.tool = tool
        self._measure.clear()
        self._identify_mark = None
        cursors = {
            "pan": Qt.CursorShape.OpenHandCursor,
            "zoom_box": Qt.CursorShape.CrossCursor,
            "identify": Qt.CursorShape.WhatsThisCursor,
            "select": Qt.CursorShape.PointingHandCursor,
        }
        self.setCursor(cursors.get(tool, Qt.CursorShape.CrossCursor))
        self.update()
        self.tool_changed.emit(tool)

    def set_map_tool(self, tool) -> None:
        """Give the mouse and keys to `tool` (a desktop.map_tools.MapTool), None: back to
        the navigation tool. The middle button and the wheel still pan and zoom."""
        old, self.map_tool = self.map_tool, tool
        if old is not None and old is not tool:
            old.deactivate()
        if tool is not None:
            self.setCursor(tool.cursor)
            self.tool_changed.emit(tool.name)
        self.update()

    def _tool_takes(self, handler: str, event) -> bool:
        tool = self.map_tool
        if tool is None or getattr(event, "button", lambda: None)() == Qt.MouseButton.MiddleButton:
            return False
        return bool(getattr(tool, handler)(event))

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self._tool_takes("press", event):
            return
        pos = event.position()
        self._press_pos = pos.toPoint()
        button = event.button()
        if button == Qt.MouseButton.MiddleButton or (
            button == Qt.MouseButton.LeftButton and self.tool == "pan"
        ):
            self._drag = (pos, self._center)
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
        elif button == Qt.MouseButton.LeftButton and self.tool in ("zoom_box", "select"):
            self._rubber.setGeometry(QRect(self._press_pos, QSize()))
            self._rubber.show()
        elif button == Qt.MouseButton.RightButton and self.tool.startswith("measure"):
            self.clear_measure()

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 - Qt override
        pos = event.position()
        x, y = self.to_map(pos)
        self.cursor_moved.emit(x, y)
        if self._drag is None and self._tool_takes("move", event):
            return
        if self._drag is not None:
            start, (cx, cy) = self._drag
            delta = pos - start
            self._center = (cx - delta.x() * self._scale, cy + delta.y() * self._scale)
            self.update()  # shift the cached image only; render at release
        elif self._rubber.isVisible() and self._press_pos is not None:
            self._rubber.setGeometry(QRect(self._press_pos, pos.toPoint()).normalized())
        elif self.tool.startswith("measure") and self._measure:
            self._hover = (x, y)
            self.measured.emit(self.measure_text(include_hover=True))
            self.update()

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt override
        pos = event.position()
        if self._drag is None and self._tool_takes("release", event):
            return
        if self._drag is not None:
            self._drag = None
            if self.tool == "pan":
                self.setCursor(Qt.CursorShape.OpenHandCursor)
            self._view_moved()
            return
        if event.button() != Qt.MouseButton.LeftButton:
            return
        if self._rubber.isVisible():
            self._rubber.hide()
            rect = self._rubber.geometry()
            if self.tool == "zoom_box":
                if rect.width() > 4 and rect.height() > 4:
                    a = self.to_map(rect.topLeft())
                    b = self.to_map(rect.bottomRight())
                    self.set_extent((a[0], b[1], b[0], a[1]))
                else:
                    self.zoom_by(2.0, pos)
            else:
                add = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
                if rect.width() > 4 and rect.height() > 4:
                    a = self.to_map(rect.topLeft())
                    b = self.to_map(rect.bottomRight())
                    self.select_in_box((a[0], b[1], b[0], a[1]), add=add)
                else:
                    self.select_at(*self.to_map(pos), add=add)
            return
        x, y = self.to_map(pos)
        if self.tool == "identify":
            self.identify(x, y)
        elif self.tool.startswith("measure"):
            self._measure.append((x, y))
            self.measured.emit(self.measure_text())
            self.update()

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self._tool_takes("double_click", event):
            return
        if self.tool.startswith("measure") and self._measure:
            self._hover = None
            self.measured.emit(tr("Measured: ") + self.measure_text())
            self.update()
        elif self.tool == "pan":
            self.zoom_by(2.0, event.position())

    def wheelEvent(self, event) -> None:  # noqa: N802 - Qt override
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom_by(WHEEL_ZOOM_STEP**steps, event.position())

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self._tool_takes("key", event):
            return
        key = event.key()
        step = 80
        moves = {
            Qt.Key.Key_Left: (step, 0),
            Qt.Key.Key_Right: (-step, 0),
            Qt.Key.Key_Up: (0, step),
            Qt.Key.Key_Down: (0, -step),
        }
        if key in moves:
            self.pan_by_pixels(*moves[key])
        elif key == Qt.Key.Key_Escape:
            self.clear_measure()
            self._identify_mark = None
            self.update()
        else:
            super().keyPressEvent(event)

    # --- identify / select ------------------------------------------------------------------
    def hits_at(self, x: float, y: float) -> list[tuple[Layer, list[int]]]:
        """Visible features under (x, y), top layer first, honouring the time filter."""
        tolerance = PICK_TOLERANCE_PX * self._scale
        found = []
        for layer in reversed(self.project.layers.vectors()):
            if not layer.visible or layer.data.empty:
                continue
            rows = np.asarray(features_at(layer, self.crs, x, y, tolerance), dtype=np.int64)
            mask = time_mask(layer, self.project.time_filter)
            if mask is not None and rows.size:
                rows = rows[mask[rows]]
            if rows.size:
                found.append((layer, sorted(int(r) for r in rows)))
        return found

    def identify(self, x: float, y: float) -> list[tuple[Layer, list[int]]]:
        hits = self.hits_at(x, y)
        self._identify_mark = (x, y)
        self.update()
        self.identified.emit(x, y, hits)
        return hits

    def select_at(self, x: float, y: float, add: bool = False) -> None:
        layer = self.current_layer()
        if layer is None:
            return
        rows = np.asarray(
            features_at(layer, self.crs, x, y, PICK_TOLERANCE_PX * self._scale), dtype=np.int64
        )
        self._apply_selection(layer, rows, add)

    def select_in_box(self, bounds, add: bool = False) -> None:
        layer = self.current_layer()
        if layer is None:
            return
        gdf = layer.to_metric(self.crs)
        rows = np.asarray(gdf.sindex.query(shapely.box(*bounds), predicate="intersects"))
        self._apply_selection(layer, rows, add)

    def _apply_selection(self, layer: Layer, rows: np.ndarray, add: bool) -> None:
        mask = time_mask(layer, self.project.time_filter)
        if mask is not None and rows.size:
            rows = rows[mask[rows]]
        if add:
            rows = np.union1d(self.selection.rows(layer), rows)
        self.selection.set(layer, rows, "canvas")

    # --- measure --------------------------------------------------------------------------
    def clear_measure(self) -> None:
        self._measure.clear()
        self._hover = None
        self.measured.emit("")
        self.update()

    def measure_values(self, include_hover: bool = False) -> tuple[float, float]:
        """Geodesic length (m) and area (m²) of the measured vertices on the WGS84 ellipsoid."""
        points = list(self._measure)
        if include_hover and self._hover is not None:
            points.append(self._hover)
        if len(points) < 2:
            return 0.0, 0.0
        lonlat = [self.lonlat(x, y) for x, y in points]
        lons, lats = zip(*lonlat, strict=True)
        if self.tool == "measure_area" and len(points) >= 3:
            area, perimeter = GEOD.polygon_area_perimeter(lons, lats)
            return abs(perimeter), abs(area)
        return GEOD.line_length(lons, lats), 0.0

    def measure_text(self, include_hover: bool = False) -> str:
        length, area = self.measure_values(include_hover)
        if self.tool == "measure_area":
            return tr("Area {a} · perimeter {p}").format(
                a=numbers.area(area), p=numbers.distance(length)
            )
        return tr("Distance {d}").format(d=numbers.distance(length))


def _padded(bounds) -> tuple[float, float, float, float]:
    """A point or a single line has no area: give it 500 m around so zoom stays sensible."""
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    pad_x = 500.0 if maxx - minx < 1 else 0.0
    pad_y = 500.0 if maxy - miny < 1 else 0.0
    return (minx - pad_x, miny - pad_y, maxx + pad_x, maxy + pad_y)
