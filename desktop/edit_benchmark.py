"""Following the mouse while editing the national project (issue 18): process time per mouse
move on the real canvas (offscreen), for the add tool with snapping over every visible layer
and for the vertex tool over the 1,100 municipalities, at three scales.

    python -m benchmarks.bench_editing [--moves 200] [--profile]
    (benchmarks/ never imports Qt: it runs this module in its own interpreter, offscreen)

Each move is one QMouseEvent sent to the canvas plus the repaint it asks for, timed with
time.process_time (this machine is shared: wall time is noise). The first move of a layer
builds its search tree; it is reported apart. Figures: docs/editing.md ("Costs").
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
NATIONAL = ROOT / "benchmarks" / "data" / "national" / "national.hatlas.json"
SCALES = (50_000, 250_000, 1_000_000)


def _copy(project: Path, folder: Path) -> Path:
    """The project file in `folder`, its layers' paths made absolute: the drawing's edit
    journal then goes there, never beside the benchmark's data."""
    data = json.loads(project.read_text(encoding="utf-8"))
    for entry in data["layers"]:
        source = entry.get("source") or {}
        if source.get("path"):
            source["path"] = str((project.parent / source["path"]).resolve())
    copy = folder / project.name
    copy.write_text(json.dumps(data), encoding="utf-8")
    return copy


def _moves(app, canvas, points, buttons) -> list[float]:
    from PySide6.QtCore import QEvent, QPointF, Qt
    from PySide6.QtGui import QMouseEvent

    costs = []
    for x, y in points:
        at = QPointF(x, y)
        event = QMouseEvent(
            QEvent.Type.MouseMove,
            at,
            canvas.mapToGlobal(at),
            Qt.MouseButton.NoButton,
            buttons,
            Qt.KeyboardModifier.NoModifier,
        )
        began = time.process_time()
        app.sendEvent(canvas, event)
        canvas.repaint()  # what the tool paints over the map image, drawn now
        costs.append((time.process_time() - began) * 1000)
    return costs


def _path(canvas, n: int) -> list[tuple[float, float]]:
    """A wandering path over the middle of the canvas, as a hand draws."""
    import numpy as np

    rng = np.random.default_rng(18)
    w, h = canvas.width(), canvas.height()
    steps = rng.normal(0, 6, size=(n, 2)).cumsum(axis=0)
    xs = np.clip(w / 2 + steps[:, 0], 5, w - 5)
    ys = np.clip(h / 2 + steps[:, 1], 5, h - 5)
    return list(zip(xs.tolist(), ys.tolist(), strict=True))


def _report(label: str, costs: list[float]) -> None:
    first, rest = costs[0], sorted(costs[1:])
    p95 = rest[int(0.95 * (len(rest) - 1))]
    print(
        f"{label:<44} first {first:7.1f} ms   mean {statistics.mean(rest):6.2f} ms   "
        f"p95 {p95:6.2f} ms   max {rest[-1]:6.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=200)
    parser.add_argument("--project", default=str(NATIONAL))
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtWidgets import QApplication

    from desktop.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    tmp = Path(tempfile.mkdtemp(prefix="bench-editing-"))
    settings = QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, recovery_dir=tmp / "recovery", autosave_seconds=3600)
    window.resize(1500, 950)
    window.show()
    worker = window.open_project(_copy(Path(args.project), tmp), ask=False)
    while not (worker.done and not window.tasks.active):
        app.processEvents()
        time.sleep(0.01)
    assert worker.ok, worker.error
    canvas = window.canvas
    layers = window.project.layers.vectors()
    print(f"{len(layers)} vector layers, {sum(len(la.data) for la in layers):,} features")

    import numpy as np

    municipalities = window.project.layers["Municipios (ADM2)"]
    # Where events are densest (5 km cells): where an analyst draws a target area.
    events = window.project.layers["Eventos de violencia (ACLED)"].to_metric(canvas.crs)
    ex, ey = events.geometry.x.to_numpy(), events.geometry.y.to_numpy()
    counts, xe, ye = np.histogram2d(
        ex,
        ey,
        bins=[np.arange(ex.min(), ex.max() + 5000, 5000)] * 1
        + [np.arange(ey.min(), ey.max() + 5000, 5000)],
    )
    i, j = np.unravel_index(int(np.argmax(counts)), counts.shape)
    cx, cy = xe[i] + 2500, ye[j] + 2500
    drawn = window.edits.new_layer("Área objetivo", "polygon", "eradication", ask=False)
    assert drawn is not None
    if args.profile:
        import cProfile

        profile = cProfile.Profile()
        profile.enable()
    for scale in SCALES:
        canvas.set_extent((cx - 1000, cy - 1000, cx + 1000, cy + 1000))
        canvas.set_scale_denominator(scale)
        canvas.redraw_now()
        window.action("tool_pan").trigger()
        path = _path(canvas, args.moves)
        _report(
            f"no editing tool (pan), 1:{scale:,}",
            _moves(app, canvas, path, Qt.MouseButton.NoButton),
        )
        window.state.set_current_layer(drawn)
        window.action("edit_add").trigger()
        _report(
            f"add polygon, snapping on, 1:{scale:,}",
            _moves(app, canvas, path, Qt.MouseButton.NoButton),
        )
        window.edits.set_editing(municipalities, True)
        window.state.set_current_layer(municipalities)
        window.action("edit_vertex").trigger()
        _report(
            f"vertex tool hover, 1:{scale:,}", _moves(app, canvas, path, Qt.MouseButton.NoButton)
        )
        window.edits.tool.chosen, window.edits.tool.dragging = None, False
    if args.profile:
        profile.disable()
        import pstats

        pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
    window.undo_stack.setClean()
    window._dirty = False


if __name__ == "__main__":
    main()
