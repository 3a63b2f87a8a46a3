"""The design search's speed (issue 26): designs considered, pruned and evaluated, and designs per second.

    python benchmarks/bench_design.py            # the three questions of docs/design.md
    python benchmarks/bench_design.py --quick    # the first only

Each question searches every registered topology built from the cluster, every scale-out switch of the
catalog, every port rate, 1-3 tiers, every plane count, oversubscriptions 1, 2 and 3, with and without
an OCS spine, and every link technology per link class, on one core.
"""

from __future__ import annotations

import argparse
import time

from lightfabric.optimize.question import question_from
from lightfabric.optimize.report import design_label
from lightfabric.optimize.search import search

QUESTIONS = {
    "100k GB300: cheapest TCO under 25 MW, full bisection, goodput >= 0.87":
        {"gpus": 100_000, "gpu": "gb300", "objective": "tco",
         "constraints": ["network_power_mw <= 25", "bisection >= 1", "goodput >= 0.87"]},
    "32k B200, parts shipping by 2025-06: least power under 300 M USD capex":
        {"gpus": 32_768, "gpu": "b200", "objective": "power", "available_by": "2025-06",
         "constraints": ["capex_usd <= 300e6"]},
    "65k GB300: highest goodput under 25,000 USD TCO per GPU and 12 MW":
        {"gpus": 65_536, "gpu": "gb300", "objective": "goodput",
         "constraints": ["tco_per_gpu_usd <= 25000", "network_power_mw <= 12"]},
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    items = list(QUESTIONS.items())[:1 if args.quick else None]
    print(f"{'question':<60} {'considered':>11} {'structures':>10} {'not built':>9} {'infeasible':>11} "
          f"{'by bound':>9} {'pruned':>7} {'evaluated':>9} {'s':>6} {'designs/s':>10}")
    for title, data in items:
        q = question_from(data)
        t = time.perf_counter()
        r = search(q)
        s = r.stats
        wall = time.perf_counter() - t
        print(f"{title[:60]:<60} {s.designs_considered:>11,} {s.structures:>10,} {s.structures_rejected:>9,} "
              f"{s.infeasible_technology:>11,} {s.ruled_out_by_bound:>9,} {s.pruned_by_bound:>7,} {s.evaluated:>9,} "
              f"{wall:>6.1f} {s.designs_considered / wall:>10,.0f}")
        print(f"    bounds {s.bounds_seconds:.1f} s, exact evaluations {s.evaluate_seconds:.1f} s "
              f"({s.evaluate_seconds / max(s.evaluated, 1) * 1e3:.1f} ms each); best: "
              + (design_label(r.best) if r.best else "none meets the constraints"))


if __name__ == "__main__":
    main()
