"""The sample's rasters: forest loss planted in the park and the campaign's rings after 2018,
people consistent with the settlements, a relief basemap; every figure in ground_truth.json
recovered through the real analyses (zonal, environment, displacement, indicators).

Hectares in ground_truth.json follow the pixel-centre rule; `edge_ha` is the loss in pixels
near an area's edge, the only ones another correct rule (coverage, polygon buffers of
circles) may count differently. So `--rule centre` must match exactly and the coverage rule
within `edge_ha`."""

from __future__ import annotations

import json
import sqlite3

import geopandas as gpd
import numpy as np
import pytest
import rasterio

from analysis.indicators import compute_indicators
from core.runner import run_analysis
from layers.layer import Layer, is_raster
from layers.project import Project
from layers.raster import open_raster
from layers.roles import Role
from sample_maps import SAMPLE_DIR, SAMPLE_PROJECT
from sample_maps.formats import FILES, MANUAL_LAYER
from sample_maps.raster_truth import measure_rasters
from sample_maps.rasters import RASTER_FILES, RELIEF_ATTRIBUTION
from sample_maps.world import CAMPAIGN, METRIC_EPSG, PNN_ID

TRUTH = json.loads((SAMPLE_DIR / "ground_truth.json").read_text(encoding="utf-8"))["rasters"]
LOSS = TRUTH["forest_loss"]
AREAS = LOSS["areas"]
LOSS_PATH = SAMPLE_DIR / RASTER_FILES["loss"]
POP_PATH = SAMPLE_DIR / RASTER_FILES["population"]
YEARS = [str(y) for y in range(2001, 2024)]


def _layer(key: str, **kw) -> Layer:
    gdf = gpd.read_file(SAMPLE_DIR / FILES[key], **kw).to_crs(METRIC_EPSG)
    return Layer(gdf, key)


@pytest.fixture(scope="module")
def campaign() -> Layer:
    manual = gpd.read_file(SAMPLE_DIR / FILES["eradication"], layer=MANUAL_LAYER)
    return Layer(manual.loc[manual.campana == CAMPAIGN].reset_index(drop=True), "campaign")


def _within_edge(measured: dict[str, float], area: dict) -> None:
    """Per year within the pixel rule's exactness: the differences add up to at most edge_ha."""
    diff = sum(abs(measured.get(y, 0.0) - area["ha_by_year"][y]) for y in YEARS)
    assert diff <= area["edge_ha"] + 1e-6, (diff, area["edge_ha"])


# --- the files ------------------------------------------------------------------------------


def test_rasters_are_small_tiled_compressed_with_overviews_and_say_synthetic():
    for key, dtype, pixel in (("loss", "uint8", 30.0), ("population", "float32", 100.0)):
        path = SAMPLE_DIR / RASTER_FILES[key]
        with rasterio.open(path) as src:
            assert src.crs.to_epsg() == METRIC_EPSG and src.res == (pixel, pixel)
            assert src.dtypes[0] == dtype and src.compression.name.lower() == "deflate"
            assert src.profile["tiled"] and src.block_shapes[0] == (512, 512)
            assert len(src.overviews(1)) >= 4
            assert "ynthetic" in src.tags()["DESCRIPTION"]
        assert path.stat().st_size < 600_000
    assert open_raster(str(LOSS_PATH)).is_loss_year  # the Hansen name: the time filter applies
    total = sum(p.stat().st_size for p in (SAMPLE_DIR / "data").iterdir())
    assert total < 6 * 1024**2


def test_relief_basemap_is_an_mbtiles_of_png_tiles_with_its_metadata():
    path = SAMPLE_DIR / RASTER_FILES["relief"]
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    meta = dict(con.execute("SELECT name, value FROM metadata").fetchall())
    tiles = con.execute("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles").fetchall()
    con.close()
    assert meta["attribution"] == RELIEF_ATTRIBUTION
    assert meta["format"] == "png" and meta["scheme"] == "tms" and meta["name"]
    west, south, east, north = map(float, meta["bounds"].split(","))
    assert -77.3 < west < east < -74.7 and -0.2 < south < north < 2.3
    zooms = sorted({t[0] for t in tiles})
    assert zooms == list(range(int(meta["minzoom"]), int(meta["maxzoom"]) + 1))
    assert all(t[3][:8] == b"\x89PNG\r\n\x1a\n" for t in tiles)
    # TMS rows: at zoom z the region (0-2 N, just north of the equator) is in the upper half.
    for z, _, row, _ in tiles:
        assert row >= 2 ** (z - 1) - 1
    assert {str(z): sum(t[0] == z for t in tiles) for z in zooms} == TRUTH["relief"][
        "tiles_per_zoom"
    ]
    assert path.stat().st_size < 1_000_000


def test_ground_truth_matches_what_the_raster_files_hold():
    assert measure_rasters(SAMPLE_DIR) == TRUTH


def test_planted_loss_jumps_in_the_park_and_ring_after_the_2018_campaign():
    for key in ("national_park", "ring_1"):
        a = AREAS[key]
        assert a["after_ha"] > 10 * max(a["before_ha"], 1.0), key
        assert sum(a["ha_by_year"][str(y)] for y in (2019, 2020, 2021)) > 300
    # Background loss everywhere at a low rate: every year has some, the region a little.
    region = AREAS["region"]["ha_by_year"]
    assert all(region[y] > 100 for y in YEARS)
    assert AREAS["target"]["after_ha"] < AREAS["target"]["before_ha"] + 10


