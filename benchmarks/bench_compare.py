"""Time `lightfabric.compare` for 1k, 32k and 1M GPUs.

The fabric is counted, not drawn as a graph, so the time should not grow with the cluster.

What is measured (in process, catalog already loaded and validated; the first line times that load):

* **warm**: the same scenario compared again and again. Caches kept by value then hit on every
  repetition after the first: `placement.link_lengths` (every group's lengths),
  `design.choice.try_technology` (a group's ends and physical check),
  `technologies.base.optical_budget`, the laser operating point and laser-source power. A fresh
  scenario of another size misses the first three (their keys hold the cluster or the group's lengths), so the warm
  figure is what a repeated identical call costs, not what a new scenario costs.
* **cold per scenario**: every cache above cleared before each call, as for a scenario never built
  before in this process (the catalog, its per-class index and its memo stay: they depend on the
  catalog alone, which every scenario shares).

Cases run interleaved, round by round (one call of each case per round; all warm rounds, then
all cold rounds), so load on the machine falls on all of them alike; best and median over the rounds. The ratio is t(1M) / t(1k) on the same
switch (issue 25: under 1.5). Run: python benchmarks/bench_compare.py [rounds]
"""

from __future__ import annotations

import statistics
import sys
import time

import lightfabric
from lightfabric.catalog.store import _default_catalog
from lightfabric.design.choice import clear_build_caches
from lightfabric.physics import laser, laser_source
from lightfabric.placement.lengths import clear_lengths_cache
from lightfabric.technologies import base as tech_base

SCENARIO = """
name: bench-{gpus}
cluster: {{gpus: {gpus}, gpu: gb300}}
scale_out: {{switch: {switch}, port_rate_gbps: {rate}, nic: connectx-8}}
technologies: [pluggable-dsp, lpo, cpo]
"""

CASES = [
    ("tomahawk-5 @ 800G", "tomahawk-5", 800, (1_000, 32_768)),
    ("tomahawk-6-100g @ 400G", "tomahawk-6-100g", 400, (1_000, 32_768, 1_000_000)),
]
RATIO = ("tomahawk-6-100g @ 400G", 1_000_000, 1_000)   # t(1M) / t(1k), the same switch


def clear_caches() -> None:
    """Every cache a compare fills by value from the scenario (not the catalog's own)."""
    clear_build_caches()
    clear_lengths_cache()
    tech_base.optical_budget.cache_clear()
    laser.operating_point.cache_clear()
    laser_source._cached.cache_clear()


def measure(rounds: int) -> tuple[list[tuple], dict, dict]:
    cases = [(label, gpus, lightfabric.parse_scenario(SCENARIO.format(gpus=gpus, switch=switch, rate=rate)))
             for label, switch, rate, sizes in CASES for gpus in sizes]
    warm: dict = {(label, gpus): [] for label, gpus, _ in cases}
    cold: dict = {(label, gpus): [] for label, gpus, _ in cases}
    results = {}
    for label, gpus, sc in cases:         # fill the caches once
        results[(label, gpus)] = lightfabric.compare(sc)
    for _ in range(rounds):               # warm: every case's cache entries in place
        for label, gpus, sc in cases:
            t0 = time.perf_counter()
            lightfabric.compare(sc)
            warm[(label, gpus)].append(time.perf_counter() - t0)
    for _ in range(rounds):               # cold: nothing of any scenario kept
        for label, gpus, sc in cases:
            clear_caches()
            t0 = time.perf_counter()
            lightfabric.compare(sc)
            cold[(label, gpus)].append(time.perf_counter() - t0)
    rows = [(label, gpus, results[(label, gpus)]) for label, gpus, _ in cases]
    return rows, warm, cold


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    _default_catalog.cache_clear()
    clear_caches()
    t0 = time.perf_counter()
    lightfabric.compare(lightfabric.load_scenario())
    first = time.perf_counter() - t0
    print(f"first compare of the process (loads and validates the catalog): {first * 1e3:.1f} ms")
    print(f"{rounds} rounds, cases interleaved; ms: best / median\n")
    rows, warm, cold = measure(rounds)
    print(f"{'fabric':<24} {'GPUs':>10} {'tiers':>5} {'switches':>9} {'feasible':<22} "
          f"{'warm best':>9} {'median':>7} {'cold best':>9} {'median':>7}")
    for label, gpus, c in rows:
        r0 = c.results[0]
        feasible = ",".join(r.technology for r in c.results if r.feasible)
        w, k = warm[(label, gpus)], cold[(label, gpus)]
        print(f"{label:<24} {gpus:>10,} {r0.topology['tiers']:>5} {r0.topology['switches']:>9,} {feasible:<22} "
              f"{min(w) * 1e3:>9.2f} {statistics.median(w) * 1e3:>7.2f} "
              f"{min(k) * 1e3:>9.2f} {statistics.median(k) * 1e3:>7.2f}")
    label, big, small = RATIO
    print(f"\nt({big:,}) / t({small:,}), {label}:")
    for name, t in (("warm (repeated identical call)", warm), ("cold per scenario (caches cleared)", cold)):
        a, b = t[(label, big)], t[(label, small)]
        print(f"  {name:<36} best {min(a) / min(b):.2f}   median {statistics.median(a) / statistics.median(b):.2f}")


if __name__ == "__main__":
    main()
