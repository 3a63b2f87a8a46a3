"""Economics: packaging yield against hand calculations and a Monte Carlo, TCO parts and totals,
NPV against the closed form, value-chain shares and totals, break-even points checked by
evaluating both sides, the sensitivity shortcut against a full re-run, and the CLI."""

from __future__ import annotations

import json
from math import exp, pi, sqrt
from pathlib import Path

import numpy as np
import pytest

from lightfabric.catalog import SEGMENTS, Catalog, CoPackageFlow, EngineFlow, ValueShare
from lightfabric.economics import economics, prepare, value_chain
from lightfabric.economics.finance import annuity_factor, npv_usd
from lightfabric.economics.packaging import (
    die_yield, engine_cost, escape_adjusted_yield, gross_dies_per_wafer, known_good_die, matured, package_cost,
)
from lightfabric.economics.sensitivity import break_even, default_versus, evaluate_at, tornado
from lightfabric.metrics.cost import HOURS_PER_YEAR
import yaml

from lightfabric.scenario.loader import default_scenario_path, load_scenario, parse_scenario
from tests.test_cli import lf, lf_here

EXAMPLES = sorted(Path(__file__).parent.parent.joinpath("examples").glob("*.yaml"))


@pytest.fixture(scope="module")
def default_econ():
    return economics(load_scenario(None))


@pytest.fixture(scope="module")
def default_prepared():
    return prepare(load_scenario(None))


def scenario_text(**sections) -> str:
    """The default scenario with sections updated (``economics={...}``, ``overrides={...}``)."""
    doc = yaml.safe_load(default_scenario_path().read_text())
    for k, v in sections.items():
        doc[k] = {**(doc.get(k) or {}), **v}
    return yaml.safe_dump(doc)


def _output(run) -> str:
    return run.stdout + run.stderr


def _src():
    return [{"title": "test figure", "document": "test", "date": "2026", "kind": "paper",
             "fields": ["shares"]}]


# --- packaging yield ------------------------------------------------------------------------------

def test_gross_dies_and_die_yield_by_hand():
    # 100 mm2 on a 300 mm wafer: pi 300^2 / 400 - pi 300 / sqrt(200) = 706.86 - 66.64
    assert gross_dies_per_wafer(100.0) == pytest.approx(pi * 300**2 / 400 - pi * 300 / sqrt(200))
    assert gross_dies_per_wafer(100.0) == pytest.approx(640.2, abs=0.1)
    # negative binomial with alpha = 3: 1 cm2 at 0.3/cm2 -> 1.1^-3
    assert die_yield(100.0, 0.3) == pytest.approx(1.1 ** -3)
    # a second method: the Poisson yield is the limit of large alpha
    assert die_yield(200.0, 0.2, alpha=1e7) == pytest.approx(exp(-0.4), rel=1e-6)


def test_known_good_die_cost_and_escapes_by_hand():
    kgd = known_good_die(10_000.0, 100.0, 0.3, test_coverage=0.9, test_usd=5.0)
    n = gross_dies_per_wafer(100.0)
    y = 1.1 ** -3
    passed = y + (1 - y) * 0.1
    assert kgd.cost_usd == pytest.approx((10_000.0 / n + 5.0) / passed)
    assert kgd.good_probability == pytest.approx(y / passed)
    assert escape_adjusted_yield(0.8, 1.0) == 1.0 and escape_adjusted_yield(0.8, 0.0) == pytest.approx(0.8)


def _flows(**cp):
    cat = Catalog.default()
    ef = cat.get("flow-optical-engine")
    cf = cat.get("flow-cpo-switch").model_copy(update=cp)
    return ef, cf


def test_compound_package_yield_by_hand():
    ef, cf = _flows(engine_rework_fraction=0.0, engine_test_coverage=1.0)
    e = engine_cost(ef, 150.0)
    # engine: q_EIC q_PIC y_bond y_attach
    q = lambda y, c: y / (y + (1 - y) * (1 - c))  # noqa: E731
    y_eic = (1 + 0.4 * 0.09 / 3) ** -3
    y_pic = (1 + 1.5 * 0.2 / 3) ** -3
    assert e.yield_ == pytest.approx(q(y_eic, 0.95) * q(y_pic, 0.95) * 0.98 * 0.97)
    p = package_cost(cf, e, 8)
    y_host = (1 + 8.0 * 0.10 / 3) ** -3
    expected = 0.99 * q(y_host, 0.98) * 0.99 * 0.99 ** 8
    assert p.package_yield == pytest.approx(expected)
    assert p.good_cost_usd == pytest.approx(p.inputs_usd / expected)
    host = known_good_die(16988, 800, 0.10, 0.98, 100)
    assert p.inputs_usd == pytest.approx(host.cost_usd + 400 + 8 * e.good_cost_usd + 300 + 500)


