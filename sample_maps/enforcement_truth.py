"""What the sample's enforcement records and statistics table hold, measured from the written
files (not from the generator's draws): whom each department's arrests hit, what it seized,
where, and how that lies against the violence of the armed group each is judged against.

Levels are read with the app's vocabulary (layers/enforcement_levels.py); the planted offence
texts and the level each stands for are in ground_truth.json, so a test can check the
vocabulary and recount the figures with plain pandas.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from layers.enforcement_levels import (
    HIGH_LEVELS,
    LOW_LEVELS,
    QUANTITY_BANDS,
    TargetLevel,
    classify_drug,
    grams_series,
    level_series,
    quantity_band,
)
from sample_maps.enforcement import (
    ENFORCEMENT_FILES,
    ENFORCEMENT_LAYER,
    GROUPS,
    NEAR_GROUP_M,
    OFFENCES,
    POSSESSION_TOWN,
    STATISTICS_SHEET,
    UNMATCHED,
)
from sample_maps.formats import FILES, POLITICAL_VIOLENCE
from sample_maps.readme_formats import EN, Formats
from sample_maps.world import DEPARTMENTS, METRIC_EPSG, MUNICIPALITIES

ARREST_ACTIONS = ("CAPTURA", "OPERATIVO")  # rows whose capturas are people arrested


def load_enforcement(root: Path) -> gpd.GeoDataFrame:
    """The records in UTM 18N, with each record's municipality (by its point) and level."""
    root = Path(root)
    table = pd.read_csv(root / ENFORCEMENT_FILES["enforcement"], dtype={"cod_mpio": str})
    gdf = gpd.GeoDataFrame(
        table, geometry=gpd.points_from_xy(table.longitud, table.latitud), crs=4326
    ).to_crs(METRIC_EPSG)
    adm2 = gpd.read_file(root / FILES["adm2"]).to_crs(METRIC_EPSG)
    code = np.full(len(gdf), "", dtype=object)
    for c, g in zip(adm2.ADM2_PCODE, adm2.geometry, strict=True):
        code[shapely.contains_xy(g, gdf.geometry.x.to_numpy(), gdf.geometry.y.to_numpy())] = c
    gdf["muni"] = code
    gdf["dept"] = gdf.muni.str[:4]
    gdf["level"] = level_series(gdf.delito)
    gdf["grams"] = grams_series(gdf.cantidad, gdf.unidad).to_numpy()
    return gdf


def _group_events(root: Path) -> gpd.GeoDataFrame:
    ev = pd.read_csv(Path(root) / FILES["violence"])
    ev = ev.loc[ev.event_type.isin(POLITICAL_VIOLENCE)]
    return gpd.GeoDataFrame(
        ev, geometry=gpd.points_from_xy(ev.longitude, ev.latitude), crs=4326
    ).to_crs(METRIC_EPSG)


def _within(points: gpd.GeoDataFrame, others: gpd.GeoDataFrame, metres: float) -> np.ndarray:
    if points.empty or others.empty:
        return np.zeros(len(points), bool)
    tree = cKDTree(np.column_stack([others.geometry.x, others.geometry.y]))
    d, _ = tree.query(np.column_stack([points.geometry.x, points.geometry.y]))
    return d <= metres


def _event_rates(root: Path) -> dict[str, float]:
    """Events per 100,000 people a year, 2019-2023, per municipality (as the health gap's)."""
    adm2 = gpd.read_file(Path(root) / FILES["adm2"]).to_crs(METRIC_EPSG).set_index("ADM2_PCODE")
    ev = pd.read_csv(Path(root) / FILES["violence"])
    ev = ev.loc[(ev.year >= 2019) & (ev.year <= 2023)]
    pts = gpd.GeoSeries(gpd.points_from_xy(ev.longitude, ev.latitude), crs=4326).to_crs(METRIC_EPSG)
    out = {}
    for code, g in adm2.geometry.items():
        n = int(shapely.contains_xy(g, pts.x.to_numpy(), pts.y.to_numpy()).sum())
        out[code] = round(n / 5 / float(adm2.population[code]) * 1e5, 1)
    return out


