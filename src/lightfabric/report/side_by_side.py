"""The shape every per-technology table shares: a metric column and one column per feasible design."""

from __future__ import annotations

from collections.abc import Callable

from rich.table import Table


def side_by_side(results: list[dict], title: str, caption: str) -> tuple[Table, Callable, list[dict]]:
    """A table with one right-aligned column per feasible result; ``row(label, f)`` adds a row of
    ``f(result)`` for each. Returns the table, ``row`` and the feasible results."""
    feasible = [r for r in results if r["feasible"]]
    t = Table(title=title, header_style="bold", caption=caption)
    t.add_column("metric", overflow="fold")
    for r in feasible:
        t.add_column(r["technology"], justify="right")

    def row(label: str, f: Callable[[dict], str]) -> None:
        t.add_row(label, *[f(r) for r in feasible])

    return t, row, feasible
