"""The compare view's drawing widgets: one side's map (pan, zoom, click), the one legend both
maps share, and the trend charts. They only draw what cartography computed
(cartography/comparison.py) through cartography/compare.py's drawing."""

from __future__ import annotations

import shapely
from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from PySide6.QtCore import QPointF, Qt, Signal

from cartography import compare as cmp
from cartography.render import MapRenderer
from cartography.text import plain
from desktop.debounce import debounce_timer
from layers.i18n import tr

BACKGROUND = "#fbfbf8"
WHEEL_STEP = 1.25


# --- one side's map -----------------------------------------------------------------------------
class CompareCanvas(FigureCanvasQTAgg):
    """A light map of one side: wheel zooms, drag pans, click selects a unit."""

    view_changed = Signal()
    unit_clicked = Signal(str, bool)  # region code, add to selection

    def __init__(self, which: int) -> None:
        self.figure = Figure(facecolor=BACKGROUND)
        super().__init__(self.figure)
        self.which = which
        self.ax = self.figure.add_axes((0.0, 0.0, 1.0, 1.0))
        self.map_renderer = MapRenderer()  # `renderer` is matplotlib's
        self.project = None
        self.comparison: cmp.Comparison | None = None
        self.home: tuple[float, float, float, float] | None = None
        self.extent: tuple[float, float, float, float] | None = None
        self.selected: tuple[str, ...] = ()
        self.raster_entries: list = []  # the raster layers' legend entries of the last draw
        self.draw_count = 0
        self._press: QPointF | None = None
        self._press_extent = None
        self._moved = False
        self._timer = debounce_timer(self, 30, self.redraw)
        self.setMinimumSize(280, 240)
        self.setCursor(Qt.CursorShape.OpenHandCursor)

    def set_comparison(self, project, comparison: cmp.Comparison, keep_view: bool = False) -> None:
        self.project, self.comparison = project, comparison
        units = comparison.units[self.which]
        minx, miny, maxx, maxy = units.total_bounds
        pad = 0.04 * max(maxx - minx, maxy - miny, 1.0)
        new_home = (minx - pad, miny - pad, maxx + pad, maxy + pad)
        if not keep_view or self.home != new_home or self.extent is None:
            self.extent = self._fit(new_home)
        self.home = new_home
        self.redraw()

    def _fit(self, extent):
        """Grow `extent` to the widget's aspect so the map is not stretched."""
        minx, miny, maxx, maxy = extent
        w, h = max(self.width(), 1), max(self.height(), 1)
        cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
        scale = max((maxx - minx) / w, (maxy - miny) / h)
        return (cx - scale * w / 2, cy - scale * h / 2, cx + scale * w / 2, cy + scale * h / 2)

    def redraw(self) -> None:
        self.ax.clear()
        self.ax.set_axis_off()
        if self.comparison is None or self.extent is None:
            self.draw_idle()
            return
        self.raster_entries = []
        cmp.draw_side(
            self.ax,
            self.project,
            self.comparison,
            self.which,
            renderer=self.map_renderer,
            extent=self.extent,
            selected_codes=self.selected,
            legend=self.raster_entries,
        )
        self.ax.set_xlim(self.extent[0], self.extent[2])
        self.ax.set_ylim(self.extent[1], self.extent[3])
        self.ax.set_aspect("auto")
        self.ax.set_axis_off()
        self.draw_count += 1
        self.draw_idle()

    # --- view ----------------------------------------------------------------------------
    def set_extent(self, extent, emit: bool = True) -> None:
        self.extent = tuple(float(v) for v in extent)
        self._timer.start()
        if emit:
            self.view_changed.emit()

    def relative_view(self) -> tuple[float, float, float]:
        """Centre (as a fraction of the home extent) and zoom, for linking different regions."""
        hx0, hy0, hx1, hy1 = self.home
        x0, y0, x1, y1 = self.extent
        return (
            ((x0 + x1) / 2 - hx0) / (hx1 - hx0),
            ((y0 + y1) / 2 - hy0) / (hy1 - hy0),
            (x1 - x0) / (hx1 - hx0),
        )

    def apply_relative_view(self, fx: float, fy: float, zoom: float) -> None:
        if self.home is None or self.extent is None:
            return
        hx0, hy0, hx1, hy1 = self.home
        x0, y0, x1, y1 = self.extent
        width = zoom * (hx1 - hx0)
        height = width * (y1 - y0) / max(x1 - x0, 1e-9)
        cx, cy = hx0 + fx * (hx1 - hx0), hy0 + fy * (hy1 - hy0)
        self.set_extent((cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2), False)

    def zoom_by(self, factor: float, anchor: tuple[float, float] | None = None) -> None:
        x0, y0, x1, y1 = self.extent
        ax_, ay_ = anchor or ((x0 + x1) / 2, (y0 + y1) / 2)
        self.set_extent(
            (
                ax_ - (ax_ - x0) / factor,
                ay_ - (ay_ - y0) / factor,
                ax_ + (x1 - ax_) / factor,
                ay_ + (y1 - ay_) / factor,
            )
        )

    def pan_by(self, dx: float, dy: float) -> None:
        x0, y0, x1, y1 = self.extent
        self.set_extent((x0 + dx, y0 + dy, x1 + dx, y1 + dy))

    def zoom_home(self) -> None:
        if self.home is not None:
            self.set_extent(self._fit(self.home))

    def to_map(self, pos: QPointF) -> tuple[float, float]:
        x0, y0, x1, y1 = self.extent
        return (
            x0 + pos.x() / max(self.width(), 1) * (x1 - x0),
            y1 - pos.y() / max(self.height(), 1) * (y1 - y0),
        )

    def unit_at(self, x: float, y: float) -> str | None:
        if self.comparison is None:
            return None
        units = self.comparison.units[self.which]
        hits = units.sindex.query(shapely.Point(x, y), predicate="intersects")
        return str(units["code"].iloc[int(hits[0])]) if len(hits) else None

    def set_selected(self, codes) -> None:
        codes = tuple(codes)
        if codes != self.selected:
            self.selected = codes
            self._timer.start()

    # --- mouse -----------------------------------------------------------------------------
    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.MouseButton.LeftButton and self.extent is not None:
            self._press, self._press_extent, self._moved = event.position(), self.extent, False
            self.setCursor(Qt.CursorShape.ClosedHandCursor)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self._press is None:
            return
        delta = event.position() - self._press
        if abs(delta.x()) + abs(delta.y()) < 3 and not self._moved:
            return
        self._moved = True
        x0, y0, x1, y1 = self._press_extent
        sx = (x1 - x0) / max(self.width(), 1)
        sy = (y1 - y0) / max(self.height(), 1)
        dx, dy = -delta.x() * sx, delta.y() * sy
        self.set_extent((x0 + dx, y0 + dy, x1 + dx, y1 + dy))

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self._press is None:
            return
        self._press = None
        self.setCursor(Qt.CursorShape.OpenHandCursor)
        if not self._moved:
            code = self.unit_at(*self.to_map(event.position()))
            add = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
            self.unit_clicked.emit(code or "", add)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.zoom_by(2.0, self.to_map(event.position()))

    def wheelEvent(self, event) -> None:  # noqa: N802 - Qt override
        steps = event.angleDelta().y() / 120.0
        if steps and self.extent is not None:
            self.zoom_by(WHEEL_STEP**steps, self.to_map(event.position()))

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if self.extent is not None:
            self.extent = self._fit(self.extent)
            self._timer.start()


