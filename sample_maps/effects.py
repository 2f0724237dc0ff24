"""What happens in the sample's world from 2014 to 2023, with the effects planted on purpose:
coca cultivation (a SIMCI-style 1 km grid), manual eradication and aerial spraying, and
violence (ACLED-like events) around a crackdown and a harm-reduction programme."""

from __future__ import annotations

import math
from datetime import date, timedelta

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree
from shapely.geometry import LineString, Point, Polygon

from sample_maps.world import (
    CAMPAIGN,
    CAMPAIGN_CENTRE,
    CAMPAIGN_END,
    CAMPAIGN_START,
    CRACKDOWN_DATE,
    CRACKDOWN_MUNI,
    CRACKDOWN_NEIGHBOUR,
    EDGE_MARGIN_M,
    ERADICATION_MUNI,
    HR_DATE,
    HR_PROGRAMME,
    METRIC_EPSG,
    MUNICIPALITIES,
    PNN_ID,
    YEARS,
    grid_cells,
    nearest_distance,
    points_in,
    to_utm,
)

# SIMCI grids name their year columns differently from one survey to the next.
YEAR_COLUMNS: dict[int, str] = {
    2014: "areacoca_2014",
    2015: "areacoca_2015",
    2016: "areacoca2016",
    2017: "areacoca2017",
    2018: "areacoca_2018",
    2019: "coca_2019",
    2020: "coca2020",
    2021: "coca2021_",
    2022: "coca2022_",
    2023: "coca_ha_2023",
}

# Cultivation clusters: (lon, lat, sigma km, peak ha per cell).
CLUSTERS: list[tuple[float, float, float, float]] = [
    (-76.56, 0.84, 4.5, 26.0),  # Santa Lucía de las Peñas: the campaign area
    (-76.60, 0.62, 4.0, 11.0),
    (-76.31, 1.24, 6.0, 12.0),  # Río Verde
    (-76.13, 0.86, 5.0, 13.0),  # Belén del Tacuré
    (-76.72, 0.33, 5.0, 11.0),  # La Cañada del Ñeque, near the border
    (-76.30, 0.38, 4.0, 10.0),  # San Martín de Quebradas
    (-76.20, 1.72, 3.0, 8.0),  # Monteoscuro
    (-76.55, 1.52, 3.5, 12.0),  # inside the forest reserve (XA01)
    (-75.85, 0.76, 6.0, 14.0),  # Puerto Aguablanca
    (-75.28, 0.33, 4.0, 10.0),  # Nueva Güepí, near the border
    (-75.40, 0.86, 3.0, 10.0),  # inside the regional park (XA02)
    (-75.74, 0.38, 3.0, 6.0),
    (-76.80, 1.05, 2.0, 5.0),
    (-75.60, 1.45, 2.0, 4.0),
    (-75.25, 1.05, 2.0, 4.0),
    (-76.45, 1.00, 2.0, 5.0),
    (-75.95, 1.50, 2.0, 4.0),
    (-76.05, 0.50, 2.0, 5.0),
]
# Regional coca trend (2017 = 1), shaped like the national survey series.
CULT_TREND = dict(
    zip(YEARS, (0.45, 0.60, 0.85, 1.0, 0.98, 0.90, 0.85, 1.20, 1.32, 1.40), strict=True)
)
# Cultivation left in the campaign's target cells, per year, and what moved to the ring.
TARGET_LEFT = {2018: 0.8, 2019: 0.3, 2020: 0.35, 2021: 0.45, 2022: 0.5, 2023: 0.55}
RING_GAIN = {2018: 0.6, 2019: 1.5, 2020: 1.5, 2021: 1.4, 2022: 1.4, 2023: 1.4}
PA_GAIN = {2018: 0.1, 2019: 0.35, 2020: 0.45, 2021: 0.5, 2022: 0.55, 2023: 0.6}


# --- cultivation -------------------------------------------------------------------------


