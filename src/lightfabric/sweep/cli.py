"""``lightfabric sweep``: run a sweep, query its results, find Pareto fronts, export, report."""

from __future__ import annotations

import csv
import io
import math
import re
import shutil
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from lightfabric.cli_common import check_output, err, fail, progress_bar, say
from lightfabric.errors import LightfabricError
from lightfabric.report.formats import json_text

sweep_app = typer.Typer(help="Design-space sweeps: grids and samples of scenarios, run locally or on a Dask "
                             "cluster, stored in DuckDB, with Pareto fronts (docs/sweeps.md).",
                        no_args_is_help=True)


class OutFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


def _console() -> Console:
    return Console(width=max(120, shutil.get_terminal_size((160, 40)).columns))


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        if math.isnan(v):
            return ""
        return f"{v:,.4g}" if abs(v) < 1e4 else f"{v:,.0f}"
    return str(v)


def print_rows(names: list[str], rows: list[tuple], fmt: OutFormat, title: str | None = None) -> None:
    """Rows as a rich table, CSV or JSON records on standard output."""
    if fmt is OutFormat.json:
        print(json_text([dict(zip(names, r)) for r in rows], indent=1))
        return
    if fmt is OutFormat.csv:
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(names)
        w.writerows(rows)
        sys.stdout.write(buf.getvalue())
        return
    table = Table(title=Text(title) if title else None, header_style="bold")
    for n in names:
        table.add_column(Text(str(n)), overflow="fold")
    for r in rows:
        table.add_row(*(Text(_cell(v)) for v in r))
    _console().print(table)


