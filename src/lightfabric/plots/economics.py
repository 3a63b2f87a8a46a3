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
    """The sensitivity tornado (``lightfabric sensitivity``), widest swing on top: for each input, the
    metric when the input moves to its low and its high end, the others as in the scenario.

    With two designs compared (``versus``) the bars are the difference between them, and a bar that
    crosses zero marks an input that can flip the choice; with one design, its own metric.
    """
    t = sensitivity["tornado"]
    unit, scale = ("M USD", 1e6) if t["metric"].endswith("usd") else ("", 1.0)
    if t.get("versus"):
        a, b = t["versus"]
        base = t["base_difference"]
        ends = {end: [r[f"difference_at_{end}"] for r in t["rows"]] for end in ("low", "high")}
        swing = [r["difference_swing"] for r in t["rows"]]
        subject, axis = f"{a} minus {b}", f"{a} - {b}"
    else:
        tech = next(iter(t["base"]))
        base = t["base"][tech]
        ends = {end: [r[f"at_{end}"][tech] for r in t["rows"]] for end in ("low", "high")}
        swing = [r["swing"][tech] for r in t["rows"]]
        subject, axis = tech, f"{t['metric']} of {tech}"
    order = sorted(range(len(t["rows"])), key=lambda k: swing[k])
    names = [f"{t['rows'][k]['label']} ({t['rows'][k]['range']})" for k in order]
    fig = go.Figure()
    for end, name, colour in (("low", "input at low end", "#56B4E9"), ("high", "input at high end", "#D55E00")):
        fig.add_bar(name=name, y=names, x=[(ends[end][k] - base) / scale for k in order], base=base / scale,
                    orientation="h", marker_color=colour,
                    hovertemplate="%{y}<br>" + end + " end: %{x:+,.1f} from the base<extra></extra>")
    fig.add_vline(x=base / scale, line_dash="dot", annotation_text="base", annotation_position="top")
    if t.get("versus"):
        fig.add_vline(x=0, line_color="#333333")
    return layout(fig, f"Sensitivity of {t['metric']}: {subject}", x=f"{axis} ({unit})".replace(" ()", ""),
                  barmode="overlay", height=max(360, 40 * len(names) + 120))
