"""Read map files into Layers: one registry of formats, found by content first, then extension.

`read_layers(path, sublayer=None, options=None)` is the one reader every front end uses
(desktop, CLI, project loading). It never lets a library traceback reach the user: anything
that goes wrong becomes a LayerLoadError saying what is wrong and what to do, and anything
repaired or assumed on the way is written into the layer's LoadReport.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import math
import os
import tempfile
import threading
import warnings
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from layers.crs import WGS84, crs_label
from layers.detect import detect_role
from layers.errors import LayerLoadError
from layers.i18n import tr, trn
from layers.layer import Layer, LayerSource
from layers.report import LoadReport
from layers.style import default_style

# Zip-bomb guard: refuse archives that expand past this, or by more than MAX_ZIP_RATIO
# once they are big enough to matter (small XML-heavy archives compress very well).
MAX_ZIP_UNCOMPRESSED = 2 * 1024**3
MAX_ZIP_RATIO = 100
ZIP_RATIO_FLOOR = 64 * 1024**2
# A layer without a CRS is taken as lon/lat only if nearly all of it lies in that range.
LONLAT_SHARE_NEEDED = 0.95
# How much of a DBF/CSV is read to decide its text encoding.
ENCODING_SAMPLE_BYTES = 8 * 1024**2
# Text that means "no value" in exports (healthsites writes "nan").
# Point layers this large are decoded with numpy (WKB points are 21 fixed bytes): ~2x faster.
FAST_POINTS_MIN = 100_000

MISSING_TEXT = ["nan", "NaN", "NAN", "None", "NULL", "null", "N/A"]

SUPPORTED = tr(
    "Harm Atlas reads GeoJSON, Shapefile (.shp, or zipped), GeoPackage, FlatGeobuf, KML/KMZ, "
    "GML, GeoParquet, and CSV/Excel tables with coordinate columns."
)
ASK_FOR_CRS = tr(
    "Give its coordinate reference system: restore the .prj file that came with it, or pass "
    "--crs EPSG:code (e.g. EPSG:2263 for US feet, New York; EPSG:3116 for MAGNA-SIRGAS "
    "Bogotá), or choose it in the desktop when adding the layer."
)

# (x column, y column) pairs tables use for coordinates; matched case-insensitively.
COORDINATE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("longitude", "latitude"),
    ("longitud", "latitud"),
    ("lon", "lat"),
    ("long", "lat"),
    ("lng", "lat"),
    ("x", "y"),
    ("xcoord", "ycoord"),
    ("coord_x", "coord_y"),
    ("point_x", "point_y"),
    ("decimallongitude", "decimallatitude"),
)
WKT_COLUMNS = ("wkt", "geometry", "geom", "the_geom", "shape")

_gdal_config_lock = threading.Lock()
_warnings_lock = threading.Lock()


@dataclass
class RawLayer:
    """What a format reader hands back before the shared checks and repairs."""

    name: str
    data: gpd.GeoDataFrame
    report: LoadReport
    sublayer: str | None = None


@dataclass(frozen=True)
class FormatReader:
    name: str
    extensions: tuple[str, ...]
    read: Callable[[Path, str | None, dict], list[RawLayer]]
    sniff: Callable[[bytes, Path], bool] | None = None


# --- entry point ----------------------------------------------------------------------


def read_layers(
    path: str | Path, sublayer: str | None = None, options: dict | None = None
) -> list[Layer]:
    """Read every vector layer of `path` (or just `sublayer`) as Layers ready to show.

    options: {"crs": "EPSG:xxxx"} for files without one (or with a wrong one),
    {"encoding": "cp1252"} to force the text encoding of a DBF/CSV.
    """
    path = Path(path)
    options = dict(options or {})
    _check_path(path)
    _check_options(path, options)
    if path.suffix.lower() in (".shx", ".dbf", ".prj", ".cpg") and _sibling(path, ".shp"):
        path = _sibling(path, ".shp")  # type: ignore[assignment]
    try:
        reader = reader_for(path)
    except LayerLoadError:
        raise
    except OSError as exc:
        raise _unreadable(path, exc) from exc
    except Exception as exc:  # a sniffer tripped on damaged bytes
        raise LayerLoadError(
            path, tr("is damaged: its format cannot be recognised."), SUPPORTED
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
        raise _explain(path, reader, exc) from exc
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


def reader_for(path: Path) -> FormatReader:
    """The format of `path`: its content decides; the extension only when content is silent."""
    head = _head(path)
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
    raise LayerLoadError(path, tr("is not a map-data file Harm Atlas knows."), SUPPORTED)


# --- shared checks and repairs ----------------------------------------------------------


def _finish_all(
    path: Path, reader: FormatReader, raws: list[RawLayer], sublayer: str | None, options: dict
) -> list[Layer]:
    if not raws:
        raise LayerLoadError(path, tr("holds no vector layers."), SUPPORTED)
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
    # Per-feature bounds are computed once and reused by every check: 1M points stay fast.
    gdf, bounds = _drop_unusable(where, gdf, report)
    gdf, bounds = _settle_crs(where, gdf, bounds, report, options)
    gdf = _drop_out_of_range(where, gdf, bounds, report)
    gdf = _repair_invalid(gdf, report)
    gdf = _blank_missing_text(gdf, report)
    if not isinstance(gdf.index, pd.RangeIndex) or gdf.index.start != 0 or gdf.index.step != 1:
        gdf.index = pd.RangeIndex(len(gdf))  # in place: reset_index would copy every column

    detection = detect_role(gdf, name_hint=f"{raw.name} {path.stem}")
    _parse_dates(gdf, detection.mapping.get("date"), report)
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


def _drop_unusable(
    where: Path, gdf: gpd.GeoDataFrame, report: LoadReport
) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """Drop null, empty and NaN/inf-coordinate geometries (counted); all-null is an error."""
    geoms = gdf.geometry.values
    missing = shapely.is_missing(geoms)
    if missing.all():
        raise LayerLoadError(
            where,
            trn(
                "has {n} feature but no geometry: the file looks truncated or damaged.",
                "has {n} features but not one geometry: the file looks truncated or damaged.",
                len(gdf),
            ).format(n=len(gdf)),
            tr(
                "Copy or download it again; for a shapefile check that .shp, .shx and .dbf "
                "come from the same export."
            ),
        )
    empty = ~missing & shapely.is_empty(geoms)
    bounds = shapely.bounds(geoms)
    not_finite = ~np.isfinite(bounds).all(axis=1) & ~missing & ~empty
    # A NaN vertex inside a line or polygon may not show in its bounds: look at the vertices.
    shaped = (shapely.get_type_id(geoms) != 0) & ~missing & ~empty & ~not_finite
    if shaped.any():
        rows = np.flatnonzero(shaped)
        coords, index = shapely.get_coordinates(geoms[rows], return_index=True)
        not_finite[rows[np.unique(index[~np.isfinite(coords).all(axis=1)])]] = True
    report.null_geometries_dropped += int(missing.sum())
    report.empty_geometries_dropped += int(empty.sum())
    report.nan_coordinates_dropped += int(not_finite.sum())
    for count, text in (
        (missing.sum(), tr("{n} features without a readable geometry were dropped.")),
        (empty.sum(), tr("{n} empty geometries were dropped.")),
        (not_finite.sum(), tr("{n} features with missing (NaN/inf) coordinates were dropped.")),
    ):
        if count:
            report.repaired(text.format(n=int(count)))
    keep = ~(missing | empty | not_finite)
    if not keep.any():
        raise LayerLoadError(
            where,
            tr("has no usable coordinates (all {n} are missing or not numbers).").format(
                n=len(gdf)
            ),
            tr("Check the coordinate columns or re-export the file."),
        )
    if keep.all():
        return gdf, bounds
    # take, not gdf[keep]: a clean copy that later in-place edits do not warn about.
    return gdf.take(np.flatnonzero(keep)), bounds[keep]


def _in_lonlat_range(bounds: np.ndarray) -> np.ndarray:
    return (
        (bounds[:, 0] >= -180)
        & (bounds[:, 2] <= 180)
        & (bounds[:, 1] >= -90)
        & (bounds[:, 3] <= 90)
    )


def _settle_crs(
    where: Path, gdf: gpd.GeoDataFrame, bounds: np.ndarray, report: LoadReport, options: dict
) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """Keep the file's CRS; assume lon/lat only when the numbers say so; else ask."""
    given = options.get("crs")
    crs = None if gdf.crs is None else CRS.from_user_input(gdf.crs)
    if given:
        user_crs = CRS.from_user_input(given)
        if crs is not None and not crs.equals(user_crs):
            report.warn(
                tr("The file declares {old}; replaced by the CRS you gave, {new}.").format(
                    old=crs_label(crs), new=crs_label(user_crs)
                )
            )
        gdf.set_crs(user_crs, allow_override=True, inplace=True)
        crs = user_crs
    if crs is None or crs.is_geographic:
        gdf, bounds = _unswap_lonlat(gdf, bounds, report)
    if crs is None:
        if _in_lonlat_range(bounds).mean() < LONLAT_SHARE_NEEDED:
            minx, miny = bounds[:, 0].min(), bounds[:, 1].min()
            maxx, maxy = bounds[:, 2].max(), bounds[:, 3].max()
            raise LayerLoadError(
                where,
                tr(
                    "has no coordinate reference system (CRS), and its coordinates "
                    "(x {x0:,.0f} to {x1:,.0f}, y {y0:,.0f} to {y1:,.0f}) are not "
                    "longitude/latitude."
                ).format(x0=minx, x1=maxx, y0=miny, y1=maxy),
                ASK_FOR_CRS,
            )
        report.crs_assumed = True
        report.warn(
            tr(
                "No CRS in the file; the coordinates look like longitude/latitude, so WGS 84 "
                "(EPSG:4326) was assumed. If the layer lands in the wrong place, give its CRS."
            )
        )
        gdf.set_crs(WGS84, inplace=True)
        return gdf, bounds
    _check_area_of_use(bounds, crs, report)
    return gdf, bounds


