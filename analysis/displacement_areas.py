"""The areas and events a displacement run counts in (analysis/displacement.py says which):
events as (location, time, weight) observations, the target, ring and control areas per
cohort of targets sharing a date, and the counts per area in each window.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from analysis.base import Feedback
from analysis.count import PointIndex
from analysis.displacement_measures import displacement_measures, ring_measures
from analysis.inputs import InputError, in_metric
from layers.i18n import tr
from layers.layer import Layer


# --- areas and events ---------------------------------------------------------------------
@dataclass
class Observations:
    """Events as locations plus (location, time, weight) rows; time in days or years."""

    locations: np.ndarray  # shapely points
    loc: np.ndarray  # location index of each observation
    time: np.ndarray  # integer day number or year
    weight: np.ndarray | None  # None = plain counts
    unit: str  # "days" or "years"
    label: str  # what a count means: "events", "hectares", "sum of fatalities"

    def __post_init__(self) -> None:
        # Sorted by time, so each window is one slice found by binary search.
        order = np.argsort(self.time, kind="stable")
        self.loc, self.time = self.loc[order], self.time[order]
        if self.weight is not None:
            self.weight = self.weight[order]


def day_numbers(dates: pd.Series) -> np.ndarray:
    """Whole days since 1970 (NaT -> a huge negative so no window ever takes it)."""
    values = pd.to_datetime(dates).dt.normalize()
    days = (values - pd.Timestamp("1970-01-01")).dt.days
    return days.fillna(-(10**9)).to_numpy(dtype=np.int64)


def grid_observations(grid: gpd.GeoDataFrame, year_columns: dict[int, str]) -> Observations:
    """A SIMCI-style grid as events: each cell centroid, each year, weighted by its hectares."""
    years = sorted(year_columns)
    centroids = np.asarray(grid.geometry.centroid.values)
    values = np.column_stack(
        [pd.to_numeric(grid[year_columns[y]], errors="coerce").fillna(0.0) for y in years]
    )
    n = len(grid)
    loc = np.repeat(np.arange(n), len(years))
    time = np.tile(np.asarray(years, dtype=np.int64), n)
    weight = values.reshape(-1)
    keep = weight > 0
    return Observations(centroids, loc[keep], time[keep], weight[keep], "years", "hectares")


def point_observations(
    points: gpd.GeoDataFrame, dates: pd.Series, weight: str | None
) -> Observations:
    locations = np.asarray(points.geometry.values)
    w = None
    if weight:
        w = pd.to_numeric(points[weight], errors="coerce").fillna(0.0).to_numpy(dtype=float)
    label = tr("events") if not weight else tr("sum of {w}").format(w=weight)
    return Observations(locations, np.arange(len(points)), day_numbers(dates), w, "days", label)


def loss_observations() -> Observations:
    """No events: a loss-year raster's hectares are measured per area (Study.loss)."""
    none = np.empty(0, dtype=np.int64)
    return Observations(
        np.empty(0, dtype=object), none, none, np.empty(0), "years", tr("hectares of forest loss")
    )


def raster_region(raster: Any, crs: CRS) -> Layer:
    """The raster's extent as the default study region (its footprint in the metric CRS)."""
    from pyproj import Transformer

    x0, y0, x1, y1 = raster.info.bounds
    ring = shapely.box(x0, y0, x1, y1).exterior.segmentize((x1 - x0) / 64.0)
    xy = shapely.get_coordinates(ring)
    x, y = Transformer.from_crs(raster.crs, crs, always_xy=True).transform(xy[:, 0], xy[:, 1])
    shape = shapely.Polygon(np.column_stack([x, y]))
    return Layer(gpd.GeoDataFrame(geometry=[shape], crs=crs), tr("Raster extent"))


def union_of(geoms: Any) -> shapely.Geometry:
    arr = np.asarray(getattr(geoms, "values", geoms))
    arr = arr[~shapely.is_empty(arr) & ~shapely.is_missing(arr)]
    if len(arr) == 0:
        return shapely.Polygon()
    return shapely.make_valid(shapely.union_all(arr))


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """Keep only the areal parts (differences can leave slivers of lines or points)."""
    if geom.is_empty or geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