def test_rework_raises_the_slot_yield_as_the_formula_says():
    ef, cf = _flows(engine_rework_fraction=0.6, engine_test_coverage=1.0, engine_attach_yield=0.9)
    e = engine_cost(ef, 150.0)
    p = package_cost(cf, e, 4)
    s = 0.9
    assert p.slot_yield == pytest.approx(s)
    assert p.slot_yield_reworked == pytest.approx(s + (1 - s) * 0.6 * s)
    assert p.rework_usd == pytest.approx(4 * (1 - s) * 0.6 * (200 + e.good_cost_usd))


def test_package_yield_matches_a_monte_carlo_of_the_assembly():
    ef, cf = _flows(engine_rework_fraction=0.5, engine_attach_yield=0.95)
    e = engine_cost(ef, 150.0)
    p = package_cost(cf, e, 16)
    rng = np.random.default_rng(7)
    n = 200_000
    host_ok = rng.random(n) < cf.substrate_yield * p.host.good_probability * cf.host_attach_yield
    s = p.engine_good_probability * cf.engine_attach_yield
    first = rng.random((n, 16)) < s
    reworked = (~first) & (rng.random((n, 16)) < cf.engine_rework_fraction) & (rng.random((n, 16)) < s)
    good = host_ok & (first | reworked).all(axis=1)
    sigma = sqrt(p.package_yield * (1 - p.package_yield) / n)
    assert abs(good.mean() - p.package_yield) < 4 * sigma


def test_maturity_moves_yields_and_cost_monotonically():
    cat = Catalog.default()
    ef, cf = cat.get("flow-optical-engine"), cat.get("flow-cpo-switch")
    costs = [package_cost(matured(cf, f), engine_cost(matured(ef, f), 150.0), 16) for f in (3, 2, 1, 0.5, 0)]
    ys = [c.package_yield for c in costs]
    assert ys == sorted(ys) and ys[-1] == pytest.approx(1.0)
    assert [c.good_cost_usd for c in costs] == sorted((c.good_cost_usd for c in costs), reverse=True)
    assert matured(cf, 1.0) == cf


def test_packaging_premium_is_zero_at_the_reference_and_passes_a_yield_change_through(default_econ):
    cpo = next(r for r in default_econ["results"] if r["technology"] == "cpo")
    assert cpo["packaging"]["premium_usd"] == 0.0
    assert cpo["capex_usd_by_category"]["packaging_yield"] == 0.0
    sc = parse_scenario(scenario_text(overrides={"flow-cpo-switch.engine_attach_yield": 0.95}))
    out = economics(sc)
    low = next(r for r in out["results"] if r["technology"] == "cpo")
    tier = low["packaging"]["tiers"][0]
    cat = Catalog.default()
    e = engine_cost(cat.get("flow-optical-engine"), cat.get("fau-engine").price_usd)
    ref = package_cost(cat.get("flow-cpo-switch"), e, tier["engines_per_device"]).good_cost_usd
    new = package_cost(cat.get("flow-cpo-switch").model_copy(update={"engine_attach_yield": 0.95}), e,
                       tier["engines_per_device"]).good_cost_usd
    per_device = (new - ref) / (1 - 0.607)
    devices = sum(t["devices"] for t in low["packaging"]["tiers"])
    assert low["packaging"]["premium_usd"] == pytest.approx(devices * per_device)
    assert low["capex_usd"] == pytest.approx(cpo["capex_usd"] + devices * per_device)


# --- TCO ----------------------------------------------------------------------------------------

def test_tco_parts_sum_to_the_total_and_capex_to_the_parts(default_econ):
    for r in default_econ["results"]:
        assert r["tco_usd"] == pytest.approx(r["capex_usd"] + r["energy_usd"] + r["maintenance_usd"] + r["downtime_usd"])
        assert r["capex_usd"] == pytest.approx(sum(p["usd"] for p in r["capex_by_part"]) + r["packaging"]["premium_usd"])
        assert r["capex_usd"] == pytest.approx(sum(r["capex_usd_by_category"].values()))
        assert r["per_gpu"]["tco_usd"] == pytest.approx(r["tco_usd"] / default_econ["gpus"])
        assert r["maintenance_usd"] == pytest.approx(r["spares_usd"] + 5 * r["maintenance"]["usd_per_year"])


