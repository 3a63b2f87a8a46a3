"""Every registered topology x every registered technology x every command, on a small cluster
(gdsfactory style: a new topology or technology is tested here for free), with the counts checked
against hand formulas where one exists."""

from __future__ import annotations

import json
from math import ceil

import numpy as np
import pytest

import lightfabric
from lightfabric import parse_scenario
from lightfabric.economics import economics, sensitivity_report, value_chain
from lightfabric.netsim.run import collective_report, step_report
from lightfabric.reliability import assess
from lightfabric.report.html import gather
from lightfabric.technologies.registry import DESIGN_CHOICES, LINK_TECHNOLOGIES, REGISTRY
from lightfabric.topology.registry import TOPOLOGIES, TOPOLOGY_NAMES

from test_cli import lf

ROOT = lightfabric.scenario.loader.default_scenario_path().parents[3]
# 8 NVL72 domains of GB300 (576 GPUs), ConnectX-8 at 800G on Tomahawk 5 (radix 64)
SMALL = """
name: registry-{topology}
cluster: {{gpus: 576, gpu: gb300, gpus_per_server: 4}}
scale_up: {{domain_gpus: 72, bandwidth_per_gpu_gbps: 14400, switch: nvlink5-switch}}
scale_out: {{topology: {topology}, switch: tomahawk-5, port_rate_gbps: 800, nic: connectx-8{extra}}}
technologies: [{technologies}]
"""


def small_text(topology: str, technologies: str) -> str:
    """The small cluster on ``topology``, with the scale_out keys the topology asks for at this size
    (or the topology's own small scenario: a torus of TPU chips)."""
    own = TOPOLOGIES[topology].small_cluster_scenario
    if own is not None:
        return own.format(technologies=technologies)
    extra = "".join(f", {k}: {v}" for k, v in TOPOLOGIES[topology].small_cluster_keys.items())
    return SMALL.format(topology=topology, technologies=technologies, extra=extra)


def small(topology: str) -> lightfabric.Scenario:
    return parse_scenario(small_text(topology, ", ".join(DESIGN_CHOICES)), "small.yaml")


@pytest.fixture(scope="module", params=TOPOLOGY_NAMES)
def case(request, catalog):
    sc = small(request.param)
    return request.param, sc, lightfabric.compare(sc, catalog)


def test_every_registered_technology_and_design_is_built(case):
    topology, sc, c = case
    assert [r.technology for r in c.results] == list(DESIGN_CHOICES)
    for r in c.results:
        if r.feasible:
            assert r.power_w["total"] > 0 and r.capex_usd > 0
            assert {g.name for g in r.design.link_groups} == {g.name for g in c.plan.fabric.groups} \
                or r.design.ocs is not None
            assert all(chk["checked"] for chk in r.design.link_checks)
        else:
            assert r.reasons, f"{r.technology} infeasible without a reason"
    # at least the pluggable design builds on every topology, and the co-packaged one wherever there
    # are switches to co-package with (a torus's chips carry no CPO engines: its column says so)
    assert c.result("pluggable-dsp").feasible
    if TOPOLOGIES[topology].switched:
        assert c.result("cpo").feasible
    else:
        assert not c.result("cpo").feasible and "package has no cpo engine" in " ".join(c.result("cpo").reasons)


