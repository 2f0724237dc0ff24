"""Rasters inside the other analyses (issue 15): every number goes through
analysis.zonal.zonal_table, so planted hectares and people come back exactly."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from affine import Affine

from analysis.loss_windows import loss_by_year, window_sum, windows
from analysis.zonal import zonal_table
from core.runner import run_analysis
from layers.layer import Layer
from layers.raster import open_raster
from layers.timefilter import TimeFilter

CRS = "EPSG:32618"
X0, Y1 = 500_000.0, 200_000.0
PIXEL = 30.0
PIXEL_HA = PIXEL * PIXEL / 10_000.0


def write_raster(path, data, pixel=PIXEL, nodata=None):
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=data.shape[1],
        height=data.shape[0],
        count=1,
        dtype=data.dtype.name,
        crs=CRS,
        transform=Affine(pixel, 0.0, X0, 0.0, -pixel, Y1),
        nodata=nodata,
    ) as dst:
        dst.write(data, 1)
    return path


def box_px(c0, r0, c1, r1, pixel=PIXEL):
    """A polygon on whole pixels: columns c0..c1-1, rows r0..r1-1."""
    return shapely.box(X0 + c0 * pixel, Y1 - r1 * pixel, X0 + c1 * pixel, Y1 - r0 * pixel)


def test_zonal_table_gives_planted_loss_per_year_and_period(tmp_path) -> None:
    data = np.zeros((100, 100), dtype=np.uint8)
    data[10:20, 10:20] = 17  # 100 px lost in 2017
    data[10:15, 30:40] = 19  # 50 px lost in 2019
    data[60:70, 60:70] = 19  # outside the zone
    raster = open_raster(str(write_raster(tmp_path / "lossyear.tif", data)))
    zones = gpd.GeoDataFrame(geometry=[box_px(0, 0, 50, 50), box_px(50, 50, 80, 80)], crs=CRS)
    table = zonal_table(raster, zones, ("classes",), period=TimeFilter.years(2018, 2020))
    assert table["loss_ha"].tolist() == [50 * PIXEL_HA, 100 * PIXEL_HA]
    by_year = loss_by_year(table)
    assert by_year.columns.tolist() == [2017, 2019]
    assert by_year.loc[0].tolist() == [100 * PIXEL_HA, 50 * PIXEL_HA]
    before, after = windows(2018, 2)
    assert before == (2016, 2017) and after == (2019, 2020)
    assert window_sum(by_year, *before).tolist() == [100 * PIXEL_HA, 0.0]
    assert window_sum(by_year, *after).tolist() == [50 * PIXEL_HA, 100 * PIXEL_HA]


def test_zonal_table_coverage_sum_splits_a_pixel_exactly(tmp_path) -> None:
    data = np.full((10, 10), 40.0, dtype=np.float32)
    raster = open_raster(str(write_raster(tmp_path / "pop.tif", data, pixel=100.0)))
    # Two halves split through the middle of column 4: 4.5 and 5.5 pixels wide, 10 rows.
    x = X0 + 450.0
    left = shapely.box(X0, Y1 - 1000.0, x, Y1)
    right = shapely.box(x, Y1 - 1000.0, X0 + 1000.0, Y1)
    zones = gpd.GeoDataFrame(geometry=[left, right], crs=CRS)
    table = zonal_table(raster, zones, ("sum",))
    np.testing.assert_allclose(table["sum"], [45 * 40.0, 55 * 40.0], rtol=1e-9)


# --- access: the population raster's cells are the 2SFCA demand ------------------------------
def population_raster(tmp_path):
    """100 m cells over 4 x 2 km: 10 people per cell in the west half, 30 in the east; nodata
    in the first row's first cell."""
    data = np.full((20, 40), 10.0, dtype=np.float32)
    data[:, 20:] = 30.0
    data[0, 0] = -1.0
    return write_raster(tmp_path / "population.tif", data, pixel=100.0, nodata=-1.0)


def halves():
    west = shapely.box(X0, Y1 - 2000.0, X0 + 2000.0, Y1)
    east = shapely.box(X0 + 2000.0, Y1 - 2000.0, X0 + 4000.0, Y1)
    return gpd.GeoDataFrame({"code": ["W", "E"]}, geometry=[west, east], crs=CRS)


