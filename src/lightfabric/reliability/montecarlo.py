"""Monte Carlo of failures and repairs over a horizon: distributions where the analytic model
gives only means.

Each trial draws, for every failure class, a Poisson number of failures over the horizon (plus a
warm-up so the fabric starts in steady state), uniform failure times, an exponential wait (the
repair queue) and a fixed replacement time. GPUs down are tracked on a time grid (difference
arrays, vectorised over all trials of a chunk), giving the distribution of GPUs down at a random
moment; job interruptions are the failures (and transient outages) that hit the job, thinned by
the class's interruption probability. Seeded, so a run is reproducible.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from lightfabric.metrics.cost import HOURS_PER_YEAR
from lightfabric.reliability.rates import HOURS_PER_DAY

Z95 = 1.959963984540054


@dataclass
class MonteCarloResult:
    trials: int
    horizon_days: float
    seed: int
    gpus_down_mean: float
    gpus_down_mean_ci95: tuple[float, float]
    gpus_down_p50: float
    gpus_down_p95: float
    gpus_down_p99: float
    gpus_down_max: float
    job_interruptions_per_day: float
    job_interruptions_per_day_ci95: tuple[float, float]
    job_interruptions_per_day_p5_p95: tuple[float, float]
    failures_per_day: np.ndarray               # by class
    gpus_down_time_fraction: np.ndarray        # [n]: share of the grid's time with n GPUs down
    failures_per_day_ci95_halfwidth: np.ndarray
    seconds: float
    link_years: float

    @property
    def link_years_per_second(self) -> float:
        return self.link_years / self.seconds if self.seconds > 0 else float("inf")


def _integer_gpus(rng: np.random.Generator, g: np.ndarray) -> np.ndarray:
    """Round expected GPU counts to whole GPUs, keeping the mean: floor + Bernoulli(fraction)."""
    base = np.floor(g)
    return base + (rng.random(g.shape) < (g - base))


def _pct(hist: np.ndarray, q: float) -> float:
    c = np.cumsum(hist)
    return float(np.searchsorted(c, q * c[-1], side="left"))


def simulate(*, rate_h: np.ndarray, flap_rate_h: np.ndarray, wait_h: np.ndarray, replace_h: np.ndarray,
             gpus_waiting: np.ndarray, gpus_replacing: np.ndarray, outage_fraction: np.ndarray,
             interrupt_p: np.ndarray, horizon_days: float, trials: int, seed: int = 0, links: int = 0,
             grid_h: float = 0.25, chunk: int = 64,
             progress: Callable[[int, int], None] | None = None) -> MonteCarloResult:
    """Simulate ``trials`` histories of ``horizon_days``. Arrays are per failure class; ``rate_h``
    and ``flap_rate_h`` are for the whole class (count x per-unit rate); ``gpus_waiting`` is per
    outage (before ``outage_fraction``)."""
    if trials < 2:
        raise ValueError("trials must be at least 2 for a confidence interval")
    rng = np.random.default_rng(seed)
    k = len(rate_h)
    horizon = horizon_days * HOURS_PER_DAY
    warm = float(10.0 * wait_h.max() + replace_h.max()) if k else 0.0
    window = horizon + warm
    bins = int(np.ceil(horizon / grid_h))
    hist = np.zeros(1, dtype=np.int64)
    mean_down = np.empty(trials)
    interruptions = np.empty(trials)
    fail_counts = np.zeros((trials, k))
    t0 = time.perf_counter()
    done = 0
    while done < trials:
        c = min(chunk, trials - done)
        counts = rng.poisson(rate_h * window, size=(c, k))
        cls = np.tile(np.arange(k), c).repeat(counts.ravel())
        trial = np.repeat(np.arange(c), k).repeat(counts.ravel())
        n = cls.size
        start = rng.uniform(-warm, horizon, n)
        wait = rng.exponential(1.0, n) * wait_h[cls]
        repl = replace_h[cls]
        outage = rng.random(n) < outage_fraction[cls]
        g_wait = _integer_gpus(rng, gpus_waiting[cls]) * outage
        g_repl = _integer_gpus(rng, gpus_replacing[cls])
        in_window = (start >= 0) & (start < horizon)
        np.add.at(fail_counts[done:done + c], (trial[in_window], cls[in_window]), 1.0)
        # time-averaged GPUs down, exact
        phases = ((start, start + wait, g_wait), (start + wait, start + wait + repl, g_repl))
        down = np.zeros(c)
        diff = np.zeros(c * (bins + 1))
        for s, e, g in phases:
            overlap = np.clip(np.minimum(e, horizon) - np.maximum(s, 0.0), 0.0, None)
            down += np.bincount(trial, weights=overlap * g, minlength=c)
            sb = np.clip(np.ceil(s / grid_h), 0, bins).astype(np.int64)
            eb = np.clip(np.ceil(e / grid_h), 0, bins).astype(np.int64)
            keep = (eb > sb) & (g > 0)
            base = trial[keep] * (bins + 1)
            diff += np.bincount(base + sb[keep], weights=g[keep], minlength=diff.size)
            diff -= np.bincount(base + eb[keep], weights=g[keep], minlength=diff.size)
        mean_down[done:done + c] = down / horizon
        level = np.rint(np.cumsum(diff.reshape(c, bins + 1), axis=1)[:, :bins]).astype(np.int64).ravel()
        h = np.bincount(np.clip(level, 0, None))
        if h.size > hist.size:
            hist = np.pad(hist, (0, h.size - hist.size))
        hist[:h.size] += h
        hits = in_window & outage & (rng.random(n) < interrupt_p[cls])
        flaps = rng.binomial(rng.poisson(flap_rate_h * horizon, size=(c, k)), interrupt_p)
        interruptions[done:done + c] = np.bincount(trial[hits], minlength=c) + flaps.sum(axis=1)
        done += c
        if progress is not None:
            progress(done, trials)
    seconds = time.perf_counter() - t0
    sd = mean_down.std(ddof=1) / np.sqrt(trials)
    per_day = interruptions / horizon_days
    si = per_day.std(ddof=1) / np.sqrt(trials)
    fpd = fail_counts / horizon_days
    return MonteCarloResult(
        trials=trials, horizon_days=horizon_days, seed=seed,
        gpus_down_mean=float(mean_down.mean()),
        gpus_down_mean_ci95=(float(mean_down.mean() - Z95 * sd), float(mean_down.mean() + Z95 * sd)),
        gpus_down_p50=_pct(hist, 0.50), gpus_down_p95=_pct(hist, 0.95), gpus_down_p99=_pct(hist, 0.99),
        gpus_down_max=float(np.nonzero(hist)[0].max()) if hist.any() else 0.0,
        job_interruptions_per_day=float(per_day.mean()),
        job_interruptions_per_day_ci95=(float(per_day.mean() - Z95 * si), float(per_day.mean() + Z95 * si)),
        job_interruptions_per_day_p5_p95=(float(np.percentile(per_day, 5)), float(np.percentile(per_day, 95))),
        failures_per_day=fpd.mean(axis=0),
        gpus_down_time_fraction=hist / hist.sum() if hist.sum() else np.ones(1),
        failures_per_day_ci95_halfwidth=Z95 * fpd.std(axis=0, ddof=1) / np.sqrt(trials),
        seconds=seconds, link_years=links * horizon / HOURS_PER_YEAR * trials)
