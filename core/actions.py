"""The headless actions the registry names (core/registry.py): f(state, **arguments). A menu
item, a shortcut or a script binds to the id ('period.clear') and calls ACTIONS.call(id, state)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from analysis.base import AnalysisResult, Feedback
from core import runner
from core.state import AppState
from layers.project import Project
from layers.timefilter import TimeFilter


def open_project(state: AppState, path: str | Path | None = None) -> Project:
    return state.open_project(path)


def save_project(state: AppState, path: str | Path | None = None) -> Path:
    return state.save_project(path)


def set_period(state: AppState, period: TimeFilter | str | None) -> None:
    state.set_period(period)


def clear_period(state: AppState) -> None:
    state.set_period(None)


def clear_selection(state: AppState, layer: str | None = None) -> None:
    state.clear_selection(layer)


def run_analysis(
    state: AppState,
    algorithm_id: str,
    params: dict[str, Any],
    feedback: Feedback | None = None,
) -> AnalysisResult:
    return runner.run_analysis(algorithm_id, params, state, feedback)


def run_export(
    state: AppState,
    export_id: str,
    out: str | Path,
    feedback: Feedback | None = None,
    **options: Any,
) -> Path:
    return runner.run_export(export_id, out, state, feedback, **options)
