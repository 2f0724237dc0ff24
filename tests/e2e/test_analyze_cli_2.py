"""`main.py analyze hotspots|access|indicators` run as a user would: exit codes, JSON, files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from main_cli import ROOT, run_main, summary_of, words


def cli(line: str, **values) -> subprocess.CompletedProcess:
    """`main.py analyze LINE --quiet`, {names} in the line filled from `values`."""
    return run_main("analyze", *words(line, **values), "--quiet")


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("cli2")
    rng = np.random.default_rng(5)
    # Events around a cluster near (-76.5, 1.0), lon/lat as ACLED gives them.
    lon = np.r_[rng.uniform(-76.9, -76.1, 200), rng.normal(-76.5, 0.01, 150)]
    lat = np.r_[rng.uniform(0.6, 1.4, 200), rng.normal(1.0, 0.01, 150)]
    years = rng.integers(2016, 2022, len(lon))
    events = gpd.GeoDataFrame(
        {"event_date": [f"{y}-06-01" for y in years], "fatalities": rng.integers(0, 4, len(lon))},
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
    )
    villages = gpd.GeoDataFrame(
        {"nombre": ["A", "B", "C"], "poblacion": [1200, 800, 400]},
        geometry=gpd.points_from_xy([-76.5, -76.4, -75.9], [1.0, 1.0, 1.0]),
        crs="EPSG:4326",
    )
    services = gpd.GeoDataFrame(
        {
            "name": ["Hospital San Juan", "Casa RD"],
            "amenity": ["hospital", "harm_reduction"],
            "beds": [20, 2],
        },
        geometry=gpd.points_from_xy([-76.49, -76.41], [1.0, 1.0]),
        crs="EPSG:4326",
    )
    out = {}
    for name, gdf in (("events", events), ("villages", villages), ("services", services)):
        out[name] = d / f"{name}.geojson"
        gdf.to_file(out[name], driver="GeoJSON", engine="pyogrio")
    out["dir"] = d
    return out


def test_hotspots_kde_and_gi_star(files):
    line = "hotspots --events {events} --method kde --cell-m 1000 --radius-m 3000"
    summary = summary_of(
        cli(line + " --weight-field fatalities --out {dir}/kde.gpkg --json", **files)
    )
    assert summary["method"] == "kde" and summary["kernel"] == "quartic"
    assert summary["radius_m"] == 3000 and summary["cells_with_density"] > 0
    cells = gpd.read_file(files["dir"] / "kde.gpkg", layer="hotspots")
    assert len(cells) == summary["cells_with_density"] and (cells["density"] > 0).all()

    line = "hotspots --events {events} --method gi_star --cell-m 5000 --permutations 99"
    summary = summary_of(cli(line + " --out {dir}/gi.geojson --json", **files))
    assert {"bins", "hot", "cold", "fdr", "weights"} <= set(summary)
    assert summary["hot"] >= 1
    assert set(gpd.read_file(files["dir"] / "gi.geojson").columns) >= {
        "z",
        "p_sim",
        "p_norm",
        "gi_bin",
        "hot_spot",
    }


def test_hotspots_bad_input_exits_2(files):
    r = cli("hotspots --events {events} --cell-m 0.5", events=files["events"])
    assert r.returncode == 2 and "larger cell" in r.stderr and "Traceback" not in r.stderr
    r = cli("hotspots --events {events} --weight-field nope", events=files["events"])
    assert r.returncode == 2 and "nope" in r.stderr


def test_access_e2sfca_and_nearest(files):
    out = files["dir"] / "access.csv"
    r = cli(
        "access --demand {villages} --demand-field poblacion --supply {services}"
        " --supply-field beds --method e2sfca --catchment-m 30000"
        " --bands 10000,20000,30000 --band-weights 1,0.68,0.22 --out {out} --json",
        **files,
        out=out,
    )
    summary = summary_of(r)
    assert summary["method"] == "e2sfca" and summary["distance"] == "euclidean"
    assert summary["band_weights"] == [1, 0.68, 0.22]
    assert summary["share_beyond_catchment"] == pytest.approx(400 / 2400)
    assert any("straight lines" in n for n in summary["notes"])
    table = __import__("pandas").read_csv(out)
    assert {"nearest_m", "nearest_name", "access_per_1000", "beyond_reach"} <= set(table.columns)
    assert table["nearest_name"].tolist()[:2] == ["Hospital San Juan", "Casa RD"]

    r = cli(
        "access --demand {villages} --demand-field poblacion --supply {services}"
        " --method nearest --facility-type 'harm reduction' --catchment-m 15000 --json",
        **files,
    )
    assert summary_of(r)["share_beyond_catchment"] == pytest.approx(400 / 2400)


def test_access_bad_input_exits_2(files):
    r = cli("access --demand {villages} --demand-field habitantes --supply {services}", **files)
    assert r.returncode == 2 and "habitantes" in r.stderr and "poblacion" in r.stderr
    r = cli(
        "access --demand {villages} --demand-field poblacion --supply {services}"
        " --method e2sfca --bands 3,2",
        **files,
    )
    assert r.returncode == 2 and "Traceback" not in r.stderr


@pytest.fixture(scope="module")
def tiny_project_file(tmp_path_factory) -> Path:
    sys.path.insert(0, str(ROOT / "tests" / "unit"))
    from test_indicators import tiny_project

    path = tmp_path_factory.mktemp("proj") / "tiny.hatlas.json"
    tiny_project().save(path)
    return path


def test_indicators_cli_json_and_table(tiny_project_file, tmp_path):
    out = tmp_path / "table.csv"
    r = cli(
        "indicators --project {project} --years 2019-2020 --weights beyond_15km_share=2"
        " --out {out} --json",
        project=tiny_project_file,
        out=out,
    )
    payload = summary_of(r)
    assert {"regions", "weights", "notes"} <= set(payload)
    assert payload["weights"]["beyond_15km_share"] == 2
    first = payload["regions"][0]
    assert first["code"] == "XX001" and first["violent_events_per_100k"] == pytest.approx(20)
    assert first["eradicated_ha"] is None  # missing layer: null, never 0
    table = __import__("pandas").read_csv(out)
    assert table["code"].tolist() == ["XX001", "XX002"] and "harm_index" in table.columns

    gpkg = tmp_path / "regions.gpkg"
    r = cli(
        "indicators --project {project} --regions-layer Municipios --out {out}",
        project=tiny_project_file,
        out=gpkg,
    )
    assert r.returncode == 0, r.stderr
    assert "harm_index" in gpd.read_file(gpkg, layer="regions").columns


def test_indicators_cli_errors(tiny_project_file):
    r = cli("indicators")
    assert r.returncode == 2 and "--project" in r.stderr
    r = cli("indicators --project {project} --weights arrests=3", project=tiny_project_file)
    assert r.returncode == 2 and "not a weighted indicator" in r.stderr
    r = cli("indicators --project {project} --years soon", project=tiny_project_file)
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_analyze_reads_only_the_layers_it_needs(tmp_path):
    """A project of 1,000 entries: `analyze count` reads its two layers, not 1,000 (issue 12)."""
    from sample_maps import SAMPLE_PROJECT

    data = json.loads(SAMPLE_PROJECT.read_text(encoding="utf-8"))
    for entry in data["layers"]:
        entry["source"]["path"] = str((SAMPLE_PROJECT.parent / entry["source"]["path"]).resolve())
    missing = {"name": "", "source": {"path": str(tmp_path / "gone.geojson")}, "role": "other"}
    data["layers"] += [dict(missing, name=f"Extra {k}") for k in range(990)]
    project = tmp_path / "big.hatlas.json"
    project.write_text(json.dumps(data), encoding="utf-8")
    line = "count --project {project} --points 'Eventos de violencia (ACLED)'"
    line += " --polygons 'Municipios (ADM2)' --json --quiet"
    done = run_main("analyze", *words(line, project=project), timeout=120)
    assert "gone.geojson" not in done.stderr  # the 990 missing files were never opened
    assert summary_of(done)["polygons"] == 16
