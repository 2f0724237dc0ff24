"""A small real-format project for the cartography end-to-end tests (GeoPackage + JSON).

Twelve municipalities with P-codes, a SIMCI-style wide cultivation grid, dated
eradication and violence points, a river, a border and health posts. One region name
is an HTML injection attempt so every export's escaping is exercised.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import LineString, box

from layers.layer import Layer
from layers.project import Project
from layers.roles import FieldMapping, Role
from layers.style import default_style

EVIL = "<img src=x onerror=alert(1)>`${1+1}`"
YEARS = (2016, 2017, 2018, 2019, 2020)


def build(folder: Path, name: str = "fixture") -> Path:
    """Write the project and its GeoPackage into `folder`; returns the project path."""
    rng = np.random.default_rng(42)
    folder.mkdir(parents=True, exist_ok=True)
    x0, y0, dx, dy = -76.0, 1.0, 0.5, 0.5
    munis, codes, names = [], [], []
    for j in range(3):
        for i in range(4):
            munis.append(box(x0 + i * dx, y0 + j * dy, x0 + (i + 1) * dx, y0 + (j + 1) * dy))
            codes.append(f"CO18{j * 4 + i + 1:03d}")
            names.append(f"Municipio {j * 4 + i + 1}")
    names[5] = EVIL
    admin = gpd.GeoDataFrame(
        {"cod_mpio": codes, "nombre": names, "departamento": ["Caquetá"] * 12},
        geometry=munis,
        crs=4326,
    )
    cells, values = [], {y: [] for y in YEARS}
    step = 0.05
    for cx in np.arange(x0, x0 + 4 * dx, step):
        for cy in np.arange(y0, y0 + 3 * dy, step):
            cells.append(box(cx, cy, cx + step, cy + step))
            base = max(0.0, rng.normal(2.0, 3.0))
            for k, y in enumerate(YEARS):
                values[y].append(round(base * (1 + 0.2 * k) if base > 1 else 0.0, 2))
    grid = gpd.GeoDataFrame({f"coca_{y}": values[y] for y in YEARS}, geometry=cells, crs=4326)
    n = 400
    erad = gpd.GeoDataFrame(
        {
            "fecha": pd.to_datetime("2016-01-01")
            + pd.to_timedelta(rng.integers(0, 5 * 365, n), unit="D"),
            "hectareas": rng.gamma(2.0, 1.5, n).round(2),
        },
        geometry=gpd.points_from_xy(rng.uniform(-76, -74, n), rng.uniform(1, 2.5, n)),
        crs=4326,
    )
    m = 1500
    events = gpd.GeoDataFrame(
        {
            "event_date": pd.to_datetime("2016-01-01")
            + pd.to_timedelta(rng.integers(0, 5 * 365, m), unit="D"),
            "event_type": rng.choice(["Battles", "Violence against civilians", "Riots"], m),
            "fatalities": rng.poisson(0.6, m),
        },
        geometry=gpd.points_from_xy(rng.normal(-75.0, 0.4, m), rng.normal(1.75, 0.3, m)),
        crs=4326,
    )
    events = events[events.geometry.x.between(-76, -74) & events.geometry.y.between(1, 2.5)]
    river = gpd.GeoDataFrame(
        {"nombre": ["Río Caquetá"]},
        geometry=[LineString([(-76, 2.3), (-75.4, 1.9), (-74.8, 1.6), (-74, 1.2)])],
        crs=4326,
    )
    border = gpd.GeoDataFrame(
        {"name": ["Colombia–Ecuador"]},
        geometry=[LineString([(-76, 1.0), (-75, 1.02), (-74, 1.0)])],
        crs=4326,
    )
    health = gpd.GeoDataFrame(
        {"nombre": [f"Puesto de salud {i}" for i in range(8)]},
        geometry=gpd.points_from_xy(rng.uniform(-75.9, -74.1, 8), rng.uniform(1.1, 2.4, 8)),
        crs=4326,
    )
    project = Project(title="Caquetá fixture", metadata={"synthetic": True})

    def add(gdf, lname, role, mapping):
        project.add(Layer(gdf, lname, role=role, mapping=mapping, style=default_style(role)))

    add(
        admin,
        "Municipalities",
        Role.ADMIN_BOUNDARIES,
        FieldMapping({"region_code": "cod_mpio", "name": "nombre"}),
    )
    add(
        grid,
        "Coca grid",
        Role.CULTIVATION,
        FieldMapping(year_columns={y: f"coca_{y}" for y in YEARS}),
    )
    add(river, "Rivers", Role.WATER, FieldMapping({"name": "nombre"}))
    add(border, "Border", Role.BORDER, FieldMapping({"name": "name"}))
    add(
        erad,
        "Eradication",
        Role.ERADICATION,
        FieldMapping({"date": "fecha", "hectares": "hectareas"}),
    )
    add(
        events,
        "Violence",
        Role.VIOLENCE,
        FieldMapping(
            {"date": "event_date", "event_type": "event_type", "fatalities": "fatalities"}
        ),
    )
    add(health, "Health posts", Role.HEALTH_SERVICES, FieldMapping({"name": "nombre"}))
    project.layers["Health posts"].style.label_field = "nombre"
    return project.save(folder / f"{name}.hatlas.json")
