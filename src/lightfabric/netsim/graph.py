"""The explicit fabric graph of one scale-out plane (plus the scale-up domains), as arrays, and
ECMP routing over it.

Links are directed and numbered; ``capacity_gbps`` and ``latency_s`` are arrays over them. The
wiring is the folded Clos of :mod:`lightfabric.topology.fat_tree`: every leaf reaches each spine
of its pod (2 tiers: every spine) over ``leaf_uplink_gbps``; in 3 tiers spine ``j`` of every pod
reaches the ``core_groups`` cores of group ``j`` over ``spine_uplink_gbps`` each. Parallel links
between the same two switches are one link of their summed capacity. A scale-up domain is a
non-blocking switch: one link up and one down per GPU.

Routing picks, for each flow, one of its equal-cost paths: the spine (and core) it crosses.

* ``hash``: a seeded hash of (source, destination), the way switches hash flows (collisions
  happen). The choice depends only on the flow, never on the order flows are listed.
* ``spread``: destination-mod-k on the destination's position in its leaf ``i`` (spine ``i mod u``,
  core ``(leaf + i div u) mod g``), the balanced
  assignment that is congestion-free for shift permutations on full fat-trees (E. Zahavi et al.,
  "Optimized InfiniBand fat-tree routing for shift all-to-all communication patterns", Concurrency
  and Computation 22(2), 2010).

Failed links carry nothing; routing avoids paths through them (the next healthy choice).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from lightfabric.netsim.topo import CROSS_POD, SAME_DOMAIN, SAME_LEAF, SAME_POD, Topo

ROUTINGS = ("spread", "hash")


class Disconnected(ValueError):
    """Failed links leave a flow without a healthy path."""
MAX_HOPS = 6


@dataclass(frozen=True)
class Graph:
    topo: Topo
    capacity_gbps: np.ndarray
    latency_s: np.ndarray
    kind: np.ndarray               # link kind: 0 host-leaf up, 1 leaf-host, 2 leaf-spine, 3 spine-leaf, 4 spine-core, 5 core-spine, 6 su up, 7 su down
    host_up: np.ndarray            # (gpus,)
    host_down: np.ndarray
    leaf_up: np.ndarray            # (leaves, spines_per_pod)
    leaf_down: np.ndarray          # (leaves, spines_per_pod): spine -> leaf
    spine_up: np.ndarray           # (pods * spines_per_pod, core_groups)
    core_down: np.ndarray          # (pods * spines_per_pod, core_groups): core -> spine
    su_up: np.ndarray              # (gpus,) or empty
    su_down: np.ndarray
    failed: np.ndarray             # bool per link

    @property
    def links(self) -> int:
        return len(self.capacity_gbps)

    def with_failures(self, link_ids) -> "Graph":
        """A copy with these links failed (capacity 0, avoided by routing)."""
        failed = self.failed.copy()
        failed[np.asarray(link_ids, dtype=np.int64)] = True
        return replace(self, failed=failed, capacity_gbps=np.where(failed, 0.0, self.capacity_gbps))


LINK_KINDS = ("host-leaf", "leaf-host", "leaf-spine", "spine-leaf", "spine-core", "core-spine",
              "scale-up up", "scale-up down")


def build_graph(topo: Topo) -> Graph:
    """The links of ``topo``: capacities (one plane) and latencies (switch entered included)."""
    n, t = topo.gpus, topo.tiers
    L = topo.link_latency_s
    sw = topo.switch_latency_s
    top_sw = 0.0 if topo.top_is_ocs else sw
    caps, lats, kinds = [], [], []
    counter = [0]

    def add(count, cap, lat, kind):
        ids = np.arange(counter[0], counter[0] + count, dtype=np.int64)
        counter[0] += count
        caps.append(np.full(count, cap, dtype=float))
        lats.append(np.full(count, lat, dtype=float))
        kinds.append(np.full(count, kind, dtype=np.int8))
        return ids

    host_up = add(n, topo.gpu_bw_gbps, L.get("host-leaf", 0.0) + sw, 0)
    host_down = add(n, topo.gpu_bw_gbps, L.get("host-leaf", 0.0), 1)
    u, g, leaves = topo.spines_per_pod, topo.core_groups, topo.leaves
    empty2 = np.zeros((0, 0), dtype=np.int64)
    leaf_up = leaf_down = spine_up = core_down = empty2
    if t >= 2:
        up_sw = top_sw if t == 2 else sw
        leaf_up = add(leaves * u, topo.leaf_uplink_gbps, L.get("leaf-spine", 0.0) + up_sw, 2).reshape(leaves, u)
        leaf_down = add(leaves * u, topo.leaf_uplink_gbps, L.get("leaf-spine", 0.0) + sw, 3).reshape(leaves, u)
    if t == 3:
        spines = topo.pods * u
        # a spine of the last, partial pod carries only its pod's leaves up
        leaves_in_pod = np.minimum(topo.leaves_per_pod, leaves - np.arange(topo.pods) * topo.leaves_per_pod)
        per_spine = np.repeat(leaves_in_pod, u) / topo.leaves_per_pod * topo.spine_uplink_gbps
        spine_up = add(spines * g, 0.0, L.get("spine-core", 0.0) + top_sw, 4).reshape(spines, g)
        core_down = add(spines * g, 0.0, L.get("spine-core", 0.0) + sw, 5).reshape(spines, g)
        caps[-2][:] = np.repeat(per_spine, g)
        caps[-1][:] = np.repeat(per_spine, g)
    su_up = su_down = np.zeros(0, dtype=np.int64)
    if topo.domain_gpus:
        lat_su = topo.class_latency_s()[SAME_DOMAIN]
        su_up = add(n, topo.scale_up_bw_gbps, lat_su, 6)
        su_down = add(n, topo.scale_up_bw_gbps, 0.0, 7)
    cap = np.concatenate(caps)
    return Graph(topo=topo, capacity_gbps=cap, latency_s=np.concatenate(lats), kind=np.concatenate(kinds),
                 host_up=host_up, host_down=host_down, leaf_up=leaf_up, leaf_down=leaf_down, spine_up=spine_up,
                 core_down=core_down, su_up=su_up, su_down=su_down, failed=np.zeros(len(cap), dtype=bool))


def _hash(src: np.ndarray, dst: np.ndarray, seed: int) -> np.ndarray:
    """splitmix64 of (src, dst, seed): a well-mixed 64-bit hash per flow (S. Vigna's finaliser)."""
    with np.errstate(over="ignore"):
        x = (src.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)) ^ (dst.astype(np.uint64) + np.uint64(seed) *
                                                                        np.uint64(0xBF58476D1CE4E5B9))
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        x = x ^ (x >> np.uint64(31))
    return x


