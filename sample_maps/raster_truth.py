"""What the sample's rasters hold, measured from the written files (not from the generator's
arrays): hectares of forest lost per year in the park, in all protected areas and in the
campaign's target and rings; people per municipality and department; the relief tiles.

Hectares here follow the pixel-centre rule (a pixel counts where its centre lies), with the
exact distance to the campaign points for the rings. Next to each figure, `edge_ha` is the
loss in pixels whose centre lies within EDGE_M of the area's edge: the only pixels that the
coverage rule (or a polygon buffer approximating a circle) may count differently, so any
correct pixel rule lands within `edge_ha` of the figure.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import geopandas as gpd
import numpy as np
import rasterio
import shapely
from scipy.spatial import cKDTree

from sample_maps.formats import FILES, MANUAL_LAYER
from sample_maps.rasters import (
    LOSS_BASE_YEAR,
    LOSS_PIXEL_M,
    LOSS_YEARS,
    PARK_CLEARINGS,
    RASTER_FILES,
    RING_CLEARINGS,
)
from sample_maps.readme_formats import EN, Formats
from sample_maps.world import CAMPAIGN, CAMPAIGN_END, METRIC_EPSG, PNN_ID

# Half a 30 m pixel's diagonal (21.2 m) plus what a 16-segment polygon buffer of 11 km
# cuts off a circle (13.5 m), rounded up.
EDGE_M = 40.0
TARGET_M, RING_WIDTH_M, RINGS = 2000.0, 3000.0, 3  # displacement --target-radius-m, --buffer-m
WINDOW_YEARS = 2  # before 2016-2017, after 2019-2020 around the 2018 campaign


def _per_year(codes: np.ndarray, inside: np.ndarray, pixel_ha: float) -> dict[str, float]:
    counts = np.bincount(codes[inside], minlength=256)
    return {str(y): round(counts[y - LOSS_BASE_YEAR] * pixel_ha, 2) for y in LOSS_YEARS}


def _area(codes, inside, near_edge, pixel_ha, **what) -> dict:
    year = CAMPAIGN_END.year
    by_year = _per_year(codes, inside, pixel_ha)
    return {
        **what,
        "ha_by_year": by_year,
        "before_ha": round(sum(by_year[str(year - k)] for k in range(1, WINDOW_YEARS + 1)), 2),
        "after_ha": round(sum(by_year[str(year + k)] for k in range(1, WINDOW_YEARS + 1)), 2),
        "planted_2019_2021_ha": round(sum(by_year[str(y)] for y in (2019, 2020, 2021)), 2),
        "edge_ha": round(float(near_edge.sum()) * pixel_ha, 2),
    }


def measure_loss(root: Path) -> dict:
    """Hectares lost per year in the park, all protected areas, the campaign's target and rings."""
    root = Path(root)
    with rasterio.open(root / RASTER_FILES["loss"]) as src:
        codes = src.read(1)
        transform = src.transform
    rows, cols = np.nonzero(codes)
    codes = codes[rows, cols]
    x = transform.c + (cols + 0.5) * transform.a
    y = transform.f + (rows + 0.5) * transform.e
    pixel_ha = LOSS_PIXEL_M**2 / 1e4
    read = lambda rel, **kw: gpd.read_file(root / rel, **kw).to_crs(METRIC_EPSG)  # noqa: E731
    protected = read(FILES["protected"])
    region = shapely.union_all(read(FILES["adm2"]).geometry.to_numpy())
    manual = read(FILES["eradication"], layer=MANUAL_LAYER)
    points = manual.loc[manual.campana == CAMPAIGN]
    pts = np.column_stack([points.geometry.x, points.geometry.y])
    areas: dict[str, dict] = {}

    def polygon(geom):
        inside = shapely.contains_xy(geom, x, y)
        near = shapely.distance(geom.boundary, shapely.points(x, y)) <= EDGE_M
        return inside, near

    park = protected.set_index("WDPAID").geometry[PNN_ID]
    areas["national_park"] = _area(codes, *polygon(park), pixel_ha, wdpaid=PNN_ID)
    areas["protected_areas"] = _area(
        codes,
        *polygon(shapely.union_all(protected.geometry.to_numpy())),
        pixel_ha,
        wdpaids=sorted(int(v) for v in protected.WDPAID),
    )
    in_region = shapely.contains_xy(region, x, y)
    d, _ = cKDTree(pts).query(np.column_stack([x, y]))
    edges = [TARGET_M + RING_WIDTH_M * k for k in range(RINGS + 1)]
    lo = 0.0
    for k, hi in enumerate(edges):
        inside = (d > lo) & (d <= hi) & in_region
        near = (np.abs(d - hi) <= EDGE_M) | ((np.abs(d - lo) <= EDGE_M) if lo else False)
        key = "target" if k == 0 else f"ring_{k}"
        areas[key] = _area(codes, inside, near, pixel_ha, from_m=lo, to_m=hi)
        lo = hi
    areas["region"] = _area(codes, *polygon(region), pixel_ha, what="every municipality")
    return {
        "file": RASTER_FILES["loss"],
        "crs": f"EPSG:{METRIC_EPSG}",
        "pixel_m": LOSS_PIXEL_M,
        "pixel_ha": pixel_ha,
        "codes": "0 = no loss, n = loss in 2000 + n (Hansen lossyear)",
        "rule": "pixel centre; the coverage rule lands within edge_ha of each figure",
        "edge_m": EDGE_M,
        "windows": {
            "operation_year": CAMPAIGN_END.year,
            "before": [CAMPAIGN_END.year - WINDOW_YEARS, CAMPAIGN_END.year - 1],
            "after": [CAMPAIGN_END.year + 1, CAMPAIGN_END.year + WINDOW_YEARS],
        },
        "planted_clearings": {
            "national_park": {str(k): v for k, v in PARK_CLEARINGS.items()},
            "ring_1": {str(k): v for k, v in RING_CLEARINGS.items()},
        },
        "campaign": {"points": len(pts), "target_radius_m": TARGET_M, "ring_m": RING_WIDTH_M},
        "areas": areas,
    }


