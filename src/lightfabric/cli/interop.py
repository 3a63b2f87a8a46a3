"""``lightfabric export``: a design written for other tools (docs/interop.md). One command per tool."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from lightfabric.cli_common import CatalogFiles, err, fail, say, scenario_from
from lightfabric.errors import LightfabricError

export_app = typer.Typer(help="Write a design for other tools: astra-sim (network and system configs), ...",
                         no_args_is_help=True)


@export_app.command("astra-sim")
def astra_sim(
    technology: Annotated[str, typer.Option("--technology", "-t", help="The design to export: one of the scenario's, or any registered technology.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Directory to write into (made if missing).")],
    scenario: Annotated[Optional[Path], typer.Argument(help="Scenario YAML or an example's name; the built-in default if omitted.")] = None,
    model: Annotated[Optional[str], typer.Option("--model", help="With --plan: also write the training step's Chakra traces (a model YAML or moe-1t, dense-405b).")] = None,
    plan: Annotated[Optional[str], typer.Option("--plan", help="With --model: the parallelism, tp=8,pp=8,ep=64,dp=...")] = None,
    catalog_files: CatalogFiles = None,
) -> None:
    """ASTRA-sim's analytical network (YAML) and system (JSON) configurations for one design, a README
    with the command line, and with --model and --plan the step's Chakra traces in OUTPUT/workload."""
    from lightfabric.interop.astra_sim import export
    try:
        written = export(scenario_from(scenario, catalog_files), technology, output, model_path=model, plan=plan)
    except LightfabricError as e:
        fail(e)
    typer.echo(f"{written['directory']}: ASTRA-sim inputs for {written['scenario']}, design {written['technology']}")
    for name in written["files"]:
        typer.echo(f"  {name}")
    for i, d in enumerate(written["dimensions"]):
        typer.echo(f"  dimension {i + 1} ({d['name']}): {d['topology']} of {d['npus']:,} NPUs, "
                   f"{d['bandwidth_GBps']:,.6g} GB/s, {d['latency_ns']:,.6g} ns")
    trace = written["trace"]
    if trace:
        typer.echo(f"  workload: {trace['files']:,} traces ({trace['ranks']:,} ranks with work), {trace['nodes']:,} nodes, "
                   f"{trace['comm_groups']:,} communicators")
    for note in written["notes"]:
        say(err, "note:", note)


@export_app.command("infragraph")
def infragraph(
    technology: Annotated[str, typer.Option("--technology", "-t", help="The design to export: one of the scenario's, or any registered technology.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write: .yaml or .json (the annotations go beside it).")],
    scenario: Annotated[Optional[Path], typer.Argument(help="Scenario YAML or an example's name; the built-in default if omitted.")] = None,
    catalog_files: CatalogFiles = None,
) -> None:
    """The design as an InfraGraph infrastructure (devices, instances, links, edges; built with the
    infragraph package), and an InfraGraph annotation with what it has no field for (technology, parts,
    lengths, power, price). Fat-trees without an OCS spine."""
    from lightfabric.compare import design_of
    from lightfabric.interop.infragraph import write
    suffix = output.suffix.lower()
    if suffix not in (".yaml", ".yml", ".json"):
        fail(LightfabricError.for_field("--output", str(output), "a file ending in .yaml, .yml or .json"))
    try:
        sc = scenario_from(scenario, catalog_files)
        _, design = design_of(sc, technology)
        infra_path, ann_path = write(design, output, "json" if suffix == ".json" else "yaml")
    except LightfabricError as e:
        fail(e)
    typer.echo(f"{infra_path}: InfraGraph infrastructure of {sc.name}, design {technology}")
    typer.echo(f"{ann_path}: its annotations (technology, parts, lengths, power, price per link group)")
