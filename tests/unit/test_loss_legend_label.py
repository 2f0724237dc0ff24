"""The loss-year raster's legend names its period as a reader says it: one year alone
('forest loss 2016'), a range with a dash ('forest loss 2016–2018'). The Spanish is in
parts/thread_language.po ('pérdida de bosque 2016')."""

from __future__ import annotations

import numpy as np
import pytest
from test_raster_draw import draw
from test_raster_project import write_tif

from layers.raster import open_raster
from layers.timefilter import TimeFilter


@pytest.fixture
def loss(tmp_path):
    data = np.zeros((100, 100), np.uint8)
    data[:, :50] = 16  # loss in 2016
    data[:, 50:] = 18  # loss in 2018
    return open_raster(write_tif(tmp_path / "hansen_lossyear_10N_080W.tif", data))


def label(layer, period: str) -> str:
    _, entries = draw([layer], period=TimeFilter.parse(period))
    return entries[0].label


def test_a_single_year_is_named_once(loss) -> None:
    one = label(loss, "2016")
    assert one.endswith("forest loss 2016") and "2016–2016" not in one
    assert label(loss, "2016-2018").endswith("forest loss 2016–2018")  # a range as before


def test_a_period_after_the_last_loss_year_never_reads_backwards(loss) -> None:
    text = label(loss, "2030-2031")  # the ramp ends at the file's latest year (2023 at least)
    assert "forest loss (none in the period)" in text
    assert "–20" not in text.split("forest loss")[-1]
