"""Screenshots a person looks at: the main window on the sample project (or the small one
until the sample is generated), with the time filter on and a selection shown."""

from __future__ import annotations

import pytest

from sample_maps import SAMPLE_PROJECT

pytestmark = pytest.mark.gui


def test_main_window_screenshots(
    make_window, sample_or_small, open_and_wait, output_dir, docs_images, qtbot
):
    window = make_window()
    window.resize(1600, 1000)
    open_and_wait(window, sample_or_small)
    qtbot.waitUntil(lambda: not window.canvas.is_rendering, timeout=60000)
    window.canvas.redraw_now()
    qtbot.wait(50)
    image = window.grab()
    assert image.width() >= 1200
    path = output_dir / "main_window.png"
    assert image.save(str(path))
    assert path.stat().st_size > 50_000  # a drawn map, not an empty frame
    if sample_or_small == SAMPLE_PROJECT and docs_images is not None:
        assert image.save(str(docs_images / "main_window.png"))

    # The same window in Spanish (View ▸ Language), for README beside the English one.
    try:
        window.actions["language_es"].trigger()
        window.canvas.redraw_now()
        qtbot.wait(50)
        spanish = window.grab()
        assert window.menus["file"].title() == "&Archivo"
        assert spanish.save(str(output_dir / "main_window_es.png"))
        if sample_or_small == SAMPLE_PROJECT and docs_images is not None:
            assert spanish.save(str(docs_images / "main_window_es.png"))
    finally:
        window.actions["language_en"].trigger()

    # A second view: one year, a selection in the table, identify results.
    points = [lay for lay in window.project.layers.vectors() if lay.geometry_kind == "point"]
    events = max(points, key=lambda lay: len(lay.data))
    window.open_table(events)
    window.attribute_table.view.selectRow(0)
    years = window.time_panel.slider
    window.time_panel.set_year(years.maximum())
    geom = events.to_metric(window.canvas.crs).geometry.iloc[0]
    window.canvas.identify(geom.x, geom.y)
    window.canvas.redraw_now()
    qtbot.wait(50)
    assert window.grab().save(str(output_dir / "main_window_year_selection.png"))