# --- the shared legend ---------------------------------------------------------------------------
class LegendCanvas(FigureCanvasQTAgg):
    """The ONE legend both maps use."""

    def __init__(self) -> None:
        self.figure = Figure(figsize=(2.0, 2.4), facecolor=BACKGROUND)
        super().__init__(self.figure)
        self.setMinimumWidth(170)
        self.setMaximumWidth(240)

    def show_classes(
        self, comparison: cmp.Comparison | None, rasters=(), alpha: float = 1.0
    ) -> None:
        """The shared classes, then the raster layers' ramps (`rasters`: LegendEntry)."""
        self.figure.clear()
        if comparison is not None:
            handles = cmp.legend_handles(comparison.classification, rasters, alpha)
            self.figure.legend(
                handles,
                cmp.legend_labels(handles),
                handler_map=cmp.LEGEND_HANDLERS,
                title=plain(cmp.wrap(comparison.indicator_label, 22)),
                loc="center",
                frameon=False,
                fontsize=8,
                title_fontsize=8.5,
            )
            self.figure.text(
                0.5,
                0.03,
                tr("Same colour, same value\non both maps"),
                ha="center",
                fontsize=7,
                color="#555555",
            )
        self.draw_idle()


class TrendCanvas(FigureCanvasQTAgg):
    """Small trend chart per side of the mapped indicator (one y axis for both), each over its
    side's own years on a fixed axis; a side with fewer than three years says so instead."""

    def __init__(self) -> None:
        self.figure = Figure(figsize=(4.5, 1.8), facecolor="white", layout="constrained")
        super().__init__(self.figure)
        self.setMinimumHeight(150)
        self.axes: list = []

    def show_trends(self, comparison: cmp.Comparison | None, names=None) -> None:
        self.figure.clear()
        self.axes = []
        if comparison is None or not comparison.trends:
            self.draw_idle()
            return
        pair = comparison.trends[comparison.indicator]
        self.axes = list(self.figure.subplots(1, 2, sharey=True))
        ranges = comparison.trend_ranges or (None, None)
        for ax, series, label, colour, span in zip(
            self.axes, pair, names or comparison.labels, cmp.SIDE_COLOURS, ranges, strict=True
        ):
            if len(series) >= cmp.MIN_TREND_YEARS:
                ax.plot(series.index, series.to_numpy(), marker="o", ms=3, color=colour)
            ax.set_title(plain(cmp.shorten(label, 34)), fontsize=8)
            cmp.style_trend_axis(ax, [span] if span else [])
            if len(series) < cmp.MIN_TREND_YEARS:
                cmp.too_short(ax)
        if not any(ax.lines for ax in self.axes):
            self.axes[0].set_yticks([])  # shared: neither side has values to read
        # Say what the lines measure: the mapped indicator, year by year.
        self.figure.suptitle(plain(comparison.indicator_label), fontsize=8, color="#444444")
        self.draw_idle()
