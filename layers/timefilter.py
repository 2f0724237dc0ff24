"""The time filter: one period applied to every dated layer at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from layers.layer import Layer


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
        """'2019', '2016-2020', '2019-03-01..2020-02-29' -> TimeFilter."""
        if not text:
            return None
        text = text.strip()
        if ".." in text:
            a, b = text.split("..", 1)
            return cls(date.fromisoformat(a) if a else None, date.fromisoformat(b) if b else None)
        if "-" in text and len(text) == 9 and text[4] == "-":
            return cls.years(int(text[:4]), int(text[5:]))
        if len(text) == 4 and text.isdigit():
            return cls.years(int(text))
        raise ValueError(f"Not a period: {text!r}. Use 2019, 2016-2020 or 2019-03-01..2020-02-29.")

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
