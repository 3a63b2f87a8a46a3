"""The command line: a thin face over the library.

Errors in the user's input print one message (field, value, what is allowed) and exit with code 2.
"""

from __future__ import annotations

import json
from collections.abc import Callable
import os
import shutil
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from lightfabric import __version__
from lightfabric.catalog import Catalog
from lightfabric.cli_common import err, fail as _fail, progress_bar as _progress_bar
from lightfabric.compare import compare as run_compare
from lightfabric.errors import LightfabricError, did_you_mean
from lightfabric.physics import chains as physics_chains
from lightfabric.physics.chains import DESIGN_MARGIN_DB, LINK_TECHNOLOGIES, OPTICAL_TECHNOLOGIES
from lightfabric.report import comparison_table, sources_table, to_csv, to_json
from lightfabric.scenario.loader import check_parts, default_scenario_path, load_scenario

app = typer.Typer(help="Plan the interconnect of AI data centers: build a cluster's fabric with each "
                       "technology and compare them, every figure sourced.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
catalog_app = typer.Typer(help="Browse the parts catalog and the sources of its figures.", no_args_is_help=True)
scenario_app = typer.Typer(help="Write and check scenario files.", no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")
app.add_typer(scenario_app, name="scenario")

out = Console(soft_wrap=False)


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


def _version(value: bool) -> None:
    if value:
        print(f"lightfabric {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: Annotated[Optional[bool], typer.Option("--version", callback=_version, is_eager=True,
                                                          help="Print the version and exit.")] = None) -> None:
    pass


@app.command()
def compare(
    scenario: Annotated[Optional[Path], typer.Argument(help="Scenario YAML; the built-in default if omitted.")] = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="table, json or csv.")] = Format.table,
    sources: Annotated[bool, typer.Option("--sources", help="Also list the catalog figures used and their sources.")] = False,
) -> None:
    """Build the scale-out fabric with each technology and compare them side by side."""
    try:
        comparison = run_compare(load_scenario(scenario))
    except LightfabricError as e:
        _fail(e)
    if format is Format.json:
        print(to_json(comparison))
        return
    if format is Format.csv:
        sys.stdout.write(to_csv(comparison))
        return
    width = max(120, shutil.get_terminal_size((160, 40)).columns)
    console = Console(width=width)
    console.print(comparison_table(comparison))
    for r in comparison.results:
        for reason in r.reasons:
            console.print(f"[bold red]{r.technology} is infeasible:[/] {reason}", highlight=False)
        for note in r.notes:
            console.print(f"[yellow]{r.technology}:[/] {note}", highlight=False)
    if sources:
        console.print(sources_table(comparison))


def _check_range(option: str, value: float | None, low: float, high: float, allowed: str) -> None:
    if value is not None and not (low <= value <= high):
        _fail(LightfabricError.for_field(option, value, allowed, problem="out of range"))


