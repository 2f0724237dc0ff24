"""Every canonical field key a mapping may fill (layers/roles.py FIELD_KEYS) has a name in the
user's words (desktop/labels.py) with Spanish waiting for it: the field mapping dialog showed
ACLED's actor1, inter2 or civilian_targeting as raw keys."""

from __future__ import annotations

import geopandas as gpd
import po_catalogue
from shapely.geometry import Point

from desktop.labels import FIELD_KEY_LABELS, field_key_label
from layers.layer import Layer
from layers.roles import FIELD_KEYS, FieldMapping, Role


def test_every_field_key_has_a_label_with_spanish() -> None:
    spanish = po_catalogue.spanish_msgstrs()
    assert set(FIELD_KEYS) <= set(FIELD_KEY_LABELS), set(FIELD_KEYS) - set(FIELD_KEY_LABELS)
    for key in FIELD_KEYS:
        label = FIELD_KEY_LABELS[key]
        assert label in spanish, f"{key}: no Spanish for {label!r}"


def test_field_mapping_dialog_shows_no_raw_key(qtbot) -> None:
    from PySide6.QtWidgets import QTableWidget

    from desktop.layers_dock import FieldMappingDialog

    columns = {key: f"col_{i}" for i, key in enumerate(FIELD_KEYS)}
    gdf = gpd.GeoDataFrame(
        {column: ["x"] for column in columns.values()}, geometry=[Point(0, 0)], crs="EPSG:4326"
    )
    layer = Layer(gdf, "ACLED", role=Role.VIOLENCE, mapping=FieldMapping(fields=columns))
    dialog = FieldMappingDialog(layer)
    qtbot.addWidget(dialog)
    table = dialog.findChild(QTableWidget)
    shown = [table.item(row, 0).text() for row in range(table.rowCount())]
    assert shown == [field_key_label(key) for key in FIELD_KEYS]
    assert not set(shown) & set(FIELD_KEYS), set(shown) & set(FIELD_KEYS)
