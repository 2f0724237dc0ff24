"""Mouse clicks at the pixels of map coordinates on the real canvas, for the drawing tests."""

from __future__ import annotations

from pyproj import Transformer
from PySide6.QtCore import QPoint, QPointF, Qt


def map_xy(canvas, lon: float, lat: float) -> tuple[float, float]:
    """Lon/lat in the canvas's CRS (the project's metric CRS)."""
    return Transformer.from_crs(4326, canvas.crs, always_xy=True).transform(lon, lat)


def pixel(canvas, x: float, y: float) -> QPoint:
    """The widget pixel showing map point (x, y), from the canvas's own transform."""
    p = canvas.to_pixel(x, y)
    return QPoint(round(p.x()), round(p.y()))


def click(qtbot, canvas, at: QPoint, button=Qt.MouseButton.LeftButton) -> None:
    qtbot.mouseMove(canvas, at)
    qtbot.mouseClick(canvas, button, pos=at)


def clicked_map(canvas, at: QPoint) -> tuple[float, float]:
    """The map point a click at `at` lands on (what the tool adds when nothing snaps)."""
    return canvas.to_map(QPointF(at))


def draw_polygon(qtbot, window, corners: list[QPoint]) -> None:
    canvas = window.canvas
    for at in corners:
        click(qtbot, canvas, at)
    click(qtbot, canvas, corners[-1], Qt.MouseButton.RightButton)