def test_project_draws_the_rasters_with_the_loss_above_the_grid_and_people_hidden():
    project = Project.load(SAMPLE_PROJECT)
    assert project.load_errors == []
    names = [layer.name for layer in project.layers]
    rasters = [layer for layer in project.layers if is_raster(layer)]
    assert len(rasters) == 3
    relief = next(r for r in rasters if getattr(r, "basemap", False))
    loss = next(r for r in rasters if r.style.kind == "loss_year")
    people = next(r for r in rasters if r.style.kind == "continuous")
    assert loss.visible and 0 < loss.opacity < 1
    assert not people.visible and not relief.visible  # the usual map stays as it was
    grid = next(
        lay.name for lay in project.layers if getattr(lay, "role", None) == Role.CULTIVATION
    )
    assert names.index(grid) < names.index(loss.name) < names.index("Ríos")
    # Over the municipalities' opaque fill (under it they would never show), under the rest.
    assert names.index(relief.name) == 1 and names.index(people.name) == 2
    assert relief.attribution == RELIEF_ATTRIBUTION and 0 < relief.opacity < 1
    assert all(r.metadata["synthetic"] is True for r in rasters)


# --- recovered through the analyses ---------------------------------------------------------


@pytest.mark.parametrize("rule", ["centre", "coverage"])
def test_zonal_gives_the_park_loss_per_year(rule):
    protected = _layer("protected")
    result = run_analysis(
        "zonal",
        {"raster": str(LOSS_PATH), "zones": protected, "stats": "classes", "rule": rule},
    )
    table = result.layers["zonal"]
    row = table.loc[table.WDPAID == PNN_ID].iloc[0]
    measured = {y: float(row.get(f"class_{int(y) - 2000}_ha", 0.0) or 0.0) for y in YEARS}
    park = AREAS["national_park"]
    if rule == "centre":
        assert measured == pytest.approx(park["ha_by_year"], abs=1e-6)
    else:
        _within_edge(measured, park)


def test_environment_gives_the_loss_in_protected_areas_per_year(campaign):
    result = run_analysis(
        "environment",
        {
            "footprints": campaign,
            "footprint_radius_m": 100.0,
            "date_field": "fecha",
            "protected": _layer("protected"),
            "loss_raster": str(LOSS_PATH),
        },
    )
    by_year = result.summary["forest_loss"]["protected_loss_by_year"]
    measured = {str(y): float(v) for y, v in by_year.items()}
    _within_edge(measured, AREAS["protected_areas"])
    # The campaign's footprints: loss around them after the campaign, 2019-2020.
    table = result.layers["footprints"]
    assert table["loss_around_after_ha"].sum() > table["loss_around_before_ha"].sum()


def test_displacement_gives_the_loss_in_the_target_and_rings(campaign):
    result = run_analysis(
        "displacement",
        {
            "targets": campaign,
            "target_radius_m": 2000.0,
            "buffer_m": 3000.0,
            "rings": 3,
            "date": "2018-06-01",
            "window_years": 2,
            "loss_raster": str(LOSS_PATH),
        },
    )
    s = result.summary
    measured = {"target": s["target"]} | {f"ring_{r['ring']}": r for r in s["rings"]}
    for key, got in measured.items():
        truth = AREAS[key]
        for window in ("before", "after"):
            assert abs(got[window] - truth[f"{window}_ha"]) <= truth["edge_ha"] + 1e-6, (
                key,
                window,
            )
    assert s["wdq"] is not None and s["wdq"] < -1  # loss pushed into the ring


def test_indicators_take_people_per_municipality_from_the_population_raster():
    project = Project.load(SAMPLE_PROJECT)
    for layer in project.layers:  # no population on the vectors: the raster must give it
        if not is_raster(layer):
            layer.mapping.fields.pop("population", None)
    notes: list[str] = []
    df = compute_indicators(
        project, years="2019-2023", notes=notes, population_raster=str(POP_PATH)
    )
    people = dict(zip(df["code"], df["population"], strict=True))
    expected = TRUTH["population"]["per_municipality"]
    assert set(people) == set(expected)
    for code, n in expected.items():
        assert people[code] == pytest.approx(n, abs=0.01), code
    per_dept: dict[str, float] = {}
    for code, n in people.items():
        per_dept[code[:4]] = per_dept.get(code[:4], 0.0) + n
    assert per_dept == pytest.approx(TRUTH["population"]["per_department"], abs=0.05)
    assert any("population raster" in n for n in notes)


def test_population_adds_up_to_the_settlements_of_each_municipality():
    settlements = gpd.read_file(SAMPLE_DIR / FILES["settlements"])
    sums = settlements.groupby("ADM2_PCODE").population.sum()
    assert TRUTH["population"]["per_municipality"] == {k: int(v) for k, v in sums.items()}
    with rasterio.open(POP_PATH) as src:
        people = src.read(1, masked=True)
    assert float(people.sum()) == TRUTH["population"]["total"]
    assert np.all(people.compressed() == np.round(people.compressed()))  # whole people
