"""Save one analysis result layer or table (the desktop's "Save result") as GeoPackage,
GeoJSON or CSV, through the one result writer (analysis/outputs.py): written beside the
target and renamed, so a failed save never leaves half a file or clobbers the previous one."""

from __future__ import annotations

from analysis.inputs import InputError
from analysis.outputs import write_frame

# The writer's one error: what is wrong with the requested save, and what to do.
ResultExportError = InputError
# Write `data` to `path` (.gpkg, .geojson/.json or .csv); returns the path written. GeoJSON in
# EPSG:4326 (RFC 7946), CSV with geometry as WKT, files in `protect` refused: the one writer.
export_result = write_frame
