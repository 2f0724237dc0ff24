"""What enforcement records say, read into a few shared categories: whom an arrest hit (the
target's level in the drug market), which drug was seized, and how much (a quantity band).

Analysts' files say it in their own words: Colombian police exports name the penal code's
offence ("ARTÍCULO 376. TRÁFICO, FABRICACIÓN O PORTE DE ESTUPEFACIENTES", "concierto para
delinquir"), Mexican ones "narcomenudeo" or "posesión simple", Peruvian ones "tráfico ilícito
de drogas" or "microcomercialización", English ones "possession with intent". Each raw value
is read through an ordered vocabulary (first phrase found wins; accents, case and punctuation
ignored); the analyst's per-layer overrides (FieldMapping.value_maps) come first. A value the
vocabulary does not know is *unclassified*: counted and listed, never dropped.
docs/enforcement.md lists the vocabulary and the reasons for each choice.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from layers.i18n import tr, tr_noop
from layers.labelled_enum import LabelledEnum, label_table


class TargetLevel(LabelledEnum):
    """Whom an arrest hit, from the lowest rung of the market to the top."""

    PERSONAL_USE = (
        "personal_use",
        tr_noop("People who use drugs (possession for personal use)"),
        tr_noop("Personal use"),
    )
    SMALL_SUPPLY = "small_supply", tr_noop("Small-scale supply"), tr_noop("Small supply")
    TRAFFICKING = "trafficking", tr_noop("Trafficking")
    ORGANISED_CRIME = (
        "organised_crime",
        tr_noop("Organised-crime leadership or armed group"),
        tr_noop("Organised crime"),
    )
    UNCLASSIFIED = "unclassified", tr_noop("Unclassified")


LEVEL_LABELS: dict[TargetLevel, str] = label_table(TargetLevel)
# The two ends the enforcement question compares: the easiest to catch and the most harmful.
LOW_LEVELS = (TargetLevel.PERSONAL_USE, TargetLevel.SMALL_SUPPLY)
HIGH_LEVELS = (TargetLevel.TRAFFICKING, TargetLevel.ORGANISED_CRIME)


class ActionType(LabelledEnum):
    ARREST = "arrest", tr_noop("Arrest")
    SEIZURE = "seizure", tr_noop("Seizure")
    OPERATION = "operation", tr_noop("Operation")
    OTHER = "other", tr_noop("Other action")


ACTION_LABELS: dict[ActionType, str] = label_table(ActionType)


class Drug(LabelledEnum):
    COCAINE = "cocaine", tr_noop("Cocaine (hydrochloride)")
    COCA_BASE = "coca_base", tr_noop("Coca paste or base (basuco)")
    COCA_LEAF = "coca_leaf", tr_noop("Coca leaf")
    CANNABIS = "cannabis", tr_noop("Cannabis")
    HEROIN = "heroin", tr_noop("Heroin")
    OPIUM_POPPY = "opium_poppy", tr_noop("Opium poppy latex")
    SYNTHETIC = "synthetic", tr_noop("Synthetic drugs")
    UNCLASSIFIED = "unclassified", tr_noop("Unclassified")


DRUG_LABELS: dict[Drug, str] = label_table(Drug)


def normalise_text(value: object) -> str:
    """Lower case, no accents, punctuation as spaces: 'ARTÍCULO 376.' -> 'articulo 376'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


# --- target levels --------------------------------------------------------------------------

