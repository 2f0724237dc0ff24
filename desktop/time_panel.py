"""Time filter panel: one period for every dated layer, with play to watch years go by."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSlider,
    QSpinBox,
    QToolButton,
    QWidget,
)

from core.state import AppState
from desktop.frame_memo import FrameMemo
from layers.dates import parse_day
from layers.i18n import tr
from layers.layer import Layer, is_raster
from layers.numbers import day
from layers.timefilter import PeriodError, TimeFilter, layer_years

PLAY_INTERVAL_MS = 900
_YEARS = re.compile(r"\d{4}\s*[-–—]\s*\d{4}")  # '2016 – 2020' is a range, not a date


# layer_years parses the layer's dates (~25 ms per 150,000 rows); the panel asks on every
# layer added, removed or moved.
years_of = FrameMemo(
    layer_years,
    lambda layer: (
        layer.field("date"),
        layer.field("year"),
        tuple(sorted(layer.mapping.year_columns.items())),
    ),
)


def years_covered(layers) -> tuple[int, int] | None:
    """First and last year over all dated layers (None when no layer is dated): features'
    dates, and the loss years of rasters drawn as forest loss (they follow the period)."""
    spans = [
        s
        for s in (layer.loss_years() if is_raster(layer) else years_of(layer) for layer in layers)
        if s is not None
    ]
    if not spans:
        return None
    return min(s[0] for s in spans), max(s[1] for s in spans)


class TimePanel(QWidget):
    """'All years' or a window of N years ending at the slider's year.

    Emits period_changed(TimeFilter | None) whenever the shown period changes; once it
    follows an AppState (`follow`), it sets the period there and shows the state's period.
    """

    period_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.enabled = QCheckBox()
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("time_slider")
        self.slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.slider.setTickInterval(1)
        self.slider.setPageStep(1)
        self.span = QSpinBox()
        self.span.setRange(1, 50)
        self.span.setValue(1)
        self.play = QToolButton()
        self.play.setText("▶")
        self.play.setCheckable(True)
        self.label = QLabel()
        self.label.setMinimumWidth(90)
        self.label.setStyleSheet("font-weight:600")
        self.range_label = QLabel()
        self.range_label.setStyleSheet("color:#666")
        self.dates = QLineEdit()
        self.dates.setObjectName("time_dates")
        self.dates.setMinimumWidth(190)
        self.dates.setMaximumWidth(230)
        self._custom: TimeFilter | None = None
        box = QHBoxLayout(self)
        box.setContentsMargins(6, 2, 6, 2)
        box.addWidget(self.enabled)
        box.addWidget(self.play)
        box.addWidget(self.slider, 1)
        box.addWidget(self.span)
        box.addWidget(self.dates)
        box.addWidget(self.label)
        box.addWidget(self.range_label)
        self._timer = QTimer(self)
        self._timer.setInterval(PLAY_INTERVAL_MS)
        self._timer.timeout.connect(self._step)
        self.enabled.toggled.connect(self._changed)
        self.slider.valueChanged.connect(self._years_moved)
        self.span.valueChanged.connect(self._years_moved)
        self.dates.editingFinished.connect(self._dates_entered)
        self.play.toggled.connect(self._play_toggled)
        self._quiet = False
        self._state: AppState | None = None
        self._years: tuple[int, int] | None = None
        self.set_range(None)
        self.retranslate()

    def retranslate(self, *_args) -> None:
        """Texts in the active language (built with it; again on a language switch)."""
        self.enabled.setText(tr("Filter by time"))
        self.enabled.setToolTip(tr("Show only features dated inside the period, in every layer"))
        self.span.setSuffix(tr(" yr"))
        self.span.setToolTip(tr("Length of the period in years, ending at the chosen year"))
        self.play.setToolTip(tr("Play: step through the years"))
        self.dates.setPlaceholderText(tr("or dates: 2019-03-01..2020-02-29"))
        self.dates.setToolTip(
            tr(
                "A date range instead of whole years (either side may be empty), ISO or as "
                "written in either language (1 de marzo de 2019..29 Feb 2020); Enter to apply"
            )
        )
        if self._years is None:
            self.range_label.setText(tr("no dated layers"))
        self.label.setText(period_label(self.period()))

    def follow(self, state: AppState) -> None:
        """Set the period with `state.set_period`; show whatever period the state holds."""
        self._state = state
        state.events.language.connect(self.retranslate)
        state.events.period.connect(self._state_period_changed)
        state.events.project.connect(
            lambda project: self.set_layers(
                list(project.layers) if project is not None else [],
                project.time_filter if project is not None else None,
            )
        )

    def _state_period_changed(self, period: TimeFilter | None) -> None:
        if period != self.period():  # set elsewhere (a script, a menu): show it, quietly
            self.set_range(self._years, period)

    def set_layers(self, layers: list[Layer], current: TimeFilter | None) -> None:
        """Fit the slider to the layers' years and show `current` without re-emitting it."""
        self.set_range(years_covered(layers), current)

    def set_range(self, years: tuple[int, int] | None, current: TimeFilter | None = None) -> None:
        self._years = years
        self._quiet = True
        try:
            has = years is not None
            self._set_custom(None)
            for w in (self.enabled, self.slider, self.span, self.play, self.dates):
                w.setEnabled(has)
            if years is None:
                self.range_label.setText(tr("no dated layers"))
                self.enabled.setChecked(False)
            else:
                self.slider.setRange(*years)
                self.range_label.setText(f"{years[0]}–{years[1]}")
                if current is not None and not _whole_years(current):
                    self._set_custom(current)
                    self.enabled.setChecked(True)
                elif current is not None and current.end is not None:
                    self.slider.setValue(current.end.year)
                    start = current.start.year if current.start else years[0]
                    self.span.setValue(max(1, current.end.year - start + 1))
                    self.enabled.setChecked(True)
                else:
                    self.slider.setValue(years[1])
                    self.enabled.setChecked(False)
            self.label.setText(period_label(self.period()))
        finally:
            self._quiet = False

    def period(self) -> TimeFilter | None:
        if not self.enabled.isChecked() or not self.slider.isEnabled():
            return None
        if self._custom is not None:
            return self._custom
        end = self.slider.value()
        return TimeFilter.years(end - self.span.value() + 1, end)

    def set_year(self, year: int, span: int = 1) -> None:
        """Show `span` years ending at `year` (turns the filter on)."""
        self._set_custom(None)
        self._quiet = True
        self.span.setValue(span)
        self.slider.setValue(year)
        self._quiet = False
        if self.enabled.isChecked():
            self._changed()
        else:
            self.enabled.setChecked(True)

    def _set_custom(self, period: TimeFilter | None) -> None:
        self._custom = period
        self.dates.setStyleSheet("")
        if period is None:
            self.dates.clear()
        else:
            start = period.start.isoformat() if period.start else ""
            end = period.end.isoformat() if period.end else ""
            self.dates.setText(f"{start}..{end}")

    def _years_moved(self, *_args) -> None:
        if self._quiet:
            return
        self._set_custom(None)  # the slider takes over from a typed date range
        self._changed()

    def _dates_entered(self) -> None:
        text = self.dates.text().strip()
        if not text:
            if self._custom is not None:
                self._custom = None
                self._changed()
            return
        try:
            period = parse_period(text)
        except ValueError as exc:
            self.dates.setStyleSheet("background:#fde2e1")
            self.dates.setToolTip(str(exc))
            return
        if period == self._custom and self.enabled.isChecked():
            return
        self._set_custom(period)
        if self.enabled.isChecked():
            self._changed()
        else:
            self.enabled.setChecked(True)  # emits through _changed

    def _changed(self, *_args) -> None:
        if self._quiet:
            return
        period = self.period()
        if self._state is not None:
            self._state.set_period(period)  # TimeFilter.parse already refused reversed ranges
        self.label.setText(period_label(period))
        self.period_changed.emit(period)

    def _play_toggled(self, on: bool) -> None:
        self.play.setText("❚❚" if on else "▶")
        if on:
            if not self.enabled.isChecked():
                self._quiet = True
                self.slider.setValue(self.slider.minimum())
                self._quiet = False
                self.enabled.setChecked(True)
            self._timer.start()
        else:
            self._timer.stop()

    def _step(self) -> None:
        if self.slider.value() >= self.slider.maximum():
            self.play.setChecked(False)  # stop at the last year, like a video player
            return
        self.slider.setValue(self.slider.value() + 1)


