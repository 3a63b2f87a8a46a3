"""``lightfabric economics``, ``valuechain`` and ``sensitivity``: what each design costs and who is paid."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from lightfabric.cli_common import (
    CatalogFiles,
    Format,
    fail,
    print_designs,
    print_table,
    printed_as_data,
    progress_bar,
    say_infeasible,
    scenario_from,
    table_or_json,
    wide_console,
)
from lightfabric.errors import LightfabricError


def economics(
    scenario: Annotated[Optional[Path], typer.Argument(help="Scenario YAML or an example's name; the built-in default if omitted.")] = None,
    job_gpus: Annotated[Optional[int], typer.Option("--job-gpus", help="GPUs of the training job whose lost time is costed; default the scenario's (all GPUs).")] = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table,
    catalog_files: CatalogFiles = None,
) -> None:
    """TCO per technology: capex (with the packaging-yield premium), energy, maintenance, downtime, NPV."""
    from lightfabric.economics import economics as run_economics
    from lightfabric.report.economics import economics_table, packaging_table
    table_or_json(format)
    try:
        report = run_economics(scenario_from(scenario, catalog_files), job_gpus=job_gpus)
    except LightfabricError as e:
        fail(e)
    if printed_as_data(format, report):
        return
    print_designs(economics_table(report), report["results"], packaging_table)


def valuechain(
    scenario: Annotated[Optional[Path], typer.Argument(help="Scenario YAML or an example's name; the built-in default if omitted.")] = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table,
    catalog_files: CatalogFiles = None,
) -> None:
    """Where the money goes: capital spending by industry segment per technology, and the shift between them."""
    from lightfabric.economics import value_chain
    from lightfabric.report.economics import valuechain_table
    table_or_json(format)
    try:
        report = value_chain(scenario_from(scenario, catalog_files))
    except LightfabricError as e:
        fail(e)
    if printed_as_data(format, report):
        return
    console = wide_console()
    if report["results"]:
        print_table(console, valuechain_table(report))
    for r in report["infeasible"]:
        say_infeasible(console, r)


def sensitivity(
    scenario: Annotated[Optional[Path], typer.Argument(help="Scenario YAML or an example's name; the built-in default if omitted.")] = None,
    metric: Annotated[str, typer.Option("--metric", help="tco (undiscounted) or npv.")] = "tco",
    versus: Annotated[Optional[str], typer.Option("--versus", help="Two designs A,B: the tornado of A minus B and their break-even points; default cpo against the first design.")] = None,
    job_gpus: Annotated[Optional[int], typer.Option("--job-gpus", help="GPUs of the training job; default the scenario's.")] = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table,
    catalog_files: CatalogFiles = None,
) -> None:
    """Which assumptions move the TCO most (a tornado), and where two technologies cost the same."""
    from lightfabric.economics import sensitivity_report as run_sensitivity
    from lightfabric.report.economics import break_even_table, tornado_table
    table_or_json(format)
    metrics = {"tco": "tco_usd", "npv": "npv_usd"}
    try:
        if metric not in metrics:
            raise LightfabricError.for_field("--metric", metric, "tco or npv")
        pair = None
        if versus is not None:
            pair = tuple(x.strip() for x in versus.split(","))
            if len(pair) != 2 or not all(pair) or pair[0] == pair[1]:
                raise LightfabricError.for_field("--versus", versus, "two different designs as A,B, e.g. cpo,pluggable-dsp")
        sc = scenario_from(scenario, catalog_files)
        with progress_bar("{task.description}") as progress:
            report = run_sensitivity(sc, metric=metrics[metric], versus=pair, job_gpus=job_gpus, progress=progress)
    except LightfabricError as e:
        fail(e)
    if printed_as_data(format, report):
        return
    console = wide_console()
    print_table(console, tornado_table(report))
    if report["break_even"]:
        print_table(console, break_even_table(report))
    elif report["tornado"]["versus"] is None:
        console.print("Break-even points need two feasible designs; this scenario has fewer.")
    for r in report["infeasible"]:
        say_infeasible(console, r)


COMMANDS = (economics, valuechain, sensitivity)
