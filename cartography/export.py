"""Static map export (PNG, SVG, PDF) and dispatch to the offline web map (HTML).

One call, `export_map`, serves the CLI and the desktop. Files are written beside the
target and renamed, so a failed export never leaves half a file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.figure import Figure

from cartography.errors import ExportError  # re-exported: callers import it from here
from layers.feedback import Feedback
from layers.i18n import tr
from layers.layer import Layer
from layers.roles import Role
from layers.timefilter import TimeFilter

FORMATS = (".png", ".svg", ".pdf", ".html")
# Editable text in PDF/SVG (Type 42 TrueType, not Type 3 outlines).
PRINT_RC = {"pdf.fonttype": 42, "ps.fonttype": 42, "svg.fonttype": "none"}


@dataclass
class Region:
    """An admin region found by its P-code, in the project's metric CRS."""

    code: str
    name: str
    layer: Layer
    rows: np.ndarray
    geometry: object  # shapely geometry, metric CRS

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        return tuple(self.geometry.bounds)  # type: ignore[attr-defined,return-value]


def admin_layers(project) -> list[Layer]:
    """Admin layers that have a mapped region code, finest (most features) first."""
    found = [
        layer
        for layer in project.layers.by_role(Role.ADMIN_BOUNDARIES)
        if layer.field("region_code") in layer.data.columns and not layer.data.empty
    ]
    return sorted(found, key=lambda layer: -len(layer.data))


def region_codes(project) -> list[str]:
    codes: list[str] = []
    for layer in admin_layers(project):
        codes.extend(str(c) for c in layer.data[layer.field("region_code")].dropna().unique())
    return codes


def find_region(project, code: str) -> Region:
    """The region with P-code `code` (case-insensitive) from any admin layer."""
    import shapely

    layers = admin_layers(project)
    if not layers:
        raise ExportError(
            tr(
                "The project has no administrative regions layer with a region code field: "
                "load one (role 'admin_boundaries') and map its code column."
            )
        )
    wanted = str(code).strip().upper()
    for layer in layers:
        col = layer.field("region_code")
        codes = layer.data[col].astype(str).str.strip().str.upper().to_numpy()
        rows = np.flatnonzero(codes == wanted)
        if rows.size:
            gdf = layer.to_metric(project_crs(project))
            geom = shapely.union_all(gdf.geometry.values[rows])
            name_col = layer.field("name")
            name = (
                str(layer.data[name_col].iloc[rows[0]])
                if name_col in layer.data.columns
                else str(code)
            )
            return Region(str(layer.data[col].iloc[rows[0]]), name, layer, rows, geom)
    known = region_codes(project)
    sample = ", ".join(known[:12]) + (" …" if len(known) > 12 else "")
    raise ExportError(
        tr("No region with code {c!r}. Known codes: {k}.").format(c=code, k=sample or "none")
    )


def project_crs(project):
    return project.metric_crs


def pick_layers(project, names: Sequence[str] | None) -> list[Layer]:
    """The named layers (in project order), or every visible layer."""
    if not names:
        return [layer for layer in project.layers if layer.visible]
    known = {layer.name.lower(): layer for layer in project.layers}
    missing = [n for n in names if n.strip().lower() not in known]
    if missing:
        raise ExportError(
            tr("No layer named {m}. Layers: {all}.").format(
                m=", ".join(repr(n) for n in missing), all=", ".join(project.layers.names())
            )
        )
    wanted = {n.strip().lower() for n in names}
    return [layer for layer in project.layers if layer.name.lower() in wanted]


def save_figure(fig: Figure, out: Path, dpi: int, title: str = "") -> None:
    """Write `fig` to PNG/SVG/PDF atomically with print settings (editable fonts)."""
    fmt = out.suffix.lower().lstrip(".")
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=f".{fmt}", dir=out.parent)
    os.close(fd)
    metadata = {"Title": title, "Creator": "Harm Atlas"} if fmt in ("pdf", "svg") else None
    if fmt == "png":
        metadata = {"Title": title, "Software": "Harm Atlas"}
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; exports are for sharing
        with matplotlib.rc_context(PRINT_RC):
            fig.savefig(tmp, format=fmt, dpi=dpi, metadata=metadata, facecolor="white")
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def export_map(
    project,
    out: str | Path,
    *,
    region: str | None = None,
    years: str | TimeFilter | None = None,
    layers: Sequence[str] | None = None,
    title: str | None = None,
    page: str = "a4-landscape",
    dpi: int = 150,
    tiles: str | Path | None = None,
    feedback: Feedback | None = None,
    basemap: dict | None = None,
) -> Path:
    """Export the project's map to `out` (.png/.svg/.pdf/.html); returns the path written.
    `basemap` (HTML only): build_webmap's basemap_max_zoom, basemap_confirm, on_basemap_plan."""
    feedback = feedback or Feedback()
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise ExportError(
            tr("Cannot export to {s!r}: use one of {f}.").format(
                s=out.suffix or out.name, f=", ".join(FORMATS)
            )
        )
    if not 30 <= int(dpi) <= 1200:
        raise ExportError(tr("DPI must be between 30 and 1200 (got {d}).").format(d=dpi))
    tf = years if isinstance(years, TimeFilter) else TimeFilter.parse(years)
    chosen = pick_layers(project, layers)
    if not chosen:
        raise ExportError(tr("No visible layers to export: pass --layers NAMES."))
    found = find_region(project, region) if region else None
    hidden = [layer for layer in chosen if not layer.visible]
    try:  # named layers are shown even if hidden in the project, then put back as they were
        for layer in hidden:
            layer.visible = True
        return _export(
            project, out, chosen, found, tf, title, page, dpi, tiles, feedback, basemap or {}
        )
    finally:
        for layer in hidden:
            layer.visible = False


def _export(project, out, chosen, found, tf, title, page, dpi, tiles, feedback, basemap) -> Path:
    suffix = out.suffix.lower()
    feedback.set_progress(10, tr("Drawing the map"))
    if suffix == ".html":
        from cartography.webmap import export_webmap

        export_webmap(
            project,
            out,
            layers=chosen,
            title=title,
            time_filter=tf if tf is not None else project.time_filter,
            region=found,
            tiles=tiles,
            **basemap,
        )
        return out
    from cartography.layout import map_layout, page_size

    try:
        page_size(page)
    except ValueError as exc:
        raise ExportError(str(exc)) from None
    subtitle = None
    period = tf if tf is not None else project.time_filter
    if found is not None:
        when = period.label if period else tr("all years")
        subtitle = f"{found.name} ({found.code}) · {when}"
    result = map_layout(
        project,
        layers=chosen,
        extent=found.bounds if found else None,
        title=title,
        subtitle=subtitle,
        page=page,
        dpi=dpi,
        time_filter=tf,
        highlight=found.geometry if found else None,
    )
    feedback.check()  # drawing done: last chance to stop before the file is replaced
    feedback.set_progress(70, tr("Writing {p}").format(p=out.name))
    save_figure(result.figure, out, dpi, title or project.title or "")
    return out
