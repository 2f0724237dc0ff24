"""Join a per-region table to a boundary layer by code, never by name, and say what happened:
which codes matched, which did not and the likely reason, which were repaired (lost leading
zeros), which are duplicated (docs/region_tables.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from layers.errors import LayerLoadError
from layers.i18n import tr, trn
from layers.layer import Layer
from layers.region_codes import Match, RegionCodes, TableCodes, parse_code, reason_text
from layers.region_table import Layout, RegionTable, detect_layout, numeric_column, parse_number

EXAMPLES = 8  # examples kept per list in the report
# Names analysts give code columns, preferred when two columns match equally well.
_CODE_NAMES = re.compile(
    r"(^|[_\s.\d])(p_?code|pcod|c[oó]d\w*|divipola|dane|ubigeo|inegi|ine|geocode?|code|id)"
    r"([_\s.\d]|$)",
    re.I,
)
# Share of a column's values that must be codes (digits, maybe a country prefix) for it to be
# taken as a code column without being named: names never join.
MIN_CODE_SHARE = 0.9
# Values sampled per column to find the code column (a national table has ~1,100 codes).
_SAMPLE = 5000


class JoinError(LayerLoadError):
    """The table cannot be joined (no code column matches); the message gives examples."""


@dataclass
class JoinReport:
    """What the join did, as the CLI's JSON and the dialog show it."""

    table_code_column: str
    region_code_column: str
    layout: str
    layout_note: str
    table_rows: int
    regions: int
    matched: dict = field(default_factory=dict)
    unmatched_table: dict = field(default_factory=dict)
    unmatched_regions: dict = field(default_factory=dict)
    repaired: dict = field(default_factory=dict)
    duplicates: dict = field(default_factory=dict)
    numeric_columns: list[str] = field(default_factory=list)
    text_columns: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass
class JoinResult:
    data: gpd.GeoDataFrame
    report: JoinReport


# --- finding the code columns -----------------------------------------------------------
def region_code_columns(layer: Layer | gpd.GeoDataFrame) -> list[str]:
    """The boundary layer's candidate code columns: the role mapping's region_code first, then
    columns named as codes (deepest level first), then columns of codes; each unique per region
    (ADM1_PCODE repeats in an ADM2 layer: not a key)."""
    data = layer.data if isinstance(layer, Layer) else layer
    out: list[str] = []
    mapped = layer.field("region_code") if isinstance(layer, Layer) else None
    if mapped and mapped in data.columns:
        out.append(mapped)
    geometry = data.geometry.name if isinstance(data, gpd.GeoDataFrame) else None
    columns = [c for c in data.columns if c != geometry and c not in out]
    named = [c for c in columns if _CODE_NAMES.search(str(c))]
    # The deepest level first: ADM2_PCODE before ADM1_PCODE.
    named.sort(key=lambda c: -int(m.group(1)) if (m := re.search(r"(\d)", str(c))) else 0)
    others = [c for c in columns if c not in named and _code_share(data[c]) >= MIN_CODE_SHARE]
    for c in named + others:
        values = data[c].dropna()
        if len(values) and values.astype(str).str.strip().is_unique:
            out.append(str(c))
    return out


def _code_share(values: pd.Series) -> float:
    """Share of a column's filled cells that are codes of digits (maybe with a prefix)."""
    sample = values.dropna().unique()[:_SAMPLE]
    codes = [c for v in sample if (c := parse_code(v)) is not None]
    return sum(c.digits for c in codes) / len(codes) if codes else 0.0


def _score(values: pd.Series, regions: RegionCodes, trusted: bool) -> int:
    """How many regions a column's distinct codes name. Codes matched only by restoring
    leading zeros count when the column is `trusted` (named as codes, or chosen) or has at
    least one exact match: a column of small counts (1, 2, 3) is not codes 001, 002, 003."""
    codes = {c for v in values.dropna().unique()[:_SAMPLE] if (c := parse_code(v)) is not None}
    matches = [m for c in codes if (m := regions.match(c)).region is not None]
    if not trusted and all(m.repair for m in matches):
        return 0
    return len({m.region for m in matches})


