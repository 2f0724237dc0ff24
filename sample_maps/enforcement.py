"""The sample's enforcement records and municipal statistics, with the enforcement story planted.

- **Arrests, seizures and operations** (`data/capturas_incautaciones_policia_xaa_…csv`): one
  row per police action, in the shape of Colombia's police open data ("capturas",
  "incautaciones"): fecha_hecho (dd/mm/yyyy), tipo_accion, delito as the penal code names it,
  droga, cantidad + unidad as typed (GRAMOS, kg, LIBRAS, TONELADAS), capturas (people a row
  counts: an operation arrests several), departamento, municipio, cod_mpio, latitud/longitud.
- **Municipal statistics** (`data/estadisticas_municipales_xaa_synthetic.xlsx`): DIVIPOLA-style
  codes with their leading zeros, stored as text ("01001" is XA01001), poverty, school
  attendance and homicide rates wide by year, and exactly two codes no boundary has.

Planted: Serranía de Tucaré (XA01) spends most of its arrests on possession for personal use
in San José del Alto, its least violent municipality, while the armed group that commits
XA01's violence (Frente Tacuré) operates elsewhere (Monteoscuro, Belén del Tacuré); Llanura
del Guaimaró (XA02) arrests at the trafficking and organised-crime level and seizes cocaine
by the hundreds of kilograms and tonnes where the trafficking group (Clan del Caguará)
commits its violence. A generator of its own (`seed`, 17) keeps every other draw as it was.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sample_maps.formats import POLITICAL_VIOLENCE
from sample_maps.world import DEPARTMENTS, MUNICIPALITIES, NOTE, TO_LONLAT, TO_UTM, YEARS, World

ENFORCEMENT_FILES = {
    "enforcement": "data/capturas_incautaciones_policia_xaa_2014-2023_synthetic.csv",
    "statistics": "data/estadisticas_municipales_xaa_synthetic.xlsx",
}
ENFORCEMENT_LAYER = "Capturas e incautaciones (Policía)"
STATISTICS_SHEET = "municipios"

POSSESSION_TOWN = "XA01001"  # San José del Alto: the department seat, least violent of XA01
# The armed groups whose violence each department's enforcement is judged against (ACLED
# actor1 names, sample_maps/formats.py): XA01's violence is the dissident front's; XA02's
# trafficking group is the Clan.
GROUPS = {"XA01": "Frente Tacuré (Disidencias)", "XA02": "Clan del Caguará"}
NEAR_GROUP_M = 5000  # "where the group's violence is": within 5 km of one of its events
EDGE_M = 150  # every record this far inside its municipality (cod_mpio = the polygon's)

# Offence texts as police exports write them, with the level each was planted to stand for
# (layers/enforcement_levels.py must read them so; the last two it must leave unclassified).
OFFENCES = {
    "possession": [
        ("Porte de estupefacientes", "personal_use"),
        ("PORTE DE ESTUPEFACIENTES - DOSIS PERSONAL", "personal_use"),
        ("Consumo de sustancias psicoactivas en espacio público", "personal_use"),
    ],
    "supply": [
        ("Tráfico de estupefacientes - microtráfico", "small_supply"),
        ("Expendio de estupefacientes (jíbaro)", "small_supply"),
    ],
    "trafficking": [
        ("ARTÍCULO 376. TRÁFICO, FABRICACIÓN O PORTE DE ESTUPEFACIENTES", "trafficking"),
        ("Tráfico de estupefacientes agravado", "trafficking"),
    ],
    "organised": [
        ("ARTÍCULO 340. CONCIERTO PARA DELINQUIR AGRAVADO", "organised_crime"),
        ("Concierto para delinquir con fines de narcotráfico (cabecilla)", "organised_crime"),
    ],
    "unclassified": [
        ("Fabricación, tráfico y porte de armas de fuego", "unclassified"),
        ("Port. estupef.", "unclassified"),
    ],
}
OPERATION_OFFENCE = {
    "XA01": "Porte de estupefacientes",  # street searches in the seat's parks and bars
    "XA02": "ARTÍCULO 340. CONCIERTO PARA DELINQUIR AGRAVADO",
}

# Records a year (Poisson means) per department and kind; persons per record drawn below.
ARRESTS = {
    "XA01": {"possession": 46.0, "supply": 14.0, "trafficking": 4.0, "organised": 0.6},
    "XA02": {"possession": 9.0, "supply": 6.0, "trafficking": 26.0, "organised": 9.0},
}
UNCLASSIFIED_PER_YEAR = 1.5
OPERATIONS = {"XA01": 3.0, "XA02": 4.0}
SEIZURES = {"XA01": 22.0, "XA02": 24.0}
# Share of XA01's possession and supply records in the possession town (the rest at the
# other seats, outside Monteoscuro); XA02's possession records are at Puerto Asunción.
TOWN_SHARE = 0.85


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng([seed, 17])


def _inner(munis: gpd.GeoDataFrame) -> dict[str, shapely.Geometry]:
    return {m.code: m.geometry.buffer(-EDGE_M) for m in munis.itertuples()}


def _near(rng, x: float, y: float, sigma: float, cap: float, area) -> tuple[float, float]:
    """A point about `sigma` from (x, y), at most `cap` away, inside `area`."""
    for _ in range(2000):
        dx, dy = rng.normal(0, sigma, 2)
        if dx * dx + dy * dy <= cap * cap and area.contains(shapely.Point(x + dx, y + dy)):
            return x + dx, y + dy
    raise RuntimeError("could not place an enforcement record inside its municipality")


def _when(rng, year: int) -> date:
    return date(year, 1, 1) + timedelta(days=int(rng.integers(0, 365)))


def group_events(violence: pd.DataFrame, dept: str) -> pd.DataFrame:
    """The political-violence events the department's group committed, with UTM x/y."""
    group = GROUPS[dept]
    ev = violence.loc[
        (violence.actor1 == group)
        & violence.event_type.isin(POLITICAL_VIOLENCE)
        & (violence.admin1 == DEPARTMENTS[dept])
    ].copy()
    ev["x"], ev["y"] = TO_UTM.transform(ev.longitude.to_numpy(), ev.latitude.to_numpy())
    return ev.reset_index(drop=True)


