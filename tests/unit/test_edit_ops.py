"""Edit operations on the Qt-free model (issue 18): each applies, reverts exactly, refuses bad
input without changing anything, and undo/redo sequences give back the same layers."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box

from layers.edit_fields import EditError, FieldSpec, layer_fields
from layers.edit_geometry import (
    measure,
    nearest_segment,
    nearest_vertex,
    reproject,
    vertices,
)
from layers.edit_ops import (
    AddFeatures,
    CreateLayer,
    DeleteFeatures,
    DeleteVertex,
    InsertVertex,
    MergeFeatures,
    MoveFeatures,
    MoveVertex,
    SetAttributes,
    SetGeometry,
    SplitPolygon,
    copy_features,
    op_from_dict,
    paste_features,
)
from layers.edit_session import EditSession, UndoStack
from layers.layer import Layer
from layers.project import Project
from layers.roles import FieldMapping, Role

UTM18N = "EPSG:32618"


def _snapshot(project: Project) -> dict:
    return {
        layer.name: (
            layer.data.drop(columns=layer.data.geometry.name).to_dict("list"),
            [g.wkb for g in layer.data.geometry.values],
        )  # fmt: skip
        for layer in project.vector_layers()
    }


@pytest.fixture
def project() -> Project:
    """Sites (points, lon/lat, with a mapped facility type) and areas (polygons in UTM 18N)."""
    sites = gpd.GeoDataFrame(
        {
            "name": ["Puesto A", "Puesto B", "Puesto C"],
            "healthcare": ["clinic", "hospital", "clinic"],
            "beds": np.array([4, 20, 2], dtype="int32"),
            "opened": pd.to_datetime(["2019-01-05", "2020-03-01", None]),
        },
        geometry=[Point(-76.5, 0.9), Point(-76.4, 1.0), Point(-76.3, 1.1)],
        crs="EPSG:4326",
    )
    areas = gpd.GeoDataFrame(
        {"code": ["A1", "A2"], "ha": [1.0, 2.0]},
        geometry=[box(500_000, 100_000, 502_000, 102_000), box(502_000, 100_000, 504_000, 102_000)],
        crs=UTM18N,
    )
    p = Project()
    p.add(
        Layer(
            sites,
            "Sites",
            role=Role.HEALTH_SERVICES,
            mapping=FieldMapping({"facility_type": "healthcare", "name": "name"}),
        )
    )
    p.add(Layer(areas, "Areas", role=Role.OTHER))
    return p


@pytest.fixture
def stack(project) -> UndoStack:
    return UndoStack(EditSession(project, journal=False))


def test_fields_from_columns_with_the_roles_known_values(project):
    fields = {f.name: f for f in layer_fields(project.layers["Sites"])}
    assert fields["beds"].type == "integer"
    assert fields["opened"].type == "date"
    assert fields["healthcare"].type == "choice"
    assert "harm_reduction" in fields["healthcare"].choices  # the role's known value
    assert fields["name"].type == "text"


def test_add_then_undo_redo(project, stack):
    before = _snapshot(project)
    result = stack.push(
        AddFeatures(
            "Sites", [Point(-76.2, 1.2)], [{"name": "Nuevo", "beds": "7", "opened": "12/05/2021"}]
        )
    )
    sites = project.layers["Sites"].data
    assert result.rows == [3]
    assert sites["beds"].iloc[3] == 7 and sites["opened"].iloc[3] == pd.Timestamp("2021-05-12")
    after = _snapshot(project)
    stack.undo()
    assert _snapshot(project) == before
    stack.redo()
    assert _snapshot(project) == after


@pytest.mark.parametrize(
    "values, words",
    [
        ({"beds": "many"}, "not a number"),
        ({"beds": "2.5"}, "whole number"),
        ({"opened": "yesterday-ish"}, "not a date"),
        ({"healthcare": "spa"}, "not one of the values"),
        ({"nope": 1}, "no field"),
    ],
)
def test_wrong_types_are_refused_and_nothing_changes(project, stack, values, words):
    before = _snapshot(project)
    with pytest.raises(EditError, match=words):
        stack.push(SetAttributes("Sites", [0], values))
    with pytest.raises(EditError, match=words):
        stack.push(AddFeatures("Sites", [Point(-76.2, 1.2)], [values]))
    assert _snapshot(project) == before
    assert not stack.can_undo()


def test_wrong_geometry_kind_and_outside_the_crs_area_are_refused(project, stack):
    with pytest.raises(EditError, match="holds points"):
        stack.push(AddFeatures("Sites", [box(0, 0, 1, 1)]))
    with pytest.raises(EditError, match="outside the area"):
        stack.push(AddFeatures("Sites", [Point(-76.2, 95.0)]))
    # UTM 18N is meant for 78°W-72°W: a vertex at 170°E is refused, one just past the zone is not
    far = reproject(Point(170.0, 1.0), "EPSG:4326", UTM18N)
    with pytest.raises(EditError, match="outside the area"):
        stack.push(MoveVertex("Areas", 0, (0, 0, 0), far.x, far.y))
    near = reproject(Point(-78.4, 1.0), "EPSG:4326", UTM18N)
    stack.push(MoveVertex("Areas", 0, (0, 0, 0), near.x, near.y))
    with pytest.raises(EditError, match="no feature 9"):
        stack.push(DeleteFeatures("Areas", [9]))


def test_set_attributes_undo_keeps_the_old_values(project, stack):
    before = _snapshot(project)
    stack.push(SetAttributes("Sites", [0, 2], {"healthcare": "Harm_Reduction", "beds": 3}))
    data = project.layers["Sites"].data
    assert list(data["healthcare"]) == ["harm_reduction", "hospital", "harm_reduction"]
    assert list(data["beds"]) == [3, 20, 3]
    stack.undo()
    assert _snapshot(project) == before


def test_delete_puts_rows_back_in_place(project, stack):
    before = _snapshot(project)
    stack.push(DeleteFeatures("Sites", [0, 2]))
    assert list(project.layers["Sites"].data["name"]) == ["Puesto B"]
    stack.undo()
    assert _snapshot(project) == before


def test_move_features(project, stack):
    stack.push(MoveFeatures("Areas", [1], 100.0, -50.0))
    moved = project.layers["Areas"].data.geometry.iloc[1]
    assert moved.bounds == (502_100.0, 99_950.0, 504_100.0, 101_950.0)
    stack.undo()
    assert project.layers["Areas"].data.geometry.iloc[1].bounds == (
        502_000,
        100_000,
        504_000,
        102_000,
    )


def test_vertex_edits_keep_rings_closed_also_in_holes():
    x0, y0 = 500_000, 100_000  # inside UTM 18N's area of use
    donut = shapely.transform(
        Polygon([(0, 0), (10, 0), (10, 10), (0, 10)], [[(4, 4), (6, 4), (6, 6), (4, 6)]]),
        lambda xy: xy + (x0, y0),
    )
    p = Project()
    p.add(Layer(gpd.GeoDataFrame({"n": [1]}, geometry=[donut], crs=UTM18N), "D"))
    stack = UndoStack(EditSession(p, journal=False))
    (vid, d) = nearest_vertex(donut, x0 + 0.2, y0 + 0.1)
    assert vid == (0, 0, 0) and d == pytest.approx(np.hypot(0.2, 0.1))
    stack.push(MoveVertex("D", 0, (0, 0, 0), x0 - 1, y0 - 1))  # first vertex: the closing one too
    g = p.layers["D"].data.geometry.iloc[0]
    assert g.exterior.coords[0] == g.exterior.coords[-1] == (x0 - 1.0, y0 - 1.0)
    stack.push(MoveVertex("D", 0, (0, 1, 0), x0 + 3, y0 + 3))  # a hole's first vertex
    g = p.layers["D"].data.geometry.iloc[0]
    assert g.interiors[0].coords[0] == g.interiors[0].coords[-1] == (x0 + 3.0, y0 + 3.0)
    assert g.is_valid
    where, on, _ = nearest_segment(g, x0 + 5, y0 - 0.2)
    stack.push(InsertVertex("D", 0, where, *on))
    g = p.layers["D"].data.geometry.iloc[0]
    assert len(g.exterior.coords) == 6
    edge = LineString([(x0 - 1, y0 - 1), (x0 + 10, y0)])  # the edge clicked, vertex 1 now
    assert where == (0, 0, 1) and edge.distance(Point(g.exterior.coords[1])) < 1e-9
    stack.push(DeleteVertex("D", 0, (0, 1, 1)))  # hole down to a triangle
    g = p.layers["D"].data.geometry.iloc[0]
    assert len(g.interiors[0].coords) == 4 and g.interiors[0].is_closed
    with pytest.raises(EditError, match="too few"):
        stack.push(DeleteVertex("D", 0, (0, 1, 0)))
    with pytest.raises(EditError, match="no vertex"):
        stack.push(MoveVertex("D", 0, (0, 3, 0), x0, y0))
    for _ in range(4):
        stack.undo()
    assert p.layers["D"].data.geometry.iloc[0].equals_exact(donut, 0)
    assert len(vertices(donut)) == 8


def test_self_intersecting_ring_is_repaired_and_the_user_told(project, stack):
    bowtie = Polygon(
        [(500_000, 100_000), (501_000, 101_000), (501_000, 100_000), (500_000, 101_000)]
    )
    result = stack.push(AddFeatures("Areas", [bowtie], [{"code": "X"}]))
    added = project.layers["Areas"].data.geometry.iloc[2]
    assert added.is_valid and isinstance(added, MultiPolygon) and len(added.geoms) == 2
    assert added.area == pytest.approx(500_000.0)  # both lobes kept (buffer(0) would drop one)
    assert result.messages and "crossed itself" in result.messages[0]


def test_split_and_merge(project, stack):
    before = _snapshot(project)
    cut = LineString([(501_000, 99_000), (501_000, 103_000)])
    result = stack.push(SplitPolygon("Areas", 0, cut))
    data = project.layers["Areas"].data
    assert len(data) == 3 and result.rows == [0, 2]
    assert data.geometry.iloc[0].area == pytest.approx(2_000_000.0)
    assert list(data["code"]) == ["A1", "A2", "A1"]  # the new piece keeps the attributes
    with pytest.raises(EditError, match="does not cut across"):
        stack.push(SplitPolygon("Areas", 1, LineString([(502_500, 99_000), (502_600, 99_500)])))
    result = stack.push(MergeFeatures("Areas", [0, 1, 2], keep=1))
    data = project.layers["Areas"].data
    assert len(data) == 1 and list(data["code"]) == ["A2"] and result.rows == [0]
    assert data.geometry.iloc[0].equals(box(500_000, 100_000, 504_000, 102_000))
    stack.undo()
    stack.undo()
    assert _snapshot(project) == before


def test_copy_paste_reprojects_and_matches_fields_by_name(project, stack):
    stack.push(CreateLayer("Clinics UTM", "point", Role.HEALTH_SERVICES, crs=UTM18N))
    clip = copy_features(project.layers["Sites"], [0, 1])
    clip.attributes[1]["healthcare"] = "spa"
    op, messages = paste_features(clip, project.layers["Clinics UTM"])
    stack.push(op)
    data = project.layers["Clinics UTM"].data
    expected = reproject(Point(-76.5, 0.9), "EPSG:4326", UTM18N)
    assert data.geometry.iloc[0].distance(expected) < 1e-6
    assert list(data["name"]) == ["Puesto A", "Puesto B"]
    assert any("not pasted" in m and "healthcare" in m for m in messages)  # no such field there
    with pytest.raises(EditError, match="holds points"):
        paste_features(copy_features(project.layers["Areas"], [0]), project.layers["Clinics UTM"])


def test_scratch_layer_with_typed_fields(project, stack):
    fields = [
        FieldSpec("fecha", "date", key="date"),
        FieldSpec("modalidad", "choice", ("manual", "aerial"), key="method"),
        FieldSpec("hectareas", "real", key="hectares"),
        FieldSpec("operativos", "integer"),
    ]
    stack.push(CreateLayer("Operación", "polygon", "eradication", fields, crs=UTM18N))
    layer = project.layers["Operación"]
    assert layer.role == Role.ERADICATION and layer.field("method") == "modalidad"
    assert str(layer.data["operativos"].dtype) == "Int64"
    stack.push(
        AddFeatures(
            "Operación",
            [box(500_000, 100_000, 500_500, 100_400)],
            [{"fecha": "2018-06-01", "modalidad": "MANUAL", "hectareas": "20,5"}],
        )  # fmt: skip
    )
    row = layer.data.iloc[0]
    assert row["modalidad"] == "manual" and row["hectareas"] == 20.5 and pd.isna(row["operativos"])
    stack.undo()
    stack.undo()
    assert "Operación" not in project.layers.names()
    stack.redo()
    assert project.layers["Operación"] is layer


def test_measures_on_the_ellipsoid():
    # One degree of longitude along the equator: 111,319.49 m on WGS 84.
    assert measure(LineString([(0, 0), (1, 0)]), "EPSG:4326").length_m == pytest.approx(
        111_319.49, abs=0.01
    )
    square = box(500_000, 100_000, 501_000, 101_000)  # 1 km square near UTM 18N's centre line
    m = measure(square, UTM18N)
    assert m.area_ha == pytest.approx(100.0, rel=2e-3)  # scale factor 0.9996 squared
    assert m.perimeter_m == pytest.approx(4000.0, rel=1e-3)
    assert measure(Point(0, 0), "EPSG:4326").area_ha == 0.0


def test_ops_round_trip_through_their_json(project):
    ops = [
        AddFeatures("Sites", [Point(-76.2, 1.2)], [{"opened": pd.Timestamp("2021-05-12")}]),
        SetAttributes("Sites", [1], {"beds": 9}),
        MoveVertex("Areas", 0, (0, 0, 1), 502_000.0, 99_000.0),
        SplitPolygon("Areas", 1, LineString([(503_000, 99_000), (503_000, 103_000)])),
        SetGeometry("Areas", 0, box(0, 0, 1, 1)),
        CreateLayer("X", "line", "water", crs=UTM18N),
    ]
    for op in ops:
        again = op_from_dict(op.to_dict())
        assert type(again) is type(op) and again.to_dict() == op.to_dict()
    with pytest.raises(EditError, match="Unknown edit"):
        op_from_dict({"op": "teleport", "layer": "Sites"})


def test_long_random_undo_redo_sequence_matches_replay(project):
    """Random pushes, undos and redos; the state after each step equals replaying from the
    start the operations the stack holds applied (brute force)."""
    rng = np.random.default_rng(7)
    stack = UndoStack(EditSession(project, journal=False))
    start = _snapshot(project)
    for _ in range(60):
        action = rng.choice(["push", "push", "undo", "redo"])
        if action == "undo":
            stack.undo()
        elif action == "redo":
            stack.redo()
        else:
            n = len(project.layers["Areas"].data)
            kind = rng.integers(4)
            if kind == 0:
                x, y = rng.uniform(500_000, 510_000), rng.uniform(100_000, 110_000)
                stack.push(
                    AddFeatures("Areas", [box(x, y, x + 500, y + 500)], [{"ha": float(x % 7)}])
                )
            elif kind == 1 and n > 1:
                stack.push(DeleteFeatures("Areas", [int(rng.integers(n))]))
            elif kind == 2:
                stack.push(MoveFeatures("Areas", [int(rng.integers(n))], *rng.uniform(-50, 50, 2)))
            else:
                stack.push(
                    SetAttributes("Areas", [int(rng.integers(n))], {"code": f"C{rng.integers(99)}"})
                )
        state = _snapshot(project)
        # Replay the applied operations afresh on a copy of the starting layers.
        fresh = Project()
        for name, (columns, wkbs) in start.items():
            data = gpd.GeoDataFrame(columns, geometry=[shapely.from_wkb(w) for w in wkbs],
                                    crs=project.layers[name].data.crs)  # fmt: skip
            fresh.add(Layer(data, name))
        fresh.layers["Sites"].data = project.layers["Sites"].data  # untouched here
        replay = UndoStack(EditSession(fresh, journal=False))
        for op in stack.ops[: stack.index]:
            replay.push(op_from_dict(op.to_dict()))
        assert _snapshot(fresh)["Areas"] == state["Areas"]
