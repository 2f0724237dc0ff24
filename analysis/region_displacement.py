"""Displacement (WDQ) of violence and of cultivation around each region's eradication, for
the harm indicators: one before/after comparison per region, all regions in one pass.

Per region: target R = within `reach_m` of the region's operations, buffer D = the next
`buffer_m`, control C = the rest of the study area beyond a further `buffer_m` (as
analysis.displacement's default control, whose displacement-control ring is in neither).
The measures are analysis.displacement_measures.displacement_measures (docs/methods.md).

At national scale (1,100 regions, 1.2 million grid observations) the work per region must
not touch every observation: the study-wide control totals come from prefix sums over the
time-sorted observations, and only the locations near a region's operations are visited.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analysis.displacement_areas import Observations


def area_labels(
    locations: np.ndarray,
    shapes: np.ndarray,
    reach_m: float,
    buffer_m: float,
    inside_study: np.ndarray,
    xy: np.ndarray | None = None,
) -> np.ndarray:
    """0 target (≤ reach_m from an operation), 1 buffer (the next buffer_m), 2 control, −1 else.

    As analysis.displacement's default control: the ring after the buffer (its
    displacement-control ring, another buffer_m wide) is in neither buffer nor control.
    """
    far = reach_m + 2 * buffer_m
    near, d = _near(locations, shapes, far, xy)
    labels = np.where(inside_study, 2, -1)
    labels[near] = _near_labels(d, reach_m, buffer_m)
    return labels


def _near(
    locations: np.ndarray, shapes: np.ndarray, far: float, xy: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the locations within `far` of any shape, and their distance to the nearest."""
    x0, y0, x1, y1 = shapely.total_bounds(shapes)
    xy = shapely.get_coordinates(locations) if xy is None else xy
    box = np.flatnonzero(
        (xy[:, 0] >= x0 - far)
        & (xy[:, 0] <= x1 + far)
        & (xy[:, 1] >= y0 - far)
        & (xy[:, 1] <= y1 + far)
    )
    return _nearest_within(locations, box, shapes, far)


def _nearest_within(
    locations: np.ndarray, candidates: np.ndarray, shapes: np.ndarray, far: float
) -> tuple[np.ndarray, np.ndarray]:
    q, t = shapely.STRtree(shapes).query_nearest(
        locations[candidates], max_distance=far, all_matches=False
    )
    d = shapely.distance(locations[candidates[q]], shapes[t])
    return candidates[q], d


def _near_labels(d: np.ndarray, reach_m: float, buffer_m: float) -> np.ndarray:
    return np.where(d <= reach_m, 0, np.where(d <= reach_m + buffer_m, 1, -1))


def window_totals(obs: Observations, labels: np.ndarray, t0: int, window: int) -> np.ndarray:
    """[(before, after)] for target, buffer, control; the intervention day/year in neither."""
    out = np.zeros((3, 2))
    for j, (lo, hi) in enumerate(_windows(t0, window)):
        take = (obs.time >= lo) & (obs.time <= hi)
        codes = labels[obs.loc[take]]
        placed = codes >= 0
        w = None if obs.weight is None else obs.weight[take][placed]
        out[:, j] = np.bincount(codes[placed], weights=w, minlength=3)[:3]
    return out


def _windows(t0: int, window: int) -> tuple[tuple[int, int], tuple[int, int]]:
    return (t0 - window, t0 - 1), (t0 + 1, t0 + window)


