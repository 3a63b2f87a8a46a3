"""Circuits between aggregation blocks through optical circuit switches, and traffic over them.

A direct-connect fabric (Google's Jupiter: L. Poutievski et al., "Jupiter evolving: transforming
Google's datacenter network via optical circuit switches and software-defined networking",
SIGCOMM 2022) wires the uplinks of its aggregation blocks through OCS units into a block-level
mesh: ``circuits[i, j]`` circuits join blocks ``i`` and ``j`` (symmetric, zero diagonal), and block
``i`` uses at most its ``uplinks`` of them.

*Topology engineering* sets the circuits: ``uniform`` spreads each block's uplinks evenly over the
other blocks; ``demand`` gives each pair circuits in proportion to the traffic between them (both
directions), scaled so that every block's uplinks are used (Sinkhorn balancing of a symmetric
matrix), with at least one circuit per pair where the uplinks allow, so that transit always has a
path; integer circuits by largest remainder.

*Traffic engineering* routes a block-level demand ``demand[i, j]`` (bits) over the direct circuits
and, for what they cannot carry, over one transit block ``k`` (``i -> k -> j``). For a completion
time ``T`` each directed circuit bundle carries at most ``capacity * T`` bits: the direct bundle
takes what it can, and the rest of each pair is split over the transit blocks in proportion to the
capacity both of its hops have left after the direct traffic. ``T`` is the smallest time at which
no bundle is overloaded (bisection; the load is monotone in ``T``). This is a heuristic, not the
optimum of the multi-commodity flow problem Jupiter's traffic engineering solves; it is exact for
uniform traffic on a uniform mesh (everything direct) and for a block permutation (the direct
bundle, then an even spread over transit blocks).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CIRCUIT_MODES = ("uniform", "demand")


def derangement(n: int, seed: int) -> np.ndarray:
    """A seeded random permutation of ``range(n)`` without fixed points (n >= 2): a permutation of
    blocks in which no block keeps its own traffic."""
    rng = np.random.default_rng(seed)
    while True:
        p = rng.permutation(n)
        if not (p == np.arange(n)).any():
            return p


def _as_uplinks(blocks: int, uplinks) -> np.ndarray:
    u = np.broadcast_to(np.asarray(uplinks, dtype=np.int64), (blocks,)).copy()
    return u


def uniform_circuits(blocks: int, uplinks) -> np.ndarray:
    """Each block's uplinks spread evenly over the other blocks (symmetric, integer).

    Equal blocks: ``uplinks // (blocks - 1)`` to every other block, the remainder one circuit at a
    time to the nearest blocks on a ring while both blocks of a pair have uplinks left. Blocks of
    unequal uplinks (a last, partial block): circuits in proportion to both blocks' uplinks
    (:func:`demand_circuits` of their product).
    """
    u = _as_uplinks(blocks, uplinks)
    if blocks < 2:
        return np.zeros((blocks, blocks), dtype=np.int64)
    if (u != u[0]).any():
        return demand_circuits(np.outer(u, u).astype(float), u)
    base, extra = divmod(int(u[0]), blocks - 1)
    c = np.full((blocks, blocks), base, dtype=np.int64)
    np.fill_diagonal(c, 0)
    spare = np.full(blocks, extra, dtype=np.int64)
    if extra:
        pairs = sorted(((min((b - a) % blocks, (a - b) % blocks), a, b) for a in range(blocks)
                        for b in range(a + 1, blocks)))
        for _, a, b in pairs:
            if spare[a] > 0 and spare[b] > 0:
                c[a, b] += 1
                c[b, a] += 1
                spare[a] -= 1
                spare[b] -= 1
    return c


def demand_circuits(demand: np.ndarray, uplinks, iterations: int = 200) -> np.ndarray:
    """Circuits in proportion to the traffic between each pair (both directions), every block's
    uplinks used, at least one circuit a pair where the uplinks allow (symmetric, integer)."""
    d = np.asarray(demand, dtype=float)
    b = len(d)
    u = _as_uplinks(b, uplinks)
    w = d + d.T
    np.fill_diagonal(w, 0.0)
    floor = 1 if u.min() >= b - 1 else 0
    budget = (u - floor * (b - 1)).astype(float)
    if w.sum() <= 0 or budget.max() <= 0:
        w = np.outer(u, u).astype(float)
        np.fill_diagonal(w, 0.0)
    w = w + 1e-9 * (1 - np.eye(b))          # keep every pair reachable by the balancing
    x = w.copy()
    for _ in range(iterations):             # symmetric Sinkhorn: rows (= columns) sum to the budget
        s = x.sum(axis=1)
        f = np.sqrt(np.maximum(budget, 0.0) / np.where(s > 0, s, 1.0))
        x = x * f[:, None] * f[None, :]
    c = np.floor(x).astype(np.int64)
    c = np.minimum(c, c.T) + floor * (1 - np.eye(b, dtype=np.int64))
    spare = u - c.sum(axis=1)
    frac = np.triu(x - np.floor(x), 1)
    for flat in np.argsort(frac, axis=None)[::-1]:
        i, j = divmod(int(flat), b)
        if i >= j:
            continue
        if spare[i] > 0 and spare[j] > 0:
            c[i, j] += 1
            c[j, i] += 1
            spare[i] -= 1
            spare[j] -= 1
        if (spare <= 0).sum() >= b - 1:
            break
    return c


def check_circuits(circuits: np.ndarray, uplinks: int, field: str) -> np.ndarray:
    """A user's circuit matrix: square, symmetric, whole, non-negative, zero diagonal, within each
    block's uplinks. Raises ``ValueError`` with what is wrong (the caller names the field)."""
    c = np.asarray(circuits)
    if c.ndim != 2 or c.shape[0] != c.shape[1]:
        raise ValueError(f"{field}: a square matrix, one row and column per block; got shape {c.shape}")
    if (c < 0).any() or not np.allclose(c, np.round(c)):
        raise ValueError(f"{field}: whole numbers of circuits >= 0")
    c = np.round(c).astype(np.int64)
    if (np.diag(c) != 0).any() or (c != c.T).any():
        raise ValueError(f"{field}: a symmetric matrix with zeros on the diagonal (a circuit joins two blocks)")
    u = _as_uplinks(len(c), uplinks)
    over = np.nonzero(c.sum(axis=1) > u)[0]
    if len(over):
        raise ValueError(f"{field}: block {over[0]} has {c[over[0]].sum()} circuits, more than its {u[over[0]]} uplinks")
    return c


