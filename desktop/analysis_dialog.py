"""The analysis dialog, generated from an Algorithm's declaration (QGIS Processing style).

Every widget comes from a Parameter; nothing here knows a particular analysis. The
equivalent command line is shown live so a run can be repeated headless.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import Qt, QThreadPool, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from analysis.base import Algorithm, AnalysisResult, Feedback, Parameter, load_all
from analysis.inputs import METRIC_CRS_KEY, PROJECT_KEY, execute
from cartography.result_styles import result_position, result_style
from desktop.analysis_wording import for_desktop
from desktop.labels import choice_label, output_label, parameter_label, result_layer_name
from desktop.task_row import TaskRow
from desktop.undo import AddLayers
from desktop.workbench import Workbench
from desktop.workers import Worker
from layers.i18n import tr, tr_noop
from layers.layer import Layer, is_raster
from layers.project import Project
from layers.roles import Role

NONE_LABEL = tr_noop("(none)")


def shown(text: str, algorithm: Algorithm | None = None) -> str:
    """Declared text (an analysis's title, a parameter's help) in the active language: tr again
    where shown, so a language switched after the analyses were imported reaches the dialog.
    With `algorithm`, its parameters' flags are named by their labels (for_desktop)."""
    text = tr(text) if text else ""
    return for_desktop(text, algorithm) if algorithm is not None else text


# Optional numbers without a default start here, shown as "(default)": unset.
UNSET = -1


# --- running work off the UI thread -------------------------------------------------------
def make_worker(fn: Callable[[Feedback], Any], title: str = "") -> Worker:
    """A Worker running `fn(feedback)`; its `finished` always fires last (`worker.ok` says how)."""
    return Worker(fn, title)


# --- results into the project -------------------------------------------------------------
class AddResultLayers(AddLayers):
    """Add result layers where they keep the map readable (result_position): filled areas
    above every filled area, outlines and points on top; undo removes them. The analysis'
    first layer (its main one: displacement's targets before their rings) ends up on top."""

    def redo(self) -> None:
        for layer in reversed(self.new):
            if layer not in self.layers:
                layer.name = self.layers.unique_name(layer.name)
                self.layers.insert(result_position(list(self.layers), layer), layer)


def result_layers(result: AnalysisResult, algorithm: Algorithm) -> list[Layer]:
    """Each result GeoDataFrame as a RESULT layer, styled per the analysis' hints."""
    out = []
    for name, gdf in result.layers.items():
        style = result_style(gdf, result.styles.get(name), algorithm.id, name)
        layer = Layer(
            gdf,
            result_layer_name(algorithm.id, name),
            role=Role.RESULT,
            style=style,
            metadata={"analysis": algorithm.id, "analysis_title": algorithm.title},
        )
        out.append(layer)
    return out


def add_result_layers(window: Workbench, layers: list[Layer], title: str) -> None:
    """Add `layers` to the window's project as one undoable step."""
    command = AddResultLayers(
        window.project.layers, layers, tr("Add results of {t}").format(t=title)
    )
    window.undo_stack.push(command)  # push() runs redo()


# --- parameter widgets --------------------------------------------------------------------
class _UnsetSteps:
    """An optional number shown as '(default)' at its floor: the first step up goes to `start`
    (never to the floor + 1, i.e. 0), and stepping below `start` goes back to '(default)'."""

    start: float = 1.0

    def stepBy(self, steps: int) -> None:  # noqa: N802 - Qt override
        floor, value = self.minimum(), self.value()
        if value == floor and steps > 0:
            self.setValue(self.start + (steps - 1) * self.singleStep())
        elif value > floor and value + steps * self.singleStep() < self.start:
            self.setValue(floor)
        else:
            super().stepBy(steps)


class UnsetSpinBox(_UnsetSteps, QSpinBox):
    """Whole numbers that may be left to the analysis."""


class UnsetDoubleSpinBox(_UnsetSteps, QDoubleSpinBox):
    """Numbers that may be left to the analysis."""