def test_access_takes_people_and_demand_from_the_raster(tmp_path) -> None:
    path = population_raster(tmp_path)
    clinic = gpd.GeoDataFrame(geometry=[shapely.Point(X0 + 500.0, Y1 - 1000.0)], crs=CRS)
    result = run_analysis(
        "access",
        {
            "demand": Layer(halves(), "regions"),
            "supply": Layer(clinic, "clinics"),
            "population_raster": str(path),
            "catchment_m": 2600.0,
        },
    )
    out = result.layers["access"]
    # 399 cells of 10 (one is nodata) and 400 of 30: the planted people, exactly.
    assert out["population"].tolist() == [3990.0, 12000.0]
    # One clinic, in reach of every cell whose centre is within 2.6 km: each reached person
    # gets 1 / (people in reach); the east's far cells are beyond it.
    cx = X0 + 50.0 + 100.0 * np.arange(40)
    cy = Y1 - 50.0 - 100.0 * np.arange(20)
    gx, gy = np.meshgrid(cx, cy)
    people = np.where(gx < X0 + 2000.0, 10.0, 30.0)
    people[0, 0] = 0.0
    near = np.hypot(gx - (X0 + 500.0), gy - (Y1 - 1000.0)) <= 2600.0
    ratio = 1.0 / people[near].sum()
    west, east = gx < X0 + 2000.0, gx >= X0 + 2000.0
    for row, side in zip(out.itertuples(), (west, east), strict=True):
        expected = (people * near * ratio)[side].sum() / people[side].sum()
        assert row.access == pytest.approx(expected, rel=1e-12)
        far = (people * ~near)[side].sum() / people[side].sum()
        assert row.share_beyond_reach == pytest.approx(far, rel=1e-12)
    assert result.summary["population_beyond_catchment"] == pytest.approx((people * ~near).sum())


def test_access_with_settlement_points_gives_each_the_people_nearest_it(tmp_path) -> None:
    path = population_raster(tmp_path)
    towns = gpd.GeoDataFrame(
        {"name": ["w", "e"]},
        geometry=[shapely.Point(X0 + 1000.0, Y1 - 1000.0), shapely.Point(X0 + 3000.0, Y1 - 1000.0)],
        crs=CRS,
    )
    clinic = gpd.GeoDataFrame(geometry=[shapely.Point(X0 + 1000.0, Y1 - 1000.0)], crs=CRS)
    result = run_analysis(
        "access",
        {
            "demand": Layer(towns, "towns"),
            "supply": Layer(clinic, "clinics"),
            "population_raster": str(path),
        },
    )
    # Cells within the catchment (15 km) of the towns' box: the whole raster; each cell's
    # people go to the nearer town (x < 2 km: the west one), so the halves come back.
    assert result.layers["access"]["population"].tolist() == [3990.0, 12000.0]
    assert result.summary["population"] == 15990.0


# --- indicators: people and forest loss per region from rasters ----------------------------
RX0, RY0 = 500_000.0, 100_000.0  # two 40 km regions side by side, 100 m pixels


def regions_project(with_population: bool):
    from layers.layer import LayerList
    from layers.project import Project
    from layers.roles import FieldMapping, Role

    regions = gpd.GeoDataFrame(
        {"ADM2_PCODE": ["XX001", "XX002"], "ADM2_ES": ["Alta", "Baja"], "pop": [10_000, 50_000]},
        geometry=[
            shapely.box(RX0, RY0, RX0 + 40_000, RY0 + 40_000),
            shapely.box(RX0 + 40_000, RY0, RX0 + 80_000, RY0 + 40_000),
        ],
        crs=CRS,
    )
    events = gpd.GeoDataFrame(
        {"event_date": ["2019-02-01", "2019-05-01", "2020-06-06"], "event_type": ["Battles"] * 3},
        geometry=gpd.points_from_xy([RX0 + 5000, RX0 + 6000, RX0 + 60_000], [RY0 + 5000] * 3),
        crs=CRS,
    )
    services = gpd.GeoDataFrame(
        {"name": ["Puesto A"], "amenity": ["clinic"]},
        geometry=gpd.points_from_xy([RX0 + 20_000], [RY0 + 20_000]),
        crs=CRS,
    )
    mapping = {"region_code": "ADM2_PCODE", "name": "ADM2_ES"}
    if with_population:
        mapping["population"] = "pop"
    layers = LayerList(
        [
            Layer(regions, "Municipios", role=Role.ADMIN_BOUNDARIES, mapping=FieldMapping(mapping)),
            Layer(
                events,
                "ACLED",
                role=Role.VIOLENCE,
                mapping=FieldMapping({"date": "event_date", "event_type": "event_type"}),
            ),
            Layer(services, "Salud", role=Role.HEALTH_SERVICES),
        ]
    )
    project = Project(layers=layers, title="rasters")
    project.metric_crs = CRS
    return project


