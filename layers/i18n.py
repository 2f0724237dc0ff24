"""Translation hook for every user-visible string (English source text, Spanish catalogue).

Qt-free on purpose: the CLI, exports and the desktop all call `tr`. The desktop
installs the active language with `set_language`; catalogues are gettext .mo files
under layers/locale/<lang>/LC_MESSAGES/harm_atlas.mo when they exist.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Mapping
from pathlib import Path

_LOCALE_DIR = Path(__file__).with_name("locale")
_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def set_language(lang: str | None) -> None:
    """Switch the active catalogue; unknown languages fall back to English."""
    global _translation, _language
    _language = lang or "en"
    if not lang or lang.startswith("en"):
        _translation = gettext.NullTranslations()
        return
    _translation = gettext.translation(
        "harm_atlas", localedir=_LOCALE_DIR, languages=[lang], fallback=True
    )


def current_language() -> str:
    """The active language code ('en', 'es', 'es_CO'), for number and date formats."""
    return _language


def available_languages() -> list[str]:
    """English (the source text) and every language with a compiled catalogue, e.g. ['en', 'es']."""
    found = sorted(p.parent.parent.name for p in _LOCALE_DIR.glob("*/LC_MESSAGES/harm_atlas.mo"))
    return ["en", *(code for code in found if code != "en")]


def language_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """The system's language as gettext reads it (LANGUAGE, LC_ALL, LC_MESSAGES, LANG), e.g.
    'es_CO' from 'es_CO.UTF-8'; 'en' when unset or the C/POSIX locale."""
    env = os.environ if environ is None else environ
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        # LANGUAGE may list several ('es_CO:es'); the first is the preference.
        code = value.split(":")[0].split(".")[0].split("@")[0].strip()
        if code:
            return "en" if code in ("C", "POSIX") else code
    return "en"


def tr(text: str) -> str:
    """Translate `text` into the active language."""
    return _translation.gettext(text)


def tr_noop(text: str) -> str:
    """Mark text for the catalogue without translating it now (a module-level constant): show it
    with tr(CONSTANT), so it follows a language set or switched after the module was imported."""
    return text


def trn(singular: str, plural: str, n: int) -> str:
    """Translate with plural forms."""
    return _translation.ngettext(singular, plural, n)
