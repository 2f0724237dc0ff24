"""Actor profile of violence: which groups commit the violence in each region and period,
against whom, growing or fading, where, and which are the most harmful.

Events: the project's violence layer (ACLED export) or --events, inside the period (--years,
else the project's period; undated events are left out), of the event types in
--event-types (default ACLED's political violence: Battles, Explosions/Remote violence,
Violence against civilians; `all` keeps every type; a layer without an event type keeps all).

Perpetrator: the event's first actor (actor1). ACLED's codebook warns that actor 1 and actor 2
do not say who attacked whom; in violence against civilians the civilians are always actor 2,
so actor 1 is the perpetrator, while in a battle both sides fought and the battle is credited
to actor 1 only. Names are grouped without regard to case, accents and repeated blanks
("Clan del Caguará" and "clan del  caguara" are one group, shown in its most frequent
spelling). Actor type: ACLED's inter1 code, numeric (1 State forces, 2 Rebel groups,
3 Political militias, 4 Identity militias, 5 Rioters, 6 Protesters, 7 Civilians,
8 External/Other forces) or text ("Rebel group") as newer exports write it; without inter1,
"Military/Police Forces of ..." are state forces and the rest "type not given". A group's
type is the one most of its events give. State forces stay in every table, labelled
`state_forces`; ACLED's "Unidentified Armed Group (...)" pools every perpetrator nobody named,
so it stays in the tables, labelled `unidentified`, but is never listed among the most
harmful groups.

Civilian targeting: ACLED's `civilian_targeting` column ("Civilian targeting", else blank)
when the file has it; otherwise an event targets civilians when its second actor is civilians
(inter2 = 7 or "Civilians", or an actor2 named "Civilians (...)"). Civilian share = a group's
events that targeted civilians / its events.

Region: the region (polygon of --regions-layer, default the project's finest administrative
layer) that holds the event's point; events outside every region count in the groups' overall
figures but in no region.

Trend: events per calendar year over the period's years (years without events count 0):
`trend_per_year` is the least-squares slope (events per year, per year); `first_half` and
`second_half` are the events in the first and the last half of the years (the middle year of
an odd number of years is in neither), `change` = second_half − first_half. Undefined (null)
when the period covers fewer than two years.

Area of activity (groups): the regions where the group has events, most events first, and
`area_km2`, the area of the convex hull of its event points in the project's metric CRS
(0 when its events lie at fewer than three places not on one line).

Harm score = fatalities + events that targeted civilians (one reported death and one attack
on civilians weigh the same). Groups are ranked by it in each region (ties: more events first,
then the name); `most_harmful` lists the first --top groups with a score above 0, each with
its evidence: counts and up to three example events (id, date, fatalities, event type), the
deadliest first.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analysis.actor_codes import (
    STATE_FORCES,
    actor_columns,
    civilian_targeting,
    inter_codes,
    inter_label,
    plain_text,
    unidentified,
)
from analysis.base import Algorithm, AnalysisResult, Feedback, Output, Parameter, register
from analysis.common_parameters import PERIOD_YEARS, REPORT_REGIONS, TOP_GROUPS
from analysis.count import xy_polygon_pairs
from analysis.hotspots import layer_in_crs, point_coordinates
from analysis.inputs import PROJECT_KEY, InputError, date_column, feature_dates, run_crs
from analysis.regions import choose_regions, largest_layer, region_identity
from layers.i18n import tr, tr_noop, trn
from layers.layer import Layer
from layers.numbers import number
from layers.roles import Role
from layers.timefilter import TimeFilter

POLITICAL_VIOLENCE = "Battles,Explosions/Remote violence,Violence against civilians"
EXAMPLES = 3  # example events listed as evidence per group


# --- the events -----------------------------------------------------------------------------
def events_layer(project: Any, given: Layer | None) -> Layer:
    """The layer given, else the project's violence point layer with the most events."""
    if given is not None:
        return given
    return largest_layer(
        project,
        Role.VIOLENCE,
        "point",
        tr(
            "No violence events: give --events (an ACLED export) or a project with a "
            "violence layer (--project P)."
        ),
    )


def period_of(text: str | None, project: Any) -> TimeFilter | None:
    """--years, else the project's period, else None (every date)."""
    period = TimeFilter.parse(text)
    if period is None and project is not None:
        period = project.time_filter
    return period