@app.command()
def link(
    technology: Annotated[str, typer.Option("--technology", "-t", help=f"One of: {', '.join(LINK_TECHNOLOGIES)}.")],
    length_m: Annotated[float, typer.Option("--length-m", help="Fiber or cable length in metres.")],
    lane_rate_gbps: Annotated[float, typer.Option("--lane-rate-gbps", help="Lane rate: 100 or 200 for optics; 112, 224 or 448 for copper.")] = 100.0,
    modulation: Annotated[str, typer.Option("--modulation", help="pam4 (the catalog's receivers and SerDes are PAM4).")] = "pam4",
    laser_power_mw: Annotated[Optional[float], typer.Option("--laser-power-mw", help="Optics only: run the laser at this power instead of sizing it.")] = None,
    lanes_per_laser: Annotated[Optional[int], typer.Option("--lanes-per-laser", help="CPO only: optical lanes fed by one external laser.")] = None,
    ocs_passes: Annotated[int, typer.Option("--ocs-passes", help="Optics only: passes through an optical circuit switch.")] = 0,
    design_margin_db: Annotated[float, typer.Option("--design-margin-db", help="Optics only: laser sized this far above the closing point.")] = DESIGN_MARGIN_DB,
    cable: Annotated[Optional[str], typer.Option("--cable", help="Copper only: twinax part id (twinax-26awg, twinax-30awg).")] = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table,
) -> None:
    """Budget one link: every element with its loss and the power after it, the margin and the BER."""
    if technology not in LINK_TECHNOLOGIES:
        _fail(LightfabricError.for_field("--technology", technology, ", ".join(LINK_TECHNOLOGIES),
                                         problem="unknown technology" + did_you_mean(technology, LINK_TECHNOLOGIES)))
    _check_range("--length-m", length_m, 0.0, 100_000.0, "a length from 0 to 100,000 m")
    _check_range("--laser-power-mw", laser_power_mw, 1e-3, 2000.0, "a laser power from 0.001 to 2,000 mW")
    _check_range("--lanes-per-laser", lanes_per_laser, 1, 64, "a whole number from 1 to 64")
    _check_range("--ocs-passes", ocs_passes, 0, 4, "0 to 4 passes")
    _check_range("--design-margin-db", design_margin_db, 0.0, 10.0, "0 to 10 dB")
    catalog = Catalog.default()
    try:
        if technology == "copper":
            for option, value, default in (("--laser-power-mw", laser_power_mw, None), ("--lanes-per-laser", lanes_per_laser, None),
                                           ("--ocs-passes", ocs_passes, 0), ("--design-margin-db", design_margin_db, DESIGN_MARGIN_DB)):
                if value != default:
                    _fail(LightfabricError.for_field(option, value, "not given with --technology copper",
                                                     problem="copper links have no lasers or optics"))
            result = physics_chains.copper_link(catalog, length_m, lane_rate_gbps, cable=cable or "twinax-26awg",
                                                modulation=modulation)
        else:
            if cable is not None:
                _fail(LightfabricError.for_field("--cable", cable, "only with --technology copper",
                                                 problem=f"{technology} links are optical"))
            result = physics_chains.optical_link(catalog, technology, length_m, lane_rate_gbps, modulation=modulation,
                                                 laser_power_mw=laser_power_mw, lanes_per_laser=lanes_per_laser,
                                                 ocs_passes=ocs_passes, design_margin_db=design_margin_db)
    except physics_chains.LinkOptionError as e:
        _fail(LightfabricError(str(e)))
    except LightfabricError as e:
        _fail(e)
    if format is Format.json:
        print(json.dumps(result.to_dict(), indent=2))
        return
    if format is Format.csv:
        _fail(LightfabricError.for_field("--format", "csv", "table or json", problem="not available for link"))
    console = Console(width=max(120, shutil.get_terminal_size((160, 40)).columns))
    table = Table(title=f"{technology} link, {lane_rate_gbps:g}G per lane, {length_m:g} m", header_style="bold")
    optical = technology != "copper"
    for col in ("element", "part", "loss (dB)") + (("power after (dBm)", "OMA after (dBm)") if optical else ("cumulative loss (dB)",)):
        table.add_column(col, justify="left" if col in ("element", "part") else "right")
    for step in result.steps:
        cells = [step["name"], step["part"] or "", f"{step['loss_db']:.2f}"]
        cells += ([f"{step['power_dbm']:.2f}", "" if step["oma_dbm"] is None else f"{step['oma_dbm']:.2f}"]
                  if optical else [f"{step['cumulative_loss_db']:.2f}"])
        table.add_row(*cells)
    console.print(table)
    if optical:
        console.print(f"received OMA {result.received_oma_dbm:.2f} dBm, TDECQ allowance {result.penalties_db:g} dB, "
                      f"sensitivity {result.sensitivity_dbm:g} dBm: margin [bold]{result.margin_db:.2f} dB[/]; "
                      f"pre-FEC BER {result.ber:.3g}, after RS(544,514) {result.post_fec_ber:.3g}", highlight=False)
        console.print(f"laser {result.details['laser']} at {result.details['laser_power_mw']:.1f} mW "
                      f"({result.details['lanes_per_laser']} lane(s) per laser), junction "
                      f"{result.details['laser_junction_temperature_c']} C", highlight=False)
    else:
        d = result.details
        console.print(f"die-to-die loss {d['channel_loss_db']:.2f} dB at {d['nyquist_ghz']:g} GHz against a "
                      f"{d['loss_budget_db']:g} dB budget ({d['serdes']}): margin [bold]{result.margin_db:.2f} dB[/]; "
                      f"reach {d['reach_m']:.2f} m. {d['ber_note']}.", highlight=False)
    console.print("[bold green]feasible[/]" if result.feasible else
                  "[bold red]infeasible:[/] " + "; ".join(result.reasons), highlight=False)


