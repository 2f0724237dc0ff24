"""Edits left unsaved, of the project shown (a mixin of desktop.edit_tools.EditController):
the session and its locked journal, offering a journal back, deleting it. An untitled
project's journal is named for that project alone (desktop/recovery.py), so a second Harm
Atlas or a File ▸ New never writes over work not yet restored. Docs: docs/editing.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QMessageBox

from desktop.recovery import new_untitled_name, untitled_journal
from desktop.undo import EditCommand
from layers.edit_lock import EditedElsewhere
from layers.edit_session import (
    EditSession,
    UnsavedEdits,
    discard_unsaved,
    journal_edits,
    unsaved_edits,
)
from layers.i18n import tr, trn
from layers.project import Project


class EditRecovery:
    """Unsaved edits: the journal's name and lock, restore and discard."""

    window: Any
    session: EditSession | None
    untitled_name: str = ""  # the untitled project's name in the recovery folder
    elsewhere: str | None = None  # why editing is off: another Harm Atlas edits the project
    _adopt: str | None = None

    def _untitled_journal(self) -> Path:
        # A project never saved keeps its journal in the recovery folder until it is saved.
        return untitled_journal(self.window.recovery_dir, self.untitled_name)

    def adopt_untitled(self, name: str) -> None:
        """The next untitled project shown continues the work left under `name` (restored)."""
        self._adopt = name

    def _open_session(self, project: Project) -> EditSession:
        """The project's edit session, its journal locked for this process. An untitled
        project gets a name of its own (or the one it was restored from); a project another
        Harm Atlas is editing is shown with editing turned off, its journal left alone."""
        journal = None
        if project.path is None:
            self.untitled_name = self._adopt or new_untitled_name()
            journal = self._untitled_journal()
        self._adopt = None
        self.elsewhere = None
        try:
            return EditSession(project, journal=journal)
        except EditedElsewhere as exc:
            self.elsewhere = str(exc)
        self.window.messages.warning(self.elsewhere)
        QMessageBox.warning(
            self.window,
            tr("Project being edited elsewhere"),
            self.elsewhere + "\n\n" + tr("You can look at it here; editing is turned off."),
        )
        return EditSession(project, journal=False)

    def discard(self) -> None:
        """The analyst chose not to keep the unsaved edits (quit or open another project)."""
        project = self.state.project
        if self.elsewhere:  # the other Harm Atlas's journal: not ours to delete
            return
        if project is not None and project.path is not None:
            discard_unsaved(project.path)
        elif self.session is not None:
            self.drop_pending(None)

    def drop_pending(self, project_path: Path | str | None) -> None:
        """Delete the journal of unsaved edits left for `project_path` (None: untitled)."""
        if project_path:
            discard_unsaved(project_path)
        else:
            self._untitled_journal().unlink(missing_ok=True)

    def pending(self, project_path: Path | str | None) -> UnsavedEdits | None:
        """The unsaved edits left for `project_path` (None: a project never saved)."""
        if not project_path:
            return journal_edits(self._untitled_journal())
        return unsaved_edits(project_path)

    def offer_restore(self, project_path: Path | str | None, ask: bool = True) -> int:
        """On opening: edits left unsaved by a crash or a quit without saving are offered
        back (replayed from the journal onto the project as saved, or onto the autosave of a
        project never saved). `ask=False`: the analyst already said yes. Returns how many."""
        if self.session is None or self.elsewhere:
            return 0
        pending = self.pending(project_path)
        if pending is None:
            return 0
        answer = QMessageBox.StandardButton.Yes
        if ask:
            answer = QMessageBox.question(
                self.window,
                tr("Restore unsaved edits?"),
                tr(
                    "Harm Atlas closed before these edits to {p} were saved:\n{d}\n\nRestore "
                    "them? (No deletes them.)"
                ).format(
                    p=Path(project_path).name if project_path else tr("an untitled project"),
                    d=pending.describe(),
                ),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.Yes,
            )
        if answer != QMessageBox.StandardButton.Yes:
            self.drop_pending(project_path)
            return 0
        ops, index, messages = self.session.restore(pending)
        commands = [EditCommand(self.session, op, True, self.refuse) for op in ops]
        for command in commands:
            self.undo_stack.push(command)  # already applied by the restore: redo skipped
        for command in commands[index:]:
            command.skip_undo = True  # undone before the crash: the model has them undone
        self.undo_stack.setIndex(index)
        for op in ops:
            layer = self._layer_named(op.layer)
            if layer is not None:
                self.editing.add(layer.id)
        for text in messages:
            self.window.messages.warning(text)
        self.window.messages.info(
            trn(
                "Restored {n} unsaved edit; save to keep it.",
                "Restored {n} unsaved edits; save to keep them.",
                len(ops),
            ).format(n=len(ops))
        )
        self.canvas.request_redraw()
        self.update_actions()
        return len(ops)
