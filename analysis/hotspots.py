"""Hot spots of events: QGIS-style quartic kernel density, Getis-Ord Gi* and emerging hot spots.

Pure, vectorised functions sit beside the `hotspots` Algorithm so tests and other analyses
(indicators) call them directly. Everything runs in a metric CRS: distances in metres.

- KDE reproduces QGIS "Heatmap (Kernel Density Estimation)": quartic kernel
  (1 − (d/r)²)² for d ≤ r, d from each cell centre, raw output by default, grid extent =
  data extent grown by r, cols = ceil(width/cell) + 1, rows = ceil(height/cell) + 1,
  anchored at the top-left corner like the raster QGIS writes.
- Gi* is esda `G_Local(y, w, transform="B", star=True)` with binary weights: a distance band
  on cell centres for the grid, queen contiguity for user polygons. Significance uses esda's
  permutation pseudo p-values `p_sim` (fixed seed) with a Benjamini–Hochberg false-discovery-
  rate correction, binned like ArcGIS (Gi_Bin −3…3 for 99/95/90 % cold…hot).
- Emerging hot spots: Gi* per year (z-scores, normal p-values, FDR per year) and a
  Mann-Kendall trend of each cell's z over the years; categories in EMERGING_CATEGORIES.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from analysis.base import (
    Algorithm,
    AnalysisResult,
    Feedback,
    Output,
    Parameter,
    register,
)
from analysis.inputs import InputError, run_crs
from layers.crs import WGS84
from layers.i18n import tr
from layers.layer import Layer
from layers.timefilter import TimeFilter, layer_dates, time_mask

# Above this many cells a grid is too fine for the laptop: ask for a larger cell.
MAX_CELLS = 1_000_000
MAX_GI_CELLS = 100_000
DEFAULT_PERMUTATIONS = 999
SEED = 12345
CONFIDENCE_LEVELS = ((3, 0.01), (2, 0.05), (1, 0.10))  # (bin, alpha), strictest first


# --- the grid -------------------------------------------------------------------------------
@dataclass(frozen=True)
class CellGrid:
    """A north-up grid of square cells, row 0 at the top (like a raster).

    `values` has shape (rows, cols). `geotransform` is GDAL's, so a raster layer type can
    take this over later without changing the analysis.
    """

    x_min: float
    y_max: float
    cell: float
    rows: int
    cols: int

    @property
    def geotransform(self) -> tuple[float, float, float, float, float, float]:
        return (self.x_min, self.cell, 0.0, self.y_max, 0.0, -self.cell)

    @property
    def shape(self) -> tuple[int, int]:
        return (self.rows, self.cols)

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """Centre x of each column and centre y of each row."""
        xs = self.x_min + (np.arange(self.cols) + 0.5) * self.cell
        ys = self.y_max - (np.arange(self.rows) + 0.5) * self.cell
        return xs, ys

    def centre_points(self) -> np.ndarray:
        """(rows*cols, 2) centres in row-major order (the order of values.ravel())."""
        xs, ys = self.centres()
        gx, gy = np.meshgrid(xs, ys)
        return np.column_stack([gx.ravel(), gy.ravel()])

    def cell_index(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Flat index of the cell holding each point; -1 outside the grid."""
        col = np.floor((np.asarray(x) - self.x_min) / self.cell).astype(np.int64)
        row = np.floor((self.y_max - np.asarray(y)) / self.cell).astype(np.int64)
        inside = (col >= 0) & (col < self.cols) & (row >= 0) & (row < self.rows)
        return np.where(inside, row * self.cols + col, -1)

    def polygons(self, flat_index: np.ndarray | None = None) -> np.ndarray:
        """Square polygons of the given cells (all cells if None), vectorised."""
        idx = np.arange(self.rows * self.cols) if flat_index is None else np.asarray(flat_index)
        row, col = np.divmod(idx, self.cols)
        x0 = self.x_min + col * self.cell
        y1 = self.y_max - row * self.cell
        return shapely.box(x0, y1 - self.cell, x0 + self.cell, y1)

    def to_geodataframe(
        self, columns: dict[str, np.ndarray], crs: CRS, keep: np.ndarray | None = None
    ) -> gpd.GeoDataFrame:
        """Cells as polygons with one column per 2-D array in `columns`; `keep` is a mask."""
        n = self.rows * self.cols
        idx = np.arange(n) if keep is None else np.flatnonzero(np.asarray(keep).ravel())
        row, col = np.divmod(idx, self.cols)
        data = {"row": row.astype(np.int32), "col": col.astype(np.int32)}
        for name, arr in columns.items():
            data[name] = np.asarray(arr).ravel()[idx]
        return gpd.GeoDataFrame(data, geometry=self.polygons(idx), crs=crs)


