"""Static exports through the CLI: PNG/SVG/PDF pages that are not blank, the right size,
with the title, legend and synthetic note in the PDF text; clear errors (exit 2)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from carto_fixture import build

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def project_path(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("carto"))


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "main.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _not_blank(rgb: np.ndarray) -> float:
    """Share of pixels that are not (near) white."""
    return float((rgb[:, :, :3].astype(int).sum(axis=2) < 720).mean())


def test_png_export_size_and_content(project_path: Path, output_dir: Path) -> None:
    from PIL import Image

    out = output_dir / "export_fixture.png"
    done = _cli(
        "export", "--project", str(project_path), "--out", str(out),
        "--years", "2018-2020", "--dpi", "100", "--title", "Coca and eradication",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    img = Image.open(out)
    assert img.size == (1169, 827)  # A4 landscape at 100 dpi
    rgb = np.asarray(img.convert("RGB"))
    assert _not_blank(rgb) > 0.25
    # the map area holds many colours (classes, points), not a flat fill
    assert len(np.unique(rgb[200:600, 100:800].reshape(-1, 3), axis=0)) > 20


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdf_region_export_text_and_pages(project_path: Path, output_dir: Path) -> None:
    out = output_dir / "export_fixture_region.pdf"
    done = _cli(
        "export", "--project", str(project_path), "--out", str(out),
        "--region", "co18003", "--years", "2019", "--page", "a4-portrait",
        "--title", "Municipio 3 in 2019",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    for expected in (
        "Municipio 3 in 2019",
        "CO18003",
        "Legend",
        "Eradication",
        "Violence",
        "Coca grid (2019)",
        "Synthetic demonstration data",
        "km",
        "UTM zone 18N",
    ):
        assert expected in text, expected
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    import re

    assert re.search(r"^Pages:\s+1$", info, re.M)
    assert "(A4)" in info and re.search(r"595\.\d+ x 841\.\d+ pts", info)  # portrait
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True).stdout
    assert "TrueType" in fonts and "Type 3" not in fonts  # pdf.fonttype 42
    png = subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-singlefile", str(out), str(output_dir / "export_pdf")],
        capture_output=True,
    )
    assert png.returncode == 0
    from PIL import Image

    assert _not_blank(np.asarray(Image.open(output_dir / "export_pdf.png").convert("RGB"))) > 0.2


def test_svg_export_keeps_text(project_path: Path, tmp_path: Path) -> None:
    from cartography.export import export_map
    from layers.project import Project

    project = Project.load(project_path)
    project.layers["Rivers"].visible = False
    out = export_map(project, tmp_path / "map.svg", layers=["Municipalities", "rivers"], dpi=72)
    svg = out.read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "Caquetá fixture" in svg and "Rivers" in svg  # text stays text (svg.fonttype none)
    assert "Violence" not in svg  # only the named layers
    assert project.layers["Rivers"].visible is False  # shown for the export, then put back


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--region", "XX999"], "Known codes"),
        (["--layers", "Nope"], "No layer named"),
        (["--page", "letter"], "Unknown page"),
        (["--years", "last year"], "Not a period"),
        (["--dpi", "5"], "DPI"),
    ],
)
def test_bad_arguments_exit_2_with_a_clear_message(
    project_path: Path, tmp_path: Path, capsys, args, message
) -> None:
    import main

    code = main.main(
        ["export", "--project", str(project_path), "--out", str(tmp_path / "x.png"), *args]
    )
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err
    assert not (tmp_path / "x.png").exists()


def test_bad_format_and_missing_project(tmp_path: Path) -> None:
    done = _cli("export", "--project", str(tmp_path / "none.hatlas.json"), "--out", "x.png")
    assert done.returncode == 2 and "not found" in done.stderr
    import main

    code = main.main(["export", "--project", str(tmp_path / "none.hatlas.json"), "--out", "x.txt"])
    assert code == 2
