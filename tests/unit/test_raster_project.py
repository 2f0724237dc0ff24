"""Raster layers in the project model: layer list, save and reopen, bad entries, selection."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from affine import Affine
from shapely.geometry import box

from core.state import AppState
from layers.errors import ProjectError
from layers.layer import Layer, LayerList, is_raster
from layers.project import Project
from layers.raster_style import RasterClass, RasterStyle
from layers.readers import read_layers
from layers.roles import Role

ORIGIN = Affine(30.0, 0.0, 500_000.0, 0.0, -30.0, 200_000.0)


def write_tif(path: Path, data: np.ndarray, transform=ORIGIN, crs="EPSG:32618", **extra) -> Path:
    count = 1 if data.ndim == 2 else data.shape[0]
    profile = dict(
        driver="GTiff",
        width=data.shape[-1],
        height=data.shape[-2],
        count=count,
        dtype=data.dtype.name,
        crs=crs,
        transform=transform,
        **extra,
    )
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data if data.ndim == 3 else data[None])
    return path


def regions() -> Layer:
    gdf = gpd.GeoDataFrame(
        {"code": ["A"]}, geometry=[box(500_300, 198_500, 501_000, 199_500)], crs="EPSG:32618"
    )
    return Layer(gdf, "Regions", role=Role.ADMIN_BOUNDARIES)


def test_reader_opens_rasters_and_tile_folders(tmp_path) -> None:
    tif = write_tif(tmp_path / "dem.tif", np.arange(100, dtype=np.float32).reshape(10, 10))
    (found,) = read_layers(tif)
    assert is_raster(found) and found.style.kind == "continuous"
    tiles = tmp_path / "tiles"
    tiles.mkdir()
    write_tif(tiles / "a_lossyear.tif", np.ones((10, 10), np.uint8))
    east = Affine(30.0, 0.0, 500_300.0, 0.0, -30.0, 200_000.0)
    write_tif(tiles / "b_lossyear.tif", np.ones((10, 10), np.uint8), transform=east)
    (mosaic,) = read_layers(tiles)
    assert is_raster(mosaic) and mosaic.info.width == 20 and mosaic.info.tiles == 2


def test_layer_list_keeps_draw_order_and_vector_helpers_skip_rasters(tmp_path) -> None:
    raster = read_layers(write_tif(tmp_path / "pop.tif", np.ones((5, 5), np.float32)))[0]
    vector = regions()
    layers = LayerList([raster, vector])
    assert list(layers) == [raster, vector]
    assert layers.vectors() == [vector] and layers.rasters() == [raster]
    assert layers.by_role(Role.ADMIN_BOUNDARIES) == [vector]
    assert raster.id != vector.id  # one counter: ids key the renderer's caches


def test_raster_saved_in_project_and_reopened(tmp_path) -> None:
    tif = write_tif(tmp_path / "cover.tif", np.tile(np.arange(3, dtype=np.uint8), (6, 2)))
    project = Project(title="With a raster")
    raster = project.add(read_layers(tif)[0])
    project.add(regions())
    raster.style = RasterStyle(
        kind="classified",
        classes=(RasterClass(1.0, "#1b9e77", "forest"), RasterClass(2.0, "#d95f02", "crops")),
    )
    raster.opacity, raster.name = 0.6, "Land cover"
    assert project.lonlat_bounds() is not None
    path = project.save(tmp_path / "p.hatlas.json")
    saved = json.loads(path.read_text())["layers"][0]
    assert saved["kind"] == "raster" and saved["source"]["path"] == "cover.tif"

    again = Project.load(path)
    assert again.load_errors == []
    first, second = list(again.layers)
    assert is_raster(first) and not is_raster(second)
    assert first.name == "Land cover" and first.opacity == 0.6
    assert first.style == raster.style
    assert again.vector_layers() == [second]


def entry_error(tmp_path, **changes) -> str:
    tif = write_tif(tmp_path / "x.tif", np.ones((4, 4), np.float32))
    project = Project()
    project.add(read_layers(tif)[0])
    data = project.to_dict(tmp_path)
    data["layers"][0].update(changes)
    with pytest.raises(ProjectError) as caught:
        Project.from_dict(data, tmp_path)
    return str(caught.value)


def test_bad_raster_entries_give_one_line(tmp_path) -> None:
    said = entry_error(tmp_path, style={"kind": "sparkles"})
    assert "layers[0].style.kind" in said and "hillshade" in said and "\n" not in said
    said = entry_error(tmp_path, style={"kind": "continuous", "ramp": "<script>"})
    assert "layers[0].style.ramp" in said
    said = entry_error(tmp_path, style={"kind": "classified", "classes": [{"value": 1}]})
    assert "layers[0].style.classes[0].colour" in said
    said = entry_error(tmp_path, style={"vmin": 5, "vmax": 1})
    assert "layers[0].style.vmax" in said
    assert "layers[0].kind" in entry_error(tmp_path, kind="rastre")
    assert "layers[0].opacity" in entry_error(tmp_path, opacity=3)


def test_missing_raster_file_is_a_load_error_not_a_crash(tmp_path) -> None:
    tif = write_tif(tmp_path / "gone.tif", np.ones((4, 4), np.float32))
    project = Project()
    project.add(read_layers(tif)[0])
    project.add(regions())
    path = project.save(tmp_path / "p.hatlas.json")
    tif.unlink()
    again = Project.load(path)
    assert len(again.load_errors) == 1 and "gone.tif" in again.load_errors[0].one_line()
    assert again.layers.names() == ["Regions"]


def test_app_state_selection_ignores_rasters(tmp_path) -> None:
    tif = write_tif(tmp_path / "pop.tif", np.ones((5, 5), np.float32))
    project = Project()
    raster = project.add(read_layers(tif)[0])
    vector = project.add(regions())
    path = project.save(tmp_path / "p.hatlas.json")
    state = AppState()
    state.open_project(path)
    raster, vector = list(state.layers)
    state.select(vector, [0])
    state.select(raster, [])  # clearing a raster is a no-op
    state.clear_selection()
    assert state.selection == {}
    state.set_current_layer(raster)
    assert state.current_layer is raster
    with pytest.raises(ValueError, match="raster"):
        state.select(raster, [0])