def grid_for_extent(
    bounds: tuple[float, float, float, float], cell: float, grow: float = 0.0
) -> CellGrid:
    """QGIS heatmap grid: extent grown by `grow`, ceil(size/cell) + 1 rows and columns."""
    if not cell > 0:
        raise InputError(tr("The cell size must be a positive number of metres."))
    x_min, y_min, x_max, y_max = bounds
    x_min, y_min, x_max, y_max = x_min - grow, y_min - grow, x_max + grow, y_max + grow
    cols = max(int(math.ceil((x_max - x_min) / cell)) + 1, 1)
    rows = max(int(math.ceil((y_max - y_min) / cell)) + 1, 1)
    if rows * cols > MAX_CELLS:
        raise InputError(
            tr(
                "A {cell:g} m grid over this extent has {n:,} cells, more than {limit:,}. "
                "Use a larger cell size (--cell-m)."
            ).format(cell=cell, n=rows * cols, limit=MAX_CELLS)
        )
    return CellGrid(x_min, y_max, float(cell), rows, cols)


# --- kernel density -------------------------------------------------------------------------
def quartic_kernel(distance: np.ndarray, radius: float) -> np.ndarray:
    """Raw quartic kernel (1 − (d/r)²)² for d ≤ r, 0 beyond (QGIS 'raw' output)."""
    d = np.asarray(distance, dtype=float)
    k = (1.0 - (d / radius) ** 2) ** 2
    return np.where(d <= radius, k, 0.0)


