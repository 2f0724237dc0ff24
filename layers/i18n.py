"""Translation hook for every user-visible string (English source text, Spanish catalogue).

Qt-free on purpose: the CLI, exports and the desktop all call `tr`. The desktop
installs the app's language for the process with `set_language`; an export written in
another language wraps its own code in `with language("es"):`, which changes the language of
that thread only (a ContextVar), so the interface keeps the app's meanwhile. Catalogues are
gettext .mo files under layers/locale/<lang>/LC_MESSAGES/harm_atlas.mo when they exist.
"""

from __future__ import annotations

import contextvars
import functools
import gettext
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import ParamSpec, TypeVar

_LOCALE_DIR = Path(__file__).with_name("locale")
_ENGLISH = gettext.NullTranslations()
_translation: gettext.NullTranslations = _ENGLISH
_language = "en"
# The language of the code running now where it is not the app's (an export in Spanish from
# an English app): per thread, so the interface's text stays in the app's language meanwhile.
_here: contextvars.ContextVar[tuple[str, gettext.NullTranslations] | None] = contextvars.ContextVar(
    "harm_atlas_language", default=None
)
_catalogues: dict[str, gettext.NullTranslations] = {}
_catalogues_lock = threading.Lock()

P = ParamSpec("P")
R = TypeVar("R")


def _catalogue(lang: str | None) -> gettext.NullTranslations:
    """The catalogue of `lang`, read once; English (the source text) and unknown: none."""
    if not lang or lang.startswith("en"):
        return _ENGLISH
    with _catalogues_lock:
        if lang not in _catalogues:
            _catalogues[lang] = gettext.translation(
                "harm_atlas", localedir=_LOCALE_DIR, languages=[lang], fallback=True
            )
        return _catalogues[lang]


def set_language(lang: str | None) -> None:
    """Switch the app's language (every thread not inside `language()`); unknown languages
    fall back to English."""
    global _translation, _language
    _translation = _catalogue(lang)
    _language = lang or "en"


def current_language() -> str:
    """The language of the code running now ('en', 'es', 'es_CO'), for number and date
    formats: the one `language()` set in this thread, else the app's."""
    here = _here.get()
    return here[0] if here else _language


def app_language() -> str:
    """The app's language (set_language: --lang, View ▸ Language), whatever `language()`
    holds in this thread."""
    return _language


@contextmanager
def language(lang: str | None) -> Iterator[str]:
    """Run the block in `lang` ('es', 'en', 'es_CO'; None: the current one, kept even if the
    app switches meanwhile) and yield that code. Only this thread (and the work it hands on
    with `carried`) sees it: other threads, the interface's among them, keep theirs."""
    code = lang or current_language()
    token = _here.set((code, _catalogue(code)))
    try:
        yield code
    finally:
        _here.reset(token)


def carried(fn: Callable[P, R]) -> Callable[P, R]:
    """`fn` to run on another thread (a Thread's target, a pool's task) in the language in
    force here: a new thread starts in the app's, as it does not inherit ContextVars."""
    context = contextvars.copy_context()

    @functools.wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        # A fresh copy per call: one Context cannot be entered by two threads at once.
        return context.copy().run(fn, *args, **kwargs)

    return run


def _active() -> gettext.NullTranslations:
    here = _here.get()
    return here[1] if here else _translation


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
    """Translate `text` into the current language (current_language())."""
    here = _here.get()  # inline, not _active(): tr runs for every label drawn
    return (here[1] if here else _translation).gettext(text)


def tr_noop(text: str) -> str:
    """Mark text for the catalogue without translating it now (a module-level constant): show it
    with tr(CONSTANT), so it follows a language set or switched after the module was imported."""
    return text


def trn(singular: str, plural: str, n: int) -> str:
    """Translate with plural forms, in the current language."""
    return _active().ngettext(singular, plural, n)
