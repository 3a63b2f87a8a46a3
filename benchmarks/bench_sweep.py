"""Sweep throughput and memory.

1. One core, compare-level metrics (topology, bill of materials, power, capex, TCO, NPV and the
   closed-form reliability) of the first 100,000 points of examples/sweeps/million-default.yaml
   (4 fabrics x 25,000 sites and contracts): cold (each fabric built once) and warm (cached).
   The issue's target is 20,000 design points per second per core.
2. The slow path: examples/sweeps/lhs-fabrics.yaml, every point a new fabric (3 designs each), and
   SLOW_GRID, a grid over cluster.gpus x switch x port rate x tiers x oversubscription (every point
   a new fabric): in a fresh process's first pass (no cache warm) and again with only the fabric
   cache emptied (the per-part caches warm). The issue's target is 5,000 points/s per core.
3. DuckDB writes: rows per second of the store.
4. End to end on every core: `run_sweep` of 200,000 points of the million example, then all of
   it, with points per second and the peak memory of the driver and of the largest worker.
5. The Pareto front (3 objectives) of the million-point results.

Run: python benchmarks/bench_sweep.py [--skip-million] [--slow-only]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from lightfabric.sweep import load_sweep
from lightfabric.sweep.evaluate import FabricCache, evaluate_partition
from lightfabric.sweep.pareto import pareto_front
from lightfabric.sweep.run import run_sweep
from lightfabric.sweep.spec import size
from lightfabric.sweep.store import ResultStore

ROOT = Path(__file__).resolve().parent.parent
MILLION = ROOT / "examples" / "sweeps" / "million-default.yaml"
LHS = ROOT / "examples" / "sweeps" / "lhs-fabrics.yaml"

# every point a new fabric
SLOW_GRID = {
    "base": "default",
    "sample": {"method": "grid"},
    "axes": {
        "cluster.gpus": [1024, 2048, 3000, 4096, 6000, 8192, 12000, 16384, 24576, 32768, 49152, 65536],
        "scale_out.switch": ["tomahawk-5", "tomahawk-6-100g"],
        "scale_out.port_rate_gbps": [400, 800],
        "scale_out.tiers": [2, 3, "auto"],
        "scale_out.oversubscription": [1.0, 1.5, 2.0, 3.0],
    },
}


def one_core() -> dict:
    sweep = load_sweep(MILLION)
    cache = FabricCache()
    out = {}
    for label in ("cold", "warm"):
        t0 = time.perf_counter()
        rows = sum(len(evaluate_partition(sweep.spec, sweep.base, lo, lo + 25_000, cache)["point"])
                   for lo in range(0, 100_000, 25_000))
        dt = time.perf_counter() - t0
        out[label] = (100_000 / dt, rows / dt)
        print(f"one core, {label:4s}: 100,000 points in {dt:.2f} s = {100_000 / dt:,.0f} points/s "
              f"({rows / dt:,.0f} design points/s; {cache.builds} fabrics built)")
    return out


def _slow_rate(spec, base, stop: int) -> tuple[float, int, int, int]:
    """Points per second of the first ``stop`` points with an empty fabric cache; points kept,
    rows and feasible design points."""
    t0 = time.perf_counter()
    res = evaluate_partition(spec, base, 0, stop, FabricCache())
    dt = time.perf_counter() - t0
    kept = len(set(res["point"]))
    return kept / dt, kept, len(res["point"]), int(np.sum(res["feasible"]))


def slow_path(tmp: Path) -> None:
    """Every point a new fabric: the slow grid (first pass in this process, then again with the
    per-part caches warm), then the first 200 points of lhs-fabrics.yaml."""
    import yaml
    path = tmp / "slow-grid.yaml"
    path.write_text(yaml.safe_dump(SLOW_GRID))
    grid = load_sweep(path)
    n = size(grid.spec)
    for label in ("first pass", "again", "again"):
        rate, kept, rows, ok = _slow_rate(grid.spec, grid.base, n)
        print(f"one core, slow path, grid over gpus x switch x rate x tiers x oversubscription ({label}): "
              f"{kept} points, {rows} rows ({ok} feasible designs): {rate:,.0f} points/s")
    lhs = load_sweep(LHS)
    for label in ("first pass", "again"):
        rate, kept, rows, ok = _slow_rate(lhs.spec, lhs.base, 200)
        print(f"one core, slow path (lhs-fabrics.yaml, first 200, {label}): {rate:,.1f} points/s "
              f"({rows} rows, {ok} feasible designs)")


def store_rate(tmp: Path) -> None:
    sweep = load_sweep(MILLION)
    cols = evaluate_partition(sweep.spec, sweep.base, 0, 25_000)
    store = ResultStore(tmp / "w.duckdb", sweep.spec, {"fingerprint": "bench"})
    t0 = time.perf_counter()
    rows = sum(store.write(i, 0, 25_000, cols, 0.0, "bench") for i in range(8))
    dt = time.perf_counter() - t0
    store.close()
    print(f"DuckDB store: {rows:,} rows in {dt:.2f} s = {rows / dt:,.0f} rows/s")


def end_to_end(tmp: Path, million: bool) -> None:
    import yaml
    body = yaml.safe_load(MILLION.read_text())
    body["axes"]["cluster.gpus"] = [4096, 8192]
    body["axes"]["scale_out.switch"] = ["tomahawk-5"]     # 2 x 1 x 2 x 2 = 8 fabrics x 25,000 = 200,000 points
    body["axes"]["scale_out.oversubscription"] = [1.0, 2.0]
    body["axes"]["placement.leaf_location"] = ["end-of-row", "top-of-rack"]
    small = tmp / "s200k.yaml"
    small.write_text(yaml.safe_dump(body))
    cases = [small] + ([MILLION] if million else [])
    for path in cases:
        sweep = load_sweep(path)
        s = run_sweep(sweep, tmp / f"{path.stem}.duckdb", fresh=True)
        print(f"end to end, all cores: {size(sweep.spec):,} points ({s.rows_written:,} rows) in {s.seconds:.1f} s = "
              f"{s.points_per_s:,.0f} points/s; peak memory driver {s.driver_peak_rss_mib:,.0f} MiB, "
              f"largest worker {s.worker_peak_rss_mib:,.0f} MiB")
    if million:
        import duckdb
        con = duckdb.connect(str(tmp / "million-default.duckdb"), read_only=True)
        v = con.execute("SELECT power_per_gpu_w, tco_per_gpu_usd, goodput FROM results WHERE feasible").fetchnumpy()
        con.close()
        values = np.column_stack([v["power_per_gpu_w"], v["tco_per_gpu_usd"], v["goodput"]])
        t0 = time.perf_counter()
        front = pareto_front(values, [False, False, True])
        print(f"Pareto front of {len(values):,} feasible design points (3 objectives): {len(front):,} points "
              f"in {time.perf_counter() - t0:.2f} s")


def main() -> None:
    with tempfile.TemporaryDirectory() as d:
        slow_path(Path(d))
        if "--slow-only" in sys.argv:
            return
    one_core()
    with tempfile.TemporaryDirectory() as d:
        store_rate(Path(d))
        end_to_end(Path(d), million="--skip-million" not in sys.argv)


if __name__ == "__main__":
    main()
