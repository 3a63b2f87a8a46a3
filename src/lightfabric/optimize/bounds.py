"""One fabric structure, planned once, and what each technology of each link class adds to it.

A structure (topology, switch, port rate, tiers, planes, oversubscription, OCS spine or not) fixes
the devices and the link groups. A design then picks one technology per link class (the policy keys
of :data:`lightfabric.topology.base.POLICY_KEYS`). Its bill of materials is

* the devices, whatever the technologies: switches, NICs, scale-up chips
  (:func:`lightfabric.design.bom.bill_of_materials` of no link group);
* each group's modules, cables or fiber, shuffles and OCS units, which depend on that group's
  technology alone (the same function on that one group, minus the above);
* the engines and laser sources of each device tier, which depend on every co-packaged group ending
  there: per device ``ceil(share)`` engines (a whole co-packaged switch carries all of them).

The sum of the first two and of the engines' fractional shares (``share`` without the ceiling) is
a **lower bound** of the design's capex and power (exact when no group uses engines): the search
prunes with it. Whether a technology can serve a group at all is decided by the same physical check
the design uses (:func:`lightfabric.design.choice.try_technology`), so a class's feasible
technologies are exactly those its policy design would accept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import ceil

from lightfabric.catalog import ExternalLaserSource, FiberPart, OpticalEngine
from lightfabric.catalog.defaults import FAU_PART, PMF_PART
from lightfabric.design.bom import bill_of_materials
from lightfabric.design.choice import try_technology
from lightfabric.design.plan import FabricPlan, group_specs
from lightfabric.design.types import BomLine, LinkGroup
from lightfabric.physics.laser_source import laser_source_power
from lightfabric.technologies.registry import ENGINE_TECHNOLOGIES


def totals(lines: list[BomLine]) -> tuple[float, float]:
    """(capex USD, power W) of bill-of-materials lines."""
    capex = sum(line.count * sum(line.cost_usd_each.values()) for line in lines)
    power = sum(line.count * sum(line.power_w_each.values()) for line in lines)
    return capex, power


@dataclass
class ClassOption:
    """One technology for every group of one link class: feasible or why not, and its lower bounds."""

    technology: str
    feasible: bool
    reason: str = ""
    capex_lb_usd: float = 0.0
    power_lb_w: float = 0.0
    engines: bool = False          # uses optical engines (the bound is then below the exact figure)


@dataclass
class StructureBounds:
    """A planned structure: the devices' capex and power, and per link class its options."""

    plan: FabricPlan
    fixed_capex_usd: float
    fixed_power_w: float
    classes: dict[str, list[ClassOption]] = field(default_factory=dict)

    def feasible_options(self) -> dict[str, list[ClassOption]]:
        return {k: [o for o in v if o.feasible] for k, v in self.classes.items()}


def _engine_floor(plan: FabricPlan, optics, count: float) -> tuple[float, float]:
    """(capex, power) of the engines, laser sources, fiber array units and PM jumpers behind
    ``count`` engine-based ends, counted by their fractional share (no ceiling per device): a lower
    bound of what :func:`lightfabric.design.bom.engine_lines` counts."""
    cat = plan.catalog
    engine = cat.get(optics.part_id, kind="optical-engine")
    els = cat.get(engine.laser_source, kind="laser-source")
    fau = cat.get(FAU_PART, kind="fiber-part")
    pmf = cat.get(PMF_PART, kind="fiber-part")
    assert isinstance(engine, OpticalEngine) and isinstance(els, ExternalLaserSource)
    assert isinstance(fau, FiberPart) and isinstance(pmf, FiberPart)
    physical = plan.scenario.physical
    source_w = laser_source_power(cat, engine, design_margin_db=float(physical.design_margin_db),
                                  case_temperature_c=physical.laser_case_temperature_c).power_w
    engines = optics.parts_per_end * count
    sources = optics.lasers * count / els.lasers
    capex = (engines * (engine.price_usd + engine.fiber_array_units * fau.price_usd)
             + sources * (els.price_usd + ceil(els.lasers / pmf.fibers) * pmf.price_usd))
    return capex, engines * engine.power_w + sources * source_w


def structure_bounds(plan: FabricPlan, ocs_spine: bool, technologies: list[str]) -> StructureBounds:
    """Plan-level bounds of one structure: the devices, and every (link class, technology)."""
    specs = group_specs(plan, ocs_spine)      # raises Infeasible where an OCS spine has no tier to replace
    devices = plan.fabric.devices()
    if ocs_spine:
        devices.pop(plan.fabric.top_tier.name)
    fixed_capex, fixed_power = totals(bill_of_materials(plan, [], devices))
    nic_capex, nic_power = totals(bill_of_materials(plan, [], {}))     # what every one-group call repeats
    out = StructureBounds(plan, fixed_capex, fixed_power)
    by_class: dict[str, list] = {}
    for spec in specs:
        by_class.setdefault(spec.policy_key, []).append(spec)
    for key, group in by_class.items():
        options = []
        for tech in technologies:
            opt = ClassOption(tech, True)
            for spec in group:
                ends, _check, reason = try_technology(plan, spec, tech)
                if reason:
                    opt = ClassOption(tech, False, f"{spec.name} links: {reason}")
                    break
                lg = LinkGroup(spec.name, tech, "policy", spec.links, spec.rate_gbps, spec.lengths, ends.lower,
                               ends.upper, spec.upper_ends if ends.upper else 0, ends.medium, ends.cables, spec)
                capex, power = totals(bill_of_materials(plan, [lg], {}))
                opt.capex_lb_usd += capex - nic_capex
                opt.power_lb_w += power - nic_power
                for optics, count in ((lg.lower_end, lg.links), (lg.upper_end, lg.upper_end_count)):
                    if optics is not None and optics.kind in ENGINE_TECHNOLOGIES:
                        c, p = _engine_floor(plan, optics, count)
                        opt.capex_lb_usd += c
                        opt.power_lb_w += p
                        opt.engines = True
            options.append(opt)
        out.classes[key] = options
    return out
