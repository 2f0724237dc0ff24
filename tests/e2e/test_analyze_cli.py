"""`python main.py analyze ...` as an analyst runs it: reference values through real files,
outputs in every format, and one clear line (exit 2) for each mistake."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from main_cli import ROOT, run_main, summary_of, words
from shapely.geometry import LineString, box

from core.registry import analyses

CRS = "EPSG:32618"
X0, Y0 = 500000.0, 100000.0
TARGET = box(X0, Y0, X0 + 1000, Y0 + 1000)
CONTROL = box(X0 + 10000, Y0, X0 + 12000, Y0 + 2000)
PLACES = {
    "R": box(X0 + 100, Y0 + 100, X0 + 900, Y0 + 900),
    "D": box(X0 + 1300, Y0, X0 + 1700, Y0 + 1000),
    "C": box(X0 + 10200, Y0 + 200, X0 + 11800, Y0 + 1800),
    "Dc": box(X0 + 12300, Y0, X0 + 12700, Y0 + 2000),
}


def analyze(*args: str) -> subprocess.CompletedProcess:
    return run_main("analyze", *args)


def write_planted(folder: Path, counts: dict[str, tuple[int, int]]) -> dict[str, str]:
    """Point events planted to the given (before, after) counts, and the area polygons."""
    rng = np.random.default_rng(7)
    geoms, dates = [], []
    for name, (before, after) in counts.items():
        xmin, ymin, xmax, ymax = PLACES[name].bounds
        for n, when in ((before, "2020-01-15"), (after, "2020-09-01")):
            geoms += list(shapely.points(rng.uniform(xmin, xmax, n), rng.uniform(ymin, ymax, n)))
            dates += [when] * n
    events = gpd.GeoDataFrame(
        {"event_date": dates, "fatalities": rng.integers(0, 3, len(dates))},
        geometry=geoms,
        crs=CRS,
    ).to_crs(4326)  # lon/lat on disk, as ACLED exports are
    paths = {k: str(folder / f"{k}.gpkg") for k in ("events", "targets", "control", "region")}
    events.to_file(paths["events"])
    gpd.GeoDataFrame({"op": ["A"]}, geometry=[TARGET], crs=CRS).to_file(paths["targets"])
    gpd.GeoDataFrame({"n": [1]}, geometry=[CONTROL], crs=CRS).to_file(paths["control"])
    region = box(X0 - 3000, Y0 - 3000, X0 + 16000, Y0 + 5000)
    gpd.GeoDataFrame({"n": [1]}, geometry=[region], crs=CRS).to_file(paths["region"])
    return paths


def displacement_args(paths: dict[str, str], *extra: str) -> list[str]:
    line = "displacement --events {events} --targets {targets} --region {region}"
    line += " --date 2020-06-01 --window-days 365 --buffer-m 1000 --event-date-field event_date"
    return [*words(line + " --json --quiet", **paths), *extra]


def test_list_shows_the_analyses() -> None:
    done = analyze("--list")
    assert done.returncode == 0, done.stderr
    for algorithm_id in ("count", "displacement", "environment", "cultivation"):
        assert algorithm_id in done.stdout


def test_wheeler_ratcliffe_reference_through_the_cli(tmp_path: Path) -> None:
    counts = {"R": (207, 110), "D": (178, 157), "C": (308, 318), "Dc": (150, 140)}
    paths = write_planted(tmp_path, counts)
    out = tmp_path / "displacement.gpkg"
    s = summary_of(
        analyze(*displacement_args(paths, "--control", paths["control"], "--out", str(out)))
    )
    assert s["target"] == {"before": 207, "after": 110}
    assert s["displacement_control"] == {"before": 150, "after": 140}
    assert s["success_measure"] == pytest.approx(-0.32617, abs=5e-6)
    assert s["buffer_measure"] == pytest.approx(-0.08421, abs=5e-6)
    assert s["wdq"] == pytest.approx(0.2582, abs=5e-5)
    assert s["tne"] == pytest.approx(130.5, abs=0.05)
    assert s["wdd"] == -118 and s["wdd_se"] == pytest.approx(39.6, abs=0.01)
    assert s["wdd_z"] == pytest.approx(-2.98, abs=0.005)
    assert s["wdd_ci_low"] == pytest.approx(-196, abs=0.5)
    assert s["wdd_ci_high"] == pytest.approx(-40, abs=0.5)
    names = {row[0] for row in pyogrio.list_layers(out)}
    assert names == {"target", "buffer", "control"}
    control = gpd.read_file(out, layer="control")
    assert control["before"].tolist() == [308, 150]


def test_hand_fixture_and_weights_through_the_cli(tmp_path: Path) -> None:
    paths = write_planted(tmp_path, {"R": (100, 50), "D": (100, 150), "C": (100, 100)})
    s = summary_of(analyze(*displacement_args(paths, "--control", paths["control"])))
    assert (s["success_measure"], s["buffer_measure"]) == (pytest.approx(-0.5), pytest.approx(0.5))
    assert s["wdq"] == pytest.approx(-1.0) and s["tne"] == pytest.approx(0.0)


def test_count_writes_a_geopackage(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    points = gpd.GeoDataFrame(
        {"deaths": rng.integers(0, 4, 500)},
        geometry=shapely.points(rng.uniform(-74.9, -74.1, 500), rng.uniform(1.1, 1.9, 500)),
        crs=4326,
    )
    regions = gpd.GeoDataFrame(
        {"ADM2_PCODE": ["CO1", "CO2"]},
        geometry=[box(-75, 1, -74.5, 2), box(-74.5, 1, -74, 2)],
        crs=4326,
    )
    points.to_file(tmp_path / "events.gpkg")
    regions.to_file(tmp_path / "regions.shp")
    expected = [
        int(points.within(regions.geometry[0]).sum()),
        int(points.within(regions.geometry[1]).sum()),
    ]
    base = ["count", "--points", str(tmp_path / "events.gpkg"), "--polygons"]
    base += [str(tmp_path / "regions.shp"), "--weight-field", "deaths", "--quiet"]
    out = tmp_path / "counts.gpkg"
    done = analyze(*base, "--out", str(out), "--json")
    assert done.returncode == 0, done.stderr
    table = gpd.read_file(out)
    assert table["events"].tolist() == expected
    assert table["events_deaths"].sum() == points["deaths"].sum()
    assert json.loads(done.stdout)["points_inside"] == 500


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["count", "--points", "nowhere.gpkg", "--polygons", "x.gpkg"], "File not found"),
        (
            ["count", "--points", "{events}", "--polygons", "{region}", "--weight-field", "deaths"],
            "no field 'deaths'. Fields: event_date, fatalities",
        ),
    ],
)
def test_mistakes_give_one_clear_line(tmp_path: Path, args: list[str], message: str) -> None:
    paths = write_planted(tmp_path, {"R": (3, 3)})
    done = analyze(*[a.format(**paths) for a in args])
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert message in lines[0]
    assert "Traceback" not in done.stderr


def test_environment_and_cultivation_from_the_cli(tmp_path: Path) -> None:
    footprints = gpd.GeoDataFrame(
        {"year": [2018, 2019]},
        geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000), box(X0 + 3000, Y0, X0 + 4000, Y0 + 1000)],
        crs=CRS,
    )
    river = gpd.GeoDataFrame(
        {"name": ["rio"]}, geometry=[LineString([(X0 + 3500, Y0 - 9e3), (X0 + 3500, Y0 + 9e3)])]
    ).set_crs(CRS)
    footprints.to_file(tmp_path / "eradication.gpkg")
    river.to_file(tmp_path / "rivers.gpkg")
    line = "environment --footprints {d}/eradication.gpkg --water {d}/rivers.gpkg --drift-m 30"
    s = summary_of(analyze(*words(line + " --json --out {d}/env.geojson", d=tmp_path)))
    assert s["footprints_breaking"] == {"near_water": 1}
    assert s["water_drift_ha"] == pytest.approx(6.0, abs=0.01)
    assert gpd.read_file(tmp_path / "env.geojson")["near_water"].tolist() == [False, True]

    years = range(2013, 2023)
    rows = [
        {f"areacoca_{y}": h for y, h in zip(years, hist, strict=True)}
        for hist in ([5] * 10, [0] * 9 + [2], [4] * 7 + [0] * 3)
    ]
    cells = [box(X0 + i * 1000, Y0, X0 + i * 1000 + 1000, Y0 + 1000) for i in range(3)]
    gpd.GeoDataFrame(rows, geometry=cells, crs=CRS).to_file(tmp_path / "coca.gpkg")
    line = "cultivation --grid {d}/coca.gpkg --json --out {d}/dynamics.csv"
    classes = summary_of(analyze(*words(line, d=tmp_path)))["classes"]
    assert [classes[c]["cells"] for c in ("permanent", "new", "abandoned")] == [1, 1, 1]
    table = pd.read_csv(tmp_path / "dynamics.csv").set_index("class")
    assert table.loc["new", "ha_last_year"] == 2.0


def test_sample_project_layers_by_name(tmp_path: Path) -> None:
    """The analyst's call on the sample: coca displaced by Operación Tacuré (ground truth)."""
    truth = json.loads((ROOT / "sample_maps" / "ground_truth.json").read_text(encoding="utf-8"))
    planted = truth["effects"]["cultivation_displacement"]
    out = tmp_path / "tacure.gpkg"
    line = "displacement --project sample_maps/sample.hatlas.json"
    line += " --events 'Cultivos de coca 1 km (SIMCI)' --targets 'Erradicación manual'"
    line += " --targets-where campana={campaign} --date 2018-06-01 --window-years 1"
    line += " --target-radius-m 2000 --buffer-m 3000 --rings 3 --json --out {out}"
    s = summary_of(analyze(*words(line, campaign=planted["campaign"], out=out)))
    low, high = planted["expected"]["wdq_range"]
    assert low <= s["wdq"] <= high
    assert s["rings"][0]["wdq"] == s["wdq"] and len(s["rings"]) == 3
    assert gpd.read_file(out, layer="buffer")["ring"].tolist() == [1, 2, 3]
    line = "displacement --project sample_maps/sample.hatlas.json --events Coca"
    wrong = analyze(*words(line + " --targets 'Erradicación manual' --date 2018-06-01"))
    assert wrong.returncode == 2
    assert "neither a layer of the project nor a file" in wrong.stderr
    assert "Cultivos de coca 1 km (SIMCI)" in wrong.stderr  # the names it could have used


@pytest.mark.parametrize("algorithm_id", sorted(analyses()))
def test_every_analysis_prints_its_help(algorithm_id: str) -> None:
    """argparse %-formats help text: a literal '15 %' in a parameter's help crashed --help."""
    from main import build_parser

    with pytest.raises(SystemExit) as exit_:
        build_parser("analyze").parse_args(["analyze", algorithm_id, "--help"])
    assert exit_.value.code == 0
