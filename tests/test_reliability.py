"""Reliability: failure rates, blast radius, closed forms, Monte Carlo, goodput and the CLI."""

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import lightfabric
from lightfabric.catalog import (
    Catalog, CopperCable, ExternalLaserSource, FiberCable, FiberPart, Nic, OpticalCircuitSwitch, OpticalEngine,
    PluggableModule, SwitchAsic,
)
from lightfabric.compare import compare
from lightfabric.physics.laser import arrhenius_acceleration
from lightfabric.reliability import assess, checkpoint, rates
from lightfabric.reliability.assess import port_fit
from lightfabric.reliability.inventory import inventory, laser_outage_fraction
from lightfabric.reliability.spares import spares_for_fill_rate
from tests.conftest import scenario_text
from tests.test_cli import lf, lf_here

ROOT = Path(__file__).resolve().parents[1]
K_EV = 8.617333262e-5


def _small(technologies="[pluggable-dsp, cpo]", extra=""):
    """2,048 GB300 on Tomahawk 5 at 800G: two tiers, 64 leaves (32 down, 32 up) and 32 spines."""
    text = scenario_text(gpus=2048, tiers=2).replace("technologies: [pluggable-dsp, lpo, cpo]",
                                                      f"technologies: {technologies}") + extra
    return lightfabric.parse_scenario(text)


def _by_name(classes):
    return {c.name: c for c in classes}


# --- failure rates ---------------------------------------------------------------------------------

def test_every_part_that_can_fail_has_a_sourced_rate(catalog):
    kinds = (SwitchAsic, Nic, CopperCable, FiberCable, FiberPart, OpticalCircuitSwitch, ExternalLaserSource)
    for cls in kinds:
        for part in catalog.of_kind(cls):
            entry = rates.failure_rate(catalog, part)
            assert entry.sources_for("fit"), entry.id
    for m in catalog.of_kind(PluggableModule):
        assert rates.module_fit(catalog, m).fit > 0
    for e in catalog.of_kind(OpticalEngine):
        assert rates.engine_fit(catalog, e).fit > 0


def test_most_specific_entry_wins(catalog):
    assert rates.failure_rate(catalog, catalog.get("aec-800g-osfp")).id == "fit-aec"
    assert rates.failure_rate(catalog, catalog.get("dac-800g-osfp")).id == "fit-copper-passive"
    assert rates.failure_rate(catalog, catalog.get("nvlink5-switch")).id == "fit-switch-nvlink"
    assert rates.failure_rate(catalog, catalog.get("tomahawk-5")).id == "fit-switch-system"


def test_switch_fit_from_the_published_survival():
    """Singh et al.: 2 % of switches fail within 3 months, 32 % of failures are hardware."""
    total = -math.log(0.98) / (91.25 * 24) * 1e9
    entry = Catalog.default().get("fit-switch-system")
    assert entry.fit == pytest.approx(0.32 * total, rel=2e-3)
    assert entry.fit + entry.flap_fit == pytest.approx(total, rel=2e-3)


def test_laser_fit_follows_arrhenius_closed_form(catalog):
    lf_ = rates.laser_fit(catalog, "cpo", 200.0, case_temperature_c=70.0)
    laser = catalog.get(lf_.laser)
    t, t0 = lf_.junction_temperature_c + 273.15, laser.fit_temperature_c + 273.15
    hand = laser.fit * math.exp(laser.activation_energy_ev / K_EV * (1 / t0 - 1 / t))
    assert lf_.fit == pytest.approx(hand, rel=1e-6)
    hotter = rates.laser_fit(catalog, "cpo", 200.0, case_temperature_c=85.0)
    assert hotter.junction_temperature_c > lf_.junction_temperature_c and hotter.fit > lf_.fit
    # 10 K above the reference at 0.45 eV: a factor of about 1.5
    assert float(arrhenius_acceleration(80.0, 70.0, 0.45)) == pytest.approx(
        math.exp(0.45 / K_EV * (1 / 343.15 - 1 / 353.15)), rel=1e-12)


