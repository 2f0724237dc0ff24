"""Edit operations: small command objects with apply and revert, one per user action.

Each operation names its layer and the rows it touches by position (row i of `layer.data`).
Positions are safe because operations are undone and redone strictly in stack order: when
an operation is redone, the layer is exactly as it was when it was first applied. `apply`
checks everything first and changes nothing when it raises EditError; it returns an
EditResult with the rows it made or changed and messages for the user (e.g. a ring that
crossed itself was repaired). `to_dict`/`op_from_dict` give the journal's JSON form.

The desktop wraps each operation in one QUndoCommand (redo = EditSession.apply, undo =
EditSession.revert); headless code uses layers.edit_session.UndoStack. Docs: docs/editing.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from layers.edit_fields import (
    FIELDS_KEY,
    EditError,
    FieldSpec,
    empty_frame,
    layer_fields,
    mapping_for,
    validate_values,
)
from layers.edit_geometry import (
    KIND_PLURALS,
    Vertex,
    check_area_of_use,
    check_kind,
    delete_vertex,
    from_text,
    insert_vertex,
    kind_of,
    merge,
    move_vertex,
    repair_drawn,
    reproject,
    split_polygon,
    to_hex,
    translate,
)
from layers.i18n import tr, trn
from layers.layer import Layer
from layers.roles import Role

if TYPE_CHECKING:
    from layers.project import Project

# Layer metadata: the geometry kind of a drawn layer (an empty layer has none to read) and
# the mark of a layer that exists only in the project's edits (no source file).
KIND_KEY = "geometry_kind"
SCRATCH_KEY = "scratch"


@dataclass
class EditResult:
    """What an applied operation did: rows made or changed, and what to tell the user."""

    rows: list[int] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


def layer_kind(layer: Layer) -> str:
    """'point', 'line' or 'polygon' (a drawn layer's declared kind, else its data's)."""
    return str(layer.metadata.get(KIND_KEY) or layer.geometry_kind)


def _json(value: Any) -> Any:
    """A validated value as JSON (dates as YYYY-MM-DD; validation reads them back)."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _series(values: list, dtype: Any, index: pd.Index) -> pd.Series:
    """Values in the column's type; a type that cannot hold a blank (int32) becomes nullable."""
    try:
        return pd.Series(values, dtype=dtype, index=index)
    except (TypeError, ValueError):
        if pd.api.types.is_integer_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
            try:
                return pd.Series(values, dtype="Int64", index=index)
            except (TypeError, ValueError):
                pass
        if pd.api.types.is_float_dtype(dtype):
            return pd.Series(
                pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(), index=index
            )
        return pd.Series(values, dtype=object, index=index)


def _columns(layer: Layer) -> list[str]:
    return [str(c) for c in layer.data.columns if c != layer.data.geometry.name]


def _row_set(rows: Iterable[int]) -> list[int]:
    """Row numbers as an op stores them: each once, in order (a selection may repeat one)."""
    return sorted({int(r) for r in rows})


def _shape(value: BaseGeometry | str) -> BaseGeometry:
    """A shape given as a geometry, or as WKT/hex WKB (a journal's or the CLI's text)."""
    return from_text(value) if isinstance(value, str) else value


def _rows(layer: Layer, rows: Iterable[int]) -> list[int]:
    n = len(layer.data)
    out = _row_set(rows)
    bad = [r for r in out if not 0 <= r < n]
    if bad or not out:
        raise EditError(
            tr("Layer {l!r} has {n} features; there is no feature {r}.").format(
                l=layer.name, n=n, r=", ".join(map(str, bad)) or "—"
            )
        )
    return out