@sweep_app.command("run")
def run(
    sweep_file: Annotated[Path, typer.Argument(metavar="SWEEP", help="Sweep YAML (see examples/sweeps/).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="DuckDB file for the results (resumed if it exists).")] = Path("results.duckdb"),
    workers: Annotated[Optional[int], typer.Option("--workers", help="Local worker processes; default: every core.")] = None,
    scheduler: Annotated[Optional[str], typer.Option("--scheduler", help="Run on a Dask cluster: tcp://HOST:PORT of its scheduler.")] = None,
    partition_points: Annotated[Optional[int], typer.Option("--partition-points", help="Points per partition (the unit of work, storage and resume); default: 1/64 of the sweep, 50 to 25,000.")] = None,
    fresh: Annotated[bool, typer.Option("--fresh", help="Replace the results file instead of resuming it.")] = False,
) -> None:
    """Evaluate every point of a sweep and store one row per design point in DuckDB. Interrupted
    (Ctrl-C, a kill), the same command resumes: stored partitions are skipped."""
    from lightfabric.sweep.run import run_sweep
    from lightfabric.sweep.spec import load_sweep

    try:
        sweep = load_sweep(sweep_file)
        with progress_bar("sweep", "points", rate=True) as progress:
            s = run_sweep(sweep, output, workers=workers, scheduler=scheduler, partition_points=partition_points,
                          fresh=fresh, progress=lambda done, total: progress("sweep", done, total))
    except LightfabricError as e:
        fail(e)
    where = f"Dask at {scheduler}" if scheduler else f"{workers or 'all'} local worker(s)"
    print(f"{sweep_file}: {s.points:,} points in {s.partitions} partition(s): {s.resumed} found stored, "
          f"{s.evaluated} evaluated on {where} ({len(s.workers)} process(es)); {s.rows_written:,} design-point rows "
          f"written to {output}")
    if s.evaluated:
        print(f"{s.seconds:.1f} s, {s.points_per_s:,.0f} points/s; peak memory: driver {s.driver_peak_rss_mib:,.0f} MiB, "
              f"largest worker {s.worker_peak_rss_mib:,.0f} MiB")
    else:
        print("nothing left to evaluate: every partition was stored already (--fresh starts again)")
    print(f"next: lightfabric sweep query {output} \"SELECT technology, min(tco_per_gpu_usd) FROM results GROUP BY 1\"; "
          f"lightfabric sweep pareto {output} --minimize power_per_gpu_w,tco_per_gpu_usd --maximize goodput")


@sweep_app.command("check")
def check(sweep_file: Annotated[Path, typer.Argument(metavar="SWEEP", help="Sweep YAML to validate.")]) -> None:
    """Validate a sweep file (axes, sample, constraints, base scenario) and build its first point."""
    from lightfabric.catalog import Catalog
    from lightfabric.scenario.loader import check_parts
    from lightfabric.sweep.evaluate import scenario_at
    from lightfabric.sweep.spec import chunk, keep, load_sweep, size

    try:
        sweep = load_sweep(sweep_file)
    except LightfabricError as e:
        fail(e)
    n = size(sweep.spec)
    # the constraints on every point (as the run will evaluate them), or on the first 20 million
    upto = min(n, 20_000_000)
    try:
        kept = sum(int(keep(sweep.spec, chunk(sweep.spec, lo, min(lo + 1_000_000, upto))).sum())
                   for lo in range(0, upto, 1_000_000))
    except LightfabricError as e:
        fail(e)
    counted = f", {kept:,} after constraints" if upto == n else \
        f", {kept:,} of the first {upto:,} after constraints (the rest are checked as they run)"
    print(f"{sweep_file}: ok; base {sweep.base_name}; {sweep.spec.sample.method} of {len(sweep.spec.axes)} axes, "
          f"{n:,} points{counted}")
    first = chunk(sweep.spec, 0, min(n, 1))
    try:
        sc = scenario_at(sweep.base, {a: first[a][0] for a in sweep.spec.axes})
        check_parts(sc, Catalog.default())
    except LightfabricError as e:
        say(err, "warning:", f"the first point cannot be built: {e}")


def _results(path: Path, external_access: bool = False):
    from lightfabric.sweep.store import open_results
    try:
        return open_results(path, external_access=external_access)
    except LightfabricError as e:
        fail(e)


def _one_condition(where: str | None) -> str | None:
    """``--where`` is one SQL condition: no statement separator outside quotes."""
    if where is not None and ";" in re.sub(r"'(?:[^']|'')*'", "''", where):
        fail(LightfabricError.for_field("--where", where, "one SQL condition on the results' columns, e.g. "
                                        "\"technology <> 'ocs'\"", problem="a ';' ends the condition"))
    return where


@sweep_app.command("query")
def query(
    results: Annotated[Path, typer.Argument(metavar="RESULTS", help="DuckDB file from 'sweep run'.")],
    sql: Annotated[str, typer.Argument(help='SQL over the tables results, partitions and sweep_meta.')],
    format: Annotated[OutFormat, typer.Option("--format", "-f", help="table, csv or json.")] = OutFormat.table,
    limit: Annotated[int, typer.Option("--limit", help="Rows to print at most (table format).")] = 200,
) -> None:
    """Run one SQL query on a results file. The file is opened read-only and the query can read no other
    file: COPY ... TO, read_csv, ATTACH, INSTALL and SET are refused (use 'sweep export' for Parquet)."""
    import duckdb
    con = _results(results)
    try:
        cur = con.execute(sql)
        names = [d[0] for d in cur.description] if cur.description else []
        rows = cur.fetchmany(limit) if format is OutFormat.table else cur.fetchall()
    except duckdb.Error as e:
        fail(LightfabricError.for_field("SQL", sql, "a query DuckDB accepts over the tables results, partitions "
                                        "and sweep_meta (the file is read-only; other files cannot be read or "
                                        "written)", problem=str(e).splitlines()[0]))
    print_rows(names, rows, format)


@sweep_app.command("pareto")
def pareto(
    results: Annotated[Path, typer.Argument(metavar="RESULTS", help="DuckDB file from 'sweep run'.")],
    minimize: Annotated[Optional[str], typer.Option("--minimize", help="Columns to minimise, comma-separated.")] = None,
    maximize: Annotated[Optional[str], typer.Option("--maximize", help="Columns to maximise, comma-separated.")] = None,
    where: Annotated[Optional[str], typer.Option("--where", help="SQL condition on the rows first, e.g. \"technology <> 'ocs'\".")] = None,
    format: Annotated[OutFormat, typer.Option("--format", "-f", help="table, csv or json.")] = OutFormat.table,
    limit: Annotated[int, typer.Option("--limit", help="Front rows to print at most (table format).")] = 100,
) -> None:
    """The feasible design points no other beats on every objective at once."""
    from lightfabric.sweep.front import front_rows, objectives
    con = _results(results)
    try:
        objs = objectives(con, minimize, maximize)
        names, rows, n = front_rows(con, objs, _one_condition(where))
    except LightfabricError as e:
        fail(e)
    if format is not OutFormat.table:
        print_rows(names, rows, format)
        return
    from lightfabric.sweep.store import meta
    show = ["point", *meta(con)["axes"].values(), "technology"] + [o for o, _ in objs]
    idx = [names.index(c) for c in show]
    title = (f"Pareto front: {len(rows):,} of {n:,} feasible design points; "
             + ", ".join(f"{'max' if m else 'min'} {o}" for o, m in objs))
    print_rows(show, [tuple(r[i] for i in idx) for r in rows[:limit]], format, title=title)
    if len(rows) > limit:
        print(f"({len(rows) - limit:,} more; --limit N or --format csv for all)")


@sweep_app.command("export")
def export(
    results: Annotated[Path, typer.Argument(metavar="RESULTS", help="DuckDB file from 'sweep run'.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Parquet file to write.")] = Path("results.parquet"),
) -> None:
    """Write the results table to Parquet (for pandas, Polars, Spark, ...)."""
    check_output(output, (".parquet",))
    con = _results(results, external_access=True)
    path = str(output).replace("'", "''")
    con.execute(f"COPY (SELECT * FROM results ORDER BY point, technology) TO '{path}' (FORMAT PARQUET)")
    n = con.execute("SELECT count(*) FROM results").fetchone()[0]
    print(f"wrote {output} ({n:,} rows)")


@sweep_app.command("report")
def report(
    results: Annotated[Path, typer.Argument(metavar="RESULTS", help="DuckDB file from 'sweep run'.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.")] = Path("sweep.html"),
    minimize: Annotated[Optional[str], typer.Option("--minimize", help="Objectives to minimise.")] = "power_per_gpu_w,tco_per_gpu_usd",
    maximize: Annotated[Optional[str], typer.Option("--maximize", help="Objectives to maximise.")] = "goodput",
    where: Annotated[Optional[str], typer.Option("--where", help="SQL condition on the rows first.")] = None,
) -> None:
    """One self-contained HTML file: the sweep, each technology's best, the Pareto front plotted for
    every pair of objectives, the front's rows and why points were infeasible."""
    from lightfabric.sweep.front import objectives
    from lightfabric.sweep.report import render
    check_output(output, (".html", ".htm"))
    con = _results(results)
    try:
        objs = objectives(con, minimize, maximize)
        text = render(con, objs, _one_condition(where))
    except LightfabricError as e:
        fail(e)
    output.write_text(text, encoding="utf-8")
    print(f"wrote {output} ({len(text) / 1e6:.1f} MB)")
