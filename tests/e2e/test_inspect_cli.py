"""`python main.py inspect` as an analyst runs it, on files shaped like the real exports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import fixtures_factory as ff
import pytest

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def inspect(*args: str | Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        [sys.executable, "main.py", "inspect", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def inspect_here(capsys, *args: str | Path) -> tuple[int, str, str]:
    """Same entry point in this process: each CLI start costs seconds on a shared machine."""
    import main

    code = main.main(["inspect", *map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def inspect_json(*args: str | Path) -> list[dict]:
    result = inspect(*args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_several_real_shaped_files_in_one_call(tmp_path):
    files = [
        ff.wdpa_shapefile(tmp_path),
        ff.acled_csv(tmp_path),
        ff.healthsites_csv(tmp_path),
        ff.hdx_boundaries(tmp_path),
        ff.simci_grid(tmp_path),
    ]
    result = inspect(*files)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for text in (
        "wdpa_legacy",
        "role: protected_areas",
        "role: violence",
        "role: health_services",
        "role: admin_boundaries",
        "role: cultivation",
        "2001=areacoca_2001, 2004=areacoca2004, 2022=coca2022_",
        "region_code=ADM2_PCODE",
        "date=event_date",
        "EPSG:4326",
        "(assumed)",
        "could not be read and are kept as missing",
    ):
        assert text in out, text
    assert "Traceback" not in result.stderr


def test_json_summary_of_each_kind_and_a_multi_layer_geopackage(tmp_path):
    (tmp_path / "gpkg").mkdir()
    wdpa, acled, health, hdx, *gpkg = inspect_json(
        ff.wdpa_shapefile(tmp_path),
        ff.acled_csv(tmp_path),
        ff.healthsites_csv(tmp_path),
        ff.hdx_boundaries(tmp_path),
        ff.multi_layer_gpkg(tmp_path / "gpkg"),
    )
    assert wdpa["role"] == "protected_areas" and wdpa["features"] == 2
    assert wdpa["geometry_types"] == ["Polygon"]
    assert wdpa["mapping"]["fields"]["iucn_category"] == "IUCN_CAT"
    assert acled["role"] == "violence" and acled["crs_assumed"] is True
    assert acled["counts"]["dates_unparsed"] == 1
    assert acled["mapping"]["fields"]["fatalities"] == "fatalities"
    assert health["role"] == "health_services"
    assert health["mapping"]["fields"]["facility_type"] == "amenity"
    assert hdx["role"] == "admin_boundaries" and hdx["role_confidence"] >= 0.9
    west, south, east, north = hdx["lonlat_bounds"]
    assert (west, south, east, north) == pytest.approx((-77.0, 0.0, -75.0, 1.0))
    assert {x["name"]: x["role"] for x in gpkg} == {
        "municipios": "admin_boundaries",
        "erradicacion": "eradication",
        "salud": "health_services",
    }
    erad = next(x for x in gpkg if x["name"] == "erradicacion")
    assert erad["mapping"]["fields"]["hectares"] == "hectareas"
    assert erad["mapping"]["fields"]["method"] == "modalidad"


def test_layer_option_picks_one_sublayer(tmp_path, capsys):
    code, out, err = inspect_here(capsys, ff.multi_layer_gpkg(tmp_path), "--layer", "salud")
    assert code == 0, err
    assert out.startswith("salud") and "municipios" not in out


def test_no_crs_shapefile_in_us_feet_exits_2_asking_for_a_crs(tmp_path):
    result = inspect(ff.feet_shapefile_without_prj(tmp_path))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("parcels_ny.shp:")
    assert "no coordinate reference system" in lines[0] and "--crs" in lines[0]
    assert "Traceback" not in result.stderr


def test_user_crs_fixes_the_feet_shapefile(tmp_path, capsys):
    path = ff.feet_shapefile_without_prj(tmp_path)
    code, out, err = inspect_here(capsys, path, "--crs", "EPSG:2263", "--json")
    assert code == 0, err
    (layer,) = json.loads(out)
    assert layer["crs"].startswith("EPSG:2263")
    west, south, east, north = layer["lonlat_bounds"]
    assert -74.1 < west < east < -73.8 and 40.6 < south < north < 40.8  # Manhattan


def _broken_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    truncated = ff.wdpa_shapefile(tmp_path / "t")
    truncated.write_bytes(truncated.read_bytes()[:120])
    geojson = ff.hdx_boundaries(tmp_path / "g")
    geojson.write_bytes(geojson.read_bytes()[:300])
    png = tmp_path / "map.geojson"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 32)
    empty = tmp_path / "empty.geojson"
    empty.write_text('{"type": "FeatureCollection", "features": []}')
    table = tmp_path / "municipal.csv"
    table.write_text("municipio,hectareas\nMocoa,3\n")
    return {
        "truncated shp": (truncated, "truncated or damaged"),
        "truncated geojson": (geojson, "damaged or incomplete"),
        "renamed png": (png, "content is not GeoJSON"),
        "empty layer": (empty, "has no features"),
        "no coordinates": (table, "no coordinate columns"),
        "zip bomb": (ff.zip_bomb(tmp_path), "zip bomb"),
        "missing": (tmp_path / "nothing.gpkg", "does not exist"),
    }


def _check_one_line(label: str, path: Path, expected: str, code: int, err: str) -> None:
    assert code == 2, label
    lines = err.strip().splitlines()
    assert len(lines) == 1, (label, err)
    assert lines[0].startswith(path.name + ":"), (label, lines[0])
    assert expected in lines[0], (label, lines[0])
    assert "Traceback" not in err


def test_broken_files_exit_2_with_one_line_from_a_real_process(tmp_path):
    for sub in ("t", "g"):
        (tmp_path / sub).mkdir()
    broken = _broken_files(tmp_path)
    for label in ("truncated shp", "zip bomb"):
        path, expected = broken[label]
        result = inspect(path)
        _check_one_line(label, path, expected, result.returncode, result.stderr)


def test_each_broken_file_exits_2_with_one_line(tmp_path, capsys):
    for sub in ("t", "g"):
        (tmp_path / sub).mkdir()
    for label, (path, expected) in _broken_files(tmp_path).items():
        code, _, err = inspect_here(capsys, path)
        _check_one_line(label, path, expected, code, err)


def test_a_shapefile_is_listed_once_whatever_parts_are_named(tmp_path, capsys):
    shp = ff.wdpa_shapefile(tmp_path)
    parts = sorted(tmp_path.glob("wdpa_legacy.*"))
    assert len(parts) >= 4
    code, out, err = inspect_here(capsys, *parts, "--json")
    assert code == 0, err
    assert [x["path"] for x in json.loads(out)] == [str(shp)]


def test_repaired_files_exit_0_and_say_what_was_done(tmp_path, capsys):
    shp = ff.wdpa_shapefile(tmp_path)
    shp.with_suffix(".shx").unlink()
    shp.with_suffix(".prj").unlink()
    code, out, err = inspect_here(capsys, shp)
    assert code == 0, err
    assert "rebuilt" in out and ".shx" in out
    assert "(assumed)" in out
