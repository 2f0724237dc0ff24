"""Offline basemaps (layers/basemap.py): the right tiles for a window, TMS rows flipped, the
mosaic's bounds, the zoom for a pixel size, bad files as one line, the project round trip,
and the attribution printed in an exported map's footer."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from PIL import Image
from pyproj import CRS
from shapely.geometry import box

from layers.basemap import (
    HALF_WORLD,
    BasemapLayer,
    check_overlap,
    open_basemap,
    open_tile_source,
    web_mercator_level,
)
from layers.errors import LayerLoadError
from layers.layer import Layer
from layers.project import Project
from layers.roles import Role

ZOOMS = (1, 2, 3)
ATTRIBUTION = "© Relief test tiles"


def colour(z: int, x: int, y: int) -> tuple[int, int, int]:
    """Each tile's flat colour says which tile it is (XYZ numbering, rows from the top)."""
    return (x * 30 + 10, y * 30 + 10, z * 60)


def png(rgb, fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (256, 256), rgb).save(out, fmt)
    return out.getvalue()


def write_mbtiles(
    path: Path, zooms=ZOOMS, *, scheme: str | None = None, meta: dict | None = None
) -> Path:
    """An MBTiles file with every tile of `zooms`, rows stored TMS (bottom up) unless
    scheme='xyz'."""
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE metadata (name text, value text)")
    con.execute(
        "CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer, "
        "tile_data blob)"
    )
    values = {"name": "Relief", "attribution": ATTRIBUTION, "format": "png", **(meta or {})}
    if scheme:
        values["scheme"] = scheme
    con.executemany("INSERT INTO metadata VALUES (?, ?)", list(values.items()))
    for z in zooms:
        for x in range(2**z):
            for y in range(2**z):
                row = y if scheme == "xyz" else 2**z - 1 - y
                con.execute("INSERT INTO tiles VALUES (?,?,?,?)", (z, x, row, png(colour(z, x, y))))
    con.commit()
    con.close()
    return path


def write_xyz(folder: Path, zooms=ZOOMS, fmt: str = "png") -> Path:
    for z in zooms:
        for x in range(2**z):
            (folder / str(z) / str(x)).mkdir(parents=True, exist_ok=True)
            for y in range(2**z):
                kind = {"png": "PNG", "jpg": "JPEG", "webp": "WEBP"}[fmt]
                (folder / str(z) / str(x) / f"{y}.{fmt}").write_bytes(png(colour(z, x, y), kind))
    (folder / "metadata.json").write_text(
        json.dumps({"name": "Folder relief", "attribution": ATTRIBUTION})
    )
    return folder


def write_gpkg_tiles(path: Path, zooms=(1, 2)) -> Path:
    """A GeoPackage tile table on the Web Mercator grid (rows from the top, as the spec says)."""
    con = sqlite3.connect(path)
    con.executescript(
        """
        CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT, srs_id INTEGER PRIMARY KEY,
            organization TEXT, organization_coordsys_id INTEGER, definition TEXT, description TEXT);
        CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT, identifier TEXT,
            description TEXT, last_change TEXT, min_x REAL, min_y REAL, max_x REAL, max_y REAL,
            srs_id INTEGER);
        CREATE TABLE gpkg_tile_matrix_set (table_name TEXT PRIMARY KEY, srs_id INTEGER,
            min_x REAL, min_y REAL, max_x REAL, max_y REAL);
        CREATE TABLE gpkg_tile_matrix (table_name TEXT, zoom_level INTEGER, matrix_width INTEGER,
            matrix_height INTEGER, tile_width INTEGER, tile_height INTEGER, pixel_x_size REAL,
            pixel_y_size REAL);
        CREATE TABLE relief (id INTEGER PRIMARY KEY, zoom_level INTEGER, tile_column INTEGER,
            tile_row INTEGER, tile_data BLOB);
        """
    )
    h = HALF_WORLD
    con.execute(
        "INSERT INTO gpkg_spatial_ref_sys VALUES ('WGS 84 / Pseudo-Mercator', 3857, 'EPSG', 3857, 'undefined', '')"
    )
    con.execute(
        "INSERT INTO gpkg_contents VALUES ('relief','tiles','GPKG relief','','',?,?,?,?,3857)",
        (-h, -h, h, h),
    )
    con.execute(
        "INSERT INTO gpkg_tile_matrix_set VALUES ('relief', 3857, ?, ?, ?, ?)", (-h, -h, h, h)
    )
    for z in zooms:
        n, px = 2**z, 2 * h / 2**z / 256
        con.execute(
            "INSERT INTO gpkg_tile_matrix VALUES ('relief',?,?,?,256,256,?,?)", (z, n, n, px, px)
        )
        for x in range(n):
            for y in range(n):
                con.execute(
                    "INSERT INTO relief (zoom_level, tile_column, tile_row, tile_data) VALUES (?,?,?,?)",
                    (z, x, y, png(colour(z, x, y))),
                )
    con.commit()
    con.close()
    return path


