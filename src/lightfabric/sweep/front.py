"""Pareto fronts of a results file: the objectives checked against its columns, the front's rows."""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa

from lightfabric.errors import LightfabricError, did_you_mean
from lightfabric.sweep.pareto import pareto_front


def objectives(con, minimize: str | None, maximize: str | None) -> list[tuple[str, bool]]:
    """``(column, maximise?)`` from comma-separated lists; each must be a numeric column of results."""
    numeric = {name for name, typ in con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'results'").fetchall()
        if typ in ("DOUBLE", "BIGINT", "INTEGER", "FLOAT")} - {"point"}
    objs = [(o.strip(), False) for o in (minimize or "").split(",") if o.strip()]
    objs += [(o.strip(), True) for o in (maximize or "").split(",") if o.strip()]
    if not objs:
        raise LightfabricError.for_field("--minimize/--maximize", None, "at least one numeric column, e.g. "
                                         "--minimize power_w,tco_usd --maximize goodput")
    for name, is_max in objs:
        if name not in numeric:
            raise LightfabricError.for_field("--maximize" if is_max else "--minimize", name,
                                             ", ".join(sorted(numeric)), problem="not a numeric column"
                                             + did_you_mean(name, numeric))
    return objs


def front_rows(con, objs: list[tuple[str, bool]], where: str | None):
    """The rows of the Pareto front of ``objs`` (every column, best first) among the feasible rows
    meeting ``where``, and how many rows that was."""
    cond = "feasible" + (f" AND ({where})" if where else "")
    cols = ", ".join(f'"{n}"' for n, _ in objs)
    try:
        table = con.execute(f"SELECT rowid, {cols} FROM results WHERE {cond}").fetchnumpy()
    except duckdb.Error as e:
        raise LightfabricError.for_field("--where", where, "an SQL condition on the columns of results",
                                         problem=str(e).splitlines()[0]) from None
    values = {n: table[n].filled(float("nan")) if hasattr(table[n], "filled") else table[n] for n, _ in objs}
    v = np.column_stack([np.asarray(values[n], dtype=float) for n, _ in objs]) if len(table["rowid"]) else \
        np.zeros((0, len(objs)))
    front = pareto_front(v, [m for _, m in objs])
    ids = np.asarray(table["rowid"])[front]
    con.register("front_ids", pa.table({"id": pa.array(ids, type=pa.int64())}))
    order = ", ".join(f'"{n}" {"DESC" if m else "ASC"}' for n, m in objs)
    cur = con.execute(f"SELECT * FROM results WHERE rowid IN (SELECT id FROM front_ids) ORDER BY {order}, point")
    names = [d[0] for d in cur.description]
    rows = cur.fetchall()
    con.unregister("front_ids")
    return names, rows, len(v)
