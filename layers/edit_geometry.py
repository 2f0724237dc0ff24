"""Geometry work behind the edit operations: vertices, splits, merges, checks and measures.

Everything is in the layer's own CRS. A vertex is addressed as (part, ring, index): the part
of a multi-geometry, the ring (0 = a polygon's outer ring, 1.. = its holes; 0 for lines and
points) and the position in that ring, the closing point of a ring not counted (moving
vertex 0 moves the closing point too, so rings stay closed). Docs: docs/editing.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely
from pyproj import CRS, Geod, Transformer
from shapely.geometry import (
    LinearRing,
    LineString,
    MultiLineString,
    MultiPoint,
    MultiPolygon,
    Point,
    Polygon,
)
from shapely.geometry.base import BaseGeometry

from layers.edit_fields import EditError
from layers.i18n import tr, tr_noop, trn

Vertex = tuple[int, int, int]  # (part, ring, index)
KINDS = ("point", "line", "polygon")
_KIND_OF = {
    "Point": "point",
    "MultiPoint": "point",
    "LineString": "line",
    "MultiLineString": "line",
    "LinearRing": "line",
    "Polygon": "polygon",
    "MultiPolygon": "polygon",
}
# What a layer of each kind holds, and one of it, in the user's words.
KIND_PLURALS = {
    "point": tr_noop("points"),
    "line": tr_noop("lines"),
    "polygon": tr_noop("polygons"),
}
KIND_NAMES = {"point": tr_noop("point"), "line": tr_noop("line"), "polygon": tr_noop("polygon")}
# Degrees a projected CRS may be used past the edge of its declared area (a UTM zone is often
# used a little beyond its 6° band); a geographic CRS gets none: ±180°/±90° is the world.
AREA_MARGIN_DEG = 1.0


def kind_of(geometry: BaseGeometry) -> str:
    """'point', 'line', 'polygon', or 'mixed' for a collection."""
    return _KIND_OF.get(geometry.geom_type, "mixed")


def to_hex(geometry: BaseGeometry) -> str:
    """Exact, compact text for the journal (WKB in hex: no rounding, unlike WKT)."""
    return shapely.to_wkb(geometry, hex=True)


def from_text(text: str) -> BaseGeometry:
    """A geometry from hex WKB (the journal) or WKT (the CLI); EditError when neither."""
    text = str(text).strip()
    try:
        if text and all(c in "0123456789abcdefABCDEF" for c in text):
            return shapely.from_wkb(text)
        return shapely.from_wkt(text)
    except shapely.errors.GEOSException as exc:
        raise EditError(
            tr("Not a geometry: {t!r} ({e}). Write it as WKT, e.g. POINT (-75.5 6.2).").format(
                t=text[:60], e=exc
            )
        ) from None


def check_kind(geometry: BaseGeometry, kind: str, layer: str) -> None:
    if geometry is None or geometry.is_empty:
        raise EditError(tr("The geometry is empty: nothing to add."))
    if kind in KINDS and kind_of(geometry) != kind:
        raise EditError(
            tr("Layer {l!r} holds {want}; a {got} cannot be added to it.").format(
                l=layer, want=tr(KIND_PLURALS[kind]), got=geometry.geom_type
            )
        )
    coords = shapely.get_coordinates(geometry)
    if not np.isfinite(coords).all():
        raise EditError(tr("The geometry has a coordinate that is not a number."))


def repair_drawn(geometry: BaseGeometry) -> tuple[BaseGeometry, str | None]:
    """A hand-drawn polygon whose ring crosses itself, made valid (make_valid keeps every
    lobe of a bowtie, where buffer(0) drops one), and a message telling the user so."""
    if kind_of(geometry) != "polygon" or geometry.is_valid:
        return geometry, None
    fixed = shapely.make_valid(geometry, method="structure", keep_collapsed=False)
    parts = [g for g in getattr(fixed, "geoms", [fixed]) if kind_of(g) == "polygon"]
    polygons = [p for g in parts for p in getattr(g, "geoms", [g]) if not p.is_empty]
    if not polygons:
        raise EditError(
            tr("The polygon drawn has no area (its vertices lie on a line): not added.")
        )
    result = polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)
    return result, trn(
        "The ring drawn crossed itself; it was repaired into {n} polygon.",
        "The ring drawn crossed itself; it was repaired into {n} polygons.",
        len(polygons),
    ).format(n=len(polygons))


@lru_cache(maxsize=32)
def _to_lonlat(crs_wkt: str) -> Transformer:
    crs = CRS.from_wkt(crs_wkt)
    return Transformer.from_crs(crs, crs.geodetic_crs or CRS.from_epsg(4326), always_xy=True)


def check_area_of_use(geometry: BaseGeometry, crs: CRS | None) -> None:
    """EditError naming the first vertex that lies outside where `crs` is valid."""
    if crs is None:
        return
    coords = shapely.get_coordinates(geometry)
    if not len(coords):
        return
    if crs.is_geographic:
        lon, lat = coords[:, 0], coords[:, 1]
    else:
        lon, lat = _to_lonlat(crs.to_wkt()).transform(coords[:, 0], coords[:, 1], errcheck=False)
        lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    area = crs.area_of_use
    margin = 0.0 if crs.is_geographic else AREA_MARGIN_DEG
    west, south, east, north = (
        (area.west, area.south, area.east, area.north) if area else (-180.0, -90.0, 180.0, 90.0)
    )
    ok = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180) & (np.abs(lat) <= 90)
    ok &= (lat >= south - margin) & (lat <= north + margin)
    if east >= west:  # an area across the antimeridian is not checked east-west
        ok &= (lon >= west - margin) & (lon <= east + margin)
    if ok.all():
        return
    i = int(np.flatnonzero(~ok)[0])
    raise EditError(
        tr(
            "The point ({x}, {y}) lies outside the area where {crs} is valid ({area}): "
            "the edit was not applied. Check the coordinates or the layer's CRS."
        ).format(
            x=f"{coords[i, 0]:.6g}",
            y=f"{coords[i, 1]:.6g}",
            crs=crs.name,
            area=f"lon {west:g}..{east:g}, lat {south:g}..{north:g}",
        )
    )


# --- vertices -----------------------------------------------------------------------------
def _parts(geometry: BaseGeometry) -> list[list[list[tuple[float, float]]]]:
    """Parts > rings > open vertex lists (closing points dropped), 2D."""

    def open_ring(ring) -> list[tuple[float, float]]:
        coords = [(float(x), float(y)) for x, y, *_ in ring.coords]
        return coords[:-1] if len(coords) > 1 and coords[0] == coords[-1] else coords

    out = []
    for part in getattr(geometry, "geoms", [geometry]):
        if isinstance(part, Polygon):
            out.append([open_ring(part.exterior)] + [open_ring(r) for r in part.interiors])
        else:
            out.append([[(float(x), float(y)) for x, y, *_ in part.coords]])
    return out


def _build(template: BaseGeometry, parts: list[list[list[tuple[float, float]]]]) -> BaseGeometry:
    """The geometry of `template`'s type from parts/rings (rings closed again)."""
    kind = template.geom_type
    if kind in ("Polygon", "MultiPolygon"):
        polys = [Polygon(rings[0], rings[1:]) for rings in parts]
        return polys[0] if kind == "Polygon" else MultiPolygon(polys)
    if kind in ("LineString", "LinearRing"):
        return LineString(parts[0][0])
    if kind == "MultiLineString":
        return MultiLineString([rings[0] for rings in parts])
    if kind == "Point":
        return Point(parts[0][0][0])
    return MultiPoint([rings[0][0] for rings in parts])


