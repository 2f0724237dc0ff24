"""Enforcement records are recognised (police arrest/seizure exports in Spanish, English
tables, per-region counts) and their fields mapped; other layers keep their roles."""

from __future__ import annotations

import fixtures_factory as ff
import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from layers.detect import detect_role
from layers.readers import read_layers
from layers.roles import Role
from sample_maps.project import ENFORCEMENT_FIELDS


def _points(data: dict) -> gpd.GeoDataFrame:
    n = len(next(iter(data.values())))
    return gpd.GeoDataFrame(
        data, geometry=[Point(-76 + i * 0.01, 1) for i in range(n)], crs="EPSG:4326"
    )


def test_police_csv_of_arrests_and_seizures(tmp_path):
    path = tmp_path / "capturas_incautaciones.csv"
    pd.DataFrame(
        {
            "fecha_hecho": ["03/05/2018", "21/11/2019", "14/02/2020"],
            "tipo_accion": ["CAPTURA", "INCAUTACIÓN", "OPERATIVO"],
            "delito": ["Porte de estupefacientes", "", "Concierto para delinquir agravado"],
            "droga": ["", "Cocaína", ""],
            "cantidad": [None, 12.5, None],
            "unidad": ["", "kg", ""],
            "capturas": [1, 0, 9],
            "cod_mpio": ["XA01001", "XA02001", "XA02002"],
            "latitud": [1.7, 1.2, 0.8],
            "longitud": [-76.7, -75.7, -75.8],
        }
    ).to_csv(path, index=False)
    layer = read_layers(path)[0]
    assert layer.role == Role.ENFORCEMENT, layer.report
    # The columns of a police export, mapped as the sample project maps its own.
    assert layer.mapping.fields == ENFORCEMENT_FIELDS
    assert layer.data["fecha_hecho"].dt.month.tolist() == [5, 11, 2]  # day first


def test_english_arrest_table_and_upper_case_columns():
    gdf = _points(
        {
            "DATE": ["2020-01-02", "2020-03-04"],
            "OFFENCE": ["Possession", "Possession with intent to supply"],
            "ARRESTS": [1, 3],
            "DRUG": ["cannabis", "cocaine"],
        }
    )
    found = detect_role(gdf, "arrests_2020")
    assert found.role == Role.ENFORCEMENT
    assert found.mapping.fields["offence"] == "OFFENCE"
    assert found.mapping.fields["persons"] == "ARRESTS"
    assert found.mapping.fields["drug"] == "DRUG"


def test_counts_per_region_without_geometry():
    table = pd.DataFrame(
        {"cod_mpio": ["05001", "05002"], "anio": [2020, 2020], "capturas": [120, 8],
         "delito": ["Tráfico, fabricación o porte de estupefacientes"] * 2}
    )  # fmt: skip
    found = detect_role(table)
    assert found.role == Role.ENFORCEMENT
    assert found.mapping.fields["region_code"] == "cod_mpio"
    assert found.mapping.fields["persons"] == "capturas"
    assert found.mapping.fields["year"] == "anio"


def test_offence_values_the_vocabulary_knows_raise_the_confidence():
    known = _points({"delito": ["Porte de estupefacientes", "Microtráfico"], "x": [1, 2]})
    unknown = _points({"delito": ["Hurto", "Lesiones"], "x": [1, 2]})
    assert detect_role(known).role == Role.ENFORCEMENT
    assert detect_role(known).confidence > detect_role(unknown).confidence


def test_acled_and_eradication_keep_their_roles(tmp_path):
    acled = read_layers(ff.acled_csv(tmp_path))[0]
    assert acled.role == Role.VIOLENCE  # ACLED's "Arrests" sub-events are not a police file
    assert "offence" not in acled.mapping.fields
    eradication = _points(
        {"fecha": ["2020-01-01", "2020-02-01"], "hectareas": [1.5, 2.0],
         "modalidad": ["manual", "manual"], "cantidad": [3, 4]}
    )  # fmt: skip
    found = detect_role(eradication)
    assert found.role == Role.ERADICATION
    assert not {"persons", "offence", "quantity"} & set(found.mapping.fields)


def test_enforcement_layers_get_their_own_look_and_classes_by_action_type() -> None:
    import pandas as pd

    from layers.roles import FieldMapping, Role
    from layers.style import Style, category_field, default_style

    assert default_style(Role.ENFORCEMENT) != Style()  # not the plain grey of unknown layers
    frame = pd.DataFrame(
        {"tipo_accion": ["captura", "incautación", "operativo"], "delito": ["a", "b", "c"]}
    )
    mapping = FieldMapping(fields={"action_type": "tipo_accion", "offence": "delito"})
    assert category_field(frame, Role.ENFORCEMENT, mapping) == "tipo_accion"
