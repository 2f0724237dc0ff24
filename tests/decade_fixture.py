"""A small project with ten years of violence (2014–2023) for the compare tests of periods,
trends and before/after windows (issue #14 items 9 and 10): known counts per region and year."""

from __future__ import annotations

import fixtures_factory as ff
import geopandas as gpd
from shapely.geometry import box

FIRST, LAST = 2014, 2023
# Violent events per department and year: different slopes, so each line is recognisable.
COUNTS = {
    "CO52": {year: year - 2010 for year in range(FIRST, LAST + 1)},
    "CO86": {year: 2 * (LAST + 1 - year) for year in range(FIRST, LAST + 1)},
}
# Eradication operations: one early in the data (its 2-year before window starts in 2013,
# before the data begin), one in the middle.
EARLY, MIDDLE = "2015-03-01", "2019-07-01"


def decade_project():
    rows = []
    for d, (code, name, x0) in enumerate([("CO52", "Nariño", -78.0), ("CO86", "Putumayo", -76.5)]):
        rows.append(
            {
                "ADM2_PCODE": f"{code}001",
                "ADM2_ES": f"{name} municipio",
                "ADM1_PCODE": code,
                "ADM1_ES": name,
                "geometry": box(x0, 1.0, x0 + 0.5, 1.5 + 0.1 * d),
            }
        )
    admin = gpd.GeoDataFrame(rows, crs=4326)
    events = []
    for code, counts in COUNTS.items():
        x0 = -78.0 if code == "CO52" else -76.5
        for year, n in counts.items():
            for i in range(n):
                events.append(
                    {
                        "event_date": f"{year}-{1 + i % 12:02d}-15",
                        "fatalities": 1,
                        "geometry": gpd.points_from_xy([x0 + 0.1 + 0.01 * i], [1.2])[0],
                    }
                )
    violence = gpd.GeoDataFrame(events, crs=4326)
    eradication = gpd.GeoDataFrame(
        {"fecha": [EARLY, MIDDLE], "hectares": [10.0, 25.0]},
        geometry=gpd.points_from_xy([-77.9, -77.8], [1.05, 1.05]),
        crs=4326,
    )
    return ff.harm_project("Decade", admin, violence, eradication, violence_name="Violence")
