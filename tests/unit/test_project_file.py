"""Project files from others: structure checked with the field named, saves that lose nothing."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from layers.errors import ProjectError
from layers.layer import Layer
from layers.project import Project, write_atomic

GOOD = {
    "format": "harm-atlas-project",
    "version": 1,
    "title": "t",
    "layers": [{"name": "a", "source": {"path": "a.geojson"}, "role": "other"}],
}


def _with(path: str, value) -> dict:
    data = json.loads(json.dumps(GOOD))
    *parents, last = path.split(".")
    node = data
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return data


@pytest.mark.parametrize(
    "path, value, named",
    [
        ("layers", {"a": 1}, "layers"),
        ("version", "abc", "version"),
        ("version", None, "version"),
        ("version", [1], "version"),
        ("version", -1, "version"),
        ("version", 1.5, "version"),
        ("version", True, "version"),
        ("title", 5, "title"),
        ("extent", [0, 0, "x", 1], "extent"),
        ("time_filter", {"start": "last year"}, "time_filter.start"),
        ("layers.0", "a layer", "layers[0]"),
        ("layers.0.source", None, "layers[0].source"),
        ("layers.0.source", {"path": 3}, "layers[0].source.path"),
        ("layers.0.role", "ghosts", "layers[0].role"),
        ("layers.0.opacity", 5, "layers[0].opacity"),
        ("layers.0.visible", "yes", "layers[0].visible"),
        ("layers.0.mapping", {"fields": {"date": 7}}, "layers[0].mapping.fields.date"),
        ("layers.0.style", ["red"], "layers[0].style"),
    ],
)
def test_bad_structure_names_the_field(tmp_path: Path, path: str, value, named: str) -> None:
    target = tmp_path / "p.hatlas.json"
    target.write_text(json.dumps(_with(path, value)), encoding="utf-8")
    with pytest.raises(ProjectError) as err:
        Project.load(target)
    assert named in str(err.value)
    assert "Traceback" not in str(err.value)


def test_newer_format_says_update(tmp_path: Path) -> None:
    target = tmp_path / "p.hatlas.json"
    target.write_text(json.dumps(_with("version", 9)), encoding="utf-8")
    with pytest.raises(ProjectError, match="newer Harm Atlas"):
        Project.load(target)


AWKWARD = [
    "Result (1)",
    "Result [1]",
    "Result {1}",
    "result (1)",
    "Résultat 1",
    "_",
    "____",
    "日本",
]


def test_memory_layers_with_awkward_names_keep_their_own_data(tmp_path: Path) -> None:
    project = Project(title="names")
    for k, name in enumerate(AWKWARD):
        frame = gpd.GeoDataFrame({"k": [k]}, geometry=[shapely.Point(k, k)], crs="EPSG:4326")
        layer = Layer(frame, "x")
        layer.name = name  # bypass unique_name: the store must cope on its own
        project.layers.append(layer)
    target = project.save(tmp_path / "p.hatlas.json")
    # A second save with more layers of clashing names must not overwrite the first ones.
    extra = Layer(gpd.GeoDataFrame({"k": [99]}, geometry=[shapely.Point(9, 9)], crs=4326), "x")
    extra.name = "Result  1 "
    project.layers.append(extra)
    project.save(target)
    again = Project.load(target)
    got = [int(layer.data["k"].iloc[0]) for layer in again.layers]
    assert got == [*range(len(AWKWARD)), 99]


def test_atomic_save_keeps_mode_and_clears_stale_temporaries(tmp_path: Path) -> None:
    target = tmp_path / "p.hatlas.json"
    target.write_text("{}", encoding="utf-8")
    os.chmod(target, 0o664)
    stale = tmp_path / ".p.hatlas.json.abc123.tmp"
    stale.write_text("x" * 1000)
    write_atomic(target, '{"a": 1}')
    assert stat.S_IMODE(target.stat().st_mode) == 0o664
    assert not stale.exists()
    assert json.loads(target.read_text()) == {"a": 1}
    other = tmp_path / ".other.json.abc.tmp"  # someone else's temporary file stays
    other.write_text("y")
    write_atomic(target, "{}")
    assert other.exists()


@pytest.mark.timeout(10)
def test_a_pipe_given_as_project_is_refused_at_once(tmp_path: Path) -> None:
    pipe = tmp_path / "p.hatlas.json"
    os.mkfifo(pipe)
    with pytest.raises(ProjectError, match="not a project file"):
        Project.load(pipe)