def region_rasters(tmp_path):
    """People: 2 per pixel in Alta, 10 in Baja (320,000 and 1,600,000). Loss: Alta 100 px in
    2019 and 50 in 2017, Baja 30 px in 2020 and 7 in 2021."""
    transform = Affine(100.0, 0.0, RX0, 0.0, -100.0, RY0 + 40_000)

    def write(name, data):
        with rasterio.open(tmp_path / name, "w", driver="GTiff", width=800, height=400, count=1,
                           dtype=data.dtype.name, crs=CRS, transform=transform) as dst:  # fmt: skip
            dst.write(data, 1)
        return str(tmp_path / name)

    people = np.full((400, 800), 2.0, dtype=np.float32)
    people[:, 400:] = 10.0
    loss = np.zeros((400, 800), dtype=np.uint8)
    loss[100:110, 100:110] = 19
    loss[200:205, 100:110] = 17
    loss[300:303, 500:510] = 20
    loss[50, 600:607] = 21
    return write("population.tif", people), write("lossyear.tif", loss)


def test_indicators_take_people_and_forest_loss_from_rasters(tmp_path) -> None:
    from analysis.indicators import compute_indicators

    pop_path, loss_path = region_rasters(tmp_path)
    notes: list[str] = []
    df = compute_indicators(
        regions_project(with_population=False),
        years="2019-2020",
        notes=notes,
        population_raster=pop_path,
        loss_raster=loss_path,
    )
    assert df["population"].tolist() == [320_000.0, 1_600_000.0]
    assert df["violent_events_per_100k"].tolist() == pytest.approx(
        [2 / 2 / 320_000 * 1e5, 1 / 2 / 1_600_000 * 1e5]
    )
    # 2019-2020 only: Alta's 2017 loss and Baja's 2021 loss stay out; 1 px = 1 ha.
    assert df["forest_loss_ha"].tolist() == [100.0, 30.0]
    assert df["forest_loss_per_1000ha"].tolist() == [100 / 160_000 * 1000, 30 / 160_000 * 1000]
    assert "forest_loss_per_1000ha" in df.attrs["index_uses"]
    # Access from the cells: the clinic in Alta serves everyone within 15 km of it.
    assert np.isfinite(df["access_per_1000"]).all()
    assert df.loc[1, "beyond_15km_share"] == 1.0  # Baja is all farther than 15 km
    assert any("population raster" in n for n in notes)


def test_indicators_without_rasters_leave_forest_loss_out_of_the_index(tmp_path) -> None:
    from analysis.indicators import compute_indicators

    df = compute_indicators(regions_project(with_population=True), years="2019-2020")
    assert df["forest_loss_ha"].isna().all() and df["forest_loss_per_1000ha"].isna().all()
    assert "forest_loss_per_1000ha" not in df.attrs["index_uses"]
    assert df["population"].tolist() == [10_000.0, 50_000.0]


# --- environment: forest loss before/after around an operation -----------------------------
def environment_inputs(tmp_path):
    """A 600 m footprint eradicated in 2018, a park 150 m east of it, and planted loss."""
    loss = np.zeros((200, 200), dtype=np.uint8)
    loss[22:24, 22:32] = 16  # footprint, 2016: before (20 px)
    loss[30, 22:32] = 18  # footprint, 2018: the operation's year, in neither window
    loss[35, 22:27] = 19  # footprint, 2019: after (5 px)
    loss[25, 12:19] = 17  # west ring, 2017: before (7 px)
    loss[26, 11:20] = 20  # west ring, 2020: after (9 px)
    loss[27, 12:16] = 21  # west ring, 2021: beyond the 2-year window
    loss[30:33, 46:50] = 19  # east ring inside the park, 2019: after (12 px)
    loss[35, 60:63] = 19  # park beyond 300 m of the footprint (3 px)
    raster = write_raster(tmp_path / "hansen_lossyear.tif", loss)
    footprints = gpd.GeoDataFrame(
        {"fecha": ["2018-06-01"]}, geometry=[box_px(20, 20, 40, 40)], crs=CRS
    )
    park = gpd.GeoDataFrame({"NAME": ["PNN"]}, geometry=[box_px(45, 20, 80, 40)], crs=CRS)
    return raster, footprints, park