@dataclass(frozen=True)
class BlockRouting:
    """Traffic over circuits: the completion time, how the demand went, the busiest bundle."""

    time_s: float
    direct_bits: np.ndarray          # (B, B)
    transit_bits: np.ndarray         # (B, B, B): i -> k -> j, indexed [i, k, j]
    load_bits: np.ndarray            # (B, B) directed bundle load
    capacity_bps: np.ndarray         # (B, B)

    @property
    def transit_share(self) -> float:
        total = self.direct_bits.sum() + self.transit_bits.sum()
        return float(self.transit_bits.sum() / total) if total > 0 else 0.0

    @property
    def max_utilization(self) -> float:
        cap = self.capacity_bps * self.time_s
        with np.errstate(divide="ignore", invalid="ignore"):
            u = np.where(cap > 0, self.load_bits / cap, 0.0)
        return float(u.max()) if u.size else 0.0

    def path_weights(self, i, j) -> tuple[np.ndarray, np.ndarray]:
        """For pairs ``(i[f], j[f])``: the share of the pair's traffic direct, and via each block
        (shape (F,), (F, B))."""
        total = self.direct_bits[i, j] + self.transit_bits[i, :, j].sum(axis=1)
        total = np.where(total > 0, total, 1.0)
        direct = self.direct_bits[i, j] / total
        via = self.transit_bits[i, :, j] / total[:, None]
        none = (self.direct_bits[i, j] + self.transit_bits[i, :, j].sum(axis=1)) <= 0
        direct = np.where(none, 1.0, direct)
        return direct, via


def _split(demand: np.ndarray, cap_bits: np.ndarray):
    """Direct up to capacity, the rest over transit in proportion to both hops' slack."""
    direct = np.minimum(demand, cap_bits)
    rest = demand - direct
    slack = cap_bits - direct
    # path capacity via k: min(slack[i, k], slack[k, j]), never via i or j themselves
    via = np.minimum(slack[:, :, None], slack[None, :, :])        # [i, k, j]
    b = len(demand)
    idx = np.arange(b)
    via[idx, idx, :] = 0.0
    via[:, idx, idx] = 0.0
    total = via.sum(axis=1)                                       # [i, j]
    share = np.divide(via, total[:, None, :], out=np.zeros_like(via), where=total[:, None, :] > 0)
    transit = share * rest[:, None, :]
    unrouted = np.where(total > 0, 0.0, rest)
    load = direct + transit.sum(axis=2) + transit.sum(axis=0)     # first hops (i, k) and second hops (k, j)
    return direct, transit, load, unrouted


