"""Generate the synthetic sample project: a fictional Andean-Amazon foothills region.

Every layer is synthetic demonstration data (labelled so in each file) in the formats
analysts really receive: HDX boundaries (GeoJSON), an ACLED export (CSV), a healthsites.io
export (CSV with X/Y), WDPA protected areas (Shapefile, legacy fields), OSM-like rivers,
settlements and border (GeoJSON), a SIMCI-style 1 km coca grid in UTM 18N with inconsistent
year columns (GeoPackage) and eradication records (GeoPackage, manual points + aerial
spraying footprints), and rasters (sample_maps/rasters.py): a Hansen-style forest loss-year
GeoTIFF, a WorldPop-style population GeoTIFF and a relief basemap (MBTiles) from a DEM, and
police arrest/seizure records (CSV) with a municipal statistics workbook (XLSX) keyed by
DIVIPOLA-style codes (sample_maps/enforcement.py).

Effects are planted on purpose (eradication displacing cultivation, a crackdown displacing
violence, a harm-reduction programme diffusing benefits, spraying-rule violations, a health
access gap, two contrasting departments). After writing, the files are read back and the
realised figures are measured (`measure`) into ground_truth.json, so the analyses' tests
check themselves against what the files really hold.

The parts: the place (sample_maps/world.py), what happens in it with the planted effects
(effects.py), the vendor files (formats.py) and the project file (project.py), and what the
written files hold (measurement.py). This module runs them in order and is the command line.

Deterministic: a fixed seed, fixed GDAL timestamps and patched DBF header dates give the
same bytes on every run.  Run: `python -m sample_maps.generate [--out DIR]`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np
import pyogrio

from sample_maps import SAMPLE_DIR
from sample_maps.effects import build_cultivation, build_manual, build_spray, build_violence
from sample_maps.enforcement import ENFORCEMENT_FILES, write_enforcement
from sample_maps.enforcement_truth import (
    check_enforcement,
    enforcement_truth,
    measure_enforcement,
    measure_statistics,
)
from sample_maps.formats import FILES, acled_table, clear_of_edges, health_table, write_world
from sample_maps.measurement import (
    check_planted,
    generated_with,
    ground_truth,
    load_outputs,
    measure,
    readmes,
    update_readme,
)
from sample_maps.project import enforcement_layers, project_dict, raster_layers
from sample_maps.raster_truth import check_rasters, measure_rasters
from sample_maps.rasters import write_rasters
from sample_maps.world import (
    METRIC_EPSG,
    PNN_ID,
    SEED,
    World,
    build_geography,
    build_health,
    build_protected,
    build_rivers,
    build_settlements,
)

# What callers reach through this module (the sample's tests among them).
__all__ = [
    "FILES",
    "METRIC_EPSG",
    "PNN_ID",
    "SEED",
    "build_world",
    "file_hashes",
    "generate",
    "generated_with",
    "load_outputs",
    "main",
    "measure",
]


def build_world(seed: int = SEED) -> World:
    """Every layer in UTM 18N; one generator, drawn in this order (the order is the sample)."""
    rng = np.random.default_rng(seed)
    region, border, munis = build_geography(rng)
    settlements = build_settlements(rng, munis)
    rivers = build_rivers(rng)
    protected = build_protected(rng, region)
    health = build_health(rng, munis, settlements)
    grid, campaign = build_cultivation(rng, region, protected, munis)
    manual = build_manual(rng, grid, campaign, munis)
    spray, spray_groups = build_spray(rng, grid, munis, rivers, protected, border)
    events, edges = build_violence(rng, region, munis, settlements, grid, health)
    violence = clear_of_edges(rng, acled_table(rng, events, settlements), edges)
    return World(
        region=region,
        border=border,
        munis=munis,
        settlements=settlements,
        rivers=rivers,
        protected=protected,
        health=health_table(health, munis, rng),
        grid=grid,
        manual=manual,
        spray=spray,
        violence=violence,
        planted={"spray_groups": {k: sorted(v) for k, v in spray_groups.items()}},
    )


def _dump(obj) -> str:
    return json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def generate(root: Path = SAMPLE_DIR, seed: int = SEED) -> dict:
    """Write data/, sample.hatlas.json and ground_truth.json under root; return the truth."""
    root = Path(root)
    world = build_world(seed)
    try:
        write_world(world, root)
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})
    write_rasters(world, root, seed)
    write_enforcement(world, root, seed)
    minx, miny, maxx, maxy = world.region.bounds
    extent = (minx - 4000, miny - 6000, maxx + 4000, maxy + 4000)
    project = project_dict(extent, raster_layers() + enforcement_layers())
    (root / "sample.hatlas.json").write_text(_dump(project), encoding="utf-8")
    truth = ground_truth(measure(root))
    truth["rasters"] = measure_rasters(root)
    truth["files"].update(ENFORCEMENT_FILES)
    effects = truth["effects"]
    effects["enforcement_focus"] = enforcement_truth(measure_enforcement(root))
    effects["municipal_statistics"] = measure_statistics(root)
    enforcement_problems = check_enforcement(
        effects["enforcement_focus"], effects["municipal_statistics"]
    )
    truth["planted_ok"] = not (
        check_planted(truth, world.planted) + check_rasters(truth["rasters"]) + enforcement_problems
    )
    (root / "ground_truth.json").write_text(_dump(truth), encoding="utf-8")
    for name, figures in readmes().items():  # README.md, README.es.md
        if (root / name).exists():
            update_readme(root / name, truth, figures)
    problems = check_planted(truth, world.planted) + check_rasters(truth["rasters"])
    problems += enforcement_problems
    if problems:
        raise RuntimeError("Planted effects missing: " + "; ".join(problems))
    return truth


def file_hashes(root: Path) -> dict[str, str]:
    """sha256 of every generated file under root (for the determinism check)."""
    root = Path(root)
    paths = sorted((root / "data").rglob("*")) + [
        root / "sample.hatlas.json",
        root / "ground_truth.json",
    ]
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in paths
        if p.is_file()
    }


def summary(truth: dict) -> str:
    e = truth["effects"]
    cd = e["cultivation_displacement"]["realised"]["wdq"]
    cn = e["violence_crackdown"]["realised"]["neighbour"]
    cr = e["violence_crackdown"]["realised"]["ring"]
    hr = e["violence_diffusion"]["realised"]
    sp = e["spraying_violations"]["realised"]
    hg = e["health_gap"]
    c = truth["cultivation"]
    lines = [
        f"violence events: {truth['violence_total']}  per year: {truth['violence_per_year']}",
        f"coca ha per year: {c['total_ha']}",
        f"cells {c['cells']}, top-3 municipalities {c['top3_municipalities_2023']} hold "
        f"{c['top3_share_2023']:.0%}, persistent {c['persistent_share_2023']:.0%}, "
        f"in protected areas {c['protected_share_2023']:.0%}",
    ]
    for label, f in (
        ("cultivation displacement", cd),
        ("crackdown (neighbour)", cn),
        ("crackdown (10 km ring)", cr),
        ("harm-reduction diffusion", hr),
    ):
        lines.append(
            f"{label}: R {f['Rb']}->{f['Ra']}  D {f['Db']}->{f['Da']}  C {f['Cb']}->{f['Ca']}  "
            f"success {f['success']}  buffer {f['buffer_measure']}  WDQ {f['wdq']}  TNE {f['tne']}"
        )
    lines.append(
        f"national park ha: {e['cultivation_displacement']['realised']['national_park_ha']}"
    )
    lines.append(
        f"spraying: near river {sp['near_river_ids']}, in protected {sp['in_protected_ids']}, "
        f"near border {sp['near_border_ids']}, compliant {sp['compliant']}/{sp['footprints']}"
    )
    lines.append(
        f"health gap {hg['name']}: {hg['share_beyond_15km']:.0%} of people beyond 15 km, "
        f"{hg['facilities_in_municipality']} facilities, {hg['events_per_100k_2019_2023']} "
        f"events/100k/yr (rank {hg['rank_by_event_rate']})"
    )
    loss = truth["rasters"]["forest_loss"]["areas"]
    lines.append(
        "forest loss ha 2016-17 -> 2019-20: park "
        f"{loss['national_park']['before_ha']}->{loss['national_park']['after_ha']}, "
        f"2-5 km ring {loss['ring_1']['before_ha']}->{loss['ring_1']['after_ha']}"
    )
    for code, d in e["department_contrast"]["realised"].items():
        lines.append(
            f"{code} {d['name']}: manual {d['manual_eradication_ha']} ha, aerial "
            f"{d['aerial_spraying_ha']} ha, events {d['events_2014_2016_mean']}->"
            f"{d['events_2021_2023_mean']}/yr, beyond 15 km {d['population_share_beyond_15km']:.0%}, "
            f"harm reduction {d['harm_reduction_services']}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sample_maps.generate",
        description="Write the synthetic sample project (data/, sample.hatlas.json, "
        "ground_truth.json) and print the realised planted effects.",
    )
    parser.add_argument("--out", type=Path, default=SAMPLE_DIR, help="folder to write into")
    parser.add_argument("--seed", type=int, default=SEED, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        truth = generate(args.out, args.seed)
    except RuntimeError as exc:
        print(f"error: {exc}. The files were written but do not hold the planted effects; "
              "restore the seed or the effect parameters.", file=sys.stderr)  # fmt: skip
        return 1
    print(summary(truth))
    print(f"written to {args.out} in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
