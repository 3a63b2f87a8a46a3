"""The rail-only topology (Wang, Ghobadi et al., arXiv 2307.12169): counts by hand, the forwarded path
through the scale-up domain, the closed form against a hand count and the simulator, bad input, and
every face (CLI, sweep, web API) on the example."""

from __future__ import annotations

import json

import numpy as np
import pytest
import yaml

import lightfabric
from lightfabric import parse_scenario
from lightfabric.errors import LightfabricError
from lightfabric.netsim.collectives import Phase, phase_closed_form
from lightfabric.netsim.run import collective_report
from lightfabric.netsim.simulate import simulate_phase
from lightfabric.netsim.topo import topo_of

from test_cli import lf

ROOT = lightfabric.scenario.loader.default_scenario_path().parents[3]
EXAMPLE = ROOT / "examples" / "rail-only-gb300-37k.yaml"
TWO_DOMAINS = """
name: rail-only-144
cluster: {gpus: 144, gpu: gb300, gpus_per_server: 4}
scale_up: {domain_gpus: 72, bandwidth_per_gpu_gbps: 14400, switch: nvlink5-switch}
scale_out: {topology: rail-only, switch: tomahawk-5, port_rate_gbps: 800, nic: connectx-8}
technologies: [pluggable-dsp]
"""


def test_counts_by_hand(catalog):
    # 512 NVL72 domains: each of the 72 rails is a tree of 512 host ports at radix 64 (32 down, 32 up):
    # 16 rail switches and 8 rail spines; 72 x 24 = 1,728 switches, against rail-optimized's three tiers
    c = lightfabric.compare(lightfabric.load_scenario(EXAMPLE), catalog)
    f = c.plan.fabric
    assert [(t.name, t.count) for t in f.switch_tiers] == [("rail", 72 * 16), ("rail-spine", 72 * 8)]
    assert f.group("host-rail").links == 36864 and f.group("rail-spine").links == 72 * 16 * 32
    assert f.tier("rail").gpus_cut == 512 / 16                  # one GPU of each of 32 domains
    assert f.first_switch_gpus == 32 * 72                        # the 32 domains under one rail switch
    assert any("forwarded" in n for n in f.notes)
    opt = lightfabric.compare(lightfabric.load_scenario(ROOT / "examples" / "rail-optimized-gb300-37k.yaml"), catalog)
    assert sum(t.count for t in opt.plan.fabric.switch_tiers) == 1152 + 1152 + 576


def test_a_flow_between_ranks_is_forwarded_through_the_domain(catalog):
    c = lightfabric.compare(parse_scenario(TWO_DOMAINS, "t.yaml"), catalog)
    model = topo_of(c.result("pluggable-dsp").design)
    graph = model.build_graph()
    w = graph.wiring
    src, dst = np.array([0, 0, 0]), np.array([5, 72, 77])     # same domain; same rank; other rank and domain
    paths = graph.route(src, dst)
    assert list(paths[0][paths[0] >= 0]) == [w.su_up[0], w.su_down[5]]
    assert list(paths[1][paths[1] >= 0]) == [w.host_up[0], w.host_down[72]]
    # 0 -> 77: over NVLink to GPU 5 (rank 77 mod 72), then on rail 5 to GPU 77
    assert list(paths[2][paths[2] >= 0]) == [w.su_up[0], w.su_down[5], w.host_up[5], w.host_down[77]]
    cls = model.path_class(src, dst)
    lat = model.class_latency_s()
    assert list(cls) == [0, 1, 4]
    assert lat[4] == pytest.approx(lat[0] + lat[1])
    assert model.relay(src[1:], dst[1:]).tolist() == [0, 5]         # who sends into the rail


def test_all_to_all_closed_form_by_hand_and_by_simulation(catalog):
    # 144 GPUs in 2 domains, every pair at once, b bytes a flow. Scale-out: a GPU relays its 72 domain
    # mates' flows to the one GPU of its rank in the other domain (72 flows) and receives 72. Scale-up:
    # it sends 71 to its mates and forwards 71 (the other domain's GPUs of other ranks): 142 flows,
    # and as a relay receives 71 + 71.
    c = lightfabric.compare(parse_scenario(TWO_DOMAINS, "t.yaml"), catalog)
    model = topo_of(c.result("pluggable-dsp").design)
    ranks = np.arange(144)
    assert model.all_to_all_flows(ranks) == (142, 72)
    b = 1e6
    ph = Phase("all pairs", np.zeros(0, np.int64), np.zeros(0, np.int64), b, all_pairs=ranks)
    cf = phase_closed_form(model, ph)
    bo, bu = 800e9 / 8, 7200e9 / 8
    assert cf["beta_s"] == pytest.approx(max(72 * b / bo, 142 * b / bu))
    src, dst = ph.pairs()
    sim = simulate_phase(model.build_graph(), src, dst, b)
    assert sim.time_s == pytest.approx(cf["time_s"], rel=0.01)
    # the same explicitly listed: the closed form counts forwarded flows the same way
    listed = phase_closed_form(model, Phase("listed", src, dst, b))
    assert listed["beta_s"] == pytest.approx(cf["beta_s"])


