"""The flow simulator beside the alpha-beta formula and beside the collective's event count, for 512 to
1,048,576 GPUs (issue 25, benchmarks).

For each GPU count the scenario's fabric is rebuilt at that size (``Scenario.with_changes``, one
technology), and each collective (all-reduce by ``ring`` and ``tree`` by default, at a fixed buffer
per GPU) is timed two ways:

* closed form (alpha-beta per phase, ``netsim.collectives.closed_form``; R. Thakur, R. Rabenseifner
  and W. Gropp, "Optimization of collective communication operations in MPICH", IJHPCA 19(1), 2005);
* flow simulation (``netsim.collectives.simulated``: every distinct phase routed on the graph of one
  plane, max-min fair rates by progressive filling, Bertsekas and Gallager, *Data Networks*, 2nd ed.,
  6.5.2, re-solved at completions).

Printed per row: both collective times and their ratio; the wall-clock of each (and of building the
graph); the work: distinct phases simulated, flow-phases (every flow of every repetition: the
transfers of the collective), completion events (distinct flow finish times x repetitions: the
re-solves a simulator stepping from completion to completion would do), the max-min solves this
simulator did (a repeated phase once, completions within 5 % merged, rates held after 4 solves),
and the flow-link incidences routed; peak memory of the simulation (tracemalloc, a separate traced
run, the graph already built) and of building the graph.

A simulation larger than ``--max-sim-gpus`` or ``--max-sim-flows`` (flows over the distinct
phases, by arithmetic before any is made) is not run: the row says so and names the bound, and the
list of skips is printed at the end. Nothing is skipped silently.

Run: python benchmarks/bench_collective_scale.py [--max-sim-gpus N] [--algorithms ring,tree]
     [--size-bytes 1e9] [--routing spread|hash] [--no-memory] [--plot PATH.html]
"""

from __future__ import annotations

import argparse
import os
import time
import tracemalloc
from pathlib import Path

import numpy as np

from lightfabric.compare import compare
from lightfabric.netsim.collectives import closed_form, flow_counts, simulated
from lightfabric.netsim.topo import topo_of
from lightfabric.scenario.loader import load_scenario

SCENARIO = Path(__file__).resolve().parent.parent / "examples" / "three-tier-1m-multiplane.yaml"
GPU_COUNTS = (512, 2_048, 8_192, 32_768, 131_072, 524_288, 1_048_576)
OP = "all-reduce"


def best_of(fn, repeats: int):
    """The shortest wall time of ``repeats`` runs of ``fn()`` (s), and its last result."""
    best, out = float("inf"), None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def peak_mib(fn) -> float:
    """Peak traced memory of ``fn()`` (MiB): Python objects and numpy arrays (numpy reports to tracemalloc)."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def work(sim) -> dict:
    """The simulator's work for one collective, from the rows of its distinct phases."""
    rows = sim.phases
    return {"phases": len(rows),
            "flow_phases": sum(r["flows"] * r["repeat"] for r in rows),
            "events": sum(r["completion_events"] * r["repeat"] for r in rows),
            "solves": sum(r["rounds"] for r in rows),
            "incidences": sum(r["incidences"] for r in rows)}


def measure(base, n: int, args) -> list[dict]:
    """Every algorithm's row at ``n`` GPUs."""
    t = time.perf_counter()
    scenario = base.with_changes({"cluster.gpus": n, "technologies": [args.technology]})
    result = compare(scenario).result(args.technology)
    if not result.feasible:
        raise SystemExit(f"{args.technology} is infeasible at {n:,} GPUs: {'; '.join(result.reasons)}")
    topo = topo_of(result.design)
    fabric_s = time.perf_counter() - t
    ranks = np.arange(n, dtype=np.int64)
    rows, graph, graph_s, graph_mib = [], None, None, None
    for alg in args.algorithms:
        row = {"gpus": n, "algorithm": alg, "fabric_s": fabric_s, "tiers": topo.tiers}
        row["closed_wall_s"], cf = best_of(lambda: closed_form(topo, OP, alg, ranks, args.size_bytes), args.repeat)
        row["closed_s"] = cf.time_s
        distinct_flows = flow_counts(OP, alg, n)[1]
        row["distinct_flows"] = distinct_flows
        if n > args.max_sim_gpus:
            row["skipped"] = f"{n:,} GPUs > --max-sim-gpus {args.max_sim_gpus:,}"
        elif distinct_flows > args.max_sim_flows:
            row["skipped"] = f"{distinct_flows:,} flows > --max-sim-flows {args.max_sim_flows:,}"
        if "skipped" in row:
            rows.append(row)
            continue
        if graph is None:
            graph_s, graph = best_of(topo.build_graph, 1)
            graph_mib = None if args.no_memory else peak_mib(topo.build_graph)
        def run():  # noqa: E306
            return simulated(graph, OP, alg, ranks, args.size_bytes, routing=args.routing, seed=args.seed,
                             max_flows=max(4_000_000, n))
        row["sim_wall_s"], sim = best_of(run, args.repeat)
        row.update(sim_s=sim.time_s, ratio=sim.time_s / cf.time_s, graph_s=graph_s, links=graph.links,
                   graph_mib=graph_mib, sim_mib=None if args.no_memory else peak_mib(run), **work(sim))
        rows.append(row)
    return rows


