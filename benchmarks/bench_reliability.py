"""Monte Carlo throughput of `lightfabric reliability` on a 100k-GPU fabric.

Simulated link-years per second: the fabric's links times the simulated horizon times the trials,
over the wall time of the simulation (the design and the closed-form expectations are excluded).
Also prints peak memory of the simulation (tracemalloc) and the time of the whole assessment.
Run: python benchmarks/bench_reliability.py
"""

from __future__ import annotations

import time
import tracemalloc

import lightfabric
from lightfabric.reliability import assess

SCENARIO = """
name: bench-100k
cluster: {gpus: 100000, gpu: gb300}
scale_out: {switch: tomahawk-6, port_rate_gbps: 800, nic: connectx-8}
technologies: [pluggable-dsp, lpo, cpo]
"""


def main() -> None:
    scenario = lightfabric.parse_scenario(SCENARIO)
    print(f"{'trials':>7} {'days':>5} {'technology':<14} {'links':>9} {'failures/day':>12} "
          f"{'MC s':>7} {'link-years/s':>14} {'peak MiB':>9}")
    for trials, days in ((200, 180), (1000, 365)):
        tracemalloc.start()
        t0 = time.perf_counter()
        report = assess(scenario, trials=trials, horizon_days=days, seed=1)
        total = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        for r in report["results"]:
            if not r["feasible"]:
                print(f"{trials:>7} {days:>5} {r['technology']:<14} infeasible: {r['reasons'][0][:60]}")
                continue
            mc = r["monte_carlo"]
            links = mc["links"]
            print(f"{trials:>7} {days:>5} {r['technology']:<14} {links:>9,} {r['failures_per_day_total']:>12.2f} "
                  f"{mc['seconds']:>7.3f} {mc['link_years_per_second']:>14,.0f} {peak / 2**20:>9.0f}")
        print(f"        whole assessment (designs, expectations, Monte Carlo of every technology): {total:.2f} s")


if __name__ == "__main__":
    main()
