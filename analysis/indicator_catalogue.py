"""The harm indicators' catalogue and arithmetic: each column's label, unit and direction, the
harm index weights, and the pure pieces (rates, trends, min-max scaling, the index, the rank).

INDICATORS and DEFAULT_WEIGHTS are the one place the cartography (briefing pack), the
compare view and the desktop read the columns, labels, units and directions from;
analysis/indicators.py computes them per region.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from analysis.inputs import InputError
from layers.i18n import tr, tr_noop

PER_100K = 100_000.0


@dataclass(frozen=True)
class Indicator:
    """One column of the indicator table, as every view labels and colours it.

    higher_is_worse: True for harms, False for goods (access, coverage), None for
    enforcement outputs (neither good nor bad in themselves).
    """

    column: str
    label: str
    group: str  # "context" (population) | "enforcement" | "outcome" | "composite"
    unit: str
    higher_is_worse: bool | None
    help: str = ""

    @property
    def key(self) -> str:
        return self.column

    # Columns whose label already says the unit ('Violent events per 100,000 people per year'):
    # declared, not guessed from the English words, so every language reads the same.
    UNIT_IN_LABEL: ClassVar[frozenset[str]] = frozenset(
        {
            "violent_events",
            "violent_events_per_100k",
            "fatalities_per_100k",
            "violence_trend",
            "arrests_per_100k",
            "access_per_1000",
            "forest_loss_per_1000ha",
            "priority_rank",
        }
    )

    @property
    def label_with_unit(self) -> str:
        """'Hectares eradicated (ha)' in the active language; the label alone when it already
        says the unit (UNIT_IN_LABEL) or there is none."""
        label = tr(self.label)  # again where shown: follows a language switched after import
        if not self.unit or self.column in self.UNIT_IN_LABEL:
            return label
        return f"{label} ({tr(self.unit)})"

    @property
    def display_scale(self) -> float:
        """Factor from the stored value to the shown one: '%' columns hold shares 0–1."""
        return 100.0 if self.unit == "%" else 1.0


INDICATORS: tuple[Indicator, ...] = (
    Indicator("population", tr_noop("Population"), "context", tr_noop("people"), None),
    Indicator("eradicated_ha", tr_noop("Hectares eradicated"), "enforcement", "ha", None),
    Indicator(
        "eradicated_manual_ha", tr_noop("Hectares eradicated by hand"), "enforcement", "ha", None
    ),
    Indicator(
        "eradicated_aerial_ha", tr_noop("Hectares sprayed from the air"), "enforcement", "ha", None
    ),
    Indicator("eradication_events", tr_noop("Eradication operations"), "enforcement", "", None),
    Indicator("arrests", tr_noop("Arrests"), "enforcement", tr_noop("people"), None),
    Indicator("seizures", tr_noop("Seizures"), "enforcement", "", None),
    # Whom arrests hit (enforcement layer, analysis/enforcement_records.py): outputs, so not in
    # the harm index unless --weights gives them a weight (ENFORCEMENT_WEIGHTS).
    Indicator(
        "arrests_per_100k",
        tr_noop("People arrested per 100,000 people per year"),
        "enforcement",
        tr_noop("per 100k per year"),
        None,
        tr_noop("People arrested (arrest and operation records) per 100,000 people per year."),
    ),
    Indicator(
        "low_level_arrest_share",
        tr_noop("People arrested who use drugs or supply at small scale"),
        "enforcement",
        "%",
        None,
        tr_noop(
            "Share of the people arrested whose target level is personal use or small-scale "
            "supply (unclassified ones count in the total)."
        ),
    ),
    Indicator("violent_events", tr_noop("Violent events"), "outcome", tr_noop("events"), True),
    Indicator("fatalities", tr_noop("Fatalities"), "outcome", tr_noop("people"), True),
    Indicator(
        "violent_events_per_100k",
        tr_noop("Violent events per 100,000 people per year"),
        "outcome",
        tr_noop("per 100k per year"),
        True,
    ),
    Indicator(
        "fatalities_per_100k",
        tr_noop("Fatalities per 100,000 people per year"),
        "outcome",
        tr_noop("per 100k per year"),
        True,
    ),
    Indicator(
        "violence_trend",
        tr_noop("Trend of violent events per 100,000 (slope per year)"),
        "outcome",
        tr_noop("per 100k per year"),
        True,
        tr_noop("Least-squares slope of the yearly rate over the period."),
    ),
    Indicator(
        "hot_spot_share",
        tr_noop("Share of the region in violence hot spots (Gi* 95%)"),
        "outcome",
        "%",
        True,
        tr_noop("Share of 5 km cells whose Gi* z is a 95% hot spot after FDR correction."),
    ),
    Indicator(
        "wdq_violence",
        tr_noop("Displacement of violence around eradication (WDQ)"),
        "outcome",
        "",
        False,
        tr_noop(
            "Below 0: violence moved next door; above 0: benefits spread. Null when undefined."
        ),
    ),
    Indicator(
        "wdq_cultivation",
        tr_noop("Displacement of cultivation around eradication (WDQ)"),
        "outcome",
        "",
        False,
        tr_noop("Below 0: coca moved next door; above 0: benefits spread. Null when undefined."),
    ),
    Indicator(
        "beyond_15km_share",
        tr_noop("Population beyond 15 km of a health service"),
        "outcome",
        "%",
        True,
    ),
    Indicator(
        "access_per_1000",
        tr_noop("Health services per 1,000 people in reach (2SFCA, 15 km)"),
        "outcome",
        tr_noop("per 1,000"),
        False,
    ),
    Indicator(
        "harm_reduction_coverage",
        tr_noop("Population within 15 km of a harm-reduction service"),
        "outcome",
        "%",
        False,
    ),
    Indicator(
        "protected_eradicated_ha",
        tr_noop("Hectares eradicated inside protected areas"),
        "outcome",
        "ha",
        True,
    ),
    Indicator(
        "water_drift_ha",
        tr_noop("Hectares eradicated within drift distance of water"),
        "outcome",
        "ha",
        True,
    ),
    Indicator(
        "rule_breaking_operations",
        tr_noop("Eradication operations breaking a spraying rule"),
        "outcome",
        "",
        True,
    ),
    Indicator(
        "new_cultivation_protected_ha",
        tr_noop("New cultivation inside protected areas"),
        "outcome",
        "ha",
        True,
    ),
    Indicator(
        "forest_loss_ha",
        tr_noop("Forest lost"),
        "outcome",
        "ha",
        True,
        tr_noop(
            "Hectares of forest lost in the period, from a loss-year raster (--loss-raster), "
            "pixels weighted by their share inside the region. Null without the raster."
        ),
    ),
    Indicator(
        "forest_loss_per_1000ha",
        tr_noop("Forest lost per 1,000 ha of region"),
        "outcome",
        tr_noop("per 1,000 ha"),
        True,
        tr_noop(
            "Hectares of forest lost in the period for every 1,000 ha of the region, so large "
            "and small regions compare; the harm index uses this one. Null without the raster."
        ),
    ),
    Indicator(
        "harm_index",
        tr_noop("Harm index (0 = least harm, 1 = most)"),
        "composite",
        "",
        True,
        tr_noop("Weighted mean of min-max normalised outcomes (goods reversed)."),
    ),
    Indicator(
        "priority_rank",
        tr_noop("Priority rank (1 = most harm)"),
        "composite",
        tr_noop("rank"),
        False,
    ),
)
INDICATOR_BY_COLUMN = {i.column: i for i in INDICATORS}

# Weights of the harm index. Why these: health and life first (violence, fatalities,
# access gap) at 1; trends, hot spots, coverage and environmental harm at 0.5; WDQ at 0
# because it is often undefined and its sign needs reading, so it is shown, not summed.
DEFAULT_WEIGHTS: dict[str, float] = {
    "violent_events_per_100k": 1.0,
    "fatalities_per_100k": 1.0,
    "beyond_15km_share": 1.0,
    "violence_trend": 0.5,
    "hot_spot_share": 0.5,
    "access_per_1000": 0.5,
    "harm_reduction_coverage": 0.5,
    "protected_eradicated_ha": 0.5,
    "water_drift_ha": 0.5,
    "new_cultivation_protected_ha": 0.5,
    # Forest loss per area, not total hectares: a large region is not worse for its size.
    # A column without values (no --loss-raster) drops out of the index.
    "forest_loss_per_1000ha": 0.5,
    "rule_breaking_operations": 0.25,
    "wdq_violence": 0.0,
    "wdq_cultivation": 0.0,
}

# Enforcement figures the user may weigh into the index (--weights arrests_per_100k=0.5): 0 by
# default, since an output is not a harm; weighted, more is read as worse (arrests are harm).
ENFORCEMENT_WEIGHTS: dict[str, float] = {"arrests_per_100k": 0.0, "low_level_arrest_share": 0.0}


# --- pure pieces ------------------------------------------------------------------------------
def per_100k(count: np.ndarray, population: np.ndarray) -> np.ndarray:
    """count / population × 100,000; NaN where the population is unknown or zero."""
    count = np.asarray(count, dtype=float)
    population = np.asarray(population, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(population > 0, count / population * PER_100K, np.nan)


def yearly_slope(values: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Least-squares slope per year of each row (regions × years); NaN with < 2 years."""
    values = np.asarray(values, dtype=float)
    years = np.asarray(years, dtype=float)
    if values.shape[1] < 2:
        return np.full(values.shape[0], np.nan)
    t = years - years.mean()
    return (values - values.mean(axis=1, keepdims=True)) @ t / (t @ t)


