"""One design: a technology for every link group (named by the policy, listed, or ``auto``: the
lowest-cost (capex + energy) feasible one), checked against physics, with its bill of materials.

A listed technology's column is that technology wherever it can serve; where it cannot, the
incumbent builds the group (the scenario's scale-up technology in the scale-up domain, DSP
pluggables for optical links), ``chosen_by = "incumbent"``, never a rival technology.

A technology that cannot serve a group gives ``feasible = False`` with the physical reason, never an
exception.
"""

from __future__ import annotations

from collections import OrderedDict

from lightfabric.design.bom import bill_of_materials, ocs_summary
from lightfabric.design.plan import FabricPlan, group_specs
from lightfabric.design.types import Design, LinkGroup, medium_price_usd
from lightfabric.metrics.cost import energy_cost_usd
from lightfabric.scenario.models import TechnologyPolicy
from lightfabric.technologies import GroupEnds, GroupSpec, Infeasible
from lightfabric.technologies.registry import (
    LINK_TECHNOLOGIES, OPTICAL_INCUMBENT, REGISTRY, SCALE_UP_INCUMBENT, SPINE_DESIGNS,
)


def group_cost_usd(plan: FabricPlan, spec: GroupSpec, ends: GroupEnds) -> float:
    """Capex plus energy of one group's ends and medium: what ``auto`` minimises."""
    eco = plan.scenario.economics
    n_upper = spec.upper_ends if ends.upper is not None else 0
    capex = spec.links * ends.lower.cost_usd + n_upper * (ends.upper.cost_usd if ends.upper else 0.0)
    capex += ends.cables * medium_price_usd(ends.medium, spec.lengths.mean_m)
    if spec.upper_is_ocs:   # the OCS ports the links' fiber pairs take (a WDM module takes fewer)
        capex += spec.links * ends.lower.fiber_pairs * spec.upper.device.fiber_pair_price_usd
    power = spec.links * ends.lower.power_w + n_upper * (ends.upper.power_w if ends.upper else 0.0)
    return capex + float(energy_cost_usd(power, eco.electricity_usd_per_kwh, eco.pue, eco.years))


TRIED_CACHE_SIZE = 4096     # (technology, group) results kept, least recently used out
_TRIED: OrderedDict = OrderedDict()


def clear_build_caches() -> None:
    """Forget every cached group result (benchmarks measure a first pass with this)."""
    _TRIED.clear()


def try_technology(plan: FabricPlan, spec: GroupSpec, tech: str) -> tuple[GroupEnds | None, dict | None, str | None]:
    """Build and check one group with one technology: (ends, physical check, reason if infeasible).

    Cached by value: the technology, the catalog's parts (:meth:`Catalog.value_key`), the group (every
    field of the frozen :class:`GroupSpec`: its end devices and ports, counts, rate, breakout, length
    distribution, margins; :attr:`GroupSpec.value_key`, computed once per spec, where the end devices
    are the catalog's own parts) and the scenario's physical settings. The same group in another point of
    a sweep (a cluster built twice, e.g. ``tiers: 2`` and ``auto``) is then not built again; a
    changed value is a new key. Bounded (:data:`TRIED_CACHE_SIZE`, least recently used out)."""
    catalog = plan.catalog
    # the spec by its value key (computed once per spec), which names its end devices by id: exact
    # where they are this catalog's parts (value_key() pins those); any other device, the spec itself
    own_parts = all(d is None or (getattr(d, "id", None) in catalog and catalog.get(d.id) is d)
                    for d in (spec.lower.device, spec.upper.device))
    key = (tech, catalog.value_key(), spec.value_key if own_parts else spec, plan.scenario.physical.model_dump_json())
    try:
        hit = _TRIED.get(key)
    except TypeError:       # a part with a field that has no hash (a mapping): not cached
        return _try_technology(plan, spec, tech)
    if hit is not None:
        _TRIED.move_to_end(key)
        ends, check, reason = hit
        return ends, (None if check is None else dict(check)), reason
    result = _try_technology(plan, spec, tech)
    _TRIED[key] = result
    if len(_TRIED) > TRIED_CACHE_SIZE:
        _TRIED.popitem(last=False)
    ends, check, reason = result
    return ends, (None if check is None else dict(check)), reason


def _try_technology(plan: FabricPlan, spec: GroupSpec, tech: str) -> tuple[GroupEnds | None, dict | None, str | None]:
    technology = REGISTRY[tech]
    cannot = technology.switch_reason(spec)
    if cannot:
        return None, None, cannot
    try:
        ends = technology.ends(plan.catalog, spec)
    except Infeasible as e:
        return None, None, str(e)
    check = technology.check(plan.catalog, plan.scenario.physical, spec, ends)
    if not check["feasible"]:
        return ends, check, "; ".join(check["reasons"])
    return ends, check, None


def choose_technology(plan: FabricPlan, spec: GroupSpec, candidates) -> tuple[str, GroupEnds, dict] | tuple[None, str, None]:
    """The lowest-cost (capex + energy) feasible technology among ``candidates`` for ``spec``."""
    best, why = None, []
    for t in candidates:
        ends, check, reason = try_technology(plan, spec, t)
        if reason:
            why.append(f"{t}: {reason}")
            continue
        cost = group_cost_usd(plan, spec, ends)
        if best is None or cost < best[0]:
            best = (cost, t, ends, check)
    if best is None:
        return None, "no technology can build these links: " + " | ".join(why), None
    return best[1], best[2], best[3]