def prepare_events(
    layer: Layer,
    crs: Any,
    period: TimeFilter | None,
    event_types: str | None,
    notes: list[str],
) -> pd.DataFrame:
    """One row per event kept: actor key and name, type, year, date, fatalities, civilian,
    id, event type, x, y (metric). Raises InputError when none is left, saying why."""
    columns = actor_columns(layer)
    if "actor1" not in columns:
        raise InputError(
            tr(
                "Layer {n!r} has no actor column: map its perpetrator column to actor1 in the "
                "layer's fields (ACLED exports call it actor1)."
            ).format(n=layer.name)
        )
    gdf = layer_in_crs(layer, crs)
    data = pd.DataFrame(index=np.arange(len(gdf)))
    # Each distinct name is cleaned once: str accessors over 10^5 rows took ~1 s.
    codes, distinct = pd.factorize(gdf[columns["actor1"]].astype("string"))
    shown = pd.Series([" ".join(str(v).split()) for v in distinct], dtype="string")
    data["name"] = np.append(shown.to_numpy(dtype=object), None)[codes]
    data["key"] = np.append(plain_text(shown).to_numpy(dtype=object), None)[codes]
    inter = gdf[columns["inter1"]] if "inter1" in columns else None
    data["inter"] = inter_codes(inter, gdf[columns["actor1"]])
    civilian, source = civilian_targeting(gdf, columns)
    data["civilian"] = civilian
    if "fatalities" in columns:
        fatalities = pd.to_numeric(gdf[columns["fatalities"]], errors="coerce")
        data["fatalities"] = fatalities.fillna(0).clip(lower=0).to_numpy()
    else:
        data["fatalities"] = 0.0
        notes.append(tr("The events carry no fatalities: the harm score counts attacks only."))
    ids = gdf[columns["event_id"]].astype("string") if "event_id" in columns else None
    data["event_id"] = (
        ids.to_numpy() if ids is not None else np.array([f"#{i + 1}" for i in range(len(gdf))])
    )
    etype = gdf[columns["event_type"]].astype("string") if "event_type" in columns else None
    data["event_type"] = etype.to_numpy() if etype is not None else ""
    xy = point_coordinates(gdf)
    data["x"], data["y"] = xy[:, 0], xy[:, 1]
    date_col = date_column(layer)
    if date_col is None:
        raise InputError(
            tr("Layer {n!r} has no mapped date: the actor profile needs each event's date.").format(
                n=layer.name
            )
        )
    dates = feature_dates(gdf, date_col)
    data["date"] = dates.to_numpy()
    n_read = len(data)
    keep = data["key"].notna().to_numpy() & (data["key"].fillna("") != "").to_numpy()
    if not keep.all():
        notes.append(tr("{k} events have no actor1 and are left out.").format(k=int((~keep).sum())))
    keep &= _type_mask(data["event_type"], etype is not None, event_types, notes)
    dated = data["date"].notna().to_numpy()
    if not dated.all():
        notes.append(tr("{k} events have no date and are left out.").format(k=int((~dated).sum())))
    in_period = dated & _period_mask(data["date"], period)
    kept = data[keep & in_period].reset_index(drop=True)
    if kept.empty:
        raise InputError(_nothing_left(layer, data, keep, dated, period))
    kept["year"] = kept["date"].dt.year.astype(int)
    notes.append(
        tr("{k} of {n} events kept (period {p}); civilian targeting from {s}.").format(
            k=number(len(kept)),
            n=number(n_read),
            p=period.label if period else tr("all dates"),
            s=_source(source),
        )
    )
    return kept


def _source(source: str) -> str:
    if source == "column":
        return tr("the civilian_targeting column")
    if source == "none":
        return tr("nothing (no civilian_targeting, actor2 or inter2 column): shares are 0")
    return tr("the second actor ({c})").format(c=source.replace("+", ", "))


def _type_mask(
    types: pd.Series, has_column: bool, wanted: str | None, notes: list[str]
) -> np.ndarray:
    """Events of the wanted types (ACLED's event_type, compared without case or accents)."""
    text = str(wanted or POLITICAL_VIOLENCE).strip()
    if text.lower() == "all":
        return np.ones(len(types), dtype=bool)
    if not has_column:
        notes.append(tr("The events have no event type: every event is counted."))
        return np.ones(len(types), dtype=bool)
    chosen = set(plain_text(pd.Series([t for t in text.split(",") if t.strip()])))
    return plain_text(types).isin(chosen).fillna(False).to_numpy(dtype=bool)


