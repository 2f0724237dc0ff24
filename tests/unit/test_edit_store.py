"""Where edits are kept (issue 18): in the edits GeoPackage beside the project, never in the
user's file, unless "save edits to source" is asked for (a backup first, atomic replace)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import Point, box

from layers.edit_fields import EditError
from layers.edit_ops import AddFeatures, CreateLayer, DeleteFeatures, SetAttributes
from layers.edit_session import EditSession, UndoStack
from layers.edit_store import edits_path, read_token
from layers.errors import ProjectError
from layers.project import Project
from layers.readers import read_layers


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _sites() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": ["A", "B", "C"], "n": [1, 2, 3]},
        geometry=[Point(-76.5, 0.9), Point(-76.4, 1.0), Point(-76.3, 1.1)],
        crs="EPSG:4326",
    )


@pytest.fixture(params=["gpkg", "geojson", "shp"])
def source_project(request, tmp_path) -> tuple[Path, Path]:
    """A project over one point file of each format the edits can be saved into."""
    kind = request.param
    path = tmp_path / f"sites.{kind}"
    if kind == "gpkg":
        _sites().to_file(path, layer="sites", driver="GPKG")
        gpd.GeoDataFrame({"k": [1]}, geometry=[box(0, 0, 1, 1)], crs="EPSG:4326").to_file(
            path, layer="other", driver="GPKG"
        )
        layer = read_layers(path, sublayer="sites")[0]
    else:
        _sites().to_file(path)
        layer = read_layers(path)[0]
    layer.name = "sites"
    project = Project()
    project.add(layer)
    return project.save(tmp_path / "p.hatlas.json"), path


def test_saving_edits_leaves_the_source_untouched(source_project):
    project_file, source = source_project
    before = _digest(source)
    project = Project.load(project_file)
    stack = UndoStack(EditSession(project))
    stack.push(SetAttributes("sites", [1], {"n": 20}))
    stack.push(DeleteFeatures("sites", [0]))
    stack.session.save()
    assert _digest(source) == before
    entry = json.loads(project_file.read_text())["layers"][0]
    assert entry["edits"] == {"path": "p.edits.gpkg", "sublayer": "sites"}
    assert entry["source"]["path"] == source.name  # still the user's file
    again = Project.load(project_file)
    assert list(again.layers["sites"].data["n"]) == [20, 3]
    assert again.layers["sites"].source.path == str(source.resolve())
    assert read_token(edits_path(project_file)) not in ("none", "unknown")


def test_save_to_source_makes_a_backup_then_replaces(source_project):
    project_file, source = source_project
    original = _digest(source)
    project = Project.load(project_file)
    stack = UndoStack(EditSession(project))
    stack.push(AddFeatures("sites", [Point(-76.2, 1.2)], [{"name": "D", "n": 4}]))
    stack.push(SetAttributes("sites", [0], {"name": "A2"}))
    backup = stack.session.save_to_source("sites")
    assert backup.exists() and backup.parent == source.parent and ".backup-" in backup.name
    assert _digest(backup) == original
    layer_name = "sites" if source.suffix == ".gpkg" else None
    written = pyogrio.read_dataframe(source, layer=layer_name)
    assert list(written["name"]) == ["A2", "B", "C", "D"]
    if source.suffix == ".gpkg":  # the file's other tables are kept
        assert sorted(pyogrio.list_layers(source)[:, 0]) == ["other", "sites"]
    if source.suffix == ".shp":
        assert backup.with_suffix(".dbf").exists()
    assert not list(source.parent.glob(".*tmp*"))  # no temporary file left behind
    entry = json.loads(project_file.read_text())["layers"][0]
    assert "edits" not in entry  # the layer is read from its own file again
    again = Project.load(project_file)
    assert list(again.layers["sites"].data["name"]) == ["A2", "B", "C", "D"]


def test_save_to_source_refuses_drawn_layers_and_other_formats(tmp_path):
    csv = tmp_path / "pts.csv"
    csv.write_text("lon,lat,name\n-76.5,0.9,A\n")
    project = Project()
    project.add(read_layers(csv)[0])
    project.save(tmp_path / "p.hatlas.json")
    session = EditSession(project)
    session.apply(CreateLayer("Drawn", "polygon", crs="EPSG:4326"))
    with pytest.raises(EditError, match="no file of its own"):
        session.save_to_source("Drawn")
    with pytest.raises(EditError, match="GeoPackage, GeoJSON or Shapefile"):
        session.save_to_source(project.layers.names()[0])
    assert csv.read_text() == "lon,lat,name\n-76.5,0.9,A\n"


def test_a_drawn_layer_lives_in_the_edits_file(tmp_path):
    project = Project()
    project.metric_crs = "EPSG:32618"
    project.save(tmp_path / "p.hatlas.json")
    stack = UndoStack(EditSession(project))
    stack.push(CreateLayer("Zona", "polygon", "admin_boundaries", crs="EPSG:32618"))
    stack.push(
        AddFeatures(
            "Zona",
            [box(500_000, 100_000, 501_000, 101_000)],
            [{"region_code": "Z1", "name": "Zona 1", "population": "1200"}],
        )
    )
    stack.session.save()
    again = Project.load(tmp_path / "p.hatlas.json")
    zona = again.layers["Zona"]
    assert zona.source.path == str(edits_path(tmp_path / "p.hatlas.json"))
    assert zona.field("region_code") == "region_code" and zona.role.value == "admin_boundaries"
    assert str(zona.data["population"].dtype) == "Int64" and zona.data["population"].iloc[0] == 1200
    assert zona.metadata["geometry_kind"] == "polygon"


def test_a_missing_edits_file_shows_the_source_with_a_warning(source_project):
    project_file, source = source_project
    project = Project.load(project_file)
    stack = UndoStack(EditSession(project))
    stack.push(SetAttributes("sites", [0], {"n": 100}))
    stack.session.save()
    edits_path(project_file).unlink()
    again = Project.load(project_file)
    layer = again.layers["sites"]
    assert layer.data["n"].iloc[0] == 1
    assert any("edits of this layer" in w for w in layer.report.warnings)


def test_a_damaged_edits_entry_is_named(source_project):
    project_file, _ = source_project
    data = json.loads(project_file.read_text())
    data["layers"][0]["edits"] = "p.edits.gpkg"
    project_file.write_text(json.dumps(data))
    with pytest.raises(ProjectError, match=r"layers\[0\]\.edits"):
        Project.load(project_file)


def test_a_partly_opened_project_cannot_save_its_edits(source_project):
    project_file, _ = source_project
    project = Project.load(project_file)
    session = EditSession(project)
    session.apply(SetAttributes("sites", [0], {"n": 100}))
    session.save()
    token = read_token(edits_path(project_file))
    partial = Project.load(project_file)
    partial.partial = True  # as `wanted` leaves it when it skipped layers
    session = EditSession(partial)
    session.apply(SetAttributes("sites", [1], {"n": 5}))
    with pytest.raises(EditError, match="only some of its layers"):
        session.save()
    assert read_token(edits_path(project_file)) == token  # the edits file was not rewritten
