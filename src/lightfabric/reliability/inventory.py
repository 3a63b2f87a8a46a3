"""What can fail in a design, how often, what its repair takes, and what each failure takes down.

A design's bill of materials becomes a list of :class:`FailureClass`: every unit of one part in
one place (the lower-end modules of the leaf-spine links, the optical engines of the leaf tier,
the NICs...). Each class carries the unit's FIT, the field-replaceable unit (FRU) a failure
replaces, and the blast radius twice: while the fault waits for repair, and while the FRU is
being replaced (a whole CPO switch is swapped for one failed engine).

Blast-radius rules (docs/reliability.md):

* A GPU with one of its own links down (NIC link, scale-up link) is counted down: a synchronous
  job cannot use it at full speed, so the scheduler takes it out.
* A switch-to-switch link down costs bandwidth, not GPUs: the fat-tree has other paths.
* A device down takes every link it terminates; a leaf takes its GPUs with it.
* A job is interrupted by a failure on an element its traffic crosses: a GPU link only if the job
  holds that GPU, an element above the leaf only if the job spans more than one leaf.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from math import ceil

from lightfabric.catalog import (
    CopperCable, ExternalLaserSource, FiberPart, OpticalEngine, PluggableModule, RepairUnit,
)
from lightfabric.catalog.defaults import SHUFFLE_PART, shuffle_ports
from lightfabric.design import Design
from lightfabric.reliability import rates
from lightfabric.technologies.registry import REGISTRY
from lightfabric.topology.base import GPU, SCALE_UP_SWITCH, SWITCH


@dataclass(frozen=True)
class FailureClass:
    """``count`` units of one part in one place, with their failure rate, repair and blast radius.

    ``links_waiting`` / ``links_replacing`` map a link group to the links one failure takes down;
    ``gpus_waiting`` / ``gpus_replacing`` are the GPUs one failure takes out; ``scope_gpus`` the
    GPUs whose traffic crosses the unit.
    """

    name: str
    part: str
    category: str                  # optics, lasers, switches, nics, cables
    count: float
    fit: float                     # hard failures per 1e9 h, one unit
    flap_fit: float                # transient outages per 1e9 h, one unit
    fru: str
    wait_h: float
    replace_h: float
    gpus_waiting: float
    gpus_replacing: float
    scope_gpus: float
    above_leaf: bool
    links_waiting: dict[str, float] = field(default_factory=dict)
    links_replacing: dict[str, float] = field(default_factory=dict)
    outage_fraction: float = 1.0   # share of hard failures that cause an outage (spare lasers cover the rest)
    fit_detail: dict[str, float] = field(default_factory=dict)
    spare: str = ""                # what a repair takes from the shelf (the FRU's part)
    role: str = "gpu_links"        # the kind of element (lightfabric.reliability.effects.ROLES)
    effect: str = "interrupt"      # what a failure does to the jobs it reaches: interrupt or degrade
    tier: str = ""                 # the device tier the unit sits on or starts from
    swaps_per_failure: float = 1.0  # FRU swaps per failure (a maintenance window batches them)
    crossing_gpus: float = 0.0     # a job placed within a block of this many GPUs does not cross the unit
    repatch_per_failure: float = 0.0  # links moved to a spare port per failure (maintenance window)

    @cached_property
    def rate_per_h(self) -> float:
        """Hard failures per hour of the whole class."""
        return self.count * rates.per_hour(self.fit)

    @cached_property
    def swaps_per_h(self) -> float:
        """FRU swaps per hour of the whole class: what draws spares, parts and labour."""
        return self.rate_per_h * self.swaps_per_failure

    @cached_property
    def planned_rate_per_h(self) -> float:
        """Swaps that take more GPUs than the fault took: planned stops of the jobs on the rest."""
        return self.swaps_per_h if self.gpus_replacing > self.gpus_waiting else 0.0

    @cached_property
    def dark_h(self) -> float:
        """Hours a failure leaves what it took down (the wait, and its share of a swap)."""
        return self.wait_h + self.swaps_per_failure * self.replace_h

    @cached_property
    def flap_rate_per_h(self) -> float:
        return self.count * rates.per_hour(self.flap_fit)

    @property
    def mttr_h(self) -> float:
        return self.wait_h + self.replace_h


@dataclass
class _Tier:
    """One tier of devices as built: how many, the link ends each holds by group, and from the
    topology the GPUs one device cuts (waiting, replacing) and reaches."""

    name: str
    kind: str
    label: str
    part: object
    devices: int
    gpus_cut: float
    gpus_replacing: float
    scope: float
    above: bool
    ports: float = 0.0             # ports of one device at the fabric's rate (its radix)
    ends: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    ports_used: float = 0.0        # ports of one device the design uses

    @property
    def ports_spare(self) -> float:
        """Ports of one device the design leaves free: where an operator can move a failed port's link."""
        return max(0.0, self.ports - self.ports_used)


