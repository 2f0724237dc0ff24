"""Zonal statistics (analysis/zonal.py): both rules against brute force, hectares, the CLI."""

from __future__ import annotations

import csv

import fixtures_factory as ff
import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from affine import Affine
from analyze_cli import run_analyze_cli

import analysis.zonal  # noqa: F401  (registers `zonal` for the in-process CLI)
from analysis.zonal import zonal_totals
from core.runner import run_analysis
from layers.feedback import Canceled, Feedback
from layers.layer import Layer
from layers.raster import open_raster

TRANSFORM = Affine(30.0, 0.0, 500_000.0, 0.0, -30.0, 200_000.0)


def write_raster(path, data, transform=TRANSFORM, nodata=None, crs="EPSG:32618"):
    return ff.geotiff(path, data, transform, crs, nodata=nodata)


def random_zones(seed: int, n: int, shape: tuple[int, int]) -> np.ndarray:
    """Voronoi cells over the raster (a partition) plus two overlapping discs; edges at
    random coordinates, never on a pixel centre."""
    rng = np.random.default_rng(seed)
    rows, cols = shape
    x0, y1 = TRANSFORM @ (0, 0)
    x1, y0 = TRANSFORM @ (cols, rows)
    pts = rng.uniform([x0, y0], [x1, y1], (n, 2))
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=shapely.box(x0, y0, x1, y1))
    )
    inner = shapely.box(x0 + 97.3, y0 + 71.9, x1 - 113.1, y1 - 88.7)
    zones = shapely.intersection(cells, inner)
    cx, cy = (x0 + x1) / 2 + 7.7, (y0 + y1) / 2 + 3.1
    discs = [shapely.Point(cx, cy).buffer(200.3), shapely.Point(cx + 150.1, cy).buffer(170.9)]
    return np.append(zones, discs)


def brute_force(data, zones, rule, nodata=None):
    """Per zone and pixel: the centre test or the exact share of the pixel inside (shapely)."""
    rows, cols = data.shape
    values = np.unique(data)
    count = np.zeros(len(zones))
    total = np.zeros(len(zones))
    classes = np.zeros((len(zones), len(values)))
    missing = np.zeros(len(zones))
    for i, zone in enumerate(zones):
        shapely.prepare(zone)
        for r in range(rows):
            for c in range(cols):
                x0, y1 = TRANSFORM @ (c, r)
                if rule == "centre":
                    w = float(zone.contains(shapely.Point(x0 + 15, y1 - 15)))
                else:
                    w = zone.intersection(shapely.box(x0, y1 - 30, x0 + 30, y1)).area / 900.0
                if nodata is not None and data[r, c] == nodata:
                    missing[i] += w
                    continue
                count[i] += w
                total[i] += w * float(data[r, c])
                classes[i, np.searchsorted(values, data[r, c])] += w
    return count, total, values, classes, missing


@pytest.mark.parametrize("rule", ["centre", "coverage"])
@pytest.mark.parametrize("dtype", ["uint8", "float32"])
def test_rules_match_brute_force(tmp_path, rule, dtype) -> None:
    rng = np.random.default_rng(7)
    data = rng.integers(0, 6, (36, 44)).astype(dtype)
    nodata = 5
    layer = open_raster(write_raster(tmp_path / "r.tif", data, nodata=nodata))
    zones = random_zones(7, 12, data.shape)
    # Strips of 4 rows: zones cross many strip edges.
    got = zonal_totals(layer, zones, rule=rule, classes=True, strip_pixels=4 * 44)
    count, total, values, classes, missing = brute_force(data, zones, rule, nodata)
    tol = 1e-9 if rule == "centre" else 1e-5  # exactextract keeps coverage in float32
    np.testing.assert_allclose(got.count, count, atol=tol * 50)
    np.testing.assert_allclose(got.sum, total, atol=tol * 250)
    kept = values != nodata
    np.testing.assert_array_equal(got.class_values, values[kept])
    np.testing.assert_allclose(got.class_counts, classes[:, kept], atol=tol * 50)
    np.testing.assert_allclose(got.nodata, missing, atol=tol * 50)
    assert missing.sum() > 0
    assert got.fallback_zones == 0


