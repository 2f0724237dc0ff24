"""Tables as point layers: CSV and Excel with coordinate columns (or a WKT column)."""

from __future__ import annotations

import csv
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers.encodings import decode_with_fallbacks, text_encoding
from layers.errors import LayerLoadError
from layers.i18n import tr
from layers.report import LoadReport
from layers.vector_io import RawLayer, guard_zip, pick

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
# A table wider than this is refused before pandas sees it: pandas takes minutes on a
# 1,000,000-column header (docs/traps.md), and no point table needs that many.
MAX_TABLE_COLUMNS = 10_000
# The header is scanned in pieces of this many characters, up to the column limit.
_HEADER_CHUNK = 1024**2


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


def table_to_points(path: Path, df: pd.DataFrame, name: str, report: LoadReport) -> RawLayer:
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


def _delimiter(path: Path, encoding: str) -> str:
    with open(path, encoding=encoding, errors="replace", newline="") as fh:
        sample = fh.read(64 * 1024)
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _header_columns(path: Path, sep: str, encoding: str) -> int:
    """Columns in the first line, counted by delimiters (quoted ones too: an upper bound).

    Stops once MAX_TABLE_COLUMNS is passed, so a huge or endless first line costs little.
    """
    count = 1
    with open(path, encoding=encoding, errors="replace", newline="") as fh:
        while chunk := fh.read(_HEADER_CHUNK):
            end = chunk.find("\n")
            count += chunk[: None if end < 0 else end].count(sep)
            if end >= 0 or count > MAX_TABLE_COLUMNS:
                break
    return count


def _check_width(path: Path, sep: str, encoding: str) -> None:
    if _header_columns(path, sep, encoding) > MAX_TABLE_COLUMNS:
        raise LayerLoadError(
            path,
            tr("has more than {limit:,} columns, more than Harm Atlas reads.").format(
                limit=MAX_TABLE_COLUMNS
            ),
            tr(
                "Keep only the columns you need (the coordinates and the values to analyse) "
                "and save it again, e.g. with csvcut -c or a spreadsheet."
            ),
        )


def read_csv(path: Path, sublayer: str | None, options: dict) -> list[RawLayer]:
    report = LoadReport(driver="CSV")
    report.encoding = text_encoding(path, options, report)
    sep = _delimiter(path, report.encoding)
    _check_width(path, sep, report.encoding)

    def read(encoding: str) -> pd.DataFrame:
        return pd.read_csv(path, sep=sep, encoding=encoding, low_memory=False)

    df = decode_with_fallbacks(read, report.encoding, report, forced=bool(options.get("encoding")))
    return [table_to_points(path, df, path.stem, report)]


def read_xlsx(path: Path, sublayer: str | None, options: dict) -> list[RawLayer]:
    guard_zip(path)
    sheets = pd.read_excel(path, sheet_name=None, engine="openpyxl")
    names = pick(path, list(sheets), sublayer)
    raws, problems = [], []
    for sheet in names:
        name = path.stem if len(sheets) == 1 else sheet
        report = LoadReport(driver="XLSX", encoding="utf-8")
        try:
            raw = table_to_points(path, sheets[sheet], name, report)
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
