"""Issue 19: no input, however hostile, exhausts memory, holds the server, crashes a command or loses a
sweep. One regression test per item of the issue; the fuzzers are in test_fuzz.py."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
import yaml

from lightfabric.errors import LightfabricError

from test_cli import EXE, lf

ROOT = Path(__file__).resolve().parents[1]
SMALL = """name: small
cluster: {gpus: 512, gpu: gb300}
scale_out: {switch: tomahawk-5, port_rate_gbps: 800}
"""


def alias_bomb(levels: int = 9) -> str:
    """The classic billion laughs: 9 levels of 9 aliases, a few hundred bytes, 9^9 nodes expanded."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def _api():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from lightfabric.web.app import create_app
    return TestClient(create_app())


@pytest.fixture(scope="module")
def api():
    return _api()


def _ok_or_2(p, *words):
    assert p.returncode == 2, (p.returncode, p.stdout[-500:], p.stderr[-2000:])
    text = " ".join(p.stderr.split())
    for w in words:
        assert w in text, text[:2000]
    assert "Traceback" not in p.stderr and "internal error" not in p.stderr


# 1. YAML alias bombs -------------------------------------------------------------------------------------------

def test_alias_bomb_is_refused_at_once_in_the_cli_the_sweep_loader_and_the_api(tmp_path, api):
    bomb = SMALL + "overrides:\n  x: 1\n" + alias_bomb()
    assert len(bomb) < 800
    path = tmp_path / "bomb.yaml"
    path.write_text(bomb)
    t = time.perf_counter()
    _ok_or_2(lf("compare", str(path)), "anchors and aliases", "bomb.yaml:")
    sweep = tmp_path / "s.yaml"
    sweep.write_text("base: default\naxes:\n  cluster.gpus: [512, 1024]\n" + alias_bomb())
    _ok_or_2(lf("sweep", "check", str(sweep)), "anchors and aliases")
    r = api.post("/api/compare", json={"yaml": bomb})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][:2] == ["body", "yaml"]
    assert "anchors and aliases" in r.json()["detail"][0]["msg"]
    assert time.perf_counter() - t < 5


# 2. every request's work is bounded up front, and stopped when its client goes ---------------------------------

def test_a_simulation_too_long_for_one_request_is_refused_up_front(api):
    t = time.perf_counter()
    r = api.post("/api/collective", json={"edits": {"gpus": 4096}, "op": "all-to-all", "algorithm": "shifted",
                                          "gpus": 4096, "simulate": True})
    assert r.status_code == 413, r.text
    assert "flow-phases" in r.json()["detail"][0]["msg"] and time.perf_counter() - t < 5


def test_a_monte_carlo_too_large_for_one_request_is_refused_up_front(api):
    r = api.post("/api/reliability", json={"example": "three-tier-1m-multiplane", "trials": 1000, "horizon_days": 365})
    assert r.status_code == 413, r.text
    assert "failure events" in r.json()["detail"][0]["msg"]


def test_work_whose_client_has_gone_is_stopped_and_frees_its_slot():
    """One slot; a slow simulation whose client gives up after 0.5 s; a light request right after gets
    the slot within seconds instead of waiting for the simulation."""
    import socket
    import threading

    import httpx
    import uvicorn

    from lightfabric.web.app import create_app
    from lightfabric.web.limits import Limits
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(Limits(max_concurrent=1, queue_timeout_s=30)),
                                           host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(url + "/api/examples", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        heavy = {"edits": {"gpus": 2048}, "op": "all-to-all", "algorithm": "shifted", "gpus": 256, "simulate": True,
                 "size_bytes": 1e6}
        with pytest.raises(httpx.TimeoutException):
            httpx.post(url + "/api/collective", json=heavy, timeout=0.5)
        t = time.perf_counter()
        r = httpx.post(url + "/api/compare", json={}, timeout=30)
        assert r.status_code == 200 and time.perf_counter() - t < 5
    finally:
        server.should_exit = True
        thread.join(timeout=10)


# 3. NaN and infinity ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path, body", [
    ("/api/compare", '{"edits": {"electricity_usd_per_kwh": NaN}}'),
    ("/api/compare", '{"edits": {"port_rate_gbps": Infinity}}'),
    ("/api/reliability", '{"horizon_days": NaN}'),
    ("/api/collective", '{"size_bytes": NaN}'),
    ("/api/link", '{"technology": "cpo", "length_m": NaN}'),
    ("/api/compare", '{"scenario": {"name": "x", "cluster": {"gpus": 512, "gpu": "gb300"}, "scale_out": '
                     '{"switch": "tomahawk-5", "port_rate_gbps": 800}, "scale_up": {"domain_gpus": 72, '
                     '"bandwidth_per_gpu_gbps": 1e308, "switch": "nvlink5-switch"}}}'),
    ("/api/compare", '{"edits": {"gpus": ' + "[" * 3000 + "]" * 3000 + "}}"),
])
def test_non_finite_and_absurd_numbers_are_a_422_naming_the_field(api, path, body):
    r = api.post(path, content=body, headers={"content-type": "application/json"})
    assert r.status_code in (400, 413, 422), r.text
    assert r.json()["detail"][0]["loc"]


