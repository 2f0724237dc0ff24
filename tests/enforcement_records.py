"""The sample's enforcement CSV read with plain pandas and geopandas, and a unit table of our
own: the raw records the enforcement tests count from, independent of the app's readers and
of the analysis under test."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from sample_maps import SAMPLE_DIR
from sample_maps.enforcement import ENFORCEMENT_FILES

UTM = 32618
# Grams in one of each unit the sample's seizures are written in.
GRAMS_PER_UNIT = {"GRAMOS": 1, "g": 1, "gr": 1, "kg": 1e3, "KILOGRAMOS": 1e3,
                  "LIBRAS": 453.59237, "TONELADAS": 1e6}  # fmt: skip


def raw_records() -> gpd.GeoDataFrame:
    """Every row of the sample's enforcement CSV (municipal codes kept as text), as points in
    UTM 18N from its latitud/longitud."""
    table = pd.read_csv(SAMPLE_DIR / ENFORCEMENT_FILES["enforcement"], dtype={"cod_mpio": str})
    points = gpd.points_from_xy(table.longitud, table.latitud)
    return gpd.GeoDataFrame(table, geometry=points, crs=4326).to_crs(UTM)
