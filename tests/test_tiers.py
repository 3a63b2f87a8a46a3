"""Every technology, every tier: rail-optimized, multi-plane and OCS fabrics, scale-up domains,
placement and reach, per-tier policy and auto, bandwidth density (issue 4)."""

from math import ceil, sqrt

import pytest

from lightfabric.catalog import PluggableModule
from hypothesis import given, settings, strategies as st

import lightfabric
from lightfabric import parse_scenario
from lightfabric.density import density_report
from lightfabric.physics.density import package_side_mm
from lightfabric.design import group_specs, try_technology
from lightfabric.technologies.registry import LINK_TECHNOLOGIES
from lightfabric.topology.clos import build_fat_tree
from lightfabric.topology.rail_optimized import build_rail_optimized
from lightfabric.topology.scale_up import build_scale_up

from conftest import scenario_text


def run(catalog, text):
    return lightfabric.compare(parse_scenario(text, "t.yaml"), catalog)


# --- topologies by hand -------------------------------------------------------------------------

def test_rail_optimized_counts_by_hand():
    # 100 servers x 8 rails, radix 64, non-blocking: 32 servers per rail group, 4 groups, 4 x 8 = 32
    # rail leaves (a fat-tree needs only ceil(800 / 32) = 25); 32 x 32 uplinks on 16 spines
    tree, per_group = build_rail_optimized(100, 8, 1, 64)
    assert per_group == 32
    assert tree.tiers == 2 and tree.switches_per_tier == (32, 16)
    assert tree.links_per_tier == (800, 1024)
    assert build_fat_tree(800, 64).switches_per_tier[0] == 25
    # 1,024 servers: 32 groups x 8 = 256 leaves > 64, so 3 tiers: 8 pods of 32 leaves, 8 x 32 spines, 8192 / 64 cores
    tree, _ = build_rail_optimized(1024, 8, 1, 64)
    assert tree.switches_per_tier == (256, 256, 128)
    # breakout 2 doubles the servers per group
    tree, per_group = build_rail_optimized(1024, 8, 2, 128)
    assert per_group == 128 and tree.switches_per_tier[0] == 64


def test_nvl72_counts_match_published_figures():
    # NVIDIA: 72 GPUs, 9 NVLink switch trays (18 chips), 1.8 TB/s per GPU as 18 links; the copper
    # spine is quoted at 5,184 cables (1,296 links x 2 lanes x 2 directions)
    su = build_scale_up(72, 72, 14400, 400, 72, 2)
    assert (su.links_per_gpu, su.switch_chips, su.trays, su.gpu_links, su.tiers) == (18, 18, 9, 1296, 1)
    # 576 GPUs in one domain: each plane is a 2-tier tree of 16 leaves (36 down) and 8 spines
    su = build_scale_up(576, 576, 14400, 400, 72, 2)
    assert su.tiers == 2 and su.chips_per_domain == 18 * 24 and su.spine_links == 18 * 16 * 36


def test_nvl72_through_compare_counts_twinax_pairs(catalog):
    text = scenario_text(gpus=72, switch="quantum-x800") + (
        "scale_up: {domain_gpus: 72, bandwidth_per_gpu_gbps: 14400, switch: nvlink5-switch}\n"
        "technology: {scale_up: copper}\n")
    c = run(catalog, text.replace("technologies: [pluggable-dsp, lpo, cpo]\n", ""))
    r = c.result("policy")
    assert r.feasible
    assert r.topology["scale_up"]["twinax_pairs"] == 5184
    assert r.bom["scale_up_switch_chips"] == 18 and r.bom["copper_cables"] == 1296
    sw = catalog.get("nvlink5-switch")
    assert r.power_w["switch_asics"] == pytest.approx(18 * sw.asic_power_w + r.bom["switches"]
                                                      * catalog.get("quantum-x800").asic_power_w)