def measure_enforcement(root: Path) -> dict:
    """Per department: persons arrested by level, where, seizures by band and drug, and the
    department's armed group's violence against where the arrests and operations were."""
    root = Path(root)
    rec = load_enforcement(root)
    events = _group_events(root)
    rates = _event_rates(root)
    out: dict = {
        "records": int(len(rec)),
        "by_action": {str(k): int(v) for k, v in rec.tipo_accion.value_counts().sort_index().items()},
        "records_outside_their_municipality": int((rec.muni != rec.cod_mpio).sum()),
        "departments": {},
    }  # fmt: skip
    for dept in DEPARTMENTS:
        d = rec.loc[rec.dept == dept]
        arrests = d.loc[d.tipo_accion.isin(ARREST_ACTIONS)]
        persons = float(arrests.capturas.sum())
        by_level = {
            lv.value: int(arrests.capturas[arrests.level == lv.value].sum()) for lv in TargetLevel
        }
        by_muni = arrests.groupby("muni").capturas.sum()
        pu = arrests.loc[arrests.level == TargetLevel.PERSONAL_USE.value]
        dept_rates = {c: r for c, r in rates.items() if c.startswith(dept)}
        most_violent = max(dept_rates, key=dept_rates.get)
        seizures = d.loc[d.tipo_accion == "INCAUTACIÓN"]
        bands = [quantity_band(None if g != g else g) for g in seizures.grams]
        drugs = [classify_drug(v).value for v in seizures.droga]
        kg_by_drug = pd.Series(seizures.grams.to_numpy() / 1000).groupby(drugs).sum()
        group = GROUPS[dept]
        gev = events.loc[(events.actor1 == group) & (events.admin1 == DEPARTMENTS[dept])]
        high = arrests.loc[arrests.level.isin([lv.value for lv in HIGH_LEVELS])]
        effort = d.loc[(d.tipo_accion == "OPERATIVO") | d.index.isin(high.index)]
        gev_muni = gev.admin2.map({v[0]: k for k, v in MUNICIPALITIES.items()})
        out["departments"][dept] = {
            "name": DEPARTMENTS[dept],
            "arrest_records": int((d.tipo_accion == "CAPTURA").sum()),
            "operations": int((d.tipo_accion == "OPERATIVO").sum()),
            "persons_arrested": int(persons),
            "persons_by_level": by_level,
            "share_personal_use": round(by_level["personal_use"] / persons, 4),
            "share_low_level": round(sum(by_level[lv.value] for lv in LOW_LEVELS) / persons, 4),
            "share_high_level": round(sum(by_level[lv.value] for lv in HIGH_LEVELS) / persons, 4),
            "unclassified_offences": {
                str(k): int(v)
                for k, v in arrests.loc[arrests.level == "unclassified"].groupby("delito").capturas.sum().items()
            },
            "persons_by_municipality": {str(k): int(v) for k, v in by_muni.items()},
            "top_municipality_personal_use": str(pu.groupby("muni").capturas.sum().idxmax()),
            "events_per_100k_2019_2023": dept_rates,
            "most_violent_municipality": most_violent,
            "share_of_arrests_in_most_violent_municipality": round(
                float(by_muni.get(most_violent, 0)) / persons, 4
            ),
            "seizures": int(len(seizures)),
            "seizures_by_band": {b.key: bands.count(b.key) for b in QUANTITY_BANDS},
            "seized_kg_by_drug": {str(k): round(float(v), 2) for k, v in kg_by_drug.items()},
            "seized_kg": round(float(np.nansum(seizures.grams)) / 1000, 2),
            "group": {
                "name": group,
                "violent_events": int(len(gev)),
                "events_by_municipality": {str(k): int(v) for k, v in gev_muni.value_counts().sort_index().items()},
                "share_of_events_within_5km_of_operations_or_high_level_arrests": round(
                    float(_within(gev, effort, NEAR_GROUP_M).mean()), 4
                ),
                "share_of_high_level_persons_within_5km_of_its_events": round(
                    float(high.capturas[_within(high, gev, NEAR_GROUP_M)].sum() / max(high.capturas.sum(), 1)), 4
                ),
            },
        }  # fmt: skip
        if dept == POSSESSION_TOWN[:4]:
            town = out["departments"][dept]
            town["possession_town"] = POSSESSION_TOWN
            town["share_of_arrests_in_possession_town"] = round(
                float(by_muni.get(POSSESSION_TOWN, 0)) / persons, 4
            )
            ranked = sorted(dept_rates, key=dept_rates.get, reverse=True)
            town["possession_town_violence_rank"] = ranked.index(POSSESSION_TOWN) + 1
            town["group"]["share_of_events_in_possession_town"] = round(
                float((gev_muni == POSSESSION_TOWN).mean()), 4
            )
    return out


