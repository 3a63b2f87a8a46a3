"""A design as an InfraGraph infrastructure (Keysight's "infrastructure as a graph", the topology
format ASTRA-sim 3.0 reads), built and validated with the ``infragraph`` package's own API.

What is written: devices (a GPU server of ``gpus_per_server`` XPUs and their NIC ports; a switch
per tier with its ASIC and ports), instances (servers, leaves, spines, cores over every plane), one
link per link group (bandwidth each way, one link's latency from the design's optics and
propagation), and the edges between ports. InfraGraph expands an edge's endpoints, written in
Python slice notation (``leaf[3]`` / ``port[32:64]``), instance by instance and component by
component, and joins the two lists one to one: so an edge is written per leaf (or per server and
plane) with slices, not per link, and a 65,536-GPU fabric takes thousands of edge objects, not a
million. What InfraGraph has no field for (technology, part ids, lengths, power, price) goes into
an InfraGraph ``Annotation`` of the links and the graph, written beside the infrastructure.

Wiring (one plane; every plane a copy): GPU ``g``'s ``r``-th NIC link of the plane goes to port
``i * Lp + r`` (``i``: its place under its leaf, ``Lp`` links a GPU a plane; divided by the
breakout) of its leaf; in two tiers leaf ``l``'s uplink ``q`` goes to spine ``(l u + q) mod S``,
port ``(l u + q) div S`` (``u`` uplinks, ``S`` spines: each spine's ports filled in order); in
three tiers leaf ``i`` of pod ``p`` takes port ``i`` of each of its pod's ``u`` spines, and spine
``j`` of pod ``p`` spreads its uplinks over the cores of group ``j``, port ``p x`` (uplinks per core)
``+ r div`` (cores of the group). The simulator's path model (:mod:`lightfabric.topology.clos_paths`)
places GPUs under leaves the same way.

Not expressed (the annotation says so): the scale-up domain's wiring (NVLink switch trays), OCS
circuits, and topologies other than the fat-tree (refused with the field named). The annotation
carries each group's lengths at full precision, policy key and shuffles and each switch device's
part, so that ``scale_out.topology: infragraph`` reads the design back exactly
(:mod:`lightfabric.topology.infragraph`).
"""

from __future__ import annotations

from math import ceil

from lightfabric import __version__
from lightfabric.errors import LightfabricError

SUPPORTED_TOPOLOGIES = ("fat-tree",)
TIER_DEVICES = {"leaf": "leaf-switch", "spine": "spine-switch", "core": "core-switch"}


def _ig():
    try:
        import infragraph
    except ImportError as e:  # pragma: no cover - a declared dependency
        raise LightfabricError("InfraGraph export needs the infragraph package: pip install infragraph") from e
    return infragraph


def _check(design) -> None:
    fabric = design.fabric
    if fabric.topology not in SUPPORTED_TOPOLOGIES:
        raise LightfabricError.for_field("scale_out.topology", fabric.topology, ", ".join(SUPPORTED_TOPOLOGIES),
                                         problem="InfraGraph export writes the wiring of fat-trees so far")
    if design.ocs is not None:
        raise LightfabricError.for_field("--technology", design.technology, "a design without an OCS spine",
                                         problem="InfraGraph has no circuits: an OCS spine's wiring depends on its "
                                                 "circuit configuration")


class _Edges:
    """Edges of one infrastructure, added with their endpoints' slices."""

    def __init__(self, infra, ig):
        self.infra, self.ig, self.count = infra, ig, 0

    def add(self, link: str, inst1: str, comp1: str, inst2: str, comp2: str, many: bool = False) -> None:
        e = self.infra.edges.add(scheme=self.ig.InfrastructureEdge.MANY2MANY if many else
                                 self.ig.InfrastructureEdge.ONE2ONE, link=link)
        e.ep1.instance, e.ep1.component = inst1, comp1
        e.ep2.instance, e.ep2.component = inst2, comp2
        self.count += 1


