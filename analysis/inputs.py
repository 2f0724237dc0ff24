"""Turn what the user typed (paths, layer names, dates, lists) into the values `run()` takes.

Every problem a user can cause here raises InputError with one line: what is wrong and
what to do. The CLI prints it and exits 2; the desktop shows it in a message.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from pyproj import CRS

from layers.crs import (
    UTM_MAX_WIDTH_DEG,
    WGS84,
    choose_metric_crs,
    lonlat_bounds,
    looks_like_lonlat,
)
from layers.errors import LayerLoadError, ProjectError
from layers.feedback import Feedback
from layers.i18n import tr
from layers.layer import Layer, is_raster
from layers.numbers import parse_number
from layers.readers_points import PointCoordinates, read_point_coordinates

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

    from analysis.base import Algorithm, AnalysisResult, Parameter
    from layers.partitioned import PartitionedSource
    from layers.project import Project

# Key under which the desktop (or --project) hands the project's metric CRS to run().
METRIC_CRS_KEY = "metric_crs"
# Key under which the project itself is handed over (for defaults such as the study region).
PROJECT_KEY = "project"


class InputError(ValueError):
    """A value the user gave cannot be used; the message says what and what to do."""


# --- layers -------------------------------------------------------------------------------
def split_layer_spec(text: str) -> tuple[str, str | None]:
    """'data.gpkg::rivers' -> ('data.gpkg', 'rivers'); 'a.shp' -> ('a.shp', None)."""
    if "::" in text:
        path, sub = text.split("::", 1)
        return path, (sub or None)
    return text, None


def read_layer(spec: str) -> Layer:
    """Read one layer from 'PATH' or 'PATH::sublayer' through the project's reader."""
    from layers.readers import read_layers

    path, sub = split_layer_spec(spec)
    if not Path(path).exists():
        raise InputError(tr("File not found: {p}. Check the path.").format(p=path))
    try:
        found = read_layers(path, sublayer=sub)
    except LayerLoadError as exc:
        raise InputError(exc.one_line()) from None
    if not found:
        raise InputError(tr("{p}: no layer found in this file.").format(p=path))
    if len(found) > 1 and sub is None:
        names = ", ".join(layer.source.sublayer or layer.name for layer in found)
        raise InputError(
            tr("{p} holds several layers ({names}); pick one with {p}::NAME.").format(
                p=path, names=names
            )
        )
    return found[0]


def resolve_layer(
    value: Any,
    project: Project | None = None,
    parameter: Parameter | None = None,
    coordinates: bool = False,
) -> Layer | PointCoordinates | None:
    """A Layer from a Layer, a project layer name, or a path; checks the geometry kind.

    coordinates=True (the run uses no attribute of this point layer): a file is read as its
    points' coordinates when that is safe (layers/readers_points.py), else as a Layer.
    """
    # A GeoDataFrame exists only once GeoPandas is imported: a path never needs it (~0.5 s).
    gpd = sys.modules.get("geopandas")
    if value is None or value == "":
        return None
    if isinstance(value, PointCoordinates):
        return value  # read as coordinates already (a second resolve returns it as it is)
    if isinstance(value, Layer):
        layer = value
    elif gpd is not None and isinstance(value, gpd.GeoDataFrame):
        layer = Layer(value, parameter.name if parameter else "layer")
    else:
        text = str(value)
        layer = None
        if project is not None and text in project.layers.names():
            layer = project.layer(text)
        elif project is not None and not Path(split_layer_spec(text)[0]).exists():
            raise InputError(
                tr("{v!r} is neither a layer of the project nor a file. Layers: {names}.").format(
                    v=text, names=", ".join(project.known_layer_names())
                )
            )
        if layer is None and coordinates and Path(split_layer_spec(text)[0]).exists():
            points = read_point_coordinates(*split_layer_spec(text))
            if points is not None:
                return points  # a point layer by construction, never empty
        if layer is None:
            layer = read_layer(text)
    if is_raster(layer):  # a grid has no features to count, buffer or join
        raise InputError(
            tr(
                "{flag} {name!r} is a raster; this needs a vector layer (points, lines or "
                "polygons). Rasters go to the zonal statistics (analyze zonal --raster)."
            )
            .format(flag=parameter.flag if parameter else "", name=layer.name)
            .strip()
        )
    if parameter is not None:
        check_geometry(layer, parameter.geometry, parameter.flag)
    return layer


