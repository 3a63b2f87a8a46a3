"""Issue 20: verdicts an architect can act on. One section per item; every test here failed on 6115b6d
(the main the issue was filed against) and is checked against a hand calculation, a closed form, the
field data the catalog cites or an independent run of the tool's own functions."""

import csv
import dataclasses
import io
import json
from math import comb

import numpy as np
import pytest
import yaml

import lightfabric
from lightfabric import Catalog, parse_scenario
from lightfabric.compare import compare
from lightfabric.economics.evaluate import economics, evaluate, prepare
from lightfabric.economics.sensitivity import evaluate_at
from lightfabric.reliability import checkpoint, rates
from lightfabric.reliability.assess import analyse, assess
from lightfabric.reliability.rates import HOURS_PER_DAY

from conftest import scenario_text
from test_cli import lf

ROOT = lightfabric.scenario.loader.default_scenario_path().parents[3]
EXAMPLES = ROOT / "examples"
DEFAULT = lightfabric.scenario.loader.default_scenario_path()
HOURS_PER_YEAR = 8760.0


def load(path=DEFAULT, **reliability):
    doc = yaml.safe_load(open(path))
    if reliability:
        doc.setdefault("reliability", {}).update(reliability)
    return parse_scenario(yaml.safe_dump(doc), "t.yaml")


def with_doc(path, change):
    doc = yaml.safe_load(open(path))
    change(doc)
    return parse_scenario(yaml.safe_dump(doc), "t.yaml")


def daly_goodput(rate_per_h, catalog_delta_h, restart_h):
    if rate_per_h == 0:
        return 1.0
    m = 1.0 / rate_per_h
    tau = float(checkpoint.daly_interval_h(catalog_delta_h, m))
    return float(checkpoint.goodput(tau, catalog_delta_h, restart_h, m))


ALL_INTERRUPT = {"gpu_links": "interrupt", "first_switches": "interrupt", "switch_links": "interrupt",
                 "upper_switches": "interrupt", "scale_up_switches": "interrupt"}
DEGRADE = {"switch_links": "degrade", "upper_switches": "degrade"}


# 1. lost GPU time is the network's marginal cost -----------------------------------------------------

def test_downtime_is_the_networks_marginal_cost_not_its_own_young_daly():
    """One job of all 32,768 GPUs, every failure interrupting (the issue's case): the network is charged
    goodput(other causes) - goodput(all causes): 6.0 / 5.1 / 4.3 %, not 11.7 / 10.4 / 9.3 %."""
    sc = load(jobs="single", failure_effects=ALL_INTERRUPT)
    out = economics(sc)
    cat = Catalog.default()
    other_per_h = sc.cluster.gpus * rates.per_hour(cat.get("fit-gpu-host-other").fit)
    delta, restart = 30 / 3600, 10 / 60
    shares = []
    for r in out["results"]:
        d = r["downtime"]
        net_per_h = r["reliability"]["job_interruptions_per_day"] / HOURS_PER_DAY
        expect = daly_goodput(other_per_h, delta, restart) - daly_goodput(other_per_h + net_per_h, delta, restart)
        assert d["network_share_of_job_time"] == pytest.approx(expect, rel=1e-3)
        assert d["job_gpu_hours_per_year"] == pytest.approx(sc.cluster.gpus * HOURS_PER_YEAR * expect, rel=1e-3)
        assert d["method"].startswith("marginal")
        shares.append(d["network_share_of_job_time"])
    # pluggables as the issue computed them; CPO's 4.3 % came from the per-lane engine FIT that item 4
    # replaces (engines fail per die), so it is now lower still
    assert shares[:2] == pytest.approx([0.060, 0.051], abs=0.0015)
    assert shares[2] < 0.043


def test_economics_table_names_marginal_downtime_job_mix_and_repair_policy():
    p = lf("economics")
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert "network's marginal cost" in out
    assert "job mix" in out and "training-cluster" in out
    assert "repair policy" in out and "swap-now" in out
    j = json.loads(lf("economics", "--format", "json").stdout)
    assert j["job_mix"]["name"] == "training-cluster" and j["job_mix"]["source"]
    assert j["repair_policy"]["name"] == "swap-now"
    assert j["results"][0]["downtime"]["method"].startswith("marginal")


# 2. a job mix, placed by a named policy ----------------------------------------------------------------

