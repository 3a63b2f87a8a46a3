"""Flow simulator and closed forms at scale.

1. One phase of 1k, 8k, 32k and 131k concurrent flows (GPU i to i + n/2, every flow crossing the
   core) on the three-tier fat-tree of `examples/three-tier-1m-multiplane.yaml`, solved with
   destination-mod-k spreading and with a seeded ECMP hash: seconds (best of a few runs), flows per
   second, max-min solves and peak memory (tracemalloc, a separate run) of each.
2. One ring step of 131k flows (GPU i to i + 1, mostly within a leaf: about 262k flow-link
   incidences), spread and hash: the whole phase (best and median of 9 runs) and the max-min solve
   alone (best), in milliseconds.
3. The closed form of each collective on all 1,048,576 GPUs of that design: milliseconds.

Run: python benchmarks/bench_netsim.py [--quick]   (--quick: one timed run per case)
"""

from __future__ import annotations

import os
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

from lightfabric.compare import compare
from lightfabric.netsim.collectives import closed_form
from lightfabric.netsim.maxmin import max_min_rates
from lightfabric.netsim.simulate import simulate_phase
from lightfabric.netsim.topo import topo_of
from lightfabric.scenario.loader import load_scenario

SCENARIO = Path(__file__).resolve().parent.parent / "examples" / "three-tier-1m-multiplane.yaml"


def best_of(fn, repeats: int) -> tuple[float, object]:
    """The shortest of ``repeats`` runs of ``fn()`` (s) and its result."""
    best, out = np.inf, None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def best_and_median(fn, repeats: int) -> tuple[float, float, object]:
    """The shortest and the median of ``repeats`` runs of ``fn()`` (s), and its result."""
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), float(np.median(times)), out


def peak_mib(fn) -> float:
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return peak


def main() -> None:
    repeats = 1 if "--quick" in sys.argv else 3
    design = compare(load_scenario(SCENARIO)).result("pluggable-dsp").design
    t0 = time.perf_counter()
    topo = topo_of(design)
    graph = topo.build_graph()
    print(f"fabric: {topo.gpus:,} GPUs, {topo.tiers} tiers, {topo.shape.leaves:,} leaves per plane, "
          f"{graph.links:,} links; graph built in {time.perf_counter() - t0:.2f} s; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("one phase, GPU i to i + n/2 (every flow across the core):")
    print(f"{'flows':>8s} {'routing':>8s} {'seconds':>8s} {'flows/s':>10s} {'solves':>6s} {'peak MiB':>9s} "
          f"{'phase us':>9s}")
    for n in (1024, 8192, 32768, 131072):
        src = np.arange(n, dtype=np.int64)
        dst = (src + n // 2) % n
        for routing in ("spread", "hash"):
            def run():
                return simulate_phase(graph, src, dst, 1e6, routing, seed=1)
            dt, r = best_of(run, repeats)
            peak = peak_mib(run)
            print(f"{n:8,d} {routing:>8s} {dt:8.3f} {n / dt:10,.0f} {r.rounds:6d} {peak:9.1f} {r.time_s * 1e6:9.1f}")
    n = 131072
    src = np.arange(n, dtype=np.int64)
    dst = (src + 1) % n
    print(f"one ring step, GPU i to i + 1, {n:,} flows:")
    cap = graph.capacity_gbps * 1e9
    for routing in ("spread", "hash"):
        paths = graph.route(src, dst, routing, 1)
        t_phase, t_median, r = best_and_median(lambda: simulate_phase(graph, src, dst, 1e6, routing, seed=1),
                                               max(3 * repeats, 5))
        t_solve, _ = best_of(lambda: max_min_rates(paths, cap), max(repeats, 5))
        print(f"  {routing:>6s}: phase {t_phase * 1e3:8.1f} ms (median {t_median * 1e3:.1f}), one max-min solve "
              f"{t_solve * 1e3:7.1f} ms "
              f"({int((paths >= 0).sum()):,} flow-link incidences), {r.rounds} solves, phase {r.time_s * 1e6:.1f} us")
    ranks = np.arange(topo.gpus, dtype=np.int64)
    print("closed form on all GPUs:")
    for op, alg in (("all-reduce", "ring"), ("all-reduce", "halving-doubling"), ("all-reduce", "tree"),
                    ("all-to-all", "direct"), ("reduce-scatter", "ring")):
        t = time.perf_counter()
        r = closed_form(topo, op, alg, ranks, 1e9)
        print(f"  {op:15s} {alg:17s} {(time.perf_counter() - t) * 1e3:8.1f} ms   -> {r.time_s * 1e3:10.3f} ms, "
              f"busbw {r.busbw_gbps:8.1f} Gb/s")


if __name__ == "__main__":
    main()
