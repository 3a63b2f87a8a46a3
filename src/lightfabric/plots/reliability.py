"""Figures of reliability: what fails, and how many GPUs are down how often."""

from __future__ import annotations

import plotly.graph_objects as go

from lightfabric.plots.style import CATEGORY_COLOURS, colour, feasible, labels, layout


def failures_per_day(reliability: dict) -> go.Figure:
    """Stacked bars of expected failures per day per technology, by part (``lightfabric reliability``)."""
    rows = feasible(reliability["results"])
    parts: list[str] = []
    for r in rows:
        parts += [p for p in r["failures_per_day"] if p not in parts]
    parts.sort(key=lambda p: -max(r["failures_per_day"].get(p, 0.0) for r in rows))
    fig = go.Figure()
    for i, part in enumerate(parts):
        fig.add_bar(name=part, x=labels(rows), y=[r["failures_per_day"].get(part, 0.0) for r in rows],
                    marker_color=CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)],
                    hovertemplate="%{x}<br>" + part + ": %{y:.3f} per day<extra></extra>")
    return layout(fig, f"Failures per day by part: {reliability['scenario']}", y="failures per day",
                  barmode="stack")


def gpus_down_distribution(reliability: dict) -> go.Figure:
    """From the Monte Carlo: the share of time with at least N GPUs down, per technology (log axes),
    the distribution's tail that a mean hides."""
    fig = go.Figure()
    for r in feasible(reliability["results"]):
        d = r["monte_carlo"]["gpus_down_distribution"]
        tail, acc = [], 1.0
        for f in d["time_fraction"]:
            tail.append(max(acc, 0.0))
            acc -= f
        xs = [max(n, 0.5) for n in d["gpus"]]  # level 0 drawn at 0.5 on the log axis
        fig.add_scatter(x=xs, y=tail, mode="lines+markers", line_shape="hv", name=labels([r])[0],
                        line_color=colour(r["technology"]),
                        customdata=d["gpus"], hovertemplate="at least %{customdata} GPUs down: "
                        "%{y:.3g} of the time<extra>" + r["technology"] + "</extra>")
    mc = next((r["monte_carlo"] for r in feasible(reliability["results"])), {})
    fig.update_xaxes(type="log")
    fig.update_yaxes(type="log", exponentformat="power")
    return layout(fig, f"GPUs down (Monte Carlo, {mc.get('trials', 0)} x {mc.get('horizon_days', 0):g} days): "
                       f"{reliability['scenario']}", x="GPUs down (0 drawn at 0.5)", y="share of time with at least this many")