def _append(data: gpd.GeoDataFrame, records: list[dict], geoms: list[BaseGeometry]):
    """`data` with rows added at the end, each column keeping its type."""
    n, k = len(data), len(records)
    index = pd.RangeIndex(n, n + k)
    columns = {}
    for column in data.columns:
        if column == data.geometry.name:
            continue
        columns[column] = _series([r.get(column) for r in records], data[column].dtype, index)
    new = gpd.GeoDataFrame(
        columns, geometry=gpd.GeoSeries(geoms, index=index, crs=data.crs), crs=data.crs
    )
    new = new.rename_geometry(data.geometry.name) if data.geometry.name != "geometry" else new
    out = pd.concat([data, new[list(data.columns)]])
    for column in columns:  # concat of an all-blank block may widen the type
        if out[column].dtype != data[column].dtype and len(data):
            out[column] = _series(list(out[column]), data[column].dtype, out.index)
    out.index = pd.RangeIndex(len(out))
    return gpd.GeoDataFrame(out, geometry=data.geometry.name, crs=data.crs)


def _set_geoms(layer: Layer, changes: dict[int, BaseGeometry]) -> None:
    data = layer.data.copy()
    geoms = np.asarray(data.geometry.values, dtype=object).copy()
    for row, geom in changes.items():
        geoms[row] = geom
    data[data.geometry.name] = gpd.GeoSeries(geoms, index=data.index, crs=data.crs)
    layer.data = data


def _set_column_values(data: gpd.GeoDataFrame, column: str, rows: list[int], values: list) -> None:
    current = data[column]
    cells = np.asarray(current.astype(object), dtype=object).copy()
    for row, value in zip(rows, values, strict=True):
        cells[row] = value
    data[column] = _series(list(cells), current.dtype, data.index)


def _checked_geometry(layer: Layer, geometry: BaseGeometry) -> tuple[BaseGeometry, str | None]:
    """A geometry fit for `layer`: its kind, its CRS's area of use, self-crossings repaired."""
    check_kind(geometry, layer_kind(layer), layer.name)
    check_area_of_use(geometry, layer.crs)
    return repair_drawn(geometry)


class EditOp:
    """One user action on one layer; subclasses fill `_apply` and `_revert`."""

    kind: ClassVar[str] = ""

    def __init__(self, layer: str) -> None:
        self.layer = str(layer)
        self.applied_once = False  # the journal tells a first apply ("do") from a redo

    def text(self) -> str:
        """The line the undo history shows."""
        return tr("Edit {l}").format(l=self.layer)

    def apply(self, project: Project) -> EditResult:
        result = self._apply(project)
        self.applied_once = True
        return result

    def revert(self, project: Project) -> None:
        self._revert(project)

    def _apply(self, project: Project) -> EditResult:
        raise NotImplementedError

    def _revert(self, project: Project) -> None:
        raise NotImplementedError

    def _layer(self, project: Project) -> Layer:
        try:
            return project.layers[self.layer]
        except KeyError:
            raise EditError(
                tr("No layer named {l!r} in the project to edit.").format(l=self.layer)
            ) from None

    def to_dict(self) -> dict:
        return {"op": self.kind, "layer": self.layer, **self._args()}

    def _args(self) -> dict:
        return {}


class CreateLayer(EditOp):
    """A new, empty point/line/polygon layer with a role and typed fields (a drawn layer)."""

    kind = "create_layer"

    def __init__(
        self,
        layer: str,
        geometry_kind: str,
        role: Role | str = Role.OTHER,
        fields: list[FieldSpec] | None = None,
        crs: CRS | str = "EPSG:4326",
    ) -> None:
        super().__init__(layer)
        if geometry_kind not in ("point", "line", "polygon"):
            raise EditError(
                tr("A new layer holds points, lines or polygons, not {k!r}.").format(
                    k=geometry_kind
                )
            )
        self.geometry_kind = geometry_kind
        self.role = Role(role)
        from layers.edit_fields import role_fields

        self.fields = list(fields) if fields is not None else role_fields(self.role)
        names = [f.name for f in self.fields]
        if len(set(names)) != len(names):
            raise EditError(tr("Two fields have the same name: {n}.").format(n=", ".join(names)))
        self.crs = CRS.from_user_input(crs)
        self.created: Layer | None = None

    def text(self) -> str:
        return tr("Create layer {l}").format(l=self.layer)

    def _apply(self, project: Project) -> EditResult:
        if self.created is None:
            layer = Layer(
                empty_frame(self.fields, self.crs),
                self.layer,
                role=self.role,
                mapping=mapping_for(self.fields),
                metadata={
                    FIELDS_KEY: [f.to_dict() for f in self.fields],
                    KIND_KEY: self.geometry_kind,
                    SCRATCH_KEY: True,
                },
            )
            project.add(layer)  # a unique name: the journal records the one it got
            self.layer = layer.name
            self.created = layer
        else:
            project.layers.append(self.created)
        return EditResult()

    def _revert(self, project: Project) -> None:
        if self.created is not None and self.created in project.layers:
            project.layers.remove(self.created)

    def _args(self) -> dict:
        return {
            "geometry_kind": self.geometry_kind,
            "role": self.role.value,
            "fields": [f.to_dict() for f in self.fields],
            "crs": self.crs.to_wkt(),
        }


