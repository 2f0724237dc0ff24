"""Broken, odd and hostile files: each either loads with a counted repair and a warning, or
fails with a LayerLoadError that says what is wrong and what to do (never a traceback).

The failure modes are the ones measured in docs/traps.md ("Loading"), where GDAL stays silent.
"""

from __future__ import annotations

import json
import random
import shutil
import struct
import zipfile

import fixtures_factory as ff
import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyogrio
import pyogrio.raw
import pytest
import shapely
from pyproj import CRS
from shapely.geometry import Point, Polygon

from layers import readers, vector_io
from layers.errors import LayerLoadError
from layers.readers import parse_dates, read_layers


def _one(path, **kwargs):
    layers = read_layers(path, **kwargs)
    assert len(layers) == 1
    return layers[0]


def _fails(path, match: str, **kwargs) -> LayerLoadError:
    with pytest.raises(LayerLoadError, match=match) as err:
        read_layers(path, **kwargs)
    assert err.value.problem and err.value.remedy, "every error says what to do"
    assert "Traceback" not in str(err.value)
    return err.value


# --- shapefile parts ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("part", "said", "rebuilt"), [(".shx", "rebuilt", True), (".dbf", "no attributes", False)]
)
def test_missing_shx_or_dbf_still_reads_with_a_warning(tmp_path, part, said, rebuilt):
    """A missing .shx is rebuilt beside the .shp; without its .dbf a layer has shapes but
    no attributes. Both read, both say so."""
    shp = ff.wdpa_shapefile(tmp_path)
    shp.with_suffix(part).unlink()
    layer = _one(shp)
    assert len(layer.data) == 2
    assert any(part in w and said in w for w in layer.report.warnings)
    assert shp.with_suffix(part).exists() == rebuilt


def test_missing_shx_inside_a_zip_is_restored_in_a_temp_copy(tmp_path):
    shp = ff.wdpa_shapefile(tmp_path)
    shp.with_suffix(".shx").unlink()
    layer = _one(ff.zip_shapefile(shp))
    assert len(layer.data) == 2
    assert any("temporary copy" in w for w in layer.report.warnings)


@pytest.mark.parametrize(
    ("spoil", "said"),
    [
        (lambda prj: prj.unlink(), (".prj", "missing")),
        (lambda prj: prj.write_text("this is not a projection"), ("could not be understood",)),
    ],
    ids=["missing", "garbage"],
)
def test_missing_or_garbage_prj_is_reported_and_lonlat_assumed(tmp_path, spoil, said):
    """Longitude/latitude numbers with no readable CRS: WGS 84 is assumed, and the warnings
    say what was wrong with the .prj and what was assumed."""
    shp = ff.wdpa_shapefile(tmp_path)
    spoil(shp.with_suffix(".prj"))
    layer = _one(shp)
    assert CRS.from_user_input(layer.data.crs).to_epsg() == 4326
    assert layer.report.crs_assumed
    assert any(all(words in w for words in said) for w in layer.report.warnings)
    assert any("assumed" in w for w in layer.report.warnings)


def test_garbage_prj_on_projected_numbers_asks_for_crs(tmp_path):
    shp = ff.feet_shapefile_without_prj(tmp_path)
    shp.with_suffix(".prj").write_text("PROJCS[garbage")
    error = _fails(shp, "no coordinate reference system")
    assert "EPSG" in error.remedy


def test_truncated_shp_with_all_null_geometries_is_an_error(tmp_path):
    shp = ff.wdpa_shapefile(tmp_path)
    data = shp.read_bytes()
    shp.write_bytes(data[:120])  # header kept, records cut off
    _fails(shp, "truncated or damaged")


# --- damaged or wrong files ---------------------------------------------------------------


def test_truncated_geojson(tmp_path):
    path = ff.hdx_boundaries(tmp_path)
    path.write_bytes(path.read_bytes()[:300])
    _fails(path, "damaged or incomplete")


def test_truncated_geopackage(tmp_path):
    path = ff.eradication_points(tmp_path)
    path.write_bytes(path.read_bytes()[:2048])
    _fails(path, r"damaged|incomplete|no vector layers|not one geometry")


