"""Hot spots of events: QGIS-style quartic kernel density, Getis-Ord Gi* and emerging hot spots.

Pure, vectorised functions sit beside the `hotspots` Algorithm so tests and other analyses
(indicators) call them directly. Everything runs in a metric CRS: distances in metres.

- KDE: quartic kernel (1 − (d/r)²)² for d ≤ r, raw output by default, on QGIS's heatmap
  grid (data extent grown by r, cols = ceil(width/cell) + 1, rows = ceil(height/cell) + 1,
  anchored at the top-left corner). --sampling centres (default): d from each cell centre,
  exactly. --sampling qgis: QGIS 3.22's heatmap cell for cell, which mirrors each point's
  kernel up-down inside its cell (cells differ from centres by up to ~15 % of the peak,
  ~0.5 % in the median cell on a million points; totals agree). --out FILE.tif writes every
  cell as a float32 GeoTIFF; the layer holds the non-zero cells.
- Gi* is esda `G_Local(y, w, transform="B", star=True)` with binary weights: a distance band
  on cell centres for the grid, queen contiguity for user polygons. On the grid it is computed
  as a window sum of the count raster with the band's disc of cells (same values as esda,
  memory in proportion to the cells, so a 1 km grid over a whole country runs in seconds).
  Significance: normal p-values of z (default) or esda's permutation pseudo p-values `p_sim`
  (fixed seed; grids of at most 50,000 cells), with a Benjamini–Hochberg false-discovery-rate
  correction, binned like ArcGIS (Gi_Bin −3…3 for 99/95/90 % cold…hot).
- Emerging hot spots: Gi* per year (z-scores, normal p-values, FDR per year) and a
  Mann-Kendall trend of each cell's z over the years; categories in EMERGING_CATEGORIES.
- The grid layer holds the cells with at least one event within the band (or a hot or cold
  bin, or an emerging category); every other cell counts in the statistics but is left out
  of the layer, and the summary says how many.
- A grid is refused only when it would need more than about 3 GB of memory (estimated from
  its cells and the cells the layer will hold); the message says how much, and which cell
  size fits.
"""

from __future__ import annotations

import math
import sys
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
from pyproj import CRS

from analysis.base import (
    Algorithm,
    AnalysisResult,
    Feedback,
    Output,
    Parameter,
    Raster,
    register,
)
from analysis.cell_grid import (
    EMERGING_BYTES_PER_CELL,
    EMERGING_BYTES_PER_CELL_YEAR,
    GI_BYTES_PER_CELL,
    KDE_BYTES_PER_CELL,
    MEMORY_LIMIT_GB,
    WRITTEN_BYTES_PER_CELL,
    CellGrid,
    grid_for_extent,
)
from analysis.common_parameters import ENGINE, REGIONS, SCHEDULER, WEIGHT_FIELD
from analysis.engine import run_on_cluster
from analysis.gi_grid import band_kernel, gi_star_grid, neighbour_counts, window_sum
from analysis.hotspot_stats import (
    EMERGING_CATEGORIES,
    confidence_bins,
    emerging_categories,
    two_sided_p,
)
from analysis.inputs import InputError, run_crs
from analysis.kde import KDE_SAMPLINGS, quartic_kde, quartic_kernel
from layers.crs import WGS84
from layers.i18n import tr, tr_noop
from layers.layer import Layer
from layers.readers_points import PointCoordinates
from layers.timefilter import TimeFilter, layer_dates, time_mask

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

# libpysal weights for more centres than this take too long to build (the grid uses windows).
MAX_GI_CELLS = 100_000
# esda's permutations (999) cost ~0.5 ms per cell here: 50,000 cells take about 25 s.
PERMUTATION_SECONDS_PER_CELL = 0.5e-3
PERMUTATION_MAX_CELLS = 50_000
DEFAULT_PERMUTATIONS = 999
SEED = 12345
# Names other modules and tests take from here (the grid and the kernel have their own modules).
__all__ = [
    "EMERGING_BYTES_PER_CELL",
    "EMERGING_BYTES_PER_CELL_YEAR",
    "GI_BYTES_PER_CELL",
    "KDE_BYTES_PER_CELL",
    "MEMORY_LIMIT_GB",
    "WRITTEN_BYTES_PER_CELL",
    "CellGrid",
    "HotSpots",
    "gi_star",
    "grid_for_extent",
    "grid_gi_star",
    "grid_weights",
    "quartic_kde",
    "quartic_kernel",
]

