"""The regions an analysis reports on and the events the actor profile reads are picked by one
rule (analysis/regions.py largest_layer): the project's layer of the role and geometry with the
most features, an empty layer never, else the analysis' own message."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from analysis.actors import events_layer
from analysis.inputs import InputError
from analysis.regions import choose_regions, largest_layer
from layers.layer import Layer
from layers.project import Project
from layers.roles import Role


def polygons(name: str, n: int) -> Layer:
    gdf = gpd.GeoDataFrame(
        {"code": [f"R{i}" for i in range(n)]},
        geometry=[shapely.box(i, 0, i + 1, 1) for i in range(n)],
        crs="EPSG:4326",
    )
    return Layer(gdf, name, role=Role.ADMIN_BOUNDARIES)


def points(name: str, n: int) -> Layer:
    gdf = gpd.GeoDataFrame(
        {"event_id": list(range(n))},
        geometry=gpd.points_from_xy([0.5] * n, [0.5] * n),
        crs="EPSG:4326",
    )
    return Layer(gdf, name, role=Role.VIOLENCE)


def project_of(*layers: Layer) -> Project:
    project = Project()
    for layer in layers:
        project.add(layer)
    return project


def test_the_finest_regions_and_the_fullest_events_by_the_same_rule() -> None:
    project = project_of(
        polygons("Departamentos", 2), polygons("Municipios", 5), points("A", 3), points("B", 7)
    )
    assert choose_regions(project, None).name == "Municipios"
    assert events_layer(project, None).name == "B"
    assert largest_layer(project, Role.VIOLENCE, "point", "none").name == "B"


def test_an_empty_layer_is_never_picked_and_each_analysis_says_what_is_missing() -> None:
    project = project_of(polygons("Vacía", 0), points("Sin eventos", 0))
    with pytest.raises(InputError, match="no administrative regions"):
        choose_regions(project, None)
    with pytest.raises(InputError, match="No violence events"):
        events_layer(project, None)
    with pytest.raises(InputError, match="nothing here"):
        largest_layer(None, Role.VIOLENCE, "point", "nothing here")
