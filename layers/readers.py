"""Read map files into Layers: one registry of formats, found by content first, then extension.

`read_layers(path, sublayer=None, options=None)` is the one reader every front end uses
(desktop, CLI, project loading). It never lets a library traceback reach the user: anything
that goes wrong becomes a LayerLoadError saying what is wrong and what to do, and anything
repaired or assumed on the way is written into the layer's LoadReport.

The work is split by stratum: the format drivers (layers/formats.py, with shapefiles.py,
tables.py and what they share in vector_io.py and encodings.py), the repairs every layer
goes through (repair.py), dates (dates.py) and the error messages (read_errors.py).
"""

from __future__ import annotations

import contextlib
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path

from layers.dates import parse_date_column, parse_dates
from layers.detect import detect_role
from layers.errors import LayerLoadError
from layers.formats import READERS
from layers.i18n import tr
from layers.layer import Layer, LayerSource
from layers.read_errors import SUPPORTED, check_options, check_path, explain, unreadable
from layers.repair import repair
from layers.style import default_style
from layers.tables import COORDINATE_COLUMNS, coordinate_columns
from layers.vector_io import (
    LINEARISED,
    MAX_ZIP_RATIO,
    MAX_ZIP_UNCOMPRESSED,
    FormatReader,
    RawLayer,
    file_head,
    sibling,
)

_warnings_lock = threading.Lock()


# --- entry point ----------------------------------------------------------------------


def read_layers(
    path: str | Path, sublayer: str | None = None, options: dict | None = None
) -> list[Layer]:
    """Read every vector layer of `path` (or just `sublayer`) as Layers ready to show.

    A raster (GeoTIFF/COG, VRT, ASCII grid, a folder of GeoTIFF tiles) comes back as one
    layers.raster.RasterLayer (`is_raster(layer)`: no features, pixels read in windows).
    options: {"crs": "EPSG:xxxx"} for files without one (or with a wrong one),
    {"encoding": "cp1252"} to force the text encoding of a DBF/CSV.
    """
    path = Path(path)
    options = dict(options or {})
    if is_raster_path(path):
        from layers.raster import open_raster

        return [open_raster(path, options=options)]  # type: ignore[list-item]
    check_path(path)
    check_options(path, options)
    if path.suffix.lower() in (".shx", ".dbf", ".prj", ".cpg") and sibling(path, ".shp"):
        path = sibling(path, ".shp")  # type: ignore[assignment]
    try:
        reader = reader_for(path)
    except LayerLoadError:
        raise
    except OSError as exc:
        raise unreadable(path, exc) from exc
    except Exception as exc:  # a sniffer tripped on damaged bytes
        raise LayerLoadError(
            path, tr("is damaged: its format cannot be recognised."), tr(SUPPORTED)
        ) from exc
    gdal_said: list[str] = []
    try:
        with _gdal_warnings() as gdal_said:
            raws = reader.read(path, sublayer, options)
        layers = _finish_all(path, reader, raws, sublayer, options)
    except LayerLoadError as exc:
        hints = _summarise(gdal_said, limit=2)
        if not hints:
            raise
        # GDAL's own words often name the cause (e.g. an unclosed ring): keep them.
        raise LayerLoadError(exc.path, f"{exc.problem} ({'; '.join(hints)})", exc.remedy) from exc
    except MemoryError as exc:
        raise LayerLoadError(
            path,
            tr("is too large to load into memory."),
            tr("Clip it to your study area first (e.g. ogr2ogr -spat) and open the result."),
        ) from exc
    except Exception as exc:  # the reader boundary: GDAL, GEOS, Arrow and codecs fail unlike
        raise explain(path, reader.name, exc) from exc
    for message in _summarise(gdal_said):
        for layer in layers:
            layer.report.warn(message)
    return layers


@contextlib.contextmanager
def _gdal_warnings() -> Iterator[list[str]]:
    """Collect what GDAL warns while reading (unclosed rings, numbers parsed halfway...).

    pyogrio turns GDAL warnings into Python warnings; catch_warnings is process-wide, so a
    lock keeps two reading threads from restoring each other's filters.
    """
    collected: list[str] = []
    with _warnings_lock, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield collected
        finally:
            for w in caught:
                if issubclass(w.category, RuntimeWarning) and "pyogrio" in w.filename:
                    collected.append(str(w.message))


