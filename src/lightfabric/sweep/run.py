"""Running a sweep: partitions evaluated locally (a process per core) or on a Dask cluster, and
stored as they arrive.

At most two partitions per worker are in flight, and each is written to DuckDB with its record in
one transaction, so memory stays bounded whatever the sweep's size, and a run stopped at any
moment (Ctrl-C, a kill, a lost machine) resumes with the same command: the partitions stored are
skipped, the others evaluated. Partitions are made from their point indices alone
(:func:`lightfabric.sweep.spec.chunk`), so the same sweep gives the same rows on any number of
workers, locally or on Dask.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import resource
import signal
import socket
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from lightfabric import __version__
from lightfabric.errors import LightfabricError
from lightfabric.sweep.evaluate import column_name, evaluate_partition
from lightfabric.sweep.spec import Sweep, SweepSpec, size
from lightfabric.sweep.store import ResultStore

MAX_PARTITION_POINTS = 25_000


def default_partition_points(n: int) -> int:
    """Points per partition when none is given: at most 25,000 (about 20 MB of rows in flight per
    partition), and small enough that a sweep has some 64 partitions to spread over workers. It
    depends on the sweep's size only, so a resume on another number of workers matches."""
    return max(1, min(MAX_PARTITION_POINTS, max(50, math.ceil(n / 64))))


