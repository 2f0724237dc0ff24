"""The one result writer (analysis/outputs.py, driven by core.runner.write_outputs): atomic,
never over an input, CSV cells a spreadsheet would run are quoted, JSON with nulls."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import Point, box

from analysis.base import AnalysisResult
from analysis.inputs import InputError
from analysis.outputs import neutralise_formulas, write_frame
from core.runner import protected_paths, write_outputs
from layers.layer import Layer, LayerList, LayerSource
from layers.project import Project


def result(n: int = 4) -> AnalysisResult:
    cells = gpd.GeoDataFrame(
        {"code": [f"C{i}" for i in range(n)], "value": np.arange(n, dtype=float)},
        geometry=[box(500_000 + i * 10, 100_000, 500_010 + i * 10, 100_010) for i in range(n)],
        crs=32618,
    )
    rings = cells.iloc[:2].assign(ring=[1, 2])
    return AnalysisResult(
        summary={"total": float(n), "wdq": float("nan")}, layers={"cells": cells, "rings": rings}
    )


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".")]


# --- atomic -----------------------------------------------------------------------------------
def test_a_geopackage_that_fails_half_way_leaves_the_previous_file_whole(
    tmp_path, monkeypatch
) -> None:
    out = tmp_path / "out.gpkg"
    write_outputs(result(4), out)
    before = out.read_bytes()
    real = gpd.GeoDataFrame.to_file
    calls = []

    def second_layer_fails(self, *args, **kwargs):
        calls.append(kwargs.get("layer"))
        if len(calls) == 2:  # the first layer is already in the new file
            raise OSError("No space left on device")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(gpd.GeoDataFrame, "to_file", second_layer_fails)
    with pytest.raises(OSError, match="No space left"):
        write_outputs(result(9), out)
    assert calls == ["cells", "rings"]
    assert out.read_bytes() == before
    assert len(gpd.read_file(out, layer="cells")) == 4
    assert leftovers(tmp_path) == []


def test_a_csv_that_fails_half_way_leaves_the_previous_file_whole(tmp_path, monkeypatch) -> None:
    out = tmp_path / "out.csv"
    write_outputs(AnalysisResult(table=pd.DataFrame({"a": [1, 2]})), out)
    before = out.read_text()

    def half_then_fail(self, path, *args, **kwargs):
        Path(path).write_text("a\n1\n")  # part of the rows reached the disk
        raise KeyboardInterrupt  # the user stopped the run

    monkeypatch.setattr(pd.DataFrame, "to_csv", half_then_fail)
    with pytest.raises(KeyboardInterrupt):
        write_outputs(AnalysisResult(table=pd.DataFrame({"a": range(100)})), out)
    assert out.read_text() == before == "a\n1\n2\n"
    assert leftovers(tmp_path) == []


def test_every_geojson_is_checked_before_any_is_written(tmp_path) -> None:
    out = tmp_path / "out.geojson"
    side = tmp_path / "out_rings.geojson"
    side.write_text("kept")
    with pytest.raises(InputError, match="out_rings.geojson"):
        write_outputs(result(), out, protect=[side])
    assert not out.exists() and side.read_text() == "kept"
    written = write_outputs(result(), out)
    assert written == [out, side]
    assert (
        gpd.read_file(side)["ring"].tolist() == [1, 2] and gpd.read_file(out).crs.to_epsg() == 4326
    )


# --- never over an input ----------------------------------------------------------------------
@pytest.fixture
def project(tmp_path) -> Project:
    events = gpd.GeoDataFrame(
        {"n": [1, 2]}, geometry=[Point(500_100, 100_100), Point(500_200, 100_200)], crs=32618
    )
    path = tmp_path / "events.gpkg"
    events.to_file(path, layer="events", engine="pyogrio")
    layer = Layer(events, "Events", source=LayerSource(str(path), "events"))
    project = Project(LayerList([layer]))
    project.save(tmp_path / "study.hatlas.json")
    return project


@pytest.mark.parametrize("name", ["study.hatlas.json", "events.gpkg", "sub/../events.gpkg"])
def test_the_project_and_its_layers_files_are_never_written_over(tmp_path, project, name) -> None:
    target = tmp_path / name
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    (tmp_path / "sub").mkdir()
    with pytest.raises(InputError, match="Will not write over") as caught:
        write_outputs(result(), target, protect=protected_paths(project))
    assert "\n" not in str(caught.value)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before


def test_an_input_file_named_on_the_command_line_is_protected(tmp_path) -> None:
    given = tmp_path / "acled.csv"
    given.write_text("latitude,longitude\n1,2\n")
    raw = {"points": str(given), "polygons": str(tmp_path / "regions.gpkg") + "::adm2"}
    protect = protected_paths(None, "count", raw)
    with pytest.raises(InputError, match="acled.csv"):
        write_outputs(AnalysisResult(table=pd.DataFrame({"a": [1]})), given, protect=protect)
    with pytest.raises(InputError, match="regions.gpkg"):
        write_outputs(result(), tmp_path / "regions.gpkg", protect=protect)
    assert given.read_text() == "latitude,longitude\n1,2\n"


# --- CSV formulas -----------------------------------------------------------------------------
CELLS = [
    "=1+1",
    "+cmd|' /C calc'!A0",
    "-2",
    "-x",
    "@SUM(A1:A9)",
    "\tTAB",
    "\rCR",
    "+5.5e3",
    "a=b",
    None,
]
SAFE = [
    "'=1+1",
    "'+cmd|' /C calc'!A0",
    "-2",
    "'-x",
    "'@SUM(A1:A9)",
    "'\tTAB",
    "'\rCR",
    "+5.5e3",
    "a=b",
    "",
]


def read_rows(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def test_csv_text_cells_that_would_run_as_formulas_are_quoted(tmp_path) -> None:
    table = pd.DataFrame(
        {"name": CELLS, "change": [-3.5] * len(CELLS), '=HYPERLINK("x")': range(len(CELLS))}
    )
    out = tmp_path / "table.csv"
    write_outputs(AnalysisResult(table=table), out)
    rows = read_rows(out)
    assert rows[0] == ["name", "change", '\'=HYPERLINK("x")']
    assert [r[0] for r in rows[1:]] == SAFE
    assert {r[1] for r in rows[1:]} == {"-3.5"}  # numbers stay numbers


def test_the_desktop_save_quotes_formulas_too_and_keeps_geometry_as_wkt(tmp_path) -> None:
    layer = gpd.GeoDataFrame(
        {"name": ["=cmd", "-7", pd.NA]}, geometry=[Point(0, 0)] * 3, crs=4326
    ).astype({"name": "string"})
    rows = read_rows(write_frame(layer, tmp_path / "layer.csv"))
    assert rows[0] == ["name", "geometry_wkt"]
    assert [r[0] for r in rows[1:]] == ["'=cmd", "-7", ""]
    assert rows[1][1].startswith("POINT")


def test_quoting_leaves_other_columns_and_kinds_alone() -> None:
    frame = pd.DataFrame(
        {
            "mixed": ["=1", 2, None],
            "cat": pd.Categorical(["-a", "b", "-a"]),
            "n": [-1, 2, 3],
        }
    )
    safe = neutralise_formulas(frame)
    assert safe["mixed"].tolist() == ["'=1", 2, None]
    assert safe["cat"].tolist() == ["'-a", "b", "'-a"]
    assert safe["n"].tolist() == [-1, 2, 3]
    assert frame["mixed"].tolist() == ["=1", 2, None]  # the caller's frame is not touched


# --- JSON and the rest ----------------------------------------------------------------------
def test_json_output_is_the_summary_with_nulls_and_notes(tmp_path) -> None:
    res = result()
    res.notes = ["WDQ undefined: no change in the target area"]
    out = tmp_path / "deep" / "summary.json"
    assert write_outputs(res, out) == [out]
    assert json.loads(out.read_text(encoding="utf-8")) == {
        "total": 4.0,
        "wdq": None,
        "notes": ["WDQ undefined: no change in the target area"],
    }


def test_unknown_formats_and_results_without_a_layer_are_one_line_errors(tmp_path) -> None:
    with pytest.raises(InputError, match=r"x.shp: write to .gpkg, .geojson, .json, .csv"):
        write_outputs(result(), tmp_path / "x.shp")
    with pytest.raises(InputError, match="gives no layer"):
        write_outputs(AnalysisResult(table=pd.DataFrame({"a": [1]})), tmp_path / "x.gpkg")
    assert list(tmp_path.iterdir()) == []


def test_a_table_beside_layers_goes_into_the_geopackage_without_a_crs_warning(
    tmp_path, recwarn
) -> None:
    res = result()
    res.table = pd.DataFrame({"code": ["C0"], "share": [0.5]})
    write_outputs(res, tmp_path / "all.gpkg")
    assert {n for n, _ in pyogrio.list_layers(tmp_path / "all.gpkg")} == {"cells", "rings", "table"}
    assert not [w for w in recwarn if "crs" in str(w.message)]
