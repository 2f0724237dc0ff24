"""The project's own indicators (columns of a joined region table) are shown wherever the
catalogue's are: the briefing pack's region profile and the comparison (its table, its map's
indicator list), with the analyst's label, unit and direction. A percent column whose values
are already percents (a poverty index of 51.0) is not multiplied by 100 again."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from analysis.custom_indicators import project_catalogue  # noqa: E402
from analysis.inputs import load_project  # noqa: E402
from cartography.briefing import indicator_table  # noqa: E402
from cartography.briefing_data import compute_table, indicator_columns  # noqa: E402
from cartography.compare import compare_figure  # noqa: E402
from cartography.comparison import Side, compute_comparison, indicator_catalogue  # noqa: E402
from layers.custom_indicators import CustomIndicator  # noqa: E402
from layers.feedback import Feedback  # noqa: E402
from layers.layer import Layer  # noqa: E402
from layers.region_join import join_region_table  # noqa: E402
from layers.region_table import read_region_table  # noqa: E402
from sample_maps import SAMPLE_DIR, SAMPLE_PROJECT  # noqa: E402

XLSX = SAMPLE_DIR / "data" / "estadisticas_municipales_xaa_synthetic.xlsx"
POVERTY = "Poverty index (IPM)"


@pytest.fixture(scope="module")
def project():
    project = load_project(str(SAMPLE_PROJECT))
    regions = project.layers["Municipios (ADM2)"]
    joined = join_region_table(read_region_table(XLSX), regions)
    layer = project.add(
        Layer(joined.data, "Municipios + estadísticas", role=regions.role, mapping=regions.mapping)
    )
    project.indicators += [
        CustomIndicator(layer.name, "ipm_2018", POVERTY, unit="%"),
        CustomIndicator(layer.name, "asistencia_escolar_2018", "School attendance", False, "%"),
    ]
    return project


def texts(fig) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts] + [
        c.get_text().get_text()
        for ax in fig.axes
        for tb in ax.tables
        for c in tb.get_celld().values()
    ]


def test_the_briefings_region_profile_lists_them_with_label_unit_and_direction(project):
    table = compute_table(project, project.time_filter, Feedback())
    outcomes = [i.column for i in indicator_columns(table, "outcome")]
    assert "ipm_2018" in outcomes and "asistencia_escolar_2018" in outcomes
    fig = plt.figure()
    indicator_table(fig.add_subplot(), table, "XA01001")
    shown = texts(fig)
    plt.close(fig)
    assert f"{POVERTY} (%)" in shown and "School attendance (%)" in shown
    i = shown.index(f"{POVERTY} (%)")
    assert shown[i + 1] == "51"  # the table's 51.0 %, not 5,100: its values are percents


def test_the_comparison_offers_maps_and_tabulates_them(project):
    catalogue = indicator_catalogue(project)
    assert catalogue["ipm_2018"].label == POVERTY and catalogue["ipm_2018"].higher_is_worse
    assert catalogue["asistencia_escolar_2018"].higher_is_worse is False
    keys = list(catalogue)
    assert keys.index("ipm_2018") < keys.index("harm_index")  # before the index, as the table
    assert [i.key for i in project_catalogue(project)][-2:] == ["harm_index", "priority_rank"]
    comparison = compute_comparison(
        project, Side.parse("XA01001"), Side.parse("XA02001"), "ipm_2018"
    )
    assert comparison.indicator_label == f"{POVERTY} (%)"
    values = {
        str(c): v for u in comparison.units for c, v in zip(u["code"], u["value"], strict=True)
    }
    assert values["XA01001"] == pytest.approx(51.0)
    row = comparison.table.set_index("key").loc["ipm_2018"]
    assert row["indicator"] == f"{POVERTY} (%)" and row["left"] == pytest.approx(51.0)
    assert row["higher_is_worse"] is True or row["higher_is_worse"] == True  # noqa: E712
    assert any("no trend" in n for n in comparison.notes)  # a table without years
    fig = compare_figure(
        project, Side.parse("XA01001"), Side.parse("XA02001"), comparison=comparison
    )
    shown = texts(fig)
    plt.close(fig)
    assert any(s.startswith(POVERTY) for s in shown)


def test_the_results_panel_labels_them_as_the_analyst_named_them(project):
    from analysis.custom_indicators import table_entries
    from analysis.result_labels import measure

    table_entries(project, {"code", "name", "parent_code"})  # what every indicators run does
    poverty = measure("ipm_2018")
    assert poverty.label == f"{POVERTY} (%)" and poverty.unit == ""  # 51.0 stays 51.0
    assert measure("asistencia_escolar_2018").label == "School attendance (%)"
