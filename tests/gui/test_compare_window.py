"""The compare window as the analyst uses it daily (issue #14 items 9, 10, 11 and 15): trends
over the period chosen, before/after windows cut to the data and said so, a trend only from
three years on a fixed year axis, Export of what is shown, Esc and Ctrl+W close, and exports
that start in the user's documents or the last export folder."""

from __future__ import annotations

import shutil
import subprocess
import warnings
from datetime import date
from pathlib import Path

import pytest
from decade_fixture import COUNTS, EARLY, FIRST, LAST, decade_project
from PySide6.QtCore import QSettings, QStandardPaths, Qt, QThreadPool
from PySide6.QtWidgets import QApplication, QFileDialog

from desktop.compare_view import CompareView
from desktop.export_dialog import ExportDialog, export_folder

pytestmark = pytest.mark.gui


@pytest.fixture(autouse=True)
def own_settings(tmp_path):
    """QSettings() of this test live under tmp_path, never in the user's configuration."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "ini"))
    yield
    QSettings().clear()


@pytest.fixture
def pool():
    pool = QThreadPool()
    yield pool
    pool.clear()
    assert pool.waitForDone(20000)


@pytest.fixture
def view(qtbot, pool):
    view = CompareView(decade_project(), thread_pool=pool)
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    qtbot.waitExposed(view)
    view.indicator.setCurrentIndex(view.indicator.findData("violent_events"))
    for picker, code in zip(view.pickers, ("CO52", "CO86"), strict=True):
        picker.region.setCurrentIndex(picker.region.findData(code))
        picker.first.setValue(FIRST)
        picker.last.setValue(LAST)
    wait_computed(qtbot, view)
    yield view
    view.close()


def wait_computed(qtbot, view) -> None:
    qtbot.waitUntil(lambda: view.comparison is not None and not view.busy, timeout=30000)
    qtbot.wait(50)


def before_after(view: CompareView, region: str, operation: str, years: int) -> None:
    """Before/after mode around the operation of `region` whose label holds `operation`,
    with windows of `years`, picked as a user picks them."""
    view.mode.setCurrentIndex(view.mode.findData("before_after"))
    view.ba_region.setCurrentIndex(view.ba_region.findData(region))
    labels = [view.operation.itemText(i) for i in range(view.operation.count())]
    view.operation.setCurrentIndex(next(i for i, text in enumerate(labels) if operation in text))
    view.window_years.setValue(years)


def test_trend_charts_follow_the_chosen_period(qtbot, view) -> None:
    """Item 9: 2014–2023 chosen, the trend charts show 2014…2023, not 2018–2023."""
    assert view.pickers[0].first.value() == FIRST and view.pickers[0].last.value() == LAST
    left_ax, right_ax = view.trends.figure.axes
    for ax, code in ((left_ax, "CO52"), (right_ax, "CO86")):
        (line,) = ax.get_lines()
        assert list(line.get_xdata()) == list(range(FIRST, LAST + 1))
        assert list(line.get_ydata()) == [COUNTS[code][y] for y in range(FIRST, LAST + 1)]
        x0, x1 = ax.get_xlim()
        assert FIRST - 1 < x0 < FIRST and LAST < x1 < LAST + 1
    # A shorter period, picked on both sides: the charts follow it.
    for picker in view.pickers:
        picker.first.setValue(2016)
    view.schedule()
    wait_computed(qtbot, view)
    (line,) = view.trends.figure.axes[0].get_lines()
    assert list(line.get_xdata()) == list(range(2016, LAST + 1))


def test_before_after_windows_are_clipped_and_short_ones_draw_no_trend(qtbot, view) -> None:
    """Item 10: around the 2015 operation the 2-year before window would start in 2013, before
    the data: it starts 2014-01-01 and the window says so; one year is no trend (no line, a
    note), and the axis shows the window's years, not 1950–2100."""
    before_after(view, "CO52", EARLY, years=2)
    qtbot.waitUntil(
        lambda: (
            view.comparison is not None
            and view.comparison.left.period.end == date(2015, 2, 28)
            and not view.busy
        ),
        timeout=30000,
    )
    before = view.comparison.left.period
    assert before.start == date(FIRST, 1, 1)
    assert "2014-01-01" in view.status.text() and "2013-03-01" in view.status.text()
    before_ax, after_ax = view.trends.figure.axes
    assert not before_ax.get_lines() and not after_ax.get_lines()
    assert any("no trend" in t.get_text() for t in before_ax.texts)
    x0, x1 = before_ax.get_xlim()
    assert FIRST - 1 < x0 and x1 < 2015.5
    # Three years each side around the 2019 operation: both trends drawn.
    view.window_years.setValue(3)
    i = next(i for i in range(view.operation.count()) if "2019-07-01" in view.operation.itemText(i))
    view.operation.setCurrentIndex(i)
    qtbot.waitUntil(
        lambda: view.comparison.left.period.start == date(2016, 7, 1) and not view.busy,
        timeout=30000,
    )
    qtbot.wait(50)
    assert all(len(ax.get_lines()) == 1 for ax in view.trends.figure.axes)
    assert len(view.trends.figure.axes[0].get_lines()[0].get_xdata()) == 3
    assert not view.errors


