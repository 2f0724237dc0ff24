"""The typed fields of an editable layer: what the attribute form shows and what it accepts.

A field is text, integer, real, date or choice (one of the role's known values, such as the
eradication method or the facility type). A value typed in the wrong type raises EditError
with one line saying what is wrong; nothing is stored then. Docs: docs/editing.md.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from layers.i18n import tr, tr_noop
from layers.numbers import parse_number
from layers.roles import FieldMapping, Role

if TYPE_CHECKING:
    import geopandas as gpd

    from layers.layer import Layer

FIELD_TYPE_LABELS = {
    "text": tr_noop("text"),
    "integer": tr_noop("whole number"),
    "real": tr_noop("number"),
    "date": tr_noop("date"),
    "choice": tr_noop("one of a list"),
}
FIELD_TYPES = tuple(FIELD_TYPE_LABELS)  # in the order the dialogs offer them
# Where a layer keeps its field schema (saved with the project, in the layer's metadata).
FIELDS_KEY = "edit_fields"


class EditError(ValueError):
    """An edit that cannot be applied; the message says what and what to do."""


@dataclass(frozen=True)
class FieldSpec:
    """One attribute column: its name, type, the values a choice allows, and the canonical
    key (layers.roles.FIELD_KEYS) it fills for the analyses, if any."""

    name: str
    type: str = "text"
    choices: tuple[str, ...] = ()
    key: str = ""

    def __post_init__(self) -> None:
        if not str(self.name).strip():
            raise EditError(tr("A field needs a name."))
        if self.type not in FIELD_TYPES:
            raise EditError(
                tr("Field {f!r}: the type must be one of {types}, not {t!r}.").format(
                    f=self.name, types=", ".join(FIELD_TYPES), t=self.type
                )
            )
        if self.type == "choice" and not self.choices:
            raise EditError(tr("Field {f!r}: a choice field needs its values.").format(f=self.name))

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "type": self.type,
            "choices": list(self.choices),
            "key": self.key,
        }

    @classmethod
    def from_dict(cls, data: dict) -> FieldSpec:
        return cls(
            str(data["name"]),
            str(data.get("type", "text")),
            tuple(str(c) for c in data.get("choices") or ()),
            str(data.get("key") or ""),
        )

    def validate(self, value: Any) -> Any:
        """The value as stored (None for empty), or EditError naming the field and the type."""
        if _empty(value):
            return None
        if self.type == "text":
            return str(value)
        if self.type == "choice":
            text = str(value).strip()
            for choice in self.choices:
                if choice.casefold() == text.casefold():
                    return choice
            raise EditError(
                tr("{f}: {v!r} is not one of the values allowed: {choices}.").format(
                    f=self.name, v=text, choices=", ".join(self.choices)
                )
            )
        if self.type == "date":
            return _as_date(value, self.name)
        try:  # the same number check as an analysis's flags, with '12,5' as typed in Spanish
            number = parse_number(
                value, self.name, whole=self.type == "integer", decimal_comma=True
            )
        except ValueError as exc:
            raise EditError(str(exc)) from None
        return number if self.type == "integer" else float(number)


def _empty(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float) and math.isnan(value):
        return True
    return False


def _as_date(value: Any, name: str) -> pd.Timestamp:
    if isinstance(value, pd.Timestamp):
        return value.tz_localize(None).normalize() if value.tz else value.normalize()
    if isinstance(value, datetime):
        return pd.Timestamp(value.date())
    if isinstance(value, date):
        return pd.Timestamp(value)
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).normalize()
    from layers.dates import parse_day

    try:
        return pd.Timestamp(parse_day(str(value)))
    except (ValueError, TypeError):
        raise EditError(
            tr("{f}: {v!r} is not a date; write it as YYYY-MM-DD or DD/MM/YYYY.").format(
                f=name, v=value
            )
        ) from None


# --- the fields each role starts with -----------------------------------------------------
# Values the analyses recognise (analysis/indicators.py reads manual/aerial; access reads
# facility types; ACLED's event types).
ERADICATION_METHODS = ("manual", "aerial")
FACILITY_TYPES = ("hospital", "clinic", "centre", "pharmacy", "harm_reduction")
FACILITY_STATUS = ("operational", "closed")
EVENT_TYPES = (
    "Battles",
    "Violence against civilians",
    "Explosions/Remote violence",
    "Protests",
    "Riots",
    "Strategic developments",
)
KNOWN_VALUES: dict[tuple[Role, str], tuple[str, ...]] = {
    (Role.ERADICATION, "method"): ERADICATION_METHODS,
    (Role.HEALTH_SERVICES, "facility_type"): FACILITY_TYPES,
    (Role.HEALTH_SERVICES, "status"): FACILITY_STATUS,
    (Role.VIOLENCE, "event_type"): EVENT_TYPES,
}

_NAME = FieldSpec("name", "text", key="name")
_NOTE = FieldSpec("note", "text")
ROLE_FIELDS: dict[Role, tuple[FieldSpec, ...]] = {
    Role.ERADICATION: (
        FieldSpec("date", "date", key="date"),
        FieldSpec("hectares", "real", key="hectares"),
        FieldSpec("method", "choice", ERADICATION_METHODS, key="method"),
        FieldSpec("campaign", "text"),
        _NOTE,
    ),
    Role.HEALTH_SERVICES: (
        _NAME,
        FieldSpec("facility_type", "choice", FACILITY_TYPES, key="facility_type"),
        FieldSpec("status", "choice", FACILITY_STATUS, key="status"),
        FieldSpec("capacity", "integer", key="capacity"),
        FieldSpec("opened", "date"),
    ),
    Role.VIOLENCE: (
        FieldSpec("date", "date", key="date"),
        FieldSpec("event_type", "choice", EVENT_TYPES, key="event_type"),
        FieldSpec("fatalities", "integer", key="fatalities"),
        FieldSpec("location", "text", key="name"),
        _NOTE,
    ),
    Role.ADMIN_BOUNDARIES: (
        FieldSpec("region_code", "text", key="region_code"),
        _NAME,
        FieldSpec("population", "integer", key="population"),
    ),
    Role.SETTLEMENTS: (_NAME, FieldSpec("population", "integer", key="population")),
    Role.PROTECTED_AREAS: (_NAME, FieldSpec("iucn_category", "text", key="iucn_category")),
}


def role_fields(role: Role | str) -> list[FieldSpec]:
    """The fields a new layer of `role` starts with (a name and a note for other roles)."""
    return list(ROLE_FIELDS.get(Role(role), (_NAME, FieldSpec("date", "date"), _NOTE)))


def mapping_for(fields: list[FieldSpec]) -> FieldMapping:
    """The canonical keys the fields fill, so analyses find the date, method, etc."""
    return FieldMapping(fields={f.key: f.name for f in fields if f.key})


def layer_fields(layer: Layer, only: Iterable[str] | None = None) -> list[FieldSpec]:
    """The layer's fields: its saved schema, else read from its columns' types, with the
    role's known values as choices for mapped keys (plus the values the data already has).
    `only`: just these columns (an edit of two fields of a big layer reads two columns)."""
    saved = layer.metadata.get(FIELDS_KEY)
    if saved:
        return [FieldSpec.from_dict(f) for f in saved]
    data = layer.data
    keys = {column: key for key, column in layer.mapping.fields.items()}
    wanted = None if only is None else {str(c) for c in only}
    out: list[FieldSpec] = []
    for column in data.columns:
        if column == data.geometry.name or (wanted is not None and str(column) not in wanted):
            continue
        dtype = data[column].dtype
        key = keys.get(column, "")
        known = KNOWN_VALUES.get((layer.role, key))
        if known:
            present = [str(v) for v in pd.unique(data[column].dropna().astype(str)) if str(v)]
            choices = tuple(dict.fromkeys([*known, *present[:50]]))
            out.append(FieldSpec(str(column), "choice", choices, key))
        elif pd.api.types.is_bool_dtype(dtype):
            out.append(FieldSpec(str(column), "integer", key=key))
        elif pd.api.types.is_integer_dtype(dtype):
            out.append(FieldSpec(str(column), "integer", key=key))
        elif pd.api.types.is_float_dtype(dtype):
            out.append(FieldSpec(str(column), "real", key=key))
        elif pd.api.types.is_datetime64_any_dtype(dtype):
            out.append(FieldSpec(str(column), "date", key=key))
        else:
            out.append(FieldSpec(str(column), "text", key=key))
    return out


def field_by_name(
    fields: list[FieldSpec], name: str, layer_name: str = "", known: list[str] | None = None
) -> FieldSpec:
    """The field called `name`; EditError listing `known` (default: the fields') otherwise."""
    for spec in fields:
        if spec.name == name:
            return spec
    raise EditError(
        tr("Layer {l!r} has no field {f!r}. Fields: {names}.").format(
            l=layer_name, f=name, names=", ".join(known or [s.name for s in fields])
        )
    )


def validate_values(
    fields: list[FieldSpec], values: dict, layer_name: str = "", known: list[str] | None = None
) -> dict:
    """Every value checked against its field; the first wrong one raises EditError."""
    return {
        name: field_by_name(fields, str(name), layer_name, known).validate(value)
        for name, value in values.items()
    }


def empty_frame(fields: list[FieldSpec], crs: Any) -> gpd.GeoDataFrame:
    """No features yet, each column already of its field's type."""
    import geopandas as gpd

    columns = {spec.name: pd.Series(dtype=column_dtype(spec)) for spec in fields}
    return gpd.GeoDataFrame(columns, geometry=gpd.GeoSeries([], crs=crs), crs=crs)


def column_dtype(spec: FieldSpec) -> str:
    return {"integer": "Int64", "real": "float64", "date": "datetime64[ns]"}.get(
        spec.type, "object"
    )


def conform(data: gpd.GeoDataFrame, fields: list[FieldSpec]) -> gpd.GeoDataFrame:
    """Columns read back from a GeoPackage given their field's type again (integers with
    blanks come back as floats, dates as text in some drivers)."""
    for spec in fields:
        if spec.name not in data.columns:
            data[spec.name] = pd.Series(
                [None] * len(data), index=data.index, dtype=column_dtype(spec)
            )
            continue
        column = data[spec.name]
        if spec.type == "integer" and str(column.dtype) != "Int64":
            data[spec.name] = pd.to_numeric(column, errors="coerce").round().astype("Int64")
        elif spec.type == "real" and not pd.api.types.is_float_dtype(column.dtype):
            data[spec.name] = pd.to_numeric(column, errors="coerce").astype("float64")
        elif spec.type == "date" and not pd.api.types.is_datetime64_any_dtype(column.dtype):
            data[spec.name] = pd.to_datetime(column, errors="coerce")
    return data
