"""The Python API (docs/python.md): every analysis as a function with a typed result whose to_dict() is
the CLI's JSON for the same call and whose to_frame() has one row per design; validated scenario
edits; and the example notebook, run cell by cell."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
from test_cli import lf as cli
from test_registry import small_text

import lightfabric as lf
from lightfabric.errors import LightfabricError, ScenarioError

ROOT = Path(__file__).resolve().parents[1]
DESIGNS = ["pluggable-dsp", "lpo", "cpo"]

# a model small enough to read at a glance: 8 layers, no experts
MODEL = """name: tiny-dense
parameters: 1.0e9
active_parameters: 1.0e9
layers: 8
hidden: 2048
sequence_length: 2048
global_batch_tokens: 4194304
"""


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """The 576-GPU GB300 cluster of the registry tests as a file, a model file and a sweep over it."""
    d = tmp_path_factory.mktemp("api")
    (d / "small.yaml").write_text(small_text("fat-tree", ", ".join(DESIGNS)))
    (d / "tiny.yaml").write_text(MODEL)
    (d / "sweep.yaml").write_text("base: small.yaml\nsample: {method: grid}\naxes:\n  economics.pue: [1.2, 1.5]\n")
    return d


@pytest.fixture(scope="module")
def sc(files):
    return lf.load_scenario(files / "small.yaml")


def cli_json(*args) -> dict:
    p = cli(*args, "--format", "json")
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def frame_checks(result, columns):
    """One row per design, indexed by technology, with the promised columns, numeric."""
    frame = result.to_frame()
    assert list(frame.index) == DESIGNS and frame.index.name == "technology"
    assert set(columns) <= set(frame.columns), set(columns) - set(frame.columns)
    assert frame["feasible"].all()
    for c in columns:
        assert frame[c].dtype.kind in "fi", (c, frame[c].dtype)
    return frame


def without_timing(report: dict) -> dict:
    """The reliability report less the Monte Carlo's wall-clock fields (seconds, link-years per second)."""
    report = json.loads(json.dumps(report))
    for r in report["results"]:
        for k in ("seconds", "link_years_per_second"):
            r["monte_carlo"].pop(k)
    return report


def test_reliability(files, sc):
    r = lf.reliability(sc, trials=4, horizon_days=5, seed=3)
    assert isinstance(r, lf.ReliabilityResult) and r.technologies == DESIGNS
    got = cli_json("reliability", files / "small.yaml", "--trials", 4, "--horizon-days", 5, "--seed", 3)
    assert without_timing(r.to_dict()) == without_timing(got)
    frame = frame_checks(r, ReliabilityColumns)
    for t in DESIGNS:
        row, rec = frame.loc[t], r.result(t)
        # the total against the sum of its categories (each rounded to 4 digits by the report)
        by_category = [v for k, v in row.items() if k.startswith("failures_per_day.") and v == v]
        assert row["failures_per_day"] == pytest.approx(sum(by_category), rel=2e-3)
        assert 0 < row["goodput"] <= 1
        assert row["mc_gpus_down_max"] == rec["monte_carlo"]["gpus_down_max"]
    assert "Monte Carlo" not in repr(r) and "ReliabilityResult(scenario='registry-fat-tree'" in repr(r)


ReliabilityColumns = ("failures_per_day", "swaps_per_day", "gpus_down_mean", "job_interruptions_per_day",
                      "network_share_of_job_time", "goodput", "mc_gpus_down_mean", "mc_gpus_down_p99")