def alternatives(parameters: tuple[Parameter, ...]) -> dict[str, str]:
    """NAME and NAME_field are alternatives (one value for every feature, or each feature's own
    in a field, as displacement's date and date_field): giving one clears the other."""
    names = {p.name for p in parameters}
    pairs: dict[str, str] = {}
    for p in parameters:
        base = p.name.removesuffix("_field")
        if p.kind == "field" and base != p.name and base in names:
            pairs[p.name], pairs[base] = base, p.name
    return pairs


# Layer parameters an analyst may draw: areas (targets, controls, study regions, footprints,
# protected areas), not observations such as events or a cultivation grid.
DRAWABLE_ROLES = {"eradication", "admin_boundaries", "protected_areas", "other"}


def _layer_fits(layer: Layer, p: Parameter) -> bool:
    if is_raster(layer):  # layer parameters take features; rasters are given as paths
        return False
    return not p.geometry or layer.geometry_kind in p.geometry


def _parse_numbers(text: str) -> list[float]:
    parts = [t.strip() for t in text.replace(";", ",").split(",") if t.strip()]
    values = []
    for t in parts:
        try:
            values.append(float(t))
        except ValueError:
            raise ValueError(tr("{t!r} is not a number.").format(t=t)) from None
    return values


class ParameterWidget(QWidget):
    """One input built from a Parameter; emits `edited` whenever its value changes."""

    edited = Signal()
    draw_requested = Signal()  # "Draw it now…": the user wants to draw this polygon layer

    def __init__(self, p: Parameter, layers: list[Layer], project_path: str = "") -> None:
        super().__init__()
        self.p = p
        # The name shown for it (the dialog sets the translated label); p.name stays the key.
        self.title = p.title
        self._layers = layers
        # The parameter this one is an alternative to (alternatives()): set by the dialog.
        self.alternative: ParameterWidget | None = None
        box = QHBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        self.input: QWidget
        kind = p.kind
        if kind == "layer":
            self.input = self._layer_combo()
        elif kind == "field":
            self.input = QComboBox()
            self.input.currentIndexChanged.connect(self.edited)
        elif kind == "enum":
            self.input = QComboBox()
            # Each option named for the user; the raw value (what the analysis reads) as data.
            for choice in p.choices:
                self.input.addItem(choice_label(choice), choice)
            if p.default in p.choices:
                self.input.setCurrentIndex(self.input.findData(p.default))
            self.input.currentIndexChanged.connect(self.edited)
        elif kind == "bool":
            self.input = QCheckBox()
            self.input.setChecked(bool(p.default))
            self.input.toggled.connect(self.edited)
        elif kind == "integer":
            self.input = UnsetSpinBox() if p.default is None else QSpinBox()
            self.input.setRange(UNSET if p.default is None else -1_000_000_000, 1_000_000_000)
            self.input.setSpecialValueText(tr("(default)") if p.default is None else "")
            self.input.setValue(UNSET if p.default is None else int(p.default))
            self.input.valueChanged.connect(self.edited)
        elif kind == "number":
            self.input = UnsetDoubleSpinBox() if p.default is None else QDoubleSpinBox()
            self.input.setRange(UNSET if p.default is None else -1e12, 1e12)
            self.input.setSpecialValueText(tr("(default)") if p.default is None else "")
            default = UNSET if p.default is None else float(p.default)
            self.input.setDecimals(0 if default >= 100 and default == int(default) else 2)
            self.input.setSingleStep(max(abs(default) / 10.0, 0.1) if p.default else 1.0)
            self.input.setValue(default)
            self.input.valueChanged.connect(self.edited)
        else:  # string, date, numbers, path, project
            self.input = QLineEdit()
            default = p.default
            if kind == "numbers" and isinstance(default, list | tuple):
                default = ", ".join(f"{v:g}" for v in default)
            if kind == "project" and not default:
                default = project_path
            self.input.setText("" if default is None else str(default))
            placeholders = {
                "date": tr("YYYY-MM-DD"),
                "numbers": tr("e.g. 1000, 2000, 5000"),
                "path": tr("file path"),
                "project": tr("project file"),
            }
            self.input.setPlaceholderText(placeholders.get(kind, ""))
            self.input.textChanged.connect(self.edited)
        self.input.setToolTip(shown(p.help))
        box.addWidget(self.input, 1)
        if kind in ("path", "project"):
            browse = QPushButton(tr("Browse…"))
            browse.clicked.connect(self._browse)
            box.addWidget(browse)
        self.draw_button: QPushButton | None = None
        if kind == "layer" and "polygon" in p.geometry and set(p.roles) <= DRAWABLE_ROLES:
            # Shown when a window can draw (AnalysisDialog.offer_drawing).
            self.draw_button = QPushButton(tr("Draw it now…"))
            self.draw_button.setObjectName(f"draw_{p.name}")
            self.draw_button.setToolTip(
                tr("Draw the polygon on the map in a new layer; it is chosen here when finished.")
            )
            self.draw_button.clicked.connect(self.draw_requested)
            self.draw_button.hide()
            box.addWidget(self.draw_button)

    def _layer_combo(self) -> QComboBox:
        combo = QComboBox()
        # A long layer name is elided, not a reason to scroll the form sideways and hide
        # "Draw it now…" (the list that opens shows whole names; the dialog widens them).
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(18)
        p = self.p
        fitting = [layer for layer in self._layers if _layer_fits(layer, p)]
        if not p.required:
            combo.addItem(tr(NONE_LABEL), None)
        for layer in fitting:
            role = layer.role.label
            combo.addItem(layer.name if role == layer.name else f"{layer.name}  [{role}]", layer)
        preferred = next((lyr for lyr in fitting if lyr.role.value in p.roles), None)
        if preferred is not None:
            combo.setCurrentIndex(combo.findData(preferred))
        elif p.required and fitting:
            combo.setCurrentIndex(0)
        combo.currentIndexChanged.connect(self.edited)
        return combo

    def choose_layer(self, layer: Layer) -> None:
        """Offer `layer` (one drawn since the dialog opened) and choose it."""
        index = self.input.findData(layer)
        if index < 0:
            role = layer.role.label
            self.input.addItem(
                layer.name if role == layer.name else f"{layer.name}  [{role}]", layer
            )
            index = self.input.count() - 1
        self.input.setCurrentIndex(index)

    def _browse(self) -> None:
        if self.p.kind == "project":
            path, _ = QFileDialog.getOpenFileName(
                self, self.title, "", tr("Harm Atlas project (*.hatlas.json)")
            )
        else:
            path, _ = QFileDialog.getSaveFileName(self, self.title)
        if path:
            self.input.setText(path)

    def fill_fields(self, layer: Layer | None) -> None:
        """Field combos follow their parent layer."""
        combo: QComboBox = self.input  # type: ignore[assignment]
        previous = combo.currentText()
        combo.blockSignals(True)
        combo.clear()
        if not self.p.required:
            combo.addItem(tr(NONE_LABEL), None)
        columns = [] if layer is None else [c for c in layer.data.columns if c != "geometry"]
        for c in columns:
            combo.addItem(str(c), c)
        wanted = [previous, self.p.default]
        # A guess from the layer's mapping only while its alternative is not given.
        if layer is not None and not (self.alternative and self.alternative.has_value()):
            key = self.p.name.removesuffix("_field").removesuffix("_column")
            wanted += [layer.field(key), layer.field(self.p.name)]
        for w in wanted:
            if w and combo.findData(w) >= 0:
                combo.setCurrentIndex(combo.findData(w))
                break
        combo.blockSignals(False)
        self.edited.emit()

    def has_value(self) -> bool:
        """Whether this parameter is given (not left empty, '(none)' or '(default)')."""
        kind, w = self.p.kind, self.input
        if kind in ("layer", "field"):
            return w.currentData() is not None
        if kind == "bool":
            return w.isChecked()
        if kind in ("integer", "number"):
            return self.p.default is not None or w.value() != w.minimum()
        if kind == "enum":
            return True
        return bool(w.text().strip())

    def clear(self) -> None:
        """Back to empty, '(none)' or '(default)'."""
        kind, w = self.p.kind, self.input
        if kind in ("layer", "field"):
            if w.findData(None) >= 0:
                w.setCurrentIndex(w.findData(None))
        elif kind == "bool":
            w.setChecked(False)
        elif kind in ("integer", "number"):
            if self.p.default is None:
                w.setValue(w.minimum())
        elif kind != "enum":
            w.clear()

    def value(self) -> Any:
        """The value the algorithm gets (raises ValueError with a clear message)."""
        kind, w = self.p.kind, self.input
        if kind in ("layer", "field"):
            return w.currentData()
        if kind == "enum":
            return w.currentData()
        if kind == "bool":
            return w.isChecked()
        if kind in ("integer", "number"):
            # An optional number left at its floor means "let the analysis decide".
            return None if self.p.default is None and w.value() == w.minimum() else w.value()
        text = w.text().strip()
        if not text:
            return None
        if kind == "numbers":
            return _parse_numbers(text)
        if kind == "date":
            try:
                date.fromisoformat(text)
            except ValueError:
                raise ValueError(
                    tr("{f}: {t!r} is not a date; write it as YYYY-MM-DD.").format(
                        f=self.title, t=text
                    )
                ) from None
        return text

    def set_value(self, value: Any) -> None:
        kind, w = self.p.kind, self.input
        if kind in ("layer", "field"):
            i = w.findData(value)
            if i < 0 and isinstance(value, str):
                i = w.findText(value)
            if i < 0 and isinstance(value, Layer):  # e.g. one operation picked on the map
                w.addItem(f"{value.name}  [{tr('picked')}]", value)
                i = w.count() - 1
            if i >= 0:
                w.setCurrentIndex(i)
        elif kind == "enum":
            i = w.findData(str(value))
            w.setCurrentIndex(i if i >= 0 else w.findText(str(value)))
        elif kind == "bool":
            w.setChecked(bool(value))
        elif kind in ("integer", "number"):
            w.setValue(value)
        elif kind == "numbers" and isinstance(value, list | tuple):
            w.setText(", ".join(f"{v:g}" for v in value))
        else:
            w.setText("" if value is None else str(value))


