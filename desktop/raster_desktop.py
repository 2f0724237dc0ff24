"""Raster layers in the main window (a mixin of MainWindow) and identify on their pixels.

Adding rasters (Layer ▸ Add Raster Layer…, Ctrl+Shift+R as in QGIS, and a folder of tiles)
goes through the same background loading and undo step as vector files. The layer panel
shows a raster's metadata (desktop/raster_info.py); "Build overviews" runs RasterLayer.build_overviews as a background task with
progress and Cancel. Why a view could not be drawn (MapRenderer.raster_errors) goes to the
Messages panel once per layer and message, not on every redraw. Identify reads the clicked
pixel (a 1×1 window) in the raster's own CRS.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pyproj import CRS, Transformer
from PySide6.QtWidgets import (
    QFileDialog,
)
from rasterio.errors import RasterioError
from rasterio.windows import Window

from desktop.raster_style_dialog import RasterStyleDialog
from desktop.undo import SetLayerAttributes
from layers.errors import LayerLoadError
from layers.i18n import tr, tr_noop
from layers.layer import is_raster
from layers.numbers import number
from layers.raster import RasterLayer, loss_year
from layers.raster_style import RasterStyle

# English (tr_noop); the file dialog shows tr(RASTER_FILE_FILTER) in the active language.
RASTER_FILE_FILTER = tr_noop(
    "Raster layers (*.tif *.tiff *.vrt *.asc *.img);;GeoTIFF (*.tif *.tiff);;"
    "VRT mosaics (*.vrt);;ASCII grids (*.asc);;All files (*)"
)


# --- identify -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class RasterHit:
    """The pixel under an identify click: its stored values (one per band; None = nodata)
    and, for classes and loss years, what the value means."""

    layer: RasterLayer
    values: tuple[float | None, ...]
    meaning: str = ""

    @property
    def value(self) -> float | None:
        return self.values[0] if self.values else None

    def text(self, with_meaning: bool = True) -> str:
        shown = ", ".join(tr("nodata") if v is None else number(v) for v in self.values)
        return f"{shown} ({self.meaning})" if self.meaning and with_meaning else shown


def pixel_at(layer: RasterLayer, crs: CRS, x: float, y: float) -> RasterHit | None:
    """The pixel of `layer` at map point (x, y) in `crs`, reprojected into the raster's CRS
    and read as a 1×1 window; None outside the raster."""
    info = layer.info
    if info.crs is not None and CRS.from_user_input(crs) != info.crs:
        rx, ry = Transformer.from_crs(crs, info.crs, always_xy=True).transform(x, y)
    else:
        rx, ry = x, y
    if not (math.isfinite(rx) and math.isfinite(ry)):
        return None
    col, row = ~info.transform @ (rx, ry)
    col, row = int(math.floor(col)), int(math.floor(row))
    if not (0 <= col < info.width and 0 <= row < info.height):
        return None
    bands = list(layer.style.bands) if layer.style.kind == "rgb" and info.band_count >= 3 else [1]
    try:
        with layer.open() as src:
            pixel = src.read(bands, window=Window(col, row, 1, 1), masked=True)
    except (RasterioError, OSError) as exc:
        raise LayerLoadError(
            layer.source.path, tr("its pixel could not be read ({e}).").format(e=exc), ""
        ) from None
    values = tuple(
        None if np.ma.is_masked(v) else float(v) for v in np.ma.asarray(pixel).reshape(-1)
    )
    if layer.style.kind == "continuous" and values[0] is not None:
        values = (float(layer.scaled(np.array([values[0]]))[0]),)
    return RasterHit(layer, values, _meaning(layer, values[0]))


def _meaning(layer: RasterLayer, value: float | None) -> str:
    """The class name of a value: the style's class label, or the loss year."""
    if value is None:
        return ""
    style = layer.style
    if style.kind == "loss_year" or (layer.is_loss_year and style.kind == "classified"):
        year = loss_year(int(value))
        return tr("No loss") if year is None else tr("Loss in {y}").format(y=year)
    if style.kind == "classified":
        for c in style.classes:
            if c.value == value:
                return c.label
    return ""


