"""One writer for analysis results: .gpkg, .geojson, .csv, .json and .tif (docs/architecture.md).

- Atomic: every file is written in a temporary folder beside the target, flushed to disk and
  moved over the target with os.replace, so a write that fails half-way (disk full, a value
  GDAL refuses, a cancel) leaves the previous file whole and never a half file in its place.
- It never writes over a file it is told to protect (the open project, the input layers):
  one line saying which, before anything is written.
- CSV text cells a spreadsheet would run as a formula get a leading apostrophe.

`write_result` writes a whole AnalysisResult (the `analyze --out` semantics); `write_frame`
writes one layer or table (the desktop's "Save result"). core/runner.py decides what to protect.
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
import shutil
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from analysis.base import AnalysisResult, Raster
from analysis.inputs import InputError
from layers.crs import WGS84
from layers.i18n import tr

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

OUT_FORMATS = (".gpkg", ".geojson", ".json", ".csv", ".tif")
# Grids (AnalysisResult.rasters) only: GeoTIFF through rasterio.
RASTER_FORMATS = (".tif", ".tiff")
# Leading characters that make Excel, LibreOffice or Sheets read a cell as a formula (OWASP
# "CSV injection"); tab and carriage return are stripped by some of them before parsing.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


# --- JSON ---------------------------------------------------------------------------------
def to_json(value: Any) -> Any:
    """JSON-able copy: NaN/inf/None -> null, numpy scalars -> Python, dates -> ISO text."""
    pd = sys.modules.get("pandas")  # pandas values exist only once pandas is imported

    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | np.ndarray):
        return [to_json(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, datetime | date) or (pd is not None and isinstance(value, pd.Timestamp)):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | str):
        return value
    if pd is not None and (value is pd.NA or value is pd.NaT):
        return None
    return str(value)


def summary_payload(result: AnalysisResult) -> dict:
    """The summary with its notes: what `--json` prints and a .json output holds."""
    payload = dict(result.summary)
    if result.notes:
        payload.setdefault("notes", result.notes)
    return payload


# --- checks -------------------------------------------------------------------------------
def check_format(path: str | Path, flag: str = "") -> str:
    """The output's suffix, or InputError naming the formats this writer knows."""
    suffix = Path(path).suffix.lower()
    if suffix not in OUT_FORMATS + RASTER_FORMATS:
        raise InputError(
            tr("{flag} {p}: write to {fmts}.")
            .format(flag=flag, p=path, fmts=", ".join(OUT_FORMATS))
            .strip()
        )
    return suffix


def check_not_protected(targets: Iterable[str | Path], protect: Iterable[str | Path]) -> None:
    """InputError if a target is a protected file (the project, an input layer's file)."""
    guarded = [Path(p) for p in protect if p]
    for target in map(Path, targets):
        for kept in guarded:
            if _same_file(target, kept):
                raise InputError(
                    tr(
                        "Will not write over {p}: it is an input of this run (the project or "
                        "a layer's file). Choose another file name."
                    ).format(p=target)
                )


