"""Briefing pack: pages, text (title, regions, synthetic note), progress, cancel, errors;
and results export round trips."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from carto_fixture import build
from shapely.geometry import Point

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    from layers.project import Project

    return Project.load(build(tmp_path_factory.mktemp("brief")))


def _stub_indicators(project) -> pd.DataFrame:
    """A small indicator table in analysis.indicators' shape (fast; the real one is tested
    by its owner). Values are arbitrary but distinct per region."""
    admin = project.layers["Municipalities"]
    codes = admin.data["cod_mpio"].astype(str).to_numpy()
    n = len(codes)
    frame = pd.DataFrame(
        {
            "code": codes,
            "name": admin.data["nombre"].to_numpy(),
            "eradicated_ha": np.arange(n) * 10.0,
            "violent_events": np.arange(n)[::-1] * 3.0,
            "fatalities_per_100k": np.linspace(5, 50, n),
            "harm_index": np.linspace(0, 1, n),
        }
    )
    frame.index = frame["code"].str.upper()
    return frame


def _pdftotext(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pack_pages_text_and_progress(project, output_dir: Path, monkeypatch) -> None:
    from analysis.base import Feedback
    from cartography import briefing

    seen: list[float] = []
    out = output_dir / "briefing_fixture.pdf"
    pages = briefing.write_briefing(
        project,
        out,
        regions=["CO18002", "co18007"],
        years="2017-2019",
        title="Fixture briefing",
        feedback=Feedback(lambda p, m: seen.append(p)),
        indicators=_stub_indicators(project),
    )
    # cover, overview, ranking, 2 regions, comparison, trends
    assert pages == 7
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    assert "Pages:          7" in info or "Pages: 7" in " ".join(info.split())
    text = _pdftotext(out)
    for expected in (
        "Fixture briefing",
        "2017–2019",
        "Municipio 2 (CO18002)",
        "Municipio 7 (CO18007)",
        "Enforcement outputs",
        "Community outcomes",
        "Trends",
        "Synthetic demonstration data",
    ):
        assert expected in text, expected
    assert seen == sorted(seen) and seen[-1] == 100
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "4", "-l", "4", "-singlefile",
                    str(out), str(output_dir / "briefing_region")], check=True)  # fmt: skip


def test_cancel_leaves_no_file(project, tmp_path: Path) -> None:
    from analysis.base import Canceled, Feedback
    from cartography.briefing import write_briefing

    def cancel_soon(percent: float, message: str) -> None:
        if percent > 45:
            feedback.cancel()

    feedback = Feedback(cancel_soon)  # the callback cancels the run it reports on
    out = tmp_path / "pack.pdf"
    with pytest.raises(Canceled):
        write_briefing(project, out, feedback=feedback, indicators=_stub_indicators(project))
    assert not out.exists() and not list(tmp_path.glob(".pack.pdf*"))


def test_cli_errors_exit_2(project, tmp_path: Path) -> None:
    for args, message in (
        (["--regions", "XX1"], "Known codes"),
        (["--years", "soon"], "Not a period"),
    ):
        done = subprocess.run(
            [sys.executable, "main.py", "briefing", "--project", str(project.path),
             "--out", str(tmp_path / "p.pdf"), *args],
            cwd=ROOT, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 2, done.stderr
        assert message in done.stderr and "Traceback" not in done.stderr
    done = subprocess.run(
        [sys.executable, "main.py", "briefing", "--project", str(project.path), "--out", "p.docx"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2 and "PDF" in done.stderr


def test_trend_series_from_layers(project) -> None:
    from cartography.briefing_data import yearly_series

    series = yearly_series(project, None)
    assert list(series["cultivation"].index) == [2016, 2017, 2018, 2019, 2020]
    assert series["cultivation"].iloc[-1] > series["cultivation"].iloc[0]
    violence = project.layers["Violence"].data
    violent = violence["event_type"].isin(["Battles", "Violence against civilians"])
    assert 0 < series["violence"].sum() == violent.sum() < len(violence)  # riots are not counted
    erad = project.layers["Eradication"].data
    assert series["eradication"].sum() == pytest.approx(erad["hectareas"].sum())


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".csv"])
def test_export_result_round_trip(tmp_path: Path, suffix: str) -> None:
    from cartography.results_export import export_result

    gdf = gpd.GeoDataFrame(
        {"code": ["A", "B"], "value": [1.5, np.nan], "mixed": [1, "x"]},
        geometry=[Point(500000, 100000), Point(510000, 110000)],
        crs=32618,
    )
    out = export_result(gdf, tmp_path / f"result{suffix}")
    if suffix == ".csv":
        back = pd.read_csv(out)
        assert back["geometry_wkt"].str.startswith("POINT").all()
        assert back["code"].tolist() == ["A", "B"]
    else:
        back = gpd.read_file(out)
        assert back["code"].tolist() == ["A", "B"] and back["mixed"].tolist() == ["1", "x"]
        if suffix == ".geojson":
            assert back.crs.to_epsg() == 4326 and -76 < back.geometry.x.iloc[0] < -74
        else:
            assert back.crs.to_epsg() == 32618


def test_export_result_errors(tmp_path: Path) -> None:
    from cartography.results_export import ResultExportError, export_result

    table = pd.DataFrame({"a": [1]})
    assert export_result(table, tmp_path / "t.csv").read_text().startswith("a\n")
    with pytest.raises(ResultExportError, match="csv"):
        export_result(table, tmp_path / "t.gpkg")
    with pytest.raises(ResultExportError, match=".gpkg"):
        export_result(table, tmp_path / "t.xlsx")


@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="poppler-utils not installed")
def test_cli_pack_with_real_indicators(project, tmp_path: Path) -> None:
    out = tmp_path / "pack.pdf"
    done = subprocess.run(
        [sys.executable, "main.py", "briefing", "--project", str(project.path),
         "--out", str(out), "--max-regions", "2", "--years", "2016-2020"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "100.0%" in done.stderr and "[####" in done.stderr  # the text progress bar
    assert "7 pages" in done.stdout
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    assert " ".join(info.split()).count("Pages: 7") == 1


def test_comparison_reuses_the_pack_indicators(project) -> None:
    """The comparison page shows the harm index of the pack's table, not one recomputed over
    the two compared regions only (which would rescale it)."""
    from cartography.briefing import compare_page
    from cartography.compare import Side, compute_comparison
    from cartography.render import MapRenderer

    table = _stub_indicators(project)
    left, right = "CO18002", "CO18007"
    rows = [table.loc[left], table.loc[right]]
    comparison = compute_comparison(
        project, Side(left), Side(right), "harm_index", with_trends=False,
        unit_indicators=table, side_indicators=rows,
    )  # fmt: skip
    got = comparison.table.set_index("key")
    assert got.loc["harm_index", "left"] == table.loc[left, "harm_index"]
    assert got.loc["harm_index", "right"] == table.loc[right, "harm_index"]
    assert comparison.units[0]["value"].tolist() == [table.loc[left, "harm_index"]]
    fig = compare_page(project, left, right, None, 6, MapRenderer(), unit_table=table,
                       side_table=table)  # fmt: skip
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert len(titles) == 2 and "Municipio 2" in titles[0]
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig).draw()
    maps = [ax for ax in fig.axes if ax.get_title()]
    tops = [ax.title.get_window_extent().y0 for ax in maps]
    assert abs(tops[0] - tops[1]) < 1.0  # the two map titles on one line


def test_sample_pack_compares_the_two_departments() -> None:
    """No regions named: the sample's departments, municipalities as the map's units."""
    from analysis.base import Feedback
    from cartography.briefing_data import comparison_pair, compute_table
    from layers.project import Project
    from sample_maps import SAMPLE_PROJECT

    sample = Project.load(SAMPLE_PROJECT)
    table = compute_table(sample, sample.time_filter, Feedback())
    pair, level = comparison_pair(sample, table, [], sample.time_filter, Feedback())
    assert pair == ["XA01", "XA02"]  # most hectares eradicated, then the fewest
    assert list(level.index) == ["XA01", "XA02"]
    assert level.loc["XA01", "eradicated_ha"] > 5 * level.loc["XA02", "eradicated_ha"]


@pytest.fixture(scope="module")
def with_departments(tmp_path_factory):
    """The fixture with a department level: three departments of four municipalities each."""
    from layers.layer import Layer
    from layers.project import Project
    from layers.roles import FieldMapping, Role
    from layers.style import default_style

    project = Project.load(build(tmp_path_factory.mktemp("depts")))
    munis = project.layers["Municipalities"]
    codes = munis.data["cod_mpio"].astype(str)
    munis.data["cod_dpto"] = [f"CO{(int(c[-3:]) - 1) // 4 + 1:02d}" for c in codes]
    munis.mapping = FieldMapping({**munis.mapping.fields, "parent_code": "cod_dpto"})
    depts = munis.data.dissolve(by="cod_dpto", as_index=False)[["cod_dpto", "geometry"]]
    depts["nombre"] = ["Departamento " + c for c in depts["cod_dpto"]]
    style = default_style(Role.ADMIN_BOUNDARIES)
    project.add(Layer(depts, "Departments", role=Role.ADMIN_BOUNDARIES, style=style,
                      mapping=FieldMapping({"region_code": "cod_dpto", "name": "nombre"})))  # fmt: skip
    return project


def _counting_stub(monkeypatch) -> list[str]:
    """compute_indicators replaced by a stub table per regions layer; returns the layers asked."""
    import analysis.indicators as ind

    asked: list[str] = []

    def stub(project, regions_layer=None, years=None, weights=None, feedback=None, *,
             regions=None, period=None, notes=None):  # fmt: skip
        layer = ind.choose_regions(project, regions if regions is not None else regions_layer)
        asked.append(layer.name)
        frame = ind.region_identity(layer).reset_index(drop=True)
        n = len(frame)
        frame["eradicated_ha"] = np.arange(n) * 10.0
        frame["violent_events"] = np.arange(n)[::-1] * 3.0
        frame["harm_index"] = np.linspace(0, 1, n)
        return frame

    monkeypatch.setattr(ind, "compute_indicators", stub)
    return asked


@pytest.mark.parametrize("regions", [None, ["CO01", "CO02", "CO03"]])
def test_pack_computes_each_table_once(with_departments, tmp_path, monkeypatch, regions) -> None:
    """Municipalities once, departments once, whatever the pages: the ranking, every region
    page, the comparison and the trends reuse the two tables."""
    from cartography.briefing import write_briefing

    asked = _counting_stub(monkeypatch)
    pages = write_briefing(with_departments, tmp_path / "pack.pdf", regions=regions,
                           max_regions=3)  # fmt: skip
    assert pages == 3 + 3 + 2  # cover, overview, ranking; 3 regions; comparison, trends
    assert sorted(asked) == ["Departments", "Municipalities"]


@pytest.mark.skipif(shutil.which("pdfimages") is None, reason="poppler-utils not installed")
def test_region_map_is_one_image_with_vector_text(with_departments, tmp_path) -> None:
    """A region page's map layers are one image in the PDF (thousands of vector markers took
    ~0.4 s a page to write); the title and the table stay text, labels and furniture vector."""
    import matplotlib
    from matplotlib.backends.backend_pdf import PdfPages

    from cartography.briefing import region_page
    from cartography.export import PRINT_RC
    from cartography.render import MapRenderer

    project = with_departments
    table = _stub_indicators(project)
    out = tmp_path / "region.pdf"
    fig = region_page(project, "CO18006", table, None, MapRenderer(), 4)
    with matplotlib.rc_context(PRINT_RC), PdfPages(out) as pdf:
        pdf.savefig(fig)
    listing = subprocess.run(["pdfimages", "-list", str(out)], capture_output=True, text=True)
    images = [line.split() for line in listing.stdout.splitlines()[2:]]
    assert [row[2] for row in images if row[2] != "smask"] == ["image"]  # the map, once
    text = _pdftotext(out)
    assert "CO18006" in text and "Community outcomes" in text
    ax = fig.axes[0]
    names = [t for t in ax.texts if t.get_text().startswith("Puesto de salud")]
    assert names and all(t.get_zorder() > ax.get_rasterization_zorder() for t in ax.texts)


def test_compare_side_hides_density_outside_the_region(with_departments) -> None:
    """The density raster ignores clip paths: outside the compared region, the side map shows
    the background, not the context layer's points."""
    import geopandas as gpd
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from cartography.compare import Side, compute_comparison, draw_side
    from cartography.density import PointDensity
    from layers.layer import Layer
    from layers.project import Project
    from layers.roles import FieldMapping, Role
    from layers.style import default_style

    rng = np.random.default_rng(3)
    n = 250_000  # most in the side's view: above the renderer's density threshold
    dense = gpd.GeoDataFrame(
        {"fecha": np.full(n, np.datetime64("2018-01-01")), "hectareas": np.ones(n)},
        geometry=gpd.points_from_xy(rng.uniform(-75.55, -74.95, n), rng.uniform(1.45, 2.05, n)),
        crs=4326,
    )
    munis = with_departments.layers["Municipalities"]
    project = Project(title="dense", metadata={"synthetic": True})
    project.add(Layer(munis.data.copy(), munis.name, role=munis.role, style=munis.style,
                      mapping=munis.mapping))  # fmt: skip
    project.add(Layer(dense, "Dense eradication", role=Role.ERADICATION,
                      style=default_style(Role.ERADICATION),
                      mapping=FieldMapping({"date": "fecha", "hectares": "hectareas"})))  # fmt: skip
    table = _stub_indicators(project)
    left, right = "CO18006", "CO18007"
    comparison = compute_comparison(
        project, Side(left), Side(right), "harm_index", with_trends=False,
        unit_indicators=table, side_indicators=[table.loc[left], table.loc[right]],
    )  # fmt: skip
    fig = Figure(figsize=(4, 4), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    draw_side(ax, project, comparison, 0)
    assert any(isinstance(a, PointDensity) for a in ax.get_children())
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())[..., :3]
    height, width = pixels.shape[:2]
    cols, rows = np.meshgrid(np.arange(width) + 0.5, np.arange(height) + 0.5)
    xy = ax.transData.inverted().transform(np.column_stack([cols.ravel(), height - rows.ravel()]))
    minx, miny, maxx, maxy = comparison.units[0].total_bounds
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    gap = 0.02 * (x1 - x0)  # clear of the outline's stroke
    x, y = xy[:, 0].reshape(height, width), xy[:, 1].reshape(height, width)
    in_axes = (x > x0) & (x < x1) & (y > y0) & (y < y1)
    in_region = (x > minx + gap) & (x < maxx - gap) & (y > miny + gap) & (y < maxy - gap)
    beside = in_axes & ((x < minx - gap) | (x > maxx + gap) | (y < miny - gap) | (y > maxy + gap))
    assert beside.sum() > 1000  # the map's margin around the region
    assert (pixels[beside] == 255).all()  # white: nothing drawn outside the region
    assert (pixels[in_region] < 250).any()  # the density does show inside


def test_cover_lists_every_page_above_the_footer(project) -> None:
    """33 department pages: the contents run in columns on the cover, none over the footer or
    off the page, and each region keeps its code when its name is shortened."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from cartography.briefing import cover_page

    names = ["Toyaes", "San José del Guaviare y Bajo Inírida Oriental"]
    regions = [f"Region: {names[i % 2]} (PS{i:02d})" for i in range(1, 34)]
    contents = ["Overview map", "Regions ranked by harm", *regions, "Comparison", "Trends"]
    fig = cover_page(project, "Pack", None, contents)
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    lines = [t for t in fig.texts if t.get_text()[:1].isdigit()]
    assert len(lines) == len(contents)
    footer = next(t for t in fig.texts if t.get_text().startswith("Prepared with"))
    floor = footer.get_window_extent(renderer).y1
    for text in lines:
        box = text.get_window_extent(renderer)
        assert box.x0 >= 0 and box.x1 <= fig.bbox.x1 and box.y0 > floor, text.get_text()
    shown = " ".join(t.get_text() for t in lines)
    assert all(f"(PS{i:02d})" in shown for i in range(1, 34))
    boxes = [t.get_window_extent(renderer) for t in lines]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
