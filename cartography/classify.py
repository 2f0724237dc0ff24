"""Colour classes for graduated and categorized styles.

A `Classification` (bins, colours, labels) is a value object: two maps that share one
give the same colour to the same value, which the side-by-side compare view relies on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import to_hex

from layers.i18n import tr
from layers.numbers import compact
from layers.style import QUALITATIVE_COLOURS

SCHEMES: tuple[str, ...] = ("quantiles", "natural_breaks", "equal_interval")
# Fisher-Jenks is O(k·n²): above this many values classify evenly spaced quantiles.
JENKS_SAMPLE = 1000
NO_DATA_COLOUR = "#d9d9d9"


@dataclass(frozen=True)
class Classification:
    """Graduated classes: value v falls in class i when bins[i-1] < v <= bins[i]."""

    bins: tuple[float, ...]  # upper bound of each class, ascending
    colours: tuple[str, ...]
    labels: tuple[str, ...]
    scheme: str = "quantiles"
    minimum: float = 0.0

    @property
    def k(self) -> int:
        return len(self.bins)

    def classify(self, values: Iterable[float]) -> np.ndarray:
        """Class index of each value; -1 for missing values (NaN/None)."""
        v = np.asarray(values, dtype=float)
        idx = np.searchsorted(np.asarray(self.bins), v, side="left")
        idx = np.clip(idx, 0, max(self.k - 1, 0))
        idx[~np.isfinite(v)] = -1
        return idx.astype(np.int64)

    def colour_of(self, values: Iterable[float]) -> list[str]:
        return [NO_DATA_COLOUR if i < 0 else self.colours[i] for i in self.classify(values)]


@dataclass(frozen=True)
class Categories:
    """Categorized classes: one colour per distinct value (as text)."""

    values: tuple[str, ...]
    colours: tuple[str, ...]

    def classify(self, values: Iterable[object]) -> np.ndarray:
        lookup = {v: i for i, v in enumerate(self.values)}
        return np.array([lookup.get(_as_key(v), -1) for v in values], dtype=np.int64)

    @property
    def labels(self) -> tuple[str, ...]:
        return self.values


def ramp_colours(ramp: str, k: int) -> list[str]:
    """k colours sampled evenly from a matplotlib colormap (light to dark for sequential)."""
    try:
        cmap = colormaps[ramp]
    except KeyError:
        cmap = colormaps["YlOrRd"]
    if k <= 1:
        return [to_hex(cmap(0.6))]
    # Skip the palest 12 % so the lowest class still shows on white paper.
    return [to_hex(cmap(0.12 + 0.88 * i / (k - 1))) for i in range(k)]


def _finite(values: Iterable[float]) -> np.ndarray:
    v = np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=float)
    return v[np.isfinite(v)]


def fisher_jenks(y: np.ndarray, k: int, sample: int = JENKS_SAMPLE) -> np.ndarray:
    """Natural breaks (Fisher 1958 optimal partition, as mapclassify.FisherJenks).

    Exact dynamic programme in numpy; above `sample` values it runs on evenly spaced
    quantiles of the data (deterministic, shape-preserving) like FisherJenksSampled.
    """
    y = np.sort(np.asarray(y, dtype=float))
    if y.size > sample:
        y = np.quantile(y, np.linspace(0.0, 1.0, sample))
    n = y.size
    s1 = np.concatenate([[0.0], np.cumsum(y)])
    s2 = np.concatenate([[0.0], np.cumsum(y * y)])
    j = np.arange(n + 1)[:, None]
    i = np.arange(n + 1)[None, :]
    size = np.where(i > j, i - j, 1)
    # cost[j, i]: squared deviations of y[j:i] around its mean; impossible when j >= i.
    cost = (s2[i] - s2[j]) - (s1[i] - s1[j]) ** 2 / size
    cost = np.where(i > j, np.maximum(cost, 0.0), np.inf)
    best = np.full(n + 1, np.inf)
    best[0] = 0.0
    back = np.zeros((k + 1, n + 1), dtype=np.int64)
    for c in range(1, k + 1):
        total = best[:, None] + cost
        back[c] = np.argmin(total, axis=0)
        best = total[back[c], np.arange(n + 1)]
    ends, end = [], n
    for c in range(k, 0, -1):
        ends.append(end)
        end = back[c, end]
    return np.array([y[e - 1] for e in reversed(ends)])


def _bins(y: np.ndarray, scheme: str, k: int) -> np.ndarray:
    # In numpy, matching mapclassify's Quantiles/EqualInterval/FisherJenks: importing
    # mapclassify pulls scipy.stats (2-7 s here), which would blow the export budget.
    if scheme == "quantiles":
        return np.percentile(y, np.linspace(100.0 / k, 100.0, k))
    if scheme == "equal_interval":
        lo, hi = float(y.min()), float(y.max())
        return lo + (hi - lo) * np.arange(1, k + 1) / k
    if scheme == "natural_breaks":
        return fisher_jenks(y, k)
    raise ValueError(
        tr("Unknown classification {s!r}: use one of {all}.").format(
            s=scheme, all=", ".join(SCHEMES)
        )
    )


def classify_values(
    values: Iterable[float], scheme: str = "quantiles", k: int = 5, ramp: str = "YlOrRd"
) -> Classification:
    """Classes for one set of values (NaN ignored)."""
    y = _finite(values)
    if y.size == 0:
        return Classification((0.0,), (ramp_colours(ramp, 1)[0],), (tr("no data"),), scheme, 0.0)
    distinct = np.unique(y)
    k = max(1, min(int(k), distinct.size))
    if distinct.size <= k:
        bins = distinct.astype(float)
    else:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # mapclassify warns when duplicates merge classes
            bins = np.unique(_bins(y, scheme, k))
    bins[-1] = max(bins[-1], float(y.max()))
    colours = ramp_colours(ramp, len(bins))
    lo = float(y.min())
    if distinct.size <= k:
        labels = [compact(b) for b in bins]
    else:
        lows = [lo, *bins[:-1]]
        labels = [f"{compact(a)} – {compact(b)}" for a, b in zip(lows, bins, strict=True)]
    return Classification(tuple(float(b) for b in bins), tuple(colours), tuple(labels), scheme, lo)


def classify_shared(
    values_a: Iterable[float],
    values_b: Iterable[float],
    scheme: str = "quantiles",
    k: int = 5,
    ramp: str = "YlOrRd",
) -> Classification:
    """One classification over both maps' values: equal values get equal colours on both."""
    a, b = _finite(values_a), _finite(values_b)
    return classify_values(np.concatenate([a, b]), scheme, k, ramp)


def _as_key(v: object) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def categorize(
    values: Iterable[object], categories: Mapping[str, str] | None = None, limit: int = 12
) -> Categories:
    """Distinct values (most frequent first, capped at `limit`) with fixed or palette colours."""
    import pandas as pd

    keys = pd.Series([_as_key(v) for v in values])
    keys = keys[keys != ""]
    order = list(keys.value_counts().index[:limit])
    categories = dict(categories or {})
    if categories:
        order = [c for c in categories if c in set(order)] + [
            c for c in order if c not in categories
        ]
    palette = [c for c in QUALITATIVE_COLOURS if c not in categories.values()] or list(
        QUALITATIVE_COLOURS
    )
    colours, n = [], 0
    for value in order:
        if value in categories:
            colours.append(categories[value])
        else:
            colours.append(palette[n % len(palette)])
            n += 1
    return Categories(tuple(order), tuple(colours))
