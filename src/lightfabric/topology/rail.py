"""Rail-optimized fabrics: the NIC links of GPU rank r in every server of a rail group go to the
group's rail-r leaf, so same-rank GPUs are one switch hop apart.

With ``R`` rails (GPUs per server x NIC links per GPU), leaves of ``d`` host ports and NIC links
broken out ``b`` to a leaf port, one rail group holds ``d * b`` servers and has ``R`` leaves. A
cluster of ``N`` servers has ``ceil(N / (d * b))`` groups and ``R * ceil(N / (d * b))`` leaves: the
same as a fat-tree when groups are full, more when the last group is partial (each of its rail
leaves is still a switch). Above the leaves the fabric is a fat-tree (NVIDIA DGX SuperPOD
reference architecture: scalable units of 32 servers, one leaf per rail).
"""

from __future__ import annotations

from math import ceil

from lightfabric.errors import TopologyError
from lightfabric.topology.fat_tree import MAX_TIERS, FatTree, LeafSplit, leaf_split, tree_above_leaves


def max_rail_leaves(radix: int, tiers: int) -> int:
    """Leaves a tree of ``tiers`` tiers can hold above them: k (2 tiers) or k * k/2 (3 tiers)."""
    return {2: radix, 3: radix * (radix // 2)}[tiers]


def build_rail_optimized(servers: int, rails: int, breakout: int, radix: int, tiers: int | str = "auto",
                         oversubscription: float = 1.0) -> tuple[FatTree, int]:
    """Counts of a rail-optimized fabric and the servers in one rail group.

    ``host_ports`` of the result counts leaf ports in use: ``ceil(servers * rails / breakout)``
    spread over the rail leaves.
    """
    if servers < 1 or rails < 1:
        raise ValueError("servers and rails must be >= 1")
    split: LeafSplit = leaf_split(radix, oversubscription)
    per_group = split.down * breakout
    groups = ceil(servers / per_group)
    leaves = groups * rails
    host_ports = ceil(servers * rails / breakout)
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