def _tiers(design: Design) -> dict[str, _Tier]:
    """The design's device tiers, from the topology's fabric; an OCS spine's units take the place (and
    the reach) of the tier they replace."""
    fabric = design.fabric
    devices = design.devices()
    tiers = {t.name: _Tier(t.name, t.kind, t.label, t.part, devices[t.name], t.gpus_cut, t.replacing_gpus,
                           t.scope_gpus, t.above_first_switch, float(t.port.count) if t.port is not None else 0.0)
             for t in fabric.tiers if t.name in devices}
    if design.ocs is not None:
        top = fabric.tier(design.ocs["replaced_tier"])
        tiers["ocs"] = _Tier("ocs", "ocs", "optical circuit switches", None, int(design.ocs["ocs_units"]),
                             top.gpus_cut, top.replacing_gpus, top.scope_gpus, True)
    for g in design.link_groups:
        lo, up = g.spec.lower.tier, g.spec.upper.tier
        tiers[lo].ends[g.name] += g.links / max(1, tiers[lo].devices)
        tiers[lo].ports_used += g.links / max(1, tiers[lo].devices)
        if up in tiers and tiers[up].devices:
            tiers[up].ends[g.name] += g.links / tiers[up].devices
            tiers[up].ports_used += (g.upper_end_count or g.links) / tiers[up].devices
    return tiers


def _crossing(design: Design) -> dict[str, float]:
    """Per device tier, the block of GPUs a job must outgrow before its traffic crosses the tier: 0 for
    the first switches (any job on their GPUs), a leaf's GPUs for the spines, a pod's for the cores;
    the same along the scale-up tiers. An OCS spine takes the place of the tier it replaces."""
    fabric = design.fabric
    out: dict[str, float] = {}
    for kind in (SWITCH, SCALE_UP_SWITCH):
        below = 0.0
        for t in (t for t in fabric.tiers if t.kind == kind):
            out[t.name] = below
            below = t.scope_gpus
    if design.ocs is not None:
        out["ocs"] = out.get(design.ocs["replaced_tier"], 0.0)
    return out


def spare_ports(design: Design) -> dict[str, float]:
    """Ports each switch of a tier leaves unused, by tier (the design's spare-port capacity)."""
    return {name: t.ports_spare for name, t in _tiers(design).items() if t.kind in (SWITCH, SCALE_UP_SWITCH)}


def _fru(design: Design, fru_id: str, wait_override: float | None) -> RepairUnit:
    unit = design.plan.catalog.get(fru_id, kind="repair-unit")
    assert isinstance(unit, RepairUnit)
    if wait_override is not None:
        unit = unit.model_copy(update={"wait_h": wait_override})
    return unit


def leaf_gpus(design: Design) -> float:
    """GPUs under one first-tier switch: a job that fits there crosses nothing above it."""
    return design.fabric.first_switch_gpus


