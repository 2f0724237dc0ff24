"""`python main.py inspect PATH...`: what Harm Atlas sees in a file, before any analysis."""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from layers.crs import crs_label, lonlat_bounds
from layers.errors import LayerLoadError
from layers.i18n import tr, tr_noop
from layers.layer import Layer
from layers.readers import read_layers

SHAPEFILE_SIDECARS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qmd", ".sbn", ".sbx")

# English (tr_noop): main.py shows it through tr, in the language active when --help runs.
HELP = tr_noop(
    "Show what each file holds: layers, feature counts, geometry, CRS, bounds, detected role, "
    "field mapping, and any repairs or warnings."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help=tr("Map files to inspect."))
    parser.add_argument("--json", action="store_true", help=tr("Print JSON instead of text."))
    parser.add_argument(
        "--crs", help=tr("CRS for files that have none, e.g. EPSG:4326 or EPSG:3116.")
    )
    parser.add_argument("--encoding", help=tr("Text encoding of DBF/CSV files, e.g. cp1252."))
    parser.add_argument("--layer", help=tr("Only this sub-layer (GeoPackage table, sheet...)."))


def layer_summary(layer: Layer) -> dict:
    """Everything `inspect` reports about one layer, as plain data."""
    crs = layer.crs
    bounds = lonlat_bounds(layer.data) if len(layer.data) else (math.nan,) * 4
    report = layer.report
    return {
        "name": layer.name,
        "path": layer.source.path,
        "sublayer": layer.source.sublayer,
        "format": layer.metadata.get("format", ""),
        "driver": report.driver,
        "features": len(layer.data),
        "features_read": report.features_read,
        "geometry_types": layer.geometry_types,
        "crs": crs_label(crs),
        "crs_assumed": report.crs_assumed,
        "lonlat_bounds": [round(v, 6) if math.isfinite(v) else None for v in bounds],
        "role": layer.role.value,
        "role_label": layer.role.label,
        "role_confidence": layer.role_confidence,
        "detected_from": list(layer.metadata.get("detection", [])),
        "mapping": layer.mapping.to_dict(),
        "encoding": report.encoding,
        "counts": {
            "invalid_repaired": report.invalid_repaired,
            "null_geometries_dropped": report.null_geometries_dropped,
            "empty_geometries_dropped": report.empty_geometries_dropped,
            "nan_coordinates_dropped": report.nan_coordinates_dropped,
            "out_of_range_dropped": getattr(report, "out_of_range_dropped", 0),
            "dates_unparsed": report.dates_unparsed,
        },
        "warnings": list(report.warnings),
        "repairs": list(report.repairs),
    }


def format_summary(info: dict) -> str:
    """The text block printed for one layer."""
    west, south, east, north = info["lonlat_bounds"]
    bounds = (
        f"lon {west:.5f} .. {east:.5f}, lat {south:.5f} .. {north:.5f}"
        if None not in info["lonlat_bounds"]
        else tr("none")
    )
    crs = info["crs"] + (" " + tr("(assumed)") if info["crs_assumed"] else "")
    lines = [
        f"{info['name']}  [{info['format']}{' / ' + info['sublayer'] if info['sublayer'] else ''}]",
        f"  {tr('features')}: {info['features']} ({tr('read')} {info['features_read']})",
        f"  {tr('geometry')}: {', '.join(info['geometry_types']) or tr('none')}",
        f"  CRS: {crs}",
        f"  {tr('bounds')}: {bounds}",
        f"  {tr('role')}: {info['role']} ({info['role_label']}), "
        f"{tr('confidence')} {info['role_confidence']:.2f}",
    ]
    fields = info["mapping"]["fields"]
    if fields:
        lines.append(f"  {tr('fields')}: " + ", ".join(f"{k}={v}" for k, v in fields.items()))
    years = info["mapping"]["year_columns"]
    if years:
        lines.append(
            f"  {tr('year columns')}: " + ", ".join(f"{y}={c}" for y, c in sorted(years.items()))
        )
    if info["encoding"]:
        lines.append(f"  {tr('encoding')}: {info['encoding']}")
    for text in info["repairs"]:
        lines.append(f"  {tr('repaired')}: {text}")
    for text in info["warnings"]:
        lines.append(f"  {tr('warning')}: {text}")
    return "\n".join(lines)


def _distinct_files(paths: list[str]) -> list[str]:
    """One entry per dataset: `inspect data/*` must not show a shapefile once per sidecar."""
    seen: set[Path] = set()
    distinct: list[str] = []
    for path in paths:
        p = Path(path)
        if p.suffix.lower() in SHAPEFILE_SIDECARS:
            shp = next(
                (c for c in (p.with_suffix(".shp"), p.with_suffix(".SHP")) if c.exists()), None
            )
            p = shp or p
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            distinct.append(str(p))
    return distinct


def run(args: argparse.Namespace) -> int:
    options = {k: v for k, v in (("crs", args.crs), ("encoding", args.encoding)) if v}
    summaries: list[dict] = []
    for path in _distinct_files(args.paths):
        try:
            layers = read_layers(path, sublayer=args.layer, options=options)
        except LayerLoadError as exc:
            print(exc.one_line(), file=sys.stderr)
            return 2
        summaries.extend(layer_summary(layer) for layer in layers)
    if args.json:
        print(json.dumps(summaries, indent=2, ensure_ascii=False, default=str))
    else:
        print("\n\n".join(format_summary(info) for info in summaries))
    return 0