_L = TargetLevel
# Ordered: the first phrase found in a value decides (so qualifiers come before the general
# words they qualify: "posesión con fines de comercio" before "posesión", the full title of
# art. 376 before "porte de estupefacientes"). Phrases are written already normalised.
LEVEL_VOCABULARY: tuple[tuple[str, TargetLevel], ...] = (
    # Not a drug-market level at all: weapons offences ("porte ilegal de armas") stay
    # unclassified and listed, so "porte" below never reads them as drug possession.
    *(
        (p, _L.UNCLASSIFIED)
        for p in (
            "armas",
            "arma de fuego",
            "municiones",
            "firearm",
            "firearms",
            "weapon",
            "weapons",
        )
    ),
    # Organised-crime leadership or armed group.
    *(
        (p, _L.ORGANISED_CRIME)
        for p in (
            "concierto para delinquir",
            "art 340",
            "articulo 340",
            "delincuencia organizada",
            "crimen organizado",
            "organizacion criminal",
            "organizacion delictiva",
            "grupo armado organizado",
            "grupo delictivo organizado",
            "gao",
            "gdo",
            "cabecilla",
            "mando medio",
            "lavado de activos",
            "lavado de dinero",
            "enriquecimiento ilicito",
            "organised crime",
            "organized crime",
            "criminal organisation",
            "criminal organization",
            "armed group",
            "conspiracy",
            "racketeering",
            "money laundering",
            "kingpin",
            "ringleader",
        )
    ),
    # People who use drugs: the qualifiers that say personal use outright.
    *(
        (p, _L.PERSONAL_USE)
        for p in (
            "dosis personal",
            "dosis minima",
            "dosis de aprovisionamiento",
            "consumo personal",
            "uso personal",
            "para consumo",
            "para su consumo",
            "para el consumo",
            "posesion simple",
            "posesion para consumo",
            "personal use",
            "simple possession",
            "people who use drugs",
            "person who uses drugs",
            "persona que usa drogas",
            "personas que usan drogas",
            "consumidor",
            "consumidores",
            "usuario de drogas",
            "drug user",
        )
    ),
    # Small-scale supply (and the growers at the bottom of the chain).
    *(
        (p, _L.SMALL_SUPPLY)
        for p in (
            "microtrafico",
            "micro trafico",
            "microtraficante",
            "narcomenudeo",
            "microcomercializacion",
            "micro comercializacion",
            "microcomercio",
            "menudeo",
            "expendio",
            "expendedor",
            "jibaro",
            "venta de estupefacientes",
            "venta al por menor",
            "posesion con fines de comercio",
            "posesion con fines de venta",
            "posesion con fines de suministro",
            "comercio o suministro",
            "destinacion ilicita de muebles o inmuebles",
            "art 377",
            "articulo 377",
            "conservacion o financiacion de plantaciones",
            "art 375",
            "articulo 375",
            "possession with intent",
            "intent to supply",
            "intent to distribute",
            "intent to sell",
            "street dealing",
            "street level",
            "dealing",
            "dealer",
            "supply",
            "selling",
            "retail",
            "small scale",
        )
    ),
    # Trafficking.
    *(
        (p, _L.TRAFFICKING)
        for p in (
            "trafico fabricacion o porte de estupefacientes",
            "trafico fabricacion o porte",
            "art 376",
            "articulo 376",
            "trafico de estupefacientes",
            "trafico ilicito de drogas",
            "trafico ilicito",
            "trafico de drogas",
            "trafico de sustancias",
            "art 382",
            "articulo 382",
            "tid",
            "narcotrafico",
            "narcotraficante",
            "traficante",
            "favorecimiento al trafico",
            "contra la salud",
            "fabricacion",
            "produccion",
            "transporte",
            "importacion",
            "exportacion",
            "precursores",
            "trafficking",
            "trafficker",
            "smuggling",
            "importation",
            "manufacture",
            "production",
            "courier",
        )
    ),
    # The general words: possession and use (last, so every qualifier above wins).
    *(
        (p, _L.PERSONAL_USE)
        for p in (
            "porte de estupefacientes",
            "porte de sustancias",
            "porte",
            "posesion",
            "tenencia",
            "consumo",
            "possession",
            "use",
            "user",
        )
    ),
    # The levels' own names, as a level column may hold them (the others are above).
    ("small supply", _L.SMALL_SUPPLY),
)


def _find(text: str, vocabulary: Iterable[tuple[str, object]]):
    padded = f" {text} "
    for phrase, value in vocabulary:
        if f" {phrase} " in padded:
            return value, phrase
    return None, None


def classify_level(value: object, overrides: Mapping[str, str] | None = None) -> TargetLevel:
    """The target level a raw value (offence text or level column) says; overrides first."""
    return _classify_level(value, _normalised_overrides(overrides))[0]