def test_coverage_adds_up_to_the_zone_area(tmp_path) -> None:
    data = np.ones((40, 40), np.uint8)
    layer = open_raster(write_raster(tmp_path / "ones.tif", data))
    zones = random_zones(3, 9, data.shape)
    got = zonal_totals(layer, zones, rule="coverage")
    np.testing.assert_allclose(got.count * 900.0, shapely.area(zones), rtol=1e-6)


def test_a_zone_smaller_than_a_pixel_is_measured_by_coverage_as_qgis_does(tmp_path) -> None:
    data = np.full((10, 10), 4, np.uint8)
    path = write_raster(tmp_path / "r.tif", data)
    with rasterio.open(path, "r+") as dst:  # exactextract scales: the tally stays raw
        dst.scales, dst.offsets = (0.5,), (1.0,)
    layer = open_raster(path)
    x0, y1 = TRANSFORM @ (3, 3)
    tiny = shapely.box(x0 + 2, y1 - 17, x0 + 12, y1 - 2)  # 10 x 15 m, no pixel centre inside
    got = zonal_totals(layer, np.array([tiny]), rule="centre")
    assert got.fallback_zones == 1
    assert got.count[0] == pytest.approx(150 / 900, rel=1e-5)
    assert got.sum[0] == pytest.approx(4 * 150 / 900, rel=1e-5)


def test_a_zone_without_centres_gets_the_pixels_it_overlaps_in_classes(tmp_path) -> None:
    data = np.arange(100, dtype=np.uint8).reshape(10, 10)
    layer = open_raster(write_raster(tmp_path / "r.tif", data, nodata=34))
    x0, y1 = TRANSFORM @ (3, 3)
    # Over pixels (3, 3) and (3, 4) without either centre: QGIS's zonal histogram counts both
    # once; the nodata pixel (3, 4) = 34 goes to the nodata column.
    strip = shapely.box(x0 + 20, y1 - 10, x0 + 40, y1 - 2)
    got = zonal_totals(layer, np.array([strip]), rule="centre", classes=True)
    assert got.class_values.tolist() == [33.0]
    assert got.class_counts.tolist() == [[1.0]] and got.nodata.tolist() == [1.0]
    assert got.count[0] == pytest.approx(80 / 900, rel=1e-5)  # 10 x 8 m of the valid pixel


def test_cancel_stops_the_run(tmp_path) -> None:
    layer = open_raster(write_raster(tmp_path / "r.tif", np.zeros((20, 20), np.uint8)))
    feedback = Feedback()
    feedback.cancel()
    with pytest.raises(Canceled):
        zonal_totals(layer, random_zones(1, 4, (20, 20)), feedback=feedback)


def test_analysis_gives_hectares_per_class_in_the_metric_crs(tmp_path) -> None:
    rng = np.random.default_rng(11)
    data = rng.integers(0, 4, (30, 30)).astype(np.uint8)
    path = write_raster(tmp_path / "lossyear.tif", data)
    zones = random_zones(11, 5, data.shape)
    # Zones in lon/lat: reprojected to the raster for counting, hectares in UTM 18N.
    frame = gpd.GeoDataFrame(
        {"name": [f"z{i}" for i in range(len(zones))]}, geometry=zones, crs=32618
    ).to_crs(4326)
    result = run_analysis(
        "zonal",
        {
            "raster": str(path),
            "zones": Layer(frame, "zones"),
            "stats": "count,classes,sum,mean",
            "rule": "centre",
        },
    )
    out = result.layers["zonal"]
    assert result.summary["pixel_area_ha"] == pytest.approx(0.09, rel=1e-9)
    for v in (0, 1, 2, 3):
        np.testing.assert_allclose(out[f"class_{v}_ha"], out[f"class_{v}_px"] * 0.09)
    px = out[[f"class_{v}_px" for v in range(4)]].sum(axis=1)
    np.testing.assert_allclose(px, out["count"])
    np.testing.assert_allclose(out["mean"], out["sum"] / out["count"])


