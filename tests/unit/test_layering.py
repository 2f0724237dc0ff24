"""The layering in pyproject.toml's [tool.importlinter] holds, and lint-imports fails on an
import that breaks it (run on a copy of the tree with one wrong-way import added)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["layers", "analysis", "cartography", "core", "desktop", "sample_maps", "benchmarks"]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    # lint-imports puts its working directory first on sys.path, so in a copy it checks the copy.
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", *args, "pyproject.toml"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def tree_copy(tmp_path_factory) -> Path:
    """The packages' Python files and pyproject.toml (no data), copied once for the module."""
    root = tmp_path_factory.mktemp("tree")
    shutil.copy(ROOT / "pyproject.toml", root)
    for package in PACKAGES:
        for source in (ROOT / package).rglob("*.py"):
            target = root / source.relative_to(ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target)
    return root


def test_the_tree_keeps_every_contract() -> None:
    done = _lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_the_copy_keeps_every_contract(tree_copy: Path) -> None:
    # Without this, a copy that failed for another reason would pass the test below.
    done = _lint_imports(tree_copy)
    assert done.returncode == 0, done.stdout + done.stderr


LAYERS = "Each package imports only the ones below it"
NO_DEMO = "The application never imports the sample project or the benchmarks"


@pytest.mark.parametrize(
    ("module", "line", "contract", "name", "says"),
    [
        ("layers/style.py", "import desktop", "layers", LAYERS, "layers.style -> desktop"),
        ("analysis/base.py", "import cartography.render", "layers", LAYERS, "analysis.base ->"),
        ("cartography/export.py", "import core.runner", "layers", LAYERS, "cartography.export ->"),
        ("core/state.py", "import desktop.canvas", "layers", LAYERS, "core.state -> desktop"),
        ("core/runner.py", "import sample_maps", "no-demo-in-app", NO_DEMO, "-> sample_maps"),
        ("layers/project.py", "import sample_maps", "no-demo-in-app", NO_DEMO, "-> sample_maps"),
        ("desktop/canvas.py", "import benchmarks", "no-demo-in-app", NO_DEMO, "-> benchmarks"),
        (
            "cartography/classify.py",
            "import PySide6",
            "qt-only-in-desktop",
            "Only desktop imports Qt",
            "cartography.classify -> PySide6",
        ),
        (
            "core/registry.py",
            "import PySide6.QtCore",
            "qt-only-in-desktop",
            "Only desktop imports Qt",
            "core.registry -> PySide6",
        ),
        (
            "core/state.py",
            "import core.runner",
            "no-cycles",
            "No import cycles between the modules of one package",
            ".state -> .runner",
        ),
        (
            "cartography/errors.py",
            "import cartography.export",
            "no-cycles",
            "No import cycles between the modules of one package",
            ".errors -> .export",
        ),
    ],
)
def test_a_wrong_way_import_breaks_its_contract(
    tree_copy: Path, module: str, line: str, contract: str, name: str, says: str
) -> None:
    path = tree_copy / module
    original = path.read_text(encoding="utf-8")
    path.write_text(original + f"\n{line}\n", encoding="utf-8")
    try:
        done = _lint_imports(tree_copy, "--contract", contract)
    finally:
        path.write_text(original, encoding="utf-8")
    assert done.returncode != 0
    assert f"{name} BROKEN" in done.stdout, done.stdout
    assert says in done.stdout, done.stdout  # the report names the import to remove
