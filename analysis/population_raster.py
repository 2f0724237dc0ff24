"""The indicators' population from a population raster (WorldPop, GHS-POP), when neither the
regions nor the settlements carry one (docs/methods.md, "Rasters in the indicators"):

- people per region: the raster summed by analysis.zonal.zonal_table, coverage-weighted;
- demand points for 2SFCA: the raster's cells holding people (analysis.access.raster_demand).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from analysis.access import raster_demand
from analysis.count import point_polygon_pairs
from analysis.zonal import open_raster_input, zonal_table
from layers.i18n import tr

if TYPE_CHECKING:
    from layers.raster import RasterLayer


def optional_raster(path: Any, flag: str) -> RasterLayer | None:
    """The raster named by an optional parameter (None when not given)."""
    return None if path in (None, "") else open_raster_input(path, flag)


def raster_population(ctx: Any) -> np.ndarray:
    """People per region: the population raster summed under each region, pixels weighted by
    their share inside it (so people on a border are split, not counted twice)."""
    table = zonal_table(ctx.population_raster, ctx.regions, ("sum",), metric=ctx.crs)
    ctx.notes.append(tr("Population per region: sum of the population raster (coverage)."))
    return table["sum"].to_numpy(dtype=float)


def raster_demand_points(ctx: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(cell centres, their people, their region: -1 outside) for 2SFCA demand."""
    xy, people = raster_demand(ctx.population_raster, tuple(ctx.regions.total_bounds), ctx.crs)
    region = np.full(len(xy), -1, dtype=np.int64)
    poly_i, cell_i = point_polygon_pairs(shapely.points(xy), ctx.polys)
    region[cell_i] = poly_i
    ctx.notes.append(tr("Access measured from the population raster's cells."))
    return xy, people, region
