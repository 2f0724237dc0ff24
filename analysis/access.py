"""Health access: distance to the nearest service, 2SFCA (Luo & Wang 2003), E2SFCA (Luo & Qi 2009).

Distances are straight lines (Euclidean) in metres in the metric CRS: Harm Atlas is offline
and has no road network, so true travel is longer (rivers, mountains, no roads).

Catchment convention: a pair is in reach when d ≤ catchment, and a distance in band r when
D_{r−1} < d ≤ D_r — the ≤ of docs/methods.md, and the one the installed PySAL `access`
(1.1.10) uses in both its max_cost filter and its step weights.

Demand points with no service in reach get A_i = 0 (no accessible supply), where PySAL
leaves them missing. Services with no demand in reach serve nobody (R_j = 0, noted).
All sums are sparse matrix products over the pairs in reach (scipy cKDTree), so 10,000
demand points × 1,000 services take a fraction of a second.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from scipy import sparse
from scipy.spatial import cKDTree

from analysis.base import Algorithm, AnalysisResult, Feedback, Output, Parameter, register
from analysis.hotspots import layer_in_crs
from analysis.inputs import InputError, parse_numbers, run_crs
from layers.i18n import tr, tr_noop
from layers.layer import Layer

if TYPE_CHECKING:
    from layers.raster import RasterLayer

DEFAULT_CATCHMENT_M = 15_000.0
DEFAULT_BAND_WEIGHTS = (1.0, 0.68, 0.22)  # Luo & Qi (2009), the common E2SFCA defaults
EUCLIDEAN_NOTE = tr_noop(
    "Distances are straight lines in metres (no road network offline): "
    "real travel distances are longer."
)
# Columns that may say what kind of service a facility is (healthsites.io / OSM, sample data).
FACILITY_TYPE_COLUMNS = ("facility_type", "amenity", "healthcare", "type", "service")


# --- pure functions ------------------------------------------------------------------------
def band_weight(distance: np.ndarray, edges: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Step weight W_r for D_{r−1} < d ≤ D_r; 0 beyond the last edge."""
    edges = np.asarray(edges, dtype=float)
    weights = np.asarray(weights, dtype=float)
    k = np.searchsorted(edges, np.asarray(distance, dtype=float), side="left")
    padded = np.append(weights, 0.0)
    return padded[k]


@dataclass(frozen=True)
class Pairs:
    """Demand–service pairs in reach as parallel arrays (i demand, j service, d metres).

    Why not a scipy matrix: both 2SFCA steps are weighted sums over pairs, which
    np.bincount does without building (and sorting) a CSR matrix — 3× faster at 10k × 1k.
    """

    i: np.ndarray
    j: np.ndarray
    d: np.ndarray
    shape: tuple[int, int]

    @classmethod
    def from_matrix(cls, distance: np.ndarray | sparse.spmatrix, catchment: float) -> Pairs:
        """From a dense matrix (np.inf = unreachable) or a sparse one (absent = unreachable)."""
        if sparse.issparse(distance):
            coo = sparse.coo_matrix(distance)
            i, j, d = coo.row, coo.col, coo.data
        else:
            dense = np.asarray(distance, dtype=float)
            i, j = np.nonzero(dense <= catchment)
            d = dense[i, j]
        keep = d <= catchment
        return cls(i[keep], j[keep], d[keep], tuple(distance.shape))  # type: ignore[arg-type]

    def to_sparse(self) -> sparse.csr_matrix:
        return sparse.csr_matrix((self.d, (self.i, self.j)), shape=self.shape)