def test_energy_and_downtime_by_hand(default_econ):
    from lightfabric.compare import compare
    c = compare(load_scenario(None))
    for r in default_econ["results"]:
        power = c.result(r["technology"]).power_w["total"]
        assert r["energy_usd"] == pytest.approx(power * 1.3 * 8760 * 5 / 1000 * 0.08)
        d = r["downtime"]
        # the network's marginal share of the busy GPUs' time, plus the GPUs idle for a network repair
        lost_h = 32768 * HOURS_PER_YEAR * d["network_share_of_job_time"] + r["reliability"]["gpus_down_mean"] * 8760
        assert d["gpu_hours_per_year"] == pytest.approx(lost_h)
        assert d["job_gpu_hours_per_year"] == pytest.approx(d["interruption_gpu_hours_per_year"]
                                                            + d["degraded_gpu_hours_per_year"])
        assert r["downtime_usd"] == pytest.approx(5 * lost_h * 4.54)


def test_module_repairs_cost_rate_times_price_by_hand(default_econ):
    """DSP modules at the host-leaf lower end: units x FIT x 8760 h repairs a year, each at the module's
    price and (0.1 h swap + 0.5 h handling) x 52 USD/h."""
    r = next(x for x in default_econ["results"] if x["technology"] == "pluggable-dsp")
    u = next(x for x in r["maintenance"]["by_unit"] if x["unit"] == "host-leaf links, lower-end modules")
    from lightfabric.compare import compare
    from lightfabric.reliability.rates import module_fit
    cat = Catalog.default()
    design = compare(load_scenario(None)).result("pluggable-dsp").design
    module = cat.get(next(g for g in design.link_groups if g.name == "host-leaf").lower_end.part_id)
    fit = module_fit(cat, module).fit
    assert u["repairs_per_year"] == pytest.approx(32768 * fit * 1e-9 * 8760, rel=1e-9)
    assert u["parts_usd_per_year"] == pytest.approx(u["repairs_per_year"] * module.price_usd)
    assert u["labour_usd_per_year"] == pytest.approx(u["repairs_per_year"] * 0.6 * 52)


def test_npv_against_the_closed_form():
    for r, y in ((0.08, 5), (0.12, 3), (0.0, 7)):
        explicit = sum((1 + r) ** -t for t in range(1, y + 1))
        assert annuity_factor(r, y) == pytest.approx(explicit)
    assert npv_usd(100.0, 10.0, 0.1, 2) == pytest.approx(100 + 10 / 1.1 + 10 / 1.21)
    assert np.allclose(annuity_factor(np.array([0.0, 0.05]), 4), [4.0, (1 - 1.05 ** -4) / 0.05])


def test_economics_npv_is_capex_plus_discounted_yearly_costs(default_econ):
    for r in default_econ["results"]:
        yearly = r["yearly_usd"]["energy_usd"] + r["yearly_usd"]["maintenance_usd"] + r["yearly_usd"]["downtime_usd"]
        explicit = sum(1.08 ** -t for t in range(1, 6))
        assert r["npv_usd"] == pytest.approx(r["capex_usd"] + r["spares_usd"] + yearly * explicit)
        assert r["npv_usd"] < r["tco_usd"]


# --- value chain --------------------------------------------------------------------------------

@pytest.mark.parametrize("path", EXAMPLES + [None], ids=lambda p: p.stem if p else "default")
def test_value_chain_shares_sum_to_one_and_totals_match_capex(path):
    vc = value_chain(load_scenario(path))
    assert vc["results"], "every example has a feasible design"
    for r in vc["results"]:
        assert set(SEGMENTS) <= set(r["segments"])
        assert sum(s["share"] for s in r["segments"].values()) == pytest.approx(1.0)
        assert r["total_usd"] == pytest.approx(r["capex_usd"])
        assert sum(s["usd"] for s in r["shift"].values()) == pytest.approx(r["total_usd"] - vc["results"][0]["total_usd"])


