"""Every reader, the format registry (content before extension) and the CRS rules."""

from __future__ import annotations

import shutil
import time
import zipfile

import fixtures_factory as ff
import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from pyproj import CRS
from shapely.geometry import Point, box

from layers.errors import LayerLoadError
from layers.readers import read_layers, reader_for
from layers.roles import Role
from layers.style import default_style


def _one(path, **kwargs):
    layers = read_layers(path, **kwargs)
    assert len(layers) == 1
    return layers[0]


def test_geojson_layer_is_complete(tmp_path):
    layer = _one(ff.hdx_boundaries(tmp_path))
    assert layer.name == "col_adm2"
    assert len(layer.data) == 4
    assert CRS.from_user_input(layer.data.crs).to_epsg() == 4326
    assert layer.role == Role.ADMIN_BOUNDARIES
    assert layer.style == default_style(Role.ADMIN_BOUNDARIES)
    assert layer.source.path.endswith("col_adm2.geojson")
    assert layer.report.driver == "GeoJSON"
    assert layer.report.features_read == 4
    assert layer.report.crs_assumed is False


def test_shapefile_keeps_its_crs_and_text(tmp_path):
    gdf = gpd.GeoDataFrame(
        {"nombre": ["Bogotá", "Nariño"]},
        geometry=[Point(1000000, 1000000), Point(1001000, 1002000)],
        crs="EPSG:3116",
    )
    gdf.to_file(tmp_path / "magna.shp", encoding="UTF-8")
    layer = _one(tmp_path / "magna.shp")
    assert CRS.from_user_input(layer.data.crs).to_epsg() == 3116
    assert layer.data["nombre"].tolist() == ["Bogotá", "Nariño"]
    assert layer.report.driver == "ESRI Shapefile"
    assert layer.report.encoding == "utf-8"
    assert layer.report.warnings == []


def test_sidecar_path_opens_the_shapefile(tmp_path):
    shp = ff.wdpa_shapefile(tmp_path)
    layer = _one(shp.with_suffix(".dbf"))
    assert layer.source.path == str(shp)


def test_zipped_shapefile_reads_through_vsizip(tmp_path):
    shp = ff.wdpa_shapefile(tmp_path)
    archive = ff.zip_shapefile(shp, tmp_path / "download.zip")
    layer = _one(archive)
    assert layer.role == Role.PROTECTED_AREAS
    assert len(layer.data) == 2
    assert "zip" in layer.report.driver
    assert layer.data["NAME"].iloc[1] == "Serranía de los Churumbelos"


def test_zip_with_two_shapefiles_gives_two_layers_and_sublayer_picks(tmp_path):
    a = ff.wdpa_shapefile(tmp_path, "legacy")
    b = ff.wdpa_shapefile(tmp_path, "2025")
    archive = tmp_path / "both.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for shp in (a, b):
            for part in tmp_path.glob(shp.stem + ".*"):
                zf.write(part, "data/" + part.name)
    assert sorted(x.name for x in read_layers(archive)) == ["wdpa_2025", "wdpa_legacy"]
    only = _one(archive, sublayer="wdpa_2025")
    assert only.source.sublayer == "wdpa_2025"
    assert "NAME_ENG" in only.data.columns


def test_geopackage_every_layer_and_one_by_name(tmp_path):
    path = ff.multi_layer_gpkg(tmp_path)
    layers = read_layers(path)
    assert {layer.name: layer.role for layer in layers} == {
        "municipios": Role.ADMIN_BOUNDARIES,
        "erradicacion": Role.ERADICATION,
        "salud": Role.HEALTH_SERVICES,
    }
    assert all(layer.source.sublayer == layer.name for layer in layers)
    salud = _one(path, sublayer="salud")
    assert len(salud.data) == 2
    with pytest.raises(LayerLoadError, match="no layer named 'rivers'.*municipios"):
        read_layers(path, sublayer="rivers")


def test_geopackage_attribute_tables_are_not_layers(tmp_path):
    path = ff.eradication_points(tmp_path)
    pyogrio.write_dataframe(pd.DataFrame({"code": ["CO86001"]}), path, layer="lookup")
    assert len(pyogrio.list_layers(path)) == 2
    assert [x.name for x in read_layers(path)] == ["erradicacion"]


def test_flatgeobuf(tmp_path):
    layer = _one(ff.settlements(tmp_path))
    assert layer.report.driver == "FlatGeobuf"
    assert layer.role == Role.SETTLEMENTS


def test_kml(tmp_path):
    gdf = gpd.read_file(ff.hdx_boundaries(tmp_path))[["ADM2_ES", "geometry"]]
    gdf = gdf.rename(columns={"ADM2_ES": "Name"})
    gdf.to_file(tmp_path / "municipios.kml", driver="KML")
    layer = _one(tmp_path / "municipios.kml")
    assert len(layer.data) == 4
    assert layer.geometry_kind == "polygon"
    assert CRS.from_user_input(layer.data.crs).to_epsg() == 4326