def test_economics_and_value_chain(files, sc):
    e = lf.economics(sc)
    assert e.to_dict() == cli_json("economics", files / "small.yaml")
    frame = frame_checks(e, ("capex_usd", "energy_usd", "maintenance_usd", "downtime_usd", "tco_usd", "npv_usd",
                             "tco_per_gpu_usd", "goodput"))
    # TCO is the sum of its parts; per GPU is over the scenario's GPUs; capex is compare's plus the
    # packaging premium (a second path to the same number)
    parts = frame[["capex_usd", "energy_usd", "maintenance_usd", "downtime_usd"]].sum(axis=1)
    assert list(frame["tco_usd"]) == pytest.approx(list(parts), rel=1e-12)
    assert list(frame["tco_per_gpu_usd"] * sc.cluster.gpus) == pytest.approx(list(frame["tco_usd"]), rel=1e-12)
    compared = lf.compare(sc).to_frame()
    assert list(frame["capex_usd"] - frame["packaging_premium_usd"]) == pytest.approx(
        list(compared.loc[DESIGNS, "capex_usd"]), rel=1e-9)

    v = lf.value_chain(sc)
    assert v.to_dict() == cli_json("valuechain", files / "small.yaml")
    vf = frame_checks(v, ("capex_usd", "total_usd"))
    segments = vf[[c for c in vf.columns if c.startswith("segment_usd.")]]
    assert len(segments.columns) == len(v.report["segment_labels"])
    assert list(segments.sum(axis=1)) == pytest.approx(list(vf["total_usd"]), rel=1e-12)
    shares = vf[[c for c in vf.columns if c.startswith("segment_share.")]]
    assert list(shares.sum(axis=1)) == pytest.approx([1.0] * 3, rel=1e-12)


def test_sensitivity(files, sc):
    s = lf.sensitivity(sc, versus=("cpo", "pluggable-dsp"))
    assert s.to_dict() == cli_json("sensitivity", files / "small.yaml", "--versus", "cpo,pluggable-dsp")
    frame = frame_checks(s, ("tco_usd",))
    # the tornado's base is economics' TCO
    eco = lf.economics(sc).to_frame()
    assert list(frame["tco_usd"]) == pytest.approx(list(eco["tco_usd"]), rel=1e-12)
    swings = [c for c in frame.columns if c.startswith("swing_usd.")]
    assert len(swings) == len(s.report["tornado"]["rows"]) and (frame[swings] >= 0).all().all()
    tornado = s.tornado_frame()
    assert list(tornado.index) == [x["input"] for x in s.report["tornado"]["rows"]]
    assert list(tornado["difference_swing_usd"]) == pytest.approx(
        list((tornado["difference_at_high_usd"] - tornado["difference_at_low_usd"]).abs()), rel=1e-9)
    assert list(s.break_even_frame().index) == [b["variable"] for b in s.report["break_even"]]
    with pytest.raises(LightfabricError, match="versus: got 'cpo'"):
        lf.sensitivity(sc, versus="cpo")
    with pytest.raises(LightfabricError, match="metric: got 'cost'"):
        lf.sensitivity(sc, metric="cost")


def test_collective(files, sc):
    size, n = 1e9, 64
    c = lf.collective(sc, op="all-reduce", size_bytes=size, gpus=n)
    assert c.to_dict() == cli_json("collective", files / "small.yaml", "--gpus", n, "--size-bytes", "1e9")
    frame = frame_checks(c, ("time_s", "algbw_gbps", "busbw_gbps", "closed_form_time_s"))
    # by hand: algbw = size / time; a ring all-reduce's bus bandwidth is 2 (n - 1) / n of it
    assert list(frame["algbw_gbps"]) == pytest.approx(list(size * 8 / frame["time_s"] / 1e9), rel=1e-9)
    assert list(frame["busbw_gbps"] / frame["algbw_gbps"]) == pytest.approx([2 * (n - 1) / n] * 3, rel=1e-9)
    with pytest.raises(LightfabricError, match="--gpus: got 99999"):
        lf.collective(sc, gpus=99_999)


def test_step(files, sc):
    st = lf.step(sc, model=files / "tiny.yaml", plan="tp=8,pp=2")
    assert st.to_dict() == cli_json("step", files / "small.yaml", "--model", files / "tiny.yaml", "--plan", "tp=8,pp=2")
    frame = frame_checks(st, ("step_time_s", "compute_s", "bubble_s", "exposed_comm_total_s", "tokens_per_s"))
    # by hand: the step is compute, bubble and exposed communication; tokens/s is the batch over it
    assert list(frame["step_time_s"]) == pytest.approx(
        list(frame["compute_s"] + frame["bubble_s"] + frame["exposed_comm_total_s"]), rel=1e-9)
    assert list(frame["tokens_per_s"]) == pytest.approx(list(4194304 / frame["step_time_s"]), rel=1e-9)
    assert (frame["gpus"] == 576).all()


