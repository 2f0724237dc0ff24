"""Without a display `python main.py` lists the headless commands: every one in COMMANDS
(the hint was written by hand and left out edit and join)."""

from __future__ import annotations

import po_catalogue
import pytest

import main
from layers.i18n import current_language, set_language


@pytest.fixture
def no_display(monkeypatch):
    monkeypatch.setattr(main, "has_display", lambda: False)
    before = current_language()
    yield
    set_language(before)


def test_hint_without_a_display_lists_every_command(no_display, capsys) -> None:
    assert main.main(["--lang", "en"]) == 0
    hint = capsys.readouterr().out
    assert hint.startswith("No display found"), hint
    listed = [part.split()[0] for part in hint.split("python main.py ", 1)[1].split(" | ")]
    assert listed == list(main.COMMANDS), hint
    assert set(main.SYNOPSES) <= set(main.COMMANDS), "a synopsis of a command that is gone"
    for name, synopsis in main.SYNOPSES.items():
        assert synopsis in hint and synopsis.split()[0] == name


def test_hint_has_spanish() -> None:
    spanish = po_catalogue.spanish_msgstrs().get(main.HEADLESS_HINT, "")
    assert "{commands}" in spanish and spanish != main.HEADLESS_HINT