def test_job_mix_packed_placement_matches_the_closed_form_by_hand(catalog):
    """512 GPUs on 16 leaves of 32; 16 jobs of 32 GPUs, packed onto whole leaves. A leaf failure
    interrupts exactly one job; a NIC failure one job; a spine failure none (no job crosses a leaf)."""
    text = scenario_text(gpus=512, extra="reliability:\n  jobs: [{gpus: 32, share: 1.0}]\n  job_placement: packed\n")
    sc = parse_scenario(text, "t.yaml")
    r = compare(sc, catalog).result("pluggable-dsp")
    a = analyse(r.design, sc)
    job = a.jobs[0]
    assert job.count == 16 and job.gpus == 32
    by = {fc.name: fc for fc in a.classes}
    leaf = next(fc for n, fc in by.items() if n.startswith("leaf"))
    nic = by["NICs"]
    spine = next(fc for n, fc in by.items() if n.startswith("spine"))
    # per job: its leaf (1 of 16) and its 32 NICs
    expect = (leaf.rate_per_h * leaf.outage_fraction + leaf.flap_rate_per_h) / 16 + nic.rate_per_h / 16
    got_leaf_nic = job.interruptions_per_h_by_class[leaf.name] + job.interruptions_per_h_by_class["NICs"]
    assert got_leaf_nic == pytest.approx(expect, rel=1e-9)
    assert job.interruptions_per_h_by_class.get(spine.name, 0.0) == 0.0


@pytest.mark.parametrize("placement", ["packed", "contiguous", "scattered"])
def test_placement_probabilities_against_counting(placement):
    """The chance that a job of J GPUs holds one of the s GPUs a unit reaches, against exact counting."""
    from lightfabric.reliability.jobs import hit_probability
    n, s, j = 64, 8, 12
    if placement == "packed":        # aligned blocks: a 12-GPU job takes 2 whole 8-GPU blocks of 8
        expect = 2 / 8
    elif placement == "contiguous":  # a run of 12 at a uniform offset on a ring of 64
        expect = (j + s - 1) / n
    else:                            # 12 GPUs drawn at random: 1 - C(56, 12) / C(64, 12)
        expect = 1 - comb(n - s, j) / comb(n, j)
    assert hit_probability(placement, job_gpus=j, scope_gpus=s, gpus=n) == pytest.approx(expect, rel=1e-12)


def test_a_mix_of_small_jobs_loses_less_than_one_job_of_the_cluster():
    """A failure stops the GPUs of the jobs it reaches, not the cluster: with 128 packed jobs of 256 GPUs a
    NIC or leaf stops one job, a spine the four jobs of its pod, only a core switch all of them."""
    sc1, sc2 = load(jobs="single"), load(jobs=[{"gpus": 256, "share": 1.0}])
    for r1, r2 in zip(compare(sc1).results, compare(sc2).results):
        one, mix = analyse(r1.design, sc1), analyse(r2.design, sc2)
        stopped_one = 32768 * one.jobs[0].network_per_h
        stopped_mix = sum(j.count * j.gpus * j.network_per_h for j in mix.jobs)
        assert mix.jobs[0].count == 128
        assert stopped_mix < stopped_one / 5
        assert mix.totals["job_gpu_hours_per_year"] < one.totals["job_gpu_hours_per_year"]


@pytest.mark.parametrize("jobs,field", [
    ([{"gpus": 40000, "share": 0.5}], "reliability.jobs.0.gpus"),
    ([{"gpus": 64, "share": 0.7}, {"gpus": 128, "share": 0.5}], "reliability.jobs"),
    ("everything", "reliability.jobs"),
])
def test_bad_job_mixes_are_refused_naming_the_field(tmp_path, jobs, field):
    doc = yaml.safe_load(open(DEFAULT))
    doc["reliability"] = {"jobs": jobs}
    f = tmp_path / "s.yaml"
    f.write_text(yaml.safe_dump(doc))
    p = lf("economics", f)
    assert p.returncode == 2
    assert field in p.stderr and "Traceback" not in p.stderr