def test_value_chain_totals_match_the_economics_capex(default_econ):
    vc = value_chain(load_scenario(None))
    for r, e in zip(vc["results"], default_econ["results"]):
        assert r["total_usd"] == pytest.approx(e["capex_usd"])
        assert r["segments"]["optical-modules"]["usd"] == pytest.approx(e["value_chain_usd"]["optical-modules"])


def test_cpo_moves_value_from_module_makers_to_switch_silicon():
    vc = {r["technology"]: r for r in value_chain(load_scenario(None))["results"]}
    shift = vc["cpo"]["shift"]
    assert shift["switch-silicon"]["usd"] > 0 > shift["optical-modules"]["usd"]
    assert shift["lasers"]["usd"] < 0 and shift["electrical-ics"]["usd"] < 0


def test_value_share_must_sum_to_one():
    with pytest.raises(ValueError, match="sum to 1"):
        ValueShare(id="v", name="v", applies_to="module", shares={"lasers": 0.5, "optical-modules": 0.4},
                   sources=_src())
    with pytest.raises(ValueError, match="unknown segment"):
        ValueShare(id="v", name="v", applies_to="module", shares={"modules": 1.0}, sources=_src())


def test_every_part_in_every_bom_has_a_value_share_and_flows_exist():
    cat = Catalog.default()
    from lightfabric.economics.valuechain import value_share
    for part in cat:
        if part.kind in ("switch", "nic", "module", "optical-engine", "laser-source", "fiber", "fiber-part",
                         "connector", "copper-cable", "ocs"):
            assert value_share(cat, part.id) is not None
    assert cat.of_kind(EngineFlow) and cat.of_kind(CoPackageFlow)


# --- sensitivity and break-even -------------------------------------------------------------------

def test_sensitivity_shortcut_equals_a_full_rerun(default_prepared):
    quick = evaluate_at(default_prepared, {"economics.electricity_usd_per_kwh": 0.12,
                                           "flow-cpo-switch.engine_attach_yield": 0.96})
    sc = parse_scenario(scenario_text(economics={"electricity_usd_per_kwh": 0.12},
                                      overrides={"flow-cpo-switch.engine_attach_yield": 0.96}))
    full = {r["technology"]: r["tco_usd"] for r in economics(sc)["results"]}
    assert quick == pytest.approx(full)
    quick = evaluate_at(default_prepared, {"els-8.price_usd": 1500.0})
    sc = parse_scenario(scenario_text(overrides={"els-8.price_usd": 1500.0}))
    assert quick == pytest.approx({r["technology"]: r["tco_usd"] for r in economics(sc)["results"]})


def test_tornado_rows_are_sorted_and_their_ends_are_real_evaluations(default_prepared):
    versus = default_versus(default_prepared)
    assert versus == ("cpo", "pluggable-dsp")
    tor = tornado(default_prepared, versus=versus)
    swings = [r["difference_swing"] for r in tor["rows"]]
    assert swings == sorted(swings, reverse=True) and swings[0] > 0
    row = next(r for r in tor["rows"] if r["input"] == "economics.pue")
    at = evaluate_at(default_prepared, {"economics.pue": row["high"]})
    assert row["difference_at_high"] == pytest.approx(at["cpo"] - at["pluggable-dsp"])


def test_break_even_points_make_both_sides_equal(default_prepared):
    rows = break_even(default_prepared, ("cpo", "pluggable-dsp"))
    found = [r for r in rows if r["break_even"] is not None]
    assert {r["variable"] for r in found} >= {"flow-cpo-switch.engine_attach_yield", "els-8.price_usd"}
    for r in found:
        at = evaluate_at(default_prepared, {r["variable"]: r["break_even"]})
        assert at["cpo"] == pytest.approx(at["pluggable-dsp"], rel=1e-6)
        # on either side of the point the cheaper technology changes
        lo, hi = r["range"]
        d_lo, d_hi = r["difference_at_range"]
        assert (d_lo < 0) != (d_hi < 0)
        assert lo < r["break_even"] < hi
    # worse yields make CPO dearer: the break-even yield is below today's
    y = next(r for r in found if r["variable"] == "flow-cpo-switch.engine_attach_yield")
    assert y["break_even"] < y["current"]


# --- CLI ------------------------------------------------------------------------------------------

def test_cli_economics_json_has_the_issue_keys():
    r = lf("economics", "--format", "json")
    assert r.returncode == 0, _output(r)
    out = json.loads(r.stdout)
    for res in out["results"]:
        for k in ("capex_usd", "energy_usd", "maintenance_usd", "downtime_usd", "tco_usd", "npv_usd"):
            assert isinstance(res[k], float) and res[k] > 0


