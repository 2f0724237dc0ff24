"""GeoPackage points read straight from SQLite (layers/readers_points.py) against GDAL's own
read through pyogrio on random files: the same x, y, order, CRS, name and dropped count, and
no answer (GDAL's read instead) for anything but plain 2-D points without envelope."""

from __future__ import annotations

import sqlite3
import struct

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely

from layers.readers_points import _read, _read_gpkg_sqlite, read_point_coordinates


def _write(path, rng, n, crs="EPSG:32618", empty=0, nan=0, layer=None):
    x = rng.uniform(200_000, 800_000, n)
    y = rng.uniform(-1_000_000, 1_000_000, n)
    if crs == "EPSG:4326":
        x, y = rng.uniform(-179, 179, n), rng.uniform(-89, 89, n)
    geoms = shapely.points(x, y)
    picked = rng.choice(n, empty + nan, replace=False)
    geoms[picked[:empty]] = shapely.from_wkt("POINT EMPTY")
    geoms[picked[empty:]] = shapely.points(np.nan, rng.uniform(0, 1, nan))
    frame = gpd.GeoDataFrame({"a": rng.integers(0, 9, n)}, geometry=geoms, crs=crs)
    frame.to_file(path, layer=layer, engine="pyogrio")
    return frame


def _gdal_xy(path, layer=None):
    """Every point as GDAL reads it (NaN for empty), in file order."""
    frame = pyogrio.read_dataframe(path, layer=layer, columns=[])
    geoms = frame.geometry.values
    xy = np.full((len(geoms), 2), np.nan)
    full = ~shapely.is_empty(geoms)
    xy[full] = shapely.get_coordinates(geoms[full])
    return xy, frame.crs


def _same(found, path, layer=None):
    xy, crs = _gdal_xy(path, layer)
    usable = np.isfinite(xy).all(axis=1)
    assert found is not None
    np.testing.assert_array_equal(found.x, xy[usable, 0])
    np.testing.assert_array_equal(found.y, xy[usable, 1])
    assert found.dropped == int((~usable).sum())
    assert found.crs.equals(crs)
    arrow = _read(path, layer)  # the GDAL Arrow path it replaces gives the same record
    assert (found.name, found.sublayer, found.dropped, found.path) == (
        arrow.name,
        arrow.sublayer,
        arrow.dropped,
        arrow.path,
    )
    assert found.crs == arrow.crs


@pytest.mark.parametrize("seed", range(6))
def test_random_point_files_equal_gdals_read(tmp_path, seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 3000))
    empty = int(rng.integers(0, min(n, 40))) if seed % 2 else 0
    nan = int(rng.integers(0, min(n - empty, 5))) if seed % 3 == 0 else 0
    crs = "EPSG:4326" if seed == 4 else "EPSG:32618"
    path = tmp_path / f"ev{seed}.gpkg"
    _write(path, rng, n, crs, empty, nan)
    if empty + nan == n:
        assert _read_gpkg_sqlite(path, None) is None  # nothing usable: the full reader says so
        return
    fast = _read_gpkg_sqlite(path, None)
    _same(fast, path)
    _same(read_point_coordinates(path), path)


def test_a_named_layer_of_several_and_its_case(tmp_path):
    rng = np.random.default_rng(7)
    path = tmp_path / "two.gpkg"
    _write(path, rng, 500, layer="Sucesos")
    _write(path, rng, 300, layer="otros")
    assert _read_gpkg_sqlite(path, None) is None  # several layers: the full reader names them
    for asked in ("Sucesos", "sucesos"):
        _same(_read_gpkg_sqlite(path, asked), path, "Sucesos")
    assert _read_gpkg_sqlite(path, "missing") is None


def _rewrite_blobs(path, change):
    with sqlite3.connect(path) as db:
        triggers = db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall()
        for (name,) in triggers:  # the R-tree's triggers call GDAL's SQL functions
            db.execute(f'DROP TRIGGER "{name}"')
        rows = db.execute("SELECT fid, geom FROM ev").fetchall()
        db.executemany("UPDATE ev SET geom = ? WHERE fid = ?", [(change(g), f) for f, g in rows])


def _with_envelope(blob: bytes) -> bytes:
    x, y = struct.unpack("<dd", blob[13:29])
    flags = (blob[3] & ~0x0E) | 0x02  # xy envelope: 32 more bytes after srs_id
    return blob[:3] + bytes([flags]) + blob[4:8] + struct.pack("<4d", x, x, y, y) + blob[8:]


def _big_endian_header(blob: bytes) -> bytes:
    srs = struct.unpack("<i", blob[4:8])[0]
    return blob[:3] + bytes([blob[3] & ~0x01]) + struct.pack(">i", srs) + blob[8:]


@pytest.mark.parametrize("change", [_with_envelope, _big_endian_header])
def test_other_headers_go_through_gdal_with_the_same_points(tmp_path, change):
    rng = np.random.default_rng(3)
    path = tmp_path / "ev.gpkg"
    _write(path, rng, 400)
    changed = {"n": 0}

    def some(blob: bytes) -> bytes:  # one record in three: lengths or flags differ here and there
        changed["n"] += 1
        return change(blob) if changed["n"] % 3 == 0 else blob

    _rewrite_blobs(path, some)
    assert _read_gpkg_sqlite(path, None) is None
    _same(read_point_coordinates(path), path)


def test_null_3d_multipoint_and_crs_less_layers_give_no_answer(tmp_path):
    rng = np.random.default_rng(5)
    cases = {
        "null": [shapely.points(1.0, 2.0), None],
        "3d": [shapely.points(1.0, 2.0, 3.0), shapely.points(4.0, 5.0, 6.0)],
        "multi": [shapely.points(1.0, 2.0), shapely.multipoints([[1.0, 2.0], [3.0, 4.0]])],
    }
    for name, geoms in cases.items():
        path = tmp_path / f"{name}.gpkg"
        gpd.GeoDataFrame({"a": [1, 2]}, geometry=geoms, crs="EPSG:32618").to_file(path)
        assert _read_gpkg_sqlite(path, None) is None, name
    path = tmp_path / "nocrs.gpkg"
    _write(path, rng, 50, crs=None)
    assert _read_gpkg_sqlite(path, None) is None
    assert read_point_coordinates(path) is None  # no CRS: the full reader asks for one


def test_a_path_with_spaces_hashes_question_marks_and_accents(tmp_path):
    folder = tmp_path / "datos %20 ñ#"
    folder.mkdir()
    path = folder / "sucesos ?#ñ.gpkg"  # SQLite opens it as a file: URI, each character quoted
    _write(path, np.random.default_rng(9), 200)
    _same(_read_gpkg_sqlite(path, None), path)
