"""The style dialog's scale ranges: shown as the role gives them, stored only when edited."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point

from layers.layer import Layer
from layers.roles import FieldMapping, Role
from layers.style import SETTLEMENT_LABELS_FROM, Style, default_style, scale_ranges

pytestmark = pytest.mark.gui


def _places() -> Layer:
    gdf = gpd.GeoDataFrame(
        {"name": ["A", "B"], "population": [1200, 35000]},
        geometry=[Point(-75.5, 1.0), Point(-75.6, 1.1)],
        crs="EPSG:4326",
    )
    style = Style.from_dict({**default_style(Role.SETTLEMENTS).to_dict(), "label_field": "name"})
    mapping = FieldMapping({"name": "name", "population": "population"})
    return Layer(gdf, "places", role=Role.SETTLEMENTS, mapping=mapping, style=style)


def test_scale_fields_show_the_role_default_and_store_edits(qtbot, tmp_path) -> None:
    from desktop.style_dialog import StyleDialog

    layer = _places()
    dialog = StyleDialog(layer)
    qtbot.addWidget(dialog)
    # Labels of settlements wait for 1:2,000,000 by default; the layer has no limit.
    assert dialog.label_scales.isChecked()
    assert dialog.label_scales.minimum.value() == SETTLEMENT_LABELS_FROM
    assert not dialog.layer_scales.isChecked()
    untouched = dialog.style()
    assert untouched.label_min_scale is None and untouched.min_scale is None  # still the role's

    dialog.layer_scales.setChecked(True)
    dialog.layer_scales.minimum.setValue(2_000_000)
    dialog.layer_scales.maximum.setValue(5_000)
    dialog.label_scales.setChecked(False)  # labels at every scale
    style = dialog.style()
    assert (style.min_scale, style.max_scale) == (2_000_000, 5_000)
    assert (style.label_min_scale, style.label_max_scale) == (0, 0)
    shown, labelled = scale_ranges(style, layer.role, layer.mapping)
    assert not shown.shows(3_000_000) and shown.shows(1_000_000) and not shown.shows(1_000)
    assert labelled.shows(8_700_000)

    # Saved with the project and read back the same.
    again = Style.from_dict(style.to_dict())
    assert again.min_scale == 2_000_000 and again.label_min_scale == 0
    reopened = StyleDialog(Layer(layer.data, "again", role=Role.SETTLEMENTS, style=again))
    qtbot.addWidget(reopened)
    assert reopened.layer_scales.isChecked() and not reopened.label_scales.isChecked()
    assert reopened.layer_scales.minimum.value() == 2_000_000
    assert reopened.layer_scales.minimum.text().startswith("1:")
    assert reopened.layer_scales.maximum.text().startswith("1:")
