"""The sample's municipal statistics (DIVIPOLA-style codes, two deliberately unmatched) join
to its municipalities exactly as sample_maps/ground_truth.json says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from layers.readers import read_layers
from layers.region_join import join_region_table
from layers.region_table import read_region_table

ROOT = Path(__file__).resolve().parents[2]
TRUTH = json.loads((ROOT / "sample_maps" / "ground_truth.json").read_text(encoding="utf-8"))


def test_sample_statistics_join_as_planted() -> None:
    truth = next(
        v["municipal_statistics"]
        for v in TRUTH.values()
        if isinstance(v, dict) and "municipal_statistics" in v
    )
    table = read_region_table(ROOT / "sample_maps" / truth["file"])
    assert table.sheet == truth["sheet"] and len(table.frame) == truth["rows"]
    regions = read_layers(ROOT / "sample_maps" / "data" / "xa_admbnda_adm2_synthetic.geojson")[0]
    result = join_region_table(table, regions)
    report = result.report
    assert report.table_code_column == truth["code_column"]
    assert report.region_code_column == "ADM2_PCODE"
    assert report.matched["count"] == truth["matched_regions"]
    unmatched = report.unmatched_table["examples"]
    assert sorted(e["code"] for e in unmatched) == sorted(truth["unmatched_codes"])
    assert {e["reason"] for e in unmatched} == {"not_present"}
    assert report.unmatched_regions["count"] == 0
    assert report.repaired["leading_zeros"] == 0  # the codes are text: nothing to repair
    assert report.layout == "wide"
    ipm = dict(zip(result.data["ADM2_PCODE"], result.data["ipm_2018"], strict=True))
    assert ipm == pytest.approx(truth["ipm_2018"])
