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
    Raster,
    register,
)
from analysis.gi_grid import band_kernel, gi_star_grid, neighbour_counts, window_sum
from analysis.hotspot_stats import (
    EMERGING_CATEGORIES,
    confidence_bins,
    emerging_categories,
    two_sided_p,
)
from analysis.inputs import InputError, run_crs
from layers.crs import WGS84
from layers.i18n import tr
from layers.layer import Layer
from layers.timefilter import TimeFilter, layer_dates, time_mask

# A grid needing more memory than this (estimated per cell) is refused: ask for a larger cell.
MEMORY_LIMIT_GB = 3.0
# Peak bytes per grid cell of each method's arrays and per cell written to the layer (its
# polygon and columns, and writing them), measured on a 1.3M-cell grid (docs/performance.md).
KDE_BYTES_PER_CELL = 30
GI_BYTES_PER_CELL = 100
EMERGING_BYTES_PER_CELL = 150  # plus EMERGING_BYTES_PER_CELL_YEAR for every year
EMERGING_BYTES_PER_CELL_YEAR = 10
WRITTEN_BYTES_PER_CELL = 800
# libpysal weights for more centres than this take too long to build (the grid uses windows).
MAX_GI_CELLS = 100_000
# esda's permutations (999) cost ~0.5 ms per cell here: 50,000 cells take about 25 s.
PERMUTATION_SECONDS_PER_CELL = 0.5e-3
PERMUTATION_MAX_CELLS = 50_000
DEFAULT_PERMUTATIONS = 999
SEED = 12345


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
    bounds: tuple[float, float, float, float],
    cell: float,
    grow: float = 0.0,
    bytes_per_cell: float = KDE_BYTES_PER_CELL,
    written_at_most: int | None = None,
) -> CellGrid:
    """QGIS heatmap grid: extent grown by `grow`, ceil(size/cell) + 1 rows and columns.

    Refused (InputError) when its estimated memory exceeds MEMORY_LIMIT_GB: `bytes_per_cell`
    for every cell, plus WRITTEN_BYTES_PER_CELL for each cell the layer will hold (all of
    them unless `written_at_most` bounds it).
    """
    if not cell > 0:
        raise InputError(tr("The cell size must be a positive number of metres."))
    x_min, y_min, x_max, y_max = bounds
    x_min, y_min, x_max, y_max = x_min - grow, y_min - grow, x_max + grow, y_max + grow

    def shape(size: float) -> tuple[int, int]:
        cols = max(int(math.ceil((x_max - x_min) / size)) + 1, 1)
        rows = max(int(math.ceil((y_max - y_min) / size)) + 1, 1)
        return rows, cols

    def need_gb(size: float) -> float:
        n = math.prod(shape(size))
        written = n if written_at_most is None else min(n, written_at_most)
        return (n * bytes_per_cell + written * WRITTEN_BYTES_PER_CELL) / 1e9

    rows, cols = shape(cell)
    if need_gb(cell) > MEMORY_LIMIT_GB:
        # A round cell size that fits: from the 1/cell² scaling, then step up if still over.
        step = 100.0 if cell < 1000 else 1000.0
        fits = step * math.ceil(cell * math.sqrt(need_gb(cell) / MEMORY_LIMIT_GB) / step)
        while need_gb(fits) > MEMORY_LIMIT_GB:
            fits += step
        raise InputError(
            tr(
                "A {cell:g} m grid over this extent has {n:,} cells and would need about "
                "{need:,.1f} GB of memory (limit {limit:g} GB). Use a larger cell size "
                "(--cell-m {fits:g} or more) or a smaller extent."
            ).format(cell=cell, n=rows * cols, need=need_gb(cell), limit=MEMORY_LIMIT_GB, fits=fits)
        )
    return CellGrid(x_min, y_max, float(cell), rows, cols)


# --- kernel density -------------------------------------------------------------------------
def quartic_kernel(distance: np.ndarray, radius: float) -> np.ndarray:
    """Raw quartic kernel (1 − (d/r)²)² for d ≤ r, 0 beyond (QGIS 'raw' output)."""
    d = np.asarray(distance, dtype=float)
    k = (1.0 - (d / radius) ** 2) ** 2
    return np.where(d <= radius, k, 0.0)


