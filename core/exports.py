"""The exports the registry names (core/registry.py), each as f(project, out, *, period,
feedback, **options) -> Path so the runner drives them alike. The work stays in cartography/;
these only adapt the period and the one Feedback to each function's arguments."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from analysis.base import Feedback
from layers.project import Project
from layers.timefilter import TimeFilter


def map_file(
    project: Project,
    out: Path,
    *,
    period: TimeFilter | None,
    feedback: Feedback,
    **options: Any,
) -> Path:
    """A print layout (PNG, SVG, PDF): cartography.export.export_map's options (region,
    layers, title, page, dpi)."""
    from cartography.export import export_map

    feedback.check()
    return export_map(project, out, years=period, feedback=feedback, **options)


def web_map(
    project: Project,
    out: Path,
    *,
    period: TimeFilter | None,
    feedback: Feedback,
    **options: Any,
) -> Path:
    """The offline web map (HTML), through the same entry as the map (region, layers, tiles)."""
    return map_file(project, out, period=period, feedback=feedback, **options)


def briefing_pack(
    project: Project,
    out: Path,
    *,
    period: TimeFilter | None,
    feedback: Feedback,
    **options: Any,
) -> Path:
    """The briefing pack (PDF): cartography.briefing.write_briefing's options (regions,
    title, max_regions)."""
    from cartography.briefing import write_briefing

    write_briefing(project, out, years=period, feedback=feedback, **options)
    return out


def comparison(
    project: Project,
    out: Path,
    *,
    period: TimeFilter | None,
    feedback: Feedback,
    left: Any,
    right: Any,
    indicator: str | None = None,
    title: str | None = None,
    dpi: int = 200,
    comparison: Any = None,
) -> Path:
    """Two regions or periods side by side (PNG, PDF, SVG). `left`/`right` are Sides or
    text such as 'XA01:2016-2020'; a side without a period takes `period`. `comparison`, a
    finished cartography.comparison.Comparison, prints exactly what a window shows (its
    notes and operation) instead of computing it again."""
    from cartography.compare import Side, compare_figure
    from cartography.export import save_figure

    sides = []
    for side in (left, right):
        side = side if isinstance(side, Side) else Side.parse(str(side))
        sides.append(Side(side.region, side.period or period))
    fig = compare_figure(
        project,
        *sides,
        indicator,
        comparison=comparison,
        title=title,
        feedback=feedback,
        dpi=dpi,  # rasters are painted at the figure's pixels: the print's resolution
    )
    feedback.check()
    save_figure(fig, out, dpi, title or "")  # atomic, fonts kept as text
    return out
