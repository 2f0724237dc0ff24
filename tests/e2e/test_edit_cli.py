"""`python main.py edit` end to end (issue 18): scripted corrections on a project on disk."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from main_cli import run_main, summary_of, words
from shapely.geometry import Point

from layers.edit_session import unsaved_edits
from layers.project import Project
from layers.readers import read_layers

pytestmark = pytest.mark.e2e


@pytest.fixture
def project_file(tmp_path) -> Path:
    sites = gpd.GeoDataFrame(
        {"id": ["S1", "S2"], "name": ["Puesto A", "Puesto B"], "beds": [4, 20]},
        geometry=[Point(1_000_000, 600_000), Point(1_010_000, 610_000)],
        crs="EPSG:3116",  # MAGNA-SIRGAS / Colombia Bogotá zone: a projected source
    )
    sites.to_file(tmp_path / "puestos.gpkg", layer="puestos", driver="GPKG")
    project = Project()
    layer = read_layers(tmp_path / "puestos.gpkg")[0]
    layer.name = "Puestos"
    project.add(layer)
    return project.save(tmp_path / "campo.hatlas.json")


def edit(line: str, **values) -> object:
    return run_main(*words("edit " + line, **values))


def test_add_set_delete_and_save(project_file, tmp_path):
    source = tmp_path / "puestos.gpkg"
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    done = edit(
        '--project {p} --layer Puestos --add-wkt "POINT (-74.1 4.6)" --crs EPSG:4326 '
        "--set id=S3 --set name=Nuevo --set beds=6 --json",
        p=project_file,
    )
    assert summary_of(done)["added"] == 1 and summary_of(done)["unsaved"] is True
    assert unsaved_edits(project_file).actions == 1  # journalled, not saved

    blocked = edit("--project {p} --layer Puestos --where id=S1 --set beds=5", p=project_file)
    assert blocked.returncode == 2 and "--restore" in blocked.stderr

    done = edit(
        "--project {p} --layer Puestos --restore --where id=S1 --set beds=5 --save --json",
        p=project_file,
    )
    assert summary_of(done)["changed"] == 1 and unsaved_edits(project_file) is None
    done = edit("--project {p} --layer Puestos --where id=S2 --delete --save", p=project_file)
    assert done.returncode == 0 and "1 deleted" in done.stdout

    project = Project.load(project_file)
    data = project.layers["Puestos"].data
    assert list(data["id"]) == ["S1", "S3"] and list(data["beds"]) == [5, 6]
    # Typed in lon/lat, stored in the layer's CRS (EPSG:3116).
    assert data.crs.to_epsg() == 3116 and data.geometry.iloc[1].x > 900_000
    assert hashlib.sha256(source.read_bytes()).hexdigest() == digest  # the source untouched


def test_bad_input_is_one_line_and_changes_nothing(project_file):
    cases = [
        ("--project {p} --layer Puestos --where id=S1 --set beds=many", "not a number"),
        ("--project {p} --layer Puestos --where id=S9 --set beds=1", "no feature has id"),
        ("--project {p} --layer Nada --where id=S1 --set beds=1", "No layer named"),
        (
            '--project {p} --layer Puestos --add-wkt "POLYGON ((0 0, 1 0, 1 1, 0 0))"',
            "holds points",
        ),
        ('--project {p} --layer Puestos --add-wkt "POINT (-74 95)" --crs EPSG:4326', "outside"),
        ('--project {p} --layer Puestos --add-wkt "POINT (1 2"', "Not a geometry"),
        ("--project {p} --layer Puestos --delete", "--where"),
    ]
    for line, message in cases:
        done = edit(line, p=project_file)
        assert done.returncode == 2, (line, done.stderr)
        assert message in done.stderr and "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1
    assert unsaved_edits(project_file) is None


def test_save_to_source_keeps_a_backup(project_file, tmp_path):
    source = tmp_path / "puestos.gpkg"
    original = source.read_bytes()
    done = edit(
        "--project {p} --layer Puestos --where id=S2 --set name=Corregido --save-to-source --json",
        p=project_file,
    )
    summary = summary_of(done)
    backup = Path(summary["backup"])
    assert backup.read_bytes() == original
    assert list(pyogrio.read_dataframe(source)["name"]) == ["Puesto A", "Corregido"]
    entry = json.loads(project_file.read_text())["layers"][0]
    assert "edits" not in entry


def test_help_lists_the_command():
    done = run_main("--help")
    assert "edit" in done.stdout
    done = run_main("edit", "--help")
    assert done.returncode == 0 and "--add-wkt" in done.stdout


def test_a_new_layer_with_its_own_typed_fields(project_file):
    done = edit(
        '--project {p} --layer "Operación" --create polygon --role eradication '
        "--field fecha:date --field modalidad:choice:manual|aerial --field hectareas:real "
        '--add-wkt "POLYGON ((1000000 600000, 1001000 600000, 1001000 601000, 1000000 600000))" '
        "--crs EPSG:3116 --set fecha=2018-06-01 --set modalidad=Manual --set hectareas=12,5 --save --json",
        p=project_file,
    )
    assert summary_of(done)["added"] == 1
    layer = Project.load(project_file).layers["Operación"]
    assert layer.crs.equals(Project.load(project_file).metric_crs)  # the project's metric CRS
    assert layer.crs.to_epsg() == 32618
    row = layer.data.iloc[0]
    assert (row["modalidad"], row["hectareas"]) == ("manual", 12.5)
    assert layer.field("date") is None  # custom fields fill no canonical key: nothing guessed
    bad = edit(
        "--project {p} --layer Otra --create point --field cuenta:entero --save", p=project_file
    )
    assert bad.returncode == 2 and "type must be one of" in bad.stderr


def test_a_project_another_harm_atlas_is_editing_is_one_line_and_left_alone(project_file):
    import subprocess
    import sys

    from layers.edit_store import journal_path

    root = Path(__file__).resolve().parents[2]
    code = (
        "import sys\nfrom layers.edit_ops import CreateLayer\n"
        "from layers.edit_session import EditSession\nfrom layers.project import Project\n"
        f"s = EditSession(Project.load({str(project_file)!r}))\n"
        "s.apply(CreateLayer('Obs', 'point', crs='EPSG:4326'))\n"
        "print('ready', flush=True)\nsys.stdin.read()\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code], cwd=root, stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        assert child.stdout.readline().strip() == b"ready"
        journal = journal_path(project_file).read_bytes()
        done = edit("--project {p} --layer Puestos --where id=S1 --set beds=5", p=project_file)
        assert done.returncode == 2 and "Traceback" not in done.stderr
        assert f"process {child.pid}" in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1
        assert journal_path(project_file).read_bytes() == journal  # its live work untouched
    finally:
        child.kill()
        child.wait(10)
