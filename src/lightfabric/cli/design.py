"""``lightfabric design``: the best fabric for a cluster under the user's constraints."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from lightfabric.cli_common import Format, fail, print_table, printed_as_data, progress_bar, say, wide_console
from lightfabric.errors import LightfabricError


def design(
    question: Annotated[Optional[Path], typer.Argument(help="A design question file (YAML, keys of docs/design.md); the options below override its keys.")] = None,
    gpus: Annotated[Optional[int], typer.Option("--gpus", help="GPUs in the cluster.")] = None,
    gpu: Annotated[Optional[str], typer.Option("--gpu", help="Catalog GPU id, e.g. gb300.")] = None,
    objective: Annotated[Optional[str], typer.Option("--objective", help="tco, capex, power, goodput or step-time (default tco).")] = None,
    constraint: Annotated[Optional[list[str]], typer.Option("--constraint", "-c", help="METRIC OP NUMBER, e.g. 'network_power_mw <= 25', 'goodput >= 0.9', 'bisection >= 1'; repeat for several.")] = None,
    available_by: Annotated[Optional[str], typer.Option("--available-by", metavar="YYYY-MM", help="Only parts shipping by this month.")] = None,
    include_sampling: Annotated[bool, typer.Option("--include-sampling", help="With --available-by: parts sampling by then count too.")] = False,
    base: Annotated[Optional[str], typer.Option("--base", help="A scenario (example name or path) whose placement, economics, physical and reliability sections the designs take.")] = None,
    switch: Annotated[Optional[list[str]], typer.Option("--switch", help="Only these scale-out switches (repeat); default every one in the catalog.")] = None,
    topology: Annotated[Optional[list[str]], typer.Option("--topology", help="Only these topologies (repeat); default every registered one with switches.")] = None,
    technology: Annotated[Optional[list[str]], typer.Option("--technology", help="Only these link technologies (repeat); default all.")] = None,
    model: Annotated[Optional[str], typer.Option("--model", help="Step time: a training model (example name or path); default moe-1t.")] = None,
    plan: Annotated[Optional[str], typer.Option("--plan", help="Step time: the parallelism plan; default tp=8,pp=8.")] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the best design's scenario file here (.yaml).")] = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="table, json, or csv (one row per design evaluated exactly).")] = Format.table,
) -> None:
    """Search every topology, switch, port rate, tier and plane count, oversubscription, OCS spine and
    technology per link class for the best design under your constraints (exact: pruned by bounds,
    the survivors evaluated like compare and economics)."""
    from lightfabric.cli_common import check_output
    from lightfabric.optimize.question import load_question, parse_constraint, question_from
    from lightfabric.optimize.report import design_report, design_rows
    from lightfabric.optimize.search import search
    if output is not None:
        check_output(output, (".yaml", ".yml"))
    try:
        for text in constraint or ():
            parse_constraint(text, "--constraint")
        data = load_question(question) if question is not None else {}
        where = str(question) if question is not None else "<question>"
        given = {"gpus": gpus, "gpu": gpu, "objective": objective, "available_by": available_by, "base": base,
                 "constraints": constraint or None, "switches": switch or None, "topologies": topology or None,
                 "technologies": technology or None, "model": model, "plan": plan}
        data.update({k: v for k, v in given.items() if v is not None})
        if include_sampling:
            data["include_sampling"] = True
        for key in ("gpus", "gpu"):
            if key not in data:
                raise LightfabricError.for_field(f"--{key}", None, "a value (on the command line or in the question "
                                                 "file)", problem="required")
        q = question_from(data, where)
        with progress_bar("design search", show=format is Format.table) as progress:
            result = search(q, progress=progress)
    except LightfabricError as e:
        fail(e)
    report = design_report(result)
    if output is not None and report["scenario_yaml"]:
        output.write_text(report["scenario_yaml"], encoding="utf-8")
    if not printed_as_data(format, report, lambda: design_rows(result)):
        _print(report, output)


def _print(report: dict, output: Path | None) -> None:
    from lightfabric.report.design import best_table, front_tables, runner_up_table, search_line
    console = wide_console()
    q = report["question"]
    say(console, "question:", f"{q['gpus']:,} x {q['gpu']}, {report['objective']['sense']}imise "
                              f"{report['objective']['metric']}" + (f" subject to {'; '.join(report['constraints'])}"
                                                                     if report["constraints"] else ""), "bold")
    if report["best"] is None:
        say(console, "no design meets the constraints.", "", "bold red")
        if report["closest"]:
            say(console, "closest:", f"{report['closest']['design']}: {report['closest']['why_not_best']}")
    else:
        print_table(console, best_table(report))
    if report["runner_ups"]:
        print_table(console, runner_up_table(report))
    for t in front_tables(report):
        print_table(console, t)
    say(console, "search:", search_line(report), "cyan")
    for text in report["fixed"]:
        say(console, "fixed:", text, "cyan")
    for text in report["notes"]:
        say(console, "note:", text)
    for r in report["rejected_structures"][:6]:
        say(console, "not built:", f"{r['structures']:,} {r['topology']} structure(s): {r['reason']}", "dim")
    if len(report["rejected_structures"]) > 6:
        rest = sum(r["structures"] for r in report["rejected_structures"][6:])
        say(console, "not built:", f"{rest:,} more structure(s) for other reasons (--format json lists them)", "dim")
    if output is not None and report["scenario_yaml"]:
        say(console, "scenario:", f"{output} (run it: lightfabric compare {output})", "green")
    elif report["best"] is not None:
        say(console, "scenario:", "-o best.yaml writes the best design as a scenario file", "dim")


COMMANDS = (design,)
