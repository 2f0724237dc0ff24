"""What the desktop shows fits the desktop: no analysis dialog names a command-line flag in its
help, tooltips or labels (the user sees labelled boxes, not --flags), and in a Spanish window
every spin box reads and writes numbers the Spanish way ("1,00"), however the window got there."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QDoubleSpinBox,
    QLabel,
    QLineEdit,
    QTabWidget,
    QWidget,
)

from analysis.base import load_all
from desktop.analysis_wording import FLAG, for_desktop

sys.path.insert(0, str(Path(__file__).parent))
from test_region_table_dialog import _check, _open, _table  # noqa: E402

pytestmark = pytest.mark.gui

# Widgets that may show flags: the equivalent command line, a terminal command by its nature.
ALLOWED = {"command_view"}


def visible_texts(dialog) -> list[tuple[str, str]]:
    """(where, text) for everything the dialog shows: title, help, labels, tooltips, choices,
    placeholders; the widgets in ALLOWED and their children left out."""
    allowed = [getattr(dialog, name) for name in ALLOWED if hasattr(dialog, name)]
    texts = [("title", dialog.windowTitle()), ("help", dialog.help_view.toPlainText())]
    for widget in dialog.findChildren(QWidget):
        if any(w is widget or w.isAncestorOf(widget) for w in allowed):
            continue
        name = f"{type(widget).__name__} {widget.objectName()}"
        texts.append((name + " tooltip", widget.toolTip()))
        if isinstance(widget, QLabel):
            texts.append((name, widget.text()))
        elif isinstance(widget, QLineEdit):
            texts.append((name + " placeholder", widget.placeholderText()))
        elif isinstance(widget, QComboBox):
            texts += [(name + " item", widget.itemText(i)) for i in range(widget.count())]
        elif hasattr(widget, "text") and callable(widget.text):
            texts.append((name, str(widget.text())))
    return texts


def flags_shown(dialog) -> list[str]:
    return [f"{where}: {text!r}" for where, text in visible_texts(dialog) if FLAG.search(text)]


@pytest.mark.parametrize("language", ["en", "es"])
def test_no_analysis_dialog_shows_a_command_line_flag(qtbot, small_window, language, request):
    from desktop.analysis_dialog import open_analysis

    if language == "es":
        request.getfixturevalue("merged_spanish")
    found = {}
    for algorithm_id in sorted(load_all()):
        dialog = open_analysis(small_window, algorithm_id)
        assert dialog.help_view.toPlainText().strip()  # the help is there to be read
        if bad := flags_shown(dialog):
            found[algorithm_id] = bad
        dialog.close()
    assert not found, found


def test_flags_in_helps_and_errors_are_named_by_their_labels(qtbot, small_window):
    from desktop.analysis_dialog import open_analysis
    from desktop.labels import parameter_label

    displacement = load_all()["displacement"]
    events = parameter_label("displacement", displacement.parameter("events"))
    raster = parameter_label("displacement", displacement.parameter("loss_raster"))
    help_text = for_desktop(displacement.parameter("events").help, displacement)
    assert f"“{raster}”" in help_text and "--" not in help_text
    # A flag of no parameter of this analysis is left as it is, never guessed.
    assert for_desktop("See --nowhere-flag.", displacement) == "See --nowhere-flag."
    dialog = open_analysis(small_window, "displacement")
    assert f"“{raster}”" in dialog.help_view.toPlainText()
    dialog._show_error("Give --events (points or a cultivation grid) or --loss-raster.")
    shown = dialog.status.text()
    assert f"“{events}”" in shown and f"“{raster}”" in shown and "--" not in shown
    dialog.close()


def _spin_boxes(widget: QWidget) -> list[QAbstractSpinBox]:
    """The spin boxes `widget` shows, on every page of its tabs (each page brought forward)."""
    found = [b for b in widget.findChildren(QAbstractSpinBox) if b.isVisible()]
    for tabs in widget.findChildren(QTabWidget):
        for index in range(tabs.count()):
            tabs.setCurrentIndex(index)
            found += [b for b in tabs.widget(index).findChildren(QAbstractSpinBox) if b.isVisible()]
    return list({id(b): b for b in found}.values())


def _spanish_number(box: QAbstractSpinBox) -> str:
    """What the box should show in Spanish (as Qt's Spanish locale writes the value)."""
    spanish = QLocale("es_ES")
    if isinstance(box, QDoubleSpinBox):
        text = spanish.toString(box.value(), "f", box.decimals())
    else:
        text = spanish.toString(box.value())
    if not box.isGroupSeparatorShown():
        text = text.replace(spanish.groupSeparator(), "")
    return text


def _assert_spanish(boxes: list[QAbstractSpinBox]) -> int:
    """Every box written the Spanish way; returns how many show a decimal comma."""
    commas = 0
    for box in boxes:
        assert box.locale().language() == QLocale.Language.Spanish, box.text()
        if box.specialValueText() and box.value() == box.minimum():
            continue  # '(por defecto)', 'sin límite': no number shown
        assert box.cleanText() == _spanish_number(box), (box.text(), _spanish_number(box))
        if isinstance(box, QDoubleSpinBox) and box.decimals():
            assert "," in box.cleanText() and "." not in box.cleanText(), box.text()
            commas += 1
    return commas


@pytest.mark.parametrize("switch", ["view_language", "fixture"])
def test_every_spin_box_in_the_spanish_window_writes_a_decimal_comma(
    qtbot, small_window, spanish, tmp_path, switch
):
    """'view_language' as View ▸ Language does it; 'fixture': the window was built in English
    before the switch (the boxes already open and those opened after follow)."""
    from desktop.analysis_dialog import open_analysis
    from desktop.style_dialog import StyleDialog

    window = small_window
    if switch == "view_language":
        window.state.set_language("es")
    join = _open(qtbot, window)
    join.set_table(_table(tmp_path))
    _check(qtbot, join)
    weights = _spin_boxes(join)
    assert weights and _assert_spanish(weights) == len(weights)  # "1,00" in every row
    assert {b.cleanText() for b in weights} == {"1,00"}
    join.close()

    commas = 0
    for algorithm_id in sorted(load_all()):
        dialog = open_analysis(window, algorithm_id)
        commas += _assert_spanish(_spin_boxes(dialog))
        dialog.close()
    assert commas  # e.g. environment's drift distance, 10,00

    style = StyleDialog(window.project.layers["regions"], window)
    qtbot.addWidget(style)
    style.show()
    style.layer_scales.setChecked(True)
    style.layer_scales.minimum.setValue(2_500_000)
    boxes = _spin_boxes(style)
    assert any(b is style.layer_scales.minimum for b in boxes)
    assert _assert_spanish(boxes)  # the outline width and the like: '0,60'
    assert style.layer_scales.minimum.text() == "1:2.500.000"
    style.close()
