"""Guess what a layer is (its role) and which columns mean what, from real-world conventions.

The conventions are those of the files analysts already have (docs/methods.md): ACLED event
exports, healthsites.io/OSM facilities (with 10-character shapefile truncations), WDPA
protected areas (legacy and 2025 schemas), HDX boundaries with P-codes, SIMCI cultivation
grids with one column per year, and municipal eradication tables. The user can always
override the role and mapping afterwards (Layer.role / Layer.mapping setters).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import islice

import geopandas as gpd
import pandas as pd

from layers.enforcement_levels import classify_level
from layers.roles import FieldMapping, Role, RoleDetection

# Below this score nothing is claimed: the layer stays "other" until the user says.
MIN_CONFIDENCE = 0.25
# Detection looks at this many columns at most, and samples the values of at most
# MAX_VALUE_COLUMNS text columns: a very wide table must not cost seconds per thousand columns.
MAX_DETECT_COLUMNS = 10_000
MAX_VALUE_COLUMNS = 200

# SIMCI grids: areacoca_2001, areacoca2004, coca2022_, ha_coca_2019, coca_ha_2020 ...
_YEAR_COLUMN = re.compile(
    r"^(?:area_?)?(?:ha_?)?(?:coca|cultivo|cultivos|cult|amapola|marihuana)_?(?:ha_?)?"
    r"((?:19|20)\d{2})_?$",
    re.IGNORECASE,
)
# Plain year columns of municipal tables ("2019", "y2019", "ha_2019", "erradicacion_2020").
_PLAIN_YEAR_COLUMN = re.compile(r"^(?:[a-z_]*?_?)((?:19|20)\d{2})_?$", re.IGNORECASE)
# HDX P-code columns: ADM2_PCODE, adm1_pcode; names ADM2_ES, ADM2_EN, adm2_name.
_PCODE = re.compile(r"^adm(\d)_pcode$", re.IGNORECASE)
_ADM_NAME = re.compile(r"^adm(\d)_(?:es|en|fr|pt|name|ref)$", re.IGNORECASE)

# Candidate source columns per canonical key, most specific first. Matching is
# case-insensitive and also tries the 10-character shapefile truncation of each name.
CANDIDATES: dict[str, tuple[str, ...]] = {
    "date": (
        "event_date",
        "fecha_erradicacion",
        "fecha_evento",
        "fecha_hecho",
        "fecha",
        "date",
        "datetime",
        "timestamp",
    ),
    "year": ("year", "anio", "año", "ano", "vigencia", "yr"),
    "hectares": (
        "hectares",
        "hectareas",
        "hectáreas",
        "hectarea",
        "area_ha",
        "ha_erradicadas",
        "area_erradicada",
        "ha",
        "has",
        "sup_ha",
        "area_hectareas",
    ),
    "weight": ("weight", "peso", "value", "valor", "count", "cantidad"),
    "fatalities": ("fatalities", "muertos", "victimas", "víctimas", "deaths", "killed"),
    "event_type": ("event_type", "tipo_evento", "event", "evento"),
    "sub_event_type": ("sub_event_type", "subtipo_evento"),
    # ACLED's actor columns (numeric inter codes in older exports, text in newer ones).
    "actor1": ("actor1",),
    "actor2": ("actor2",),
    "inter1": ("inter1",),
    "inter2": ("inter2",),
    "civilian_targeting": ("civilian_targeting",),
    "event_id": ("event_id_cnty", "event_id"),
    "actor_type": ("inter1", "actor_type", "actor1", "actor"),
    "method": (
        "method",
        "metodo",
        "método",
        "modalidad",
        "tipo_erradicacion",
        "erradication_method",
        "eradication_method",
    ),
    "capacity": ("beds", "capacity", "camas", "capacidad"),
    "population": (
        "population",
        "poblacion",
        "población",
        "pop",
        "total_pop",
        "pob_total",
        "habitantes",
    ),
    "name": (
        "name",
        "nombre",
        "name_eng",
        "name_en",
        "location",
        "municipio",
        "mpio_cnmbr",
        "label",
    ),
    "region_code": ("pcode", "cod_mpio", "mpio_cdpmp", "codigo_dane", "cod_dane", "dane", "code"),
    "parent_code": ("cod_dpto", "dpto_ccdgo", "parent_code", "parent"),
    "iucn_category": ("iucn_cat", "iucn_category", "iucn"),
    "facility_type": ("amenity", "healthcare", "facility_type", "tipo_servicio", "type"),
    "status": ("status", "estado", "operational_status"),
}

_ACLED = ("event_id_cnty", "event_date", "event_type", "sub_event_type", "actor1", "inter1")
# Keys only an event layer (ACLED-like) keeps in its mapping.
_EVENT_ONLY = (
    "sub_event_type", "actor1", "actor2", "inter1", "inter2", "civilian_targeting", "event_id"
)  # fmt: skip
_ACLED_MORE = ("fatalities", "admin1", "admin2", "geo_precision", "latitude", "longitude")
_HEALTHSITES = ("osm_id", "amenity", "healthcare", "operator_type", "beds", "osm_type")
_HEALTH_VALUES = {"hospital", "clinic", "doctors", "pharmacy", "health_post", "dentist"}
_WDPA_LEGACY = ("wdpaid", "wdpa_pid", "desig_eng", "iucn_cat", "rep_area", "pa_def", "iso3")
_WDPA_2025 = ("site_id", "site_pid", "name_eng", "realm", "site_type", "prnt_iso3")
_ERADICATION_VALUES = {"manual", "aerial", "aérea", "aerea", "aspersion", "aspersión", "forzosa"}

# Enforcement records (arrests, seizures, operations): police open data ("capturas",
# "incautaciones", FECHA HECHO, DELITO, CANTIDAD, UNIDAD) and English exports.
ENFORCEMENT_CANDIDATES: dict[str, tuple[str, ...]] = {
    "action_type": ("tipo_accion", "tipo_actuacion", "accion", "actuacion", "action_type", "action"),
    "target_level": ("nivel", "nivel_objetivo", "nivel_capturado", "perfil", "target_level", "level"),
    "offence": ("delito", "conducta", "tipo_delito", "descripcion_delito", "articulo_delito",
                "offence", "offense", "charge", "crime"),
    "drug": ("droga", "sustancia", "tipo_droga", "clase_droga", "clase_sustancia", "drug",
             "substance", "drug_type"),
    "quantity": ("cantidad_incautada", "cantidad", "peso", "quantity", "amount", "quantity_seized"),
    "quantity_unit": ("unidad", "unidad_medida", "unidad_de_medida", "unit", "units", "uom"),
    "persons": ("capturas", "capturados", "num_capturas", "cantidad_capturas", "personas",
                "detenidos", "persons", "persons_arrested", "arrested", "arrests"),
}  # fmt: skip
_ENFORCEMENT = ("tipo_accion", "delito", "capturas", "capturados", "incautaciones",
                "incautacion", "droga", "cantidad_incautada", "unidad_medida", "conducta",
                "offence", "offense", "arrests", "seizures", "persons_arrested", "drug_type")  # fmt: skip

_HINTS: dict[Role, tuple[str, ...]] = {
    Role.ERADICATION: ("erradic", "eradic", "aspersion", "fumig"),
    Role.CULTIVATION: ("coca", "cultiv", "simci", "amapola", "cultivation", "crops"),
    Role.VIOLENCE: ("acled", "violen", "event", "conflict", "homicid", "masacre"),
    Role.HEALTH_SERVICES: ("health", "salud", "hospital", "clinic", "ips", "healthsite"),
    Role.PROTECTED_AREAS: ("wdpa", "protected", "parque", "pnn", "runap", "reserva", "park"),
    Role.WATER: ("river", "rio", "río", "water", "agua", "hydro", "drenaje", "stream", "lake"),
    Role.SETTLEMENTS: (
        "settlement",
        "town",
        "village",
        "place",
        "poblad",
        "cabecera",
        "localidad",
        "vereda",
    ),
    Role.ADMIN_BOUNDARIES: ("adm", "admin", "municip", "departament", "boundar", "mpio", "limite"),
    Role.BORDER: ("border", "frontera", "international", "internacional"),
    Role.ENFORCEMENT: (
        "captur",
        "incaut",
        "arrest",
        "seizure",
        "decomis",
        "enforcement",
        "operativ",
        "detenc",
    ),  # fmt: skip
}


class _Columns:
    """Case-insensitive lookup of a frame's columns, tolerant of shapefile truncation."""

    def __init__(self, columns: Iterable[object]) -> None:
        self.original: dict[str, str] = {}
        for col in islice(columns, MAX_DETECT_COLUMNS):
            if isinstance(col, str) and col != "geometry":
                self.original.setdefault(col.strip().lower(), col)

    def has(self, name: str) -> bool:
        return self.find(name) is not None

    def find(self, *names: str) -> str | None:
        for name in names:
            key = name.lower()
            for variant in (key, key[:10]):
                if variant in self.original:
                    return self.original[variant]
        return None

    def count(self, names: Iterable[str]) -> int:
        return sum(1 for n in names if self.has(n))

    def matching(self, pattern: re.Pattern) -> dict[int, str]:
        found: dict[int, str] = {}
        for low, col in self.original.items():
            m = pattern.match(low)
            if m:
                found.setdefault(int(m.group(1)), col)
        return found


