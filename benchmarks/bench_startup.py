"""Time the start-up of the command line: `lightfabric --version`, `catalog list` and the default `compare`,
each a whole process (subprocess, wall time), with the catalog cache cold and warm.

Cold: every run gets a new, empty cache directory (LIGHTFABRIC_CACHE_DIR), so it parses and validates
the catalog's YAML and writes the cache. Warm: the runs share one cache directory, filled by a run
before the timed ones. Python's own bytecode caches are warm in both. Prints the best and the median
wall time of --repeat runs (default 5); other load on the machine inflates both, so compare figures
taken together. Run: python benchmarks/bench_startup.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LF = str(Path(sys.executable).parent / "lightfabric")
COMMANDS = {
    "--version": ["--version"],
    "catalog list": ["catalog", "list"],
    "compare": ["compare"],
}


def run_once(args: list[str], cache_dir: str) -> float:
    """Wall seconds of one ``lightfabric ARGS`` process."""
    env = {**os.environ, "LIGHTFABRIC_CACHE_DIR": cache_dir, "COLUMNS": "200"}
    t = time.perf_counter()
    proc = subprocess.run([LF, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"lightfabric {' '.join(args)} failed ({proc.returncode}): {proc.stderr.decode()}")
    return elapsed


def timed(args: list[str], warm: bool, repeat: int) -> list[float]:
    times = []
    with tempfile.TemporaryDirectory(prefix="lf-bench-cache-") as shared:
        if warm:
            run_once(args, shared)   # fills the cache
        for _ in range(repeat):
            if warm:
                times.append(run_once(args, shared))
            else:
                with tempfile.TemporaryDirectory(prefix="lf-bench-cold-") as fresh:
                    times.append(run_once(args, fresh))
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="lf-bench-") as d:
        run_once(["compare"], d)   # every module read once (and its bytecode written) before timing
    print(f"{'command':<14} {'cache':<5} {'best (s)':>9} {'median (s)':>11}")
    for name, argv in COMMANDS.items():
        for warm in (False, True):
            times = timed(argv, warm, args.repeat)
            print(f"{name:<14} {'warm' if warm else 'cold':<5} {min(times):>9.3f} {statistics.median(times):>11.3f}")


if __name__ == "__main__":
    main()