def test_job_mix_and_its_effect_show_in_reliability_outputs():
    p = lf("reliability", "--trials", "4", "--horizon-days", "2")
    assert p.returncode == 0, p.stderr
    assert "job mix" in p.stdout and "training-cluster" in p.stdout
    j = json.loads(lf("reliability", "--trials", "4", "--horizon-days", "2", "--format", "json").stdout)
    assert j["job_mix"]["jobs"] and j["job_mix"]["placement"] == "packed"
    r = j["results"][0]
    assert {"gpus", "count", "share", "interruptions_per_day", "network_share_of_job_time"} <= set(r["jobs"][0])
    # its effect: what one job of the whole cluster would lose, beside the mix
    assert r["single_job_comparison"]["network_share_of_job_time"] > r["network_share_of_job_time"]


# 3. which failures interrupt a job and which degrade it ------------------------------------------------

LLAMA = EXAMPLES / "h100-16k-llama3-like.yaml"


def test_switch_to_switch_failures_degrade_when_asked_and_interrupt_by_default():
    # the Llama 3-like fabric is oversubscribed 2:1 at its leaves: a lost uplink costs bandwidth
    sc = load(LLAMA, jobs="single", failure_effects=DEGRADE)
    deg = analyse(compare(sc).result("pluggable-dsp").design, sc)
    sc_all = load(LLAMA, jobs="single")
    allint = analyse(compare(sc_all).result("pluggable-dsp").design, sc_all)
    cls = {fc.name: fc for fc in deg.classes}
    leaf_spine = [n for n in cls if n.startswith("leaf-spine links")]
    assert leaf_spine and all(cls[n].effect == "degrade" for n in leaf_spine)
    assert cls["NICs"].effect == "interrupt"
    # the degrading classes leave the interruptions and cost bandwidth instead
    j_deg, j_all = deg.jobs[0], allint.jobs[0]
    moved = sum(j_all.interruptions_per_h_by_class[n] for n in leaf_spine)
    assert moved > 0
    assert all(j_deg.interruptions_per_h_by_class.get(n, 0.0) == 0.0 for n in leaf_spine)
    assert j_deg.degraded_share > 0 and j_all.degraded_share == 0


def test_degraded_bandwidth_comes_from_the_simulators_failed_link_run():
    from lightfabric.netsim.collectives import simulated
    from lightfabric.netsim.topo import topo_of
    from lightfabric.reliability.effects import degraded_bandwidth
    sc = load(LLAMA, jobs="single", failure_effects=DEGRADE)
    d = compare(sc).result("pluggable-dsp").design
    deg = degraded_bandwidth(d)
    # an independent run: the same collective on the same GPUs with one uplink of the first leaf failed
    topo = topo_of(d)
    g = topo.build_graph()
    g = dataclasses.replace(g, latency_s=np.zeros(g.links))      # bandwidth only
    ranks = np.arange(deg["gpus"])
    ok = simulated(g, deg["op"], deg["algorithm"], ranks, deg["size_bytes"], deg["routing"], 0)
    bad = simulated(g.with_failures([g.failable_up[0], g.failable_down[0]]), deg["op"], deg["algorithm"], ranks,
                    deg["size_bytes"], deg["routing"], 0)
    assert deg["retained"] == pytest.approx(ok.time_s / bad.time_s, rel=1e-9)
    # the failed member's flows spread over the leaf's other uplinks; the saturated, oversubscribed
    # leaf keeps (u - 1) / u of its bandwidth: u = 16 GPUs x 400G / 2 (2:1) / 800G = 4 uplinks
    assert deg["retained"] == pytest.approx(3 / 4, abs=0.005)
    # a non-blocking tree whose leaves are not saturated keeps all of it
    d0 = compare(load()).result("pluggable-dsp").design
    assert degraded_bandwidth(d0)["retained"] == pytest.approx(1.0)


def test_the_default_effects_are_the_ones_the_llama3_count_supports():
    """Meta: 35 switch/cable interruptions of one 16,384-GPU job in 54 days (Poisson 95 %: 24.4-48.7).
    With switch links and spines interrupting the model lands inside; with them only degrading, below."""
    from scipy.stats import chi2
    lo, hi = chi2.ppf(0.025, 70) / 2 / 54, chi2.ppf(0.975, 72) / 2 / 54

    def fabric_per_day(**effects):
        sc = load(LLAMA, jobs="single", **effects)
        r = next(x for x in assess(sc, trials=2, horizon_days=1)["results"] if x["technology"] == "policy")
        by = r["job"]["interruptions_per_day_by_category"]
        return by.get("optics", 0) + by.get("switches", 0) + by.get("cables", 0)
    assert lo < fabric_per_day() < hi
    assert fabric_per_day(failure_effects=DEGRADE) < lo