def _geometry_kind(gdf: gpd.GeoDataFrame) -> str:
    if "geometry" not in gdf or gdf.geometry.isna().all():
        return "none"
    sample = gdf.geometry.iloc[: min(len(gdf), 2000)].dropna()
    kinds = {str(t).replace("Multi", "").lower() for t in sample.geom_type.unique()}
    kinds = {"line" if k == "linestring" else k for k in kinds}
    return kinds.pop() if len(kinds) == 1 else "mixed"


def _may_hold_text(dtype: object) -> bool:
    if dtype is None:
        return False
    return (
        pd.api.types.is_object_dtype(dtype)
        or isinstance(dtype, pd.CategoricalDtype)
        or pd.api.types.is_string_dtype(dtype)
    )


def _text_values(gdf: pd.DataFrame, column: str | None, limit: int = 5000) -> set[str]:
    """Lower-cased distinct values of a text column (sampled: detection must stay fast)."""
    if not column or column not in gdf:
        return set()
    values = gdf[column].iloc[:limit].dropna()
    if values.empty or not (values.dtype == object or pd.api.types.is_string_dtype(values)):
        return set()
    return {str(v).strip().lower() for v in values.unique()[:500]}


def _value_column(gdf: pd.DataFrame, cols: _Columns, wanted: set[str]) -> str | None:
    """First text column whose values include any of `wanted` (e.g. manual/aerial)."""
    dtypes = gdf.dtypes.to_dict()  # one lookup per column: gdf[col] costs ~0.1 ms each
    text = [c for c in cols.original.values() if _may_hold_text(dtypes.get(c))]
    for col in text[:MAX_VALUE_COLUMNS]:
        if _text_values(gdf, col, limit=2000) & wanted:
            return col
    return None


