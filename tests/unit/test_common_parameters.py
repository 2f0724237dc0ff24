"""An input several analyses mean the same by is declared once (analysis/common_parameters.py):
two analyses declaring an equal parameter each for themselves drift apart (one help edited,
the other not), so equal declarations must be the same object."""

from __future__ import annotations

from analysis.actors import ActorProfile
from analysis.common_parameters import PERIOD_YEARS, REPORT_REGIONS, TOP_GROUPS
from analysis.enforcement import EnforcementFocus
from analysis.indicators import HarmIndicators
from core.registry import analyses


def test_equal_declarations_are_shared() -> None:
    seen: dict[str, tuple[str, object]] = {}
    for algorithm_id, algorithm in sorted(analyses().items()):
        for parameter in algorithm.parameters:
            key = repr(parameter)  # equal declarations, field by field
            first = seen.setdefault(key, (algorithm_id, parameter))
            assert first[1] is parameter, (
                f"{algorithm_id} and {first[0]} both declare --{parameter.name} word for word: "
                "declare it once in analysis/common_parameters.py"
            )


def test_actors_indicators_and_enforcement_report_on_the_same_regions_and_years() -> None:
    for algorithm in (ActorProfile, HarmIndicators, EnforcementFocus):
        shared = [p for p in algorithm.parameters if p is REPORT_REGIONS or p is PERIOD_YEARS]
        assert len(shared) == 2, algorithm.id
        names = [p.name for p in algorithm.parameters]
        assert names.count("regions_layer") == names.count("years") == 1


def test_actors_and_enforcement_list_the_same_top_groups() -> None:
    for algorithm in (ActorProfile, EnforcementFocus):
        assert any(p is TOP_GROUPS for p in algorithm.parameters), algorithm.id
