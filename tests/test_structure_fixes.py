"""The six wrong answers the scattered fat-tree and technology logic gave (issue 18), each checked against
a hand calculation or an independent computation. Every test here failed on 560293d."""

from math import ceil

import pytest

import lightfabric
from lightfabric import parse_scenario
from lightfabric.errors import LightfabricError
from lightfabric.physics import chains
from lightfabric.reliability import assess

from conftest import scenario_text

EXAMPLES = lightfabric.scenario.loader.default_scenario_path().parents[3] / "examples"


def run(catalog, text):
    return lightfabric.compare(parse_scenario(text, "t.yaml"), catalog)


# 1. planes are checked against the links of one NIC -------------------------------------------------

@pytest.mark.parametrize("gpus,switch,planes", [(65536, "tomahawk-6", 16), (4096, "tomahawk-5", 2)])
def test_planes_above_the_links_of_one_nic_are_refused(catalog, gpus, switch, planes):
    # a ConnectX-8 at 800G has one link: it cannot feed two planes (it built disconnected trees)
    text = scenario_text(gpus=gpus, switch=switch).replace("  tiers: auto\n", f"  tiers: auto\n  planes: {planes}\n")
    with pytest.raises(LightfabricError) as e:
        run(catalog, text)
    msg = str(e.value)
    assert "scale_out.planes" in msg and str(planes) in msg
    assert "1 NIC link per GPU" in msg


def test_planes_up_to_the_links_of_one_nic_build_full_planes(catalog):
    # ConnectX-8 as 2 x 400G: each of 2 planes carries one link of every NIC, so each plane is the
    # tree of all 4,096 GPUs (4,096 host ports at radix 128: 64 leaves, 32 spines), not of half of them
    text = scenario_text(gpus=4096, rate=400).replace("  tiers: auto\n", "  tiers: auto\n  planes: 2\n")
    r = run(catalog, text).result("pluggable-dsp")
    assert r.topology["switches_per_tier"] == [2 * 64, 2 * 32]
    assert r.design.plan.fabric.group("host-leaf").links == 2 * 4096


def test_nics_per_gpu_raise_the_plane_limit(catalog):
    # two 800G NICs per GPU: 2 NIC links per GPU, so 2 planes, each with one NIC of every GPU
    text = scenario_text(gpus=2048).replace("  tiers: auto\n", "  tiers: auto\n  planes: 2\n  nics_per_gpu: 2\n")
    r = run(catalog, text).result("pluggable-dsp")
    assert r.topology["switches_per_tier"] == [2 * 64, 2 * 32]  # 2,048 host ports per plane at radix 64


# 2. top-of-rack leaves stand amid the racks they serve -------------------------------------------------

def test_top_of_rack_leaf_serving_several_racks_stands_amid_them(catalog):
    # 8 GPUs per rack, a Tomahawk 5 leaf at 800G serves 32 GPUs: 4 racks of a row, 0.6 m wide. The leaf
    # stands at the rack nearest their centre (x = 1.2 m: the rack at 0.9 m); the farthest rack is 1.2 m
    # away: 1.2 + 2 x (2.2 / 2 + 0.6) + 2.0 = 6.6 m, out of passive copper's 2 m reach
    text = scenario_text(gpus=128).replace(
        "  link_length_m: {nic_leaf_m: 15, leaf_spine_m: 60, spine_core_m: 200}\n", "") + (
        "placement: {gpus_per_rack: 8, leaf_location: top-of-rack}\ntechnology: {nic_leaf: auto}\n")
    c = run(catalog, text)
    assert c.plan.lengths["host-leaf"].max_m == pytest.approx(1.2 + 2 * (1.1 + 0.6) + 2.0)
    assert any("stands amid the racks it serves" in n for n in c.plan.fabric.notes)   # said, not silent
    host = next(g for g in c.result("policy").design.link_groups if g.name == "host-leaf")
    assert host.medium.kind != "copper-cable" or host.medium.reach_m >= 6.6


def test_top_of_rack_leaf_within_one_rack_stays_in_rack(catalog):
    text = scenario_text(gpus=128).replace(
        "  link_length_m: {nic_leaf_m: 15, leaf_spine_m: 60, spine_core_m: 200}\n", "") + (
        "placement: {gpus_per_rack: 32, leaf_location: top-of-rack}\n")
    c = run(catalog, text)
    assert c.plan.lengths["host-leaf"].max_m == pytest.approx(1.1 * 15 / 16 + 0.3)


def test_llama3_like_leaves_of_86_gpus_cannot_use_copper(catalog):
    # the example as it was: a 2:1 Tomahawk 5 leaf fills 43 ports (86 GPUs over 5.4 racks of 16), so its
    # NIC links run up to 34 m and the copper policy is infeasible with the reach as reason
    sc = lightfabric.load_scenario(EXAMPLES / "h100-16k-llama3-like.yaml")
    sc = sc.model_copy(update={"scale_out": sc.scale_out.model_copy(update={"leaf_host_ports": None})})
    c = lightfabric.compare(sc, catalog)
    assert c.plan.fabric.tier("leaf").count == 191
    assert c.plan.lengths["host-leaf"].max_m > 20.0
    policy = c.result("policy")
    assert not policy.feasible and "host-leaf" in policy.reasons[0] and "reaches 2 m" in policy.reasons[0]


