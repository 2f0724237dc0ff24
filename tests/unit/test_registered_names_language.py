"""Names registered when a module loads (core/registry.py's exports and actions, every
sub-command's HELP) follow the language active where they are shown: imported in English,
then switched to Spanish (View ▸ Language, or a test), they show Spanish."""

from __future__ import annotations

import gettext
from pathlib import Path

from fresh_python import json_from_fresh_python

ROOT = Path(__file__).resolve().parents[2]

# Imports the registry and every command in argv[1]'s language, switches to argv[2]'s, shows them.
_PROBE = """
import argparse, importlib, json, sys
from layers.i18n import set_language, tr
set_language(sys.argv[1])
import main
from core.registry import ACTIONS, EXPORTS
modules = {name: importlib.import_module(m) for name, m in main.COMMANDS.items()}
main.build_parser()  # built once in the first language: the second must still show
set_language(sys.argv[2])
argparse._ = tr
parser = main.build_parser()
commands = parser._subparsers._group_actions[0].choices
print(json.dumps({
    "entries": {e.id: [e.title, e.label] for e in [*EXPORTS, *ACTIONS]},
    "help": {name: [m.HELP, tr(m.HELP)] for name, m in modules.items()},
    "command_help": {name: p.format_help() for name, p in commands.items()},
    "main_help": parser.format_help(),
}))
"""


TRANSLATED = ("inspect", "analyze", "export", "briefing", "compare")


def _flat(text: str) -> str:
    """Text without its white space: argparse wraps lines, also after a hyphen."""
    return "".join(text.split())


def _spanish() -> gettext.NullTranslations:
    return gettext.translation("harm_atlas", ROOT / "layers" / "locale", ["es"])


def _probe(imported_in: str, shown_in: str) -> dict:
    return json_from_fresh_python(_PROBE, imported_in, shown_in)


def test_names_and_help_registered_in_english_show_spanish_after_a_switch() -> None:
    shown = _probe("en", "es")
    spanish = _spanish()
    for entry_id, (title, label) in shown["entries"].items():
        assert label == spanish.gettext(title) != title, f"{entry_id}: {label!r} is not Spanish"
    assert shown["entries"]["briefing"][1] == "Informe de situación (PDF)"
    for name, (declared, label) in shown["help"].items():
        assert label == spanish.gettext(declared), f"{name}: HELP not shown through tr"
        # A command added since may wait for its Spanish (make translations); these have it.
        assert name not in TRANSLATED or label != declared, f"{name}: HELP not Spanish"
        assert _flat(label) in _flat(shown["command_help"][name]), f"{name} --help not Spanish"
        assert label == declared or _flat(declared) not in _flat(shown["command_help"][name])
        assert _flat(label) in _flat(shown["main_help"]), f"--help lacks {name}'s Spanish HELP"
    assert shown["command_help"]["briefing"].startswith("uso: ")


def test_names_and_help_registered_in_spanish_show_english_after_a_switch() -> None:
    shown = _probe("es", "en")
    assert shown["entries"]["briefing"] == ["Briefing pack (PDF)", "Briefing pack (PDF)"]
    for entry_id, (title, label) in shown["entries"].items():
        assert label == title, f"{entry_id}: declared {title!r}, shown {label!r}"
    for name, (declared, label) in shown["help"].items():
        assert label == declared
        assert _flat(declared) in _flat(shown["command_help"][name]), name
        assert _flat(declared) in _flat(shown["main_help"]), name
    assert shown["command_help"]["briefing"].startswith("usage: ")
