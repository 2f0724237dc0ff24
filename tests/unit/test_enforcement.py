"""The enforcement analysis: the sample's planted story recovered against figures computed here
from the raw files (levels by the offence table in ground_truth.json, grams by a unit table of
our own, distances by brute force), and its pieces on small hand-made and random cases."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from enforcement_records import GRAMS_PER_UNIT, UTM, raw_records
from pyproj import CRS
from scipy.stats import spearmanr

from analysis.enforcement import (
    compute_enforcement,
    intensity_index,
    quadrants,
    share_slope,
    spearman,
    within,
)
from analysis.indicators import compute_indicators
from analysis.inputs import load_project
from sample_maps import SAMPLE_DIR, SAMPLE_PROJECT

TRUTH = json.loads((SAMPLE_DIR / "ground_truth.json").read_text(encoding="utf-8"))
STORY = TRUTH["effects"]["enforcement_focus"]
LOW, HIGH = ("personal_use", "small_supply"), ("trafficking", "organised_crime")

needs_sample = pytest.mark.skipif(not SAMPLE_PROJECT.exists(), reason="sample not generated")


# --- the sample's story ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def project():
    return load_project(str(SAMPLE_PROJECT))


@pytest.fixture(scope="module")
def departments(project):
    return compute_enforcement(project, "Departamentos (ADM1)")


@pytest.fixture(scope="module")
def municipalities(project):
    return compute_enforcement(project)


@pytest.fixture(scope="module")
def raw() -> gpd.GeoDataFrame:
    gdf = raw_records()
    gdf["dept"] = gdf.cod_mpio.str[:4]
    gdf["level"] = gdf.delito.map(STORY["offences"])
    gdf["persons"] = np.where(gdf.tipo_accion.isin(["CAPTURA", "OPERATIVO"]), gdf.capturas, 0)
    gdf["grams"] = gdf.cantidad * gdf.unidad.map(GRAMS_PER_UNIT)
    return gdf


def _row(result, code: str) -> tuple[pd.Series, dict]:
    i = int(np.flatnonzero(result.table["code"].to_numpy() == code)[0])
    return result.table.iloc[i], result.details[i]


@needs_sample
@pytest.mark.parametrize("dept", ["XA01", "XA02"])
def test_whom_arrests_hit_per_department_as_counted_from_the_file(departments, raw, dept):
    row, detail = _row(departments, dept)
    mine = raw[raw.dept == dept]
    persons = mine.groupby("level").persons.sum()
    for level in (*LOW, *HIGH, "unclassified"):
        assert detail["arrests_by_level"][level] == persons.get(level, 0)
    total = persons.sum()
    assert row["arrests"] == total
    assert row["low_level_share"] == pytest.approx(persons[list(LOW)].sum() / total)
    assert row["high_level_share"] == pytest.approx(persons[list(HIGH)].sum() / total)
    # Unclassified values are listed with their people, never dropped.
    listed = {u["value"]: u["persons"] for u in detail["unclassified_values"]}
    expected = mine[mine.level == "unclassified"].groupby("delito").persons.sum()
    assert listed == {k: float(v) for k, v in expected.items() if v > 0}
    assert row["operations"] == (mine.tipo_accion == "OPERATIVO").sum()
    seizures = mine[mine.tipo_accion == "INCAUTACIÓN"]
    bands = pd.cut(seizures.grams, [0, 100, 1e4, 1e6, np.inf], right=False,
                   labels=["under_100g", "100g_10kg", "10kg_1t", "over_1t"])  # fmt: skip
    assert {k: v for k, v in detail["seizures_by_band"].items() if k != "no_weight"} == {
        str(k): int(v) for k, v in bands.value_counts().items()
    }
    assert row["seized_kg"] == pytest.approx(seizures.grams.sum() / 1e3)
    realised = STORY["realised"]["departments"][dept]
    assert detail["arrests_by_level"] == {
        k: float(v) for k, v in realised["persons_by_level"].items()
    }


@needs_sample
def test_the_two_departments_story(departments, municipalities, raw, project):
    xa01, d1 = _row(departments, "XA01")
    xa02, d2 = _row(departments, "XA02")
    # XA01 spends most arrests on people who use drugs or small supply; XA02 on the top.
    assert xa01["low_level_share"] > 0.6 and xa01["high_level_share"] < 0.2
    assert xa02["high_level_share"] > 0.6 and xa02["low_level_share"] < 0.2
    # XA02 seizes by the tonne; XA01 by the gram.
    assert d2["seizures_by_band"]["over_1t"] >= 1 and d1["seizures_by_band"]["over_1t"] == 0
    assert xa02["seized_kg"] > 100 * xa01["seized_kg"]
    # XA01's arrests are in its least violent (lowest events per 100,000) municipality.
    munis = municipalities.table.set_index("code")
    xa01_munis = munis[munis.index.str.startswith("XA01")]
    top = xa01_munis["arrests"].idxmax()
    assert top == STORY["possession_town"]
    assert xa01_munis.loc[top, "arrests"] / xa01_munis["arrests"].sum() > 0.75
    rates = xa01_munis["harm_violent_events_per_100k"]
    assert rates.idxmin() == top
    assert xa01_munis.loc[top, "low_level_share"] > 0.95
    # Frente Tacuré's violence in XA01 is mostly far from XA01's operations; the Clan's in XA02
    # is much nearer XA02's. Brute-force distances from the raw files.
    events = pd.read_csv(SAMPLE_DIR / TRUTH["files"]["violence"])
    events = events[events.event_type.isin(
        ["Battles", "Explosions/Remote violence", "Violence against civilians"])]  # fmt: skip
    pts = gpd.GeoDataFrame(
        events, geometry=gpd.points_from_xy(events.longitude, events.latitude), crs=4326
    ).to_crs(UTM)
    adm1 = gpd.read_file(SAMPLE_DIR / TRUTH["files"]["adm1"]).to_crs(UTM).set_index("ADM1_PCODE")
    ops = raw[raw.tipo_accion == "OPERATIVO"]

    def near(a: gpd.GeoSeries, b: gpd.GeoSeries) -> np.ndarray:
        d = np.hypot(a.x.to_numpy()[:, None] - b.x.to_numpy()[None, :],
                     a.y.to_numpy()[:, None] - b.y.to_numpy()[None, :])  # fmt: skip
        return d.min(axis=1) <= 5000

    shares = {}
    for dept, group in STORY["groups"].items():
        anywhere = pts[pts.actor1 == group].geometry
        in_dept = anywhere[anywhere.within(adm1.geometry[dept])]
        shares[dept] = float(near(in_dept, ops.geometry).mean())
        listed = {g["actor"]: g for g in _row(departments, dept)[1]["groups"]}
        assert group in listed, listed.keys()
        assert listed[group]["events_within_share"] == pytest.approx(shares[dept])
        own_ops = ops[ops.dept == dept].geometry
        assert listed[group]["operations_within_share"] == pytest.approx(
            float(near(own_ops, anywhere).mean())
        )
    assert shares["XA01"] < 0.2 < 0.4 < shares["XA02"]
    assert d1["groups"][0]["actor"] == STORY["groups"]["XA01"]


@needs_sample
def test_effort_against_harm_reuses_the_indicators(project, municipalities):
    table = compute_indicators(project)
    t = municipalities.table
    assert np.allclose(t["harm_index"], table["harm_index"], equal_nan=True)
    assert np.allclose(t["population"], table["population"])
    # The indicators' own enforcement figures are the analysis' (one reading of the records).
    assert np.allclose(t["arrests_per_100k"], table["arrests_per_100k"], equal_nan=True)
    assert np.allclose(t["low_level_share"], table["low_level_arrest_share"], equal_nan=True)
    assert "arrests_per_100k" not in table.attrs["index_uses"]
    weighted = compute_indicators(project, weights="low_level_arrest_share=1")
    assert "low_level_arrest_share" in weighted.attrs["index_uses"]
    # 10 years: people arrested per 100,000 a year.
    assert t["arrests_per_100k"].iloc[0] == pytest.approx(
        t["arrests"].iloc[0] / 10 / t["population"].iloc[0] * 1e5
    )
    # Quadrants from the medians, and Spearman as scipy gives it.
    both = t[["enforcement_intensity", "harm_index"]].dropna()
    mi, mh = both.median()
    for _, r in t.dropna(subset=["enforcement_intensity", "harm_index"]).iterrows():
        e = "high" if r["enforcement_intensity"] > mi else "low"
        h = "high" if r["harm_index"] > mh else "low"
        assert r["quadrant"] == f"{e}_enforcement_{h}_harm"
    rho = spearmanr(both["enforcement_intensity"], both["harm_index"]).statistic
    assert municipalities.spearman["rho"] == pytest.approx(rho)
    # Monteoscuro, XA01's most violent municipality, has harm without the effort.
    assert t.set_index("code").loc["XA01005", "quadrant"] == "low_enforcement_high_harm"


@needs_sample
def test_indicators_count_the_enforcement_layers_seizures_as_the_analysis_does(
    project, municipalities, raw
):
    """The sample's seizures are records of an enforcement layer (tipo_accion INCAUTACIÓN), not
    a 'seizures' column: the indicators said "No layer has seizures" and left them empty."""
    notes: list[str] = []
    table = compute_indicators(project, notes=notes)
    assert not any("seizures" in n for n in notes), notes
    assert np.array_equal(table["seizures"], municipalities.table["seizures"])
    planted = raw[raw.tipo_accion.str.startswith("INCAUTACI")].groupby("cod_mpio").size()
    by_code = table.set_index("code")["seizures"]
    assert by_code.sum() == planted.sum() > 0
    assert by_code.loc["XA01001"] == planted.loc["XA01001"]
    # Its notes name an indicator by its label, never by its column ('wdq_violence: ...').
    assert not any(n.startswith("wdq_") for n in notes), notes


@needs_sample
def test_the_result_table_and_layer_say_the_quadrant_in_words(project, municipalities):
    from analysis.enforcement import QUADRANTS, enforcement_result

    result = enforcement_result(project, None, municipalities)
    words = set(QUADRANTS.values())
    assert set(result.table["quadrant"].dropna()) <= words
    assert set(result.layers["regions"]["quadrant"].dropna()) <= words
    assert result.table["quadrant"].notna().sum() == 16
    # The map colours them as the briefing's chart does (harm without the effort red).
    colours = result.styles["regions"]["categories"]
    assert colours[QUADRANTS["low_enforcement_high_harm"]] == "#b2182b" and len(colours) == 4
    # The JSON keeps the keys a script reads.
    assert {r["quadrant"] for r in result.summary["regions"]} <= set(QUADRANTS)


# --- the pieces -----------------------------------------------------------------------------
def test_quadrants_by_hand() -> None:
    intensity = np.array([0.9, 0.1, 0.8, 0.2, 0.5, np.nan])
    harm = np.array([0.1, 0.9, 0.7, 0.2, 0.5, 0.4])
    out, mi, mh = quadrants(intensity, harm)
    assert (mi, mh) == (0.5, 0.5)  # medians of the five regions with both values
    assert list(out) == [
        "high_enforcement_low_harm",
        "low_enforcement_high_harm",
        "high_enforcement_high_harm",
        "low_enforcement_low_harm",
        "low_enforcement_low_harm",  # at the median: low
        None,
    ]


def test_spearman_matches_scipy_on_random_data() -> None:
    rng = np.random.default_rng(3)
    for _ in range(20):
        x, y = rng.normal(size=12), rng.normal(size=12)
        y[rng.integers(0, 12)] = np.nan
        got = spearman(x, y)
        ok = np.isfinite(y)
        assert got["rho"] == pytest.approx(spearmanr(x[ok], y[ok]).statistic)
        assert got["n"] == 11
    assert spearman([1, 2], [2, 1])["rho"] is None
    assert spearman([1, 1, 1], [1, 2, 3])["rho"] is None


def test_within_matches_brute_force() -> None:
    rng = np.random.default_rng(7)
    for _ in range(10):
        points = rng.uniform(0, 50_000, size=(300, 2))
        targets = rng.uniform(0, 50_000, size=(40, 2))
        metres = float(rng.uniform(1000, 8000))
        d = np.hypot(*(points[:, None, :] - targets[None, :, :]).transpose(2, 0, 1))
        assert np.array_equal(within(points, targets, metres), d.min(axis=1) <= metres)
    assert not within(np.zeros((3, 2)), np.zeros((0, 2)), 10).any()


def test_share_slope_matches_polyfit() -> None:
    years = np.arange(2014, 2024)
    rng = np.random.default_rng(1)
    total = rng.integers(0, 5, size=(6, 10)).astype(float)
    total[0] = 0
    total[1, 1:] = 0  # one year: no slope
    low = np.floor(total * rng.uniform(size=total.shape))
    got = share_slope(low, total, years)
    for i in range(6):
        ok = total[i] > 0
        if ok.sum() < 2:
            assert np.isnan(got[i])
        else:
            assert got[i] == pytest.approx(np.polyfit(years[ok], low[i, ok] / total[i, ok], 1)[0])


def test_intensity_is_the_mean_of_scaled_rates() -> None:
    rates = pd.DataFrame({"a": [0.0, 10.0, 5.0], "b": [2.0, 2.0, 4.0], "c": [np.nan] * 3})
    assert np.allclose(intensity_index(rates), [0.0, 0.5, 0.75])


def test_grams_fast_path_equals_quantity_grams() -> None:
    """Numeric quantities times their unit's grams give what quantity_grams gives per row."""
    from analysis.enforcement_records import _grams
    from layers.enforcement_levels import quantity_grams

    rng = np.random.default_rng(5)
    n = 500
    numbers = rng.lognormal(3, 3, n)
    numbers[rng.random(n) < 0.05] = np.nan
    numbers[rng.random(n) < 0.05] = -1.0
    units = rng.choice(["g", "KILOGRAMOS", "libras", "t", "dosis", None, "Kg", "onzas"], n)
    units = pd.Series(units, dtype=object)
    got = _grams(pd.Series(numbers), units)
    expected = [quantity_grams(q, u) for q, u in zip(numbers, units, strict=True)]
    expected = np.array([np.nan if v is None else v for v in expected])
    assert np.allclose(got, expected, equal_nan=True)
    text = pd.Series(["2,5 kg", "1.200", "300 g", None, "3 LIBRAS"], dtype=object)
    slow = [quantity_grams(q, "g") for q in text]
    assert np.allclose(
        _grams(text, pd.Series(["g"] * 5)),
        [np.nan if v is None else v for v in slow],
        equal_nan=True,
    )