def choose_code_columns(
    table: RegionTable,
    regions: Layer | gpd.GeoDataFrame,
    table_code: str | None = None,
    region_code: str | None = None,
) -> tuple[str, str, int]:
    """(table column, region column, regions matched): the pair whose codes match best.

    Given names are used as they are (JoinError when not in the table or layer)."""
    data = regions.data if isinstance(regions, Layer) else regions
    if table_code is not None and table_code not in table.frame.columns:
        raise JoinError(
            table.path,
            tr("has no column {c!r} (columns: {cols}).").format(
                c=table_code, cols=", ".join(table.columns[:20])
            ),
        )
    if region_code is not None and region_code not in data.columns:
        raise JoinError(
            table.path,
            tr("the regions have no column {c!r} (columns: {cols}).").format(
                c=region_code, cols=", ".join(map(str, list(data.columns)[:20]))
            ),
        )
    region_columns = [region_code] if region_code else region_code_columns(regions)[:6]
    table_columns = (
        [table_code]
        if table_code
        else [c for c in table.columns if _hint(c) or _code_share(table.frame[c]) >= MIN_CODE_SHARE]
    )
    if not table_columns:
        raise JoinError(
            table.path,
            tr(
                "has no column of region codes (columns: {cols}). A table joins by code, never "
                "by name: add the codes (DIVIPOLA, P-codes…) or name the column with --table-code."
            ).format(cols=", ".join(table.columns[:20])),
        )
    best: tuple[tuple[int, int, int], str, str] | None = None
    for rank, rcol in enumerate(region_columns):
        index = RegionCodes(data[rcol].tolist())
        for tcol in table_columns:
            # Most regions matched; then the mapped region column; then a code-like name.
            trusted = bool(table_code) or bool(_hint(tcol))
            key = (_score(table.frame[tcol], index, trusted), -rank, _hint(tcol))
            if best is None or key > best[0]:
                best = (key, tcol, rcol)
        if best is not None and best[0][0] > 0 and region_code is None:
            break  # the first region column that works wins: the mapping's, else ADMn_PCODE
    if best is None:
        raise JoinError(table.path, tr("has no columns."))
    return best[1], best[2], best[0][0]


def _hint(column: str) -> int:
    return 1 if _CODE_NAMES.search(column) else 0


