"""National scale (issue 13): every analysis, the exports and the briefing pack on a whole
synthetic country (benchmarks/national.py), each as a whole CLI process, with its wall time,
CPU time and peak memory, beside the target it must meet.

    python -m benchmarks.bench_national [--only indicators,environment] [--out DIR]

The data is generated on first use (about 30 s) into benchmarks/data/national/.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from benchmarks import national

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Step:
    key: str
    what: str
    args: list[str]
    seconds: float | None = None  # target wall time
    gigabytes: float | None = None  # target peak memory


def steps(project: Path, out: Path) -> list[Step]:
    data = project.parent / "data"
    erad = data / national.FILES["eradication"].split("/", 1)[1]
    p = ["--project", str(project)]
    departments = ",".join(f"PS{k:02d}" for k in range(1, national.SIZES["departments"] + 1))
    return [
        Step("inspect", "inspect the ACLED CSV (150k rows)",
             ["inspect", str(data / national.FILES["violence"].split("/", 1)[1])]),
        Step("count", "analyze count: 150k events in 1,100 municipalities",
             ["analyze", "count", *p, "--points", "Eventos de violencia (ACLED)",
              "--polygons", "Municipios (ADM2)", "--out", str(out / "count.gpkg")]),
        Step("access", "analyze access: 12k settlements x 6k services (2SFCA)",
             ["analyze", "access", *p, "--demand", "Centros poblados",
              "--supply", "Servicios de salud", "--method", "2sfca",
              "--out", str(out / "access.gpkg")]),
        Step("cultivation", "analyze cultivation: 120k cells x 10 years",
             ["analyze", "cultivation", *p, "--grid", "Cultivos de coca 1 km (SIMCI)",
              "--regions", "Municipios (ADM2)", "--out", str(out / "cultivation.gpkg")]),
        Step("indicators", "analyze indicators --project: 1,100 municipalities",
             ["analyze", "indicators", *p, "--out", str(out / "indicators.gpkg")], 60, 3),
        Step("enforcement", "analyze enforcement --project: 100k police records, 1,100 municipalities",
             ["analyze", "enforcement", *p, "--out", str(out / "enforcement.gpkg")], 60, 3),
        Step("environment", "analyze environment: 80k footprints, 2k rivers, 300 PAs",
             ["analyze", "environment", *p,
              "--footprints", f"{erad}::huellas_todos_registros",
              "--protected", "Áreas protegidas (WDPA)", "--water", "Ríos",
              "--settlements", "Centros poblados", "--border", "Frontera internacional",
              "--cultivation", "Cultivos de coca 1 km (SIMCI)", "--date-field", "fecha",
              "--out", str(out / "environment.gpkg")], 60),
        Step("displacement", "analyze displacement --per-field: 151 operations",
             ["analyze", "displacement", *p, "--events", "Eventos de violencia (ACLED)",
              "--targets", "Erradicación manual", "--per-field", "campana",
              "--date-field", "fecha", "--target-radius-m", "250", "--buffer-m", "2000",
              "--out", str(out / "operations.csv")], 120),
        Step("gi_star", "analyze hotspots gi_star at 1 km (1.2M cells)",
             ["analyze", "hotspots", *p, "--events", "Eventos de violencia (ACLED)",
              "--method", "gi_star", "--cell-m", "1000", "--out", str(out / "gi.gpkg")], 60, 4),
        Step("emerging", "analyze hotspots emerging at 1 km",
             ["analyze", "hotspots", *p, "--events", "Eventos de violencia (ACLED)",
              "--method", "emerging", "--cell-m", "1000",
              "--out", str(out / "emerging.gpkg")], 120, 4),
        Step("export_pdf", "export: national map, A4 PDF",
             ["export", *p, "--out", str(out / "national.pdf")]),
        Step("export_html", "export: offline HTML web map",
             ["export", *p, "--out", str(out / "national.html")], 60, 1),
        Step("briefing", "briefing with its default regions",
             ["briefing", *p, "--out", str(out / "briefing.pdf")], 120),
        Step("briefing_33", "briefing, 33 departments one page each",
             ["briefing", *p, "--regions", departments, "--out", str(out / "briefing_33.pdf")],
             180),
    ]  # fmt: skip


# A fresh wrapper per step, so RUSAGE_CHILDREN's peak is that step's own.
_MEASURE = (
    "import resource, subprocess, sys, time, json\n"
    "t = time.perf_counter()\n"
    "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
    "wall = time.perf_counter() - t\n"
    "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(json.dumps({'rc': rc.returncode, 'wall': wall, 'cpu': u.ru_utime + u.ru_stime,"
    " 'peak_gb': u.ru_maxrss / 1024**2, 'err': rc.stderr.decode(errors='replace')[-400:]}))\n"
)


def measure(step: Step) -> dict:
    cmd = [sys.executable, "-c", _MEASURE, sys.executable, "main.py", *step.args]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def verdict(step: Step, r: dict) -> str:
    if r["rc"] != 0:
        return "FAILED"
    misses = []
    if step.seconds is not None and r["wall"] > step.seconds:
        misses.append(f"> {step.seconds} s")
    if step.gigabytes is not None and r["peak_gb"] > step.gigabytes:
        misses.append(f"> {step.gigabytes} GB")
    if not misses:
        return "ok" if step.seconds or step.gigabytes else ""
    return "missed " + ", ".join(misses)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="comma-separated step keys")
    parser.add_argument("--out", type=Path, help="where outputs go (default: a temp folder)")
    args = parser.parse_args()
    project = national.ensure()
    out = args.out or Path(tempfile.mkdtemp(prefix="harm-atlas-national-"))
    out.mkdir(parents=True, exist_ok=True)
    chosen = steps(project, out)
    if args.only:
        keys = set(args.only.split(","))
        chosen = [s for s in chosen if s.key in keys]
    print(f"{'step':<58} {'wall s':>7} {'cpu s':>7} {'peak GB':>8}  target")
    failed = False
    for step in chosen:
        r = measure(step)
        target = " ".join(
            t for t in (
                f"<= {step.seconds} s" if step.seconds else "",
                f"<= {step.gigabytes} GB" if step.gigabytes else "",
            ) if t
        )  # fmt: skip
        v = verdict(step, r)
        failed |= v == "FAILED" or v.startswith("missed")
        print(
            f"{step.what:<58} {r['wall']:7.1f} {r['cpu']:7.1f} {r['peak_gb']:8.2f}  "
            f"{target} {v}".rstrip(),
            flush=True,
        )
        if r["rc"] != 0:
            print("   " + r["err"].strip().replace("\n", "\n   "))
    html = out / "national.html"
    if html.exists():
        print(f"HTML export size: {html.stat().st_size / 1e6:.1f} MB (target <= 30 MB)")
    print(f"outputs in {out}; load average {Path('/proc/loadavg').read_text().split()[0]}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