def _same_file(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    try:  # hard links and case-insensitive file systems
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


# --- cells --------------------------------------------------------------------------------
def writable(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns every driver stores: text names, lists and dicts as JSON text, mixed as text."""
    import geopandas as gpd

    out = frame.copy()
    out.columns = [str(c) for c in out.columns]
    geometry = out.geometry.name if isinstance(out, gpd.GeoDataFrame) else None
    for col in out.columns:
        if col == geometry or out[col].dtype != object:
            continue
        kinds = {type(v) for v in out[col].dropna().head(1000)}
        if kinds & {list, dict, tuple, set, np.ndarray}:
            out[col] = out[col].map(lambda v: None if v is None else json.dumps(to_json(v)))
        elif len(kinds) > 1 or (kinds and not kinds <= {str}):
            out[col] = out[col].map(lambda v: None if _missing(v) else str(v))
    return out


def _missing(value: Any) -> bool:
    import pandas as pd

    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells and headers starting with = + - @ tab or CR get a leading ' (numbers stay)."""
    import pandas as pd

    out = frame.copy()
    out.columns = [_quoted(str(c)) for c in out.columns]
    for i in range(out.shape[1]):
        series = out.iloc[:, i]
        if not (
            series.dtype == object or isinstance(series.dtype, pd.StringDtype | pd.CategoricalDtype)
        ):
            continue
        text = series.astype(object)
        risky = _text_test(text, lambda t: t.str.startswith(FORMULA_STARTS, na=False))
        if risky.any():  # few cells: the exact test (numbers stay) only on those
            risky[risky] = text[risky].map(_needs_quote).to_numpy(dtype=bool)
        if risky.any():
            text[risky] = "'" + text[risky].astype(str)
            out.isetitem(i, text)
    return out


def _text_test(text: pd.Series, test: Callable[[pd.Series], pd.Series]) -> np.ndarray:
    """`test` over a column's text cells at C speed (non-text cells are False)."""
    try:
        return test(text).to_numpy(dtype=bool)
    except AttributeError:  # no text in the column at all (dates, numbers as objects)
        return np.zeros(len(text), dtype=bool)


def _needs_quote(value: Any) -> bool:
    return (
        isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value)
    )


def _quoted(text: str) -> str:
    return "'" + text if _needs_quote(text) else text


# --- whole results (analyze --out) --------------------------------------------------------
def write_result(
    result: AnalysisResult, path: str | Path, *, protect: Iterable[str | Path] = ()
) -> list[Path]:
    """Write the result where asked; returns the files written.

    .json: the summary (as --json prints it). .csv: the table, else the first layer's
    attributes. .gpkg: every layer and the table. .geojson: the first layer in FILE, any
    others beside it as FILE_<name> (GeoJSON holds one layer, in lon/lat: RFC 7946).
    .tif: the first grid (result.rasters) as a float32 GeoTIFF, any others as FILE_<name>.
    """
    target = Path(path)
    suffix = check_format(target)
    jobs: dict[Path, Callable[[Path], None]] = {}
    if suffix in RASTER_FORMATS:
        if not result.rasters:
            raise InputError(tr("This analysis gives no grid to write as GeoTIFF; use .gpkg."))
        for i, (name, raster) in enumerate(result.rasters.items()):
            each = target if i == 0 else target.with_name(f"{target.stem}_{name}{target.suffix}")
            jobs[each] = lambda tmp, raster=raster: write_geotiff(raster, tmp)
    elif suffix == ".json":
        text = json.dumps(to_json(summary_payload(result)), indent=2, ensure_ascii=False)
        jobs[target] = lambda tmp: tmp.write_text(text, encoding="utf-8")
    elif suffix == ".csv":
        import pandas as pd

        frame = result.table
        if frame is None:
            if not result.layers:
                raise InputError(tr("This analysis has no table or layer to write as CSV."))
            layer = next(iter(result.layers.values()))
            frame = pd.DataFrame(layer.drop(columns=layer.geometry.name))
        jobs[target] = lambda tmp: _write_csv(writable(frame), tmp)
    elif not result.layers:
        raise InputError(tr("This analysis gives no layer; write its table with --out FILE.csv."))
    elif suffix == ".gpkg":
        jobs[target] = lambda tmp: _write_geopackage(result, tmp)
    else:
        for i, (name, gdf) in enumerate(result.layers.items()):
            each = target if i == 0 else target.with_name(f"{target.stem}_{name}{target.suffix}")
            jobs[each] = lambda tmp, gdf=gdf: _write_geojson(gdf, tmp)
    check_not_protected(jobs, protect)
    return _commit(jobs)


def _write_geopackage(result: AnalysisResult, tmp: Path) -> None:
    import geopandas as gpd

    for name, gdf in result.layers.items():
        writable(gdf).to_file(tmp, layer=name, driver="GPKG", engine="pyogrio")
    if result.table is not None:
        table = gpd.GeoDataFrame(result.table.copy(), geometry=[None] * len(result.table))
        with warnings.catch_warnings():  # a table without geometry has no CRS to give
            warnings.filterwarnings("ignore", message="'crs' was not provided")
            writable(table).to_file(tmp, layer="table", driver="GPKG", engine="pyogrio")


# --- one layer or table (the desktop's Save result) ---------------------------------------
def write_frame(
    data: gpd.GeoDataFrame | pd.DataFrame,
    path: str | Path,
    *,
    layer: str | None = None,
    protect: Iterable[str | Path] = (),
) -> Path:
    """Write one layer or table to .gpkg, .geojson (also .json) or .csv; returns the path.

    GeoJSON is in lon/lat (RFC 7946); CSV keeps the geometry as WKT in `geometry_wkt`; a
    GeoPackage gets one layer named `layer` (default: the file's stem).
    """
    import geopandas as gpd
    import pandas as pd

    target = Path(path)
    suffix = check_format(target)
    if suffix in RASTER_FORMATS:
        raise InputError(tr("A layer or table is saved as .gpkg, .geojson or .csv, not .tif."))
    is_geo = isinstance(data, gpd.GeoDataFrame) and data.geometry.name in data.columns
    if suffix != ".csv" and not is_geo:
        raise InputError(tr("This result is a table without geometry: save it as .csv."))
    frame = writable(data)
    if suffix == ".csv" and is_geo:
        geometry = frame.geometry
        frame = pd.DataFrame(frame.drop(columns=geometry.name))
        frame["geometry_wkt"] = geometry.to_wkt().to_numpy()
    if suffix == ".csv":
        write: Callable[[Path], None] = lambda tmp: _write_csv(frame, tmp)  # noqa: E731
    elif suffix == ".gpkg":
        write = lambda tmp: frame.to_file(  # noqa: E731
            tmp, layer=layer or target.stem, driver="GPKG", engine="pyogrio"
        )
    else:
        write = lambda tmp: _write_geojson(frame, tmp)  # noqa: E731
    check_not_protected([target], protect)
    return _commit({target: write})[0]


# --- formats ------------------------------------------------------------------------------
def _write_csv(frame: pd.DataFrame, tmp: Path) -> None:
    safe = neutralise_formulas(frame)
    # Python 3.11's csv leaves a cell with a bare carriage return unquoted when lines end in
    # \n, and readers then split the row there: such a file quotes every text cell.
    quoting = csv.QUOTE_NONNUMERIC if _has_carriage_return(safe) else csv.QUOTE_MINIMAL
    safe.to_csv(tmp, index=False, lineterminator="\n", quoting=quoting)


def _has_carriage_return(frame: pd.DataFrame) -> bool:
    import pandas as pd

    if any("\r" in str(c) for c in frame.columns):
        return True
    for i in range(frame.shape[1]):
        series = frame.iloc[:, i]
        if series.dtype == object or isinstance(series.dtype, pd.StringDtype):
            if _text_test(series, lambda t: t.str.contains("\r", regex=False, na=False)).any():
                return True
    return False


def _write_geojson(gdf: gpd.GeoDataFrame, tmp: Path) -> None:
    data = writable(gdf)
    if data.crs is not None:
        data = data.to_crs(WGS84)  # RFC 7946: GeoJSON is lon/lat
    data.to_file(tmp, driver="GeoJSON", engine="pyogrio")


def write_geotiff(raster: Raster, path: str | Path) -> None:
    """One-band float32 GeoTIFF of a grid (row 0 at the top), with its CRS and transform.

    Every cell is written, zeros included (a density of 0 is a value, not missing);
    deflate-compressed and tiled, as GIS software reads large grids fastest.
    """
    import rasterio  # only a .tif output pays for importing it
    from affine import Affine

    values = np.asarray(raster.values, dtype=np.float32)
    rows, cols = values.shape
    tiled = rows >= 256 and cols >= 256
    profile = {
        "driver": "GTiff",
        "width": cols,
        "height": rows,
        "count": 1,
        "dtype": "float32",
        "crs": None if raster.crs is None else raster.crs.to_wkt(),
        "transform": Affine.from_gdal(*raster.geotransform),
        "compress": "deflate",
        "predictor": 3,  # floating-point predictor: smaller smooth surfaces
        "tiled": tiled,
    }
    if tiled:
        profile |= {"blockxsize": 256, "blockysize": 256}
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(values, 1)


def _commit(jobs: dict[Path, Callable[[Path], None]]) -> list[Path]:
    """Write each file in a temporary folder beside its target, then move them into place."""
    parent = next(iter(jobs)).parent
    parent.mkdir(parents=True, exist_ok=True)
    # A folder, not a temporary file: GDAL creates its files itself (and its journals beside).
    staging = Path(tempfile.mkdtemp(prefix=".harm-atlas-write-", dir=parent))
    try:
        staged = []
        for target, write in jobs.items():
            tmp = staging / target.name
            write(tmp)
            _flush_to_disk(tmp)
            staged.append((tmp, target))
        for tmp, target in staged:
            os.replace(tmp, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [target for _, target in staged]


def _flush_to_disk(path: Path) -> None:
    # The rename must not reach the disk before the bytes it points at (a crash then).
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())
