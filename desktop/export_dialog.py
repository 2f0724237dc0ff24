"""File → Export map… (preview, page, DPI, title, format, region, years) and Briefing pack….

The page is drawn by the same cartography code as the CLI export, so what the preview
shows is what the file holds; the file itself is written in a Worker with cancel.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths, Qt, QThreadPool, Signal
from PySide6.QtGui import QAction, QImage, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from cartography import compare as cmp
from core.runner import run_export
from desktop.debounce import debounce_timer
from desktop.language import language_names
from desktop.task_row import TaskRow
from desktop.workbench import Workbench
from desktop.workers import Worker
from layers.i18n import app_language, available_languages, tr, tr_noop
from layers.timefilter import TimeFilter

# Page presets as the user reads them -> cartography.layout's page names. English (tr_noop),
# shown through tr when a dialog is built, so a language switched after import reaches them.
PAGES: dict[str, str] = {
    tr_noop("A4 landscape"): "a4-landscape",
    tr_noop("A4 portrait"): "a4-portrait",
    tr_noop("A3 landscape"): "a3-landscape",
    tr_noop("A3 portrait"): "a3-portrait",
    tr_noop("Slide 16:9"): "slide",
}
FORMATS: dict[str, str] = {
    "png": tr_noop("PNG image (*.png)"),
    "svg": tr_noop("SVG drawing (*.svg)"),
    "pdf": tr_noop("PDF document (*.pdf)"),
    "html": tr_noop("Interactive web map, offline (*.html)"),
}
PREVIEW_DPI = 40
PREVIEW_DEBOUNCE_MS = 250
# QSettings key of the folder the user last exported to (maps, packs, comparisons).
EXPORT_FOLDER_KEY = "export/last_folder"


def export_folder(settings: QSettings | None = None) -> Path:
    """Where an export dialog starts: the last export folder, else the user's documents
    (never the project's folder: an installed sample's is read-only)."""
    last = (settings or QSettings()).value(EXPORT_FOLDER_KEY, "")
    if last and Path(str(last)).is_dir():
        return Path(str(last))
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents) if documents and Path(documents).is_dir() else Path.home()


def remember_export_folder(folder: str | Path, settings: QSettings | None = None) -> None:
    (settings or QSettings()).setValue(EXPORT_FOLDER_KEY, str(Path(folder)))


def export_language(project) -> str:
    """The language an export pre-selects: the one the project's last export was written in
    (Project.export_language), else the app's; always a code with a catalogue ('es', 'en')."""
    codes = available_languages()
    for wanted in (getattr(project, "export_language", None), app_language()):
        if not wanted:
            continue
        if wanted in codes:
            return wanted
        same = [c for c in codes if c.split("_")[0] == wanted.split("_")[0]]
        if same:  # 'es_CO' from LANG picks the 'es' catalogue
            return same[0]
    return "en"


def language_box(project) -> QComboBox:
    """Every language with a catalogue, named in itself, the export's default selected."""
    box = QComboBox()
    for code, name in language_names().items():
        box.addItem(name, code)
    box.setCurrentIndex(max(0, box.findData(export_language(project))))
    return box


@dataclass(frozen=True)
class ExportOptions:
    path: str = ""
    title: str = ""
    page: str = "a4-landscape"
    dpi: int = 200
    format: str = "png"
    region: str = cmp.ALL
    years: str = ""  # "2019", "2016-2020" or "a..b"; empty: the project's period
    language: str = ""  # 'es', 'en'; empty: the app's


def write_export(project, options: ExportOptions, feedback=None, remember: bool = True) -> Path:
    """The 'map' or 'webmap' export (core/runner.run_export), the CLI's own call."""
    out = Path(options.path)
    period = {"period": TimeFilter.parse(options.years)} if options.years else {}
    written = run_export(
        "webmap" if out.suffix.lower() == ".html" else "map",
        out,
        project,
        feedback,
        region=None if options.region == cmp.ALL else options.region,
        title=options.title or None,
        page=options.page,
        dpi=options.dpi,
        language=options.language or None,
        remember=remember,  # the project records the language of a real export only
        **period,
    )
    return Path(written)


