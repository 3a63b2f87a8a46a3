"""An explicit graph read from an InfraGraph file (``scale_out.topology: infragraph``, ``scale_out.graph:
PATH``): any fabric InfraGraph can describe (a Clos, a dragonfly from infragraph's blueprints, a
hand-made heterogeneous network) becomes a lightfabric fabric of tiers and link groups.

Mapping rules (docs/topologies.md; the file is expanded by :mod:`lightfabric.topology.infragraph_file`):

* a device with XPU components is a **host** (its GPUs: one per XPU component, in component order,
  hosts in instance order); any other device is a **switch** (one without a ``switch`` component is
  taken as one and the notes say so). A host's NIC serves the XPU its device's own edges join it to
  (else NIC ``k`` of ``M`` serves XPU ``floor(k X / M)``); a link may also end on an XPU itself.
* **tiers**: switches by their BFS distance (in links) from the hosts, split by instance; a tier is
  named after its instance (``instance-depth`` when an instance spans depths).
* **planes**: the networks the switches form without the hosts (connected components); they must
  be ``scale_out.planes``, each reaching every GPU with the same share of its NIC links.
* **link groups**: host-to-switch links per (switch tier, InfraGraph link), policy key ``nic_leaf``;
  switch-to-switch links per (lower tier, upper tier, InfraGraph link): ``leaf_spine`` up to depth 2
  (a dragonfly's local and global links between its one tier of routers), ``spine_core`` above; a
  lightfabric annotation's ``policy_key`` wins. A group is named after its InfraGraph link
  (``link/lower-upper`` when the link joins several tier pairs).
* **rates**: the link's bandwidth (Gb/s, or GB/s x 8) each way; a host link must run at the
  scenario's NIC link rate, a switch link at a port rate of both switches' parts, and a switch port
  carrying ``b`` NIC links is a breakout of ``b`` (the scenario's).
* **parts**: a switch device's part is the catalog id its annotation names (an annotation node of the
  device's name with ``part``, else the annotation's ``switch``), else the scenario's
  ``scale_out.switch``; GPUs, NICs and their count per GPU are the scenario's, checked against the
  graph (``cluster.gpus``, ``cluster.gpus_per_server``, NIC links per GPU).
* **lengths**: the annotation's length distribution of a group (``lightfabric export infragraph``
  writes it), else :func:`lightfabric.topology.graph_place.graph_lengths` places every device.
* **blast radius**: a first-tier switch takes out the GPUs directly attached to it (as a Clos leaf);
  a higher switch the GPUs that lose every path to the rest of its plane when it fails (a cut
  vertex), none otherwise.

A link's latency in the file is not used: the design's optics and lengths give it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from lightfabric.errors import LightfabricError, TopologyError
from lightfabric.placement import SITE_CENTRE, LengthStats, amid, leaf_location
from lightfabric.topology.base import SWITCH, ClusterSpec, DeviceTier, Fabric, LinkClass, LinkLatency, Topology
from lightfabric.topology.hosts import host_tiers
from lightfabric.topology.infragraph_file import NIC, XPU, InfraGraphFile, graph_error, read_graph
from lightfabric.topology.scale_up import scale_up_tiers

RESERVED = ("gpu", "nic", "su-l1", "su-l2", "scale-up", "scale-up-spine", "ocs")
CUT_VERTEX_MAX_EDGES = 400_000      # switch pairs above which cut vertices are not searched (noted)
LENGTH_KEYS = ("length_min_m", "length_mean_m", "length_p50_m", "length_p95_m", "length_max_m")
_ANALYSED: dict[int, tuple] = {}
EXAMPLE_GRAPH = Path(__file__).resolve().parents[1] / "examples" / "dragonfly-infragraph.graph.json"


@dataclass(frozen=True)
class GraphDetail:
    """What the graph's path model needs: one plane (the switches of plane 0, numbered 0..S-1),
    the GPU-to-switch links and the switch-to-switch links of that plane, each aggregated per pair of
    ends and group (capacity added), and the names of the groups and tiers they index."""

    spec: ClusterSpec
    switch_tier: np.ndarray          # (S,) tier index of each switch of the plane
    host_gpu: np.ndarray             # (H,) aggregated GPU-to-switch links
    host_switch: np.ndarray
    host_gbps: np.ndarray
    host_group: np.ndarray
    sw_u: np.ndarray                 # (E,) aggregated switch-to-switch links, u < v
    sw_v: np.ndarray
    sw_gbps: np.ndarray
    sw_group: np.ndarray
    group_names: tuple[str, ...]
    tier_names: tuple[str, ...]
    gpu_bw_gbps: float               # one GPU's links in one plane (the least of any GPU)


def _annotated_part(g: InfraGraphFile, device: str, instance: str) -> tuple[str | None, str]:
    ann = g.annotation or {}
    for name in (device, instance):
        part = (ann.get("nodes", {}).get(name) or {}).get("part")
        if part:
            return part, f"annotation node {name!r}"
    part = ann.get("graph", {}).get("switch")
    return (part, "the annotation's switch") if part else (None, "")


def _switch_part(spec: ClusterSpec, g: InfraGraphFile, device: str, instance: str):
    part_id, why = _annotated_part(g, device, instance)
    if part_id is None:
        return spec.switch, f"scale_out.switch ({spec.switch.id}): the graph's annotation names no part"
    if part_id == spec.switch.id:
        return spec.switch, f"{part_id}, named by {why}"
    if spec.catalog is None:
        raise TopologyError.for_field("scale_out.switch", spec.switch.id, part_id, problem=f"{why} names {part_id}")
    try:
        part = spec.catalog.get(part_id, kind="switch", field="part")
    except LightfabricError as e:
        raise TopologyError(f"{g.annotation_path}: {why}: {e}", field="scale_out.graph", value=part_id) from None
    return part, f"{part_id}, named by {why}"


def _components_depths(g: InfraGraphFile, is_host: np.ndarray):
    """Connected components of the device graph, BFS depth of every device from the hosts, and the
    planes (connected components of the switches alone)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components, shortest_path
    D = g.device_count
    a, b = g.end_dev[:, 0], g.end_dev[:, 1]
    adj = coo_matrix((np.ones(len(a)), (a, b)), shape=(D, D)).tocsr()
    n, labels = connected_components(adj, directed=False)
    if n > 1:
        sizes = np.bincount(labels)
        small = int(np.flatnonzero(labels != np.argmax(sizes))[0])
        raise graph_error(g.path, "edges", f"{n} parts", "a connected graph: every device reachable from every other",
                          problem=f"device {g.device_label(small)} is not joined to {g.device_label(int(np.argmax(labels == np.argmax(sizes))))}")
    # BFS from every host at once: a virtual node joined to all hosts
    hosts = np.flatnonzero(is_host)
    va = np.concatenate([a, np.full(len(hosts), D)])
    vb = np.concatenate([b, hosts])
    adj2 = coo_matrix((np.ones(len(va)), (va, vb)), shape=(D + 1, D + 1)).tocsr()
    depth = shortest_path(adj2, unweighted=True, directed=False, indices=D)[:D] - 1
    depth = depth.astype(np.int64)
    sw = ~is_host
    both = sw[a] & sw[b]
    sadj = coo_matrix((np.ones(int(both.sum())), (a[both], b[both])), shape=(D, D)).tocsr()
    _, plane_labels = connected_components(sadj, directed=False)
    # number planes by their first switch
    sw_ids = np.flatnonzero(sw)
    uniq, first = np.unique(plane_labels[sw_ids], return_index=True)
    order = np.argsort(sw_ids[first])
    rank = np.empty(len(uniq), dtype=np.int64)
    rank[order] = np.arange(len(uniq))
    plane = np.full(D, -1, dtype=np.int64)
    plane[sw_ids] = rank[np.searchsorted(uniq, plane_labels[sw_ids])]
    return depth, plane, len(uniq)


