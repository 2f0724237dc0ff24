"""What the readers say when a file cannot be read: one sentence of problem, one of remedy.

Library exceptions (GDAL, GEOS, Arrow, codecs) never reach the user as tracebacks; they are
turned here into a LayerLoadError that names what is wrong and what to do.
"""

from __future__ import annotations

import codecs
from pathlib import Path

import pandas as pd
import pyogrio
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from layers.errors import LayerLoadError
from layers.i18n import tr, tr_noop

SUPPORTED = tr_noop(
    "Harm Atlas reads GeoJSON, Shapefile (.shp, or zipped), GeoPackage, FlatGeobuf, KML/KMZ, "
    "GML, GeoParquet, and CSV/Excel tables with coordinate columns."
)
ASK_FOR_CRS = tr_noop(
    "Give its coordinate reference system: restore the .prj file that came with it, or pass "
    "--crs EPSG:code (e.g. EPSG:2263 for US feet, New York; EPSG:3116 for MAGNA-SIRGAS "
    "Bogotá), or choose it in the desktop when adding the layer."
)


def check_path(path: Path) -> None:
    if not path.exists():
        raise LayerLoadError(path, tr("does not exist."), tr("Check the path and file name."))
    if path.is_dir():
        raise LayerLoadError(
            path, tr("is a folder, not a file."), tr("Open a file inside it (e.g. the .shp).")
        )
    if not path.is_file():
        # Opening a named pipe blocks until something writes to it: never open one.
        raise LayerLoadError(
            path,
            tr("is not a regular file (a named pipe, device or socket)."),
            tr("Save the data to a file first and open that file."),
        )


def check_options(path: Path, options: dict) -> None:
    """A CRS or text encoding the user typed must be one we know, before any reading."""
    checks = (
        ("crs", CRS.from_user_input, CRSError, tr("the CRS '{v}' is not one Harm Atlas knows."),
         tr("Give an EPSG code such as EPSG:4326 (longitude/latitude) or EPSG:3116.")),
        ("encoding", codecs.lookup, LookupError, tr("the text encoding '{v}' is unknown."),
         tr("Use e.g. UTF-8, cp1252 (Windows Western) or latin-1.")),
    )  # fmt: skip
    for key, check, error, problem, fix in checks:
        if options.get(key):
            try:
                check(options[key])
            except error as exc:
                raise LayerLoadError(path, problem.format(v=options[key]), fix) from exc


def unreadable(path: Path, exc: OSError) -> LayerLoadError:
    return LayerLoadError(
        path,
        tr("cannot be opened ({why}).").format(why=exc.strerror or type(exc).__name__),
        tr("Check that you may read it (permissions, a disconnected drive), or copy it locally."),
    )


def explain(path: Path, format_name: str, exc: Exception) -> LayerLoadError:
    """A library exception as one sentence a user can act on."""
    if isinstance(exc, PermissionError | IsADirectoryError):
        return unreadable(path, exc)
    detail = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, UnicodeError) or "codec" in detail.lower() or "Wrapping" in detail:
        return LayerLoadError(
            path,
            tr("contains text in an encoding Harm Atlas could not read ({detail}).").format(
                detail=detail
            ),
            tr("Give the encoding (e.g. --encoding cp1252 or UTF-8)."),
        )
    if isinstance(exc, shapely.errors.GEOSException):
        return LayerLoadError(
            path,
            tr("has geometries too damaged to repair ({detail}).").format(detail=detail),
            tr("Fix them in a GIS (e.g. QGIS 'Fix geometries') or export the file again."),
        )
    if isinstance(exc, pyogrio.errors.DataSourceError) and (
        "not recognized" in detail or "not a supported" in detail.lower()
    ):
        return LayerLoadError(path, tr("is not a map-data file Harm Atlas knows."), tr(SUPPORTED))
    if "OGR_GEOJSON_MAX_OBJ_SIZE" in str(exc) or "too complex/large" in detail:
        return LayerLoadError(
            path,
            tr(
                "holds a feature larger than GDAL's GeoJSON reader accepts (its object size "
                "limit, OGR_GEOJSON_MAX_OBJ_SIZE); the file itself may be valid."
            ),
            tr(
                "Convert it to GeoPackage (ogr2ogr --config OGR_GEOJSON_MAX_OBJ_SIZE 0 "
                "out.gpkg in.geojson) and open the GeoPackage."
            ),
        )
    if isinstance(exc, pd.errors.EmptyDataError):
        return LayerLoadError(path, tr("is an empty table."), tr("Check the file."))
    return LayerLoadError(
        path,
        tr("could not be read as {fmt}: it looks damaged or incomplete ({detail}).").format(
            fmt=format_name, detail=detail
        ),
        tr("Copy or download it again, or export it again from the source program."),
    )
