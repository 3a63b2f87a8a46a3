"""Pareto fronts: the design points that no other beats on every objective at once.

A point ``a`` dominates ``b`` when it is no worse on every objective and better on one. After a
lexicographic sort (every objective turned into one to minimise), no point can be dominated by one
after it, so a single pass keeps a point exactly when none of the front found so far dominates it
(Börzsönyi, Kossmann and Stocker, "The skyline operator", ICDE 2001; Chomicki et al., "Skyline with
presorting", ICDE 2003). With two objectives that is a running minimum (O(n log n) with the
sort); with more the pass goes in numpy blocks: the rows of a block that no other row of it
dominates join the front, and every later row they dominate is dropped at once. Cost at most
O(n x front size), far less when the front prunes early.
"""

from __future__ import annotations

import numpy as np

BLOCK = 2048


def _dominated_by(front: np.ndarray, points: np.ndarray) -> np.ndarray:
    """For each of ``points`` (m x k), whether some row of ``front`` (f x k) dominates it."""
    out = np.zeros(len(points), dtype=bool)
    if len(front) == 0 or len(points) == 0:
        return out
    step = max(1, 4_000_000 // max(1, len(points) * points.shape[1]))
    for lo in range(0, len(front), step):
        f = front[lo:lo + step, None, :]
        le = (f <= points[None, :, :]).all(axis=2)
        lt = (f < points[None, :, :]).any(axis=2)
        out |= (le & lt).any(axis=0)
    return out


def pareto_front(values: np.ndarray, maximize: list[bool] | None = None) -> np.ndarray:
    """Indices (ascending) of the non-dominated rows of ``values`` (n x k).

    ``maximize[j]`` marks objectives to maximise (the rest are minimised). Rows with a NaN in any
    objective are left out. Equal rows do not dominate each other: all of them are kept.
    """
    v = np.asarray(values, dtype=float)
    if v.ndim != 2:
        raise ValueError("values must be a 2-D array, one column per objective")
    if maximize is not None:
        v = np.where(np.asarray(maximize, dtype=bool)[None, :], -v, v)
    ok = np.flatnonzero(~np.isnan(v).any(axis=1))
    v = v[ok]
    if len(v) == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort(v.T[::-1])
    v = v[order]
    keep = _front_2d(v) if v.shape[1] == 2 else _front_sorted(v)
    return np.sort(ok[order[keep]])


def _front_2d(v: np.ndarray) -> np.ndarray:
    """Two objectives, rows sorted by (x, y): a row is dominated exactly when an earlier row has a
    lower y, or the same y at a lower x (the first row that reached that y has the lowest x)."""
    x, y = v[:, 0], v[:, 1]
    n = len(v)
    prior_min = np.concatenate([[np.inf], np.minimum.accumulate(y)[:-1]])
    new_min = y < prior_min
    owner = np.maximum.accumulate(np.where(new_min, np.arange(n), 0))   # first row holding the running min
    prior_owner = np.concatenate([[0], owner[:-1]])
    dominated = (y > prior_min) | ((y == prior_min) & (x[prior_owner] < x))
    return np.flatnonzero(~dominated)


def _front_sorted(v: np.ndarray) -> np.ndarray:
    """Any number of objectives, rows sorted lexicographically: blocks in order; a block's rows
    that no other row of it dominates join the front, and every later row they dominate is dropped
    at once, so what remains is never dominated by the front found so far."""
    rest = np.arange(len(v))
    found: list[np.ndarray] = []
    while len(rest):
        block, rest = rest[:BLOCK], rest[BLOCK:]
        pts = v[block]
        new = block[~_dominated_by(pts, pts)]
        found.append(new)
        if len(rest):
            rest = rest[~_dominated_by(v[new], v[rest])]
    return np.concatenate(found)


def brute_force_front(values: np.ndarray, maximize: list[bool] | None = None) -> np.ndarray:
    """The same front by comparing every pair (for tests and small sets)."""
    v = np.asarray(values, dtype=float)
    if maximize is not None:
        v = np.where(np.asarray(maximize, dtype=bool)[None, :], -v, v)
    keep = []
    for i in range(len(v)):
        if np.isnan(v[i]).any():
            continue
        dominated = False
        for j in range(len(v)):
            if j != i and not np.isnan(v[j]).any() and np.all(v[j] <= v[i]) and np.any(v[j] < v[i]):
                dominated = True
                break
        if not dominated:
            keep.append(i)
    return np.asarray(keep, dtype=np.int64)