def build_cultivation(
    rng: np.random.Generator, region: Polygon, protected: gpd.GeoDataFrame, munis: gpd.GeoDataFrame
):
    """The SIMCI-style grid, plus the campaign's manual eradication points that shaped it."""
    gx, gy = grid_cells(region)
    potential = np.zeros(len(gx))
    for lon, lat, sigma, peak in CLUSTERS:
        # Elongated cores (along valleys and roads), not circles.
        cx, cy = to_utm(lon, lat)
        angle, aspect = rng.uniform(0, math.pi), rng.uniform(1.3, 2.3)
        u = (gx - cx) * math.cos(angle) + (gy - cy) * math.sin(angle)
        v = -(gx - cx) * math.sin(angle) + (gy - cy) * math.cos(angle)
        potential += peak * np.exp(-(u**2 / aspect + v**2 * aspect) / (2 * (sigma * 1000) ** 2))
    texture = np.zeros(len(gx))
    for _ in range(6):
        wave, angle = rng.uniform(2500, 8000), rng.uniform(0, math.pi)
        phase = rng.uniform(0, 2 * math.pi)
        texture += np.sin((gx * math.cos(angle) + gy * math.sin(angle)) / wave + phase)
    base = potential * np.exp(0.35 * texture) * rng.lognormal(0, 0.4, len(gx))
    cultivated = base > 1.2
    n = len(gx)
    ha = {y: np.zeros(n) for y in YEARS}
    kind = rng.choice(
        ["persistent", "intermittent", "new", "abandoned"], size=n, p=[0.80, 0.08, 0.07, 0.05]
    )
    start = rng.integers(2016, 2024, n)
    stop = rng.integers(2016, 2021, n)
    for y in YEARS:
        v = base * CULT_TREND[y] * rng.lognormal(0, 0.22, n)
        v[kind == "intermittent"] *= rng.uniform(size=(kind == "intermittent").sum()) < 0.6
        v[(kind == "new") & (y < start)] = 0
        v[(kind == "abandoned") & (y >= stop)] = 0
        ha[y] = np.where(cultivated, v, 0.0)

    # The campaign: manual eradication points on cultivated cells near the campaign centre.
    ccx, ccy = to_utm(*CAMPAIGN_CENTRE)
    # Well inside the municipality, so the campaign is also "its points in XA01003 in 2018".
    home = munis.set_index("code").geometry[ERADICATION_MUNI].buffer(-700)
    near = cultivated & (np.hypot(gx - ccx, gy - ccy) < 5000) & (ha[2017] > 0.5)
    near &= shapely.contains_xy(home, gx, gy)
    idx = np.flatnonzero(near)
    chosen = rng.choice(
        idx, size=min(180, len(idx)), replace=True, p=ha[2017][idx] / ha[2017][idx].sum()
    )
    px = gx[chosen] + rng.uniform(-480, 480, len(chosen))
    py = gy[chosen] + rng.uniform(-480, 480, len(chosen))
    # Keep every cell centre clear of the 2 km and 5 km edges, so exact distances and
    # polygon buffers (which approximate circles) put each cell on the same side.
    centres = np.column_stack([gx, gy])
    for _ in range(1000):
        d, nearest = cKDTree(np.column_stack([px, py])).query(centres)
        edge = (np.abs(d - 2000) < EDGE_MARGIN_M) | (np.abs(d - 5000) < EDGE_MARGIN_M)
        if not edge.any():
            break
        for k in np.unique(nearest[edge]):
            px[k] = gx[chosen[k]] + rng.uniform(-480, 480)
            py[k] = gy[chosen[k]] + rng.uniform(-480, 480)
    else:
        raise RuntimeError("could not keep grid cells clear of the campaign's ring edges")
    span = (CAMPAIGN_END - CAMPAIGN_START).days
    days = np.sort(rng.integers(0, span + 1, len(chosen)))
    campaign = pd.DataFrame(
        {
            "x": px,
            "y": py,
            "fecha": [CAMPAIGN_START + timedelta(days=int(d)) for d in days],
            "hectareas": np.round(
                np.minimum(rng.gamma(2.2, 1.6, len(chosen)), ha[2017][chosen]), 2
            ),
        }
    )

    # Displacement: the target loses, the 2-5 km ring and the national park gain.
    dist = nearest_distance(gx, gy, px, py)
    target = dist <= 2000
    ring = (dist > 2000) & (dist <= 5000)
    pnn = protected.loc[protected.WDPAID == PNN_ID].geometry.iloc[0]
    in_pnn = shapely.contains_xy(pnn, gx, gy)
    ring_w = np.where(ring & ~in_pnn, rng.gamma(1.3, 1.0, n) * (rng.uniform(size=n) < 0.45), 0.0)
    pnn_w = np.where(
        in_pnn & (dist > 2000) & (dist < 9000),
        rng.gamma(1.5, 1.0, n) * (rng.uniform(size=n) < 0.5),
        0,
    )
    for y in YEARS:
        if y not in TARGET_LEFT:
            continue
        removed = ha[y][target].sum() * (1 - TARGET_LEFT[y])
        ha[y][target] *= TARGET_LEFT[y]
        jitter = rng.lognormal(0, 0.15, n)
        ha[y] += RING_GAIN[y] * removed * ring_w * jitter / max(ring_w.sum(), 1e-9)
        ha[y] += PA_GAIN[y] * removed * pnn_w * jitter / max(pnn_w.sum(), 1e-9)

    values = {y: np.round(np.where(ha[y] >= 0.05, ha[y], 0.0), 2) for y in YEARS}
    any_year = np.zeros(n, bool)
    for y in YEARS:
        any_year |= values[y] > 0
    keep = np.flatnonzero(any_year)
    cols = np.round((gx[keep] - 500) / 1000).astype(int)
    rows_ = np.round((gy[keep] - 500) / 1000).astype(int)
    data = {"ID": rows_ * 1000 + cols}
    for y in YEARS:
        data[YEAR_COLUMNS[y]] = values[y][keep]
    geoms = shapely.box(gx[keep] - 500, gy[keep] - 500, gx[keep] + 500, gy[keep] + 500)
    grid = gpd.GeoDataFrame(data, geometry=geoms, crs=METRIC_EPSG)
    grid = grid.sort_values("ID").reset_index(drop=True)
    return grid, campaign


