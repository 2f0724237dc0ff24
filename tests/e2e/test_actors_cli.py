"""`main.py analyze actors` as an analyst types it: on the sample project and on a plain ACLED
CSV with a boundaries file (no project), JSON, the shared writer's files, and bad input."""

from __future__ import annotations

import csv
import json
import subprocess

import pandas as pd
import pytest
from main_cli import run_main, summary_of, words

from sample_maps import SAMPLE_PROJECT

needs_sample = pytest.mark.skipif(not SAMPLE_PROJECT.exists(), reason="sample not generated")
ACLED = SAMPLE_PROJECT.parent / "data" / "acled_xaa_2014-2023_synthetic.csv"
ADM1 = SAMPLE_PROJECT.parent / "data" / "xa_admbnda_adm1_synthetic.geojson"


def cli(line: str, **values) -> subprocess.CompletedProcess:
    return run_main("analyze", "actors", *words(line, **values), "--quiet")


@needs_sample
def test_actors_json_on_the_sample_project(tmp_path) -> None:
    out = tmp_path / "actors.csv"
    done = cli("--project {p} --years 2016-2020 --json --out {o}", p=SAMPLE_PROJECT, o=out)
    summary = summary_of(done)
    assert summary["period"] == "2016–2020"
    assert {"regions", "groups", "notes"} <= set(summary)
    regions = summary["regions"]
    assert len(regions) == 16 and {"code", "name", "groups", "most_harmful"} <= set(regions[0])
    group = regions[0]["groups"][0]
    for key in ("actor", "actor_type", "rank", "events", "fatalities", "civilian_share",
                "harm_score", "trend_per_year", "examples"):  # fmt: skip
        assert key in group
    for example in group["examples"]:
        assert "2016-01-01" <= example["date"] <= "2020-12-31"
    # The groups' events add up to the regions' events (actor1 counted once per event).
    assert sum(g["events"] for r in regions for g in r["groups"]) == sum(
        r["events"] for r in regions
    )
    # The table written by the shared writer: one row per region and group.
    with out.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == sum(len(r["groups"]) for r in regions)
    assert {"code", "name", "rank", "actor", "harm_score", "examples"} <= set(rows[0])


@needs_sample
def test_actors_on_files_without_a_project(tmp_path) -> None:
    """A plain ACLED CSV and an HDX boundaries file, no project: the same figures as pandas
    gives per actor from the CSV (political violence, whole period)."""
    done = cli("--events {e} --regions-layer {r} --json", e=ACLED, r=ADM1)
    summary = summary_of(done)
    raw = pd.read_csv(ACLED, keep_default_na=False, na_values=[""])
    violent = raw[raw["event_type"].isin(
        ["Battles", "Explosions/Remote violence", "Violence against civilians"]
    )]  # fmt: skip
    expected = violent.groupby("actor1")["fatalities"].sum().to_dict()
    assert {g["actor"]: g["fatalities"] for g in summary["groups"]} == expected
    assert summary["period"] is None


@needs_sample
def test_actors_gpkg_holds_the_layers_and_the_table(tmp_path) -> None:
    out = tmp_path / "actors.gpkg"
    done = cli("--project {p} --regions-layer 'Departamentos (ADM1)' --out {o}",
               p=SAMPLE_PROJECT, o=out)  # fmt: skip
    assert done.returncode == 0, done.stderr
    import pyogrio

    names = {name for name, _ in pyogrio.list_layers(out)}
    assert {"regions", "activity_areas", "table"} <= names


@needs_sample
def test_actors_bad_input_exits_2_with_one_line(tmp_path) -> None:
    done = cli("--project {p} --years 2030-2031", p=SAMPLE_PROJECT)
    assert done.returncode == 2
    assert "2030" in done.stderr and "2014-01-01" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    done = cli("--project {p} --top 0", p=SAMPLE_PROJECT)
    assert done.returncode == 2 and "--top" in done.stderr
    done = cli("--events {e}", e=ACLED)
    assert done.returncode == 2 and "--regions-layer" in done.stderr
    json_out = tmp_path / "s.json"
    done = cli("--project {p} --out {o}", p=SAMPLE_PROJECT, o=json_out)
    assert done.returncode == 0, done.stderr
    assert json.loads(json_out.read_text(encoding="utf-8"))["groups"]