def _period_mask(dates: pd.Series, period: TimeFilter | None) -> np.ndarray:
    mask = np.ones(len(dates), dtype=bool)
    if period is None:
        return mask
    if period.start is not None:
        mask &= (dates >= pd.Timestamp(period.start)).to_numpy()
    if period.end is not None:
        mask &= (dates < pd.Timestamp(period.end) + pd.Timedelta(days=1)).to_numpy()
    return mask


def _nothing_left(
    layer: Layer, data: pd.DataFrame, keep: np.ndarray, dated: np.ndarray, period: Any
) -> str:
    """Why no event is left: no actor, no event of the types, or none in the period."""
    usable = keep & dated
    if not usable.any():
        types = sorted({str(t) for t in pd.unique(data["event_type"]) if not pd.isna(t) and t})
        return tr(
            "Layer {n!r}: no dated event with an actor of the chosen event types "
            "(--event-types; `all` keeps every type). Its types: {types}."
        ).format(n=layer.name, types=", ".join(types[:12]) or "-")
    first, last = data["date"][usable].min(), data["date"][usable].max()
    return tr(
        "No events with an actor in the period {p}: layer {n!r} has them from {a} to {b}. "
        "Choose a period in that span with --years."
    ).format(p=period.label, n=layer.name, a=first.date().isoformat(), b=last.date().isoformat())


# --- the figures ----------------------------------------------------------------------------
def assign_regions(events: pd.DataFrame, polygons: np.ndarray) -> np.ndarray:
    """Index of the region holding each event (−1 in none; the first of overlapping ones)."""
    poly_idx, point_idx = xy_polygon_pairs(events["x"].to_numpy(), events["y"].to_numpy(), polygons)
    region = np.full(len(events), -1, dtype=np.int64)
    order = np.lexsort((poly_idx, point_idx))  # per point, the lowest region index first
    points, first = np.unique(point_idx[order], return_index=True)
    region[points] = poly_idx[order][first]
    return region


def trend_years(period: TimeFilter | None, years: pd.Series) -> np.ndarray:
    """The calendar years the trend runs over: the period's, else the events' span."""
    first = period.start.year if period and period.start else int(years.min())
    last = period.end.year if period and period.end else int(years.max())
    return np.arange(first, last + 1)


def yearly_trends(events: pd.DataFrame, keys: list[str], years: np.ndarray) -> pd.DataFrame:
    """Per group of `keys`: least-squares slope of events per year, first/second half events."""
    counts = events.groupby([*keys, "year"]).size().unstack("year", fill_value=0)
    counts = counts.reindex(columns=years, fill_value=0)
    c = counts.to_numpy(dtype=float)
    out = pd.DataFrame(index=counts.index)
    half = len(years) // 2
    if len(years) < 2:
        out["trend_per_year"] = np.nan
        out["first_half"] = np.nan
        out["second_half"] = np.nan
        out["change"] = np.nan
        return out
    t = years.astype(float) - years.mean()
    out["trend_per_year"] = (c - c.mean(axis=1, keepdims=True)) @ t / float(t @ t)
    out["first_half"] = c[:, :half].sum(axis=1).astype(np.int64)
    out["second_half"] = c[:, len(years) - half :].sum(axis=1).astype(np.int64)
    out["change"] = out["second_half"] - out["first_half"]
    return out


def group_figures(events: pd.DataFrame, keys: list[str], years: np.ndarray) -> pd.DataFrame:
    """Events, fatalities, civilian events and share, harm score, first/last date and trend per
    group of `keys` (which end with the actor key)."""
    grouped = events.groupby(keys, sort=False)
    out = grouped.agg(
        events=("key", "size"),
        fatalities=("fatalities", "sum"),
        civilian_events=("civilian", "sum"),
        first_date=("date", "min"),
        last_date=("date", "max"),
    )
    out["civilian_share"] = out["civilian_events"] / out["events"]
    out["harm_score"] = out["fatalities"] + out["civilian_events"]
    return out.join(yearly_trends(events, keys, years))


def actor_identity(events: pd.DataFrame) -> pd.DataFrame:
    """Per actor key: the most frequent spelling, the most frequent inter code, labels."""
    spelling = (
        events.groupby(["key", "name"]).size().rename("n").reset_index()
        .sort_values(["key", "n", "name"], ascending=[True, False, True])
        .drop_duplicates("key").set_index("key")["name"]
    )  # fmt: skip
    inter = (
        events.groupby(["key", "inter"]).size().rename("n").reset_index()
        .sort_values(["key", "n", "inter"], ascending=[True, False, False])
        .drop_duplicates("key").set_index("key")["inter"]
    )  # fmt: skip
    out = pd.DataFrame({"actor": spelling, "inter": inter})
    out["actor_type"] = [inter_label(code) for code in out["inter"]]  # one per group, not event
    out["state_forces"] = out["inter"].to_numpy() == STATE_FORCES
    out["unidentified"] = unidentified(out["actor"])
    return out


