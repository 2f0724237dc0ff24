"""Enforcement records (arrests, seizures, operations) read once into one table per run, for
the enforcement analysis (analysis/enforcement.py) and the indicators' enforcement figures.

Each record of every layer with the role Enforcement actions, in the period, becomes one row:
its region, date and year, action (arrest, seizure, operation, other: layers/enforcement_levels
classify_action; a layer without an action field counts every record as an arrest), the
target level (the target_level field, else the offence, through the vocabulary and the
layer's overrides), the people it arrested, the drug, the grams and the quantity band.

People arrested: the persons field of arrest and operation records (a record without a
readable count is one person: a record is at least one arrest); seizures and other actions
arrest nobody. Without a persons field each arrest or operation record is one person.

Region: the region holding the record's point (metric CRS), else, for a table without
geometry, its region code (the mapped region_code field) read as the join reads codes
(prefixes and zero padding, layers/region_codes.py). Records in no region count in no region
and a note says how many. Records without a date are left out when a period is set, with a
note; without a period they count in the totals but in no year.
docs/methods.md ("Enforcement focus") has the definitions.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from analysis.count import xy_polygon_pairs
from analysis.hotspots import layer_in_crs, point_coordinates
from analysis.indicator_catalogue import per_100k
from analysis.inputs import date_column, feature_dates
from layers.enforcement_levels import (
    LOW_LEVELS,
    ActionType,
    TargetLevel,
    classify_action,
    classify_drug,
    level_series,
    quantity_band,
    quantity_grams,
    unit_grams,
)
from layers.i18n import tr
from layers.layer import Layer
from layers.roles import Role
from layers.timefilter import TimeFilter

ARRESTING = (ActionType.ARREST.value, ActionType.OPERATION.value)  # actions that arrest people
LEVEL_KEYS = tuple(level.value for level in TargetLevel)
LOW_KEYS = tuple(level.value for level in LOW_LEVELS)
COLUMNS = ("layer", "region", "date", "year", "action", "raw_level", "level", "persons",
           "drug", "grams", "band", "x", "y")  # fmt: skip


def enforcement_layers(project: Any) -> list[Layer]:
    """The project's enforcement layers that hold records."""
    if project is None:
        return []
    return [
        layer
        for layer in project.layers.by_role(Role.ENFORCEMENT)
        if getattr(layer, "kind", None) != "raster" and not layer.data.empty
    ]


def _mapped(layer: Layer, key: str) -> str | None:
    column = layer.field(key)
    return column if column and column in layer.data.columns else None


def _per_distinct(values: pd.Series, read) -> np.ndarray:
    """read(value) for every row, called once per distinct value (10^5 rows, a few values)."""
    codes, distinct = pd.factorize(values.astype(object), use_na_sentinel=True)
    looked = np.array([read(v) for v in distinct] + [read(None)], dtype=object)
    return looked[codes]


def _grams(quantity: pd.Series, unit: pd.Series | None) -> np.ndarray:
    """quantity_grams per row: numbers times their unit's grams (the unit read once per
    distinct unit), text quantities ("2,5 kg") once per distinct (quantity, unit) pair."""
    if pd.api.types.is_numeric_dtype(quantity) and not pd.api.types.is_bool_dtype(quantity):
        number = pd.to_numeric(quantity, errors="coerce").to_numpy(float)
        factor = (
            np.full(len(number), np.nan)
            if unit is None
            else _per_distinct(unit, lambda u: np.nan if (g := unit_grams(u)) is None else g)
        ).astype(float)
        with np.errstate(invalid="ignore"):
            return np.where(number >= 0, number * factor, np.nan)
    pairs = pd.DataFrame({"q": quantity.astype(object), "u": None if unit is None else unit})
    codes, distinct = pd.factorize(pd.MultiIndex.from_frame(pairs.astype(str)))
    firsts = np.unique(codes, return_index=True)[1]
    grams = np.array(
        [
            quantity_grams(pairs["q"].iat[i], pairs["u"].iat[i] if unit is not None else None)
            for i in firsts
        ],
        dtype=object,
    )
    out = np.array([np.nan if g is None else g for g in grams], dtype=float)
    return out[codes] if len(codes) else np.zeros(0)