@dataclass
class Cohort:
    time: int
    targets: shapely.Geometry
    rings: list[shapely.Geometry]
    n_targets: int


@dataclass
class Study:
    """What every measurement of one run shares: the events, where they are, the targets'
    shapes and the study region. Built once, so a run per operation costs only its own areas."""

    obs: Observations
    shapes: np.ndarray  # every target's treated area
    region: shapely.Geometry
    control_layer: Layer | None
    crs: CRS
    window: int
    buffer_m: float
    rings: int
    loss: Any = None  # a loss-year RasterLayer: the outcome instead of the events

    def __post_init__(self) -> None:
        self.index = PointIndex(self.obs.locations)  # where the events are, searched per area
        self._inside_region: np.ndarray | None = None

    def when(self, t: int) -> str:
        if self.obs.unit == "years":
            return str(t)
        return (pd.Timestamp("1970-01-01") + pd.Timedelta(days=int(t))).date().isoformat()

    def _mask(self, area: shapely.Geometry) -> np.ndarray:
        out = np.zeros(len(self.obs.locations), dtype=bool)
        out[self.index.inside(area)] = True
        return out

    @property
    def inside_region(self) -> np.ndarray:
        if self._inside_region is None:  # the one costly point-in-polygon: a whole country
            self._inside_region = self._mask(self.region)
        return self._inside_region

    def _area_in_region(self, area: shapely.Geometry) -> float:
        """Area of `area` inside the region, cutting the region to its box first (fast)."""
        if area.is_empty:
            return 0.0
        near = shapely.clip_by_rect(self.region, *area.bounds)
        return float(shapely.intersection(near, area).area)

    def measure(
        self,
        cohorts_src: list[tuple[int, np.ndarray]],
        feedback: Feedback | None,
        progress: tuple[float, float] | None,
        with_layers: bool = True,
    ) -> tuple[dict[str, Any], dict[str, gpd.GeoDataFrame], list[str]]:
        """Summary, result layers and notes for the targets in `cohorts_src`."""
        buffer_m, rings = self.buffer_m, self.rings
        rows_used = np.concatenate([rows for _, rows in cohorts_src])
        all_targets = union_of(self.shapes[rows_used])

        def step(fraction: float, message: str) -> None:
            if feedback is not None:
                feedback.check()
                if progress is not None:
                    lo, hi = progress
                    feedback.set_progress(lo + (hi - lo) * fraction, message)

        step(0.0, tr("Building target, buffer and control areas"))
        cohorts = []
        for time_value, rows in cohorts_src:
            if feedback is not None:
                feedback.check()
            shapes = union_of(self.shapes[rows])
            cohorts.append(
                Cohort(
                    int(time_value), shapes, _rings(shapes, all_targets, buffer_m, rings), len(rows)
                )
            )
        # Buffering each target then uniting is ~30x faster than buffering their union.
        outer = union_of(shapely.buffer(self.shapes[rows_used], buffer_m * rings))
        k_dc, k_c = rings + 1, rings + 2
        n_loc = len(self.obs.locations)
        static = np.full(n_loc, -1, dtype=np.int64)
        notes: list[str] = []
        control = dcontrol = None
        step(0.2, tr("Placing events"))
        if self.control_layer is not None:
            region = self.region
            control_raw = union_of(in_metric(self.control_layer, self.crs).geometry)
            control = _polygonal(control_raw.intersection(region).difference(outer))
            if control.area < 0.999 * control_raw.intersection(region).area:
                notes.append(
                    tr("Parts of the control inside the targets or buffers were left out.")
                )
            dcontrol = shapely.buffer(control, buffer_m).intersection(region)
            dcontrol = _polygonal(dcontrol.difference(control).difference(outer))
            control_ha, dcontrol_ha = control.area / 1e4, dcontrol.area / 1e4
            for code, area in ((k_dc, dcontrol), (k_c, control)):
                idx = self.index.inside(area)
                static[idx[static[idx] == -1]] = code
        else:
            # Default control: the region beyond the guard, found by masks, not by cutting
            # the guard out of a country-sized polygon for every operation.
            guard = union_of(shapely.buffer(self.shapes[rows_used], buffer_m * (rings + 1)))
            in_guard, in_outer = self._mask(guard), self._mask(outer)
            static[self.inside_region & in_guard & ~in_outer] = k_dc
            static[self.inside_region & ~in_guard] = k_c
            guard_in, outer_in = self._area_in_region(guard), self._area_in_region(outer)
            control_ha = (self.region.area - guard_in) / 1e4
            dcontrol_ha = (guard_in - outer_in) / 1e4
            if with_layers or self.loss is not None:
                control = _polygonal(self.region.difference(guard))
                dcontrol = _polygonal(guard.difference(outer).intersection(self.region))
        if control_ha <= 0:
            raise InputError(
                tr(
                    "The control area is empty: the buffers cover the study region. Give --region "
                    "or --control, or a smaller --buffer-m."
                )
            )
        # counts[k] = (before, after) for area code k, summed over cohorts.
        totals = np.zeros((rings + 3, 2))
        per_cohort = []
        if self.loss is not None:
            step(0.25, tr("Forest loss per area"))
            lost = _loss_window_counts(self.loss, cohorts, dcontrol, control, self.window, self.crs)
        for i, cohort in enumerate(cohorts):
            step(0.25 + 0.7 * i / max(len(cohorts), 1), tr("Counting events"))
            labels = static.copy()
            for code, area in [(0, cohort.targets)] + list(enumerate(cohort.rings, start=1)):
                if area.is_empty or self.loss is not None:
                    continue
                idx = self.index.inside(area)
                free = idx[(labels[idx] == -1) | (labels[idx] > code)]
                labels[free] = code
            if self.loss is not None:
                counts = lost[i]
            else:
                counts = _window_counts(self.obs, labels, cohort.time, self.window, rings + 3)
            totals += counts
            per_cohort.append(counts)
        step(1.0, tr("Computing measures"))

        (Rb, Ra), (Db, Da) = totals[0], totals[1]
        (Dcb, Dca), (Cb, Ca) = totals[k_dc], totals[k_c]
        is_count = self.obs.weight is None
        measures = displacement_measures(Rb, Ra, Db, Da, Cb, Ca, counts=is_count, Dcb=Dcb, Dca=Dca)
        ring_rows = ring_measures(Rb, Ra, Cb, Ca, [tuple(totals[k]) for k in range(1, rings + 1)])
        for row in ring_rows:
            row["inner_m"] = buffer_m * (row["ring"] - 1)
            row["outer_m"] = buffer_m * row["ring"]
        notes = notes + measures.pop("notes")
        summary: dict[str, Any] = {
            "target": _pair(Rb, Ra, is_count),
            "buffer": _pair(Db, Da, is_count),
            "control": _pair(Cb, Ca, is_count),
            "displacement_control": _pair(Dcb, Dca, is_count),
            **measures,
            "rings": [
                {k: (_num(v, is_count) if k in ("before", "after") else v) for k, v in r.items()}
                for r in ring_rows
            ]
            if rings > 1
            else None,
            "measure": self.obs.label,
            "window": {"before": self.window, "after": self.window, "unit": self.obs.unit},
            "buffer_m": buffer_m,
            "cohorts": len(cohorts),
            "targets": int(sum(c.n_targets for c in cohorts)),
            "areas_ha": {
                "target": all_targets.area / 1e4,
                # The union of every cohort's ring is costly; a table per operation omits it.
                "buffer": union_of([c.rings[0] for c in cohorts]).area / 1e4
                if with_layers
                else None,
                "control": control_ha,
                "displacement_control": dcontrol_ha,
            },
            "crs": self.crs.to_string(),
        }
        if summary["rings"] is None:
            del summary["rings"]
        if not with_layers:
            return summary, {}, notes
        layers = result_layers(cohorts, per_cohort, control, dcontrol, totals, self.crs, self.obs)
        # Each ring's WDQ pooled over the cohorts (ring 1 is the headline WDQ).
        layers["buffer"]["wdq"] = [ring_rows[k - 1]["wdq"] for k in layers["buffer"]["ring"]]
        return summary, layers, notes