def test_step_takes_an_example_model_by_name(sc):
    index = pytest.importorskip("lightfabric.examples_index")
    by_name = lf.step(sc, model="moe-1t", plan="tp=8,pp=8")
    by_path = lf.step(sc, model=index.model_path("moe-1t"), plan="tp=8,pp=8")
    assert by_name.to_dict() == by_path.to_dict() and by_name.report["model"]["name"] == "moe-1t"
    with pytest.raises(LightfabricError, match="model: got 'moe-2t'"):
        lf.step(sc, model="moe-2t")


def test_sweep(files, sc):
    out = files / "out.duckdb"
    s = lf.sweep(files / "sweep.yaml", out, workers=1)
    assert s.summary["points"] == 2 and s.summary["rows_written"] == 6
    p = cli("sweep", "query", out, "SELECT * FROM results ORDER BY point, technology", "--format", "json")
    assert p.returncode == 0, p.stderr
    assert s.to_dict()["rows"] == json.loads(p.stdout)
    frame = s.to_frame()
    assert len(frame) == 6
    assert {"point", "economics_pue", "technology", "tco_per_gpu_usd", "power_per_gpu_w"} <= set(frame)
    # each row is what economics says for the scenario at that point
    for pue in (1.2, 1.5):
        eco = lf.economics(sc.with_changes({"economics.pue": pue})).to_frame()
        rows = frame[frame["economics_pue"] == pue].set_index("technology")
        assert list(rows.loc[DESIGNS, "tco_per_gpu_usd"]) == pytest.approx(list(eco["tco_per_gpu_usd"]), rel=1e-9)
    assert s.query("SELECT count(*) AS n FROM results") == [{"n": 6}]
    with pytest.raises(LightfabricError, match="sql: got"):
        s.query("SELECT nothing FROM results")


def test_an_infeasible_design_keeps_its_row(tmp_path):
    """npo cannot serve the GB300's scale-up links: its row says so, with empty metrics, beside a
    feasible design's."""
    sc = lf.parse_scenario(small_text("fat-tree", "pluggable-dsp, npo"))
    results = [lf.reliability(sc, trials=2, horizon_days=1), lf.economics(sc), lf.value_chain(sc),
               lf.collective(sc, gpus=8), lf.step(sc, model=_model(tmp_path), plan="tp=8,pp=2")]
    for result in results:
        frame = result.to_frame()
        assert sorted(frame.index) == ["npo", "pluggable-dsp"], type(result)
        assert not frame.loc["npo", "feasible"] and "npo engine" in frame.loc["npo", "reasons"]
        assert frame.loc["pluggable-dsp", "feasible"] and frame.loc["pluggable-dsp", "reasons"] == ""
        for c in type(result).COLUMNS:
            assert frame.loc["npo", c] is None or frame.loc["npo", c] != frame.loc["npo", c], (type(result), c)
            if c != "max_link_utilization":   # simulated only
                assert frame.loc["pluggable-dsp", c] is not None, (type(result), c)


def _model(d: Path) -> Path:
    (d / "tiny.yaml").write_text(MODEL)
    return d / "tiny.yaml"


def test_scenario_edits_are_validated(files, sc):
    with pytest.raises(ScenarioError) as e:
        sc.model_copy(update={"cluster": {"gpus": -5}})
    assert e.value.field == "cluster.gpus" and "cluster.gpus: got -5" in str(e.value)
    with pytest.raises(ScenarioError, match="cluster.gpus: got -5") as e:
        sc.with_changes({"cluster.gpus": -5})
    assert e.value.field == "cluster.gpus" and e.value.value == -5
    with pytest.raises(ScenarioError, match=r"cluster.gpux: unknown key; allowed: the keys gpus, gpu"):
        sc.with_changes({"cluster.gpux": 5})
    with pytest.raises(ScenarioError, match="scale_out.topology: got 'fat-tre'; allowed: fat-tree"):
        sc.with_changes(scale_out={"topology": "fat-tre"})

    # a valid change: the same numbers as the file written with it, and others than before
    smaller = sc.with_changes({"cluster.gpus": 288, "reliability.job_placement": "scattered"})
    text = small_text("fat-tree", ", ".join(DESIGNS)).replace("gpus: 576", "gpus: 288")
    written = lf.parse_scenario(text + "reliability: {job_placement: scattered}\n")
    assert smaller.model_dump() == written.model_dump()
    assert list(lf.compare(smaller).to_frame()["capex_usd"]) == list(lf.compare(written).to_frame()["capex_usd"])
    assert list(lf.compare(smaller).to_frame()["capex_usd"]) != list(lf.compare(sc).to_frame()["capex_usd"])
    # what was not changed keeps its place in the file; what was changed no longer has one
    assert smaller.location("cluster", "gpu") == sc.location("cluster", "gpu") is not None
    assert smaller.location("cluster", "gpus") is None and sc.location("cluster", "gpus") is not None

    # the job mix must still fit the cluster, as the loader checks
    with pytest.raises(ScenarioError, match=r"reliability.job_gpus: got 400 \(the job does not fit\); allowed: 1 to 288"
                       ):
        sc.with_changes({"reliability.job_gpus": 400, "cluster.gpus": 288})
    assert sc.with_changes({"reliability.job_gpus": 400}).reliability.job_gpus == 400

    # a section as a mapping changes only its keys; overrides.PART.FIELD sets one override
    assert sc.with_changes(cluster={"gpus": 288}).cluster == smaller.cluster
    assert sc.with_changes({"overrides.els-8.price_usd": 1500}).overrides == {"els-8.price_usd": 1500.0}


