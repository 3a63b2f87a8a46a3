"""Sweeps end to end: the vectorized metrics against the single-design pipeline, cost-driven choices
rebuilt, local runs independent of workers and partitions, resume after real kills, Ctrl-C, a real
Dask cluster on loopback, Pareto fronts against brute force, and bad input."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from lightfabric.compare import compare
from lightfabric.economics.evaluate import economics
from lightfabric.sweep import load_sweep, size
from lightfabric.sweep.evaluate import FabricCache, METRICS, evaluate_partition, scenario_at
from lightfabric.sweep.pareto import brute_force_front, pareto_front
from lightfabric.sweep.run import run_sweep
from lightfabric.sweep.spec import chunk

from test_cli import lf

ROOT = Path(__file__).resolve().parents[1]
LF = [str(Path(sys.executable).parent / "lightfabric")]
BIN = Path(sys.executable).parent


def write_sweep(tmp_path: Path, body: dict, name: str = "s.yaml") -> Path:
    p = tmp_path / name
    p.write_text(yaml.safe_dump(body))
    return p


def _traffic(result) -> dict:
    """The traffic efficiencies as `lightfabric traffic` gives them (NaN without two blocks)."""
    from lightfabric.netsim.topo import topo_of
    from lightfabric.netsim.traffic import block_traffic
    topo = topo_of(result.design)
    blocks = topo.blocks_of(np.arange(topo.gpus))
    if blocks is None or blocks.max() == 0:
        return {"uniform_traffic_efficiency": float("nan"), "permutation_traffic_efficiency": float("nan")}
    return {f"{p}_traffic_efficiency": block_traffic(topo, p, 1e9)["efficiency"] for p in ("uniform", "permutation")}


def pipeline_metrics(sc) -> list[dict]:
    """The metrics of every design of ``sc`` from compare() and economics(), one dict per design."""
    comp, eco = compare(sc), economics(sc)
    out = []
    for c, e in zip(comp.results, eco["results"]):
        if not c.feasible:
            out.append({"technology": c.technology, "feasible": False})
            continue
        out.append({"technology": c.technology, "feasible": True, "tiers": c.topology["tiers"],
                    "switches": c.topology["switches"], "pluggable_modules": c.bom["pluggable_modules"],
                    "optical_engines": c.bom["optical_engines"], "lasers": c.bom["lasers"], "fiber_m": c.bom["fiber_m"],
                    "power_w": c.power_w["total"], "power_per_gpu_w": c.power_per_gpu_w, "capex_usd": e["capex_usd"],
                    "energy_usd": e["energy_usd"], "maintenance_usd": e["maintenance_usd"],
                    "downtime_usd": e["downtime_usd"], "tco_usd": e["tco_usd"], "tco_per_gpu_usd": e["per_gpu"]["tco_usd"],
                    "npv_usd": e["npv_usd"], **e["reliability"], **_traffic(c)})
    return out


def assert_rows_match_pipeline(spec, base, out, cols, points):
    for p in points:
        sc = scenario_at(base, {a: cols[a][p] for a in spec.axes})
        rows = np.flatnonzero(out["point"] == p)
        want = pipeline_metrics(sc)
        assert [out["technology"][r] for r in rows] == [w["technology"] for w in want]
        for r, w in zip(rows, want):
            assert bool(out["feasible"][r]) == w["feasible"]
            if not w["feasible"]:
                assert all(np.isnan(out[m][r]) for m in METRICS)
                continue
            assert set(METRICS) <= set(w)
            for m in METRICS:
                assert out[m][r] == pytest.approx(w[m], rel=1e-9, abs=1e-9, nan_ok=True), (p, w["technology"], m)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(gpus=st.lists(st.sampled_from([512, 2048, 4096, 12288]), min_size=1, max_size=2, unique=True),
       switch=st.sampled_from(["tomahawk-5", "tomahawk-6-100g"]),
       oversub=st.sampled_from([1.0, 2.0, 3.0]),
       techs=st.sampled_from([["pluggable-dsp", "lpo", "cpo"], ["lro", "npo", "ocs"], ["copper", "oio"]]),
       policy=st.sampled_from([None, "auto", "lpo"]),
       price=st.lists(st.floats(0.0, 0.5), min_size=1, max_size=3, unique=True),
       pue=st.lists(st.floats(1.0, 2.0), min_size=1, max_size=2, unique=True),
       years=st.lists(st.floats(0.5, 12.0), min_size=1, max_size=2, unique=True),
       rate=st.lists(st.floats(0.0, 0.3), min_size=1, max_size=2, unique=True),
       hour=st.lists(st.floats(0.5, 9.0), min_size=1, max_size=2, unique=True),
       labour=st.sampled_from([30.0, 52.0, 120.0]))
def test_vectorized_metrics_equal_the_single_design_pipeline(gpus, switch, oversub, techs, policy, price, pue,
                                                             years, rate, hour, labour):
    axes = {"cluster.gpus": gpus, "scale_out.switch": [switch], "scale_out.oversubscription": [oversub],
            "technologies": [techs], "economics.labour_usd_per_h": [labour],
            "economics.electricity_usd_per_kwh": price, "economics.pue": pue, "economics.years": years,
            "economics.discount_rate": rate, "economics.gpu_hour_usd": hour}
    if policy is not None:
        axes["technology.leaf_spine"] = [policy]
    from lightfabric.sweep import parse_sweep
    spec = parse_sweep({"axes": axes})
    base = yaml.safe_load((ROOT / "src/lightfabric/scenario/default.yaml").read_text())
    n = size(spec)
    out = evaluate_partition(spec, base, 0, n, cache=FabricCache())
    cols = chunk(spec, 0, n)
    assert sorted(set(out["point"])) == list(range(n))
    picks = sorted({0, n - 1, n // 2})
    assert_rows_match_pipeline(spec, base, out, cols, picks)


def test_a_cost_chosen_design_is_rebuilt_when_the_price_flips_its_choice(tmp_path):
    # CPO made dear and LPO power-hungry: at zero price auto picks LPO/LRO, at 10 USD/kWh CPO on top tiers
    base = yaml.safe_load((ROOT / "src/lightfabric/scenario/default.yaml").read_text())
    base.update(technology={"nic_leaf": "auto", "leaf_spine": "auto", "spine_core": "auto"},
                technologies=["pluggable-dsp"],
                overrides={"osfp-800g-lpo-dr8.power_w": 40.0, "bailly-oe-6.4t.price_usd": 30000.0})
    base["cluster"]["gpus"] = 4096
    (tmp_path / "base.yaml").write_text(yaml.safe_dump(base))
    sweep = load_sweep(write_sweep(tmp_path, {"base": "base.yaml", "axes": {
        "economics.electricity_usd_per_kwh": [0.0, 10.0], "economics.pue": [1.3]}}))
    choices = [{g.technology for g in compare(scenario_at(sweep.base, {"economics.electricity_usd_per_kwh": p}))
                .result("policy").design.link_groups} for p in (0.0, 10.0)]
    assert choices[0] != choices[1]  # the flip this test is about
    out = evaluate_partition(sweep.spec, sweep.base, 0, 2, cache=FabricCache())
    assert_rows_match_pipeline(sweep.spec, sweep.base, out, chunk(sweep.spec, 0, 2), [0, 1])


def rows_of(path: Path) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("SELECT * FROM results ORDER BY point, technology").fetchall()
    finally:
        con.close()


SMALL = {"base": "default", "axes": {"cluster.gpus": [2048, 4096], "scale_out.oversubscription": [1.0, 2.0],
                                     "economics.electricity_usd_per_kwh": {"linspace": [0.05, 0.2, 4]},
                                     "economics.pue": [1.2, 1.4]}}


@pytest.fixture(scope="module")
def small_results(tmp_path_factory) -> Path:
    """SMALL run once, in this process: the reference rows and a results file to query."""
    d = tmp_path_factory.mktemp("small")
    res = d / "small.duckdb"
    run_sweep(load_sweep(write_sweep(d, SMALL)), res, workers=1)
    return res


def _same(a: list[tuple], b: list[tuple]) -> bool:
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        for u, v in zip(x, y):
            if isinstance(u, float) and isinstance(v, float):
                if not (u == v or (np.isnan(u) and np.isnan(v))):
                    return False
            elif u != v:
                return False
    return True


def test_local_runs_agree_whatever_the_workers_and_partitions(tmp_path):
    sweep = load_sweep(write_sweep(tmp_path, SMALL))
    one = run_sweep(sweep, tmp_path / "one.duckdb", workers=1, partition_points=64)
    two = run_sweep(sweep, tmp_path / "two.duckdb", workers=2, partition_points=5)
    assert one.partitions == 1 and two.partitions == 7 and two.evaluated == 7
    # the second run's rows were made in worker processes, not in this one (how the pool shares seven
    # small partitions between its two workers is the scheduler's timing: one may take them all)
    import os
    assert 1 <= len(two.workers) <= 2 and not any(w.endswith(f":{os.getpid()}") for w in two.workers)
    assert one.workers and all(w.endswith(f":{os.getpid()}") for w in one.workers)
    a, b = rows_of(tmp_path / "one.duckdb"), rows_of(tmp_path / "two.duckdb")
    assert len(a) == 32 * 3 and _same(a, b)


def _cli(*args, env=None, **kw):
    return subprocess.run(LF + list(args), capture_output=True, text=True, env={**os.environ, **(env or {})},
                          **kw)


@pytest.mark.parametrize("where", ["after:2", "inside:3"])
def test_a_killed_run_resumes_with_every_point_exactly_once(tmp_path, where, small_results):
    sw = write_sweep(tmp_path, SMALL)
    out = tmp_path / "killed.duckdb"
    r = _cli("sweep", "run", str(sw), "-o", str(out), "--workers", "1", "--partition-points", "4",
             env={"LIGHTFABRIC_SWEEP_KILL": where})
    assert r.returncode == -signal.SIGKILL
    con = duckdb.connect(str(out), read_only=True)
    stored = con.execute("SELECT count(*) FROM partitions").fetchone()[0]
    rows = con.execute("SELECT count(*) FROM results").fetchone()[0]
    con.close()
    assert stored == int(where.split(":")[1]) and rows == stored * 4 * 3  # whole partitions only
    # the resume's process is not the point (its two workers are processes all the same): run it here
    r = lf("sweep", "run", str(sw), "-o", str(out), "--workers", "2", "--partition-points", "4")
    assert r.returncode == 0, r.stderr
    assert f"{stored} found stored, {8 - stored} evaluated" in r.stdout
    con = duckdb.connect(str(out), read_only=True)
    assert con.execute("SELECT count(*), count(DISTINCT (point, technology)) FROM results").fetchone() == (96, 96)
    con.close()
    assert _same(rows_of(out), rows_of(small_results))


def _read_pty(master: int, until=None, timeout_s: float = 120.0) -> str:
    """What a process wrote to its pseudo-terminal, up to a regex match (or the end)."""
    import re
    import select
    seen, t0 = b"", time.monotonic()
    while time.monotonic() - t0 < timeout_s:
        ready, _, _ = select.select([master], [], [], 0.2)
        if not ready:
            continue
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
        if until is not None and re.search(until, seen.decode(errors="replace")):
            break
    return seen.decode(errors="replace")


CTRL_C_GPU_COUNTS = 50  # x 3 oversubscriptions: 150 points in 75 partitions, seconds of work after the first


def test_ctrl_c_stops_with_130_and_the_rerun_finishes(tmp_path):
    """Ctrl-C to the run's process group once a partition is stored, the rest still running: exit
    130 with the message; the same command again stores every point once."""
    points = 3 * CTRL_C_GPU_COUNTS
    body = {"base": "default", "axes": {"cluster.gpus": {"range": [1024, 1024 + 64 * CTRL_C_GPU_COUNTS, 64]},
                                        "scale_out.oversubscription": [1.0, 1.5, 2.0]}}
    sw = write_sweep(tmp_path, body)
    out = tmp_path / "r.duckdb"
    master, slave = os.openpty()
    p = subprocess.Popen(LF + ["sweep", "run", str(sw), "-o", str(out), "--workers", "2", "--partition-points", "2"],
                         stdout=slave, stderr=slave, text=True, start_new_session=True,
                         env={**os.environ, "COLUMNS": "160", "TERM": "xterm"})
    os.close(slave)
    before = _read_pty(master, until=rf"\b[1-9][\d,]*/{points} points")  # a partition is stored
    assert f"/{points} points" in before, before
    os.killpg(p.pid, signal.SIGINT)
    after = _read_pty(master)
    p.wait(timeout=120)
    os.close(master)
    assert p.returncode == 130, after
    assert "interrupted" in after and "run the same command again" in after
    r = lf("sweep", "run", str(sw), "-o", str(out), "--workers", "2", "--partition-points", "2")
    assert r.returncode == 0, r.stderr
    assert "0 found stored" not in r.stdout
    con = duckdb.connect(str(out), read_only=True)
    assert con.execute("SELECT count(DISTINCT point), count(*) FROM results").fetchone() == (points, 3 * points)
    con.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_real_dask_cluster_gives_the_local_rows(tmp_path):
    """A real scheduler and two real workers, each its own process on loopback. The sweep's driver
    runs in this process (its process is not the point); the cluster is stopped workers first, so
    that no worker waits on a scheduler already gone."""
    from distributed import Client
    port = _free_port()
    addr = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    procs = [subprocess.Popen([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--no-dashboard"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)]
    try:
        # the workers start beside the scheduler and connect once it listens (they retry)
        for _ in range(2):
            procs.append(subprocess.Popen([str(BIN / "dask"), "worker", addr, "--nthreads", "1", "--nworkers", "1",
                                           "--no-dashboard", "--local-directory", str(tmp_path)],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env))
        with Client(addr, timeout="30s") as c:
            c.wait_for_workers(2, timeout=60)
            worker_pids = set(c.run(os.getpid).values())
        sw = write_sweep(tmp_path, SMALL)
        r = lf("sweep", "run", str(sw), "-o", str(tmp_path / "dask.duckdb"), "--scheduler", addr,
               "--partition-points", "3")
        assert r.returncode == 0, r.stderr
        assert "evaluated on Dask" in r.stdout
        local = run_sweep(load_sweep(sw), tmp_path / "local.duckdb", workers=1, partition_points=32)
        assert local.rows_written == 96
        assert _same(rows_of(tmp_path / "dask.duckdb"), rows_of(tmp_path / "local.duckdb"))
        con = duckdb.connect(str(tmp_path / "dask.duckdb"), read_only=True)
        workers = {w for (w,) in con.execute("SELECT DISTINCT worker FROM partitions").fetchall()}
        con.close()
        # every partition was evaluated in a Dask worker's process, not in the driver (which of the two
        # workers takes these tiny partitions is the scheduler's timing, not the sweep's to promise)
        pids = {int(w.rsplit(":", 1)[1]) for w in workers}
        assert pids and pids <= worker_pids and os.getpid() not in pids
    finally:
        # workers first, then the scheduler: a worker whose scheduler is gone waits out its timeouts
        for group in (procs[1:], procs[:1]):
            for p in group:
                p.terminate()
            for p in group:
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    p.kill()


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 4).flatmap(lambda k: st.tuples(
    st.lists(st.lists(st.one_of(st.integers(0, 4).map(float), st.just(float("nan"))), min_size=k, max_size=k),
             min_size=0, max_size=120),
    st.lists(st.booleans(), min_size=k, max_size=k))))
def test_pareto_front_equals_brute_force(case):
    rows, maximize = case
    k = len(maximize)
    v = np.array(rows, dtype=float).reshape(-1, k)
    assert np.array_equal(pareto_front(v, maximize), brute_force_front(v, maximize))


def test_pareto_front_across_blocks():
    from lightfabric.sweep import pareto
    rng = np.random.default_rng(3)
    v = rng.integers(0, 40, size=(5000, 3)).astype(float)
    v[rng.random(5000) < 0.01, 1] = np.nan
    assert len(v) > 2 * pareto.BLOCK
    assert np.array_equal(pareto_front(v, [False, True, False]), brute_force_front(v, [False, True, False]))


def test_cli_query_pareto_export_and_report(tmp_path):
    """The commands run in this process (typer's runner, as tests/test_cli.py's ``lf``): their exit codes
    and output are the point here, not a new interpreter's start-up (test_cli.py runs that)."""
    sw = write_sweep(tmp_path, SMALL)
    res = tmp_path / "r.duckdb"
    assert lf("sweep", "run", str(sw), "-o", str(res), "--workers", "1").returncode == 0
    r = lf("sweep", "query", str(res), "SELECT technology, count(*) AS n FROM results GROUP BY 1 ORDER BY 1",
           "--format", "json")
    import json
    assert json.loads(r.stdout) == [{"technology": t, "n": 32} for t in ("cpo", "lpo", "pluggable-dsp")]
    r = lf("sweep", "pareto", str(res), "--minimize", "power_per_gpu_w,tco_per_gpu_usd", "--maximize", "goodput",
           "--format", "json")
    assert r.returncode == 0, r.stderr
    front = json.loads(r.stdout)
    con = duckdb.connect(str(res), read_only=True)
    t = con.execute("SELECT point, technology, power_per_gpu_w, tco_per_gpu_usd, goodput FROM results "
                    "WHERE feasible").fetchall()
    con.close()
    v = np.array([row[2:] for row in t], dtype=float)
    want = {(t[i][0], t[i][1]) for i in brute_force_front(v, [False, False, True])}
    assert {(f["point"], f["technology"]) for f in front} == want and want
    r = lf("sweep", "export", str(res), "-o", str(tmp_path / "r.parquet"))
    import pyarrow.parquet as pq
    assert r.returncode == 0 and pq.read_table(tmp_path / "r.parquet").num_rows == 96
    r = lf("sweep", "report", str(res), "-o", str(tmp_path / "r.html"))
    text = (tmp_path / "r.html").read_text()
    assert r.returncode == 0 and "Pareto front" in text and text.count("plotly-graph-div") == 3  # 3 pairs
    assert "https://" not in text.split("<body>")[1][:2000]