# --- Getis-Ord Gi* --------------------------------------------------------------------------
BIN_LABELS = {
    3: tr_noop("Hot spot, 99% confidence"),
    2: tr_noop("Hot spot, 95% confidence"),
    1: tr_noop("Hot spot, 90% confidence"),
    0: tr_noop("Not significant"),
    -1: tr_noop("Cold spot, 90% confidence"),
    -2: tr_noop("Cold spot, 95% confidence"),
    -3: tr_noop("Cold spot, 99% confidence"),
}


def grid_weights(centres: np.ndarray, radius: float):
    """Binary distance-band weights (neighbours within `radius` of a cell centre).

    Only for up to MAX_GI_CELLS centres; whole grids go through `grid_gi_star`.
    """
    from libpysal.weights import DistanceBand

    if len(centres) > MAX_GI_CELLS:
        raise InputError(
            tr(
                "Distance-band weights for {n:,} cells would take too long (limit {limit:,})."
            ).format(n=len(centres), limit=MAX_GI_CELLS)
        )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return DistanceBand(centres, threshold=radius, binary=True, silence_warnings=True)


def polygon_weights(polygons: gpd.GeoDataFrame):
    """Queen contiguity (shared edge or corner) between polygons."""
    from libpysal.weights import Queen

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Queen.from_dataframe(polygons, use_index=False, silence_warnings=True)


def gi_star(
    y: np.ndarray,
    w,
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: int = SEED,
    fdr: bool = True,
    p_value: str = "normal",
) -> pd.DataFrame:
    """Getis-Ord Gi* (esda, binary weights, self included).

    Columns: gi (G*_i), z (esda Zs), p_norm (two-sided normal p from z, as ArcGIS reports),
    p_sim (esda permutation pseudo p-value, fixed seed; NaN when permutations=0), and gi_bin
    (−3…3, FDR-corrected when `fdr`) from `p_value` = "normal" or "permutation".
    Why normal by default: a pseudo p-value is never below 1/(permutations+1), so after FDR
    on thousands of cells even strong clusters rarely reach 90 %.
    """
    import pandas as pd
    from esda.getisord import G_Local

    y = np.asarray(y, dtype=float)
    if len(y) < 3:
        raise InputError(tr("Gi* needs at least three cells or regions."))
    if p_value not in ("normal", "permutation"):
        raise ValueError(f"p_value must be 'normal' or 'permutation', not {p_value!r}")
    if p_value == "permutation" and not permutations:
        raise InputError(tr("Permutation p-values need --permutations above 0."))
    if np.allclose(y, y[0]):
        nan = np.full_like(y, np.nan)
        return pd.DataFrame(
            {"gi": nan, "z": np.zeros_like(y), "p_norm": 1.0, "p_sim": nan, "gi_bin": 0}
        )
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        g = G_Local(y, w, transform="B", star=True, permutations=permutations, seed=seed)
    z = np.asarray(g.Zs, dtype=float)
    p_norm = two_sided_p(z)
    p_sim = np.asarray(g.p_sim, dtype=float) if permutations else np.full_like(z, np.nan)
    p = p_sim if p_value == "permutation" else p_norm
    return pd.DataFrame(
        {
            "gi": np.asarray(g.Gs, dtype=float),
            "z": z,
            "p_norm": p_norm,
            "p_sim": p_sim,
            "gi_bin": confidence_bins(z, p, fdr=fdr),
        }
    )


