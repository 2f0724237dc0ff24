"""Inputs that used to hang the readers or be called damaged when they were not (issue #12,
items 10-12): a 1,000,000-column CSV, a named pipe, a GeoJSON feature past GDAL's object
size limit, and GeoPackages with curved geometries (arcs)."""

from __future__ import annotations

import json
import math
import os
import sqlite3
import struct
import time

import numpy as np
import pandas as pd
import pyogrio
import pyogrio.errors
import pyogrio.raw
import pytest
import shapely

from layers import detect, tables, vector_io
from layers.errors import LayerLoadError
from layers.readers import read_layers

# --- 10: work capped, answers in seconds --------------------------------------------------


@pytest.mark.timeout(30)
def test_million_column_csv_is_refused_in_seconds(tmp_path):
    path = tmp_path / "wide.csv"
    n = 1_000_000
    with open(path, "w") as fh:
        fh.write("latitude,longitude," + ",".join(f"c{i}" for i in range(n)) + "\n")
        fh.write("4.5,-74.1," + ",".join(["1"] * n) + "\n")
    start = time.perf_counter()
    with pytest.raises(LayerLoadError, match="more than 10,000 columns") as err:
        read_layers(path)
    assert time.perf_counter() - start < 10
    assert "columns you need" in err.value.remedy


def test_csv_at_the_column_limit_still_loads(tmp_path, monkeypatch):
    monkeypatch.setattr(tables, "MAX_TABLE_COLUMNS", 50)
    header = ["lat", "lon"] + [f"c{i}" for i in range(48)]
    path = tmp_path / "fifty.csv"
    path.write_text(",".join(header) + "\n" + ",".join(["4.5", "-74.1"] + ["1"] * 48) + "\n")
    assert read_layers(path)[0].data.shape[1] == 51  # 50 columns and the geometry
    path.write_text(",".join([*header, "one_more"]) + "\n" + "4.5,-74.1" + ",1" * 49 + "\n")
    with pytest.raises(LayerLoadError, match="more than 50 columns"):
        read_layers(path)


def test_header_is_counted_without_reading_an_endless_first_line(tmp_path):
    path = tmp_path / "one_line.csv"
    path.write_text(",".join(["x"] * 3_000_000))  # no newline anywhere
    count = tables._header_columns(path, ",", "utf-8")
    assert tables.MAX_TABLE_COLUMNS < count < 1_500_000  # stopped after its first piece


def test_role_detection_examines_a_bounded_number_of_columns(monkeypatch):
    wide = pd.DataFrame(np.full((3, 30_000), "text", dtype=object))
    wide.columns = [f"note_{i}" for i in range(30_000)]
    wide["metodo_x"] = ["manual", "aerial", "manual"]  # past the cap: not looked at
    seen: list[str | None] = []
    original = detect._text_values

    def counting(gdf, column, limit=5000):
        seen.append(column)
        return original(gdf, column, limit)

    monkeypatch.setattr(detect, "_text_values", counting)
    start = time.perf_counter()
    detection = detect.detect_role(wide, name_hint="notes")
    assert time.perf_counter() - start < 5
    assert len(seen) <= detect.MAX_VALUE_COLUMNS + 10
    assert detection.mapping.get("method") is None

    # Within the cap the same column is still found by its values.
    narrow = wide.iloc[:, :50].assign(metodo_x=wide["metodo_x"])
    assert detect.detect_role(narrow).mapping.get("method") == "metodo_x"


@pytest.mark.timeout(10)
def test_named_pipe_is_refused_without_opening_it(tmp_path):
    pipe = tmp_path / "events.csv"
    os.mkfifo(pipe)
    with pytest.raises(LayerLoadError, match="not a regular file") as err:
        read_layers(pipe)  # opening it would wait for a writer forever
    assert err.value.remedy


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero on this system")
@pytest.mark.timeout(10)
def test_device_is_refused():
    with pytest.raises(LayerLoadError, match="not a regular file"):
        read_layers("/dev/zero")