def _tree_by_hand(host_ports: int, k: int = 64) -> tuple[int, int, int]:
    """(leaves, spines, leaf-spine links) of a non-blocking tree of radix k: d = u = k/2."""
    if host_ports <= k:
        return 1, 0, 0
    leaves = ceil(host_ports / (k // 2))
    return leaves, ceil(leaves * (k // 2) / k), leaves * (k // 2)


def test_counts_by_hand(case):
    topology, sc, c = case
    f = c.plan.fabric
    r = c.result("pluggable-dsp")
    per_tier = r.topology["switches_per_tier"]
    if topology == "fat-tree":
        leaves, spines, up = _tree_by_hand(576)                      # 18 leaves, 9 spines, 576 uplinks
        assert per_tier == [leaves, spines] and f.group("leaf-spine").links == up
    elif topology == "rail-optimized":
        # 144 servers x 4 rails; a rail group is 32 servers: 5 groups (the last of 16) x 4 rail leaves
        assert per_tier[0] == ceil(144 / 32) * 4 == 20
        assert f.group("host-leaf").upper_ends == 4 * (4 * 32 + 16)
        assert per_tier[1] == ceil(20 * 32 / 64)
    elif topology == "rail-only":
        # 72 rails (GPU ranks), each joining the 8 domains' GPUs of its rank on one switch
        assert per_tier == [72] and f.group("host-rail").links == 576 and "rail-spine" not in f.summary
    elif topology == "direct-connect":
        # leaves of 8 host ports and 8 uplinks: 72 leaves in blocks of 32, 32 and 8, each with 8 spines;
        # a block's uplinks are its leaves' uplinks, all of them in circuits
        assert per_tier[:2] == [72, 3 * 8] and f.summary["blocks"] == 3
        assert f.detail.circuits.sum(axis=1).tolist() == [32 * 8, 32 * 8, 8 * 8]
    elif topology == "torus":
        # 8 cubes of 4x4x4: 144 links inside a cube, 96 face ends; one OCS for each of the 48 face
        # positions (16 ends each, one fiber pair a module: 1.6T or 800G FR/DR parts all fit one unit)
        assert f.group("in-cube").links == 8 * 144 and f.group("cube-faces").links == 8 * 96
        assert r.design.ocs["ocs_units"] == 48 * r.design.link_groups[1].lower_end.fiber_pairs
        assert f.summary["spare_cubes"] == 2
    # a pluggable design: one module at each end of every scale-out link (no breakout here); a link
    # into a circuit-switched core has none at its upper end (the OCS passes light through)
    scale_up = tuple(g.name + " " for g in f.groups if g.scale_up)
    modules = sum(line.count for line in r.design.bom
                  if line.role.endswith(("lower end", "upper end")) and not line.role.startswith(scale_up))
    circuit_top = f.top_tier.name if f.summary.get("circuit_switched_core") else None
    assert modules == sum(g.links + (0 if g.upper == circuit_top else g.upper_ends) for g in f.groups if not g.scale_up)
    # every switch of every tier is in the bill of materials once
    switches = sum(t.count for t in f.switch_tiers)
    assert sum(line.count for line in r.design.bom if line.role == "scale-out switches") == switches


COMMANDS = {
    "reliability": lambda sc: assess(sc, trials=4, horizon_days=5)["results"],
    "economics": lambda sc: economics(sc)["results"],
    "valuechain": lambda sc: value_chain(sc)["results"],
    # CPO against pluggables where there are switches; a torus has none: copper against pluggables
    "sensitivity": lambda sc: [sensitivity_report(sc, versus=("cpo" if TOPOLOGIES[sc.scale_out.topology].switched
                                                              else "copper", "pluggable-dsp"))["tornado"]],
    "collective": lambda sc: collective_report(sc, op="all-reduce", size_bytes=1e8, gpus=144)["results"],
    "collective-simulated": lambda sc: collective_report(sc, op="all-to-all", size_bytes=1e7, gpus=144,
                                                         simulate=True)["results"],
    "step": lambda sc: step_report(sc, model_path=str(ROOT / "examples" / "models" / "dense-405b.yaml"),
                                   plan="tp=8,pp=4", simulate=False)["results"],
    "report": lambda sc: [gather(sc, trials=4, horizon_days=5)],
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("topology", TOPOLOGY_NAMES)
def test_every_command_runs_on_every_topology(topology, command):
    rows = COMMANDS[command](small(topology))
    assert rows
    if command == "report":
        sections = rows[0]
        assert all("error" not in sections[s] for s in ("comparison", "reliability", "economics", "collectives"))
        return
    if command == "sensitivity":
        assert rows[0]["rows"] and rows[0]["versus"]
        return
    feasible = [r for r in rows if r.get("feasible", True)]
    assert feasible
    for r in feasible:
        if command.startswith("collective"):
            assert r["time_s"] > 0 and np.isfinite(r["busbw_gbps"])


def test_simulation_equals_closed_form_on_each_topology():
    """A ring within one rail of GPUs (same rank in every domain) is non-blocking everywhere: the
    simulator and the closed form agree on every topology."""
    for name in TOPOLOGY_NAMES:
        rep = collective_report(small(name), op="all-reduce", size_bytes=1e8, simulate=True)
        for r in rep["results"]:
            if r["feasible"] and r["technology"] in ("pluggable-dsp", "cpo"):
                assert r["simulated"]["time_s"] == pytest.approx(r["closed_form"]["time_s"], rel=0.02), name


def test_cli_compare_and_simulated_collective_on_every_topology(tmp_path):
    for name in TOPOLOGY_NAMES:
        path = tmp_path / f"{name}.yaml"
        path.write_text(small_text(name, "pluggable-dsp, cpo"))
        p = lf("compare", str(path), "--format", "json")
        assert p.returncode == 0, p.stderr
        assert json.loads(p.stdout)["inputs"]["topology"] == name
        p = lf("collective", str(path), "--op", "all-to-all", "--gpus", "144", "--size-bytes", "1e6", "--simulate")
        assert p.returncode == 0, p.stderr


def test_registries_feed_every_list():
    from lightfabric.plots.style import colour
    from lightfabric.scenario.models import ScaleOut, Scenario
    from lightfabric.web.app import create_app
    from fastapi.testclient import TestClient
    assert set(Scenario.model_fields["technologies"].annotation.__args__[0].__args__) == set(DESIGN_CHOICES)
    assert set(ScaleOut.model_fields["topology"].annotation.__args__) == set(TOPOLOGY_NAMES)
    assert len({colour(t) for t in DESIGN_CHOICES}) == len(DESIGN_CHOICES)
    client = TestClient(create_app())
    assert [t["id"] for t in client.get("/api/technologies").json()] == list(DESIGN_CHOICES)
    assert [t["name"] for t in client.get("/api/topologies").json()] == list(TOPOLOGY_NAMES)
    p = lf("link", "--help")
    assert all(t in p.stdout for t in LINK_TECHNOLOGIES)
    for t in REGISTRY.values():
        assert t.label and t.repair_unit("switch").startswith("fru-")
    for topo in TOPOLOGIES.values():
        assert topo.label and topo.reference
