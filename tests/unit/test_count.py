"""Count points in polygons: against a brute-force shapely loop, boundaries counted once,
weights, dates, cancel and clear errors."""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import numpy as np
import pytest
import shapely
from analyze_cli import run_analyze_cli
from shapely.geometry import Point, box

from analysis.base import Canceled, Feedback
from analysis.count import CountPointsInPolygons, count_points_in_polygons
from analysis.inputs import InputError, execute, resolve_params
from layers.layer import Layer

CRS = "EPSG:32618"


def random_case(seed: int, n_points: int = 400, n_polygons: int = 25):
    rng = np.random.default_rng(seed)
    xs, ys = rng.uniform(0, 10_000, n_points), rng.uniform(0, 10_000, n_points)
    # Snap a quarter of the points to a 1 km lattice so many sit exactly on edges and corners.
    snap = rng.random(n_points) < 0.25
    xs[snap], ys[snap] = np.round(xs[snap], -3), np.round(ys[snap], -3)
    points = gpd.GeoDataFrame(
        {"w": rng.integers(0, 5, n_points).astype(float)},
        geometry=shapely.points(xs, ys),
        crs=CRS,
    )
    # A partition into 2 km squares plus a few overlapping irregular shapes.
    cells = [box(x, y, x + 2000, y + 2000) for x in range(0, 10_000, 2000) for y in (0, 4000)]
    blobs = [
        Point(rng.uniform(0, 10_000), rng.uniform(0, 10_000)).buffer(rng.uniform(500, 2500))
        for _ in range(n_polygons - len(cells))
    ]
    return points, gpd.GeoDataFrame(geometry=cells + blobs, crs=CRS)


def brute_force(points: gpd.GeoDataFrame, polygons: gpd.GeoDataFrame, weight=None):
    """The definition, one point at a time: inside several polygons counts in each, touching
    only boundaries counts in the first of those polygons."""
    out = np.zeros(len(polygons))
    for i, p in enumerate(points.geometry):
        interior = [j for j, g in enumerate(polygons.geometry) if g.contains_properly(p)]
        touched = [j for j, g in enumerate(polygons.geometry) if g.intersects(p)]
        chosen = interior or touched[:1]
        for j in chosen:
            out[j] += 1 if weight is None else points[weight].iloc[i]
    return out


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_matches_brute_force(seed: int) -> None:
    points, polygons = random_case(seed)
    assert (
        count_points_in_polygons(points, polygons).tolist()
        == brute_force(points, polygons).tolist()
    )
    assert count_points_in_polygons(points, polygons, weight="w") == pytest.approx(
        brute_force(points, polygons, "w")
    )


def test_point_on_shared_edge_counts_once() -> None:
    polygons = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=CRS)
    points = gpd.GeoDataFrame(
        geometry=[Point(1, 0.5), Point(0.5, 0.5), Point(1, 1), Point(5, 5)], crs=CRS
    )
    counts = count_points_in_polygons(points, polygons)
    assert counts.sum() == 3  # the edge and corner points once each, the far point nowhere
    assert counts.tolist() == [3, 0]


def test_overlapping_polygons_each_count_an_inside_point() -> None:
    polygons = gpd.GeoDataFrame(geometry=[box(0, 0, 2, 2), box(1, 1, 3, 3)], crs=CRS)
    points = gpd.GeoDataFrame(geometry=[Point(1.5, 1.5)], crs=CRS)
    assert count_points_in_polygons(points, polygons).tolist() == [1, 1]


def _layers(points: gpd.GeoDataFrame, polygons: gpd.GeoDataFrame):
    return Layer(points, "events"), Layer(polygons, "regions")


def test_algorithm_with_dates_and_weights() -> None:
    points = gpd.GeoDataFrame(
        {
            "deaths": [1, 2, 3, 4],
            "when": ["2020-01-01", "2020-02-01", "2020-03-01", "2021-01-01"],
        },
        geometry=[Point(0.5, 0.5), Point(0.5, 0.6), Point(1.5, 0.5), Point(0.5, 0.7)],
        crs=CRS,
    )
    polygons = gpd.GeoDataFrame(
        {"name": ["a", "b"]}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=CRS
    )
    pts, polys = _layers(points, polygons)
    algorithm = CountPointsInPolygons()
    params = resolve_params(
        algorithm,
        {
            "points": pts,
            "polygons": polys,
            "weight_field": "deaths",
            "date_field": "when",
            "from": "2020-01-01",
            "to": "2020-02-01",
        },
    )
    assert params["from"] == date(2020, 1, 1)
    result = algorithm.run(params, Feedback())
    out = result.layers["counts"]
    assert out["events"].tolist() == [2, 0]
    assert out["events_deaths"].tolist() == [3.0, 0.0]
    assert result.summary["points"] == 2 and result.summary["weight_total"] == 3.0


def test_missing_field_lists_the_fields() -> None:
    points, polygons = random_case(0, 10, 10)
    pts, polys = _layers(points, polygons)
    with pytest.raises(InputError, match=r"no field 'deaths'\. Fields: w"):
        resolve_params(
            CountPointsInPolygons(), {"points": pts, "polygons": polys, "weight_field": "deaths"}
        )


def test_wrong_geometry_is_refused() -> None:
    points, polygons = random_case(0, 10, 10)
    pts, polys = _layers(points, polygons)
    with pytest.raises(InputError, match="polygon geometries; this needs point"):
        resolve_params(CountPointsInPolygons(), {"points": polys, "polygons": polys})