@pytest.mark.parametrize(
    ("name", "content", "match"),
    [
        ("photo.geojson", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "content is not GeoJSON"),
        ("report.gpkg", b"%PDF-1.7\n" + b"x" * 64, "content is not GeoPackage"),
        ("random.bin", bytes(range(256)), "not a map-data file"),
        ("notes.txt", b"meeting notes\nnothing spatial here\n", "no coordinate columns"),
        ("empty.geojson", b"", "is empty"),
        ("table.csv", b"municipio,hectareas\nMocoa,3\n", "no coordinate columns"),
    ],
)
def test_not_geodata(tmp_path, name, content, match):
    path = tmp_path / name
    path.write_bytes(content)
    _fails(path, match)


def test_missing_file_and_folder(tmp_path):
    _fails(tmp_path / "nope.shp", "does not exist")
    _fails(tmp_path, "is a folder")


def test_unreadable_file(tmp_path, monkeypatch):
    path = ff.hdx_boundaries(tmp_path)

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(readers, "file_head", denied)  # root ignores chmod, so deny at the open
    error = _fails(path, "cannot be opened")
    assert "Permission denied" in error.problem


def test_damaged_zip(tmp_path):
    path = tmp_path / "broken.zip"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    _fails(path, "damaged zip")


def test_zip_from_an_unknown_zip_version(tmp_path):
    archive = ff.zip_shapefile(ff.wdpa_shapefile(tmp_path))
    data = bytearray(archive.read_bytes())
    central = data.index(b"PK\x01\x02")
    data[central + 6 : central + 8] = (70).to_bytes(2, "little")  # "needs zip version 7.0"
    archive.write_bytes(bytes(data))
    _fails(archive, "damaged zip")


def test_zip_without_map_data(tmp_path):
    path = tmp_path / "docs.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hello")
    _fails(path, "holds no map data")


def test_zip_larger_than_the_limit_is_refused(tmp_path, monkeypatch):
    archive = ff.zip_shapefile(ff.wdpa_shapefile(tmp_path))
    monkeypatch.setattr(vector_io, "MAX_ZIP_UNCOMPRESSED", 1000)  # the real limit is 2 GiB
    _fails(archive, "too large to open safely")


def test_zip_bomb_is_refused(tmp_path):
    error = _fails(ff.zip_bomb(tmp_path), "zip bomb")
    assert "unpack it yourself" in error.remedy


# --- empty layers ------------------------------------------------------------------------


def test_empty_layers(tmp_path):
    empty = gpd.GeoDataFrame({"a": []}, geometry=[], crs=4326)
    empty.to_file(tmp_path / "empty.gpkg", layer="empty")
    _fails(tmp_path / "empty.gpkg", "has no features")
    (tmp_path / "empty.geojson").write_text('{"type": "FeatureCollection", "features": []}')
    _fails(tmp_path / "empty.geojson", "has no features")
    (tmp_path / "header.csv").write_text("latitude,longitude,name\n")
    _fails(tmp_path / "header.csv", "has no features")


def test_empty_sublayer_is_skipped_beside_good_ones(tmp_path):
    path = ff.eradication_points(tmp_path)
    gpd.GeoDataFrame({"a": []}, geometry=[], crs=4326).to_file(path, layer="vacia")
    layers = read_layers(path)
    assert [x.name for x in layers] == ["erradicacion"]
    assert any("skipped" in w and "no features" in w for w in layers[0].report.warnings)
    _fails(path, "has no features", sublayer="vacia")


# --- encodings ---------------------------------------------------------------------------


def _shapefile_with_text(tmp_path, encoding: str, keep_cpg: bool):
    gdf = gpd.GeoDataFrame(
        {"nombre": ["Nariño", "Zürich", "Bogotá"]},
        geometry=[Point(-76, 1), Point(-75.5, 1.2), Point(-75, 1.5)],
        crs=4326,
    )
    shp = tmp_path / "texto.shp"
    gdf.to_file(shp, encoding=encoding)
    if not keep_cpg:
        shp.with_suffix(".cpg").unlink(missing_ok=True)
    return shp


def test_utf8_dbf_without_cpg_is_not_mojibake(tmp_path):
    layer = _one(_shapefile_with_text(tmp_path, "UTF-8", keep_cpg=False))
    assert layer.data["nombre"].tolist() == ["Nariño", "Zürich", "Bogotá"]
    assert layer.report.encoding == "utf-8"
    assert any("UTF-8" in r for r in layer.report.repairs)