def command_line(algorithm: Algorithm, params: dict[str, Any], project) -> str:
    """The CLI call; layers kept only in the project are named and --project is added."""
    shown = dict(params)
    named = False
    for p in algorithm.parameters:
        v = shown.get(p.name)
        if p.kind == "layer" and isinstance(v, Layer) and not v.source.path:
            shown[p.name], named = v.name, True
    text = algorithm.command_line(shown)
    path = getattr(project, "path", None)
    if path and (named or any(isinstance(v, Layer) for v in shown.values())):
        import shlex

        text += " --project " + shlex.quote(str(path))
    return text


# --- the dialog -----------------------------------------------------------------------------
class AnalysisDialog(QDialog):
    """Parameters, help, live command line, Run/Cancel with progress; result via signal."""

    result_ready = Signal(object, dict)  # AnalysisResult, params used

    def __init__(
        self,
        algorithm: Algorithm,
        project,
        *,
        thread_pool: QThreadPool | None = None,
        parent: QWidget | None = None,
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(parent)
        self.algorithm = algorithm
        self.project = project
        self.thread_pool = thread_pool or QThreadPool.globalInstance()
        self.worker: Worker | None = None
        self.last_result: AnalysisResult | None = None
        self.setWindowTitle(shown(algorithm.title) or algorithm.id)
        self.setMinimumSize(760, 480)

        self.command_view = QPlainTextEdit()
        self.command_view.setReadOnly(True)
        self.command_view.setMaximumHeight(56)
        self.command_view.setToolTip(tr("The same analysis from a terminal."))
        layers = list(project.layers)
        project_path = str(project.path) if getattr(project, "path", None) else ""
        self.widgets: dict[str, ParameterWidget] = {}
        form_host = QWidget()
        form = QFormLayout(form_host)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for p in algorithm.parameters:
            w = ParameterWidget(p, layers, project_path)
            self.widgets[p.name] = w
            w.title = parameter_label(algorithm.id, p)
            label = QLabel(w.title + ("" if not p.required else " *"))
            label.setToolTip(shown(p.help, algorithm))
            w.input.setToolTip(label.toolTip())
            form.addRow(label, w)
            w.edited.connect(self._update_command)
        for name, other in alternatives(algorithm.parameters).items():
            self.widgets[name].alternative = self.widgets[other]
            self.widgets[name].edited.connect(lambda n=name: self._exclude(n))
        for p in algorithm.parameters:
            if p.kind == "field" and p.parent in self.widgets:
                parent_w = self.widgets[p.parent]
                child = self.widgets[p.name]
                parent_w.edited.connect(
                    lambda pw=parent_w, c=child: c.fill_fields(pw.input.currentData())
                )
                child.fill_fields(parent_w.input.currentData())
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(form_host)

        self.help_view = QTextBrowser()
        self.help_view.setHtml(self._help_html())
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(scroll)
        split.addWidget(self.help_view)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)

        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = TaskRow(self, tr("Run"), self.run, self.cancel, self.status)
        self.progress, self.run_button = buttons.progress, buttons.action_button
        self.cancel_button, self.close_button = buttons.cancel_button, buttons.close_button
        self.progress.setValue(0)
        self.task_row = buttons

        outer = QVBoxLayout(self)
        outer.addWidget(split, 1)
        outer.addWidget(QLabel(tr("Command line:")))
        outer.addWidget(self.command_view)
        outer.addWidget(self.status)
        outer.addLayout(buttons)
        for name, value in (initial or {}).items():
            if name in self.widgets:
                self.widgets[name].set_value(value)
        self._update_command()

    def offer_drawing(self, draw: Callable[[str, str, Callable[[Layer], None]], None]) -> None:
        """Show "Draw it now…" beside polygon layer parameters: `draw(name, role, done)`
        makes a layer, lets the user draw, and calls `done(layer)`, which chooses it here."""
        for name, w in self.widgets.items():
            if w.draw_button is None:
                continue
            w.draw_button.show()
            role = w.p.roles[0] if w.p.roles else ""
            w.draw_requested.connect(
                lambda n=name, r=role, w=w: draw(
                    tr("Drawn {p}").format(p=w.title), r, lambda layer: self._drawn(n, layer)
                )
            )

    def _drawn(self, name: str, layer: Layer) -> None:
        self.widgets[name].choose_layer(layer)
        self.show()
        self.raise_()
        self.activateWindow()

    def _help_html(self) -> str:
        a = self.algorithm
        rows = "".join(
            f"<p><b>{html.escape(parameter_label(a.id, p))}</b>"
            f"{' <i>(' + tr('required') + ')</i>' if p.required else ''}<br>"
            f"{html.escape(shown(p.help, a))}</p>"
            for p in a.parameters
        )
        outs = "".join(
            f"<li><b>{html.escape(output_label(a.id, o.name, o.kind))}</b>: "
            f"{html.escape(shown(o.help, a))}</li>"
            for o in a.outputs
        )
        return (
            f"<h3>{html.escape(shown(a.title) or a.id)}</h3><p>{html.escape(shown(a.help, a))}</p>{rows}"
            + (f"<p><b>{tr('Outputs')}</b></p><ul>{outs}</ul>" if outs else "")
        )

    # --- values -------------------------------------------------------------------------
    def _exclude(self, name: str) -> None:
        """A parameter just given clears its alternative: the run takes one or the other."""
        widget = self.widgets[name]
        if widget.has_value() and widget.alternative is not None:
            widget.alternative.clear()

    def values(self) -> dict[str, Any]:
        return {name: w.value() for name, w in self.widgets.items()}

    def _update_command(self) -> None:
        try:
            params = self.values()
        except ValueError as exc:
            self.command_view.setPlainText(str(exc))
            return
        self.command_view.setPlainText(command_line(self.algorithm, params, self.project))

    # --- running --------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.worker is not None

    def run(self) -> None:
        if self.running:
            return
        try:
            params = self.algorithm.validate(self.values())
        except ValueError as exc:
            self._show_error(str(exc))
            return
        if self.project is not None:
            # Project-wide analyses (indicators) read the project; all use its metric CRS.
            if not isinstance(params.get(PROJECT_KEY), Project):
                params[PROJECT_KEY] = self.project
            params.setdefault(METRIC_CRS_KEY, self.project.metric_crs)
        algorithm, project = self.algorithm, self.project
        # Layers, fields, numbers and dates are resolved in the worker, as for the CLI.
        self.worker = make_worker(
            lambda fb: execute(algorithm, params, project, fb), shown(algorithm.title)
        )
        worker = self.worker
        worker.signals.progress.connect(self._on_progress)
        worker.signals.errored.connect(self._on_error)
        worker.signals.canceled.connect(self._on_canceled)
        worker.signals.finished.connect(
            lambda r: (
                self._on_finished(r, params)
                if worker.ok and not worker.feedback.canceled
                else self._on_canceled()
                if worker.ok
                else self._done()
            )
        )
        self.task_row.started(tr("Running…"))
        self.thread_pool.start(worker)

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
            self.status.setText(tr("Canceling…"))
            self.cancel_button.setEnabled(False)

    def _done(self) -> None:
        self.worker = None
        self.task_row.set_running(False)

    def _on_progress(self, percent: float, message: str) -> None:
        self.progress.setValue(int(percent))
        if message:
            self.status.setText(message)

    def _on_finished(self, result: AnalysisResult, params: dict) -> None:
        self._done()
        self.last_result = result
        self.progress.setValue(100)
        n = len(result.layers)
        self.status.setText(
            tr("Done: {n} result layer(s) added.").format(n=n) if n else tr("Done.")
        )
        self.result_ready.emit(result, params)

    def _on_error(self, message: str) -> None:
        self._done()
        self._show_error(message)

    def _on_canceled(self) -> None:
        self._done()
        self.progress.setValue(0)
        self.status.setText(tr("Canceled: nothing was added."))

    def _show_error(self, message: str) -> None:
        message = for_desktop(message, self.algorithm)
        self.task_row.failed(tr("Could not run: {m}").format(m=message))

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self.running:
            self.worker.cancel()
        super().closeEvent(event)