@app.command()
def laser(
    technology: Annotated[str, typer.Option("--technology", "-t", help=f"One of: {', '.join(OPTICAL_TECHNOLOGIES)}.")],
    lane_rate_gbps: Annotated[float, typer.Option("--lane-rate-gbps", help="100 or 200.")] = 100.0,
    port_rate_gbps: Annotated[float, typer.Option("--port-rate-gbps", help="Port rate in Gb/s (800 = 8 x 100G).")] = 800.0,
    lanes_per_laser: Annotated[Optional[int], typer.Option("--lanes-per-laser", help="CPO only: lanes fed by one laser.")] = None,
    temperature_c: Annotated[Optional[float], typer.Option("--temperature-c", help="Laser case temperature in C (TEC setpoint for an EML).")] = None,
    activation_energy_ev: Annotated[Optional[float], typer.Option("--activation-energy-ev", help="Arrhenius activation energy; default the catalog's.")] = None,
    design_margin_db: Annotated[float, typer.Option("--design-margin-db", help="Laser sized this far above the closing point.")] = DESIGN_MARGIN_DB,
    format: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table,
) -> None:
    """What the lasers of one port must do: power per lane, count, electrical power, junction temperature, FIT."""
    if technology not in OPTICAL_TECHNOLOGIES:
        _fail(LightfabricError.for_field("--technology", technology, ", ".join(OPTICAL_TECHNOLOGIES),
                                         problem="not an optical technology" + did_you_mean(technology, OPTICAL_TECHNOLOGIES)))
    _check_range("--temperature-c", temperature_c, -40.0, 150.0, "a case temperature from -40 to 150 C")
    _check_range("--lanes-per-laser", lanes_per_laser, 1, 64, "a whole number from 1 to 64")
    _check_range("--activation-energy-ev", activation_energy_ev, 0.05, 2.0, "0.05 to 2 eV")
    _check_range("--design-margin-db", design_margin_db, 0.0, 10.0, "0 to 10 dB")
    _check_range("--port-rate-gbps", port_rate_gbps, 1.0, 12800.0, "a port rate from 1 to 12,800 Gb/s")
    try:
        report = physics_chains.laser_report(Catalog.default(), technology, lane_rate_gbps=lane_rate_gbps,
                                             lanes_per_laser=lanes_per_laser, temperature_c=temperature_c,
                                             port_rate_gbps=port_rate_gbps, design_margin_db=design_margin_db,
                                             activation_energy_ev=activation_energy_ev)
    except physics_chains.LinkOptionError as e:
        _fail(LightfabricError(str(e)))
    if format is Format.json:
        print(json.dumps(report, indent=2))
        return
    if format is Format.csv:
        _fail(LightfabricError.for_field("--format", "csv", "table or json", problem="not available for laser"))
    table = Table(title=f"lasers of one {port_rate_gbps:g}G {technology} port", header_style="bold")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    for k, v in report.items():
        if k not in ("reasons", "technology"):
            table.add_row(k, "-" if v is None else (f"{v:.4g}" if isinstance(v, float) else str(v)))
    Console(width=max(100, shutil.get_terminal_size((160, 40)).columns)).print(table)
    print("feasible" if report["feasible"] else "infeasible: " + "; ".join(report["reasons"]))


