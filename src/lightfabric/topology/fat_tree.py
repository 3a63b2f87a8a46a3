"""The fat-tree topology (``scale_out.topology: fat-tree``): a folded Clos of 1-3 tiers in every plane.

Tiers ``leaf``, ``spine``, ``core``; link groups ``host-leaf`` (NIC to leaf), ``leaf-spine`` and
``spine-core``, named for their technology by the policy keys ``nic_leaf``, ``leaf_spine`` and
``spine_core``. A multi-plane fabric is ``planes`` copies of one tree, each carrying one share of
every GPU's NIC links. Counts are :func:`lightfabric.topology.clos.build_fat_tree` (Al-Fares,
Loukissas and Vahdat, "A scalable, commodity data center network architecture", SIGCOMM 2008).

Where the tiers stand: leaves by ``placement.leaf_location`` (a top-of-rack leaf serving more GPUs
than a rack holds stands amid the racks it serves), spines of two tiers and cores at the centre of
the site, spines of three tiers at the centre of their pod. Structured cabling runs the top tier of
a three-tier fabric through a fiber shuffle.

The same Clos machinery (:func:`clos_fabric`, :func:`clos_paths`) builds the rail fabrics.
"""

from __future__ import annotations

from dataclasses import dataclass

from lightfabric.errors import TopologyError
from lightfabric.placement import SITE_CENTRE, Location, amid, leaf_location
from lightfabric.topology.base import SWITCH, ClusterSpec, DeviceTier, Fabric, LinkClass, LinkLatency, Topology
from lightfabric.topology.clos import MAX_TIERS, FatTree, build_fat_tree, max_host_ports
from lightfabric.topology.clos_paths import ClosPaths, TreeShape
from lightfabric.topology.hosts import host_tiers
from lightfabric.topology.scale_up import scale_up_tiers


@dataclass(frozen=True)
class ClosNames:
    """What a Clos topology calls its switch tiers (from the leaf up), its link groups (from the hosts
    up) and its devices in reports."""

    tiers: tuple[str, str, str]
    groups: tuple[str, str, str]
    labels: tuple[str, str, str]


FAT_TREE_NAMES = ClosNames(("leaf", "spine", "core"), ("host-leaf", "leaf-spine", "spine-core"),
                           ("leaf switches", "spine switches", "core switches"))
_POLICY_KEYS = ("nic_leaf", "leaf_spine", "spine_core")


@dataclass(frozen=True)
class ClosDetail:
    """What a Clos fabric's path model needs: the cluster, one tree (one copy of one plane), how
    many disjoint copies of it a plane holds, and the names it uses."""

    spec: ClusterSpec
    tree: FatTree
    copies: int
    names: ClosNames
    gpus_per_leaf: float
    parallel: int = 1


