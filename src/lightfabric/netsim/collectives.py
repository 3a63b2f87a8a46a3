"""Collectives as traffic: the phases of each algorithm, their time in closed form (alpha-beta) and
by flow simulation, and the bandwidths NCCL's tests report.

Conventions (NCCL tests, doc/PERFORMANCE.md): ``size_bytes`` is the buffer per GPU: the input of
an all-reduce or reduce-scatter, the output of an all-gather, what each GPU sends in an
all-to-all. ``algbw = size / time``; ``busbw = algbw x factor`` with factor 2(n-1)/n for
all-reduce and (n-1)/n for reduce-scatter, all-gather and all-to-all.

Closed form of one phase (the alpha-beta model; R. Thakur, R. Rabenseifner and W. Gropp,
"Optimization of collective communication operations in MPICH", IJHPCA 19(1), 2005): the
latency of the phase's longest path plus the busiest GPU's bytes on each network over that
network's bandwidth (scale-out and scale-up carry their flows at the same time):
``t = alpha + max_g max(out_so, in_so) / B_so, max(out_su, in_su) / B_su``. Every phase of every
algorithm is listed explicitly, so the closed form and the simulator read the same traffic: on a
non-blocking fabric with balanced routing they agree exactly (tests), and where they differ the
fabric is congested.

Algorithms:

* ``ring`` all-reduce: 2(n-1) steps of size/n to the next GPU; reduce-scatter and all-gather: n-1.
* ``halving-doubling``: recursive halving (partners n/2, n/4, ... apart, size/2, size/4, ...) then
  doubling back (Rabenseifner); n a power of two.
* ``tree``: a binary tree (heap order) reduced level by level to the root, then broadcast back,
  each level a phase of the whole size (not pipelined: the latency-bound choice for small sizes).
* ``hierarchical`` all-reduce: reduce-scatter in each scale-up domain, all-reduce of each shard
  across domains (rings of same-position GPUs), all-gather in each domain.
* ``torus`` (all-reduce, reduce-scatter, all-gather on a torus slice): a bidirectional ring along
  each axis in turn, x, y, z (half the data each way round), reduce-scattering ``k - 1`` steps of
  ``S_a / 2k`` each way on an axis of ``k`` chips, ``S_a`` the data left from the axes before
  (``S / k_x`` after x, ...); the all-gather retraces the axes in reverse. Each step loads every
  link with one flow, so the closed form is ``sum_a (k_a - 1) S_a / (2 k_a B)`` per half
  (B: one link, one direction): the per-axis rings of a torus all-reduce, as TPU pods run them.
* all-to-all ``direct``: every pair at once; ``shifted``: n-1 phases, GPU i to i + k.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from lightfabric.errors import LightfabricError
from lightfabric.netsim.simulate import simulate_phase
from lightfabric.topology.paths import SAME_DOMAIN, Graph, PathModel

OPS = ("all-reduce", "reduce-scatter", "all-gather", "all-to-all")
ALGORITHMS = {
    "all-reduce": ("ring", "halving-doubling", "tree", "hierarchical", "torus"),
    "reduce-scatter": ("ring", "halving-doubling", "torus"),
    "all-gather": ("ring", "halving-doubling", "torus"),
    "all-to-all": ("direct", "shifted"),
}
DEFAULT_ALGORITHM = {"all-reduce": "ring", "reduce-scatter": "ring", "all-gather": "ring", "all-to-all": "direct"}


def busbw_factor(op: str, n: int) -> float:
    return 2.0 * (n - 1) / n if op == "all-reduce" else (n - 1) / n


@dataclass
class Phase:
    """Flows that run together: ``src[i] -> dst[i]`` of ``bytes_per_flow``, ``repeat`` times in a row.
    ``all_pairs`` (all-to-all direct): every ordered pair of ``ranks``, not listed."""

    name: str
    src: np.ndarray
    dst: np.ndarray
    bytes_per_flow: float
    repeat: int = 1
    all_pairs: np.ndarray | None = None

    @property
    def flows(self) -> int:
        if self.all_pairs is not None:
            n = len(self.all_pairs)
            return n * (n - 1)
        return len(self.src)

    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        if self.all_pairs is None:
            return self.src, self.dst
        r = self.all_pairs
        n = len(r)
        i, j = np.divmod(np.arange(n * n, dtype=np.int64), n)
        keep = i != j
        return r[i[keep]], r[j[keep]]


def _ring_steps(ranks: np.ndarray, size: float, steps: int, name: str) -> Phase:
    return Phase(name, ranks, np.roll(ranks, -1), size / len(ranks), repeat=steps)


def _halving(ranks: np.ndarray, size: float, doubling: bool) -> list[Phase]:
    n = len(ranks)
    if n & (n - 1):
        raise LightfabricError.for_field("--gpus", n, "a power of two for halving-doubling",
                                         problem="halving-doubling pairs GPUs by halves")
    idx = np.arange(n)
    out = []
    k = 0
    d = n // 2
    while d >= 1:
        k += 1
        out.append(Phase(f"halving {k}: partners {d} apart", ranks, ranks[idx ^ d], size / 2**k))
        d //= 2
    if doubling:
        out += [Phase(p.name.replace("halving", "doubling"), p.src, p.dst, p.bytes_per_flow) for p in reversed(out)]
    return out


def _tree(ranks: np.ndarray, size: float) -> list[Phase]:
    n = len(ranks)
    # heap order: level lv holds nodes 2^lv - 1 .. 2^(lv+1) - 2, node i's parent is (i - 1) // 2
    levels = range(n.bit_length() - 1, 0, -1)      # the deepest holds node n - 1
    reduce = []
    for lv in levels:
        nodes = np.arange(2**lv - 1, min(2 ** (lv + 1) - 1, n))
        reduce.append(Phase(f"reduce, level {lv}", ranks[nodes], ranks[(nodes - 1) // 2], size))
    bcast = [Phase(p.name.replace("reduce", "broadcast"), p.dst, p.src, size) for p in reversed(reduce)]
    return reduce + bcast


def _hierarchical(ranks: np.ndarray, size: float, domain: int | None) -> list[Phase]:
    n = len(ranks)
    if not domain or n % domain or n <= domain:
        raise LightfabricError.for_field(
            "--algorithm", "hierarchical", "ring, halving-doubling or tree here",
            problem=f"hierarchical all-reduce needs whole scale-up domains: {n} GPUs, domain "
                    f"{domain or 'none'}")
    m = n // domain
    grid = ranks.reshape(m, domain)                   # row: one domain
    local_next = np.roll(grid, -1, axis=1).ravel()
    across_next = np.roll(grid, -1, axis=0).ravel()
    shard = size / domain
    return [
        Phase("reduce-scatter within domains", grid.ravel(), local_next, size / domain, repeat=domain - 1),
        Phase("all-reduce across domains (ring per position)", grid.ravel(), across_next, shard / m,
              repeat=2 * (m - 1)),
        Phase("all-gather within domains", grid.ravel(), local_next, size / domain, repeat=domain - 1),
    ]


def _torus(ranks: np.ndarray, size: float, shape: tuple[int, int, int] | None, op: str) -> list[Phase]:
    n = len(ranks)
    if shape is None or n != int(np.prod(shape)) or not np.array_equal(ranks, np.arange(n)):
        allowed = (f"--gpus {int(np.prod(shape))} (the whole slice, {'x'.join(map(str, shape))})" if shape is not None
                   else "ring, halving-doubling or tree here (this fabric is not a torus)")
        raise LightfabricError.for_field("--algorithm", "torus", allowed,
                                         problem="the torus algorithm runs rings along every axis of a whole slice")
    X, Y, _ = shape
    c = np.stack([ranks % X, (ranks // X) % Y, ranks // (X * Y)], axis=1)
    rs, s = [], size
    for axis, k in enumerate(shape):
        if k == 1:
            continue
        nxt = []
        for step in (1, -1):
            d = c.copy()
            d[:, axis] = (d[:, axis] + step) % k
            nxt.append(d[:, 0] + X * (d[:, 1] + Y * d[:, 2]))
        rs.append((f"along {'xyz'[axis]} ({k} chips, both ways)", np.concatenate([ranks, ranks]),
                   np.concatenate(nxt), s / (2 * k), k - 1))
        s /= k
    out = []
    if op in ("all-reduce", "reduce-scatter"):
        out += [Phase(f"reduce-scatter {name}", src, dst, b, repeat=r) for name, src, dst, b, r in rs]
    if op in ("all-reduce", "all-gather"):
        out += [Phase(f"all-gather {name}", src, dst, b, repeat=r) for name, src, dst, b, r in reversed(rs)]
    return out


def phases(op: str, algorithm: str, ranks: np.ndarray, size_bytes: float,
           domain_gpus: int | None = None, torus: tuple[int, int, int] | None = None) -> Sequence[Phase]:
    """The phases of ``op`` by ``algorithm`` over GPUs ``ranks`` (``torus``: the slice's shape)."""
    if op not in OPS:
        raise LightfabricError.for_field("--op", op, ", ".join(OPS))
    if algorithm not in ALGORITHMS[op]:
        raise LightfabricError.for_field("--algorithm", algorithm, f"for {op}: {', '.join(ALGORITHMS[op])}")
    n = len(ranks)
    if n < 2:
        raise LightfabricError.for_field("--gpus", n, "at least 2 GPUs")
    s = float(size_bytes)
    if algorithm == "torus":
        return _torus(ranks, s, torus, op)
    if op == "all-reduce":
        if algorithm == "ring":
            return [_ring_steps(ranks, s, 2 * (n - 1), "ring step")]
        if algorithm == "halving-doubling":
            return _halving(ranks, s, doubling=True)
        if algorithm == "tree":
            return _tree(ranks, s)
        return _hierarchical(ranks, s, domain_gpus)
    if op in ("reduce-scatter", "all-gather"):
        if algorithm == "ring":
            return [_ring_steps(ranks, s, n - 1, "ring step")]
        ph = _halving(ranks, s, doubling=False)
        if op == "all-gather":       # recursive doubling: the halving exchanges in reverse
            ph = [Phase(p.name.replace("halving", "doubling"), p.src, p.dst, p.bytes_per_flow) for p in reversed(ph)]
        return ph
    if algorithm == "direct":
        return [Phase("all pairs at once", np.zeros(0, np.int64), np.zeros(0, np.int64), s / n, all_pairs=ranks)]
    return ShiftPhases(ranks, s / n)


class ShiftPhases(Sequence):
    """The n - 1 phases of a shifted all-to-all (GPU i to i + k), made one at a time as they are read,
    so n = 131,072 costs n flows of memory, not n^2."""

    def __init__(self, ranks: np.ndarray, bytes_per_flow: float):
        self.ranks, self.bytes_per_flow = ranks, bytes_per_flow
        self._idx = np.arange(len(ranks))

    def __len__(self) -> int:
        return len(self.ranks) - 1

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if not -len(self) <= i < len(self):
            raise IndexError(i)
        k = i % len(self) + 1
        return Phase(f"shift {k}", self.ranks, self.ranks[(self._idx + k) % len(self.ranks)], self.bytes_per_flow)


def flow_counts(op: str, algorithm: str, n: int, domain_gpus: int | None = None) -> tuple[int, int]:
    """(the flows of the largest phase, the flows of every distinct phase added up) of ``op`` by
    ``algorithm`` over ``n`` GPUs, by arithmetic: what a simulation or a closed form will have to
    route, known before any phase is made (so a server can refuse it up front)."""
    if op == "all-to-all":
        return (n * (n - 1), n * (n - 1)) if algorithm == "direct" else (n, n * (n - 1))
    log2 = max(1, (n - 1).bit_length())
    if algorithm == "torus":       # both directions of three axes, reduce-scatter then all-gather
        return 2 * n, 12 * n
    if algorithm == "ring":
        return n, n
    if algorithm == "halving-doubling":
        return n, n * log2 * (2 if op == "all-reduce" else 1)
    if algorithm == "tree":   # level l of the heap holds nodes 2^l - 1 .. 2^(l+1) - 2 (the root alone at 0)
        widest = max(min(2 ** lv, n - (2 ** lv - 1)) for lv in range(1, log2 + 1))
        return widest, 2 * (n - 1)
    return n, 3 * n            # hierarchical: three phases over every GPU


# --- closed form --------------------------------------------------------------------------------

def _most_flows(gpus: np.ndarray) -> int:
    """The most flows one GPU of ``gpus`` (one per flow) has: counted in a table of every GPU id up to
    the largest, or for a few flows among many GPUs (a tree's upper levels) by sorting them."""
    if 8 * len(gpus) < int(gpus.max()):
        return int(np.unique(gpus, return_counts=True)[1].max())
    return int(np.bincount(gpus).max())


def _busiest(send: np.ndarray, recv: np.ndarray) -> int:
    """Flows of the GPU that sends or receives the most."""
    return max(_most_flows(send), _most_flows(recv)) if len(send) else 0


def phase_closed_form(topo: PathModel, phase: Phase) -> dict:
    """Closed-form time of one phase (one repetition): alpha + the busiest GPU's bytes over its
    network's bandwidth. A flow the topology forwards through the scale-up domain (rail-only) loads
    the scale-up network from its source to the relay and the scale-out network from the relay."""
    bo = topo.gpu_bw_gbps * topo.planes * 1e9 / 8.0     # bytes/s, scale-out, per GPU per direction
    bu = topo.scale_up_bw_gbps * 1e9 / 8.0
    b = phase.bytes_per_flow
    if phase.all_pairs is not None:
        r = phase.all_pairs
        n = len(r)
        flows_su, flows_so = topo.all_to_all_flows(r)
        # the farthest pairs: from the first and the last GPU to every other
        s = np.concatenate([np.full(n, r[0]), np.full(n, r[-1])])
        d = np.concatenate([r, r])
        keep = s != d
        alpha = topo.max_latency_s(s[keep], d[keep])
        t_so = flows_so * b / bo if flows_so else 0.0
        t_su = flows_su * b / bu if flows_su else 0.0
        t_blocks = topo.inter_block_time_s(None, None, b, all_pairs=r)
        beta = max(t_so, t_su, t_blocks, topo.link_bound_time_s(None, None, b, all_pairs=r))
        return {"alpha_s": alpha, "beta_s": beta, "time_s": alpha + beta}
    src, dst = phase.src, phase.dst
    classes = topo.path_class(src, dst) if topo.domain_gpus else None
    alpha = topo.max_latency_s(src, dst, classes)
    send, recv = [], []                 # the flows on the scale-up network
    su = classes == SAME_DOMAIN if classes is not None else None
    if su is not None and su.any():
        send.append(src[su])
        recv.append(dst[su])
        src_out, dst_out = src[~su], dst[~su]
    else:       # every flow on the scale-out network: no copies
        src_out, dst_out = src, dst
    relay = topo.relay(src_out, dst_out) if len(src_out) else src_out
    if relay is not src_out:            # the same array: no flow is forwarded
        fwd = relay != src_out
        send.append(src_out[fwd])
        recv.append(relay[fwd])
    t = 0.0
    if len(src_out):
        t = _busiest(relay, dst_out) * b / bo
    if sum(len(x) for x in send):
        t = max(t, _busiest(np.concatenate(send), np.concatenate(recv)) * b / bu)
    if len(src_out):
        t = max(t, topo.inter_block_time_s(src_out, dst_out, b), topo.link_bound_time_s(src_out, dst_out, b))
    return {"alpha_s": alpha, "beta_s": t, "time_s": alpha + t}


@dataclass
class CollectiveResult:
    op: str
    algorithm: str
    gpus: int
    size_bytes: float
    time_s: float
    phases: list[dict] = field(default_factory=list)
    method: str = "closed-form"
    max_link_utilization: float | None = None

    @property
    def algbw_gbps(self) -> float:
        return self.size_bytes * 8 / self.time_s / 1e9 if self.time_s > 0 else float("inf")

    @property
    def busbw_gbps(self) -> float:
        return self.algbw_gbps * busbw_factor(self.op, self.gpus)

    def as_dict(self) -> dict:
        return {"op": self.op, "algorithm": self.algorithm, "gpus": self.gpus, "size_bytes": self.size_bytes,
                "method": self.method, "time_s": self.time_s, "algbw_gbps": self.algbw_gbps,
                "busbw_gbps": self.busbw_gbps, "max_link_utilization": self.max_link_utilization,
                "phases": self.phases}


def closed_form(topo: PathModel, op: str, algorithm: str, ranks, size_bytes: float) -> CollectiveResult:
    """The collective's time by the alpha-beta model, phase by phase."""
    ranks = np.asarray(ranks, dtype=np.int64)
    total, rows = 0.0, []
    # phases that share their source and destination arrays (and size) share their time; the cache
    # holds the arrays, so an id is never that of a freed array (a lazily made shift phase is not cached)
    seen: dict[tuple[int, int, float], tuple[dict, Phase]] = {}
    listed = phases(op, algorithm, ranks, size_bytes, topo.domain_gpus, topo.torus_shape())
    cacheable = not isinstance(listed, ShiftPhases)
    for ph in listed:
        key = (id(ph.src), id(ph.dst), ph.bytes_per_flow)
        hit = seen.get(key) if cacheable and ph.all_pairs is None else None
        cf = hit[0] if hit is not None else None
        if cf is None:
            cf = phase_closed_form(topo, ph)
            if cacheable:
                seen[key] = (cf, ph)
        total += ph.repeat * cf["time_s"]
        rows.append({"name": ph.name, "repeat": ph.repeat, "flows": ph.flows, "bytes_per_flow": ph.bytes_per_flow,
                     **cf})
    return CollectiveResult(op, algorithm, len(ranks), float(size_bytes), total, rows)


def simulated(graph: Graph, op: str, algorithm: str, ranks, size_bytes: float, routing: str = "spread",
              seed: int = 0, max_flows: int = 4_000_000, progress=None) -> CollectiveResult:
    """The collective's time by flow simulation of every distinct phase (a repeated phase is
    simulated once and counted ``repeat`` times). Scale-out flows carry their share of one plane."""
    topo = graph.model
    ranks = np.asarray(ranks, dtype=np.int64)
    ph = phases(op, algorithm, ranks, size_bytes, topo.domain_gpus, topo.torus_shape())
    total, rows, util = 0.0, [], 0.0
    for i, p in enumerate(ph):
        if p.flows > max_flows:
            raise LightfabricError.for_field(
                "--gpus", len(ranks), f"fewer GPUs, or --algorithm shifted for all-to-all (at most {max_flows:,} "
                f"flows in one simulated phase)", problem=f"{p.name} has {p.flows:,} flows")
        src, dst = p.pairs()
        # each plane carries 1/planes of a scale-out flow; scale-up flows stay whole
        su = topo.path_class(src, dst) == SAME_DOMAIN
        per_flow = np.where(su, p.bytes_per_flow, p.bytes_per_flow / topo.planes)
        r = simulate_phase(graph, src, dst, per_flow, routing, seed)
        total += p.repeat * r.time_s
        util = max(util, r.max_link_utilization)
        rows.append({"name": p.name, "repeat": p.repeat, "flows": p.flows, "bytes_per_flow": p.bytes_per_flow,
                     **r.as_dict()})
        if progress:
            progress(i + 1, len(ph))
    return CollectiveResult(op, algorithm, len(ranks), float(size_bytes), total, rows, method=f"simulated ({routing})",
                            max_link_utilization=util)
