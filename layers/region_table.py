"""Per-region tables without geometry (statistics from national offices): CSV in any
encoding and delimiter the point tables accept, or XLSX, read with every cell as found so a
code keeps its leading zeros ("05001", never 5001), and the table's layout said:

- one row per region;
- wide by year: columns such as 2019, 2020 or homicidios_2019, homicidios_2020;
- long: one row per region and year (code, year, value), turned wide for the join.

The join to boundaries is layers/region_join.py; docs/region_tables.md explains both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from layers.encodings import decode_with_fallbacks, text_encoding
from layers.errors import LayerLoadError
from layers.i18n import tr, trn
from layers.report import LoadReport
from layers.tables import _check_width, _delimiter
from layers.vector_io import guard_zip

TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")
# A column named by a year, alone or after a stem: "2019", "homicidios_2019", "tasa 2020".
_YEAR_COLUMN = re.compile(r"^(?P<stem>.*?)[\s_\-.]*(?P<year>(?:19|20)\d{2})$")
# Columns that hold the year of a long table (one row per region and year).
YEAR_NAMES = ("year", "años", "año", "ano", "anio", "vigencia", "periodo", "period", "yr")
# Cells national offices write for "no data": empty, not a number and not an error.
NO_DATA = frozenset({"", "-", "--", "nd", "n.d.", "n/d", "s.d.", "sd", "na", "n/a", "nan", "..."})
# Numbers as spreadsheets in either language write them.
_PLAIN_DOT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
# A decimal comma for certain: '12,5', '0,25', '1234,5678' (not three digits: '1,234').
_COMMA_DECIMAL = re.compile(r"^[+-]?\d*,(\d{1,2}|\d{4,})$|^[+-]?\d{4,},\d+$")
_THOUSANDS_DOT = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+,\d+$")  # 1.234.567,8
_THOUSANDS_DOTS = re.compile(r"^[+-]?\d{1,3}(\.\d{3}){2,}$")  # 1.234.567: two groups, no doubt
# Any of these in a column makes its commas decimal and its points thousands.
_COMMA_STYLE = (_COMMA_DECIMAL, _THOUSANDS_DOT, _THOUSANDS_DOTS)
_THOUSANDS_COMMA = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")  # 1,234,567.8
# A column is numbers when at most this share of its filled cells are not numbers.
MAX_NON_NUMBERS = 0.1


@dataclass
class Layout:
    """How the table holds years: 'single', 'wide' or 'long'."""

    kind: str = "single"
    year_column: str | None = None  # long tables
    series: dict[str, dict[int, str]] = field(default_factory=dict)  # wide: stem -> year -> col

    def describe(self) -> str:
        if self.kind == "long":
            return tr(
                "long: one row per region and year (year in {c}); one column per year"
            ).format(c=self.year_column)
        if self.kind == "wide":
            parts = []
            for stem, years in self.series.items():
                span = f"{min(years)}–{max(years)}" if len(years) > 1 else str(min(years))
                parts.append(f"{stem or tr('values')} ({span})")
            return tr("wide by year: {series}").format(series=", ".join(parts))
        return tr("one row per region")


@dataclass
class RegionTable:
    """A table as read: every cell as found (text from CSV; text or numbers from XLSX)."""

    frame: pd.DataFrame
    path: Path
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    report: LoadReport = field(default_factory=LoadReport)
    # Each data row's number as a spreadsheet shows it (header of a CSV = row 1).
    row_numbers: list[int] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        return [str(c) for c in self.frame.columns]


def is_region_table(path: str | Path) -> bool:
    return Path(path).suffix.lower() in TABLE_SUFFIXES


def read_region_table(
    path: str | Path, sheet: str | None = None, encoding: str | None = None
) -> RegionTable:
    """The table at `path` with every cell as found; LayerLoadError says what is wrong."""
    path = Path(path)
    if not path.is_file():
        raise LayerLoadError(path, tr("was not found."), tr("Check the path and try again."))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        table = _read_xlsx(path, sheet)
    elif suffix in (".csv", ".tsv", ".txt"):
        table = _read_csv(path, encoding)
    else:
        raise LayerLoadError(
            path,
            tr("is not a table Harm Atlas reads for a join."),
            tr("Save it as CSV or XLSX."),
        )
    table.frame.columns = _unique_names([_header(c) for c in table.frame.columns])
    if not table.row_numbers:
        table.row_numbers = [i + 2 for i in range(len(table.frame))]
    keep = table.frame.notna().any(axis=1).to_numpy()
    table.frame = table.frame[keep].reset_index(drop=True)
    table.row_numbers = [n for n, k in zip(table.row_numbers, keep, strict=True) if k]
    if table.frame.empty or not len(table.frame.columns):
        raise LayerLoadError(path, tr("has no rows."), tr("Choose the sheet or file with data."))
    return table


def _header(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a year typed as a number in the header row: 2019, not 2019.0
    return re.sub(r"\s+", " ", str(value)).strip()


def _unique_names(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, name in enumerate(names):
        name = name or f"column_{i + 1}"
        if name.lower() in seen:
            seen[name.lower()] += 1
            name = f"{name}_{seen[name.lower()]}"
        seen[name.lower()] = seen.get(name.lower(), 1)
        out.append(name)
    return out


def _read_csv(path: Path, encoding: str | None) -> RegionTable:
    report = LoadReport(driver="CSV")
    options = {"encoding": encoding} if encoding else {}
    report.encoding = text_encoding(path, options, report)
    sep = _delimiter(path, report.encoding)
    _check_width(path, sep, report.encoding)

    def read(enc: str) -> pd.DataFrame:
        # Every cell as text: a code column must never go through a number.
        return pd.read_csv(path, sep=sep, encoding=enc, dtype=str, keep_default_na=False)

    try:
        frame = decode_with_fallbacks(read, report.encoding, report, forced=bool(encoding))
    except pd.errors.EmptyDataError:
        raise LayerLoadError(path, tr("is empty.")) from None
    except pd.errors.ParserError as exc:
        raise LayerLoadError(
            path,
            tr("is not a well-formed table ({e}).").format(e=str(exc).splitlines()[0]),
            tr("Check that every row has the same number of columns."),
        ) from None
    frame = frame.replace("", None)
    return RegionTable(frame, path, report=report)


def _read_xlsx(path: Path, sheet: str | None) -> RegionTable:
    from openpyxl import load_workbook

    guard_zip(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl fails in many ways on damaged files
        raise LayerLoadError(
            path, tr("could not be read as XLSX ({e}).").format(e=exc), tr("Save it again.")
        ) from None
    try:
        names = list(book.sheetnames)
        if sheet is not None and sheet not in names:
            raise LayerLoadError(
                path,
                tr("has no sheet {s!r} (sheets: {names}).").format(s=sheet, names=", ".join(names)),
            )
        report = LoadReport(driver="XLSX", encoding="utf-8")
        chosen = sheet
        rows: list[tuple] = []
        for name in [sheet] if sheet else names:
            rows = [
                (i, r)
                for i, r in enumerate(book[name].iter_rows(values_only=True), start=1)
                if any(_filled(v) for v in r)
            ]
            if len(rows) > 1:
                chosen = name
                break
        if chosen is None or len(rows) < 2:
            raise LayerLoadError(path, tr("has no rows."), tr("Choose the sheet with data."))
        if len(names) > 1:
            report.warn(
                tr(
                    "Read sheet {s!r} of {n} ({names}); another can be chosen (Sheet, or --sheet)."
                ).format(s=chosen, n=len(names), names=", ".join(names))
            )
    finally:
        book.close()
    start = _header_row([r for _, r in rows])
    if start:
        report.warn(
            trn(
                "Skipped {n} title row above the header.",
                "Skipped {n} title rows above the header.",
                start,
            ).format(n=start)
        )
    width = max(len(r) for _, r in rows)
    body = [list(r) + [None] * (width - len(r)) for _, r in rows[start:]]
    # object dtype: numbers stay Python numbers, text stays text (the codes' zeros kept)
    frame = pd.DataFrame(body[1:], columns=body[0], dtype=object)
    frame = frame.loc[
        :,
        [
            any(_filled(v) for v in frame.iloc[:, i]) or _filled(c)
            for i, c in enumerate(frame.columns)
        ],
    ]
    return RegionTable(frame, path, chosen, names, report, [n for n, _ in rows[start + 1 :]])


def _filled(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _header_row(rows: list[tuple]) -> int:
    """The header's index: title rows above it (an office's name, the source) fill fewer cells."""
    widest = max(sum(_filled(v) for v in r) for r in rows[:30])
    for i, row in enumerate(rows[:30]):
        if sum(_filled(v) for v in row) >= max(2, widest // 2 + 1) or widest < 2:
            return i
    return 0


# --- numbers ----------------------------------------------------------------------------
def parse_number(value: object, decimal_comma: bool | None = None) -> float | None:
    """A cell as a number, None if not one. `decimal_comma`: the column's convention
    (numeric_column decides it once per column); None: guessed from this cell alone."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float | np.integer | np.floating):
        v = float(value)
        return v if np.isfinite(v) else None
    text = _clean(str(value))
    if decimal_comma is None:
        decimal_comma = bool(_THOUSANDS_DOT.match(text) or _COMMA_DECIMAL.match(text))
    text = _normalised(text, decimal_comma)
    return float(text) if _PLAIN_DOT.match(text) else None


