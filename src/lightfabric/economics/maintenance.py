"""What keeping a design running costs: the parts every repair replaces, the technician time, the
spares on the shelf, and the GPU time network failures take away (at the margin).

Failure rates, repair times and blast radii come from the reliability model
(:mod:`lightfabric.reliability`); prices from the design's bill of materials. Every hard failure
is repaired by swapping its field-replaceable unit (FRU); the operator pays
``replaced_part_cost_fraction`` of the swapped unit's price and the technician's time
(``replace_h + handling_h_per_repair``). A co-packaged switch swapped for a failed engine goes back
to its vendor, who reworks the package (a new engine, the flow's rework fraction) or scraps the
package with its switch die and every engine on it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from lightfabric.catalog import Catalog, CoPackageFlow, OpticalEngine, ValueShare
from lightfabric.catalog.matching import index_by_target, most_specific
from lightfabric.catalog.defaults import FAU_PART
from lightfabric.design import BomLine, Design
from lightfabric.economics.copackaging import EngineTier, engines_by_tier
from lightfabric.metrics.cost import HOURS_PER_YEAR
from lightfabric.reliability.inventory import FailureClass
from lightfabric.reliability.repair import REPATCH_FRU, SUB_ASSEMBLY_FRU
from lightfabric.reliability.rates import HOURS_PER_DAY
from lightfabric.reliability.spares import spares_for_fill_rate
from lightfabric.scenario.models import Economics
from lightfabric.technologies.registry import REGISTRY


def unit_prices_usd(bom: list[BomLine]) -> dict[str, float]:
    """Price of one unit of each part in the bill of materials (count-weighted over its lines:
    a fiber trunk's price depends on its group's length)."""
    total: dict[str, float] = defaultdict(float)
    count: dict[str, float] = defaultdict(float)
    for line in bom:
        total[line.part_id] += line.count * sum(line.cost_usd_each.values())
        count[line.part_id] += line.count
    return {p: total[p] / count[p] for p in total if count[p] > 0}


def _engine_usd(engine: OpticalEngine, prices: dict[str, float]) -> float:
    """An engine with its fiber array units, at the design's prices."""
    return prices.get(engine.id, engine.price_usd) + engine.fiber_array_units * prices.get(FAU_PART, 0.0)


def chip_value_share(catalog: Catalog, part) -> float:
    """Share of a part's price that is its silicon (silicon vendor plus foundry-packaging)."""
    entry = most_specific(index_by_target(catalog.of_kind(ValueShare)), part)
    if entry is None:
        return 0.0
    return sum(v for k, v in entry.shares.items() if k in ("switch-silicon", "nic-silicon", "foundry-packaging"))


@dataclass(frozen=True)
class RepairCost:
    """What one repair of a failure class costs: the unit swapped and the technician's time."""

    unit_usd: float      # full price of what the repair consumes
    labour_h: float
    note: str = ""


def repair_cost(design: Design, fc: FailureClass, prices: dict[str, float], eco: Economics,
                catalog: Catalog | None = None, engines: list[EngineTier] | None = None) -> RepairCost:
    """The unit one failure of ``fc`` consumes, at full price, and the labour it takes.
    ``engines``: :func:`engines_by_tier` of the design, if the caller has it."""
    cat = catalog or design.plan.catalog
    labour_h = fc.replace_h + eco.handling_h_per_repair
    part = cat.get(fc.part) if fc.part in cat else None
    if isinstance(part, OpticalEngine):
        engine_usd = _engine_usd(part, prices)
        if fc.fru == SUB_ASSEMBLY_FRU:
            n = part.sub_assembly_engines or 1
            return RepairCost(n * engine_usd, labour_h, f"a detachable sub-assembly of {n} engines")
        if fc.fru == "fru-cpo-switch":
            # the vendor reworks the package (one engine) or scraps it: switch die and all engines
            engines = engines_by_tier(design) if engines is None else engines
            per_switch = max((et.per_device for et in engines if et.engine.id == part.id), default=1.0)
            flow = most_specific(index_by_target(cat.of_kind(CoPackageFlow)), part)
            rho = flow.engine_rework_fraction if flow else 0.0
            rework = flow.rework_usd if flow else 0.0
            switch = design.plan.switch
            packages = switch.asics_per_system     # a multi-ASIC box scraps one package: its die and engines
            die_usd = chip_value_share(cat, switch) * switch.system_price_usd / packages
            scrap = per_switch / packages * engine_usd + die_usd
            return RepairCost(rho * (engine_usd + rework) + (1 - rho) * scrap, labour_h,
                              f"package reworked with {rho:.0%} probability, else scrapped"
                              + (f" (one of the switch's {packages} packages)" if packages > 1 else ""))
        if fc.fru == "fru-compute-tray":
            return RepairCost(engine_usd, labour_h, "the GPU package's own value is not in the catalog: a lower bound")
        return RepairCost(engine_usd, labour_h)
    if fc.spare in prices:
        return RepairCost(prices[fc.spare], labour_h)
    return RepairCost(prices.get(fc.part, 0.0), labour_h,
                      "" if fc.part in prices else f"no price for {fc.part}: counted as 0")