def tile_box(z: int, x: int, y: int, inset: float = 0.25) -> tuple[float, float, float, float]:
    """The inner part of one XYZ tile in Web Mercator metres."""
    level = web_mercator_level(z)
    x0, y0, x1, y1 = level.tile_bounds(x, y, x, y)
    d = inset * (x1 - x0)
    return x0 + d, y0 + d, x1 - d, y1 - d


@pytest.fixture(params=["mbtiles", "xyz", "gpkg"])
def source(request, tmp_path):
    if request.param == "mbtiles":
        return open_tile_source(write_mbtiles(tmp_path / "relief.mbtiles"))
    if request.param == "xyz":
        return open_tile_source(write_xyz(tmp_path / "tiles"))
    return open_tile_source(write_gpkg_tiles(tmp_path / "relief.gpkg"))


def test_reads_only_the_tiles_of_the_window_with_rows_from_the_top(source) -> None:
    level = source.levels[2]
    asked = []
    original = source.tiles

    def recording(zoom, c0, r0, c1, r1):
        asked.append((zoom, c0, r0, c1, r1))
        return original(zoom, c0, r0, c1, r1)

    source.tiles = recording
    # One tile's inner half, at zoom 2's own pixel size: tile (1, 0) only, NW of the origin.
    mosaic = source.mosaic(tile_box(2, 1, 0), level.pixel_size)
    assert asked == [(2, 1, 0, 1, 0)]
    assert mosaic.tiles == 1 and mosaic.zoom == 2
    assert mosaic.rgba.shape == (256, 256, 4)
    assert tuple(mosaic.rgba[128, 128, :3]) == colour(2, 1, 0)
    assert mosaic.bounds == pytest.approx(level.tile_bounds(1, 0, 1, 0))


def test_mosaic_joins_neighbours_in_place(source) -> None:
    level = source.levels[2]
    # Across the four central tiles: (1,1) (2,1) (1,2) (2,2).
    h = HALF_WORLD / 4
    mosaic = source.mosaic((-h, -h, h, h), level.pixel_size)
    assert mosaic.tiles == 4 and mosaic.rgba.shape == (512, 512, 4)
    assert mosaic.bounds == pytest.approx((-2 * h, -2 * h, 2 * h, 2 * h))
    assert tuple(mosaic.rgba[10, 10, :3]) == colour(2, 1, 1)  # top-left: north-west
    assert tuple(mosaic.rgba[10, 500, :3]) == colour(2, 2, 1)
    assert tuple(mosaic.rgba[500, 10, :3]) == colour(2, 1, 2)  # bottom: south
    assert (mosaic.rgba[..., 3] == 255).all()


def test_zoom_fits_the_pixel_size(source) -> None:
    px = {z: source.levels[z].pixel_size for z in source.levels}
    assert source.level_for(px[2] * 1.5).zoom == 2  # coarsest level at least as fine
    assert source.level_for(px[2]).zoom == 2
    assert source.level_for(px[1] * 10).zoom == 1
    assert source.level_for(px[max(px)] / 10).zoom == max(px)  # finest when zoomed past it


def test_layer_window_is_resampled_onto_the_asked_grid(tmp_path) -> None:
    layer = open_basemap(write_mbtiles(tmp_path / "r.mbtiles"))
    assert isinstance(layer, BasemapLayer) and layer.attribution == ATTRIBUTION
    h = HALF_WORLD
    grid = layer.window_rgba((-h, -h, h, h), (40, 40))  # zoom 1 fits 1 px per 1/40 world
    assert tuple(grid[5, 5, :3]) == colour(1, 0, 0)
    assert tuple(grid[35, 35, :3]) == colour(1, 1, 1)
    red = layer.read_window((-h, -h, h, h), (40, 40), band=1)
    assert int(red[5, 35]) == colour(1, 1, 0)[0]