@pytest.mark.parametrize("extra, field", [
    ("scale_up: {domain_gpus: 72, bandwidth_per_gpu_gbps: .inf, switch: nvlink5-switch}\n", "bandwidth_per_gpu_gbps"),
    ("scale_up: {domain_gpus: 72, bandwidth_per_gpu_gbps: 1e308, switch: nvlink5-switch}\n", "bandwidth_per_gpu_gbps"),
    ("overrides: {osfp-800g-dr8.price_usd: .inf}\n", "osfp-800g-dr8.price_usd"),
    ("overrides: {osfp-800g-dr8.power_w: .nan}\n", "osfp-800g-dr8.power_w"),
    ("economics: {electricity_usd_per_kwh: .inf}\n", "economics.electricity_usd_per_kwh"),
    ("placement: {hall_gap_m: .nan}\n", "placement.hall_gap_m"),
])
def test_non_finite_numbers_in_a_scenario_exit_2(tmp_path, extra, field):
    path = tmp_path / "s.yaml"
    path.write_text(SMALL + extra)
    _ok_or_2(lf("compare", str(path), "--format", "json"), field)


def test_json_output_is_always_valid_json():
    p = lf("compare", "--format", "json")
    json.loads(p.stdout, parse_constant=lambda c: pytest.fail(f"{c} in JSON output"))


# 4. what sweep check accepts, sweep run runs ---------------------------------------------------------------------

