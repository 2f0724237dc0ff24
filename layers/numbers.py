"""The one formatter of numbers, shares, quantities and dates that every view shows.

Tables, legends, the results panel, the compare view, the briefing pack and the web map all
print through here, so a value reads the same everywhere: grouped thousands, no scientific
notation, one glyph for a missing value, percentages from shares, and the active language's
decimal and grouping marks (Babel's CLDR data; '3,933,442' in English, '3.933.442' in Spanish).
"""

from __future__ import annotations

import decimal
import math
import sys
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import numpy as np
from babel.dates import format_date
from babel.numbers import format_decimal, format_scientific

from layers.i18n import current_language, tr, trn
from layers.i18n import language as in_language

MISSING = "–"  # en dash: missing, undefined or not applicable, in every table and map
# Units whose stored value is a share 0–1, shown ×100 with a % sign.
SHARE_UNITS = frozenset({"%"})
# Units printed without a space or not at all (a rank is a plain number).
_SILENT_UNITS = frozenset({"", "rank"})
_MAX_DECIMALS = 6


def is_missing(value: Any) -> bool:
    """None, NaN, NaT, pd.NA and infinities have no number to show."""
    if value is None:
        return True
    pd = sys.modules.get("pandas")  # a CLI run that never loads pandas has no NaT or NA
    if pd is not None and (value is pd.NaT or value is pd.NA):
        return True
    if isinstance(value, np.datetime64):
        return bool(np.isnat(value))
    if isinstance(value, float | np.floating):
        return not math.isfinite(float(value))
    return False


def _locale(language: str | None) -> str:
    # current_language(): an export's own language (layers.i18n.language) before the app's.
    code = (language or current_language() or "en").replace("-", "_")
    return code if code[:2] in ("en", "es") else "en"


def _decimals(magnitude: float) -> int:
    """Decimals that keep two significant digits of small values and none of large ones."""
    if magnitude >= 1000:
        return 0
    if magnitude >= 10:
        return 1
    if magnitude >= 1:
        return 2
    if magnitude == 0:
        return 0
    return min(_MAX_DECIMALS, 1 - math.floor(math.log10(magnitude)))


def number(value: Any, decimals: int | None = None, language: str | None = None) -> str:
    """'3,933,442', '17,470', '12.5', '0.037'; never '1.747e+04'; MISSING for no value."""
    if is_missing(value):
        return MISSING
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if not isinstance(value, int | float | np.integer | np.floating):
        return str(value)
    v = float(value)
    if not math.isfinite(v) or (abs(v) >= 1e27 and not isinstance(value, int | np.integer)):
        # Float nodata (-3.4e38): Decimal (28 digits) cannot quantize it to whole digits.
        return format_scientific(v, format="0.###E0", locale=_locale(language))
    if decimals is None:
        whole = isinstance(value, int | np.integer) or (v.is_integer() and abs(v) < 1e15)
        decimals = 0 if whole else _decimals(abs(v))
    if decimals == 0 and isinstance(value, int | np.integer):
        v = int(value)  # exact for counts beyond float precision
    elif round(v, decimals) == 0:
        v = 0.0  # no '-0.00'
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    with decimal.localcontext() as context:
        context.rounding = decimal.ROUND_HALF_UP  # 2.5 -> 3, as readers expect (Babel: half-even)
        return format_decimal(v, format=pattern, locale=_locale(language))


def compact(value: Any, language: str | None = None) -> str:
    """number() without trailing zeros, for legend class bounds and scale bars: '2.5', '0.5',
    '1,200', '0.037'."""
    if is_missing(value) or not isinstance(value, int | float | np.integer | np.floating):
        return number(value, language=language)
    v = float(value)
    decimals = 0 if v.is_integer() else _decimals(abs(v))
    while decimals > 0 and round(v, decimals - 1) == round(v, decimals):
        decimals -= 1
    return number(value, decimals, language)


def percent(share: Any, decimals: int = 1, language: str | None = None) -> str:
    """A share 0–1 as '3.7 %'."""
    if is_missing(share):
        return MISSING
    return f"{number(float(share) * 100.0, decimals, language)} %"


MINUS = "\u2212"  # the minus sign of printed values, differences and changes, never a hyphen


def printed(value: Any, decimals: int | None = None, language: str | None = None) -> str:
    """number() as a page prints it, negatives with the minus sign signed() and change() use:
    '−5.25' beside '−55 %'. (number() keeps the hyphen: its text is typed and pasted back.)"""
    text = number(value, decimals, language)
    return MINUS + text[1:] if text.startswith("-") else text


def signed(value: Any, decimals: int | None = None, language: str | None = None) -> str:
    """A difference with its sign, as changes are printed: '+1,093', '−1,093', '±0' (a value
    that rounds to zero at the decimals shown has no sign)."""
    if is_missing(value) or not isinstance(value, int | float | np.integer | np.floating):
        return number(value, decimals, language)
    magnitude = abs(value) if isinstance(value, int | np.integer) else abs(float(value))
    text = number(magnitude, decimals, language)
    if not any(digit in text for digit in "123456789"):
        return f"±{text}"
    return f"{'+' if value > 0 else MINUS}{text}"


