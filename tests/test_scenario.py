"""Scenario files: the default, the examples, the documented schema and every kind of bad input."""

import re
import typing
from pathlib import Path

import pytest

import lightfabric
from lightfabric import load_scenario, parse_scenario
from lightfabric.errors import CatalogError, ScenarioError
from lightfabric.scenario.loader import check_parts
from lightfabric.scenario.models import Scenario

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def test_default_scenario_compares_all_three(catalog):
    c = lightfabric.compare(load_scenario(), catalog)
    assert [r.technology for r in c.results] == ["pluggable-dsp", "lpo", "cpo"]
    assert all(r.feasible for r in c.results)
    for r in c.results:
        assert r.power_w["total"] > 0 and r.capex_usd > 0 and r.capex_energy_usd > r.capex_usd


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_examples_run(path, catalog):
    c = lightfabric.compare(load_scenario(path), catalog)
    assert any(r.feasible for r in c.results)


def test_there_are_examples():
    assert len(EXAMPLES) >= 2


def _keys(model, prefix=""):
    out = []
    for name, f in model.model_fields.items():
        out.append(prefix + name)
        anns = typing.get_args(f.annotation) or (f.annotation,)
        for ann in anns:
            if isinstance(ann, type) and issubclass(ann, lightfabric.scenario.models.BaseModel):
                out += _keys(ann, prefix + name + ".")
    return out


def test_docs_describe_every_schema_key():
    doc = (ROOT / "docs" / "scenario.md").read_text()
    documented = set(re.findall(r"^\| `([a-z_.]+)` \|", doc, flags=re.M))
    assert documented == set(_keys(Scenario))


BAD = [
    ("name: x\ncluster: [1, 2\n", r"t.yaml:\d+:\d+: malformed YAML"),
    ("name: x\ncluster:\n  gpus: 0\n  gpu: b200\nscale_out: {switch: tomahawk-5, port_rate_gbps: 800}\n",
     r"t.yaml:3:3: cluster.gpus: got 0; allowed: a whole number from 1 to 100,000,000"),
    ("name: x\ncluster:\n  gpus: -8\n  gpu: b200\nscale_out: {switch: tomahawk-5, port_rate_gbps: 800}\n",
     r"cluster.gpus: got -8; allowed: a whole number from 1 to 100,000,000"),
    ("name: x\ncluster:\n  gpus: 2.5\n  gpu: b200\nscale_out: {switch: tomahawk-5, port_rate_gbps: 800}\n",
     r"cluster.gpus: got 2.5; allowed: a whole number"),
    ("name: x\ncluster:\n  gpus: 8\n  gpu: b200\n  gpuz: 3\nscale_out: {switch: tomahawk-5, port_rate_gbps: 800}\n",
     r"t.yaml:5:3: cluster.gpuz: unknown key \(did you mean .*'gpus'.*\); allowed keys in cluster: gpus, gpu"),
    ("name: x\ncluster: {gpus: 8, gpu: b200}\n", r"scale_out: missing"),
    ("name: x\ncluster: {gpus: 8, gpu: b200}\nscale_out: {switch: s, port_rate_gbps: 800, tiers: 5}\n",
     r"scale_out.tiers: got 5; allowed: 1, 2, 3 or auto"),
    ("name: x\ncluster: {gpus: 8, gpu: b200}\nscale_out: {switch: s, port_rate_gbps: 800, oversubscription: 0.5}\n",
     r"scale_out.oversubscription: got 0.5; allowed: a number from 1.0"),
    ("name: x\ncluster: {gpus: 8, gpu: b200}\nscale_out: {switch: s, port_rate_gbps: 800}\ntechnologies: [cpo, cpo]\n",
     r"technologies: got \['cpo', 'cpo'\] \(each technology may be listed once\)"),
    ("name: x\ncluster: {gpus: 8, gpu: b200}\nscale_out: {switch: s, port_rate_gbps: 800}\ntechnologies: [cpc]\n",
     r"technologies.0: got 'cpc'.*allowed: a list of distinct technologies from: pluggable-dsp, lro, lpo, npo, cpo, "
     r"oio, copper, ocs"),
    ("name: x\ncluster: {gpus: 8, gpu: b200}\nscale_out: {switch: s, port_rate_gbps: 800}\n"
     "technology: {leaf_spine: cpx}\n",
     r"technology.leaf_spine: got 'cpx'.*allowed: one of pluggable-dsp, lro, lpo, npo, cpo, oio, copper or auto"),
    ("name: x\ncluster: {gpus: 8, gpu: b200}\nscale_out: {switch: s, port_rate_gbps: 800}\n"
     "technology: {spine_switch: optical}\n", r"technology.spine_switch: got 'optical'; allowed: electrical or ocs"),
    ("name: x\ncluster: {gpus: 8, gpu: b200}\nscale_out: {switch: s, port_rate_gbps: 800}\n"
     "scale_up: {domain_gpus: -72, bandwidth_per_gpu_gbps: 14400, switch: nvlink5-switch}\n",
     r"scale_up.domain_gpus: got -72; allowed: a whole number of GPUs >= 1"),
    ("name: x\ncluster: {gpus: 8, gpu: b200}\nscale_out: {switch: s, port_rate_gbps: 800}\n"
     "placement: {leaf_location: basement}\n",
     r"placement.leaf_location: got 'basement'; allowed: top-of-rack, end-of-row or middle-of-row"),
    ("name: x\ncluster: {gpus: 8, gpu: b200}\nscale_out: {switch: s, port_rate_gbps: 800}\neconomics: {pue: 0.9}\n",
     r"economics.pue: got 0.9; allowed: a number from 1.0 to 5.0"),
    ("- a\n- b\n", r"must be a mapping"),
    ("", r"the scenario is empty"),
]


@pytest.mark.parametrize("text,pattern", BAD)
def test_bad_scenarios_name_field_value_and_allowed(text, pattern):
    with pytest.raises(ScenarioError, match=pattern):
        parse_scenario(text, "t.yaml")


def test_unknown_parts_name_the_closest(catalog):
    s = parse_scenario("name: x\ncluster: {gpus: 8, gpu: b300}\nscale_out: {switch: tomahawk-5, port_rate_gbps: 800}\n",
                       "t.yaml")
    with pytest.raises(CatalogError, match=r"t.yaml:2:\d+: cluster.gpu: got 'b300' \(unknown\).*did you mean .*'b200'"):
        check_parts(s, catalog)
    s = parse_scenario("name: x\ncluster: {gpus: 8, gpu: b200}\nscale_out: {switch: tomahawk-7, port_rate_gbps: 800}\n")
    with pytest.raises(CatalogError, match="scale_out.switch: got 'tomahawk-7'.*did you mean 'tomahawk-6'"):
        check_parts(s, catalog)


def test_missing_file():
    with pytest.raises(ScenarioError, match="not found"):
        load_scenario("/nonexistent/scenario.yaml")
