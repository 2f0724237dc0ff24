"""Raster layers that are not basemaps (forest loss, population) in the offline web map:
an image per layer, coloured as the printed map colours it, as a data: URI (no address), its
pixel count bounded, the period's loss only, in the legend and the layer control, drawn in
headless Chromium with the network refused."""

from __future__ import annotations

import base64
import html
import io
import re
from pathlib import Path

import numpy as np
import pytest
import rasterio
from affine import Affine
from carto_fixture import build
from main_cli import run_main, words
from matplotlib import colormaps
from test_webmap import CHROMIUM, _chromium, _screenshot

pytestmark = pytest.mark.e2e
RES = 0.00025  # Hansen's pixel (about 28 m)
WEST, NORTH = -75.5, 2.0
SIDE = 2000  # pixels a side: 0.5 degrees
RAMP = "winter"  # blue to green: nothing else on the fixture's map has these colours
ISOLATED = [(r, c) for r in range(1200, 1900, 70) for c in range(100, 1900, 90)]


def _colour(code: int) -> tuple[int, int, int]:
    """The printed map's colour of a loss code on the layer's ramp (years 2001-2023)."""
    return tuple(int(v) for v in colormaps[RAMP]((code - 1) / 22.0, bytes=True)[:3])


def _loss_raster(path: Path) -> Path:
    data = np.zeros((SIDE, SIDE), np.uint8)
    data[200:600, 200:600] = 12  # 2012: inside the exported period
    data[200:600, 1200:1600] = 20  # 2020: outside it
    data[800:810, 900:910] = 20
    for r, c in ISOLATED:  # single-pixel clearings, far finer than the page's pixels
        data[r, c] = 13
    profile = dict(
        driver="GTiff", width=SIDE, height=SIDE, count=1, dtype="uint8", crs="EPSG:4326",
        transform=Affine(RES, 0, WEST, 0, -RES, NORTH), tiled=True, compress="deflate",
    )  # fmt: skip
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data, 1)
    return path


def _population(path: Path) -> Path:
    data = np.linspace(0, 50, 100 * 100, dtype=np.float32).reshape(100, 100)
    profile = dict(
        driver="GTiff", width=100, height=100, count=1, dtype="float32", crs="EPSG:4326",
        transform=Affine(0.005, 0, -76.0, 0, -0.005, 2.5), nodata=-1.0,
    )  # fmt: skip
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data, 1)
    return path


def _project(folder: Path) -> Path:
    from layers.project import Project
    from layers.raster import open_raster
    from layers.raster_style import RasterStyle

    path = build(folder)
    project = Project.load(path)
    loss = open_raster(_loss_raster(folder / "Hansen_GFC_lossyear_test.tif"), name="Forest loss")
    loss.style = RasterStyle(kind="loss_year", ramp=RAMP, vmin=2001.0, vmax=2023.0)
    population = open_raster(_population(folder / "worldpop_test.tif"), name="Population")
    population.visible = False  # a hidden raster stays out of the page
    project.add(population)
    project.add(loss)  # on top: drawn over the vector layers, as in the printed map
    project.save(path)
    return path


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("webrasters")
    out = folder / "map.html"
    line = "export --project {project} --out {out} --years 2010-2015"
    done = run_main(*words(line, project=_project(folder), out=out), timeout=180)
    assert done.returncode == 0, done.stderr
    return out


def _images(text: str) -> list[np.ndarray]:
    from PIL import Image

    found = re.findall(r'"src":"data:image/png;base64,([A-Za-z0-9+/=]+)"', text)
    return [np.asarray(Image.open(io.BytesIO(base64.b64decode(b))).convert("RGBA")) for b in found]