def test_environment_forest_loss_before_and_after_the_operation(tmp_path) -> None:
    raster, footprints, park = environment_inputs(tmp_path)
    result = run_analysis(
        "environment",
        {
            "footprints": Layer(footprints, "fp"),
            "protected": Layer(park, "parks"),
            "date_field": "fecha",
            "loss_raster": str(raster),
            "nearby_m": 300.0,
        },
    )
    row = result.layers["footprints"].iloc[0]
    expected = {
        "loss_before_ha": 20,
        "loss_after_ha": 5,
        "loss_around_before_ha": 7,
        "loss_around_after_ha": 9 + 12,
        "loss_protected_before_ha": 0,
        "loss_protected_after_ha": 12,
    }
    for column, pixels in expected.items():
        assert row[column] == pytest.approx(pixels * PIXEL_HA, rel=1e-9, abs=1e-12), column
    forest = result.summary["forest_loss"]
    assert forest["protected_loss_by_year"][2019] == pytest.approx(15 * PIXEL_HA, rel=1e-9)
    assert forest["window_years"] == 2


def cli(capsys, *args: str) -> tuple[int, str]:
    import argparse

    from core import cli_analyze

    parser = argparse.ArgumentParser(prog="analyze")
    cli_analyze.add_arguments(parser)
    try:
        code = cli_analyze.run(parser.parse_args(list(args)))
    except SystemExit as exc:
        code = exc.code
    return code, capsys.readouterr().err


def test_environment_cli_with_a_loss_raster_and_one_that_misses(tmp_path, capsys) -> None:
    raster, footprints, park = environment_inputs(tmp_path)
    footprints.to_file(tmp_path / "fp.gpkg")
    park.to_file(tmp_path / "park.gpkg")
    out = tmp_path / "env.csv"
    args = ["environment", "--footprints", str(tmp_path / "fp.gpkg"), "--protected",
            str(tmp_path / "park.gpkg"), "--date-field", "fecha", "--nearby-m", "300",
            "--quiet"]  # fmt: skip
    code, err = cli(capsys, *args, "--loss-raster", str(raster), "--out", str(out))
    assert code == 0, err
    assert "loss_protected_after_ha" in out.read_text().splitlines()[0]
    far = tmp_path / "far_lossyear.tif"
    with rasterio.open(far, "w", driver="GTiff", width=10, height=10, count=1, dtype="uint8",
                       crs=CRS, transform=Affine(30, 0, 100_000, 0, -30, 900_000)) as dst:  # fmt: skip
        dst.write(np.zeros((10, 10), np.uint8), 1)
    code, err = cli(capsys, *args, "--loss-raster", str(far))
    assert code == 2 and "does not overlap" in err and len(err.strip().splitlines()) == 1, err


