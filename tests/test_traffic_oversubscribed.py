"""Traffic between blocks on an oversubscribed Clos whose leaves do not hold a whole number of GPUs.

A leaf of ``d`` downlinks serves ``d / p`` GPUs of ``p`` ports each; with ``d`` odd and ``p = 2``
(Tomahawk 5 at 400G with an 800G NIC, oversubscription 1.5: 77 down, 51 up) that is 38.5. The path
model used to put ``floor(d / p)`` GPUs on a leaf, so the last GPUs sat on leaves (and pods) the
fabric does not have: block traffic failed with a shape mismatch (4 blocks of GPUs, 3 pods of
uplinks) and the flow simulator indexed a leaf past the last. A GPU now sits on the leaf of its
first port, as it is cabled, so the model's leaves and pods are the fabric's.

The figures are checked against a hand calculation from the tree's counts: under uniform traffic a
block of ``n`` of the ``N`` GPUs sends ``(N - n) / (N - 1)`` of its GPUs' rate out over uplinks of
``u / d`` of their rate (spines are non-blocking above the leaf), so the share carried is
``min(1, (u / d) (N - 1) / (N - n))``; under a permutation of blocks each GPU sends to its twin in
the image block (between unequal blocks the smaller one's count of GPUs send): ``u / d`` for full pods.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lightfabric
from lightfabric.compare import compare
from lightfabric.netsim.topo import topo_of
from lightfabric.netsim.traffic import block_layout, block_traffic, traffic_report
from lightfabric.sweep.evaluate import traffic_figures
from lightfabric.topology.circuits import derangement


def _scenario(gpus: int, oversubscription: float, tiers=3, switch="tomahawk-5", rate=400):
    return lightfabric.Scenario.model_validate({
        "name": "oversubscribed", "cluster": {"gpus": gpus, "gpu": "gb300"},
        "scale_out": {"switch": switch, "port_rate_gbps": rate, "nic": "connectx-8", "tiers": tiers,
                      "oversubscription": oversubscription},
        "technologies": ["pluggable-dsp"]})


def _design(gpus, oversubscription, **kw):
    r = compare(_scenario(gpus, oversubscription, **kw)).results[0]
    assert r.feasible, r.reasons
    return r.design


@pytest.mark.parametrize("gpus,over", [(6000, 1.5), (6000, 2.0), (32768, 2.0), (10880, 2.0), (4097, 3.0)])
def test_every_gpu_sits_on_a_leaf_and_pod_the_fabric_has(gpus, over):
    d = _design(gpus, over)
    topo = topo_of(d)
    s = d.fabric.summary
    ranks = np.arange(gpus)
    leaves = topo.leaf_of(ranks)
    assert leaves.max() < s["switches_per_tier"][0] == topo.shape.leaves
    # a GPU on the leaf of its first port: per leaf, the GPUs whose first port is among its d downlinks
    ppg = 2   # an 800G NIC on 400G ports
    assert np.array_equal(leaves, ranks * ppg // s["leaf_ports_down"])
    blocks = topo.blocks_of(ranks)
    assert blocks.max() + 1 == len(topo.block_uplink_gbps()) == topo.shape.pods


def test_the_oversubscribed_three_tier_case_of_the_issue_runs():
    d = _design(6000, 1.5)
    figs = dict(traffic_figures(d))
    assert 0 < figs["uniform_traffic_efficiency"] <= 1 and 0 < figs["permutation_traffic_efficiency"] <= 1


def test_uniform_traffic_follows_the_uplink_downlink_ratio():
    # 10,880 GPUs = 4 full pods of 64 leaves x 85 ports (o = 2: 85 down, 43 up), 2 ports a GPU
    gpus = 10880
    d = _design(gpus, 2.0)
    s = d.fabric.summary
    down, up = s["leaf_ports_down"], s["leaf_ports_up"]
    assert (down, up) == (85, 43) and s["switches_per_tier"][0] == 256
    n = 64 * down // 2                                         # GPUs of one pod: 2,720
    hand = min(1.0, up / down * (gpus - 1) / (gpus - n))       # 43/85 x 10879/8160 = 0.674448
    r = block_traffic(topo_of(d), "uniform", 1e9)
    assert r["blocks"] == 4
    assert r["efficiency"] == pytest.approx(hand, rel=1e-12)
    assert hand == pytest.approx(0.674448, abs=1e-6)
    # and the permutation: every block sends all of its GPUs' bits to one other block
    p = block_traffic(topo_of(d), "permutation", 1e9)
    assert p["efficiency"] == pytest.approx(up / down, rel=1e-12)


def test_unequal_pods_by_hand():
    # 6,000 GPUs, o = 1.5: 77 down, 51 up; 156 leaves, pods of 64, 64 and 28 leaves;
    # GPUs by first port: 2,464, 2,464 and 1,072
    gpus = 6000
    d = _design(gpus, 1.5)
    s = d.fabric.summary
    down, up = s["leaf_ports_down"], s["leaf_ports_up"]
    assert (down, up, s["switches_per_tier"][0]) == (77, 51, 156)
    n = np.array([2464, 2464, 1072])
    uplink_gbps = np.array([64, 64, 28]) * up * 400.0
    gpu_gbps = 800.0
    topo = topo_of(d)
    assert np.array_equal(np.bincount(topo.blocks_of(np.arange(gpus))), n)
    assert np.allclose(topo.block_uplink_gbps(), uplink_gbps)
    uniform = min(1.0, float((uplink_gbps / (n * gpu_gbps * (gpus - n) / (gpus - 1))).min()))
    assert block_traffic(topo, "uniform", 1e9)["efficiency"] == pytest.approx(uniform, rel=1e-12)
    # a permutation of blocks: GPU k of a block to GPU k of its image, so between unequal blocks only
    # the smaller one's count of GPUs send (the others have no twin)
    perm = derangement(3, 0)
    sent = np.minimum(n, n[perm]) * gpu_gbps
    received = np.zeros(3)
    received[perm] = sent
    hand = float((uplink_gbps / np.maximum(sent, received)).min())
    assert block_traffic(topo, "permutation", 1e9)["efficiency"] == pytest.approx(min(1.0, hand), rel=1e-12)


def test_a_permutation_between_unequal_blocks_sends_no_gpu_more_than_its_own_bytes():
    """32,768 GPUs on Tomahawk 5 at 400G, 2:1: twelve pods of 2,560 GPUs and one of 2,048. A full
    pod mapped onto the small one used to send all its GPUs' bytes into it, 1.25 times what the small
    pod's GPUs can take, and the fabric time grew with that overload (efficiency 3 %). Twin to twin,
    each pod's uplinks carry at most its GPUs' rate: the efficiency is the leaf's up/down ratio."""
    d = _design(32768, 2.0)
    s = d.fabric.summary
    topo = topo_of(d)
    per_block = np.bincount(topo.blocks_of(np.arange(32768)))
    assert per_block.min() < per_block.max()            # unequal pods
    down, up = s["leaf_ports_down"], s["leaf_ports_up"]
    hand = min(1.0, float((topo.block_uplink_gbps() / (per_block * 800.0)).min()))
    assert hand == pytest.approx(up / down, rel=1e-12)
    for seed in range(5):
        r = block_traffic(topo, "permutation", 1e9, seed=seed)
        assert r["efficiency"] == pytest.approx(hand, rel=1e-12)


