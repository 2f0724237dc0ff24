"""Enforcement focus: whom and where enforcement hits, against where the harm is.

Per region (default: the project's finest administrative layer) and period (--years, else the
project's), from the project's enforcement records (analysis/enforcement_records.py), its
harm indicators (analysis/indicators.py, reused as they are) and its actor profile
(analysis/actors.py, reused as it is):

Whom arrests hit. People arrested per target level (persons-weighted: an operation or a
per-region row counts several people; layers/enforcement_levels.py reads the levels).
`low_level_share` = people who use drugs + small-scale supply over all people arrested,
`high_level_share` = trafficking + organised crime over all, `unclassified_share` the rest;
the denominator includes the unclassified, whose raw values are listed with their counts.
`low_level_share_trend`: least-squares slope of the yearly low-level share over the years of
the period with at least one arrest in the region (share points as a fraction, per year;
null with fewer than two such years). Positive: arrests drift towards the easiest to catch.

Seizures. Per region: seizure records, kilograms (records with a weight), records per quantity
band (under 100 g, 100 g to 10 kg, 10 kg to 1 t, 1 t or more, and no weight) and per drug
and band, and kilograms per drug.

Effort against harm. `arrests_per_100k`, `operations_per_100k` (operation records) and
`eradicated_ha_per_100k` (hectares eradicated, from the indicators) per 100,000 people per
year, over the indicators' population and the period's length in years.
`enforcement_intensity` = the mean of the three rates, each min-max scaled over the regions
(0–1; a rate no region has drops out; the harm index is built the same way). The harm is the
indicators' `harm_index` (with --weights as there) and its parts. Quadrants: intensity
above the median region's is *high*, at or below it *low*; the same for the harm index; so
`high_enforcement_low_harm` (effort where the harm is not), `low_enforcement_high_harm`
(harm without the effort), `high_enforcement_high_harm` and `low_enforcement_low_harm`. A
region without an intensity or a harm index has no quadrant. `spearman` is the rank
correlation (scipy.stats.spearmanr) of intensity and harm index over the regions with both:
near +1 the effort follows the harm, near 0 or below it does not.

Operations and the most harmful groups. The actor profile's most harmful groups per region
(--top; harm score = fatalities + civilian-targeting events), state forces left out (their
violence is the enforcement's own, shown by `analyze actors`). For each such group and
region: `operations_within_share`, the share of the region's operation records within
--distance-km of any of the group's violent events in the period (anywhere: the group's
violence does not stop at a border), and `events_within_share`, the share of the group's
events in the region with an operation within that distance. Distances are straight lines in
the project's metric CRS, found with a spatial index (shapely STRtree, nearest within the
distance), never a loop over records. The groups overall list the same over every region.
The table's `most_harmful_group` and `operations_near_group_share` are the first group's.

The indicators analysis shows `arrests_per_100k` and `low_level_arrest_share` (the same
reading of the records) beside its other enforcement outputs, outside the harm index unless
--weights gives them a weight.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analysis.base import Algorithm, AnalysisResult, Feedback, Output, Parameter, register
from analysis.common_parameters import PERIOD_YEARS, REPORT_REGIONS, TOP_GROUPS
from analysis.enforcement_records import (
    LEVEL_KEYS,
    LOW_KEYS,
    enforcement_layers,
    period_span_years,
    persons_by_level,
    read_records,
    seizures_per_region,
)
from analysis.hotspots import layer_in_crs
from analysis.indicator_catalogue import min_max, per_100k
from analysis.inputs import PROJECT_KEY, InputError
from analysis.outputs import to_json
from analysis.regions import choose_regions, region_identity
from layers.enforcement_levels import (
    HIGH_LEVELS,
    NO_WEIGHT_BAND,
    QUANTITY_BANDS,
    ActionType,
)
from layers.i18n import tr, tr_noop
from layers.timefilter import TimeFilter

BAND_KEYS = (*(b.key for b in QUANTITY_BANDS), NO_WEIGHT_BAND)
HIGH_KEYS = tuple(level.value for level in HIGH_LEVELS)
RATES = ("arrests_per_100k", "operations_per_100k", "eradicated_ha_per_100k")
QUADRANTS: dict[str, str] = {
    "high_enforcement_low_harm": tr_noop("High enforcement, low harm"),
    "low_enforcement_high_harm": tr_noop("Low enforcement, high harm"),
    "high_enforcement_high_harm": tr_noop("High enforcement, high harm"),
    "low_enforcement_low_harm": tr_noop("Low enforcement, low harm"),
}
# One colour per quadrant on the result layer and the briefing's chart.
QUADRANT_COLOURS = {
    "high_enforcement_low_harm": "#d95f02",  # effort where the harm is not
    "low_enforcement_high_harm": "#b2182b",  # harm without the effort
    "high_enforcement_high_harm": "#2166ac",  # effort and harm together
    "low_enforcement_low_harm": "#8c8c8c",
}
DEFAULT_DISTANCE_KM = 5.0


@dataclass
class Enforcement:
    """What compute_enforcement gives: a flat table (one row per region), the nested detail of
    each region, the groups overall and the correlation, with notes."""

    table: pd.DataFrame
    details: list[dict]
    groups: list[dict]
    spearman: dict
    thresholds: dict
    harm_parts: list[str]
    period: TimeFilter | None
    distance_km: float
    notes: list[str] = field(default_factory=list)


# --- pure pieces (tested by hand) -----------------------------------------------------------
def quadrants(intensity: np.ndarray, harm: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Quadrant key per region (None without both values) and the two medians it used: above
    the median is high, at or below it low."""
    intensity, harm = np.asarray(intensity, float), np.asarray(harm, float)
    both = np.isfinite(intensity) & np.isfinite(harm)
    out = np.full(len(intensity), None, dtype=object)
    if not both.any():
        return out, math.nan, math.nan
    mi, mh = float(np.median(intensity[both])), float(np.median(harm[both]))
    for i in np.flatnonzero(both):
        e = "high" if intensity[i] > mi else "low"
        h = "high" if harm[i] > mh else "low"
        out[i] = f"{e}_enforcement_{h}_harm"
    return out, mi, mh