class AddFeatures(EditOp):
    """New features at the end of the layer (drawn, typed in, or pasted)."""

    kind = "add_features"

    def __init__(
        self, layer: str, geometries: list[BaseGeometry | str], attributes: list[dict] | None = None
    ) -> None:
        super().__init__(layer)
        self.geometries = [_shape(g) for g in geometries]
        self.attributes = [dict(a) for a in (attributes or [{} for _ in self.geometries])]
        if len(self.attributes) != len(self.geometries):
            raise EditError(tr("Give one set of values per feature."))
        self._count = 0

    def text(self) -> str:
        return trn(
            "Add {n} feature to {l}", "Add {n} features to {l}", len(self.geometries)
        ).format(n=len(self.geometries), l=self.layer)

    def _apply(self, project: Project) -> EditResult:
        layer = self._layer(project)
        fields = layer_fields(layer, {name for values in self.attributes for name in values})
        messages, geoms, records = [], [], []
        for geometry, values in zip(self.geometries, self.attributes, strict=True):
            geometry, note = _checked_geometry(layer, geometry)
            if note:
                messages.append(note)
            geoms.append(geometry)
            records.append(validate_values(fields, values, layer.name, _columns(layer)))
        start = len(layer.data)
        layer.data = _append(layer.data, records, geoms)
        self._count = len(geoms)
        return EditResult(list(range(start, start + len(geoms))), messages)

    def _revert(self, project: Project) -> None:
        layer = self._layer(project)
        layer.data = layer.data.iloc[: len(layer.data) - self._count].copy()

    def _args(self) -> dict:
        return {
            "geometries": [to_hex(g) for g in self.geometries],
            "attributes": [{k: _json(v) for k, v in a.items()} for a in self.attributes],
        }


class DeleteFeatures(EditOp):
    kind = "delete_features"

    def __init__(self, layer: str, rows: list[int]) -> None:
        super().__init__(layer)
        self.rows = _row_set(rows)
        self._removed: gpd.GeoDataFrame | None = None

    def text(self) -> str:
        return trn(
            "Delete {n} feature from {l}", "Delete {n} features from {l}", len(self.rows)
        ).format(n=len(self.rows), l=self.layer)

    def _apply(self, project: Project) -> EditResult:
        layer = self._layer(project)
        rows = _rows(layer, self.rows)
        data = layer.data
        self._removed = data.iloc[rows].copy()
        keep = np.ones(len(data), dtype=bool)
        keep[rows] = False
        kept = data.iloc[np.flatnonzero(keep)].copy()
        kept.index = pd.RangeIndex(len(kept))
        layer.data = kept
        return EditResult([])

    def _revert(self, project: Project) -> None:
        layer = self._layer(project)
        assert self._removed is not None
        data = pd.concat([layer.data, self._removed])
        # Put the removed rows back where they were: kept rows fill the other positions.
        order = np.empty(len(data), dtype=np.int64)
        back = np.zeros(len(data), dtype=bool)
        back[self.rows] = True
        order[np.flatnonzero(~back)] = np.arange(len(layer.data))
        order[self.rows] = np.arange(len(layer.data), len(data))
        out = data.iloc[order].copy()
        out.index = pd.RangeIndex(len(out))
        layer.data = gpd.GeoDataFrame(out, geometry=layer.data.geometry.name, crs=layer.data.crs)

    def _args(self) -> dict:
        return {"rows": self.rows}


