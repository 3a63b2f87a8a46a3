"""Flow-level simulation of one phase of a collective: routed flows share links max-min fairly;
when flows finish, the rest share again, until all are done.

A flow's time is its path latency plus its bytes over its rate (rates re-solved at every
completion); the phase ends with its last flow. Flows of equal size on equal paths finish
together, so a phase needs few re-solves.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lightfabric.netsim.maxmin import link_load, max_min_rates
from lightfabric.topology.paths import Graph

BITS_PER_BYTE = 8.0
MERGE_TOLERANCE = 0.05      # completions within 5 % of the next one are taken together
MAX_SOLVES = 4              # after this many re-solves the rates are held to the end of the phase


@dataclass(frozen=True)
class PhaseResult:
    time_s: float
    transfer_s: float              # the last flow's transfer time (without latency)
    latency_s: float               # the latency of the last flow's path
    flows: int
    max_link_utilization: float    # at the start of the phase
    min_rate_gbps: float
    mean_rate_gbps: float
    rounds: int                    # max-min solves
    rates_held: bool = False       # MAX_SOLVES reached: the last rates were held to the end

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def simulate_phase(graph: Graph, src, dst, bytes_per_flow, routing: str = "spread", seed: int = 0) -> PhaseResult:
    """Time of one phase: every flow ``src[i] -> dst[i]`` of ``bytes_per_flow`` (scalar or array)."""
    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    size_bits = np.broadcast_to(np.asarray(bytes_per_flow, dtype=float), src.shape) * BITS_PER_BYTE
    if len(src) == 0:
        return PhaseResult(0.0, 0.0, 0.0, 0, 0.0, 0.0, 0.0, 0)
    paths = graph.route(src, dst, routing, seed)
    hops = paths >= 0
    latency = np.where(hops, graph.latency_s[np.where(hops, paths, 0)], 0.0).sum(axis=1)
    cap_bps = graph.capacity_gbps * 1e9
    left = size_bits.copy()
    done_at = np.zeros(len(src))
    live = left > 0
    now = 0.0
    rounds = 0
    first_rates = None
    held = False
    rates = None
    while live.any():
        if rounds < MAX_SOLVES:
            rates = max_min_rates(paths, cap_bps, live)
            rounds += 1
        else:
            held = True
            rates = np.where(live, rates, 0.0)
        if first_rates is None:
            first_rates = rates.copy()
        if not (rates[live] > 0).all():
            raise ValueError("a flow gets no bandwidth: its path crosses a link of zero capacity")
        finish = np.full(len(src), np.inf)
        finish[live] = left[live] / rates[live]
        dt = finish.min()
        finished = live & (finish <= dt * (1.0 + MERGE_TOLERANCE))
        step = np.where(finished, finish, dt)
        left[live] -= rates[live] * step[live]
        done_at[finished] = now + finish[finished]
        now += dt
        live &= ~finished
    total = done_at + latency
    last = int(np.argmax(total))
    util = link_load(paths, first_rates, graph.links) / np.where(cap_bps > 0, cap_bps, np.inf)
    rates_gbps = size_bits / np.where(done_at > 0, done_at, np.inf) / 1e9
    return PhaseResult(time_s=float(total[last]), transfer_s=float(done_at[last]), latency_s=float(latency[last]),
                       flows=len(src), max_link_utilization=float(util.max()),
                       min_rate_gbps=float(rates_gbps.min()), mean_rate_gbps=float(rates_gbps.mean()), rounds=rounds,
                       rates_held=held)