def check_geometry(layer: Layer, accepted: Iterable[str], flag: str = "") -> None:
    accepted = tuple(accepted)
    if layer.data.empty:
        raise InputError(
            tr("{flag} layer {name!r} has no features.").format(flag=flag, name=layer.name).strip()
        )
    if not accepted:
        return
    kind = _geometry_kind(layer.data)
    if kind not in accepted:
        raise InputError(
            tr("{flag} layer {name!r} has {kind} geometries; this needs {want}.").format(
                flag=flag, name=layer.name, kind=kind, want=" or ".join(accepted)
            )
        )


_KINDS = {0: "point", 4: "point", 1: "line", 2: "line", 5: "line", 3: "polygon", 6: "polygon"}


def _geometry_kind(gdf: gpd.GeoDataFrame) -> str:
    """Layer.geometry_kind's answer from type ids: no million type-name strings."""
    import shapely

    ids = np.unique(shapely.get_type_id(np.asarray(gdf.geometry.values)))
    kinds = {_KINDS.get(int(i), "mixed") for i in ids if i >= 0}
    return kinds.pop() if len(kinds) == 1 else ("mixed" if kinds else "empty")


def require_field(layer: Layer, column: str | None, flag: str = "") -> str | None:
    """`column` if the layer has it; else an InputError listing the fields it does have."""
    if column in (None, ""):
        return None
    if column not in layer.data.columns:
        fields = [c for c in layer.data.columns if c != layer.data.geometry.name]
        raise InputError(
            tr("{flag}: layer {name!r} has no field {col!r}. Fields: {fields}.").format(
                flag=flag or tr("field"), name=layer.name, col=column, fields=", ".join(fields)
            )
        )
    return column


def date_column(layer: Layer, column: str | None = None, flag: str = "") -> str | None:
    """The column holding each feature's date: the one given, else the layer's mapped date."""
    if column:
        return require_field(layer, column, flag)
    for key in ("date", "year"):
        mapped = layer.field(key)
        if mapped and mapped in layer.data.columns:
            return mapped
    return None


def feature_dates(data: Layer | pd.DataFrame, column: str) -> pd.Series:
    """Timestamps of each row from `column` (dates, ISO text, or bare years)."""
    import pandas as pd

    values = (data.data if isinstance(data, Layer) else data)[column]
    if pd.api.types.is_datetime64_any_dtype(values):
        return pd.to_datetime(values).dt.tz_localize(None) if values.dt.tz else values
    numeric = pd.to_numeric(values, errors="coerce")
    if numeric.notna().mean() > 0.9 and numeric.dropna().between(1800, 2200).all():
        return pd.to_datetime(numeric.astype("Int64").astype(str) + "-07-01", errors="coerce")
    return pd.to_datetime(values, errors="coerce", format="mixed")


def where_mask(layer: Layer, text: str | None, flag: str = "") -> np.ndarray | None:
    """Rows whose FIELD equals VALUE, from 'FIELD=VALUE' or 'FIELD=V1|V2'; None = all rows."""
    import pandas as pd

    if not text:
        return None
    if "=" not in text:
        raise InputError(
            tr("{flag}: write FIELD=VALUE (or FIELD=V1|V2), not {t!r}.").format(flag=flag, t=text)
        )
    column, values = (part.strip() for part in text.split("=", 1))
    require_field(layer, column, flag)
    wanted = [v.strip() for v in values.split("|")]
    series = layer.data[column]
    mask = series.astype("string").str.strip().isin(wanted).fillna(False).to_numpy(dtype=bool)
    if not mask.any():
        named = [v for v in pd.unique(series.dropna().astype(str).str.strip()) if v]
        seen = ", ".join(named[:8])  # blanks say nothing
        raise InputError(
            tr("{flag}: no feature has {c} = {v}. Values include: {seen}.").format(
                flag=flag, c=column, v=values, seen=seen
            )
        )
    return mask