class _GeometryEdit(EditOp):
    """An operation that replaces the geometries of some rows (revert puts the old back)."""

    def __init__(self, layer: str) -> None:
        super().__init__(layer)
        self._old: dict[int, BaseGeometry] = {}

    def _replace(self, layer: Layer, new: dict[int, BaseGeometry]) -> EditResult:
        messages = []
        checked = {}
        for row, geometry in new.items():
            checked[row], note = _checked_geometry(layer, geometry)
            if note:
                messages.append(note)
        geoms = layer.data.geometry.values
        self._old = {row: geoms[row] for row in checked}
        _set_geoms(layer, checked)
        return EditResult(sorted(checked), messages)

    def _revert(self, project: Project) -> None:
        _set_geoms(self._layer(project), self._old)


class MoveFeatures(_GeometryEdit):
    kind = "move_features"

    def __init__(self, layer: str, rows: list[int], dx: float, dy: float) -> None:
        super().__init__(layer)
        self.rows, self.dx, self.dy = _row_set(rows), float(dx), float(dy)

    def text(self) -> str:
        return trn("Move {n} feature of {l}", "Move {n} features of {l}", len(self.rows)).format(
            n=len(self.rows), l=self.layer
        )

    def _apply(self, project: Project) -> EditResult:
        layer = self._layer(project)
        geoms = layer.data.geometry.values
        return self._replace(
            layer, {r: translate(geoms[r], self.dx, self.dy) for r in _rows(layer, self.rows)}
        )

    def _args(self) -> dict:
        return {"rows": self.rows, "dx": self.dx, "dy": self.dy}


class SetGeometry(_GeometryEdit):
    """Replace one feature's shape (a reshape, or a drag the canvas finished)."""

    kind = "set_geometry"

    def __init__(self, layer: str, row: int, geometry: BaseGeometry | str) -> None:
        super().__init__(layer)
        self.row = int(row)
        self.geometry = _shape(geometry)

    def text(self) -> str:
        return tr("Reshape a feature of {l}").format(l=self.layer)

    def _apply(self, project: Project) -> EditResult:
        layer = self._layer(project)
        return self._replace(layer, {_rows(layer, [self.row])[0]: self.geometry})

    def _args(self) -> dict:
        return {"row": self.row, "geometry": to_hex(self.geometry)}


class _VertexEdit(_GeometryEdit):
    def __init__(self, layer: str, row: int, vertex: Vertex) -> None:
        super().__init__(layer)
        self.row = int(row)
        self.vertex: Vertex = tuple(int(v) for v in vertex)  # type: ignore[assignment]

    def _apply(self, project: Project) -> EditResult:
        layer = self._layer(project)
        row = _rows(layer, [self.row])[0]
        return self._replace(layer, {row: self._edit(layer.data.geometry.values[row])})

    def _edit(self, geometry: BaseGeometry) -> BaseGeometry:
        raise NotImplementedError


class MoveVertex(_VertexEdit):
    kind = "move_vertex"

    def __init__(self, layer: str, row: int, vertex: Vertex, x: float, y: float) -> None:
        super().__init__(layer, row, vertex)
        self.x, self.y = float(x), float(y)

    def text(self) -> str:
        return tr("Move a vertex in {l}").format(l=self.layer)

    def _edit(self, geometry: BaseGeometry) -> BaseGeometry:
        return move_vertex(geometry, self.vertex, self.x, self.y)

    def _args(self) -> dict:
        return {"row": self.row, "vertex": list(self.vertex), "x": self.x, "y": self.y}


class InsertVertex(MoveVertex):
    kind = "insert_vertex"

    def text(self) -> str:
        return tr("Add a vertex in {l}").format(l=self.layer)

    def _edit(self, geometry: BaseGeometry) -> BaseGeometry:
        return insert_vertex(geometry, self.vertex, self.x, self.y)


