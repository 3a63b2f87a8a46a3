"""Direct-connect fabrics (issue 22): aggregation blocks meshed by optical circuits, as Jupiter."""

from math import ceil
from pathlib import Path

import numpy as np
import pytest
import yaml

import lightfabric
from lightfabric.netsim.simulate import simulate_phase
from lightfabric.netsim.topo import topo_of
from lightfabric.netsim.traffic import block_traffic
from lightfabric.topology.circuits import demand_circuits, route_blocks, uniform_circuits
from lightfabric.topology.clos_paths import TreeShape
from lightfabric.topology.direct_connect import DirectConnectPaths
from tests.test_cli import lf

ROOT = Path(__file__).resolve().parents[1]
DC = ROOT / "examples" / "jupiter-direct-connect-64k.yaml"
CLOS = ROOT / "examples" / "fat-tree-64k-clos.yaml"


@pytest.fixture(scope="module")
def dc():
    return lightfabric.compare(lightfabric.load_scenario(DC))


@pytest.fixture(scope="module")
def clos():
    return lightfabric.compare(lightfabric.load_scenario(CLOS))


def test_blocks_uplinks_circuits_and_ocs_units_by_hand(dc, clos):
    # radix 64: a block is 32 leaves of 32 hosts and 32 spines of 32 uplinks
    s = dc.plan.fabric.summary
    assert s["blocks"] == 65536 // 1024 == 64 and s["uplinks_per_block"] == 32 * 32
    assert (s["circuits_per_pair_min"], s["circuits_per_pair_max"]) == (1024 // 63, 1024 // 63 + 1)
    assert s["circuits_total"] == 64 * 1024 // 2
    r = dc.result("pluggable-dsp")
    cat = dc.plan.catalog
    ocs = cat.get("palomar-ocs")
    uplink = next(g for g in r.design.link_groups if g.spec.name == "spine-ocs").lower_end
    module, dr8 = cat.get(uplink.part_id), cat.get("osfp-800g-dr8")
    pairs = uplink.fiber_pairs
    ports = 64 * 1024 * pairs * (1 if ocs.circulators else 2)
    assert r.bom["ocs"] == ceil(ports / (2 * ocs.ports))
    # into the OCS a module pays for the OCS ports its fiber pairs take: a CWDM module (2 pairs) beats
    # DR8 (8 pairs, one a lane) once those ports are counted
    port_usd = ocs.price_usd / (2 * ocs.ports)
    assert module.interface == "FR" and pairs == 2
    assert module.price_usd + pairs * port_usd < dr8.price_usd + dr8.optical_lanes * port_usd
    assert module.price_usd > dr8.price_usd              # dearer alone: the OCS ports decide
    # no core switches: the Clos's 1,024 cores are gone, its leaves and spines stay
    assert r.topology["switches"] == clos.result("pluggable-dsp").topology["switches"] - 1024
    assert any("optical circuit switches take the 65,536 spine-ocs links" in n for n in r.notes)


def test_uniform_circuits_fill_every_uplink_symmetrically():
    for blocks, uplinks in ((4, 6), (5, 9), (64, 1024), (64, 64), (7, 3)):
        c = uniform_circuits(blocks, uplinks)
        assert (c == c.T).all() and (np.diag(c) == 0).all() and (c.sum(axis=1) <= uplinks).all()
        off = c[~np.eye(blocks, dtype=bool)]
        assert off.max() - off.min() <= 1
        assert c.sum() >= blocks * uplinks - blocks     # at most one uplink a block left over (odd pairings)


def test_uniform_traffic_matches_the_clos_within_its_circuits_bound(dc, clos):
    for c, name in ((dc, "direct"), (clos, "clos")):
        r = block_traffic(topo_of(c.result("pluggable-dsp").design), "uniform", 1e8)
        if name == "clos":
            assert r["efficiency"] == pytest.approx(1.0)
        else:
            # pairs with 16 circuits instead of 1024/63 = 16.25 bound the mesh: at least 16 / 16.25
            assert 16 / (1024 / 63) - 1e-6 <= r["efficiency"] <= 1.0 and r["transit_share"] < 0.05


def test_a_block_permutation_halves_the_mesh_and_engineered_circuits_win_it_back(dc, clos):
    perm_dc = block_traffic(topo_of(dc.result("pluggable-dsp").design), "permutation", 1e8, seed=3)
    perm_clos = block_traffic(topo_of(clos.result("pluggable-dsp").design), "permutation", 1e8, seed=3)
    assert perm_clos["efficiency"] == pytest.approx(1.0)
    # each block's traffic to one other block: 16 direct circuits, the rest over two circuits each
    assert 0.45 < perm_dc["efficiency"] < 0.55 and perm_dc["transit_share"] > 0.9
    # circuits engineered for a pairwise exchange carry it at nearly the GPUs' rate
    m = np.zeros((64, 64))
    m[np.arange(64), np.arange(64) ^ 1] = 1.0
    c = demand_circuits(m, 1024)
    assert c[0, 1] == 1024 - 62 and (c.sum(axis=1) == 1024).all()
    cap = c * 800e9
    t = route_blocks(m * 1024 * 8e8, cap).time_s
    assert t == pytest.approx(1024 * 8e8 / (1024 * 800e9), rel=0.05)
    # ... and then fall far behind on uniform traffic (one circuit to every other block)
    u = np.full((64, 64), 1024 * 1024 * 8e8 / 65535)
    np.fill_diagonal(u, 0)
    assert route_blocks(u, cap).time_s > 10 * route_blocks(u, uniform_circuits(64, 1024) * 800e9).time_s


def _tiny(circuits):
    """Four blocks of two leaves of eight GPUs (100G each); a leaf's 800G up over two spines, a block's
    uplinks the circuits (100G each)."""
    shape = TreeShape(3, 8, 8, 2, 4, 2, 2, 400.0, 100.0)
    return DirectConnectPaths(gpus=64, planes=1, gpu_bw_gbps=100.0, domain_gpus=None, scale_up_bw_gbps=0.0,
                              shape=shape, group_names=("host-leaf", "leaf-spine", "spine-ocs"),
                              tier_switch_s=(0.0, 0.0, 0.0), circuits=circuits, block_gpus=16, circuit_rate_gbps=100.0)


def test_the_flow_simulator_agrees_with_the_block_routing():
    # 16 uplinks a block over 3 other blocks: 5 or 6 circuits a pair
    model = _tiny(uniform_circuits(4, 16))
    graph = model.build_graph()
    src = np.arange(64)
    for shift in (16, 32):         # block b -> b + 1, b -> b + 2: one other block each (adversarial)
        dst = (src + shift) % 64
        sim = simulate_phase(graph, src, dst, 1e6)
        fluid = model.inter_block_time_s(src, dst, 1e6)
        nic = 1e6 * 8 / 100e9
        assert fluid > 1.5 * nic                   # the circuits bind, not the GPUs' links
        # 16 flows a block pair split over direct and transit paths in whole flows: within 15 %
        assert sim.transfer_s == pytest.approx(fluid, rel=0.15)


def test_bad_circuits_and_demand_exit_2_naming_the_field(tmp_path):
    doc = yaml.safe_load(DC.read_text())
    cases = [
        ({"circuit_matrix": (np.full((64, 64), 20) - 20 * np.eye(64, dtype=int)).tolist()}, "scale_out.circuit_matrix",
         "more than its 1024 uplinks"),
        ({"circuits": "demand", "demand_matrix": [[0, 1], [1, 0]]}, "scale_out.demand_matrix", "64 blocks"),
        ({"circuits": "demand"}, "scale_out.demand_matrix", "needs the traffic"),
        ({"circuits": "demand", "demand_matrix": (-np.ones((64, 64))).tolist()}, "scale_out.demand_matrix", "negative"),
    ]
    for change, field, words in cases:
        d = yaml.safe_load(yaml.safe_dump(doc))
        d["scale_out"].update(change)
        path = tmp_path / "bad.yaml"
        path.write_text(yaml.safe_dump(d))
        p = lf("compare", str(path))
        assert p.returncode == 2 and field in p.stderr and words in " ".join(p.stderr.split()), p.stderr
    small = yaml.safe_load(DC.read_text())
    small["cluster"]["gpus"] = 1024
    path = tmp_path / "one-block.yaml"
    path.write_text(yaml.safe_dump(small))
    p = lf("compare", str(path))
    assert p.returncode == 2 and "cluster.gpus" in p.stderr and "two or more aggregation blocks" in p.stderr
    bad = tmp_path / "m.csv"
    bad.write_text("1,2\n3,4\n")
    p = lf("traffic", str(DC), "--pattern", str(bad))
    assert p.returncode == 2 and "--pattern" in p.stderr and "64 blocks" in p.stderr


def test_every_command_on_the_example(tmp_path):
    for args in (("compare",), ("reliability", "--trials", "2"), ("economics",), ("traffic", "--pattern", "permutation"),
                 ("collective", "--op", "all-to-all", "--size-bytes", "1e8")):
        p = lf(args[0], str(DC), *args[1:])
        assert p.returncode == 0, (args, p.stderr)
    # the same fabric of four blocks for the slower faces: the report, a simulated collective, a step
    small = tmp_path / "dc4k.yaml"
    small.write_text(DC.read_text().replace("gpus: 65536", "gpus: 4096"))
    p = lf("report", str(small), "-o", str(tmp_path / "r.html"), "--trials", "2")
    assert p.returncode == 0, p.stderr
    p = lf("step", str(small), "--model", str(ROOT / "examples" / "models" / "dense-405b.yaml"), "--plan", "tp=8,pp=4")
    assert p.returncode == 0, p.stderr
    p = lf("collective", str(small), "--op", "all-to-all", "--gpus", "1040", "--size-bytes", "1e7", "--simulate",
           "--format", "json")
    assert p.returncode == 0, p.stderr
    import json
    for r in json.loads(p.stdout)["results"]:
        # 16 GPUs of the second block: the closed form and the simulation agree within 5 %
        assert r["simulated"]["time_s"] == pytest.approx(r["closed_form"]["time_s"], rel=0.05)


def test_the_web_api_and_a_sweep_build_the_mesh(tmp_path):
    from fastapi.testclient import TestClient

    from lightfabric.web.app import create_app
    client = TestClient(create_app())
    body = client.post("/api/compare", json={"example": "jupiter-direct-connect-64k", "edits": {"gpus": 4096}}).json()
    rows = body["result"]["results"]
    assert rows and all(r["feasible"] and r["bom"]["ocs"] > 0 for r in rows)
    assert "direct-connect" in [t["name"] for t in client.get("/api/topologies").json()]
    sweep = tmp_path / "s.yaml"
    sweep.write_text(f"base: {DC}\nsample: {{method: grid}}\naxes:\n  scale_out.topology: [fat-tree, direct-connect]\n"
                     f"  cluster.gpus: [4096]\n")
    out = tmp_path / "r.duckdb"
    p = lf("sweep", "run", str(sweep), "--output", str(out))
    assert p.returncode == 0, p.stderr
    p = lf("sweep", "query", str(out), "SELECT count(*) AS n FROM results WHERE scale_out_topology = "
           "'direct-connect' AND feasible", "--format", "json")
    import json
    assert p.returncode == 0 and json.loads(p.stdout) == [{"n": 2}], p.stdout     # pluggable-dsp and cpo


def test_circuit_failures_before_and_after_reallocation():
    """Issue 22: circuits lost are re-allocated after a reconfiguration. With 64 of every block's 1,024
    uplinks dark, the even re-allocation gives 960 / 63 circuits a pair (15 or 16): uniform traffic at
    the 15-circuit pairs' rate, 15/16 of the healthy mesh's 16; a single dark circuit costs nothing
    (transit carries it)."""
    import numpy as np

    from lightfabric.topology.circuits import circuit_loss, spread_loss, uniform_circuits
    c = uniform_circuits(64, 1024)
    uniform = np.ones((64, 64)) - np.eye(64)
    lost = spread_loss(c, 64)
    assert (lost.sum(axis=1) == 64).all() and (lost == lost.T).all()
    loss = circuit_loss(c, 1024, lost, uniform)
    assert loss.retained_after == pytest.approx(15 / 16, rel=1e-6)
    assert loss.retained_before == pytest.approx(15 / 16, rel=1e-3)
    one = np.zeros_like(c)
    one[0, 1] = one[1, 0] = 1
    assert circuit_loss(c, 1024, one, uniform).retained_before == pytest.approx(1.0)
    with pytest.raises(ValueError):
        circuit_loss(c, 1024, -one, uniform)


def test_reliability_reports_circuit_failures_of_a_direct_connect_fabric():
    from lightfabric.reliability import assess
    from test_registry import small
    rep = assess(small("direct-connect"), trials=2, horizon_days=1)
    r = next(x for x in rep["results"] if x["technology"] == "pluggable-dsp")
    cf = r["circuit_failures"]
    assert cf["reconfiguration_ms"] == 200 and cf["one_circuit"]["circuits_lost"] == 1
    unit = cf["one_ocs_unit"]
    assert unit["circuits_lost"] >= 1 and 0 < unit["uniform"]["kept_after"] <= 1
    clos = assess(small("fat-tree"), trials=2, horizon_days=1)
    assert all(x.get("circuit_failures") is None for x in clos["results"] if x["feasible"])
