"""The sample's rasters: a Hansen-style forest loss-year grid, a WorldPop-style population grid
and a relief basemap (MBTiles of hillshade tiles) made from a synthetic DEM.

All in the sample's metric CRS (UTM 18N, EPSG:32618), like the SIMCI grid: 30 m pixels are
then exact squares of 0.09 ha, so planted hectares are whole pixels and the ground truth
needs no area approximation (real Hansen tiles are in EPSG:4326; the analyses reproject
zones to the raster's CRS either way). A generator of its own (`seed`, 15) keeps every draw
of the vector layers as it was.

Planted: background forest loss everywhere at a low rate (small clearings, 2001–2023), and
after the 2018 campaign next door (Operación Tacuré) clearings inside the Alto Tacuré
national park and in the campaign's 2–5 km ring in 2019–2021. People: every settlement's
population spread over the 100 m pixels near it that lie wholly inside its municipality,
in whole people, so a municipality's pixels sum to its population exactly.
"""

from __future__ import annotations

import io
import math
import sqlite3
from pathlib import Path

import geopandas as gpd
import numpy as np
import rasterio
import shapely
from affine import Affine
from pyproj import Transformer
from rasterio.enums import Resampling
from rasterio.features import rasterize
from scipy import ndimage

from sample_maps.world import CAMPAIGN, METRIC_EPSG, NOTE, PNN_ID, World

RASTER_FILES = {
    "loss": "data/hansen_lossyear_xaa_synthetic_30m.tif",
    "population": "data/worldpop_xaa_synthetic_100m.tif",
    "relief": "data/relieve_xaa_synthetic.mbtiles",
}
LOSS_PIXEL_M = 30.0
POP_PIXEL_M = 100.0
DEM_PIXEL_M = 150.0
POP_NODATA = -99999.0  # WorldPop's
LOSS_BASE_YEAR = 2000  # Hansen: code n = loss in 2000 + n
LOSS_YEARS = tuple(range(2001, 2024))
# Background clearings per year over the whole region (about 4.5 ha each), rising slowly.
BACKGROUND_CLEARINGS = {y: 70 + 2 * (y - 2001) for y in LOSS_YEARS}
# Planted after the 2018 campaign: clearings per year inside the park and in the 2-5 km ring.
PARK_CLEARINGS = {2019: 45, 2020: 70, 2021: 55}
RING_CLEARINGS = {2019: 35, 2020: 45, 2021: 30}
RING_M = (2000.0, 5000.0)  # the campaign's target radius and the end of its first ring
CLEARING_RADIUS_M = (70.0, 170.0)
# Planted clearings stay this far inside their area, so every pixel rule counts them alike.
PLANT_MARGIN_M = 60.0
RELIEF_ZOOMS = (7, 8, 9, 10)
RELIEF_ATTRIBUTION = "Synthetic relief, Harm Atlas sample (no licence needed)"
TAGS = {"DESCRIPTION": NOTE, "SOURCE": "Harm Atlas sample generator (synthetic)"}


def _grid(bounds, pixel: float) -> tuple[Affine, int, int]:
    """A north-up grid on whole multiples of the pixel size covering bounds."""
    x0 = math.floor(bounds[0] / pixel) * pixel
    y1 = math.ceil(bounds[3] / pixel) * pixel
    width = math.ceil((bounds[2] - x0) / pixel)
    height = math.ceil((y1 - bounds[1]) / pixel)
    return Affine(pixel, 0.0, x0, 0.0, -pixel, y1), width, height


def _col_row(transform: Affine, x, y):
    """Fractional (column, row) of map coordinates on a north-up grid (arrays or numbers)."""
    return (x - transform.c) / transform.a, (y - transform.f) / transform.e


def campaign_points(world: World) -> np.ndarray:
    m = world.manual
    pts = m.loc[m.campana == CAMPAIGN]
    return np.column_stack([pts.geometry.x, pts.geometry.y])