def test_cancel_mid_run() -> None:
    points, polygons = random_case(0, 2000, 200)
    pts, polys = _layers(points, polygons)
    seen = []

    def on_progress(percent: float, message: str) -> None:
        seen.append(percent)
        if percent > 20:
            feedback.cancel()

    feedback = Feedback(on_progress)  # the callback cancels the run it reports on
    params = resolve_params(CountPointsInPolygons(), {"points": pts, "polygons": polys})
    with pytest.raises(Canceled):
        CountPointsInPolygons().run(params, feedback)
    assert seen and max(seen) < 100


# --- the CLI in-process (the subprocess runs are in tests/e2e/test_analyze_cli.py) ---------
@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ([], "missing --polygons"),
        (["--polygons", "{points}"], "has point geometries; this needs polygon"),
        (["--polygons", "{polygons}", "--out", "x.pdf"], "--out x.pdf: write to .gpkg"),
        (["--polygons", "{polygons}", "--from", "1/6/20"], "'1/6/20' is not a date"),
        (["--polygons", "{polygons}", "--nonsense"], "unrecognized arguments: --nonsense"),
    ],
)
def test_cli_mistakes_are_one_line(tmp_path, capsys, extra, message) -> None:
    points, polygons = random_case(0, 20, 12)
    paths = {"points": str(tmp_path / "p.gpkg"), "polygons": str(tmp_path / "r.gpkg")}
    points.to_file(paths["points"])
    polygons.to_file(paths["polygons"])
    args = ["count", "--points", paths["points"], *[a.format(**paths) for a in extra]]
    code, out, err = run_analyze_cli(capsys, *args)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and message in err, err


def test_cli_json_turns_nan_into_null(tmp_path, capsys) -> None:
    from analysis.outputs import to_json

    assert to_json({"a": float("nan"), "b": [np.float64(1.5), None], "c": np.int64(3)}) == {
        "a": None,
        "b": [1.5, None],
        "c": 3,
    }


def test_result_written_as_geojson_csv_and_geopackage(tmp_path) -> None:
    import pyogrio

    from analysis.base import AnalysisResult
    from analysis.outputs import write_result

    points, polygons = random_case(1, 50, 12)
    counted = polygons.assign(events=count_points_in_polygons(points, polygons))
    rings = polygons.iloc[:3].assign(ring=[1, 2, 3], tags=[["a"], ["b"], []])
    result = AnalysisResult(layers={"counts": counted, "rings": rings})
    written = write_result(result, str(tmp_path / "out.geojson"))
    assert [p.name for p in written] == ["out.geojson", "out_rings.geojson"]
    back = gpd.read_file(written[0])
    assert back.crs.to_epsg() == 4326 and back["events"].tolist() == counted["events"].tolist()
    assert gpd.read_file(written[1])["ring"].tolist() == [1, 2, 3]
    write_result(result, str(tmp_path / "out.csv"))
    table = gpd.pd.read_csv(tmp_path / "out.csv")
    assert "geometry" not in table.columns and table["events"].sum() == counted["events"].sum()
    write_result(result, str(tmp_path / "out.gpkg"))
    write_result(result, str(tmp_path / "out.gpkg"))  # a rerun replaces, never appends
    assert {name for name, _ in pyogrio.list_layers(tmp_path / "out.gpkg")} == {"counts", "rings"}
    # Lists go to GDAL as JSON text.
    assert gpd.read_file(tmp_path / "out.gpkg", layer="rings")["tags"].tolist() == [
        '["a"]',
        '["b"]',
        "[]",
    ]


def test_progress_bar_draws_on_stderr_after_its_delay() -> None:
    import io

    from analysis.command import ProgressBar

    stream = io.StringIO()
    bar = ProgressBar(stream, delay=0.0)
    bar.last = -1.0
    bar.update(50.0, "Counting points")
    bar.finish()
    text = stream.getvalue()
    assert "[###############---------------]  50.0% Counting points" in text
    assert text.endswith("\n")
    quiet = io.StringIO()
    slow = ProgressBar(quiet, delay=60.0)
    slow.update(10.0)
    slow.finish()
    assert quiet.getvalue() == ""  # short runs print nothing


def test_summary_written_as_json_with_nulls(tmp_path) -> None:
    import json

    from analysis.base import AnalysisResult
    from analysis.outputs import write_result

    result = AnalysisResult(summary={"wdq": float("nan"), "n": np.int64(2)}, notes=["why"])
    write_result(result, str(tmp_path / "summary.json"))
    assert json.loads((tmp_path / "summary.json").read_text()) == {
        "wdq": None,
        "n": 2,
        "notes": ["why"],
    }


@pytest.mark.parametrize("name", ["ADM2_PCODE", "adm2_pcode", "geometry", " "])
def test_field_name_never_replaces_a_column(name) -> None:
    """--field-name ADM2_PCODE once overwrote the region codes with counts (issue 12)."""
    from analysis.count import CountPointsInPolygons
    from analysis.inputs import InputError

    regions = gpd.GeoDataFrame(
        {"ADM2_PCODE": ["A"]}, geometry=[shapely.box(0, 0, 10, 10)], crs="EPSG:32618"
    )
    events = gpd.GeoDataFrame(geometry=[shapely.Point(5, 5)], crs="EPSG:32618")
    algorithm = CountPointsInPolygons()
    params = {"points": Layer(events, "e"), "polygons": Layer(regions, "r"), "field_name": name}
    with pytest.raises(InputError, match="field-name"):
        execute(algorithm, params)