def test_tms_rows_are_flipped_and_xyz_scheme_is_not(tmp_path) -> None:
    tms = open_tile_source(write_mbtiles(tmp_path / "tms.mbtiles", (1,)))
    xyz = open_tile_source(write_mbtiles(tmp_path / "xyz.mbtiles", (1,), scheme="xyz"))
    for src in (tms, xyz):
        got = {(c, r): data for c, r, data in src.tiles(1, 0, 0, 1, 1)}
        top_left = np.asarray(Image.open(io.BytesIO(got[(0, 0)])))[0, 0, :3]
        assert tuple(top_left) == colour(1, 0, 0)


def test_odd_scheme_and_bad_files_say_what_to_do(tmp_path) -> None:
    with pytest.raises(LayerLoadError, match="tile scheme 'wmts'"):
        open_tile_source(write_mbtiles(tmp_path / "odd.mbtiles", (1,), scheme="wmts"))
    junk = tmp_path / "junk.mbtiles"
    junk.write_bytes(b"not sqlite at all " * 100)
    with pytest.raises(LayerLoadError, match="not a readable MBTiles"):
        open_tile_source(junk)
    empty = tmp_path / "notiles.mbtiles"
    sqlite3.connect(empty).execute(
        "CREATE TABLE metadata (name text, value text)"
    ).connection.commit()
    with pytest.raises(LayerLoadError, match="no tiles table"):
        open_tile_source(empty)
    with pytest.raises(LayerLoadError, match="no tiles between its minzoom 5 and maxzoom 6"):
        open_tile_source(
            write_mbtiles(tmp_path / "z.mbtiles", (1,), meta={"minzoom": "5", "maxzoom": "6"})
        )
    vectors = tmp_path / "v.gpkg"
    gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)], crs=4326).to_file(vectors, engine="pyogrio")
    with pytest.raises(LayerLoadError, match="no tile table"):
        open_tile_source(vectors)
    with pytest.raises(LayerLoadError, match="no zoom folders"):
        open_tile_source(tmp_path)  # a folder of other things
    other = tmp_path / "a.png"
    other.write_bytes(png((1, 2, 3)))
    with pytest.raises(LayerLoadError, match="not a basemap source"):
        open_tile_source(other)
    for exc_path in (junk, empty):  # one line each
        try:
            open_tile_source(exc_path)
        except LayerLoadError as exc:
            assert "\n" not in exc.one_line()


def test_a_broken_tile_leaves_a_hole_not_an_error(tmp_path) -> None:
    path = write_mbtiles(tmp_path / "r.mbtiles", (1,))
    con = sqlite3.connect(path)
    con.execute("UPDATE tiles SET tile_data = x'00ff' WHERE tile_column = 0 AND tile_row = 1")
    con.commit()
    con.close()
    src = open_tile_source(path)
    mosaic = src.mosaic(
        (-HALF_WORLD, -HALF_WORLD, HALF_WORLD, HALF_WORLD), src.levels[1].pixel_size
    )
    assert mosaic.tiles == 3 and mosaic.bad_tiles == 1
    assert mosaic.rgba[10, 10, 3] == 0  # (0, 0) from the top is TMS row 1: transparent


def test_tiles_outside_the_project_are_refused(tmp_path) -> None:
    path = write_mbtiles(tmp_path / "r.mbtiles", (3,), meta={"bounds": "100,10,110,20"})
    layer = open_basemap(path)
    check_overlap(layer, (105.0, 12.0, 106.0, 13.0))
    with pytest.raises(LayerLoadError, match="outside the project's area"):
        check_overlap(layer, (-76.0, 1.0, -74.0, 2.5))


UTM = CRS.from_epsg(32618)


