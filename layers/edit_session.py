"""EditSession: the one way edits reach a project, journalled, saved beside the project.

    session = EditSession(project)                 # project saved somewhere: journal beside it
    stack = UndoStack(session)                     # headless; the desktop uses its QUndoStack
    stack.push(CreateLayer("Target areas", "polygon", "eradication", crs=project.metric_crs))
    stack.push(AddFeatures("Target areas", [polygon], [{"date": "2018-06-01"}]))
    stack.undo(); stack.redo()
    session.save()                                 # edits GeoPackage + project; journal cleared

    pending = unsaved_edits(project_path)          # on the next start, after a crash
    if pending: session.restore()                  # replays the journal

The desktop wraps each operation in one QUndoCommand whose redo() calls session.apply(op) and
undo() calls session.revert(op); the session tells a first apply from a redo itself.
Docs: docs/editing.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from psygnal import Signal

from layers.edit_fields import EditError
from layers.edit_journal import JournalContents, JournalWriter, read_journal
from layers.edit_lock import EditedElsewhere, acquire, holder, release
from layers.edit_ops import SCRATCH_KEY, EditOp, EditResult, op_from_dict
from layers.edit_store import (
    edits_path,
    journal_path,
    read_token,
    save_to_source,
    table_name,
    write_edits,
)
from layers.errors import ProjectError
from layers.i18n import tr, trn
from layers.layer import Layer, LayerSource
from layers.project import Project


@dataclass
class UnsavedEdits:
    """What a journal left by a crash holds, for the "restore unsaved edits?" question."""

    journal: Path
    actions: int
    layers: list[str]
    last_time: str
    contents: JournalContents = field(repr=False, default_factory=JournalContents)

    @property
    def edits(self) -> int:
        """The edits the restore gives back (the History panel's lines), not the records."""
        return self.contents.edits()

    def describe(self) -> str:
        return trn(
            "{n} unsaved edit (layers: {layers}; last at {t}).",
            "{n} unsaved edits (layers: {layers}; last at {t}).",
            self.edits,
        ).format(n=self.edits, layers=", ".join(self.layers) or "—", t=_local_time(self.last_time))


def _local_time(stamp: str) -> str:
    """The journal's UTC stamp as people read it: local date and time to the minute."""
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return stamp


def unsaved_edits(project_path: Path | str) -> UnsavedEdits | None:
    """The journal's unsaved edits for this project, or None (none, or already saved)."""
    project_path = Path(project_path).resolve()
    pending = journal_edits(journal_path(project_path))
    if pending is not None and pending.contents.base != read_token(edits_path(project_path)):
        return None  # the save that followed these edits finished writing the GeoPackage
    return pending


def journal_edits(path: Path | str) -> UnsavedEdits | None:
    """The unsaved edits of the journal at `path` (None: none). For a project never saved,
    whose journal lives in the recovery folder and has no edits GeoPackage to compare."""
    contents = read_journal(Path(path))
    if contents is None or not contents.records:
        return None
    return UnsavedEdits(
        Path(path), contents.actions(), contents.layers(), contents.last_time(), contents
    )


def discard_unsaved(project_path: Path | str) -> None:
    journal_path(Path(project_path).resolve()).unlink(missing_ok=True)


class EditSession:
    """Applies and reverts edit operations on a project, journalling each one.

    `applied(op, action, result)` is emitted after every change (action "do", "redo" or
    "undo"; result is None for undo), so views refresh and the history panel follows.
    `saved(path)` is emitted after a save: the edits before it are on disk and can no
    longer be undone (as in QGIS), so undo stacks holding them are cleared.

    `journal`: the journal file (default: beside the project, none for a project never
    saved), or False for none.
    """

    applied = Signal(object, str, object)
    saved = Signal(object)

    def __init__(self, project: Project, journal: Path | str | bool | None = None) -> None:
        self.project = project
        if journal is None and project.path is not None:
            journal = journal_path(project.path)
        self._journal = (
            JournalWriter(
                Path(journal), {"project": str(project.path or ""), "base": self._token()}
            )
            if journal not in (None, False, True)
            else None
        )
        # Opening only checks the lock; the first edit takes it, so a project that is only
        # looked at leaves no lock file beside it (nor in a read-only folder).
        if self._journal is not None and (pid := holder(self._journal.path)) is not None:
            raise EditedElsewhere(self._journal.path, pid)
        self._locked: Path | None = None  # the journal whose lock this session took
        self._seq: dict[int, int] = {}  # id(op) -> the seq of its "do" record
        self._edited: list[Layer] = []  # layers changed since the project was opened
        self._names = {layer.id: layer.name for layer in project.layers}
        self._replaying = False
        project.layers.layer_changed.connect(self._layer_changed)
        project.layers.inserted.connect(self._layer_inserted)

    # --- applying -------------------------------------------------------------------------
    def apply(self, op: EditOp) -> EditResult:
        """Apply (or re-apply after an undo) `op`; EditError leaves everything as it was."""
        first = not op.applied_once
        self._check_not_saved(op, first)
        self._lock()
        result = op.apply(self.project)
        try:
            if self._journal is not None and first:
                self._seq[id(op)] = self._journal.append({"do": op.to_dict()})
            elif self._journal is not None:
                self._journal.append({"redo": self._seq.get(id(op), 0)})
        except OSError as exc:  # an edit that a crash would lose is not made
            op.revert(self.project)
            op.applied_once = not first
            raise self._unjournalled(exc) from None
        self._note_edited(op)
        self.applied.emit(op, "do" if first else "redo", result)
        return result

    def revert(self, op: EditOp) -> None:
        self._check_not_saved(op, False)
        self._lock()
        op.revert(self.project)
        try:
            if self._journal is not None:
                self._journal.append({"undo": self._seq.get(id(op), 0)})
        except OSError as exc:
            op.apply(self.project)
            raise self._unjournalled(exc) from None
        self.applied.emit(op, "undo", None)

    def _lock(self) -> None:
        """Take the journal's lock before the first edit is written (EditError if another
        running Harm Atlas took it since this project was opened)."""
        if self._journal is None or self._locked == self._journal.path:
            return
        try:
            acquire(self._journal.path)
        except EditedElsewhere as exc:
            raise EditError(str(exc)) from None
        self._locked = self._journal.path

    def _unjournalled(self, exc: OSError) -> EditError:
        where = self._journal.path if self._journal is not None else ""
        return EditError(
            tr(
                "The edit was not made: the edit journal {p} cannot be written ({e}). Save the "
                "project somewhere you can write to."
            ).format(p=where, e=exc.strerror or exc)
        )

    def _check_not_saved(self, op: EditOp, first: bool) -> None:
        """An edit from before the last save is not in the journal: undoing it could not be
        replayed after a crash, so it is refused (the desktop clears its stack on `saved`)."""
        if self._journal is not None and not first and id(op) not in self._seq:
            raise EditError(
                tr("This edit was saved; edits before the last save cannot be undone or redone.")
            )

    def _layer_inserted(self, _index: int, layer: Layer) -> None:
        self._names[layer.id] = layer.name

    def _layer_changed(self, layer: Layer, attribute: str) -> None:
        # A renamed layer: later operations name it by its new name, so the journal says so.
        if attribute != "name":
            return
        old = self._names.get(layer.id)
        self._names[layer.id] = layer.name
        if old and old != layer.name and self._journal is not None and not self._replaying:
            self._journal.append({"rename": [old, layer.name]})

    def _note_edited(self, op: EditOp) -> None:
        layer = self.project.layers[op.layer] if op.layer in self.project.layers.names() else None
        if layer is not None and layer not in self._edited:
            self._edited.append(layer)

    @property
    def unsaved(self) -> bool:
        """Edits since the last save (or the journal restored)."""
        return self._journal is not None and self._journal.seq > 0

    def edited_layers(self) -> list[Layer]:
        """Layers whose edits the next save writes: changed now, or edited before."""
        earlier = [
            layer for layer in self.project.layers.vectors() if layer.id in self.project.edits
        ]
        drawn = [
            layer for layer in self.project.layers.vectors() if layer.metadata.get(SCRATCH_KEY)
        ]
        now = [layer for layer in self._edited if layer in self.project.layers]
        return list(dict.fromkeys(earlier + drawn + now))

    # --- saving ---------------------------------------------------------------------------
    def save(self, path: Path | str | None = None) -> Path:
        """Write the edited layers to the edits GeoPackage beside the project, then the
        project (which records where each layer's edits are), then clear the journal."""
        target = Path(path or self.project.path or "")
        if not str(target):
            raise EditError(tr("Choose where to save the project first."))
        if self.project.partial:  # its edits file would lose the layers it did not read
            raise EditError(
                tr("This project was opened with only some of its layers; open it whole to save.")
            )
        target = target.resolve()
        moving = self._journal is not None and self._journal.path.resolve() != journal_path(target)
        if moving:  # Save as: the new place's journal must not be another process's
            acquire(journal_path(target))
        store = edits_path(target)
        taken: set[str] = set()
        tables = [(layer, table_name(layer.name, taken)) for layer in self.edited_layers()]
        if tables:
            token = write_edits(store, tables)
        else:
            token = read_token(store)
        for layer, table in tables:
            where = LayerSource(str(store), table)
            self.project.edits[layer.id] = where
            if layer.metadata.get(SCRATCH_KEY) or not layer.source.path:
                layer.source = where  # a drawn layer lives in the edits file
        saved = self.project.save(target)
        if self._journal is not None:
            self._journal.clear()
            if moving and self._locked == self._journal.path:
                release(self._journal.path)
            self._journal = JournalWriter(
                journal_path(saved), {"project": str(saved), "base": token}
            )
            if moving:
                self._locked = self._journal.path
        self._seq.clear()
        self.saved.emit(saved)
        return saved

    def save_to_source(self, layer: Layer | str) -> Path:
        """Write one layer's edits into its own file (backup first, atomic replace); the
        project then reads that file again. Returns the backup's path."""
        target = self.project.layer(layer) if isinstance(layer, str) else layer
        backup = save_to_source(target)
        self.project.edits.pop(target.id, None)
        if target in self._edited:
            self._edited.remove(target)
        if self.project.path is not None:
            self.save()
        return backup

    # --- restoring ------------------------------------------------------------------------
    def restore(self, pending: UnsavedEdits | None = None) -> tuple[list[EditOp], int, list[str]]:
        """Replay the journal on the project as opened: returns the operations in stack
        order, how many of them are applied (the rest were undone: redo-able), and messages.

        The desktop pushes them on its QUndoStack as already applied (see docs/editing.md)."""
        if pending is None and self.project.path is not None:
            pending = unsaved_edits(self.project.path)
        if pending is None:
            return [], 0, []
        self._lock()  # the replay goes on writing this journal
        stack: list[EditOp] = []
        index = 0
        by_seq: dict[int, EditOp] = {}
        messages: list[str] = []
        failed = False
        self._replaying = True
        for done, record in enumerate(pending.contents.records):
            try:
                if isinstance(record.get("do"), dict):
                    op = op_from_dict(record["do"])
                    del stack[index:]
                    result = op.apply(self.project)
                    messages.extend(result.messages)
                    stack.append(op)
                    index += 1
                    by_seq[int(record.get("seq", 0))] = op
                elif "undo" in record and index > 0:
                    index -= 1
                    stack[index].revert(self.project)
                elif "redo" in record and index < len(stack):
                    stack[index].apply(self.project)
                    index += 1
                elif isinstance(record.get("rename"), list):
                    old, new = record["rename"]
                    self.project.layer(old).name = new
            except (EditError, ProjectError) as exc:
                messages.append(
                    tr("Restored {n} of {m} edits; the next could not be applied: {e}").format(
                        n=done, m=len(pending.contents.records), e=exc
                    )
                )
                failed = True
                break
        self._replaying = False
        self._names = {layer.id: layer.name for layer in self.project.layers}
        if self._journal is not None and not failed:
            # Go on in the same journal: a second crash loses nothing.
            self._journal.resume(pending.contents)
            self._seq.update({id(op): seq for seq, op in by_seq.items()})
        elif self._journal is not None:
            # A journal that stops replaying is written again as what was restored, so the
            # next restore does not stop at the same place; the undone tail is dropped.
            del stack[index:]
            self._journal.clear()
            for op in stack:
                self._seq[id(op)] = self._journal.append({"do": op.to_dict()})
        for op in stack:
            self._note_edited(op)
        return stack, index, messages

    def close(self) -> None:
        if self._journal is not None:
            self._journal.close()
            if self._locked == self._journal.path:
                release(self._journal.path)
        self.project.layers.layer_changed.disconnect(self._layer_changed)
        self.project.layers.inserted.disconnect(self._layer_inserted)

    def _token(self) -> str:
        return read_token(edits_path(self.project.path)) if self.project.path else "none"


class UndoStack:
    """A plain undo stack for headless use (tests, the CLI); the desktop uses QUndoStack."""

    def __init__(self, session: EditSession) -> None:
        self.session = session
        self.ops: list[EditOp] = []
        self.index = 0
        session.saved.connect(self.clear)

    def clear(self, *_saved: object) -> None:
        """Forget the history (after a save: those edits are on disk)."""
        self.ops, self.index = [], 0

    def push(self, op: EditOp) -> EditResult:
        result = self.session.apply(op)  # raises before anything is stacked
        del self.ops[self.index :]
        self.ops.append(op)
        self.index += 1
        return result

    def undo(self) -> EditOp | None:
        if not self.can_undo():
            return None
        self.index -= 1
        op = self.ops[self.index]
        self.session.revert(op)
        return op

    def redo(self) -> EditOp | None:
        if not self.can_redo():
            return None
        op = self.ops[self.index]
        self.session.apply(op)
        self.index += 1
        return op

    def can_undo(self) -> bool:
        return self.index > 0

    def can_redo(self) -> bool:
        return self.index < len(self.ops)

    def texts(self) -> list[str]:
        """The history, oldest first, as the History panel lists it."""
        return [op.text() for op in self.ops]

    def restore(self) -> list[str]:
        """Replay unsaved edits from the journal into this stack; returns the messages."""
        ops, index, messages = self.session.restore()
        self.ops, self.index = ops, index
        return messages
