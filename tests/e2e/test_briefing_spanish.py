"""The briefing pack in Spanish (issue 16): `--lang es` writes a pack with no English
sentence of ours left; layer names and the project's own title stay as the user wrote them."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from sample_maps import SAMPLE_PROJECT

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "layers" / "locale" / "es" / "LC_MESSAGES" / "harm_atlas.po"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed"),
]


def english_phrases() -> set[str]:
    """Every literal run of three or more words of our English msgids whose Spanish differs."""
    with CATALOGUE.open("rb") as fh:
        catalogue = read_po(fh)
    phrases = set()
    for message in catalogue:
        if not message.id or isinstance(message.id, tuple) or message.string == message.id:
            continue
        for piece in re.split(r"\{[^}]*\}|%\w", message.id):
            piece = piece.strip(" .,:;()·–-\n")
            if len(piece.split()) >= 3:
                phrases.add(piece)
    return phrases


def assert_pack_in_spanish(pdf: Path) -> str:
    """The pack's text (white space flattened) has its Spanish headings and date and no English
    phrase of ours left; returned for further checks."""
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = re.sub(r"\s+", " ", text)
    assert "Informe de situación" in flat and "Regiones ordenadas por daño" in flat
    assert re.search(r"\d{1,2} de [a-z]+ de \d{4}", flat)  # the date in prose, in Spanish
    left = sorted(p for p in english_phrases() if p in flat)
    assert not left, left[:10]
    return flat


def test_spanish_pack_has_no_english_sentence_left(tmp_path: Path) -> None:
    out = tmp_path / "paquete.pdf"
    command = ["main.py", "--lang", "es", "briefing", "--project", str(SAMPLE_PROJECT)]
    done = subprocess.run(
        [sys.executable, *command, "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert_pack_in_spanish(out)
