"""Autosave and crash recovery: the project as it is now, written beside nothing the user owns.

A recovery file is a normal project file (so Project.load reads it) named after the
project it protects, plus `recovery_of` and `saved_at` in its metadata. Layers that live
only in memory (analysis results) go to a GeoPackage beside it.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import time
from pathlib import Path

from layers.edit_lock import holder, lock_path
from layers.layer import Layer
from layers.project import PROJECT_SUFFIX, Project, write_atomic

RECOVERY_SUFFIX = ".recovery" + PROJECT_SUFFIX
UNTITLED = "untitled"  # the name before each untitled project had its own (kept for old files)
UNTITLED_JOURNAL_SUFFIX = ".edits.jsonl"
_numbers = itertools.count(1)


def recovery_path(folder: Path, project_path: Path | str | None, untitled: str = UNTITLED) -> Path:
    """One recovery file per project (by full path); for a never-saved project, one per
    untitled project (`untitled`: its name, from new_untitled_name)."""
    if not project_path:
        return Path(folder) / (untitled + RECOVERY_SUFFIX)
    resolved = Path(project_path).resolve()
    stem = resolved.name.removesuffix(PROJECT_SUFFIX).removesuffix(".json")
    digest = hashlib.sha1(str(resolved).encode("utf-8")).hexdigest()[:10]
    return Path(folder) / f"{stem}-{digest}{RECOVERY_SUFFIX}"


class RecoveryWriter:
    """Writes recovery files; rewrites in-memory layers only when their data changed."""

    def __init__(self) -> None:
        self._written: dict[tuple[str, int], int] = {}

    def write(self, project: Project, target: Path) -> Path:
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        data = project.to_dict(target.parent)
        store = target.with_name(
            target.name.removesuffix(RECOVERY_SUFFIX) + "_recovery_layers.gpkg"
        )
        kept = []
        for layer, entry in zip(project.layers, data["layers"], strict=True):
            if _in_edit_journal(layer, project):
                continue
            kept.append(entry)
            if layer.source.path:
                continue
            table = _table_name(layer)
            key = (str(store), layer.id)
            if self._written.get(key) != id(layer.data) or not store.exists():
                _write_layer(layer, store, table)
                self._written[key] = id(layer.data)
            entry["source"] = {"path": store.name, "sublayer": table, "options": {}}
        data["layers"] = kept
        data["metadata"] = dict(data.get("metadata", {}))
        data["metadata"]["recovery_of"] = str(project.path) if project.path else None
        data["metadata"]["saved_at"] = time.time()
        write_atomic(target, json.dumps(data, indent=1, ensure_ascii=False))
        return target


def untitled_journal(folder: Path, untitled: str = UNTITLED) -> Path:
    """The edit journal of a project never saved: in the recovery folder until its first save
    (layers/edit_session.py), offered back with its autosave."""
    return Path(folder) / (untitled + UNTITLED_JOURNAL_SUFFIX)


def new_untitled_name() -> str:
    """A name no other untitled project has, in this process or another one, so two Harm
    Atlas windows (or one after a File ▸ New) never write into each other's journal."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return f"{UNTITLED}-{stamp}-{os.getpid()}-{next(_numbers)}"


def leftover_untitled(folder: Path, exclude: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """Untitled projects whose autosave or journal was left in `folder` by a Harm Atlas that
    is not running any more (or by this one, closed with 'No'), newest first. A journal
    whose lock names a live process belongs to a running Harm Atlas: not offered."""
    folder = Path(folder)
    newest: dict[str, float] = {}
    for suffix in (UNTITLED_JOURNAL_SUFFIX, RECOVERY_SUFFIX):
        for path in folder.glob(f"{UNTITLED}*{suffix}"):
            name = path.name.removesuffix(suffix)
            if name != UNTITLED and not name.startswith(UNTITLED + "-"):
                continue
            newest[name] = max(newest.get(name, 0.0), path.stat().st_mtime)
    found = [n for n in newest if n not in exclude and holder(untitled_journal(folder, n)) is None]
    return sorted(found, key=lambda n: newest[n], reverse=True)


def discard_untitled(folder: Path, untitled: str) -> None:
    """Delete everything an untitled project left: autosave, its layers, journal, lock."""
    discard(folder, None, untitled)
    journal = untitled_journal(folder, untitled)
    journal.unlink(missing_ok=True)
    if holder(journal) is None:
        lock_path(journal).unlink(missing_ok=True)


def find_recovery(
    folder: Path, project_path: Path | str | None, untitled: str = UNTITLED
) -> Path | None:
    """The recovery file for `project_path` if it is newer than the project file itself."""
    candidate = recovery_path(folder, project_path, untitled)
    if not candidate.exists():
        return None
    if project_path and Path(project_path).exists():
        if candidate.stat().st_mtime <= Path(project_path).stat().st_mtime:
            return None
    return candidate


def discard(folder: Path, project_path: Path | str | None, untitled: str = UNTITLED) -> None:
    target = recovery_path(folder, project_path, untitled)
    target.unlink(missing_ok=True)
    store = target.with_name(target.name.removesuffix(RECOVERY_SUFFIX) + "_recovery_layers.gpkg")
    store.unlink(missing_ok=True)


def recovered_from(project: Project) -> str | None:
    """The original project path a recovered project belongs to (None if untitled)."""
    return project.metadata.get("recovery_of")


def _in_edit_journal(layer: Layer, project: Project) -> bool:
    """A drawn layer not saved yet: the edit journal re-creates it on restore (an autosave
    copy as well would give it twice)."""
    return bool(layer.metadata.get("scratch")) and layer.id not in project.edits


def _table_name(layer: Layer) -> str:
    return "".join(c if c.isalnum() else "_" for c in layer.name) or f"layer_{layer.id}"


def _write_layer(layer: Layer, store: Path, table: str) -> None:
    data = layer.data.copy()
    data.columns = [str(c) for c in data.columns]
    data.to_file(store, layer=table, driver="GPKG", engine="pyogrio")