# --- eradication -------------------------------------------------------------------------

ERADICATION_INTENSITY = dict(
    zip(YEARS, (0.6, 0.7, 0.8, 1.0, 1.3, 1.6, 1.7, 1.3, 0.8, 0.6), strict=True)
)


def _cell_codes(grid: gpd.GeoDataFrame, munis: gpd.GeoDataFrame) -> np.ndarray:
    centres = grid.geometry.centroid
    codes = np.full(len(grid), "", dtype=object)
    for m in munis.itertuples():
        codes[shapely.contains_xy(m.geometry, centres.x.to_numpy(), centres.y.to_numpy())] = m.code
    return codes


def build_manual(rng, grid, campaign, munis) -> gpd.GeoDataFrame:
    """Manual eradication points: the planted campaign plus years of routine eradication."""
    codes = _cell_codes(grid, munis)
    cx = grid.geometry.centroid.x.to_numpy()
    cy = grid.geometry.centroid.y.to_numpy()
    campaign_muni = munis.set_index("code").geometry[ERADICATION_MUNI]
    rows = []
    for r in campaign.itertuples():
        rows.append(dict(x=r.x, y=r.y, fecha=r.fecha, hectareas=r.hectareas, campana=CAMPAIGN))
    for y in YEARS:
        ha = grid[YEAR_COLUMNS[y]].to_numpy()
        for dept, rate in (("XA01", 95 * ERADICATION_INTENSITY[y]), ("XA02", 6.0)):
            ok = (ha > 0.3) & np.array([c.startswith(dept) for c in codes])
            if y == 2018:
                ok &= codes != ERADICATION_MUNI  # that year belongs to the campaign
            idx = np.flatnonzero(ok)
            k = int(rng.poisson(rate))
            pick = rng.choice(idx, size=k, p=ha[idx] / ha[idx].sum())
            for j in pick:
                px, py = cx[j] + rng.uniform(-480, 480), cy[j] + rng.uniform(-480, 480)
                if y == 2018 and campaign_muni.contains(Point(px, py)):
                    continue
                rows.append(
                    dict(
                        x=px,
                        y=py,
                        fecha=date(y, 1, 1) + timedelta(days=int(rng.integers(0, 365))),
                        hectareas=round(float(min(rng.gamma(2.0, 1.5), ha[j])), 2),
                        campana="",
                    )
                )
    df = pd.DataFrame(rows).sort_values(["fecha", "x"]).reset_index(drop=True)
    gdf = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df.x, df.y), crs=METRIC_EPSG)
    return gdf.drop(columns=["x", "y"])