@pytest.mark.parametrize("body", [
    {"base": "default", "axes": {"cluster.gpus": [8192, 16384, 32768],
                                 "economics.electricity_usd_per_kwh": {"linspace": [0.05, 0.15, 100]}},
     "constraints": ["cluster.gpus >= 16384"]},
    {"base": "default", "axes": {"scale_out.tiers": [2, 3, "auto"], "cluster.gpus": [1024, 2048]}},
])
def test_sweeps_that_check_accepts_run(tmp_path, body):
    sw = tmp_path / "s.yaml"
    sw.write_text(yaml.safe_dump(body))
    assert lf("sweep", "check", str(sw)).returncode == 0
    r = lf("sweep", "run", str(sw), "-o", str(tmp_path / "r.duckdb"), "--workers", "1", "--partition-points", "50")
    assert r.returncode == 0, r.stderr
    con = duckdb.connect(str(tmp_path / "r.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM results").fetchone()[0] > 0
    con.close()


def test_check_refuses_an_axis_value_the_scenario_refuses(tmp_path):
    sw = tmp_path / "s.yaml"
    sw.write_text(yaml.safe_dump({"base": "default", "axes": {"scale_out.tiers": [2, 4]}}))
    _ok_or_2(lf("sweep", "check", str(sw)), "axes.scale_out.tiers", "4")


# 5. no sweep is lost -----------------------------------------------------------------------------------------------

def _small_sweep(tmp_path) -> Path:
    sw = tmp_path / "s.yaml"
    sw.write_text(yaml.safe_dump({"base": "default", "axes": {"cluster.gpus": [512, 1024, 2048, 4096],
                                                               "economics.pue": [1.1, 1.2, 1.3]}}))
    return sw


def test_a_results_file_in_use_cannot_be_replaced(tmp_path):
    from lightfabric.sweep.store import lock_results
    sw = _small_sweep(tmp_path)
    out = tmp_path / "r.duckdb"
    with lock_results(out):
        r = lf("sweep", "run", str(sw), "-o", str(out), "--fresh", "--workers", "1")
        _ok_or_2(r, "in use by another run")
    r = lf("sweep", "run", str(sw), "-o", str(out), "--fresh", "--workers", "1")
    assert r.returncode == 0, r.stderr


def test_a_damaged_results_file_is_not_trusted(tmp_path):
    sw = _small_sweep(tmp_path)
    out = tmp_path / "r.duckdb"
    assert lf("sweep", "run", str(sw), "-o", str(out), "--workers", "1", "--partition-points", "3").returncode == 0
    data = bytearray(out.read_bytes())
    mid = len(data) // 2
    data[mid:mid + 65536] = os.urandom(min(65536, len(data) - mid))
    out.write_bytes(bytes(data))
    r = lf("sweep", "run", str(sw), "-o", str(out), "--workers", "1", "--partition-points", "3")
    _ok_or_2(r, "damaged", "--fresh")


# 6. no orphans ---------------------------------------------------------------------------------------------------

def _children(pid: int) -> list:
    import psutil
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_workers_die_with_their_run(tmp_path, sig):
    import psutil
    sw = tmp_path / "s.yaml"
    sw.write_text(yaml.safe_dump({"base": "default", "axes": {"cluster.gpus": {"range": [1024, 1024 + 64 * 200, 64]},
                                                               "scale_out.oversubscription": [1.0, 1.5, 2.0]}}))
    cmd = [EXE or sys.executable, *([] if EXE else ["-m", "lightfabric.cli"]), "sweep", "run", str(sw), "-o",
           str(tmp_path / "r.duckdb"), "--workers", "2", "--partition-points", "2"]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    kids = []
    while time.time() < deadline and len([k for k in _children(p.pid) if "python" in k.name().lower()]) < 2:
        time.sleep(0.2)
    kids = _children(p.pid)
    assert kids, "the run started no workers"
    time.sleep(1.0)
    p.send_signal(sig)
    out, err = p.communicate(timeout=60)
    if sig == signal.SIGTERM:
        assert p.returncode == 143 and "terminated" in err, err
    gone, alive = psutil.wait_procs(kids, timeout=15)
    assert not alive, [k.cmdline() for k in alive]


# 7. user text is never markup --------------------------------------------------------------------------------------

@pytest.mark.parametrize("gpu", ["[/x]", "[bold]b2[/bold]", "[link=http://example.com]x[/link]"])
def test_user_text_is_printed_as_written(tmp_path, gpu):
    path = tmp_path / "s.yaml"
    path.write_text(SMALL.replace("gpu: gb300", f"gpu: {json.dumps(gpu)}"))
    p = lf("compare", str(path))  # in this process: the message's text is the point, not the interpreter
    _ok_or_2(p, gpu)
    assert "\x1b]8;" not in p.stderr          # no terminal hyperlink


# 8. nothing accepted silently ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, words", [
    (SMALL.replace("cluster: {gpus: 512, gpu: gb300}", "cluster:\n  gpus: 4096\n  gpu: gb300\n  gpus: 65536"),
     ["duplicate key 'gpus'", "line 3"]),
    (SMALL + "overrides: {osfp-800g-dr8.power_w: true}\n", ["osfp-800g-dr8.power_w", "a number"]),
    (SMALL + "economics: {pue: true}\n", ["economics.pue", "a number"]),
    (SMALL.replace("gpus: 512", "gpus: true"), ["cluster.gpus"]),
])
def test_silent_coercions_are_errors(tmp_path, text, words):
    path = tmp_path / "s.yaml"
    path.write_text(text)
    _ok_or_2(lf("compare", str(path)), *words)


@pytest.mark.parametrize("args, words", [
    (["step", "--plan", ""], ["--plan"]),
    (["step", "--plan", "tp=8,tp=4"], ["--plan", "tp", "twice"]),
    # on 1,024 GPUs tp=8 x pp=8 leaves 16 replicas: 64-way expert parallelism over them cannot be
    # (it read "tp x pp x dp = 64; allowed: <= 1,024", which contradicted itself)
    (["step", "h100-1k-400g-lpo", "--plan", "tp=8,pp=8,ep=64"], ["--plan ep", "64", "a divisor of dp = 16"]),
    (["step", "h100-1k-400g-lpo", "--plan", "tp=64,pp=32"], ["--plan", "tp x pp = 2,048", "<= 1,024"]),
    (["step", "h100-1k-400g-lpo", "--plan", "tp=8,pp=8,dp=32"], ["--plan", "tp x pp x dp = 2,048"]),
    # the topology by name (it read "got 'a fabric without blocks'")
    (["traffic", "tpu-v4-like-pod-torus"], ["scale_out.topology: got 'torus'", "without blocks"]),
    (["report", "-o", "{tmp}/r.html", "--trials", "0"], ["--trials"]),
    (["report", "-o", "{tmp}/r.html", "--horizon-days", "nan"], ["--horizon-days"]),
    (["reliability", "--horizon-days", "inf"], ["--horizon-days"]),
    (["collective", "--size-bytes", "nan"], ["--size-bytes"]),
    (["link", "-t", "cpo", "--length-m", "nan"], ["--length-m"]),
])
def test_cli_options_the_work_cannot_use_exit_2(tmp_path, args, words):
    _ok_or_2(lf(*[a.replace("{tmp}", str(tmp_path)) for a in args]), *words)