def build_enforcement(world: World, seed: int) -> pd.DataFrame:
    """Every arrest, seizure and operation 2014-2023 (UTM x/y), the story planted."""
    rng = _rng(seed)
    inner = _inner(world.munis)
    st = world.settlements
    seats = {s.code: (s.geometry.x, s.geometry.y) for s in st.loc[st.cabecera == "S"].itertuples()}
    clan = group_events(world.violence, "XA02")
    rows: list[dict] = []

    def at_seat(code: str, sigma: float = 700.0) -> tuple[float, float, str]:
        x, y = _near(rng, *seats[code], sigma, 2500.0, inner[code])
        return x, y, code

    def at_clan() -> tuple[float, float, str]:
        e = clan.iloc[int(rng.integers(len(clan)))]
        code = next(c for c in MUNICIPALITIES if MUNICIPALITIES[c][0] == e.admin2)
        x, y = _near(rng, e.x, e.y, 1200.0, 3000.0, inner[code])
        return x, y, code

    others_xa01 = [c for c in MUNICIPALITIES if c.startswith("XA01") and c not in (POSSESSION_TOWN, "XA01005")]  # fmt: skip
    others_xa02 = [c for c in MUNICIPALITIES if c.startswith("XA02") and c != "XA02001"]

    def place(dept: str, kind: str) -> tuple[float, float, str]:
        if dept == "XA02" and kind in ("trafficking", "organised", "operation", "seizure"):
            return at_clan()
        if dept == "XA02":
            home = "XA02001" if kind == "possession" else str(rng.choice(others_xa02 + ["XA02001"]))
            return at_seat(home)
        if kind in ("possession", "supply", "operation", "seizure") and rng.uniform() < TOWN_SHARE:
            return at_seat(POSSESSION_TOWN)
        return at_seat(str(rng.choice(others_xa01)))

    for year in YEARS:
        for dept in ("XA01", "XA02"):
            for kind, mean in ARRESTS[dept].items():
                if dept == "XA02" and kind == "possession" and year >= 2019:
                    mean *= 0.5  # referrals to the harm-reduction service instead
                for _ in range(int(rng.poisson(mean))):
                    x, y, code = place(dept, kind)
                    offences = OFFENCES[kind]
                    text = offences[int(rng.integers(len(offences)))][0]
                    persons = 1 + int(
                        rng.poisson(0.15 if kind in ("possession", "supply") else 0.9)
                    )
                    rows.append(dict(kind="arrest", x=x, y=y, code=code, when=_when(rng, year),
                                     delito=text, capturas=persons))  # fmt: skip
            for _ in range(int(rng.poisson(UNCLASSIFIED_PER_YEAR))):
                x, y, code = place(dept, "supply")
                text = OFFENCES["unclassified"][int(rng.integers(2))][0]
                rows.append(dict(kind="arrest", x=x, y=y, code=code, when=_when(rng, year),
                                 delito=text, capturas=1))  # fmt: skip
            for _ in range(int(rng.poisson(OPERATIONS[dept]))):
                x, y, code = place(dept, "operation")
                persons = int(rng.integers(6, 16)) if dept == "XA01" else int(rng.integers(4, 22))
                rows.append(dict(kind="operation", x=x, y=y, code=code, when=_when(rng, year),
                                 delito=OPERATION_OFFENCE[dept], capturas=persons))  # fmt: skip
            for _ in range(int(rng.poisson(SEIZURES[dept]))):
                x, y, code = place(dept, "seizure")
                rows.append(dict(kind="seizure", x=x, y=y, code=code, when=_when(rng, year),
                                 capturas=0, **_seizure(rng, dept)))  # fmt: skip
    return pd.DataFrame(rows)