def examples(events: pd.DataFrame, keys: list[str]) -> pd.Series:
    """Up to EXAMPLES evidence events per group of `keys`, the deadliest (then earliest) first.

    Sorted on integer codes with np.lexsort and cut by position in the group: sorting and
    grouping 10^5 rows on text keys took ~0.4 s a call."""
    codes = [pd.factorize(events[k])[0] for k in keys]
    order = np.lexsort(
        (events["date"].to_numpy(), -events["fatalities"].to_numpy(), *reversed(codes))
    )
    group = np.zeros(len(events), dtype=np.int64)
    for c in codes:  # one integer per group of keys
        group = group * (int(c.max()) + 1 if len(c) else 1) + c
    group = group[order]
    starts = np.r_[True, group[1:] != group[:-1]] if len(group) else np.zeros(0, dtype=bool)
    position = np.arange(len(group))
    within = position - np.maximum.accumulate(np.where(starts, position, 0))
    top = events.iloc[order[within < EXAMPLES]]
    records = pd.DataFrame(
        {
            "event_id": top["event_id"].to_numpy(),
            "date": top["date"].dt.strftime("%Y-%m-%d").to_numpy(),
            "fatalities": top["fatalities"].to_numpy(),
            "event_type": top["event_type"].to_numpy(),
            "civilian_targeting": top["civilian"].to_numpy(),
        }
    ).to_dict(orient="records")
    listed: dict[Any, list[dict]] = {}
    for key, record in zip(
        zip(*(top[k].to_numpy() for k in keys), strict=True), records, strict=True
    ):
        listed.setdefault(key if len(keys) > 1 else key[0], []).append(record)
    index = (
        pd.MultiIndex.from_tuples(list(listed), names=keys)
        if len(keys) > 1
        else pd.Index(list(listed), name=keys[0])
    )
    return pd.Series(list(listed.values()), index=index, dtype=object)


def activity_areas(events: pd.DataFrame, region_codes: np.ndarray) -> pd.DataFrame:
    """Per actor key: convex hull of its events (metric CRS), its km², the regions it is active
    in (most events first)."""
    keys, codes = np.unique(events["key"].to_numpy(dtype=object).astype(str), return_inverse=True)
    ok = np.isfinite(events["x"].to_numpy()) & np.isfinite(events["y"].to_numpy())
    order = np.argsort(codes[ok], kind="stable")
    xy = events[["x", "y"]].to_numpy()[ok][order]
    hulls = np.full(len(keys), None, dtype=object)
    present = np.unique(codes[ok])
    if len(xy):
        parts = shapely.multipoints(xy, indices=np.searchsorted(present, codes[ok][order]))
        hulls[present] = shapely.convex_hull(parts)
    area = np.where(
        pd.isna(hulls), 0.0, shapely.area(np.where(pd.isna(hulls), shapely.Point(), hulls))
    )
    inside = events[events["region"] >= 0]
    per_region = (
        inside.groupby(["key", "region"]).size().rename("n").reset_index()
        .sort_values(["key", "n", "region"], ascending=[True, False, True])
    )  # fmt: skip
    per_region["code"] = region_codes[per_region["region"].to_numpy()]
    regions = per_region.groupby("key", sort=False)["code"].agg(list)
    out = pd.DataFrame({"area_km2": area / 1e6, "hull": hulls}, index=pd.Index(keys, name="key"))
    out["regions"] = regions.reindex(out.index)
    out["regions"] = [v if isinstance(v, list) else [] for v in out["regions"]]
    out["region_count"] = [len(v) for v in out["regions"]]
    return out


def rank_within(frame: pd.DataFrame, by: str | None) -> pd.DataFrame:
    """Sort by harm score (then events, then name) and number 1, 2, … within `by`."""
    keys = ([by] if by else []) + ["harm_score", "events", "actor"]
    ascending = ([True] if by else []) + [False, False, True]
    ranked = frame.sort_values(keys, ascending=ascending, kind="stable")
    ranked["rank"] = (ranked.groupby(by).cumcount() if by else np.arange(len(ranked))) + 1
    return ranked


