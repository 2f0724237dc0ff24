"""The rule that keeps the app testable headless, only desktop/ imports Qt, holds at run time.

The import rule itself (also indirect imports) is a contract in pyproject.toml that
lint-imports checks; tests/unit/test_layering.py shows it failing on a wrong-way import.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


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
