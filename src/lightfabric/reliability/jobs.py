"""The jobs a cluster runs, where they are placed, and what the network's failures cost them.

A cluster is not one job. The scenario's ``reliability.jobs`` gives a *job mix*: job sizes and the
share of the cluster's GPU-hours each size holds (``share x N / J`` jobs of ``J`` GPUs), placed by
``reliability.job_placement``:

* ``packed``: a topology-aware scheduler gives a job whole first-tier switches and pods (Slurm's
  topology/tree plugin): a unit whose traffic reaches a block of ``s`` GPUs and a job of ``J``
  share a block with probability ``ceil(J / s) s / N``;
* ``contiguous``: ``J`` consecutive GPUs at a random offset: ``(J + s - 1) / N``;
* ``scattered``: ``J`` GPUs drawn anywhere: ``1 - C(N - s, J) / C(N, J)``.

A unit above the first switch carries no traffic of a packed or contiguous job that fits in the
block below it: a job under one leaf never crosses a spine, a job within one pod never a core.

**What the network costs a job is its marginal cost.** A job of ``J`` GPUs is interrupted by
other causes (GPUs, hosts, software: ``fit-gpu-host-other`` per GPU) and by the network; it
checkpoints at Daly's optimum for *all* of its interruptions. The network's share of the job's GPU
time is goodput(other causes only) - goodput(all causes), not the goodput the network's
interruptions alone would leave: charging that would pay twice for checkpoints the job writes
anyway. Degrading failures slow the job while they last: the expected number of degrading units
down in the job's span (Little's law) times the bandwidth each costs
(:func:`lightfabric.reliability.effects.degraded_bandwidth`) times the exposed-communication share
of the step. A swap that takes more GPUs than the fault (a whole CPO switch for one dead port) is a
planned interruption of the jobs on the extra GPUs: they restart (``restart``) but lose no work.

References
----------
.. [1] A. Kokolis et al., "Revisiting Reliability in Large-Scale Machine Learning Research
   Clusters", HPCA 2025 (arXiv 2410.21680): on Meta's RSC-1, jobs of 256+ GPUs use 66 % of GPU
   time, jobs under one server over 90 % of jobs and under 10 % of GPU time, the largest job half
   the cluster.
.. [2] Q. Hu et al., "Characterization of Large Language Model Development in the Datacenter",
   NSDI 2024 (AcmeTrace): jobs of over a quarter of the cluster take 36-63 % of GPU time, the
   largest 0.42-0.45 of the cluster.
.. [3] J. T. Daly, Future Gener. Comput. Syst. 22(3):303-312, 2006 (:mod:`~lightfabric.reliability.checkpoint`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import ceil, isfinite, sqrt

import numpy as np

from lightfabric.reliability import checkpoint
from lightfabric.reliability.inventory import FailureClass
from lightfabric.reliability.rates import HOURS_PER_DAY

# (fraction of the cluster, or None for one 8-GPU server; share of GPU-hours)
TRAINING_CLUSTER = ((1 / 2, 0.30), (1 / 4, 0.15), (1 / 8, 0.10), (1 / 32, 0.20), (1 / 256, 0.15), (None, 0.10))
PRESET_SOURCES = {
    "training-cluster": (
        "six sizes: 1/2, 1/4, 1/8, 1/32 and 1/256 of the cluster and 8-GPU jobs holding 30/15/10/20/15/10 % of "
        "the GPU-hours; shaped on Meta RSC-1 (Kokolis et al., HPCA 2025: 256+ GPU jobs 66 % of GPU time, "
        "jobs of one server under 10 %, the largest job half the cluster) and Acme (Hu et al., NSDI 2024: "
        "jobs over a quarter of the cluster 36-63 % of GPU time); an estimate, docs/reliability.md"),
    "single": "one job of every GPU of the cluster (the worst case: every failure anywhere stops it)",
}
SERVER_JOB_GPUS = 8


@dataclass(frozen=True)
class JobMix:
    """Job sizes with the share of the cluster's GPU-hours each holds, and how jobs are placed."""

    name: str
    source: str
    placement: str
    sizes: tuple[tuple[int, float], ...]          # (GPUs of one job, share of GPU-hours)

    def as_dict(self, gpus: int) -> dict:
        return {"name": self.name, "source": self.source, "placement": self.placement,
                "busy_share": sum(s for _, s in self.sizes),
                "jobs": [{"gpus": g, "share": s, "count": s * gpus / g} for g, s in self.sizes]}

    def label(self) -> str:
        sizes = ", ".join(f"{g:,} GPUs {s:.0%}" for g, s in self.sizes)
        return f"{self.name} ({sizes}; placement {self.placement})"


