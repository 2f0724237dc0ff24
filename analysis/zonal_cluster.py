"""Zonal statistics on a Dask cluster (`analyze zonal --engine dask`): the local engine's strips
of raster rows, one task each, tallied by the local code and summed (docs/cluster.md).

The local engine (analysis/zonal.py zonal_totals) reads the raster in windows of whole rows
across the zones' pixel extent (about 8 million pixels each, aligned to the raster's blocks) and
tallies each window into one accumulator: a zone x value histogram for 1-byte rasters, else
per-zone counts, sums and class tallies. Here the client computes the same windows and the
zones' non-overlapping groups once, scatters the zones (in the raster's CRS) to every worker
once, and each task opens the raster itself (a path the workers can read: a shared filesystem or
object storage), reads its window and tallies it with the local functions
(analysis/zonal_tally.py) into its own accumulator. The client adds the accumulators' arrays
into the local one, and the local code goes on from there (totals, the QGIS rules of `--rule
centre` for the few small zones, which read the raster from the client, hectares, the table and
--out). Counts of whole pixels are exact; coverage weights and sums are added in another order
(~1e-15 relative).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from analysis.base import AnalysisResult, Feedback
from analysis.engine import cluster, run_parts
from analysis.inputs import InputError
from layers.i18n import tr, trn


@dataclass(frozen=True)
class ZonalWindows:
    """What every task shares (scattered once): the raster, the zones and how to tally."""

    path: str
    band: int
    rule: str
    n: int  # zones
    small_ints: bool
    classes: bool
    signed: bool
    columns: tuple[int, int]  # the zones' pixel columns [c0, c1)
    zones: np.ndarray  # shapely, in the raster's CRS, as zonal_table made them valid
    groups: tuple[np.ndarray, ...]  # zones that never overlap, one label raster each


def part_window(window: tuple[int, int], shared: ZonalWindows) -> dict[str, Any]:
    """Runs on a worker: one window of rows [row, row + height) tallied as the local loop does;
    the accumulator's arrays (class tallies as a zones x classes table)."""
    from affine import Affine

    from analysis.zonal_tally import Accumulator, read_strip, tally_strip, valid_pixels
    from layers.raster import open_raster

    row, height = window
    raster = open_raster(shared.path)
    acc = Accumulator(shared.n, shared.small_ints, shared.classes, shared.signed)
    c0, c1 = shared.columns
    with raster.open() as src:
        values = read_strip(raster, src, shared.band, row, height, c0, c1 - c0)
    valid = valid_pixels(values, raster.info.nodata)
    transform = raster.info.transform @ Affine.translation(c0, row)
    for group in shared.groups:
        tally_strip(acc, shared.zones, group, values, valid, transform, shared.rule)
    acc.pixels_read += values.size
    table = np.zeros((shared.n + 1, len(acc.class_index)))
    for zone, codes, weight in acc.class_parts:
        np.add.at(table, (zone, codes), weight)
    return {
        "hist": acc.hist,
        "count": acc.count,
        "sum": acc.sum,
        "nodata": acc.nodata,
        "pixels_read": acc.pixels_read,
        "class_values": np.array(list(acc.class_index), dtype=np.float64),  # in code order
        "class_table": table,
    }


def merge(acc: Any, part: dict[str, Any]) -> None:
    """Add one task's arrays into the local accumulator (analysis/zonal_tally.py Accumulator)."""
    if acc.small_ints:
        acc.hist += part["hist"]
    else:
        acc.count += part["count"]
        acc.sum += part["sum"]
        if acc.classes and len(part["class_values"]):
            codes = acc.class_codes(part["class_values"])
            rows = part["class_table"].shape[0]
            zone = np.repeat(np.arange(rows), len(codes))
            acc.class_parts.append((zone, np.tile(codes, rows), part["class_table"].ravel()))
    acc.nodata += part["nodata"]
    acc.pixels_read += part["pixels_read"]


class _Strips:
    """zonal_totals' run_strips: its windows of rows, one task each on `client`."""

    def __init__(self, client: Any, path: str, band: int, rule: str) -> None:
        self.client, self.path, self.band, self.rule = client, path, band, rule
        self.windows = 0

    def __call__(self, acc, zones, groups, rows, columns, feedback: Feedback) -> None:
        r0, r1, step, block = rows
        windows = [(row, min(step, r1 - row)) for row in range((r0 // block) * block, r1, step)]
        self.windows = len(windows)
        shared = ZonalWindows(self.path, self.band, self.rule, acc.n, acc.small_ints,
                              acc.classes, acc.signed, tuple(columns), np.asarray(zones),
                              tuple(groups))  # fmt: skip
        parts = run_parts(
            self.client,
            part_window,
            windows,
            feedback,
            broadcast={"shared": shared},
            message=tr("Zonal statistics"),
        )
        for part in parts:  # in window order, as the local loop adds them
            merge(acc, part)


def run_on_cluster(params: dict[str, Any], feedback: Feedback) -> AnalysisResult:
    """The zonal analysis with --engine dask (ZonalStatistics.run hands over here, and is run
    again with the strips going to the cluster)."""
    from analysis.zonal import RUN_STRIPS, ZonalStatistics, open_raster_input

    raster = open_raster_input(params.get("raster"))
    path = Path(raster.source.path)
    if not path.exists():
        raise InputError(
            tr("--engine dask reads the raster from a file the workers can read: {p}.").format(
                p=path
            )
        )
    band = int(params.get("band") or 1)
    rule = params.get("rule") or "coverage"
    with cluster(params, feedback) as client:
        strips = _Strips(client, str(path.resolve()), band, rule)
        result = ZonalStatistics().run(params | {RUN_STRIPS: strips}, feedback)
    result.notes.append(
        trn(
            "Run on a Dask cluster: {n} window of raster rows of {p}.",
            "Run on a Dask cluster: {n} windows of raster rows of {p}.",
            strips.windows,
        ).format(n=strips.windows, p=path.name)
    )
    return result
