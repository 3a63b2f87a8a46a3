"""Figures of the fabric a comparison builds: where the watts go, what it is made of."""

from __future__ import annotations

import plotly.graph_objects as go

from lightfabric.plots.style import CATEGORY_COLOURS, feasible, labels, layout, pretty

# Bill-of-materials items worth drawing (the rest are lengths or sub-counts of these).
BOM_ITEMS = ("switches", "nics", "pluggable_modules", "optical_engines", "external_laser_modules", "lasers",
             "fibers", "copper_cables", "ocs", "scale_up_switch_chips")


def power_breakdown(comparison: dict) -> go.Figure:
    """Stacked bars of the fabric's power per technology, by category, in MW.

    ``comparison`` is :meth:`lightfabric.compare.Comparison.to_dict`; infeasible designs are left out.
    """
    rows = feasible(comparison["results"])
    cats = [k for k in (rows[0]["power_w"] if rows else {}) if k != "total"]
    fig = go.Figure()
    for i, cat in enumerate(cats):
        fig.add_bar(name=pretty(cat), x=labels(rows), y=[r["power_w"][cat] / 1e6 for r in rows],
                    marker_color=CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)],
                    hovertemplate="%{x}<br>" + pretty(cat) + ": %{y:.3f} MW<extra></extra>")
    fig.add_scatter(x=labels(rows), y=[r["power_w"]["total"] / 1e6 for r in rows], mode="text",
                    text=[f"{r['power_w']['total'] / 1e6:.2f} MW<br>{r['power_per_gpu_w']:.0f} W/GPU" for r in rows],
                    textposition="top center", showlegend=False, hoverinfo="skip")
    return layout(fig, f"Fabric power by category: {comparison['scenario']}", y="power (MW)", barmode="stack")


def bill_of_materials(comparison: dict) -> go.Figure:
    """Grouped bars of the main part counts per technology (log scale: switches and lasers differ 100x)."""
    rows = feasible(comparison["results"])
    items = [k for k in BOM_ITEMS if any((r["bom"] or {}).get(k, 0) for r in rows)]
    fig = go.Figure()
    for i, r in enumerate(rows):
        fig.add_bar(name=labels([r])[0], x=[pretty(k) for k in items], y=[r["bom"].get(k, 0) for k in items],
                    marker_color=CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)],
                    hovertemplate="%{x}: %{y:,.0f}<extra>" + r["technology"] + "</extra>")
    fig.update_yaxes(type="log")
    return layout(fig, f"Bill of materials: {comparison['scenario']}", y="count (log scale)", barmode="group")
