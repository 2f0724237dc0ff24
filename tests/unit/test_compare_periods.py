"""Compare (Qt-free): trends follow the chosen period, before/after windows are clipped to the
data and say so, a trend needs three years, the year axis is fixed (issue #14 items 9, 10)."""

from __future__ import annotations

from datetime import date

import pytest
from decade_fixture import COUNTS, EARLY, FIRST, LAST, MIDDLE, decade_project
from matplotlib.figure import Figure

from cartography import compare as cmp
from cartography.comparison import before_after_sides, trend_windows
from layers.timefilter import TimeFilter


@pytest.fixture(scope="module")
def project():
    return decade_project()


def test_trends_cover_the_chosen_period(project) -> None:
    """2014–2023 chosen: ten yearly points 2014…2023 with the counts, not the last six."""
    period = TimeFilter.years(FIRST, LAST)
    c = cmp.compute_comparison(
        project, cmp.Side("CO52", period), cmp.Side("CO86", period), "violent_events"
    )
    left, right = c.trends["violent_events"]
    assert list(left.index) == list(range(FIRST, LAST + 1))
    assert left.to_dict() == {float(y): float(n) for y, n in COUNTS["CO52"].items()}
    assert right.to_dict() == {float(y): float(n) for y, n in COUNTS["CO86"].items()}
    assert c.trend_ranges == ((FIRST - 0.4, LAST + 0.4),) * 2
    # A shorter period: its own years only.
    three = TimeFilter.years(2016, 2018)
    assert [w.label for w in trend_windows(project, cmp.Side("CO52", three))] == [
        "2016",
        "2017",
        "2018",
    ]


def test_before_after_windows_are_clipped_to_the_data(project) -> None:
    when = date.fromisoformat(EARLY)
    before, after, notes = before_after_sides(project, "CO52", when, 2)
    assert before.period == TimeFilter(date(FIRST, 1, 1), date(2015, 2, 28))
    assert after.period == TimeFilter(when, date(2017, 2, 28))
    assert len(notes) == 1 and "2014-01-01" in notes[0] and "2013-03-01" in notes[0]
    # Near the end the after window is cut instead.
    _, after, notes = before_after_sides(project, "CO52", date(2023, 6, 1), 2)
    assert after.period.end == date(LAST, 12, 31) and "2023-12-31" in notes[0]
    with pytest.raises(ValueError, match="outside the data"):
        before_after_sides(project, "CO52", date(2030, 1, 1), 2)


def test_a_trend_needs_three_years_and_the_axis_is_fixed(project) -> None:
    """Before an early operation: 14 months of data, no trend line, the window's years on
    the axis; three years each side around the middle operation: both lines drawn."""
    when = date.fromisoformat(EARLY)
    before, after, notes = before_after_sides(project, "CO52", when, 2)
    c = cmp.compute_comparison(project, before, after, "violent_events", notes=notes)
    assert c.notes[0] == notes[0]
    a, b = c.trends["violent_events"]
    assert a.empty and b.empty  # 1 and 2 whole years: rates, not trends
    fig = Figure()
    ax = fig.add_subplot()
    cmp.draw_trends([ax], c)
    assert not ax.lines
    assert any("no trend" in t.get_text() for t in ax.texts)
    x0, x1 = ax.get_xlim()
    assert FIRST - 1 < x0 and x1 < 2017.5  # the windows' years, not 1950–2100

    before, after, _ = before_after_sides(project, "CO52", date.fromisoformat(MIDDLE), 3)
    c = cmp.compute_comparison(project, before, after, "violent_events")
    a, b = c.trends["violent_events"]
    assert len(a) == len(b) == 3
    assert a.index[0] == pytest.approx(2016.5, abs=0.01)  # 1 July 2016, as a year
    fig = Figure()
    ax = fig.add_subplot()
    cmp.draw_trends([ax], c)
    assert len(ax.lines) == 2 and not ax.texts
    assert ax.get_xlim() == pytest.approx((2016.5 - 0.4, 2021.5 + 0.4), abs=0.01)