def _unswap_lonlat(
    gdf: gpd.GeoDataFrame, bounds: np.ndarray, report: LoadReport
) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """Latitudes beyond ±90 with every longitude inside ±90: the columns were swapped."""
    x_fits = np.abs(bounds[:, [0, 2]]).max() <= 90
    y_abs = np.abs(bounds[:, [1, 3]]).max(axis=1)
    if not (x_fits and y_abs.max() <= 180 and (y_abs > 90).mean() > 0.5):
        return gdf, bounds
    report.warn(
        tr(
            "Latitude and longitude look swapped (latitudes beyond ±90°); they were swapped "
            "back. Check the column names in the source."
        )
    )
    report.repaired(tr("Swapped x and y of every feature."))
    swapped = shapely.transform(gdf.geometry.values, lambda c: c[:, ::-1])
    gdf = gdf.set_geometry(gpd.GeoSeries(swapped, index=gdf.index, crs=gdf.crs))
    return gdf, bounds[:, [1, 0, 3, 2]]


def _check_area_of_use(bounds: np.ndarray, crs: CRS, report: LoadReport) -> None:
    """A wrong .prj is accepted silently by GDAL: compare the data with where the CRS applies."""
    minx, miny = float(bounds[:, 0].min()), float(bounds[:, 1].min())
    maxx, maxy = float(bounds[:, 2].max()), float(bounds[:, 3].max())
    label = crs_label(crs)
    if not crs.is_geographic and -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90:
        report.warn(
            tr(
                "The coordinates look like longitude/latitude degrees, but the file declares "
                "{crs} (a projected CRS in metres or feet): the .prj is probably wrong. "
                "Give the right CRS (e.g. --crs EPSG:4326)."
            ).format(crs=label)
        )
        return
    area = crs.area_of_use
    if area is None:
        return
    try:
        to_lonlat = Transformer.from_crs(crs, WGS84, always_xy=True)
        west, south, east, north = to_lonlat.transform_bounds(minx, miny, maxx, maxy)
    except Exception:  # a CRS pyproj cannot invert says nothing about the data
        return
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        report.warn(
            tr("The coordinates cannot be placed on Earth with the declared {crs}.").format(
                crs=label
            )
        )
        return
    margin = 2.0  # degrees: projected data often spills a little past a zone's edge
    outside = (
        east < area.west - margin
        or west > area.east + margin
        or north < area.south - margin
        or south > area.north + margin
    )
    if outside and area.east > area.west:  # areas crossing the antimeridian are skipped
        report.warn(
            tr(
                "The layer lies outside the area where {crs} is meant to be used ({area}); "
                "the CRS in the file is probably wrong."
            ).format(crs=label, area=area.name)
        )


