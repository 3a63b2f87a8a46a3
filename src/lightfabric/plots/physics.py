"""Figures of the physical layer: a link's budget, the lasers, bandwidth density."""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lightfabric.plots.style import colour, layout


def link_budget_waterfall(link: dict) -> go.Figure:
    """Waterfall of one optical link's power budget (``lightfabric link --format json``): the laser's
    launch power, then each element's loss in dB, down to the received power, with the receiver's
    sensitivity plus the transmitter penalties as the line the link must stay above.

    For a copper link the bars are the channel's insertion losses against the SerDes loss budget.
    """
    elements = link["elements"]
    group = f" ({link['group']}, the design's least margin)" if link.get("group") else ""
    title = f"{link['technology']} link{group}, {link['lane_rate_gbps']:g}G per lane, {link['length_m']:g} m: " \
            f"margin {link['margin_db']:.2f} dB"
    if link["technology"] == "copper":
        budget = link["details"]["loss_budget_db"]
        fig = go.Figure(go.Waterfall(
            x=[e["name"] for e in elements] + ["channel loss"], y=[e["loss_db"] for e in elements] + [0],
            measure=["relative"] * len(elements) + ["total"], connector={"line": {"color": "#999999"}},
            increasing={"marker": {"color": "#E45756"}}, totals={"marker": {"color": "#4C78A8"}},
            hovertemplate="%{x}: %{y:.2f} dB<extra></extra>"))
        fig.add_hline(y=budget, line_dash="dash", line_color="#D55E00",
                      annotation_text=f"SerDes loss budget {budget:g} dB")
        return layout(fig, title, y="insertion loss at Nyquist (dB)")
    # Average power through the laser's CW path; from the modulator on, OMA (what the receiver's
    # sensitivity is specified in), with the modulator's average-power-to-OMA step as a bar of its own.
    names, ys, measures, level, in_oma = [], [], [], None, False
    for i, e in enumerate(elements):
        name = f"{i + 1}. {e['name']}"  # numbered: plotly merges bars with the same name
        if level is None:
            names.append(name); ys.append(e["power_dbm"]); measures.append("absolute")
            level = e["power_dbm"]
            continue
        names.append(name); ys.append(e["power_dbm"] - level if not in_oma else e["oma_dbm"] - level)
        measures.append("relative")
        level += ys[-1]
        if not in_oma and e["oma_dbm"] is not None:
            in_oma = True
            names.append(f"{i + 1}. to OMA (extinction)"); ys.append(e["oma_dbm"] - e["power_dbm"])
            measures.append("relative")
            level = e["oma_dbm"]
    names.append("received OMA"); ys.append(0.0); measures.append("total")
    fig = go.Figure(go.Waterfall(
        x=names, y=ys, measure=measures, connector={"line": {"color": "#999999"}},
        decreasing={"marker": {"color": "#E45756"}}, increasing={"marker": {"color": "#54A24B"}},
        totals={"marker": {"color": "#4C78A8"}}, hovertemplate="%{x}: %{y:+.2f} dB<extra></extra>"))
    floor = link["sensitivity_dbm"] + link["penalties_db"]
    fig.add_hline(y=floor, line_dash="dash", line_color="#D55E00",
                  annotation_text=f"sensitivity {link['sensitivity_dbm']:g} dBm OMA + penalties {link['penalties_db']:g} dB",
                  annotation_position="top left")
    fig.update_xaxes(tickangle=-30)
    top = max(elements[0]["power_dbm"], 0.0)
    fig.update_yaxes(range=[min(floor, 0.0) - 2.0, top + 2.0])
    return layout(fig, title, y="dBm (average; OMA from the modulator)", height=500)


def laser_power_per_lane(lasers: list[dict]) -> go.Figure:
    """Optical power each lane needs from its laser, mW, per technology (``lightfabric laser``), with the
    laser's junction temperature on hover. A CPO laser feeding 8 lanes shows its power split per lane."""
    fig = go.Figure()
    fig.add_bar(x=[r["technology"] for r in lasers], y=[r["lane_laser_power_mw"] for r in lasers],
                marker_color=[colour(r["technology"]) for r in lasers],
                text=[f"{r['lane_laser_power_mw']:.1f} mW" for r in lasers], textposition="outside",
                customdata=[[r["laser"], r["lanes_per_laser"], r["laser_power_mw"],
                             r["junction_temperature_c"] if r["junction_temperature_c"] is not None else float("nan")]
                            for r in lasers],
                hovertemplate="%{x}: %{y:.1f} mW per lane<br>%{customdata[0]}: %{customdata[2]:.1f} mW feeding "
                              "%{customdata[1]} lane(s)<br>junction %{customdata[3]:.1f} C<extra></extra>")
    rate = lasers[0]["lane_rate_gbps"] if lasers else 0
    return layout(fig, f"Laser power per {rate:g}G lane, sized to close the link with margin",
                  y="laser optical power per lane (mW)")


def bandwidth_density(density: dict) -> go.Figure:
    """Two panels (``lightfabric density``): front-panel Tb/s per rack unit, and Tb/s per mm of package
    edge (shoreline), per technology. The shoreline axis is logarithmic."""
    techs = list(density["technologies"])
    rows = [density["technologies"][t] for t in techs]
    fig = make_subplots(rows=1, cols=2, subplot_titles=("front panel (Tb/s per rack unit)",
                                                        "package shoreline (Tb/s per mm)"))
    marker = [colour(t) for t in techs]
    fig.add_bar(x=techs, y=[r["tbps_per_rack_unit"] for r in rows], marker_color=marker, showlegend=False,
                customdata=[r["limit"] for r in rows], hovertemplate="%{x}: %{y:.1f} Tb/s per RU<br>limit: "
                "%{customdata}<extra></extra>", row=1, col=1)
    fig.add_bar(x=techs, y=[r["shoreline_tbps_per_mm"] for r in rows], marker_color=marker, showlegend=False,
                customdata=[r["shoreline_kind"] for r in rows], hovertemplate="%{x}: %{y:.3f} Tb/s per mm<br>"
                "%{customdata}<extra></extra>", row=1, col=2)
    fig.update_yaxes(type="log", row=1, col=2)
    return layout(fig, "Bandwidth density by technology")
