"""Style values from a project file are checked on load: a colour that is markup or CSS, a
number that is not finite, a marker or ramp nobody knows is refused with the layer and the
field named, and every valid style still round-trips."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from layers.errors import ProjectError
from layers.project import Project
from layers.roles import Role
from layers.style import Style, default_style

HOSTILE = [
    ("edge", "blue</script><script>window.__pwned=1</script>", "colour"),
    ("fill", "red;background-image:url(HTTP://127.0.0.1:9/x)", "colour"),
    ("fill", "javascript:alert(1)", "colour"),
    ("edge", ["red"], "colour"),
    ("categories", {"a": "url(//evil)"}, "colour"),
    ("categories", ["red"], "value: colour"),
    ("line_width", "1;x", "number"),
    ("line_width", True, "number"),
    ("line_width", 1e300, "number"),
    ("fill_alpha", 2, "number"),
    ("marker_size", -1, "number"),
    ("classes", 2.5, "whole number"),
    ("label_size", None, "number"),
    ("min_scale", "1e6", "number"),
    ("label_max_scale", -5, "number"),
    ("kind", "<b>single</b>", "one of"),
    ("scheme", "jenks", "one of"),
    ("marker", "$\\x$", "one of"),
    ("ramp", "not-a-ramp", "colour ramp"),
    ("field", 7, "column name"),
    ("label_field", {"x": 1}, "column name"),
    ("no_fill", "yes", "true or false"),
    ("label_colour", "red;background:url(x)", "colour"),
    ("label_halo", "<b>white</b>", "colour"),
    ("label_halo_width", 99, "number"),
    ("label_placement", "top", "one of"),
    ("class_colours", {"0": "url(//evil)"}, "colour"),
    ("class_colours", "red", "value: colour"),
    ("class_labels", {"Riots": 5}, "text"),
    ("class_labels", {"Riots": "x" * 201}, "text"),
    ("class_markers", {"Riots": "$x$"}, "one of"),
]


def _project(folder: Path, style: dict) -> Path:
    layer = gpd.GeoDataFrame({"name": ["a"]}, geometry=[shapely.box(0, 0, 1, 1)], crs=4326)
    layer.to_file(folder / "a.geojson", driver="GeoJSON")
    data = {
        "format": "harm-atlas-project",
        "version": 1,
        "title": "t",
        "layers": [
            {"name": "b", "source": {"path": "a.geojson"}, "role": "other"},
            {"name": "Ríos", "source": {"path": "a.geojson"}, "role": "other", "style": style},
        ],
    }
    target = folder / "p.hatlas.json"
    target.write_text(json.dumps(data), encoding="utf-8")
    return target


@pytest.mark.parametrize("key, value, expected", HOSTILE)
def test_hostile_style_value_is_refused_on_load_naming_layer_and_field(
    tmp_path: Path, key: str, value, expected: str
) -> None:
    with pytest.raises(ProjectError) as err:
        Project.load(_project(tmp_path, {**Style().to_dict(), key: value}))
    message = str(err.value)
    assert f"layers[1].style.{key}" in message and "“Ríos”" in message, message
    assert expected in message and "\n" not in message


def test_every_valid_style_loads_and_round_trips(tmp_path: Path) -> None:
    style = Style(
        kind="categorized",
        fill="tab:blue",
        edge="none",
        field="event_type",
        categories={"Battles": "#E69F00", "Riots": "0.5", "Protests": "white"},
        ramp="Blues",
        marker="D",
        min_scale=0,
        max_scale=25_000.0,
        label_min_scale=2_000_000.0,
        label_field="name",
        label_colour="#003366",
        label_halo="#ffffcc",
        label_halo_width=1.5,
        label_placement="above",
        class_colours={"0": "#00ff00"},
        class_labels={"Riots": "Riots and unrest", "0": "Hamlets"},
        class_markers={"Riots": "^"},
    )
    loaded = Project.load(_project(tmp_path, style.to_dict())).layers[1].style
    assert loaded == style
    assert Style.from_dict(loaded.to_dict()) == style
    for role in Role:
        assert Style.from_dict(default_style(role).to_dict()) == default_style(role)
    assert Style.from_dict(None) == Style() and Style.from_dict({"future_key": 1}) == Style()


@pytest.mark.parametrize("prefix", ["", "label_"])
def test_a_scale_range_that_never_shows_is_refused_naming_the_field(
    tmp_path: Path, prefix: str
) -> None:
    """Minimum 1:1,000 (zoomed out) below maximum 1:5,000 (zoomed in): never drawn."""
    style = {**Style().to_dict(), f"{prefix}min_scale": 1_000, f"{prefix}max_scale": 5_000}
    with pytest.raises(ProjectError) as err:
        Project.load(_project(tmp_path, style))
    message = str(err.value)
    assert f"layers[1].style.{prefix}min_scale" in message and "“Ríos”" in message, message
    assert f"{prefix}max_scale" in message and "5,000" in message
    # Either side open (0 or null) is a valid range.
    ok = {**Style().to_dict(), f"{prefix}min_scale": 1_000, f"{prefix}max_scale": 0}
    assert Project.load(_project(tmp_path, ok)).layers[1].style.to_dict() == ok
