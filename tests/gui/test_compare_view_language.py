"""The compare window's mode names and export file types follow View ▸ Language: they were
translated once, when desktop/compare_view.py was imported, so a window opened after a switch
kept the first language's names."""

from __future__ import annotations

import pytest
from decade_fixture import decade_project
from PySide6.QtWidgets import QFileDialog

import desktop.compare_view  # noqa: F401  # imported in English, before the switch
from desktop.compare_view import CompareView
from layers.i18n import set_language

pytestmark = pytest.mark.gui


def _modes(view: CompareView) -> list[str]:
    return [view.mode.itemText(i) for i in range(view.mode.count())]


def test_modes_and_export_types_in_the_language_switched_to(
    qtbot, pool, spanish, monkeypatch
) -> None:
    asked: list[str] = []

    def cancel(parent, title, start, filters):
        asked.append(filters)
        return "", ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(cancel))
    view = CompareView(decade_project(), thread_pool=pool)
    qtbot.addWidget(view)
    assert _modes(view) == ["Dos regiones o periodos", "Antes / después de un operativo"]
    view.schedule()
    qtbot.waitUntil(lambda: view.comparison is not None and not view.busy, timeout=30000)
    assert view.export() is None  # the file dialog was cancelled
    assert asked == ["Documento PDF (*.pdf);;Imagen PNG (*.png);;Dibujo SVG (*.svg)"]
    view.close()

    set_language("en")
    again = CompareView(decade_project(), thread_pool=pool)
    qtbot.addWidget(again)
    assert _modes(again) == ["Two regions or periods", "Before / after an operation"]
    again.close()
