"""Loading files and projects off the GUI thread: the work functions the workers run.

Each function takes a Feedback, reports progress, and returns plain objects; the window
adds the layers on the GUI thread. Per-file errors are collected, never raised, so one
broken file does not stop the others.
"""

from __future__ import annotations

import multiprocessing
import pickle
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
from pyproj import CRS

from analysis.base import Feedback
from layers.errors import LayerLoadError
from layers.i18n import tr
from layers.layer import Layer, LayerSource
from layers.project import Project
from layers.report import LoadReport
from layers.roles import FieldMapping, Role
from layers.style import Style

# Above this size a file is read in a separate process: reading 400k polygons on a thread
# starved the GUI of the GIL (docs/traps.md); the child hands back Arrow files that load fast.
BIG_FILE_BYTES = 48 * 1024**2

LAYER_FILE_FILTER = tr(
    "Vector layers (*.gpkg *.shp *.geojson *.json *.fgb *.csv *.xlsx *.kml *.gml *.zip);;"
    "All files (*)"
)


def layer_reader() -> Callable[..., list[Layer]]:
    """The readers helper's read_layers (the one reader for every front end)."""
    from layers.readers import read_layers

    return read_layers


def warm(layers: Sequence[Layer], crs: CRS | None, feedback: Feedback | None = None) -> None:
    """Reproject and index on the worker so the first draw on the GUI thread is cheap."""
    if crs is None:
        return
    for layer in layers:
        if feedback is not None:
            feedback.check()
        try:
            metric = layer.to_metric(crs)
            if not metric.empty:
                metric.sindex  # noqa: B018 - build the spatial index now, not at first identify
        except Exception:  # noqa: BLE001 - warming is an optimisation; drawing reports real errors
            pass


@dataclass
class LoadOutcome:
    layers: list[Layer] = field(default_factory=list)
    errors: list[LayerLoadError] = field(default_factory=list)


def file_size(path: Path) -> int:
    """Bytes of a file with its sidecars (a shapefile's .dbf holds most of it)."""
    if path.suffix.lower() == ".shp":
        return sum(p.stat().st_size for p in path.parent.glob(path.stem + ".*") if p.is_file())
    return path.stat().st_size if path.exists() else 0


def load_files(
    paths: Sequence[str | Path],
    feedback: Feedback,
    crs: CRS | None = None,
    process_threshold: int = BIG_FILE_BYTES,
) -> LoadOutcome:
    """Read every path; a broken file becomes a LayerLoadError in the outcome."""
    reader = layer_reader()
    outcome = LoadOutcome()
    for i, path in enumerate(paths):
        feedback.check()
        feedback.set_progress(100.0 * i / max(1, len(paths)), Path(path).name)
        try:
            if file_size(Path(path)) > process_threshold:
                outcome.layers.extend(read_in_process(Path(path), feedback))
            else:
                outcome.layers.extend(reader(Path(path)))
        except LayerLoadError as exc:
            outcome.errors.append(exc)
        except Exception as exc:  # noqa: BLE001 - the reader boundary: any failure is a message
            outcome.errors.append(
                LayerLoadError(
                    path,
                    tr("could not be read ({e}).").format(e=f"{type(exc).__name__}: {exc}"),
                    tr("Check that the file opens in another GIS; if it does, report this."),
                )
            )
    warm(outcome.layers, crs, feedback)
    feedback.set_progress(100.0, "")
    return outcome


def load_project(path: str | Path, feedback: Feedback) -> Project:
    """Read a project and its layers (missing layers land in project.load_errors)."""

    def progress(i: int, n: int, name: str) -> None:
        feedback.check()
        feedback.set_progress(100.0 * i / max(1, n), name)

    project = Project.load(path, reader=layer_reader(), on_progress=progress)
    warm(list(project.layers), project.metric_crs, feedback)
    return project


