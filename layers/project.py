"""Projects: the layers, their styles, the view and the period, saved as versioned JSON.

Saves are atomic (write a temporary file beside the target, fsync, rename) so a crash
never leaves half a project. Paths are stored relative to the project file.
"""

from __future__ import annotations

import glob
import json
import os
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pyproj import CRS

from layers.crs import WGS84, choose_metric_crs, lonlat_bounds
from layers.custom_indicators import CustomIndicator, follow_layers, indicators_from
from layers.errors import LayerLoadError, ProjectError
from layers.feedback import Feedback
from layers.i18n import tr, tr_noop
from layers.layer import Layer, LayerList, LayerSource, is_raster
from layers.project_schema import PROJECT_FORMAT, PROJECT_VERSION, check_project
from layers.report import LoadReport
from layers.roles import FieldMapping, Role
from layers.style import Style
from layers.timefilter import TimeFilter

PROJECT_SUFFIX = ".hatlas.json"
SYNTHETIC_NOTE = tr_noop("Synthetic demonstration data: not real observations.")


@dataclass
class Project:
    """Headless application state: what the desktop shows and the CLI works on."""

    layers: LayerList = field(default_factory=LayerList)
    title: str = ""
    path: Path | None = None
    time_filter: TimeFilter | None = None
    extent: tuple[float, float, float, float] | None = None  # in the metric CRS
    metadata: dict = field(default_factory=dict)
    _metric_crs: CRS | None = None
    load_errors: list[LayerLoadError] = field(default_factory=list)
    partial: bool = False  # only some layers were read (one command's): never saved
    entry_names: list[str] = field(default_factory=list)  # every layer the file names
    # Columns of joined region tables used as indicators (layers/custom_indicators.py).
    indicators: list[CustomIndicator] = field(default_factory=list)
    edits: dict[int, LayerSource] = field(default_factory=dict)  # layer.id -> its edits table
    # The language ('es', 'en') the last export from this project was written in: the export
    # dialogs pre-select it next time (docs/translations.md). None: never exported.
    export_language: str | None = None

    def __post_init__(self) -> None:
        # Table indicators name their layer: renames and removals of it carry them along.
        follow_layers(self)

    # --- CRS ------------------------------------------------------------------------
    @property
    def metric_crs(self) -> CRS:
        """The projected CRS all distances and areas use (chosen from the data's extent)."""
        if self._metric_crs is None:
            bounds = self.lonlat_bounds()
            if bounds is None:
                return CRS.from_epsg(3857)
            self._metric_crs = choose_metric_crs(bounds)
        return self._metric_crs

    @metric_crs.setter
    def metric_crs(self, crs: CRS | str | None) -> None:
        self._metric_crs = None if crs is None else CRS.from_user_input(crs)

    def vector_layers(self) -> list[Layer]:
        """The layers with features, in draw order (rasters have none)."""
        return self.layers.vectors()

    def lonlat_bounds(self) -> tuple[float, float, float, float] | None:
        boxes = [
            lonlat_bounds(layer.data) for layer in self.vector_layers() if not layer.data.empty
        ]
        # A basemap's tiles may cover the world: the project's area is its data's.
        boxes += [
            _raster_lonlat_bounds(layer)
            for layer in self.layers.rasters()
            if not getattr(layer, "basemap", False)
        ]
        boxes = [b for b in boxes if all(v == v for v in b)]
        if not boxes:
            return None
        return (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )

    def full_extent(self) -> tuple[float, float, float, float] | None:
        """Extent of all layers in the metric CRS."""
        from shapely.geometry import box

        bounds = self.lonlat_bounds()
        if bounds is None:
            return None
        import geopandas as gpd

        return tuple(gpd.GeoSeries([box(*bounds)], crs=WGS84).to_crs(self.metric_crs).total_bounds)  # type: ignore[return-value]

    @property
    def is_synthetic(self) -> bool:
        return bool(self.metadata.get("synthetic")) or any(
            layer.metadata.get("synthetic") for layer in self.layers
        )

    def known_layer_names(self) -> list[str]:
        """Every layer the project names, read or not (a partial project read only some)."""
        return list(self.entry_names) if self.partial else self.layers.names()

    def layer(self, name: str) -> Layer:
        try:
            return self.layers[name]
        except KeyError:
            raise ProjectError(
                tr("No layer named {name!r} in the project. Layers: {names}.").format(
                    name=name, names=", ".join(self.layers.names())
                )
            ) from None

    def add(self, layer: Layer) -> Layer:
        layer.name = self.layers.unique_name(layer.name)
        self.layers.append(layer)
        return layer

    # --- persistence ------------------------------------------------------------------
    def to_dict(self, base: Path) -> dict:
        out_layers = []
        for layer in self.layers:
            src = layer.source.to_dict()
            if src["path"]:
                src["path"] = _relative(Path(src["path"]), base)
            if is_raster(layer):
                out_layers.append(
                    {
                        "kind": "basemap" if getattr(layer, "basemap", False) else "raster",
                        "name": layer.name,
                        "source": src,
                        "style": layer.style.to_dict(),
                        "visible": layer.visible,
                        "opacity": layer.opacity,
                        "metadata": layer.metadata,
                    }
                )
                continue
            edits = self.edits.get(layer.id)  # where its edits live (docs/editing.md)
            out_layers.append(
                {
                    "name": layer.name,
                    "source": src,
                    **({"edits": _edits_entry(edits, base)} if edits else {}),
                    "role": layer.role.value,
                    "mapping": layer.mapping.to_dict(),
                    "style": layer.style.to_dict(),
                    "visible": layer.visible,
                    "opacity": layer.opacity,
                    "metadata": layer.metadata,
                }
            )
        out = {
            "format": PROJECT_FORMAT,
            "version": PROJECT_VERSION,
            "title": self.title,
            "metadata": self.metadata,
            "metric_crs": self._metric_crs.to_wkt() if self._metric_crs is not None else None,
            "time_filter": self.time_filter.to_dict() if self.time_filter else None,
            "extent": list(self.extent) if self.extent else None,
            "layers": out_layers,
        }
        if self.indicators:  # optional: a project without table indicators keeps the old keys
            out["indicators"] = [indicator.to_dict() for indicator in self.indicators]
        if self.export_language:  # optional: a project never exported keeps the old keys
            out["export_language"] = self.export_language
        return out

    def save(self, path: str | Path | None = None) -> Path:
        """Write the project atomically; in-memory layers go to a GeoPackage beside it."""
        target = Path(path or self.path or "")
        if not str(target):
            raise ProjectError(tr("Choose where to save the project."))
        if self.partial:
            raise ProjectError(
                tr("This project was opened with only some of its layers; open it whole to save.")
            )
        target = target.resolve()
        self._persist_memory_layers(target)
        write_atomic(target, json.dumps(self.to_dict(target.parent), indent=2, ensure_ascii=False))
        self.path = target
        return target

    def _persist_memory_layers(self, target: Path) -> None:
        store = target.with_name(
            target.name.removesuffix(PROJECT_SUFFIX).removesuffix(".json") + "_layers.gpkg"
        )
        taken = _tables(store)
        for layer in self.vector_layers():
            if layer.source.path:
                continue
            table = _unique_table(layer.name or f"layer_{layer.id}", taken)
            data = layer.data.copy()
            data.columns = [str(c) for c in data.columns]
            data.to_file(store, layer=table, driver="GPKG", engine="pyogrio")
            layer.source = LayerSource(str(store), table)

    @classmethod
    def from_dict(
        cls,
        data: dict,
        base: Path,
        reader: Callable[..., list[Layer]] | None = None,
        wanted: Callable[[dict], bool] | None = None,
        feedback: Feedback | None = None,
    ) -> Project:
        """The project described by `data`; with `wanted`, only the layer entries it accepts
        are read (a command that needs two layers of a thousand reads two). Such a project is
        partial: it cannot be saved, or it would lose the others."""
        check_project(data)
        if reader is None:
            from layers.readers import read_layers as reader
        project = cls(
            title=data.get("title", ""),
            metadata=dict(data.get("metadata", {})),
            time_filter=TimeFilter.from_dict(data.get("time_filter")),
            extent=tuple(data["extent"]) if data.get("extent") else None,  # type: ignore[arg-type]
            export_language=data.get("export_language") or None,  # absent in older files
            indicators=indicators_from(data.get("indicators")),  # absent in older files
        )
        if data.get("metric_crs"):
            project.metric_crs = data["metric_crs"]
        entries = data.get("layers", [])
        project.entry_names = [str(e.get("name") or "") for e in entries]
        if wanted is not None and data.get("metric_crs"):  # else the CRS needs every layer
            project.partial = len([e for e in entries if wanted(e)]) < len(entries)
            entries = [e for e in entries if wanted(e)]
        for i, entry in enumerate(entries):
            source = LayerSource.from_dict(entry.get("source"))
            if feedback is not None:  # progress per layer read; cancel between layers
                feedback.check()
                feedback.set_progress(100.0 * i / len(entries), str(entry.get("name") or ""))
            path = Path(source.path)
            if not path.is_absolute():
                path = (base / path).resolve()
            if entry.get("kind") in ("raster", "basemap"):
                try:
                    project.layers.append(_raster_from_entry(entry, path, i))
                except LayerLoadError as exc:
                    project.load_errors.append(exc)
                continue
            edits = None
            try:
                if entry.get("edits"):  # an edited layer is read from its edits, not its file
                    from layers.edit_store import read_edited

                    found, edits = read_edited(reader, path, source, entry["edits"], base)
                else:
                    found = reader(path, sublayer=source.sublayer, options=source.options)
            except LayerLoadError as exc:
                project.load_errors.append(exc)
                continue
            layer = found[0]
            layer.name = entry.get("name", layer.name)
            layer.role = Role(entry.get("role", layer.role.value))
            mapping = FieldMapping.from_dict(entry.get("mapping"))
            if all(c in layer.data.columns for c in mapping.fields.values()):
                layer.mapping = mapping
            layer.style = Style.from_dict(
                entry.get("style"), where=f"layers[{i}].style", layer=layer.name
            )
            layer.visible = entry.get("visible", True)
            layer.opacity = entry.get("opacity", 1.0)
            layer.metadata.update(entry.get("metadata", {}))
            if edits is not None:
                from layers.edit_store import conform_edited

                conform_edited(layer)
                project.edits[layer.id] = edits
            project.layers.append(layer)
        return project

    @classmethod
    def load(cls, path: str | Path, **kwargs) -> Project:
        path = Path(path).resolve()
        if path.exists() and not path.is_file():  # a pipe or a device would block the read
            raise ProjectError(
                tr(
                    "{p} is not a project file (a folder, pipe or device): choose the .hatlas.json file."
                ).format(p=path)
            )
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ProjectError(tr("Project file not found: {p}").format(p=path)) from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ProjectError(
                tr(
                    "{p} is not a readable project file ({e}). Open its autosave or a backup."
                ).format(p=path.name, e=exc)
            ) from None
        project = cls.from_dict(data, path.parent, **kwargs)
        project.path = path
        return project


