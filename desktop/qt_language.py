"""Qt's own text and number format in the interface language: the standard buttons (OK,
Cancel, Apply, Close, Yes, No), the file and colour dialogs and the line edits' context menus
read PySide6's qtbase_<lang>.qm, and spin boxes show and read "2,20" in Spanish.

Every language switch goes through apply_qt_language (the window's start and
AppState.set_language), which also gives the open spin boxes the new number format."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QAbstractSpinBox, QApplication

from layers.i18n import current_language

# The translators installed for the current language (replaced on a switch).
_installed: list[QTranslator] = []
# Qt's catalogues we read; qtbase holds every widget and dialog string the desktop shows.
_CATALOGUES = ("qtbase",)


def language_locale(code: str | None = None) -> QLocale:
    """The QLocale of `code` ('es', 'es_CO', 'en'), else of the interface language now."""
    return QLocale((code or current_language()).replace("-", "_"))


def apply_qt_language(code: str) -> QLocale:
    """Make `code` ('es', 'es_CO', 'en') Qt's language and number locale; returns the locale.

    Widgets already open and without a locale of their own follow too (spin boxes redraw
    "2.20" as "2,20"); Qt's standard buttons re-read their text on the LanguageChange event
    that installing a translator sends."""
    locale = language_locale(code)
    QLocale.setDefault(locale)
    app = QCoreApplication.instance()
    if app is None:
        return locale
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    if locale.language() != QLocale.Language.English:
        folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        for name in _CATALOGUES:
            translator = QTranslator(app)
            if translator.load(locale, name, "_", folder):
                app.installTranslator(translator)
                _installed.append(translator)
    # Deliver the LanguageChange events now, so the switch is complete when this returns.
    app.sendPostedEvents(None, QEvent.Type.LanguageChange)
    if isinstance(app, QApplication):
        for widget in app.topLevelWidgets():
            widget.setLocale(locale)
        # A box given a locale of its own (here, on an earlier switch) no longer inherits one.
        for widget in app.allWidgets():
            if isinstance(widget, QAbstractSpinBox):
                widget.setLocale(locale)
    return locale
