"""The raster panel's numbers follow the app's language and keep a geographic pixel's size."""

from __future__ import annotations

import numpy as np
import rasterio
from rasterio.transform import from_origin

from layers.i18n import language
from layers.raster import open_raster


def test_summary_in_spanish_keeps_six_digits_and_float_nodata(tmp_path) -> None:
    from desktop.raster_info import raster_summary

    path = tmp_path / "dem.tif"
    size = 0.000269494585236
    profile = dict(
        driver="GTiff", width=4, height=3, count=1, dtype="float32", crs="EPSG:4326",
        transform=from_origin(-75.0, 2.0, size, size), nodata=-3.4028234663852886e38,
    )  # fmt: skip
    with rasterio.open(path, "w", **profile) as out:
        out.write(np.ones((1, 3, 4), dtype="float32"))
    layer = open_raster(path)
    with language("es"):
        rows = dict(raster_summary(layer))
    values = " ".join(rows.values())
    assert "0,000269495 × 0,000269495°" in values
    assert "-3,403E38" in values