@app.command()
def density(fmt: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table) -> None:
    """Bandwidth density: largest switch, ports per rack unit and shoreline Tb/s per mm, per technology."""
    from lightfabric.density import density_report
    report = density_report(Catalog.default())
    if fmt == Format.json:
        out.print_json(json.dumps(report))
        return
    table = Table(title="Bandwidth density by technology", header_style="bold",
                  caption="Sources and derivations: lightfabric density --format json, docs/examples.md")
    for col in ("technology", "limit", "max switch (Tb/s)", "ceiling (Tb/s)", "ports / RU", "port (Gb/s)",
                "Tb/s / RU", "shoreline (Tb/s/mm)", "shoreline kind"):
        table.add_column(col, overflow="fold")
    for tech, d in report["technologies"].items():
        table.add_row(tech, d["limit"], f"{d['max_switch_capacity_tbps']:g}",
                      "-" if d["ceiling_tbps"] is None else f"{d['ceiling_tbps']:g}",
                      str(d["ports_per_rack_unit"]), f"{d['port_rate_gbps']:g}", f"{d['tbps_per_rack_unit']:g}",
                      f"{d['shoreline_tbps_per_mm']:.2f}", d["shoreline_kind"])
    out.print(table)


@app.command()
def reliability(
    scenario: Annotated[Optional[Path], typer.Argument(help="Scenario YAML; the built-in default if omitted.")] = None,
    job_gpus: Annotated[Optional[int], typer.Option("--job-gpus", help="GPUs of the training job; default the scenario's (all GPUs).")] = None,
    horizon_days: Annotated[float, typer.Option("--horizon-days", help="Monte Carlo horizon in days.")] = 180.0,
    trials: Annotated[int, typer.Option("--trials", help="Monte Carlo trials.")] = 200,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the Monte Carlo.")] = 0,
    format: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table,
) -> None:
    """Failures, blast radius, repair, GPUs down, job interruptions and goodput, per technology."""
    from lightfabric.reliability import assess
    from lightfabric.report.reliability import reliability_table, units_table
    _table_or_json(format)
    try:
        sc = load_scenario(scenario)
        with _progress_bar("Monte Carlo {task.description}", "trials") as progress:
            report = assess(sc, job_gpus=job_gpus, horizon_days=horizon_days, trials=trials, seed=seed,
                            progress=progress)
    except LightfabricError as e:
        _fail(e)
    if format is Format.json:
        print(json.dumps(report, indent=2))
        return
    _print_designs(reliability_table(report), report["results"], units_table)


def _say_infeasible(console: Console, result: dict) -> None:
    console.print(f"[bold red]{result['technology']} is infeasible:[/] {'; '.join(result['reasons'])}", highlight=False)


def _print_designs(table: Table, results: list[dict], per_design: Callable[[dict], Table | None] | None = None) -> None:
    """Print a report's table, then each design: why it is infeasible, or its own table (if any)."""
    console = _wide_console()
    console.print(table)
    for r in results:
        if not r["feasible"]:
            _say_infeasible(console, r)
        elif per_design is not None and (t := per_design(r)) is not None:
            console.print(t)


def _print_json(report: dict) -> None:
    print(json.dumps(_json_ready(report), indent=2))


def _json_ready(obj, sig: int = 10):
    """Floats rounded to ``sig`` significant digits (numpy scalars made plain) for JSON output."""
    if isinstance(obj, dict):
        return {k: _json_ready(v, sig) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_json_ready(v, sig) for v in obj]
    if hasattr(obj, "item") and not isinstance(obj, (str, bytes)):
        obj = obj.item()
    if isinstance(obj, float):
        return float(f"{obj:.{sig}g}")
    return obj


def _wide_console() -> Console:
    return Console(width=max(120, shutil.get_terminal_size((160, 40)).columns))


def _table_or_json(format: Format) -> None:
    if format is Format.csv:
        _fail(LightfabricError.for_field("--format", "csv", "table or json"))


@app.command()
def economics(
    scenario: Annotated[Optional[Path], typer.Argument(help="Scenario YAML; the built-in default if omitted.")] = None,
    job_gpus: Annotated[Optional[int], typer.Option("--job-gpus", help="GPUs of the training job whose lost time is costed; default the scenario's (all GPUs).")] = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table,
) -> None:
    """TCO per technology: capex (with the packaging-yield premium), energy, maintenance, downtime, NPV."""
    from lightfabric.economics import economics as run_economics
    from lightfabric.report.economics import economics_table, packaging_table
    _table_or_json(format)
    try:
        report = run_economics(load_scenario(scenario), job_gpus=job_gpus)
    except LightfabricError as e:
        _fail(e)
    if format is Format.json:
        _print_json(report)
        return
    _print_designs(economics_table(report), report["results"], packaging_table)