@needs_sample
def test_readme_tells_the_story_with_these_figures(departments, municipalities) -> None:
    """The figures README's enforcement section quotes are what the analysis gives."""
    from layers.numbers import percent
    from sample_maps import SAMPLE_DIR as sample_dir

    def pc(share: float) -> str:
        return percent(share, 0, "en")

    readme = (sample_dir.parent / "README.md").read_text(encoding="utf-8")
    x1, d1 = _row(departments, "XA01")
    x2, d2 = _row(departments, "XA02")
    groups1 = {g["actor"]: g for g in d1["groups"]}
    groups2 = {g["actor"]: g for g in d2["groups"]}
    quoted = {
        f"of {x1['arrests']:,.0f}": True,
        f"{pc(x1['low_level_share'])} were people who use drugs": True,
        f"({pc(d1['arrests_by_level']['personal_use'] / x1['arrests'])})": True,
        f"{pc(x2['high_level_share'])} of {x2['arrests']:,.0f} people arrested": True,
        f"only {pc(groups1['Frente Tacuré (Disidencias)']['events_within_share'])} of its "
        f"{groups1['Frente Tacuré (Disidencias)']['events']} events": True,
        f"{pc(groups2['Clan del Caguará']['events_within_share'])} of the Clan's events": True,
        f"ρ = {municipalities.spearman['rho']:.2f}".replace("-", "−"): True,
    }
    flat = " ".join(readme.split())
    for text in quoted:
        assert text in flat, text


