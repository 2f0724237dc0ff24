"""Drawn layers in the analyses (issue 18): target and control areas drawn headless are taken
by displacement as project layers, and its counts equal a plain count of the events."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, Polygon

from analysis.base import algorithm, load_all
from analysis.inputs import execute
from layers.edit_geometry import reproject
from layers.edit_ops import AddFeatures, CreateLayer
from layers.edit_session import EditSession, UndoStack
from layers.project import Project
from layers.readers import read_layers

ROOT = Path(__file__).resolve().parents[2]
UTM = "EPSG:32618"
DAY = date(2018, 6, 1)


@pytest.fixture
def drawn(tmp_path) -> tuple[Project, gpd.GeoDataFrame, Polygon, Polygon]:
    """Violence events around two drawn areas: more after the date inside the target's ring."""
    rng = np.random.default_rng(3)
    n = 1500
    lon = rng.uniform(-76.60, -76.40, n)
    lat = rng.uniform(0.80, 1.00, n)
    days = rng.integers(-400, 400, n)
    events = gpd.GeoDataFrame(
        {
            "event_date": [(DAY + timedelta(days=int(d))).isoformat() for d in days],
            "fatalities": rng.integers(0, 3, n),
        },
        geometry=[Point(x, y) for x, y in zip(lon, lat, strict=True)],
        crs="EPSG:4326",
    )
    events.to_file(tmp_path / "acled.geojson")
    project = Project()
    project.add(read_layers(tmp_path / "acled.geojson")[0])
    project.layers[0].name = "Eventos"
    project.metric_crs = UTM
    project.save(tmp_path / "study.hatlas.json")

    # Drawn as the canvas would: vertices clicked in the project's CRS.
    def clicked(*lonlat):
        return Polygon([reproject(Point(x, y), "EPSG:4326", UTM).coords[0] for x, y in lonlat])

    target = clicked((-76.55, 0.85), (-76.50, 0.85), (-76.50, 0.90), (-76.55, 0.90))
    control = clicked((-76.46, 0.93), (-76.41, 0.93), (-76.41, 0.99), (-76.46, 0.99))
    stack = UndoStack(EditSession(project))
    stack.push(CreateLayer("Área objetivo", "polygon", "eradication", crs=UTM))
    stack.push(
        AddFeatures("Área objetivo", [target], [{"date": DAY.isoformat(), "method": "manual"}])
    )
    stack.push(CreateLayer("Área control", "polygon", "other", crs=UTM))
    stack.push(AddFeatures("Área control", [control], [{"name": "control"}]))
    return project, events.to_crs(UTM), target, control


def _count(events: gpd.GeoDataFrame, area, start: date, end: date) -> int:
    when = pd.to_datetime(events["event_date"]).dt.date
    inside = events.geometry.within(area).to_numpy()
    return int((inside & (when >= start).to_numpy() & (when <= end).to_numpy()).sum())


def test_displacement_on_drawn_target_and_control(drawn):
    project, events, target, control = drawn
    load_all()
    result = execute(
        algorithm("displacement"),
        {
            "events": "Eventos",
            "event_date_field": "event_date",
            "targets": "Área objetivo",
            "control": "Área control",
            "date": DAY.isoformat(),
            "window_days": 365,
            "buffer_m": 1000.0,
        },
        project,
    )
    summary = result.summary
    before = (DAY - timedelta(days=365), DAY - timedelta(days=1))
    after = (DAY + timedelta(days=1), DAY + timedelta(days=365))
    ring = target.buffer(1000.0, quad_segs=64).difference(target)
    expected = {
        "target": (_count(events, target, *before), _count(events, target, *after)),
        "control": (_count(events, control, *before), _count(events, control, *after)),
    }
    assert (summary["target"]["before"], summary["target"]["after"]) == expected["target"]
    assert (summary["control"]["before"], summary["control"]["after"]) == expected["control"]
    # The ring is a polygonal buffer: counts may differ only by events within metres of its edge.
    near_edge = events.geometry.distance(ring.exterior) < 2.0
    buffer_before = _count(events, ring, *before)
    assert abs(summary["buffer"]["before"] - buffer_before) <= int(near_edge.sum())
    assert expected["target"][0] > 0 and expected["control"][0] > 0  # the test counts something


def test_the_cli_runs_displacement_on_saved_drawn_layers(drawn, tmp_path):
    project, events, target, control = drawn
    EditSession(project).save()
    run = subprocess.run(
        [
            sys.executable,
            "main.py",
            "analyze",
            "displacement",
            "--project",
            str(tmp_path / "study.hatlas.json"),
            "--events",
            "Eventos",
            "--event-date-field",
            "event_date",
            "--targets",
            "Área objetivo",
            "--control",
            "Área control",
            "--date",
            DAY.isoformat(),
            "--buffer-m",
            "1000",
            "--json",
        ],  # fmt: skip
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert run.returncode == 0, run.stderr
    summary = json.loads(run.stdout)
    after = (DAY + timedelta(days=1), DAY + timedelta(days=365))
    assert summary["target"]["after"] == _count(events, target, *after) > 0
    assert summary["control"]["after"] == _count(events, control, *after) > 0


def test_a_drawn_region_is_a_compare_region_and_an_environment_footprint(drawn):
    from analysis.inputs import resolve_layer
    from cartography.export import find_region

    project, _, target, _ = drawn
    stack = UndoStack(EditSession(project, journal=False))
    stack.push(CreateLayer("Zona de estudio", "polygon", "admin_boundaries", crs=UTM))
    stack.push(
        AddFeatures(
            "Zona de estudio", [target.buffer(5000)], [{"region_code": "ZE1", "name": "Zona"}]
        )
    )
    region = find_region(project, "ze1")
    assert region.name == "Zona" and region.geometry.area == pytest.approx(
        target.buffer(5000).area, rel=1e-9
    )
    load_all()
    footprints = next(p for p in algorithm("environment").parameters if p.name == "footprints")
    layer = resolve_layer("Área objetivo", project, footprints)
    assert layer is project.layers["Área objetivo"]
