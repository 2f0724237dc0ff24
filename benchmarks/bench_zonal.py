"""Zonal statistics of a 10,000 x 10,000 loss-year raster over 1,100 municipalities, whole
processes: Harm Atlas (`analyze zonal`, both rules) against QGIS 3.22 on the same files.

    .venv/bin/python -m benchmarks.bench_zonal [--runs 3] [--mosaic]

Data (benchmarks/data/zonal/, made on first use, seeded):
- `lossyear_10k.tif`: uint8, 30 m, UTM 18N, deflate, 512-pixel tiles; Hansen semantics
  (0 = no loss, 1..23 = loss in 2001..2023) in patches, ~10 % of pixels lost.
- `municipios.gpkg`: the national benchmark's 1,100 municipalities (benchmarks/data/national,
  `python -m benchmarks.national --out benchmarks/data/national`), reprojected to UTM 18N and
  shrunk about their centre (x 0.24) to fit the raster's 300 km: the same 383k vertices.

Pairs, each run in turn (A B A B ...), medians reported with CPU (user + system) and the
process's own peak RSS (wait4):
- sum, mean, count: `analyze zonal --rule centre` / `--rule coverage` vs `native:zonalstatisticsfb`
- per-value pixel counts: `analyze zonal --stats classes` (both rules) vs `native:zonalhistogram`
The centre rule is checked against QGIS zone by zone (count, sum and every class's pixels
equal; means to 1e-12). `--mosaic` also runs both rules once over a 40,000 x 40,000 VRT (the
tile placed 16 times) under the unshrunk municipalities, for the peak memory.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data" / "zonal"
NATIONAL = ROOT / "benchmarks" / "data" / "national" / "data" / "ps_admbnda_adm2_synthetic.geojson"
QGIS = "/usr/bin/qgis_process.bin"
SIZE, PIXEL = 10_000, 30.0
ORIGIN = (500_000.0, 100_000.0)  # lower-left corner of the raster, UTM 18N


def make_data(folder: Path = DATA) -> tuple[Path, Path]:
    """The raster and the zones, written once (seeded: same bytes every time)."""
    import geopandas as gpd
    import rasterio
    import shapely
    from affine import Affine
    from rasterio.windows import Window
    from scipy.ndimage import zoom

    folder.mkdir(parents=True, exist_ok=True)
    raster, zones = folder / "lossyear_10k.tif", folder / "municipios.gpkg"
    if not zones.exists():
        if not NATIONAL.exists():
            sys.exit("Run `python -m benchmarks.national --out benchmarks/data/national` first.")
        regions = gpd.read_file(NATIONAL).to_crs(32618)
        x0, y0, x1, y1 = regions.total_bounds
        scale = SIZE * PIXEL * 0.98 / max(x1 - x0, y1 - y0)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        mx, my = ORIGIN[0] + SIZE * PIXEL / 2, ORIGIN[1] + SIZE * PIXEL / 2

        def shrink(xy: np.ndarray) -> np.ndarray:
            return np.column_stack([(xy[:, 0] - cx) * scale + mx, (xy[:, 1] - cy) * scale + my])

        regions.geometry = shapely.transform(regions.geometry.values, shrink)
        regions.to_file(zones, driver="GPKG", engine="pyogrio")
    if not raster.exists():
        rng = np.random.default_rng(15)
        profile = {
            "driver": "GTiff", "width": SIZE, "height": SIZE, "count": 1, "dtype": "uint8",
            "crs": "EPSG:32618", "compress": "deflate", "tiled": True, "blockxsize": 512,
            "blockysize": 512,
            "transform": Affine(PIXEL, 0, ORIGIN[0], 0, -PIXEL, ORIGIN[1] + SIZE * PIXEL),
        }  # fmt: skip
        # Smooth fields at 1/20 of the resolution: loss comes in patches, years in waves.
        patches, years = rng.random((2, SIZE // 20 + 2, SIZE // 20 + 2))
        tmp = raster.with_suffix(".tmp.tif")
        with rasterio.open(tmp, "w", **profile) as dst:
            for row in range(0, SIZE, 1000):
                f = zoom(patches[row // 20 : row // 20 + 52], 20, order=1)[:1000, :SIZE]
                y = zoom(years[row // 20 : row // 20 + 52], 20, order=1)[:1000, :SIZE]
                lost = f + 0.35 * rng.random((1000, SIZE)) > 0.95
                code = np.clip(y * 23 + rng.integers(-2, 3, (1000, SIZE)), 1, 23)
                strip = np.where(lost, code, 0).astype(np.uint8)
                dst.write(strip, 1, window=Window(0, row, SIZE, 1000))
        os.replace(tmp, raster)
    return raster, zones


def make_mosaic(raster: Path, folder: Path = DATA) -> tuple[Path, Path]:
    """A 40,000 x 40,000 VRT (the tile 4 x 4 times) and the unshrunk municipalities on it."""
    import geopandas as gpd

    vrt, zones = folder / "lossyear_40k.vrt", folder / "municipios_national.gpkg"
    n = 4
    width = SIZE * n
    top = 1_300_000.0
    sources = []
    for i in range(n):
        for j in range(n):
            sources.append(
                f'<SimpleSource><SourceFilename relativeToVRT="1">{raster.name}'
                "</SourceFilename><SourceBand>1</SourceBand>"
                f'<SrcRect xOff="0" yOff="0" xSize="{SIZE}" ySize="{SIZE}"/>'
                f'<DstRect xOff="{j * SIZE}" yOff="{i * SIZE}" xSize="{SIZE}" ySize="{SIZE}"/>'
                "</SimpleSource>"
            )
    vrt.write_text(
        f'<VRTDataset rasterXSize="{width}" rasterYSize="{width}">'
        "<SRS>EPSG:32618</SRS>"
        f"<GeoTransform>200000.0, {PIXEL}, 0.0, {top}, 0.0, -{PIXEL}</GeoTransform>"
        '<VRTRasterBand dataType="Byte" band="1">' + "".join(sources) + "</VRTRasterBand>"
        "</VRTDataset>\n"
    )
    if not zones.exists():
        gpd.read_file(NATIONAL).to_crs(32618).to_file(zones, driver="GPKG", engine="pyogrio")
    return vrt, zones


def run(cmd: list[str], env: dict | None = None) -> dict:
    """One whole process: wall and CPU seconds, its own peak RSS (GB), exit code."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak_gb": usage.ru_maxrss / 1024**2,
        "rc": proc.returncode,
        "err": err.decode(errors="replace")[-600:],
    }


