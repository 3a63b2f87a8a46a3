"""The direct-connect topology (``scale_out.topology: direct-connect``): aggregation blocks meshed by
optical circuits, as Google's Jupiter.

L. Poutievski et al., "Jupiter evolving: transforming Google's datacenter network via optical
circuit switches and software-defined networking", SIGCOMM 2022: the spine blocks of a Clos are
removed; each aggregation block's uplinks go through OCS units straight to other blocks, and
traffic between two blocks takes their direct circuits or transits one other block. The paper
reports throughput like a Clos "for our production traffic patterns", which are not every pattern.

Counts: a block is a pod of a three-tier fat-tree (its leaves and its own spine layer, radix
``k``: ``k / 2`` leaves of ``k / 2`` hosts, ``k / 2`` spines with ``k / 2`` uplinks each), so a
block has ``U = (k / 2)^2`` uplinks; there is no core switch: every design of the scenario puts
OCS units there (the OCS count follows from the uplinks and the fiber pairs of their optics, as
for an OCS spine). Circuits between blocks are set by :mod:`lightfabric.topology.circuits`
(``scale_out.circuits``: uniform or from ``scale_out.demand_matrix``; or
``scale_out.circuit_matrix`` by hand). The cluster must fill at least two blocks.

Simplifications, named in the fabric's notes: a block's spine layer is taken as one switch (a
circuit from block ``i`` to ``j`` may be reached from any leaf of ``i``: each leaf reaches every
spine of its block), and the striping of circuits over individual OCS units is not modelled (only
the block's uplink total binds).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from lightfabric.errors import TopologyError
from lightfabric.placement import leaf_location
from lightfabric.topology.base import ClusterSpec, Fabric, LinkLatency, Topology
from lightfabric.topology.circuits import (
    BlockRouting, check_circuits, circuit_loss, demand_circuits, derangement, route_blocks, route_blocks_at,
    spread_loss, uniform_circuits,
)
from lightfabric.topology.clos import build_fat_tree
from lightfabric.topology.clos_paths import CROSS_POD, HOPS, SAME_LEAF, SAME_POD, ClosPaths
from lightfabric.topology.fat_tree import ClosDetail, ClosNames, clos_fabric, clos_paths, too_many_gpus
from lightfabric.topology.paths import SAME_DOMAIN, Graph, LinkArrays

DIRECT_NAMES = ClosNames(("leaf", "block-spine", "ocs"), ("host-leaf", "leaf-spine", "spine-ocs"),
                         ("leaf switches", "block spine switches", "OCS layer (no switches)"))
NOTES = ("a block's spine layer is taken as one switch (each leaf reaches every spine of "
         "its block), and circuits are not striped over individual OCS units (only a block's uplinks bind)",)
KIND_NAMES = ("host-leaf", "leaf-host", "leaf-spine", "spine-leaf", "circuits", "scale-up up", "scale-up down")


@dataclass(frozen=True)
class DirectDetail(ClosDetail):
    """A Clos detail with its blocks' circuits."""

    circuits: np.ndarray | None = None
    circuit_mode: str = "uniform"


