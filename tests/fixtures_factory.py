"""Small files in the real formats analysts have, made on the fly in a test's tmp_path.

Column names follow the real exports (docs/methods.md, "Data formats analysts already have");
places lie in the sample region (about 0-2°N, 75-77°W). Tests import this module by name:
pytest puts tests/ on sys.path because tests/conftest.py sits there without __init__.py.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
from affine import Affine
from shapely.geometry import LineString, Point, Polygon, box

LONLAT = "EPSG:4326"


def _points(n: int, seed: int = 1) -> list[Point]:
    rng = np.random.default_rng(seed)
    return [
        Point(x, y) for x, y in zip(rng.uniform(-77, -75, n), rng.uniform(0, 2, n), strict=True)
    ]


def _save_lonlat(path: Path, columns: dict, geometry: list, **options) -> Path:
    """Write `columns` and `geometry` (lon/lat) to `path`; `options` go to GeoDataFrame.to_file."""
    gpd.GeoDataFrame(columns, geometry=geometry, crs=LONLAT).to_file(path, **options)
    return path


def geotiff(
    path: Path, data: np.ndarray, transform: Affine, crs: str | None = "EPSG:32618", **profile
) -> Path:
    """A GeoTIFF of `data`, (rows, cols) or (bands, rows, cols); `profile` adds nodata, tiling,
    compression... as rasterio takes them (crs=None: a file without a CRS)."""
    bands = data[np.newaxis] if data.ndim == 2 else data
    options = {
        "driver": "GTiff",
        "width": bands.shape[2],
        "height": bands.shape[1],
        "count": bands.shape[0],
        "dtype": data.dtype.name,
        "crs": crs,
        "transform": transform,
    } | profile
    with rasterio.open(path, "w", **options) as dst:
        dst.write(bands)
    return path


def acled_csv(folder: Path, name: str = "acled_colombia.csv") -> Path:
    """ACLED export: ISO and '16 May 2025' dates, one unreadable date."""
    rows = 6
    df = pd.DataFrame(
        {
            "event_id_cnty": [f"COL{i}" for i in range(rows)],
            "event_date": [
                "2025-05-16",
                "16 May 2025",
                "2024-01-02",
                "03 March 2023",
                "not a date",
                "2022-12-31",
            ],
            "year": [2025, 2025, 2024, 2023, 2023, 2022],
            "event_type": ["Battles", "Violence against civilians", "Protests"] * 2,
            "sub_event_type": ["Armed clash", "Attack", "Peaceful protest"] * 2,
            "actor1": ["Military Forces of Colombia", "Unidentified Armed Group", "Protesters"] * 2,
            "inter1": [1, 3, 6] * 2,
            "admin1": ["Putumayo"] * rows,
            "admin2": ["Puerto Asís"] * rows,
            "location": ["Puerto Asís", "Orito", "Mocoa"] * 2,
            "latitude": [0.50, 0.67, 1.15, 0.40, 0.9, 1.2],
            "longitude": [-76.50, -76.87, -76.65, -76.1, -75.5, -76.9],
            "geo_precision": [1, 2, 1, 3, 1, 2],
            "fatalities": [2, 1, 0, 0, 4, 0],
            "notes": ["..."] * rows,
        }
    )
    path = folder / name
    df.to_csv(path, index=False)
    return path


def healthsites_csv(folder: Path, name: str = "healthsites.csv") -> Path:
    """healthsites.io CSV: X/Y columns, amenity, "nan" strings for missing values."""
    df = pd.DataFrame(
        {
            "X": [-76.64, -76.50, -75.9, -76.2],
            "Y": [1.15, 0.50, 1.6, 0.8],
            "osm_id": [101, 102, 103, 104],
            "osm_type": ["node"] * 4,
            "amenity": ["hospital", "clinic", "pharmacy", "nan"],
            "healthcare": ["hospital", "clinic", "pharmacy", "doctor"],
            "name": ["Hospital José María Hernández", "Centro de Salud", "nan", "Puesto"],
            "operator_type": ["public", "nan", "private", "public"],
            "beds": [120, 10, None, 2],
        }
    )
    path = folder / name
    df.to_csv(path, index=False)
    return path


def healthsites_shapefile(folder: Path, name: str = "healthsites.shp") -> Path:
    """Shapefile export: names cut to 10 characters (operator_type -> operator_t)."""
    return _save_lonlat(
        folder / name,
        {
            "osm_id": [1, 2, 3],
            "amenity": ["hospital", "clinic", "nan"],
            "healthcare": ["hospital", "clinic", "doctor"],
            "name": ["Hospital San Rafael", "nan", "Puesto de salud"],
            "operator_t": ["public", "private", "nan"],
            "beds": [80, 6, 0],
        },
        _points(3, seed=2),
        encoding="UTF-8",
    )


def _park(x: float, y: float, size: float = 0.3) -> Polygon:
    return box(x, y, x + size, y + size)


def wdpa_shapefile(folder: Path, schema: str = "legacy", name: str | None = None) -> Path:
    """WDPA protected areas, legacy (WDPAID...) or 2025 portal schema (SITE_ID...)."""
    geoms = [_park(-76.8, 0.2), _park(-75.9, 1.4)]
    # The same two parks in either schema.
    ids, pids = [555, 556], ["555", "556"]
    names = ["La Paya", "Serranía de los Churumbelos"]
    status = ["Designated", "Designated"]
    if schema == "legacy":
        data = {
            "WDPAID": ids,
            "WDPA_PID": pids,
            "PA_DEF": ["1", "1"],
            "NAME": names,
            "DESIG_ENG": ["National Park", "National Park"],
            "IUCN_CAT": ["II", "II"],
            "STATUS": status,
            "REP_AREA": [4220.0, 970.0],
            "ISO3": ["COL", "COL;ECU"],
        }
    else:
        data = {
            "SITE_ID": ids,
            "SITE_PID": pids,
            "SITE_TYPE": ["PA", "OECM"],
            "NAME_ENG": names,
            "NAME": names,
            "IUCN_CAT": ["II", "Not Reported"],
            "REALM": ["Terrestrial", "Terrestrial"],
            "STATUS": status,
            "PRNT_ISO3": ["COL", "COL"],
        }
    return _save_lonlat(folder / (name or f"wdpa_{schema}.shp"), data, geoms, encoding="UTF-8")


def hdx_boundaries(folder: Path, lower: bool = False, name: str | None = None) -> Path:
    """HDX admin-2 boundaries with P-codes (upper case, or the newer lower-case schema)."""
    cells = [box(-77 + i * 0.5, 0, -76.5 + i * 0.5, 1) for i in range(4)]
    data = {
        "ADM0_PCODE": ["CO"] * 4,
        "ADM0_ES": ["Colombia"] * 4,
        "ADM1_PCODE": ["CO86"] * 4,
        "ADM1_ES": ["Putumayo"] * 4,
        "ADM2_PCODE": ["CO86001", "CO86320", "CO86568", "CO86865"],
        "ADM2_ES": ["Mocoa", "Orito", "Puerto Asís", "Valle del Guamuez"],
        "ADM2_EN": ["Mocoa", "Orito", "Puerto Asis", "Valle del Guamuez"],
    }
    if lower:
        data = {
            "adm0_pcode": data["ADM0_PCODE"],
            "adm1_pcode": data["ADM1_PCODE"],
            "adm1_name": data["ADM1_ES"],
            "adm2_pcode": data["ADM2_PCODE"],
            "adm2_name": data["ADM2_ES"],
        }
    path = folder / (name or ("col_adm2_lower.geojson" if lower else "col_adm2.geojson"))
    return _save_lonlat(path, data, cells, driver="GeoJSON")


def simci_grid(folder: Path, name: str = "simci_coca_grid.gpkg") -> Path:
    """SIMCI 1 km grid with inconsistently named year columns."""
    cells = [box(-76 + i * 0.009, 0.5, -76 + (i + 1) * 0.009, 0.509) for i in range(5)]
    data = {
        "id_grilla": range(5),
        "areacoca_2001": [0.0, 1.2, 3.0, 0.0, 0.5],
        "areacoca2004": [0.1, 2.2, 0.0, 0.0, 0.5],
        "coca2022_": [0.0, 4.1, 1.0, 2.0, 0.0],
    }
    return _save_lonlat(folder / name, data, cells, layer="grilla")


def eradication_points(folder: Path, name: str = "erradicacion_2024.gpkg") -> Path:
    return _save_lonlat(
        folder / name,
        {
            "fecha": pd.to_datetime(["2024-02-01", "2024-03-15", "2024-07-30"]),
            "hectareas": [3.5, 12.0, 1.2],
            "modalidad": ["Manual", "Aerial", "Manual"],
            "municipio": ["Orito", "Puerto Asís", "Mocoa"],
        },
        _points(3, seed=3),
        layer="erradicacion",
    )


def rivers(folder: Path, name: str = "rios.geojson") -> Path:
    return _save_lonlat(
        folder / name,
        {"waterway": ["river", "stream"], "name": ["Río Putumayo", "Quebrada"]},
        [LineString([(-77, 0.2), (-75, 0.1)]), LineString([(-76, 1), (-76.1, 0.15)])],
        driver="GeoJSON",
    )


def settlements(folder: Path, name: str = "places.fgb") -> Path:
    return _save_lonlat(
        folder / name,
        {"place": ["town", "village", "hamlet"], "name": ["Mocoa", "Orito", "La Hormiga"]},
        _points(3, seed=4),
        driver="FlatGeobuf",
    )


def border_lines(folder: Path, name: str = "frontera_internacional.geojson") -> Path:
    line = LineString([(-77, 0.3), (-76, 0.1), (-75, 0.0)])
    return _save_lonlat(folder / name, {"id": [1]}, [line], driver="GeoJSON")


def multi_layer_gpkg(folder: Path, name: str = "putumayo.gpkg") -> Path:
    """One GeoPackage holding boundaries, eradication points and health facilities."""
    path = folder / name
    adm = gpd.read_file(hdx_boundaries(folder))
    adm.to_file(path, layer="municipios")
    gpd.read_file(eradication_points(folder)).to_file(path, layer="erradicacion")
    health = {"amenity": ["hospital", "clinic"], "name": ["H1", "C1"], "beds": [50, 4]}
    return _save_lonlat(path, health, _points(2, seed=5), layer="salud")


def feet_shapefile_without_prj(folder: Path, name: str = "parcels_ny.shp") -> Path:
    """State-plane coordinates in US feet (EPSG:2263) with the .prj lost."""
    gdf = gpd.GeoDataFrame(
        {"lot": [1, 2]},
        geometry=[box(983000, 195000, 983500, 195400), box(990000, 200000, 990300, 200250)],
        crs="EPSG:2263",
    )
    path = folder / name
    gdf.to_file(path)
    path.with_suffix(".prj").unlink()
    return path


def zip_shapefile(shp: Path, out: Path | None = None) -> Path:
    """The .shp and its sidecars zipped, as downloads usually come."""
    out = out or shp.with_suffix(".zip")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for part in shp.parent.glob(shp.stem + ".*"):
            if part.suffix.lower() != ".zip":
                zf.write(part, part.name)
    return out


def zip_bomb(folder: Path, name: str = "bomb.zip", megabytes: int = 80) -> Path:
    """A small zip that expands to `megabytes` of zeros (ratio ~1000:1)."""
    path = folder / name
    chunk = b"\0" * (1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("data.shp", "w", force_zip64=True) as fh:
            for _ in range(megabytes):
                fh.write(chunk)
    return path


def harm_project(
    title: str,
    admin: gpd.GeoDataFrame,
    violence: gpd.GeoDataFrame,
    eradication: gpd.GeoDataFrame,
    *,
    violence_name: str = "Violence events",
    violence_fields: dict[str, str] | None = None,
):
    """An in-memory project: HDX-style municipalities, dated violence, dated eradication."""
    from layers.layer import Layer
    from layers.project import Project
    from layers.roles import FieldMapping, Role

    project = Project(title=title)
    admin_fields = {"region_code": "ADM2_PCODE", "parent_code": "ADM1_PCODE", "name": "ADM2_ES"}
    project.layers.append(
        Layer(
            admin, "Municipalities", role=Role.ADMIN_BOUNDARIES, mapping=FieldMapping(admin_fields)
        )
    )
    fields = violence_fields or {"date": "event_date", "fatalities": "fatalities"}
    project.layers.append(
        Layer(violence, violence_name, role=Role.VIOLENCE, mapping=FieldMapping(fields))
    )
    project.layers.append(
        Layer(
            eradication,
            "Eradication",
            role=Role.ERADICATION,
            mapping=FieldMapping({"date": "fecha", "hectares": "hectares"}),
        )
    )
    return project