def test_kmz_and_gml(tmp_path):
    gdf = gpd.read_file(ff.rivers(tmp_path))
    gdf.to_file(tmp_path / "doc.kml", driver="KML")
    with zipfile.ZipFile(tmp_path / "rios.kmz", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(tmp_path / "doc.kml", "doc.kml")
    assert reader_for(tmp_path / "rios.kmz").name == "KMZ"
    assert _one(tmp_path / "rios.kmz").geometry_kind == "line"
    shutil.copy(tmp_path / "rios.kmz", tmp_path / "renamed.zip")
    assert len(_one(tmp_path / "renamed.zip").data) == 2
    gdf.to_file(tmp_path / "rios.gml", driver="GML")
    layer = _one(tmp_path / "rios.gml")
    assert layer.role == Role.WATER
    assert len(layer.data) == 2


def test_geoparquet_and_plain_parquet_with_coordinates(tmp_path):
    gpd.read_file(ff.eradication_points(tmp_path)).to_parquet(tmp_path / "erad.parquet")
    layer = _one(tmp_path / "erad.parquet")
    assert layer.role == Role.ERADICATION
    assert layer.report.driver == "GeoParquet"
    pd.DataFrame({"lat": [1.0, 1.5], "lon": [-76.0, -75.5]}).to_parquet(tmp_path / "pts.parquet")
    plain = _one(tmp_path / "pts.parquet")
    assert plain.report.driver == "Parquet"
    assert plain.report.crs_assumed


@pytest.mark.parametrize(
    ("x", "y"),
    [("longitude", "latitude"), ("LON", "LAT"), ("Lng", "Lat"), ("X", "Y"), ("x", "y")],
)
def test_csv_coordinate_column_names(tmp_path, x, y):
    pd.DataFrame({x: [-76.5, -75.2], y: [0.5, 1.9], "v": [1, 2]}).to_csv(
        tmp_path / "t.csv", index=False
    )
    layer = _one(tmp_path / "t.csv")
    assert layer.data.geometry.x.tolist() == [-76.5, -75.2]
    assert layer.data.geometry.y.tolist() == [0.5, 1.9]


def test_csv_semicolons_and_decimal_commas(tmp_path):
    (tmp_path / "puntos.csv").write_text(
        "municipio;latitud;longitud\nMocoa;1,15;-76,65\nOrito;0,67;-76,87\n", encoding="utf-8"
    )
    layer = _one(tmp_path / "puntos.csv")
    assert layer.data.geometry.x.round(2).tolist() == [-76.65, -76.87]


def test_csv_with_wkt_column(tmp_path):
    pd.DataFrame({"WKT": ["POINT (-76 1)", "LINESTRING (-76 1, -75 2)"], "id": [1, 2]}).to_csv(
        tmp_path / "wkt.csv", index=False
    )
    layer = _one(tmp_path / "wkt.csv")
    assert layer.geometry_types == ["LineString", "Point"]


def test_xlsx_sheets_with_coordinates(tmp_path):
    path = tmp_path / "erradicacion.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame(
            {"Latitude": [0.5, 1.0], "Longitude": [-76.0, -75.5], "Hectareas": [2.0, 3.5]}
        ).to_excel(writer, sheet_name="puntos", index=False)
        pd.DataFrame({"departamento": ["Putumayo"], "2019": [10]}).to_excel(
            writer, sheet_name="resumen", index=False
        )
    layer = _one(path)
    assert layer.name == "puntos"
    assert layer.source.sublayer == "puntos"
    assert layer.report.driver == "XLSX"
    assert any("sheet was skipped" in w for w in layer.report.warnings)
    with pytest.raises(LayerLoadError, match="no coordinate columns"):
        read_layers(path, sublayer="resumen")


def test_content_wins_over_extension(tmp_path):
    src = ff.hdx_boundaries(tmp_path)
    renamed = tmp_path / "boundaries.txt"
    shutil.copy(src, renamed)
    assert reader_for(renamed).name == "GeoJSON"
    gpkg = ff.eradication_points(tmp_path)
    shutil.copy(gpkg, tmp_path / "export.dat")
    assert reader_for(tmp_path / "export.dat").name == "GeoPackage"
    assert _one(tmp_path / "export.dat").role == Role.ERADICATION


def test_xlsx_is_not_mistaken_for_a_zipped_shapefile(tmp_path):
    path = tmp_path / "t.xlsx"
    pd.DataFrame({"lat": [1.0], "lon": [-76.0]}).to_excel(path, index=False)
    assert reader_for(path).name == "Excel"
    assert reader_for(ff.zip_shapefile(ff.wdpa_shapefile(tmp_path))).name == "Zip"