def _raster_from_entry(entry: dict, path: Path, i: int):
    """A raster or basemap entry (checked by check_project) opened again with its style and state."""
    from layers.raster import open_raster
    from layers.raster_style import RasterStyle

    options = dict((entry.get("source") or {}).get("options") or {})
    if entry.get("kind") == "basemap":  # a tile source drawn under the map (layers/basemap.py)
        from layers.basemap import open_basemap

        layer = open_basemap(path, name=entry.get("name") or None)
    else:
        layer = open_raster(path, name=entry.get("name") or None, options=options)
    layer.style = RasterStyle.from_dict(
        entry.get("style"), where=f"layers[{i}].style", layer=layer.name
    )
    layer.visible = entry.get("visible", True)
    layer.opacity = entry.get("opacity", 1.0)
    layer.metadata.update(entry.get("metadata") or {})
    return layer


def _raster_lonlat_bounds(layer) -> tuple[float, float, float, float]:
    """A raster's extent in lon/lat (edges densified: a UTM square is curved in degrees)."""
    from pyproj import Transformer

    bounds = layer.info.bounds
    crs = layer.crs or WGS84
    if crs.equals(WGS84):
        return bounds
    return Transformer.from_crs(crs, WGS84, always_xy=True).transform_bounds(
        *bounds, densify_pts=21
    )


