"""The HTML report of a sweep's results: what was swept, each technology's best values, the Pareto
front plotted for every pair of objectives and listed, and why points were infeasible.

One file that opens offline (plotly.js inline), like ``lightfabric report``.
"""

from __future__ import annotations

import html
import itertools
import json
from datetime import datetime, timezone

import numpy as np
from plotly.offline import get_plotlyjs

from lightfabric.plots.sweep import pareto_scatter
from lightfabric.sweep.evaluate import METRICS
from lightfabric.sweep.front import front_rows
from lightfabric.sweep.store import meta

SAMPLE_POINTS = 20_000  # design points drawn for the background of each plot


def _table(names: list[str], rows: list[tuple]) -> str:
    def cell(v):
        if isinstance(v, float):
            return "" if np.isnan(v) else (f"{v:,.4g}" if abs(v) < 1e4 else f"{v:,.0f}")
        return "" if v is None else html.escape(str(v))
    head = "".join(f"<th>{html.escape(n)}</th>" for n in names)
    body = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render(con, objectives: list[tuple[str, bool]], where: str | None = None, *, generated: str | None = None) -> str:
    """The report as one HTML document."""
    m = meta(con)
    axes = m["axes"]
    names, rows, n_feasible = front_rows(con, objectives, where)
    total, feasible = con.execute("SELECT count(*), count(*) FILTER (WHERE feasible) FROM results").fetchone()
    points = con.execute("SELECT count(DISTINCT point) FROM results").fetchone()[0]
    objs = [o for o, _ in objectives]
    cols = ", ".join(f'"{o}"' for o in objs)
    cond = "feasible" + (f" AND ({where})" if where else "")
    sample = con.execute(f"SELECT * FROM (SELECT point, technology, {cols} FROM results WHERE {cond}) "
                         f"USING SAMPLE reservoir({SAMPLE_POINTS} ROWS) REPEATABLE (42)").fetchnumpy() if n_feasible else None
    front = {n: np.array([r[i] for r in rows], dtype=object if n == "technology" else None)
             for i, n in enumerate(names) if n in objs + ["technology", "point"]}

    parts = [f"<h1>Sweep of {html.escape(m.get('sweep_file', ''))}</h1>",
             f"<p>Base scenario {html.escape(m.get('base', ''))}; {int(m.get('points', 0)):,} points "
             f"({points:,} after constraints), {total:,} design points of which {feasible:,} feasible. "
             f"lightfabric {html.escape(m.get('lightfabric', ''))}, code and catalog {html.escape(m.get('code_digest', ''))}.</p>",
             "<h2>Axes</h2>", _table(["axis", "column", "values"],
                                     [(a, c, json.dumps(json.loads(m["sweep"])["axes"][a])) for a, c in axes.items()])]
    best = con.execute("SELECT technology, count(*), count(*) FILTER (WHERE feasible), "
                       + ", ".join(f'{"max" if mx else "min"}("{o}")' for o, mx in objectives)
                       + " FROM results WHERE technology IS NOT NULL GROUP BY 1 ORDER BY 1").fetchall()
    parts += ["<h2>Best value of each objective, per technology</h2>",
              _table(["technology", "design points", "feasible"] + [f"{'max' if mx else 'min'} {o}" for o, mx in objectives], best)]
    parts.append(f"<h2>Pareto front: {len(rows):,} of {n_feasible:,} feasible design points</h2>"
                 + ("<p>Condition: " + html.escape(where) + "</p>" if where else ""))
    figs = []
    if sample is not None and len(rows):
        sample = {k: (np.asarray(v.filled(np.nan)) if hasattr(v, "filled") else np.asarray(v)) for k, v in sample.items()}
        for (x, xm), (y, ym) in itertools.combinations(objectives, 2):
            fig = pareto_scatter(sample, front, x, y, xm, ym)
            figs.append(fig.to_html(full_html=False, include_plotlyjs=False, config={"displaylogo": False}))
    parts += [f"<div class='fig'>{f}</div>" for f in figs]
    show = ["point", *axes.values(), "technology"] + objs
    idx = [names.index(c) for c in show]
    parts += ["<h3>Front rows</h3>", _table(show, [tuple(r[i] for i in idx) for r in rows[:500]])]
    if len(rows) > 500:
        parts.append(f"<p>{len(rows) - 500:,} more rows: lightfabric sweep pareto ... --format csv</p>")
    reasons = con.execute("SELECT coalesce(technology, '(no scenario)'), reason, count(*) FROM results "
                          "WHERE NOT feasible GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 50").fetchall()
    parts += ["<h2>Why design points were infeasible</h2>",
              _table(["technology", "reason", "design points"], reasons) if reasons else "<p>None were.</p>"]
    parts += ["<h2>Metrics</h2>", _table(["column", "meaning"], list(METRICS.items()))]
    stamp = generated or datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    style = ("body{font-family:DejaVu Sans,Arial,sans-serif;margin:2em;max-width:1400px}"
             "table{border-collapse:collapse;margin:1em 0;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px}"
             "th{background:#f2f2f2}.fig{margin:1em 0}")
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>lightfabric sweep</title><style>{style}</style>"
            f"<script type='text/javascript'>{get_plotlyjs()}</script></head><body>"
            + "".join(parts) + f"<p><small>Written {stamp} by lightfabric sweep report.</small></p></body></html>")
