"""The time filter: one period applied to every dated layer at once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from layers.i18n import tr, tr_noop
from layers.layer import Layer

if TYPE_CHECKING:
    import pandas as pd

# '2019', '2016-2020', '2016 – 2020', '2016..2020': whole calendar years.
_YEAR_RANGE = re.compile(r"(?P<a>\d{4})(?:\s*(?:-|–|—|\.\.)\s*(?P<b>\d{4}))?")
# The help of every option that takes a period: the forms TimeFilter.parse reads, and what an
# empty answer means (analyses and the briefing pack take the project's period, a map all dates).
PERIOD_HELP = tr_noop("Period: 2019, 2016-2020 or 2019-03-01..2020-02-29 (default: the project's).")
PERIOD_HELP_ALL_DATES = tr_noop(
    "Period: 2019, 2016-2020 or 2019-03-01..2020-02-29 (default: all dates)."
)


class PeriodError(ValueError):
    """A period the user typed could not be read; the message says how to write it."""

    @classmethod
    def unreadable(cls, text: str) -> PeriodError:
        """`text` is no period: the error naming it and the forms a period takes."""
        return cls(
            tr("Not a period: {t!r}. Write 2019, 2016-2020 or 2019-03-01..2020-02-29.").format(
                t=text
            )
        )


def _day(text: str, start: bool) -> date | None:
    """One side of 'a..b': empty is open-ended, a bare year is its first or last day."""
    if not text:
        return None
    if len(text) == 4 and text.isdigit():
        return date(int(text), 1, 1) if start else date(int(text), 12, 31)
    return date.fromisoformat(text)


@dataclass(frozen=True)
class TimeFilter:
    """Inclusive period; None on either side means open-ended."""

    start: date | None = None
    end: date | None = None

    @classmethod
    def years(cls, first: int, last: int | None = None) -> TimeFilter:
        last = first if last is None else last
        return cls(date(first, 1, 1), date(last, 12, 31))

    @classmethod
    def parse(cls, text: str | None) -> TimeFilter | None:
        """The one period parser: '2019', '2016-2020' (or en dash, or '..'), '2019-03-01..2020-02-29'.

        Either side of '..' may be empty (open-ended). Raises PeriodError saying how to write it.
        """
        if text is None or not str(text).strip():
            return None
        text = str(text).strip()
        try:
            if m := _YEAR_RANGE.fullmatch(text):
                first, last = int(m["a"]), int(m["b"] or m["a"])
                period = cls.years(first, last)
            elif ".." in text:
                a, b = (part.strip() for part in text.split("..", 1))
                period = cls(_day(a, start=True), _day(b, start=False))
            else:
                period = cls(date.fromisoformat(text), date.fromisoformat(text))
        except ValueError:
            raise PeriodError.unreadable(text) from None
        if period.start and period.end and period.start > period.end:
            raise PeriodError(
                tr("The period {t!r} starts after it ends: write the earlier date first.").format(
                    t=text
                )
            )
        return period

    @property
    def label(self) -> str:
        if (
            self.start
            and self.end
            and self.start.month == 1
            and self.start.day == 1
            and self.end.month == 12
            and self.end.day == 31
        ):
            return (
                str(self.start.year)
                if self.start.year == self.end.year
                else f"{self.start.year}–{self.end.year}"
            )
        return f"{self.start or '…'} – {self.end or '…'}"

    def to_dict(self) -> dict:
        return {
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
        }

    @classmethod
    def from_dict(cls, data: dict | None) -> TimeFilter | None:
        if not data:
            return None
        return cls(
            date.fromisoformat(data["start"]) if data.get("start") else None,
            date.fromisoformat(data["end"]) if data.get("end") else None,
        )


def layer_dates(layer: Layer) -> pd.Series | None:
    """Timestamps of each feature from the mapped date (or year) field; None if undated."""
    import pandas as pd

    gdf = layer.data
    date_col = layer.field("date")
    if date_col and date_col in gdf.columns:
        return pd.to_datetime(gdf[date_col], errors="coerce")
    year_col = layer.field("year")
    if year_col and year_col in gdf.columns:
        years = pd.to_numeric(gdf[year_col], errors="coerce")
        return pd.to_datetime(years.astype("Int64").astype(str) + "-07-01", errors="coerce")
    return None


def time_mask(layer: Layer, tf: TimeFilter | None) -> np.ndarray | None:
    """Boolean mask of features inside the period, or None when the layer is undated."""
    import pandas as pd

    if tf is None:
        return None
    dates = layer_dates(layer)
    if dates is None:
        return None
    mask = dates.notna().to_numpy()
    if tf.start is not None:
        mask &= (dates >= pd.Timestamp(tf.start)).to_numpy()
    if tf.end is not None:
        mask &= (
            dates <= pd.Timestamp(tf.end) + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
        ).to_numpy()
    return mask


def grid_year_column(layer: Layer, tf: TimeFilter | None) -> str | None:
    """For wide year-column grids (SIMCI), the column to show for the period's last year."""
    years = layer.mapping.year_columns
    if not years:
        return None
    if tf is None or tf.end is None:
        return years[max(years)]
    eligible = [y for y in years if y <= tf.end.year]
    return years[max(eligible)] if eligible else years[min(years)]


def layer_years(layer: Layer) -> tuple[int, int] | None:
    """First and last year a layer covers, for the time slider's range."""
    if layer.mapping.year_columns:
        ys = layer.mapping.year_columns
        return min(ys), max(ys)
    dates = layer_dates(layer)
    if dates is None or dates.notna().sum() == 0:
        return None
    return int(dates.min().year), int(dates.max().year)