class DirectConnectTopology(Topology):
    name = "direct-connect"
    label = "Direct-connect: aggregation blocks meshed by optical circuits, no spine blocks (Jupiter)"
    reference = "Poutievski et al., SIGCOMM 2022"
    order = 40
    # at radix 64 a block is 1,024 GPUs; leaves of 8 host ports make it 256, so 576 GPUs are 3 blocks
    small_cluster_keys = {"leaf_host_ports": 8}

    def build(self, spec: ClusterSpec) -> Fabric:
        sc = spec.scenario
        so = sc.scale_out
        if so.tiers not in ("auto", 3):
            raise TopologyError.for_field("scale_out.tiers", so.tiers, "auto or 3 (blocks of leaves and spines under "
                                          "the OCS layer)", location=sc.location("scale_out", "tiers"))
        host_ports = -(-spec.attachment.nic_links // (spec.planes * spec.attachment.breakout))
        try:
            tree = build_fat_tree(host_ports, spec.port.count, 3, so.oversubscription, so.leaf_host_ports)
        except TopologyError as e:
            raise too_many_gpus(spec, e) from None
        lpp = spec.port.count // 2
        blocks = -(-tree.switches_per_tier[0] // lpp)
        if blocks < 2:
            raise TopologyError.for_field(
                "cluster.gpus", spec.gpus, f"more GPUs than one block holds ({lpp} leaves of "
                f"{tree.leaf_split.down} host ports at radix {spec.port.count}), or scale_out.topology: fat-tree",
                problem="a direct-connect fabric joins two or more aggregation blocks",
                location=sc.location("cluster", "gpus"))
        # a block's uplinks: its spines carry one uplink for each of their leaves' uplinks (a last,
        # partial block has fewer leaves and as many fewer uplinks)
        leaves = tree.switches_per_tier[0]
        in_block = np.minimum(lpp, leaves - np.arange(blocks) * lpp)
        uplinks = in_block * tree.leaf_split.up
        circuits, mode = self._circuits(sc, blocks, uplinks)
        leaf_gpus = tree.leaf_split.down / spec.host_ports_per_gpu
        block_gpus = lpp * leaf_gpus
        fabric = clos_fabric(self.name, spec, tree, DIRECT_NAMES,
                             leaf_at=leaf_location(sc.placement, leaf_gpus), leaf_gpus=spec.gpus / tree.switches_per_tier[0],
                             pod_span_gpus=block_gpus, notes=NOTES,
                             extra={"blocks": blocks, "block_gpus": block_gpus, "uplinks_per_block": int(uplinks.max()),
                                    "circuits": mode, "circuits_per_pair_min": int(_off_diag(circuits).min()),
                                    "circuits_per_pair_max": int(_off_diag(circuits).max()),
                                    "circuits_total": int(circuits.sum() // 2), "circuit_switched_core": True})
        d = fabric.detail
        detail = DirectDetail(d.spec, d.tree, d.copies, d.names, d.gpus_per_leaf, d.parallel, circuits=circuits,
                              circuit_mode=mode)
        # the core tier holds no switch: every design puts OCS units there (counted by the design)
        top = fabric.tiers[-1]
        tiers = fabric.tiers[:-1] + (replace(top, count=0, label="OCS layer (no switches)"),)
        summary = dict(fabric.summary)
        per_tier = list(summary["switches_per_tier"][:-1]) + [0]
        removed = summary["switches_per_tier"][-1] * tree.radix
        summary.update(switches=sum(per_tier), switches_per_tier=per_tier,
                       ports_total=summary["ports_total"] - removed,
                       ports_used=summary["ports_used"] - summary["links_per_tier"][-1],
                       ports_spare=summary["ports_spare"] - removed + summary["links_per_tier"][-1])
        return replace(fabric, tiers=tiers, summary=summary, detail=detail)

    @staticmethod
    def _circuits(sc, blocks: int, uplinks: np.ndarray) -> tuple[np.ndarray, str]:
        so = sc.scale_out
        if so.circuit_matrix is not None:
            try:
                c = check_circuits(np.asarray(so.circuit_matrix), uplinks, "scale_out.circuit_matrix")
            except ValueError as e:
                raise TopologyError.for_field("scale_out.circuit_matrix", f"{len(so.circuit_matrix)} rows",
                                              f"a {blocks} x {blocks} matrix of circuits, each row at most its "
                                              f"block's uplinks ({int(uplinks.max())})",
                                              problem=str(e), location=sc.location("scale_out", "circuit_matrix")) from None
            if c.shape != (blocks, blocks):
                raise TopologyError.for_field("scale_out.circuit_matrix", f"{c.shape[0]} x {c.shape[1]}",
                                              f"{blocks} x {blocks} (one row and column per block)",
                                              location=sc.location("scale_out", "circuit_matrix"))
            return c, "by hand"
        if so.circuits == "demand":
            d = so.demand_matrix
            allowed = f"a {blocks} x {blocks} matrix of traffic between blocks, every entry >= 0"
            if d is None:
                raise TopologyError.for_field("scale_out.demand_matrix", None, allowed,
                                              problem="circuits: demand needs the traffic between blocks",
                                              location=sc.location("scale_out", "circuits"))
            if len(d) != blocks or any(len(row) != blocks for row in d):
                raise TopologyError.for_field("scale_out.demand_matrix", f"{len(d)} rows", allowed,
                                              problem=f"this fabric has {blocks} blocks",
                                              location=sc.location("scale_out", "demand_matrix"))
            m = np.asarray(d, dtype=float)
            if (m < 0).any() or not np.isfinite(m).all():
                raise TopologyError.for_field("scale_out.demand_matrix", "a negative or non-finite entry", allowed,
                                              location=sc.location("scale_out", "demand_matrix"))
            return demand_circuits(m, uplinks), "demand"
        return uniform_circuits(blocks, uplinks), "uniform"

    def paths(self, fabric: Fabric, latency: LinkLatency) -> "DirectConnectPaths":
        d: DirectDetail = fabric.detail
        return clos_paths(fabric, latency, DirectConnectPaths, circuits=d.circuits,
                          block_gpus=int(fabric.summary["block_gpus"]), circuit_rate_gbps=d.spec.port.rate_gbps)


def _off_diag(c: np.ndarray) -> np.ndarray:
    return c[~np.eye(len(c), dtype=bool)]


@dataclass(frozen=True)
class CircuitWiring:
    host_up: np.ndarray
    host_down: np.ndarray
    leaf_up: np.ndarray            # (leaves, spines_per_block)
    leaf_down: np.ndarray
    bundle: np.ndarray             # (blocks, blocks): the directed circuits of a block pair as one link
    su_up: np.ndarray
    su_down: np.ndarray


@dataclass(frozen=True, kw_only=True)
class DirectConnectPaths(ClosPaths):
    """Blocks of a three-tier Clos shape, joined by circuit bundles instead of core switches.

    Path classes: same leaf, same block, other block. A flow between blocks takes the direct
    bundle or one transit block, in the shares :func:`~lightfabric.topology.circuits.route_blocks`
    gives for the traffic of its phase (the flows routed together)."""

    circuits: np.ndarray
    block_gpus: int
    circuit_rate_gbps: float

    class_names = ("scale-up", "same leaf", "same block", "other block")

    @property
    def blocks(self) -> int:
        return len(self.circuits)

    def block_uplink_gbps(self):
        return self.bundle_capacity_gbps().sum(axis=1)

    def bundle_capacity_gbps(self) -> np.ndarray:
        """Directed capacity between blocks in one plane: circuits x the port rate (Gb/s)."""
        return self.circuits * self.circuit_rate_gbps * self.parallel

    def circuit_latency_s(self) -> float:
        L = [self.link_latency_s.get(n, 0.0) for n in self.group_names] + [0.0, 0.0, 0.0]
        sw = list(self.tier_switch_s) + [0.0, 0.0]
        return 2 * L[2] + sw[1]        # spine -> OCS -> spine of the other block, its switch

    def clos_latency_s(self) -> np.ndarray:
        lat = super().clos_latency_s()
        same_pod = lat[1]
        return np.array([lat[0], same_pod, same_pod + self.circuit_latency_s()])

    def describe(self) -> dict:
        c = self.circuits
        off = _off_diag(c)
        return {**super().describe(), "blocks": self.blocks, "block_gpus": self.block_gpus,
                "circuits_per_pair_min": int(off.min()), "circuits_per_pair_max": int(off.max())}

    # --- block-level traffic ------------------------------------------------------------------------
    def block_demand_bits(self, src, dst, bytes_per_flow) -> np.ndarray:
        """Bits between blocks of the flows ``src -> dst`` (scale-up flows and flows inside a block left out)."""
        src, dst = np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64)
        keep = self.path_class(src, dst) == CROSS_POD
        bi, bj = self.blocks_of(src[keep]), self.blocks_of(dst[keep])
        size = np.broadcast_to(np.asarray(bytes_per_flow, dtype=float), src.shape)[keep] * 8.0 / self.planes
        out = np.zeros((self.blocks, self.blocks))
        np.add.at(out, (bi, bj), size)
        return out

    def all_pairs_block_demand_bits(self, ranks, bytes_per_flow: float) -> np.ndarray:
        """Bits between blocks when every pair of ``ranks`` exchanges ``bytes_per_flow`` (no flow list);
        pairs in one scale-up domain take the domain, not the circuits."""
        ranks = np.asarray(ranks, dtype=np.int64)
        blk = self.blocks_of(ranks)
        per_block = np.bincount(blk, minlength=self.blocks).astype(float)
        pairs = np.outer(per_block, per_block)
        if self.domain_gpus:
            _, dom = np.unique(self.domain_of(ranks), return_inverse=True)
            m = np.zeros((dom.max() + 1, self.blocks))
            np.add.at(m, (dom, blk), 1.0)
            pairs -= m.T @ m
        np.fill_diagonal(pairs, 0.0)
        return pairs * bytes_per_flow * 8.0 / self.planes

    def circuit_failures(self, ocs_units: int, fiber_pairs: int, reconfiguration_ms: float) -> dict:
        """One circuit dark (a failed optic or fiber at an uplink) and one OCS unit dark (it holds
        ``ceil(uplinks x fiber_pairs / units)`` circuit ends of every block, a lane of each module
        through its own unit): uniform traffic and a permutation of blocks (seed 0) kept while they
        are dark and after the surviving uplinks are re-allocated, one reconfiguration later."""
        c = self.circuits
        uplinks = c.sum(axis=1)
        b = len(c)
        uniform = np.outer(uplinks, uplinks).astype(float)
        np.fill_diagonal(uniform, 0.0)
        perm = np.zeros((b, b))
        perm[np.arange(b), derangement(b, 0)] = uplinks
        one = np.zeros_like(c)
        i, j = np.unravel_index(np.argmax(np.triu(c, 1)), c.shape)
        one[i, j] = one[j, i] = 1
        per_unit = int(np.ceil(uplinks.max() * fiber_pairs / max(1, ocs_units)))
        unit = spread_loss(c, per_unit)
        out = {"reconfiguration_ms": reconfiguration_ms, "ocs_units": ocs_units,
               "note": ("traffic kept while the failed circuits are dark, and after the surviving uplinks are "
                        "re-allocated evenly one OCS reconfiguration later; the lost capacity returns at repair")}
        for name, lost in (("one_circuit", one), ("one_ocs_unit", unit)):
            out[name] = {"circuits_lost": int(lost.sum() // 2), "circuit_ends_lost_per_block": int(lost.sum(axis=1).max())}
            for label, demand in (("uniform", uniform), ("permutation", perm)):
                loss = circuit_loss(c, uplinks, lost, demand)
                out[name][label] = {"kept_before": round(loss.retained_before, 6), "kept_after": round(loss.retained_after, 6)}
        return out

    def route_block_traffic(self, demand_bits: np.ndarray) -> BlockRouting:
        return route_blocks(demand_bits, self.bundle_capacity_gbps() * 1e9)

    def inter_block_time_s(self, src, dst, bytes_per_flow, all_pairs=None) -> float:
        """The time the circuits need for a phase's traffic between blocks (0 inside one block)."""
        d = (self.all_pairs_block_demand_bits(all_pairs, bytes_per_flow) if all_pairs is not None
             else self.block_demand_bits(src, dst, bytes_per_flow))
        return self.route_block_traffic(d).time_s if d.sum() > 0 else 0.0

    # --- graph and routing --------------------------------------------------------------------------
    def build_graph(self) -> Graph:
        s, n = self.shape, self.gpus
        L = [self.link_latency_s.get(name, 0.0) for name in self.group_names] + [0.0, 0.0]
        sw = list(self.tier_switch_s) + [0.0, 0.0]
        arrays = LinkArrays()
        host_up = arrays.add(n, self.gpu_bw_gbps, L[0] + sw[0], 0)
        host_down = arrays.add(n, self.gpu_bw_gbps, L[0], 1)
        u, leaves = s.spines_per_pod, s.leaves
        cap = s.leaf_uplink_gbps * self.parallel
        leaf_up = arrays.add(leaves * u, cap, L[1] + sw[1], 2).reshape(leaves, u)
        leaf_down = arrays.add(leaves * u, cap, L[1] + sw[0], 3).reshape(leaves, u)
        b = self.blocks
        bundle = arrays.add(b * b, self.bundle_capacity_gbps().ravel(), self.circuit_latency_s(), 4).reshape(b, b)
        su_up = su_down = np.zeros(0, dtype=np.int64)
        if self.domain_gpus:
            su_up = arrays.add(n, self.scale_up_bw_gbps, self.scale_up_latency_s(), 5)
            su_down = arrays.add(n, self.scale_up_bw_gbps, 0.0, 6)
        wiring = CircuitWiring(host_up, host_down, leaf_up, leaf_down, bundle, su_up, su_down)
        return arrays.graph(self, KIND_NAMES, wiring, leaf_up, leaf_down, "leaf-spine links of one plane")

    def route(self, graph: Graph, src, dst, routing: str, seed: int) -> np.ndarray:
        out = np.full((len(src), HOPS + 1), -1, dtype=np.int64)
        w: CircuitWiring = graph.wiring
        cls = self.path_class(src, dst)
        m = cls == SAME_DOMAIN
        out[m, 0], out[m, 1] = w.su_up[src[m]], w.su_down[dst[m]]
        inside = np.nonzero((cls == SAME_LEAF) | (cls == SAME_POD))[0]
        if len(inside):
            self.route_clos(graph, src[inside], dst[inside], routing, seed, out=out, rows=inside)
        cross = np.nonzero(cls == CROSS_POD)[0]
        if not len(cross):
            return out
        s_, d_ = src[cross], dst[cross]
        a, b = self.leaf_of(s_), self.leaf_of(d_)
        u = self.shape.spines_per_pod
        j = self.index_in_leaf(d_) % u
        bi, bj = self.blocks_of(s_), self.blocks_of(d_)
        # the phase's traffic between blocks (one unit a flow) sets each pair's direct and transit shares
        demand = np.zeros((self.blocks, self.blocks))
        np.add.at(demand, (bi, bj), 1.0)
        cap = np.where(graph.failed[w.bundle], 0.0, graph.capacity_gbps[w.bundle]) * 1e9
        fastest = route_blocks(demand, cap)
        # each flow is held to its GPU's link too: at that pace the direct circuits may carry it all
        busiest = max(np.bincount(src).max(), np.bincount(dst).max())
        plan = route_blocks_at(demand, cap, max(fastest.time_s, busiest / (self.gpu_bw_gbps * 1e9)))
        via = _assign_paths(plan, bi, bj, seed if routing == "hash" else None)
        out[cross, 0], out[cross, 1] = w.host_up[s_], w.leaf_up[a, j]
        direct = via < 0
        out[cross[direct], 2] = w.bundle[bi[direct], bj[direct]]
        t = ~direct
        out[cross[t], 2] = w.bundle[bi[t], via[t]]
        out[cross[t], 3] = w.bundle[via[t], bj[t]]
        col = np.where(direct, 3, 4)
        out[cross, col] = w.leaf_down[b, j]
        out[cross, col + 1] = w.host_down[d_]
        return out


def _assign_paths(plan: BlockRouting, bi: np.ndarray, bj: np.ndarray, seed: int | None) -> np.ndarray:
    """For each flow the transit block it takes (-1: direct), so that the flows of each block pair
    split over direct and transit in the plan's shares (in order of the flows, or seeded-shuffled)."""
    out = np.full(len(bi), -1, dtype=np.int64)
    pair = bi * (int(max(bi.max(), bj.max())) + 1) + bj
    order = np.argsort(pair, kind="stable")
    if seed is not None:
        rng = np.random.default_rng(seed)
        order = order[np.lexsort((rng.random(len(order)), pair[order]))]
    sorted_pairs = pair[order]
    starts = np.flatnonzero(np.r_[True, sorted_pairs[1:] != sorted_pairs[:-1]])
    ends = np.r_[starts[1:], len(order)]
    for s, e in zip(starts, ends):
        rows = order[s:e]
        i, j = bi[rows[0]], bj[rows[0]]
        direct, via = plan.path_weights(np.array([i]), np.array([j]))
        cum = np.cumsum(np.r_[direct[0], via[0]])
        pick = np.searchsorted(cum, (np.arange(e - s) + 0.5) / (e - s), side="right")
        pick = np.minimum(pick, len(cum) - 1)
        out[rows] = np.where(pick == 0, -1, pick - 1)
    return out
