"""The one period parser (TimeFilter.parse) every entry point uses: CLI, dialogs, state."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from layers.timefilter import PeriodError, TimeFilter

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2019", date(2019, 1, 1), date(2019, 12, 31)),
        ("2016-2020", date(2016, 1, 1), date(2020, 12, 31)),
        ("2016–2020", date(2016, 1, 1), date(2020, 12, 31)),  # en dash, as labels print it
        (" 2016 – 2020 ", date(2016, 1, 1), date(2020, 12, 31)),
        ("2016..2020", date(2016, 1, 1), date(2020, 12, 31)),
        ("2019-03-01..2020-02-29", date(2019, 3, 1), date(2020, 2, 29)),
        ("2019-03-01..", date(2019, 3, 1), None),
        ("..2020-02-29", None, date(2020, 2, 29)),
        ("2018..2019-06-30", date(2018, 1, 1), date(2019, 6, 30)),
        ("2019-05-04", date(2019, 5, 4), date(2019, 5, 4)),
    ],
)
def test_forms_users_type(text: str, start: date | None, end: date | None) -> None:
    assert TimeFilter.parse(text) == TimeFilter(start, end)


@pytest.mark.parametrize("text", [None, "", "   "])
def test_nothing_is_all_dates(text: str | None) -> None:
    assert TimeFilter.parse(text) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2020-2016", "starts after it ends"),
        ("last year", "Not a period"),
        ("2019-13-01..", "Not a period"),
        ("19-20", "Not a period"),
    ],
)
def test_bad_periods_say_how_to_write_them(text: str, message: str) -> None:
    with pytest.raises(PeriodError, match=message):
        TimeFilter.parse(text)


def test_label_round_trips() -> None:
    for text in ("2019", "2016-2020", "2019-03-01..2020-02-29"):
        period = TimeFilter.parse(text)
        assert TimeFilter.parse(period.label.replace(" – ", "..")) == period


def test_cli_reports_a_bad_period_in_one_line(tmp_path: Path) -> None:
    project = ROOT / "sample_maps" / "sample.hatlas.json"
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "analyze",
            "indicators",
            "--project",
            str(project),
            "--years",
            "2023-2014",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert run.returncode == 2, run.stderr
    assert "starts after it ends" in run.stderr
    assert "Traceback" not in run.stderr