def grid_gi_star(
    grid: CellGrid,
    y: np.ndarray,
    radius: float,
    permutations: int = 0,
    seed: int = SEED,
    fdr: bool = True,
    p_value: str = "normal",
    counts: np.ndarray | None = None,
) -> pd.DataFrame:
    """Gi* of every grid cell with binary distance-band weights: what
    `gi_star(y, grid_weights(grid.centre_points(), radius))` gives, without a weights matrix.

    `y` holds every cell's value in row-major order; `counts` are the band's neighbour counts
    on this grid (`gi_grid.neighbour_counts`), passed to reuse them across years. p_sim comes
    from esda's permutations on grids of at most PERMUTATION_MAX_CELLS cells and is NaN on
    larger ones, where p_value="permutation" is refused with what to do instead.
    """
    import pandas as pd

    n = grid.rows * grid.cols
    y = np.asarray(y, dtype=float).reshape(grid.shape)
    if n < 3:
        raise InputError(tr("Gi* needs at least three cells or regions."))
    if p_value not in ("normal", "permutation"):
        raise ValueError(f"p_value must be 'normal' or 'permutation', not {p_value!r}")
    if p_value == "permutation" and not permutations:
        raise InputError(tr("Permutation p-values need --permutations above 0."))
    if p_value == "permutation" and n > PERMUTATION_MAX_CELLS:
        fits = 1000.0 * math.ceil(grid.cell * math.sqrt(n / PERMUTATION_MAX_CELLS) / 1000.0)
        while (
            math.ceil((grid.rows - 1) * grid.cell / fits + 1)
            * math.ceil((grid.cols - 1) * grid.cell / fits + 1)
            > PERMUTATION_MAX_CELLS
        ):
            fits += 1000.0
        raise InputError(
            tr(
                "Permutation p-values on {n:,} cells would take about {minutes:,.0f} minutes "
                "(limit {limit:,} cells). Use --p-value normal, a larger cell size "
                "(--cell-m {fits:g} or more) or --polygons."
            ).format(
                n=n,
                minutes=n * PERMUTATION_SECONDS_PER_CELL / 60,
                limit=PERMUTATION_MAX_CELLS,
                fits=fits,
            )
        )
    gi, z = gi_star_grid(y, band_kernel(radius, grid.cell), counts)
    gi, z = gi.ravel(), z.ravel()
    p_norm = two_sided_p(z)
    p_sim = np.full(n, np.nan)
    if permutations and n <= PERMUTATION_MAX_CELLS and np.isfinite(gi).any():
        weights = grid_weights(grid.centre_points(), radius)
        p_sim = gi_star(y.ravel(), weights, permutations=permutations, seed=seed)["p_sim"]
        p_sim = p_sim.to_numpy()
    p = p_sim if p_value == "permutation" else p_norm
    return pd.DataFrame(
        {"gi": gi, "z": z, "p_norm": p_norm, "p_sim": p_sim, "gi_bin": confidence_bins(z, p, fdr)}
    )


# --- helpers shared with the Algorithm --------------------------------------------------------
def layer_in_crs(layer: Layer, crs: CRS) -> gpd.GeoDataFrame:
    """Every feature of the layer in `crs` (row order kept; data without a CRS is lon/lat)."""
    if layer.data.crs is None:
        return layer.data.set_crs(WGS84).to_crs(crs)
    return layer.to_metric(crs)


def point_coordinates(gdf: gpd.GeoDataFrame | np.ndarray) -> np.ndarray:
    """x, y of points (representative points of other geometries), NaN rows dropped later.

    Takes a frame or its array of shapes; vectorised on type ids (a million geom_type
    strings took ~0.3 s).
    """
    import shapely

    shapes = np.asarray(gdf.geometry.values if hasattr(gdf, "geometry") else gdf)
    kinds = shapely.get_type_id(shapes)
    other = (kinds != 0) & (kinds != -1)  # -1: missing
    if other.any():
        shapes = shapes.copy()
        shapes[other] = shapely.point_on_surface(shapes[other])
    return np.column_stack([shapely.get_x(shapes), shapely.get_y(shapes)])


