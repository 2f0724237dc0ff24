"""`analyze hotspots --method kde --out x.tif` reads only coordinates: the whole process never
imports GeoPandas, pandas or pyogrio (~0.5 s of its start-up) and never builds the polygon
layer; the layer, when a .gpkg asks for it, is the one the analysis builds in-process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import rasterio
import shapely

from analysis.hotspots import LazyLayers
from core.runner import run_analysis

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("geopandas", "pandas", "pyogrio", "shapely", "pyarrow")
RUN = """
import runpy, sys
sys.argv = ["main.py", *sys.argv[1:]]
try:
    runpy.run_path("main.py", run_name="__main__")
except SystemExit as exc:
    code = exc.code
else:
    code = 0
print("LOADED", sorted(m for m in {heavy!r} if m in sys.modules), code)
"""


def _events(path: Path, n: int = 3000) -> Path:
    rng = np.random.default_rng(11)
    x = np.concatenate([rng.normal(500_000, 3_000, n // 2), rng.uniform(480_000, 530_000, n // 2)])
    y = np.concatenate([rng.normal(150_000, 2_000, n // 2), rng.uniform(130_000, 170_000, n // 2)])
    frame = gpd.GeoDataFrame({"a": np.arange(len(x))}, geometry=shapely.points(x, y), crs=32618)
    frame.to_file(path, engine="pyogrio")
    return path


def _cli(out: Path, events: Path) -> tuple[list[str], int]:
    args = ["analyze", "hotspots", "--events", str(events), "--method", "kde"]
    args += ["--cell-m", "500", "--radius-m", "2000", "--out", str(out), "--json", "--quiet"]
    code = RUN.format(heavy=HEAVY)
    done = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    line = [s for s in done.stdout.splitlines() if s.startswith("LOADED")][-1]
    loaded = eval(line.split(" ", 1)[1].rsplit(" ", 1)[0])  # noqa: S307 - our own print
    return loaded, int(line.rsplit(" ", 1)[1])


def test_kde_to_geotiff_imports_no_geopandas_and_equals_the_in_process_density(tmp_path):
    events = _events(tmp_path / "ev.gpkg")
    loaded, code = _cli(tmp_path / "d.tif", events)
    assert code == 0
    assert loaded == []
    params = {"events": str(events), "method": "kde", "cell_m": 500, "radius_m": 2000}
    result = run_analysis("hotspots", params)
    with rasterio.open(tmp_path / "d.tif") as ds:
        written = ds.read(1)
    expected = result.rasters["density"].values.astype(np.float32)
    np.testing.assert_array_equal(written, expected)


def test_kde_to_geopackage_writes_the_layer_built_in_process(tmp_path):
    events = _events(tmp_path / "ev.gpkg")
    loaded, code = _cli(tmp_path / "cells.gpkg", events)
    assert code == 0
    assert "geopandas" in loaded  # the layer asked for: built and written
    params = {"events": str(events), "method": "kde", "cell_m": 500, "radius_m": 2000}
    expected = run_analysis("hotspots", params).layers["hotspots"]
    written = gpd.read_file(tmp_path / "cells.gpkg", layer="hotspots")
    assert len(written) == len(expected) > 0
    np.testing.assert_allclose(written["density"], expected["density"])
    assert shapely.equals(written.geometry.values, expected.geometry.values).all()


def test_lazy_layers_build_once_when_looked_at():
    calls = []

    def build():
        calls.append(1)
        return gpd.GeoDataFrame({"v": [1]}, geometry=[shapely.box(0, 0, 1, 1)], crs=32618)

    layers = LazyLayers({"hotspots": build})
    assert len(layers) == 1 and list(layers) == ["hotspots"] and calls == []
    first = layers["hotspots"]
    assert dict(layers.items())["hotspots"] is first and list(layers.values())[0] is first
    assert calls == [1]


def test_kde_geotiff_opens_as_a_raster_layer_equal_to_its_table(tmp_path):
    """Issue 15: the density written as GeoTIFF is a layer like any raster, and each cell of the
    polygon table has the value of the pixel at its centre."""
    from layers.readers import read_layers

    events = _events(tmp_path / "ev.gpkg")
    _, code = _cli(tmp_path / "d.tif", events)
    assert code == 0
    layer = read_layers(tmp_path / "d.tif")[0]
    assert layer.kind == "raster" and layer.crs.to_epsg() == 32618
    info = layer.info
    pixels = layer.read_window(info.bounds, (info.height, info.width))
    params = {"events": str(events), "method": "kde", "cell_m": 500, "radius_m": 2000}
    table = run_analysis("hotspots", params).layers["hotspots"]
    centres = table.geometry.centroid
    west, north = info.bounds[0], info.bounds[3]
    cols = ((centres.x - west) // info.resolution[0]).astype(int).to_numpy()
    rows = ((north - centres.y) // info.resolution[1]).astype(int).to_numpy()
    np.testing.assert_allclose(pixels[rows, cols], table["density"].to_numpy(), rtol=1e-6)
    assert np.count_nonzero(pixels) == len(table)  # zero cells are left out of the table only