def _rings(
    shapes: shapely.Geometry, all_targets: shapely.Geometry, width: float, k: int
) -> list[shapely.Geometry]:
    """K rings of `width` around `shapes`, outside every target."""
    out, inner = [], shapes
    for i in range(1, k + 1):
        outer = shapely.buffer(shapes, width * i)
        out.append(_polygonal(outer.difference(inner).difference(all_targets)))
        inner = outer
    return out


def _window_counts(
    obs: Observations, labels: np.ndarray, t0: int, window: int, n_codes: int
) -> np.ndarray:
    """[(before, after)] per area code for one intervention time."""
    out = np.zeros((n_codes, 2))
    for j, (lo, hi) in enumerate(((t0 - window, t0 - 1), (t0 + 1, t0 + window))):
        start, stop = np.searchsorted(obs.time, [lo, hi + 1], "left")  # time is sorted
        codes = labels[obs.loc[start:stop]]
        placed = codes >= 0
        w = None if obs.weight is None else obs.weight[start:stop][placed]
        out[:, j] = np.bincount(codes[placed], weights=w, minlength=n_codes)
    return out


def _loss_window_counts(
    raster: Any,
    cohorts: list[Cohort],
    dcontrol: shapely.Geometry,
    control: shapely.Geometry,
    window: int,
    crs: CRS,
) -> list[np.ndarray]:
    """[(before, after)] hectares of forest lost per area code for each cohort: its target
    and rings, then the shared displacement-control and control; the cohort's year is in
    neither window (analysis/loss_windows.py). One zonal_table call for every area."""
    from analysis.loss_windows import loss_by_year, window_sum, windows
    from analysis.zonal import zonal_table

    geoms = [g for c in cohorts for g in [c.targets, *c.rings]] + [dcontrol, control]
    frame = gpd.GeoDataFrame(geometry=geoms, crs=crs)
    by_year = loss_by_year(zonal_table(raster, frame, ("classes",), metric=crs))
    per_area = len(cohorts[0].rings) + 1 if cohorts else 0
    out = []
    for k, cohort in enumerate(cohorts):
        mine = list(range(k * per_area, (k + 1) * per_area)) + [len(geoms) - 2, len(geoms) - 1]
        rows = by_year.iloc[mine]
        before, after = windows(cohort.time, window)
        out.append(np.column_stack([window_sum(rows, *before), window_sum(rows, *after)]))
    return out