def test_rail_only_against_rail_optimized_in_the_docs(catalog):
    """docs/topologies.md: the rail-only fabric of the example against its rail-optimized twin."""
    ro = lightfabric.compare(lightfabric.load_scenario(EXAMPLE), catalog).result("policy")
    opt = lightfabric.compare(lightfabric.load_scenario(ROOT / "examples" / "rail-optimized-gb300-37k.yaml"),
                              catalog).result("policy")
    assert ro.capex_usd / 1e6 == pytest.approx(752.9, abs=0.1) and opt.capex_usd / 1e6 == pytest.approx(1050.6, abs=0.1)
    assert ro.power_w["total"] / 1e6 == pytest.approx(6.89, abs=0.01)
    assert opt.power_w["total"] / 1e6 == pytest.approx(9.04, abs=0.01)
    times = {}
    for path in (EXAMPLE, ROOT / "examples" / "rail-optimized-gb300-37k.yaml"):
        rep = collective_report(lightfabric.load_scenario(path), op="all-to-all", size_bytes=1e8, gpus=576,
                                simulate=True)
        times[path.stem] = next(r for r in rep["results"] if r["technology"] == "policy")["time_s"]
    assert times["rail-only-gb300-37k"] * 1e3 == pytest.approx(0.876, abs=0.002)
    assert times["rail-optimized-gb300-37k"] * 1e3 == pytest.approx(0.981, abs=0.002)


@pytest.mark.parametrize("change, field, words", [
    (lambda d: d.pop("scale_up"), "scale_up", "forwards traffic between rails"),
    (lambda d: d["scale_out"].update(planes=2, port_rate_gbps=400), "scale_out.planes",
     "rails of a rail-only fabric are its planes"),
    (lambda d: d["cluster"].update(gpus=100), "cluster.gpus", "a multiple of scale_up.domain_gpus = 72"),
    (lambda d: d["cluster"].update(gpus=72 * 70000), "cluster.gpus", "at most"),
])
def test_bad_input_exits_2_naming_the_field(tmp_path, change, field, words):
    doc = yaml.safe_load(TWO_DOMAINS)
    change(doc)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(doc))
    p = lf("compare", str(path))
    assert p.returncode == 2, p.stderr
    assert field in p.stderr and words in " ".join(p.stderr.split()) and "Traceback" not in p.stderr
    with pytest.raises(LightfabricError):
        lightfabric.compare(lightfabric.load_scenario(path))


def test_every_face_on_the_example(tmp_path):
    p = lf("compare", str(EXAMPLE))
    assert p.returncode == 0 and "host-rail" in p.stdout and "rail-only" in p.stdout and "forwarded" in p.stdout
    p = lf("collective", str(EXAMPLE), "--op", "all-to-all", "--gpus", "144", "--size-bytes", "1e6", "--simulate",
           "--fail-links", "2", "--format", "json")
    assert p.returncode == 0, p.stderr
    assert all(r["simulated"]["failed_links"] == 2 for r in json.loads(p.stdout)["results"] if r["feasible"])
    sweep = tmp_path / "s.yaml"
    sweep.write_text(f"base: {EXAMPLE}\nsample: {{method: grid}}\naxes:\n"
                     "  scale_out.topology: [rail-only, rail-optimized]\n  economics.pue: [1.2, 1.4]\n")
    p = lf("sweep", "run", str(sweep), "-o", str(tmp_path / "r.duckdb"), "--workers", "1")
    assert p.returncode == 0, p.stderr
    p = lf("sweep", "query", str(tmp_path / "r.duckdb"),
           "SELECT scale_out_topology, min(capex_usd) FROM results WHERE feasible GROUP BY 1 ORDER BY 1", "--format", "json")
    rows = json.loads(p.stdout)
    assert [r["scale_out_topology"] for r in rows] == ["rail-only", "rail-optimized"]
    assert rows[0]["min(capex_usd)"] < rows[1]["min(capex_usd)"]


def test_the_web_api_on_the_example():
    from fastapi.testclient import TestClient
    from lightfabric.web.app import create_app
    client = TestClient(create_app())
    assert "rail-only-gb300-37k" in [e["name"] for e in client.get("/api/examples").json()]
    r = client.post("/api/compare", json={"example": "rail-only-gb300-37k"})
    assert r.status_code == 200, r.text
    body = r.json()["result"]
    assert body["inputs"]["topology"] == "rail-only" and body["inputs"]["topology_notes"]
    assert {g["name"] for g in body["results"][0]["link_groups"]} == {"scale-up", "host-rail", "rail-spine"}
    r = client.post("/api/collective", json={"example": "rail-only-gb300-37k", "op": "all-to-all", "gpus": 144,
                                              "size_bytes": 1e6, "simulate": True})
    assert r.status_code == 200, r.text
