"""Environmental-harm indicators per region that do not come from eradication footprints:
new cultivation inside protected areas (a SIMCI grid) and forest lost in the period (a
loss-year raster measured by analysis.zonal.zonal_table; docs/methods.md, "Rasters in the
indicators"). A missing source makes the columns null, never 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import shapely

from analysis.count import point_polygon_pairs
from analysis.cultivation import classify_cells, window_years
from analysis.hotspots import layer_in_crs
from analysis.zonal import zonal_table
from layers.i18n import tr
from layers.roles import Role
from layers.timefilter import TimeFilter

CULTIVATION_WINDOW_YEARS = 10
LOSS_COLUMNS = ("forest_loss_ha", "forest_loss_per_1000ha")


def new_cultivation(ctx: Any, out: pd.DataFrame) -> None:
    """new_cultivation_protected_ha per region: SIMCI grid cells inside protected areas with
    no coca at the start of the period and some at its end (their hectares then)."""
    import geopandas as gpd

    column = "new_cultivation_protected_ha"
    grids = [layer for layer in ctx.by_role(Role.CULTIVATION) if layer.mapping.year_columns]
    protected = ctx.by_role(Role.PROTECTED_AREAS)
    if not grids or not protected:
        ctx.missing(
            [column],
            out,
            tr("New cultivation in protected areas needs a cultivation grid and protected areas."),
        )
        return
    grid_layer = grids[0]
    end = ctx.period.end.year if ctx.period is not None and ctx.period.end else None
    window = CULTIVATION_WINDOW_YEARS
    if ctx.period is not None and ctx.period.start and ctx.period.end:
        window = max(2, ctx.period.end.year - ctx.period.start.year + 1)
    years, _ = window_years(grid_layer.mapping.year_columns, window, end)
    if len(years) < 2:
        ctx.missing([column], out, tr("New cultivation needs at least two grid years."))
        return
    grid = layer_in_crs(grid_layer, ctx.crs)
    cols = grid_layer.mapping.year_columns
    ha = np.column_stack(
        [pd.to_numeric(grid[cols[y]], errors="coerce").fillna(0.0).to_numpy() for y in years]
    )
    # "New" against the start of the period: SIMCI's rule (classify_cells) applied to the
    # first and last year only, so cells that appeared mid-period and stayed are counted.
    classes = classify_cells(ha[:, [0, -1]])
    centroids = grid.geometry.centroid
    pa = np.asarray(layer_in_crs(protected[0], ctx.crs).geometry.values)
    _, inside_idx = point_polygon_pairs(centroids, pa)
    inside = np.zeros(len(grid), dtype=bool)
    inside[inside_idx] = True
    chosen = inside & (classes == "new")
    pts = gpd.GeoDataFrame(geometry=centroids.values, crs=ctx.crs)
    region = ctx.region_of(pts)
    out[column] = ctx.sum_by_region(region, np.where(chosen, ha[:, -1], 0.0))
    ctx.notes.append(
        tr(
            "New cultivation in protected areas: hectares in {b} of grid cells that had "
            "no coca in {a}."
        ).format(a=years[0], b=years[-1])
    )


def forest_loss(ctx: Any, out: pd.DataFrame) -> None:
    """forest_loss_ha and forest_loss_per_1000ha per region in the period (all loss years
    when the period is open); null without a loss-year raster, which keeps them out of the
    harm index."""
    if ctx.loss_raster is None:
        for column in LOSS_COLUMNS:
            out[column] = np.nan
        return
    table = zonal_table(
        ctx.loss_raster, ctx.regions, ("classes",), period=ctx.period or TimeFilter()
    )
    lost = table["loss_ha"].to_numpy(dtype=float)
    area_ha = shapely.area(ctx.polys) / 10_000.0
    out["forest_loss_ha"] = lost
    with np.errstate(invalid="ignore", divide="ignore"):
        out["forest_loss_per_1000ha"] = np.where(area_ha > 0, lost / area_ha * 1000.0, np.nan)
    ctx.notes.append(
        tr("Forest loss: hectares of loss-year pixels in {p}, weighted by coverage.").format(
            p=ctx.period.label if ctx.period is not None else tr("any year")
        )
    )
