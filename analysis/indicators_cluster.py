"""Harm indicators with the violence counted on a Dask cluster (`analyze indicators --engine
dask`): the indicators that are counts of events per region (violent events, fatalities, the
yearly counts behind the trend, and the rates built from them) come from per-partition joins
against the regions, summed; every other indicator is computed by the local engine, and the
table is built by it (docs/cluster.md).

Each violence layer of the project is read by the workers from its file: a partitioned
GeoParquet (python main.py convert) as it is, another file converted first to a temporary
folder beside it (analysis/partitioned_inputs.py, as count and hotspots do; the run notes it).
The regions (in the project's metric CRS) are scattered once. Each task reads its partition,
parses the dates as the layer readers do, keeps the events in the period that are violence,
pairs them with the regions by the count's own join (analysis/count.py point_polygon_pairs:
an event on a shared boundary counts once, in the first region) and returns the sums of
analysis/region_counts.py violence_sums, the function the local engine runs on the whole
layer. An event lies in one partition, so the sums are the local ones. The workers read the
file, not the project: edits made in the desktop and not saved to the file are not seen (the
run says which file it read).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from analysis.base import AnalysisResult, Feedback
from analysis.engine import cluster, run_parts
from analysis.inputs import InputError
from analysis.partitioned_inputs import partitioned_events
from layers.i18n import tr, trn
from layers.partitioned import PartitionedSource
from layers.roles import FieldMapping
from layers.timefilter import TimeFilter


@dataclass(frozen=True)
class ViolenceTask:
    """One partition of a violence layer and how the project reads that layer."""

    path: str
    geometry: str
    points_crs: str | None  # WKT (None: lon/lat)
    target_crs: str  # WKT of the project's metric CRS
    name: str
    mapping: FieldMapping
    period: TimeFilter | None


def part_violence(task: ViolenceTask, regions: np.ndarray) -> tuple:
    """Runs on a worker: violence_sums of one partition against the scattered regions."""
    import geopandas as gpd
    from pyproj import CRS

    from analysis.indicators import _Context
    from analysis.region_counts import violence_sums
    from layers.crs import WGS84
    from layers.dates import parse_date_column
    from layers.layer import Layer
    from layers.report import LoadReport
    from layers.roles import Role

    gdf = gpd.read_parquet(task.path)
    gdf = gdf.set_crs(task.points_crs or WGS84, allow_override=True)
    parse_date_column(gdf, task.mapping.get("date"), LoadReport())  # as the layer readers do
    layer = Layer(gdf, task.name, role=Role.VIOLENCE, mapping=task.mapping)
    # Only what violence_sums asks of the context: the period, the CRS and the regions.
    ctx = _Context.__new__(_Context)
    ctx.period, ctx.crs = task.period, CRS.from_wkt(task.target_crs)
    ctx.polys, ctx.n = regions, len(regions)
    return violence_sums(ctx, layer)


class _ClusterSums:
    """compute_indicators' violence_sums: one layer's sums from its partitions on `client`."""

    def __init__(self, client: Any, feedback: Feedback) -> None:
        self.client, self.feedback = client, feedback
        self.read: list[str] = []
        self.notes: list[str] = []  # files converted to a temporary partitioned copy

    def __call__(self, ctx: Any, layer: Any) -> tuple:
        path = layer.source.path
        if not path or not Path(path).exists():
            raise InputError(
                tr(
                    "--engine dask reads layer {name!r} from its file, and it has none: save "
                    "it to a file first."
                ).format(name=layer.name)
            )
        source = PartitionedSource(path, layer.source.sublayer or None, layer.name)
        with partitioned_events(source, self.feedback, self.notes) as dataset:
            n = len(dataset.partitions)
            self.read.append(
                trn("{name} ({n} partition of {p})", "{name} ({n} partitions of {p})", n).format(
                    name=layer.name, n=n, p=path
                )
            )
            tasks = [
                ViolenceTask(
                    str(Path(p.path).resolve()),
                    dataset.geometry,
                    dataset.crs.to_wkt() if dataset.crs is not None else None,
                    ctx.crs.to_wkt(),
                    layer.name,
                    layer.mapping,
                    ctx.period,
                )
                for p in dataset.partitions
                if p.rows
            ]
            parts = run_parts(
                self.client,
                part_violence,
                tasks,
                self.feedback,
                broadcast={"regions": ctx.polys},
                message=tr("Counting violent events"),
            )
        events = np.zeros(ctx.n)
        deaths = None
        yearly: dict[int, np.ndarray] = {}
        for found, dead, per_year in parts:  # in partition order
            events += found
            if dead is not None:
                deaths = dead if deaths is None else deaths + dead
            for y, counts in per_year.items():
                yearly[y] = yearly.get(y, np.zeros(ctx.n)) + counts
        if deaths is None and layer.field("fatalities") in dataset.columns:
            deaths = np.zeros(ctx.n)  # a field with no event in the period still counts 0
        return events, deaths, yearly


def run_on_cluster(params: dict[str, Any], feedback: Feedback) -> AnalysisResult:
    """The indicators with --engine dask (HarmIndicators.run hands over here, and is run
    again with the violence counted on the cluster)."""
    from analysis.indicators import VIOLENCE_SUMS, HarmIndicators, _child

    with cluster(params, feedback) as client:
        sums = _ClusterSums(client, _child(feedback))  # the indicators' steps show progress
        result = HarmIndicators().run(params | {VIOLENCE_SUMS: sums}, feedback)
    notes = list(sums.notes)
    if sums.read:
        notes.append(
            tr("Violent events counted on a Dask cluster: {layers}.").format(
                layers="; ".join(sums.read)
            )
        )
    result.notes.extend(notes)
    if result.summary["notes"] is not result.notes:  # one list in HarmIndicators.run: once
        result.summary["notes"].extend(notes)
    return result
