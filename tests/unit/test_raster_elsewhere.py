"""A raster in the project or on the command line never breaks the vector-only paths."""

from __future__ import annotations

from pathlib import Path

import fixtures_factory as ff
import numpy as np
import pytest
from affine import Affine

from analysis.inputs import InputError, resolve_layer
from cartography.webmap import export_webmap
from layers.project import Project
from layers.readers import read_layers

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_maps" / "sample.hatlas.json"


@pytest.fixture
def grid(tmp_path: Path) -> Path:
    path = tmp_path / "lossyear.tif"
    values = np.arange(100, dtype=np.uint8).reshape(10, 10) % 24
    return ff.geotiff(path, values, Affine(0.01, 0, -74.0, 0, -0.01, 4.0), crs="EPSG:4326")


def test_an_analysis_given_a_raster_says_it_needs_a_vector_layer(grid: Path) -> None:
    with pytest.raises(InputError, match="is a raster; this needs a vector layer"):
        resolve_layer(str(grid))


def test_the_web_map_carries_rasters_as_embedded_images(grid: Path, tmp_path: Path) -> None:
    project = Project.load(SAMPLE)
    layer = read_layers(grid)[0]
    project.layers.append(layer)
    out = export_webmap(project, tmp_path / "map.html")
    page = out.read_text(encoding="utf-8")
    assert "<html" in page.lower() and "var haRasters" in page  # tests/e2e/test_webmap_rasters.py
    assert layer.name in page and "http://" not in page and "https://" not in page


def test_the_desktop_reads_a_big_raster_in_process_and_skips_warming_it(grid: Path) -> None:
    """Files above the size limit go to a child process that hands back vectors only; a raster
    is read in windows per view, so it stays in process whatever its size."""
    pytest.importorskip("PySide6")
    from desktop.loading import load_files
    from layers.feedback import Feedback

    outcome = load_files([grid], Feedback(), crs="EPSG:32618", process_threshold=0)
    assert not outcome.errors, [e.one_line() for e in outcome.errors]
    assert [layer.kind for layer in outcome.layers] == ["raster"]