# --- the analysis ---------------------------------------------------------------------------
FIGURES = (
    "events",
    "fatalities",
    "civilian_events",
    "civilian_share",
    "harm_score",
    "trend_per_year",
    "first_half",
    "second_half",
    "change",
)


def actor_profile(
    events: pd.DataFrame,
    identity: pd.DataFrame,
    period: TimeFilter | None,
    top: int = 3,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(region × group table, group table, region totals) from prepared events with a
    `region` column (−1 outside) and the regions' `identity` (code, name)."""
    years = trend_years(period, events["year"])
    names = actor_identity(events)
    codes = identity["code"].to_numpy(dtype=object)
    inside = events[events["region"] >= 0]
    per = group_figures(inside, ["region", "key"], years).reset_index()
    per = per.join(names, on="key")
    per = per.merge(examples(inside, ["region", "key"]).rename("examples").reset_index(),
                    on=["region", "key"], how="left")  # fmt: skip
    per = rank_within(per, "region")
    listed = (per["harm_score"] > 0) & ~per["unidentified"]
    per["most_harmful"] = listed & (per[listed].groupby("region").cumcount() < top).reindex(
        per.index, fill_value=False
    )
    per["code"] = codes[per["region"].to_numpy()]
    per["region_name"] = identity["name"].to_numpy(dtype=object)[per["region"].to_numpy()]
    overall = group_figures(events, ["key"], years).join(names)
    overall = overall.join(activity_areas(events, codes))
    overall = overall.join(examples(events, ["key"]).rename("examples"))
    overall = rank_within(overall.reset_index(), None)
    totals = inside.groupby("region").agg(
        events=("key", "size"),
        fatalities=("fatalities", "sum"),
        civilian_events=("civilian", "sum"),
        group_count=("key", "nunique"),
    )
    totals = totals.reindex(np.arange(len(identity)), fill_value=0)
    totals["civilian_share"] = np.where(
        totals["events"] > 0, totals["civilian_events"] / totals["events"].clip(lower=1), np.nan
    )
    return per, overall, totals


def _plain(value: Any) -> Any:
    """JSON-able scalars: numpy numbers to Python, NaN to None, whole floats kept as floats."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return value


def _group_record(row: dict, extra: tuple[str, ...] = ()) -> dict:
    keys = ("actor", "actor_type", "state_forces", "unidentified", "rank", *FIGURES)
    record = {k: _plain(row[k]) for k in keys + extra}
    record["first_date"] = _plain(row["first_date"])
    record["last_date"] = _plain(row["last_date"])
    record["examples"] = [{k: _plain(v) for k, v in e.items()} for e in (row.get("examples") or [])]
    return record


@register
class ActorProfile(Algorithm):
    id = "actors"
    project_roles = ("violence", "admin_boundaries")
    title = tr_noop("Actor profile of violence")
    help = tr_noop(
        "Per region and period, from ACLED events: which groups commit the violence (the "
        "first actor; state forces kept and labelled), their events and fatalities, the share "
        "of their events that targeted civilians, their trend, the regions and km² they are "
        "active in, and the most harmful groups per region ranked by fatalities + "
        "civilian-targeting events, with example events as evidence."
    )
    parameters = (
        Parameter(
            "events",
            "layer",
            tr_noop("Violence events (ACLED export); default: the project's violence layer."),
            roles=("violence",),
            geometry=("point",),
        ),
        REPORT_REGIONS,
        PERIOD_YEARS,
        Parameter(
            "event_types",
            "string",
            tr_noop(
                "Event types counted, comma-separated, or `all` (default: Battles, "
                "Explosions/Remote violence, Violence against civilians)."
            ),
        ),
        TOP_GROUPS,
    )
    outputs = (
        Output("regions", "layer", tr_noop("Regions with their most harmful group.")),
        Output("activity_areas", "layer", tr_noop("Convex hull of each group's events.")),
        Output("table", "table", tr_noop("One row per region and group, ranked by harm score.")),
        Output("summary", "summary", tr_noop("Regions with their groups ranked; groups overall.")),
    )

    def run(self, params: dict, feedback: Feedback) -> AnalysisResult:
        project = params.get(PROJECT_KEY)
        top = 3 if params.get("top") is None else params["top"]
        if top < 1:
            raise InputError(tr("--top must be 1 or more, not {v}.").format(v=top))
        layer = events_layer(project, params.get("events"))
        given_regions = params.get("regions_layer")
        if project is None and given_regions is None:
            raise InputError(
                tr("Name the regions with --regions-layer, or give a project (--project P).")
            )
        regions_layer = choose_regions(project, given_regions)
        crs = run_crs(params, layer, regions_layer)
        period = period_of(params.get("years"), project)
        notes: list[str] = []
        feedback.set_progress(5, tr("Reading the events"))
        events = prepare_events(layer, crs, period, params.get("event_types"), notes)
        feedback.check()
        feedback.set_progress(40, tr("Finding each event's region"))
        regions = layer_in_crs(regions_layer, crs).reset_index(drop=True)
        identity = region_identity(regions_layer).reset_index(drop=True)
        events["region"] = assign_regions(events, np.asarray(regions.geometry.values))
        outside = int((events["region"] < 0).sum())
        if outside:
            notes.append(
                trn("{k} event lies outside every region: counted in the groups, not a region.",
                    "{k} events lie outside every region: counted in the groups, not a region.",
                    outside).format(k=number(outside))
            )  # fmt: skip
        feedback.check()
        feedback.set_progress(60, tr("Profiling the groups"))
        per, overall, totals = actor_profile(events, identity, period, top)
        feedback.set_progress(90, tr("Writing the results"))
        result = self._result(per, overall, totals, identity, regions, crs)
        result.summary.update(
            {
                "period": period.label if period else None,
                "events_layer": layer.name,
                "regions_layer": regions_layer.name,
                "events": len(events),
                "events_outside_regions": outside,
                "harm_score": tr("fatalities + civilian-targeting events"),
            }
        )
        result.notes = notes
        return result

    def _result(
        self,
        per: pd.DataFrame,
        overall: pd.DataFrame,
        totals: pd.DataFrame,
        identity: pd.DataFrame,
        regions: gpd.GeoDataFrame,
        crs: Any,
    ) -> AnalysisResult:
        by_region: dict[int, list[dict]] = {}
        for row in per.to_dict(orient="records"):
            by_region.setdefault(int(row["region"]), []).append(row)
        region_records = []
        top_actor = np.full(len(identity), None, dtype=object)
        top_score = np.full(len(identity), np.nan)
        for i, ident in enumerate(identity.itertuples()):
            rows = by_region.get(i, [])
            harmful = [r for r in rows if r["most_harmful"]]
            if harmful:
                top_actor[i], top_score[i] = harmful[0]["actor"], harmful[0]["harm_score"]
            region_records.append(
                {
                    "code": ident.code,
                    "name": ident.name,
                    **{k: _plain(totals.at[i, k]) for k in totals.columns},
                    "most_harmful": [r["actor"] for r in harmful],
                    "groups": [_group_record(r) for r in rows],
                }
            )
        groups = [
            _group_record(r, ("area_km2", "region_count", "regions"))
            for r in overall.to_dict(orient="records")
        ]
        regions_out = gpd.GeoDataFrame(
            {
                "code": identity["code"].to_numpy(),
                "name": identity["name"].to_numpy(),
                **{k: totals[k].to_numpy() for k in totals.columns},
                "most_harmful": top_actor,
                "most_harmful_score": top_score,
            },
            geometry=regions.geometry.values,
            crs=regions.crs,
        )
        hulls = overall[overall["area_km2"] > 0]
        areas = gpd.GeoDataFrame(
            {
                "actor": hulls["actor"].to_numpy(),
                "actor_type": hulls["actor_type"].to_numpy(),
                "events": hulls["events"].to_numpy(),
                "fatalities": hulls["fatalities"].to_numpy(),
                "harm_score": hulls["harm_score"].to_numpy(),
                "area_km2": hulls["area_km2"].to_numpy(),
                "regions": [", ".join(map(str, v)) for v in hulls["regions"]],
            },
            geometry=list(hulls["hull"]),
            crs=crs,
        )
        table = per[["code", "region_name", "rank", "actor", "actor_type", "state_forces",
                     "unidentified", *FIGURES, "first_date", "last_date", "most_harmful"]]  # fmt: skip
        table = table.rename(columns={"region_name": "name"}).reset_index(drop=True)
        table["examples"] = [
            "; ".join(f"{e['event_id']} ({e['date']}, {e['fatalities']:g})" for e in ex or [])
            for ex in per["examples"]
        ]
        return AnalysisResult(
            summary={"regions": region_records, "groups": groups},
            layers={"regions": regions_out, "activity_areas": areas},
            table=table,
            styles={
                "regions": {"field": "most_harmful", "kind": "categorized"},
                "activity_areas": {"field": "actor", "kind": "categorized"},
            },
        )
