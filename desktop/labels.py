"""Names the desktop shows for things declared by key elsewhere: an analysis's parameters and
option values, the canonical fields a layer's mapping fills, and common colours.

Each table holds English (tr_noop) and is shown through tr, so a language switch reaches it.
The analyses declare no parameter labels yet; a `label` declared on a Parameter wins over
this table, and the raw key is still what the analysis and the command line get."""

from __future__ import annotations

import re

from PySide6.QtGui import QColor

from analysis.base import Parameter
from layers.i18n import tr, tr_noop
from layers.roles import ENFORCEMENT_FIELD_LABELS

# Parameter labels by name, or by "analysis_id.name" where one analysis means something else.
PARAMETER_LABELS: dict[str, str] = {
    "points": tr_noop("Events"),
    "polygons": tr_noop("Regions"),
    "weight_field": tr_noop("Weight field"),
    "date_field": tr_noop("Date field"),
    "from": tr_noop("From"),
    "to": tr_noop("To"),
    "field_name": tr_noop("Result column"),
    "events": tr_noop("Events"),
    "targets": tr_noop("Targets"),
    "control": tr_noop("Control area"),
    "region": tr_noop("Study region"),
    "targets_where": tr_noop("Only targets where"),
    "date": tr_noop("Intervention date"),
    "event_date_field": tr_noop("Event date field"),
    "window_days": tr_noop("Window (days)"),
    "window_years": tr_noop("Window (years)"),
    "buffer_m": tr_noop("Buffer width (m)"),
    "rings": tr_noop("Buffer rings"),
    "target_radius_m": tr_noop("Target radius (m)"),
    "per_field": tr_noop("One run per value of"),
    "loss_raster": tr_noop("Forest loss raster"),
    "footprints": tr_noop("Eradication footprints"),
    "protected": tr_noop("Protected areas"),
    "water": tr_noop("Rivers and water"),
    "settlements": tr_noop("Settlements"),
    "border": tr_noop("International border"),
    "drift_m": tr_noop("Drift distance (m)"),
    "rule_distance_m": tr_noop("No-spray distance (m)"),
    "border_distance_m": tr_noop("Border strip (m)"),
    "footprint_radius_m": tr_noop("Footprint radius (m)"),
    "category_field": tr_noop("IUCN category field"),
    "cultivation": tr_noop("Cultivation grid"),
    "years_after": tr_noop("Years after"),
    "nearby_m": tr_noop("Nearby distance (m)"),
    "loss_window_years": tr_noop("Forest loss window (years)"),
    "method": tr_noop("Method"),
    "cell_m": tr_noop("Cell size (m)"),
    "radius_m": tr_noop("Radius (m)"),
    "period": tr_noop("Period"),
    "permutations": tr_noop("Permutations"),
    "p_value": tr_noop("Significance"),
    "scaled": tr_noop("Scale to a density"),
    "sampling": tr_noop("Sampling"),
    "demand": tr_noop("Demand (where people live)"),
    "demand_field": tr_noop("Population field"),
    "supply": tr_noop("Services"),
    "supply_field": tr_noop("Capacity field"),
    "catchment_m": tr_noop("Catchment (m)"),
    "bands": tr_noop("Distance bands (m)"),
    "band_weights": tr_noop("Band weights"),
    "facility_type": tr_noop("Service types"),
    "population_raster": tr_noop("Population raster"),
    "grid": tr_noop("Cultivation grid"),
    "abandoned_years": tr_noop("Years to call a cell abandoned"),
    "new_years": tr_noop("Years to call a cell new"),
    "end_year": tr_noop("Last year"),
    "threshold_ha": tr_noop("Cultivated above (ha)"),
    "regions": tr_noop("Regions"),
    "region_field": tr_noop("Region field"),
    "raster": tr_noop("Raster"),
    "zones": tr_noop("Zones"),
    "stats": tr_noop("Statistics"),
    "rule": tr_noop("Pixel rule"),
    "band": tr_noop("Band"),
    "regions_layer": tr_noop("Regions"),
    "years": tr_noop("Period"),
    "event_types": tr_noop("Event types"),
    "weights": tr_noop("Harm index weights"),
    "cultivation.window_years": tr_noop("Years in the window"),
}