def measure_statistics(root: Path) -> dict:
    """The statistics workbook: its codes as text, which match no boundary, and its columns."""
    # Codes read as text, as a careful analyst reads them (pandas would make "01001" 1001).
    table = pd.read_excel(
        Path(root) / ENFORCEMENT_FILES["statistics"], sheet_name=STATISTICS_SHEET, dtype={"codigo_divipola": str}
    )  # fmt: skip
    adm2 = gpd.read_file(Path(root) / FILES["adm2"])
    known = {c[2:] for c in adm2.ADM2_PCODE}
    codes = table.codigo_divipola.tolist()
    return {
        "file": ENFORCEMENT_FILES["statistics"],
        "sheet": STATISTICS_SHEET,
        "code_column": "codigo_divipola",
        "code_rule": "DIVIPOLA-style: the P-code without its 'XA' prefix ('01001' is XA01001)",
        "rows": len(table),
        "columns": [str(c) for c in table.columns],
        "codes_with_leading_zero": sum(c.startswith("0") for c in codes),
        "unmatched_codes": sorted(c for c in codes if c not in known),
        "unmatched_why": {c: why for c, (_n, why) in UNMATCHED.items()},
        "matched_regions": sum(c in known for c in codes),
        "what": "Municipal statistics keyed by DIVIPOLA-style codes with leading zeros; two "
        "codes deliberately match no boundary.",
        "ipm_2018": {
            f"XA{c}": float(v) for c, v in zip(codes, table.ipm_2018, strict=True) if c in known
        },
    }


def enforcement_truth(m: dict) -> dict:
    """The planted story with its definitions and the realised figures."""
    return {
        "what": "Serranía de Tucaré (XA01) spends most of its arrests on possession for personal "
        "use in San José del Alto, its least violent municipality, while the armed group behind "
        "its violence operates elsewhere; Llanura del Guaimaró (XA02) arrests at the trafficking "
        "and organised-crime level and seizes by the hundreds of kilograms where the trafficking "
        "group's violence is.",
        "layer": ENFORCEMENT_LAYER,
        "file": ENFORCEMENT_FILES["enforcement"],
        "persons": "arrests count people: the capturas of CAPTURA and OPERATIVO rows "
        "(INCAUTACIÓN rows arrest nobody)",
        "levels_from": "delito, read with layers/enforcement_levels.py",
        "offences": {text: level for group in OFFENCES.values() for text, level in group},
        "groups": dict(GROUPS),
        "near_m": NEAR_GROUP_M,
        "possession_town": POSSESSION_TOWN,
        "realised": m,
        "expected": {
            "XA01_share_personal_use_min": 0.6,
            "XA02_share_high_level_min": 0.6,
            "XA02_high_level_persons_near_group_min": 0.9,
            "XA01_group_events_near_effort_max": 0.35,
            "XA01_share_of_arrests_in_most_violent_municipality_max": 0.05,
        },
    }