def _hint_score(role: Role, name_hint: str) -> float:
    """Words of the file/layer name that start like a role's hints ("rios" yes, "territorio" no)."""
    words = [w for w in re.split(r"[^a-záéíóúñü]+", name_hint.lower()) if w]
    hints = _HINTS.get(role, ())
    return 0.3 if any(w.startswith(h) for w in words for h in hints) else 0.0


def _generic_mapping(gdf: pd.DataFrame, cols: _Columns) -> dict[str, str]:
    fields: dict[str, str] = {}
    for key, names in CANDIDATES.items():
        col = cols.find(*names)
        if col is not None:
            fields[key] = col
    if "date" not in fields:
        dtypes = gdf.dtypes.to_dict()
        for col in cols.original.values():
            if pd.api.types.is_datetime64_any_dtype(dtypes.get(col)):
                fields["date"] = col
                break
    return fields


def _admin_levels(cols: _Columns) -> tuple[dict[int, str], dict[int, str]]:
    pcodes = cols.matching(_PCODE)
    names: dict[int, str] = {}
    # Prefer Spanish names (Colombia), then English, then the generic "name" column.
    for suffix in ("es", "en", "name", "fr", "pt", "ref"):
        for level in range(6):
            col = cols.find(f"adm{level}_{suffix}")
            if col is not None:
                names.setdefault(level, col)
    return pcodes, names


