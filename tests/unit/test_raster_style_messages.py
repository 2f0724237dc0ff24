"""A raster style's range upside down is refused in the words of the style dialog (years
for forest loss, low/high for fixed values), never by its stored field names."""

from __future__ import annotations

import pytest

from layers.errors import ProjectError
from layers.raster_style import RasterStyle, range_problem


def test_loss_year_range_upside_down_says_which_years_and_what_to_do() -> None:
    with pytest.raises(ValueError) as caught:
        RasterStyle.from_dict({"kind": "loss_year", "vmin": 2020.0, "vmax": 2010.0}, layer="Loss")
    said = str(caught.value)
    assert "vmax" not in said and "vmin" not in said
    assert "last year" in said and "2010" in said and "2020" in said and "set a" in said
    assert not isinstance(caught.value, ProjectError)  # not "the project file is damaged"


def test_fixed_values_upside_down_name_the_dialog_checkbox() -> None:
    with pytest.raises(ValueError) as caught:
        RasterStyle.from_dict({"kind": "continuous", "vmin": 5.0, "vmax": 1.0})
    said = str(caught.value)
    assert "vmax" not in said and "Fixed values" in said and "5" in said


def test_equal_ends_are_refused_and_good_ranges_pass() -> None:
    assert range_problem("loss_year", 2015.0, 2015.0) is not None
    assert range_problem("loss_year", 2010.0, 2020.0) is None
    assert range_problem("continuous", None, 3.0) is None
    st = RasterStyle.from_dict({"kind": "loss_year", "vmin": 2010.0, "vmax": 2020.0})
    assert (st.vmin, st.vmax) == (2010.0, 2020.0)


def test_a_project_file_still_names_the_field_to_fix_in_user_words() -> None:
    with pytest.raises(ProjectError) as caught:
        RasterStyle.from_dict(
            {"kind": "loss_year", "vmin": 2020, "vmax": 2010}, where="layers[3].style", layer="L"
        )
    said = str(caught.value)
    assert "layers[3].style.vmax" in said and "a year after the first year" in said
