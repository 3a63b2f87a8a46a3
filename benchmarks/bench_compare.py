"""Time `lightfabric.compare` for 1k, 32k and 1M GPUs.

The fabric is counted, not drawn as a graph, so the time should not grow with the cluster. Prints
the median and best of repeated runs (catalog already loaded), and the cold first run that loads
and validates the catalog. Run: python benchmarks/bench_compare.py
"""

from __future__ import annotations

import statistics
import time

import lightfabric
from lightfabric.catalog.store import _default_catalog

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


def time_compare(text: str, repeat: int = 200) -> tuple[float, float, lightfabric.Comparison]:
    scenario = lightfabric.parse_scenario(text)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = lightfabric.compare(scenario)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times), result


def main() -> None:
    _default_catalog.cache_clear()
    t0 = time.perf_counter()
    lightfabric.compare(lightfabric.load_scenario())
    cold = time.perf_counter() - t0
    print(f"cold first compare (loads and validates the catalog): {cold * 1e3:.1f} ms\n")
    print(f"{'fabric':<24} {'GPUs':>10} {'tiers':>5} {'switches':>9} {'feasible':<22} {'median ms':>9} {'best ms':>8}")
    for label, switch, rate, sizes in CASES:
        for gpus in sizes:
            med, best, c = time_compare(SCENARIO.format(gpus=gpus, switch=switch, rate=rate))
            r0 = c.results[0]
            feasible = ",".join(r.technology for r in c.results if r.feasible)
            print(f"{label:<24} {gpus:>10,} {r0.topology['tiers']:>5} {r0.topology['switches']:>9,} "
                  f"{feasible:<22} {med * 1e3:>9.2f} {best * 1e3:>8.2f}")


if __name__ == "__main__":
    main()