def _normalised_overrides(overrides: Mapping[str, str] | None) -> dict[str, TargetLevel]:
    out: dict[str, TargetLevel] = {}
    for raw, level in (overrides or {}).items():
        try:
            out[normalise_text(raw)] = TargetLevel(level)
        except ValueError:
            continue  # a level this version does not know: the vocabulary decides
    return out


def _classify_level(value: object, overrides: dict[str, TargetLevel]) -> tuple[TargetLevel, str]:
    text = normalise_text(value)
    if not text:
        return TargetLevel.UNCLASSIFIED, "empty"
    if text in overrides:
        return overrides[text], "override"
    try:
        return TargetLevel(text.replace(" ", "_")), "vocabulary"  # the keys themselves
    except ValueError:
        pass
    level, _ = _find(text, LEVEL_VOCABULARY)
    if level is None:
        return TargetLevel.UNCLASSIFIED, "unknown"
    return level, "vocabulary"


@dataclass(frozen=True)
class LevelValue:
    """One distinct raw value of a level field: how it is read and how many records have it."""

    raw: str
    level: TargetLevel
    count: int
    persons: float
    source: str  # "vocabulary", "override", "unknown" (not in the vocabulary) or "empty"


@dataclass
class LevelTally:
    """Records (and persons) per target level, with every distinct raw value listed."""

    values: list[LevelValue] = field(default_factory=list)

    def records(self, level: TargetLevel) -> int:
        return sum(v.count for v in self.values if v.level == level)

    def persons(self, level: TargetLevel) -> float:
        return sum(v.persons for v in self.values if v.level == level)

    @property
    def total_persons(self) -> float:
        return sum(v.persons for v in self.values)

    @property
    def unclassified(self) -> list[LevelValue]:
        """The raw values read as unclassified, most frequent first (empty ones included)."""
        return [v for v in self.values if v.level == TargetLevel.UNCLASSIFIED]

    def share(self, levels: Iterable[TargetLevel]) -> float | None:
        """Share of persons at these levels (None when there is nobody to count)."""
        total = self.total_persons
        if total <= 0:
            return None
        return sum(self.persons(level) for level in levels) / total


def tally_levels(
    values: pd.Series,
    overrides: Mapping[str, str] | None = None,
    persons: pd.Series | None = None,
) -> LevelTally:
    """Every distinct value of a level field with its level, records and persons.

    persons: how many people each record counts (missing or unreadable counts as 1: a record
    is at least one arrest); without it each record is one person.
    """
    values = pd.Series(values).reset_index(drop=True)
    keys = values.astype(object).where(values.notna(), "")
    keys = keys.map(lambda v: str(v).strip())
    if persons is None:
        weights = pd.Series(1.0, index=keys.index)
    else:
        weights = pd.to_numeric(pd.Series(persons).reset_index(drop=True), errors="coerce")
        weights = weights.where(weights.notna() & (weights >= 0), 1.0)
    grouped = pd.DataFrame({"raw": keys, "w": weights}).groupby("raw", sort=False)["w"]
    table = pd.DataFrame({"count": grouped.size(), "persons": grouped.sum()})
    norm = _normalised_overrides(overrides)
    rows = []
    for raw, row in table.iterrows():
        level, source = _classify_level(raw, norm)
        rows.append(LevelValue(str(raw), level, int(row["count"]), float(row["persons"]), source))
    rows.sort(key=lambda v: (-v.count, v.raw))
    return LevelTally(rows)


def level_series(values: pd.Series, overrides: Mapping[str, str] | None = None) -> pd.Series:
    """The target level of every record (as TargetLevel values), read once per distinct value."""
    values = pd.Series(values)
    norm = _normalised_overrides(overrides)
    keys = values.astype(object).where(values.notna(), "")
    lookup = {raw: _classify_level(raw, norm)[0].value for raw in pd.unique(keys)}
    return keys.map(lookup)


# --- action types ---------------------------------------------------------------------------

