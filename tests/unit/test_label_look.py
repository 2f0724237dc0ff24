"""Labels as the style sets them (placement, colour, halo, scale range) on the canvas path
(sprites) and the export path (text artists), and one name written once where a settlement
and its municipality share it."""

from __future__ import annotations

import dataclasses
from collections import Counter

import geopandas as gpd
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from shapely.geometry import Point, box

from cartography.label_sprites import LabelSprites, SpriteBook
from cartography.labels import LabelBoard, LabelLook, place_labels
from cartography.render import MapRenderer, MapView
from layers.layer import Layer
from layers.roles import FieldMapping, Role
from layers.style import Style
from sample_maps import SAMPLE_PROJECT

CRS = "EPSG:32618"


def _places(style: Style) -> Layer:
    gdf = gpd.GeoDataFrame(
        {"name": ["Alto", "Bajo"], "population": [5000, 300]},
        geometry=[Point(500_000, 100_000), Point(520_000, 110_000)],
        crs=CRS,
    )
    mapping = FieldMapping({"name": "name", "population": "population"})
    return Layer(gdf, "places", role=Role.SETTLEMENTS, mapping=mapping, style=style)


def _render(layers, *, tiles: bool = False, width_m: float = 60_000):
    fig = Figure(figsize=(6, 4), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    # Centred on Alto (500 km E, 100 km N) then Bajo; 60 km wide shows both.
    x0, y0 = 500_000 - width_m / 3, 100_000 - width_m / 3
    extent = (x0, y0, x0 + width_m, y0 + width_m * 2 / 3)
    view = MapView(layers[0].crs, extent, pixel_size=width_m / 600, dpi=100)
    MapRenderer().render(ax, layers, view, tiles=tiles)
    return fig, ax


def test_region_and_settlement_of_one_name_are_labelled_once() -> None:
    board = LabelBoard(cell=1_000.0)
    em = 200.0
    region = place_labels(
        board,
        np.array(["Monteoscuro", "Río Verde"], dtype=object),
        lambda i: (np.array([10_000.0, 60_000.0])[i], np.array([10_000.0, 10_000.0])[i]),
        em=em,
        sizes=np.array([[20_000.0, 20_000.0], [20_000.0, 20_000.0]]),
    )
    assert [p.text for p in region] == ["Monteoscuro", "Río Verde"]
    # The town of Monteoscuro 8 km from its municipality's label: already named. A place of
    # the same name 100 km away is another place; "Monteoscuro Bajo" another name.
    towns = place_labels(
        board,
        np.array(["Monteoscuro", "monteoscuro ", "Monteoscuro", "Monteoscuro Bajo"], dtype=object),
        lambda i: (
            np.array([15_000.0, 12_000.0, 110_000.0, 4_000.0])[i],
            np.array([16_000.0, 4_000.0, 60_000.0, 16_000.0])[i],
        ),
        em=em,
        gap=100.0,
    )
    assert sorted((p.text, round(p.x, -3)) for p in towns) == [
        ("Monteoscuro", 110_000.0),
        ("Monteoscuro Bajo", 4_000.0),
    ]


def test_sample_map_names_each_place_once() -> None:
    """The sample map with municipalities labelled: no name printed twice (issue #14.8)."""
    from cartography.layout import map_layout
    from layers.project import Project

    if not SAMPLE_PROJECT.exists():
        pytest.skip("sample project not generated (make sample)")
    names = ("Municipios (ADM2)", "Centros poblados")
    project = Project.load(SAMPLE_PROJECT, wanted=lambda e: e["name"] in names)
    municipalities = next(layer for layer in project.layers if layer.name == names[0])
    municipalities.style = dataclasses.replace(municipalities.style, label_field="ADM2_ES")
    result = map_layout(project, layers=list(project.layers), dpi=100)
    written = Counter(t.get_text() for t in result.map_ax.texts)
    shared = set(municipalities.data["ADM2_ES"]) & set(
        next(layer for layer in project.layers if layer.name == names[1]).data["name"]
    )
    assert len(shared) >= 10  # the sample names its towns after their municipalities
    assert [name for name, n in written.items() if n > 1] == []
    assert sum(written[name] for name in shared) >= len(shared) // 2  # still named, once


def test_export_labels_take_the_styles_colour_halo_and_placement() -> None:
    style = Style(
        label_field="name",
        label_colour="#aa0000",
        label_halo="#ffff00",
        label_halo_width=3.0,
        label_placement="above",
        label_min_scale=0,
    )
    layer = _places(style)
    _fig, ax = _render([layer])
    texts = {t.get_text(): t for t in ax.texts}
    assert set(texts) == {"Alto", "Bajo"}
    alto = texts["Alto"]
    assert to_rgba(alto.get_color()) == to_rgba("#aa0000")
    (halo,) = alto.get_path_effects()
    assert to_rgba(halo._gc["foreground"]) == to_rgba("#ffff00")
    assert halo._gc["linewidth"] == 3.0
    # Above the marker: centred on it, hanging from its bottom edge above the point.
    assert (alto.get_ha(), alto.get_va()) == ("center", "bottom")
    assert alto.get_position()[0] == 500_000 and alto.get_position()[1] > 100_000

    no_halo = dataclasses.replace(style, label_halo="none", label_placement="left")
    _fig, ax = _render([_places(no_halo)])
    alto = next(t for t in ax.texts if t.get_text() == "Alto")
    assert alto.get_path_effects() == [] and alto.get_ha() == "right"
    assert alto.get_position()[0] < 500_000


def test_canvas_sprites_take_the_styles_colour_and_halo() -> None:
    style = Style(
        label_field="name", label_colour="#0000ff", label_halo="#00ff00", label_halo_width=3.0
    )
    fig, ax = _render([_places(style)], tiles=True)
    (sprites,) = [a for a in ax.artists if isinstance(a, LabelSprites)]
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())[..., :3].reshape(-1, 3).astype(int)
    blue = (pixels[:, 2] > 180) & (pixels[:, 0] < 80) & (pixels[:, 1] < 80)
    green = (pixels[:, 1] > 180) & (pixels[:, 0] < 80) & (pixels[:, 2] < 80)
    assert blue.sum() > 20 and green.sum() > 20

    book = SpriteBook()
    plain = book.sprite("Alto", 8.0, "left", "bottom", 100.0)
    red = book.sprite("Alto", 8.0, "left", "bottom", 100.0, LabelLook("#ff0000", "none", 0.0))
    assert book.drawn == 2  # another look is another sprite
    ink = red.image[red.image[..., 3] > 200][:, :3]
    assert (ink[:, 0] > 200).all() and (ink[:, 1] < 60).all()
    assert plain.image.shape != red.image.shape or not np.array_equal(plain.image, red.image)


def test_label_scale_range_holds_labels_back_when_zoomed_out() -> None:
    style = Style(label_field="name", label_min_scale=100_000.0)
    # 60 km over 6 inches: about 1:394,000, beyond the labels' 1:100,000.
    _fig, ax = _render([_places(style)])
    assert list(ax.texts) == []
    _fig, ax = _render([_places(style)], width_m=6_000)  # about 1:39,000
    assert [t.get_text() for t in ax.texts] == ["Alto"]


def test_region_labels_follow_placement_and_stay_inside() -> None:
    gdf = gpd.GeoDataFrame(
        {"name": ["Zona Norte"]}, geometry=[box(490_000, 90_000, 530_000, 110_000)], crs=CRS
    )
    style = Style(label_field="name", label_placement="below", label_colour="#333333")
    layer = Layer(gdf, "zones", role=Role.OTHER, style=style)
    _fig, ax = _render([layer])
    (label,) = ax.texts
    assert label.get_va() == "top" and to_rgba(label.get_color()) == to_rgba("#333333")
