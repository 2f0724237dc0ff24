"""File → Export map… (preview, page, DPI, title, format, region, years) and Briefing pack….

The page is drawn by the same cartography code as the CLI export, so what the preview
shows is what the file holds; the file itself is written in a Worker with cancel.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QAction, QImage, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QProgressDialog,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from cartography import compare as cmp
from desktop.workers import Worker
from layers.i18n import tr
from layers.timefilter import TimeFilter

# Page sizes in inches (width, height), landscape first: maps are usually wider than tall.
PAGES: dict[str, tuple[float, float]] = {
    "A4 landscape": (11.69, 8.27),
    "A4 portrait": (8.27, 11.69),
    "A3 landscape": (16.54, 11.69),
    "Letter landscape": (11.0, 8.5),
    "Screen 16:9": (13.33, 7.5),
}
FORMATS: dict[str, str] = {
    "png": tr("PNG image (*.png)"),
    "svg": tr("SVG drawing (*.svg)"),
    "pdf": tr("PDF document (*.pdf)"),
    "html": tr("Interactive web map, offline (*.html)"),
}
PREVIEW_DPI = 40
PREVIEW_DEBOUNCE_MS = 250


@dataclass(frozen=True)
class ExportOptions:
    path: str = ""
    title: str = ""
    page: str = "A4 landscape"
    dpi: int = 200
    format: str = "png"
    region: str = cmp.ALL
    years: str = ""  # "2019", "2016-2020" or "a..b"; empty: the project's period

    @property
    def period(self) -> TimeFilter | None:
        return TimeFilter.parse(self.years) if self.years else None


def export_call_kwargs(fn, options: ExportOptions, project) -> dict:
    """Map our options onto whatever keywords the cartography export function accepts."""
    wanted = {
        "title": options.title or project.title,
        "page": options.page,
        "page_size": PAGES[options.page],
        "size": PAGES[options.page],
        "dpi": options.dpi,
        "format": options.format,
        "fmt": options.format,
        "region": None if options.region == cmp.ALL else options.region,
        "period": options.period,
        "time_filter": options.period,
        "years": options.years or None,
    }
    params = inspect.signature(fn).parameters
    return {k: v for k, v in wanted.items() if k in params}


def map_figure(project, options: ExportOptions, dpi: int | None = None):
    """The page as a matplotlib Figure (cartography.layout when present)."""
    try:
        from cartography import layout
    except ImportError:
        layout = None
    fn = getattr(layout, "map_figure", None) or getattr(layout, "compose_map", None)
    if fn is not None:
        kwargs = export_call_kwargs(fn, replace(options, dpi=dpi or options.dpi), project)
        return fn(project, **kwargs)
    return _plain_page(project, options, dpi or options.dpi)


def _plain_page(project, options: ExportOptions, dpi: int):
    """Title, map, legend and note: used only until cartography.layout provides the page."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    from cartography.render import MapRenderer, MapView

    w, h = PAGES[options.page]
    fig = Figure(figsize=(w, h), dpi=dpi, layout="constrained")
    grid = fig.add_gridspec(1, 2, width_ratios=[4, 1])
    ax = fig.add_subplot(grid[0, 0])
    ax.set_xticks([])
    ax.set_yticks([])
    if options.region != cmp.ALL:
        units = cmp.side_units(project, cmp.Side(options.region))
        extent = tuple(units.total_bounds)
    else:
        extent = project.extent or project.full_extent()
    period = options.period or project.time_filter
    entries = MapRenderer().render(
        ax, list(project.layers), MapView(project.metric_crs, extent, period)
    )
    legend_ax = fig.add_subplot(grid[0, 1])
    legend_ax.axis("off")
    handles = [Patch(facecolor=e.color, edgecolor=e.edge, label=e.label) for e in entries]
    legend_ax.legend(handles=handles[::-1], loc="upper left", frameon=False, fontsize=8)
    title = options.title or project.title or tr("Harm Atlas map")
    if period is not None:
        title += f" · {period.label}"
    fig.suptitle(title, fontsize=13, fontweight="bold")
    return fig