ACTION_VOCABULARY: tuple[tuple[str, ActionType], ...] = (
    *((p, ActionType.OPERATION) for p in ("operativo", "operacion", "operation", "raid", "allanamiento")),
    *((p, ActionType.SEIZURE) for p in ("incautacion", "incautaciones", "decomiso", "aseguramiento", "seizure", "seized", "incautado")),
    *((p, ActionType.ARREST) for p in ("captura", "capturas", "capturado", "detencion", "detenido", "aprehension", "arresto", "arrest", "arrests", "arrested")),
)  # fmt: skip


def classify_action(value: object) -> ActionType:
    """arrest, seizure or operation from 'CAPTURA', 'Incautación', 'operativo', 'arrest'..."""
    found, _ = _find(normalise_text(value), ACTION_VOCABULARY)
    return found or ActionType.OTHER


# --- drugs ----------------------------------------------------------------------------------

_D = Drug
# Ordered like the levels: "pasta básica de cocaína" is coca base, not cocaine; pink
# "cocaína rosada" (tusi) is a synthetic mix with no cocaine in it.
DRUG_VOCABULARY: tuple[tuple[str, Drug], ...] = (
    *((p, _D.SYNTHETIC) for p in ("cocaina rosada", "tusi", "tussi", "2cb", "2c b", "extasis", "mdma", "ecstasy", "metanfetamina", "methamphetamine", "anfetamina", "amphetamine", "fentanilo", "fentanyl", "lsd", "ketamina", "ketamine", "sintetica", "sinteticas", "synthetic")),
    *((p, _D.COCA_BASE) for p in ("pasta basica de cocaina", "pasta basica", "pasta de coca", "pbc", "base de coca", "base de cocaina", "basuco", "bazuco", "crack", "coca paste", "coca base", "cocaine base")),
    *((p, _D.COCA_LEAF) for p in ("hoja de coca", "hojas de coca", "coca leaf", "coca leaves")),
    *((p, _D.COCAINE) for p in ("clorhidrato de cocaina", "cocaina", "cocaine", "perico", "coca hcl")),
    *((p, _D.HEROIN) for p in ("heroina", "heroin")),
    *((p, _D.OPIUM_POPPY) for p in ("latex de amapola", "latex de opio", "amapola", "opio", "opium", "morfina", "morphine")),
    *((p, _D.CANNABIS) for p in ("marihuana", "marijuana", "mariguana", "cannabis", "creepy", "cripy", "hachis", "hashish", "bareto", "weed", "skunk")),
)  # fmt: skip


def classify_drug(value: object, overrides: Mapping[str, str] | None = None) -> Drug:
    """The drug a raw value names (cocaína, clorhidrato de cocaína, base de coca, marihuana...)."""
    text = normalise_text(value)
    norm = {normalise_text(k): v for k, v in (overrides or {}).items()}
    if text in norm:
        try:
            return Drug(norm[text])
        except ValueError:
            pass
    found, _ = _find(text, DRUG_VOCABULARY)
    return found or Drug.UNCLASSIFIED


# --- quantities -----------------------------------------------------------------------------

# Grams per unit; a unit not here (unidades, dosis, galones) has no weight.
UNIT_GRAMS: dict[str, float] = {
    **dict.fromkeys(("mg", "miligramo", "miligramos", "milligram", "milligrams"), 0.001),
    **dict.fromkeys(("g", "gr", "grs", "gm", "gms", "gramo", "gramos", "gram", "grams", "gramme", "grammes"), 1.0),
    **dict.fromkeys(("kg", "kgs", "kilo", "kilos", "kilogramo", "kilogramos", "kilogram", "kilograms"), 1000.0),
    **dict.fromkeys(("t", "tn", "ton", "tons", "tm", "tonelada", "toneladas", "tonne", "tonnes"), 1e6),
    **dict.fromkeys(("lb", "lbs", "libra", "libras", "pound", "pounds"), 453.59237),
    **dict.fromkeys(("oz", "onza", "onzas", "ounce", "ounces"), 28.349523125),
}  # fmt: skip
_NUMBER = re.compile(r"[-+]?\d[\d.,\s]*")