def too_many_gpus(spec: ClusterSpec, error: TopologyError, leaves_per_gpu: float | None = None) -> TopologyError:
    """The user's error when the cluster does not fit the trees allowed: the most GPUs that do."""
    so = spec.scenario.scale_out
    tiers_max = MAX_TIERS if so.tiers == "auto" else int(so.tiers)
    per_gpu = spec.host_ports_per_gpu if leaves_per_gpu is None else leaves_per_gpu
    gpus_max = int(max_host_ports(spec.port.count, tiers_max, so.oversubscription, so.leaf_host_ports) // per_gpu)
    more_tiers = " or more tiers" if tiers_max < MAX_TIERS else ""
    return TopologyError.for_field(
        "cluster.gpus", spec.gpus,
        f"at most {gpus_max:,} GPUs with {spec.switch.id} at {so.port_rate_gbps:g}G (radix {spec.port.count}), "
        f"tiers {so.tiers}, oversubscription {so.oversubscription:g}, {spec.planes} plane(s); use a switch of "
        f"higher radix, a lower port rate, more planes or more oversubscription{more_tiers}",
        problem=str(error), location=spec.scenario.location("cluster", "gpus"))


def clos_fabric(topology: str, spec: ClusterSpec, tree: FatTree, names: ClosNames, *, leaf_at: Location,
                leaf_gpus: float, copies: int = 1, host_ports: int | None = None, leaf_scope: float | None = None,
                pod_span_gpus: float | None = None, extra: dict | None = None, notes: tuple[str, ...] = (),
                parallel: int = 1) -> Fabric:
    """The tiers and link groups of ``copies`` trees per plane, with the GPUs, NICs and scale-up.

    ``leaf_gpus``: GPUs whose NIC links end on one leaf (a failed leaf takes them out);
    ``leaf_scope``: the span of consecutive GPUs a leaf's traffic reaches (default ``leaf_gpus``);
    ``pod_span_gpus``: the consecutive GPUs under one pod (3 tiers); ``host_ports``: leaf ports in
    use per plane (default the tree's).
    """
    gpus, att, p, t = spec.gpus, spec.attachment, spec.planes, tree.tiers
    mult = copies * p
    counts = [n * mult for n in tree.switches_per_tier]
    links = [n * mult for n in tree.links_per_tier]
    if host_ports is not None:
        links[0] = host_ports * p
    scope = min(gpus, leaf_gpus if leaf_scope is None else leaf_scope)
    where = [leaf_at] + ([SITE_CENTRE] if t == 2 else [amid(pod_span_gpus or gpus), SITE_CENTRE])[:t - 1]
    tiers = host_tiers(spec)
    su_tiers, su_groups = scale_up_tiers(spec)
    tiers += su_tiers
    for i in range(t):
        if i == 0:
            cut, reach, above = min(gpus, leaf_gpus), scope, False
        elif i == 1 and t == 3:
            cut, reach, above = 0.0, min(gpus, links[1] / counts[1] * scope), True
        else:
            cut, reach, above = 0.0, float(gpus), True
        tiers.append(DeviceTier(names.tiers[i], SWITCH, spec.switch, counts[i], spec.port, where[i], names.labels[i],
                                gpus_cut=cut, scope_gpus=reach, above_first_switch=above,
                                ocs_replaceable=t > 1 and i == t - 1))
    groups = su_groups + [LinkClass(names.groups[0], _POLICY_KEYS[0], "nic", names.tiers[0], att.nic_links,
                                    att.nic_link_rate_gbps, links[0], label="NIC to first switch tier",
                                    breakout=att.breakout, gpu_link=True, bisection=t == 1)]
    for i in range(1, t):
        groups.append(LinkClass(names.groups[i], _POLICY_KEYS[i], names.tiers[i - 1], names.tiers[i], links[i],
                                spec.port.rate_gbps, links[i], label=f"{names.tiers[i - 1]} to {names.tiers[i]}",
                                shuffles=1 if (t == 3 and i == 2) else 0, bisection=True, above_first_switch=True))
    summary = {
        "tiers": t, "radix": tree.radix, "host_ports": links[0] // p, "max_host_ports": tree.max_host_ports,
        "leaf_ports_down": tree.leaf_split.down, "leaf_ports_up": tree.leaf_split.up if t > 1 else 0,
        "oversubscription": round(tree.oversubscription, 4), "switches": sum(counts),
        "switches_per_tier": counts, "links_per_tier": links, "ports_total": sum(counts) * tree.radix,
        "ports_used": links[0] + 2 * sum(links[1:]), "ports_spare": sum(counts) * tree.radix - links[0] - 2 * sum(links[1:]),
        "planes": p, "topology": topology, **(extra or {}),
    }
    detail = ClosDetail(spec, tree, copies, names, leaf_gpus, parallel)
    return Fabric(topology=topology, tiers=tuple(tiers), groups=tuple(groups), planes=p,
                  first_switch_gpus=float(min(gpus, scope)) if t > 1 else float(gpus), summary=summary,
                  notes=notes, detail=detail)


def clos_paths(fabric: Fabric, latency: LinkLatency, model: type[ClosPaths] = ClosPaths, *,
               gpus_per_leaf: int | None = None, notes: tuple[str, ...] = (), **fields) -> ClosPaths:
    """The path model of a Clos fabric built by :func:`clos_fabric` (``model`` may be a subclass that
    places GPUs differently; ``fields`` are its own)."""
    d: ClosDetail = fabric.detail
    spec, tree = d.spec, d.tree
    copies = d.copies // d.parallel      # parallel copies over the same GPUs are one of summed capacity
    hosts = -(-spec.gpus // copies)
    shape = TreeShape.of(tree, spec.host_ports_per_gpu * d.parallel, spec.port.rate_gbps, hosts, gpus_per_leaf)
    su = spec.scale_up
    names = d.names
    ocs = bool(latency.ocs_tiers)
    return model(gpus=spec.gpus, planes=spec.planes,
                 gpu_bw_gbps=spec.links_per_gpu_per_plane * spec.attachment.nic_link_rate_gbps,
                 domain_gpus=su.domain_gpus if su else None,
                 scale_up_bw_gbps=spec.scenario.scale_up.bandwidth_per_gpu_gbps / 2 if su else 0.0,
                 link_latency_s=dict(latency.link_s), scale_up_switch_latency_s=latency.switch("su-l1"),
                 scale_up_tiers=su.tiers if su else 1, notes=tuple(fabric.notes) + notes, shape=shape,
                 group_names=names.groups[:tree.tiers], copies=copies, parallel=d.parallel, top_is_ocs=ocs,
                 tier_switch_s=tuple(latency.switch(n) for n in names.tiers[:tree.tiers]), **fields)


class FatTreeTopology(Topology):
    name = "fat-tree"
    label = "Fat-tree (folded Clos), 1-3 tiers per plane"
    reference = "Al-Fares, Loukissas and Vahdat, SIGCOMM 2008"
    order = 10

    def build(self, spec: ClusterSpec) -> Fabric:
        so = spec.scenario.scale_out
        host_ports = -(-spec.attachment.nic_links // (spec.planes * spec.attachment.breakout))
        try:
            tree = build_fat_tree(host_ports, spec.port.count, so.tiers, so.oversubscription, so.leaf_host_ports)
        except TopologyError as e:
            raise too_many_gpus(spec, e) from None
        leaf_gpus = (tree.leaf_split.down if tree.tiers > 1 else tree.host_ports) / spec.host_ports_per_gpu
        pod_gpus = (spec.port.count // 2) * leaf_gpus if tree.tiers == 3 else None
        placement = spec.scenario.placement
        notes = ()
        if placement.leaf_location == "top-of-rack" and leaf_gpus > placement.gpus_per_rack:
            notes = (f"top-of-rack leaves serve {leaf_gpus:,.0f} GPUs each, {leaf_gpus / placement.gpus_per_rack:.1f} "
                     f"racks of {placement.gpus_per_rack}: each stands amid the racks it serves and its NIC links leave "
                     f"the rack (scale_out.leaf_host_ports makes a leaf serve one rack)",)
        return clos_fabric(self.name, spec, tree, FAT_TREE_NAMES, leaf_at=leaf_location(placement, leaf_gpus),
                           leaf_gpus=spec.gpus / tree.switches_per_tier[0], pod_span_gpus=pod_gpus, notes=notes)

    def paths(self, fabric: Fabric, latency: LinkLatency) -> ClosPaths:
        return clos_paths(fabric, latency)
