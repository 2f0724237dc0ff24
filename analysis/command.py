"""The `analyze` command's parts that come from each analysis's declaration: one flag per
parameter, the method notes under --help, the text summary and the progress bar.

The sub-command itself (`python main.py analyze ID ...`) is core/cli_analyze.py, a front end
over the core runner; results are written by analysis/outputs.py.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from analysis.base import Algorithm, AnalysisResult, Parameter
from analysis.outputs import to_json
from layers.i18n import tr
from layers.numbers import MISSING

_METAVARS = {
    "layer": "PATH",
    "field": "FIELD",
    "number": "N",
    "integer": "N",
    "string": "TEXT",
    "date": "YYYY-MM-DD",
    "numbers": "N,N,...",
    "path": "PATH",
    "project": "PROJECT",
}


def method_notes(algorithm: Algorithm) -> str | None:
    """The analysis module's docstring: its definitions (areas, windows, classes) in full."""
    doc = sys.modules[type(algorithm).__module__].__doc__
    return tr(doc.strip()) if doc else None


def add_algorithm_arguments(parser: argparse.ArgumentParser, algorithm: Algorithm) -> None:
    """One flag per declared parameter, then the options every analysis shares."""
    for p in algorithm.parameters:
        parser.add_argument(p.flag, dest=f"param_{p.name}", **_argument_options(p))
    common = parser.add_argument_group(tr("common options"))
    common.add_argument(
        "--project", help=tr("Project file: layer arguments may then be layer names.")
    )
    common.add_argument(
        "--out",
        metavar="FILE",
        help=tr(
            "Write the result: .gpkg (every layer), .geojson, .csv (table or attributes), "
            ".json (the summary), .tif (a grid's values, e.g. hotspots --method kde)."
        ),
    )
    common.add_argument("--json", action="store_true", help=tr("Print the summary as JSON."))
    common.add_argument("--quiet", action="store_true", help=tr("No progress bar on stderr."))


def _argument_options(p: Parameter) -> dict[str, Any]:
    help_text = tr(p.help) if p.help else ""  # declared English: tr where shown
    if p.required:
        help_text += " " + tr("Required.")
    if p.default not in (None, False, ""):
        help_text += " " + tr("Default: {d}.").format(d=p.default)
    if p.kind == "bool":
        return {"action": "store_true", "help": help_text}
    options: dict[str, Any] = {"help": help_text, "default": None}
    if p.kind == "enum":
        options["choices"] = p.choices
    else:
        options["metavar"] = _METAVARS.get(p.kind, "VALUE")
    if p.kind == "layer":
        options["help"] += " " + tr("A file (PATH or PATH::LAYER) or, with --project, a name.")
    options["help"] = options["help"].replace("%", "%%")  # argparse %-formats help ('15 %')
    return options


def format_summary(algorithm: Algorithm, result: AnalysisResult) -> str:
    lines = [tr(algorithm.title) if algorithm.title else algorithm.id]
    for key, value in to_json(result.summary).items():
        if _is_rows(value):
            lines.append(f"  {key}:")
            lines += [f"    {row}" for row in text_table(value)]
            continue
        if isinstance(value, dict | list):
            value = json.dumps(value, ensure_ascii=False)
        lines.append(f"  {key}: {MISSING if value is None else value}")
    lines += ["  " + tr("note: {n}").format(n=n) for n in result.notes]
    return "\n".join(lines)


def _is_rows(value: Any) -> bool:
    return isinstance(value, list) and len(value) > 1 and all(isinstance(v, dict) for v in value)


def text_table(rows: list[dict], max_columns: int = 9, width: int = 28) -> list[str]:
    """Rows of dicts as aligned text lines (the first columns, long text cut), for humans."""
    columns = [c for c in rows[0] if not isinstance(rows[0][c], dict | list)][:max_columns]

    def cell(v: Any) -> str:
        if v is None:
            return MISSING
        if isinstance(v, float):
            return f"{v:,.4g}" if abs(v) < 1e6 else f"{v:,.0f}"
        text = str(v)
        return text if len(text) <= width else text[: width - 1] + "…"

    table = [columns] + [[cell(r.get(c)) for c in columns] for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(columns))]
    return ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in table]


class ProgressBar:
    """A text bar on stderr, shown only once a run has lasted a second."""

    WIDTH = 30

    def __init__(self, stream=None, delay: float = 1.0) -> None:
        self.stream = stream or sys.stderr
        self.start = time.monotonic()
        self.delay = delay
        self.last = 0.0
        self.shown = False
        self._tty = bool(getattr(self.stream, "isatty", lambda: False)())

    def update(self, percent: float, message: str = "") -> None:
        now = time.monotonic()
        if now - self.start < self.delay or now - self.last < 0.2:
            return
        self.last, self.shown = now, True
        filled = int(self.WIDTH * percent / 100.0)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        line = f"[{bar}] {percent:5.1f}% {message[:40]:<40}"
        # A terminal redraws one line in place; a log file gets whole lines instead.
        self.stream.write("\r" + line if self._tty else line.rstrip() + "\n")
        self.stream.flush()

    def finish(self, clear: bool = False) -> None:
        if self.shown and self._tty:
            self.stream.write("\r" + " " * (self.WIDTH + 50) + "\r" if clear else "\n")
            self.stream.flush()
            self.shown = False