def inventory(design: Design, *, repair_wait_h: float | None = None, els_spare_lasers: int = 0,
              laser_case_temperature_c: float | None = None, design_margin_db: float | None = None,
              failure_effects=None) -> list[FailureClass]:
    """Every class of unit in ``design`` that can fail, with its rate, FRU and blast radius, repaired
    by swapping its FRU at once (:mod:`~lightfabric.reliability.repair` applies other policies).

    ``design_margin_db`` (default: the scenario's ``physical.design_margin_db``) sets the lasers'
    drive and so their FIT; ``failure_effects`` (default: the scenario's) decides, per role, whether
    a failure interrupts or degrades (:mod:`~lightfabric.reliability.effects`).
    """
    plan = design.plan
    cat = plan.catalog
    scenario = plan.scenario
    margin = scenario.physical.design_margin_db if design_margin_db is None else design_margin_db
    effects = scenario.reliability.failure_effects if failure_effects is None else failure_effects
    tiers = _tiers(design)
    out: list[FailureClass] = []
    fru = lambda fid: _fru(design, fid, repair_wait_h)  # noqa: E731

    crossing = _crossing(design)

    def add(name, part, category, count, fit, flap, unit: RepairUnit, gw, gr, scope, above, lw, lr,
            outage=1.0, detail=None, spare=None, *, role: str, tier: str, cross_at: str | None = None):
        if count <= 0:
            return
        out.append(FailureClass(name, part, category, float(count), float(fit), float(flap), unit.id, unit.wait_h,
                                unit.replace_h, float(gw), float(gr), float(scope), above, dict(lw), dict(lr),
                                outage, dict(detail or {}), spare or part, role, getattr(effects, role), tier,
                                crossing_gpus=0.0 if gw > 0 else crossing.get(cross_at or tier, 0.0)))

    def device_down(tier: str) -> tuple[float, dict[str, float]]:
        t = tiers[tier]
        return t.gpus_cut, dict(t.ends)

    def link_role(t: _Tier, cuts_gpus: bool) -> str:
        """What a dark port of ``t`` is: a GPU's own link, a switch link, or part of the scale-up fabric."""
        if cuts_gpus or t.kind == GPU:
            return "gpu_links"
        return "scale_up_switches" if t.kind == SCALE_UP_SWITCH else "switch_links"

    # --- devices ---------------------------------------------------------------------------------
    # a switch whose package carries co-packaged engines is swapped whole, whatever failed
    swapped_whole = {line.tier: REGISTRY[cat.get(line.part_id).technology]
                     for line in design.bom if line.tier and isinstance(cat.get(line.part_id), OpticalEngine)
                     and REGISTRY[cat.get(line.part_id).technology].co_packaged}
    for t in [t for t in tiers.values() if t.kind == SWITCH] + [t for t in tiers.values() if t.kind == SCALE_UP_SWITCH]:
        if not t.devices:
            continue
        sw = t.part
        g, links = device_down(t.name)
        if t.kind == SWITCH:
            unit = fru(swapped_whole[t.name].repair_unit(t.kind) if t.name in swapped_whole else "fru-switch")
            add(t.label, sw.id, "switches", t.devices, rates.part_fit(cat, sw), rates.flap_fit(cat, sw),
                unit, g, g, t.scope, t.above, links, links, spare=_switch_spare(sw.id, unit.id),
                role="upper_switches" if t.above else "first_switches", tier=t.name)
        else:
            add(t.label, sw.id, "switches", t.devices, rates.part_fit(cat, sw), rates.flap_fit(cat, sw),
                fru("fru-switch-tray"), g, t.gpus_replacing, t.scope, t.above, links, links,
                spare=f"switch tray of {sw.id}", role="scale_up_switches", tier=t.name)
    nic = plan.nic
    if nic is not None:
        n = tiers["nic"]
        add("NICs", nic.id, "nics", n.devices, rates.part_fit(cat, nic), rates.flap_fit(cat, nic), fru("fru-nic"),
            n.gpus_cut, n.gpus_replacing, n.scope, False, n.ends, n.ends, role="gpu_links", tier="nic")
    if design.ocs is not None:
        ocs = cat.get(design.ocs["ocs"], kind="ocs")
        per_ocs = {design.ocs["group"]: design.ocs["uplinks"] / max(1, tiers["ocs"].devices)}
        o = tiers["ocs"]
        add("optical circuit switches", ocs.id, "switches", o.devices, rates.part_fit(cat, ocs), 0.0,
            fru("fru-ocs"), o.gpus_cut, o.gpus_replacing, o.scope, True, per_ocs, per_ocs, role="upper_switches", tier="ocs")

    # --- link ends: modules and cables ------------------------------------------------------------
    fabric = design.fabric
    gpu_link_groups = {g.name for g in fabric.groups if g.gpu_link}
    for grp in design.link_groups:
        shape = fabric.group(grp.name)
        gpl = 1.0 if shape.gpu_link else 0.0       # a GPU's own link down takes its GPU out
        # per unit (module, cable): what its links take out; a torus's failed link takes its whole cube
        unit_cut = (lambda links: shape.unit_gpus_cut) if shape.unit_gpus_cut is not None else (lambda links: gpl * links)
        scope = 1.0 if shape.gpu_link else tiers[grp.spec.lower.tier].scope
        above = shape.above_first_switch
        role = "gpu_links" if shape.gpu_link else ("scale_up_switches" if grp.spec.scale_up else "switch_links")
        lower, upper = grp.spec.lower.tier, grp.spec.upper.tier
        for optics, ends, side in ((grp.lower_end, grp.links, "lower"), (grp.upper_end, grp.upper_end_count, "upper")):
            if optics is None or optics.kind != "module":
                continue
            module = cat.get(optics.part_id, kind="module")
            assert isinstance(module, PluggableModule)
            n_modules = ceil(ends * optics.parts_per_end - 1e-9)
            links_per_module = grp.links / n_modules
            b = rates.module_fit(cat, module, design_margin_db=margin)
            lw = {grp.name: links_per_module}
            unit = fru(REGISTRY[module.technology].repair_unit("module"))
            add(f"{grp.name} links, {side}-end modules", module.id, "optics", n_modules, b.fit, 0.0, unit,
                unit_cut(links_per_module), unit_cut(links_per_module), scope * links_per_module if gpl else scope, above,
                lw, lw, detail=b.items, role=role, tier=lower, cross_at=upper)
        medium = grp.medium
        per_cable = grp.links / grp.cables
        lw = {grp.name: per_cable}
        add(f"{grp.name} links, {'copper cables' if isinstance(medium, CopperCable) else 'fiber trunks'}", medium.id,
            "cables", grp.cables, rates.part_fit(cat, medium), 0.0, fru("fru-cable"), unit_cut(per_cable), unit_cut(per_cable),
            scope * per_cable if gpl else scope, above, lw, lw, role=role, tier=lower, cross_at=upper)
        if grp.spec.shuffles and not isinstance(medium, CopperCable):
            shuffle = cat.get(SHUFFLE_PART, kind="fiber-part")
            ports = shuffle_ports(cat, shuffle)
            n = ceil(grp.links * grp.spec.shuffles / ports)
            lw = {grp.name: float(ports)}
            add(f"{grp.name} fiber shuffles", shuffle.id, "cables", n, rates.part_fit(cat, shuffle), 0.0,
                fru("fru-cable"), gpl * ports, gpl * ports, scope * ports if gpl else scope, above, lw, lw,
                role=role, tier=lower, cross_at=upper)

    # --- optical engines and their laser sources ---------------------------------------------------
    for line in design.bom:
        if not line.tier:
            continue
        part = cat.get(line.part_id)
        tier = tiers[line.tier]
        per_dev = line.count / max(1, tier.devices)
        if isinstance(part, OpticalEngine):
            b = rates.engine_fit(cat, part)
            lw_engine = {g: n / per_dev for g, n in tier.ends.items()}
            host = lambda lw: sum(n for g, n in lw.items() if g in gpu_link_groups)  # noqa: E731
            unit = fru(REGISTRY[part.technology].repair_unit(tier.kind))
            if tier.kind == GPU:
                servers = plan.scenario.cluster.gpus_per_server
                gw_engine = 1.0
                gr, lr = tier.gpus_replacing, {g: n * servers for g, n in tier.ends.items()}
            else:
                gw_engine = host(lw_engine)
                # a tray swap takes what the tray serves; any other repair what the device cuts
                gr = tier.gpus_replacing if unit.id in ("fru-switch-tray", "fru-compute-tray") else tier.gpus_cut
                lr = dict(tier.ends)
            spare = _engine_spare(plan, tier, part, unit.id)
            # a die or the fiber attach fails: every port of the engine goes dark until the FRU (the
            # switch, the engine, the tray) is replaced; the jobs reached are those on its GPUs (if it
            # serves GPU links) or those whose traffic crosses the device
            role = link_role(tier, gw_engine > 0)
            add(f"{part.technology} engines at {line.tier}", part.id, "optics", line.count, b.fit, 0.0,
                unit, gw_engine, gr, max(1.0, gw_engine) if gw_engine else tier.scope, tier.above, lw_engine, lr,
                detail=b.items, spare=spare, role=role, tier=line.tier)
        elif isinstance(part, ExternalLaserSource):
            engine = next(cat.get(x.part_id) for x in design.bom
                          if x.tier == line.tier and isinstance(cat.get(x.part_id), OpticalEngine))
            lf = rates.laser_fit(cat, engine.technology, engine.lane_rate_gbps, laser_case_temperature_c, engine=engine,
                                 design_margin_db=margin)
            pmf = next((p for p in cat.of_kind(FiberPart) if p.role == "pm-fiber-jumper"), None)
            jumpers = ceil(part.lasers / pmf.fibers) if pmf else 0
            electronics = rates.part_fit(cat, part) + (jumpers * rates.part_fit(cat, pmf) if pmf else 0.0)
            ports_per_device = sum(tier.ends.values())
            lanes_per_port = _lanes_per_port(design, line.tier, engine)
            ports_per_laser = max(1.0, engine.lanes_per_laser / lanes_per_port)
            share = {g: n / ports_per_device for g, n in tier.ends.items()} if ports_per_device else {}
            laser_links = {g: s * ports_per_laser for g, s in share.items()}
            els_links = {g: s * min(ports_per_device, ports_per_laser * part.lasers) for g, s in share.items()}
            gpu_share = sum(s for g, s in share.items() if g in gpu_link_groups)
            if tier.kind == GPU:
                gpu_share = 1.0
            unit = fru("fru-els")
            covered = laser_outage_fraction(part.lasers, lf.fit, unit.wait_h + unit.replace_h, els_spare_lasers)
            g_laser = min(tier.gpus_cut or 1.0, gpu_share * ports_per_laser)
            g_els = min(tier.gpus_cut or 1.0, gpu_share * ports_per_laser * part.lasers)
            # a laser failure: its ports dark while waiting (unless a spare covers it); the ELS swap
            # darkens all the ports of the source for the few minutes of the swap
            add(f"lasers of the {line.tier} laser sources", lf.laser, "lasers", line.count * part.lasers, lf.fit, 0.0,
                unit, g_laser * covered, g_els, max(1.0, g_laser) if g_laser else tier.scope, tier.above,
                {g: v * covered for g, v in laser_links.items()}, els_links, outage=covered,
                detail={f"{lf.laser} at {lf.junction_temperature_c:.0f} C junction": lf.fit}, spare=part.id,
                role=link_role(tier, g_laser > 0), tier=line.tier)
            add(f"{line.tier} laser source electronics and PM jumpers", part.id, "lasers", line.count, electronics,
                0.0, unit, g_els, g_els, max(1.0, g_els) if g_els else tier.scope, tier.above, els_links, els_links,
                detail={f"{part.id} electronics": rates.part_fit(cat, part),
                        f"{jumpers} x PM jumper": electronics - rates.part_fit(cat, part)},
                role=link_role(tier, g_els > 0), tier=line.tier)
    return out


