"""Every key the results panel shows from an analysis run on the sample project (summary rows,
the blocks they sit in, summary tables' and the result table's columns, the columns result
layers add) has a label in analysis/result_labels.py, with Spanish waiting for it: the actor
profile's figures showed as 'Civilian share', 'Trend per year' in both languages."""

from __future__ import annotations

import pandas as pd
import po_catalogue
import pytest

from analysis.inputs import execute
from analysis.result_labels import MEASURES, PATTERNS, has_label, measure
from core.registry import analyses
from desktop.results_dock import _is_table
from layers.command_support import open_project
from sample_maps import SAMPLE_PROJECT

HANSEN = SAMPLE_PROJECT.parent / "data" / "hansen_lossyear_xaa_synthetic_30m.tif"
ACLED, ADM2 = "Eventos de violencia (ACLED)", "Municipios (ADM2)"
# Each analysis's inputs on the sample (README's displacement example for displacement).
RUNS: dict[str, dict] = {
    "actors": {},
    "enforcement": {},
    "indicators": {},
    "count": {"points": ACLED, "polygons": ADM2},
    "hotspots": {"events": ACLED},
    "environment": {"footprints": "Aspersión aérea 2014–2015"},
    "access": {"demand": "Centros poblados", "supply": "Servicios de salud"},
    "cultivation": {"grid": "Cultivos de coca 1 km (SIMCI)"},
    "zonal": {"raster": str(HANSEN), "zones": ADM2},
    "displacement": {
        "events": "Cultivos de coca 1 km (SIMCI)",
        "targets": "Erradicación manual",
        "targets_where": "campana=Operación Tacuré",
        "date": "2018-06-01",
        "window_years": 1,
        "target_radius_m": 2000,
        "buffer_m": 3000,
        "rings": 3,
    },
}


def shown_keys(summary: dict) -> set[str]:
    """The keys results_dock.summary_parts gives a label: rows, their blocks, tables' columns
    (entries of a block holding named entries, such as areas by name, are data, not keys,
    unless they are the code's own snake_case names: cultivation's classes, the rules)."""
    keys: set[str] = set()

    def walk(block: dict, parent: str | None) -> None:
        entries = parent is not None and measure(parent).of_entries
        for raw, value in block.items():
            key = str(raw)
            if _is_table(value):
                keys.add(key)
                frame = (
                    pd.DataFrame(value)
                    if isinstance(value, list)
                    else pd.DataFrame(list(value.values()))
                )
                keys.update(map(str, frame.columns))
            elif isinstance(value, dict) and 0 < len(value) <= 40:
                keys.add(key)
                walk(value, key)
            elif not entries or (key.isidentifier() and key.islower()):
                keys.add(key)

    walk(summary, None)
    return keys


@pytest.fixture(scope="module")
def project():
    return open_project(str(SAMPLE_PROJECT), sample_when_missing=False)


def test_every_analysis_is_run_here() -> None:
    assert set(RUNS) == set(analyses()), "add the new analysis's sample inputs to RUNS"


# Analyses whose labels come with the work still under way on them (the test names them).
PENDING: dict[str, str] = {}


@pytest.mark.parametrize(
    "algorithm_id",
    [
        pytest.param(a, marks=pytest.mark.skip(reason=PENDING[a])) if a in PENDING else a
        for a in sorted(RUNS)
    ],
)
def test_what_the_analysis_shows_has_labels(project, algorithm_id) -> None:
    result = execute(analyses()[algorithm_id], dict(RUNS[algorithm_id]), project)
    assert_labelled(project, algorithm_id, result)


def dialog_defaults(qtbot, pool, project, algorithm_id: str) -> dict:
    """The parameters the analysis dialog fills on the sample (layers chosen by role, numbers
    at their defaults); RUNS gives only the required ones it leaves empty (a raster path)."""
    from desktop.analysis_dialog import AnalysisDialog, alternatives

    dialog = AnalysisDialog(analyses()[algorithm_id], project, thread_pool=pool)
    qtbot.addWidget(dialog)
    params = dialog.values()
    parameters = analyses()[algorithm_id].parameters
    others = alternatives(parameters)
    required = {p.name for p in parameters if p.required}
    for name, value in RUNS[algorithm_id].items():
        empty = params.get(name) is None and params.get(others.get(name, "")) is None
        if name in required and empty:
            params[name] = value
    return params


@pytest.mark.parametrize("algorithm_id", sorted(RUNS))
def test_what_the_analysis_shows_with_the_dialogs_defaults_has_labels(
    qtbot, pool, project, algorithm_id
) -> None:
    # Environment with the water and settlement layers, cultivation by region: keys RUNS'
    # narrower inputs never produce ('near_water', 'permanent_ha').
    algorithm = analyses()[algorithm_id]
    params = algorithm.validate(dialog_defaults(qtbot, pool, project, algorithm_id))
    assert_labelled(project, algorithm_id, execute(algorithm, params, project))


def assert_labelled(project, algorithm_id: str, result) -> None:
    keys = shown_keys(result.summary)
    if result.table is not None:
        keys.update(map(str, result.table.columns))
    for frame in result.layers.values():
        keys.update(str(c) for c in frame.columns if c != "geometry")
    # Columns carried over from the inputs (a settlement's municipio) keep their own names.
    given = {str(c) for layer in project.layers if hasattr(layer, "data") for c in layer.data}
    missing = sorted(k for k in keys - given if not has_label(k))
    assert not missing, f"{algorithm_id}: no label in analysis/result_labels.py for {missing}"


def test_every_label_has_spanish() -> None:
    spanish = po_catalogue.spanish_msgstrs()
    labels = [*MEASURES.values(), *PATTERNS.values()]
    untranslated = sorted(m.label for m in labels if m.label not in spanish)
    assert not untranslated, untranslated
