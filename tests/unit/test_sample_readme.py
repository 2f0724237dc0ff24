"""The sample's story in English and Spanish (sample_maps/README.md, README.es.md): each holds
the figures the generator writes from the committed ground truth, the two hold the same
numbers in the same order and the same tables, and they link each other."""

from __future__ import annotations

import json
import re

import pytest

from sample_maps import SAMPLE_DIR
from sample_maps.measurement import README_END, README_START, readmes

ROOT = SAMPLE_DIR.parent
TRUTH = json.loads((SAMPLE_DIR / "ground_truth.json").read_text(encoding="utf-8"))
NUMBER = re.compile(r"-?\d[\d.,]*")


def _text(name: str) -> str:
    return (SAMPLE_DIR / name).read_text(encoding="utf-8")


def _block(name: str) -> str:
    return _text(name).split(README_START, 1)[1].split(README_END, 1)[0].strip("\n")


def _numbers(text: str, spanish: bool) -> list[float]:
    """Every number in reading order: 3,016.45 in English is 3.016,45 in Spanish."""
    out = []
    for token in NUMBER.findall(text):
        token = token.rstrip(".,")
        token = token.replace(".", "").replace(",", ".") if spanish else token.replace(",", "")
        out.append(float(token))
    return out


@pytest.mark.parametrize("name", list(readmes()))
def test_each_readme_holds_what_the_generator_writes(name) -> None:
    assert _block(name) == readmes()[name](TRUTH), (
        f"sample_maps/{name} is out of date: run python -m sample_maps.generate"
    )


def test_the_spanish_figures_are_the_english_ones_in_spanish_formats() -> None:
    english, spanish = _block("README.md"), _block("README.es.md")
    assert _numbers(english, spanish=False) == _numbers(spanish, spanish=True), (
        "README.es.md's figures differ from README.md's: a figure line added to the English "
        "needs its Spanish template (sample_maps/readme_es.py, or the section's README_TEXT) "
        "(docs/translations.md)"
    )
    assert "3.016,45" in spanish and "3,016.45" not in spanish  # Spanish formats
    assert "22.830" in spanish  # rounded as the English (22,830), not half up


def test_both_stories_have_the_same_sections_and_tables() -> None:
    english, spanish = _text("README.md"), _text("README.es.md")
    for pattern in (r"^## ", r"^\|", r"^\d+\. \*\*"):  # sections, table rows, planted effects
        count = [len(re.findall(pattern, t, flags=re.M)) for t in (english, spanish)]
        assert count[0] == count[1], (
            f"{pattern!r}: English {count[0]}, Spanish {count[1]}; a section added to "
            "sample_maps/README.md needs its Spanish in README.es.md"
        )
    field_words = (
        "cultivos de coca",
        "erradicación manual forzosa",
        "aspersión aérea",
        "efecto globo",
        "zona de influencia",
        "reducción de daños",
        "áreas protegidas",
        "centros poblados",
    )
    for words in field_words:  # the glossary's words (docs/translations.md)
        assert words in spanish.lower(), words


def test_the_stories_link_each_other_and_the_main_readme_links_both() -> None:
    assert "(README.es.md)" in _text("README.md")
    assert "(README.md)" in _text("README.es.md")
    main = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(sample_maps/README.md)" in main and "(sample_maps/README.es.md)" in main
