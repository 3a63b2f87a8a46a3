"""What every command of the CLI shares: the error console, the one-message failure, the progress bar,
the output formats and the side-by-side printing of a report's designs."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from lightfabric.errors import LightfabricError

err = Console(stderr=True)


def say(console: Console, label: str, text: str, style: str = "yellow") -> None:
    """Print ``label`` in ``style`` and ``text`` as written: neither is read as Rich markup, so a
    scenario's "[bold]" or "[/x]" is shown, not obeyed or crashed on."""
    console.print(Text.assemble((label, style), " ", str(text)), highlight=False)


def fail(e: LightfabricError) -> None:
    """Print a user error as one message (field, value, what is allowed) and exit with its code."""
    err.print(Text.assemble(("error:", "bold red"), " ", str(e)), highlight=False, soft_wrap=True)
    raise typer.Exit(e.exit_code)


@contextmanager
def progress_bar(description: str, unit: str = "", show: bool = True, rate: bool = False):
    """A transient progress bar on stderr, one task per key; yields ``progress(key, done, total)``.

    ``rate`` adds the units per second and the time left (for long runs such as sweeps)."""
    from rich.progress import (
        BarColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    count = "{task.completed:,}/{task.total:,}" + (f" {unit}" if unit else "")
    columns = [TextColumn(description), BarColumn(), TextColumn(count)]
    if rate:
        columns += [TextColumn("{task.fields[rate]}"), TextColumn("elapsed"), TimeElapsedColumn(), TextColumn("left"),
                    TimeRemainingColumn()]
    else:
        columns.append(TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True, disable=not (show and err.is_terminal)) as bar:
        tasks: dict[str, int] = {}

        def progress(key: str, done: int, total: int) -> None:
            if key not in tasks:
                tasks[key] = bar.add_task(key, total=total, rate="")
            elapsed = bar.tasks[tasks[key]].elapsed or 0.0
            bar.update(tasks[key], completed=done, total=total,
                       rate=f"{done / elapsed:,.0f} {unit or 'units'}/s" if rate and elapsed > 0 else "")

        yield progress


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


def check_range(option: str, value: float | None, low: float, high: float, allowed: str) -> None:
    if value is not None and not (low <= value <= high):
        fail(LightfabricError.for_field(option, value, allowed, problem="out of range"))


def say_infeasible(console: Console, result: dict) -> None:
    say(console, f"{result['technology']} is infeasible:", "; ".join(result["reasons"]), "bold red")


def print_designs(table: Table, results: list[dict], per_design: Callable[[dict], Table | None] | None = None,
                  formats: str = "json") -> None:
    """Print a report's table, then each design: why it is infeasible, or its own table (if any)."""
    console = wide_console()
    print_table(console, table, formats)
    for r in results:
        if not r["feasible"]:
            say_infeasible(console, r)
        elif per_design is not None and (t := per_design(r)) is not None:
            print_table(console, t, formats)


def print_table(console: Console, table: Table, formats: str | None = "json") -> None:
    """Print ``table`` fitted to the console's width (:func:`lightfabric.report.side_by_side.fit_table`);
    if columns had to be left out, one line names them and how to see them (a wider terminal, or
    ``--format`` with one of ``formats`` if the command has it)."""
    from lightfabric.report.side_by_side import fit_table
    fitted, left_out = fit_table(table, console.width, console)
    console.print(fitted)
    if left_out:
        how = f" or with --format {formats}" if formats else ""
        say(console, "left out:", f"{', '.join(left_out)} (the terminal is {console.width} columns wide; see every "
                                  f"column in a wider terminal{how})", "cyan")


def print_csv(rows: list[dict]) -> None:
    """Flat rows as CSV on stdout, numbers rounded as the JSON output's are."""
    from lightfabric.report.formats import rows_to_csv
    sys.stdout.write(rows_to_csv(json_ready(rows)))


def print_json(report: dict) -> None:
    from lightfabric.report.formats import json_text
    print(json_text(json_ready(report)))


def printed_as_data(format: Format, report: dict, rows: Callable[[], list[dict]] | None = None) -> bool:
    """``--format json``: the report as JSON; ``--format csv``: ``rows()`` as CSV (for a command that
    has rows). True if printed, so the command prints its tables only otherwise."""
    if format is Format.json:
        print_json(report)
        return True
    if format is Format.csv and rows is not None:
        print_csv(rows())
        return True
    return False


def json_ready(obj, sig: int = 10):
    """Floats rounded to ``sig`` significant digits (numpy scalars made plain) for JSON output."""
    if isinstance(obj, dict):
        return {k: json_ready(v, sig) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_ready(v, sig) for v in obj]
    if hasattr(obj, "item") and not isinstance(obj, (str, bytes)):
        obj = obj.item()
    if isinstance(obj, float):
        return float(f"{obj:.{sig}g}")
    return obj


def terminal_columns() -> int:
    """The terminal's width: ``COLUMNS`` if set, else the terminal's own; 160 when the output is a file
    or a pipe."""
    return max(20, shutil.get_terminal_size((160, 40)).columns)


def wide_console() -> Console:
    """The console of a command's tables, as wide as the terminal (:func:`terminal_columns`)."""
    return Console(width=terminal_columns())


def table_or_json(format: Format) -> None:
    if format is Format.csv:
        fail(LightfabricError.for_field("--format", "csv", "table or json"))


def check_output(output, suffixes: tuple[str, ...], option: str = "--output") -> None:
    """Fail unless ``output`` ends in one of ``suffixes`` and its directory exists."""
    from pathlib import Path
    output = Path(output)
    if output.suffix.lower() not in suffixes:
        fail(LightfabricError.for_field(option, str(output), f"a file name ending in {' or '.join(suffixes)}"))
    if not output.parent.is_dir():
        fail(LightfabricError.for_field(option, str(output), "a file in an existing directory",
                                        problem=f"no directory {str(output.parent)!r}"))


CatalogFiles = Annotated[Optional[list[str]], typer.Option(
    "--catalog", metavar="PATH", help="Your catalog file (parts: and references:), added to the built-in catalog "
                                      "and the scenario's catalog files; repeat for several.")]


def scenario_from(path, catalog_files: list[str] | None = None):
    """The scenario at ``path`` (the built-in one if None) with ``--catalog`` files added to its own."""
    from lightfabric.scenario.loader import load_scenario
    sc = load_scenario(path)
    if catalog_files:
        sc = sc.model_copy(update={"catalog": sc.catalog + tuple(str(Path(f).resolve()) for f in catalog_files)})
    return sc
