"""`python main.py export`: the project's map as PNG, SVG, PDF or an offline HTML web map."""

from __future__ import annotations

import argparse
import sys

from layers.i18n import tr, tr_noop

# English (tr_noop): main.py shows it through tr, in the language active when --help runs.
HELP = tr_noop(
    "Export the project's map: a print layout (.png, .svg, .pdf) or a self-contained offline "
    "web map (.html). --region zooms to and highlights an admin region by P-code."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from cartography.command_errors import add_project_and_out
    from cartography.layout import PAGES
    from layers.timefilter import PERIOD_HELP_ALL_DATES

    add_project_and_out(parser, tr("Output file: .png, .svg, .pdf or .html."))
    parser.add_argument("--region", help=tr("Zoom to this admin region (P-code, e.g. CO18001)."))
    parser.add_argument("--years", help=tr(PERIOD_HELP_ALL_DATES))
    parser.add_argument(
        "--layers", help=tr("Comma-separated layer names to show (default: the visible ones).")
    )
    parser.add_argument("--title", help=tr("Map title (default: the project title)."))
    parser.add_argument(
        "--page",
        default="a4-landscape",
        help=tr("Page: {p}.").format(p=", ".join(PAGES)),
    )
    parser.add_argument("--dpi", type=int, default=150, help=tr("Resolution (default 150)."))
    parser.add_argument(
        "--tiles",
        help=tr("HTML only: a local tile folder laid out as {z}/{x}/{y}.png for the basemap."),
    )
    parser.add_argument(
        "--basemap-max-zoom",
        type=int,
        help=tr(
            "HTML only: embed the visible basemap's tiles up to this zoom (default: 2 past the first view)."
        ),
    )
    parser.add_argument(
        "--basemap-confirm",
        action="store_true",
        help=tr("HTML only: write the page even when its basemap tiles pass the size limit."),
    )


def load_project(path: str | None):
    """The project at `path` (or the sample), load warnings on stderr; None (said why) on error."""
    from layers.command_support import open_project
    from layers.errors import ProjectError

    try:
        return open_project(path)
    except ProjectError as exc:
        print(tr("Error: {e}").format(e=exc), file=sys.stderr)
        return None


def run(args: argparse.Namespace) -> int:
    from cartography.command_errors import run_export
    from cartography.export import ExportError, export_map

    project = load_project(args.project)
    if project is None:
        return 2
    names = [n.strip() for n in args.layers.split(",") if n.strip()] if args.layers else None
    code, out = run_export(
        lambda: export_map(
            project,
            args.out,
            region=args.region,
            years=args.years,
            layers=names,
            title=args.title,
            page=args.page,
            dpi=args.dpi,
            tiles=args.tiles,
            basemap={
                "basemap_max_zoom": args.basemap_max_zoom,
                "basemap_confirm": args.basemap_confirm,
                # The size is said before the tiles are read or the file written.
                "on_basemap_plan": lambda plan: print(plan.describe(), file=sys.stderr),
            },
        ),
        args.out,
        user_errors=(ExportError,),
    )
    if code:
        return code
    print(tr("Wrote {p}").format(p=out))
    return 0
