"""A 40,000 x 40,000 raster mosaic in the desktop canvas: pans and wheel zooms against the
150 ms redraw budget the vector layers meet (desktop/render_benchmark.py measures both).

Writes (once, under benchmarks/data/raster/, gitignored) 16 GeoTIFF tiles of 10,000 x 10,000
uint8 loss-year pixels (30 m, UTM 18N, DEFLATE, 512-pixel blocks, internal overviews 1:2 to
1:32), a VRT over them with its own overviews (.vrt.ovr, 1:2 to 1:128, built by
RasterLayer.build_overviews as the desktop's "Build overviews" does) and a project holding it,
then launches desktop.render_benchmark on that project in its own interpreter (benchmarks/
never imports Qt).
Run: python -m benchmarks.bench_raster_canvas [--pause MS] [--each]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import rasterio
from affine import Affine
from rasterio.enums import Resampling
from rasterio.windows import Window

from benchmarks.desktop_launch import launch
from layers.project import Project
from layers.raster import mosaic_vrt, open_raster

FOLDER = Path(__file__).resolve().parent / "data" / "raster"
SIDE = 40_000  # pixels of the whole mosaic per side (1.6 billion pixels)
TILE = 10_000
PIXEL = 30.0
ORIGIN = (300_000.0, 1_500_000.0)  # upper-left corner, EPSG:32618
TILE_OVERVIEWS = (2, 4, 8, 16, 32)
ROWS_PER_WRITE = 1_024


def tile_values(row0: int, col0: int, rows: int, cols: int) -> np.ndarray:
    """Loss years 1-23 in blocky patches over mostly intact forest (0), as Hansen tiles look;
    deterministic in the mosaic's pixel coordinates, so tiles join without seams."""
    r = (np.arange(row0, row0 + rows, dtype=np.int64) // 37)[:, None]
    c = (np.arange(col0, col0 + cols, dtype=np.int64) // 53)[None, :]
    h = (r * 73_856_093) ^ (c * 19_349_663)
    loss = (h % 7) == 0  # about one block in seven lost some forest
    return np.where(loss, 1 + (h // 7) % 23, 0).astype(np.uint8)


def write_tile(path: Path, tile_row: int, tile_col: int) -> None:
    row0, col0 = tile_row * TILE, tile_col * TILE
    transform = Affine(PIXEL, 0.0, ORIGIN[0] + col0 * PIXEL, 0.0, -PIXEL, ORIGIN[1] - row0 * PIXEL)
    tmp = path.with_suffix(".part.tif")
    profile = dict(
        driver="GTiff", width=TILE, height=TILE, count=1, dtype="uint8", crs="EPSG:32618",
        transform=transform, nodata=None, tiled=True, blockxsize=512, blockysize=512,
        compress="deflate",
    )  # fmt: skip
    with rasterio.open(tmp, "w", **profile) as dst:
        for r in range(0, TILE, ROWS_PER_WRITE):
            n = min(ROWS_PER_WRITE, TILE - r)
            dst.write(tile_values(row0 + r, col0, n, TILE), 1, window=Window(0, r, TILE, n))
        dst.build_overviews(list(TILE_OVERVIEWS), Resampling.nearest)
    tmp.replace(path)


def write_data(folder: Path = FOLDER) -> Path:
    """The tiles, the VRT with overviews and the project (kept and reused when present)."""
    project_path = folder / "mosaic.hatlas.json"
    if project_path.exists():
        return project_path
    tiles_dir = folder / "tiles"
    tiles_dir.mkdir(parents=True, exist_ok=True)
    n = SIDE // TILE
    tiles = []
    for i in range(n):
        for j in range(n):
            path = tiles_dir / f"Hansen_GFC_lossyear_{i}{j}.tif"
            if not path.exists():
                began = time.perf_counter()
                write_tile(path, i, j)
                print(f"wrote {path.name} in {time.perf_counter() - began:.1f} s", flush=True)
            tiles.append(path)
    vrt = mosaic_vrt(tiles, folder=tiles_dir, out=folder / "Hansen_GFC_lossyear_mosaic.vrt")
    layer = open_raster(vrt)
    if not layer.info.overviews:
        began = time.perf_counter()
        layer.build_overviews()
        print(f"mosaic overviews {layer.info.overviews} in {time.perf_counter() - began:.0f} s")
    project = Project(title=f"Raster mosaic {SIDE:,} x {SIDE:,}")
    project.add(layer)
    project.metric_crs = "EPSG:32618"
    return project.save(project_path)


if __name__ == "__main__":
    project = write_data()
    sys.exit(launch("desktop.render_benchmark", [str(project)]))
