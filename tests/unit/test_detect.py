"""Role detection and field mapping from the conventions of real exports (docs/methods.md)."""

from __future__ import annotations

import fixtures_factory as ff
import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, box

from layers.detect import detect_role
from layers.readers import read_layers
from layers.roles import Role

LONLAT = "EPSG:4326"


def _points(data: dict, n: int | None = None) -> gpd.GeoDataFrame:
    n = n or len(next(iter(data.values())))
    return gpd.GeoDataFrame(data, geometry=[Point(-76 + i * 0.01, 1) for i in range(n)], crs=LONLAT)


def _polygons(data: dict) -> gpd.GeoDataFrame:
    n = len(next(iter(data.values())))
    return gpd.GeoDataFrame(
        data, geometry=[box(-76 + i, 0, -75.5 + i, 0.5) for i in range(n)], crs=LONLAT
    )


def test_acled_columns_mean_violence(tmp_path):
    layer = read_layers(ff.acled_csv(tmp_path))[0]
    assert layer.role == Role.VIOLENCE
    assert layer.role_confidence >= 0.9
    fields = layer.mapping.fields
    assert fields["date"] == "event_date"
    assert fields["fatalities"] == "fatalities"
    assert fields["event_type"] == "event_type"
    assert fields["actor_type"] == "inter1"
    assert fields["year"] == "year"
    assert fields["name"] == "location"
    assert "region_code" not in fields  # admin2 holds names; joins use codes only


def test_healthsites_csv(tmp_path):
    layer = read_layers(ff.healthsites_csv(tmp_path))[0]
    assert layer.role == Role.HEALTH_SERVICES
    assert layer.mapping.get("facility_type") == "amenity"
    assert layer.mapping.get("capacity") == "beds"
    assert layer.mapping.get("name") == "name"
    # "nan" strings are missing values, not a facility called "nan".
    assert layer.data["amenity"].isna().sum() == 1
    assert layer.data["name"].isna().sum() == 1


def test_healthsites_shapefile_with_truncated_names(tmp_path):
    layer = read_layers(ff.healthsites_shapefile(tmp_path))[0]
    assert layer.role == Role.HEALTH_SERVICES
    assert "operator_t" in layer.data.columns
    assert layer.data["name"].isna().sum() == 1
    assert any('"nan"' in r for r in layer.report.repairs)


def _guess(frame: gpd.GeoDataFrame, key: str) -> tuple[Role, str | None]:
    """The role detected for `frame` and the column it maps to canonical `key`."""
    detection = detect_role(frame)
    return detection.role, detection.mapping.get(key)


def test_shapefile_truncated_candidate_names_match():
    long = _points({"tipo_erradicacion": ["manual"], "hectareas": [2.0], "fecha": ["2020-01-01"]})
    long = long.rename(columns={"tipo_erradicacion": "tipo_errad"})
    assert _guess(long, "method") == (Role.ERADICATION, "tipo_errad")


@pytest.mark.parametrize("schema", ["legacy", "2025"])
def test_wdpa_both_schemas(tmp_path, schema):
    layer = read_layers(ff.wdpa_shapefile(tmp_path, schema))[0]
    assert layer.role == Role.PROTECTED_AREAS
    assert layer.role_confidence >= 0.9
    assert layer.mapping.get("iucn_category") == "IUCN_CAT"
    assert layer.mapping.get("status") == "STATUS"
    expected_name = "NAME" if schema == "legacy" else "NAME_ENG"
    assert layer.mapping.get("name") == expected_name
    expected_id = "WDPAID" if schema == "legacy" else "SITE_ID"
    assert layer.mapping.get("region_code") == expected_id


@pytest.mark.parametrize("lower", [False, True])
def test_hdx_pcodes_upper_and_lower_case(tmp_path, lower):
    layer = read_layers(ff.hdx_boundaries(tmp_path, lower=lower))[0]
    assert layer.role == Role.ADMIN_BOUNDARIES
    fields = layer.mapping.fields
    if lower:
        assert fields["region_code"] == "adm2_pcode"
        assert fields["parent_code"] == "adm1_pcode"
        assert fields["name"] == "adm2_name"
    else:
        assert fields["region_code"] == "ADM2_PCODE"
        assert fields["parent_code"] == "ADM1_PCODE"
        assert fields["name"] == "ADM2_ES"


