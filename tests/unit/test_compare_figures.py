"""The displacement figures beside the compare maps: short names for the headline figures, the
results views' labels for the rest, in the language in force when they are shown."""

from __future__ import annotations

import pytest

from desktop.compare_sides import displacement_figures
from layers.i18n import set_language, tr


@pytest.fixture
def spanish():
    set_language("es")
    yield
    set_language("en")


def test_headline_figures_keep_short_names_and_order() -> None:
    summary = {"buffer_measure": 4, "wdq": 0.5, "tne": -3, "other": 1}
    assert [label for label, _ in displacement_figures(summary)] == ["WDQ", "TNE", "Buffer measure"]


def test_labels_follow_a_language_switch_after_import(spanish) -> None:
    label = dict(displacement_figures({"success_measure": 2}))
    assert list(label) == [tr("Success measure")]
    assert list(label) != ["Success measure"]
