"""Dates as analysts' files write them (ISO, '16 May 2025', '16/05/2025'), read once per text."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from layers.i18n import tr
from layers.report import LoadReport

DATE_FORMATS = ("ISO8601", "%d %B %Y", "%d %b %Y", "%d/%m/%Y", "%Y/%m/%d", "%d-%m-%Y")


def _parse_text_dates(text: pd.Series) -> pd.Series:
    """Each distinct text tried against the formats analysts' files use, ISO first."""
    parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    for fmt in DATE_FORMATS:
        todo = parsed.isna() & (text != "")
        if not todo.any():
            break
        # utc=True: "…Z" and plain dates mix in one column; stored as naive UTC.
        found = pd.to_datetime(text[todo], errors="coerce", format=fmt, utc=True)
        parsed[todo] = found.dt.tz_localize(None)
    return parsed


def _dates_and_presence(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    # Events share days: parse each distinct text once (1M ACLED rows hold ~10k dates).
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    text = pd.Series(np.asarray(uniques, dtype=object)).astype(str).str.strip()
    parsed_unique = _parse_text_dates(text).to_numpy()
    present_unique = (text != "").to_numpy()
    known = codes >= 0
    parsed = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[ns]")
    parsed[known] = parsed_unique[codes[known]]
    present = np.zeros(len(values), dtype=bool)
    present[known] = present_unique[codes[known]]
    return pd.Series(parsed, index=values.index), present


def parse_dates(values: pd.Series) -> pd.Series:
    """Dates as ACLED and others write them: '2025-05-16', '16 May 2025', '16/05/2025'."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    return _dates_and_presence(values)[0]


def parse_date_column(gdf: gpd.GeoDataFrame, column: str | None, report: LoadReport) -> None:
    if not column or column not in gdf.columns:
        return
    values = gdf[column]
    if pd.api.types.is_datetime64_any_dtype(values):
        return
    parsed, present = _dates_and_presence(values)
    unparsed = int((present & parsed.isna().to_numpy()).sum())
    gdf[column] = parsed
    if unparsed:
        report.dates_unparsed += unparsed
        report.warn(
            tr(
                "{n} dates in '{col}' could not be read and are kept as missing "
                "(expected e.g. 2025-05-16 or 16 May 2025)."
            ).format(n=unparsed, col=column)
        )
