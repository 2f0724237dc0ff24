"""The interface language in the desktop: the one the user chose last (QSettings), else the
system's (LANG...), and the names the View ▸ Language menu lists."""

from __future__ import annotations

from collections.abc import Sequence

from babel import Locale
from PySide6.QtCore import QSettings

from layers.i18n import available_languages, language_from_environment

LANGUAGE_KEY = "ui/language"


def language_names() -> dict[str, str]:
    """Each language with a catalogue, named in itself: {'en': 'English', 'es': 'Español'}."""
    names = {}
    for code in available_languages():
        name = Locale.parse(code).get_display_name(code) or code
        names[code] = name[:1].upper() + name[1:]
    return names


def remember_language(settings: QSettings, code: str) -> None:
    settings.setValue(LANGUAGE_KEY, code)
    settings.sync()


def startup_language(settings: QSettings, argv: Sequence[str]) -> str:
    """--lang on the command line, else the language chosen in View ▸ Language last time, else
    the system's (first start)."""
    if any(a == "--lang" or a.startswith("--lang=") for a in argv):
        for i, arg in enumerate(argv):
            if arg.startswith("--lang="):
                return arg.split("=", 1)[1]
            if arg == "--lang" and i + 1 < len(argv):
                return argv[i + 1]
    saved = settings.value(LANGUAGE_KEY)
    if saved and str(saved).split("_")[0] in {c.split("_")[0] for c in available_languages()}:
        return str(saved)
    return language_from_environment()
