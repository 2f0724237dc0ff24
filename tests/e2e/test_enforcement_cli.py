"""`main.py analyze enforcement` as an analyst types it: JSON keys on the sample, the period
and distance flags, the table written by the shared writer, and bad input."""

from __future__ import annotations

import csv

import pytest
from main_cli import run_main, summary_of, words

from sample_maps import SAMPLE_PROJECT

needs_sample = pytest.mark.skipif(not SAMPLE_PROJECT.exists(), reason="sample not generated")

FIGURES = ("code", "name", "population", "arrests", "low_level_share", "high_level_share",
           "unclassified_share", "low_level_share_trend", "arrests_by_level",
           "unclassified_values", "operations", "seizures", "seized_kg", "seizures_by_band",
           "seizures_by_drug_band", "seized_kg_by_drug", "arrests_per_100k",
           "operations_per_100k", "eradicated_ha_per_100k", "enforcement_intensity",
           "harm_index", "harm_parts", "quadrant", "groups")  # fmt: skip


def cli(line: str, **values):
    return run_main("analyze", "enforcement", *words(line, **values), "--quiet")


@needs_sample
def test_enforcement_json_on_the_sample(tmp_path) -> None:
    out = tmp_path / "enforcement.csv"
    done = cli("--project {p} --years 2016-2023 --distance-km 3 --json --out {o}",
               p=SAMPLE_PROJECT, o=out)  # fmt: skip
    summary = summary_of(done)
    assert summary["period"] == "2016–2023" and summary["distance_km"] == 3.0
    assert {"regions", "spearman", "quadrants", "thresholds", "groups", "notes"} <= set(summary)
    regions = summary["regions"]
    assert len(regions) == 16
    for region in regions:
        assert set(FIGURES) <= set(region), set(FIGURES) - set(region)
    assert {"rho", "p_value", "n"} <= set(summary["spearman"])
    assert sum(len(v) for v in summary["quadrants"].values()) == 16
    group = next(g for r in regions for g in r["groups"])
    assert {"actor", "harm_score", "operations_within_share", "events_within_share",
            "examples"} <= set(group)  # fmt: skip
    with out.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 16 and {"code", "quadrant", "low_level_share"} <= set(rows[0])


@needs_sample
def test_enforcement_bad_input() -> None:
    done = cli("--project {p} --distance-km 0", p=SAMPLE_PROJECT)
    assert done.returncode == 2 and "--distance-km" in done.stderr
    done = run_main("analyze", "enforcement", "--quiet")
    assert done.returncode == 2 and "--project" in done.stderr
