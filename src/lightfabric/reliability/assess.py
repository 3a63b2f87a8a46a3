"""Reliability and serviceability of each design of a scenario, side by side.

``assess(scenario)`` builds the designs (as ``compare`` does), lists what can fail in each
(:mod:`~lightfabric.reliability.inventory`), repairs it under the scenario's policy
(:mod:`~lightfabric.reliability.repair`), computes the expectations in closed form
(:mod:`~lightfabric.reliability.analytic`), what the network costs the jobs of the mix
(:mod:`~lightfabric.reliability.jobs`, :mod:`~lightfabric.reliability.effects`) and the spares to
stock, and runs the Monte Carlo (:mod:`~lightfabric.reliability.montecarlo`) for distributions
and confidence intervals.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from lightfabric.catalog import Catalog, ExternalLaserSource, PluggableModule
from lightfabric.compare import compare
from lightfabric.design import Design
from lightfabric.errors import LightfabricError, WorkTooLarge
from lightfabric.inputs import check_seed
from lightfabric.published import beside
from lightfabric.reliability import checkpoint, rates
from lightfabric.reliability.analytic import Expectation, expectation
from lightfabric.reliability.effects import ROLE_LABELS, ROLES, degraded_bandwidth
from lightfabric.reliability.inventory import FailureClass, inventory, leaf_gpus
from lightfabric.reliability.jobs import (
    PRESET_SOURCES, JobMix, JobResult, cluster_totals, crossing_probability, job_mix, job_results,
)
from lightfabric.reliability.montecarlo import simulate
from lightfabric.reliability.rates import HOURS_PER_DAY
from lightfabric.reliability.repair import PolicyResult, apply_policy
from lightfabric.reliability.spares import spares_for_fill_rate
from lightfabric.scenario.models import Scenario

LINK_CATEGORIES = ("optics", "lasers", "cables")
OTHER_CAUSES = "fit-gpu-host-other"       # interruptions of a job by anything but the network, per GPU


def _r(x, nd=4):
    return None if x is None else float(f"{float(x):.{nd}g}")


def port_fit(design: Design, case_temperature_c: float | None = None, design_margin_db: float | None = None) -> dict:
    """FIT of the optics at one switch port of the design, with what it is made of; for an engine
    with field hours in the catalog, its calibration (:func:`~lightfabric.reliability.rates.field_calibration`)."""
    cat = design.plan.catalog
    margin = design.plan.scenario.physical.design_margin_db if design_margin_db is None else design_margin_db
    sp = design.switch_port
    if sp is None or sp.kind == "cable":
        return {"part": None if sp is None else sp.part_id, "fit": None, "note": "copper: see the cable's FIT"}
    part = cat.get(sp.part_id)
    cal = None
    if isinstance(part, PluggableModule):
        items = {k: v * sp.parts_per_end for k, v in rates.module_fit(cat, part, design_margin_db=margin).items.items()}
    else:
        # one port's share of its engine (dies and fiber attach), its lasers and their source
        share = sp.rate_gbps / part.capacity_gbps
        items = {f"{k}, port share": v * share for k, v in rates.engine_fit(cat, part).items.items()}
        els = cat.get(part.laser_source, kind="laser-source")
        assert isinstance(els, ExternalLaserSource)
        lf = rates.laser_fit(cat, part.technology, part.lane_rate_gbps, case_temperature_c, engine=part,
                             design_margin_db=margin)
        items[f"{sp.lasers:g} x {lf.laser} (external)"] = sp.lasers * lf.fit
        items[f"{els.id} electronics, port share"] = rates.part_fit(cat, els) * sp.lasers / els.lasers
        c = rates.field_calibration(cat, part)
        if c is not None:
            cal = c.as_dict()
            cal["port_rate_gbps"] = sp.rate_gbps
            cal["port_fit_upper_95_without_lasers"] = _r(c.fit_upper_95 * share)
    fit = sum(items.values())
    return {"part": sp.part_id, "kind": sp.kind, "rate_gbps": sp.rate_gbps, "fit": _r(fit),
            "mtbf_h": _r(1e9 / fit if fit else float("inf")), "breakdown": {k: _r(v) for k, v in items.items()},
            "field_calibration": cal}


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
    """Every swap of a FRU draws one spare of it (a maintenance window swaps fewer than fail)."""
    demand: dict[tuple[str, str], float] = defaultdict(float)
    for fc in classes:
        demand[(fc.spare, fc.fru)] += fc.swaps_per_h
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
    """The closed-form reliability of one design: what fails (repaired under the scenario's policy),
    the expectations, and what the network costs the jobs of the mix."""

    classes: list[FailureClass]
    expectation: Expectation
    mix: JobMix
    jobs: list[JobResult]
    totals: dict
    policy: PolicyResult
    degraded: dict
    leaf_gpus: float
    group_links: dict[str, int]
    # what the one-job comparison needs: the scenario, the degrading cost and the other causes' FIT
    scenario: Scenario = field(repr=False, compare=False)
    degrade_cost: float = field(repr=False, compare=False)
    other_fit: float = field(repr=False, compare=False)

    @cached_property
    def single_job(self) -> dict:
        """The network's share of job time and its interruptions if one job spanned the cluster
        (computed on first access: only the reports show it)."""
        gpus = self.scenario.cluster.gpus
        # the mix of one job of every GPU: job_mix of the scenario with jobs "single" and no job_gpus
        one_job = JobMix("single", PRESET_SOURCES["single"], self.scenario.reliability.job_placement, ((gpus, 1.0),))
        single = cluster_totals(_mix_results(self.classes, one_job, self.scenario, self.leaf_gpus,
                                             self.degrade_cost, self.other_fit), gpus)
        return {"network_share_of_job_time": _r(single["network_share_of_job_time"]),
                "job_interruptions_per_day": _r(single["job_interruptions_per_day"])}

    @property
    def goodput(self) -> float:
        """GPU-hour-weighted goodput of the mix's jobs, every cause counted."""
        busy = sum(j.share for j in self.jobs)
        return sum(j.share * j.goodput_all for j in self.jobs) / busy if busy else 1.0

    @property
    def network_share(self) -> float:
        """Share of the jobs' GPU time the network takes (its marginal cost: jobs module)."""
        return self.totals["network_share_of_job_time"]

    @property
    def largest_job(self) -> JobResult:
        return max(self.jobs, key=lambda j: j.gpus)


def _mix_results(classes, mix, scenario, lg, degrade_cost, other_fit):
    rel = scenario.reliability
    return job_results(classes, mix, gpus=scenario.cluster.gpus,
                       other_fit_per_gpu=other_fit, delta_h=rel.checkpoint_write_s / 3600.0,
                       restart_h=(rel.detection_min + rel.restart_min) / 60.0, degrade_cost=degrade_cost)


def analyse(design: Design, scenario: Scenario, job_gpus: int | None = None) -> Analysis:
    """Closed-form reliability of ``design`` (no Monte Carlo): the failure classes under the
    scenario's repair policy, the expected failures and downtime, and each job of the mix's
    interruptions, degraded time and goodput. ``job_gpus`` replaces the mix with one job."""
    rel = scenario.reliability
    cat = design.plan.catalog
    classes = inventory(design, repair_wait_h=rel.repair_wait_h, els_spare_lasers=rel.els_spare_lasers,
                        laser_case_temperature_c=scenario.physical.laser_case_temperature_c)
    policy = apply_policy(design, classes, rel.repair_policy, window_days=rel.maintenance_window_days)
    classes = policy.classes
    gpus = scenario.cluster.gpus
    group_links = {g.name: g.links for g in design.link_groups}
    bis_groups = [g.name for g in design.fabric.groups if g.bisection and g.name in group_links]
    lg = leaf_gpus(design)
    e = expectation(classes, gpus=gpus, group_links=group_links, bisection_groups=bis_groups)
    degrading = any(fc.effect == "degrade" for fc in classes)
    degraded = degraded_bandwidth(design) if degrading else {
        "retained": None, "note": "not measured: no failure degrades (reliability.failure_effects)"}
    degrade_cost = (1.0 - degraded["retained"]) * rel.exposed_communication_share if degrading else 0.0
    degraded = {**degraded, "exposed_communication_share": rel.exposed_communication_share,
                "cost_per_unit_down": degrade_cost}
    other = cat.get(OTHER_CAUSES, kind="failure-rate")
    mix = job_mix(scenario, job_gpus)
    jobs = _mix_results(classes, mix, scenario, lg, degrade_cost, other.fit)
    totals = cluster_totals(jobs, gpus)
    return Analysis(classes, e, mix, jobs, totals, policy, degraded, lg, group_links, scenario, degrade_cost,
                    other.fit)


def job_interrupt_probabilities(a: Analysis, scenario: Scenario) -> np.ndarray:
    """Per failure class, the chance it interrupts the mix's largest job (0 for degrading classes)."""
    job = a.largest_job
    return np.array([crossing_probability(fc, a.mix.placement, job.gpus, scenario.cluster.gpus)
                     if fc.effect == "interrupt" else 0.0 for fc in a.classes], dtype=float)


def _job_summary(a: Analysis, scenario: Scenario) -> dict:
    """The largest job of the mix, in the form of one job's record: its interruptions by category and cause."""
    rel = scenario.reliability
    j = a.largest_job
    by_cat: dict[str, float] = defaultdict(float)
    cat_of = {fc.name: fc.category for fc in a.classes}
    for name, v in j.interruptions_per_h_by_class.items():
        by_cat[cat_of[name]] += v * HOURS_PER_DAY
    delta = rel.checkpoint_write_s / 3600.0
    restart = (rel.detection_min + rel.restart_min) / 60.0
    out = {"gpus": j.gpus, "checkpoint_write_s": rel.checkpoint_write_s, "restart_h": _r(restart),
           "interruptions_per_day": _r(j.network_per_h * HOURS_PER_DAY),
           "interruptions_per_day_by_category": {k: _r(v) for k, v in by_cat.items()},
           "other_causes_source": OTHER_CAUSES}
    for label, rate in (("network", j.network_per_h), ("all_causes", j.network_per_h + j.other_per_h),
                        ("other_causes", j.other_per_h)):
        m = 1.0 / rate if rate > 0 else float("inf")
        tau = float(checkpoint.daly_interval_h(delta, m)) if np.isfinite(m) else float("inf")
        out[label] = {
            "interruptions_per_day": _r(rate * HOURS_PER_DAY), "mtbi_h": _r(m),
            "checkpoint_interval_h": _r(tau), "young_interval_h": _r(checkpoint.young_interval_h(delta, m)),
            "time_lost_per_interruption_h": _r(checkpoint.time_lost_per_interruption_h(tau, delta, restart))
            if np.isfinite(tau) else None,
            "goodput": _r(checkpoint.goodput(tau, delta, restart, m) if np.isfinite(m) else 1.0, 6)}
    out["network_share_of_job_time"] = _r(j.network_share)
    return out


def _assess_one(result, a: Analysis | None, scenario: Scenario, *, horizon_days: float, trials: int,
                seed: int, progress: Callable[[str, int, int], None] | None) -> dict:
    design: Design = result.design
    base = {"technology": result.technology, "label": result.label, "feasible": result.feasible,
            "reasons": list(result.reasons)}
    if not result.feasible:
        return base
    rel = scenario.reliability
    temp = scenario.physical.laser_case_temperature_c
    cat = design.plan.catalog
    classes, e, group_links = a.classes, a.expectation, a.group_links

    # Monte Carlo: GPUs down, and the interruptions of the mix's largest job
    arr = lambda f: np.array([f(c) for c in classes], dtype=float)  # noqa: E731
    outage = arr(lambda c: c.outage_fraction)
    gw = arr(lambda c: c.gpus_waiting / c.outage_fraction if c.outage_fraction > 0 else 0.0)
    p = job_interrupt_probabilities(a, scenario)
    links_total = sum(group_links.values())
    mc = simulate(rate_h=arr(lambda c: c.rate_per_h), flap_rate_h=arr(lambda c: c.flap_rate_per_h),
                  wait_h=arr(lambda c: c.wait_h), replace_h=arr(lambda c: c.swaps_per_failure * c.replace_h),
                  gpus_waiting=gw, gpus_replacing=arr(lambda c: c.gpus_replacing), outage_fraction=outage,
                  interrupt_p=p, horizon_days=horizon_days, trials=trials, seed=seed, links=links_total,
                  progress=None if progress is None else (lambda d, t: progress(result.technology, d, t)))
    units = []
    for i, c in enumerate(classes):
        units.append({"unit": c.name, "part": c.part, "category": c.category, "role": c.role, "effect": c.effect,
                      "count": _r(c.count, 8), "fit": _r(c.fit), "failures_per_day": _r(c.rate_per_h * HOURS_PER_DAY),
                      "swaps_per_day": _r(c.swaps_per_h * HOURS_PER_DAY),
                      "mc_failures_per_day": _r(mc.failures_per_day[i]),
                      "fru": c.fru, "mttr_h": _r(c.mttr_h), "dark_h": _r(c.dark_h), "wait_h": _r(c.wait_h),
                      "replace_h": c.replace_h, "swaps_per_failure": _r(c.swaps_per_failure),
                      "blast_radius_gpus": {"waiting": _r(c.gpus_waiting), "replacing": _r(c.gpus_replacing)},
                      "interrupt_probability_largest_job": _r(p[i]),
                      "fit_detail": {k: _r(v) for k, v in c.fit_detail.items()}})
    mttr = {}
    for c in classes:
        mttr[c.fru] = {"wait_h": _r(c.wait_h), "replace_h": c.replace_h, "total_h": _r(c.mttr_h)}
    fpd = dict(sorted(((k, _r(v)) for k, v in e.failures_per_day.items()), key=lambda kv: -kv[1]))
    job = _job_summary(a, scenario)
    return {
        **base,
        "failures_per_day": fpd,
        "failures_per_day_total": _r(sum(e.failures_per_day.values())),
        "failures_per_day_by_category": {k: _r(v) for k, v in e.failures_per_day_by_category.items()},
        "swaps_per_day": _r(e.swaps_per_day),
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
        "job_interruptions_per_day": _r(a.totals["job_interruptions_per_day"]),
        "network_share_of_job_time": _r(a.network_share),
        "goodput": _r(a.goodput, 6),
        "jobs": [j.as_dict() for j in a.jobs],
        "single_job_comparison": a.single_job,
        "degraded_bandwidth": a.degraded,
        "circuit_failures": _circuit_failures(design),
        "repair_policy": a.policy.as_dict(),
        "job": job,
        "spares": spares_table(classes, cat, rel.spares_fill_rate),
        "units": units,
        "monte_carlo": {
            "trials": mc.trials, "horizon_days": mc.horizon_days, "seed": mc.seed, "links": links_total,
            "job_gpus": a.largest_job.gpus,
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


def _circuit_failures(design: Design) -> dict | None:
    """For a fabric of circuits between blocks (direct-connect): what one dark circuit and one dark OCS
    unit leave of uniform and permuted traffic, before and after the circuits are re-allocated."""
    if design.ocs is None:
        return None
    from lightfabric.netsim.topo import topo_of
    o = design.ocs
    return topo_of(design).circuit_failures(int(o["ocs_units"]), int(o["fiber_pairs_per_uplink"]),
                                            float(o["reconfiguration_ms"]))


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
    if job_gpus is not None and not 1 <= job_gpus <= gpus:
        raise LightfabricError.for_field("--job-gpus", job_gpus, f"1 to {gpus:,} (the cluster's GPUs)",
                                         problem="the job does not fit")
    check_monte_carlo(trials, horizon_days, seed)
    comparison = compare(scenario, catalog)
    rel = scenario.reliability
    analyses = [analyse(r.design, scenario, job_gpus) if r.feasible else None for r in comparison.results]
    if max_failure_events is not None:
        per_day = sum(sum(a.expectation.failures_per_day.values()) for a in analyses if a is not None)
        events = trials * horizon_days * per_day
        if events > max_failure_events:
            raise WorkTooLarge.for_field(
                "trials", trials, f"trials x horizon days x failures a day (over every design) at most "
                f"{max_failure_events:,.0f} failure events; this scenario has {per_day:,.1f} failures a day, so "
                f"at most {int(max_failure_events / (horizon_days * per_day)):,} trials over {horizon_days:g} days",
                problem=f"{events:,.0f} failure events to simulate")
    mix = job_mix(scenario, job_gpus)
    results = [_assess_one(r, a, scenario, horizon_days=horizon_days, trials=trials, seed=seed, progress=progress)
               for r, a in zip(comparison.results, analyses)]
    return {
        "scenario": scenario.name, "gpus": gpus, "job_gpus": max(g for g, _ in mix.sizes),
        "horizon_days": horizon_days, "trials": trials, "seed": seed,
        "job_mix": mix.as_dict(gpus), "repair_policy": repair_policy_summary(scenario),
        "failure_effects": failure_effects_summary(scenario),
        "assumptions": {"checkpoint_write_s": rel.checkpoint_write_s, "detection_min": rel.detection_min,
                        "restart_min": rel.restart_min, "repair_wait_h": rel.repair_wait_h,
                        "els_spare_lasers": rel.els_spare_lasers, "spares_fill_rate": rel.spares_fill_rate,
                        "exposed_communication_share": rel.exposed_communication_share},
        "results": results,
        "published": beside(scenario, "reliability", results),
    }


def repair_policy_summary(scenario: Scenario) -> dict:
    """The scenario's repair policy, named, with the window it uses."""
    rel = scenario.reliability
    out = {"name": rel.repair_policy, "default": "repair_policy" not in rel.model_fields_set}
    if rel.repair_policy == "maintenance-window":
        out["window_days"] = rel.maintenance_window_days
    return out


def failure_effects_summary(scenario: Scenario) -> dict:
    """Per role, whether a failure interrupts or degrades, and whether that is the default."""
    fe = scenario.reliability.failure_effects
    return {role: {"effect": getattr(fe, role), "default": role not in fe.model_fields_set,
                   "what": ROLE_LABELS[role]} for role in ROLES}
