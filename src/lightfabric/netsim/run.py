"""The ``collective`` and ``step`` reports: every design of a scenario, side by side."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lightfabric.catalog import Catalog
from lightfabric.compare import compare
from lightfabric.errors import LightfabricError
from lightfabric.netsim.collectives import ALGORITHMS, DEFAULT_ALGORITHM, OPS, closed_form, simulated
from lightfabric.netsim.step import load_model, parse_plan, peak_tflops, step_time
from lightfabric.netsim.topo import topo_of
from lightfabric.inputs import check_seed
from lightfabric.scenario.models import Scenario
from lightfabric.topology.paths import ROUTINGS, Disconnected


def _failed_uplinks(graph, count: int, seed: int) -> np.ndarray:
    """``count`` of the links the topology lets a user fail (both directions of each), chosen by ``seed``."""
    if count == 0:
        return np.zeros(0, dtype=np.int64)
    ups = graph.failable_up
    if count > len(ups):
        what = f" ({graph.failable_label})" if len(ups) else " (this fabric has no uplinks to fail)"
        raise LightfabricError.for_field("--fail-links", count, f"0 to {len(ups):,}{what}")
    pick = np.random.default_rng(seed).choice(len(ups), size=count, replace=False)
    return np.concatenate([ups[pick], graph.failable_down[pick]])


def _checked(scenario: Scenario, op: str, algorithm: str | None, gpus: int | None,
             catalog: Catalog | None) -> tuple[str, int, list]:
    """The algorithm (the op's default when None), the GPU count (default: all a job may span)
    checked, and each design of the scenario with the start of its report row."""
    if op not in OPS:
        raise LightfabricError.for_field("--op", op, ", ".join(OPS))
    alg = algorithm or DEFAULT_ALGORITHM[op]
    if alg not in ALGORITHMS[op]:
        raise LightfabricError.for_field("--algorithm", alg, f"for {op}: {', '.join(ALGORITHMS[op])}")
    comparison = compare(scenario, catalog)
    fabric = comparison.plan.fabric
    n_total = fabric.gpus_for_jobs
    n = gpus if gpus is not None else n_total
    if not 2 <= n <= n_total:
        scope = ("the cluster's GPUs" if fabric.job_gpus is None else
                 f"the chips of one slice, {fabric.summary['slices'][0]}" if "slices" in fabric.summary else "one job")
        raise LightfabricError.for_field("--gpus", n, f"2 to {n_total:,} ({scope})")
    rows = [(r, {"technology": r.technology, "label": r.label, "feasible": r.feasible, "reasons": list(r.reasons)})
            for r in comparison.results]
    return alg, n, rows


# 1 kB to 16 GB in steps of 4x: from latency-bound to bandwidth-bound on any fabric here.
SWEEP_SIZES_BYTES = tuple(float(4 ** k * 1000) for k in range(13))


def collective_sweep(scenario: Scenario, *, op: str = "all-reduce", sizes_bytes=SWEEP_SIZES_BYTES,
                     gpus: int | None = None, algorithm: str | None = None,
                     catalog: Catalog | None = None) -> dict:
    """Closed-form time and bus bandwidth of one collective at each message size, per technology
    (the data of :func:`lightfabric.plots.collective_time_vs_size`)."""
    alg, n, designs = _checked(scenario, op, algorithm, gpus, catalog)
    sizes = [float(x) for x in sizes_bytes]
    if not sizes or min(sizes) <= 0:
        raise LightfabricError.for_field("sizes_bytes", sizes, "one or more sizes in bytes, each > 0")
    ranks = np.arange(n, dtype=np.int64)
    results = []
    for r, row in designs:
        if r.feasible:
            topo = topo_of(r.design)
            runs = [closed_form(topo, op, alg, ranks, size) for size in sizes]
            row.update({"sizes_bytes": sizes, "time_s": [float(x.time_s) for x in runs],
                        "busbw_gbps": [float(x.busbw_gbps) for x in runs]})
        results.append(row)
    return {"scenario": scenario.name, "op": op, "algorithm": alg, "gpus": n, "results": results}


def collective_report(scenario: Scenario, *, op: str, size_bytes: float, gpus: int | None = None,
                      algorithm: str | None = None, simulate: bool = False, routing: str = "spread", seed: int = 0,
                      fail_links: int = 0, catalog: Catalog | None = None,
                      progress: Callable[[str, int, int], None] | None = None) -> dict:
    if not size_bytes > 0:
        raise LightfabricError.for_field("--size-bytes", size_bytes, "a number of bytes > 0")
    if routing not in ROUTINGS:
        raise LightfabricError.for_field("--routing", routing, ", ".join(ROUTINGS))
    check_seed(seed)
    if fail_links < 0:
        raise LightfabricError.for_field("--fail-links", fail_links, "a whole number of links >= 0")
    if fail_links and not simulate:
        raise LightfabricError.for_field("--fail-links", fail_links, "used with --simulate (the closed form has no failures)")
    alg, n, designs = _checked(scenario, op, algorithm, gpus, catalog)
    ranks = np.arange(n, dtype=np.int64)
    results = []
    for r, row in designs:
        if not r.feasible:
            results.append(row)
            continue
        topo = topo_of(r.design)
        analytic = closed_form(topo, op, alg, ranks, size_bytes)
        row.update({"topology": topo.as_dict(), "closed_form": analytic.as_dict()})
        best = analytic
        if simulate:
            graph = topo.build_graph()
            failed = _failed_uplinks(graph, fail_links, seed)
            if len(failed):
                graph = graph.with_failures(failed)
            try:
                sim = simulated(graph, op, alg, ranks, size_bytes, routing, seed,
                                progress=None if progress is None else (lambda d, t, x=r.technology: progress(x, d, t)))
            except Disconnected as e:
                raise LightfabricError.for_field(
                    "--fail-links", fail_links, f"fewer failed {graph.failable_label}, so that every switch keeps one",
                    problem=f"{r.technology}: {e}") from None
            row["simulated"] = {**sim.as_dict(), "failed_links": int(len(failed) // 2)}
            best = sim
        row.update({"time_s": best.time_s, "algbw_gbps": best.algbw_gbps, "busbw_gbps": best.busbw_gbps,
                    "max_link_utilization": best.max_link_utilization, "method": best.method,
                    "phases": best.phases})
        results.append(row)
    return {"scenario": scenario.name, "op": op, "algorithm": alg, "gpus": n, "size_bytes": float(size_bytes),
            "simulate": simulate, "routing": routing if simulate else None, "seed": seed, "results": results}


def step_report(scenario: Scenario, *, model_path: str, plan: str, simulate: bool = False, routing: str = "spread",
                seed: int = 0, catalog: Catalog | None = None) -> dict:
    check_seed(seed)
    if routing not in ROUTINGS:
        raise LightfabricError.for_field("--routing", routing, ", ".join(ROUTINGS))
    model = load_model(model_path)
    comparison = compare(scenario, catalog)
    gpu = comparison.plan.gpu
    tflops = peak_tflops(gpu)
    p = parse_plan(plan, comparison.plan.fabric.gpus_for_jobs, model)
    results = []
    for r in comparison.results:
        row = {"technology": r.technology, "label": r.label, "feasible": r.feasible, "reasons": list(r.reasons)}
        if r.feasible:
            topo = topo_of(r.design)
            graph = topo.build_graph() if simulate else None
            row.update(step_time(topo, tflops, model, p, graph=graph, routing=routing, seed=seed))
            row["domain_gpus"] = topo.domain_gpus
        results.append(row)
    return {"scenario": scenario.name, "model": model.model_dump(), "plan": p.label(), "gpu": gpu.id,
            "bf16_dense_tflops": tflops, "simulate": simulate, "results": results}
