"""The compare view driven as a user would: regions, periods, linked views, one legend."""

from __future__ import annotations

from pathlib import Path

import fixtures_factory as ff
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from cartography import compare as cmp
from cartography.classify import classify_values
from desktop.compare_view import CompareView
from layers.project import Project
from sample_maps import SAMPLE_PROJECT

pytestmark = pytest.mark.gui
ROOT = Path(__file__).resolve().parents[2]

# Violent events per municipality and year. CO52001 and CO86001 have the SAME count (5) in
# 2019 while their departments differ, so only a shared classification colours them alike.
COUNTS_2019 = {"CO52001": 5, "CO52002": 1, "CO86001": 5, "CO86002": 20}
COUNTS_2020 = {"CO52001": 2, "CO52002": 2, "CO86001": 9, "CO86002": 3}


def make_project() -> Project:
    rows = []
    for d, (code, name, x0) in enumerate([("CO52", "Nariño", -78.0), ("CO86", "Putumayo", -76.5)]):
        for i in range(2):
            rows.append(
                {
                    "ADM2_PCODE": f"{code}{i + 1:03d}",
                    "ADM2_ES": f"{name} municipio {i + 1}",
                    "ADM1_PCODE": code,
                    "ADM1_ES": name,
                    "geometry": box(x0 + i * 0.5, 1.0, x0 + i * 0.5 + 0.5, 1.6 + 0.1 * d),
                }
            )
    admin = gpd.GeoDataFrame(rows, crs=4326)
    events = []
    rng = np.random.default_rng(7)
    for year, counts in ((2019, COUNTS_2019), (2020, COUNTS_2020)):
        for code, n in counts.items():
            shape = admin.loc[admin["ADM2_PCODE"] == code].geometry.iloc[0]
            x0, y0, x1, y1 = shape.bounds
            for _ in range(n):  # keep events off the centre, where the test reads colours
                events.append(
                    {
                        "event_date": f"{year}-{rng.integers(1, 13):02d}-15",
                        "fatalities": int(rng.integers(0, 3)),
                        "geometry": gpd.points_from_xy(
                            [x0 + 0.05 + 0.1 * rng.random()], [y0 + 0.05 + 0.1 * rng.random()]
                        )[0],
                    }
                )
    violence = gpd.GeoDataFrame(events, crs=4326)
    # Eradication operations in corners, away from the centres where colours are read.
    eradication = gpd.GeoDataFrame(
        {"fecha": ["2019-07-01", "2020-02-15"], "hectares": [12.5, 30.0]},
        geometry=gpd.points_from_xy([-77.97, -76.03], [1.03, 1.03]),
        crs=4326,
    )
    return ff.harm_project(
        "Compare fixture", admin, violence, eradication, violence_name="Violence"
    )


def events_indicator(catalogue) -> str:
    """The indicator that counts violent events (its key differs between catalogues)."""
    for key in ("violent_events", "violence_events", "events_violence"):
        if key in catalogue:
            return key
    return next(k for k in catalogue if "violen" in k and "rate" not in k and "100k" not in k)


@pytest.fixture
def view(qtbot, pool):
    project = make_project()
    view = CompareView(project, thread_pool=pool)
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    view.indicator.setCurrentIndex(view.indicator.findData(events_indicator(view.catalogue)))
    for picker, code in zip(view.pickers, ("CO52", "CO86"), strict=True):
        picker.region.setCurrentIndex(picker.region.findData(code))
        picker.first.setValue(2019)
        picker.last.setValue(2019)
    wait_computed(qtbot, view)
    yield view
    view.close()


def wait_computed(qtbot, view) -> None:
    qtbot.waitUntil(lambda: not view.busy, timeout=20000)
    qtbot.waitUntil(lambda: view.comparison is not None and not view.busy, timeout=20000)
    qtbot.wait(50)


def pixel_colour(canvas, x: float, y: float) -> tuple[int, int, int]:
    canvas.draw()
    x0, y0, x1, y1 = canvas.extent
    image = canvas.grab().toImage()
    px = int((x - x0) / (x1 - x0) * (image.width() - 1))
    py = int((y1 - y) / (y1 - y0) * (image.height() - 1))
    c = image.pixelColor(px, py)
    return c.red(), c.green(), c.blue()


def centre_of(canvas, code: str) -> tuple[float, float]:
    units = canvas.comparison.units[canvas.which]
    shape = units.loc[units["code"] == code].geometry.iloc[0]
    p = shape.centroid
    return p.x, p.y


def test_both_sides_draw_their_region_and_period(view) -> None:
    left, right = view.comparison.units
    assert sorted(left["code"]) == ["CO52001", "CO52002"]
    assert sorted(right["code"]) == ["CO86001", "CO86002"]
    assert all(c.draw_count > 0 for c in view.canvases)
    assert "Nariño" in view.titles[0].text() and "2019" in view.titles[0].text()
    assert "Putumayo" in view.titles[1].text()
    key = view.indicator.currentData()
    row = view.comparison.table.set_index("key").loc[key]
    assert row["left"] == sum(v for k, v in COUNTS_2019.items() if k.startswith("CO52"))
    assert row["right"] == sum(v for k, v in COUNTS_2019.items() if k.startswith("CO86"))
    assert row["difference"] == row["right"] - row["left"]
    assert row["percent_change"] == pytest.approx(100 * (25 - 6) / 6)
    assert view.table.rowCount() == len(view.comparison.table)
    assert view.table.item(0, 0).text()


