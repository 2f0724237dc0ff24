"""UTM zones, latitude bands and MGRS 100 km squares on WGS 84 (the grid of military maps).

Qt-free. pyproj does the Transverse Mercator maths; this module adds what pyproj does not know:
the zone of a point (with the Norway and Svalbard exceptions), the latitude band letters C–X,
and the MGRS letters of each 100 km square (the "AA" lettering of WGS 84 maps). The method and
the reference points the tests check it against are in docs/coordinates.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from pyproj import Transformer

BANDS = "CDEFGHJKLMNPQRSTUVWX"  # 8° each from 80°S, X is 12° (72°N–84°N); no I or O
COLUMNS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # 24 column letters, 8 per zone set
ROWS = "ABCDEFGHJKLMNPQRSTUV"  # 20 row letters, repeating every 2,000 km of northing
MIN_LAT, MAX_LAT = -80.0, 84.0  # UTM/MGRS limits; beyond them the polar grid (UPS) applies
# A latitude computed from a northing may sit a hair outside its band from rounding.
BAND_TOLERANCE_DEG = 0.01


class GridError(ValueError):
    """A grid reference that cannot exist; `key` names the problem for the caller's message."""

    def __init__(self, key: str, **values: object) -> None:
        self.key = key
        self.values = values
        super().__init__(key)


@dataclass(frozen=True)
class UtmPoint:
    zone: int
    band: str
    easting: float
    northing: float

    @property
    def south(self) -> bool:
        return self.band < "N"


@lru_cache(maxsize=256)
def _to_utm(zone: int, south: bool) -> Transformer:
    return Transformer.from_crs(4326, (32700 if south else 32600) + zone, always_xy=True)


@lru_cache(maxsize=256)
def _from_utm(zone: int, south: bool) -> Transformer:
    return Transformer.from_crs((32700 if south else 32600) + zone, 4326, always_xy=True)


def band_of(lat: float) -> str:
    """The latitude band letter of `lat` (80°S–84°N)."""
    if not MIN_LAT <= lat <= MAX_LAT:
        raise GridError("polar", lat=lat)
    return BANDS[min(int((lat - MIN_LAT) // 8), len(BANDS) - 1)]


def band_range(band: str) -> tuple[float, float]:
    """The latitudes a band covers, (south edge, north edge)."""
    index = BANDS.index(band)
    low = MIN_LAT + 8 * index
    return low, (MAX_LAT if band == "X" else low + 8)


def zone_of(lon: float, lat: float) -> int:
    """The UTM zone of a point, with the exceptions of southwest Norway and Svalbard."""
    lon = ((lon + 180.0) % 360.0) - 180.0
    zone = int((lon + 180.0) // 6) + 1
    if 56.0 <= lat < 64.0 and 3.0 <= lon < 12.0:
        return 32
    if 72.0 <= lat <= 84.0 and 0.0 <= lon < 42.0:
        return 31 if lon < 9 else 33 if lon < 21 else 35 if lon < 33 else 37
    return min(zone, 60)


def to_utm(lon: float, lat: float, zone: int | None = None) -> UtmPoint:
    """The UTM coordinates of a point, in its own zone unless one is given."""
    band = band_of(lat)
    zone = zone or zone_of(lon, lat)
    easting, northing = _to_utm(zone, lat < 0).transform(lon, lat)
    return UtmPoint(zone, band, float(easting), float(northing))


def from_utm(zone: int, south: bool, easting: float, northing: float) -> tuple[float, float]:
    """(lon, lat) of a UTM position."""
    lon, lat = _from_utm(zone, south).transform(easting, northing)
    return float(lon), float(lat)


def band_fits(band: str, lat: float) -> bool:
    low, high = band_range(band)
    return low - BAND_TOLERANCE_DEG <= lat <= high + BAND_TOLERANCE_DEG


def square_letters(zone: int, easting: float, northing: float) -> str:
    """The two letters of the 100 km square holding (easting, northing) in `zone`."""
    column = int(easting // 100_000)  # 1..8 inside a zone
    if not 1 <= column <= 8:
        raise GridError("easting", easting=easting)
    set_start = ((zone - 1) % 3) * 8  # zones 1, 4, 7… start at A; 2, 5… at J; 3, 6… at S
    row_shift = 5 if zone % 2 == 0 else 0  # even zones start their rows at F
    row = (int(northing // 100_000) + row_shift) % len(ROWS)
    return COLUMNS[set_start + column - 1] + ROWS[row]


def to_mgrs(lon: float, lat: float, digits: int = 5) -> str:
    """The MGRS reference of a point, truncated to `digits` per axis (5 = 1 m, 1 = 10 km), as
    the standard says: a reference names the square the point is in."""
    if not 0 <= digits <= 5:
        raise GridError("digits", digits=digits)
    utm = to_utm(lon, lat)
    letters = square_letters(utm.zone, utm.easting, utm.northing)
    size = 10 ** (5 - digits)
    # floor of a value that is a whole metre short of it by float error only
    east = int(math.floor(round(utm.easting % 100_000, 6) / size))
    north = int(math.floor(round(utm.northing % 100_000, 6) / size))
    numbers = f"{east:0{digits}d}{north:0{digits}d}" if digits else ""
    return f"{utm.zone}{utm.band}{letters}{numbers}"


def mgrs_square(
    zone: int, band: str, letters: str, east: str, north: str
) -> tuple[UtmPoint, float]:
    """The south-west corner of the square an MGRS reference names, and the square's size in
    metres. The northing is the one of the 2,000 km cycles that falls inside the band."""
    if not 1 <= zone <= 60:
        raise GridError("zone", zone=zone)
    if band not in BANDS:
        raise GridError("band", band=band)
    column_letter, row_letter = letters
    set_start = ((zone - 1) % 3) * 8
    column_set = COLUMNS[set_start : set_start + 8]
    if column_letter not in column_set:
        raise GridError("column", letter=column_letter, zone=zone, allowed=column_set)
    if row_letter not in ROWS:
        raise GridError("row", letter=row_letter)
    digits = len(east)
    size = 10 ** (5 - digits)
    easting = (column_set.index(column_letter) + 1) * 100_000 + (int(east) * size if east else 0)
    row_shift = 5 if zone % 2 == 0 else 0
    base = ((ROWS.index(row_letter) - row_shift) % len(ROWS)) * 100_000
    base += int(north) * size if north else 0
    south = band < "N"
    for cycle in range(5):  # 0–10,000 km in steps of 2,000 km
        northing = base + cycle * 2_000_000
        # the square overlaps the band: a point in it may sit north of its corner's band edge
        _, lat_low = from_utm(zone, south, easting, northing)
        _, lat_high = from_utm(zone, south, easting, northing + size)
        low, high = band_range(band)
        if lat_high >= low - BAND_TOLERANCE_DEG and lat_low <= high + BAND_TOLERANCE_DEG:
            return UtmPoint(zone, band, float(easting), float(northing)), float(size)
    raise GridError("square_band", letters=letters, band=band, zone=zone)
