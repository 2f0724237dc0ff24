"""`python main.py convert INPUT --to OUT.parquet [--partition-size N]`: a spatially partitioned
GeoParquet for the dask engine (layers/partitioned.py; docs/cluster.md).

Exit codes: 0 done, 2 a problem with the input (one line saying what and what to do),
130 interrupted.
"""

from __future__ import annotations

import argparse
import json

from core.cli_run import run_with_progress, survive_closed_pipe
from layers.errors import LayerLoadError
from layers.feedback import Feedback
from layers.i18n import tr, tr_noop, trn
from layers.numbers import number
from layers.partitioned import (
    DEFAULT_PARTITION_SIZE,
    ConvertError,
    PartitionedDataset,
    convert_to_partitioned,
)

HELP = tr_noop(
    "Write a layer (CSV with coordinates, GeoPackage, GeoParquet) as a spatially partitioned "
    "GeoParquet folder for --engine dask."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", metavar="INPUT", help=tr("The layer: PATH or PATH::LAYER."))
    parser.add_argument(
        "--to",
        required=True,
        metavar="OUT.parquet",
        help=tr("The folder to write (a new name, or a folder convert wrote before)."),
    )
    parser.add_argument(
        "--partition-size",
        type=int,
        default=DEFAULT_PARTITION_SIZE,
        metavar="N",
        help=tr("Rows per partition (default: {n}).").format(n=number(DEFAULT_PARTITION_SIZE)),
    )
    parser.add_argument("--json", action="store_true", help=tr("Print the result as JSON."))
    parser.add_argument("--quiet", action="store_true", help=tr("No progress bar on stderr."))


@survive_closed_pipe
def run(args: argparse.Namespace) -> int:
    def work(feedback: Feedback) -> PartitionedDataset:
        try:
            return convert_to_partitioned(args.input, args.to, args.partition_size, feedback)
        except OSError as exc:
            raise ConvertError(
                tr("Could not write {p}: {e}. Choose another folder.").format(p=args.to, e=exc)
            ) from None

    code, data = run_with_progress(args.quiet, work, (ConvertError, LayerLoadError))
    if data is None:
        return code
    summary = {
        "path": data.path,
        "rows": data.rows,
        "partitions": len(data.partitions),
        "dropped": data.dropped,
        "crs": data.crs.to_string() if data.crs is not None else None,
        "bounds": [float(v) for v in data.bounds],
        "bytes": data.nbytes,
    }
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    print(
        trn(
            "Wrote {p}: {r} rows in {n} partition ({mb} MB).",
            "Wrote {p}: {r} rows in {n} partitions ({mb} MB).",
            len(data.partitions),
        ).format(
            p=data.path,
            r=number(data.rows),
            n=len(data.partitions),
            mb=number(data.nbytes / 1e6, 1),
        )
    )
    if data.dropped:
        print(
            tr("{d} rows without usable coordinates or shapes were left out.").format(
                d=number(data.dropped)
            )
        )
    return 0