# --- displacement: a loss-year raster as the outcome ----------------------------------------
def test_displacement_counts_hectares_lost_per_window_in_each_area(tmp_path) -> None:
    loss = np.zeros((200, 200), dtype=np.uint8)
    loss[82:84, 82:92] = 17  # target, before (20 px)
    loss[90, 82:87] = 19  # target, after (5 px)
    loss[95, 82:92] = 18  # target, the operation's year: in neither window
    loss[85, 101:109] = 16  # buffer ring (east side), before (8 px)
    loss[86, 101:104] = 20  # buffer ring, after (3 px)
    loss[85, 111:117] = 17  # displacement-control ring, before (6 px)
    loss[150:160, 150:160] = 19  # control, after (100 px)
    loss[10, 10:20] = 16  # control, before (10 px)
    loss[20, 10:20] = 15  # control, beyond the window (2015)
    raster = write_raster(tmp_path / "lossyear.tif", loss)
    targets = gpd.GeoDataFrame({"op": ["a"]}, geometry=[box_px(80, 80, 100, 100)], crs=CRS)
    result = run_analysis(
        "displacement",
        {
            "targets": Layer(targets, "targets"),
            "loss_raster": str(raster),
            "date": "2018-06-01",
            "window_years": 2,
            "buffer_m": 300.0,
        },
    )
    s = result.summary
    ha = PIXEL_HA
    assert s["target"] == {"before": pytest.approx(20 * ha), "after": pytest.approx(5 * ha)}
    assert s["buffer"] == {"before": pytest.approx(8 * ha), "after": pytest.approx(3 * ha)}
    assert s["displacement_control"] == {"before": pytest.approx(6 * ha), "after": 0.0}
    assert s["control"] == {"before": pytest.approx(10 * ha), "after": pytest.approx(100 * ha)}
    assert s["window"] == {"before": 2, "after": 2, "unit": "years"}
    # WDQ from the same hectares as the formula in docs/methods.md.
    rb, ra, db, da, cb, ca = 20 * ha, 5 * ha, 8 * ha, 3 * ha, 10 * ha, 100 * ha
    wdq = (da / ca - db / cb) / (ra / ca - rb / cb)
    assert s["wdq"] == pytest.approx(wdq, rel=1e-6)
    # The whole raster is the default region: its area less the guard is the control.
    assert s["areas_ha"]["control"] < 200 * 200 * ha


def test_displacement_needs_events_or_a_loss_raster(tmp_path) -> None:
    from analysis.inputs import InputError

    targets = gpd.GeoDataFrame(geometry=[box_px(80, 80, 100, 100)], crs=CRS)
    with pytest.raises(InputError, match="--loss-raster"):
        run_analysis("displacement", {"targets": Layer(targets, "t"), "date": "2018-06-01"})