class InfraGraphTopology(Topology):
    name = "infragraph"
    label = "An explicit graph read from an InfraGraph file (scale_out.graph): Clos, dragonfly or hand-made"
    reference = "Keysight InfraGraph (infragraph 3.1); dragonfly: Kim, Dally, Scott and Abts, ISCA 2008"
    order = 60
    generated = False
    small_cluster_scenario = f"""
name: registry-infragraph
cluster: {{{{gpus: 1056, gpu: gb300, gpus_per_server: 4}}}}
scale_out: {{{{topology: infragraph, graph: {EXAMPLE_GRAPH}, switch: tomahawk-5, port_rate_gbps: 800, nic: connectx-8}}}}
placement: {{{{gpus_per_rack: 32}}}}
technologies: [{{technologies}}]
"""

    def build(self, spec: ClusterSpec) -> Fabric:
        sc = spec.scenario
        where = sc.location
        path = sc.scale_out.graph
        if path is None:
            raise TopologyError.for_field("scale_out.graph", None, "the path of an InfraGraph file (YAML or JSON), "
                                          "relative to the scenario file", problem="an infragraph fabric is read from "
                                          "a file", location=where("scale_out"))
        g = read_graph(path)
        fabric = _Builder(spec, g).fabric(self.name)
        ignored = [k for k in ("tiers", "oversubscription", "leaf_host_ports") if k in sc.scale_out.model_fields_set]
        if ignored:
            note = (f"scale_out.{', scale_out.'.join(ignored)} given: not used, the graph file sets the fabric's "
                    f"tiers and ports")
            fabric = replace(fabric, notes=fabric.notes + (note,))
        return fabric

    def paths(self, fabric: Fabric, latency: LinkLatency):
        from lightfabric.topology.graph_paths import graph_paths
        return graph_paths(fabric, latency)


