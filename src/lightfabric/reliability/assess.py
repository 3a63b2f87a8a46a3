"""Reliability and serviceability of each design of a scenario, side by side.

``assess(scenario)`` builds the designs (as ``compare`` does), lists what can fail in each
(:mod:`~lightfabric.reliability.inventory`), computes the expectations in closed form
(:mod:`~lightfabric.reliability.analytic`), what a training job loses (Young/Daly,
:mod:`~lightfabric.reliability.checkpoint`) and the spares to stock, and runs the Monte Carlo
(:mod:`~lightfabric.reliability.montecarlo`) for distributions and confidence intervals.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from lightfabric.catalog import Catalog, ExternalLaserSource, OpticalEngine, PluggableModule
from lightfabric.compare import compare
from lightfabric.design import Design
from lightfabric.errors import LightfabricError, WorkTooLarge
from lightfabric.inputs import check_seed
from lightfabric.reliability import checkpoint, rates
from lightfabric.reliability.rates import HOURS_PER_DAY
from lightfabric.reliability.analytic import Expectation, expectation, interruption_probability
from lightfabric.reliability.inventory import FailureClass, inventory, leaf_gpus
from lightfabric.reliability.montecarlo import simulate
from lightfabric.reliability.spares import spares_for_fill_rate
from lightfabric.scenario.models import Scenario

LINK_CATEGORIES = ("optics", "lasers", "cables")


def _r(x, nd=4):
    return None if x is None else float(f"{float(x):.{nd}g}")


def port_fit(design: Design, case_temperature_c: float | None = None) -> dict:
    """FIT of the optics at one switch port of the design, with what it is made of."""
    cat = design.plan.catalog
    sp = design.switch_port
    if sp is None or sp.kind == "cable":
        return {"part": None if sp is None else sp.part_id, "fit": None, "note": "copper: see the cable's FIT"}
    part = cat.get(sp.part_id)
    b = rates.module_fit(cat, part) if isinstance(part, PluggableModule) else rates.engine_fit(cat, part)
    items = {k: v * sp.parts_per_end for k, v in b.items.items()}
    if isinstance(part, OpticalEngine):
        els = cat.get(part.laser_source, kind="laser-source")
        assert isinstance(els, ExternalLaserSource)
        lf = rates.laser_fit(cat, part.technology, part.lane_rate_gbps, case_temperature_c, engine=part)
        items[f"{sp.lasers:g} x {lf.laser} (external)"] = sp.lasers * lf.fit
        items[f"{els.id} electronics, port share"] = rates.part_fit(cat, els) * sp.lasers / els.lasers
    fit = sum(items.values())
    return {"part": sp.part_id, "kind": sp.kind, "rate_gbps": sp.rate_gbps, "fit": _r(fit),
            "mtbf_h": _r(1e9 / fit if fit else float("inf")), "breakdown": {k: _r(v) for k, v in items.items()}}


def _link_fit(classes: list[FailureClass], group_links: dict[str, int]) -> dict[str, float]:
    """FIT of one link of each group from its own optics, lasers and cable (not the switches)."""
    out: dict[str, float] = defaultdict(float)
    for fc in classes:
        if fc.category in LINK_CATEGORIES:
            for g, n in fc.links_waiting.items():   # spare-covered laser failures are already taken out
                if group_links.get(g):
                    out[g] += fc.count * fc.fit * n / group_links[g]
    return {g: _r(v) for g, v in out.items()}


def spares_table(classes: list[FailureClass], catalog: Catalog, fill_rate: float) -> list[dict]:
    """Every failure is repaired by swapping its FRU, so it draws one spare of that FRU."""
    demand: dict[tuple[str, str], float] = defaultdict(float)
    for fc in classes:
        demand[(fc.spare, fc.fru)] += fc.rate_per_h
    rows = []
    for (spare, fru), rate in sorted(demand.items()):
        unit = catalog.get(fru, kind="repair-unit")
        lead_h = unit.restock_days * HOURS_PER_DAY
        rows.append({"spare": spare, "fru": fru, "failures_per_restock": _r(rate * lead_h),
                     "restock_days": unit.restock_days,
                     "stock": spares_for_fill_rate(rate, lead_h, fill_rate)})
    return rows


@dataclass(frozen=True)
class Analysis:
    """The closed-form reliability of one design: what fails, the expectations, the training job."""

    classes: list[FailureClass]
    expectation: Expectation
    job: dict
    leaf_gpus: float
    group_links: dict[str, int]

    @property
    def goodput(self) -> float:
        """Share of the job's GPU time that is useful, counting network failures only."""
        return self.job["network"]["goodput"]


