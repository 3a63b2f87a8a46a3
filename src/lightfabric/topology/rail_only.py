"""The rail-only topology (``scale_out.topology: rail-only``): rail switches only, no spine joining the rails.

W. Wang, M. Ghobadi, K. Shakeri, Y. Zhang and N. Hasani, "Rail-only: a low-cost high-performance
network for training LLMs with trillion parameters", arXiv 2307.12169: GPU rank ``r`` of every
scale-up (high-bandwidth) domain joins rail ``r``, a Clos network of its own (one switch, or a
fat-tree of 2-3 tiers when the rail outgrows one radix); the spine that joins different rails in a
rail-optimized fabric is removed. Traffic between GPUs of different ranks in different domains is
forwarded through the scale-up domain: the source hands it over NVLink to the GPU of its own
domain with the destination's rank, which sends it on that rail (NCCL's PXN does the same; the
paper reports 8.2-11.2 % more all-to-all time for it).

Counts: a cluster of ``N`` GPUs in domains of ``D`` has ``N / D`` domains; each GPU's ``L`` NIC
links go to ``L`` rails of its rank, so there are ``D x L`` rails, each a tree of ``N / D`` hosts
(``ceil(N / D / b)`` leaf ports with breakout ``b``). Rails are the fabric's planes, so
``scale_out.planes`` must be 1, and the cluster must be whole domains.

Where the tiers stand: a rail switch amid the consecutive domains it serves (its GPUs are one per
domain, spread over those domains' racks); rail spines of two tiers at the site's centre, of three
tiers amid their pod's domains.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lightfabric.errors import TopologyError
from lightfabric.placement import amid
from lightfabric.topology.base import ClusterSpec, Fabric, LinkLatency, Topology
from lightfabric.topology.clos import build_fat_tree
from lightfabric.topology.clos_paths import HOPS, ClosPaths
from lightfabric.topology.fat_tree import ClosNames, clos_fabric, clos_paths, too_many_gpus
from lightfabric.topology.paths import SAME_DOMAIN, Graph

RAIL_ONLY_NAMES = ClosNames(("rail", "rail-spine", "rail-core"), ("host-rail", "rail-spine", "rail-core"),
                            ("rail switches", "rail spine switches", "rail core switches"))
FORWARDING_NOTE = ("rail-only: no switch joins different rails; a flow between GPUs of different ranks in "
                   "different scale-up domains is forwarded through its source's domain to the GPU with the "
                   "destination's rank, then over that rail (as NCCL's PXN does)")


@dataclass(frozen=True, kw_only=True)
class RailOnlyPaths(ClosPaths):
    """Rail ``g mod D`` (the GPU's rank in its domain of ``D``) is copy ``g mod D`` of the rail tree;
    the GPU is host ``g div D`` (its domain) of that rail. Classes 1-3 stay on one rail; 4-6 are
    forwarded through the scale-up domain first."""

    class_names = ("scale-up", "same rail switch", "same rail pod", "rail across pods",
                   "forwarded, same rail switch", "forwarded, same rail pod", "forwarded, rail across pods")

    def copy_of(self, g):
        return np.asarray(g, dtype=np.int64) % self.domain_gpus

    def host_of(self, g):
        return np.asarray(g, dtype=np.int64) // self.domain_gpus

    def relay(self, src, dst):
        src, dst = np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64)
        return (src // self.domain_gpus) * self.domain_gpus + dst % self.domain_gpus

    def path_class(self, src, dst):
        src, dst = np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64)
        relay = self.relay(src, dst)
        cls = self.clos_class(relay, dst) + np.where(relay != src, 3, 0)
        return np.where(self.domain_of(src) == self.domain_of(dst), SAME_DOMAIN, cls)

    def class_latency_s(self) -> np.ndarray:
        su, rail = self.scale_up_latency_s(), self.clos_latency_s()
        return np.concatenate([[su], rail, su + rail])

    def all_to_all_flows(self, ranks: np.ndarray) -> tuple[int, int]:
        """Direct all-to-all among ``ranks``: scale-up flows of a GPU (its own to its domain, and
        those it forwards or has forwarded), scale-out flows (those it sends for its domain on its
        rail, those it receives)."""
        D = self.domain_gpus
        ranks = np.asarray(ranks, dtype=np.int64)
        n = len(ranks)
        dom, rank = ranks // D, ranks % D
        domains, dom_i = np.unique(dom, return_inverse=True)
        in_dom = np.bincount(dom_i)                              # job GPUs per domain
        of_rank = np.bincount(rank, minlength=D)                 # job GPUs per rank
        cell = np.zeros((len(domains), D), dtype=np.int64)
        cell[dom_i, rank] = 1                                    # the job holds GPU (domain, rank)
        same_rank_elsewhere = of_rank[None, :] - cell            # destinations of each rank outside the domain
        # every GPU of a touched domain may relay: senders of its domain x destinations of its rank elsewhere
        so_send = (in_dom[:, None] * same_rank_elsewhere).max()
        su_fwd_in = ((in_dom[:, None] - cell) * same_rank_elsewhere)
        su_in = (su_fwd_in + cell * (in_dom[:, None] - 1)).max()
        own = in_dom[dom_i]
        su_out = ((own - 1) + (n - own) - (of_rank[rank] - 1)).max()
        so_recv = (n - own).max()
        return int(max(su_out, su_in)), int(max(so_send, so_recv))

    def route(self, graph: Graph, src, dst, routing: str, seed: int) -> np.ndarray:
        out = np.full((len(src), HOPS + 2), -1, dtype=np.int64)
        w = graph.wiring
        same = self.domain_of(src) == self.domain_of(dst)
        out[same, 0], out[same, 1] = w.su_up[src[same]], w.su_down[dst[same]]
        relay = self.relay(src, dst)
        for fwd in (False, True):
            rows = np.nonzero(~same & ((relay != src) == fwd))[0]
            if not len(rows):
                continue
            if fwd:
                out[rows, 0], out[rows, 1] = w.su_up[src[rows]], w.su_down[relay[rows]]
            self.route_clos(graph, relay[rows], dst[rows], routing, seed, out=out, rows=rows, col=2 if fwd else 0)
        return out


class RailOnlyTopology(Topology):
    name = "rail-only"
    label = "Rail-only: one Clos per rail, no spine; traffic between rails forwarded in the scale-up domain"
    reference = "Wang, Ghobadi, Shakeri, Zhang and Hasani, arXiv 2307.12169"
    needs_scale_up = True
    order = 30

    def build(self, spec: ClusterSpec) -> Fabric:
        sc = spec.scenario
        so = sc.scale_out
        if spec.scale_up is None:
            raise TopologyError.for_field(
                "scale_up", None, "a scale_up section (domain_gpus, bandwidth_per_gpu_gbps, switch)",
                problem="a rail-only fabric forwards traffic between rails through the scale-up domain, "
                        "and this scenario has none", location=sc.location("scale_out", "topology"))
        if spec.planes != 1:
            raise TopologyError.for_field(
                "scale_out.planes", spec.planes, "1 (the rails of a rail-only fabric are its planes: each NIC "
                "link of a GPU is a rail of its own)", location=sc.location("scale_out", "planes"))
        D = spec.scale_up.domain_gpus
        if spec.gpus % D:
            raise TopologyError.for_field(
                "cluster.gpus", spec.gpus, f"a multiple of scale_up.domain_gpus = {D} (rail r joins GPU r of "
                f"every scale-up domain, so the cluster is whole domains)", location=sc.location("cluster", "gpus"))
        domains = spec.gpus // D
        links = spec.links_per_gpu_per_plane
        b = spec.attachment.breakout
        try:
            tree = build_fat_tree(-(-domains // b), spec.port.count, so.tiers, so.oversubscription, so.leaf_host_ports)
        except TopologyError as e:
            raise too_many_gpus(spec, e, leaves_per_gpu=1.0 / (b * D)) from None
        rails = D * links
        leaf_domains = domains / tree.switches_per_tier[0]
        pod = (spec.port.count // 2) * tree.leaf_split.down * b * D if tree.tiers == 3 else None
        return clos_fabric(self.name, spec, tree, RAIL_ONLY_NAMES, copies=rails, leaf_at=amid(leaf_domains * D),
                           leaf_gpus=leaf_domains, leaf_scope=leaf_domains * D, pod_span_gpus=pod,
                           extra={"rails": rails, "gpus_per_rail": domains}, notes=(FORWARDING_NOTE,),
                           parallel=links)

    def paths(self, fabric: Fabric, latency: LinkLatency) -> RailOnlyPaths:
        d = fabric.detail
        return clos_paths(fabric, latency, RailOnlyPaths, gpus_per_leaf=max(1, int(d.tree.leaf_split.down *
                                                                                  d.spec.attachment.breakout))
                          if d.tree.tiers > 1 else d.spec.gpus // d.spec.scale_up.domain_gpus)