# --- the CLI on the sample project, with and without rasters -------------------------------
def sample_region_rasters(tmp_path, shift_m: float = 0.0):
    """1 km loss-year and population rasters over the sample's regions (metric CRS), loss
    planted in 2019 in a 10 x 10 km block at the west edge; `shift_m` moves them away."""
    from analysis.regions import choose_regions
    from layers.project import Project
    from sample_maps import SAMPLE_PROJECT

    project = Project.load(SAMPLE_PROJECT)
    crs = project.metric_crs
    x0, y0, x1, y1 = choose_regions(project, None).to_metric(crs).total_bounds
    width, height = int(np.ceil((x1 - x0) / 1000)), int(np.ceil((y1 - y0) / 1000))
    transform = Affine(1000.0, 0.0, x0 + shift_m, 0.0, -1000.0, y1)
    loss = np.zeros((height, width), dtype=np.uint8)
    loss[height // 2 : height // 2 + 10, :10] = 19
    path = tmp_path / "sample_lossyear.tif"
    with rasterio.open(path, "w", driver="GTiff", width=width, height=height, count=1,
                       dtype="uint8", crs=crs, transform=transform) as dst:  # fmt: skip
        dst.write(loss, 1)
    return path


def test_indicators_cli_with_a_loss_raster_and_one_that_misses(tmp_path, capsys) -> None:
    from sample_maps import SAMPLE_PROJECT

    raster = sample_region_rasters(tmp_path)
    out = tmp_path / "ind.json"
    base = ["indicators", "--project", str(SAMPLE_PROJECT), "--years", "2018-2020", "--quiet"]
    code, err = cli(capsys, *base, "--loss-raster", str(raster), "--out", str(out))
    assert code == 0, err
    summary = json.loads(out.read_text())
    assert "forest_loss_per_1000ha" in summary["index_uses"]
    lost = [r["forest_loss_ha"] for r in summary["regions"]]
    assert 0 < sum(lost) <= 100 * 100.0  # the planted block: 100 pixels of 100 ha
    far = sample_region_rasters(tmp_path / "", shift_m=5_000_000.0)
    code, err = cli(capsys, *base, "--loss-raster", str(far))
    assert code == 2 and "does not overlap" in err and len(err.strip().splitlines()) == 1, err


# --- zonal reads only under the zones -------------------------------------------------------
@pytest.mark.parametrize("rule", ["coverage", "centre"])
def test_small_zones_read_only_their_part_of_a_large_raster(tmp_path, rule) -> None:
    from analysis.zonal import zonal_totals

    rng = np.random.default_rng(3)
    data = rng.integers(0, 24, (400, 300)).astype(np.uint8)
    raster = open_raster(str(write_raster(tmp_path / "big_lossyear.tif", data)))
    zones = np.array(
        [
            shapely.Point(X0 + 4_013.7, Y1 - 6_021.3).buffer(157.9),
            shapely.box(X0 + 5_000.3, Y1 - 7_003.1, X0 + 5_411.9, Y1 - 6_700.2),
        ]
    )
    totals = zonal_totals(raster, zones, rule=rule, strip_pixels=2_000)
    assert totals.pixels_read < data.size / 10
    for i, zone in enumerate(zones):
        count = total = 0.0
        for r in range(400):
            for c in range(300):
                x, y = X0 + c * PIXEL, Y1 - r * PIXEL
                cell = shapely.box(x, y - PIXEL, x + PIXEL, y)
                if not cell.intersects(zone):
                    continue
                if rule == "centre":
                    w = float(zone.contains(cell.centroid))
                else:
                    w = cell.intersection(zone).area / (PIXEL * PIXEL)
                count += w
                total += w * data[r, c]
        # exactextract's coverage fractions carry ~1e-9 of floating-point error per pixel
        assert totals.count[i] == pytest.approx(count, rel=1e-7)
        assert totals.sum[i] == pytest.approx(total, rel=1e-7)


def test_a_loss_raster_changes_only_forest_loss_and_the_index_on_the_sample(tmp_path) -> None:
    from analysis.indicators import compute_indicators
    from layers.project import Project
    from sample_maps import SAMPLE_PROJECT

    raster = sample_region_rasters(tmp_path)
    plain = compute_indicators(Project.load(SAMPLE_PROJECT), years="2018-2020")
    with_loss = compute_indicators(
        Project.load(SAMPLE_PROJECT), years="2018-2020", loss_raster=str(raster)
    )
    moved = ["forest_loss_ha", "forest_loss_per_1000ha", "harm_index", "priority_rank"]
    pd.testing.assert_frame_equal(plain.drop(columns=moved), with_loss.drop(columns=moved))
    assert plain["forest_loss_ha"].isna().all() and with_loss["forest_loss_ha"].notna().all()
    assert not np.allclose(plain["harm_index"], with_loss["harm_index"])


def test_displacement_and_access_clis_take_the_raster_flags(tmp_path, capsys) -> None:
    loss = np.zeros((200, 200), dtype=np.uint8)
    loss[82:84, 82:92] = 17
    loss[150:160, 150:160] = 19
    raster = write_raster(tmp_path / "lossyear.tif", loss)
    gpd.GeoDataFrame(geometry=[box_px(80, 80, 100, 100)], crs=CRS).to_file(tmp_path / "t.gpkg")
    out = tmp_path / "d.json"
    code, err = cli(capsys, "displacement", "--targets", str(tmp_path / "t.gpkg"),
                    "--loss-raster", str(raster), "--date", "2018-06-01", "--window-years", "2",
                    "--buffer-m", "300", "--out", str(out), "--quiet")  # fmt: skip
    assert code == 0, err
    summary = json.loads(out.read_text())
    assert summary["target"]["before"] == pytest.approx(20 * PIXEL_HA)
    assert summary["control"]["after"] == pytest.approx(100 * PIXEL_HA)
    halves().to_file(tmp_path / "regions.gpkg")
    clinic = gpd.GeoDataFrame(geometry=[shapely.Point(X0 + 500.0, Y1 - 1000.0)], crs=CRS)
    clinic.to_file(tmp_path / "clinic.gpkg")
    out = tmp_path / "a.csv"
    code, err = cli(capsys, "access", "--demand", str(tmp_path / "regions.gpkg"), "--supply",
                    str(tmp_path / "clinic.gpkg"), "--population-raster",
                    str(population_raster(tmp_path)), "--out", str(out), "--quiet")  # fmt: skip
    assert code == 0, err
    assert "share_beyond_reach" in out.read_text().splitlines()[0]
