"""Checkpoint/restart of a synchronous training job: the optimal interval and the goodput.

With failures at rate 1/M (exponential), a checkpoint that takes ``delta`` to write, and a restart
(detection, re-scheduling, reload) that takes ``restart``:

* Young [1]_: the interval between checkpoints that minimises lost time is tau = sqrt(2 delta M).
* Daly [2]_: the higher-order optimum, for delta < 2M,
  tau = sqrt(2 delta M) [1 + (1/3) sqrt(delta/(2M)) + (1/9) (delta/(2M))] - delta, else tau = M;
  and the expected wall time of a job of solve time T_s,
  T_w = M exp(R/M) (exp((tau + delta)/M) - 1) T_s / tau, so goodput = T_s / T_w.

All times in hours.

References
----------
.. [1] J. W. Young, "A first order approximation to the optimum checkpoint interval",
   Commun. ACM 17(9):530-531, 1974.
.. [2] J. T. Daly, "A higher order estimate of the optimum checkpoint interval for restart
   dumps", Future Gener. Comput. Syst. 22(3):303-312, 2006.
"""

from __future__ import annotations

import numpy as np


def young_interval_h(checkpoint_h, mtbi_h):
    """Young's first-order optimal checkpoint interval sqrt(2 delta M), hours."""
    return np.sqrt(2.0 * np.asarray(checkpoint_h, dtype=float) * np.asarray(mtbi_h, dtype=float))


def daly_interval_h(checkpoint_h, mtbi_h):
    """Daly's higher-order optimal checkpoint interval, hours (M where delta >= 2M)."""
    d = np.asarray(checkpoint_h, dtype=float)
    m = np.asarray(mtbi_h, dtype=float)
    x = d / (2.0 * m)
    tau = np.sqrt(2.0 * d * m) * (1.0 + np.sqrt(x) / 3.0 + x / 9.0) - d
    return np.where(d < 2.0 * m, tau, m)


def goodput(interval_h, checkpoint_h, restart_h, mtbi_h):
    """Share of wall time spent on useful work (Daly's exact model for exponential failures).

    ``mtbi_h`` may be ``inf`` (no interruptions): goodput is then tau / (tau + delta).
    """
    tau = np.asarray(interval_h, dtype=float)
    d = np.asarray(checkpoint_h, dtype=float)
    r = np.asarray(restart_h, dtype=float)
    m = np.asarray(mtbi_h, dtype=float)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        wall = m * np.exp(r / m) * np.expm1((tau + d) / m) / tau
        no_fail = (tau + d) / tau
    return 1.0 / np.where(np.isfinite(m), wall, no_fail)


def time_lost_per_interruption_h(interval_h, checkpoint_h, restart_h):
    """First-order time lost to one interruption: the restart plus, on average, half an interval
    of work (and checkpoint) since the last checkpoint."""
    return np.asarray(restart_h, dtype=float) + 0.5 * (np.asarray(interval_h, dtype=float)
                                                        + np.asarray(checkpoint_h, dtype=float))
