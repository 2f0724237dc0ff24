"""Events of one violence layer per region: what the indicators count (violent events, their
fatalities and the events of each year), for the local engine on the whole layer and for the
dask engine on one partition of it (analysis/indicators_cluster.py), with the same code.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def violence_sums(ctx: Any, layer: Any) -> tuple[np.ndarray, np.ndarray | None, dict]:
    """(violent events, fatalities or None without a fatalities field, {year: events}) per
    region of `ctx` (analysis/indicators.py _Context: period, regions, CRS), for the layer's
    events in the period that are violence; an event counts in the first region holding it."""
    from analysis.indicators import _dates, _to_crs, _violent

    gdf = _to_crs(layer, ctx.crs)
    mask = ctx.in_period(layer) & _violent(layer)
    region = ctx.region_of(gdf[mask])
    events = ctx.sum_by_region(region)
    deaths = None
    fcol = layer.field("fatalities")
    if fcol and fcol in gdf.columns:
        f = pd.to_numeric(gdf.loc[mask, fcol], errors="coerce").fillna(0.0).to_numpy()
        deaths = ctx.sum_by_region(region, f)
    yearly: dict[int, np.ndarray] = {}
    dates = _dates(layer)
    if dates is not None:
        years = dates[mask].dt.year.to_numpy()
        for y in np.unique(years[np.isfinite(years)]).astype(int):
            yearly[int(y)] = ctx.sum_by_region(region[years == y])
    return events, deaths, yearly
