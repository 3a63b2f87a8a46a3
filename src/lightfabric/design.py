"""A scenario plus a technology policy gives a design: the fabric's link groups, the technology and
the optics of each, and the bill of materials.

Two steps:

* :func:`plan_fabric` resolves what every design shares (GPU, switches, port configuration, how
  NICs attach, the scale-out tree per plane, the scale-up domains, the placement and the length
  of every link group). A problem here is the user's input and raises a
  :class:`~lightfabric.errors.LightfabricError`.
* :func:`build_design` builds one design: each link group gets exactly one technology (named by
  the policy, or ``auto``: the lowest-cost (capex + energy) feasible one), with its physical checks. A technology
  that cannot serve a group gives ``feasible = False`` with the physical reason, never an exception.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import ceil

from lightfabric.catalog import (
    Catalog, CopperCable, ExternalLaserSource, FiberCable, FiberPart, Gpu, Nic, OpticalCircuitSwitch,
    OpticalEngine, PortConfig, SwitchAsic,
)
from lightfabric.errors import LightfabricError, TopologyError
from lightfabric.feasibility import check_group
from lightfabric.placement import LengthStats, link_lengths
from lightfabric.scenario.models import LINK_TECHNOLOGIES, Scenario, TechnologyPolicy
from lightfabric.technologies import REGISTRY, Endpoint, GroupEnds, GroupSpec, Infeasible, PortOptics
from lightfabric.topology.fat_tree import MAX_TIERS, FatTree, build_fat_tree, max_host_ports
from lightfabric.topology.rail import build_rail_optimized
from lightfabric.topology.scale_up import ScaleUpFabric, build_scale_up

OCS_PART = "palomar-ocs"
SHUFFLE_PART = "fiber-shuffle-48"
SHUFFLE_CONNECTOR = "mpo16-apc"
FAU_PART = "fau-engine"
PMF_PART = "pmf-jumper-8"
SCALE_OUT_GROUPS = ("host-leaf", "leaf-spine", "spine-core")
SWITCH_TIERS = ("leaf", "spine", "core")
POLICY_KEY = {"scale-up": "scale_up", "scale-up-spine": "scale_up", "host-leaf": "nic_leaf",
              "leaf-spine": "leaf_spine", "spine-core": "spine_core"}


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
    """What every design shares for one scenario."""

    scenario: Scenario
    catalog: Catalog
    gpu: Gpu
    switch: SwitchAsic
    nic: Nic
    port: PortConfig
    attachment: NicAttachment
    topology: FatTree                  # one plane
    planes: int
    lengths: dict[str, LengthStats]
    rail_group_servers: int | None = None
    scale_up: ScaleUpFabric | None = None
    scale_up_switch: SwitchAsic | None = None


@dataclass(frozen=True)
class LinkGroup:
    """Links of one group with one technology: the optics at each end and the medium."""

    name: str
    technology: str
    chosen_by: str                     # policy, list, auto, fallback
    links: int
    rate_gbps: float
    lengths: LengthStats
    lower_end: PortOptics
    upper_end: PortOptics | None       # None where the upper side is an optical circuit switch
    upper_end_count: int
    medium: FiberCable | CopperCable
    cables: int
    spec: GroupSpec

    @property
    def length_m(self) -> float:
        return self.lengths.max_m


@dataclass(frozen=True)
class BomLine:
    """``count`` of one part, with the power and price of one, split into categories."""

    part_id: str
    role: str
    count: float
    power_w_each: dict[str, float]
    cost_usd_each: dict[str, float]
    tier: str | None = None            # the device tier a part sits on (engines and laser sources)


@dataclass
class Design:
    technology: str                    # the design's id: a technology, or "policy"
    feasible: bool
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    plan: FabricPlan | None = None
    link_groups: list[LinkGroup] = field(default_factory=list)
    bom: list[BomLine] = field(default_factory=list)
    switch_port: PortOptics | None = None
    link_checks: list[dict] = field(default_factory=list)
    policy: dict = field(default_factory=dict)
    ocs: dict | None = None


# --- the plan ---------------------------------------------------------------------------------

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


def _scale_out_tree(scenario: Scenario, port: PortConfig, att: NicAttachment, planes: int,
                    switch: SwitchAsic) -> tuple[FatTree, int | None]:
    so = scenario.scale_out
    if att.nic_links % planes:
        raise TopologyError.for_field(
            "scale_out.planes", planes, f"a divisor of the {att.nic_links // att.nics} NIC links per NIC "
            f"({att.links_per_nic} x {att.nic_link_rate_gbps:g}G)", problem="NIC links do not spread evenly",
            location=scenario.location("scale_out", "planes"))
    leaf_ports = ceil(att.nic_links / planes / att.breakout)
    try:
        if so.topology == "rail-optimized":
            gps = scenario.cluster.gpus_per_server
            servers = ceil(scenario.cluster.gpus / gps)
            rails = gps * so.nics_per_gpu * att.links_per_nic // planes
            tree, per_group = build_rail_optimized(servers, rails, att.breakout, port.count, so.tiers,
                                                   so.oversubscription)
            return tree, per_group
        return build_fat_tree(leaf_ports, port.count, so.tiers, so.oversubscription), None
    except TopologyError as e:
        tiers_max = MAX_TIERS if so.tiers == "auto" else int(so.tiers)
        leaf_ports_per_gpu = so.nics_per_gpu * att.links_per_nic / att.breakout / planes
        gpus_max = int(max_host_ports(port.count, tiers_max, so.oversubscription) // leaf_ports_per_gpu)
        more_tiers = " or more tiers" if tiers_max < MAX_TIERS else ""
        raise TopologyError.for_field(
            "cluster.gpus", scenario.cluster.gpus,
            f"at most {gpus_max:,} GPUs with {switch.id} at {so.port_rate_gbps:g}G (radix {port.count}), "
            f"tiers {so.tiers}, oversubscription {so.oversubscription:g}, {planes} plane(s); use a switch of "
            f"higher radix, a lower port rate, more planes or more oversubscription{more_tiers}",
            problem=str(e), location=scenario.location("cluster", "gpus")) from None


def plan_fabric(scenario: Scenario, catalog: Catalog) -> FabricPlan:
    """Resolve parts, port configuration, NIC attachment, topologies and lengths for ``scenario``.

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
    planes = so.planes
    topology, rail_servers = _scale_out_tree(scenario, port, attachment, planes, switch)

    su = su_switch = None
    if scenario.scale_up is not None:
        sc_up = scenario.scale_up
        su_switch = catalog.get(sc_up.switch, kind="switch", field="scale_up.switch")
        su_port = su_switch.port_configs[0]
        su = build_scale_up(scenario.cluster.gpus, sc_up.domain_gpus, sc_up.bandwidth_per_gpu_gbps,
                            su_port.rate_gbps, su_port.count, su_switch.systems_per_tray)

    ports_per_gpu = so.nics_per_gpu * attachment.links_per_nic / attachment.breakout / planes
    leaf_gpus = topology.leaf_split.down / ports_per_gpu if topology.tiers > 1 else topology.host_ports / ports_per_gpu
    pod_gpus = (port.count // 2) * leaf_gpus if topology.tiers == 3 else None
    rail_gpus = rail_servers * scenario.cluster.gpus_per_server if rail_servers else None
    lengths = link_lengths(scenario.placement, scenario.cluster.gpus,
                           domain_gpus=su.domain_gpus if su else None, scale_up_tiers=su.tiers if su else 1,
                           leaf_gpus=leaf_gpus, pod_gpus=pod_gpus, tiers=topology.tiers,
                           rail_group_gpus=rail_gpus)
    fixed = so.link_length_m
    if fixed is not None:
        lengths["host-leaf"] = LengthStats.fixed(fixed.nic_leaf_m)
        lengths["leaf-spine"] = LengthStats.fixed(fixed.leaf_spine_m)
        lengths["spine-core"] = LengthStats.fixed(fixed.spine_core_m)
    return FabricPlan(scenario=scenario, catalog=catalog, gpu=gpu, switch=switch, nic=nic, port=port,
                      attachment=attachment, topology=topology, planes=planes, lengths=lengths,
                      rail_group_servers=rail_servers, scale_up=su, scale_up_switch=su_switch)


def group_specs(plan: FabricPlan, ocs_spine: bool) -> list[GroupSpec]:
    """The link groups of the plan. With an OCS spine the top switch tier is replaced by optical
    circuit switches: the links below it keep their lower-end optics and lose the upper end."""
    sc, topo, p = plan.scenario, plan.topology, plan.planes
    passes = sc.physical.ocs_passes
    tier_names = SWITCH_TIERS[:topo.tiers]
    counts = _tier_devices(plan, ocs_spine=False)
    specs: list[GroupSpec] = []
    if plan.scale_up is not None:
        su, sw = plan.scale_up, plan.scale_up_switch
        su_port = sw.port_configs[0]
        gpu_ep = Endpoint("gpu", "gpu", plan.gpu, counts["gpu"], su_port)
        l1_ep = Endpoint("switch", "su-l1", sw, counts["su-l1"], su_port)
        specs.append(GroupSpec("scale-up", "scale_up", su.gpu_links, su_port.rate_gbps, plan.lengths["scale-up"],
                               gpu_ep, l1_ep, su.gpu_links, ocs_passes=passes.get("scale-up", 0)))
        if su.spine_links:
            l2_ep = Endpoint("switch", "su-l2", sw, counts["su-l2"], su_port)
            specs.append(GroupSpec("scale-up-spine", "scale_up", su.spine_links, su_port.rate_gbps,
                                   plan.lengths["scale-up-spine"], l1_ep, l2_ep, su.spine_links,
                                   ocs_passes=passes.get("scale-up-spine", 0)))
    att, port, nic = plan.attachment, plan.port, plan.nic
    nic_port = PortConfig(count=att.links_per_nic, rate_gbps=att.nic_link_rate_gbps,
                          lane_rate_gbps=nic.serdes_lane_rate_gbps)
    nic_ep = Endpoint("nic", "nic", nic, counts["nic"], nic_port)
    eps = {n: Endpoint("switch", n, plan.switch, counts[n], port) for n in tier_names}
    top = tier_names[-1]
    if ocs_spine:
        if topo.tiers == 1:
            raise Infeasible("an OCS spine needs at least two tiers; this fabric is a single switch")
        ocs = plan.catalog.get(OCS_PART, kind="ocs")
        eps[top] = Endpoint("ocs", "ocs", ocs, 0, port)
    host_links = topo.links_per_tier[0] * att.breakout * p
    specs.append(GroupSpec("host-leaf", "nic_leaf", min(host_links, att.nic_links), att.nic_link_rate_gbps,
                           plan.lengths["host-leaf"], nic_ep, eps["leaf"], topo.links_per_tier[0] * p,
                           breakout=att.breakout, ocs_passes=passes.get("host-leaf", 0)))
    for i, name in enumerate(("leaf-spine", "spine-core")[:topo.tiers - 1]):
        lower, upper = eps[tier_names[i]], eps[tier_names[i + 1]]
        links = topo.links_per_tier[i + 1] * p
        extra = 1 if (ocs_spine and upper.kind == "ocs") else 0
        # structured cabling of a three-tier fabric runs its top tier through a fiber shuffle
        shuffles = 1 if (topo.tiers == 3 and name == "spine-core" and not extra) else 0
        specs.append(GroupSpec(name, POLICY_KEY[name], links, port.rate_gbps, plan.lengths[name], lower, upper,
                               links, ocs_passes=passes.get(name, 0) + extra, shuffles=shuffles))
    return specs


# --- one design -------------------------------------------------------------------------------

def _group_cost_usd(plan: FabricPlan, spec: GroupSpec, ends: GroupEnds) -> float:
    """Capex plus energy of one group's ends and medium: what ``auto`` minimises."""
    from lightfabric.metrics.cost import energy_cost_usd  # metrics imports this module
    eco = plan.scenario.economics
    n_upper = spec.upper_ends if ends.upper is not None else 0
    capex = spec.links * ends.lower.cost_usd + n_upper * (ends.upper.cost_usd if ends.upper else 0.0)
    capex += ends.cables * _medium_price(ends.medium, spec.lengths.mean_m)
    power = spec.links * ends.lower.power_w + n_upper * (ends.upper.power_w if ends.upper else 0.0)
    return capex + float(energy_cost_usd(power, eco.electricity_usd_per_kwh, eco.pue, eco.years))


def _medium_price(medium, mean_length_m: float) -> float:
    if isinstance(medium, FiberCable):
        return medium.price_usd_fixed + medium.price_usd_per_m * mean_length_m
    return medium.price_usd


def _try(plan: FabricPlan, spec: GroupSpec, tech: str) -> tuple[GroupEnds | None, dict | None, str | None]:
    """Build and check one group with one technology: (ends, physical check, reason if infeasible)."""
    try:
        ends = REGISTRY[tech].ends(plan.catalog, spec)
    except Infeasible as e:
        return None, None, str(e)
    check = check_group(plan, spec, tech, ends)
    if not check["feasible"]:
        return ends, check, "; ".join(check["reasons"])
    return ends, check, None


def _choose(plan: FabricPlan, spec: GroupSpec, candidates) -> tuple[str, GroupEnds, dict] | tuple[None, str, None]:
    """The lowest-cost (capex + energy) feasible technology among ``candidates`` for ``spec``."""
    best, why = None, []
    for t in candidates:
        ends, check, reason = _try(plan, spec, t)
        if reason:
            why.append(f"{t}: {reason}")
            continue
        cost = _group_cost_usd(plan, spec, ends)
        if best is None or cost < best[0]:
            best = (cost, t, ends, check)
    if best is None:
        return None, "no technology can build these links: " + " | ".join(why), None
    return best[1], best[2], best[3]


def build_design(plan: FabricPlan, design_id: str) -> Design:
    """Build one design: ``design_id`` is a technology (used everywhere it is feasible), ``ocs``
    (an OCS spine, links auto), or ``policy`` (the scenario's per-tier policy)."""
    sc = plan.scenario
    if design_id == "policy":
        policy = sc.technology
    elif design_id == "ocs":
        policy = TechnologyPolicy(scale_up="auto", spine_switch="ocs")
    else:
        policy = TechnologyPolicy(scale_up=design_id, nic_leaf=design_id, leaf_spine=design_id,
                                  spine_core=design_id)
    design = Design(technology=design_id, feasible=True, plan=plan, policy=policy.model_dump())
    ocs_spine = policy.spine_switch == "ocs"
    try:
        specs = group_specs(plan, ocs_spine)
    except Infeasible as e:
        design.feasible = False
        design.reasons.append(str(e))
        return design

    listed = design_id not in ("policy", "ocs")
    used_listed = False
    listed_reasons: list[str] = []
    for spec in specs:
        wanted = getattr(policy, spec.policy_key)
        if wanted == "auto":
            tech, ends, check = _choose(plan, spec, LINK_TECHNOLOGIES)
            how = "auto"
        else:
            ends, check, reason = _try(plan, spec, wanted)
            tech, how = wanted, ("list" if listed else "policy")
            if reason and listed:
                listed_reasons.append(f"{spec.name} links: {reason}")
                tech, ends, check = _choose(plan, spec, LINK_TECHNOLOGIES)
                how = "fallback"
                if tech is not None:
                    design.notes.append(f"{spec.name} links: {wanted} is not feasible ({reason}); built with {tech}, "
                                        f"the lowest-cost (capex + energy) feasible technology")
            elif reason:
                tech = None
                ends = f"{wanted} cannot build them: {reason}"
            else:
                used_listed = used_listed or listed
        if tech is None:
            design.feasible = False
            design.reasons.append(f"{spec.name} links: {ends}")
            continue
        design.notes.extend(ends.notes)
        design.link_groups.append(LinkGroup(spec.name, tech, how, spec.links, spec.rate_gbps, spec.lengths,
                                            ends.lower, ends.upper, spec.upper_ends if ends.upper else 0,
                                            ends.medium, ends.cables, spec))
        design.link_checks.append({**check, "technology": tech, "chosen_by": how})
    if listed and not used_listed:
        design.feasible = False
        design.reasons = listed_reasons or design.reasons
    if not design.feasible:
        return design

    groups = design.link_groups
    switch_groups = [g for g in groups if g.name in SCALE_OUT_GROUPS and g.upper_end is not None]
    design.switch_port = switch_groups[-1].upper_end if switch_groups else groups[-1].lower_end
    design.bom = _bill_of_materials(plan, groups, ocs_spine)
    if ocs_spine:
        o = design.ocs = _ocs_summary(plan, groups, design.bom)
        design.notes.append(
            f"OCS spine: {o['ocs_units']:,.0f} optical circuit switches replace {o['removed_switches']:,} switches "
            f"and the {o['removed_optics']:,} optics at their ports; the {o['uplinks']:,} uplinks keep their "
            f"{o['lower_end_optics']} optics ({o['fiber_pairs_per_uplink']} fiber pair(s) each) and close "
            f"their budget through one {o['loss_db_per_pass']:g} dB pass")
    return design


# --- bill of materials --------------------------------------------------------------------------

def shuffle_ports(catalog: Catalog, shuffle: FiberPart) -> int:
    """MPO ports of a fiber shuffle: its fibers over those of the trunk connector."""
    return shuffle.fibers // catalog.get(SHUFFLE_CONNECTOR, kind="connector").fibers


def _tier_devices(plan: FabricPlan, ocs_spine: bool) -> dict[str, int]:
    """Devices of every tier (switch tiers across all planes) that link ends sit on."""
    topo, p = plan.topology, plan.planes
    names = SWITCH_TIERS[:topo.tiers]
    out = {n: c * p for n, c in zip(names, topo.switches_per_tier)}
    if ocs_spine:
        out.pop(names[-1])
    out["nic"] = plan.attachment.nics
    out["gpu"] = plan.scenario.cluster.gpus
    if plan.scale_up is not None:
        su = plan.scale_up
        out["su-l1"] = su.first_tier_chips
        if su.tiers > 1:
            out["su-l2"] = su.switch_chips - su.first_tier_chips
    return out


def _engine_lines(plan: FabricPlan, groups: list[LinkGroup], devices: dict[str, int]) -> list[BomLine]:
    """Engines and laser sources, per device tier. A switch tier whose every port group is
    co-packaged is a CPO switch: it carries all its engines and lasers, used or not."""
    cat = plan.catalog
    ends_at: dict[str, list[tuple[PortOptics, int]]] = {}
    for g in groups:
        ends_at.setdefault(g.spec.lower.tier, []).append((g.lower_end, g.links))
        if g.upper_end is not None:
            ends_at.setdefault(g.spec.upper.tier, []).append((g.upper_end, g.upper_end_count))
    lines: list[BomLine] = []
    for tier, ends in ends_at.items():
        n_dev = devices.get(tier, 0)
        engine_ends = [(e, n) for e, n in ends if e.kind in ("cpo", "npo", "oio")]
        if not engine_ends or not n_dev:
            continue
        per_engine: dict[str, list[tuple[PortOptics, int]]] = {}
        for e, n in engine_ends:
            per_engine.setdefault(e.part_id, []).append((e, n))
        whole_switch = (tier not in ("gpu", "nic") and len(per_engine) == 1
                        and len(engine_ends) == len(ends) and engine_ends[0][0].kind == "cpo")
        for engine_id, items in per_engine.items():
            engine = cat.get(engine_id, kind="optical-engine")
            assert isinstance(engine, OpticalEngine)
            els = cat.get(engine.laser_source, kind="laser-source")
            assert isinstance(els, ExternalLaserSource)
            if whole_switch:
                switch = plan.switch if tier in SWITCH_TIERS else plan.scale_up_switch
                per_dev_engines = ceil(switch.capacity_gbps / engine.capacity_gbps - 1e-9)
                per_dev_lasers = switch.capacity_gbps / engine.lane_rate_gbps / engine.lanes_per_laser
            else:
                share = sum(e.parts_per_end * n for e, n in items) / n_dev
                per_dev_engines = ceil(share - 1e-9)
                per_dev_lasers = sum(e.lasers * n for e, n in items) / n_dev
            per_dev_els = ceil(per_dev_lasers / els.lasers - 1e-9)
            where = "every switch" if whole_switch else f"per {tier}"
            lines.append(BomLine(engine.id, f"{engine.technology} engines at {tier} ({where})",
                                 n_dev * per_dev_engines, {"optics": engine.power_w}, {"optics": engine.price_usd},
                                 tier=tier))
            lines.append(BomLine(els.id, f"external laser sources at {tier}", n_dev * per_dev_els,
                                 {"lasers": els.power_w}, {"lasers": els.price_usd}, tier=tier))
            fau = cat.get(FAU_PART, kind="fiber-part")
            pmf = cat.get(PMF_PART, kind="fiber-part")
            assert isinstance(fau, FiberPart) and isinstance(pmf, FiberPart)
            lines.append(BomLine(fau.id, f"fiber array units of the {tier} engines",
                                 n_dev * per_dev_engines * engine.fiber_array_units, {}, {"fiber": fau.price_usd},
                                 tier=tier))
            lines.append(BomLine(pmf.id, f"PM fiber jumpers from the {tier} laser sources",
                                 n_dev * per_dev_els * ceil(els.lasers / pmf.fibers), {}, {"fiber": pmf.price_usd},
                                 tier=tier))
    return lines


def _bill_of_materials(plan: FabricPlan, groups: list[LinkGroup], ocs_spine: bool) -> list[BomLine]:
    cat, switch, nic = plan.catalog, plan.switch, plan.nic
    devices = _tier_devices(plan, ocs_spine)
    n_switches = sum(n for t, n in devices.items() if t in SWITCH_TIERS)
    lines = [
        BomLine(switch.id, "scale-out switches", n_switches,
                {"switch_asics": switch.asic_power_w, "switch_systems": switch.system_overhead_w},
                {"switches": switch.system_price_usd}),
        BomLine(nic.id, "NICs", plan.attachment.nics, {"nics": nic.power_w}, {"nics": nic.price_usd}),
    ]
    if plan.scale_up is not None:
        sw = plan.scale_up_switch
        lines.append(BomLine(sw.id, "scale-up switch chips", plan.scale_up.switch_chips,
                             {"switch_asics": sw.asic_power_w, "switch_systems": sw.system_overhead_w},
                             {"switches": sw.system_price_usd}))
    lines += _engine_lines(plan, groups, devices)
    mean = {g.name: g.lengths.mean_m for g in groups}
    for g in groups:
        for optics, count, side in ((g.lower_end, g.links, "lower end"), (g.upper_end, g.upper_end_count, "upper end")):
            if optics is not None and optics.kind == "module":
                lines.append(BomLine(optics.part_id, f"{g.name} links, {side}", ceil(count * optics.parts_per_end - 1e-9),
                                     {"optics": optics.power_w / optics.parts_per_end},
                                     {"optics": optics.cost_usd / optics.parts_per_end}))
        if isinstance(g.medium, CopperCable):
            c = g.medium
            lines.append(BomLine(c.id, f"{g.name} links, copper ({c.variant})", g.cables,
                                 {"optics": 2 * c.power_w_per_end}, {"cables": c.price_usd}))
        else:
            lines.append(BomLine(g.medium.id, f"{g.name} links, mean {mean[g.name]:.1f} m", g.cables, {},
                                 {"fiber": _medium_price(g.medium, mean[g.name])}))
        if g.spec.shuffles and not isinstance(g.medium, CopperCable):
            shuffle = cat.get(SHUFFLE_PART, kind="fiber-part")
            lines.append(BomLine(shuffle.id, f"{g.name} fiber shuffles",
                                 ceil(g.links * g.spec.shuffles / shuffle_ports(cat, shuffle)),
                                 {}, {"fiber": shuffle.price_usd}))
    if ocs_spine:
        ocs = cat.get(OCS_PART, kind="ocs")
        assert isinstance(ocs, OpticalCircuitSwitch)
        top = [g for g in groups if g.spec.upper_is_ocs][0]
        ports = top.links * top.lower_end.fiber_pairs * (1 if ocs.circulators else 2)
        lines.append(BomLine(ocs.id, f"optical circuit switches for {top.name} ({top.lower_end.fiber_pairs} "
                                     f"fiber pair(s) per uplink)", ceil(ports / (2 * ocs.ports)),
                             {"switch_systems": ocs.power_w}, {"switches": ocs.price_usd}))
    return lines


def _ocs_summary(plan: FabricPlan, groups: list[LinkGroup], bom: list[BomLine]) -> dict:
    """What the OCS spine removes (top-tier switches and their optics) and what it still needs."""
    ocs = plan.catalog.get(OCS_PART, kind="ocs")
    top = [g for g in groups if g.spec.upper_is_ocs][0]
    topo = plan.topology
    removed_switches = topo.switches_per_tier[-1] * plan.planes
    units = next(line.count for line in bom if line.part_id == ocs.id)
    return {
        "ocs": ocs.id, "ocs_units": units, "uplinks": top.links,
        "ocs_ports_used": top.links * top.lower_end.fiber_pairs,
        "fiber_pairs_per_uplink": top.lower_end.fiber_pairs,
        "removed_switches": removed_switches,
        "removed_optics": top.links,
        "kept_lower_end_optics": top.links, "lower_end_optics": top.lower_end.part_id,
        "reconfiguration_ms": ocs.reconfiguration_ms, "loss_db_per_pass": ocs.loss_db,
        "note": ("the OCS removes the top switch tier and the optics at its ports; every uplink below "
                 "it keeps its optics (co-packaged or pluggable), which must now close the link budget "
                 "through the OCS: OCS and CPO are complements, not rivals"),
    }
