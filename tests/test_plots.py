"""Each figure draws the numbers of the result it is given: stacks add up to totals, a waterfall ends
at the received power, a tornado's bars end at the sensitivity's values, a tail starts at 1."""

from __future__ import annotations

import numpy as np
import pytest

from lightfabric import plots
from lightfabric.compare import compare
from lightfabric.density import density_report
from lightfabric.economics import sensitivity_report, value_chain
from lightfabric.netsim.run import collective_sweep
from lightfabric.physics import chains
from lightfabric.reliability import assess
from lightfabric.report.html import _links
from lightfabric.scenario.loader import parse_scenario
from conftest import scenario_text


@pytest.fixture(scope="module")
def scenario():
    return parse_scenario(scenario_text(gpus=2048))


@pytest.mark.parametrize("technology", chains.OPTICAL_CHAINS)
@pytest.mark.parametrize("length_m", [2.0, 50.0, 400.0])
def test_waterfall_ends_at_the_received_oma(catalog, technology, length_m):
    link = chains.optical_link(catalog, technology, length_m, 100.0).to_dict()
    trace = plots.link_budget_waterfall(link).data[0]
    assert list(trace.measure).count("total") == 1 and trace.measure[0] == "absolute"
    assert trace.y[0] == pytest.approx(link["elements"][0]["power_dbm"])
    assert sum(trace.y[:-1]) == pytest.approx(link["received_oma_dbm"], abs=0.01)
    # one bar per element plus the modulation step and the total; names are unique
    assert len(trace.x) == len(link["elements"]) + 2 == len(set(trace.x))


def test_copper_waterfall_adds_up_the_channel_loss(catalog):
    link = chains.copper_link(catalog, 2.0, 224.0).to_dict()
    trace = plots.link_budget_waterfall(link).data[0]
    assert sum(trace.y[:-1]) == pytest.approx(link["details"]["channel_loss_db"], abs=0.01)


def test_report_links_reproduce_the_design_checks(scenario):
    comparison = compare(scenario)
    links = _links(comparison)["links"]
    assert {link["design"] for link in links} == {"pluggable-dsp", "lpo", "cpo"}
    for link in links:
        assert link["margin_db"] == pytest.approx(link["check_margin_db"], abs=0.01)


def test_laser_power_per_lane(catalog):
    reports = [chains.laser_report(catalog, t) for t in chains.OPTICAL_CHAINS]
    bar = plots.laser_power_per_lane(reports).data[0]
    for r, y in zip(reports, bar.y):
        assert y == pytest.approx(r["laser_power_mw"] / r["lanes_per_laser"], rel=1e-3)


def test_power_and_bom(scenario):
    result = compare(scenario).to_dict()
    fig = plots.power_breakdown(result)
    bars = [t for t in fig.data if t.type == "bar"]
    for i, r in enumerate(result["results"]):
        assert sum(t.y[i] for t in bars) == pytest.approx(r["power_w"]["total"] / 1e6)
    bom = plots.bill_of_materials(result)
    for trace, r in zip(bom.data, result["results"]):
        for name, count in zip(trace.x, trace.y):
            assert count == r["bom"][name.replace(" ", "_")]


def test_reliability_figures(scenario):
    result = assess(scenario, trials=60, horizon_days=90, seed=1)
    fig = plots.gpus_down_distribution(result)
    for trace, r in zip(fig.data, result["results"]):
        tail = np.array(trace.y)
        assert tail[0] == pytest.approx(1.0) and np.all(np.diff(tail) <= 1e-12)
        d = r["monte_carlo"]["gpus_down_distribution"]
        assert sum(d["time_fraction"]) == pytest.approx(1.0, abs=1e-4)
    stacked = plots.failures_per_day(result)
    for i, r in enumerate(result["results"]):
        assert sum(t.y[i] for t in stacked.data) == pytest.approx(r["failures_per_day_total"], rel=1e-3)


def test_value_chain_and_tornado(scenario):
    chain = value_chain(scenario)
    fig = plots.value_chain(chain)
    for i in range(len(chain["results"])):
        assert sum(t.y[i] for t in fig.data) == pytest.approx(100.0)
    sens = sensitivity_report(scenario)
    t = sens["tornado"]
    fig = plots.tornado(sens)
    low, high = fig.data[0], fig.data[1]
    rows = sorted(t["rows"], key=lambda r: r["difference_swing"])
    for k, row in enumerate(rows):  # each bar runs from the base difference to the difference at that end
        assert (low.base + low.x[k]) * 1e6 == pytest.approx(row["difference_at_low"], rel=1e-9, abs=1e-3)
        assert (high.base + high.x[k]) * 1e6 == pytest.approx(row["difference_at_high"], rel=1e-9, abs=1e-3)
    assert rows[-1]["difference_swing"] == max(r["difference_swing"] for r in rows)  # widest on top


def test_collectives_and_density(scenario, catalog):
    sweep = collective_sweep(scenario, algorithm="ring")
    n = sweep["gpus"]
    for t in sweep["results"]:
        for size, time_s, busbw in zip(t["sizes_bytes"], t["time_s"], t["busbw_gbps"]):
            # bus bandwidth of an all-reduce: 2(n-1)/n x size / time (NCCL's definition)
            assert busbw == pytest.approx(2 * (n - 1) / n * size * 8 / time_s / 1e9, rel=1e-9)
        assert np.all(np.diff(t["time_s"]) > 0)
    fig = plots.collective_time_vs_size([sweep, collective_sweep(scenario, algorithm="tree")])
    assert len(fig.data) == 2 * len(sweep["results"])
    density = density_report(catalog)
    fig = plots.bandwidth_density(density)
    assert list(fig.data[0].y) == [density["technologies"][t]["tbps_per_rack_unit"] for t in density["technologies"]]


def test_gpus_down_distribution_mean_matches_the_monte_carlo(scenario):
    """The distribution on the 15-minute grid and the exact time-average are computed apart; their
    means agree within the grid's rounding."""
    result = assess(scenario, trials=80, horizon_days=120, seed=7)
    for r in result["results"]:
        mc = r["monte_carlo"]
        d = mc["gpus_down_distribution"]
        mean = sum(g * f for g, f in zip(d["gpus"], d["time_fraction"]))
        assert mean == pytest.approx(mc["gpus_down_mean"], rel=0.05, abs=0.01)


def test_empty_results_draw_empty_figures():
    fig = plots.power_breakdown({"scenario": "x", "results": [{"technology": "cpo", "feasible": False}]})
    assert [t for t in fig.data if t.type == "bar"] == []



def test_tornado_of_one_design():
    sc = parse_scenario(scenario_text(gpus=2048).replace("technologies: [pluggable-dsp, lpo, cpo]", "technologies: [cpo]"))
    sens = sensitivity_report(sc)
    t = sens["tornado"]
    assert t["versus"] is None
    fig = plots.tornado(sens)
    rows = sorted(t["rows"], key=lambda r: r["swing"]["cpo"])
    for k, row in enumerate(rows):
        assert (fig.data[0].base + fig.data[0].x[k]) * 1e6 == pytest.approx(row["at_low"]["cpo"], rel=1e-9)
        assert (fig.data[1].base + fig.data[1].x[k]) * 1e6 == pytest.approx(row["at_high"]["cpo"], rel=1e-9)
