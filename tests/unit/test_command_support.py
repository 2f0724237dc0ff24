"""Sub-commands share one project loader: a layer that fails to load is said, never dropped silently."""

from __future__ import annotations

import io
import json

import geopandas as gpd
import pytest
from shapely.geometry import Point

from analysis.inputs import InputError, load_project
from layers import command_support
from layers.command_support import open_project, set_default_project
from layers.errors import ProjectError
from layers.project import Project
from layers.readers import read_layers


def _project_with_a_missing_layer(tmp_path):
    good = tmp_path / "events.geojson"
    gpd.GeoDataFrame({"fatalities": [1]}, geometry=[Point(-76, 1)], crs=4326).to_file(good)
    project = Project(title="t")
    project.add(read_layers(good)[0])
    path = project.save(tmp_path / "p.hatlas.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    gone = dict(data["layers"][0], name="Gone")
    gone["source"] = dict(gone["source"], path="missing.geojson")
    data["layers"].append(gone)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_missing_layers_are_warned_about(tmp_path) -> None:
    stream = io.StringIO()
    project = open_project(_project_with_a_missing_layer(tmp_path), stream=stream)
    assert project.layers.names() == ["events"]
    assert stream.getvalue().startswith("Warning: missing.geojson")


def test_analyze_gets_the_same_warnings(tmp_path, capsys) -> None:
    project = load_project(str(_project_with_a_missing_layer(tmp_path)))
    assert project is not None and "Warning: missing.geojson" in capsys.readouterr().err
    assert load_project(None) is None  # analyze without --project works on files alone
    with pytest.raises(InputError, match="not found"):
        load_project(str(tmp_path / "nowhere.hatlas.json"))


def test_no_path_means_the_sample_unless_told_otherwise() -> None:
    assert open_project(None, sample_when_missing=False) is None
    with pytest.raises(ProjectError):
        open_project("/nonexistent/p.hatlas.json")


def test_no_path_opens_the_default_project_main_names(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(command_support, "_default_project", None)
    with pytest.raises(ProjectError, match="No project given"):
        open_project(None)  # no entry point named one: said, not a crash
    set_default_project(_project_with_a_missing_layer(tmp_path))
    project = open_project(None, stream=io.StringIO())
    assert project is not None and project.layers.names() == ["events"]


def test_main_names_the_sample_project(monkeypatch) -> None:
    import main
    from sample_maps import SAMPLE_PROJECT

    monkeypatch.setattr(command_support, "_default_project", None)
    main.main(["analyze", "--list"])
    assert command_support.default_project() == SAMPLE_PROJECT
