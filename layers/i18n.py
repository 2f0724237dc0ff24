"""Translation hook for every user-visible string (Spanish and English are coming).

Qt-free on purpose: the CLI, exports and the desktop all call `tr`. The desktop
installs the active language with `set_language`; catalogues are gettext .mo files
under layers/locale/<lang>/LC_MESSAGES/harm_atlas.mo when they exist.
"""

from __future__ import annotations

import gettext
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


def tr(text: str) -> str:
    """Translate `text` into the active language."""
    return _translation.gettext(text)


def trn(singular: str, plural: str, n: int) -> str:
    """Translate with plural forms."""
    return _translation.ngettext(singular, plural, n)
