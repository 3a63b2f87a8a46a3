"""A scenario plus a technology gives a design: the fabric's link groups, the optics at each end,
and the bill of materials.

Two steps:

* :func:`plan_fabric` resolves what all technologies share (the GPU, the switch and its port
  configuration, how NICs attach, the fat-tree's counts). A problem here is the user's input and
  raises a :class:`~lightfabric.errors.LightfabricError`.
* :func:`build_design` builds one technology on that plan. A technology that cannot serve a link
  gives a design with ``feasible = False`` and the reasons, never an exception.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import ceil

from lightfabric.catalog import Catalog, FiberCable, Gpu, Nic, PortConfig, SwitchAsic
from lightfabric.errors import LightfabricError, TopologyError
from lightfabric.feasibility import check_design
from lightfabric.scenario.models import Scenario
from lightfabric.technologies import Infeasible, LinkNeed, PortOptics, get_technology
from lightfabric.topology.fat_tree import MAX_TIERS, FatTree, build_fat_tree, max_host_ports


@dataclass(frozen=True)
class NicAttachment:
    """How NICs reach the leaf: link rate, links per NIC, and NIC links per leaf port (breakout)."""

    nic_link_rate_gbps: float
    links_per_nic: int
    breakout: int
    nics: int
    nic_links: int
    leaf_ports: int


@dataclass(frozen=True)
class FabricPlan:
    """What every technology shares for one scenario."""

    scenario: Scenario
    catalog: Catalog
    gpu: Gpu
    switch: SwitchAsic
    nic: Nic
    port: PortConfig
    attachment: NicAttachment
    topology: FatTree


@dataclass(frozen=True)
class LinkGroup:
    """Links of one tier with the same rate, length and optics at each end."""

    name: str
    links: int
    rate_gbps: float
    length_m: float
    lower_end: PortOptics          # NIC end for host-leaf, lower switch for switch links
    upper_end: PortOptics          # switch end
    upper_end_count: int           # optics at the upper end (leaf ports; fewer than links with breakout)
    fiber: FiberCable


@dataclass(frozen=True)
class BomLine:
    """``count`` of one part, with the power and price of one, split into categories."""

    part_id: str
    role: str                        # what the line is for, e.g. "leaf-spine links, switch end"
    count: float
    power_w_each: dict[str, float]   # category -> W
    cost_usd_each: dict[str, float]  # category -> USD


@dataclass
class Design:
    technology: str
    feasible: bool
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    plan: FabricPlan | None = None
    link_groups: list[LinkGroup] = field(default_factory=list)
    bom: list[BomLine] = field(default_factory=list)
    switch_port: PortOptics | None = None
    link_checks: list[dict] = field(default_factory=list)


def _attach_nics(scenario: Scenario, switch: SwitchAsic, nic: Nic) -> NicAttachment:
    """Decide how NIC ports meet switch ports at the scenario's port rate."""
    rate = scenario.scale_out.port_rate_gbps
    nic_rates = nic.port_rates_gbps
    top = max(nic_rates)
    if rate in nic_rates:
        cfg = next(pc for pc in nic.port_configs if pc.rate_gbps == rate)
        link_rate, links_per_nic, breakout = rate, cfg.count, 1
    elif rate > top and rate % top == 0:
        link_rate, links_per_nic, breakout = top, 1, int(rate // top)
    else:
        ok = sorted({r for r in switch.port_rates_gbps
                     if r in nic_rates or (r > top and r % top == 0)})
        raise LightfabricError.for_field(
            "scale_out.port_rate_gbps", rate,
            f"{', '.join(f'{r:g}' for r in ok) or 'none'} (rates of {switch.id} that {nic.id} "
            f"can attach to: its ports run {', '.join(f'{r:g}' for r in nic_rates)}G, or break out a faster switch port)",
            problem=f"{nic.id} cannot attach to {rate:g}G switch ports",
            location=scenario.location("scale_out", "port_rate_gbps"))
    nics = scenario.cluster.gpus * scenario.scale_out.nics_per_gpu
    nic_links = nics * links_per_nic
    return NicAttachment(nic_link_rate_gbps=link_rate, links_per_nic=links_per_nic, breakout=breakout,
                         nics=nics, nic_links=nic_links, leaf_ports=ceil(nic_links / breakout))


def plan_fabric(scenario: Scenario, catalog: Catalog) -> FabricPlan:
    """Resolve parts, port configuration, NIC attachment and the fat-tree for ``scenario``.

    ``catalog`` must already carry the scenario's overrides.
    """
    so = scenario.scale_out
    gpu = catalog.get(scenario.cluster.gpu, kind="gpu", field="cluster.gpu")
    switch = catalog.get(so.switch, kind="switch", field="scale_out.switch")
    nic_id = so.nic or gpu.default_nic
    if nic_id is None:
        raise LightfabricError.for_field("scale_out.nic", None, f"a NIC id: {', '.join(catalog.ids('nic'))}",
                                         problem=f"GPU {gpu.id} has no default NIC")
    nic = catalog.get(nic_id, kind="nic", field="scale_out.nic")
    port = switch.port_config(so.port_rate_gbps)
    if port is None:
        raise LightfabricError.for_field(
            "scale_out.port_rate_gbps", so.port_rate_gbps,
            f"{', '.join(pc.label() for pc in switch.port_configs)} (port configurations of {switch.id})",
            problem=f"{switch.id} has no {so.port_rate_gbps:g}G ports",
            location=scenario.location("scale_out", "port_rate_gbps"))
    attachment = _attach_nics(scenario, switch, nic)
    try:
        topology = build_fat_tree(attachment.leaf_ports, port.count, so.tiers, so.oversubscription)
    except TopologyError as e:
        tiers_max = MAX_TIERS if so.tiers == "auto" else int(so.tiers)
        leaf_ports_per_gpu = so.nics_per_gpu * attachment.links_per_nic / attachment.breakout
        gpus_max = int(max_host_ports(port.count, tiers_max, so.oversubscription) // leaf_ports_per_gpu)
        more_tiers = " or more tiers" if tiers_max < MAX_TIERS else ""
        raise TopologyError.for_field(
            "cluster.gpus", scenario.cluster.gpus,
            f"at most {gpus_max:,} GPUs with {switch.id} at {so.port_rate_gbps:g}G (radix {port.count}), "
            f"tiers {so.tiers}, oversubscription {so.oversubscription:g}; use a switch of higher radix, "
            f"a lower port rate or more oversubscription{more_tiers}",
            problem=str(e), location=scenario.location("cluster", "gpus")) from None
    return FabricPlan(scenario=scenario, catalog=catalog, gpu=gpu, switch=switch, nic=nic, port=port,
                      attachment=attachment, topology=topology)


def _fiber_for(catalog: Catalog, optics: PortOptics) -> FiberCable:
    medium = "mmf" if optics.interface == "SR" else "smf"
    cables = [f for f in catalog.of_kind(FiberCable) if f.medium == medium and f.fibers >= 2 * optics.optical_lanes]
    if not cables:
        raise Infeasible(f"no {medium} fiber cable in the catalog carries {2 * optics.optical_lanes} fibers")
    return min(cables, key=lambda f: (f.price_usd_per_m, f.price_usd_fixed, f.id))


def build_design(plan: FabricPlan, technology: str) -> Design:
    """Build the fabric of ``plan`` with one technology: link groups, optics and bill of materials."""
    tech = get_technology(technology)
    sc, cat, switch, nic, port = plan.scenario, plan.catalog, plan.switch, plan.nic, plan.port
    att, topo = plan.attachment, plan.topology
    lengths = sc.scale_out.link_length_m
    design = Design(technology=technology, feasible=True, plan=plan)

    try:
        tech.check_switch(switch)
        groups: list[LinkGroup] = []
        # host-leaf: the NIC end faces a leaf port that may break out to several NIC links
        host_need = LinkNeed(rate_gbps=port.rate_gbps, lane_rate_gbps=port.lane_rate_gbps,
                             length_m=lengths.nic_leaf_m, breakout=att.breakout, group="host-leaf")
        leaf_end = tech.switch_end(cat, switch, port, host_need)
        nic_need = LinkNeed(rate_gbps=att.nic_link_rate_gbps, lane_rate_gbps=nic.serdes_lane_rate_gbps,
                            length_m=lengths.nic_leaf_m, group="host-leaf")
        nic_end, note = tech.nic_end(cat, nic, nic_need, leaf_end)
        if note:
            design.notes.append(note)
        groups.append(LinkGroup("host-leaf", att.nic_links, att.nic_link_rate_gbps, lengths.nic_leaf_m,
                                nic_end, leaf_end, att.leaf_ports, _fiber_for(cat, nic_end)))
        tier_lengths = (lengths.leaf_spine_m, lengths.spine_core_m)
        for i, links in enumerate(topo.links_per_tier[1:]):
            name = ("leaf-spine", "spine-core")[i]
            need = LinkNeed(rate_gbps=port.rate_gbps, lane_rate_gbps=port.lane_rate_gbps,
                            length_m=tier_lengths[i], group=name)
            end = tech.switch_end(cat, switch, port, need)
            groups.append(LinkGroup(name, links, port.rate_gbps, tier_lengths[i], end, end, links,
                                    _fiber_for(cat, end)))
        per_switch = tech.per_switch_parts(cat, switch, port)
    except Infeasible as e:
        design.feasible = False
        design.reasons.append(str(e))
        return design

    design.link_groups = groups
    design.switch_port = groups[1].upper_end if len(groups) > 1 else groups[0].upper_end
    design.bom = _bill_of_materials(plan, groups, per_switch)
    check_design(design)
    return design


def _bill_of_materials(plan: FabricPlan, groups: list[LinkGroup], per_switch: dict[str, int]) -> list[BomLine]:
    cat, switch, nic, topo = plan.catalog, plan.switch, plan.nic, plan.topology
    lines = [
        BomLine(switch.id, "switches", topo.switches,
                {"switch_asics": switch.asic_power_w, "switch_systems": switch.system_overhead_w},
                {"switches": switch.system_price_usd}),
        BomLine(nic.id, "NICs", plan.attachment.nics, {"nics": nic.power_w}, {"nics": nic.price_usd}),
    ]
    for part_id, per in per_switch.items():
        part = cat.get(part_id)
        if part.kind == "optical-engine":
            lines.append(BomLine(part_id, "co-packaged engines, every switch", topo.switches * per,
                                 {"optics": part.power_w}, {"optics": part.price_usd}))
        else:
            lines.append(BomLine(part_id, "external laser sources, every switch", topo.switches * per,
                                 {"lasers": part.power_w}, {"lasers": part.price_usd}))
    for g in groups:
        for optics, count, side in ((g.lower_end, g.links, "NIC end" if g.name == "host-leaf" else "lower end"),
                                    (g.upper_end, g.upper_end_count, "switch end" if g.name == "host-leaf" else "upper end")):
            if optics.kind == "module":   # co-packaged optics are counted per switch above
                lines.append(BomLine(optics.part_id, f"{g.name} links, {side}", count,
                                     {"optics": optics.power_w}, {"optics": optics.cost_usd}))
        fiber_each = g.fiber.price_usd_fixed + g.fiber.price_usd_per_m * g.length_m
        lines.append(BomLine(g.fiber.id, f"{g.name} links, {g.length_m:g} m", g.links, {}, {"fiber": fiber_each}))
    return lines