def _tables(store: Path) -> set[str]:
    """Table names already in the project's GeoPackage (lower case: SQLite ignores case)."""
    if not store.exists():
        return set()
    import pyogrio

    try:
        return {str(name).lower() for name in pyogrio.list_layers(store)[:, 0]}
    except Exception:  # an unreadable store is rewritten table by table; names still differ
        return set()


def _unique_table(name: str, taken: set[str]) -> str:
    """A GeoPackage table name from a layer name, never one already used in this store."""
    base = "".join(c if c.isalnum() else "_" for c in name).strip("_") or "layer"
    table, k = base, 2
    while table.lower() in taken:
        table, k = f"{base}_{k}", k + 1
    taken.add(table.lower())
    return table


def _umask() -> int:
    """The process umask, read without setting it (os.umask would race other threads)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022


def write_atomic(target: Path, text: str) -> None:
    """Write `text` to `target` so readers see the old file or the new one, never half.

    The file keeps its permissions; temporary files left by an earlier crashed save go.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in target.parent.glob(f".{glob.escape(target.name)}.*.tmp"):
        stale.unlink(missing_ok=True)
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()  # what a plain open() would have given
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _edits_entry(edits: LayerSource, base: Path) -> dict:
    return {"path": _relative(Path(edits.path), base), "sublayer": edits.sublayer}


def _relative(path: Path, base: Path) -> str:
    try:
        return os.path.relpath(path.resolve(), base.resolve())
    except ValueError:  # another drive on Windows
        return str(path.resolve())


__all__ = ["Project", "PROJECT_SUFFIX", "SYNTHETIC_NOTE", "write_atomic", "LoadReport"]
