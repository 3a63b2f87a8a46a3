"""The JSON API through FastAPI's test client: every endpoint, its figures against its numbers, and
bad input answered with a 4xx that names the field."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's note about httpx versions
    from fastapi.testclient import TestClient

from lightfabric.compare import compare
from lightfabric.scenario.loader import load_scenario
from lightfabric.web.app import create_app
from lightfabric.web.limits import MAX_TRIALS, Limits

import lightfabric

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app())


def _field(response) -> list:
    return response.json()["detail"][0]["loc"]


def test_compare_default_matches_the_library(client):
    r = client.post("/api/compare", json={})
    assert r.status_code == 200
    body = r.json()
    direct = compare(load_scenario()).to_dict()
    assert [x["power_w"]["total"] for x in body["result"]["results"]] == [x["power_w"]["total"] for x in direct["results"]]
    # the power figure's stacks add up to each design's total, in MW
    power = body["figures"]["power"]
    bars = [t for t in power["data"] if t["type"] == "bar"]
    for i, res in enumerate(body["result"]["results"]):
        assert sum(t["y"][i] for t in bars) == pytest.approx(res["power_w"]["total"] / 1e6, rel=1e-9)
    assert body["scenario"]["cluster"]["gpus"] == 32768


def test_compare_edits_change_the_fabric(client):
    small = client.post("/api/compare", json={"edits": {"gpus": 2048, "technologies": ["cpo"],
                                                        "electricity_usd_per_kwh": 0.2}}).json()
    assert small["scenario"]["cluster"]["gpus"] == 2048
    assert [r["technology"] for r in small["result"]["results"]] == ["cpo"]
    assert small["result"]["results"][0]["topology"]["tiers"] == 2  # 2,048 GPUs fit two tiers of radix 64
    assert small["scenario"]["economics"]["electricity_usd_per_kwh"] == 0.2


def test_compare_from_example_yaml_and_object_agree(client):
    ex = client.get("/api/examples/rail-8k-h100-pluggable").json()
    by_name = client.post("/api/compare", json={"example": "rail-8k-h100-pluggable"}).json()
    by_yaml = client.post("/api/compare", json={"yaml": ex["yaml"]}).json()
    by_object = client.post("/api/compare", json={"scenario": by_yaml["scenario"]}).json()
    totals = [[r["capex_usd"] for r in b["result"]["results"]] for b in (by_name, by_yaml, by_object)]
    assert totals[0] == totals[1] == totals[2]


@pytest.mark.parametrize("body, status, loc", [
    ({"edits": {"gpus": -1}}, 422, ["body", "edits", "gpus"]),
    ({"edits": {"gpus": 1.5}}, 422, ["body", "edits", "gpus"]),
    ({"edits": {"technologies": ["laser-beams"]}}, 422, ["body", "edits", "technologies", 0]),
    ({"edits": {"gpu": "h900"}}, 422, ["body", "edits", "gpu"]),
    ({"edits": {"switch": "tomahawk-9"}}, 422, ["body", "edits", "switch"]),
    ({"edits": {"gpus": 1_000_000}}, 422, ["body", "edits", "gpus"]),       # too many for 3 tiers of radix 64
    ({"edits": {"gpus": 5_000_000}}, 413, ["body", "edits", "gpus"]),       # over the server's limit
    ({"example": "../../etc/passwd"}, 422, ["body", "example"]),
    ({"example": "default", "yaml": "name: x"}, 422, ["body"]),
    ({"yaml": "name: [unclosed"}, 422, ["body", "yaml"]),
    ({"yaml": "- just\n- a list\n"}, 422, ["body", "yaml"]),
    ({"scenario": {"name": "x", "cluster": {"gpus": 0, "gpu": "gb300"},
                   "scale_out": {"switch": "tomahawk-5", "port_rate_gbps": 800}}}, 422, ["body", "scenario", "cluster", "gpus"]),
    ({"unknown": 1}, 422, ["body", "unknown"]),
])
def test_compare_bad_input_names_the_field(client, body, status, loc):
    r = client.post("/api/compare", json=body)
    assert r.status_code == status, r.text
    assert _field(r)[:len(loc)] == loc
    assert r.json()["detail"][0]["msg"]


def test_yaml_errors_carry_the_line(client):
    text = "name: x\ncluster: {gpus: 64, gpu: gb300}\nscale_out: {switch: tomahawk-5, port_rate_gbps: -800}\n"
    r = client.post("/api/compare", json={"yaml": text})
    assert r.status_code == 422
    assert "yaml:3:" in r.json()["detail"][0]["msg"] and "port_rate_gbps" in r.json()["detail"][0]["msg"]


def test_yaml_is_parsed_safely(client):
    # a Python object tag would run code under an unsafe loader; the safe loader refuses it
    text = "name: !!python/object/apply:os.system ['echo hi']\ncluster: {gpus: 8, gpu: gb300}\n"
    r = client.post("/api/compare", json={"yaml": text})
    assert r.status_code == 422 and _field(r) == ["body", "yaml"]


def test_body_size_limit(client):
    big = {"yaml": "#" * 100_000 + "\nname: x\n", "edits": {}}
    small_limit = TestClient(create_app(Limits(max_body_bytes=50_000)))
    r = small_limit.post("/api/compare", json=big)
    assert r.status_code == 413 and "50,000" in r.json()["detail"][0]["msg"]
    assert client.post("/api/compare", json={"yaml": "#" * 300_000}).status_code == 422  # over the YAML length
    # a chunked body with no Content-Length is counted too
    def chunks():
        for _ in range(20):
            yield b" " * 5_000
    r = small_limit.post("/api/compare", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_link_matches_the_cli_budget(client):
    r = client.post("/api/link", json={"technology": "cpo", "length_m": 50})
    assert r.status_code == 200
    result = r.json()["result"]
    waterfall = r.json()["figures"]["link"]["data"][0]
    # the waterfall ends at the received OMA: launch power plus every step
    assert sum(waterfall["y"][:-1]) == pytest.approx(result["received_oma_dbm"], abs=0.01)
    assert result["margin_db"] == pytest.approx(result["received_oma_dbm"] - result["sensitivity_dbm"]
                                                 - result["penalties_db"], abs=0.01)
    copper = client.post("/api/link", json={"technology": "copper", "length_m": 2, "lane_rate_gbps": 224}).json()
    assert copper["result"]["technology"] == "copper"


@pytest.mark.parametrize("body, loc", [
    ({"technology": "smoke-signals", "length_m": 5}, ["body", "technology"]),
    ({"technology": "cpo", "length_m": -5}, ["body", "length_m"]),
    ({"technology": "cpo"}, ["body", "length_m"]),
    ({"technology": "copper", "length_m": 2, "laser_power_mw": 5}, ["body", "laser_power_mw"]),
    ({"technology": "cpo", "length_m": 2, "cable": "twinax-26awg"}, ["body", "cable"]),
    ({"technology": "copper", "length_m": 2, "cable": "garden-hose"}, ["body", "cable"]),
])
def test_link_bad_input(client, body, loc):
    r = client.post("/api/link", json=body)
    assert r.status_code == 422, r.text
    assert _field(r)[:len(loc)] == loc


def test_reliability_endpoint(client):
    r = client.post("/api/reliability", json={"edits": {"gpus": 2048}, "trials": 20, "horizon_days": 30, "seed": 3})
    assert r.status_code == 200
    body = r.json()
    assert body["result"]["trials"] == 20 and body["result"]["gpus"] == 2048
    stacks = [t for t in body["figures"]["failures"]["data"]]
    for i, res in enumerate(body["result"]["results"]):
        assert sum(t["y"][i] for t in stacks) == pytest.approx(res["failures_per_day_total"], rel=1e-3)
    # the same seed gives the same Monte Carlo
    again = client.post("/api/reliability", json={"edits": {"gpus": 2048}, "trials": 20, "horizon_days": 30, "seed": 3})
    timing = {"seconds", "link_years_per_second"}
    first, second = (x["result"]["results"][0]["monte_carlo"] for x in (body, again.json()))
    assert {k: v for k, v in first.items() if k not in timing} == {k: v for k, v in second.items() if k not in timing}


@pytest.mark.parametrize("body, status, loc", [
    ({"trials": MAX_TRIALS + 1}, 422, ["body", "trials"]),
    ({"trials": 1}, 422, ["body", "trials"]),
    ({"horizon_days": 0}, 422, ["body", "horizon_days"]),
    ({"job_gpus": 10**9}, 422, ["body", "job_gpus"]),
])
def test_reliability_bad_input(client, body, status, loc):
    r = client.post("/api/reliability", json=body)
    assert r.status_code == status, r.text
    assert _field(r) == loc


def test_economics_endpoint(client):
    r = client.post("/api/economics", json={"edits": {"electricity_usd_per_kwh": 0.16}})
    assert r.status_code == 200
    body = r.json()
    for res in body["result"]["results"]:
        parts = res["capex_usd"] + res["energy_usd"] + res["maintenance_usd"] + res["downtime_usd"]
        assert parts == pytest.approx(res["tco_usd"], rel=1e-9)
    # the value chain's segments add up to each design's capex
    for res in body["value_chain"]["results"]:
        assert sum(s["usd"] for s in res["segments"].values()) == pytest.approx(res["capex_usd"], rel=1e-9)
    assert set(body["figures"]) == {"tco", "valuechain"}
    assert client.post("/api/economics", json={"job_gpus": 0}).status_code == 422


def test_collective_endpoint_and_flow_limit(client):
    r = client.post("/api/collective", json={"edits": {"gpus": 1024}, "size_bytes": 1_024_000})
    assert r.status_code == 200
    body = r.json()
    # the sweep's point at the same size is the single run's time, technology by technology
    for single, swept in zip(body["result"]["results"], body["sweep"]["results"]):
        assert single["method"] == "closed-form"
        i = swept["sizes_bytes"].index(1_024_000.0)
        assert swept["time_s"][i] == pytest.approx(single["time_s"], rel=1e-12)
    curve = body["figures"]["collectives"]["data"][0]
    assert curve["y"] == body["sweep"]["results"][0]["time_s"]
    sim = client.post("/api/collective", json={"edits": {"gpus": 1024}, "size_bytes": 1e8, "simulate": True}).json()
    assert sim["result"]["results"][0]["method"].startswith("simulated")
    limited = TestClient(create_app(Limits(max_simulated_flows=100)))
    r = limited.post("/api/collective", json={"edits": {"gpus": 1024}, "simulate": True})
    assert r.status_code == 413 and _field(r) == ["body", "simulate"]
    assert client.post("/api/collective", json={"op": "all-reduce", "algorithm": "direct"}).status_code == 422
    assert _field(client.post("/api/collective", json={"gpus": 10**7})) == ["body", "gpus"]


def test_catalog_endpoints(client):
    parts = client.get("/api/catalog").json()
    assert len(parts) > 100 and {"id", "kind", "name", "source_kinds"} <= set(parts[0])
    gpus = client.get("/api/catalog", params={"kind": "gpu"}).json()
    assert gpus and all(p["kind"] == "gpu" for p in gpus)
    assert client.get("/api/catalog", params={"kind": "spaceship"}).status_code == 422
    part = client.get("/api/catalog/tomahawk-5").json()
    capacity = next(f for f in part["figures"] if f["field"] == "capacity_gbps")
    assert capacity["value"] == 51200 and capacity["sources"][0]["kind"] in (
        "datasheet", "standard", "paper", "vendor-claim", "estimate")
    missing = client.get("/api/catalog/tomahawk-9")
    assert missing.status_code == 404 and "tomahawk-5" in missing.json()["detail"][0]["msg"]


def test_examples_are_the_packaged_ones_only(client):
    names = [e["name"] for e in client.get("/api/examples").json()]
    assert names[0] == "default" and "rail-8k-h100-pluggable" in names
    assert client.get("/api/examples/..%2Fpyproject").status_code == 404
    assert client.get("/api/examples/nope").status_code == 404


def test_page_and_schema(client):
    page = client.get("/")
    assert page.status_code == 200 and "/static/plotly.min.js" in page.text and "cdn" not in page.text.lower()
    assert client.get("/static/plotly.min.js").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/compare", "/api/link", "/api/reliability", "/api/economics", "/api/collective",
                 "/api/catalog", "/api/catalog/{part_id}", "/api/examples"):
        assert path in paths


def test_traffic_patterns_between_blocks(client):
    """Issue 22: the web face of ``lightfabric traffic``: the same figures as the library, and the
    fields named when a pattern cannot run."""
    from lightfabric import load_scenario
    from lightfabric.netsim.traffic import traffic_report
    r = client.post("/api/traffic", json={"example": "jupiter-direct-connect-64k"})
    assert r.status_code == 200
    got = r.json()["result"]
    lib = traffic_report(load_scenario("examples/jupiter-direct-connect-64k.yaml"), pattern="permutation", size_bytes=1e9)
    assert [x["efficiency"] for x in got["permutation"]["results"]] == [x["efficiency"] for x in lib["results"]]
    assert all(x["efficiency"] == pytest.approx(1.0, rel=1e-3) for x in got["uniform"]["results"])
    blocks = 64
    r = client.post("/api/traffic", json={"example": "jupiter-direct-connect-64k", "patterns": ["matrix"],
                                          "matrix": [[0.0] * 2] * 2})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "matrix"]
    assert f"{blocks} x {blocks}" in r.json()["detail"][0]["msg"]
    r = client.post("/api/traffic", json={"example": "jupiter-direct-connect-64k", "patterns": ["matrix"]})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "matrix"]
    ok = client.post("/api/traffic", json={"example": "jupiter-direct-connect-64k", "patterns": ["matrix"],
                                           "matrix": [[1e9] * blocks] * blocks})
    assert ok.status_code == 200 and ok.json()["result"]["matrix"]["results"][0]["pattern"] == "matrix"
    r = client.post("/api/traffic", json={"example": "tpu-ironwood-pod-torus"})
    assert r.status_code == 422 and "between blocks" in r.json()["detail"][0]["msg"]


def test_the_missing_endpoints_answer_as_the_library_does(client):
    """Issue 23: sensitivity, laser, density, step, report, sweep and the schema over HTTP, each the
    library's figures, each bounded."""
    from lightfabric import load_scenario
    from lightfabric.catalog import Catalog
    from lightfabric.density import density_report
    from lightfabric.economics import sensitivity_report
    from lightfabric.netsim.run import step_report
    from lightfabric.report.formats import to_csv
    from lightfabric.technologies.registry import REGISTRY
    from lightfabric.web import service

    schema = client.get("/api/schema").json()
    assert {"cluster", "scale_out", "economics"} <= set(schema["properties"])
    sc = load_scenario("examples/h100-1k-400g-lpo.yaml")
    r = client.post("/api/compare.csv", json={"example": "h100-1k-400g-lpo"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.text == to_csv(lightfabric.compare(sc))
    r = client.post("/api/laser", json={"technology": "cpo", "lane_rate_gbps": 200, "port_rate_gbps": 1600})
    assert r.json()["result"] == json.loads(json.dumps(REGISTRY["cpo"].laser_report(
        Catalog.default(), lane_rate_gbps=200, port_rate_gbps=1600)))
    assert client.get("/api/density").json()["result"] == json.loads(json.dumps(density_report(Catalog.default())))
    assert sorted(client.get("/api/models").json()) == ["dense-405b", "moe-1t"]
    r = client.post("/api/step", json={"example": "h100-1k-400g-lpo", "model": "dense-405b", "plan": "tp=8,pp=4"})
    lib = step_report(sc, model_path=str(service.models()["dense-405b"]), plan="tp=8,pp=4")
    assert [x["step_time_s"] for x in r.json()["result"]["results"] if x["feasible"]] == \
        pytest.approx([x["step_time_s"] for x in lib["results"] if x["feasible"]])
    r = client.post("/api/step", json={"example": "h100-1k-400g-lpo", "model": "gpt-9", "plan": "tp=8"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "model"]
    r = client.post("/api/sensitivity", json={"example": "h100-1k-400g-lpo"})
    lib = sensitivity_report(sc)
    assert [x["input"] for x in r.json()["result"]["tornado"]["rows"]] == [x["input"] for x in lib["tornado"]["rows"]]
    r = client.post("/api/report", json={"example": "h100-1k-400g-lpo", "trials": 4, "horizon_days": 5})
    assert r.status_code == 200 and r.text.startswith("<!DOCTYPE html>") and "h100-1k-400g-lpo" in r.text
    r = client.post("/api/report", json={"example": "three-tier-1m-multiplane", "trials": 1000, "horizon_days": 365})
    assert r.status_code == 413 and "failure events" in r.json()["detail"][0]["msg"]


def test_a_small_sweep_over_http(client, tmp_path):
    from lightfabric.sweep.run import run_sweep
    from lightfabric.sweep.spec import load_sweep
    body = {"base": "h100-1k-400g-lpo", "axes": {"economics.pue": [1.2, 1.5], "cluster.gpus": [512, 1024]}}
    r = client.post("/api/sweep", json={"sweep": body})
    assert r.status_code == 200
    got = r.json()["result"]
    path = tmp_path / "s.yaml"
    import yaml
    path.write_text(yaml.safe_dump({**body, "base": str(ROOT / "examples" / "h100-1k-400g-lpo.yaml")}))
    run_sweep(load_sweep(path), tmp_path / "r.duckdb", workers=1)
    import duckdb
    want = duckdb.connect(str(tmp_path / "r.duckdb"), read_only=True).execute(
        "SELECT tco_usd FROM results ORDER BY point, technology").fetchall()
    col = got["columns"].index("tco_usd")
    assert [row[col] for row in got["rows"]] == pytest.approx([w[0] for w in want])
    r = client.post("/api/sweep", json={"sweep": {"base": "/etc/passwd", "axes": {"economics.pue": [1.2]}}})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "sweep", "base"]
    many = {"base": "default", "axes": {"cluster.gpus": list(range(1024, 1024 * 50, 1024))}}
    r = client.post("/api/sweep", json={"sweep": many})
    assert r.status_code == 413 and "distinct fabrics" in r.json()["detail"][0]["msg"]