def _num(value: float, is_count: bool) -> float | int:
    return int(round(value)) if is_count else round(float(value), 4)


def _pair(before: float, after: float, is_count: bool) -> dict[str, float | int]:
    return {"before": _num(before, is_count), "after": _num(after, is_count)}


def result_layers(
    cohorts: list[Cohort],
    per_cohort: list[np.ndarray],
    control: shapely.Geometry,
    dcontrol: shapely.Geometry,
    totals: np.ndarray,
    crs: CRS,
    obs: Observations,
) -> dict[str, gpd.GeoDataFrame]:
    def when(t: int) -> str:
        if obs.unit == "years":
            return str(t)
        return (pd.Timestamp("1970-01-01") + pd.Timedelta(days=int(t))).date().isoformat()

    target_rows, ring_rows = [], []
    for cohort, counts in zip(cohorts, per_cohort, strict=True):
        target_rows.append(
            {"date": when(cohort.time), "targets": cohort.n_targets}
            | {"before": counts[0][0], "after": counts[0][1], "geometry": cohort.targets}
        )
        for k, ring in enumerate(cohort.rings, start=1):
            ring_rows.append(
                {"date": when(cohort.time), "ring": k, "before": counts[k][0]}
                | {"after": counts[k][1], "geometry": ring}
            )
    k_dc, k_c = len(totals) - 2, len(totals) - 1
    control_rows = [
        {"area": "control", "before": totals[k_c][0], "after": totals[k_c][1]}
        | {"geometry": control},
        {"area": "displacement_control", "before": totals[k_dc][0]}
        | {"after": totals[k_dc][1], "geometry": dcontrol},
    ]
    return {
        "target": gpd.GeoDataFrame(target_rows, geometry="geometry", crs=crs),
        "buffer": gpd.GeoDataFrame(ring_rows, geometry="geometry", crs=crs),
        "control": gpd.GeoDataFrame(control_rows, geometry="geometry", crs=crs),
    }
