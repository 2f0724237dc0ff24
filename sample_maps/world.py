"""The sample's fictional place: its geography, settlements, rivers, protected areas and
health facilities, and where and when the planted effects happen.

Everything is built in UTM 18N from one random generator; the order of the draws is part of
the sample (sample_maps/generate.py calls the builders in a fixed order).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.ops
from pyproj import Transformer
from scipy.spatial import cKDTree
from shapely.geometry import LineString, MultiPoint, Point, Polygon, box

SEED = 20260417
YEARS: tuple[int, ...] = tuple(range(2014, 2024))
METRIC_EPSG = 32618  # WGS 84 / UTM zone 18N
NOTE = "Synthetic demonstration data (Harm Atlas sample): not real observations."
COUNTRY = "Demolandia"
ISO3 = "XAA"  # user-assigned ISO range: no real country is claimed

TO_UTM = Transformer.from_crs(4326, METRIC_EPSG, always_xy=True)
TO_LONLAT = Transformer.from_crs(METRIC_EPSG, 4326, always_xy=True)

# --- the fictional geography -------------------------------------------------------------

DEPARTMENTS = {
    "XA01": "Serranía de Tucaré",  # judged by hectares eradicated
    "XA02": "Llanura del Guaimaró",  # judged by community outcomes
}
# code: (name, seed lon, seed lat, seat population)
MUNICIPALITIES: dict[str, tuple[str, float, float, int]] = {
    "XA01001": ("San José del Alto", -76.70, 1.72, 31500),
    "XA01002": ("Río Verde", -76.25, 1.28, 14200),
    "XA01003": ("Santa Lucía de las Peñas", -76.62, 0.80, 9800),
    "XA01004": ("Belén del Tacuré", -76.22, 0.78, 8700),
    "XA01005": ("Monteoscuro", -76.22, 1.76, 3900),
    "XA01006": ("La Cañada del Ñeque", -76.70, 0.30, 6100),
    "XA01007": ("San Martín de Quebradas", -76.25, 0.32, 7400),
    "XA01008": ("El Mirador", -76.72, 1.25, 5200),
    "XA02001": ("Puerto Asunción", -75.75, 1.22, 42800),
    "XA02002": ("Puerto Aguablanca", -75.82, 0.80, 12600),
    "XA02003": ("Villa Candelaria", -75.80, 1.70, 6900),
    "XA02004": ("Las Garzas", -75.30, 1.28, 5600),
    "XA02005": ("Santa Rosa del Cumbé", -75.35, 0.75, 7800),
    "XA02006": ("El Porvenir", -75.78, 0.30, 6300),
    "XA02007": ("Curupirá", -75.35, 1.72, 4100),
    "XA02008": ("Nueva Güepí", -75.30, 0.28, 8900),
}
# Where and when the planted effects happen (sample_maps/effects.py plants them).
ERADICATION_MUNI = "XA01003"
CRACKDOWN_MUNI = "XA01002"
CRACKDOWN_NEIGHBOUR = "XA01004"
HEALTH_GAP_MUNI = "XA01005"
HR_MUNI = "XA02001"

CAMPAIGN = "Operación Tacuré"
CAMPAIGN_CENTRE = (-76.56, 0.84)
CAMPAIGN_START, CAMPAIGN_END = date(2018, 3, 5), date(2018, 8, 31)
CRACKDOWN = "Operación Escudo Verde"
CRACKDOWN_DATE = date(2020, 2, 1)
HR_PROGRAMME = "Casa de Reducción de Daños Puerto Asunción"
HR_DATE = date(2019, 7, 1)
WINDOW_YEARS = 2  # violence windows either side of the intervention date
# Nothing counted is left this close to an area's edge, so every sound method counts alike.
EDGE_MARGIN_M = 60.0

# Protected areas: (WDPAID, name, designation (local), designation (English), IUCN, year,
#  centre lon, lat, radius km)
PROTECTED = [
    (900101, "Alto Tacuré", "Parque Nacional Natural", "National Natural Park", "II", 1989,
     -76.735, 0.87, 10.0),
    (900102, "Cuenca Alta del Río Verde", "Reserva Forestal Protectora",
     "Protective Forest Reserve", "VI", 1998, -76.56, 1.53, 8.0),
    (900103, "Serranía del Cumbé", "Parque Natural Regional", "Regional Natural Park",
     "Not Reported", 2007, -75.40, 0.87, 7.5),
    (900104, "Humedales del Guaimaró", "Distrito de Manejo Integrado",
     "Integrated Management District", "VI", 2012, -75.55, 1.62, 9.0),
]  # fmt: skip
PNN_ID = 900101

VEREDA_NAMES = [
    "La Unión", "El Diviso", "Bocas del Caguará", "Puerto Ñambú", "San Isidro de la Loma",
    "Santa Bárbara", "El Jardín", "La Montañita", "Alto Caimán", "Bajo Caimán", "Nueva Colonia",
    "El Tigre", "La Ceiba", "Campo Alegre", "Las Brisas del Yurú", "Peñas Blancas",
    "San Rafael de Güiza", "El Encanto", "La Playa", "Guadualito", "Piñuña Alta",
    "Villa Amazónica", "Bellavista", "El Cedral", "Agua Bonita", "Los Ángeles",
    "Santa Teresita", "El Recreo", "Puerto Garzón", "Caño Limón del Sur", "La Esmeralda",
    "El Paraíso", "San Antonio del Yurú", "Tres Esquinas", "La Perla", "El Cairo", "Monserrate",
    "La Isla", "El Danubio", "Brisas del Cumbé", "Yarumal Bajo", "Maracaibo", "La Argelia",
    "Cristalina", "El Porvenir Alto", "San Miguelito", "El Cóndor", "Mirolindo", "La Tebaida",
    "Comuneros", "Palmeras", "Quebradón", "El Guayabal", "La Arenosa", "Puerto Toledo",
    "El Vergel", "Las Delicias", "Chontaduro", "El Retiro", "Altamira", "Ñeque Bajo",
    "San Luis de Acá", "La Pradera", "Guacamayas", "El Silencio", "Los Pinos", "Sabaleta",
    "Puerto Yurú", "La Concordia", "Tucaré Viejo",
]  # fmt: skip

# Rivers: (name, start lon/lat, end lon/lat, Strahler order); tributaries follow.
MAIN_RIVERS = [
    ("Río Caguará", (-76.40, 2.05), (-74.92, 1.78), 4),
    ("Río Tacuré", (-77.08, 1.62), (-74.92, 1.18), 5),
    ("Río Verde", (-77.08, 1.08), (-74.92, 0.62), 5),
    ("Río Guaimaró", (-77.08, 0.52), (-75.40, -0.08), 5),
]
TRIBUTARY_NAMES = [
    "Río Yurú", "Río Güiza", "Río Ñambú", "Río Cumbé", "Río Peñas", "Río Sabaleta",
    "Río Caimán", "Río Mirolindo", "Río Chontaduro", "Río Tigre", "Río Danubio", "Río Garzón",
]  # fmt: skip
STREAM_NAMES = [
    "Quebrada La Honda", "Caño Negro", "Quebrada El Ñeque", "Quebrada Aguas Claras",
    "Caño Sucio", "Quebrada La Tigra", "Quebrada Las Lajas", "Caño Guacamayo",
    "Quebrada El Silencio", "Caño Rico", "Quebrada San Pablo", "Caño Blanco", "Quebrada Piñuña",
    "Caño Yarumal", "Quebrada La Sucia", "Caño Arenoso", "Quebrada El Cedro", "Caño Pescado",
    "Quebrada Los Monos", "Caño Limón", "Quebrada Honda Baja", "Caño Bonito", "Quebrada El Oso",
    "Caño Verde",
]  # fmt: skip


# --- small geometry helpers -------------------------------------------------------------


def to_utm(lon: float, lat: float) -> tuple[float, float]:
    return TO_UTM.transform(lon, lat)


def _warp_xy(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # A smooth plane warp (Lipschitz < 1, so it cannot fold) makes Voronoi edges look surveyed.
    dx = 3000 * np.sin(y / 12000 + 0.7) + 1200 * np.sin((x + y) / 5000 + 2.1)
    dy = 3000 * np.sin(x / 13000 + 1.9) + 1200 * np.sin((x - y) / 5200 + 0.4)
    dx += 5000 * np.sin(y / 30000 + 0.2)
    dy += 4500 * np.sin(x / 32000 + 2.5)
    return x + dx, y + dy


def _warp(geom):
    return shapely.transform(geom, lambda c: np.column_stack(_warp_xy(c[:, 0], c[:, 1])))


def _blob(rng: np.random.Generator, cx: float, cy: float, radius: float) -> Polygon:
    """An irregular round polygon (protected areas)."""
    theta = np.linspace(0, 2 * np.pi, 90, endpoint=False)
    r = np.ones_like(theta)
    for k in (2, 3, 5, 7):
        r += rng.uniform(0.04, 0.16) / math.sqrt(k) * np.sin(k * theta + rng.uniform(0, 6.28))
    return Polygon(
        np.column_stack([cx + radius * r * np.cos(theta), cy + radius * r * np.sin(theta)])
    )


def _meander(
    rng: np.random.Generator, a: tuple[float, float], b: tuple[float, float], amp: float
) -> LineString:
    """A river course from a to b: a straight line bent by a few sines, fixed at both ends."""
    a_, b_ = np.asarray(a), np.asarray(b)
    length = float(np.hypot(*(b_ - a_)))
    n = max(int(length / 250), 8)
    t = np.linspace(0, 1, n)
    normal = np.array([-(b_ - a_)[1], (b_ - a_)[0]]) / length
    off = np.zeros_like(t)
    for cycles, weight in ((length / 40000, 0.6), (length / 12000, 0.3), (length / 5000, 0.1)):
        off += weight * np.sin(2 * np.pi * cycles * t + rng.uniform(0, 6.28))
    off *= amp * np.sin(np.pi * t) ** 0.7
    pts = a_ + np.outer(t, b_ - a_) + np.outer(off, normal)
    return LineString(pts)


def points_in(rng: np.random.Generator, poly, n: int, min_gap: float = 0.0, avoid=()) -> list:
    """n random points inside poly, at least min_gap apart (and from `avoid`)."""
    minx, miny, maxx, maxy = poly.bounds
    taken = [np.asarray(p) for p in avoid]
    out: list[tuple[float, float]] = []
    tries = 0
    while len(out) < n and tries < 20000:
        tries += 1
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if not poly.contains(Point(x, y)):
            continue
        if min_gap and any(math.hypot(x - p[0], y - p[1]) < min_gap for p in taken):
            continue
        taken.append(np.array([x, y]))
        out.append((x, y))
    return out


def grid_cells(region: Polygon) -> tuple[np.ndarray, np.ndarray]:
    minx, miny, maxx, maxy = (math.floor(v / 1000) * 1000 for v in region.bounds)
    xs = np.arange(minx + 500, maxx + 1000, 1000.0)
    ys = np.arange(miny + 500, maxy + 1000, 1000.0)
    gx, gy = np.meshgrid(xs, ys)
    gx, gy = gx.ravel(), gy.ravel()
    keep = shapely.contains_xy(region, gx, gy)
    return gx[keep], gy[keep]


def nearest_distance(x: np.ndarray, y: np.ndarray, px, py) -> np.ndarray:
    if len(px) == 0:
        return np.full(len(x), np.inf)
    d, _ = cKDTree(np.column_stack([px, py])).query(np.column_stack([x, y]))
    return d


# --- the world ---------------------------------------------------------------------------


@dataclass
class World:
    """Everything generated, in UTM 18N, before it is written out."""

    region: Polygon
    border: LineString
    munis: gpd.GeoDataFrame  # code, name, dept, geometry (UTM)
    settlements: gpd.GeoDataFrame
    rivers: gpd.GeoDataFrame
    protected: gpd.GeoDataFrame
    health: gpd.GeoDataFrame
    grid: gpd.GeoDataFrame
    manual: gpd.GeoDataFrame
    spray: gpd.GeoDataFrame
    violence: pd.DataFrame
    planted: dict


def build_geography(rng: np.random.Generator):
    """Region, municipalities (warped Voronoi cells), departments and the border."""
    xw, _ = to_utm(-76.95, 1.0)
    xe, _ = to_utm(-75.08, 1.0)
    xw, xe = round(xw, -3), round(xe, -3)
    ys, yn = 15000.0, 210000.0

    def bottom(x):  # the international border, before warping
        return ys + 5000 * np.sin(x / 23000 + 0.3) + 2000 * np.sin(x / 7000)

    xs_border = np.arange(xw - 20000, xe + 20001, 1000.0)
    border_pre = np.column_stack([xs_border, bottom(xs_border)])
    inside = (xs_border >= xw) & (xs_border <= xe)
    south = border_pre[inside]
    yb_e, yb_w = float(bottom(np.array([xe]))[0]), float(bottom(np.array([xw]))[0])
    t = np.linspace(0, 1, 60)
    east_y = yb_e + t * (yn - yb_e)
    bump = np.sin(np.pi * t)
    east_x = 6000 * np.sin(east_y / 21000 + 1) + 2500 * np.sin(east_y / 6000)
    east = np.column_stack([xe + bump * east_x, east_y])
    xs_top = np.arange(xe, xw - 1, -1000.0)
    tt = (xs_top - xe) / (xw - xe)
    top_y = 8000 * np.sin(xs_top / 26000 + 1) + 2500 * np.sin(xs_top / 8000)
    top = np.column_stack([xs_top, yn + np.sin(np.pi * tt) * top_y])
    west_y = yn - t * (yn - yb_w)
    west_x = 7000 * np.sin(west_y / 20000) + 2500 * np.sin(west_y / 7000 + 2)
    west = np.column_stack([xw + bump * west_x, west_y])
    ring = np.vstack([south, east[1:], top[1:], west[1:-1]])
    region_pre = shapely.make_valid(Polygon(ring))

    codes = list(MUNICIPALITIES)
    seeds = [to_utm(v[1], v[2]) for v in MUNICIPALITIES.values()]
    cells = shapely.get_parts(
        shapely.voronoi_polygons(MultiPoint(seeds), extend_to=box(*region_pre.buffer(50000).bounds))
    )
    rows = []
    for code, seed in zip(codes, seeds, strict=True):
        cell = next(c for c in cells if c.contains(Point(seed)))
        poly = shapely.segmentize(cell.intersection(region_pre), 1000.0)
        rows.append(
            {
                "code": code,
                "name": MUNICIPALITIES[code][0],
                "dept": code[:4],
                "seat": _warp(Point(seed)),
                "geometry": _warp(poly),
            }
        )
    munis = gpd.GeoDataFrame(rows, crs=METRIC_EPSG)
    region = _warp(region_pre)
    border = _warp(LineString(border_pre))
    return region, border, munis


def build_settlements(rng: np.random.Generator, munis: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    names = list(VEREDA_NAMES)
    rng.shuffle(names)
    rows = []
    for m in munis.itertuples():
        seat_pop = MUNICIPALITIES[m.code][3]
        rows.append(
            dict(
                name=m.name,
                place="town",
                population=seat_pop,
                cabecera="S",
                code=m.code,
                geometry=m.seat,
            )
        )
        n = int(rng.integers(3, 6))
        core = m.geometry.buffer(-2500)
        for x, y in points_in(rng, core, n, min_gap=9000, avoid=[(m.seat.x, m.seat.y)]):
            pop = int(round(float(rng.lognormal(math.log(750), 0.6)), -1))
            rows.append(
                dict(
                    name=names.pop(),
                    place="village" if pop >= 500 else "hamlet",
                    population=max(pop, 90),
                    cabecera="N",
                    code=m.code,
                    geometry=Point(x, y),
                )
            )
    return gpd.GeoDataFrame(rows, crs=METRIC_EPSG)


def _join(line: LineString, network) -> LineString | None:
    """Cut a new watercourse where it first meets the network, so rivers join and never cross."""
    if network is None:
        return line
    hit = line.intersection(network)
    if hit.is_empty:
        return line
    first = min(line.project(Point(xy)) for xy in shapely.get_coordinates(hit))
    return shapely.ops.substring(line, 0, first) if first > 3000 else None


def build_rivers(rng: np.random.Generator) -> gpd.GeoDataFrame:
    rows: list[dict] = []
    network = None

    def accept(name, waterway, order, line) -> LineString | None:
        nonlocal network
        line = _join(line, network)
        if line is None:
            return None
        rows.append(dict(name=name, waterway=waterway, stream_order=order, geometry=line))
        network = line if network is None else network.union(line)
        return line

    tribs = list(TRIBUTARY_NAMES)
    streams = list(STREAM_NAMES)
    # Main rivers first (never cut), then tributaries and streams that end where they meet one.
    mains = [
        accept(name, "river", order, _meander(rng, to_utm(*a), to_utm(*b), amp=5000))
        for name, a, b, order in MAIN_RIVERS
    ]
    for main, (*_, order) in zip(mains, MAIN_RIVERS, strict=True):
        for side, frac in ((1, 0.22), (-1, 0.45), (1, 0.7)):
            if not tribs:
                break
            junction = main.interpolate(frac + rng.uniform(-0.05, 0.05), normalized=True)
            ahead = main.interpolate(min(frac + 0.06, 1.0), normalized=True)
            dx, dy = ahead.x - junction.x, ahead.y - junction.y
            norm = math.hypot(dx, dy)
            # Tributaries come from upstream (west) and from the side.
            dist = rng.uniform(14000, 22000)
            start = (
                junction.x - dx / norm * dist * 0.8 - dy / norm * dist * side,
                junction.y - dy / norm * dist * 0.8 + dx / norm * dist * side,
            )
            trib = _meander(rng, start, (junction.x, junction.y), amp=1800)
            trib = accept(tribs.pop(0), "river", order - 2, trib)
            if trib is None:
                continue
            for frac2 in (0.35, 0.7):
                if not streams:
                    break
                j2 = trib.interpolate(frac2, normalized=True)
                side2 = 1 if rng.uniform() < 0.5 else -1
                d2 = rng.uniform(4000, 8000)
                s2 = (
                    j2.x - dy / norm * d2 * side2 - dx / norm * d2 * 0.3,
                    j2.y + dx / norm * d2 * side2,
                )
                line = _meander(rng, s2, (j2.x, j2.y), amp=600)
                accept(streams.pop(0), "stream", int(rng.integers(1, 3)), line)
    return gpd.GeoDataFrame(rows, crs=METRIC_EPSG)


def build_protected(rng: np.random.Generator, region: Polygon) -> gpd.GeoDataFrame:
    rows = []
    for wdpaid, name, desig, desig_eng, iucn, year, lon, lat, radius in PROTECTED:
        cx, cy = to_utm(lon, lat)
        poly = _blob(rng, cx, cy, radius * 1000).intersection(region)
        rows.append(
            dict(
                WDPAID=wdpaid,
                WDPA_PID=str(wdpaid),
                PA_DEF="1",
                NAME=name,
                ORIG_NAME=f"{desig} {name}",
                DESIG=desig,
                DESIG_ENG=desig_eng,
                DESIG_TYPE="National",
                IUCN_CAT=iucn,
                INT_CRIT="Not Applicable",
                MARINE="0",
                REP_M_AREA=0.0,
                REP_AREA=round(poly.area / 1e6, 2),
                STATUS="Designated",
                STATUS_YR=year,
                GOV_TYPE="Federal or national ministry or agency",
                MANG_AUTH="Autoridad ambiental (sintética)",
                ISO3=ISO3,
                PARENT_ISO=ISO3,
                NOTE=NOTE,
                geometry=poly,
            )
        )
    return gpd.GeoDataFrame(rows, crs=METRIC_EPSG)


# --- health services ---------------------------------------------------------------------
class Facility(NamedTuple):
    """One healthsites.io-like record before it is written out (its columns, in order)."""

    kind: str
    name: str
    code: str
    capacity: int
    beds: int | None = None
    status: str = "operational"
    opened: date | None = None


def build_health(
    rng: np.random.Generator, munis: gpd.GeoDataFrame, settlements: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """healthsites.io-like facilities: good cover in XA02, thin in XA01, none near Monteoscuro."""
    gap = settlements.loc[settlements.code == HEALTH_GAP_MUNI].geometry
    seats = settlements.loc[settlements.cabecera == "S"].set_index("code").geometry
    rows: list[dict] = []

    def add(point, *record, **more):
        # Facilities sit a few hundred metres from the settlement's reference point.
        x = point.x + rng.uniform(-500, 500)
        y = point.y + rng.uniform(-500, 500)
        rows.append({**Facility(*record, **more)._asdict(), "geometry": Point(x, y)})

    for code, (mname, *_rest) in MUNICIPALITIES.items():
        seat = seats[code]
        if code == HEALTH_GAP_MUNI:
            continue
        if code == "XA01001":
            add(seat, "hospital", f"Hospital San Rafael de {mname}", code, 260, beds=64)
            add(seat, "pharmacy", f"Droguería La Económica {mname}", code, 80)
        elif code == HR_MUNI:
            add(
                seat,
                "hospital",
                "Hospital Regional Nuestra Señora del Guaimaró",
                code,
                420,
                beds=86,
            )
            add(seat, "harm_reduction", HR_PROGRAMME, code, 35, opened=HR_DATE)
            add(seat, "pharmacy", "Droguería Amazónica Puerto Asunción", code, 90)
        elif code.startswith("XA02"):
            add(seat, "clinic", f"Centro de Salud {mname}", code, int(rng.integers(60, 95)), beds=8)
        else:
            add(seat, "health_post", f"Puesto de Salud {mname}", code, int(rng.integers(25, 45)))
    add(
        seats["XA02002"],
        "harm_reduction",
        "Punto de Atención Reducción de Riesgos Aguablanca",
        "XA02002",
        25,
        opened=date(2020, 3, 2),
    )
    add(
        seats["XA02008"],
        "harm_reduction",
        "Equipo Móvil Reducción de Daños Nueva Güepí",
        "XA02008",
        20,
        opened=date(2021, 2, 1),
    )

    veredas = settlements.loc[settlements.cabecera == "N"]
    far = veredas.geometry.apply(lambda p: gap.distance(p).min() > 20000)
    for code, n, status in (
        ("XA01003", 1, "operational"),
        ("XA01006", 1, "closed"),
        ("XA01007", 1, "operational"),
        ("XA02002", 2, "operational"),
        ("XA02004", 1, "operational"),
        ("XA02005", 2, "operational"),
        ("XA02006", 1, "operational"),
        ("XA02008", 1, "operational"),
        ("XA02001", 1, "operational"),
    ):
        pool = veredas.loc[(veredas.code == code) & far]
        for v in pool.head(n).itertuples():
            add(v.geometry, "health_post", f"Puesto de Salud {v.name}", code, 20, status=status)
    return gpd.GeoDataFrame(rows, crs=METRIC_EPSG)
