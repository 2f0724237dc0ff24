"""Result styles: what an analysis hint becomes on the map (cartography/result_styles.py)."""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import Point, box

from cartography.result_styles import result_position, result_style
from layers.layer import Layer
from layers.roles import Role


def cells(n: int, values: list) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"v": values}, geometry=[box(i, 0, i + 1, 1) for i in range(n)], crs=32618
    )


def test_study_areas_are_outlines_whatever_the_hint() -> None:
    control = gpd.GeoDataFrame(
        {"area": ["control", "displacement_control"]},
        geometry=[box(0, 0, 10, 10), box(10, 0, 12, 10)],
        crs=32618,
    )
    hint = {"field": "area", "kind": "categorized"}
    style = result_style(control, hint, "displacement", "control")
    assert style.no_fill and style.kind == "single" and style.edge != "none"
    filled = result_style(control, hint, "cultivation", "regions")
    assert not filled.no_fill and filled.kind == "categorized" and filled.fill_alpha == 1.0


def test_the_actor_profiles_activity_areas_are_outlines() -> None:
    """Convex hulls of every group overlap and run past the regions: filled opaque (each
    colour its legend swatch), they covered every other layer of the sample's map."""
    hulls = gpd.GeoDataFrame(
        {"actor": ["Clan del Caguará", "Frente Tacuré"]},
        geometry=[box(0, 0, 10, 10), box(5, 0, 15, 10)],
        crs=32618,
    )
    style = result_style(hulls, {"field": "actor", "kind": "categorized"}, "actors",
                         "activity_areas")  # fmt: skip
    assert style.no_fill and style.edge != "none" and style.line_width >= 1


def test_diverging_bins_leave_the_not_significant_cells_unfilled() -> None:
    grid = cells(60, [0] * 55 + [3, 2, -1, -3, 1])
    style = result_style(grid, {"field": "v", "kind": "diverging"})
    assert style.kind == "categorized" and style.categories["0"] == "none"
    assert style.categories["3"] != style.categories["-3"]
    assert style.edge == "none", "a grid gets no mesh of cell edges"


def test_a_none_category_is_unfilled_and_kinds_are_real_style_kinds() -> None:
    grid = cells(60, ["none"] * 50 + ["new"] * 10)
    style = result_style(grid, {"field": "v", "kind": "categorical"})
    assert style.kind == "categorized" and style.categories == {"none": "none"}


def test_points_are_opaque_and_on_top_filled_areas_above_areas_only() -> None:
    points = gpd.GeoDataFrame({"v": [1.0, 2.0]}, geometry=[Point(0, 0), Point(1, 1)], crs=32618)
    style = result_style(points, {"field": "v"})
    assert style.fill_alpha == 1.0 and style.edge == "white"
    regions = Layer(cells(3, [1, 2, 3]), "regions", role=Role.ADMIN_BOUNDARIES)
    events = Layer(points, "events", role=Role.VIOLENCE)
    layers = [regions, events]
    choropleth = Layer(cells(3, [1, 2, 3]), "r", role=Role.RESULT)
    choropleth.style = result_style(choropleth.data, {"field": "v"})
    assert result_position(layers, choropleth) == 1  # above the regions, under the points
    dots = Layer(points, "p", role=Role.RESULT, style=style)
    assert result_position(layers, dots) == 2