def change(percent_change: Any, language: str | None = None) -> str:
    """A relative change already in percent, signed: '+12 %', '−8 %'."""
    if is_missing(percent_change):
        return MISSING
    return f"{signed(float(percent_change), 0, language)} %"


# Units that are countable nouns, by their English plural (the catalogue key tables hold):
# their singular and plural in the language shown, so 1 reads '1 year' / '1 año', not '1 años'.
COUNTED_UNITS: dict[str, Callable[[int], str]] = {
    "years": lambda n: trn("year", "years", n),
    "people": lambda n: trn("person", "people", n),
    "events": lambda n: trn("event", "events", n),
}


def counted_unit(unit: str, value: Any, language: str | None = None) -> str:
    """`unit` (English 'years' or its translation 'años') in the form `value` takes; other
    units as given."""
    if is_missing(value) or not isinstance(value, int | float | np.integer | np.floating):
        return unit
    with in_language(language):
        forms = COUNTED_UNITS.get(unit) or next(
            (f for key, f in COUNTED_UNITS.items() if tr(key) == unit), None
        )
        if forms is None:
            return unit
        v = abs(float(value))
        # Only a whole 1 is singular in English and Spanish; a fraction (1.5) takes the plural.
        return forms(int(v) if v.is_integer() else 2)


def quantity(value: Any, unit: str = "", language: str | None = None) -> str:
    """A value with its catalogue unit: '1,234 ha', '3.7 %' (shares), '12.5 per 100k per year',
    '1 year' / '2 years' (countable units agree with the value)."""
    if unit in SHARE_UNITS:
        return percent(value, language=language)
    text = number(value, language=language)
    if text == MISSING or unit in _SILENT_UNITS:
        return text
    return f"{text} {counted_unit(unit, value, language)}"


def day(value: Any, long: bool = False, language: str | None = None) -> str:
    """Dates as ISO 2019-03-04 in every language (unambiguous, for tables); times only when
    present. `long`: the language's prose form for titles and sentences, '12 May 2021' /
    '12 de mayo de 2021' (Babel's CLDR month names)."""
    if is_missing(value):
        return MISSING
    if isinstance(value, np.datetime64):
        value = value.astype("datetime64[us]").item()  # a datetime (pandas stays unloaded)
    if long and isinstance(value, date):
        when = value.date() if isinstance(value, datetime) else value
        locale = _locale(language)
        # English's CLDR long form is US 'May 12, 2021'; day-first reads the same in both.
        return format_date(when, "d MMMM y" if locale.startswith("en") else "long", locale=locale)
    if isinstance(value, datetime):  # pandas' Timestamp is one too
        midnight = (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0)
        return value.strftime("%Y-%m-%d") if midnight else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def cell(value: Any, language: str | None = None) -> str:
    """Any attribute value as a table cell: numbers grouped, dates ISO, text as is."""
    if isinstance(value, np.datetime64 | datetime | date):
        return day(value)
    return number(value, language=language)


def distance(metres: float, language: str | None = None) -> str:
    """'850.0 m' or '12.35 km'."""
    if metres >= 1000:
        return f"{number(metres / 1000, 2, language)} km"
    return f"{number(metres, 1, language)} m"


def area(square_metres: float, language: str | None = None) -> str:
    """Hectares, with km² beside large areas: '1,234 ha (12.3 km²)'."""
    hectares = square_metres / 10_000
    if hectares >= 10_000:
        return (
            f"{number(hectares, 0, language)} ha ({number(square_metres / 1e6, 1, language)} km²)"
        )
    return f"{number(hectares, 2, language)} ha"


def parse_number(
    value: Any, name: str, whole: bool = False, decimal_comma: bool = False
) -> float | int:
    """A number the user typed (a flag's value, a form's cell) as a finite float, or an int
    where `whole`; otherwise ValueError with one line naming `name` (the flag or the field).

    decimal_comma: '12,5' as typed in Spanish is 12.5 and spaces between digits are dropped
    (the attribute form); a flag's value stays strict ('1,000' there is not one thousand).
    """
    if isinstance(value, bool):  # True is 1 in Python, never a number a user typed
        raise ValueError(tr("{flag}: {v!r} is not a number.").format(flag=name, v=value))
    if decimal_comma and isinstance(value, str):
        value = value.strip().replace(" ", "")
        if "," in value and "." not in value:
            value = value.replace(",", ".")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(tr("{flag}: {v!r} is not a number.").format(flag=name, v=value)) from None
    if not math.isfinite(number):
        raise ValueError(tr("{flag}: {v!r} is not a finite number.").format(flag=name, v=value))
    if whole:
        if number != math.floor(number):
            raise ValueError(tr("{flag}: {v!r} must be a whole number.").format(flag=name, v=value))
        return int(number)
    return number