def spearman(x: np.ndarray, y: np.ndarray) -> dict:
    """Spearman's rho and its p-value over the pairs with both values (None below 3 pairs or
    when either side is constant)."""
    from scipy.stats import spearmanr

    x, y = np.asarray(x, float), np.asarray(y, float)
    both = np.isfinite(x) & np.isfinite(y)
    n = int(both.sum())
    if n < 3 or np.ptp(x[both]) == 0 or np.ptp(y[both]) == 0:
        return {"rho": None, "p_value": None, "n": n}
    result = spearmanr(x[both], y[both])
    return {"rho": float(result.statistic), "p_value": float(result.pvalue), "n": n}


def intensity_index(rates: pd.DataFrame) -> np.ndarray:
    """Mean of the min-max scaled rates over the ones each region has (NaN with none)."""
    scaled = np.column_stack([min_max(rates[c].to_numpy(float)) for c in rates.columns])
    have = np.isfinite(scaled)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(have.any(axis=1), np.nansum(scaled, axis=1) / have.sum(axis=1), np.nan)


def share_slope(low: np.ndarray, total: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Per row (region × year matrices): least-squares slope of low/total over the years with
    total > 0; NaN with fewer than two such years."""
    low, total = np.asarray(low, float), np.asarray(total, float)
    ok = total > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(ok, low / np.where(ok, total, 1), 0.0)
        t = np.broadcast_to(np.asarray(years, float), share.shape)
        k = ok.sum(axis=1)
        t_mean = (t * ok).sum(axis=1) / k
        s_mean = (share * ok).sum(axis=1) / k
        dt = (t - t_mean[:, None]) * ok
        slope = (dt * (share - s_mean[:, None])).sum(axis=1) / (dt * dt).sum(axis=1)
    return np.where(k >= 2, slope, np.nan)


def within(points: np.ndarray, targets: np.ndarray, metres: float) -> np.ndarray:
    """For each point (n × 2), whether any target (m × 2) lies within `metres` (STRtree)."""
    out = np.zeros(len(points), dtype=bool)
    if not len(points) or not len(targets):
        return out
    tree = shapely.STRtree(shapely.points(targets))
    hit = tree.query_nearest(shapely.points(points), max_distance=metres, all_matches=False)
    out[np.unique(hit[0])] = True
    return out


# --- the computation ------------------------------------------------------------------------
def compute_enforcement(
    project: Any,
    regions_layer: Any = None,
    years: str | TimeFilter | None = None,
    distance_km: float = DEFAULT_DISTANCE_KM,
    top: int = 3,
    weights: str | dict | None = None,
    feedback: Feedback | None = None,
    indicators: pd.DataFrame | None = None,
) -> Enforcement:
    """The enforcement focus per region. `indicators`: the indicator table of the same regions
    and period when the caller has it (the briefing pack), else computed here."""
    from analysis.indicators import compute_indicators

    feedback = feedback or Feedback()
    period = years if isinstance(years, TimeFilter) else TimeFilter.parse(years)
    period = period if period is not None else project.time_filter
    if distance_km is None or not distance_km > 0:
        raise InputError(tr("--distance-km must be more than 0, not {v}.").format(v=distance_km))
    layers = enforcement_layers(project)
    if not layers:
        raise InputError(
            tr(
                "No enforcement actions: add a layer of arrests, seizures or operations and "
                "give it the role Enforcement actions (docs/enforcement.md)."
            )
        )
    chosen = choose_regions(project, regions_layer)
    crs = project.metric_crs
    identity = region_identity(chosen).reset_index(drop=True)
    n = len(identity)
    notes: list[str] = []
    if indicators is None:
        indicators = compute_indicators(
            project, chosen, period, weights, feedback.part(0, 60), notes=notes
        )
    ind = _aligned(indicators, identity)
    feedback.set_progress(60, tr("Reading the enforcement records"))
    polygons = np.asarray(layer_in_crs(chosen, crs).geometry.values)
    records = read_records(layers, crs, polygons, identity, period, notes)
    if records.empty:
        notes.append(
            tr("No enforcement records in the period {p}: every count is 0.").format(
                p=period.label if period else tr("all dates")
            )
        )
    feedback.check()
    out = identity.copy()
    out["population"] = _column(ind, "population")
    levels = persons_by_level(records, n)
    persons = levels.sum(axis=1).to_numpy()
    out["arrests"] = persons
    for key in LEVEL_KEYS:
        out[f"arrests_{key}"] = levels[key].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        for name, keys in (("low_level_share", LOW_KEYS), ("high_level_share", HIGH_KEYS),
                           ("unclassified_share", ("unclassified",))):  # fmt: skip
            part = levels[list(keys)].sum(axis=1).to_numpy()
            out[name] = np.where(persons > 0, part / persons, np.nan)
    out["low_level_share_trend"] = _share_trend(records, period, n)
    inside = records[records["region"] >= 0]
    is_op = inside["action"].to_numpy() == ActionType.OPERATION.value
    out["operations"] = np.bincount(inside["region"][is_op], minlength=n).astype(float)
    seizures = inside[inside["action"] == ActionType.SEIZURE.value]
    out["seizures"] = seizures_per_region(records, n)
    out["seized_kg"] = (
        np.bincount(seizures["region"], np.nan_to_num(seizures["grams"].to_numpy(float)), n) / 1e3
    )
    span = period_span_years(period, records["year"])
    out["arrests_per_100k"] = per_100k(persons / span, out["population"])
    out["operations_per_100k"] = per_100k(out["operations"] / span, out["population"])
    eradicated = _column(ind, "eradicated_ha")
    out["eradicated_ha_per_100k"] = per_100k(eradicated / span, out["population"])
    if not np.isfinite(out["population"]).any():
        notes.append(tr("No population: the rates per 100,000 and the quadrants are empty."))
    out["enforcement_intensity"] = intensity_index(out[list(RATES)])
    harm_parts = [c for c in indicators.attrs.get("index_uses", []) if c in ind.columns]
    out["harm_index"] = _column(ind, "harm_index")
    for column in harm_parts:
        out[f"harm_{column}"] = pd.to_numeric(ind[column], errors="coerce").to_numpy(float)
    out["quadrant"], mi, mh = quadrants(out["enforcement_intensity"], out["harm_index"])
    rho = spearman(out["enforcement_intensity"], out["harm_index"])
    feedback.set_progress(75, tr("Profiling the armed groups"))
    per_region, groups = _groups(project, records, identity, polygons, crs, period, top,
                                 distance_km * 1000.0, notes)  # fmt: skip
    first = [rows[0] if rows else None for rows in per_region]
    out["most_harmful_group"] = [g["actor"] if g else None for g in first]
    out["operations_near_group_share"] = [
        g["operations_within_share"] if g else np.nan for g in first
    ]
    details = _details(out, records, per_region, harm_parts)
    return Enforcement(
        table=out,
        details=details,
        groups=groups,
        spearman=rho,
        thresholds={"enforcement_intensity_median": mi, "harm_index_median": mh},
        harm_parts=harm_parts,
        period=period,
        distance_km=float(distance_km),
        notes=notes,
    )


def _aligned(indicators: pd.DataFrame, identity: pd.DataFrame) -> pd.DataFrame:
    """The indicator rows in the order of `identity`, by region code."""
    frame = indicators.copy()
    key = frame["code"] if "code" in frame.columns else pd.Series(frame.index, index=frame.index)
    frame.index = key.astype(str).str.strip().str.upper().to_numpy()
    wanted = identity["code"].astype(str).str.strip().str.upper()
    return frame[~frame.index.duplicated()].reindex(wanted.to_numpy())


def _column(frame: pd.DataFrame, column: str) -> np.ndarray:
    """A numeric column of the indicator table, NaN when it has none (a table of a subset)."""
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(float)


def _share_trend(records: pd.DataFrame, period: TimeFilter | None, n: int) -> np.ndarray:
    arrests = records[(records["persons"] > 0) & (records["region"] >= 0)]
    arrests = arrests[arrests["year"].notna()]
    if arrests.empty:
        return np.full(n, np.nan)
    first = period.start.year if period and period.start else int(arrests["year"].min())
    last = period.end.year if period and period.end else int(arrests["year"].max())
    years = np.arange(first, last + 1)
    low = arrests["persons"].where(arrests["level"].isin(LOW_KEYS), 0.0)
    frame = pd.DataFrame({"region": arrests["region"], "year": arrests["year"].astype(int)})
    shape = {"index": np.arange(n), "columns": years, "fill_value": 0.0}
    total = arrests["persons"].groupby([frame["region"], frame["year"]]).sum().unstack()
    lows = low.groupby([frame["region"], frame["year"]]).sum().unstack()
    total = total.reindex(**shape).fillna(0.0).to_numpy()
    lows = lows.reindex(**shape).fillna(0.0).to_numpy()
    return share_slope(lows, total, years)


def _groups(
    project: Any,
    records: pd.DataFrame,
    identity: pd.DataFrame,
    polygons: np.ndarray,
    crs: Any,
    period: TimeFilter | None,
    top: int,
    metres: float,
    notes: list[str],
) -> tuple[list[list[dict]], list[dict]]:
    """Per region, its most harmful groups with the operations near them; the groups overall."""
    from analysis.actors import actor_profile, assign_regions, events_layer, prepare_events

    n = len(identity)
    try:
        layer = events_layer(project, None)
        events = prepare_events(layer, crs, period, None, [])
    except InputError as exc:
        notes.append(tr("No actor profile ({e}): operations are not set against groups.").format(
            e=exc))  # fmt: skip
        return [[] for _ in range(n)], []
    events["region"] = assign_regions(events, polygons)
    per, overall, _ = actor_profile(events, identity, period, top)
    ops = records[(records["action"] == ActionType.OPERATION.value)]
    located = np.isfinite(ops["x"].to_numpy(float))
    if (~located).any():
        notes.append(tr("{k} operations have no point: not set against the groups.").format(
            k=int((~located).sum())))  # fmt: skip
    ops = ops[located]
    op_xy = ops[["x", "y"]].to_numpy(float)
    op_region = ops["region"].to_numpy()
    # State forces are the enforcement itself: their violence is shown by `analyze actors`,
    # not set against the operations.
    listed = per[per["most_harmful"] & ~per["state_forces"]]
    near_ops: dict[str, np.ndarray] = {}
    near_events: dict[str, np.ndarray] = {}
    # Per group: operations and its events per region, and how many are near, counted with
    # bincount once (a mask per region and group cost 7 s on 1,100 regions).
    counts: dict[str, tuple[np.ndarray, ...]] = {}
    ops_per_region = np.bincount(op_region[op_region >= 0], minlength=n)
    event_keys = events["key"].to_numpy(dtype=object)
    region_of_event = events["region"].to_numpy()
    for key in pd.unique(listed["key"]):  # a few groups; each query is vectorised
        mine = event_keys == key
        xy = events.loc[mine, ["x", "y"]].to_numpy(float)
        near_ops[key] = within(op_xy, xy, metres)
        near_events[key] = within(xy, op_xy, metres)
        ev_region = region_of_event[mine]
        counts[key] = (
            np.bincount(op_region[(op_region >= 0) & near_ops[key]], minlength=n),
            np.bincount(ev_region[ev_region >= 0], minlength=n),
            np.bincount(ev_region[(ev_region >= 0) & near_events[key]], minlength=n),
        )
    per_region: list[list[dict]] = [[] for _ in range(n)]
    for row in listed.sort_values(["region", "rank"]).to_dict(orient="records"):
        r, key = int(row["region"]), row["key"]
        ops_near, events_in, events_near = (int(c[r]) for c in counts[key])
        ops_in = int(ops_per_region[r])
        per_region[r].append(
            {
                **_group_fields(row),
                "operations": ops_in,
                "operations_within": ops_near,
                "operations_within_share": ops_near / ops_in if ops_in else None,
                "events_within_share": events_near / events_in if events_in else None,
            }
        )
    groups = []
    for row in overall[overall["key"].isin(list(near_ops))].to_dict(orient="records"):
        key = row["key"]
        groups.append(
            {
                **_group_fields(row),
                "regions": [str(c) for c in row.get("regions") or []],
                "operations": len(op_xy),
                "operations_within": int(near_ops[key].sum()),
                "operations_within_share": _share(near_ops[key]),
                "events_within_share": _share(near_events[key]),
            }
        )
    return per_region, groups


def _share(mask: np.ndarray) -> float | None:
    return float(mask.mean()) if len(mask) else None


def _group_fields(row: dict) -> dict:
    keep = ("actor", "actor_type", "rank", "events", "fatalities", "civilian_events",
            "civilian_share", "harm_score", "trend_per_year")  # fmt: skip
    out = {k: to_json(row.get(k)) for k in keep}
    out["examples"] = [{k: to_json(v) for k, v in e.items()} for e in (row.get("examples") or [])]
    return out


def _details(
    out: pd.DataFrame, records: pd.DataFrame, per_region: list[list[dict]], harm_parts: list[str]
) -> list[dict]:
    """The nested figures of each region: levels, unclassified values, seizures, groups."""
    inside = records[records["region"] >= 0]
    arrests = inside[inside["persons"] > 0]
    unclassified = (
        arrests[arrests["level"] == "unclassified"]
        .groupby(["region", "raw_level"])["persons"].agg(["size", "sum"]).reset_index()
        .sort_values(["region", "sum", "raw_level"], ascending=[True, False, True])
    )  # fmt: skip
    seizures = inside[inside["action"] == ActionType.SEIZURE.value]
    bands = seizures.groupby(["region", "band"]).size()
    by_band = {r: g.droplevel(0).to_dict() for r, g in bands.groupby(level=0)}
    drug_bands = seizures.groupby(["region", "drug", "band"]).size()
    by_drug_band: dict[int, dict[str, dict[str, int]]] = {}
    for (r, drug, band), k in drug_bands.items():
        by_drug_band.setdefault(int(r), {}).setdefault(str(drug), dict.fromkeys(BAND_KEYS, 0))[
            str(band)
        ] = int(k)
    drug_kg = seizures.groupby(["region", "drug"])["grams"].sum() / 1e3
    kg: dict[int, dict[str, float]] = {}
    for (r, drug), v in drug_kg.items():
        kg.setdefault(int(r), {})[str(drug)] = round(float(v), 3)
    listed_unclassified = {r: g for r, g in unclassified.groupby("region")}
    levels = {k: out[f"arrests_{k}"].to_numpy(float) for k in LEVEL_KEYS}
    parts = {c: out[f"harm_{c}"].to_numpy(float) for c in harm_parts}  # .at per cell: 0.5 s
    details = []
    for i in range(len(out)):
        u = listed_unclassified.get(i)
        mine = by_band.get(i, {})
        details.append(
            {
                "arrests_by_level": {k: float(v[i]) for k, v in levels.items()},
                "unclassified_values": []
                if u is None
                else [
                    {"value": v or tr("(empty)"), "records": int(c), "persons": float(p)}
                    for v, c, p in zip(u["raw_level"], u["size"], u["sum"], strict=True)
                ],
                "seizures_by_band": {b: int(mine.get(b, 0)) for b in BAND_KEYS},
                "seizures_by_drug_band": by_drug_band.get(i, {}),
                "seized_kg_by_drug": kg.get(i, {}),
                "harm_parts": {c: to_json(v[i]) for c, v in parts.items()},
                "groups": per_region[i],
            }
        )
    return details


# --- the analysis ---------------------------------------------------------------------------
# The figures a reader looks for first (the text summary shows the first columns), then the rest.
FLAT = ("low_level_share", "high_level_share", "quadrant", "arrests", "operations", "seizures",
        "seized_kg", "enforcement_intensity", "harm_index", "most_harmful_group",
        "operations_near_group_share", "unclassified_share", "low_level_share_trend",
        *(f"arrests_{k}" for k in LEVEL_KEYS), *RATES, "population")  # fmt: skip


@register
class EnforcementFocus(Algorithm):
    id = "enforcement"
    project_roles = ("*",)  # the indicators' layers, the enforcement records, the events
    title = tr_noop("Enforcement focus: whom and where enforcement hits")
    help = tr_noop(
        "Per region and period: the share of people arrested who use drugs or supply at "
        "small scale versus traffickers and organised crime (and its trend), seizures by drug "
        "and quantity band, enforcement intensity (arrests, operations and hectares "
        "eradicated per 100,000) against the harm index in quadrants with a rank correlation, "
        "and the share of operations within a distance of the most harmful groups' violence. "
        "Needs a project with an enforcement actions layer."
    )
    parameters = (
        REPORT_REGIONS,
        PERIOD_YEARS,
        Parameter(
            "distance_km",
            "number",
            tr_noop(
                "An operation is near a group when it lies within this many km of one of "
                "the group's violent events."
            ),  # fmt: skip
            default=DEFAULT_DISTANCE_KM,
            label=tr_noop("Operation near a group within (km)"),
        ),
        TOP_GROUPS,
        Parameter(
            "weights",
            "string",
            tr_noop("Harm index weights as key=value,... (as for the indicators analysis)."),
        ),
    )
    outputs = (
        Output("regions", "layer", tr_noop("Regions with their enforcement figures and quadrant.")),
        Output("table", "table", tr_noop("One row per region: whom, what and where.")),
        Output("summary", "summary", tr_noop("Regions with every figure, groups, correlation.")),
    )

    def run(self, params: dict, feedback: Feedback) -> AnalysisResult:
        project = params.get(PROJECT_KEY)
        if project is None:
            raise InputError(
                tr(
                    "The enforcement analysis needs a project: give --project PATH (e.g. the "
                    "sample)."
                )  # fmt: skip
            )
        top = 3 if params.get("top") is None else int(params["top"])
        if top < 1:
            raise InputError(tr("--top must be 1 or more, not {v}.").format(v=top))
        distance = params.get("distance_km")
        result = compute_enforcement(
            project,
            params.get("regions_layer"),
            params.get("years"),
            DEFAULT_DISTANCE_KM if distance is None else float(distance),
            top,
            params.get("weights"),
            feedback,
        )
        return enforcement_result(project, params.get("regions_layer"), result)


def enforcement_result(project: Any, regions_layer: Any, e: Enforcement) -> AnalysisResult:
    """The analysis' result: summary (JSON), the regions layer and the table."""
    table = e.table[["code", "name", *FLAT]].copy()
    records = []
    for i, row in enumerate(table.to_dict(orient="records")):
        records.append({k: to_json(v) for k, v in row.items()} | e.details[i])
    quadrant_codes = {q: table.loc[table["quadrant"] == q, "code"].tolist() for q in QUADRANTS}
    # The JSON keeps the keys; the table and the layer (legend, results panel) say the words.
    table["quadrant"] = [tr(QUADRANTS[q]) if q in QUADRANTS else None for q in table["quadrant"]]
    summary = {
        "period": e.period.label if e.period else None,
        "distance_km": e.distance_km,
        "regions": records,
        "spearman": e.spearman,
        "thresholds": {k: to_json(v) for k, v in e.thresholds.items()},
        "quadrants": quadrant_codes,
        "quadrant_labels": {q: tr(label) for q, label in QUADRANTS.items()},
        "harm_parts": e.harm_parts,
        "groups": e.groups,
    }  # the notes: AnalysisResult.notes (--json adds them)
    chosen = choose_regions(project, regions_layer)
    geometry = layer_in_crs(chosen, project.metric_crs).reset_index(drop=True).geometry
    layer = gpd.GeoDataFrame(table.reset_index(drop=True), geometry=geometry.values,
                             crs=project.metric_crs)  # fmt: skip
    return AnalysisResult(
        summary=summary,
        layers={"regions": layer},
        table=table.reset_index(drop=True),
        notes=list(e.notes),
        styles={
            "regions": {
                "field": "quadrant",
                "kind": "categorized",
                "categories": {tr(QUADRANTS[q]): c for q, c in QUADRANT_COLOURS.items()},
            }
        },
    )