def test_llama3_like_top_of_rack_leaf_per_rack(catalog):
    # leaf_host_ports: 8 -> a leaf per 16-GPU rack (1,024), 4 uplinks each at 2:1, copper in the rack
    c = lightfabric.compare(lightfabric.load_scenario(EXAMPLES / "h100-16k-llama3-like.yaml"), catalog)
    leaf = c.plan.fabric.tier("leaf")
    assert leaf.count == 16384 // 16 and leaf.gpus_cut == 16
    assert c.plan.fabric.group("leaf-spine").links == 1024 * 4
    assert c.plan.lengths["host-leaf"].max_m == pytest.approx(1.1 * 15 / 16 + 0.3)
    host = next(g for g in c.result("policy").design.link_groups if g.name == "host-leaf")
    assert host.technology == "copper" and c.result("policy").feasible


# 3. engine-based links are budgeted with the engine the design chose --------------------------------

def test_oio_link_is_budgeted_with_its_own_engine(catalog):
    # the cheapest OIO chiplet's lasers cannot light its lanes (8 lanes per laser: about 379 mW, past
    # the laser's current rating): it is passed over with that reason, and each check budgets the
    # engine the design took, whose laser stays within its rating
    c = lightfabric.compare(lightfabric.load_scenario(EXAMPLES / "scale-up-512-copper-limit.yaml"), catalog)
    r = c.result("oio")
    assert r.feasible
    passed = [n for n in r.design.notes if "passed over" in n]
    assert passed and all("1500 mA rating" in n for n in passed)
    checks = [x for x in r.design.link_checks if x["group"].startswith("scale-up")]
    assert checks
    for check in checks:
        engine = catalog.get(check["engine"])
        assert f"{engine.id} taken" in " ".join(passed)
        own = chains.optical_link(catalog, "cpo", check["length_m"], engine.lane_rate_gbps, engine=engine)
        els = catalog.get(engine.laser_source)
        assert check["laser_power_mw"] == pytest.approx(own.details["laser_power_mw"], rel=1e-3)
        assert own.details["laser_power_mw"] <= els.optical_power_mw_per_laser and check["feasible"]


def test_engine_check_records_the_engine_and_its_lanes_per_laser(catalog):
    c = run(catalog, scenario_text(gpus=512, switch="tomahawk-6", rate=800))
    r = c.result("cpo")
    check = next(x for x in r.design.link_checks if x["group"] == "leaf-spine")
    engine = catalog.get(next(g for g in r.design.link_groups if g.name == "leaf-spine").upper_end.part_id)
    assert check["part"] == engine.id and check["lanes_per_laser"] == engine.lanes_per_laser
    own = chains.optical_link(catalog, "cpo", check["length_m"], engine.lane_rate_gbps,
                              lanes_per_laser=engine.lanes_per_laser)
    assert check["laser_power_mw"] == pytest.approx(own.details["laser_power_mw"], rel=1e-6)


# 4. a leaf's blast radius is its GPUs, not its NIC links ----------------------------------------------

def test_leaf_blast_radius_counts_gpus_not_links(catalog):
    # ConnectX-8 as 2 x 400G on Tomahawk 5 at 400G (radix 128, 64 down): a leaf serves 64 NIC links of
    # 32 GPUs
    sc = parse_scenario(scenario_text(gpus=4096, rate=400).replace("technologies: [pluggable-dsp, lpo, cpo]",
                                                                    "technologies: [pluggable-dsp]"), "t.yaml")
    rep = assess(sc, trials=2, horizon_days=1)["results"][0]
    assert rep["blast_radius_gpus"]["leaf switches"]["waiting"] == 32


# 5. rail leaves do not share broken-out ports across rails --------------------------------------------

def test_rail_breakout_counts_leaf_ports_per_rail(catalog):
    # 3 servers x 8 rails, 400G ConnectX-7 into 800G ports (breakout 2): each rail leaf holds 3 NIC
    # links on ceil(3 / 2) = 2 ports, so 16 leaf ports, not ceil(24 / 2) = 12
    text = """
name: rail-breakout
cluster: {gpus: 24, gpu: h100, gpus_per_server: 8}
scale_out: {topology: rail-optimized, switch: tomahawk-5, port_rate_gbps: 800, nic: connectx-7, tiers: 2}
technologies: [pluggable-dsp]
"""
    r = run(catalog, text).result("pluggable-dsp")
    g = next(g for g in r.design.link_groups if g.name == "host-leaf")
    assert g.links == 24
    assert g.upper_end_count == 8 * ceil(3 / 2) == 16
    assert g.cables == 16


# 6. a two-tier scale-up path crosses three switch chips ------------------------------------------------

def test_two_tier_scale_up_path_crosses_three_chips(catalog):
    from lightfabric.netsim.topo import topo_of
    c = lightfabric.compare(lightfabric.load_scenario(EXAMPLES / "scale-up-512-copper-limit.yaml"), catalog)
    d = c.result("cpo").design
    t = topo_of(d)
    L = t.link_latency_s
    switch_s = catalog.get("latency-switch-nvlink").latency_ns * 1e-9   # 250 ns per NVLink switch chip
    hand = 2 * L["scale-up"] + 2 * L["scale-up-spine"] + 3 * switch_s
    assert t.as_dict()["path_latency_ns"]["scale-up"] == pytest.approx(hand * 1e9, abs=0.1)
