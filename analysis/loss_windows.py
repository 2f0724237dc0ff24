"""Forest loss before and after an operation, from a Hansen-style loss-year raster.

A loss-year code n means the pixel lost its forest some time in calendar year 2000 + n; the
raster carries no finer date. Around an operation in year Y, `before` is the N calendar
years Y-N..Y-1 and `after` Y+1..Y+N; Y itself is in neither window, since its loss may have
happened before or after the operation (docs/methods.md, "Forest loss around operations").
Hectares come from analysis.zonal.zonal_table (its `classes` columns), the one place for
the pixel rules.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from layers.raster import loss_year


def loss_by_year(table: pd.DataFrame) -> pd.DataFrame:
    """Hectares lost per calendar year (columns, ascending) per zone, from a zonal_table with
    classes of a loss-year raster; code 0 (no loss) is left out."""
    years = {}
    for column in table.columns:
        code = column[len("class_") : -len("_ha")] if column.startswith("class_") else ""
        if column.endswith("_ha") and code.isdigit() and int(code) > 0:
            years[loss_year(int(code))] = table[column].to_numpy(dtype=float)
    frame = pd.DataFrame(years, index=table.index)
    return frame[sorted(frame.columns)]


def windows(year: int, n_years: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """((first, last) before, (first, last) after) calendar years around an operation year."""
    return (year - n_years, year - 1), (year + 1, year + n_years)


def window_sum(by_year: pd.DataFrame, first: int, last: int) -> np.ndarray:
    """Per zone, hectares lost in the calendar years first..last (inclusive)."""
    chosen = [y for y in by_year.columns if first <= y <= last]
    return by_year[chosen].sum(axis=1).to_numpy(dtype=float)
