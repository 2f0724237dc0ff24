"""The web map carries the visible basemap's tiles inside the page: its size said before
writing, refused over the limit unless confirmed, no web address, and the tiles drawn in
headless Chromium with the network refused."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from carto_fixture import build
from main_cli import run_main, words
from test_webmap import CHROMIUM, _chromium, _screenshot

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
from test_basemap import ATTRIBUTION, colour, write_mbtiles  # noqa: E402

pytestmark = pytest.mark.e2e
# Lon -75.3, lat 1.75 (the fixture's middle) lies in zoom-3 tile (2, 3).
TILE_COLOUR = colour(3, 2, 3)


def _project_with_basemap(folder: Path) -> Path:
    from layers.basemap import open_basemap
    from layers.project import Project

    path = build(folder)
    project = Project.load(path)
    project.layers.insert(0, open_basemap(write_mbtiles(folder / "relief.mbtiles")))
    project.save(path)
    return path


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("webbase")
    out = folder / "map.html"
    line = "export --project {project} --out {out} --basemap-max-zoom 3"
    done = run_main(*words(line, project=_project_with_basemap(folder), out=out), timeout=120)
    assert done.returncode == 0, done.stderr
    return out, done.stderr


def test_tiles_are_in_the_page_and_the_size_was_said(page) -> None:
    out, stderr = page
    text = out.read_text(encoding="utf-8")
    assert "Basemap Relief: " in stderr and "zoom 1-3" in stderr and "MB in the page" in stderr
    assert "http://" not in text and "https://" not in text
    assert "var haTiles" in text and '"mime":"image/png"' in text
    assert '"3/2/3":"' in text  # the tile under the fixture
    assert '"3/7/7":"' not in text  # far away (south-east Pacific): not embedded
    assert "Relief test tiles" in text  # credited in the attribution control


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (.ci/system-deps.sh test)")
def test_tiles_render_offline_in_chromium(page, tmp_path: Path, output_dir: Path) -> None:
    out, _ = page
    rgb = _screenshot(out, output_dir / "webmap_basemap.png", tmp_path / "p")
    tile = np.abs(rgb - np.array(TILE_COLOUR)).sum(axis=2) <= 12
    assert tile.sum() > 5_000  # the basemap shows around and under the municipalities
    dom = _chromium(["--dump-dom"], out, tmp_path / "p2").stdout
    assert 'src="data:image/png;base64,' in dom and "leaflet-tile-pane" in dom


def test_over_the_limit_is_refused_unless_confirmed(tmp_path: Path, monkeypatch) -> None:
    from cartography import webmap_basemap
    from cartography.export import ExportError, export_map
    from layers.project import Project

    project = Project.load(_project_with_basemap(tmp_path))
    monkeypatch.setattr(webmap_basemap, "MAX_EMBED_BYTES", 1_000)
    heard = []
    out = tmp_path / "big.html"
    with pytest.raises(ExportError, match="--basemap-confirm"):
        export_map(project, out, basemap={"basemap_max_zoom": 3, "on_basemap_plan": heard.append})
    assert not out.exists() and heard and heard[0].encoded_bytes > 1_000
    export_map(project, out, basemap={"basemap_max_zoom": 3, "basemap_confirm": True})
    assert ATTRIBUTION.split()[-1] in out.read_text(encoding="utf-8")
    project.layers[0].visible = False  # "None" in the picker: no tiles in the page
    export_map(project, out)
    assert "var haTiles" not in out.read_text(encoding="utf-8")
