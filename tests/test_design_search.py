"""lightfabric design (issue 26): the search's answer against brute force over every design, its
bounds against the exact figures, its fronts under pruning (hypothesis), its scenario file, its CLI
faces and its bad input."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lightfabric.catalog import Catalog
from lightfabric.design.plan import plan_fabric
from lightfabric.optimize.bounds import structure_bounds
from lightfabric.optimize.question import METRICS, parse_constraint, question_from
from lightfabric.optimize.report import design_report, fronts
from lightfabric.optimize.search import _structural, _violated, evaluate_exactly, scenario_dict, search
from lightfabric.scenario.loader import check_parts
from lightfabric.scenario.models import Scenario
from lightfabric.sweep.pareto import pareto_front
from tests.test_cli import lf

# a small space: 1,024 GB300 on two switches, both rates each, fat-tree and rail-optimized, two
# oversubscriptions, with and without an OCS spine, five technologies per link class
SMALL = {"gpus": 1024, "gpu": "gb300", "switches": ["tomahawk-5", "tomahawk-6"], "tiers": [2],
         "topologies": ["fat-tree", "rail-optimized"], "oversubscription": [1, 2],
         "technologies": ["pluggable-dsp", "lpo", "cpo", "npo", "copper"]}


@pytest.fixture(scope="session")   # built once per worker, whatever order the tests arrive in
def brute():
    """Every design of the small space through the single-design pipeline, with its bounds."""
    q = question_from(SMALL)
    first = search(q)
    cat = Catalog.default()
    rows = []
    for s in first.space.structures:
        sc = Scenario.model_validate(scenario_dict(q, first.space, first.base, s, {}))
        try:
            plan = plan_fabric(sc, check_parts(sc, cat))
            b = structure_bounds(plan, s.ocs_spine, list(first.space.technologies))
        except Exception:   # noqa: BLE001 - a structure the pipeline refuses is not a design
            continue
        keys = list(b.classes)
        for combo in itertools.product(*(b.classes[k] for k in keys)):
            tech = {k: o.technology for k, o in zip(keys, combo)}
            ev = evaluate_exactly(q, first.space, first.base, cat, s, tech)
            rows.append((ev, all(o.feasible for o in combo),
                         b.fixed_capex_usd + sum(o.capex_lb_usd for o in combo),
                         b.fixed_power_w + sum(o.power_lb_w for o in combo), any(o.engines for o in combo),
                         _structural(plan, s)))
    return rows


def test_the_bounds_are_below_the_exact_figures_and_exact_without_engines(brute):
    feasible = [r for r in brute if r[0].feasible]
    assert len(feasible) > 100
    with_engines = 0
    for ev, predicted, capex_lb, power_lb, engines, structural in brute:
        # a technology the class check accepts is exactly a design the pipeline builds
        assert predicted == ev.feasible, (ev.structure, ev.technology, ev.reason)
        if not ev.feasible:
            continue
        # the structure's exact metrics, known before any design, are the ones compare reports
        assert structural == {k: ev.metrics[k] for k in ("tiers", "switches", "bisection")}
        assert capex_lb <= ev.metrics["capex_usd"] * (1 + 1e-12)
        assert power_lb <= ev.metrics["network_power_mw"] * 1e6 * (1 + 1e-12)
        if engines:
            with_engines += 1
        else:
            assert capex_lb == pytest.approx(ev.metrics["capex_usd"], rel=1e-9)
            assert power_lb == pytest.approx(ev.metrics["network_power_mw"] * 1e6, rel=1e-9)
    assert with_engines > 0


def _brute_best(brute, q):
    cons = q.parsed_constraints()
    obj = q.objective_metric
    ok = [r[0] for r in brute if r[0].feasible and not _violated(r[0], cons)]
    if not ok:
        return None, ok
    sign = 1 if obj.sense == "min" else -1
    return min(ok, key=lambda e: sign * e.metrics[obj.name]), ok


@pytest.mark.parametrize("objective,constraints", [
    ("tco", ["network_power_mw <= 0.16"]),
    ("capex", ["bisection >= 1"]),
    ("power", ["capex_usd <= 30e6"]),
    ("goodput", ["tco_usd <= 40e6"]),
])
def test_the_answer_equals_brute_force(brute, objective, constraints):
    q = question_from({**SMALL, "objective": objective, "constraints": constraints})
    r = search(q)
    best, ok = _brute_best(brute, q)
    assert best is not None and r.best is not None
    name = q.objective_metric.name
    assert r.best.metrics[name] == pytest.approx(best.metrics[name], rel=1e-12)
    # the search evaluated far fewer designs than brute force
    assert r.stats.evaluated < len(brute) / 5
    assert r.stats.designs_considered == len(brute)


def _front_values(designs, obj, metric):
    return sorted((round(e.metrics[obj], 3), round(e.metrics[metric], 9)) for e in designs)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(objective=st.sampled_from(["tco", "capex", "power"]),
       power_mw=st.floats(0.1, 0.3), capex_musd=st.floats(20, 60), with_bisection=st.booleans(),
       goodput=st.one_of(st.none(), st.floats(0.9905, 0.9922)))   # the space's goodputs span 0.9905-0.9922
def test_pruning_never_drops_a_design_of_a_true_front(brute, objective, power_mw, capex_musd, with_bisection, goodput):
    constraints = [f"network_power_mw <= {power_mw}", f"capex_usd <= {capex_musd * 1e6}"]
    if with_bisection:
        constraints.append("bisection >= 0.5")
    if goodput is not None:     # no bound: its front is complete because the space is small enough to evaluate
        constraints.append(f"goodput >= {goodput}")
    q = question_from({**SMALL, "objective": objective, "constraints": constraints})
    result = search(q)
    _, ok = _brute_best(brute, q)
    obj = q.objective_metric
    for f in fronts(result):
        m = METRICS[f["metric"]]
        assert f["complete"], f
        values = np.array([[e.metrics[obj.name], e.metrics[m.name]] for e in ok], dtype=float).reshape(-1, 2)
        truth = [ok[i] for i in pareto_front(values, maximize=[obj.sense == "max", m.sense == "max"])]
        got = [e for e in result.evaluated if e.feasible and not e.violated]
        got_front = [got[i] for i in pareto_front(
            np.array([[e.metrics[obj.name], e.metrics[m.name]] for e in got], dtype=float).reshape(-1, 2),
            maximize=[obj.sense == "max", m.sense == "max"])] if got else []
        assert set(_front_values(got_front, obj.name, m.name)) == set(_front_values(truth, obj.name, m.name))


def test_the_scenario_file_runs_and_gives_the_searched_figures(tmp_path):
    out = tmp_path / "best.yaml"
    r = lf("design", "--gpus", 1024, "--gpu", "gb300", "--switch", "tomahawk-5", "--topology", "fat-tree",
           "-c", "bisection >= 1", "-o", out, "--format", "json")
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    best = report["best"]
    assert best["bisection"] == 1.0 and best["switch"] == "tomahawk-5"
    sc = yaml.safe_load(out.read_text())
    assert sc["technology"]["spine_switch"] in ("ocs", "electrical")
    e = lf("economics", out, "--format", "json")
    assert e.returncode == 0, e.stderr
    eco = json.loads(e.stdout)["results"][0]
    assert eco["tco_usd"] == pytest.approx(best["tco_usd"], rel=1e-9)
    assert eco["capex_usd"] == pytest.approx(best["capex_usd"], rel=1e-9)


def test_no_design_meets_impossible_constraints_and_the_closest_is_named():
    q = question_from({**SMALL, "constraints": ["network_power_mw <= 0.001"]})
    rep = design_report(search(q))
    assert rep["best"] is None and rep["no_design_meets_the_constraints"]
    assert rep["search"]["ruled_out_by_bound"] > 0


def test_available_by_keeps_only_parts_shipping_then():
    q = question_from({**SMALL, "switches": None, "available_by": "2024-01", "topologies": ["fat-tree"],
                       "gpu": "h100", "oversubscription": [1]})
    r = search(q)
    assert r.best is not None
    cat = Catalog.default()
    dropped = {d["part"] for d in r.availability["dropped"]}
    assert "tomahawk-6" in dropped and "tomahawk-5" not in dropped
    assert r.best.structure.switch in ("tomahawk-5", "spectrum-4", "quantum-2")
    sw = cat.get(r.best.structure.switch)
    assert sw.available.status == "shipping" and sw.available.date <= "2024-01"


def test_table_and_csv_faces():
    t = lf("design", "--gpus", 1024, "--gpu", "gb300", "--switch", "tomahawk-5", "--topology", "fat-tree",
           "-c", "network_power_mw <= 0.2")
    assert t.returncode == 0, t.stderr
    assert "The best design" in t.stdout and "search:" in t.stdout and "evaluated exactly" in t.stdout
    c = lf("design", "--gpus", 1024, "--gpu", "gb300", "--switch", "tomahawk-5", "--topology", "fat-tree",
           "--format", "csv")
    assert c.returncode == 0
    header = c.stdout.splitlines()[0].split(",")
    assert {"design", "tco_usd", "why_not_best", "best"} <= set(header)
    assert sum(1 for line in c.stdout.splitlines()[1:] if line.endswith(",True") or ",True," in line) >= 1


@pytest.mark.parametrize("args,field", [
    (("--gpus", -4, "--gpu", "gb300"), "gpus"),
    (("--gpus", 1024, "--gpu", "gb3000"), "gpu"),
    (("--gpus", 1024, "--gpu", "gb300", "-c", "power < 3"), "--constraint"),
    (("--gpus", 1024, "--gpu", "gb300", "-c", "goodput >= lots"), "--constraint"),
    (("--gpus", 1024, "--gpu", "gb300", "--switch", "tomahawk-9"), "switches[0]"),
    (("--gpus", 1024, "--gpu", "gb300", "--objective", "speed"), "objective"),
    (("--gpus", 1024, "--gpu", "gb300", "--available-by", "2026-13"), "available_by"),
    (("--gpu", "gb300",), "--gpus"),
])
def test_bad_input_names_the_field(args, field):
    r = lf("design", *args)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert field in r.stderr and "allowed" in r.stderr and "Traceback" not in r.stderr


def test_constraint_parsing():
    c = parse_constraint("network_power_mw <= 25")
    assert (c.metric, c.op, c.value) == ("network_power_mw", "<=", 25.0)
    assert c.holds(25) and not c.holds(25.1) and not c.holds(float("nan"))
    assert parse_constraint("goodput>0.9").holds(0.91)


def test_a_question_file(tmp_path):
    f = tmp_path / "q.yaml"
    f.write_text("gpus: 1024\ngpu: gb300\nobjective: capex\nswitches: [tomahawk-5]\ntopologies: [fat-tree]\n"
                 "constraints: ['bisection >= 1']\n")
    r = lf("design", f, "--format", "json")
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    assert rep["objective"]["metric"] == "capex_usd" and rep["best"]["switch"] == "tomahawk-5"
    bad = tmp_path / "bad.yaml"
    bad.write_text("gpus: 1024\ngpu: gb300\nswitchez: [tomahawk-5]\n")
    r = lf("design", bad)
    assert r.returncode == 2 and "switchez" in r.stderr


def test_a_base_scenario_brings_its_own_parts_overrides_and_economics(tmp_path):
    parts = tmp_path / "parts.yaml"
    parts.write_text("""parts:
  - id: my-switch
    kind: switch
    name: My 51.2T switch
    protocol: ethernet
    capacity_gbps: 51200
    serdes_lanes: 512
    serdes_lane_rate_gbps: 100
    port_configs:
      - {count: 64, rate_gbps: 800, lane_rate_gbps: 100}
    asic_power_w: 450
    system_overhead_w: 500
    system_price_usd: 150000
    linear_drive: true
    sources:
      - {title: my datasheet, url: "https://example.com", date: "2026-01", kind: vendor-claim,
         fields: [protocol, capacity_gbps, serdes_lanes, serdes_lane_rate_gbps, port_configs, asic_power_w,
                  system_overhead_w, system_price_usd, linear_drive]}
