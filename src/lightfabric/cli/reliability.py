"""``lightfabric reliability``: failures, repair, GPUs down and goodput per design."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from lightfabric.cli_common import (
    CatalogFiles,
    Format,
    fail,
    print_csv,
    print_designs,
    progress_bar,
    scenario_from,
)
from lightfabric.errors import LightfabricError
from lightfabric.report.formats import json_text


def reliability(
    scenario: Annotated[Optional[Path], typer.Argument(help="Scenario YAML or an example's name; the built-in default if omitted.")] = None,
    job_gpus: Annotated[Optional[int], typer.Option("--job-gpus", help="GPUs of the training job; default the scenario's (all GPUs).")] = None,
    horizon_days: Annotated[float, typer.Option("--horizon-days", help="Monte Carlo horizon in days.")] = 180.0,
    trials: Annotated[int, typer.Option("--trials", help="Monte Carlo trials.")] = 200,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the Monte Carlo.")] = 0,
    format: Annotated[Format, typer.Option("--format", "-f", help="table, json or csv (one row per design).")] = Format.table,
    catalog_files: CatalogFiles = None,
) -> None:
    """Failures, blast radius, repair, GPUs down, job interruptions and goodput, per technology."""
    from lightfabric.reliability import assess
    from lightfabric.report.reliability import reliability_rows, reliability_table, units_table
    try:
        sc = scenario_from(scenario, catalog_files)
        with progress_bar("Monte Carlo {task.description}", "trials") as progress:
            report = assess(sc, job_gpus=job_gpus, horizon_days=horizon_days, trials=trials, seed=seed,
                            progress=progress)
    except LightfabricError as e:
        fail(e)
    if format is Format.json:
        print(json_text(report))
        return
    if format is Format.csv:
        print_csv(reliability_rows(report))
        return
    print_designs(reliability_table(report), report["results"], units_table, "json or csv")


COMMANDS = (reliability,)
