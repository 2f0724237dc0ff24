"""The export dialog and the briefing pack pre-select the language of the project's last
export, else the app's; an export written in another language leaves the app in its own."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QInputDialog

from desktop.export_dialog import ExportDialog, ask_language
from layers import i18n

pytestmark = pytest.mark.gui


@pytest.fixture
def window(small_window):
    """The shared main window with the small project open (tests/gui/conftest.py)."""
    return small_window


def test_the_map_dialog_preselects_the_last_export_language(qtbot, window, tmp_path) -> None:
    project = window.project
    assert i18n.current_language() == "en" and project.export_language is None
    first = ExportDialog(project, thread_pool=window.thread_pool)
    qtbot.addWidget(first)
    assert first.language.currentData() == "en"  # never exported: the app's language
    assert first.language.findData("es") >= 0 and first.language.itemText(1) == "Español"

    first.language.setCurrentIndex(first.language.findData("es"))
    out = tmp_path / "mapa.png"
    first.path.setText(str(out))
    first.dpi.setValue(50)
    qtbot.waitUntil(lambda: not first.busy, timeout=60000)
    assert project.export_language is None  # previews are no export
    first.export_button.click()
    qtbot.waitUntil(
        lambda: first.written is not None or "Could not" in first.status.text(), timeout=60000
    )
    assert first.written == out, first.status.text()
    assert project.export_language == "es"
    qtbot.waitUntil(lambda: not first.busy, timeout=30000)  # a Spanish preview may still run
    assert i18n.current_language() == "en"  # then the app is English again
    assert window.action("briefing").text() == "Briefing pack…"

    again = ExportDialog(project, thread_pool=window.thread_pool)
    qtbot.addWidget(again)
    assert again.language.currentData() == "es"
    qtbot.waitUntil(lambda: not again.busy, timeout=60000)


def test_the_briefing_pack_asks_with_the_last_export_language_selected(window, monkeypatch) -> None:
    offered = []

    def pick(parent, title, label, items, current, editable):
        offered.append((items, current))
        return items[current], True  # the user accepts what is selected

    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(pick))
    assert ask_language(window, "Briefing pack") == "en"
    window.project.export_language = "es"
    assert ask_language(window, "Briefing pack") == "es"
    assert offered[-1] == (["English", "Español"], 1)

    monkeypatch.setattr(
        QInputDialog, "getItem", staticmethod(lambda *a: ("", False))
    )  # Cancel: no pack
    assert ask_language(window, "Briefing pack") is None


def test_page_and_format_names_follow_a_switch_after_import(qtbot, window) -> None:
    """desktop/export_dialog.py was imported in English (this module imports it): a dialog
    built after View ▸ Language ▸ Español names the pages and formats in Spanish."""
    try:
        window.state.set_language("es")
        dialog = ExportDialog(window.project, thread_pool=window.thread_pool)
        qtbot.addWidget(dialog)
        pages = [dialog.page.itemText(i) for i in range(dialog.page.count())]
        formats = [dialog.format.itemText(i) for i in range(dialog.format.count())]
        assert pages[0] == "A4 horizontal" and "A4 landscape" not in pages
        assert formats[0] == "Imagen PNG (*.png)", formats
        assert dialog.page.itemData(0) == "a4-landscape" and dialog.format.itemData(0) == "png"
        qtbot.waitUntil(lambda: not dialog.busy, timeout=60000)
    finally:
        window.state.set_language("en")
