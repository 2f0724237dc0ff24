"""The sample's enforcement story, recovered from the raw files with plain pandas (the levels by
the offence table in ground_truth.json, not by the generator's measurement), and the
municipal statistics workbook with its codes as text."""

from __future__ import annotations

import json
import zipfile

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from enforcement_records import GRAMS_PER_UNIT, UTM, raw_records
from scipy.spatial import cKDTree

from layers.enforcement_levels import classify_level
from layers.readers import read_layers
from layers.roles import Role
from sample_maps import SAMPLE_DIR
from sample_maps.enforcement import ENFORCEMENT_FILES
from sample_maps.enforcement_truth import measure_enforcement, measure_statistics

TRUTH = json.loads((SAMPLE_DIR / "ground_truth.json").read_text(encoding="utf-8"))
STORY = TRUTH["effects"]["enforcement_focus"]
STATS = TRUTH["effects"]["municipal_statistics"]


@pytest.fixture(scope="module")
def records() -> gpd.GeoDataFrame:
    gdf = raw_records()
    adm2 = gpd.read_file(SAMPLE_DIR / TRUTH["files"]["adm2"]).to_crs(UTM)
    joined = gpd.sjoin(gdf, adm2[["ADM2_PCODE", "geometry"]], predicate="within", how="left")
    gdf["muni"] = joined.ADM2_PCODE.to_numpy()
    gdf["level"] = gdf.delito.map(STORY["offences"])  # the planted meaning of each text
    return gdf


def _arrests(records, dept: str) -> pd.DataFrame:
    d = records.loc[records.muni.str.startswith(dept)]
    return d.loc[d.tipo_accion.isin(["CAPTURA", "OPERATIVO"])]


def test_every_record_is_labelled_synthetic_and_inside_its_municipality(records):
    assert records.nota.str.contains("ynthetic").all()
    assert records.fuente.str.contains("sintético").all()
    assert (records.muni == records.cod_mpio).all()
    years = pd.to_datetime(records.fecha_hecho, format="%d/%m/%Y").dt.year
    assert years.min() == 2014 and years.max() == 2023
    assert set(records.tipo_accion) == {"CAPTURA", "INCAUTACIÓN", "OPERATIVO"}
    arrests = records.loc[records.tipo_accion != "INCAUTACIÓN"]
    assert arrests.level.notna().all()  # every offence text is in the planted table


def test_the_vocabulary_reads_each_planted_offence_as_planted():
    for text, level in STORY["offences"].items():
        assert classify_level(text) == level, text


def test_the_app_reads_the_file_as_enforcement_with_its_fields():
    layer = read_layers(SAMPLE_DIR / ENFORCEMENT_FILES["enforcement"])[0]
    assert layer.role == Role.ENFORCEMENT
    fields = layer.mapping.fields
    assert fields["date"] == "fecha_hecho" and fields["offence"] == "delito"
    assert fields["action_type"] == "tipo_accion" and fields["persons"] == "capturas"
    assert fields["drug"] == "droga" and fields["quantity"] == "cantidad"
    assert fields["quantity_unit"] == "unidad" and "weight" not in fields
    assert layer.data[fields["date"]].notna().all()  # day-first dates read


def test_xa01_arrests_people_who_use_drugs_in_its_least_violent_town(records):
    d1 = STORY["realised"]["departments"]["XA01"]
    a = _arrests(records, "XA01")
    persons = a.capturas.sum()
    share_pu = a.capturas[a.level == "personal_use"].sum() / persons
    assert share_pu >= STORY["expected"]["XA01_share_personal_use_min"]
    assert share_pu == pytest.approx(d1["share_personal_use"], abs=1e-4)
    by_muni = a.groupby("muni").capturas.sum()
    assert by_muni.idxmax() == STORY["possession_town"] == "XA01001"
    assert by_muni["XA01001"] / persons == pytest.approx(
        d1["share_of_arrests_in_possession_town"], abs=1e-4
    )
    # Its least violent municipality (the health gap's rates, from the ACLED file).
    rates = TRUTH["effects"]["health_gap"]["all_municipalities"]["events_per_100k_2019_2023"]
    xa01 = {c: r for c, r in rates.items() if c.startswith("XA01")}
    assert min(xa01, key=xa01.get) == "XA01001" and d1["events_per_100k_2019_2023"] == xa01
    assert by_muni.get(max(xa01, key=xa01.get), 0) / persons <= 0.05  # Monteoscuro


def test_xa01s_armed_group_operates_elsewhere(records):
    group = STORY["groups"]["XA01"]
    acled = pd.read_csv(SAMPLE_DIR / TRUTH["files"]["violence"])
    violent = acled.event_type.isin(
        ["Battles", "Explosions/Remote violence", "Violence against civilians"]
    )
    ev = acled.loc[violent & (acled.actor1 == group) & (acled.admin1 == "Serranía de Tucaré")]
    assert (ev.admin2 == "San José del Alto").mean() < 0.15
    pts = gpd.GeoSeries(gpd.points_from_xy(ev.longitude, ev.latitude), crs=4326).to_crs(UTM)
    a = _arrests(records, "XA01")
    effort = records.loc[records.muni.str.startswith("XA01")]
    effort = effort.loc[
        (effort.tipo_accion == "OPERATIVO")
        | effort.index.isin(a.index[a.level.isin(["trafficking", "organised_crime"])])
    ]
    d, _ = cKDTree(np.column_stack([effort.geometry.x, effort.geometry.y])).query(
        np.column_stack([pts.x, pts.y])
    )
    near = (d <= STORY["near_m"]).mean()
    assert near <= STORY["expected"]["XA01_group_events_near_effort_max"]
    assert near == pytest.approx(
        STORY["realised"]["departments"]["XA01"]["group"][
            "share_of_events_within_5km_of_operations_or_high_level_arrests"
        ],
        abs=1e-4,
    )


