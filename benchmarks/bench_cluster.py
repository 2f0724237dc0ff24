"""Count of 10^6, 10^7 and 10^8 events in the national project's 1,100 municipalities: the local
engine against the dask engine on a LocalCluster of this machine (issue 19). Never in the tests.

    .venv/bin/python benchmarks/bench_cluster.py [--sizes 1e6,1e7,1e8] [--data DIR]
        [--workers 2] [--worker-memory 4GB] [--local-timeout 1800] [--local-memory-gb 12]
        [--dask-timeout 3600] [--only-generate] [--json OUT.json]

Events: generated straight to partitioned GeoParquet (the layout `python main.py convert`
writes: part.N.parquet + harm_atlas_partitions.json, 1,000,000 rows a part), in batches of
10,000,000 rows, each batch sorted along a Hilbert curve and cut into parts, so no more than
one batch is ever in memory and each part covers about a tenth of the country (convert sorts
the whole input, so its parts are tighter: this layout is the harder case for the join). The
events are those of benchmarks/national.py (70 % around conflict zones, 30 % anywhere in the
country, lon/lat) with only a year and fatalities column (fewer columns favour the local
engine, which reads every column).

Each size is run as whole CLI processes, `python main.py analyze count --points DIR
--polygons ps_admbnda_adm2_synthetic.geojson --out counts.csv`:
- local: the default engine, stopped when it passes --local-timeout seconds or its resident
  memory passes --local-memory-gb (the machine is shared: it is killed, not left to swap);
- dask: the same command with `--engine dask --scheduler ADDRESS` against a
  distributed.LocalCluster started here (--workers processes, one thread each,
  --worker-memory each), whose worker processes are sampled too.
Peak RSS is sampled every 0.2 s from /proc through psutil, per process (the CLI and its
children, each worker). The two outputs are compared region by region when both finish.

Extrapolation to N workers: the scheduler's task stream gives every partition's compute time;
T(N) = T_client + ceil(P / N) x t_part, where t_part is the mean partition time, P the
partitions and T_client the measured wall time less the tasks' span on this machine (first
task's start to last task's stop: what remains is start-up, reading the regions, scattering
them, the sum and writing). It assumes storage that serves every
worker at the speed one worker reads here (a shared filesystem or object store that does not
saturate) and one core per worker.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: make `benchmarks` importable

from benchmarks import national  # noqa: E402

DATA = ROOT / "benchmarks" / "data" / "cluster"
REGIONS = national.DEFAULT_OUT / national.FILES["adm2"]
PART_ROWS = 1_000_000
BATCH_ROWS = 10_000_000
MANIFEST = "harm_atlas_partitions.json"  # layers/partitioned.py's manifest name
HILBERT_LEVEL = 16


# --- events -----------------------------------------------------------------------------------
def _batch(rng: np.random.Generator, n: int, zones) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """n events in UTM 18N: 70 % around the conflict zones, 30 % anywhere in the country."""
    centres, weight = zones
    clustered = rng.random(n) < 0.7
    k = int(clustered.sum())
    xy = np.empty((n, 2))
    xy[clustered] = centres[rng.choice(len(centres), k, p=weight)] + rng.normal(0, 25_000, (k, 2))
    xy[~clustered] = national._inside(rng, n - k)
    xy = np.clip(xy, (national.WEST + 100, national.SOUTH + 100),
                 (national.EAST - 100, national.NORTH - 100))  # fmt: skip
    year = rng.integers(2014, 2024, n).astype(np.int16)
    fatalities = np.where(rng.random(n) < 0.6, rng.poisson(0.9, n), 0).astype(np.int16)
    return xy, year, fatalities


def generate_events(n: int, out: Path, seed: int = 19, part_rows: int = PART_ROWS) -> Path:
    """n events as a partitioned GeoParquet folder at `out` (kept and reused when complete)."""
    import geopandas as gpd
    from pyproj import Transformer

    manifest = out / MANIFEST
    if manifest.exists() and json.loads(manifest.read_text())["rows"] == n:
        return out
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    zones = national._conflict_zones(np.random.default_rng(national.SEED))
    to_lonlat = Transformer.from_crs(national.EPSG, 4326, always_xy=True)
    box = np.array(
        to_lonlat.transform(
            [national.WEST, national.EAST, national.WEST, national.EAST],
            [national.SOUTH, national.SOUTH, national.NORTH, national.NORTH],
        )
    )
    extent = [box[0].min(), box[1].min(), box[0].max(), box[1].max()]
    parts, done, started = [], 0, time.monotonic()
    while done < n:
        size = min(BATCH_ROWS, n - done)
        xy, year, fatalities = _batch(rng, size, zones)
        lon, lat = to_lonlat.transform(xy[:, 0], xy[:, 1])
        del xy
        points = gpd.GeoSeries(gpd.points_from_xy(np.round(lon, 6), np.round(lat, 6)))
        distance = np.asarray(points.hilbert_distance(total_bounds=extent, level=HILBERT_LEVEL))
        order = np.argsort(distance, kind="stable")
        for start in range(0, size, part_rows):
            take = order[start : start + part_rows]
            frame = gpd.GeoDataFrame(
                {"year": year[take], "fatalities": fatalities[take]},
                geometry=points.values[take],
                crs="EPSG:4326",
            )
            name = f"part.{len(parts)}.parquet"
            frame.to_parquet(out / name, index=False, write_covering_bbox=False)
            parts.append(
                {
                    "file": name,
                    "rows": len(frame),
                    "bounds": [float(v) for v in frame.total_bounds],
                    "hilbert": [int(distance[take].min()), int(distance[take].max())],
                }
            )
        done += size
        del points, distance, order
        print(f"  generated {done:,} of {n:,} events ({time.monotonic() - started:.0f} s)",
              flush=True)  # fmt: skip
    data = {
        "format": "harm-atlas partitioned GeoParquet 1",
        "source": f"benchmarks/bench_cluster.py seed {seed}",
        "crs": "EPSG:4326",
        "geometry": "geometry",
        "columns": ["year", "fatalities"],
        "dropped": 0,
        "rows": n,
        "hilbert": {"level": HILBERT_LEVEL, "extent": extent},
        "partitions": parts,
    }
    manifest.write_text(json.dumps(data, indent=1))
    return out


# --- measuring --------------------------------------------------------------------------------
class Sampler(threading.Thread):
    """Peak RSS of processes, every 0.2 s: `root` and its children (one figure, summed), and
    each process in `others` (named)."""

    def __init__(self, root: int, others: dict[str, int] | None = None) -> None:
        super().__init__(daemon=True)
        self.root, self.others = root, others or {}
        self.peak: dict[str, int] = {"cli": 0, **{k: 0 for k in self.others}}
        self.each: dict[int, int] = {}  # peak of each process of the CLI's tree, by pid
        self.stop = threading.Event()

    def cli_rss(self) -> int:
        import psutil

        try:
            proc = psutil.Process(self.root)
            procs = [proc, *proc.children(recursive=True)]
        except psutil.NoSuchProcess:
            return 0
        total = 0
        for p in procs:
            try:
                rss = p.memory_info().rss
            except psutil.NoSuchProcess:
                continue
            total += rss
            self.each[p.pid] = max(self.each.get(p.pid, 0), rss)
        return total

    def run(self) -> None:
        import psutil

        while not self.stop.is_set():
            self.peak["cli"] = max(self.peak["cli"], self.cli_rss())
            for name, pid in self.others.items():
                try:
                    self.peak[name] = max(self.peak[name], psutil.Process(pid).memory_info().rss)
                except psutil.NoSuchProcess:
                    pass
            time.sleep(0.2)


def run_cli(
    args: list[str], timeout: float, memory_limit: float | None = None, others=None
) -> dict:
    """One CLI process: wall time, peak RSS (the CLI with its children, each of `others`), how
    it ended (done, error, timeout, memory) and the last lines of its stderr."""
    log = open(DATA / "last_stderr.txt", "wb")  # noqa: SIM115 - closed below
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "main.py", *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=log
    )
    sampler = Sampler(proc.pid, others)
    sampler.start()
    status = "done"
    try:
        while proc.poll() is None:
            time.sleep(0.2)
            if time.monotonic() - started > timeout:
                status = "timeout"
            elif memory_limit and sampler.peak["cli"] > memory_limit:
                status = "memory"
            if status != "done":
                proc.kill()
                proc.wait()
                break
    finally:
        sampler.stop.set()
        sampler.join()
        log.close()
    wall = time.monotonic() - started
    out = proc.stdout.read().decode() if proc.stdout else ""
    if status == "done" and proc.returncode != 0:
        status = f"error {proc.returncode}"
    tail = (DATA / "last_stderr.txt").read_text(errors="replace").strip().splitlines()[-3:]
    peaks = {k: round(v / 2**30, 2) for k, v in sampler.peak.items()}
    main_rss = sampler.each.pop(proc.pid, 0)
    peaks["cli_process"] = round(main_rss / 2**30, 2)
    if sampler.each:  # a LocalCluster the CLI started: its worker processes
        peaks["largest_child"] = round(max(sampler.each.values()) / 2**30, 2)
        peaks["children"] = len(sampler.each)
    return {"status": status, "wall_s": round(wall, 1), "peak_rss_gb": peaks,
            "stdout": out[-400:], "stderr_tail": tail}  # fmt: skip


def task_times(client, start: float) -> list[tuple[float, float]]:
    """(start, stop) of every count task computed after `start` (the scheduler's task stream)."""
    times = []
    for record in client.get_task_stream(start=start):
        if "count_part" not in str(record.get("key")):
            continue
        for ss in record.get("startstops", ()):
            if ss.get("action") == "compute":
                times.append((ss["start"], ss["stop"]))
    return times


def machine() -> str:
    import psutil

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{os.cpu_count()} cores ({cpu}), {psutil.virtual_memory().total / 2**30:.0f} GB, "
            f"Python {platform.python_version()}, {platform.system()}")  # fmt: skip