def rings(geometry: BaseGeometry) -> list[tuple[int, int, np.ndarray]]:
    """(part, ring, open vertices as an (n, 2) array) for every ring: what `_parts` holds,
    read by shapely in C. Snapping and the vertex tool ask on every mouse move, and a
    municipality's boundary has thousands of vertices (docs/editing.md, "Costs")."""
    out = []
    for p, part in enumerate(getattr(geometry, "geoms", [geometry])):
        if isinstance(part, Polygon):
            for r, ring in enumerate((part.exterior, *part.interiors)):
                xy = shapely.get_coordinates(ring)
                if len(xy) > 1 and (xy[0] == xy[-1]).all():
                    xy = xy[:-1]
                out.append((p, r, xy))
        else:
            out.append((p, 0, shapely.get_coordinates(part)))
    return out


def vertices(geometry: BaseGeometry) -> list[tuple[Vertex, float, float]]:
    """Every vertex with its address, as the vertex tool draws them."""
    return [
        ((p, r, i), x, y) for p, r, xy in rings(geometry) for i, (x, y) in enumerate(xy.tolist())
    ]


def nearest_vertex_point(
    geometry: BaseGeometry, x: float, y: float
) -> tuple[Vertex, tuple[float, float], float]:
    """The vertex closest to (x, y): its address, its coordinates and its distance."""
    best: tuple[Vertex, tuple[float, float], float] | None = None
    for p, r, xy in rings(geometry):
        if not len(xy):
            continue
        d = np.hypot(xy[:, 0] - x, xy[:, 1] - y)
        i = int(np.argmin(d))
        if best is None or d[i] < best[2]:
            best = ((p, r, i), (float(xy[i, 0]), float(xy[i, 1])), float(d[i]))
    if best is None:
        raise EditError(tr("This feature has no vertices."))
    return best


