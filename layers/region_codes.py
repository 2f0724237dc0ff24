"""Region codes as analysts have them, and how a table's codes are matched to a boundary
layer's: by code, never by name (docs/region_tables.md).

A code is split into a country prefix and a body: HDX P-codes "CO05001" are ("CO", "05001"),
DIVIPOLA "05001" is ("", "05001"). Whitespace and case never matter. A code Excel stored as
a number (5001, or "5001.0" in a CSV it wrote) has lost its leading zeros: it is padded back
to the width of the regions' codes when exactly one region then matches, and the repair is
counted so the report can say it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from layers.i18n import tr, tr_noop

# A country prefix (ISO alpha-2/3 as HDX writes it) before a digit body: CO05001, COL-05001.
_PREFIXED = re.compile(r"^([A-Z]{2,3})[-_ ]?(\d+)$")
# What spreadsheets write for a whole number stored as a float: "5001.0", "5001.00".
_FLOAT_TEXT = re.compile(r"^(\d+)\.0+$")
_SPACES = re.compile(r"[\s\u00a0\u2007\u202f]+")

# Why a code found no partner; the keys are the JSON's, the texts what people read.
REASONS: dict[str, str] = {
    "leading_zero": tr_noop("missing leading zero"),
    "other_prefix": tr_noop("other country prefix"),
    "other_level": tr_noop("code of another administrative level (length)"),
    "not_present": tr_noop("no region has this code"),
}
# "not present" said from the regions' side.
NOT_IN_TABLE = tr_noop("not in the table")


@dataclass(frozen=True)
class Code:
    """One code as read: its text, country prefix, body, and whether it was a number."""

    text: str  # as shown to the user (numbers without ".0")
    prefix: str  # "CO", or "" when none
    body: str  # "05001" (upper case, no spaces)
    as_number: bool = False  # an Excel numeric cell or "5001.0": leading zeros may be lost

    @property
    def key(self) -> str:
        return self.prefix + self.body

    @property
    def digits(self) -> bool:
        return self.body.isdigit()


def parse_code(value: object) -> Code | None:
    """The Code of a cell, or None for an empty one. Never turns text into a number."""
    if value is None or isinstance(value, bool):
        return None
    as_number = False
    if isinstance(value, int):
        text, as_number = str(value), True
    elif isinstance(value, float):
        if not math.isfinite(value):
            return None
        if not value.is_integer():
            text = repr(value)
            return Code(text, "", text.upper())
        text, as_number = str(int(value)), True
    else:
        if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
            return parse_code(value.item())  # type: ignore[attr-defined]
        text = _SPACES.sub("", str(value)).upper()
        if not text or text in ("NAN", "NONE", "<NA>"):
            return None
        whole = _FLOAT_TEXT.match(text)
        if whole:
            text, as_number = whole.group(1), True
    m = _PREFIXED.match(text)
    if m:
        return Code(text, m.group(1), m.group(2), as_number)
    return Code(text, "", text, as_number)


@dataclass
class Match:
    """Where one table code went: a region index, or why not."""

    code: Code
    region: int | None = None
    repair: str | None = None  # "leading_zero" when zeros were restored
    reason: str | None = None  # a REASONS key when unmatched
    detail: str = ""  # the specifics, e.g. "5001 → 05001" or "VE; the regions use CO"


class RegionCodes:
    """The regions' codes, indexed for matching table codes against them."""

    def __init__(self, values: Sequence[object]) -> None:
        self.codes: list[Code | None] = [parse_code(v) for v in values]
        self.by_key: dict[str, int] = {}
        self.by_body: dict[str, list[int]] = {}
        self.duplicated: list[str] = []
        for i, code in enumerate(self.codes):
            if code is None:
                continue
            if code.key in self.by_key:
                self.duplicated.append(code.text)
                continue
            self.by_key[code.key] = i
            self.by_body.setdefault(code.body, []).append(i)
        self.prefixes = sorted({c.prefix for c in self.codes if c is not None and c.prefix})
        self.widths = sorted({len(c.body) for c in self.codes if c is not None and c.digits})

    def __len__(self) -> int:
        return len(self.codes)

    def _find(self, prefix: str, body: str) -> list[int]:
        """Regions whose code is (prefix, body), prefixes normalised: a code without a prefix
        matches any region's; a region without one matches any code's."""
        if prefix:
            exact = self.by_key.get(prefix + body)
            if exact is not None:
                return [exact]
            return [i for i in self.by_body.get(body, []) if not self.codes[i].prefix]  # type: ignore[union-attr]
        return list(self.by_body.get(body, []))

    def match(self, code: Code) -> Match:
        """The region `code` names, restoring lost leading zeros when only one region fits."""
        found = self._find(code.prefix, code.body)
        if len(found) == 1:
            return Match(code, found[0])
        if len(found) > 1:  # "05001" against CO05001 and VE05001: the prefix is needed
            others = ", ".join(self.codes[i].text for i in found[:3])  # type: ignore[union-attr]
            return Match(code, reason="other_prefix", detail=tr("also {c}").format(c=others))
        if code.digits:
            padded = {
                i
                for width in self.widths
                if width > len(code.body)
                for i in self._find(code.prefix, code.body.zfill(width))
            }
            if len(padded) == 1:
                region = padded.pop()
                return Match(
                    code,
                    region,
                    repair="leading_zero",
                    detail=f"{code.text} → {self.codes[region].text}",  # type: ignore[union-attr]
                )
            if len(padded) > 1:
                shown = ", ".join(sorted(self.codes[i].text for i in padded)[:3])  # type: ignore[union-attr]
                return Match(code, reason="leading_zero", detail=tr("could be {c}").format(c=shown))
        return Match(code, **self._why_not(code))

    def _why_not(self, code: Code) -> dict:
        """The likely reason a code matched no region."""
        if code.prefix and self.prefixes and code.prefix not in self.prefixes:
            bodies = [code.body] + [code.body.zfill(w) for w in self.widths]
            if any(b in self.by_body for b in bodies):
                return {
                    "reason": "other_prefix",
                    "detail": tr("{p}; the regions use {q}").format(
                        p=code.prefix, q=", ".join(self.prefixes)
                    ),
                }
        if code.digits and self.widths and len(code.body) not in self.widths:
            return {
                "reason": "other_level",
                "detail": tr("{n} digits; the regions' codes have {w}").format(
                    n=len(code.body), w=", ".join(map(str, self.widths))
                ),
            }
        return {"reason": "not_present", "detail": ""}

    def why_unmatched(self, region: int, table: TableCodes) -> tuple[str, str]:
        """The likely reason a region found no row: (REASONS key, detail)."""
        mine = self.codes[region]
        if mine is None:
            return "not_present", tr("the region has no code")
        for code in table.by_body.get(mine.body, []):
            if code.prefix and mine.prefix and code.prefix != mine.prefix:
                return "other_prefix", tr("the table has {c}").format(c=code.text)
        if mine.digits:
            for code in table.by_stripped.get(mine.body.lstrip("0"), []):
                if code.body != mine.body:
                    return "leading_zero", tr("the table has {c}").format(c=code.text)
        return "not_present", ""


class TableCodes:
    """A table's unmatched codes, indexed to explain the regions that found no row."""

    def __init__(self, codes: Iterable[Code]) -> None:
        self.by_body: dict[str, list[Code]] = {}
        self.by_stripped: dict[str, list[Code]] = {}
        for code in codes:
            self.by_body.setdefault(code.body, []).append(code)
            if code.digits:
                self.by_stripped.setdefault(code.body.lstrip("0"), []).append(code)


def reason_text(key: str, side: str = "table") -> str:
    """A reason's words in the active language, for a table code or (side='regions') a region."""
    if key == "not_present" and side == "regions":
        return tr(NOT_IN_TABLE)
    return tr(REASONS.get(key, key))
