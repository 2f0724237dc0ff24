"""Layer styles: one serialisable description used by the canvas, exports and web maps.

Default styles per role live here and nowhere else.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass
from dataclasses import field as dc_field
from typing import Literal

from layers.roles import FieldMapping, Role

StyleKind = Literal["single", "categorized", "graduated"]
Scheme = Literal["quantiles", "natural_breaks", "equal_interval"]

# Ramps that print well and stay readable for colour-blind viewers (viridis family, ColorBrewer).
SEQUENTIAL_RAMPS: tuple[str, ...] = (
    "YlOrRd",
    "viridis",
    "magma",
    "cividis",
    "YlGnBu",
    "Greens",
    "Reds",
)
# Okabe-Ito: distinguishable under the common colour-vision deficiencies.
QUALITATIVE_COLOURS: tuple[str, ...] = (
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
    "#999999",
    "#000000",
)


@dataclass
class Style:
    kind: StyleKind = "single"
    fill: str = "#9ecae1"
    edge: str = "#3a3a3a"
    line_width: float = 0.6
    marker_size: float = 12.0
    marker: str = "o"
    fill_alpha: float = 1.0
    no_fill: bool = False
    field: str | None = None
    scheme: Scheme = "quantiles"
    classes: int = 5
    ramp: str = "YlOrRd"
    categories: dict[str, str] = dc_field(default_factory=dict)
    label_field: str | None = None
    label_size: float = 7.0
    # Scale dependent visibility, as N of 1:N (QGIS's minimum/maximum scale): the layer (or
    # its labels) shows from 1:max_scale zoomed in to 1:min_scale zoomed out. None: the
    # role's default (scale_ranges); 0: no limit. Reasons in docs/cartography.md.
    min_scale: float | None = None
    max_scale: float | None = None
    label_min_scale: float | None = None
    label_max_scale: float | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict | None) -> Style:
        data = data or {}
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def default_style(role: Role) -> Style:
    """The style a freshly loaded layer of `role` gets."""
    presets: dict[Role, Style] = {
        Role.ADMIN_BOUNDARIES: Style(fill="#f4f1ea", edge="#6d6d6d", line_width=0.8, no_fill=False),
        Role.PROTECTED_AREAS: Style(
            fill="#74c476", edge="#238b45", fill_alpha=0.45, line_width=0.8
        ),
        Role.WATER: Style(fill="#a6cee3", edge="#2c7fb8", line_width=1.0),
        Role.BORDER: Style(edge="#4d4d4d", line_width=1.8, no_fill=True),
        Role.CULTIVATION: Style(kind="graduated", ramp="YlOrRd", edge="none", line_width=0.0),
        Role.ERADICATION: Style(
            fill="#d7301f", edge="#7f0000", marker="^", marker_size=16, fill_alpha=0.6
        ),
        Role.VIOLENCE: Style(
            fill="#6a3d9a", edge="none", marker="o", marker_size=6, fill_alpha=0.7
        ),
        Role.HEALTH_SERVICES: Style(fill="#0072B2", edge="white", marker="P", marker_size=40),
        Role.SETTLEMENTS: Style(
            fill="#252525", edge="white", marker="s", marker_size=14, label_field=None
        ),
        Role.RESULT: Style(kind="graduated", ramp="viridis", edge="#555555", line_width=0.3),
        Role.OTHER: Style(),
    }
    return Style.from_dict(presets.get(role, Style()).to_dict())


@dataclass(frozen=True)
class ScaleRange:
    """The 1:N scales at which a layer or its labels show (QGIS's scale dependent visibility).

    Shows while 1:max_scale <= map scale < 1:min_scale in QGIS's sense: zoomed out up to (not
    at) 1:min_scale, zoomed in down to 1:max_scale. 0 means no limit on that side.
    """

    min_scale: float = 0.0
    max_scale: float = 0.0

    def shows(self, scale: float | None) -> bool:
        """True at a map scale of 1:`scale` (None or not finite: unknown, always shows)."""
        if scale is None or not math.isfinite(scale) or scale <= 0:
            return True
        if self.min_scale and scale >= self.min_scale:
            return False
        return not (self.max_scale and scale < self.max_scale)


# Role defaults (docs/cartography.md says why): names of settlements, municipalities and finer
# units from 1:2,000,000 (the sample project's maps, down to its briefing overview, keep them).
SETTLEMENT_LABELS_FROM = 2_000_000.0
LOCAL_REGION_LABELS_FROM = 2_000_000.0
_LEVEL_WORDS = (("mpio", 2), ("munic", 2), ("dpto", 1), ("depart", 1), ("prov", 1))


def admin_level(mapping: FieldMapping | None) -> int | None:
    """Administrative level of a boundary layer from its code field (ADM2_PCODE: 2), else None."""
    code = (mapping.get("region_code") if mapping else None) or ""
    found = re.search(r"adm(\d)", code.lower())
    if found:
        return int(found.group(1))
    return next((level for word, level in _LEVEL_WORDS if word in code.lower()), None)


def role_scale_defaults(
    role: Role, mapping: FieldMapping | None = None
) -> tuple[ScaleRange, ScaleRange]:
    """(layer, labels) scale ranges a layer of `role` gets when its style sets none.

    Layers show at every scale (dense ones are generalised by the renderer instead of hidden);
    only labels that would bury a national map are held back until zoomed in.
    """
    labels = ScaleRange()
    if role == Role.SETTLEMENTS:
        labels = ScaleRange(min_scale=SETTLEMENT_LABELS_FROM)
    elif role == Role.ADMIN_BOUNDARIES and (admin_level(mapping) or 0) >= 2:
        labels = ScaleRange(min_scale=LOCAL_REGION_LABELS_FROM)
    return ScaleRange(), labels


def scale_ranges(
    style: Style, role: Role, mapping: FieldMapping | None = None
) -> tuple[ScaleRange, ScaleRange]:
    """(layer, labels) scale ranges of a style: its own values, the role's where it sets None."""
    layer_default, label_default = role_scale_defaults(role, mapping)

    def pick(value: float | None, default: float) -> float:
        return default if value is None else max(0.0, float(value))

    return (
        ScaleRange(
            pick(style.min_scale, layer_default.min_scale),
            pick(style.max_scale, layer_default.max_scale),
        ),
        ScaleRange(
            pick(style.label_min_scale, label_default.min_scale),
            pick(style.label_max_scale, label_default.max_scale),
        ),
    )
