"""The events of a cluster run as a partitioned GeoParquet, for every analysis with --engine dask
(count, hotspots, indicators): the folder given, or a temporary conversion of the file beside it
(docs/cluster.md)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from analysis.inputs import InputError
from layers.feedback import Feedback
from layers.i18n import tr, trn
from layers.partitioned import (
    ConvertError,
    PartitionedDataset,
    PartitionedSource,
    convert_to_partitioned,
    is_partitioned,
    open_partitioned,
)


@contextmanager
def partitioned_events(
    source: PartitionedSource, feedback: Feedback, notes: list[str]
) -> Iterator[PartitionedDataset]:
    """The events of a cluster run as a partitioned GeoParquet: the folder given, or a
    temporary conversion of the file beside it (said in `notes`, removed when the run ends)."""
    if is_partitioned(source.path) and not source.sublayer:
        yield open_dataset(source.path)
        return
    scratch = scratch_folder(Path(source.path))
    try:
        dataset = convert_to_partitioned(source.spec, scratch / "events.parquet", feedback=feedback)
        notes.append(
            trn(
                "{p} was converted to a temporary partitioned GeoParquet ({n} part) for "
                "this run; convert it once (python main.py convert {p} --to "
                "{stem}.parquet) and pass that to skip this step.",
                "{p} was converted to a temporary partitioned GeoParquet ({n} parts) for "
                "this run; convert it once (python main.py convert {p} --to "
                "{stem}.parquet) and pass that to skip this step.",
                len(dataset.partitions),
            ).format(p=source.path, n=len(dataset.partitions), stem=Path(source.path).stem)
        )
        yield dataset
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def open_dataset(path: str) -> PartitionedDataset:
    """A partitioned GeoParquet folder, or an InputError saying what is wrong with it."""
    try:
        return open_partitioned(path)
    except ConvertError as exc:
        raise InputError(str(exc)) from None


def scratch_folder(source: Path) -> Path:
    """A temporary folder beside the input (on storage the workers of a cluster may share),
    else in the system's temporary folder."""
    for parent in (source.resolve().parent, None):
        try:
            return Path(tempfile.mkdtemp(prefix=f".{source.stem}.parts.", dir=parent))
        except OSError:
            continue
    raise InputError(tr("No folder to write a temporary copy of {p} in.").format(p=source))
