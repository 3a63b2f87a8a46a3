"""Direct-connect fabrics at scale (issue 22).

1. Topology engineering for 64 blocks of 1,024 uplinks: uniform circuits, and circuits from a
   random demand matrix (Sinkhorn balancing and rounding): milliseconds.
2. Routing a block-level demand over the circuits (direct, then one transit block): uniform traffic
   and a block permutation on 64 blocks: milliseconds.
3. The all-to-all of all 65,536 GPUs of `examples/jupiter-direct-connect-64k.yaml` (closed form,
   the traffic between blocks routed over the circuits), and a simulated all-to-all of 1,040 GPUs
   across two blocks: seconds.

Run: python benchmarks/bench_circuits.py
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from lightfabric.compare import compare
from lightfabric.netsim.collectives import closed_form, simulated
from lightfabric.netsim.topo import topo_of
from lightfabric.scenario.loader import load_scenario
from lightfabric.topology.circuits import demand_circuits, route_blocks, uniform_circuits

SCENARIO = Path(__file__).resolve().parent.parent / "examples" / "jupiter-direct-connect-64k.yaml"


def timed(fn, repeat: int = 3):
    best = float("inf")
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return out, best


def main() -> None:
    blocks, uplinks = 64, 1024
    _, t_uni = timed(lambda: uniform_circuits(blocks, uplinks))
    demand = np.random.default_rng(0).random((blocks, blocks))
    _, t_dem = timed(lambda: demand_circuits(demand, uplinks))
    print(f"topology engineering, {blocks} blocks x {uplinks} uplinks: uniform {t_uni * 1e3:.1f} ms, "
          f"from a demand matrix {t_dem * 1e3:.1f} ms")
    cap = uniform_circuits(blocks, uplinks) * 800e9
    uni = np.full((blocks, blocks), 1.0)
    np.fill_diagonal(uni, 0.0)
    perm = np.roll(np.eye(blocks), 1, axis=1)
    for name, d in (("uniform", uni), ("block permutation", perm)):
        r, t = timed(lambda d=d: route_blocks(d * 8e11, cap))
        print(f"routing {name} over the circuits: {t * 1e3:.1f} ms (transit share {r.transit_share:.2f})")
    t = time.perf_counter()
    c = compare(load_scenario(SCENARIO))
    topo = topo_of(c.result("pluggable-dsp").design)
    t_build = time.perf_counter() - t
    ranks = np.arange(topo.gpus)
    cf, t_cf = timed(lambda: closed_form(topo, "all-to-all", "direct", ranks, 1e8), repeat=1)
    print(f"compare (build every design): {t_build:.2f} s; all-to-all of {topo.gpus:,} GPUs, closed form with the "
          f"circuits: {t_cf:.2f} s -> {cf.time_s * 1e3:.3f} ms")
    graph = topo.build_graph()
    sub = np.arange(1040)
    sim, t_sim = timed(lambda: simulated(graph, "all-to-all", "direct", sub, 1e7), repeat=1)
    print(f"simulated all-to-all of 1,040 GPUs across two blocks ({1040 * 1039:,} flows): {t_sim:.2f} s -> "
          f"{sim.time_s * 1e3:.3f} ms")


if __name__ == "__main__":
    main()