# --- CRS rules ----------------------------------------------------------------------


# No CRS with lon/lat numbers (WGS 84 assumed): test_bad_input.py, missing or garbage .prj.


def test_no_crs_in_feet_asks_for_a_crs(tmp_path):
    shp = ff.feet_shapefile_without_prj(tmp_path)
    with pytest.raises(LayerLoadError) as err:
        read_layers(shp)
    assert "no coordinate reference system" in err.value.problem
    assert "--crs" in err.value.remedy


def test_user_crs_is_applied_to_a_file_without_one(tmp_path):
    shp = ff.feet_shapefile_without_prj(tmp_path)
    layer = _one(shp, options={"crs": "EPSG:2263"})
    assert CRS.from_user_input(layer.data.crs).to_epsg() == 2263
    assert not layer.report.crs_assumed
    assert layer.source.options == {"crs": "EPSG:2263"}
    assert not any("assumed" in w for w in layer.report.warnings)


def test_unknown_user_crs_is_a_clear_error(tmp_path):
    with pytest.raises(LayerLoadError, match="not one Harm Atlas knows"):
        read_layers(ff.hdx_boundaries(tmp_path), options={"crs": "EPSG:99999999"})


def test_wrong_prj_on_lonlat_numbers_warns(tmp_path):
    shp = ff.wdpa_shapefile(tmp_path)
    shp.with_suffix(".prj").write_text(CRS.from_epsg(32618).to_wkt("WKT1_ESRI"))
    layer = _one(shp)
    assert CRS.from_user_input(layer.data.crs).to_epsg() == 32618  # kept, but flagged
    assert any("prj is probably wrong" in w for w in layer.report.warnings)


def test_projected_data_outside_the_crs_area_of_use_warns(tmp_path):
    # A Web Mercator layer of Borneo declared as MAGNA-SIRGAS Bogotá (Colombia only).
    gdf = gpd.GeoDataFrame({"id": [1]}, geometry=[box(115, 1, 115.1, 1.1)], crs=4326)
    gdf = gdf.to_crs("EPSG:3857").set_crs("EPSG:3116", allow_override=True)
    gdf.to_file(tmp_path / "misplaced.gpkg")
    layer = _one(tmp_path / "misplaced.gpkg")
    assert any("outside the area" in w for w in layer.report.warnings)


def test_correct_projected_layer_has_no_crs_warning(tmp_path):
    gdf = gpd.GeoDataFrame({"id": [1]}, geometry=[Point(-76, 1)], crs=4326).to_crs(32618)
    gdf.to_file(tmp_path / "utm.gpkg")
    assert _one(tmp_path / "utm.gpkg").report.warnings == []


def test_read_is_vectorised_enough_for_many_points(tmp_path):
    n = 100_000
    rng = np.random.default_rng(0)
    gdf = gpd.GeoDataFrame(
        {"weight": rng.random(n)},
        geometry=gpd.points_from_xy(rng.uniform(-77, -75, n), rng.uniform(0, 2, n)),
        crs=4326,
    )
    gdf.to_file(tmp_path / "many.gpkg")
    start = time.perf_counter()
    layer = _one(tmp_path / "many.gpkg")
    assert len(layer.data) == n
    assert time.perf_counter() - start < 10  # ~0.5 s here; a per-row loop takes far longer


@pytest.mark.parametrize("with_null", [False, True])
def test_big_point_layers_decode_the_same_on_the_fast_path(tmp_path, monkeypatch, with_null):
    """The numpy point decoder gives exactly what GEOS gives, attributes included."""
    import geopandas as gpd
    import shapely

    import layers.readers as readers
    import layers.vector_io as vector_io

    rng = np.random.default_rng(4)
    geoms = list(gpd.points_from_xy(rng.uniform(-77, -75, 50), rng.uniform(0, 2, 50)))
    if with_null:
        geoms[7] = None  # a null shape: the fast decoder must hand over to GEOS
    frame = gpd.GeoDataFrame(
        {"fatalities": rng.integers(0, 5, 50), "event_date": ["2020-01-02"] * 50},
        geometry=geoms,
        crs="EPSG:4326",
    )
    path = tmp_path / "events.gpkg"
    frame.to_file(path, driver="GPKG")
    slow = readers.read_layers(path)[0].data
    monkeypatch.setattr(vector_io, "FAST_POINTS_MIN", 1)
    fast = readers.read_layers(path)[0].data
    assert len(fast) == len(slow) == (49 if with_null else 50)
    assert shapely.equals_exact(fast.geometry.values, slow.geometry.values, 0).all()
    pd.testing.assert_frame_equal(fast.drop(columns="geometry"), slow.drop(columns="geometry"))