def measure_population(root: Path) -> dict:
    """People per municipality and department from the population raster (pixel centres)."""
    root = Path(root)
    with rasterio.open(root / RASTER_FILES["population"]) as src:
        people = src.read(1).astype(np.float64)
        transform, nodata = src.transform, src.nodata
    rows, cols = np.nonzero((people > 0) & (people != nodata))
    x = transform.c + (cols + 0.5) * transform.a
    y = transform.f + (rows + 0.5) * transform.e
    value = people[rows, cols]
    adm2 = gpd.read_file(root / FILES["adm2"]).to_crs(METRIC_EPSG)
    per_muni = {
        code: int(round(value[shapely.contains_xy(geom, x, y)].sum()))
        for code, geom in zip(adm2.ADM2_PCODE, adm2.geometry, strict=True)
    }
    per_dept: dict[str, int] = {}
    for code, n in sorted(per_muni.items()):
        per_dept[code[:4]] = per_dept.get(code[:4], 0) + n
    return {
        "file": RASTER_FILES["population"],
        "pixel_m": float(transform.a),
        "unit": "people per pixel (whole people, float32 like WorldPop)",
        "nodata": nodata,
        "total": int(round(value.sum())),
        "per_municipality": dict(sorted(per_muni.items())),
        "per_department": per_dept,
        "boundary_population": {
            c: int(p) for c, p in zip(adm2.ADM2_PCODE, adm2.population, strict=True)
        },
    }


def measure_relief(root: Path) -> dict:
    """The relief basemap's metadata and tiles per zoom."""
    con = sqlite3.connect(f"file:{Path(root) / RASTER_FILES['relief']}?mode=ro", uri=True)
    try:
        meta = dict(con.execute("SELECT name, value FROM metadata").fetchall())
        zooms = con.execute(
            "SELECT zoom_level, COUNT(*) FROM tiles GROUP BY zoom_level ORDER BY 1"
        ).fetchall()
    finally:
        con.close()
    return {
        "file": RASTER_FILES["relief"],
        "metadata": dict(sorted(meta.items())),
        "tiles_per_zoom": {str(z): n for z, n in zooms},
    }


def measure_rasters(root: Path) -> dict:
    return {
        "forest_loss": measure_loss(root),
        "population": measure_population(root),
        "relief": measure_relief(root),
    }


