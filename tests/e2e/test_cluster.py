"""The dask engine on a real cluster (issue 19): a `dask scheduler` and two `dask worker`
processes started here, count through --scheduler compared with the local engine on 200,000
generated events, a worker killed mid-run, cancel, the unreachable-scheduler message and the
LocalCluster path. No mocks: the scheduler, the workers and the files are real."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

distributed = pytest.importorskip("distributed")

from cluster_data import events, regions, write_events  # noqa: E402

from analysis.engine import ClusterUnavailable, connect, run_parts  # noqa: E402
from core.runner import run_analysis, write_outputs  # noqa: E402
from layers.feedback import Canceled, Feedback  # noqa: E402
from layers.partitioned import convert_to_partitioned  # noqa: E402

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
DASK = Path(sys.executable).with_name("dask")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(args: list[str], log: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))  # the workers import analysis/ from here
    with open(log, "wb") as out:
        return subprocess.Popen(
            [str(DASK), *args], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )


def start_worker(address: str, folder: Path, name: str, nanny: bool = True) -> subprocess.Popen:
    args = ["worker", address, "--nthreads", "1", "--no-dashboard", "--name", name]
    args += ["--host", "127.0.0.1", "--local-directory", str(folder / name)]
    args += ["--memory-limit", "1GB"] + ([] if nanny else ["--no-nanny"])
    return _start(args, folder / f"{name}.log")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)  # a clean shutdown first
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@pytest.fixture(scope="module")
def cluster_address(tmp_path_factory):
    """A scheduler and two workers on random free ports, torn down after the module."""
    folder = tmp_path_factory.mktemp("cluster")
    address = f"tcp://127.0.0.1:{free_port()}"
    port = address.rsplit(":", 1)[1]
    scheduler = _start(
        ["scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard"],
        folder / "scheduler.log",
    )
    workers: list[subprocess.Popen] = []
    try:
        client = None
        for _ in range(60):  # the scheduler takes a few seconds to start on a busy machine
            try:
                client = distributed.Client(address, timeout=2, set_as_default=False)
                break
            except OSError:
                time.sleep(0.5)
        assert client is not None, (folder / "scheduler.log").read_text()
        workers = [start_worker(address, folder, f"w{i}") for i in range(2)]
        client.wait_for_workers(2, timeout=90)
        client.close()
        yield address
    finally:
        for process in [*workers, scheduler]:
            _stop(process)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """200,000 events as CSV, GeoPackage and a partitioned GeoParquet of 25 parts; regions in
    lon/lat and in a projected CRS."""
    folder = tmp_path_factory.mktemp("events")
    csv, gpkg = write_events(folder)
    parquet = folder / "events.parquet"
    convert_to_partitioned(csv, parquet, partition_size=8_000)
    regions().to_file(folder / "regions.gpkg", engine="pyogrio")
    regions("EPSG:3116").to_file(folder / "regions_3116.gpkg", engine="pyogrio")
    return {"csv": csv, "gpkg": gpkg, "parquet": parquet, "folder": folder}


def _count(points, polygons, **extra) -> tuple[dict, pd.DataFrame]:
    params = {"points": str(points), "polygons": str(polygons), **extra}
    result = run_analysis("count", params)
    table = result.layers["counts"].drop(columns="geometry")
    return result.summary, table


def test_count_through_the_scheduler_equals_the_local_engine(cluster_address, data):
    regions_path = data["folder"] / "regions.gpkg"
    local, local_table = _count(data["gpkg"], regions_path)
    remote, remote_table = _count(
        data["parquet"], regions_path, engine="dask", scheduler=cluster_address
    )
    assert remote == local
    pd.testing.assert_frame_equal(remote_table, local_table)
    assert local["points"] == 200_000 and 20_000 < local["points_outside"] < 40_000
    # Edge and corner events count once: the counts add up to the events inside.
    assert local_table["events"].sum() == local["points_inside"]


def test_weights_dates_and_reprojection_match_too(cluster_address, data):
    regions_path = data["folder"] / "regions_3116.gpkg"
    extra = {"weight_field": "fatalities", "date_field": "event_date"}
    extra |= {"from": "2016-03-01", "to": "2019-12-31"}
    local, local_table = _count(data["csv"], regions_path, **extra)
    remote, remote_table = _count(
        data["parquet"], regions_path, engine="dask", scheduler=cluster_address, **extra
    )
    assert remote == local
    pd.testing.assert_frame_equal(remote_table, local_table)
    assert 0 < local["points"] < 200_000 and local["weight_total"] > 0


def test_the_cli_writes_the_same_file_through_the_same_writer(cluster_address, data, tmp_path):
    base = [sys.executable, "main.py", "analyze", "count", "--quiet"]
    base += ["--polygons", str(data["folder"] / "regions.gpkg")]
    local = subprocess.run(
        [*base, "--points", str(data["gpkg"]), "--out", str(tmp_path / "local.csv")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    remote = subprocess.run(
        [*base, "--points", str(data["parquet"]), "--out", str(tmp_path / "dask.csv")]
        + ["--engine", "dask", "--scheduler", cluster_address],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert local.returncode == 0 and remote.returncode == 0, local.stderr + remote.stderr
    assert (tmp_path / "local.csv").read_bytes() == (tmp_path / "dask.csv").read_bytes()
    assert "Run on a Dask cluster: 25 partitions" in remote.stdout


def test_a_geopackage_is_converted_on_the_fly_beside_it(cluster_address, data, tmp_path):
    gpkg = tmp_path / "copy.gpkg"
    shutil.copy(data["gpkg"], gpkg)
    local, _ = _count(data["gpkg"], data["folder"] / "regions.gpkg")
    params = {"points": str(gpkg), "polygons": str(data["folder"] / "regions.gpkg")}
    result = run_analysis("count", params | {"engine": "dask", "scheduler": cluster_address})
    assert result.summary == local
    assert any("temporary partitioned GeoParquet" in note for note in result.notes)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.gpkg"]  # temporary removed


def test_a_dict_list_or_tuple_is_broadcast_as_one_object(cluster_address):
    # Defined here, so pickled by value: the workers need not import this test module.
    def look_up(item: int, table: dict, order: list, pair: tuple) -> int:
        return table[item] + order[item] + pair[0] + len(pair)

    client = connect(cluster_address)
    try:
        broadcast = {"table": {0: 10, 1: 20, 2: 30}, "order": [100, 200, 300]}
        broadcast["pair"] = (1000, 0)
        got = run_parts(client, look_up, [2, 0, 1], broadcast=broadcast)
        assert got == [1332, 1112, 1222]
        deadline = time.monotonic() + 10
        while client.futures:  # the scattered values released with the tasks' results
            assert time.monotonic() < deadline, list(client.futures)
            time.sleep(0.1)
    finally:
        client.close()


@pytest.fixture(scope="module")
def many_parts(data) -> Path:
    """20,000 events in 100 parts of 200: far more tasks than two one-thread workers can
    finish between two looks of the client at its futures (POLL_S)."""
    csv = data["folder"] / "events_20k.csv"
    events(20_000).to_csv(csv, index=False)
    parquet = data["folder"] / "events_100_parts.parquet"
    convert_to_partitioned(csv, parquet, partition_size=200)
    return parquet


PARTS = re.compile(r"Counting points: (\d+) of (\d+) parts")


def test_progress_comes_from_the_tasks_and_cancel_stops_the_run(cluster_address, data, many_parts):
    params = {"points": str(data["parquet"]), "polygons": str(data["folder"] / "regions.gpkg")}
    params |= {"engine": "dask", "scheduler": cluster_address}
    seen: list[str] = []
    run_analysis("count", params, feedback=Feedback(lambda p, m: seen.append(m)))
    done = [int(m[1]) for m in map(PARTS.fullmatch, seen) if m]
    assert done == sorted(done) and done[-1] == 25 and "Counting points: 25 of 25 parts" in seen
    # Canceled at the first report of a finished task: the client looks at the cancel before
    # it collects more, so the run stops unless all 100 tasks finished before that report.
    reports: list[tuple[int, int]] = []

    def cancel_at_the_first_finished_task(percent: float, message: str) -> None:
        found = PARTS.fullmatch(message)
        if found and not reports:
            reports.append((int(found[1]), int(found[2])))
            feedback.cancel()

    feedback = Feedback(cancel_at_the_first_finished_task)
    with pytest.raises(Canceled):
        run_analysis("count", params | {"points": str(many_parts)}, feedback=feedback)
    assert len(reports) == 1 and reports[0][1] == 100 and 1 <= reports[0][0] < 100
    client = connect(cluster_address)
    try:  # the canceled tasks left nothing running on the cluster
        deadline = time.monotonic() + 30
        while client.processing() and any(client.processing().values()):
            assert time.monotonic() < deadline
            time.sleep(0.2)
    finally:
        client.close()


def test_a_worker_killed_mid_run_is_retried_and_the_counts_stay_exact(
    cluster_address, data, tmp_path
):
    regions_path = data["folder"] / "regions.gpkg"
    local, local_table = _count(data["gpkg"], regions_path)
    extra = start_worker(cluster_address, tmp_path, "doomed", nanny=False)
    watch = connect(cluster_address)
    watch.wait_for_workers(3, timeout=90)
    workers = watch.scheduler_info()["workers"]
    doomed = next(a for a, w in workers.items() if w["name"] == "doomed")
    lost: list[tuple] = []

    def kill_while_it_works(percent: float, message: str) -> None:
        if "parts" not in message or lost:
            return
        running = watch.processing(workers=[doomed]).get(doomed, ())
        if running:  # it holds a task right now: SIGKILL, no goodbye to the scheduler
            extra.kill()
            lost.append(tuple(running))

    params = {"points": str(data["parquet"]), "polygons": str(regions_path)}
    params |= {"engine": "dask", "scheduler": cluster_address}
    try:
        result = run_analysis("count", params, feedback=Feedback(kill_while_it_works))
    finally:
        _stop(extra)
        watch.close()
    assert lost and lost[0] and extra.returncode == -signal.SIGKILL
    assert result.summary == local
    pd.testing.assert_frame_equal(result.layers["counts"].drop(columns="geometry"), local_table)


def test_an_unreachable_scheduler_is_one_line_and_exit_2(data):
    address = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "main.py", "analyze", "count", "--quiet", "--engine", "dask"]
        + ["--points", str(data["parquet"]), "--polygons", str(data["folder"] / "regions.gpkg")]
        + ["--scheduler", address],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert time.monotonic() - started < 40
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    for what in (address, "port", "firewall", "tls"):
        assert what in lines[0]
    with pytest.raises(ClusterUnavailable):
        connect(address, timeout=1)


def test_a_local_cluster_when_no_scheduler_is_given(data, tmp_path):
    regions_path = data["folder"] / "regions.gpkg"
    local, local_table = _count(data["gpkg"], regions_path)
    remote, remote_table = _count(data["parquet"], regions_path, engine="dask")
    assert remote == local
    pd.testing.assert_frame_equal(remote_table, local_table)
    # Written by the one writer, like a local result.
    result = run_analysis("count", {"points": str(data["parquet"]), "polygons": str(regions_path)})
    written = write_outputs(result, tmp_path / "counts.gpkg")
    assert [p.name for p in written] == ["counts.gpkg"]
    assert np.array_equal(result.layers["counts"]["events"], local_table["events"])


def _certificates(folder: Path) -> dict[str, Path]:
    """A throwaway CA and one certificate for 127.0.0.1 signed by it (openssl)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    ca, ca_key = folder / "ca.pem", folder / "ca.key"
    cert, key, csr = folder / "node.pem", folder / "node.key", folder / "node.csr"
    (folder / "san.cnf").write_text("subjectAltName=IP:127.0.0.1\n")

    def call(*args: str) -> None:
        subprocess.run([openssl, *args], check=True, capture_output=True)

    call("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(ca_key), "-out",
         str(ca), "-days", "2", "-subj", "/CN=harm-atlas-test-ca")  # fmt: skip
    call("req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(csr),
         "-subj", "/CN=127.0.0.1")  # fmt: skip
    call("x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key),
         "-CAcreateserial", "-out", str(cert), "-days", "2", "-extfile",
         str(folder / "san.cnf"))  # fmt: skip
    return {"ca": ca, "cert": cert, "key": key}