def test_export_writes_what_is_shown(qtbot, view, tmp_path, monkeypatch) -> None:
    """Item 11: Export… asks for a file and writes the comparison shown (both sides, their
    periods, the mapped indicator) as PDF; PNG likewise."""
    asked = []

    def choose(parent, title, start, filters):
        asked.append(start)
        return str(tmp_path / "out" / answers.pop(0)), filters

    answers = ["cmp.pdf", "cmp.png"]
    (tmp_path / "out").mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(choose))

    def computed_again(*args, **kwargs):
        raise AssertionError("the export computed the comparison again")

    import cartography.compare

    monkeypatch.setattr(cartography.compare, "compute_comparison", computed_again)
    view.export_button.click()
    qtbot.waitUntil(lambda: view.written is not None or bool(view.errors), timeout=60000)
    pdf = tmp_path / "out" / "cmp.pdf"
    assert view.written == pdf and pdf.stat().st_size > 5000, view.errors
    view.export_button.click()
    qtbot.waitUntil(lambda: view.written != pdf or bool(view.errors), timeout=60000)
    assert view.written == tmp_path / "out" / "cmp.png" and not view.errors
    assert Path(asked[1]).parent == tmp_path / "out"  # the second starts where the first went
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Nariño · 2014–2023" in text and "Putumayo · 2014–2023" in text
    assert "Violent events" in text


@pytest.mark.parametrize("keys", ["Escape", "Ctrl+W"])
def test_escape_and_ctrl_w_close_the_window(qtbot, pool, keys) -> None:
    view = CompareView(decade_project(), thread_pool=pool)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    view.activateWindow()
    if QApplication.activeWindow() is not view:  # offscreen under pytest: activate by hand
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            QApplication.setActiveWindow(view)
    assert QApplication.activeWindow() is view  # the shortcuts are the window's own
    if keys == "Escape":
        qtbot.keyClick(view, Qt.Key.Key_Escape)
    else:
        qtbot.keyClick(view, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not view.isVisible(), timeout=5000)
    qtbot.waitUntil(lambda: not view.busy, timeout=30000)


