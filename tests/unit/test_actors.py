"""Actor profile of violence (analysis/actors.py): ACLED's inter codes as numbers and text,
civilian targeting with and without its column, odd actor names, an empty period, the fast
figures against a plain loop on random events, and the sample's planted armed groups."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from analysis.actor_codes import civilian_targeting, inter_codes, plain_text
from analysis.actors import ActorProfile
from analysis.inputs import InputError, execute
from layers.layer import Layer
from layers.roles import FieldMapping, Role
from sample_maps import SAMPLE_PROJECT

EVENT_FIELDS = {"date": "event_date", "fatalities": "fatalities", "event_type": "event_type"}


def regions_layer() -> Layer:
    """Two 1°×1° squares side by side, codes R1 (west) and R2 (east)."""
    gdf = gpd.GeoDataFrame(
        {"pcode": ["R1", "R2"], "name": ["Oeste", "Este"]},
        geometry=[shapely.box(-75, 0, -74, 1), shapely.box(-74, 0, -73, 1)],
        crs="EPSG:4326",
    )
    mapping = FieldMapping(fields={"region_code": "pcode", "name": "name"})
    return Layer(gdf, "Regiones", role=Role.ADMIN_BOUNDARIES, mapping=mapping)


def events_layer(rows: list[dict], fields: dict | None = None) -> Layer:
    """ACLED-like point events from rows with lon, lat and ACLED's columns."""
    frame = pd.DataFrame(rows)
    gdf = gpd.GeoDataFrame(
        frame.drop(columns=["lon", "lat"]),
        geometry=gpd.points_from_xy(frame["lon"], frame["lat"]),
        crs="EPSG:4326",
    )
    mapping = FieldMapping(fields=dict(EVENT_FIELDS if fields is None else fields))
    return Layer(gdf, "Eventos", role=Role.VIOLENCE, mapping=mapping)


def event(actor: str, lon: float, date: str, **more) -> dict:
    row = {
        "event_id_cnty": more.pop("event_id", f"E{abs(hash((actor, lon, date))) % 10**6}"),
        "event_date": date,
        "event_type": more.pop("event_type", "Battles"),
        "actor1": actor,
        "fatalities": more.pop("fatalities", 0),
        "lon": lon,
        "lat": more.pop("lat", 0.5),
    }
    row.update(more)
    return row


def profile(events: Layer, **params) -> dict:
    raw = {"events": events, "regions_layer": regions_layer()} | params
    return execute(ActorProfile(), raw)


# --- codes ----------------------------------------------------------------------------------
def test_inter_codes_numeric_and_text() -> None:
    """Older exports write 1–8 (as numbers or text, 3.0 from a float column), newer ones the
    type's name, in any case and spacing; anything else is 'type not given' (0)."""
    values = pd.Series(
        [1, "2", "3.0", 4.0, "Rebel group", " political  MILITIA ", "Identity militia",
         "Rioters", "Protesters", "Civilians", "External/Other forces", None, "9", "milicia"],
        dtype=object,
    )  # fmt: skip
    assert inter_codes(values).tolist() == [1, 2, 3, 4, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0]


def test_state_forces_known_by_name_without_inter1() -> None:
    actors = pd.Series(["Military Forces of Demolandia (2014-)", "Police Forces of X", "Clan"])
    assert inter_codes(None, actors).tolist() == [1, 1, 0]
    # A given inter1 wins over the name.
    assert inter_codes(pd.Series(["3", "", ""]), actors).tolist() == [3, 1, 0]


