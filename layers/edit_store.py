"""Where edits live on disk: the edits GeoPackage beside the project, and "save to source".

`<project>.edits.gpkg` holds one table per edited layer (the whole layer as edited) and a
small `harm_atlas_edits` table with the token of this save; it is written whole to a
temporary file, fsynced and renamed over the old one, so it is always the old or the new.
The user's own files are written only by `save_to_source`, which first copies the file to
a dated backup beside it and then replaces it the same atomic way. Docs: docs/editing.md.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from layers.edit_fields import FIELDS_KEY, EditError, FieldSpec, conform
from layers.i18n import tr
from layers.layer import Layer, LayerSource

EDITS_SUFFIX = ".edits.gpkg"
JOURNAL_SUFFIX = ".edits.jsonl"
TOKEN_TABLE = "harm_atlas_edits"
SOURCE_FORMATS = {
    ".gpkg": "GPKG",
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".shp": "ESRI Shapefile",
}
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


def _stem(project_path: Path) -> str:
    return Path(project_path).name.removesuffix(".hatlas.json").removesuffix(".json")


def edits_path(project_path: Path | str) -> Path:
    """The edits GeoPackage beside the project: sample.hatlas.json -> sample.edits.gpkg."""
    path = Path(project_path)
    return path.with_name(_stem(path) + EDITS_SUFFIX)


def journal_path(project_path: Path | str) -> Path:
    """The journal beside the project: sample.hatlas.json -> sample.edits.jsonl."""
    path = Path(project_path)
    return path.with_name(_stem(path) + JOURNAL_SUFFIX)


def read_token(store: Path) -> str:
    """The token of the last save into `store` ("none" when there is no store yet)."""
    if not Path(store).exists():
        return "none"
    try:
        with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
            row = db.execute(f"SELECT value FROM {TOKEN_TABLE} WHERE key = 'token'").fetchone()
    except sqlite3.Error:
        return "unknown"
    return str(row[0]) if row else "unknown"


def table_name(name: str, taken: set[str]) -> str:
    """A GeoPackage table name from a layer name, unique in `taken` (lower case)."""
    base = "".join(c if c.isalnum() else "_" for c in name).strip("_") or "layer"
    table, k = base, 2
    while table.lower() in taken or table.lower() == TOKEN_TABLE:
        table, k = f"{base}_{k}", k + 1
    taken.add(table.lower())
    return table


def write_edits(store: Path, tables: list[tuple[Layer, str]]) -> str:
    """Write every edited layer to its table in a new GeoPackage, then put it in place of
    `store` atomically; returns the new token."""
    import pyogrio

    store = Path(store)
    store.parent.mkdir(parents=True, exist_ok=True)
    tmp = store.with_name(f".{store.stem}.{uuid.uuid4().hex[:8]}.tmp.gpkg")
    token = uuid.uuid4().hex
    try:
        for layer, table in tables:
            data = layer.data.copy()
            data.columns = [str(c) for c in data.columns]
            pyogrio.write_dataframe(data, tmp, layer=table, driver="GPKG")
        with sqlite3.connect(tmp) as db:
            db.execute(
                f"CREATE TABLE IF NOT EXISTS {TOKEN_TABLE} (key TEXT PRIMARY KEY, value TEXT)"
            )
            db.execute(f"INSERT OR REPLACE INTO {TOKEN_TABLE} VALUES ('token', ?)", (token,))
            db.execute(
                f"INSERT OR REPLACE INTO {TOKEN_TABLE} VALUES ('saved_at', ?)",
                (datetime.now().isoformat(timespec="seconds"),),
            )
        _fsync(tmp)
        os.replace(tmp, store)
        _fsync_dir(store.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return token


def read_edited(
    reader: Callable[..., list[Layer]],
    source_path: Path,
    source: LayerSource,
    edits: dict,
    base: Path,
) -> tuple[list[Layer], LayerSource | None]:
    """A project entry's layer read from its edits table (its source file is not read), and
    where those edits are; the source as it is, with a warning, if the edits file is gone."""
    store = Path(edits.get("path") or "")
    if not store.is_absolute():
        store = (base / store).resolve()
    where = LayerSource(str(store), edits.get("sublayer"))
    if not store.exists():
        found = reader(source_path, sublayer=source.sublayer, options=source.options)
        found[0].report.warn(
            tr("The edits of this layer ({p}) are missing: it is shown as its file has it.").format(
                p=store.name
            )
        )
        return found, None
    found = reader(store, sublayer=where.sublayer)
    found[0].source = LayerSource(str(source_path), source.sublayer, dict(source.options))
    return found, where


def conform_edited(layer: Layer) -> None:
    """Columns given their fields' types again after a GeoPackage round trip."""
    saved = layer.metadata.get(FIELDS_KEY)
    if saved:
        layer.data = conform(layer.data.copy(), [FieldSpec.from_dict(f) for f in saved])