def event_weights(layer: Layer, field: str | None) -> np.ndarray:
    """Weight of every feature of the layer (1 when no field; blanks count 0)."""
    import pandas as pd

    if not field:
        return np.ones(len(layer.data))
    if field not in layer.data.columns:
        raise InputError(
            tr("The events layer has no field {f!r}. Fields: {fields}.").format(
                f=field, fields=", ".join(map(str, layer.data.columns))
            )
        )
    values = pd.to_numeric(layer.data[field], errors="coerce")
    return values.fillna(0.0).to_numpy(dtype=float)


# --- the analysis -------------------------------------------------------------------------------
@register
class HotSpots(Algorithm):
    id = "hotspots"
    # kde and gi_star with --engine dask (analysis/hotspots_cluster.py, loaded by name).
    cluster_module = "analysis.hotspots_cluster"
    title = tr_noop("Hot spots (kernel density, Gi*, emerging)")
    help = tr_noop(
        "Where events cluster. kde: QGIS-style quartic kernel density on a grid (raw values). "
        "gi_star: Getis-Ord Gi* z-scores on a grid of cells (or on your polygons) with normal "
        "or permutation p-values, false-discovery-rate corrected, binned 90/95/99 % hot/cold. "
        "emerging: Gi* per year and a Mann-Kendall trend per cell (new, intensifying, "
        "persistent, diminishing, sporadic, historical)."
    )
    parameters = (
        Parameter(
            "events",
            "layer",
            tr_noop("Point events (violence, eradication, cultivation points)."),
            required=True,
            roles=("violence", "eradication", "cultivation"),
            geometry=("point",),
        ),
        Parameter(
            "method",
            "enum",
            tr_noop("kde, gi_star or emerging."),
            default="kde",
            choices=("kde", "gi_star", "emerging"),
        ),
        Parameter("cell_m", "number", tr_noop("Cell size in metres."), default=1000.0),
        Parameter(
            "radius_m",
            "number",
            tr_noop(
                "kde: kernel radius in metres (default 5 cells). gi_star/emerging: neighbour "
                "distance between cell centres in metres (default 1.5 cells = the 8 touching "
                "cells)."
            ),
        ),
        WEIGHT_FIELD,
        replace(
            REGIONS,
            name="polygons",
            help=tr_noop(
                "gi_star only: count events in these polygons instead of grid cells "
                "(queen contiguity weights)."
            ),
        ),
        Parameter(
            "period",
            "string",
            tr_noop("Only events in this period: 2019, 2016-2020 or 2019-03-01..2020-02-29."),
        ),
        Parameter(
            "permutations",
            "integer",
            tr_noop(
                "Gi* permutations for esda's pseudo p-values p_sim (0: none). Grids of more "
                "than 50,000 cells get none: they would take minutes."
            ),
            default=DEFAULT_PERMUTATIONS,
        ),
        Parameter(
            "p_value",
            "enum",
            tr_noop(
                "Gi* significance from 'normal' p-values of z (as ArcGIS) or 'permutation' "
                "pseudo p-values (never below 1/(permutations+1), so few cells pass the FDR "
                "correction on large grids). Both are written to the layer."
            ),
            default="normal",
            choices=("normal", "permutation"),
        ),
        Parameter(
            "scaled", "bool", tr_noop("kde: scale to a density (QGIS 'scaled')."), default=False
        ),
        Parameter(
            "sampling",
            "enum",
            tr_noop(
                "kde: 'centres' evaluates the kernel at each cell's centre; 'qgis' repeats "
                "QGIS 3.22's heatmap cell for cell (it places each point's kernel mirrored "
                "up-down inside its cell: cells differ from 'centres' by up to ~15 % of the peak)."
            ),
            default="centres",
            choices=KDE_SAMPLINGS,
        ),
        ENGINE,
        SCHEDULER,
    )
    outputs = (
        Output("hotspots", "layer", tr_noop("Cells (or polygons) with their value, z and bin.")),
        Output("summary", "summary", tr_noop("Counts of hot and cold cells.")),
    )

    def run(self, params: dict, feedback: Feedback) -> AnalysisResult:
        params = self.validate(params)
        if params.get("engine") == "dask":  # per partition on a cluster, same grid and kernel
            return run_on_cluster(self, params, feedback)
        layer: Layer = params["events"]
        feedback.set_progress(0, tr("Preparing events"))
        if isinstance(layer, PointCoordinates):  # kde with no weight or period: points only
            crs = run_crs(params, layer, params.get("polygons"))
            xy = np.column_stack(layer.in_crs(crs))
            usable = np.isfinite(xy).all(axis=1)  # a reprojection may leave some off the map
            xy = xy if usable.all() else xy[usable]
            return self._kde(xy, np.ones(len(xy)), float(params["cell_m"]), params, crs, feedback)
        import shapely

        shapes = np.asarray(layer.data.geometry.values)
        keep = ~(shapely.is_missing(shapes) | shapely.is_empty(shapes))
        try:
            period = TimeFilter.parse(params.get("period"))
        except ValueError as exc:
            raise InputError(f"--period: {exc}") from None
        mask = time_mask(layer, period)
        if mask is not None:
            keep &= mask
        if not keep.any():
            raise InputError(tr("No events to analyse (empty layer or period)."))
        polygons: Layer | None = params.get("polygons")
        crs = run_crs(params, layer, polygons)
        # Only the shapes: copying a million-row frame to drop rows cost more than the rest.
        xy = point_coordinates(np.asarray(layer_in_crs(layer, crs).geometry.values)[keep])
        w = event_weights(layer, params.get("weight_field"))[keep]
        ok = np.isfinite(xy).all(axis=1)
        xy, w = xy[ok], w[ok]
        cell = float(params["cell_m"])
        method = params["method"]
        feedback.check()
        if method == "kde":
            return self._kde(xy, w, cell, params, crs, feedback)
        if method == "gi_star":
            return self._gi(xy, w, cell, params, crs, polygons, feedback)
        dates = layer_dates(layer)
        if dates is None:
            raise InputError(
                tr(
                    "Emerging hot spots need dated events: map a date or year field "
                    "for layer {name!r}."
                ).format(name=layer.name)
            )
        years = dates.dt.year.to_numpy()[keep][ok]
        return self._emerging(xy, w, years, cell, params, crs, feedback)

    def _kde(self, xy, w, cell, params, crs, feedback) -> AnalysisResult:
        radius = float(params.get("radius_m") or 5 * cell)
        sampling = params.get("sampling") or "centres"
        grid, values = quartic_kde(
            xy,
            radius,
            cell,
            weights=w if params.get("weight_field") else None,  # unweighted: no product
            scaled=bool(params.get("scaled")),
            feedback=feedback,
            sampling=sampling,
        )
        return kde_result(grid, values, len(xy), radius, cell, params, crs, feedback)

    def partitioned_inputs(self, params: dict) -> tuple[str, ...]:
        """With --engine dask the events stay on disk, read partition by partition."""
        return ("events",) if params.get("engine") == "dask" else ()

    def coordinates_only(self, params: dict) -> tuple[str, ...]:
        """kde with no weight and no period reads only the events' coordinates (1M points:
        ~1 s less; analysis.inputs.resolve_params asks)."""
        if params.get("method") != "kde" or params.get("weight_field") or params.get("period"):
            return ()
        return ("events",)

    def _gi(self, xy, w, cell, params, crs, polygons, feedback) -> AnalysisResult:
        import geopandas as gpd

        if polygons is not None:
            poly = layer_in_crs(polygons, crs).reset_index(drop=True)
            pts = gpd.GeoDataFrame(
                {"w": w}, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=crs
            )
            joined = gpd.sjoin(pts, poly[[poly.geometry.name]], predicate="within", how="inner")
            y = np.bincount(
                joined["index_right"].to_numpy(), weights=joined["w"], minlength=len(poly)
            )
            return gi_polygons_result(poly, y, params, crs, feedback)
        radius = band_radius(params, cell)
        bounds = (xy[:, 0].min(), xy[:, 1].min(), xy[:, 0].max(), xy[:, 1].max())
        grid = gi_grid(bounds, cell, radius, len(xy))
        idx = grid.cell_index(xy[:, 0], xy[:, 1])
        y = np.bincount(idx[idx >= 0], weights=w[idx >= 0], minlength=grid.rows * grid.cols)
        has_event = np.bincount(idx[idx >= 0], minlength=grid.rows * grid.cols) > 0
        return gi_grid_result(grid, y, has_event, radius, params, crs, feedback)

    def _emerging(self, xy, w, years, cell, params, crs, feedback) -> AnalysisResult:
        import pandas as pd

        valid = ~pd.isna(years)
        xy, w, years = xy[valid], w[valid], years[valid].astype(int)
        all_years = np.arange(years.min(), years.max() + 1)
        if len(all_years) < 3:
            raise InputError(tr("Emerging hot spots need at least three years of events."))
        radius = band_radius(params, cell)
        bounds = (xy[:, 0].min(), xy[:, 1].min(), xy[:, 0].max(), xy[:, 1].max())
        per_cell = EMERGING_BYTES_PER_CELL + EMERGING_BYTES_PER_CELL_YEAR * len(all_years)
        band_cells = int(band_kernel(radius, cell).sum())
        grid = grid_for_extent(
            bounds, cell, bytes_per_cell=per_cell, written_at_most=len(xy) * band_cells
        )
        n = grid.rows * grid.cols
        idx = grid.cell_index(xy[:, 0], xy[:, 1])
        # The band's neighbour counts depend on the grid only: computed once for every year.
        band_counts = neighbour_counts(grid.shape, band_kernel(radius, grid.cell))
        # Years as rows: each year's z is one contiguous row, and .T is cells x years.
        z = np.zeros((len(all_years), n))
        hot = np.zeros((len(all_years), n), dtype=bool)
        cold_last = np.zeros(n, dtype=bool)
        for k, year in enumerate(all_years):
            feedback.check()
            feedback.set_progress(90 * k / len(all_years), tr("Gi* for {y}").format(y=year))
            sel = (years == year) & (idx >= 0)
            y = np.bincount(idx[sel], weights=w[sel], minlength=n)
            res = grid_gi_star(grid, y, radius, counts=band_counts)
            z[k] = res["z"].to_numpy()
            gi_bin = res["gi_bin"].to_numpy()
            hot[k] = gi_bin >= 2
            if k == len(all_years) - 1:
                cold_last = gi_bin <= -2
        feedback.set_progress(90, tr("Trends"))
        category, mk_z, mk_p = emerging_categories(z.T, hot.T, cold_last)
        total = np.bincount(idx[idx >= 0], weights=w[idx >= 0], minlength=n)
        keep = written_cells(grid, idx, radius) | (category != "none")
        out = grid.to_geodataframe(
            {"events": total, "z_last": z[-1], "trend_z": mk_z, "trend_p": mk_p}, crs, keep=keep
        )
        out["category"] = category[keep]
        out["years_hot"] = hot.sum(axis=0)[keep]
        found = pd.Series(category).value_counts()  # hashing: 8 comparisons of 1.2M took 0.7 s
        counts = {c: int(found.get(c, 0)) for c in EMERGING_CATEGORIES}
        summary = {
            "method": "emerging",
            "years": [int(all_years[0]), int(all_years[-1])],
            "n": int(n),
            "weights": f"binary, distance band {radius:g} m",
            "hot_rule": "Gi* 95% confidence after FDR, normal p-values",
            "trend": "Mann-Kendall on yearly Gi* z, alpha 0.05",
            "categories": counts,
            "cell_m": cell,
            "rows": grid.rows,
            "cols": grid.cols,
            "geotransform": list(grid.geotransform),
            "cells_written": int(len(out)),
            "crs": crs.to_string(),
        }
        notes = [f"{k}: {tr(v)}" for k, v in EMERGING_CATEGORIES.items()]
        notes.append(
            tr(
                "{left:,} of {n:,} cells have no event within {radius:g} m in any year and no "
                "pattern: they count in the statistics but are left out of the layer."
            ).format(left=int(n - keep.sum()), n=n, radius=radius)
        )
        return AnalysisResult(
            summary=summary,
            layers={"hotspots": out},
            notes=notes,
            styles={"hotspots": {"field": "category", "kind": "categorical"}},
        )


