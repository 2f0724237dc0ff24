"""`python main.py compare`: two regions or periods side by side, one legend, one table."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from layers.i18n import tr, tr_noop

# English (tr_noop): main.py shows it through tr, in the language active when --help runs.
HELP = tr_noop(
    "Compare two regions or periods: two maps with one shared legend, the indicators of both "
    "sides with difference and percent change, and small trends. "
    "REGION is a P-code or 'all', optionally followed by :YEAR, :FIRST-LAST or :DATE..DATE."
)
FORMATS = (".png", ".pdf", ".svg")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--project", help=tr("Project file (.hatlas.json); default: the sample project.")
    )
    parser.add_argument(
        "--left", required=True, help=tr("Left side, e.g. XA01:2016-2020 (a P-code) or all:2019.")
    )
    parser.add_argument("--right", required=True, help=tr("Right side, e.g. XA02:2016-2020."))
    parser.add_argument(
        "--indicator",
        help=tr(
            "Indicator column mapped on both sides, e.g. violent_events_per_100k or harm_index "
            "(default: the first harm indicator with data)."
        ),
    )
    parser.add_argument("--title", help=tr("Title over the figure."))
    parser.add_argument("--dpi", type=int, default=200, help=tr("Resolution of PNG output."))
    parser.add_argument("--out", required=True, help=tr("Output file: .png, .pdf or .svg."))


def run(args: argparse.Namespace) -> int:
    from cartography.command_errors import run_export
    from cartography.compare import Side, compare_figure
    from cartography.export import save_figure
    from cartography.export_command import load_project

    out = Path(args.out)
    if out.suffix.lower() not in FORMATS:
        print(
            tr("Cannot write {s!r}: use one of {f}.").format(s=out.suffix, f=", ".join(FORMATS)),
            file=sys.stderr,
        )
        return 2
    try:
        left, right = Side.parse(args.left), Side.parse(args.right)
    except ValueError as exc:
        print(tr("Bad side: {e}").format(e=exc), file=sys.stderr)
        return 2
    project = load_project(args.project)
    if project is None:
        return 2

    def draw_and_save() -> None:
        fig = compare_figure(
            project, left, right, args.indicator, title=args.title, dpi=args.dpi
        )  # rasters painted at the print's resolution
        # The one atomic writer: a failed save never leaves half a file at `out`.
        save_figure(fig, out, args.dpi, args.title or tr("Harm Atlas comparison"))

    code, _ = run_export(draw_and_save, out, user_errors=(ValueError,))
    if code:
        return code
    print(tr("Wrote {p}").format(p=out))
    return 0
