"""Layer styles: one serialisable description used by the canvas, exports and web maps.

Default styles per role live here and nowhere else.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from dataclasses import field as dc_field
from typing import TYPE_CHECKING, Literal, Protocol

from layers.errors import ProjectError
from layers.i18n import tr, tr_noop
from layers.roles import FieldMapping, Role

if TYPE_CHECKING:
    import pandas as pd

StyleKind = Literal["single", "categorized", "graduated"]
Scheme = Literal["quantiles", "natural_breaks", "equal_interval"]
# Where a label sits: "auto" beside a point's marker at the first free corner, centred on a
# region; the others at that side of the anchor (QGIS's "offset from point").
LabelPlacement = Literal["auto", "centre", "above", "below", "left", "right"]
LABEL_PLACEMENTS: tuple[str, ...] = ("auto", "centre", "above", "below", "left", "right")

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
    label_colour: str = "#222222"
    label_halo: str = "white"  # the halo's colour ("none": no halo)
    label_halo_width: float = 2.2  # points; 0: no halo
    label_placement: LabelPlacement = "auto"
    # Per-class edits (double-click a class in the style dialog), keyed by class: the value
    # for categorized styles, the class number ("0" lowest) for graduated ones. Categorized
    # colours stay in `categories`; class_colours overrides a graduated ramp's colour.
    class_colours: dict[str, str] = dc_field(default_factory=dict)
    class_labels: dict[str, str] = dc_field(default_factory=dict)
    class_markers: dict[str, str] = dc_field(default_factory=dict)
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
    def from_dict(
        cls, data: dict | None, *, where: str = "style", layer: str | None = None
    ) -> Style:
        """A style from its saved form; every value checked (a project may come from anyone).

        A value that is not what the field holds raises ProjectError naming `where`.field and
        the `layer`: styles reach HTML and SVG, so a colour must be a colour (docs/webmap.md).
        Unknown keys (a newer version's) are ignored.
        """
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise _bad(where, layer, tr("an object {…}"), data)
        known = {}
        for key, value in data.items():
            check = _CHECKS.get(key)
            if check is not None:
                known[key] = check(value, f"{where}.{key}", layer)
        for low, high in (("min_scale", "max_scale"), ("label_min_scale", "label_max_scale")):
            zoomed_out, zoomed_in = known.get(low) or 0, known.get(high) or 0
            if zoomed_out and zoomed_in and zoomed_out <= zoomed_in:
                # Never shown: QGIS's minimum (zoomed out) must be a larger N than its maximum.
                raise _bad(
                    f"{where}.{low}",
                    layer,
                    tr("a scale 1:N with N larger than {high} (1:{n:,.0f})").format(
                        high=high, n=zoomed_in
                    ),
                    data[low],
                )
        return cls(**known)


# What each saved style value may be. Colours: what matplotlib draws ("none" included);
# anything else (markup, CSS, an address) is refused. Ranges: wider than the style dialog's.
STYLE_KINDS: tuple[str, ...] = ("single", "categorized", "graduated")
SCHEMES: tuple[str, ...] = ("quantiles", "natural_breaks", "equal_interval")
MARKERS: tuple[str, ...] = (
    "o",
    "s",
    "^",
    "v",
    "<",
    ">",
    "D",
    "d",
    "P",
    "X",
    "*",
    "p",
    "h",
    "H",
    "8",
)
_HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")
# Marked for the catalogue (it was never extracted, so never translated); shown with tr().
_COLOUR_HELP = tr_noop('a colour (a name such as "red", "#RRGGBB" or "none")')


def _bad(where: str, layer: str | None, expected: str, value: object) -> ProjectError:
    got = repr(value)[:40] if isinstance(value, int | float | str) else type(value).__name__
    if layer is not None:
        where = tr("{where} of layer “{layer}”").format(where=where, layer=layer)
    return ProjectError(
        tr(
            "The project file is damaged or was edited by hand: {where} should be {expected}, "
            "not {got}. Open a backup or its autosave, or fix that field."
        ).format(where=where, expected=expected, got=got)
    )


def is_colour(value: object) -> bool:
    """True for a colour matplotlib draws (a name, #hex, a grey level as text, "none")."""
    if not isinstance(value, str):
        return False
    if value == "none" or _HEX_COLOUR.fullmatch(value):
        return True
    from matplotlib.colors import is_color_like  # only for names: keeps loading light

    return bool(is_color_like(value))


def _colour(value: object, where: str, layer: str | None) -> str:
    if not is_colour(value):
        raise _bad(where, layer, tr(_COLOUR_HELP), value)
    return value  # type: ignore[return-value]


def _number(low: float, high: float, optional: bool = False, whole: bool = False):
    def check(value: object, where: str, layer: str | None) -> float | int | None:
        if value is None and optional:
            return None
        ok = isinstance(value, int if whole else int | float) and not isinstance(value, bool)
        if not ok or not math.isfinite(value) or not low <= value <= high:  # type: ignore[arg-type]
            kind = tr("a whole number") if whole else tr("a number")
            expected = tr("{kind} from {low:g} to {high:g}").format(kind=kind, low=low, high=high)
            if optional:
                expected += tr(" or null")
            raise _bad(where, layer, expected, value)
        return int(value) if whole else float(value)  # type: ignore[arg-type]

    return check


def _one_of(choices: tuple[str, ...]):
    def check(value: object, where: str, layer: str | None) -> str:
        if value not in choices or not isinstance(value, str):
            raise _bad(where, layer, tr("one of {c}").format(c=", ".join(choices)), value)
        return value

    return check


def _ramp(value: object, where: str, layer: str | None) -> str:
    if isinstance(value, str) and value in SEQUENTIAL_RAMPS:
        return value
    from matplotlib import colormaps  # a project may name any of matplotlib's colour ramps

    if not isinstance(value, str) or value not in colormaps:
        raise _bad(
            where,
            layer,
            tr("a colour ramp such as {c}").format(c=", ".join(SEQUENTIAL_RAMPS)),
            value,
        )
    return value


def _field_name(value: object, where: str, layer: str | None) -> str | None:
    if value is not None and not isinstance(value, str):
        raise _bad(where, layer, tr("a column name (text) or null"), value)
    return value


def _flag(value: object, where: str, layer: str | None) -> bool:
    if not isinstance(value, bool):
        raise _bad(where, layer, tr("true or false"), value)
    return value


def _categories(value: object, where: str, layer: str | None) -> dict:
    if not isinstance(value, dict):
        raise _bad(where, layer, tr("an object of value: colour"), value)
    return {k: _colour(v, f"{where}.{k}", layer) for k, v in value.items()}


def _class_texts(value: object, where: str, layer: str | None) -> dict:
    if not isinstance(value, dict):
        raise _bad(where, layer, tr("an object of class: label"), value)
    for k, v in value.items():
        # Legend text reaches HTML and SVG escaped, but a label is short plain text.
        if not isinstance(v, str) or len(v) > 200:
            raise _bad(f"{where}.{k}", layer, tr("a text of at most 200 characters"), v)
    return dict(value)


def _class_markers(value: object, where: str, layer: str | None) -> dict:
    if not isinstance(value, dict):
        raise _bad(where, layer, tr("an object of class: marker"), value)
    pick = _one_of(MARKERS)
    return {k: pick(v, f"{where}.{k}", layer) for k, v in value.items()}


_CHECKS = {
    "kind": _one_of(STYLE_KINDS),
    "fill": _colour,
    "edge": _colour,
    "line_width": _number(0.0, 50.0),
    "marker_size": _number(0.0, 10_000.0),
    "marker": _one_of(MARKERS),
    "fill_alpha": _number(0.0, 1.0),
    "no_fill": _flag,
    "field": _field_name,
    "scheme": _one_of(SCHEMES),
    "classes": _number(1, 20, whole=True),
    "ramp": _ramp,
    "categories": _categories,
    "label_field": _field_name,
    "label_size": _number(1.0, 200.0),
    "label_colour": _colour,
    "label_halo": _colour,
    "label_halo_width": _number(0.0, 20.0),
    "label_placement": _one_of(LABEL_PLACEMENTS),
    "class_colours": _categories,
    "class_labels": _class_texts,
    "class_markers": _class_markers,
    "min_scale": _number(0.0, 1e12, optional=True),
    "max_scale": _number(0.0, 1e12, optional=True),
    "label_min_scale": _number(0.0, 1e12, optional=True),
    "label_max_scale": _number(0.0, 1e12, optional=True),
}


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
        Role.ENFORCEMENT: Style(
            fill="#e08214", edge="#7f3b08", marker="D", marker_size=9, fill_alpha=0.8
        ),
        Role.SETTLEMENTS: Style(
            fill="#252525", edge="white", marker="s", marker_size=14, label_field=None
        ),
        Role.RESULT: Style(kind="graduated", ramp="viridis", edge="#555555", line_width=0.3),
        Role.OTHER: Style(),
    }
    return presets.get(role) or Style()  # built afresh on each call: the caller's own copy


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


def class_keys(classes: ClassesLike) -> list[str]:
    """How per-class edits name the classes: a categorized style's values, else "0", "1", …"""
    values = getattr(classes, "values", None)
    return (
        [str(v) for v in values]
        if values is not None
        else [str(i) for i in range(len(classes.colours))]
    )


def edited_classes(style: Style, classes: ClassesLike) -> dict[str, tuple[str, ...]]:
    """colours, labels and markers of `classes` (cartography.classify's Categories or
    Classification) with the style's per-class edits applied.

    A class without an edit keeps its colour and label and the style's marker. The canvas,
    exports and legend all read classes through here.
    """
    keys = class_keys(classes)
    graduated = style.kind == "graduated"
    colours = [
        style.class_colours.get(k, c) if graduated else c
        for k, c in zip(keys, classes.colours, strict=True)
    ]
    labels = [style.class_labels.get(k, lab) for k, lab in zip(keys, classes.labels, strict=True)]
    return {
        "colours": tuple(colours),
        "labels": tuple(labels),
        "markers": tuple(style.class_markers.get(k, style.marker) for k in keys),
    }


class ClassesLike(Protocol):
    """What edited_classes reads of a classification (values only for categories)."""

    @property
    def colours(self) -> Sequence[str]: ...

    @property
    def labels(self) -> Sequence[str]: ...


def category_field(
    frame: pd.DataFrame, role: Role, mapping: FieldMapping | None = None
) -> str | None:
    """The field a categorized style of this layer starts from.

    The role's category (event_type for violence, method for eradication, the facility type
    (amenity) for health services, a status), else the field with the fewest distinct values
    from 2 to CATEGORY_MAX (an ID column, one value per row, never qualifies).
    """
    for key in ROLE_CATEGORIES.get(role, ()) + ("status",):
        name = mapping.get(key) if mapping else None
        if name and name in frame.columns:
            return str(name)
    best: tuple[int, str] | None = None
    geometry = getattr(getattr(frame, "geometry", None), "name", None)
    for column in frame.columns:
        if column == geometry:
            continue
        try:
            n = int(frame[column].nunique(dropna=True))
        except TypeError:  # unhashable cells (lists): not categories
            continue
        if 2 <= n <= CATEGORY_MAX and (best is None or n < best[0]):
            best = (n, str(column))
    return best[1] if best else None


CATEGORY_MAX = 12  # the classes categorize() colours; more are grey
ROLE_CATEGORIES: dict[Role, tuple[str, ...]] = {
    Role.VIOLENCE: ("event_type",),
    Role.ERADICATION: ("method",),
    Role.HEALTH_SERVICES: ("facility_type",),
    Role.ENFORCEMENT: ("action_type",),
}


def class_edits_key(style: Style) -> tuple:
    """The style's categories and per-class edits as one hashable value (a cache key part)."""
    return tuple(
        tuple(sorted(edits.items()))
        for edits in (
            style.categories,
            style.class_colours,
            style.class_labels,
            style.class_markers,
        )
    ) + (style.marker,)