def test_xa02_arrests_traffickers_where_the_trafficking_group_is(records):
    d2 = STORY["realised"]["departments"]["XA02"]
    a = _arrests(records, "XA02")
    high = a.loc[a.level.isin(["trafficking", "organised_crime"])]
    share = high.capturas.sum() / a.capturas.sum()
    assert share >= STORY["expected"]["XA02_share_high_level_min"]
    assert share == pytest.approx(d2["share_high_level"], abs=1e-4)
    acled = pd.read_csv(SAMPLE_DIR / TRUTH["files"]["violence"])
    ev = acled.loc[
        (acled.actor1 == STORY["groups"]["XA02"])
        & (acled.admin1 == "Llanura del Guaimaró")
        & acled.event_type.isin(
            ["Battles", "Explosions/Remote violence", "Violence against civilians"]
        )
    ]
    pts = gpd.GeoSeries(gpd.points_from_xy(ev.longitude, ev.latitude), crs=4326).to_crs(UTM)
    d, _ = cKDTree(np.column_stack([pts.x, pts.y])).query(
        np.column_stack([high.geometry.x, high.geometry.y])
    )
    assert high.capturas[d <= STORY["near_m"]].sum() / high.capturas.sum() >= 0.9


def test_seizures_grams_in_xa01_tonnes_in_xa02(records):
    s = records.loc[records.tipo_accion == "INCAUTACIÓN"]
    assert set(s.unidad) <= set(GRAMS_PER_UNIT)
    kg = s.cantidad * s.unidad.map(GRAMS_PER_UNIT) / 1000
    per_dept = kg.groupby(s.muni.str[:4]).sum()
    r = STORY["realised"]["departments"]
    assert per_dept["XA01"] == pytest.approx(r["XA01"]["seized_kg"], abs=0.01)
    assert per_dept["XA02"] == pytest.approx(r["XA02"]["seized_kg"], abs=0.01)
    xa01, xa02 = kg[s.muni.str.startswith("XA01")], kg[s.muni.str.startswith("XA02")]
    assert (xa01 < 0.1).sum() == r["XA01"]["seizures_by_band"]["under_100g"]
    assert (xa01 < 0.1).mean() > 0.8 and (xa02 >= 10).mean() > 0.8
    assert (xa02 >= 1000).sum() == r["XA02"]["seizures_by_band"]["over_1t"] >= 1


def test_unclassified_offences_are_counted_and_listed():
    planted = {t for t, lv in STORY["offences"].items() if lv == "unclassified"}
    for code in ("XA01", "XA02"):
        d = STORY["realised"]["departments"][code]
        assert set(d["unclassified_offences"]) == planted
        assert sum(d["unclassified_offences"].values()) == d["persons_by_level"]["unclassified"]
        assert sum(d["persons_by_level"].values()) == d["persons_arrested"]


def test_statistics_codes_are_text_with_leading_zeros_and_two_do_not_match():
    path = SAMPLE_DIR / ENFORCEMENT_FILES["statistics"]
    with zipfile.ZipFile(path) as z:  # stored as shared strings, not numbers
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert 't="s"' in sheet or 't="inlineStr"' in sheet
    table = pd.read_excel(path, sheet_name=STATS["sheet"], dtype={"codigo_divipola": str})
    assert table.codigo_divipola.str.fullmatch(r"0\d{4}").all()
    assert table.nota.str.contains("ynthetic").all()
    adm2 = gpd.read_file(SAMPLE_DIR / TRUTH["files"]["adm2"])
    pcodes = set(adm2.ADM2_PCODE)
    unmatched = sorted(c for c in table.codigo_divipola if "XA" + c not in pcodes)
    assert unmatched == STATS["unmatched_codes"] and len(unmatched) == 2
    assert len(table) - 2 == STATS["matched_regions"] == len(pcodes)
    # pandas' default read turns the text into numbers and loses the zero: a join must ask
    # for text (this is the trap the table is there to show).
    raw = pd.read_excel(path, sheet_name=STATS["sheet"])
    assert raw.codigo_divipola.astype(str).iloc[0] == "1001"
    assert {f"tasa_homicidios_{y}" for y in range(2014, 2024)} <= set(table.columns)


def test_ground_truth_matches_what_the_files_hold():
    assert TRUTH["planted_ok"] is True
    assert STORY["realised"] == measure_enforcement(SAMPLE_DIR)
    assert STATS == measure_statistics(SAMPLE_DIR)


def test_the_generator_refuses_a_story_that_did_not_come_out():
    import copy

    from sample_maps.enforcement_truth import check_enforcement

    assert check_enforcement(STORY, STATS) == []
    broken = copy.deepcopy(STORY)
    broken["realised"]["departments"]["XA01"]["share_personal_use"] = 0.3
    broken["realised"]["departments"]["XA02"]["seizures_by_band"]["over_1t"] = 0
    problems = check_enforcement(broken, STATS)
    assert any("personal-use" in p for p in problems)
    assert any("tonne" in p for p in problems)
    stats = copy.deepcopy(STATS)
    stats["unmatched_codes"] = ["01009"]
    assert any("statistics codes" in p for p in check_enforcement(STORY, stats))