def test_cli_valuechain_json_schema():
    r = lf("valuechain", "--format", "json")
    assert r.returncode == 0, _output(r)
    out = json.loads(r.stdout)
    cpo = next(x for x in out["results"] if x["technology"] == "cpo")
    for seg in ("switch-silicon", "nic-silicon", "foundry-packaging", "optical-modules", "lasers",
                "optical-components", "copper-cables", "ocs", "system-assembly"):
        assert set(cpo["segments"][seg]) == {"usd", "share"}


def test_cli_sensitivity_table_and_bad_input():
    r = lf("sensitivity")
    assert r.returncode == 0, _output(r)
    assert "Break-even" in r.stdout and "CPO engine attach yield" in r.stdout
    bad = lf("sensitivity", "--versus", "cpo")
    assert bad.returncode == 2 and "--versus" in _output(bad) and "A,B" in _output(bad)
    bad = lf("sensitivity", "--versus", "cpo,ocs")
    assert bad.returncode == 2 and "ocs is not a feasible design" in _output(bad)
    bad = lf("sensitivity", "--metric", "irr")
    assert bad.returncode == 2 and "tco or npv" in _output(bad)
    bad = lf("economics", "--job-gpus", "0")
    assert bad.returncode == 2 and "--job-gpus" in _output(bad)


def test_bad_economics_values_name_the_field(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text(scenario_text(economics={"discount_rate": -0.1}))
    r = lf("economics", str(p))
    assert r.returncode == 2 and "economics.discount_rate" in _output(r) and "Traceback" not in _output(r)
    p.write_text(scenario_text(overrides={"flow-cpo-switch.engine_attach_yield": 1.5}))
    r = lf("economics", str(p))
    assert r.returncode == 2 and "engine_attach_yield" in _output(r) and "Traceback" not in _output(r)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_the_three_commands_run_on_every_example(path):
    eco = lf_here("economics", str(path), "--format", "json")
    assert eco.returncode == 0, _output(eco)
    for r in json.loads(eco.stdout)["results"]:
        if r["feasible"]:
            total = r["capex_usd"] + r["energy_usd"] + r["maintenance_usd"] + r["downtime_usd"]
            assert r["tco_usd"] == pytest.approx(total, rel=1e-8)
    vc = lf_here("valuechain", str(path))
    assert vc.returncode == 0 and "Where the money goes" in vc.stdout, _output(vc)
    sens = lf_here("sensitivity", str(path), "--format", "json")
    assert sens.returncode == 0, _output(sens)
    out = json.loads(sens.stdout)
    assert out["tornado"]["rows"]
    for b in out["break_even"]:
        if b["break_even"] is not None:
            a, c = out["tornado"]["versus"]
            assert b["at_break_even"][a] == pytest.approx(b["at_break_even"][c], rel=1e-6)


def test_a_gpu_without_a_rental_price_asks_for_one():
    from lightfabric.errors import LightfabricError
    cat = Catalog.default()
    parts = [p.model_copy(update={"rental_usd_per_h": None}) if p.id == "gb300" else p for p in cat]
    with pytest.raises(LightfabricError, match="economics.gpu_hour_usd"):
        economics(load_scenario(None), Catalog(parts))
    sc = parse_scenario(scenario_text(economics={"gpu_hour_usd": 3.0}))
    out = economics(sc, Catalog(parts))
    assert out["economics"]["gpu_hour_usd"] == 3.0


def test_the_readmes_figures_are_lightfabric_economics_on_the_default(default_econ):
    """The README states the default TCO, capex and downtime; they must be what the command gives."""
    import re
    text = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    para = " ".join(text[text.index("On the built-in scenario, `lightfabric economics`"):].split("\n\n")[0].split())
    rs = default_econ["results"]
    fmt = lambda key: " / ".join(f"{r[key] / 1e6:,.1f}" for r in rs)  # noqa: E731
    assert f"TCO of {fmt('tco_usd')}" in para
    assert f"capex {fmt('capex_usd')}" in para
    assert f"downtime of {fmt('downtime_usd')}" in para
    shares = " / ".join(f"{r['downtime']['network_share_of_job_time'] * 100:.2f}" for r in rs)
    assert re.search(re.escape(shares) + r" % of its GPU time", para)