class SweepInterrupted(LightfabricError):
    """The run was stopped (Ctrl-C: exit 130, SIGTERM: 143); the partitions stored so far are kept."""

    exit_code = 130

    def __init__(self, message: str, exit_code: int = 130):
        super().__init__(message)
        self.exit_code = exit_code


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of lightfabric's code and catalog, computed once per process: a worker whose digest
    differs from the driver's would compute other numbers, and is refused."""
    h = hashlib.sha256(__version__.encode())
    root = resources.files("lightfabric")
    for p in sorted(Path(str(root)).rglob("*")):
        if p.suffix in (".py", ".yaml") and "__pycache__" not in p.parts:
            h.update(str(p.relative_to(str(root))).encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


def partitions(n: int, points: int) -> list[tuple[int, int, int]]:
    """``(id, start, stop)`` of each partition of ``n`` points, ``points`` at a time."""
    return [(i, start, min(start + points, n)) for i, start in enumerate(range(0, n, points))]


def fingerprint(sweep: Sweep, partition_points: int) -> str:
    """What a resumed run must share with the first: the sweep, the base scenario's text, the
    partition size and the code and catalog."""
    text = json.dumps([sweep.spec.model_dump(mode="json"), sweep.base_text, partition_points, code_digest()])
    return hashlib.sha256(text.encode()).hexdigest()


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # ru_maxrss is in KiB on Linux


def evaluate_task(spec: SweepSpec, base: dict, start: int, stop: int) -> dict:
    """One partition on a worker (a local process or a Dask worker): its columns, the time it
    took, the worker's name, peak memory and code digest."""
    t0 = time.perf_counter()
    columns = evaluate_partition(spec, base, start, stop)
    return {"columns": columns, "seconds": time.perf_counter() - t0, "digest": code_digest(),
            "worker": f"{socket.gethostname()}:{os.getpid()}", "peak_rss_mib": _peak_rss_mib()}


def _worker_start(driver: int) -> None:
    """In each local worker: leave Ctrl-C and SIGTERM to the driver (it stops the workers), and die with
    the driver ``driver`` (its pid) if it dies first (killed, say), so no worker is left under init."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:  # Linux: the kernel sends SIGKILL when the parent goes
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - other systems rely on the watchdog below
        pass
    parent = os.getppid()
    if parent != driver:  # the driver died while this worker was starting
        os._exit(1)
    import threading

    def watchdog():
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)
    threading.Thread(target=watchdog, daemon=True, name="parent-watchdog").start()


@dataclass
class RunSummary:
    points: int                  # points of the sweep, before constraints
    partitions: int
    resumed: int                 # partitions found stored
    evaluated: int               # partitions evaluated by this run
    rows_written: int
    seconds: float
    driver_peak_rss_mib: float
    worker_peak_rss_mib: float
    workers: set[str] = field(default_factory=set)

    @property
    def points_per_s(self) -> float:
        evaluated_points = self.points * self.evaluated / max(self.partitions, 1)
        return evaluated_points / self.seconds if self.seconds > 0 else float("nan")


def _kill_hook(stage: str, count: int) -> Callable[[], None] | None:
    """Tests only: LIGHTFABRIC_SWEEP_KILL=after:K or inside:K kills the driver with SIGKILL after
    storing K partitions, or inside the transaction of partition K+1 (a real, uncatchable kill)."""
    want = os.environ.get("LIGHTFABRIC_SWEEP_KILL", "")
    if want == f"{stage}:{count}":
        return lambda: os.kill(os.getpid(), signal.SIGKILL)
    return None


def run_sweep(sweep: Sweep, output: Path, *, workers: int | None = None, scheduler: str | None = None,
              partition_points: int | None = None, fresh: bool = False,
              progress: Callable[[int, int], None] | None = None) -> RunSummary:
    """Evaluate every partition of ``sweep`` not yet in ``output`` and store it.

    ``workers``: local processes (default: the machine's cores; 1 runs in this process).
    ``scheduler``: ``tcp://HOST:PORT`` of a Dask distributed scheduler, instead of local processes.
    ``progress(points_done, points_total)`` is called as partitions are stored.
    Raises :class:`SweepInterrupted` on Ctrl-C, after the partition being written is stored.
    """
    if workers is not None and workers < 1:
        raise LightfabricError.for_field("--workers", workers, "a whole number >= 1")
    n = size(sweep.spec)
    if partition_points is None:
        partition_points = default_partition_points(n)
    if partition_points < 1:
        raise LightfabricError.for_field("--partition-points", partition_points, "a whole number >= 1")
    if scheduler is not None and not scheduler.startswith("tcp://"):
        raise LightfabricError.for_field("--scheduler", scheduler, "the address of a Dask scheduler, tcp://HOST:PORT")
    t0 = time.perf_counter()
    parts = partitions(n, partition_points)
    meta = {"fingerprint": fingerprint(sweep, partition_points), "sweep_file": sweep.filename,
            "sweep": json.dumps(sweep.spec.model_dump(mode="json")), "base": sweep.base_name,
            "base_text": sweep.base_text, "points": str(n), "partition_points": str(partition_points),
            "lightfabric": __version__, "code_digest": code_digest(),
            "axes": json.dumps({a: column_name(a) for a in sweep.spec.axes})}
    store = ResultStore(output, sweep.spec, meta, fresh=fresh)
    try:
        done = store.done()
        todo = [p for p in parts if p[0] not in done]
        summary = RunSummary(points=n, partitions=len(parts), resumed=len(done), evaluated=0, rows_written=0,
                             seconds=0.0, driver_peak_rss_mib=0.0, worker_peak_rss_mib=0.0)
        sizes = {p[0]: p[2] - p[1] for p in parts}
        points_done = sum(sizes[i] for i in done)
        if progress:
            progress(points_done, n)

        def store_result(part: tuple[int, int, int], result: dict) -> None:
            nonlocal points_done
            if result["digest"] != code_digest():
                raise LightfabricError.for_field(
                    "--scheduler", scheduler, "workers that run the same lightfabric code and catalog as this "
                    f"machine (digest {code_digest()})", problem=f"worker {result['worker']} runs digest {result['digest']}")
            stored = summary.evaluated + len(done)
            summary.rows_written += store.write(*part, result["columns"], result["seconds"], result["worker"],
                                                kill_inside=_kill_hook("inside", stored))
            summary.evaluated += 1
            summary.workers.add(result["worker"])
            summary.worker_peak_rss_mib = max(summary.worker_peak_rss_mib, result["peak_rss_mib"])
            points_done += part[2] - part[1]
            if progress:
                progress(points_done, n)
            hook = _kill_hook("after", summary.evaluated + len(done))
            if hook:
                hook()

        try:
            with _StopRequest() as stop:
                if scheduler is not None:
                    _run_dask(sweep, todo, scheduler, store_result, stop)
                elif (workers or os.cpu_count() or 1) == 1 or len(todo) <= 1:
                    _run_serial(sweep, todo, store_result, stop)
                else:
                    _run_local(sweep, todo, workers or os.cpu_count() or 1, store_result, stop)
        except KeyboardInterrupt:
            how, code = ("terminated", 143) if stop.signal == signal.SIGTERM else ("interrupted", 130)
            raise SweepInterrupted(f"{how}: {summary.evaluated + len(done)} of {len(parts)} partitions are "
                                   f"stored in {output}; run the same command again to finish the rest",
                                   exit_code=code) from None
        summary.seconds = time.perf_counter() - t0
        summary.driver_peak_rss_mib = _peak_rss_mib()
        if not summary.workers:
            summary.worker_peak_rss_mib = summary.driver_peak_rss_mib if summary.evaluated else 0.0
        return summary
    finally:
        store.close()


class _StopRequest:
    """Ctrl-C or SIGTERM sets a flag instead of raising where it lands (e.g. inside DuckDB's write):
    the loop stops at the next point where the store is consistent."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self):
        self.requested = False
        self.signal = None
        self._previous: dict = {}

    def __enter__(self):
        import threading
        if threading.current_thread() is threading.main_thread():
            for sig in self.SIGNALS:
                self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, signum, _frame):
        self.requested = True
        self.signal = signum

    def __exit__(self, *_):
        for sig, previous in self._previous.items():
            signal.signal(sig, previous)

    def check(self) -> None:
        if self.requested:
            raise KeyboardInterrupt


def _drive(todo: list, slots: int, submit, wait_some, store_result, stop: _StopRequest) -> None:
    """Keep ``slots`` partitions in flight; store each as it finishes, in partition order among
    those finishing together; stop cleanly when Ctrl-C was pressed."""
    queue = iter(todo)
    running: dict = {}
    for part in queue:
        running[submit(part)] = part
        if len(running) >= slots:
            break
    while running:
        stop.check()
        finished = wait_some(list(running))
        for fut in sorted(finished, key=lambda f: running[f][0]):
            part = running.pop(fut)
            store_result(part, fut.result())
            stop.check()
            nxt = next(queue, None)
            if nxt is not None:
                running[submit(nxt)] = nxt


def _run_serial(sweep: Sweep, todo: list, store_result, stop: _StopRequest) -> None:
    for part in todo:
        stop.check()
        store_result(part, evaluate_task(sweep.spec, sweep.base, part[1], part[2]))


def _run_local(sweep: Sweep, todo: list, workers: int, store_result, stop: _StopRequest) -> None:
    import multiprocessing

    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_worker_start, initargs=(os.getpid(),))
    try:
        _drive(todo, 2 * workers, lambda part: pool.submit(evaluate_task, sweep.spec, sweep.base, part[1], part[2]),
               lambda futs: wait(futs, timeout=0.25, return_when=FIRST_COMPLETED)[0], store_result, stop)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _run_dask(sweep: Sweep, todo: list, scheduler: str, store_result, stop: _StopRequest) -> None:
    try:
        from distributed import Client, wait as dask_wait
    except ImportError:  # pragma: no cover - a core dependency
        raise LightfabricError.for_field("--scheduler", scheduler, "a machine with dask[distributed] installed") from None
    try:
        client = Client(scheduler, timeout="5s")
    except (OSError, TimeoutError) as e:
        raise LightfabricError.for_field("--scheduler", scheduler, "the address of a running Dask scheduler",
                                         problem=f"cannot connect: {e}") from None

    def wait_some(futs):
        try:
            return dask_wait(futs, timeout=0.25, return_when="FIRST_COMPLETED").done
        except TimeoutError:
            return set()

    try:
        slots = 2 * max(1, sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values()))
        spec, base = client.scatter([sweep.spec, sweep.base], broadcast=True)
        _drive(todo, slots, lambda part: client.submit(evaluate_task, spec, base, part[1], part[2], pure=False),
               wait_some, store_result, stop)
    finally:
        client.close()