def test_module_fit_is_the_sum_of_its_parts_and_matches_field_mtbf(catalog):
    m = catalog.get("osfp-800g-dr8")
    b = rates.module_fit(catalog, m)
    lf_ = rates.laser_fit(catalog, "pluggable-dsp", 100.0)
    per_lane = 37.5 + 0 + 31.25 + 22.5 + 15.6 + 15 + 15   # DSP, host SerDes, driver, TIA, overhead, EAM, PD
    assert b.fit == pytest.approx(m.lasers * lf_.fit + m.optical_lanes * per_lane, rel=1e-9)
    # published: module MTBF 0.5-2 M h (luxoptx); Meta ECOC 2025: 0.5-1 M h for pluggables
    assert 0.5e6 <= b.mtbf_h <= 1.0e6


def test_cpo_port_outlasts_a_pluggable_port_by_hand(catalog):
    """An 800G port of a Bailly CPO switch: its eighth of the engine (dies and fiber attach, field-
    calibrated), one laser of its source and its share of the source's electronics; above the 95 %
    lower bound the field trial of that engine gives, and under half a DR8 module's FIT."""
    engine = catalog.get("bailly-oe-6.4t")
    eb = rates.engine_fit(catalog, engine)
    els = catalog.get(engine.laser_source)
    lb, lf_ = rates.laser_source_fit(catalog, els, engine)
    lasers = 800 / engine.lane_rate_gbps / engine.lanes_per_laser
    port = eb.fit * 800 / engine.capacity_gbps + lasers * lf_.fit + lasers * rates.part_fit(catalog, els) / els.lasers
    field = catalog.get("field-cpo-bailly-meta")
    assert 1e9 / port > field.device_hours * field.port_rate_gbps / 800 / 3.0
    assert port < rates.module_fit(catalog, catalog.get("osfp-800g-dr8")).fit / 2
    d = compare(lightfabric.load_scenario()).result("cpo").design
    assert port_fit(d)["fit"] == pytest.approx(port, rel=1e-3)


# --- blast radius and closed forms on a small fabric ---------------------------------------------------

def test_inventory_counts_and_blast_radius_by_hand():
    sc = _small()
    comp = compare(sc)
    d = comp.result("pluggable-dsp").design
    c = _by_name(inventory(d))
    assert c["leaf switches"].count == 64 and c["spine switches"].count == 32
    assert c["leaf switches"].gpus_waiting == 32 and c["spine switches"].gpus_waiting == 0
    assert c["leaf switches"].links_waiting == {"host-leaf": 32, "leaf-spine": 32}
    # the server is powered off: a GB300 compute tray holds four GPUs (the GPU's platform default)
    assert c["NICs"].count == 2048 and c["NICs"].gpus_replacing == 4
    for side in ("lower", "upper"):
        assert c[f"host-leaf links, {side}-end modules"].count == 2048
        assert c[f"host-leaf links, {side}-end modules"].gpus_waiting == 1
        assert c[f"leaf-spine links, {side}-end modules"].gpus_waiting == 0
    cpo = _by_name(inventory(comp.result("cpo").design))
    # a CPO engine die failure darkens the engine's eight 800G ports (4 host ports, 4 uplinks of the
    # leaf's 32 + 32 over 8 engines); replacing the CPO leaf takes all its 32 GPUs
    engines = cpo["cpo engines at leaf"]
    assert engines.count == 64 * 8
    assert engines.links_waiting == pytest.approx({"host-leaf": 4, "leaf-spine": 4})
    assert engines.gpus_waiting == 4 and engines.role == "gpu_links"
    assert engines.gpus_replacing == 32 and engines.fru == "fru-cpo-switch"
    assert cpo["leaf switches"].fru == "fru-cpo-switch"


