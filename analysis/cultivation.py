"""Cultivation dynamics, UNODC-SIMCI style: permanent, intermittent, abandoned and new cells.

Over the window (the last --window-years years of the grid, ending at --end-year), a cell is
cultivated in a year when its hectares exceed --threshold-ha. Each cell gets one class, the
first that applies in this order (new > abandoned > permanent > intermittent):
- new: cultivated in the last year and in no year of the window before the last --new-years
  (default 1: in no earlier year at all, as docs/methods.md defines it; 3 = appeared in the last
  three years and still there);
- abandoned: cultivated in some year of the window but in none of the last --abandoned-years;
- permanent: cultivated in every year of the window;
- intermittent: cultivated in some years, none of the above;
- none: never cultivated in the window (not counted as a class).
Hectares are reported for the last year and as the yearly mean over the window. Years
missing from the grid are left out of the window (and noted).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from analysis.base import Algorithm, AnalysisResult, Feedback, Output, Parameter, register
from analysis.common_parameters import CULTIVATION_GRID, REGIONS
from analysis.count import point_polygon_pairs
from analysis.inputs import (
    InputError,
    in_metric,
    require_field,
    require_positive,
    run_crs,
)
from layers.i18n import tr, tr_noop
from layers.layer import Layer

CLASSES = ("permanent", "intermittent", "abandoned", "new")
NONE = "none"


def classify_cells(
    hectares: np.ndarray, abandoned_years: int = 3, threshold: float = 0.0, new_years: int = 1
) -> np.ndarray:
    """Class of each cell from its hectares per year (cells × years, oldest year first)."""
    hectares = np.nan_to_num(np.asarray(hectares, dtype=float), nan=0.0)
    if hectares.ndim != 2 or hectares.shape[1] == 0:
        raise ValueError("hectares must be a cells × years array with at least one year")
    on = hectares > threshold
    n_years = on.shape[1]
    some = on.any(axis=1)
    every = on.all(axis=1)
    earlier = on[:, : max(0, n_years - new_years)]
    new = on[:, -1] & ~earlier.any(axis=1)
    recent = on[:, max(0, n_years - abandoned_years) :].any(axis=1)
    abandoned = some & ~recent
    out = np.full(len(on), NONE, dtype=object)
    out[some] = "intermittent"
    out[every] = "permanent"
    out[abandoned] = "abandoned"
    out[new] = "new"
    return out


def window_years(
    year_columns: dict[int, str], window: int, end_year: int | None = None
) -> tuple[list[int], list[int]]:
    """(years of the window present in the grid, years of the window missing from it)."""
    if not year_columns:
        return [], []
    end = max(year_columns) if end_year is None else end_year
    wanted = list(range(end - window + 1, end + 1))
    return [y for y in wanted if y in year_columns], [y for y in wanted if y not in year_columns]


def class_table(classes: np.ndarray, ha_last: np.ndarray, ha_mean: np.ndarray) -> pd.DataFrame:
    frame = pd.DataFrame({"class": classes, "ha_last": ha_last, "ha_mean": ha_mean})
    table = frame.groupby("class").agg(
        cells=("class", "size"), ha_last_year=("ha_last", "sum"), ha_mean=("ha_mean", "sum")
    )
    return table.reindex(list(CLASSES)).fillna(0).astype({"cells": int})


@register
class CultivationDynamics(Algorithm):
    id = "cultivation"
    title = tr_noop("Cultivation dynamics (permanent, intermittent, abandoned, new)")
    help = tr_noop(
        "Classifies grid cells by their cultivation history over a window, as UNODC-SIMCI "
        "does, and sums hectares per class (and per region)."
    )
    parameters = (
        replace(CULTIVATION_GRID, name="grid", required=True),
        Parameter("window_years", "integer", tr_noop("Years in the window."), default=10),
        Parameter(
            "abandoned_years",
            "integer",
            tr_noop(
                "Years without cultivation, at the end of the window, that make a cell abandoned."
            ),
            default=3,
        ),
        Parameter(
            "new_years",
            "integer",
            tr_noop("A cell is new if cultivated now and never before the last this many years."),
            default=1,
        ),
        Parameter("end_year", "integer", tr_noop("Last year of the window (default: the latest).")),
        Parameter(
            "threshold_ha",
            "number",
            tr_noop("A cell counts as cultivated in a year above this many hectares."),
            default=0.0,
        ),
        REGIONS,
        Parameter(
            "region_field",
            "field",
            tr_noop("Region name or code field (default: the mapped name, else code)."),
            parent="regions",
        ),
    )
    outputs = (
        Output("cells", "layer", tr_noop("Grid cells with their class and hectares.")),
        Output("regions", "layer", tr_noop("Regions with hectares per class.")),
        Output("table", "table", tr_noop("Cells and hectares per class (per region).")),
    )

    def run(self, params: dict[str, Any], feedback: Feedback) -> AnalysisResult:
        grid_layer: Layer = params["grid"]
        regions_layer: Layer | None = params.get("regions")
        window = int(params.get("window_years") or 0)
        abandoned = int(params.get("abandoned_years") or 0)
        require_positive(window, "--window-years")
        require_positive(abandoned, "--abandoned-years")
        if abandoned >= window:
            raise InputError(
                tr("--abandoned-years ({a}) must be shorter than --window-years ({w}).").format(
                    a=abandoned, w=window
                )
            )
        year_cols = grid_layer.mapping.year_columns
        if not year_cols:
            raise InputError(
                tr(
                    "--grid layer {n!r} has no year columns: it needs one hectares column per "
                    "year (e.g. areacoca_2019)."
                ).format(n=grid_layer.name)
            )
        years, missing = window_years(year_cols, window, params.get("end_year"))
        if len(years) < 2:
            raise InputError(
                tr("The window holds {k} year(s) of the grid; the grid has {a}–{b}.").format(
                    k=len(years), a=min(year_cols), b=max(year_cols)
                )
            )
        notes = []
        if missing:
            notes.append(
                tr("Years missing from the grid, left out of the window: {y}.").format(
                    y=", ".join(map(str, missing))
                )
            )
        crs = run_crs(params, grid_layer, regions_layer)
        feedback.set_progress(5, tr("Reading the grid"))
        grid = in_metric(grid_layer, crs)
        ha = np.column_stack(
            [pd.to_numeric(grid[year_cols[y]], errors="coerce").fillna(0.0) for y in years]
        )
        feedback.check()
        threshold = float(params.get("threshold_ha") or 0.0)
        new_years = int(params.get("new_years") or 1)
        require_positive(new_years, "--new-years")
        if new_years >= len(years):
            raise InputError(
                tr("--new-years ({n}) must be shorter than the window ({w} years).").format(
                    n=new_years, w=len(years)
                )
            )
        classes = classify_cells(ha, abandoned, threshold, new_years)
        cells = grid.copy()
        cells["dynamics"] = classes
        cells["years_cultivated"] = (ha > threshold).sum(axis=1)
        cells["ha_last"] = ha[:, -1]
        cells["ha_mean"] = ha.mean(axis=1)
        table = class_table(classes, ha[:, -1], ha.mean(axis=1))
        summary: dict[str, Any] = {
            "window": {"first": years[0], "last": years[-1], "years": len(years)},
            "abandoned_years": abandoned,
            "new_years": new_years,
            "threshold_ha": threshold,
            "cells": int(len(grid)),
            "cells_never_cultivated": int((classes == NONE).sum()),
            "classes": {
                c: {
                    "cells": int(table.loc[c, "cells"]),
                    "ha_last_year": float(table.loc[c, "ha_last_year"]),
                    "ha_mean": float(table.loc[c, "ha_mean"]),
                }
                for c in CLASSES
            },
            "ha_last_year": float(ha[:, -1].sum()),
        }
        total_last = summary["ha_last_year"]
        if total_last > 0:
            summary["share_last_year"] = {
                c: float(table.loc[c, "ha_last_year"]) / total_last for c in CLASSES
            }
        layers = {"cells": cells[cells["dynamics"] != NONE]}
        out_table = table.reset_index().rename(columns={"index": "class"})
        if regions_layer is not None:
            feedback.set_progress(60, tr("Summing per region"))
            regions = in_metric(regions_layer, crs)
            name_col = _region_name(regions_layer, params.get("region_field"))
            centroids = cells.geometry.centroid
            poly_idx, cell_idx = point_polygon_pairs(centroids, regions.geometry, feedback)
            frame = pd.DataFrame(
                {
                    "region": poly_idx,
                    "class": classes[cell_idx],
                    "ha_last": ha[cell_idx, -1],
                }
            )
            frame = frame[frame["class"] != NONE]
            wide = frame.pivot_table(
                index="region", columns="class", values="ha_last", aggfunc="sum", fill_value=0.0
            ).reindex(index=range(len(regions)), columns=list(CLASSES), fill_value=0.0)
            counts = frame.pivot_table(
                index="region", columns="class", values="ha_last", aggfunc="size", fill_value=0
            ).reindex(index=range(len(regions)), columns=list(CLASSES), fill_value=0)
            reg = regions.copy()
            for c in CLASSES:
                reg[f"{c}_ha"] = wide[c].to_numpy()
                reg[f"{c}_cells"] = counts[c].to_numpy().astype(int)
            reg["total_ha"] = wide.sum(axis=1).to_numpy()
            reg["new_share"] = np.where(
                reg["total_ha"] > 0, reg["new_ha"] / reg["total_ha"].where(reg["total_ha"] > 0), 0.0
            )
            layers["regions"] = reg
            names = regions[name_col].astype(str) if name_col else pd.Series(range(len(regions)))
            # The table: the regions layer's hectares and cells by class, named, no geometry.
            columns = [f"{c}_{k}" for c in CLASSES for k in ("ha", "cells")] + ["total_ha"]
            out_table = pd.DataFrame(reg[columns]).reset_index(drop=True)
            out_table.insert(0, "region", names.to_numpy())
            outside = len(grid) - len(np.unique(cell_idx))
            if outside:
                notes.append(tr("{n} cells lie outside every region.").format(n=outside))
        summary["crs"] = crs.to_string()
        return AnalysisResult(
            summary=summary,
            layers=layers,
            table=out_table,
            notes=notes,
            styles={
                "cells": {"field": "dynamics", "kind": "categorized"},
                "regions": {"field": "new_ha", "kind": "graduated"},
            },
        )


def _region_name(layer: Layer, field: str | None) -> str | None:
    if field:
        return require_field(layer, field, "--region-field")
    for key in ("name", "region_code"):
        column = layer.field(key)
        if column and column in layer.data.columns:
            return column
    return None