def analyse(design: Design, scenario: Scenario, job_gpus: int) -> Analysis:
    """Closed-form reliability of ``design`` (no Monte Carlo): the failure classes, the expected
    failures and downtime, and the training job's interruptions and goodput (Young/Daly)."""
    rel = scenario.reliability
    temp = scenario.physical.laser_case_temperature_c
    cat = design.plan.catalog
    classes = inventory(design, repair_wait_h=rel.repair_wait_h, els_spare_lasers=rel.els_spare_lasers,
                        laser_case_temperature_c=temp)
    gpus = scenario.cluster.gpus
    group_links = {g.name: g.links for g in design.link_groups}
    bis_groups = [g.name for g in design.fabric.groups if g.bisection and g.name in group_links]
    lg = leaf_gpus(design)
    e = expectation(classes, gpus=gpus, group_links=group_links, job_gpus=job_gpus, leaf_gpus=lg,
                    bisection_groups=bis_groups)

    # the training job
    delta = rel.checkpoint_write_s / 3600.0
    restart = (rel.detection_min + rel.restart_min) / 60.0
    rate_net = e.job_interruptions_per_day / HOURS_PER_DAY
    other = cat.get("fit-gpu-host-other", kind="failure-rate")
    rate_other = job_gpus * rates.per_hour(other.fit)
    job = {"gpus": job_gpus, "checkpoint_write_s": rel.checkpoint_write_s,
           "restart_h": _r(restart), "interruptions_per_day": _r(e.job_interruptions_per_day),
           "interruptions_per_day_by_category": {k: _r(v) for k, v in e.interruptions_by_category.items()}}
    for label, rate in (("network", rate_net), ("all_causes", rate_net + rate_other)):
        m = 1.0 / rate if rate > 0 else float("inf")
        tau = float(checkpoint.daly_interval_h(delta, m)) if np.isfinite(m) else float("inf")
        job[label] = {
            "interruptions_per_day": _r(rate * HOURS_PER_DAY), "mtbi_h": _r(m),
            "checkpoint_interval_h": _r(tau), "young_interval_h": _r(checkpoint.young_interval_h(delta, m)),
            "time_lost_per_interruption_h": _r(checkpoint.time_lost_per_interruption_h(tau, delta, restart))
            if np.isfinite(tau) else None,
            "goodput": _r(checkpoint.goodput(tau, delta, restart, m) if np.isfinite(m) else 1.0, 6)}
    job["other_causes_source"] = other.id
    return Analysis(classes, e, job, lg, group_links)


def _assess_one(result, a: Analysis | None, scenario: Scenario, *, job_gpus: int, horizon_days: float, trials: int,
                seed: int, progress: Callable[[str, int, int], None] | None) -> dict:
    design: Design = result.design
    base = {"technology": result.technology, "label": result.label, "feasible": result.feasible,
            "reasons": list(result.reasons)}
    if not result.feasible:
        return base
    rel = scenario.reliability
    temp = scenario.physical.laser_case_temperature_c
    cat = design.plan.catalog
    gpus = scenario.cluster.gpus
    classes, e, job, lg, group_links = a.classes, a.expectation, a.job, a.leaf_gpus, a.group_links

    # Monte Carlo
    arr = lambda f: np.array([f(c) for c in classes], dtype=float)  # noqa: E731
    outage = arr(lambda c: c.outage_fraction)
    gw = arr(lambda c: c.gpus_waiting / c.outage_fraction if c.outage_fraction > 0 else 0.0)
    p = arr(lambda c: interruption_probability(c, job_gpus, gpus, lg))
    links_total = sum(group_links.values())
    mc = simulate(rate_h=arr(lambda c: c.rate_per_h), flap_rate_h=arr(lambda c: c.flap_rate_per_h),
                  wait_h=arr(lambda c: c.wait_h), replace_h=arr(lambda c: c.replace_h), gpus_waiting=gw,
                  gpus_replacing=arr(lambda c: c.gpus_replacing), outage_fraction=outage, interrupt_p=p,
                  horizon_days=horizon_days, trials=trials, seed=seed, links=links_total,
                  progress=None if progress is None else (lambda d, t: progress(result.technology, d, t)))
    units = []
    for i, c in enumerate(classes):
        units.append({"unit": c.name, "part": c.part, "category": c.category, "count": _r(c.count, 8),
                      "fit": _r(c.fit), "failures_per_day": _r(c.rate_per_h * HOURS_PER_DAY),
                      "mc_failures_per_day": _r(mc.failures_per_day[i]),
                      "fru": c.fru, "mttr_h": _r(c.mttr_h),
                      "blast_radius_gpus": {"waiting": _r(c.gpus_waiting), "replacing": _r(c.gpus_replacing)},
                      "interrupt_probability": _r(p[i]), "fit_detail": {k: _r(v) for k, v in c.fit_detail.items()}})
    mttr = {}
    for c in classes:
        mttr[c.fru] = {"wait_h": c.wait_h, "replace_h": c.replace_h, "total_h": _r(c.mttr_h)}
    fpd = dict(sorted(((k, _r(v)) for k, v in e.failures_per_day.items()), key=lambda kv: -kv[1]))
    return {
        **base,
        "failures_per_day": fpd,
        "failures_per_day_total": _r(sum(e.failures_per_day.values())),
        "failures_per_day_by_category": {k: _r(v) for k, v in e.failures_per_day_by_category.items()},
        "flaps_per_day": _r(e.flaps_per_day),
        "port_fit": port_fit(design, temp),
        "link_fit": _link_fit(classes, group_links),
        "blast_radius_gpus": {c.name: {"waiting": _r(c.gpus_waiting), "replacing": _r(c.gpus_replacing)}
                              for c in classes},
        "mttr_h": mttr,
        "gpus_down_mean": _r(e.gpus_down_mean),
        "links_down_mean": {k: _r(v) for k, v in e.links_down_mean.items()},
        "link_availability": {k: _r(v, 8) for k, v in e.link_availability.items()},
        "bisection_availability": _r(e.bisection_availability, 8),
        "job_interruptions_per_day": _r(e.job_interruptions_per_day),
        "goodput": job["network"]["goodput"],
        "job": job,
        "spares": spares_table(classes, cat, rel.spares_fill_rate),
        "units": units,
        "monte_carlo": {
            "trials": mc.trials, "horizon_days": mc.horizon_days, "seed": mc.seed, "links": links_total,
            "gpus_down_mean": _r(mc.gpus_down_mean), "gpus_down_mean_ci95": [_r(x) for x in mc.gpus_down_mean_ci95],
            "gpus_down_p50": mc.gpus_down_p50, "gpus_down_p95": mc.gpus_down_p95, "gpus_down_p99": mc.gpus_down_p99,
            "gpus_down_max": mc.gpus_down_max,
            "gpus_down_distribution": _distribution(mc.gpus_down_time_fraction),
            "job_interruptions_per_day": _r(mc.job_interruptions_per_day),
            "job_interruptions_per_day_ci95": [_r(x) for x in mc.job_interruptions_per_day_ci95],
            "job_interruptions_per_day_p5_p95": [_r(x) for x in mc.job_interruptions_per_day_p5_p95],
            "seconds": _r(mc.seconds), "link_years_per_second": _r(mc.link_years_per_second),
        },
    }


