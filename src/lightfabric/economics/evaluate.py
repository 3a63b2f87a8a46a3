"""The total cost of ownership of each design of a scenario, side by side.

``economics(scenario)`` builds the designs (as ``compare`` does), analyses their reliability in
closed form (:func:`lightfabric.reliability.assess.analyse`), and adds up, per technology:

* capital: the bill of materials, plus the packaging-yield premium of the scenario's yields
  (:mod:`~lightfabric.economics.copackaging`, zero at the catalog's);
* energy: IT power x PUE x hours x electricity price, every year;
* maintenance: parts and labour of every repair, every year, and the spares stock up front
  (:mod:`~lightfabric.economics.maintenance`);
* downtime: the GPU-hours network failures take from the jobs of the mix at the margin (goodput
  without the network minus goodput with every cause, plus degraded links) and the GPUs idle while
  waiting for a network repair, at the value of a GPU-hour, every year.

``tco_usd`` adds them over the years undiscounted; ``npv_usd`` discounts the yearly costs
(:mod:`~lightfabric.economics.finance`).
"""

from __future__ import annotations

from dataclasses import dataclass

from lightfabric.catalog import Catalog
from lightfabric.compare import Comparison, TechnologyResult, compare
from lightfabric.economics import valuechain
from lightfabric.economics.copackaging import PORT_OPTICS_DEFINITION, packaging, premium_usd
from lightfabric.economics.finance import annuity_factor
from lightfabric.economics.maintenance import downtime, maintenance
from lightfabric.errors import LightfabricError
from lightfabric.metrics.cost import energy_cost_usd
from lightfabric.reliability.assess import Analysis, analyse, failure_effects_summary, repair_policy_summary
from lightfabric.reliability.jobs import job_mix
from lightfabric.scenario.models import Economics, Scenario


@dataclass
class Prepared:
    """A scenario's designs with their reliability analysed: what every economic evaluation needs."""

    scenario: Scenario
    reference: Catalog          # the catalog before the scenario's overrides: the prices' yields
    comparison: Comparison
    analyses: dict[str, Analysis]
    job_gpus: int | None


def prepare(scenario: Scenario, catalog: Catalog | None = None, job_gpus: int | None = None) -> Prepared:
    """Build the designs and analyse the reliability of the feasible ones (``job_gpus``: one job of
    that size instead of the scenario's job mix)."""
    reference = catalog or Catalog.default()
    gpus = scenario.cluster.gpus
    if job_gpus is not None and not 1 <= job_gpus <= gpus:
        raise LightfabricError.for_field("--job-gpus", job_gpus, f"1 to {gpus:,} (the cluster's GPUs)",
                                         problem="the job does not fit")
    comparison = compare(scenario, reference)
    analyses = {r.technology: analyse(r.design, scenario, job_gpus) for r in comparison.results if r.feasible}
    return Prepared(scenario, reference, comparison, analyses, job_gpus)


def gpu_hour_usd(prepared: Prepared, eco: Economics) -> float:
    if eco.gpu_hour_usd is not None:
        return eco.gpu_hour_usd
    gpu = prepared.comparison.plan.gpu
    if gpu.rental_usd_per_h is None:
        raise LightfabricError.for_field("economics.gpu_hour_usd", None, "a value in USD per GPU-hour",
                                         problem=f"GPU {gpu.id} has no rental price in the catalog")
    return gpu.rental_usd_per_h


