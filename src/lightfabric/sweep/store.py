"""The results of a sweep in one DuckDB file.

Three tables:

* ``results``: one row per design point (a point of the sweep and one of its designs): ``point``,
  one column per axis (:func:`~lightfabric.sweep.evaluate.column_name`), ``technology``,
  ``feasible``, ``reason`` and the metrics of :data:`~lightfabric.sweep.evaluate.METRICS`;
* ``partitions``: the partitions stored, each written in the same transaction as its rows, so a
  run killed at any moment leaves whole partitions only and a rerun skips exactly those;
* ``sweep_meta``: the sweep file, the base scenario, the fingerprint that a resume must match, and
  the map from axis to column.
"""

from __future__ import annotations

import fcntl
import json
import os
from contextlib import ExitStack, contextmanager
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from lightfabric.errors import LightfabricError
from lightfabric.sweep.evaluate import METRICS, axis_column, column_name
from lightfabric.sweep.spec import SweepSpec, chunk, values_of

MEMORY_LIMIT = "256MB"  # DuckDB's buffer cache; the driver's memory levels off here


def column_types(spec: SweepSpec) -> dict[str, pa.DataType]:
    """The Arrow type of every results column: an axis' from all its values (2, 3 and 'auto' are text),
    an interval's from its kind."""
    types: dict[str, pa.DataType] = {"point": pa.int64()}
    for axis_name, axis in spec.axes.items():
        values = values_of(axis)
        if values is None:
            values = chunk(spec, 0, 1)[axis_name]
        kind = axis_column(values).dtype.kind
        types[column_name(axis_name)] = {"i": pa.int64(), "u": pa.int64(), "f": pa.float64(), "b": pa.bool_()}.get(kind, pa.string())
    types.update(technology=pa.string(), feasible=pa.bool_(), reason=pa.string())
    types.update({m: pa.float64() for m in METRICS})
    return types


def to_arrow(columns: dict[str, np.ndarray], types: dict[str, pa.DataType]) -> pa.Table:
    """Columns from :func:`~lightfabric.sweep.evaluate.evaluate_partition` as an Arrow table; NaN
    metrics (infeasible designs) become NULL."""
    arrays = []
    for name, t in types.items():
        v = columns[name]
        if pa.types.is_floating(t):
            v = np.asarray(v, dtype=float)
            arrays.append(pa.array(v, type=t, mask=np.isnan(v)))
        elif pa.types.is_string(t):
            arrays.append(pa.array(np.asarray(v, dtype=object), type=t, from_pandas=True))
        else:
            arrays.append(pa.array(np.asarray(v, dtype=bool if pa.types.is_boolean(t) else np.int64), type=t))
    return pa.Table.from_arrays(arrays, names=list(types))


@contextmanager
def lock_results(path: Path):
    """Hold ``PATH.lock`` exclusively for as long as the block runs: one run writes (or replaces) a
    results file at a time. Another run gets a :class:`LightfabricError` naming the holder."""
    lock_path = Path(str(path) + ".lock")
    f = open(lock_path, "a+")
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        f.seek(0)
        holder = f.read().strip() or "another process"
        f.close()
        raise LightfabricError.for_field("--output", str(path), "a results file no other run is writing",
                                         problem=f"in use by another run ({holder}); wait for it or choose "
                                                 f"another file") from None
    try:
        f.seek(0)
        f.truncate()
        f.write(f"pid {os.getpid()}")
        f.flush()
        yield
    finally:
        fcntl.flock(f, fcntl.LOCK_UN)
        f.close()
        lock_path.unlink(missing_ok=True)


_SQL_TYPES = {pa.int64(): "BIGINT", pa.float64(): "DOUBLE", pa.bool_(): "BOOLEAN", pa.string(): "VARCHAR"}