def _distribution(fraction: np.ndarray) -> dict:
    """The GPUs-down levels seen in the Monte Carlo and the share of time at each (levels never seen are left out)."""
    levels = np.nonzero(fraction)[0]
    return {"gpus": [int(n) for n in levels], "time_fraction": [float(f"{fraction[n]:.6g}") for n in levels]}


def check_monte_carlo(trials: int, horizon_days: float, seed: int) -> None:
    """Raise a :class:`LightfabricError` naming the option unless the Monte Carlo can run as asked."""
    if not 1 <= horizon_days <= 3650:      # false for NaN too
        raise LightfabricError.for_field("--horizon-days", horizon_days, "1 to 3650 days")
    if not 2 <= trials <= 100_000:
        raise LightfabricError.for_field("--trials", trials, "2 to 100,000")
    check_seed(seed)


def assess(scenario: Scenario, catalog: Catalog | None = None, *, job_gpus: int | None = None,
           horizon_days: float = 180.0, trials: int = 200, seed: int = 0,
           progress: Callable[[str, int, int], None] | None = None, max_failure_events: float | None = None) -> dict:
    """Reliability of every design of ``scenario``: one record per technology (see docs/reliability.md).

    Raises
    ------
    lightfabric.errors.LightfabricError
        For bad input: a job larger than the cluster, a horizon or trial count out of range.
    """
    gpus = scenario.cluster.gpus
    j = job_gpus if job_gpus is not None else (scenario.reliability.job_gpus or gpus)
    if not 1 <= j <= gpus:
        raise LightfabricError.for_field("--job-gpus" if job_gpus is not None else "reliability.job_gpus", j,
                                         f"1 to {gpus:,} (the cluster's GPUs)", problem="the job does not fit")
    check_monte_carlo(trials, horizon_days, seed)
    comparison = compare(scenario, catalog)
    rel = scenario.reliability
    analyses = [analyse(r.design, scenario, j) if r.feasible else None for r in comparison.results]
    if max_failure_events is not None:
        per_day = sum(sum(a.expectation.failures_per_day.values()) for a in analyses if a is not None)
        events = trials * horizon_days * per_day
        if events > max_failure_events:
            raise WorkTooLarge.for_field(
                "trials", trials, f"trials x horizon days x failures a day (over every design) at most "
                f"{max_failure_events:,.0f} failure events; this scenario has {per_day:,.1f} failures a day, so "
                f"at most {int(max_failure_events / (horizon_days * per_day)):,} trials over {horizon_days:g} days",
                problem=f"{events:,.0f} failure events to simulate")
    return {
        "scenario": scenario.name, "gpus": gpus, "job_gpus": j, "horizon_days": horizon_days, "trials": trials,
        "seed": seed,
        "assumptions": {"checkpoint_write_s": rel.checkpoint_write_s, "detection_min": rel.detection_min,
                        "restart_min": rel.restart_min, "repair_wait_h": rel.repair_wait_h,
                        "els_spare_lasers": rel.els_spare_lasers, "spares_fill_rate": rel.spares_fill_rate},
        "results": [_assess_one(r, a, scenario, job_gpus=j, horizon_days=horizon_days, trials=trials, seed=seed,
                                progress=progress) for r, a in zip(comparison.results, analyses)],
    }
