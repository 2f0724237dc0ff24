"""Shapefiles, on disk or inside a zip: the parts are found the same way, the DBF's encoding
is settled, and a missing .shx or a garbled .prj does not cost the file."""

from __future__ import annotations

import codecs
import os
import tempfile
import threading
import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio

from layers.encodings import ENCODING_SAMPLE_BYTES, codepage, decode_with_fallbacks, guess_encoding
from layers.i18n import tr
from layers.report import LoadReport
from layers.vector_io import RawLayer, read_vector, sibling

_gdal_config_lock = threading.Lock()


class ShapefileParts:
    """The sidecar files of one shapefile (.dbf, .shx, .prj, .cpg), on disk or in a zip."""

    def __init__(self, shp: Path, zf: zipfile.ZipFile | None = None, member: str = "") -> None:
        self.shp, self.zf, self.member = shp, zf, member
        if zf is not None:
            stem = member[: -len(Path(member).suffix)]
            self._names = {
                n.lower(): n for n in zf.namelist() if n.lower().startswith(stem.lower())
            }
            self._stem = stem.lower()

    def find(self, ext: str) -> str | None:
        if self.zf is None:
            found = sibling(self.shp, ext)
            return str(found) if found else None
        return self._names.get(self._stem + ext)

    def read(self, ext: str, limit: int | None = None) -> bytes:
        name = self.find(ext)
        if name is None:
            return b""
        if self.zf is None:
            with open(name, "rb") as fh:
                return fh.read(limit if limit is not None else -1)
        with self.zf.open(name) as fh:
            return fh.read(limit if limit is not None else -1)


def _dbf_encoding(parts: ShapefileParts, options: dict, report: LoadReport) -> str:
    """Declared code page (.cpg), else UTF-8 if the text decodes so, else cp1252."""
    if options.get("encoding"):
        return codecs.lookup(options["encoding"]).name
    cpg = parts.read(".cpg", 200)
    if cpg:
        declared = codepage(cpg.decode("ascii", "ignore"))
        if declared:
            return declared
        report.warn(
            tr("The .cpg file names an unknown code page ({cpg}); guessing the encoding.").format(
                cpg=cpg.decode("ascii", "replace").strip()
            )
        )
    head = parts.read(".dbf", 32)
    header_len = int.from_bytes(head[8:10], "little") if len(head) >= 10 else 0
    sample = parts.read(".dbf", header_len + ENCODING_SAMPLE_BYTES)[header_len:]
    guess = guess_encoding(sample)
    if any(b >= 0x80 for b in sample[:ENCODING_SAMPLE_BYTES]):
        if guess.startswith("utf-8"):
            report.repaired(
                tr(
                    "Text read as UTF-8 although no .cpg file declares it (GDAL would have "
                    "shown 'ZÃ¼rich' for 'Zürich')."
                )
            )
        else:
            report.warn(
                tr("No .cpg file declares the text encoding; read as {enc}.").format(enc=guess)
            )
    return guess


def read_shapefile(path: Path, sublayer: str | None, options: dict) -> list[RawLayer]:
    return [read_shapefile_parts(ShapefileParts(path), str(path), path.stem, options)]


def read_shapefile_parts(
    parts: ShapefileParts, source: str, name: str, options: dict, sublayer: str | None = None
) -> RawLayer:
    report = LoadReport(driver="ESRI Shapefile")
    if parts.find(".dbf") is None:
        report.warn(
            tr(
                "The .dbf file is missing: the shapes were read but they have no attributes "
                "(names, dates, values). Put the .dbf beside the .shp to get them."
            )
        )

    def read(encoding: str | None) -> gpd.GeoDataFrame:
        # Always explicit: with Arrow, GDAL's own guess fails outright on non-UTF-8 text.
        kwargs = {"encoding": encoding} if encoding else {}
        try:
            return read_vector(source, **kwargs)
        except pyogrio.errors.DataSourceError as exc:
            if "SHAPE_RESTORE_SHX" not in str(exc):
                raise
            return _read_restoring_shx(parts, source, kwargs, report)
        except pyogrio.errors.CRSError:
            # GDAL refuses the whole file over a garbled .prj: read the rest without it.
            return _read_copy(parts, kwargs, skip=(".prj",))

    if parts.find(".dbf") is None:
        gdf = read(None)
    else:
        first = _dbf_encoding(parts, options, report)
        gdf = decode_with_fallbacks(read, first, report, forced=bool(options.get("encoding")))
    if gdf.crs is None:
        if parts.find(".prj") is None:
            report.warn(tr("The .prj file (its CRS) is missing."))
        else:
            report.warn(tr("The .prj file could not be understood (its CRS is unreadable)."))
    return RawLayer(name, gdf, report, sublayer)


def _read_restoring_shx(
    parts: ShapefileParts, source: str, kwargs: dict, report: LoadReport
) -> gpd.GeoDataFrame:
    """Missing .shx: let GDAL rebuild it (SHAPE_RESTORE_SHX), in a temp copy if read-only."""
    with _gdal_config_lock:
        pyogrio.set_gdal_config_options({"SHAPE_RESTORE_SHX": "YES"})
        try:
            if parts.zf is None:
                try:
                    gdf = read_vector(source, **kwargs)
                    where = tr("next to the .shp")
                except pyogrio.errors.DataSourceError:
                    gdf, where = _read_copy(parts, kwargs), tr("in a temporary copy")
            else:
                gdf, where = _read_copy(parts, kwargs), tr("in a temporary copy")
        finally:
            pyogrio.set_gdal_config_options({"SHAPE_RESTORE_SHX": None})
    report.warn(
        tr(
            "The index file (.shx) was missing; Harm Atlas rebuilt it from the .shp ({where}). "
            "Keep the rebuilt .shx with the shapefile."
        ).format(where=where)
    )
    report.repaired(tr("Rebuilt the missing .shx index."))
    return gdf


def _read_copy(parts: ShapefileParts, kwargs: dict, skip: tuple[str, ...] = ()) -> gpd.GeoDataFrame:
    """Read the shapefile from a temporary folder (linked, not copied, where possible)."""
    with tempfile.TemporaryDirectory(prefix="harm-atlas-shp-") as tmp:
        target = Path(tmp) / "layer.shp"
        for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
            found = parts.find(ext)
            if found is None or ext in skip:
                continue
            if parts.zf is None:
                try:
                    os.symlink(os.path.abspath(found), target.with_suffix(ext))
                    continue
                except OSError:  # no symlinks (e.g. Windows without the privilege): copy
                    pass
            target.with_suffix(ext).write_bytes(parts.read(ext))
        return read_vector(str(target), **kwargs)