def min_max(values: np.ndarray) -> np.ndarray:
    """Scale to 0–1 over the regions; NaN stays NaN; all-equal values give 0."""
    values = np.asarray(values, dtype=float)
    if not np.isfinite(values).any():
        return values
    lo, hi = np.nanmin(values), np.nanmax(values)
    if hi - lo <= 0:
        return np.where(np.isnan(values), np.nan, 0.0)
    return (values - lo) / (hi - lo)


def harm_index(
    frame: pd.DataFrame, weights: dict[str, float], directions: dict[str, bool] | None = None
) -> tuple[np.ndarray, list[str]]:
    """Weighted mean of min-max normalised outcomes (goods reversed) over available ones.

    A region missing an indicator is scored on the others (weights renormalised).
    `directions`: higher_is_worse of columns outside the catalogue (a joined table's).
    Returns the index and the indicators used.
    """
    directions = directions or {}
    total = np.zeros(len(frame))
    weight_sum = np.zeros(len(frame))
    used = []
    for column, w in weights.items():
        if w <= 0 or column not in frame.columns:
            continue
        values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
        if not np.isfinite(values).any():
            continue
        scaled = min_max(values)
        known = INDICATOR_BY_COLUMN.get(column)
        if (directions.get(column) if known is None else known.higher_is_worse) is False:
            scaled = 1.0 - scaled
        have = np.isfinite(scaled)
        total[have] += w * scaled[have]
        weight_sum[have] += w
        used.append(column)
    with np.errstate(invalid="ignore", divide="ignore"):
        index = np.where(weight_sum > 0, total / weight_sum, np.nan)
    return index, used


