"""Qt's own text and number format in the interface language: the standard buttons (OK,
Cancel, Apply, Close, Yes, No), the file and colour dialogs and the line edits' context menus
read PySide6's qtbase_<lang>.qm, and spin boxes show and read "2,20" in Spanish.

Every spin box also takes the interface language's number format when it is shown
(NumbersFollowLanguage): a box created while another locale was in force, or inside a window
whose own locale was set for the previous language, would otherwise keep "1.00"."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QLibraryInfo, QLocale, QObject, QTranslator
from PySide6.QtWidgets import QAbstractSpinBox, QApplication

from layers.i18n import current_language

# The translators installed for the current language (replaced on a switch).
_installed: list[QTranslator] = []
# Qt's catalogues we read; qtbase holds every widget and dialog string the desktop shows.
_CATALOGUES = ("qtbase",)


def language_locale(code: str | None = None) -> QLocale:
    """The QLocale of `code` ('es', 'es_CO', 'en'), else of the interface language now."""
    return QLocale((code or current_language()).replace("-", "_"))


class NumbersFollowLanguage(QObject):
    """An application event filter: a spin box being shown whose locale is not the interface
    language's gets it. QLocale.setDefault reaches only widgets created afterwards and without
    a parent carrying a locale; a box made before a switch, or under a window whose locale was
    set explicitly for the previous language, would show "1.00" in a Spanish window."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Show and isinstance(watched, QAbstractSpinBox):
            follow_language(watched)
        return False


def follow_language(box: QAbstractSpinBox) -> None:
    """Give `box` the interface language's number format unless it already has it."""
    wanted = language_locale()
    if box.locale().name() != wanted.name():
        box.setLocale(wanted)


# One filter for the application (installed by the first apply_qt_language with an app).
_filter: list[NumbersFollowLanguage] = []


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
    if not _filter and isinstance(app, QApplication):
        _filter.append(NumbersFollowLanguage(app))
        app.installEventFilter(_filter[0])
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
        # Boxes given a locale of their own (NumbersFollowLanguage) no longer inherit one.
        for widget in app.allWidgets():
            if isinstance(widget, QAbstractSpinBox):
                widget.setLocale(locale)
    return locale