def spare_unit_usd(design: Design, fc: FailureClass, prices: dict[str, float],
                   engines: list[EngineTier] | None = None) -> float:
    """Price of one spare of the unit ``fc`` draws from the shelf (a CPO switch with its engines)."""
    cat = design.plan.catalog
    part = cat.get(fc.part) if fc.part in cat else None
    if fc.fru == "fru-cpo-switch":
        # a spare CPO switch carries every engine of the fullest CPO switch tier
        switch = design.plan.switch
        engines = engines_by_tier(design) if engines is None else engines
        on_package = max((et.per_device * _engine_usd(et.engine, prices) for et in engines
                          if REGISTRY[et.engine.technology].co_packaged and et.on_switch), default=0.0)
        return prices.get(switch.id, switch.system_price_usd) + on_package
    if isinstance(part, OpticalEngine):
        return _engine_usd(part, prices) * ((part.sub_assembly_engines or 1) if fc.fru == SUB_ASSEMBLY_FRU else 1)
    return prices.get(fc.spare, prices.get(fc.part, 0.0))


def maintenance(design: Design, classes: list[FailureClass], eco: Economics, fill_rate: float,
                catalog: Catalog | None = None) -> dict:
    """Yearly repair cost (parts and labour) and the spares stock to buy up front, in USD.

    A repair is a swap of the class's FRU (:attr:`FailureClass.swaps_per_h`: a maintenance window
    swaps a device once for all its dead ports); a link moved to a spare port is a cable job."""
    cat = catalog or design.plan.catalog
    prices = unit_prices_usd(design.bom)
    engines = engines_by_tier(design)
    repatch_h = cat.get(REPATCH_FRU, kind="repair-unit").replace_h + eco.handling_h_per_repair
    by_unit = []
    parts_usd = labour_usd = repairs = 0.0
    costs: dict[tuple, RepairCost] = {}   # a repair's cost depends on the class only through these
    for fc in classes:
        per_year = fc.swaps_per_h * HOURS_PER_YEAR
        repatches = fc.rate_per_h * fc.repatch_per_failure * HOURS_PER_YEAR
        key = (fc.part, fc.fru, fc.spare, fc.replace_h)
        rc = costs.get(key)
        if rc is None:
            rc = costs[key] = repair_cost(design, fc, prices, eco, cat, engines)
        p_usd = per_year * rc.unit_usd * eco.replaced_part_cost_fraction
        l_usd = (per_year * rc.labour_h + repatches * repatch_h) * eco.labour_usd_per_h
        parts_usd += p_usd
        labour_usd += l_usd
        repairs += per_year
        by_unit.append({"unit": fc.name, "fru": fc.fru, "failures_per_year": fc.rate_per_h * HOURS_PER_YEAR,
                        "repairs_per_year": per_year, "repatches_per_year": repatches, "unit_usd": rc.unit_usd,
                        "labour_h": rc.labour_h, "parts_usd_per_year": p_usd, "labour_usd_per_year": l_usd,
                        "note": rc.note})
    # spares: one pool per spare type, sized for the fill rate over the restock lead time
    pools: dict[tuple[str, str], list[FailureClass]] = defaultdict(list)
    for fc in classes:
        pools[(fc.spare, fc.fru)].append(fc)
    spares = []
    spares_usd = 0.0
    for (spare, fru), members in sorted(pools.items()):
        unit = cat.get(fru, kind="repair-unit")
        rate = sum(m.swaps_per_h for m in members)
        stock = spares_for_fill_rate(rate, unit.restock_days * HOURS_PER_DAY, fill_rate)
        price = spare_unit_usd(design, members[0], prices, engines)
        spares_usd += stock * price
        spares.append({"spare": spare, "fru": fru, "stock": stock, "unit_usd": price, "usd": stock * price})
    return {"repairs_per_year": repairs, "parts_usd_per_year": parts_usd, "labour_usd_per_year": labour_usd,
            "usd_per_year": parts_usd + labour_usd, "spares_usd": spares_usd, "spares": spares, "by_unit": by_unit}


def downtime(totals: dict, gpus_down_mean: float, gpu_hour_usd: float) -> dict:
    """GPU time the network takes away in a year, and its value.

    ``totals`` (:func:`lightfabric.reliability.jobs.cluster_totals`): the jobs' GPU-hours the network
    takes at the margin (goodput without the network minus goodput with it, plus the slow-down of
    degraded links); ``gpus_down_mean``: GPUs out waiting for a network repair, idle capacity:
    ``GPU-h = marginal job GPU-h + gpus_down_mean * 8760``.
    """
    job_h = totals["job_gpu_hours_per_year"]
    idle_h = gpus_down_mean * HOURS_PER_YEAR
    return {"method": "marginal: goodput without the network minus goodput with every cause, per job of the mix",
            "gpu_hours_per_year": job_h + idle_h, "job_gpu_hours_per_year": job_h,
            "interruption_gpu_hours_per_year": totals["interruption_gpu_hours_per_year"],
            "degraded_gpu_hours_per_year": totals["degraded_gpu_hours_per_year"],
            "idle_gpu_hours_per_year": idle_h, "network_share_of_job_time": totals["network_share_of_job_time"],
            "gpu_hour_usd": gpu_hour_usd, "usd_per_year": (job_h + idle_h) * gpu_hour_usd}
