"""`python main.py export`: the project's map as PNG, SVG, PDF or an offline HTML web map."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from layers.i18n import tr

HELP = tr(
    "Export the project's map: a print layout (.png, .svg, .pdf) or a self-contained offline "
    "web map (.html). --region zooms to and highlights an admin region by P-code."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from cartography.layout import PAGES

    parser.add_argument(
        "--project", help=tr("Project file (.hatlas.json); default: the sample project.")
    )
    parser.add_argument("--out", required=True, help=tr("Output file: .png, .svg, .pdf or .html."))
    parser.add_argument("--region", help=tr("Zoom to this admin region (P-code, e.g. CO18001)."))
    parser.add_argument("--years", help=tr("Period: 2019, 2016-2020 or 2019-03-01..2020-02-29."))
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


def load_project(path: str | None):
    """The project at `path` (or the sample), with load warnings on stderr; None on error."""
    from layers.errors import ProjectError
    from layers.project import Project

    if path:
        project_path = Path(path)
    else:
        from sample_maps import SAMPLE_PROJECT

        project_path = SAMPLE_PROJECT
    try:
        project = Project.load(project_path)
    except ProjectError as exc:
        print(tr("Error: {e}").format(e=exc), file=sys.stderr)
        return None
    for err in project.load_errors:
        text = err.one_line() if hasattr(err, "one_line") else str(err)
        print(tr("Warning: {e}").format(e=text), file=sys.stderr)
    return project


def run(args: argparse.Namespace) -> int:
    from cartography.export import ExportError, export_map

    project = load_project(args.project)
    if project is None:
        return 2
    names = [n.strip() for n in args.layers.split(",") if n.strip()] if args.layers else None
    try:
        out = export_map(
            project,
            args.out,
            region=args.region,
            years=args.years,
            layers=names,
            title=args.title,
            page=args.page,
            dpi=args.dpi,
            tiles=args.tiles,
        )
    except ExportError as exc:
        print(tr("Error: {e}").format(e=exc), file=sys.stderr)
        return 2
    except OSError as exc:
        print(
            tr("Could not write {p}: {e}. Choose another folder.").format(p=args.out, e=exc),
            file=sys.stderr,
        )
        return 2
    except Exception as exc:  # noqa: BLE001 - a message, never a traceback, for users
        print(
            tr("Error: the export failed ({t}: {e}). Please report this with the project.").format(
                t=type(exc).__name__, e=exc
            ),
            file=sys.stderr,
        )
        return 1
    print(tr("Wrote {p}").format(p=out))
    return 0
