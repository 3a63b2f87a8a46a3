"""The path model of folded Clos trees (fat-tree, rail-optimized, and each rail of a rail-only fabric).

A GPU's position is a few integer divisions (its leaf, its pod, its copy of the tree), so path
classes and latencies cost no graph. The graph wires every leaf to each spine of its pod (2 tiers:
every spine) over ``leaf_uplink_gbps``; in 3 tiers spine ``j`` of every pod reaches the
``core_groups`` cores of group ``j`` over ``spine_uplink_gbps`` each. Parallel links between the
same two switches are one link of their summed capacity. A scale-up domain is a non-blocking switch:
one link up and one down per GPU.

``copies`` disjoint trees of identical shape may share one model (the rails of a rail-only fabric):
GPU ``g`` sits at host ``host_of(g)`` of copy ``copy_of(g)``.

Routing (``spread``): destination-mod-k on the destination's position in its leaf ``i`` (spine
``i mod u``, core ``(leaf + i div u) mod g``), the balanced assignment that is congestion-free for
shift permutations on full fat-trees (E. Zahavi et al., "Optimized InfiniBand fat-tree routing for
shift all-to-all communication patterns", Concurrency and Computation 22(2), 2010).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import ceil

import numpy as np

from lightfabric.topology.clos import FatTree
from lightfabric.topology.paths import SAME_DOMAIN, Graph, LinkArrays, PathModel, choose, flow_hash

SAME_LEAF, SAME_POD, CROSS_POD = 1, 2, 3      # consecutive: leaf_class adds to SAME_LEAF
KIND_NAMES = ("host-leaf", "leaf-host", "leaf-spine", "spine-leaf", "spine-core", "core-spine", "scale-up up",
              "scale-up down")
HOPS = 6


@dataclass(frozen=True)
class ClosWiring:
    """Link ids of a Clos graph by position."""

    host_up: np.ndarray            # (gpus,)
    host_down: np.ndarray
    leaf_up: np.ndarray            # (leaves, spines_per_pod)
    leaf_down: np.ndarray          # spine -> leaf
    spine_up: np.ndarray           # (spines, core_groups)
    core_down: np.ndarray          # core -> spine
    su_up: np.ndarray              # (gpus,) or empty
    su_down: np.ndarray


@dataclass(frozen=True)
class TreeShape:
    """The shape of one tree for the simulator: leaves, pods, spines per pod, core groups and the
    capacity of a leaf's (and a spine's) uplink to one upper switch."""

    tiers: int
    gpus_per_leaf: int
    leaves: int
    leaves_per_pod: int
    pods: int
    spines_per_pod: int
    core_groups: int
    leaf_uplink_gbps: float
    spine_uplink_gbps: float
    # a leaf whose downlinks hold no whole number of GPUs (77 ports, 2 a GPU): GPU h sits on the leaf
    # of its first port, leaf (h x gpu_port_units) // leaf_port_units (ports in units of 1/breakout);
    # 0: every leaf holds gpus_per_leaf GPUs
    gpu_port_units: int = 0
    leaf_port_units: int = 0

    @classmethod
    def of(cls, tree: FatTree, host_ports_per_gpu: float, rate_gbps: float, hosts: int,
           gpus_per_leaf: int | None = None) -> "TreeShape":
        """From a tree's counts: GPUs under a leaf from its downlinks (or as given), leaves grouped
        into pods of k/2 (3 tiers), the cores of each spine index.

        Where a leaf's downlinks are not a whole number of GPUs' ports (and ``gpus_per_leaf`` is not
        given), a GPU sits on the leaf of its first port, as cabled: leaves hold ``floor`` or ``ceil``
        of ``down / ports per GPU`` GPUs, and the model's leaves and pods are the fabric's."""
        if tree.tiers == 1:
            return cls(1, hosts, 1, 1, 1, 1, 1, 0.0, 0.0)
        down = tree.leaf_split.down
        units = Fraction(host_ports_per_gpu).limit_denominator(1 << 16)     # ports a GPU uses: links / breakout
        fractional = gpus_per_leaf is None and (down * units.denominator) % units.numerator != 0
        gpl = gpus_per_leaf or max(1, int(down // host_ports_per_gpu))
        split = (units.numerator, down * units.denominator) if fractional else (0, 0)
        leaves = tree.switches_per_tier[0]
        u = tree.leaf_split.up
        if tree.tiers == 2:
            spines = tree.switches_per_tier[1]
            return cls(2, gpl, leaves, leaves, 1, spines, 1, u * rate_gbps / spines, 0.0, *split)
        lpp = tree.radix // 2
        groups = max(1, round(tree.switches_per_tier[2] / u))
        return cls(3, gpl, leaves, lpp, ceil(leaves / lpp), u, groups, rate_gbps, lpp * rate_gbps / groups, *split)


@dataclass(frozen=True, kw_only=True)
class ClosPaths(PathModel):
    """Positions, classes, graph and routing of ``copies`` identical trees of ``shape``.

    ``group_names``: the link groups from the hosts up (their latencies); ``tier_switch_s``: one
    switch of each tier from the leaf up (0 where an OCS took the tier's place); ``parallel``:
    identical trees a GPU's links spread over, modelled as one of that many times the capacity.
    """

    shape: TreeShape
    group_names: tuple[str, ...]
    tier_switch_s: tuple[float, ...]
    copies: int = 1
    parallel: int = 1
    top_is_ocs: bool = False

    class_names = ("scale-up", "same leaf", "same pod", "across pods")

    @property
    def tiers(self) -> int:
        return self.shape.tiers

    @property
    def gpus_per_leaf(self) -> int:
        return self.shape.gpus_per_leaf

    # --- positions -----------------------------------------------------------------------------
    def copy_of(self, g):
        return np.zeros(np.shape(g), dtype=np.int64)

    def host_of(self, g):
        return np.asarray(g, dtype=np.int64)

    def local_leaf(self, h):
        s = self.shape
        if s.leaf_port_units:
            return np.asarray(h, dtype=np.int64) * s.gpu_port_units // s.leaf_port_units
        return h // s.gpus_per_leaf

    def local_index(self, h):
        s = self.shape
        if s.leaf_port_units:     # minus the first GPU whose first port is on the leaf
            h = np.asarray(h, dtype=np.int64)
            return h + (-(self.local_leaf(h) * s.leaf_port_units) // s.gpu_port_units)
        return h % s.gpus_per_leaf

    def _one_copy(self) -> bool:
        """One tree (not a rail-only fabric's copies): a leaf is its local leaf, a pod its local pod."""
        return type(self).copy_of is ClosPaths.copy_of

    def leaf_of(self, g):
        g = np.asarray(g, dtype=np.int64)
        if self._one_copy():
            return self.local_leaf(self.host_of(g))
        return self.copy_of(g) * self.shape.leaves + self.local_leaf(self.host_of(g))

    def index_in_leaf(self, g):
        """A GPU's position among the GPUs of its leaf."""
        return self.local_index(self.host_of(np.asarray(g, dtype=np.int64)))

    def pod_of_leaf(self, leaf):
        leaf = np.asarray(leaf, dtype=np.int64)
        s = self.shape
        if self._one_copy():
            return leaf // s.leaves_per_pod
        return (leaf // s.leaves) * s.pods + (leaf % s.leaves) // s.leaves_per_pod

    def clos_class(self, src, dst):
        """SAME_LEAF, SAME_POD or CROSS_POD between GPUs of the same copy."""
        return self.leaf_class(self.leaf_of(src), self.leaf_of(dst))

    def leaf_class(self, ls, ld):
        """:meth:`clos_class` of GPUs on leaves ``ls`` and ``ld``."""
        if self.shape.tiers == 1:
            return np.full(np.shape(ls), SAME_LEAF)
        if self.shape.tiers == 2:
            return np.where(ls == ld, SAME_LEAF, SAME_POD)
        apart = ls != ld
        if np.ndim(apart) == 1 and 4 * np.count_nonzero(apart) < len(apart):
            # mostly on one leaf (a ring): the pods only of the pairs on different leaves
            cls = np.full(len(apart), SAME_LEAF)
            far = np.flatnonzero(apart)
            cls[far] = np.where(self.pod_of_leaf(ls[far]) == self.pod_of_leaf(ld[far]), SAME_POD, CROSS_POD)
            return cls
        # SAME_LEAF, plus one for another leaf, plus one for another pod (another pod is another leaf)
        cls = apart.astype(np.int64)
        cls += SAME_LEAF
        cls += self.pod_of_leaf(ls) != self.pod_of_leaf(ld)
        return cls

    def path_class(self, src, dst):
        src, dst = np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64)
        cls = self.clos_class(src, dst)
        if self.domain_gpus:
            cls = np.where(self.domain_of(src) == self.domain_of(dst), SAME_DOMAIN, cls)
        return cls

    # --- latency --------------------------------------------------------------------------------
    def clos_latency_s(self) -> np.ndarray:
        """Same leaf, same pod, across pods: each link up and down and every switch crossed."""
        L = [self.link_latency_s.get(n, 0.0) for n in self.group_names]
        sw = list(self.tier_switch_s) + [0.0] * (3 - len(self.tier_switch_s))
        same_leaf = 2 * L[0] + sw[0]
        same_pod = same_leaf + 2 * (L[1] if len(L) > 1 else 0.0) + sw[1] + sw[0]
        cross = same_pod + 2 * (L[2] if len(L) > 2 else 0.0) + sw[2] + sw[1] if self.shape.tiers == 3 else same_pod
        return np.array([same_leaf, same_pod if self.shape.tiers > 1 else same_leaf, cross])

    def class_latency_s(self) -> np.ndarray:
        return np.concatenate([[self.scale_up_latency_s()], self.clos_latency_s()])

    def describe(self) -> dict:
        s = self.shape
        return {"tiers": s.tiers, "gpus_per_leaf": s.gpus_per_leaf, "leaves": s.leaves * self.copies, "pods": s.pods,
                "spines_per_pod": s.spines_per_pod, "core_groups": s.core_groups, "copies": self.copies,
                "top_is_ocs": self.top_is_ocs}

    # --- blocks (pods) for block-level traffic --------------------------------------------------------
    def blocks_of(self, g):
        """A pod of a three-tier tree is a block; one tree of fewer tiers is one block. None for
        several copies (the rails of a rail-only fabric are not blocks of one network)."""
        if self.copies != 1:
            return None
        if self.shape.tiers < 3:
            return np.zeros(np.shape(g), dtype=np.int64)
        return self.pod_of_leaf(self.leaf_of(g))

    def block_uplink_gbps(self):
        if self.copies != 1:
            return None
        s = self.shape
        if s.tiers < 3:
            return np.zeros(1)
        in_pod = np.minimum(s.leaves_per_pod, s.leaves - np.arange(s.pods) * s.leaves_per_pod)
        return in_pod / s.leaves_per_pod * s.spines_per_pod * s.core_groups * s.spine_uplink_gbps * self.parallel

    # --- graph and routing ----------------------------------------------------------------------
    def build_graph(self) -> Graph:
        s, n, c = self.shape, self.gpus, self.copies
        L = [self.link_latency_s.get(name, 0.0) for name in self.group_names] + [0.0, 0.0]
        sw = list(self.tier_switch_s) + [0.0, 0.0]
        arrays = LinkArrays()
        host_up = arrays.add(n, self.gpu_bw_gbps, L[0] + sw[0], 0)
        host_down = arrays.add(n, self.gpu_bw_gbps, L[0], 1)
        u, g, leaves = s.spines_per_pod, s.core_groups, s.leaves * c
        empty2 = np.zeros((0, 0), dtype=np.int64)
        leaf_up = leaf_down = spine_up = core_down = empty2
        if s.tiers >= 2:
            cap = s.leaf_uplink_gbps * self.parallel
            leaf_up = arrays.add(leaves * u, cap, L[1] + sw[1], 2).reshape(leaves, u)
            leaf_down = arrays.add(leaves * u, cap, L[1] + sw[0], 3).reshape(leaves, u)
        if s.tiers == 3:
            spines = s.pods * u * c
            # a spine of a last, partial pod carries only its pod's leaves up
            in_pod = np.minimum(s.leaves_per_pod, s.leaves - np.arange(s.pods) * s.leaves_per_pod)
            per_spine = np.tile(np.repeat(in_pod, u), c) / s.leaves_per_pod * s.spine_uplink_gbps * self.parallel
            spine_up = arrays.add(spines * g, np.repeat(per_spine, g), L[2] + sw[2], 4).reshape(spines, g)
            core_down = arrays.add(spines * g, np.repeat(per_spine, g), L[2] + sw[1], 5).reshape(spines, g)
        su_up = su_down = np.zeros(0, dtype=np.int64)
        if self.domain_gpus:
            su_up = arrays.add(n, self.scale_up_bw_gbps, self.scale_up_latency_s(), 6)
            su_down = arrays.add(n, self.scale_up_bw_gbps, 0.0, 7)
        wiring = ClosWiring(host_up, host_down, leaf_up, leaf_down, spine_up, core_down, su_up, su_down)
        return arrays.graph(self, KIND_NAMES, wiring, leaf_up, leaf_down,
                            f"{self.group_names[1] if len(self.group_names) > 1 else 'uplink'} links of one plane")

    def route(self, graph: Graph, src, dst, routing: str, seed: int) -> np.ndarray:
        # (flows, hops), laid out hop by hop: FlowLinks reads a path array by hop without a copy
        out = np.full((HOPS, len(src)), -1, dtype=np.int64).T
        plain = type(self).path_class is ClosPaths.path_class
        if plain and not self.domain_gpus:      # every path is the tree's
            self.route_clos(graph, src, dst, routing, seed, out=out, rows=None)
            return out
        cls = self.path_class(src, dst)
        m = cls == SAME_DOMAIN
        w: ClosWiring = graph.wiring
        if m.any():
            out[m, 0], out[m, 1] = w.su_up[src[m]], w.su_down[dst[m]]
        rows = np.flatnonzero(~m)
        if not len(rows):
            return out
        # outside the domains the path class is the tree's (unless a subclass classes paths its own way)
        if len(rows) == len(src):
            self.route_clos(graph, src, dst, routing, seed, out=out, rows=None, cls=cls if plain else None)
        else:
            self.route_clos(graph, src[rows], dst[rows], routing, seed, out=out, rows=rows,
                            cls=cls[rows] if plain else None)
        return out

    def route_clos(self, graph: Graph, src, dst, routing: str, seed: int, *, out: np.ndarray,
                   rows: np.ndarray | None, col: int = 0, cls: np.ndarray | None = None) -> None:
        """Write the tree path of each flow ``src[i] -> dst[i]`` (same copy) into ``out[rows[i], col:]``
        (``rows`` None: ``out[i, col:]``); ``cls``: their :meth:`clos_class`, if known."""
        w: ClosWiring = graph.wiring
        s = self.shape
        ls, ld = self.leaf_of(src), self.leaf_of(dst)
        any_failed = graph.failed.any()
        if rows is None:
            # every path starts on the source's host link; the same-leaf paths end on the next hop, the
            # others have theirs written over below
            out[:, col], out[:, col + 1] = w.host_up[src], w.host_down[dst]
            if cls is None:         # the classes of the pairs on different leaves only
                far = np.flatnonzero(ls != ld)
                far_cls = self.leaf_class(ls[far], ld[far])
            else:
                far = np.flatnonzero(cls != SAME_LEAF)
                far_cls = cls[far]
        else:
            cls = self.leaf_class(ls, ld) if cls is None else cls
            m = cls == SAME_LEAF
            r = rows[m]
            out[r, col], out[r, col + 1] = w.host_up[src[m]], w.host_down[dst[m]]
            far = np.flatnonzero(~m)
            far_cls = cls[far]
        u, gk = s.spines_per_pod, s.core_groups
        for c in (SAME_POD, CROSS_POD):
            m = far[far_cls == c]
            if not len(m):
                continue
            sr, d, a, b = src[m], dst[m], ls[m], ld[m]
            r = m if rows is None else rows[m]
            local = self.index_in_leaf(d)
            h = flow_hash(sr, d, seed) if routing == "hash" else None
            pref_j = (h % np.uint64(u)).astype(np.int64) if h is not None else local % u
            if c == SAME_POD:
                valid = None
                if any_failed:
                    valid = ~graph.failed[w.leaf_up[a]] & ~graph.failed[w.leaf_down[b]]
                j = choose(valid, pref_j, u, rotate=h is None)
                out[r, col], out[r, col + 1], out[r, col + 2], out[r, col + 3] = (
                    w.host_up[sr], w.leaf_up[a, j], w.leaf_down[b, j], w.host_down[d])
                continue
            first_s, first_d = self.pod_of_leaf(a) * u, self.pod_of_leaf(b) * u   # spine 0 of each pod
            valid = core_ok = None
            if any_failed:      # the healthy choices of every flow: (F, u) spines, (F, u, g) cores
                spine_s = first_s[:, None] + np.arange(u)[None, :]
                spine_d = first_d[:, None] + np.arange(u)[None, :]
                core_ok = ~graph.failed[w.spine_up[spine_s]] & ~graph.failed[w.core_down[spine_d]]
                valid = ~graph.failed[w.leaf_up[a]] & ~graph.failed[w.leaf_down[b]] & core_ok.any(axis=2)
            j = choose(valid, pref_j, u, rotate=h is None)
            pref_c = ((h >> np.uint64(32)) % np.uint64(gk)).astype(np.int64) if h is not None else \
                (b + local // u) % gk
            core = choose(core_ok[np.arange(len(m)), j] if any_failed else None, pref_c, gk, rotate=h is None)
            ss, sd = first_s + j, first_d + j
            out[r, col], out[r, col + 1], out[r, col + 2] = w.host_up[sr], w.leaf_up[a, j], w.spine_up[ss, core]
            out[r, col + 3], out[r, col + 4], out[r, col + 5] = w.core_down[sd, core], w.leaf_down[b, j], w.host_down[d]