""")
    base = tmp_path / "base.yaml"
    base.write_text("name: base\ncluster: {gpus: 1024, gpu: gb300}\nscale_out: {switch: tomahawk-5, port_rate_gbps: 800}\n"
                    "catalog: [parts.yaml]\noverrides: {osfp-800g-dr8.price_usd: 700}\n"
                    "economics: {electricity_usd_per_kwh: 0.15}\n")
    out = tmp_path / "best.yaml"
    r = lf("design", "--gpus", 1024, "--gpu", "gb300", "--base", base, "--topology", "fat-tree", "--switch", "my-switch",
           "--switch", "tomahawk-5", "-c", "bisection >= 1", "-o", out, "--format", "json")
    assert r.returncode == 0, r.stderr
    best = json.loads(r.stdout)["best"]
    sc = yaml.safe_load(out.read_text())
    assert sc["economics"]["electricity_usd_per_kwh"] == 0.15 and sc["overrides"] == {"osfp-800g-dr8.price_usd": 700.0}
    assert sc["catalog"] == [str(parts)]
    e = lf("economics", out, "--format", "json")
    assert e.returncode == 0, e.stderr
    assert json.loads(e.stdout)["results"][0]["tco_usd"] == pytest.approx(best["tco_usd"], rel=1e-9)
    # without a date the user's switch (no availability) is a candidate; the note names undated parts only with a date
    q = question_from({"gpus": 1024, "gpu": "gb300", "base": str(base), "topologies": ["fat-tree"],
                       "switches": ["my-switch"], "available_by": "2026-01"})
    res = search(q)
    assert any("my-switch" in n for n in res.notes)


@pytest.mark.parametrize("gpus", [1, 7])
def test_tiny_clusters_build_and_an_ocs_spine_needs_a_tier_to_replace(gpus):
    r = lf("design", "--gpus", gpus, "--gpu", "gb300", "--switch", "tomahawk-5", "--format", "json")
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    assert rep["best"]["tiers"] == 1 and not rep["best"]["ocs_spine"]
    assert any("OCS spine" in x["reason"] for x in rep["rejected_structures"])


def test_a_front_against_goodput_too_large_to_complete_says_so_and_the_best_stays_exact(brute):
    q = question_from({**SMALL, "constraints": ["goodput >= 0.991", "network_power_mw <= 0.3"]})
    full, cut = search(q), search(q, max_front_evaluations=10)
    assert cut.stats.pruned_by_bound > 0 and full.stats.pruned_by_bound == 0
    assert cut.best.metrics["tco_usd"] == full.best.metrics["tco_usd"] == _brute_best(brute, q)[0].metrics["tco_usd"]
    complete = {f["metric"]: f["complete"] for f in fronts(cut)}
    assert complete == {"goodput": False, "network_power_mw": True}
    assert any("no bound" in n for n in cut.notes)


def test_a_step_time_objective_matches_lightfabric_step_on_the_scenario_file(tmp_path):
    out = tmp_path / "best.yaml"
    r = lf("design", "--gpus", 1024, "--gpu", "gb300", "--objective", "step-time", "--switch", "tomahawk-5",
           "--topology", "fat-tree", "-c", "bisection >= 1", "-o", out, "--format", "json")
    assert r.returncode == 0, r.stderr
    best = json.loads(r.stdout)["best"]
    s = lf("step", out, "--model", "moe-1t", "--plan", "tp=8,pp=8", "--format", "json")
    assert s.returncode == 0, s.stderr
    assert json.loads(s.stdout)["results"][0]["step_time_s"] == pytest.approx(best["step_time_s"], rel=1e-9)