def evaluate(prepared: Prepared, result: TechnologyResult, *, eco: Economics | None = None,
             catalog: Catalog | None = None, detail: bool = True) -> dict:
    """The economics of one design. ``eco`` and ``catalog`` replace the scenario's economics and the
    design's catalog (for sensitivity runs whose change does not alter the design).

    ``detail=False`` (the sweep, the optimizer) leaves out what only the report shows: the
    packaging record per tier with its maturity curve (``packaging`` holds ``premium_usd`` alone,
    :func:`~lightfabric.economics.copackaging.premium_usd`), ``capex_by_part``, ``value_chain_usd``
    and the reliability's ``single_job_comparison``; every other figure is the same."""
    base = {"technology": result.technology, "label": result.label, "feasible": result.feasible,
            "reasons": list(result.reasons)}
    if not result.feasible:
        return base
    sc = prepared.scenario
    eco = eco or sc.economics
    design = result.design
    cat = catalog or design.plan.catalog
    a = prepared.analyses[result.technology]
    gpus = sc.cluster.gpus

    pack = packaging(design, prepared.reference, cat) if detail else \
        {"premium_usd": premium_usd(design, prepared.reference, cat)}
    capex_bom = result.capex_usd
    capex = capex_bom + pack["premium_usd"]
    by_category = {k: v for k, v in result.capex_usd_by_category.items() if k != "total"}
    by_category["packaging_yield"] = pack["premium_usd"]
    maint = maintenance(design, a.classes, eco, sc.reliability.spares_fill_rate, cat)
    down = downtime(a.totals, a.expectation.gpus_down_mean, gpu_hour_usd(prepared, eco))
    t = cost_totals(capex_usd=capex, power_w=result.power_w["total"], spares_usd=maint["spares_usd"],
                    maintenance_usd_per_year=maint["usd_per_year"], downtime_usd_per_year=down["usd_per_year"],
                    electricity_usd_per_kwh=eco.electricity_usd_per_kwh, pue=eco.pue, years=eco.years,
                    discount_rate=eco.discount_rate)
    y = eco.years
    yearly = {"energy_usd": float(t["energy_usd_per_year"]), "maintenance_usd": maint["usd_per_year"],
              "downtime_usd": down["usd_per_year"]}
    yearly_total = float(t["yearly_usd"])
    energy, maintenance_usd, downtime_usd = float(t["energy_usd"]), float(t["maintenance_usd"]), float(t["downtime_usd"])
    tco, npv, af = float(t["tco_usd"]), float(t["npv_usd"]), float(t["annuity_factor"])
    reliability = {"failures_per_year": sum(fc.rate_per_h for fc in a.classes) * 8760.0,
                   "repairs_per_year": maint["repairs_per_year"], "goodput": a.goodput,
                   "network_share_of_job_time": a.network_share,
                   "gpus_down_mean": a.expectation.gpus_down_mean,
                   "job_interruptions_per_day": a.totals["job_interruptions_per_day"]}
    out = {
        **base,
        "capex_usd": capex, "energy_usd": energy, "maintenance_usd": maintenance_usd, "downtime_usd": downtime_usd,
        "tco_usd": tco, "npv_usd": npv,
        "per_gpu": {"capex_usd": capex / gpus, "tco_usd": tco / gpus, "npv_usd": npv / gpus},
        "years": y, "discount_rate": eco.discount_rate, "annuity_factor": af,
        "yearly_usd": {**yearly, "total": yearly_total},
        "capex_usd_by_category": by_category,
    }
    if detail:
        out["capex_by_part"] = [
            {"part": line.part_id, "role": line.role, "count": line.count,
             "usd_each": sum(line.cost_usd_each.values()), "usd": line.count * sum(line.cost_usd_each.values())}
            for line in design.bom]
        reliability["single_job_comparison"] = a.single_job
    out.update({
        "port_optics_list_usd": (result.switch_port or {}).get("cost_usd"),
        "spares_usd": maint["spares_usd"],
        "maintenance": {**maint, "policy": a.policy.as_dict()}, "downtime": down, "packaging": pack,
        "reliability": reliability,
    })
    if detail:
        out["value_chain_usd"] = valuechain.segments_usd(design.bom, cat, pack["premium_usd"], _premium_margin(pack))
    return out