def _strip(cx: float, cy: float, angle: float, length: float, width: float) -> Polygon:
    dx, dy = math.cos(angle) * length / 2, math.sin(angle) * length / 2
    return LineString([(cx - dx, cy - dy), (cx + dx, cy + dy)]).buffer(width / 2, cap_style="flat")


def build_spray(rng, grid, munis, rivers, protected, border) -> tuple[gpd.GeoDataFrame, dict]:
    """Aerial spraying footprints (2014-2015): most follow the rules, six break them."""
    water = shapely.union_all(rivers.geometry.to_numpy())
    parks = shapely.union_all(protected.geometry.to_numpy())
    pnn = protected.loc[protected.WDPAID == PNN_ID].geometry.iloc[0]
    codes = _cell_codes(grid, munis)
    cx = grid.geometry.centroid.x.to_numpy()
    cy = grid.geometry.centroid.y.to_numpy()
    ha14 = grid[YEAR_COLUMNS[2014]].to_numpy()

    def compliant(poly) -> bool:
        return (
            poly.distance(water) > 200
            and poly.distance(parks) > 200
            and poly.distance(border) > 10500
        )

    def random_strip(x, y):
        return _strip(x, y, rng.uniform(0, math.pi), rng.uniform(2000, 5000), rng.uniform(180, 380))

    footprints: list[tuple[Polygon, str]] = []
    # Rule-abiding footprints over cultivated cells, mostly in XA01.
    idx = np.flatnonzero(ha14 > 1.0)
    weights = ha14[idx] * np.where(np.array([codes[i].startswith("XA01") for i in idx]), 9.0, 1.0)
    tries = 0
    while sum(1 for _, g in footprints if g == "ok") < 38 and tries < 5000:
        tries += 1
        j = rng.choice(idx, p=weights / weights.sum())
        poly = random_strip(cx[j] + rng.uniform(-400, 400), cy[j] + rng.uniform(-400, 400))
        if compliant(poly) and all(poly.distance(f) > 300 for f, _ in footprints):
            footprints.append((poly, "ok"))

    # Three within 100 m of a river: two cross it, one runs alongside at about 50 m.
    rivers_xa01 = rivers.loc[rivers.waterway == "river"]
    xa01 = shapely.union_all(munis.loc[munis.dept == "XA01"].geometry.to_numpy())
    made = 0
    tries = 0
    while made < 3 and tries < 5000:
        tries += 1
        line = rivers_xa01.geometry.iloc[int(rng.integers(len(rivers_xa01)))]
        p = line.interpolate(rng.uniform(0.1, 0.9), normalized=True)
        q = line.interpolate(line.project(p) + 300)
        along = math.atan2(q.y - p.y, q.x - p.x)
        width = rng.uniform(200, 300)
        if made < 2:
            poly = _strip(p.x, p.y, along + math.pi / 2 + rng.uniform(-0.4, 0.4), 3000, width)
        else:
            off = width / 2 + 25
            poly = _strip(
                p.x - math.sin(along) * off, p.y + math.cos(along) * off, along, 1200, width
            )
        if (
            xa01.contains(p)
            and poly.distance(water) < 100 - EDGE_MARGIN_M
            and poly.distance(parks) > 1000
            and poly.distance(border) > 10500
            and all(poly.distance(f) > 300 for f, _ in footprints)
        ):
            footprints.append((poly, "river"))
            made += 1
    # Two inside the national natural park.
    inner = pnn.buffer(-1200)
    made = tries = 0
    while made < 2 and tries < 5000:
        tries += 1
        ((x, y),) = points_in(rng, inner, 1)
        poly = _strip(x, y, rng.uniform(0, math.pi), rng.uniform(1800, 2600), rng.uniform(200, 300))
        if (
            pnn.contains(poly)
            and poly.distance(water) > 200
            and all(poly.distance(f) > 300 for f, _ in footprints)
        ):
            footprints.append((poly, "park"))
            made += 1
    # One inside the 10 km no-spray strip along the border.
    made = tries = 0
    xa01_grid = np.flatnonzero((ha14 > 0.5) & np.array([c.startswith("XA01") for c in codes]))
    while made < 1 and tries < 5000:
        tries += 1
        j = rng.choice(xa01_grid)
        poly = random_strip(cx[j], cy[j])
        d = poly.distance(border)
        if 4000 < d < 8000 and poly.distance(water) > 200 and poly.distance(parks) > 200:
            footprints.append((poly, "border"))
            made += 1

    order = rng.permutation(len(footprints))
    start = date(2014, 1, 20)
    days = np.sort(rng.integers(0, (date(2015, 9, 30) - start).days, len(footprints)))
    rows = []
    groups: dict[str, list[str]] = {"river": [], "park": [], "border": [], "ok": []}
    for n, k in enumerate(order):
        poly, group = footprints[k]
        fecha = start + timedelta(days=int(days[n]))
        ident = f"ASP-{fecha.year % 100:02d}-{n + 1:04d}"
        groups[group].append(ident)
        rows.append(
            dict(
                id_aspersion=ident,
                fecha=fecha,
                hectareas=round(poly.area / 10000, 1),
                modalidad="aspersión",
                producto="glifosato",
                programa="PECIG (sintético)",
                geometry=poly,
            )
        )
    gdf = gpd.GeoDataFrame(rows, crs=METRIC_EPSG)
    return gdf, groups


