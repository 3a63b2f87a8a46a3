"""InfraGraph in (issue 24 item 2): ``scale_out.topology: infragraph`` reads any InfraGraph file as a
registered topology. Counts by hand on a tiny hand-made graph; the numpy expansion against
InfraGraph's own service (a second, independent method); fat-tree exports read back with the same
counts, power and cost; the packaged dragonfly through every command; bad input named."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest
import yaml

import lightfabric
from lightfabric import parse_scenario
from lightfabric.errors import LightfabricError
from lightfabric.examples_index import example_scenarios
from lightfabric.interop.infragraph import write
from lightfabric.netsim.collectives import closed_form, simulated
from lightfabric.netsim.topo import topo_of
from lightfabric.topology.infragraph_file import expanded_links, read_graph

from test_cli import lf

# 4 boxes of 2 XPUs, each XPU with its own NIC; two leaves of 4 host ports; one spine; every link
# 800G. Leaf i takes boxes 2i and 2i+1; each leaf has two uplinks to the spine.
HAND = {
    "name": "hand",
    "devices": [
        {"name": "box", "components": [{"name": "xpu", "count": 2, "choice": "xpu"},
                                       {"name": "nic", "count": 2, "choice": "nic"}],
         "links": [{"name": "pcie"}],
         "edges": [{"ep1": {"component": "xpu[0:2]"}, "ep2": {"component": "nic[0:2]"}, "scheme": "one2one",
                    "link": "pcie"}]},
        {"name": "sw", "components": [{"name": "asic", "count": 1, "choice": "switch"},
                                      {"name": "port", "count": 8, "choice": "port"}],
         "links": [{"name": "ic"}],
         "edges": [{"ep1": {"component": "asic"}, "ep2": {"component": "port"}, "scheme": "many2many",
                    "link": "ic"}]},
    ],
    "links": [{"name": "nic-link", "physical": {"bandwidth": {"gigabits_per_second": 800}}},
              {"name": "up-link", "physical": {"bandwidth": {"gigabits_per_second": 800}}}],
    "instances": [{"name": "box", "device": "box", "count": 4}, {"name": "leaf", "device": "sw", "count": 2},
                  {"name": "spine", "device": "sw", "count": 1}],
    "edges": [
        {"ep1": {"instance": "box[0:2]", "component": "nic"}, "ep2": {"instance": "leaf[0]", "component": "port[0:4]"},
         "scheme": "one2one", "link": "nic-link"},
        {"ep1": {"instance": "box[2:4]", "component": "nic"}, "ep2": {"instance": "leaf[1]", "component": "port[0:4]"},
         "scheme": "one2one", "link": "nic-link"},
        {"ep1": {"instance": "leaf[0]", "component": "port[4:6]"}, "ep2": {"instance": "spine[0]",
                                                                           "component": "port[0:2]"},
         "scheme": "one2one", "link": "up-link"},
        {"ep1": {"instance": "leaf[1]", "component": "port[4:6]"}, "ep2": {"instance": "spine[0]",
                                                                           "component": "port[2:4]"},
         "scheme": "one2one", "link": "up-link"},
    ],
}
SCENARIO = """
name: hand-graph
cluster: {{gpus: {gpus}, gpu: gb300, gpus_per_server: 2}}
scale_out: {{topology: infragraph, graph: {graph}, switch: tomahawk-5, port_rate_gbps: 800, nic: connectx-8}}
technologies: [pluggable-dsp, cpo]
"""
DRAGONFLY = example_scenarios()["dragonfly-infragraph"]


def _write(tmp_path, graph: dict, name: str = "g.json", gpus: int = 8):
    (tmp_path / name).write_text(json.dumps(graph))
    sc = tmp_path / "sc.yaml"
    sc.write_text(SCENARIO.format(gpus=gpus, graph=name))
    return sc


def test_hand_made_graph_counts_by_hand(tmp_path):
    sc = lightfabric.load_scenario(_write(tmp_path, HAND))
    c = lightfabric.compare(sc)
    f = c.plan.fabric
    assert f.devices() == {"gpu": 8, "nic": 8, "leaf": 2, "spine": 1}
    host, up = f.group("nic-link"), f.group("up-link")
    assert (host.links, host.upper_ends, host.policy_key, host.rate_gbps, host.lower, host.upper) == \
        (8, 8, "nic_leaf", 800.0, "nic", "leaf")
    assert (up.links, up.policy_key, up.lower, up.upper) == (4, "leaf_spine", "leaf", "spine")
    # a leaf takes its 4 GPUs; the spine is a cut vertex: without it one leaf's 4 GPUs are cut off
    assert f.tier("leaf").gpus_cut == 4 and f.tier("spine").gpus_cut == 4
    assert f.first_switch_gpus == 4 and f.summary["switches_per_tier"] == [2, 1]
    assert f.summary["ports_used"] == 8 + 2 * 4 and f.tier("spine").ocs_replaceable
    r = c.result("pluggable-dsp")
    modules = sum(line.count for line in r.design.bom if line.role.endswith(("lower end", "upper end")))
    assert modules == 2 * 8 + 2 * 4
    # the all-to-all of 8 GPUs: 16 flows cross each leaf's two uplinks (1.6 Tb/s), more than a GPU's 7
    # flows on its 800G link: the closed form is the uplinks' 16 b / 1.6 Tb/s; the simulation agrees
    topo = topo_of(r.design)
    size = 8e6
    b = size / 8
    cf = closed_form(topo, "all-to-all", "direct", np.arange(8), size)
    assert cf.phases[0]["beta_s"] == pytest.approx(16 * b * 8 / 1.6e12, rel=1e-12)
    sim = simulated(topo.build_graph(), "all-to-all", "direct", np.arange(8), size)
    assert sim.time_s == pytest.approx(cf.time_s, rel=0.02)
    # routing: a flow between leaves crosses host link, leaf uplink, spine downlink, host link
    g = topo.build_graph()
    path = g.route([0], [7])[0]
    assert [g.kind_names[g.kind[x]] for x in path if x >= 0] == ["gpu-switch", "switch-switch up",
                                                                  "switch-switch down", "switch-gpu"]
    # each leaf's two uplinks are one bundle, the plane's only path: not offered to fail
    assert len(g.failable_up) == 0


def test_the_numpy_expansion_is_infragraphs_own(tmp_path):
    """Two graphs expanded both ways: the hand-made one (with a many2many breakout edge and a nested
    device) and the dragonfly of infragraph's own blueprint (a = 4): the same links."""
    import infragraph
    from infragraph.blueprints.devices.generic.generic_switch import Switch
    from infragraph.blueprints.devices.generic.server import Server
    from infragraph.blueprints.fabrics.dragonfly_fabric import DragonflyFabric
    from infragraph.infragraph_service import InfraGraphService

    hand = copy.deepcopy(HAND)
    hand["devices"].append({"name": "card", "components": [{"name": "port", "count": 2, "choice": "port"}],
                            "links": [], "edges": []})
    hand["devices"][1]["components"].append({"name": "card", "count": 2, "choice": "device"})
    hand["edges"].append({"ep1": {"instance": "spine[0]", "component": "card[0:2].port[0]"},
                          "ep2": {"instance": "leaf[0:2]", "component": "port[6]"}, "scheme": "many2many",
                          "link": "up-link"})
    blueprint = DragonflyFabric(Switch(port_count=16), Server(), 4, 2, 2, bandwidth=[400, 400, 400])
    for name, data in (("hand.json", hand), ("df.json", json.loads(blueprint.serialize(encoding="json")))):
        (tmp_path / name).write_text(json.dumps(data))
        mine = expanded_links(read_graph(tmp_path / name))
        infra = infragraph.Infrastructure()
        infra.deserialize(data)
        service = InfraGraphService()
        service.set_graph(infra)
        theirs = {(*sorted((u, v)), d["link"]) for u, v, d in service.get_networkx_graph().edges(data=True)
                  if u.split(".")[:2] != v.split(".")[:2]}
        assert mine == theirs and len(mine) == (16 if name == "hand.json" else 36 * 2 + 9 * 6 + 36)


