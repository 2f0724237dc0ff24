"""Layer roles and field mappings: what a layer *is* for the analyses.

Detection from real-world conventions lives in layers/detect.py; this module holds the
vocabulary only, so analyses, styles and the desktop share one definition.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from layers.i18n import tr, tr_noop


class Role(StrEnum):
    ERADICATION = "eradication"
    CULTIVATION = "cultivation"
    VIOLENCE = "violence"
    HEALTH_SERVICES = "health_services"
    PROTECTED_AREAS = "protected_areas"
    WATER = "water"
    SETTLEMENTS = "settlements"
    ADMIN_BOUNDARIES = "admin_boundaries"
    BORDER = "border"
    RESULT = "result"
    OTHER = "other"

    @property
    def label(self) -> str:
        """The role's name in the active language (translated where shown, not at import)."""
        return tr(ROLE_LABELS[self])


ROLE_LABELS: dict[Role, str] = {
    Role.ERADICATION: tr_noop("Eradication"),
    Role.CULTIVATION: tr_noop("Cultivation"),
    Role.VIOLENCE: tr_noop("Violence events"),
    Role.HEALTH_SERVICES: tr_noop("Health services"),
    Role.PROTECTED_AREAS: tr_noop("Protected areas"),
    Role.WATER: tr_noop("Rivers and water"),
    Role.SETTLEMENTS: tr_noop("Settlements"),
    Role.ADMIN_BOUNDARIES: tr_noop("Administrative regions"),
    Role.BORDER: tr_noop("International border"),
    Role.RESULT: tr_noop("Analysis result"),
    Role.OTHER: tr_noop("Other"),
}

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
)


@dataclass
class FieldMapping:
    """Canonical key -> source column, plus year columns of wide grids (SIMCI)."""

    fields: dict[str, str] = field(default_factory=dict)
    year_columns: dict[int, str] = field(default_factory=dict)

    def get(self, key: str) -> str | None:
        return self.fields.get(key)

    def to_dict(self) -> dict:
        return {
            "fields": dict(self.fields),
            "year_columns": {str(k): v for k, v in self.year_columns.items()},
        }

    @classmethod
    def from_dict(cls, data: dict | None) -> FieldMapping:
        data = data or {}
        return cls(
            fields=dict(data.get("fields", {})),
            year_columns={int(k): v for k, v in data.get("year_columns", {}).items()},
        )


@dataclass
class RoleDetection:
    """Result of role detection: the role, how sure, and which fields it mapped."""

    role: Role
    confidence: float
    mapping: FieldMapping
    reasons: list[str] = field(default_factory=list)