def test_civilian_targeting_column_or_second_actor() -> None:
    """The column when there is one (even where actor2 is civilians: ACLED's coders decided);
    without it, inter2 = 7 / 'Civilians' or an actor2 named Civilians (...)."""
    data = pd.DataFrame(
        {
            "civilian_targeting": ["Civilian targeting", "", None, " civilian targeting"],
            "actor2": ["Civilians (X)", "Civilians (X)", "Police", ""],
            "inter2": [7, 7, 1, None],
        }
    )
    cols = {"civilian_targeting": "civilian_targeting", "actor2": "actor2", "inter2": "inter2"}
    flags, source = civilian_targeting(data, cols)
    assert flags.tolist() == [True, False, False, True] and source == "column"
    flags, source = civilian_targeting(data, {"actor2": "actor2", "inter2": "inter2"})
    assert flags.tolist() == [True, True, False, False] and source == "inter2+actor2"
    text = pd.DataFrame({"inter2": ["Civilians", "State forces"], "actor2": ["", ""]})
    flags, _ = civilian_targeting(text, {"inter2": "inter2", "actor2": "actor2"})
    assert flags.tolist() == [True, False]


def test_plain_text_folds_case_accents_and_blanks() -> None:
    values = pd.Series(["Clan del Caguará", " clan  del caguara", "CLAN DEL CAGUARÁ", None])
    out = plain_text(values)
    assert out.iloc[:3].nunique() == 1 and out.iloc[0] == "clan del caguara"
    assert pd.isna(out.iloc[3])


# --- the analysis on small layers -----------------------------------------------------------
def test_missing_civilian_targeting_column_uses_the_second_actor() -> None:
    rows = [
        event("Frente Sur", -74.5, "2019-03-01", event_type="Violence against civilians",
              actor2="Civilians (X)", inter1="Rebel group", fatalities=2),
        event("Frente Sur", -74.5, "2019-04-01", actor2="Police Forces of X", inter1="Rebel group"),
        event("Frente Sur", -74.4, "2020-04-01", event_type="Violence against civilians",
              inter2=7, inter1="Rebel group"),
    ]  # fmt: skip
    result = profile(events_layer(rows))
    group = result.summary["groups"][0]
    assert group["actor_type"] == "Rebel group"
    assert group["civilian_events"] == 2 and group["civilian_share"] == pytest.approx(2 / 3)
    assert group["harm_score"] == 2 + 2
    assert any("second actor" in note for note in result.notes)


def test_odd_actor_names_are_one_group_in_their_most_frequent_spelling() -> None:
    rows = [
        event("Clan del Caguará", -74.5, "2019-01-01", fatalities=1),
        event("Clan del Caguará", -74.5, "2019-01-02", fatalities=1),
        event(" clan  del CAGUARA ", -73.5, "2019-01-03", fatalities=5),
        event('Grupo "Ñ", 1.º; =2+3', -73.5, "2019-01-04", fatalities=1),
        event("", -73.5, "2019-01-05", fatalities=9),
        event(None, -73.5, "2019-01-06", fatalities=9),
    ]
    result = profile(events_layer(rows))
    groups = {g["actor"]: g for g in result.summary["groups"]}
    assert set(groups) == {"Clan del Caguará", 'Grupo "Ñ", 1.º; =2+3'}
    clan = groups["Clan del Caguará"]
    assert clan["events"] == 3 and clan["fatalities"] == 7
    assert sorted(clan["regions"]) == ["R1", "R2"]
    assert any("no actor1" in note for note in result.notes)
    east = next(r for r in result.summary["regions"] if r["code"] == "R2")
    assert east["most_harmful"] == ["Clan del Caguará", 'Grupo "Ñ", 1.º; =2+3']


def test_no_event_in_the_period_says_which_dates_there_are() -> None:
    rows = [event("A", -74.5, "2019-05-01"), event("A", -74.5, "2021-02-03")]
    with pytest.raises(InputError, match=r"2030.*from 2019-05-01 to 2021-02-03"):
        profile(events_layer(rows), years="2030-2031")
    with pytest.raises(InputError, match=r"event types.*Its types: Battles\."):
        profile(events_layer(rows), event_types="Riots, Protests")


