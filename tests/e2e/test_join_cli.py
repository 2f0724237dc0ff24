"""`python main.py join`: a table joined to boundaries by code from the command line; the JSON
report's keys, the written layer, and the refusals (no match, writing over an input)."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import openpyxl
import pytest
from main_cli import ROOT, run_main, words

pytestmark = pytest.mark.e2e
ADM2 = ROOT / "sample_maps" / "data" / "xa_admbnda_adm2_synthetic.geojson"
JOIN = "join --table {table} --regions {regions} --out {out}"


def _table(tmp_path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["codigo", "pobreza_2019", "pobreza_2020"])
    sheet.append([1001, 0.4, 0.5])  # stored as a number: 01001
    sheet.append(["01002", 0.2, 0.3])
    sheet.append(["77001", 0.1, 0.1])  # no such municipality
    path = tmp_path / "estadisticas.xlsx"
    book.save(path)
    return path


def test_join_json_report_and_written_layer(tmp_path: Path) -> None:
    out = tmp_path / "joined.gpkg"
    done = run_main(*words(JOIN + " --json", table=_table(tmp_path), regions=ADM2, out=out))
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    for key in ("matched", "unmatched_table", "unmatched_regions"):
        assert {"count", "examples"} <= set(report[key])
    assert report["matched"]["count"] == 2
    assert report["unmatched_table"]["examples"][0]["code"] == "77001"
    assert report["unmatched_table"]["examples"][0]["reason"] == "not_present"
    assert report["unmatched_regions"]["count"] == 14
    assert report["repaired"]["examples"] == ["1001 → XA01001"]
    assert report["layout"] == "wide"
    joined = gpd.read_file(out)
    assert len(joined) == 16
    row = joined.set_index("ADM2_PCODE").loc["XA01001"]
    assert row["pobreza_2019"] == pytest.approx(0.4) and row["table_code"] == "1001"


def test_join_text_output_and_spanish(tmp_path: Path) -> None:
    out = tmp_path / "j.geojson"
    done = run_main(*words("--lang es " + JOIN, table=_table(tmp_path), regions=ADM2, out=out))
    assert done.returncode == 0, done.stderr
    assert "77001" in done.stdout and out.exists()


def test_join_refuses_no_match_and_writing_over_an_input(tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    table.write_text("code,v\n99001,1\n", encoding="utf-8")
    done = run_main(*words(JOIN, table=table, regions=ADM2, out=tmp_path / "o.gpkg"))
    assert done.returncode == 2 and "99001" in done.stderr and "XA01001" in done.stderr
    assert not (tmp_path / "o.gpkg").exists()
    good = _table(tmp_path)
    done = run_main(*words(JOIN, table=good, regions=ADM2, out=ADM2))
    assert done.returncode == 2 and "Will not write over" in done.stderr


def test_join_the_sample_statistics_to_a_project_layer(tmp_path: Path) -> None:
    out = tmp_path / "municipios_estadisticas.gpkg"
    done = run_main(
        "join",
        "--table",
        str(ROOT / "sample_maps" / "data" / "estadisticas_municipales_xaa_synthetic.xlsx"),
        "--project",
        str(ROOT / "sample_maps" / "sample.hatlas.json"),
        "--regions",
        "Municipios (ADM2)",
        "--out",
        str(out),
        "--json",
    )
    report = json.loads(done.stdout) if done.returncode == 0 else done.stderr
    assert done.returncode == 0, report
    assert report["matched"]["count"] == 16 and report["unmatched_regions"]["count"] == 0
    assert {e["code"] for e in report["unmatched_table"]["examples"]} == {"01009", "02099"}
    assert len(gpd.read_file(out)) == 16