def test_every_example_sweep_is_valid_and_its_size_is_documented():
    doc = (ROOT / "docs/sweeps.md").read_text()
    examples = sorted((ROOT / "examples/sweeps").glob("*.yaml"))
    assert len(examples) >= 3
    for p in examples:
        sweep = load_sweep(p)
        assert f"`{p.name}`" in doc, p.name
        assert f"{size(sweep.spec):,}" in doc, (p.name, size(sweep.spec))


@pytest.mark.parametrize("args, words", [
    (["run", "missing.yaml"], ["SWEEP", "no such file"]),
    (["run", "x.txt"], [".yaml"]),
    (["run", "{sw}", "--workers", "0"], ["--workers", ">= 1"]),
    (["run", "{sw}", "--scheduler", "127.0.0.1:1"], ["--scheduler", "tcp://"]),
    (["run", "{sw}", "--scheduler", "tcp://127.0.0.1:{port}"], ["--scheduler", "cannot connect"]),
    (["run", "{bad}"], ["cluster.gpuz", "did you mean"]),
    (["run", "{sw}", "-o", "out.csv"], ["--output", ".duckdb"]),
    (["query", "nothing.duckdb", "SELECT 1"], ["RESULTS", "no such file"]),
    (["query", "{res}", "SELEC 1"], ["SQL", "syntax"]),
    (["query", "{res}", "DROP TABLE results"], ["SQL", "read-only"]),
    (["pareto", "{res}", "--minimize", "tco"], ["--minimize", "tco_usd"]),
    (["pareto", "{res}", "--minimize", "tco_usd", "--where", "nope > 1"], ["--where"]),
    (["export", "{res}", "-o", "x.csv"], ["--output", ".parquet"]),
])
def test_bad_input_exits_2_with_one_message(tmp_path, args, words, monkeypatch, small_results):
    monkeypatch.chdir(tmp_path)
    sw = write_sweep(tmp_path, SMALL)
    bad = write_sweep(tmp_path, {"axes": {"cluster.gpuz": [1]}}, "bad.yaml")
    res = small_results
    args = [a.format(sw=sw, bad=bad, res=res, port=_free_port()) for a in args]
    r = lf("sweep", *args)  # in this process: the exit code and the one message are the point
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    for w in words:
        assert w.lower() in r.stderr.lower(), r.stderr


