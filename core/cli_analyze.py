"""`python main.py analyze ID ...`: a thin front end over the core runner: parse the flags
(made from each analysis's declaration, analysis/command.py), open the project in an AppState,
run the analysis by id, write the outputs through the one writer.

Exit codes: 0 done, 2 a user error (one line on stderr saying what to do), 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
import types
from collections.abc import Callable

from analysis.base import Algorithm, AnalysisResult, Feedback
from analysis.command import add_algorithm_arguments, format_summary, method_notes
from analysis.inputs import InputError
from analysis.outputs import check_format, check_not_protected, summary_payload, to_json
from core.cli_run import run_with_progress, survive_closed_pipe
from core.registry import NotRegistered, analyses, analysis
from core.runner import protected_paths, run_analysis, write_outputs
from core.state import AppState
from layers.errors import LayerLoadError, ProjectError
from layers.i18n import tr, tr_noop
from layers.timefilter import PeriodError

# English (tr_noop): main.py shows it through tr, in the language active when --help runs.
HELP = tr_noop(
    "Run an analysis headless (count, displacement, environment, ...); --list shows all."
)


def _shown(text: str) -> str:
    """An analysis's declared title or help in the active language (tr where shown; tr('')
    would return the catalogue's header)."""
    return tr(text) if text else ""


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
        title = _shown(algorithm.title) or algorithm.id
        sub = subs.add_parser(
            algorithm.id,
            help=title,
            description=textwrap.fill(f"{title}. {_shown(algorithm.help)}", 88),
            epilog=method_notes(algorithm),
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
                return {rest[0]: analysis(rest[0])}
            except NotRegistered:
                pass  # argparse names the known IDs
    return analyses()


@survive_closed_pipe
def run(args: argparse.Namespace) -> int:
    if getattr(args, "list", False) or not getattr(args, "analysis", None):
        return _list()
    algorithm: Algorithm = args._algorithm
    raw = {
        p.name: getattr(args, f"param_{p.name}")
        for p in algorithm.parameters
        if getattr(args, f"param_{p.name}", None) not in (None, False)
    }

    def work(feedback: Feedback) -> tuple[AnalysisResult, list]:
        state = AppState()
        if args.out:
            check_format(args.out, "--out")
            if os.path.isdir(args.out):  # said before the run, not after minutes of work
                raise InputError(
                    tr("--out {p} is a folder: give a file name, e.g. {p}/result.gpkg.").format(
                        p=args.out.rstrip("/")
                    )
                )
        if args.project:  # only the layers this run names or finds by role
            state.open_project(args.project, wanted=layers_wanted(algorithm, raw))
        protect = protected_paths(state, algorithm.id, raw)
        if args.out:  # before the run: minutes of work must not end in a refusal
            check_not_protected([args.out], protect)
        result = run_analysis(algorithm.id, raw, state, feedback)
        return result, _write(result, args.out, protect) if args.out else []

    code, done = run_with_progress(
        args.quiet, work, (InputError, PeriodError, LayerLoadError, ProjectError)
    )
    if done is None:
        return code
    result, written = done
    if args.json:
        print(json.dumps(to_json(summary_payload(result)), indent=2, ensure_ascii=False))
    else:
        print(format_summary(algorithm, result))
    for path in written:
        print(tr("Wrote {p}").format(p=path), file=sys.stderr)
    return 0


def layers_wanted(algorithm: Algorithm, raw: dict) -> Callable[[dict], bool]:
    """Which project entries a run reads: those named in its parameters, and its roles."""
    names, roles = algorithm.layers_needed(raw)
    if "*" in roles:
        return lambda entry: True
    return lambda entry: entry.get("name") in names or entry.get("role") in roles


def _write(result, out: str, protect) -> list:
    try:
        return write_outputs(result, out, protect)
    except OSError as exc:  # a full disk or a read-only folder: the previous file is intact
        raise InputError(
            tr("Could not write {p}: {e}. Choose another folder.").format(p=out, e=exc)
        ) from None


def _list() -> int:
    algorithms = analyses()
    width = max(len(a) for a in algorithms) if algorithms else 0
    for algorithm_id in sorted(algorithms):
        print(f"{algorithm_id.ljust(width)}  {_shown(algorithms[algorithm_id].title)}")
    print(tr("Run `python main.py analyze ID --help` for an analysis's options."))
    return 0
