"""Map images rendered off the GUI thread for the canvas (desktop/canvas.py): one Agg figure,
one render at a time, newest request wins, and the warm-up of views ahead in idle time.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PySide6.QtCore import QObject, QSize, Signal
from PySide6.QtGui import QImage

from cartography.render import VIEW_READY, LegendEntry, MapRenderer, MapView, clear_map
from layers.i18n import tr
from layers.layer import Layer

log = logging.getLogger("harm_atlas.desktop")

BACKGROUND = "#fbfbf8"


@dataclass
class RenderResult:
    job: int
    extent: tuple[float, float, float, float]
    image: QImage | None = None
    legend: list[LegendEntry] = field(default_factory=list)
    milliseconds: float = 0.0
    cpu_ms: float = 0.0  # render thread's CPU time: wall time less waiting on a busy machine
    error: str = ""
    stand_in: bool = False  # some layer drawn from coarser tiles: redraw once warm


@dataclass(frozen=True)
class _Departed:
    """What MapRenderer.forget needs of a removed layer: its id, not its data (which must
    not be kept alive until the render in flight ends; desktop/memory.py)."""

    id: int


class BackgroundRenderer(QObject):
    """Renders map images with one Agg figure, on a Python thread or the caller's.

    A lock makes renders strictly one at a time (matplotlib's font caches and the
    MapRenderer's layer caches are not thread-safe); Python-created threads keep pyproj
    off Qt threads (docs/traps.md, "Pins").
    """

    done = Signal(object)
    view_ready = Signal()  # warm-up finished the last view's own zoom level

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.map_renderer = MapRenderer()
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = ThreadPoolExecutor(1, "map-render")
        self._figure: Figure | None = None
        self._agg: FigureCanvasAgg | None = None
        self._warm_generation = 0  # bumped by every render: idle work in flight then stops
        self.warm_steps_done = 0
        self._warm_active: int | None = None  # generation of the warm-up in progress
        self.longest_warm_step_ms = 0.0  # what a render may wait behind

    def reset(self, prepared: MapRenderer | None = None) -> None:
        """A new project: a fresh MapRenderer, or `prepared`, whose caches the loader built.

        Not under the lock: a render in flight (seconds at national scale) keeps the old
        renderer it already holds, and the GUI thread never waits for it.
        """
        self._warm_generation += 1
        self.map_renderer = prepared if prepared is not None else MapRenderer()

    def forget(self, layer: Layer) -> None:
        """A layer left the project: free its caches (metric copy, indexes, tiles).

        At once when the renderer is idle; else after the render in flight, on its thread,
        so removing a layer never blocks the GUI behind a long render.
        """
        self._warm_generation += 1
        renderer = self.map_renderer
        if self._lock.acquire(blocking=False):
            try:
                renderer.forget(layer)
            finally:
                self._lock.release()
        elif self._executor is not None:
            self._executor.submit(self._forget_later, renderer, _Departed(layer.id))

    def _forget_later(self, renderer: MapRenderer, layer: _Departed) -> None:
        with self._lock:
            renderer.forget(layer)  # type: ignore[arg-type] - forget() reads only .id

    def render(
        self, job: int, layers, view: MapView, selection, size: QSize, dpr: float
    ) -> RenderResult:
        start = time.perf_counter()
        result = RenderResult(job, view.extent)
        self._warm_generation += 1
        with self._lock:
            cpu = time.thread_time()
            width, height = max(1, round(size.width() * dpr)), max(1, round(size.height() * dpr))
            if self._figure is None:
                self._figure = Figure(facecolor=BACKGROUND, dpi=100)
                self._agg = FigureCanvasAgg(self._figure)
                self._figure.add_axes((0.0, 0.0, 1.0, 1.0))
            self._figure.set_size_inches(width / 100, height / 100)
            ax = self._figure.axes[0]
            clear_map(ax)
            ax.set_axis_off()
            try:
                result.legend = self.map_renderer.render(
                    ax, layers, view, selection=selection, tiles=True
                )
                result.stand_in = bool(self.map_renderer.last_stand_in)
            except Exception as exc:  # noqa: BLE001 - a bad style or layer must not kill the canvas
                log.exception("Map render failed")
                result.error = tr("The map could not be drawn: {e}").format(e=exc)
            ax.set_aspect("auto")
            ax.set_position((0.0, 0.0, 1.0, 1.0))
            ax.set_xlim(view.extent[0], view.extent[2])
            ax.set_ylim(view.extent[1], view.extent[3])
            try:
                self._agg.draw()
                buffer = np.asarray(self._agg.buffer_rgba())
                h, w = buffer.shape[:2]
                # One copy: the QImage wraps Agg's buffer, copy() detaches it before the next draw.
                image = QImage(buffer.data, w, h, w * 4, QImage.Format.Format_RGBA8888).copy()
                image.setDevicePixelRatio(dpr)
                result.image = image
            except Exception as exc:  # noqa: BLE001
                log.exception("Map drawing failed")
                result.error = tr("The map could not be drawn: {e}").format(e=exc)
            result.cpu_ms = (time.thread_time() - cpu) * 1000
        result.milliseconds = (time.perf_counter() - start) * 1000
        return result

    def warm_up(self, layers, view: MapView) -> None:
        """Idle time: ready nearby zoom levels, one short step per job, until a render comes."""
        if self._executor is None:
            return
        generation = self._warm_generation
        steps = self.map_renderer.warm_up(list(layers), view)
        self._warm_active = generation
        self._executor.submit(self._warm_step, steps, generation)

    @property
    def warming(self) -> bool:
        """Idle work queued or running (a render, which stops it, makes this False)."""
        return self._warm_active is not None and self._warm_active == self._warm_generation

    def _warm_step(self, steps, generation: int) -> None:
        with self._lock:
            if generation != self._warm_generation:
                return  # a render came (or the project changed): the user's work goes first
            began = time.perf_counter()
            try:
                said = next(steps)
            except StopIteration:
                self._warm_active = None
                return
            except Exception:  # noqa: BLE001 - idle work must never take the canvas down
                log.exception("Map warm-up failed")
                self._warm_active = None
                return
            self.warm_steps_done += 1
            step_ms = (time.perf_counter() - began) * 1000
            self.longest_warm_step_ms = max(self.longest_warm_step_ms, step_ms)
        if said == VIEW_READY:
            self.view_ready.emit()
        executor = self._executor
        if executor is not None and generation == self._warm_generation:
            try:
                executor.submit(self._warm_step, steps, generation)
            except RuntimeError:  # shut down meanwhile
                pass

    def submit(self, *args) -> bool:
        if self._executor is None:
            return False
        self._warm_generation += 1  # queued warm-up steps give way to this render
        future = self._executor.submit(self.render, *args)
        future.add_done_callback(self._deliver)
        return True

    def _deliver(self, future) -> None:
        if future.cancelled():  # shut down before it ran
            return
        try:
            self.done.emit(future.result())
        except RuntimeError:  # the canvas was deleted while rendering: nobody to tell
            pass

    def shutdown(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