# --- CRS ----------------------------------------------------------------------------------
def metric_crs_for(*layers: Layer | gpd.GeoDataFrame | None) -> CRS:
    """A projected CRS in metres for the union of the layers' lon/lat extents."""
    quick = _utm_zone_without_every_point(layers)
    if quick is not None:
        return quick
    boxes = []
    for item in layers:
        if item is None:
            continue
        if isinstance(item, PointCoordinates):
            boxes.append(item.lonlat_bounds())
            continue
        gdf = item.data if isinstance(item, Layer) else item
        if gdf.empty:
            continue
        b = lonlat_bounds(_with_crs(gdf))
        if all(math.isfinite(v) for v in b):
            boxes.append(b)
    if not boxes:
        raise InputError(tr("No features to work on: every input layer is empty."))
    union = (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )
    return choose_metric_crs(union)


def _utm_zone_without_every_point(layers: Iterable[Any]) -> CRS | None:
    """The UTM zone choose_metric_crs would pick, when coordinate-only layers settle it from
    boxes around their lon/lat bounds (PointCoordinates.lonlat_bounds_between); None when
    they do not (or another kind of layer is given): then every point is transformed."""
    given = [item for item in layers if item is not None]
    if not given or not all(isinstance(item, PointCoordinates) for item in given):
        return None
    try:
        pairs = [item.lonlat_bounds_between() for item in given]
    except Exception:  # noqa: BLE001 - a CRS pyproj cannot bound: transform every point
        return None
    inner = [min(p[0][0] for p in pairs), min(p[0][1] for p in pairs),
             max(p[0][2] for p in pairs), max(p[0][3] for p in pairs)]  # fmt: skip
    outer = [min(p[1][0] for p in pairs), min(p[1][1] for p in pairs),
             max(p[1][2] for p in pairs), max(p[1][3] for p in pairs)]  # fmt: skip
    if not all(math.isfinite(v) for v in inner + outer):
        return None
    # The true bounds lie between the boxes: the centre between these, the width below outer's.
    cx = ((outer[0] + inner[2]) / 2, (inner[0] + outer[2]) / 2)
    cy = ((outer[1] + inner[3]) / 2, (inner[1] + outer[3]) / 2)
    choices = {
        choose_metric_crs((x - 1e-9, y - 1e-9, x + 1e-9, y + 1e-9)).to_epsg()
        for x in cx
        for y in cy
    }
    narrow = outer[2] - outer[0] <= UTM_MAX_WIDTH_DEG
    if not narrow or len(choices) != 1 or None in choices or not -80 <= min(cy) <= max(cy) <= 84:
        return None
    return CRS.from_epsg(choices.pop())