# --- big files: read in a child process, hand back Arrow -------------------------------------
def _child_read(path: str, out_dir: str) -> None:
    """Runs in the child: read with the one reader, write each layer as Feather + a manifest."""
    manifest: dict = {"layers": [], "error": None}
    try:
        for i, layer in enumerate(layer_reader()(Path(path))):
            target = Path(out_dir) / f"layer_{i}.arrow"
            layer.data.to_feather(target)
            manifest["layers"].append(
                {
                    "data": str(target),
                    "name": layer.name,
                    "source": layer.source.to_dict(),
                    "role": layer.role.value,
                    "role_confidence": layer.role_confidence,
                    "mapping": layer.mapping.to_dict(),
                    "style": layer.style.to_dict(),
                    "report": layer.report.to_dict(),
                    "metadata": layer.metadata,
                }
            )
    except LayerLoadError as exc:  # exceptions with extra init args do not pickle: send fields
        manifest["error"] = (exc.path, exc.problem, exc.remedy)
    except Exception as exc:  # noqa: BLE001 - the reader boundary
        manifest["error"] = (
            path,
            f"could not be read ({type(exc).__name__}: {exc}).",
            "Check that the file opens in another GIS; if it does, report this.",
        )
    (Path(out_dir) / "manifest.pickle").write_bytes(pickle.dumps(manifest))


ARROW_CHUNK = 25_000


def read_arrow_in_chunks(path: Path, feedback: Feedback) -> gpd.GeoDataFrame:
    """Feather -> GeoDataFrame, decoding WKB in slices with a pause between them.

    Arrow reading and column conversion release the GIL; decoding 400k geometries in one
    call held it for about a second, so it is cut into slices the GUI can slip between.
    """
    import json

    import numpy as np
    import pyarrow.feather as feather
    import shapely

    table = feather.read_table(path)
    geo = json.loads(table.schema.metadata[b"geo"])
    name = geo["primary_column"]
    column = geo["columns"][name]
    frame = table.drop_columns([name]).to_pandas()
    wkb = table.column(name).to_numpy(zero_copy_only=False)
    parts = []
    for start in range(0, len(wkb), ARROW_CHUNK):
        feedback.check()
        parts.append(shapely.from_wkb(wkb[start : start + ARROW_CHUNK]))
        time.sleep(0.002)  # hand the GIL to the GUI thread between slices
    geometry = np.concatenate(parts) if parts else np.empty(0, dtype=object)
    crs = column.get("crs")
    frame[name] = gpd.GeoSeries(geometry, index=frame.index, crs=crs)
    return gpd.GeoDataFrame(frame, geometry=name, crs=crs)


def read_in_process(path: Path, feedback: Feedback) -> list[Layer]:
    """read_layers(path) in a spawned process; cancel kills it. Raises LayerLoadError."""
    out_dir = tempfile.mkdtemp(prefix="harm-atlas-load-")
    try:
        process = multiprocessing.get_context("spawn").Process(
            target=_child_read, args=(str(path), out_dir), daemon=True
        )
        process.start()
        started = time.monotonic()
        while process.is_alive():
            if feedback.canceled:
                process.kill()
                process.join()
                feedback.check()
            feedback.info(
                tr("reading {f} in the background ({s:.0f} s)").format(
                    f=path.name, s=time.monotonic() - started
                )
            )
            process.join(0.1)
        manifest_file = Path(out_dir) / "manifest.pickle"
        if not manifest_file.exists():
            raise LayerLoadError(
                path,
                tr("the reading process stopped unexpectedly (exit code {c}).").format(
                    c=process.exitcode
                ),
                tr("The file may be too large for this computer's memory; try a smaller extract."),
            )
        manifest = pickle.loads(manifest_file.read_bytes())
        if manifest["error"]:
            raise LayerLoadError(*manifest["error"])
        layers = []
        for entry in manifest["layers"]:
            feedback.check()
            layers.append(
                Layer(
                    read_arrow_in_chunks(Path(entry["data"]), feedback),
                    entry["name"],
                    source=LayerSource.from_dict(entry["source"]),
                    role=Role(entry["role"]),
                    role_confidence=entry["role_confidence"],
                    mapping=FieldMapping.from_dict(entry["mapping"]),
                    style=Style.from_dict(entry["style"]),
                    report=LoadReport.from_dict(entry["report"]),
                    metadata=entry["metadata"],
                )
            )
        return layers
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)
