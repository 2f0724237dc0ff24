"""The project's life in the main window (a mixin of MainWindow): new, open, save, recent
projects, autosave and recovery, adding layer files, dropped files, and where file dialogs
start (the project's data folder, then the last folder used, remembered in QSettings)."""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox

from desktop.loading import (
    LAYER_FILE_FILTER,
    LoadOutcome,
    OpenedProject,
    load_files,
    open_project_for_map,
    prepare_map,
)
from desktop.recovery import (
    UNTITLED,
    discard,
    discard_untitled,
    find_recovery,
    leftover_untitled,
    recovery_path,
    untitled_journal,
)
from desktop.sublayer_dialog import choose_sublayers
from desktop.undo import AddLayers
from desktop.workers import Worker
from layers.edit_session import journal_edits
from layers.errors import LayerLoadError
from layers.i18n import tr, tr_noop
from layers.layer import Layer, is_raster
from layers.numbers import number
from layers.project import PROJECT_SUFFIX, Project

log = logging.getLogger("harm_atlas.desktop")

MAX_RECENT = 10
# English (tr_noop); the file dialogs show project_filter() in the active language.
PROJECT_FILTER = tr_noop("Harm Atlas projects (*{s});;All files (*)")


def project_filter() -> str:
    return tr(PROJECT_FILTER).format(s=PROJECT_SUFFIX)


def data_folder(project: Project) -> Path | None:
    """The folder most of the project's layer files are in, else the project file's folder."""
    base = project.path.parent if project.path else None
    folders: Counter[Path] = Counter()
    for layer in project.layers:
        if not layer.source.path:
            continue  # made in the session (analysis results): no file
        path = Path(layer.source.path)
        if not path.is_absolute() and base is not None:
            path = base / path
        folders[path.parent] += 1
    for folder, _n in folders.most_common():
        if folder.is_dir():
            return folder
    return base


