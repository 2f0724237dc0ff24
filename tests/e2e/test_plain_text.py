"""Dollar signs in user text are text: a title, layer name, category or label with `$…$` is
drawn verbatim in PNG, SVG and PDF, never read as mathtext ("Unknown symbol" or lost `$`)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from carto_fixture import build

from cartography.text import plain

pytestmark = pytest.mark.e2e
FINES = "Fines US$5 to US$10"
COSTO = "Costo $x$"
SYMBOL = "$\\x$"


def _dollar_project(folder: Path):
    from layers.project import Project

    project = Project.load(build(folder))
    project.title = f"{COSTO} {SYMBOL}"
    munis = project.layers["Municipalities"]
    munis.name = FINES
    violence = project.layers["Violence"]
    violence.data.loc[violence.data.index[::2], "event_type"] = COSTO
    violence.style.kind = "categorized"
    violence.style.field = "event_type"
    health = project.layers["Health posts"]
    health.data["nombre"] = [FINES, COSTO, SYMBOL, "Puesto $1", *health.data["nombre"][4:]]
    return project


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_dollar_signs_in_title_layer_names_categories_and_labels(
    tmp_path: Path, suffix: str
) -> None:
    from cartography.export import export_map

    project = _dollar_project(tmp_path)
    out = export_map(project, tmp_path / f"map{suffix}", title=f"{COSTO} · {FINES} · {SYMBOL}")
    assert out.stat().st_size > 5_000
    if suffix == ".svg":  # text stays text in SVG (svg.fonttype none)
        page = out.read_text(encoding="utf-8")
        for text in (FINES, COSTO, SYMBOL):
            assert text in page, text
    if suffix == ".pdf":
        if shutil.which("pdftotext") is None:
            pytest.skip("pdftotext (poppler-utils) not installed")
        text = subprocess.run(
            ["pdftotext", "-raw", str(out), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert f"{COSTO} · {FINES} · {SYMBOL}" in text  # the title, verbatim
        assert text.count(FINES) >= 2  # title and legend (layer name)
        assert text.count(COSTO) >= 2  # title and legend (category)


def test_map_labels_with_dollars_are_drawn_as_text(tmp_path: Path) -> None:
    """Labels carry a halo (drawn as outlines in PDF/SVG), so they are checked on the figure."""
    from cartography.layout import map_layout

    result = map_layout(_dollar_project(tmp_path), dpi=80)
    result.figure.canvas.draw()  # would raise "Unknown symbol" on $\\x$ as mathtext
    drawn = {t.get_text(): t._preprocess_math(t.get_text()) for t in result.map_ax.texts}
    for text in (FINES, COSTO, SYMBOL):
        assert drawn.get(text) == (text, False), sorted(drawn)


def test_plain_keeps_every_character() -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure()
    for text in (FINES, COSTO, SYMBOL, "a\\$b", "$$", "100%", "{x}"):
        artist = fig.text(0, 0, plain(text))
        shown, is_math = artist._preprocess_math(artist.get_text())
        assert (shown, is_math) == (text, False)