def check_rasters(r: dict) -> list[str]:
    """What must hold for the rasters to tell the planted story."""
    problems = []
    areas = r["forest_loss"]["areas"]
    for key in ("national_park", "ring_1"):
        a = areas[key]
        if not a["after_ha"] > 3 * a["before_ha"]:
            problems.append(f"forest loss in {key} did not jump after the 2018 campaign")
        if not a["edge_ha"] < 0.05 * max(a["after_ha"], 1):
            problems.append(f"too much loss on the edge of {key}")
    pop = r["population"]
    if pop["per_municipality"] != pop["boundary_population"]:
        problems.append("population raster does not add up to the municipalities' populations")
    return problems


# The raster section of each README, by language: the words, with {name} where a figure goes.
README_TEXT = {
    "en": {
        "areas": {
            "national_park": f"Alto Tacuré national park (WDPAID {PNN_ID})",
            "protected_areas": "All protected areas",
            "target": "Campaign target (0-2 km)",
            "ring_1": "Ring 1 (2-5 km)",
            "ring_2": "Ring 2 (5-8 km)",
            "ring_3": "Ring 3 (8-11 km)",
            "region": "Whole region",
        },
        "loss": "Forest loss (`{file}`, {pixel_m} m, {pixel_ha} ha a pixel), hectares by the "
        "pixel-centre rule; the coverage rule lands within ± edge:",
        "header": "| Area | 2016-2017 (before) | 2019-2020 (after) | 2019-2021 | ± edge |",
        "population": "- Population (`{file}`, {pixel_m} m): {total} people ({departments}); "
        "every municipality's pixels add up to its population.",
        "relief": '- Relief basemap (`{file}`): {tiles}; attribution "{attribution}".',
        "tiles": "zoom {zoom}: {n} tiles",
    },
    "es": {
        "areas": {
            "national_park": f"Parque nacional Alto Tacuré (WDPAID {PNN_ID})",
            "protected_areas": "Todas las áreas protegidas",
            "target": "Área intervenida de la campaña (0-2 km)",
            "ring_1": "Anillo 1 (2-5 km)",
            "ring_2": "Anillo 2 (5-8 km)",
            "ring_3": "Anillo 3 (8-11 km)",
            "region": "Toda la región",
        },
        "loss": "Pérdida de bosque (`{file}`, {pixel_m} m, {pixel_ha} ha por píxel), hectáreas "
        "según la regla del centro del píxel; la regla de cobertura queda dentro de ± borde:",
        "header": "| Área | 2016-2017 (antes) | 2019-2020 (después) | 2019-2021 | ± borde |",
        "population": "- Población (`{file}`, {pixel_m} m): {total} personas ({departments}); "
        "los píxeles de cada municipio suman su población.",
        "relief": '- Mapa base de relieve (`{file}`): {tiles}; atribución "{attribution}".',
        "tiles": "zoom {zoom}: {n} teselas",
    },
}


def readme_lines(r: dict, fm: Formats = EN) -> list[str]:
    """The raster figures as Markdown lines for the README in fm's language."""
    text = README_TEXT[fm.lang]
    loss, pop, relief = r["forest_loss"], r["population"], r["relief"]
    out = [
        "",
        text["loss"].format(
            file=loss["file"], pixel_m=fm.g(loss["pixel_m"]), pixel_ha=fm.g(loss["pixel_ha"])
        ),
        "",
        text["header"],
        "|---|---|---|---|---|",
    ]
    for key, label in text["areas"].items():
        a = loss["areas"][key]
        out.append(
            f"| {label} | {fm.f(a['before_ha'], 2)} | {fm.f(a['after_ha'], 2)} | "
            f"{fm.f(a['planted_2019_2021_ha'], 2)} | {fm.g(a['edge_ha'])} |"
        )
    departments = ", ".join(f"{c} {fm.n(n)}" for c, n in pop["per_department"].items())
    tiles = ", ".join(
        text["tiles"].format(zoom=z, n=fm.n(n)) for z, n in relief["tiles_per_zoom"].items()
    )
    out += [
        "",
        text["population"].format(
            file=pop["file"], pixel_m=fm.g(pop["pixel_m"]), total=fm.n(pop["total"]),
            departments=departments,
        ),
        text["relief"].format(
            file=relief["file"], tiles=tiles, attribution=relief["metadata"]["attribution"]
        ),
    ]  # fmt: skip
    return out
