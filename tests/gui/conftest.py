"""Shared GUI fixtures: an isolated main window (own settings, pool, recovery folder) and a
small real project on disk (GeoPackage + GeoJSON + CSV, read by the real readers)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, box

from sample_maps import SAMPLE_PROJECT


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch):
    """Every GUI test writes its QSettings (layout, last folders, language) under tmp_path,
    never into the user's own configuration, and none sees another test's."""
    from PySide6.QtCore import QCoreApplication, QSettings

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "config"))
    names = QCoreApplication.organizationName(), QCoreApplication.applicationName()
    yield
    QCoreApplication.setOrganizationName(names[0])
    QCoreApplication.setApplicationName(names[1])


@pytest.fixture
def spanish():
    """The desktop's language set to Spanish for one test, then put back (Qt's language and
    number locale too)."""
    # The analyses and the indicator catalogue still translate their declarations when they
    # are imported: import them in English first, as the other tests expect, so only the
    # display points (tr where shown) make the window Spanish, and nothing leaks to later tests.
    from analysis.base import load_all
    from layers.i18n import current_language, set_language

    load_all()
    import desktop.main_window  # noqa: F401
    from desktop.qt_language import apply_qt_language

    before = current_language()
    set_language("es")
    apply_qt_language("es")  # the whole switch, as the app makes it (state.set_language)
    yield
    set_language(before)
    apply_qt_language(before)


@pytest.fixture
def settings(tmp_path):
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def pool():
    from PySide6.QtCore import QThreadPool

    pool = QThreadPool()
    pool.setMaxThreadCount(2)
    yield pool
    pool.clear()
    assert pool.waitForDone(5000)


@pytest.fixture
def no_dialogs(monkeypatch):
    """Record every QMessageBox instead of blocking; answers can be set per test."""
    from PySide6.QtWidgets import QMessageBox

    record: dict = {"shown": [], "question": QMessageBox.StandardButton.Discard}

    def shower(kind):
        def show(parent, title, text, *args, **kwargs):
            record["shown"].append((kind, title, text))
            if kind == "question":
                answer = record["question"]
                return answer(title) if callable(answer) else answer
            return QMessageBox.StandardButton.Ok

        return show

    for kind in ("warning", "critical", "information", "question"):
        monkeypatch.setattr(QMessageBox, kind, shower(kind))
    monkeypatch.setattr(
        QMessageBox, "about", lambda *a, **k: record["shown"].append(("about", "", ""))
    )
    return record


@pytest.fixture
def show(qtbot):
    """Show a widget at a size on the offscreen screen, once it is exposed, as a user sees it."""

    def shown(widget, width: int, height: int):
        qtbot.addWidget(widget)
        widget.resize(width, height)
        widget.show()
        qtbot.waitExposed(widget)
        return widget

    return shown


@pytest.fixture
def make_window(show, settings, pool, tmp_path, no_dialogs):
    """Build main windows sharing one settings file and recovery folder (like restarts)."""
    from desktop.main_window import MainWindow

    made = []

    def make(**kwargs):
        window = MainWindow(
            settings=settings,
            thread_pool=pool,
            recovery_dir=tmp_path / "recovery",
            autosave_seconds=3600,
            **kwargs,
        )
        made.append(show(window, 1280, 800))
        return window

    yield make
    for window in made:
        window.tasks.cancel_all()
        window.wait_for_tasks(5000)
        window.canvas.shutdown()
        window._dirty = False
        window.undo_stack.setClean()
        window.undo_stack.clear()
    from desktop.memory import release_removed_layers

    release_removed_layers()  # the next test's collector sees this test's objects again


@pytest.fixture
def small_project(tmp_path) -> Path:
    """A dated point layer, a region layer and a river, saved as a real project file."""
    from layers.project import Project
    from layers.readers import read_layers

    data = tmp_path / "data"
    data.mkdir()
    rng = np.random.default_rng(7)
    regions = gpd.GeoDataFrame(
        {
            "ADM2_PCODE": ["CO001", "CO002", "CO003", "CO004"],
            "ADM2_ES": ["Bogotá Norte", "Río Claro", "San José", "La Unión"],
            "population": [12000, 8000, 15000, 5000],
        },
        geometry=[box(-74.0 + 0.1 * i, 2.0, -73.9 + 0.1 * i, 2.1) for i in range(4)],
        crs=4326,
    )
    regions.to_file(data / "regions.geojson", driver="GeoJSON")
    n = 200
    events = pd.DataFrame(
        {
            "event_date": pd.to_datetime("2016-01-01")
            + pd.to_timedelta(rng.integers(0, 365 * 6, n), unit="D"),
            "event_type": rng.choice(["Battles", "Violence against civilians", "Riots"], n),
            "fatalities": rng.integers(0, 5, n),
            "latitude": rng.uniform(2.0, 2.1, n),
            "longitude": rng.uniform(-74.0, -73.6, n),
        }
    )
    events["year"] = events.event_date.dt.year
    events["event_date"] = events.event_date.dt.strftime("%Y-%m-%d")
    events.to_csv(data / "acled_events.csv", index=False)
    river = gpd.GeoDataFrame(
        {"name": ["Río Claro"], "waterway": ["river"]},
        geometry=[LineString([(-74.0, 2.05), (-73.8, 2.02), (-73.6, 2.08)])],
        crs=4326,
    )
    river.to_file(data / "rivers.gpkg", driver="GPKG")
    project = Project(title="Small test project")
    for name in ("regions.geojson", "rivers.gpkg", "acled_events.csv"):
        for layer in read_layers(data / name):
            project.add(layer)
    return project.save(tmp_path / "small.hatlas.json")


@pytest.fixture
def sample_or_small(small_project) -> Path:
    """The real sample project when it has been generated, else the small one."""
    return SAMPLE_PROJECT if SAMPLE_PROJECT.exists() else small_project


@pytest.fixture
def open_and_wait(qtbot):
    """Open a project in a window and wait until it is loaded and drawn."""

    def run(window, path) -> None:
        worker = window.open_project(path, ask=False)
        assert worker is not None
        qtbot.waitUntil(lambda: worker.done and not window.tasks.active, timeout=60000)
        assert worker.ok, worker.error
        window.canvas.redraw_now()

    return run


@pytest.fixture
def small_window(make_window, open_and_wait, small_project):
    """A main window with the small project open and drawn."""
    window = make_window()
    open_and_wait(window, small_project)
    return window


@pytest.fixture
def sample_window(make_window, open_and_wait):
    """A main window with the sample project open; skips where it has not been generated."""
    if not SAMPLE_PROJECT.exists():
        pytest.skip("sample project not generated")
    window = make_window()
    open_and_wait(window, SAMPLE_PROJECT)
    yield window
    window.undo_stack.clear()


@pytest.fixture
def drawing(small_window):
    """The small project's window showing the regions, with a new polygon layer being edited."""
    from canvas_clicks import map_xy

    from layers.edit_ops import layer_kind

    window = small_window
    canvas = window.canvas
    canvas.set_extent((*map_xy(canvas, -74.02, 1.98), *map_xy(canvas, -73.78, 2.12)))
    canvas.redraw_now()
    window.action("edit_form").setChecked(False)  # the form has its own tests
    # Snapping takes visible layers only: hidden, the random events cannot catch a click.
    window.project.layers["acled_events"].visible = False
    layer = window.edits.new_layer("Área objetivo", "polygon", "eradication", ask=False)
    assert layer is not None and layer_kind(layer) == "polygon"
    return window, layer


@pytest.fixture
def merged_spanish(merged_catalogue, spanish):
    """A Spanish desktop reading the catalogue with the partial catalogues folded in."""
    from layers import i18n

    i18n.set_language("es")
    yield
