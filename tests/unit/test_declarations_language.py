"""Declarations made when a module loads (analyses' titles, help and parameter help, the
indicator catalogue, the synthetic-data note, the readers' remedies, the project schema's type
names) follow the language active where they are shown, not the one active at import."""

from __future__ import annotations

import pytest
from fresh_python import json_from_fresh_python

from analysis.base import AnalysisResult, load_all
from analysis.command import format_summary
from analysis.indicator_catalogue import DEFAULT_WEIGHTS
from layers import i18n
from layers.numbers import MISSING

# Imports everything in argv[1]'s language, then shows every declaration in English and Spanish.
_PROBE = """
import json, sys
from layers.i18n import set_language, tr
set_language(sys.argv[1])
from analysis.base import load_all
from analysis.access import EUCLIDEAN_NOTE
from analysis.hotspot_stats import EMERGING_CATEGORIES
from analysis.hotspots import BIN_LABELS
from analysis.indicator_catalogue import INDICATORS
from layers.project import SYNTHETIC_NOTE
from layers.project_schema import _KINDS
from layers.read_errors import ASK_FOR_CRS, SUPPORTED
texts = [SYNTHETIC_NOTE, SUPPORTED, ASK_FOR_CRS, EUCLIDEAN_NOTE, *_KINDS.values(),
         *BIN_LABELS.values(), *EMERGING_CATEGORIES.values()]
for a in load_all().values():
    texts += [a.title, a.help, *(p.help for p in a.parameters), *(o.help for o in a.outputs)]
for i in INDICATORS:
    texts += [i.label, i.unit, i.help]
texts = [t for t in texts if t]
shown = {}
for lang in ("en", "es"):
    set_language(lang)
    shown[lang] = [tr(t) for t in texts]
print(json.dumps({"declared": texts, "shown": shown}))
"""


def _probe(import_language: str) -> dict:
    return json_from_fresh_python(_PROBE, import_language)


@pytest.fixture
def restore_language():
    before = i18n.current_language()
    yield
    i18n.set_language(before)


def test_declarations_follow_the_language_shown_not_the_one_imported_in() -> None:
    in_spanish, in_english = _probe("es"), _probe("en")
    english = in_english["declared"]
    # Imported in Spanish, then switched to English: English everywhere (and the reverse).
    assert in_spanish["declared"] == english
    assert in_spanish["shown"]["en"] == english
    assert in_spanish["shown"]["es"] == in_english["shown"]["es"]
    # Every declaration is a msgid of the Spanish catalogue (symbols such as 'ha' excepted).
    untranslated = [t for t, es in zip(english, in_english["shown"]["es"], strict=True) if es == t]
    assert set(untranslated) <= {"ha", "%"}, untranslated


def test_the_weights_help_lists_the_default_weights() -> None:
    # Written out in the msgid (a formatted help could not be looked up where shown).
    help_text = load_all()["indicators"].parameter("weights").help
    assert ", ".join(f"{k}={v:g}" for k, v in DEFAULT_WEIGHTS.items()) in help_text


def test_the_text_summary_says_note_and_missing_in_the_language_shown(restore_language) -> None:
    result = AnalysisResult(summary={"n": None}, notes=["abc"])
    i18n.set_language("es")
    text = format_summary(load_all()["count"], result)
    assert "  nota: abc" in text.splitlines()
    assert f"  n: {MISSING}" in text.splitlines()
    assert text.splitlines()[0] == i18n.tr("Count events per region") != "Count events per region"
    i18n.set_language("en")
    assert "  note: abc" in format_summary(load_all()["count"], result).splitlines()


def test_the_comparison_names_its_indicator_in_the_active_language() -> None:
    """The compare view's indicator list and the printed page's legend title follow a
    language set after import (they guessed the unit from English words before)."""
    from analysis.indicator_catalogue import INDICATORS
    from cartography.comparison import with_unit

    rate = next(i for i in INDICATORS if i.column == "eradicated_ha")
    try:
        i18n.set_language("es")
        spanish = with_unit(rate)
    finally:
        i18n.set_language("en")
    assert with_unit(rate) == "Hectares eradicated (ha)"
    assert spanish != with_unit(rate) and spanish.endswith("(ha)")