def test_no_actor_column_and_no_date_are_clear_errors() -> None:
    rows = [event("A", -74.5, "2019-05-01")]
    layer = events_layer(rows)
    layer.data.drop(columns=["actor1"], inplace=True)
    with pytest.raises(InputError, match="actor1"):
        profile(layer)
    with pytest.raises(InputError, match="date"):
        profile(events_layer(rows, fields={}))


def test_state_forces_labelled_unidentified_never_most_harmful() -> None:
    rows = [
        event("Unidentified Armed Group (X)", -74.5, "2019-01-01", fatalities=50),
        event("Military Forces of X (2014-)", -74.5, "2019-01-02", fatalities=3),
        event("Frente Sur", -74.5, "2019-01-03", fatalities=1),
        event("Frente Sur", -74.5, "2019-01-04", event_type="Protests", fatalities=40),
    ]
    result = profile(events_layer(rows), years="2019")
    west = result.summary["regions"][0]
    ranked = [(g["actor"], g["rank"], g["state_forces"], g["unidentified"]) for g in west["groups"]]
    assert ranked == [
        ("Unidentified Armed Group (X)", 1, False, True),
        ("Military Forces of X (2014-)", 2, True, False),
        ("Frente Sur", 3, False, False),
    ]
    assert west["most_harmful"] == ["Military Forces of X (2014-)", "Frente Sur"]
    assert west["events"] == 3  # the protest is not political violence
    everything = profile(events_layer(rows), years="2019", event_types="all")
    assert everything.summary["regions"][0]["events"] == 4
    assert everything.summary["regions"][0]["groups"][0]["actor"] == "Unidentified Armed Group (X)"


def test_figures_match_a_plain_loop_on_random_events() -> None:
    """Events, fatalities, civilian events, rank, the least-squares trend and halves per region
    and group, against one event at a time and np.polyfit."""
    rng = np.random.default_rng(17)
    n = 600
    actors = ["Frente Sur", "Clan Norte", "Los Ríos", "Police Forces of X"]
    rows = []
    for i in range(n):
        year = int(rng.integers(2015, 2022))
        rows.append(
            event(
                actors[int(rng.integers(len(actors)))],
                float(rng.uniform(-74.99, -73.01)),
                f"{year}-{int(rng.integers(1, 13)):02d}-{int(rng.integers(1, 29)):02d}",
                event_id=f"E{i}",
                fatalities=int(rng.poisson(1.0)),
                civilian_targeting="Civilian targeting" if rng.uniform() < 0.3 else "",
                lat=float(rng.uniform(0.01, 0.99)),
            )
        )
    result = profile(events_layer(rows), years="2015-2021")
    years = np.arange(2015, 2022)
    for region in result.summary["regions"]:
        west = region["code"] == "R1"
        mine = [r for r in rows if (r["lon"] < -74) == west]
        for group in region["groups"]:
            own = [r for r in mine if r["actor1"] == group["actor"]]
            assert group["events"] == len(own)
            assert group["fatalities"] == sum(r["fatalities"] for r in own)
            civil = sum(r["civilian_targeting"] == "Civilian targeting" for r in own)
            assert group["civilian_events"] == civil
            per_year = [sum(r["event_date"].startswith(str(y)) for r in own) for y in years]
            assert group["trend_per_year"] == pytest.approx(np.polyfit(years, per_year, 1)[0])
            assert group["first_half"] == sum(per_year[:3])
            assert group["second_half"] == sum(per_year[4:])
        scores = [(-g["harm_score"], -g["events"], g["actor"]) for g in region["groups"]]
        assert scores == sorted(scores)
        assert [g["rank"] for g in region["groups"]] == list(range(1, len(scores) + 1))


