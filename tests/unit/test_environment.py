"""Environmental harm on hand-made geometry whose answers are known to the hectare."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, Point, box

from analysis.base import Canceled, Feedback
from analysis.environment import (
    BORDER_KM_KEY,
    TOTALS_KEY,
    EnvironmentalHarm,
    protected_hectares,
    river_km_in_drift,
    water_drift_hectares,
)
from analysis.inputs import InputError, areas_around_points, execute
from layers.layer import Layer
from layers.roles import FieldMapping

CRS = "EPSG:32618"
X0, Y0 = 500000.0, 100000.0


def gdf(geoms, **columns) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(columns, geometry=list(geoms), crs=CRS)


# Three 1 km × 1 km footprints (100 ha each) in a row, 2 km apart.
FOOTPRINTS = gdf(
    [box(X0 + i * 3000, Y0, X0 + i * 3000 + 1000, Y0 + 1000) for i in range(3)],
    name=["a", "b", "c"],
    year=[2018, 2018, 2019],
)
# A park covering the east half of footprint a (50 ha), category II, and a category VI
# park overlapping it that covers all of footprint a (the overlap counts once).
PARKS = gdf(
    [box(X0 + 500, Y0 - 500, X0 + 1500, Y0 + 1500), box(X0 - 100, Y0 - 100, X0 + 1100, Y0 + 1100)],
    IUCN_CAT=["II", "VI"],
)
# A river running north–south through the middle of footprint b.
RIVER = gdf([LineString([(X0 + 3500, Y0 - 5000), (X0 + 3500, Y0 + 5000)])], name=["rio"])
TOWN = gdf([Point(X0 + 7050, Y0 + 500)], name=["pueblo"])  # 50 m east of footprint c
BORDER = gdf([LineString([(X0 - 20000, Y0 + 9000), (X0 + 20000, Y0 + 9000)])])  # 8 km north


def test_protected_hectares_counts_overlaps_once() -> None:
    shapes = np.asarray(FOOTPRINTS.geometry.values)
    total, by_cat = protected_hectares(
        shapes, np.asarray(PARKS.geometry.values), PARKS.IUCN_CAT.to_numpy()
    )
    assert total == pytest.approx([100.0, 0.0, 0.0])
    assert by_cat["II"] == pytest.approx([50.0, 0, 0]) and by_cat["VI"] == pytest.approx(
        [100, 0, 0]
    )


def test_water_drift_and_river_length() -> None:
    shapes = np.asarray(FOOTPRINTS.geometry.values)
    river = np.asarray(RIVER.geometry.values)
    # 30 m each side of the river across the 1 km footprint: 6 ha.
    assert water_drift_hectares(shapes, river, 30.0) == pytest.approx([0, 6.0, 0], abs=0.01)
    # River within 30 m of footprint b: the 1 km crossing plus 30 m at each end.
    assert river_km_in_drift(shapes, river, 30.0) == pytest.approx([0, 1.06, 0], abs=1e-6)


def every_layer() -> dict[str, Layer]:
    """The footprints with every layer a rule is checked against."""
    return dict(
        footprints=Layer(FOOTPRINTS, "eradication"),
        protected=Layer(PARKS, "parks"),
        water=Layer(RIVER, "rivers"),
        settlements=Layer(TOWN, "towns"),
        border=Layer(BORDER, "border"),
    )


def run(**params):
    algorithm = EnvironmentalHarm()
    feedback = params.pop("feedback", None)
    return execute(algorithm, params, None, feedback or Feedback())


def test_rules_per_footprint_and_totals() -> None:
    result = run(**every_layer(), drift_m=30.0)
    out = result.layers["footprints"].set_index("name")
    assert out.loc["a", "in_protected"] and not out.loc["b", "in_protected"]
    assert out.loc["a", "protected_categories"] == "II, VI"
    assert (out.loc["a", "protected_ha_II"], out.loc["a", "protected_ha_VI"]) == (50.0, 100.0)
    assert out.loc["b", "near_water"] and not out.loc["a", "near_water"]
    assert out.loc["c", "near_settlement"] and not out.loc["b", "near_settlement"]
    assert out["near_border"].all()  # 8 km from the border, inside the 10 km strip
    assert out["rules_broken"].tolist() == [2, 2, 2]
    assert out.loc["b", "rules"] == "near_water, near_border"
    s = result.summary
    assert s["protected_ha"] == pytest.approx(100.0)
    assert s["protected_ha_by_category"] == pytest.approx({"II": 50.0, "VI": 100.0})
    assert s["water_drift_ha"] == pytest.approx(6.0, abs=0.01)
    assert s["footprints_breaking"] == {
        "near_water": 1,
        "near_settlement": 1,
        "in_protected": 1,
        "near_border": 3,
    }
    assert s["footprint_ha"] == pytest.approx(300.0)


def test_border_distance_is_a_parameter() -> None:
    result = run(
        footprints=Layer(FOOTPRINTS, "eradication"),
        border=Layer(BORDER, "b"),
        border_distance_m=5000,
    )
    assert not result.layers["footprints"]["near_border"].any()


def test_new_cultivation_in_protected_area_after_eradication() -> None:
    # Cells: one inside the park near footprint a, new in 2019; one inside the park that was
    # already cultivated before; one new but outside any park.
    cells = gdf(
        [
            box(X0 + 1200, Y0 + 1200, X0 + 1400, Y0 + 1400),
            box(X0 + 1200, Y0 - 400, X0 + 1400, Y0 - 200),
            box(X0 + 4200, Y0 + 1200, X0 + 4400, Y0 + 1400),
        ],
        coca_2016=[0.0, 3.0, 0.0],
        coca_2017=[0.0, 3.0, 0.0],
        coca_2018=[0.0, 0.0, 0.0],
        coca_2019=[2.5, 4.0, 3.0],
        coca_2020=[4.0, 4.0, 3.0],
    )
    grid = Layer(
        cells,
        "coca",
        mapping=FieldMapping(year_columns={y: f"coca_{y}" for y in range(2016, 2021)}),
    )
    result = run(
        footprints=Layer(FOOTPRINTS, "eradication", mapping=FieldMapping(fields={"year": "year"})),
        protected=Layer(PARKS, "parks"),
        cultivation=grid,
        years_after=2,
        nearby_m=1000.0,
    )
    out = result.layers["footprints"]
    assert out["new_cultivation_protected_ha"].tolist() == pytest.approx([4.0, 0.0, 0.0])
    assert result.summary["new_cultivation_protected_ha"] == pytest.approx(4.0)


def test_point_footprints_need_a_radius() -> None:
    points = gdf([Point(X0, Y0)])
    with pytest.raises(InputError, match="--footprint-radius-m"):
        run(footprints=Layer(points, "e"), water=Layer(RIVER, "r"))
    result = run(footprints=Layer(points, "e"), water=Layer(RIVER, "r"), footprint_radius_m=100)
    assert result.layers["footprints"]["area_ha"].iloc[0] == pytest.approx(3.14, abs=0.03)


def test_points_become_circles_of_the_radius_and_polygons_stay() -> None:
    field, point = box(X0, Y0, X0 + 200, Y0 + 100), Point(X0 + 5000, Y0)
    shapes = np.array([field, point], dtype=object)
    areas = areas_around_points(shapes, 100.0, "--r", "no radius")
    assert areas[0] is field
    assert areas[1].area == pytest.approx(np.pi * 100**2, rel=0.01)
    assert areas_around_points(shapes[:1], None, "--r", "no radius")[0] is field
    with pytest.raises(InputError, match="no radius"):
        areas_around_points(shapes, None, "--r", "no radius")
    with pytest.raises(InputError, match="--r must be above zero"):
        areas_around_points(shapes, -5.0, "--r", "no radius")


def test_cancel() -> None:
    feedback = Feedback()
    feedback.cancel()
    with pytest.raises(Canceled):
        run(footprints=Layer(FOOTPRINTS, "e"), water=Layer(RIVER, "r"), feedback=feedback)


def test_sample_spraying_footprints_that_break_the_rules() -> None:
    import json

    from analysis.inputs import resolve_params
    from layers.project import Project
    from sample_maps import SAMPLE_DIR, SAMPLE_PROJECT

    truth = json.loads((SAMPLE_DIR / "ground_truth.json").read_text(encoding="utf-8"))
    planted = truth["effects"]["spraying_violations"]
    project = Project.load(SAMPLE_PROJECT)
    algorithm = EnvironmentalHarm()
    params = resolve_params(
        algorithm,
        {
            "footprints": "Aspersión aérea 2014–2015",
            "protected": "Áreas protegidas (WDPA)",
            "water": "Ríos",
            "border": "Frontera internacional",
            "rule_distance_m": planted["river_rule_m"],
            "border_distance_m": planted["border_rule_m"],
        },
        project,
    )
    result = algorithm.run(params, Feedback())
    out = result.layers["footprints"].set_index("id_aspersion")
    found = {rule: sorted(out.index[out[rule]]) for rule in ("near_water", "in_protected")}
    found["near_border"] = sorted(out.index[out["near_border"]])
    assert found == {
        "near_water": planted["realised"]["near_river_ids"],
        "in_protected": planted["realised"]["in_protected_ids"],
        "near_border": planted["realised"]["near_border_ids"],
    }
    assert int((out["rules_broken"] == 0).sum()) == planted["realised"]["compliant"]
    assert result.summary["protected_ha_by_category"]  # hectares by IUCN category


def test_per_footprint_only_run_for_indicators() -> None:
    layers = dict(every_layer(), drift_m=30.0)
    full = run(**layers)
    lean = run(**layers, **{TOTALS_KEY: False, BORDER_KM_KEY: False})
    a, b = full.layers["footprints"], lean.layers["footprints"]
    assert "border_km" in a.columns and "border_km" not in b.columns
    assert b.equals(a.drop(columns="border_km"))
    assert "footprint_ha" in full.summary and "footprint_ha" not in lean.summary
    assert "protected_ha" not in lean.summary and "hectares_breaking_any" not in lean.summary
    assert lean.summary["footprints_breaking"] == full.summary["footprints_breaking"]
    assert a["border_km"].tolist() == pytest.approx([8.0, 8.0, 8.0])