class DeleteVertex(_VertexEdit):
    kind = "delete_vertex"

    def text(self) -> str:
        return tr("Delete a vertex in {l}").format(l=self.layer)

    def _edit(self, geometry: BaseGeometry) -> BaseGeometry:
        return delete_vertex(geometry, self.vertex)

    def _args(self) -> dict:
        return {"row": self.row, "vertex": list(self.vertex)}


class SetAttributes(EditOp):
    """The same values in some fields of some rows (the attribute form, or --set)."""

    kind = "set_attributes"

    def __init__(self, layer: str, rows: list[int], values: dict[str, Any]) -> None:
        super().__init__(layer)
        self.rows = _row_set(rows)
        self.values = dict(values)
        self._old: dict[str, list] = {}

    def text(self) -> str:
        return tr("Change {f} in {l}").format(f=", ".join(self.values), l=self.layer)

    def _apply(self, project: Project) -> EditResult:
        layer = self._layer(project)
        rows = _rows(layer, self.rows)
        checked = validate_values(
            layer_fields(layer, self.values), self.values, layer.name, _columns(layer)
        )
        data = layer.data.copy()
        self._old = {c: [data[c].iloc[r] for r in rows] for c in checked}
        for column, value in checked.items():
            _set_column_values(data, column, rows, [value] * len(rows))
        layer.data = data
        return EditResult(rows)

    def _revert(self, project: Project) -> None:
        layer = self._layer(project)
        data = layer.data.copy()
        for column, old in self._old.items():
            _set_column_values(data, column, self.rows, old)
        layer.data = data

    def _args(self) -> dict:
        return {"rows": self.rows, "values": {k: _json(v) for k, v in self.values.items()}}


class _Restructure(EditOp):
    """Split and merge: the layer's rows change in number; revert restores the whole frame
    (the rows are few enough for an analyst's edit, and this is exact)."""

    def __init__(self, layer: str) -> None:
        super().__init__(layer)
        self._before: gpd.GeoDataFrame | None = None

    def _revert(self, project: Project) -> None:
        assert self._before is not None
        self._layer(project).data = self._before


class SplitPolygon(_Restructure):
    """Cut one polygon along a line: the largest piece keeps the row, the others are added
    at the end with the same attributes."""

    kind = "split_polygon"

    def __init__(self, layer: str, row: int, line: BaseGeometry | str) -> None:
        super().__init__(layer)
        self.row = int(row)
        self.line = _shape(line)

    def text(self) -> str:
        return tr("Split a polygon of {l}").format(l=self.layer)

    def _apply(self, project: Project) -> EditResult:
        layer = self._layer(project)
        row = _rows(layer, [self.row])[0]
        data = layer.data
        pieces = split_polygon(data.geometry.values[row], self.line)
        self._before = data
        _set_geoms(layer, {row: pieces[0]})
        record = {c: data[c].iloc[row] for c in data.columns if c != data.geometry.name}
        start = len(layer.data)
        layer.data = _append(layer.data, [record] * (len(pieces) - 1), pieces[1:])
        return EditResult([row, *range(start, start + len(pieces) - 1)])

    def _args(self) -> dict:
        return {"row": self.row, "line": to_hex(self.line)}


class MergeFeatures(_Restructure):
    """Dissolve polygons into one: the union takes the row (and attributes) of `keep`
    (default the first), the other rows go."""

    kind = "merge_features"

    def __init__(self, layer: str, rows: list[int], keep: int | None = None) -> None:
        super().__init__(layer)
        self.rows = _row_set(rows)
        self.keep = int(keep) if keep is not None else (self.rows[0] if self.rows else 0)

    def text(self) -> str:
        return trn("Merge {n} feature of {l}", "Merge {n} features of {l}", len(self.rows)).format(
            n=len(self.rows), l=self.layer
        )

    def _apply(self, project: Project) -> EditResult:
        layer = self._layer(project)
        rows = _rows(layer, self.rows)
        if len(rows) < 2:
            raise EditError(tr("Select two or more polygons to merge."))
        if self.keep not in rows:
            raise EditError(tr("The feature whose values are kept must be one of those merged."))
        data = layer.data
        merged = merge(list(data.geometry.values[rows]))
        self._before = data
        _set_geoms(layer, {self.keep: merged})
        gone = [r for r in rows if r != self.keep]
        keep = np.ones(len(data), dtype=bool)
        keep[gone] = False
        out = layer.data.iloc[np.flatnonzero(keep)].copy()
        out.index = pd.RangeIndex(len(out))
        layer.data = out
        return EditResult([self.keep - sum(1 for r in gone if r < self.keep)])

    def _args(self) -> dict:
        return {"rows": self.rows, "keep": self.keep}