def test_same_value_same_colour_on_both_sides(view) -> None:
    """The shared classification: 5 events is one colour on the left and on the right."""
    shared = view.comparison.classification
    own_left = classify_values(view.comparison.units[0]["value"])
    assert shared.colour_of([5.0]) != own_left.colour_of([5.0]), "fixture must tell them apart"
    left_colour = pixel_colour(view.canvases[0], *centre_of(view.canvases[0], "CO52001"))
    right_colour = pixel_colour(view.canvases[1], *centre_of(view.canvases[1], "CO86001"))
    other = pixel_colour(view.canvases[1], *centre_of(view.canvases[1], "CO86002"))
    assert left_colour == right_colour
    assert left_colour != other
    expected = shared.colour_of([5.0])[0].lstrip("#")
    rgb = tuple(int(expected[i : i + 2], 16) for i in (0, 2, 4))
    assert max(abs(a - b) for a, b in zip(left_colour, rgb, strict=True)) <= 3


def test_changing_the_period_recomputes_both_sides(qtbot, view) -> None:
    for picker in view.pickers:
        picker.last.setValue(2020)
        picker.first.setValue(2020)
    wait_computed(qtbot, view)
    qtbot.waitUntil(lambda: "2020" in view.titles[0].text(), timeout=20000)
    key = view.indicator.currentData()
    row = view.comparison.table.set_index("key").loc[key]
    assert row["left"] == COUNTS_2020["CO52001"] + COUNTS_2020["CO52002"]
    assert row["right"] == COUNTS_2020["CO86001"] + COUNTS_2020["CO86002"]
    values = pd.concat([u["value"] for u in view.comparison.units])
    assert sorted(values) == sorted(COUNTS_2020.values())


def test_linked_and_free_pan_zoom(qtbot, view) -> None:
    left, right = view.canvases
    assert view.link.isChecked()
    before = right.extent
    left.zoom_by(2.0)
    assert right.extent != before
    assert right.relative_view() == pytest.approx(left.relative_view(), rel=1e-6)
    view.link.setChecked(False)
    frozen = right.extent
    left.pan_by(1000.0, 0.0)
    left.zoom_by(1.5)
    assert right.extent == frozen
    view.link.setChecked(True)  # re-linking snaps the right side to the left's view
    assert right.relative_view() == pytest.approx(left.relative_view(), rel=1e-6)


def test_selection_is_highlighted_on_the_other_side(qtbot, view) -> None:
    left, right = view.canvases
    # Whole extent on the right: the same municipality exists on both sides.
    picker = view.pickers[1]
    picker.region.setCurrentIndex(picker.region.findData(cmp.ALL))
    wait_computed(qtbot, view)
    qtbot.waitUntil(lambda: len(view.comparison.units[1]) == 4, timeout=20000)
    x, y = centre_of(left, "CO52002")
    assert left.unit_at(x, y) == "CO52002"
    left.unit_clicked.emit("CO52002", False)
    assert left.selected == right.selected == ("CO52002",)
    qtbot.wait(100)
    highlighted = pixel_colour(right, *centre_of(right, "CO52002"))
    plain = pixel_colour(right, *centre_of(right, "CO86002"))
    assert highlighted != plain


def test_before_after_an_operation(qtbot, view) -> None:
    view.mode.setCurrentIndex(view.mode.findData("before_after"))
    view.ba_region.setCurrentIndex(view.ba_region.findData("CO52"))
    assert view.operation.count() == 1  # only the operation inside Nariño
    assert "2019-07-01" in view.operation.currentText()
    view.window_years.setValue(1)
    wait_computed(qtbot, view)
    qtbot.waitUntil(lambda: "operation_xy" in view.comparison.extra, timeout=20000)
    left, right = view.comparison.left, view.comparison.right
    assert left.region == right.region == "CO52"
    # The fixture's data begin in 2019: the before window is clipped there, and says so.
    assert (left.period.start.isoformat(), left.period.end.isoformat()) == (
        "2019-01-01",
        "2019-06-30",
    )
    assert "2018-07-01" in view.status.toolTip()
    assert (right.period.start.isoformat(), right.period.end.isoformat()) == (
        "2019-07-01",
        "2020-06-30",
    )
    assert view.table.horizontalHeaderItem(1).text() == "Before"
    assert view.displacement_box.isVisible()
    text = view.displacement_box.toPlainText()
    assert "WDQ" in text or "Displacement" in text
    assert not view.errors


def test_screenshot(qtbot, view, output_dir) -> None:
    qtbot.wait(100)
    path = output_dir / "compare_view_fixture.png"
    assert view.grab().save(str(path))
    assert path.stat().st_size > 10_000


@pytest.mark.skipif(not SAMPLE_PROJECT.exists(), reason="sample project not generated")
def test_sample_in_the_main_window(
    qtbot, make_window, open_and_wait, output_dir, docs_images
) -> None:
    """View → Compare on the sample's two departments, from the real main window."""
    window = make_window()
    open_and_wait(window, SAMPLE_PROJECT)
    problems = [t for t in window.messages.texts() if "Could not" in t and "desktop." in t]
    assert problems == []  # every module of this helper installed into the real window
    action = window.compare_action
    assert action in window.view_menu.actions()
    action.trigger()
    view = window.compare_view
    qtbot.waitUntil(lambda: view.comparison is not None and not view.busy, timeout=120000)
    left, right = view.comparison.left, view.comparison.right
    assert {left.region, right.region} == {"XA01", "XA02"}  # the two departments
    assert view.table.rowCount() > 5 and not view.errors
    view.resize(1400, 900)
    qtbot.wait(300)
    image = view.grab()
    assert image.save(str(output_dir / "compare_view.png"))
    if docs_images is not None:
        assert image.save(str(docs_images / "compare.png"))
    view.close()