def kde_result(grid, values, n_events, radius, cell, params, crs, feedback) -> AnalysisResult:
    """The kde result from the density grid (the local and the cluster engines share it)."""
    sampling = params.get("sampling") or "centres"
    feedback.check()
    feedback.set_progress(90, tr("Writing cells"))
    layers = cell_layers(
        {"hotspots": lambda: grid.to_geodataframe({"density": values}, crs, keep=values != 0)}
    )
    summary = {
        "method": "kde",
        "kernel": "quartic",
        "output": "scaled" if params.get("scaled") else "raw",
        "sampling": sampling,
        "radius_m": radius,
        "cell_m": cell,
        "rows": grid.rows,
        "cols": grid.cols,
        "geotransform": list(grid.geotransform),
        "events": int(n_events),
        "cells_with_density": int(np.count_nonzero(values)),  # the layer's rows
        "max_density": float(values.max()) if values.size else 0.0,
        "crs": crs.to_string(),
    }
    return AnalysisResult(
        summary=summary,
        layers=layers,
        rasters={"density": Raster(values, grid.geotransform, crs)},
        notes=[
            tr(
                "Cells with zero density are left out of the layer; --out FILE.tif writes "
                "every cell as a float32 GeoTIFF."
            )
        ],
        styles={"hotspots": {"field": "density", "kind": "graduated"}},
    )


