"""Generated events and regions for the dask engine's tests (issue 19): points in lon/lat over a
grid of irregular regions, some of them exactly on shared edges and corners (each must count
once), with a weight, a date and a text column, written as CSV and GeoPackage."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

WEST, SOUTH, STEP, N = -77.0, 1.0, 0.5, 10  # a 10 x 10 grid of half-degree regions


def regions(crs: str = "EPSG:4326") -> gpd.GeoDataFrame:
    """100 regions sharing edges exactly, a few with a notch (so boxes overlap neighbours),
    and one with a hole; optionally reprojected."""
    shapes, codes = [], []
    for i in range(N):
        for j in range(N):
            x0, y0 = WEST + i * STEP, SOUTH + j * STEP
            shape = shapely.box(x0, y0, x0 + STEP, y0 + STEP)
            if (i + j) % 7 == 3:  # a notch: the neighbours' boxes now overlap this one's hole
                shape = shape.difference(shapely.box(x0, y0, x0 + 0.1, y0 + 0.1))
            if (i, j) == (4, 4):
                shape = shape.difference(shapely.box(x0 + 0.2, y0 + 0.2, x0 + 0.3, y0 + 0.3))
            shapes.append(shape)
            codes.append(f"R{i:02d}{j:02d}")
    gdf = gpd.GeoDataFrame({"code": codes}, geometry=shapes, crs="EPSG:4326")
    return gdf if crs == "EPSG:4326" else gdf.to_crs(crs)


def events(n: int = 200_000, seed: int = 19) -> pd.DataFrame:
    """n events: latitude, longitude (6 decimals, as ACLED), fatalities, event_date, notes;
    about 1 % on grid lines or corners, a few outside every region."""
    rng = np.random.default_rng(seed)
    lon = rng.uniform(WEST - 0.2, WEST + N * STEP + 0.2, n).round(6)
    lat = rng.uniform(SOUTH - 0.2, SOUTH + N * STEP + 0.2, n).round(6)
    edge = rng.choice(n, n // 100, replace=False)
    lon[edge[::2]] = WEST + STEP * rng.integers(0, N + 1, len(edge[::2]))  # on a vertical edge
    corner = edge[1::2]
    lon[corner] = WEST + STEP * rng.integers(0, N + 1, len(corner))
    lat[corner] = SOUTH + STEP * rng.integers(0, N + 1, len(corner))  # on a corner
    days = rng.integers(0, 10 * 365, n)
    return pd.DataFrame(
        {
            "event_date": (pd.Timestamp("2014-01-01") + pd.to_timedelta(days, "D")).strftime(
                "%Y-%m-%d"
            ),
            "latitude": lat,
            "longitude": lon,
            "fatalities": rng.poisson(0.8, n),
            "notes": rng.choice(["armed clash", "protest, peaceful", "ataque; dron"], n),
        }
    )


def write_events(folder: Path, n: int = 200_000) -> tuple[Path, Path]:
    """(events.csv, events.gpkg) of the same events."""
    frame = events(n)
    csv = folder / "events.csv"
    frame.to_csv(csv, index=False)
    points = gpd.GeoDataFrame(
        frame,
        geometry=gpd.points_from_xy(frame["longitude"], frame["latitude"]),
        crs="EPSG:4326",
    )
    gpkg = folder / "events.gpkg"
    points.to_file(gpkg, layer="events", engine="pyogrio")
    return csv, gpkg