def check_enforcement(truth: dict, stats: dict) -> list[str]:
    """Planted enforcement facts (and the statistics table's codes) that did not come out."""
    e, x = truth["realised"], truth["expected"]
    d1, d2 = e["departments"]["XA01"], e["departments"]["XA02"]
    problems = []
    if e["records_outside_their_municipality"]:
        problems.append(f"{e['records_outside_their_municipality']} records outside cod_mpio")
    if d1["share_personal_use"] < x["XA01_share_personal_use_min"]:
        problems.append(f"XA01 personal-use share {d1['share_personal_use']}")
    if (
        d1["top_municipality_personal_use"] != POSSESSION_TOWN
        or d1["possession_town_violence_rank"] != 8
    ):
        problems.append("XA01's possession arrests are not in its least violent municipality")  # fmt: skip
    if d1["share_of_arrests_in_most_violent_municipality"] > x["XA01_share_of_arrests_in_most_violent_municipality_max"]:  # fmt: skip
        problems.append("XA01 arrests too many in its most violent municipality")
    if d1["group"]["share_of_events_within_5km_of_operations_or_high_level_arrests"] > x["XA01_group_events_near_effort_max"]:  # fmt: skip
        problems.append("XA01's operations reach the armed group's violence")
    if d2["share_high_level"] < x["XA02_share_high_level_min"]:
        problems.append(f"XA02 high-level share {d2['share_high_level']}")
    if d2["group"]["share_of_high_level_persons_within_5km_of_its_events"] < x["XA02_high_level_persons_near_group_min"]:  # fmt: skip
        problems.append("XA02's high-level arrests are not where the trafficking group is")
    if not (d2["seized_kg"] > 100 * d1["seized_kg"] and d2["seizures_by_band"]["over_1t"] >= 1):
        problems.append("XA02 does not seize by the tonne")
    unclassified = {t for t, lv in truth["offences"].items() if lv == "unclassified"}
    found = set(d1["unclassified_offences"]) | set(d2["unclassified_offences"])
    if found != unclassified:
        problems.append(f"unclassified offences {sorted(found)}, planted {sorted(unclassified)}")
    if len(stats["unmatched_codes"]) != 2 or stats["codes_with_leading_zero"] != stats["rows"]:
        problems.append(f"statistics codes not as planted: {stats['unmatched_codes']}")
    return problems


# The enforcement section of each README, by language: the words, with {name} where a figure
# goes (the same figures in both, in the same order).
README_TEXT = {
    "en": {
        "intro": "Enforcement (`{file}`; people arrested, from `capturas` of CAPTURA and "
        "OPERATIVO rows; level read from `delito`):",
        "header": "| Department | people arrested | personal use | small supply | trafficking "
        "| organised crime | unclassified | seizures < 100 g / 100 g–10 kg / 10 kg–1 t / ≥ 1 t "
        "| kg seized |",
        "xa01": "- XA01: {share_town} of the people arrested were arrested in {town} ({town_code}), "
        "its least violent municipality ({rate_town} events per 100,000 a year, rank {rank} of "
        "8); {worst_name} ({worst}, {rate_worst}) saw {share_worst} of them. {group} committed "
        "{events} violent events in XA01, {group_share_town} of them in {town}; {group_near} lie "
        "within 5 km of an operation or a trafficking or organised-crime arrest.",
        "xa02": "- XA02: {share_persons} of the people arrested for trafficking or organised crime "
        "were arrested within 5 km of a violent event of {group}, and {group_near} of its events "
        "lie within 5 km of such an arrest or an operation.",
        "unclassified": "- Unclassified offences (listed, not dropped): ",
        "offence": "{offence!r} ({n} people in {code})",
        "statistics": "- Statistics (`{file}`, sheet `{sheet}`): {rows} rows, codes as text with "
        "their leading zero; {matched} match a municipality, ",
        "unmatched": "`{code}` does not ({why})",
        "why": None,  # the ground truth's own reasons (English)
    },
    "es": {
        "intro": "Acciones de control (`{file}`; personas capturadas, según `capturas` de las "
        "filas CAPTURA y OPERATIVO; nivel leído de `delito`):",
        "header": "| Departamento | personas capturadas | consumo personal | microtráfico | tráfico "
        "| crimen organizado | sin clasificar | incautaciones < 100 g / 100 g–10 kg / "
        "10 kg–1 t / ≥ 1 t | kg incautados |",
        "xa01": "- XA01: el {share_town} de las personas capturadas lo fue en {town} "
        "({town_code}), su municipio menos violento ({rate_town} eventos por 100.000 habitantes "
        "al año, puesto {rank} de 8); en {worst_name} ({worst}, {rate_worst}) lo fue el "
        "{share_worst}. {group} cometió {events} eventos violentos en XA01, el "
        "{group_share_town} de ellos en {town}; el {group_near} queda a menos de 5 km de un "
        "operativo o de una captura por tráfico o crimen organizado.",
        "xa02": "- XA02: el {share_persons} de las personas capturadas por tráfico o crimen "
        "organizado lo fue a menos de 5 km de un evento violento de {group}, y el {group_near} "
        "de sus eventos queda a menos de 5 km de una de esas capturas o de un operativo.",
        "unclassified": "- Delitos sin clasificar (listados, no descartados): ",
        "offence": "{offence!r} ({n} personas en {code})",
        "statistics": "- Estadísticas (`{file}`, hoja `{sheet}`): {rows} filas, códigos como "
        "texto con su cero inicial; {matched} coinciden con un municipio, ",
        "unmatched": "`{code}` no ({why})",
        "why": {
            "01009": "municipio creado en 2022, después de los límites de 2020",
            "02099": "área no municipalizada: sin polígono ADM2",
        },
    },
}
NEAR = "share_of_events_within_5km_of_operations_or_high_level_arrests"