# --- copy and paste -------------------------------------------------------------------------
@dataclass
class Clipboard:
    """Copied features, kept in their layer's CRS with their attributes (plain data, so the
    desktop can keep it between layers and the journal never needs it)."""

    geometries: list[BaseGeometry]
    attributes: list[dict]
    crs: CRS | None
    source: str = ""


def copy_features(layer: Layer, rows: list[int]) -> Clipboard:
    rows = _rows(layer, rows)
    data = layer.data
    columns = [c for c in data.columns if c != data.geometry.name]
    return Clipboard(
        list(data.geometry.values[rows]),
        [{c: data[c].iloc[r] for c in columns} for r in rows],
        layer.crs,
        layer.name,
    )


def paste_features(clipboard: Clipboard, target: Layer) -> tuple[AddFeatures, list[str]]:
    """The AddFeatures that pastes `clipboard` into `target`: geometries reprojected to the
    target's CRS, attributes matched by field name (case-insensitive); values a target field
    cannot take are left blank, and the messages say which."""
    fields = layer_fields(target)
    by_name = {f.name.casefold(): f for f in fields}
    messages: list[str] = []
    kind = layer_kind(target)
    geoms, records = [], []
    for geometry in clipboard.geometries:
        if kind in ("point", "line", "polygon") and kind_of(geometry) != kind:
            raise EditError(
                tr("Layer {l!r} holds {want}; the copied features are {got}.").format(
                    l=target.name,
                    want=tr(KIND_PLURALS[kind]),
                    got=tr(KIND_PLURALS.get(kind_of(geometry), kind_of(geometry))),
                )
            )
        geoms.append(reproject(geometry, clipboard.crs, target.crs))
    skipped: set[str] = set()
    unmatched: set[str] = set()
    for values in clipboard.attributes:
        record = {}
        for name, value in values.items():
            spec = by_name.get(str(name).casefold())
            if spec is None:
                unmatched.add(str(name))
                continue
            try:
                record[spec.name] = spec.validate(value)
            except EditError:
                skipped.add(spec.name)
        records.append(record)
    if skipped:
        messages.append(
            tr("Values that do not fit the target's field types were left blank: {f}.").format(
                f=", ".join(sorted(skipped))
            )
        )
    if unmatched:
        messages.append(
            tr("Fields the target layer does not have were not pasted: {f}.").format(
                f=", ".join(sorted(unmatched))
            )
        )
    return AddFeatures(target.name, geoms, records), messages


# --- the journal's form -----------------------------------------------------------------------
OPS: dict[str, type[EditOp]] = {
    op.kind: op
    for op in (
        CreateLayer,
        AddFeatures,
        DeleteFeatures,
        MoveFeatures,
        SetGeometry,
        MoveVertex,
        InsertVertex,
        DeleteVertex,
        SetAttributes,
        SplitPolygon,
        MergeFeatures,
    )
}


def op_from_dict(data: dict) -> EditOp:
    """The operation a journal line describes (EditError for an unknown or damaged one)."""
    args = dict(data)
    kind = args.pop("op", None)
    if kind not in OPS:
        raise EditError(tr("Unknown edit {k!r} in the journal.").format(k=kind))
    if kind == "create_layer":
        args["fields"] = [FieldSpec.from_dict(f) for f in args.get("fields") or []]
    if "vertex" in args:
        args["vertex"] = tuple(args["vertex"])
    try:
        return OPS[kind](**args)
    except TypeError as exc:
        raise EditError(tr("A damaged edit in the journal: {e}").format(e=exc)) from None