def compare(a: Path, b: Path) -> str:
    import pandas as pd

    left, right = pd.read_csv(a), pd.read_csv(b)
    same = left["events"].equals(right["events"])
    return "identical counts" if same else "COUNTS DIFFER"


def main() -> int:
    global DATA
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1e6,1e7,1e8")
    parser.add_argument("--data", default=str(ROOT / "benchmarks" / "data" / "cluster"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-memory", default="4GB")
    parser.add_argument("--local-timeout", type=float, default=1800)
    parser.add_argument("--local-memory-gb", type=float, default=12)
    parser.add_argument("--dask-timeout", type=float, default=3600)
    parser.add_argument("--skip-local-above", type=float, default=math.inf,
                        help="Sizes above this run only on the dask engine.")  # fmt: skip
    parser.add_argument("--only-generate", action="store_true")
    parser.add_argument("--cli-cluster", action="store_true",
                        help="Also run the plain `--engine dask` command (its own LocalCluster, "
                        "no --scheduler) on each size.")  # fmt: skip
    parser.add_argument("--json", help="Write the results here too.")
    args = parser.parse_args()
    DATA = Path(args.data)
    DATA.mkdir(parents=True, exist_ok=True)
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    national.ensure()
    folders = {}
    for n in sizes:
        print(f"events: {n:,}", flush=True)
        started = time.monotonic()
        folders[n] = generate_events(n, DATA / f"events_{n:.0e}.parquet".replace("+", ""))
        print(f"  ready in {time.monotonic() - started:.0f} s", flush=True)
    if args.only_generate:
        return 0
    subprocess.run([sys.executable, "-m", "compileall", "-q", "layers", "analysis", "core"],
                   cwd=ROOT, check=True)  # fmt: skip
    from distributed import Client, LocalCluster

    results = {"machine": machine(), "date": time.strftime("%Y-%m-%d"), "runs": []}
    base = ["analyze", "count", "--quiet", "--polygons", str(REGIONS)]
    with (
        LocalCluster(
            n_workers=args.workers,
            threads_per_worker=1,
            processes=True,
            memory_limit=args.worker_memory,
            dashboard_address=None,
            silence_logs=40,
        ) as cluster,
        Client(cluster) as client,
    ):
        client.get_task_stream(start=time.time())  # registers the task stream plugin
        pids = client.run(os.getpid)  # each worker process's pid
        workers = {f"worker{i}": pid for i, pid in enumerate(pids.values())}
        for n in sizes:
            folder = folders[n]
            row: dict = {"events": n, "partitions": len(list(folder.glob("part.*.parquet")))}
            local_csv, dask_csv = DATA / f"local_{n}.csv", DATA / f"dask_{n}.csv"
            if n <= args.skip_local_above:
                print(f"{n:,}: local engine", flush=True)
                row["local"] = run_cli(
                    [*base, "--points", str(folder), "--out", str(local_csv)],
                    args.local_timeout,
                    args.local_memory_gb * 2**30,
                )
                print("  ", row["local"]["status"], row["local"]["wall_s"], "s",
                      row["local"]["peak_rss_gb"], flush=True)  # fmt: skip
            print(f"{n:,}: dask engine, {args.workers} workers", flush=True)
            t0 = time.time()
            row["dask"] = run_cli(
                [*base, "--points", str(folder), "--out", str(dask_csv), "--engine", "dask"]
                + ["--scheduler", cluster.scheduler_address],
                args.dask_timeout,
                None,
                workers,
            )
            times = task_times(client, t0)
            if times:
                # The tasks' span here (first start to last stop); the rest is the client's.
                span = max(t[1] for t in times) - min(t[0] for t in times)
                part = float(np.mean([t[1] - t[0] for t in times]))
                row["dask"]["tasks_span_s"] = round(span, 1)
                client_s = max(row["dask"]["wall_s"] - span, 0.0)
                row["dask"]["per_partition_s"] = round(part, 2)
                row["dask"]["client_s"] = round(client_s, 1)
                row["extrapolated_s"] = {
                    str(k): round(client_s + math.ceil(len(times) / k) * part, 1)
                    for k in (1, 2, 4, 8, 16, 32, 64)
                }
            print("  ", row["dask"]["status"], row["dask"]["wall_s"], "s",
                  row["dask"]["peak_rss_gb"], row.get("extrapolated_s"), flush=True)  # fmt: skip
            if args.cli_cluster:
                print(f"{n:,}: dask engine, the CLI's own LocalCluster", flush=True)
                row["dask_cli_cluster"] = run_cli(
                    [*base, "--points", str(folder), "--out", str(DATA / f"cli_{n}.csv")]
                    + ["--engine", "dask"],
                    args.dask_timeout,
                )
                print("  ", row["dask_cli_cluster"]["status"], row["dask_cli_cluster"]["wall_s"],
                      "s", row["dask_cli_cluster"]["peak_rss_gb"], flush=True)  # fmt: skip
            if row.get("local", {}).get("status") == "done" and row["dask"]["status"] == "done":
                row["check"] = compare(local_csv, dask_csv)
                print("  ", row["check"], flush=True)
            results["runs"].append(row)
            if args.json:
                Path(args.json).write_text(json.dumps(results, indent=1))
    print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