KDE_SAMPLINGS = ("centres", "qgis")


def quartic_kde(
    xy: np.ndarray,
    radius: float,
    cell: float,
    weights: np.ndarray | None = None,
    grid: CellGrid | None = None,
    scaled: bool = False,
    feedback: Feedback | None = None,
    chunk: int | None = None,
    sampling: str = "centres",
) -> tuple[CellGrid, np.ndarray]:
    """Quartic kernel density of points on a grid: the sum over points of
    w · (1 − (d/r)²)² for d ≤ r, with d from the point to the cell.

    sampling="centres": d to each cell's centre, exactly. sampling="qgis": QGIS 3.22's
    heatmap sampling, which takes a point's position across its cell from the extent's
    bottom edge while the rows run from its top, so when the extent's height is a whole
    number of cells each point's kernel is mirrored vertically inside its cell
    (docs/methods.md, "Kernel density"). `scaled=True` multiplies by QGIS's normalising
    constant 116/(5πr²)·15/16. Returns the grid and a (rows, cols) float64 array.

    Vectorised per point over its window of cells, in chunks. Points outside a given `grid`
    are left out; a window reaching past the grid's edge is cut there (QGIS drops such a
    point whole: possible only when r is not a whole number of cells).
    """
    if sampling not in KDE_SAMPLINGS:
        raise ValueError(f"sampling must be one of {KDE_SAMPLINGS}, not {sampling!r}")
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    if not radius > 0:
        raise InputError(tr("The radius must be a positive number of metres."))
    w = np.ones(len(xy)) if weights is None else np.asarray(weights, dtype=float)
    ok = np.isfinite(xy).all(axis=1) & np.isfinite(w)
    xy, w = xy[ok], w[ok]
    # QGIS measures a point's place in its cell from the bottom of the grown data extent.
    y_bottom = (xy[:, 1].min() - radius) if len(xy) else math.nan
    if grid is None:
        if len(xy) == 0:
            raise InputError(tr("No points to compute a density from."))
        grid = grid_for_extent(_extent(xy), cell, grow=radius)
    else:  # a given grid may not hold them all
        inside = grid.cell_index(xy[:, 0], xy[:, 1]) >= 0
        xy, w = xy[inside], w[inside]
    size = grid.cell
    reach = radius / size
    half = _qgis_window(radius, size) if sampling == "qgis" else int(math.ceil(reach))
    # A padded grid takes whole windows without edge tests; the pad is cut off at the end.
    pcols = grid.cols + 2 * half
    span = np.arange(-half, half + 1)
    offsets = (span[:, None] * pcols + span[None, :]).ravel()  # row-major (dy, dx)
    out = np.zeros((grid.rows + 2 * half) * pcols)
    col, row, u, v, w = _window_origins(xy, w, grid, half, y_bottom, sampling)
    inv_r = 1.0 / reach
    # Small chunks stay in cache (4,096 points: 0.8 s for 1M, 16,384: 0.94 s), but each one
    # adds a whole grid's bincount: on large grids take more points per chunk.
    chunk = max(1, chunk or max(4096, out.size // 32))
    for start in range(0, len(col), chunk):
        if feedback is not None:
            feedback.check()
            feedback.set_progress(100.0 * start / max(len(col), 1), tr("Kernel density"))
        part = slice(start, start + chunk)
        # Squared distance to each window cell's centre, in units of r: (dx² + dy²) / r².
        ax = ((span[None, :] + 0.5 - u[part, None]) * inv_r) ** 2
        by = ((span[None, :] + 0.5 - v[part, None]) * inv_r) ** 2
        k = by[:, :, None] + ax[:, None, :]
        np.subtract(1.0, k, out=k)
        np.maximum(k, 0.0, out=k)  # beyond r: 0 (clip before squaring)
        np.square(k, out=k)
        if weights is not None:
            k *= w[part, None, None]
        base = (row[part] + half) * pcols + col[part] + half
        flat = (base[:, None] + offsets[None, :]).ravel()
        out += np.bincount(flat, weights=k.ravel(), minlength=out.size)
    values = out.reshape(grid.rows + 2 * half, pcols)[
        half : half + grid.rows, half : half + grid.cols
    ]
    values = np.ascontiguousarray(values)
    if scaled:
        values *= 116.0 / (5.0 * math.pi * radius**2) * 15.0 / 16.0
    return grid, values


def _window_origins(
    xy: np.ndarray, w: np.ndarray, grid: CellGrid, half: int, y_bottom: float, sampling: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each point's window centre (col, row) and its place (u, v) from that cell's left and
    top edges in cells, so window cell (row + j, col + i) is at (i + 0.5 − u, j + 0.5 − v).

    "qgis" follows qgskde.cpp: window starts truncated toward zero as it converts them to
    unsigned pixels, dy taken from the bottom-based start, and a point whose window leaves
    the raster dropped (its raster read and write fail there).
    """
    fx = (xy[:, 0] - grid.x_min) / grid.cell
    fy = (grid.y_max - xy[:, 1]) / grid.cell
    if sampling == "centres":
        col, row = np.floor(fx), np.floor(fy)
        return col.astype(np.int64), row.astype(np.int64), fx - col, fy - row, w
    from_bottom = (xy[:, 1] - y_bottom) / grid.cell
    col0, row0 = np.trunc(fx - half), np.trunc(fy - half)
    bottom0 = np.trunc(from_bottom - half)
    fits = (
        (fx - half > -1)
        & (fy - half > -1)
        & (col0 + 2 * half < grid.cols)
        & (row0 + 2 * half < grid.rows)
    )
    col, row = col0[fits] + half, row0[fits] + half
    u = fx[fits] - col
    # dy is measured upwards from the bottom-based start while the rows run downwards.
    v = from_bottom[fits] - (bottom0[fits] + half)
    return col.astype(np.int64), row.astype(np.int64), u, v, w[fits]


def _extent(xy: np.ndarray) -> tuple[float, float, float, float]:
    return (xy[:, 0].min(), xy[:, 1].min(), xy[:, 0].max(), xy[:, 1].max())


def _qgis_window(radius: float, cell: float) -> int:
    """QGIS's radiusSizeInPixels: whole cells in r, plus one if the rest exceeds 0.5 map units."""
    half = int(radius / cell)
    return half + 1 if radius - cell * half > 0.5 else half


# --- Getis-Ord Gi* --------------------------------------------------------------------------
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
    shapes = np.asarray(gdf.geometry.values if hasattr(gdf, "geometry") else gdf)
    kinds = shapely.get_type_id(shapes)
    other = (kinds != 0) & (kinds != -1)  # -1: missing
    if other.any():
        shapes = shapes.copy()
        shapes[other] = shapely.point_on_surface(shapes[other])
    return np.column_stack([shapely.get_x(shapes), shapely.get_y(shapes)])


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
        "gi_star: Getis-Ord Gi* z-scores on a grid of cells (or on your polygons) with normal "
        "or permutation p-values, false-discovery-rate corrected, binned 90/95/99 % hot/cold. "
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
            tr(
                "Gi* permutations for esda's pseudo p-values p_sim (0: none). Grids of more "
                "than 50,000 cells get none: they would take minutes."
            ),
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
        Parameter(
            "sampling",
            "enum",
            tr(
                "kde: 'centres' evaluates the kernel at each cell's centre; 'qgis' repeats "
                "QGIS 3.22's heatmap cell for cell (it places each point's kernel mirrored "
                "up-down inside its cell: cells differ from 'centres' by up to ~15 % of the peak)."
            ),
            default="centres",
            choices=KDE_SAMPLINGS,
        ),
    )
    outputs = (
        Output("hotspots", "layer", tr("Cells (or polygons) with their value, z and bin.")),
        Output("summary", "summary", tr("Counts of hot and cold cells.")),
    )

    def run(self, params: dict, feedback: Feedback) -> AnalysisResult:
        params = self.validate(params)
        layer: Layer = params["events"]
        feedback.set_progress(0, tr("Preparing events"))
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
            weights=w,
            scaled=bool(params.get("scaled")),
            feedback=feedback,
            sampling=sampling,
        )
        feedback.check()
        feedback.set_progress(90, tr("Writing cells"))
        cells = grid.to_geodataframe({"density": values}, crs, keep=values != 0)
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
            "events": int(len(xy)),
            "cells_with_density": int(len(cells)),
            "max_density": float(values.max()) if values.size else 0.0,
            "crs": crs.to_string(),
        }
        feedback.set_progress(100, tr("Done"))
        return AnalysisResult(
            summary=summary,
            layers={"hotspots": cells},
            rasters={"density": Raster(values, grid.geotransform, crs)},
            notes=[
                tr(
                    "Cells with zero density are left out of the layer; --out FILE.tif writes "
                    "every cell as a float32 GeoTIFF."
                )
            ],
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
            all_bins = res["gi_bin"].to_numpy()
            out = poly.copy()
            units = "polygons"
            neighbours = "queen contiguity"
        else:
            radius = band_radius(params, cell)
            bounds = (xy[:, 0].min(), xy[:, 1].min(), xy[:, 0].max(), xy[:, 1].max())
            # The layer holds the cells within the band of an event (or significant ones).
            band_cells = int(band_kernel(radius, cell).sum())
            grid = grid_for_extent(
                bounds, cell, bytes_per_cell=GI_BYTES_PER_CELL, written_at_most=len(xy) * band_cells
            )
            n = grid.rows * grid.cols
            idx = grid.cell_index(xy[:, 0], xy[:, 1])
            y = np.bincount(idx[idx >= 0], weights=w[idx >= 0], minlength=n)
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
            keep = written_cells(grid, idx, radius) | (all_bins != 0)
            out = grid.to_geodataframe({}, crs, keep=keep)
            y, res = y[keep], res[keep]
            units = "cells"
            neighbours = f"distance band {radius:g} m"
            notes.append(
                tr(
                    "{left:,} of {n:,} cells have no event within {radius:g} m and no hot or "
                    "cold bin: they count in the statistics but are left out of the layer."
                ).format(left=int(n - keep.sum()), n=n, radius=radius)
            )
        feedback.check()
        out["events"] = y
        for col in ("z", "p_norm", "p_sim", "gi_bin"):
            out[col] = res[col].to_numpy()
        labels = np.array([BIN_LABELS[b] for b in range(-3, 4)], dtype=object)
        out["hot_spot"] = labels[out["gi_bin"].to_numpy().astype(int) + 3]
        counts = {str(k): int((all_bins == k).sum()) for k in sorted(BIN_LABELS)}
        summary = {
            "method": "gi_star",
            "units": units,
            "n": len(all_bins),
            "weights": f"binary, {neighbours}",
            "permutations": perms,
            "seed": SEED,
            "fdr": "Benjamini-Hochberg",
            "p_value": params["p_value"],
            "bins": counts,
            "hot": int((out["gi_bin"] > 0).sum()),
            "cold": int((out["gi_bin"] < 0).sum()),
            "events": float(out["events"].sum()),
            "crs": crs.to_string(),
        }
        if polygons is None:
            summary.update(
                cell_m=cell,
                rows=grid.rows,
                cols=grid.cols,
                geotransform=list(grid.geotransform),
                cells_written=int(len(out)),
            )
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
        feedback.set_progress(100, tr("Done"))
        notes = [f"{k}: {v}" for k, v in EMERGING_CATEGORIES.items()]
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


def band_radius(params: dict, cell: float) -> float:
    """Gi*'s neighbour distance: --radius-m, or 1.5 cells (the 8 touching cells)."""
    radius = float(params.get("radius_m") or 1.5 * cell)
    if not radius > 0:
        raise InputError(tr("The neighbour distance (--radius-m) must be a positive number."))
    return radius


def written_cells(grid: CellGrid, idx: np.ndarray, radius: float) -> np.ndarray:
    """Flat mask of the cells with at least one event (cell index `idx`) within `radius`."""
    has_event = np.zeros(grid.rows * grid.cols)
    has_event[idx[idx >= 0]] = 1.0
    near = window_sum(has_event.reshape(grid.shape), band_kernel(radius, grid.cell))
    return (near > 0.5).ravel()