def write_export(project, options: ExportOptions, feedback=None) -> Path:
    """Write the file (the CLI export's function when it exists)."""
    out = Path(options.path)
    try:
        from cartography import export as export_mod
    except ImportError:
        export_mod = None
    if options.format == "html":
        fn = getattr(export_mod, "export_html", None) or getattr(export_mod, "web_map", None)
        if fn is None:
            raise ValueError(tr("The offline HTML export is not available in this build."))
        kwargs = export_call_kwargs(fn, options, project)
        if "feedback" in inspect.signature(fn).parameters:
            kwargs["feedback"] = feedback
        fn(project, out, **kwargs)
        return out
    fn = getattr(export_mod, "export_map", None)
    if fn is not None:
        kwargs = export_call_kwargs(fn, options, project)
        if "feedback" in inspect.signature(fn).parameters:
            kwargs["feedback"] = feedback
        fn(project, out, **kwargs)
        return out
    if feedback is not None:
        feedback.set_progress(10, tr("Drawing the map"))
    fig = map_figure(project, options)
    if feedback is not None:
        feedback.check()
        feedback.set_progress(70, tr("Writing {f}").format(f=out.name))
    from cartography.compare_command import save_figure

    out.parent.mkdir(parents=True, exist_ok=True)
    save_figure(fig, out, options.dpi)
    return out


def figure_image(fig) -> QImage:
    """A matplotlib figure as a QImage (for the preview)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    buf = canvas.buffer_rgba()
    w, h = canvas.get_width_height()
    return QImage(bytes(buf), w, h, QImage.Format.Format_RGBA8888).copy()


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

        self.title = QLineEdit(project.title or "")
        self.page = QComboBox()
        self.page.addItems(list(PAGES))
        self.dpi = QSpinBox()
        self.dpi.setRange(50, 600)
        self.dpi.setSingleStep(50)
        self.dpi.setValue(200)
        self.dpi.setSuffix(" dpi")
        self.format = QComboBox()
        for key, label in FORMATS.items():
            self.format.addItem(label, key)
        self.region = QComboBox()
        try:
            choices = cmp.region_choices(project)
        except Exception:  # noqa: BLE001 - a project without regions still exports
            choices = [cmp.RegionChoice(cmp.ALL, tr("Whole extent"), 0)]
        for c in choices:
            self.region.addItem(c.label, c.code)
        self.years = QLineEdit(
            project.time_filter.label.replace("–", "-") if project.time_filter else ""
        )
        self.years.setPlaceholderText(tr("all years, or 2019, 2016-2020"))
        base = Path(project.path).parent if getattr(project, "path", None) else Path.cwd()
        self.path = QLineEdit(str(base / "map.png"))
        browse = QPushButton(tr("Browse…"))
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(browse)

        form = QFormLayout()
        form.addRow(tr("Title"), self.title)
        form.addRow(tr("Page"), self.page)
        form.addRow(tr("Resolution"), self.dpi)
        form.addRow(tr("Format"), self.format)
        form.addRow(tr("Region"), self.region)
        form.addRow(tr("Years"), self.years)
        form.addRow(tr("File"), path_row)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.export_button = QPushButton(tr("Export"))
        self.export_button.setDefault(True)
        self.cancel_button = QPushButton(tr("Cancel"))
        self.cancel_button.setEnabled(False)
        close = QPushButton(tr("Close"))
        close.clicked.connect(self.close)
        self.export_button.clicked.connect(self.export)
        self.cancel_button.clicked.connect(self.cancel)
        buttons = QHBoxLayout()
        buttons.addWidget(self.progress, 1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(close)
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

        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(PREVIEW_DEBOUNCE_MS)
        self._preview_timer.timeout.connect(self.refresh_preview)
        for signal in (
            self.title.textChanged,
            self.page.currentIndexChanged,
            self.region.currentIndexChanged,
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
            page=self.page.currentText(),
            dpi=self.dpi.value(),
            format=self.format.currentData(),
            region=self.region.currentData() or cmp.ALL,
            years=years,
        )

    def _format_changed(self) -> None:
        fmt = self.format.currentData()
        path = Path(self.path.text().strip() or "map")
        self.path.setText(str(path.with_suffix("." + fmt)))
        self.dpi.setEnabled(fmt == "png")

    def _browse(self) -> None:
        fmt = self.format.currentData()
        path, _ = QFileDialog.getSaveFileName(
            self, tr("Export map"), self.path.text(), FORMATS[fmt]
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
        project = self.project
        self.preview_worker = worker = Worker(
            lambda fb: figure_image(map_figure(project, options, PREVIEW_DPI)), tr("Preview")
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
        project = self.project
        self.worker = worker = Worker(lambda fb: write_export(project, options, fb), tr("Export"))
        worker.signals.progress.connect(
            lambda p, m: (self.progress.setValue(int(p)), m and self.status.setText(m))
        )
        worker.signals.errored.connect(self._error)
        worker.signals.canceled.connect(lambda: self.status.setText(tr("Export canceled.")))
        worker.signals.finished.connect(lambda r: self._finished(worker, r))
        self.export_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.status.setStyleSheet("")
        self.status.setText(tr("Exporting…"))
        self.progress.setValue(0)
        self.thread_pool.start(worker)

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
            self.cancel_button.setEnabled(False)

    def _finished(self, worker: Worker, result) -> None:
        self.worker = None
        self.export_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        if worker.ok and result is not None:
            self.written = Path(result)
            self.progress.setValue(100)
            self.status.setText(tr("Wrote {p}").format(p=result))
            self.exported.emit(str(result))

    def _error(self, message: str) -> None:
        self.status.setStyleSheet("color: #b00020;")
        self.status.setText(tr("Could not export: {m}").format(m=message))

    @property
    def busy(self) -> bool:
        return self.worker is not None or self.preview_worker is not None

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self.worker is not None:
            self.worker.cancel()
        self._preview_timer.stop()
        super().closeEvent(event)


# --- briefing pack -------------------------------------------------------------------------------------
def briefing_function():
    """cartography.briefing's pack writer, whatever its final name."""
    from cartography import briefing

    for name in (
        "write_briefing",
        "build_briefing",
        "briefing_pack",
        "make_briefing",
        "write_pack",
    ):
        fn = getattr(briefing, name, None)
        if callable(fn):
            return fn
    raise ImportError("cartography.briefing has no pack writer")


