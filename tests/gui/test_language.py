"""The desktop in Spanish and English (issue 16): it opens in the language set before the
window is built, View ▸ Language switches the open window without a restart and is remembered
in QSettings, and the menus, the layer panel, the toolbox and an analysis dialog follow."""

from __future__ import annotations

from layers.i18n import current_language, set_language


def _menu_titles(window) -> list[str]:
    return [window.menus[m].title() for m in ("file", "edit", "view", "layer", "analysis", "help")]


def test_desktop_opens_in_spanish_and_switches_to_english(
    qtbot, settings, pool, tmp_path, spanish, no_dialogs
) -> None:
    from desktop.analysis_dialog import AnalysisDialog, open_analysis
    from desktop.language import LANGUAGE_KEY, startup_language
    from desktop.main_window import MainWindow
    from layers.layer import Layer

    window = MainWindow(settings=settings, thread_pool=pool, recovery_dir=tmp_path / "rec")
    qtbot.addWidget(window)
    assert window.state.language == "es"  # not "en" whatever the active language
    assert _menu_titles(window)[0] == "&Archivo" and _menu_titles(window)[4] == "A&nálisis"
    spanish_titles = _menu_titles(window)
    assert "&File" not in spanish_titles and "&Analysis" not in spanish_titles
    assert window.layers_dock.windowTitle() == "Capas"
    assert window.layers_panel.opacity_label.text() == "Opacidad"
    assert window.actions["open_project"].text() != "&Open project…"
    toolbox = window.toolbox
    groups = [toolbox.tree.topLevelItem(i).text(0) for i in range(toolbox.tree.topLevelItemCount())]
    assert "Puntos calientes" in groups and "Hot spots" not in groups, groups
    assert toolbox.search.placeholderText() != "Search analyses…"

    # A layer's role in the layer panel's tooltip, in Spanish.
    import geopandas as gpd
    from shapely.geometry import box

    from layers.roles import Role

    layer = Layer(
        gpd.GeoDataFrame({"n": [1]}, geometry=[box(0, 0, 1, 1)], crs="EPSG:4326"),
        "Municipios",
        role=Role.ADMIN_BOUNDARIES,
    )
    window.add_layer(layer)
    from PySide6.QtCore import Qt

    index = window.layers_panel.model.index_of(layer)
    tip = window.layers_panel.model.data(index, Qt.ItemDataRole.ToolTipRole)
    assert "Divisiones administrativas" in tip

    open_analysis(window, "count")
    dialog = window.analysis_dialogs[-1]
    assert isinstance(dialog, AnalysisDialog)
    assert dialog.windowTitle() == "Contar eventos por región"
    from PySide6.QtGui import QAction

    count_action = window.findChild(QAction, "analysis_count")
    assert count_action.text() == "Contar eventos por región"

    assert window.messages.tree.headerItem().text(2) == "Mensaje"
    assert window.results_dock.panel.export_button.text() != "Export results…"
    assert window.time_panel.enabled.text() != "Filter by time"

    # View ▸ Language ▸ English: the open window follows, no restart.
    english = window.actions["language_en"]
    assert window.actions["language_es"].isChecked()
    english.trigger()
    assert current_language() == "en" and window.state.language == "en"
    assert _menu_titles(window) == ["&File", "&Edit", "&View", "&Layer", "&Analysis", "&Help"]
    assert window.layers_dock.windowTitle() == "Layers"
    assert window.docks["toolbox"].windowTitle() == "Toolbox"
    assert window.actions["open_project"].text() == "&Open project…"
    assert window.language_menu.title() == "&Language"
    assert window.layers_panel.opacity_label.text() == "Opacity"
    assert window.time_panel.enabled.text() == "Filter by time"
    assert window.messages.tree.headerItem().text(2) == "Message"
    assert window.attribute_table.filter_edit.placeholderText().startswith("Filter, e.g.")
    assert window.identify_panel.tree.headerItem().text(1) == "Value"
    assert window.synthetic_label.text() == "Synthetic data"
    assert window.results_dock.panel.export_button.text() == "Export results…"
    assert count_action.text() == "Count events per region"  # the analysis menu follows
    assert window.docks["results"].windowTitle() == "Results"
    tip = window.layers_panel.model.data(index, Qt.ItemDataRole.ToolTipRole)
    assert "Administrative regions" in tip
    groups = [toolbox.tree.topLevelItem(i).text(0) for i in range(toolbox.tree.topLevelItemCount())]
    assert "Hot spots" in groups
    assert settings.value(LANGUAGE_KEY) == "en"  # remembered for the next start
    assert startup_language(settings, []) == "en"
    assert startup_language(settings, ["--lang", "es"]) == "es"  # the command line wins

    # And back to Spanish.
    window.actions["language_es"].trigger()
    assert _menu_titles(window) == spanish_titles
    assert window.layers_dock.windowTitle() == "Capas"


def test_first_start_follows_the_system_language(settings) -> None:
    import os

    from desktop.language import startup_language

    saved = {k: os.environ.get(k) for k in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")}
    try:
        for k in saved:
            os.environ.pop(k, None)
        os.environ["LANG"] = "es_CO.UTF-8"
        assert startup_language(settings, []) == "es_CO"
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def test_time_bar_reads_and_shows_spanish_dates(qtbot, spanish) -> None:
    """A date range typed in Spanish words or day-first numbers is the period; the bar shows it
    with Spanish month names, and in English after a switch."""
    import datetime

    from desktop.time_panel import TimePanel
    from layers.timefilter import TimeFilter

    panel = TimePanel()
    qtbot.addWidget(panel)
    panel.set_range((2015, 2021))
    panel.dates.setText("1 de marzo de 2019..29/02/2020")
    panel._dates_entered()
    assert panel.period() == TimeFilter(datetime.date(2019, 3, 1), datetime.date(2020, 2, 29))
    assert panel.label.text() == "1 de marzo de 2019 – 29 de febrero de 2020"
    set_language("en")
    panel.retranslate()
    assert panel.label.text() == "1 March 2019 – 29 February 2020"
    panel.dates.setText("12 brumaire 2019..")
    panel._dates_entered()
    assert panel.dates.styleSheet()  # refused, marked, the period unchanged
    assert panel.period().start == datetime.date(2019, 3, 1)