def _fat_tree_examples() -> list[tuple[str, int | None]]:
    """Every example whose scale-out is a fat-tree, with a size that keeps the test quick (None: full size)."""
    out = []
    for name, path in example_scenarios().items():
        sc = lightfabric.load_scenario(path)
        if sc.scale_out.topology == "fat-tree":
            out.append((name, None if sc.cluster.gpus <= 1024 else 1152 if sc.scale_up else 1024))
    return out


@pytest.mark.parametrize("name,gpus", _fat_tree_examples())
def test_a_fat_tree_export_reads_back_the_same(tmp_path, name, gpus):
    sc = lightfabric.load_scenario(example_scenarios()[name])
    if gpus is not None:
        sc = sc.with_changes({"cluster.gpus": gpus})
    c = lightfabric.compare(sc)
    design = next(r.design for r in c.results if r.feasible and r.design.ocs is None)
    out = tmp_path / ("fabric.yaml" if gpus is None else "fabric.json")
    write(design, out, "yaml" if gpus is None else "json")
    back = lightfabric.compare(sc.with_changes({"scale_out.topology": "infragraph", "scale_out.graph": str(out)}))
    f1, f2 = c.plan.fabric, back.plan.fabric
    assert f2.topology == "infragraph"
    assert [(t.name, t.count, t.part.id if t.part else None) for t in f1.tiers] == \
        [(t.name, t.count, t.part.id if t.part else None) for t in f2.tiers]
    assert [t.gpus_cut for t in f1.switch_tiers] == [t.gpus_cut for t in f2.switch_tiers]
    key = [(g.name, g.policy_key, g.links, g.upper_ends, g.rate_gbps, g.breakout, g.shuffles) for g in f1.groups]
    assert key == [(g.name, g.policy_key, g.links, g.upper_ends, g.rate_gbps, g.breakout, g.shuffles) for g in f2.groups]
    assert {k: v.as_dict() for k, v in f1.lengths.items()} == {k: v.as_dict() for k, v in f2.lengths.items()}
    assert [r.technology for r in c.results] == [r.technology for r in back.results]
    for a, b in zip(c.results, back.results):
        assert a.feasible == b.feasible, a.technology
        if a.feasible:
            assert b.power_w == pytest.approx(a.power_w, rel=1e-12), a.technology
            assert b.capex_usd == pytest.approx(a.capex_usd, rel=1e-12), a.technology
            assert b.capex_usd_by_category == pytest.approx(a.capex_usd_by_category, rel=1e-12), a.technology


