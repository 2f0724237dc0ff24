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
    from cartography.webmap_safe import escape

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


def _chromium(
    args: list[str], html: Path, profile: Path, resolver: str = "MAP * ~NOTFOUND"
) -> subprocess.CompletedProcess:
    """Headless Chromium on `html`, every host name unresolvable (`resolver`)."""
    return subprocess.run(
        [
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", f"--user-data-dir={profile}", f"--host-resolver-rules={resolver}",
            "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000", *args,
            html.as_uri(),
        ],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def _screenshot(html: Path, shot: Path, profile: Path) -> np.ndarray:
    """The page as headless Chromium draws it at 1200x800 (RGB, int), checked to have drawn
    with no script error in the console."""
    from PIL import Image

    done = _chromium([f"--screenshot={shot}", "--window-size=1200,800"], html, profile)
    assert shot.exists(), done.stderr[-2000:]
    console = [line for line in done.stderr.splitlines() if "CONSOLE" in line]
    assert not [line for line in console if "Uncaught" in line or "ERROR" in line], console
    return np.asarray(Image.open(shot).convert("RGB")).astype(int)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (.ci/system-deps.sh test)")
def test_renders_offline_in_headless_chromium(
    webmap: Path, tmp_path: Path, output_dir: Path
) -> None:
    rgb = _screenshot(webmap, output_dir / "webmap_fixture.png", tmp_path / "p1")
    centre = rgb[150:650, 250:950]
    # coca classes are drawn: several distinct reds/oranges, not the empty grey map
    reds = (centre[:, :, 0] > 150) & (centre[:, :, 2] < 110)
    assert reds.mean() > 0.1
    assert len(np.unique(centre.reshape(-1, 3), axis=0)) > 30
    dom = _chromium(["--dump-dom"], webmap, tmp_path / "p2").stdout
    assert 'class="leaflet-pane leaflet-overlay-pane"' in dom
    assert "leaflet-control-layers" in dom and "<canvas" in dom


def _probe(page: Path, script: str, profile: Path) -> str:
    """Chromium's DOM after `script` ran on a copy of `page` (it writes into #probe)."""
    text = page.read_text(encoding="utf-8")
    end = text.rfind("</html>")
    copy = profile.parent / f"probe_{profile.name}.html"
    copy.write_text(text[:end] + f"<script>{script}</script>" + text[end:], encoding="utf-8")
    return _chromium(["--dump-dom"], copy, profile).stdout


_HOVER_THEN = """
window.addEventListener("load", function () { setTimeout(function () {
  var m; for (var k in window) { if (/^map_/.test(k) && window[k] instanceof L.Map) { m = window[k]; } }
  var box = m.getContainer().getBoundingClientRect(), p = m.latLngToContainerPoint([1.75, -75.25]);
  m.getContainer().querySelector("canvas").dispatchEvent(new MouseEvent("mousemove",
    {clientX: box.left + p.x, clientY: box.top + p.y, bubbles: true}));
  setTimeout(function () {
    var t = document.querySelector(".leaflet-tooltip"), out = document.createElement("pre");
    var text = t ? t.textContent : "";
    out.id = "probe";
    out.textContent = "PROBE " + __REPORT__;
    document.body.appendChild(out);
  }, __WAIT__);
}, __WAIT__); });
"""


def _hover_probe(report: str, wait_ms: int) -> str:
    """A page script: once loaded, hover over (1.75 N, 75.25 W) and after `wait_ms` write
    "PROBE " + `report` into #probe; `report` is a JS expression that may use `t`, the
    tooltip shown (or null), and `text`, its text."""
    return _HOVER_THEN.replace("__REPORT__", report).replace("__WAIT__", str(wait_ms))


_HOVER = _hover_probe(
    """"tooltip=" + (t ? 1 : 0) + " evil-as-text=" +
      (text.indexOf("<img src=x onerror=alert(1)>`${1+1}`") >= 0 ? 1 : 0) +
      " layer=" + (text.indexOf("Municipalities") >= 0 ? 1 : 0) +
      " elements=" + (t ? t.querySelectorAll("img,script").length : -1)""",
    50,
)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (.ci/system-deps.sh test)")
def test_hover_names_the_region_with_its_text_escaped(webmap: Path, tmp_path: Path) -> None:
    """The tooltip lists the municipality under the cursor (under the grid and events too);
    the injection-attempt name shows as text and makes no element."""
    dom = _probe(webmap, _HOVER, tmp_path / "p3")
    assert "PROBE tooltip=1 evil-as-text=1 layer=1 elements=0" in dom, dom[-3000:]


def _dense_project(folder: Path) -> Path:
    """More events than AGGREGATE_OVER, settlements past SELECT_OVER, a 1 km grid."""
    import geopandas as gpd
    import pandas as pd
    from shapely import box as boxes

    from cartography.webmap import AGGREGATE_OVER, SELECT_OVER
    from layers.layer import Layer
    from layers.project import Project
    from layers.roles import FieldMapping, Role
    from layers.style import default_style

    rng = np.random.default_rng(13)
    n = AGGREGATE_OVER + 5_000
    lon = np.clip(rng.normal(-75.6, 0.25, n), -76.5, -74.5)
    lat = np.clip(rng.normal(1.2, 0.25, n), 0.2, 2.2)
    events = gpd.GeoDataFrame(
        {
            "event_date": pd.Timestamp("2018-01-01")
            + pd.to_timedelta(rng.integers(0, 700, n), unit="D"),
            "event_type": rng.choice(["Battles", "Riots"], n),
            "fatalities": rng.poisson(0.5, n),
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs=4326,
    )
    m = SELECT_OVER + 1_000
    places = gpd.GeoDataFrame(
        {"nombre": [f"Vereda {i}" for i in range(m)], "poblacion": rng.integers(50, 90_000, m)},
        geometry=gpd.points_from_xy(rng.uniform(-76.5, -74.5, m), rng.uniform(0.2, 2.2, m)),
        crs=4326,
    )
    x0, y0 = 300_000.0, 50_000.0
    ix, iy = np.meshgrid(np.arange(150), np.arange(150))
    cx, cy = x0 + ix.ravel() * 1000.0, y0 + iy.ravel() * 1000.0
    grid = gpd.GeoDataFrame(
        {"coca_2019": np.round(rng.gamma(0.5, 4, cx.size) * (rng.random(cx.size) < 0.4), 2)},
        geometry=boxes(cx, cy, cx + 1000, cy + 1000),
        crs=32618,
    )
    project = Project(title="Dense", metadata={"synthetic": True})
    for gdf, name, role, mapping in (
        (grid, "Coca grid", Role.CULTIVATION, FieldMapping(year_columns={2019: "coca_2019"})),
        (events, "Events", Role.VIOLENCE, FieldMapping({"date": "event_date"})),
        (places, "Places", Role.SETTLEMENTS, FieldMapping({"name": "nombre", "population": "poblacion"})),
    ):  # fmt: skip
        project.add(Layer(gdf, name, role=role, mapping=mapping, style=default_style(role)))
    return project.save(folder / "dense.hatlas.json")


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (.ci/system-deps.sh test)")
def test_dense_layers_are_counted_per_cell_and_said_so(tmp_path: Path) -> None:
    """Every feature is in the file (nothing sampled); dense points are drawn as counts per
    km cell and many settlements as the most populous, and the legend says which."""
    project = _dense_project(tmp_path)
    out = tmp_path / "dense.html"
    done = subprocess.run(
        [sys.executable, "main.py", "export", "--project", str(project), "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    page = out.read_text(encoding="utf-8")
    assert "sampled" not in page and "http://" not in page and "https://" not in page
    assert '"n":25000' in page and '"n":6000' in page  # all events and places packed
    run = _chromium(["--dump-dom", "--window-size=1200,800"], out, tmp_path / "p4")
    assert 'data-ha-ready="' in run.stdout  # the canvas drew
    console = [line for line in run.stderr.splitlines() if "CONSOLE" in line]
    assert not [line for line in console if "Uncaught" in line or "ERROR" in line], console
    assert "Events: 25,000 events shown as counts per " in run.stdout
    assert "km cell (circle area ∝ count)." in run.stdout
    assert "Places: the 1,500 most populous of 6,000 shown at this zoom" in run.stdout


# Hostile values for a project from someone else: markup that would close the data's
# <script>, a template-literal call, a javascript: link and addresses (filled with the port of
# a local recorder) that a browser would fetch if any reached the page unescaped.
SCRIPT = "</script><script>window.__pwned=1</script>"
TEMPLATE = "${alert(1)}"
JS_URL = "javascript:window.__pwned=2"
_HOSTILE_PROBE_HEAD = (
    "<script>window.__dialogs=0;['alert','confirm','prompt','print'].forEach("
    "function(f){window[f]=function(){window.__dialogs++;};});</script>"
)
_HOSTILE_PROBE = _hover_probe(
    """"pwned=" + (typeof window.__pwned) + " dialogs=" + window.__dialogs +
      " title-as-text=" + (document.querySelector("#ha-header h1").textContent.indexOf("<\\/script><script>window.__pwned=1<\\/script>") >= 0 ? 1 : 0) +
      " tooltip-as-text=" + (t && /__pwned|[$][{]alert|127[.]0[.]0[.]1/.test(t.textContent) ? 1 : 0) +
      " elements=" + document.querySelectorAll(["#ha-header", "#ha-legend", ".leaflet-control-layers",
        ".leaflet-tooltip"].map(function (s) { return s + " img," + s + " script"; }).join(",")).length""",
    100,
)


class _Recorder:
    """A local HTTP server that records every request made to it."""

    def __init__(self) -> None:
        import http.server
        import threading

        hits = self.hits = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
                hits.append(self.path)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (.ci/system-deps.sh test)")
def test_hostile_project_runs_no_script_and_makes_no_request(tmp_path: Path) -> None:
    """Style colours edited in memory after the load check, titles, layer names, categories and
    attributes full of markup and addresses: the page runs none of it, fetches nothing and
    shows the text as text."""
    from cartography.export import export_map
    from cartography.webmap_safe import page_addresses
    from layers.errors import ProjectError
    from layers.project import Project

    recorder = _Recorder()
    try:
        base = f"127.0.0.1:{recorder.port}"
        # Only 127.0.0.1 resolves (every other host is refused): the recorder sees any fetch.
        resolver = "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
        control = tmp_path / "control.html"
        control.write_text(
            f'<img src="http://{base}/control"><div style="background:url(HTTP://{base}/css)'
            ';width:9px;height:9px"></div>',
            encoding="utf-8",
        )
        _chromium(["--dump-dom"], control, tmp_path / "c0", resolver)
        assert sorted(recorder.hits) == ["/control", "/css"]  # the recorder would see a fetch
        recorder.hits.clear()

        http_url = f"HTTP://{base}/data"
        names = [SCRIPT, TEMPLATE, JS_URL, http_url, f"//{base}/rel",
                 f"<img src=http://{base}/img onerror=window.__pwned=3>"]  # fmt: skip
        project = Project.load(build(tmp_path))
        munis = project.layers["Municipalities"]
        munis.data["nombre"] = [names[i % len(names)] for i in range(len(munis.data))]
        munis.data["source"] = f"see {http_url} or {JS_URL}"
        munis.name = f"Municipios {SCRIPT} {http_url}"
        # what the load check refuses, set after it: the export must be safe even then
        munis.style.edge = f"blue{SCRIPT}"
        munis.style.fill = f"red;background-image:url(HTTP://{base}/fill)"
        violence = project.layers["Violence"]
        violence.data.loc[violence.data.index[::2], "event_type"] = SCRIPT + TEMPLATE
        violence.style.kind = "categorized"
        violence.style.field = "event_type"
        violence.style.categories = {
            SCRIPT + TEMPLATE: f"red;background:url(//{base}/cat)",
            "Battles": "#000</style><script>window.__pwned=4</script>",
        }
        project.title = f"Atlas {SCRIPT} {TEMPLATE}"
        saved = project.save(tmp_path / "hostile.hatlas.json")
        with pytest.raises(ProjectError, match=r"style\.(edge|fill)"):
            Project.load(saved)  # on load these colours are refused, the layer named

        out = export_map(
            project,
            tmp_path / "hostile.html",
            title=f"Mapa {SCRIPT} {http_url} {JS_URL} {TEMPLATE}",
            layers=[munis.name, "Violence"],
        )
        page = out.read_text(encoding="utf-8")
        assert SCRIPT not in page and "window.__pwned=1</script>" not in page
        assert "${" not in page and page_addresses(page) == []
        assert base not in page  # every address in the data lost its `:` (shown as &#58;)

        head = page.index("<head>") + len("<head>")
        end = page.rfind("</html>")
        probe = tmp_path / "probe.html"
        probe.write_text(
            page[:head] + _HOSTILE_PROBE_HEAD + page[head:end]
            + f"<script>{_HOSTILE_PROBE}</script>" + page[end:],
            encoding="utf-8",
        )  # fmt: skip
        dom = _chromium(["--dump-dom", "--window-size=1200,800"], probe, tmp_path / "c1", resolver)
        assert "PROBE pwned=undefined dialogs=0 title-as-text=1" in dom.stdout, dom.stdout[-3000:]
        assert "tooltip-as-text=1 elements=0" in dom.stdout, dom.stdout[-3000:]
        assert recorder.hits == []
    finally:
        recorder.close()
