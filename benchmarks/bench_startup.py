"""Time the start-up of the command line: `lightfabric --version`, `catalog list`, the default `compare`
and one `link`, each a whole process (subprocess, wall time), with the catalog cache cold and warm.

Cold: every run gets a new, empty cache directory (LIGHTFABRIC_CACHE_DIR), so it parses and validates
the catalog's YAML and writes the cache. Warm: the runs share one cache directory, filled by a run
before the timed ones. Python's own bytecode caches are warm in both. Prints the best and the median
wall time of --repeat runs (default 5); other load on the machine inflates both, so compare figures
taken together. Then, from one more (untimed, warm) run of each command, how many modules it loaded
and whether scipy was among them (the physics of `compare` and `link` needs none since issue 25).
Run: python benchmarks/bench_startup.py [--repeat 5] [--only compare]
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
    "link": ["link", "-t", "cpo", "--length-m", "100"],
}
# the entry point's code, with a census of sys.modules at exit on stderr's last line
CENSUS = ("import atexit, sys\n"
          "atexit.register(lambda: print(len(sys.modules), int('scipy' in sys.modules), file=sys.stderr))\n"
          "from lightfabric.cli import main\nsys.argv[0] = 'lightfabric'\nmain()\n")


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


def census(args: list[str], cache_dir: str) -> tuple[int, bool]:
    """(modules loaded, scipy among them) by one ``lightfabric ARGS`` process."""
    env = {**os.environ, "LIGHTFABRIC_CACHE_DIR": cache_dir, "COLUMNS": "200"}
    proc = subprocess.run([sys.executable, "-c", CENSUS, *args], env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    modules, scipy = proc.stderr.strip().splitlines()[-1].split()
    return int(modules), scipy == "1"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--only", choices=list(COMMANDS), action="append", help="time only this command (repeatable)")
    args = ap.parse_args()
    commands = {k: v for k, v in COMMANDS.items() if not args.only or k in args.only}
    with tempfile.TemporaryDirectory(prefix="lf-bench-") as d:
        for argv in commands.values():
            run_once(argv, d)      # every module read once (and its bytecode written) before timing
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'command':<14} {'cache':<5} {'best (s)':>9} {'median (s)':>11}")
    for name, argv in commands.items():
        for warm in (False, True):
            times = timed(argv, warm, args.repeat)
            print(f"{name:<14} {'warm' if warm else 'cold':<5} {min(times):>9.3f} {statistics.median(times):>11.3f}")
    with tempfile.TemporaryDirectory(prefix="lf-bench-census-") as d:
        for name, argv in commands.items():
            modules, scipy = census(argv, d)
            print(f"{name:<14} {modules:4d} modules loaded, scipy {'loaded' if scipy else 'not loaded'}")


if __name__ == "__main__":
    main()