@app.command()
def valuechain(
    scenario: Annotated[Optional[Path], typer.Argument(help="Scenario YAML; the built-in default if omitted.")] = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table,
) -> None:
    """Where the money goes: capital spending by industry segment per technology, and the shift between them."""
    from lightfabric.economics import value_chain
    from lightfabric.report.economics import valuechain_table
    _table_or_json(format)
    try:
        report = value_chain(load_scenario(scenario))
    except LightfabricError as e:
        _fail(e)
    if format is Format.json:
        _print_json(report)
        return
    console = _wide_console()
    if report["results"]:
        console.print(valuechain_table(report))
    for r in report["infeasible"]:
        _say_infeasible(console, r)


@app.command()
def sensitivity(
    scenario: Annotated[Optional[Path], typer.Argument(help="Scenario YAML; the built-in default if omitted.")] = None,
    metric: Annotated[str, typer.Option("--metric", help="tco (undiscounted) or npv.")] = "tco",
    versus: Annotated[Optional[str], typer.Option("--versus", help="Two designs A,B: the tornado of A minus B and their break-even points; default cpo against the first design.")] = None,
    job_gpus: Annotated[Optional[int], typer.Option("--job-gpus", help="GPUs of the training job; default the scenario's.")] = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table,
) -> None:
    """Which assumptions move the TCO most (a tornado), and where two technologies cost the same."""
    from lightfabric.economics import sensitivity_report as run_sensitivity
    from lightfabric.report.economics import break_even_table, tornado_table
    _table_or_json(format)
    metrics = {"tco": "tco_usd", "npv": "npv_usd"}
    try:
        if metric not in metrics:
            raise LightfabricError.for_field("--metric", metric, "tco or npv")
        pair = None
        if versus is not None:
            pair = tuple(x.strip() for x in versus.split(","))
            if len(pair) != 2 or not all(pair) or pair[0] == pair[1]:
                raise LightfabricError.for_field("--versus", versus, "two different designs as A,B, e.g. cpo,pluggable-dsp")
        sc = load_scenario(scenario)
        with _progress_bar("{task.description}") as progress:
            report = run_sensitivity(sc, metric=metrics[metric], versus=pair, job_gpus=job_gpus, progress=progress)
    except LightfabricError as e:
        _fail(e)
    if format is Format.json:
        _print_json(report)
        return
    console = _wide_console()
    console.print(tornado_table(report))
    if report["break_even"]:
        console.print(break_even_table(report))
    elif report["tornado"]["versus"] is None:
        console.print("Break-even points need two feasible designs; this scenario has fewer.")
    for r in report["infeasible"]:
        _say_infeasible(console, r)


def _with_domain(sc, domain_gpus: int | None):
    """The scenario with another scale-up domain size (``--domain-gpus``)."""
    if domain_gpus is None:
        return sc
    if sc.scale_up is None:
        raise LightfabricError.for_field("--domain-gpus", domain_gpus, "used with a scenario that has scale_up")
    if not 2 <= domain_gpus <= sc.cluster.gpus:
        raise LightfabricError.for_field("--domain-gpus", domain_gpus, f"2 to {sc.cluster.gpus:,}")
    return sc.model_copy(update={"scale_up": sc.scale_up.model_copy(update={"domain_gpus": domain_gpus})})