def pair_weights(
    pairs: Pairs,
    catchment: float,
    edges: np.ndarray | None = None,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """W for every pair: 1 where d ≤ catchment (2SFCA) or the band weight (E2SFCA)."""
    if edges is None:
        return (pairs.d <= catchment).astype(float)
    return np.where(pairs.d <= catchment, band_weight(pairs.d, edges, weights), 0.0)


@dataclass
class FcaResult:
    """A_i per demand point, R_j per service, and the demand each service sees."""

    access: np.ndarray
    ratio: np.ndarray
    demand_in_reach: np.ndarray
    services_in_reach: np.ndarray
    notes: list[str] = field(default_factory=list)


def floating_catchment(
    pairs: Pairs, w: np.ndarray, supply: np.ndarray, demand: np.ndarray
) -> FcaResult:
    """The two steps over weighted pairs.

    Step 1: R_j = S_j / Σ_k P_k W_kj. Step 2: A_i = Σ_j W_ij R_j. With W binary this is
    2SFCA, with band weights E2SFCA.
    """
    supply = np.asarray(supply, dtype=float)
    demand = np.asarray(demand, dtype=float)
    n_demand, n_supply = pairs.shape
    if (n_demand, n_supply) != (len(demand), len(supply)):
        raise ValueError(f"pairs are {pairs.shape}, expected {(len(demand), len(supply))}")
    i, j = pairs.i, pairs.j
    if not (w > 0).all():  # E2SFCA pairs beyond the last band drop out
        live = w > 0
        i, j, w = i[live], j[live], w[live]
    seen = np.bincount(j, weights=w * demand[i], minlength=n_supply)
    notes = []
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(seen > 0, supply / seen, 0.0)
    idle = int(((seen <= 0) & (supply > 0)).sum())
    if idle:
        notes.append(
            tr("{n} services have no population in reach and serve nobody.").format(n=idle)
        )
    access = np.bincount(i, weights=w * ratio[j], minlength=n_demand)
    reach = np.bincount(i, minlength=n_demand)
    return FcaResult(access, ratio, seen, reach, notes)


def two_step_fca(
    distance: np.ndarray | sparse.spmatrix | Pairs,
    supply: np.ndarray,
    demand: np.ndarray,
    catchment: float,
    edges: np.ndarray | None = None,
    weights: np.ndarray | None = None,
) -> FcaResult:
    """2SFCA from a distance matrix (E2SFCA when band `edges` and `weights` are given)."""
    pairs = distance if isinstance(distance, Pairs) else Pairs.from_matrix(distance, catchment)
    return floating_catchment(pairs, pair_weights(pairs, catchment, edges, weights), supply, demand)


def pair_distances(
    demand_xy: np.ndarray, supply_xy: np.ndarray, max_distance: float, supply_tree=None
) -> Pairs:
    """Demand–service pairs within `max_distance` (≤, zero distances kept)."""
    supply_tree = supply_tree if supply_tree is not None else cKDTree(supply_xy)
    found = supply_tree.sparse_distance_matrix(
        cKDTree(demand_xy), max_distance, output_type="ndarray"
    )
    return Pairs(
        found["j"].astype(np.intp, copy=False),
        found["i"].astype(np.intp, copy=False),
        found["v"],
        (len(demand_xy), len(supply_xy)),
    )


def nearest_service(
    demand_xy: np.ndarray, supply_xy: np.ndarray, supply_tree=None
) -> tuple[np.ndarray, np.ndarray]:
    """Distance to, and index of, the nearest service of every demand point."""
    if len(supply_xy) == 0:
        return np.full(len(demand_xy), np.inf), np.full(len(demand_xy), -1)
    tree = supply_tree if supply_tree is not None else cKDTree(supply_xy)
    d, j = tree.query(demand_xy, k=1)
    return np.asarray(d, dtype=float), np.asarray(j, dtype=np.int64)


def population_beyond(distance: np.ndarray, population: np.ndarray, threshold: float) -> float:
    """Share (0–1) of the population farther than `threshold` from any service; NaN if none."""
    population = np.asarray(population, dtype=float)
    total = np.nansum(population)
    if not total > 0:
        return float("nan")
    return float(np.nansum(population[np.asarray(distance) > threshold]) / total)


def accessibility(
    demand_xy: np.ndarray,
    population: np.ndarray,
    supply_xy: np.ndarray,
    capacity: np.ndarray,
    catchment: float,
    method: str = "2sfca",
    edges: np.ndarray | None = None,
    weights: np.ndarray | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """Nearest distance and (E)2SFCA score of every demand point, from coordinates in metres.

    Columns: nearest_m, nearest_index, services_in_reach, access (services per person,
    NaN for method 'nearest'), access_per_1000.
    """
    demand_xy = np.asarray(demand_xy, dtype=float).reshape(-1, 2)
    supply_xy = np.asarray(supply_xy, dtype=float).reshape(-1, 2)
    if method not in ("nearest", "2sfca", "e2sfca"):
        raise ValueError(f"Unknown access method {method!r}: nearest, 2sfca or e2sfca")
    notes: list[str] = []
    if len(supply_xy) == 0:
        out = pd.DataFrame({"nearest_m": np.full(len(demand_xy), np.inf), "nearest_index": -1})
        out["services_in_reach"] = 0
        out["access"] = np.nan if method == "nearest" else 0.0
        out["access_per_1000"] = out["access"] * 1000.0
        return out, notes
    tree = cKDTree(supply_xy)
    nearest_m, nearest_j = nearest_service(demand_xy, supply_xy, tree)
    out = pd.DataFrame({"nearest_m": nearest_m, "nearest_index": nearest_j})
    if method == "nearest":
        out["services_in_reach"] = _reach_counts(demand_xy, supply_xy, catchment, tree)
        out["access"] = np.nan
        out["access_per_1000"] = np.nan
        return out, notes
    if method == "e2sfca":
        if edges is None:
            edges = catchment * np.arange(1, len(DEFAULT_BAND_WEIGHTS) + 1) / 3
            weights = np.asarray(DEFAULT_BAND_WEIGHTS)
        catchment = float(np.max(edges))
    else:
        edges = weights = None
    pairs = pair_distances(demand_xy, supply_xy, catchment, tree)
    res = two_step_fca(pairs, capacity, population, catchment, edges, weights)
    out["services_in_reach"] = res.services_in_reach
    out["access"] = res.access
    out["access_per_1000"] = res.access * 1000.0
    return out, notes + res.notes


def _reach_counts(demand_xy, supply_xy, catchment, tree) -> np.ndarray:
    pairs = pair_distances(demand_xy, supply_xy, catchment, tree)
    return np.bincount(pairs.i, minlength=len(demand_xy))


# --- reading layers --------------------------------------------------------------------------
def raster_demand(
    raster: RasterLayer, bounds: tuple[float, float, float, float], crs: CRS
) -> tuple[np.ndarray, np.ndarray]:
    """Demand points from a population raster: the centre of every cell holding people whose
    centre lies in `bounds` (metric CRS), as metric coordinates, and its people (scaled).

    Read in strips of rows over the window of `bounds` only (docs/methods.md, "Population
    rasters")."""
    from pyproj import Transformer
    from rasterio.warp import transform_bounds
    from rasterio.windows import Window

    info = raster.info
    local = bounds
    if raster.crs is not None and not raster.crs.equals(crs):
        local = transform_bounds(crs, raster.crs, *bounds, densify_pts=21)
    inverse = ~info.transform
    c0, r0 = inverse @ (local[0], local[3])
    c1, r1 = inverse @ (local[2], local[1])
    c0, r0 = max(int(np.floor(c0)), 0), max(int(np.floor(r0)), 0)
    c1, r1 = min(int(np.ceil(c1)), info.width), min(int(np.ceil(r1)), info.height)
    if c1 <= c0 or r1 <= r0:
        return np.empty((0, 2)), np.empty(0)
    window = Window(c0, r0, c1 - c0, r1 - r0)
    xs, ys, people = [], [], []
    step = max(1, 4_000_000 // max(int(window.width), 1))
    with raster.open() as src:
        for row in range(int(window.row_off), int(window.row_off + window.height), step):
            rows = min(step, int(window.row_off + window.height) - row)
            part = src.read(1, window=Window(window.col_off, row, window.width, rows), masked=True)
            values = np.ma.filled(raster.scaled(part), 0.0)
            r, c = np.nonzero(values > 0)
            x, y = info.transform @ (c + window.col_off + 0.5, r + row + 0.5)
            xs.append(np.asarray(x, dtype=float))
            ys.append(np.asarray(y, dtype=float))
            people.append(values[r, c])
    x, y = np.concatenate(xs or [np.empty(0)]), np.concatenate(ys or [np.empty(0)])
    pop = np.concatenate(people or [np.empty(0)])
    if raster.crs is not None and not raster.crs.equals(crs):
        x, y = Transformer.from_crs(raster.crs, crs, always_xy=True).transform(x, y)
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    x0, y0, x1, y1 = bounds
    keep = (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
    return np.column_stack([x[keep], y[keep]]), pop[keep]


def _norm(text: object) -> str:
    return re.sub(r"[\s_\-]+", "_", str(text).strip().lower())


def facility_mask(layer: Layer, facility_type: str | None) -> np.ndarray:
    """Which services match any of the comma-separated types (mapped facility_type first)."""
    n = len(layer.data)
    if not facility_type:
        return np.ones(n, dtype=bool)
    wanted = {_norm(t) for t in facility_type.split(",") if t.strip()}
    columns = [layer.field("facility_type")] + list(FACILITY_TYPE_COLUMNS)
    columns = [c for c in dict.fromkeys(columns) if c and c in layer.data.columns]
    if not columns:
        raise InputError(
            tr(
                "Layer {name!r} has no facility type field to filter on: map facility_type "
                "(e.g. the amenity column) or leave out --facility-type."
            ).format(name=layer.name)
        )
    mask = np.zeros(n, dtype=bool)
    for col in columns:
        mask |= layer.data[col].map(_norm).isin(wanted).to_numpy()
    return mask


def numeric_values(layer: Layer, column: str | None, what: str) -> tuple[np.ndarray, int]:
    """Values of a numeric field (missing -> 0) and how many were missing."""
    if column not in layer.data.columns:
        raise InputError(
            tr("Layer {name!r} has no field {f!r} for {what}. Fields: {fields}.").format(
                name=layer.name, f=column, what=what, fields=", ".join(map(str, layer.data.columns))
            )
        )
    raw = layer.data[column]
    if raw.dtype == object:
        raw = raw.replace({"nan": None, "NaN": None, "": None})
    values = pd.to_numeric(raw, errors="coerce")
    return values.fillna(0.0).to_numpy(dtype=float), int(values.isna().sum())


def locations(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """Points as they are; other shapes by their centroid (polygons weighted by population)."""
    geom = gdf.geometry
    if set(geom.geom_type.dropna()) - {"Point"}:
        geom = geom.centroid
    return np.column_stack([geom.x.to_numpy(), geom.y.to_numpy()])


def service_names(layer: Layer) -> pd.Series:
    col = layer.field("name") or next(
        (c for c in ("name", "NAME", "nombre", "osm_id") if c in layer.data.columns), None
    )
    if col is None:
        return pd.Series([f"#{i}" for i in range(len(layer.data))])
    return layer.data[col].astype("string").fillna("").reset_index(drop=True)


# --- the analysis -------------------------------------------------------------------------------
@register
class HealthAccess(Algorithm):
    id = "access"
    title = tr_noop("Health access (nearest service, 2SFCA, E2SFCA)")
    help = tr_noop(
        "For each community (points, or region centroids with their population): the distance "
        "to the nearest service and its name, and the two-step floating catchment score "
        "(services per person within the catchment, also per 1,000 people). "
        "Straight-line distances in metres: no road network offline. "
        "A pair is in reach when distance ≤ catchment."
    )
    parameters = (
        Parameter(
            "demand",
            "layer",
            tr_noop("Where people live: settlements (points) or regions (polygons)."),
            required=True,
            roles=("settlements", "admin_boundaries"),
            geometry=("point", "polygon"),
        ),
        Parameter(
            "demand_field",
            "field",
            tr_noop("Population field of the demand layer (default: its mapped population)."),
            parent="demand",
        ),
        Parameter(
            "supply",
            "layer",
            tr_noop("Health or harm-reduction services (points)."),
            required=True,
            roles=("health_services",),
            geometry=("point", "polygon"),
        ),
        Parameter(
            "supply_field",
            "field",
            tr_noop("Capacity of each service (e.g. beds); default: 1 per service."),
            parent="supply",
        ),
        Parameter(
            "method",
            "enum",
            tr_noop("nearest, 2sfca or e2sfca."),
            default="2sfca",
            choices=("nearest", "2sfca", "e2sfca"),
        ),
        Parameter(
            "catchment_m",
            "number",
            tr_noop("Catchment in metres (straight line); also the 'beyond reach' threshold."),
            default=DEFAULT_CATCHMENT_M,
        ),
        Parameter(
            "bands",
            "numbers",
            tr_noop(
                "e2sfca: band limits in metres, e.g. 10000,20000,30000 (default: thirds of the "
                "catchment)."
            ),
        ),
        Parameter(
            "band_weights",
            "numbers",
            tr_noop("e2sfca: weight of each band (default 1,0.68,0.22)."),
        ),
        Parameter(
            "facility_type",
            "string",
            tr_noop("Only services of these types (comma-separated), e.g. harm_reduction."),
        ),
        Parameter(
            "population_raster",
            "path",
            tr_noop(
                "Population raster (WorldPop, GHS-POP: people per pixel), used when the demand "
                "layer has no population: its cells holding people are the 2SFCA demand points."
            ),
        ),
    )
    outputs = (
        Output(
            "access", "layer", tr_noop("Demand features with distance, nearest name and score.")
        ),
        Output("summary", "summary", tr_noop("Population beyond the catchment, mean access.")),
    )

    def run(self, params: dict, feedback: Feedback) -> AnalysisResult:
        demand: Layer = params["demand"]
        supply: Layer = params["supply"]
        method = params["method"]
        catchment = float(params["catchment_m"])
        if not catchment > 0:
            raise InputError(tr("--catchment-m must be a positive number of metres."))
        edges = parse_numbers(params.get("bands"), "--bands")
        band_w = parse_numbers(params.get("band_weights"), "--band-weights")
        if method == "e2sfca" and edges is not None:
            band_w = band_w or list(DEFAULT_BAND_WEIGHTS)
            if len(band_w) != len(edges) or sorted(edges) != edges:
                raise InputError(
                    tr("--bands must be increasing and match --band-weights one to one.")
                )
        feedback.set_progress(5, tr("Reading demand and services"))
        pop_col = params.get("demand_field") or demand.field("population")
        raster_path = params.get("population_raster")
        if not pop_col and not raster_path:
            raise InputError(
                tr(
                    "Layer {name!r} has no mapped population: give --demand-field "
                    "(e.g. the population column) or --population-raster."
                ).format(name=demand.name)
            )
        notes = [tr(EUCLIDEAN_NOTE)]
        if pop_col and raster_path:
            notes.append(tr("--population-raster not used: the demand layer has population."))
        population, missing_pop = (
            numeric_values(demand, pop_col, tr("population"))
            if pop_col
            else (np.zeros(len(demand.data)), 0)
        )
        if missing_pop:
            notes.append(
                tr("{n} demand features have no population: counted as 0.").format(n=missing_pop)
            )
        keep = facility_mask(supply, params.get("facility_type"))
        cap_col = params.get("supply_field")
        if cap_col:
            capacity, missing_cap = numeric_values(supply, cap_col, tr("capacity"))
            if missing_cap:
                notes.append(
                    tr("{n} services have no {f}: counted as 0.").format(n=missing_cap, f=cap_col)
                )
        else:
            capacity = np.ones(len(supply.data))
        keep &= supply.data.geometry.notna().to_numpy()
        crs = run_crs(params, demand, supply)
        demand_m = layer_in_crs(demand, crs)
        supply_m = layer_in_crs(supply, crs)
        demand_xy = locations(demand_m)
        supply_xy = locations(supply_m)[keep]
        capacity = capacity[keep]
        names = service_names(supply)[keep].reset_index(drop=True)
        if not len(supply_xy):
            notes.append(tr("No services match: every community is beyond reach."))
        feedback.check()
        feedback.set_progress(30, tr("Distances within {d:g} m").format(d=catchment))
        valid = np.isfinite(demand_xy).all(axis=1)
        fca_args = (
            supply_xy,
            capacity,
            catchment,
            method,
            None if edges is None else np.asarray(edges),
            None if band_w is None else np.asarray(band_w),
        )
        cells = None
        if pop_col:
            table, fca_notes = accessibility(demand_xy[valid], population[valid], *fca_args)
        else:
            population, table, cells, fca_notes = _raster_access(
                raster_path, demand_m, demand_xy, valid, fca_args, crs
            )
        notes += fca_notes
        feedback.check()
        feedback.set_progress(80, tr("Writing results"))
        out = demand_m.copy()
        for col in ("nearest_m", "services_in_reach", "access", "access_per_1000"):
            full = np.full(len(out), np.nan)
            full[valid] = table[col].to_numpy(dtype=float)
            out[col] = full
        idx = np.full(len(out), -1)
        idx[valid] = table["nearest_index"].to_numpy()
        out["nearest_name"] = [names.iloc[j] if j >= 0 else None for j in idx]
        reach_limit = float(np.max(edges)) if method == "e2sfca" and edges else catchment
        out["beyond_reach"] = ~(out["nearest_m"] <= reach_limit)
        share = population_beyond(
            out["nearest_m"].fillna(np.inf).to_numpy(), population, reach_limit
        )
        people_beyond = float(population[out["beyond_reach"].to_numpy()].sum())
        if cells is not None:  # people counted where they live, cell by cell
            out["population"] = population
            out["share_beyond_reach"] = np.nan
            out.loc[valid, "share_beyond_reach"] = table["share_beyond_reach"].to_numpy()
            far = cells["nearest_m"].to_numpy() > reach_limit
            people_beyond = float(cells["population"].to_numpy()[far].sum())
            share = population_beyond(
                cells["nearest_m"].to_numpy(), cells["population"].to_numpy(), reach_limit
            )
            notes.append(
                tr(
                    "Demand: {n:,} raster cells holding {p:,.0f} people; each feature's score "
                    "is the people-weighted mean of its cells' (docs/methods.md)."
                ).format(n=len(cells), p=float(cells["population"].sum()))
            )
        total_pop = float(population.sum())
        summary = {
            "method": method,
            "catchment_m": reach_limit,
            "distance": "euclidean",
            "in_reach_rule": "distance <= catchment",
            "demand_features": int(len(out)),
            "services": int(len(supply_xy)),
            "population": total_pop,
            "population_beyond_catchment": people_beyond,
            "share_beyond_catchment": share,
            "median_nearest_m": float(np.nanmedian(out["nearest_m"])) if len(out) else None,
        }
        if method != "nearest":
            acc = out["access"].to_numpy(dtype=float)
            summary["mean_access_per_1000"] = (
                float(np.nansum(acc * population) / total_pop * 1000) if total_pop > 0 else None
            )
            summary["supply_total"] = float(capacity.sum())
            if method == "e2sfca":
                summary["bands_m"] = list(edges) if edges else list(catchment * np.arange(1, 4) / 3)
                summary["band_weights"] = list(band_w) if band_w else list(DEFAULT_BAND_WEIGHTS)
        return AnalysisResult(
            summary=summary,
            layers={"access": out},
            table=pd.DataFrame(out.drop(columns=out.geometry.name)),
            notes=notes,
            styles={
                "access": {
                    "field": "nearest_m" if method == "nearest" else "access_per_1000",
                    "kind": "graduated",
                }
            },
        )


def _raster_access(
    path: str, demand_m: gpd.GeoDataFrame, demand_xy: np.ndarray, valid: np.ndarray, fca_args, crs
) -> tuple[np.ndarray, pd.DataFrame, pd.DataFrame, list[str]]:
    """(people per feature, per-feature table, per-cell table, notes) with the population
    raster's cells as demand points: a cell belongs to the polygon holding its centre, or to
    the nearest settlement; a feature's score is the people-weighted mean of its cells'."""
    from analysis.count import point_polygon_pairs
    from analysis.zonal import open_raster_input, zonal_table

    raster = open_raster_input(path, "--population-raster")
    polygons = bool(set(demand_m.geom_type.dropna()) - {"Point", "MultiPoint"})
    if polygons:
        population = zonal_table(raster, demand_m, ("sum",), metric=crs)["sum"].to_numpy()
    x0, y0, x1, y1 = demand_m.total_bounds
    grow = 0.0 if polygons else fca_args[2]  # settlements: the people within reach of them
    cell_xy, cell_pop = raster_demand(raster, (x0 - grow, y0 - grow, x1 + grow, y1 + grow), crs)
    if not len(cell_xy):
        raise InputError(tr("--population-raster: no cell holds people within the demand layer."))
    owner = np.full(len(cell_xy), -1)
    if polygons:
        poly_i, cell_i = point_polygon_pairs(shapely.points(cell_xy), demand_m.geometry.values)
        owner[cell_i] = poly_i
    elif valid.any():
        owner = np.flatnonzero(valid)[cKDTree(demand_xy[valid]).query(cell_xy)[1]]
    cells, notes = accessibility(cell_xy, cell_pop, *fca_args)
    cells["population"] = cell_pop
    if not polygons:
        population = np.bincount(owner[owner >= 0], cell_pop[owner >= 0], len(demand_m))
    catchment = fca_args[2]
    if fca_args[3] == "e2sfca" and fca_args[4] is not None:
        catchment = float(np.max(fca_args[4]))
    table, _ = accessibility(
        demand_xy[valid], population[valid], *fca_args[:2], catchment, "nearest"
    )
    mine = owner >= 0
    people = np.bincount(owner[mine], cell_pop[mine], len(demand_m))
    access = np.bincount(
        owner[mine], cell_pop[mine] * cells["access"].to_numpy()[mine], len(demand_m)
    )
    far = cell_pop[mine] * (cells["nearest_m"].to_numpy()[mine] > catchment)
    beyond = np.bincount(owner[mine], far, len(demand_m))
    with np.errstate(invalid="ignore", divide="ignore"):
        access = np.where(people > 0, access / people, np.nan)
        beyond = np.where(people > 0, beyond / people, np.nan)
    table["access"] = access[valid]
    table["access_per_1000"] = access[valid] * 1000.0
    table["share_beyond_reach"] = beyond[valid]
    return population, table, cells, notes
