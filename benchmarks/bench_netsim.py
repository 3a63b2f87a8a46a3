"""Flow simulator and closed forms at scale.

1. One phase of 1k, 8k, 32k and 131k concurrent flows (GPU i to i + n/2, every flow crossing the
   core) on the three-tier fat-tree of `examples/three-tier-1m-multiplane.yaml`, solved with
   destination-mod-k spreading and with a seeded ECMP hash: seconds, flows per second, max-min
   solves and peak memory (tracemalloc) of each.
2. The closed form of each collective on all 1,048,576 GPUs of that design: milliseconds.

Run: python benchmarks/bench_netsim.py
"""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import numpy as np

from lightfabric.compare import compare
from lightfabric.netsim.collectives import closed_form
from lightfabric.netsim.graph import build_graph
from lightfabric.netsim.simulate import simulate_phase
from lightfabric.netsim.topo import topo_of
from lightfabric.scenario.loader import load_scenario

SCENARIO = Path(__file__).resolve().parent.parent / "examples" / "three-tier-1m-multiplane.yaml"


def main() -> None:
    design = compare(load_scenario(SCENARIO)).result("pluggable-dsp").design
    t0 = time.perf_counter()
    topo = topo_of(design)
    graph = build_graph(topo)
    print(f"fabric: {topo.gpus:,} GPUs, {topo.tiers} tiers, {topo.leaves:,} leaves per plane, "
          f"{graph.links:,} links; graph built in {time.perf_counter() - t0:.2f} s")
    print(f"{'flows':>8s} {'routing':>8s} {'seconds':>8s} {'flows/s':>10s} {'solves':>6s} {'peak MiB':>9s} {'phase us':>9s}")
    for n in (1024, 8192, 32768, 131072):
        src = np.arange(n, dtype=np.int64)
        dst = (src + n // 2) % n
        for routing in ("spread", "hash"):
            tracemalloc.start()
            t = time.perf_counter()
            r = simulate_phase(graph, src, dst, 1e6, routing, seed=1)
            dt = time.perf_counter() - t
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            print(f"{n:8,d} {routing:>8s} {dt:8.2f} {n / dt:10,.0f} {r.rounds:6d} {peak:9.1f} {r.time_s * 1e6:9.1f}")
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