def _choose(valid: np.ndarray | None, preferred: np.ndarray, k: int, rotate: bool) -> np.ndarray:
    """One of ``k`` choices per flow: ``preferred`` if healthy; else, with ``rotate``, the next
    healthy one, or without it, the (preferred mod healthy)-th healthy one."""
    preferred = preferred % k
    if valid is None:
        return preferred
    count = valid.sum(axis=1)
    if (count == 0).any():
        raise Disconnected("a flow has no healthy path: the failures disconnect its endpoints")
    rows = np.arange(len(preferred))[:, None]
    if rotate:
        cols = (preferred[:, None] + np.arange(k)[None, :]) % k
        first = np.argmax(valid[rows, cols], axis=1)
        return cols[np.arange(len(preferred)), first]
    nth = preferred % count
    return np.argmax(np.cumsum(valid, axis=1) > nth[:, None], axis=1)


def route(graph: Graph, src, dst, routing: str = "spread", seed: int = 0) -> np.ndarray:
    """The links of each flow's path, shape (flows, 6), padded with -1."""
    if routing not in ROUTINGS:
        raise ValueError(f"routing must be one of {ROUTINGS}")
    topo = graph.topo
    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    f = len(src)
    out = np.full((f, MAX_HOPS), -1, dtype=np.int64)
    cls = topo.path_class(src, dst)
    h = _hash(src, dst, seed) if routing == "hash" else None
    any_failed = graph.failed.any()

    m = cls == SAME_DOMAIN
    out[m, 0], out[m, 1] = graph.su_up[src[m]], graph.su_down[dst[m]]
    m = cls == SAME_LEAF
    out[m, 0], out[m, 1] = graph.host_up[src[m]], graph.host_down[dst[m]]
    ls, ld = topo.leaf_of(src), topo.leaf_of(dst)
    u, gk = topo.spines_per_pod, topo.core_groups
    for c in (SAME_POD, CROSS_POD):
        m = np.nonzero(cls == c)[0]
        if not len(m):
            continue
        s, d, a, b = src[m], dst[m], ls[m], ld[m]
        local = topo.index_in_leaf(d)
        pref_j = (h[m] % np.uint64(u)).astype(np.int64) if h is not None else local % u
        if c == SAME_POD:
            valid = None
            if any_failed:
                valid = ~graph.failed[graph.leaf_up[a]] & ~graph.failed[graph.leaf_down[b]]
            j = _choose(valid, pref_j, u, rotate=h is None)
            out[m, 0], out[m, 1], out[m, 2], out[m, 3] = (graph.host_up[s], graph.leaf_up[a, j],
                                                          graph.leaf_down[b, j], graph.host_down[d])
            continue
        spine_s = topo.pod_of_leaf(a)[:, None] * u + np.arange(u)[None, :]
        spine_d = topo.pod_of_leaf(b)[:, None] * u + np.arange(u)[None, :]
        valid = None
        if any_failed:
            core_ok = ~graph.failed[graph.spine_up[spine_s]] & ~graph.failed[graph.core_down[spine_d]]  # (F,u,g)
            valid = ~graph.failed[graph.leaf_up[a]] & ~graph.failed[graph.leaf_down[b]] & core_ok.any(axis=2)
        j = _choose(valid, pref_j, u, rotate=h is None)
        rows = np.arange(len(m))
        pref_c = ((h[m] >> np.uint64(32)) % np.uint64(gk)).astype(np.int64) if h is not None else (b + local // u) % gk
        cvalid = core_ok[rows, j] if any_failed else None
        core = _choose(cvalid, pref_c, gk, rotate=h is None)
        ss, sd = spine_s[rows, j], spine_d[rows, j]
        out[m, 0], out[m, 1], out[m, 2] = graph.host_up[s], graph.leaf_up[a, j], graph.spine_up[ss, core]
        out[m, 3], out[m, 4], out[m, 5] = graph.core_down[sd, core], graph.leaf_down[b, j], graph.host_down[d]
    return out
