"""What every command of the CLI shares: the error console, the one-message failure, the progress bar."""

from __future__ import annotations

from contextlib import contextmanager

import typer
from rich.console import Console

from lightfabric.errors import LightfabricError

err = Console(stderr=True)


def fail(e: LightfabricError) -> None:
    """Print a user error as one message (field, value, what is allowed) and exit with its code."""
    err.print(f"[bold red]error:[/] {e}", markup=True, highlight=False, soft_wrap=True)
    raise typer.Exit(e.exit_code)


@contextmanager
def progress_bar(description: str, unit: str = "", show: bool = True, rate: bool = False):
    """A transient progress bar on stderr, one task per key; yields ``progress(key, done, total)``.

    ``rate`` adds the units per second and the time left (for long runs such as sweeps)."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
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