def test_bandwidth_per_gpu_must_be_whole_links(catalog):
    text = scenario_text(gpus=72, switch="quantum-x800") + (
        "scale_up: {domain_gpus: 72, bandwidth_per_gpu_gbps: 1000, switch: nvlink5-switch}\n")
    with pytest.raises(lightfabric.errors.LightfabricError, match="scale_up.bandwidth_per_gpu_gbps"):
        run(catalog, text)


def test_multi_plane_is_independent_trees(catalog):
    # ConnectX-8 as 2 x 400G over two planes of Tomahawk 5 at 400G (radix 128)
    base = scenario_text(gpus=16384, rate=400).replace("  tiers: auto\n", "  tiers: auto\n  planes: 2\n")
    r = run(catalog, base).result("pluggable-dsp")
    one = build_fat_tree(16384, 128)
    assert r.topology["planes"] == 2
    assert r.topology["switches_per_tier"] == [2 * n for n in one.switches_per_tier]
    assert r.bom["nics"] == 16384
    with pytest.raises(lightfabric.errors.LightfabricError, match="scale_out.planes"):
        run(catalog, base.replace("planes: 2", "planes: 3"))


# --- OCS -----------------------------------------------------------------------------------------

def test_ocs_spine_by_hand(catalog):
    # 512 GB300, Tomahawk 5 at 800G: 16 leaves, 512 leaf-spine links, 8 spines. An OCS spine removes
    # the 8 spines and the 512 spine-end modules; the 512 leaf-end modules stay, through the OCS. Counting
    # the OCS ports their fiber pairs take, a 2 x FR4 module (2 pairs) beats DR8 (8 pairs):
    # 512 x 2 ports / (2 x 136) = 3.76 -> 4 OCS units (DR8 would take 16)
    elec = scenario_text(gpus=512) + "technology: {nic_leaf: pluggable-dsp, leaf_spine: pluggable-dsp}\n"
    ocs = elec.replace("leaf_spine: pluggable-dsp}", "leaf_spine: pluggable-dsp, spine_switch: ocs}")
    e = run(catalog, elec).result("policy")
    o = run(catalog, ocs).result("policy")
    assert e.feasible and o.feasible
    assert o.topology["switches_per_tier"] == [16, 0] and e.topology["switches_per_tier"] == [16, 8]
    assert e.bom["pluggable_modules"] - o.bom["pluggable_modules"] == 512
    leaf_end = next(g for g in o.design.link_groups if g.spec.name == "leaf-spine").lower_end
    uplink = catalog.get(leaf_end.part_id)
    assert uplink.interface == "FR" and leaf_end.fiber_pairs == 2
    assert o.bom["ocs"] == ceil(512 * 2 / (2 * 136)) == 4
    assert o.design.ocs["removed_switches"] == 8 and o.design.ocs["kept_lower_end_optics"] == 512
    check = next(c for c in o.design.link_checks if c["group"] == "leaf-spine")
    assert check["ocs_passes"] == 1
    ocs_part, th5 = catalog.get("palomar-ocs"), catalog.get("tomahawk-5")
    dr8 = catalog.get("osfp-800g-dr8")
    # the electrical design keeps DR8 at both ends; the OCS design drops the spines and their ends and
    # swaps the leaf ends for FR modules
    saved = (8 * (th5.asic_power_w + th5.system_overhead_w) + 512 * dr8.power_w - 4 * ocs_part.power_w
             - 512 * (uplink.power_w - dr8.power_w))
    assert e.power_w["total"] - o.power_w["total"] == pytest.approx(saved)


# --- placement and reach ---------------------------------------------------------------------------