def test_records_bad_input_is_counted_and_said() -> None:
    """Undated arrests, offences the vocabulary does not know, overrides, and a per-region
    table without geometry keyed by codes without their prefix: nothing silently dropped."""
    import shapely

    from analysis.enforcement_records import persons_by_level, read_records
    from layers.layer import Layer
    from layers.roles import FieldMapping, Role
    from layers.timefilter import TimeFilter

    utm = CRS.from_epsg(32618)

    squares = np.array([shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)])
    identity = pd.DataFrame({"code": ["XA01001", "XA01002"], "name": ["A", "B"]})
    points = gpd.GeoDataFrame(
        {
            "accion": ["CAPTURA", "CAPTURA", "CAPTURA", "OPERATIVO", "INCAUTACIÓN"],
            "delito": [
                "Porte de estupefacientes",
                "Hurto",
                "Concierto para delinquir",
                "Microtráfico",
                "Tráfico de estupefacientes",
            ],
            "capturas": [1, 2, None, 5, 0],
            "fecha": pd.to_datetime(["2020-01-05", "2020-02-01", None, "2021-03-01", "2020-05-05"]),
        },  # fmt: skip
        geometry=gpd.points_from_xy([1, 2, 3, 15, 16], [1, 1, 1, 5, 5]),
        crs=32618,
    )
    mapping = FieldMapping(
        fields={
            "action_type": "accion",
            "offence": "delito",
            "persons": "capturas",
            "date": "fecha",
        },  # fmt: skip
        value_maps={"target_level": {"HURTO": "small_supply"}},
    )
    layer = Layer(points, "Capturas", role=Role.ENFORCEMENT, mapping=mapping)
    notes: list[str] = []
    period = TimeFilter.parse("2020-2021")
    records = read_records([layer], utm, squares, identity, period, notes)
    assert len(records) == 4 and any("1 records have no date" in n for n in notes)
    levels = persons_by_level(records, 2)
    assert levels.loc[0, "personal_use"] == 1 and levels.loc[0, "small_supply"] == 2  # override
    assert levels.loc[1, "small_supply"] == 5 and levels.loc[:, "organised_crime"].sum() == 0
    assert records.loc[records.action == "seizure", "persons"].tolist() == [0.0]
    # Without a period the undated arrest counts (one person: no readable count), in no year.
    records = read_records([layer], utm, squares, identity, None, notes)
    assert persons_by_level(records, 2).loc[0, "organised_crime"] == 1
    # Unknown offences are unclassified, counted with their people.
    mapping.value_maps.clear()
    records = read_records([layer], utm, squares, identity, None, [])
    assert persons_by_level(records, 2).loc[0, "unclassified"] == 2
    # A table of counts per municipality: codes without the prefix still find their region.
    table = gpd.GeoDataFrame(
        {
            "cod_mpio": ["01002", "XA01001", "99999"],
            "capturas": [7, 3, 4],
            "delito": ["posesión simple"] * 3,
        },  # fmt: skip
        geometry=gpd.GeoSeries([None, None, None]),
        crs=32618,
    )
    counts = Layer(table, "Por municipio", role=Role.ENFORCEMENT, mapping=FieldMapping(
        fields={"region_code": "cod_mpio", "persons": "capturas", "offence": "delito"}))  # fmt: skip
    notes = []
    records = read_records([counts], utm, squares, identity, None, notes)
    levels = persons_by_level(records, 2)
    assert levels["personal_use"].tolist() == [3.0, 7.0]
    assert any("1 enforcement records lie in no region" in n for n in notes)
