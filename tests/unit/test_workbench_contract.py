"""Plugins reach the main window only through the typed workbench (desktop/workbench.py):
no attribute guessed with getattr, no writes into the window's __dict__, and no menu found by
its translated title; only the workbench adds menus to the menu bar."""

from __future__ import annotations

import re
from pathlib import Path

DESKTOP = Path(__file__).resolve().parents[2] / "desktop"

DUCK_TYPING = re.compile(r"getattr\(window|window\.__dict__|hasattr\(window")
MENU_BY_TITLE = re.compile(r"menuBar\(\)\.actions\(\)|menuBar\(\)\.addMenu")


def _sources() -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(DESKTOP.glob("*.py"))}


def test_no_plugin_guesses_what_the_window_has() -> None:
    found = [
        f"{name}:{text[: m.start()].count(chr(10)) + 1}: {m.group(0)}"
        for name, text in _sources().items()
        for m in DUCK_TYPING.finditer(text)
    ]
    assert found == []


def test_menus_are_made_once_and_found_by_id() -> None:
    found = sorted(
        name
        for name, text in _sources().items()
        if MENU_BY_TITLE.search(text) and name != "workbench.py"
    )
    assert found == []
    assert MENU_BY_TITLE.search(_sources()["workbench.py"])  # the one place, by id