def test_reach_table_from_placement(catalog):
    text = scenario_text(gpus=4096, switch="quantum-x800").replace(
        "  link_length_m: {nic_leaf_m: 15, leaf_spine_m: 60, spine_core_m: 200}\n", "") + (
        "scale_up: {domain_gpus: 512, bandwidth_per_gpu_gbps: 14400, switch: nvlink5-switch}\n"
        "placement: {gpus_per_rack: 64}\n")
    c = run(catalog, text)
    table = {(r["group"], r["technology"]): r for r in c.reach_table()}
    # in-rack: devices spread over a 2.2 m rack to a switch at mid-height, + 0.3 m slack: at most 1.33 m
    assert table[("scale-up", "copper")]["length_m"] == pytest.approx(1.1 * 15 / 16 + 0.3, abs=0.01)
    assert table[("scale-up", "copper")]["feasible"]
    # second tier in the domain's middle rack, 8 racks of 0.6 m: 4 racks away = 2.4 m + 2 x (1.1 + 0.6) + 2
    assert table[("scale-up-spine", "copper")]["length_m"] == pytest.approx(2.4 + 3.4 + 2.0)
    assert not table[("scale-up-spine", "copper")]["feasible"]
    assert "reaches" in table[("scale-up-spine", "copper")]["reason"]
    for tech in ("cpo", "pluggable-dsp"):
        assert table[("scale-up-spine", tech)]["feasible"]
    # the cheapest OIO chiplet feeds 8 lanes per laser (about 379 mW, past its current rating): the
    # next one whose lasers suffice builds the links
    assert table[("scale-up-spine", "oio")]["feasible"]
    # end of row: the far rack is 16 racks away: 15.5 x 0.6 + ... = 9.6 + 3.4 + 2
    assert table[("host-leaf", "copper")]["length_m"] == pytest.approx(9.6 + 3.4 + 2.0)
    assert not table[("host-leaf", "oio")]["feasible"]


def test_copper_policy_beyond_the_rack_is_infeasible_with_reason(catalog):
    path = lightfabric.scenario.loader.default_scenario_path().parents[3] / "examples" / "scale-up-512-copper-limit.yaml"
    c = lightfabric.compare(lightfabric.load_scenario(path), catalog)
    policy = c.result("policy")
    assert not policy.feasible
    assert "scale-up-spine" in policy.reasons[0] and "reaches" in policy.reasons[0]
    assert c.result("cpo").feasible and c.result("oio").feasible
    assert any("passed over" in n for n in c.result("oio").design.notes)


def test_fixed_lengths_override_placement(catalog):
    c = run(catalog, scenario_text(gpus=512))
    assert {g.name: g.length_m for g in c.result("cpo").design.link_groups} == {"host-leaf": 15, "leaf-spine": 60}


# --- policy, list and auto ---------------------------------------------------------------------------

def test_policy_names_each_group_and_list_falls_back(catalog):
    text = scenario_text(gpus=2048) + "technology: {nic_leaf: lpo, leaf_spine: cpo}\n"
    c = run(catalog, text)
    assert [r.technology for r in c.results] == ["policy", "pluggable-dsp", "lpo", "cpo"]
    pol = c.result("policy")
    assert {g.name: (g.technology, g.chosen_by) for g in pol.design.link_groups} == {
        "host-leaf": ("lpo", "policy"), "leaf-spine": ("cpo", "policy")}
    # a mixed leaf: LPO modules down, a share of Bailly engines up (not a whole CPO switch)
    assert pol.bom["optical_engines"] > 0 and pol.bom["pluggable_modules"] > 0


def test_policy_without_list_builds_only_the_policy(catalog):
    text = scenario_text(gpus=512).replace("technologies: [pluggable-dsp, lpo, cpo]\n", "") + "technology: {}\n"
    c = run(catalog, text)
    assert [r.technology for r in c.results] == ["policy"]
    assert all(g.chosen_by == "auto" for g in c.results[0].design.link_groups if g.name != "scale-up")