# --- violence ------------------------------------------------------------------------------

# Events a year before trends (2014), per municipality.
VIOLENCE_BASE = {
    "XA01001": 25, "XA01002": 46, "XA01003": 34, "XA01004": 21,
    "XA01005": 58, "XA01006": 23, "XA01007": 23, "XA01008": 12,
    "XA02001": 60, "XA02002": 32, "XA02003": 9, "XA02004": 9,
    "XA02005": 12, "XA02006": 14, "XA02007": 7, "XA02008": 21,
}  # fmt: skip
# Shared swings (peace-agreement lull in 2016-2017, pandemic dip in 2020).
VIOLENCE_COMMON = dict(
    zip(YEARS, (1.0, 0.9, 0.75, 0.8, 1.0, 1.1, 0.95, 1.15, 1.1, 1.05), strict=True)
)
CRACKDOWN_LEFT = 0.35  # share of Río Verde's violence left after the crackdown
DISPLACED = 1.8  # events pushed into Belén per event removed from Río Verde
HR_TARGET_LEFT, HR_RING_LEFT = 0.40, 0.60
HR_TARGET_M, HR_RING_M = 5000, 10000
CRACKDOWN_RING_M = 10000


def _dept_trend(dept: str, year: int) -> float:
    t = (year - YEARS[0]) / (YEARS[-1] - YEARS[0])
    return 0.85 + 0.55 * t if dept == "XA01" else 1.20 - 0.70 * t


