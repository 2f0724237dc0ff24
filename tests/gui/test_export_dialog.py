"""Export dialog: live preview from the real export, a PNG written in a worker, cancel."""

from __future__ import annotations

import pytest
from PIL import Image

from desktop.export_dialog import ExportDialog, open_export

pytestmark = pytest.mark.gui


@pytest.fixture
def window(make_window, open_and_wait, sample_or_small):
    window = make_window()
    open_and_wait(window, sample_or_small)
    yield window


def test_menu_entries(window) -> None:
    texts = [a.text() for a in window.file_menu.actions()]
    assert any("Export map" in t for t in texts)
    assert any("Briefing pack" in t for t in texts)


def test_export_writes_a_png(qtbot, window, tmp_path) -> None:
    dialog = open_export(window)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(
        lambda: dialog.preview_count > 0 or "rror" in dialog.status.text(), timeout=60000
    )
    assert dialog.preview_count > 0, dialog.status.text()
    assert not dialog.preview.pixmap().isNull()
    out = tmp_path / "map.png"
    dialog.title.setText("Export test map")
    dialog.path.setText(str(out))
    dialog.dpi.setValue(60)
    dialog.export_button.click()
    qtbot.waitUntil(
        lambda: dialog.written is not None or "Could not" in dialog.status.text(), timeout=60000
    )
    assert dialog.written == out, dialog.status.text()
    with Image.open(out) as img:
        assert img.size == (int(11.69 * 60), int(8.27 * 60))
        colours = img.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 20, "the page is not blank"
    qtbot.waitUntil(lambda: not dialog.busy, timeout=30000)


def test_bad_years_are_explained(qtbot, window, tmp_path) -> None:
    dialog = ExportDialog(window.project, thread_pool=window.thread_pool)
    qtbot.addWidget(dialog)
    dialog.years.setText("last summer")
    dialog.path.setText(str(tmp_path / "x.png"))
    dialog.export_button.click()
    assert "2016-2020" in dialog.status.text()
    assert not (tmp_path / "x.png").exists()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=30000)


def test_cancel_leaves_no_file(qtbot, window, tmp_path) -> None:
    dialog = ExportDialog(window.project, thread_pool=window.thread_pool)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: not dialog.busy and dialog.preview_count > 0, timeout=60000)
    out = tmp_path / "canceled.pdf"
    dialog.format.setCurrentIndex(dialog.format.findData("pdf"))
    dialog.path.setText(str(out))
    dialog.export_button.click()
    dialog.cancel()  # before the first progress step: export_map stops at its first check
    qtbot.waitUntil(lambda: dialog.worker is None, timeout=60000)
    assert dialog.written is None
    assert not out.exists()
    assert "canceled" in dialog.status.text().lower()


def test_briefing_pack_cancel(qtbot, window, tmp_path, no_dialogs) -> None:
    from desktop.export_dialog import start_briefing

    out = tmp_path / "pack.pdf"
    worker = start_briefing(window, out)
    assert worker is not None
    from PySide6.QtWidgets import QProgressDialog

    dialog = window.findChildren(QProgressDialog, "briefing_progress")[-1]
    assert dialog.isVisible()
    from PySide6.QtWidgets import QPushButton

    button = dialog.findChild(QPushButton)
    assert button is not None and button.text() == "Cancel"
    button.click()
    qtbot.waitUntil(lambda: worker.done, timeout=120000)
    assert not worker.ok and worker.feedback.canceled
    assert not out.exists() and not dialog.isVisible()
    assert no_dialogs["shown"] == []  # a cancel is not an error


def test_export_actions_are_registered_by_id_and_follow_the_language(window) -> None:
    """The File menu's export entries are the workbench's actions by id (no ad-hoc window
    attributes) and re-translate on a language switch like the window's own actions."""
    from layers.i18n import current_language

    before = current_language()
    try:
        window.state.set_language("es")
        assert window.action("export_map").text() == "Exportar mapa…"
        assert window.action("briefing").text() != "Briefing pack…"
    finally:
        window.state.set_language(before)
    assert window.action("export_map").text() == "Export map…"
    assert window.action("briefing").text() == "Briefing pack…"
