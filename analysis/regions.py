"""Which regions the indicators report on, and each region's code, name and parent."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from analysis.inputs import InputError
from layers.i18n import tr
from layers.layer import Layer
from layers.roles import Role


def choose_regions(project, regions_layer: Layer | str | None) -> Layer:
    """The regions layer named, else the finest administrative layer of the project."""
    if isinstance(regions_layer, Layer):
        return regions_layer
    if regions_layer:
        try:
            return project.layers[str(regions_layer)]
        except KeyError:
            raise InputError(
                tr("--regions-layer {n!r} is not in the project. Layers: {names}.").format(
                    n=regions_layer, names=", ".join(project.layers.names())
                )
            ) from None
    return largest_layer(
        project,
        Role.ADMIN_BOUNDARIES,
        "polygon",
        tr(
            "The project has no administrative regions: add a boundaries layer "
            "(e.g. HDX adm2) or name one with --regions-layer."
        ),
    )


def largest_layer(project, role: Role, geometry: str, missing: str) -> Layer:
    """The project's layer of `role` and `geometry` with the most features (the finest
    regions, the fullest events file); InputError(missing) when it has none with features."""
    candidates = [
        layer
        for layer in ([] if project is None else project.layers.by_role(role))
        if layer.geometry_kind == geometry and not layer.data.empty
    ]
    if not candidates:
        raise InputError(missing)
    return max(candidates, key=lambda layer: len(layer.data))


_CODE_PATTERNS = (r"adm(\d)_pcode", r"^pcode$", r"^code$", r"^codigo", r"^cod_")
_NAME_PATTERNS = (r"adm(\d)_(es|en|name)$", r"^name$", r"^nombre", r"^nom_")


def region_identity(layer: Layer) -> pd.DataFrame:
    """code (P-code), name and parent_code of each region, from the mapping or HDX columns."""
    cols = {c.lower(): c for c in layer.data.columns if isinstance(c, str)}

    def find(key: str, patterns: tuple[str, ...], prefer_deepest: bool = True) -> str | None:
        mapped = layer.field(key)
        if mapped and mapped in layer.data.columns:
            return mapped
        hits: list[tuple[int, str]] = []
        for pattern in patterns:
            for low, col in cols.items():
                m = re.search(pattern, low)
                if m:
                    level = int(m.group(1)) if m.groups() and m.group(1).isdigit() else -1
                    hits.append((level, col))
            if hits:
                break
        if not hits:
            return None
        hits.sort(reverse=prefer_deepest)
        return hits[0][1]

    code_col = find("region_code", _CODE_PATTERNS)
    name_col = find("name", _NAME_PATTERNS)
    parent_col = layer.field("parent_code")
    if not parent_col and code_col:
        m = re.search(r"adm(\d)_pcode", code_col.lower())
        if m and int(m.group(1)) > 0:
            want = f"adm{int(m.group(1)) - 1}_pcode"
            parent_col = cols.get(want)
    n = len(layer.data)
    codes = (
        layer.data[code_col].astype(str).to_numpy()
        if code_col
        else np.array([str(i) for i in range(n)])
    )
    names = layer.data[name_col].astype(str).to_numpy() if name_col else codes
    parents = (
        layer.data[parent_col].astype(str).to_numpy()
        if parent_col and parent_col in layer.data.columns
        else np.full(n, None, dtype=object)
    )
    return pd.DataFrame({"code": codes, "name": names, "parent_code": parents})
