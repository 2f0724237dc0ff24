"""PySAL `access` run on plain arrays: the peer 2SFCA/E2SFCA that analysis/access.py is checked
against (tests/unit/test_access.py) and timed against (benchmarks/bench_access.py).

Tests import this module by name (tests/ is on sys.path, as for fixtures_factory); the benchmark
puts tests/ on its path. The application never imports it: PySAL is a dev dependency only.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def pysal_access(population: np.ndarray, capacity: np.ndarray, cost: pd.DataFrame):
    """PySAL's Access for demand points 0..n-1 and services 0..m-1.

    `cost` has columns origin (demand index), dest (service index) and cost (metres).
    """
    from access import Access

    return Access(
        demand_df=pd.DataFrame({"geoid": np.arange(len(population)), "pop": population}),
        demand_index="geoid",
        demand_value="pop",
        supply_df=pd.DataFrame({"geoid": np.arange(len(capacity)), "cap": capacity}),
        supply_index="geoid",
        supply_value="cap",
        cost_df=cost,
        cost_origin="origin",
        cost_dest="dest",
        cost_name="cost",
    )


def pysal_2sfca(acc, catchment: float) -> pd.Series:
    """PySAL's 2SFCA access per demand point (NaN where no service is in reach)."""
    return acc.two_stage_fca(name="a", max_cost=catchment)["a_cap"]


def pysal_e2sfca(acc, edges: Sequence[float], weights: Sequence[float]) -> pd.Series:
    """PySAL's E2SFCA access per demand point, distance bands `edges` weighted `weights`."""
    from access.weights import step_fn

    fn = step_fn(dict(zip(list(edges), list(weights), strict=True)))
    return acc.enhanced_two_stage_fca(name="b", weight_fn=fn)["b_cap"]


def reached(peer: pd.Series, n_demand: int) -> tuple[np.ndarray, np.ndarray]:
    """The demand points PySAL scored (a mask over 0..n-1) and its scores for them."""
    peer = peer.reindex(range(n_demand))
    have = peer.notna().to_numpy()
    return have, peer.to_numpy()[have]
