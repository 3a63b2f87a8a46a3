"""The fast max-min solver (candidate sets, links of one flow kept as that flow's own limit, flows
grouped by link on first need) and the phase simulator's completion loop against straightforward
references written here: progressive filling on a dense flow x link matrix in float64, and the
phase stepped from completion to completion. No timing here: speed is measured by
benchmarks/bench_netsim.py."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from lightfabric.compare import compare
from lightfabric.netsim import maxmin
from lightfabric.netsim.maxmin import FlowLinks, max_min_rates
from lightfabric.netsim.simulate import BITS_PER_BYTE, MAX_SOLVES, MERGE_TOLERANCE, simulate_phase
from lightfabric.netsim.topo import topo_of
from lightfabric.scenario.loader import load_scenario, parse_scenario

REL = 1e-9


def reference_rates(paths: np.ndarray, capacity: np.ndarray, active: np.ndarray | None = None) -> np.ndarray:
    """Progressive filling, textbook style: every growing flow gains the same increment until a
    link is full; the flows through full links stop growing; repeat."""
    paths = np.asarray(paths)
    f = len(paths)
    flow, hop = np.nonzero(paths >= 0)               # the incidences
    link = paths[flow, hop]
    cap = np.asarray(capacity, dtype=float)
    left = cap.copy()
    rate = np.zeros(f)
    stopped = np.zeros(f, dtype=bool) if active is None else ~np.asarray(active, dtype=bool)
    stopped |= np.bincount(flow, minlength=f) == 0    # a flow without links gets nothing
    while not stopped.all():
        growing = ~stopped
        count = np.bincount(link[growing[flow]], minlength=len(cap))
        on = count > 0
        step = float((left[on] / count[on]).min())
        rate[growing] += step
        left[on] -= step * count[on]
        full = on & (left <= 1e-12 * cap + 1e-300)
        through_full = np.zeros(f, dtype=bool)
        through_full[flow[full[link]]] = True
        stopped |= growing & through_full
    return rate


def random_paths(rng, n_flows: int, n_links: int, hops: int, gaps: bool) -> np.ndarray:
    """Distinct links per flow, padded with -1 at the end (or, with ``gaps``, anywhere)."""
    paths = np.full((n_flows, hops), -1)
    for i in range(n_flows):
        k = int(rng.integers(0, min(hops, n_links) + 1))
        cols = np.sort(rng.choice(hops, k, replace=False)) if gaps else np.arange(k)
        paths[i, cols] = rng.choice(n_links, k, replace=False)
    return paths


def random_capacity(rng, n_links: int, kind: str) -> np.ndarray:
    if kind == "ties":                                # many links fill at the same level
        return rng.choice([1.0, 2.0, 4.0, 8.0], n_links)
    if kind == "spread":
        return 10.0 ** rng.uniform(-2, 3, n_links)
    return rng.uniform(0.5, 3.0, n_links)


@pytest.mark.parametrize("kind", ["uniform", "ties", "spread"])
def test_small_random_networks_match_the_reference(kind):
    rng = np.random.default_rng({"uniform": 1, "ties": 2, "spread": 3}[kind])
    for trial in range(150):
        n_links, n_flows, hops = int(rng.integers(1, 40)), int(rng.integers(1, 120)), int(rng.integers(1, 8))
        paths = random_paths(rng, n_flows, n_links, hops, gaps=bool(trial % 2))
        cap = random_capacity(rng, n_links, kind)
        active = None if trial % 3 else rng.random(n_flows) < 0.7
        got = max_min_rates(paths, cap, active)
        assert got == pytest.approx(reference_rates(paths, cap, active), rel=REL, abs=1e-12), trial


@pytest.mark.parametrize("band", [None, 1e-4, 10.0])
@pytest.mark.parametrize("seed", [4, 5, 6])
def test_larger_networks_match_the_reference(seed, band, monkeypatch):
    """Thousands of flows: many levels, candidate rebuilds (the band of candidates narrow: one
    every few rounds; wide: all links), rounds that freeze a few flows (the flows of each link)
    and rounds that freeze many (a scan), links of one flow and shared ones."""
    if band is not None:
        monkeypatch.setattr(maxmin, "BAND", band)
    rng = np.random.default_rng(seed)
    n_links, n_flows, hops = int(rng.integers(300, 900)), int(rng.integers(1500, 3000)), 6
    paths = random_paths(rng, n_flows, n_links, hops, gaps=seed == 5)
    # a private link per flow (a GPU's own link), as a routed phase has
    own = n_links + np.arange(n_flows)
    paths[:, -1] = np.where(rng.random(n_flows) < 0.8, own, paths[:, -1])
    cap = np.concatenate([random_capacity(rng, n_links, "ties" if seed == 6 else "uniform"),
                          rng.choice([0.5, 1.0, 50.0], n_flows)])
    flows = FlowLinks(paths, len(cap))
    for active in (None, rng.random(n_flows) < 0.5, rng.random(n_flows) < 0.05):
        want = reference_rates(paths, cap, active)
        assert flows.solve(cap[flows.used], active) == pytest.approx(want, rel=REL, abs=1e-12)
        assert max_min_rates(paths, cap, active) == pytest.approx(want, rel=REL, abs=1e-12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_small_instance_matches_the_reference(data):
    n_links = data.draw(st.integers(1, 8))
    hops = data.draw(st.integers(1, 4))
    n_flows = data.draw(st.integers(1, 12))
    paths = np.full((n_flows, hops), -1, dtype=np.int64)
    for i in range(n_flows):                          # distinct links anywhere in the row
        links = data.draw(st.lists(st.integers(0, n_links - 1), unique=True, max_size=min(hops, n_links)))
        cols = data.draw(st.permutations(range(hops)))[:len(links)]
        paths[i, cols] = links
    cap = np.array(data.draw(st.lists(st.sampled_from([0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 1e-3, 1e3]),
                                      min_size=n_links, max_size=n_links)))
    active = np.array(data.draw(st.lists(st.booleans(), min_size=len(paths), max_size=len(paths))))
    for act in (None, active):
        got = max_min_rates(paths, cap, act)
        assert got == pytest.approx(reference_rates(paths, cap, act), rel=REL, abs=1e-12)


def test_degenerate_inputs():
    assert max_min_rates(np.zeros((0, 3), dtype=np.int64), np.ones(4)).shape == (0,)
    assert (max_min_rates(np.full((3, 2), -1), np.ones(4)) == 0).all()            # no links at all
    paths = np.array([[0, 1], [1, -1]])
    assert (max_min_rates(paths, np.ones(2), np.zeros(2, dtype=bool)) == 0).all()  # nobody active
    assert max_min_rates(paths, np.array([0.0, 1.0])) == pytest.approx([0.0, 1.0])  # a dead link
    flows = FlowLinks(paths, 2)
    assert list(flows.used) == [0, 1]
    assert flows.loads(np.array([1.0, 2.0])) == pytest.approx([1.0, 3.0])
    assert flows.path_sum(np.array([10.0, 1.0])) == pytest.approx([11.0, 1.0])


# --- the phase: completions in time order, rates held after MAX_SOLVES ----------------------------

SMALL = """
name: small
cluster: {gpus: 512, gpu: gb300}
scale_out: {switch: tomahawk-5, port_rate_gbps: 800, nic: connectx-8, oversubscription: 2.0}
technologies: [pluggable-dsp]
"""


def reference_phase(graph, src, dst, bytes_per_flow, routing, seed):
    """The phase stepped from completion to completion (re-solving until MAX_SOLVES, then holding
    the rates), with the reference solver: (time, transfer, latency, utilization, min and mean
    rate), the solves, and whether the rates were held."""
    size = np.broadcast_to(np.asarray(bytes_per_flow, dtype=float), src.shape) * BITS_PER_BYTE
    paths = graph.route(src, dst, routing, seed)
    hops = paths >= 0
    latency = np.where(hops, graph.latency_s[np.where(hops, paths, 0)], 0.0).sum(axis=1)
    cap = graph.capacity_gbps * 1e9
    left, done, live = size.copy(), np.zeros(len(src)), size > 0
    now, solves, first, rates, held = 0.0, 0, None, None, False
    while live.any():
        if solves < MAX_SOLVES:
            rates = reference_rates(paths, cap, live)
            solves += 1
        else:
            held = True
        rates = np.where(live, rates, 0.0)
        first = rates.copy() if first is None else first
        finish = np.full(len(src), np.inf)
        finish[live] = left[live] / rates[live]
        dt = finish.min()
        finished = live & (finish <= dt * (1.0 + MERGE_TOLERANCE))
        step = np.where(finished, finish, dt)
        left[live] -= rates[live] * step[live]
        done[finished] = now + finish[finished]
        now += dt
        live &= ~finished
    total = done + latency
    last = int(np.argmax(total))
    load = np.zeros(graph.links)
    np.add.at(load, paths[hops], np.broadcast_to(first[:, None], paths.shape)[hops])
    util = (load / np.where(cap > 0, cap, np.inf)).max()
    gbps = size / np.where(done > 0, done, np.inf) / 1e9
    return (total[last], done[last], latency[last], util, gbps.min(), gbps.mean()), solves, held


@pytest.fixture(scope="module")
def oversubscribed():
    return topo_of(compare(parse_scenario(SMALL)).result("pluggable-dsp").design).build_graph()


@pytest.mark.parametrize("routing", ["spread", "hash"])
def test_phases_match_stepping_from_completion_to_completion(oversubscribed, routing):
    graph = oversubscribed
    rng = np.random.default_rng(7)
    held_seen = set()
    for trial in range(4):
        n = 512
        src = np.arange(n)
        dst = rng.permutation(n) if trial % 2 else (src + 200) % n
        keep = src != dst
        src, dst = src[keep], dst[keep]
        size = rng.choice([1e5, 1e6, 3e6, 1e7], len(src)) if trial >= 2 else 1e6
        got = simulate_phase(graph, src, dst, size, routing, seed=trial)
        want, solves, held = reference_phase(graph, src, dst, size, routing, trial)
        assert (got.rounds, got.rates_held) == (solves, held)
        for name, value in zip(("time_s", "transfer_s", "latency_s", "max_link_utilization", "min_rate_gbps",
                                "mean_rate_gbps"), want):
            assert getattr(got, name) == pytest.approx(value, rel=REL), (trial, name)
        held_seen.add(held)
    assert True in held_seen                   # the rates are held to the end in some phase


@pytest.fixture(scope="module")
def three_tier():
    return topo_of(compare(load_scenario(None)).result("pluggable-dsp").design).build_graph()


def test_failed_links_are_avoided_and_phases_match(three_tier):
    """With failed leaf and core links the routing looks at every flow's healthy spines and cores;
    flows across pods avoid them and the phase still matches the reference."""
    graph = three_tier
    w = graph.wiring
    rng = np.random.default_rng(9)
    pick = rng.choice(len(graph.failable_up), 8, replace=False)
    core = rng.choice(w.spine_up.size, 16, replace=False)
    failed = graph.with_failures(np.concatenate([graph.failable_up[pick], graph.failable_down[pick],
                                                 w.spine_up.ravel()[core], w.core_down.ravel()[core]]))
    n = 2048
    src = np.arange(0, 16 * n, 16)                    # GPUs spread over the pods
    dst = rng.permutation(src)
    keep = src != dst
    src, dst = src[keep], dst[keep]
    for routing in ("spread", "hash"):
        paths = failed.route(src, dst, routing, 3)
        assert not failed.failed[paths[paths >= 0]].any()
        assert (paths[:, 5] >= 0).mean() > 0.5        # most flows cross the core
        got = simulate_phase(failed, src, dst, 1e6, routing, seed=3)
        want, solves, held = reference_phase(failed, src, dst, 1e6, routing, 3)
        assert (got.rounds, got.rates_held) == (solves, held)
        assert got.time_s == pytest.approx(want[0], rel=REL)
        assert got.max_link_utilization == pytest.approx(want[3], rel=REL)
