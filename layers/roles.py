"""Layer roles and field mappings: what a layer *is* for the analyses.

Detection from real-world conventions lives in layers/detect.py; this module holds the
vocabulary only, so analyses, styles and the desktop share one definition.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from layers.i18n import tr_noop
from layers.labelled_enum import LabelledEnum, label_table


class Role(LabelledEnum):
    ERADICATION = "eradication", tr_noop("Eradication")
    CULTIVATION = "cultivation", tr_noop("Cultivation")
    VIOLENCE = "violence", tr_noop("Violence events")
    HEALTH_SERVICES = "health_services", tr_noop("Health services")
    PROTECTED_AREAS = "protected_areas", tr_noop("Protected areas")
    WATER = "water", tr_noop("Rivers and water")
    SETTLEMENTS = "settlements", tr_noop("Settlements")
    ADMIN_BOUNDARIES = "admin_boundaries", tr_noop("Administrative regions")
    BORDER = "border", tr_noop("International border")
    ENFORCEMENT = "enforcement", tr_noop("Enforcement actions")
    RESULT = "result", tr_noop("Analysis result")
    OTHER = "other", tr_noop("Other")


ROLE_LABELS: dict[Role, str] = label_table(Role)

# Enforcement records: what was done (arrest/seizure/operation), whom it hit (a level column,
# else the offence text), the drug and quantity seized (with its unit), and how many people
# a record counts (an operation or a per-region row counts several). docs/enforcement.md.
# Each key with its name as the user says it.
ENFORCEMENT_FIELD_LABELS: dict[str, str] = {
    "action_type": tr_noop("Action type"),
    "target_level": tr_noop("Target level"),
    "offence": tr_noop("Offence"),
    "drug": tr_noop("Drug"),
    "quantity": tr_noop("Quantity"),
    "quantity_unit": tr_noop("Unit"),
    "persons": tr_noop("Persons"),
}
ENFORCEMENT_KEYS: tuple[str, ...] = tuple(ENFORCEMENT_FIELD_LABELS)

# Canonical field keys a mapping may fill; analyses ask for these, never raw column names.
FIELD_KEYS: tuple[str, ...] = (
    "date",
    "year",
    "hectares",
    "weight",
    "fatalities",
    "event_type",
    "sub_event_type",
    "actor_type",
    # ACLED's actors (analysis/actors.py): who did it, to whom, of which type, and the event's id.
    "actor1",
    "actor2",
    "inter1",
    "inter2",
    "civilian_targeting",
    "event_id",
    "method",
    "capacity",
    "population",
    "name",
    "region_code",
    "parent_code",
    "iucn_category",
    "facility_type",
    "status",
    # Enforcement actions (arrests, seizures, operations): layers/enforcement_levels.py
    # holds the vocabularies their values are read through.
    *ENFORCEMENT_KEYS,
)


@dataclass
class FieldMapping:
    """Canonical key -> source column, plus year columns of wide grids (SIMCI), plus the
    analyst's own reading of some values (value_maps: key -> {raw value: canonical value},
    e.g. target_level: {"Porte ilegal de armas": "trafficking"}; docs/enforcement.md)."""

    fields: dict[str, str] = field(default_factory=dict)
    year_columns: dict[int, str] = field(default_factory=dict)
    value_maps: dict[str, dict[str, str]] = field(default_factory=dict)

    def get(self, key: str) -> str | None:
        return self.fields.get(key)

    def values_for(self, key: str) -> dict[str, str]:
        """The analyst's overrides for `key`'s values (raw value -> canonical value)."""
        return dict(self.value_maps.get(key, {}))

    def with_values(self, key: str, overrides: dict[str, str]) -> FieldMapping:
        """A copy whose overrides for `key` are `overrides` (none: the key's entry goes)."""
        maps = {k: dict(v) for k, v in self.value_maps.items() if k != key}
        if overrides:
            maps[key] = dict(overrides)
        return FieldMapping(dict(self.fields), dict(self.year_columns), maps)

    def to_dict(self) -> dict:
        out: dict = {
            "fields": dict(self.fields),
            "year_columns": {str(k): v for k, v in self.year_columns.items()},
        }
        if self.value_maps:  # absent when unused, so projects without overrides keep their shape
            out["value_maps"] = {k: dict(v) for k, v in self.value_maps.items()}
        return out

    @classmethod
    def from_dict(cls, data: dict | None) -> FieldMapping:
        data = data or {}
        return cls(
            fields=dict(data.get("fields", {})),
            year_columns={int(k): v for k, v in data.get("year_columns", {}).items()},
            value_maps={k: dict(v) for k, v in (data.get("value_maps") or {}).items()},
        )


@dataclass
class RoleDetection:
    """Result of role detection: the role, how sure, and which fields it mapped."""

    role: Role
    confidence: float
    mapping: FieldMapping
    reasons: list[str] = field(default_factory=list)
