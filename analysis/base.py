"""How an analysis is declared once and run from the desktop, the CLI and the tests.

Modelled on QGIS Processing: an algorithm declares its parameters and outputs, and
implements `run(params, feedback)`, checking `feedback.canceled` and reporting progress.
The desktop dialog and the `analyze` sub-command are generated from the declaration.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

# The one progress protocol; analyses import it from here (explicit re-export).
from layers.feedback import Canceled as Canceled
from layers.feedback import Feedback as Feedback

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

ParamKind = Literal[
    "layer",  # a layer: a file path on the CLI (path or path::sublayer), a Layer in the app
    "field",  # a column name of another (layer) parameter, named in `parent`
    "number",
    "integer",
    "string",
    "date",
    "enum",
    "bool",
    "numbers",  # comma-separated list of numbers
    "path",  # an output or input file path
    "project",  # a project file
]


# Frozen: analyses share one declaration (analysis/common_parameters.py) and vary it with
# dataclasses.replace, so no analysis may change another's copy.
@dataclass(frozen=True)
class Parameter:
    name: str
    kind: ParamKind
    help: str
    default: Any = None
    required: bool = False
    choices: tuple[str, ...] = ()
    parent: str | None = None  # for 'field': the layer parameter it belongs to
    roles: tuple[str, ...] = ()  # for 'layer': roles that fit (the dialog preselects them)
    geometry: tuple[str, ...] = ()  # for 'layer': accepted geometry kinds (point/line/polygon)
    label: str = ""

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()


@dataclass
class Output:
    name: str
    kind: Literal["layer", "table", "summary"]
    help: str = ""


@dataclass
class AnalysisResult:
    """What an analysis gives back: JSON-able summary, result layers and a table."""

    summary: dict = field(default_factory=dict)
    layers: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    table: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)
    # Styling hints for result layers: {layer name: {"field": ..., "kind": ...}}
    styles: dict[str, dict] = field(default_factory=dict)
    # Grids of values (e.g. a density), written by `--out FILE.tif` as GeoTIFF.
    rasters: dict[str, Raster] = field(default_factory=dict)


@dataclass
class Raster:
    """A north-up grid of values: (rows, cols) array, GDAL geotransform, CRS."""

    values: Any
    geotransform: tuple[float, float, float, float, float, float]
    crs: Any


class Algorithm:
    """Subclass, set the class attributes, implement `run`, and decorate with @register."""

    id: str = ""
    title: str = ""
    help: str = ""
    parameters: tuple[Parameter, ...] = ()
    outputs: tuple[Output, ...] = ()
    # Roles this analysis finds in the project by itself ("*": every layer): the CLI loads
    # those and the layers named in the parameters, nothing else.
    project_roles: tuple[str, ...] = ()

    def parameter(self, name: str) -> Parameter:
        for p in self.parameters:
            if p.name == name:
                return p
        raise KeyError(name)

    def layers_needed(self, raw: dict[str, Any]) -> tuple[set[str], set[str]]:
        """(layer names named in `raw`, roles read from the project) for loading a project."""
        names = {
            str(raw[p.name])
            for p in self.parameters
            if p.kind == "layer" and isinstance(raw.get(p.name), str)
        }
        return names, set(self.project_roles)

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.parameters}

    def validate(self, params: dict[str, Any]) -> dict[str, Any]:
        """Fill defaults and check required values; raise ValueError with a clear message."""
        merged = self.defaults() | {k: v for k, v in params.items() if v is not None}
        missing = [
            p.flag for p in self.parameters if p.required and merged.get(p.name) in (None, "")
        ]
        if missing:
            raise ValueError(f"{self.id}: missing {', '.join(missing)}")
        for p in self.parameters:
            v = merged.get(p.name)
            if p.kind == "enum" and v is not None and v not in p.choices:
                raise ValueError(f"{p.flag} must be one of {', '.join(p.choices)}, not {v!r}")
        return merged

    def run(self, params: dict[str, Any], feedback: Feedback) -> AnalysisResult:
        """The analysis proper, on resolved parameters: callers with what the user gave go
        through analysis.inputs.execute (core.runner.run_analysis by id)."""
        raise NotImplementedError

    def command_line(self, params: dict[str, Any]) -> str:
        """The equivalent CLI call (the desktop dialog shows it)."""
        import shlex

        parts = ["python", "main.py", "analyze", self.id]
        for p in self.parameters:
            v = params.get(p.name)
            if v is None or v == p.default or v is False:
                continue
            if p.kind == "layer" and hasattr(v, "source"):
                v = v.source.path + (f"::{v.source.sublayer}" if v.source.sublayer else "")
            if v is True:
                parts.append(p.flag)
                continue
            if isinstance(v, list | tuple):
                v = ",".join(str(x) for x in v)
            parts += [p.flag, str(v)]
        return " ".join(shlex.quote(s) for s in parts)


REGISTRY: dict[str, Algorithm] = {}


def register(cls: type[Algorithm]) -> type[Algorithm]:
    if not cls.id or cls.id in REGISTRY:
        raise ValueError(f"Algorithm id missing or duplicated: {cls.id!r}")
    REGISTRY[cls.id] = cls()
    return cls


def algorithm(algorithm_id: str) -> Algorithm:
    load_all()
    try:
        return REGISTRY[algorithm_id]
    except KeyError:
        raise KeyError(
            f"Unknown analysis {algorithm_id!r}. Known: {', '.join(sorted(REGISTRY))}"
        ) from None


def load_all() -> dict[str, Algorithm]:
    """Import every analysis module so its @register runs."""
    import importlib

    for module in (
        "actors",
        "count",
        "displacement",
        "enforcement",
        "environment",
        "hotspots",
        "access",
        "cultivation",
        "indicators",
        "zonal",
    ):
        try:
            importlib.import_module(f"analysis.{module}")
        except ModuleNotFoundError as exc:
            if exc.name != f"analysis.{module}":
                raise
    return REGISTRY