def ours(raster: Path, zones: Path, stats: str, rule: str, out: Path) -> list[str]:
    return [
        sys.executable, "main.py", "analyze", "zonal", "--raster", str(raster), "--zones",
        str(zones), "--stats", stats, "--rule", rule, "--out", str(out), "--quiet",
    ]  # fmt: skip


def qgis(alg: str, raster: Path, zones: Path, out: Path) -> list[str]:
    if alg == "native:zonalstatisticsfb":
        args = [f"INPUT={zones}", f"INPUT_RASTER={raster}", "RASTER_BAND=1",
                "COLUMN_PREFIX=_", "STATISTICS=0,1,2", f"OUTPUT={out}"]  # fmt: skip
    else:
        args = [f"INPUT_VECTOR={zones}", f"INPUT_RASTER={raster}", "RASTER_BAND=1",
                "COLUMN_PREFIX=HISTO_", f"OUTPUT={out}"]  # fmt: skip
    return [QGIS, "run", alg, "--", *args]


def median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def check_centre(ours_stats: Path, ours_classes: Path, q_stats: Path, q_hist: Path) -> str:
    """Zone by zone: Harm Atlas's centre rule against QGIS's outputs."""
    import geopandas as gpd

    a, b = gpd.read_file(ours_stats), gpd.read_file(q_stats)
    differ = int(
        ((a["count"] != b["_count"]) | (a["sum"] != b["_sum"])).sum()
        + (~np.isclose(a["mean"], b["_mean"], rtol=1e-12, atol=0, equal_nan=True)).sum()
    )
    c, h = gpd.read_file(ours_classes), gpd.read_file(q_hist)
    values = sorted(int(col[6:]) for col in h.columns if col.startswith("HISTO_") and
                    col[6:].isdigit())  # fmt: skip
    class_differ = 0
    pairs = [(f"class_{v}_px", f"HISTO_{v}") for v in values] + [("nodata_px", "HISTO_NODATA")]
    for mine, theirs in pairs:
        if theirs in h or mine in c:
            ours_px = c[mine] if mine in c else 0
            theirs_px = h[theirs] if theirs in h else 0
            class_differ += int((np.asarray(ours_px) != np.asarray(theirs_px)).sum())
    return (
        f"centre rule vs QGIS, {len(a)} zones: {differ} differ in count/sum/mean; "
        f"{class_differ} zone x value cells differ in {len(values)} classes"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each command (median)")
    parser.add_argument("--mosaic", action="store_true", help="also the 40,000^2 mosaic")
    parser.add_argument("--make-data", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make_data:
        make_data()
        return 0
    # In a child process: a child's peak RSS (wait4) starts from its parent's at the fork,
    # so this process stays small.
    subprocess.run([sys.executable, "-m", "benchmarks.bench_zonal", "--make-data"], cwd=ROOT,
                   check=True)  # fmt: skip
    raster, zones = DATA / "lossyear_10k.tif", DATA / "municipios.gpkg"
    out = DATA / "out"
    out.mkdir(exist_ok=True)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    # Each set of statistics under both pixel rules, then the QGIS tool that computes the same.
    commands: dict[str, tuple[list[str], dict | None]] = {}
    for stats, stem, algorithm, theirs in (
        ("sum,mean,count", "stats", "native:zonalstatisticsfb", "qgis_stats"),
        ("classes", "classes", "native:zonalhistogram", "qgis_hist"),
    ):
        for rule in ("centre", "coverage"):
            mine = out / f"{rule}_{stem}.gpkg"
            commands[f"{rule} {stats}"] = (ours(raster, zones, stats, rule, mine), None)
        tool = algorithm.removeprefix("native:")
        commands[f"QGIS {tool}"] = (qgis(algorithm, raster, zones, out / f"{theirs}.gpkg"), env)
    if not Path(QGIS).exists():
        commands = {k: v for k, v in commands.items() if not k.startswith("QGIS")}
    runs: dict[str, list[dict]] = {k: [] for k in commands}
    for _ in range(args.runs):
        for key, (cmd, cmd_env) in commands.items():
            for arg in cmd:  # QGIS will not write over an output: remove this command's
                if arg.startswith("OUTPUT="):
                    Path(arg[7:]).unlink(missing_ok=True)
            result = run(cmd, cmd_env)
            if result["rc"] != 0:
                print(f"{key} failed ({result['rc']}): {result['err']}")
                return 1
            runs[key].append(result)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores, {args.runs} runs")
    print(
        f"{'command (whole process)':<28} {'wall s':>7} {'cpu s':>7} {'peak GB':>8} {'vs QGIS':>8}"
    )
    for key, rs in runs.items():
        base = "QGIS zonalhistogram" if "classes" in key else "QGIS zonalstatisticsfb"
        ratio = ""
        if base in runs and not key.startswith("QGIS"):
            ratio = f"{median(runs[base], 'wall') / median(rs, 'wall'):.1f}x"
        print(
            f"{key:<28} {median(rs, 'wall'):7.2f} {median(rs, 'cpu'):7.2f} "
            f"{max(r['peak_gb'] for r in rs):8.2f} {ratio:>8}"
        )
    if args.mosaic:
        vrt, national = DATA / "lossyear_40k.vrt", DATA / "municipios_national.gpkg"
        subprocess.run(
            [
                sys.executable,
                "-c",
                "from benchmarks.bench_zonal import *; make_mosaic(DATA / 'lossyear_10k.tif')",
            ],
            cwd=ROOT,
            check=True,
        )
        for rule in ("centre", "coverage"):
            r = run(
                ours(vrt, national, "sum,mean,count,classes", rule, out / f"mosaic_{rule}.gpkg")
            )
            state = "ok" if r["rc"] == 0 else f"failed: {r['err']}"
            print(
                f"40,000 x 40,000 mosaic, {rule}, all stats: {r['wall']:.1f} s wall, "
                f"{r['cpu']:.1f} s CPU, peak {r['peak_gb']:.2f} GB ({state})"
            )
    # Last: reading the outputs grows this process (and a later child's peak with it).
    if "QGIS zonalhistogram" in runs:
        print(check_centre(out / "centre_stats.gpkg", out / "centre_classes.gpkg",
                           out / "qgis_stats.gpkg", out / "qgis_hist.gpkg"))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
