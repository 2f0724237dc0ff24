"""Every registered analysis sits in a named toolbox group (desktop/toolbox.py GROUPS) with
Spanish waiting for it, never under its module's name in English (the actor profile showed
"Actors" in the Spanish window)."""

from __future__ import annotations

import po_catalogue

from core.registry import analyses
from desktop.toolbox import GROUPS, Toolbox


def _module(algorithm) -> str:
    return type(algorithm).__module__.rsplit(".", 1)[-1]


def test_every_analysis_has_a_group_with_spanish() -> None:
    spanish = po_catalogue.spanish_msgstrs()
    for algorithm_id, algorithm in analyses().items():
        assert _module(algorithm) in GROUPS, f"{algorithm_id}: add its module to GROUPS"
    for title in GROUPS.values():
        assert title in spanish, f"no Spanish for the group {title!r}"


def test_toolbox_tree_shows_the_declared_groups(qtbot) -> None:
    toolbox = Toolbox(lambda *_args: None)
    qtbot.addWidget(toolbox)
    tree = toolbox.tree
    shown = {
        tree.topLevelItem(i).child(j).text(0): tree.topLevelItem(i).text(0)
        for i in range(tree.topLevelItemCount())
        for j in range(tree.topLevelItem(i).childCount())
    }
    assert shown["Actor profile of violence"] == "Armed actors", shown
    assert set(shown.values()) <= set(GROUPS.values()), shown