def _clean(text: str) -> str:
    return text.strip().replace("\u00a0", "").replace(" ", "").rstrip("%")


def _normalised(text: str, decimal_comma: bool) -> str:
    """'1.234,5' (decimal comma) or '1,234.5' as '1234.5'."""
    if decimal_comma:
        return text.replace(".", "").replace(",", ".")
    return text.replace(",", "") if _THOUSANDS_COMMA.match(text) else text


def numeric_column(values: pd.Series) -> tuple[pd.Series, int, list[str]] | None:
    """The column as numbers, the cells that were not numbers (left empty) and examples;
    None when it is text: too many non-numbers, or codes with leading zeros ("05").

    The decimal separator is decided once for the column: a comma when any cell writes one
    as a decimal ('12,5', '1.234,5'), else a point ('1,234' is then one thousand two hundred
    and thirty-four)."""
    raw = values.astype(object)
    is_number = raw.map(lambda v: isinstance(v, int | float | np.integer | np.floating))
    is_number &= ~raw.map(lambda v: isinstance(v, bool))
    text = raw.where(~is_number).astype("string").str.strip()
    empty = text.isna() | text.str.lower().isin(NO_DATA)
    filled = int((~empty & ~is_number).sum() + is_number.sum())
    if not filled:
        return None
    text = text[~empty & ~is_number]
    if text.str.match(r"^0\d").any():
        return None  # "05": a code, not the number 5
    text = text.str.replace("\u00a0", "", regex=False).str.replace(" ", "", regex=False)
    text = text.str.rstrip("%")
    comma = any(bool(text.str.match(p.pattern).any()) for p in _COMMA_STYLE)
    if comma:
        text = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        thousands = text.str.match(_THOUSANDS_COMMA.pattern).fillna(False)
        text = text.where(~thousands, text.str.replace(",", "", regex=False))
    ok = text.str.match(_PLAIN_DOT.pattern).fillna(False)
    out = pd.Series(np.nan, index=values.index, dtype="float64")
    out[is_number] = raw[is_number].astype("float64")
    out[ok[ok].index] = pd.to_numeric(text[ok], errors="coerce").astype("float64")
    bad_index = text.index[~ok.to_numpy()]
    if len(bad_index) > MAX_NON_NUMBERS * filled:
        return None
    examples = sorted({str(values[i]) for i in bad_index})[:3]
    return out, len(bad_index), examples


