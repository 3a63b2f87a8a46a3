"""Figures of money: capital and life-cycle cost, the value chain, the sensitivity tornado."""

from __future__ import annotations

import plotly.graph_objects as go

from lightfabric.plots.style import CATEGORY_COLOURS, feasible, labels, layout

TCO_PARTS = (("capex_usd", "capex"), ("energy_usd", "energy"), ("maintenance_usd", "maintenance"),
             ("downtime_usd", "downtime (GPU-hours lost)"))


def capex_tco(economics: dict) -> go.Figure:
    """Stacked bars of each technology's total cost of ownership, M USD: capex, energy, maintenance and
    the value of the GPU-hours its failures cost, over the scenario's years (``lightfabric economics``)."""
    rows = feasible(economics["results"])
    fig = go.Figure()
    for i, (key, name) in enumerate(TCO_PARTS):
        fig.add_bar(name=name, x=labels(rows), y=[r[key] / 1e6 for r in rows], marker_color=CATEGORY_COLOURS[i],
                    hovertemplate="%{x}<br>" + name + ": %{y:,.1f} M USD<extra></extra>")
    fig.add_scatter(x=labels(rows), y=[r["tco_usd"] / 1e6 for r in rows], mode="text", showlegend=False,
                    text=[f"{r['tco_usd'] / 1e6:,.0f} M USD" for r in rows], textposition="top center",
                    hoverinfo="skip")
    years = economics["economics"]["years"]
    return layout(fig, f"Total cost of ownership over {years:g} years: {economics['scenario']}", y="M USD",
                  barmode="stack")


def value_chain(valuechain: dict) -> go.Figure:
    """Stacked bars (100 %) of who earns the fabric's capex, by value-chain segment, per technology
    (``lightfabric valuechain``); hover shows the USD and the shift against the baseline."""
    rows = valuechain["results"]
    segments = list(valuechain["segment_labels"])
    fig = go.Figure()
    for i, seg in enumerate(segments):
        if not any(r["segments"][seg]["usd"] for r in rows):
            continue
        fig.add_bar(name=seg, x=labels(rows), y=[100 * r["segments"][seg]["share"] for r in rows],
                    customdata=[[r["segments"][seg]["usd"] / 1e6, r["shift"][seg]["share_points"] * 100] for r in rows],
                    marker_color=CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)],
                    hovertemplate="%{x}<br>" + seg + ": %{y:.1f} % (%{customdata[0]:,.1f} M USD)<br>"
                                  "shift vs baseline: %{customdata[1]:+.1f} points<extra></extra>")
    return layout(fig, f"Value chain: who earns the capex ({valuechain['scenario']}, baseline "
                       f"{valuechain['baseline']})", y="share of capex (%)", barmode="stack", height=480)


def tornado(sensitivity: dict) -> go.Figure:
    """The sensitivity tornado (``lightfabric sensitivity``): for each input, the change of the
    difference between the two compared technologies when the input moves to its low and high end,
    widest swing on top. A bar that crosses zero marks an input that can flip the choice."""
    t = sensitivity["tornado"]
    a, b = t["versus"]
    base = t["base_difference"]
    rows = sorted(t["rows"], key=lambda r: r["difference_swing"])
    names = [f"{r['label']} ({r['range']})" for r in rows]
    unit, scale = ("M USD", 1e6) if t["metric"].endswith("usd") else ("", 1.0)
    fig = go.Figure()
    fig.add_bar(name="input at low end", y=names, x=[(r["difference_at_low"] - base) / scale for r in rows],
                base=base / scale, orientation="h", marker_color="#56B4E9",
                hovertemplate="%{y}<br>low end: %{x:,.1f}<extra></extra>")
    fig.add_bar(name="input at high end", y=names, x=[(r["difference_at_high"] - base) / scale for r in rows],
                base=base / scale, orientation="h", marker_color="#D55E00",
                hovertemplate="%{y}<br>high end: %{x:,.1f}<extra></extra>")
    fig.add_vline(x=base / scale, line_dash="dot", annotation_text="base", annotation_position="top")
    fig.add_vline(x=0, line_color="#333333")
    return layout(fig, f"Sensitivity of {t['metric']}: {a} minus {b}", x=f"{a} - {b} ({unit})".replace(" ()", ""),
                  barmode="overlay", height=max(360, 40 * len(rows) + 120))