def _seizure(rng, dept: str) -> dict:
    """What was seized and how much, typed as police tables type it."""
    if dept == "XA01":  # street quantities: a few grams, now and then a kilo or two
        drug = str(
            rng.choice(["Marihuana", "Base de coca (basuco)", "Cocaína"], p=[0.5, 0.35, 0.15])
        )
        if rng.uniform() < 0.9:
            return dict(droga=drug, cantidad=round(float(rng.uniform(1.5, 80.0)), 1),
                        unidad=str(rng.choice(["GRAMOS", "g", "gr"])))  # fmt: skip
        return dict(droga=drug, cantidad=round(float(rng.uniform(0.2, 2.5)), 2), unidad="kg")
    pick = rng.uniform()
    if pick < 0.55:  # cocaine by the hundreds of kilograms, now and then tonnes
        kg = float(np.exp(rng.normal(np.log(180.0), 1.2)))
        if kg >= 1000 and rng.uniform() < 0.5:
            return dict(
                droga="Clorhidrato de cocaína", cantidad=round(kg / 1000, 2), unidad="TONELADAS"
            )
        return dict(droga="Clorhidrato de cocaína", cantidad=round(kg, 1), unidad="KILOGRAMOS")
    if pick < 0.85:
        kg = float(np.exp(rng.normal(np.log(60.0), 1.0)))
        return dict(droga="Pasta básica de cocaína", cantidad=round(kg, 1), unidad="kg")
    lb = float(np.exp(rng.normal(np.log(300.0), 0.8)))
    return dict(droga="Marihuana", cantidad=round(lb, 0), unidad="LIBRAS")


def enforcement_table(records: pd.DataFrame) -> pd.DataFrame:
    """The records as a police open-data CSV (Spanish columns, day-first dates, lon/lat)."""
    records = records.sort_values(["when", "x"], kind="stable").reset_index(drop=True)
    lon, lat = TO_LONLAT.transform(records.x.to_numpy(), records.y.to_numpy())
    prefix = {"arrest": "CAP", "seizure": "INC", "operation": "OPE"}
    action = {"arrest": "CAPTURA", "seizure": "INCAUTACIÓN", "operation": "OPERATIVO"}
    out = pd.DataFrame(
        {
            "id_hecho": [f"{prefix[k]}-{w.year}-{i + 1:05d}" for i, (k, w) in enumerate(zip(records.kind, records.when, strict=True))],
            "fecha_hecho": [w.strftime("%d/%m/%Y") for w in records.when],
            "tipo_accion": [action[k] for k in records.kind],
            "delito": records.get("delito", pd.Series(dtype=object)).fillna(""),
            "droga": records.get("droga", pd.Series(dtype=object)).fillna(""),
            "cantidad": records.get("cantidad", pd.Series(dtype=float)),
            "unidad": records.get("unidad", pd.Series(dtype=object)).fillna(""),
            "capturas": records.capturas.astype(int),
            "departamento": [DEPARTMENTS[c[:4]] for c in records.code],
            "municipio": [MUNICIPALITIES[c][0] for c in records.code],
            "cod_mpio": records.code,
            "latitud": np.round(lat, 5),
            "longitud": np.round(lon, 5),
            "fuente": "Policía Nacional de Demolandia (sintético)",
            "nota": NOTE,
        }
    )  # fmt: skip
    return out


