"""Issue 18's "done when", headless: draw a target and a control area, add three field
observations by typed coordinates with attributes, quit without saving, get everything back
on the next start, undo and redo, save, and run displacement on the drawn areas."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from main_cli import run_main, summary_of, words
from shapely.geometry import Point

from layers.coordinates import format_dms, format_mgrs, format_utm
from layers.edit_session import EditSession, UndoStack, unsaved_edits
from layers.project import Project
from layers.readers import read_layers

pytestmark = pytest.mark.e2e
DAY = date(2018, 6, 1)
TARGET = "POLYGON ((-76.55 0.85, -76.50 0.85, -76.50 0.90, -76.55 0.90, -76.55 0.85))"
CONTROL = "POLYGON ((-76.46 0.93, -76.41 0.93, -76.41 0.99, -76.46 0.99, -76.46 0.93))"
FIXES = [(-76.5321, 0.8712), (-76.4450, 0.9573), (-76.4902, 0.9105)]


@pytest.fixture
def project_file(tmp_path) -> Path:
    rng = np.random.default_rng(11)
    n = 800
    events = gpd.GeoDataFrame(
        {
            "event_date": [
                (DAY + timedelta(days=int(d))).isoformat() for d in rng.integers(-400, 400, n)
            ]
        },
        geometry=[
            Point(x, y)
            for x, y in zip(rng.uniform(-76.6, -76.4, n), rng.uniform(0.8, 1.0, n), strict=True)
        ],
        crs="EPSG:4326",
    )
    events.to_file(tmp_path / "eventos.geojson")
    project = Project()
    layer = read_layers(tmp_path / "eventos.geojson")[0]
    layer.name = "Eventos"
    project.add(layer)
    return project.save(tmp_path / "estudio.hatlas.json")


def edit(line: str, **values):
    done = run_main(*words("edit " + line + " --json", **values))
    return summary_of(done)


def test_draw_observe_quit_restore_and_analyse(project_file):
    edit(
        '--project {p} --layer "Área objetivo" --create polygon --role eradication '
        "--add-wkt {t} --crs EPSG:4326 --set date=2018-06-01 --set method=manual",
        p=project_file,
        t=TARGET,
    )
    edit(
        '--project {p} --restore --layer "Área control" --create polygon --add-wkt {c} '
        "--crs EPSG:4326 --set name=control",
        p=project_file,
        c=CONTROL,
    )
    typed = [format_dms(*FIXES[0]), format_utm(*FIXES[1]), format_mgrs(*FIXES[2])]
    done = edit(
        "--project {p} --restore --layer Observaciones --create point --role violence "
        "--add-point {a} --add-point {b} --add-point {c} --set event_type=Battles "
        "--set fatalities=2 --set date=12/05/2021",
        p=project_file,
        a=typed[0],
        b=typed[1],
        c=typed[2],
    )
    assert done["added"] == 3 and done["unsaved"]
    # Nothing was saved ("quit without saving"): the project file still has one layer.
    assert Project.load(project_file).layers.names() == ["Eventos"]
    pending = unsaved_edits(project_file)
    assert pending.actions == 6  # three layers made, three additions
    assert pending.layers == ["Área objetivo", "Área control", "Observaciones"]

    # The next start: restore, then undo and redo any of it.
    project = Project.load(project_file)
    stack = UndoStack(EditSession(project))
    assert stack.restore() == []
    observations = project.layers["Observaciones"].data
    lonlat = observations.to_crs("EPSG:4326")
    for (lon, lat), point in zip(FIXES, lonlat.geometry, strict=True):
        assert point.distance(Point(lon, lat)) < 2e-5  # UTM/MGRS typed to the metre
    assert list(observations["fatalities"]) == [2, 2, 2]
    assert list(observations["event_type"]) == ["Battles"] * 3
    stack.undo()
    assert "Observaciones" in project.layers.names() and project.layers["Observaciones"].data.empty
    stack.undo()
    assert "Observaciones" not in project.layers.names()
    stack.redo()
    stack.redo()
    assert len(project.layers["Observaciones"].data) == 3
    stack.session.save()

    run = run_main(
        *words(
            "analyze displacement --project {p} --events Eventos --event-date-field event_date "
            '--targets "Área objetivo" --control "Área control" --date 2018-06-01 '
            "--buffer-m 1000 --json",
            p=project_file,
        )
    )
    summary = summary_of(run)
    assert summary["target"]["before"] + summary["target"]["after"] > 0
    assert summary["control"]["before"] + summary["control"]["after"] > 0