def small_project(tmp_path: Path, basemap: Path) -> Project:
    project = Project(title="Basemap export")
    bm = project.add(open_basemap(basemap))
    region = Layer(
        gpd.GeoDataFrame(geometry=[box(-75.5, 1.0, -74.5, 2.0)], crs=4326).to_crs(UTM),
        "Region",
        role=Role.ADMIN_BOUNDARIES,
    )
    region.style.fill_colour = "none"
    project.add(region)
    project.metric_crs = UTM
    assert project.layers[0] is bm
    return project


def test_export_draws_the_basemap_and_credits_it_in_the_footer(tmp_path) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from cartography.layout import map_layout

    project = small_project(tmp_path, write_mbtiles(tmp_path / "r.mbtiles"))
    result = map_layout(project, dpi=60)
    texts = [t.get_text() for t in result.figure.texts]
    footer = [t for t in texts if t.startswith("Sources:")]
    assert footer and ATTRIBUTION in footer[0]
    assert [entry.layer_name for entry in result.legend] == ["Region"]  # no key for a picture
    # The map frames the region, not the world the tiles cover.
    x0, x1 = result.map_ax.get_xlim()
    assert x1 - x0 < 300_000
    FigureCanvasAgg(result.figure)
    result.figure.canvas.draw()
    image = np.asarray(result.figure.canvas.buffer_rgba())[..., :3]
    # Lon -75, lat 1.5 lies in zoom-3 tile (2, 3): its colour fills the map frame.
    assert (np.abs(image.astype(int) - colour(3, 2, 3)).sum(axis=2) <= 6).sum() > 2000
    out = tmp_path / "map.png"
    result.figure.savefig(out, dpi=60)
    assert out.stat().st_size > 1000


def test_hidden_basemap_is_not_credited(tmp_path) -> None:
    from cartography.layout import map_layout

    project = small_project(tmp_path, write_mbtiles(tmp_path / "r.mbtiles"))
    project.layers[0].visible = False
    texts = [t.get_text() for t in map_layout(project, dpi=40).figure.texts]
    assert not any(ATTRIBUTION in t for t in texts)


def test_project_saves_and_reopens_the_basemap(tmp_path) -> None:
    project = small_project(tmp_path, write_xyz(tmp_path / "tiles"))
    project.layers[0].opacity = 0.6
    saved = project.save(tmp_path / "p.hatlas.json")
    data = json.loads(saved.read_text())
    assert data["layers"][0]["kind"] == "basemap"
    again = Project.load(saved)
    bm = again.layers[0]
    assert isinstance(bm, BasemapLayer) and bm.opacity == 0.6 and bm.attribution == ATTRIBUTION
    assert again.lonlat_bounds() == pytest.approx((-75.5, 1.0, -74.5, 2.0), abs=1e-6)
    data["layers"][0]["source"]["path"] = " "
    from layers.errors import ProjectError
    from layers.project_schema import check_project

    with pytest.raises(ProjectError, match="source.path"):
        check_project(data)
    data["layers"][0]["source"]["path"] = "missing.mbtiles"
    saved.write_text(json.dumps(data))
    partly = Project.load(saved)
    assert [e.one_line() for e in partly.load_errors] == [
        "missing.mbtiles: does not exist. Check the path and file name."
    ]


def test_basemap_is_never_analysed(tmp_path) -> None:
    layer = open_basemap(write_mbtiles(tmp_path / "r.mbtiles", (1,)))
    with pytest.raises(LayerLoadError, match="no values to analyse"):
        layer.open()


def test_tiles_read_on_another_thread(tmp_path) -> None:
    """The canvas draws on a worker thread: an SQLite source opened on this one serves it."""
    from concurrent.futures import ThreadPoolExecutor

    for path in (
        write_mbtiles(tmp_path / "r.mbtiles", (1,)),
        write_gpkg_tiles(tmp_path / "r.gpkg", (1,)),
    ):
        layer = open_basemap(path)
        h = HALF_WORLD
        with ThreadPoolExecutor(1) as pool:
            grid = pool.submit(layer.window_rgba, (-h, -h, h, h), (8, 8)).result()
        assert tuple(grid[1, 1, :3]) == colour(1, 0, 0)


