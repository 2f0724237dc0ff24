"""Qt-free data model: layers, readers, roles, CRS, styles and projects."""

from layers.errors import LayerLoadError, ProjectError
from layers.layer import Layer, LayerList, LayerSource
from layers.roles import FieldMapping, Role, RoleDetection
from layers.style import Style

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