def test_failure_effects_are_a_checked_scenario_key(tmp_path):
    doc = yaml.safe_load(open(DEFAULT))
    doc["reliability"] = {"failure_effects": {"switch_links": "explode"}}
    f = tmp_path / "s.yaml"
    f.write_text(yaml.safe_dump(doc))
    p = lf("reliability", f, "--trials", "2")
    assert p.returncode == 2 and "reliability.failure_effects.switch_links" in p.stderr
    assert "interrupt" in p.stderr and "degrade" in p.stderr


# 4. CPO reliability from the field data it cites ---------------------------------------------------------

def test_bailly_port_is_set_beside_the_bailly_field_trial(catalog):
    """The trial ran Tomahawk 5 Bailly: zero failures in the device-hours Meta and Broadcom report give a
    95 % lower bound on the port MTBF; the model's Bailly port must not fall below it."""
    field = catalog.get("field-cpo-bailly-meta")
    bound_h = field.device_hours * field.port_rate_gbps / 800 / 3.0   # rule of three, per 800G port
    sc = load()
    r = assess(sc, trials=2, horizon_days=1)["results"][2]
    assert r["port_fit"]["part"] == "bailly-oe-6.4t"
    assert r["port_fit"]["mtbf_h"] >= bound_h
    cal = r["port_fit"]["field_calibration"]
    assert cal["failures"] == 0 and cal["kind"] == "upper bound"
    assert cal["fit_upper_95"] == pytest.approx(3.0 / (field.device_hours / (6400 / field.port_rate_gbps)) * 1e9,
                                                rel=0.01)


def test_engine_fit_is_per_die_not_per_lane(catalog):
    """An engine's electronics fail per die (one EIC and one PIC carry all its lanes): the FIT does
    not grow with the lane count, and a 64-lane engine is not 64 x four module chips."""
    e = catalog.get("bailly-oe-6.4t")
    b = rates.engine_die_fit(catalog, e)
    assert b.fit < 1000
    more_lanes = e.model_copy(update={"lanes": e.lanes * 2, "capacity_gbps": e.capacity_gbps * 2})
    assert rates.engine_die_fit(catalog, more_lanes).fit == pytest.approx(b.fit)
    assert any("die" in k for k in b.items)
    # the per-lane build the catalog's own field data rule out: 64 x (driver + TIA + PD + modulator)
    per_lane = e.lanes * (31.25 + 22.5 + 15 + 15)
    cal = rates.field_calibration(catalog, e)
    assert per_lane > cal.fit_upper_95 > b.fit


# 5. repair policies ----------------------------------------------------------------------------------------

def _leaf_swaps(r):
    return sum(u["repairs_per_year"] for u in r["maintenance"]["by_unit"] if u["unit"].endswith("at leaf"))


def test_maintenance_window_with_spare_ports_swaps_a_switch_once_per_spares_worth_of_failures():
    """Leaves with 8 spare ports (28 host ports + 28 uplinks of 64): a dead port's link moves to a spare,
    the switch is swapped once a failure finds none: 1 swap per s + 1 + x/2 failures."""
    now = economics(load(repair_policy="swap-now"))
    def spare(doc):
        doc["scale_out"]["leaf_host_ports"] = 28
        doc["technologies"] = ["cpo"]
    now = economics(with_doc(DEFAULT, spare))["results"][0]
    deferred = economics(with_doc(DEFAULT, lambda d: (spare(d), d.update(
        reliability={"repair_policy": "maintenance-window", "maintenance_window_days": 7}))))["results"][0]
    pol = deferred["maintenance"]["policy"]
    assert pol["name"] == "maintenance-window"
    leaf = next(t for t in pol["tiers"] if t["tier"] == "leaf")
    s, x = leaf["spare_ports_per_device"], leaf["port_failures_per_device_per_window"]
    assert s == 8
    assert leaf["swaps_per_failure"] == pytest.approx(1.0 / (s + 1 + x / 2), rel=1e-12)
    assert _leaf_swaps(deferred) == pytest.approx(_leaf_swaps(now) / (s + 1 + x / 2), rel=1e-6)
    assert deferred["maintenance_usd"] < now["maintenance_usd"]
    assert deferred["spares_usd"] < now["spares_usd"]