def job_mix(scenario, job_gpus: int | None = None) -> JobMix:
    """The scenario's job mix: ``job_gpus`` (the ``--job-gpus`` option) or ``reliability.job_gpus``
    give one job of that size; otherwise ``reliability.jobs`` (a preset or a list)."""
    rel, n = scenario.reliability, scenario.cluster.gpus
    placement = rel.job_placement
    one = job_gpus if job_gpus is not None else rel.job_gpus
    if one is not None:
        where = "--job-gpus" if job_gpus is not None else "reliability.job_gpus"
        return JobMix(f"one job of {one:,} GPUs", f"{where}: one job; the other GPUs' jobs are not counted",
                      placement, ((int(one), one / n),))
    if rel.jobs == "single":
        return JobMix("single", PRESET_SOURCES["single"], placement, ((n, 1.0),))
    if rel.jobs == "training-cluster":
        merged: dict[int, float] = {}
        for frac, share in TRAINING_CLUSTER:
            g = min(n, SERVER_JOB_GPUS) if frac is None else max(1, int(round(n * frac)))
            merged[g] = merged.get(g, 0.0) + share
        return JobMix("training-cluster", PRESET_SOURCES["training-cluster"], placement,
                      tuple(sorted(merged.items(), reverse=True)))
    sizes = tuple((j.gpus, j.share) for j in rel.jobs)
    return JobMix("custom", "reliability.jobs of the scenario", placement, sizes)


def hit_probability(placement: str, *, job_gpus: float, scope_gpus: float, gpus: int) -> float:
    """Chance that one job of ``job_gpus`` GPUs holds one of the ``scope_gpus`` GPUs a unit reaches,
    among ``gpus``, for the placement policy (module docstring)."""
    n, j = float(gpus), float(job_gpus)
    s = max(1.0, float(scope_gpus))
    if j >= n or s >= n:
        return 1.0
    if placement == "packed":
        return min(1.0, ceil(j / s - 1e-9) * s / n)
    if placement == "contiguous":
        return min(1.0, (j + s - 1.0) / n)
    if placement == "scattered":
        k = int(round(s))
        if k > n - j:
            return 1.0
        i = np.arange(k, dtype=float)
        return float(-np.expm1(np.sum(np.log1p(-j / (n - i)))))
    raise ValueError(f"unknown placement {placement!r}")


def crossing_probability(fc: FailureClass, placement: str, job_gpus: int, gpus: int) -> float:
    """Chance that a failure of ``fc`` reaches one job of ``job_gpus``: it holds one of the unit's GPUs,
    and (placed packed or contiguous) it is larger than the block below the unit, so its traffic
    crosses it (a job within one leaf never crosses a spine, one within a pod never a core)."""
    if placement != "scattered" and job_gpus <= fc.crossing_gpus:
        return 0.0
    return hit_probability(placement, job_gpus=job_gpus, scope_gpus=fc.scope_gpus, gpus=gpus)


@dataclass
class JobResult:
    """One job of a size in the mix: its interruptions (by failure class), its degraded time and
    goodput, and the network's marginal share of its GPU time."""

    gpus: int
    share: float
    count: float
    interruptions_per_h_by_class: dict[str, float] = field(default_factory=dict)
    planned_per_h: float = 0.0              # swaps that take more GPUs than the fault
    degraded_units: float = 0.0             # degrading units down in its span, on average
    degraded_share: float = 0.0             # share of its time lost to lower bandwidth
    other_per_h: float = 0.0
    goodput_all: float = 1.0
    goodput_other: float = 1.0

    @property
    def network_per_h(self) -> float:
        return float(sum(self.interruptions_per_h_by_class.values()))

    @property
    def interruption_share(self) -> float:
        """Marginal share of the job's GPU time lost to network interruptions (restarts, lost work,
        the extra checkpoints), planned restarts included."""
        return self.goodput_other - self.goodput_all

    @property
    def network_share(self) -> float:
        """All the job's GPU time the network takes: interruptions plus the slow-down of degraded links."""
        return self.interruption_share + self.goodput_all * self.degraded_share

    def as_dict(self) -> dict:
        r = lambda x, nd=4: float(f"{x:.{nd}g}")  # noqa: E731
        return {"gpus": self.gpus, "share": self.share, "count": r(self.count, 6),
                "interruptions_per_day": r(self.network_per_h * HOURS_PER_DAY),
                "planned_restarts_per_day": r(self.planned_per_h * HOURS_PER_DAY),
                "other_interruptions_per_day": r(self.other_per_h * HOURS_PER_DAY),
                "degraded_units_in_span": r(self.degraded_units), "degraded_share": r(self.degraded_share),
                "goodput_all_causes": r(self.goodput_all, 6), "goodput_without_network": r(self.goodput_other, 6),
                "network_interruption_share": r(self.interruption_share), "network_share_of_job_time":
                r(self.network_share)}


