"""Errors the exports raise for the user to fix; a module of its own so that export.py and
webmap.py (which export.py dispatches to) both import it without importing each other."""

from __future__ import annotations


class ExportError(ValueError):
    """A user-fixable export problem (unknown region, layer, format, page)."""
