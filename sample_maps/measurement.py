"""What the written files hold: the realised figures of every planted effect, measured from
the files on disk (`measure`), the ground truth the analyses' tests check themselves against,
the check that each effect came out as planted, and the figures written into the README."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from sample_maps.effects import CRACKDOWN_RING_M, HR_RING_M, HR_TARGET_M, YEAR_COLUMNS
from sample_maps.enforcement_truth import readme_lines as enforcement_readme_lines
from sample_maps.formats import FILES, GRID_LAYER, MANUAL_LAYER, POLITICAL_VIOLENCE, SPRAY_LAYER
from sample_maps.raster_truth import readme_lines as raster_readme_lines
from sample_maps.readme_es import FIGURES as SPANISH_FIGURES
from sample_maps.readme_formats import EN, ES, Formats
from sample_maps.world import (
    CAMPAIGN,
    CAMPAIGN_END,
    CAMPAIGN_START,
    CRACKDOWN,
    CRACKDOWN_DATE,
    CRACKDOWN_MUNI,
    CRACKDOWN_NEIGHBOUR,
    DEPARTMENTS,
    ERADICATION_MUNI,
    HEALTH_GAP_MUNI,
    HR_DATE,
    HR_MUNI,
    HR_PROGRAMME,
    METRIC_EPSG,
    MUNICIPALITIES,
    NOTE,
    PNN_ID,
    SEED,
    WINDOW_YEARS,
    nearest_distance,
)

# --- measuring what the files hold --------------------------------------------------------


def displacement_figures(rb: float, ra: float, db: float, da: float, cb: float, ca: float) -> dict:
    """Bowers & Johnson WDQ and total net effect, as docs/methods.md states them."""
    out: dict = {"Rb": rb, "Ra": ra, "Db": db, "Da": da, "Cb": cb, "Ca": ca}
    if min(cb, ca) <= 0:
        out.update(success=None, buffer_measure=None, wdq=None, tne=None, reason="empty control")
        return out
    success = ra / ca - rb / cb
    buffer = da / ca - db / cb
    out["success"] = round(success, 6)
    out["buffer_measure"] = round(buffer, 6)
    out["wdq"] = round(buffer / success, 4) if success < 0 else None
    out["tne"] = round((rb * ca / cb - ra) + (db * ca / cb - da), 2)
    if success >= 0:
        out["reason"] = "success measure not negative: no WDQ"
    return out


def load_outputs(root: Path) -> dict[str, gpd.GeoDataFrame]:
    """Every written layer, read back as the analyses will see it, in UTM 18N."""
    root = Path(root)
    read = lambda rel, **kw: gpd.read_file(root / rel, engine="pyogrio", **kw).to_crs(METRIC_EPSG)  # noqa: E731
    health = pd.read_csv(root / FILES["health"])
    violence = pd.read_csv(root / FILES["violence"])
    violence["date"] = pd.to_datetime(violence.event_date, format="%d %B %Y")
    return {
        "adm2": read(FILES["adm2"]),
        "adm1": read(FILES["adm1"]),
        "protected": read(FILES["protected"]),
        "rivers": read(FILES["rivers"]),
        "border": read(FILES["border"]),
        "settlements": read(FILES["settlements"]),
        "health": gpd.GeoDataFrame(
            health, geometry=gpd.points_from_xy(health.X, health.Y), crs=4326
        ).to_crs(METRIC_EPSG),
        "violence": gpd.GeoDataFrame(
            violence,
            geometry=gpd.points_from_xy(violence.longitude, violence.latitude),
            crs=4326,
        ).to_crs(METRIC_EPSG),
        "grid": read(FILES["grid"], layer=GRID_LAYER),
        "manual": read(FILES["eradication"], layer=MANUAL_LAYER),
        "spray": read(FILES["eradication"], layer=SPRAY_LAYER),
    }


def _window_counts(events: gpd.GeoDataFrame, when: date, masks: dict[str, np.ndarray]) -> dict:
    t0 = pd.Timestamp(when)
    before = (events.date >= t0 - pd.DateOffset(years=WINDOW_YEARS)) & (events.date < t0)
    after = (events.date >= t0) & (events.date < t0 + pd.DateOffset(years=WINDOW_YEARS))
    out = {}
    for key, mask in masks.items():
        out[key + "b"] = int((before & mask).sum())
        out[key + "a"] = int((after & mask).sum())
    return out


def measure(root: Path) -> dict:
    """The realised figures of every planted effect, computed from the files on disk."""
    L = load_outputs(root)
    adm2 = L["adm2"].set_index("ADM2_PCODE")
    grid = L["grid"]
    years = sorted(YEAR_COLUMNS)
    totals = {str(y): round(float(grid[YEAR_COLUMNS[y]].sum()), 1) for y in years}
    cx, cy = grid.geometry.centroid.x.to_numpy(), grid.geometry.centroid.y.to_numpy()
    cell_code = np.full(len(grid), "", dtype=object)
    for code, g in adm2.geometry.items():
        cell_code[shapely.contains_xy(g, cx, cy)] = code
    last = YEAR_COLUMNS[years[-1]]
    by_muni = grid.groupby(cell_code)[last].sum().sort_values(ascending=False)
    present = np.array([grid[YEAR_COLUMNS[y]].to_numpy() > 0 for y in years])
    always = present.all(axis=0)
    # docs/methods.md dynamics over the 10-year window, abandonment after 3 empty years.
    abandoned = ~present[-3:].any(axis=0) & present[:-3].any(axis=0)
    new = present[-1] & ~present[:-1].any(axis=0)
    dynamics = {
        "permanent": int(always.sum()),
        "new": int(new.sum()),
        "abandoned": int(abandoned.sum()),
        "intermittent": int((~always & ~abandoned & ~new & present.any(axis=0)).sum()),
    }
    protected = L["protected"]
    in_pa = np.zeros(len(grid), bool)
    for g in protected.geometry:
        in_pa |= shapely.contains_xy(g, cx, cy)
    pnn = protected.loc[protected.WDPAID == PNN_ID].geometry.iloc[0]
    in_pnn = shapely.contains_xy(pnn, cx, cy)

    manual = L["manual"]
    campaign = manual.loc[manual.campana == CAMPAIGN]
    by_filter = manual.loc[
        (manual.cod_mpio == ERADICATION_MUNI)
        & (manual.fecha >= pd.Timestamp(CAMPAIGN_START))
        & (manual.fecha <= pd.Timestamp(CAMPAIGN_END))
    ]
    d = nearest_distance(cx, cy, campaign.geometry.x.to_numpy(), campaign.geometry.y.to_numpy())
    b, a = YEAR_COLUMNS[2017], YEAR_COLUMNS[2019]
    tgt, buf, ctl = d <= 2000, (d > 2000) & (d <= 5000), d > 5000

    def s(col, mask):
        return round(float(grid.loc[mask, col].sum()), 2)

    cult_wdq = displacement_figures(
        s(b, tgt), s(a, tgt), s(b, buf), s(a, buf), s(b, ctl), s(a, ctl)
    )
    # Per ring, each ring as the buffer against cells beyond 20 km (how far it travels).
    far = d > 20000
    rings = []
    for lo, hi in ((0, 2000), (2000, 5000), (5000, 10000), (10000, 20000)):
        m = (d > lo) & (d <= hi) if lo else d <= hi
        ring = {"from_m": lo, "to_m": hi, "ha_2017": s(b, m), "ha_2019": s(a, m)}
        if lo:
            f = displacement_figures(s(b, tgt), s(a, tgt), s(b, m), s(a, m), s(b, far), s(a, far))
            ring["wdq_vs_beyond_20km"] = f["wdq"]
        rings.append(ring)
    # The same areas as polygons, each cell counted by the share of its area inside them.
    pts = campaign.geometry.to_numpy()
    t_area = shapely.union_all(shapely.buffer(pts, 2000, quad_segs=16))
    d_area = shapely.union_all(shapely.buffer(pts, 5000, quad_segs=16)).difference(t_area)
    cells = grid.geometry.to_numpy()
    ft = shapely.area(shapely.intersection(cells, t_area)) / shapely.area(cells)
    fd = shapely.area(shapely.intersection(cells, d_area)) / shapely.area(cells)
    fc = 1 - ft - fd
    weighted = [float((grid[col] * f).sum()) for f in (ft, fd, fc) for col in (b, a)]
    cult_area = displacement_figures(*[round(v, 2) for v in weighted])

    # Violence.
    ev = L["violence"]
    ex, ey = ev.geometry.x.to_numpy(), ev.geometry.y.to_numpy()
    ev_code = np.full(len(ev), "", dtype=object)
    for code, g in adm2.geometry.items():
        ev_code[shapely.contains_xy(g, ex, ey)] = code
    rv = adm2.geometry[CRACKDOWN_MUNI]
    d_rv = shapely.distance(rv, shapely.points(ex, ey))
    in_rv = ev_code == CRACKDOWN_MUNI
    in_nb = ev_code == CRACKDOWN_NEIGHBOUR
    inside = ev_code != ""
    violent = ev.event_type.isin(POLITICAL_VIOLENCE).to_numpy()

    def event_wdq(when: date, r, d, c) -> dict:
        k = _window_counts(ev, when, {"R": r, "D": d, "C": c})
        out = displacement_figures(k["Rb"], k["Ra"], k["Db"], k["Da"], k["Cb"], k["Ca"])
        k = _window_counts(ev, when, {"R": r & violent, "D": d & violent, "C": c & violent})
        out["political_violence_only"] = displacement_figures(
            k["Rb"], k["Ra"], k["Db"], k["Da"], k["Cb"], k["Ca"]
        )
        return out

    crack_nb = event_wdq(CRACKDOWN_DATE, in_rv, in_nb, inside & ~in_rv & ~in_nb)
    ring = ~in_rv & (d_rv <= CRACKDOWN_RING_M)
    crack_ring = event_wdq(CRACKDOWN_DATE, in_rv, ring, ~in_rv & ~ring)
    health = L["health"]
    hr = health.loc[health.name == HR_PROGRAMME].geometry.iloc[0]
    d_hr = np.hypot(ex - hr.x, ey - hr.y)
    hr_wdq = event_wdq(
        HR_DATE,
        d_hr <= HR_TARGET_M,
        (d_hr > HR_TARGET_M) & (d_hr <= HR_RING_M),
        d_hr > HR_RING_M,
    )

    # Health access from settlements.
    st = L["settlements"]
    d_fac = nearest_distance(
        st.geometry.x.to_numpy(), st.geometry.y.to_numpy(), health.geometry.x, health.geometry.y
    )
    st = st.assign(d_fac=d_fac, beyond=d_fac > 15000)
    access = {}
    for code, grp in st.groupby("ADM2_PCODE"):
        access[code] = round(float(grp.population[grp.beyond].sum() / grp.population.sum()), 3)
    recent = (ev.year >= 2019) & (ev.year <= 2023)
    rate = {
        code: round(float((recent & (ev_code == code)).sum() / 5 / adm2.population[code] * 1e5), 1)
        for code in adm2.index
    }
    ranked = sorted(rate, key=rate.get, reverse=True)
    fac_code = np.full(len(health), "", dtype=object)
    for code, g in adm2.geometry.items():
        fac_code[shapely.contains_xy(g, health.geometry.x, health.geometry.y)] = code

    # Spraying footprints against the rules.
    spray = L["spray"]
    water = shapely.union_all(L["rivers"].geometry.to_numpy())
    parks = shapely.union_all(protected.geometry.to_numpy())
    border = shapely.union_all(L["border"].geometry.to_numpy())
    d_water = shapely.distance(spray.geometry.to_numpy(), water)
    d_border = shapely.distance(spray.geometry.to_numpy(), border)
    hits_park = shapely.intersects(spray.geometry.to_numpy(), parks)
    ids = spray.id_aspersion.to_numpy()

    # Departments side by side.
    depts = {}
    for dept in DEPARTMENTS:
        dm = manual.loc[manual.cod_mpio.str.startswith(dept)]
        ds = spray.loc[spray.cod_mpio.str.startswith(dept)]
        de = ev.loc[np.array([c.startswith(dept) for c in ev_code])]
        per_year = de.groupby("year").size().reindex(years, fill_value=0)
        dst = st.loc[st.ADM2_PCODE.str.startswith(dept)]
        hf = health.loc[np.array([c.startswith(dept) for c in fac_code])]
        depts[dept] = {
            "name": DEPARTMENTS[dept],
            "population": int(adm2.loc[adm2.ADM1_PCODE == dept, "population"].sum()),
            "manual_eradication_ha": round(float(dm.hectareas.sum()), 1),
            "manual_eradication_points": int(len(dm)),
            "aerial_spraying_ha": round(float(ds.hectareas.sum()), 1),
            "coca_ha_2023": round(
                float(grid.loc[[c.startswith(dept) for c in cell_code], last].sum()), 1
            ),
            "violent_events_per_year": {str(y): int(v) for y, v in per_year.items()},
            "events_2014_2016_mean": round(float(per_year.loc[2014:2016].mean()), 1),
            "events_2021_2023_mean": round(float(per_year.loc[2021:2023].mean()), 1),
            "population_share_beyond_15km": round(
                float(dst.population[dst.beyond].sum() / dst.population.sum()), 3
            ),
            "health_facilities": int(len(hf)),
            "harm_reduction_services": int((hf.healthcare == "harm_reduction").sum()),
        }

    return {
        "layers": {key: int(len(gdf)) for key, gdf in L.items()},
        "cultivation": {
            "year_columns": {str(y): c for y, c in YEAR_COLUMNS.items()},
            "cells": int(len(grid)),
            "total_ha": totals,
            "top3_municipalities_2023": list(by_muni.index[:3]),
            "top3_share_2023": round(float(by_muni.iloc[:3].sum() / by_muni.sum()), 3),
            "dynamics_2014_2023": dynamics,
            "persistent_share_2023": round(
                float(grid.loc[always, last].sum() / grid[last].sum()), 3
            ),
            "protected_share_2023": round(float(grid.loc[in_pa, last].sum() / grid[last].sum()), 3),
        },
        "cultivation_displacement": {
            "campaign_points": int(len(campaign)),
            "campaign_points_by_municipality_and_dates": int(len(by_filter)),
            "campaign_hectares": round(float(campaign.hectareas.sum()), 1),
            "before_year": 2017,
            "after_year": 2019,
            "wdq": cult_wdq,
            "rings": rings,
            "wdq_area_weighted": cult_area,
            "national_park_ha": {str(y): s(YEAR_COLUMNS[y], in_pnn) for y in years},
        },
        "violence_total": int(len(ev)),
        "violence_per_year": {str(y): int(v) for y, v in ev.groupby("year").size().items()},
        "violence_crackdown": {"neighbour": crack_nb, "ring": crack_ring},
        "violence_diffusion": hr_wdq,
        "health_gap": {
            "share_beyond_15km": access,
            "events_per_100k_2019_2023": rate,
            "rank_by_event_rate": ranked,
            "facilities_per_municipality": {c: int((fac_code == c).sum()) for c in adm2.index},
        },
        "spraying": {
            "near_river_ids": sorted(ids[d_water <= 100].tolist()),
            "in_protected_ids": sorted(ids[hits_park].tolist()),
            "near_border_ids": sorted(ids[d_border <= 10000].tolist()),
            "footprints": int(len(spray)),
            "compliant": int(((d_water > 100) & ~hits_park & (d_border > 10000)).sum()),
        },
        "departments": depts,
    }


# --- the ground truth ------------------------------------------------------------------------


def generated_with() -> dict[str, str]:
    """Library versions that shape the bytes (GDAL writes the files, numpy draws the numbers)."""
    return {
        "gdal": pyogrio.__gdal_version_string__,
        "pyogrio": pyogrio.__version__,
        "numpy": np.__version__,
        "shapely": shapely.__version__,
        "pandas": pd.__version__,
    }


def ground_truth(m: dict) -> dict:
    """Planted effects with their definitions, realised figures and the ranges tests accept."""
    cd = m["cultivation_displacement"]
    return {
        "synthetic": True,
        "note": NOTE,
        "seed": SEED,
        "generated_with": generated_with(),
        "metric_crs": f"EPSG:{METRIC_EPSG}",
        "files": dict(FILES),
        "layers": m["layers"],
        "cultivation": m["cultivation"],
        "effects": {
            "cultivation_displacement": {
                "what": "Manual eradication campaign displaces coca into a 2-5 km ring and into "
                "the Alto Tacuré national natural park.",
                "municipality": ERADICATION_MUNI,
                "campaign": CAMPAIGN,
                "campaign_filter": {
                    "layer": MANUAL_LAYER,
                    "field": "campana",
                    "value": CAMPAIGN,
                    "same_as": f"cod_mpio == {ERADICATION_MUNI} and fecha in "
                    f"[{CAMPAIGN_START}, {CAMPAIGN_END}]",
                },
                "date_start": CAMPAIGN_START.isoformat(),
                "date_end": CAMPAIGN_END.isoformat(),
                "target": "grid cells whose centre lies within 2000 m of a campaign point",
                "buffer": "grid cells whose centre lies 2000-5000 m from the nearest campaign point",
                "control": "every other grid cell (centre beyond 5000 m)",
                "before": YEAR_COLUMNS[cd["before_year"]],
                "after": YEAR_COLUMNS[cd["after_year"]],
                "protected_area_wdpaid": PNN_ID,
                "realised": cd,
                "expected": {
                    "wdq_range": [-2.2, -1.1],
                    "success_max": 0.0,
                    "buffer_measure_min": 0.0,
                    "why": "cell centres give realised.wdq, area-weighted cells "
                    "realised.wdq_area_weighted; both lie in the range. Other radii are other "
                    "questions: the displaced coca was planted 2-5 km out.",
                },
            },
            "violence_crackdown": {
                "what": "Crackdown in Río Verde pushes violence into neighbouring Belén del Tacuré.",
                "operation": CRACKDOWN,
                "target_municipality": CRACKDOWN_MUNI,
                "neighbour_municipality": CRACKDOWN_NEIGHBOUR,
                "date": CRACKDOWN_DATE.isoformat(),
                "window_years": WINDOW_YEARS,
                "definitions": {
                    "neighbour": "R = events in the target municipality, D = events in the "
                    "neighbour municipality, C = events in every other municipality",
                    "ring": f"R = target municipality, D = within {CRACKDOWN_RING_M} m of it "
                    "(outside it), C = all other events",
                },
                "realised": m["violence_crackdown"],
                "expected": {"wdq_range": [-10.0, -1.5]},
            },
            "violence_diffusion": {
                "what": "Harm-reduction programme in Puerto Asunción: violence falls in the "
                "target and in the surrounding ring (diffusion of benefits).",
                "programme": HR_PROGRAMME,
                "municipality": HR_MUNI,
                "date": HR_DATE.isoformat(),
                "window_years": WINDOW_YEARS,
                "target": f"events within {HR_TARGET_M} m of the programme's facility",
                "buffer": f"events {HR_TARGET_M}-{HR_RING_M} m from it",
                "control": f"events beyond {HR_RING_M} m",
                "realised": m["violence_diffusion"],
                "expected": {"wdq_range": [0.2, 3.0]},
            },
            "spraying_violations": {
                "what": "Aerial spraying footprints that break the rules (docs/methods.md).",
                "river_rule_m": 100,
                "border_rule_m": 10000,
                "protected_area_wdpaid": PNN_ID,
                "realised": m["spraying"],
            },
            "health_gap": {
                "what": "High violence and no health service within 15 km of most people.",
                "municipality": HEALTH_GAP_MUNI,
                "name": MUNICIPALITIES[HEALTH_GAP_MUNI][0],
                "threshold_m": 15000,
                "demand_points": "settlements layer (population)",
                "share_beyond_15km": m["health_gap"]["share_beyond_15km"][HEALTH_GAP_MUNI],
                "facilities_in_municipality": m["health_gap"]["facilities_per_municipality"][
                    HEALTH_GAP_MUNI
                ],
                "events_per_100k_2019_2023": m["health_gap"]["events_per_100k_2019_2023"][
                    HEALTH_GAP_MUNI
                ],
                "rank_by_event_rate": m["health_gap"]["rank_by_event_rate"].index(HEALTH_GAP_MUNI)
                + 1,
                "all_municipalities": m["health_gap"],
            },
            "department_contrast": {
                "what": "XA01 is judged by hectares eradicated (much eradication, rising violence, "
                "poor access); XA02 by community outcomes (little eradication, harm-reduction "
                "services, falling violence).",
                "realised": m["departments"],
            },
        },
        "violence_total": m["violence_total"],
        "violence_per_year": m["violence_per_year"],
    }


def check_planted(truth: dict, planted: dict) -> list[str]:
    """Planted effects that did not come out as intended (empty when all is well)."""
    e = truth["effects"]
    problems = []
    cd = e["cultivation_displacement"]["realised"]

    def within(value, key: str) -> bool:
        lo, hi = e[key]["expected"]["wdq_range"]
        return value is not None and lo <= value <= hi

    for label, f in (("cell centres", cd["wdq"]), ("area-weighted", cd["wdq_area_weighted"])):
        if not within(f["wdq"], "cultivation_displacement"):
            problems.append(f"cultivation WDQ ({label}) {f['wdq']} outside the expected range")
    if cd["campaign_points"] != cd["campaign_points_by_municipality_and_dates"]:
        problems.append("campaign filter by name and by municipality+dates disagree")
    crackdown = e["violence_crackdown"]["realised"]
    diffusion = e["violence_diffusion"]["realised"]
    for label, f in (
        ("neighbour", crackdown["neighbour"]),
        ("ring", crackdown["ring"]),
        ("neighbour, political violence", crackdown["neighbour"]["political_violence_only"]),
        ("ring, political violence", crackdown["ring"]["political_violence_only"]),
    ):
        if not within(f["wdq"], "violence_crackdown"):
            problems.append(f"crackdown WDQ ({label}) {f['wdq']} outside the expected range")
    for label, f in (
        ("all", diffusion),
        ("political violence", diffusion["political_violence_only"]),
    ):
        if not within(f["wdq"], "violence_diffusion"):
            problems.append(f"harm-reduction WDQ ({label}) {f['wdq']} outside the expected range")
    sp = e["spraying_violations"]["realised"]
    groups = planted["spray_groups"]
    for key, group in (("near_river_ids", "river"), ("in_protected_ids", "park"),
                       ("near_border_ids", "border")):  # fmt: skip
        if sorted(groups[group]) != sp[key]:
            problems.append(f"spraying {key}: planted {groups[group]}, measured {sp[key]}")
    hg = e["health_gap"]
    if hg["share_beyond_15km"] < 0.8 or hg["rank_by_event_rate"] != 1:
        problems.append(
            f"health gap not as planted: {hg['share_beyond_15km']}, rank {hg['rank_by_event_rate']}"
        )
    if truth["violence_total"] < 3000:
        problems.append(f"only {truth['violence_total']} violence events")
    d1, d2 = (e["department_contrast"]["realised"][d] for d in DEPARTMENTS)
    if not (
        d1["events_2021_2023_mean"] > d1["events_2014_2016_mean"]
        and d2["events_2021_2023_mean"] < d2["events_2014_2016_mean"]
        and d1["manual_eradication_ha"] > 5 * d2["manual_eradication_ha"]
        and d2["harm_reduction_services"] > 0 == d1["harm_reduction_services"]
        and d1["population_share_beyond_15km"] > d2["population_share_beyond_15km"]
    ):
        problems.append("departments do not contrast as planted")
    return problems


# --- the README's figures --------------------------------------------------------------------

README_START = "<!-- realised figures: written by generate.py -->"
README_END = "<!-- end of realised figures -->"


# The figures section of each README, by language: the words, with {name} where a figure goes.
README_TEXT = {
    "en": {
        "violence": "- Violence events: **{total}** ({per_year}).",
        "grid": "- Coca grid: {cells} cells; hectares {per_year}.",
        "concentration": "- Concentration: {top3} hold {top3_share} of the 2023 area; "
        "{persistent} of it lies in cells cultivated every year 2014-2023; {protected} lies in "
        "protected areas.",
        "effects_header": "| Effect | R before → after | D before → after | C before → after | "
        "success | buffer | WDQ | TNE |",
        "effects": (
            "Cultivation, campaign (ha 2017 → 2019)",
            "Violence, crackdown (neighbour municipality)",
            "Violence, crackdown (10 km ring)",
            "Violence, harm-reduction programme",
        ),
        "campaign": "- Campaign: {points} points, {hectares} ha eradicated. Coca by distance "
        "from the campaign points (2017 → 2019): {rings}.",
        "wdq": "- Cultivation WDQ with cells weighted by the share of their area in R/D/C: "
        "{wdq}; per ring against cells beyond 20 km: {rings}. Expected ranges "
        "(ground_truth.json): cultivation {cultivation}, crackdown {crackdown}, harm reduction "
        "{harm_reduction}.",
        "park": "- Alto Tacuré national park (WDPAID {wdpa}): coca {ha_2017} ha (2017) → "
        "{ha_2019} ha (2019) → {ha_2023} ha (2023).",
        "spraying": "- Spraying footprints: {footprints}; within 100 m of a river {river}; "
        "inside a protected area {protected}; within 10 km of the border {border}; {compliant} "
        "break no rule.",
        "health_gap": "- {name} ({municipality}): {share} of its people live more than 15 km "
        "from any health service; {facilities} facilities; {rate} violent events per 100,000 "
        "people a year (2019-2023), rank {rank} of {of}.",
        "departments_header": "| Department | manual eradication ha | aerial ha | "
        "events/yr 2014-16 → 2021-23 | people > 15 km from care | harm-reduction services |",
    },
    "es": SPANISH_FIGURES,
}
# The rows of the displacement table, in its order: the effect, and which of its realised
# figures (None: the effect has one set).
EFFECT_ROWS = (
    ("cultivation_displacement", "wdq"),
    ("violence_crackdown", "neighbour"),
    ("violence_crackdown", "ring"),
    ("violence_diffusion", None),
)


def readme_figures(truth: dict, fm: Formats = EN) -> str:
    """The realised figures as Markdown, for the README in fm's language."""
    text = README_TEXT[fm.lang]
    e = truth["effects"]
    c = truth["cultivation"]
    cd = e["cultivation_displacement"]["realised"]
    park = cd["national_park_ha"]
    sp = e["spraying_violations"]["realised"]
    hg = e["health_gap"]
    years = ", ".join(f"{y}: {fm.n(n)}" for y, n in truth["violence_per_year"].items())
    hectares = ", ".join(f"{y}: {fm.f(v, 0)}" for y, v in c["total_ha"].items())
    out = [
        text["violence"].format(total=fm.n(truth["violence_total"]), per_year=years),
        text["grid"].format(cells=fm.n(c["cells"]), per_year=hectares),
        text["concentration"].format(
            top3=", ".join(c["top3_municipalities_2023"]),
            top3_share=fm.pct(c["top3_share_2023"]),
            persistent=fm.pct(c["persistent_share_2023"]),
            protected=fm.pct(c["protected_share_2023"]),
        ),
        "",
        text["effects_header"],
        "|---|---|---|---|---|---|---|---|",
    ]
    for label, (effect, part) in zip(text["effects"], EFFECT_ROWS, strict=True):
        f = e[effect]["realised"] if part is None else e[effect]["realised"][part]
        out.append(
            f"| {label} | {fm.g(f['Rb'])} → {fm.g(f['Ra'])} | {fm.g(f['Db'])} → {fm.g(f['Da'])} | "
            f"{fm.g(f['Cb'])} → {fm.g(f['Ca'])} | {fm.f(f['success'], 4)} | "
            f"{fm.f(f['buffer_measure'], 4)} | **{fm.f(f['wdq'], 2)}** | {fm.g(f['tne'])} |"
        )
    rings = [(f"{fm.km(r['from_m'])}-{fm.km(r['to_m'])} km", r) for r in cd["rings"]]
    out += [
        "",
        text["campaign"].format(
            points=fm.n(cd["campaign_points"]),
            hectares=fm.g(cd["campaign_hectares"]),
            rings="; ".join(
                f"{name} {fm.f(r['ha_2017'], 0)} → {fm.f(r['ha_2019'], 0)} ha" for name, r in rings
            ),
        ),
        text["wdq"].format(
            wdq=fm.f(cd["wdq_area_weighted"]["wdq"], 2),
            rings="; ".join(
                f"{name} {fm.f(r['wdq_vs_beyond_20km'], 2)}"
                for name, r in rings
                if "wdq_vs_beyond_20km" in r
            ),
            cultivation=fm.range(e["cultivation_displacement"]["expected"]["wdq_range"]),
            crackdown=fm.range(e["violence_crackdown"]["expected"]["wdq_range"]),
            harm_reduction=fm.range(e["violence_diffusion"]["expected"]["wdq_range"]),
        ),
        text["park"].format(
            wdpa=PNN_ID, **{f"ha_{year}": fm.f(park[year], 0) for year in ("2017", "2019", "2023")}
        ),
        text["spraying"].format(
            footprints=fm.n(sp["footprints"]),
            river=", ".join(sp["near_river_ids"]),
            protected=", ".join(sp["in_protected_ids"]),
            border=", ".join(sp["near_border_ids"]),
            compliant=fm.n(sp["compliant"]),
        ),
        text["health_gap"].format(
            name=hg["name"],
            municipality=hg["municipality"],
            share=fm.pct(hg["share_beyond_15km"]),
            facilities=fm.n(hg["facilities_in_municipality"]),
            rate=fm.g(hg["events_per_100k_2019_2023"]),
            rank=fm.n(hg["rank_by_event_rate"]),
            of=fm.n(len(MUNICIPALITIES)),
        ),
        "",
        text["departments_header"],
        "|---|---|---|---|---|---|",
    ]
    for code, d in e["department_contrast"]["realised"].items():
        out.append(
            f"| {code} {d['name']} | {fm.f(d['manual_eradication_ha'], 0)} | "
            f"{fm.f(d['aerial_spraying_ha'], 0)} | {fm.g(d['events_2014_2016_mean'])} → "
            f"{fm.g(d['events_2021_2023_mean'])} | {fm.pct(d['population_share_beyond_15km'])} | "
            f"{fm.n(d['harm_reduction_services'])} |"
        )
    if "rasters" in truth:
        out += raster_readme_lines(truth["rasters"], fm)
    if "enforcement_focus" in e:
        out += enforcement_readme_lines(e["enforcement_focus"], e["municipal_statistics"], fm)
    return "\n".join(out)


def update_readme(path: Path, truth: dict, figures: Callable[[dict], str] = readme_figures) -> None:
    """Write `figures(truth)` between the README's markers (nothing when it has none)."""
    text = path.read_text(encoding="utf-8")
    if README_START not in text or README_END not in text:
        return
    head, rest = text.split(README_START, 1)
    _, tail = rest.split(README_END, 1)
    block = f"{README_START}\n{figures(truth)}\n{README_END}"
    path.write_text(head + block + tail, encoding="utf-8")


def readmes() -> dict[str, Callable[[dict], str]]:
    """Each README of the sample (one per language) and what writes its figures."""
    return {"README.md": readme_figures, "README.es.md": partial(readme_figures, fm=ES)}
