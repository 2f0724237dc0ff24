"""What every format driver shares: the RawLayer it hands back and the FormatReader it
registers as, reading vector data through GDAL (pyogrio, Arrow), choosing layers by name,
sidecar files, and the zip-bomb guard.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pyogrio.raw
import shapely

from layers.errors import LayerLoadError
from layers.i18n import tr
from layers.report import LoadReport

# Zip-bomb guard: refuse archives that expand past this, or by more than MAX_ZIP_RATIO
# once they are big enough to matter (small XML-heavy archives compress very well).
MAX_ZIP_UNCOMPRESSED = 2 * 1024**3
MAX_ZIP_RATIO = 100
ZIP_RATIO_FLOOR = 64 * 1024**2
# Point layers this large are decoded with numpy (WKB points are 21 fixed bytes): ~2x faster.
FAST_POINTS_MIN = 100_000
# GDAL refuses a GeoJSON feature whose parsed size passes OGR_GEOJSON_MAX_OBJ_SIZE (200 MB
# by default: one polygon of ~1.2 million vertices); 0 lifts the limit (docs/traps.md).
GEOJSON_MAX_OBJECT_MB = 0
# Set on a frame (DataFrame.attrs) whose curves GDAL turned into straight segments.
LINEARISED = "harm_atlas_curves_linearised"


@dataclass
class RawLayer:
    """What a format reader hands back before the shared checks and repairs."""

    name: str
    data: gpd.GeoDataFrame
    report: LoadReport
    sublayer: str | None = None


@dataclass(frozen=True)
class FormatReader:
    name: str
    extensions: tuple[str, ...]
    read: Callable[[Path, str | None, dict], list[RawLayer]]
    sniff: Callable[[bytes, Path], bool] | None = None


# --- files ----------------------------------------------------------------------------------


def file_head(path: Path, size: int = 4096) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(size)


def is_zip(head: bytes) -> bool:
    return head[:4] in (b"PK\x03\x04", b"PK\x05\x06")


def sibling(path: Path, ext: str) -> Path | None:
    for candidate in (path.with_suffix(ext), path.with_suffix(ext.upper())):
        if candidate.exists():
            return candidate
    return None


def guard_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, NotImplementedError, ValueError, EOFError) as exc:
        raise LayerLoadError(
            path, tr("is a damaged zip archive."), tr("Copy or download it again.")
        ) from exc
    total = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    ratio = total / packed
    if total > MAX_ZIP_UNCOMPRESSED or (total > ZIP_RATIO_FLOOR and ratio > MAX_ZIP_RATIO):
        raise LayerLoadError(
            path,
            tr(
                "would expand to {size:,.0f} MB ({ratio:,.0f} times its size): refused, as it "
                "looks like a zip bomb or is too large to open safely."
            ).format(size=total / 1024**2, ratio=ratio),
            tr("If you trust it, unpack it yourself and open the files inside."),
        )


# --- reading through GDAL -------------------------------------------------------------------


def read_vector(
    source: str, layer: str | None = None, fast_points: bool = True, **kwargs
) -> gpd.GeoDataFrame:
    """One layer through GDAL. fast_points=False for GeoJSON: GDAL parses the whole text at
    every open, so the point fast path's three opens cost twice one plain read."""
    _lift_geojson_limit()
    try:
        gdf = _read_many_points(source, layer, **kwargs) if fast_points else None
        if gdf is None:
            gdf = pyogrio.read_dataframe(source, layer=layer, use_arrow=True, **kwargs)
    except shapely.errors.GEOSException:
        # One undecodable shape (e.g. a 3-point ring) must not cost the whole file.
        gdf = _read_vector_leniently(source, layer, **kwargs)
    except NotImplementedError as exc:
        if not is_curve_error(exc):
            raise
        gdf = _read_linearised(source, layer, **kwargs)
    if not isinstance(gdf, gpd.GeoDataFrame):  # a table without geometry
        raise ValueError("no geometry column")
    return gdf


def _lift_geojson_limit() -> None:
    # Process-wide in GDAL and read only by its GeoJSON driver; set before each open so the
    # value in force is always this module's.
    pyogrio.set_gdal_config_options({"OGR_GEOJSON_MAX_OBJ_SIZE": str(GEOJSON_MAX_OBJECT_MB)})


def is_curve_error(exc: BaseException) -> bool:
    """Shapely's refusal of arcs (CircularString, CompoundCurve, CurvePolygon, MultiSurface)."""
    return "nonlinear geometry" in str(exc).lower()


