"""The sample project: reproducible, readable by the app, and holding the planted effects.

The planted effects are recomputed here from the raw files with plain geopandas, not with
the generator's own `measure`, so a slip in one does not confirm itself in the other.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from layers.layer import is_raster
from layers.project import Project
from layers.readers import read_layers
from layers.roles import Role
from sample_maps import SAMPLE_DIR, SAMPLE_PROJECT
from sample_maps import generate as gen

TRUTH = json.loads((SAMPLE_DIR / "ground_truth.json").read_text(encoding="utf-8"))
EFFECTS = TRUTH["effects"]
PROJECT = json.loads(SAMPLE_PROJECT.read_text(encoding="utf-8"))
# The vector layers (the rasters are checked in tests/unit/test_sample_rasters.py).
VECTOR_ENTRIES = [e for e in PROJECT["layers"] if e.get("kind", "vector") == "vector"]


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    """Two fresh runs of the generator, each into its own folder."""
    roots = [tmp_path_factory.mktemp("sample_a"), tmp_path_factory.mktemp("sample_b")]
    for root in roots:
        gen.generate(root)
    return roots


@pytest.fixture(scope="module")
def raw():
    return gen.load_outputs(SAMPLE_DIR)


def _wdq(rb, ra, db, da, cb, ca):
    success = ra / ca - rb / cb
    return (da / ca - db / cb) / success if success < 0 else None


# --- reproducible --------------------------------------------------------------------------


def test_generator_gives_the_same_bytes_on_every_run(regenerated):
    first, second = (gen.file_hashes(root) for root in regenerated)
    assert len(first) >= 14
    assert first == second


def test_committed_files_are_what_the_generator_writes(regenerated):
    if TRUTH["generated_with"] != gen.generated_with():
        pytest.skip(
            f"committed files were made with {TRUTH['generated_with']}, this environment has "
            f"{gen.generated_with()}: bytes may differ; run python -m sample_maps.generate"
        )
    assert gen.file_hashes(regenerated[0]) == gen.file_hashes(SAMPLE_DIR), (
        "sample_maps/ is out of date: run python -m sample_maps.generate and commit the result"
    )


def test_generator_keeps_the_data_small():
    total = sum(p.stat().st_size for p in (SAMPLE_DIR / "data").iterdir())
    assert total < 6 * 1024**2


# --- labelled synthetic ------------------------------------------------------------------


def test_every_file_says_it_is_synthetic():
    data = SAMPLE_DIR / "data"
    for path in data.glob("*.geojson"):
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert "ynthetic" in doc["description"], path.name
        assert all("ynthetic" in f["properties"]["note"] for f in doc["features"]), path.name
    for path in data.glob("*.gpkg"):
        for name, _ in pyogrio.list_layers(path):
            meta = pyogrio.read_info(path, layer=name)["layer_metadata"]
            assert "ynthetic" in meta["DESCRIPTION"], (path.name, name)
    assert (pyogrio.read_dataframe(data / gen.FILES["protected"].split("/")[1]).NOTE != "").all()
    acled = pd.read_csv(SAMPLE_DIR / gen.FILES["violence"])
    assert acled.source.str.contains("ynthetic").all()
    assert acled.notes.str.contains("synthetic").all()
    health = pd.read_csv(SAMPLE_DIR / gen.FILES["health"])
    assert health.note.str.contains("ynthetic").all()
    assert PROJECT["metadata"]["synthetic"] is True
    assert len(PROJECT["metadata"]["sources"]) == len(PROJECT["layers"])
    assert all(layer["metadata"]["synthetic"] is True for layer in PROJECT["layers"])
    assert TRUTH["synthetic"] is True


# --- readable by the app -------------------------------------------------------------------


@pytest.mark.parametrize("entry", VECTOR_ENTRIES, ids=lambda e: e["source"]["path"])
def test_readers_detect_the_intended_role(entry):
    source = entry["source"]
    layers = read_layers(SAMPLE_DIR / source["path"], sublayer=source["sublayer"])
    assert len(layers) == 1
    layer = layers[0]
    assert layer.role == Role(entry["role"]), layer.report
    assert len(layer.data) > 0
    assert layer.crs is not None
    assert all(col in layer.data.columns for col in entry["mapping"]["fields"].values())


def test_project_opens_every_layer_with_its_roles_and_styles():
    project = Project.load(SAMPLE_PROJECT)
    assert project.load_errors == []
    assert [layer.name for layer in project.layers] == [e["name"] for e in PROJECT["layers"]]
    assert project.is_synthetic
    assert project.metric_crs.to_epsg() == gen.METRIC_EPSG
    vectors = [layer for layer in project.layers if not is_raster(layer)]
    assert [layer.name for layer in vectors] == [e["name"] for e in VECTOR_ENTRIES]
    roles = {layer.role for layer in vectors}
    assert roles == {
        Role.ADMIN_BOUNDARIES,
        Role.PROTECTED_AREAS,
        Role.CULTIVATION,
        Role.WATER,
        Role.BORDER,
        Role.ERADICATION,
        Role.VIOLENCE,
        Role.HEALTH_SERVICES,
        Role.SETTLEMENTS,
        Role.ENFORCEMENT,
    }
    grid = next(layer for layer in vectors if layer.role == Role.CULTIVATION)
    assert len(grid.mapping.year_columns) >= 8
    assert grid.style.kind == "graduated"
    assert grid.style.field == grid.mapping.year_columns[max(grid.mapping.year_columns)]
    settlements = next(layer for layer in vectors if layer.role == Role.SETTLEMENTS)
    assert settlements.style.label_field == "name"
    assert project.layers[0].role == Role.ADMIN_BOUNDARIES  # drawn at the bottom
    for layer in project.layers:
        assert layer.metadata["synthetic"] is True
    for layer in vectors:
        assert layer.data.geometry.notna().all()
    lon0, lat0, lon1, lat1 = project.lonlat_bounds()
    assert -77.3 < lon0 < lon1 < -74.7 and -0.2 < lat0 < lat1 < 2.3


# --- the planted effects, from the raw files ------------------------------------------------


def test_grid_has_ten_years_of_inconsistently_named_columns(raw):
    grid = raw["grid"]
    pattern = re.compile(r"^(?:area)?coca_?(?:ha_)?(20\d\d)_?$")
    years = {int(m.group(1)): c for c in grid.columns if (m := pattern.match(c))}
    assert sorted(years) == list(range(2014, 2024))
    shapes = {re.sub(r"\d{4}", "YYYY", c) for c in years.values()}
    assert len(shapes) >= 4  # areacoca_YYYY, areacocaYYYY, cocaYYYY_, coca_ha_YYYY...
    assert grid.crs.to_epsg() == 32618
    assert np.allclose(grid.geometry.area, 1e6)


def test_violence_has_thousands_of_acled_events(raw):
    ev = raw["violence"]
    assert len(ev) >= 3000
    assert set(ev.year) == set(range(2014, 2024))
    assert {"event_id_cnty", "sub_event_type", "actor1", "inter1", "actor2", "admin1"} <= set(
        ev.columns
    )
    assert ev.event_id_cnty.is_unique
    assert ev.fatalities.sum() > 1000
    assert set(ev.geo_precision) == {1, 2, 3}


def test_eradication_displaces_cultivation_into_ring_and_park(raw):
    truth = EFFECTS["cultivation_displacement"]
    grid, manual = raw["grid"], raw["manual"]
    pts = manual.loc[manual.campana == truth["campaign"]]
    same = manual.loc[
        (manual.cod_mpio == truth["municipality"])
        & manual.fecha.between(truth["date_start"], truth["date_end"] + " 23:59")
    ]
    assert len(pts) > 20 and set(pts.id_erradicacion) == set(same.id_erradicacion)
    d = shapely.distance(
        grid.geometry.centroid.to_numpy(), shapely.union_all(pts.geometry.to_numpy())
    )
    r, buf, c = d <= 2000, (d > 2000) & (d <= 5000), d > 5000
    b, a = grid[truth["before"]], grid[truth["after"]]
    counts = [b[r].sum(), a[r].sum(), b[buf].sum(), a[buf].sum(), b[c].sum(), a[c].sum()]
    wdq = _wdq(*counts)
    assert counts[1] < 0.5 * counts[0] and counts[3] > 2 * counts[2]
    lo, hi = truth["expected"]["wdq_range"]
    assert wdq is not None and lo <= wdq <= hi < -1
    assert wdq == pytest.approx(truth["realised"]["wdq"]["wdq"], abs=1e-3)
    park = raw["protected"].set_index("WDPAID").geometry[truth["protected_area_wdpaid"]]
    inside = grid.geometry.centroid.within(park)
    assert a[inside].sum() > 2 * b[inside].sum()


def _violence_windows(ev, when: str, years: int):
    t = pd.Timestamp(when)
    before = (ev.date >= t - pd.DateOffset(years=years)) & (ev.date < t)
    after = (ev.date >= t) & (ev.date < t + pd.DateOffset(years=years))
    return before, after


def test_crackdown_pushes_violence_into_the_neighbour(raw):
    truth = EFFECTS["violence_crackdown"]
    ev, adm2 = raw["violence"], raw["adm2"].set_index("ADM2_PCODE")
    before, after = _violence_windows(ev, truth["date"], truth["window_years"])
    in_r = ev.within(adm2.geometry[truth["target_municipality"]])
    in_d = ev.within(adm2.geometry[truth["neighbour_municipality"]])
    in_c = ev.within(shapely.union_all(adm2.geometry.to_numpy())) & ~in_r & ~in_d
    counts = [int((w & m).sum()) for m in (in_r, in_d, in_c) for w in (before, after)]
    wdq = _wdq(*counts)
    assert counts[1] < counts[0] and counts[3] > 2 * counts[2]
    lo, hi = truth["expected"]["wdq_range"]
    assert wdq is not None and lo <= wdq <= hi < -1
    assert counts == [truth["realised"]["neighbour"][k] for k in "Rb Ra Db Da Cb Ca".split()]


def test_harm_reduction_diffuses_benefits(raw):
    truth = EFFECTS["violence_diffusion"]
    ev, health = raw["violence"], raw["health"]
    site = health.loc[health.name == truth["programme"]]
    assert len(site) == 1 and site.healthcare.iloc[0] == "harm_reduction"
    assert site.opening_date.iloc[0] == truth["date"]
    d = ev.distance(site.geometry.iloc[0])
    before, after = _violence_windows(ev, truth["date"], truth["window_years"])
    masks = (d <= 5000, (d > 5000) & (d <= 10000), d > 10000)
    counts = [int((w & m).sum()) for m in masks for w in (before, after)]
    assert counts[1] < counts[0] and counts[3] < counts[2]
    wdq = _wdq(*counts)
    lo, hi = truth["expected"]["wdq_range"]
    assert wdq is not None and 0 < lo <= wdq <= hi


def test_spraying_footprints_break_the_river_park_and_border_rules(raw):
    truth = EFFECTS["spraying_violations"]["realised"]
    spray = raw["spray"].set_index("id_aspersion")
    assert set(spray.anio) <= {2014, 2015}
    water = shapely.union_all(raw["rivers"].geometry.to_numpy())
    border = shapely.union_all(raw["border"].geometry.to_numpy())
    park = raw["protected"].set_index("WDPAID").geometry[gen.PNN_ID]
    near_river = sorted(spray.index[spray.distance(water) <= 100])
    in_park = sorted(spray.index[spray.intersects(park)])
    near_border = sorted(spray.index[spray.distance(border) <= 10000])
    assert len(near_river) == 3 and near_river == truth["near_river_ids"]
    assert len(in_park) == 2 and in_park == truth["in_protected_ids"]
    assert len(near_border) == 1 and near_border == truth["near_border_ids"]
    assert spray.loc[in_park].within(park.buffer(1)).all()
    assert not set(near_river) & set(in_park) and not set(near_border) & set(near_river + in_park)
    assert (spray.hectareas - spray.to_crs(32618).area / 1e4).abs().max() < 0.2


def test_monteoscuro_has_violence_and_no_health_service_within_15_km(raw):
    truth = EFFECTS["health_gap"]
    code = truth["municipality"]
    settlements, health = raw["settlements"], raw["health"]
    facilities = shapely.union_all(health.geometry.to_numpy())
    people = settlements.loc[settlements.ADM2_PCODE == code]
    far = people.distance(facilities) > truth["threshold_m"]
    assert people.population[far].sum() / people.population.sum() >= 0.8
    muni = raw["adm2"].set_index("ADM2_PCODE").geometry[code]
    assert not health.within(muni).any()
    ev = raw["violence"]
    recent = ev.loc[ev.year >= 2019]
    adm2 = raw["adm2"].set_index("ADM2_PCODE")
    rate = {c: recent.within(g).sum() / adm2.population[c] for c, g in adm2.geometry.items()}
    assert max(rate, key=rate.get) == code


def test_departments_tell_contrasting_stories(raw):
    manual, spray, health, ev = raw["manual"], raw["spray"], raw["health"], raw["violence"]
    ha = manual.groupby(manual.cod_mpio.str[:4]).hectareas.sum()
    assert ha["XA01"] > 5 * ha["XA02"]
    assert spray.cod_mpio.str.startswith("XA01").mean() > 0.9
    per_year = ev.groupby(["admin1", "year"]).size()
    rising = per_year["Serranía de Tucaré"]
    falling = per_year["Llanura del Guaimaró"]
    assert rising.loc[2021:2023].mean() > 1.5 * rising.loc[2014:2016].mean()
    assert falling.loc[2021:2023].mean() < 0.75 * falling.loc[2014:2016].mean()
    hr = health.loc[health.healthcare == "harm_reduction"]
    assert len(hr) >= 2 and hr.is_in_health_zone.str.startswith("XA02").all()


def test_cultivation_has_realistic_shape(raw):
    c = TRUTH["cultivation"]
    grid = raw["grid"]
    present = np.array([grid[col].to_numpy() > 0 for col in c["year_columns"].values()])
    permanent = present.all(axis=0)
    abandoned = present[:-3].any(axis=0) & ~present[-3:].any(axis=0)
    new = present[-1] & ~present[:-1].any(axis=0)
    dynamics = c["dynamics_2014_2023"]
    assert (permanent.sum(), abandoned.sum(), new.sum()) == (
        dynamics["permanent"],
        dynamics["abandoned"],
        dynamics["new"],
    )
    assert dynamics["permanent"] > dynamics["intermittent"] > dynamics["abandoned"] > 0
    assert dynamics["new"] > 0
    assert 0.5 <= c["top3_share_2023"] <= 0.75  # concentrated in few municipalities
    assert 0.8 <= c["persistent_share_2023"] <= 0.92  # mostly the same places for 10 years
    assert 0.05 <= c["protected_share_2023"] <= 0.25  # a minority in protected areas
    totals = [c["total_ha"][str(y)] for y in range(2014, 2024)]
    assert totals[6] < totals[4] < totals[3] and totals[7] > 1.3 * totals[6]  # swings


def test_ground_truth_matches_what_the_files_hold():
    measured = gen.measure(SAMPLE_DIR)
    assert TRUTH["planted_ok"] is True
    assert EFFECTS["violence_crackdown"]["realised"] == measured["violence_crackdown"]
    assert EFFECTS["violence_diffusion"]["realised"] == measured["violence_diffusion"]
    assert EFFECTS["spraying_violations"]["realised"] == measured["spraying"]
    assert TRUTH["cultivation"] == measured["cultivation"]
    assert TRUTH["violence_total"] == measured["violence_total"]


def test_counted_things_stay_clear_of_area_edges(raw):
    """Exact distances and polygon buffers (approximate circles) must count alike."""
    grid, manual = raw["grid"], raw["manual"]
    pts = manual.loc[manual.campana == EFFECTS["cultivation_displacement"]["campaign"]]
    d = shapely.distance(
        grid.geometry.centroid.to_numpy(), shapely.union_all(pts.geometry.to_numpy())
    )
    assert (np.abs(d - 2000) >= 50).all() and (np.abs(d - 5000) >= 50).all()
    borders = shapely.union_all(raw["adm2"].boundary.to_numpy())
    assert (raw["violence"].distance(borders) >= 50).all()
