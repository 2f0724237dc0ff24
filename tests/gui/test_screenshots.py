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


def test_editing_screenshot(
    make_window, sample_or_small, open_and_wait, output_dir, docs_images, qtbot, tmp_path
):
    """README's "Draw and edit": a control area drawn, the target being drawn around the
    region with most events, snapped to its boundary, the area read-out and the History."""
    import numpy as np
    import shapely
    from PySide6.QtCore import QPoint, QPointF, Qt

    from layers.edit_geometry import vertices
    from layers.project import Project

    # A copy: the drawing's journal goes beside the project, never beside the sample's.
    copy = Project.load(sample_or_small).save(tmp_path / "estudio.hatlas.json")
    window = make_window()
    window.resize(1600, 1000)
    open_and_wait(window, copy)
    canvas, project = window.canvas, window.project
    regions = next(la for la in project.layers.vectors() if la.role.value == "admin_boundaries")
    points = [la for la in project.layers.vectors() if la.geometry_kind == "point"]
    events = max(points, key=lambda la: len(la.data)).to_metric(canvas.crs).geometry
    shapes = np.asarray(regions.to_metric(canvas.crs).geometry.values)
    counts = [int(shapely.contains(shape, events.values).sum()) for shape in shapes]
    region = shapes[int(np.argmax(counts))]
    cx, cy = region.centroid.x, region.centroid.y
    s = 0.3 * region.area**0.5
    canvas.set_extent((cx - 2.2 * s, cy - 1.6 * s, cx + 4.4 * s, cy + 1.6 * s))
    canvas.redraw_now()
    window.action("edit_form").setChecked(False)  # the form has its own screenshot tests

    def click(x: float, y: float, button=Qt.MouseButton.LeftButton) -> None:
        p = canvas.to_pixel(x, y)
        at = QPoint(round(p.x()), round(p.y()))
        qtbot.mouseMove(canvas, at)
        qtbot.mouseClick(canvas, button, pos=at)

    control = window.edits.new_layer("Área de control", "polygon", "other", ask=False)
    window.action("edit_add").trigger()
    for dx, dy in ((2.3, -1.3), (3.9, -1.4), (4.0, 0.5), (2.4, 0.6)):
        click(cx + dx * s, cy + dy * s)
    qtbot.keyClick(canvas, Qt.Key.Key_Return)
    assert len(control.data) == 1
    window.state.clear_selection(control, source="edit")  # drawn in its own colour
    window.edits.new_layer("Área objetivo", "polygon", "eradication", ask=False)
    window.action("edit_add").trigger()
    for dx, dy in ((-1.0, -0.8), (1.0, -1.0), (1.1, 0.9)):
        click(cx + dx * s, cy + dy * s)
    # The cursor near a vertex of the region's boundary: the snap marker and the read-out.
    corner = min(
        ((x, y) for _v, x, y in vertices(region)),
        key=lambda v: np.hypot(v[0] - (cx - s), v[1] - (cy + s)),
    )
    hover = canvas.to_pixel(*corner) + QPointF(5, -4)
    qtbot.mouseMove(canvas, QPoint(round(hover.x()), round(hover.y())))
    assert canvas.map_tool.snapped is not None
    window.action("edit_history").trigger()
    qtbot.waitUntil(lambda: not canvas.is_rendering, timeout=60000)
    qtbot.wait(50)
    image = window.grab()
    assert image.save(str(output_dir / "editing.png"))
    if sample_or_small == SAMPLE_PROJECT and docs_images is not None:
        assert image.save(str(docs_images / "editing.png"))
    window.undo_stack.setClean()