@app.command()
def collective(
    scenario: Annotated[Optional[Path], typer.Argument(help="Scenario YAML; the built-in default if omitted.")] = None,
    op: Annotated[str, typer.Option("--op", help="all-reduce, reduce-scatter, all-gather or all-to-all.")] = "all-reduce",
    size_bytes: Annotated[float, typer.Option("--size-bytes", help="Buffer per GPU in bytes (NCCL tests' size).")] = 1e9,
    gpus: Annotated[Optional[int], typer.Option("--gpus", help="GPUs taking part (the first N); default all.")] = None,
    algorithm: Annotated[Optional[str], typer.Option("--algorithm", help="ring, halving-doubling, tree, hierarchical (all-reduce); direct, shifted (all-to-all).")] = None,
    simulate: Annotated[bool, typer.Option("--simulate", help="Flow-level simulation over the fabric graph, besides the closed form.")] = False,
    routing: Annotated[str, typer.Option("--routing", help="spread (destination-mod-k) or hash (seeded ECMP hash).")] = "spread",
    seed: Annotated[int, typer.Option("--seed", help="Seed of the ECMP hash and of the failed links.")] = 0,
    fail_links: Annotated[int, typer.Option("--fail-links", help="Leaf uplinks to fail (simulation only).")] = 0,
    domain_gpus: Annotated[Optional[int], typer.Option("--domain-gpus", help="Scale-up domain size instead of the scenario's.")] = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table,
) -> None:
    """Time, algorithm and bus bandwidth of one collective on every design, in closed form or simulated."""
    from lightfabric.netsim.run import collective_report
    from lightfabric.report.performance import collective_table
    _table_or_json(format)
    try:
        sc = _with_domain(load_scenario(scenario), domain_gpus)
        with _progress_bar("simulating {task.description}", "phases", show=simulate) as progress:
            report = collective_report(sc, op=op, size_bytes=size_bytes, gpus=gpus, algorithm=algorithm,
                                       simulate=simulate, routing=routing, seed=seed, fail_links=fail_links,
                                       progress=progress)
    except LightfabricError as e:
        _fail(e)
    if format is Format.json:
        _print_json(report)
        return
    _print_designs(collective_table(report), report["results"])


@app.command()
def step(
    scenario: Annotated[Optional[Path], typer.Argument(help="Scenario YAML; the built-in default if omitted.")] = None,
    model: Annotated[Path, typer.Option("--model", help="Model YAML, e.g. examples/models/moe-1t.yaml.")] = Path("examples/models/moe-1t.yaml"),
    plan: Annotated[str, typer.Option("--plan", help="Parallelism: tp=8,pp=8,ep=64,dp=... (dp omitted or ... fills the cluster).")] = "tp=8,pp=8,ep=64",
    simulate: Annotated[bool, typer.Option("--simulate", help="Simulate every collective over the fabric graph.")] = False,
    routing: Annotated[str, typer.Option("--routing", help="spread or hash (with --simulate).")] = "spread",
    domain_gpus: Annotated[Optional[int], typer.Option("--domain-gpus", help="Scale-up domain size instead of the scenario's.")] = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table,
) -> None:
    """One training step on every design: compute, communication by collective, exposed communication."""
    from lightfabric.netsim.run import step_report
    from lightfabric.report.performance import step_table
    _table_or_json(format)
    try:
        sc = _with_domain(load_scenario(scenario), domain_gpus)
        report = step_report(sc, model_path=str(model), plan=plan, simulate=simulate, routing=routing)
    except LightfabricError as e:
        _fail(e)
    if format is Format.json:
        _print_json(report)
        return
    _print_designs(step_table(report), report["results"])