def write_enforcement(world: World, root: Path, seed: int) -> None:
    table = enforcement_table(build_enforcement(world, seed))
    table.to_csv(root / ENFORCEMENT_FILES["enforcement"], index=False, lineterminator="\n")
    write_statistics(world, root, seed)


# --- municipal statistics (XLSX) ------------------------------------------------------------

# Codes in the table that no boundary has, and why (a careful join names both).
UNMATCHED = {
    "01009": ("Nuevo Tucaré", "municipality created in 2022, after the 2020 boundaries"),
    "02099": ("Área no municipalizada del Guaimaró", "non-municipalised area: no ADM2 polygon"),
}
FIXED_XLSX_TIME = datetime(2024, 1, 1)


def divipola(code: str) -> str:
    """'XA01001' -> '01001': the sample's P-code as a DIVIPOLA-style code, zeros kept."""
    return code[2:]


def statistics_table(world: World, seed: int) -> pd.DataFrame:
    """Poverty (IPM), school attendance and homicides per 100,000 a year, per municipality."""
    rng = np.random.default_rng([seed, 18])
    ev = world.violence
    pops = world.settlements.groupby("code").population.sum()
    deaths = ev.groupby(["admin2", "year"]).fatalities.sum()
    rows = []
    for code, (name, *_rest) in MUNICIPALITIES.items():
        conflict = code[:4] == "XA01"
        row = {
            "codigo_divipola": divipola(code),
            "departamento": DEPARTMENTS[code[:4]],
            "municipio": name,
            "ipm_2018": round(float(np.clip(rng.normal(48 if conflict else 36, 8), 15, 85)), 1),
            "asistencia_escolar_2018": round(float(np.clip(rng.normal(78 if conflict else 86, 4), 55, 98)), 1),
        }  # fmt: skip
        for y in YEARS:
            homicides = deaths.get((name, y), 0) * 1.2 + rng.poisson(2)
            row[f"tasa_homicidios_{y}"] = round(float(homicides) / float(pops[code]) * 1e5, 1)
        rows.append(row)
    for code, (name, _why) in UNMATCHED.items():
        dept = "XA0" + code[1]
        row = {
            "codigo_divipola": code,
            "departamento": DEPARTMENTS[dept],
            "municipio": name,
            "ipm_2018": round(float(rng.uniform(40, 70)), 1),
            "asistencia_escolar_2018": round(float(rng.uniform(65, 85)), 1),
        }
        for y in YEARS:
            row[f"tasa_homicidios_{y}"] = (
                None if y < 2022 and code == "01009" else round(float(rng.uniform(20, 90)), 1)
            )
        rows.append(row)  # fmt: skip
    table = pd.DataFrame(rows).sort_values("codigo_divipola", kind="stable").reset_index(drop=True)
    table["nota"] = NOTE
    return table


def write_statistics(world: World, root: Path, seed: int) -> None:
    """The XLSX with codes as text (zeros kept) and fixed timestamps (same bytes every run)."""
    from openpyxl import Workbook

    table = statistics_table(world, seed)
    wb = Workbook()
    ws = wb.active
    ws.title = STATISTICS_SHEET
    ws.append(list(table.columns))
    for values in table.itertuples(index=False):
        ws.append([None if isinstance(v, float) and v != v else v for v in values])
    for row in ws.iter_rows(min_row=2, max_col=1):
        row[0].number_format = "@"  # Excel shows "01001" as text, never 1001
    notes = wb.create_sheet("notas")
    notes.append(["Estadísticas municipales de Demolandia (datos sintéticos de demostración)"])
    notes.append([NOTE])
    notes.append(["codigo_divipola: departamento (2 dígitos) + municipio (3 dígitos), como texto."])
    notes.append(["ipm_2018: índice de pobreza multidimensional (%); asistencia_escolar_2018 (%);"
                  " tasa_homicidios_AAAA: homicidios por 100.000 habitantes."])  # fmt: skip
    wb.properties.creator = "Harm Atlas sample generator"
    wb.properties.title = "Synthetic municipal statistics"
    wb.properties.created = FIXED_XLSX_TIME
    buffer = io.BytesIO()
    wb.save(buffer)
    _write_fixed_zip(buffer.getvalue(), root / ENFORCEMENT_FILES["statistics"])


def _write_fixed_zip(data: bytes, path: Path) -> None:
    """Rewrite an XLSX with fixed entry dates and a fixed modified time (openpyxl stamps now)."""
    stamp = FIXED_XLSX_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp.encode() + rb"\g<2>",
                    body,
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, body)