def test_area_of_activity_is_the_convex_hull_in_square_km() -> None:
    """Three events at the corners of a right triangle of 10 km legs (UTM 18N): 50 km²."""
    from pyproj import Transformer

    to_lonlat = Transformer.from_crs(32618, 4326, always_xy=True)
    x0, y0 = 600_000.0, 55_000.0
    corners = [(x0, y0), (x0 + 10_000, y0), (x0, y0 + 10_000)]
    rows = []
    for k, (x, y) in enumerate(corners):
        lon, lat = to_lonlat.transform(x, y)
        rows.append(event("Frente Sur", lon, f"2019-01-0{k + 1}", lat=lat))
    result = execute(
        ActorProfile(),
        {
            "events": events_layer(rows),
            "regions_layer": regions_layer(),
            "metric_crs": "EPSG:32618",
        },
    )
    assert result.summary["groups"][0]["area_km2"] == pytest.approx(50.0, rel=1e-6)
    assert len(result.layers["activity_areas"]) == 1


# --- the sample's planted groups ------------------------------------------------------------
@pytest.mark.skipif(not SAMPLE_PROJECT.exists(), reason="sample project not generated")
def test_sample_profile_recovers_the_groups_planted_per_department() -> None:
    """sample_maps/formats.py plants Frente Tacuré in Serranía de Tucaré (XA01) only, Los
    Guaimareños in Llanura del Guaimaró (XA02) only, Clan del Caguará in both, all violence
    against civilians as civilian targeting and none by state forces. Every figure is computed
    here again with pandas and a spatial join on the CSV."""
    from layers.project import Project

    project = Project.load(SAMPLE_PROJECT)
    departments = project.layers["Departamentos (ADM1)"]
    result = execute(
        ActorProfile(), {"regions_layer": "Departamentos (ADM1)", "years": "2014-2023"}, project
    )
    csv = SAMPLE_PROJECT.parent / "data" / "acled_xaa_2014-2023_synthetic.csv"
    raw = pd.read_csv(csv, keep_default_na=False, na_values=[""])
    raw = raw[raw["event_type"].isin(
        ["Battles", "Explosions/Remote violence", "Violence against civilians"]
    )]  # fmt: skip
    points = gpd.GeoDataFrame(
        raw, geometry=gpd.points_from_xy(raw.longitude, raw.latitude), crs="EPSG:4326"
    ).to_crs(project.metric_crs)
    depts = departments.data.to_crs(project.metric_crs)[["ADM1_PCODE", "geometry"]]
    joined = gpd.sjoin(points, depts, predicate="within", how="inner")
    joined["civilian"] = joined["civilian_targeting"].eq("Civilian targeting")
    truth = joined.groupby(["ADM1_PCODE", "actor1"]).agg(
        events=("event_id_cnty", "size"),
        fatalities=("fatalities", "sum"),
        civilian=("civilian", "sum"),
    )
    truth["harm"] = truth["fatalities"] + truth["civilian"]
    by_code = {r["code"]: r for r in result.summary["regions"]}
    for code, rows in truth.groupby(level=0):
        groups = {g["actor"]: g for g in by_code[code]["groups"]}
        for (_, actor), row in rows.iterrows():
            assert groups[actor]["events"] == row["events"], (code, actor)
            assert groups[actor]["fatalities"] == row["fatalities"], (code, actor)
            assert groups[actor]["civilian_share"] == pytest.approx(
                row["civilian"] / row["events"]
            ), (code, actor)
        named = rows[~rows.index.get_level_values(1).str.startswith("Unidentified")]
        worst = named["harm"].idxmax()[1]
        assert by_code[code]["most_harmful"][0] == worst, code
    # The planted geography: Los Guaimareños never acts in XA01, Clan del Caguará in both.
    overall = {g["actor"]: g for g in result.summary["groups"]}
    assert overall["Los Guaimareños"]["regions"] == ["XA02"]
    assert sorted(overall["Clan del Caguará"]["regions"]) == ["XA01", "XA02"]
    assert overall["Frente Tacuré (Disidencias)"]["regions"][0] == "XA01"
    assert overall["Unidentified Armed Group (Demolandia)"]["civilian_share"] == 1.0
    for state in ("Military Forces of Demolandia (2014-)", "Police Forces of Demolandia (2014-)"):
        assert overall[state]["state_forces"] and overall[state]["civilian_events"] == 0
