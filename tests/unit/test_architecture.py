"""The one rule that keeps the app testable headless: only desktop/ imports Qt."""

from __future__ import annotations

import ast
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
QT_FREE = ["layers", "analysis", "cartography", "sample_maps", "benchmarks"]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", QT_FREE)
def test_package_does_not_import_qt(package: str) -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / package).rglob("*.py")
        if _imports(p) & {"PySide6", "shiboken6", "PyQt5", "PyQt6", "desktop", "pytestqt"}
    ]
    assert offenders == []


def test_headless_packages_import_without_loading_qt() -> None:
    code = (
        "import sys, layers, layers.project, analysis.base, cartography.render;"
        "assert not any(m.startswith('PySide6') for m in sys.modules), 'Qt loaded'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_network_is_blocked_in_tests() -> None:
    with pytest.raises(RuntimeError, match="Network access|DNS lookup"):
        socket.create_connection(("192.0.2.1", 80), timeout=0.1)


def test_dns_lookups_are_blocked_in_tests() -> None:
    with pytest.raises(RuntimeError, match="DNS lookup"):
        socket.getaddrinfo("example.org", 443)
