"""`python main.py analyze ID ...`: every registered analysis, its flags made from its declaration.

Exit codes: 0 done, 2 a user error (one line on stderr saying what to do), 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import sys
import textwrap
import time
import types
from datetime import date, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from analysis.base import (
    REGISTRY,
    Algorithm,
    AnalysisResult,
    Canceled,
    Feedback,
    Parameter,
    load_all,
)
from analysis.inputs import InputError, load_project, resolve_params
from layers.crs import WGS84
from layers.errors import LayerLoadError, ProjectError
from layers.i18n import tr

HELP = tr("Run an analysis headless (count, displacement, environment, ...); --list shows all.")

OUT_FORMATS = (".gpkg", ".geojson", ".json", ".csv")
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


class _OneLineParser(argparse.ArgumentParser):
    """Argparse errors as one line naming the analysis and pointing at --help."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")

    def parse_known_args(self, args=None, namespace=None):  # type: ignore[override]
        # Report unknown flags here, in one line, rather than via the parent's usage dump.
        parsed, extras = super().parse_known_args(args, namespace)
        if extras:
            self.error(tr("unrecognized arguments: {a}").format(a=" ".join(extras)))
        return parsed, extras


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.error = types.MethodType(_OneLineParser.error, parser)  # e.g. an unknown ID
    parser.add_argument("--list", action="store_true", help=tr("List the analyses and exit."))
    subs = parser.add_subparsers(dest="analysis", metavar="ID", parser_class=_OneLineParser)
    for algorithm in _algorithms_needed().values():
        sub = subs.add_parser(
            algorithm.id,
            help=algorithm.title,
            description=textwrap.fill(f"{algorithm.title}. {algorithm.help}", 88),
            epilog=_method_notes(algorithm),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        add_algorithm_arguments(sub, algorithm)
        sub.set_defaults(_algorithm=algorithm)


def _algorithms_needed() -> dict[str, Algorithm]:
    """Every analysis, or only ID's for `analyze ID ...` (the others' imports cost start-up)."""
    argv = sys.argv[1:]
    if "analyze" in argv:
        rest = argv[argv.index("analyze") + 1 :]
        if rest and not rest[0].startswith("-") and rest[0].isidentifier():
            try:
                importlib.import_module(f"analysis.{rest[0]}")
            except ModuleNotFoundError as exc:
                if exc.name != f"analysis.{rest[0]}":
                    raise
            if rest[0] in REGISTRY:
                return {rest[0]: REGISTRY[rest[0]]}
    return load_all()


def _method_notes(algorithm: Algorithm) -> str | None:
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
            ".json (the summary)."
        ),
    )
    common.add_argument("--json", action="store_true", help=tr("Print the summary as JSON."))
    common.add_argument("--quiet", action="store_true", help=tr("No progress bar on stderr."))


def _argument_options(p: Parameter) -> dict[str, Any]:
    help_text = p.help
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
    return options


def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except BrokenPipeError:  # `... | head` closed stdout early: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _run(args: argparse.Namespace) -> int:
    if getattr(args, "list", False) or not getattr(args, "analysis", None):
        return _list()
    algorithm: Algorithm = args._algorithm
    raw = {
        p.name: getattr(args, f"param_{p.name}")
        for p in algorithm.parameters
        if getattr(args, f"param_{p.name}", None) not in (None, False)
    }
    bar = None if args.quiet else ProgressBar()
    feedback = Feedback(bar.update if bar else None)
    try:
        if args.out and Path(args.out).suffix.lower() not in OUT_FORMATS:
            raise InputError(
                tr("--out {p}: write to {fmts}.").format(p=args.out, fmts=", ".join(OUT_FORMATS))
            )
        project = load_project(args.project)
        params = resolve_params(algorithm, raw, project)
        result = algorithm.run(params, feedback)
        if bar:
            bar.finish()
        written = write_result(result, args.out) if args.out else []
    except (InputError, LayerLoadError, ProjectError) as exc:
        if bar:
            bar.finish(clear=True)
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except (Canceled, KeyboardInterrupt):
        if bar:
            bar.finish(clear=True)
        print(tr("Canceled."), file=sys.stderr)
        return 130
    if args.json:
        print(json.dumps(to_json(summary_payload(result)), indent=2, ensure_ascii=False))
    else:
        print(format_summary(algorithm, result))
    for path in written:
        print(tr("Wrote {p}").format(p=path), file=sys.stderr)
    return 0


