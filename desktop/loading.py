"""Loading files and projects off the GUI thread: the work functions the workers run.

Each function takes a Feedback, reports progress, and returns plain objects; the window
adds the layers on the GUI thread. Per-file errors are collected, never raised, so one
broken file does not stop the others.
"""

from __future__ import annotations

import logging
import multiprocessing
import pickle
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
from pyproj import CRS

from analysis.base import Feedback
from layers.errors import LayerLoadError
from layers.i18n import tr, tr_noop
from layers.layer import Layer, LayerSource, is_raster
from layers.project import Project
from layers.report import LoadReport
from layers.roles import FieldMapping, Role
from layers.style import Style

if TYPE_CHECKING:  # drawing modules load when a map is prepared, not in the reading process
    from cartography.render import MapRenderer

log = logging.getLogger("harm_atlas.desktop")

# Above this size a file is read in a separate process: reading 400k polygons on a thread
# starved the GUI of the GIL (docs/traps.md); the child hands back Arrow files that load fast.
BIG_FILE_BYTES = 48 * 1024**2

# English (tr_noop); the file dialogs show tr(LAYER_FILE_FILTER) in the active language.
LAYER_FILE_FILTER = tr_noop(
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
        if is_raster(layer):
            continue  # nothing to reproject or index: windows are read per view
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
    from layers.readers import is_raster_path

    reader = layer_reader()
    outcome = LoadOutcome()
    for i, spec in enumerate(paths):
        # 'data.gpkg::rivers': one layer the user picked from a multi-layer file.
        path, _, sublayer = str(spec).partition("::")
        feedback.check()
        feedback.set_progress(100.0 * i / max(1, len(paths)), Path(path).name)
        try:
            # A raster is read in windows when drawn: no child process, whatever its size.
            if file_size(Path(path)) > process_threshold and not is_raster_path(Path(path)):
                outcome.layers.extend(read_in_process(Path(path), feedback, sublayer or None))
            else:
                outcome.layers.extend(reader(Path(path), sublayer=sublayer or None))
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


# Keys of the load times (OpenedProject.seconds) beside the layers' names.
PREPARING = "preparing the map"  # prepare_map
REPROJECTING = "reprojecting and indexing"  # warm()


def load_project(
    path: str | Path, feedback: Feedback, seconds: dict[str, float] | None = None
) -> Project:
    """Read a project and its layers (missing layers land in project.load_errors).

    `seconds`, when given, receives how long each layer took to read, by layer name, and
    under REPROJECTING the time warm() took.
    """
    read = layer_reader()
    named: list[str] = []

    def timed(source: Path, **kwargs) -> list[Layer]:
        began = time.perf_counter()
        try:
            return read(source, **kwargs)
        finally:
            if seconds is not None and named:
                seconds[named[-1]] = time.perf_counter() - began

    def reading(percent: float, name: str) -> None:
        named.append(name)  # the layer whose read `timed` is about to measure

    project = Project.load(path, reader=timed, feedback=feedback.part(0, 100, reading))
    began = time.perf_counter()
    warm(list(project.layers), project.metric_crs, feedback)
    if seconds is not None:
        seconds[REPROJECTING] = time.perf_counter() - began
    return project


@dataclass
class OpenedProject:
    """A project read off the GUI thread, with what its first map needs already built."""

    project: Project
    renderer: MapRenderer
    seconds: dict[str, float] = field(default_factory=dict)  # per layer, then the map's share


def open_project_for_map(
    path: str | Path, feedback: Feedback, view_size: tuple[int, int, float] | None = None
) -> OpenedProject:
    """load_project, then prepare_map for a canvas of `view_size` (MapCanvas.view_size)."""
    seconds: dict[str, float] = {}
    project = load_project(path, feedback, seconds)
    began = time.perf_counter()
    renderer = prepare_map(project, feedback, view_size)
    seconds[PREPARING] = time.perf_counter() - began
    return OpenedProject(project, renderer, seconds)


def prepare_map(
    project: Project, feedback: Feedback, view_size: tuple[int, int, float] | None = None
) -> MapRenderer:
    """A MapRenderer for `project` with the first render's work done here, on the worker.

    Per layer: the drawing caches (metric copy, index, classes) and, for the view a canvas
    of `view_size` (width, height, device pixel ratio: MapCanvas.view_size) opens on (desktop.canvas.opening_view), the period mask and the
    simplified paths, by laying out the layer's artists on a figure of the canvas's size
    that is never drawn. Without labels: text would use matplotlib's font cache, which the
    canvas's render thread may be using. The panels' per-layer facts (desktop/frame_memo.py)
    are computed here too.
    The canvas adopts the renderer (MapCanvas.set_project) and then only draws.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from cartography.render import MapRenderer, MapView, clear_map
    from desktop.canvas import opening_view
    from desktop.layers_dock import geometry_kind
    from desktop.time_panel import years_of

    renderer = MapRenderer()
    layers = list(project.layers)
    crs = project.metric_crs
    view = opening_view(project, view_size[0], view_size[1]) if view_size and layers else None
    axes = None
    if view is not None:
        width, height, dpr = view_size
        figure = Figure(dpi=100)  # as the canvas's: 100 dpi, so a figure pixel is a device pixel
        figure.set_size_inches(max(1, round(width * dpr)) / 100, max(1, round(height * dpr)) / 100)
        FigureCanvasAgg(figure)
        axes = figure.add_axes((0.0, 0.0, 1.0, 1.0))
    for i, layer in enumerate(layers):
        feedback.check()
        feedback.set_progress(100.0 * i / len(layers), tr("preparing {n}").format(n=layer.name))
        try:
            years_of(layer)  # what the time bar and the layer icons ask on the GUI thread
            geometry_kind(layer)
            renderer.classification_for(layer, view or MapView(crs, (0, 0, 1, 1)))
            if axes is not None:
                renderer.render(axes, [layer], view, labels=False, set_extent=False)
                clear_map(axes)
        except Exception:  # noqa: BLE001 - an optimisation: the canvas's render reports errors
            log.debug("Preparing %s for the map failed", layer.name, exc_info=True)
    return renderer


# --- big files: read in a child process, hand back Arrow -------------------------------------
def _child_read(path: str, out_dir: str, sublayer: str | None = None) -> None:
    """Runs in the child: read with the one reader, write each layer as Feather + a manifest."""
    manifest: dict = {"layers": [], "error": None}
    try:
        for i, layer in enumerate(layer_reader()(Path(path), sublayer=sublayer)):
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


def read_in_process(path: Path, feedback: Feedback, sublayer: str | None = None) -> list[Layer]:
    """read_layers(path) in a spawned process; cancel kills it. Raises LayerLoadError."""
    out_dir = tempfile.mkdtemp(prefix="harm-atlas-load-")
    try:
        process = multiprocessing.get_context("spawn").Process(
            target=_child_read, args=(str(path), out_dir, sublayer), daemon=True
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
