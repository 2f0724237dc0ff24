"""'Add point by coordinates' (issue 18): typing each form echoes the point in every form, a bad
entry shows what is wrong and keeps OK disabled, and ask_point returns (lon, lat) or None."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from desktop.coordinate_dialog import CoordinateDialog, ask_point

pytestmark = pytest.mark.gui

BOGOTA = (-74.076, 4.5981)
COLOMBIA = (-79.0, -4.3, -66.8, 13.5)


@pytest.fixture
def dialog(qtbot):
    d = CoordinateDialog(None, COLOMBIA)
    qtbot.addWidget(d)
    return d


def type_in(qtbot, dialog: CoordinateDialog, text: str) -> None:
    dialog.entry.clear()
    qtbot.keyClicks(dialog.entry, text)


@pytest.mark.parametrize(
    ("text", "fmt", "tolerance"),
    [
        ("4.5981, -74.0760", "auto", 1e-9),
        ("4.5981N 74.0760O", "dd", 1e-9),
        ("4°35'53.16\"N 74°04'33.6\"W", "auto", 1e-6),
        ("4 35 53.16 N 74 4 33.6 W", "dms", 1e-6),
        ("18N 602493 508305", "auto", 2e-5),
        ("18 N 602493E 508305N", "utm", 2e-5),
        ("18NXL0249308305", "auto", 2e-5),
        ("18N XL 02493 08305", "mgrs", 2e-5),
    ],
)
def test_typing_each_form_gives_the_point(qtbot, dialog, text, fmt, tolerance):
    dialog.set_format(fmt)
    type_in(qtbot, dialog, text)
    assert dialog.ok_button.isEnabled()
    assert dialog.point() == pytest.approx(BOGOTA, abs=tolerance)
    assert dialog.problem.isHidden()
    assert dialog.echo["dd"].text().startswith("4.598")
    assert dialog.echo["mgrs"].text().startswith("18N XL 0249")
    assert dialog.echo["utm"].text().startswith("18N 60249")
    assert dialog.echo["dms"].text().startswith("4°35'53.")


def test_a_bad_entry_disables_ok_and_says_why(qtbot, dialog):
    type_in(qtbot, dialog, "4 61 N 74 W")
    assert not dialog.ok_button.isEnabled()
    assert dialog.point() is None
    assert "Minutes must be under 60" in dialog.problem.text()
    assert "Example:" in dialog.problem.text()
    assert not dialog.problem.isHidden()
    assert all(label.text() == "" for label in dialog.echo.values())
    qtbot.keyClick(dialog.entry, Qt.Key.Key_Return)  # Enter does not accept a bad entry
    assert dialog.result() != CoordinateDialog.DialogCode.Accepted
    # fixing the entry clears the problem and enables OK
    type_in(qtbot, dialog, "4 31 N 74 W")
    assert dialog.ok_button.isEnabled() and dialog.problem.isHidden()


def test_choosing_a_format_checks_the_entry_as_that_format(qtbot, dialog):
    type_in(qtbot, dialog, "4°35'N 74°04'W")
    assert dialog.ok_button.isEnabled()
    dialog.set_format("dd")
    assert (
        not dialog.ok_button.isEnabled()
        and "choose “Degrees, minutes, seconds”" in dialog.problem.text()
    )
    dialog.set_format("mgrs")
    assert not dialog.ok_button.isEnabled()
    assert "18NXL" in dialog.problem.text()  # the example follows the chosen format
    assert "18NXL" in dialog.entry.placeholderText()


def test_a_point_outside_the_project_is_accepted_with_a_warning(qtbot, dialog):
    type_in(qtbot, dialog, "4.6, -80")
    assert dialog.ok_button.isEnabled()
    assert "west of the project's area" in dialog.warning.text()
    assert not dialog.warning.isHidden()
    type_in(qtbot, dialog, "4.6, -74")
    assert dialog.warning.isHidden()


def test_the_project_area_orders_bare_numbers_and_says_so(qtbot, dialog):
    type_in(qtbot, dialog, "-74.076 4.5981")
    assert dialog.point() == pytest.approx(BOGOTA)
    assert "longitude, latitude" in dialog.note.text()


def test_a_coarse_mgrs_square_is_explained(qtbot, dialog):
    type_in(qtbot, dialog, "18NXL0208")
    assert dialog.ok_button.isEnabled()
    assert "1,000 m" in dialog.note.text()


def test_ask_point_returns_lon_lat_or_none(qtbot):
    def answer(text: str | None) -> None:
        d = QApplication.activeModalWidget()
        assert isinstance(d, CoordinateDialog)
        if text is None:
            d.reject()
            return
        qtbot.keyClicks(d.entry, text)
        qtbot.mouseClick(d.ok_button, Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, lambda: answer("18NXL0249308305"))
    assert ask_point(None, COLOMBIA) == pytest.approx(BOGOTA, abs=2e-5)
    QTimer.singleShot(0, lambda: answer(None))
    assert ask_point(None) is None


def test_ask_point_offers_the_format_chosen_last(qtbot):
    def answer(fmt: str | None, text: str) -> None:
        d = QApplication.activeModalWidget()
        assert isinstance(d, CoordinateDialog)
        seen.append(d.chosen_format())
        if fmt:
            d.set_format(fmt)
        qtbot.keyClicks(d.entry, text)
        qtbot.mouseClick(d.ok_button, Qt.MouseButton.LeftButton)

    seen: list[str] = []
    QTimer.singleShot(0, lambda: answer("mgrs", "18NXL0249308305"))
    assert ask_point(None) is not None
    QTimer.singleShot(0, lambda: answer(None, "18N XL 02493 08305"))
    assert ask_point(None) == pytest.approx(BOGOTA, abs=2e-5)
    assert seen == ["auto", "mgrs"]