def _code_regions(layer: Layer, identity: pd.DataFrame) -> np.ndarray:
    """Region index of each row of a table without geometry, from its region code."""
    from layers.region_codes import RegionCodes, parse_code

    column = _mapped(layer, "region_code")
    out = np.full(len(layer.data), -1, dtype=np.int64)
    if column is None:
        return out
    codes = RegionCodes(list(identity["code"]))
    values, distinct = pd.factorize(layer.data[column].astype("string"))
    found = np.full(len(distinct) + 1, -1, dtype=np.int64)  # last: a missing code
    for i, value in enumerate(distinct):
        code = parse_code(value)
        region = None if code is None else codes.match(code).region
        found[i] = -1 if region is None else region
    return found[values]


def read_records(
    layers: list[Layer],
    crs: Any,
    polygons: np.ndarray,
    identity: pd.DataFrame,
    period: TimeFilter | None,
    notes: list[str],
) -> pd.DataFrame:
    """One row per record kept (COLUMNS); notes say what was left out and why."""
    frames = []
    for layer in layers:
        gdf = layer_in_crs(layer, crs) if layer.geometry_kind == "point" else None
        n = len(layer.data)
        frame = pd.DataFrame(index=np.arange(n))
        frame["layer"] = layer.name
        action_col = _mapped(layer, "action_type")
        if action_col is None:
            frame["action"] = ActionType.ARREST.value
            notes.append(
                tr("Layer {n!r} has no action type mapped: every record counts as an arrest.")
                .format(n=layer.name)
            )  # fmt: skip
        else:
            frame["action"] = _per_distinct(
                layer.data[action_col], lambda v: classify_action(v).value
            )
        level_col = _mapped(layer, "target_level") or _mapped(layer, "offence")
        raw = (
            layer.data[level_col].astype(object).where(layer.data[level_col].notna(), "")
            if level_col
            else pd.Series([""] * n, dtype=object)
        )
        frame["raw_level"] = raw.map(lambda v: str(v).strip()).to_numpy()
        overrides = layer.mapping.values_for("target_level")
        frame["level"] = level_series(frame["raw_level"], overrides).to_numpy()
        persons_col = _mapped(layer, "persons")
        if persons_col is None:
            persons = np.ones(n)
        else:
            persons = pd.to_numeric(layer.data[persons_col], errors="coerce").to_numpy(float)
            persons = np.where(np.isfinite(persons) & (persons >= 0), persons, 1.0)
        frame["persons"] = np.where(frame["action"].isin(ARRESTING), persons, 0.0)
        drug_col = _mapped(layer, "drug")
        drugs = layer.mapping.values_for("drug")
        frame["drug"] = (
            _per_distinct(layer.data[drug_col], lambda v, d=drugs: classify_drug(v, d).value)
            if drug_col
            else "unclassified"
        )
        quantity_col = _mapped(layer, "quantity")
        unit_col = _mapped(layer, "quantity_unit")
        frame["grams"] = (
            _grams(layer.data[quantity_col], None if unit_col is None else layer.data[unit_col])
            if quantity_col
            else np.nan
        )
        frame["band"] = _per_distinct(
            pd.Series(frame["grams"].to_numpy()),
            lambda g: quantity_band(None if g is None or g != g else float(g)),
        )
        date_col = date_column(layer)
        dates = feature_dates(layer, date_col) if date_col else pd.Series(pd.NaT, index=frame.index)
        frame["date"] = pd.to_datetime(dates).to_numpy()
        frame["year"] = frame["date"].dt.year
        if gdf is not None:
            xy = point_coordinates(gdf)
            frame["x"], frame["y"] = xy[:, 0], xy[:, 1]
            frame["region"] = _point_regions(xy, polygons)
        else:
            frame["x"] = frame["y"] = np.nan
            frame["region"] = _code_regions(layer, identity)
        undated = frame["date"].isna().to_numpy()
        if undated.any():
            what = (
                tr("left out of the period {p}").format(p=period.label)
                if period is not None
                else tr("counted in the totals, in no year")
            )
            notes.append(
                tr("Layer {n!r}: {k} records have no date ({what}).")
                .format(n=layer.name, k=int(undated.sum()), what=what)
            )  # fmt: skip
        frames.append(frame[_in_period(frame["date"], period)])
    records = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    )
    outside = int((records["region"] < 0).sum()) if len(records) else 0
    if outside:
        notes.append(
            tr("{k} enforcement records lie in no region: counted in no region.").format(k=outside)
        )
    return records


