"""Time `lightfabric economics`, `valuechain` and `sensitivity` on the default scenario (32,768
GPUs) and the 1M-GPU multi-plane example, with peak memory.

`sensitivity` is the heavy one: a tornado of about 15 inputs at two values each, then three
break-even searches (Brent), each evaluation a full economics run (a re-built design where a part's
price changes). Prints seconds per command and evaluations per second.
Run: python benchmarks/bench_economics.py
"""

from __future__ import annotations

import importlib
import time
import tracemalloc
from pathlib import Path

from lightfabric.catalog.store import _default_catalog
from lightfabric.economics import economics, sensitivity_report, value_chain
from lightfabric.scenario.loader import load_scenario

sens_module = importlib.import_module("lightfabric.economics.sensitivity")
ROOT = Path(__file__).resolve().parent.parent
CASES = [("default, 32,768 GPUs", None), ("three-tier-1m-multiplane, 1,048,576 GPUs",
                                         ROOT / "examples" / "three-tier-1m-multiplane.yaml")]


def timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - t0, out


def main() -> None:
    _default_catalog()
    calls = {"n": 0}
    original = sens_module.evaluate_at

    def counting(*a, **k):
        calls["n"] += 1
        return original(*a, **k)

    sens_module.evaluate_at = counting
    print(f"{'scenario':45s} {'economics s':>12s} {'valuechain s':>13s} {'sensitivity s':>14s} "
          f"{'evaluations':>12s} {'eval/s':>8s} {'peak MiB':>9s}")
    for label, path in CASES:
        sc = load_scenario(path)
        tracemalloc.start()
        t_eco, _ = timed(economics, sc)
        t_vc, _ = timed(value_chain, sc)
        calls["n"] = 0
        t_sens, _ = timed(sensitivity_report, sc)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        print(f"{label:45s} {t_eco:12.3f} {t_vc:13.3f} {t_sens:14.2f} {calls['n']:12d} "
              f"{calls['n'] / t_sens:8.1f} {peak:9.1f}")


if __name__ == "__main__":
    main()