# --- 11: a GeoJSON feature past GDAL's object size limit -------------------------------------


def _circle_geojson(path, vertices: int, radius: float = 0.5) -> np.ndarray:
    """One circular polygon of `vertices` vertices (compact JSON); returns its ring."""
    angle = np.linspace(0.0, 2 * np.pi, vertices, endpoint=False)
    xy = np.column_stack([-74.0 + radius * np.cos(angle), 4.5 + radius * np.sin(angle)])
    ring = np.vstack([xy, xy[:1]]).round(6)
    feature = {
        "type": "Feature",
        "properties": {"name": "reserva"},
        "geometry": {"type": "Polygon", "coordinates": [ring.tolist()]},
    }
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": [feature]}, separators=(",", ":"))
    )
    return ring


@pytest.mark.timeout(60)
def test_geojson_feature_beyond_gdals_default_limit_loads(tmp_path):
    path = tmp_path / "reserva.geojson"
    ring = _circle_geojson(path, 1_300_000)  # 28 MB: GDAL parses files under ~25 MB whole
    # The object really exceeds the installed GDAL's default limit: plain GDAL refuses it.
    pyogrio.set_gdal_config_options({"OGR_GEOJSON_MAX_OBJ_SIZE": None})
    with pytest.raises(pyogrio.errors.DataSourceError, match="too complex/large"):
        pyogrio.read_dataframe(path, use_arrow=True)
    layer = read_layers(path)[0]  # ~5 s on an idle 2-core machine
    polygon = layer.data.geometry.iloc[0]
    assert np.array_equal(shapely.get_coordinates(polygon), ring)
    assert polygon.area == pytest.approx(math.pi * 0.5**2, rel=1e-5)
    assert not any("damaged" in w for w in layer.report.warnings)


def test_reader_lifts_a_limit_set_for_the_process(tmp_path):
    path = tmp_path / "reserva.geojson"
    ring = _circle_geojson(path, 20_000)
    pyogrio.set_gdal_config_options({"OGR_GEOJSON_MAX_OBJ_SIZE": "1"})  # as a stricter GDAL
    with pytest.raises(pyogrio.errors.DataSourceError, match="too complex/large"):
        pyogrio.read_dataframe(path, use_arrow=True)
    polygon = read_layers(path)[0].data.geometry.iloc[0]
    assert np.array_equal(shapely.get_coordinates(polygon), ring)


def test_geojson_size_limit_is_named_not_called_damaged(tmp_path, monkeypatch):
    path = tmp_path / "reserva.geojson"
    _circle_geojson(path, 20_000)
    monkeypatch.setattr(vector_io, "GEOJSON_MAX_OBJECT_MB", 1)  # as a stricter GDAL would
    with pytest.raises(LayerLoadError, match="object size limit") as err:
        read_layers(path)
    assert "damaged" not in str(err.value)
    assert "OGR_GEOJSON_MAX_OBJ_SIZE 0" in err.value.remedy


# --- 12: curved geometries in a GeoPackage ------------------------------------------------


def _wkb(kind: int, body: bytes, count: int) -> bytes:
    return struct.pack("<BII", 1, kind, count) + body


def _points(kind: int, points: list[tuple[float, float]]) -> bytes:
    return _wkb(kind, b"".join(struct.pack("<dd", *p) for p in points), len(points))


def _arc(*points):  # ISO WKB CircularString
    return _points(8, list(points))


def _line(*points):
    return _points(2, list(points))


def _compound(*parts):
    return _wkb(9, b"".join(parts), len(parts))


def _curve_polygon(*rings):
    return _wkb(10, b"".join(rings), len(rings))


def _multi_surface(*polygons):
    return _wkb(12, b"".join(polygons), len(polygons))


