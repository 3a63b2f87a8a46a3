"""The slow path's shortcuts give what the full computations give (issue 25, slow sweep path)."""

from __future__ import annotations

from lightfabric import load_scenario
from lightfabric.catalog import Catalog
from lightfabric.compare import _assumptions, compare
from lightfabric.economics.copackaging import packaging, premium_usd
from lightfabric.economics.evaluate import evaluate, prepare



def _cpo(changes=None):
    sc = load_scenario("default")
    sc = sc.with_changes({"technologies": ["pluggable-dsp", "cpo"], **(changes or {})})
    return sc


def test_premium_alone_equals_packaging_with_and_without_changed_flows():
    for changes in (None, {"overrides.flow-cpo-switch.engine_attach_yield": 0.95}):
        prepared = prepare(_cpo(changes))
        for r in prepared.comparison.results:
            if r.feasible:
                assert premium_usd(r.design, prepared.reference) == packaging(r.design, prepared.reference)["premium_usd"]


def test_changed_flow_has_a_premium():
    prepared = prepare(_cpo({"overrides.flow-cpo-switch.engine_attach_yield": 0.95}))
    cpo = prepared.comparison.result("cpo")
    assert premium_usd(cpo.design, prepared.reference) != 0.0


def test_brief_evaluation_keeps_every_figure():
    prepared = prepare(_cpo({"overrides.flow-cpo-switch.engine_attach_yield": 0.95}))
    for r in prepared.comparison.results:
        full, brief = evaluate(prepared, r), evaluate(prepared, r, detail=False)
        left_out = {"capex_by_part", "value_chain_usd"}
        assert set(full) - set(brief) == left_out
        for k in brief:
            if k == "packaging":
                assert brief[k]["premium_usd"] == full[k]["premium_usd"]
            elif k == "reliability":
                assert {**brief[k], "single_job_comparison": full[k]["single_job_comparison"]} == full[k]
            else:
                assert brief[k] == full[k], k
        assert list(full) == [k for k in full if k in brief or k in left_out]


def test_assumptions_are_built_on_first_access():
    sc = _cpo()
    c = compare(sc)
    assert c._assumptions is None
    rows = c.assumptions
    assert rows == _assumptions(c.plan, c.results) and c.assumptions is rows
    c.assumptions = []
    assert c.assumptions == []
    assert compare(sc, Catalog.default()).to_dict()["assumptions"] == rows


def test_single_job_comparison_is_computed_on_first_access():
    prepared = prepare(_cpo())
    a = next(iter(prepared.analyses.values()))
    assert "single_job" not in a.__dict__
    s = a.single_job
    assert set(s) == {"network_share_of_job_time", "job_interruptions_per_day"} and a.single_job is s


def test_cost_chosen_design_at_its_own_energy_price_is_not_rebuilt():
    """lhs-fabrics.yaml: every point a new fabric at its own electricity price. A design chosen by
    cost at the price of the fabric's first build is that build's: one build per fabric, and the rows
    are those of each point built on its own."""
    from pathlib import Path

    import numpy as np

    from lightfabric.sweep import load_sweep
    from lightfabric.sweep.evaluate import FabricCache, _figures, evaluate_partition
    from lightfabric.sweep.spec import chunk, keep, scenario_at

    sweep = load_sweep(Path(__file__).resolve().parent.parent / "examples" / "sweeps" / "lhs-fabrics.yaml")
    cache = FabricCache()
    res = evaluate_partition(sweep.spec, sweep.base, 0, 20, cache)
    cols = chunk(sweep.spec, 0, 20)
    mask = keep(sweep.spec, cols)
    points = np.arange(20)[mask]
    assert cache.builds == len(points)
    for i in points:
        designs = _figures(scenario_at(sweep.base, {a: cols[a][i] for a in sweep.spec.axes}))
        rows = [j for j in range(len(res["point"])) if res["point"][j] == i]
        assert [res["technology"][j] for j in rows] == [d.technology for d in designs]
        for j, d in zip(rows, designs):
            assert bool(res["feasible"][j]) == d.feasible
            if d.feasible:
                assert res["capex_usd"][j] == d.capex_usd and res["power_w"][j] == d.power_w
                assert res["goodput"][j] == dict(d.figures)["goodput"]