def test_cp1252_dbf_without_cpg(tmp_path):
    layer = _one(_shapefile_with_text(tmp_path, "cp1252", keep_cpg=False))
    assert layer.data["nombre"].tolist() == ["Nariño", "Zürich", "Bogotá"]
    assert layer.report.encoding == "cp1252"
    assert any("cp1252" in w for w in layer.report.warnings)


@pytest.mark.parametrize("declared", ["1252", "ANSI 1252", "CP1252", "windows-1252"])
def test_declared_code_page_is_used(tmp_path, declared):
    shp = _shapefile_with_text(tmp_path, "cp1252", keep_cpg=False)
    shp.with_suffix(".cpg").write_text(declared)
    layer = _one(shp)
    assert layer.report.encoding == "cp1252"
    assert layer.data["nombre"].iloc[0] == "Nariño"


def test_garbage_cpg_falls_back_to_guessing(tmp_path):
    shp = _shapefile_with_text(tmp_path, "UTF-8", keep_cpg=False)
    shp.with_suffix(".cpg").write_text("KLINGON-9")
    layer = _one(shp)
    assert layer.data["nombre"].iloc[1] == "Zürich"
    assert any("unknown code page" in w for w in layer.report.warnings)


def test_csv_in_cp1252(tmp_path):
    path = tmp_path / "puestos.csv"
    path.write_bytes("nombre,lat,lon\nNariño,1.0,-76.0\nBogotá,1.5,-75.5\n".encode("cp1252"))
    layer = _one(path)
    assert layer.report.encoding == "cp1252"
    assert layer.data["nombre"].tolist() == ["Nariño", "Bogotá"]


