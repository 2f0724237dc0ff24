"""Layer styles: one serialisable description used by the canvas, exports and web maps.

Default styles per role live here and nowhere else.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from dataclasses import field as dc_field
from typing import Literal

from layers.roles import Role

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