def test_maintenance_window_without_spare_ports_leaves_ports_dark_and_says_so():
    now = economics(load())["results"][2]
    deferred = economics(load(repair_policy="maintenance-window", maintenance_window_days=7))["results"][2]
    pol = deferred["maintenance"]["policy"]
    assert any("no spare port" in n for n in pol["notes"])
    leaf = next(t for t in pol["tiers"] if t["tier"] == "leaf")
    assert leaf["mean_dark_h"] == pytest.approx(7 * 24 / 2)
    # a dead host port darkens its GPU for half a window instead of the 4 h repair wait
    assert deferred["reliability"]["gpus_down_mean"] > now["reliability"]["gpus_down_mean"]


def test_swap_sub_assembly_changes_the_detachable_optics_only():
    qx = EXAMPLES / "quantum-x800-16k-gb300.yaml"
    now = economics(lightfabric.load_scenario(qx))
    osa = economics(with_doc(qx, lambda d: d.update(reliability={"repair_policy": "swap-sub-assembly"})))
    r_now = next(r for r in now["results"] if r["technology"] == "cpo")
    r_osa = next(r for r in osa["results"] if r["technology"] == "cpo")
    units = {u["unit"]: u for u in r_osa["maintenance"]["by_unit"]}
    eng = [u for n, u in units.items() if "engines at" in n]
    assert eng and all(u["fru"] == "fru-optical-sub-assembly" for u in eng)
    cat = Catalog.default()
    e = cat.get("nvidia-photonics-oe-1.6t")
    assert all(u["unit_usd"] == pytest.approx(3 * (e.price_usd + cat.get("fau-engine").price_usd), rel=0.01)
               for u in eng)
    assert r_osa["maintenance_usd"] < r_now["maintenance_usd"]
    assert r_osa["reliability"]["gpus_down_mean"] < r_now["reliability"]["gpus_down_mean"]
    assert osa["repair_policy"]["name"] == "swap-sub-assembly"


def test_swap_sub_assembly_names_the_engines_that_are_not_detachable():
    r = economics(load(repair_policy="swap-sub-assembly"))["results"][2]
    assert any("not detachable" in n for n in r["maintenance"]["policy"]["notes"])


# 6. a technology column is that technology ---------------------------------------------------------------

def test_pluggable_column_never_builds_with_a_rival(catalog):
    text = scenario_text(gpus=131072, switch="tomahawk-6", rate=1600)
    cmp = compare(parse_scenario(text, "t.yaml"), catalog)
    for tech in ("pluggable-dsp", "lpo"):
        r = cmp.result(tech)
        for g in (r.design.link_groups if r.feasible else []):
            assert g.technology in (tech, "pluggable-dsp"), (tech, g.name, g.technology)
        assert not any(line.part_id.endswith("oe-6.4t") for line in (r.design.bom if r.feasible else []))


def test_pluggable_column_keeps_the_scale_up_copper():
    cmp = compare(lightfabric.load_scenario(EXAMPLES / "gb300-nvl72-64k-cpo.yaml"))
    r = cmp.result("pluggable-dsp")
    groups = {g.name: (g.technology, g.chosen_by) for g in r.design.link_groups}
    assert groups["scale-up"] == ("copper", "incumbent")
    pol = cmp.result("policy")
    assert r.power_w["total"] < 1.7 * pol.power_w["total"]