def _drop_out_of_range(
    where: Path, gdf: gpd.GeoDataFrame, bounds: np.ndarray, report: LoadReport
) -> gpd.GeoDataFrame:
    if gdf.crs is None or not CRS.from_user_input(gdf.crs).is_geographic:
        return gdf
    inside = _in_lonlat_range(bounds)
    outside = int((~inside).sum())
    if not outside:
        return gdf
    if outside == len(gdf):
        raise LayerLoadError(
            where,
            tr("declares longitude/latitude but every coordinate is beyond ±180°/±90°."),
            ASK_FOR_CRS,
        )
    report.out_of_range_dropped += outside
    report.repaired(
        tr("{n} features with coordinates beyond ±180°/±90° were dropped.").format(n=outside)
    )
    return gdf.take(np.flatnonzero(inside))


def _repair_invalid(gdf: gpd.GeoDataFrame, report: LoadReport) -> gpd.GeoDataFrame:
    """make_valid, not buffer(0): a bowtie keeps both lobes (buffer(0) drops one)."""
    geoms = gdf.geometry.values
    type_ids = shapely.get_type_id(geoms)
    checkable = np.isin(type_ids, (1, 2, 3, 5, 6, 7))  # points are always valid
    if not checkable.any():
        return gdf
    invalid = np.zeros(len(gdf), dtype=bool)
    invalid[checkable] = ~shapely.is_valid(geoms[checkable])
    n = int(invalid.sum())
    if not n:
        return gdf
    fixed = np.array(geoms, dtype=object)
    fixed[invalid] = shapely.make_valid(
        np.asarray(geoms)[invalid], method="structure", keep_collapsed=False
    )
    report.invalid_repaired += n
    report.repaired(
        tr(
            "{n} invalid geometries (self-intersections etc.) were repaired with make_valid."
        ).format(n=n)
    )
    gdf = gdf.set_geometry(gpd.GeoSeries(fixed, index=gdf.index, crs=gdf.crs))
    collapsed = shapely.is_empty(fixed) | shapely.is_missing(fixed)
    if collapsed.any():
        report.empty_geometries_dropped += int(collapsed.sum())
        report.repaired(
            tr("{n} invalid geometries had no area or length left after repair; dropped.").format(
                n=int(collapsed.sum())
            )
        )
        gdf = gdf.take(np.flatnonzero(~collapsed))
    return gdf


