"""What every design of a scenario shares: the parts, how NICs attach, the topology's fabric, and the
length of every link group.

A problem here is the user's input and raises a :class:`~lightfabric.errors.LightfabricError`
naming the field (an unknown part, a port rate the switch lacks, planes the NICs cannot feed, a
cluster the topology cannot hold).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from math import ceil

from lightfabric.catalog import Catalog, Gpu, Nic, OpticalCircuitSwitch, PortConfig, SwitchAsic
from lightfabric.errors import LightfabricError
from lightfabric.placement import LengthStats, link_lengths
from lightfabric.scenario.models import Scenario
from lightfabric.technologies import Endpoint, GroupSpec, Infeasible
from lightfabric.topology.base import GPU, NIC, ClusterSpec, Fabric, NicAttachment
from lightfabric.topology.registry import get_topology
from lightfabric.topology.scale_up import ScaleUpFabric, build_scale_up

# the fixed lengths of ``scale_out.link_length_m``, by the policy key of the groups they apply to
FIXED_LENGTH_KEYS = {"nic_leaf": "nic_leaf_m", "leaf_spine": "leaf_spine_m", "spine_core": "spine_core_m"}


@dataclass(frozen=True)
class FabricPlan:
    """What every design shares for one scenario."""

    scenario: Scenario
    catalog: Catalog
    gpu: Gpu
    switch: SwitchAsic | None          # None: a fabric of direct chip-to-chip links (a torus)
    nic: Nic | None
    port: PortConfig                   # the switch port, or the chips' own direct-link port
    attachment: NicAttachment | None
    fabric: Fabric
    planes: int
    scale_up: ScaleUpFabric | None = None
    scale_up_switch: SwitchAsic | None = None
    defaults: tuple[str, ...] = ()          # values the scenario left out, taken from the catalog, named

    @property
    def lengths(self) -> dict[str, LengthStats]:
        return self.fabric.lengths

    def headline(self) -> str:
        """The cluster in one line: GPUs, NIC, switch and port, topology (a torus: cubes, slices, OCS)."""
        sc, so = self.scenario, self.scenario.scale_out
        head = f"{sc.cluster.gpus:,} x {self.gpu.id}"
        if self.switch is None:
            s = self.fabric.summary
            return (f"{head}, {so.topology} of {s.get('cubes', '?')} cubes of {s.get('cube', '?')}, slices "
                    f"{', '.join(s.get('slices', []))}, direct links {self.port.label()}, OCS {so.ocs}")
        return (f"{head}, {self.nic.id} ({self.attachment.nic_link_rate_gbps:g}G), {self.switch.id} at "
                f"{self.port.rate_gbps:g}G (radix {self.port.count}), {so.topology}, oversubscription "
                f"{so.oversubscription:g}")

    @property
    def ocs(self) -> OpticalCircuitSwitch:
        """The optical circuit switch the scenario names (``scale_out.ocs``) for any OCS in its designs."""
        return self.catalog.get(self.scenario.scale_out.ocs, kind="ocs", field="scale_out.ocs")


def attach_nics(scenario: Scenario, switch: SwitchAsic, nic: Nic) -> NicAttachment:
    """How NIC ports meet switch ports at the scenario's port rate: at the NIC's own rate, or a faster
    switch port broken out to several NIC links."""
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
    gpus = scenario.cluster.gpus
    nics = gpus * scenario.scale_out.nics_per_gpu
    nic_links = nics * links_per_nic
    return NicAttachment(nic_link_rate_gbps=link_rate, links_per_nic=links_per_nic, breakout=breakout,
                         nics=nics, nic_links=nic_links, leaf_ports=ceil(nic_links / breakout), gpus=gpus)


def check_planes(scenario: Scenario, attachment: NicAttachment, nic: Nic) -> int:
    """A plane carries an equal share of every GPU's NIC links, so ``planes`` must divide the NIC
    links of one GPU (``nics_per_gpu`` x the NIC's links at the port rate)."""
    planes = scenario.scale_out.planes
    per_gpu = attachment.links_per_gpu
    if per_gpu % planes:
        ok = [d for d in range(1, per_gpu + 1) if per_gpu % d == 0]
        raise LightfabricError.for_field(
            "scale_out.planes", planes,
            f"{', '.join(map(str, ok))}: a divisor of the {per_gpu} NIC link{'s' if per_gpu != 1 else ''} per GPU "
            f"({scenario.scale_out.nics_per_gpu} x {nic.id} with {attachment.links_per_nic} x "
            f"{attachment.nic_link_rate_gbps:g}G); more NICs per GPU or a lower port rate give more links",
            problem="every plane must carry a link of every GPU", location=scenario.location("scale_out", "planes"))
    return planes


def _fixed_lengths(scenario: Scenario, fabric: Fabric, lengths: dict[str, LengthStats]) -> dict[str, LengthStats]:
    fixed = scenario.scale_out.link_length_m
    if fixed is None:
        return lengths
    out = dict(lengths)
    for g in fabric.groups:
        key = FIXED_LENGTH_KEYS.get(g.policy_key)
        if key:
            out[g.name] = LengthStats.fixed(getattr(fixed, key))
    return out


def _check_ocs_passes(scenario: Scenario, fabric: Fabric) -> None:
    names = [g.name for g in fabric.groups]
    for group in scenario.physical.ocs_passes:
        if group not in names:
            raise LightfabricError.for_field(
                f"physical.ocs_passes.{group}", group, f"a link group of this {fabric.topology} fabric: {', '.join(names)}",
                problem="unknown link group", location=scenario.location("physical", "ocs_passes", group))


def plan_fabric(scenario: Scenario, catalog: Catalog) -> FabricPlan:
    """Resolve parts, port configuration, NIC attachment, the topology's fabric and its lengths.

    ``catalog`` must already carry the scenario's overrides.
    """
    so = scenario.scale_out
    topology = get_topology(so.topology)
    gpu = catalog.get(scenario.cluster.gpu, kind="gpu", field="cluster.gpu")
    if not topology.switched:
        return _plan_switchless(scenario, catalog, topology, gpu)
    scenario, defaults = platform_defaults(scenario, gpu)
    for key, value in (("switch", so.switch), ("port_rate_gbps", so.port_rate_gbps)):
        if value is None:
            raise LightfabricError.for_field(
                f"scale_out.{key}", None, "a switch id from the catalog" if key == "switch" else
                "a port rate of the switch in Gb/s, e.g. 400, 800, 1600",
                problem=f"the {so.topology} topology is built of switches", location=scenario.location("scale_out"))
    switch = catalog.get(so.switch, kind="switch", field="scale_out.switch")
    nic_id = so.nic or gpu.default_nic
    if nic_id is None:
        raise LightfabricError.for_field("scale_out.nic", None, f"a NIC id: {', '.join(catalog.ids('nic'))}",
                                         problem=f"GPU {gpu.id} has no default NIC")
    nic = catalog.get(nic_id, kind="nic", field="scale_out.nic")
    port, why = switch_port_for_nic(switch, nic, so.port_rate_gbps)
    if why:
        defaults = (*defaults, why)
    if port is None:
        raise LightfabricError.for_field(
            "scale_out.port_rate_gbps", so.port_rate_gbps,
            f"{', '.join(pc.label() for pc in switch.port_configs)} (port configurations of {switch.id})",
            problem=f"{switch.id} has no {so.port_rate_gbps:g}G ports",
            location=scenario.location("scale_out", "port_rate_gbps"))
    attachment = attach_nics(scenario, switch, nic)
    planes = check_planes(scenario, attachment, nic)
    su = su_switch = None
    if scenario.scale_up is not None:
        sc_up = scenario.scale_up
        su_switch = catalog.get(sc_up.switch, kind="switch", field="scale_up.switch")
        su_port = su_switch.port_configs[0]
        su = build_scale_up(scenario.cluster.gpus, sc_up.domain_gpus, sc_up.bandwidth_per_gpu_gbps,
                            su_port.rate_gbps, su_port.count, su_switch.systems_per_tray)
    spec = ClusterSpec(scenario=scenario, gpu=gpu, switch=switch, nic=nic, port=port, attachment=attachment,
                       planes=planes, scale_up=su, scale_up_switch=su_switch,
                       ocs=catalog.get(so.ocs, kind="ocs", field="scale_out.ocs"), catalog=catalog)
    fabric = _placed(scenario, topology.build(spec))
    return FabricPlan(scenario=scenario, catalog=catalog, gpu=gpu, switch=switch, nic=nic, port=port,
                      attachment=attachment, fabric=fabric, planes=planes, scale_up=su, scale_up_switch=su_switch,
                      defaults=defaults)


def _placed(scenario: Scenario, fabric: Fabric) -> Fabric:
    """The fabric with the length of every link group, from where its tiers stand (a topology that
    knows a group's lengths, an explicit graph, gives them in ``Fabric.lengths``)."""
    _check_ocs_passes(scenario, fabric)
    where = {t.name: t.location for t in fabric.tiers}
    lengths = link_lengths(scenario.placement, scenario.cluster.gpus,
                           [(g.name, where[g.lower], where[g.upper]) for g in fabric.groups
                            if g.name not in fabric.lengths])
    return replace(fabric, lengths=_fixed_lengths(scenario, fabric, {**lengths, **fabric.lengths}))


def _plan_switchless(scenario: Scenario, catalog: Catalog, topology, gpu: Gpu) -> FabricPlan:
    """A fabric of chips linked directly (a torus): no switch, NIC or scale-up section; the links
    run at the chips' own direct-link ports (catalog ``ici_port``). Keys that would name a switch
    or NIC are refused rather than ignored."""
    so = scenario.scale_out
    unused = [("scale_out.switch", so.switch, "switch"), ("scale_out.port_rate_gbps", so.port_rate_gbps, "port_rate_gbps"),
              ("scale_out.nic", so.nic, "nic"), ("scale_up", scenario.scale_up, None)]
    for field, value, key in unused:
        if value is not None:
            raise LightfabricError.for_field(
                field, value if key else "a scale_up section", "no value (leave the key out)",
                problem=f"a {so.topology} fabric links its chips directly: it has no switch, NIC or scale-up section",
                location=scenario.location(*field.split(".")))
    for field, value, default in (("scale_out.planes", so.planes, 1), ("scale_out.nics_per_gpu", so.nics_per_gpu, 1)):
        if value != default:
            raise LightfabricError.for_field(field, value, f"{default} (a {so.topology} fabric has one plane of direct links)",
                                             location=scenario.location(*field.split(".")))
    if gpu.ici_port is None:
        raise LightfabricError.for_field(
            "cluster.gpu", gpu.id, ", ".join(g.id for g in catalog.of_kind(Gpu) if g.ici_port is not None) or "none",
            problem=f"a {so.topology} fabric links chips directly; {gpu.id} has no direct chip-to-chip ports in the "
                    f"catalog (ici_port)", location=scenario.location("cluster", "gpu"))
    scenario, defaults = platform_defaults(scenario, gpu)
    ocs = catalog.get(so.ocs, kind="ocs", field="scale_out.ocs")
    spec = ClusterSpec(scenario=scenario, gpu=gpu, switch=None, nic=None, port=gpu.ici_port, attachment=None,
                       planes=1, ocs=ocs)
    fabric = _placed(scenario, topology.build(spec))
    return FabricPlan(scenario=scenario, catalog=catalog, gpu=gpu, switch=None, nic=None, port=gpu.ici_port,
                      attachment=None, fabric=fabric, planes=1, defaults=defaults)


DEFAULT_GPUS_PER_SERVER = 8


def switch_port_for_nic(switch, nic, rate_gbps: float):
    """The switch's port configuration at ``rate_gbps``, and a line naming the choice when there was one.

    A switch may run a rate two ways (Quantum-X800's 400G: half an XDR port on 200G lanes, or a whole
    port down-shifted to NDR's 100G lanes); the one whose lanes the NIC's SerDes run is taken, so the
    two ends' optics can meet.
    """
    configs = [pc for pc in switch.port_configs if pc.rate_gbps == rate_gbps]
    if len(configs) <= 1:
        return (configs[0] if configs else None), None
    nic_lanes = {pc.lane_rate_gbps for pc in nic.port_configs if pc.rate_gbps == rate_gbps} or {nic.serdes_lane_rate_gbps}
    matching = [pc for pc in configs if pc.lane_rate_gbps in nic_lanes]
    pc = (matching or configs)[0]
    why = (f"taken to match {nic.id}'s {pc.lane_rate_gbps:g}G lanes" if matching else
           f"taken as the first listed: none matches {nic.id}'s "
           f"{' or '.join(f'{x:g}G' for x in sorted(nic_lanes))} lanes")
    return pc, (f"scale_out.port_rate_gbps {rate_gbps:g}: {switch.id} runs {rate_gbps:g}G ports as "
                f"{' or '.join(c.label() for c in configs)}; {pc.label()} {why}")


def platform_defaults(scenario: Scenario, gpu: Gpu) -> tuple[Scenario, tuple[str, ...]]:
    """The scenario with what it leaves out taken from the GPU's platform in the catalog (GPUs per
    compute tray, the scale-up switch), and a line naming each value so taken."""
    said: list[str] = []
    cluster, scale_up = scenario.cluster, scenario.scale_up
    if cluster.gpus_per_server is None:
        n = gpu.gpus_per_server or DEFAULT_GPUS_PER_SERVER
        said.append(f"cluster.gpus_per_server: {n} (" + (f"{gpu.id}'s compute tray, from the catalog" if
                    gpu.gpus_per_server else f"{gpu.id}'s platform is not in the catalog; the usual 8-GPU server")
                    + ")")
        cluster = cluster.model_copy(update={"gpus_per_server": n})
    if scale_up is not None and scale_up.switch is None:
        if gpu.default_scale_up_switch is None:
            raise LightfabricError.for_field("scale_up.switch", None, "a scale-up switch id from the catalog",
                                             problem=f"{gpu.id} names no scale-up switch of its own")
        said.append(f"scale_up.switch: {gpu.default_scale_up_switch} ({gpu.id}'s platform, from the catalog)")
        scale_up = scale_up.model_copy(update={"switch": gpu.default_scale_up_switch})
    if not said:
        return scenario, ()
    resolved = scenario.model_copy(update={"cluster": cluster, "scale_up": scale_up})
    return resolved, tuple(said)


def _endpoint(tier) -> Endpoint:
    kind = tier.kind if tier.kind in (GPU, NIC) else "switch"
    return Endpoint(kind, tier.name, tier.part, tier.count, tier.port)


def group_specs(plan: FabricPlan, ocs_spine: bool) -> list[GroupSpec]:
    """The link groups of the plan, ready for a technology. With an OCS spine the fabric's top switch
    tier is replaced by optical circuit switches: the links below it keep their lower-end optics,
    lose the upper end and pass once more through an OCS (no fiber shuffle: the OCS is the patch).

    Made once per plan and kind of spine (a plan never changes): every design of a comparison reads
    the same frozen specs, so a cached technology result is found by identity, not field by field."""
    made = plan.__dict__.setdefault("_group_specs", {})
    if ocs_spine not in made:
        made[ocs_spine] = _group_specs(plan, ocs_spine)
    return list(made[ocs_spine])


def _group_specs(plan: FabricPlan, ocs_spine: bool) -> list[GroupSpec]:
    fabric = plan.fabric
    physical = plan.scenario.physical
    passes = physical.ocs_passes
    eps = {t.name: _endpoint(t) for t in fabric.tiers}
    top = fabric.top_tier
    if ocs_spine:
        if top is None:
            raise Infeasible(f"an OCS spine takes the place of a switch tier above the first; this {fabric.topology} "
                             f"fabric has none")
        eps[top.name] = Endpoint("ocs", "ocs", plan.ocs, 0, top.port)
    specs = []
    for g in fabric.groups:
        lower, upper = eps[g.lower], eps[g.upper]
        through_ocs = upper.kind == "ocs"
        specs.append(GroupSpec(g.name, g.policy_key, g.links, g.rate_gbps, fabric.lengths[g.name], lower, upper,
                               g.upper_ends, breakout=g.breakout, ocs_passes=passes.get(g.name, 0) + through_ocs,
                               shuffles=0 if through_ocs else g.shuffles, scale_up=g.scale_up,
                               design_margin_db=float(physical.design_margin_db),
                               laser_case_temperature_c=physical.laser_case_temperature_c))
    return specs
