"""Region tables: codes kept as text, prefixes and lost zeros normalised, layouts detected,
the join's report (matched, unmatched with the reason, duplicates) against hand-made files."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pytest
from shapely.geometry import box

from layers.readers import read_layers
from layers.region_codes import RegionCodes, parse_code
from layers.region_join import JoinError, join_region_table
from layers.region_table import detect_layout, parse_number, read_region_table

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_ADM2 = ROOT / "sample_maps" / "data" / "xa_admbnda_adm2_synthetic.geojson"


def regions(codes: list[str], column: str = "ADM2_PCODE") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {column: codes, "ADM2_ES": [f"Municipio {c}" for c in codes]},
        geometry=[box(i, 0, i + 1, 1) for i in range(len(codes))],
        crs="EPSG:4326",
    )


def write_xlsx(path: Path, rows: list[list]) -> Path:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


# --- codes ------------------------------------------------------------------------------
def test_codes_as_text_numbers_and_prefixes() -> None:
    assert parse_code(" 05001 ").key == "05001"
    assert parse_code("CO05001").prefix == "CO" and parse_code("CO05001").body == "05001"
    five = parse_code(5001)
    assert (five.body, five.as_number) == ("5001", True)
    assert parse_code(5001.0).body == "5001" and parse_code("5001.0").as_number
    assert not parse_code("05001").as_number
    assert parse_code("") is None and parse_code(float("nan")) is None and parse_code(None) is None


def test_matching_normalises_prefix_and_restores_zeros() -> None:
    index = RegionCodes(["CO05001", "CO05002", "CO76001"])
    assert index.match(parse_code("05001")).region == 0
    assert index.match(parse_code("CO05002")).region == 1
    m = index.match(parse_code(5001))
    assert (m.region, m.repair) == (0, "leading_zero")
    assert index.match(parse_code("5001.0")).region == 0
    assert index.match(parse_code("VE05001")).reason == "other_prefix"
    assert index.match(parse_code("05")).reason == "other_level"
    assert index.match(parse_code("05001000")).reason == "other_level"
    assert index.match(parse_code("05999")).reason == "not_present"
    # A prefix on the table's side only: the regions' DIVIPOLA codes still match.
    assert RegionCodes(["05001"]).match(parse_code("CO05001")).region == 0


def test_zero_repair_refused_when_ambiguous() -> None:
    # 1001 could be 01001 (5 digits) or 001001 (6 digits): not repaired, said why.
    index = RegionCodes(["01001", "001001"])
    m = index.match(parse_code(1001))
    assert m.region is None and m.reason == "leading_zero"


# --- reading ----------------------------------------------------------------------------
def test_csv_codes_keep_zeros_in_any_encoding_and_delimiter(tmp_path: Path) -> None:
    text = "código;municipio;pobreza\n05001;Medellín;12,5\n05002;Abejorral;30,1\n"
    table = read_region_table(write_csv(tmp_path / "t.csv", text, "cp1252"))
    assert table.frame["código"].tolist() == ["05001", "05002"]
    assert table.frame["municipio"].tolist()[0] == "Medellín"
    assert parse_number("12,5") == 12.5 and parse_number("1.234,5") == 1234.5
    assert parse_number("1,234.5") == 1234.5 and parse_number("ND") is None


def test_layouts_wide_long_single(tmp_path: Path) -> None:
    wide = read_region_table(
        write_csv(tmp_path / "w.csv", "cod,homicidios_2019,homicidios_2020,x\n01001,1,2,3\n")
    )
    layout = detect_layout(wide.frame, "cod")
    assert layout.kind == "wide" and layout.series == {
        "homicidios": {2019: "homicidios_2019", 2020: "homicidios_2020"}
    }
    bare = read_region_table(write_csv(tmp_path / "b.csv", "cod,2019,2020\n01001,1,2\n"))
    assert detect_layout(bare.frame, "cod").series == {"": {2019: "2019", 2020: "2020"}}
    long = read_region_table(
        write_csv(tmp_path / "l.csv", "cod,año,tasa\n01001,2019,1\n01001,2020,2\n01002,2019,3\n")
    )
    assert detect_layout(long.frame, "cod").kind == "long"
    single = read_region_table(write_csv(tmp_path / "s.csv", "cod,tasa\n01001,1\n"))
    assert detect_layout(single.frame, "cod").kind == "single"


# --- the join ---------------------------------------------------------------------------
def test_join_long_table_pivots_by_year(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "l.csv", "cod,año,tasa\n01001,2019,1.5\n01001,2020,2.5\n01002,2019,3\n"
    )
    result = join_region_table(read_region_table(path), regions(["XA01001", "XA01002"]))
    assert result.report.layout == "long"
    data = result.data
    assert data["tasa_2019"].tolist() == [1.5, 3.0]
    assert data["tasa_2020"].iloc[0] == 2.5 and np.isnan(data["tasa_2020"].iloc[1])
    assert result.report.duplicates["count"] == 0  # a code once per year is not a duplicate


def test_join_xlsx_numbers_repaired_duplicates_and_reasons(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "t.xlsx",
        [
            ["cod_mpio", "pobreza", "nota"],
            ["05001", 10.0, "a"],
            [5002, 20.0, "b"],  # an Excel number: the zero is gone
            ["05002", 21.0, "c"],  # the same region again
            ["VE05003", 1.0, "d"],  # another country
            ["05", 2.0, "e"],  # a department's code
            ["05999", 3.0, "f"],  # not a municipality
        ],
    )
    result = join_region_table(read_region_table(path), regions(["CO05001", "CO05002", "CO05003"]))
    report = result.report
    assert report.table_code_column == "cod_mpio" and report.region_code_column == "ADM2_PCODE"
    assert report.matched["count"] == 2
    assert report.repaired["leading_zeros"] == 1 and report.repaired["examples"] == [
        "5002 → CO05002"
    ]
    reasons = {e["code"]: e["reason"] for e in report.unmatched_table["examples"]}
    assert reasons == {"VE05003": "other_prefix", "05": "other_level", "05999": "not_present"}
    rows = {e["code"]: e["row"] for e in report.unmatched_table["examples"]}
    assert rows["VE05003"] == 5  # as the spreadsheet numbers it (header = row 1)
    (dup,) = report.duplicates["examples"]
    assert dup["code"] == "CO05002" and dup["rows"] == [3, 4] and not dup["same_values"]
    assert result.data["pobreza"].tolist()[:2] == [10.0, 20.0]  # first row of the duplicate
    assert np.isnan(result.data["pobreza"].iloc[2])
    (left,) = report.unmatched_regions["examples"]
    assert left["code"] == "CO05003" and left["reason"] == "other_prefix"
    assert report.numeric_columns == ["pobreza"] and report.text_columns == ["nota"]
    assert result.data["table_code"].tolist()[:2] == ["05001", "5002"]


def test_join_no_match_names_examples_from_both_sides(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "t.csv", "code,value\n76001,1\n76002,2\n")
    with pytest.raises(JoinError) as err:
        join_region_table(read_region_table(path), regions(["XA01001", "XA01002"]))
    message = str(err.value)
    assert "76001" in message and "XA01001" in message


def test_column_overrides_and_unknown_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "t.csv", "id,otro,v\n01001,01002,1\n")
    report = join_region_table(
        read_region_table(path), regions(["XA01001", "XA01002"]), table_code="otro"
    ).report
    assert report.table_code_column == "otro"
    assert report.matched["examples"][0]["region"] == "XA01002"
    with pytest.raises(JoinError):
        join_region_table(read_region_table(path), regions(["XA01001"]), table_code="nope")


def test_divipola_style_table_joins_the_sample_municipalities(tmp_path: Path) -> None:
    # As the sample's municipal statistics will be: DIVIPOLA-style codes for XA01001…,
    # some typed as Excel numbers, and two codes that match no municipality.
    layer = read_layers(SAMPLE_ADM2)[0]
    codes = [str(c)[2:] for c in layer.data["ADM2_PCODE"]]
    rows = [["Cód. DIVIPOLA", "Municipio", "Índice de pobreza", "Tasa de homicidios 2022"]]
    for i, code in enumerate(codes):
        rows.append([int(code) if i % 3 == 0 else code, f"M{i}", 0.1 * i, 5.0 * i])
    rows += [["03001", "Fuera", 1, 1], ["01099", "Nuevo", 1, 1]]
    result = join_region_table(read_region_table(write_xlsx(tmp_path / "e.xlsx", rows)), layer)
    report = result.report
    assert report.region_code_column == "ADM2_PCODE"
    assert report.matched["count"] == len(codes) and report.unmatched_regions["count"] == 0
    assert {e["code"] for e in report.unmatched_table["examples"]} == {"03001", "01099"}
    assert report.repaired["leading_zeros"] == len(range(0, len(codes), 3))
    assert result.data["Índice de pobreza"].tolist() == pytest.approx([0.1 * i for i in range(16)])


def test_names_and_repeated_parent_codes_never_join(tmp_path: Path) -> None:
    layer = read_layers(SAMPLE_ADM2)[0]
    names = write_csv(tmp_path / "n.csv", "municipio,tasa\nRío Verde,1.5\nEl Mirador,2.5\n")
    with pytest.raises(JoinError, match="never by name"):
        join_region_table(read_region_table(names), layer)
    # "1" would be XA01 after restoring a zero, but ADM1_PCODE repeats: not a region's key.
    ones = write_csv(tmp_path / "o.csv", "code,v\n99001,1\n")
    with pytest.raises(JoinError, match="99001"):
        join_region_table(read_region_table(ones), layer)


def test_a_column_of_small_counts_is_not_codes_that_lost_their_zeros(tmp_path: Path) -> None:
    # valor 1, 2 would be 001, 002 after restoring zeros; the real code column matches nothing.
    path = write_csv(tmp_path / "t.csv", "codigo,valor\n76001,1\n76002,2\n")
    with pytest.raises(JoinError, match="76001"):
        join_region_table(read_region_table(path), regions(["CO001", "CO002"]))
    # Named as codes (or chosen), the same numbers are repaired: 1 -> 001.
    named = write_csv(tmp_path / "n.csv", "cod_mpio,valor\n1,5\n2,6\n")
    report = join_region_table(read_region_table(named), regions(["CO001", "CO002"])).report
    assert report.matched["count"] == 2 and report.repaired["leading_zeros"] == 2


def test_numbers_column_decides_its_decimal_separator_once() -> None:
    import pandas as pd

    from layers.region_table import numeric_column

    spanish, _, _ = numeric_column(pd.Series(["12,5", "1.234,5", "ND", None, "1.234.567"]))
    np.testing.assert_allclose(spanish.to_numpy(), [12.5, 1234.5, np.nan, np.nan, 1234567.0])
    english, _, _ = numeric_column(pd.Series(["1,234", "1.5", "2"]))
    np.testing.assert_allclose(english.to_numpy(), [1234.0, 1.5, 2.0])
    assert numeric_column(pd.Series(["05", "1"])) is None  # codes with a leading zero
    values, bad, examples = numeric_column(pd.Series(["1"] * 19 + ["x"]))
    assert bad == 1 and examples == ["x"] and np.isnan(values.iloc[-1])


def test_numbers_column_matches_cell_by_cell_parsing_on_random_values() -> None:
    import pandas as pd

    from layers.region_table import numeric_column

    rng = np.random.default_rng(17)
    for comma in (True, False):
        numbers = np.round(rng.uniform(-5e6, 5e6, 500), 2)
        cells = []
        for v in numbers:
            text = f"{v:,.2f}" if rng.random() < 0.5 else f"{v:.2f}"
            if comma:  # Spanish: points for thousands, comma for decimals
                text = text.replace(",", "_").replace(".", ",").replace("_", ".")
            cells.append(text)
        got, bad, _ = numeric_column(pd.Series(cells))
        expected = [parse_number(c, decimal_comma=comma) for c in cells]
        assert bad == 0
        np.testing.assert_allclose(got.to_numpy(), expected)
        np.testing.assert_allclose(got.to_numpy(), numbers)