def _blank_missing_text(gdf: gpd.GeoDataFrame, report: LoadReport) -> gpd.GeoDataFrame:
    """Turn "nan"/"NULL" strings into real missing values so counts and joins are honest."""
    total = 0
    for col in gdf.columns:
        if col == gdf.geometry.name or gdf[col].dtype != object:
            continue
        hits = gdf[col].isin(MISSING_TEXT)
        n = int(hits.sum())
        if n:
            gdf.loc[hits, col] = None
            total += n
    if total:
        report.repaired(
            tr('{n} values written as text like "nan" or "NULL" were read as missing.').format(
                n=total
            )
        )
    return gdf


DATE_FORMATS = ("ISO8601", "%d %B %Y", "%d %b %Y", "%d/%m/%Y", "%Y/%m/%d", "%d-%m-%Y")


def _parse_text_dates(text: pd.Series) -> pd.Series:
    """Each distinct text tried against the formats analysts' files use, ISO first."""
    parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    for fmt in DATE_FORMATS:
        todo = parsed.isna() & (text != "")
        if not todo.any():
            break
        # utc=True: "…Z" and plain dates mix in one column; stored as naive UTC.
        found = pd.to_datetime(text[todo], errors="coerce", format=fmt, utc=True)
        parsed[todo] = found.dt.tz_localize(None)
    return parsed


