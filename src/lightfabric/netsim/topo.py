"""Where each GPU sits in a design's fabric, and the latency of every kind of path, as arithmetic.

A GPU's position is a few integer divisions (its scale-up domain, its leaf, its pod), so the
analytic collective models answer for a million GPUs without building a graph. The flow simulator
(:mod:`~lightfabric.netsim.graph`) builds its links on the same positions.

One scale-out *plane* is modelled; every plane of a multi-plane fabric is an identical copy
carrying an equal share of each flow, so a GPU's scale-out bandwidth is the sum over its planes.

Latency of a link: the traversal latency of the optics (or cable) at both its ends
(``hop-latency`` catalog entries), propagation over the link group's mean length, and the switch
the link enters. Propagation: 4.9 ns/m in single-mode fiber (group index 1.468 at 1310 nm,
Corning SMF-28 Ultra product information) and 4.5 ns/m in twinax (NVIDIA LinkX DAC
specifications: at most 4.5 ns/m).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import ceil

import numpy as np

from lightfabric.catalog import Catalog, CopperCable, HopLatency
from lightfabric.catalog.matching import index_by_target, most_specific
from lightfabric.design import Design
from lightfabric.errors import LightfabricError

FIBER_NS_PER_M = 4.9
TWINAX_NS_PER_M = 4.5

# path classes, from the nearest to the farthest
SAME_DOMAIN, SAME_LEAF, SAME_POD, CROSS_POD = 0, 1, 2, 3
CLASS_NAMES = ("scale-up", "same leaf", "same pod", "across pods")


def hop_latency_ns(catalog: Catalog, part_id: str) -> float:
    """Latency of one traversal of a part (``hop-latency`` entries; the most specific wins)."""
    part = catalog.get(part_id)
    entry = most_specific(index_by_target(catalog.of_kind(HopLatency)), part)
    return entry.latency_ns if entry is not None else 0.0


@dataclass(frozen=True)
class Topo:
    """GPU positions and per-class path latencies of one design (one scale-out plane)."""

    gpus: int
    tiers: int                     # scale-out tiers (1-3)
    gpus_per_leaf: int
    leaves: int
    leaves_per_pod: int            # 3 tiers; leaves for 2 tiers
    pods: int
    spines_per_pod: int            # uplinks of a leaf = spine choices (2 tiers: spines)
    core_groups: int               # cores per spine index (3 tiers)
    planes: int
    gpu_bw_gbps: float             # scale-out, one direction, per GPU per plane
    leaf_uplink_gbps: float        # one leaf to one spine (all parallel links)
    spine_uplink_gbps: float       # one spine to one core
    domain_gpus: int | None        # scale-up domain size, None without scale-up
    scale_up_bw_gbps: float        # per GPU, one direction
    rail_servers: int | None       # servers per rail group (rail-optimized), else None
    gpus_per_server: int
    link_latency_s: dict[str, float] = field(default_factory=dict)   # by link group, without switches
    switch_latency_s: float = 0.0
    scale_up_switch_latency_s: float = 0.0
    top_is_ocs: bool = False
    notes: tuple[str, ...] = ()

    # --- positions -----------------------------------------------------------------------------
    def leaf_of(self, g):
        g = np.asarray(g, dtype=np.int64)
        if self.rail_servers:
            server, rail = g // self.gpus_per_server, g % self.gpus_per_server
            return (server // self.rail_servers) * self.gpus_per_server + rail
        return g // self.gpus_per_leaf

    def index_in_leaf(self, g):
        """A GPU's position among the GPUs of its leaf (its server in the rail group, for rails)."""
        g = np.asarray(g, dtype=np.int64)
        if self.rail_servers:
            return (g // self.gpus_per_server) % self.rail_servers
        return g % self.gpus_per_leaf

    def pod_of_leaf(self, leaf):
        return np.asarray(leaf, dtype=np.int64) // self.leaves_per_pod

    def domain_of(self, g):
        g = np.asarray(g, dtype=np.int64)
        return g // self.domain_gpus if self.domain_gpus else np.full(g.shape, -1, dtype=np.int64)

    def path_class(self, src, dst):
        """The class of the path between GPUs (arrays): scale-up, same leaf, same pod, across pods."""
        src, dst = np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64)
        ls, ld = self.leaf_of(src), self.leaf_of(dst)
        cls = np.where(ls == ld, SAME_LEAF, np.where(self.pod_of_leaf(ls) == self.pod_of_leaf(ld), SAME_POD, CROSS_POD))
        if self.tiers == 1:
            cls = np.full(cls.shape, SAME_LEAF)
        elif self.tiers == 2:
            cls = np.where(ls == ld, SAME_LEAF, SAME_POD)
        if self.domain_gpus:
            cls = np.where(self.domain_of(src) == self.domain_of(dst), SAME_DOMAIN, cls)
        return cls

    def max_latency_s(self, src, dst) -> float:
        """The longest path latency among the pairs, from the classes present (cheaper than
        classifying each pair): the scale-up class if any pair shares a domain, and the farthest
        scale-out class among the others."""
        src, dst = np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64)
        lat = self.class_latency_s()
        if len(src) == 0:
            return 0.0
        out = 0.0
        if self.domain_gpus:
            off = (src // self.domain_gpus) != (dst // self.domain_gpus)
            if not off.all():
                out = lat[SAME_DOMAIN]
            if not off.any():
                return float(out)
            src, dst = src[off], dst[off]
        ls, ld = self.leaf_of(src), self.leaf_of(dst)
        diff = ls != ld
        if self.tiers == 1 or not diff.any():
            far = SAME_LEAF
        elif self.tiers == 2:
            far = SAME_POD
        else:
            lpp = self.leaves_per_pod
            far = CROSS_POD if ((ls[diff] // lpp) != (ld[diff] // lpp)).any() else SAME_POD
        return float(max(out, lat[far]))

    # --- latency --------------------------------------------------------------------------------
    def class_latency_s(self) -> np.ndarray:
        """Latency of a path of each class (index by class), switches included."""
        L, sw = self.link_latency_s, self.switch_latency_s
        top_sw = 0.0 if self.top_is_ocs else sw
        same_leaf = 2 * L.get("host-leaf", 0.0) + sw
        if self.tiers == 2:
            same_pod = same_leaf + 2 * L.get("leaf-spine", 0.0) + top_sw + sw
        else:
            same_pod = same_leaf + 2 * L.get("leaf-spine", 0.0) + 2 * sw
        cross = same_pod + 2 * L.get("spine-core", 0.0) + top_sw + sw if self.tiers == 3 else same_pod
        su = 2 * L.get("scale-up", 0.0) + self.scale_up_switch_latency_s
        if "scale-up-spine" in L:
            su += 2 * L["scale-up-spine"] + self.scale_up_switch_latency_s
        return np.array([su, same_leaf, same_pod, cross])

    def as_dict(self) -> dict:
        return {"gpus": self.gpus, "tiers": self.tiers, "gpus_per_leaf": self.gpus_per_leaf, "leaves": self.leaves,
                "pods": self.pods, "spines_per_pod": self.spines_per_pod, "core_groups": self.core_groups,
                "planes": self.planes, "gpu_scale_out_gbps": self.gpu_bw_gbps * self.planes,
                "domain_gpus": self.domain_gpus, "gpu_scale_up_gbps": self.scale_up_bw_gbps,
                "path_latency_ns": {CLASS_NAMES[i]: round(v * 1e9, 1) for i, v in enumerate(self.class_latency_s())
                                    if i > 0 or self.domain_gpus},
                "top_is_ocs": self.top_is_ocs}


def _group_latency_s(design: Design, group) -> float:
    cat = design.plan.catalog
    ends = hop_latency_ns(cat, group.lower_end.part_id)
    if group.upper_end is not None:
        ends += hop_latency_ns(cat, group.upper_end.part_id)
    if isinstance(group.medium, CopperCable):
        ends = 2 * hop_latency_ns(cat, group.medium.id) + (ends if group.lower_end.kind != "cable" else 0.0)
        per_m = TWINAX_NS_PER_M
    else:
        per_m = FIBER_NS_PER_M
    return (ends + per_m * group.lengths.mean_m) * 1e-9


def topo_of(design: Design) -> Topo:
    """The positions and latencies of ``design`` (a feasible design of :func:`lightfabric.compare`)."""
    if not design.feasible:
        raise LightfabricError(f"design {design.technology} is infeasible: {'; '.join(design.reasons)}")
    plan = design.plan
    sc = plan.scenario
    topo = plan.topology
    att = plan.attachment
    gpus = sc.cluster.gpus
    ports_per_gpu = sc.scale_out.nics_per_gpu * att.links_per_nic / att.breakout / plan.planes
    gpu_bw = sc.scale_out.nics_per_gpu * att.links_per_nic * att.nic_link_rate_gbps / plan.planes
    rate = plan.port.rate_gbps
    notes = []
    if topo.tiers == 1:
        gpl, leaves, lpp, pods, spp, groups = gpus, 1, 1, 1, 1, 1
        leaf_up = spine_up = 0.0
    else:
        gpl = max(1, int(topo.leaf_split.down // ports_per_gpu))
        leaves = topo.switches_per_tier[0]
        u = topo.leaf_split.up
        if topo.tiers == 2:
            spines = topo.switches_per_tier[1]
            lpp, pods, spp, groups = leaves, 1, spines, 1
            leaf_up = u * rate / spines
            spine_up = 0.0
        else:
            lpp = topo.radix // 2
            pods = ceil(leaves / lpp)
            spp = u
            cores = topo.switches_per_tier[2]
            groups = max(1, round(cores / u))
            leaf_up = rate
            spine_up = lpp * rate / groups
    rail = plan.rail_group_servers
    if rail and sc.cluster.gpus_per_server * sc.scale_out.nics_per_gpu * att.links_per_nic // plan.planes != \
            sc.cluster.gpus_per_server:
        notes.append("rail-optimized fabric with more than one rail per GPU: GPUs placed as in a fat-tree")
        rail = None
    if rail:
        gpl = rail
    su = plan.scale_up
    lat = {g.name: _group_latency_s(design, g) for g in design.link_groups}
    cat = plan.catalog
    return Topo(gpus=gpus, tiers=topo.tiers, gpus_per_leaf=gpl, leaves=leaves, leaves_per_pod=lpp, pods=pods,
                spines_per_pod=spp, core_groups=groups, planes=plan.planes, gpu_bw_gbps=gpu_bw,
                leaf_uplink_gbps=leaf_up, spine_uplink_gbps=spine_up,
                domain_gpus=su.domain_gpus if su else None,
                scale_up_bw_gbps=sc.scale_up.bandwidth_per_gpu_gbps / 2 if su else 0.0,
                rail_servers=rail, gpus_per_server=sc.cluster.gpus_per_server, link_latency_s=lat,
                switch_latency_s=hop_latency_ns(cat, plan.switch.id) * 1e-9,
                scale_up_switch_latency_s=hop_latency_ns(cat, plan.scale_up_switch.id) * 1e-9 if su else 0.0,
                top_is_ocs=design.ocs is not None, notes=tuple(notes))
