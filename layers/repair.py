"""The repairs every layer goes through after its format driver, whatever the format.

Unusable geometries dropped, the CRS settled (kept, given, or assumed lon/lat only when the
numbers say so), swapped lon/lat put back, coordinates off the globe dropped, invalid shapes
repaired, "nan"/"NULL" text read as missing. Each repair is counted in the LoadReport.
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from layers.crs import WGS84, crs_label
from layers.errors import LayerLoadError
from layers.i18n import tr, trn
from layers.read_errors import ASK_FOR_CRS
from layers.report import LoadReport

# A layer without a CRS is taken as lon/lat only if nearly all of it lies in that range.
LONLAT_SHARE_NEEDED = 0.95
# Text that means "no value" in exports (healthsites writes "nan").
MISSING_TEXT = ["nan", "NaN", "NAN", "None", "NULL", "null", "N/A"]


def repair(
    where: Path, gdf: gpd.GeoDataFrame, report: LoadReport, options: dict
) -> gpd.GeoDataFrame:
    """Every check and repair in order; `where` names the file (and layer) in messages."""
    # Per-feature bounds are computed once and reused by every check: 1M points stay fast.
    gdf, bounds = _drop_unusable(where, gdf, report)
    gdf, bounds = _settle_crs(where, gdf, bounds, report, options)
    gdf = _drop_out_of_range(where, gdf, bounds, report)
    gdf = _repair_invalid(gdf, report)
    gdf = _blank_missing_text(gdf, report)
    if not isinstance(gdf.index, pd.RangeIndex) or gdf.index.start != 0 or gdf.index.step != 1:
        gdf.index = pd.RangeIndex(len(gdf))  # in place: reset_index would copy every column
    return gdf


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
                tr(ASK_FOR_CRS),
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
            tr(ASK_FOR_CRS),
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
    # One isin over all text columns: a per-column loop costs ~0.3 ms a column even when
    # nothing matches, seconds for a table thousands of columns wide.
    text = [
        c
        for c, d in gdf.dtypes.items()
        if pd.api.types.is_object_dtype(d) and c != gdf.geometry.name
    ]
    hits = pd.DataFrame(gdf[text]).isin(MISSING_TEXT) if text else pd.DataFrame()
    per_column = hits.sum()
    total = int(per_column.sum())
    for col in per_column.index[per_column.to_numpy() > 0]:
        gdf.loc[hits[col].to_numpy(), col] = None
    if total:
        report.repaired(
            tr('{n} values written as text like "nan" or "NULL" were read as missing.').format(
                n=total
            )
        )
    return gdf