class _Builder:
    """One fabric from one graph file (the steps of :meth:`InfraGraphTopology.build`)."""

    def __init__(self, spec: ClusterSpec, g: InfraGraphFile):
        self.spec, self.g = spec, g
        self.notes: list[str] = list(g.notes)
        defs = [g.devices[i.device] for i in g.instances]
        self.is_host = np.repeat(np.array([d.kind == "host" for d in defs]), [i.count for i in g.instances])
        xpus = np.repeat(np.array([d.xpus for d in defs], dtype=np.int64), [i.count for i in g.instances])
        self.gpu_base = np.concatenate([[0], np.cumsum(xpus)])[:-1]
        self.gpus = int(xpus.sum())
        self.xpus_per_host = sorted({d.xpus for d in defs if d.kind == "host"})

    # --- the steps -------------------------------------------------------------------------------
    def fabric(self, topology: str) -> Fabric:
        spec, g = self.spec, self.g
        self._check_hosts()
        host_link, gpu, sw_end = self._host_links()
        depth, plane, planes, radius = self._analysed(gpu, sw_end, host_link)
        self._check_planes(gpu[host_link], sw_end[host_link], plane, planes)
        tiers, tier_of = self._tiers(depth)
        groups, group_of, group_info = self._groups(host_link, tier_of, depth)
        parts = self._parts(tiers)
        ports = self._ports(tiers, parts, groups, group_info)
        from lightfabric.topology.graph_place import graph_lengths
        lengths, length_notes = self._lengths(groups, group_info)
        todo = [i for i, lc in enumerate(groups) if lc.name not in lengths]
        if todo:
            placed, rule = graph_lengths(spec.scenario.placement, self.gpus, self.g, gpu, sw_end, host_link,
                                         depth, group_of, [groups[i].name for i in todo], todo)
            lengths.update(placed)
            length_notes.append(rule)
        self.notes += length_notes + radius.notes
        device_tiers = host_tiers(spec)
        su_tiers, su_groups = scale_up_tiers(spec)
        device_tiers += su_tiers
        top = max(t["depth"] for t in tiers)
        top_tiers = [t for t in tiers if t["depth"] == top]
        same_level_top = any(info["lower"] == info["upper"] == top_tiers[0]["index"] for info in group_info
                             if info["kind"] == "switch") if len(top_tiers) == 1 else True
        for t, part, port in zip(tiers, parts, ports):
            members = t["devices"]
            cut = float(np.mean(radius.cut[members]))
            reach = float(np.mean(radius.below[members]))
            at = (leaf_location(spec.scenario.placement, max(reach, 1.0)) if t["depth"] == 1 else
                  (SITE_CENTRE if reach >= self.gpus else amid(max(reach, 1.0))))
            device_tiers.append(DeviceTier(t["name"], SWITCH, part[0], len(members), port, at,
                                           f"{t['name']} switches (depth {t['depth']})", gpus_cut=cut,
                                           scope_gpus=min(float(self.gpus), reach), above_first_switch=t["depth"] > 1,
                                           ocs_replaceable=top > 1 and t is top_tiers[0] and not same_level_top))
        first = [t for t in tiers if t["depth"] == 1]
        first_gpus = float(np.mean(np.concatenate([radius.below[t["devices"]] for t in first])))
        summary = self._summary(topology, tiers, parts, ports, groups, group_info, top, planes)
        detail = self._detail(tiers, tier_of, plane, gpu, sw_end, host_link, group_of, [lc.name for lc in groups])
        self.notes.insert(0, f"read {g.path}: {int(self.is_host.sum()):,} hosts of {self.xpus_per_host[0]} XPUs "
                             f"({self.gpus:,} GPUs), {sum(len(t['devices']) for t in tiers):,} switches in "
                             f"{len(tiers)} tier(s) by BFS depth from the hosts (deepest {top}), {len(g.link):,} links "
                             f"between devices (expanded with numpy; the link latencies in the file are not used: the "
                             f"design's optics and lengths give them)")
        return Fabric(topology=topology, tiers=tuple(device_tiers), groups=tuple(su_groups + groups),
                      planes=spec.planes, first_switch_gpus=min(float(self.gpus), first_gpus), summary=summary,
                      lengths=lengths, notes=tuple(dict.fromkeys(self.notes)), detail=detail)

    def _analysed(self, gpu, sw_end, host_link):
        """Depths, planes and blast radius: the graph's alone, so computed once a file."""
        from lightfabric.topology.graph_place import blast_radius
        hit = _ANALYSED.get(id(self.g))
        if hit is not None and hit[0] is self.g:
            return hit[1]
        depth, plane, planes = _components_depths(self.g, self.is_host)
        radius = blast_radius(self.g, gpu, sw_end, host_link, depth, plane, self.gpus, CUT_VERTEX_MAX_EDGES)
        if len(_ANALYSED) > 8:
            _ANALYSED.clear()
        _ANALYSED[id(self.g)] = (self.g, (depth, plane, planes, radius))
        return depth, plane, planes, radius

    def _check_hosts(self) -> None:
        spec, g = self.spec, self.g
        sc = spec.scenario
        if not self.is_host.any():
            raise graph_error(g.path, "devices", [d for d in g.devices], "at least one device with XPU components "
                              "(a host)", problem="no hosts: lightfabric connects GPUs")
        if self.gpus != spec.gpus:
            raise TopologyError.for_field("cluster.gpus", spec.gpus, f"{self.gpus:,}: the XPUs of the hosts in {g.path}",
                                          location=sc.location("cluster", "gpus"))
        if len(self.xpus_per_host) > 1:
            raise graph_error(g.path, "instances", self.xpus_per_host, "hosts of one size (the same number of XPUs)",
                              problem="lightfabric models servers of cluster.gpus_per_server GPUs each")
        per = self.xpus_per_host[0]
        if sc.cluster.gpus_per_server != per:
            raise TopologyError.for_field(
                "cluster.gpus_per_server", sc.cluster.gpus_per_server, f"{per}: the XPUs of each host in {g.path}",
                problem="taken from the GPU's platform when left out" if "gpus_per_server" not in
                sc.cluster.model_fields_set else None, location=sc.location("cluster", "gpus_per_server"))

    def _host_links(self):
        """Which links join a host, the GPU each serves and the switch at its other end."""
        g = self.g
        host_end = self.is_host[g.end_dev]
        both = host_end.all(axis=1)
        if both.any():
            i = int(np.flatnonzero(both)[0])
            raise graph_error(g.path, f"edges[{int(g.edge[i])}]", f"{g.device_label(int(g.end_dev[i, 0]))} to "
                              f"{g.device_label(int(g.end_dev[i, 1]))}", "links from a host to a switch, or between "
                              "switches", problem="a link between two hosts: scale-up links go in the scenario's "
                              "scale_up section")
        host_link = host_end.any(axis=1)
        rows = np.flatnonzero(host_link)
        side = np.where(host_end[rows, 0], 0, 1)
        hdev, hcomp = g.end_dev[rows, side], g.end_comp[rows, side]
        sw_end = g.end_dev[np.arange(len(g.link)), np.where(host_end[:, 0], 1, 0)]
        gpu = np.full(len(g.link), -1, dtype=np.int64)
        for inst_i, inst in enumerate(g.instances):
            d = g.devices[inst.device]
            if d.kind != "host":
                continue
            m = g.dev_instance[hdev] == inst_i
            if not m.any():
                continue
            comp = hcomp[m]
            types = np.asarray(d.types)[comp]
            bad = ~np.isin(types, (NIC, XPU))
            if bad.any():
                k = int(np.flatnonzero(m)[np.flatnonzero(bad)[0]])
                raise graph_error(g.path, f"edges[{int(g.edge[rows[k]])}]", f"{g.device_label(int(hdev[k]))} "
                                  f"component {types[bad][0]}", "a host's NIC or XPU component at a host's end of a link")
            owner = d.owner[comp]
            gpu[rows[m]] = self.gpu_base[hdev[m]] + owner
            if d.owner_rule == "position" and (types == NIC).any():
                self.notes.append(f"host device {d.name}: its own edges do not join each NIC to one XPU; NIC k of "
                                  f"{int((np.asarray(d.types) == NIC).sum())} serves XPU floor(k x {d.xpus} / "
                                  f"{int((np.asarray(d.types) == NIC).sum())}) (by position)")
        per_gpu = np.bincount(gpu[rows], minlength=self.gpus)
        if (per_gpu == 0).any():
            lonely = int(np.flatnonzero(per_gpu == 0)[0])
            raise graph_error(self.g.path, "edges", f"GPU {lonely}", "every XPU with a NIC link (or a link of its "
                              "own) into the network", problem="a GPU without a link to a switch")
        if per_gpu.min() != per_gpu.max():
            raise graph_error(self.g.path, "edges", f"{per_gpu.min()} to {per_gpu.max()} links a GPU",
                              "the same number of NIC links for every GPU")
        att = self.spec.attachment
        if per_gpu[0] != att.links_per_gpu:
            raise TopologyError.for_field(
                "scale_out.nics_per_gpu", self.spec.scenario.scale_out.nics_per_gpu,
                f"NICs whose links make the graph's {per_gpu[0]} link(s) a GPU ({self.g.path})",
                problem=f"the scenario gives {att.links_per_gpu} NIC link(s) a GPU ({att.links_per_nic} a NIC at "
                        f"{att.nic_link_rate_gbps:g}G)",
                location=self.spec.scenario.location("scale_out"))
        return host_link, gpu, sw_end

    def _check_planes(self, gpu, sw, plane, planes: int) -> None:
        spec = self.spec
        if planes != spec.planes:
            raise TopologyError.for_field(
                "scale_out.planes", spec.planes, f"{planes}: the switches of {self.g.path} form {planes} network(s) "
                f"joined only through the hosts", location=spec.scenario.location("scale_out", "planes"))
        counts = np.bincount(gpu * planes + plane[sw], minlength=self.gpus * planes).reshape(self.gpus, planes)
        if counts.min() != counts.max():
            raise graph_error(self.g.path, "edges", f"{counts.min()} to {counts.max()} links a GPU in a plane",
                              f"every GPU with the same number of links into each of the {planes} plane(s)")

    def _tiers(self, depth):
        g = self.g
        sw = np.flatnonzero(~self.is_host)
        inst = g.dev_instance[sw]
        keys = sorted({(int(d), int(i)) for d, i in zip(depth[sw], inst)})
        spans = Counter(i for _, i in keys)
        tiers, tier_of = [], np.full(g.device_count, -1, dtype=np.int64)
        for k, (d, i) in enumerate(keys):
            name = g.instances[i].name if spans[i] == 1 else f"{g.instances[i].name}-{d}"
            if name in RESERVED:
                name = f"{name}-switches"
            members = sw[(depth[sw] == d) & (inst == i)]
            tier_of[members] = k
            tiers.append({"name": name, "depth": d, "instance": i, "devices": members, "index": k})
        for d in g.devices.values():
            used = any(g.instances[t["instance"]].device == d.name for t in tiers)
            if used and d.kind == "switch" and not d.switch_components:
                self.notes.append(f"device {d.name} has no XPU and no switch component "
                                  f"({', '.join(sorted(set(d.types)))}): taken as a switch, since it joins devices")
        self._names = [t["name"] for t in tiers]
        self._tier_depth = [t["depth"] for t in tiers]
        return tiers, tier_of

    def _groups(self, host_link, tier_of, depth):
        g, spec = self.g, self.spec
        ann = (g.annotation or {}).get("links", {})
        a, b = g.end_dev[:, 0], g.end_dev[:, 1]
        ta, tb = tier_of[a], tier_of[b]
        # host links: the switch's tier; switch links: (lower, upper) tier by (depth, index)
        lower = np.where(host_link, -1, np.minimum(ta, tb))
        upper = np.where(host_link, np.maximum(ta, tb), np.maximum(ta, tb))
        key = np.stack([lower, upper, g.link], axis=1)
        uniq, group_of = np.unique(key, axis=0, return_inverse=True)
        group_of = group_of.ravel()
        tiers_by_index = self._names
        by_link = Counter(int(k[2]) for k in uniq)
        groups, info = [], []
        # host groups first, then switch groups from the lowest upper tier up (the top tier's last)
        order = sorted(range(len(uniq)), key=lambda j: (int(uniq[j][0]) >= 0, self._tier_depth[int(uniq[j][1])],
                                                         int(uniq[j][0]), int(uniq[j][1]), int(uniq[j][2])))
        rank = np.empty(len(uniq), dtype=np.int64)
        rank[np.array(order)] = np.arange(len(uniq))
        group_of = rank[group_of]
        uniq = uniq[np.array(order)]
        att = spec.attachment
        for j, (lo, up, li) in enumerate(uniq.tolist()):
            link = g.links[li]
            m = group_of == j
            count = int(m.sum())
            base = link.name if by_link[li] == 1 else f"{link.name}/{tiers_by_index[lo] if lo >= 0 else 'nic'}-{tiers_by_index[up]}"
            name = f"{base}-graph" if base in RESERVED else base
            attrs = ann.get(link.name, {}) if by_link[li] == 1 else {}
            if lo < 0:
                if abs(link.gbps - att.nic_link_rate_gbps) > 1e-9:
                    raise graph_error(g.path, f"links[{link.index}].physical.bandwidth", link.gbps,
                                      f"{att.nic_link_rate_gbps:g} Gb/s: the scenario's NIC link rate "
                                      f"({spec.nic.id} at scale_out.port_rate_gbps {spec.scenario.scale_out.port_rate_gbps:g})",
                                      problem=f"link {link.name!r} joins hosts to switches")
                rows = np.flatnonzero(m)
                sw_side = np.where(self.is_host[a[rows]], 1, 0)
                port_key = g.end_dev[rows, sw_side] * (int(g.end_comp.max()) + 1) + g.end_comp[rows, sw_side]
                _, per_port = np.unique(port_key, return_counts=True)
                breakout = int(per_port.max())
                if breakout != att.breakout:
                    raise TopologyError.for_field(
                        "scale_out.port_rate_gbps", spec.scenario.scale_out.port_rate_gbps,
                        f"a port rate at which a switch port takes {breakout} NIC link(s), as the ports of "
                        f"{g.path} do", problem=f"{spec.nic.id} at this rate breaks out {att.breakout} link(s) a port",
                        location=spec.scenario.location("scale_out", "port_rate_gbps"))
                lc = LinkClass(name, "nic_leaf", "nic", tiers_by_index[up], count, link.gbps, len(per_port),
                               label=f"NIC to {tiers_by_index[up]} ({link.name})", breakout=breakout, gpu_link=True,
                               shuffles=int(attrs.get("shuffles", 0)))
                info.append({"kind": "host", "lower": lo, "upper": up, "link": li})
            else:
                d_hi = self._tier_depth[up]
                key_ = attrs.get("policy_key") or ("leaf_spine" if d_hi <= 2 else "spine_core")
                if key_ not in ("leaf_spine", "spine_core", "nic_leaf", "scale_up"):
                    key_ = "leaf_spine" if d_hi <= 2 else "spine_core"
                lc = LinkClass(name, key_, tiers_by_index[lo], tiers_by_index[up], count, link.gbps, count,
                               label=f"{tiers_by_index[lo]} to {tiers_by_index[up]} ({link.name})",
                               shuffles=int(attrs.get("shuffles", 0)), bisection=True, above_first_switch=True)
                info.append({"kind": "switch", "lower": lo, "upper": up, "link": li})
            groups.append(lc)
        if not any(i["kind"] == "switch" for i in info):
            groups = [LinkClass(**{**lc.__dict__, "bisection": True}) for lc in groups]
        names = [lc.name for lc in groups]
        if len(set(names)) != len(names):  # pragma: no cover - names are made unique above
            raise graph_error(g.path, "links", names, "link names that give distinct groups")
        return groups, group_of, info

    def _ports(self, tiers, parts, groups, info):
        """Each tier's port configuration: its part's at the rate most of its links run at (the
        scenario's port when that is the part and rate), checking every group's rate and each
        switch's ports in use."""
        spec, g = self.spec, self.g
        rates: list[Counter] = [Counter() for _ in tiers]
        for lc, i in zip(groups, info):
            if i["kind"] == "host":
                rates[i["upper"]][lc.rate_gbps * lc.breakout] += lc.links
            else:
                rates[i["lower"]][lc.rate_gbps] += lc.links
                rates[i["upper"]][lc.rate_gbps] += lc.links
        ports = []
        for t, (part, _), r in zip(tiers, parts, rates):
            if part.id == spec.switch.id and spec.port.rate_gbps in r:
                ports.append(spec.port)
                continue
            rate = max(r, key=lambda x: (r[x], x))
            pc = next((pc for pc in part.port_configs if pc.rate_gbps == rate), None)
            if pc is None:
                raise graph_error(g.path, "links", f"{rate:g} Gb/s", f"{', '.join(f'{x:g}' for x in part.port_rates_gbps)} "
                                  f"Gb/s: port rates of {part.id}", problem=f"the links of tier {t['name']}")
            ports.append(pc)
        for lc, i in zip(groups, info):
            for end in (("upper",) if i["kind"] == "host" else ("lower", "upper")):
                part = parts[i[end]][0]
                rate = lc.rate_gbps * (lc.breakout if i["kind"] == "host" else 1)
                if rate not in part.port_rates_gbps:
                    link = g.links[i["link"]]
                    raise graph_error(g.path, f"links[{link.index}].physical.bandwidth", link.gbps,
                                      f"{', '.join(f'{x:g}' for x in part.port_rates_gbps)} Gb/s (port rates of "
                                      f"{part.id}, the part of tier {tiers[i[end]]['name']})",
                                      problem=f"link {link.name!r}" + (f" with a breakout of {lc.breakout}"
                                                                        if lc.breakout > 1 else ""))
        # ports in use on each switch against its part's radix at the tier's rate
        used = np.unique(np.concatenate([g.end_dev[:, 0] * (int(g.end_comp.max()) + 1) + g.end_comp[:, 0],
                                         g.end_dev[:, 1] * (int(g.end_comp.max()) + 1) + g.end_comp[:, 1]]))
        per_dev = np.bincount(used // (int(g.end_comp.max()) + 1), minlength=g.device_count)
        for t, pc, (part, _) in zip(tiers, ports, parts):
            most = int(per_dev[t["devices"]].max())
            if most > pc.count:
                dev = int(t["devices"][np.argmax(per_dev[t["devices"]])])
                raise graph_error(g.path, "edges", f"{g.device_label(dev)}: {most} ports in use",
                                  f"at most {pc.count} ports ({part.id} at {pc.rate_gbps:g}G)")
        return ports

    def _parts(self, tiers):
        out = []
        for t in tiers:
            inst = self.g.instances[t["instance"]]
            part, why = _switch_part(self.spec, self.g, inst.device, inst.name)
            out.append((part, why))
            self.notes.append(f"tier {t['name']} ({len(t['devices']):,} switches): part {why}")
        return out

    def _lengths(self, groups, info):
        """Length distributions the annotation gives (lightfabric's export writes them per link)."""
        ann = (self.g.annotation or {}).get("links", {})
        out: dict[str, LengthStats] = {}
        notes = []
        for lc, i in zip(groups, info):
            a = ann.get(self.g.links[i["link"]].name)
            if not a or "length_max_m" not in a or "length_mean_m" not in a or lc.name != self.g.links[i["link"]].name:
                continue
            try:
                mx, mean = float(a["length_max_m"]), float(a["length_mean_m"])
                full = all(k in a for k in LENGTH_KEYS)
                mn, p50, p95 = ((float(a["length_min_m"]), float(a["length_p50_m"]), float(a["length_p95_m"]))
                                if full else (mean, mean, mx))
                values = tuple(float(x) for x in a.get("length_values_m", "").split()) or (mean, mx)
                weights = tuple(float(x) for x in a.get("length_weights", "").split()) or (0.5, 0.5)
            except ValueError:
                raise graph_error(self.g.annotation_path, f"links[{lc.name}]", {k: a.get(k) for k in LENGTH_KEYS},
                                  "lengths in metres (numbers)") from None
            # the distribution, then the figures as written (exact: the annotation holds them at full precision)
            out[lc.name] = replace(LengthStats.from_samples(values, weights), min_m=mn, mean_m=mean, p50_m=p50,
                                   p95_m=p95, max_m=mx, source=a.get("length_source", "annotation"))
            if not full:
                notes.append(f"{lc.name}: the annotation gives only the longest and mean length; min and median "
                             f"taken as the mean, p95 as the longest")
        if out:
            notes.append(f"lengths of {', '.join(out)} from the annotation {self.g.annotation_path}")
        return out, notes

    # --- output ------------------------------------------------------------------------------------
    def _summary(self, topology, tiers, parts, ports, groups, info, top, planes) -> dict:
        per_tier = [len(t["devices"]) for t in tiers]
        host_ends = sum(lc.upper_ends for lc, i in zip(groups, info) if i["kind"] == "host")
        sw_links = [lc.links for lc, i in zip(groups, info) if i["kind"] == "switch"]
        total = sum(n * pc.count for n, pc in zip(per_tier, ports))
        used = host_ends + 2 * sum(sw_links)
        return {"topology": topology, "graph": self.g.path, "graph_name": self.g.name, "tiers": top,
                "tier_names": [t["name"] for t in tiers], "tier_depths": [t["depth"] for t in tiers],
                "switches": sum(per_tier), "switches_per_tier": per_tier, "links_per_tier": [host_ends] + sw_links,
                "radix": self.spec.port.count, "ports_total": total, "ports_used": used, "ports_spare": total - used,
                "planes": planes, "hosts": int(self.is_host.sum()), "graph_links": len(self.g.link),
                "parts": {t["name"]: p.id for t, (p, _) in zip(tiers, parts)}}

    def _detail(self, tiers, tier_of, plane, gpu, sw_end, host_link, group_of, group_names) -> GraphDetail:
        g = self.g
        p0 = np.flatnonzero(plane == 0)
        local = np.full(g.device_count, -1, dtype=np.int64)
        local[p0] = np.arange(len(p0))
        h = np.flatnonzero(host_link & (plane[sw_end] == 0))
        hg, hs, hgrp = gpu[h], local[sw_end[h]], group_of[h]
        gbps = np.array([g.links[i].gbps for i in g.link], dtype=float)
        hkey, hinv = np.unique(np.stack([hg, hs, hgrp], axis=1), axis=0, return_inverse=True)
        hcap = np.bincount(hinv.ravel(), weights=gbps[h])
        s = np.flatnonzero(~host_link & (plane[g.end_dev[:, 0]] == 0))
        u, v = local[g.end_dev[s, 0]], local[g.end_dev[s, 1]]
        lo, hi = np.minimum(u, v), np.maximum(u, v)
        skey, sinv = np.unique(np.stack([lo, hi, group_of[s]], axis=1), axis=0, return_inverse=True)
        scap = np.bincount(sinv.ravel(), weights=gbps[s])
        if len(s) == 0:
            skey = np.zeros((0, 3), dtype=np.int64)
        per_gpu = np.bincount(hkey[:, 0], weights=hcap, minlength=self.gpus)
        if per_gpu.min() != per_gpu.max():
            self.notes.append(f"GPUs have {per_gpu.min():g} to {per_gpu.max():g} Gb/s into a plane; the closed "
                              f"forms take the least")
        return GraphDetail(self.spec, tier_of[p0], hkey[:, 0], hkey[:, 1], hcap, hkey[:, 2], skey[:, 0], skey[:, 1],
                           scap, skey[:, 2], tuple(group_names), tuple(t["name"] for t in tiers),
                           float(per_gpu.min()))
