"""The quadrant chart's region names keep a light backing, so a median line or a point running
under a name does not cut through it (seen on the sample: 'San Martín de Quebradas' sat on
the harm median)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from cartography.briefing_enforcement import place_point_labels  # noqa: E402


def test_every_placed_name_has_a_halo() -> None:
    fig, ax = plt.subplots(figsize=(6, 4))
    rng = np.random.default_rng(7)
    xs, ys = rng.uniform(0, 1, 12), rng.uniform(0, 1, 12)
    ax.set_xlim(0, 1.2)
    ax.set_ylim(0, 1)
    fig.canvas.draw()
    placed = place_point_labels(ax, xs, ys, [f"Municipio {i}" for i in range(12)])
    names = [t for t in ax.texts if t.get_text().startswith("Municipio")]
    plt.close(fig)
    assert placed == len(names) > 0
    assert all(t.get_bbox_patch() is not None for t in names)


def test_the_charts_ticks_are_written_in_the_pages_language() -> None:
    import pandas as pd

    from cartography.briefing_enforcement import quadrant_chart
    from layers.i18n import language

    table = pd.DataFrame(
        {
            "name": ["A", "B", "C", "D"],
            "enforcement_intensity": [0.1, 0.12, 0.14, 0.16],
            "harm_index": [0.2, 0.6, 0.3, 0.5],
            "quadrant": ["low_enforcement_low_harm", "low_enforcement_high_harm",
                         "high_enforcement_low_harm", "high_enforcement_high_harm"],
        }
    )  # fmt: skip
    thresholds = {"enforcement_intensity_median": 0.13, "harm_index_median": 0.4}
    with language("es"):
        fig, ax = plt.subplots(figsize=(6, 4))
        quadrant_chart(ax, table, thresholds)
        fig.canvas.draw()
        xs = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
        ys = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
        plt.close(fig)
    assert any("," in t for t in xs + ys) and not any("." in t for t in xs + ys), xs + ys
    assert len(set(xs)) == len(xs)  # a narrow range keeps the decimals it needs: 0,10, 0,11…
