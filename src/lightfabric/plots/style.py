"""What every figure shares: one colour per technology, a plain layout, labels with units."""

from __future__ import annotations

import plotly.graph_objects as go

from lightfabric.technologies import registry

# For stacks of categories (power, capex, failures, value-chain segments).
CATEGORY_COLOURS = ["#4C78A8", "#F58518", "#54A24B", "#E45756", "#72B7B2", "#EECA3B", "#B279A2",
                    "#FF9DA6", "#9D755D", "#BAB0AC", "#1F3A5F", "#8CD17D"]


def colour(technology: str) -> str:
    """One colour per technology across all figures, from the technology registry."""
    return registry.colour(technology)


def feasible(results: list[dict]) -> list[dict]:
    """The results that have metrics (infeasible designs have none to plot)."""
    return [r for r in results if r.get("feasible", True)]


def labels(results: list[dict]) -> list[str]:
    return [r.get("label") or r["technology"] for r in results]


def layout(fig: go.Figure, title: str, *, x: str | None = None, y: str | None = None,
           height: int = 420, barmode: str | None = None) -> go.Figure:
    fig.update_layout(title={"text": title, "x": 0.01}, template="plotly_white", height=height,
                      margin={"l": 70, "r": 20, "t": 60, "b": 60}, legend={"traceorder": "normal"},
                      font={"family": "DejaVu Sans, Arial, sans-serif", "size": 13})
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    if barmode:
        fig.update_layout(barmode=barmode)
    if x:
        fig.update_xaxes(title_text=x)
    if y:
        fig.update_yaxes(title_text=y)
    return fig


def pretty(key: str) -> str:
    """'switch_asics' -> 'switch asics'."""
    return key.replace("_", " ")