def readme_lines(truth: dict, s: dict, fm: Formats = EN) -> list[str]:
    """The realised figures as Markdown, for the README in fm's language."""
    text = README_TEXT[fm.lang]
    e = truth["realised"]
    lines = ["", text["intro"].format(file=truth["file"]), "", text["header"]]
    lines.append("|---|---|---|---|---|---|---|---|---|")
    for code, d in e["departments"].items():
        lv = d["persons_by_level"]
        p = d["persons_arrested"]
        b = d["seizures_by_band"]
        lines.append(
            f"| {code} {d['name']} | {fm.n(p)} | {fm.n(lv['personal_use'])} "
            f"({fm.pct(lv['personal_use'] / p)}) | {fm.n(lv['small_supply'])} | "
            f"{fm.n(lv['trafficking'])} | {fm.n(lv['organised_crime'])} | "
            f"{fm.n(lv['unclassified'])} | {fm.n(b['under_100g'])} / {fm.n(b['100g_10kg'])} / "
            f"{fm.n(b['10kg_1t'])} / {fm.n(b['over_1t'])} | {fm.f(d['seized_kg'], 1)} |"
        )
    d1, d2 = e["departments"]["XA01"], e["departments"]["XA02"]
    g1, g2 = d1["group"], d2["group"]
    worst = d1["most_violent_municipality"]
    rates = d1["events_per_100k_2019_2023"]
    why = text["why"] or s["unmatched_why"]
    offences = (
        text["offence"].format(offence=t, n=fm.n(n), code=code)
        for code, d in e["departments"].items()
        for t, n in d["unclassified_offences"].items()
    )
    lines += [
        "",
        text["xa01"].format(
            share_town=fm.pct(d1["share_of_arrests_in_possession_town"]),
            town=MUNICIPALITIES[POSSESSION_TOWN][0],
            town_code=POSSESSION_TOWN,
            rate_town=fm.g(rates[POSSESSION_TOWN]),
            rank=d1["possession_town_violence_rank"],
            worst_name=MUNICIPALITIES[worst][0],
            worst=worst,
            rate_worst=fm.g(rates[worst]),
            share_worst=fm.pct(d1["share_of_arrests_in_most_violent_municipality"]),
            group=g1["name"],
            events=fm.n(g1["violent_events"]),
            group_share_town=fm.pct(g1["share_of_events_in_possession_town"]),
            group_near=fm.pct(g1[NEAR]),
        ),
        text["xa02"].format(
            share_persons=fm.pct(g2["share_of_high_level_persons_within_5km_of_its_events"]),
            group=g2["name"],
            group_near=fm.pct(g2[NEAR]),
        ),
        text["unclassified"] + "; ".join(offences) + ".",
        text["statistics"].format(
            file=s["file"],
            sheet=s["sheet"],
            rows=fm.n(s["rows"]),
            matched=fm.n(s["matched_regions"]),
        )
        + ", ".join(text["unmatched"].format(code=c, why=why[c]) for c in s["unmatched_codes"])
        + ".",
    ]
    return lines
