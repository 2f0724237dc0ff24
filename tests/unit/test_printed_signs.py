"""Printed pages write differences with the same minus sign as changes ('−1.093' beside
'−55 %', never '-1.093') and dates as the briefing's cover does ('3 de diciembre de 2026'),
all through layers/numbers.py."""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pytest
from matplotlib.table import Table
from matplotlib.text import Text

from layers import numbers
from layers.i18n import set_language
from sample_maps import SAMPLE_PROJECT


@pytest.mark.parametrize("language", ["en", "es"])
def test_signed_against_a_plain_rule(language) -> None:
    rng = np.random.default_rng(7)
    values = np.concatenate(
        [rng.normal(0, 10.0 ** rng.integers(-4, 7, 300)), [0.0, -0.0, 1e-9, -1e-9, 5, -5]]
    )
    for v in values:
        shown = numbers.signed(float(v), language=language)
        body = numbers.number(abs(float(v)), language=language)
        zero = not re.search(r"[1-9]", body)
        expected = "±" if zero else "+" if v > 0 else "\u2212"
        assert shown == expected + body, (v, shown)
        assert "-" not in shown
    assert numbers.signed(-1093, language="es") == "\u22121.093"
    assert numbers.change(-55.2) == "\u221255 %" and numbers.change(0.3) == "±0 %"
    assert numbers.signed(None) == numbers.MISSING
    assert numbers.printed(-5.25, language="es") == "\u22125,25"
    assert numbers.printed(5.25) == "5.25" and numbers.printed(None) == numbers.MISSING


@pytest.fixture
def spanish():
    set_language("es")
    yield
    set_language("en")


@pytest.mark.skipif(not SAMPLE_PROJECT.exists(), reason="sample project not generated")
def test_compare_page_signs_and_date_as_the_cover(spanish) -> None:
    from cartography import compare as cmp
    from layers.project import Project

    project = Project.load(SAMPLE_PROJECT)
    fig = cmp.compare_figure(project, "XA01:2014-2018", "XA02:2014-2018", "violent_events")
    texts = [t.get_text() for t in fig.findobj(Text) if t.get_text()]
    texts += [c.get_text().get_text() for t in fig.findobj(Table) for c in t.get_celld().values()]
    footer = next(t for t in texts if "Harm Atlas" in t)
    assert numbers.day(date.today(), long=True) in footer, footer
    assert date.today().isoformat() not in footer
    signed = [t for t in texts if re.fullmatch(r"[−+±]\S+( %)?", t)]
    assert signed, texts  # the table's differences and changes
    hyphen_minus = [t for t in texts if re.search(r"(?<![\w])-\d", t)]
    assert not hyphen_minus, hyphen_minus