def cost_totals(*, capex_usd, power_w, spares_usd, maintenance_usd_per_year, downtime_usd_per_year,
                electricity_usd_per_kwh, pue, years, discount_rate) -> dict:
    """The money totals of one design, element-wise over numpy arrays (the sweep) or on floats.

    * energy per year: IT power x PUE x 8,760 h x electricity price (:func:`energy_cost_usd`);
    * ``tco_usd`` = capex + energy x years + spares + maintenance per year x years + downtime per
      year x years (undiscounted);
    * ``npv_usd`` = capex + spares + (energy + maintenance + downtime per year) x a(r, years), with
      the annuity factor a of :func:`~lightfabric.economics.finance.annuity_factor`.

    ``downtime_usd_per_year`` is the GPU-hours lost in a year times the value of a GPU-hour.
    """
    energy_year = energy_cost_usd(power_w, electricity_usd_per_kwh, pue, 1.0)
    yearly = energy_year + maintenance_usd_per_year + downtime_usd_per_year
    energy = energy_year * years
    maintenance_usd = spares_usd + maintenance_usd_per_year * years
    downtime_usd = downtime_usd_per_year * years
    af = annuity_factor(discount_rate, years)
    return {"energy_usd_per_year": energy_year, "yearly_usd": yearly, "energy_usd": energy,
            "maintenance_usd": maintenance_usd, "downtime_usd": downtime_usd,
            "tco_usd": capex_usd + energy + maintenance_usd + downtime_usd,
            "npv_usd": capex_usd + spares_usd + yearly * af, "annuity_factor": af}


def _premium_margin(pack: dict) -> float:
    """Gross margin the packaging premium carries (that of the flows it arose in)."""
    gms = [t["vendor_gross_margin"] for t in pack["tiers"] if "vendor_gross_margin" in t]
    return gms[0] if gms else 0.0


def economics(scenario: Scenario, catalog: Catalog | None = None, *, job_gpus: int | None = None) -> dict:
    """TCO and NPV of every design of ``scenario`` (see docs/economics.md)."""
    prepared = prepare(scenario, catalog, job_gpus)
    eco = scenario.economics
    mix = job_mix(scenario, job_gpus)
    return {
        "scenario": scenario.name, "gpus": scenario.cluster.gpus, "job_gpus": max(g for g, _ in mix.sizes),
        "job_mix": mix.as_dict(scenario.cluster.gpus), "repair_policy": repair_policy_summary(scenario),
        "failure_effects": failure_effects_summary(scenario),
        "economics": {**eco.model_dump(), "gpu_hour_usd": gpu_hour_usd(prepared, eco)},
        "definitions": {"port_optics_list_usd": PORT_OPTICS_DEFINITION},
        "results": [evaluate(prepared, r) for r in prepared.comparison.results],
    }


def value_chain(scenario: Scenario, catalog: Catalog | None = None) -> dict:
    """Dollars and share per industry segment of every design's capital spending, and the shift
    of each design against the first (the baseline). Totals equal each design's capex."""
    reference = catalog or Catalog.default()
    comparison = compare(scenario, reference)
    results = []
    for r in comparison.results:
        if not r.feasible:
            continue
        pack = packaging(r.design, reference)
        usd = valuechain.segments_usd(r.design.bom, r.design.plan.catalog, pack["premium_usd"], _premium_margin(pack))
        results.append({"technology": r.technology, "label": r.label, "total_usd": sum(usd.values()),
                        "capex_usd": r.capex_usd + pack["premium_usd"], "segments": valuechain.shares(usd)})
    baseline = results[0] if results else None
    for r in results:
        r["shift"] = valuechain.shift({s: v["usd"] for s, v in r["segments"].items()},
                                      {s: v["usd"] for s, v in baseline["segments"].items()})
    return {"scenario": scenario.name, "baseline": baseline["technology"] if baseline else None,
            "segment_labels": dict(valuechain.SEGMENTS), "results": results,
            "infeasible": [{"technology": r.technology, "reasons": r.reasons}
                           for r in comparison.results if not r.feasible]}