# --- window integration -----------------------------------------------------------------------
def open_analysis(
    window: Workbench, algorithm_id: str, initial: dict[str, Any] | None = None
) -> AnalysisDialog:
    """Open (non-modal) the dialog for `algorithm_id`; its results go into the project."""
    algorithm = load_all()[algorithm_id]
    dialog = AnalysisDialog(
        algorithm,
        window.project,
        thread_pool=window.thread_pool,
        parent=window,
        initial=initial,
    )
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    dialog.result_ready.connect(lambda r, p: deliver_result(window, algorithm, r, p))
    edits = window.edits  # None until the editing plugin is installed
    if edits is not None:  # Draw it now… (desktop/edit_tools.py)
        dialog.offer_drawing(edits.draw_for_parameter)
    window.analysis_dialogs.append(dialog)
    dialog.show()
    return dialog


def deliver_result(
    window: Workbench, algorithm: Algorithm, result: AnalysisResult, params: dict
) -> None:
    """New layers (undoable) and the results dock; notes go to the message log."""
    layers = result_layers(result, algorithm)
    if layers:
        add_result_layers(window, layers, shown(algorithm.title) or algorithm.id)
    if window.results_dock is not None:
        window.results_dock.show_result(algorithm, result, params, layers)
    for note in result.notes:
        window.messages.info(note)
    window.messages.info(tr("{t}: finished.").format(t=shown(algorithm.title) or algorithm.id))


def install(window: Workbench) -> None:
    """Analysis menu with every registered analysis."""
    try:
        registry = load_all()
    except Exception as exc:  # noqa: BLE001 - a broken analysis must not stop the app
        QMessageBox.warning(
            window, tr("Analyses"), tr("Could not load analyses: {e}").format(e=exc)
        )
        registry = {}
    menu = window.menu("analysis")
    for algorithm_id, algorithm in sorted(registry.items(), key=lambda kv: kv[1].title or kv[0]):
        action = QAction(window)
        action.setObjectName(f"analysis_{algorithm_id}")

        def show(action: QAction = action, algorithm: Algorithm = algorithm) -> None:
            # Declared in English by the analyses; tr again here follows a language switch.
            action.setText(shown(algorithm.title) or algorithm.id)
            action.setToolTip(shown(algorithm.help, algorithm))
            action.setStatusTip(action.toolTip())

        window.translated(show)
        action.triggered.connect(lambda _=False, a=algorithm_id: open_analysis(window, a))
        menu.addAction(action)


__all__ = [
    "AnalysisDialog",
    "ParameterWidget",
    "result_layers",
    "add_result_layers",
    "deliver_result",
    "open_analysis",
    "make_worker",
    "install",
]
