"""The enforcement vocabulary: target levels, actions, drugs, quantities and bands, in the
words analysts' files use (Spanish and English, any accents or case), with overrides."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from layers.enforcement_levels import (
    ActionType,
    Drug,
    TargetLevel,
    classify_action,
    classify_drug,
    classify_level,
    grams_series,
    level_series,
    normalise_text,
    parse_number,
    quantity_band,
    quantity_grams,
    tally_levels,
)
from layers.roles import FIELD_KEYS, FieldMapping

L = TargetLevel


# Each vocabulary: texts as analysts' files write them, and what each is read as.
LEVELS = [
    # Colombia (penal code and police exports)
    ("Porte de estupefacientes", L.PERSONAL_USE),
    ("PORTE DE ESTUPEFACIENTES - DOSIS PERSONAL", L.PERSONAL_USE),
    ("dosis personal", L.PERSONAL_USE),
    ("Consumo", L.PERSONAL_USE),
    ("ARTÍCULO 376. TRÁFICO, FABRICACIÓN O PORTE DE ESTUPEFACIENTES", L.TRAFFICKING),
    ("trafico, fabricacion o porte de estupefacientes", L.TRAFFICKING),
    ("Art. 376", L.TRAFFICKING),
    ("Microtráfico", L.SMALL_SUPPLY),
    ("Tráfico de estupefacientes - microtráfico", L.SMALL_SUPPLY),
    ("Concierto para delinquir agravado", L.ORGANISED_CRIME),
    ("ARTÍCULO 340. CONCIERTO PARA DELINQUIR", L.ORGANISED_CRIME),
    ("art 340", L.ORGANISED_CRIME),
    # Mexico
    ("Narcomenudeo", L.SMALL_SUPPLY),
    ("Narcomenudeo (posesión simple)", L.PERSONAL_USE),
    ("Posesión con fines de comercio", L.SMALL_SUPPLY),
    ("Delincuencia organizada", L.ORGANISED_CRIME),
    # Peru
    ("Tráfico ilícito de drogas", L.TRAFFICKING),
    ("Microcomercialización de drogas", L.SMALL_SUPPLY),
    # English
    ("Possession", L.PERSONAL_USE),
    ("Possession with intent to supply", L.SMALL_SUPPLY),
    ("Drug trafficking", L.TRAFFICKING),
    ("Conspiracy to import cocaine", L.ORGANISED_CRIME),
    # A level column that names the level itself
    ("personal_use", L.PERSONAL_USE),
    ("Trafficking", L.TRAFFICKING),
    ("Consumidor", L.PERSONAL_USE),
    ("Cabecilla", L.ORGANISED_CRIME),
]
ACTIONS = [("CAPTURA", ActionType.ARREST), ("Incautación", ActionType.SEIZURE),
           ("OPERATIVO", ActionType.OPERATION), ("arrest", ActionType.ARREST),
           ("Seizure", ActionType.SEIZURE), ("Erradicación", ActionType.OTHER)]  # fmt: skip
DRUGS = {  # each drug with the ways files name it
    Drug.COCAINE: ("Cocaína", "cocaine", "CLORHIDRATO DE COCAÍNA"),
    Drug.COCA_BASE: ("Base de coca (basuco)", "Pasta básica de cocaína", "PBC"),
    Drug.CANNABIS: ("Marihuana", "cannabis sativa"),
    Drug.HEROIN: ("Heroína",),
    Drug.OPIUM_POPPY: ("Látex de amapola",),
    Drug.SYNTHETIC: ("Cocaína rosada (tusi)",),
    Drug.COCA_LEAF: ("Hoja de coca",),
    Drug.UNCLASSIFIED: ("Gasolina",),
}


@pytest.mark.parametrize(
    ("classify", "raw", "expected"),
    [(classify_level, *case) for case in LEVELS]
    + [(classify_action, *case) for case in ACTIONS]
    + [(classify_drug, raw, drug) for drug, texts in DRUGS.items() for raw in texts],
)
def test_each_vocabulary_reads_its_texts_as_listed(classify, raw, expected):
    assert classify(raw) == expected


def test_accents_case_and_punctuation_do_not_matter():
    variants = [
        "Tráfico, fabricación o porte de estupefacientes",
        "TRAFICO FABRICACION O PORTE DE ESTUPEFACIENTES",
        "  tráfico,fabricación  o porte de ESTUPEFACIENTES. ",
        "Tra\u0301fico, fabricacio\u0301n o porte de estupefacientes",  # decomposed accents
    ]
    assert {classify_level(v) for v in variants} == {L.TRAFFICKING}
    assert normalise_text("ARTÍCULO 376.") == "articulo 376"


def test_unknown_values_are_unclassified_and_words_match_whole():
    assert classify_level("Hurto calificado") == L.UNCLASSIFIED
    assert (
        classify_level("Port. estupef.") == L.UNCLASSIFIED
    )  # an abbreviation: listed, not guessed
    assert classify_level("Fabricación, tráfico y porte de armas de fuego") == L.UNCLASSIFIED
    assert classify_level("abuse") == L.UNCLASSIFIED  # "use" only as a whole word
    assert classify_level(None) == L.UNCLASSIFIED
    assert classify_level(float("nan")) == L.UNCLASSIFIED


def test_tally_lists_every_value_counts_persons_and_drops_nothing():
    values = pd.Series(
        ["Porte de estupefacientes", "porte de estupefacientes", "Hurto", None, "Hurto",
         "Concierto para delinquir"]
    )  # fmt: skip
    persons = pd.Series([1, 2, 1, 3, "x", 10])
    tally = tally_levels(values, persons=persons)
    assert sum(v.count for v in tally.values) == len(values)
    assert tally.records(L.PERSONAL_USE) == 2 and tally.persons(L.PERSONAL_USE) == 3
    assert tally.persons(L.ORGANISED_CRIME) == 10
    # Unknown and empty values are unclassified and listed; an unreadable count is one person.
    listed = {v.raw: (v.count, v.persons, v.source) for v in tally.unclassified}
    assert listed == {"Hurto": (2, 2.0, "unknown"), "": (1, 3.0, "empty")}
    assert tally.total_persons == 1 + 2 + 1 + 3 + 1 + 10
    assert tally.share([L.PERSONAL_USE]) == pytest.approx(3 / 18)


def test_overrides_come_first_and_match_like_the_vocabulary():
    overrides = {"Port. estupef.": "personal_use", "Porte de estupefacientes": "small_supply"}
    assert classify_level("PORT ESTUPEF", overrides) == L.PERSONAL_USE
    assert classify_level("Porte de estupefacientes", overrides) == L.SMALL_SUPPLY
    assert classify_level("Porte de estupefacientes") == L.PERSONAL_USE
    # A level this version does not know is ignored, not an error.
    assert classify_level("Hurto", {"Hurto": "galactic"}) == L.UNCLASSIFIED
    tally = tally_levels(pd.Series(["Port. estupef.", "Hurto"]), overrides)
    sources = {v.raw: v.source for v in tally.values}
    assert sources == {"Port. estupef.": "override", "Hurto": "unknown"}
    levels = level_series(pd.Series(["Port. estupef.", None, "Narcomenudeo"]), overrides)
    assert levels.tolist() == ["personal_use", "unclassified", "small_supply"]


def test_overrides_travel_in_the_field_mapping():
    mapping = FieldMapping(fields={"offence": "delito"})
    assert "value_maps" not in mapping.to_dict()  # older projects keep their shape
    edited = mapping.with_values("target_level", {"Port. estupef.": "personal_use"})
    assert mapping.values_for("target_level") == {}
    again = FieldMapping.from_dict(edited.to_dict())
    assert again.values_for("target_level") == {"Port. estupef.": "personal_use"}
    assert again.with_values("target_level", {}).value_maps == {}
    assert {"action_type", "target_level", "offence", "drug", "quantity", "quantity_unit",
            "persons"} <= set(FIELD_KEYS)  # fmt: skip


@pytest.mark.parametrize(
    ("quantity", "unit", "grams"),
    [
        (2.5, "kg", 2500.0),
        ("2,5 kg", None, 2500.0),
        ("2.5", "KILOGRAMOS", 2500.0),
        ("1.200", "g", 1200.0),  # Spanish thousands
        ("1,200", "gr", 1200.0),
        ("1.234,5", "gramos", 1234.5),
        ("1,234.5", "grams", 1234.5),
        ("0,750", "kg", 750.0),  # a leading zero is a decimal, not thousands
        (3, "libras", 3 * 453.59237),
        (2, "lb", 2 * 453.59237),
        (1.5, "TONELADAS", 1.5e6),
        ("4 t", None, 4e6),
        (500, "mg", 0.5),
        (10, "unidades", None),  # not a weight
        (5, None, None),  # no unit: not guessed
        ("abc", "kg", None),
        (None, "kg", None),
        (-1, "kg", None),
    ],
)
def test_quantities_in_grams(quantity, unit, grams):
    got = quantity_grams(quantity, unit)
    assert got == pytest.approx(grams) if grams is not None else got is None


@pytest.mark.parametrize(
    ("grams", "band"),
    [(0.5, "under_100g"), (99.99, "under_100g"), (100, "100g_10kg"), (9_999, "100g_10kg"),
     (10_000, "10kg_1t"), (999_999, "10kg_1t"), (1_000_000, "over_1t"), (3.2e9, "over_1t"),
     (None, "no_weight"), (math.nan, "no_weight")],
)  # fmt: skip
def test_quantity_bands_edges(grams, band):
    assert quantity_band(grams) == band


def test_grams_series_and_numbers():
    got = grams_series(pd.Series([1, "2 kg", None]), pd.Series(["t", None, "kg"]))
    assert got[0] == 1e6 and got[1] == 2000 and math.isnan(got[2])
    assert parse_number("12") == 12 and parse_number("") is None and parse_number("1.2.3") == 123


def test_docs_list_every_phrase_of_the_vocabularies():
    from pathlib import Path

    from layers.enforcement_levels import ACTION_VOCABULARY, DRUG_VOCABULARY, LEVEL_VOCABULARY

    doc = Path(__file__).resolve().parents[2] / "docs" / "enforcement.md"
    text = " ".join(doc.read_text(encoding="utf-8").split())
    for phrase, _ in (*LEVEL_VOCABULARY, *DRUG_VOCABULARY, *ACTION_VOCABULARY):
        assert f"`{phrase}`" in text, phrase


def test_a_level_carries_its_short_label_for_legends(merged_catalogue):
    from layers.i18n import language

    assert L.SMALL_SUPPLY.short_label == "Small supply"
    assert L.TRAFFICKING.short_label == L.TRAFFICKING.label  # none given: the label itself
    assert Drug.COCA_LEAF.short_label == "Coca leaf"
    with language("es"):
        assert L.ORGANISED_CRIME.short_label not in ("", "Organised crime")
        assert L.PERSONAL_USE.short_label != L.PERSONAL_USE.label
