"""The rail-optimized topology (``scale_out.topology: rail-optimized``): the NIC links of GPU rank r in
every server of a rail group go to the group's rail-r leaf, so same-rank GPUs are one switch hop
apart; above the leaves the fabric is a fat-tree (NVIDIA DGX SuperPOD reference architecture:
scalable units of 32 servers, one leaf per rail).

With ``R`` rails (GPUs per server x NIC links per GPU in one plane), leaves of ``d`` host ports and
NIC links broken out ``b`` to a leaf port, one rail group holds ``d * b`` servers and has ``R``
leaves. A cluster of ``N`` servers has ``ceil(N / (d * b))`` groups and ``R * ceil(N / (d * b))``
leaves: the same as a fat-tree when groups are full, more when the last group is partial (each of
its rail leaves is still a switch). NIC links of different rails end on different leaves, so they
never share a broken-out leaf port: a rail leaf of the last group holding ``s`` servers uses
``ceil(s / b)`` ports.

Tiers and link groups are the fat-tree's (:mod:`lightfabric.topology.fat_tree`); the leaves of a
rail group stand amid the group's racks.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from lightfabric.errors import TopologyError
from lightfabric.placement import amid
from lightfabric.topology.base import ClusterSpec, Fabric, LinkLatency
from lightfabric.topology.clos import MAX_TIERS, FatTree, LeafSplit, leaf_split, tree_above_leaves
from lightfabric.topology.clos_paths import ClosPaths
from lightfabric.topology.fat_tree import FAT_TREE_NAMES, FatTreeTopology, clos_fabric, clos_paths, too_many_gpus


def max_rail_leaves(radix: int, tiers: int) -> int:
    """Leaves a tree of ``tiers`` tiers can hold above them: k (2 tiers) or k * k/2 (3 tiers)."""
    return {2: radix, 3: radix * (radix // 2)}[tiers]


def build_rail_optimized(servers: int, rails: int, breakout: int, radix: int, tiers: int | str = "auto",
                         oversubscription: float = 1.0, leaf_host_ports: int | None = None) -> tuple[FatTree, int]:
    """Counts of a rail-optimized fabric and the servers in one rail group.

    ``host_ports`` of the result counts leaf ports in use, rail by rail: ``d`` on every rail leaf of
    a full group, ``ceil(s / b)`` on those of a last group of ``s`` servers.
    """
    if servers < 1 or rails < 1:
        raise ValueError("servers and rails must be >= 1")
    split: LeafSplit = leaf_split(radix, oversubscription, leaf_host_ports)
    per_group = split.down * breakout
    groups = ceil(servers / per_group)
    leaves = groups * rails
    last = servers - (groups - 1) * per_group
    host_ports = rails * ((groups - 1) * split.down + ceil(last / breakout))
    choices = range(2, MAX_TIERS + 1) if tiers == "auto" else [int(tiers)]
    for t in choices:
        if t < 2:
            raise TopologyError("a rail-optimized fabric has at least 2 tiers (rail leaves and spines)",
                                field="scale_out.tiers", value=tiers)
        if leaves <= max_rail_leaves(radix, t):
            max_hosts = max_rail_leaves(radix, t) * split.down
            return tree_above_leaves(host_ports, leaves, radix, t, split, max_hosts), per_group
    limit = max_rail_leaves(radix, max(choices))
    raise TopologyError(f"{leaves:,} rail leaves ({groups:,} groups x {rails} rails) do not fit under a "
                        f"{max(choices)}-tier tree of radix {radix}, which holds at most {limit:,} leaves",
                        field="scale_out.tiers", value=tiers)


@dataclass(frozen=True, kw_only=True)
class RailOptimizedPaths(ClosPaths):
    """GPU ``g`` of server ``g // S`` at rail ``g mod S`` sits on leaf ``group * S + rail`` at
    position ``server mod servers_per_group`` (S GPUs per server, one rail each)."""

    rail_servers: int
    gpus_per_server: int

    def local_leaf(self, h):
        server, rail = h // self.gpus_per_server, h % self.gpus_per_server
        return (server // self.rail_servers) * self.gpus_per_server + rail

    def local_index(self, h):
        return (h // self.gpus_per_server) % self.rail_servers

    def describe(self) -> dict:
        return {**super().describe(), "rail_group_servers": self.rail_servers}


class RailOptimizedTopology(FatTreeTopology):
    name = "rail-optimized"
    label = "Rail-optimized: one leaf per rail in each group of servers, a fat-tree above"
    reference = "NVIDIA DGX SuperPOD reference architecture (scalable units, rail leaves)"
    order = 20

    def build(self, spec: ClusterSpec) -> Fabric:
        sc = spec.scenario
        gps = sc.cluster.gpus_per_server
        servers = ceil(spec.gpus / gps)
        rails = gps * spec.links_per_gpu_per_plane
        try:
            tree, per_group = build_rail_optimized(servers, rails, spec.attachment.breakout, spec.port.count,
                                                   sc.scale_out.tiers, sc.scale_out.oversubscription,
                                                   sc.scale_out.leaf_host_ports)
        except TopologyError as e:
            raise too_many_gpus(spec, e) from None
        ports_per_gpu = spec.host_ports_per_gpu
        leaf_gpus = tree.leaf_split.down / ports_per_gpu
        return clos_fabric(self.name, spec, tree, FAT_TREE_NAMES, leaf_at=amid(per_group * gps),
                           leaf_gpus=spec.gpus / tree.switches_per_tier[0],
                           pod_span_gpus=(spec.port.count // 2) * leaf_gpus if tree.tiers == 3 else None,
                           extra={"rail_group_servers": per_group})

    def paths(self, fabric: Fabric, latency: LinkLatency) -> ClosPaths:
        spec = fabric.detail.spec
        gps = spec.scenario.cluster.gpus_per_server
        if spec.links_per_gpu_per_plane != 1:
            note = "rail-optimized fabric with more than one rail per GPU: GPUs placed as in a fat-tree"
            return clos_paths(fabric, latency, notes=(note,))
        servers = fabric.summary["rail_group_servers"]
        return clos_paths(fabric, latency, RailOptimizedPaths, gpus_per_leaf=servers, rail_servers=servers,
                          gpus_per_server=gps)