def test_resuming_another_sweep_is_refused(tmp_path):
    sw = write_sweep(tmp_path, SMALL)
    res = tmp_path / "r.duckdb"
    run_sweep(load_sweep(sw), res, workers=1)
    other = write_sweep(tmp_path, {**SMALL, "axes": {**SMALL["axes"], "economics.pue": [1.5]}}, "o.yaml")
    r = lf("sweep", "run", str(other), "-o", str(res))
    assert r.returncode == 2 and "another sweep" in r.stderr and "--fresh" in r.stderr
    assert lf("sweep", "run", str(other), "-o", str(res), "--fresh", "--workers", "1").returncode == 0
    assert len(rows_of(res)) == 16 * 3


def test_a_point_that_cannot_be_built_is_one_row_with_its_reason(tmp_path):
    sweep = load_sweep(write_sweep(tmp_path, {"axes": {"cluster.gpus": [1024, 3_000_000]}}))
    out = evaluate_partition(sweep.spec, sweep.base, 0, 2, cache=FabricCache())
    assert list(out["point"]) == [0, 0, 0, 1]
    assert out["technology"][3] is None and not out["feasible"][3]
    assert out["reason"][3].startswith("cluster.gpus: got 3000000") and "at most 65,536" in out["reason"][3]
    assert all(np.isnan(out[m][3]) for m in METRICS)