def _clear(loss, transform, cx, cy, rng, code: int) -> None:
    """One clearing: an ellipse of pixels (by centre) that still had forest, coded `code`."""
    a, b = rng.uniform(*CLEARING_RADIUS_M), rng.uniform(*CLEARING_RADIUS_M)
    angle = rng.uniform(0, math.pi)
    r = max(a, b)
    c0, r0 = (int(math.floor(v)) for v in _col_row(transform, cx - r, cy + r))
    c1, r1 = (int(math.ceil(v)) for v in _col_row(transform, cx + r, cy - r))
    c0, r0 = max(c0, 0), max(r0, 0)
    c1, r1 = min(c1, loss.shape[1]), min(r1, loss.shape[0])
    if c0 >= c1 or r0 >= r1:
        return
    cols, rows = np.meshgrid(np.arange(c0, c1) + 0.5, np.arange(r0, r1) + 0.5)
    x = transform.c + cols * transform.a - cx
    y = transform.f + rows * transform.e - cy
    u = x * math.cos(angle) + y * math.sin(angle)
    v = -x * math.sin(angle) + y * math.cos(angle)
    inside = (u / a) ** 2 + (v / b) ** 2 <= 1.0
    window = loss[r0:r1, c0:c1]
    window[inside & (window == 0)] = code  # forest is lost once: the earliest year stays


def _centres_in(rng, area, n: int) -> list[tuple[float, float]]:
    """n clearing centres whose whole clearing (and the margin) lies inside area."""
    core = area.buffer(-(CLEARING_RADIUS_M[1] + PLANT_MARGIN_M))
    minx, miny, maxx, maxy = core.bounds
    out: list[tuple[float, float]] = []
    while len(out) < n:
        x, y = rng.uniform(minx, maxx, 4 * n), rng.uniform(miny, maxy, 4 * n)
        keep = shapely.contains_xy(core, x, y)
        out += list(zip(x[keep], y[keep], strict=True))
    return out[:n]


def build_loss(world: World, rng: np.random.Generator) -> tuple[np.ndarray, Affine]:
    """The loss-year grid (uint8, 0 = no loss, n = loss in 2000 + n) over the region."""
    transform, width, height = _grid(world.region.bounds, LOSS_PIXEL_M)
    loss = np.zeros((height, width), np.uint8)
    park = world.protected.set_index("WDPAID").geometry[PNN_ID]
    pts = shapely.multipoints(campaign_points(world))
    ring = shapely.difference(pts.buffer(RING_M[1], 64), pts.buffer(RING_M[0], 64))
    ring = ring.intersection(world.region)
    for year in LOSS_YEARS:  # chronological: a pixel keeps the year it was first cleared
        code = year - LOSS_BASE_YEAR
        for x, y in _centres_in(rng, world.region, BACKGROUND_CLEARINGS[year]):
            _clear(loss, transform, x, y, rng, code)
        for area, planted in ((park, PARK_CLEARINGS), (ring, RING_CLEARINGS)):
            for x, y in _centres_in(rng, area, planted.get(year, 0)):
                _clear(loss, transform, x, y, rng, code)
    return loss, transform


def build_population(world: World, rng: np.random.Generator) -> tuple[np.ndarray, Affine]:
    """People per 100 m pixel: each settlement's people drawn (whole people) over the pixels
    near it lying wholly inside its municipality; nodata outside the region."""
    transform, width, height = _grid(world.region.bounds, POP_PIXEL_M)
    xs = transform.c + (np.arange(width) + 0.5) * POP_PIXEL_M
    ys = transform.f - (np.arange(height) + 0.5) * POP_PIXEL_M
    gx, gy = np.meshgrid(xs, ys)
    people = np.zeros((height, width), np.float64)
    # A pixel whose centre is 75 m inside the border (> half its diagonal) lies wholly inside.
    inner = {m.code: m.geometry.buffer(-75.0) for m in world.munis.itertuples()}
    for s in world.settlements.itertuples():
        sigma = 900.0 if s.place == "town" else 300.0
        reach = 3 * sigma
        # Only the pixels within reach (a window), not the whole grid, per settlement.
        c0, r0 = (
            max(int(v), 0) for v in _col_row(transform, s.geometry.x - reach, s.geometry.y + reach)
        )
        span = int(2 * reach / POP_PIXEL_M) + 2
        rows, cols = np.nonzero(
            np.hypot(gx[r0 : r0 + span, c0 : c0 + span] - s.geometry.x,
                     gy[r0 : r0 + span, c0 : c0 + span] - s.geometry.y) <= reach
        )  # fmt: skip
        rows, cols = rows + r0, cols + c0
        keep = shapely.contains_xy(inner[s.code], gx[rows, cols], gy[rows, cols])
        rows, cols = rows[keep], cols[keep]
        d2 = (gx[rows, cols] - s.geometry.x) ** 2 + (gy[rows, cols] - s.geometry.y) ** 2
        weight = np.exp(-d2 / (2 * sigma**2))
        people[rows, cols] += rng.multinomial(int(s.population), weight / weight.sum())
    inside = shapely.contains_xy(world.region, gx, gy)
    out = np.where(inside | (people > 0), people, POP_NODATA).astype(np.float32)
    return out, transform