def _device(ig, name: str, description: str, parts: list[tuple[str, int, str]], internal: list[tuple], link: str):
    """A device of ``parts`` (component name, count, choice) joined inside by ``internal`` edges
    (component slice, component slice) over its one internal link."""
    d = ig.Device(name=name, description=description)
    for comp, count, choice in parts:
        c = d.components.add(name=comp, description=comp, count=count)
        c.choice = choice
    d.links.add(name=link, description=f"inside {name}")
    for a, b in internal:
        e = d.edges.add(scheme=ig.DeviceEdge.MANY2MANY, link=link)
        e.ep1.component, e.ep2.component = a, b
    return d


def infrastructure(design):
    """``design`` (a feasible fat-tree design of :func:`lightfabric.compare`) as an
    ``infragraph.Infrastructure`` and its ``infragraph.Annotation``; LightfabricError naming the
    field for what InfraGraph cannot express."""
    from lightfabric.netsim.topo import topo_of

    _check(design)
    ig = _ig()
    plan, fabric = design.plan, design.fabric
    sc = plan.scenario
    d = fabric.detail
    tree, spec = d.tree, d.spec
    topo = topo_of(design)
    gpus, gps = sc.cluster.gpus, sc.cluster.gpus_per_server
    servers = ceil(gpus / gps)
    P, L, b = plan.planes, plan.attachment.links_per_gpu, plan.attachment.breakout
    Lp = L // P
    k = spec.port.count
    tiers = tree.tiers
    counts = tree.switches_per_tier          # one plane
    down = tree.leaf_split.down
    infra = ig.Infrastructure(name=sc.name, description=f"{sc.name}: {plan.headline()}; design {design.technology} "
                                                           f"(lightfabric {__version__})")
    group_names = [g.name for g in fabric.groups if not g.scale_up]
    latency = topo.link_latency_s
    for g in fabric.groups:
        if g.scale_up:
            continue
        link = infra.links.add(name=g.name, description=g.label or g.name)
        link.physical.bandwidth.gigabits_per_second = g.rate_gbps
        link.physical.latency.ns = round(latency.get(g.name, 0.0) * 1e9, 3)
    server = _device(ig, "gpu-server", f"{gps} x {plan.gpu.id}, {L} x {plan.nic.id} link(s) each",
                     [("xpu", gps, ig.Component.XPU), ("nic", gps * L, ig.Component.NIC)],
                     [(f"xpu[{i}]", f"nic[{i * L}:{(i + 1) * L}]") for i in range(gps)], "pcie")
    infra.devices.append(server)
    infra.instances.add(name="server", device="gpu-server", count=servers)
    names = [t.name for t in fabric.switch_tiers]
    for t, name in enumerate(names):
        dev = _device(ig, TIER_DEVICES[name], f"{plan.switch.id}, {k} x {spec.port.rate_gbps:g}G",
                      [("asic", 1, ig.Component.SWITCH), ("port", k, ig.Component.PORT)], [("asic[0]", f"port[0:{k}]")],
                      "asic-port")
        infra.devices.append(dev)
        infra.instances.add(name=name, device=TIER_DEVICES[name], count=counts[t] * P)
    edges = _Edges(infra, ig)
    _host_edges(edges, topo, group_names[0], gpus, gps, L, Lp, P, b, counts[0])
    if tiers >= 2:
        _leaf_spine_edges(edges, tree, group_names[1], P, down, counts, topo.shape)
    if tiers == 3:
        _spine_core_edges(edges, tree, group_names[2], P, counts, topo.shape)
    return infra, _annotation(ig, design, edges.count)