def detect_role(gdf: gpd.GeoDataFrame | pd.DataFrame, name_hint: str = "") -> RoleDetection:
    """Detect a layer's role and map its columns to canonical keys (FIELD_KEYS)."""
    cols = _Columns(gdf.columns)
    kind = _geometry_kind(gdf) if isinstance(gdf, gpd.GeoDataFrame) else "none"
    fields = _generic_mapping(gdf, cols)
    scores: dict[Role, float] = {}
    reasons: dict[Role, list[str]] = {}

    def claim(role: Role, score: float, why: str) -> None:
        if score > 0:
            scores[role] = scores.get(role, 0.0) + score
            reasons.setdefault(role, []).append(why)

    # ACLED: its identifier columns are unmistakable.
    n_acled = cols.count(_ACLED)
    if n_acled:
        claim(Role.VIOLENCE, 0.15 * n_acled + 0.05 * cols.count(_ACLED_MORE), "ACLED columns")
    if cols.has("fatalities") and kind == "point":
        claim(Role.VIOLENCE, 0.3, "fatalities per point")

    # healthsites.io / OSM facilities.
    n_health = cols.count(_HEALTHSITES)
    facility_col = cols.find("amenity", "healthcare", "facility_type")
    facility_values = _text_values(gdf, facility_col)
    if n_health:
        claim(Role.HEALTH_SERVICES, 0.12 * n_health, "healthsites/OSM columns")
    if facility_values & _HEALTH_VALUES:
        claim(Role.HEALTH_SERVICES, 0.5, "facility types (hospital, clinic...)")

    # WDPA, legacy and 2025 schemas.
    n_wdpa = max(cols.count(_WDPA_LEGACY), cols.count(_WDPA_2025))
    if n_wdpa:
        claim(Role.PROTECTED_AREAS, 0.18 * n_wdpa, "WDPA columns")

    # HDX administrative boundaries with P-codes (upper or lower case).
    pcodes, adm_names = _admin_levels(cols)
    if pcodes:
        claim(Role.ADMIN_BOUNDARIES, 0.7 if kind in ("polygon", "mixed") else 0.35, "P-codes")
    elif cols.find("mpio_cdpmp", "cod_mpio", "dpto_ccdgo") and kind == "polygon":
        claim(Role.ADMIN_BOUNDARIES, 0.6, "DANE municipal codes")

    # SIMCI wide grids: one hectare column per year.
    year_columns = cols.matching(_YEAR_COLUMN)
    if len(year_columns) >= 2 or (year_columns and kind == "polygon"):
        claim(Role.CULTIVATION, 0.5 + 0.05 * min(len(year_columns), 6), "year columns")

    # Eradication: hectares with a date, and manual/aerial methods.
    method_col = fields.get("method") or _value_column(gdf, cols, _ERADICATION_VALUES)
    if method_col and _text_values(gdf, method_col) & _ERADICATION_VALUES:
        fields["method"] = method_col
        claim(Role.ERADICATION, 0.45, "manual/aerial methods")
    if "hectares" in fields and ("date" in fields or "year" in fields) and not year_columns:
        claim(Role.ERADICATION, 0.3, "dated hectares")

    # Enforcement: police arrest/seizure columns, offences the level vocabulary reads.
    n_enf = cols.count(_ENFORCEMENT)
    if n_enf and not n_acled:
        claim(Role.ENFORCEMENT, 0.15 * n_enf, "arrest/seizure columns")
        offence_col = cols.find(*ENFORCEMENT_CANDIDATES["offence"])
        known = [v for v in _text_values(gdf, offence_col) if classify_level(v) != "unclassified"]
        if known:
            claim(Role.ENFORCEMENT, 0.3, "drug offences (porte, tráfico, concierto...)")

    # Settlements: OSM "place" values, or populated points.
    place_values = _text_values(gdf, cols.find("place"))
    if place_values & {"city", "town", "village", "hamlet", "locality"}:
        claim(Role.SETTLEMENTS, 0.7, "OSM place types")
    if kind == "point" and "population" in fields and not n_acled and not n_health:
        claim(Role.SETTLEMENTS, 0.35, "points with population")

    # Rivers and water bodies.
    water_values = _text_values(gdf, cols.find("waterway", "natural", "water"))
    if water_values & {"river", "stream", "canal", "water", "lake", "riverbank", "drain"}:
        claim(Role.WATER, 0.7, "OSM waterway/natural=water")
    if kind == "line":
        claim(Role.WATER, 0.1, "lines")

    # International borders: lines named so, or a country-only boundary layer.
    if kind == "line" and _hint_score(Role.BORDER, name_hint):
        claim(Role.BORDER, 0.4, "border lines")
    if pcodes and max(pcodes) == 0 and kind in ("line", "polygon"):
        claim(Role.BORDER, 0.3, "country outline (ADM0 only)")

    for role in _HINTS:
        claim(role, _hint_score(role, name_hint), f"name mentions {role.value}")

    # Geometry sanity: points cannot be boundaries, polygons are rarely events.
    if kind == "point":
        for role in (Role.ADMIN_BOUNDARIES, Role.PROTECTED_AREAS, Role.BORDER, Role.WATER):
            scores[role] = scores.get(role, 0.0) * 0.4
    if kind in ("polygon", "line"):
        for role in (Role.VIOLENCE, Role.HEALTH_SERVICES, Role.SETTLEMENTS):
            scores[role] = scores.get(role, 0.0) * 0.5

    best = max(scores, key=lambda r: scores[r], default=Role.OTHER)
    confidence = round(min(1.0, scores.get(best, 0.0)), 2)
    if confidence < MIN_CONFIDENCE:
        best, confidence = Role.OTHER, round(max(0.0, confidence), 2)

    mapping = FieldMapping(fields=_role_fields(best, fields, cols, pcodes, adm_names))
    if best in (Role.CULTIVATION, Role.ERADICATION):
        # Municipal tables carry plain year columns ("2019", "ha_2020") instead of SIMCI names.
        wide = year_columns or cols.matching(_PLAIN_YEAR_COLUMN)
        if len(wide) >= 2 or best == Role.CULTIVATION:
            mapping.year_columns = dict(sorted(wide.items()))
    return RoleDetection(best, confidence, mapping, reasons.get(best, []))