def test_a_switch_with_some_cpo_ports_is_swapped_as_a_cpo_switch():
    """A policy with CPO on the leaf's host ports and LPO on its uplinks: the leaf still carries
    engines, so any leaf failure swaps a CPO switch."""
    import yaml
    doc = yaml.safe_load(open(ROOT / "examples" / "h100-4k-400g-breakout.yaml"))
    doc["technology"] = {"nic_leaf": "cpo", "leaf_spine": "lpo"}
    sc = lightfabric.parse_scenario(yaml.safe_dump(doc))
    c = _by_name(inventory(compare(sc).result("policy").design))
    assert c["cpo engines at leaf"].fru == "fru-cpo-switch"
    assert c["leaf switches"].fru == "fru-cpo-switch" and c["spine switches"].fru == "fru-switch"


def test_expectations_match_a_hand_calculation():
    sc = _small()
    rep = assess(sc, job_gpus=2048, trials=2, horizon_days=1)
    r = next(x for x in rep["results"] if x["technology"] == "pluggable-dsp")
    cat = Catalog.default()
    lam = lambda fit: fit * 1e-9  # noqa: E731
    m = rates.module_fit(cat, cat.get("osfp-800g-dr8")).fit
    sw, nic, fib = 2952.0, 330.0, 10.0
    per_day = 24 * (8192 * lam(m) + 96 * lam(sw) + 2048 * lam(nic) + 4096 * lam(fib))
    assert r["failures_per_day_total"] == pytest.approx(per_day, rel=1e-3)
    # GPUs down (Little): host modules 4,096 x (4 + 0.1) h x 1 GPU; leaves 64 x 6 h x 32;
    # NICs 2,048 x (4 h x 1 + 1 h x 4, the GB300 tray's four GPUs); host trunks 2,048 x 5 h x 1
    down = (4096 * lam(m) * 4.1 + 64 * lam(sw) * 6 * 32 + 2048 * lam(nic) * (4 + 4) + 2048 * lam(fib) * 5)
    assert r["gpus_down_mean"] == pytest.approx(down, rel=1e-3)
    # the job spans every GPU: every failure and every switch reboot interrupts it
    flaps = 96 * lam(6272.0) * 24
    assert r["job_interruptions_per_day"] == pytest.approx(per_day + flaps, rel=1e-3)
    # leaf-spine availability: 32 links of a leaf for 6 h, one link per module or trunk for 4.1 / 5 h
    ls_down = (64 * lam(sw) * 6 * 32 + 32 * lam(sw) * 6 * 64 + 4096 * lam(m) * 4.1 + 2048 * lam(fib) * 5)
    assert r["links_down_mean"]["leaf-spine"] == pytest.approx(ls_down, rel=1e-3)
    assert r["link_availability"]["leaf-spine"] == pytest.approx(1 - ls_down / 2048, abs=1e-8)


def test_a_job_under_one_leaf_ignores_the_spine():
    sc = _small()
    one = assess(sc, job_gpus=16, trials=2, horizon_days=1)["results"][0]
    whole = assess(sc, trials=2, horizon_days=1)["results"][0]
    assert one["job"]["interruptions_per_day_by_category"]["switches"] < \
        whole["job"]["interruptions_per_day_by_category"]["switches"] / 10
    assert one["job_interruptions_per_day"] < whole["job_interruptions_per_day"] / 50


# --- Monte Carlo against the closed form -----------------------------------------------------------------

def _within(ci95, value, z=3.29):
    """``value`` inside the Monte Carlo interval widened from 95 % to 99.9 % (z = 3.29): a dozen
    comparisons per test, so each is held to the family-wise (Bonferroni) level."""
    lo, hi = ci95
    mid, half = (lo + hi) / 2, (hi - lo) / 2 * z / 1.959964
    return mid - half <= value <= mid + half


@pytest.mark.parametrize("scenario", [None, "small"])
def test_monte_carlo_agrees_with_the_analytic_means(scenario):
    sc = lightfabric.load_scenario() if scenario is None else _small()
    rep = assess(sc, trials=300, horizon_days=120, seed=7)
    for r in rep["results"]:
        mc = r["monte_carlo"]
        assert _within(mc["gpus_down_mean_ci95"], r["gpus_down_mean"]), (r["technology"], mc, r["gpus_down_mean"])
        # the Monte Carlo follows the mix's largest job
        assert mc["job_gpus"] == r["job"]["gpus"]
        assert _within(mc["job_interruptions_per_day_ci95"], r["job"]["interruptions_per_day"]), \
            (r["technology"], mc, r["job"]["interruptions_per_day"])
        for u in r["units"]:     # failures per day of every class, to within 5 % or 0.01 a day
            assert u["mc_failures_per_day"] == pytest.approx(u["failures_per_day"], rel=0.05, abs=0.01), u["unit"]
        assert mc["gpus_down_p95"] >= mc["gpus_down_p50"] and mc["gpus_down_max"] >= mc["gpus_down_p99"]


