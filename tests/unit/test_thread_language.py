"""The language of an export is its own (issue 16): `layers.i18n.language()` changes the
language of the thread that writes the export only, so an English app keeps building English
text and numbers while a Spanish export runs, and exports in two languages run at once, each
written wholly in its own."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
from test_export_language import tiny_project

from analysis.base import Feedback
from core.runner import run_export
from layers import i18n
from layers.numbers import day, number

NOTE = "Synthetic demonstration data: not real observations."  # the map's badge, a msgid
NOTA = "Datos sintéticos de demostración: no son observaciones reales."
TODAY = date.today()  # the footer's 'Made with Harm Atlas on <date>', in prose
# Words each SVG map of the tiny project carries in its language, and never in the other.
WORDS = {
    "es": ["Leyenda", "Mapa de Harm Atlas", "Todos los años", "Proyección:", "Fuentes:",
           "Datos sintéticos de demostración", "Elaborado con",
           day(TODAY, long=True, language="es")],
    "en": ["Legend", "Harm Atlas map", "All years", "Projection:", "Sources:",
           "Synthetic demonstration data", "Made with", day(TODAY, long=True, language="en")],
}  # fmt: skip


# An English app (tests/conftest.py); the process's language is put back as found.
pytestmark = pytest.mark.usefixtures("english_app")


def english_here() -> None:
    """This thread's text and numbers are the English app's."""
    assert i18n.current_language() == "en"
    assert i18n.tr(NOTE) == NOTE
    assert i18n.trn("Add {n} feature to {l}", "Add {n} features to {l}", 2).startswith("Add")
    assert number(1234.5, 1) == "1,234.5"


def spanish_here() -> None:
    assert i18n.current_language() == "es"
    assert i18n.tr(NOTE) == NOTA
    assert i18n.trn("Add {n} feature to {l}", "Add {n} features to {l}", 2) == (
        "Agregar {n} objetos a {l}"
    )
    assert number(1234.5, 1) == "1.234,5"


def svg_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def assert_pure(text: str, lang: str) -> None:
    other = "en" if lang == "es" else "es"
    missing = [w for w in WORDS[lang] if w not in text]
    foreign = [w for w in WORDS[other] if w in text]
    assert not missing and not foreign, (lang, missing, foreign)


def test_language_is_the_threads_own_and_the_app_keeps_its_own() -> None:
    inside, checked = threading.Event(), threading.Event()
    seen: list[str] = []

    def export() -> None:
        with i18n.language("es") as code:
            seen.append(code)
            spanish_here()
            inside.set()
            assert checked.wait(10)
            spanish_here()  # still Spanish after the app's thread worked meanwhile
            with i18n.language(None):  # None inside: the current one, not the app's
                spanish_here()
            seen.append("done")

    thread = threading.Thread(target=export)
    thread.start()
    assert inside.wait(10)
    english_here()  # the Spanish export is running now
    assert i18n.app_language() == "en"
    checked.set()
    thread.join(10)
    assert seen == ["es", "done"]
    english_here()


def test_a_language_switch_does_not_reach_a_running_export() -> None:
    """language(None) pins the app's language when the export starts: a switch in View ▸
    Language meanwhile reaches the interface, not the file half written."""
    with i18n.language(None) as code:
        assert code == "en"
        i18n.set_language("es")  # the app switches
        english_here()
        seen = []
        worker = threading.Thread(target=lambda: seen.append(i18n.tr(NOTE)))
        worker.start()
        worker.join(10)
        assert seen == [NOTA]  # other threads follow the app
    spanish_here()  # back outside: the app's new language


def test_work_handed_to_a_pool_is_carried_in_the_exports_language() -> None:
    """A new thread starts in the app's language (threads do not inherit ContextVars);
    i18n.carried hands the export's language to a pool's tasks, several at once."""
    started = threading.Barrier(3, timeout=10)

    def task(k: int) -> tuple[str, str, str]:
        started.wait()  # three tasks inside at the same time, in three threads
        return i18n.current_language(), i18n.tr(NOTE), number(1000 * k + 0.5, 1)

    with i18n.language("es"), ThreadPoolExecutor(3) as pool:
        plain = pool.submit(i18n.current_language).result()
        results = list(pool.map(i18n.carried(task), [1, 2, 3]))
    assert plain == "en"  # not carried: the app's
    assert results == [("es", NOTA, f"{k}.000,5") for k in (1, 2, 3)]
    english_here()


def test_a_spanish_export_in_a_thread_leaves_the_english_app_english(tmp_path) -> None:
    """The map export, as the desktop's worker runs it: while it is drawing, the app's thread
    translates and formats in English; the file is wholly Spanish."""
    project = tiny_project(tmp_path)
    drawing, checked = threading.Event(), threading.Event()
    in_export: list[str] = []

    def progress(_percent: float, message: str) -> None:
        if not drawing.is_set():  # the first step, before anything is drawn
            in_export.extend([message, i18n.tr(NOTE), number(1234.5, 1)])
            drawing.set()
            assert checked.wait(10)

    errors: list[BaseException] = []

    def export() -> None:
        try:
            run_export(
                "map", tmp_path / "mapa.svg", project, Feedback(progress), dpi=40, language="es"
            )
        except BaseException as exc:  # noqa: BLE001 - reported by the test's thread
            errors.append(exc)

    thread = threading.Thread(target=export)
    thread.start()
    assert drawing.wait(30)
    english_here()
    checked.set()
    while thread.is_alive():  # and every moment until it ends
        english_here()
        thread.join(0.01)
    assert not errors, errors
    assert in_export == ["Dibujando el mapa", NOTA, "1.234,5"]
    assert_pure(svg_text(tmp_path / "mapa.svg"), "es")
    assert project.export_language == "es"
    english_here()


def test_two_exports_in_two_languages_at_once_are_each_pure(tmp_path) -> None:
    """A Spanish and an English map export, both drawing at the same time (neither waits for
    the other), each file wholly in its own language."""
    project = tiny_project(tmp_path)
    both_in = threading.Barrier(2, timeout=20)  # broken if one export waited for the other
    errors: list[BaseException] = []

    def export(lang: str) -> None:
        def progress(_percent: float, _message: str) -> None:
            if not seen[lang]:  # the first step: wait until the other export is in too
                seen[lang] = True
                both_in.wait()

        try:
            run_export(
                "map", tmp_path / f"{lang}.svg", project, Feedback(progress), dpi=40, language=lang
            )
        except BaseException as exc:  # noqa: BLE001 - reported by the test's thread
            errors.append(exc)

    seen = {"es": False, "en": False}
    i18n.set_language("es")  # the app is Spanish now: the English export is the other one
    threads = [threading.Thread(target=export, args=(lang,)) for lang in ("es", "en")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert all(seen.values())
    assert_pure(svg_text(tmp_path / "es.svg"), "es")
    assert_pure(svg_text(tmp_path / "en.svg"), "en")
    assert i18n.app_language() == i18n.current_language() == "es"
