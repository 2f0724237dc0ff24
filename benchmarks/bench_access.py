"""2SFCA and E2SFCA at field scale: ours (sparse cKDTree pairs) vs PySAL `access`, same data.

Run: .venv/bin/python benchmarks/bench_access.py [--demand 10000] [--supply 1000]
Synthetic villages and services over a 300 × 300 km region (a Colombian department's size),
catchment 30 km, bands 10/20/30 km with weights 1/0.68/0.22. PySAL gets the cost table of
the pairs within the catchment only (its fastest fair input: a full 10M-row table would be
slower still); its time counts building that table from its own Access object only.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # the PySAL peer the unit tests check against

from pysal_peer import pysal_2sfca, pysal_access, pysal_e2sfca, reached  # noqa: E402

from analysis.access import accessibility, pair_distances, two_step_fca  # noqa: E402


def make_data(n_demand: int, n_supply: int, seed: int = 42):
    rng = np.random.default_rng(seed)
    # Villages clustered around towns, services mostly in towns: the real shape.
    towns = rng.uniform(0, 300_000, size=(60, 2))
    demand = towns[rng.integers(0, 60, n_demand)] + rng.normal(0, 15_000, (n_demand, 2))
    supply = towns[rng.integers(0, 60, n_supply)] + rng.normal(0, 5_000, (n_supply, 2))
    population = rng.lognormal(6.5, 1.0, n_demand).round()
    capacity = rng.integers(1, 40, n_supply).astype(float)
    return demand, population, supply, capacity


def best_of(fn, repeat: int = 3) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--demand", type=int, default=10_000)
    ap.add_argument("--supply", type=int, default=1_000)
    ap.add_argument("--catchment", type=float, default=30_000.0)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    dxy, pop, sxy, cap = make_data(args.demand, args.supply)
    c = args.catchment
    edges = np.array([c / 3, 2 * c / 3, c])
    weights = np.array([1.0, 0.68, 0.22])
    pairs = pair_distances(dxy, sxy, c)
    print(
        f"{args.demand:,} demand x {args.supply:,} services, catchment {c:,.0f} m, "
        f"{len(pairs.d):,} pairs in reach"
    )

    t_ours, (ours, _) = best_of(lambda: accessibility(dxy, pop, sxy, cap, c, "2sfca"), args.repeat)
    t_ours_e, (ours_e, _) = best_of(
        lambda: accessibility(dxy, pop, sxy, cap, c, "e2sfca", edges, weights), args.repeat
    )

    cost_df = pd.DataFrame({"origin": pairs.i, "dest": pairs.j, "cost": pairs.d})
    acc = pysal_access(pop, cap, cost_df)
    logging.getLogger("access").setLevel(logging.WARNING)  # it logs every overwrite
    t_theirs, theirs = best_of(lambda: pysal_2sfca(acc, c), args.repeat)
    t_theirs_e, theirs_e = best_of(
        lambda: pysal_e2sfca(acc, edges.tolist(), weights.tolist()), args.repeat
    )
    t_pairs, _ = best_of(lambda: pair_distances(dxy, sxy, c), args.repeat)
    t_given, _ = best_of(lambda: two_step_fca(pairs, cap, pop, c), args.repeat)

    for label, mine, peer in (("2SFCA", ours, theirs), ("E2SFCA", ours_e, theirs_e)):
        have, peer = reached(peer, len(pop))
        rel = np.max(np.abs(mine["access"].to_numpy()[have] - peer) / np.abs(peer))
        print(f"{label}: max relative difference {rel:.2e} over {have.sum():,} demand points")
    print(
        f"2SFCA ours from the same pairs PySAL gets: {t_given * 1000:.1f} ms "
        f"({t_theirs / t_given:.1f}x)"
    )
    print(f"distance pairs (cKDTree):  {t_pairs * 1000:8.1f} ms")
    print(
        f"2SFCA  ours {t_ours * 1000:8.1f} ms (incl. distances) | PySAL {t_theirs * 1000:8.1f} ms"
        f" (distances given) | {t_theirs / t_ours:5.1f}x"
    )
    print(
        f"E2SFCA ours {t_ours_e * 1000:8.1f} ms (incl. distances) | PySAL "
        f"{t_theirs_e * 1000:8.1f} ms (distances given) | {t_theirs_e / t_ours_e:5.1f}x"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
