"""`analyze --list` and the --help pages never import rasterio (~80 ms of a ~1 s start-up):
layers/raster.py, which every analysis module reaches, imports it on the first read only."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUN = """
import runpy, sys
sys.argv = ["main.py", *sys.argv[1:]]
try:
    runpy.run_path("main.py", run_name="__main__")
except SystemExit:
    pass
print("LOADED", sorted(m for m in sys.modules if m == "rasterio" or m.startswith("rasterio.")))
"""


@pytest.mark.parametrize("args", [["analyze", "--list"], ["--help"], ["analyze", "--help"]])
def test_listing_and_help_do_not_import_rasterio(args: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", RUN, *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    line = [s for s in done.stdout.splitlines() if s.startswith("LOADED")][-1]
    assert line == "LOADED []", line
    assert done.stdout.count("\n") > 1  # the listing or help text was printed


def test_a_raster_still_opens_and_reads_after_the_lazy_import(tmp_path) -> None:
    import numpy as np
    import rasterio
    from affine import Affine

    from layers.raster import open_raster

    with rasterio.open(
        tmp_path / "x.tif", "w", driver="GTiff", width=4, height=4, count=1, dtype="uint8",
        crs="EPSG:32618", transform=Affine(30, 0, 500_000, 0, -30, 200_000),
    ) as dst:  # fmt: skip
        dst.write(np.arange(16, dtype=np.uint8).reshape(4, 4), 1)
    layer = open_raster(tmp_path / "x.tif")
    got = layer.read_window(layer.info.bounds, (4, 4))
    assert got.tolist() == np.arange(16).reshape(4, 4).tolist()
