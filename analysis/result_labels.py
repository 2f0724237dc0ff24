"""Labels and units of what the analyses report beside the indicators: summary keys and table
columns (WDQ, shares, distances…), so every view shows '3.7 %' and 'Population beyond the
catchment' instead of 0.03662 and 'population_beyond_catchment'.

An indicator column (analysis/indicator_catalogue.py INDICATORS) keeps its catalogue label and
unit; this table holds only the other keys, one entry per key, grouped by the analysis that
reports it. Units are those layers/numbers.quantity takes ('%' = a share 0–1 shown ×100).
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis.custom_indicators import SEEN
from analysis.enforcement import QUADRANTS as QUADRANT_LABELS
from analysis.indicator_catalogue import INDICATORS
from layers.enforcement_levels import DRUG_LABELS, LEVEL_LABELS, QUANTITY_BANDS
from layers.i18n import tr, tr_noop


@dataclass(frozen=True)
class Measure:
    label: str
    unit: str = ""
    help: str = ""
    # A mapping of named entries (classes, categories, areas) all in this unit.
    of_entries: bool = False


_M = Measure
PEOPLE, HA, M, KM, SHARE = tr_noop("people"), "ha", "m", "km", "%"

MEASURES: dict[str, Measure] = {
    # --- shared ------------------------------------------------------------------------------
    "crs": _M(tr_noop("Coordinate system of the measurements")),
    "method": _M(tr_noop("Method")),
    "events": _M(tr_noop("Events")),
    "before": _M(tr_noop("Before")),
    "after": _M(tr_noop("After")),
    "unit": _M(tr_noop("Unit")),
    "cells": _M(tr_noop("Grid cells")),
    "region": _M(tr_noop("Region")),
    "code": _M(tr_noop("Code")),
    "name": _M(tr_noop("Name")),
    "parent_code": _M(tr_noop("Code of the parent region")),
    # --- access ------------------------------------------------------------------------------
    "catchment_m": _M(tr_noop("Catchment"), M),
    "distance": _M(tr_noop("Distance measured")),
    "in_reach_rule": _M(tr_noop("In reach when")),
    "demand_features": _M(tr_noop("Communities (demand features)")),
    "services": _M(tr_noop("Services")),
    "population_beyond_catchment": _M(tr_noop("Population beyond the catchment"), PEOPLE),
    "share_beyond_catchment": _M(tr_noop("Share of the population beyond the catchment"), SHARE),
    "median_nearest_m": _M(tr_noop("Median distance to the nearest service"), M),
    "mean_access_per_1000": _M(tr_noop("Mean access score per 1,000 people"), tr_noop("per 1,000")),
    "supply_total": _M(tr_noop("Total capacity of the services")),
    "nearest_m": _M(tr_noop("Distance to the nearest service"), M),
    "nearest_name": _M(tr_noop("Nearest service")),
    "services_in_reach": _M(tr_noop("Services in reach")),
    "access": _M(tr_noop("Access score (2SFCA)")),
    "beyond_reach": _M(tr_noop("Beyond reach")),
    # --- count -------------------------------------------------------------------------------
    "points": _M(tr_noop("Points")),
    "polygons": _M(tr_noop("Polygons")),
    "points_inside": _M(tr_noop("Points inside a polygon")),
    "points_outside": _M(tr_noop("Points outside every polygon")),
    "max_per_polygon": _M(tr_noop("Most points in one polygon")),
    "polygons_with_none": _M(tr_noop("Polygons without points")),
    # --- actors (actor profile of violence) -------------------------------------------------
    "events_layer": _M(tr_noop("Events layer")),
    "regions_layer": _M(tr_noop("Regions layer")),
    "events_outside_regions": _M(tr_noop("Events outside every region")),
    "harm_score": _M(
        tr_noop("Harm score"), help=tr_noop("Fatalities + events that targeted civilians.")
    ),
    "groups": _M(tr_noop("Groups")),
    "group_count": _M(tr_noop("Groups active")),
    "actor": _M(tr_noop("Group (first actor)")),
    "actor_type": _M(tr_noop("Actor type")),
    "state_forces": _M(tr_noop("State forces")),
    "unidentified": _M(tr_noop("Unidentified armed group")),
    "rank": _M(tr_noop("Rank by harm score")),
    "civilian_events": _M(tr_noop("Events targeting civilians")),
    "civilian_share": _M(tr_noop("Share of events targeting civilians"), SHARE),
    "trend_per_year": _M(
        tr_noop("Trend (events per year, per year)"),
        help=tr_noop("Least-squares slope of the events per calendar year over the period."),
    ),
    "first_half": _M(tr_noop("Events in the first half of the period")),
    "second_half": _M(tr_noop("Events in the second half of the period")),
    "change": _M(tr_noop("Change (second half − first half)")),
    "first_date": _M(tr_noop("First event")),
    "last_date": _M(tr_noop("Last event")),
    "most_harmful": _M(tr_noop("Most harmful groups")),
    "most_harmful_score": _M(tr_noop("Harm score of the most harmful group")),
    "examples": _M(tr_noop("Example events")),
    "area_km2": _M(tr_noop("Area of activity (convex hull)"), "km²"),
    "region_count": _M(tr_noop("Regions with events")),
    "event_id": _M(tr_noop("Event ID")),
    "date": _M(tr_noop("Date")),
    "event_type": _M(tr_noop("Event type")),
    "civilian_targeting": _M(tr_noop("Civilian targeting")),
    # --- cultivation -------------------------------------------------------------------------
    "window": _M(tr_noop("Window")),
    "abandoned_years": _M(
        tr_noop("Years without coca that make a cell abandoned"), tr_noop("years")
    ),
    "new_years": _M(tr_noop("Years that make a cell new"), tr_noop("years")),
    "threshold_ha": _M(tr_noop("Cultivated above"), HA),
    "cells_never_cultivated": _M(tr_noop("Cells never cultivated")),
    "classes": _M(tr_noop("Classes")),
    "ha_last_year": _M(tr_noop("Hectares in the last year"), HA),
    "ha_mean": _M(tr_noop("Mean hectares per year"), HA),
    "share_last_year": _M(tr_noop("Share of the last year's hectares"), SHARE, of_entries=True),
    "total_ha": _M(tr_noop("Total hectares"), HA),
    "new_share": _M(tr_noop("Share of new cultivation"), SHARE),
    "years_cultivated": _M(tr_noop("Years cultivated"), tr_noop("years")),
    "dynamics": _M(tr_noop("Dynamics")),
    "class": _M(tr_noop("Class")),
    "ha_last": _M(tr_noop("Hectares in the last year"), HA),
    "years": _M(tr_noop("Years")),
    "permanent": _M(tr_noop("Permanent")),
    "intermittent": _M(tr_noop("Intermittent")),
    "abandoned": _M(tr_noop("Abandoned")),
    "new": _M(tr_noop("New")),
    "permanent_ha": _M(tr_noop("Permanent hectares"), HA),
    "intermittent_ha": _M(tr_noop("Intermittent hectares"), HA),
    "abandoned_ha": _M(tr_noop("Abandoned hectares"), HA),
    "new_ha": _M(tr_noop("New hectares"), HA),
    "permanent_cells": _M(tr_noop("Permanent cells")),
    "intermittent_cells": _M(tr_noop("Intermittent cells")),
    "abandoned_cells": _M(tr_noop("Abandoned cells")),
    "new_cells": _M(tr_noop("New cells")),
    # --- displacement ------------------------------------------------------------------------
    "wdq": _M(
        tr_noop("WDQ (weighted displacement quotient)"),
        help=tr_noop(
            "> 0 diffusion of benefits; 0 to -1 some displacement; < -1 displacement wins."
        ),
    ),
    "tne": _M(
        tr_noop("TNE (total net effect)"), help=tr_noop("Net events (or hectares) prevented.")
    ),
    "wdd": _M(tr_noop("WDD (weighted displacement difference)")),
    "wdd_se": _M(tr_noop("WDD standard error")),
    "wdd_z": _M(tr_noop("WDD z-score")),
    "wdd_ci_low": _M(tr_noop("WDD 95 % interval, low")),
    "wdd_ci_high": _M(tr_noop("WDD 95 % interval, high")),
    "wdd_p": _M(tr_noop("WDD p-value")),
    "success_measure": _M(tr_noop("Success measure")),
    "buffer_measure": _M(tr_noop("Buffer measure")),
    "reading": _M(tr_noop("Reading")),
    "measure": _M(tr_noop("What is counted")),
    "buffer_m": _M(tr_noop("Buffer ring width"), M),
    "cohorts": _M(tr_noop("Cohorts (target dates)")),
    "targets": _M(tr_noop("Targets")),
    "target": _M(tr_noop("Target area")),
    "buffer": _M(tr_noop("Buffer area")),
    "control": _M(tr_noop("Control area")),
    "displacement_control": _M(tr_noop("Displacement-control area")),
    "areas_ha": _M(tr_noop("Areas"), HA, of_entries=True),
    "rings": _M(tr_noop("Buffer rings")),
    "ring": _M(tr_noop("Ring")),
    "inner_m": _M(tr_noop("Inner edge of the ring"), M),
    "outer_m": _M(tr_noop("Outer edge of the ring"), M),
    "area": _M(tr_noop("Area")),
    "per_field": _M(tr_noop("Operations from the field")),
    "operations": _M(tr_noop("Operations")),
    "operation": _M(tr_noop("Operation")),
    "per_operation": _M(tr_noop("Per operation")),
    "wdq_defined": _M(tr_noop("Operations with a defined WDQ")),
    "displacement_outweighs_benefit": _M(
        tr_noop("Operations where displacement outweighs benefit")
    ),
    "diffusion_of_benefits": _M(tr_noop("Operations with diffusion of benefits")),
    "first": _M(tr_noop("First date")),
    "last": _M(tr_noop("Last date")),
    # --- environment -------------------------------------------------------------------------
    "footprints": _M(tr_noop("Footprints")),
    "drift_m": _M(tr_noop("Drift distance"), M),
    "rule_distance_m": _M(tr_noop("No-spray distance"), M),
    "border_distance_m": _M(tr_noop("Border distance"), M),
    "footprint_ha": _M(tr_noop("Footprint hectares"), HA),
    "protected_ha": _M(tr_noop("Hectares inside protected areas"), HA),
    "protected_ha_by_category": _M(
        tr_noop("Hectares inside protected areas by IUCN category"), HA, of_entries=True
    ),
    "river_km_in_drift": _M(tr_noop("River length within the drift distance"), KM),
    "footprints_breaking": _M(tr_noop("Footprints breaking each rule"), of_entries=True),
    "footprints_breaking_any": _M(tr_noop("Footprints breaking a rule")),
    "share_breaking_any": _M(tr_noop("Share of footprints breaking a rule"), SHARE),
    "hectares_breaking_any": _M(tr_noop("Hectares of footprints breaking a rule"), HA),
    "years_after": _M(tr_noop("Years after eradication"), tr_noop("years")),
    "area_ha": _M(tr_noop("Area"), HA),
    "rules_broken": _M(tr_noop("Rules broken")),
    "border_km": _M(tr_noop("Distance to the border"), KM),
    "near_water": _M(tr_noop("Near water")),
    "near_settlement": _M(tr_noop("Near a settlement")),
    "in_protected": _M(tr_noop("Inside a protected area")),
    "near_border": _M(tr_noop("Near the border")),
    "rules": _M(tr_noop("Which rules are broken")),
    "protected_categories": _M(tr_noop("IUCN categories of the protected areas touched")),
    # --- hotspots ----------------------------------------------------------------------------
    "kernel": _M(tr_noop("Kernel")),
    "output": _M(tr_noop("Output")),
    "sampling": _M(tr_noop("Sampling")),
    "radius_m": _M(tr_noop("Kernel radius"), M),
    "cell_m": _M(tr_noop("Cell size"), M),
    "rows": _M(tr_noop("Grid rows")),
    "cols": _M(tr_noop("Grid columns")),
    "row": _M(tr_noop("Grid row")),
    "col": _M(tr_noop("Grid column")),
    "geotransform": _M(tr_noop("Grid geotransform")),
    "cells_with_density": _M(tr_noop("Cells with a density")),
    "max_density": _M(tr_noop("Highest density")),
    "density": _M(tr_noop("Density")),
    # --- indicators --------------------------------------------------------------------------
    "regions": _M(tr_noop("Regions")),
    "weights": _M(tr_noop("Harm index weights"), of_entries=True),
    "index_uses": _M(tr_noop("Indicators in the harm index")),
    "period": _M(tr_noop("Period")),
    "indicators": _M(tr_noop("Indicator catalogue")),
    "column": _M(tr_noop("Column")),
    "label": _M(tr_noop("Label")),
    "group": _M(tr_noop("Group")),
    "higher_is_worse": _M(tr_noop("Higher is worse")),
    "notes": _M(tr_noop("Notes")),
    # --- enforcement (whom and where enforcement hits) -------------------------------------
    "distance_km": _M(tr_noop("Operation near a group within"), KM),
    "low_level_share": _M(
        tr_noop("Share of people arrested at the low level"),
        SHARE,
        help=tr_noop("People who use drugs and small-scale supply."),
    ),
    "high_level_share": _M(
        tr_noop("Share of people arrested at the high level"),
        SHARE,
        help=tr_noop("Trafficking and organised crime."),
    ),
    "unclassified_share": _M(tr_noop("Share of people arrested with no level read"), SHARE),
    "low_level_share_trend": _M(
        tr_noop("Trend of the low-level share (points per year)"),
        help=tr_noop(
            "Least-squares slope of the yearly low-level share; positive: arrests "
            "drift towards the easiest to catch."
        ),
    ),
    "arrests_by_level": _M(tr_noop("People arrested by target level"), PEOPLE, of_entries=True),
    "arrests_personal_use": _M(tr_noop("People arrested: people who use drugs"), PEOPLE),
    "arrests_small_supply": _M(tr_noop("People arrested: small-scale supply"), PEOPLE),
    "arrests_trafficking": _M(tr_noop("People arrested: trafficking"), PEOPLE),
    "arrests_organised_crime": _M(tr_noop("People arrested: organised crime"), PEOPLE),
    "arrests_unclassified": _M(tr_noop("People arrested: unclassified"), PEOPLE),
    "unclassified_values": _M(tr_noop("Offences not read into a level")),
    "value": _M(tr_noop("Value")),
    "records": _M(tr_noop("Records")),
    "persons": _M(tr_noop("People"), PEOPLE),
    "seized_kg": _M(tr_noop("Kilograms seized"), "kg"),
    "seizures_by_band": _M(tr_noop("Seizures by quantity"), of_entries=True),
    "seizures_by_drug_band": _M(tr_noop("Seizures by drug and quantity")),
    "seized_kg_by_drug": _M(tr_noop("Kilograms seized by drug"), "kg", of_entries=True),
    "no_weight": _M(tr_noop("No weight")),
    "operations_per_100k": _M(tr_noop("Operations per 100,000 people per year")),
    "eradicated_ha_per_100k": _M(tr_noop("Hectares eradicated per 100,000 people per year")),
    "enforcement_intensity": _M(
        tr_noop("Enforcement intensity (0 = least, 1 = most)"),
        help=tr_noop(
            "Mean of the arrest, operation and eradication rates, each scaled 0–1 over the regions."
        ),
    ),
    "harm_parts": _M(tr_noop("Parts of the harm index")),
    "quadrant": _M(tr_noop("Enforcement against harm")),
    "quadrants": _M(tr_noop("Regions by enforcement against harm")),
    "quadrant_labels": _M(tr_noop("Names of the quadrants")),
    "thresholds": _M(tr_noop("Medians that split the quadrants")),
    "enforcement_intensity_median": _M(tr_noop("Median enforcement intensity")),
    "harm_index_median": _M(tr_noop("Median harm index")),
    "spearman": _M(
        tr_noop("Rank correlation of enforcement and harm"),
        help=tr_noop("Near +1 the effort follows the harm; near 0 or below it does not."),
    ),
    "rho": _M(tr_noop("Spearman's rho")),
    "p_value": _M(tr_noop("p-value")),
    "n": _M(tr_noop("Regions with both figures")),
    "most_harmful_group": _M(tr_noop("Most harmful group")),
    "operations_near_group_share": _M(
        tr_noop("Share of operations near the most harmful group"), SHARE
    ),
    "operations_within": _M(tr_noop("Operations near the group")),
    "operations_within_share": _M(tr_noop("Share of operations near the group"), SHARE),
    "events_within_share": _M(
        tr_noop("Share of the group's events with an operation nearby"), SHARE
    ),
    # --- zonal -------------------------------------------------------------------------------
    "raster": _M(tr_noop("Raster")),
    "size": _M(tr_noop("Raster size (pixels)")),
    "rule": _M(tr_noop("Which pixels count")),
    "stats": _M(tr_noop("Statistics")),
    "zones": _M(tr_noop("Zones")),
    "pixels_read": _M(tr_noop("Pixels read")),
    "pixel_area_ha": _M(tr_noop("Pixel area"), HA),
    "pixels_in_zones": _M(tr_noop("Pixels in the zones")),
    "count": _M(tr_noop("Pixels")),
    "sum": _M(tr_noop("Sum")),
    "mean": _M(tr_noop("Mean")),
}

# Named entries of the enforcement figures (levels, quantity bands, drugs, quadrants) keep the
# words the layer panel and the briefing use for them.
MEASURES.update({level.value: _M(label) for level, label in LEVEL_LABELS.items()})
MEASURES.update({drug.value: _M(label) for drug, label in DRUG_LABELS.items()})
MEASURES.update({band.key: _M(band.label) for band in QUANTITY_BANDS})
MEASURES.update({key: _M(label) for key, label in QUADRANT_LABELS.items()})

_BY_INDICATOR = {i.column: Measure(i.label, i.unit, i.help) for i in INDICATORS}

# Keys made of a prefix and a name from the data (one column per IUCN category): the label
# takes the name in {name}.
PATTERNS: dict[str, Measure] = {
    "protected_ha_": _M(tr_noop("Protected area hectares, IUCN {name}"), HA),
}


def _pattern(key: str) -> Measure | None:
    for prefix, found in PATTERNS.items():
        if key.startswith(prefix) and len(key) > len(prefix):
            name = key[len(prefix) :]
            return Measure(
                tr(found.label).format(name=name), _shown(found.unit), _shown(found.help)
            )
    return None


def has_label(key: str) -> bool:
    """Whether `key` has a label of its own (else measure() makes one from the key)."""
    return key in _BY_INDICATOR or key in MEASURES or _pattern(key) is not None


def measure(key: str, parent: str | None = None) -> Measure:
    """Label and unit of a summary key or table column. A key nested under `parent` takes the
    parent's unit when the parent holds named entries (areas, categories, weights) or when the
    key has no entry of its own."""
    found = _BY_INDICATOR.get(key) or MEASURES.get(key) or _own(key)
    if found is None and (pattern := _pattern(key)) is not None:
        return pattern
    above = measure(parent) if parent else None
    if found is None:
        label = key.replace("_", " ").strip().capitalize() if key.islower() else key
        return Measure(label, above.unit if above else "")
    if above is not None and above.of_entries:
        return Measure(_shown(found.label), above.unit, _shown(found.help))
    return Measure(_shown(found.label), _shown(found.unit), _shown(found.help), found.of_entries)


def _own(key: str) -> Measure | None:
    """A project's own indicator (a joined table's column) as its analyst named it; a '%'
    column already in percent keeps the sign in its label (the unit '%' means a 0–1 share)."""
    entry = SEEN.get(key)
    if entry is None:
        return None
    if entry.unit.strip() == "%" and entry.display_scale == 1.0:
        return Measure(f"{entry.label} (%)", "", entry.help)
    return Measure(entry.label, entry.unit, entry.help)


def _shown(text: str) -> str:
    """`text` in the active language: the tables hold English (tr_noop) so a language switched
    after import reaches them; tr('') would return the catalogue's header, hence the guard."""
    return tr(text) if text else ""
