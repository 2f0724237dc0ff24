"""The one number and date formatter (layers/numbers.py) every table, legend and export uses."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from layers import numbers
from layers.i18n import set_language
from layers.numbers import MISSING


@pytest.mark.parametrize(
    ("value", "english", "spanish"),
    [
        (3933442, "3,933,442", "3.933.442"),
        (np.int64(3933442), "3,933,442", "3.933.442"),
        (1.747e4, "17,470", "17.470"),  # never '1.747e+04'
        (17470.6, "17,471", "17.471"),
        (1234.5, "1,235", "1.235"),  # half up, not Babel's half-even
        (12.5, "12.5", "12,5"),
        (3.25, "3.25", "3,25"),
        (0.03662, "0.037", "0,037"),
        (0.00012, "0.00012", "0,00012"),
        (0.0, "0", "0"),
        (-0.0001, "-0.00010", "-0,00010"),
        (1e20, "100,000,000,000,000,000,000", "100.000.000.000.000.000.000"),
    ],
)
def test_numbers_read_the_same_everywhere(value, english: str, spanish: str) -> None:
    assert numbers.number(value, language="en") == english
    assert numbers.number(value, language="es") == spanish
    assert "e+" not in english and "e-" not in english


@pytest.mark.parametrize("value", [None, math.nan, np.nan, pd.NA, pd.NaT, math.inf, -math.inf])
def test_one_glyph_for_no_value(value) -> None:
    assert numbers.number(value) == MISSING
    assert numbers.quantity(value, "ha") == MISSING
    assert numbers.percent(value) == MISSING
    assert numbers.cell(value) == MISSING


def test_shares_print_as_percent() -> None:
    assert numbers.percent(0.03662) == "3.7 %"
    assert numbers.quantity(0.03662, "%") == "3.7 %"
    assert numbers.change(12.4) == "+12 %"
    assert numbers.change(-8) == "−8 %"
    assert numbers.change(0) == "±0 %"


def test_units() -> None:
    assert numbers.quantity(1234.5, "ha") == "1,235 ha"
    assert numbers.quantity(3, "rank") == "3"
    assert numbers.quantity(12.25, "per 100k per year") == "12.3 per 100k per year"


def test_rounding_never_prints_minus_zero() -> None:
    assert numbers.number(-0.0) == "0"
    assert numbers.number(-0.0004, decimals=2) == "0.00"


def test_dates_are_iso_in_every_language() -> None:
    assert numbers.day(date(2019, 3, 4)) == "2019-03-04"
    assert numbers.day(pd.Timestamp("2019-03-04")) == "2019-03-04"
    assert numbers.day(np.datetime64("2019-03-04")) == "2019-03-04"
    assert numbers.day(pd.Timestamp("2019-03-04 10:30")) == "2019-03-04 10:30:00"
    assert numbers.cell(pd.Timestamp("2019-03-04")) == "2019-03-04"


def test_measures() -> None:
    assert numbers.distance(850) == "850.0 m"
    assert numbers.distance(12_340) == "12.34 km"
    assert numbers.area(50_000) == "5.00 ha"
    assert numbers.area(123_456_789) == "12,346 ha (123.5 km²)"


def test_follows_the_active_language() -> None:
    try:
        set_language("es")
        assert numbers.number(12345.5) == "12.346"
        assert numbers.number(2.25) == "2,25"
        assert numbers.percent(0.5) == "50,0 %"
    finally:
        set_language("en")
    assert numbers.number(12345.5) == "12,346"


def test_float_nodata_and_huge_values_print_instead_of_raising() -> None:
    import numpy as np

    from layers.numbers import number

    # GDAL's float32 nodata: Decimal could not quantize it to digits (InvalidOperation).
    assert number(np.float32(-3.4028234663852886e38)) == "-3.403E38"
    assert number(-3.4028234663852886e38, language="es") == "-3,403E38"
    assert number(10**20) == "100,000,000,000,000,000,000"  # integers stay exact


def test_one_number_check_for_flags_and_form_fields() -> None:
    from layers.numbers import parse_number

    assert parse_number("2.5", "--cell-m") == 2.5
    assert parse_number("12", "beds", whole=True) == 12 and isinstance(
        parse_number("12", "beds", whole=True), int
    )
    assert parse_number(" 12,5 ", "area", decimal_comma=True) == 12.5
    assert parse_number("1 200", "area", decimal_comma=True) == 1200.0
    for value, words, kwargs in (
        ("12,5", "is not a number", {}),  # a flag stays strict: no decimal comma
        ("many", "is not a number", {}),
        (True, "is not a number", {}),
        ("inf", "is not a finite number", {}),
        ("2.5", "must be a whole number", {"whole": True}),
    ):
        with pytest.raises(ValueError, match=words):
            parse_number(value, "--x", **kwargs)


@pytest.mark.parametrize(
    ("value", "unit", "english", "spanish"),
    [
        (1, "years", "1 year", "1 año"),
        (np.int64(1), "years", "1 year", "1 año"),
        (1.0, "years", "1 year", "1 año"),
        (2, "years", "2 years", "2 años"),
        (0, "years", "0 years", "0 años"),
        (1.5, "years", "1.50 years", "1,50 años"),  # a fraction takes the plural
        (1, "people", "1 person", "1 persona"),
        (3933442, "people", "3,933,442 people", "3.933.442 personas"),
        (1, "events", "1 event", "1 evento"),
        (-1, "events", "-1 event", "-1 evento"),
        (1, "ha", "1 ha", "1 ha"),  # a measure's symbol has no plural
    ],
)
def test_countable_units_agree_with_the_value(
    merged_catalogue, value, unit, english, spanish
) -> None:
    from layers.i18n import language, tr

    assert numbers.quantity(value, unit, language="en") == english
    assert numbers.quantity(value, unit, language="es") == spanish
    # The results panel hands over the unit already translated ('años'): still agreed.
    with language("es"):
        assert numbers.quantity(value, tr(unit)) == spanish
    assert numbers.quantity(None, unit, language="es") == MISSING