def _host_edges(edges: _Edges, topo, link: str, gpus: int, gps: int, L: int, Lp: int, P: int, b: int, leaves: int):
    """NIC ports of each server to its GPUs' leaves, per plane: one edge per (server, leaf) where a
    GPU has one link a plane and no breakout, one per leaf port with breakout, else one per NIC link."""
    import numpy as np
    g = np.arange(gpus)
    leaf, idx = topo.leaf_of(g), topo.index_in_leaf(g)
    for p in range(P):
        start = 0
        while start < gpus:
            s, lf = start // gps, int(leaf[start])
            if Lp == 1 and b == 1 and start % gps == 0:
                # whole servers under one leaf, in order: one edge for all of them (server-major expansion)
                end = start
                while end < gpus and leaf[end] == lf and (end == start or idx[end] == idx[end - 1] + 1):
                    end += 1
                whole = (end - start) // gps * gps
                if whole >= 2 * gps:
                    edges.add(link, f"server[{s}:{s + whole // gps}]", f"nic[{p}:{gps * L}:{L}]",
                              f"leaf[{p * leaves + lf}]", f"port[{int(idx[start])}:{int(idx[start]) + whole}]")
                    start += whole
                    continue
            stop = start + 1
            while stop < gpus and stop // gps == s and leaf[stop] == lf and idx[stop] == idx[stop - 1] + 1:
                stop += 1
            i0, i1 = start - s * gps, stop - s * gps
            inst2 = f"leaf[{p * leaves + lf}]"
            if Lp == 1 and b == 1:
                first = i0 * L + p
                edges.add(link, f"server[{s}]", f"nic[{first}:{(i1 - 1) * L + p + 1}:{L}]" if L > 1 else f"nic[{i0}:{i1}]",
                          inst2, f"port[{int(idx[start])}:{int(idx[start]) + (i1 - i0)}]")
            elif Lp == 1:
                # a breakout port joins b NIC links: one many-to-one edge a port
                for port in range(int(idx[start]) // b, (int(idx[stop - 1])) // b + 1):
                    gi = [i for i in range(i0, i1) if int(idx[s * gps + i]) // b == port]
                    edges.add(link, f"server[{s}]", f"nic[{gi[0] * L + p}:{gi[-1] * L + p + 1}:{L}]",
                              inst2, f"port[{port}]", many=True)
            else:
                for i in range(i0, i1):
                    for r in range(Lp):
                        port = (int(idx[s * gps + i]) * Lp + r) // b
                        edges.add(link, f"server[{s}]", f"nic[{i * L + p * Lp + r}]", inst2, f"port[{port}]")
            start = stop


def _leaf_spine_edges(edges: _Edges, tree, link: str, P: int, down: int, counts, shape):
    u = tree.leaf_split.up
    leaves, spines = counts[0], counts[1]
    for p in range(P):
        for lf in range(leaves):
            if tree.tiers == 2:
                q = 0
                while q < u:
                    glob = lf * u + q
                    sp, port = glob % spines, glob // spines
                    n = min(u - q, spines - sp)
                    edges.add(link, f"leaf[{p * leaves + lf}]", f"port[{down + q}:{down + q + n}]",
                              f"spine[{p * spines + sp}:{p * spines + sp + n}]", f"port[{port}]")
                    q += n
            else:
                pod, i = divmod(lf, shape.leaves_per_pod)
                first = p * spines + pod * u
                edges.add(link, f"leaf[{p * leaves + lf}]", f"port[{down}:{down + u}]", f"spine[{first}:{first + u}]",
                          f"port[{i}]")


def _spine_core_edges(edges: _Edges, tree, link: str, P: int, counts, shape):
    """Spine ``j`` of pod ``p`` to the cores of group ``j``: its ``n`` uplinks (one per leaf of its
    pod) spread over the group's cores, core port ``p x`` (links per core and spine) ``+ r div g``."""
    u, lpp = shape.spines_per_pod, shape.leaves_per_pod
    leaves, spines, cores = counts
    if cores % u:
        # fewer cores than a pod's spines (a small three-tier tree): each spine's uplinks fill the cores'
        # ports in turn, as a two-tier tree's leaves fill its spines
        for p in range(P):
            done = 0                        # uplinks of this plane's spines so far
            for t in range(spines):
                n_up = min(lpp, leaves - (t // u) * lpp)
                r = 0
                while r < n_up:
                    glob = done + r
                    core, port = glob % cores, glob // cores
                    n = min(n_up - r, cores - core)
                    edges.add(link, f"spine[{p * spines + t}]", f"port[{lpp + r}:{lpp + r + n}]",
                              f"core[{p * cores + core}:{p * cores + core + n}]", f"port[{port}]")
                    r += n
                done += n_up
        return
    gc = cores // u                         # cores of a group
    per_core = ceil(lpp / gc)               # links between a spine and one core of its group
    for p in range(P):
        for t in range(spines):
            pod, j = divmod(t, u)
            n_up = min(lpp, leaves - pod * lpp)     # a spine of a last, partial pod has fewer leaves
            r = 0
            while r < n_up:
                n = min(gc, n_up - r)
                first = p * cores + j * gc
                edges.add(link, f"spine[{p * spines + t}]", f"port[{lpp + r}:{lpp + r + n}]",
                          f"core[{first}:{first + n}]", f"port[{pod * per_core + r // gc}]")
                r += n


def _annotation(ig, design, edge_objects: int):
    """What InfraGraph has no field for: per link group its technology, the parts at each end and
    the medium, lengths, power and price of one link; for the graph, the design's totals."""
    a = ig.Annotation()

    def put(target, **values):
        attrs = target if isinstance(target, ig.AnnotationAttributeIter) else target.attributes
        for key, value in values.items():
            if value is not None:
                attrs.add(attribute=key, value=str(value))

    for g in design.link_groups:
        if g.spec.scale_up:
            continue
        link = a.links.add(name=g.name)
        up = g.upper_end
        power_w = g.lower_end.power_w + (up.power_w if up else 0.0)
        L = g.lengths
        spec = design.fabric.group(g.name)
        # lengths at full precision (repr), with their distribution: read back, they give the same design
        put(link, technology=g.technology, chosen_by=g.chosen_by, links=g.links, lower_end_part=g.lower_end.part_id,
            upper_end_part=up.part_id if up else "none (circuit switch)", medium_part=g.medium.id,
            policy_key=spec.policy_key, shuffles=spec.shuffles,
            length_max_m=repr(float(L.max_m)), length_mean_m=repr(float(L.mean_m)), length_min_m=repr(float(L.min_m)),
            length_p50_m=repr(float(L.p50_m)), length_p95_m=repr(float(L.p95_m)), length_source=L.source,
            length_values_m=" ".join(repr(float(v)) for v in L.values_m) or None,
            length_weights=" ".join(repr(float(w)) for w in L.weights) or None,
            ends_power_w=round(power_w, 4), ends_price_usd=round(g.lower_end.cost_usd + (up.cost_usd if up else 0.0), 2))
    plan = design.plan
    for t in design.fabric.switch_tiers:
        node = a.nodes.add(name=TIER_DEVICES[t.name])
        put(node, part=t.part.id, tier=t.name)
    su = plan.scale_up
    put(a.graph, generator=f"lightfabric {__version__}", scenario=plan.scenario.name, design=design.technology,
        topology=design.fabric.topology, gpus=plan.scenario.cluster.gpus, gpu=plan.gpu.id, nic=plan.nic.id,
        switch=plan.switch.id, planes=plan.planes, edge_objects=edge_objects,
        gpus_per_server=plan.scenario.cluster.gpus_per_server,
        not_expressed=("the scale-up domain's wiring: " + f"{su.domain_gpus} GPUs a domain at "
                       f"{plan.scenario.scale_up.bandwidth_per_gpu_gbps:g} Gb/s a GPU") if su else None)
    return a


def write(design, path, fmt: str) -> tuple[str, str]:
    """Write the infrastructure to ``path`` and its annotation beside it (``<stem>.annotations.<ext>``),
    in ``yaml`` or ``json``; both validated by the ``infragraph`` package first. Returns the two paths."""
    from pathlib import Path
    infra, annotation = infrastructure(design)
    ig = _ig()
    enc = ig.Infrastructure.YAML if fmt == "yaml" else ig.Infrastructure.JSON
    p = Path(path)
    if not p.parent.is_dir():
        raise LightfabricError.for_field("--output", str(path), "a file in an existing directory",
                                         problem=f"no directory {str(p.parent)!r}")
    ann = p.with_name(f"{p.stem}.annotations{p.suffix}")
    p.write_text(infra.serialize(encoding=enc))
    ann.write_text(annotation.serialize(encoding=enc))
    return str(p), str(ann)


def networkx_graph(infra):
    """The infrastructure as InfraGraph's own service expands it (a networkx graph of components)."""
    from infragraph.infragraph_service import InfraGraphService
    service = InfraGraphService()
    service.set_graph(infra)
    return service.get_networkx_graph()