@dataclass
class StudyWindows:
    """Window totals of one set of observations for many regions, each visiting only its
    nearby locations: control = all of the study in the window − what lies near the region.

    `inside_study`: per location, whether it is in the study area (the control's universe).
    """

    obs: Observations
    inside_study: np.ndarray

    def __post_init__(self) -> None:
        obs = self.obs
        w = np.ones(len(obs.time)) if obs.weight is None else np.asarray(obs.weight, float)
        self._weight = w
        # obs is sorted by time: the study's total in a window is a difference of prefix sums.
        self._prefix = np.concatenate([[0.0], np.cumsum(w * self.inside_study[obs.loc])])
        # Observations grouped by location (CSR), to gather the few near a region's operations.
        self._by_loc = np.argsort(obs.loc, kind="stable")
        n_loc = len(obs.locations)
        counts = np.bincount(obs.loc, minlength=n_loc)
        self._start = np.concatenate([[0], np.cumsum(counts)])
        self._xy = shapely.get_coordinates(obs.locations)
        order = np.argsort(self._xy[:, 0], kind="stable")
        self._x_order, self._x_sorted = order, self._xy[order, 0]

    def candidates(self, shapes: np.ndarray, far: float) -> np.ndarray:
        """Locations in the shapes' box grown by `far` (one slice of x, then a y mask)."""
        x0, y0, x1, y1 = shapely.total_bounds(shapes)
        a = np.searchsorted(self._x_sorted, x0 - far, side="left")
        b = np.searchsorted(self._x_sorted, x1 + far, side="right")
        rows = self._x_order[a:b]
        y = self._xy[rows, 1]
        return np.sort(rows[(y >= y0 - far) & (y <= y1 + far)])

    def totals(
        self, shapes: np.ndarray, reach_m: float, buffer_m: float, t0: int, window: int
    ) -> np.ndarray:
        """As window_totals(obs, area_labels(...), t0, window), touching only near locations."""
        far = reach_m + 2 * buffer_m
        near, d = _nearest_within(self.obs.locations, self.candidates(shapes, far), shapes, far)
        labels = _near_labels(d, reach_m, buffer_m)
        # The observations of the near locations, with their location's label.
        start, stop = self._start[near], self._start[near + 1]
        lengths = stop - start
        rows = self._by_loc[_ranges(start, lengths)]
        row_label = np.repeat(labels, lengths)
        row_inside = np.repeat(self.inside_study[near], lengths)
        time = self.obs.time[rows]
        out = np.zeros((3, 2))
        for j, (lo, hi) in enumerate(_windows(t0, window)):
            take = (time >= lo) & (time <= hi)
            w = self._weight[rows[take]]
            lab = row_label[take]
            out[0, j] = w[lab == 0].sum()
            out[1, j] = w[lab == 1].sum()
            a = np.searchsorted(self.obs.time, lo, side="left")
            b = np.searchsorted(self.obs.time, hi, side="right")
            out[2, j] = self._prefix[b] - self._prefix[a] - w[row_inside[take]].sum()
        return out


def _ranges(start: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Concatenation of arange(s, s + n) for each (s, n), without a Python loop."""
    total = int(lengths.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    offsets = np.repeat(np.cumsum(lengths) - lengths, lengths)
    return np.repeat(start, lengths) + (np.arange(total) - offsets)


def region_targets(
    targets: list[gpd.GeoDataFrame], point_radius_m: float
) -> dict[int, tuple[np.ndarray, Any]]:
    """Per region with dated eradication: its treated shapes and the intervention date.

    Points become circles of their reported hectares (`point_radius_m` without). The date is when half
    the region's hectares had been eradicated (operations spread over years; one date keeps
    the before/after windows readable).
    """
    dated = [t[t["date"].notna()] for t in targets]
    dated = [t for t in dated if len(t)]
    if not dated:
        return {}
    frame = pd.concat(dated, ignore_index=True)
    ha = frame["ha"].to_numpy(dtype=float)
    ok = np.isfinite(ha) & (ha > 0)
    radius = np.where(ok, np.sqrt(np.where(ok, ha, 0.0) * 1e4 / math.pi), point_radius_m)
    geom = frame.geometry.values
    is_point = shapely.get_type_id(geom) == 0
    shapes = np.where(is_point, shapely.buffer(geom, radius, quad_segs=4), geom)
    weight = np.where(np.isfinite(ha), ha, 1.0)
    when = pd.to_datetime(frame["date"]).to_numpy()
    region = frame["region"].to_numpy()
    out = {}
    for r in np.unique(region[region >= 0]):
        rows = np.flatnonzero(region == r)
        order = rows[np.argsort(when[rows])]
        cum = np.cumsum(weight[order])
        date = pd.Timestamp(when[order[np.searchsorted(cum, cum[-1] / 2)]]).date()
        out[int(r)] = (shapes[rows], date)
    return out