def test_csv_with_bom(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufefflatitude,longitude,nombre\n1,-76,Nariño\n".encode())
    layer = _one(path)
    assert list(layer.data.columns[:2]) == ["latitude", "longitude"]
    assert layer.data["nombre"].iloc[0] == "Nariño"


def test_user_encoding_is_obeyed(tmp_path):
    path = tmp_path / "utf8.csv"
    path.write_bytes("latitude,longitude,nombre\n1,-76,Nariño\n".encode())
    forced = _one(path, options={"encoding": "latin-1"})
    assert forced.report.encoding == "iso8859-1"
    assert forced.data["nombre"].iloc[0] == "NariÃ±o"


def test_unknown_encoding_option(tmp_path):
    _fails(ff.acled_csv(tmp_path), "encoding 'martian' is unknown", options={"encoding": "martian"})


# --- geometry repairs ----------------------------------------------------------------------


def test_bowtie_is_repaired_with_make_valid_keeping_both_lobes(tmp_path):
    bowtie = Polygon([(0, 0), (1, 1), (1, 0), (0, 1), (0, 0)])
    square = Polygon([(2, 2), (3, 2), (3, 3), (2, 3)])
    gdf = gpd.GeoDataFrame({"id": [1, 2]}, geometry=[bowtie, square], crs=4326)
    gdf.to_file(tmp_path / "bowtie.gpkg")
    layer = _one(tmp_path / "bowtie.gpkg")
    assert layer.report.invalid_repaired == 1
    assert layer.data.geometry.is_valid.all()
    assert layer.data.geometry.area.iloc[0] == pytest.approx(0.5)  # buffer(0) gives 0.25
    assert layer.geometry_kind == "polygon"


def _wkb_polygon(points) -> bytes:
    ring = struct.pack("<I", len(points)) + b"".join(struct.pack("<dd", *p) for p in points)
    return struct.pack("<BII", 1, 3, 1) + ring


def test_collapsed_ring_is_dropped_after_repair(tmp_path):
    good = _wkb_polygon([(-76, 1), (-75, 1), (-75, 2), (-76, 1)])
    three_points = _wkb_polygon([(-76, 1), (-75, 1), (-76, 1)])
    pyogrio.raw.write(
        tmp_path / "rings.gpkg",
        geometry=np.array([good, three_points], dtype=object),
        field_data=[np.array([1, 2])],
        fields=["id"],
        crs="EPSG:4326",
        geometry_type="Polygon",
        driver="GPKG",
    )
    layer = _one(tmp_path / "rings.gpkg")
    assert layer.data["id"].tolist() == [1]
    assert layer.report.invalid_repaired == 1
    assert layer.report.empty_geometries_dropped == 1


def test_undecodable_shapes_become_counted_nulls(tmp_path, monkeypatch):
    path = ff.hdx_boundaries(tmp_path)
    real_read_arrow = pyogrio.read_arrow

    def strict_reader(*args, **kwargs):
        raise shapely.errors.GEOSException("IllegalArgumentException: Invalid number of points")

    def arrow_with_one_bad_shape(*args, **kwargs):
        meta, table = real_read_arrow(*args, **kwargs)
        col = meta.get("geometry_name") or "wkb_geometry"
        wkb = table.column(col).to_pylist()
        wkb[0] = b"\x01\x03\x00\x00"  # cut short: not decodable
        index = table.column_names.index(col)
        return meta, table.set_column(index, col, pa.array(wkb, type=pa.binary()))

    monkeypatch.setattr(pyogrio, "read_dataframe", strict_reader)
    monkeypatch.setattr(pyogrio, "read_arrow", arrow_with_one_bad_shape)
    layer = _one(path)
    assert len(layer.data) == 3
    assert layer.report.null_geometries_dropped == 1
    assert layer.data["ADM2_ES"].tolist() == ["Orito", "Puerto Asís", "Valle del Guamuez"]


def test_declared_utf8_that_is_not_falls_back_to_cp1252(tmp_path):
    shp = _shapefile_with_text(tmp_path, "cp1252", keep_cpg=False)
    shp.with_suffix(".cpg").write_text("UTF-8")
    layer = _one(shp)
    assert layer.data["nombre"].tolist() == ["Nariño", "Zürich", "Bogotá"]
    assert layer.report.encoding == "cp1252"
    assert any("not valid" in w for w in layer.report.warnings)


def test_gdal_warnings_reach_the_report_and_the_error(tmp_path):
    closed = [[-76, 1], [-75, 1], [-75, 2], [-76, 1]]
    unclosed = [[-76, 1], [-75, 1], [-75, 2], [-76, 1.5]]

    def collection(*rings):
        features = [
            {
                "type": "Feature",
                "properties": {"id": i},
                "geometry": {"type": "Polygon", "coordinates": [r]},
            }
            for i, r in enumerate(rings)
        ]
        return json.dumps({"type": "FeatureCollection", "features": features})

    mixed = tmp_path / "mixed.geojson"
    mixed.write_text(collection(closed, unclosed))
    layer = _one(mixed)
    assert layer.data["id"].tolist() == [0]
    assert any(w.startswith("GDAL: Non closed ring") for w in layer.report.warnings)
    broken = tmp_path / "broken.geojson"
    broken.write_text(collection(unclosed))
    _fails(broken, "Non closed ring")


def test_null_and_empty_geometries_are_dropped_and_counted(tmp_path):
    features = [
        {"type": "Feature", "properties": {"id": 1}, "geometry": None},
        {
            "type": "Feature",
            "properties": {"id": 2},
            "geometry": {"type": "Point", "coordinates": [-76, 1]},
        },
        {
            "type": "Feature",
            "properties": {"id": 3},
            "geometry": {"type": "Polygon", "coordinates": []},
        },
    ]
    path = tmp_path / "holes.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    layer = _one(path)
    assert layer.data["id"].tolist() == [2]
    assert layer.report.null_geometries_dropped + layer.report.empty_geometries_dropped == 2
    assert layer.report.features_read == 3


def test_nan_and_inf_coordinates_are_dropped_and_counted(tmp_path):
    path = tmp_path / "pts.csv"
    path.write_text(
        "lat,lon,id\n1.0,-76.0,1\nnan,-76.0,2\n1.0,inf,3\n,,4\nabc,-75,5\n1.5,-75.5,6\n"
    )
    layer = _one(path)
    assert layer.data["id"].tolist() == [1, 6]
    assert layer.report.nan_coordinates_dropped == 3
    assert layer.report.null_geometries_dropped == 1


def test_out_of_range_coordinates_are_dropped_and_counted(tmp_path):
    lat = [1.0] * 40 + [95.0]
    lon = [-76.0] * 40 + [-76.0]
    pd.DataFrame({"lat": lat, "lon": lon}).to_csv(tmp_path / "far.csv", index=False)
    layer = _one(tmp_path / "far.csv")
    assert len(layer.data) == 40
    assert layer.report.out_of_range_dropped == 1
    assert layer.report.crs_assumed


def test_all_out_of_range_with_lonlat_crs_is_an_error(tmp_path):
    gdf = gpd.GeoDataFrame({"id": [1]}, geometry=[Point(500000, 100000)], crs=4326)
    gdf.to_file(tmp_path / "metres_as_degrees.gpkg")
    _fails(tmp_path / "metres_as_degrees.gpkg", "beyond")


def test_swapped_lat_lon_is_flagged_and_fixed(tmp_path):
    # Latitude column holds longitudes (-76) ... and -176 would not fit; use Colombia values.
    pd.DataFrame({"latitude": [-176.5, -175.1], "longitude": [1.2, 0.4]}).to_csv(
        tmp_path / "swapped.csv", index=False
    )
    layer = _one(tmp_path / "swapped.csv")
    assert any("swapped" in w for w in layer.report.warnings)
    assert layer.data.geometry.x.tolist() == [-176.5, -175.1]
    assert layer.data.geometry.y.tolist() == [1.2, 0.4]


def test_unparseable_dates_are_kept_missing_and_counted(tmp_path):
    layer = _one(ff.acled_csv(tmp_path))
    dates = layer.data["event_date"]
    assert pd.api.types.is_datetime64_any_dtype(dates)
    assert dates.iloc[0] == pd.Timestamp("2025-05-16")
    assert dates.iloc[1] == pd.Timestamp("2025-05-16")  # "16 May 2025"
    assert dates.iloc[3] == pd.Timestamp("2023-03-03")  # "03 March 2023"
    assert pd.isna(dates.iloc[4])
    assert layer.report.dates_unparsed == 1
    assert any("could not be read" in w for w in layer.report.warnings)


def test_date_spellings_in_one_column():
    values = pd.Series(
        ["2025-05-16", " 16 May 2025 ", "16 Jan 2024", "03/04/2020", "2025-05-16T10:20:00Z"]
        + ["2025-05-16T10:20:00-05:00", 2019, "bad", None, ""]
    )
    parsed = parse_dates(values)
    assert parsed.dtype == "datetime64[ns]"
    assert parsed.iloc[:7].tolist() == [
        pd.Timestamp("2025-05-16"),
        pd.Timestamp("2025-05-16"),
        pd.Timestamp("2024-01-16"),
        pd.Timestamp("2020-04-03"),  # day first, as Latin American sources write
        pd.Timestamp("2025-05-16 10:20"),
        pd.Timestamp("2025-05-16 15:20"),  # offsets become UTC
        pd.Timestamp("2019-01-01"),
    ]
    assert parsed.iloc[7:].isna().all()


# --- fuzz: the reader boundary catches whatever GDAL, GEOS and codecs throw ---------------


def _sources(tmp_path):
    shp = ff.wdpa_shapefile(tmp_path)
    return [
        shp,
        shp.with_suffix(".dbf"),
        shp.with_suffix(".shx"),
        ff.eradication_points(tmp_path),
        ff.hdx_boundaries(tmp_path),
        ff.settlements(tmp_path),
        ff.acled_csv(tmp_path),
        ff.zip_shapefile(ff.healthsites_shapefile(tmp_path)),
    ]


def test_byte_mutated_files_never_escape_as_tracebacks(tmp_path):
    rng = random.Random(20250516)
    (tmp_path / "src").mkdir()
    sources = _sources(tmp_path / "src")
    outcomes = {"loaded": 0, "refused": 0}
    for i in range(80):
        source = sources[i % len(sources)]
        work = tmp_path / f"m{i}"
        work.mkdir()
        for part in source.parent.glob(source.stem + ".*"):
            shutil.copy(part, work / part.name)
        target = work / source.name
        data = bytearray(target.read_bytes())
        for _ in range(rng.randint(1, 12)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        if i % 5 == 0:
            data = data[: rng.randrange(1, len(data))]
        target.write_bytes(bytes(data))
        opened = work / (source.stem + ".shp") if source.suffix in (".dbf", ".shx") else target
        try:
            layers = read_layers(opened)
        except LayerLoadError as exc:
            assert exc.problem and exc.remedy
            outcomes["refused"] += 1
        else:
            assert all(len(layer.data) > 0 for layer in layers)
            assert all(np.isfinite(layer.data.total_bounds).all() for layer in layers)
            outcomes["loaded"] += 1
    assert outcomes["refused"] > 0 and outcomes["loaded"] > 0