def test_internal_copies_keep_pydantic_semantics(sc):
    """What the pipeline's own model_copy calls rely on: a section given as a model is taken as it is,
    the keys set stay set (``designs`` reads them), the file locations stay."""
    cluster = sc.cluster.model_copy(update={"gpus_per_server": 8})
    copy = sc.model_copy(update={"cluster": cluster})
    assert copy.cluster is cluster and copy.model_fields_set == sc.model_fields_set
    assert copy.designs == sc.designs and copy.location("cluster", "gpus") == sc.location("cluster", "gpus")
    assert sc.model_copy() == sc and sc.model_copy(deep=True) == sc
    policy = lf.parse_scenario(small_text("fat-tree", "cpo").replace("technologies: [cpo]\n", "")
                               + "technology: {leaf_spine: cpo}\n")
    assert policy.designs == ["policy"]
    assert policy.model_copy(update={"name": "other"}).designs == ["policy"]


def test_bad_arguments_and_missing_pandas(sc, monkeypatch):
    with pytest.raises(LightfabricError, match="scenario: got 'int'"):
        lf.economics(5)
    with pytest.raises(LightfabricError, match="--trials: got 1"):
        lf.reliability(sc, trials=1)
    e = lf.value_chain(sc)
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="pip install pandas"):
        e.to_frame()
    assert [r["technology"] for r in e.to_rows()] == DESIGNS


def test_functions_keep_their_names_beside_the_subpackages():
    """lf.reliability, lf.economics and lf.sweep stay the functions after their subpackages load, and
    ``import lightfabric`` loads neither the results module nor the analyses."""
    import lightfabric.economics.sensitivity  # noqa: F401
    import lightfabric.reliability.assess  # noqa: F401
    import lightfabric.sweep.run  # noqa: F401
    from lightfabric.economics import sensitivity_report
    assert callable(sensitivity_report)
    for name in ("reliability", "economics", "sweep"):
        assert getattr(lf, name) is getattr(sys.modules["lightfabric.results"], name)
        assert sys.modules[f"lightfabric.{name}"].__name__ == f"lightfabric.{name}"
    code = ("import sys, lightfabric; "
            "print(sorted(m for m in ('lightfabric.results', 'scipy.stats') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == "[]", out.stderr


def test_notebook_runs():
    """Every code cell of the example notebook, in order, in one namespace (as a kernel would)."""
    nb = json.loads((ROOT / "examples_notebook" / "python-api.ipynb").read_text())
    assert nb["nbformat"] == 4
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    assert len(code) >= 5
    ns: dict = {}
    shown = []
    for i, src in enumerate(code):
        tree = ast.parse(src, f"cell {i}")
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        exec(compile(tree, f"cell {i}", "exec"), ns)
        if last is not None:
            shown.append(eval(compile(ast.Expression(last.value), f"cell {i}", "eval"), ns))
    for name in ("comparison", "rel", "eco", "coll"):
        assert list(ns[name].to_frame().index) == list(ns["comparison"].to_frame().index)
    assert any(hasattr(x, "columns") and "tco_usd" in x.columns for x in shown)