# --- the join ---------------------------------------------------------------------------
def join_region_table(
    table: RegionTable,
    regions: Layer | gpd.GeoDataFrame,
    table_code: str | None = None,
    region_code: str | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> JoinResult:
    """The regions with the table's columns added by code; JoinError when none matches."""
    say = progress or (lambda _p, _m: None)
    data = regions.data if isinstance(regions, Layer) else regions
    say(5, tr("Finding the code columns"))
    tcol, rcol, score = choose_code_columns(table, regions, table_code, region_code)
    index = RegionCodes(data[rcol].tolist())
    if score == 0:
        raise JoinError(table.path, _no_match_message(table, tcol, data, rcol))
    say(20, tr("Matching codes"))
    frame = table.frame
    layout = detect_layout(frame, tcol)
    rows = _match_rows(frame[tcol], index)
    report = JoinReport(
        table_code_column=tcol,
        region_code_column=rcol,
        layout=layout.kind,
        layout_note=layout.describe(),
        table_rows=len(frame),
        regions=len(data),
        warnings=list(table.report.warnings),
    )
    say(50, tr("Joining"))
    values, numeric, text = _values(frame, tcol, layout, rows, report)
    report.numeric_columns, report.text_columns = numeric, text
    _fill_report(report, table, tcol, rows, index, data, layout)
    joined = data.copy()
    taken = {str(c).lower() for c in joined.columns}
    renames = {}
    for col in values.columns:
        name = col
        while name.lower() in taken:
            name = f"{name}_table"
        taken.add(name.lower())
        renames[col] = name
    values = values.rename(columns=renames)
    report.numeric_columns = [renames[c] for c in numeric]
    report.text_columns = [renames[c] for c in text]
    aligned = values.reindex(range(len(joined)))
    for col in aligned.columns:
        joined[col] = aligned[col].to_numpy()
    say(100, tr("Done"))
    return JoinResult(joined, report)


def _match_rows(codes: pd.Series, index: RegionCodes) -> list[Match | None]:
    """Each table row's match (None for a row without a code); each distinct code once."""
    seen: dict[object, Match | None] = {}
    out: list[Match | None] = []
    for value in codes.tolist():
        key = (type(value), value)
        if key not in seen:
            code = parse_code(value)
            seen[key] = None if code is None else index.match(code)
        out.append(seen[key])
    return out


def _values(
    frame: pd.DataFrame,
    tcol: str,
    layout: Layout,
    rows: list[Match | None],
    report: JoinReport,
) -> tuple[pd.DataFrame, list[str], list[str]]:
    """The table's values indexed by region (first row per region), numbers as numbers."""
    region = pd.Series([m.region if m is not None else None for m in rows], dtype="Int64")
    body = frame.drop(columns=[tcol])
    year: pd.Series | None = None
    if layout.kind == "long":
        year = pd.Series([parse_number(v) for v in frame[layout.year_column]]).astype("Int64")
        body = body.drop(columns=[layout.year_column])
    columns: dict[str, pd.Series] = {"table_code": frame[tcol].map(_code_text)}
    numeric, text = [], []
    for col in body.columns:
        as_numbers = numeric_column(body[col])
        if as_numbers is None:
            columns[col] = body[col].map(lambda v: None if v is None else str(v))
            text.append(col)
            continue
        series, bad, examples = as_numbers
        columns[col] = series
        numeric.append(col)
        if bad:
            report.warnings.append(
                trn(
                    "{c}: {n} cell is not a number (e.g. {e}): left empty.",
                    "{c}: {n} cells are not numbers (e.g. {e}): left empty.",
                    bad,
                ).format(c=col, n=bad, e=", ".join(repr(x) for x in examples))
            )
    values = pd.DataFrame(columns, index=frame.index)
    values["__region"] = region.to_numpy()
    if year is not None:
        values["__year"] = year.to_numpy()
    values = values[values["__region"].notna()]
    if year is not None:
        return _pivot_long(values, numeric, text)
    first = values.drop_duplicates("__region", keep="first").set_index("__region")
    first.index = first.index.astype(int)
    return first, numeric, text


def _pivot_long(
    values: pd.DataFrame, numeric: list[str], text: list[str]
) -> tuple[pd.DataFrame, list[str], list[str]]:
    """One column per value and year (poverty_2019, poverty_2020…), first row per pair."""
    values = values[values["__year"].notna()].drop_duplicates(["__region", "__year"])
    years = sorted(int(y) for y in values["__year"].unique())
    wide = pd.DataFrame(index=sorted(int(r) for r in values["__region"].unique()))
    codes = values.drop_duplicates("__region").set_index("__region")["table_code"]
    wide["table_code"] = codes.reindex(wide.index).to_numpy()
    out_numeric, out_text = [], []
    for col in numeric + text:
        table = values.pivot(index="__region", columns="__year", values=col)
        for y in years:
            name = f"{col}_{y}"
            wide[name] = table[y].reindex(wide.index).to_numpy() if y in table else np.nan
            (out_numeric if col in numeric else out_text).append(name)
    return wide, out_numeric, out_text


def _code_text(value: object) -> str | None:
    code = parse_code(value)
    return None if code is None else code.text


def _fill_report(
    report: JoinReport,
    table: RegionTable,
    tcol: str,
    rows: list[Match | None],
    index: RegionCodes,
    data: gpd.GeoDataFrame,
    layout: Layout,
) -> None:
    names = _region_names(data)
    table_rows = table.row_numbers
    matched_regions: dict[int, list[int]] = {}
    unmatched: dict[str, tuple[Match, int]] = {}
    repaired: dict[str, Match] = {}
    empty_rows = 0
    for row, m in enumerate(rows):
        if m is None:
            empty_rows += 1
        elif m.region is None:
            unmatched.setdefault(m.code.key, (m, row))
        else:
            matched_regions.setdefault(m.region, []).append(row)
            if m.repair:
                repaired.setdefault(m.code.key, m)
    report.matched = {
        "count": len(matched_regions),
        "examples": [
            {
                "table": rows[r[0]].code.text,  # type: ignore[union-attr]
                "region": index.codes[i].text,  # type: ignore[union-attr]
                "name": names[i],
            }
            for i, r in list(matched_regions.items())[:EXAMPLES]
        ],
    }
    report.unmatched_table = {
        "count": len(unmatched),
        "examples": [
            {
                "code": m.code.text,
                "row": table_rows[row],
                "reason": m.reason,
                "why": reason_text(m.reason or "not_present", "table"),
                "detail": m.detail,
            }
            for m, row in list(unmatched.values())[:EXAMPLES]
        ],
    }
    if empty_rows:
        report.warnings.append(
            trn(
                "{n} row has no code: not joined.",
                "{n} rows have no code: not joined.",
                empty_rows,
            ).format(n=empty_rows)
        )
    left = [i for i in range(len(index)) if i not in matched_regions]
    explain = TableCodes(m.code for m, _ in unmatched.values())
    examples = []
    for i in left[:EXAMPLES]:
        reason, detail = index.why_unmatched(i, explain)
        code = index.codes[i]
        examples.append(
            {
                "code": code.text if code is not None else None,
                "name": names[i],
                "reason": reason,
                "why": reason_text(reason, "regions"),
                "detail": detail,
            }
        )
    report.unmatched_regions = {"count": len(left), "examples": examples}
    numbers = sum(1 for m in rows if m is not None and m.code.as_number)
    report.repaired = {
        "leading_zeros": len(repaired),
        "stored_as_numbers": numbers,
        "examples": [m.detail for m in list(repaired.values())[:EXAMPLES]],
    }
    report.duplicates = _duplicates(table, tcol, rows, matched_regions, index, layout)
    found = report.duplicates["examples"]
    n_found = report.duplicates["count"]
    if found:
        report.warnings.append(
            trn(
                "{n} region appears in more than one row ({e}): the first row is used.",
                "{n} regions appear in more than one row ({e}): the first row is used.",
                n_found,
            ).format(n=n_found, e=", ".join(d["code"] for d in found[:EXAMPLES]))
        )
    if index.duplicated:
        report.warnings.append(
            tr("The regions repeat codes ({e}): the table joins to the first.").format(
                e=", ".join(index.duplicated[:EXAMPLES])
            )
        )


def _duplicates(
    table: RegionTable,
    tcol: str,
    rows: list[Match | None],
    matched_regions: dict[int, list[int]],
    index: RegionCodes,
    layout: Layout,
) -> dict:
    """Regions named by more than one row (per year in a long table): first row used, said."""
    year_col = layout.year_column
    frame, frame_rows = table.frame, table.row_numbers
    years = frame[year_col].tolist() if year_col else None  # one list, not a lookup per row
    found = []
    for region, row_ids in matched_regions.items():
        groups: dict[object, list[int]] = {}
        for r in row_ids:
            groups.setdefault(years[r] if years is not None else None, []).append(r)
        for year, ids in groups.items():
            if len(ids) < 2:
                continue
            others = frame.drop(columns=[tcol]).iloc[ids]
            same = bool((others.astype(str).nunique(dropna=False) <= 1).all())
            found.append(
                {
                    "code": index.codes[region].text,  # type: ignore[union-attr]
                    "table_codes": sorted({rows[r].code.text for r in ids}),  # type: ignore[union-attr]
                    "rows": [frame_rows[r] for r in ids],
                    "year": None if year is None else str(year),
                    "same_values": same,
                }
            )
    return {"count": len(found), "examples": found[:EXAMPLES]}


def _region_names(data: gpd.GeoDataFrame) -> list[str | None]:
    for pattern in (r"adm\d_(es|en|name)$", r"^name$", r"^nombre", r"^nom_", r"mpio_cnmbr"):
        cols = sorted((c for c in data.columns if re.search(pattern, str(c).lower())), reverse=True)
        if cols:
            return [None if v is None else str(v) for v in data[cols[0]].tolist()]
    return [None] * len(data)


def _no_match_message(table: RegionTable, tcol: str, data: gpd.GeoDataFrame, rcol: str) -> str:
    table_examples = [
        c.text for v in table.frame[tcol].dropna().unique()[:5] if (c := parse_code(v)) is not None
    ]
    region_examples = [
        c.text for v in data[rcol].dropna().unique()[:5] if (c := parse_code(v)) is not None
    ]
    return tr(
        "no code in the table matches a region. Table column {t!r} has {te}; the regions' "
        "column {r!r} has {re}. Choose the code columns (--table-code, --region-code), or "
        "check that both are codes of the same level and country."
    ).format(
        t=tcol, te=", ".join(table_examples) or "—", r=rcol, re=", ".join(region_examples) or "—"
    )


def summary_lines(report: JoinReport) -> list[str]:
    """The report as a person reads it (numbers through layers/numbers.py)."""
    from layers.numbers import number

    lines = [
        tr("Codes: table column {t!r} → regions' column {r!r}.").format(
            t=report.table_code_column, r=report.region_code_column
        ),
        tr("Layout: {l}.").format(l=report.layout_note),
        tr("Matched: {m} of {n} regions ({rows} table rows).").format(
            m=number(report.matched["count"]),
            n=number(report.regions),
            rows=number(report.table_rows),
        ),
    ]
    if report.repaired.get("leading_zeros"):
        lines.append(
            tr(
                "Repaired: {n} codes had lost their leading zeros (stored as numbers), e.g. {e}."
            ).format(
                n=number(report.repaired["leading_zeros"]),
                e=", ".join(report.repaired["examples"][:3]),
            )
        )
    for key, title in (
        ("unmatched_table", tr("Table codes without a region: {n}")),
        ("unmatched_regions", tr("Regions without a table row: {n}")),
    ):
        part = getattr(report, key)
        if not part.get("count"):
            continue
        lines.append(title.format(n=number(part["count"])))
        for ex in part["examples"]:
            detail = f" ({ex['detail']})" if ex.get("detail") else ""
            name = f" {ex['name']}" if ex.get("name") else ""
            lines.append(f"  {ex['code']}{name}: {ex['why']}{detail}")
    for text in report.warnings:
        lines.append(tr("Warning: {w}").format(w=text))
    return lines
