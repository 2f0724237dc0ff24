"""One runner for analyses and exports: look the work up by id, resolve and validate its
parameters once, run it with the one Feedback (progress, messages, cancel), write its outputs
atomically through the one writer (analysis/outputs.py), never over the files it read.

    result = run_analysis("count", {"points": "Events", "polygons": "Regions"}, state, feedback)
    write_outputs(result, "counts.gpkg", protect=protected_paths(state, "count", raw))
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from analysis.base import AnalysisResult, Feedback
from analysis.inputs import InputError, execute, split_layer_spec
from analysis.outputs import check_not_protected, write_result
from core.registry import EXPORTS, analysis
from core.state import AppState
from layers.i18n import tr
from layers.layer import Layer
from layers.project import Project


def project_of(state_or_project: AppState | Project | None) -> Project | None:
    """The project a run works on: the state's open project, or the one given."""
    if isinstance(state_or_project, AppState):
        return state_or_project.project
    return state_or_project


def run_analysis(
    algorithm_id: str,
    raw_params: Mapping[str, Any],
    state_or_project: AppState | Project | None = None,
    feedback: Feedback | None = None,
) -> AnalysisResult:
    """Run the analysis registered as `algorithm_id` on what the user gave.

    `raw_params` are as typed (text, numbers, layer names or files, Layers): defaults are
    filled, required values checked (Algorithm.validate), layers read, fields, numbers and
    dates checked here, once (analysis.inputs.resolve_params); problems are one-line
    InputErrors (analysis.inputs.execute).
    """
    return execute(analysis(algorithm_id), dict(raw_params), project_of(state_or_project), feedback)


def protected_paths(
    state_or_project: AppState | Project | None,
    algorithm_id: str | None = None,
    raw_params: Mapping[str, Any] | None = None,
) -> list[Path]:
    """Files an output must never replace: the project file, its layers' files, and the files
    the run's layer parameters name."""
    project = project_of(state_or_project)
    paths: list[Path] = []
    if project is not None:
        if project.path:
            paths.append(Path(project.path))
        paths += [Path(layer.source.path) for layer in project.layers if layer.source.path]
    if algorithm_id and raw_params:
        names = set(project.layers.names()) if project is not None else set()
        for p in analysis(algorithm_id).parameters:
            value = raw_params.get(p.name)
            if p.kind != "layer" or value in (None, ""):
                continue
            if isinstance(value, Layer):
                paths += [Path(value.source.path)] if value.source.path else []
            elif str(value) not in names:  # a file given directly (PATH or PATH::sublayer)
                paths.append(Path(split_layer_spec(str(value))[0]))
    return paths


def write_outputs(
    result: AnalysisResult, path: str | Path, protect: Iterable[str | Path] = ()
) -> list[Path]:
    """Write the result to `path` (.gpkg, .geojson, .csv, .json) atomically; refuses to write
    over a file in `protect` (see protected_paths). Returns the files written."""
    return write_result(result, path, protect=protect)


def run_export(
    export_id: str,
    out: str | Path,
    state_or_project: AppState | Project | None,
    feedback: Feedback | None = None,
    **options: Any,
) -> Path:
    """Run the export registered as `export_id` (map, webmap, briefing, compare) to `out`.

    The period is the state's (or the project's) unless `period=` is given. Refuses to write
    over the project's files. Export errors (ExportError, BriefingError) say what to fix.
    """
    entry = EXPORTS.get(export_id)
    project = project_of(state_or_project)
    if project is None:
        raise InputError(tr("No project is open: open one before exporting."))
    out = Path(out)
    if entry.suffixes and out.suffix.lower() not in entry.suffixes:
        raise InputError(
            tr("{p}: the {id} export writes {s}.").format(
                p=out, id=entry.id, s=", ".join(entry.suffixes)
            )
        )
    check_not_protected([out], protected_paths(project))
    if "period" not in options:
        options["period"] = (
            state_or_project.period
            if isinstance(state_or_project, AppState)
            else project.time_filter
        )
    return entry.load()(project, out, feedback=feedback or Feedback(), **options)
