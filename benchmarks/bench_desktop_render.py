"""The desktop canvas at scale: time from a pan or zoom to the new image, and GUI gaps.

benchmarks/ must not import Qt or desktop/, and desktop/ must not import benchmarks/ (the
import contracts in pyproject.toml), so this writes bench_render's 100,000 polygons and
1,000,000 points as a project of GeoParquet files in a temporary folder and launches
desktop/render_benchmark.py on it in its own interpreter.
Run: python -m benchmarks.bench_desktop_render [--pause MS] [--each]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from benchmarks.bench_render import SIZE, layers
from benchmarks.desktop_launch import launch
from layers.layer import LayerSource
from layers.project import Project

# bench_render's full view: a 4:3 window on its 400 km square, as the 1600x1200 canvas shows it.
FULL_EXTENT = (300_000.0, 200_000.0, 300_000.0 + SIZE, 200_000.0 + SIZE * 0.75)


def write_project(folder: Path) -> Path:
    """bench_render's layers as GeoParquet (about 2 s to write and 2 s to read back at 1M
    points; a GeoPackage takes far longer) and a project naming them, in `folder`."""
    project = Project(title="bench")
    for layer in layers(100_000, 1_000_000):
        path = folder / f"{layer.name}.parquet"
        layer.data.to_parquet(path)
        layer.source = LayerSource(str(path))  # so saving does not copy it into a GeoPackage
        project.add(layer)
    project.metric_crs = "EPSG:32618"
    return project.save(folder / "bench.hatlas.json")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as folder:
        project = write_project(Path(folder))
        extent = ",".join(str(v) for v in FULL_EXTENT)
        sys.exit(launch("desktop.render_benchmark", [str(project), f"--extent={extent}"]))
