"""Events of one violence layer per region: what the indicators count (violent events, their
fatalities and the events of each year), for the local engine on the whole layer and for the
dask engine on one partition of it (analysis/indicators_cluster.py), with the same code.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

# ACLED event types that are violence (Protests, Riots, Strategic developments are not).
VIOLENT_EVENT_TYPES = ("battles", "explosions/remote violence", "violence against civilians")


def violent(layer: Any) -> np.ndarray:
    """Events of the layer that are violence (all of them without an event type field)."""
    col = layer.field("event_type")
    if not col or col not in layer.data.columns:
        return np.ones(len(layer.data), dtype=bool)
    types = layer.data[col].astype(str).str.strip().str.lower()
    return types.isin(VIOLENT_EVENT_TYPES).to_numpy()


def feature_dates_of(layer: Any) -> pd.Series | None:
    """Each feature's date from the layer's date field, else its year field; None if undated."""
    from analysis.inputs import feature_dates

    for key in ("date", "year"):
        col = layer.field(key)
        if col and col in layer.data.columns:
            return feature_dates(layer, col)
    return None


def violence_sums(ctx: Any, layer: Any) -> tuple[np.ndarray, np.ndarray | None, dict]:
    """(violent events, fatalities or None without a fatalities field, {year: events}) per
    region of `ctx` (analysis/indicators.py _Context: period, regions, CRS), for the layer's
    events in the period that are violence; an event counts in the first region holding it."""
    from analysis.hotspots import layer_in_crs

    gdf = layer_in_crs(layer, ctx.crs)
    mask = ctx.in_period(layer) & violent(layer)
    region = ctx.region_of(gdf[mask])
    events = ctx.sum_by_region(region)
    deaths = None
    fcol = layer.field("fatalities")
    if fcol and fcol in gdf.columns:
        f = pd.to_numeric(gdf.loc[mask, fcol], errors="coerce").fillna(0.0).to_numpy()
        deaths = ctx.sum_by_region(region, f)
    yearly: dict[int, np.ndarray] = {}
    dates = feature_dates_of(layer)
    if dates is not None:
        years = dates[mask].dt.year.to_numpy()
        for y in np.unique(years[np.isfinite(years)]).astype(int):
            yearly[int(y)] = ctx.sum_by_region(region[years == y])
    return events, deaths, yearly