def _dates_and_presence(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    # Events share days: parse each distinct text once (1M ACLED rows hold ~10k dates).
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    text = pd.Series(np.asarray(uniques, dtype=object)).astype(str).str.strip()
    parsed_unique = _parse_text_dates(text).to_numpy()
    present_unique = (text != "").to_numpy()
    known = codes >= 0
    parsed = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[ns]")
    parsed[known] = parsed_unique[codes[known]]
    present = np.zeros(len(values), dtype=bool)
    present[known] = present_unique[codes[known]]
    return pd.Series(parsed, index=values.index), present


def parse_dates(values: pd.Series) -> pd.Series:
    """Dates as ACLED and others write them: '2025-05-16', '16 May 2025', '16/05/2025'."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    return _dates_and_presence(values)[0]


def _parse_dates(gdf: gpd.GeoDataFrame, column: str | None, report: LoadReport) -> None:
    if not column or column not in gdf.columns:
        return
    values = gdf[column]
    if pd.api.types.is_datetime64_any_dtype(values):
        return
    parsed, present = _dates_and_presence(values)
    unparsed = int((present & parsed.isna().to_numpy()).sum())
    gdf[column] = parsed
    if unparsed:
        report.dates_unparsed += unparsed
        report.warn(
            tr(
                "{n} dates in '{col}' could not be read and are kept as missing "
                "(expected e.g. 2025-05-16 or 16 May 2025)."
            ).format(n=unparsed, col=column)
        )


# --- format readers -----------------------------------------------------------------


def _read_vector(source: str, layer: str | None = None, **kwargs) -> gpd.GeoDataFrame:
    try:
        gdf = _read_many_points(source, layer, **kwargs)
        if gdf is None:
            gdf = pyogrio.read_dataframe(source, layer=layer, use_arrow=True, **kwargs)
    except shapely.errors.GEOSException:
        # One undecodable shape (e.g. a 3-point ring) must not cost the whole file.
        gdf = _read_vector_leniently(source, layer, **kwargs)
    if not isinstance(gdf, gpd.GeoDataFrame):  # a table without geometry
        raise ValueError("no geometry column")
    return gdf


def _read_many_points(source: str, layer: str | None, **kwargs) -> gpd.GeoDataFrame | None:
    """Big 2-D point layers: attributes as pyogrio reads them, points decoded with numpy.

    None when the layer is not a large point layer (the caller reads it the usual way).
    """
    try:
        info = pyogrio.read_info(source, layer=layer, **kwargs)
    except Exception:  # noqa: BLE001 - any doubt: the ordinary read decides and reports
        return None
    if info.get("geometry_type") != "Point" or (info.get("features") or 0) < FAST_POINTS_MIN:
        return None
    attributes = pyogrio.read_dataframe(
        source, layer=layer, use_arrow=True, read_geometry=False, **kwargs
    )
    meta, table = pyogrio.read_arrow(source, layer=layer, columns=[], **kwargs)
    if table.num_columns != 1 or table.num_rows != len(attributes):
        return None
    geometry = _points_from_wkb(table.column(0).combine_chunks())
    return gpd.GeoDataFrame(attributes, geometry=geometry, crs=meta.get("crs"))


def _points_from_wkb(column) -> np.ndarray:
    """Shapely points from an Arrow WKB column; anything but plain 2-D points goes to GEOS."""
    import pyarrow as pa

    wide = pa.types.is_large_binary(column.type)
    if column.null_count == 0 and (wide or pa.types.is_binary(column.type)) and len(column):
        offsets = np.frombuffer(column.buffers()[1], dtype=np.int64 if wide else np.int32)
        offsets = offsets[column.offset : column.offset + len(column) + 1]
        if (np.diff(offsets) == 21).all():
            raw = np.frombuffer(column.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
            records = raw.reshape(-1, 21)
            kinds = records[:, 1:5].copy().view("<u4").ravel()
            if (records[:, 0] == 1).all() and (kinds == 1).all():  # little-endian WKB Point
                xy = records[:, 5:21].copy().view("<f8")
                points = shapely.points(xy)
                empty = np.isnan(xy).all(axis=1)  # WKB writes POINT EMPTY as NaN NaN
                points[empty] = shapely.from_wkt("POINT EMPTY")
                return points
    return shapely.from_wkb(column.to_numpy(zero_copy_only=False))


def _read_vector_leniently(source: str, layer: str | None, **kwargs) -> gpd.GeoDataFrame:
    """Arrow read with WKB decoded one by one: broken shapes become null (counted later)."""
    meta, table = pyogrio.read_arrow(source, layer=layer, **kwargs)
    geom_col = meta.get("geometry_name") or "wkb_geometry"
    wkb = table.column(geom_col).to_numpy(zero_copy_only=False)
    geoms = shapely.from_wkb(wkb, on_invalid="ignore")
    data = table.drop_columns([geom_col]).to_pandas()
    return gpd.GeoDataFrame(data, geometry=geoms, crs=meta.get("crs"))


def _vector_layer_names(source: str) -> list[str]:
    """Layers with geometry (GeoPackage attribute-only tables are not map layers)."""
    listed = pyogrio.list_layers(source)
    return [str(name) for name, geom in listed if geom is not None]


def _pick(where: Path, names: list[str], sublayer: str | None) -> list[str]:
    if sublayer is None:
        return names
    if sublayer in names:
        return [sublayer]
    lowered = {n.lower(): n for n in names}
    if sublayer.lower() in lowered:
        return [lowered[sublayer.lower()]]
    raise LayerLoadError(
        where,
        tr("has no layer named '{name}'.").format(name=sublayer),
        tr("Layers in this file: {names}.").format(names=", ".join(names) or tr("none")),
    )


def _read_multi(path: Path, sublayer: str | None, driver: str, source: str | None = None):
    source = source or str(path)
    names = _pick(path, _vector_layer_names(source), sublayer)
    raws = []
    for name in names:
        gdf = _read_vector(source, layer=name)
        single = len(names) == 1 and sublayer is None and name.lower() == path.stem.lower()
        raws.append(
            RawLayer(
                path.stem if single else name,
                gdf,
                LoadReport(driver=driver, encoding="utf-8"),
                None if single else name,
            )
        )
    return raws


def _read_geojson(path: Path, sublayer: str | None, options: dict) -> list[RawLayer]:
    gdf = _read_vector(str(path))
    return [RawLayer(path.stem, gdf, LoadReport(driver="GeoJSON", encoding="utf-8"))]


def _read_gpkg(path: Path, sublayer: str | None, options: dict) -> list[RawLayer]:
    return _read_multi(path, sublayer, "GPKG")


def _read_fgb(path: Path, sublayer: str | None, options: dict) -> list[RawLayer]:
    gdf = _read_vector(str(path))
    return [RawLayer(path.stem, gdf, LoadReport(driver="FlatGeobuf", encoding="utf-8"))]


def _read_kml(path: Path, sublayer: str | None, options: dict) -> list[RawLayer]:
    source = str(path)
    if _is_zip(_head(path)):
        _guard_zip(path)
        with zipfile.ZipFile(path) as zf:
            kml = [n for n in zf.namelist() if n.lower().endswith(".kml")]
        if not kml:
            raise LayerLoadError(path, tr("is a KMZ without a .kml inside."), SUPPORTED)
        # doc.kml is the KMZ convention; read through /vsizip/ whatever the extension.
        main = next((n for n in kml if Path(n).name.lower() == "doc.kml"), kml[0])
        source = f"/vsizip/{path.resolve()}/{main}"
    driver = "LIBKML" if "LIBKML" in pyogrio.list_drivers() else "KML"
    raws = _read_multi(path, sublayer, driver, source)
    if len(raws) > 1 and sublayer is None:
        # Google Earth files carry empty folders as layers: skip them quietly.
        raws = [r for r in raws if len(r.data)] or raws[:1]
    return raws


def _read_gml(path: Path, sublayer: str | None, options: dict) -> list[RawLayer]:
    return _read_multi(path, sublayer, "GML")


def _read_parquet(path: Path, sublayer: str | None, options: dict) -> list[RawLayer]:
    report = LoadReport(driver="GeoParquet", encoding="utf-8")
    try:
        gdf = gpd.read_parquet(path)
    except ValueError as exc:
        if "geo" not in str(exc).lower():
            raise
        # Plain Parquet: a table, maybe with coordinate columns.
        report.driver = "Parquet"
        return [_table_to_points(path, pd.read_parquet(path), path.stem, report)]
    return [RawLayer(path.stem, gdf, report)]


# Shapefiles: on disk or inside a zip, the parts are found the same way.


class _ShapefileParts:
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
            found = _sibling(self.shp, ext)
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


def _sibling(path: Path, ext: str) -> Path | None:
    for candidate in (path.with_suffix(ext), path.with_suffix(ext.upper())):
        if candidate.exists():
            return candidate
    return None


def _codepage(text: str) -> str | None:
    """A .cpg's content as a Python codec name ('1252', 'ANSI 1252', 'UTF-8', '88591')."""
    text = text.strip().upper().replace("ANSI", "").strip()
    if not text:
        return None
    if text.isdigit():
        text = {"88591": "latin-1", "65001": "utf-8"}.get(text, f"cp{text}")
    if text.startswith("8859"):
        text = "iso-" + text
    try:
        return codecs.lookup(text).name
    except LookupError:
        return None


def _guess_encoding(sample: bytes) -> str:
    """UTF-8 if the bytes decode as such, else Windows-1252 (Latin-1 for its 5 holes)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        sample.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _dbf_encoding(parts: _ShapefileParts, options: dict, report: LoadReport) -> str:
    """Declared code page (.cpg), else UTF-8 if the text decodes so, else cp1252."""
    if options.get("encoding"):
        return codecs.lookup(options["encoding"]).name
    cpg = parts.read(".cpg", 200)
    if cpg:
        declared = _codepage(cpg.decode("ascii", "ignore"))
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
    guess = _guess_encoding(sample)
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


def _is_decoding_error(exc: Exception) -> bool:
    text = str(exc)
    return isinstance(exc, UnicodeError) or "Wrapping" in text or "codec" in text


def _decode_with_fallbacks(read: Callable, first: str, report: LoadReport, forced: bool):
    """Declared or guessed encoding, then UTF-8, then cp1252, then Latin-1 (never fails).

    The guess looks at a sample only; text further on can still disagree with it.
    """
    chain = [first]
    if not forced:
        chain += [e for e in ("utf-8", "cp1252", "latin-1") if e != codecs.lookup(first).name]
    for i, encoding in enumerate(chain):
        try:
            result = read(encoding)
        except Exception as exc:
            if not _is_decoding_error(exc) or i == len(chain) - 1:
                raise
            continue
        if encoding != first:
            report.warn(
                tr("The text is not valid {first}; it was read as {enc}.").format(
                    first=first, enc=encoding
                )
            )
        report.encoding = encoding
        return result
    raise AssertionError("unreachable: the last encoding re-raises")


def _read_shapefile(path: Path, sublayer: str | None, options: dict) -> list[RawLayer]:
    return [_read_shapefile_parts(_ShapefileParts(path), str(path), path.stem, options)]


def _read_shapefile_parts(
    parts: _ShapefileParts, source: str, name: str, options: dict, sublayer: str | None = None
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
            return _read_vector(source, **kwargs)
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
        gdf = _decode_with_fallbacks(read, first, report, forced=bool(options.get("encoding")))
    if gdf.crs is None:
        if parts.find(".prj") is None:
            report.warn(tr("The .prj file (its CRS) is missing."))
        else:
            report.warn(tr("The .prj file could not be understood (its CRS is unreadable)."))
    return RawLayer(name, gdf, report, sublayer)


def _read_restoring_shx(
    parts: _ShapefileParts, source: str, kwargs: dict, report: LoadReport
) -> gpd.GeoDataFrame:
    """Missing .shx: let GDAL rebuild it (SHAPE_RESTORE_SHX), in a temp copy if read-only."""
    with _gdal_config_lock:
        pyogrio.set_gdal_config_options({"SHAPE_RESTORE_SHX": "YES"})
        try:
            if parts.zf is None:
                try:
                    gdf = _read_vector(source, **kwargs)
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


def _read_copy(
    parts: _ShapefileParts, kwargs: dict, skip: tuple[str, ...] = ()
) -> gpd.GeoDataFrame:
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
        return _read_vector(str(target), **kwargs)


# Zip archives: guarded against bombs, then each vector member is read.

_ZIP_MEMBERS = (".shp", ".gpkg", ".geojson", ".json", ".fgb", ".kml")


def _guard_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, NotImplementedError, ValueError, EOFError) as exc:
        raise LayerLoadError(
            path, tr("is a damaged zip archive."), tr("Copy or download it again.")
        ) from exc
    total = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    ratio = total / packed
    if total > MAX_ZIP_UNCOMPRESSED or (total > ZIP_RATIO_FLOOR and ratio > MAX_ZIP_RATIO):
        raise LayerLoadError(
            path,
            tr(
                "would expand to {size:,.0f} MB ({ratio:,.0f} times its size): refused, as it "
                "looks like a zip bomb or is too large to open safely."
            ).format(size=total / 1024**2, ratio=ratio),
            tr("If you trust it, unpack it yourself and open the files inside."),
        )


def _read_zip(path: Path, sublayer: str | None, options: dict) -> list[RawLayer]:
    _guard_zip(path)
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
                SUPPORTED,
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
                parts = _ShapefileParts(path, zf, member)
                raws.append(_read_shapefile_parts(parts, source, stem, options, sub))
            else:
                names = _vector_layer_names(source)
                for name in names:
                    gdf = _read_vector(source, layer=name)
                    label = stem if len(names) == 1 else name
                    raws.append(RawLayer(label, gdf, LoadReport(encoding="utf-8"), sub))
        for raw in raws:
            raw.report.driver = f"{raw.report.driver or 'GDAL'} (zip)"
    return raws


# Tables: CSV and Excel with coordinate columns (or a WKT column).


def _text_encoding(path: Path, options: dict, report: LoadReport) -> str:
    if options.get("encoding"):
        return codecs.lookup(options["encoding"]).name
    cpg = _sibling(path, ".cpg")
    if cpg is not None:
        declared = _codepage(cpg.read_text("ascii", "ignore"))
        if declared:
            return declared
    with open(path, "rb") as fh:
        sample = fh.read(ENCODING_SAMPLE_BYTES)
    guess = _guess_encoding(sample)
    if not guess.startswith("utf-8"):
        report.warn(tr("The text is not UTF-8; it was read as {enc}.").format(enc=guess))
    return guess


def _delimiter(path: Path, encoding: str) -> str:
    with open(path, encoding=encoding, errors="replace", newline="") as fh:
        sample = fh.read(64 * 1024)
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _read_csv(path: Path, sublayer: str | None, options: dict) -> list[RawLayer]:
    report = LoadReport(driver="CSV")
    report.encoding = _text_encoding(path, options, report)
    sep = _delimiter(path, report.encoding)

    def read(encoding: str) -> pd.DataFrame:
        return pd.read_csv(path, sep=sep, encoding=encoding, low_memory=False)

    df = _decode_with_fallbacks(read, report.encoding, report, forced=bool(options.get("encoding")))
    return [_table_to_points(path, df, path.stem, report)]


def _read_xlsx(path: Path, sublayer: str | None, options: dict) -> list[RawLayer]:
    _guard_zip(path)
    sheets = pd.read_excel(path, sheet_name=None, engine="openpyxl")
    names = _pick(path, list(sheets), sublayer)
    raws, problems = [], []
    for sheet in names:
        name = path.stem if len(sheets) == 1 else sheet
        report = LoadReport(driver="XLSX", encoding="utf-8")
        try:
            raw = _table_to_points(path, sheets[sheet], name, report)
        except LayerLoadError as exc:
            problems.append(exc)
            continue
        raw.sublayer = None if len(sheets) == 1 else sheet
        raws.append(raw)
    if not raws:
        raise problems[0]
    for problem in problems:
        for raw in raws:
            raw.report.warn(tr("A sheet was skipped: {why}").format(why=problem.problem))
    return raws


def coordinate_columns(columns: list[str]) -> tuple[str, str] | None:
    """The (x, y) columns of a table, by the names analysts use, case-insensitively."""
    lowered = {str(c).strip().lower(): c for c in columns}
    for x, y in COORDINATE_COLUMNS:
        if x in lowered and y in lowered:
            return lowered[x], lowered[y]
    return None


def _numbers(values: pd.Series) -> pd.Series:
    """Coordinates as numbers; decimal commas (Spanish locale exports) are accepted."""
    if pd.api.types.is_numeric_dtype(values):
        return values.astype("float64")
    text = values.astype("string").str.strip().str.replace(",", ".", regex=False)
    return pd.to_numeric(text, errors="coerce").astype("float64")


def _table_to_points(path: Path, df: pd.DataFrame, name: str, report: LoadReport) -> RawLayer:
    pair = coordinate_columns(list(df.columns))
    if pair is not None:
        x, y = _numbers(df[pair[0]]), _numbers(df[pair[1]])
        geometry = gpd.points_from_xy(x.to_numpy(), y.to_numpy())
        # Rows without coordinates become null geometries, counted and dropped later.
        missing = (x.isna() & y.isna()).to_numpy()
        if missing.any():
            geometry = np.asarray(geometry, dtype=object)
            geometry[missing] = None
        return RawLayer(name, gpd.GeoDataFrame(df, geometry=geometry, crs=None), report)
    lowered = {str(c).strip().lower(): c for c in df.columns}
    for candidate in WKT_COLUMNS:
        if candidate in lowered:
            col = lowered[candidate]
            geoms = shapely.from_wkt(df[col].astype("string").to_numpy(), on_invalid="ignore")
            data = df.drop(columns=[col])
            return RawLayer(name, gpd.GeoDataFrame(data, geometry=geoms, crs=None), report)
    raise LayerLoadError(
        path,
        tr("has no coordinate columns (found: {cols}).").format(
            cols=", ".join(map(str, list(df.columns)[:12])) or tr("no columns")
        ),
        tr(
            "Name them latitude/longitude, lat/lon or X/Y (any case), or add a WKT column. "
            "Tables without coordinates (e.g. per municipality) must be joined to boundaries "
            "by code."
        ),
    )


# --- sniffers -----------------------------------------------------------------------------


def _head(path: Path, size: int = 4096) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(size)


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


def _is_zip(head: bytes) -> bool:
    return head[:4] in (b"PK\x03\x04", b"PK\x05\x06")


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
    FormatReader(
        "Shapefile", (".shp",), _read_shapefile, lambda h, p: h[:4] == b"\x00\x00\x27\x0a"
    ),
    FormatReader(
        "Excel", (".xlsx", ".xlsm"), _read_xlsx, lambda h, p: _is_zip(h) and _zip_kind(p) == "xlsx"
    ),
    FormatReader("KML", (".kml", ".kmz"), _read_kml, lambda h, p: _looks_like_kml(h, p)),
    FormatReader("KMZ", (), _read_kml, lambda h, p: _is_zip(h) and _zip_kind(p) == "kmz"),
    FormatReader("Zip", (".zip",), _read_zip, lambda h, p: _is_zip(h) and _zip_kind(p) == "zip"),
    FormatReader("GeoJSON", (".geojson", ".json"), _read_geojson, _looks_like_geojson),
    FormatReader(
        "GML", (".gml",), _read_gml, lambda h, p: b"<gml:" in h or b"opengis.net/gml" in h
    ),
    FormatReader("CSV", (".csv", ".tsv", ".txt"), _read_csv, None),
]


# --- errors -------------------------------------------------------------------------------


def _check_path(path: Path) -> None:
    if not path.exists():
        raise LayerLoadError(path, tr("does not exist."), tr("Check the path and file name."))
    if path.is_dir():
        raise LayerLoadError(
            path, tr("is a folder, not a file."), tr("Open a file inside it (e.g. the .shp).")
        )


def _check_options(path: Path, options: dict) -> None:
    if options.get("crs"):
        try:
            CRS.from_user_input(options["crs"])
        except CRSError as exc:
            raise LayerLoadError(
                path,
                tr("the CRS '{crs}' is not one Harm Atlas knows.").format(crs=options["crs"]),
                tr("Give an EPSG code such as EPSG:4326 (longitude/latitude) or EPSG:3116."),
            ) from exc
    if options.get("encoding"):
        try:
            codecs.lookup(options["encoding"])
        except LookupError as exc:
            raise LayerLoadError(
                path,
                tr("the text encoding '{enc}' is unknown.").format(enc=options["encoding"]),
                tr("Use e.g. UTF-8, cp1252 (Windows Western) or latin-1."),
            ) from exc


def _unreadable(path: Path, exc: OSError) -> LayerLoadError:
    return LayerLoadError(
        path,
        tr("cannot be opened ({why}).").format(why=exc.strerror or type(exc).__name__),
        tr("Check that you may read it (permissions, a disconnected drive), or copy it locally."),
    )


def _explain(path: Path, reader: FormatReader, exc: Exception) -> LayerLoadError:
    """A library exception as one sentence a user can act on."""
    if isinstance(exc, PermissionError | IsADirectoryError):
        return _unreadable(path, exc)
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
        return LayerLoadError(path, tr("is not a map-data file Harm Atlas knows."), SUPPORTED)
    if isinstance(exc, pd.errors.EmptyDataError):
        return LayerLoadError(path, tr("is an empty table."), tr("Check the file."))
    return LayerLoadError(
        path,
        tr("could not be read as {fmt}: it looks damaged or incomplete ({detail}).").format(
            fmt=reader.name, detail=detail
        ),
        tr("Copy or download it again, or export it again from the source program."),
    )


__all__ = [
    "COORDINATE_COLUMNS",
    "MAX_ZIP_RATIO",
    "MAX_ZIP_UNCOMPRESSED",
    "READERS",
    "FormatReader",
    "coordinate_columns",
    "parse_dates",
    "read_layers",
    "reader_for",
]
