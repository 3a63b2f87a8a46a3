"""``lightfabric compare``, ``link``, ``laser`` and ``density``: the fabric and its physical layer."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from lightfabric.catalog import Catalog
from lightfabric.cli_common import (
    CatalogFiles,
    Format,
    check_range,
    fail,
    print_csv,
    print_json,
    print_table,
    say,
    scenario_from,
    table_or_json,
    wide_console,
)
from lightfabric.errors import LightfabricError, did_you_mean
from lightfabric.physics.laser_source import laser_power_comparison
from lightfabric.physics.chains import DESIGN_MARGIN_DB, LinkOptionError
from lightfabric.physics.ber import ber_text
from lightfabric.report import comparison_table, sources_table, to_csv, to_json
from lightfabric.report.formats import json_text, laser_rows, link_rows
from lightfabric.technologies.registry import (
    LINK_TECHNOLOGIES,
    OPTICAL_TECHNOLOGIES,
    REGISTRY,
)


def compare(
    scenario: Annotated[Optional[Path], typer.Argument(help="Scenario YAML or an example's name; the built-in default if omitted.")] = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="table, json or csv.")] = Format.table,
    sources: Annotated[bool, typer.Option("--sources", help="Also list the catalog figures used and their sources.")] = False,
    catalog_files: CatalogFiles = None,
) -> None:
    """Build the scale-out fabric with each technology and compare them side by side."""
    from lightfabric.compare import compare as run_compare
    try:
        comparison = run_compare(scenario_from(scenario, catalog_files))
    except LightfabricError as e:
        fail(e)
    if format is Format.json:
        print(to_json(comparison))
        return
    if format is Format.csv:
        sys.stdout.write(to_csv(comparison))
        return
    console = wide_console()
    print_table(console, comparison_table(comparison), "json or csv")
    for note in comparison.plan.fabric.notes:
        say(console, f"{comparison.plan.fabric.topology}:", note, "cyan")
    for note in comparison.plan.defaults:
        say(console, "from the catalog:", note, "cyan")
    parts = comparison.scenario.parts
    if parts.available_by:
        say(console, "parts:", f"only hardware {'shipping or sampling' if parts.include_sampling else 'shipping'} by "
                               f"{parts.available_by} (parts.available_by; lightfabric catalog list --available-by "
                               f"{parts.available_by} lists them)", "cyan")
    for f in sorted(set(comparison.plan.catalog.user.values())):
        say(console, "your catalog:", f"{f} ({sum(v == f for v in comparison.plan.catalog.user.values())} parts)", "cyan")
    for r in comparison.results:
        for reason in r.reasons:
            say(console, f"{r.technology} is infeasible:", reason, "bold red")
        for note in r.notes:
            say(console, f"{r.technology}:", note)
    if sources:
        print_table(console, sources_table(comparison), "json")


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
    engine: Annotated[Optional[str], typer.Option("--engine", help="Engine technologies only: the optical engine (default: the cheapest of the technology at the lane rate, named in the output).")] = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="table, json or csv (one row per element, then the margin).")] = Format.table,
) -> None:
    """Budget one link: every element with its loss and the power after it, the margin and the BER."""
    if technology not in LINK_TECHNOLOGIES:
        fail(LightfabricError.for_field("--technology", technology, ", ".join(LINK_TECHNOLOGIES),
                                         problem="unknown technology" + did_you_mean(technology, LINK_TECHNOLOGIES)))
    check_range("--length-m", length_m, 0.0, 100_000.0, "a length from 0 to 100,000 m")
    check_range("--laser-power-mw", laser_power_mw, 1e-3, 2000.0, "a laser power from 0.001 to 2,000 mW")
    check_range("--lanes-per-laser", lanes_per_laser, 1, 64, "a whole number from 1 to 64")
    check_range("--ocs-passes", ocs_passes, 0, 4, "0 to 4 passes")
    check_range("--design-margin-db", design_margin_db, 0.0, 10.0, "0 to 10 dB")
    catalog = Catalog.default()
    try:
        result = REGISTRY[technology].link_budget(
            catalog, length_m, lane_rate_gbps, part=engine, modulation=modulation, laser_power_mw=laser_power_mw,
            lanes_per_laser=lanes_per_laser, ocs_passes=ocs_passes, design_margin_db=design_margin_db, cable=cable)
    except LinkOptionError as e:
        fail(LightfabricError(str(e)))
    except LightfabricError as e:
        fail(e)
    if format is Format.json:
        print(json_text(result.to_dict()))
        return
    if format is Format.csv:
        print_csv(link_rows(result.to_dict()))
        return
    console = wide_console()
    table = Table(title=f"{technology} link, {lane_rate_gbps:g}G per lane, {length_m:g} m", header_style="bold")
    optical = REGISTRY[technology].optical
    for col in ("element", "part", "loss (dB)") + (("power after (dBm)", "OMA after (dBm)") if optical else ("cumulative loss (dB)",)):
        table.add_column(col, justify="left" if col in ("element", "part") else "right")
    for step in result.steps:
        cells = [step["name"], step["part"] or "", f"{step['loss_db']:.2f}"]
        cells += ([f"{step['power_dbm']:.2f}", "" if step["oma_dbm"] is None else f"{step['oma_dbm']:.2f}"]
                  if optical else [f"{step['cumulative_loss_db']:.2f}"])
        table.add_row(*cells)
    print_table(console, table, "json or csv")
    if optical:
        d = result.details
        console.print(f"received OMA {result.received_oma_dbm:.2f} dBm, TDECQ allowance {result.penalties_db:g} dB, "
                      f"sensitivity {result.sensitivity_dbm:g} dBm: margin [bold]{result.margin_db:.2f} dB[/]; "
                      f"pre-FEC BER {result.ber:.2g} (floor {d['error_floor_ber']:.2g} from RIN "
                      f"{d['rin_db_per_hz']} dB/Hz and {d['reflections']} reflections), after {d['fec']} "
                      f"{ber_text(result.post_fec_ber)}", highlight=False)
        host = d.get("linear_host_channels")
        if host:
            console.print(f"linear host channels: {host['sides']} x {host['host_channel_db']:.1f} dB at "
                          f"{host['nyquist_ghz']:g} GHz = {host['linear_db']:.1f} dB against a "
                          f"{host['budget_db']} dB die-to-die linear budget", highlight=False)
        console.print(f"laser {result.details['laser']} at {result.details['laser_power_mw']:.1f} mW "
                      f"({result.details['lanes_per_laser']} lane(s) per laser), junction "
                      f"{result.details['laser_junction_temperature_c']} C", highlight=False)
        for note in result.details.get("notes", []):
            console.print(note, highlight=False)
    else:
        d = result.details
        console.print(f"die-to-die loss {d['channel_loss_db']:.2f} dB at {d['nyquist_ghz']:g} GHz against a "
                      f"{d['loss_budget_db']:g} dB budget ({d['serdes']}): margin [bold]{result.margin_db:.2f} dB[/]; "
                      f"reach {d['reach_m']:.2f} m. {d['ber_note']}.", highlight=False)
    console.print("[bold green]feasible[/]" if result.feasible else
                  "[bold red]infeasible:[/] " + "; ".join(result.reasons), highlight=False)


def laser(
    technology: Annotated[Optional[str], typer.Option("--technology", "-t", help=f"One of: {', '.join(OPTICAL_TECHNOLOGIES)}.")] = None,
    lane_rate_gbps: Annotated[Optional[float], typer.Option("--lane-rate-gbps", help="100 or 200 (with --compare default 200).")] = None,
    port_rate_gbps: Annotated[Optional[float], typer.Option("--port-rate-gbps", help="Port rate in Gb/s (800 = 8 x 100G; with --compare default 1600).")] = None,
    compare_transmitters: Annotated[bool, typer.Option("--compare", help="The laser power of a DSP pluggable's EMLs against a CPO port's share of its laser sources, beside NVIDIA's 10 W and 2 W per 1.6T.")] = False,
    lanes_per_laser: Annotated[Optional[int], typer.Option("--lanes-per-laser", help="CPO only: lanes fed by one laser.")] = None,
    temperature_c: Annotated[Optional[float], typer.Option("--temperature-c", help="Laser case temperature in C (TEC setpoint for an EML).")] = None,
    activation_energy_ev: Annotated[Optional[float], typer.Option("--activation-energy-ev", help="Arrhenius activation energy; default the catalog's.")] = None,
    design_margin_db: Annotated[float, typer.Option("--design-margin-db", help="Laser sized this far above the closing point.")] = DESIGN_MARGIN_DB,
    engine: Annotated[Optional[str], typer.Option("--engine", help="Engine technologies only: the optical engine (default: the cheapest of the technology at the lane rate, named in the output).")] = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="table, json or csv (one row per figure; with --compare one per transmitter).")] = Format.table,
) -> None:
    """What the lasers of one port must do: power per lane, count, electrical power, junction temperature, FIT."""
    # defaults by mode: one 800G port of 100G lanes, or with --compare a 1.6T port of 200G lanes
    lane_default, port_default = (200.0, 1600.0) if compare_transmitters else (100.0, 800.0)
    lane_rate_gbps = lane_default if lane_rate_gbps is None else lane_rate_gbps
    port_rate_gbps = port_default if port_rate_gbps is None else port_rate_gbps
    if compare_transmitters:
        _check_laser_options(temperature_c, design_margin_db, port_rate_gbps)
        _laser_compare(lane_rate_gbps, port_rate_gbps, temperature_c, design_margin_db, engine, format)
        return
    if technology is None:
        fail(LightfabricError.for_field("--technology", "missing", ", ".join(OPTICAL_TECHNOLOGIES),
                                         problem="give a technology, or --compare"))
    if technology not in OPTICAL_TECHNOLOGIES:
        fail(LightfabricError.for_field("--technology", technology, ", ".join(OPTICAL_TECHNOLOGIES),
                                         problem="not an optical technology" + did_you_mean(technology, OPTICAL_TECHNOLOGIES)))
    _check_laser_options(temperature_c, design_margin_db, port_rate_gbps)
    check_range("--lanes-per-laser", lanes_per_laser, 1, 64, "a whole number from 1 to 64")
    check_range("--activation-energy-ev", activation_energy_ev, 0.05, 2.0, "0.05 to 2 eV")
    try:
        report = REGISTRY[technology].laser_report(Catalog.default(), part=engine, lane_rate_gbps=lane_rate_gbps,
                                                   lanes_per_laser=lanes_per_laser, temperature_c=temperature_c,
                                                   port_rate_gbps=port_rate_gbps, design_margin_db=design_margin_db,
                                                   activation_energy_ev=activation_energy_ev)
    except LinkOptionError as e:
        fail(LightfabricError(str(e)))
    except LightfabricError as e:
        fail(e)
    if format is Format.json:
        print(json_text(report))
        return
    if format is Format.csv:
        print_csv(laser_rows(report))
        return
    table = Table(title=f"lasers of one {port_rate_gbps:g}G {technology} port", header_style="bold")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    for k, v in report.items():
        if k not in ("reasons", "technology", "notes"):
            table.add_row(k, "-" if v is None else (f"{v:.4g}" if isinstance(v, float) else str(v)))
    console = wide_console()
    print_table(console, table, "json or csv")
    for note in report["notes"]:
        console.print(note, highlight=False, markup=False)
    console.print("feasible" if report["feasible"] else "infeasible: " + "; ".join(report["reasons"]),
                  highlight=False, markup=False)


def density(fmt: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table) -> None:
    """Bandwidth density: largest switch, ports per rack unit and shoreline Tb/s per mm, per technology."""
    from lightfabric.density import density_report
    report = density_report(Catalog.default())
    if fmt == Format.json:
        Console(soft_wrap=False).print_json(json.dumps(report))
        return
    table = Table(title="Bandwidth density by technology", header_style="bold",
                  caption="Sources and derivations: lightfabric density --format json, docs/examples.md")
    for col in ("technology", "limit", "largest box (Tb/s)", "box ceiling (Tb/s)", "ports / RU", "port (Gb/s)",
                "Tb/s / RU now", "Tb/s / RU ceiling", "shoreline (Tb/s/mm)", "shoreline kind"):
        table.add_column(col)
    for tech, d in report["technologies"].items():
        box = d.get("largest_box") or {}
        largest = f"{d['max_switch_capacity_tbps']:g}" + (
            f" ({box['switch']}, {box['cages']} cages in {box['rack_units']:g} RU)" if box else "")
        ceiling = "-" if d["ceiling_tbps"] is None else f"{d['ceiling_tbps']:g}"
        if d.get("ceiling_box"):
            ceiling += f" ({d['ceiling_box']}, {d['top_module_gbps'] / 1000:g}T modules)"
        per_ru_top = d.get("tbps_per_rack_unit_ceiling")
        table.add_row(tech, d["limit"], largest, ceiling, str(d["ports_per_rack_unit"]), f"{d['port_rate_gbps']:g}",
                      f"{d['tbps_per_rack_unit']:g}", "-" if per_ru_top is None else f"{per_ru_top:g}",
                      f"{d['shoreline_tbps_per_mm']:.2f}", d["shoreline_kind"])
    console = wide_console()
    print_table(console, table, "json")
    for tech, d in report["technologies"].items():
        if d.get("note"):
            console.print(f"{tech}: {d['note']}")


def topologies(format: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table) -> None:
    """The registered topologies (the values of scale_out.topology), with what each is and its reference."""
    from lightfabric.topology.registry import TOPOLOGIES
    rows = [{"name": t.name, "label": t.label, "needs_scale_up": t.needs_scale_up, "reference": t.reference,
             "small_cluster_keys": dict(t.small_cluster_keys)}
            for t in TOPOLOGIES.values()]
    table_or_json(format)
    if format is Format.json:
        print_json(rows)
        return
    table = Table(title="Registered topologies (scale_out.topology)", header_style="bold")
    for col in ("name", "what it is", "needs scale_up", "reference"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(r["name"], r["label"], "yes" if r["needs_scale_up"] else "no", r["reference"])
    print_table(wide_console(), table, "json")


def technologies(format: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table) -> None:
    """The registered technologies and spine designs (the values of technologies and technology.*)."""
    from lightfabric.technologies.registry import describe
    rows = describe()
    table_or_json(format)
    if format is Format.json:
        print_json(rows)
        return
    table = Table(title="Registered technologies", header_style="bold")
    for col in ("id", "label", "kind", "optical", "engine-based"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(r["id"], r["label"], r["kind"], "yes" if r["optical"] else "no", "yes" if r["engine_based"] else "no")
    print_table(wide_console(), table, "json")


COMMANDS = (compare, link, laser, density, topologies, technologies)


def _check_laser_options(temperature_c: float | None, design_margin_db: float, port_rate_gbps: float) -> None:
    """The options both faces of ``laser`` take, each within what the models allow."""
    check_range("--temperature-c", temperature_c, -40.0, 150.0, "a case temperature from -40 to 150 C")
    check_range("--design-margin-db", design_margin_db, 0.0, 10.0, "0 to 10 dB")
    check_range("--port-rate-gbps", port_rate_gbps, 1.0, 12800.0, "a port rate from 1 to 12,800 Gb/s")


def _laser_compare(lane_rate_gbps: float, port_rate_gbps: float, temperature_c: float | None,
                   design_margin_db: float, engine_id: str | None, format: Format) -> None:
    catalog = Catalog.default()
    try:
        engine = None if engine_id is None else catalog.get(engine_id, kind="optical-engine", field="--engine")
        report = laser_power_comparison(catalog, port_rate_gbps=port_rate_gbps, lane_rate_gbps=lane_rate_gbps,
                                        engine=engine, design_margin_db=design_margin_db,
                                        case_temperature_c=temperature_c)
    except LinkOptionError as e:
        fail(LightfabricError(str(e)))
    except LightfabricError as e:
        fail(e)
    if format is Format.json:
        print(json_text(report))
        return
    if format is Format.csv:
        print_csv(report["rows"])
        return
    table = Table(title=f"laser electrical power of one {port_rate_gbps:g}G port ({lane_rate_gbps:g}G lanes)",
                  header_style="bold")
    for col in ("transmitter", "laser", "lasers", "output mW each", "case C", "W (lightfabric)", "W (NVIDIA)"):
        table.add_column(col, justify="left" if col in ("transmitter", "laser") else "right")
    for r in report["rows"]:
        table.add_row(r["transmitter"], r["laser"], f"{r['lasers']:g}", f"{r['laser_output_mw']:.0f}",
                      f"{r['case_temperature_c']:g}", "-" if r["power_w"] is None else f"{r['power_w']:.2f}",
                      f"{r['nvidia_w']:g}")
    console = wide_console()
    print_table(console, table, "json or csv")
    console.print(f"ratio {report['ratio']:g}x here, {report['nvidia_ratio']:g}x in NVIDIA's figures. "
                  f"Not counted: {'; '.join(report['not_counted'])}.")
    console.print(f"source: {report['source']}")
