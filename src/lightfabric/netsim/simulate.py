"""Flow-level simulation of one phase of a collective: routed flows share links max-min fairly;
when flows finish, the rest share again, until all are done.

A flow's time is its path latency plus its bytes over its rate (rates re-solved at every
completion); the phase ends with its last flow. Flows of equal size on equal paths finish
together, so a phase needs few re-solves. After ``MAX_SOLVES`` solves the rates are held: every
flow left then finishes at its own rate, computed at once for all of them. The flows' links are
prepared once (:class:`~lightfabric.netsim.maxmin.FlowLinks`) for every solve of the phase.

The result counts the work: ``rounds`` (max-min solves done), ``completion_events`` (distinct
finish times: the solves a simulator re-solving at every completion would do) and ``incidences``
(flow-link pairs in each solve); ``benchmarks/bench_collective_scale.py`` reports them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lightfabric.netsim.maxmin import FlowLinks
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
    completion_events: int = 0     # distinct flow finish times: the re-solves of an event-driven flow simulator
    incidences: int = 0            # flow-link incidences routed: the size of each solve

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
    incidences = int(np.count_nonzero(paths >= 0))
    flows = FlowLinks(paths, graph.links)          # the links in use, renumbered once for every solve
    latency = flows.path_sum(graph.latency_s[flows.used])
    cap_bps = graph.capacity_gbps[flows.used] * 1e9
    left = size_bits.copy()
    done_at = np.zeros(len(src))
    live = left > 0
    now = 0.0
    rounds = 0
    first_rates = None
    held = False
    rates = None
    while live.any():
        if rounds >= MAX_SOLVES:
            # the rates are held to the end of the phase: each flow left finishes at its own rate,
            # all at once (what stepping from completion to completion at these rates gives)
            held = True
            done_at[live] = now + left[live] / rates[live]
            break
        rates = flows.solve(cap_bps, live)
        rounds += 1
        if first_rates is None:
            first_rates = rates
        if (live & ~(rates > 0)).any():
            raise ValueError("a flow gets no bandwidth: its path crosses a link of zero capacity")
        with np.errstate(divide="ignore", invalid="ignore"):
            finish = np.where(live, left / rates, np.inf)
        dt = finish.min()
        finished = live & (finish <= dt * (1.0 + MERGE_TOLERANCE))
        left = np.where(live, left - rates * np.where(finished, finish, dt), left)
        done_at = np.where(finished, now + finish, done_at)
        now += dt
        live &= ~finished
    total = done_at + latency
    last = int(np.argmax(total))
    util = (flows.loads(first_rates) if first_rates is not None else np.zeros(flows.m)) / \
        np.where(cap_bps > 0, cap_bps, np.inf)
    rates_gbps = size_bits / np.where(done_at > 0, done_at, np.inf) / 1e9
    return PhaseResult(time_s=float(total[last]), transfer_s=float(done_at[last]), latency_s=float(latency[last]),
                       flows=len(src), max_link_utilization=float(util.max()) if len(util) else 0.0,
                       min_rate_gbps=float(rates_gbps.min()), mean_rate_gbps=float(rates_gbps.mean()), rounds=rounds,
                       rates_held=held, completion_events=int(np.unique(done_at[done_at > 0]).size),
                       incidences=incidences)
