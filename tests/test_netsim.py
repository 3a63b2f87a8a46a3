"""Collectives and the flow simulator: closed forms by hand, simulation equal to the closed form on
non-blocking fabrics, congestion where it exists (oversubscription, failures, hash collisions),
order independence and seeds, the training step, and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from lightfabric.compare import compare
from lightfabric.errors import LightfabricError
from lightfabric.netsim.collectives import closed_form, phases, simulated
from lightfabric.netsim.maxmin import max_min_rates
from lightfabric.netsim.simulate import simulate_phase
from lightfabric.netsim.step import load_model, parse_plan, step_time
from lightfabric.netsim.topo import topo_of
from lightfabric.topology.clos_paths import SAME_LEAF, SAME_POD
from lightfabric.scenario.loader import load_scenario, parse_scenario
from tests.test_cli import lf, lf_here

EXAMPLES = sorted(Path(__file__).parent.parent.joinpath("examples").glob("*.yaml"))
MODELS = Path(__file__).parent.parent / "examples" / "models"

SMALL = """
name: small-{over}
cluster: {{gpus: {gpus}, gpu: gb300}}
scale_out: {{switch: tomahawk-5, port_rate_gbps: 800, nic: connectx-8, oversubscription: {over}}}
technologies: [pluggable-dsp]
"""


def _topo(gpus=512, over=1.0, tech="pluggable-dsp"):
    c = compare(parse_scenario(SMALL.format(gpus=gpus, over=over)))
    return topo_of(c.result(tech).design)


@pytest.fixture(scope="module")
def two_tier():
    t = _topo()
    assert t.tiers == 2
    return t, t.build_graph()


@pytest.fixture(scope="module")
def three_tier():
    c = compare(load_scenario(None))
    t = topo_of(c.result("pluggable-dsp").design)
    assert t.tiers == 3
    return t, t.build_graph()


# --- max-min and closed forms by hand -----------------------------------------------------------

def test_max_min_by_hand():
    # link 0 (capacity 1): flows A, B; link 1 (capacity 2): flows B, C -> A = B = 0.5, C = 1.5
    paths = np.array([[0, -1], [0, 1], [1, -1]])
    assert max_min_rates(paths, np.array([1.0, 2.0])) == pytest.approx([0.5, 0.5, 1.5])
    # a flow alone on a link of capacity 3 behind a shared one of capacity 2 with another flow
    paths = np.array([[0, 1], [1, -1]])
    assert max_min_rates(paths, np.array([3.0, 2.0])) == pytest.approx([1.0, 1.0])


def test_ring_all_reduce_closed_form_matches_the_textbook(two_tier):
    topo, _ = two_tier
    n, size = 32, 1e8                     # one leaf: every step is same-leaf
    r = closed_form(topo, "all-reduce", "ring", np.arange(n), size)
    alpha = topo.class_latency_s()[SAME_LEAF]
    beta = 8 / (topo.gpu_bw_gbps * 1e9)
    assert r.time_s == pytest.approx(2 * (n - 1) * alpha + 2 * (n - 1) / n * size * beta)
    assert r.busbw_gbps == pytest.approx(r.algbw_gbps * 2 * (n - 1) / n)
    # direct all-to-all across leaves: (n - 1) / n of the size through each NIC, one same-pod latency
    n = 256
    a = closed_form(topo, "all-to-all", "direct", np.arange(n), size)
    assert a.time_s == pytest.approx(topo.class_latency_s()[SAME_POD] + (n - 1) / n * size * beta)


def test_halving_doubling_needs_a_power_of_two(two_tier):
    topo, _ = two_tier
    with pytest.raises(LightfabricError, match="power of two"):
        phases("all-reduce", "halving-doubling", np.arange(12), 1e6)


# --- the simulator against the closed form --------------------------------------------------------

CASES = [("all-reduce", "ring"), ("all-reduce", "halving-doubling"), ("all-reduce", "tree"),
         ("reduce-scatter", "ring"), ("all-gather", "ring"), ("reduce-scatter", "halving-doubling"),
         ("all-gather", "halving-doubling"), ("all-to-all", "direct"), ("all-to-all", "shifted")]


@pytest.mark.parametrize("op,alg", CASES)
@pytest.mark.parametrize("n", [16, 64, 256])
def test_simulation_equals_closed_form_on_a_non_blocking_fabric(two_tier, op, alg, n):
    topo, graph = two_tier
    for size in (1e4, 1e8):
        a = closed_form(topo, op, alg, np.arange(n), size)
        s = simulated(graph, op, alg, np.arange(n), size)
        assert s.time_s == pytest.approx(a.time_s, rel=1e-9)
        assert s.max_link_utilization <= 1 + 1e-9


@pytest.mark.parametrize("op,alg,n", [("all-reduce", "ring", 2048), ("all-reduce", "halving-doubling", 2048),
                                      ("all-to-all", "shifted", 96), ("all-reduce", "tree", 3000)])
def test_simulation_equals_closed_form_across_pods(three_tier, op, alg, n):
    topo, graph = three_tier
    a = closed_form(topo, op, alg, np.arange(n), 1e7)
    s = simulated(graph, op, alg, np.arange(n), 1e7)
    assert s.time_s == pytest.approx(a.time_s, rel=1e-9)


def test_hierarchical_all_reduce_uses_the_scale_up_domain():
    c = compare(load_scenario(Path(__file__).parent.parent / "examples" / "gb300-nvl72-64k-cpo.yaml"))
    topo = topo_of(c.result("cpo").design)
    graph = topo.build_graph()
    ranks = np.arange(72 * 8)
    hier = closed_form(topo, "all-reduce", "hierarchical", ranks, 1e9)
    flat = closed_form(topo, "all-reduce", "ring", ranks, 1e9)
    assert hier.time_s < flat.time_s
    assert simulated(graph, "all-reduce", "hierarchical", ranks, 1e9).time_s == pytest.approx(hier.time_s, rel=1e-9)


# --- congestion ---------------------------------------------------------------------------------

def test_oversubscription_two_to_one_roughly_halves_all_to_all_bandwidth():
    res = {}
    for over in (1.0, 2.0):
        t = _topo(gpus=512, over=over)
        g = t.build_graph()
        s = simulated(g, "all-to-all", "direct", np.arange(512), 1e8)
        a = closed_form(t, "all-to-all", "direct", np.arange(512), 1e8)
        res[over] = (s.busbw_gbps, a.busbw_gbps, s.max_link_utilization)
    ratio = res[2.0][0] / res[1.0][0]
    assert 0.4 < ratio < 0.6, ratio
    assert res[2.0][1] == pytest.approx(res[1.0][1])     # the closed form does not see the spine


def test_a_failed_uplink_takes_its_share_of_the_leaf_throughput(two_tier):
    topo, graph = two_tier
    gpl = topo.gpus_per_leaf
    src = np.arange(gpl)                                  # every GPU of leaf 0 ...
    dst = src + gpl                                       # ... to its twin in leaf 1
    cap = graph.capacity_gbps
    before = max_min_rates(graph.route(src, dst), cap).sum()
    # fail one of leaf 0's uplinks (to spine 0), both directions
    failed = graph.with_failures([graph.wiring.leaf_up[0, 0], graph.wiring.leaf_down[0, 0]])
    after = max_min_rates(failed.route(src, dst), failed.capacity_gbps).sum()
    u_capacity = graph.capacity_gbps[graph.wiring.leaf_up[0]].sum()
    lost = graph.capacity_gbps[graph.wiring.leaf_up[0, 0]]
    expected = min(before, u_capacity - lost)
    assert after == pytest.approx(expected)
    assert after < before
    # no flow is routed through the failed link
    assert not np.isin(failed.route(src, dst), [graph.wiring.leaf_up[0, 0]]).any()


def test_hash_collisions_slow_a_permutation_that_spread_routing_keeps_at_line_rate(three_tier):
    topo, graph = three_tier
    n = 4096
    src = np.arange(n)
    dst = (src + 1024) % n
    spread = simulate_phase(graph, src, dst, 1e6, "spread")
    hashed = simulate_phase(graph, src, dst, 1e6, "hash", seed=1)
    assert spread.transfer_s == pytest.approx(1e6 * 8 / (topo.gpu_bw_gbps * 1e9))
    assert hashed.time_s > 1.5 * spread.time_s


def test_results_do_not_depend_on_flow_order_and_seeds_repeat(three_tier):
    _, graph = three_tier
    rng = np.random.default_rng(3)
    n = 2048
    src = np.arange(n)
    dst = rng.permutation(n)
    keep = src != dst
    src, dst = src[keep], dst[keep]
    a = simulate_phase(graph, src, dst, 1e6, "hash", seed=7)
    order = rng.permutation(len(src))
    b = simulate_phase(graph, src[order], dst[order], 1e6, "hash", seed=7)
    assert a.time_s == b.time_s and a.max_link_utilization == b.max_link_utilization
    c = simulate_phase(graph, src, dst, 1e6, "hash", seed=7)
    assert c == a
    paths_a = graph.route(src, dst, "hash", 7)
    paths_b = graph.route(src[order], dst[order], "hash", 7)
    assert (paths_a[order] == paths_b).all()


# --- the training step ----------------------------------------------------------------------------

def test_step_parts_add_up_and_a_bigger_scale_up_domain_helps_the_moe():
    sc = load_scenario(Path(__file__).parent.parent / "examples" / "gb300-nvl72-64k-cpo.yaml")
    model = load_model(MODELS / "moe-1t.yaml")
    out = {}
    for domain in (72, 576):
        s = sc.model_copy(update={"scale_up": sc.scale_up.model_copy(update={"domain_gpus": domain})})
        c = compare(s)
        topo = topo_of(c.result("cpo").design)
        plan = parse_plan("tp=8,pp=8,ep=64", sc.cluster.gpus, model)
        r = step_time(topo, 2250.0, model, plan)
        assert r["step_time_s"] == pytest.approx(r["compute_s"] + r["bubble_s"] + r["exposed_comm_total_s"])
        assert r["exposed_comm_total_s"] == pytest.approx(sum(r["exposed_comm_s"].values()))
        assert r["exposed_comm_total_s"] == pytest.approx(sum(x["exposed_s"] for x in r["collectives"]))
        out[domain] = r
    ep72 = next(x for x in out[72]["collectives"] if x["collective"].startswith("expert"))
    ep576 = next(x for x in out[576]["collectives"] if x["collective"].startswith("expert"))
    assert ep72["network"] == "scale-out" and ep576["network"] == "scale-up"
    assert out[576]["step_time_s"] < 0.8 * out[72]["step_time_s"]


def test_compute_time_by_hand():
    model = load_model(MODELS / "dense-405b.yaml")
    topo = topo_of(compare(load_scenario(None)).result("cpo").design)
    plan = parse_plan("tp=8,pp=16,dp=...", 32768, model)
    r = step_time(topo, 2250.0, model, plan)
    flops = model.global_batch_tokens * (6 * 4.05e11 + 12 * 126 * 16384 * 8192)
    assert r["compute_s"] == pytest.approx(flops / (32768 * 2250e12 * 0.4))
    assert plan.dp == 256 and r["micro_batches"] == 8


def test_bad_plans_and_models_name_the_field(tmp_path):
    model = load_model(MODELS / "moe-1t.yaml")
    with pytest.raises(LightfabricError, match="ep"):
        parse_plan("tp=8,pp=8,dp=1024,ep=3", 65536, model)
    with pytest.raises(LightfabricError, match="tp x pp x dp"):
        parse_plan("tp=8,pp=8,dp=4096", 65536, model)
    with pytest.raises(LightfabricError, match="--plan"):
        parse_plan("tp=8,zz=2", 65536, model)
    bad = tmp_path / "m.yaml"
    bad.write_text("name: x\nparameters: 1e9\nactive_parameters: 2e9\nlayers: 2\nhidden: 8\nsequence_length: 8\n"
                   "global_batch_tokens: 64\n")
    with pytest.raises(LightfabricError, match="active_parameters"):
        load_model(bad)


# --- CLI ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_collective_and_step_run_on_every_example(path):
    c = lf_here("collective", str(path), "--op", "all-reduce", "--size-bytes", "1e8", "--gpus", "256", "--simulate",
           "--format", "json")
    assert c.returncode == 0, c.stderr
    out = json.loads(c.stdout)
    for r in out["results"]:
        if r["feasible"]:
            for k in ("time_s", "algbw_gbps", "busbw_gbps", "max_link_utilization", "phases"):
                assert k in r
            assert r["time_s"] == pytest.approx(r["closed_form"]["time_s"], rel=0.5)
    s = lf_here("step", str(path), "--model", str(MODELS / "dense-405b.yaml"), "--plan", "tp=8,pp=4", "--format", "json")
    assert s.returncode == 0, s.stderr
    for r in json.loads(s.stdout)["results"]:
        if r["feasible"]:
            assert r["step_time_s"] > r["compute_s"] > 0
            assert set(r["exposed_comm_s"]) == {"scale-up", "scale-out"}


def test_cli_bad_input():
    r = lf("collective", "--op", "broadcast")
    assert r.returncode == 2 and "--op" in r.stderr
    r = lf("collective", "--gpus", "1")
    assert r.returncode == 2 and "--gpus" in r.stderr
    r = lf("collective", "--fail-links", "2")
    assert r.returncode == 2 and "--simulate" in r.stderr
    r = lf("step", "--model", "nope.yaml")
    assert r.returncode == 2 and "no such file" in r.stderr
    r = lf("collective", "--simulate", "--gpus", "512", "--fail-links", "3", "--routing", "hash", "--format", "json")
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)["results"][0]
    assert res["simulated"]["failed_links"] == 3


def test_max_min_matches_a_plain_progressive_filling_on_random_networks():
    """The incremental solver against the textbook loop, one level at a time, in plain Python."""
    rng = np.random.default_rng(0)
    for _ in range(100):
        n_links, n_flows = int(rng.integers(4, 12)), int(rng.integers(2, 30))
        paths = np.full((n_flows, 4), -1)
        for i in range(n_flows):
            k = int(rng.integers(1, 5))
            paths[i, :k] = rng.choice(n_links, k, replace=False)
        cap = rng.uniform(0.5, 3, n_links)
        rate, live, left = np.zeros(n_flows), np.ones(n_flows, bool), cap.copy()
        while live.any():
            cnt = np.array([sum(1 for i in range(n_flows) if live[i] and l in paths[i]) for l in range(n_links)])
            inc = min(left[l] / cnt[l] for l in range(n_links) if cnt[l] > 0)
            rate[live] += inc
            left -= inc * cnt
            for l in range(n_links):
                if cnt[l] > 0 and left[l] <= 1e-12:
                    live[[i for i in range(n_flows) if l in paths[i]]] = False
        assert max_min_rates(paths, cap) == pytest.approx(rate)


def test_failures_that_disconnect_a_leaf_are_an_input_error_not_a_crash():
    r = lf("collective", "--simulate", "--gpus", "512", "--size-bytes", "1e6", "--fail-links", "30000")
    assert r.returncode == 2 and "--fail-links" in r.stderr and "no healthy path" in r.stderr
    assert "internal error" not in r.stderr
