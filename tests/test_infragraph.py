"""InfraGraph out (issue 24): a fat-tree design written with the infragraph package's API, expanded by
infragraph's own service, has the fabric's devices and links, each port used once, and annotations
with the parts the design chose."""

from __future__ import annotations

import collections

import pytest

import lightfabric
from lightfabric import parse_scenario
from lightfabric.errors import LightfabricError
from lightfabric.interop.infragraph import infrastructure, networkx_graph

# three tiers on 288 GPUs: leaves of 4 host ports (Tomahawk 5, radix 64); two planes of ConnectX-8
# 2 x 400G; 400G ConnectX-7 NICs two to an 800G port (breakout). Small: infragraph's own expansion is
# pure Python and takes seconds for a few thousand links.
THREE_TIER = """
name: ig-three-tier
cluster: {gpus: 288, gpu: gb300, gpus_per_server: 4}
scale_out: {switch: tomahawk-5, port_rate_gbps: 800, nic: connectx-8, leaf_host_ports: 4}
technologies: [pluggable-dsp]
"""
TWO_PLANES = """
name: ig-two-planes
cluster: {gpus: 256, gpu: gb300, gpus_per_server: 4}
scale_out: {switch: tomahawk-5, port_rate_gbps: 400, nic: connectx-8, planes: 2}
technologies: [cpo]
"""
BREAKOUT = """
name: ig-breakout
cluster: {gpus: 256, gpu: h100, gpus_per_server: 8}
scale_out: {switch: tomahawk-5, port_rate_gbps: 800, nic: connectx-7}
technologies: [pluggable-dsp]
"""


def _expanded(text_or_path):
    sc = parse_scenario(text_or_path, "ig.yaml") if "\n" in text_or_path else lightfabric.load_scenario(text_or_path)
    c = lightfabric.compare(sc)
    r = next(x for x in c.results if x.feasible)
    infra, annotation = infrastructure(r.design)
    return c, r, infra, annotation, networkx_graph(infra)


@pytest.mark.parametrize("source", [THREE_TIER, TWO_PLANES, BREAKOUT])
def test_the_expanded_graph_is_the_fabric(source):
    c, r, infra, annotation, G = _expanded(source)
    fabric = c.plan.fabric
    assert fabric.summary["tiers"] == (3 if source is THREE_TIER else 2)
    assert c.plan.planes == (2 if source is TWO_PLANES else 1)
    assert c.plan.attachment.breakout == (2 if source is BREAKOUT else 1)
    links = collections.Counter(d["link"] for _, _, d in G.edges(data=True))
    for g in fabric.groups:
        if not g.scale_up:
            assert links[g.name] == g.links, g.name
    instances = {i.name: i.count for i in infra.instances}
    for t in fabric.switch_tiers:
        assert instances[t.name] == t.count
    # every NIC port carries exactly one link (its PCIe edge besides); no switch port more than its breakout
    b = c.plan.attachment.breakout
    for node in G.nodes:
        if ".nic." in node:
            assert G.degree(node) == 2, node
        elif ".port." in node:
            assert G.degree(node) <= 1 + max(b, 1), node
    # compact: far fewer edge objects than links
    assert len(infra.edges) <= sum(g.links for g in fabric.groups if not g.scale_up) / 2
    # what InfraGraph has no field for is annotated, from the design
    ann = {link.name: {a.attribute: a.value for a in link.attributes} for link in annotation.links}
    for g in r.design.link_groups:
        if g.spec.scale_up:
            continue
        assert ann[g.name]["technology"] == g.technology and ann[g.name]["lower_end_part"] == g.lower_end.part_id
    bandwidth = {link.name: link.physical.bandwidth.gigabits_per_second for link in infra.links if link.name in ann}
    assert bandwidth == {g.name: g.rate_gbps for g in fabric.groups if not g.scale_up}


def test_what_infragraph_cannot_express_is_refused():
    sc = lightfabric.load_scenario("examples/rail-only-gb300-37k.yaml")
    r = next(x for x in lightfabric.compare(sc).results if x.feasible)
    with pytest.raises(LightfabricError) as e:
        infrastructure(r.design)
    assert e.value.field == "scale_out.topology" and "fat-tree" in str(e.value)
    sc = lightfabric.load_scenario("examples/gb300-nvl72-64k-ocs.yaml")
    ocs = next(x for x in lightfabric.compare(sc).results if x.feasible and x.design.ocs is not None)
    with pytest.raises(LightfabricError) as e:
        infrastructure(ocs.design)
    assert e.value.field == "--technology"


def test_the_cli_writes_files_infragraph_reads_back(tmp_path):
    """`lightfabric export infragraph` writes YAML and JSON that the infragraph package deserializes and
    expands to the same links; bad input exits 2 naming the option."""
    import infragraph

    from test_cli import lf
    sc = tmp_path / "two.yaml"
    sc.write_text(TWO_PLANES)
    c = lightfabric.compare(parse_scenario(TWO_PLANES, "two.yaml"))
    want = {g.name: g.links for g in c.plan.fabric.groups if not g.scale_up}
    for suffix in (".yaml", ".json"):
        out = tmp_path / f"fabric{suffix}"
        r = lf("export", "infragraph", str(sc), "-t", "cpo", "-o", str(out))
        assert r.returncode == 0, r.stderr
        infra = infragraph.Infrastructure()
        infra.deserialize(out.read_text())
        G = networkx_graph(infra)
        links = collections.Counter(d["link"] for _, _, d in G.edges(data=True))
        assert {k: links[k] for k in want} == want
        ann = infragraph.Annotation()
        ann.deserialize((tmp_path / f"fabric.annotations{suffix}").read_text())
        assert {a.attribute: a.value for a in ann.graph}["design"] == "cpo"
    for args, needle in ((["-t", "nope", "-o", "f.yaml"], "--technology"), (["-t", "cpo", "-o", "f.txt"], "--output")):
        r = lf("export", "infragraph", str(sc), *args)
        assert r.returncode == 2 and needle in r.stderr


def test_the_scenarios_per_tier_policy_design_exports_as_astra_sim_does(tmp_path):
    """`-t policy` names the scenario's own per-tier design (the Llama 3-like example's); the
    InfraGraph export refused it, as a technology it does not know, while `export astra-sim` took it."""
    import infragraph

    from test_cli import lf
    out = tmp_path / "llama.json"
    r = lf("export", "infragraph", "h100-16k-llama3-like", "-t", "policy", "-o", str(out))
    assert r.returncode == 0, r.stderr
    ann = infragraph.Annotation()
    ann.deserialize((tmp_path / "llama.annotations.json").read_text())
    assert {a.attribute: a.value for a in ann.graph}["design"] == "policy"
    r = lf("export", "astra-sim", "h100-16k-llama3-like", "-t", "policy", "-o", str(tmp_path / "as"))
    assert r.returncode == 0, r.stderr
    r = lf("export", "infragraph", "h100-16k-llama3-like", "-t", "polcy", "-o", str(out))
    assert r.returncode == 2 and "--technology" in r.stderr and "policy" in r.stderr