def _curved_geopackage(path, r: float = 1000.0, cx: float = 500_000.0, cy: float = 500_000.0):
    """Parcels and tracks with arcs, declared as ArcGIS/QGIS declare them.

    pyogrio writes the hand-made ISO WKB through GDAL, but only under a linear layer type;
    the GeoPackage's declared types are then set to the curved ones with sqlite3.
    """
    circle = _curve_polygon(_arc((cx + r, cy), (cx - r, cy), (cx + r, cy)))
    half_disc = _multi_surface(
        _curve_polygon(
            _compound(
                _arc((cx + r, cy), (cx, cy + r), (cx - r, cy)), _line((cx - r, cy), (cx + r, cy))
            )
        )
    )
    track = _compound(
        _line((cx, cy), (cx + r, cy)), _arc((cx + r, cy), (cx + 2 * r, cy + r), (cx + 3 * r, cy))
    )
    common = {"crs": "EPSG:32618", "geometry_type": "Unknown", "fields": ["name"]}
    pyogrio.raw.write(
        path,
        geometry=np.array([circle, half_disc], dtype=object),
        field_data=[np.array(["circle", "half disc"], dtype=object)],
        layer="parcels",
        **common,
    )
    pyogrio.raw.write(
        path,
        geometry=np.array([track], dtype=object),
        field_data=[np.array(["track"], dtype=object)],
        layer="tracks",
        append=True,
        **common,
    )
    with sqlite3.connect(path) as db:
        for table, kind in (("parcels", "MULTISURFACE"), ("tracks", "COMPOUNDCURVE")):
            db.execute(
                "UPDATE gpkg_geometry_columns SET geometry_type_name = ? WHERE table_name = ?",
                (kind, table),
            )
    db.close()


def test_curved_geopackage_is_linearised_and_reported(tmp_path):
    path = tmp_path / "parcelas.gpkg"
    r = 1000.0
    _curved_geopackage(path, r)
    layers = {layer.name: layer for layer in read_layers(path)}
    assert set(layers) == {"parcels", "tracks"}

    parcels = layers["parcels"].data.set_index("name")
    assert parcels.geom_type.str.endswith("Polygon").all()
    assert parcels.area["circle"] == pytest.approx(math.pi * r**2, rel=0.01)
    assert parcels.area["half disc"] == pytest.approx(math.pi * r**2 / 2, rel=0.01)
    track = layers["tracks"].data.geometry.iloc[0]
    assert track.geom_type == "LineString"
    assert track.length == pytest.approx(r + math.pi * r, rel=0.01)

    for layer in layers.values():
        assert any("converted to straight segments" in line for line in layer.report.repairs)
        assert layer.report.features_read == len(layer.data)


def test_linear_geopackage_says_nothing_about_curves(tmp_path):
    import geopandas as gpd
    from shapely.geometry import Point

    path = tmp_path / "plain.gpkg"
    gpd.GeoDataFrame({"name": ["a"]}, geometry=[Point(0, 0).buffer(1)], crs=4326).to_file(path)
    layer = read_layers(path)[0]
    assert not any("straight segments" in line for line in layer.report.repairs)


def test_curved_layer_with_an_undecodable_shape_keeps_the_rest(tmp_path, monkeypatch):
    path = tmp_path / "parcelas.gpkg"
    _curved_geopackage(path)
    real = pyogrio.read_dataframe

    def strict(source, *args, use_arrow=False, **kwargs):
        if not use_arrow:  # as when one linearised shape is a ring GEOS refuses
            raise shapely.errors.GEOSException("Invalid number of points in LinearRing")
        return real(source, *args, use_arrow=use_arrow, **kwargs)

    monkeypatch.setattr(vector_io.pyogrio, "read_dataframe", strict)
    parcels = read_layers(path, sublayer="parcels")[0]
    assert sorted(parcels.data["name"]) == ["circle", "half disc"]
    assert parcels.data.area.sum() == pytest.approx(1.5 * math.pi * 1000.0**2, rel=0.01)
    assert any("straight segments" in line for line in parcels.report.repairs)