def build_violence(
    rng, region, munis, settlements, grid, health
) -> tuple[list[dict], shapely.Geometry]:
    """Events from a monthly Poisson process per zone, with the planted changes.

    Returns the events (UTM x, y, date, municipality code, zone) and the edges (municipal
    borders, the planted rings) that events must keep clear of once written as ACLED rows.
    """
    gx, gy = grid_cells(region)
    code = np.full(len(gx), "", dtype=object)
    for m in munis.itertuples():
        code[shapely.contains_xy(m.geometry, gx, gy)] = m.code
    ok = code != ""
    gx, gy, code = gx[ok], gy[ok], code[ok]
    # Violence gathers around settlements and coca.
    sx, sy = settlements.geometry.x.to_numpy(), settlements.geometry.y.to_numpy()
    spop = settlements.population.to_numpy() ** 0.6
    w = np.zeros(len(gx))
    for x, y, p in zip(sx, sy, spop, strict=True):
        w += p * np.exp(-((gx - x) ** 2 + (gy - y) ** 2) / (2 * 4000.0**2))
    cult = dict(
        zip(
            zip(grid.geometry.centroid.x.round(), grid.geometry.centroid.y.round(), strict=True),
            grid[YEAR_COLUMNS[2017]],
            strict=True,
        )
    )
    w += 2.0 * np.array([cult.get((round(x), round(y)), 0.0) for x, y in zip(gx, gy, strict=True)])
    w += 0.02 * w.mean()

    hr = health.loc[health.name == HR_PROGRAMME].geometry.iloc[0]
    d_hr = np.hypot(gx - hr.x, gy - hr.y)
    rv = munis.set_index("code").geometry[CRACKDOWN_MUNI]
    d_rv = shapely.distance(rv, shapely.points(gx, gy))
    zone = code.copy()
    zone[(code == CRACKDOWN_NEIGHBOUR) & (d_rv <= CRACKDOWN_RING_M)] = "belen_ring"
    zone[d_hr <= HR_TARGET_M] = "hr_target"
    zone[(d_hr > HR_TARGET_M) & (d_hr <= HR_RING_M)] = "hr_ring"
    share = np.zeros(len(gx))
    for c in MUNICIPALITIES:
        sel = code == c
        share[sel] = w[sel] / w[sel].sum()
    muni_noise = {(c, y): rng.lognormal(0, 0.15) for c in MUNICIPALITIES for y in YEARS}
    zone_cells = {z: np.flatnonzero(zone == z) for z in sorted(set(zone))}
    muni_index = np.array([list(MUNICIPALITIES).index(c) for c in code])
    months = [(y, m) for y in YEARS for m in range(1, 13)]
    events: list[dict] = []
    for y, mo in months:
        first = date(y, mo, 1)
        rate_cell = np.array(
            [
                0.9
                * VIOLENCE_BASE[c]
                * _dept_trend(c[:4], y)
                * VIOLENCE_COMMON[y]
                * muni_noise[c, y]
                for c in MUNICIPALITIES
            ]
        )
        base = rate_cell[muni_index] * share / 12.0
        r = base.copy()
        if first >= CRACKDOWN_DATE:
            rv_cells = code == CRACKDOWN_MUNI
            removed = r[rv_cells].sum() * (1 - CRACKDOWN_LEFT)
            r[rv_cells] *= CRACKDOWN_LEFT
            ring = zone == "belen_ring"
            r[ring] += DISPLACED * removed * w[ring] / w[ring].sum()
        if first >= HR_DATE:
            r[zone == "hr_target"] *= HR_TARGET_LEFT
            r[zone == "hr_ring"] *= HR_RING_LEFT
        for z, sel in zone_cells.items():
            k = int(rng.poisson(r[sel].sum()))
            if not k:
                continue
            cells = rng.choice(sel, size=k, p=r[sel] / r[sel].sum())
            ndays = (date(y + (mo == 12), mo % 12 + 1, 1) - first).days
            for c in cells:
                events.append(
                    dict(
                        x=gx[c] + rng.uniform(-500, 500),
                        y=gy[c] + rng.uniform(-500, 500),
                        date=first + timedelta(days=int(rng.integers(0, ndays))),
                        code=code[c],
                        zone=z,
                    )
                )
    # Coca growers protest the eradication campaign in the municipal seat.
    seat = settlements.loc[(settlements.code == ERADICATION_MUNI) & (settlements.cabecera == "S")]
    for _ in range(14):
        d = CAMPAIGN_START + timedelta(
            days=int(rng.integers(0, (CAMPAIGN_END - CAMPAIGN_START).days))
        )
        events.append(
            dict(
                x=seat.geometry.x.iloc[0],
                y=seat.geometry.y.iloc[0],
                date=d,
                code=ERADICATION_MUNI,
                zone="protest",
            )
        )
    edges = shapely.union_all(
        [
            *munis.geometry.boundary,
            shapely.Point(hr.x, hr.y).buffer(HR_TARGET_M, quad_segs=64).exterior,
            shapely.Point(hr.x, hr.y).buffer(HR_RING_M, quad_segs=64).exterior,
            rv.buffer(CRACKDOWN_RING_M, quad_segs=64).exterior,
        ]
    )
    return events, edges