def _summarise(messages: list[str], limit: int = 5) -> list[str]:
    """GDAL's warnings as a few report lines; repeated ones counted, not listed."""
    counts: dict[str, int] = {}
    for text in messages:
        text = text.replace("Could not decode error message to UTF-8. Raw error: ", "")
        if "application_id" in text or "non conformant file extension" in text:
            continue  # content sniffing already accepted the file despite its name
        counts[text[:200]] = counts.get(text[:200], 0) + 1
    lines = [
        tr("GDAL: {text}").format(text=t) + (f" (×{n})" if n > 1 else "")
        for t, n in list(counts.items())[:limit]
    ]
    if len(counts) > limit:
        lines.append(tr("GDAL: {n} more kinds of warning.").format(n=len(counts) - limit))
    return lines


def is_raster_path(path: Path) -> bool:
    """A raster file (by its name, or a TIFF's first bytes) or a folder holding GeoTIFF tiles."""
    from layers.raster import RASTER_SUFFIXES, TILE_SUFFIXES

    try:
        if path.is_dir():
            return any(p.suffix.lower() in TILE_SUFFIXES for p in path.iterdir())
        if path.suffix.lower() in RASTER_SUFFIXES:
            return True
        if path.is_file():
            with path.open("rb") as fh:
                return fh.read(4) in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")
    except OSError:
        return False  # check_path then says what is wrong with it
    return False


def reader_for(path: Path) -> FormatReader:
    """The format of `path`: its content decides; the extension only when content is silent."""
    head = file_head(path)
    if not head:
        raise LayerLoadError(path, tr("is empty (0 bytes)."), tr("Copy or download it again."))
    for reader in READERS:
        if reader.sniff is not None and reader.sniff(head, path):
            return reader
    ext = path.suffix.lower()
    for reader in READERS:
        if ext in reader.extensions:
            if reader.sniff is not None:
                raise LayerLoadError(
                    path,
                    tr("is named {ext} but its content is not {fmt} (damaged or renamed).").format(
                        ext=ext, fmt=reader.name
                    ),
                    tr("Copy or download it again, or export it again from the source program."),
                )
            return reader
    raise LayerLoadError(path, tr("is not a map-data file Harm Atlas knows."), tr(SUPPORTED))


# --- after the driver: repairs, role, dates -----------------------------------------------


def _finish_all(
    path: Path, reader: FormatReader, raws: list[RawLayer], sublayer: str | None, options: dict
) -> list[Layer]:
    if not raws:
        raise LayerLoadError(path, tr("holds no vector layers."), tr(SUPPORTED))
    layers: list[Layer] = []
    skipped: list[LayerLoadError] = []
    for raw in raws:
        try:
            layers.append(_finish(path, reader, raw, options))
        except LayerLoadError as exc:
            # In a multi-layer file one bad or empty table must not hide the good ones.
            if len(raws) == 1 or sublayer is not None:
                raise
            skipped.append(exc)
    if not layers:
        raise skipped[0]
    for exc in skipped:
        for layer in layers:
            layer.report.warn(tr("Another layer in this file was skipped: {why}").format(why=exc))
    return layers


def _finish(path: Path, reader: FormatReader, raw: RawLayer, options: dict) -> Layer:
    gdf, report = raw.data, raw.report
    report.driver = report.driver or reader.name
    report.features_read = len(gdf)
    where = path if raw.sublayer is None else Path(f"{path} ({raw.sublayer})")
    if len(gdf) == 0:
        raise LayerLoadError(
            where, tr("has no features."), tr("Check that you picked the right file or layer.")
        )
    if gdf.attrs.pop(LINEARISED, False):
        report.repaired(
            tr(
                "Curved geometries (arcs, as ArcGIS and QGIS write them) were converted to "
                "straight segments (GDAL's approximation, 4° per segment)."
            )
        )
    gdf = repair(where, gdf, report, options)
    detection = detect_role(gdf, name_hint=f"{raw.name} {path.stem}")
    parse_date_column(gdf, detection.mapping.get("date"), report)
    return Layer(
        gdf,
        raw.name,
        source=LayerSource(str(path), raw.sublayer, dict(options)),
        role=detection.role,
        role_confidence=detection.confidence,
        mapping=detection.mapping,
        style=default_style(detection.role),
        report=report,
        metadata={"format": reader.name, "detection": list(detection.reasons)},
    )


__all__ = [
    "COORDINATE_COLUMNS",
    "MAX_ZIP_RATIO",
    "MAX_ZIP_UNCOMPRESSED",
    "READERS",
    "FormatReader",
    "coordinate_columns",
    "is_raster_path",
    "parse_dates",
    "read_layers",
    "reader_for",
]
