from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point

from layers.layer import Layer, LayerList
from layers.roles import FieldMapping, Role


def _layer(name: str = "a") -> Layer:
    gdf = gpd.GeoDataFrame({"v": [1, 2]}, geometry=[Point(0, 0), Point(1, 1)], crs=4326)
    return Layer(gdf, name, role=Role.VIOLENCE)


def test_layer_setters_emit_named_events() -> None:
    layer, seen = _layer(), []
    layer.changed.connect(seen.append)
    layer.opacity = 0.5
    layer.visible = False
    layer.visible = False  # unchanged: no event
    layer.name = "events"
    layer.role = "violence"  # the role it has, by its value: no event
    layer.role = "water"
    layer.style = layer.style  # a style is always announced (it may have been edited in place)
    assert seen == ["opacity", "visible", "name", "role", "style"]
    assert layer.role is Role.WATER
    with pytest.raises(ValueError):
        layer.opacity = 2
    with pytest.raises(ValueError):
        layer.mapping = FieldMapping({"fatalities": "missing_column"})


def test_layer_list_events_order_and_selection() -> None:
    ll, log = LayerList(), []
    ll.inserted.connect(lambda i, lyr: log.append(("ins", i, lyr.name)))
    ll.removed.connect(lambda i, lyr: log.append(("rem", i, lyr.name)))
    ll.moved.connect(lambda a, b: log.append(("mov", a, b)))
    ll.layer_changed.connect(lambda lyr, attr: log.append(("chg", lyr.name, attr)))
    a, b = _layer("a"), _layer("b")
    ll.append(a)
    ll.append(b)
    ll.move(0, 1)
    assert ll.names() == ["b", "a"]
    a.opacity = 0.3
    ll.selection = [a]
    ll.remove(a)
    a.opacity = 0.9  # removed layers no longer relay
    assert log == [
        ("ins", 0, "a"),
        ("ins", 1, "b"),
        ("mov", 0, 1),
        ("chg", "a", "opacity"),
        ("rem", 1, "a"),
    ]
    assert ll.selection == []
    assert ll.unique_name("b") == "b (2)"


def test_metric_copy_is_cached_and_invalidated() -> None:
    from layers.crs import choose_metric_crs

    layer = _layer()
    crs = choose_metric_crs((-76, 0.5, -75, 1.5))
    assert crs.to_epsg() == 32618
    first = layer.to_metric(crs)
    assert layer.to_metric(crs) is first
    layer.data = layer.data.iloc[:1]
    assert len(layer.to_metric(crs)) == 1


def test_wide_extent_uses_equal_area() -> None:
    from layers.crs import choose_metric_crs

    crs = choose_metric_crs((-80, -5, -60, 10))
    assert crs.to_epsg() is None and "laea" in crs.to_proj4()
