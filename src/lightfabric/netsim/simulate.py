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
    # the links in use, renumbered once for every solve (the routed paths are not kept)
    flows = FlowLinks(graph.route(src, dst, routing, seed), graph.links)
    incidences = flows.incidences
    latency = flows.path_sum(graph.latency_s[flows.used])
    cap_bps = graph.capacity_gbps[flows.used] * 1e9
    left = size_bits.copy()
    done_at = np.zeros(len(src))
    live = left > 0
    now = 0.0
    rounds = 0
    first_rates = None
    held = False
    rates = finish = finished = None
    n_live = int(np.count_nonzero(live))
    while n_live:
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
        all_live = n_live == len(live)
        if not (rates.min() > 0 if all_live else not (live & ~(rates > 0)).any()):
            raise ValueError("a flow gets no bandwidth: its path crosses a link of zero capacity")
        with np.errstate(divide="ignore", invalid="ignore"):
            finish = left / rates if all_live else np.where(live, left / rates, np.inf)
        dt = finish.min()
        finished = live & (finish <= dt * (1.0 + MERGE_TOLERANCE))
        done_at = np.where(finished, now + finish, done_at)
        now += dt
        n_finished = int(np.count_nonzero(finished))
        if n_finished == n_live:                   # the last flows: nothing left to carry over
            break
        left = np.where(live, left - rates * np.where(finished, finish, dt), left)
        live &= ~finished
        n_live -= n_finished
    total = done_at + latency
    last = int(np.argmax(total))
    del finish, finished, left, live, rates
    # in place, the values of util = loads / capacity and rates = bits / done / 1e9
    util = flows.loads(first_rates) if first_rates is not None else np.zeros(flows.m)
    util /= np.where(cap_bps > 0, cap_bps, np.inf)
    rates_gbps = np.where(done_at > 0, done_at, np.inf)
    np.divide(size_bits, rates_gbps, out=rates_gbps)
    rates_gbps /= 1e9
    return PhaseResult(time_s=float(total[last]), transfer_s=float(done_at[last]), latency_s=float(latency[last]),
                       flows=len(src), max_link_utilization=float(util.max()) if len(util) else 0.0,
                       min_rate_gbps=float(rates_gbps.min()), mean_rate_gbps=float(rates_gbps.mean()), rounds=rounds,
                       rates_held=held, completion_events=_distinct(done_at[done_at > 0]),
                       incidences=incidences)


def _distinct(values: np.ndarray) -> int:
    """The number of distinct values (one sort, unless they are all equal)."""
    if not len(values):
        return 0
    if values.min() == values.max():
        return 1
    return int(np.unique(values).size)