class ResultStore:
    """A sweep's DuckDB file, open for writing."""

    def __init__(self, path: Path, spec: SweepSpec, meta: dict[str, str], fresh: bool = False):
        self.path = Path(path)
        if self.path.suffix.lower() != ".duckdb":
            raise LightfabricError.for_field("--output", str(path), "a file name ending in .duckdb")
        if not self.path.parent.is_dir():
            raise LightfabricError.for_field("--output", str(path), "a file in an existing directory",
                                             problem=f"no directory {str(self.path.parent)!r}")
        self._locks = ExitStack()
        self._locks.enter_context(lock_results(self.path))
        try:
            self._open(spec, meta, fresh)
        except BaseException:
            self._locks.close()
            raise

    def _open(self, spec: SweepSpec, meta: dict[str, str], fresh: bool) -> None:
        path = self.path
        if fresh:
            for p in (self.path, Path(str(self.path) + ".wal")):
                p.unlink(missing_ok=True)
        existed = self.path.exists()
        try:
            self.con = duckdb.connect(str(self.path))
        except duckdb.Error as e:
            raise LightfabricError.for_field("--output", str(path), "a DuckDB file lightfabric can open for writing",
                                             problem=f"{str(e).splitlines()[0]}; if it is damaged, --fresh replaces "
                                                     f"it") from None
        self.con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        self.types = column_types(spec)
        if existed:
            self._check_resumable(meta)
        else:
            self._create(meta)

    def _create(self, meta: dict[str, str]) -> None:
        cols = ", ".join(f'"{n}" {_SQL_TYPES[t]}' for n, t in self.types.items())
        self.con.execute(f"CREATE TABLE results ({cols})")
        self.con.execute("CREATE TABLE partitions (partition INTEGER PRIMARY KEY, start_point BIGINT, "
                         "stop_point BIGINT, points BIGINT, rows BIGINT, seconds DOUBLE, worker VARCHAR)")
        self.con.execute("CREATE TABLE sweep_meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
        self.con.executemany("INSERT INTO sweep_meta VALUES (?, ?)", list(meta.items()))

    def _check_resumable(self, meta: dict[str, str]) -> None:
        try:
            got = dict(self.con.execute("SELECT key, value FROM sweep_meta").fetchall())
        except duckdb.Error:
            self.con.close()
            raise LightfabricError.for_field("--output", str(self.path), "a new file, or a results file of this sweep",
                                             problem="the file exists and is not a lightfabric sweep; "
                                                     "use --fresh to replace it") from None
        if got.get("fingerprint") != meta["fingerprint"]:
            self.con.close()
            raise LightfabricError.for_field(
                "--output", str(self.path), "a results file of this very sweep (same sweep file, base scenario, "
                "partition size, catalog and lightfabric version) to resume, or --fresh to replace it",
                problem="it holds another sweep")
        problem = self.verify()
        if problem:
            self.con.close()
            raise LightfabricError.for_field("--output", str(self.path), "an undamaged results file to resume, or "
                                             "--fresh to replace it", problem=f"the file is damaged: {problem}")

    def verify(self) -> str | None:
        """Read every stored row once (DuckDB checks each block's checksum) and match each partition's
        record with its rows; what is wrong, or None."""
        try:
            self.con.execute("SELECT count(*), sum(hash(COLUMNS(*))) FROM results").fetchall()
            bad = self.con.execute(
                "SELECT p.partition, p.rows, count(r.point) FROM partitions p LEFT JOIN results r "
                "ON r.point >= p.start_point AND r.point < p.stop_point GROUP BY p.partition, p.rows "
                "HAVING count(r.point) <> p.rows ORDER BY 1 LIMIT 3").fetchall()
            orphans = self.con.execute(
                "SELECT count(*) FROM results r WHERE NOT EXISTS (SELECT 1 FROM partitions p "
                "WHERE r.point >= p.start_point AND r.point < p.stop_point)").fetchone()[0]
        except duckdb.Error as e:
            return str(e).splitlines()[0]
        if bad:
            return "; ".join(f"partition {p} records {n:,} rows but holds {m:,}" for p, n, m in bad)
        if orphans:
            return f"{orphans:,} rows belong to no stored partition"
        return None

    def done(self) -> set[int]:
        return {r[0] for r in self.con.execute("SELECT partition FROM partitions").fetchall()}

    def write(self, partition: int, start: int, stop: int, columns: dict[str, np.ndarray], seconds: float,
              worker: str, kill_inside=None) -> int:
        """Store one partition's rows and its record in one transaction; returns the rows written."""
        table = to_arrow(columns, self.types)
        self.con.execute("BEGIN TRANSACTION")
        try:
            self.con.register("part_rows", table)
            self.con.execute("INSERT INTO results SELECT * FROM part_rows")
            self.con.unregister("part_rows")
            if kill_inside is not None:
                kill_inside()
            n_points = int(len(np.unique(columns["point"])))
            self.con.execute("INSERT INTO partitions VALUES (?, ?, ?, ?, ?, ?, ?)",
                             [partition, start, stop, n_points, table.num_rows, seconds, worker])
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        return table.num_rows

    def close(self) -> None:
        try:
            self.con.close()
        finally:
            self._locks.close()


def open_results(path: Path, field: str = "RESULTS", external_access: bool = False) -> duckdb.DuckDBPyConnection:
    """Open a results file read-only, with no access to other files (``COPY ... TO``, ``read_csv``,
    ``ATTACH`` and extensions are refused) and the configuration locked, so user SQL reads this file
    and nothing else. ``external_access`` is for the export command's own ``COPY``."""
    p = Path(path)
    if not p.is_file():
        raise LightfabricError.for_field(field, str(p), "a results file written by 'lightfabric sweep run'",
                                         problem="no such file")
    config = {"enable_external_access": external_access, "autoload_known_extensions": False,
              "autoinstall_known_extensions": False, "lock_configuration": True}
    try:
        con = duckdb.connect(str(p), read_only=True, config=config)
        con.execute("SELECT count(*) FROM sweep_meta").fetchone()
    except duckdb.Error as e:
        raise LightfabricError.for_field(field, str(p), "a results file written by 'lightfabric sweep run'",
                                         problem=str(e).splitlines()[0]) from None
    return con


def meta(con: duckdb.DuckDBPyConnection) -> dict:
    got = dict(con.execute("SELECT key, value FROM sweep_meta").fetchall())
    got["axes"] = json.loads(got.get("axes", "{}"))
    return got