def preview_image(project, options: ExportOptions, folder: Path) -> QImage:
    """The page drawn by the same export at low DPI: the preview is what the file will be."""
    png = folder / "preview.png"
    write_export(
        project,
        replace(options, path=str(png), format="png", dpi=PREVIEW_DPI),
        remember=False,
    )
    image = QImage(str(png))
    if image.isNull():
        raise ValueError(tr("The preview could not be drawn."))
    return image


def export_regions(project) -> list[tuple[str, str]]:
    """(code, label) of every region the export can frame, whole extent first."""
    from cartography.export import region_codes

    known = set(region_codes(project))
    out = [(cmp.ALL, tr("Whole extent"))]
    try:
        choices = cmp.region_choices(project)
    except Exception:  # noqa: BLE001 - odd admin layers: export the whole extent only
        choices = []
    out += [(c.code, c.label) for c in choices if c.code in known]
    return out


class ExportDialog(QDialog):
    """Options on the left, a live low-DPI preview on the right; Export runs in a Worker."""

    exported = Signal(str)

    def __init__(self, project, *, thread_pool: QThreadPool | None = None, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Export map"))
        self.resize(980, 600)
        self.project = project
        self.thread_pool = thread_pool or QThreadPool.globalInstance()
        self.worker: Worker | None = None
        self.preview_worker: Worker | None = None
        self.written: Path | None = None
        self.preview_count = 0
        self._preview_dir = tempfile.TemporaryDirectory(prefix="harm-atlas-preview-")

        self.title = QLineEdit(project.title or "")
        self.page = QComboBox()
        for label, key in PAGES.items():
            self.page.addItem(tr(label), key)
        self.dpi = QSpinBox()
        self.dpi.setRange(50, 600)
        self.dpi.setSingleStep(50)
        self.dpi.setValue(200)
        self.dpi.setSuffix(" " + tr("dpi"))
        self.format = QComboBox()
        for key, label in FORMATS.items():
            self.format.addItem(tr(label), key)
        self.region = QComboBox()
        for code, label in export_regions(project):
            self.region.addItem(label, code)
        self.years = QLineEdit(
            project.time_filter.label.replace("–", "-") if project.time_filter else ""
        )
        self.years.setPlaceholderText(tr("all years, or 2019, 2016-2020"))
        self.language = language_box(project)
        # The suggested file name is in the interface's language (mapa.png in Spanish).
        self.path = QLineEdit(str(export_folder() / f"{tr('map')}.png"))
        browse = QPushButton(tr("Browse…"))
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(browse)

        self.title.setCursorPosition(0)  # show the start of long titles and paths
        self.path.setCursorPosition(0)
        form = QFormLayout()
        form.addRow(tr("Title"), self.title)
        form.addRow(tr("Page"), self.page)
        form.addRow(tr("Resolution"), self.dpi)
        form.addRow(tr("Format"), self.format)
        form.addRow(tr("Region"), self.region)
        form.addRow(tr("Years"), self.years)
        form.addRow(tr("Language"), self.language)
        form.addRow(tr("File"), path_row)
        self.status = QLabel()
        self.status.setWordWrap(True)
        buttons = TaskRow(self, tr("Export"), self.export, self.cancel, self.status)
        self.progress, self.export_button = buttons.progress, buttons.action_button
        self.cancel_button = buttons.cancel_button
        self.task_row = buttons
        left = QVBoxLayout()
        left.addLayout(form)
        left.addStretch(1)
        left.addWidget(self.status)
        left_host = QWidget()
        left_host.setLayout(left)
        left_host.setMaximumWidth(380)

        self.preview = QLabel(tr("Preview…"))
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumSize(480, 360)
        self.preview.setStyleSheet("background: #e8e8e8; border: 1px solid #bbb;")
        top = QHBoxLayout()
        top.addWidget(left_host)
        top.addWidget(self.preview, 1)
        outer = QVBoxLayout(self)
        outer.addLayout(top, 1)
        outer.addLayout(buttons)

        self._preview_timer = debounce_timer(self, PREVIEW_DEBOUNCE_MS, self.refresh_preview)
        for signal in (
            self.title.textChanged,
            self.page.currentIndexChanged,
            self.region.currentIndexChanged,
            self.language.currentIndexChanged,
            self.years.editingFinished,
        ):
            signal.connect(self._preview_timer.start)
        self.format.currentIndexChanged.connect(self._format_changed)
        self._preview_timer.start()

    # --- options --------------------------------------------------------------------------
    def options(self) -> ExportOptions:
        years = self.years.text().strip()
        if years:
            TimeFilter.parse(years)  # raises ValueError with the accepted forms
        return ExportOptions(
            path=self.path.text().strip(),
            title=self.title.text().strip(),
            page=self.page.currentData(),
            dpi=self.dpi.value(),
            format=self.format.currentData(),
            region=self.region.currentData() or cmp.ALL,
            years=years,
            language=self.language.currentData() or "",
        )

    def _format_changed(self) -> None:
        fmt = self.format.currentData()
        path = Path(self.path.text().strip() or tr("map"))
        self.path.setText(str(path.with_suffix("." + fmt)))
        self.dpi.setEnabled(fmt == "png")

    def _browse(self) -> None:
        fmt = self.format.currentData()
        path, _ = QFileDialog.getSaveFileName(
            self, tr("Export map"), self.path.text(), tr(FORMATS[fmt])
        )
        if path:
            self.path.setText(path)

    # --- preview -------------------------------------------------------------------------------
    def refresh_preview(self) -> None:
        if self.preview_worker is not None:
            self._preview_timer.start()  # one preview at a time; try again shortly
            return
        try:
            options = self.options()
        except ValueError as exc:
            self.status.setText(str(exc))
            return
        project, folder = self.project, Path(self._preview_dir.name)
        self.preview_worker = worker = Worker(
            lambda fb: preview_image(project, options, folder), tr("Preview")
        )
        worker.signals.finished.connect(lambda img: self._preview_ready(worker, img))
        worker.signals.errored.connect(lambda m: self.status.setText(m))
        self.thread_pool.start(worker)

    def _preview_ready(self, worker: Worker, image) -> None:
        self.preview_worker = None
        if not worker.ok or image is None:
            return
        self.preview_count += 1
        pix = QPixmap.fromImage(image)
        self.preview.setPixmap(
            pix.scaled(
                self.preview.size(),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )

    # --- export ---------------------------------------------------------------------------------
    def export(self) -> None:
        if self.worker is not None:
            return
        try:
            options = self.options()
        except ValueError as exc:
            self._error(str(exc))
            return
        if not options.path:
            self._error(tr("Choose a file to write."))
            return
        remember_export_folder(Path(options.path).parent)
        project = self.project
        self.worker = worker = Worker(lambda fb: write_export(project, options, fb), tr("Export"))
        worker.signals.progress.connect(
            lambda p, m: (self.progress.setValue(int(p)), m and self.status.setText(m))
        )
        worker.signals.errored.connect(self._error)
        worker.signals.canceled.connect(lambda: self.status.setText(tr("Export canceled.")))
        worker.signals.finished.connect(lambda r: self._finished(worker, r))
        self.task_row.started(tr("Exporting…"))
        self.thread_pool.start(worker)

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
            self.cancel_button.setEnabled(False)

    def _finished(self, worker: Worker, result) -> None:
        self.worker = None
        self.task_row.set_running(False)
        if worker.ok and result is not None:
            self.written = Path(result)
            self.progress.setValue(100)
            self.status.setText(tr("Wrote {p}").format(p=result))
            self.exported.emit(str(result))

    def _error(self, message: str) -> None:
        self.task_row.failed(tr("Could not export: {m}").format(m=message))

    @property
    def busy(self) -> bool:
        return self.worker is not None or self.preview_worker is not None

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self.worker is not None:
            self.worker.cancel()
        self._preview_timer.stop()
        super().closeEvent(event)


# --- briefing pack -------------------------------------------------------------------------------------
def start_briefing(window: Workbench, path: Path, language: str | None = None) -> Worker | None:
    """Write the pack (the 'briefing' export) in a Worker behind a progress dialog with
    Cancel, in `language` (None: the app's)."""
    project = window.project

    def work(feedback):
        return run_export("briefing", path, project, feedback, language=language)

    dialog = QProgressDialog(tr("Writing the briefing pack…"), tr("Cancel"), 0, 100, window)
    dialog.setWindowTitle(tr("Briefing pack"))
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(0)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    worker = Worker(work, tr("Briefing pack"))
    worker.signals.progress.connect(
        lambda p, m: (dialog.setValue(int(p)), m and dialog.setLabelText(m))
    )
    dialog.canceled.connect(worker.cancel)
    worker.signals.errored.connect(lambda m: QMessageBox.warning(window, tr("Briefing pack"), m))

    def finished(_result) -> None:
        dialog.reset()
        dialog.hide()
        if worker.ok:
            window.statusBar().showMessage(tr("Wrote {p}").format(p=path), 10000)

    worker.signals.finished.connect(finished)
    window.keep(worker)
    dialog.setObjectName("briefing_progress")  # a child of the window, found by its name
    dialog.show()
    window.thread_pool.start(worker)
    return worker


def open_export(window: Workbench) -> ExportDialog:
    dialog = ExportDialog(window.project, thread_pool=window.thread_pool, parent=window)
    window.keep(dialog)
    dialog.exported.connect(
        lambda p: window.statusBar().showMessage(tr("Wrote {p}").format(p=p), 10000)
    )
    dialog.show()
    return dialog


def ask_language(window: Workbench, title: str) -> str | None:
    """The language to write an export in, the project's last export's (else the app's)
    selected; None if the user cancels. With one catalogue only, that one without asking."""
    box = language_box(window.project)
    if box.count() < 2:
        return box.currentData()
    names = [box.itemText(i) for i in range(box.count())]
    name, ok = QInputDialog.getItem(
        window, title, tr("Language of the pack:"), names, box.currentIndex(), False
    )
    return box.itemData(names.index(name)) if ok and name in names else None


def _ask_briefing(window: Workbench) -> None:
    base = export_folder()  # like every export: documents, then the last export folder
    path, _ = QFileDialog.getSaveFileName(
        window, tr("Briefing pack"), str(base / f"{tr('briefing')}.pdf"), tr("PDF document (*.pdf)")
    )
    if not path:
        return
    language = ask_language(window, tr("Briefing pack"))
    if language:
        remember_export_folder(Path(path).parent)
        start_briefing(window, Path(path), language)


def install(window: Workbench) -> None:
    menu = window.menu("file")
    export = QAction(tr("Export map…"), window)
    export.setObjectName("action_export_map")
    export.setShortcut("Ctrl+E")
    export.triggered.connect(lambda: open_export(window))
    briefing = QAction(tr("Briefing pack…"), window)
    briefing.setObjectName("action_briefing")
    briefing.triggered.connect(lambda: _ask_briefing(window))
    before = window.action("quit")
    menu.insertAction(before, export)
    menu.insertAction(before, briefing)
    menu.insertSeparator(before)
    window.actions["export_map"], window.actions["briefing"] = export, briefing  # by id
    window.translated(
        lambda: (export.setText(tr("Export map…")), briefing.setText(tr("Briefing pack…")))
    )