# Option values (enum choices) by value; the value itself stays what the analysis reads.
CHOICE_LABELS: dict[str, str] = {
    "kde": tr_noop("Kernel density (KDE)"),
    "gi_star": tr_noop("Hot and cold spots (Gi*)"),
    "emerging": tr_noop("Emerging hot spots"),
    "normal": tr_noop("Normal p-values of z"),
    "permutation": tr_noop("Permutation p-values"),
    "centres": tr_noop("Kernel at cell centres"),
    "qgis": tr_noop("As QGIS 3.22"),
    "nearest": tr_noop("Distance to the nearest service"),
    "2sfca": tr_noop("2SFCA"),
    "e2sfca": tr_noop("E2SFCA (distance bands)"),
    "coverage": tr_noop("Weighted by coverage"),
    "centre": tr_noop("Pixel centre inside (as QGIS)"),
}

# The canonical fields a layer's mapping fills (layers.roles.FIELD_KEYS), as the user says them.
FIELD_KEY_LABELS: dict[str, str] = {
    "date": tr_noop("Date"),
    "year": tr_noop("Year"),
    "hectares": tr_noop("Hectares"),
    "weight": tr_noop("Weight"),
    "fatalities": tr_noop("Fatalities"),
    "event_type": tr_noop("Event type"),
    "sub_event_type": tr_noop("Event sub-type"),
    "actor_type": tr_noop("Actor type"),
    # ACLED's actor columns (analysis/actors.py reads actor1 as the perpetrator).
    "actor1": tr_noop("First actor"),
    "actor2": tr_noop("Second actor"),
    "inter1": tr_noop("First actor's type"),
    "inter2": tr_noop("Second actor's type"),
    "civilian_targeting": tr_noop("Civilian targeting"),
    "event_id": tr_noop("Event ID"),
    "method": tr_noop("Method"),
    "capacity": tr_noop("Capacity"),
    "population": tr_noop("Population"),
    "name": tr_noop("Name"),
    "region_code": tr_noop("Region code"),
    "parent_code": tr_noop("Parent region code"),
    "iucn_category": tr_noop("IUCN category"),
    "facility_type": tr_noop("Service type"),
    "status": tr_noop("Status"),
}
FIELD_KEY_LABELS.update(ENFORCEMENT_FIELD_LABELS)  # action type, offence, drug, quantity...

# Result layers are named "<what> (<analysis>)" in the language of the run that adds them
# (generated text, not data): the analysis's layer key and id stay the files' and CLI's.
RESULT_LAYER_LABELS: dict[str, str] = {
    "target": tr_noop("Target areas"),
    "buffer": tr_noop("Buffer rings"),
    "control": tr_noop("Control areas"),
    "operations": tr_noop("Operations"),
    "counts": tr_noop("Regions"),
    "hotspots": tr_noop("Cells"),
    "regions": tr_noop("Regions"),
    "activity_areas": tr_noop("Activity areas"),
    "footprints": tr_noop("Eradication footprints"),
    "access": tr_noop("Communities"),
    "cells": tr_noop("Grid cells"),
    "zonal": tr_noop("Zones"),
}
# Category values a result table keeps as keys (JSON stays the same in every language), shown
# by their name: {column: {value: label}}.
CATEGORY_LABELS: dict[str, dict[str, str]] = {
    "group": {  # the indicator catalogue's groups (analysis/indicator_catalogue.py)
        "context": tr_noop("Context"),
        "enforcement": tr_noop("Enforcement outputs"),
        "outcome": tr_noop("Community outcomes"),
        "composite": tr_noop("Overall"),
    },
}
# A vector layer's geometry kind (Layer.geometry_kind) as its tooltip names it.
GEOMETRY_KINDS: dict[str, str] = {
    "point": tr_noop("Point"),
    "line": tr_noop("Line"),
    "polygon": tr_noop("Polygon"),
}
ANALYSIS_SHORT_NAMES: dict[str, str] = {
    "count": tr_noop("event count"),
    "hotspots": tr_noop("hot spots"),
    "actors": tr_noop("armed actors"),
    "displacement": tr_noop("displacement"),
    "enforcement": tr_noop("enforcement focus"),
    "environment": tr_noop("environmental harm"),
    "access": tr_noop("health access"),
    "cultivation": tr_noop("cultivation dynamics"),
    "zonal": tr_noop("zonal statistics"),
    "indicators": tr_noop("harm indicators"),
}

