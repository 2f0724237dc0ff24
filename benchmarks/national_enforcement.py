"""Enforcement records for the national benchmark (issue 17): 100,000 arrests, seizures and
operations over 2014-2023 in the sample's file shape (Colombian police open data: fecha_hecho,
tipo_accion, delito, droga, cantidad + unidad, capturas, cod_mpio, latitud/longitud), placed
in municipalities in proportion to their population. Each department has a focus of its own
(the share of its arrests that hit possession for personal use, 10 to 85 %), so the
enforcement analysis has shares, quadrants and a correlation to find.

Drawn from a generator of its own (seed + 17): the other national layers keep their draws.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from sample_maps.enforcement import OFFENCES

RECORDS = 100_000
FILE = "data/capturas_incautaciones_nacional.csv"
ACTIONS = np.array(["CAPTURA", "INCAUTACIÓN", "OPERATIVO"])
ACTION_P = (0.7, 0.25, 0.05)
KINDS = ("possession", "supply", "trafficking", "organised", "unclassified")
DRUGS = np.array(["Cocaína", "Base de coca", "Marihuana", "Basuco", "Clorhidrato de cocaína"])


def build_enforcement(
    seed: int,
    adm2: gpd.GeoDataFrame,
    *,
    years: Sequence[int],
    note: str,
    points_in: Callable,
    to_lonlat: Callable,
) -> pd.DataFrame:
    """The records, one row each (adm2 in the metric CRS). The national generator passes its
    years, note and helpers in, so this module does not import it back."""
    rng = np.random.default_rng(seed + 17)
    n = RECORDS
    pop = adm2["population"].to_numpy(dtype=float)
    muni = rng.choice(len(adm2), n, p=pop / pop.sum())
    points = points_in(rng, np.asarray(adm2.geometry.values), muni)
    xy = np.column_stack([[p.x for p in points], [p.y for p in points]])
    lon, lat = to_lonlat(xy)
    depts, dept = np.unique(adm2["ADM1_PCODE"].to_numpy()[muni], return_inverse=True)
    focus = rng.uniform(0.1, 0.85, len(depts))[dept]  # each department's share on possession
    action = ACTIONS[rng.choice(3, n, p=ACTION_P)]
    rest = (1 - focus) / 4
    u = rng.random(n)
    bounds = np.cumsum(np.column_stack([focus, rest * 1.4, rest * 1.2, rest * 1.2]), axis=1)
    kind = (u[:, None] > bounds).sum(axis=1)  # 0..4: possession, supply, ..., unclassified
    kind = np.where(rng.random(n) < 0.02, 4, np.minimum(kind, 3))
    texts = [np.array([t for t, _ in OFFENCES[k]], dtype=object) for k in KINDS]
    pick = rng.integers(0, 64, n)
    offence = np.array([texts[k][p % len(texts[k])] for k, p in zip(kind, pick, strict=True)])
    seizure = action == "INCAUTACIÓN"
    # Grams: what one person carries at the low end, shipments where trafficking is the focus.
    grams = np.where(kind >= 2, rng.lognormal(10.5, 2.0, n), rng.lognormal(3.0, 1.2, n))
    unit = np.where(grams >= 1e6, "TONELADAS", np.where(grams >= 1e3, "KILOGRAMOS", "GRAMOS"))
    quantity = np.round(
        np.where(
            unit == "TONELADAS", grams / 1e6, np.where(unit == "KILOGRAMOS", grams / 1e3, grams)
        ),
        2,
    )
    persons = np.where(
        action == "CAPTURA",
        1 + rng.poisson(0.3, n),
        np.where(action == "OPERATIVO", 3 + rng.poisson(5, n), 0),
    )
    days = rng.integers(
        0, (pd.Timestamp(f"{years[-1]}-12-31") - pd.Timestamp(f"{years[0]}-01-01")).days + 1, n
    )
    dates = pd.Timestamp(f"{years[0]}-01-01") + pd.to_timedelta(np.sort(days), unit="D")
    return pd.DataFrame(
        {
            "id_hecho": [f"PSE-{i:06d}" for i in range(1, n + 1)],
            "fecha_hecho": dates.strftime("%d/%m/%Y"),
            "tipo_accion": action,
            "delito": offence,
            "droga": np.where(seizure, DRUGS[rng.integers(0, len(DRUGS), n)], ""),
            "cantidad": np.where(seizure, quantity, np.nan),
            "unidad": np.where(seizure, unit, ""),
            "capturas": persons,
            "departamento": adm2["ADM1_ES"].to_numpy()[muni],
            "municipio": adm2["ADM2_ES"].to_numpy()[muni],
            "cod_mpio": adm2["ADM2_PCODE"].to_numpy()[muni],
            "latitud": np.round(lat, 5),
            "longitud": np.round(lon, 5),
            "fuente": "Policía Nacional de Patria Sintética (sintético)",
            "nota": note,
        }
    )


def layer_entry(note: str) -> dict:
    """The sample's enforcement layer (name, role, mapping, style) on the national file."""
    from sample_maps.project import enforcement_layers

    (_above, entry), *_ = enforcement_layers()
    style = dict(entry["style"], marker_size=5, fill_alpha=0.6)
    return dict(entry, source={**entry["source"], "path": FILE}, style=style,
                metadata={"synthetic": True, "note": note})  # fmt: skip
