"""The briefing pack's page "Where enforcement hits and where the harm is" (issue 17): present
in the sample's pack, with the quadrant chart labelled by region names, the arrest levels per
department and the groups table, in English (the CLI) and in Spanish (its catalogue part)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from sample_maps import SAMPLE_PROJECT

ROOT = Path(__file__).resolve().parents[2]
MESSAGES = ROOT / "layers" / "locale" / "es" / "LC_MESSAGES"
PART = MESSAGES / "parts" / "enforcement_analysis.po"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed"),
    pytest.mark.skipif(not SAMPLE_PROJECT.exists(), reason="sample not generated"),
]


def page_text(pdf: Path, title: str) -> str:
    """The text of the page whose text holds `title`, spaces folded."""
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout.split("\f")  # fmt: skip
    found = [p for p in pages if title in re.sub(r"\s+", " ", p)]
    assert found, f"no page titled {title!r}"
    return re.sub(r"\s+", " ", found[-1])  # the page itself, not the cover's contents


def test_enforcement_page_in_english(tmp_path: Path, output_dir: Path, docs_images) -> None:
    out = tmp_path / "pack.pdf"
    done = subprocess.run(
        [sys.executable, "main.py", "briefing", "--project", str(SAMPLE_PROJECT), "--out",
         str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    text = page_text(out, "Where enforcement hits and where the harm is")
    for expected in (
        "Low enforcement, high harm",
        "High enforcement, low harm",
        "Monteoscuro",  # XA01's most violent municipality: harm without the effort
        "San José del Alto",  # where XA01's possession arrests are
        "Whom arrests hit, per department",
        "Serranía de Tucaré (1,142)",
        "Llanura del Guaimaró (1,322)",
        "77 %",  # XA01's people arrested for personal use
        "Frente Tacuré (Disidencias)",
        "Most harmful groups and the operations near them",
        "Spearman",
    ):
        assert expected in text, expected
    # Every region of the sample is labelled on the chart.
    for name in ("Río Verde", "Nueva Güepí", "Puerto Aguablanca", "Villa Candelaria"):
        assert name in text, name
    cover = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(out), "-"],
                           capture_output=True, text=True).stdout  # fmt: skip
    assert "Where enforcement hits" in cover
    # The page as a person looks at it (and README's picture with `make screenshots`).
    pages = subprocess.run(["pdftotext", str(out), "-"], capture_output=True,
                           text=True).stdout.split("\f")  # fmt: skip
    number = 1 + max(i for i, p in enumerate(pages) if "Whom arrests hit" in p)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", str(number), "-l", str(number),
                    "-singlefile", str(out), str(output_dir / "briefing_enforcement")],
                   check=True)  # fmt: skip
    if docs_images is not None:
        shutil.copy(output_dir / "briefing_enforcement.png", docs_images)


def _catalogue_with_part(root: Path) -> Path:
    """The Spanish catalogue with the parts folded in (as the merge step does), so the page
    reads as it will once the lead has merged them."""
    with (MESSAGES / "harm_atlas.po").open("rb") as fh:
        catalogue = read_po(fh, locale="es")
    for part in sorted((MESSAGES / "parts").glob("*.po")):
        with part.open("rb") as fh:
            for message in read_po(fh, locale="es"):
                if message.id and message.string:
                    known = catalogue.get(message.id)
                    if known is not None:  # a part's newer wording replaces it, as the merge
                        known.string = message.string
                    else:
                        catalogue[message.id] = message
    target = root / "es" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "harm_atlas.mo").open("wb") as fh:
        write_mo(fh, catalogue)
    return root


def test_enforcement_page_in_spanish(tmp_path: Path, monkeypatch) -> None:
    from cartography.briefing import write_briefing
    from layers import i18n
    from layers.project import Project

    monkeypatch.setattr(i18n, "_LOCALE_DIR", _catalogue_with_part(tmp_path / "locale"))
    out = tmp_path / "paquete.pdf"
    i18n.set_language("es")
    try:
        write_briefing(Project.load(SAMPLE_PROJECT), out)
    finally:
        i18n.set_language("en")
    text = page_text(out, "Dónde golpea la acción antidrogas y dónde está el daño")
    for expected in ("Acción baja, daño alto", "Acción alta, daño bajo",
                     "A quién golpean las capturas", "Serranía de Tucaré (1.142)",
                     "Grupos más dañinos", "Spearman", "Monteoscuro"):  # fmt: skip
        assert expected in text, expected
    with PART.open("rb") as fh:
        english = [m.id for m in read_po(fh) if m.id and len(str(m.id).split()) >= 3]
    left = [m for m in english if re.sub(r"\{[^}]*\}.*", "", m).strip() in text and m]
    assert not [m for m in left if len(re.sub(r"\{[^}]*\}.*", "", m).split()) >= 3], left
