"""Save an analysis result (layer or table) as GeoPackage, GeoJSON or CSV.

Used by the desktop's "Save result" and the CLI. Writes beside the target and renames,
so a failed save never leaves half a file or clobbers the previous one.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd

from layers.i18n import tr

RESULT_FORMATS = {".gpkg": "GPKG", ".geojson": "GeoJSON", ".json": "GeoJSON", ".csv": "CSV"}


class ResultExportError(ValueError):
    """What is wrong with the requested save, and what to do."""


def _clean(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns every driver accepts: text names, mixed objects as text."""
    frame = frame.copy()
    frame.columns = [str(c) for c in frame.columns]
    geom = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    for col in frame.columns:
        if col == geom:
            continue
        series = frame[col]
        if series.dtype == object:
            kinds = {type(v) for v in series.dropna().head(1000)}
            if len(kinds) > 1 or (kinds and not kinds <= {str}):
                frame[col] = series.map(lambda v: None if v is None else str(v))
    return frame


def export_result(
    data: gpd.GeoDataFrame | pd.DataFrame, path: str | Path, *, layer: str | None = None
) -> Path:
    """Write `data` to `path` (.gpkg, .geojson/.json or .csv); returns the path written.

    GeoJSON is written in EPSG:4326 (RFC 7946); CSV keeps geometry as WKT in a
    `geometry_wkt` column. A GeoPackage gets one layer named `layer` (default: file stem).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in RESULT_FORMATS:
        raise ResultExportError(
            tr("Cannot save a result as {s!r}: use .gpkg, .geojson or .csv.").format(
                s=path.suffix or path.name
            )
        )
    is_geo = isinstance(data, gpd.GeoDataFrame) and data.geometry.name in data.columns
    if suffix != ".csv" and not is_geo:
        raise ResultExportError(tr("This result is a table without geometry: save it as .csv."))
    frame = _clean(data)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    os.unlink(tmp)  # GDAL wants to create the file itself
    try:
        if suffix == ".csv":
            if is_geo:
                geom = frame.geometry
                frame = pd.DataFrame(frame.drop(columns=geom.name))
                frame["geometry_wkt"] = geom.to_wkt().to_numpy()
            frame.to_csv(tmp, index=False, lineterminator="\n")
        elif suffix == ".gpkg":
            frame.to_file(tmp, driver="GPKG", layer=layer or path.stem, engine="pyogrio")
        else:
            if frame.crs is not None and not frame.crs.equals("EPSG:4326"):
                frame = frame.to_crs(4326)
            frame.to_file(tmp, driver="GeoJSON", engine="pyogrio")
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
