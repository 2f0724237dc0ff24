"""`python main.py edit`: scripted corrections to a project's layer, through the edit model.

    python main.py edit --project P --layer NAME --add-wkt "POINT (-76.5 0.9)" --set name=X --save
    python main.py edit --project P --layer NAME --where id=EM-00001 --set hectares=12.5 --save
    python main.py edit --project P --layer NAME --where id=EM-00001 --delete --save

Each change is one journalled operation (layers/edit_session.py): without --save the edits
stay in the journal beside the project, and the desktop offers them on its next start.
"""

from __future__ import annotations

import argparse
import json
import sys

from layers.i18n import tr, tr_noop

# English (tr_noop): main.py shows it through tr, in the language active when --help runs.
HELP = tr_noop(
    "Correct a project's layer from a script: add features from WKT, set field values, "
    "delete features; edits are kept beside the project (its sources are not touched unless "
    "--save-to-source)."
)


def _repeated(parser: argparse.ArgumentParser, flag: str, metavar: str, help: str) -> None:
    """An option given once per item (--set a=1 --set b=2): a list, empty when not given."""
    parser.add_argument(flag, action="append", default=[], metavar=metavar, help=help)


def _switches(parser: argparse.ArgumentParser, *flags: tuple[str, str]) -> None:
    """On/off options, each (flag, help)."""
    for flag, help in flags:
        parser.add_argument(flag, action="store_true", help=help)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--project", required=True, help=tr("Project file (.hatlas.json)."))
    parser.add_argument("--layer", required=True, help=tr("Name of the layer to edit."))
    _repeated(
        parser,
        "--add-wkt",
        "WKT",
        tr('Add a feature, e.g. "POINT (-76.5 0.9)" (repeat for several).'),
    )
    _repeated(
        parser,
        "--add-point",
        "COORDINATES",
        tr(
            "Add a point typed as field notes give it: decimal degrees, degrees-minutes-seconds, "
            "UTM or MGRS, e.g. \"0°54'N 76°30'W\" (repeat for several)."
        ),
    )
    parser.add_argument(
        "--create",
        choices=("point", "line", "polygon"),
        help=tr("Create --layer as a new drawn layer of this kind first."),
    )
    parser.add_argument(
        "--role",
        default="other",
        help=tr("Role of the new layer (eradication, violence, health_services, …)."),
    )
    _repeated(
        parser,
        "--field",
        "NAME:TYPE[:V1|V2]",
        tr(
            "A field of the new layer instead of the role's: TYPE is text, integer, real, date "
            "or choice (with its values), e.g. modalidad:choice:manual|aerial (repeatable)."
        ),
    )
    parser.add_argument(
        "--layer-crs",
        help=tr("CRS of the new layer (default: the project's metric CRS, else EPSG:4326)."),
    )
    parser.add_argument(
        "--crs",
        default=None,
        help=tr("CRS of the --add-wkt coordinates (default: the layer's), e.g. EPSG:4326."),
    )
    _repeated(
        parser,
        "--set",
        "FIELD=VALUE",
        tr("A value for the added features, or for the --where features (repeatable)."),
    )
    parser.add_argument(
        "--where",
        help=tr("The features to change or delete: FIELD=VALUE or FIELD=V1|V2, or row=N."),
    )
    _switches(
        parser,
        ("--delete", tr("Delete the --where features.")),
        ("--save", tr("Save: the edits GeoPackage beside the project and the project file.")),
        (
            "--save-to-source",
            tr("Also write the layer's edits into its own file (a backup is made first)."),
        ),
        (
            "--restore",
            tr("First restore the unsaved edits the journal holds (else they block this)."),
        ),
        ("--json", tr("Print JSON instead of text.")),
    )


