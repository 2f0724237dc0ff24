"""ACLED's actor vocabulary read from an event layer: which column is which, the actor type of
each event's first actor (numeric 'inter' codes of older exports or the text of newer ones), and
whether an event targeted civilians. Vectorised over the distinct values, never per event.

The codes follow ACLED's codebook: 1 State forces, 2 Rebel groups, 3 Political militias,
4 Identity militias, 5 Rioters, 6 Protesters, 7 Civilians, 8 External/Other forces.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from layers.i18n import tr, tr_noop
from layers.layer import Layer

STATE_FORCES, CIVILIANS, UNKNOWN_TYPE = 1, 7, 0
INTER_LABELS: dict[int, str] = {
    0: tr_noop("Type not given"),
    1: tr_noop("State forces"),
    2: tr_noop("Rebel group"),
    3: tr_noop("Political militia"),
    4: tr_noop("Identity militia"),
    5: tr_noop("Rioters"),
    6: tr_noop("Protesters"),
    7: tr_noop("Civilians"),
    8: tr_noop("External/Other forces"),
}
# Text inter values of newer exports (and their plurals, as the codebook's headings write them),
# compared without accents, case or surrounding blanks.
_INTER_TEXT: dict[str, int] = {
    "state forces": 1,
    "state force": 1,
    "rebel group": 2,
    "rebel groups": 2,
    "political militia": 3,
    "political militias": 3,
    "identity militia": 4,
    "identity militias": 4,
    "rioters": 5,
    "rioter": 5,
    "protesters": 6,
    "protester": 6,
    "civilians": 7,
    "civilian": 7,
    "external/other forces": 8,
    "external/other force": 8,
    "external forces": 8,
    "other forces": 8,
}
# ACLED names the state's forces "Military Forces of X (2014-)", "Police Forces of X (...)": the
# type when a file carries no inter1 column.
_STATE_NAME = re.compile(r"^(?:military|police|naval|air) forces of\b")
# ACLED's catch-all for perpetrators nobody identified: one row per country, many groups in it.
_UNIDENTIFIED = re.compile(r"^unidentified\b|^unknown\b|^no identificad|^desconocid")
_CIVILIAN_NAME = re.compile(r"^civilians?\b|^civiles?\b|^poblaci[oó]n civil\b")

# Field key -> ACLED column names tried when the layer's mapping does not name one.
ACLED_COLUMNS: dict[str, tuple[str, ...]] = {
    "actor1": ("actor1",),
    "actor2": ("actor2",),
    "inter1": ("inter1",),
    "inter2": ("inter2",),
    "civilian_targeting": ("civilian_targeting",),
    "event_type": ("event_type",),
    "sub_event_type": ("sub_event_type",),
    "fatalities": ("fatalities",),
    "event_id": ("event_id_cnty", "event_id"),
}


def plain_text(values: pd.Series) -> pd.Series:
    """Lower case, accents removed, blanks collapsed: the form labels are compared in.

    Each distinct value is cleaned once (10^5 events carry a handful of actor names)."""
    codes, distinct = pd.factorize(values.astype("string"))
    cleaned = np.array([_plain(str(v)) for v in distinct] + [None], dtype=object)
    return pd.Series(cleaned[codes], index=values.index, dtype="string")  # -1 (missing): None


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", " ".join(text.split()).lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def actor_columns(layer: Layer) -> dict[str, str]:
    """The layer's column for each actor key: its mapping first, else ACLED's column name
    (case-insensitive). Keys with neither are left out."""
    by_lower = {str(c).strip().lower(): c for c in layer.data.columns if isinstance(c, str)}
    found: dict[str, str] = {}
    for key, names in ACLED_COLUMNS.items():
        mapped = layer.field(key)
        if key == "inter1" and not mapped:
            mapped = layer.field("actor_type")  # older mappings filed inter1 under actor_type
        if mapped and mapped in layer.data.columns:
            found[key] = mapped
            continue
        for name in names:
            if name in by_lower:
                found[key] = by_lower[name]
                break
    return found


def inter_codes(values: pd.Series | None, actors: pd.Series | None = None) -> np.ndarray:
    """ACLED inter code (0–8) of each row: a number ('3', 3, 3.0) or a text ('Political
    militia'); 0 where neither says. Without the column, state forces are known by their name."""
    n = len(values) if values is not None else len(actors) if actors is not None else 0
    codes = np.zeros(n, dtype=np.int64)
    if values is not None:
        distinct = pd.Series(pd.unique(values.astype("string").fillna("")))
        numeric = pd.to_numeric(distinct, errors="coerce")
        by_text = plain_text(distinct).map(_INTER_TEXT)
        code = numeric.where(numeric.between(1, 8) & (numeric % 1 == 0), by_text)
        lookup = dict(zip(distinct, code.fillna(0).astype(int), strict=True))
        codes = values.astype("string").fillna("").map(lookup).to_numpy(dtype=np.int64)
    if actors is not None:
        untyped = codes == UNKNOWN_TYPE
        if untyped.any():
            names = plain_text(actors[untyped])
            state = names.str.contains(_STATE_NAME, na=False).to_numpy(dtype=bool)
            codes[np.flatnonzero(untyped)[state]] = STATE_FORCES
    return codes


def inter_label(code: int) -> str:
    """The actor type's name in the active language."""
    return tr(INTER_LABELS.get(int(code), INTER_LABELS[UNKNOWN_TYPE]))


def unidentified(names: pd.Series) -> np.ndarray:
    """Rows whose actor is ACLED's pool of unidentified perpetrators (not one group)."""
    return plain_text(names).str.contains(_UNIDENTIFIED, na=False).to_numpy(dtype=bool)


def civilian_targeting(data: pd.DataFrame, columns: dict[str, str]) -> tuple[np.ndarray, str]:
    """Whether each event targeted civilians, and where that came from.

    ACLED's `civilian_targeting` column ("Civilian targeting", else blank) when the file has
    it; otherwise the second actor being civilians (inter2 = 7, or an actor2 named
    "Civilians (...)"). The second string says which, for the notes."""
    n = len(data)
    column = columns.get("civilian_targeting")
    if column:
        text = plain_text(data[column]).fillna("")
        return text.str.startswith("civilian targeting").to_numpy(dtype=bool), "column"
    target = np.zeros(n, dtype=bool)
    used = []
    if columns.get("inter2"):
        target |= inter_codes(data[columns["inter2"]]) == CIVILIANS
        used.append("inter2")
    if columns.get("actor2"):
        names = plain_text(data[columns["actor2"]])
        target |= names.str.contains(_CIVILIAN_NAME, na=False).to_numpy(dtype=bool)
        used.append("actor2")
    return target, "+".join(used) or "none"