def _whole_years(period: TimeFilter) -> bool:
    """True when the period runs 1 January to 31 December (the slider can show it)."""
    return bool(
        period.start
        and period.end
        and (period.start.month, period.start.day) == (1, 1)
        and (period.end.month, period.end.day) == (12, 31)
    )


def period_label(period: TimeFilter | None) -> str:
    """'2016–2020' for whole years; a date range with the language's month names
    ('1 de marzo de 2019 – 29 de febrero de 2020'); 'All years' without a period."""
    if period is None:
        return tr("All years")
    if _whole_years(period):
        return period.label
    start = day(period.start, long=True) if period.start else "…"
    end = day(period.end, long=True) if period.end else "…"
    return f"{start} – {end}"


def parse_period(text: str) -> TimeFilter | None:
    """What the dates box takes: TimeFilter.parse's forms ('2019', '2016-2020',
    '2019-03-01..2020-02-29'), and either side written in either language
    ('1 de marzo de 2019..29/02/2020', '1 March 2019..'); one date alone starts a period."""
    text = text.strip()
    if ".." not in text and len(text) > 9 and not _YEARS.fullmatch(text):
        text += ".."  # one date: from then on
    try:
        return TimeFilter.parse(text)
    except ValueError:
        if ".." not in text:
            raise
    first, last = (part.strip() for part in text.split("..", 1))
    try:
        start = parse_day(first).isoformat() if first else ""
        end = parse_day(last).isoformat() if last else ""
    except ValueError:
        raise PeriodError.unreadable(text) from None
    return TimeFilter.parse(f"{start}..{end}")