def nearest_vertex(geometry: BaseGeometry, x: float, y: float) -> tuple[Vertex, float]:
    """The vertex closest to (x, y) and its distance (layer units)."""
    vertex, _xy, distance = nearest_vertex_point(geometry, x, y)
    return vertex, distance


def nearest_segment(
    geometry: BaseGeometry, x: float, y: float
) -> tuple[Vertex, tuple[float, float], float]:
    """Where a vertex double-clicked near (x, y) goes: the address to insert at (before that
    index), the closest point on the segment, and the distance. Points have no segments."""
    best: tuple[Vertex, tuple[float, float], float] | None = None
    closed = kind_of(geometry) == "polygon"
    for p, r, a in rings(geometry):
        # Every segment of the ring at once (snapping asks this on each mouse move).
        b = np.roll(a, -1, axis=0) if closed else a[1:]
        a = a[: len(b)]
        if not len(a):
            continue
        ab = b - a
        length2 = (ab**2).sum(axis=1)
        t = ((x - a[:, 0]) * ab[:, 0] + (y - a[:, 1]) * ab[:, 1]) / np.where(
            length2 > 0, length2, 1.0
        )
        on = a + np.clip(t, 0.0, 1.0)[:, None] * ab
        d = np.hypot(on[:, 0] - x, on[:, 1] - y)
        i = int(np.argmin(d))
        if best is None or d[i] < best[2]:
            best = ((p, r, i + 1), (float(on[i, 0]), float(on[i, 1])), float(d[i]))
    if best is None:
        raise EditError(tr("A point has no segments to add a vertex to."))
    return best


def _address(parts, vertex: Vertex, inserting: bool = False) -> None:
    p, r, i = (int(v) for v in vertex)
    ok = 0 <= p < len(parts) and 0 <= r < len(parts[p])
    if ok:
        n = len(parts[p][r])
        ok = 0 <= i <= n if inserting else 0 <= i < n
    if not ok:
        raise EditError(tr("There is no vertex {v} in this feature.").format(v=tuple(vertex)))


def move_vertex(geometry: BaseGeometry, vertex: Vertex, x: float, y: float) -> BaseGeometry:
    parts = _parts(geometry)
    _address(parts, vertex)
    p, r, i = vertex
    parts[p][r][i] = (float(x), float(y))
    return _build(geometry, parts)


def insert_vertex(geometry: BaseGeometry, vertex: Vertex, x: float, y: float) -> BaseGeometry:
    """A new vertex before `vertex`'s index (index = ring length appends)."""
    if kind_of(geometry) == "point":
        raise EditError(tr("A point has no segments to add a vertex to."))
    parts = _parts(geometry)
    _address(parts, vertex, inserting=True)
    p, r, i = vertex
    parts[p][r].insert(i, (float(x), float(y)))
    return _build(geometry, parts)


def delete_vertex(geometry: BaseGeometry, vertex: Vertex) -> BaseGeometry:
    """Refused when the ring or line would be too short (delete the feature instead)."""
    parts = _parts(geometry)
    _address(parts, vertex)
    p, r, i = vertex
    kind = kind_of(geometry)
    minimum = {"point": 2, "line": 3, "polygon": 4}[kind]
    if len(parts[p][r]) < minimum:
        raise EditError(
            tr(
                "Deleting this vertex would leave too few for a {kind}: delete the feature instead."
            ).format(kind=tr(KIND_NAMES[kind]))
        )
    del parts[p][r][i]
    return _build(geometry, parts)