def _role_fields(
    role: Role,
    fields: dict[str, str],
    cols: _Columns,
    pcodes: dict[int, str],
    adm_names: dict[int, str],
) -> dict[str, str]:
    """Refine the generic mapping with what each convention means by its columns."""
    fields = dict(fields)
    if role == Role.VIOLENCE:
        fields["name"] = cols.find("location", "name", "nombre") or fields.get("name", "")
        fields["actor_type"] = cols.find("inter1", "actor_type", "actor1") or ""
        # ACLED's admin1/admin2 are names: join on codes only, so they are not region codes.
        fields["region_code"] = cols.find("admin2_pcode", "admin2_code", "region_code") or ""
    elif role == Role.HEALTH_SERVICES:
        fields["facility_type"] = cols.find("amenity", "healthcare", "facility_type") or ""
        fields["capacity"] = cols.find("beds", "capacity", "camas") or ""
    elif role == Role.PROTECTED_AREAS:
        fields["name"] = cols.find("name_eng", "name", "orig_name") or ""
        fields["iucn_category"] = cols.find("iucn_cat") or ""
        fields["status"] = cols.find("status") or ""
        fields["region_code"] = cols.find("wdpaid", "site_id") or ""
        fields["parent_code"] = cols.find("prnt_iso3", "parent_iso3", "iso3") or ""
        fields["facility_type"] = cols.find("desig_eng", "site_type") or ""
    elif role in (Role.ADMIN_BOUNDARIES, Role.BORDER) and pcodes:
        level = max(pcodes)
        fields["region_code"] = pcodes[level]
        fields["parent_code"] = pcodes.get(level - 1, "")
        fields["name"] = adm_names.get(level) or fields.get("name", "")
    elif role == Role.ENFORCEMENT:
        for key, names in ENFORCEMENT_CANDIDATES.items():
            fields[key] = cols.find(*names) or ""
        if fields.get("weight") in (fields["quantity"], fields["persons"]):
            fields.pop("weight")  # "cantidad" is the quantity seized, not a weight per record
    if role != Role.VIOLENCE and fields.get("name") == cols.find("location"):
        fields.pop("name", None)  # "location" names a place only in event exports
    if role != Role.ERADICATION:
        fields.pop("method", None)  # manual/aerial is an eradication fact
    if role != Role.VIOLENCE:
        for key in _EVENT_ONLY:  # actors and event ids describe events, not places
            fields.pop(key, None)
    if role not in (Role.HEALTH_SERVICES, Role.PROTECTED_AREAS):
        fields.pop("facility_type", None)
        if role != Role.SETTLEMENTS:
            fields.pop("capacity", None)
    return {k: v for k, v in fields.items() if v}