def _pairs(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        if "=" not in item:
            raise ValueError(tr("--set: write FIELD=VALUE, not {t!r}.").format(t=item))
        key, value = item.split("=", 1)
        out[key.strip()] = value.strip()
    return out


def _role(text: str):
    from layers.roles import Role

    try:
        return Role(text.strip().lower())
    except ValueError:
        raise ValueError(
            tr("--role {r!r}: use one of {roles}.").format(
                r=text, roles=", ".join(r.value for r in Role)
            )
        ) from None


def _field(text: str):
    """NAME:TYPE[:V1|V2] -> a FieldSpec (EditError saying how to write it)."""
    from layers.edit_fields import EditError, FieldSpec

    name, _, rest = text.partition(":")
    kind, _, values = rest.partition(":")
    if not name.strip() or not kind.strip():
        raise EditError(
            tr("--field: write NAME:TYPE or NAME:choice:V1|V2, not {t!r}.").format(t=text)
        )
    choices = tuple(v.strip() for v in values.split("|") if v.strip())
    return FieldSpec(name.strip(), kind.strip().lower(), choices)


def _typed_point(text: str):
    """A point in lon/lat from coordinates as typed (layers/coordinates.py reads them)."""
    from shapely.geometry import Point

    from layers.coordinates import parse_coordinate

    found = parse_coordinate(text)
    return Point(found.lon, found.lat)


def _where_rows(layer, text: str) -> list[int]:
    import numpy as np

    from analysis.inputs import where_mask

    key, _, value = text.partition("=")
    if key.strip().lower() == "row" and "row" not in layer.data.columns:
        try:
            return [int(v) for v in value.split("|")]
        except ValueError:
            raise ValueError(
                tr("--where row=N takes row numbers, not {v!r}.").format(v=value)
            ) from None
    return [int(i) for i in np.flatnonzero(where_mask(layer, text, "--where"))]


def run(args: argparse.Namespace) -> int:
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    from analysis.inputs import InputError
    from layers.edit_fields import EditError
    from layers.edit_geometry import check_area_of_use, from_text, reproject
    from layers.edit_lock import EditedElsewhere, holder
    from layers.edit_ops import AddFeatures, CreateLayer, DeleteFeatures, SetAttributes
    from layers.edit_session import EditSession, UndoStack, unsaved_edits
    from layers.edit_store import journal_path
    from layers.errors import ProjectError
    from layers.project import Project

    try:
        project = Project.load(args.project)
    except ProjectError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    for err in project.load_errors:
        print(tr("Warning: {e}").format(e=err.one_line()), file=sys.stderr)
    journal = journal_path(project.path)
    if (pid := holder(journal)) is not None:  # its journal is another Harm Atlas's live work
        print(str(EditedElsewhere(journal, pid)), file=sys.stderr)
        return 2
    pending = unsaved_edits(project.path)
    if pending is not None and not args.restore:
        print(
            tr(
                "The project has unsaved edits: {d} Add --restore to apply them first, "
                "or open the project in the app."
            ).format(d=pending.describe()),
            file=sys.stderr,
        )
        return 2
    session = EditSession(project)
    stack = UndoStack(session)
    summary: dict = {"layer": args.layer, "added": 0, "changed": 0, "deleted": 0, "messages": []}
    try:
        if pending is not None:
            summary["messages"] += stack.restore()
        if args.create:
            crs = args.layer_crs or (
                project.metric_crs if project.lonlat_bounds() is not None else "EPSG:4326"
            )
            fields = [_field(text) for text in args.field] or None
            created = CreateLayer(args.layer, args.create, _role(args.role), fields, crs=crs)
            stack.push(created)
            args.layer = summary["layer"] = created.layer  # made unique if the name was taken
        layer = project.layer(args.layer)
        values = _pairs(args.set)
        if (args.add_wkt or args.add_point) and args.where:
            raise EditError(tr("Give --add-wkt/--add-point or --where, not both."))
        if args.add_wkt or args.add_point:
            geoms = [from_text(w) for w in args.add_wkt]
            if args.crs:  # typed coordinates checked where they were typed, then moved
                typed = CRS.from_user_input(args.crs)
                for g in geoms:
                    check_area_of_use(g, typed)
                geoms = [reproject(g, typed, layer.crs) for g in geoms]
            geoms += [
                reproject(_typed_point(text), "EPSG:4326", layer.crs) for text in args.add_point
            ]
            result = stack.push(AddFeatures(layer.name, geoms, [dict(values) for _ in geoms]))
            summary["added"] = len(result.rows)
            summary["messages"] += result.messages
        elif args.where:
            rows = _where_rows(layer, args.where)
            if args.delete:
                stack.push(DeleteFeatures(layer.name, rows))
                summary["deleted"] = len(rows)
            elif values:
                stack.push(SetAttributes(layer.name, rows, values))
                summary["changed"] = len(rows)
        elif args.delete or values:
            raise EditError(tr("Name the features with --where FIELD=VALUE (or row=N)."))
        if args.save_to_source:
            summary["backup"] = str(session.save_to_source(layer))
        if args.save or args.save_to_source:
            summary["saved"] = str(session.save())
    except (EditError, InputError, ProjectError, CRSError, ValueError) as exc:
        session.close()
        print(str(exc), file=sys.stderr)
        return 2
    session.close()
    summary["unsaved"] = not (args.save or args.save_to_source)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        print(
            tr("{l}: {a} added, {c} changed, {d} deleted.").format(
                l=layer.name, a=summary["added"], c=summary["changed"], d=summary["deleted"]
            )
        )
        for message in summary["messages"]:
            print(message)
        if summary["unsaved"]:
            print(tr("Not saved: the edits are in the journal beside the project (add --save)."))
    return 0
