"""docs/analyses.md is written from the declarations: it must never drift from the code."""

from __future__ import annotations

from pathlib import Path

from analysis.base import load_all
from analysis.reference import reference_page

PAGE = Path(__file__).resolve().parents[2] / "docs" / "analyses.md"


def test_reference_page_is_up_to_date() -> None:
    assert PAGE.read_text(encoding="utf-8") == reference_page(), (
        "docs/analyses.md is stale: run `python -m analysis.reference > docs/analyses.md`"
    )


def test_every_parameter_of_every_analysis_is_documented() -> None:
    page = reference_page()
    for algorithm in load_all().values():
        assert f"## `{algorithm.id}`" in page
        for p in algorithm.parameters:
            assert f"| `{p.flag}` |" in page
