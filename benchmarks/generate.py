"""Large synthetic layers for the benchmarks: N dated, weighted points and a grid of regions.

Everything lies in the sample region (about 0–2°N, 75–77°W) so benchmarks exercise the same
CRS choice (UTM 18N) as the sample project. Vectorised: a million points take seconds.

    python -m benchmarks.generate --points 1000000 --polygons 1000 --out benchmarks/data
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

# (west, south, east, north) of the sample region, in degrees.
SAMPLE_BOUNDS: tuple[float, float, float, float] = (-77.0, 0.0, -75.0, 2.0)
EVENT_TYPES = np.array(
    ["Battles", "Violence against civilians", "Explosions/Remote violence", "Protests", "Riots"]
)
METHODS = np.array(["manual", "aerial"])


def synthetic_points(
    n: int, seed: int = 0, bounds: tuple[float, float, float, float] = SAMPLE_BOUNDS
) -> gpd.GeoDataFrame:
    """`n` points, clustered like real events, with a date, year, weight and event columns."""
    rng = np.random.default_rng(seed)
    west, south, east, north = bounds
    # Half the points around a few hot spots, half spread out: realistic density contrast.
    n_hot = n // 2
    centres = rng.uniform((west, south), (east, north), size=(12, 2))
    pick = rng.integers(0, len(centres), n_hot)
    hot = centres[pick] + rng.normal(0, 0.05, size=(n_hot, 2))
    spread = rng.uniform((west, south), (east, north), size=(n - n_hot, 2))
    xy = np.clip(np.vstack([hot, spread]), (west, south), (east, north))
    days = rng.integers(0, 365 * 10, n)
    dates = pd.Timestamp("2015-01-01") + pd.to_timedelta(days, unit="D")
    return gpd.GeoDataFrame(
        {
            "event_date": dates,
            "year": dates.year.astype("int32"),
            "weight": rng.gamma(2.0, 2.0, n).round(2),
            "fatalities": rng.poisson(0.4, n).astype("int32"),
            "event_type": EVENT_TYPES[rng.integers(0, len(EVENT_TYPES), n)],
            "method": METHODS[rng.integers(0, 2, n)],
        },
        geometry=shapely.points(xy),
        crs="EPSG:4326",
    )


def synthetic_regions(
    n: int, seed: int = 0, bounds: tuple[float, float, float, float] = SAMPLE_BOUNDS
) -> gpd.GeoDataFrame:
    """About `n` rectangular regions tiling `bounds`, with P-code-like codes and population."""
    rng = np.random.default_rng(seed)
    west, south, east, north = bounds
    cols = max(1, round(math.sqrt(n)))
    rows = max(1, math.ceil(n / cols))
    dx, dy = (east - west) / cols, (north - south) / rows
    i, j = np.meshgrid(np.arange(cols), np.arange(rows))
    i, j = i.ravel()[:n], j.ravel()[:n]
    x0, y0 = west + i * dx, south + j * dy
    geoms = shapely.box(x0, y0, x0 + dx, y0 + dy)
    codes = np.char.add("SY", np.char.zfill(np.arange(len(geoms)).astype(str), 5))
    return gpd.GeoDataFrame(
        {
            "ADM2_PCODE": codes,
            "ADM1_PCODE": np.char.add("SY", np.char.zfill((j // 4).astype(str), 2)),
            "ADM2_ES": np.char.add("Región ", np.arange(len(geoms)).astype(str)),
            "population": rng.integers(1_000, 250_000, len(geoms)),
        },
        geometry=geoms,
        crs="EPSG:4326",
    )


def write_layer(gdf: gpd.GeoDataFrame, path: Path, layer: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    gdf.to_file(path, layer=layer, driver="GPKG", engine="pyogrio", use_arrow=True)
    return path


def generate(points: int, polygons: int, out: Path, seed: int = 0) -> dict[str, Path]:
    """Write points.gpkg and regions.gpkg under `out`; returns their paths."""
    paths: dict[str, Path] = {}
    if points:
        paths["points"] = write_layer(synthetic_points(points, seed), out / "points.gpkg", "events")
    if polygons:
        paths["regions"] = write_layer(
            synthetic_regions(polygons, seed), out / "regions.gpkg", "regions"
        )
    return paths


def points_file(n: int, out: Path | str, seed: int = 0) -> Path:
    """A GeoPackage of `n` synthetic points, made once and reused by later runs."""
    path = Path(out) / f"points_{n}.gpkg"
    if not path.exists():
        write_layer(synthetic_points(n, seed), path, "events")
    return path


def points_csv(n: int, out: Path | str, seed: int = 0) -> Path:
    """The same points as an ACLED-style CSV (latitude/longitude, '16 May 2025' dates)."""
    path = Path(out) / f"points_{n}.csv"
    if not path.exists():
        gdf = synthetic_points(n, seed)
        table = pd.DataFrame(gdf.drop(columns="geometry"))
        table["event_date"] = table["event_date"].dt.strftime("%d %B %Y")
        table["latitude"] = gdf.geometry.y.round(5)
        table["longitude"] = gdf.geometry.x.round(5)
        path.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(path, index=False)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--polygons", type=int, default=1_000)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/data"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    paths = generate(args.points, args.polygons, args.out, args.seed)
    for kind, path in paths.items():
        print(f"{kind}: {path} ({path.stat().st_size / 1e6:.1f} MB)")
    print(f"generated in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