@app.command()
def report(
    scenario: Annotated[Optional[Path], typer.Argument(help="Scenario YAML; the built-in default if omitted.")] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.")] = Path("report.html"),
    trials: Annotated[int, typer.Option("--trials", help="Monte Carlo trials of the reliability section.")] = 200,
    horizon_days: Annotated[float, typer.Option("--horizon-days", help="Monte Carlo horizon in days.")] = 180.0,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the Monte Carlo.")] = 0,
) -> None:
    """Write one self-contained HTML report (opens offline): the best design per metric, every plot,
    the tables, the infeasible designs with their reasons, and the assumptions with their sources."""
    from lightfabric.report.html import gather, render
    if output.suffix.lower() not in (".html", ".htm"):
        _fail(LightfabricError.for_field("--output", str(output), "a file name ending in .html"))
    if output.parent and not output.parent.is_dir():
        _fail(LightfabricError.for_field("--output", str(output), "a file in an existing directory",
                                         problem=f"no directory {str(output.parent)!r}"))
    try:
        sc = load_scenario(scenario)
        with _progress_bar("Analysing {task.description}", "sections") as progress:
            results = gather(sc, trials=trials, horizon_days=horizon_days, seed=seed, progress=progress)
    except LightfabricError as e:
        _fail(e)
    text = render(results)
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as e:
        _fail(LightfabricError.for_field("--output", str(output), "a writable file", problem=e.strerror))
    skipped = [name for name, r in results.items() if isinstance(r, dict) and "error" in r]
    print(f"wrote {output} ({len(text) / 1e6:.1f} MB){'; not computed: ' + ', '.join(skipped) if skipped else ''}")


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to bind; loopback unless you mean to share it.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
) -> None:
    """Run the web app and its JSON API (OpenAPI schema at /docs) on HOST:PORT."""
    import uvicorn

    from lightfabric.web.app import create_app
    _check_range("--port", port, 1, 65535, "a TCP port from 1 to 65535")
    if host not in ("127.0.0.1", "localhost", "::1"):
        err.print(f"[yellow]warning:[/] serving on {host}: anyone who can reach this address can use the app",
                  highlight=False)
    print(f"lightfabric web app on http://{'[' + host + ']' if ':' in host else host}:{port}/  (Ctrl+C to stop)")
    uvicorn.run(create_app(), host=host, port=port, log_level="warning")


@catalog_app.command("list")
def catalog_list(
    kind: Annotated[Optional[str], typer.Option("--kind", "-k", help="Only parts of this kind (gpu, switch, nic, module, optical-engine, laser-source, fiber, connector, laser, optical-component, receiver, circuit, electrical-channel, copper-cable, fiber-part, ocs, failure-rate, repair-unit, value-share, engine-flow, co-package-flow, hop-latency).")] = None,
) -> None:
    """List the parts, with their key figures and how they are sourced."""
    catalog = Catalog.default()
    kinds = sorted({p.kind for p in catalog})
    if kind is not None and kind not in kinds:
        _fail(LightfabricError.for_field("--kind", kind, ", ".join(kinds), problem="unknown kind"
                                         + did_you_mean(kind, kinds)))
    table = Table(title="lightfabric catalog", header_style="bold")
    for col in ("id", "kind", "name", "key figures", "sources (kinds)"):
        table.add_column(col, overflow="fold")
    for p in catalog:
        if kind and p.kind != kind:
            continue
        table.add_row(p.id, p.kind, p.name, _key_figures(p),
                      ", ".join(sorted({s.kind for s in p.sources})) + f" ({len(p.sources)})")
    Console(width=max(140, shutil.get_terminal_size((160, 40)).columns)).print(table)


def _key_figures(p) -> str:
    keys = {"gpu": ("tdp_w", "scale_out_bandwidth_gbps", "scale_up_bandwidth_gbps", "bf16_dense_tflops", "rental_usd_per_h"),
            "switch": ("capacity_gbps", "serdes_lane_rate_gbps", "asic_power_w", "system_price_usd"),
            "nic": ("bandwidth_gbps", "power_w", "price_usd"),
            "module": ("technology", "rate_gbps", "reach_m", "power_w", "lasers", "price_usd"),
            "optical-engine": ("capacity_gbps", "lane_rate_gbps", "power_w", "lanes_per_laser", "price_usd"),
            "laser-source": ("lasers", "power_w", "price_usd"),
            "fiber": ("fibers", "attenuation_db_per_km", "price_usd_per_m"),
            "connector": ("fibers", "loss_db", "price_usd"),
            "laser": ("laser_type", "wavelength_nm", "slope_efficiency_w_per_a", "t0_k", "fit"),
            "optical-component": ("role", "loss_db"),
            "receiver": ("lane_rate_gbps", "sensitivity_oma_dbm", "tia_noise_pa_per_rthz"),
            "circuit": ("role", "reach_class", "lane_rate_gbps", "energy_pj_per_bit"),
            "electrical-channel": ("medium",),
            "failure-rate": ("applies_to", "per", "fit", "flap_fit"),
            "repair-unit": ("hot_swap", "wait_h", "replace_h", "restock_days"),
            "value-share": ("applies_to", "shares"),
            "engine-flow": ("applies_to", "bond_yield", "fiber_attach_yield", "die_test_coverage"),
            "co-package-flow": ("applies_to", "engine_attach_yield", "engine_rework_fraction", "final_test_usd"),
            "hop-latency": ("applies_to", "latency_ns")}.get(p.kind, ())
    return ", ".join(f"{k}={getattr(p, k):g}" if isinstance(getattr(p, k), (int, float))
                     and not isinstance(getattr(p, k), bool) else f"{k}={getattr(p, k)}"
                     for k in keys if getattr(p, k) is not None)


