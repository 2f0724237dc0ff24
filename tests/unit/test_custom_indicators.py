"""A joined table's columns as indicators: kept by the project file (older files still open),
shown in the indicator table and weighed into the harm index with their direction, checked
against values computed by hand."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from admin_layers import municipalities
from shapely.geometry import box

from analysis.indicators import compute_indicators
from analysis.inputs import InputError
from layers.custom_indicators import CustomIndicator
from layers.errors import ProjectError
from layers.layer import Layer
from layers.project import Project

CODES = ["XA01001", "XA01002", "XA01003", "XA01004"]


def _project(tmp_path: Path) -> Project:
    regions = gpd.GeoDataFrame(
        {"ADM2_PCODE": CODES, "ADM2_ES": ["A", "B", "C", "D"], "population": [1e4] * 4},
        geometry=[box(i * 0.1, 0, i * 0.1 + 0.1, 0.1) for i in range(4)],
        crs="EPSG:4326",
    )
    path = tmp_path / "adm2.gpkg"
    regions.to_file(path, engine="pyogrio")
    project = Project(title="t")
    project.add(municipalities(regions, population="population"))
    # The joined table, as `join` writes it: DIVIPOLA codes in another row order, one region
    # (XA01004) without a row, and a column named like a built-in indicator.
    table = gpd.GeoDataFrame(
        {
            "table_code": ["01003", "01001", "01002"],
            "pobreza": [0.8, 0.2, 0.5],
            "asistencia_escolar": [0.6, 0.9, 0.3],
            "fatalities": [1.0, 2.0, 3.0],
        },
        geometry=[box(0, 0, 1, 1)] * 3,
        crs="EPSG:4326",
    )
    project.add(Layer(table, "Estadísticas municipales"))
    return project


def _indicators() -> list[CustomIndicator]:
    return [
        CustomIndicator(
            "Estadísticas municipales", "pobreza", "Pobreza", True, "%", 2.0, "table_code"
        ),
        CustomIndicator(
            "Estadísticas municipales", "asistencia_escolar", "", False, "", 1.0, "table_code"
        ),
        CustomIndicator(
            "Estadísticas municipales", "fatalities", weight=0.0, code_column="table_code"
        ),
    ]


def test_table_columns_enter_the_table_and_the_harm_index(tmp_path: Path) -> None:
    project = _project(tmp_path)
    project.indicators = _indicators()
    frame = compute_indicators(project)
    assert frame["code"].tolist() == CODES
    np.testing.assert_allclose(frame["pobreza"].to_numpy()[:3], [0.2, 0.5, 0.8])
    assert np.isnan(frame["pobreza"].iloc[3])  # no row: empty, never 0
    # A column named like a built-in indicator gets its own key, the built-in one stays.
    np.testing.assert_allclose(frame["table_fatalities"].to_numpy()[:3], [2.0, 3.0, 1.0])
    assert "fatalities" in frame.columns
    # By hand: pobreza scaled [0, .5, 1] weight 2; attendance (a good) [.9, .3, .6] scaled
    # [1, 0, .5], reversed [0, 1, .5], weight 1; fatalities weight 0. No other outcome here.
    expected = [0.0, (2 * 0.5 + 1.0) / 3, (2 * 1.0 + 0.5) / 3]
    np.testing.assert_allclose(frame["harm_index"].to_numpy()[:3], expected)
    assert np.isnan(frame["harm_index"].iloc[3])
    assert frame["priority_rank"].tolist()[:3] == [3.0, 2.0, 1.0]
    assert set(frame.attrs["index_uses"]) == {"pobreza", "asistencia_escolar"}
    assert list(frame.columns)[-2:] == ["harm_index", "priority_rank"]
    shown = {i.column: i for i in frame.attrs["indicators"]}
    assert shown["asistencia_escolar"].higher_is_worse is False
    assert shown["pobreza"].label_with_unit == "Pobreza (%)"


def test_weights_flag_takes_the_tables_keys(tmp_path: Path) -> None:
    project = _project(tmp_path)
    project.indicators = _indicators()
    frame = compute_indicators(project, weights="pobreza=0")
    # Only attendance left: reversed scaling [0, 1, .5].
    np.testing.assert_allclose(frame["harm_index"].to_numpy()[:3], [0.0, 1.0, 0.5])
    with pytest.raises(InputError, match="pobrezza"):
        compute_indicators(project, weights="pobrezza=1")


def test_missing_layer_is_a_note_not_zero(tmp_path: Path) -> None:
    project = _project(tmp_path)
    project.indicators = [CustomIndicator("No existe", "pobreza")]
    notes: list[str] = []
    frame = compute_indicators(project, notes=notes)
    assert frame["pobreza"].isna().all()
    assert any("No existe" in n for n in notes)


def test_project_file_keeps_indicators_and_old_files_open(tmp_path: Path) -> None:
    project = _project(tmp_path)
    project.layers["Municipios"].source.path = str(tmp_path / "adm2.gpkg")
    project.layers.remove(project.layers["Estadísticas municipales"])
    project.indicators = [CustomIndicator("Municipios", "population", "Población", False, "", 0.5)]
    saved = project.save(tmp_path / "p.hatlas.json")
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert data["indicators"][0]["weight"] == 0.5
    again = Project.load(saved)
    assert again.indicators == project.indicators
    del data["indicators"]  # a project saved before region tables
    saved.write_text(json.dumps(data), encoding="utf-8")
    assert Project.load(saved).indicators == []
    data["indicators"] = [{"layer": "Municipios", "column": "population", "weight": -1}]
    saved.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ProjectError, match=r"indicators\[0\]\.weight"):
        Project.load(saved)


def test_the_analysis_summary_lists_the_tables_indicators(tmp_path: Path) -> None:
    from core.runner import run_analysis

    project = _project(tmp_path)
    project.indicators = _indicators()
    result = run_analysis("indicators", {"weights": "pobreza=1"}, project)
    listed = {i["column"]: i for i in result.summary["indicators"]}
    assert listed["asistencia_escolar"]["higher_is_worse"] is False
    assert listed["pobreza"]["unit"] == "%" and listed["pobreza"]["label"] == "Pobreza"
    assert result.summary["weights"]["pobreza"] == 1.0
    assert result.summary["regions"][1]["pobreza"] == pytest.approx(0.5)