# --- whole features -----------------------------------------------------------------------
def translate(geometry: BaseGeometry, dx: float, dy: float) -> BaseGeometry:
    return shapely.transform(geometry, lambda xy: xy + np.array([dx, dy]))


def split_polygon(geometry: BaseGeometry, line: BaseGeometry) -> list[BaseGeometry]:
    """The pieces a line cuts a polygon into (largest first); EditError if it cuts nothing."""
    from shapely.ops import split

    if kind_of(geometry) != "polygon":
        raise EditError(tr("Only polygons can be split."))
    if kind_of(line) != "line":
        raise EditError(tr("Split with a line drawn across the polygon."))
    pieces = []
    for part in getattr(geometry, "geoms", [geometry]):
        pieces.extend(split(part, line).geoms)
    pieces = [p for p in pieces if p.area > 0]
    if len(pieces) < 2:
        raise EditError(
            tr("The line does not cut across the polygon: draw it from outside to outside.")
        )
    return sorted(pieces, key=lambda p: -p.area)


def merge(geometries: list[BaseGeometry]) -> BaseGeometry:
    """The union of polygons (touching or overlapping parts dissolve into one)."""
    if any(kind_of(g) != "polygon" for g in geometries):
        raise EditError(tr("Only polygons can be merged."))
    merged = shapely.union_all(geometries)
    polygons = [g for g in getattr(merged, "geoms", [merged]) if isinstance(g, Polygon)]
    return polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)


def reproject(geometry: BaseGeometry, source: CRS | None, target: CRS | None) -> BaseGeometry:
    if source is None or target is None or CRS.from_user_input(source).equals(target):
        return geometry
    t = Transformer.from_crs(source, target, always_xy=True)
    return shapely.transform(geometry, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))


# --- measures -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Measure:
    """On the ellipsoid: length of lines, area and perimeter of polygons (0 where none)."""

    length_m: float = 0.0
    area_ha: float = 0.0
    perimeter_m: float = 0.0


@lru_cache(maxsize=32)
def _measuring(crs_key: str) -> tuple[Transformer | None, Geod]:
    """The transformer to the CRS's lon/lat (None when it is lon/lat) and its ellipsoid."""
    crs = CRS.from_user_input(crs_key)
    geod = crs.get_geod() or CRS.from_epsg(4326).get_geod()
    return (None if crs.is_geographic else _to_lonlat(crs.to_wkt())), geod


def measure(geometry: BaseGeometry | None, crs: CRS | str | None) -> Measure:
    """Metres and hectares on the CRS's ellipsoid (pyproj Geod), whatever the projection:
    the live read-out while drawing calls this on every mouse move (docs/editing.md)."""
    if geometry is None or geometry.is_empty:
        return Measure()
    key = "EPSG:4326" if crs is None else (crs if isinstance(crs, str) else crs.to_wkt())
    to_lonlat, geod = _measuring(key)
    if to_lonlat is not None:
        geometry = shapely.transform(
            geometry, lambda xy: np.column_stack(to_lonlat.transform(xy[:, 0], xy[:, 1]))
        )
    kind = kind_of(geometry)
    if kind == "line":
        return Measure(length_m=float(geod.geometry_length(geometry)))
    if kind == "polygon":
        area, perimeter = geod.geometry_area_perimeter(geometry)
        return Measure(area_ha=abs(float(area)) / 10_000.0, perimeter_m=float(perimeter))
    return Measure()


def is_ring_closed(ring: LinearRing) -> bool:
    coords = list(ring.coords)
    return len(coords) >= 4 and coords[0] == coords[-1]


__all__ = [
    "Measure",
    "Vertex",
    "check_area_of_use",
    "check_kind",
    "delete_vertex",
    "from_text",
    "insert_vertex",
    "kind_of",
    "measure",
    "merge",
    "move_vertex",
    "nearest_segment",
    "nearest_vertex",
    "nearest_vertex_point",
    "rings",
    "repair_drawn",
    "reproject",
    "split_polygon",
    "to_hex",
    "translate",
    "vertices",
]