def _switch_spare(switch_id: str, fru_id: str) -> str:
    return f"CPO switch ({switch_id} with its engines)" if fru_id == "fru-cpo-switch" else switch_id


def _engine_spare(plan, tier: _Tier, engine: OpticalEngine, fru_id: str) -> str:
    if fru_id == "fru-cpo-switch":
        return _switch_spare(tier.part.id, fru_id)
    if fru_id == "fru-compute-tray":
        return f"compute tray ({plan.gpu.id})"
    if fru_id == "fru-switch-tray":
        return f"switch tray of {plan.scale_up_switch.id}"
    return engine.id


def _lanes_per_port(design: Design, tier: str, engine: OpticalEngine) -> float:
    at = design.port_optics_at(tier, engine.id)
    return max(1.0, at[0].rate_gbps / engine.lane_rate_gbps) if at else 1.0


def laser_outage_fraction(lasers: int, fit: float, window_h: float, spares: int) -> float:
    """Share of laser failures in one source that darken ports: those that find no spare left.

    Spares are cold (unpowered until switched in), so they do not wear while waiting. A failure is
    covered unless at least ``spares`` other lasers of the same source failed in the repair window
    before it: P(N >= spares) for N ~ Poisson(lasers * rate * window). With no spares every failure
    darkens its ports (fraction 1).
    """
    if spares <= 0:
        return 1.0
    from scipy import special
    mu = lasers * rates.per_hour(fit) * window_h
    return float(special.pdtrc(spares - 1, mu))     # scipy.stats.poisson.sf(spares - 1, mu), without its wrapper
