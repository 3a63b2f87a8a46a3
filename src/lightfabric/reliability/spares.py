"""Spares to stock so that a failed unit finds a spare on the shelf (Poisson demand).

Failures arrive as a Poisson process; a used spare is replenished after the restock lead time, so
the spares in the pipeline are Poisson with mean rate x lead time (Palm's theorem) and a stock
of S meets demand with probability P(N <= S), the fill rate.

Reference: C. C. Sherbrooke, *Optimal Inventory Modeling of Systems: Multi-Echelon Techniques*,
2nd ed., Kluwer, 2004, ch. 2 (Palm's theorem, Poisson pipeline).
"""

from __future__ import annotations

from scipy.stats import poisson


def spares_for_fill_rate(rate_per_h: float, lead_time_h: float, fill_rate: float) -> int:
    """Smallest stock S with P(Poisson(rate x lead time) <= S) >= ``fill_rate``."""
    if not 0 < fill_rate < 1:
        raise ValueError(f"fill_rate {fill_rate!r}: allowed 0 < fill_rate < 1")
    if rate_per_h < 0 or lead_time_h < 0:
        raise ValueError("rate and lead time must be >= 0")
    return int(poisson.ppf(fill_rate, rate_per_h * lead_time_h))
