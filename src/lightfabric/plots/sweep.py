"""Figures of a sweep: the Pareto front of two objectives over a sample of every design point."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from lightfabric.plots.style import colour, layout


def pareto_scatter(sample: dict[str, np.ndarray], front: dict[str, np.ndarray], x: str, y: str,
                   x_max: bool = False, y_max: bool = False) -> go.Figure:
    """Design points (a sample, faint) and the Pareto front (every point, marked), coloured by
    technology. ``sample`` and ``front`` hold columns ``technology``, ``x`` and ``y`` (and
    ``point``); the front's points are joined in the order of ``x``."""
    fig = go.Figure()
    for tech in sorted(set(sample["technology"]) | set(front["technology"])):
        s = sample["technology"] == tech
        if s.any():
            fig.add_trace(go.Scattergl(x=sample[x][s], y=sample[y][s], mode="markers", name=f"{tech} (sample)",
                                       legendgroup=tech, marker={"color": colour(tech), "size": 4, "opacity": 0.25}))
        f = front["technology"] == tech
        if f.any():
            fig.add_trace(go.Scatter(x=front[x][f], y=front[y][f], mode="markers", name=f"{tech} (front)",
                                     legendgroup=tech, text=[f"point {p}" for p in front["point"][f]],
                                     marker={"color": colour(tech), "size": 10, "symbol": "diamond",
                                             "line": {"width": 1, "color": "#222"}}))
    order = np.argsort(front[x], kind="stable")
    if len(order) > 1:
        fig.add_trace(go.Scatter(x=front[x][order], y=front[y][order], mode="lines", name="front (all objectives)",
                                 line={"color": "#444", "width": 1, "dash": "dot"}, hoverinfo="skip"))
    return layout(fig, f"{y} against {x}: front points are not beaten on every objective at once",
                  x=f"{x} ({'higher' if x_max else 'lower'} is better)",
                  y=f"{y} ({'higher' if y_max else 'lower'} is better)", height=480)