def test_without_annotations_the_graph_is_placed(tmp_path):
    """The same export without its annotation: the counts hold, lengths come from placing every device
    (said in the notes), and switches are the scenario's."""
    sc = lightfabric.load_scenario(example_scenarios()["h100-1k-400g-lpo"])
    c = lightfabric.compare(sc)
    out = tmp_path / "bare.json"
    write(c.result("lpo").design, out, "json")
    (tmp_path / "bare.annotations.json").unlink()
    back = lightfabric.compare(sc.with_changes({"scale_out.topology": "infragraph", "scale_out.graph": str(out)}))
    f = back.plan.fabric
    assert [g.links for g in f.groups] == [g.links for g in c.plan.fabric.groups]
    notes = " ".join(f.notes)
    assert "from placing every device" in notes and "scale_out.switch (tomahawk-5)" in notes
    # placed, a leaf's hosts are within its row: every host link under the 15 m the example's end-of-row gives
    assert 5 < f.lengths["host-leaf"].max_m <= c.plan.fabric.lengths["host-leaf"].max_m + 1e-9


def test_the_dragonfly_runs_every_command(tmp_path):
    """The packaged dragonfly of infragraph's blueprint (33 groups of 8 routers, 1,056 GPUs) through every
    command of the CLI, in-process."""
    ex = str(DRAGONFLY)
    p = lf("compare", ex, "--format", "json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["inputs"]["topology"] == "infragraph"
    row = out["results"][0]
    assert row["topology"]["switches_per_tier"] == [264] and row["topology"]["links_per_tier"] == [1056, 924, 528]
    model = str(DRAGONFLY.parent / "models" / "dense-405b.yaml")
    for args in (("reliability", "--trials", "2", "--horizon-days", "5"), ("economics",),
                 ("collective", "--op", "all-reduce", "--size-bytes", "1e8"),
                 ("step", "--model", model, "--plan", "tp=4,pp=4"),
                 ("report", "-o", str(tmp_path / "r.html"), "--trials", "2"),
                 ("export", "astra-sim", "-t", "cpo", "-o", str(tmp_path / "astra"))):
        cmd = list(args)
        if cmd[0] == "export":
            cmd.insert(2, ex)
        else:
            cmd.insert(1, ex)
        p = lf(*cmd)
        assert p.returncode == 0, (args, p.stderr)
    assert (tmp_path / "astra" / "network.yml").is_file()
    p = lf("collective", ex, "--op", "all-to-all", "--gpus", "128", "--size-bytes", "1e7", "--simulate",
           "--format", "json")
    assert p.returncode == 0, p.stderr
    for r in json.loads(p.stdout)["results"]:
        assert r["simulated"]["time_s"] == pytest.approx(r["closed_form"]["time_s"], rel=0.1)


def _bad(graph):
    g = copy.deepcopy(HAND)
    graph(g)
    return g


BAD = [
    ("annotation", lambda g: g.clear() or g.update({"graph": [], "links": []}), "not an InfraGraph infrastructure"),
    ("unknown instance", lambda g: g["edges"][3]["ep2"].update(instance="spyne[0]"), "edges[3].ep2.instance"),
    ("unknown component", lambda g: g["edges"][0]["ep1"].update(component="nik"), "edges[0].ep1.component"),
    ("index out of range", lambda g: g["edges"][1]["ep2"].update(instance="leaf[5]"), "an index from 0 to 1"),
    ("no bandwidth", lambda g: g["links"][1].pop("physical"), "links[1].physical.bandwidth"),
    ("no hosts", lambda g: g["devices"][0]["components"][0].update(choice="cpu"), "no hosts"),
    ("disconnected", lambda g: g["edges"].pop(3), "a connected graph"),
    ("lengths differ", lambda g: g["edges"][0]["ep2"].update(component="port[0:3]"), "silently drop"),
    ("too large", lambda g: g["edges"].append({"ep1": {"instance": "box", "component": "nic"},
                                               "ep2": {"instance": "big", "component": "port"},
                                               "scheme": "many2many", "link": "up-link"})
     or g["instances"].append({"name": "big", "device": "sw", "count": 300_000}), "at most 2,000,000 links"),
    ("GPUs", None, "cluster.gpus: got 16"),
]


@pytest.mark.parametrize("case,change,needle", BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_named(tmp_path, case, change, needle):
    sc = _write(tmp_path, _bad(change) if change else HAND, gpus=16 if case == "GPUs" else 8)
    p = lf("compare", str(sc))
    assert p.returncode == 2 and needle in p.stderr, p.stderr
    assert "Traceback" not in p.stderr and (case == "GPUs" or "g.json" in p.stderr)


def test_bad_files_and_keys(tmp_path):
    # YAML aliases are refused by the project's safe loader; a missing file and a missing key are named
    text = yaml.safe_dump(HAND).replace("name: nic-link", "name: &a nic-link", 1)
    text = text.replace("link: nic-link", "link: *a", 1)
    (tmp_path / "g.yaml").write_text(text)
    sc = tmp_path / "sc.yaml"
    sc.write_text(SCENARIO.format(gpus=8, graph="g.yaml"))
    p = lf("compare", str(sc))
    assert p.returncode == 2 and "anchors and aliases" in p.stderr
    sc.write_text(SCENARIO.format(gpus=8, graph="missing.json"))
    p = lf("compare", str(sc))
    assert p.returncode == 2 and "scale_out.graph" in p.stderr and "not found" in p.stderr
    with pytest.raises(LightfabricError) as e:
        lightfabric.compare(parse_scenario(SCENARIO.format(gpus=8, graph="x").replace(", graph: x", ""), "s.yaml"))
    assert e.value.field == "scale_out.graph"
    # the web API reads no graph file but the packaged example's
    from fastapi.testclient import TestClient

    from lightfabric.web.app import create_app
    client = TestClient(create_app())
    r = client.post("/api/compare", json={"yaml": SCENARIO.format(gpus=8, graph=str(tmp_path / "g.yaml"))})
    assert r.status_code == 422 and "reads no files" in r.text