@catalog_app.command("show")
def catalog_show(
    part_id: Annotated[str, typer.Argument(metavar="ID", help="A part id from 'lightfabric catalog list'.")],
    format: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table,
) -> None:
    """Show one part: every figure with its source, kind, date and derivation."""
    catalog = Catalog.default()
    try:
        part = catalog.get(part_id, field="ID")
    except LightfabricError as e:
        _fail(e)
    if format is Format.json:
        print(json.dumps(part.model_dump(mode="json") | {"kind": part.kind}, indent=2))
        return
    console = Console(width=max(140, shutil.get_terminal_size((160, 40)).columns))
    console.print(f"[bold]{part.id}[/] ({part.kind}): {part.name}" + (f" - {part.vendor}" if part.vendor else ""))
    if part.notes:
        console.print(part.notes, highlight=False)
    table = Table(header_style="bold", show_lines=True)
    for col in ("field", "value", "kind", "source", "date", "where", "derivation / note"):
        table.add_column(col, overflow="fold")
    for fname, value in part.figures().items():
        shown = ", ".join(pc.label() for pc in value) if fname == "port_configs" else (
            ", ".join(map(str, value)) if isinstance(value, tuple) else str(value))
        for s in part.sources_for(fname) or [None]:
            if s is None:
                table.add_row(fname, shown, "default", "model default", "", "", "")
                continue
            table.add_row(fname, shown, f"{s.kind} ({s.confidence})", s.title, s.date, s.url or s.document or "",
                          "; ".join(x for x in (s.derivation, s.note) if x))
    console.print(table)


@scenario_app.command("init")
def scenario_init(
    file: Annotated[Path, typer.Argument(help="Where to write the commented scenario.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite the file if it exists.")] = False,
) -> None:
    """Write a commented scenario file (the built-in default) to start from."""
    if file.exists() and not force:
        _fail(LightfabricError.for_field("FILE", str(file), "a path that does not exist yet, or --force to overwrite",
                                         problem="file exists"))
    if file.parent and not file.parent.exists():
        _fail(LightfabricError.for_field("FILE", str(file), "a path in an existing directory",
                                         problem=f"directory {str(file.parent)!r} does not exist"))
    file.write_text(default_scenario_path().read_text())
    print(f"wrote {file}; edit it, then run: lightfabric compare {file}")


@scenario_app.command("check")
def scenario_check(
    file: Annotated[Path, typer.Argument(help="Scenario YAML to validate.")],
) -> None:
    """Validate a scenario file (YAML, schema, part ids, overrides) without running the comparison."""
    try:
        s = load_scenario(file)
        check_parts(s, Catalog.default())
    except LightfabricError as e:
        _fail(e)
    print(f"{file}: ok ({s.name}: {s.cluster.gpus:,} x {s.cluster.gpu}, {s.scale_out.switch} at "
          f"{s.scale_out.port_rate_gbps:g}G, technologies {', '.join(s.technologies)})")


from lightfabric.sweep.cli import sweep_app  # noqa: E402 - after the shared helpers it uses

app.add_typer(sweep_app, name="sweep")


def main() -> None:
    """Entry point: run the app; an unexpected error is reported as a bug, without a traceback."""
    try:
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    except Exception as e:  # noqa: BLE001 - last line of defence: never a traceback at the user
        if os.environ.get("LIGHTFABRIC_DEBUG"):
            raise
        err.print(f"[bold red]internal error[/] (a bug in lightfabric, please report it): "
                  f"{type(e).__name__}: {e}. Set LIGHTFABRIC_DEBUG=1 to see the traceback.", highlight=False)
        sys.exit(1)


if __name__ == "__main__":
    main()