class ProjectFiles:
    """New/open/save, recovery, adding files and dialog folders for MainWindow."""

    # --- where file dialogs start ----------------------------------------------------------
    def start_folder(self, kind: str) -> Path:
        """Where a file dialog for `kind` ('layer', 'project', 'briefing', ...) opens: the
        last folder used for this project, else the project's data folder, else the last
        folder used at all, else the home folder."""
        key = f"paths/last_{kind}_dir"
        last = str(self.settings.value(key, "") or "")
        used_with = str(self.settings.value(f"{key}_project", "") or "")
        if last and Path(last).is_dir() and (kind == "project" or used_with == self._path_key()):
            return Path(last)
        data = self.project.path.parent if kind == "project" and self.project.path else None
        data = data or data_folder(self.project)
        if data is not None and data.is_dir():
            return data
        if last and Path(last).is_dir():
            return Path(last)
        return Path.home()

    def remember_folder(self, kind: str, path: str | Path) -> None:
        """The folder the analyst just used for `kind`, for the next dialog (QSettings)."""
        key = f"paths/last_{kind}_dir"
        self.settings.setValue(key, str(Path(path)))
        self.settings.setValue(f"{key}_project", self._path_key())

    def _path_key(self) -> str:
        return str(self.project.path.resolve()) if self.project.path else ""

    # --- adding layer files ----------------------------------------------------------------
    def add_layer_dialog(self) -> None:
        self.add_files_dialog("layer", tr("Add layers"), tr(LAYER_FILE_FILTER))

    def add_files_dialog(self, kind: str, title: str, file_filter: str) -> None:
        """Files picked from the folder last used for `kind`; that folder remembered, the
        files added in the background."""
        paths, _ = QFileDialog.getOpenFileNames(
            self, title, str(self.start_folder(kind)), file_filter
        )
        if paths:
            self.remember_folder(kind, Path(paths[0]).parent)
            self.add_layers_from(paths)

    def add_layers_from(self, paths: Sequence[str | Path]) -> Worker | None:
        """Read files in the background; good ones are added (one undo step), bad ones explained.
        A file holding several layers first asks which (None when the user cancels)."""
        paths = choose_sublayers(self, [str(p) for p in paths])
        if not paths:
            return None
        crs = self.project.metric_crs if len(self.project.layers) else None
        title = (
            tr("Loading {n} file(s)").format(n=len(paths))
            if len(paths) > 1
            else tr("Loading {f}").format(f=Path(paths[0]).name)
        )
        return self.run_task(lambda fb: load_files(paths, fb, crs), title, self._files_loaded)

    def _files_loaded(self, outcome: LoadOutcome) -> None:
        if outcome.layers:
            self.undo_stack.push(AddLayers(self.project.layers, outcome.layers))
            for layer in outcome.layers:
                self._report_load(layer)
            self.state.set_current_layer(outcome.layers[-1])
        if outcome.errors:
            self.show_load_errors(outcome.errors)

    def _report_load(self, layer: Layer) -> None:
        report = layer.report
        if is_raster(layer):  # pixels, not features: its size and resolution
            info = layer.info
            self.messages.info(
                tr("Loaded {n}: raster of {w} × {h} pixels ({t}).").format(
                    n=layer.name, w=number(info.width), h=number(info.height), t=info.dtype
                )
            )
        else:
            self.messages.info(
                tr("Loaded {n}: {c} features, role {r}.").format(
                    n=layer.name, c=number(len(layer.data)), r=layer.role.label
                )
            )
        for text in report.repairs:
            self.messages.repair(f"{layer.name}: {text}")
        for text in report.warnings:
            self.messages.warning(f"{layer.name}: {text}")

    def show_load_errors(self, errors: Sequence[LayerLoadError]) -> None:
        """One clear box per batch: which file, what is wrong, what to do. Nothing else changes."""
        for err in errors:
            self.messages.error(err.one_line())
        details = "\n\n".join(
            f"{Path(e.path).name}\n{e.problem}" + (f"\n{e.remedy}" if e.remedy else "")
            for e in errors
        )
        QMessageBox.warning(
            self,
            tr("Some files could not be opened"),
            tr("{n} file(s) could not be opened. Everything already loaded is unchanged.").format(
                n=len(errors)
            )
            + "\n\n"
            + details,
        )

    # --- projects ----------------------------------------------------------------------------
    def open_project_dialog(self) -> None:
        if not self.maybe_save():
            return
        start = str(self.start_folder("project"))
        path, _ = QFileDialog.getOpenFileName(self, tr("Open project"), start, project_filter())
        if path:
            self.open_project(path, ask=False)

    def open_project(
        self, path: str | Path, ask: bool = True, offer_recovery: bool = True
    ) -> Worker | None:
        """Load a project in the background; the current one stays until the new one is read."""
        if ask and not self.maybe_save():
            return None
        path = Path(path)
        self.remember_folder("project", path.parent)

        def loaded(opened: OpenedProject) -> None:
            project = opened.project
            self.last_load_seconds = opened.seconds
            self.set_project(project, opened.renderer)
            self.add_recent(project.path or path)
            self.messages.info(
                tr("Opened {p} ({n} layers) in {s} s.").format(
                    p=path.name, n=len(project.layers), s=number(sum(opened.seconds.values()), 1)
                )
            )
            for layer in project.layers:
                for text in layer.report.repairs:
                    self.messages.repair(f"{layer.name}: {text}")
            if project.load_errors:
                self.show_load_errors(project.load_errors)
            if offer_recovery:
                self.offer_recovery(project.path)
            if self.leftover_untitled() is not None:  # kept, never overwritten: say where
                self.messages.warning(
                    tr(
                        "Unsaved work of an untitled project from an earlier session is kept; "
                        "File ▸ New project offers it back."
                    )
                )

        def failed(message: str) -> None:
            self.messages.error(message)
            QMessageBox.critical(
                self,
                tr("Could not open the project"),
                tr("{m}\n\nThe project that was open is unchanged.").format(m=message),
            )

        size = self.canvas.view_size()
        return self.run_task(
            lambda fb: open_project_for_map(path, fb, size),
            tr("Opening {p}").format(p=path.name),
            loaded,
            failed,
        )

    def new_project(self) -> None:
        """A new untitled project; unsaved work of an untitled project left by an earlier
        session (or another Harm Atlas that is gone) is offered back first."""
        if not self.maybe_save():
            return
        if self.leftover_untitled() is None or self.offer_recovery(None) is None:
            self.set_project(Project())

    def save_project(self, path: str | Path | None = None) -> bool:
        """Save (atomically) to `path` or the project's own path; asks where if it has none."""
        if path is None and self.project.path is None:
            return self.save_project_as()
        old_path = self.project.path
        self.project.extent = tuple(self.canvas.extent)
        try:
            # With edits: the edits GeoPackage, then the project, then the journal cleared.
            edits = self.edits
            saved = edits.save(path) if edits is not None else self.state.save_project(path)
        except Exception as exc:  # noqa: BLE001 - disk full, permissions, bad layer: say so
            log.exception("Save failed")
            QMessageBox.critical(
                self,
                tr("Could not save the project"),
                tr("{e}\n\nYour work is still open; try another folder.").format(e=exc),
            )
            return False
        self._mark_clean()
        discard(self.recovery_dir, old_path, self._untitled_name())
        discard(self.recovery_dir, saved)
        self.add_recent(saved)
        self._update_title()  # the name may have changed (Save as)
        self.messages.info(tr("Saved {p}.").format(p=saved))
        self.statusBar().showMessage(tr("Saved {p}").format(p=saved.name), 4000)
        return True

    def save_project_as(self) -> bool:
        start = self.project.path or self.start_folder("project") / ("project" + PROJECT_SUFFIX)
        path, _ = QFileDialog.getSaveFileName(
            self, tr("Save project as"), str(start), project_filter()
        )
        if not path:
            return False
        if not path.endswith(PROJECT_SUFFIX):
            path = path.removesuffix(".json") + PROJECT_SUFFIX
        self.remember_folder("project", Path(path).parent)
        return self.save_project(path)

    def maybe_save(self) -> bool:
        """Ask about unsaved changes; False means the user chose Cancel."""
        if not self.is_modified:
            return True
        text = tr("Save the changes to {p} first?").format(
            p=self.project.path.name if self.project.path else tr("the untitled project")
        )
        buttons = QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
        keep_edits = self.edits is not None and self.edits.unsaved
        if keep_edits and self.project.path is None:
            text += "\n\n" + tr(
                "No: quit without saving and get this project and your edits offered back "
                "the next time Harm Atlas starts. Discard: delete the unsaved edits."
            )
            buttons |= QMessageBox.StandardButton.No
        elif keep_edits:  # "No" quits but keeps the edit journal: offered back on the next start
            text += "\n\n" + tr(
                "No: quit without saving and get your changes and edits offered back the "
                "next time this project opens. Discard: delete the unsaved edits."
            )
            buttons |= QMessageBox.StandardButton.No
        answer = QMessageBox.question(
            self,
            tr("Unsaved changes"),
            text,
            buttons | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.save_project()
        if answer == QMessageBox.StandardButton.No and keep_edits:
            # The autosave keeps the rest of the work (result layers, styles): the journal
            # replays the edits onto it, so "No" loses nothing.
            self.autosave_now()
            if self.project.path is None:  # offered at the next start, not by this File ▸ New
                self._kept_here().add(self._untitled_name())
            return True
        if answer == QMessageBox.StandardButton.Discard:
            discard(self.recovery_dir, self.project.path, self._untitled_name())
            if self.edits is not None:
                self.edits.discard()
            return True
        return False

    # --- recent projects ---------------------------------------------------------------------
    def recent_projects(self) -> list[str]:
        value = self.settings.value("recent_projects", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or [])]

    def add_recent(self, path: str | Path) -> None:
        path = str(Path(path).resolve())
        recent = [p for p in self.recent_projects() if p != path]
        self.settings.setValue("recent_projects", [path, *recent][:MAX_RECENT])

    # --- autosave and recovery -----------------------------------------------------------------
    def autosave_now(self) -> Path | None:
        """Write the recovery file if there is unsaved work (runs every N seconds)."""
        if not self.is_modified or not len(self.project.layers):
            return None
        self.project.extent = tuple(self.canvas.extent)
        target = recovery_path(self.recovery_dir, self.project.path, self._untitled_name())
        try:
            return self._recovery.write(self.project, target)
        except Exception as exc:  # noqa: BLE001 - autosave must never interrupt work
            log.warning("%s", tr("Autosave failed: {e}").format(e=exc))
            return None

    def offer_recovery(self, project_path: Path | None) -> Worker | None:
        """Offer the autosave newer than `project_path` (None: the project never saved), then
        its unsaved edits. A project never saved has both in the recovery folder: one question
        for the two, since its journal replays onto its autosave (or onto a new project when
        the power went before the first autosave). Returns the restoring task, if any.

        Untitled work is looked for under every name a Harm Atlas no longer running left
        (desktop/recovery.py), newest first; another running Harm Atlas's is left alone."""
        if project_path is not None and self.edits is not None and self.edits.elsewhere:
            return None  # another Harm Atlas edits it: its autosave and journal are its own
        name = self.leftover_untitled() if project_path is None else None
        found = find_recovery(self.recovery_dir, project_path) if project_path else None
        pending = None
        if name is not None:
            found = find_recovery(self.recovery_dir, None, name)
            pending = journal_edits(untitled_journal(self.recovery_dir, name))
            if found is None and pending is None:  # a journal with no edit in it
                discard_untitled(self.recovery_dir, name)
        if found is None and pending is None:
            self._offer_edits(project_path)
            return None
        if found is None:
            text = tr(
                "Harm Atlas closed before an untitled project was saved:\n{d}\n\nRestore it? "
                "(No deletes these edits.)"
            ).format(d=pending.describe())
        else:
            text = tr(
                "Harm Atlas closed without saving {p}. An autosave from {t} is newer than the "
                "saved file.\n\nRestore the autosave? (No keeps the saved project and deletes the autosave.)"
            ).format(
                p=Path(project_path).name if project_path else tr("an untitled project"),
                t=datetime.fromtimestamp(os.path.getmtime(found)).strftime("%Y-%m-%d %H:%M"),
            )
            if pending is not None:
                text += "\n\n" + tr("With it: {d}").format(d=pending.describe())
        answer = QMessageBox.question(
            self,
            tr("Recover unsaved work?"),
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        if answer != QMessageBox.StandardButton.Yes:
            if name is not None:
                discard_untitled(self.recovery_dir, name)
            else:
                discard(self.recovery_dir, project_path)
            self._offer_edits(project_path)
            return None
        if name is not None and self.edits is not None:
            self.edits.adopt_untitled(name)  # the restored project goes on under its name

        def restored(opened: OpenedProject) -> None:
            project = opened.project
            project.path = Path(project_path) if project_path else None
            project.metadata.pop("recovery_of", None)
            project.metadata.pop("saved_at", None)
            self.set_project(project, opened.renderer)
            self._dirty = True  # restored work is unsaved until the analyst saves it
            self._update_title()
            if found is not None:
                self.messages.info(tr("Restored unsaved work from the autosave."))
            # Then the edits, from their journal (already agreed to for an untitled project).
            self._offer_edits(project_path, ask=pending is None)

        size = self.canvas.view_size()
        if found is None:
            new = Project()  # the power went before the first autosave: the journal alone
            return self.run_task(
                lambda fb: OpenedProject(new, prepare_map(new, fb, size)),
                tr("Restoring unsaved edits"),
                restored,
            )
        return self.run_task(
            lambda fb: open_project_for_map(found, fb, size), tr("Restoring autosave"), restored
        )

    def leftover_untitled(self) -> str | None:
        """The newest untitled work left by a Harm Atlas no longer running (or closed here
        with "No" earlier, once a new window asks), else None."""
        own = {self._untitled_name(), *self._kept_here()}
        names = leftover_untitled(self.recovery_dir, exclude=own)
        return names[0] if names else None

    def _untitled_name(self) -> str:
        return self.edits.untitled_name if self.edits is not None else UNTITLED

    def _kept_here(self) -> set[str]:
        """Untitled work this window kept with "No": offered at the next start instead."""
        if not hasattr(self, "_kept_untitled"):
            self._kept_untitled: set[str] = set()
        return self._kept_untitled

    def _offer_edits(self, project_path: Path | None, ask: bool = True) -> None:
        """Unsaved edits have their own journal (layers/edit_session.py): offered after the
        autosave, which leaves drawn layers to it."""
        if self.edits is not None:
            self.edits.offer_restore(project_path, ask)

    # --- drag and drop --------------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt override
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        self.drop_paths(paths)
        event.acceptProposedAction()

    def drop_paths(self, paths: Sequence[str]) -> None:
        projects = [p for p in paths if p.endswith(PROJECT_SUFFIX)]
        layers = [p for p in paths if not p.endswith(PROJECT_SUFFIX)]
        if projects:
            self.open_project(projects[0])
        if layers:
            self.add_layers_from(layers)