def summary_payload(result: AnalysisResult) -> dict:
    payload = dict(result.summary)
    if result.notes:
        payload.setdefault("notes", result.notes)
    return payload


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def _list() -> int:
    algorithms = load_all()
    width = max(len(a) for a in algorithms) if algorithms else 0
    for algorithm_id in sorted(algorithms):
        print(f"{algorithm_id.ljust(width)}  {algorithms[algorithm_id].title}")
    print(tr("Run `python main.py analyze ID --help` for an analysis's options."))
    return 0


# --- output -------------------------------------------------------------------------------
def write_result(result: AnalysisResult, out: str) -> list[Path]:
    """Write the result layers (or table) where the user asked; returns the files written."""
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    suffix = target.suffix.lower()
    if suffix == ".json":  # the summary, as --json prints it
        target.write_text(
            json.dumps(to_json(summary_payload(result)), indent=2, ensure_ascii=False)
        )
        return [target]
    if suffix == ".csv":
        frame = result.table
        if frame is None:
            if not result.layers:
                raise InputError(tr("This analysis has no table or layer to write as CSV."))
            layer = next(iter(result.layers.values()))
            frame = pd.DataFrame(layer.drop(columns=layer.geometry.name))
        frame.to_csv(target, index=False)
        return [target]
    if not result.layers:
        raise InputError(tr("This analysis gives no layer; write its table with --out FILE.csv."))
    if suffix == ".gpkg":
        if target.exists():
            target.unlink()  # a rerun replaces the file instead of appending stale layers
        for name, gdf in result.layers.items():
            _writable(gdf).to_file(target, layer=name, driver="GPKG", engine="pyogrio")
        if result.table is not None:
            table = gpd.GeoDataFrame(result.table.copy(), geometry=[None] * len(result.table))
            _writable(table).to_file(target, layer="table", driver="GPKG", engine="pyogrio")
        return [target]
    # GeoJSON holds one layer: the first goes to FILE, any others beside it as FILE_<name>.
    written = []
    for i, (name, gdf) in enumerate(result.layers.items()):
        path = target if i == 0 else target.with_name(f"{target.stem}_{name}{target.suffix}")
        if path.exists():
            path.unlink()
        data = _writable(gdf)
        if data.crs is not None:
            data = data.to_crs(WGS84)  # RFC 7946: GeoJSON is lon/lat
        data.to_file(path, driver="GeoJSON", engine="pyogrio")
        written.append(path)
    return written


def _writable(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Columns GDAL can store: text names, lists and dicts as JSON text."""
    out = gdf.copy()
    out.columns = [str(c) for c in out.columns]
    for col in out.columns:
        if col == out.geometry.name:
            continue
        if out[col].dtype == object:
            sample = out[col].dropna()
            if len(sample) and isinstance(sample.iloc[0], list | dict | tuple | set):
                out[col] = out[col].map(lambda v: json.dumps(to_json(v)) if v is not None else None)
    return out


def to_json(value: Any) -> Any:
    """JSON-able copy: NaN/inf/None -> null, numpy scalars -> Python, dates -> ISO text."""
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | np.ndarray):
        return [to_json(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, datetime | date | pd.Timestamp):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | str):
        return value
    if value is pd.NA or value is pd.NaT:
        return None
    return str(value)


def format_summary(algorithm: Algorithm, result: AnalysisResult) -> str:
    lines = [algorithm.title]
    for key, value in to_json(result.summary).items():
        if _is_rows(value):
            lines.append(f"  {key}:")
            lines += [f"    {row}" for row in text_table(value)]
            continue
        if isinstance(value, dict | list):
            value = json.dumps(value, ensure_ascii=False)
        lines.append(f"  {key}: {'n/a' if value is None else value}")
    lines += [f"  note: {n}" for n in result.notes]
    return "\n".join(lines)


def _is_rows(value: Any) -> bool:
    return isinstance(value, list) and len(value) > 1 and all(isinstance(v, dict) for v in value)


def text_table(rows: list[dict], max_columns: int = 9, width: int = 28) -> list[str]:
    """Rows of dicts as aligned text lines (the first columns, long text cut), for humans."""
    columns = [c for c in rows[0] if not isinstance(rows[0][c], dict | list)][:max_columns]

    def cell(v: Any) -> str:
        if v is None:
            return "n/a"
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
