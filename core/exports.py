"""The exports the registry names (core/registry.py), each as f(project, out, *, period,
feedback, **options) -> Path so the runner drives them alike. The work stays in cartography/;
these only adapt the period and the one Feedback to each function's arguments.

Each takes `language` ('es', 'en'; None: the active one), writes the file in it, and records it
on the project (Project.export_language), saved with the project (docs/translations.md);
`remember=False` (the map dialog's preview) records nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from analysis.base import Feedback
from analysis.inputs import InputError
from layers import i18n
from layers.i18n import available_languages, current_language, tr
from layers.project import Project
from layers.timefilter import TimeFilter


def _base(code: str) -> str:
    return code.split("_")[0]


def _check(language: str) -> None:
    if _base(language) not in {_base(c) for c in available_languages()}:
        raise InputError(
            tr("No catalogue for the language {lang!r}: choose from {choices}.").format(
                lang=language, choices=", ".join(available_languages())
            )
        )


@contextmanager
def written_in(language: str | None) -> Iterator[str]:
    """Run an export in `language` ('es', 'en'; None: the current one, e.g. 'es_CO'
    from LANG) and yield the code it is written in. The language is the export's own
    (layers.i18n.language, this thread only): the interface keeps the app's meanwhile, exports
    in other languages run at the same time, and a switch in View ▸ Language does not reach
    an export already running."""
    if language:
        _check(language)
    current = current_language()
    wanted = language or current
    if _base(wanted) == _base(current):
        wanted = current  # 'es' asked in an 'es_CO' app: the app's own catalogue
    with i18n.language(wanted):
        yield wanted


def _remember(project: Project, language: str) -> None:
    """The export language, remembered for the next export; written when the project is saved
    (an export alone does not make the project unsaved)."""
    project.export_language = language


def map_file(
    project: Project,
    out: Path,
    *,
    period: TimeFilter | None,
    feedback: Feedback,
    language: str | None = None,
    remember: bool = True,
    **options: Any,
) -> Path:
    """A print layout (PNG, SVG, PDF) or the offline web map (HTML), by the file's suffix:
    cartography.export.export_map's options (region, layers, title, page, dpi, tiles)."""
    from cartography.export import export_map

    feedback.check()
    with written_in(language) as used:
        written = export_map(project, out, years=period, feedback=feedback, **options)
    if remember:  # a preview is no export
        _remember(project, used)
    return written


# The offline web map (HTML) is the map's own entry: export_map writes HTML for an .html
# file (region, layers, tiles), so the registry's 'webmap' needs no second signature to forward.
web_map = map_file


def briefing_pack(
    project: Project,
    out: Path,
    *,
    period: TimeFilter | None,
    feedback: Feedback,
    language: str | None = None,
    **options: Any,
) -> Path:
    """The briefing pack (PDF): cartography.briefing.write_briefing's options (regions,
    title, max_regions)."""
    from cartography.briefing import write_briefing

    with written_in(language) as used:
        write_briefing(project, out, years=period, feedback=feedback, **options)
    _remember(project, used)
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
    language: str | None = None,
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
    with written_in(language) as used:
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
    _remember(project, used)
    return out