def gi_grid(bounds: tuple, cell: float, radius: float, n_events: int) -> CellGrid:
    """Gi*'s grid over the events' extent (refused when too large for this machine)."""
    # The layer holds the cells within the band of an event (or significant ones).
    band_cells = int(band_kernel(radius, cell).sum())
    return grid_for_extent(
        bounds, cell, bytes_per_cell=GI_BYTES_PER_CELL, written_at_most=n_events * band_cells
    )


def gi_polygons_result(poly, y, params, crs, feedback) -> AnalysisResult:
    """Gi* on the polygons' summed events `y` (queen contiguity), as a result."""
    perms = int(params.get("permutations") or 0)
    notes: list[str] = []
    feedback.set_progress(30, tr("Contiguity weights"))
    weights = polygon_weights(poly)
    feedback.check()
    res = gi_star(y, weights, permutations=perms, p_value=params["p_value"])
    if weights.islands:  # a polygon touching no other has no neighbourhood to judge
        res.loc[weights.islands, ["z", "p_norm", "p_sim"]] = np.nan
        res.loc[weights.islands, "gi_bin"] = 0
        notes.append(
            tr("{n} polygons touch no other: left without a z-score.").format(
                n=len(weights.islands)
            )
        )
    all_bins = res["gi_bin"].to_numpy()
    return _gi_result(poly.copy(), y, res, all_bins, "queen contiguity", notes, params, crs,
                      feedback)  # fmt: skip


