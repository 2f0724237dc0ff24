"""Drawing and editing tools on the map canvas: they turn mouse and keys into edit operations.

A tool is given to the canvas with `canvas.set_map_tool(tool)` and gets its mouse and key
events first (the middle button and the wheel still pan and zoom). Tools work in the map's
CRS (the project's metric CRS) and hand finished shapes to their `editor`
(desktop.edit_tools.EditController), which turns them into operations of layers/edit_ops.py
in the layer's CRS and pushes them on the undo stack. Keys as in QGIS: left click adds a
vertex, right click or Enter finishes, Backspace removes the last vertex, Esc cancels.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import numpy as np
import shapely
from PySide6.QtCore import QPointF, QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry

from layers import numbers
from layers.edit_geometry import (
    Vertex,
    measure,
    nearest_segment,
    nearest_vertex,
    rings,
    translate,
)
from layers.edit_snap import SnapHit
from layers.i18n import tr

if TYPE_CHECKING:
    from desktop.canvas import MapCanvas


class Editor(Protocol):
    """What the tools ask of their editor (desktop.edit_tools.EditController): named here so
    the tools do not import the controller that imports them."""

    canvas: MapCanvas

    def snap(self, x: float, y: float) -> SnapHit | None: ...
    def show_measure(self, geometry: BaseGeometry | None) -> None: ...
    def show_readout(self, text: str) -> None: ...
    def tell_needed(self, kind: str, count: int) -> None: ...
    def leave_tool(self) -> None: ...
    def feature_near(
        self, x: float, y: float, pixels: float
    ) -> tuple[int, BaseGeometry] | None: ...
    def rows_to_move(self, x: float, y: float) -> list[int]: ...
    def map_shapes(self, rows: list[int]) -> list[BaseGeometry]: ...
    def move_rows(self, rows: list[int], start: tuple, end: tuple) -> None: ...
    def move_vertex(self, row: int, vertex: Vertex, x: float, y: float) -> None: ...
    def insert_vertex(self, row: int, vertex: Vertex, x: float, y: float) -> None: ...
    def delete_vertex(self, row: int, vertex: Vertex) -> None: ...


DRAW_COLOUR = QColor("#d6004c")
FILL_COLOUR = QColor(214, 0, 76, 45)
VERTEX_COLOUR = QColor("#1f5fbf")
SNAP_COLOUR = QColor("#ff00ff")
VERTEX_PICK_PX = 8  # how near the cursor a vertex must be to grab it


class MapTool:
    """Base: handlers return True when they used the event (the canvas then ignores it)."""

    name = "edit"
    cursor = Qt.CursorShape.CrossCursor

    def __init__(self, editor: Editor) -> None:
        self.editor = editor
        self.canvas: MapCanvas = editor.canvas
        self.snapped: SnapHit | None = None

    def press(self, event) -> bool:
        return False

    def move(self, event) -> bool:
        return False

    def release(self, event) -> bool:
        return False

    def double_click(self, event) -> bool:
        return False

    def key(self, event) -> bool:
        return False

    def deactivate(self) -> None:
        self.snapped = None
        self.editor.show_readout("")

    def paint(self, painter: QPainter) -> None:
        self._paint_snap(painter)

    def _map_point(self, event, snapping: bool = True) -> tuple[float, float]:
        """The event's map point, snapped to a visible layer when snapping is on."""
        x, y = self.canvas.to_map(event.position())
        self.snapped = self.editor.snap(x, y) if snapping else None
        if self.snapped is not None:
            return self.snapped.x, self.snapped.y
        return x, y

    def _paint_snap(self, painter: QPainter) -> None:
        if self.snapped is None:
            return
        p = self.canvas.to_pixel(self.snapped.x, self.snapped.y)
        painter.setPen(QPen(SNAP_COLOUR, 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if self.snapped.kind == "vertex":
            painter.drawRect(int(p.x()) - 6, int(p.y()) - 6, 12, 12)
        else:  # a point on a segment: a cross, as QGIS marks it
            painter.drawLine(p + QPointF(-6, -6), p + QPointF(6, 6))
            painter.drawLine(p + QPointF(-6, 6), p + QPointF(6, -6))


class DrawTool(MapTool):
    """Click vertices of a point, line or polygon; right click or Enter finishes.

    `on_finish(geometry)` gets the shape in the map's CRS (the add tools add a feature, the
    split tool cuts polygons with the line)."""

    def __init__(self, editor: Editor, kind: str, name: str, on_finish) -> None:
        super().__init__(editor)
        self.kind, self.name, self.on_finish = kind, name, on_finish
        self.points: list[tuple[float, float]] = []
        self.hover: tuple[float, float] | None = None

    def geometry(self, include_hover: bool = False) -> BaseGeometry | None:
        points = list(self.points)
        if include_hover and self.hover is not None:
            points.append(self.hover)
        if self.kind == "point":
            return Point(points[0]) if points else None
        if self.kind == "polygon" and len(points) >= 3:
            return Polygon(points)
        if len(points) >= 2:
            return LineString(points)
        return None

    def press(self, event) -> bool:
        button = event.button()
        if button == Qt.MouseButton.RightButton:
            self.finish()
            return True
        if button != Qt.MouseButton.LeftButton:
            return False
        self.points.append(self._map_point(event))
        if self.kind == "point":
            self.finish()
        else:
            self._changed()
        return True

    def release(self, event) -> bool:
        return event.button() in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton)

    def double_click(self, event) -> bool:
        return True  # a double click is two vertices, not a zoom

    def move(self, event) -> bool:
        self.hover = self._map_point(event)
        self._changed()
        return True

    def key(self, event) -> bool:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.finish()
        elif key == Qt.Key.Key_Backspace:
            if self.points:
                self.points.pop()
            self._changed()
        elif key == Qt.Key.Key_Escape and self.points:
            self.cancel()
        elif key == Qt.Key.Key_Escape:  # nothing drawn to cancel: leave the tool
            self.editor.leave_tool()
        else:
            return False
        return True

    def finish(self) -> None:
        geometry = self.geometry()
        needed = {"point": 1, "line": 2, "polygon": 3}[self.kind]
        if geometry is None or len(self.points) < needed:
            self.editor.tell_needed(self.kind, needed)
            return
        self.points.clear()
        self.hover = None
        self._changed()
        self.on_finish(geometry)

    def cancel(self) -> None:
        self.points.clear()
        self.hover = None
        self._changed()

    def deactivate(self) -> None:
        self.cancel()
        super().deactivate()

    def _changed(self) -> None:
        if self.kind != "point":
            self.editor.show_measure(self.geometry(include_hover=True))
        self.canvas.update()

    def paint(self, painter: QPainter) -> None:
        if self.points:
            shown = [self.canvas.to_pixel(x, y) for x, y in self.points]
            line = shown + ([self.canvas.to_pixel(*self.hover)] if self.hover else [])
            painter.setPen(QPen(DRAW_COLOUR, 2))
            if self.kind == "polygon" and len(line) >= 3:
                painter.setBrush(FILL_COLOUR)
                painter.drawPolygon(QPolygonF(line))
            else:
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawPolyline(QPolygonF(line))
            painter.setPen(QPen(QColor("white"), 1))
            painter.setBrush(DRAW_COLOUR)
            for p in shown:
                painter.drawEllipse(p, 4, 4)
        super().paint(painter)


class MoveTool(MapTool):
    """Press on a feature of the edited layer (or its selection) and drag it: one operation."""

    name = "edit_move"
    cursor = Qt.CursorShape.SizeAllCursor

    def __init__(self, editor: Editor) -> None:
        super().__init__(editor)
        self.start: tuple[float, float] | None = None
        self.rows: list[int] = []
        self.shapes: list[BaseGeometry] = []
        self.offset = (0.0, 0.0)

    def press(self, event) -> bool:
        if event.button() != Qt.MouseButton.LeftButton:
            return event.button() == Qt.MouseButton.RightButton
        x, y = self.canvas.to_map(event.position())
        self.rows = self.editor.rows_to_move(x, y)
        if not self.rows:
            return True
        self.shapes = self.editor.map_shapes(self.rows)
        self.start = (x, y)
        self.offset = (0.0, 0.0)
        return True

    def move(self, event) -> bool:
        if self.start is None:
            return False
        x, y = self._map_point(event)
        self.offset = (x - self.start[0], y - self.start[1])
        self.canvas.update()
        return True

    def release(self, event) -> bool:
        if event.button() != Qt.MouseButton.LeftButton or self.start is None:
            return True
        start, self.start = self.start, None
        dx, dy = self.offset
        self.snapped = None
        if dx or dy:
            self.editor.move_rows(self.rows, start, (start[0] + dx, start[1] + dy))
        self.canvas.update()
        return True

    def key(self, event) -> bool:
        if event.key() == Qt.Key.Key_Escape and self.start is not None:
            self.start = None
            self.canvas.update()
            return True
        if event.key() == Qt.Key.Key_Escape:  # no drag to cancel: leave the tool
            self.editor.leave_tool()
            return True
        return False

    def paint(self, painter: QPainter) -> None:
        if self.start is not None:
            painter.setPen(QPen(DRAW_COLOUR, 2, Qt.PenStyle.DashLine))
            painter.setBrush(FILL_COLOUR)
            for shape in self.shapes:
                paint_shape(painter, self.canvas, translate(shape, *self.offset))
        super().paint(painter)


class VertexTool(MapTool):
    """Drag a vertex (one operation per drag), double-click a segment to add one, click a
    vertex and press Delete to remove it. Vertices of the features near the cursor are shown."""

    name = "edit_vertex"

    def __init__(self, editor: Editor) -> None:
        super().__init__(editor)
        self.row: int | None = None  # the feature whose vertices are shown
        self.shape: BaseGeometry | None = None
        self.chosen: Vertex | None = None  # the vertex clicked (Delete removes it)
        self.dragging = False
        self.drag_to: tuple[float, float] | None = None

    def _feature_near(self, x: float, y: float) -> None:
        found = self.editor.feature_near(x, y, VERTEX_PICK_PX)
        if found is None:
            return
        row, shape = found
        if row != self.row:
            self.row, self.shape, self.chosen = row, shape, None

    def _vertex_at(self, x: float, y: float) -> Vertex | None:
        if self.shape is None:
            return None
        vertex, distance = nearest_vertex(self.shape, x, y)
        return vertex if distance <= VERTEX_PICK_PX * self.canvas.map_units_per_pixel else None

    def press(self, event) -> bool:
        if event.button() != Qt.MouseButton.LeftButton:
            return event.button() == Qt.MouseButton.RightButton
        x, y = self.canvas.to_map(event.position())
        self._feature_near(x, y)
        vertex = self._vertex_at(x, y)
        self.chosen = vertex
        self.dragging = vertex is not None
        self.drag_to = None
        self.canvas.update()
        return True

    def move(self, event) -> bool:
        x, y = self.canvas.to_map(event.position())
        if self.dragging:
            self.drag_to = self._map_point(event)
            self.canvas.update()
            return True
        if not event.buttons():
            before = self.row
            self._feature_near(x, y)
            if self.row != before:
                self.canvas.update()
        return False

    def release(self, event) -> bool:
        if event.button() != Qt.MouseButton.LeftButton:
            return True
        if self.dragging and self.drag_to is not None and self.chosen is not None:
            assert self.row is not None
            self.editor.move_vertex(self.row, self.chosen, *self.drag_to)
            self.refresh()
        self.dragging = False
        self.drag_to = None
        self.snapped = None
        self.canvas.update()
        return True

    def double_click(self, event) -> bool:
        if self.shape is None or self.row is None:
            return True
        x, y = self._map_point(event)
        vertex, _point, distance = nearest_segment(self.shape, x, y)
        if distance <= VERTEX_PICK_PX * self.canvas.map_units_per_pixel:
            self.editor.insert_vertex(self.row, vertex, x, y)
            self.refresh()
        return True

    def key(self, event) -> bool:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            return self.delete_chosen()
        if event.key() == Qt.Key.Key_Escape and (self.chosen is not None or self.dragging):
            self.chosen = None
            self.dragging = False
            self.drag_to = None
            self.canvas.update()
            return True
        if event.key() == Qt.Key.Key_Escape:  # nothing chosen: leave the tool
            self.editor.leave_tool()
            return True
        return False

    def delete_chosen(self) -> bool:
        if self.chosen is None or self.row is None:
            return False
        self.editor.delete_vertex(self.row, self.chosen)
        self.chosen = None
        self.refresh()
        return True

    def refresh(self) -> None:
        """The feature's shape as it is now (after an edit, an undo)."""
        if self.row is not None:
            shapes = self.editor.map_shapes([self.row])
            self.shape = shapes[0] if shapes else None
            if self.shape is None:
                self.row = None
        self.canvas.update()

    def deactivate(self) -> None:
        self.row = self.shape = self.chosen = None
        self.dragging = False
        super().deactivate()

    def paint(self, painter: QPainter) -> None:
        if self.shape is not None:
            shape = self.shape
            if self.dragging and self.drag_to is not None and self.chosen is not None:
                from layers.edit_geometry import move_vertex

                shape = move_vertex(shape, self.chosen, *self.drag_to)
                painter.setPen(QPen(DRAW_COLOUR, 2, Qt.PenStyle.DashLine))
                painter.setBrush(FILL_COLOUR)
                paint_shape(painter, self.canvas, shape)
            painter.setPen(QPen(QColor("white"), 1))
            painter.setBrush(VERTEX_COLOUR)
            painter.drawRects(self._vertex_marks(shape))
            if self.chosen is not None:
                p, r, i = self.chosen
                xy = next((xy for rp, rr, xy in rings(shape) if (rp, rr) == (p, r)), None)
                if xy is not None and i < len(xy):
                    at = self.canvas.to_pixel(*xy[i])
                    painter.setBrush(DRAW_COLOUR)
                    painter.drawRect(int(at.x()) - 5, int(at.y()) - 5, 10, 10)
        super().paint(painter)

    def _vertex_marks(self, shape: BaseGeometry) -> list[QRect]:
        """A square per vertex on screen: pixels computed for whole rings at once, and the
        vertices out of view left out (a municipality's boundary has thousands)."""
        minx, _miny, _maxx, maxy = self.canvas.extent
        scale = self.canvas.map_units_per_pixel
        w, h = self.canvas.width(), self.canvas.height()
        marks = []
        for _p, _r, xy in rings(shape):
            px = np.floor((xy[:, 0] - minx) / scale).astype(int)
            py = np.floor((maxy - xy[:, 1]) / scale).astype(int)
            shown = (px > -5) & (px < w + 5) & (py > -5) & (py < h + 5)
            marks.extend(
                QRect(x - 4, y - 4, 8, 8)
                for x, y in zip(px[shown].tolist(), py[shown].tolist(), strict=True)
            )
        return marks


def paint_shape(painter: QPainter, canvas: MapCanvas, shape: BaseGeometry) -> None:
    """Outline (and fill) of a shape in the map's CRS, in canvas pixels."""
    for part in getattr(shape, "geoms", [shape]):
        if isinstance(part, Polygon):
            for ring in (part.exterior, *part.interiors):
                painter.drawPolygon(QPolygonF([canvas.to_pixel(x, y) for x, y in ring.coords]))
        elif isinstance(part, LineString):
            painter.drawPolyline(QPolygonF([canvas.to_pixel(x, y) for x, y in part.coords]))
        elif isinstance(part, Point):
            painter.drawEllipse(canvas.to_pixel(part.x, part.y), 5, 5)


def nearest_row(shapes: np.ndarray, x: float, y: float, tolerance: float) -> int | None:
    """The position of the shape nearest (x, y) within `tolerance`, or None."""
    if not len(shapes):
        return None
    cursor = shapely.Point(x, y)
    distances = shapely.distance(shapes, cursor)
    distances = np.where(np.isnan(distances), np.inf, distances)
    best = int(np.argmin(distances))
    return best if distances[best] <= tolerance else None


def measure_text(geometry: BaseGeometry, crs) -> str:
    """The live read-out of a shape being drawn (map CRS), with as many decimals as a person
    reads: 0.25 ha, 12.5 ha, 90,033 ha; lengths in km past 10 km."""
    m = measure(geometry, crs)
    km = (m.perimeter_m if geometry.geom_type == "Polygon" else m.length_m) >= 10_000
    if geometry.geom_type == "Polygon":
        area = numbers.number(m.area_ha, 2 if m.area_ha < 10 else 1 if m.area_ha < 1000 else 0)
        if km:
            return tr("Area {a} ha · perimeter {p} km").format(
                a=area, p=numbers.number(m.perimeter_m / 1000, 1)
            )
        return tr("Area {a} ha · perimeter {p} m").format(
            a=area, p=numbers.number(m.perimeter_m, 0)
        )
    if km:
        return tr("Length {d} km").format(d=numbers.number(m.length_m / 1000, 2))
    return tr("Length {d} m").format(d=numbers.number(m.length_m, 0))