def test_a_terminal_sees_the_progress_bar(tmp_path):
    sw = write_sweep(tmp_path, SMALL)
    master, slave = os.openpty()
    p = subprocess.Popen(LF + ["sweep", "run", str(sw), "-o", str(tmp_path / "r.duckdb"), "--workers", "1",
                               "--partition-points", "8"], stdout=subprocess.PIPE, stderr=slave, text=True,
                         env={**os.environ, "COLUMNS": "160", "TERM": "xterm"})
    os.close(slave)
    text = _read_pty(master)
    p.wait(timeout=120)
    os.close(master)
    assert p.returncode == 0, text
    assert "/32 points" in text and "points/s" in text


def test_traffic_columns_follow_lightfabric_traffic(tmp_path):
    """Issue 22: the sweep's traffic columns are `lightfabric traffic`'s efficiencies; NULL on a torus."""
    import duckdb

    from lightfabric import load_scenario
    from lightfabric.netsim.traffic import traffic_report
    sweep = tmp_path / "s.yaml"
    sweep.write_text(f"base: {ROOT / 'examples/jupiter-direct-connect-64k.yaml'}\nsample: {{method: grid}}\n"
                     "axes:\n  cluster.gpus: [16384]\n")
    out = tmp_path / "r.duckdb"
    assert lf("sweep", "run", str(sweep), "-o", str(out), "--workers", "1").returncode == 0
    rows = duckdb.connect(str(out), read_only=True).execute(
        "SELECT technology, uniform_traffic_efficiency, permutation_traffic_efficiency FROM results ORDER BY 1").fetchall()
    sc = load_scenario(ROOT / "examples/jupiter-direct-connect-64k.yaml").model_copy(
        update={"cluster": load_scenario(ROOT / "examples/jupiter-direct-connect-64k.yaml").cluster.model_copy(
            update={"gpus": 16384})})
    lib = {r["technology"]: r["efficiency"] for r in traffic_report(sc, pattern="permutation", size_bytes=1e9)["results"]}
    assert rows and all(perm == pytest.approx(lib[t]) and perm < 0.6 and uni == pytest.approx(1.0, rel=1e-3)
                        for t, uni, perm in rows)
    torus = tmp_path / "t.yaml"
    torus.write_text(f"base: {ROOT / 'examples/tpu-v4-like-pod-torus.yaml'}\nsample: {{method: grid}}\n"
                     "axes:\n  economics.pue: [1.2]\n")
    out = tmp_path / "t.duckdb"
    assert lf("sweep", "run", str(torus), "-o", str(out), "--workers", "1").returncode == 0
    nulls = duckdb.connect(str(out), read_only=True).execute(
        "SELECT count(*) FROM results WHERE feasible AND uniform_traffic_efficiency IS NULL").fetchone()[0]
    assert nulls >= 2
