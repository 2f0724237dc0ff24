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
        for a, b, c in (
            ((12, 7), (16, 3), (20, 7)),
            ((12, 25), (16, 29), (20, 25)),
            ((7, 12), (3, 16), (7, 20)),
            ((25, 12), (29, 16), (25, 20)),
        ):
            p.drawPolyline(QPolygonF([QPointF(*a), QPointF(*b), QPointF(*c)]))

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