def priority_rank(index: np.ndarray) -> np.ndarray:
    """1 = most harm; ties share the best rank; regions without an index get NaN."""
    ranks = pd.Series(index).rank(ascending=False, method="min")
    return ranks.to_numpy()


def parse_weights(
    text: str | dict | None, extra: dict[str, float] | None = None
) -> dict[str, float]:
    """'violent_events_per_100k=2,access_per_1000=0' over DEFAULT_WEIGHTS (and `extra`: the
    project's own indicators with their weights)."""
    weights = dict(DEFAULT_WEIGHTS) | dict(extra or {})
    if not text:
        return weights
    items = text.items() if isinstance(text, dict) else _pairs(str(text))
    for key, value in items:
        key = key.strip()
        if key not in weights:
            raise InputError(
                tr("--weights: {k!r} is not a weighted indicator. Use: {keys}.").format(
                    k=key, keys=", ".join(weights)
                )
            )
        try:
            w = float(value)
        except (TypeError, ValueError):
            raise InputError(
                tr("--weights: {k}={v!r} is not a number.").format(k=key, v=value)
            ) from None
        if w < 0 or not math.isfinite(w):
            raise InputError(tr("--weights: {k} must be zero or more.").format(k=key))
        weights[key] = w
    return weights


def _pairs(text: str) -> list[tuple[str, str]]:
    out = []
    for part in text.split(","):
        if not part.strip():
            continue
        if "=" not in part:
            raise InputError(
                tr(
                    "--weights: write key=value pairs, e.g. fatalities_per_100k=2 (got {p!r})."
                ).format(p=part.strip())
            )
        k, v = part.split("=", 1)
        out.append((k, v))
    return out