def test_tls_between_client_scheduler_and_workers(data, tmp_path):
    certs = _certificates(tmp_path)
    tls = ["--tls-ca-file", str(certs["ca"]), "--tls-cert", str(certs["cert"])]
    tls += ["--tls-key", str(certs["key"])]
    port = str(free_port())
    address = f"tls://127.0.0.1:{port}"
    scheduler = _start(
        ["scheduler", "--host", "127.0.0.1", "--port", port, "--protocol", "tls"]
        + ["--no-dashboard", *tls],
        tmp_path / "scheduler.log",
    )
    worker = _start(
        ["worker", address, "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1"]
        + ["--local-directory", str(tmp_path / "w"), *tls],
        tmp_path / "worker.log",
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env["DASK_DISTRIBUTED__COMM__TLS__CA_FILE"] = str(certs["ca"])
    env["DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT"] = str(certs["cert"])
    env["DASK_DISTRIBUTED__COMM__TLS__CLIENT__KEY"] = str(certs["key"])
    command = [sys.executable, "main.py", "analyze", "count", "--quiet", "--json"]
    command += ["--points", str(data["parquet"]), "--polygons"]
    command += [str(data["folder"] / "regions.gpkg"), "--engine", "dask", "--scheduler", address]
    try:
        plain = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        assert plain.returncode == 2 and "no client certificate" in plain.stderr
        for _ in range(60):  # the worker joins once the scheduler is up
            done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env)
            if done.returncode == 0 or "Could not reach" not in done.stderr:
                break
            time.sleep(1)
        assert done.returncode == 0, done.stderr
    finally:
        _stop(worker)
        _stop(scheduler)
    local, _ = _count(data["gpkg"], data["folder"] / "regions.gpkg")
    summary = json.loads(done.stdout)
    summary.pop("notes")
    assert summary == local


@pytest.mark.parametrize("address", ["nonsense", "tcp://127.0.0.1:port", "udp://host:8786"])
def test_a_malformed_address_is_refused_before_dialling(address):
    started = time.monotonic()
    with pytest.raises(ClusterUnavailable, match="tcp://HOST:PORT"):
        connect(address)
    assert time.monotonic() - started < 2