def build_dem(world: World, rng: np.random.Generator) -> tuple[np.ndarray, Affine]:
    """Elevation in metres: the Andes to the west falling to the Amazon lowlands, ridges,
    and valleys carved along the rivers (a margin of 25 km around the region)."""
    minx, miny, maxx, maxy = world.region.bounds
    transform, width, height = _grid(
        (minx - 25000, miny - 25000, maxx + 25000, maxy + 25000), DEM_PIXEL_M
    )
    xs = transform.c + (np.arange(width) + 0.5) * DEM_PIXEL_M
    ys = transform.f - (np.arange(height) + 0.5) * DEM_PIXEL_M
    gx, gy = np.meshgrid(xs, ys)
    t = (gx - minx) / (maxx - minx)  # 0 west, 1 east
    base = 180 + 2900 / (1 + np.exp((t - 0.28) / 0.07))
    noise = ndimage.gaussian_filter(rng.normal(0, 1, gx.shape), 14)
    noise /= noise.std()
    fine = ndimage.gaussian_filter(rng.normal(0, 1, gx.shape), 5)
    fine /= fine.std()
    relief = (base - 150) / 2900  # mountains rugged, plains gentle
    dem = base + (700 * relief + 20) * noise + (90 * relief + 2) * fine
    rivers = rasterize(
        ((g, 1) for g in world.rivers.geometry), out_shape=gx.shape, transform=transform
    )
    dist = ndimage.distance_transform_edt(rivers == 0) * DEM_PIXEL_M
    dem -= (500 * relief + 25) * np.exp(-dist / 3000)
    return np.maximum(dem, 90.0).astype(np.float32), transform


def hillshade(dem: np.ndarray, pixel: float, azimuth=315.0, altitude=45.0) -> np.ndarray:
    """Lambertian hillshade 0-1 (the usual GDAL formula; rows run north to south)."""
    dzdy, dzdx = np.gradient(dem.astype(np.float64), pixel)
    dzdy = -dzdy  # row index grows southwards
    slope = np.arctan(np.hypot(dzdx, dzdy))
    aspect = np.arctan2(-dzdx, dzdy)
    az, alt = math.radians(360.0 - azimuth + 90.0), math.radians(altitude)
    shade = np.sin(alt) * np.cos(slope) + np.cos(alt) * np.sin(slope) * np.cos(az - aspect)
    return np.clip(shade, 0, 1)


def _write_tif(path: Path, data: np.ndarray, transform: Affine, nodata, resampling) -> None:
    profile = dict(
        driver="GTiff",
        width=data.shape[1],
        height=data.shape[0],
        count=1,
        dtype=data.dtype.name,
        crs=f"EPSG:{METRIC_EPSG}",
        transform=transform,
        nodata=nodata,
        tiled=True,
        blockxsize=512,
        blockysize=512,
        compress="deflate",
        predictor=2 if data.dtype.kind in "ui" else 3,
        zlevel=9,
    )
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data, 1)
        dst.update_tags(**TAGS)
        factors, size = [], max(data.shape)
        while size > 256:
            factors.append(2 ** (len(factors) + 1))
            size //= 2
        dst.build_overviews(factors, resampling)


def _tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """A web-mercator (XYZ) tile's west, south, east, north in degrees."""
    n = 2**z

    def lat(row: float) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return x / n * 360 - 180, lat(y + 1), (x + 1) / n * 360 - 180, lat(y)