def test_a_model_whose_batch_holds_no_micro_batch_is_refused_naming_the_field(tmp_path):
    """A global batch smaller than one sequence leaves no data-parallel replica: named in the model file
    (with an automatic dp it was a division by zero once the plan's own checks stopped catching dp = 0)."""
    model = tmp_path / "tiny.yaml"
    model.write_text("name: tiny\nparameters: 1e9\nactive_parameters: 1e9\nlayers: 8\nhidden: 1024\n"
                     "sequence_length: 8192\nglobal_batch_tokens: 4096\n")
    _ok_or_2(lf("step", "h100-1k-400g-lpo", "--model", str(model), "--plan", "tp=8"),
             "global_batch_tokens", "8,192 tokens")


def test_huge_sweep_intervals_are_refused(tmp_path):
    sw = tmp_path / "s.yaml"
    sw.write_text(yaml.safe_dump({"base": "default", "sample": {"method": "random", "points": 10},
                                  "axes": {"cluster.gpus": {"low": 1, "high": 1e300, "log": True, "integer": True}}}))
    _ok_or_2(lf("sweep", "check", str(sw)), "axes.cluster.gpus")


# 9. bounded input --------------------------------------------------------------------------------------------------

def test_files_too_large_or_not_regular_are_refused(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text(SMALL + "description: " + "x" * 2_000_000 + "\n")
    _ok_or_2(lf("compare", str(big)), "bytes", "at most")
    _ok_or_2(lf("compare", "/dev/zero"), "not a regular file")
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    t = time.perf_counter()
    _ok_or_2(lf("compare", str(fifo)), "not a regular file")
    assert time.perf_counter() - t < 5


def test_a_flood_of_errors_is_summarised(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(SMALL + "".join(f"junk{i}: 1\n" for i in range(5000)))
    p = lf("compare", str(path))
    _ok_or_2(p, "unknown key", "more")
    assert len(p.stderr) < 20_000


@pytest.mark.parametrize("body, words", [
    ({"base": "default", "axes": {f"economics.{k}": {"linspace": [1.1, 1.5, 1000]} for k in ("pue",)} | {
        "cluster.gpus": {"range": [512, 512 + 64 * 1000, 64]}, "economics.years": {"linspace": [1, 10, 1000]},
        "economics.discount_rate": {"linspace": [0, 0.2, 1000]}}}, ["points", "at most"]),
    ({"base": "default", "axes": {"cluster.gpus": [512]}, "constraints": ["9**9**9**9 > cluster.gpus"]},
     ["constraint", "too large"]),
    ({"base": "default", "axes": {"cluster.gpus": [512]}, "constraints": ["'a' * 10000000000 == 'b'"]},
     ["constraint"]),
    ({"base": "default", "axes": {"cluster.gpus": [512]}, "constraints": ["1 / 0 > cluster.gpus"]},
     ["constraint", "division by zero"]),
    ({"base": "default", "axes": {"cluster.gpus": [512]}, "constraints": [" + ".join(["1"] * 20000) + " > 0"]},
     ["constraint", "too long"]),
    ({"base": "default", "axes": {"cluster.gpus": {"range": [512, float("nan"), 64]}}}, ["axes.cluster.gpus"]),
])
def test_sweep_files_that_would_never_finish_are_refused(tmp_path, body, words):
    sw = tmp_path / "s.yaml"
    sw.write_text(yaml.safe_dump(body))
    t = time.perf_counter()
    _ok_or_2(lf("sweep", "check", str(sw)), *words)
    assert time.perf_counter() - t < 10


# 10. bad input is exit 2, never an internal error ------------------------------------------------------------------

@pytest.mark.parametrize("text, words", [
    (SMALL + "description: " + "[" * 1000 + "]" * 1000 + "\n", ["nesting"]),
    (SMALL.replace("gpus: 512", "gpus: " + "9" * 4401), ["cluster.gpus"]),
])
def test_deep_or_huge_yaml_values_exit_2(tmp_path, text, words):
    path = tmp_path / "s.yaml"
    path.write_text(text)
    _ok_or_2(lf("compare", str(path)), *words)


@pytest.mark.parametrize("args, words", [
    (["reliability", "--seed", "-1"], ["--seed"]),
    (["collective", "--simulate", "--gpus", "64", "--seed", "-1"], ["--seed"]),
    (["collective", "--simulate", "--gpus", "64", "--fail-links", "-1"], ["--fail-links"]),
    (["collective", "--routing", "bogus"], ["--routing"]),
    (["collective", "--simulate", "--gpus", "64", "--routing", "bogus"], ["--routing"]),
])
def test_bad_options_exit_2(args, words):
    _ok_or_2(lf(*args), *words)


def test_a_symlink_loop_and_missing_output_directories_exit_2(tmp_path):
    loop = tmp_path / "loop.yaml"
    os.symlink(loop, loop)
    _ok_or_2(lf("compare", str(loop)), str(loop))
    sw = _small_sweep(tmp_path)
    out = tmp_path / "r.duckdb"
    assert lf("sweep", "run", str(sw), "-o", str(out), "--workers", "1").returncode == 0
    _ok_or_2(lf("sweep", "export", str(out), "-o", str(tmp_path / "no" / "x.parquet")), "--output")
    _ok_or_2(lf("sweep", "report", str(out), "-o", str(tmp_path / "no" / "x.html")), "--output")


# 11. sweep query reads and nothing else ----------------------------------------------------------------------------

@pytest.mark.parametrize("sql", [
    "COPY results TO '{tmp}/leak.csv'",
    "SELECT * FROM read_csv_auto('/etc/passwd')",
    "ATTACH '{tmp}/other.duckdb' AS o",
    "CREATE TABLE x AS SELECT 1",
    "SET enable_external_access = true",
])
def test_sweep_query_cannot_write_or_read_other_files(tmp_path, sql):
    sw = _small_sweep(tmp_path)
    out = tmp_path / "r.duckdb"
    assert lf("sweep", "run", str(sw), "-o", str(out), "--workers", "1").returncode == 0
    p = lf("sweep", "query", str(out), sql.replace("{tmp}", str(tmp_path)))
    _ok_or_2(p, "SQL")
    assert not (tmp_path / "leak.csv").exists() and not (tmp_path / "other.duckdb").exists()
    p = lf("sweep", "pareto", str(out), "--minimize", "power_w,tco_usd",
           "--where", f"1=1; COPY results TO '{tmp_path}/leak.csv'")
    _ok_or_2(p, "--where")
    assert not (tmp_path / "leak.csv").exists()


# 12. the OpenAPI schema says what the API does --------------------------------------------------------------------

def test_openapi_documents_the_one_of_rule_and_every_status(api):
    spec = api.get("/openapi.json").json()
    compare = spec["paths"]["/api/compare"]["post"]
    assert {"200", "404", "413", "422", "503"} <= set(compare["responses"])
    body = spec["components"]["schemas"]["CompareRequest"]
    assert "at most one of example, yaml and scenario" in body["description"]
    for path, ops in spec["paths"].items():
        for op in ops.values():
            if path.startswith("/api/") and "requestBody" in op:
                assert {"413", "422", "503"} <= set(op["responses"]), path


def test_flow_counts_match_the_phases_made():
    """The server's up-front bound counts by arithmetic what the phases will hold."""
    import numpy as np

    from lightfabric.netsim.collectives import ALGORITHMS, OPS, flow_counts, phases
    for n in [2, 3, 7, 8, 64, 100, 288, 1024]:
        for op in OPS:
            for alg in ALGORITHMS[op]:
                try:
                    ph = phases(op, alg, np.arange(n), 1e6, 8 if n % 8 == 0 else None)
                except LightfabricError:
                    continue                       # halving-doubling of a non-power of two, ...
                assert flow_counts(op, alg, n) == (max(p.flows for p in ph), sum(p.flows for p in ph)), (n, op, alg)
    # a shifted all-to-all of 131,072 GPUs is made one phase at a time
    big = phases("all-to-all", "shifted", np.arange(131_072), 1e9)
    assert len(big) == 131_071 and big[5].dst[0] == 6
