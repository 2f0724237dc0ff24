"""Labels and units of what the analyses report beside the indicators: summary keys and table
columns (WDQ, shares, distances…), so every view shows '3.7 %' and 'Population beyond the
catchment' instead of 0.03662 and 'population_beyond_catchment'.

An indicator column (analysis/indicator_catalogue.py INDICATORS) keeps its catalogue label and
unit; this table holds only the other keys, one entry per key, grouped by the analysis that
reports it. Units are those layers/numbers.quantity takes ('%' = a share 0–1 shown ×100).
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis.indicator_catalogue import INDICATORS
from layers.i18n import tr


@dataclass(frozen=True)
class Measure:
    label: str
    unit: str = ""
    help: str = ""
    # A mapping of named entries (classes, categories, areas) all in this unit.
    of_entries: bool = False


_M = Measure
PEOPLE, HA, M, KM, SHARE = tr("people"), "ha", "m", "km", "%"

MEASURES: dict[str, Measure] = {
    # --- shared ------------------------------------------------------------------------------
    "crs": _M(tr("Coordinate system of the measurements")),
    "method": _M(tr("Method")),
    "events": _M(tr("Events")),
    "before": _M(tr("Before")),
    "after": _M(tr("After")),
    "unit": _M(tr("Unit")),
    "cells": _M(tr("Grid cells")),
    "region": _M(tr("Region")),
    "code": _M(tr("Code")),
    "name": _M(tr("Name")),
    "parent_code": _M(tr("Code of the parent region")),
    # --- access ------------------------------------------------------------------------------
    "catchment_m": _M(tr("Catchment"), M),
    "distance": _M(tr("Distance measured")),
    "in_reach_rule": _M(tr("In reach when")),
    "demand_features": _M(tr("Communities (demand features)")),
    "services": _M(tr("Services")),
    "population_beyond_catchment": _M(tr("Population beyond the catchment"), PEOPLE),
    "share_beyond_catchment": _M(tr("Share of the population beyond the catchment"), SHARE),
    "median_nearest_m": _M(tr("Median distance to the nearest service"), M),
    "mean_access_per_1000": _M(tr("Mean access score per 1,000 people"), tr("per 1,000")),
    "supply_total": _M(tr("Total capacity of the services")),
    "nearest_m": _M(tr("Distance to the nearest service"), M),
    "nearest_name": _M(tr("Nearest service")),
    "services_in_reach": _M(tr("Services in reach")),
    "access": _M(tr("Access score (2SFCA)")),
    "beyond_reach": _M(tr("Beyond reach")),
    # --- count -------------------------------------------------------------------------------
    "points": _M(tr("Points")),
    "polygons": _M(tr("Polygons")),
    "points_inside": _M(tr("Points inside a polygon")),
    "points_outside": _M(tr("Points outside every polygon")),
    "max_per_polygon": _M(tr("Most points in one polygon")),
    "polygons_with_none": _M(tr("Polygons without points")),
    # --- cultivation -------------------------------------------------------------------------
    "window": _M(tr("Window")),
    "abandoned_years": _M(tr("Years without coca that make a cell abandoned"), tr("years")),
    "new_years": _M(tr("Years that make a cell new"), tr("years")),
    "threshold_ha": _M(tr("Cultivated above"), HA),
    "cells_never_cultivated": _M(tr("Cells never cultivated")),
    "classes": _M(tr("Classes")),
    "ha_last_year": _M(tr("Hectares in the last year"), HA),
    "ha_mean": _M(tr("Mean hectares per year"), HA),
    "share_last_year": _M(tr("Share of the last year's hectares"), SHARE, of_entries=True),
    "total_ha": _M(tr("Total hectares"), HA),
    "new_share": _M(tr("Share of new cultivation"), SHARE),
    "years_cultivated": _M(tr("Years cultivated"), tr("years")),
    "dynamics": _M(tr("Dynamics")),
    # --- displacement ------------------------------------------------------------------------
    "wdq": _M(
        tr("WDQ (weighted displacement quotient)"),
        help=tr("> 0 diffusion of benefits; 0 to -1 some displacement; < -1 displacement wins."),
    ),
    "tne": _M(tr("TNE (total net effect)"), help=tr("Net events (or hectares) prevented.")),
    "wdd": _M(tr("WDD (weighted displacement difference)")),
    "wdd_se": _M(tr("WDD standard error")),
    "wdd_z": _M(tr("WDD z-score")),
    "wdd_ci_low": _M(tr("WDD 95 % interval, low")),
    "wdd_ci_high": _M(tr("WDD 95 % interval, high")),
    "wdd_p": _M(tr("WDD p-value")),
    "success_measure": _M(tr("Success measure")),
    "buffer_measure": _M(tr("Buffer measure")),
    "reading": _M(tr("Reading")),
    "measure": _M(tr("What is counted")),
    "buffer_m": _M(tr("Buffer ring width"), M),
    "cohorts": _M(tr("Cohorts (target dates)")),
    "targets": _M(tr("Targets")),
    "target": _M(tr("Target area")),
    "buffer": _M(tr("Buffer area")),
    "control": _M(tr("Control area")),
    "displacement_control": _M(tr("Displacement-control area")),
    "areas_ha": _M(tr("Areas"), HA, of_entries=True),
    "rings": _M(tr("Buffer rings")),
    "ring": _M(tr("Ring")),
    "per_field": _M(tr("Operations from the field")),
    "operations": _M(tr("Operations")),
    "operation": _M(tr("Operation")),
    "per_operation": _M(tr("Per operation")),
    "wdq_defined": _M(tr("Operations with a defined WDQ")),
    "displacement_outweighs_benefit": _M(tr("Operations where displacement outweighs benefit")),
    "diffusion_of_benefits": _M(tr("Operations with diffusion of benefits")),
    "first": _M(tr("First date")),
    "last": _M(tr("Last date")),
    # --- environment -------------------------------------------------------------------------
    "footprints": _M(tr("Footprints")),
    "drift_m": _M(tr("Drift distance"), M),
    "rule_distance_m": _M(tr("No-spray distance"), M),
    "border_distance_m": _M(tr("Border distance"), M),
    "footprint_ha": _M(tr("Footprint hectares"), HA),
    "protected_ha": _M(tr("Hectares inside protected areas"), HA),
    "protected_ha_by_category": _M(
        tr("Hectares inside protected areas by IUCN category"), HA, of_entries=True
    ),
    "river_km_in_drift": _M(tr("River length within the drift distance"), KM),
    "footprints_breaking": _M(tr("Footprints breaking each rule"), of_entries=True),
    "footprints_breaking_any": _M(tr("Footprints breaking a rule")),
    "share_breaking_any": _M(tr("Share of footprints breaking a rule"), SHARE),
    "hectares_breaking_any": _M(tr("Hectares of footprints breaking a rule"), HA),
    "years_after": _M(tr("Years after eradication"), tr("years")),
    "area_ha": _M(tr("Area"), HA),
    "rules_broken": _M(tr("Rules broken")),
    "border_km": _M(tr("Distance to the border"), KM),
    # --- hotspots ----------------------------------------------------------------------------
    "kernel": _M(tr("Kernel")),
    "output": _M(tr("Output")),
    "sampling": _M(tr("Sampling")),
    "radius_m": _M(tr("Kernel radius"), M),
    "cell_m": _M(tr("Cell size"), M),
    "rows": _M(tr("Grid rows")),
    "cols": _M(tr("Grid columns")),
    "geotransform": _M(tr("Grid geotransform")),
    "cells_with_density": _M(tr("Cells with a density")),
    "max_density": _M(tr("Highest density")),
    "density": _M(tr("Density")),
    # --- indicators --------------------------------------------------------------------------
    "regions": _M(tr("Regions")),
    "weights": _M(tr("Harm index weights"), of_entries=True),
    "index_uses": _M(tr("Indicators in the harm index")),
    "period": _M(tr("Period")),
    "indicators": _M(tr("Indicator catalogue")),
    "notes": _M(tr("Notes")),
}

_BY_INDICATOR = {i.column: Measure(i.label, i.unit, i.help) for i in INDICATORS}


def measure(key: str, parent: str | None = None) -> Measure:
    """Label and unit of a summary key or table column. A key nested under `parent` takes the
    parent's unit when the parent holds named entries (areas, categories, weights) or when the
    key has no entry of its own."""
    found = _BY_INDICATOR.get(key) or MEASURES.get(key)
    above = measure(parent) if parent else None
    if found is None:
        label = key.replace("_", " ").strip().capitalize() if key.islower() else key
        return Measure(label, above.unit if above else "")
    if above is not None and above.of_entries:
        return Measure(found.label, above.unit, found.help)
    return found
