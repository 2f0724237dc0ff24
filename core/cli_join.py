"""`python main.py join --table T --regions R --out joined.gpkg`: a per-region table (CSV,
XLSX) joined to a boundary layer by code, never by name (layers/region_join.py), with a
report of what matched, what did not and why. The output is written through the one writer
(analysis/outputs.py): atomically, never over the table or the regions' file.

Exit codes: 0 joined (even with unmatched codes: the report lists them), 2 a user error (no
code matches, a missing column or file: one line saying what to do).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from layers.i18n import tr, tr_noop

HELP = tr_noop(
    "Join a per-region table (CSV or XLSX: poverty, homicide rates, health notifications…) to a "
    "boundary layer by region code, never by name; reports the codes that did not match and why."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--table", required=True, help=tr("The table: .csv or .xlsx."))
    parser.add_argument(
        "--regions",
        required=True,
        help=tr("Boundary layer: a file (PATH or PATH::layer) or, with --project, a layer name."),
    )
    parser.add_argument("--project", help=tr("Project whose layer --regions names."))
    parser.add_argument(
        "--table-code", help=tr("The table's code column (default: the one that matches best).")
    )
    parser.add_argument(
        "--region-code",
        help=tr("The regions' code column (default: the layer's region code, e.g. ADM2_PCODE)."),
    )
    parser.add_argument("--sheet", help=tr("XLSX sheet to read (default: the first with data)."))
    parser.add_argument("--encoding", help=tr("Text encoding of a CSV, e.g. cp1252."))
    parser.add_argument(
        "--out", required=True, help=tr("Joined layer to write: .gpkg, .geojson or .csv.")
    )
    parser.add_argument("--json", action="store_true", help=tr("Print the report as JSON."))


def run(args: argparse.Namespace) -> int:
    from analysis.inputs import InputError, resolve_layer, split_layer_spec
    from analysis.outputs import to_json, write_frame
    from layers.command_support import open_project
    from layers.errors import LayerLoadError, ProjectError
    from layers.region_join import join_region_table, summary_lines
    from layers.region_table import read_region_table

    try:
        project = open_project(args.project, sample_when_missing=False) if args.project else None
        regions = resolve_layer(args.regions, project)
        if regions is None or regions.geometry_kind != "polygon":
            raise InputError(
                tr("--regions {r!r} is not a layer of polygons (regions).").format(r=args.regions)
            )
        table = read_region_table(args.table, sheet=args.sheet, encoding=args.encoding)
        result = join_region_table(table, regions, args.table_code, args.region_code)
        protect = [Path(args.table)]
        if regions.source.path:
            protect.append(Path(regions.source.path))
        elif not (project and args.regions in project.layers.names()):
            protect.append(Path(split_layer_spec(args.regions)[0]))
        if project is not None and project.path is not None:
            protect.append(project.path)
        written = write_frame(result.data, args.out, layer=Path(args.out).stem, protect=protect)
    except (InputError, ProjectError) as exc:
        print(tr("Error: {e}").format(e=exc), file=sys.stderr)
        return 2
    except LayerLoadError as exc:
        print(tr("Error: {e}").format(e=exc.one_line()), file=sys.stderr)
        return 2
    except OSError as exc:
        print(
            tr("Could not write {p}: {e}. Choose another folder.").format(p=args.out, e=exc),
            file=sys.stderr,
        )
        return 2
    if args.json:
        payload = dict(result.report.to_dict(), out=str(written))
        print(json.dumps(to_json(payload), indent=2, ensure_ascii=False))
    else:
        print("\n".join(summary_lines(result.report)))
        print(tr("Written: {p}").format(p=written))
    return 0