def route_blocks(demand_bits: np.ndarray, capacity_bps: np.ndarray, rel_tol: float = 1e-4) -> BlockRouting:
    """The completion time of ``demand_bits[i, j]`` over directed bundles of ``capacity_bps[i, j]``
    with direct-then-one-transit routing (module docstring). Infinite if some pair has no path."""
    d = np.asarray(demand_bits, dtype=float).copy()
    np.fill_diagonal(d, 0.0)
    cap = np.asarray(capacity_bps, dtype=float)
    if d.sum() <= 0:
        z = np.zeros_like(d)
        return BlockRouting(0.0, z, np.zeros(d.shape + (len(d),)), z, cap)
    lo = 0.0
    # an upper bound: everything over the pair's own bundle, or over the weakest path
    hi = float(np.max(np.divide(d, cap, out=np.full_like(d, np.inf), where=cap > 0)))
    if not np.isfinite(hi):
        positive = cap[cap > 0]
        hi = d.sum() / positive.min() if positive.size else np.inf
        if not np.isfinite(hi):
            z = np.zeros_like(d)
            return BlockRouting(float("inf"), z, np.zeros(d.shape + (len(d),)), z, cap)

    def fits(t: float) -> bool:
        direct, transit, load, unrouted = _split(d, cap * t)
        return unrouted.sum() <= 0 and bool((load <= cap * t * (1 + 1e-9) + 1e-6).all())

    if not fits(hi):
        hi2 = hi
        for _ in range(60):
            hi2 *= 2
            if fits(hi2):
                break
        else:
            z = np.zeros_like(d)
            return BlockRouting(float("inf"), z, np.zeros(d.shape + (len(d),)), z, cap)
        lo, hi = hi, hi2
    while hi - lo > rel_tol * hi:
        mid = 0.5 * (lo + hi)
        if fits(mid):
            hi = mid
        else:
            lo = mid
    return route_blocks_at(d, cap, hi)


def route_blocks_at(demand_bits: np.ndarray, capacity_bps: np.ndarray, time_s: float) -> BlockRouting:
    """The split of :func:`route_blocks` at a given completion time no shorter than its own: what
    the direct circuits carry in ``time_s`` goes direct, only the rest transits (when the GPUs'
    links bind, traffic that the direct circuits could carry in time does not take a longer path)."""
    d = np.asarray(demand_bits, dtype=float).copy()
    np.fill_diagonal(d, 0.0)
    cap = np.asarray(capacity_bps, dtype=float)
    direct, transit, load, _ = _split(d, cap * time_s)
    return BlockRouting(time_s, direct, transit, load, cap)


@dataclass(frozen=True)
class CircuitLoss:
    """A block-level demand with circuits lost: the share of the healthy mesh's rate kept while the
    failed circuits stay dark (``before``: the rest of the mesh and transit carry it) and once the
    controller has re-allocated the surviving uplinks evenly (``after``, one OCS reconfiguration
    later); capacity returns in full when the failed part is repaired."""

    circuits_lost: int
    blocks_hit: int
    retained_before: float
    retained_after: float


def circuit_loss(circuits: np.ndarray, uplinks, lost: np.ndarray, demand: np.ndarray) -> CircuitLoss:
    """``demand`` (between blocks, any unit) kept with ``lost`` (a symmetric matrix of circuits taken
    from ``circuits``) dark, before and after the surviving uplinks are re-allocated evenly
    (:func:`uniform_circuits` of what each block has left)."""
    c = np.asarray(circuits, dtype=np.int64)
    lost = np.asarray(lost, dtype=np.int64)
    if (lost < 0).any() or (lost > c).any() or (lost != lost.T).any():
        raise ValueError("lost circuits must be a symmetric part of the circuits")
    u = _as_uplinks(len(c), uplinks)
    d = np.asarray(demand, dtype=float)
    d = d / d.sum()

    def time(m):
        return route_blocks(d, m.astype(float)).time_s

    healthy = time(c)
    before = healthy / time(c - lost)
    after = healthy / time(uniform_circuits(len(c), u - lost.sum(axis=1)))
    return CircuitLoss(int(lost.sum() // 2), int((lost.sum(axis=1) > 0).sum()), float(before), float(after))


def spread_loss(circuits: np.ndarray, per_block: int) -> np.ndarray:
    """``per_block`` circuits of every block taken out, spread over its pairs as evenly as the
    circuits allow (what an OCS unit holding ``per_block`` ends of each block takes with it):
    rounds of a ring, pair (i, i + s) for s = 1, 2, ... while both ends have circuits to lose."""
    c = np.asarray(circuits, dtype=np.int64)
    b = len(c)
    lost = np.zeros_like(c)
    need = np.full(b, int(per_block), dtype=np.int64)
    for step in range(1, b):
        for i in range(b):
            j = (i + step) % b
            if need[i] > 0 and need[j] > 0 and c[i, j] - lost[i, j] > 0 and i != j:
                lost[i, j] += 1
                lost[j, i] += 1
                need[i] -= 1
                need[j] -= 1
        if not need.any():
            break
    return lost