def test_simci_year_columns_by_pattern(tmp_path):
    layer = read_layers(ff.simci_grid(tmp_path))[0]
    assert layer.role == Role.CULTIVATION
    assert layer.mapping.year_columns == {
        2001: "areacoca_2001",
        2004: "areacoca2004",
        2022: "coca2022_",
    }


@pytest.mark.parametrize(
    "columns",
    [
        ["areacoca_2018", "areacoca_2019"],
        ["AREACOCA2020", "AREACOCA2021"],
        ["coca2015_", "coca2016_"],
        ["ha_coca_2019", "coca_ha_2020"],
    ],
)
def test_simci_spellings(columns):
    gdf = _polygons({c: [1.0, 2.0] for c in columns})
    detection = detect_role(gdf)
    assert detection.role == Role.CULTIVATION
    assert sorted(detection.mapping.year_columns.values()) == sorted(columns)


def test_eradication_with_hectares_date_and_method(tmp_path):
    layer = read_layers(ff.eradication_points(tmp_path))[0]
    assert layer.role == Role.ERADICATION
    assert layer.mapping.fields == {
        "date": "fecha",
        "hectares": "hectareas",
        "method": "modalidad",
        "name": "municipio",
    }


@pytest.mark.parametrize("ha", ["ha", "area_ha", "hectares", "Hectáreas", "HAS"])
def test_eradication_hectare_spellings(ha):
    gdf = _points({ha: [1.0, 2.0], "fecha": ["2020-01-01", "2020-02-01"]})
    assert _guess(gdf, "hectares") == (Role.ERADICATION, ha)


def test_method_found_by_its_values():
    gdf = _points({"tipo": ["Manual", "Aspersión"], "valor": [1, 2]})
    assert _guess(gdf, "method") == (Role.ERADICATION, "tipo")


def test_rivers_settlements_and_border(tmp_path):
    assert read_layers(ff.rivers(tmp_path))[0].role == Role.WATER
    assert read_layers(ff.settlements(tmp_path))[0].role == Role.SETTLEMENTS
    assert read_layers(ff.border_lines(tmp_path))[0].role == Role.BORDER


def test_name_hint_alone_gives_a_weak_guess():
    gdf = gpd.GeoDataFrame({"id": [1]}, geometry=[LineString([(0, 0), (1, 1)])], crs=LONLAT)
    detection = detect_role(gdf, name_hint="rios_principales")
    assert detection.role == Role.WATER
    assert 0.25 <= detection.confidence < 0.7


def test_name_hints_match_whole_words_not_fragments():
    gdf = _polygons({"id": [1, 2]})
    assert detect_role(gdf, name_hint="territorio_indigena").role != Role.WATER
    assert detect_role(gdf, name_hint="rios_2020").role == Role.WATER
    assert detect_role(gdf, name_hint="Parques Nacionales").role == Role.PROTECTED_AREAS


def test_unknown_columns_stay_other_with_low_confidence():
    detection = detect_role(_points({"foo": [1, 2], "bar": ["a", "b"]}))
    assert detection.role == Role.OTHER
    assert detection.confidence < 0.25


def test_points_are_never_boundaries():
    gdf = _points({"ADM2_PCODE": ["CO86001"], "ADM2_ES": ["Mocoa"], "fatalities": [3]})
    assert detect_role(gdf).role != Role.ADMIN_BOUNDARIES


def test_dane_codes_mean_municipal_boundaries():
    gdf = _polygons({"MPIO_CDPMP": ["86001", "86320"], "MPIO_CNMBR": ["MOCOA", "ORITO"]})
    assert _guess(gdf, "region_code") == (Role.ADMIN_BOUNDARIES, "MPIO_CDPMP")


def test_population_is_mapped_for_settlements():
    gdf = _points({"place": ["town", "village"], "population": [30000, 800]})
    assert _guess(gdf, "population") == (Role.SETTLEMENTS, "population")


def test_mapping_columns_exist_and_user_can_override(tmp_path):
    layer = read_layers(ff.acled_csv(tmp_path))[0]
    assert all(c in layer.data.columns for c in layer.mapping.fields.values())
    layer.role = Role.OTHER
    assert layer.role == Role.OTHER


def test_detection_handles_plain_dataframes():
    detection = detect_role(pd.DataFrame({"event_id_cnty": ["a"], "event_date": ["2020-01-01"]}))
    assert detection.role == Role.VIOLENCE
