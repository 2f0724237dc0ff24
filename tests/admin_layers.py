"""A municipal boundaries layer built in memory with HDX COD-AB's column names, as the
indicator tests' hand-made projects have it."""

from __future__ import annotations

import geopandas as gpd

from layers.layer import Layer
from layers.roles import FieldMapping, Role


def municipalities(regions: gpd.GeoDataFrame, name: str = "Municipios", **fields: str) -> Layer:
    """REGIONS as admin boundaries: region_code ADM2_PCODE, name ADM2_ES, plus `fields`
    (e.g. population="pop", parent_code="ADM1_PCODE")."""
    mapping = FieldMapping({"region_code": "ADM2_PCODE", "name": "ADM2_ES", **fields})
    return Layer(regions, name, role=Role.ADMIN_BOUNDARIES, mapping=mapping)
