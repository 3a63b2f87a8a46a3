"""The shape every per-technology table shares (a metric column and one column per feasible design),
and fitting any rich table to the width of a terminal."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.console import Console
from rich.measure import Measurement
from rich.table import Column, Table

# A cell "word" longer than this in a column that folds (a URL, a path) does not set the column's
# minimum width: it is folded rather than widening the table beyond the terminal.
FOLD_WORD_CHARS = 16


def side_by_side(results: list[dict], title: str, caption: str) -> tuple[Table, Callable, list[dict]]:
    """A table with one right-aligned column per feasible result; ``row(label, f)`` adds a row of
    ``f(result)`` for each. Returns the table, ``row`` and the feasible results."""
    feasible = [r for r in results if r["feasible"]]
    t = Table(title=title, header_style="bold", caption=caption)
    t.add_column("metric")
    for r in feasible:
        t.add_column(r["technology"], justify="right")

    def row(label: str, f: Callable[[dict], str]) -> None:
        t.add_row(label, *[f(r) for r in feasible])

    return t, row, feasible


class FitTable(Table):
    """A rich table that names the columns to leave out first when it is wider than the terminal
    (``drop_first``, by header); after them, columns go from the right. The first column always stays."""

    def __init__(self, *args, drop_first: Sequence[str] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.drop_first = tuple(drop_first)


def header_text(column: Column) -> str:
    """The plain text of a column's header."""
    h = column.header
    return h.plain if hasattr(h, "plain") else str(h)


def _span(console: Console, column: Column) -> tuple[int, int, int]:
    """The narrowest width a column can take without breaking a word (its header's or a cell's), the
    width its cells take unwrapped, and the width of the whole column unwrapped (header included)."""
    options = console.options.update_width(10_000)
    head = Measurement.get(console, options, column.header)
    low, cells = head.minimum, 1
    for renderable in column.cells:
        m = Measurement.get(console, options, renderable)
        low = max(low, min(m.minimum, FOLD_WORD_CHARS) if column.overflow == "fold" else m.minimum)
        cells = max(cells, m.maximum)
    if column.no_wrap:
        low = max(low, cells, head.maximum)
    if column.min_width:
        low = max(low, column.min_width)
    return low, max(low, cells), max(low, cells, head.maximum)


def _level_widths(spans: list[tuple[int, int]], room: int) -> list[int]:
    """Widths between each column's narrowest and natural width that add up to at most ``room``:
    every column grows to a common level, the narrow ones reaching their natural width first."""
    def at(level: int) -> list[int]:
        return [min(max(level, low), high) for low, high in spans]

    lo, hi = 0, max(high for _, high in spans)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if sum(at(mid)) <= room else (lo, mid - 1)
    widths = at(lo)
    spare = room - sum(widths)
    for i, (_, high) in enumerate(spans):
        if spare <= 0:
            break
        if widths[i] < high:
            widths[i] += 1
            spare -= 1
    return widths


def fit_table(table: Table, width: int, console: Console | None = None) -> tuple[Table, list[str]]:
    """``table`` rebuilt to be at most ``width`` characters wide: cells wrap only at spaces and no
    header word is broken; where even that is too wide, columns are left out (``FitTable.drop_first``,
    then from the right, never the first). Returns the table and the headers of the columns left out."""
    console = console or Console(width=width)
    columns = list(table.columns)
    spans = [_span(console, c) for c in columns]
    top, right, bottom, left = table.padding

    def pads(n: int) -> list[int]:
        out = [left + right] * n
        if n and not table.pad_edge:
            out[0] -= left
            out[-1] -= right
        return out

    def frame(n: int) -> int:
        return (n - 1 + (2 if table.show_edge else 0)) if table.box else 0

    by_header = {header_text(c): i for i, c in enumerate(columns)}
    drop_first = table.drop_first if isinstance(table, FitTable) else ()
    order = [by_header[h] for h in drop_first if by_header.get(h, 0) > 0]
    order += [i for i in range(len(columns) - 1, 0, -1) if i not in order]
    def fits(cols: list[int]) -> bool:
        return sum(spans[i][0] for i in cols) + sum(pads(len(cols))) + frame(len(cols)) <= width

    keep, dropped = list(range(len(columns))), []
    while len(keep) > 1 and not fits(keep):
        dropped.append(order.pop(0))
        keep.remove(dropped[-1])
    for i in reversed(dropped[:-1]):  # a narrower column dropped before the last may fit again
        if fits(sorted(keep + [i])):
            keep = sorted(keep + [i])
    room = width - sum(pads(len(keep))) - frame(len(keep))
    if len(keep) == len(columns) and sum(span[2] for span in spans) <= room:
        return table, []
    # a header may wrap at its spaces, so the cells' own width decides how much room a column wants;
    # what is left then unwraps the headers
    widths = _level_widths([spans[i][:2] for i in keep], room)
    widths = _level_widths([(w, max(w, spans[i][2])) for w, i in zip(widths, keep)], room)

    out = Table(title=table.title, caption=table.caption, box=table.box, safe_box=table.safe_box,
                padding=(top, right, bottom, left), collapse_padding=table.collapse_padding, pad_edge=table.pad_edge,
                show_header=table.show_header, show_footer=table.show_footer, show_edge=table.show_edge,
                show_lines=table.show_lines, leading=table.leading, style=table.style, row_styles=table.row_styles,
                header_style=table.header_style, footer_style=table.footer_style, border_style=table.border_style,
                title_style=table.title_style, caption_style=table.caption_style, title_justify=table.title_justify,
                caption_justify=table.caption_justify, highlight=table.highlight)
    for k, i in enumerate(keep):
        c = columns[i]
        out.add_column(c.header, c.footer, header_style=c.header_style, footer_style=c.footer_style, style=c.style,
                       justify=c.justify, vertical=c.vertical, overflow=c.overflow, width=widths[k],
                       no_wrap=c.no_wrap and widths[k] >= spans[i][2], highlight=c.highlight)
    cells = [list(columns[i].cells) for i in keep]
    for r, row in enumerate(table.rows):
        out.add_row(*[col[r] for col in cells], style=row.style, end_section=row.end_section)
    return out, [header_text(columns[i]) for i in range(len(columns)) if i not in keep]
