"""Save one analysis result layer or table (the desktop's "Save result") as GeoPackage,
GeoJSON or CSV, through the one result writer (analysis/outputs.py): written beside the
target and renamed, so a failed save never leaves half a file or clobbers the previous one."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import pandas as pd

from analysis.inputs import InputError
from analysis.outputs import write_frame

# The writer's one error: what is wrong with the requested save, and what to do.
ResultExportError = InputError


def export_result(
    data: gpd.GeoDataFrame | pd.DataFrame,
    path: str | Path,
    *,
    layer: str | None = None,
    protect: Iterable[str | Path] = (),
) -> Path:
    """Write `data` to `path` (.gpkg, .geojson/.json or .csv); returns the path written.

    GeoJSON is written in EPSG:4326 (RFC 7946); CSV keeps geometry as WKT in a
    `geometry_wkt` column. A GeoPackage gets one layer named `layer` (default: file stem).
    Files in `protect` (the project, its layers) are refused.
    """
    return write_frame(data, path, layer=layer, protect=protect)
