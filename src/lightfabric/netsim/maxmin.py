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
    keep = live[flow_idx]
    flow_idx, hop = flow_idx[keep], hop[keep]
    # links in use, numbered 0..m-1; the flows of each link in CSR order
    used_links, link_idx = np.unique(paths[flow_idx, hop], return_inverse=True)
    m = len(used_links)
    order = np.argsort(link_idx, kind="stable")
    csr_flows = flow_idx[order]
    csr_start = np.searchsorted(link_idx[order], np.arange(m + 1))
    local = np.full(paths.shape, -1, dtype=np.int64)     # each flow's path in local link numbers
    local[flow_idx, hop] = link_idx
    count = np.bincount(link_idx, minlength=m).astype(float)     # growing flows per link
    cap = capacity[used_links].astype(float)
    frozen_load = np.zeros(m)                                    # rates of the frozen flows per link
    # the level at which each link fills if its growing flows keep growing: (cap - frozen) / count;
    # it changes only for links whose flows freeze, so each round touches those links only
    with np.errstate(divide="ignore"):
        fill = np.where(count > 0, cap / np.maximum(count, 1), np.inf)
    while True:
        level = float(fill.min())
        if not np.isfinite(level):
            break
        full = np.flatnonzero(fill <= level * (1.0 + rel_tol) + 1e-300)
        starts, ends = csr_start[full], csr_start[full + 1]
        lens = ends - starts
        pos = np.repeat(starts - np.concatenate([[0], np.cumsum(lens)[:-1]]), lens) + np.arange(lens.sum())
        cand = csr_flows[pos]
        frozen = np.unique(cand[live[cand]])
        rate[frozen] = max(level, 0.0)
        live[frozen] = False
        fl = local[frozen]
        touched, k = np.unique(fl[fl >= 0], return_counts=True)
        frozen_load[touched] += max(level, 0.0) * k
        count[touched] -= k
        c = count[touched]
        fill[touched] = np.where(c > 0.5, (cap[touched] - frozen_load[touched]) / np.maximum(c, 1), np.inf)
        fill[full] = np.where(count[full] > 0.5, fill[full], np.inf)
    return rate


def link_load(paths: np.ndarray, rates: np.ndarray, n_links: int) -> np.ndarray:
    """Sum of the rates of the flows on each link."""
    flow_idx, hop = np.nonzero(paths >= 0)
    return np.bincount(paths[flow_idx, hop], weights=rates[flow_idx], minlength=n_links)
