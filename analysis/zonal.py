"""Zonal statistics of a raster per polygon: sum, mean, count and hectares per class.

Two rules decide which pixels belong to a zone (docs/methods.md, "Zonal statistics"):

- `coverage` (default): each pixel counts by the fraction of its area inside the zone
  (exactextract's coverage fractions), so hectares add up to the zone's area. Pixels wholly
  inside a zone count 1 and are tallied from the pixel-centre labels; only pixels crossed by
  a zone's boundary go through exactextract.
- `centre`: a pixel belongs to a zone when its centre lies inside it, as QGIS's "Zonal
  statistics" and "Zonal histogram" do. Like QGIS, a zone holding fewer than two pixel
  centres gets its sum, mean and count by coverage, and a zone holding none gets in its
  classes every pixel it overlaps, each counted once.

count = pixels (coverage-weighted under `coverage`), nodata left out; sum = Σ value ×
weight, values scaled by the file's scale/offset; mean = sum / count. `classes` gives per
raster value the pixels (`class_<v>_px`) and hectares (`class_<v>_ha`: pixels × the pixel's
area in the zones' metric CRS), and `nodata_px`/`nodata_ha` when a zone holds nodata pixels.
The raster is read in strips of full rows, so memory stays bounded for any size; zones are
reprojected to the raster's CRS, where pixels are square.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from affine import Affine
from pyproj import CRS, Transformer

from analysis.base import Algorithm, AnalysisResult, Feedback, Output, Parameter, register
from analysis.common_parameters import ENGINE, SCHEDULER
from analysis.engine import run_on_cluster
from analysis.inputs import InputError, in_metric, run_crs
from analysis.zonal_exact import WkbFeatures
from analysis.zonal_tally import (
    Accumulator,
    ZonalTotals,
    non_overlapping_groups,
    pixel_extent,
    read_strip,
    tally_strip,
    valid_pixels,
)
from layers.errors import LayerLoadError
from layers.i18n import tr, tr_noop
from layers.raster import RasterLayer, loss_year_mask, open_raster
from layers.timefilter import TimeFilter

STATS = ("sum", "mean", "count", "classes")
RULES = ("coverage", "centre")
# Pixels per strip: ~8M keeps a strip's labels, keys and values under ~150 MB.
STRIP_PIXELS = 8_000_000
RUN_STRIPS = "_run_strips"  # set by analysis/zonal_cluster.py: strips tallied on a cluster


def zonal_totals(
    raster: RasterLayer,
    zones: np.ndarray,
    *,
    rule: str = "coverage",
    classes: bool = False,
    band: int = 1,
    feedback: Feedback | None = None,
    strip_pixels: int = STRIP_PIXELS,
    run_strips: Any = None,
) -> ZonalTotals:
    """Tally `raster` (band `band`) under each polygon of `zones` (shapely, raster CRS)."""
    if rule not in RULES:
        raise InputError(tr("--rule must be coverage or centre, not {r!r}.").format(r=rule))
    feedback = feedback or Feedback()
    info = raster.info
    t = info.transform
    if t.b or t.d or t.e > 0:  # strips and exactextract both assume north-up pixels
        raise InputError(
            tr(
                "{r}: the raster is rotated or upside down; warp it north-up first "
                "(gdalwarp in.tif out.tif)."
            ).format(r=Path(raster.source.path).name)
        )
    zones = np.asarray(zones, dtype=object)
    n = len(zones)
    small_ints = np.dtype(info.dtype).itemsize == 1 and np.issubdtype(
        np.dtype(info.dtype), np.integer
    )
    signed = small_ints and np.issubdtype(np.dtype(info.dtype), np.signedinteger)
    acc = Accumulator(n, small_ints, classes, signed)
    groups = non_overlapping_groups(zones)
    # Only the pixels under the zones' extent are read (a few footprints in a national mosaic).
    c0, r0, c1, r1 = pixel_extent(info, zones)
    with raster.open() as src:
        bh = src.block_shapes[band - 1][0]
        rows = max(bh, (max(strip_pixels // max(c1 - c0, 1), 1) // bh) * bh)
        if run_strips is not None:  # the same strips on a Dask cluster (analysis/zonal_cluster.py)
            run_strips(acc, zones, groups, (r0, r1, rows, bh), (c0, c1), feedback)
        for row in range((r0 // bh) * bh, r1, rows) if run_strips is None else ():
            feedback.check()
            feedback.set_progress(
                100.0 * (row - r0) / max(r1 - r0, 1),
                tr("Zonal statistics: row {r:,}").format(r=row),
            )
            height = min(rows, r1 - row)
            values = read_strip(raster, src, band, row, height, c0, c1 - c0)
            valid = valid_pixels(values, info.nodata)
            transform = info.transform @ Affine.translation(c0, row)
            for group in groups:
                tally_strip(acc, zones, group, values, valid, transform, rule)
            acc.pixels_read += values.size
    totals = acc.totals()
    if rule == "centre" and classes:  # before the rule below changes the counts
        _qgis_histogram_rule(raster, zones, totals, band)
    if rule == "centre":
        totals.fallback_zones = _qgis_small_zone_rule(raster, zones, totals, band)
    feedback.set_progress(100.0, tr("Zonal statistics done"))
    return totals


def _qgis_small_zone_rule(
    raster: RasterLayer, zones: np.ndarray, totals: ZonalTotals, band: int
) -> int:
    """QGIS measures a zone holding fewer than two pixel centres by coverage instead."""
    from exactextract import exact_extract

    small = np.flatnonzero(
        (totals.count <= 1) & ~(shapely.is_missing(zones) | shapely.is_empty(zones))
    )
    if not len(small):
        return 0
    with raster.open() as src, warnings.catch_warnings():
        # The zones are in the raster's CRS already; the stand-in CRS only differs by name.
        warnings.simplefilter("ignore")
        out = exact_extract(
            src,
            WkbFeatures(zones[small], small),
            ["count", "sum"],
            output="pandas",
            include_cols=["zid"],
        )
    # exactextract applies scale/offset itself: store raw sums as the other zones do.
    raw_sum = (out["sum"].to_numpy() - raster.info.offset * out["count"].to_numpy()) / (
        raster.info.scale or 1.0
    )
    totals.count[out["zid"].to_numpy()] = out["count"].to_numpy()
    totals.sum[out["zid"].to_numpy()] = raw_sum
    return len(small)


def _qgis_histogram_rule(
    raster: RasterLayer, zones: np.ndarray, totals: ZonalTotals, band: int
) -> None:
    """QGIS's zonal histogram gives a zone holding no pixel centre every pixel it overlaps,
    each counted once (nodata included)."""
    from rasterio.windows import Window

    empty = (totals.class_counts.sum(axis=1) + totals.nodata) == 0
    empty &= ~(shapely.is_missing(zones) | shapely.is_empty(zones))
    info = raster.info
    inverse = ~info.transform
    found: dict[int, dict[float, int]] = {}
    with raster.open() as src:
        for i in np.flatnonzero(empty):
            x0, y0, x1, y1 = zones[i].bounds
            c0, r0 = (int(np.floor(v)) for v in inverse @ (x0, y1))
            c1, r1 = (int(np.ceil(v)) for v in inverse @ (x1, y0))
            c0, r0, c1, r1 = max(c0, 0), max(r0, 0), min(c1, info.width), min(r1, info.height)
            if c1 <= c0 or r1 <= r0:
                continue
            values = src.read(band, window=Window(c0, r0, c1 - c0, r1 - r0))
            rows, cols = np.mgrid[r0:r1, c0:c1]
            px0, py1 = info.transform @ (cols.ravel(), rows.ravel())
            boxes = shapely.box(px0, py1 + info.transform.e, px0 + info.transform.a, py1)
            hit = shapely.area(shapely.intersection(boxes, zones[i])) > 0
            flat = values.ravel()[hit]
            valid = valid_pixels(flat, info.nodata)
            if valid is not None:
                totals.nodata[i] += float(np.count_nonzero(~valid))
                flat = flat[valid]
            kinds, counts = np.unique(flat, return_counts=True)
            found[int(i)] = dict(zip(kinds.astype(float).tolist(), counts.tolist(), strict=True))
    new = sorted({v for seen in found.values() for v in seen} - set(totals.class_values.tolist()))
    if new:
        values = np.concatenate([totals.class_values, new])
        order = np.argsort(values, kind="stable")
        counts = np.hstack([totals.class_counts, np.zeros((len(zones), len(new)))])
        totals.class_values, totals.class_counts = values[order], counts[:, order]
    column = {v: j for j, v in enumerate(totals.class_values.tolist())}
    for i, seen in found.items():
        for v, c in seen.items():
            totals.class_counts[i, column[v]] += c


# --- hectares --------------------------------------------------------------------------
def pixel_area_ha(raster: RasterLayer, metric: CRS) -> float:
    """Area of the raster's middle pixel in `metric` (hectares).

    For a projected raster the pixels differ by well under 0.1 % across a UTM zone; a
    geographic raster's pixels shrink towards the poles: zones far apart in latitude should
    then be measured from a reprojected raster (documented in docs/methods.md).
    """
    info = raster.info
    col, row = info.width // 2, info.height // 2
    corners = [info.transform @ (col + dx, row + dy) for dx, dy in ((0, 0), (1, 0), (1, 1), (0, 1))]
    if info.crs is not None and not info.crs.equals(metric):
        to_metric = Transformer.from_crs(info.crs, metric, always_xy=True)
        corners = [to_metric.transform(x, y) for x, y in corners]
    return float(shapely.Polygon(corners).area) / 10_000.0


# --- the one entry point the analyses share ----------------------------------------------
def zonal_table(
    raster: RasterLayer,
    zones: gpd.GeoDataFrame | gpd.GeoSeries,
    stats: tuple[str, ...] | list[str] = ("sum",),
    rule: str = "coverage",
    period: TimeFilter | None = None,
    *,
    metric: CRS | None = None,
    band: int = 1,
    feedback: Feedback | None = None,
    details: dict | None = None,
    run_strips: Any = None,
) -> pd.DataFrame:
    """Per zone (same index and order as `zones`): the columns of `analyze zonal`.

    count, sum, mean; with "classes", `class_<v>_px`/`class_<v>_ha` per raster value (and
    `nodata_px`/`nodata_ha`). With a `period`, a loss-year raster's `loss_ha`: hectares whose
    loss year falls in the period (whole calendar years, docs/methods.md). Hectares are
    measured in `metric` (default: the zones' CRS when projected). Zones that the raster does
    not reach raise InputError; the pixel rules are zonal_totals'. `details`, when given,
    receives the ZonalTotals ("totals") and the pixel area ("pixel_area_ha").
    """
    stats = list(stats)
    if period is not None and "classes" not in stats:
        stats.append("classes")
    name = Path(raster.source.path).name
    if zones.crs is None:
        raise InputError(
            tr("The zones have no CRS: assign one before measuring {r}.").format(r=name)
        )
    if metric is None:
        if not zones.crs.is_projected:
            raise InputError(tr("Zonal statistics need a metric CRS for hectares."))
        metric = zones.crs
    if raster.crs is None:
        raise InputError(tr("{r}: the raster has no CRS; give it one.").format(r=name))
    geoseries = zones.geometry if isinstance(zones, gpd.GeoDataFrame) else zones
    local = geoseries.to_crs(raster.crs) if not raster.crs.equals(zones.crs) else geoseries
    rx0, ry0, rx1, ry1 = raster.info.bounds
    zx0, zy0, zx1, zy1 = local.total_bounds
    if not len(local) or zx1 <= rx0 or zx0 >= rx1 or zy1 <= ry0 or zy0 >= ry1:
        raise InputError(
            tr("{r}: the raster does not overlap the zones; check both layers' CRS.").format(r=name)
        )
    geoms = shapely.make_valid(np.asarray(local.values))
    totals = zonal_totals(raster, geoms, rule=rule, classes="classes" in stats, band=band,
                          feedback=feedback, run_strips=run_strips)  # fmt: skip
    area = pixel_area_ha(raster, metric)
    scale, offset = raster.info.scale, raster.info.offset
    physical_sum = totals.sum * scale + offset * totals.count
    columns: dict[str, np.ndarray] = {}
    if "count" in stats:
        columns["count"] = totals.count
    if "sum" in stats:
        columns["sum"] = physical_sum
    if "mean" in stats:
        with np.errstate(invalid="ignore", divide="ignore"):
            columns["mean"] = np.where(totals.count > 0, physical_sum / totals.count, np.nan)
    if "classes" in stats:
        if totals.nodata is not None and totals.nodata.any():
            columns["nodata_px"] = totals.nodata
            columns["nodata_ha"] = totals.nodata * area
        for j, value in enumerate(totals.class_values):
            label = _value_label(value)
            columns[f"class_{label}_px"] = totals.class_counts[:, j]
            columns[f"class_{label}_ha"] = totals.class_counts[:, j] * area
    if period is not None:
        codes = totals.class_values
        chosen = loss_year_mask(codes, period) & (codes == np.round(codes))
        columns["loss_ha"] = totals.class_counts[:, chosen].sum(axis=1) * area
    if details is not None:
        details.update(totals=totals, pixel_area_ha=area)
    return pd.DataFrame(columns, index=zones.index)


# --- the analysis ----------------------------------------------------------------------
def parse_stats(text: str | None) -> list[str]:
    stats = [s.strip().lower() for s in str(text or "").split(",") if s.strip()]
    unknown = [s for s in stats if s not in STATS]
    if unknown or not stats:
        raise InputError(
            tr("--stats: {u} unknown; choose from {k} (comma-separated).").format(
                u=", ".join(unknown) or tr("nothing given"), k=",".join(STATS)
            )
        )
    return list(dict.fromkeys(stats))


def open_raster_input(path: Any, flag: str = "--raster") -> RasterLayer:
    if isinstance(path, RasterLayer):
        return path
    if path in (None, ""):
        raise InputError(
            tr("{f}: give a raster file (GeoTIFF, VRT, .asc) or a folder of tiles.").format(f=flag)
        )
    try:
        return open_raster(str(path))
    except LayerLoadError as exc:
        raise InputError(f"{flag}: {exc.one_line()}") from None


@register
class ZonalStatistics(Algorithm):
    id = "zonal"
    cluster_module = "analysis.zonal_cluster"  # --engine dask: per raster strip on a cluster
    title = tr_noop("Zonal statistics of a raster")
    help = tr_noop(
        "Sum, mean and count of a raster's values in each zone, and pixels and hectares per "
        "raster value (e.g. hectares of forest lost per year in each municipality, footprint "
        "or protected area). Coverage-weighted by default; the centre rule repeats QGIS."
    )
    parameters = (
        Parameter(
            "raster",
            "path",
            tr_noop("Raster: a GeoTIFF/COG, VRT, ASCII grid (.asc) or a folder of GeoTIFF tiles."),
            required=True,
        ),
        Parameter(
            "zones",
            "layer",
            tr_noop("Zones: polygons (regions, eradication footprints, buffer rings, parks)."),
            required=True,
            roles=("admin_boundaries", "protected_areas", "eradication"),
            geometry=("polygon",),
        ),
        Parameter(
            "stats",
            "string",
            tr_noop(
                "Statistics, comma-separated: sum, mean, count, classes (pixels and hectares "
                "per raster value)."
            ),
            default="sum,mean,count",
        ),
        Parameter(
            "rule",
            "enum",
            tr_noop(
                "Which pixels belong to a zone: coverage (weighted by the share of each pixel "
                "inside; hectares add up) or centre (pixel centre inside, as QGIS)."
            ),
            default="coverage",
            choices=RULES,
        ),
        Parameter("band", "integer", tr_noop("Raster band to read."), default=1),
        ENGINE,
        SCHEDULER,
    )
    outputs = (
        Output("zonal", "layer", tr_noop("The zones with count, sum, mean and class columns.")),
        Output("summary", "summary", tr_noop("Raster, rule, pixels read, pixel area, totals.")),
    )

    def run(self, params: dict[str, Any], feedback: Feedback) -> AnalysisResult:
        if params.get("engine") == "dask" and RUN_STRIPS not in params:
            return run_on_cluster(self, params, feedback)  # comes back with RUN_STRIPS set
        stats = parse_stats(params.get("stats"))
        rule = params.get("rule") or "coverage"
        raster = open_raster_input(params.get("raster"))
        band = int(params.get("band") or 1)
        if not 1 <= band <= raster.info.band_count:
            raise InputError(
                tr("--band {b}: the raster has {n} band(s).").format(
                    b=band, n=raster.info.band_count
                )
            )
        zones_layer = params["zones"]
        metric = run_crs(params, zones_layer)
        feedback.set_progress(1, tr("Projecting zones"))
        zones = in_metric(zones_layer, raster.crs)
        if zones is None or zones.empty:
            raise InputError(tr("--zones has no polygons."))
        details: dict = {}
        table = zonal_table(
            raster,
            zones,
            stats,
            rule,
            metric=metric,
            band=band,
            feedback=feedback.part(2, 98),
            details=details,
            run_strips=params.get(RUN_STRIPS),
        )
        totals, area = details["totals"], details["pixel_area_ha"]
        out = pd.concat([zones, table], axis=1)
        out = gpd.GeoDataFrame(out, geometry=zones.geometry.name, crs=zones.crs)
        notes = []
        if totals.fallback_zones:
            notes.append(
                tr(
                    "{n} zone(s) hold fewer than two pixel centres: measured by coverage, as "
                    "QGIS does."
                ).format(n=totals.fallback_zones)
            )
        summary = {
            "raster": str(raster.source.path),
            "size": f"{raster.info.width} x {raster.info.height}",
            "rule": rule,
            "stats": ",".join(stats),
            "zones": int(len(out)),
            "pixels_read": int(totals.pixels_read),
            "pixel_area_ha": area,
            "pixels_in_zones": float(totals.count.sum()),
            "crs": raster.crs.to_string() if raster.crs else None,
        }
        if "classes" in stats:
            summary["classes"] = [_value_label(v) for v in totals.class_values]
        return AnalysisResult(
            summary=summary,
            layers={"zonal": out},
            notes=notes,
            styles={
                "zonal": {
                    "field": "sum" if "sum" in stats else out.columns[-1],
                    "kind": "graduated",
                }
            },
        )


def _value_label(value: float) -> str:
    value = float(value)
    return str(int(value)) if value == int(value) else f"{value:g}"
