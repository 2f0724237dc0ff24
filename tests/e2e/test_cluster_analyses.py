"""Hot spots (kde, gi_star), zonal statistics and the indicators on the dask engine (issue 19),
through a real `dask scheduler` and two `dask worker` processes (test_cluster.py's fixture),
compared with the local engine: counts exactly, floats to 1e-9 relative. No mocks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("distributed")

from cluster_data import regions, write_events  # noqa: E402
from test_cluster import cluster_address  # noqa: E402, F401 - the module's real cluster

from analysis.inputs import load_project  # noqa: E402
from core.runner import run_analysis  # noqa: E402
from layers.partitioned import convert_to_partitioned  # noqa: E402

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_maps" / "sample.hatlas.json"


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """30,000 events as a GeoPackage and a partitioned GeoParquet of 8 parts; the regions; a
    class raster (uint8, nodata) and a float raster over them, each read in two windows."""
    import rasterio
    from affine import Affine

    folder = tmp_path_factory.mktemp("analyses")
    csv, gpkg = write_events(folder, 30_000)
    convert_to_partitioned(csv, folder / "events.parquet", partition_size=4_000)
    regions().to_file(folder / "regions.gpkg", engine="pyogrio")
    rng = np.random.default_rng(19)
    n = 3_000  # 9M pixels: two of the local engine's 8M-pixel windows
    profile = dict(driver="GTiff", width=n, height=n, count=1, crs="EPSG:4326", tiled=True,
                   transform=Affine(5.2 / n, 0, -77.1, 0, -5.2 / n, 6.1), compress="deflate")  # fmt: skip
    classes = rng.integers(0, 24, (n, n)).astype(np.uint8)
    classes[1000:1040, 1000:1040] = 255  # nodata inside a region
    with rasterio.open(folder / "classes.tif", "w", dtype="uint8", nodata=255, **profile) as dst:
        dst.write(classes, 1)
    values = classes.astype(np.float32) * np.float32(1.37)
    values[100:200, 100:300] = -9999.0
    with rasterio.open(folder / "values.tif", "w", dtype="float32", nodata=-9999, **profile) as dst:
        dst.write(values, 1)
    return {"gpkg": gpkg, "parquet": folder / "events.parquet", "folder": folder}


def assert_same(local, remote, layer: str) -> None:
    """Summaries and layers equal: whole numbers and text exactly, floats to 1e-9 relative."""
    assert local.summary.keys() == remote.summary.keys()
    for key, value in local.summary.items():
        if isinstance(value, float):
            assert remote.summary[key] == pytest.approx(value, rel=1e-9), key
        else:
            assert remote.summary[key] == value, key
    a, b = local.layers[layer], remote.layers[layer]
    assert list(a.columns) == list(b.columns) and len(a) == len(b)
    assert a.geometry.geom_equals_exact(b.geometry, 0).all()
    for column in a.columns.drop(a.geometry.name):
        x, y = a[column].to_numpy(), b[column].to_numpy()
        if x.dtype.kind == "f":
            np.testing.assert_allclose(y, x, rtol=1e-9, atol=0, err_msg=column)
        else:
            assert np.array_equal(x, y), column


def _hotspots(events, **extra):
    return run_analysis("hotspots", {"events": str(events), **extra})


def test_kde_through_the_scheduler_equals_the_local_engine(cluster_address, data):  # noqa: F811
    extra = {"method": "kde", "cell_m": 2000, "radius_m": 9000}
    local = _hotspots(data["gpkg"], **extra)
    remote = _hotspots(data["parquet"], engine="dask", scheduler=cluster_address, **extra)
    assert_same(local, remote, "hotspots")
    a, b = local.rasters["density"], remote.rasters["density"]
    assert a.geotransform == b.geotransform and a.values.shape == b.values.shape
    np.testing.assert_allclose(b.values, a.values, rtol=1e-9, atol=0)
    assert np.array_equal(a.values == 0, b.values == 0)  # the same cells reached, exactly
    assert local.summary["events"] == 30_000 and local.summary["cells_with_density"] > 10_000
    assert "Run on a Dask cluster: 8 partitions" in remote.notes[-1]


def test_kde_qgis_sampling_weights_and_period_match_too(cluster_address, data):  # noqa: F811
    extra = {"method": "kde", "cell_m": 3000, "radius_m": 10_000, "sampling": "qgis"}
    extra |= {"weight_field": "fatalities", "period": "2016-2019", "scaled": True}
    local = _hotspots(data["gpkg"], **extra)
    remote = _hotspots(data["parquet"], engine="dask", scheduler=cluster_address, **extra)
    assert_same(local, remote, "hotspots")
    np.testing.assert_allclose(
        remote.rasters["density"].values, local.rasters["density"].values, rtol=1e-9, atol=0
    )
    assert 5_000 < local.summary["events"] < 20_000  # the period kept part of them


def test_gi_star_on_the_summed_grid_equals_the_local_engine(cluster_address, data):  # noqa: F811
    extra = {"method": "gi_star", "cell_m": 10_000, "permutations": 0}
    local = _hotspots(data["gpkg"], **extra)
    remote = _hotspots(data["parquet"], engine="dask", scheduler=cluster_address, **extra)
    assert_same(local, remote, "hotspots")
    assert local.summary["hot"] > 0 and local.summary["events"] == 30_000
    weighted = extra | {"weight_field": "fatalities", "period": "2015-2020"}
    local = _hotspots(data["gpkg"], **weighted)
    remote = _hotspots(data["parquet"], engine="dask", scheduler=cluster_address, **weighted)
    assert_same(local, remote, "hotspots")


def test_gi_star_on_polygons_equals_the_local_engine(cluster_address, data):  # noqa: F811
    extra = {"method": "gi_star", "polygons": str(data["folder"] / "regions.gpkg")}
    extra |= {"permutations": 99}
    local = _hotspots(data["gpkg"], **extra)
    remote = _hotspots(data["parquet"], engine="dask", scheduler=cluster_address, **extra)
    assert_same(local, remote, "hotspots")
    assert local.summary["n"] == 100


def test_the_cli_writes_the_same_density_raster(cluster_address, data, tmp_path):  # noqa: F811
    import rasterio

    base = [sys.executable, "main.py", "analyze", "hotspots", "--quiet", "--cell-m", "2500"]
    runs = {
        "local": ["--events", str(data["gpkg"])],
        "dask": ["--events", str(data["parquet"]), "--engine", "dask"]
        + ["--scheduler", cluster_address],
    }
    arrays = {}
    for name, args in runs.items():
        out = tmp_path / f"{name}.tif"
        done = subprocess.run(
            [*base, *args, "--out", str(out)], cwd=ROOT, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        with rasterio.open(out) as src:
            arrays[name] = (src.read(1), src.transform)
    assert arrays["local"][1] == arrays["dask"][1]
    np.testing.assert_allclose(arrays["dask"][0], arrays["local"][0], rtol=1e-6, atol=0)


def test_emerging_says_it_runs_locally(cluster_address, data):  # noqa: F811
    done = subprocess.run(
        [sys.executable, "main.py", "analyze", "hotspots", "--quiet", "--method", "emerging"]
        + ["--events", str(data["parquet"]), "--engine", "dask", "--scheduler", cluster_address],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and "local engine" in done.stderr


@pytest.mark.parametrize(
    ("raster", "stats", "rule"),
    [
        ("classes.tif", "sum,mean,count,classes", "coverage"),
        ("classes.tif", "sum,mean,count,classes", "centre"),
        ("values.tif", "sum,mean,count,classes", "coverage"),
        ("values.tif", "sum,mean,count", "centre"),
    ],
)
def test_zonal_per_window_equals_the_local_engine(cluster_address, data, raster, stats, rule):  # noqa: F811
    params = {"raster": str(data["folder"] / raster), "zones": str(data["folder"] / "regions.gpkg")}
    params |= {"stats": stats, "rule": rule}
    local = run_analysis("zonal", params)
    remote = run_analysis("zonal", params | {"engine": "dask", "scheduler": cluster_address})
    assert_same(local, remote, "zonal")
    assert "Run on a Dask cluster: 2 windows of raster rows" in remote.notes[-1]
    table = local.layers["zonal"]
    assert table["count"].sum() > 8_000_000  # the regions cover most of the 9M pixels
    if "classes" in stats and raster == "classes.tif":
        assert "class_23_px" in table.columns and table["nodata_px"].sum() > 0


@pytest.mark.parametrize("years", [None, "2016-2019"])
def test_indicators_count_violence_on_the_cluster(cluster_address, years):  # noqa: F811
    project = load_project(str(SAMPLE))
    params = {"years": years} if years else {}
    local = run_analysis("indicators", params, project)
    remote = run_analysis(
        "indicators", params | {"engine": "dask", "scheduler": cluster_address}, project
    )
    pd.testing.assert_frame_equal(remote.table, local.table, check_exact=False, rtol=1e-9)
    assert local.table["violent_events"].sum() > 500
    assert np.array_equal(local.table["violent_events"], remote.table["violent_events"])
    assert "counted on a Dask cluster" in remote.notes[-1]
    # The CSV went through the one conversion the other analyses use: said, and removed.
    converted = [n for n in remote.notes if "temporary partitioned GeoParquet" in n]
    assert len(converted) == 1 and "acled_xaa" in converted[0]
    assert remote.summary["notes"] == remote.notes  # each note once
    assert len(set(remote.notes)) == len(remote.notes)
    assert not list((SAMPLE.parent / "data").glob(".*.parts.*"))


def test_a_geopackage_is_converted_beside_it_for_hotspots(cluster_address, data, tmp_path):  # noqa: F811
    import shutil

    gpkg = tmp_path / "copy.gpkg"
    shutil.copy(data["gpkg"], gpkg)
    extra = {"method": "gi_star", "cell_m": 10_000, "permutations": 0}
    local = _hotspots(data["gpkg"], **extra)
    remote = _hotspots(gpkg, engine="dask", scheduler=cluster_address, **extra)
    assert_same(local, remote, "hotspots")
    assert any("temporary partitioned GeoParquet" in note for note in remote.notes)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.gpkg"]  # temporary removed