def start_briefing(window, path: Path) -> Worker | None:
    """Write the pack in a Worker behind a progress dialog with Cancel."""
    try:
        fn = briefing_function()
    except ImportError:
        QMessageBox.information(
            window, tr("Briefing pack"), tr("The briefing pack is not available in this build.")
        )
        return None
    project = window.project

    def work(feedback):
        kwargs = {}
        params = inspect.signature(fn).parameters
        if "feedback" in params:
            kwargs["feedback"] = feedback
        return fn(project, path, **kwargs)

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
    window.__dict__.setdefault("_briefing_workers", []).append(worker)
    dialog.show()
    pool = getattr(window, "thread_pool", None) or QThreadPool.globalInstance()
    pool.start(worker)
    return worker


def open_export(window) -> ExportDialog:
    dialog = ExportDialog(
        window.project, thread_pool=getattr(window, "thread_pool", None), parent=window
    )
    window.export_dialog = dialog
    dialog.exported.connect(
        lambda p: window.statusBar().showMessage(tr("Wrote {p}").format(p=p), 10000)
    )
    dialog.show()
    return dialog


def _ask_briefing(window) -> None:
    base = Path(window.project.path).parent if getattr(window.project, "path", None) else Path.cwd()
    path, _ = QFileDialog.getSaveFileName(
        window, tr("Briefing pack"), str(base / "briefing.pdf"), tr("PDF document (*.pdf)")
    )
    if path:
        start_briefing(window, Path(path))


def _file_menu(window):
    for action in window.menuBar().actions():
        menu = action.menu()
        if menu is not None and action.text().replace("&", "").lower() == tr("File").lower():
            return menu
    return window.menuBar().addMenu(tr("&File"))


def install(window) -> None:
    menu = _file_menu(window)
    export = QAction(tr("Export map…"), window)
    export.setObjectName("action_export_map")
    export.setShortcut("Ctrl+E")
    export.triggered.connect(lambda: open_export(window))
    briefing = QAction(tr("Briefing pack…"), window)
    briefing.setObjectName("action_briefing")
    briefing.triggered.connect(lambda: _ask_briefing(window))
    actions = menu.actions()
    before = next(
        (a for a in actions if "quit" in a.text().lower() or "exit" in a.text().lower()), None
    )
    if before is not None:
        menu.insertAction(before, export)
        menu.insertAction(before, briefing)
        menu.insertSeparator(before)
    else:
        menu.addAction(export)
        menu.addAction(briefing)
    window.export_action, window.briefing_action = export, briefing
