"""``lightfabric collective`` and ``step``: the speed of the AI collectives and of a training step."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from lightfabric.cli_common import (
    CatalogFiles,
    Format,
    err,
    fail,
    print_designs,
    print_table,
    printed_as_data,
    progress_bar,
    say,
    scenario_from,
    table_or_json,
    wide_console,
)
from lightfabric.errors import LightfabricError


def _with_domain(sc, domain_gpus: int | None):
    """The scenario with another scale-up domain size (``--domain-gpus``)."""
    if domain_gpus is None:
        return sc
    if sc.scale_up is None:
        raise LightfabricError.for_field("--domain-gpus", domain_gpus, "used with a scenario that has scale_up")
    if not 2 <= domain_gpus <= sc.cluster.gpus:
        raise LightfabricError.for_field("--domain-gpus", domain_gpus, f"2 to {sc.cluster.gpus:,}")
    return sc.model_copy(update={"scale_up": sc.scale_up.model_copy(update={"domain_gpus": domain_gpus})})


def collective(
    scenario: Annotated[Optional[Path], typer.Argument(help="Scenario YAML or an example's name; the built-in default if omitted.")] = None,
    op: Annotated[str, typer.Option("--op", help="all-reduce, reduce-scatter, all-gather or all-to-all.")] = "all-reduce",
    size_bytes: Annotated[float, typer.Option("--size-bytes", help="Buffer per GPU in bytes (NCCL tests' size).")] = 1e9,
    gpus: Annotated[Optional[int], typer.Option("--gpus", help="GPUs taking part (the first N); default all.")] = None,
    algorithm: Annotated[Optional[str], typer.Option("--algorithm", help="ring, halving-doubling, tree, hierarchical (all-reduce); direct, shifted (all-to-all).")] = None,
    simulate: Annotated[bool, typer.Option("--simulate", help="Flow-level simulation over the fabric graph, besides the closed form.")] = False,
    routing: Annotated[str, typer.Option("--routing", help="spread (destination-mod-k) or hash (seeded ECMP hash).")] = "spread",
    seed: Annotated[int, typer.Option("--seed", help="Seed of the ECMP hash and of the failed links.")] = 0,
    fail_links: Annotated[int, typer.Option("--fail-links", help="Leaf uplinks to fail (simulation only).")] = 0,
    domain_gpus: Annotated[Optional[int], typer.Option("--domain-gpus", help="Scale-up domain size instead of the scenario's.")] = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="table, json or csv (one row per design).")] = Format.table,
    catalog_files: CatalogFiles = None,
) -> None:
    """Time, algorithm and bus bandwidth of one collective on every design, in closed form or simulated."""
    from lightfabric.netsim.run import collective_report
    from lightfabric.report.performance import collective_rows, collective_table
    try:
        sc = _with_domain(scenario_from(scenario, catalog_files), domain_gpus)
        with progress_bar("simulating {task.description}", "phases", show=simulate) as progress:
            report = collective_report(sc, op=op, size_bytes=size_bytes, gpus=gpus, algorithm=algorithm,
                                       simulate=simulate, routing=routing, seed=seed, fail_links=fail_links,
                                       progress=progress)
    except LightfabricError as e:
        fail(e)
    if not printed_as_data(format, report, lambda: collective_rows(report)):
        print_designs(collective_table(report), report["results"], formats="json or csv")


def step(
    scenario: Annotated[Optional[Path], typer.Argument(help="Scenario YAML or an example's name; the built-in default if omitted.")] = None,
    model: Annotated[str, typer.Option("--model", help="A model YAML file, or an example model by name: moe-1t, dense-405b.")] = "moe-1t",
    plan: Annotated[str, typer.Option("--plan", help="Parallelism: tp=8,pp=8,ep=64,dp=... (dp omitted or ... fills the cluster).")] = "tp=8,pp=8,ep=64",
    simulate: Annotated[bool, typer.Option("--simulate", help="Simulate every collective over the fabric graph.")] = False,
    routing: Annotated[str, typer.Option("--routing", help="spread or hash (with --simulate).")] = "spread",
    domain_gpus: Annotated[Optional[int], typer.Option("--domain-gpus", help="Scale-up domain size instead of the scenario's.")] = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="table, json or csv (one row per design).")] = Format.table,
    export_chakra: Annotated[Optional[Path], typer.Option("--export-chakra", help="Also write the step as Chakra execution traces, one per rank, and comm_group.json into this directory (for ASTRA-sim; docs/interop.md).")] = None,
    catalog_files: CatalogFiles = None,
) -> None:
    """One training step on every design: compute, communication by collective, exposed communication."""
    from lightfabric.netsim.run import step_report
    from lightfabric.report.performance import step_rows, step_table
    try:
        sc = _with_domain(scenario_from(scenario, catalog_files), domain_gpus)
        report = step_report(sc, model_path=model, plan=plan, simulate=simulate, routing=routing)
        if export_chakra is not None:
            from lightfabric.interop.chakra import write_report_traces
            with progress_bar("writing Chakra traces", "ranks") as progress:
                written = write_report_traces(report, export_chakra, progress=lambda d, t: progress("ranks", d, t))
            say(err, "wrote", f"{written['files']:,} Chakra traces ({written['prefix']}.<rank>.et, {written['nodes']:,} "
                              f"nodes) and {Path(written['comm_group_file']).name} ({written['comm_groups']:,} "
                              f"communicators) to {written['directory']}" + "".join(f"; {n}" for n in written["notes"]))
    except LightfabricError as e:
        fail(e)
    if not printed_as_data(format, report, lambda: step_rows(report)):
        print_designs(step_table(report), report["results"], formats="json or csv")


def traffic(
    scenario: Annotated[Optional[Path], typer.Argument(help="Scenario YAML or an example's name; the built-in default if omitted.")] = None,
    pattern: Annotated[str, typer.Option("--pattern", help="uniform, permutation (of blocks, seeded), or a CSV file of bytes between blocks.")] = "uniform",
    size_bytes: Annotated[float, typer.Option("--size-bytes", help="Bytes each GPU sends (uniform, permutation).")] = 1e8,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the block permutation.")] = 0,
    format: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table,
    catalog_files: CatalogFiles = None,
) -> None:
    """A traffic pattern between blocks on every design: where a direct-connect fabric matches a Clos and where it falls behind."""
    from rich.table import Table

    from lightfabric.netsim.traffic import traffic_report
    table_or_json(format)
    try:
        report = traffic_report(scenario_from(scenario, catalog_files), pattern=pattern, size_bytes=size_bytes,
                                seed=seed)
    except LightfabricError as e:
        fail(e)
    if printed_as_data(format, report):
        return
    table = Table(title=f"{report['scenario']}: traffic {report['pattern']} on {report['topology']}", header_style="bold",
                  caption="time = max(the GPUs' own links, the fabric between blocks); efficiency = GPU-bound time / "
                          "time. Model: docs/topologies.md")
    for col in ("design", "blocks", "GPU-bound (ms)", "between blocks (ms)", "time (ms)", "efficiency", "transit share",
                "bound by"):
        table.add_column(col, justify="left" if col in ("design", "bound by") else "right")
    for r in report["results"]:
        if not r["feasible"]:
            table.add_row(r["technology"], "-", "-", "-", "infeasible", "-", "-", "; ".join(r["reasons"])[:80])
            continue
        table.add_row(r["technology"], str(r["blocks"]), f"{r['nic_bound_s'] * 1e3:.3f}", f"{r['fabric_s'] * 1e3:.3f}",
                      f"{r['time_s'] * 1e3:.3f}", f"{r['efficiency'] * 100:.1f} %", f"{r['transit_share'] * 100:.1f} %",
                      r["bound_by"])
    print_table(wide_console(), table, "json")


COMMANDS = (collective, step, traffic)