def gi_grid_result(grid, y, has_event, radius, params, crs, feedback) -> AnalysisResult:
    """Gi* on a grid's summed events `y` (flat, row-major); `has_event` marks the cells
    holding at least one event (the local and the cluster engines share this)."""
    perms = int(params.get("permutations") or 0)
    notes: list[str] = []
    n = grid.rows * grid.cols
    feedback.set_progress(30, tr("Gi* on {n:,} cells").format(n=n))
    feedback.check()
    res = grid_gi_star(grid, y, radius, permutations=perms, p_value=params["p_value"])
    if perms and n > PERMUTATION_MAX_CELLS:
        notes.append(
            tr(
                "No permutation p-values (p_sim) on {n:,} cells: esda's permutations "
                "would take about {minutes:,.0f} minutes; bins use normal p-values."
            ).format(n=n, minutes=n * PERMUTATION_SECONDS_PER_CELL / 60)
        )
    feedback.set_progress(80, tr("Writing cells"))
    all_bins = res["gi_bin"].to_numpy()
    keep = near_events(grid, has_event, radius) | (all_bins != 0)
    out = grid.to_geodataframe({}, crs, keep=keep)
    notes.append(
        tr(
            "{left:,} of {n:,} cells have no event within {radius:g} m and no hot or "
            "cold bin: they count in the statistics but are left out of the layer."
        ).format(left=int(n - keep.sum()), n=n, radius=radius)
    )
    return _gi_result(out, y[keep], res[keep], all_bins, f"distance band {radius:g} m", notes,
                      params, crs, feedback, grid)  # fmt: skip