# Colours with a common name, by their #rrggbb; any other colour shows as its hex code.
COLOUR_NAMES: dict[str, str] = {
    "#ffffff": tr_noop("white"),
    "#000000": tr_noop("black"),
    "#808080": tr_noop("grey"),
    "#d3d3d3": tr_noop("light grey"),
    "#a9a9a9": tr_noop("dark grey"),
    "#ff0000": tr_noop("red"),
    "#008000": tr_noop("green"),
    "#0000ff": tr_noop("blue"),
    "#ffff00": tr_noop("yellow"),
    "#ffa500": tr_noop("orange"),
    "#800080": tr_noop("purple"),
    "#a52a2a": tr_noop("brown"),
    "#ffc0cb": tr_noop("pink"),
}


def parameter_label(algorithm_id: str, p: Parameter) -> str:
    """The parameter's name in the active language: its declared label, else this table's,
    else the first clause of its help ("Raster band to read." -> "Raster band to read")."""
    if p.label:
        return tr(p.label)
    key = PARAMETER_LABELS.get(f"{algorithm_id}.{p.name}") or PARAMETER_LABELS.get(p.name)
    if key:
        return tr(key)
    first = re.split(r"[:.;(]", tr(p.help) if p.help else "")[0].strip()
    return first if 0 < len(first) <= 40 else p.title


def choice_label(value: str) -> str:
    """An option value as the user reads it; unknown values show as they are."""
    return tr(CHOICE_LABELS[value]) if value in CHOICE_LABELS else value


def field_key_label(key: str) -> str:
    """A canonical field key ('event_type') as the user reads it ('Event type')."""
    return tr(FIELD_KEY_LABELS[key]) if key in FIELD_KEY_LABELS else key


def colour_name(colour: str) -> str:
    """'white' (translated) for white in any spelling, else the colour's #rrggbb."""
    qcolour = QColor(colour)
    if not qcolour.isValid():
        return colour
    code = qcolour.name()
    return tr(COLOUR_NAMES[code]) if code in COLOUR_NAMES else code


def analysis_short_name(algorithm_id: str) -> str:
    """The analysis as a result layer's name says it ('displacement', 'desplazamiento')."""
    known = ANALYSIS_SHORT_NAMES.get(algorithm_id)
    return tr(known) if known else algorithm_id


def output_label(algorithm_id: str, name: str, kind: str) -> str:
    """A declared output as the analysis dialog lists it: a layer by the name its result layer
    gets, the summary and the table by what they are."""
    if kind == "layer":
        return result_layer_name(algorithm_id, name)
    label = OUTPUT_KIND_LABELS.get(kind)
    return tr(label) if label else name


OUTPUT_KIND_LABELS = {"summary": tr_noop("Summary"), "table": tr_noop("Table")}


def result_layer_name(algorithm_id: str, key: str) -> str:
    """'Target areas (displacement)' for displacement's 'target' layer, in the active language;
    a key without a label shows as it is."""
    what = tr(RESULT_LAYER_LABELS[key]) if key in RESULT_LAYER_LABELS else key
    return f"{what} ({analysis_short_name(algorithm_id)})"


def category_label(column: str, value: object) -> str | None:
    """The name of a result table's category key ('outcome' in 'group'), else None."""
    label = CATEGORY_LABELS.get(column, {}).get(value) if isinstance(value, str) else None
    return tr(label) if label else None
