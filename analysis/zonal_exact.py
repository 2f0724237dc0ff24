"""Zones handed to exactextract as WKB, for the coverage weights of analysis/zonal_tally.py."""

from __future__ import annotations

import numpy as np
import shapely
from pyproj import CRS

# One CRS on both sides of exactextract: the zones are already in the raster's own CRS.
STAND_IN_WKT = CRS.from_epsg(3857).to_wkt()


class WkbFeatures:
    """Zones handed to exactextract as WKB (GeoPandas' route goes through GeoJSON text)."""

    def __new__(cls, geoms: np.ndarray, zids: np.ndarray):  # noqa: D102
        from exactextract.feature import Feature, FeatureSource

        class WkbFeature(Feature):
            def __init__(self, wkb: bytes, zid: int) -> None:
                super().__init__()
                self._wkb, self._zid = wkb, zid

            def geometry(self) -> bytes:
                return self._wkb

            def get(self, name: str) -> int:
                return self._zid

            def fields(self) -> list[str]:
                return ["zid"]

        class WkbSource(FeatureSource):
            def __init__(self) -> None:
                super().__init__()
                self._wkb = shapely.to_wkb(geoms)

            def count(self) -> int:
                return len(geoms)

            def __iter__(self):
                for wkb, zid in zip(self._wkb, zids, strict=True):
                    yield WkbFeature(wkb, int(zid))

            def srs_wkt(self) -> str:
                return STAND_IN_WKT

        return WkbSource()