def _gi_result(out, y, res, all_bins, neighbours, notes, params, crs, feedback, grid=None):
    feedback.check()
    out["events"] = y
    for col in ("z", "p_norm", "p_sim", "gi_bin"):
        out[col] = res[col].to_numpy()
    labels = np.array([tr(BIN_LABELS[b]) for b in range(-3, 4)], dtype=object)
    out["hot_spot"] = labels[out["gi_bin"].to_numpy().astype(int) + 3]
    counts = {str(k): int((all_bins == k).sum()) for k in sorted(BIN_LABELS)}
    summary = {
        "method": "gi_star",
        "units": "polygons" if grid is None else "cells",
        "n": len(all_bins),
        "weights": f"binary, {neighbours}",
        "permutations": int(params.get("permutations") or 0),
        "seed": SEED,
        "fdr": "Benjamini-Hochberg",
        "p_value": params["p_value"],
        "bins": counts,
        "hot": int((out["gi_bin"] > 0).sum()),
        "cold": int((out["gi_bin"] < 0).sum()),
        "events": float(out["events"].sum()),
        "crs": crs.to_string(),
    }
    if grid is not None:
        summary.update(
            cell_m=grid.cell,
            rows=grid.rows,
            cols=grid.cols,
            geotransform=list(grid.geotransform),
            cells_written=int(len(out)),
        )
    return AnalysisResult(
        summary=summary,
        layers={"hotspots": out},
        notes=notes,
        styles={"hotspots": {"field": "gi_bin", "kind": "diverging"}},
    )


class LazyLayers(Mapping):
    """Result layers built the first time they are looked at (then kept)."""

    def __init__(self, builders: dict[str, Callable[[], gpd.GeoDataFrame]]) -> None:
        self._builders = builders
        self._built: dict[str, gpd.GeoDataFrame] = {}

    def __getitem__(self, name: str) -> gpd.GeoDataFrame:
        if name not in self._built:
            self._built[name] = self._builders[name]()
        return self._built[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._builders)

    def __len__(self) -> int:
        return len(self._builders)


def cell_layers(
    builders: dict[str, Callable[[], gpd.GeoDataFrame]],
) -> Mapping[str, gpd.GeoDataFrame]:
    """The layers now when GeoPandas is loaded (the app: built in the analysis's thread, as
    before); else when first asked for: `--out x.tif` never asks, so a coordinates-only run
    never imports GeoPandas (~0.5 s) nor builds the polygons (docs/performance.md)."""
    if "geopandas" in sys.modules:
        return {name: build() for name, build in builders.items()}
    return LazyLayers(builders)


def band_radius(params: dict, cell: float) -> float:
    """Gi*'s neighbour distance: --radius-m, or 1.5 cells (the 8 touching cells)."""
    radius = float(params.get("radius_m") or 1.5 * cell)
    if not radius > 0:
        raise InputError(tr("The neighbour distance (--radius-m) must be a positive number."))
    return radius


def written_cells(grid: CellGrid, idx: np.ndarray, radius: float) -> np.ndarray:
    """Flat mask of the cells with at least one event (cell index `idx`) within `radius`."""
    has_event = np.zeros(grid.rows * grid.cols, dtype=bool)
    has_event[idx[idx >= 0]] = True
    return near_events(grid, has_event, radius)


def near_events(grid: CellGrid, has_event: np.ndarray, radius: float) -> np.ndarray:
    """Flat mask of the cells within `radius` of a cell marked in `has_event`."""
    near = window_sum(has_event.reshape(grid.shape).astype(float), band_kernel(radius, grid.cell))
    return (near > 0.5).ravel()
