"""Money over time: the present value of yearly costs (no physics, no catalog).

Cash flows are the capital at year 0 and the same yearly cost at the end of each year 1..Y,
discounted at rate r: ``NPV = C0 + A * a(r, Y)`` with the annuity factor
``a(r, Y) = (1 - (1 + r)^-Y) / r`` (``a = Y`` at r = 0). For a whole number of years a(r, Y) is
the sum of ``(1 + r)^-t`` over t = 1..Y; for a fraction of a year it interpolates smoothly.

Reference: R. A. Brealey, S. C. Myers, F. Allen, *Principles of Corporate Finance*, ch. 2
(present values, annuities).
"""

from __future__ import annotations

import numpy as np


def annuity_factor(rate, years):
    """Present value of 1 a year paid at the end of each of ``years`` years, at ``rate``."""
    rate = np.asarray(rate, dtype=float)
    years = np.asarray(years, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        af = np.where(rate == 0, years, (1.0 - (1.0 + rate) ** (-years)) / np.where(rate == 0, 1.0, rate))
    return af if af.ndim else float(af)


def npv_usd(initial_usd, yearly_usd, rate, years):
    """Present value of ``initial_usd`` now plus ``yearly_usd`` at the end of each year."""
    return np.asarray(initial_usd, dtype=float) + np.asarray(yearly_usd, dtype=float) * annuity_factor(rate, years)