def _tile_range(z: int, lonlat: tuple[float, float, float, float]) -> tuple[range, range]:
    n = 2**z

    def row(lat: float) -> int:
        r = math.radians(lat)
        return int((1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * n)

    x0, x1 = int((lonlat[0] + 180) / 360 * n), int((lonlat[2] + 180) / 360 * n)
    return range(x0, x1 + 1), range(row(lonlat[3]), row(lonlat[1]) + 1)


def write_relief_mbtiles(path: Path, dem: np.ndarray, transform: Affine, lonlat) -> int:
    """Hillshade PNG tiles (greyscale) of the DEM over lonlat, zooms RELIEF_ZOOMS; tile count."""
    from PIL import Image

    shade = hillshade(dem, DEM_PIXEL_M)
    to_utm = Transformer.from_crs(4326, METRIC_EPSG, always_xy=True)
    path.unlink(missing_ok=True)
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    con.execute(
        "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, "
        "tile_data BLOB)"
    )
    con.execute("CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row)")
    meta = {
        "name": "Relieve sintético (Demolandia)",
        "description": NOTE,
        "attribution": RELIEF_ATTRIBUTION,
        "type": "baselayer",
        "version": "1",
        "format": "png",
        "scheme": "tms",
        "bounds": ",".join(f"{v:.6f}" for v in lonlat),
        "center": f"{(lonlat[0] + lonlat[2]) / 2:.6f},{(lonlat[1] + lonlat[3]) / 2:.6f},"
        f"{RELIEF_ZOOMS[1]}",
        "minzoom": str(RELIEF_ZOOMS[0]),
        "maxzoom": str(RELIEF_ZOOMS[-1]),
    }
    con.executemany("INSERT INTO metadata VALUES (?, ?)", sorted(meta.items()))
    count = 0
    for z in RELIEF_ZOOMS:
        cols, rows = _tile_range(z, lonlat)
        for tx in cols:
            for ty in rows:
                w, s, e, n = _tile_bounds(z, tx, ty)
                # Pixel centres evenly spaced in web mercator (latitudes through the sinh).
                f = (np.arange(256) + 0.5) / 256
                lon = w + f * (e - w)
                merc = ty + f
                lat = np.degrees(np.arctan(np.sinh(np.pi * (1 - 2 * merc / 2**z))))
                glon, glat = np.meshgrid(lon, lat)
                ux, uy = to_utm.transform(glon, glat)
                c, r = _col_row(transform, ux, uy)
                value = ndimage.map_coordinates(shade, [r - 0.5, c - 0.5], order=1, cval=1.0)
                # 32 grey levels: the relief reads the same and the tiles compress 2-3x.
                grey = (70 + 6 * np.round(value * 30)).astype(np.uint8)
                buf = io.BytesIO()
                Image.fromarray(grey, mode="L").save(buf, format="PNG", optimize=True)
                tms_row = 2**z - 1 - ty
                con.execute(
                    "INSERT INTO tiles VALUES (?, ?, ?, ?)", (z, tx, tms_row, buf.getvalue())
                )
                count += 1
    con.commit()
    con.close()
    return count


def write_rasters(world: World, root: Path, seed: int) -> dict:
    """Write the three raster files under root/data; what was written (for the summary)."""
    rng = np.random.default_rng([seed, 15])
    root = Path(root)
    loss, loss_t = build_loss(world, rng)
    _write_tif(root / RASTER_FILES["loss"], loss, loss_t, None, Resampling.nearest)
    people, pop_t = build_population(world, rng)
    _write_tif(root / RASTER_FILES["population"], people, pop_t, POP_NODATA, Resampling.average)
    dem, dem_t = build_dem(world, rng)
    # The region and 20 km around it (the DEM reaches 25 km), so a map's margins have relief.
    around = shapely.box(*world.region.buffer(20000).bounds)
    lonlat = tuple(gpd.GeoSeries([around], crs=METRIC_EPSG).to_crs(4326).total_bounds)
    tiles = write_relief_mbtiles(root / RASTER_FILES["relief"], dem, dem_t, lonlat)
    return {"loss_shape": loss.shape, "population_shape": people.shape, "relief_tiles": tiles}
