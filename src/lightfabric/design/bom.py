"""The bill of materials of a design: switches, scale-up chips, NICs, modules, engines and laser
sources per device tier, copper cables, fiber trunks, fiber array units, PM fiber jumpers, fiber
shuffles and optical circuit switches."""

from __future__ import annotations

from math import ceil

from lightfabric.catalog import CopperCable, ExternalLaserSource, FiberPart, OpticalCircuitSwitch, OpticalEngine
from lightfabric.catalog.defaults import FAU_PART, PMF_PART, SHUFFLE_PART, shuffle_ports
from lightfabric.physics.laser_source import laser_source_power
from lightfabric.design.types import BomLine, LinkGroup, medium_price_usd
from lightfabric.technologies import PortOptics
from lightfabric.technologies.registry import ENGINE_TECHNOLOGIES, REGISTRY
from lightfabric.topology.base import SCALE_UP_SWITCH, SWITCH


def engine_lines(plan, groups: list[LinkGroup], devices: dict[str, int]) -> list[BomLine]:
    """Engines and laser sources, per device tier. A switch tier whose every port group is built by
    one co-packaged technology carries all its engines and lasers, used or not."""
    cat = plan.catalog
    tiers = {t.name: t for t in plan.fabric.tiers}
    ends_at: dict[str, list[tuple[PortOptics, int]]] = {}
    for g in groups:
        ends_at.setdefault(g.spec.lower.tier, []).append((g.lower_end, g.links))
        if g.upper_end is not None:
            ends_at.setdefault(g.spec.upper.tier, []).append((g.upper_end, g.upper_end_count))
    lines: list[BomLine] = []
    for tier, ends in ends_at.items():
        n_dev = devices.get(tier, 0)
        engine_ends = [(e, n) for e, n in ends if e.kind in ENGINE_TECHNOLOGIES]
        if not engine_ends or not n_dev:
            continue
        per_engine: dict[str, list[tuple[PortOptics, int]]] = {}
        for e, n in engine_ends:
            per_engine.setdefault(e.part_id, []).append((e, n))
        whole_switch = (tiers[tier].is_switch and len(per_engine) == 1 and len(engine_ends) == len(ends)
                        and REGISTRY[engine_ends[0][0].kind].co_packaged)
        for engine_id, items in per_engine.items():
            engine = cat.get(engine_id, kind="optical-engine")
            assert isinstance(engine, OpticalEngine)
            els = cat.get(engine.laser_source, kind="laser-source")
            assert isinstance(els, ExternalLaserSource)
            if whole_switch:
                switch = tiers[tier].part
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
            physical = plan.scenario.physical
            source = laser_source_power(cat, engine, design_margin_db=float(physical.design_margin_db),
                                        case_temperature_c=physical.laser_case_temperature_c)
            lines.append(BomLine(els.id, f"external laser sources at {tier}", n_dev * per_dev_els,
                                 {"lasers": source.power_w}, {"lasers": els.price_usd}, tier=tier))
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


def bill_of_materials(plan, groups: list[LinkGroup], devices: dict[str, int]) -> list[BomLine]:
    """Every part of the design with its count, and the power and price of one. ``devices``: the
    devices per tier as built (without a tier an OCS spine replaced)."""
    cat, switch, nic = plan.catalog, plan.switch, plan.nic
    tiers = {t.name: t for t in plan.fabric.tiers}
    n_switches = sum(n for t, n in devices.items() if tiers[t].kind == SWITCH)
    lines = []
    if switch is not None:
        lines.append(BomLine(switch.id, "scale-out switches", n_switches,
                             {"switch_asics": switch.asic_power_w, "switch_systems": switch.system_overhead_w},
                             {"switches": switch.system_price_usd}))
    if nic is not None:
        lines.append(BomLine(nic.id, "NICs", plan.attachment.nics, {"nics": nic.power_w}, {"nics": nic.price_usd}))
    chips = sum(n for t, n in devices.items() if tiers[t].kind == SCALE_UP_SWITCH)
    if chips:
        sw = plan.scale_up_switch
        lines.append(BomLine(sw.id, "scale-up switch chips", chips,
                             {"switch_asics": sw.asic_power_w, "switch_systems": sw.system_overhead_w},
                             {"switches": sw.system_price_usd}))
    lines += engine_lines(plan, groups, devices)
    for g in groups:
        for optics, count, side in ((g.lower_end, g.links, "lower end"), (g.upper_end, g.upper_end_count, "upper end")):
            if optics is not None and optics.kind == "module":
                lines.append(BomLine(optics.part_id, f"{g.name} links, {side}", ceil(count * optics.parts_per_end - 1e-9),
                                     {"optics": optics.power_w / optics.parts_per_end},
                                     {"optics": optics.cost_usd / optics.parts_per_end}))
        mean = g.lengths.mean_m
        if isinstance(g.medium, CopperCable):
            c = g.medium
            lines.append(BomLine(c.id, f"{g.name} links, copper ({c.variant})", g.cables,
                                 {"optics": 2 * c.power_w_per_end}, {"cables": c.price_usd}))
        else:
            lines.append(BomLine(g.medium.id, f"{g.name} links, mean {mean:.1f} m", g.cables, {},
                                 {"fiber": medium_price_usd(g.medium, mean)}))
        if g.spec.shuffles and not isinstance(g.medium, CopperCable):
            shuffle = cat.get(SHUFFLE_PART, kind="fiber-part")
            lines.append(BomLine(shuffle.id, f"{g.name} fiber shuffles",
                                 ceil(g.links * g.spec.shuffles / shuffle_ports(cat, shuffle)),
                                 {}, {"fiber": shuffle.price_usd}))
    top = next((g for g in groups if g.spec.upper_is_ocs), None)
    if top is not None:
        ocs = plan.ocs
        assert isinstance(ocs, OpticalCircuitSwitch)
        sets = plan.fabric.group(top.name).circuit_groups
        units = sets * ocs.units_for(ceil(top.links / sets) * top.lower_end.fiber_pairs)
        lines.append(BomLine(ocs.id, f"optical circuit switches for {top.name} ({top.lower_end.fiber_pairs} "
                                     f"fiber pair(s) per uplink" + (f"; {sets} sets of ends, each on its own units)"
                                                                   if sets > 1 else ")"), units,
                             {"switch_systems": ocs.power_w}, {"switches": ocs.price_usd}))
    return lines


def ocs_summary(plan, groups: list[LinkGroup], bom: list[BomLine]) -> dict:
    """What the OCS spine removes (the top switch tier and the optics at its ports) and what it still needs."""
    ocs = plan.ocs
    top = next(g for g in groups if g.spec.upper_is_ocs)
    replaced = plan.fabric.top_tier
    units = next(line.count for line in bom if line.part_id == ocs.id)
    return {
        "ocs": ocs.id, "ocs_units": units, "uplinks": top.links, "group": top.name, "replaced_tier": replaced.name,
        "ocs_ports_used": top.links * top.lower_end.fiber_pairs,
        "fiber_pairs_per_uplink": top.lower_end.fiber_pairs,
        "removed_switches": replaced.count,
        "removed_optics": top.links,
        "kept_lower_end_optics": top.links, "lower_end_optics": top.lower_end.part_id,
        "reconfiguration_ms": ocs.reconfiguration_ms, "loss_db_per_pass": ocs.loss_db,
        "note": ("the OCS removes the top switch tier and the optics at its ports; every uplink below "
                 "it keeps its optics (co-packaged or pluggable), which must now close the link budget "
                 "through the OCS: OCS and CPO are complements, not rivals"),
    }
