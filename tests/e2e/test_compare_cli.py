"""`python main.py compare` end to end: a real project on disk, PNG and PDF checked."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from PIL import Image
from shapely.geometry import box

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def project_file(tmp_path_factory) -> Path:
    """Two departments of two municipalities (HDX columns) and ACLED-style events."""
    from layers.project import Project
    from layers.readers import read_layers

    folder = tmp_path_factory.mktemp("compare")
    rows = []
    for d, (code, name, x0) in enumerate([("CO52", "Nariño", -78.0), ("CO86", "Putumayo", -76.5)]):
        for i in range(2):
            rows.append(
                {
                    "ADM0_PCODE": "CO",
                    "ADM1_PCODE": code,
                    "ADM1_ES": name,
                    "ADM2_PCODE": f"{code}{i + 1:03d}",
                    "ADM2_ES": f"{name} {i + 1}",
                    "geometry": box(x0 + 0.5 * i, 1.0, x0 + 0.5 * i + 0.5, 1.5 + 0.1 * d),
                }
            )
    gpd.GeoDataFrame(rows, crs=4326).to_file(folder / "adm2.geojson", driver="GeoJSON")
    rng = np.random.default_rng(11)
    n = 400
    dates = pd.Timestamp("2017-01-01") + pd.to_timedelta(rng.integers(0, 1460, n), unit="D")
    pd.DataFrame(
        {
            "event_id_cnty": [f"COL{i}" for i in range(n)],
            "event_date": dates.strftime("%Y-%m-%d"),
            "year": dates.year,
            "event_type": rng.choice(["Battles", "Violence against civilians"], n),
            "latitude": rng.uniform(1.0, 1.5, n),
            "longitude": rng.uniform(-78.0, -75.5, n),
            "fatalities": rng.integers(0, 4, n),
        }
    ).to_csv(folder / "acled.csv", index=False)
    project = Project(title="Compare CLI test")
    for name in ("adm2.geojson", "acled.csv"):
        for layer in read_layers(folder / name):
            project.add(layer)
    return project.save(folder / "compare.hatlas.json")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "main.py", "compare", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )


def not_blank(png: Path) -> None:
    with Image.open(png) as img:
        colours = img.convert("RGB").getcolors(maxcolors=2_000_000)
    assert colours is not None and len(colours) > 50, "the figure is blank"


def test_png_and_pdf(project_file, tmp_path) -> None:
    png, pdf = tmp_path / "cmp.png", tmp_path / "cmp.pdf"
    for out in (png, pdf):
        done = run(
            "--project", str(project_file), "--left", "CO52:2018-2019", "--right",
            "CO86:2018-2019", "--out", str(out), "--dpi", "80",
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert out.stat().st_size > 5_000
    not_blank(png)
    with Image.open(png) as img:
        assert img.size == (int(11.69 * 80), int(8.27 * 80))
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Nariño · 2018–2019" in text and "Putumayo · 2018–2019" in text  # both titles
    assert "One classification for both maps" in text  # the ONE shared legend
    assert text.count("no data") == 1
    assert "Difference" in text and "Change" in text


def test_bad_region_is_explained(project_file, tmp_path) -> None:
    done = run(
        "--project", str(project_file), "--left", "XX99", "--right", "all",
        "--out", str(tmp_path / "x.png"),
    )  # fmt: skip
    assert done.returncode == 2
    assert "XX99" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "x.png").exists()


def test_bad_format_is_explained(project_file, tmp_path) -> None:
    done = run("--project", str(project_file), "--left", "all", "--right", "all", "--out", "x.gif")
    assert done.returncode == 2 and ".gif" in done.stderr


def test_sides_parse_and_the_table_arithmetic() -> None:
    """Pure pieces: side specs round-trip; percent change is undefined from zero, never 0."""
    import math

    from analysis.indicator_catalogue import Indicator
    from cartography.compare import Side
    from cartography.comparison import comparison_table

    for spec in ("CO52", "CO52:2019", "all:2016-2020", "CO52001:2019-03-01..2020-02-29"):
        assert Side.parse(Side.parse(spec).spec) == Side.parse(spec)
    assert Side.parse("all").is_all and Side.parse("CO52:2019").period.label == "2019"
    with pytest.raises(ValueError, match="2016-2020"):
        Side.parse("CO52:last year")
    catalogue = {
        "a": Indicator("a", "Events", "outcome", "events", True),
        "b": Indicator("b", "Sprayed", "enforcement", "ha", None),
        "c": Indicator("c", "Missing", "outcome", "", True),
    }
    table = comparison_table(
        pd.Series({"a": 40.0, "b": 0.0, "c": np.nan}), pd.Series({"a": 50.0, "b": 12.0}), catalogue
    ).set_index("key")
    assert table.loc["a", "difference"] == 10 and table.loc["a", "percent_change"] == 25
    assert table.loc["b", "difference"] == 12 and math.isnan(table.loc["b", "percent_change"])
    assert "c" not in table.index  # no data on either side: left out, not shown as 0