@settings(max_examples=20, deadline=None)
@given(gpus=st.integers(64, 40000), switch=st.sampled_from(["tomahawk-5", "quantum-x800", "tomahawk-6"]))
def test_invariants(catalog, gpus, switch):
    text = scenario_text(gpus=gpus, switch=switch).replace(
        "technologies: [pluggable-dsp, lpo, cpo]", "technologies: [pluggable-dsp, cpo, copper, ocs]")
    text += "technology: {spine_switch: electrical}\n"
    c = run(catalog, text)
    specs = {s.name: s for s in group_specs(c.plan, ocs_spine=False)}
    for r in c.results:
        if not r.feasible:
            continue
        names = [g.name for g in r.design.link_groups]
        # every link group gets exactly one technology
        assert sorted(names) == sorted(s.name for s in group_specs(c.plan, ocs_spine=r.design.ocs is not None))
        assert all(g.technology in LINK_TECHNOLOGIES for g in r.design.link_groups)
        # auto and the incumbent never build with an infeasible technology
        for g in r.design.link_groups:
            if g.chosen_by in ("auto", "incumbent"):
                assert try_technology(c.plan, g.spec, g.technology)[2] is None
        assert all(chk["feasible"] for chk in r.design.link_checks)
    # switching the electrical spine to OCS never adds switches; it adds transceivers or engines only where
    # the uplinks into the OCS took optics of fewer fiber pairs (each pair takes OCS ports)
    elec, ocs = c.result("policy"), c.result("ocs")
    if elec.feasible and ocs.feasible and elec.topology["tiers"] > 1:
        assert ocs.topology["switches"] < elec.topology["switches"]
        more = (ocs.bom["pluggable_modules"] > elec.bom["pluggable_modules"]
                or ocs.bom["optical_engines"] > elec.bom["optical_engines"])
        if more:
            top = ocs.design.ocs["group"]
            pairs = {r.technology: next(g for g in r.design.link_groups if g.spec.name == top).lower_end.fiber_pairs
                     for r in (elec, ocs)}
            assert pairs["ocs"] < pairs["policy"]
    assert specs["host-leaf"].links == c.plan.attachment.nic_links


# --- density -----------------------------------------------------------------------------------------

def test_density_against_the_article_and_a_hand_calculation(catalog):
    d = density_report(catalog)["technologies"]
    # seed article: 1.6T modules give 51.2 Tb/s per 1U panel, 3.2T modules 102.4 Tb/s
    assert d["pluggable-dsp"]["tbps_per_rack_unit"] == 51.2 and d["pluggable-dsp"]["tbps_per_rack_unit_ceiling"] == 102.4
    # the largest pluggable box: Quantum-X800 Q3400, 72 twin-port cages of 1.6T in 4 RU = 115.2 Tb/s
    q = catalog.get("quantum-x800")
    assert d["pluggable-dsp"]["ceiling_box"] == "quantum-x800"
    assert d["pluggable-dsp"]["max_switch_capacity_tbps"] == pytest.approx(q.cages * 1.6) == 115.2
    lpo_top = max(m.rate_gbps for m in catalog.of_kind(PluggableModule) if m.technology == "lpo")
    assert d["lpo"]["tbps_per_rack_unit_ceiling"] == pytest.approx(32 * lpo_top / 1000)
    assert d["cpo"]["max_switch_capacity_tbps"] > d["pluggable-dsp"]["max_switch_capacity_tbps"]
    # Tomahawk 5: 9,352 balls at 0.9 mm on a hexagonal grid
    side = sqrt(9352 * 0.81 * sqrt(3) / 2)
    assert package_side_mm() == pytest.approx(side) and side == pytest.approx(81.0, abs=0.2)
    assert d["pluggable-dsp"]["shoreline_tbps_per_mm"] == pytest.approx(51.2 / (4 * side), abs=1e-3)
    assert d["cpo"]["shoreline_tbps_per_mm"] == pytest.approx(0.2 / 0.254, abs=1e-3)
    for t in d.values():
        assert {"max_switch_capacity_tbps", "ports_per_rack_unit"} <= set(t)
    assert d["oio"]["shoreline_tbps_per_mm"] > d["cpo"]["shoreline_tbps_per_mm"] > d["copper"]["shoreline_tbps_per_mm"]
