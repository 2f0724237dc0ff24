"""The map canvas itself at scale, on a project: by default (benchmarks.bench_desktop_render)
100,000 polygons and 1,000,000 points in a 1600x1200 view.

Measures what the analyst waits for: from a pan or zoom to the new image on screen
(debounce, background render, hand-over to the GUI thread), and the longest event-loop gap
meanwhile, while a 10 ms QTimer ticks. Between gestures the user pauses for `--pause` ms
and the canvas uses the time to warm its caches (MapRenderer.warm_up).

Run: python -m benchmarks.bench_desktop_render [--pause MS] [--each]  (writes that project
and launches this; benchmarks/ stays Qt-free and desktop/ never imports benchmarks/), or on any
project: python -m desktop.render_benchmark PROJECT [--extent MINX,MINY,MAXX,MAXY] [...]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from PySide6.QtCore import QElapsedTimer, QPointF, QTimer
from PySide6.QtWidgets import QApplication

from desktop.canvas import MapCanvas
from desktop.event_wait import spin, until
from desktop.memory import settle_loaded_layers
from desktop.selection import FeatureSelection
from layers.project import Project


class Clock:
    """Latency of each gesture and the longest gap between 10 ms ticks (GUI blocked)."""

    def __init__(self, app: QApplication) -> None:
        self.app = app
        self.gaps: list[int] = []
        self.ticks = QElapsedTimer()
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(lambda: self.gaps.append(self.ticks.restart()))

    def spin(self, seconds: float) -> None:
        spin(self.app, seconds)

    def until(self, done, timeout: float = 60.0) -> float:
        return until(self.app, done, timeout, "the canvas")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("project", help="project file (.hatlas.json) to draw")
    parser.add_argument(
        "--extent", help="full view MINX,MINY,MAXX,MAXY in the project's metric CRS (default: all)"
    )
    parser.add_argument("--pause", type=float, default=1500, help="idle ms between gestures")
    parser.add_argument("--each", action="store_true", help="print every gesture")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication.instance() or QApplication([])
    project = Project.load(args.project)
    for err in project.load_errors:
        print(f"not loaded: {err.one_line()}")
    settle_loaded_layers()  # as the main window does once layers are in
    canvas = MapCanvas(project, FeatureSelection(), lambda: None)
    canvas.resize(1600, 1200)
    canvas.show()
    clock = Clock(app)
    if args.extent:
        full = tuple(float(v) for v in args.extent.split(","))
    else:
        full = project.full_extent()
    x0, y0, w, h = full[0], full[1], full[2] - full[0], full[3] - full[1]
    start = time.perf_counter()
    canvas.set_project(project)
    canvas.set_extent(full)
    clock.until(lambda: canvas.render_count >= 1 and not canvas.is_rendering)
    print(
        f"first render (cold caches)       {(time.perf_counter() - start) * 1000:5.0f} ms "
        f"({canvas.last_render_cpu_ms:.0f} ms CPU)"
    )
    warm = clock.until(lambda: not canvas.renderer.warming)
    print(f"idle warm-up after it            {warm * 1000:5.0f} ms")

    def gesture(change) -> tuple[float, int, float | None]:
        """Latency, longest GUI gap, and the render's CPU ms (None: a view drawn before)."""
        clock.spin(args.pause / 1000)  # the user looks at the map; the canvas warms up
        done, reused = canvas.render_count, canvas.views_reused
        clock.gaps.clear()
        clock.ticks.start()
        clock.timer.start()
        began = time.perf_counter()
        change()
        clock.until(lambda: canvas.render_count > done and not canvas.is_rendering)
        latency = time.perf_counter() - began
        clock.timer.stop()
        fresh = None if canvas.views_reused > reused else canvas.last_render_cpu_ms
        if args.each:
            drew = canvas.renderer.map_renderer
            how = (
                "the same view drawn before"
                if fresh is None
                else "drawn ahead"
                if drew.last_snapshot
                else "stand-in tiles"
                if drew.last_stand_in
                else "tiles"
                if drew.last_tiled
                else "vectors"
            )
            print(
                f"   {latency * 1000:4.0f} ms, of which render {canvas.last_render_ms:4.0f} ms "
                f"({canvas.last_render_cpu_ms:4.0f} ms CPU, {how})"
            )
        return latency, max(clock.gaps or [0]), fresh

    runs = {
        "pans at full-extent scale": [
            lambda dx=dx, dy=dy: canvas.pan_by_pixels(dx, dy)
            for dx, dy in ((300, 0), (-200, 150), (0, -300), (250, 250), (-350, -100))
        ],
        "wheel zooms in, then out": [
            lambda f=f: canvas.zoom_by(f, QPointF(800, 600)) for f in (1.25,) * 4 + (0.8,) * 4
        ],
        "zoom to full extent": [lambda: canvas.set_extent(full)] * 3,
    }
    worst_gap = 0
    for label, changes in runs.items():
        results = [gesture(change) for change in changes]
        ms = [latency * 1000 for latency, _, _ in results]
        rendered = [c for _, _, c in results if c is not None]
        gap = max(g for _, g, _ in results)
        worst_gap = max(worst_gap, gap)
        # CPU: the render thread's own time, about the latency on an idle machine (a shared
        # one adds waiting for a core). Views drawn before are shown again without a render.
        cpu = f"render CPU median {statistics.median(rendered):4.0f} ms" if rendered else "none"
        print(
            f"{label:<32} median {statistics.median(ms):4.0f} ms, max {max(ms):4.0f} ms to the new "
            f"image; {len(rendered)} rendered ({cpu}), {len(ms) - len(rendered)} shown again; "
            f"longest GUI gap {gap} ms"
        )
    clock.gaps.clear()
    clock.ticks.start()
    clock.timer.start()
    canvas.set_extent((x0, y0, x0 + w * 0.5, y0 + h * 0.5))  # a new level to warm
    clock.until(lambda: canvas.render_count and not canvas.is_rendering)
    clock.until(lambda: not canvas.renderer.warming)
    clock.timer.stop()
    print(f"longest GUI gap during a warm-up  {max(clock.gaps or [0]):4d} ms")
    print(f"longest warm-up step              {canvas.renderer.longest_warm_step_ms:4.0f} ms")
    canvas.shutdown()


if __name__ == "__main__":
    main()