# --- save to source -------------------------------------------------------------------------
def backup_path(source: Path, when: datetime | None = None) -> Path:
    stamp = (when or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return source.with_name(f"{source.stem}.backup-{stamp}{source.suffix}")


def save_to_source(layer: Layer) -> Path:
    """Write the edited layer into its own file (GeoPackage table, GeoJSON or Shapefile):
    a backup copy first, then the new file written beside it and renamed into place.
    Returns the backup's path; EditError for other formats or a layer without a file."""
    import pyogrio

    source = Path(layer.source.path) if layer.source.path else None
    if source is None or not source.exists() or layer.metadata.get("scratch"):
        raise EditError(
            tr("Layer {l!r} has no file of its own: its edits are kept in the project.").format(
                l=layer.name
            )
        )
    driver = SOURCE_FORMATS.get(source.suffix.lower())
    if driver is None:
        raise EditError(
            tr(
                "Edits can be saved into GeoPackage, GeoJSON or Shapefile files, not {s}: "
                "they stay in the project's edits file."
            ).format(s=source.suffix or source.name)
        )
    backup = backup_path(source)
    parts = _shapefile_parts(source) if driver == "ESRI Shapefile" else [source]
    for part in parts:
        shutil.copy2(part, backup.with_suffix(part.suffix))
    data = layer.data.copy()
    data.columns = [str(c) for c in data.columns]
    tag = uuid.uuid4().hex[:8]
    if driver == "ESRI Shapefile":
        tmp = source.with_name(f".{source.stem}.{tag}.tmp.shp")
        try:
            pyogrio.write_dataframe(data, tmp, driver=driver, encoding="UTF-8")
            written = _shapefile_parts(tmp)
            for part in written:
                _fsync(part)
            for part in written:  # each file is replaced whole; .shp last, once the rest are in
                if part.suffix.lower() != ".shp":
                    os.replace(part, source.with_suffix(part.suffix))
            os.replace(tmp, source)
        finally:
            for part in _shapefile_parts(tmp):
                part.unlink(missing_ok=True)
    else:
        tmp = source.with_name(f".{source.stem}.{tag}.tmp{source.suffix}")
        try:
            if driver == "GPKG":  # the file's other tables are kept: edit a copy of it
                shutil.copy2(source, tmp)
                table = layer.source.sublayer or pyogrio.list_layers(source)[0][0]
                pyogrio.write_dataframe(data, tmp, layer=table, driver=driver)
            else:
                pyogrio.write_dataframe(data, tmp, driver=driver)
            _fsync(tmp)
            os.replace(tmp, source)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    _fsync_dir(source.parent)
    return backup


def _shapefile_parts(shp: Path) -> list[Path]:
    found = []
    for suffix in SHAPEFILE_PARTS:
        for candidate in (shp.with_suffix(suffix), shp.with_suffix(suffix.upper())):
            if candidate.exists():
                found.append(candidate)
                break
    return found


def _fsync(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def _fsync_dir(folder: Path) -> None:
    """The rename itself on disk (POSIX); Windows cannot open a folder and needs none."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