def _point_regions(xy: np.ndarray, polygons: np.ndarray) -> np.ndarray:
    """Index of the region holding each point (−1 in none; the first of overlapping ones)."""
    poly_idx, point_idx = xy_polygon_pairs(xy[:, 0], xy[:, 1], polygons)
    region = np.full(len(xy), -1, dtype=np.int64)
    order = np.lexsort((poly_idx, point_idx))
    points, first = np.unique(point_idx[order], return_index=True)
    region[points] = poly_idx[order][first]
    return region


def _in_period(dates: pd.Series, period: TimeFilter | None) -> np.ndarray:
    if period is None:
        return np.ones(len(dates), dtype=bool)
    mask = dates.notna().to_numpy()
    if period.start is not None:
        mask &= (dates >= pd.Timestamp(period.start)).to_numpy()
    if period.end is not None:
        mask &= (dates < pd.Timestamp(period.end) + pd.Timedelta(days=1)).to_numpy()
    return mask


def period_span_years(period: TimeFilter | None, years: pd.Series) -> float:
    """Years a rate per year divides by: the period's length (2014–2023 is 10.0), else the
    records' span of calendar years; NaN without either."""
    if period is not None and period.start and period.end:
        return round(((period.end - period.start).days + 1) / 365.25, 2)
    known = years.dropna()
    return float(known.max() - known.min() + 1) if len(known) else float("nan")


def persons_by_level(records: pd.DataFrame, n: int) -> pd.DataFrame:
    """People arrested per region (rows 0..n-1) and target level (columns LEVEL_KEYS)."""
    arrests = records[(records["persons"] > 0) & (records["region"] >= 0)]
    table = arrests.pivot_table(
        index="region", columns="level", values="persons", aggfunc="sum", fill_value=0.0
    )
    return table.reindex(index=np.arange(n), columns=list(LEVEL_KEYS), fill_value=0.0).astype(float)


def seizures_per_region(records: pd.DataFrame, n: int) -> np.ndarray:
    """Seizure records per region (0..n-1): the one rule the enforcement analysis and the
    indicators count an enforcement layer's seizures by (a record of action type seizure)."""
    inside = records[(records["region"] >= 0) & (records["action"] == ActionType.SEIZURE.value)]
    return np.bincount(inside["region"].to_numpy(np.int64), minlength=n).astype(float)


def indicator_records(ctx: Any, out: pd.DataFrame) -> pd.DataFrame | None:
    """The indicators run's enforcement records, read once for every figure built on them
    (their notes said once); None when the project has no enforcement layer."""
    if not hasattr(ctx, "_enforcement_records"):
        layers = [
            layer for layer in ctx.by_role(Role.ENFORCEMENT) if layer.role == Role.ENFORCEMENT
        ]
        ctx._enforcement_records = (
            read_records(layers, ctx.crs, ctx.polys, out[["code"]], ctx.period, ctx.notes)
            if layers
            else None
        )
    return ctx._enforcement_records


def add_enforcement_indicators(ctx: Any, out: pd.DataFrame, population: np.ndarray) -> None:
    """The indicators' enforcement figures per region: people arrested per 100,000 per year and
    the share of them who were people who use drugs or small-scale suppliers. Enforcement
    outputs, not outcomes: outside the harm index unless --weights gives them a weight."""
    columns = ["arrests_per_100k", "low_level_arrest_share"]
    records = indicator_records(ctx, out)
    if records is None:
        ctx.missing(columns, out, tr("No enforcement actions layer: whom arrests hit is empty."))
        return
    levels = persons_by_level(records, ctx.n)
    persons = levels.sum(axis=1).to_numpy()
    span = period_span_years(ctx.period, records["year"])
    out["arrests_per_100k"] = per_100k(persons / span, population)
    with np.errstate(invalid="ignore", divide="ignore"):
        low = levels[list(LOW_KEYS)].sum(axis=1).to_numpy()
        out["low_level_arrest_share"] = np.where(persons > 0, low / persons, np.nan)
