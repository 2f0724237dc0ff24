"""A table indicator names its layer (the project file keeps the name): renaming the joined
layer carries the indicator along, and removing it (an undone join) takes the indicator with it
until the layer is put back, so no indicator is left empty with a note."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import shapely

from analysis.indicators import compute_indicators
from layers.custom_indicators import CustomIndicator
from layers.layer import Layer
from layers.project import Project
from layers.roles import FieldMapping, Role


def joined() -> Layer:
    gdf = gpd.GeoDataFrame(
        {"code": ["R1", "R2"], "name": ["Uno", "Dos"], "pobreza": [0.2, 0.6]},
        geometry=[shapely.box(-75, 0, -74, 1), shapely.box(-74, 0, -73, 1)],
        crs="EPSG:4326",
    )
    mapping = FieldMapping(fields={"region_code": "code", "name": "name"})
    return Layer(gdf, "Regiones + pobreza", role=Role.ADMIN_BOUNDARIES, mapping=mapping)


def project_with_indicator() -> tuple[Project, Layer]:
    project = Project()
    layer = project.add(joined())
    project.indicators.append(CustomIndicator(layer.name, "pobreza", "Pobreza", unit="%"))
    return project, layer


def test_a_rename_carries_the_indicator_and_its_undo_brings_it_back() -> None:
    project, layer = project_with_indicator()
    layer.name = "Municipios con pobreza"
    assert project.indicators[0].layer == "Municipios con pobreza"
    notes: list[str] = []
    table = compute_indicators(project, layer, notes=notes)
    assert table["pobreza"].tolist() == [0.2, 0.6]
    assert not any("Pobreza" in n for n in notes), notes
    layer.name = "Regiones + pobreza"  # what an undone rename does
    assert project.indicators[0].layer == "Regiones + pobreza"
    assert project.to_dict(Path("."))["indicators"][0]["layer"] == "Regiones + pobreza"


def test_a_removed_layer_takes_its_indicators_and_brings_them_back() -> None:
    project, layer = project_with_indicator()
    other = project.add(joined())  # another layer's indicators stay where they are
    project.indicators.append(CustomIndicator(other.name, "pobreza"))
    project.layers.remove(layer)
    assert [i.layer for i in project.indicators] == [other.name]
    layer.name = "Renombrada fuera del proyecto"  # e.g. made unique again by a redo
    project.layers.append(layer)
    assert [i.layer for i in project.indicators] == [other.name, layer.name]
    assert project.indicators[1].label == "Pobreza" and project.indicators[1].unit == "%"


def test_a_layer_sharing_the_old_name_keeps_the_indicator() -> None:
    project, layer = project_with_indicator()
    twin = joined()  # same name, added without making it unique (a loaded project may)
    project.layers.append(twin)
    twin.name = "Copia"
    assert project.indicators[0].layer == "Regiones + pobreza"
