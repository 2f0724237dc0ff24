"""Dates as analysts' files write them (ISO, '16 May 2025', '16 de mayo de 2025', '16/05/2025'),
read once per text.

Slashed dates are day first (Spanish and most data) unless the column itself shows US order: a
value above 12 in the second place and none in the first ('05/16/2025').
"""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd

from layers.i18n import tr
from layers.report import LoadReport

# "SLASHED" stands for %d/%m/%Y or %m/%d/%Y, chosen per column by _slash_order.
DATE_FORMATS = ("ISO8601", "%d %B %Y", "%d %b %Y", "SPANISH", "SLASHED", "%Y/%m/%d", "%d-%m-%Y")

# Spanish month names and the abbreviations Colombian and Peruvian files use ('sept', 'set').
SPANISH_MONTHS: dict[str, int] = {
    **{
        name: i
        for i, name in enumerate(
            (
                "enero febrero marzo abril mayo junio julio agosto septiembre octubre "
                "noviembre diciembre"
            ).split(),
            start=1,
        )
    },
    **{
        name: i
        for i, name in enumerate("ene feb mar abr may jun jul ago sep oct nov dic".split(), start=1)
    },
    "setiembre": 9,
    "sept": 9,
    "set": 9,
}
# '12 de mayo de 2021', '12 mayo 2021', '12 may. 2021', '12-may-2021'
_SPANISH = (
    r"^\s*(?P<d>\d{1,2})[\s\-]+(?:de\s+)?(?P<m>[a-záéíóú]+)\.?[\s\-]+(?:de[l]?\s+)?(?P<y>\d{4})\s*$"
)
_SLASHED = r"^\s*(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>\d{4})\s*$"


def _spanish(text: pd.Series) -> pd.Series:
    """Texts with a Spanish month name as ISO 'YYYY-MM-DD' (others NaN)."""
    parts = text.str.lower().str.extract(_SPANISH)
    month = parts["m"].map(SPANISH_MONTHS)
    ok = month.notna()
    out = pd.Series(np.nan, index=text.index, dtype=object)
    out[ok] = (
        parts.loc[ok, "y"]
        + "-"
        + month[ok].astype(int).astype(str).str.zfill(2)
        + "-"
        + parts.loc[ok, "d"].str.zfill(2)
    )
    return out


def _slash_order(text: pd.Series) -> str:
    """'%m/%d/%Y' when the column shows US order (a second number above 12, no first one
    above 12); day first otherwise, as Spanish data and most of the world write it."""
    parts = text.str.extract(_SLASHED)[["a", "b"]].dropna().astype(int)
    if len(parts) and (parts["b"] > 12).any() and not (parts["a"] > 12).any():
        return "%m/%d/%Y"
    return "%d/%m/%Y"


def _parse_text_dates(text: pd.Series) -> pd.Series:
    """Each distinct text tried against the formats analysts' files use, ISO first."""
    parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    for fmt in DATE_FORMATS:
        todo = parsed.isna() & (text != "")
        if not todo.any():
            break
        values = text[todo]
        if fmt == "SPANISH":
            values, fmt = _spanish(values), "%Y-%m-%d"
        elif fmt == "SLASHED":
            fmt = _slash_order(values)
        # utc=True: "…Z" and plain dates mix in one column; stored as naive UTC.
        found = pd.to_datetime(values, errors="coerce", format=fmt, utc=True)
        parsed[todo] = found.dt.tz_localize(None)
    return parsed


def parse_day(text: str) -> date:
    """One date as a user types it, in either language: '2021-05-12', '12 May 2021',
    '12 de mayo de 2021', '12/05/2021' (day first). Raises ValueError when it is none of them."""
    found = _parse_text_dates(pd.Series([str(text).strip()]))[0]
    if pd.isna(found):
        raise ValueError(text)
    return found.date()


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
                "(expected e.g. 2025-05-16, 16 May 2025 or 16/05/2025)."
            ).format(n=unparsed, col=column)
        )
