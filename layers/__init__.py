"""Qt-free data model: layers, readers, roles, CRS, styles and projects."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from layers.errors import LayerLoadError, ProjectError
    from layers.layer import Layer, LayerList, LayerSource
    from layers.roles import FieldMapping, Role, RoleDetection
    from layers.style import Style

# Imported on first use: layers.layer needs GeoPandas (~0.5 s), which a command reading only
# coordinates (analyze hotspots --method kde to a GeoTIFF) never does (docs/performance.md).
_HOME = {
    "Layer": "layers.layer",
    "LayerList": "layers.layer",
    "LayerSource": "layers.layer",
    "LayerLoadError": "layers.errors",
    "ProjectError": "layers.errors",
    "FieldMapping": "layers.roles",
    "Role": "layers.roles",
    "RoleDetection": "layers.roles",
    "Style": "layers.style",
}

__all__ = [
    "Layer",
    "LayerList",
    "LayerSource",
    "LayerLoadError",
    "ProjectError",
    "FieldMapping",
    "Role",
    "RoleDetection",
    "Style",
]


def __getattr__(name: str):
    if name in _HOME:
        return getattr(importlib.import_module(_HOME[name]), name)
    raise AttributeError(f"module 'layers' has no attribute {name!r}")
