"""Toolbar icons drawn with QPainter: crisp at any scale, no image files to ship."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap, QPolygonF

INK = QColor("#2b3a4a")
ACCENT = QColor("#1f78b4")
SIZE = 32


def _icon(draw) -> QIcon:
    pixmap = QPixmap(SIZE, SIZE)
    pixmap.fill(Qt.GlobalColor.transparent)
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(
        QPen(INK, 2.4, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
    )
    draw(p)
    p.end()
    return QIcon(pixmap)


def _magnifier(p: QPainter, sign: str = "") -> None:
    p.drawEllipse(QRectF(5, 5, 16, 16))
    p.setPen(QPen(INK, 4, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    p.drawLine(QPointF(19, 19), QPointF(27, 27))
    p.setPen(QPen(ACCENT, 2.4, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    if sign in ("+", "-"):
        p.drawLine(QPointF(9, 13), QPointF(17, 13))
    if sign == "+":
        p.drawLine(QPointF(13, 9), QPointF(13, 17))
    if sign == "box":
        p.drawRect(QRectF(9, 9, 8, 8))


def _four_arrowheads(p: QPainter, reach: float, back: float, spread: float, closed: bool) -> None:
    """Arrowheads pointing up, down, left and right, their tips `reach` from the centre: open
    (two strokes) or closed (a triangle in the current brush)."""
    c = SIZE / 2
    for dx, dy in ((0, -1), (0, 1), (-1, 0), (1, 0)):
        tip = QPointF(c + dx * reach, c + dy * reach)
        bx, by = c + dx * (reach - back), c + dy * (reach - back)
        ox, oy = abs(dy) * spread, abs(dx) * spread  # across the arrow's direction
        left, right = QPointF(bx - ox, by - oy), QPointF(bx + ox, by + oy)
        if closed:
            p.drawPolygon(QPolygonF([tip, left, right]))
        else:
            p.drawPolyline(QPolygonF([left, tip, right]))


def zoom_in() -> QIcon:
    return _icon(lambda p: _magnifier(p, "+"))


def zoom_out() -> QIcon:
    return _icon(lambda p: _magnifier(p, "-"))


def zoom_box() -> QIcon:
    return _icon(lambda p: _magnifier(p, "box"))


def full_extent() -> QIcon:
    def draw(p: QPainter) -> None:
        p.drawRect(QRectF(9, 9, 14, 14))
        p.setPen(QPen(ACCENT, 2.4, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        for x, y, dx, dy in ((3, 3, 1, 1), (29, 3, -1, 1), (3, 29, 1, -1), (29, 29, -1, -1)):
            p.drawLine(QPointF(x, y), QPointF(x + 5 * dx, y))
            p.drawLine(QPointF(x, y), QPointF(x, y + 5 * dy))

    return _icon(draw)


def pan() -> QIcon:
    def draw(p: QPainter) -> None:
        p.drawLine(QPointF(16, 3), QPointF(16, 29))
        p.drawLine(QPointF(3, 16), QPointF(29, 16))
        _four_arrowheads(p, reach=13, back=4, spread=4, closed=False)

    return _icon(draw)


def identify() -> QIcon:
    def draw(p: QPainter) -> None:
        p.setBrush(ACCENT)
        p.setPen(Qt.PenStyle.NoPen)
        p.drawEllipse(QRectF(4, 4, 24, 24))
        p.setPen(QPen(QColor("white"), 3.2, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        p.drawLine(QPointF(16, 14), QPointF(16, 23))
        p.drawPoint(QPointF(16, 9.5))

    return _icon(draw)


def select() -> QIcon:
    def draw(p: QPainter) -> None:
        p.setPen(QPen(INK, 2, Qt.PenStyle.DashLine))
        p.drawRect(QRectF(4, 4, 18, 14))
        p.setPen(QPen(INK, 1.5))
        p.setBrush(QColor("#f2c200"))
        arrow = QPolygonF(
            [
                QPointF(15, 11),
                QPointF(27, 23),
                QPointF(21, 23),
                QPointF(23, 29),
                QPointF(20, 30),
                QPointF(18, 24),
                QPointF(15, 27),
            ]
        )
        p.drawPolygon(arrow)

    return _icon(draw)


def measure_line() -> QIcon:
    def draw(p: QPainter) -> None:
        path = QPainterPath(QPointF(4, 24))
        path.lineTo(12, 10)
        path.lineTo(20, 20)
        path.lineTo(28, 6)
        p.setPen(
            QPen(
                ACCENT,
                2.6,
                Qt.PenStyle.SolidLine,
                Qt.PenCapStyle.RoundCap,
                Qt.PenJoinStyle.RoundJoin,
            )
        )
        p.drawPath(path)
        p.setBrush(INK)
        p.setPen(Qt.PenStyle.NoPen)
        for x, y in ((4, 24), (12, 10), (20, 20), (28, 6)):
            p.drawEllipse(QPointF(x, y), 2.6, 2.6)

    return _icon(draw)


def measure_area() -> QIcon:
    def draw(p: QPainter) -> None:
        poly = QPolygonF([QPointF(5, 22), QPointF(11, 6), QPointF(26, 9), QPointF(27, 25)])
        p.setBrush(QColor(31, 120, 180, 70))
        p.setPen(QPen(ACCENT, 2.4))
        p.drawPolygon(poly)
        p.setBrush(INK)
        p.setPen(Qt.PenStyle.NoPen)
        for pt in poly:
            p.drawEllipse(pt, 2.4, 2.4)

    return _icon(draw)


def table() -> QIcon:
    def draw(p: QPainter) -> None:
        p.drawRect(QRectF(4, 6, 24, 20))
        p.setPen(QPen(INK, 1.4))
        for y in (12, 17, 22):
            p.drawLine(QPointF(4, y), QPointF(28, y))
        p.drawLine(QPointF(12, 6), QPointF(12, 26))
        p.fillRect(QRectF(5, 7, 22, 4.5), ACCENT)

    return _icon(draw)


def add_layer() -> QIcon:
    def draw(p: QPainter) -> None:
        p.setBrush(QColor("#e8eef4"))
        for dy in (8, 0):
            p.drawPolygon(
                QPolygonF(
                    [
                        QPointF(3, 18 - dy),
                        QPointF(14, 12 - dy),
                        QPointF(25, 18 - dy),
                        QPointF(14, 24 - dy),
                    ]
                )
            )
        p.setPen(QPen(QColor("#2e8b57"), 3, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        p.drawLine(QPointF(25, 21), QPointF(25, 30))
        p.drawLine(QPointF(20.5, 25.5), QPointF(29.5, 25.5))

    return _icon(draw)


# --- editing (desktop/edit_actions.py) ------------------------------------------------------
EDIT_RED = QColor("#d6004c")
ADD_GREEN = QColor("#2e8b57")
SHAPE_FILL = QColor(214, 0, 76, 55)


def _plus(p: QPainter) -> None:
    """The green plus of 'add', bottom right, as on the add-layer icon."""
    p.setPen(QPen(ADD_GREEN, 3, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    p.drawLine(QPointF(25, 20), QPointF(25, 30))
    p.drawLine(QPointF(20, 25), QPointF(30, 25))


def _edited_shape(
    p: QPainter, points: list[tuple[float, float]], outline: QColor = INK, width: float = 2.0
) -> None:
    """A polygon being edited: the translucent red fill, a plain `outline` pen."""
    p.setBrush(SHAPE_FILL)
    p.setPen(QPen(outline, width))
    p.drawPolygon(QPolygonF([QPointF(x, y) for x, y in points]))


def _vertices(
    p: QPainter, points: list[tuple[float, float]], square: bool = False, fill: QColor = EDIT_RED
) -> None:
    p.setPen(QPen(QColor("white"), 1))
    p.setBrush(fill)
    for x, y in points:
        if square:
            p.drawRect(QRectF(x - 3, y - 3, 6, 6))
        else:
            p.drawEllipse(QPointF(x, y), 3, 3)


def _pin(p: QPainter, x: float, top: float, tip: float, half_width: float, hole: float) -> None:
    """A red map pin pointing at (x, tip), its round head reaching up to `top`, with a white
    hole of radius `hole`."""
    knee = tip - (tip - top) * 10 / 21  # where the head's sides turn in towards the point
    p.setPen(QPen(INK, 1.6))
    p.setBrush(EDIT_RED)
    pin = QPainterPath(QPointF(x, tip))
    pin.cubicTo(QPointF(x - half_width, knee), QPointF(x - half_width, top), QPointF(x, top))
    pin.cubicTo(QPointF(x + half_width, top), QPointF(x + half_width, knee), QPointF(x, tip))
    p.drawPath(pin)
    p.setBrush(QColor("white"))
    p.drawEllipse(QPointF(x, top + (tip - top) / 3), hole, hole)


def pencil() -> QIcon:
    """Toggle editing."""

    def draw(p: QPainter) -> None:
        p.setPen(QPen(INK, 1.8, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        p.setBrush(QColor("#f2c200"))
        p.drawPolygon(QPolygonF([QPointF(21, 5), QPointF(27, 11), QPointF(12, 26), QPointF(6, 20)]))
        p.setBrush(QColor("#f3dcb2"))
        p.drawPolygon(QPolygonF([QPointF(6, 20), QPointF(12, 26), QPointF(4, 28)]))
        p.setBrush(INK)
        p.drawPolygon(QPolygonF([QPointF(4.6, 25.5), QPointF(6.5, 27.4), QPointF(4, 28)]))
        p.drawLine(QPointF(18, 8), QPointF(24, 14))

    return _icon(draw)


ADD_SHAPES = {
    "point": [(12, 13)],
    "line": [(4, 22), (10, 9), (18, 15), (25, 5)],
    "polygon": [(4, 21), (9, 5), (23, 8), (19, 20)],
}


def add_feature(kind: str) -> QIcon:
    """Add point / line / polygon: the shape drawn so far and a green plus."""
    points = ADD_SHAPES.get(kind, ADD_SHAPES["polygon"])

    def draw(p: QPainter) -> None:
        if kind == "point":
            _pin(p, x=12, top=5, tip=26, half_width=8, hole=3)
        else:
            polygon = QPolygonF([QPointF(x, y) for x, y in points])
            if kind == "polygon":
                p.setBrush(SHAPE_FILL)
                p.drawPolygon(polygon)
            else:
                p.drawPolyline(polygon)
            _vertices(p, points)
        _plus(p)

    return _icon(draw)


def add_by_coordinates() -> QIcon:
    """Add a point by typed coordinates: a pin under 'XY'."""

    def draw(p: QPainter) -> None:
        font = p.font()
        font.setPixelSize(12)
        font.setBold(True)
        p.setFont(font)
        p.setPen(ACCENT)
        p.drawText(QRectF(12, 0, 20, 14), Qt.AlignmentFlag.AlignCenter, "XY")
        _pin(p, x=9, top=11, tip=30, half_width=7, hole=2.5)

    return _icon(draw)


def move_feature() -> QIcon:
    """Move feature: a shape between four arrowheads."""

    def draw(p: QPainter) -> None:
        _edited_shape(p, [(11, 11), (21, 12), (20, 21), (12, 20)], outline=EDIT_RED)
        p.setPen(QPen(INK, 2.2, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        p.setBrush(INK)
        _four_arrowheads(p, reach=15, back=5, spread=4, closed=True)

    return _icon(draw)


def vertex_tool() -> QIcon:
    """Vertex tool: an outline with square handles, one being dragged."""

    def draw(p: QPainter) -> None:
        points = [(5, 24), (8, 6), (26, 9), (22, 26)]
        p.drawPolygon(QPolygonF([QPointF(x, y) for x, y in points]))
        _vertices(p, points[:3] + [(15, 25)], square=True, fill=ACCENT)
        p.setBrush(EDIT_RED)
        p.drawRect(QRectF(22 - 4, 26 - 4, 8, 8))

    return _icon(draw)


def split_polygons() -> QIcon:
    """Split: two halves of a polygon apart along a red cut."""

    def draw(p: QPainter) -> None:
        _edited_shape(p, [(3, 6), (15, 6), (9, 27), (3, 27)])
        _edited_shape(p, [(19, 5), (29, 5), (29, 26), (13, 26)])
        p.setPen(QPen(EDIT_RED, 2.4, Qt.PenStyle.DashLine, Qt.PenCapStyle.FlatCap))
        p.drawLine(QPointF(18, 1), QPointF(10, 31))

    return _icon(draw)


def merge_polygons() -> QIcon:
    """Merge: two polygons under one outline, their shared edge dashed."""

    def draw(p: QPainter) -> None:
        _edited_shape(p, [(3, 8), (16, 5), (29, 9), (27, 26), (4, 25)], width=2.2)
        p.setPen(QPen(INK, 1.4, Qt.PenStyle.DashLine))
        p.drawLine(QPointF(16, 5), QPointF(15, 25.5))

    return _icon(draw)


def delete_features() -> QIcon:
    """Delete selected: a bin."""

    def draw(p: QPainter) -> None:
        p.setPen(QPen(INK, 2, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        p.drawLine(QPointF(6, 8), QPointF(26, 8))
        p.drawLine(QPointF(13, 8), QPointF(13, 5))
        p.drawLine(QPointF(13, 5), QPointF(19, 5))
        p.drawLine(QPointF(19, 5), QPointF(19, 8))
        p.setBrush(QColor("#f4d6de"))
        p.setPen(QPen(EDIT_RED, 2, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        p.drawPolygon(
            QPolygonF([QPointF(8, 11), QPointF(24, 11), QPointF(22, 28), QPointF(10, 28)])
        )
        for x in (13, 16, 19):
            p.drawLine(QPointF(x, 15), QPointF(x, 24))

    return _icon(draw)


def snapping() -> QIcon:
    """Snapping: a magnet over a vertex."""

    def draw(p: QPainter) -> None:
        magnet = QPainterPath(QPointF(6, 4))
        magnet.lineTo(6, 14)
        magnet.arcTo(QRectF(6, 6, 20, 18), 180, 180)
        magnet.lineTo(26, 4)
        p.setPen(QPen(EDIT_RED, 5.5, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawPath(magnet)
        p.setPen(QPen(QColor("#c9d1d9"), 5.6, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap))
        p.drawLine(QPointF(6, 3), QPointF(6, 8))
        p.drawLine(QPointF(26, 3), QPointF(26, 8))
        _vertices(p, [(16, 28)], square=True)

    return _icon(draw)
