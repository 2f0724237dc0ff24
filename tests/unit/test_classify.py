"""Classification: schemes, labels and the sharing rule of the compare view."""

from __future__ import annotations

import numpy as np
import pytest

from cartography.classify import (
    NO_DATA_COLOUR,
    categorize,
    classify_shared,
    classify_values,
    ramp_colours,
)


@pytest.mark.parametrize("scheme", ["quantiles", "natural_breaks", "equal_interval"])
def test_schemes_cover_all_values(scheme: str) -> None:
    rng = np.random.default_rng(1)
    values = rng.gamma(2.0, 10.0, 500)
    c = classify_values(values, scheme, 5, "YlOrRd")
    assert c.k == 5 and len(c.colours) == 5 and len(c.labels) == 5
    idx = c.classify(values)
    assert idx.min() == 0 and idx.max() == 4
    assert c.bins[-1] >= values.max()
    assert list(c.bins) == sorted(c.bins)


def test_quantiles_split_evenly_and_equal_interval_is_even() -> None:
    values = np.arange(100, dtype=float)
    q = classify_values(values, "quantiles", 4)
    assert np.bincount(q.classify(values)).tolist() == [25, 25, 25, 25]
    e = classify_values(values, "equal_interval", 4)
    assert np.allclose(np.diff([0.0, *e.bins]), 99 / 4)


def test_natural_breaks_find_the_gaps() -> None:
    values = np.array([1, 2, 3, 50, 51, 52, 200, 201, 202], dtype=float)
    c = classify_values(values, "natural_breaks", 3)
    assert c.classify(values).tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2]


def test_shared_classification_gives_same_colour_to_same_value() -> None:
    left = np.array([1.0, 2.0, 3.0, 4.0])
    right = np.array([10.0, 20.0, 30.0, 40.0])
    shared = classify_shared(left, right, "equal_interval", 4, "viridis")
    # 4.0 is on the left map and near-equal values on both sides must match colours
    assert shared.colour_of([4.0]) == shared.colour_of(np.array([4.0]))
    assert shared.colour_of([40.0])[0] == shared.colours[-1]
    assert shared.colour_of([1.0])[0] == shared.colours[0]
    # separate classifications would give the left map's maximum the darkest colour
    alone = classify_values(left, "equal_interval", 4, "viridis")
    assert alone.colour_of([4.0])[0] == alone.colours[-1]
    assert shared.colour_of([4.0])[0] != shared.colours[-1]


def test_nan_is_no_data_and_few_values_give_few_classes() -> None:
    c = classify_values([1.0, 1.0, 2.0, np.nan], "quantiles", 5)
    assert c.k == 2 and c.labels == ("1", "2")
    assert c.classify([np.nan]).tolist() == [-1]
    assert c.colour_of([np.nan]) == [NO_DATA_COLOUR]
    empty = classify_values([np.nan], "quantiles", 5)
    assert empty.k == 1


def test_categories_keep_fixed_colours_and_ramps_are_distinct() -> None:
    cats = categorize(["a", "b", "b", None, "c"], {"c": "#123456"})
    assert cats.values[0] == "c" and cats.colours[0] == "#123456"
    assert set(cats.values) == {"a", "b", "c"}
    assert cats.classify(["b", "zzz"]).tolist()[1] == -1
    assert len(set(ramp_colours("YlOrRd", 5))) == 5


@pytest.mark.filterwarnings("ignore:Numba not installed")
def test_fisher_jenks_matches_mapclassify() -> None:
    import mapclassify

    from cartography.classify import fisher_jenks

    rng = np.random.default_rng(7)
    for _ in range(3):
        y = np.round(rng.lognormal(1.0, 1.0, 300), 3)
        ours = fisher_jenks(y, 5)
        theirs = np.asarray(mapclassify.FisherJenks(y, k=5).bins)
        assert np.allclose(ours, theirs)


def test_natural_breaks_on_large_inputs_is_fast() -> None:
    import time

    y = np.random.default_rng(3).gamma(1.5, 10.0, 200_000)
    t0 = time.perf_counter()
    c = classify_values(y, "natural_breaks", 5)
    assert time.perf_counter() - t0 < 2.0 and c.k == 5


def test_class_labels_are_compact_grouped_and_follow_the_language() -> None:
    """Legend bounds read like the tables: grouped thousands, no trailing zeros, the active
    language's marks (one formatter, layers/numbers.py)."""
    from layers.i18n import set_language

    e = classify_values([0.0, 0.5, 2.5, 12_000.0], "equal_interval", 2)
    assert e.labels == ("0 – 6,000", "6,000 – 12,000")
    small = classify_values(np.linspace(0.0, 5.0, 11), "equal_interval", 2)
    assert small.labels == ("0 – 2.5", "2.5 – 5")
    set_language("es")
    try:
        assert classify_values(np.linspace(0.0, 5.0, 11), "equal_interval", 2).labels == (
            "0 – 2,5",
            "2,5 – 5",
        )
    finally:
        set_language("en")
