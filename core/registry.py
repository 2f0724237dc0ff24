"""Registries by id: analyses, exports and actions. A plugin registers under an id; callers look
it up by that exact id, never by a guessed attribute name or a menu's translated text.

Analyses keep their own registry (analysis/base.py's @register, filled when their modules are
imported); this module looks them up. Exports and actions are entries naming their function as
'module:attribute', imported on first use so listing them costs no start-up time.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from analysis.base import REGISTRY as ANALYSIS_REGISTRY
from analysis.base import Algorithm, load_all
from layers.i18n import tr, tr_noop


class NotRegistered(LookupError):
    """No entry under this id; the message lists the ids there are."""


@dataclass(frozen=True)
class Entry:
    """One registered export or action."""

    id: str
    title: str  # English (tr_noop): shown through `label`, so it follows a language switch
    target: str  # 'module:attribute' of the function that does the work
    suffixes: tuple[str, ...] = ()  # for exports: the files it writes

    @property
    def label(self) -> str:
        """The title in the active language (a menu, a list, a message)."""
        return tr(self.title)

    def load(self) -> Callable[..., Any]:
        module, _, attribute = self.target.partition(":")
        return getattr(importlib.import_module(module), attribute)


class Registry:
    """Entries by exact id; registering an id twice is refused."""

    def __init__(self, kind: str) -> None:
        self.kind = kind  # English (tr_noop), shown through tr
        self._entries: dict[str, Entry] = {}

    def register(self, entry: Entry) -> Entry:
        if not entry.id or entry.id in self._entries:
            raise ValueError(f"{self.kind} id missing or already registered: {entry.id!r}")
        if ":" not in entry.target:
            raise ValueError(f"{self.kind} {entry.id!r}: target must be 'module:attribute'")
        self._entries[entry.id] = entry
        return entry

    def get(self, entry_id: str) -> Entry:
        try:
            return self._entries[entry_id]
        except KeyError:
            raise NotRegistered(_unknown(tr(self.kind), entry_id, self._entries)) from None

    def call(self, entry_id: str, *args: Any, **kwargs: Any) -> Any:
        """Run the entry's function: `ACTIONS.call("period.set", state, "2016-2020")`."""
        return self.get(entry_id).load()(*args, **kwargs)

    def ids(self) -> list[str]:
        return list(self._entries)

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self._entries

    def __iter__(self) -> Iterator[Entry]:
        return iter(list(self._entries.values()))


def _unknown(kind: str, entry_id: str, known: dict) -> str:
    return tr("No {kind} {id!r}. Known: {known}.").format(
        kind=kind, id=entry_id, known=", ".join(sorted(known)) or "-"
    )


# --- analyses -------------------------------------------------------------------------------
def analysis(algorithm_id: str) -> Algorithm:
    """The analysis registered under `algorithm_id`.

    The module of the same name is imported first (one import instead of all of them: the
    others cost start-up time); an analysis registered from elsewhere is found after all load.
    """
    if algorithm_id not in ANALYSIS_REGISTRY and algorithm_id.isidentifier():
        try:
            importlib.import_module(f"analysis.{algorithm_id}")
        except ModuleNotFoundError as exc:
            if exc.name != f"analysis.{algorithm_id}":
                raise
    if algorithm_id not in ANALYSIS_REGISTRY:
        load_all()
    try:
        return ANALYSIS_REGISTRY[algorithm_id]
    except KeyError:
        raise NotRegistered(_unknown(tr("analysis"), algorithm_id, ANALYSIS_REGISTRY)) from None


def analyses() -> dict[str, Algorithm]:
    """Every analysis by id (imports them all)."""
    return dict(load_all())


# --- exports and actions --------------------------------------------------------------------
# Exports: f(project, out, *, period, feedback, **options) -> Path (core/exports.py).
EXPORTS = Registry(tr_noop("export"))
for _entry in (
    Entry("map", tr_noop("Map (PNG, SVG, PDF)"), "core.exports:map_file", (".png", ".svg", ".pdf")),
    Entry("webmap", tr_noop("Offline web map (HTML)"), "core.exports:web_map", (".html",)),
    Entry("briefing", tr_noop("Briefing pack (PDF)"), "core.exports:briefing_pack", (".pdf",)),
    Entry(
        "compare",
        tr_noop("Comparison (PNG, PDF, SVG)"),
        "core.exports:comparison",
        (".png", ".pdf", ".svg"),
    ),
):
    EXPORTS.register(_entry)

# Actions: f(state, **arguments) -> Any (core/actions.py); menus and shortcuts bind to the id.
ACTIONS = Registry(tr_noop("action"))
for _entry in (
    Entry("project.open", tr_noop("Open project"), "core.actions:open_project"),
    Entry("project.save", tr_noop("Save project"), "core.actions:save_project"),
    Entry("period.set", tr_noop("Set the period"), "core.actions:set_period"),
    Entry("period.clear", tr_noop("All dates"), "core.actions:clear_period"),
    Entry("selection.clear", tr_noop("Clear selection"), "core.actions:clear_selection"),
    Entry("analysis.run", tr_noop("Run an analysis"), "core.actions:run_analysis"),
    Entry("export.run", tr_noop("Export"), "core.actions:run_export"),
):
    ACTIONS.register(_entry)