# --- layout -----------------------------------------------------------------------------
def year_of(column: str) -> tuple[str, int] | None:
    """(stem, year) of a column named by a year ('2019' -> ('', 2019))."""
    m = _YEAR_COLUMN.match(str(column).strip())
    if not m:
        return None
    return m.group("stem").strip(" _-."), int(m.group("year"))


def detect_layout(frame: pd.DataFrame, code_column: str) -> Layout:
    """Long if a year column repeats the codes; wide if columns are named by years."""
    codes = frame[code_column].map(lambda v: None if v is None else str(v).strip())
    repeated = codes.dropna().duplicated().any()
    if repeated:
        for col in frame.columns:
            if col == code_column or str(col).strip().lower() not in YEAR_NAMES:
                continue
            years = pd.Series([parse_number(v) for v in frame[col]], dtype="float64")
            ok = years.dropna()
            if len(ok) and ((ok % 1 == 0) & ok.between(1900, 2100)).all():
                return Layout("long", year_column=col)
    series: dict[str, dict[int, str]] = {}
    for col in frame.columns:
        if col == code_column:
            continue
        found = year_of(col)
        if found:
            series.setdefault(found[0], {})[found[1]] = col
    series = {stem: years for stem, years in series.items() if len(years) >= 2}
    if series:
        return Layout("wide", series=series)
    return Layout("single")
