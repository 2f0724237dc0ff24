"""Numbers and dates in both languages: formatted, read back the same; role and result labels
follow a language set after their modules were imported (issue 16)."""

from __future__ import annotations

import datetime

import pandas as pd
import pytest
from babel.numbers import parse_decimal

from layers.dates import parse_dates, parse_day
from layers.i18n import current_language, set_language
from layers.numbers import day, number


@pytest.fixture
def restore_language():
    before = current_language()
    yield
    set_language(before)


@pytest.mark.parametrize(("lang", "text"), [("en", "1,234.5"), ("es", "1.234,5")])
def test_number_round_trip(lang: str, text: str) -> None:
    shown = number(1234.5, 1, language=lang)
    assert shown == text
    assert float(parse_decimal(shown, locale=lang)) == 1234.5


@pytest.mark.parametrize(("lang", "text"), [("en", "12 May 2021"), ("es", "12 de mayo de 2021")])
def test_long_date_round_trip(lang: str, text: str) -> None:
    when = datetime.date(2021, 5, 12)
    assert day(when, long=True, language=lang) == text
    assert day(pd.Timestamp(when), long=True, language=lang) == text
    assert day(when) == "2021-05-12"  # tables stay ISO in every language
    assert parse_day(text) == when
    assert parse_dates(pd.Series([text]))[0] == pd.Timestamp(when)


def test_every_month_round_trips_in_both_languages() -> None:
    for lang in ("en", "es"):
        days = [datetime.date(2020, m, 28) for m in range(1, 13)]
        texts = pd.Series([day(d, long=True, language=lang) for d in days])
        assert parse_dates(texts).dt.date.tolist() == days, lang


def test_spanish_dates_and_abbreviations() -> None:
    texts = pd.Series(["12 de mayo de 2021", "3 sept. 2020", "12-dic-2020", "1 Setiembre 2019"])
    assert parse_dates(texts).dt.date.tolist() == [
        datetime.date(2021, 5, 12),
        datetime.date(2020, 9, 3),
        datetime.date(2020, 12, 12),
        datetime.date(2019, 9, 1),
    ]


def test_slashed_dates_day_first_unless_the_column_shows_us_order() -> None:
    spanish = parse_dates(pd.Series(["12/05/2021", "01/02/2021"]))
    assert spanish.dt.date.tolist() == [datetime.date(2021, 5, 12), datetime.date(2021, 2, 1)]
    us = parse_dates(pd.Series(["05/16/2021", "01/02/2021"]))
    assert us.dt.date.tolist() == [datetime.date(2021, 5, 16), datetime.date(2021, 1, 2)]
    assert parse_dates(pd.Series(["2021-05-12"]))[0] == pd.Timestamp(2021, 5, 12)


def test_parse_day_refuses_what_is_not_a_date() -> None:
    with pytest.raises(ValueError):
        parse_day("12 de brumario de 2021")


def test_role_labels_follow_the_language_set_after_import(restore_language) -> None:
    from layers.roles import Role

    set_language("es")
    assert Role.ADMIN_BOUNDARIES.label == "Divisiones administrativas"
    set_language("en")
    assert Role.ADMIN_BOUNDARIES.label == "Administrative regions"


def test_result_labels_follow_the_language(restore_language) -> None:
    from analysis.result_labels import measure

    set_language("es")
    spanish = measure("population_beyond_catchment")
    set_language("en")
    english = measure("population_beyond_catchment")
    assert english.label == "Population beyond the catchment"
    assert spanish.label != english.label and spanish.unit == "personas"
    assert measure("share_beyond_catchment").unit == "%"  # units the formatter reads stay


def test_label_with_unit_is_declared_not_parsed(restore_language) -> None:
    from analysis.indicator_catalogue import INDICATORS

    by = {i.column: i for i in INDICATORS}
    set_language("es")
    rate = by["violent_events_per_100k"].label_with_unit
    assert "(" not in rate  # no '(por 100.000 hab. al año)' after a label that says it
    assert by["eradicated_ha"].label_with_unit.endswith("(ha)")


def _english_catalogue() -> dict[str, tuple[str, str]]:
    """column -> (label, unit) as written in analysis/indicator_catalogue.py (English, whatever
    language the module was imported in by an earlier test)."""
    import ast
    from pathlib import Path

    source = Path(__file__).resolve().parents[2] / "analysis" / "indicator_catalogue.py"

    def text(node: ast.expr) -> str:
        if isinstance(node, ast.Call):  # tr("...") / tr_noop("...")
            node = node.args[0]
        return node.value if isinstance(node, ast.Constant) else ""

    out = {}
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Indicator":
            column, label, _group, unit = node.args[:4]
            out[text(column)] = (text(label), text(unit))
    return out


def test_unit_in_label_declared_for_every_indicator_whose_english_label_says_it() -> None:
    """A new indicator must be declared in UNIT_IN_LABEL when its label says the unit: checked
    here against the English words (the test may read English; the code must not)."""
    from analysis.indicator_catalogue import INDICATORS, Indicator

    def says_unit(label: str, unit: str) -> bool:
        words = label.lower()
        return (
            unit == "rank"
            or (unit.startswith("per ") and " per " in words)
            or (unit.isalpha() and unit.lower() in words.split())
        )

    english = _english_catalogue()
    assert set(english) == {i.column for i in INDICATORS}
    with_unit = {c: lu for c, lu in english.items() if lu[1]}
    assert {c for c, (label, unit) in with_unit.items() if says_unit(label, unit)} == {
        c for c in with_unit if c in Indicator.UNIT_IN_LABEL
    }
