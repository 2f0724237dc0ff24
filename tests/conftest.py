"""Shared test set-up: offscreen Qt, Agg matplotlib, and no network, ever."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MPLBACKEND", "Agg")

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "test-output"

_LOCAL = ("127.0.0.1", "::1", "localhost", "0.0.0.0")
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


def _is_local(address) -> bool:
    if isinstance(address, tuple) and address:
        host = str(address[0])
        return host in _LOCAL or host.startswith("127.")
    return True  # AF_UNIX paths


def _guard_connect(self, address):
    if not _is_local(address):
        raise RuntimeError(f"Network access attempted during tests: {address!r}")
    return _real_connect(self, address)


def _guard_connect_ex(self, address):
    if not _is_local(address):
        raise RuntimeError(f"Network access attempted during tests: {address!r}")
    return _real_connect_ex(self, address)


def _guard_getaddrinfo(host, *args, **kwargs):
    if host not in (None, *_LOCAL) and not str(host).startswith("127."):
        raise RuntimeError(f"DNS lookup attempted during tests: {host!r}")
    return _real_getaddrinfo(host, *args, **kwargs)


socket.socket.connect = _guard_connect  # type: ignore[method-assign]
socket.socket.connect_ex = _guard_connect_ex  # type: ignore[method-assign]
socket.getaddrinfo = _guard_getaddrinfo  # type: ignore[assignment]


@pytest.fixture(scope="session")
def docs_images() -> Path | None:
    """docs/img when HARM_ATLAS_DOCS_IMAGES=1 (`make screenshots`); else None, so a test run
    never rewrites tracked files."""
    if os.environ.get("HARM_ATLAS_DOCS_IMAGES") != "1":
        return None
    folder = ROOT / "docs" / "img"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """Folder for screenshots and exports a person should look at."""
    OUTPUT.mkdir(exist_ok=True)
    return OUTPUT


@pytest.fixture
def save_screenshot(output_dir, docs_images):
    """Save a grabbed image as test-output/NAME, and as docs/img/DOCS_NAME (default: NAME)
    when the docs' images are being made."""

    def save(image, name: str, docs_name: str | None = None) -> None:
        assert image.save(str(output_dir / name))
        if docs_images is not None:
            assert image.save(str(docs_images / (docs_name or name)))

    return save


@pytest.fixture
def english_app():
    """An English app for the test; the app's language is put back as found."""
    from layers import i18n

    before = i18n.app_language()
    i18n.set_language("en")
    yield
    i18n.set_language(before)


@pytest.fixture
def merged_catalogue(tmp_path, monkeypatch):
    """Spanish as it reads once the partial catalogues (parts/*.po) are folded in: a temporary
    compiled catalogue, the real one again after the test."""
    import po_catalogue

    from layers import i18n

    monkeypatch.setattr(i18n, "_LOCALE_DIR", po_catalogue.write_spanish_mo(tmp_path / "locale"))
    monkeypatch.setattr(i18n, "_catalogues", {})
    yield
    i18n._catalogues.clear()