def test_the_loss_raster_is_an_embedded_image_of_the_periods_loss_only(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    assert "http://" not in text and "https://" not in text
    assert "var haRasters" in text
    (image,) = _images(text)  # the hidden population raster is not in the page
    drawn = image[..., 3] > 0
    colours = {tuple(int(v) for v in p[:3]) for p in image[drawn]}
    assert _colour(12) in colours and _colour(13) in colours  # the period's years
    assert _colour(20) not in colours  # 2020 is outside 2010-2015
    # the page's pixels are ~4x the raster's: every single-pixel clearing still shows
    from scipy import ndimage

    single = np.all(image[..., :3] == _colour(13), axis=2) & drawn
    assert ndimage.label(single)[1] == len(ISOLATED)
    assert image.shape[0] * image.shape[1] <= 4_000_000
    assert "Forest loss: forest loss 2010–2015" in html.unescape(text)  # its legend line
    assert 'id="ha-leg-r0"' in text and "linear-gradient" in text


def test_the_pixel_count_is_bounded(tmp_path: Path, monkeypatch) -> None:
    from cartography import webmap_raster
    from layers.raster import open_raster

    layer = open_raster(_loss_raster(tmp_path / "Hansen_lossyear_b.tif"))
    monkeypatch.setattr(webmap_raster, "MAX_OVERLAY_PIXELS", 10_000)
    (overlay,), problems = webmap_raster.raster_overlays([layer], (-76, 1, -74, 2.5), 9.0, None)
    rows, cols = overlay.shape
    assert rows * cols <= 10_000 and rows * cols > 9_000 and not problems
    far, problems = webmap_raster.raster_overlays([layer], (10, 40, 11, 41), 9.0, None)
    assert far == [] and problems == []  # outside the exported area: left out


def test_an_unreadable_raster_is_said_under_the_legend_and_the_page_is_written(tmp_path) -> None:
    from cartography.webmap import build_webmap
    from layers.project import Project
    from layers.raster import open_raster

    project = Project.load(build(tmp_path))
    path = _loss_raster(tmp_path / "Hansen_lossyear_gone.tif")
    layer = open_raster(path)
    project.add(layer)
    with open(path, "r+b") as f:  # damaged after it was opened
        f.truncate(2000)
    page = build_webmap(project, tmp_path / "m.html")
    assert "var haRasters" not in page and "<html" in page.lower()
    assert html.unescape(page).count(f"{layer.name} is not in this page:") == 1


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (.ci/system-deps.sh test)")
def test_drawn_offline_in_chromium_with_a_toggle(page: Path, tmp_path: Path, output_dir) -> None:
    # the map without the legend box (its ramp holds every year's colour)
    rgb = _screenshot(page, output_dir / "webmap_rasters.png", tmp_path / "p")[:540, :900]
    in_period = np.abs(rgb - np.array(_colour(12))).sum(axis=2) <= 12
    later = np.abs(rgb - np.array(_colour(20))).sum(axis=2) <= 12
    assert in_period.sum() > 100 and later.sum() < 5
    dom = _chromium(["--dump-dom"], page, tmp_path / "p2").stdout
    assert re.search(
        r'<img[^>]+src="data:image/png;base64,[^"]+"[^>]+leaflet-image-layer', dom
    ) or ("leaflet-image-layer" in dom and 'src="data:image/png;base64,' in dom)
    control = dom[dom.find("leaflet-control-layers") :]
    assert "Forest loss" in control and "Population" not in control


_TOGGLE = """
window.addEventListener("load", function () { setTimeout(function () {
  var m; for (var k in window) { if (/^map_/.test(k) && window[k] instanceof L.Map) { m = window[k]; } }
  var before = document.querySelectorAll("img.leaflet-image-layer").length;
  var box = m.getContainer().getBoundingClientRect(), p = m.latLngToContainerPoint([1.75, -75.25]);
  m.getContainer().dispatchEvent(new MouseEvent("mousemove",
    {clientX: box.left + p.x, clientY: box.top + p.y, bubbles: true}));
  var labels = document.querySelectorAll(".leaflet-control-layers-overlays label");
  for (var i = 0; i < labels.length; i++) {
    if (labels[i].textContent.indexOf("Forest loss") >= 0) { labels[i].querySelector("input").click(); }
  }
  setTimeout(function () {
    var out = document.createElement("pre"), leg = document.getElementById("ha-leg-r0");
    out.id = "probe";
    out.textContent = "PROBE images=" + before + "/" +
      document.querySelectorAll("img.leaflet-image-layer").length +
      " legend=" + leg.style.display + " tooltip=" + (document.querySelector(".leaflet-tooltip") ? 1 : 0);
    document.body.appendChild(out);
  }, 100);
}, 100); });
"""


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (.ci/system-deps.sh test)")
def test_the_toggle_hides_the_image_and_its_legend_and_tooltips_still_work(
    page: Path, tmp_path: Path
) -> None:
    from test_webmap import _probe

    dom = _probe(page, _TOGGLE, tmp_path / "p3")
    assert "PROBE images=1/0 legend=none tooltip=1" in dom, dom[-600:]