def test_technology_of_every_link_group_in_json_csv_and_table():
    p = lf("compare", EXAMPLES / "gb300-nvl72-64k-cpo.yaml", "--format", "json")
    j = json.loads(p.stdout)
    r = next(x for x in j["results"] if x["technology"] == "pluggable-dsp")
    assert {g["name"]: g["technology"] for g in r["link_groups"]}["scale-up"] == "copper"
    assert {g["name"]: g["chosen_by"] for g in r["link_groups"]}["scale-up"] == "incumbent"
    c = lf("compare", EXAMPLES / "gb300-nvl72-64k-cpo.yaml", "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(c)))
    row = next(x for x in rows if x["technology"] == "pluggable-dsp")
    assert row["technology_scale-up"] == "copper (incumbent)"
    t = lf("compare", EXAMPLES / "gb300-nvl72-64k-cpo.yaml").stdout
    assert "copper (incumbent" in t


# 7. smaller wrong answers ----------------------------------------------------------------------------------

def test_sensitivity_rebuilds_auto_designs_when_an_economic_input_changes():
    def change(doc):
        doc["technology"] = {"scale_up": "auto"}
        doc["technologies"] = ["cpo"]
    sc = with_doc(EXAMPLES / "scale-up-512-copper-limit.yaml", change)
    prep = prepare(sc)
    at = evaluate_at(prep, {"economics.electricity_usd_per_kwh": 2.0})["policy"]
    sc2 = sc.model_copy(update={"economics": sc.economics.model_copy(update={"electricity_usd_per_kwh": 2.0})})
    prep2 = prepare(sc2)
    fresh = evaluate(prep2, prep2.comparison.result("policy"))["tco_usd"]
    assert at == pytest.approx(fresh, rel=1e-9)


def test_reliability_uses_the_design_margin_for_the_laser_fit():
    """Arrhenius at the junction temperature the margin drives the laser to: 59.8 / 76.4 / 118.8 FIT."""
    fits = []
    for margin in (0.0, 3.0, 5.0):
        sc = with_doc(EXAMPLES / "gb300-nvl72-64k-cpo.yaml",
                      lambda d, m=margin: d.setdefault("physical", {}).update(design_margin_db=m))
        r = compare(sc).result("cpo")
        a = analyse(r.design, sc)
        las = next(fc for fc in a.classes if fc.category == "lasers" and fc.name.startswith("lasers of"))
        fits.append(las.fit)
    assert fits == pytest.approx([59.8, 76.4, 118.8], abs=0.15)


def test_integer_interval_axes_sample_every_value_evenly():
    from lightfabric.sweep.spec import chunk, parse_sweep
    spec = parse_sweep({"base": "default", "seed": 1, "sample": {"method": "random", "points": 200000},
                        "axes": {"scale_out.planes": {"low": 1, "high": 4, "integer": True}}})
    col = chunk(spec, 0, 200000)["scale_out.planes"]
    v, c = np.unique(col, return_counts=True)
    assert v.tolist() == [1, 2, 3, 4]
    assert c / c.sum() == pytest.approx([0.25] * 4, abs=0.005)


def test_price_per_port_of_scale_up_switch_engines_is_per_port():
    from lightfabric.economics.copackaging import packaging
    cmp = compare(lightfabric.load_scenario(EXAMPLES / "scale-up-512-copper-limit.yaml"))
    d = cmp.result("cpo").design
    cat = Catalog.default()
    port = d.plan.scale_up_switch.port_configs[0]
    for t in packaging(d, cat)["tiers"]:
        if t["tier"].startswith("su-"):
            engine = cat.get(t["engine"])
            ports_per_engine = engine.capacity_gbps / port.rate_gbps
            assert t["ports_per_device"] == pytest.approx(t["engines_per_device"] * ports_per_engine)
            # port optics at list price, with lasers (issue 23): the port's share of the engine and its lasers
            els = cat.get(engine.laser_source)
            lasers = port.rate_gbps / engine.lane_rate_gbps / engine.lanes_per_laser
            assert t["port_optics_list_usd"] == pytest.approx(engine.price_usd / ports_per_engine
                                                              + lasers * els.price_usd / els.lasers)


def test_a_link_check_that_cannot_run_is_never_feasible(catalog, monkeypatch):
    """(Fixed with issue 18's registry, kept here as the issue names it.) A LinkOptionError inside the
    physical check gives feasible False and checked False, never 'feasible, checks skipped'."""
    from lightfabric.physics.chains import LinkOptionError
    from lightfabric.technologies import base
    sc = load()
    r = compare(sc, catalog).result("pluggable-dsp")
    g = next(g for g in r.design.link_groups if g.upper_end.interface != "SR")     # a single-mode group

    def broken(*a, **k):
        raise LinkOptionError("no chain for this part")
    monkeypatch.setattr(base, "chain_of", broken)
    from lightfabric.technologies.registry import REGISTRY
    from lightfabric.technologies import GroupEnds
    ends = GroupEnds(g.lower_end, g.upper_end, g.medium, g.cables)
    check = REGISTRY["pluggable-dsp"].check(catalog, sc.physical, g.spec, ends)
    assert check["feasible"] is False and check["checked"] is False
    assert "could not run" in check["reasons"][0]