def _goodput(rate_per_h: float, delta_h: float, restart_h: float, planned_per_h: float = 0.0) -> float:
    """Daly's goodput at the optimal interval, less the restarts of planned interruptions (no lost work).

    On floats: the arithmetic of :func:`checkpoint.daly_interval_h` and :func:`checkpoint.goodput`
    (IEEE +, x, / and sqrt are exactly rounded alike in Python and numpy; ``exp`` and ``expm1`` are
    numpy's, as there), bit for bit the same (tests/test_sweep_speed.py); the array functions handle
    the edge cases (delta >= 2M, an infinite M)."""
    if rate_per_h <= 0:
        g = 1.0
    else:
        m = 1.0 / rate_per_h
        if not (isfinite(m) and 0.0 < delta_h < 2.0 * m):
            tau = float(checkpoint.daly_interval_h(delta_h, m))
            g = float(checkpoint.goodput(tau, delta_h, restart_h, m))
        else:
            x = delta_h / (2.0 * m)
            tau = sqrt(2.0 * delta_h * m) * (1.0 + sqrt(x) / 3.0 + x / 9.0) - delta_h
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                g = float(1.0 / (m * np.exp(restart_h / m) * np.expm1((tau + delta_h) / m) / tau))
    return max(0.0, g * (1.0 - planned_per_h * restart_h))


def job_results(classes: list[FailureClass], mix: JobMix, *, gpus: int,
                other_fit_per_gpu: float, delta_h: float, restart_h: float, degrade_cost: float) -> list[JobResult]:
    """Every size of ``mix``: interruptions of one job from each interrupting class, its degraded
    time, and its goodput with and without the network (module docstring). ``degrade_cost``: share of
    a job's speed one degrading unit down in its span takes (lost bandwidth x exposed communication)."""
    out = []
    placement = mix.placement
    # what each class brings, read once (the properties are computed): interrupting?, its rate of
    # interruptions per unit of probability, its degrading units per unit, planned swaps
    per_class = [(fc.name, fc.effect == "interrupt", fc.crossing_gpus, fc.scope_gpus,
                  fc.rate_per_h * fc.outage_fraction + fc.flap_rate_per_h, fc.rate_per_h * fc.dark_h,
                  fc.planned_rate_per_h if fc.planned_rate_per_h > 0 and fc.gpus_replacing > fc.gpus_waiting else 0.0,
                  fc.gpus_replacing) for fc in classes]
    hit: dict[float, float] = {}      # hit probability by scope, for this job size
    for job_gpus, share in mix.sizes:
        jr = JobResult(job_gpus, share, share * gpus / job_gpus)
        hit.clear()
        by_class = jr.interruptions_per_h_by_class
        for name, interrupts, crossing_gpus, scope, interrupt_rate, dark_units, planned, replacing in per_class:
            # crossing_probability(fc, ...), with the hit probability kept per scope
            if placement != "scattered" and job_gpus <= crossing_gpus:
                p = 0.0
            else:
                p = hit.get(scope)
                if p is None:
                    p = hit[scope] = hit_probability(placement, job_gpus=job_gpus, scope_gpus=scope, gpus=gpus)
            if interrupts:
                by_class[name] = interrupt_rate * p
            else:
                by_class[name] = 0.0
                jr.degraded_units += dark_units * p
            if planned:
                q = hit.get(replacing)
                if q is None:
                    q = hit[replacing] = hit_probability(placement, job_gpus=job_gpus, scope_gpus=replacing, gpus=gpus)
                jr.planned_per_h += planned * max(0.0, q - (p if interrupts else 0.0))
        jr.degraded_share = min(1.0, jr.degraded_units * degrade_cost)
        jr.other_per_h = job_gpus * other_fit_per_gpu * 1e-9
        jr.goodput_other = _goodput(jr.other_per_h, delta_h, restart_h)
        jr.goodput_all = _goodput(jr.other_per_h + jr.network_per_h, delta_h, restart_h, jr.planned_per_h)
        out.append(jr)
    return out


def cluster_totals(results: list[JobResult], gpus: int) -> dict:
    """The mix summed over its jobs: interruptions a day, and GPU-hours a year the network takes."""
    busy = sum(j.share for j in results)
    hours = 8760.0
    lost_h = sum(j.share * gpus * hours * j.network_share for j in results)
    interrupt_h = sum(j.share * gpus * hours * j.interruption_share for j in results)
    degraded_h = sum(j.share * gpus * hours * j.goodput_all * j.degraded_share for j in results)
    return {"busy_share": busy,
            "job_interruptions_per_day": sum(j.count * j.network_per_h for j in results) * HOURS_PER_DAY,
            "network_share_of_job_time": lost_h / (busy * gpus * hours) if busy else 0.0,
            "job_gpu_hours_per_year": lost_h, "interruption_gpu_hours_per_year": interrupt_h,
            "degraded_gpu_hours_per_year": degraded_h}