def test_monte_carlo_is_reproducible_and_seeded():
    sc = _small()
    a = assess(sc, trials=20, horizon_days=30, seed=3)["results"][0]["monte_carlo"]
    b = assess(sc, trials=20, horizon_days=30, seed=3)["results"][0]["monte_carlo"]
    c = assess(sc, trials=20, horizon_days=30, seed=4)["results"][0]["monte_carlo"]
    strip = lambda m: {k: v for k, v in m.items() if k not in ("seconds", "link_years_per_second")}  # noqa: E731
    assert strip(a) == strip(b) and strip(a) != strip(c)


# --- checkpoint / restart ----------------------------------------------------------------------------

def test_young_and_daly_closed_forms():
    assert float(checkpoint.young_interval_h(0.1, 5.0)) == pytest.approx(1.0)
    # Daly approaches Young as the checkpoint becomes small against the MTBI
    d, m = 1e-4, 10.0
    assert float(checkpoint.daly_interval_h(d, m)) == pytest.approx(float(checkpoint.young_interval_h(d, m)), rel=1e-2)
    assert float(checkpoint.daly_interval_h(30.0, 10.0)) == 10.0   # delta >= 2M: checkpoint every M
    # the optimum is a minimum of wall time
    taus = np.linspace(0.05, 3.0, 600)
    g = checkpoint.goodput(taus, 0.05, 0.2, 5.0)
    assert taus[np.argmax(g)] == pytest.approx(float(checkpoint.daly_interval_h(0.05, 5.0)), abs=0.02)


def test_goodput_matches_a_simulated_job():
    """Daly's expected wall time against a direct simulation of checkpointed work and restarts."""
    rng = np.random.default_rng(11)
    tau, delta, restart, mtbi, segments = 0.5, 0.05, 0.2, 5.0, 400
    walls = []
    for _ in range(300):
        wall = 0.0
        done = 0
        while done < segments:
            x = rng.exponential(mtbi)
            if x >= tau + delta:
                wall += tau + delta
                done += 1
                continue
            wall += x
            while True:                      # the restart itself can be interrupted
                y = rng.exponential(mtbi)
                if y >= restart:
                    wall += restart
                    break
                wall += y
        walls.append(wall)
    simulated = segments * tau / np.mean(walls)
    assert simulated == pytest.approx(float(checkpoint.goodput(tau, delta, restart, mtbi)), rel=0.01)


def test_spares_are_the_poisson_quantile_by_hand():
    mu = 14.0   # one failure a day, 14 days to restock
    s = spares_for_fill_rate(1 / 24, 14 * 24, 0.99)
    cdf = lambda n: sum(math.exp(-mu) * mu ** k / math.factorial(k) for k in range(n + 1))  # noqa: E731
    assert cdf(s) >= 0.99 > cdf(s - 1)


# --- monotonicity ------------------------------------------------------------------------------------------

@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=64, max_value=30_000), st.integers(min_value=1, max_value=3000))
def test_more_gpus_never_fewer_failures(gpus, extra):
    def total(n):
        sc = lightfabric.parse_scenario(scenario_text(gpus=n).replace("technologies: [pluggable-dsp, lpo, cpo]",
                                                                      "technologies: [pluggable-dsp]"))
        return assess(sc, trials=2, horizon_days=1)["results"][0]["failures_per_day_total"]
    assert total(gpus + extra) >= total(gpus)


