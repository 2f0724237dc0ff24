"""Cultivation dynamics: each class from a hand-written history, precedence, regions."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import box

from analysis.base import Feedback
from analysis.cultivation import CultivationDynamics, classify_cells, window_years
from analysis.inputs import InputError, execute
from layers.layer import Layer
from layers.roles import FieldMapping

CRS = "EPSG:32618"
YEARS = list(range(2013, 2023))  # ten years
HISTORIES = {
    "permanent": [5] * 10,
    "intermittent": [0, 3, 0, 3, 0, 3, 0, 3, 0, 3],
    "abandoned": [4, 4, 4, 4, 4, 4, 4, 0, 0, 0],
    "new": [0] * 9 + [2],
    "none": [0] * 10,
    "recent_gap": [1, 1, 1, 1, 1, 1, 1, 1, 1, 0],  # stopped last year only: intermittent
}


def test_each_class_from_its_history() -> None:
    classes = classify_cells(np.array(list(HISTORIES.values()), dtype=float), abandoned_years=3)
    assert dict(zip(HISTORIES, classes, strict=True)) == {
        "permanent": "permanent",
        "intermittent": "intermittent",
        "abandoned": "abandoned",
        "new": "new",
        "none": "none",
        "recent_gap": "intermittent",
    }


def test_threshold_and_precedence() -> None:
    # 0.05 ha counts as no cultivation with a 0.1 ha threshold: the cell becomes new.
    assert classify_cells(np.array([[0.05] * 9 + [1.0]]), 3, threshold=0.1)[0] == "new"
    # A one-year window: cultivated now is both every year and new; new wins.
    assert classify_cells(np.array([[1.0]]), 1)[0] == "new"


def test_window_years_reports_missing_years() -> None:
    cols = {y: f"c{y}" for y in (2015, 2016, 2018)}
    assert window_years(cols, 4) == ([2015, 2016, 2018], [2017])
    assert window_years(cols, 2, end_year=2016) == ([2015, 2016], [])


def grid_layer() -> Layer:
    cells, rows = [], []
    for i, history in enumerate(HISTORIES.values()):
        x = 500000 + i * 1000
        cells.append(box(x, 100000, x + 1000, 101000))
        rows.append({f"areacoca_{y}": v for y, v in zip(YEARS, history, strict=True)})
    gdf = gpd.GeoDataFrame(rows, geometry=cells, crs=CRS)
    return Layer(
        gdf, "coca", mapping=FieldMapping(year_columns={y: f"areacoca_{y}" for y in YEARS})
    )


def run(**params):
    algorithm = CultivationDynamics()
    return execute(algorithm, params)


def test_hectares_per_class_and_region() -> None:
    regions = gpd.GeoDataFrame(
        {"muni": ["west", "east"]},
        geometry=[box(500000, 99000, 503000, 102000), box(503000, 99000, 506000, 102000)],
        crs=CRS,
    )
    result = run(grid=grid_layer(), regions=Layer(regions, "munis"), region_field="muni")
    classes = result.summary["classes"]
    assert classes["permanent"] == {"cells": 1, "ha_last_year": 5.0, "ha_mean": 5.0}
    assert classes["new"]["ha_last_year"] == 2.0 and classes["abandoned"]["ha_last_year"] == 0
    assert classes["intermittent"]["cells"] == 2
    assert result.summary["cells_never_cultivated"] == 1
    table = result.table.set_index("region")
    assert table.loc["west", "permanent_ha"] == 5.0 and table.loc["west", "intermittent_ha"] == 3
    assert table.loc["east", "new_ha"] == 2.0 and table.loc["east", "intermittent_cells"] == 1
    assert set(result.layers["cells"]["dynamics"]) == {*classes}  # 'none' cells left out


def test_shorter_window_changes_classes() -> None:
    result = run(grid=grid_layer(), window_years=3, abandoned_years=1, end_year=2019)
    classes = result.summary["classes"]
    # 2017–2019: the abandoned cell was still cultivated every year.
    assert classes["permanent"]["cells"] == 3


def test_bad_windows_are_clear_errors() -> None:
    with pytest.raises(InputError, match="shorter than --window-years"):
        run(grid=grid_layer(), window_years=3, abandoned_years=3)
    plain = Layer(gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)], crs=CRS), "plain")
    with pytest.raises(InputError, match="no year columns"):
        run(grid=plain)


def test_new_years_widens_new() -> None:
    history = np.array([[0, 0, 0, 0, 0, 0, 0, 2, 2, 2]], dtype=float)
    assert classify_cells(history, 3)[0] == "intermittent"
    assert classify_cells(history, 3, new_years=3)[0] == "new"


def test_sample_grid_is_mostly_permanent() -> None:
    import json

    from analysis.inputs import resolve_params
    from layers.project import Project
    from sample_maps import SAMPLE_DIR, SAMPLE_PROJECT

    truth = json.loads((SAMPLE_DIR / "ground_truth.json").read_text(encoding="utf-8"))
    project = Project.load(SAMPLE_PROJECT)
    algorithm = CultivationDynamics()
    params = resolve_params(
        algorithm,
        {"grid": "Cultivos de coca 1 km (SIMCI)", "regions": "Municipios (ADM2)"},
        project,
    )
    result = algorithm.run(params, Feedback())
    s = result.summary
    culture = truth["cultivation"]
    assert s["ha_last_year"] == pytest.approx(culture["total_ha"]["2023"], abs=0.1)
    # Cells cultivated every year of 2014–2023 hold the generator's persistent share.
    assert s["share_last_year"]["permanent"] == pytest.approx(
        culture["persistent_share_2023"], abs=0.001
    )
    assert result.table["total_ha"].sum() == pytest.approx(culture["total_ha"]["2023"], abs=0.1)
