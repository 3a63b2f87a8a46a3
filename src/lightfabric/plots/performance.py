"""Figures of collective performance."""

from __future__ import annotations

import plotly.graph_objects as go

from lightfabric.plots.style import colour, layout

DASHES = ("solid", "dash", "dot", "dashdot")


def collective_time_vs_size(sweeps: dict | list[dict]) -> go.Figure:
    """Time of a collective against message size, log-log: colour per technology, dash per algorithm,
    the bus bandwidth on hover. Each sweep is :func:`lightfabric.netsim.run.collective_sweep`'s result
    (``op``, ``algorithm``, ``gpus`` and, per technology, ``sizes_bytes``, ``time_s``, ``busbw_gbps``);
    give several of the same op to compare algorithms."""
    sweeps = [sweeps] if isinstance(sweeps, dict) else list(sweeps)
    fig = go.Figure()
    for i, sweep in enumerate(sweeps):
        for t in sweep["results"]:
            if not t["feasible"]:
                continue
            fig.add_scatter(x=t["sizes_bytes"], y=t["time_s"], mode="lines+markers",
                            name=f"{t['label']}, {sweep['algorithm']}", line_color=colour(t["technology"]),
                            line_dash=DASHES[i % len(DASHES)], customdata=t["busbw_gbps"],
                            hovertemplate="%{x:.3s}B: %{y:.3s}s, bus bandwidth %{customdata:.1f} Gb/s"
                                          "<extra>" + t["technology"] + "</extra>")
    fig.update_xaxes(type="log", exponentformat="SI")
    fig.update_yaxes(type="log", exponentformat="SI")
    first = sweeps[0]
    return layout(fig, f"{first['op']} over {first['gpus']:,} GPUs: {first['scenario']}",
                  x="message size (bytes)", y="time (s)")
