"""The structure a project file must have, checked before anything in it is used.

A project may come from someone else: a wrong type anywhere must give one message naming
the field (e.g. `layers[3].source.path`) and what was expected, never a traceback.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from layers.errors import ProjectError
from layers.i18n import tr, tr_noop
from layers.roles import Role

PROJECT_FORMAT = "harm-atlas-project"
PROJECT_VERSION = 1

_KINDS = {
    str: tr_noop("text"),
    dict: tr_noop("an object {…}"),
    list: tr_noop("a list […]"),
    bool: tr_noop("true or false"),
    int: tr_noop("a whole number"),
    float: tr_noop("a number"),
}


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    for t, name in _KINDS.items():
        if type(value) is t:
            return tr(name)
    return type(value).__name__


def _fail(where: str, expected: str, value: Any) -> ProjectError:
    got = repr(value)[:40] if isinstance(value, int | float | str) else _kind(value)
    return ProjectError(
        tr(
            "The project file is damaged or was edited by hand: {where} should be {expected}, "
            "not {got}. Open a backup or its autosave, or fix that field."
        ).format(where=where, expected=expected, got=got)
    )


def _expect(value: Any, types: tuple[type, ...], where: str, optional: bool = True) -> None:
    if value is None and optional:
        return
    # bool is an int in Python: a version or an opacity of `true` is still wrong.
    if isinstance(value, bool) and bool not in types:
        raise _fail(where, " / ".join(tr(_KINDS[t]) for t in types), value)
    if not isinstance(value, types):
        raise _fail(where, " / ".join(tr(_KINDS[t]) for t in types), value)


def check_project(data: Any) -> None:
    """Raise ProjectError naming the first field of `data` that is not as a project has it."""
    if not isinstance(data, dict) or data.get("format") != PROJECT_FORMAT:
        raise ProjectError(tr("This is not a Harm Atlas project file."))
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise _fail("version", tr("a whole number from 1"), version)
    if version > PROJECT_VERSION:
        raise ProjectError(
            tr(
                "This project was saved by a newer Harm Atlas (format {v}); update to open it."
            ).format(v=version)
        )
    _expect(data.get("title"), (str,), "title")
    _expect(data.get("metadata"), (dict,), "metadata")
    _expect(data.get("metric_crs"), (str,), "metric_crs")
    _expect(data.get("export_language"), (str,), "export_language")
    _check_period(data.get("time_filter"))
    _check_extent(data.get("extent"))
    layers = data.get("layers", [])
    _expect(layers, (list,), "layers", optional=False)
    for i, entry in enumerate(layers):
        _check_layer(entry, f"layers[{i}]")
    # Added with region tables (issue 17): optional, so older project files open unchanged.
    from layers.custom_indicators import indicators_from

    indicators_from(data.get("indicators"))


def _check_period(period: Any) -> None:
    _expect(period, (dict,), "time_filter")
    for key in ("start", "end"):
        value = (period or {}).get(key)
        _expect(value, (str,), f"time_filter.{key}")
        if value:
            try:
                date.fromisoformat(value)
            except ValueError:
                raise _fail(f"time_filter.{key}", tr("a date YYYY-MM-DD"), value) from None


def _check_extent(extent: Any) -> None:
    _expect(extent, (list,), "extent")
    if extent is None:
        return
    ok = len(extent) == 4 and all(
        isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in extent
    )
    if not ok or extent[0] > extent[2] or extent[1] > extent[3]:
        raise _fail("extent", tr("four numbers [xmin, ymin, xmax, ymax]"), extent)


LAYER_KINDS = ("vector", "raster", "basemap")


def _check_layer(entry: Any, where: str) -> None:
    _expect(entry, (dict,), where, optional=False)
    _expect(entry.get("name"), (str,), f"{where}.name")
    kind = entry.get("kind")
    _expect(kind, (str,), f"{where}.kind")
    if kind is not None and kind not in LAYER_KINDS:
        raise _fail(f"{where}.kind", ", ".join(LAYER_KINDS), kind)
    source = entry.get("source")
    _expect(source, (dict,), f"{where}.source", optional=False)
    _expect(source.get("path"), (str,), f"{where}.source.path", optional=False)
    if kind in ("raster", "basemap"):  # a basemap is saved as an RGB raster of tiles
        _check_raster(entry, source, where)
        return
    _expect(source.get("sublayer"), (str,), f"{where}.source.sublayer")
    _expect(source.get("options"), (dict,), f"{where}.source.options")
    edits = entry.get("edits")  # where the layer's edits live (absent: not edited)
    _expect(edits, (dict,), f"{where}.edits")
    if edits:
        _expect(edits.get("path"), (str,), f"{where}.edits.path", optional=False)
        _expect(edits.get("sublayer"), (str,), f"{where}.edits.sublayer")
    role = entry.get("role")
    _expect(role, (str,), f"{where}.role")
    if role is not None and role not in {r.value for r in Role}:
        raise _fail(f"{where}.role", ", ".join(r.value for r in Role), role)
    mapping = entry.get("mapping")
    _expect(mapping, (dict,), f"{where}.mapping")
    if mapping:
        fields = mapping.get("fields")
        _expect(fields, (dict,), f"{where}.mapping.fields")
        for key, column in (fields or {}).items():
            _expect(column, (str,), f"{where}.mapping.fields.{key}", optional=False)
        years = mapping.get("year_columns")
        _expect(years, (dict,), f"{where}.mapping.year_columns")
        for year, column in (years or {}).items():
            if not str(year).lstrip("-").isdigit():
                raise _fail(f"{where}.mapping.year_columns", tr("years as keys"), year)
            _expect(column, (str,), f"{where}.mapping.year_columns.{year}", optional=False)
        _check_value_maps(mapping.get("value_maps"), f"{where}.mapping.value_maps")
    _expect(entry.get("style"), (dict,), f"{where}.style")
    _check_layer_state(entry, where)


def _check_value_maps(value_maps: Any, where: str) -> None:
    """The analyst's readings of raw values (absent in projects saved before they existed)."""
    _expect(value_maps, (dict,), where)
    for key, overrides in (value_maps or {}).items():
        _expect(overrides, (dict,), f"{where}.{key}", optional=False)
        for raw, value in overrides.items():
            _expect(value, (str,), f"{where}.{key}.{raw}", optional=False)


def _check_layer_state(entry: dict, where: str) -> None:
    """What every layer entry has, vector or raster: visibility, opacity and metadata."""
    _expect(entry.get("visible"), (bool,), f"{where}.visible")
    opacity = entry.get("opacity")
    _expect(opacity, (int, float), f"{where}.opacity")
    if opacity is not None and not 0.0 <= float(opacity) <= 1.0:
        raise _fail(f"{where}.opacity", tr("a number from 0 to 1"), opacity)
    _expect(entry.get("metadata"), (dict,), f"{where}.metadata")


def _check_raster(entry: dict, source: dict, where: str) -> None:
    """A raster entry: a file or tile folder, its options, its state and a raster style."""
    from layers.raster_style import RasterStyle

    if not source["path"].strip():
        raise _fail(f"{where}.source.path", tr("the path of a raster file or tile folder"), "")
    options = source.get("options")
    _expect(options, (dict,), f"{where}.source.options")
    _expect((options or {}).get("crs"), (str,), f"{where}.source.options.crs")
    _expect((options or {}).get("categorical"), (bool,), f"{where}.source.options.categorical")
    _check_layer_state(entry, where)
    RasterStyle.from_dict(entry.get("style"), where=f"{where}.style", layer=entry.get("name"))
