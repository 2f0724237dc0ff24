"""The formats Harm Atlas reads: one driver per format, and the registry that recognises a
file by its first bytes (sniffer) before its extension."""

from __future__ import annotations

import codecs
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from layers.errors import LayerLoadError
from layers.i18n import tr
from layers.read_errors import SUPPORTED
from layers.report import LoadReport
from layers.shapefiles import ShapefileParts, read_shapefile, read_shapefile_parts
from layers.tables import read_csv, read_xlsx, table_to_points
from layers.vector_io import (
    FormatReader,
    RawLayer,
    file_head,
    guard_zip,
    is_zip,
    read_multi,
    read_vector,
    vector_layer_names,
)


def _read_geojson(path: Path, sublayer: str | None, options: dict) -> list[RawLayer]:
    gdf = read_vector(str(path), fast_points=False)
    return [RawLayer(path.stem, gdf, LoadReport(driver="GeoJSON", encoding="utf-8"))]


def _read_gpkg(path: Path, sublayer: str | None, options: dict) -> list[RawLayer]:
    return read_multi(path, sublayer, "GPKG")


def _read_fgb(path: Path, sublayer: str | None, options: dict) -> list[RawLayer]:
    gdf = read_vector(str(path))
    return [RawLayer(path.stem, gdf, LoadReport(driver="FlatGeobuf", encoding="utf-8"))]


def _read_kml(path: Path, sublayer: str | None, options: dict) -> list[RawLayer]:
    source = str(path)
    if is_zip(file_head(path)):
        guard_zip(path)
        with zipfile.ZipFile(path) as zf:
            kml = [n for n in zf.namelist() if n.lower().endswith(".kml")]
        if not kml:
            raise LayerLoadError(path, tr("is a KMZ without a .kml inside."), tr(SUPPORTED))
        # doc.kml is the KMZ convention; read through /vsizip/ whatever the extension.
        main = next((n for n in kml if Path(n).name.lower() == "doc.kml"), kml[0])
        source = f"/vsizip/{path.resolve()}/{main}"
    driver = "LIBKML" if "LIBKML" in pyogrio.list_drivers() else "KML"
    raws = read_multi(path, sublayer, driver, source)
    if len(raws) > 1 and sublayer is None:
        # Google Earth files carry empty folders as layers: skip them quietly.
        raws = [r for r in raws if len(r.data)] or raws[:1]
    return raws


def _read_gml(path: Path, sublayer: str | None, options: dict) -> list[RawLayer]:
    return read_multi(path, sublayer, "GML")


def _read_parquet(path: Path, sublayer: str | None, options: dict) -> list[RawLayer]:
    report = LoadReport(driver="GeoParquet", encoding="utf-8")
    try:
        gdf = gpd.read_parquet(path)
    except ValueError as exc:
        if "geo" not in str(exc).lower():
            raise
        # Plain Parquet: a table, maybe with coordinate columns.
        report.driver = "Parquet"
        return [table_to_points(path, pd.read_parquet(path), path.stem, report)]
    return [RawLayer(path.stem, gdf, report)]


# Zip archives: guarded against bombs, then each vector member is read.

_ZIP_MEMBERS = (".shp", ".gpkg", ".geojson", ".json", ".fgb", ".kml")


def _read_zip(path: Path, sublayer: str | None, options: dict) -> list[RawLayer]:
    guard_zip(path)
    with zipfile.ZipFile(path) as zf:
        members = [
            n
            for n in zf.namelist()
            if Path(n).suffix.lower() in _ZIP_MEMBERS and not n.startswith("__MACOSX")
        ]
        if not members:
            raise LayerLoadError(
                path,
                tr("holds no map data ({names}).").format(
                    names=", ".join(zf.namelist()[:6]) or tr("it is empty")
                ),
                tr(SUPPORTED),
            )
        by_stem = {Path(m).stem: m for m in members}
        if sublayer is not None:
            chosen = [m for m in members if sublayer in (m, Path(m).stem, Path(m).name)]
            if not chosen:
                raise LayerLoadError(
                    path,
                    tr("has no layer named '{name}'.").format(name=sublayer),
                    tr("Layers in this file: {names}.").format(names=", ".join(by_stem)),
                )
            members = chosen
        raws: list[RawLayer] = []
        for member in members:
            source = f"/vsizip/{path.resolve()}/{member}"
            stem = Path(member).stem
            sub = stem if len(members) > 1 or sublayer else None
            if member.lower().endswith(".shp"):
                parts = ShapefileParts(path, zf, member)
                raws.append(read_shapefile_parts(parts, source, stem, options, sub))
            else:
                names = vector_layer_names(source)
                text = member.lower().endswith((".geojson", ".json"))
                for name in names:
                    gdf = read_vector(source, layer=name, fast_points=not text)
                    label = stem if len(names) == 1 else name
                    raws.append(RawLayer(label, gdf, LoadReport(encoding="utf-8"), sub))
        for raw in raws:
            raw.report.driver = f"{raw.report.driver or 'GDAL'} (zip)"
    return raws


# --- sniffers -----------------------------------------------------------------------------


def _zip_kind(path: Path) -> str | None:
    try:
        with zipfile.ZipFile(path) as zf:
            names = [n.lower() for n in zf.namelist()]
    except Exception:  # BadZipFile, OSError, NotImplementedError ("zip file version 7.0")
        return "zip"  # a damaged zip is still a zip: its reader explains
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    if any(n.endswith(".kml") for n in names) and not any(n.endswith(".shp") for n in names):
        return "kmz"
    return "zip"


def _looks_like_geojson(head: bytes, path: Path) -> bool:
    text = head.lstrip(codecs.BOM_UTF8).lstrip()
    if text[:1] not in (b"{", b"["):
        return False
    return b'"type"' in text and (b"Feature" in text or b"coordinates" in text)


def _looks_like_kml(head: bytes, path: Path) -> bool:
    return b"<kml" in head[:2048] and head.lstrip(codecs.BOM_UTF8).lstrip()[:1] == b"<"


READERS: list[FormatReader] = [
    FormatReader(
        "GeoPackage", (".gpkg",), _read_gpkg, lambda h, p: h[:16] == b"SQLite format 3\x00"
    ),
    FormatReader(
        "FlatGeobuf", (".fgb",), _read_fgb, lambda h, p: h[:3] == b"fgb" and h[4:7] == b"fgb"
    ),
    FormatReader(
        "GeoParquet", (".parquet", ".geoparquet"), _read_parquet, lambda h, p: h[:4] == b"PAR1"
    ),
    FormatReader("Shapefile", (".shp",), read_shapefile, lambda h, p: h[:4] == b"\x00\x00\x27\x0a"),
    FormatReader(
        "Excel", (".xlsx", ".xlsm"), read_xlsx, lambda h, p: is_zip(h) and _zip_kind(p) == "xlsx"
    ),
    FormatReader("KML", (".kml", ".kmz"), _read_kml, lambda h, p: _looks_like_kml(h, p)),
    FormatReader("KMZ", (), _read_kml, lambda h, p: is_zip(h) and _zip_kind(p) == "kmz"),
    FormatReader("Zip", (".zip",), _read_zip, lambda h, p: is_zip(h) and _zip_kind(p) == "zip"),
    FormatReader("GeoJSON", (".geojson", ".json"), _read_geojson, _looks_like_geojson),
    FormatReader(
        "GML", (".gml",), _read_gml, lambda h, p: b"<gml:" in h or b"opengis.net/gml" in h
    ),
    FormatReader("CSV", (".csv", ".tsv", ".txt"), read_csv, None),
]
