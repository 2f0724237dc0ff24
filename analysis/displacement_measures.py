"""The displacement measures: WDQ and TNE (Bowers & Johnson 2003), WDD with its standard error
(Wheeler & Ratcliffe 2018), per buffer ring. Formulas and reference values: docs/methods.md
("Displacement"). Counts in, numbers out: no geometry here (analysis/displacement_areas.py).
"""

from __future__ import annotations

import math
from typing import Any

from layers.i18n import tr
from layers.numbers import number

Z95 = 1.959963984540054


# --- the maths --------------------------------------------------------------------------
def wdd(
    t_before: float,
    t_after: float,
    c_before: float,
    c_after: float,
    d_before: float,
    d_after: float,
    dc_before: float,
    dc_after: float,
) -> dict[str, float | None]:
    """Weighted displacement difference with its Poisson standard error, z and 95% CI.

    t = treated, c = control, d = displacement area around the treated, dc = displacement
    area around the control (Wheeler & Ratcliffe 2018).
    """
    value = (t_after - t_before) - (c_after - c_before) + (d_after - d_before)
    value -= dc_after - dc_before
    variance = t_before + t_after + c_before + c_after + d_before + d_after
    variance += dc_before + dc_after
    se = math.sqrt(variance)
    z = value / se if se > 0 else None
    return {
        "wdd": float(value),
        "wdd_se": se if se > 0 else None,
        "wdd_z": z,
        "wdd_ci_low": value - Z95 * se if se > 0 else None,
        "wdd_ci_high": value + Z95 * se if se > 0 else None,
        "wdd_p": math.erfc(abs(z) / math.sqrt(2)) if z is not None else None,
    }


def displacement_measures(
    Rb: float,
    Ra: float,
    Db: float,
    Da: float,
    Cb: float,
    Ca: float,
    *,
    counts: bool = True,
    Dcb: float | None = None,
    Dca: float | None = None,
) -> dict[str, Any]:
    """Success and buffer measures, WDQ, TNE and (for counts with Dc) WDD; None when undefined.

    `notes` says why a value is undefined (zero control counts, success >= 0, weights for WDD).
    """
    out: dict[str, Any] = {
        "success_measure": None,
        "buffer_measure": None,
        "wdq": None,
        "tne": None,
        "reading": None,
    }
    notes: list[str] = []
    if Cb > 0 and Ca > 0:
        success = Ra / Ca - Rb / Cb
        buffer = Da / Ca - Db / Cb
        out["success_measure"], out["buffer_measure"] = success, buffer
        out["tne"] = (Rb * Ca / Cb - Ra) + (Db * Ca / Cb - Da)
        if success < 0:
            out["wdq"] = buffer / success
            out["reading"] = wdq_reading(out["wdq"])
        else:
            notes.append(
                tr(
                    "WDQ undefined: the success measure is {s} (>= 0), so the target area "
                    "did not fall relative to the control; WDQ is meaningful only when it is < 0."
                ).format(s=number(success))
            )
    else:
        which = tr("before") if Cb <= 0 else tr("after")
        notes.append(
            tr(
                "Success, buffer, WDQ and TNE undefined: the control area has no events {w} "
                "the intervention, so its ratios divide by zero. Widen the window or the control."
            ).format(w=which)
        )
    out.update(
        {"wdd": None, "wdd_se": None, "wdd_z": None, "wdd_ci_low": None, "wdd_ci_high": None}
    )
    out["wdd_p"] = None
    if not counts:
        notes.append(
            tr(
                "WDD undefined: its Poisson variance holds for event counts only, not for "
                "weights or hectares."
            )
        )
    elif Dcb is None or Dca is None:
        notes.append(tr("WDD undefined: no displacement-control area."))
    else:
        out.update(wdd(Rb, Ra, Cb, Ca, Db, Da, Dcb, Dca))
    out["notes"] = notes
    return out


def wdq_reading(value: float | None) -> str | None:
    """The Bowers & Johnson reading of a WDQ value, in words."""
    if value is None:
        return None
    if value > 1:
        return tr("diffusion of benefits larger than the direct effect")
    if value > 0:
        return tr("diffusion of benefits")
    if value == 0:
        return tr("no change in the buffer")
    if value >= -1:
        return tr("some displacement, net benefit")
    return tr("displacement outweighs the benefit")


def ring_measures(
    Rb: float, Ra: float, Cb: float, Ca: float, rings: list[tuple[float, float]]
) -> list[dict[str, Any]]:
    """WDQ of each concentric ring [(before, after), ...] against the same target and control."""
    out = []
    for k, (b, a) in enumerate(rings, start=1):
        m = displacement_measures(Rb, Ra, b, a, Cb, Ca, counts=False)
        out.append(
            {"ring": k, "before": b, "after": a, "buffer_measure": m["buffer_measure"]}
            | {"wdq": m["wdq"]}
        )
    return out
