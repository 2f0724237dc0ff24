"""convert: a Hilbert-sorted, spatially partitioned GeoParquet that geopandas and
dask_geopandas read, written atomically and never over an input (layers/partitioned.py)."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from cluster_data import events, write_events

from layers.feedback import Canceled, Feedback
from layers.partitioned import (
    MANIFEST,
    ConvertError,
    convert_to_partitioned,
    open_partitioned,
    read_all,
    too_big_for_memory,
)

N = 20_000


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("convert")
    csv, gpkg = write_events(folder, N)
    return folder, csv, gpkg


def _hilbert(gdf: gpd.GeoDataFrame, extent: list[float]) -> np.ndarray:
    return np.asarray(gdf.geometry.hilbert_distance(total_bounds=extent, level=16))


def test_csv_round_trip_rows_bounds_and_hilbert_order(inputs, tmp_path):
    _, csv, _ = inputs
    progress: list[float] = []
    data = convert_to_partitioned(
        csv, tmp_path / "ev.parquet", 3_000, Feedback(lambda p, m: progress.append(p))
    )
    assert data.rows == N and data.dropped == 0
    assert len(data.partitions) == 7  # ceil(20,000 / 3,000)
    assert progress and progress[-1] == 100 and progress == sorted(progress)
    manifest = json.loads((tmp_path / "ev.parquet" / MANIFEST).read_text())
    extent = manifest["hilbert"]["extent"]
    previous_high = -1
    for part in data.partitions:
        gdf = gpd.read_parquet(part.path)
        assert len(gdf) == part.rows
        np.testing.assert_array_equal(gdf.total_bounds, part.bounds)
        meta = json.loads(pq.read_schema(part.path).metadata[b"geo"])
        np.testing.assert_array_equal(meta["columns"]["geometry"]["bbox"], part.bounds)
        distance = _hilbert(gdf, extent)
        assert (np.diff(distance) >= 0).all()  # sorted along the curve inside the part
        assert distance[0] == part.hilbert[0] and distance[-1] == part.hilbert[1]
        assert part.hilbert[0] > previous_high  # parts cover disjoint stretches, in order
        previous_high = part.hilbert[1]
    # Every event exactly once, its attributes typed as pandas types the whole file.
    whole = read_all(tmp_path / "ev.parquet")
    source = events(N)
    assert whole["fatalities"].dtype == np.int64 and whole["latitude"].dtype == np.float64
    assert whole["notes"].dtype == object
    key = ["event_date", "latitude", "longitude", "fatalities", "notes"]
    left = whole[key].sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(left, source[key].sort_values(key).reset_index(drop=True))
    np.testing.assert_array_equal(whole.geometry.x, whole["longitude"])


def test_dask_geopandas_reads_it_with_partition_bounds(inputs, tmp_path):
    dask_geopandas = pytest.importorskip("dask_geopandas")
    _, csv, _ = inputs
    data = convert_to_partitioned(csv, tmp_path / "ev.parquet", 5_000)
    frame = dask_geopandas.read_parquet(tmp_path / "ev.parquet")
    assert frame.npartitions == len(data.partitions) == 4
    assert frame.crs.to_epsg() == 4326
    bounds = frame.spatial_partitions.bounds.to_numpy()
    np.testing.assert_allclose(bounds, [p.bounds for p in data.partitions])
    assert len(frame.compute()) == N


def test_geopackage_and_geoparquet_inputs_give_the_same_parts(inputs, tmp_path):
    _, csv, gpkg = inputs
    from_csv = convert_to_partitioned(csv, tmp_path / "a.parquet", 6_000)
    from_gpkg = convert_to_partitioned(gpkg, tmp_path / "b.parquet", 6_000)
    from_parquet = convert_to_partitioned(from_gpkg.partitions[0].path, tmp_path / "c.parquet")
    assert [p.rows for p in from_gpkg.partitions] == [p.rows for p in from_csv.partitions]
    assert [p.bounds for p in from_gpkg.partitions] == [p.bounds for p in from_csv.partitions]
    assert from_parquet.rows == from_gpkg.partitions[0].rows
    assert open_partitioned(tmp_path / "b.parquet").crs.to_epsg() == 4326


def test_a_projected_layer_keeps_its_crs_and_exact_shapes_in_every_part(tmp_path):
    # The spill between the passes is plain Parquet (WKB): the CRS is put back once a part.
    rng = np.random.default_rng(15)
    x, y = rng.uniform(4e5, 1.6e6, 3_000), rng.uniform(2e5, 1.9e6, 3_000)
    layer = gpd.GeoDataFrame(
        {"id": np.arange(3_000), "w": rng.random(3_000)},
        geometry=gpd.points_from_xy(x, y, rng.uniform(0, 3e3, 3_000)),  # with heights
        crs="EPSG:3116",
    )
    layer.to_file(tmp_path / "projected.gpkg", engine="pyogrio")
    data = convert_to_partitioned(tmp_path / "projected.gpkg", tmp_path / "p.parquet", 250)
    assert len(data.partitions) == 12
    for part in data.partitions:
        assert gpd.read_parquet(part.path).crs.equals(layer.crs)
    whole = read_all(tmp_path / "p.parquet").sort_values("id").reset_index(drop=True)
    assert whole.crs.equals(layer.crs) and whole.geometry.has_z.all()
    assert whole.geometry.geom_equals_exact(layer.geometry, tolerance=0).all()
    pd.testing.assert_series_equal(whole["w"], layer["w"])


def test_rows_without_coordinates_are_left_out_and_counted(tmp_path):
    frame = events(100)
    frame.loc[[3, 50], "latitude"] = np.nan
    frame.loc[7, "longitude"] = 500.0  # off the globe
    frame.to_csv(tmp_path / "e.csv", index=False)
    data = convert_to_partitioned(tmp_path / "e.csv", tmp_path / "e.parquet")
    assert data.rows == 97 and data.dropped == 3


def test_never_over_an_input_and_atomic(inputs, tmp_path):
    _, csv, _ = inputs
    with pytest.raises(ConvertError, match="over an input"):
        convert_to_partitioned(csv, csv)
    with pytest.raises(ConvertError, match="over an input"):
        convert_to_partitioned(csv, csv.parent)  # the folder holding the input
    (tmp_path / "notes").mkdir()
    with pytest.raises(ConvertError, match="not a dataset written by convert"):
        convert_to_partitioned(csv, tmp_path / "notes")
    # A cancel mid-way leaves neither the target nor its temporary folder behind.
    feedback = Feedback()
    feedback.set_progress = lambda p, m="": feedback.cancel() if p > 40 else None
    with pytest.raises(Canceled):
        convert_to_partitioned(csv, tmp_path / "x.parquet", 2_000, feedback)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes"]
    # A dataset convert wrote is replaced whole by a new convert.
    convert_to_partitioned(csv, tmp_path / "x.parquet", 2_000)
    again = convert_to_partitioned(csv, tmp_path / "x.parquet", 10_000)
    assert len(list((tmp_path / "x.parquet").glob("*.parquet"))) == len(again.partitions) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes", "x.parquet"]


def test_a_csv_without_coordinates_is_refused_in_one_line(tmp_path):
    (tmp_path / "t.csv").write_text("code,value\n05001,3\n")
    with pytest.raises(ConvertError, match="no coordinate columns"):
        convert_to_partitioned(tmp_path / "t.csv", tmp_path / "t.parquet")


def test_memory_suggestion_only_for_inputs_bigger_than_free_memory(inputs):
    _, csv, _ = inputs
    assert too_big_for_memory(csv, available=10**12) is None
    message = too_big_for_memory(csv, available=1000)
    assert "--engine dask" in message and "convert" in message


def test_a_local_run_on_an_input_too_big_for_memory_suggests_the_dask_engine(
    inputs, tmp_path, monkeypatch
):
    from cluster_data import regions

    import layers.partitioned as partitioned
    from core.runner import run_analysis

    _, _, gpkg = inputs
    regions().to_file(tmp_path / "regions.gpkg", engine="pyogrio")
    params = {"points": str(gpkg), "polygons": str(tmp_path / "regions.gpkg")}
    assert not any("--engine dask" in n for n in run_analysis("count", params).notes)
    monkeypatch.setattr(partitioned, "MEMORY_SHARE", 1e-9)  # as if the machine had no memory
    messages: list[str] = []
    result = run_analysis("count", params, feedback=Feedback(lambda p, m: messages.append(m)))
    assert "--engine dask" in result.notes[0] and result.notes[0] in messages
    assert result.summary["points"] == N  # a suggestion, not a refusal


def test_csv_columns_are_typed_once_for_the_whole_file(tmp_path, monkeypatch):
    import layers.partitioned as partitioned

    monkeypatch.setattr(partitioned, "CHUNK_ROWS", 1_000)  # five chunks, typed alike
    frame = events(5_000)
    frame["code"] = [str(i) for i in range(5_000)]
    frame.loc[4_500, "code"] = "X12"  # a word in the last chunk only: text everywhere
    frame["count"] = np.arange(5_000)
    frame["missing_late"] = np.arange(5_000).astype(float)
    frame.loc[4_800, "missing_late"] = np.nan  # whole numbers with a gap: float everywhere
    frame.to_csv(tmp_path / "e.csv", index=False)
    data = convert_to_partitioned(tmp_path / "e.csv", tmp_path / "e.parquet", 1_500)
    expected = pd.read_csv(tmp_path / "e.csv").dtypes
    for part in data.partitions:
        got = gpd.read_parquet(part.path).drop(columns="geometry").dtypes
        assert got["code"] == np.dtype(object) and got["count"] == np.int64
        assert got["missing_late"] == np.float64 and got["fatalities"] == np.int64
        assert got.to_dict() == expected.to_dict()  # as pandas types the whole file