def _fmt(v, spec: str, width: int) -> str:
    return f"{'-' if v is None else format(v, spec):>{width}s}"


COLUMNS = [  # header, key, format, width
    ("GPUs", "gpus", ",d", 9), ("algorithm", "algorithm", "s", 16), ("closed s", "closed_s", ".5g", 10),
    ("sim s", "sim_s", ".5g", 10), ("sim/closed", "ratio", ".6f", 10), ("closed wall s", "closed_wall_s", ".4f", 13),
    ("sim wall s", "sim_wall_s", ".3f", 10), ("graph s", "graph_s", ".2f", 7), ("links", "links", ",d", 10),
    ("phases", "phases", ",d", 6), ("flow-phases", "flow_phases", ",d", 15), ("events", "events", ",d", 13),
    ("solves", "solves", ",d", 6), ("incidences", "incidences", ",d", 11), ("sim MiB", "sim_mib", ".1f", 8),
    ("graph MiB", "graph_mib", ".1f", 9),
]


def print_row(row: dict) -> None:
    cells = [_fmt(row.get(key), spec, width) for _, key, spec, width in COLUMNS]
    line = " ".join(cells)
    if "skipped" in row:
        line += f"   simulation skipped: {row['skipped']}"
    print(line, flush=True)


def plot(rows: list[dict], path: str, args) -> None:
    """Two log-log panels: the collective's time (closed form, simulated) and the wall-clock of each."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots
    fig = make_subplots(rows=1, cols=2, subplot_titles=(
        f"{OP} of {args.size_bytes:.3g} B per GPU: collective time", "wall-clock to compute it"))
    dashes = {"closed": "dash", "sim": "solid"}
    for alg in args.algorithms:
        mine = [r for r in rows if r["algorithm"] == alg]
        simmed = [r for r in mine if "sim_s" in r]
        for key, label, data in (("closed_s", "closed form", mine), ("sim_s", f"simulated ({args.routing})", simmed)):
            fig.add_trace(go.Scatter(x=[r["gpus"] for r in data], y=[r[key] for r in data], mode="lines+markers",
                                     name=f"{alg}: {label}", line={"dash": dashes[key.split('_')[0]]}), row=1, col=1)
        for key, label, data in (("closed_wall_s", "closed form", mine), ("sim_wall_s", "simulation", simmed)):
            fig.add_trace(go.Scatter(x=[r["gpus"] for r in data], y=[r[key] for r in data], mode="lines+markers",
                                     name=f"{alg}: {label} wall-clock",
                                     line={"dash": dashes["closed" if key.startswith("closed") else "sim"]}),
                          row=1, col=2)
    for col, title in ((1, "collective time (s)"), (2, "wall-clock (s)")):
        fig.update_xaxes(type="log", title_text="GPUs", row=1, col=col)
        fig.update_yaxes(type="log", title_text=title, row=1, col=col)
    fig.update_layout(title=f"lightfabric: simulator vs alpha-beta ({Path(args.scenario).stem}, {args.technology})",
                      width=1300, height=550)
    fig.write_html(path, include_plotlyjs=True)
    print(f"plot: {path}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default=str(SCENARIO), help="base scenario; cluster.gpus is set per row")
    ap.add_argument("--technology", default="pluggable-dsp")
    ap.add_argument("--gpus", default=",".join(map(str, GPU_COUNTS)), help="comma-separated GPU counts")
    ap.add_argument("--algorithms", default="ring,tree", help="all-reduce algorithms, comma-separated")
    ap.add_argument("--size-bytes", type=float, default=1e9, help="buffer per GPU")
    ap.add_argument("--routing", default="spread", choices=("spread", "hash"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-sim-gpus", type=int, default=max(GPU_COUNTS),
                    help="simulate only up to this many GPUs (closed form always)")
    ap.add_argument("--max-sim-flows", type=int, default=50_000_000,
                    help="simulate only collectives of at most this many flows over their distinct phases")
    ap.add_argument("--repeat", type=int, default=1, help="timed runs per case (the best is reported)")
    ap.add_argument("--no-memory", action="store_true", help="skip the traced runs for peak memory")
    ap.add_argument("--plot", metavar="PATH", help="write a plotly HTML plot (log-log) to PATH")
    args = ap.parse_args()
    args.algorithms = [a.strip() for a in args.algorithms.split(",") if a.strip()]
    counts = [int(g) for g in args.gpus.split(",")]
    base = load_scenario(args.scenario)
    print(f"{OP}, {args.size_bytes:.3g} B per GPU, {args.technology} on {Path(args.scenario).name} at each size, "
          f"routing {args.routing}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(" ".join(f"{h:>{w}s}" for h, _, _, w in COLUMNS))
    rows = []
    for n in counts:
        for row in measure(base, n, args):
            print_row(row)
            rows.append(row)
    skipped = [r for r in rows if "skipped" in r]
    if skipped:
        print(f"not simulated ({len(skipped)}): " + "; ".join(
            f"{r['algorithm']} at {r['gpus']:,} ({r['skipped']})" for r in skipped))
    if args.plot:
        plot(rows, args.plot, args)


if __name__ == "__main__":
    main()