def raster_hits_at(layers, crs: CRS, x: float, y: float) -> list[RasterHit]:
    """Visible rasters' pixels at (x, y), top layer first; unreadable ones are skipped."""
    hits = []
    for layer in reversed([lay for lay in layers if is_raster(lay) and lay.visible]):
        try:
            hit = pixel_at(layer, crs, x, y)
        except LayerLoadError:
            continue
        if hit is not None:
            hits.append(hit)
    return hits


# --- the main window's part ---------------------------------------------------------------------
class RasterWindow:
    """Add Raster Layer…, tile folders, Build overviews and raster draw errors for MainWindow."""

    def add_raster_dialog(self) -> None:
        self.add_files_dialog("raster", tr("Add raster layers"), tr(RASTER_FILE_FILTER))

    def add_raster_folder_dialog(self) -> None:
        start = str(self.start_folder("raster"))
        folder = QFileDialog.getExistingDirectory(self, tr("Add a folder of raster tiles"), start)
        if folder:
            self.remember_folder("raster", Path(folder).parent)
            self.add_layers_from([folder])

    def edit_raster_style(self, layer: RasterLayer):
        """The raster style dialog (non-modal); Apply and OK change style and opacity as one
        undo step."""
        dialog = RasterStyleDialog(layer, self)

        def apply() -> None:
            style = dialog.checked_style()
            if style is not None:
                self.apply_raster_style(layer, style, dialog.opacity())

        dialog.apply_button.clicked.connect(apply)
        dialog.accepted.connect(apply)
        dialog.open()
        self._raster_style_dialog = dialog  # kept alive while open (and for tests)
        return dialog

    def apply_raster_style(self, layer: RasterLayer, style: RasterStyle, opacity: float) -> None:
        values = {
            name: value
            for name, value in (("style", style), ("opacity", opacity))
            if getattr(layer, name) != value
        }
        if values:
            self.undo_stack.push(
                SetLayerAttributes(layer, values, tr("Style of {n}").format(n=layer.name))
            )

    def current_raster(self) -> RasterLayer | None:
        layer = self.state.current_layer
        return layer if is_raster(layer) else None

    def build_overviews_for_current(self) -> None:
        layer = self.current_raster()
        if layer is None:
            self.messages.warning(tr("Choose a raster layer first to build its overviews."))
            return
        self.build_overviews(layer)

    def build_overviews(self, layer: RasterLayer):
        """Build the raster's overviews in the background (progress, Cancel); then redraw.

        The work runs on a stand-in layer of the same file so the real one changes (and
        tells the map) on the GUI thread only."""
        stand_in = RasterLayer(
            layer.source, layer.info, layer.name, dataset_path=layer.dataset_path,
            style=layer.style,
        )  # fmt: skip

        def done(factors: tuple[int, ...]) -> None:
            layer.info = stand_in.info
            self.canvas.renderer.map_renderer.raster_errors.pop(layer.id, None)
            self.layers_panel.model.problems.pop(layer.id, None)
            self.canvas.renderer.forget(layer)
            layer.changed.emit("overviews")  # the panel and the map read it anew
            self.messages.info(
                tr("Overviews of {n} built: {f}.").format(
                    n=layer.name, f=", ".join(f"1:{f}" for f in factors)
                )
            )

        return self.run_task(
            lambda fb: stand_in.build_overviews(feedback=fb),
            tr("Building overviews of {n}").format(n=layer.name),
            done,
        )

    def _check_raster_errors(self, *_args) -> None:
        """After a render: say once in Messages why a raster showed nothing, and offer the
        remedy in the layer panel (a warning on its row, Build overviews in its menu)."""
        errors = dict(self.canvas.renderer.map_renderer.raster_errors)
        layers = {lay.id: lay for lay in self.project.layers.rasters()}
        shown = self.layers_panel.model.problems  # layer.id -> the problem already told
        for layer_id, message in errors.items():
            layer = layers.get(layer_id)
            if layer is None or shown.get(layer_id) == message:
                continue
            shown[layer_id] = message
            hint = (
                " " + tr("Right-click it in the Layers panel and choose Build overviews.")
                if "overview" in message.lower()
                else ""
            )
            self.messages.warning(f"{layer.name}: {message}{hint}")
            self.layers_panel.model.layer_problem_changed(layer)
        for layer_id in [i for i in shown if i not in errors]:
            del shown[layer_id]  # drawn again: a later failure is news
            if layer_id in layers:
                self.layers_panel.model.layer_problem_changed(layers[layer_id])