def _read_linearised(source: str, layer: str | None, **kwargs) -> gpd.GeoDataFrame:
    """Curved geometries as GDAL's straight-segment approximation (arcs in 4° steps).

    Arrow hands over the WKB as stored, curves included; pyogrio's feature-by-feature read
    asks GDAL for the linear geometry instead.
    """
    try:
        gdf = pyogrio.read_dataframe(source, layer=layer, use_arrow=False, **kwargs)
    except shapely.errors.GEOSException:
        meta, _, wkb, values = pyogrio.raw.read(source, layer=layer, **kwargs)
        data = dict(zip(meta["fields"], values, strict=True))
        geoms = shapely.from_wkb(wkb, on_invalid="ignore")
        gdf = gpd.GeoDataFrame(data, geometry=geoms, crs=meta.get("crs"))
    gdf.attrs[LINEARISED] = True
    return gdf


def _read_many_points(source: str, layer: str | None, **kwargs) -> gpd.GeoDataFrame | None:
    """Big 2-D point layers: attributes as pyogrio reads them, points decoded with numpy.

    None when the layer is not a large point layer (the caller reads it the usual way).
    """
    try:
        info = pyogrio.read_info(source, layer=layer, **kwargs)
    except Exception:  # noqa: BLE001 - any doubt: the ordinary read decides and reports
        return None
    if info.get("geometry_type") != "Point" or (info.get("features") or 0) < FAST_POINTS_MIN:
        return None
    attributes = pyogrio.read_dataframe(
        source, layer=layer, use_arrow=True, read_geometry=False, **kwargs
    )
    meta, table = pyogrio.read_arrow(source, layer=layer, columns=[], **kwargs)
    if table.num_columns != 1 or table.num_rows != len(attributes):
        return None
    geometry = _points_from_wkb(table.column(0).combine_chunks())
    return gpd.GeoDataFrame(attributes, geometry=geometry, crs=meta.get("crs"))


def _points_from_wkb(column) -> np.ndarray:
    """Shapely points from an Arrow WKB column; anything but plain 2-D points goes to GEOS."""
    import pyarrow as pa

    wide = pa.types.is_large_binary(column.type)
    if column.null_count == 0 and (wide or pa.types.is_binary(column.type)) and len(column):
        offsets = np.frombuffer(column.buffers()[1], dtype=np.int64 if wide else np.int32)
        offsets = offsets[column.offset : column.offset + len(column) + 1]
        if (np.diff(offsets) == 21).all():
            raw = np.frombuffer(column.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
            records = raw.reshape(-1, 21)
            kinds = records[:, 1:5].copy().view("<u4").ravel()
            if (records[:, 0] == 1).all() and (kinds == 1).all():  # little-endian WKB Point
                xy = records[:, 5:21].copy().view("<f8")
                points = shapely.points(xy)
                empty = np.isnan(xy).all(axis=1)  # WKB writes POINT EMPTY as NaN NaN
                points[empty] = shapely.from_wkt("POINT EMPTY")
                return points
    return shapely.from_wkb(column.to_numpy(zero_copy_only=False))


def _read_vector_leniently(source: str, layer: str | None, **kwargs) -> gpd.GeoDataFrame:
    """Arrow read with WKB decoded one by one: broken shapes become null (counted later)."""
    meta, table = pyogrio.read_arrow(source, layer=layer, **kwargs)
    geom_col = meta.get("geometry_name") or "wkb_geometry"
    wkb = table.column(geom_col).to_numpy(zero_copy_only=False)
    geoms = shapely.from_wkb(wkb, on_invalid="ignore")
    data = table.drop_columns([geom_col]).to_pandas()
    return gpd.GeoDataFrame(data, geometry=geoms, crs=meta.get("crs"))


def vector_layer_names(source: str) -> list[str]:
    """Layers with geometry (GeoPackage attribute-only tables are not map layers)."""
    _lift_geojson_limit()  # opening a GeoJSON scans every feature already
    listed = pyogrio.list_layers(source)
    return [str(name) for name, geom in listed if geom is not None]


def pick(where: Path, names: list[str], sublayer: str | None) -> list[str]:
    if sublayer is None:
        return names
    if sublayer in names:
        return [sublayer]
    lowered = {n.lower(): n for n in names}
    if sublayer.lower() in lowered:
        return [lowered[sublayer.lower()]]
    raise LayerLoadError(
        where,
        tr("has no layer named '{name}'.").format(name=sublayer),
        tr("Layers in this file: {names}.").format(names=", ".join(names) or tr("none")),
    )


def read_multi(
    path: Path, sublayer: str | None, driver: str, source: str | None = None
) -> list[RawLayer]:
    """Each geometry layer of a multi-layer file (or just `sublayer`), named as the user knows it."""
    source = source or str(path)
    names = pick(path, vector_layer_names(source), sublayer)
    raws = []
    for name in names:
        gdf = read_vector(source, layer=name)
        single = len(names) == 1 and sublayer is None and name.lower() == path.stem.lower()
        raws.append(
            RawLayer(
                path.stem if single else name,
                gdf,
                LoadReport(driver=driver, encoding="utf-8"),
                None if single else name,
            )
        )
    return raws