def parse_number(text: str) -> float | None:
    """A number as analysts' tables write it: '2,5' and '2.5'; '1.200' and '1,200' are 1200
    (one separator followed by exactly three digits groups thousands); '1.234,5' and
    '1,234.5' (the last separator is the decimal mark)."""
    s = text.strip().replace(" ", "").replace("\u00a0", "")
    if not s:
        return None
    dots, commas = s.count("."), s.count(",")
    if dots and commas:
        decimal = "." if s.rfind(".") > s.rfind(",") else ","
        thousands = "," if decimal == "." else "."
        s = s.replace(thousands, "").replace(decimal, ".")
    elif dots + commas:
        sep = "." if dots else ","
        parts = s.split(sep)
        if len(parts) > 2 or (len(parts[-1]) == 3 and parts[0].lstrip("+-") not in ("", "0")):
            s = s.replace(sep, "")
        else:
            s = s.replace(sep, ".")
    try:
        value = float(s)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def unit_grams(unit: object) -> float | None:
    """Grams in one `unit` ('kg', 'KILOGRAMO', 'libras', 't'); None when it is no weight."""
    return UNIT_GRAMS.get(normalise_text(unit).replace(" ", ""))


def quantity_grams(quantity: object, unit: object = None) -> float | None:
    """A seized quantity in grams, from a number and a unit column or from text ('2,5 kg').

    None when the quantity is missing, not a number, or not a weight (units, doses, litres).
    A quantity without any unit is None too: guessing grams or kilograms would be a guess.
    """
    if quantity is None or (isinstance(quantity, float) and math.isnan(quantity)):
        return None
    embedded = None
    if isinstance(quantity, int | float) and not isinstance(quantity, bool):
        number = float(quantity)
    else:
        text = str(quantity).strip()
        match = _NUMBER.match(text)
        if not match:
            return None
        number = parse_number(match.group(0))
        rest = text[match.end() :].strip()
        if rest:
            embedded = rest
    if number is None or number < 0:
        return None
    factor = unit_grams(embedded) if embedded else None
    if factor is None and unit is not None and not (isinstance(unit, float) and math.isnan(unit)):
        factor = unit_grams(unit)
    return None if factor is None else number * factor


@dataclass(frozen=True)
class QuantityBand:
    key: str
    label: str  # tr_noop: translated where shown
    low_g: float  # inclusive
    high_g: float  # exclusive


# From what one person carries to what a shipment holds.
QUANTITY_BANDS: tuple[QuantityBand, ...] = (
    QuantityBand("under_100g", tr_noop("Under 100 g"), 0.0, 100.0),
    QuantityBand("100g_10kg", tr_noop("100 g to 10 kg"), 100.0, 10_000.0),
    QuantityBand("10kg_1t", tr_noop("10 kg to 1 t"), 10_000.0, 1_000_000.0),
    QuantityBand("over_1t", tr_noop("1 t or more"), 1_000_000.0, math.inf),
)
NO_WEIGHT_BAND = "no_weight"


def quantity_band(grams: float | None) -> str:
    """The band key of a quantity in grams (NO_WEIGHT_BAND when it has no weight)."""
    if grams is None or not math.isfinite(grams) or grams < 0:
        return NO_WEIGHT_BAND
    for band in QUANTITY_BANDS:
        if band.low_g <= grams < band.high_g:
            return band.key
    return NO_WEIGHT_BAND


def band_label(key: str) -> str:
    for band in QUANTITY_BANDS:
        if band.key == key:
            return tr(band.label)
    return tr("No weight (units, doses or no unit)")


def grams_series(quantities: pd.Series, units: pd.Series | None = None) -> pd.Series:
    """quantity_grams for every record (NaN where there is no weight)."""
    quantities = pd.Series(quantities).reset_index(drop=True)
    units_ = (
        pd.Series(units).reset_index(drop=True)
        if units is not None
        else pd.Series([None] * len(quantities))
    )
    out = [quantity_grams(q, u) for q, u in zip(quantities, units_, strict=True)]
    return pd.Series([math.nan if v is None else v for v in out], dtype=float)
