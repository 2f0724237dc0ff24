"""View ▸ Basemap: None, or one of the basemap sources added to the project, and adding one.

A basemap is a layer of the project (layers/basemap.py): choosing one shows it at the bottom
of the draw order and hides the others; None hides them all. Adding checks the source can be
read and lies over the project; what is wrong goes to the Messages panel in one line.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QActionGroup
from PySide6.QtWidgets import QFileDialog, QMenu

from layers.basemap import BasemapLayer, check_overlap, is_basemap, open_basemap
from layers.errors import LayerLoadError
from layers.i18n import tr


class BasemapMenu:
    """The View ▸ Basemap submenu of `window` (desktop/window_actions.py), filled as it opens."""

    def __init__(self, window, parent: QMenu) -> None:
        self.window = window
        self.menu = parent.addMenu("")
        self.menu.setObjectName("menu_basemap")
        window.translated(lambda: self.menu.setTitle(tr("&Basemap")))
        self.menu.aboutToShow.connect(self.fill)

    def basemaps(self) -> list[BasemapLayer]:
        return [layer for layer in self.window.project.layers if is_basemap(layer)]

    def fill(self) -> None:
        self.menu.clear()
        group = QActionGroup(self.menu)
        group.setExclusive(True)
        shown = [b for b in self.basemaps() if b.visible]
        none = self.menu.addAction(tr("None"))
        none.setObjectName("action_basemap_none")
        choices = [(none, None)] + [(self.menu.addAction(b.name), b) for b in self.basemaps()]
        for action, layer in choices:
            action.setCheckable(True)
            action.setChecked(layer is None and not shown or bool(shown) and layer is shown[0])
            action.triggered.connect(lambda _=False, lay=layer: self.choose(lay))
            group.addAction(action)
        self.menu.addSeparator()
        add = self.menu.addAction(tr("Add basemap source…"))
        add.setObjectName("action_basemap_add")
        add.triggered.connect(lambda: self.add_source())
        folder = self.menu.addAction(tr("Add basemap tile folder…"))
        folder.setObjectName("action_basemap_add_folder")
        folder.triggered.connect(lambda: self.add_source(folder=True))

    def choose(self, layer: BasemapLayer | None) -> None:
        """Show `layer` (at the bottom) and hide every other basemap; None hides them all."""
        layers = self.window.project.layers
        for other in self.basemaps():
            other.visible = other is layer
        if layer is not None and layers.index(layer) != 0:
            layers.move(layers.index(layer), 0)  # under every data layer

    def add_source(
        self, path: str | Path | None = None, *, folder: bool = False
    ) -> BasemapLayer | None:
        """Add an .mbtiles/.gpkg file or an XYZ folder as a basemap and show it; asks for the
        path when none is given. None (said in Messages) when it cannot be used."""
        if path is None:
            start = str(self.window.start_folder("basemap"))
            if folder:
                path = QFileDialog.getExistingDirectory(
                    self.window, tr("Folder of {z}/{x}/{y} tiles"), start
                )
            else:
                path, _ = QFileDialog.getOpenFileName(
                    self.window,
                    tr("Add basemap source"),
                    start,
                    tr("Basemaps (*.mbtiles *.gpkg)"),
                )
            if not path:
                return None
            self.window.remember_folder("basemap", Path(path).parent)
        project = self.window.project
        try:
            layer = open_basemap(path)
            check_overlap(layer, project.lonlat_bounds())
        except LayerLoadError as exc:
            self.window.messages.warning(exc.one_line())
            return None
        layer.name = project.layers.unique_name(layer.name)
        project.layers.insert(0, layer)
        self.choose(layer)
        self.window.messages.info(
            tr("Basemap {name} added ({credit}).").format(
                name=layer.name, credit=layer.attribution or tr("no attribution in the file")
            )
        )
        return layer


__all__ = ["BasemapMenu"]