@settings(max_examples=10, deadline=None)
@given(st.integers(min_value=1, max_value=64), st.floats(min_value=10, max_value=5000),
       st.floats(min_value=0.1, max_value=2000), st.integers(min_value=0, max_value=6))
def test_more_spare_lasers_never_more_outages(lasers, fit, window_h, spares):
    assert laser_outage_fraction(lasers, fit, window_h, spares + 1) <= laser_outage_fraction(lasers, fit, window_h, spares)
    assert laser_outage_fraction(lasers, fit, window_h, 0) == 1.0


def test_more_spare_lasers_never_lower_availability():
    out = []
    for s in range(4):
        sc = _small("[cpo]", extra=f"reliability: {{els_spare_lasers: {s}, repair_wait_h: 200}}\n")
        r = assess(sc, trials=2, horizon_days=1)["results"][0]
        out.append((r["bisection_availability"], -r["gpus_down_mean"], -r["job_interruptions_per_day"]))
    for a, b in zip(out, out[1:]):
        assert all(y >= x for x, y in zip(a, b))
    assert out[-1][2] > out[0][2]      # the spares do remove interruptions


# --- the published field data the docs cite ----------------------------------------------------------------

def test_llama3_like_fabric_network_interruptions_near_metas_count():
    """Meta counted 35 switch/cable and 7 NIC interruptions in 54 days on 16,384 H100 (0.78 a day).
    The NIC rate is calibrated on that count; the switch, optics and cable part is not."""
    sc = lightfabric.load_scenario(ROOT / "examples" / "h100-16k-llama3-like.yaml")
    assert sc.reliability.jobs == "single"       # Meta's count is of one job of the 16,384 GPUs
    r = next(x for x in assess(sc, trials=2, horizon_days=1)["results"] if x["technology"] == "policy")
    by = r["job"]["interruptions_per_day_by_category"]
    fabric = by["optics"] + by["switches"] + by.get("cables", 0.0)
    assert fabric == pytest.approx(35 / 54, rel=0.5)
    assert by["nics"] == pytest.approx(7 / 54, rel=0.05)


# --- the command line ----------------------------------------------------------------------------------

def test_cli_reliability_json_contract():
    p = lf("reliability", str(ROOT / "examples" / "h100-4k-400g-breakout.yaml"), "--trials", "20",
           "--horizon-days", "30", "--job-gpus", "1024", "--format", "json")
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert d["job_gpus"] == 1024 and d["trials"] == 20
    for r in d["results"]:
        for key in ("failures_per_day", "link_fit", "blast_radius_gpus", "mttr_h", "gpus_down_mean",
                    "job_interruptions_per_day", "goodput", "monte_carlo", "spares", "port_fit"):
            assert key in r, key
        assert 0 < r["goodput"] < 1
        assert r["monte_carlo"]["trials"] == 20


def test_cli_reliability_table():
    p = lf("reliability", "--trials", "10", "--horizon-days", "10")
    assert p.returncode == 0, p.stderr
    for word in ("hard failures / day", "jobs' GPU time the network takes", "fru-cpo-switch", "GPUs down, 95th pct",
                 "job mix: training-cluster", "repair policy: swap-now"):
        assert word in p.stdout


@pytest.mark.parametrize("args,needle", [
    (["--job-gpus", "0"], "--job-gpus: got 0"),
    (["--job-gpus", "99999999"], "allowed: 1 to 32,768"),
    (["--trials", "1"], "--trials: got 1"),
    (["--horizon-days", "0"], "--horizon-days: got 0.0"),
    (["--format", "xml"], "'xml' is not one of"),
])
def test_cli_reliability_bad_input(args, needle):
    p = lf("reliability", *args)
    assert p.returncode == 2
    assert needle in p.stderr and "Traceback" not in p.stderr


def test_cli_reliability_on_every_example():
    for f in sorted((ROOT / "examples").glob("*.yaml")):
        p = lf_here("reliability", str(f), "--trials", "5", "--horizon-days", "10", "--format", "json")
        assert p.returncode == 0, (f.name, p.stderr)
        d = json.loads(p.stdout)
        assert any(r["feasible"] for r in d["results"]), f.name
