"""How a raster layer draws: a continuous ramp, classes, the Hansen loss year, hillshade, RGB.

One serialisable description read by the canvas and every export (cartography/raster_draw.py);
projects store it and check every value on load (a project may come from anyone).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

from layers.i18n import tr
from layers.style import QUALITATIVE_COLOURS, _bad, _colour, _number, _one_of, _ramp

RasterKind = Literal["continuous", "classified", "loss_year", "hillshade", "rgb"]
RASTER_KINDS: tuple[str, ...] = ("continuous", "classified", "loss_year", "hillshade", "rgb")
STRETCHES: tuple[str, ...] = ("minmax", "percentile")
# Colours of classes a style does not list, when it names none (Okabe-Ito, then greys).
CLASS_COLOURS: tuple[str, ...] = QUALITATIVE_COLOURS[:8]  # the vector classes' palette, less black
MAX_CLASSES = 256


@dataclass(frozen=True)
class RasterClass:
    """One value of a classified raster: its colour and its legend label."""

    value: float
    colour: str
    label: str = ""

    def to_dict(self) -> dict:
        return {"value": self.value, "colour": self.colour, "label": self.label}


@dataclass
class RasterStyle:
    """What a raster layer looks like; `opacity` is the layer's own (as for vector layers).

    continuous: values stretched between `vmin`/`vmax` (given) or the raster's min/max or
    `percentiles` (`stretch`), through the matplotlib ramp `ramp`.
    classified: one colour per value in `classes`; values not listed are not drawn.
    loss_year: Hansen loss year as a year ramp (`ramp`); the time filter keeps only the
    period's loss. hillshade: relief from a DEM (`azimuth`, `altitude` in degrees,
    `z_factor` for vertical units other than the map's). rgb: `bands` as red, green, blue.
    """

    kind: RasterKind = "continuous"
    ramp: str = "viridis"
    stretch: str = "minmax"
    percentiles: tuple[float, float] = (2.0, 98.0)
    vmin: float | None = None
    vmax: float | None = None
    classes: tuple[RasterClass, ...] = field(default_factory=tuple)
    azimuth: float = 315.0
    altitude: float = 45.0
    z_factor: float = 1.0
    bands: tuple[int, int, int] = (1, 2, 3)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["percentiles"] = list(self.percentiles)
        out["bands"] = list(self.bands)
        out["classes"] = [c.to_dict() for c in self.classes]
        return out

    def key(self) -> tuple:
        """A hashable stand-in for the look (what a cached drawing depends on)."""
        return tuple(sorted((k, repr(v)) for k, v in self.to_dict().items()))

    @classmethod
    def from_dict(
        cls, data: object, *, where: str | None = None, layer: str | None = None
    ) -> RasterStyle:
        """A raster style from its saved form; a wrong value raises ProjectError naming
        `where`.field and the layer. Unknown keys (a newer version's) are ignored. Without
        `where` the style is one the user is editing: a range upside down raises ValueError
        saying, in the dialog's words, what to change (range_problem)."""
        edited = where is None
        where = where or "style"
        if data is None:
            return cls()
        if not isinstance(data, dict):
            raise _bad(where, layer, tr("an object {…}"), data)
        known: dict = {}
        for key, value in data.items():
            check = _CHECKS.get(key)
            if check is not None:
                known[key] = check(value, f"{where}.{key}", layer)
        vmin, vmax = known.get("vmin"), known.get("vmax")
        kind = known.get("kind", "continuous")
        problem = range_problem(kind, vmin, vmax)
        if problem is not None and edited:
            raise ValueError(problem)
        if problem is not None:  # a project file: name the field to fix, in the same words
            expected = (
                tr("a year after the first year on the colour ramp ({v:g})")
                if kind == "loss_year"
                else tr("a number above the low value ({v:g})")
            )
            raise _bad(f"{where}.vmax", layer, expected.format(v=vmin), vmax)
        return cls(**known)


def range_problem(kind: str, low: float | None, high: float | None) -> str | None:
    """What is wrong with a ramp's range and what to do, as the style dialog names it;
    None when the range is fine (or not fixed)."""
    if low is None or high is None or low < high:
        return None
    if kind == "loss_year":
        return tr(
            "The last year on the colour ramp ({b:.0f}) must come after the first ({a:.0f}): "
            "set a later last year or an earlier first year."
        ).format(a=low, b=high)
    return tr(
        "The high value of the fixed values ({b:g}) must be above the low one ({a:g}): "
        "raise the high value, lower the low one, or untick Fixed values."
    ).format(a=low, b=high)


def _pair(low: float, high: float):
    def check(value: object, where: str, layer: str | None) -> tuple[float, float]:
        number = _number(low, high)
        if not isinstance(value, list | tuple) or len(value) != 2:
            raise _bad(where, layer, tr("two numbers [low, high]"), value)
        a, b = (number(v, f"{where}[{i}]", layer) for i, v in enumerate(value))
        if not a < b:
            raise _bad(where, layer, tr("two numbers [low, high] with low below high"), value)
        return (a, b)

    return check


def _bands(value: object, where: str, layer: str | None) -> tuple[int, int, int]:
    if not isinstance(value, list | tuple) or len(value) != 3:
        raise _bad(where, layer, tr("three band numbers [red, green, blue]"), value)
    number = _number(1, 10_000, whole=True)
    return tuple(number(v, f"{where}[{i}]", layer) for i, v in enumerate(value))  # type: ignore[return-value]


def _classes(value: object, where: str, layer: str | None) -> tuple[RasterClass, ...]:
    if not isinstance(value, list) or len(value) > MAX_CLASSES:
        raise _bad(where, layer, tr("a list of at most {n} classes").format(n=MAX_CLASSES), value)
    out, seen = [], set()
    number = _number(-1e300, 1e300)
    for i, item in enumerate(value):
        here = f"{where}[{i}]"
        if not isinstance(item, dict):
            raise _bad(here, layer, tr("an object {value, colour, label}"), item)
        v = number(item.get("value"), f"{here}.value", layer)
        if v in seen:
            raise _bad(f"{here}.value", layer, tr("a value no other class has"), item.get("value"))
        seen.add(v)
        label = item.get("label", "")
        if not isinstance(label, str) or len(label) > 200:
            raise _bad(f"{here}.label", layer, tr("a text of at most 200 characters"), label)
        out.append(RasterClass(v, _colour(item.get("colour"), f"{here}.colour", layer), label))
    return tuple(out)


_CHECKS = {
    "kind": _one_of(RASTER_KINDS),
    "ramp": _ramp,
    "stretch": _one_of(STRETCHES),
    "percentiles": _pair(0.0, 100.0),
    "vmin": _number(-1e300, 1e300, optional=True),
    "vmax": _number(-1e300, 1e300, optional=True),
    "classes": _classes,
    "azimuth": _number(0.0, 360.0),
    "altitude": _number(0.0, 90.0),
    "z_factor": _number(1e-9, 1e9),
    "bands": _bands,
}


def default_raster_style(layer) -> RasterStyle:
    """A layers.raster.RasterLayer's first look from what the file says: loss year, RGB imagery, classes or a ramp."""
    info = layer.info
    if layer.is_loss_year:
        return RasterStyle(kind="loss_year", ramp="YlOrRd")
    if info.band_count >= 3 and info.dtype == "uint8" and not info.categorical:
        return RasterStyle(kind="rgb")
    if info.categorical:
        return RasterStyle(kind="classified")
    return RasterStyle(kind="continuous", ramp="viridis", stretch="percentile")
