"""Max-min fair rates of flows over links, by progressive filling.

All unfrozen flows grow at the same pace until a link fills; the flows through a full link are
frozen at their rate; repeat until every flow is frozen (D. Bertsekas and R. Gallager, *Data
Networks*, 2nd ed., Prentice-Hall 1992, section 6.5.2). Each round is a few numpy reductions
over the (flow, link) incidences, and the number of rounds is the number of distinct bottleneck
levels, so a phase of 100k+ flows takes well under a second.
"""

from __future__ import annotations

import numpy as np


def max_min_rates(paths: np.ndarray, capacity: np.ndarray, active: np.ndarray | None = None,
                  rel_tol: float = 1e-9) -> np.ndarray:
    """Max-min fair rate of each flow (units of ``capacity``).

    Parameters
    ----------
    paths : (flows, hops) int array of link ids, padded with -1
    capacity : (links,) float array
    active : (flows,) bool, optional
        Flows that take part (the others get rate 0 and load nothing).
    """
    f = paths.shape[0]
    rate = np.zeros(f)
    if f == 0:
        return rate
    live = np.ones(f, dtype=bool) if active is None else active.copy()
    flow_idx, hop = np.nonzero(paths >= 0)
    link_idx = paths[flow_idx, hop]
    keep = live[flow_idx]
    flow_idx, link_idx = flow_idx[keep], link_idx[keep]
    # work on the links in use only, numbered 0..m-1
    used_links, link_idx = np.unique(link_idx, return_inverse=True)
    left = capacity[used_links].astype(float)
    tol = rel_tol * np.maximum(left, 1e-30)
    m = len(used_links)
    level = 0.0
    while len(flow_idx):
        count = np.bincount(link_idx, minlength=m)
        loaded = count > 0
        inc = max(float((left[loaded] / count[loaded]).min()), 0.0)
        level += inc
        left -= inc * count
        full = loaded & (left <= tol)
        frozen = np.zeros(f, dtype=bool)
        frozen[flow_idx[full[link_idx]]] = True
        rate[frozen] = level
        live &= ~frozen
        # the frozen flows keep their rate and no longer grow on their links
        keep = ~frozen[flow_idx]
        flow_idx, link_idx = flow_idx[keep], link_idx[keep]
    return rate


def link_load(paths: np.ndarray, rates: np.ndarray, n_links: int) -> np.ndarray:
    """Sum of the rates of the flows on each link."""
    flow_idx, hop = np.nonzero(paths >= 0)
    return np.bincount(paths[flow_idx, hop], weights=rates[flow_idx], minlength=n_links)
