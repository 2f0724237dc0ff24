"""A Spanish briefing pack written in a worker thread of an English app (issue 16), as the
desktop's File ▸ Briefing pack… runs it: the app's thread keeps translating and formatting in
English the whole time, and the pack has no English sentence of ours left."""

from __future__ import annotations

import re
import shutil
import threading

import pytest
from test_briefing_spanish import assert_pack_in_spanish

from analysis.base import Feedback
from core.runner import run_export
from layers import i18n
from layers.numbers import number
from layers.project import Project
from sample_maps import SAMPLE_PROJECT

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed"),
]


def test_spanish_pack_in_a_thread_while_the_english_app_works(english_app, tmp_path) -> None:
    out = tmp_path / "paquete.pdf"
    project = Project.load(SAMPLE_PROJECT)
    started, checked = threading.Event(), threading.Event()
    steps: list[str] = []
    errors: list[BaseException] = []

    def progress(_percent: float, message: str) -> None:
        steps.append(message)
        if not started.is_set():  # the first step: hold until the app's thread has worked
            started.set()
            assert checked.wait(30)

    def brief() -> None:
        try:
            run_export("briefing", out, project, Feedback(progress), language="es")
        except BaseException as exc:  # noqa: BLE001 - reported by the test's thread
            errors.append(exc)

    worker = threading.Thread(target=brief)
    worker.start()
    assert started.wait(60)
    checks = 0
    while True:  # the app's thread, all the while the pack is written
        assert i18n.tr("Legend") == "Legend"
        assert i18n.tr("Briefing pack") == "Briefing pack"
        assert number(1234.5, 1) == "1,234.5"
        checks += 1
        checked.set()
        worker.join(0.005)
        if not worker.is_alive():
            break
    assert not errors, errors
    assert checks > 10  # the checks ran while the pack was being written
    assert "Calculando indicadores" in steps  # the pack's own progress is in its language
    assert project.export_language == "es"

    flat = assert_pack_in_spanish(out)
    assert re.search(r"\d{1,3}(\.\d{3})+(,\d+)?\b", flat)  # thousands grouped the Spanish way
