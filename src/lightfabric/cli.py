"""The command line: a thin face over the library.

Errors in the user's input print one message (field, value, what is allowed) and exit with code 2.
"""

from __future__ import annotations

import json
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
from lightfabric.compare import compare as run_compare
from lightfabric.errors import LightfabricError, did_you_mean
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
err = Console(stderr=True)


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


def _fail(e: LightfabricError) -> None:
    err.print(f"[bold red]error:[/] {e}", markup=True, highlight=False, soft_wrap=True)
    raise typer.Exit(e.exit_code)


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


@catalog_app.command("list")
def catalog_list(
    kind: Annotated[Optional[str], typer.Option("--kind", "-k", help="Only parts of this kind (gpu, switch, nic, module, optical-engine, laser-source, fiber, connector).")] = None,
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
    keys = {"gpu": ("tdp_w", "scale_out_bandwidth_gbps", "scale_up_bandwidth_gbps"),
            "switch": ("capacity_gbps", "serdes_lane_rate_gbps", "asic_power_w", "system_price_usd"),
            "nic": ("bandwidth_gbps", "power_w", "price_usd"),
            "module": ("technology", "rate_gbps", "reach_m", "power_w", "lasers", "price_usd"),
            "optical-engine": ("capacity_gbps", "lane_rate_gbps", "power_w", "lanes_per_laser", "price_usd"),
            "laser-source": ("lasers", "power_w", "price_usd"),
            "fiber": ("fibers", "attenuation_db_per_km", "price_usd_per_m"),
            "connector": ("fibers", "loss_db", "price_usd")}.get(p.kind, ())
    return ", ".join(f"{k}={getattr(p, k):g}" if isinstance(getattr(p, k), (int, float)) else f"{k}={getattr(p, k)}"
                     for k in keys)


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