def _with_crs(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Data without a CRS is taken as lon/lat when its numbers fit, else refused."""
    if gdf.crs is not None:
        return gdf
    if looks_like_lonlat(tuple(gdf.total_bounds)):
        return gdf.set_crs(WGS84)
    raise InputError(
        tr("A layer has no coordinate system and its numbers are not lon/lat; add a .prj.")
    )


def in_metric(layer: Layer | None, crs: CRS) -> gpd.GeoDataFrame | None:
    """The layer's features in the metric CRS (cached on the layer), without empty shapes."""
    import shapely

    if layer is None:
        return None
    if layer.data.crs is None:
        gdf = _with_crs(layer.data).to_crs(crs)
    else:
        gdf = layer.to_metric(crs)
    shapes = np.asarray(gdf.geometry.values)  # the shapely array, no pandas round trip
    keep = ~(shapely.is_missing(shapes) | shapely.is_empty(shapes))
    return gdf if keep.all() else gdf[keep]


def run_crs(params: dict, *layers: Layer | None) -> CRS:
    """The project's metric CRS when run from a project, else one chosen from the inputs."""
    crs = params.get(METRIC_CRS_KEY)
    if crs is not None:
        return CRS.from_user_input(crs)
    return metric_crs_for(*layers)


# --- scalars ------------------------------------------------------------------------------
def parse_date(value: Any, flag: str = "") -> date | None:
    """'2019-03-01', '2019' (1 July) or a date -> date; InputError otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if len(text) == 4 and text.isdigit():
        return date(int(text), 7, 1)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(
            tr("{flag}: {v!r} is not a date; write it as YYYY-MM-DD.").format(
                flag=flag or tr("date"), v=text
            )
        ) from None


def parse_numbers(value: Any, flag: str = "") -> list[float] | None:
    """'1, 0.68,0.22' -> [1.0, 0.68, 0.22]."""
    if value is None or value == "":
        return None
    if isinstance(value, list | tuple | np.ndarray):
        return [float(v) for v in value]
    try:
        return [float(part) for part in str(value).replace(";", ",").split(",") if part.strip()]
    except ValueError:
        raise InputError(
            tr("{flag}: {v!r} is not a list of numbers; write them as 1,0.68,0.22.").format(
                flag=flag or tr("numbers"), v=value
            )
        ) from None


def _number(value: Any, kind: str, flag: str) -> float | int | None:
    if value is None or value == "":
        return None
    try:  # the same check as the attribute form's number fields (layers/numbers.py)
        return parse_number(value, flag, whole=kind == "integer")
    except ValueError as exc:
        raise InputError(str(exc)) from None


def require_positive(value: float | None, flag: str, allow_zero: bool = False) -> None:
    if value is None:
        return
    if value < 0 or (value == 0 and not allow_zero):
        raise InputError(
            tr("{flag} must be {cond}, not {v}.").format(
                flag=flag, cond=tr("zero or more") if allow_zero else tr("above zero"), v=value
            )
        )


def areas_around_points(
    geoms: np.ndarray, radius: float | None, flag: str, no_radius: str
) -> np.ndarray:
    """Polygons as they are; points as circles of `radius` metres, the area an operation
    recorded as a point covered. Raises InputError(no_radius) when points come with no radius."""
    import shapely  # here: `analyze kde --out x.tif` reads this module and must not load shapely

    points = np.isin(shapely.get_type_id(geoms), (0, 4))  # Point, MultiPoint
    if not points.any():
        return geoms
    if not radius:
        raise InputError(no_radius)
    require_positive(radius, flag)
    out = geoms.copy()
    out[points] = shapely.buffer(geoms[points], radius)  # a polygon beside them keeps its size
    return out


# --- whole parameter sets -----------------------------------------------------------------
def resolve_params(
    algorithm: Algorithm, raw: dict[str, Any], project: Project | None = None
) -> dict[str, Any]:
    """Defaults filled, layers read, fields checked, numbers and dates parsed."""
    try:
        params = algorithm.validate(raw)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    # Point layers the run takes only the coordinates of (Algorithm.coordinates_only, optional).
    hook = getattr(algorithm, "coordinates_only", None)
    light = set(hook(params)) if hook is not None else set()
    # Layers a cluster run reads partition by partition (Algorithm.partitioned_inputs,
    # optional; analysis/engine.py): given as a PartitionedSource, never read here.
    hook = getattr(algorithm, "partitioned_inputs", None)
    on_disk = set(hook(params)) if hook is not None else set()
    for p in algorithm.parameters:
        value = params.get(p.name)
        if p.kind == "layer" and p.name in on_disk:
            params[p.name] = resolve_partitioned(value, project, p)
        elif p.kind == "layer":
            params[p.name] = resolve_layer(value, project, p, coordinates=p.name in light)
        elif p.kind in ("number", "integer"):
            params[p.name] = _number(value, p.kind, p.flag)
        elif p.kind == "date":
            params[p.name] = parse_date(value, p.flag)
        elif p.kind == "numbers":
            params[p.name] = parse_numbers(value, p.flag)
        elif p.kind == "bool":
            params[p.name] = bool(value)
    for p in algorithm.parameters:
        if p.kind == "field" and params.get(p.name) and p.parent:
            parent = params.get(p.parent)
            if isinstance(parent, Layer):
                require_field(parent, params[p.name], p.flag)
    if project is not None:
        params.setdefault(METRIC_CRS_KEY, project.metric_crs)
        params.setdefault(PROJECT_KEY, project)
    return params


def execute(
    algorithm: Algorithm,
    raw: dict[str, Any],
    project: Project | None = None,
    feedback: Feedback | None = None,
) -> AnalysisResult:
    """Resolve and validate what the user gave (text, numbers, layer names or files, Layers),
    once, then run: the one way into an analysis for the desktop, the CLI
    (core.runner.run_analysis) and analyses that call one another."""
    feedback = feedback or Feedback()
    warning = _memory_warning(algorithm, raw, project)
    if warning:
        feedback.info(warning)
    result = algorithm.run(resolve_params(algorithm, dict(raw), project), feedback)
    if warning:
        result.notes.insert(0, warning)
    feedback.finish()  # said here, once, for every analysis
    return result


def _memory_warning(algorithm: Algorithm, raw: dict[str, Any], project: Project | None) -> str:
    """For a local run of an analysis that can run on a cluster (it declares
    partitioned_inputs): a suggestion of --engine dask when an input looks larger than the
    free memory (layers/partitioned.py too_big_for_memory), else ''."""
    from layers.partitioned import too_big_for_memory

    if getattr(algorithm, "partitioned_inputs", None) is None:
        return ""
    if str(raw.get("engine") or "local") != "local":
        return ""
    for p in algorithm.parameters:
        value = raw.get(p.name)
        if p.kind != "layer" or not isinstance(value, str) or not value:
            continue  # a Layer given is in memory already: too late to warn
        if project is not None and value in project.layers.names():
            continue  # a project's layer was read when the project opened
        path = _layer_path(value, project)
        message = too_big_for_memory(path) if path else None
        if message:
            return message
    return ""


def _layer_path(value: Any, project: Project | None) -> str | None:
    """The file behind a layer argument (a Layer, a project layer's name, or PATH[::LAYER])."""
    if isinstance(value, Layer):
        return value.source.path or None
    if isinstance(value, PointCoordinates):
        return value.path or None
    if not isinstance(value, str | Path):
        return None
    text = str(value)
    if project is not None and text in project.layers.names():
        return project.layer(text).source.path or None
    return split_layer_spec(text)[0]


def resolve_partitioned(
    value: Any, project: Project | None = None, parameter: Parameter | None = None
) -> PartitionedSource:
    """Where a cluster run reads a layer from, without reading it: a partitioned GeoParquet
    (python main.py convert), or a file the run converts first (layers/partitioned.py)."""
    from layers.partitioned import PartitionedSource

    flag = parameter.flag if parameter else ""
    if isinstance(value, PartitionedSource):
        return value
    path = _layer_path(value, project)
    if not path:
        raise InputError(
            tr("{flag}: --engine dask reads layers from files; save this layer first.")
            .format(flag=flag)
            .strip()
        )
    if not Path(path).exists():
        raise InputError(tr("File not found: {p}. Check the path.").format(p=path))
    if isinstance(value, Layer):
        return PartitionedSource(path, value.source.sublayer, value.name)
    text = str(value)
    if isinstance(value, str) and project is not None and text in project.layers.names():
        layer = project.layer(text)
        return PartitionedSource(path, layer.source.sublayer, layer.name)
    sub = split_layer_spec(text)[1] if isinstance(value, str) else None
    return PartitionedSource(path, sub, Path(path).stem)


def load_project(path: str | None) -> Project | None:
    """The --project given (None without one); layers that failed are warnings on stderr."""
    from layers.command_support import open_project

    try:
        return open_project(path, sample_when_missing=False)
    except ProjectError as exc:
        raise InputError(str(exc)) from None