def quartic_kde(
    xy: np.ndarray,
    radius: float,
    cell: float,
    weights: np.ndarray | None = None,
    grid: CellGrid | None = None,
    scaled: bool = False,
    feedback: Feedback | None = None,
    chunk: int = 2000,
) -> tuple[CellGrid, np.ndarray]:
    """Quartic kernel density of points on a grid, as QGIS's heatmap computes it.

    Each point stamps (1 − (d/r)²)² (times its weight) on every cell whose centre lies within
    r. `scaled=True` multiplies by QGIS's normalising constant 116/(5πr²)·15/16.
    Returns the grid and a (rows, cols) array.
    """
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    if not radius > 0:
        raise InputError(tr("The radius must be a positive number of metres."))
    w = np.ones(len(xy)) if weights is None else np.asarray(weights, dtype=float)
    ok = np.isfinite(xy).all(axis=1) & np.isfinite(w)
    xy, w = xy[ok], w[ok]
    if grid is None:
        if len(xy) == 0:
            raise InputError(tr("No points to compute a density from."))
        bounds = (xy[:, 0].min(), xy[:, 1].min(), xy[:, 0].max(), xy[:, 1].max())
        grid = grid_for_extent(bounds, cell, grow=radius)
    out = np.zeros(grid.rows * grid.cols)
    reach = int(math.ceil(radius / grid.cell)) + 1
    offsets = np.arange(-reach, reach + 1)
    dr, dc = (a.ravel() for a in np.meshgrid(offsets, offsets, indexing="ij"))
    # Stamp a window of cells around each point's cell; chunked to bound memory.
    step = max(1, min(chunk, 4_000_000 // len(dr)))
    for start in range(0, len(xy), step):
        if feedback is not None:
            feedback.check()
            feedback.set_progress(100.0 * start / max(len(xy), 1), tr("Kernel density"))
        p = xy[start : start + step]
        pw = w[start : start + step]
        col0 = np.floor((p[:, 0] - grid.x_min) / grid.cell).astype(np.int64)
        row0 = np.floor((grid.y_max - p[:, 1]) / grid.cell).astype(np.int64)
        rows = row0[:, None] + dr[None, :]
        cols = col0[:, None] + dc[None, :]
        cx = grid.x_min + (cols + 0.5) * grid.cell
        cy = grid.y_max - (rows + 0.5) * grid.cell
        d2 = (cx - p[:, 0:1]) ** 2 + (cy - p[:, 1:2]) ** 2
        inside = (
            (d2 <= radius * radius)
            & (rows >= 0)
            & (rows < grid.rows)
            & (cols >= 0)
            & (cols < grid.cols)
        )
        k = (1.0 - d2 / (radius * radius)) ** 2 * pw[:, None]
        flat = rows * grid.cols + cols
        out += np.bincount(flat[inside], weights=k[inside], minlength=out.size)
    if scaled:
        out *= 116.0 / (5.0 * math.pi * radius**2) * 15.0 / 16.0
    return grid, out.reshape(grid.shape)


# --- Getis-Ord Gi* --------------------------------------------------------------------------
def two_sided_p(z: np.ndarray) -> np.ndarray:
    """Two-sided normal p-value of z-scores (scipy.special, lighter to import than stats)."""
    from scipy.special import ndtr

    return 2.0 * ndtr(-np.abs(np.asarray(z, dtype=float)))


def fdr_significant(p: np.ndarray, alpha: float) -> np.ndarray:
    """Benjamini–Hochberg: which p-values stay significant at false-discovery rate `alpha`."""
    p = np.asarray(p, dtype=float)
    m = np.isfinite(p).sum()
    out = np.zeros(p.shape, dtype=bool)
    if m == 0:
        return out
    order = np.argsort(np.where(np.isfinite(p), p, np.inf), kind="stable")
    ranked = p[order]
    passed = ranked <= alpha * np.arange(1, len(p) + 1) / m
    if passed.any():
        cutoff = np.flatnonzero(passed).max()
        out[order[: cutoff + 1]] = True
    return out


def confidence_bins(z: np.ndarray, p: np.ndarray, fdr: bool = True) -> np.ndarray:
    """ArcGIS-style Gi_Bin: ±3/±2/±1 for 99/95/90 % confidence hot (+) or cold (−), else 0."""
    z = np.asarray(z, dtype=float)
    p = np.asarray(p, dtype=float)
    bins = np.zeros(z.shape, dtype=np.int8)
    for level, alpha in reversed(CONFIDENCE_LEVELS):  # loosest first, stricter overwrite
        sig = fdr_significant(p, alpha) if fdr else (p <= alpha)
        bins[sig] = level
    return (bins * np.sign(np.nan_to_num(z))).astype(np.int8)


BIN_LABELS = {
    3: tr("Hot spot, 99% confidence"),
    2: tr("Hot spot, 95% confidence"),
    1: tr("Hot spot, 90% confidence"),
    0: tr("Not significant"),
    -1: tr("Cold spot, 90% confidence"),
    -2: tr("Cold spot, 95% confidence"),
    -3: tr("Cold spot, 99% confidence"),
}


def grid_weights(centres: np.ndarray, radius: float):
    """Binary distance-band weights (neighbours within `radius` of a cell centre)."""
    from libpysal.weights import DistanceBand

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


# --- emerging hot spots -----------------------------------------------------------------------
EMERGING_CATEGORIES = {
    "new": tr("New hot spot: hot in the last year only"),
    "intensifying": tr("Intensifying: hot in ≥90% of years incl. the last, z rising"),
    "persistent": tr("Persistent: hot in ≥90% of years incl. the last, no trend"),
    "diminishing": tr("Diminishing: hot in ≥90% of years incl. the last, z falling"),
    "sporadic": tr("Sporadic: hot in the last year and in some earlier years"),
    "historical": tr("Historical: hot in ≥90% of earlier years, not the last"),
    "cold": tr("Cold spot in the last year"),
    "none": tr("No pattern"),
}


def mann_kendall(series: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mann-Kendall trend test along axis 1 (one row per cell, one column per year).

    Returns (Z, two-sided p). Variance n(n−1)(2n+5)/18 (no tie correction) with the
    usual continuity correction; rows with n < 3 get Z = 0, p = 1.
    """
    x = np.asarray(series, dtype=float)
    n = x.shape[1]
    if n < 3:
        return np.zeros(x.shape[0]), np.ones(x.shape[0])
    i, j = np.triu_indices(n, k=1)
    s = np.sign(x[:, j] - x[:, i]).sum(axis=1)
    var = n * (n - 1) * (2 * n + 5) / 18.0
    z = np.where(s > 0, (s - 1) / math.sqrt(var), np.where(s < 0, (s + 1) / math.sqrt(var), 0))
    return z, two_sided_p(z)


def emerging_categories(
    z_by_year: np.ndarray, hot_by_year: np.ndarray, cold_last: np.ndarray, alpha: float = 0.05
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Classify each cell from its yearly Gi* z-scores and hot flags (cells × years).

    Simplified from ArcGIS "Emerging Hot Spot Analysis"; returns (category, mk_z, mk_p).
    """
    z_by_year = np.asarray(z_by_year, dtype=float)
    hot = np.asarray(hot_by_year, dtype=bool)
    mk_z, mk_p = mann_kendall(z_by_year)
    last = hot[:, -1]
    earlier = hot[:, :-1]
    share = hot.mean(axis=1)
    share_before = earlier.mean(axis=1) if earlier.shape[1] else np.zeros(len(hot))
    rising = (mk_p <= alpha) & (mk_z > 0)
    falling = (mk_p <= alpha) & (mk_z < 0)
    cat = np.full(len(hot), "none", dtype=object)
    cat[np.asarray(cold_last, dtype=bool)] = "cold"
    cat[~last & (share_before >= 0.9)] = "historical"
    often = last & (share >= 0.9)
    cat[last & earlier.any(axis=1)] = "sporadic"
    cat[last & ~earlier.any(axis=1)] = "new"
    cat[often] = "persistent"
    cat[often & rising] = "intensifying"
    cat[often & falling] = "diminishing"
    return cat, mk_z, mk_p


# --- helpers shared with the Algorithm --------------------------------------------------------
def layer_in_crs(layer: Layer, crs: CRS) -> gpd.GeoDataFrame:
    """Every feature of the layer in `crs` (row order kept; data without a CRS is lon/lat)."""
    if layer.data.crs is None:
        return layer.data.set_crs(WGS84).to_crs(crs)
    return layer.to_metric(crs)


def point_coordinates(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """x, y of points (representative points of other geometries), NaN rows dropped later."""
    geom = gdf.geometry
    kinds = set(geom.geom_type.dropna())
    if kinds - {"Point"}:
        geom = geom.representative_point()
    return np.column_stack([geom.x.to_numpy(), geom.y.to_numpy()])


def event_weights(layer: Layer, field: str | None) -> np.ndarray:
    """Weight of every feature of the layer (1 when no field; blanks count 0)."""
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
    title = tr("Hot spots (kernel density, Gi*, emerging)")
    help = tr(
        "Where events cluster. kde: QGIS-style quartic kernel density on a grid (raw values). "
        "gi_star: Getis-Ord Gi* z-scores on a grid of cells (or on your polygons) with "
        "permutation p-values, false-discovery-rate corrected, binned 90/95/99 % hot/cold. "
        "emerging: Gi* per year and a Mann-Kendall trend per cell (new, intensifying, "
        "persistent, diminishing, sporadic, historical)."
    )
    parameters = (
        Parameter(
            "events",
            "layer",
            tr("Point events (violence, eradication, cultivation points)."),
            required=True,
            roles=("violence", "eradication", "cultivation"),
            geometry=("point",),
        ),
        Parameter(
            "method",
            "enum",
            tr("kde, gi_star or emerging."),
            default="kde",
            choices=("kde", "gi_star", "emerging"),
        ),
        Parameter("cell_m", "number", tr("Cell size in metres."), default=1000.0),
        Parameter(
            "radius_m",
            "number",
            tr(
                "kde: kernel radius in metres (default 5 cells). gi_star/emerging: neighbour "
                "distance between cell centres in metres (default 1.5 cells = the 8 touching "
                "cells)."
            ),
        ),
        Parameter(
            "weight_field",
            "field",
            tr("Numeric field to weight each event (e.g. fatalities); default counts events."),
            parent="events",
        ),
        Parameter(
            "polygons",
            "layer",
            tr(
                "gi_star only: count events in these polygons instead of grid cells "
                "(queen contiguity weights)."
            ),
            roles=("admin_boundaries",),
            geometry=("polygon",),
        ),
        Parameter(
            "period",
            "string",
            tr("Only events in this period: 2019, 2016-2020 or 2019-03-01..2020-02-29."),
        ),
        Parameter(
            "permutations",
            "integer",
            tr("Gi* permutations for pseudo p-values (0: normal p-values from z)."),
            default=DEFAULT_PERMUTATIONS,
        ),
        Parameter(
            "p_value",
            "enum",
            tr(
                "Gi* significance from 'normal' p-values of z (as ArcGIS) or 'permutation' "
                "pseudo p-values (never below 1/(permutations+1), so few cells pass the FDR "
                "correction on large grids). Both are written to the layer."
            ),
            default="normal",
            choices=("normal", "permutation"),
        ),
        Parameter("scaled", "bool", tr("kde: scale to a density (QGIS 'scaled')."), default=False),
    )
    outputs = (
        Output("hotspots", "layer", tr("Cells (or polygons) with their value, z and bin.")),
        Output("summary", "summary", tr("Counts of hot and cold cells.")),
    )

    def run(self, params: dict, feedback: Feedback) -> AnalysisResult:
        params = self.validate(params)
        layer: Layer = params["events"]
        feedback.set_progress(0, tr("Preparing events"))
        keep = (layer.data.geometry.notna() & ~layer.data.geometry.is_empty).to_numpy()
        try:
            period = TimeFilter.parse(params.get("period"))
        except ValueError as exc:
            raise InputError(f"--period: {exc}") from None
        mask = time_mask(layer, period)
        if mask is not None:
            keep &= mask
        gdf = layer.data[keep]
        if gdf.empty:
            raise InputError(tr("No events to analyse (empty layer or period)."))
        polygons: Layer | None = params.get("polygons")
        crs = run_crs(params, layer, polygons)
        metric = layer_in_crs(layer, crs)[keep]
        xy = point_coordinates(metric)
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
        grid, values = quartic_kde(
            xy, radius, cell, weights=w, scaled=bool(params.get("scaled")), feedback=feedback
        )
        feedback.check()
        feedback.set_progress(90, tr("Writing cells"))
        cells = grid.to_geodataframe({"density": values}, crs, keep=values > 0)
        summary = {
            "method": "kde",
            "kernel": "quartic",
            "output": "scaled" if params.get("scaled") else "raw",
            "radius_m": radius,
            "cell_m": cell,
            "rows": grid.rows,
            "cols": grid.cols,
            "geotransform": list(grid.geotransform),
            "events": int(len(xy)),
            "cells_with_density": int((values > 0).sum()),
            "max_density": float(values.max()) if values.size else 0.0,
            "crs": crs.to_string(),
        }
        feedback.set_progress(100, tr("Done"))
        return AnalysisResult(
            summary=summary,
            layers={"hotspots": cells},
            notes=[tr("Cells with zero density are left out of the layer.")],
            styles={"hotspots": {"field": "density", "kind": "graduated"}},
        )

    def _gi(self, xy, w, cell, params, crs, polygons, feedback) -> AnalysisResult:
        perms = int(params.get("permutations") or 0)
        notes: list[str] = []
        if polygons is not None:
            poly = layer_in_crs(polygons, crs).reset_index(drop=True)
            pts = gpd.GeoDataFrame(
                {"w": w}, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=crs
            )
            joined = gpd.sjoin(pts, poly[[poly.geometry.name]], predicate="within", how="inner")
            y = np.bincount(
                joined["index_right"].to_numpy(), weights=joined["w"], minlength=len(poly)
            )
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
            out = poly.copy()
            units = "polygons"
            neighbours = "queen contiguity"
        else:
            radius = float(params.get("radius_m") or 1.5 * cell)
            bounds = (xy[:, 0].min(), xy[:, 1].min(), xy[:, 0].max(), xy[:, 1].max())
            grid = grid_for_extent(bounds, cell)
            check_gi_size(grid.rows * grid.cols, cell)
            idx = grid.cell_index(xy[:, 0], xy[:, 1])
            y = np.bincount(idx[idx >= 0], weights=w[idx >= 0], minlength=grid.rows * grid.cols)
            feedback.set_progress(30, tr("Distance-band weights"))
            weights = grid_weights(grid.centre_points(), radius)
            feedback.check()
            feedback.set_progress(50, tr("Gi* with {n} permutations").format(n=perms))
            res = gi_star(y, weights, permutations=perms, p_value=params["p_value"])
            out = grid.to_geodataframe({}, crs)
            units = "cells"
            neighbours = f"distance band {radius:g} m"
        feedback.check()
        out["events"] = y
        for col in ("z", "p_norm", "p_sim", "gi_bin"):
            out[col] = res[col].to_numpy()
        out["hot_spot"] = [BIN_LABELS[int(b)] for b in out["gi_bin"]]
        counts = {str(k): int((out["gi_bin"] == k).sum()) for k in sorted(BIN_LABELS)}
        summary = {
            "method": "gi_star",
            "units": units,
            "n": int(len(out)),
            "weights": f"binary, {neighbours}",
            "permutations": perms,
            "seed": SEED,
            "fdr": "Benjamini-Hochberg",
            "p_value": params["p_value"],
            "bins": counts,
            "hot": int((out["gi_bin"] > 0).sum()),
            "cold": int((out["gi_bin"] < 0).sum()),
            "events": float(y.sum()),
            "crs": crs.to_string(),
        }
        feedback.set_progress(100, tr("Done"))
        return AnalysisResult(
            summary=summary,
            layers={"hotspots": out},
            notes=notes,
            styles={"hotspots": {"field": "gi_bin", "kind": "diverging"}},
        )

    def _emerging(self, xy, w, years, cell, params, crs, feedback) -> AnalysisResult:
        valid = ~pd.isna(years)
        xy, w, years = xy[valid], w[valid], years[valid].astype(int)
        all_years = np.arange(years.min(), years.max() + 1)
        if len(all_years) < 3:
            raise InputError(tr("Emerging hot spots need at least three years of events."))
        radius = float(params.get("radius_m") or 1.5 * cell)
        bounds = (xy[:, 0].min(), xy[:, 1].min(), xy[:, 0].max(), xy[:, 1].max())
        grid = grid_for_extent(bounds, cell)
        n = grid.rows * grid.cols
        check_gi_size(n, cell)
        idx = grid.cell_index(xy[:, 0], xy[:, 1])
        weights = grid_weights(grid.centre_points(), radius)
        z = np.zeros((n, len(all_years)))
        hot = np.zeros((n, len(all_years)), dtype=bool)
        cold_last = np.zeros(n, dtype=bool)
        for k, year in enumerate(all_years):
            feedback.check()
            feedback.set_progress(100 * k / len(all_years), tr("Gi* for {y}").format(y=year))
            sel = (years == year) & (idx >= 0)
            y = np.bincount(idx[sel], weights=w[sel], minlength=n)
            res = gi_star(y, weights, permutations=0)
            z[:, k] = res["z"].to_numpy()
            hot[:, k] = res["gi_bin"].to_numpy() >= 2
            if k == len(all_years) - 1:
                cold_last = res["gi_bin"].to_numpy() <= -2
        category, mk_z, mk_p = emerging_categories(z, hot, cold_last)
        total = np.bincount(idx[idx >= 0], weights=w[idx >= 0], minlength=n)
        out = grid.to_geodataframe(
            {"events": total, "z_last": z[:, -1], "trend_z": mk_z, "trend_p": mk_p}, crs
        )
        out["category"] = category
        out["years_hot"] = hot.sum(axis=1)
        counts = {c: int((category == c).sum()) for c in EMERGING_CATEGORIES}
        summary = {
            "method": "emerging",
            "years": [int(all_years[0]), int(all_years[-1])],
            "n": int(n),
            "weights": f"binary, distance band {radius:g} m",
            "hot_rule": "Gi* 95% confidence after FDR, normal p-values",
            "trend": "Mann-Kendall on yearly Gi* z, alpha 0.05",
            "categories": counts,
            "crs": crs.to_string(),
        }
        feedback.set_progress(100, tr("Done"))
        return AnalysisResult(
            summary=summary,
            layers={"hotspots": out},
            notes=[f"{k}: {v}" for k, v in EMERGING_CATEGORIES.items()],
            styles={"hotspots": {"field": "category", "kind": "categorical"}},
        )


def check_gi_size(n: int, cell: float) -> None:
    if n > MAX_GI_CELLS:
        raise InputError(
            tr(
                "Gi* on {n:,} cells would take too long (limit {limit:,}). "
                "Use a larger cell size than {cell:g} m, or --polygons."
            ).format(n=n, limit=MAX_GI_CELLS, cell=cell)
        )