def incumbents(plan: FabricPlan, spec: GroupSpec) -> list[str]:
    """What a group is built with where a listed technology cannot serve it, in order: in the scale-up
    domain the scenario's scale-up technology (copper where the policy leaves it to auto), then the
    optical incumbent (DSP pluggables) for links copper cannot reach; elsewhere DSP pluggables. On a
    co-packaged-optics switch (catalog ``co_packaged_optics``) the optical incumbent is its own
    co-packaged optics."""
    optical = OPTICAL_INCUMBENT
    if any(ep.kind == "switch" and getattr(ep.device, "co_packaged_optics", False) for ep in (spec.lower, spec.upper)):
        # a co-packaged-optics switch's own optics are the only ones its ports take
        optical = next(t for t, x in REGISTRY.items() if x.co_packaged and x.optical)
    if spec.scale_up:
        policy = plan.scenario.technology
        own = policy.scale_up if policy is not None and policy.scale_up != "auto" else SCALE_UP_INCUMBENT
        return list(dict.fromkeys([own, optical]))
    return [optical]


def _listed_group(plan: FabricPlan, spec: GroupSpec, wanted: str, design: Design, reasons: list[str]):
    """One group of a listed technology's column: that technology wherever it can serve, else the
    incumbent (never a rival); (technology, ends, check, chosen_by) or (None, why, None, ...)."""
    cannot = REGISTRY[wanted].scale_up_reason(spec) if spec.scale_up else None
    if cannot:
        why = cannot
        reasons.append(f"{spec.name} links: {cannot}")
    else:
        ends, check, reason = try_technology(plan, spec, wanted)
        if not reason:
            return wanted, ends, check, "list"
        why = f"{wanted} is not feasible ({reason})"
        reasons.append(f"{spec.name} links: {reason}")
    tried = []
    for tech in incumbents(plan, spec):
        if tech == wanted:
            continue
        ends, check, reason = try_technology(plan, spec, tech)
        if not reason:
            design.notes.append(f"{spec.name} links: {why}; built with the incumbent, {tech}")
            return tech, ends, check, "incumbent"
        tried.append(f"{tech}: {reason}")
    if not tried:
        return None, why, None, "incumbent"
    return None, f"{why}, and no incumbent can build them ({' | '.join(tried)})", None, "incumbent"


def _policy(plan: FabricPlan, design_id: str) -> TechnologyPolicy:
    if design_id == "policy":
        return plan.scenario.technology
    if design_id in SPINE_DESIGNS:
        return TechnologyPolicy(scale_up="auto", spine_switch=design_id)
    return TechnologyPolicy(scale_up=design_id, nic_leaf=design_id, leaf_spine=design_id, spine_core=design_id)


def build_design(plan: FabricPlan, design_id: str) -> Design:
    """Build one design: ``design_id`` is a technology (used wherever it can serve; elsewhere the
    incumbent of :func:`incumbents`, with a note, never a rival), a spine design (``ocs``: an OCS
    spine, links ``auto``), or ``policy`` (the scenario's per-tier policy)."""
    policy = _policy(plan, design_id)
    design = Design(technology=design_id, feasible=True, plan=plan, policy=policy.model_dump())
    # a circuit-switched core (direct-connect) is OCS in every design; an OCS spine is a design of its own
    circuit_core = bool(plan.fabric.summary.get("circuit_switched_core"))
    ocs_spine = policy.spine_switch == "ocs" or circuit_core
    try:
        specs = group_specs(plan, ocs_spine)
    except Infeasible as e:
        design.feasible = False
        design.reasons.append(str(e))
        return design

    listed = design_id in REGISTRY
    used_listed = False
    listed_reasons: list[str] = []
    for spec in specs:
        wanted = getattr(policy, spec.policy_key)
        if wanted == "auto":
            tech, ends, check = choose_technology(plan, spec, LINK_TECHNOLOGIES)
            how = "auto"
        elif listed:
            tech, ends, check, how = _listed_group(plan, spec, wanted, design, listed_reasons)
            used_listed = used_listed or how == "list"
        else:
            ends, check, reason = try_technology(plan, spec, wanted)
            tech, how = wanted, "policy"
            if reason:
                tech = None
                ends = f"{wanted} cannot build them: {reason}"
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
        design.notes = [n for n in design.notes if "built with the incumbent" not in n]
    if not design.feasible:
        return design

    groups = design.link_groups
    fabric = plan.fabric
    scale_out = [g for g in groups if not g.spec.scale_up and g.upper_end is not None]
    design.switch_port = scale_out[-1].upper_end if scale_out else groups[-1].lower_end
    devices = fabric.devices()
    if ocs_spine:
        devices.pop(fabric.top_tier.name)
    design.bom = bill_of_materials(plan, groups, devices)
    if ocs_spine:
        o = design.ocs = ocs_summary(plan, groups, design.bom)
        if circuit_core:
            design.notes.append(
                f"{fabric.topology}: {o['ocs_units']:,.0f} {o['ocs']} optical circuit switches take the {o['uplinks']:,} "
                f"{o['group']} links ({o['lower_end_optics']} optics, {o['fiber_pairs_per_uplink']} fiber pair(s) "
                f"each; a module is chosen counting the OCS ports its fiber pairs take) and join them in circuits; "
                f"each circuit closes its budget through one {o['loss_db_per_pass']:g} dB pass")
        else:
            design.notes.append(
                f"OCS spine: {o['ocs_units']:,.0f} optical circuit switches replace {o['removed_switches']:,} switches "
                f"and the {o['removed_optics']:,} optics at their ports; the {o['uplinks']:,} uplinks keep their "
                f"{o['lower_end_optics']} optics ({o['fiber_pairs_per_uplink']} fiber pair(s) each, a module chosen "
                f"counting the OCS ports its fiber pairs take) and close "
                f"their budget through one {o['loss_db_per_pass']:g} dB pass")
    return design
