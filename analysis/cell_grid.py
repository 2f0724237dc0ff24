"""The north-up grid of square cells the hot-spot analyses work on (QGIS heatmap's grid),
and the memory estimate that refuses a grid too large for this machine.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from pyproj import CRS

from analysis.inputs import InputError
from layers.i18n import tr

if TYPE_CHECKING:
    import geopandas as gpd

# A grid needing more memory than this (estimated per cell) is refused: ask for a larger cell.
MEMORY_LIMIT_GB = 3.0
# Peak bytes per grid cell of each method's arrays and per cell written to the layer (its
# polygon and columns, and writing them), measured on a 1.3M-cell grid (docs/performance.md).
KDE_BYTES_PER_CELL = 30
GI_BYTES_PER_CELL = 100
EMERGING_BYTES_PER_CELL = 150  # plus EMERGING_BYTES_PER_CELL_YEAR for every year
EMERGING_BYTES_PER_CELL_YEAR = 10
WRITTEN_BYTES_PER_CELL = 800


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
        import shapely

        idx = np.arange(self.rows * self.cols) if flat_index is None else np.asarray(flat_index)
        row, col = np.divmod(idx, self.cols)
        x0 = self.x_min + col * self.cell
        y1 = self.y_max - row * self.cell
        return shapely.box(x0, y1 - self.cell, x0 + self.cell, y1)

    def to_geodataframe(
        self, columns: dict[str, np.ndarray], crs: CRS, keep: np.ndarray | None = None
    ) -> gpd.GeoDataFrame:
        """Cells as polygons with one column per 2-D array in `columns`; `keep` is a mask."""
        import geopandas as gpd

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