def test_scale_and_offset_apply_to_sum_and_mean(tmp_path) -> None:
    data = np.full((10, 10), 3, np.uint16)
    path = write_raster(tmp_path / "pop.tif", data)
    with rasterio.open(path, "r+") as dst:
        dst.scales, dst.offsets = (0.5,), (1.0,)
    x0, y1 = TRANSFORM @ (0, 0)
    zone = shapely.box(x0, y1 - 150, x0 + 150, y1)  # 5 x 5 pixels exactly
    frame = gpd.GeoDataFrame(geometry=[zone], crs=32618)
    result = run_analysis("zonal", {"raster": str(path), "zones": Layer(frame, "z")})
    row = result.layers["zonal"].iloc[0]
    assert row["count"] == pytest.approx(25)
    assert row["mean"] == pytest.approx(2.5) and row["sum"] == pytest.approx(62.5)


# --- the CLI ----------------------------------------------------------------------------
def zonal_cli(capsys, raster, zones, *extra: str) -> tuple[int, str]:
    """`analyze zonal --raster RASTER --zones ZONES EXTRA --quiet`: exit code and stderr."""
    code, _, err = run_analyze_cli(
        capsys, "zonal", "--raster", str(raster), "--zones", str(zones), *extra, "--quiet"
    )
    return code, err


def test_cli_end_to_end(tmp_path, capsys) -> None:
    rng = np.random.default_rng(5)
    data = rng.integers(0, 24, (50, 50)).astype(np.uint8)
    raster = write_raster(tmp_path / "lossyear.tif", data)
    zones = gpd.GeoDataFrame(
        {"code": ["A", "B", "C"]}, geometry=random_zones(5, 3, data.shape)[:3], crs=32618
    )
    zones.to_file(tmp_path / "zones.gpkg")
    out = tmp_path / "zonal.csv"
    code, err = zonal_cli(
        capsys,
        raster,
        tmp_path / "zones.gpkg",
        "--stats",
        "sum,mean,count,classes",
        "--rule",
        "centre",
        "--out",
        str(out),
    )
    assert code == 0, err
    rows = list(csv.DictReader(out.open()))
    assert [r["code"] for r in rows] == ["A", "B", "C"]
    assert {"count", "sum", "mean", "class_0_px", "class_0_ha"} <= set(rows[0])
    expected = zonal_totals(open_raster(raster), zones.geometry.values, rule="centre")
    np.testing.assert_allclose([float(r["count"]) for r in rows], expected.count)


@pytest.mark.parametrize(
    ("extra", "says"),
    [((), "does not exist"), (("--stats", "median"), "--stats")],
    ids=["missing raster", "unknown statistic"],
)
def test_cli_missing_raster_is_one_line(tmp_path, capsys, extra, says) -> None:
    zones = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1, 1)], crs=4326)
    zones.to_file(tmp_path / "zones.gpkg")
    code, err = zonal_cli(capsys, tmp_path / "nope.tif", tmp_path / "zones.gpkg", *extra)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and says in err, err


def test_cli_raster_that_misses_the_zones_is_one_line(tmp_path, capsys) -> None:
    raster = write_raster(tmp_path / "r.tif", np.zeros((10, 10), np.uint8))
    far = gpd.GeoDataFrame(geometry=[shapely.box(100, 100, 200, 200)], crs=32618)
    far.to_file(tmp_path / "far.gpkg")
    code, err = zonal_cli(capsys, raster, tmp_path / "far.gpkg")
    assert code == 2 and "does not overlap" in err and len(err.strip().splitlines()) == 1
