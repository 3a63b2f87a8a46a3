"""Time the start-up of the command line: `lightfabric --version`, `catalog list`, the default `compare`
and one `link`, each a whole process (subprocess, wall time), with the catalog cache cold and warm.

Cold: every run gets a new, empty cache directory (LIGHTFABRIC_CACHE_DIR), so it parses and validates
the catalog's YAML and writes the cache. Warm: the runs share one cache directory, filled by a run
before the timed ones. Python's own bytecode caches are warm in both (the runs do not inherit
PYTHONDONTWRITEBYTECODE, so the untimed first run of each command writes them). Prints the best and
the median wall time of --repeat runs (default 5); other load on the machine inflates both, so
compare figures taken together. With ``--against SRC`` (a directory holding another copy of the
``lightfabric`` package, e.g. an older checkout's ``src``, put first on PYTHONPATH) every timed run
of this copy is followed by one of that copy, so both see the same load, and both are printed. Then,
from one more (untimed, warm) run of each command, how many modules it loaded and whether scipy was
among them (the physics of `compare` and `link` needs none since issue 25).
Run: python benchmarks/bench_startup.py [--repeat 11] [--only compare] [--against /tmp/old/src]
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


def _env(cache_dir: str, src: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update({"LIGHTFABRIC_CACHE_DIR": cache_dir, "COLUMNS": "200"})
    if src is not None:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (src, os.environ.get("PYTHONPATH")) if p)
    return env


def run_once(args: list[str], cache_dir: str, src: str | None = None) -> float:
    """Wall seconds of one ``lightfabric ARGS`` process (the package in ``src`` if given)."""
    t = time.perf_counter()
    proc = subprocess.run([LF, *args], env=_env(cache_dir, src), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"lightfabric {' '.join(args)} failed ({proc.returncode}): {proc.stderr.decode()}")
    return elapsed


def timed(args: list[str], warm: bool, repeat: int, sources: list[str | None]) -> list[list[float]]:
    """The wall times of ``repeat`` runs per package source, the sources' runs interleaved."""
    times: list[list[float]] = [[] for _ in sources]
    with tempfile.TemporaryDirectory(prefix="lf-bench-cache-") as shared:
        dirs = [os.path.join(shared, str(i)) for i in range(len(sources))]   # one cache per copy
        if warm:
            for d, src in zip(dirs, sources):
                run_once(args, d, src)   # fills the cache
        for _ in range(repeat):
            for i, (d, src) in enumerate(zip(dirs, sources)):
                if warm:
                    times[i].append(run_once(args, d, src))
                else:
                    with tempfile.TemporaryDirectory(prefix="lf-bench-cold-") as fresh:
                        times[i].append(run_once(args, fresh, src))
    return times


def census(args: list[str], cache_dir: str, src: str | None = None) -> tuple[int, bool]:
    """(modules loaded, scipy among them) by one ``lightfabric ARGS`` process."""
    proc = subprocess.run([sys.executable, "-c", CENSUS, *args], env=_env(cache_dir, src), stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    modules, scipy = proc.stderr.strip().splitlines()[-1].split()
    return int(modules), scipy == "1"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--only", choices=list(COMMANDS), action="append", help="time only this command (repeatable)")
    ap.add_argument("--against", metavar="SRC", help="also time the lightfabric package in SRC, interleaved")
    args = ap.parse_args()
    if args.against and not (Path(args.against) / "lightfabric" / "__init__.py").is_file():
        ap.error(f"--against: no lightfabric package in {args.against}")
    commands = {k: v for k, v in COMMANDS.items() if not args.only or k in args.only}
    sources: list[str | None] = [None] + ([str(Path(args.against).resolve())] if args.against else [])
    labels = ["this"] + (["against"] if args.against else [])
    with tempfile.TemporaryDirectory(prefix="lf-bench-") as d:
        for argv in commands.values():
            for src in sources:
                run_once(argv, d, src)      # every module read once (and its bytecode written) before timing
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
          + (f"; against: {sources[1]}" if args.against else ""))
    print(f"{'command':<14} {'cache':<5} {'copy':<8} {'best (s)':>9} {'median (s)':>11}")
    for name, argv in commands.items():
        for warm in (False, True):
            for label, times in zip(labels, timed(argv, warm, args.repeat, sources)):
                print(f"{name:<14} {'warm' if warm else 'cold':<5} {label:<8} {min(times):>9.3f} "
                      f"{statistics.median(times):>11.3f}")
    with tempfile.TemporaryDirectory(prefix="lf-bench-census-") as d:
        for name, argv in commands.items():
            for label, src in zip(labels, sources):
                modules, scipy = census(argv, os.path.join(d, label), src)
                print(f"{name:<14} {label:<8} {modules:4d} modules loaded, scipy {'loaded' if scipy else 'not loaded'}")


if __name__ == "__main__":
    main()
