"""`python main.py briefing`: a multi-page PDF briefing pack for decision makers."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from layers.i18n import tr, tr_noop

# English (tr_noop): main.py shows it through tr, in the language active when --help runs.
HELP = tr_noop(
    "Write a briefing pack (PDF): cover, overview map, one page per region with its map and "
    "indicators (enforcement outputs beside community outcomes), a two-region comparison "
    "and trends of violence, cultivation and eradication."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from cartography.command_errors import add_project_and_out
    from layers.timefilter import PERIOD_HELP

    add_project_and_out(parser, tr("Output PDF file."))
    parser.add_argument(
        "--regions",
        help=tr("Comma-separated P-codes, one page each (default: the most affected regions)."),
    )
    parser.add_argument("--years", help=tr(PERIOD_HELP))
    parser.add_argument("--title", help=tr("Title on the cover (default: the project title)."))
    parser.add_argument(
        "--max-regions",
        type=int,
        default=6,
        help=tr("Region pages when --regions is not given (default 6)."),
    )


def run(args: argparse.Namespace) -> int:
    from analysis.base import Feedback
    from analysis.command import ProgressBar
    from cartography.briefing import BriefingError, write_briefing
    from cartography.command_errors import run_export
    from cartography.export_command import load_project

    out = Path(args.out)
    if out.suffix.lower() != ".pdf":
        print(tr("Error: a briefing pack is a PDF: name the output *.pdf."), file=sys.stderr)
        return 2
    project = load_project(args.project)
    if project is None:
        return 2
    regions = [c.strip() for c in args.regions.split(",") if c.strip()] if args.regions else None
    bar = ProgressBar(delay=0.0)  # a pack takes seconds: show the bar at once
    feedback = Feedback(bar.update)
    code, pages = run_export(
        lambda: write_briefing(
            project,
            out,
            regions=regions,
            years=args.years,
            title=args.title,
            max_regions=args.max_regions,
            feedback=feedback,
        ),
        out,
        user_errors=(BriefingError,),
        before_message=bar.finish,
    )
    if code:
        return code
    bar.finish()
    print(tr("Wrote {p} ({n} pages)").format(p=out, n=pages))
    return 0
