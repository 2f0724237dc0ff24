"""Two square regions side by side in UTM 18N (XA01 west of XA02, 10 km each), and a project
saved with its layers as GeoPackages beside it: the small projects of the headless-core and
export-language tests."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
from shapely.geometry import box

from layers.layer import LayerSource
from layers.project import Project


def two_regions() -> gpd.GeoDataFrame:
    """XA01 over x 500-510 km, XA02 over 510-520 km; y 100-110 km (EPSG:32618)."""
    return gpd.GeoDataFrame(
        {"pcode": ["XA01", "XA02"]},
        geometry=[box(500_000, 100_000, 510_000, 110_000), box(510_000, 100_000, 520_000, 110_000)],
        crs=32618,
    )


def save_with_layers(project: Project, folder: Path, name: str) -> Project:
    """Write each layer to FOLDER/<layer name>.gpkg, read it from there, save the project as
    FOLDER/NAME; the project, for chaining."""
    for layer in project.layers:
        path = folder / f"{layer.name}.gpkg"
        layer.data.to_file(path, engine="pyogrio")
        layer.source = LayerSource(str(path))
    project.save(folder / name)
    return project
