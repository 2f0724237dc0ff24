"""Inputs several analyses take, declared once: the layer's kind, roles and geometry, and the
help where the analyses mean the same thing by it.

An analysis uses one as it is, or `dataclasses.replace(REGIONS, name=..., help=...)` where its
flag, its help (what it does with the input) or its required-ness really differ. Help strings
are tr_noop: translated where shown (the dialog, --help, docs/analyses.md).
"""

from __future__ import annotations

from analysis.base import Parameter
from layers.i18n import tr_noop
from layers.timefilter import PERIOD_HELP

# Administrative regions: the polygons results are summed, counted or reported in.
REGIONS = Parameter(
    "regions",
    "layer",
    tr_noop("Regions to sum the classes in (administrative regions)."),
    roles=("admin_boundaries",),
    geometry=("polygon",),
)

# The regions a per-region report is written for, the project's finest administrative layer
# unless the user names another.
REPORT_REGIONS = Parameter(
    "regions_layer",
    "layer",
    tr_noop("Regions to report on (default: the project's finest administrative layer)."),
    roles=("admin_boundaries",),
    geometry=("polygon",),
)

# The years an analysis covers, as the user types them; the project's period when not given.
PERIOD_YEARS = Parameter("years", "string", PERIOD_HELP)

# How many of the actor profile's most harmful groups a per-region report lists.
TOP_GROUPS = Parameter(
    "top",
    "integer",
    tr_noop("How many of the most harmful groups to list per region."),
    default=3,
    label=tr_noop("Groups listed per region"),
)

# Where eradication happened: footprints, or points given a radius by another parameter.
ERADICATION_FOOTPRINTS = Parameter(
    "footprints",
    "layer",
    tr_noop("Eradication footprints (polygons) or points with --footprint-radius-m."),
    required=True,
    roles=("eradication",),
    geometry=("polygon", "point"),
)

# Annual cultivation (e.g. SIMCI): one row per cell, one hectares column per year.
CULTIVATION_GRID = Parameter(
    "cultivation",
    "layer",
    tr_noop("Annual cultivation grid: hectares per cell, one column per year."),
    roles=("cultivation",),
    geometry=("polygon", "point"),
)

# When each point event happened, where the layer's mapped date is not the one wanted.
EVENT_DATE_FIELD = Parameter(
    "date_field",
    "field",
    tr_noop("Date field of point events (default: the layer's mapped date)."),
    parent="events",
)

# A numeric field of the events summed in place of a count of 1 each.
WEIGHT_FIELD = Parameter(
    "weight_field",
    "field",
    tr_noop("Sum this numeric field (e.g. fatalities) instead of counting events."),
    parent="events",
)

# Where the heavy part runs (analysis/engine.py): this process, or a Dask cluster reading a
# partitioned GeoParquet (python main.py convert) partition by partition.
ENGINE = Parameter(
    "engine",
    "enum",
    tr_noop(
        "Where to run: local (this process, the default) or dask (a Dask cluster: the one at "
        "the scheduler's address, else a local cluster on this machine's cores). Same results."
    ),
    default="local",
    choices=("local", "dask"),
)

# The address of an existing Dask scheduler, for --engine dask.
SCHEDULER = Parameter(
    "scheduler",
    "string",
    tr_noop(
        "Address of a running Dask scheduler (tcp://host:8786 or tls://host:8786) for the "
        "dask engine; without it a local cluster is started."
    ),
)