def test_fast_resample_matches_rasterio_reproject_on_random_tiles() -> None:
    """The Pillow box resize that places the mosaic on the view's grid agrees with GDAL's
    bilinear reproject (the first implementation) to one level, edges aside."""
    from rasterio.enums import Resampling
    from rasterio.transform import from_bounds
    from rasterio.warp import reproject

    from layers.basemap import paste_resampled

    rng = np.random.default_rng(3)
    for _ in range(8):
        mh, mw = 256 * int(rng.integers(1, 3)), 256 * int(rng.integers(1, 4))
        coarse = np.kron(rng.integers(0, 256, (mh // 16, mw // 16, 3)), np.ones((16, 16, 1)))
        noisy = np.clip(coarse + rng.normal(0, 20, coarse.shape), 0, 255)
        rgba = np.dstack([noisy, np.full((mh, mw), 255)]).astype(np.uint8)
        src = (0.0, 0.0, mw * 10.0, mh * 10.0)
        scale = rng.uniform(0.7, 2.0)  # zoomed past the finest level, or shrinking up to 2x
        # Inside the mosaic, as a view always is (its tiles reach past it).
        cols = int(rng.integers(50, min(200, mw / scale)))
        rows = int(rng.integers(50, min(200, mh / scale)))
        x0 = rng.uniform(0, mw * 10 - cols * 10 * scale)
        y0 = rng.uniform(0, mh * 10 - rows * 10 * scale)
        bounds = (x0, y0, x0 + cols * 10 * scale, y0 + rows * 10 * scale)
        fast = np.zeros((rows, cols, 4), np.uint8)
        paste_resampled(fast, bounds, rgba, src)
        ref = np.zeros((4, rows, cols), np.uint8)
        reproject(
            np.ascontiguousarray(rgba.transpose(2, 0, 1)),
            ref,
            src_transform=from_bounds(*src, mw, mh),
            src_crs="EPSG:3857",
            dst_transform=from_bounds(*bounds, cols, rows),
            dst_crs="EPSG:3857",
            resampling=Resampling.bilinear,
        )
        # Away from the edges (where the two clamp their kernels differently).
        from scipy.ndimage import binary_erosion

        inside = binary_erosion(ref[3] == 255, iterations=2, border_value=0)
        diff = np.abs(fast[..., :3].astype(int) - ref.transpose(1, 2, 0)[..., :3])[inside]
        assert inside.mean() > 0.3
        # Two bilinear kernels on noisy pixels (sigma 20): a pixel off would differ by ~10.
        assert diff.mean() < 1.0 and np.percentile(diff, 99) <= 6


def test_window_past_the_tiles_is_transparent_there(tmp_path) -> None:
    from layers.basemap import paste_resampled

    rgba = np.full((256, 256, 4), 200, np.uint8)
    out = np.zeros((100, 100, 4), np.uint8)
    paste_resampled(out, (-1280.0, 0.0, 1280.0, 2560.0), rgba, (0.0, 0.0, 2560.0, 2560.0))
    assert (out[:, :50, 3] == 0).all() and (out[:, 50:, :] == 200).all()


def test_a_pan_decodes_only_the_new_tiles(tmp_path, monkeypatch) -> None:
    import layers.basemap as basemap

    src = open_tile_source(write_mbtiles(tmp_path / "r.mbtiles", (3,)))
    decoded = []
    real = basemap.decode_tile
    monkeypatch.setattr(
        basemap, "decode_tile", lambda data, px: decoded.append(1) or real(data, px)
    )
    px = src.levels[3].pixel_size
    span = src.levels[3].span_x
    first = src.mosaic((-span, -span, span, span), px)  # 2 x 2 tiles
    assert first.tiles == 4 and len(decoded) == 4
    moved = src.mosaic((0.0, -span, 2 * span, span), px)  # one column on: 2 new tiles
    assert moved.tiles == 4 and len(decoded) == 6
    assert tuple(moved.rgba[10, 10, :3]) == colour(3, 4, 3)


def test_tile_sizes_are_the_lengths_of_the_tiles(source, tmp_path) -> None:
    tms = open_tile_source(write_mbtiles(tmp_path / "tms.mbtiles", (2,), scheme="tms"))
    for src in (source, tms):
        tiles = {(c, r): len(data) for c, r, data in src.tiles(2, 0, 1, 3, 2)}
        assert tiles  # rows 1-2 of zoom 2 hold tiles in every source
        assert {(c, r): n for c, r, n in src.tile_sizes(2, 0, 1, 3, 2)} == tiles
