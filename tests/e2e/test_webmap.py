"""Offline web map: no web address anywhere, attribute text escaped, and it renders in
headless Chromium with the network off (layers drawn, Leaflet panes made, no errors)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from carto_fixture import EVIL, build

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def webmap(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("web")
    project = build(folder)
    out = folder / "map.html"
    done = subprocess.run(
        [sys.executable, "main.py", "export", "--project", str(project), "--out", str(out),
         "--years", "2018-2020", "--title", "Caquetá <b>web</b> map"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return out


def test_no_web_address_and_assets_inlined(webmap: Path) -> None:
    page = webmap.read_text(encoding="utf-8")
    assert "http://" not in page and "https://" not in page
    assert "<script src" not in page and "<link " not in page  # nothing to fetch
    assert "L.map(" in page and "leaflet-container" in page  # Leaflet itself is inline
    assert "data:image/png;base64," in page  # CSS images as data URIs


def test_attribute_text_is_escaped(webmap: Path) -> None:
    page = webmap.read_text(encoding="utf-8")
    assert EVIL not in page
    assert "<img src=x" not in page
    assert "${1+1}" not in page  # no template-literal injection either
    # folium writes "&" inside its JSON as \u0026; either way the browser gets entities
    decoded = page.replace("\\u0026", "&")
    assert "&lt;img src=x onerror=alert(1)&gt;&#96;&#36;{1+1}&#96;" in decoded
    assert "Caquetá &lt;b&gt;web&lt;/b&gt; map" in page
    assert "<b>web</b>" not in page


def test_escape_helper() -> None:
    from cartography.webmap import escape

    assert escape("<a href='x'>`${y}`</a>") == (
        "&lt;a href=&#x27;x&#x27;&gt;&#96;&#36;{y}&#96;&lt;/a&gt;"
    )


def test_remote_tiles_are_refused(tmp_path: Path) -> None:
    from cartography.export import ExportError, export_map
    from layers.project import Project

    project = Project.load(build(tmp_path))
    with pytest.raises(ExportError, match="local folder"):
        export_map(project, tmp_path / "m.html", tiles="https://tile.example.org")
    tiles = tmp_path / "tiles"
    (tiles / "0" / "0").mkdir(parents=True)
    out = export_map(project, tmp_path / "m.html", tiles=tiles, layers=["Municipalities"])
    page = out.read_text(encoding="utf-8")
    assert "tiles/{z}/{x}/{y}.png" in page
    assert "http://" not in page and "https://" not in page


def _chromium(args: list[str], html: Path, profile: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", f"--user-data-dir={profile}", "--host-resolver-rules=MAP * ~NOTFOUND",
            "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000", *args,
            html.as_uri(),
        ],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (.ci/system-deps.sh test)")
def test_renders_offline_in_headless_chromium(
    webmap: Path, tmp_path: Path, output_dir: Path
) -> None:
    from PIL import Image

    shot = output_dir / "webmap_fixture.png"
    done = _chromium([f"--screenshot={shot}", "--window-size=1200,800"], webmap, tmp_path / "p1")
    assert shot.exists(), done.stderr[-2000:]
    console = [line for line in done.stderr.splitlines() if "CONSOLE" in line]
    assert not [line for line in console if "Uncaught" in line or "ERROR" in line], console
    rgb = np.asarray(Image.open(shot).convert("RGB")).astype(int)
    centre = rgb[150:650, 250:950]
    # coca classes are drawn: several distinct reds/oranges, not the empty grey map
    reds = (centre[:, :, 0] > 150) & (centre[:, :, 2] < 110)
    assert reds.mean() > 0.1
    assert len(np.unique(centre.reshape(-1, 3), axis=0)) > 30
    dom = _chromium(["--dump-dom"], webmap, tmp_path / "p2").stdout
    assert 'class="leaflet-pane leaflet-overlay-pane"' in dom
    assert "leaflet-control-layers" in dom and "<canvas" in dom
