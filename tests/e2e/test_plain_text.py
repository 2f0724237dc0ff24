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


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_briefing_and_comparison_keep_dollar_signs(tmp_path: Path) -> None:
    """Region names, the pack's title and the comparison's headings and table come out
    verbatim (the indicator table is a small stand-in: the real one is tested elsewhere)."""
    import numpy as np
    import pandas as pd

    from cartography import briefing

    project = _dollar_project(tmp_path)
    admin = project.layers[FINES]
    names = admin.data["nombre"].to_numpy().copy()
    names[1], names[6] = COSTO, SYMBOL  # CO18002 and CO18007
    admin.data["nombre"] = names
    n = len(names)
    indicators = pd.DataFrame(
        {
            "code": admin.data["cod_mpio"].astype(str).to_numpy(),
            "name": names,
            "eradicated_ha": np.arange(n) * 10.0,
            "violent_events": np.arange(n)[::-1] * 3.0,
            "fatalities_per_100k": np.linspace(5, 50, n),
            "harm_index": np.linspace(0, 1, n),
        }
    )
    indicators.index = indicators["code"].str.upper()
    out = tmp_path / "pack.pdf"
    briefing.write_briefing(
        project, out, regions=["CO18002", "CO18007"], title=FINES, indicators=indicators
    )
    text = subprocess.run(
        ["pdftotext", "-raw", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert FINES in text  # the cover's title
    assert f"{COSTO} (CO18002)" in text and f"{SYMBOL} (CO18007)" in text  # region pages
    assert text.count(COSTO) >= 4  # also the ranking table and the comparison page