def test_export_dialog_starts_in_documents_then_the_last_export_folder(
    qtbot, pool, tmp_path
) -> None:
    """Item 15: never inside the project's (read-only, installed) folder: the user's documents
    first, then the folder of the last export."""
    project = decade_project()
    (tmp_path / "installed").mkdir()
    project.save(tmp_path / "installed" / "sample.hatlas.json")
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    expected = Path(documents) if documents and Path(documents).is_dir() else Path.home()
    dialog = ExportDialog(project, thread_pool=pool)
    qtbot.addWidget(dialog)
    assert Path(dialog.path.text()).parent == expected
    assert Path(dialog.path.text()).parent != tmp_path / "installed"
    out = tmp_path / "exports" / "map.png"
    out.parent.mkdir()
    dialog.path.setText(str(out))
    dialog.dpi.setValue(50)
    dialog.export_button.click()
    qtbot.waitUntil(lambda: dialog.written is not None, timeout=60000)
    qtbot.waitUntil(lambda: dialog.worker is None and dialog.preview_worker is None, timeout=60000)
    dialog.close()
    again = ExportDialog(project, thread_pool=pool)
    qtbot.addWidget(again)
    assert Path(again.path.text()) == out  # the last export folder, remembered (QSettings)
    qtbot.waitUntil(lambda: again.preview_worker is None and again.preview_count, timeout=60000)
    again.close()


def test_user_text_with_dollars_prints_literally(qtbot, pool) -> None:
    """Issue #11: region names are drawn as text, never as matplotlib mathtext or markup."""
    project = decade_project()
    admin = project.layers[0]
    admin.data["ADM1_ES"] = admin.data["ADM1_ES"].replace({"Nariño": "US$5 to US$10 <b>"})
    view = CompareView(project, thread_pool=pool)
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    view.indicator.setCurrentIndex(view.indicator.findData("violent_events"))
    for picker, code in zip(view.pickers, ("CO52", "CO86"), strict=True):
        picker.region.setCurrentIndex(picker.region.findData(code))
    wait_computed(qtbot, view)
    view.trends.draw()  # mathtext would parse '$5 to US$' (and fail on some input)
    title = view.trends.figure.axes[0].get_title()
    assert title == "US\\$5 to US\\$10 <b>"  # drawn as 'US$5 to US$10 <b>'
    assert view.titles[0].textFormat() == Qt.TextFormat.PlainText
    assert view.titles[0].text().startswith("US$5 to US$10 <b>")
    view.close()


def test_briefing_pack_dialog_starts_where_exports_go(qtbot, sample_window, monkeypatch) -> None:
    """Item 15 for the briefing pack too: File ▸ Briefing pack… never offers the project's
    (read-only, installed) folder; it starts in documents or the last export folder."""
    asked = []

    def choose(parent, title, start, filters):
        asked.append(Path(start))
        return "", filters  # the user cancels: nothing is written

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(choose))
    sample_window.action("briefing").trigger()
    assert asked and asked[0].parent == export_folder()
    assert asked[0].parent != Path(sample_window.project.path).parent


def test_before_after_maps_show_the_loss_of_their_own_period(qtbot, pool, tmp_path) -> None:
    """Issue #15: a loss-year raster in the project is drawn in both maps over the units,
    each filtered by its side's period (2017 loss before the 2019 operation, 2021 loss
    after it), cut to the region; its ramp is in the shared legend."""
    from loss_fixture import (
        assert_each_side_shows_its_own_loss,
        assert_legend_has_both_periods,
        loss_project,
    )

    project = loss_project(tmp_path)
    view = CompareView(project, thread_pool=pool)
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    qtbot.waitExposed(view)
    view.indicator.setCurrentIndex(view.indicator.findData("violent_events"))
    before_after(view, "CO52", "2019-07-01", years=2)
    qtbot.waitUntil(
        lambda: (
            view.comparison is not None
            and view.comparison.right.period.start == date(2019, 7, 1)
            and view.comparison.left.period.start == date(2017, 7, 1)
            and not view.busy
        ),
        timeout=30000,
    )
    qtbot.wait(100)
    before, after = view.canvases
    for canvas in view.canvases:
        canvas.draw()
    sides = (before.figure, before.ax), (after.figure, after.ax)
    assert_each_side_shows_its_own_loss(*sides, project.metric_crs)
    (legend,) = view.legend.figure.legends
    assert_legend_has_both_periods(legend)
    view.close()
