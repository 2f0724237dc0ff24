"""`python main.py compare`: two regions or periods side by side, one legend, one table."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from layers.i18n import tr

HELP = tr(
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
    from cartography.compare import Side, compare_figure
    from layers.errors import ProjectError
    from layers.project import Project

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
    if args.project:
        project_path = Path(args.project)
    else:
        from sample_maps import SAMPLE_PROJECT

        project_path = SAMPLE_PROJECT
    try:
        project = Project.load(project_path)
    except ProjectError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    for err in project.load_errors:
        text = err.one_line() if hasattr(err, "one_line") else str(err)
        print(tr("Warning: {e}").format(e=text), file=sys.stderr)
    try:
        fig = compare_figure(project, left, right, args.indicator, title=args.title)
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        save_figure(fig, out, args.dpi)
    except OSError as exc:
        print(
            tr("Could not write {p}: {e}. Choose another folder.").format(p=out, e=exc),
            file=sys.stderr,
        )
        return 1
    print(tr("Wrote {p}").format(p=out))
    return 0


def save_figure(fig, out: Path, dpi: int = 200) -> None:
    """Save with editable text in PDF/SVG (fonts embedded as TrueType, text kept as text)."""
    from matplotlib import rc_context

    with rc_context({"pdf.fonttype": 42, "svg.fonttype": "none"}):
        fig.savefig(out, dpi=dpi, metadata=_metadata(out))


def _metadata(out: Path) -> dict:
    if out.suffix.lower() == ".pdf":
        return {"Title": tr("Harm Atlas comparison"), "Creator": "Harm Atlas"}
    if out.suffix.lower() == ".png":
        return {"Software": "Harm Atlas"}
    return {}
