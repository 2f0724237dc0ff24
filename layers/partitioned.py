"""Spatially partitioned GeoParquet: what `python main.py convert` writes and the dask engine
reads (docs/cluster.md).

A dataset is a folder of `part.N.parquet` GeoParquet files (geo metadata with each file's
bbox, so geopandas and dask_geopandas.read_parquet read it and know where each part lies),
plus `harm_atlas_partitions.json`: rows, bounds and Hilbert range per part. Rows are sorted
along a Hilbert curve over the dataset's extent (level 16, distances of each shape's bbox
centre, geopandas' definition) and cut into parts of about `partition_size` rows, so nearby
events share a part and a part's bounds are tight: a join touches only the parts it needs.

Inputs of any size are read in chunks, three passes, with never more than one chunk (or one
part) in memory: (1) the extent and a sample of centres, whose Hilbert quantiles give the
parts' boundaries; (2) each chunk's rows spilled to its part's folder; (3) each part's spills
sorted and written. CSV points come from the coordinate columns as the point-table reader
reads them (layers/tables.py); CSV columns are read as text and typed once for the whole file
(whole numbers, numbers, else text) so every part has one schema. The output is written in a
temporary folder beside it and renamed into place when complete, never over an input.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pyproj import CRS

from layers.crs import WGS84, looks_like_lonlat
from layers.feedback import Feedback
from layers.i18n import tr
from layers.numbers import number

MANIFEST = "harm_atlas_partitions.json"
DEFAULT_PARTITION_SIZE = 1_000_000
# Rows read at once from the input (CSV chunk, GeoPackage window, Parquet batch).
CHUNK_ROWS = 500_000
HILBERT_LEVEL = 16
# Centres kept per chunk to place the parts' Hilbert boundaries (quantiles of the sample).
SAMPLE_PER_CHUNK = 20_000


# The local engine holds the whole input; past this share of the free memory it suggests dask.
MEMORY_SHARE = 0.5
# In-memory size of a layer compared with its file (text to frames and shapes; compressed
# Parquet expands most).
EXPANSION = {".csv": 3.0, ".parquet": 6.0, ".gpkg": 4.0}


class ConvertError(ValueError):
    """The input cannot be converted; the message says what and what to do."""


@dataclass(frozen=True)
class PartitionedSource:
    """A layer a cluster run reads itself: a partitioned GeoParquet, or a file to convert."""

    path: str
    sublayer: str | None = None
    name: str = ""

    @property
    def spec(self) -> str:
        return self.path + (f"::{self.sublayer}" if self.sublayer else "")


@dataclass(frozen=True)
class Partition:
    """One part file: its rows, bounds (in the dataset's CRS) and Hilbert range."""

    path: str
    rows: int
    bounds: tuple[float, float, float, float]
    hilbert: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class PartitionedDataset:
    """A partitioned GeoParquet folder (or one GeoParquet file, a dataset of one part)."""

    path: str
    crs: CRS | None
    geometry: str
    columns: tuple[str, ...]
    partitions: tuple[Partition, ...]
    dropped: int = 0  # rows of the input left out (no or unusable coordinates)
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def rows(self) -> int:
        return sum(p.rows for p in self.partitions)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        boxes = np.array([p.bounds for p in self.partitions if p.rows], dtype=float)
        if not len(boxes):
            return (math.nan,) * 4  # type: ignore[return-value]
        return (*boxes[:, :2].min(axis=0), *boxes[:, 2:].max(axis=0))  # type: ignore[return-value]

    @property
    def nbytes(self) -> int:
        return sum(os.path.getsize(p.path) for p in self.partitions)


def is_partitioned(path: str | Path) -> bool:
    """A folder of .parquet files or a .parquet file: read as it is by the dask engine."""
    path = Path(path)
    if path.is_dir():
        return (path / MANIFEST).exists() or any(path.glob("*.parquet"))
    return path.suffix.lower() in (".parquet", ".geoparquet") and path.exists()


def open_partitioned(path: str | Path) -> PartitionedDataset:
    """The dataset at `path`: from its manifest, else from each file's GeoParquet metadata
    (folders written by dask_geopandas.to_parquet or other tools)."""
    path = Path(path)
    manifest = path / MANIFEST
    if path.is_dir() and manifest.exists():
        data = json.loads(manifest.read_text("utf-8"))
        parts = tuple(
            Partition(str(path / p["file"]), p["rows"], tuple(p["bounds"]), tuple(p["hilbert"]))
            for p in data["partitions"]
        )
        crs = CRS.from_user_input(data["crs"]) if data.get("crs") else None
        return PartitionedDataset(
            str(path), crs, data["geometry"], tuple(data["columns"]), parts, data["dropped"]
        )
    files = sorted(path.glob("*.parquet"), key=_part_number) if path.is_dir() else [path]
    if not files:
        raise ConvertError(tr("{p}: no .parquet files in this folder.").format(p=path))
    parts, crs, geometry, columns = [], None, "geometry", ()
    for file in files:
        meta, rows, names = _geo_metadata(file)
        geometry = meta.get("primary_column", "geometry")
        column = meta.get("columns", {}).get(geometry, {})
        if crs is None and "crs" in column:
            crs = CRS.from_user_input(column["crs"]) if column["crs"] else None
        elif crs is None:
            crs = WGS84  # GeoParquet: no "crs" key means OGC:CRS84
        bbox = column.get("bbox") or [math.nan] * 4
        parts.append(Partition(str(file), rows, tuple(float(v) for v in bbox[:4])))
        columns = tuple(n for n in names if n != geometry)
    return PartitionedDataset(str(path), crs, geometry, columns, tuple(parts))


def _part_number(path: Path) -> tuple[int, str]:
    digits = "".join(ch for ch in path.stem if ch.isdigit())
    return (int(digits) if digits else -1, path.name)


def _geo_metadata(file: Path) -> tuple[dict, int, list[str]]:
    import pyarrow.parquet as pq

    try:
        info = pq.ParquetFile(file)
    except Exception as exc:  # noqa: BLE001 - pyarrow's many error types: one message
        raise ConvertError(tr("{p} is not a Parquet file ({e}).").format(p=file, e=exc)) from None
    raw = (info.schema_arrow.metadata or {}).get(b"geo")
    if raw is None:
        raise ConvertError(
            tr("{p} is Parquet without geometry metadata (not GeoParquet).").format(p=file)
        )
    return json.loads(raw), info.metadata.num_rows, list(info.schema_arrow.names)


def read_partition(part: Partition | str, columns: list[str] | None = None) -> Any:
    """One part as a GeoDataFrame (only `columns` besides the geometry, when given)."""
    import geopandas as gpd

    return gpd.read_parquet(part.path if isinstance(part, Partition) else part, columns=columns)


def read_all(path: str | Path) -> Any:
    """The whole dataset as one GeoDataFrame, parts in order (for the local engine)."""
    import geopandas as gpd
    import pandas as pd

    data = open_partitioned(path)
    frames = [gpd.read_parquet(p.path) for p in data.partitions]
    gdf = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    if gdf.crs is None and data.crs is not None:
        gdf = gdf.set_crs(data.crs)
    return gdf


# --- writing ------------------------------------------------------------------------------
def convert_to_partitioned(
    source: str | Path,
    out: str | Path,
    partition_size: int = DEFAULT_PARTITION_SIZE,
    feedback: Feedback | None = None,
    protect: tuple[str | Path, ...] = (),
) -> PartitionedDataset:
    """Write `source` (CSV with coordinates, GeoPackage, GeoParquet, any vector file GDAL
    reads) as a Hilbert-sorted partitioned GeoParquet folder at `out`, atomically."""
    feedback = feedback or Feedback()
    source, out = Path(source), Path(out)
    sub = None
    if "::" in str(source):
        text, sub = str(source).split("::", 1)
        source = Path(text)
    if partition_size < 1:
        raise ConvertError(tr("--partition-size must be 1 or more rows."))
    if not source.exists():
        raise ConvertError(tr("File not found: {p}. Check the path.").format(p=source))
    _check_target(source, out, protect)
    reader = _ChunkReader(source, sub)
    parent = out.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
    try:
        data = _write(reader, work, partition_size, feedback)
        if out.exists():  # replaced only now that the new one is complete
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=parent))
            os.replace(out, old / out.name)
            os.replace(work, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(work, out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return open_partitioned(out) if data is None else _moved(data, out)


def _check_target(source: Path, out: Path, protect: tuple[str | Path, ...]) -> None:
    targets = [source.resolve(), *(Path(p).resolve() for p in protect)]
    target = out.resolve()
    for path in targets:
        if target == path or path.is_relative_to(target) or target.is_relative_to(path):
            raise ConvertError(
                tr("--to {p} would write over an input ({i}): choose another folder.").format(
                    p=out, i=path
                )
            )
    if target.exists() and not (target.is_dir() and (target / MANIFEST).exists()):
        raise ConvertError(
            tr(
                "--to {p} exists and is not a dataset written by convert: choose a new name."
            ).format(p=out)
        )


def _moved(data: PartitionedDataset, out: Path) -> PartitionedDataset:
    parts = tuple(
        Partition(str(out / Path(p.path).name), p.rows, p.bounds, p.hilbert)
        for p in data.partitions
    )
    return PartitionedDataset(
        str(out), data.crs, data.geometry, data.columns, parts, data.dropped, data.notes
    )


def _write(
    reader: _ChunkReader, work: Path, partition_size: int, feedback: Feedback
) -> PartitionedDataset:
    import geopandas as gpd
    import pandas as pd

    # Pass 1: extent, rows and a sample of centres.
    bounds = [math.inf, math.inf, -math.inf, -math.inf]
    sample_x, sample_y, total = [], [], 0
    rng = np.random.default_rng(0)
    for x, y in reader.centres(feedback.part(0, 30)):
        if not len(x):
            continue
        bounds = [min(bounds[0], x.min()), min(bounds[1], y.min()),
                  max(bounds[2], x.max()), max(bounds[3], y.max())]  # fmt: skip
        total += len(x)
        pick = rng.choice(len(x), min(len(x), SAMPLE_PER_CHUNK), replace=False)
        sample_x.append(x[pick])
        sample_y.append(y[pick])
    if total == 0:
        raise ConvertError(
            tr("{p}: no row has usable coordinates; nothing to convert.").format(p=reader.path)
        )
    n_parts = max(1, math.ceil(total / partition_size))
    sample = _hilbert(np.concatenate(sample_x), np.concatenate(sample_y), bounds)
    cuts = np.unique(np.quantile(sample, np.arange(1, n_parts) / n_parts, method="lower"))
    # Pass 2: spill each chunk's rows to its part's folder.
    spill = work / ".spill"
    spill.mkdir()
    fb = feedback.part(30, 70)
    for k, chunk in enumerate(reader.chunks(fb)):
        distance = _hilbert_of(chunk.geometry, bounds)
        bucket = np.searchsorted(cuts, distance, side="right")
        chunk = chunk.assign(_hilbert=distance)
        # Spilled as plain Parquet with WKB shapes: reading a GeoParquet back parses its CRS,
        # ~50 ms a file here, and there is a file per chunk and part (docs/cluster.md).
        chunk = chunk.to_wkb()
        for b in np.unique(bucket):
            (spill / str(b)).mkdir(exist_ok=True)
            chunk[bucket == b].to_parquet(spill / str(b) / f"{k}.parquet")
    # Pass 3: sort each part and write it.
    types = reader.column_types()
    parts, fb = [], feedback.part(70, 100)
    buckets = sorted((int(d.name) for d in spill.iterdir()), key=int)
    for i, b in enumerate(buckets):
        fb.check()
        fb.set_progress(100 * i / len(buckets), tr("Writing part {i} of {n}").format(
            i=i + 1, n=len(buckets)))  # fmt: skip
        files = sorted((spill / str(b)).glob("*.parquet"), key=_part_number)
        frame = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
        shapes = gpd.GeoSeries.from_wkb(frame["geometry"], crs=reader.crs)
        frame = gpd.GeoDataFrame(frame, geometry=shapes)
        frame = frame.sort_values("_hilbert", kind="stable").reset_index(drop=True)
        low, high = int(frame["_hilbert"].iloc[0]), int(frame["_hilbert"].iloc[-1])
        frame = _typed(frame.drop(columns="_hilbert"), types)
        name = f"part.{i}.parquet"
        frame.to_parquet(work / name, index=False, write_covering_bbox=False)
        box = tuple(float(v) for v in frame.total_bounds)
        parts.append(Partition(str(work / name), len(frame), box, (low, high)))
        shutil.rmtree(spill / str(b))
        del frame
    shutil.rmtree(spill)
    columns = tuple(c for c in reader.columns if c != "geometry")
    data = PartitionedDataset(
        str(work), reader.crs, "geometry", columns, tuple(parts), reader.dropped
    )
    _write_manifest(work, data, reader, bounds)
    feedback.set_progress(100)  # no "Done": inside a run, the conversion is only its first step
    return data


def _write_manifest(
    folder: Path, data: PartitionedDataset, reader: _ChunkReader, extent: list
) -> None:
    manifest = {
        "format": "harm-atlas partitioned GeoParquet 1",
        "source": str(reader.path),
        "crs": _crs_text(data.crs),
        "geometry": data.geometry,
        "columns": list(data.columns),
        "dropped": data.dropped,
        "hilbert": {"level": HILBERT_LEVEL, "extent": [float(v) for v in extent]},
        "partitions": [
            {
                "file": Path(p.path).name,
                "rows": p.rows,
                "bounds": list(p.bounds),
                "hilbert": list(p.hilbert),
            }
            for p in data.partitions
        ],
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1), "utf-8")


def _crs_text(crs: CRS | None) -> str | None:
    """'EPSG:4326' when the CRS has a code, else its WKT."""
    if crs is None:
        return None
    return crs.to_string() if crs.to_authority() else crs.to_wkt()


def _hilbert(x: np.ndarray, y: np.ndarray, extent: list) -> np.ndarray:
    """Hilbert distances of points over `extent` (GeoSeries.hilbert_distance's numbers)."""
    import geopandas as gpd

    points = gpd.GeoSeries(gpd.points_from_xy(x, y))
    return np.asarray(points.hilbert_distance(total_bounds=extent, level=HILBERT_LEVEL))


def _hilbert_of(geometry: Any, extent: list) -> np.ndarray:
    return np.asarray(geometry.hilbert_distance(total_bounds=extent, level=HILBERT_LEVEL))


def _typed(frame: Any, types: dict[str, str]) -> Any:
    """CSV columns read as text, typed as the whole file allows (one schema for all parts)."""
    import pandas as pd

    for column, kind in types.items():
        if kind == "int":
            frame[column] = pd.to_numeric(frame[column]).astype("int64")
        elif kind == "float":
            frame[column] = pd.to_numeric(frame[column]).astype("float64")
    return frame


class _ChunkReader:
    """The input's rows chunk by chunk, as GeoDataFrames with a CRS and usable shapes."""

    def __init__(self, path: Path, sublayer: str | None) -> None:
        from layers.readers import reader_for

        self.path, self.sublayer = path, sublayer
        self.dropped = 0
        self.crs: CRS | None = None
        self.columns: list[str] = []
        self._kinds: dict[str, str] = {}  # CSV column -> int / float / text
        suffix = path.suffix.lower()
        if suffix in (".csv", ".txt", ".tsv"):
            self.kind = "csv"
            self._csv_setup()
        elif suffix in (".parquet", ".geoparquet"):
            self.kind = "parquet"
        else:
            try:
                reader_for(path)
            except Exception as exc:  # noqa: BLE001 - the reader's own message
                raise ConvertError(str(exc)) from None
            self.kind = "ogr"

    # CSV ---------------------------------------------------------------------------------
    def _csv_setup(self) -> None:
        from layers.encodings import text_encoding
        from layers.report import LoadReport
        from layers.tables import _check_width, _delimiter, coordinate_columns

        self.encoding = text_encoding(self.path, {}, LoadReport(driver="CSV"))
        self.sep = _delimiter(self.path, self.encoding)
        _check_width(self.path, self.sep, self.encoding)
        import pandas as pd

        header = pd.read_csv(self.path, sep=self.sep, encoding=self.encoding, nrows=0)
        pair = coordinate_columns(list(header.columns))
        if pair is None:
            raise ConvertError(
                tr(
                    "{p} has no coordinate columns (latitude/longitude, lat/lon or X/Y): "
                    "convert reads points from them."
                ).format(p=self.path)
            )
        self.pair = pair
        self.crs = WGS84

    def _csv_frames(self, columns: list[str] | None, feedback: Feedback) -> Iterator[Any]:
        import pandas as pd

        size = max(os.path.getsize(self.path), 1)
        with open(self.path, "rb") as raw:
            chunks = pd.read_csv(
                raw,
                sep=self.sep,
                encoding=self.encoding,
                chunksize=CHUNK_ROWS,
                usecols=columns,
                dtype=str,
                keep_default_na=True,
            )
            for chunk in chunks:
                feedback.check()
                feedback.set_progress(100 * raw.tell() / size, tr("Reading {p}").format(
                    p=self.path.name))  # fmt: skip
                yield chunk

    def _csv_points(self, frame: Any) -> Any:
        from layers.report import LoadReport
        from layers.tables import table_to_points

        frame = frame.assign(**{c: _plain_numbers(frame[c]) for c in self.pair})
        gdf = table_to_points(self.path, frame, self.path.stem, LoadReport(driver="CSV")).data
        x = gdf.geometry.x.to_numpy() if len(gdf) else np.empty(0)
        y = gdf.geometry.y.to_numpy() if len(gdf) else np.empty(0)
        # As the full reader: rows without usable lon/lat are dropped (and counted).
        keep = _usable_lonlat(x, y) & ~gdf.geometry.isna().to_numpy()
        return gdf[keep].set_crs(WGS84, allow_override=True), int((~keep).sum())

    # GDAL / Parquet ------------------------------------------------------------------------
    def _ogr_frames(self, feedback: Feedback) -> Iterator[Any]:
        import pyogrio

        info = pyogrio.read_info(str(self.path), layer=self.sublayer)
        total = max(int(info.get("features") or 0), 1)
        start = 0
        while True:
            feedback.check()
            frame = pyogrio.read_dataframe(
                str(self.path), layer=self.sublayer, skip_features=start, max_features=CHUNK_ROWS
            )
            if len(frame) == 0:
                return
            start += len(frame)
            feedback.set_progress(100 * start / total, tr("Reading {p}").format(p=self.path.name))
            yield frame

    def _parquet_frames(self, feedback: Feedback) -> Iterator[Any]:
        import geopandas as gpd
        import pyarrow as pa
        import pyarrow.parquet as pq
        import shapely

        meta, rows, _ = _geo_metadata(self.path)
        name = meta.get("primary_column", "geometry")
        column = meta.get("columns", {}).get(name, {})
        crs = CRS.from_user_input(column["crs"]) if column.get("crs") else None
        crs = WGS84 if "crs" not in column else crs
        done = 0
        for batch in pq.ParquetFile(self.path).iter_batches(batch_size=CHUNK_ROWS):
            feedback.check()
            frame = pa.Table.from_batches([batch]).to_pandas()
            geometry = shapely.from_wkb(frame.pop(name).to_numpy())
            done += len(frame)
            feedback.set_progress(100 * done / max(rows, 1), tr("Reading {p}").format(
                p=self.path.name))  # fmt: skip
            yield gpd.GeoDataFrame(frame, geometry=geometry, crs=crs)

    def _usable(self, gdf: Any) -> Any:
        import shapely

        shapes = np.asarray(gdf.geometry.values)
        keep = ~(shapely.is_missing(shapes) | shapely.is_empty(shapes))
        self.dropped += int((~keep).sum())
        gdf = gdf[keep]
        if gdf.geometry.name != "geometry":
            gdf = gdf.rename_geometry("geometry")
        if gdf.crs is None and len(gdf) and looks_like_lonlat(tuple(gdf.total_bounds)):
            gdf = gdf.set_crs(WGS84)
        return gdf

    # passes --------------------------------------------------------------------------------
    def frames(self, feedback: Feedback) -> Iterator[Any]:
        """Every chunk with usable shapes (rows left out are counted in `dropped`)."""
        self.dropped = 0
        if self.kind == "csv":
            for frame in self._csv_frames(None, feedback):
                for column in frame.columns:
                    self._kinds[column] = _kind(frame[column], self._kinds.get(column))
                gdf, dropped = self._csv_points(frame)
                self.dropped += dropped
                yield gdf
            return
        source = self._parquet_frames(feedback) if self.kind == "parquet" else None
        for gdf in source or self._ogr_frames(feedback):
            yield self._usable(gdf)

    def centres(self, feedback: Feedback) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """x and y of each usable shape's bbox centre, chunk by chunk (CSV: two columns)."""
        if self.kind == "csv":  # the two columns as numbers: no point objects made
            for frame in self._csv_frames(list(self.pair), feedback):
                x, y = (_plain_numbers(frame[c]).to_numpy() for c in self.pair)
                keep = _usable_lonlat(x, y)
                yield x[keep], y[keep]
            return
        for gdf in self.frames(feedback):
            if self.crs is None:
                self.crs = gdf.crs
            b = gdf.geometry.bounds.to_numpy()
            yield (b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2

    def chunks(self, feedback: Feedback) -> Iterator[Any]:
        for gdf in self.frames(feedback):
            if not self.columns:
                self.columns = list(gdf.columns)
            if len(gdf):
                yield gdf

    def column_types(self) -> dict[str, str]:
        """CSV columns every one of whose values is a whole number ("int") or a number
        ("float"): typed so in every part, as pandas types them reading the whole file."""
        return {c: k for c, k in self._kinds.items() if k in ("int", "float")}


def _plain_numbers(values: Any) -> Any:
    """A CSV coordinate column as float64: plain numbers parsed at once (the same floats as
    the table reader's text clean-up, in half its time: 0.23 s vs 0.50 s per million values,
    process time), anything else (decimal commas, stray text) through that clean-up."""
    import pandas as pd

    from layers.tables import _numbers

    try:
        return pd.to_numeric(values).astype("float64")
    except (ValueError, TypeError):
        return _numbers(values)


def _usable_lonlat(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Rows the full reader keeps: both coordinates numbers, on the globe."""
    return np.isfinite(x) & np.isfinite(y) & (np.abs(x) <= 180) & (np.abs(y) <= 90)


def _kind(values: Any, before: str | None) -> str:
    """'int', 'float' or 'text' for a chunk's text column, given the chunks before."""
    import pandas as pd

    if before == "text":
        return "text"
    present = values.dropna()
    try:  # stops at the first word: text columns cost little
        numbers = pd.to_numeric(present)
    except (ValueError, TypeError):
        return "text"
    # pandas gives int64 only when every value is written as a whole number.
    whole = 0 < len(present) == len(values) and pd.api.types.is_integer_dtype(numbers)
    kind = "int" if whole else "float"
    if before == "float" or (before == "int" and kind == "float"):
        return "float"
    return kind


# --- memory -------------------------------------------------------------------------------
def memory_available() -> int | None:
    """Bytes of memory free for a new process now (Linux: MemAvailable), None if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def too_big_for_memory(path: str | Path, available: int | None = None) -> str | None:
    """For the local engine: a message suggesting --engine dask when the file at `path` is
    likely to take more than MEMORY_SHARE of the free memory once read, else None."""
    path = Path(str(path).split("::", 1)[0])
    if path.is_dir():
        size = sum(p.stat().st_size for p in path.glob("*.parquet"))
    elif path.exists():
        size = path.stat().st_size
    else:
        return None
    available = memory_available() if available is None else available
    if not available:
        return None
    need = size * EXPANSION.get(path.suffix.lower(), 4.0)
    if need <= MEMORY_SHARE * available:
        return None
    return tr(
        "{p} ({s} GB on disk) may need more memory than is free ({a} GB): if this run "
        "fails or swaps, run it with --engine dask (add --scheduler tcp://HOST:8786 for a "
        "cluster), after python main.py convert {p} --to {stem}.parquet."
    ).format(p=path, s=number(size / 1e9, 1), a=number(available / 1e9, 1), stem=path.stem)
