"""The project remembers the language of its last export (issue 16): an export is written in
the language asked (else the active one), the project records it, a saved project keeps it,
and a project file from before the field opens as it did."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point
from two_regions import save_with_layers, two_regions

from analysis.inputs import InputError
from core.runner import run_export
from layers import i18n
from layers.errors import ProjectError
from layers.layer import Layer, LayerList
from layers.project import Project

SPANISH_NOTE = "Datos sintéticos de demostración"
ENGLISH_NOTE = "Synthetic demonstration data"


# Each test starts in English and leaves the process in the language it found.
pytestmark = pytest.mark.usefixtures("english_app")


def tiny_project(folder: Path) -> Project:
    """Two regions and a few points (UTM 18N), marked synthetic so the map carries the note."""
    points = gpd.GeoDataFrame(
        {"event_date": ["2019-05-01", "2020-05-01"]},
        geometry=[Point(505_000, 105_000), Point(515_000, 104_000)],
        crs=32618,
    )
    project = Project(LayerList([Layer(two_regions(), "Regiones"), Layer(points, "Eventos")]))
    project.metadata["synthetic"] = True
    return save_with_layers(project, folder, "tiny.hatlas.json")


def test_an_export_is_written_in_the_language_asked_and_the_project_records_it(tmp_path) -> None:
    project = tiny_project(tmp_path)
    assert project.export_language is None  # never exported

    run_export("map", tmp_path / "mapa.svg", project, dpi=40, language="es")
    assert SPANISH_NOTE in (tmp_path / "mapa.svg").read_text(encoding="utf-8")
    assert project.export_language == "es"
    assert i18n.current_language() == "en"  # the app's language is back

    run_export("webmap", tmp_path / "map.html", project)  # no language: the active one
    assert ENGLISH_NOTE in (tmp_path / "map.html").read_text(encoding="utf-8")
    assert project.export_language == "en"


def test_a_preview_records_nothing_and_an_unknown_language_is_refused(tmp_path) -> None:
    project = tiny_project(tmp_path)
    run_export("map", tmp_path / "p.png", project, dpi=30, language="es", remember=False)
    assert project.export_language is None
    with pytest.raises(InputError, match="xx"):
        run_export("map", tmp_path / "q.png", project, dpi=30, language="xx")
    assert not (tmp_path / "q.png").exists() and i18n.current_language() == "en"


def test_the_language_is_saved_with_the_project_and_old_files_open(tmp_path) -> None:
    project = tiny_project(tmp_path)
    path = tmp_path / "tiny.hatlas.json"
    assert "export_language" not in json.loads(path.read_text(encoding="utf-8"))  # old keys

    project.export_language = "es"
    project.save()
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["export_language"] == "es"
    assert Project.load(path).export_language == "es"

    del saved["export_language"]  # a project file from before the field
    path.write_text(json.dumps(saved), encoding="utf-8")
    assert Project.load(path).export_language is None

    saved["export_language"] = 5
    path.write_text(json.dumps(saved), encoding="utf-8")
    with pytest.raises(ProjectError, match="export_language"):
        Project.load(path)


def test_exports_in_two_languages_at_once_never_mix(tmp_path) -> None:
    """A preview and an export, or a briefing and a comparison, may run together: each is
    written in its own language (its thread's, layers.i18n.language), none waits for another,
    and the app's language never changes (tests/unit/test_thread_language.py writes files)."""
    import threading

    from core.exports import written_in

    seen: dict[str, list[str]] = {"first": [], "second": [], "english": []}
    all_in = threading.Barrier(3, timeout=10)  # broken if one waited for another

    def export(name: str, language: str | None) -> None:
        with written_in(language) as used:
            all_in.wait()
            seen[name] += [used, i18n.current_language(), i18n.tr("Legend")]

    threads = [
        threading.Thread(target=export, args=("first", "es")),
        threading.Thread(target=export, args=("second", "es")),
        threading.Thread(target=export, args=("english", None)),  # the app's language
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert seen["first"] == seen["second"] == ["es", "es", "Leyenda"]
    assert seen["english"] == ["en", "en", "Legend"]
    assert i18n.current_language() == "en"