def test_traffic_report_of_the_issue_scenario():
    out = traffic_report(_scenario(6000, 2.0), pattern="uniform", size_bytes=1e8)
    assert all(r["feasible"] and r["blocks"] == 3 for r in out["results"])


def test_the_flow_simulator_reaches_every_gpu_of_an_oversubscribed_two_tier_tree():
    # the same model fault sent the last GPUs of a two-tier tree to a leaf the graph does not have
    from lightfabric.netsim.collectives import simulated
    d = _design(4000, 1.5, tiers=2)
    topo = topo_of(d)
    graph = topo.build_graph()
    ranks = np.r_[0:5, 3995:4000].astype(np.int64)   # the first leaf and the last
    r = simulated(graph, "all-to-all", "direct", ranks, 1e6, "spread", 0)
    assert r.time_s > 0


@pytest.mark.parametrize("gpus,switch,rate", [(6000, "tomahawk-5", 400), (6000, "tomahawk-5", 800),
                                               (6000, "tomahawk-6-100g", 800)])
def test_a_non_blocking_tree_carries_any_block_permutation_at_full_rate(gpus, switch, rate):
    """Without oversubscription every pod's uplinks match its GPUs, so a permutation of GPUs between
    pods runs at the GPUs' own rate, a last partial pod included (it read 47-94 % when a full pod's
    every GPU sent into the partial one)."""
    topo = topo_of(_design(gpus, 1.0, switch=switch, rate=rate))
    assert len(set(np.bincount(topo.blocks_of(np.arange(gpus))))) > 1     # a partial pod
    for seed in range(4):
        assert block_traffic(topo, "permutation", 1e9, seed=seed)["efficiency"] == pytest.approx(1.0, rel=1e-12)


@settings(max_examples=25, deadline=None, derandomize=True, database=None)
@given(gpus=st.integers(512, 200_000),
       port=st.sampled_from([("tomahawk-5", 400), ("tomahawk-5", 800), ("tomahawk-6-100g", 400),
                             ("tomahawk-6-100g", 800), ("tomahawk-6", 1600)]),
       over=st.sampled_from([1.0, 1.5, 2.0, 3.0]), seed=st.integers(0, 3))
def test_block_traffic_stays_between_the_leaf_ratio_and_full_rate(gpus, port, over, seed):
    """Any tree, any size (partial pods included): uniform traffic and any block permutation are
    carried at between the leaves' up/down port ratio and the GPUs' full rate, and at full rate
    without oversubscription: a pattern of GPUs (each sends and receives its own bytes) cannot be
    slowed by more than the leaves' oversubscription on a non-blocking core."""
    switch, rate = port
    try:
        d = _design(gpus, over, switch=switch, rate=rate, tiers="auto")
    except (AssertionError, lightfabric.errors.LightfabricError):
        return                                      # a cluster this switch cannot build: not the subject
    topo = topo_of(d)
    layout = block_layout(topo)
    if layout is None or layout.blocks < 2:
        return
    s = d.fabric.summary
    ratio = min(1.0, s["leaf_ports_up"] / s["leaf_ports_down"])
    for pattern in ("uniform", "permutation"):
        e = block_traffic(topo, pattern, 1e9, seed=seed, layout=layout)["efficiency"]
        assert ratio * (1 - 1e-9) <= e <= 1 + 1e-12, (pattern, e, ratio)
        if over == 1.0:
            assert e == pytest.approx(1.0, rel=1e-12), pattern
